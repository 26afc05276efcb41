"""Grader-only material of assignment `networks` (never shipped to students)."""
