"""Framing for the pipe between the grader and a sandbox: 8 bytes of length, then the payload.

Both directions carry ``kitcheck.wire`` frames (requests; the student's values and errors).
"""
from __future__ import annotations

import os
import select
import struct
import time

from .transport import MAX_RESULT_BYTES

HEADER = struct.Struct(">Q")


def read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def write_msg(fd: int, payload: bytes, deadline: float | None = None) -> None:
    """Write one message. With a ``deadline``, a reader that stops reading cannot hold the writer past it
    (TimeoutError): the writes do not block, and the writer waits for room in the pipe until the deadline."""
    data = HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    if deadline is None:
        while view:
            view = view[os.write(fd, view):]
        return
    os.set_blocking(fd, False)
    try:
        while view:
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [fd], [], left)[1]:
                    raise TimeoutError from None
    finally:
        os.set_blocking(fd, True)


def read_msg(fd: int, deadline: float | None = None) -> bytes:
    (n,) = HEADER.unpack(read_exact(fd, HEADER.size, deadline))
    if n > MAX_RESULT_BYTES:
        raise EOFError  # a forged or runaway message: treat the child as broken
    return read_exact(fd, n, deadline)
