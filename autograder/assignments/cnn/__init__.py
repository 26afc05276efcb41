"""Grader-only material of assignment `cnn` (never shipped to students)."""
