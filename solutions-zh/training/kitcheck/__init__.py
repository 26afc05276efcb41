"""Instant, kind feedback for the course's exercises: ``check("broadcast_shape")``, ``check_all()``, and
``with needs("broadcast_shape"):`` around a cell that uses an exercise.

This package ships with every released assignment. It holds only public checks: passing them is a
good sign, not a grade. The hidden tests that grade your work check more inputs, dtypes and devices.
"""
from __future__ import annotations

from typing import Any

__all__ = ["check", "check_all", "needs", "run_public_check", "CheckResult"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the sandbox imports kitcheck for its transport alone, and should not pay
    # for (or be affected by) every assignment's imports.
    if name in __all__:
        from . import checking

        return getattr(checking, name)
    raise AttributeError(f"module 'kitcheck' has no attribute {name!r}")
