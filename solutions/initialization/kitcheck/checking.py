"""``check(name)``: a question's public checks, run now, with a verdict a student can act on."""
from __future__ import annotations

import contextlib
import io
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

from .assignments import find_question
from .compare import CheckFailure
from .hints import likely_misconception, with_hint
from .spec import Question
from .transport import LocalFunction



@dataclass
class CheckResult:
    question: str
    passed: bool
    message: str
    seconds: float

    @property
    def verdict(self) -> str:
        if self.passed:
            return (f"✓ {self.question}: the public checks pass. "
                    "(Hidden tests will also try other shapes, dtypes and devices.)")
        return "✗ " + self.message


def run_public_check(question: Question, fn: Callable, hints: bool = True) -> CheckResult:
    """Run one question's public checks against ``fn`` (a student function wrapper) and explain the outcome.

    With ``hints``, a failure names the catalogued misconception whose stored outputs equal ``fn``'s, if one
    does (``kitcheck.hints``).
    """
    start = time.perf_counter()
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            question.public_check(fn)
    except CheckFailure as failure:
        hint = None
        if hints:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                hint = likely_misconception(question.name, fn)
        message = with_hint(str(failure), hint)
        return CheckResult(question.name, False, message, time.perf_counter() - start)
    except Exception as exc:  # the check could not run at all; say so plainly
        return CheckResult(question.name, False, f"{question.name}: the check could not run "
                           f"({type(exc).__name__}: {exc})", time.perf_counter() - start)
    return CheckResult(question.name, True, "", time.perf_counter() - start)


def check(name: str, namespace: dict[str, Any] | None = None) -> None:
    """Check your function ``name`` right now and print a one-paragraph verdict.

    Looks the function up in your notebook's variables, so run its cell first.
    """
    try:
        _, question = find_question(name)
    except KeyError as exc:
        print(f"✗ {exc.args[0]}")
        return
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    print(run_public_check(question, LocalFunction(name, namespace)).verdict)
