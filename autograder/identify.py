"""Is this notebook the assignment it is graded as? Caught before grading, so a ``tensors`` notebook graded
as ``linalg`` reads as what it is (status ``error``, naming the likely assignment), not as 0/20.

A notebook is clearly another assignment's when its nbgrader cells (the grade ids ``build`` stamps:
``<question>_solution``, ``test_<question>``) are another assignment's and none is this one's, or when its
code never mentions a single function this assignment grades. Reading is cheap (the notebook's JSON, no
code run); a notebook that cannot be read is left to the grader, which says why.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from kitcheck.spec import Assignment

from .notebook import NotebookError, code_to_run, nbgrader_meta, read_notebook


def _label(a: Assignment) -> str:
    return f"assignment {a.number} (`{a.name}`)" if a.number else f"`{a.name}`"


def _names(a: Assignment, limit: int = 4) -> str:
    names = [q.name for q in a.questions]
    return ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")


def wrong_assignment(assignment: Assignment, notebook: Path) -> str | None:
    """Why ``notebook`` is clearly not ``assignment``'s (a message naming the likely assignment), or None."""
    from kitcheck.assignments import ASSIGNMENTS

    try:
        nb = read_notebook(notebook)
    except NotebookError:
        return None  # the grader reports why it cannot be read
    others = {name: a for name, a in ASSIGNMENTS.items() if name != assignment.name}

    def ids(a: Assignment) -> set[str]:
        return {i for q in a.questions for i in (q.test_id, q.solution_id)}

    grade_ids = {nbgrader_meta(c).get("grade_id") for c in nb.cells} - {None}
    if grade_ids and not grade_ids & ids(assignment):
        owners = Counter({name: len(grade_ids & ids(a)) for name, a in others.items()})
        name, count = owners.most_common(1)[0] if owners else ("", 0)
        if count:
            other = others[name]
            return (f"this is the notebook of {_label(other)}, not of {_label(assignment)}: its exercise cells are "
                    f"those of {other.name} ({_names(other)}). Submit your {assignment.notebook} for {assignment.name}.")

    code = "\n".join(source for _, source in code_to_run(nb))
    if not code.strip():
        return None  # no code at all: the grader says so

    def mentioned(a: Assignment) -> list[str]:
        return [q.name for q in a.questions if re.search(rf"\b{re.escape(q.name)}\b", code)]

    if mentioned(assignment):
        return None
    found = Counter({name: len(mentioned(a)) for name, a in others.items()})
    name, count = found.most_common(1)[0] if found else ("", 0)
    if count:
        other = others[name]
        return (f"this notebook looks like the one of {_label(other)}, not of {_label(assignment)}: it defines "
                f"{', '.join(mentioned(other)[:4])} and none of the functions of {assignment.name} "
                f"({_names(assignment)}). Submit your {assignment.notebook} for {assignment.name}.")
    return (f"this notebook defines none of the functions {_label(assignment)} grades ({_names(assignment)}); "
            f"is it the right notebook? Submit your {assignment.notebook}.")
