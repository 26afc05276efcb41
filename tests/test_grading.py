"""Grading a batch of assignment 1: awkward submissions, reports, formats, and nothing hidden leaks.

(Scores in both directions for every assignment's samples: test_assignments.py.)"""
import csv
import re

import pytest
import torch

from autograder.assignments import hidden_test_file
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]
FULL = {q.name: q.points for q in TENSORS.questions}


def test_nbgrader_submitted_layout_uses_student_ids(batch):
    assert batch.scores("alice") == FULL
    assert batch.results["bob"]["score"] == 0
    carol = batch.results["carol"]
    assert carol["status"] == "error" and "found a folder" in carol["error"]


@pytest.mark.parametrize("which", ["batch", "samples"])
def test_grades_csv_has_one_column_per_question_and_the_total(batch, graded_samples, which):
    batch = batch if which == "batch" else graded_samples("tensors")
    with open(batch.out / "grades.csv", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["id", *FULL, "total", "max", "status", "error"]
    assert len(rows) == len(batch.results)
    for row in rows:
        assert int(row["total"]) == sum(int(row[q]) for q in FULL) == batch.results[row["id"]]["score"]


@pytest.mark.parametrize("which", ["batch", "samples"])
def test_results_json_follows_gradescope_format(batch, graded_samples, which):
    batch = batch if which == "batch" else graded_samples("tensors")
    for sid in batch.results:
        data = batch.gradescope(sid)
        assert isinstance(data["score"], (int, float)) and isinstance(data["tests"], list)
        assert len(data["tests"]) == len(TENSORS.questions)
        for test in data["tests"]:
            assert isinstance(test["name"], str) and isinstance(test["output"], str)
            assert 0 <= test["score"] <= test["max_score"]
            assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert sum(t["score"] for t in data["tests"]) == data["score"]
        assert sum(t["max_score"] for t in data["tests"]) == TENSORS.total_points


def test_feedback_explains_a_failure_with_input_expected_got_and_likely_cause(graded_samples):
    batch = graded_samples("tensors")
    text = batch.feedback("mistake-var_mean-biased-variance")
    section = text.split("`var_mean`")[1].split("## ")[0]
    for part in ("input:", "expected:", "got:", "worst element", "torch.float", "cpu"):
        assert part in section, part
    assert "**Likely cause:** Always divides by n (the biased variance)" in section
    output = next(t["output"] for t in batch.gradescope("mistake-var_mean-biased-variance")["tests"]
                  if t["name"].startswith("var_mean"))
    assert "likely cause: Always divides by n" in output
    assert "## ✓ `broadcast_shape` (3/3)" in text and "## ✗ `var_mean` (0/3)" in text


def test_no_hidden_test_source_reaches_students(batch, graded_samples):
    source = hidden_test_file("tensors").read_text()
    lines = {ln.strip() for ln in source.splitlines() if len(ln.strip()) >= 20}
    names = set(re.findall(r"def (test_\w+)", source))
    for graded in (batch, graded_samples("tensors")):
        for sid in graded.results:
            for name in ("feedback.md", "results.json"):
                text = (graded.out / sid / name).read_text(encoding="utf-8")
                leaked = [ln for ln in lines if ln in text] + [n for n in names if n in text]
                assert not leaked, (sid, name, leaked[:3])


def test_cuda_cases_are_skipped_with_a_reason_or_run(graded_samples):
    tests = [t for row in graded_samples("tensors").results["solution"]["questions"] for t in row["tests"]]
    cuda = [t for t in tests if "cuda" in t["nodeid"]]
    assert len(cuda) >= 5
    if torch.cuda.is_available():
        assert all(t["outcome"] == "passed" for t in cuda)
    else:
        assert all(t["outcome"] == "skipped" and "no CUDA device" in t["message"] for t in cuda)
    assert any(t["outcome"] == "passed" and "cpu" in t["nodeid"] for t in tests)


def test_regrading_reuses_saved_results(graded_samples, tmp_path):
    batch = graded_samples("tensors")
    import json
    import shutil
    import subprocess
    import sys

    from autograder.course import SAMPLES, tool_env

    out = tmp_path / "out"
    shutil.copytree(batch.out / "solution", out / "solution")
    saved = json.loads((out / "solution" / "grading.json").read_text())
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors",
                           str(SAMPLES / "tensors" / "solution.ipynb"), "--out", str(out), "--quiet"],
                          env=tool_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    assert json.loads((out / "solution" / "grading.json").read_text()) == saved
    assert "1 submission(s) in" in proc.stdout


def test_gpu_check_selects_only_the_cuda_tests(tmp_path):
    from autograder.course import SAMPLES
    from autograder.grade import Submission, WarmWorker, grade_one

    worker = WarmWorker(timeout=300)
    result = grade_one(TENSORS, Submission("solution", SAMPLES / "tensors" / "solution.ipynb"), tmp_path, worker,
                       only_cuda=True)
    worker.stop()
    tests = [t for row in result["questions"] for t in row["tests"]]
    assert tests and all("cuda" in t["nodeid"] for t in tests)
    expected = "passed" if torch.cuda.is_available() else "skipped"
    assert {t["outcome"] for t in tests} == {expected}
    assert not (tmp_path / "solution").exists()  # a GPU check never touches saved grades


@pytest.mark.slow
def test_one_job_without_the_fork_server_grades_exactly_alike(graded_samples, tmp_path):
    # The default (all cores, sandboxes forked from a warm server) must not change a score or a message.
    import json
    import subprocess
    import sys

    from autograder.course import SAMPLES, tool_env

    batch = graded_samples("tensors")
    names = ["solution", "untouched", "mistake-var_mean-biased-variance"]
    env = {**tool_env(), "KIT_NO_FORK_SERVER": "1"}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors",
                           *[str(SAMPLES / "tensors" / f"{n}.ipynb") for n in names], "--out", str(out),
                           "--jobs", "1", "--quiet"], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    def verdicts(result: dict) -> list:
        return [(q["name"], q["score"], q["message"]) for q in result["questions"]]

    for name in names:
        alone = json.loads((out / name / "grading.json").read_text())
        assert verdicts(alone) == verdicts(batch.results[name]), name


def test_kit_reads_relative_paths_from_where_it_was_run(tmp_path):
    # ./kit changes to its own folder before starting Python; the submissions and --out named relative to
    # the user's folder must still be found there, and a path that exists nowhere is an error, not a 0.
    import shutil
    import subprocess

    from autograder.course import REPO, SAMPLES

    (tmp_path / "subs").mkdir()
    shutil.copy(SAMPLES / "tensors" / "solution.ipynb", tmp_path / "subs" / "alice.ipynb")
    kit = [str(REPO / "kit"), "grade", "tensors"]
    proc = subprocess.run([*kit, "subs", "--out", "out", "--jobs", "1", "--quiet"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert row["id"] == "alice" and row["total"] == str(ASSIGNMENTS["tensors"].total_points)
    assert not (REPO / "out").exists()
    proc = subprocess.run([*kit, "subs/typo.ipynb", "--out", "out2"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2 and "no such file or folder: " in proc.stderr and "typo.ipynb" in proc.stderr
    assert not (tmp_path / "out2").exists()
