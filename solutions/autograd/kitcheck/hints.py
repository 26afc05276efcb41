"""Naming the likely misconception behind a failed ``check``, from stored fingerprints.

At build time the grader ran each catalogued mistake on a few fixed calls of the question (the calls its
public check makes on a correct implementation) and stored what each mistake returned
(``kitcheck.probes``). When a check fails, the student's function is run on the same calls; a mistake
whose stored outcomes all equal the student's is the likely cause. No mistake's code ships: only
outcomes, as data. When no mistake matches, nothing is guessed.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch

from .transport import NotAllowed, StudentError, call_local, restore

Outcome = tuple[str, Any]  # ("returned", value) or ("raised", exception type name)
SUMMARY_OVER = 256  # a returned tensor with more elements is stored as a summary of itself


def summarize(value: Any) -> Any:
    """``value`` with every large float tensor replaced by its shape, dtype, device and a few statistics, so
    fingerprints stay small (an initialiser returns thousands of numbers; their spread is what differs)."""
    if type(value) is torch.Tensor and value.numel() > SUMMARY_OVER and value.device.type != "meta":
        x = value.detach().to("cpu", torch.float64)
        stats = torch.stack([x.mean(), x.std(), x.min(), x.max(), x.abs().mean()])
        return {"summary of a tensor": [list(value.shape), str(value.dtype), value.device.type, stats]}
    if type(value) in (tuple, list):
        return type(value)(summarize(v) for v in value)
    if type(value) is dict:
        return {k: summarize(v) for k, v in value.items()}
    return value


def run_outcome(fn: Callable, args: tuple, kwargs: dict, driver: str | None) -> Outcome:
    """Call ``fn`` (a plain function or class, in this process) and say what happened."""
    try:
        return "returned", call_local(fn, args, kwargs, driver)
    except StudentError as exc:
        return "raised", exc.type_name


def student_outcome(fn: Any, args: tuple, kwargs: dict, driver: str | None) -> Outcome:
    """The same for a ``StudentFunction`` (the notebook's function, reached through its transport)."""
    try:
        return "returned", summarize(fn.drive(driver, *args, **kwargs) if driver else fn(*args, **kwargs))
    except StudentError as exc:
        return "raised", exc.type_name


# Two outcomes closer than this differ by precision (summation order, float32 vs float64), not by a
# misconception: a failure that is only this is never explained by a catalogued mistake.
PRECISION = {"rtol": 1e-3, "atol": 1e-5}
# A summary's statistics come from float64 arithmetic on the same values; float32 inputs differ at ~1e-7.
SUMMARY_TOLERANCE = {"rtol": 1e-6, "atol": 1e-7}


def same_outcome(a: Outcome, b: Outcome, loose: bool = False) -> bool:
    """Whether two outcomes agree: exactly for errors; within the grading tolerance of their dtype for values
    (``loose``: within ``PRECISION``, i.e. differing at most by a precision difference)."""
    return a[0] == b[0] and (a[1] == b[1] if a[0] == "raised" else _same(a[1], b[1], loose))


def _tolerance(dtype: torch.dtype, loose: bool) -> dict:
    if loose:
        return PRECISION
    from .compare import tolerance  # the grading tolerance: a hint must match as closely as grading judges

    return tolerance(dtype)


def _same(a: Any, b: Any, loose: bool = False, summary: bool = False) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is torch.Tensor:
        if (a.shape, a.dtype, a.device) != (b.shape, b.dtype, b.device):
            return False
        if a.device.type == "meta":
            return True
        if not (a.is_floating_point() or a.is_complex()):
            return bool(torch.equal(a.cpu(), b.cpu()))
        tol = PRECISION if loose else (SUMMARY_TOLERANCE if summary else _tolerance(a.dtype, loose))
        return bool(torch.allclose(a.to("cpu", torch.float64), b.to("cpu", torch.float64), equal_nan=True, **tol))
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(_same(x, y, loose, summary) for x, y in zip(a, b))
    if type(a) is dict:  # a driver's report, e.g. a module's state: compared value by value, like the rest
        inner = summary or set(a) == {"summary of a tensor"}
        return a.keys() == b.keys() and all(_same(a[k], b[k], loose, inner) for k in a)
    if type(a) is NotAllowed:
        return a.description == b.description
    if type(a) is float:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        # a Python number may come from float32 arithmetic (a loss's .item()), which another CPU's kernels round
        # otherwise in the last bits: float32's grading tolerance
        tol = PRECISION if loose else _tolerance(torch.float32, False)
        return math.isclose(a, b, rel_tol=tol["rtol"], abs_tol=tol["atol"])
    return a == b


def precision_only(got: list[Outcome], expected: list[Outcome]) -> bool:
    """Whether ``got`` differs from the right outcomes by precision alone (then no mistake is named)."""
    return len(got) == len(expected) and all(same_outcome(g, e, loose=True) for g, e in zip(got, expected))


def stored_outcome(raw: Any) -> Outcome:
    """An outcome as the probe file holds it (a list ``[kind, value]``), ready to compare."""
    kind, value = raw
    return (kind, restore(value)) if kind == "returned" else (kind, str(value))


def likely_misconception(question: str, fn: Any) -> str | None:
    """The misconception whose stored outcomes equal what ``fn`` does on the question's fingerprint calls."""
    from .probes import fingerprints

    try:
        found = fingerprints(question)
    except Exception:  # no stored data (an old install): a hint is a bonus
        return None
    if not found:
        return None
    calls = found["calls"]
    outcomes = [student_outcome(fn, tuple(args), dict(kwargs), driver) for args, kwargs, driver in calls]
    if "expected" in found and precision_only(outcomes, [stored_outcome(e) for e in found["expected"]]):
        return None  # only a precision difference: the check's message says how large it is
    for mistake in found["mistakes"]:
        if all(same_outcome(got, stored_outcome(raw)) for got, raw in zip(outcomes, mistake["outcomes"])):
            from .i18n import tr

            return tr(mistake["misconception"], mistake.get("misconception_zh") or mistake["misconception"])
    return None


def with_hint(message: str, misconception: Any) -> str:
    """A failure message, plus the likely misconception in one sentence when there is one.

    ``misconception`` is a sentence, or anything with a ``misconception`` attribute (a catalog entry)."""
    if misconception is None:
        return message
    from .i18n import say, tr

    sentence = misconception if isinstance(misconception, str) else \
        tr(misconception.sentence("en"), misconception.sentence("zh"))
    return f"{message}\n  {say('likely_cause')} {sentence}"
