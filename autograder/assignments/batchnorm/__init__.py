"""Grader-only material of assignment `batchnorm` (never shipped to students)."""
