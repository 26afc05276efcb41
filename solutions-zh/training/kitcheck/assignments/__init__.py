"""Every assignment of the course, by name, found by looking at this package's modules.

An assignment is a module here that defines ``ASSIGNMENT`` (a ``kitcheck.spec.Assignment``); adding one
needs no edit to this file. Assignments are ordered by their ``number``.
"""
from __future__ import annotations

import importlib
import pkgutil

from ..spec import Assignment, Question


def _discover() -> dict[str, Assignment]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "ASSIGNMENT", None), Assignment):
            found.append(module.ASSIGNMENT)
    return {a.name: a for a in sorted(found, key=lambda a: (a.number, a.name))}


ASSIGNMENTS: dict[str, Assignment] = _discover()


def find_question(name: str) -> tuple[Assignment, Question]:
    """The assignment and question for a graded function's name (names are unique across the course)."""
    for assignment in ASSIGNMENTS.values():
        for q in assignment.questions:
            if q.name == name:
                return assignment, q
    known = ", ".join(q.name for a in ASSIGNMENTS.values() for q in a.questions)
    raise KeyError(f"there is no exercise called {name!r}. Exercises: {known}")
