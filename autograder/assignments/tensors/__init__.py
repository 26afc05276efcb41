"""Grader-only material of assignment `tensors` (never shipped to students)."""
