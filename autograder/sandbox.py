"""Running a student's notebook in its own process, and calling its functions from the grader.

The grader (parent) holds the hidden tests and the references; the sandbox (child) holds only the
student's code. The parent sends inputs, the child sends back return values as sanitized bytes that the
parent decodes with ``torch.load(weights_only=True)``. Nothing the child sends can run code in the parent
or change a score: at worst it is a wrong value. The child lives in its own session (process group), so
whatever it starts is killed with it.

Protocol: each message is 8 bytes of length, then a payload. Parent -> child: ``torch.save`` of a request.
Child -> parent: ``kitcheck.transport.encode_result``/``encode_error`` bytes.
"""
from __future__ import annotations

import io
import os
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch

from kitcheck.transport import MAX_RESULT_BYTES, StudentError, decode, encode_error, encode_result, invoke

HEADER = struct.Struct(">Q")
MAX_RESTARTS = 4


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
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


def _write_msg(fd: int, payload: bytes) -> None:
    data = HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_msg(fd: int, deadline: float | None = None) -> bytes:
    (n,) = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if n > MAX_RESULT_BYTES:
        raise EOFError  # a forged or runaway message: treat the child as broken
    return _read_exact(fd, n, deadline)


# ------------------------------------------------------------------------------------ child side
def child_main(log_path: str) -> None:
    """Entry point of the sandbox process: run the cells, then answer calls until stdin closes."""
    proto_in, proto_out = os.dup(0), os.dup(1)
    os.set_inheritable(proto_in, False)
    os.set_inheritable(proto_out, False)
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(log, 1)  # the student's prints go to a log, never into the protocol
    os.dup2(log, 2)
    os.environ["MPLBACKEND"] = "Agg"

    request = torch.load(io.BytesIO(_read_msg(proto_in)), weights_only=False)  # from the trusted parent
    os.chdir(request["cwd"])
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    errors = []
    for index, source in request["cells"]:
        _write_msg(proto_out, encode_result({"running": index}))
        result = shell.run_cell(source, store_history=False, silent=True)
        exc = result.error_before_exec or result.error_in_exec
        if exc is not None:
            errors.append({"cell": index, "error": f"{type(exc).__name__}: {_safe(exc)}"})
    _write_msg(proto_out, encode_result({"ready": True, "errors": errors}))

    while True:
        try:
            req = torch.load(io.BytesIO(_read_msg(proto_in)), weights_only=False)
        except EOFError:
            return
        fn = shell.user_ns.get(req["name"])
        if fn is None or not callable(fn):
            what = "does not define" if fn is None else "defines, but not as a function,"
            payload = encode_error(NameError(f"the notebook {what} `{req['name']}` "
                                             "(was its cell renamed, deleted or left with an error?)"))
        else:
            try:
                payload = encode_result(invoke(fn, req["args"], req["kwargs"], req.get("driver")))
            except BaseException as exc:  # noqa: BLE001 - SystemExit etc. are the student's errors too
                payload = encode_error(exc)
        _write_msg(proto_out, payload)


def _safe(exc: BaseException) -> str:
    try:
        return str(exc)[:500]
    except Exception:
        return "(unreadable message)"


# ----------------------------------------------------------------------------------- parent side
class Sandbox:
    """A student's notebook, running in a child process, whose functions the grader can call.

    A call that exceeds ``call_timeout`` or crashes the child marks that function as broken: later calls to it
    fail at once (so hypothesis does not wait again while shrinking), and other functions get a fresh child.
    """

    def __init__(self, cells: list[tuple[int, str]], cwd: Path, log_path: Path, *,
                 cell_timeout: float = 60.0, call_timeout: float = 10.0):
        self.cells = list(cells)
        self.cwd, self.log_path = Path(cwd), Path(log_path)
        self.cell_timeout, self.call_timeout = cell_timeout, call_timeout
        self.proc: subprocess.Popen | None = None
        self.cell_errors: list[dict] = []
        self.hung_cells: list[int] = []
        self.broken: dict[str, str] = {}
        self.starts = 0
        self.dead = ""  # why the notebook cannot run at all, once that is known

    # -- lifecycle
    def start(self) -> None:
        """Start the child and run the notebook's cells; a cell that hangs is skipped on the next start."""
        if self.dead:
            return
        for _ in range(MAX_RESTARTS):
            self._spawn()
            hung = self._run_cells()
            if hung is None:
                self.cell_errors += [{"cell": i, "error": f"this cell did not finish within {self.cell_timeout:g} s, "
                                      "so the grader skipped it"} for i in self.hung_cells]
                return
            self.close()
            if hung < 0:
                break
            self.hung_cells.append(hung)
            self.cells = [(i, s) for i, s in self.cells if i != hung]
        self.dead = "the notebook's code could not be run (it did not start, or too many cells never finished)"

    def _spawn(self) -> None:
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox", str(self.log_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self.cwd, env=env, start_new_session=True)

    def _run_cells(self) -> int | None:
        buf = io.BytesIO()
        torch.save({"cells": self.cells, "cwd": str(self.cwd)}, buf)
        _write_msg(self.proc.stdin.fileno(), buf.getvalue())
        deadline = time.monotonic() + self.cell_timeout
        running = None
        while True:
            try:
                msg = decode(_read_msg(self.proc.stdout.fileno(), deadline))
            except TimeoutError:
                return running if running is not None else -1
            except (EOFError, StudentError):
                self.cell_errors = [{"cell": running, "error": "the Python process stopped while running this cell "
                                     f"(exit code {self._exit_code()})"}]
                return None
            if type(msg) is dict and msg.get("ready"):
                self.cell_errors = list(msg.get("errors", []))
                return None
            if type(msg) is dict and "running" in msg:
                running = msg["running"]
                deadline = time.monotonic() + self.cell_timeout

    def _exit_code(self) -> int | None:
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """Kill the child and everything it started."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.wait()
        self.proc = None

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- calls
    def call(self, name: str, args: tuple, kwargs: dict, driver: str | None = None) -> Any:
        """Call the student's function ``name`` (through ``driver`` if given); returns the sanitized value or
        raises StudentError. This is a ``kitcheck.transport.Transport``."""
        if name in self.broken or self.dead:
            raise StudentError("Stopped", self.broken.get(name) or self.dead)
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self.start()
        buf = io.BytesIO()
        torch.save({"name": name, "args": args, "kwargs": kwargs, "driver": driver}, buf)
        try:
            _write_msg(self.proc.stdin.fileno(), buf.getvalue())
            payload = _read_msg(self.proc.stdout.fileno(), time.monotonic() + self.call_timeout)
        except TimeoutError:
            self.broken[name] = f"`{name}` did not return within {self.call_timeout:g} s (an endless loop?)"
        except (EOFError, BrokenPipeError, OSError):
            self.broken[name] = f"the Python process running `{name}` stopped (exit code {self._exit_code()})"
        else:
            return decode(payload)
        self.close()
        raise StudentError("Stopped", self.broken[name])


if __name__ == "__main__":
    child_main(sys.argv[1])
