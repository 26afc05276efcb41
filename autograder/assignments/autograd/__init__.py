"""Grader-only material of assignment `autograd` (never shipped to students)."""
