"""The sandbox pipe's frames: plain data as JSON, each tensor's bytes after it.

Both directions use one format: ``KIT1``, the JSON header's length, the header, then the raw bytes of every
tensor in order. Reading a frame builds nothing but plain values: JSON's own scalars, lists, tuples, dicts
with string or integer keys, complex numbers, dtypes, devices, sizes and tensors rebuilt from an allow-listed
dtype and bounds checked here, so a forged frame can cost at most its own size and the limits below.

It replaced ``torch.save``/``torch.load(weights_only=True)``, whose pure-Python unpickler took about 1.6 ms a
frame: with several hundred calls per graded submission, half of the hidden tests' time.
"""
from __future__ import annotations

import io
import json
import math
import struct
from typing import Any

import torch

from .i18n import say
from .transport import (MAX_DEPTH, MAX_NODES, MAX_RESULT_BYTES, PLAIN_DTYPES, StudentError, _Budget, _restore, _safe_str, changed_input,
                        sanitize)

MAGIC = b"KIT1"
HEAD = struct.Struct(">4sI")  # magic, length of the JSON header
MAX_HEADER_BYTES = 8 * 2**20  # far beyond any honest value (the decoded value has at most MAX_NODES parts)
MAX_DIMS = 32

_DTYPES = {str(d).removeprefix("torch."): d for d in PLAIN_DTYPES}
_NAMES = {d: name for name, d in _DTYPES.items()}


class FrameError(ValueError):
    """The bytes are not a frame of plain data within the limits."""


def dumps(value: Any) -> bytes:
    """The frame for ``value``; raises TypeError for anything that is not plain data within the limits."""
    blobs: list[bytes] = []
    header = json.dumps(_pack(value, blobs, 0), separators=(",", ":")).encode()
    if len(header) > MAX_HEADER_BYTES or len(blobs) > MAX_NODES:
        raise TypeError("too large for a frame")
    return b"".join([HEAD.pack(MAGIC, len(header)), header, *blobs])


def _pack(value: Any, blobs: list[bytes], depth: int) -> Any:
    t = type(value)
    if t in (int, float, bool, str) or value is None:
        return value
    if depth >= MAX_DEPTH:
        raise TypeError("nested too deeply for a frame")
    if t is torch.Tensor or t is torch.nn.Parameter:
        return _pack_tensor(value, blobs)
    if t is list or t is tuple:
        return ["l" if t is list else "t", *(_pack(v, blobs, depth + 1) for v in value)]
    if t is dict:
        if not all(type(k) in (str, int) for k in value):
            raise TypeError("a dict key that is not a string or an integer")
        return ["d", *([k, _pack(v, blobs, depth + 1)] for k, v in value.items())]
    if t is complex:
        return ["c", value.real, value.imag]
    if t is torch.dtype and value in _NAMES:
        return ["D", _NAMES[value]]
    if t is torch.device:
        return ["V", str(value)]
    if t is torch.Size:
        return ["S", *value]
    raise TypeError(f"{t.__module__}.{t.__qualname__} cannot travel in a frame")


def _pack_tensor(value: torch.Tensor, blobs: list[bytes]) -> list:
    if value.layout != torch.strided or value.dtype not in _NAMES:
        raise TypeError("only strided tensors of ordinary dtypes travel in a frame")
    value = value.detach().resolve_conj().resolve_neg()
    shape, stride = list(value.shape), list(value.stride())
    if value.device.type == "meta":
        return ["M", _NAMES[value.dtype], shape, stride]
    storage = value.untyped_storage()
    if value.device.type != "cpu":
        storage = storage.cpu()
    data = torch.empty(0, dtype=torch.uint8).set_(storage).numpy().tobytes() if storage.nbytes() else b""
    blobs.append(data)
    return ["T", _NAMES[value.dtype], shape, stride, value.storage_offset(), str(value.device), len(data)]


def loads(payload: bytes | memoryview) -> Any:
    """The value of a frame; raises FrameError for anything else (never builds other objects)."""
    view = memoryview(payload)
    if len(view) < HEAD.size:
        raise FrameError("too short")
    magic, size = HEAD.unpack(view[:HEAD.size])
    if magic != MAGIC or size > MAX_HEADER_BYTES or HEAD.size + size > len(view):
        raise FrameError("not a frame")
    try:
        tree = json.loads(bytes(view[HEAD.size:HEAD.size + size]))
    except (ValueError, RecursionError) as exc:
        raise FrameError(f"unreadable header ({type(exc).__name__})") from None
    reader = _Reader(view[HEAD.size + size:])
    value = reader.unpack(tree, 0)
    if reader.at != len(reader.data):
        raise FrameError("bytes left over")
    return value


def _ints(value: Any, n: int | None = None) -> list[int]:
    if type(value) is not list or (n is not None and len(value) != n) or len(value) > MAX_DIMS \
            or not all(type(v) is int and v >= 0 for v in value):
        raise FrameError("bad sizes")
    return value


class TooLarge(FrameError):
    """A frame whose tensors, as views, hold more elements than its size limit allows."""


class _Reader:
    def __init__(self, data: memoryview):
        self.data, self.at, self.nodes = data, 0, 0
        self.logical = 0  # the bytes the frame's tensors hold as views: a stride-0 view of 8 bytes can hold 400 MB

    def unpack(self, node: Any, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise FrameError("nested too deeply or too many parts")
        t = type(node)
        if t in (int, float, bool, str) or node is None:
            return node
        if t is not list or not node or type(node[0]) is not str:
            raise FrameError("not a frame node")
        tag, rest = node[0], node[1:]
        if tag in ("l", "t"):
            items = [self.unpack(v, depth + 1) for v in rest]
            return items if tag == "l" else tuple(items)
        if tag == "d":
            out = {}
            for pair in rest:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                    raise FrameError("bad dict entry")
                out[pair[0]] = self.unpack(pair[1], depth + 1)
            return out
        if tag == "c" and len(rest) == 2 and all(type(v) in (int, float) for v in rest):
            return complex(rest[0], rest[1])
        if tag == "D" and len(rest) == 1 and rest[0] in _DTYPES:
            return _DTYPES[rest[0]]
        if tag == "V" and len(rest) == 1 and type(rest[0]) is str and len(rest[0]) < 32:
            return torch.device(rest[0])
        if tag == "S":
            return torch.Size(_ints(list(rest)))
        if tag == "M" and len(rest) == 3 and rest[0] in _DTYPES:
            shape = _ints(rest[1])
            return torch.empty_strided(shape, _ints(rest[2], len(shape)), dtype=_DTYPES[rest[0]], device="meta")
        if tag == "T" and len(rest) == 6 and rest[0] in _DTYPES:
            return self.tensor(*rest)
        raise FrameError("unknown frame node")

    def tensor(self, name: str, shape: Any, stride: Any, offset: Any, device: Any, nbytes: Any) -> torch.Tensor:
        dtype = _DTYPES[name]
        shape = _ints(shape)
        stride = _ints(stride, len(shape))
        if type(offset) is not int or offset < 0 or type(nbytes) is not int or nbytes < 0 \
                or type(device) is not str or len(device) > 32 or self.at + nbytes > len(self.data):
            raise FrameError("bad tensor")
        itemsize = dtype.itemsize
        numel = math.prod(shape)
        # The bytes the view reaches, in exact integers (torch would grow a storage that is too small).
        reach = 0 if numel == 0 else (offset + sum((n - 1) * s for n, s in zip(shape, stride)) + 1) * itemsize
        if reach > nbytes:
            raise FrameError("a tensor reaches past its bytes")
        self.logical += numel * itemsize
        if self.logical > MAX_RESULT_BYTES:  # what the grader's comparisons would build from it, at most
            raise TooLarge("the tensors are larger than a frame may hold")
        chunk = self.data[self.at:self.at + nbytes]
        self.at += nbytes
        storage = torch.UntypedStorage.from_buffer(chunk, dtype=torch.uint8) if nbytes else torch.UntypedStorage(0)
        value = torch.empty(0, dtype=dtype).set_(storage, offset if numel else 0, shape, stride)
        return value if device == "cpu" else value.to(torch.device(device))


# ---- what the grader sends: requests ------------------------------------------------------------------
def request_frame(request: dict) -> bytes:
    """The bytes of a request to the sandbox: a frame, or ``torch.save``'s bytes when a hidden test sends
    something that is not plain data (the sandbox trusts what the grader sends; never the other way)."""
    try:
        return dumps(request)
    except TypeError:
        buf = io.BytesIO()
        torch.save(request, buf)
        return buf.getvalue()


def read_request(payload: bytes) -> Any:
    """A request, in the sandbox (from the trusted grader: either form of ``request_frame``)."""
    if bytes(payload[:len(MAGIC)]) == MAGIC:
        return loads(payload)
    return torch.load(io.BytesIO(payload), weights_only=False)


# ---- what the sandbox sends: a student's value or error ---------------------------------------------------
def encode_result(value: Any, after: tuple | None = None) -> bytes:
    """The frame for a returned value (sanitized). ``after``: the call's ``(args, kwargs)`` as they are after the
    call, so the grader can see for itself whether the student's function changed its inputs."""
    message = {"ok": sanitize(value)}
    if after is not None:
        message["after"] = sanitize([list(after[0]), dict(after[1])])
    return dumps(message)


def encode_error(exc: BaseException) -> bytes:
    """The frame for an exception the student's code raised."""
    return dumps({"error": [type(exc).__name__, _safe_str(exc)]})


def decode(payload: bytes, name: str | None = None, sent: tuple | None = None) -> Any:
    """The value a student returned, or raise StudentError. Builds plain data only (``loads``).

    ``sent``: the ``(args, kwargs)`` of a direct call of the student's function ``name``; the inputs as the
    sandbox reports them after the call (it reports them when their encoding changed) are compared with them
    here (``changed_input``), on the grader's side. A sandbox that hides a change can only hide its own
    mistake: the returned value is judged anyway.
    """
    if len(payload) > MAX_RESULT_BYTES:
        raise StudentError("ResultTooLarge", say("result_too_large", mb=MAX_RESULT_BYTES >> 20))
    try:
        data = loads(payload)
        if type(data) is not dict or set(data) not in ({"ok"}, {"ok", "after"}, {"error"}):
            raise StudentError("BadResult", say("result_unreadable"))
        if "error" in data:
            error = data["error"]
            if type(error) is not list or len(error) != 2:
                raise StudentError("BadResult", say("result_unreadable"))
            raise StudentError(str(error[0])[:200], str(error[1])[:2000])
        budget = _Budget()
        value = _restore(data["ok"], budget)
        if sent is not None and name is not None and "after" in data:
            after = _restore(data["after"], budget)
            if type(after) is not list or len(after) != 2 or type(after[0]) is not list or type(after[1]) is not dict:
                raise StudentError("BadResult", say("result_unreadable"))
            changed_input(name, sent[0], sent[1], tuple(after[0]), after[1])
        return value
    except StudentError:
        raise
    except TooLarge:
        raise StudentError("ResultTooLarge", say("result_too_large", mb=MAX_RESULT_BYTES >> 20)) from None
    except BaseException as exc:  # noqa: BLE001 - forged or corrupt bytes (RecursionError, MemoryError too)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise StudentError("BadResult", f"{say('result_unreadable')} ({type(exc).__name__})") from None
