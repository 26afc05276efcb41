"""Grading a class on a Dask cluster: the same results as ``grade.grade_batch``, on many machines.

The client (the instructor's machine) finds the submissions, skips those already graded (by fingerprint,
as ``grade_one`` does), and sends each notebook's *bytes* to the cluster: a worker machine need not share
the client's filesystem. A Dask worker writes the bytes to a temporary file named like the original and
grades it with ``grade_one`` and a warm worker process (``grade.WarmWorker``) that it keeps between tasks,
so torch, pytest and the hidden tests are imported once per Dask worker thread, not once per submission.
Results come back as ``results.SubmissionResult``s; the client gives them the original paths and writes ``grading.json``,
``results.json``, ``feedback.md`` and ``grades.csv`` into its own output folder.

Dask is imported only here, and the CLI imports this module only for ``grade --cluster``: ordinary
grading does not pay for it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Sequence

from dask.distributed import Client, LocalCluster, WorkerPlugin, as_completed
from tqdm import tqdm

from kitcheck.spec import Assignment

from .grade import RESULT_FILE, Submission, WarmWorker, _saved, error_result, fingerprint, grade_one, write_result
from .publish import write_reports
from .results import SubmissionResult

CONNECT_TIMEOUT = 30.0  # seconds to reach the scheduler, and to see its first worker
PLUGIN_NAME = "kit-warm-workers"


class ClusterError(Exception):
    """The cluster cannot be used (unreachable, no workers, a different kit); the message is one sentence."""


# ------------------------------------------------------------------------------------------- worker side
_WARM: dict[int, WarmWorker] = {}  # one warm worker process per Dask worker thread, in that Dask worker
_WARM_LOCK = threading.Lock()


def _warm_worker(timeout: float) -> WarmWorker:
    with _WARM_LOCK:
        worker = _WARM.setdefault(threading.get_ident(), WarmWorker(timeout))
    worker.timeout = timeout  # a later batch may ask for another limit
    return worker


def stop_warm_workers() -> int:
    """Stop this process's warm worker processes; returns how many there were."""
    with _WARM_LOCK:
        workers = list(_WARM.values())
        _WARM.clear()
    for worker in workers:
        worker.stop()
    return len(workers)


class WarmWorkers(WorkerPlugin):
    """Dask worker plugin: when a batch ends (or the Dask worker closes), stop its warm worker processes.

    Why not keep them for the next batch: a warm worker holds the hidden tests it imported, so after a
    ``git pull`` on the workers it would grade with the old ones."""

    name = PLUGIN_NAME

    def setup(self, worker: Any) -> None:
        pass

    def teardown(self, worker: Any) -> None:
        stop_warm_workers()


def kit_fingerprint() -> str:
    """A digest of the grading code and the versions that decide a score, to check workers grade alike."""
    import hypothesis
    import numpy
    import torch

    import kitcheck

    digest = hashlib.sha256(f"{sys.version_info[:2]} {torch.__version__} {numpy.__version__} "
                            f"{hypothesis.__version__}".encode())
    for package in (Path(__file__).parent, Path(kitcheck.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(package.parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def grade_bytes(assignment_name: str, sub_id: str, name: str, data: bytes | str | None, hide: list[str],
                timeout: float) -> SubmissionResult:
    """Grade one submission on a Dask worker from its notebook's bytes (runs on the worker; never raises
    for problems of the submission). ``data``: the bytes, ``"folder"`` or ``None`` (no file there), so a
    folder or a missing file gets the same error as when graded locally."""
    from kitcheck.assignments import ASSIGNMENTS

    with tempfile.TemporaryDirectory(prefix="kit-dask-") as tmp:
        notebook = Path(tmp) / "submission" / name  # the original's file name: messages quote it
        notebook.parent.mkdir()
        if isinstance(data, bytes):
            notebook.write_bytes(data)
        elif data == "folder":
            notebook.mkdir()
        # The client's folders, where this machine has them (a local cluster shares the filesystem);
        # the temporary folder is hidden by grade_one itself. The client writes the result (save=False).
        here = [p for p in hide if Path(p).exists()]
        return grade_one(ASSIGNMENTS[assignment_name], Submission(sub_id, notebook), Path(tmp) / "out",
                         _warm_worker(timeout), hide=here, save=False)


# ------------------------------------------------------------------------------------------- client side
def _payload(path: Path) -> tuple[bytes | str | None, str]:
    """What travels for ``path``: its bytes, "folder" or None; and an error when it cannot be read here."""
    if path.is_dir():
        return "folder", ""
    if not path.exists():
        return None, ""
    try:
        return path.read_bytes(), ""
    except OSError as exc:
        return None, f"could not read {path.name}: {exc.strerror or exc}"


def _error_result(assignment: Assignment, sub: Submission, digest: str, error: str) -> SubmissionResult:
    """An error row as ``grade_one`` writes it, with the client's id and fingerprint."""
    result = error_result(assignment, sub.path, error)
    result.id, result.fingerprint = sub.id, digest
    return result


def parse_local(address: str) -> int | None:
    """``local`` or ``local:N`` -> N (None: one per core); anything else -> ValueError."""
    head, _, count = address.partition(":")
    if head != "local":
        raise ValueError(address)
    if not count:
        return None
    if not count.isdigit() or int(count) < 1:
        raise ClusterError(f"--cluster {address}: expected local or local:N with N a positive number of workers")
    return int(count)


@contextmanager
def connect(address: str, *, jobs: int | None = None, timeout: float | None = None) -> Iterator[Client]:
    """A Dask ``Client`` for ``address`` (``tcp://host:port``, or ``local[:N]`` to start a LocalCluster of N
    single-threaded worker processes here) with at least one worker, closed on exit with the LocalCluster
    it started; raises ClusterError when that cannot be had."""
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    cluster = None
    try:
        local = parse_local(address)
    except ValueError:
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"could not reach the Dask scheduler at {address} within {timeout:g} s "
                               f"({type(exc).__name__}); is `dask scheduler` running there?") from None
    else:
        # Processes, not threads: each Dask worker keeps its own warm grader; 1 thread each, since a
        # submission already uses a core (the sandbox runs the student's code while the tests run).
        cluster = LocalCluster(n_workers=local or jobs or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None, host="127.0.0.1")
        client = Client(cluster, timeout=timeout)
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {address} has no workers (waited {timeout:g} s); "
                               "start some with `dask worker ADDRESS --nthreads 1 --nworkers N`") from None
        yield client
    finally:
        client.close()
        if cluster is not None:
            # On a busy machine a worker can take over the nanny's 4 s to exit; it is then killed, which
            # is what we want after the batch: no warning for it.
            logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
            cluster.close()


def check_workers(client) -> None:
    """Raise ClusterError unless every worker runs the same grading code and versions as this machine."""
    mine = kit_fingerprint()
    try:
        theirs = client.run(kit_fingerprint)
    except Exception as exc:  # e.g. `autograder` not importable there
        raise ClusterError(f"the cluster's workers cannot run the kit ({type(exc).__name__}: {exc}); "
                           "start them from the course repository's virtual environment") from None
    other = sorted(addr for addr, digest in theirs.items() if digest != mine)
    if other:
        raise ClusterError(f"{len(other)} worker(s) ({', '.join(other[:3])}) run different grading code or "
                           "package versions than this machine; update them so every submission is graded alike")


def grade_on_cluster(assignment: Assignment, submissions: list[Submission], out_dir: Path, client, *,
                     timeout: float = 600.0, progress: bool = True, langs: Sequence[str] = ("en",)) -> list[SubmissionResult]:
    """Grade every submission on a Dask cluster (``client`` from ``connect``) and write the reports.

    Same results and files as ``grade_batch``: saved results of unchanged notebooks are reused, a broken
    notebook or one over ``timeout`` seconds gets an error row, the batch goes on. A task the cluster
    itself loses (a worker machine gone) also gets an error row, but it is not saved, so grading again
    retries it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    check_workers(client)
    hide = sorted({str(out_dir.resolve()), *(str(s.path.resolve().parent) for s in submissions)})
    results: list[SubmissionResult] = []
    todo: list[tuple[Submission, str]] = []
    for sub in submissions:
        digest = fingerprint(sub.path)
        saved = _saved(out_dir / sub.id / RESULT_FILE, digest)
        if saved:
            results.append(saved)
        else:
            todo.append((sub, digest))

    client.register_plugin(WarmWorkers(), name=PLUGIN_NAME)
    # A bounded number of tasks in flight: each carries a notebook, so a class of 1000 is not all in the
    # scheduler's memory at once, and a late worker still gets work.
    window = max(4, 2 * sum(client.nthreads().values()))
    pending = iter(todo)
    owner: dict[str, tuple[Submission, str]] = {}

    def submit_next(done: Any) -> None:
        for sub, digest in pending:
            data, error = _payload(sub.path)
            if error:
                results.append(write_result(assignment, _error_result(assignment, sub, digest, error), out_dir))
                bar.update(1)
                continue
            future = client.submit(grade_bytes, assignment.name, sub.id, sub.path.name, data, hide, timeout,
                                   key=f"grade-{assignment.name}-{sub.id}-{digest[:12]}", pure=False)
            owner[future.key] = (sub, digest)
            done.add(future)
            return

    try:
        with tqdm(total=len(submissions), initial=len(results), desc=f"grading {assignment.name} on the cluster",
                  unit="nb", disable=not progress) as bar:
            done = as_completed()
            for _ in range(window):
                submit_next(done)
            for future in done:
                sub, digest = owner.pop(future.key)
                try:
                    result = future.result()
                except Exception as exc:  # the cluster lost the task; the submission is not to blame
                    result = _error_result(assignment, sub, digest, f"the cluster could not grade it "
                                                                    f"({type(exc).__name__}: {exc})")
                else:
                    result.notebook, result.id, result.fingerprint = str(sub.path), sub.id, digest  # the client's names
                    result = write_result(assignment, result, out_dir)
                future.release()
                results.append(result)
                bar.update(1)
                submit_next(done)
    finally:
        try:
            client.unregister_worker_plugin(PLUGIN_NAME)  # stops the warm workers (see WarmWorkers)
        except Exception:
            pass  # the cluster is going away anyway
    results.sort(key=lambda r: r.id)
    write_reports(assignment, results, out_dir, list(langs))
    return results
