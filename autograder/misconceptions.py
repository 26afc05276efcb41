"""Naming the likely misconception behind a failed hidden test (grader side).

While a question is tested, every call to the student's function is logged with its outcome. If a
catalogued mistake of that question behaves exactly like the student's function on the logged calls
(the failing ones included), its misconception is the likely cause. When no mistake matches, nothing is
guessed: the failure message already says what differs. The notebook's ``check`` does the same on the
stored fingerprints (``kitcheck.hints``), without the mistakes' code.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch

from kitcheck.hints import Outcome, precision_only, run_outcome, same_outcome
from kitcheck.transport import StudentError, StudentFunction, driver_path

from .catalog import Mistake, mistakes_for, variants_for

_compiled: dict[tuple[str, str], Callable] = {}

Call = tuple[tuple, dict, "str | None", Outcome]  # args, kwargs, driver, outcome


def size_of(value: Any, _depth: int = 0) -> int:
    """Bytes held by a logged value's tensors (what a log entry costs), roughly."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size() if value.device.type != "meta" else 0
    if _depth < 16 and type(value) in (tuple, list):
        return sum(size_of(v, _depth + 1) for v in value)
    if _depth < 16 and type(value) is dict:
        return sum(size_of(v, _depth + 1) for v in value.values())
    return 64


class CallLog:
    """Wraps a StudentFunction; remembers the first and the last ``keep`` calls with their outcomes, within
    ``max_bytes`` in all (a student returning large tensors must not fill the grader's memory)."""

    def __init__(self, fn: StudentFunction, keep: int = 32, max_bytes: int = 16 * 2**20):
        self.fn, self.keep, self.max_bytes = fn, keep, max_bytes
        self.first: list[Call] = []
        self.last: list[Call] = []
        self._last_costs: list[int] = []  # size_of each of ``last``, counted once
        self.bytes = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._logged(None, args, kwargs)

    def drive(self, driver: Callable | str, *args: Any, **kwargs: Any) -> Any:
        return self._logged(driver_path(driver), args, kwargs)

    def _logged(self, driver: str | None, args: tuple, kwargs: dict) -> Any:
        try:
            value = self.fn.drive(driver, *args, **kwargs) if driver else self.fn(*args, **kwargs)
        except StudentError as exc:
            self._add((args, kwargs, driver, ("raised", exc.type_name)))
            raise
        self._add((args, kwargs, driver, ("returned", value)))
        return value

    def _add(self, call: Call) -> None:
        cost = size_of(call[0]) + size_of(call[1]) + size_of(call[3][1])
        if cost > self.max_bytes // 4:
            return  # too large to keep: the hint is judged on the other calls
        if len(self.first) < self.keep and self.bytes + cost <= self.max_bytes:
            self.first.append(call)
            self.bytes += cost
            return
        self.last.append(call)  # the failing, shrunk calls come last
        self._last_costs.append(cost)
        self.bytes += cost
        while self.last and (len(self.last) > self.keep or self.bytes > self.max_bytes):
            self.last.pop(0)
            self.bytes -= self._last_costs.pop(0)

    @property
    def calls(self) -> list[Call]:
        return self.first + self.last


def compile_entry(question: str, slug: str, code: str) -> Callable:
    """The function (or class) ``question`` defined by a catalog entry's code."""
    key = (question, slug)
    if key not in _compiled:
        namespace: dict[str, Any] = {"torch": torch, "F": torch.nn.functional, "math": math}
        exec(compile(code, f"<catalog {question}:{slug}>", "exec"), namespace)
        _compiled[key] = namespace[question]
    return _compiled[key]


def likely_mistake(question: str, log: CallLog) -> Mistake | None:
    """The first catalogued mistake that behaves like the student on every logged call, if any.

    "Behaves like" is judged within the grading tolerance. No mistake is named when the student's outcomes
    are within a precision difference of a correct implementation's (the catalog's first variant) on every
    call: then the failure is about precision, and the message already shows the gap."""
    calls = log.calls
    if not calls:
        return None
    right = next(iter(variants_for(question)), None)
    if right is not None:
        try:
            correct = compile_entry(right.question, right.slug, right.code)
            if precision_only([outcome for *_, outcome in calls],
                              [run_outcome(correct, args, kwargs, driver) for args, kwargs, driver, _ in calls]):
                return None
        except Exception:  # the comparison is a safeguard; without it the tight match below still applies
            pass
    for mistake in mistakes_for(question):
        try:
            fn = compile_entry(mistake.question, mistake.slug, mistake.code)
            if all(same_outcome(outcome, run_outcome(fn, args, kwargs, driver))
                   for args, kwargs, driver, outcome in calls):
                return mistake
        except Exception:  # a hint is a bonus: a catalog entry that cannot run is simply no match
            continue
    return None
