"""Recording grades in the course's nbgrader gradebook, so nbgrader stays the record of grades.

``grade ... --gradebook PATH_OR_URL`` writes each submission's per-question scores into nbgrader's own
database through nbgrader's API (``nbgrader.api.Gradebook``), exactly where ``nbgrader autograde`` would
put them: the auto score of each grade cell (``test_<question>``). So ``nbgrader export`` and formgrader
show them, a TA's manual override in formgrader still wins (nbgrader's score is the manual score when
there is one), and late submissions get nbgrader's own late penalty: the submission time comes from
``submitted/<student>/<assignment>/timestamp.txt``, the due date from the gradebook
(``nbgrader db assignment add NAME --duedate=...``), and the penalty from nbgrader's
``AssignLatePenalties`` preprocessor with the course's configuration (``LateSubmissionPlugin``).

The assignment, its notebook and its cells are registered from the spec when the gradebook lacks them
(``nbgrader generate_assignment`` registers the same names, since ``build`` stamps them). Before anything
is written the database is checked (a damaged or foreign file is refused with a clear error and left
untouched) and copied into the grading output (``gradebook-before.db``), so nothing can be lost.
"""
from __future__ import annotations

import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from kitcheck.spec import Assignment

from .course import NBGRADER_CONFIG

NBGRADER_TABLES = {"assignment", "notebook", "grade", "submitted_assignment", "submitted_notebook", "student"}
BACKUP_NAME = "gradebook-before.db"


class GradebookError(Exception):
    """The gradebook could not be read or written; the message says what to do. Nothing was lost."""


@dataclass
class Recorded:
    """What ``record`` did."""

    db_url: str
    students: list[str] = field(default_factory=list)
    late: dict[str, float] = field(default_factory=dict)  # student -> penalty nbgrader assigned
    registered: list[str] = field(default_factory=list)  # what had to be added to the gradebook
    backup: Path | None = None

    def summary(self) -> str:
        text = f"recorded {len(self.students)} submission(s) in the nbgrader gradebook {self.db_url}"
        if self.registered:
            text += f"; registered {', '.join(self.registered)}"
        if self.late:
            text += "; late: " + ", ".join(f"{s} (penalty {p:g})" for s, p in sorted(self.late.items()))
        return text


def db_url_for(gradebook: str) -> str:
    """A database URL from ``--gradebook``: a URL as is, a file path as ``sqlite:///<absolute path>``."""
    return gradebook if "://" in gradebook else f"sqlite:///{Path(gradebook).resolve()}"


def sqlite_path(db_url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL (None for other databases)."""
    return Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None


def load_config(config_file: Path | None, db_url: str):
    """The course's nbgrader configuration: ``config_file``, else ``nbgrader_config.py`` next to the
    gradebook file (nbgrader keeps both in the course root), else the kit's own."""
    from traitlets.config.loader import PyFileConfigLoader

    if config_file is None:
        path = sqlite_path(db_url)
        beside = path.parent / "nbgrader_config.py" if path else None
        config_file = beside if beside and beside.exists() else NBGRADER_CONFIG
    try:
        return PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    except Exception as exc:  # a syntax error in the course's config, a missing file
        raise GradebookError(f"could not read nbgrader's configuration {config_file}: {exc}") from exc


def check_readable(db_url: str) -> None:
    """Refuse a gradebook that is not a readable nbgrader database, without writing to it."""
    path = sqlite_path(db_url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        if path is not None and not path.parent.is_dir():
            raise GradebookError(f"the gradebook's folder {path.parent} does not exist")
        return  # another database server, or a new gradebook nbgrader will create
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # read-only: a check never writes
        try:
            problems = [row[0] for row in con.execute("PRAGMA quick_check")]
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise GradebookError(f"the gradebook {path} cannot be read ({exc}); it was not changed") from exc
    if problems != ["ok"]:
        raise GradebookError(f"the gradebook {path} is damaged ({'; '.join(problems[:3])}); it was not changed")
    if tables and not NBGRADER_TABLES <= tables:
        raise GradebookError(f"{path} is a SQLite database but not an nbgrader gradebook (it lacks the tables "
                             f"{', '.join(sorted(NBGRADER_TABLES - tables))}); it was not changed")


def backup(db_url: str, out_dir: Path) -> Path | None:
    """A consistent copy of a SQLite gradebook in ``out_dir`` (SQLite's online backup), before writing."""
    path = sqlite_path(db_url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    target = out_dir / BACKUP_NAME
    target.unlink(missing_ok=True)
    src, dst = sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def submission_timestamp(assignment: Assignment, notebook: Path):
    """The time nbgrader recorded for a submission (``<student>/<assignment>/timestamp.txt``), or None."""
    from nbgrader.utils import parse_utc

    folder = notebook.parent
    stamp = folder / "timestamp.txt"
    if folder.name != assignment.name or not stamp.is_file():
        return None
    text = stamp.read_text(encoding="utf-8").strip()
    if not text:
        return None
    try:
        return parse_utc(text)
    except ValueError as exc:
        raise GradebookError(f"{stamp} holds an invalid timestamp {text!r}: {exc}") from exc


def _register(gb, assignment: Assignment) -> list[str]:
    """Make sure the gradebook knows the assignment, its notebook and its grade and solution cells."""
    from nbgrader.api import MissingEntry

    added = []
    try:
        gb.find_assignment(assignment.name)
    except MissingEntry:
        gb.add_assignment(assignment.name)
        added.append(f"assignment {assignment.name!r}")
    try:
        gb.find_notebook(assignment.name, assignment.name)
    except MissingEntry:
        gb.add_notebook(assignment.name, assignment.name)
        added.append(f"notebook {assignment.notebook!r}")
    for q in assignment.questions:
        try:
            cell = gb.find_grade_cell(q.test_id, assignment.name, assignment.name)
            if cell.max_score != q.points:  # the spec is the truth: build stamps these points into nbgrader
                cell.max_score = q.points
                gb.db.commit()
                added.append(f"{q.test_id} = {q.points} points")
        except MissingEntry:
            gb.add_grade_cell(q.test_id, assignment.name, assignment.name, max_score=q.points, cell_type="code")
            added.append(f"cell {q.test_id}")
        try:
            gb.find_solution_cell(q.solution_id, assignment.name, assignment.name)
        except MissingEntry:
            gb.add_solution_cell(q.solution_id, assignment.name, assignment.name)
    return added


def _ensure_grades(gb, submission) -> None:
    """Give an existing submission the notebooks and grades of cells registered after it was made
    (what ``Gradebook.add_submission`` makes for a new one)."""
    from nbgrader.api import Comment, Grade, SubmittedNotebook

    have = {nb.notebook_id: nb for nb in submission.notebooks}
    for notebook in submission.assignment.notebooks:
        snb = have.get(notebook.id) or SubmittedNotebook(notebook=notebook, assignment=submission)
        graded = {g.cell_id for g in snb.grades}
        commented = {c.cell_id for c in snb.comments}
        for cell in notebook.grade_cells:
            if cell.id not in graded:
                Grade(cell_id=cell.id, notebook=snb)
        for cell in notebook.solution_cells:
            if cell.id not in commented:
                Comment(cell_id=cell.id, notebook=snb)
    gb.db.commit()


def record(assignment: Assignment, results: list[dict], notebooks: dict[str, Path], gradebook: str, out_dir: Path,
           config_file: Path | None = None) -> Recorded:
    """Write ``results`` (one per submission; ``notebooks`` maps its id to its file) into the gradebook.

    Raises GradebookError, having changed nothing when the gradebook is unreadable. Recording again is
    idempotent: scores and timestamps are updated in place."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import AssignLatePenalties
    from sqlalchemy.exc import SAWarning, SQLAlchemyError

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's add_submission warns on every new one

    db_url = db_url_for(gradebook)
    config = load_config(config_file, db_url)
    check_readable(db_url)
    stamps = {r["id"]: submission_timestamp(assignment, notebooks[r["id"]]) for r in results}
    done = Recorded(db_url, backup=backup(db_url, out_dir))
    course_id = CourseDirectory(config=config).course_id  # as nbgrader's own commands see it
    try:
        with Gradebook(db_url, course_id=course_id) as gb:
            done.registered = _register(gb, assignment)
            for r in results:
                sid = r["id"]
                gb.update_or_create_student(sid)
                extra = {"timestamp": stamps[sid]} if stamps[sid] else {}
                _ensure_grades(gb, gb.update_or_create_submission(assignment.name, sid, **extra))
                for row in r["questions"]:
                    grade = gb.find_grade(assignment.question(row["name"]).test_id, assignment.name,
                                          assignment.name, sid)
                    grade.auto_score = float(row["score"])
                    # as nbgrader's SaveAutoGrades: a manual score, or a notebook we could not grade, wants a TA
                    grade.needs_manual_grade = grade.manual_score is not None or r["status"] != "graded"
                gb.db.commit()
                done.students.append(sid)
        for sid in done.students:  # nbgrader's own late-penalty step, with the course's plugin and settings
            AssignLatePenalties(config=config).preprocess(nbformat.v4.new_notebook(), {"nbgrader": {
                "db_url": db_url, "assignment": assignment.name, "notebook": assignment.name, "student": sid}})
        with Gradebook(db_url, course_id=course_id) as gb:
            for sid in done.students:
                penalty = gb.find_submission_notebook(assignment.name, assignment.name, sid).late_submission_penalty
                if penalty:
                    done.late[sid] = penalty
    except (SQLAlchemyError, sqlite3.Error, ValueError, OSError) as exc:  # nbgrader's Missing/InvalidEntry too
        where = f"; its state before this run is saved in {done.backup}" if done.backup else ""
        raise GradebookError(f"writing to the gradebook {db_url} failed: {exc}{where}") from exc
    return done
