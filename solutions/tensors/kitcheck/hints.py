"""Naming the likely misconception behind a failure.

While a question is checked, every call to the student's function is logged with its outcome. If a
catalogued mistake of that question behaves exactly like the student's function on the logged calls
(the failing ones included), its misconception is the likely cause. When no mistake matches, nothing is
guessed: the failure message already says what differs.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch

from .catalog import Mistake, mistakes_for
from .transport import NotAllowed, StudentError, StudentFunction, call_local, driver_path

Outcome = tuple[str, Any]  # ("returned", value) or ("raised", exception type name)
_compiled: dict[tuple[str, str], Callable] = {}


Call = tuple[tuple, dict, "str | None", Outcome]  # args, kwargs, driver, outcome


class CallLog:
    """Wraps a StudentFunction; remembers the first and the last ``keep`` calls with their outcomes."""

    def __init__(self, fn: StudentFunction, keep: int = 32):
        self.fn, self.keep = fn, keep
        self.first: list[Call] = []
        self.last: list[Call] = []

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
        if len(self.first) < self.keep:
            self.first.append(call)
        else:  # the failing, shrunk calls come last
            self.last = (self.last + [call])[-self.keep:]

    @property
    def calls(self) -> list[Call]:
        return self.first + self.last


def _mistake_function(m: Mistake) -> Callable:
    key = (m.question, m.slug)
    if key not in _compiled:
        namespace = {"torch": torch, "F": torch.nn.functional, "math": math}
        exec(compile(m.code, f"<catalog {m.question}:{m.slug}>", "exec"), namespace)
        _compiled[key] = namespace[m.question]
    return _compiled[key]


def _run(fn: Callable, args: tuple, kwargs: dict, driver: str | None) -> Outcome:
    try:
        return "returned", call_local(fn, args, kwargs, driver)
    except StudentError as exc:
        return "raised", exc.type_name


def same_outcome(a: Outcome, b: Outcome) -> bool:
    return a[0] == b[0] and (a[1] == b[1] if a[0] == "raised" else _same(a[1], b[1]))


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is torch.Tensor:
        if (a.shape, a.dtype, a.device) != (b.shape, b.dtype, b.device):
            return False
        if a.device.type == "meta":
            return True
        return bool(torch.allclose(a.to("cpu", torch.float64), b.to("cpu", torch.float64),
                                   rtol=1e-5, atol=1e-6, equal_nan=True))
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) is dict:  # a driver's report, e.g. a module's state: compared value by value, like the rest
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if type(a) is NotAllowed:
        return a.description == b.description
    if type(a) is float and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def likely_mistake(question: str, log: CallLog) -> Mistake | None:
    """The first catalogued mistake that behaves like the student on every logged call, if any."""
    calls = log.calls
    if not calls:
        return None
    for mistake in mistakes_for(question):
        try:
            fn = _mistake_function(mistake)
            if all(same_outcome(outcome, _run(fn, args, kwargs, driver)) for args, kwargs, driver, outcome in calls):
                return mistake
        except Exception:  # a hint is a bonus: a catalog entry that cannot run is simply no match
            continue
    return None


def with_hint(message: str, mistake: Mistake | None) -> str:
    """A failure message, plus the likely misconception in one sentence when there is one."""
    return message if mistake is None else f"{message}\n  likely cause: {mistake.misconception}"
