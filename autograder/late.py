"""Late work: when a submission was handed in, when it was due (with any extension), and its penalty.

The same numbers everywhere: ``grades.csv``, the student's feedback, the class report and nbgrader's
gradebook. The submitted time is nbgrader's (``submitted/<student>/<assignment>/timestamp.txt``); the due
date is the gradebook's (``nbgrader db assignment add NAME --duedate=...``) or ``grade --due``; a
student's extension is the gradebook's (nbgrader's ``SubmittedAssignment.extension``) or a line of
``grade --extensions FILE``; and the penalty comes from the course's nbgrader late-penalty plugin
(``c.AssignLatePenalties.plugin_class`` in ``nbgrader_config.py``), called exactly as nbgrader's
``AssignLatePenalties`` calls it, so the gradebook and the kit agree.

``late_plugin.PercentPerDay`` is the policy the kit's ``nbgrader_config.py`` ships. This module imports
nbgrader only inside the functions that need it: the reports (and Gradescope's grader) import it too.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .results import Lateness

if TYPE_CHECKING:
    from nbgrader.plugins import LateSubmissionPlugin

UTC_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


class LateError(Exception):
    """A due date, a timestamp or the extensions file could not be read; the message says which and why."""


def parse_time(text: str, what: str) -> datetime:
    """A time as nbgrader reads it (naive UTC): "2025-03-01 23:59:00 UTC", "... Asia/Shanghai", ISO 8601."""
    from nbgrader.utils import parse_utc

    try:
        value = parse_utc(text.strip())
    except (ValueError, OverflowError) as exc:
        raise LateError(f"{what}: {text.strip()!r} is not a date and time ({exc})") from None
    if value is None:
        raise LateError(f"{what}: empty")
    return value


def show_time(value: datetime | str | None) -> str:
    """A time as the reports show it: ``2025-03-01 23:59 UTC`` (from a datetime or a stored UTC_FORMAT text)."""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.strptime(text, UTC_FORMAT)
        except ValueError:
            return text
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhm])", re.IGNORECASE)
_UNIT = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}


def parse_duration(text: str, what: str) -> timedelta:
    """``2d``, ``36h``, ``1d 12h``, ``90m`` -> a timedelta."""
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        raise LateError(f"{what}: {text.strip()!r} is not a duration like 2d, 36h, 1d12h or 90m")
    return timedelta(seconds=sum(float(n) * _UNIT[u.lower()] for n, u in parts))


@dataclass(frozen=True)
class Extension:
    """A student's own due date: ``due`` (absolute) or ``extra`` after the assignment's due date."""

    due: datetime | None = None
    extra: timedelta | None = None
    source: str = ""  # "gradebook" or the extensions file's name

    def applied_to(self, due: datetime | None) -> datetime | None:
        if self.due is not None:
            return self.due
        return due + self.extra if due is not None and self.extra is not None else due


def read_extensions(path: Path) -> dict[str, Extension]:
    """The extensions file: a CSV with a header, a ``student`` column and either ``due`` (that student's due
    date) or ``extension`` (a duration after the assignment's due date: 2d, 36h, 1d12h, 90m)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LateError(f"the extensions file {path} cannot be read ({exc.strerror or exc})") from None
    rows = list(csv.DictReader(text.splitlines()))
    fields = {f.strip().lower() for f in (rows[0].keys() if rows else [])} if rows else set()
    if rows and ("student" not in fields or not fields & {"due", "extension"}):
        raise LateError(f"the extensions file {path} needs a header with `student` and `due` or `extension` "
                        f"(found {', '.join(sorted(fields)) or 'no columns'})")
    found: dict[str, Extension] = {}
    for n, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        student = row.get("student", "")
        if not student:
            continue
        where = f"{Path(path).name} line {n} ({student})"
        if row.get("due"):
            found[student] = Extension(due=parse_time(row["due"], where), source=Path(path).name)
        elif row.get("extension"):
            found[student] = Extension(extra=parse_duration(row["extension"], where), source=Path(path).name)
    return found


def timestamp_of(notebook: Path, assignment_name: str) -> datetime | None:
    """nbgrader's submitted time of a submission: ``timestamp.txt`` beside the notebook in
    ``<student>/<assignment>/``, or None."""
    folder = Path(notebook).parent
    stamp = folder / "timestamp.txt"
    if folder.name != assignment_name or not stamp.is_file():
        return None
    text = stamp.read_text(encoding="utf-8", errors="replace").strip()
    return parse_time(text, str(stamp)) if text else None


def load_plugin(config):
    """The course's late-penalty plugin, configured as nbgrader's ``AssignLatePenalties`` would make it."""
    from nbgrader.preprocessors import AssignLatePenalties

    step = AssignLatePenalties(config=config)
    step.init_plugin()
    return step.plugin_inst


def describe_plugin(plugin) -> str:
    """The late policy in a few words, for the report."""
    from .late_plugin import PercentPerDay

    if isinstance(plugin, PercentPerDay):
        return (f"{plugin.percent:g}% of the score per started day late after {plugin.grace_minutes:g} minutes of "
                f"grace; the whole score from {plugin.zero_after_days} days late")
    method = getattr(plugin, "penalty_method", None)
    if method == "none":
        return "no penalty (nbgrader's LateSubmissionPlugin, penalty_method 'none')"
    if method == "zero":
        return "a late submission scores 0 (nbgrader's LateSubmissionPlugin, penalty_method 'zero')"
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


@dataclass
class LatePolicy:
    """Everything lateness needs, gathered before grading: due date, extensions, the penalty plugin."""

    due: datetime | None = None
    extensions: dict[str, Extension] | None = None
    plugin: LateSubmissionPlugin | None = None
    due_source: str = ""  # "gradebook", "--due"

    @property
    def description(self) -> str:
        return describe_plugin(self.plugin) if self.plugin is not None else ""

    def lateness(self, student: str, submitted: datetime | None, score: float) -> Lateness:
        """The ``late`` record of a submission: submitted, due (with the student's extension), seconds late,
        penalty (clipped to [0, score] as nbgrader does) and the final score."""
        ext = (self.extensions or {}).get(student)
        due = ext.applied_to(self.due) if ext else self.due
        seconds = max(0.0, (submitted - due).total_seconds()) if submitted and due else 0.0
        penalty = 0.0
        if seconds > 0 and self.plugin is not None:
            got = self.plugin.late_submission_penalty(student, float(score), seconds)
            penalty = 0.0 if got is None else min(max(float(got), 0.0), float(score))
        return Lateness(submitted=submitted.strftime(UTC_FORMAT) if submitted else "",
                        due=due.strftime(UTC_FORMAT) if due else "",
                        extension=ext.source if ext and due != self.due else "",
                        seconds_late=round(seconds, 3), penalty=round(penalty, 6),
                        final=round(float(score) - penalty, 6), policy=self.description if due else "")


def late_text(late: Lateness | None) -> str:
    """``8 h 1 min`` for the seconds late ("" when on time or unknown)."""
    seconds = late.seconds_late if late is not None else 0
    if seconds <= 0:
        return ""
    minutes = math.ceil(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = ([f"{days} d"] if days else []) + ([f"{hours} h"] if hours else []) + ([f"{mins} min"] if mins else [])
    return " ".join(parts)


def number(x: float) -> str:
    """A score as people write it: 20, 17.5."""
    return f"{x:g}"
