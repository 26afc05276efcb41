"""How a student's return value reaches the checks: the same rules in every path.

Every value a student function returns is *sanitized*: only plain tensors, numbers, strings and
containers of them survive, checked with ``type(...) is``, never ``isinstance``. A ``torch.Tensor``
subclass that overrides ``__torch_function__``, or an object whose ``__eq__`` always says True, becomes a
``NotAllowed`` marker and fails the comparison. In the notebook (``call_local``) that is all; the grader's
sandbox also sends the sanitized value as a frame of plain data (``kitcheck.wire``) that the grader rebuilds.
"""
from __future__ import annotations

import copy
import functools
from typing import Any, Callable

import torch

from .i18n import say

MAX_RESULT_BYTES = 64 * 2**20
# Bounds on what a decoded value may be, checked while it is rebuilt: a forged frame can make the unpickler
# build deep or shared structures cheaply; walking them must stay cheap too.
MAX_DEPTH = 32
MAX_NODES = 200_000
_SCALARS = (int, float, bool, str, complex, type(None), torch.dtype, torch.device, torch.Size)
# The dtypes a returned tensor may have (quantized and 8-bit float tensors are not answers to any exercise).
PLAIN_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
                torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool,
                torch.uint16, torch.uint32, torch.uint64)
_MARKER = "__kit_not_allowed__"


class StudentError(Exception):
    """The student's function raised (or could not be called). Holds names and text, not objects."""

    def __init__(self, type_name: str, message: str, *, undefined: bool = False):
        super().__init__(_describe(type_name, message))
        self.type_name = type_name
        self.message = message
        self.undefined = undefined  # the notebook does not define the function at all (its cell was not run)

    @property
    def not_written(self) -> bool:
        """The release's stub (``raise NotImplementedError()``) is still there."""
        return self.type_name == "NotImplementedError" and not self.message


def _describe(type_name: str, message: str) -> str:
    """How an error reads in feedback: ``ValueError: bad shape``; an empty message adds no dangling colon, and
    the release's ``raise NotImplementedError()`` stub says what it means."""
    if message:
        return f"{type_name}: {message}"
    if type_name == "NotImplementedError":
        return say("stub_raised")
    return type_name


class InputChanged(StudentError):
    """The student's function changed an input that the exercise says to leave as it was.

    ``position`` is the argument's position (an int) or keyword (a str); ``detail`` says what changed."""

    def __init__(self, position: int | str, detail: str):
        self.position, self.detail = position, detail
        super().__init__("InputChanged", _tr("{which} was changed in place ({detail})", "{which} 被原地修改了（{detail}）",
                                             which=_argument(position), detail=detail))


def _argument(position: int | str) -> str:
    if isinstance(position, str):
        return _tr("the argument `{name}`", "参数 `{name}`", name=position)
    return _tr("argument {n}", "第 {n} 个参数", n=position + 1)


class NotAllowed:
    """Stands in for a returned value of a type the checks do not accept."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return f"<{self.description}>"


def describe_type(value: Any) -> str:
    t = type(value)
    if isinstance(value, torch.Tensor):
        return f"a {t.__module__}.{t.__qualname__} (a torch.Tensor subclass, not a plain torch.Tensor)"
    return f"a {t.__module__}.{t.__qualname__} object"


def sanitize(value: Any, _depth: int = 0) -> Any:
    """Keep plain data only; anything else becomes a marker naming its type."""
    t = type(value)  # type(), not isinstance: a subclass cannot pretend to be a plain Tensor
    if t is torch.Tensor or t is torch.nn.Parameter:
        if value.layout != torch.strided or value.dtype not in PLAIN_DTYPES:
            return {_MARKER: _tr("a torch.Tensor with layout {layout} and dtype {dtype} (return an ordinary dense "
                                 "tensor)", "布局为 {layout}、数据类型为 {dtype} 的 torch.Tensor（请返回普通的稠密张量）",
                                 layout=value.layout, dtype=value.dtype)}
        value = value.detach()
        if (value.layout == torch.strided and value.device.type != "meta"
                and value.untyped_storage().nbytes() > value.numel() * value.element_size()):
            value = value.clone()  # a small view of a large storage: send the view, not the whole storage
        return value
    if t in _SCALARS:
        return value
    if t.__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return sanitize(value.item(), _depth)  # numpy scalars are harmless numbers
    if _depth < 8 and t.__module__ == "torch.return_types" and getattr(torch.return_types, t.__name__, None) is t:
        return tuple(sanitize(v, _depth + 1) for v in value)  # e.g. what torch.topk and torch.sort return
    if _depth < 8 and t in (tuple, list):
        return t(sanitize(v, _depth + 1) for v in value)
    if _depth < 8 and t is dict and all(type(k) in (str, int) for k in value):
        return {k: sanitize(v, _depth + 1) for k, v in value.items()}
    return {_MARKER: describe_type(value)}


class _Budget:
    """Counts what ``_restore`` visits; containers met twice (shared references) are refused."""

    def __init__(self):
        self.nodes = 0
        self.seen: set[int] = set()

    def visit(self, value: Any, depth: int) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise StudentError("BadResult", say("result_nested"))
        if type(value) in (dict, list, tuple) and len(value):  # `()` is one shared object, and harmless
            if id(value) in self.seen:
                raise StudentError("BadResult", say("result_shared"))
            self.seen.add(id(value))


def _restore(value: Any, budget: _Budget | None = None, depth: int = 0) -> Any:
    budget = budget or _Budget()
    budget.visit(value, depth)
    t = type(value)
    if t is dict:
        if set(value) == {_MARKER}:
            return NotAllowed(str(value[_MARKER]))
        return {k: _restore(v, budget, depth + 1) for k, v in value.items()}
    if t in (tuple, list):
        return t(_restore(v, budget, depth + 1) for v in value)
    return value


def restore(value: Any) -> Any:
    """A sanitized value as the checks see it (type markers become ``NotAllowed``)."""
    return _restore(value)


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:  # a hostile __str__ must not break grading
        return "(the error message could not be read)"


def driver_path(driver: Callable | str | None) -> str | None:
    """``"module:function"`` for a driver function (drivers live in kitcheck, which the sandbox can import)."""
    if driver is None or isinstance(driver, str):
        return driver
    return f"{driver.__module__}:{driver.__qualname__}"


def resolve_driver(path: str) -> Callable:
    """The driver function named by ``path``; only kitcheck's own code may drive student code."""
    import importlib

    module, _, name = path.partition(":")
    if module != "kitcheck" and not module.startswith("kitcheck."):
        raise ValueError(f"not a kitcheck driver: {path}")
    return getattr(importlib.import_module(module), name)


def invoke(target: Callable, args: tuple, kwargs: dict, driver: str | None) -> Any:
    """Call the student's ``target``, directly or through a driver (``driver(target, *args, **kwargs)``).

    A driver exercises student code that is not a plain function of tensors (a class to instantiate, a
    function whose gradient matters) and returns plain data about what it did.
    """
    if driver is None:
        return target(*args, **kwargs)
    return resolve_driver(driver)(target, *args, **kwargs)


def call_local(fn: Callable, args: tuple, kwargs: dict, driver: str | None = None, name: str | None = None) -> Any:
    """Call a student function in this process, with the same rules as the sandbox.

    The inputs are deep-copied (a function that edits its input in place cannot change the reference)
    and the value is sanitized exactly as the sandbox's bytes are, without the round trip through bytes.
    """
    sent = (args, kwargs)
    args, kwargs = copy.deepcopy((args, kwargs))
    try:
        value = invoke(fn, args, kwargs, driver)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit from student code is an error of theirs, not ours
        raise StudentError(type(exc).__name__, _safe_str(exc)) from None
    value = _restore(sanitize(value))
    if driver is None:
        changed_input(name if name else getattr(fn, "__name__", ""), sent[0], sent[1], args, kwargs)
    return value


def _tr(en: str, zh: str, **values: object) -> str:
    from .i18n import tr  # here: i18n is light, but the sandbox imports this module first

    return tr(en, zh, **values)


@functools.lru_cache(maxsize=None)
def _in_place_arguments(name: str) -> tuple:
    """The arguments question ``name`` changes on purpose (``Question.mutates``); none for unknown names."""
    try:
        from .assignments import find_question  # here, not at the top: the assignments import this module

        return tuple(find_question(name)[1].mutates)
    except Exception:  # not a question of this course (a helper of the student's, a test's own function)
        return ()


def changed_input(name: str, args: tuple, kwargs: dict, args_after: tuple, kwargs_after: dict) -> None:
    """Raise InputChanged when a call of the student's ``name`` changed a tensor it was given (compared as
    sent and as found after the call), except the arguments the exercise changes on purpose."""
    allowed = _in_place_arguments(name)
    for position, before in [*enumerate(args), *kwargs.items()]:
        if position in allowed:
            continue
        if isinstance(position, int):
            after = args_after[position] if position < len(args_after) else None
        else:
            after = kwargs_after.get(position)
        found = _difference(before, after)
        if found:
            raise InputChanged(position, found)


def _difference(before: Any, after: Any, where: str = "", depth: int = 0) -> str:
    """How ``after`` differs from ``before`` (tensors inside containers included), or "" when it does not."""
    if depth > 8:
        return ""
    if type(before) is torch.Tensor or type(before) is torch.nn.Parameter:
        def it() -> str:  # words are built only for a difference: an unchanged input is the common case
            return where or _tr("it", "它")

        if not isinstance(after, torch.Tensor):
            return _tr("{it} is no longer a tensor", "{it}不再是张量", it=it())
        if tuple(after.shape) != tuple(before.shape):
            return _tr("the shape of {it} went from {a} to {b}", "{it}的形状从 {a} 变成了 {b}", it=it(),
                       a=tuple(before.shape), b=tuple(after.shape))
        if after.dtype != before.dtype:
            return _tr("the dtype of {it} went from {a} to {b}", "{it}的数据类型从 {a} 变成了 {b}", it=it(),
                       a=before.dtype, b=after.dtype)
        if before.device.type == "meta" or after.device.type == "meta" or before.numel() == 0:
            return ""
        b, a = before.detach().cpu(), after.detach().cpu()
        if torch.equal(a, b):
            return ""
        same = a == b
        if b.is_floating_point() or b.is_complex():
            same |= torch.isnan(a) & torch.isnan(b)
        if bool(same.all()):
            return ""
        flat = int((~same).reshape(-1).nonzero()[0])
        index = [int(i) for i in torch.unravel_index(torch.tensor(flat), b.shape)] if b.ndim else []
        if index:
            at = (_tr("{where} element {index}", "{where} 的元素 {index}", where=where, index=index) if where
                  else _tr("element {index}", "元素 {index}", index=index))
        else:
            at = where or _tr("its value", "它的值")
        return _tr("{at} was {old}, now {new}", "{at}原来是 {old}，现在是 {new}", at=at,
                   old=repr(b.reshape(-1)[flat].item()), new=repr(a.reshape(-1)[flat].item()))
    if type(before) in (list, tuple) and type(after) in (list, tuple) and len(before) == len(after):
        for i, (x, y) in enumerate(zip(before, after)):
            found = _difference(x, y, f"{where}[{i}]", depth + 1)
            if found:
                return found
        return ""
    if type(before) is dict and type(after) is dict:
        for key in before:
            found = _difference(before[key], after.get(key), f"{where}[{key!r}]", depth + 1)
            if found:
                return found
    return ""


Transport = Callable[[str, tuple, dict, "str | None"], Any]


class StudentFunction:
    """The student's function (or class) ``name``, reached through a transport.

    ``f(*args)`` calls it; ``f.drive(driver, *args)`` runs ``driver(f, *args)`` where the student's code
    lives. Either returns a sanitized value or raises StudentError.
    """

    def __init__(self, name: str, transport: Transport):
        self.name = name
        self.transport = transport

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.transport(self.name, args, kwargs, None)

    def drive(self, driver: Callable | str, *args: Any, **kwargs: Any) -> Any:
        return self.transport(self.name, args, kwargs, driver_path(driver))

    def __repr__(self) -> str:
        return f"<student function {self.name}>"


def local_transport(namespace: dict) -> Transport:
    """A transport to functions defined in ``namespace`` (a notebook's globals), in this process."""

    def call(name: str, args: tuple, kwargs: dict, driver: str | None = None) -> Any:
        fn = namespace.get(name)
        if fn is None:
            raise StudentError("NameError", say("undefined_fn", name=name), undefined=True)
        if not callable(fn):
            raise StudentError("TypeError", say("not_a_function", name=name, kind=type(fn).__name__))
        return call_local(fn, args, kwargs, driver, name)

    return call


def LocalFunction(name: str, namespace: dict) -> StudentFunction:  # noqa: N802 - reads like a class
    """The student's ``name`` from ``namespace``, called in this process."""
    return StudentFunction(name, local_transport(namespace))
