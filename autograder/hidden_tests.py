"""Running an assignment's hidden tests against a student transport, in this process."""
from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

from kitcheck.transport import StudentFunction, Transport

from . import harness
from .assignments import HERE as ASSIGNMENTS_DIR
from .assignments import hidden_test_file
from .misconceptions import CallLog, likely_mistake
from . import pytest_plugin
from .pytest_plugin import OutcomeCollector, TestOutcome


def run_hidden_tests(assignment: str, transport: Transport, *,
                     questions: set[str] | None = None, only_cuda: bool = False) -> list[TestOutcome]:
    """Run the hidden tests (public checks included) with ``transport`` reaching the student's functions.

    The first failure of each question gets the likely misconception, judged on all logged calls.
    """
    logs: dict[str, CallLog] = {}

    def logged(name: str, args: tuple, kwargs: dict, driver: str | None = None) -> Any:
        if name not in logs:
            logs[name] = CallLog(StudentFunction(name, transport))
        return logs[name].drive(driver, *args, **kwargs) if driver else logs[name](*args, **kwargs)

    harness.set_transport(logged)
    collector = OutcomeCollector(questions, only_cuda)
    # No log capture: nothing reads it, and it costs about 10% of a submission's test time.
    args = [str(hidden_test_file(assignment)), "-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception",
            "-p", "no:logging", "--no-header",
            "-c", str(ASSIGNMENTS_DIR / "pytest.ini"), "--rootdir", str(ASSIGNMENTS_DIR.parent.parent),
            "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = pytest.main(args, plugins=[pytest_plugin, collector])
    finally:
        harness.set_transport(None)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and not collector.outcomes:
        raise RuntimeError(f"the hidden tests of {assignment!r} could not run (pytest exit {int(code)}):\n"
                           + sink.getvalue()[-3000:])
    for name, log in logs.items():
        failed = [o for o in collector.outcomes if o.question == name and o.outcome == "failed"]
        mistake = likely_mistake(name, log) if failed else None
        if mistake is not None:  # a reference, rendered in each report's language (report.split_hint)
            failed[0].hint = mistake.key
    return collector.outcomes
