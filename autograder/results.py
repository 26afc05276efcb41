"""The grading result, typed: one ``SubmissionResult`` per submission, one ``QuestionResult`` per question.

The worker builds them, ``grade`` saves them (``grading.json``, via ``to_dict``) and reads them back
(``from_dict``; a saved file through ``load_result``), and every report (the CSV row, Gradescope's
``results.json``, the feedback pages, the class report, nbgrader's gradebook) takes them and reads their
attributes, never a saved dict: no module parses what another wrote. A hidden test's
outcome is ``pytest_plugin.TestOutcome``; a likely cause is a reference to a catalog entry
(``"question:slug"``, put in words by ``report.split_hint``).

``to_dict`` writes exactly the JSON the grader has always written (same keys, same values, a key absent where
it always was), so results saved before this module existed load, and load again to the same dict.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping

if TYPE_CHECKING:  # imported when needed: pytest_plugin imports pytest, and the reports need not
    from .pytest_plugin import TestOutcome

Status = Literal["graded", "error"]


def outcome_from_dict(data: Mapping[str, Any]) -> TestOutcome:
    """A ``TestOutcome`` from its saved form (keys it does not know are ignored)."""
    from .pytest_plugin import TestOutcome

    return TestOutcome(**{f.name: data[f.name] for f in fields(TestOutcome) if f.name in data})


CELL_ERROR_KINDS = ("", "input")


@dataclass
class CellError:
    """A notebook cell that raised (``cell``: its index among the code cells), or the notebook's process that
    died (``cell`` None)."""

    cell: int | None
    error: str  # student-facing, in every language of the grading (``kitcheck.i18n``)
    kind: str = ""  # "input": the cell waited for input() (its feedback says why that cannot work); else ""

    def to_dict(self) -> dict[str, Any]:
        return {"cell": self.cell, "error": self.error, **({"kind": self.kind} if self.kind else {})}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CellError:
        kind = data.get("kind", "")
        return cls(data.get("cell"), data.get("error", ""), kind if kind in CELL_ERROR_KINDS else "")


@dataclass
class QuestionResult:
    """One question of one submission: all of its points when every hidden test of it passed, else 0."""

    name: str
    points: int
    score: int
    passed: bool
    message: str = ""  # the first failure's message (input, expected, got), or why nothing was graded
    hint: str = ""  # the likely mistake: a reference to its catalog entry ("question:slug"), or ""
    tests: list[TestOutcome] = field(default_factory=list)
    not_written: bool = False  # failed on the release's stub left as it was: not attempted, rather than wrong

    def to_dict(self) -> dict[str, Any]:
        data = {"name": self.name, "points": self.points, "score": self.score, "passed": self.passed,
                "message": self.message, "hint": self.hint, "tests": [t.to_dict() for t in self.tests]}
        if self.not_written:  # written only when set: saved results keep their shape
            data["not_written"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionResult:
        return cls(name=data["name"], points=data.get("points", 0), score=data.get("score", 0),
                   passed=bool(data.get("passed", False)), message=data.get("message", ""),
                   hint=data.get("hint", "") or "", tests=[outcome_from_dict(t) for t in data.get("tests", [])],
                   not_written=data.get("not_written", False) is True)


@dataclass
class Lateness:
    """A submission's ``late`` record (``late.LatePolicy.lateness``): the same numbers in every report.

    Times are ``late.UTC_FORMAT`` text ("" when unknown), as saved."""

    submitted: str = ""  # nbgrader's timestamp.txt
    due: str = ""  # the due date, with the student's extension
    extension: str = ""  # where the extension came from ("gradebook", the extensions file's name), or ""
    seconds_late: float = 0.0
    penalty: float = 0.0  # points taken, clipped to [0, score] as nbgrader does
    final: float = 0.0  # the score after the penalty
    policy: str = ""  # the late policy in words ("" when no due date is known)
    problem: str = ""  # why the submitted time could not be read; saved only when there is one

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"submitted": self.submitted, "due": self.due, "extension": self.extension,
                                "seconds_late": self.seconds_late, "penalty": self.penalty, "final": self.final,
                                "policy": self.policy}
        if self.problem:
            data["problem"] = self.problem
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lateness:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class SubmissionResult:
    """Everything grading found about one submission; ``grading.json`` is its ``to_dict()``.

    Optional fields are None (or "" / False, as noted) where the grader never set them, and are then left out
    of the JSON, as they always were: a notebook that could not be read has no ``sandbox_seconds``, a row
    made by ``grade.error_result`` no ``seconds``, the worker's own result no ``id`` (``grade_one`` adds it)."""

    assignment: str
    notebook: str  # the graded file, as the grader saw it
    status: Status = "graded"  # "error": the notebook could not be graded at all (every question 0)
    error: str = ""  # why, when status is "error" (student-facing)
    notebook_errors: list[CellError] = field(default_factory=list)
    max_score: int = 0
    sandbox_seconds: float | None = None  # starting the sandbox and running the student's cells
    test_seconds: float | None = None  # the hidden tests
    isolation: str | None = None  # what fenced the student's code (``isolation.describe``)
    containment: str | None = None  # set only when processes of the sandbox's user survived it
    grader_error: bool = False  # the grader failed, not the notebook: graded again next time (saved if True)
    questions: list[QuestionResult] = field(default_factory=list)
    score: int = 0
    seconds: float | None = None  # the whole grading of this submission
    id: str = ""  # its output folder's name (``grade.Submission.id``); "" until grade_one sets it
    fingerprint: str = ""  # the notebook's sha256, to reuse a saved result ("" until set)
    grader_key: str = ""  # ``grade.grader_key`` when it was graded ("" until set)
    late: Lateness | None = None  # set by ``grade.apply_lateness``
    # Keys a newer or older grader wrote that this one does not know: kept, so re-saving loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def graded(self) -> bool:
        return self.status == "graded"

    @property
    def final_score(self) -> float:
        """The score after any late penalty."""
        return self.late.final if self.late is not None else self.score

    def question(self, name: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The saved form (``grading.json``): exactly the keys and values the grader has always written."""
        data: dict[str, Any] = {"assignment": self.assignment, "notebook": self.notebook, "status": self.status,
                                "error": self.error, "notebook_errors": [e.to_dict() for e in self.notebook_errors],
                                "max_score": self.max_score}
        for key in ("sandbox_seconds", "test_seconds", "isolation", "containment"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.grader_error:
            data["grader_error"] = True
        data["questions"] = [q.to_dict() for q in self.questions]
        data["score"] = self.score
        if self.seconds is not None:
            data["seconds"] = self.seconds
        for key in ("id", "fingerprint", "grader_key"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.late is not None:
            data["late"] = self.late.to_dict()
        data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SubmissionResult:
        """A result from its saved form; keys missing (older files, hand-made rows) take their defaults."""
        known = {f.name for f in fields(cls)} - {"extra"}
        return cls(assignment=data.get("assignment", ""), notebook=data.get("notebook", ""),
                   status=data.get("status", "graded"), error=data.get("error", "") or "",
                   notebook_errors=[CellError.from_dict(e) for e in data.get("notebook_errors", []) or []],
                   max_score=data.get("max_score", 0), sandbox_seconds=data.get("sandbox_seconds"),
                   test_seconds=data.get("test_seconds"), isolation=data.get("isolation"),
                   containment=data.get("containment"), grader_error=bool(data.get("grader_error", False)),
                   questions=[QuestionResult.from_dict(q) for q in data.get("questions", [])],
                   score=data.get("score", 0), seconds=data.get("seconds"), id=data.get("id", "") or "",
                   fingerprint=data.get("fingerprint", "") or "", grader_key=data.get("grader_key", "") or "",
                   late=Lateness.from_dict(data["late"]) if data.get("late") else None,
                   extra={k: v for k, v in data.items() if k not in known})


def load_result(path: Path) -> SubmissionResult:
    """The result saved in ``path`` (a ``grading.json``): the one place a saved result is read from disk.

    Raises OSError when the file cannot be read, ValueError when it is not a saved result (not JSON, not an
    object with a list of questions, or values of the wrong kind)."""
    data = json.loads(path.read_text(encoding="utf-8"))  # a JSONDecodeError is a ValueError
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ValueError(f"{path} holds no saved grading result")
    try:
        return SubmissionResult.from_dict(data)
    except (KeyError, TypeError, AttributeError) as exc:  # a question without a name, a test that is not an object
        raise ValueError(f"{path} holds no saved grading result this grader can read ({exc!r})") from exc
