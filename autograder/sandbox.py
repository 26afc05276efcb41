"""Running a student's notebook in its own process, and calling its functions from the grader.

The grader (parent) holds the hidden tests and the references; the sandbox (child) holds only the
student's code. The parent sends inputs, the child sends back return values as sanitized frames of plain
data that the parent rebuilds itself (``kitcheck.wire``: JSON and raw tensor bytes, bounded). Nothing the child sends can run code in the parent
or change a score: at worst it is a wrong value. The child is fenced off by ``isolation`` (its own user,
mount namespace, limits and session); whatever it starts is killed with it.

The child's side is ``kitcheck.sandbox_child``; the framing is ``kitcheck.protocol``.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence


from kitcheck.i18n import say
from kitcheck.protocol import read_msg, write_msg

from .config import environment
from .forkserver import ForkedChild, ForkServer
from .isolation import (LIMITS, USER, Limits, Plan, best_level, memory_group, preexec, protect, remove_memory_group,
                        sweep)
from kitcheck.transport import StudentError
from kitcheck.wire import decode, request_frame

MAX_RESTARTS = 4
STARTUP_TIMEOUT = 120.0
_FORK_SERVER: ForkServer | None = None


def use_fork_server() -> bool:
    """Sandboxes are forked from a warm server unless KIT_NO_FORK_SERVER is set (then each starts Python)."""
    return environment().fork_server


def start_fork_server_early() -> None:
    """Fork the sandbox server from this process now, while it has loaded no hidden test and no student
    code (a worker calls this before its first submission; see ``ForkServer.start``)."""
    if use_fork_server():
        from .forkserver import warm_libraries

        warm_libraries()
        fork_server().start(_base_env(), fork=True)


# The sandbox's environment is built from an allow-list: nothing of the grader's (tokens, paths, ids) leaks in.
ENV_ALLOWED = ("PATH", "LANG", "LANGUAGE", "KIT_LANG", "TZ", "TERM", "PYTHONHASHSEED", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")


def _base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k in ENV_ALLOWED or k.startswith("LC_")}
    env.setdefault("PATH", os.defpath)
    return env


def fork_server() -> ForkServer:
    """This process's fork server (one per grading worker), started on first use."""
    global _FORK_SERVER
    if _FORK_SERVER is None:
        _FORK_SERVER = ForkServer()
    return _FORK_SERVER


# ----------------------------------------------------------------------------------- parent side
class Sandbox:
    """A student's notebook, running in a child process, whose functions the grader can call.

    A call that exceeds ``call_timeout`` or crashes the child marks that function as broken: later calls to it
    fail at once (so hypothesis does not wait again while shrinking), and other functions get a fresh child.
    ``preload``: modules the notebook will import, loaded once by the fork server (never names taken from a
    student's notebook: the server imports them outside any sandbox).
    """

    def __init__(self, cells: list[tuple[int, str]], *, hide: Sequence[Path | str] = (), limits: Limits | None = None,
                 isolate: bool | None = None, cell_timeout: float = 60.0, call_timeout: float = 10.0,
                 preload: tuple[str, ...] = (), level: str | None = None):
        self.cells = list(cells)
        self.preload = tuple(preload)  # modules the fork server imports before forking (trusted names only)
        self.workdir = Path(tempfile.mkdtemp(prefix="kit-sandbox-"))
        self.log_path = self.workdir / "student-output.log"
        if level is None:  # ``level`` names one outright (tests); ``isolate=False`` means limits only
            level = best_level()[0] if isolate is None or isolate else LIMITS
        self.plan = Plan(self.workdir, [Path(p) for p in hide], limits or Limits(), level=level)
        if self.plan.enabled:  # its processes together: one memory limit (where a cgroup can be made)
            self.plan.memory_group = memory_group(self.workdir.name, self.plan.limits.total_memory_bytes)
        if level == USER:  # no namespace to hide the grader's folders in: permissions do it
            protect(self.plan)
        self.cell_timeout, self.call_timeout = cell_timeout, call_timeout
        self.proc: subprocess.Popen | ForkedChild | None = None
        self.cell_errors: list[dict] = []
        self.skipped_cells: dict[int, str] = {}
        self.broken: dict[str, str] = {}
        self.starts = 0
        self.dead = ""  # why the notebook cannot run at all, once that is known
        self.timed_out: set[str] = set()  # functions stopped for not returning in time (see ``broken``)
        self.start_error = ""  # the grader's fault: the sandbox died before any student code ran
        self.leftovers: list[int] = []  # pids of the sandbox's user still alive after a close (should be none)

    # -- lifecycle
    def start(self) -> None:
        """Start the child and run the notebook's cells. A cell that never finishes, or that ends the
        process (``os._exit``, a crash), is skipped on the next start and reported."""
        if self.dead:
            return
        for _ in range(MAX_RESTARTS):
            self._spawn()
            problem = self._run_cells()
            if problem is None:
                self.cell_errors += [{"cell": i, "error": why} for i, why in self.skipped_cells.items()]
                return
            self.close()
            self._wipe_workdir()  # no progress saved to disk survives into the next attempt's time
            cell, why = problem
            if cell is None:
                self.start_error = (f"the sandbox process could not start ({why.replace('this cell', 'it')}; "
                                    f"isolation: {self.plan.level})")
                break
            self.skipped_cells[cell] = why
            self.cells = [(i, s) for i, s in self.cells if i != cell]
        self.dead = say("notebook_dead")

    def _spawn(self) -> None:
        self.starts += 1
        env = _base_env()
        home = str(self.workdir)  # caches (matplotlib, IPython, torch) go to the private work folder
        # torch exports its cache folders into os.environ once it has used them (in this grader process
        # too); name them all anew so a sandbox never inherits the grader's.
        env.update(PYTHONDONTWRITEBYTECODE="1", HOME=home, MPLCONFIGDIR=home, IPYTHONDIR=home,
                   XDG_CACHE_HOME=home, TMPDIR=home, TORCH_HOME=home, TORCHINDUCTOR_CACHE_DIR=f"{home}/inductor",
                   TRITON_CACHE_DIR=f"{home}/triton", USER="student")
        if use_fork_server():
            try:
                self.proc = fork_server().spawn(log_path=self.log_path, plan=self.plan, env=env,
                                                preload=self.preload)
                return
            except OSError:
                pass  # a fresh process instead (slower, same fence)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kitcheck.sandbox_child", str(self.log_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self.workdir, env=env, preexec_fn=preexec(self.plan))

    def _run_cells(self) -> tuple[int | None, str] | None:
        """None when every cell ran, else (the cell that hung or ended the process, why).

        The cells have ``cell_timeout`` seconds in all, on this process's clock, counted from the moment the
        child says it starts the first cell (before any student code runs). Later messages only say which
        cell is running (to skip it on a restart); nothing the child sends extends the time."""
        proc = self.proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None  # _spawn: pipes both
        write_msg(proc.stdin.fileno(), request_frame({"cells": self.cells, "cwd": str(self.workdir)}))
        deadline = time.monotonic() + STARTUP_TIMEOUT  # importing torch on a busy machine can be slow
        running = None
        started = False
        while True:
            try:
                msg = decode(read_msg(proc.stdout.fileno(), deadline))
            except TimeoutError:
                return running, (f"this cell did not finish within {self.cell_timeout:g} s (the time all cells "
                                 "share), so the grader skipped it")
            except (EOFError, StudentError):
                return running, (f"this cell ended the Python process (exit code {self._exit_code()}), "
                                 "so the grader skipped it")
            if type(msg) is dict and msg.get("ready"):
                self.cell_errors = list(msg.get("errors", []))
                return None
            if type(msg) is dict and "running" in msg:
                running = msg["running"] if type(msg["running"]) is int else running
                if not started:  # the one message sent before any student code: the clock starts here
                    started = True
                    deadline = time.monotonic() + self.cell_timeout

    def _exit_code(self) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """Kill the child and everything it started (including processes that left its process group,
        which reach this process when it is a subreaper: see ``isolation.become_subreaper``)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.proc.poll() is None:  # a forked child may not have made its own process group yet
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream is not None:  # (always: both are pipes)
                        stream.close()
                except OSError:
                    pass
            self.proc.wait()
            self.proc = None
        if self.plan.enabled:
            self.leftovers = sweep(self.plan.uid, keep=(self.workdir,))  # every process of its user, its files, its shared memory

    def _wipe_workdir(self) -> None:
        for entry in self.workdir.iterdir() if self.workdir.is_dir() else []:
            if entry == self.log_path:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def shutdown(self) -> None:
        """Close for good: also delete the private work folder and the memory cgroup."""
        self.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.plan.memory_group:
            remove_memory_group(self.plan.memory_group)

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()

    # -- calls
    def call(self, name: str, args: tuple, kwargs: dict, driver: str | None = None) -> Any:
        """Call the student's function ``name`` (through ``driver`` if given); returns the sanitized value or
        raises StudentError. This is a ``kitcheck.transport.Transport``."""
        if name not in self.broken and not self.dead:
            payload = self._exchange(name, args, kwargs, driver)
            if payload is not None:
                return decode(payload, name, (args, kwargs) if driver is None else None)
        # One raise for every "stopped" outcome, first or repeated: hypothesis replays a failing example
        # and would report a flaky test if the same failure came from two places.
        raise StudentError("Stopped", self.broken.get(name) or self.dead)

    def _exchange(self, name: str, args: tuple, kwargs: dict, driver: str | None) -> bytes | None:
        """The child's answer, or None after marking ``name`` broken (hang or death) or the notebook dead."""
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self.start()
            if self.dead:
                return None
        proc = self.proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None  # start() ran: pipes both
        request = request_frame({"name": name, "args": args, "kwargs": kwargs, "driver": driver})
        deadline = time.monotonic() + self.call_timeout  # the call's time starts with sending it
        try:
            write_msg(proc.stdin.fileno(), request, deadline)
            return read_msg(proc.stdout.fileno(), deadline)
        except TimeoutError:
            self.broken[name] = say("call_timed_out", name=name, seconds=self.call_timeout)
            self.timed_out.add(name)
        except (EOFError, BrokenPipeError, OSError):
            self.broken[name] = say("process_stopped", name=name, code=self._exit_code())
        self.close()
        return None

