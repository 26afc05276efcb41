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
    assert reader.fieldnames == ["id", *FULL, "total", "max", "submitted", "due", "hours_late", "penalty", "final",
                                 "status", "error"]
    assert len(rows) == len(batch.results)
    for row in rows:
        assert int(row["total"]) == sum(int(row[q]) for q in FULL) == batch.results[row["id"]]["score"]
        assert row["final"] == row["total"] and row["penalty"] == "0"  # no due date: no penalty


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
    tests = [t for row in result.questions for t in row.tests]
    assert tests and all("cuda" in t.nodeid for t in tests)
    expected = "passed" if torch.cuda.is_available() else "skipped"
    assert {t.outcome for t in tests} == {expected}
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


# ---------------------------------------------------------------------------------------------------- ids
def _grade_cli(paths, out, *extra, timeout=600):
    import subprocess
    import sys

    from autograder.course import tool_env

    return subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors", *map(str, paths), "--out", str(out),
                           "--quiet", "--jobs", "1", *extra], env=tool_env(), capture_output=True, text=True,
                          timeout=timeout)


def _rows(path):
    with open(path, newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def test_ids_are_safe_folder_names_that_never_take_a_class_files_name(tmp_path):
    from autograder.grade import discover, safe_id
    from autograder.report import CLASS_FILES

    for name in CLASS_FILES:  # every class file's name, any case
        for variant in (name, name.upper()):
            sid = safe_id(variant)
            assert sid.lower() not in CLASS_FILES and "." not in sid.rpartition("_")[2], (variant, sid)
    assert safe_id("report-histogram.png") == "report-histogram_png"  # a future report-*.png too
    assert [safe_id(n) for n in ("alice", "john.doe", "张三", "..", ".bashrc", "a/b", "")] == \
        ["alice", "john.doe", "张三", "submission", "bashrc", "a_b", "submission"]
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "alice.ipynb").write_text("{}")
    (tmp_path / "x" / "Alice.ipynb").write_text("{}")
    (tmp_path / "x" / "alice-2.ipynb").write_text("{}")
    (tmp_path / "x" / "grades.csv.ipynb").write_text("{}")
    subs = discover(TENSORS, [tmp_path / "x", tmp_path / "y"])
    ids = [s.id for s in subs]
    assert len({i.casefold() for i in ids}) == len(ids) == 5  # unique, also where case is ignored
    assert dict(zip([s.path.relative_to(tmp_path).as_posix() for s in subs], ids)) == {
        "x/Alice.ipynb": "Alice", "x/alice-2.ipynb": "alice-2", "x/alice.ipynb": "alice-3",
        "x/grades.csv.ipynb": "grades_csv", "y/alice.ipynb": "alice-4"}


def test_one_student_of_nbgraders_submitted_tree_is_found_three_ways(tmp_path):
    from autograder.grade import discover

    folder = tmp_path / "submitted" / "john.doe" / "tensors"
    folder.mkdir(parents=True)
    (folder / "tensors.ipynb").write_text("{}")
    for path in (tmp_path / "submitted", tmp_path / "submitted" / "john.doe", folder):
        [sub] = discover(TENSORS, [path])
        assert (sub.id, sub.student, sub.path) == ("john.doe", "john.doe", folder / "tensors.ipynb"), path


def test_a_course_sites_download_with_a_folder_per_student_is_found(tmp_path, capsys):
    # Moodle, Canvas and a TA's own collection give one folder per student, the notebook inside under any name.
    from autograder.cli import main
    from autograder.grade import discover

    downloads = tmp_path / "downloads"
    for folder, names in {"Alice Smith_123_assignsubmission_file_": ["scratch.ipynb", "Tensors (1).ipynb"],
                          "bob": ["tensors.ipynb", "notes.ipynb"], "carol": ["my work.ipynb"], "dave": ["notes.txt"],
                          ".ipynb_checkpoints": ["loose-checkpoint.ipynb"]}.items():
        (downloads / folder).mkdir(parents=True)
        for name in names:
            (downloads / folder / name).write_text("{}")
    (downloads / "bob" / ".ipynb_checkpoints").mkdir()
    (downloads / "bob" / ".ipynb_checkpoints" / "tensors-checkpoint.ipynb").write_text("{}")
    (downloads / "loose.ipynb").write_text("{}")
    found = {s.id: s.path.relative_to(downloads).as_posix() for s in discover(TENSORS, [downloads])}
    assert found == {"loose": "loose.ipynb",
                     "Alice Smith_123_assignsubmission_file_": "Alice Smith_123_assignsubmission_file_/Tensors (1).ipynb",
                     "bob": "bob/tensors.ipynb", "carol": "carol/my work.ipynb"}
    # A folder with nothing to grade says which layouts it reads, instead of grading nothing in silence.
    (tmp_path / "empty" / "dave").mkdir(parents=True)
    assert main(["grade", "tensors", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--no-canary"]) == 2
    err = capsys.readouterr().err
    assert "no submissions found" in err and "a folder per student" in err


def test_a_submission_named_like_a_class_file_and_two_of_the_same_name_are_all_graded(graded_samples, tmp_path):
    import shutil

    from autograder.course import SAMPLES

    batch = graded_samples("tensors")
    for folder, name, sample in (("a", "grades.csv", "solution"), ("a", "alice", "solution"),
                                 ("b", "alice", "mistake-var_mean-biased-variance")):
        (tmp_path / folder).mkdir(exist_ok=True)
        shutil.copy(SAMPLES / "tensors" / f"{sample}.ipynb", tmp_path / folder / f"{name}.ipynb")
    out = tmp_path / "out"
    batch.seed(out, {"grades_csv": "solution", "alice": "solution",
                     "alice-2": "mistake-var_mean-biased-variance"})  # graded already: reused
    proc = _grade_cli([tmp_path / "a", tmp_path / "b"], out, "--no-canary")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "grades.csv").is_file() and (out / "report.html").is_file() and (out / "grades_csv").is_dir()
    rows = _rows(out / "grades.csv")
    assert {i: r["total"] for i, r in rows.items()} == {"alice": "20", "alice-2": "17", "grades_csv": "20"}


# ------------------------------------------------------------------------------------ reuse and --force
def test_the_reuse_key_covers_the_spec_tests_references_catalog_and_the_grading_code(tmp_path):
    import shutil

    from autograder.assignments import hidden_test_file
    from autograder.course import KITCHECK
    from autograder.grader_key import digest_of, grader_inputs, grader_key

    inputs = grader_inputs("linalg")
    names = {p.name for p in inputs}
    assert KITCHECK / "assignments" / "linalg.py" in inputs  # the spec: questions and their points
    assert hidden_test_file("linalg") in inputs and {"references.py", "catalog.py", "probes.py"} <= names
    assert KITCHECK / "data" / "linalg.pt" in inputs and {"worker.py", "compare.py", "transport.py"} <= names
    assert not any(p.name in ("tensors.py", "tensors.pt") for p in inputs)  # not another assignment's
    assert grader_key("linalg") == digest_of(inputs) != grader_key("tensors")
    copies = []
    for p in inputs:  # a question moved from 2 to 4 points: another key
        copies.append(tmp_path / f"{len(copies)}-{p.name}")
        if p.exists():
            shutil.copy(p, copies[-1])
    before = digest_of(copies)
    spec = copies[0]
    spec.write_text(spec.read_text().replace("Question(", "Question( ", 1))
    assert digest_of(copies) != before


def test_a_result_from_another_grader_is_graded_again_and_force_regrades_anyway(graded_samples, tmp_path):
    import json

    from autograder.course import SAMPLES

    import subprocess
    import sys

    from autograder.course import tool_env

    batch = graded_samples("tensors")
    out = tmp_path / "out"
    batch.seed(out, {"solution": "solution", "untouched": "untouched"})
    stale = json.loads((out / "solution" / "grading.json").read_text())
    stale.update(grader_key="graded-before-the-points-changed", marker="seeded")
    (out / "solution" / "grading.json").write_text(json.dumps(stale))
    key = subprocess.run([sys.executable, "-c", "from autograder.grade import grader_key; print(grader_key('tensors'))"],
                         env=tool_env(), capture_output=True, text=True, check=True).stdout.strip()
    fresh = json.loads((out / "untouched" / "grading.json").read_text())
    (out / "untouched" / "grading.json").write_text(json.dumps({**fresh, "grader_key": key, "marker": "seeded"}))
    paths = [SAMPLES / "tensors" / f"{n}.ipynb" for n in ("solution", "untouched")]
    proc = _grade_cli(paths, out, "--no-canary")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    regraded = json.loads((out / "solution" / "grading.json").read_text())
    assert "marker" not in regraded and regraded["grader_key"] == key and regraded["score"] == 20
    assert json.loads((out / "untouched" / "grading.json").read_text())["marker"] == "seeded"  # reused
    proc = _grade_cli(paths[1:], out, "--no-canary", "--force")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "marker" not in json.loads((out / "untouched" / "grading.json").read_text())  # --force: graded again


def test_grading_some_students_again_keeps_the_others_rows(graded_samples, tmp_path):
    from autograder.course import SAMPLES

    batch = graded_samples("tensors")
    out = tmp_path / "out"
    ids = ["solution", "untouched", "mistake-var_mean-biased-variance"]
    batch.seed(out, {i: i for i in ids})
    proc = _grade_cli([SAMPLES / "tensors" / f"{i}.ipynb" for i in ids], out, "--no-canary")
    assert proc.returncode == 0 and set(_rows(out / "grades.csv")) == set(ids)
    proc = _grade_cli([SAMPLES / "tensors" / "untouched.ipynb"], out, "--no-canary")  # one student again
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "with 2 submission(s) graded there before" in proc.stdout
    rows = _rows(out / "grades.csv")
    assert {i: r["total"] for i, r in rows.items()} == {"solution": "20", "untouched": "0",
                                                        "mistake-var_mean-biased-variance": "17"}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "3 submission(s) graded" in page and "2 of these submissions were graded by earlier runs" in page


# --------------------------------------------------------------------------------- another assignment
def test_a_notebook_of_another_assignment_is_an_error_naming_it(tmp_path):
    import json

    from autograder.course import SAMPLES

    linalg = json.loads((SAMPLES / "linalg" / "solution.ipynb").read_text())
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ada.ipynb").write_text(json.dumps(linalg))
    for cell in linalg["cells"]:  # the same code, saved by a tool that drops nbgrader's metadata
        cell.get("metadata", {}).pop("nbgrader", None)
    (tmp_path / "subs" / "bo.ipynb").write_text(json.dumps(linalg))
    scratch = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
               "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                          "source": "import torch\nx = torch.ones(3)\nprint(x.sum())"}]}
    (tmp_path / "subs" / "cy.ipynb").write_text(json.dumps(scratch))
    out = tmp_path / "out"
    proc = _grade_cli([tmp_path / "subs"], out, "--no-canary", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(out / "grades.csv")
    assert {i: r["status"] for i, r in rows.items()} == {"ada": "error", "bo": "error", "cy": "error"}
    assert "notebook of assignment 2 (`linalg`), not of assignment 1 (`tensors`)" in rows["ada"]["error"]
    assert "looks like the one of assignment 2 (`linalg`)" in rows["bo"]["error"]
    assert "defines none of the functions assignment 1 (`tensors`) grades" in rows["cy"]["error"]
    assert "Submit your tensors.ipynb" in (out / "ada" / "feedback.md").read_text()
    assert not json.loads((out / "ada" / "grading.json").read_text()).get("grader_error")  # the notebook's, not ours


def test_a_notebook_written_for_jupyter_is_graded_as_jupyter_runs_it(tmp_path):
    # Course notebooks start with %matplotlib inline and may end with exit(); a student may leave an input() in.
    # In Jupyter the magic works and the rest of its cell runs (here: a graded function), so it must here too.
    import json

    from autograder.course import SAMPLES

    nb = json.loads((SAMPLES / "tensors" / "solution.ipynb").read_text())
    [index] = [i for i, c in enumerate(nb["cells"]) if "def broadcast_shape" in "".join(c["source"])]
    source = nb["cells"][index]["source"]
    nb["cells"][index]["source"] = "%matplotlib inline\n" + ("".join(source) if isinstance(source, list) else source)
    extra = ["%matplotlib widget", "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()",
             "name = input('your name: ')", "exit()"]
    nb["cells"] += [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": src}
                    for src in extra]
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ada.ipynb").write_text(json.dumps(nb))
    out = tmp_path / "out"
    proc = _grade_cli([tmp_path / "subs"], out, "--no-canary", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = _rows(out / "grades.csv")["ada"]
    assert (row["status"], row["broadcast_shape"], float(row["total"])) == ("graded", "3", TENSORS.total_points), row
    errors = json.loads((out / "ada" / "grading.json").read_text())["notebook_errors"]
    n = len(nb["cells"])
    assert [(e["cell"], e["error"], e.get("kind", "")) for e in errors] == [(n - 2, "EOFError: EOF when reading a line", "input"),
                                                                    (n - 1, "SystemExit: exit()", "")]
    feedback = (out / "ada" / "feedback.md").read_text()
    assert "nobody types while your notebook is graded" in feedback


def test_the_right_notebooks_are_never_taken_for_another_assignment(batch):
    from autograder.course import SAMPLES
    from autograder.identify import wrong_assignment

    for name, assignment in ASSIGNMENTS.items():
        for sample in sorted((SAMPLES / name).glob("*.ipynb")):
            assert wrong_assignment(assignment, sample) is None, sample
    assert not [r for r in batch.results.values() if "not of assignment" in r["error"] or "looks like" in r["error"]]


def test_a_workers_sandbox_server_leaves_no_folder_behind_when_the_worker_is_killed(tmp_path):
    """A worker is stopped with SIGKILL (its sandboxes die with it): what its sandbox server kept in its own
    folder (IPython's profile, caches) is removed by the batch grader, not left in the temporary folder."""
    from pathlib import Path

    from autograder.course import SAMPLES
    from autograder.grade import WarmWorker

    worker = WarmWorker(timeout=600)
    notebook = SAMPLES / "tensors" / "untouched.ipynb"
    assert worker.grade({"assignment": "tensors", "notebook": str(notebook), "result": str(tmp_path / "r.json"),
                         "hide": [str(tmp_path)], "only_cuda": False}) == ""
    home = Path(worker.home)
    assert home.is_dir() and any(home.iterdir())  # the server's caches went there
    worker.stop()
    assert not home.exists()


@pytest.mark.parametrize("canary_passes", [False, True])
def test_what_is_graded_while_the_canary_runs_is_written_only_once_it_has_passed(tmp_path, monkeypatch, canary_passes):
    """The other workers start on the submissions while the first grades the canary: a failing canary must
    still leave nothing written, and a passing one everything."""
    import threading
    import types

    from autograder import grade
    from autograder.canary import CanaryFailed
    from autograder.course import SAMPLES

    graded = threading.Event()

    def one(assignment, sub, out_dir, worker, only_cuda=False, hide=(), force=False, save=True):
        row = grade.error_result(assignment, sub.path, "graded")
        row.id = sub.id
        if save:
            grade.save_result(row, out_dir)
        graded.set()
        return row

    def canary(*args):
        assert graded.wait(60)  # a submission was graded before the canary's verdict
        if not canary_passes:
            raise CanaryFailed("the reference scored 0")
        return types.SimpleNamespace()

    monkeypatch.setattr(grade.WarmWorker, "start", lambda self: None)
    monkeypatch.setattr(grade, "grade_one", one)
    monkeypatch.setattr(grade, "run_canary", canary)
    subs = [grade.Submission(f"s{i}", SAMPLES / "tensors" / "untouched.ipynb") for i in range(4)]
    out = tmp_path / "out"
    if canary_passes:
        results = grade.grade_batch(ASSIGNMENTS["tensors"], subs, out, jobs=2, progress=False)
        assert sorted(r.id for r in results) == ["s0", "s1", "s2", "s3"]
        assert sorted(p.parent.name for p in out.glob("*/grading.json")) == ["s0", "s1", "s2", "s3"]
    else:
        with pytest.raises(CanaryFailed):
            grade.grade_batch(ASSIGNMENTS["tensors"], subs, out, jobs=2, progress=False)
        assert not list(out.rglob("grading.json")) and not (out / "grades.csv").exists()


def test_a_result_that_cannot_be_written_is_a_grader_error_row_not_a_hang(tmp_path, monkeypatch):
    import types

    from autograder import grade
    from autograder.course import SAMPLES

    def one(assignment, sub, out_dir, worker, only_cuda=False, hide=(), force=False, save=True):
        row = grade.error_result(assignment, sub.path, "graded")
        row.id = sub.id
        return row

    real_save = grade.save_result

    def save(result, out_dir):
        if result.id == "s1":
            raise OSError("No space left on device")
        real_save(result, out_dir)

    monkeypatch.setattr(grade.WarmWorker, "start", lambda self: None)
    monkeypatch.setattr(grade, "grade_one", one)
    monkeypatch.setattr(grade, "run_canary", lambda *args: types.SimpleNamespace())
    monkeypatch.setattr(grade, "save_result", save)
    subs = [grade.Submission(f"s{i}", SAMPLES / "tensors" / "untouched.ipynb") for i in range(3)]
    results = {r.id: r for r in grade.grade_batch(ASSIGNMENTS["tensors"], subs, tmp_path / "out", jobs=2,
                                                  progress=False)}
    assert sorted(results) == ["s0", "s1", "s2"]
    assert results["s1"].grader_error and "could not be written" in results["s1"].error
    assert "No space left" in results["s1"].error and not results["s0"].grader_error


def test_grade_one_reports_a_result_it_cannot_write_as_a_grader_error(tmp_path, monkeypatch):
    """The single-notebook and cluster paths write through the same place as the batch (grade.write_result)."""
    import types

    from autograder import grade
    from autograder.course import SAMPLES
    from autograder.files import write_json_atomic
    from autograder.results import load_result
    from pathlib import Path

    def graded(request):  # a worker that grades everything as "fine", without a sandbox
        row = grade.error_result(ASSIGNMENTS["tensors"], Path(request["notebook"]), "graded")
        row.status, row.error = "ok", ""
        write_json_atomic(Path(request["result"]), row.to_dict())
        return ""

    worker = types.SimpleNamespace(grade=graded)
    sub = grade.Submission("s0", SAMPLES / "tensors" / "solution.ipynb")
    row = grade.grade_one(ASSIGNMENTS["tensors"], sub, tmp_path / "ok", worker)
    assert not row.grader_error and load_result(tmp_path / "ok" / "s0" / grade.RESULT_FILE).status == "ok"

    def full(result, out_dir):
        raise OSError("No space left on device")

    monkeypatch.setattr(grade, "save_result", full)
    row = grade.grade_one(ASSIGNMENTS["tensors"], sub, tmp_path / "full", worker)
    assert row.grader_error and "could not be written" in row.error and "No space left" in row.error
    assert not (tmp_path / "full" / "s0").exists()


def test_a_file_name_that_is_not_utf8_and_a_lone_surrogate_in_an_error_lose_nothing(tmp_path):
    # A course site's download can hold a file name that is not UTF-8 (its bytes reach Python as lone surrogates),
    # and a student's exception message can hold a lone surrogate. Neither can be written as UTF-8: the batch
    # must still write every result and report, and grade the honest student beside them in full.
    import json
    import os

    import nbformat

    from autograder.course import SAMPLES

    nb = nbformat.read(SAMPLES / "tensors" / "solution.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def one_hot(" in c.source)
    cell.source = cell.source.replace("def one_hot(", 'def one_hot(*a, **k):\n    raise ValueError("bad \\udc80")\n\n\ndef _unused(', 1)
    subs = tmp_path / "subs"
    subs.mkdir()
    odd = os.path.join(os.fsencode(subs), b"tensors_\xff.ipynb")
    with open(odd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    (subs / "honest.ipynb").write_bytes((SAMPLES / "tensors" / "solution.ipynb").read_bytes())
    out = tmp_path / "out"
    proc = _grade_cli([subs], out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = _rows(out / "grades.csv")
    total = ASSIGNMENTS["tensors"].total_points
    assert rows["honest"]["total"] == str(total)
    [odd_id] = [i for i in rows if i != "honest"]
    assert odd_id == "tensors__", odd_id  # the undecodable byte became "_"
    assert rows[odd_id]["one_hot"] == "0" and int(rows[odd_id]["total"]) == total - 3
    for sid in rows:
        assert (out / sid / "feedback.md").is_file() and (out / sid / "feedback.html").is_file()
        json.loads((out / sid / "results.json").read_text(encoding="utf-8"))
    assert "bad ?" in (out / odd_id / "feedback.md").read_text(encoding="utf-8")
