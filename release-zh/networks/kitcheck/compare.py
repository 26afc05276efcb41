"""Comparisons that explain themselves: every failure names the input, expected vs got, dtype and device."""
from __future__ import annotations

import math
import re
from typing import Any, Callable, Mapping, TypedDict

import torch

from .i18n import say
from .timelimit import CallTimedOut
from .transport import InputChanged, NotAllowed, StudentError

MAX_SHOWN_ELEMENTS = 24


class Tolerance(TypedDict, total=False):
    """The tolerances a check passes on to ``expect_tensor`` as ``**tol`` (typed: ``**tol: Unpack[Tolerance]``)."""
    rtol: float | None
    atol: float | None


class CheckFailure(AssertionError):
    """A check failed. ``str()`` is the whole student-facing explanation.

    ``digits``: significant digits for expected and got (enough to see where they differ); ``around``: the
    index of the element that breaks the tolerance most, so large tensors show the region around it."""

    def __init__(self, question: str, problem: str, inputs: Mapping[str, Any] | None = None,
                 expected: Any = None, got: Any = None, detail: str = "", *, digits: int = 6,
                 around: tuple | None = None, summary: str = "", not_written: bool = False):
        self.question, self.problem, self.detail = question, problem, detail
        self.not_written = not_written  # the exercise is still the release's stub
        self.summary = summary  # the failure in a few words for check_all's table ("" : the problem's first line)
        self.inputs = dict(inputs or {})
        self.expected, self.got = expected, got
        lines = [f"{question}: {problem}"]
        if self.inputs:
            shape = tuple(expected.shape) if isinstance(expected, torch.Tensor) else None
            lines.append(f"  {say('input')} " + ", ".join(
                f"{k} = {show(v, layout=True, around=around if _same_shape(v, shape) else None)}"
                for k, v in self.inputs.items()))
        if expected is not None or got is not None:
            lines.append(f"  {say('expected')} {show(expected, digits=digits, around=around)}")
            lines.append(f"  {say('got')} {show(got, digits=digits, around=around)}")
        if detail:
            lines.append("  " + detail)
        super().__init__("\n".join(lines))


def _same_shape(value: Any, shape: tuple | None) -> bool:
    return shape is not None and isinstance(value, torch.Tensor) and tuple(value.shape) == shape


def describe_layout(x: torch.Tensor) -> str:
    """A tensor's memory layout in a beginner's words (``.view()`` fails on the non-contiguous ones)."""
    if x.is_contiguous() or x.numel() <= 1:
        return "contiguous"
    if 0 in x.stride():
        return say("layout_expanded")
    if x.ndim >= 2 and x.mT.is_contiguous():
        return say("layout_transposed")
    return say("layout_sliced")


def show(value: Any, layout: bool = False, digits: int = 6, around: tuple | None = None) -> str:
    """A short, readable rendering of a value for feedback. ``layout``: say how a non-contiguous tensor is laid
    out (for inputs, where it matters: ``.view()`` fails on them); ``digits``: significant digits of floats;
    ``around``: for a tensor too large to print, the index whose neighbourhood to show."""
    if isinstance(value, torch.Tensor) and type(value) is torch.Tensor:
        if value.device.type == "meta":  # the checks' stand-in for "a device other than the CPU"
            return f"{say('shape_of', shape=tuple(value.shape))} ({value.dtype}, {say('not_on_cpu')})"
        where = f"{value.dtype}, {value.device.type}"
        if layout and value.numel() > 1 and not value.is_contiguous():
            where += ", " + describe_layout(value)
        floats = value.is_floating_point()
        if value.numel() <= MAX_SHOWN_ELEMENTS:
            return f"tensor({_short(value.detach().cpu().tolist(), digits, floats)}) ({where})"
        text = f"{say('shape_of', shape=tuple(value.shape))} ({where})"
        if around is not None and value.ndim and len(around) == value.ndim:
            return text + say("around_index", index=list(around), window=_window(value, around, digits))
        if value.numel() and (floats or value.dtype in _INTEGER):
            x = value.detach().cpu().to(torch.float64)
            finite = x[torch.isfinite(x)]
            if finite.numel():
                text += say("values_from", low=f"{finite.min().item():.4g}", high=f"{finite.max().item():.4g}")
            if finite.numel() < x.numel():
                text += say("with_specials", n=x.numel() - finite.numel())
        return text
    if isinstance(value, tuple) and type(value) is tuple and len(value) <= 8:
        return "(" + ", ".join(show(v, layout, digits) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, NotAllowed):
        return repr(value)
    if type(value) is float:
        return _number(value, digits)
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


_INTEGER = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)


def _window(value: torch.Tensor, index: tuple, digits: int, radius: int = 2) -> str:
    """The elements next to ``index`` along the last dim: ``[..., 0.1, 0.2, *0.3*, 0.4, ...]``."""
    row = value.detach().cpu()[tuple(index[:-1])] if value.ndim > 1 else value.detach().cpu()
    j, n = index[-1], row.shape[0]
    lo, hi = max(0, j - radius), min(n, j + radius + 1)
    floats = value.is_floating_point()
    items = [(f"*{_number(row[i].item(), digits, floats)}*" if i == j else _number(row[i].item(), digits, floats))
             for i in range(lo, hi)]
    return "[" + ("..., " if lo > 0 else "") + ", ".join(items) + (", ..." if hi < n else "") + "]"


def _number(x: Any, digits: int = 6, floats: bool = True) -> str:
    """A number at ``digits`` significant digits; floats keep a decimal point (1. rather than 1)."""
    if isinstance(x, bool) or not isinstance(x, float):
        return repr(x)
    text = f"{x:.{digits}g}"
    if floats and not any(c in text for c in ".eni"):
        text += "."
    return text


def _short(x: Any, digits: int = 6, floats: bool = True) -> str:
    """Nested lists with floats at ``digits`` significant digits."""
    if isinstance(x, list):
        return "[" + ", ".join(_short(v, digits, floats) for v in x) + "]"
    return _number(x, digits, floats)


def raised(exc: StudentError, device_check: bool = False) -> tuple[str, str]:
    """``(what the student's code raised, a hint in a beginner's words or "")``. ``device_check``: the inputs
    stood for "not on the CPU" (PyTorch's shape-only meta device, whose own messages would only confuse)."""
    lowered = (exc.message or "").lower()
    if exc.type_name == "NotImplementedError" and not exc.message:
        return str(exc), ""  # the release's stub: transport says what it means
    if any(s in lowered for s in ("no nvidia driver", "not compiled with cuda", "no cuda gpus",
                                  "cuda driver", "cuda is not available", "cuda unavailable")):
        return str(exc), say("no_gpu")
    if "view size is not compatible" in lowered:
        return str(exc), say("view_needs_contiguous")
    if "same device" in lowered and not device_check and not re.search(r"\bmeta\b", lowered):
        return str(exc), say("mixed_devices")
    if device_check or re.search(r"\bmeta\b", lowered):
        if "same device" in lowered or "device" in lowered and "cpu" in lowered:
            return exc.type_name, say("created_on_cpu")
        if any(s in lowered for s in ("item()", "numpy", "data-dependent", "tolist", "cannot be called on")):
            return exc.type_name, say("reads_values")
        return exc.type_name, say("other_device")
    return str(exc), ""


def _failure(question: str, lead: str | None, exc: StudentError, inputs: Mapping[str, Any],
             device_check: bool = False) -> CheckFailure:
    if isinstance(exc, InputChanged):
        return input_changed(question, exc, inputs)
    if exc.not_written:  # nothing to show of the inputs: the exercise is still the release's stub
        return CheckFailure(question, say("stub_not_written"), summary=say("not_written"), not_written=True)
    if exc.undefined:  # not something the code raised: the notebook has no such function yet
        return CheckFailure(question, exc.message, summary=say("not_defined"))
    what, hint = raised(exc, device_check)
    return CheckFailure(question, say(lead or "raised", what=what), inputs, detail=hint)


def input_changed(question: str, exc: InputChanged, inputs: Mapping[str, Any]) -> CheckFailure:
    """The failure for a function that edited an input it must leave alone, naming the input as shown."""
    names = list(inputs)
    position = exc.position
    name = names[position] if isinstance(position, int) and position < len(names) else position
    which = f"`{name}`" if isinstance(name, str) else say("argument_n", n=int(name) + 1)
    return CheckFailure(question, say("changed_input", which=which, detail=exc.detail), inputs,
                        detail=say("changed_input_help"))


def timed_out(exc: CallTimedOut, inputs: Mapping[str, Any]) -> CallTimedOut:
    """``exc`` with the inputs of the call that ran out of time (the first to say so wins)."""
    if exc.inputs is None:
        exc.inputs = dict(inputs)
    return exc


def call(question: str, fn: Callable, **inputs: Any) -> Any:
    """Call the student's function with ``inputs`` (positionally); an error it raises becomes a CheckFailure."""
    try:
        return fn(*inputs.values())
    except StudentError as exc:
        raise _failure(question, None, exc, inputs) from None
    except CallTimedOut as exc:
        raise timed_out(exc, inputs) from None


def drive(question: str, fn: Any, driver: Callable, shown: Mapping[str, Any], *args: Any, **kwargs: Any) -> Any:
    """``fn.drive(driver, *args, **kwargs)`` (see ``kitcheck.drivers``); an error raised by the student's code
    becomes a CheckFailure that shows ``shown``: the inputs as the student would write them."""
    try:
        return fn.drive(driver, *args, **kwargs)
    except StudentError as exc:
        on_meta = any(isinstance(a, torch.Tensor) and a.device.type == "meta" for a in (*args, *kwargs.values()))
        raise _failure(question, "code_raised", exc, shown, device_check=on_meta) from None
    except CallTimedOut as exc:
        raise timed_out(exc, shown) from None


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
                  rtol: float | None = None, atol: float | None = None, what: str | None = None) -> None:
    """Check a returned tensor: its type, shape, dtype, device, then its values against ``expected``.

    ``expected`` is usually computed in float64; ``dtype``/``device`` are what the student's tensor must have.
    """
    def label() -> str:  # words are built only for a failure: a passing check is the common case
        return what or say("the_result")

    if type(got) is not torch.Tensor:
        raise CheckFailure(question, say("not_a_tensor", what=label(), kind=_kind(got)), inputs, expected, got)
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailure(question, say("wrong_shape", what=label(), expected=tuple(expected.shape),
                                         got=tuple(got.shape)), inputs, _as_required(expected, dtype or got.dtype), got)
    if dtype is not None and got.dtype != dtype:
        hint = say("keep_dtype") if dtype.is_floating_point else ""
        detail = say("float64_appears") if dtype == torch.float32 and got.dtype == torch.float64 else ""
        raise CheckFailure(question, say("wrong_dtype", what=label(), got=got.dtype, expected=dtype) + hint, inputs,
                           detail=detail)
    if device is not None and got.device != torch.device(device):
        want = torch.device(device)
        if want.type == "meta":  # the checks' stand-in for "any device but the CPU"
            raise CheckFailure(question, say("result_on_cpu", what=label(), device=got.device), inputs,
                               detail=say("create_on_input_device"))
        raise CheckFailure(question, say("wrong_device", what=label(), device=got.device, want=want), inputs)
    if got.device.type == "meta":
        return  # meta tensors have shapes and devices but no values
    tol = {"rtol": rtol, "atol": atol} if rtol is not None else tolerance(got.dtype)
    a = got.detach().to("cpu", torch.float64)
    b = expected.detach().to("cpu", torch.float64)
    # |got - expected| <= atol + rtol * |expected| everywhere, as torch.testing.assert_close (whose first call
    # costs a student's first check 0.7 s of imports)
    if not bool(torch.isclose(a, b, equal_nan=True, **tol).all()):
        required = _as_required(expected, got.dtype)
        detail, index, digits = _worst(a, required.detach().to("cpu", torch.float64), **tol)
        raise CheckFailure(question, say("wrong_values", what=label()), inputs, required, got, detail,
                           digits=digits, around=index)


def _as_required(expected: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The expected value as the exercise requires it (references are computed in float64; a float32
    exercise shows its expected value in float32, so that only the values differ from what was got)."""
    if expected.is_floating_point() and dtype.is_floating_point and expected.dtype != dtype:
        return expected.detach().to(dtype)
    return expected


def expect_tensors(question: str, got: Any, expected: Mapping[str, torch.Tensor], inputs: Mapping[str, Any], *,
                   dtypes: Mapping[str, torch.dtype] | None = None, device: torch.device | str | None = None,
                   **tol: float) -> None:
    """Check a returned tuple of tensors, e.g. ``(var, mean)``, in order.

    Each must have the dtype in ``dtypes`` (default: its expected tensor's dtype)."""
    names = tuple(expected)
    if type(got) not in (tuple, list) or len(got) != len(names):
        raise CheckFailure(question, say("should_return_tuple", names=", ".join(names), got=show(got)), inputs)
    for g, (name, e) in zip(got, expected.items()):
        expect_tensor(question, g, e, inputs, dtype=(dtypes or {}).get(name, e.dtype), device=device, what=f"`{name}`", **tol)


def expect_device_agnostic(q: str, fn: Callable, reference: Callable, **inputs: Any) -> None:
    """Run on ``meta`` tensors: code that creates tensors on a hard-coded device fails here, even without a GPU.

    ``inputs`` are meta tensors (and plain values); ``reference`` is torch's own function on the same inputs.
    """
    from .drivers import on_meta_watching

    expected = reference(*inputs.values())
    mixes: Any = []
    try:
        if hasattr(fn, "drive"):  # a student's function: watch for operations that mix devices on the way
            got, mixes = fn.drive(on_meta_watching, *inputs.values())
        else:
            got = fn(*inputs.values())
    except InputChanged as exc:
        raise input_changed(q, exc, inputs) from None
    except StudentError as exc:
        if not (_reads_values(exc) and hasattr(fn, "drive")):
            what, hint = raised(exc, device_check=True)
            raise CheckFailure(q, say("fails_off_cpu", what=what), inputs, detail=hint) from None
        # Reading a value (.item()) is allowed; meta tensors just have none. Run again with the values that
        # the same code reads from CPU twins of the inputs: a hard-coded device still shows.
        got, mixes = _on_meta_reading_values(q, fn, inputs)
    except CallTimedOut as exc:
        raise timed_out(exc, inputs) from None
    except (TypeError, ValueError):  # a driver's answer that is not (result, list): judged as the result
        got, mixes = None, []
    if type(mixes) is list and mixes:
        raise CheckFailure(q, say("mixes_devices", ops="; ".join(str(m) for m in mixes[:3])), inputs,
                           detail=say("create_on_input_device"))
    expected_parts = expected if isinstance(expected, tuple) else (expected,)
    got_parts = tuple(got) if type(got) in (tuple, list) and isinstance(expected, tuple) else (got,)
    if len(got_parts) != len(expected_parts):
        return  # the shape of the result is judged by the value tests, not here
    for g, e in zip(got_parts, expected_parts):
        expect_tensor(q, g, e, inputs, dtype=e.dtype, device="meta",
                      what=say("result_off_cpu"))


def _reads_values(exc: StudentError) -> bool:
    """Whether the error only says that the meta device has no values to read (``.item()`` and the like)."""
    lowered = (exc.message or "").lower()
    return any(s in lowered for s in ("item()", "_local_scalar_dense", "data-dependent", "cannot be called on meta"))


def _cpu_twin(x: Any, seed: int) -> Any:
    """A CPU tensor shaped like the meta tensor ``x`` with harmless values (normal floats, zero integers)."""
    if not (isinstance(x, torch.Tensor) and x.device.type == "meta"):
        return x
    if x.is_floating_point():
        return torch.randn(x.shape, generator=torch.Generator().manual_seed(seed)).to(x.dtype)
    return torch.zeros(x.shape, dtype=x.dtype)


def _on_meta_reading_values(q: str, fn: Any, inputs: Mapping[str, Any]) -> Any:
    from .drivers import on_meta_reading_values

    twins = [_cpu_twin(v, i) for i, v in enumerate(inputs.values())]
    try:
        return fn.drive(on_meta_reading_values, *twins)
    except StudentError as exc:
        what, hint = raised(exc, device_check=True)
        raise CheckFailure(q, say("fails_off_cpu", what=what), inputs, detail=hint + say("items_replayed")) from None


def _worst(got: torch.Tensor, expected: torch.Tensor, rtol: float = 0.0, atol: float = 0.0
           ) -> tuple[str, tuple | None, int]:
    """``(explanation, index, digits)`` for the element that breaks ``|got - expected| <= atol + rtol*|expected|``
    the most: where it is, both values with enough digits to tell them apart, the gap and what was allowed."""
    if got.numel() == 0:
        return "", None, 6
    diff = (got - expected).abs()
    allowed = atol + rtol * expected.abs()
    ratio = diff / allowed.clamp_min(1e-300)
    nan_mismatch = torch.isnan(got) != torch.isnan(expected)
    inf_mismatch = torch.isinf(got) & torch.isinf(expected) & (got != expected)
    ratio = torch.where(nan_mismatch | inf_mismatch, torch.full_like(ratio, float("inf")), ratio)
    ratio = torch.nan_to_num(ratio, nan=0.0)
    flat = int(ratio.flatten().argmax())
    index = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), got.shape)) if got.ndim else ()
    e, g = expected.flatten()[flat].item(), got.flatten()[flat].item()
    digits = _digits_to_tell(e, g)
    at = say("at_index", index=list(index)) if index else ""
    text = say("worst", at=at, expected=_number(e, digits), got=_number(g, digits))
    if math.isfinite(e) and math.isfinite(g):
        gap = abs(g - e)
        relative = say("relative", value=f"{gap / abs(e):.2g}") if e != 0 else ""
        text += say("gap", gap=f"{gap:.2g}", relative=relative, atol=f"{atol:g}", rtol=f"{rtol:g}",
                    allowed=f"{atol + rtol * abs(e):.2g}")
    return text, index or None, digits


def _digits_to_tell(e: float, g: float) -> int:
    """The fewest significant digits (6 to 17) at which ``e`` and ``g`` print differently."""
    for digits in range(6, 18):
        if f"{e:.{digits}g}" != f"{g:.{digits}g}":
            return digits
    return 17


def expect_equal(question: str, got: Any, expected: Any, inputs: Mapping[str, Any], *,
                 what: str | None = None) -> None:
    """Exact comparison for plain Python results (tuples, lists, ints), types included."""
    if not _same_plain(got, expected):
        slip = _type_slip(got, expected)
        problem = (say("wrong_type", what=what or say("the_result"), expected_type=slip[1], got_type=slip[0])
                   if slip else say("is_wrong", what=what or say("the_result")))
        raise CheckFailure(question, problem, inputs, expected, got)


def _type_slip(got: Any, expected: Any) -> tuple[str, str] | None:
    """``(got's type, the expected type)`` where the values are right and only a type is not (``28.0`` for
    ``28``, ``[3, 4]`` for ``(3, 4)``), at the first place it differs; None when a value differs too."""
    def loose(g: Any, e: Any) -> bool:
        if isinstance(e, (tuple, list)):
            return isinstance(g, (tuple, list)) and len(g) == len(e) and all(loose(a, b) for a, b in zip(g, e))
        try:
            return bool(g == e) and not isinstance(g, (tuple, list, torch.Tensor))
        except Exception:  # noqa: BLE001 - a value that cannot even be compared is a wrong value
            return False

    def first(g: Any, e: Any) -> tuple[str, str] | None:
        if isinstance(e, (tuple, list)):
            ok = (tuple, torch.Size) if type(e) is tuple else (list,)
            if type(g) not in ok:
                return type(g).__name__, type(e).__name__
            return next((d for d in (first(a, b) for a, b in zip(g, e)) if d), None)
        return None if type(g) is type(e) else (type(g).__name__, type(e).__name__)

    return first(got, expected) if loose(got, expected) else None


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
    except InputChanged as exc:
        raise input_changed(question, exc, inputs) from None
    except StudentError as exc:
        if exc.type_name != error:
            what, hint = raised(exc)
            raise CheckFailure(question, say("expected_raise_got_raise", error=error, why=why, what=what),
                               inputs, detail=hint) from None
        return
    except CallTimedOut as exc:
        raise timed_out(exc, inputs) from None
    raise CheckFailure(question, say("expected_raise_got_value", error=error, why=why, got=show(got)), inputs)


def _kind(value: Any) -> str:
    if isinstance(value, NotAllowed):
        return value.description
    return say("a_type", name=type(value).__name__) if value is not None else say("forgot_return")
