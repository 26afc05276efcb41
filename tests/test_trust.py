"""Grading you can trust: attacks gain nothing, bad input gets a clear error, faults cost one question,
the batch always finishes, a killed run resumes, and grading is deterministic."""
import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from autograder.course import SAMPLES, tool_env
from awkward import FULL, cases

CASES = {c.name: c for c in cases()}


def test_the_batch_finishes_with_a_row_for_every_submission(batch):
    assert batch.returncode == 0, batch.stdout
    with open(batch.out / "grades.csv", newline="") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    assert sorted(ids) == sorted([*CASES, "alice", "bob", "carol"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_awkward_submission_scores_what_it_earned(batch, name):
    case, result = CASES[name], batch.results[name]
    if case.scores is None:
        assert result["status"] == "error" and result["score"] == 0
        assert case.error in result["error"]
        assert case.error in batch.feedback(name) and case.error in batch.gradescope(name)["output"]
        return
    assert result["status"] == "graded", result["error"]
    assert batch.scores(name) == case.scores
    for question, words in case.messages.items():
        message = next(r["message"] for r in result["questions"] if r["name"] == question)
        assert words in message, message


def test_a_detached_process_cannot_rewrite_results_after_grading(batch):
    time.sleep(3)  # the rewriter would have run by now, had it survived
    with open(batch.out / "grades.csv", newline="") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    assert rows["attack-detached-rewriter"]["total"] == "0"
    assert rows["alice"]["total"] == str(sum(FULL.values()))
    assert json.loads((batch.out / "attack-detached-rewriter" / "results.json").read_text())["score"] == 0


def test_grading_is_deterministic(batch):
    feedback = {batch.feedback(f"determinism-{k}").split("\n", 1)[1] for k in range(1, 6)}
    results = {json.dumps(batch.gradescope(f"determinism-{k}"), sort_keys=True) for k in range(1, 6)}
    assert len(feedback) == 1 and len(results) == 1


def test_a_killed_run_resumes_without_regrading_or_duplicating(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(3):
        (subs / f"s{k}.ipynb").write_bytes((SAMPLES / "tensors" / "solution.ipynb").read_bytes())
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder", "grade", "tensors", str(subs), "--out", str(out), "--jobs", "1", "--quiet"]
    first = subprocess.Popen(cmd, env=tool_env(), start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list(out.glob("*/grading.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    def graded(path):  # what grading wrote (the lateness record is added to every row at the batch's end)
        return {k: v for k, v in json.loads(path.read_text()).items() if k != "late"}

    done = {p.parent.name: graded(p) for p in out.glob("*/grading.json")}
    assert 1 <= len(done) < 3 and not (out / "grades.csv").exists()
    proc = subprocess.run(cmd, env=tool_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0
    # not graded again: the same record, timings included
    assert {p.parent.name: graded(p) for p in out.glob("*/grading.json") if p.parent.name in done} == done
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["id"] for r in rows) == ["s0", "s1", "s2"]
    assert all(r["total"] == str(sum(FULL.values())) for r in rows)
    assert not list(out.rglob(".*.json*"))  # no half-written temporary files left behind


def test_a_module_planted_in_the_graders_working_folder_is_never_imported(tmp_path, monkeypatch):
    # A folder holding submissions may hold a student's `cv2.py`; whoever runs `grade` from there must not
    # have it imported by the grader (which imports OpenCV for this assignment's references, and whose
    # sandbox server preloads what the release notebook imports), only the real library.
    from autograder.grade import Submission, grade_batch
    from kitcheck.assignments import ASSIGNMENTS

    marker = tmp_path / "planted-module-ran"
    (tmp_path / "cv2.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.chdir(tmp_path)
    cnn = ASSIGNMENTS["cnn"]
    [result] = grade_batch(cnn, [Submission("s", SAMPLES / "cnn" / "solution.ipynb")], tmp_path / "out", jobs=1,
                           progress=False)
    assert not marker.exists()
    assert result.score == cnn.total_points
