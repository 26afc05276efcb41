"""A warm parent for sandboxes: imports torch and friends once, then forks a fresh, fenced child per sandbox.

Starting a sandbox with ``python -m kitcheck.sandbox_child`` costs seconds before the first student cell
runs (importing torch, matplotlib, IPython; torch's first meta-device operation). The fork server pays that
once per grading worker. Each child it forks is then fenced exactly like a directly started sandbox (the
same ``isolation.preexec``: own session, mount namespace, user ``nobody``, limits), and only then runs
``kitcheck.sandbox_child.main``.

What the children inherit from the server is only what any sandbox may see anyway: the imported libraries,
``kitcheck``, and this module with ``isolation`` (the fence, no secrets). The server never imports the
hidden tests, the grader's references or a student's code.

Protocol, over a Unix socket pair: the grader sends a JSON request with three file descriptors (the child's
stdin and stdout pipe ends, and the write end of a status pipe); the server answers with the child's pid
and, when it reaps the child, writes its exit code to the status pipe and closes it.
"""
from __future__ import annotations

import array
import atexit
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

from .config import environment
from .isolation import PR_SET_PDEATHSIG, Limits, Plan, preexec

# Imported by the server so that every sandbox starts with them loaded (the course's notebooks use them).
PRELOAD = ("numpy", "torch", "torch.nn.functional", "matplotlib", "matplotlib.pyplot",
           "IPython.core.interactiveshell", "kitcheck.sandbox_child", "kitcheck.assignments", "kitcheck.checking")
MAX_FDS = 3


# ----------------------------------------------------------------------------------- server side
def warm_libraries() -> None:
    """Import what sandboxes use and run torch's first-use paths once.

    A worker calls this before it forks its server (``ForkServer.start(fork=True)``): the worker needs the
    same meta-device kernels for the references of its meta-device tests, so both pay for them once."""
    import matplotlib

    matplotlib.use("Agg")
    for name in PRELOAD:
        __import__(name)
    import torch

    torch.set_num_threads(1)
    # torch loads the Python parts of its meta-device kernels on first use (about a second): do it here.
    x = torch.ones(2, 3, device="meta")
    ((x @ x.T + 1).exp().sum(dim=0, keepdim=True) / 3).reshape(-1)
    import matplotlib.pyplot as plt

    plt.figure()
    plt.close("all")  # builds the font cache once


def _warm_up() -> None:
    warm_libraries()  # nearly free when the server was forked from a worker that did it already
    # IPython imports its completer, inspector and history parts while building a shell (about 20 ms):
    # build one here, then drop it, so each sandbox builds its own from imported modules.
    from kitcheck.sandbox_child import notebook_shell

    type(notebook_shell()).clear_instance()


def _preload(modules) -> None:
    """Import modules the grader named (from its own release notebook), once; a failure is left for the
    sandbox to meet, and explain, when the student's cell imports the module."""
    for name in modules:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the notebook's own import will report it
                pass


def _child(request: dict, fds: list[int], servers_fds: list[int]) -> None:
    """In the forked child: fence it off, wire its pipes, and run the sandbox (never returns)."""
    code = 1
    try:
        stdin_fd, stdout_fd, status_fd = fds
        # The server's socket, wake-up pipe and the status pipes of earlier children: a sandbox must not be
        # able to report a fake exit code for another one. Only the server reports exit codes.
        for fd in (*servers_fds, status_fd):
            os.close(fd)
        os.dup2(stdin_fd, 0)
        os.dup2(stdout_fd, 1)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        for fd in (stdin_fd, stdout_fd, null):
            if fd > 2:
                os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        plan = Plan(Path(request["workdir"]), [Path(p) for p in request["hide"]], Limits(**request["limits"]),
                    level=request["level"], uid=request["uid"], syscall_filter=request["syscall_filter"],
                    memory_group=request["memory_group"])
        preexec(plan, parent=os.getppid())()
        env, log = request["env"], request["log"]
        del plan, request  # what the grader sent is no business of the student's code
        for name in [m for m in sys.modules if m == "autograder" or m.startswith("autograder.")]:
            del sys.modules[name]  # as in a fresh sandbox, `import autograder` must find nothing
        os.environ.clear()
        os.environ.update(env)
        import numpy
        import random

        random.seed()
        numpy.random.seed()  # as a fresh process would be: not the server's state
        from kitcheck import sandbox_child

        sandbox_child.main(log)
        code = 0
    except BaseException:  # noqa: BLE001 - a child must never return into the server's loop
        code = 1
    finally:
        os._exit(code)


def serve(sock: socket.socket) -> None:
    """Fork a child per request until the grader closes the socket."""
    _warm_up()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    status: dict[int, int] = {}  # child pid -> write end of its status pipe
    sock.sendall(b"ready\n")
    own = [sock.fileno(), wake_r, wake_w]
    while True:
        watched: list[socket.socket | int] = [sock, wake_r]
        ready, _, _ = select.select(watched, [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            _reap(status)
        if sock in ready:
            msg, fds = _receive(sock)
            if msg is None:
                return
            request = json.loads(msg)
            _preload(request.get("preload", ()))
            pid = os.fork()
            if pid == 0:
                _child(request, fds, [*own, *status.values()])
            os.close(fds[0])
            os.close(fds[1])
            status[pid] = fds[2]
            sock.sendall(f"{pid}\n".encode())
            _reap(status)


def _reap(status: dict[int, int]) -> None:
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = status.pop(pid, None)
        if fd is not None:
            try:
                os.write(fd, f"{os.waitstatus_to_exitcode(wait_status)}\n".encode())
            except OSError:
                pass
            os.close(fd)


def _receive(sock: socket.socket) -> tuple[bytes | None, list[int]]:
    fds = array.array("i")
    msg, ancdata, _, _ = sock.recvmsg(1 << 20, socket.CMSG_LEN(MAX_FDS * fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    if not msg or len(fds) != MAX_FDS:
        for fd in fds:
            os.close(fd)
        return None, []
    return msg, list(fds)


def _server_main(sock: socket.socket) -> None:
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # die with the grader
    serve(sock)


def main() -> None:
    _server_main(socket.socket(fileno=int(sys.argv[1])))


# ----------------------------------------------------------------------------------- grader side
class ForkedChild:
    """A sandbox child forked by the server, with the parts of ``subprocess.Popen`` the sandbox uses."""

    def __init__(self, pid: int, stdin: BinaryIO, stdout: BinaryIO, status_fd: int):
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self._status_fd = status_fd
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code, once the server has reaped the child; raises TimeoutExpired after ``timeout``."""
        if self.returncode is None and self._status_fd >= 0:
            if not select.select([self._status_fd], [], [], timeout)[0]:
                assert timeout is not None  # without a timeout, select returns only once the fd is readable
                raise subprocess.TimeoutExpired("sandbox", timeout)
            data = os.read(self._status_fd, 64)
            os.close(self._status_fd)
            self._status_fd = -1
            self.returncode = int(data) if data.strip() else -signal.SIGKILL  # server gone: killed with it
        return self.returncode

    def poll(self) -> int | None:
        try:
            return self.wait(0)
        except subprocess.TimeoutExpired:
            return None

    def __del__(self):
        if self._status_fd >= 0:
            os.close(self._status_fd)


class _ForkedProcess:
    """A server forked from this process: the parts of ``subprocess.Popen`` that ``ForkServer`` uses."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


class ForkServer:
    """The grader's handle on one fork server process (started on first use, or early by ``start``)."""

    def __init__(self):
        self.proc: subprocess.Popen | _ForkedProcess | None = None
        self.sock: socket.socket | None = None
        self._ready = False
        # The batch grader names the folder and removes it after the worker (which it may have to kill).
        given = environment().forkserver_home
        if given is not None and given.is_dir():
            self.home = str(given)
        else:  # a process grading on its own: removed when it exits
            self.home = tempfile.mkdtemp(prefix="kit-forkserver-")
            atexit.register(shutil.rmtree, self.home, True)

    def start(self, env: dict, *, fork: bool = False) -> None:
        """Start the server. ``fork=True`` forks it from this process, which saves importing torch again;
        call it that way only before this process has loaded anything a student must not see (a worker
        does, before its first submission; a restart later always starts a fresh Python)."""
        self.close()
        if any(name.startswith("autograder.assignments.") for name in sys.modules):
            fork = False  # hidden tests are loaded here: a server forked now would carry them to students
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        home = self.home  # the libraries' caches while warming up
        server_env = {**env, "HOME": home, "MPLCONFIGDIR": home, "IPYTHONDIR": home, "XDG_CACHE_HOME": home,
                      "TMPDIR": home, "TORCH_HOME": home, "MPLBACKEND": "Agg"}
        if fork:
            pid = os.fork()
            if pid == 0:  # the server: keep only its socket, then serve
                try:
                    os.environ.clear()
                    os.environ.update(server_env)
                    null = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(null, fd)
                    keep = theirs.fileno()
                    os.closerange(3, keep)
                    os.closerange(keep + 1, 1 << 16)
                    _server_main(socket.socket(fileno=keep))
                finally:
                    os._exit(0)
            self.proc = _ForkedProcess(pid)
        else:
            self.proc = subprocess.Popen([sys.executable, "-P", "-m", "autograder.forkserver", str(theirs.fileno())],
                                         pass_fds=(theirs.fileno(),), env=server_env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self.sock, self._ready = ours, False

    def _ensure(self, env: dict) -> socket.socket:
        if self.proc is None or self.proc.poll() is not None:
            self.start(env)
        sock = self.sock
        assert sock is not None  # start() sets it with proc; close() clears both
        if not self._ready:
            sock.settimeout(180)  # importing torch on a busy machine
            try:
                if sock.recv(6) != b"ready\n":
                    raise OSError("the sandbox fork server did not start")
            finally:
                sock.settimeout(None)
            self._ready = True
        return sock

    def spawn(self, *, log_path: Path, plan: Plan, env: dict, preload: tuple[str, ...] = ()) -> ForkedChild:
        """Fork a fenced sandbox child; its stdin/stdout are pipes, like ``Popen(stdin=PIPE, stdout=PIPE)``.

        ``preload``: modules the server imports first (once: later requests find them loaded)."""
        sock = self._ensure(env)
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        status_r, status_w = os.pipe()
        # Only the folders to mask travel (never the list of submissions: the child's memory is the student's).
        masks = plan.masks_and_keeps()[0] if plan.level == "namespaces" else []
        request = {"workdir": str(plan.workdir), "hide": [str(p) for p in masks], "level": plan.level,
                   "uid": plan.uid, "syscall_filter": plan.syscall_filter,
                   "memory_group": plan.memory_group,
                   "limits": asdict(plan.limits), "env": env, "log": str(log_path), "preload": list(preload)}
        try:
            fds = array.array("i", [to_child_r, from_child_w, status_w])
            sock.sendmsg([json.dumps(request).encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = sock.recv(32)
                if not chunk:
                    raise OSError("the sandbox fork server stopped")
                reply += chunk
        except OSError:
            for fd in (to_child_w, from_child_r, status_r):
                os.close(fd)
            self.close()
            raise
        finally:
            for fd in (to_child_r, from_child_w, status_w):
                os.close(fd)
        return ForkedChild(int(reply), os.fdopen(to_child_w, "wb", buffering=0),
                           os.fdopen(from_child_r, "rb", buffering=0), status_r)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


if __name__ == "__main__":
    main()
