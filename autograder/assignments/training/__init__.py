"""Grader-only material of assignment `training` (never shipped to students)."""
