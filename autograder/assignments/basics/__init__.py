"""Grader-only material of assignment `basics` (never shipped to students)."""
