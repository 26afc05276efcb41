"""The hidden tests' pytest plugin: their markers and fixtures, and their outcomes as per-question results,
with student-facing messages only.

A hidden test names its question once, in ``@question("name")``; the fixtures ``q`` (that name) and ``fn``
(the student's function of that name, reached through the transport) come from the marker.
Messages come from the checks' own exceptions (``CheckFailure``: input, expected, got); pytest's
tracebacks, which would quote the hidden tests' source, are never kept.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pytest

from kitcheck.i18n import say
from kitcheck.transport import StudentError


NOT_RUN = "not run: an earlier test of this question failed"

MARKERS = ("question(name): the graded function this hidden test belongs to",
           "cuda: runs on a CUDA device (skipped with a reason when there is none)")


def pytest_configure(config):
    """Registers the hidden tests' markers (they run with --strict-markers)."""
    for line in MARKERS:
        config.addinivalue_line("markers", line)


@pytest.fixture
def q(request) -> str:
    """The name of the question the test is marked with (``@question(name)``)."""
    marker = request.node.get_closest_marker("question")
    if marker is None:
        raise pytest.UsageError(f"{request.node.nodeid} uses the fixture `q` but has no @question marker")
    return marker.args[0]


@pytest.fixture
def fn(q: str):
    """The student's function of the test's question: call it as ``call(q, fn, **inputs)`` or ``fn(...)``.
    (hypothesis runs every example with the same value: the proxy holds no state.)"""
    from .harness import student

    return student(q)


@dataclass
class TestOutcome:
    nodeid: str
    question: str
    outcome: str  # passed | failed | skipped | not run
    # What the student reads: written in every language the grading is for (``kitcheck.i18n``); reports read
    # it in theirs with ``in_language``.
    message: str = ""
    hint: str = ""  # the likely mistake, as a reference to its catalog entry ("question:slug"), or ""
    not_written: bool = False  # it failed on the release's stub, ``raise NotImplementedError()``, left as it was

    def to_dict(self) -> dict:
        data = asdict(self)
        if not self.not_written:  # written only when set: saved results keep their shape
            del data["not_written"]
        return data


def student_message(exc: BaseException) -> str:
    """What a student may read about a failure (never test source)."""
    if isinstance(exc, AssertionError) and type(exc).__module__.startswith(("kitcheck", "autograder")):
        return str(exc)
    if isinstance(exc, StudentError):
        return say("raised", what=str(exc))
    return say("check_stopped", error=type(exc).__name__)


def stub_left(exc: BaseException) -> bool:
    """Whether a failure is the release's stub still raising (decided where the error was met, never by reading
    its message)."""
    return getattr(exc, "not_written", False) is True


class OutcomeCollector:
    """A pytest plugin object: collects one TestOutcome per hidden test, optionally for some questions only."""

    def __init__(self, questions: set[str] | None = None, only_cuda: bool = False):
        self.questions = questions
        self.only_cuda = only_cuda
        self.outcomes: list[TestOutcome] = []
        self.failed_questions: set[str] = set()

    def pytest_runtest_setup(self, item):
        # A question scores all or nothing: after its first failure, its other tests cannot change the score.
        if item.get_closest_marker("question").args[0] in self.failed_questions:
            pytest.skip(NOT_RUN)

    def pytest_collection_modifyitems(self, session, config, items):
        keep, drop = [], []
        for item in items:
            marker = item.get_closest_marker("question")
            wanted = marker is not None and (self.questions is None or marker.args[0] in self.questions)
            if self.only_cuda and item.get_closest_marker("cuda") is None:
                wanted = False
            (keep if wanted else drop).append(item)
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        question = item.get_closest_marker("question").args[0]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else "skipped"
                reason = reason.removeprefix("Skipped: ")
                self.outcomes.append(TestOutcome(item.nodeid, question, "not run" if reason == NOT_RUN else "skipped",
                                                 reason))
            elif report.failed:
                exc = call.excinfo.value if call.excinfo else None
                self.failed_questions.add(question)
                self.outcomes.append(TestOutcome(item.nodeid, question, "failed", student_message(exc),
                                                 not_written=stub_left(exc)))
            else:
                self.outcomes.append(TestOutcome(item.nodeid, question, "passed"))
            report.longrepr = None if report.failed else report.longrepr  # no source in any report



@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """hypothesis tests run on the examples this worker drew before, when they can (``replay``)."""
    from .replay import run_test

    return True if run_test(pyfuncitem) else None
