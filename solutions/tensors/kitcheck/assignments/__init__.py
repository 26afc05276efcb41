"""Every assignment of the course, by name."""
from __future__ import annotations

from ..spec import Assignment, Question
from . import tensors

ASSIGNMENTS: dict[str, Assignment] = {a.name: a for a in (tensors.ASSIGNMENT,)}


def find_question(name: str) -> tuple[Assignment, Question]:
    """The assignment and question for a graded function's name (names are unique across the course)."""
    for assignment in ASSIGNMENTS.values():
        for q in assignment.questions:
            if q.name == name:
                return assignment, q
    known = ", ".join(q.name for a in ASSIGNMENTS.values() for q in a.questions)
    raise KeyError(f"there is no exercise called {name!r}. Exercises: {known}")
