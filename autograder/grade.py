"""Grading a class: find the submissions, grade each in its own worker process, write the reports.

One bad submission never stops the batch: a notebook that cannot be read, hangs or crashes its worker
gets a row with status ``error`` and a message. Results already on disk for an unchanged notebook are
reused, so a batch that was killed halfway resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from kitcheck.spec import Assignment

from .course import tool_env
from .report import write_reports
from .worker import score, write_json_atomic

RESULT_FILE = "grading.json"


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


def grade_one(assignment: Assignment, sub: Submission, out_dir: Path, timeout: float, only_cuda: bool = False,
              hide: list[Path] = ()) -> dict:
    """Grade one submission in a worker process (or reuse its saved result); never raises.

    ``hide``: folders the student's code must not see, besides ``out_dir`` and the submission's own folder."""
    result_path = out_dir / sub.id / RESULT_FILE
    digest = fingerprint(sub.path)
    if result_path.exists() and not only_cuda:
        try:
            saved = json.loads(result_path.read_text(encoding="utf-8"))
            if saved.get("fingerprint") == digest:
                return saved
        except (OSError, json.JSONDecodeError):
            pass  # a damaged result is simply regraded
    with tempfile.TemporaryDirectory(prefix="kit-worker-") as tmp:
        tmp_result = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "autograder.worker", assignment.name, str(sub.path), str(tmp_result)]
        if only_cuda:
            cmd.append("--only-cuda")
        for folder in sorted({out_dir.resolve(), sub.path.resolve().parent, *hide}):
            cmd += ["--hide", str(folder)]
        error = ""
        try:
            proc = subprocess.run(cmd, env=tool_env(), capture_output=True, text=True, timeout=timeout,
                                  start_new_session=True)
            if proc.returncode != 0 or not tmp_result.exists():
                error = f"the grader failed on this submission (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
        except subprocess.TimeoutExpired:
            error = f"grading took longer than {timeout:g} s and was stopped"
        if error:
            result = {"assignment": assignment.name, "notebook": str(sub.path), "status": "error", "error": error,
                      "notebook_errors": [], "questions": score(assignment, []), "score": 0,
                      "max_score": assignment.total_points}
            for row in result["questions"]:
                row["message"] = f"{row['name']}: not graded ({error})"
        else:
            result = json.loads(tmp_result.read_text(encoding="utf-8"))
    result.update(id=sub.id, fingerprint=digest)
    if not only_cuda:
        write_json_atomic(result_path, result)
    return result


def grade_batch(assignment: Assignment, submissions: list[Submission], out_dir: Path, *, jobs: int | None = None,
                timeout: float = 600.0, only_cuda: bool = False, progress: bool = True) -> list[dict]:
    """Grade every submission (``jobs`` at a time, default: all cores) and write the reports."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = jobs or os.cpu_count() or 1
    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        hide = sorted({s.path.resolve().parent for s in submissions})  # no student sees another's work
        futures = [pool.submit(grade_one, assignment, sub, out_dir, timeout, only_cuda, hide) for sub in submissions]
        bar = tqdm(as_completed(futures), total=len(futures), desc=f"grading {assignment.name}", unit="nb",
                   disable=not progress)
        for future in bar:
            results.append(future.result())
    results.sort(key=lambda r: r["id"])
    if not only_cuda:
        write_reports(assignment, results, out_dir)
    return results
