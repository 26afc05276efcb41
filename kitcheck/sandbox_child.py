"""The sandbox process: runs a student's notebook cells, then answers the grader's calls.

Started by ``autograder.sandbox.Sandbox`` as ``python -m kitcheck.sandbox_child LOG``. It lives in
kitcheck because, under isolation, this process can import kitcheck but not the grader's package.
"""
from __future__ import annotations

import io
import os
import sys

import torch

from .i18n import say
from .protocol import read_msg, write_msg
from .transport import invoke
from .wire import dumps, encode_error, encode_result, read_request


def main(log_path: str) -> None:
    """Run the cells, then answer calls until stdin closes."""
    proto_in, proto_out = os.dup(0), os.dup(1)
    os.set_inheritable(proto_in, False)
    os.set_inheritable(proto_out, False)
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(log, 1)  # the student's prints go to a log, never into the protocol
    os.dup2(log, 2)
    sys.stdout = sys.stderr = _capped_text(log)
    os.environ["MPLBACKEND"] = "Agg"
    # The batch grader runs one sandbox per core; more threads each would only fight over the cores.
    torch.set_num_threads(1)
    # DataLoader(num_workers=2) passes its batches between processes. torch's default hands over file descriptors
    # through a helper socket, which never delivers under the sandbox's own user (the loader waits forever);
    # files in /dev/shm (the sandbox's own at the namespaces level) work at every level, as in Jupyter.
    torch.multiprocessing.set_sharing_strategy("file_system")

    request = read_request(read_msg(proto_in))  # from the trusted parent
    os.chdir(request["cwd"])
    shell = notebook_shell()
    errors = []
    for index, source in request["cells"]:
        write_msg(proto_out, encode_result({"running": index}))
        result = shell.run_cell(source, store_history=False, silent=True)
        exc = result.error_before_exec or result.error_in_exec
        if exc is not None:
            errors.append({"cell": index, "error": f"{type(exc).__name__}: {_safe(exc)}",
                           "kind": "input" if _waited_for_input(exc) else ""})
    write_msg(proto_out, encode_result({"ready": True, "errors": errors}))

    while True:
        try:
            raw = read_msg(proto_in)
        except EOFError:
            return
        req = read_request(raw)
        fn = shell.user_ns.get(req["name"])
        if fn is None or not callable(fn):
            key = "undefined_fn_cell" if fn is None else "not_a_function_cell"
            payload = encode_error(NameError(say(key, name=req["name"])))
        else:
            try:
                value = invoke(fn, req["args"], req["kwargs"], req.get("driver"))
                # A direct call that may have changed its inputs reports them as they are now: the grader judges
                after = (req["args"], req["kwargs"]) if req.get("driver") is None and changed(req, raw) else None
                payload = encode_result(value, after)
            except BaseException as exc:  # noqa: BLE001 - SystemExit etc. are the student's errors too
                payload = encode_error(exc)
        write_msg(proto_out, payload)


# What the log keeps of a notebook's prints. The sandbox's files are limited (``Limits.file_bytes``): past that, a
# print would raise "OSError: File too large" inside a correct function (debug prints in a training loop, each
# call printing its tensors). Nobody reads more than this; the rest is dropped, and print never fails.
LOG_BYTES = 8 * 2**20


class _CappedLog(io.RawIOBase):
    def __init__(self, fd: int, limit: int):
        self.fd, self.left = fd, limit

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def write(self, data) -> int:
        n = len(data)
        if self.left > 0:
            keep = memoryview(data)[:self.left]
            try:
                os.write(self.fd, keep)
            except OSError:
                pass
            self.left -= len(keep)
            if self.left <= 0:
                try:
                    os.write(self.fd, b"\n[the rest of the output is not kept]\n")
                except OSError:
                    pass
        return n  # all of it, kept or dropped: a print never fails for its size


def _capped_text(fd: int, limit: int = LOG_BYTES) -> io.TextIOWrapper:
    """A text stream for ``sys.stdout`` and ``sys.stderr`` that keeps the first ``limit`` bytes in ``fd``.
    Block-buffered, as Python's own stdout on a file: nobody reads the log while the sandbox runs, and a write
    per line would cost a notebook that prints in a loop a system call per line."""
    return io.TextIOWrapper(io.BufferedWriter(_CappedLog(fd, limit)), encoding="utf-8", errors="backslashreplace")


def changed(req: dict, raw: bytes) -> bool:
    """Whether the call may have changed its inputs: the request, encoded again as it is now, is not the bytes
    that came. Inputs left as they were (nearly every call) are not sent back for the grader to compare;
    reporting no change is what a sandbox that hid one could say anyway (see ``wire.decode``)."""
    try:
        return dumps(req) != raw
    except TypeError:  # a request that came as torch.save's bytes: the grader compares
        return True


def notebook_shell():
    """The shell a notebook's cells run in: IPython's, with the parts of a Jupyter kernel that course notebooks
    use and a plain shell lacks. ``%matplotlib inline`` (or ``widget``, ``notebook``, ``%pylab``) keeps the
    sandbox's Agg backend, as there is no screen (a plain shell raises NotImplementedError, and loses the rest of
    the cell: often the imports, sometimes a graded function); ``exit()`` and ``quit()`` end their cell as
    ``sys.exit()`` does (a plain shell raises AttributeError)."""
    from IPython.core.interactiveshell import InteractiveShell

    class NotebookShell(InteractiveShell):
        def enable_matplotlib(self, gui=None):
            return "agg", "agg"  # figures stay in the Agg backend: nothing is shown while grading

        def enable_gui(self, gui=None):
            return None

        def ask_exit(self):
            raise SystemExit("exit()")

    return NotebookShell.instance(config=shell_config())


def shell_config():
    """IPython settings of a sandbox: no history database (nothing reads it; it would be a file per run)."""
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    return config


def _waited_for_input(exc: BaseException) -> bool:
    """``input()`` found no one to type (the sandbox's stdin is empty): what CPython's input raises then."""
    return type(exc) is EOFError and exc.args == ("EOF when reading a line",)


def _safe(exc: BaseException) -> str:
    try:
        return str(exc)[:500]
    except Exception:
        return "(unreadable message)"


if __name__ == "__main__":
    main(sys.argv[1])
