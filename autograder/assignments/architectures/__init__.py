"""Grader-only material of assignment `architectures` (never shipped to students)."""
