"""Sample submissions, made from the release notebook: the full solution, the untouched release, and one
notebook per question with its first catalogued mistake (that question wrong, every other question right).

They feed the demo and the kit's tests; ``build`` regenerates them and a test proves they are current.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from kitcheck.spec import Assignment

from autograder.catalog import catalog
from .notebook import nbgrader_meta
from .source import solution_code


def fill(release_nb, assignment: Assignment, code: dict[str, str]):
    """A copy of the release notebook whose solution cells hold ``code[question]`` (others untouched)."""
    nb = nbformat.from_dict(release_nb)
    ids: dict[str | None, str] = {q.solution_id: q.name for q in assignment.questions}
    for cell in nb.cells:
        name = ids.get(nbgrader_meta(cell).get("grade_id"))
        if name in code:
            cell.source = code[name].rstrip()
    return nb


def sample_mistakes(assignment: Assignment) -> list:
    """One catalogued mistake per question (its first): enough for the demo, cheap for the tests."""
    first: dict[str, object] = {}
    for mistake in catalog(assignment.name):
        first.setdefault(mistake.question, mistake)
    return list(first.values())


def generate_samples(assignment: Assignment, release_root: Path, out_root: Path) -> None:
    """Write ``out_root/<a>/``: solution.ipynb, untouched.ipynb and mistake-<question>-<slug>.ipynb."""

    release_nb = nbformat.read(release_root / assignment.name / assignment.notebook, as_version=4)
    solutions = solution_code(assignment)
    target = out_root / assignment.name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    nbformat.write(fill(release_nb, assignment, solutions), target / "solution.ipynb")
    nbformat.write(release_nb, target / "untouched.ipynb")
    for mistake in sample_mistakes(assignment):
        nb = fill(release_nb, assignment, {**solutions, mistake.question: mistake.code})
        nbformat.write(nb, target / f"mistake-{mistake.question}-{mistake.slug}.ipynb")
