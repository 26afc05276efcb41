"""The misconception catalog: for each graded function, wrong implementations students really write
(each naming its misconception in one sentence) and correct ones written differently from the solution.

It serves three purposes: sample submissions, the kill matrix (``python -m autograder mutants``: every
mistake must lose its question and only it; every correct variant must score full marks) and hints
(``autograder.misconceptions`` in the grader; in the notebook, ``kitcheck.hints`` compares the student's
outputs with the mistakes' outputs stored at build time). The catalog is code that answers the
questions (a variant is a full solution, a mistake is one line away from one), so it lives with the
grader, per assignment, in ``autograder/assignments/<a>/catalog.py``, and never ships.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import import_module


@dataclass(frozen=True)
class Mistake:
    """A wrong implementation of ``question`` and the misconception behind it (one sentence)."""

    question: str
    slug: str
    misconception: str
    code: str
    misconception_zh: str = ""  # the same sentence in Chinese (from the catalog's ZH table)
    # A numerical mistake (an unstable algorithm: right in exact arithmetic, wrong in floating point). It must
    # lose its points, but its outputs differ from a right answer's by what looks like rounding on ordinary
    # inputs, so a hint never names it (the feedback shows the size of the gap instead).
    numerical: bool = False

    @property
    def key(self) -> str:
        return f"{self.question}:{self.slug}"

    def sentence(self, lang: str = "en") -> str:
        """The misconception in ``lang`` (English when no translation is recorded)."""
        return self.misconception_zh if lang == "zh" and self.misconception_zh else self.misconception


@dataclass(frozen=True)
class Variant:
    """A correct implementation of ``question`` written differently from the solution."""

    question: str
    slug: str
    how: str
    code: str


def _module(assignment: str):
    try:
        return import_module(f"autograder.assignments.{assignment}.catalog")
    except ModuleNotFoundError:
        return None


def catalog(assignment: str) -> list[Mistake]:
    """The catalogued mistakes of an assignment (empty when it has none yet), with their Chinese sentences
    from the catalog module's ``ZH = {"question:slug": "……"}``."""
    module = _module(assignment)
    if not module:
        return []
    zh = getattr(module, "ZH", {})
    return [replace(m, misconception_zh=zh.get(m.key, m.misconception_zh)) for m in module.MISTAKES]


def variants(assignment: str) -> list[Variant]:
    """The catalogued correct variants of an assignment."""
    module = _module(assignment)
    return list(getattr(module, "VARIANTS", [])) if module else []


def mistakes_for(question: str) -> list[Mistake]:
    """Every catalogued mistake of one question, across the course."""
    from kitcheck.assignments import find_question

    assignment, _ = find_question(question)
    return [m for m in catalog(assignment.name) if m.question == question]


def find_mistake(key: str) -> Mistake | None:
    """The catalogued mistake ``"question:slug"`` (None when there is no such entry, e.g. after an edit)."""
    question, _, slug = key.partition(":")
    try:
        return next((m for m in mistakes_for(question) if m.slug == slug), None)
    except KeyError:
        return None


def variants_for(question: str) -> list[Variant]:
    """Every catalogued correct variant of one question."""
    from kitcheck.assignments import find_question

    assignment, _ = find_question(question)
    return [v for v in variants(assignment.name) if v.question == question]


def edited(question: str, slug: str, misconception: str, *edits: tuple[str, str], base: str | dict[str, str],
           **fields) -> Mistake:
    """A mistake made from a solution by replacing each ``old`` text (found exactly once) with ``new``, in order.

    ``base`` is the solution's code, or a mapping from questions to it (a catalog binds its ``SOLUTIONS`` with
    ``functools.partial(edited, base=SOLUTIONS)``; one call may still pass ``base=`` some other code). ``fields``
    go to ``Mistake`` (e.g. ``numerical=True``)."""
    code = base if isinstance(base, str) else base[question]
    for old, new in edits:
        assert code.count(old) == 1, f"{question}/{slug}: {old!r} occurs {code.count(old)} times"
        code = code.replace(old, new)
    return Mistake(question, slug, misconception, code, **fields)
