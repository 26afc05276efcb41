"""Recording grades in the course's nbgrader gradebook, so nbgrader stays the record of grades.

``grade ... --gradebook PATH_OR_URL`` writes each submission's per-question scores into nbgrader's own
database through nbgrader's API (``nbgrader.api.Gradebook``), exactly where ``nbgrader autograde`` would
put them: the auto score of each grade cell (``test_<question>``). So ``nbgrader export`` and formgrader
show them, a TA's manual override in formgrader still wins (nbgrader's score is the manual score when
there is one), and late submissions get nbgrader's own late penalty: the submission time comes from
``submitted/<student>/<assignment>/timestamp.txt``, the due date from the gradebook
(``nbgrader db assignment add NAME --duedate=...``), and the penalty from nbgrader's
``AssignLatePenalties`` preprocessor with the course's configuration (``LateSubmissionPlugin``).

The assignment, its notebook and all its cells are registered as ``nbgrader generate_assignment`` registers
them (``nbgrader_course.register_assignment``: grade, solution and source cells with their checksums), so
``nbgrader autograde`` keeps working on the same submissions. Each graded submission is also written as
nbgrader's ``autograded/<student>/<assignment>/`` notebook (``nbgrader_course.write_autograded``), so
formgrader lists it as graded and a TA can open it, add manual scores and comments (a manual score wins),
and ``nbgrader generate_feedback`` works. ``--due`` (when the gradebook has no due date) and the extensions
of ``--extensions FILE`` are written into the gradebook, so nbgrader's penalties are the kit's.

Before anything is written the database is checked (a damaged or foreign file is refused with a clear error
and left untouched) and copied into the grading output (``gradebook-before.db``), so nothing can be lost.
"""
from __future__ import annotations

import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from kitcheck.spec import Assignment

from .course import NBGRADER_CONFIG
from .results import SubmissionResult

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
    autograded: list[str] = field(default_factory=list)  # students whose autograded notebook was written
    autograded_root: Path | None = None
    not_autograded: dict[str, str] = field(default_factory=dict)  # student -> why no autograded notebook
    disagree: dict[str, tuple[float, float]] = field(default_factory=dict)  # student -> (kit, nbgrader) penalty
    skipped: dict[str, str] = field(default_factory=dict)  # result id -> why it was not recorded

    def summary(self) -> str:
        text = f"recorded {len(self.students)} submission(s) in the nbgrader gradebook {self.db_url}"
        if self.registered:
            text += f"; registered {', '.join(self.registered)}"
        if self.late:
            text += "; late: " + ", ".join(f"{s} (penalty {p:g})" for s, p in sorted(self.late.items()))
        if self.autograded:
            text += (f"\nwrote {len(self.autograded)} autograded notebook(s) for formgrader in "
                     f"{self.autograded_root}")
        for student, why in sorted(self.not_autograded.items()):
            text += f"\nno autograded notebook for {student}: {why}"
        for student, (kit, theirs) in sorted(self.disagree.items()):
            text += (f"\nnote: {student}'s late penalty is {theirs:g} in the gradebook and {kit:g} in the kit's "
                     "feedback (a manual score in formgrader changes nbgrader's)")
        for sid, why in sorted(self.skipped.items()):
            text += f"\nnot recorded: {sid} ({why})"
        return text


def db_url_for(gradebook: str) -> str:
    """A database URL from ``--gradebook``: a URL as is, a file path as ``sqlite:///<absolute path>``."""
    return gradebook if "://" in gradebook else f"sqlite:///{Path(gradebook).resolve()}"


def sqlite_path(db_url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL (None for other databases)."""
    return Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None


def load_config(config_file: Path | None, db_url: str | None = None):
    """The course's nbgrader configuration: ``config_file``, else ``nbgrader_config.py`` next to the
    gradebook file (nbgrader keeps both in the course root), else the kit's own."""
    from traitlets.config.loader import PyFileConfigLoader

    if config_file is None:
        path = sqlite_path(db_url) if db_url else None
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
    from .late import LateError, timestamp_of

    try:
        return timestamp_of(notebook, assignment.name)
    except LateError as exc:
        raise GradebookError(f"invalid timestamp: {exc}") from exc


def read_due_dates(db_url: str, assignment: str, course_id: str):
    """The gradebook's due date of ``assignment`` and its students' extensions ({student: late.Extension}),
    read without writing (a missing or unreadable gradebook gives (None, {}): ``record`` reports it)."""
    from nbgrader.api import Assignment as DbAssignment
    from nbgrader.api import SubmittedAssignment
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from .late import Extension

    path = sqlite_path(db_url)
    if path is not None and (not path.is_file() or path.stat().st_size == 0):
        return None, {}
    try:
        check_readable(db_url)
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true" if path else db_url)
        try:
            with Session(engine) as session:
                query = session.query(DbAssignment).filter(DbAssignment.name == assignment)
                found = [a for a in query.all() if getattr(a, "course_id", course_id) in (course_id, None)]
                if not found:
                    return None, {}
                row = found[0]
                extensions = {s.student_id: Extension(extra=s.extension, source="gradebook")
                              for s in session.query(SubmittedAssignment)
                              .filter(SubmittedAssignment.assignment_id == row.id).all() if s.extension is not None}
                return row.duedate, extensions
        finally:
            engine.dispose()
    except (GradebookError, SQLAlchemyError, sqlite3.Error):
        return None, {}


def course_root_of(config, db_url: str) -> Path | None:
    """The course directory for nbgrader's ``autograded/`` folder: ``CourseDirectory.root`` when the course's
    config sets it, else the gradebook file's folder (nbgrader keeps both in the course root)."""
    if "root" in config.get("CourseDirectory", {}):
        return Path(config.CourseDirectory.root)
    path = sqlite_path(db_url)
    return path.parent if path else None


def record(assignment: Assignment, results: Sequence[SubmissionResult], notebooks: dict[str, Path], gradebook: str,
           out_dir: Path, config_file: Path | None = None, students: dict[str, str] | None = None, late=None,
           autograded: bool = True) -> Recorded:
    """Write ``results`` (one per submission; ``notebooks`` maps its id to its file, ``students`` its id to
    nbgrader's student id where that differs) into the gradebook, then nbgrader's late penalties, then (with
    ``autograded``) each submission's ``autograded/`` notebook for formgrader. ``late``: the batch's
    ``late.LatePolicy``, whose ``--due`` and extensions file are written into the gradebook.

    Raises GradebookError, having changed nothing when the gradebook is unreadable. Recording again is
    idempotent: scores and timestamps are updated in place."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import AssignLatePenalties
    from sqlalchemy.exc import SAWarning, SQLAlchemyError

    from .nbgrader_course import RegistrationError, ensure_grades, register_assignment, write_autograded

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's add_submission warns on every new one
    rows = list(results)

    db_url = db_url_for(gradebook)
    config = load_config(config_file, db_url)
    check_readable(db_url)
    students = students or {}
    who: dict[str, str] = {}  # result id -> nbgrader student id, one result per student
    done = Recorded(db_url)
    for r in rows:
        student = students.get(r.id, r.id)
        if student in who.values():
            done.skipped[r.id] = f"another submission of this batch is student {student!r}'s"
        else:
            who[r.id] = student
    stamps = {sid: submission_timestamp(assignment, notebooks[sid]) for sid in who}
    done.backup = backup(db_url, out_dir)
    course_id = CourseDirectory(config=config).course_id  # as nbgrader's own commands see it
    try:
        done.registered = register_assignment(assignment, db_url, config)
        with Gradebook(db_url, course_id=course_id) as gb:
            db_assignment = gb.find_assignment(assignment.name)
            if late is not None and late.due_source == "--due" and db_assignment.duedate is None:
                db_assignment.duedate = late.due  # nbgrader's penalties from the same due date as the kit's
                gb.db.commit()
                done.registered.append(f"due date {late.due:%Y-%m-%d %H:%M} UTC")
            for r in rows:
                sid = r.id
                if sid not in who:
                    continue
                student = who[sid]
                gb.update_or_create_student(student)
                extra = {"timestamp": stamps[sid]} if stamps[sid] else {}
                submission = gb.update_or_create_submission(assignment.name, student, **extra)
                ext = (late.extensions or {}).get(student) if late is not None else None
                if ext is not None and ext.source != "gradebook" and db_assignment.duedate is not None:
                    submission.extension = ext.applied_to(db_assignment.duedate) - db_assignment.duedate
                ensure_grades(gb, submission)
                for row in r.questions:
                    grade = gb.find_grade(assignment.question(row.name).test_id, assignment.name,
                                          assignment.name, student)
                    grade.auto_score = float(row.score)
                    # as nbgrader's SaveAutoGrades: a manual score, or a notebook we could not grade, wants a TA
                    grade.needs_manual_grade = grade.manual_score is not None or not r.graded
                gb.db.commit()
                done.students.append(student)
        for student in done.students:  # nbgrader's own late-penalty step, with the course's plugin and settings
            AssignLatePenalties(config=config).preprocess(nbformat.v4.new_notebook(), {"nbgrader": {
                "db_url": db_url, "assignment": assignment.name, "notebook": assignment.name, "student": student}})
        with Gradebook(db_url, course_id=course_id) as gb:
            for r in rows:
                if r.id not in who:
                    continue
                student = who[r.id]
                snb = gb.find_submission_notebook(assignment.name, assignment.name, student)
                penalty = snb.late_submission_penalty or 0.0
                if penalty:
                    done.late[student] = penalty
                kit = r.late.penalty if r.late is not None else None
                if kit is not None and abs(kit - penalty) > 1e-6:
                    done.disagree[student] = (kit, penalty)
    except RegistrationError as exc:
        where = f"; its state before this run is saved in {done.backup}" if done.backup else ""
        raise GradebookError(f"{exc}{where}") from exc
    except (SQLAlchemyError, sqlite3.Error, ValueError, OSError) as exc:  # nbgrader's Missing/InvalidEntry too
        where = f"; its state before this run is saved in {done.backup}" if done.backup else ""
        raise GradebookError(f"writing to the gradebook {db_url} failed: {exc}{where}") from exc
    root = course_root_of(config, db_url) if autograded else None
    if root is not None:
        done.autograded_root = root / CourseDirectory(config=config).autograded_directory
        for r in rows:
            if r.id not in who:
                continue
            student = who[r.id]
            try:
                write_autograded(assignment, r, notebooks[r.id], db_url, student, config, root)
                done.autograded.append(student)
            except Exception as exc:  # an unreadable notebook, another assignment's cells: a TA opens the original
                done.not_autograded[student] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return done
