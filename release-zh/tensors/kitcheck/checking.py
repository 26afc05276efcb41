"""What a student runs in the notebook: ``check(name)`` (a question's public checks, each call of the student's
function under a time limit), ``check_all()`` (every question in a table, with its points) and ``with
needs(name):`` (a demo cell that says which exercise to finish instead of stopping Run All). A failing check
raises under nbgrader's Validate, so that validation reports it; in the student's own Run All it only prints.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .assignments import ASSIGNMENTS, find_question
from .compare import CheckFailure, show
from .forbidden import broken_rule
from .hints import likely_misconception, with_hint
from .i18n import say
from .spec import Assignment, Question
from .timelimit import Budget, CallTimedOut
from .transport import StudentFunction, local_transport

# Seconds each call of your function may take inside check(): check("name", timeout=30) for one check,
# or kitcheck.checking.TIMEOUT = 30 for all. A whole check may take WHOLE_CHECK times as long.
TIMEOUT = float(os.environ.get("KITCHECK_TIMEOUT", "5"))
WHOLE_CHECK = 4


@dataclass
class CheckResult:
    question: str
    passed: bool
    message: str
    seconds: float
    summary: str = ""  # the failure in a few words, for check_all's table
    not_written: bool = False  # it failed on the release's stub, left as it was

    @property
    def verdict(self) -> str:
        if self.passed:
            return say("passed", name=self.question)
        return "✗ " + self.message


_meta_ready = False


def warm_meta_device() -> None:
    """Pay, outside any time limit, for torch's first operation on the meta device: it imports torch's
    compiler stack (seconds in a fresh kernel), which would otherwise count against the student's call."""
    global _meta_ready
    if _meta_ready:
        return
    _meta_ready = True
    try:
        import torch

        x = torch.empty(2, 2, device="meta")
        torch.diag(torch.cat([x, x]).sum(0))
    except Exception:  # noqa: BLE001 - only a warm-up
        pass


def run_public_check(question: Question, fn: Callable, hints: bool = True,
                     sources: Sequence[str] = (), others: Sequence[str] = ()) -> CheckResult:
    """Run one question's public checks against ``fn`` (a student function wrapper) and explain the outcome;
    with ``hints``, name the catalogued misconception whose stored outputs equal ``fn``'s (``kitcheck.hints``).
    ``sources``: the code the student ran, read for the functions the exercise asks not to call (``others``: the
    other exercises' names), as the grader reads the notebook."""
    start = time.perf_counter()
    broken = broken_rule(sources, question, others) if sources else ""
    if broken:
        return CheckResult(question.name, False, broken, time.perf_counter() - start, say("forbidden_short"))
    warm_meta_device()
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            question.public_check(fn)
    except CheckFailure as failure:
        hint = None
        if hints:
            try:
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                    hint = likely_misconception(question.name, fn)
            except (CallTimedOut, Exception):  # noqa: BLE001 - a hint is a bonus; the failure stands
                hint = None
        message = with_hint(str(failure), hint)
        return CheckResult(question.name, False, message, time.perf_counter() - start,
                           failure.summary or _summary(failure.problem), not_written=failure.not_written)
    except CallTimedOut as exc:
        return CheckResult(question.name, False, timeout_message(question.name, exc), time.perf_counter() - start,
                           say("did_not_finish") if exc.whole_check else say("did_not_finish_within", seconds=exc.seconds))
    except Exception as exc:  # the check could not run at all; say so plainly
        return CheckResult(question.name, False, say("could_not_run", name=question.name,
                                                     error=f"{type(exc).__name__}: {exc}"),
                           time.perf_counter() - start, say("cannot_run_short"))
    return CheckResult(question.name, True, "", time.perf_counter() - start)


def ran(namespace: dict[str, Any]) -> list[str]:
    """The code the student ran in this notebook, oldest first: IPython's input history (``In``), where there is
    one (Jupyter, IPython); nothing elsewhere."""
    history = namespace.get("In")
    return [s for s in history if isinstance(s, str)] if isinstance(history, list) else []


def timeout_message(name: str, exc: CallTimedOut) -> str:
    """What a student reads when a call of their function ran out of time."""
    if exc.whole_check:
        lines = [say("too_slow_total", name=name, seconds=exc.seconds)]
    else:
        lines = [say("too_slow_call", name=name, seconds=exc.seconds)]
    if exc.inputs:
        lines.append(f"  {say('input')} " + ", ".join(f"{k} = {show(v, layout=True)}" for k, v in exc.inputs.items()))
    lines.append("  " + say("endless_loop"))
    if exc.still_running:
        lines.append("  " + say("still_running"))
    lines.append("  " + say("more_time", name=name))
    return "\n".join(lines)


def _summary(problem: str) -> str:
    """A failure in a few words, for a table: its first line, cut."""
    text = problem.split("\n")[0]
    return text if len(text) <= 72 else text[:69] + "..."


def student_function(name: str, namespace: dict, timeout: float | None = None) -> StudentFunction:
    """The notebook's ``name``, called in this kernel, each call limited to ``timeout`` seconds (default
    ``TIMEOUT``; None or 0: no limit) and the whole check to ``WHOLE_CHECK`` times that."""
    seconds = TIMEOUT if timeout is None else timeout
    budget, transport = Budget(seconds or None, seconds * WHOLE_CHECK if seconds else None), local_transport(namespace)
    return StudentFunction(name, lambda *call: budget.call(lambda: transport(*call)))


def validating() -> bool:
    """Under ``nbgrader validate`` and JupyterLab's Validate button (``nbgrader.validator`` sets these)."""
    return os.environ.get("NBGRADER_VALIDATING") == "1" or os.environ.get("NBGRADER_EXECUTION") == "validate"


def grading_sandbox() -> bool:
    """In the kit's grading sandbox (its cells run before the hidden tests, which include the public checks)."""
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    return "kitcheck.sandbox_child" in sys.modules or getattr(main, "name", "") == "kitcheck.sandbox_child"


# ------------------------------------------------------------------------------------ check
def check(name: str, namespace: dict[str, Any] | None = None, timeout: float | None = None) -> None:
    """Check your function ``name`` right now and print a one-paragraph verdict.

    Looks the function up in your notebook's variables, so run its cell first. Each call of your function
    may take ``timeout`` seconds (default: ``kitcheck.checking.TIMEOUT``, 5 s). Under nbgrader's Validate, a
    failure raises AssertionError with the same text, so that validation reports it.
    """
    try:
        assignment, question = find_question(name)
    except KeyError as exc:
        question, verdict, failed = None, f"✗ {exc.args[0]}", True
    if question is not None:
        namespace = sys._getframe(1).f_globals if namespace is None else namespace
        result = run_public_check(question, student_function(name, namespace, timeout), sources=ran(namespace),
                                  others=[q.name for q in assignment.questions])
        verdict, failed = result.verdict, not result.passed
    # Under nbgrader's Validate, a failing check fails validation, with its message:
    if failed and validating():
        raise AssertionError(for_validation(verdict))
    print(verdict)


def for_validation(verdict: str, width: int = 80) -> str:
    """The verdict on lines of at most ``width`` characters, starting on a line of its own: nbgrader's
    validation report cuts longer lines."""
    import textwrap

    lines = []
    for line in verdict.splitlines():
        indent = " " * (len(line) - len(line.lstrip()))
        lines += textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_long_words=True) or [""]
    return "\n" + "\n".join(lines)


# ------------------------------------------------------------------------------------ check_all
def check_all(namespace: dict[str, Any] | None = None, timeout: float | None = None,
              assignment: str | None = None) -> None:
    """Run the public checks of every exercise of this notebook and print a table: ✓ or ✗, and points.

    Never raises (the ``check`` cells are what nbgrader's Validate reports)."""
    if grading_sandbox():
        return
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    found = ASSIGNMENTS.get(assignment) if assignment else notebook_assignment(namespace)
    if found is None:
        print(say("none_defined"))
        return
    sources, names = ran(namespace), [q.name for q in found.questions]
    results = [run_public_check(q, student_function(q.name, namespace, timeout), sources=sources, others=names)
               for q in found.questions]
    table = Table(format_table(found, results))
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if getattr(shell, "kernel", None) is not None:  # in Jupyter: displayed, as a result, not printed
        from IPython.display import display

        display(table)
    else:
        print(table)


class Table(str):
    """Text that Jupyter displays as it is (not as a quoted string)."""

    __repr__ = str.__str__


def notebook_assignment(namespace: dict[str, Any]) -> Assignment | None:
    """The assignment whose exercises ``namespace`` defines (names are unique across the course)."""
    counts = [(sum(q.name in namespace for q in a.questions), a) for a in ASSIGNMENTS.values()]
    best = max((c for c, _ in counts), default=0)
    if best:
        return next(a for c, a in counts if c == best)
    return next(iter(ASSIGNMENTS.values())) if len(ASSIGNMENTS) == 1 else None


def format_table(assignment: Assignment, results: list[CheckResult],
                 footer: str | None = None) -> str:
    """Where a student stands: every question, ✓ or ✗ (and why, in a few words), and its points."""
    by_name = {r.question: r for r in results}
    width = max(len(q.name) for q in assignment.questions) + 2
    from .i18n import ljust, tr

    lines = [say("table_title", title=tr(assignment.title, assignment.title_in("zh"))), "",
             say("table_header", exercise=ljust(say("exercise_col"), width))]
    passed_points = passed = 0
    for k, q in enumerate(assignment.questions, 1):
        r = by_name.get(q.name)
        if r is None:
            mark = say("not_checked")
        elif r.passed:
            mark = "✓"
            passed += 1
            passed_points += q.points
        else:
            mark = f"✗  {r.summary or say('fails')}"
        lines.append(f"{k:>3}  {q.name.ljust(width)}{q.points:>6}  {mark}")
    lines += ["", say("table_total", passed=passed, total=len(assignment.questions), points=passed_points,
                      max_points=assignment.total_points)]
    footer = say("table_footer") if footer is None else footer
    if footer and passed < len(assignment.questions):
        lines.append(footer)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ needs
class needs:  # noqa: N801 - used as `with needs("name"):`, like a function
    """``with needs("sse_surface"):`` around a cell that uses exercises.

    While an exercise it uses is not written yet (its ``raise NotImplementedError()`` is still there) or
    its cell has not been run, the cell prints one line saying which exercise to finish, instead of a
    traceback that would stop Run All; figures it had begun are dropped. Any other error is shown as usual.
    """

    def __init__(self, *names: str):
        self.names = names
        self._figures: set[int] = set()
        self._namespace: dict[str, Any] = sys._getframe(1).f_globals

    def __enter__(self) -> "needs":
        plt = sys.modules.get("matplotlib.pyplot")
        self._figures = set(plt.get_fignums()) if plt is not None else set()
        return self

    def __exit__(self, etype, exc, tb) -> bool:
        missing = None if exc is None else _missing_exercise(exc, tb)
        if missing is None:
            return False
        name, why = missing
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            for number in set(plt.get_fignums()) - self._figures:
                plt.close(number)  # a figure the cell had begun
        others = [n for n in self.names if n != name and unfinished(self._namespace.get(n))]
        if others and why == say("waits_not_written"):  # name every exercise the cell still waits for
            listed = [_exercise(n) for n in dict.fromkeys((*self.names, name)) if n == name or n in others]
            print(say("skipped_many", names=say("list_sep").join(listed[:-1]) + say("and") + listed[-1]))
        else:
            print(say("skipped_one", name=_exercise(name), why=why))
        return True


def unfinished(obj: Any) -> bool:
    """Whether ``obj`` (a function, or a class's methods) still has the release's ``raise NotImplementedError()``
    on every path: the name is used and no ``return`` is reachable (only the stub looks like that)."""
    if isinstance(obj, type):
        return any(unfinished(v) for k, v in vars(obj).items() if callable(v) and not k.startswith("__class"))
    code = getattr(obj, "__code__", None)
    if code is None or "NotImplementedError" not in code.co_names:
        return False
    import dis

    return not any(i.opname.startswith("RETURN") for i in dis.get_instructions(code))


def _missing_exercise(exc: BaseException, tb) -> tuple[str, str] | None:
    """``(exercise, why)`` when ``exc`` comes from an exercise that is not written or not defined yet."""
    exercises = {q.name for a in ASSIGNMENTS.values() for q in a.questions}
    if isinstance(exc, NotImplementedError):
        frame = None
        while tb is not None:
            frame, tb = tb.tb_frame, tb.tb_next
        owner = getattr(frame.f_code, "co_qualname", frame.f_code.co_name).split(".")[0] if frame else ""
        if owner in exercises:
            return owner, say("waits_not_written")
        return None
    name = getattr(exc, "name", None) if isinstance(exc, NameError) else None
    if name is not None and name in exercises:
        return name, say("waits_not_defined")
    return None


def _exercise(name: str) -> str:
    try:
        assignment, question = find_question(name)
    except KeyError:
        return f"`{name}`"
    return say("exercise_n", n=assignment.questions.index(question) + 1, name=name)
