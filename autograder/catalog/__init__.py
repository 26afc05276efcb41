"""Catalogued student mistakes per assignment: wrong implementations that real students write.

Each entry is a whole function (what the student's solution cell would hold) and the misconception it
shows, in one sentence. They make the sample submissions and prove the hidden tests catch them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    question: str
    slug: str
    misconception: str
    code: str


def catalog(assignment: str) -> list[Mistake]:
    """The catalogued mistakes of an assignment (empty when it has none yet)."""
    from importlib import import_module

    try:
        module = import_module(f"{__name__}.{assignment}")
    except ModuleNotFoundError:
        return []
    return list(module.MISTAKES)
