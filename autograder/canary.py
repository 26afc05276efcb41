"""The canary: before a batch, the grader grades its own reference solution with the batch's own setup.

If the reference does not score full marks (a sandbox that cannot start in this container, isolation the
platform refuses, a broken install), nothing is graded and the command says why: a class never receives
zeros caused by the grader. The canary is a small notebook, built with the assignment
(``autograder/assignments/<a>/canary.ipynb``: the release notebook's first code cell, its imports, and the
solution of one question), so it costs a sandbox start and one question's hidden tests.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from kitcheck.i18n import in_language
from kitcheck.spec import Assignment

from .assignments import folder
from .results import SubmissionResult

CANARY_FILE = "canary.ipynb"


class CanaryFailed(Exception):
    """The reference solution did not score full marks; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class CanaryReport:
    question: str
    score: int
    points: int
    seconds: float
    isolation: str


def canary_path(assignment: Assignment) -> Path:
    return folder(assignment.name) / CANARY_FILE


def canary_question(assignment: Assignment) -> str:
    """The question the canary grades: the assignment's first."""
    return assignment.questions[0].name


def make_canary(assignment: Assignment, release_nb, solutions: dict[str, str]):
    """The canary notebook: the release's first code cell and the canary question's solution."""
    nb = nbformat.v4.new_notebook()
    first = next(c for c in release_nb.cells if c.cell_type == "code")
    nb.cells = [nbformat.v4.new_code_cell(first.source),
                nbformat.v4.new_code_cell(solutions[canary_question(assignment)].rstrip())]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return nb


def write_canary(assignment: Assignment, release_root: Path, solutions: dict[str, str],
                 dest: Path | None = None) -> Path:
    """Write the canary notebook (by default into the assignment's grader-only folder)."""
    release_nb = nbformat.read(release_root / assignment.name / assignment.notebook, as_version=4)
    path = dest or canary_path(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(make_canary(assignment, release_nb, solutions), path)
    return path


def advice(result: SubmissionResult) -> str:
    """What the instructor can do, from what the canary's grading says."""
    text = " ".join([result.error, result.isolation or ""] + [e.error for e in result.notebook_errors])
    if "could not start" in text:
        return ("The sandbox could not start here. The kit chooses the strongest isolation this machine allows; "
                "set KIT_ISOLATION=user (a separate user, no namespaces) or KIT_ISOLATION=limits (not for "
                "untrusted code) to choose a weaker one, and check that the grader can run Python as user nobody.")
    return "Check the installation (`./kit test`), and rebuild the course with `./kit build` if the spec changed."


def check_canary(assignment: Assignment, grade: Callable[[Path, set[str]], SubmissionResult]) -> CanaryReport:
    """Grade the canary with ``grade(notebook, questions)`` (the batch's own way of grading); raise
    CanaryFailed unless it scores full marks."""
    path = canary_path(assignment)
    question = canary_question(assignment)
    points = assignment.question(question).points
    if not path.exists():
        raise CanaryFailed(f"the canary notebook {path} is missing: run `./kit build {assignment.name}`")
    start = time.perf_counter()
    result = grade(path, {question})
    # the grading itself, not a worker's start
    seconds = result.seconds if result.seconds is not None else time.perf_counter() - start
    row = result.question(question)
    got = row.score if row is not None else 0
    if got != points or not result.graded:
        why = in_language(result.error or (row.message if row is not None else "") or "no score", "en")
        isolation = result.isolation if result.isolation is not None else "unknown"
        raise CanaryFailed(
            f"the grader's own check failed: the reference solution of `{question}` scored {got}/{points} "
            f"({why}; isolation: {isolation}). Nothing was graded, so no student "
            f"received a wrong score. {advice(result)} (Skip this check with --no-canary only if you know why.)")
    return CanaryReport(question, got, points, round(seconds, 2), result.isolation or "")
