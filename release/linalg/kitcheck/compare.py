"""Comparisons that explain themselves: every failure names the input, expected vs got, dtype and device."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import torch

from .transport import NotAllowed, StudentError

MAX_SHOWN_ELEMENTS = 24


class CheckFailure(AssertionError):
    """A check failed. ``str()`` is the whole student-facing explanation."""

    def __init__(self, question: str, problem: str, inputs: Mapping[str, Any] | None = None,
                 expected: Any = None, got: Any = None, detail: str = ""):
        self.question, self.problem, self.detail = question, problem, detail
        self.inputs = dict(inputs or {})
        self.expected, self.got = expected, got
        lines = [f"{question}: {problem}"]
        if self.inputs:
            lines.append("  input:    " + ", ".join(f"{k} = {show(v)}" for k, v in self.inputs.items()))
        if expected is not None or got is not None:
            lines.append(f"  expected: {show(expected)}")
            lines.append(f"  got:      {show(got)}")
        if detail:
            lines.append("  " + detail)
        super().__init__("\n".join(lines))


def show(value: Any) -> str:
    """A short, readable rendering of a value for feedback."""
    if isinstance(value, torch.Tensor) and type(value) is torch.Tensor:
        where = f"{value.dtype}, {value.device.type}"
        if value.device.type == "meta":
            return f"tensor of shape {tuple(value.shape)} ({where})"
        if value.numel() <= MAX_SHOWN_ELEMENTS:
            return f"tensor({_short(value.detach().cpu().tolist())}) ({where})"
        return f"tensor of shape {tuple(value.shape)} ({where})"
    if isinstance(value, tuple) and type(value) is tuple and len(value) <= 8:
        return "(" + ", ".join(show(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, NotAllowed):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _short(x: Any) -> str:
    """Nested lists with floats at 6 significant digits."""
    if isinstance(x, list):
        return "[" + ", ".join(_short(v) for v in x) + "]"
    return f"{x:.6g}" if isinstance(x, float) else repr(x)


def call(question: str, fn: Callable, **inputs: Any) -> Any:
    """Call the student's function with ``inputs`` (positionally); an error it raises becomes a CheckFailure."""
    try:
        return fn(*inputs.values())
    except StudentError as exc:
        raise CheckFailure(question, f"your function raised {exc}", inputs) from None


def drive(question: str, fn: Any, driver: Callable, shown: Mapping[str, Any], *args: Any, **kwargs: Any) -> Any:
    """``fn.drive(driver, *args, **kwargs)`` (see ``kitcheck.drivers``); an error raised by the student's code
    becomes a CheckFailure that shows ``shown``: the inputs as the student would write them."""
    try:
        return fn.drive(driver, *args, **kwargs)
    except StudentError as exc:
        raise CheckFailure(question, f"your code raised {exc}", shown) from None


def drive_with(question: str, fn: Any, driver: Callable, inputs: Mapping[str, Any], *extra: Any,
               **kwargs: Any) -> Any:
    """``drive`` with ``inputs``' values as the driver's first arguments (and ``inputs`` shown on failure)."""
    return drive(question, fn, driver, inputs, *inputs.values(), *extra, **kwargs)


def tolerance(dtype: torch.dtype, reduction: bool = False) -> dict:
    """rtol/atol against a float64 reference; reductions in float32 accumulate rounding error."""
    if dtype == torch.float64:
        return {"rtol": 1e-9, "atol": 1e-9}
    return {"rtol": 1e-4, "atol": 1e-4} if reduction else {"rtol": 1.3e-6 * 4, "atol": 1e-5}


def expect_tensor(question: str, got: Any, expected: torch.Tensor, inputs: Mapping[str, Any], *,
                  dtype: torch.dtype | None = None, device: torch.device | str | None = None,
                  rtol: float | None = None, atol: float | None = None, what: str = "the result") -> None:
    """Check a returned tensor: its type, shape, dtype, device, then its values against ``expected``.

    ``expected`` is usually computed in float64; ``dtype``/``device`` are what the student's tensor must have.
    """
    if type(got) is not torch.Tensor:
        raise CheckFailure(question, f"{what} should be a torch.Tensor, but it is {_kind(got)}", inputs, expected, got)
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailure(question, f"{what} has the wrong shape: expected {tuple(expected.shape)}, "
                           f"got {tuple(got.shape)}", inputs, expected, got)
    if dtype is not None and got.dtype != dtype:
        hint = " (keep the input's dtype; don't hard-code one)" if dtype.is_floating_point else ""
        raise CheckFailure(question, f"{what} has dtype {got.dtype}, expected {dtype}{hint}", inputs)
    if device is not None and got.device != torch.device(device):
        raise CheckFailure(question, f"{what} is on device '{got.device}', but the input was on '{torch.device(device)}' "
                           "(create new tensors with device=x.device, or use torch.*_like)", inputs)
    if got.device.type == "meta":
        return  # meta tensors have shapes and devices but no values
    tol = {"rtol": rtol, "atol": atol} if rtol is not None else tolerance(got.dtype)
    a = got.detach().to("cpu", torch.float64)
    b = expected.detach().to("cpu", torch.float64)
    try:
        torch.testing.assert_close(a, b, check_dtype=False, equal_nan=True, **tol)
    except AssertionError:
        raise CheckFailure(question, f"{what} has wrong values", inputs, expected, got, _worst(a, b)) from None


def expect_tensors(question: str, got: Any, expected: Mapping[str, torch.Tensor], inputs: Mapping[str, Any], *,
                   dtypes: Mapping[str, torch.dtype] | None = None, device: torch.device | str | None = None,
                   **tol: float) -> None:
    """Check a returned tuple of tensors, e.g. ``(var, mean)``, in order.

    Each must have the dtype in ``dtypes`` (default: its expected tensor's dtype)."""
    names = tuple(expected)
    if type(got) not in (tuple, list) or len(got) != len(names):
        raise CheckFailure(question, f"should return a tuple ({', '.join(names)}), but it returned {show(got)}", inputs)
    for g, (name, e) in zip(got, expected.items()):
        expect_tensor(question, g, e, inputs, dtype=(dtypes or {}).get(name, e.dtype), device=device, what=f"`{name}`", **tol)


def expect_device_agnostic(q: str, fn: Callable, reference: Callable, **inputs: Any) -> None:
    """Run on ``meta`` tensors: code that creates tensors on a hard-coded device fails here, even without a GPU.

    ``inputs`` are meta tensors (and plain values); ``reference`` is torch's own function on the same inputs.
    """
    expected = reference(*inputs.values())
    try:
        got = fn(*inputs.values())
    except StudentError as exc:
        raise CheckFailure(q, "your function fails when the input is on another device "
                           f"(it raised {exc})", inputs,
                           detail="Create new tensors on the input's device: device=x.device, or torch.zeros_like(x)."
                           ) from None
    expected_parts = expected if isinstance(expected, tuple) else (expected,)
    got_parts = tuple(got) if type(got) in (tuple, list) and isinstance(expected, tuple) else (got,)
    if len(got_parts) != len(expected_parts):
        return  # the shape of the result is judged by the value tests, not here
    for g, e in zip(got_parts, expected_parts):
        expect_tensor(q, g, e, inputs, dtype=e.dtype, device="meta",
                      what="the result for an input on another device")


def _worst(got: torch.Tensor, expected: torch.Tensor) -> str:
    if got.numel() == 0:
        return ""
    diff = (got - expected).abs()
    diff = torch.where(torch.isnan(got) != torch.isnan(expected), torch.full_like(diff, float("inf")), diff)
    diff = torch.nan_to_num(diff, nan=0.0)
    flat = int(diff.flatten().argmax())
    index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), got.shape)) if got.ndim else ()
    e, g = expected.flatten()[flat].item(), got.flatten()[flat].item()
    at = f" at index {list(index)}" if index else ""
    return f"worst element{at}: expected {e:.6g}, got {g:.6g}"


def expect_equal(question: str, got: Any, expected: Any, inputs: Mapping[str, Any], *, what: str = "the result") -> None:
    """Exact comparison for plain Python results (tuples, lists, ints), types included."""
    if not _same_plain(got, expected):
        raise CheckFailure(question, f"{what} is wrong", inputs, expected, got)


def _same_plain(got: Any, expected: Any) -> bool:
    if isinstance(expected, (tuple, list)):
        ok_types = (tuple, torch.Size) if type(expected) is tuple else (list,)
        return (type(got) in ok_types and len(got) == len(expected)
                and all(_same_plain(g, e) for g, e in zip(got, expected)))
    if type(expected) is int:
        return type(got) is int and got == expected
    return type(got) is type(expected) and got == expected


def expect_raises(question: str, fn: Callable, error: str, inputs: Mapping[str, Any], why: str) -> None:
    """The student's function must raise ``error`` (a built-in exception's name) for these inputs."""
    try:
        got = fn(*inputs.values())
    except StudentError as exc:
        if exc.type_name != error:
            raise CheckFailure(question, f"expected {error} ({why}), but your function raised {exc}",
                               inputs) from None
        return
    raise CheckFailure(question, f"expected {error} ({why}), but your function returned {show(got)}", inputs)


def _kind(value: Any) -> str:
    if isinstance(value, NotAllowed):
        return value.description
    return f"a {type(value).__name__}" if value is not None else "None (did you forget `return`?)"
