"""Grader-only material of assignment `initialization` (never shipped to students)."""
