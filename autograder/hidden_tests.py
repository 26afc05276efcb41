"""Running an assignment's hidden tests against a student transport, in this process.

pytest collects the hidden tests once per process (``collected``); each submission then runs the collected
tests directly, with the outcomes pytest's runner would report (``_run_collected``). pytest's own run of a
session costs about 3 ms a test (reports, hooks, fixtures), 10% of a submission's hidden tests, for what the
hidden tests need of it: their parameters, the fixtures ``q`` and ``fn``, and the ``skipif`` and ``question``
marks. A test file that needs more of pytest (another fixture, another mark) runs under pytest, as before.
"""
from __future__ import annotations

import contextlib
import io
import random
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy
import pytest
import torch

from kitcheck import strategies
from kitcheck.transport import StudentFunction, Transport

from . import harness
from .assignments import HERE as ASSIGNMENTS_DIR
from .assignments import hidden_test_file
from .misconceptions import CallLog, likely_mistake
from . import pytest_plugin, replay, stored_examples
from .pytest_plugin import NOT_RUN, OutcomeCollector, TestOutcome, stub_left, student_message

# Plugins are named, not found: scanning every installed package's entry points (and importing xdist, timeout)
# was 0.28 s of each worker's start; the hidden tests need hypothesis's plugin and the kit's own.
PYTEST_ARGS = ("-q", "--disable-plugin-autoload", "-p", "_hypothesis_pytestplugin",
               "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:logging", "--no-header",
               "-c", str(ASSIGNMENTS_DIR / "pytest.ini"), "--rootdir", str(ASSIGNMENTS_DIR.parent.parent),
               "-W", "ignore::pytest.PytestAssertRewriteWarning")


@dataclass(frozen=True)
class CollectedTest:
    """A hidden test as pytest collected it: what running it takes, and nothing of pytest's session."""
    nodeid: str
    question: str
    function: Callable
    arguments: tuple[str, ...]  # the test function's parameters
    params: dict[str, Any]  # its parametrize values
    skip: str | None  # the reason of a skipif mark whose condition holds
    cuda: bool


class _Collect:
    def __init__(self):
        self.items: list = []

    def pytest_collection_finish(self, session):
        self.items = list(session.items)


def _collected_test(item: Any) -> CollectedTest | None:
    """The test ``item`` as a CollectedTest; None when running it needs more of pytest than this module gives."""
    params = dict(getattr(getattr(item, "callspec", None), "params", {}))
    marker = item.get_closest_marker("question")
    arguments = tuple(item._fixtureinfo.argnames)
    if marker is None or any(name not in params and name not in ("q", "fn") for name in arguments):
        return None
    skip = None
    for mark in item.iter_markers():
        if mark.name in ("question", "cuda", "parametrize", "hypothesis"):
            continue
        if mark.name != "skipif" or len(mark.args) != 1 or not isinstance(mark.args[0], bool):
            return None  # skip, xfail, a condition given as a string, a mark this runner does not know
        if mark.args[0] and skip is None:
            skip = mark.kwargs.get("reason", "")
    return CollectedTest(item.nodeid, marker.args[0], item.obj, arguments, params, skip,
                         item.get_closest_marker("cuda") is not None)


@lru_cache(maxsize=None)
def collected(assignment: str) -> tuple[CollectedTest, ...] | None:
    """The assignment's hidden tests, collected by pytest once per process; None when any of them needs pytest's
    runner (see ``_collected_test``)."""
    collect = _Collect()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = pytest.main([str(hidden_test_file(assignment)), "--collect-only", *PYTEST_ARGS],
                           plugins=[pytest_plugin, collect])
    if code != pytest.ExitCode.OK or not collect.items:
        return None
    tests = [_collected_test(item) for item in collect.items]
    return None if any(t is None for t in tests) else tuple(t for t in tests if t is not None)


def _run_collected(tests: tuple[CollectedTest, ...], questions: set[str] | None,
                   only_cuda: bool) -> list[TestOutcome]:
    """Run ``tests`` in order; the outcomes pytest's runner gives with ``OutcomeCollector``."""
    outcomes: list[TestOutcome] = []
    failed: set[str] = set()
    for test in tests:
        if (questions is not None and test.question not in questions) or (only_cuda and not test.cuda):
            continue  # deselected
        if test.skip is not None:  # pytest's skipif runs before the collector's "not run"
            outcomes.append(TestOutcome(test.nodeid, test.question, "skipped", test.skip))
            continue
        if test.question in failed:  # a question scores all or nothing: its other tests cannot change it
            outcomes.append(TestOutcome(test.nodeid, test.question, "not run", NOT_RUN))
            continue
        values = {"q": test.question, "fn": harness.student(test.question)}
        arguments = {name: test.params[name] if name in test.params else values[name] for name in test.arguments}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # as under pytest, a warning never decides a test
                if not replay.run(test.nodeid, test.function, arguments):
                    test.function(**arguments)
        except pytest.skip.Exception as skipped:
            outcomes.append(TestOutcome(test.nodeid, test.question, "skipped", skipped.msg or "skipped"))
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except BaseException as exc:  # noqa: BLE001 - as pytest's runner: anything else fails the test
            failed.add(test.question)
            outcomes.append(TestOutcome(test.nodeid, test.question, "failed", student_message(exc),
                                        not_written=stub_left(exc)))
        else:
            outcomes.append(TestOutcome(test.nodeid, test.question, "passed"))
    return outcomes


def _public_check_test(test: Callable) -> None:
    """Run a public check's @given test, replaying its examples where this worker drew them before."""
    if not replay.run(f"public::{test.__module__}::{test.__qualname__}", test, {}):
        test()


# The global generators' state every submission's hidden tests start from.
RANDOM_SEED = 0


def fresh_random_state() -> None:
    """Seed the global generators (torch's CPU one, ``random``, numpy's) as for every submission: what a test or
    reference draws from them never depends on the submissions a worker graded before."""
    torch.manual_seed(RANDOM_SEED)
    random.seed(RANDOM_SEED)
    numpy.random.seed(RANDOM_SEED)


def run_hidden_tests(assignment: str, transport: Transport, *, questions: set[str] | None = None,
                     only_cuda: bool = False, runner: str = "collected") -> list[TestOutcome]:
    """Run the hidden tests (public checks included) with ``transport`` reaching the student's functions.

    ``runner``: "collected" (tests collected once per process, see the module's docstring) or "pytest"
    (pytest's own runner, for every submission; the tests compare the two).

    The first failure of each question gets the likely misconception, judged on all logged calls.
    """
    logs: dict[str, CallLog] = {}

    def logged(name: str, args: tuple, kwargs: dict, driver: str | None = None) -> Any:
        if name not in logs:
            logs[name] = CallLog(StudentFunction(name, transport))
        return logs[name].drive(driver, *args, **kwargs) if driver else logs[name](*args, **kwargs)

    harness.set_transport(logged)
    strategies.set_public_runner(_public_check_test)
    stored_examples.use(assignment)  # the examples drawn at build time, where they are current
    fresh_random_state()
    tests = collected(assignment) if runner == "collected" else None
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            if tests is not None:
                outcomes = _run_collected(tests, questions, only_cuda)
            else:
                outcomes = _run_pytest(assignment, questions, only_cuda, sink)
    finally:
        harness.set_transport(None)
        strategies.set_public_runner(None)
    for name, log in logs.items():
        failed = [o for o in outcomes if o.question == name and o.outcome == "failed"]
        mistake = likely_mistake(name, log) if failed else None
        if mistake is not None:  # a reference, rendered in each report's language (report.split_hint)
            failed[0].hint = mistake.key
    return outcomes


def _run_pytest(assignment: str, questions: set[str] | None, only_cuda: bool, sink: io.StringIO) -> list[TestOutcome]:
    """The hidden tests run by pytest's own runner (collected again for every submission)."""
    collector = OutcomeCollector(questions, only_cuda)
    # No log capture: nothing reads it, and it costs about 10% of a submission's test time.
    code = pytest.main([str(hidden_test_file(assignment)), *PYTEST_ARGS], plugins=[pytest_plugin, collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and not collector.outcomes:
        raise RuntimeError(f"the hidden tests of {assignment!r} could not run (pytest exit {int(code)}):\n"
                           + sink.getvalue()[-3000:])
    return collector.outcomes
