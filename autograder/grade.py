"""Grading a class: find the submissions, grade them with warm worker processes, write the reports.

One bad submission never stops the batch: a notebook that cannot be read, hangs or crashes its worker
gets a row with status ``error`` and a message. Results already on disk are reused when neither the
notebook nor what grades it changed (the assignment's spec and points, hidden tests, references, catalog,
stored probes, the grading code and the versions that decide a score: ``grader_key``), so a batch that was
killed halfway resumes where it stopped; ``force`` grades again regardless.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tqdm import tqdm

from kitcheck.spec import Assignment

from .canary import CanaryReport, check_canary
from .config import environment as config_environment
from .course import environment, tool_env
from .publish import write_reports
from .report import CLASS_FILES, CLASS_SUFFIXES, RESULT_FILE
from .files import write_json_atomic
from .grader_key import grader_key
from .isolation import SANDBOX_UID_BASE, sweep
from .results import Lateness, SubmissionResult, load_result
from .worker import not_graded
# Submissions per warm worker before a fresh one, to bound any slow leak. None measured: a worker grading
# 60 tensors submissions stayed at 708-711 MiB and as fast at the end as at the start.
RECYCLE_AFTER = 500


@dataclass(frozen=True)
class Submission:
    id: str  # its output folder's name: safe, unique in the batch (see safe_id)
    path: Path
    student: str | None = None  # nbgrader's student id (``submitted/<student>/<assignment>/``), as written


# Control characters, path separators, what Windows refuses, and lone surrogates (a file name that is not UTF-8)
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\ud800-\udfff]")
MAX_ID = 100


def safe_id(name: str) -> str:
    """An output folder name for a submission called ``name``: the name itself whenever that is safe.

    Never empty, ``.``/``..`` or hidden (no leading dot), no path separators or control characters, at most
    100 characters, and never a class file's name: class files (``grades.csv``, ``report.html``,
    ``report-*.png``, ``gradebook-before.db``, ...) all end in one of CLASS_SUFFIXES, and an id that would
    end in one gets its last dot replaced (``grades.csv`` -> ``grades_csv``)."""
    text = UNSAFE_CHARACTERS.sub("_", name).strip().lstrip(".").strip()
    text = text[:MAX_ID].rstrip(". ") or "submission"
    if text.lower().endswith(CLASS_SUFFIXES) or text.lower() in CLASS_FILES:
        head, _, tail = text.rpartition(".")
        text = f"{head}_{tail}"
    return text


def unique_ids(found: list[tuple[str, Path, str | None]]) -> list[Submission]:
    """Submissions with safe ids, unique even where file systems ignore case: the first of a name keeps it,
    later ones get ``-2``, ``-3``, ... (never an id another submission has)."""
    bases = [safe_id(name) for name, _, _ in found]
    taken = {b.casefold() for b in bases}
    seen: set[str] = set()
    subs = []
    for base, (_, path, student) in zip(bases, found):
        sid, n = base, 1
        while sid.casefold() in seen or (n > 1 and sid.casefold() in taken):  # taken: another's name
            n += 1
            sid = f"{base}-{n}"
        seen.add(sid.casefold())
        taken.add(sid.casefold())
        subs.append(Submission(sid, path, student))
    return subs


def discover(assignment: Assignment, paths: list[Path]) -> list[Submission]:
    """Submissions from files (id: the file's stem) and folders.

    A folder may be nbgrader's ``submitted/`` (``<student>/<assignment>/``), one student's
    ``<student>/<assignment>/`` folder (holding ``<assignment>.ipynb``) or ``<student>/`` folder (holding
    ``<assignment>/``), or a folder of notebooks and of folders that hold a notebook each (a course site's
    download: one folder per student, the folder's name its id; hidden folders such as Jupyter's
    ``.ipynb_checkpoints`` are skipped). Ids are made safe and unique (``safe_id``, ``unique_ids``); nbgrader's
    student id is kept as ``student``.
    """
    found: list[tuple[str, Path, str | None]] = []
    for path in map(Path, paths):
        if not path.is_dir():
            found.append((path.stem, path, None))
        elif any((d / assignment.name).is_dir() for d in path.iterdir()):
            for folder in sorted(d for d in path.iterdir() if (d / assignment.name).is_dir()):
                found.append((folder.name, _notebook_in(assignment, folder / assignment.name), folder.name))
        elif path.name == assignment.name and (path / assignment.notebook).exists():
            student = path.parent.resolve().name
            found.append((student, _notebook_in(assignment, path), student))
        elif (path / assignment.name / assignment.notebook).is_file():
            student = path.resolve().name  # one student's folder of nbgrader's submitted/: <student>/<a>/
            found.append((student, _notebook_in(assignment, path / assignment.name), student))
        else:
            found += [(p.stem, p, None) for p in sorted(path.glob("*.ipynb")) if p.is_file()]
            found += [(d.name, _notebook_in(assignment, d), None) for d in sorted(path.iterdir())
                      if d.is_dir() and not d.name.startswith(".") and any(f.is_file() for f in d.glob("*.ipynb"))]
    return unique_ids(found)


def _notebook_in(assignment: Assignment, folder: Path) -> Path:
    """The assignment's notebook in ``folder``: by its name, else the first whose name holds the assignment's
    (``Tensors (1).ipynb`` from a browser's download), else the first notebook there."""
    expected = folder / assignment.notebook
    others = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    named = [p for p in others if assignment.name.casefold() in p.stem.casefold()]
    return expected if expected.exists() or not others else (named or others)[0]


def fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else f"not a file: {path}"
    except OSError as exc:
        return f"unreadable: {exc}"


class WarmWorker:
    """A worker process that grades submission after submission (``python -m autograder.worker --serve``).

    Its imports are paid once. A submission that takes longer than ``timeout`` gets an error row; its
    worker is killed (its sandbox dies with it) and a fresh one serves the next submission.
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.served = 0
        self.home: str | None = None

    def _ensure(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None or self.served >= RECYCLE_AFTER:
            self.stop()
            # -P: the current folder (maybe one holding submissions) is not put on sys.path
            self.home = tempfile.mkdtemp(prefix="kit-forkserver-")  # its sandbox server's caches: removed in stop()
            env = {**tool_env(), "KIT_FORKSERVER_HOME": self.home}
            self.proc = subprocess.Popen([sys.executable, "-P", "-m", "autograder.worker", "--serve"], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         start_new_session=True, text=True, bufsize=1)
            self.served = 0
        return self.proc

    def start(self) -> None:
        """Start the process now (its imports take seconds), so that it is ready when the first request comes."""
        self._ensure()

    def grade(self, request: dict) -> str:
        """Grade one request; returns "" or the reason it failed."""
        proc = self._ensure()
        assert proc.stdin is not None and proc.stdout is not None  # Popen(stdin=PIPE, stdout=PIPE)
        self.served += 1
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.stop()
            return "the grader's worker process stopped"
        ready, _, _ = select.select([proc.stdout], [], [], self.timeout)
        line = proc.stdout.readline() if ready else ""
        if not ready or not line:
            timed_out = not ready
            self.stop()
            return (f"grading took longer than {self.timeout:g} s and was stopped" if timed_out
                    else "the grader's worker process stopped")
        return ""

    def stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            # Its sandboxes ran as a user of its own (isolation.sandbox_uid): whatever they started, in any
            # session, wherever re-parented, dies with the worker (a --timeout, a crash).
            sweep(SANDBOX_UID_BASE + self.proc.pid)
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream is not None:  # (always: both are pipes)
                        stream.close()
                except OSError:
                    pass
            self.proc = None
        if self.home is not None:  # killed, its server never removed what it kept there
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None


def _saved(result_path: Path, digest: str) -> SubmissionResult | None:
    """The saved result to reuse: same notebook (``digest``), same grader (``grader_key``), and not a grader
    error (those are graded again once the cause is fixed); else None."""
    try:
        result = load_result(result_path)
    except (OSError, ValueError):  # none yet, damaged, or not a result this grader can read: grade again
        return None
    if result.fingerprint != digest or result.grader_error:
        return None
    try:
        key = grader_key(result.assignment)
    except Exception:  # an assignment this kit does not have
        return None
    return result if result.grader_key == key else None


def error_result(assignment: Assignment, notebook: Path, error: str) -> SubmissionResult:
    """The row of a submission the grader could not grade (``error`` says why): 0 on every question."""
    return SubmissionResult(assignment=assignment.name, notebook=str(notebook), status="error", error=error,
                            questions=not_graded(assignment, error), score=0, max_score=assignment.total_points)


def grade_one(assignment: Assignment, sub: Submission, out_dir: Path, worker: WarmWorker, only_cuda: bool = False,
              hide: Sequence[Path | str] = (), force: bool = False, save: bool = True) -> SubmissionResult:
    """Grade one submission with ``worker`` (or reuse its saved result, unless ``force``); never raises.

    ``hide``: folders the student's code must not see, besides ``out_dir`` and the submission's own folder.
    A notebook that is clearly another assignment's is not graded: status ``error``, naming that assignment.
    ``save``: write the result into ``out_dir`` (False: the caller does, with ``write_result``)."""
    from .identify import wrong_assignment

    result_path = out_dir / sub.id / RESULT_FILE
    digest = fingerprint(sub.path)
    if not only_cuda and not force and (saved := _saved(result_path, digest)):
        return saved
    wrong = None if only_cuda else wrong_assignment(assignment, sub.path)
    if wrong:
        result = error_result(assignment, sub.path, wrong)
        result.id, result.fingerprint, result.grader_key = sub.id, digest, grader_key(assignment.name)
        return write_result(assignment, result, out_dir) if save else result
    with tempfile.TemporaryDirectory(prefix="kit-worker-") as tmp:
        tmp_result = Path(tmp) / "result.json"
        error = worker.grade({"assignment": assignment.name, "notebook": str(sub.path), "result": str(tmp_result),
                              "hide": hidden_from(sub.path, hide, out_dir), "only_cuda": only_cuda})
        if not error and not tmp_result.exists():
            error = "the grader's worker wrote no result"
        if error:
            result = error_result(assignment, sub.path, error)
        else:
            result = load_result(tmp_result)
    result.id, result.fingerprint, result.grader_key = sub.id, digest, grader_key(assignment.name)
    if save and not only_cuda:
        return write_result(assignment, result, out_dir)
    return result


def save_result(result: SubmissionResult, out_dir: Path) -> None:
    """Write ``result`` where ``grade_one`` and the reports read it (``out_dir/<id>/grading.json``)."""
    write_json_atomic(out_dir / result.id / RESULT_FILE, result.to_dict())


def write_result(assignment: Assignment, result: SubmissionResult, out_dir: Path) -> SubmissionResult:
    """``result``, written into ``out_dir`` (every grading path writes through here); or, where it cannot be
    written (a full disk, a folder without rights), a grader error row that says so: the batch goes on and
    reports it, and never waits for a row that will not come."""
    try:
        save_result(result, out_dir)
        return result
    except Exception as exc:  # noqa: BLE001 - any failure to write is the grader's, never the student's
        row = error_result(assignment, Path(result.notebook),
                           f"grader error: the result could not be written: {type(exc).__name__}: {exc}")
        row.id, row.grader_error = result.id, True
        return row


def hidden_from(notebook: Path, hide: Sequence[Path | str], out_dir: Path | None = None) -> list[str]:
    """The folders a notebook's code must not see while it is graded: its own folder, the other submissions'
    (``hide``) and the grading output."""
    return sorted({str(notebook.resolve().parent), *map(str, hide), *([str(out_dir.resolve())] if out_dir else [])})


def run_canary(assignment: Assignment, worker: WarmWorker, out_dir: Path, hide: list[Path]) -> CanaryReport:
    """Grade the reference canary with ``worker`` exactly as a submission is graded; raises CanaryFailed."""

    def grade(notebook: Path, questions: set[str]) -> SubmissionResult:
        with tempfile.TemporaryDirectory(prefix="kit-canary-") as tmp:
            tmp_result = Path(tmp) / "result.json"
            error = worker.grade({"assignment": assignment.name, "notebook": str(notebook), "result": str(tmp_result),
                                  "hide": hidden_from(notebook, hide, out_dir), "only_cuda": False,
                                  "questions": sorted(questions)})
            if error or not tmp_result.exists():
                return error_result(assignment, notebook, error or "the grader's worker wrote no result")
            return load_result(tmp_result)

    return check_canary(assignment, grade)


def apply_lateness(assignment: Assignment, results: Sequence[SubmissionResult], submissions: list[Submission],
                   out_dir: Path, policy=None) -> None:
    """Give every result its ``late`` record (submitted time from nbgrader's timestamp.txt, due date with the
    student's extension, penalty, final score; see ``late.LatePolicy``) and save it in its grading.json.

    Results are updated in place."""
    from .late import LateError, LatePolicy, timestamp_of

    policy = policy or LatePolicy()
    subs = {s.id: s for s in submissions}
    for r in results:
        sub = subs.get(r.id)
        if sub is None:
            continue
        problem = ""
        try:
            submitted = timestamp_of(sub.path, assignment.name)
        except (LateError, OSError) as exc:
            submitted, problem = None, str(exc)
        late: Lateness = policy.lateness(sub.student or sub.id, submitted, r.score)
        late.problem = problem
        if r.late != late:
            r.late = late
            if (out_dir / r.id / RESULT_FILE).exists():
                write_json_atomic(out_dir / r.id / RESULT_FILE, r.to_dict())


def grade_batch(assignment: Assignment, submissions: list[Submission], out_dir: Path, *, jobs: int | None = None,
                timeout: float = 600.0, only_cuda: bool = False, progress: bool = True,
                langs: Sequence[str] = ("en",), canary: bool = True, force: bool = False, late=None) -> list[SubmissionResult]:
    """Grade every submission (``jobs`` warm workers, default: one per core) and write the reports
    (student feedback in each of ``langs``, see ``publish.write_reports``; the class files keep the rows
    of submissions graded into ``out_dir`` before). ``force``: grade again even where a saved result could
    be reused. ``late``: the ``late.LatePolicy`` (due date, extensions, penalty) for every ``late`` record.

    With ``canary`` (the default), the reference canary is graded first by the first worker while the others
    start on the submissions; if it does not score full marks, CanaryFailed is raised and nothing is written
    (what the others graded meanwhile is dropped).

    The workers write the hidden tests' messages in every language of ``langs`` (``KIT_LANG``, when set, wins),
    as ``kit grade`` has them do: the same rows however the batch is started."""
    with environment(KIT_LANG=",".join(config_environment().languages or langs)):
        return _grade_batch(assignment, submissions, out_dir, jobs=jobs, timeout=timeout, only_cuda=only_cuda,
                            progress=progress, langs=langs, canary=canary, force=force, late=late)


def _grade_batch(assignment: Assignment, submissions: list[Submission], out_dir: Path, *, jobs: int | None,
                 timeout: float, only_cuda: bool, progress: bool, langs: Sequence[str], canary: bool, force: bool,
                 late) -> list[SubmissionResult]:
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions)))
    hide = sorted({s.path.resolve().parent for s in submissions})  # no student sees another's work
    workers = [WarmWorker(timeout) for _ in range(jobs)]
    for worker in workers:  # all of them start together: the others import while the first grades the canary
        worker.start()
    todo: queue.Queue = queue.Queue()
    for sub in submissions:
        todo.put(sub)
    done: queue.Queue = queue.Queue()
    # While the first worker grades the canary, the others already grade submissions; their results are held
    # back, in memory, until the canary has passed, and dropped if it fails: nothing of a batch whose grader is
    # broken is ever written.
    gate = threading.Lock()
    state = {"passed": not canary or only_cuda, "failed": False}
    held: list[SubmissionResult] = []

    def run_worker(worker: WarmWorker) -> None:
        try:
            while not state["failed"]:
                try:
                    sub = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    row = grade_one(assignment, sub, out_dir, worker, only_cuda, hide, force, save=False)
                except Exception as exc:  # noqa: BLE001 - a grader bug costs a row, never the batch (a hang)
                    worker.stop()
                    row = error_result(assignment, sub.path, f"grader error: {type(exc).__name__}: {exc}")
                    row.id, row.grader_error = sub.id, True
                with gate:
                    if state["failed"]:
                        return
                    if not state["passed"]:
                        held.append(row)  # reported once written, after the canary
                        continue
                # a CUDA-only run writes nothing
                done.put(row if only_cuda else write_result(assignment, row, out_dir))
        finally:
            worker.stop()

    threads = [threading.Thread(target=run_worker, args=(w,), daemon=True) for w in workers[1:]]
    for t in threads:
        t.start()
    if not state["passed"]:
        try:
            report = run_canary(assignment, workers[0], out_dir, hide)
        except BaseException:  # CanaryFailed, or the canary itself broke: nothing is written either way
            with gate:
                state["failed"] = True
                held.clear()
            for t in threads:
                t.join()
            for worker in workers:
                worker.stop()
            raise
        with gate:
            state["passed"] = True
            for row in held:
                done.put(write_result(assignment, row, out_dir))
            held.clear()
        if progress:
            print(f"canary: the reference scored {report.score}/{report.points} on `{report.question}` in "
                  f"{report.seconds:.1f} s ({report.isolation.split(':')[0]} isolation)", file=sys.stderr)
    first = threading.Thread(target=run_worker, args=(workers[0],), daemon=True)
    first.start()
    threads.append(first)
    results: list[SubmissionResult] = []
    with tqdm(total=len(submissions), desc=f"grading {assignment.name}", unit="nb", disable=not progress) as bar:
        while len(results) < len(submissions):
            results.append(done.get())
            bar.update(1)
    for t in threads:
        t.join()
    results.sort(key=lambda r: r.id)
    if not only_cuda:
        apply_lateness(assignment, results, submissions, out_dir, late)
        write_reports(assignment, results, out_dir, list(langs))
    return results
