"""The kit as a citizen of an nbgrader course: the gradebook knows its assignments' cells, formgrader shows
its grades, and real ``nbgrader autograde`` can grade the same submissions (to compare).

- ``register_assignment``: the assignment, its notebook and every cell nbgrader tracks (grade, solution and
  locked source cells with their checksums), written into a gradebook exactly as ``nbgrader
  generate_assignment`` writes them (nbgrader's own preprocessors, in its order, on the stamped source
  notebook), so ``nbgrader autograde`` works on the same submissions whatever ran first. ``./kit build``
  calls it for the course's gradebook (``python -m autograder.nbgrader_course register``); ``grade
  --gradebook`` too. Unlike ``generate_assignment --force`` it never touches ``release/``, and it adds cells
  to a notebook that already has submissions (nbgrader refuses) as long as none is removed.
- ``write_autograded``: a kit-graded submission as nbgrader's ``autograded/<student>/<assignment>/``
  notebook (nbgrader's sanitizing steps: outputs cleared, locked cells and hidden tests restored from the
  gradebook; each test cell's output is the kit's verdict), so formgrader lists it as graded, a TA can open
  it and grade by hand, and ``nbgrader generate_feedback`` works.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kitcheck.spec import Assignment

from .build import NBGRADER_STUB, source_notebook
from .config import environment
from .course import NBGRADER_CONFIG, REPO, tool_env

if TYPE_CHECKING:
    from .grade import Submission
    from .results import SubmissionResult


class RegistrationError(Exception):
    """The gradebook cannot take the assignment's cells as they are; the message says why and what to do."""


def course_config(course: Path):
    """nbgrader's configuration of the course in ``course`` (its nbgrader_config.py, else the kit's)."""
    from traitlets.config.loader import PyFileConfigLoader

    path = course / "nbgrader_config.py"
    path = path if path.exists() else NBGRADER_CONFIG
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def _course_id(config) -> str:
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=config).course_id


def _student_notebook(assignment: Assignment, config, source_root: Path | None = None):
    """The stamped source notebook after ``generate_assignment``'s steps up to saving its cells: what
    ``SaveCells`` sees (solutions replaced by the stub, hidden tests still in the test cells, checksums)."""
    import nbformat
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, ClearSolutions, ComputeChecksums, LockCells
    from traitlets.config import Config

    from .build import stamp_nbgrader_metadata

    nb = nbformat.read(source_notebook(assignment, *(source_root,) if source_root else ()), as_version=4)
    nb = stamp_nbgrader_metadata(assignment, nb)
    steps_config = Config(config)
    if "code_stub" not in steps_config.ClearSolutions:
        steps_config.ClearSolutions.code_stub = {"python": NBGRADER_STUB}
    resources: dict = {}
    for step in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums):
        nb, resources = step(config=steps_config).preprocess(nb, resources)
    return nb


def _cells(notebook) -> dict[str, set[str]]:
    return {"grade": {c.name for c in notebook.grade_cells}, "solution": {c.name for c in notebook.solution_cells},
            "task": {c.name for c in notebook.task_cells}, "source": {c.name for c in notebook.source_cells}}


def register_assignment(assignment: Assignment, db_url: str, config=None, source_root: Path | None = None
                        ) -> list[str]:
    """Write ``assignment`` and all its cells into the gradebook at ``db_url`` as ``nbgrader
    generate_assignment`` does; returns what was added or changed (empty when it was all there already).
    Raises RegistrationError when cells would have to be removed from a notebook with submissions."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.preprocessors import SaveCells
    from traitlets.config import Config

    config = config if config is not None else Config()
    nb = _student_notebook(assignment, config, source_root)
    name = assignment.name
    with Gradebook(db_url, course_id=_course_id(config)) as gb:
        changes = []
        try:
            gb.find_assignment(name)
        except MissingEntry:
            gb.update_or_create_assignment(name)
            changes.append(f"assignment {name!r}")
        try:
            notebook = gb.find_notebook(name, name)
            before = _cells(notebook)
            points = {c.name: c.max_score for c in notebook.grade_cells}
            submissions = len(notebook.submissions)
        except MissingEntry:
            before, points, submissions = None, {}, 0

    class KitSaveCells(SaveCells):
        """nbgrader's SaveCells, which also adds cells to a notebook that has submissions (nbgrader refuses
        any change there; adding is safe: ``ensure_grades`` gives the submissions their new cells)."""

        def _create_notebook(self, nb):
            if before is None or not submissions:
                return super()._create_notebook(nb)
            new = {"grade": set(self.new_grade_cells), "solution": set(self.new_solution_cells),
                   "task": set(self.new_task_cells), "source": set(self.new_source_cells)}
            removed = sorted(n for kind in new for n in before[kind] - new[kind])
            if removed:
                raise RegistrationError(
                    f"the gradebook's notebook {name!r} has cells the assignment no longer has ({', '.join(removed)}) "
                    f"and {submissions} submission(s); nbgrader cannot remove cells that submissions refer to. "
                    f"Restore those questions, or start a new gradebook for the changed assignment.")
            for cell, info in self.new_grade_cells.items():
                self.gradebook.update_or_create_grade_cell(cell, self.notebook_id, self.assignment_id, **info)
            for cell, info in self.new_solution_cells.items():
                self.gradebook.update_or_create_solution_cell(cell, self.notebook_id, self.assignment_id, **info)
            for cell, info in self.new_task_cells.items():
                self.gradebook.update_or_create_task_cell(cell, self.notebook_id, self.assignment_id, **info)
            for cell, info in self.new_source_cells.items():
                self.gradebook.update_or_create_source_cell(cell, self.notebook_id, self.assignment_id, **info)

    KitSaveCells(config=config).preprocess(nb, {"nbgrader": {"db_url": db_url, "assignment": name, "notebook": name}})
    with Gradebook(db_url, course_id=_course_id(config)) as gb:
        notebook = gb.find_notebook(name, name)
        after = _cells(notebook)
        if before is None:
            changes.append(f"notebook {assignment.notebook!r} with {len(after['grade'])} grade cells and "
                           f"{len(after['source'])} source cells")
        else:
            added = sorted(n for kind in after for n in after[kind] - before[kind])
            changes += [f"cell {n}" for n in dict.fromkeys(added)]
            changes += [f"{c.name} = {c.max_score:g} points" for c in notebook.grade_cells
                        if c.name in points and points[c.name] != c.max_score]
        for submission in gb.find_assignment(name).submissions:
            ensure_grades(gb, submission)
    return changes


def ensure_grades(gb, submission) -> None:
    """Give a submission the notebooks, grades and comments of cells registered after it was made (what
    ``Gradebook.add_submission`` makes for a new one)."""
    from nbgrader.api import Comment, Grade, Notebook, SubmittedNotebook

    db = gb.db
    for notebook in db.query(Notebook).filter(Notebook.assignment_id == submission.assignment_id).all():
        snb = db.query(SubmittedNotebook).filter(SubmittedNotebook.notebook_id == notebook.id,
                                                SubmittedNotebook.assignment_id == submission.id).one_or_none()
        if snb is None:
            snb = SubmittedNotebook(notebook=notebook, assignment=submission)
            db.add(snb)
            db.flush()
        graded = {g.cell_id for g in snb.grades}
        commented = {c.cell_id for c in snb.comments}
        for cell in [*notebook.grade_cells, *notebook.task_cells]:
            if cell.id not in graded:
                db.add(Grade(cell_id=cell.id, notebook=snb))
        for cell in [*notebook.solution_cells, *notebook.task_cells]:
            if cell.id not in commented:
                db.add(Comment(cell_id=cell.id, notebook=snb))
    db.commit()


def autograded_notebook(assignment: Assignment, result: SubmissionResult, notebook: Path, db_url: str, student: str,
                        config):
    """The kit-graded submission as nbgrader's autograded notebook: nbgrader's sanitizing steps (outputs
    cleared, ids deduplicated, kernelspec, locked cells and hidden tests restored from the gradebook), the
    cells that raised in the sandbox with that error as output, and each test cell's output the kit's
    verdict (what the student's feedback says). Raises when nbgrader cannot sanitize it."""
    import nbformat
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec

    from .notebook import read_notebook
    from .report import split_hint

    nb = read_notebook(notebook)
    resources = {"nbgrader": {"db_url": db_url, "assignment": assignment.name, "notebook": assignment.name,
                              "student": student}}
    nb, resources = ClearOutput(config=config).preprocess(nb, resources)
    for err in result.notebook_errors:
        i = err.cell
        if isinstance(i, int) and 0 <= i < len(nb.cells) and nb.cells[i].cell_type == "code":
            name, _, value = err.error.partition(":")
            nb.cells[i].outputs = [nbformat.v4.new_output("error", ename=name.strip(), evalue=value.strip(),
                                                          traceback=[err.error])]
    for step in (DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata):
        nb, resources = step(config=config).preprocess(nb, resources)
    rows = {assignment.question(row.name).test_id: row for row in result.questions}
    for cell in nb.cells:
        row = rows.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if row is None or cell.cell_type != "code":
            continue
        if row.passed:
            out = nbformat.v4.new_output("stream", name="stdout",
                                         text=f"{row.name}: all hidden tests passed (graded by the kit)\n")
        else:
            message, cause = split_hint(row)
            message = message or f"{row.name}: failed"
            text = message + (f"\nlikely cause: {cause}" if cause else "")
            out = nbformat.v4.new_output("error", ename="AssertionError", evalue=text,
                                         traceback=["AssertionError (graded by the kit)", *text.splitlines()])
        cell.outputs = [out]
    return nb


def autograded_folder(config, course_root: Path, student: str, assignment: Assignment) -> Path:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config, root=str(course_root))
    return Path(coursedir.format_path(coursedir.autograded_directory, student, assignment.name))


def write_autograded(assignment: Assignment, result: SubmissionResult, notebook: Path, db_url: str, student: str,
                     config, course_root: Path) -> Path:
    """Write ``autograded_notebook`` where nbgrader keeps it (``<course>/autograded/<student>/<a>/<a>.ipynb``,
    with the submission's timestamp.txt); returns the notebook's path."""
    import nbformat

    from .files import write_text_atomic

    nb = autograded_notebook(assignment, result, notebook, db_url, student, config)
    folder = autograded_folder(config, course_root, student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / assignment.notebook
    write_text_atomic(path, nbformat.writes(nb))
    stamp = Path(notebook).parent / "timestamp.txt"
    if stamp.is_file():
        shutil.copyfile(stamp, folder / "timestamp.txt")
    else:
        (folder / "timestamp.txt").unlink(missing_ok=True)
    return path


def nbgrader(args: list[str], course: Path) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course`` (this interpreter's bin first on PATH, for alembic and kernels)."""
    proc = subprocess.run(["nbgrader", *args, f"--CourseDirectory.root={course}"], cwd=course, env=tool_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n"
                           f"{_failures(proc.stderr)}{proc.stderr[-4000:]}")
    return proc


def _failures(log: str) -> str:
    """nbgrader's own account of each submission it could not process (the traceback it logs right after
    "There was an error processing assignment: ..."), which the tail of a long log leaves out."""
    lines = log.splitlines()
    blocks = []
    for start, line in enumerate(lines):
        if "There was an error processing assignment:" not in line:
            continue
        end = start + 2  # the header and nbgrader's "Traceback (most recent call last):" line
        while end < len(lines) and not lines[end].startswith("["):
            end += 1
        blocks.append("\n".join(lines[start:end])[-3000:])
    return "".join(block + "\n...\n" for block in blocks[:3])


def autograde(assignment: Assignment, submissions: list["Submission"], course: Path) -> dict[str, dict[str, float]]:
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


def course_root(caller: Path | str | None = None) -> Path:
    """The course directory ``./kit`` works in: the caller's folder when it holds an nbgrader_config.py,
    else the kit's repository (which is an nbgrader course directory)."""
    if caller and (Path(caller) / "nbgrader_config.py").is_file():
        return Path(caller).resolve()
    return REPO


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.nbgrader_course register [ASSIGNMENT ...]``: what ``./kit build`` runs after the
    build, to register the assignments in the course's gradebook (build's own options are accepted and
    ignored; with ``--check`` nothing is registered)."""
    from kitcheck.assignments import ASSIGNMENTS

    parser = argparse.ArgumentParser(prog="python -m autograder.nbgrader_course")
    parser.add_argument("command", choices=["register"])
    parser.add_argument("assignments", nargs="*", choices=[[]] + sorted(ASSIGNMENTS), metavar="ASSIGNMENT")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--no-execute", action="store_true")
    parser.add_argument("--course", type=Path, help="the course directory (default: see course_root)")
    args = parser.parse_args(argv)
    if args.check:
        return 0
    from nbgrader.coursedir import CourseDirectory

    root = args.course.resolve() if args.course else course_root(environment().caller_dir)
    config = course_config(root)
    db_url = CourseDirectory(config=config, root=str(root)).db_url
    status = 0
    for name in args.assignments or sorted(ASSIGNMENTS):
        try:
            changes = register_assignment(ASSIGNMENTS[name], db_url, config)
        except RegistrationError as exc:
            print(f"gradebook: {name}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"gradebook {db_url}: {name}: " + ("registered " + ", ".join(changes) if changes else "up to date"))
    return status


if __name__ == "__main__":
    sys.exit(main())
