"""Grade a class of N submissions with the kit and with `nbgrader autograde`, in the same run.

    python benchmarks/grade_class.py --n 50            # both graders
    python benchmarks/grade_class.py --n 200 --kit-only
    python benchmarks/grade_class.py --n 20 --assignment cnn
    python benchmarks/grade_class.py --per-assignment  # one submission of each assignment, warm worker
    python benchmarks/grade_class.py --every --sizes 16 50    # mixed classes of every assignment, both graders

``--every`` (issue 24's table): for each assignment and each N, a mixed class (half correct, a quarter with one
catalogued mistake each, a quarter untouched) graded by the kit and by `nbgrader autograde` in the same run,
with the kit's time split into the workers' start, the sandboxes (start and the student's cells), the hidden
tests and the reports (``--kit-only`` skips nbgrader; ``--kit-runs 3`` grades each class three times with the
kit and shows the median run, so that a stall of a shared machine does not decide a row).

Submissions are copies of an assignment's samples (correct, wrong, untouched; assignment 1's unless
``--assignment`` says otherwise) plus broken files, cycled.
Prints wall times, the ratio nbgrader / kit, the kit's per-submission overhead (time not spent running
tests), and whether both graders gave the same per-question scores.
"""
from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.course import SAMPLES, use_tool_env  # noqa: E402
from autograder.grade import Submission, WarmWorker, grade_batch  # noqa: E402
from autograder.nbgrader_course import autograde  # noqa: E402
from kitcheck.assignments import ASSIGNMENTS  # noqa: E402


def make_class(folder: Path, n: int, assignment: str = "tensors") -> list[Submission]:
    samples = sorted((SAMPLES / assignment).glob("*.ipynb"))
    folder.mkdir(parents=True)
    subs = []
    for k, sample in zip(range(n), itertools.cycle(samples + ["broken"])):
        path = folder / f"student{k:03d}.ipynb"
        if sample == "broken":
            path.write_text('{"cells": [', encoding="utf-8")
        else:
            shutil.copy(sample, path)
        subs.append(Submission(path.stem, path))
    return subs


def make_mixed_class(folder: Path, n: int, assignment: str) -> list[Submission]:
    """Half correct, a quarter with one mistake (the catalog's samples, in turn), a quarter untouched."""
    mistakes = sorted((SAMPLES / assignment).glob("mistake-*.ipynb"))
    folder.mkdir(parents=True)
    subs = []
    for k in range(n):
        if k % 4 in (0, 2):
            sample = SAMPLES / assignment / "solution.ipynb"
        elif k % 4 == 1:
            sample = mistakes[(k // 4) % len(mistakes)]
        else:
            sample = SAMPLES / assignment / "untouched.ipynb"
        path = folder / f"student{k:03d}.ipynb"
        shutil.copy(sample, path)
        subs.append(Submission(path.stem, path))
    return subs


def median_run(runs: list[tuple]) -> tuple:
    """The run of median time among ``runs`` (``(seconds, ...)`` each; the lower middle one of an even number):
    one stall of a shared machine does not decide a row."""
    return sorted(runs, key=lambda run: run[0])[(len(runs) - 1) // 2]


def every(ns: list[int], jobs: int | None, kit_only: bool, only: list[str] | None = None, kit_runs: int = 1) -> int:
    """Issue 24's table: every assignment (or those in ``only``), mixed classes of each size in ``ns``; the kit
    grades each class ``kit_runs`` times and the row shows the median run (and every run's time)."""
    import os

    import torch

    from autograder.publish import write_reports

    jobs = jobs or os.cpu_count() or 1
    # With a GPU the hidden tests' CUDA cases run too (they are skipped without one): say which this run measured.
    print(f"CUDA tests: {'on, ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'off (no CUDA device)'}"
          f"; {jobs} jobs", flush=True)
    print("| assignment | N | kit (s) | nbgrader (s) | nbgrader/kit | workers' start (s) | sandboxes (s) | "
          "hidden tests (s) | reports (s) | same scores | kit runs (s) |\n|---|---|---|---|---|---|---|---|---|---|---|",
          flush=True)
    same_everywhere = True
    for name, assignment in sorted(ASSIGNMENTS.items(), key=lambda kv: kv[1].number):
        if only and name not in only:
            continue
        for n in ns:
            with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
                start_one = worker_start_seconds(Path(tmp), name)
                subs = make_mixed_class(Path(tmp) / "class", n, name)
                runs = []
                for k in range(kit_runs):  # each a fresh batch: its own workers and output folder
                    start = time.perf_counter()
                    results = grade_batch(assignment, subs, Path(tmp) / f"kit{k}", jobs=jobs, progress=False)
                    runs.append((time.perf_counter() - start, k, results))
                kit, k, results = median_run(runs)
                start = time.perf_counter()
                write_reports(assignment, results, Path(tmp) / f"kit{k}")  # what the batch spent on them, again
                reports = time.perf_counter() - start
                # per-submission times run in parallel on ``jobs`` workers: shown as wall-clock shares
                share = min(jobs, n)
                sandbox = sum(r.sandbox_seconds or 0 for r in results) / share
                tests = sum(r.test_seconds or 0 for r in results) / share
                nbgrader, same = float("nan"), None
                if not kit_only:
                    start = time.perf_counter()
                    nb_scores = autograde(assignment, subs, Path(tmp) / "nbgrader")
                    nbgrader = time.perf_counter() - start
                    kit_scores = {r.id: {q.name: q.score for q in r.questions} for r in results}
                    same = all(kit_scores[s.id] == nb_scores[s.id] for s in subs)
                    same_everywhere &= same
                all_runs = ", ".join(f"{seconds:.1f}" for seconds, _, _ in runs)
                print(f"| {assignment.number} {name} | {n} | {kit:.1f} | {nbgrader:.1f} | {nbgrader / kit:.1f}x | "
                      f"{start_one:.1f} | {sandbox:.1f} | {tests:.1f} | {reports:.1f} | {same} | {all_runs} |",
                      flush=True)
    return 0 if same_everywhere else 1


def worker_start_seconds(folder: Path, assignment: str = "tensors") -> float:
    """Wall time for a fresh warm worker to answer its first request (a broken file, which needs neither a
    sandbox nor a test): starting Python, imports, warming torch, forking its sandbox server. Paid once per
    job, not per submission."""
    broken = folder / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    worker = WarmWorker(timeout=600)
    start = time.perf_counter()
    error = worker.grade({"assignment": assignment, "notebook": str(broken), "result": str(folder / "start.json"),
                          "hide": [], "only_cuda": False})
    seconds = time.perf_counter() - start
    worker.stop()
    if error:
        raise SystemExit(f"a worker did not start: {error}")
    return seconds


def per_assignment() -> int:
    """Each assignment's solution sample graded by a warm worker (after a first, warming submission)."""
    print("| assignment | one submission (s) | of which hidden tests (s) | overhead (s) |\n|---|---|---|---|")
    for name, assignment in sorted(ASSIGNMENTS.items(), key=lambda kv: kv[1].number):
        folder = SAMPLES / name
        subs = [Submission("warm-up", folder / "untouched.ipynb"), Submission("solution", folder / "solution.ipynb")]
        with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
            results = grade_batch(assignment, subs, Path(tmp), jobs=1, progress=False)
        r = next(r for r in results if r.id == "solution")
        seconds, tests = r.seconds or 0.0, r.test_seconds or 0.0
        print(f"| {assignment.number} {name} | {seconds:.2f} | {tests:.2f} | {seconds - tests:.2f} |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--kit-only", action="store_true")
    parser.add_argument("--per-assignment", action="store_true")
    parser.add_argument("--assignment", default="tensors", choices=sorted(ASSIGNMENTS))
    parser.add_argument("--every", action="store_true", help="mixed classes of every assignment (see above)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 50], help="with --every: the class sizes")
    parser.add_argument("--only", nargs="+", choices=sorted(ASSIGNMENTS), help="with --every: these assignments")
    parser.add_argument("--kit-runs", type=int, default=1,
                        help="with --every: grade each class this many times with the kit and show the median run")
    args = parser.parse_args()
    use_tool_env()
    if args.per_assignment:
        return per_assignment()
    if args.every:
        if args.kit_runs < 1:
            parser.error("--kit-runs must be at least 1")
        return every(args.sizes, args.jobs, args.kit_only, args.only, args.kit_runs)
    assignment = ASSIGNMENTS[args.assignment]
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        worker_start = worker_start_seconds(Path(tmp), assignment.name)
        subs = make_class(Path(tmp) / "class", args.n, assignment.name)
        start = time.perf_counter()
        results = grade_batch(assignment, subs, Path(tmp) / "kit", jobs=args.jobs, progress=False)
        kit = time.perf_counter() - start
        jobs = args.jobs or __import__("os").cpu_count()
        test_time = sum(r.test_seconds or 0 for r in results)
        overhead = (kit * min(jobs, args.n) - test_time) / args.n
        cells = sum(r.sandbox_seconds or 0 for r in results) / args.n
        starts = min(jobs, args.n) * worker_start / args.n  # the workers' start, shared out over the class
        print(f"kit:      {kit:8.1f} s for {args.n} submissions ({kit / args.n:.2f} s each, {jobs} jobs); "
              f"overhead {overhead:.2f} s per submission (time not in hidden tests), of which {cells:.2f} s "
              f"starting the sandbox and running the student's cells and {overhead - cells:.2f} s the rest")
        print(f"          a worker starts in {worker_start:.2f} s (once per job: {starts:.2f} s per submission "
              f"here); beyond that, {overhead - starts:.2f} s of overhead per submission")
        if args.kit_only:
            return 0
        readable = [s for s in subs if s.path.read_text(encoding="utf-8").endswith("}\n")]
        start = time.perf_counter()
        nb_scores = autograde(assignment, readable, Path(tmp) / "nbgrader")
        nbgrader = time.perf_counter() - start
        kit_scores = {r.id: {q.name: q.score for q in r.questions} for r in results}
        same = all(kit_scores[s.id] == nb_scores[s.id] for s in readable)
        print(f"nbgrader: {nbgrader:8.1f} s for {len(readable)} readable submissions (broken files left out; "
              f"the kit graded them too)")
        print(f"ratio nbgrader/kit: {nbgrader / kit:.2f}x; identical per-question scores: {same}")
        print(f"\n| N | kit (s) | nbgrader (s) | nbgrader/kit | kit overhead per submission (s) | same scores |\n"
              f"|---|---|---|---|---|---|\n| {args.n} | {kit:.1f} | {nbgrader:.1f} | {nbgrader / kit:.1f}x | "
              f"{overhead:.2f} ({cells:.2f} sandbox and cells; {starts:.2f} workers' start, "
              f"{overhead - starts:.2f} beyond it) | {same} |")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
