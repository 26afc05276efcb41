"""Grading the same submissions with real ``nbgrader autograde``, to compare with the kit's grader."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kitcheck.spec import Assignment

from .build import source_notebook
from .course import NBGRADER_CONFIG, tool_env
from .grade import Submission


def nbgrader(args: list[str], course: Path) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course`` (this interpreter's bin first on PATH, for alembic and kernels)."""
    proc = subprocess.run(["nbgrader", *args, f"--CourseDirectory.root={course}"], cwd=course, env=tool_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc


def autograde(assignment: Assignment, submissions: list[Submission], course: Path) -> dict[str, dict[str, float]]:
    """Scores per submission id and question, as nbgrader's gradebook records them after ``autograde``."""
    from nbgrader.api import Gradebook

    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(NBGRADER_CONFIG, course / "nbgrader_config.py")
    src = course / "source" / assignment.name
    src.mkdir(parents=True, exist_ok=True)
    shutil.copy(source_notebook(assignment), src / assignment.notebook)
    nbgrader(["generate_assignment", assignment.name, "--force"], course)
    for sub in submissions:
        dest = course / "submitted" / sub.id / assignment.name
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(sub.path, dest / assignment.notebook)
    nbgrader(["autograde", assignment.name, "--create", "--force"], course)
    names = {q.test_id: q.name for q in assignment.questions}
    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in submissions:
            nb = gb.find_submission_notebook(assignment.name, assignment.name, sub.id)
            scores[sub.id] = {names[g.name]: g.score for g in nb.grades if g.name in names}
    return scores
