"""Grading a class: find the submissions, grade them with warm worker processes, write the reports.

One bad submission never stops the batch: a notebook that cannot be read, hangs or crashes its worker
gets a row with status ``error`` and a message. Results already on disk for an unchanged notebook are
reused, so a batch that was killed halfway resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import select
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from kitcheck.spec import Assignment

from .canary import CanaryFailed, CanaryReport, check_canary
from .course import tool_env
from .report import write_reports
from .files import write_json_atomic
from .worker import score

RESULT_FILE = "grading.json"
# Submissions per warm worker before a fresh one, to bound any slow leak. None measured: a worker grading
# 60 tensors submissions stayed at 708-711 MiB and as fast at the end as at the start.
RECYCLE_AFTER = 500


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path


def discover(assignment: Assignment, paths: list[Path]) -> list[Submission]:
    """Submissions from files (id: the file's stem) and folders.

    A folder may be nbgrader's ``submitted/`` (``<student>/<assignment>/``), one student's
    ``<student>/<assignment>/`` folder (holding ``<assignment>.ipynb``), or a folder of notebooks.
    """
    found: list[Submission] = []
    for path in map(Path, paths):
        if not path.is_dir():
            found.append(Submission(path.stem, path))
        elif any((d / assignment.name).is_dir() for d in path.iterdir()):
            for student in sorted(d for d in path.iterdir() if (d / assignment.name).is_dir()):
                found.append(Submission(student.name, _notebook_in(assignment, student / assignment.name)))
        elif path.name == assignment.name and (path / assignment.notebook).exists():
            found.append(Submission(path.parent.resolve().name, _notebook_in(assignment, path)))
        else:
            found += [Submission(p.stem, p) for p in sorted(path.glob("*.ipynb"))]
    seen: dict[str, int] = {}
    unique = []
    for sub in found:  # two files with the same stem keep both rows
        seen[sub.id] = seen.get(sub.id, 0) + 1
        unique.append(sub if seen[sub.id] == 1 else Submission(f"{sub.id}-{seen[sub.id]}", sub.path))
    return unique


def _notebook_in(assignment: Assignment, folder: Path) -> Path:
    expected = folder / assignment.notebook
    others = sorted(folder.glob("*.ipynb"))
    return expected if expected.exists() or not others else others[0]


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

    def _ensure(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None or self.served >= RECYCLE_AFTER:
            self.stop()
            # -P: the current folder (maybe one holding submissions) is not put on sys.path
            self.proc = subprocess.Popen([sys.executable, "-P", "-m", "autograder.worker", "--serve"], env=tool_env(),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         start_new_session=True, text=True, bufsize=1)
            self.served = 0
        return self.proc

    def grade(self, request: dict) -> str:
        """Grade one request; returns "" or the reason it failed."""
        proc = self._ensure()
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
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.proc = None


def _saved(result_path: Path, digest: str) -> dict | None:
    try:
        saved = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # none yet, or damaged: grade again
    return saved if saved.get("fingerprint") == digest else None


def error_result(assignment: Assignment, notebook: Path, error: str) -> dict:
    """The row of a submission the grader could not grade (``error`` says why): 0 on every question."""
    result = {"assignment": assignment.name, "notebook": str(notebook), "status": "error", "error": error,
              "notebook_errors": [], "questions": score(assignment, []), "score": 0,
              "max_score": assignment.total_points}
    for row in result["questions"]:
        row["message"] = f"{row['name']}: not graded ({error})"
    return result


def grade_one(assignment: Assignment, sub: Submission, out_dir: Path, worker: WarmWorker, only_cuda: bool = False,
              hide: list[Path] = ()) -> dict:
    """Grade one submission with ``worker`` (or reuse its saved result); never raises.

    ``hide``: folders the student's code must not see, besides ``out_dir`` and the submission's own folder."""
    result_path = out_dir / sub.id / RESULT_FILE
    digest = fingerprint(sub.path)
    if not only_cuda and (saved := _saved(result_path, digest)):
        return saved
    with tempfile.TemporaryDirectory(prefix="kit-worker-") as tmp:
        tmp_result = Path(tmp) / "result.json"
        folders = sorted({str(out_dir.resolve()), str(sub.path.resolve().parent), *map(str, hide)})
        error = worker.grade({"assignment": assignment.name, "notebook": str(sub.path), "result": str(tmp_result),
                              "hide": folders, "only_cuda": only_cuda})
        if not error and not tmp_result.exists():
            error = "the grader's worker wrote no result"
        if error:
            result = error_result(assignment, sub.path, error)
        else:
            result = json.loads(tmp_result.read_text(encoding="utf-8"))
    result.update(id=sub.id, fingerprint=digest)
    if not only_cuda:
        write_json_atomic(result_path, result)
    return result


def run_canary(assignment: Assignment, worker: WarmWorker, out_dir: Path, hide: list[Path]) -> CanaryReport:
    """Grade the reference canary with ``worker`` exactly as a submission is graded; raises CanaryFailed."""

    def grade(notebook: Path, questions: set[str]) -> dict:
        with tempfile.TemporaryDirectory(prefix="kit-canary-") as tmp:
            tmp_result = Path(tmp) / "result.json"
            folders = sorted({str(out_dir.resolve()), str(notebook.resolve().parent), *map(str, hide)})
            error = worker.grade({"assignment": assignment.name, "notebook": str(notebook), "result": str(tmp_result),
                                  "hide": folders, "only_cuda": False, "questions": sorted(questions)})
            if error or not tmp_result.exists():
                return error_result(assignment, notebook, error or "the grader's worker wrote no result")
            return json.loads(tmp_result.read_text(encoding="utf-8"))

    return check_canary(assignment, grade)


def grade_batch(assignment: Assignment, submissions: list[Submission], out_dir: Path, *, jobs: int | None = None,
                timeout: float = 600.0, only_cuda: bool = False, progress: bool = True,
                langs: list[str] = ("en",), canary: bool = True) -> list[dict]:
    """Grade every submission (``jobs`` warm workers, default: one per core) and write the reports
    (student feedback in each of ``langs``, see ``report.write_reports``).

    With ``canary`` (the default), the reference canary is graded first by the first worker; if it does not
    score full marks, CanaryFailed is raised and nothing is graded or written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions)))
    hide = sorted({s.path.resolve().parent for s in submissions})  # no student sees another's work
    workers = [WarmWorker(timeout) for _ in range(jobs)]
    if canary and not only_cuda:
        try:
            report = run_canary(assignment, workers[0], out_dir, hide)
        except CanaryFailed:
            workers[0].stop()
            raise
        if progress:
            print(f"canary: the reference scored {report.score}/{report.points} on `{report.question}` in "
                  f"{report.seconds:.1f} s ({report.isolation.split(':')[0]} isolation)", file=sys.stderr)
    todo: queue.Queue = queue.Queue()
    for sub in submissions:
        todo.put(sub)
    done: queue.Queue = queue.Queue()

    def run_worker(worker: WarmWorker) -> None:
        try:
            while True:
                try:
                    sub = todo.get_nowait()
                except queue.Empty:
                    return
                done.put(grade_one(assignment, sub, out_dir, worker, only_cuda, hide))
        finally:
            worker.stop()

    threads = [threading.Thread(target=run_worker, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    results = []
    with tqdm(total=len(submissions), desc=f"grading {assignment.name}", unit="nb", disable=not progress) as bar:
        while len(results) < len(submissions):
            results.append(done.get())
            bar.update(1)
    for t in threads:
        t.join()
    results.sort(key=lambda r: r["id"])
    if not only_cuda:
        write_reports(assignment, results, out_dir, langs)
    return results
