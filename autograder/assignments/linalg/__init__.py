"""Grader-only material of assignment `linalg` (never shipped to students)."""
