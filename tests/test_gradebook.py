"""nbgrader's gradebook as the record: grade --gradebook writes scores nbgrader export shows, late penalties
from nbgrader's due date and settings; a damaged gradebook is refused and left untouched."""
import csv
import shutil
import sqlite3
import subprocess
import sys

import pytest

from autograder.build import source_notebook
from autograder.course import NBGRADER_CONFIG, SAMPLES, tool_env, use_tool_env
from autograder.gradebook import GradebookError, record
from autograder.nbgrader_course import nbgrader
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]
VAR_MEAN = "mistake-var_mean-biased-variance"
DUE = "2025-03-01 23:59:00 UTC"
# student: (sample, submitted at) -- bob's is the full-marks notebook, 8 hours late
CLASS = {"alice": ("solution", "2025-03-01 12:00:00.000000 UTC"),
         "bob": ("solution", "2025-03-02 08:00:00.000000 UTC"),
         "carol": (VAR_MEAN, "2025-03-01 13:30:00.000000 UTC")}


def _course(root, penalty: str = "zero"):
    """An nbgrader course: the kit's config with a late-penalty method, and nbgrader's submitted/ tree."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG.read_text()
                                             + f'\nc.LateSubmissionPlugin.penalty_method = "{penalty}"\n')
    for student, (sample, stamp) in CLASS.items():
        folder = root / "submitted" / student / "tensors"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLES / "tensors" / f"{sample}.ipynb", folder / "tensors.ipynb")
        (folder / "timestamp.txt").write_text(stamp + "\n")
    return root


def _grade(course, out, *extra):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors", str(course / "submitted"),
                           "--out", str(out), "--quiet", *extra], env=tool_env(), capture_output=True, text=True,
                          timeout=600)


def _export(course) -> dict[str, dict]:
    nbgrader(["export", "--to", "export.csv"], course)
    with open(course / "export.csv", newline="") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


@pytest.mark.slow
def test_nbgrader_export_shows_the_kits_scores_with_nbgraders_late_penalty(graded_samples, tmp_path):
    use_tool_env()
    course = _course(tmp_path / "course")
    src = course / "source" / "tensors"
    src.mkdir(parents=True)
    shutil.copy(source_notebook(TENSORS), src / "tensors.ipynb")
    nbgrader(["db", "assignment", "add", "tensors", f"--duedate={DUE}"], course)
    nbgrader(["generate_assignment", "tensors", "--force"], course)  # registers the notebook and its cells
    out = tmp_path / "out"
    graded_samples("tensors").seed(out, {s: sample for s, (sample, _) in CLASS.items()})

    proc = _grade(course, out, "--gradebook", str(course / "gradebook.db"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "recorded 3 submission(s) in the nbgrader gradebook" in proc.stdout
    assert "registered" not in proc.stdout  # nbgrader's generate_assignment made the same cells our build stamps
    assert "late: bob (penalty 20)" in proc.stdout

    rows = _export(course)  # real `nbgrader export`
    assert set(rows) == set(CLASS)
    expected = {"alice": (20, 0, 20), "bob": (20, 20, 0), "carol": (17, 0, 17)}  # raw, late penalty, score
    for student, (raw, penalty, score) in expected.items():
        row = rows[student]
        got = (float(row["raw_score"]), float(row["late_submission_penalty"]), float(row["score"]))
        assert got == (raw, penalty, score), (student, row)
        assert row["assignment"] == "tensors" and row["max_score"] == "20.0" and row["duedate"].startswith("2025-03-01")
    assert rows["bob"]["timestamp"].startswith("2025-03-02 08:00")

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="pytorch-course-kit") as gb:
        for student, (sample, _) in CLASS.items():
            nb = gb.find_submission_notebook("tensors", "tensors", student)
            cells = {g.name: g.auto_score for g in nb.grades}
            assert cells == {q.test_id: float(s) for q, s in
                             zip(TENSORS.questions, graded_samples("tensors").scores(sample).values())}, student
            assert not any(g.needs_manual_grade for g in nb.grades)
        assert {g.name: g.auto_score for g in gb.find_submission_notebook("tensors", "tensors", "carol").grades
                }["test_var_mean"] == 0.0


def test_a_gradebook_without_the_notebook_gets_it_registered_from_the_spec(graded_samples, tmp_path):
    """Only `nbgrader db assignment add` was run (no generate_assignment): the notebook and its grade cells
    come from the spec, and a late submission keeps its score when the course sets no penalty."""
    from nbgrader.api import Gradebook

    course = _course(tmp_path / "course", penalty="none")
    db = course / "gradebook.db"
    with Gradebook(f"sqlite:///{db}", course_id="pytorch-course-kit") as gb:
        gb.add_assignment("tensors", duedate=DUE)  # what `nbgrader db assignment add --duedate` does
    results = [dict(graded_samples("tensors").results[sample], id=s) for s, (sample, _) in CLASS.items()]
    notebooks = {s: course / "submitted" / s / "tensors" / "tensors.ipynb" for s in CLASS}
    done = record(TENSORS, results, notebooks, str(db), tmp_path)
    assert "notebook 'tensors.ipynb'" in done.registered and "cell test_var_mean" in done.registered
    assert done.late == {} and done.backup == tmp_path / "gradebook-before.db"
    with Gradebook(f"sqlite:///{db}", course_id="pytorch-course-kit") as gb:
        cells = {c.name: c.max_score for c in gb.find_notebook("tensors", "tensors").grade_cells}
        assert cells == {q.test_id: q.points for q in TENSORS.questions}
        assert gb.find_submission("tensors", "carol").score == 17.0
        bob = gb.find_submission("tensors", "bob")
        assert bob.total_seconds_late == 8 * 3600 + 60 and bob.score == 20.0  # late; no penalty configured
    again = record(TENSORS, results, notebooks, f"sqlite:///{db}", tmp_path)  # recording again: idempotent
    assert again.registered == [] and again.students == list(CLASS)
    with Gradebook(f"sqlite:///{db}", course_id="pytorch-course-kit") as gb:
        assert len(gb.find_assignment("tensors").submissions) == 3
        assert [gb.find_submission("tensors", s).score for s in CLASS] == [20.0, 20.0, 17.0]


def _garbage(path):
    path.write_bytes(b"this is not a database, it is a student's essay " * 200)


def _truncated(path):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{path}") as gb:
        for i in range(40):
            gb.add_student(f"student{i:02d}", first_name="x" * 200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_nbgrader(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE marks (student TEXT, score REAL)")
    con.execute("INSERT INTO marks VALUES ('alice', 99)")
    con.commit()
    con.close()


def test_a_damaged_gradebook_is_refused_and_nothing_is_lost(graded_samples, tmp_path):
    course = _course(tmp_path / "course")
    db = course / "gradebook.db"
    _garbage(db)
    before = db.read_bytes()
    out = tmp_path / "out"
    graded_samples("tensors").seed(out, {s: sample for s, (sample, _) in CLASS.items()})
    proc = _grade(course, out, "--gradebook", str(db))
    assert proc.returncode == 3
    assert "nbgrader gradebook:" in proc.stderr and "file is not a database" in proc.stderr
    assert "was not changed" in proc.stderr and "run the same command again" in proc.stderr
    assert db.read_bytes() == before
    with open(out / "grades.csv", newline="") as f:  # everything else is written
        assert {r["id"]: r["total"] for r in csv.DictReader(f)} == {"alice": "20", "bob": "20", "carol": "17"}
    for student in CLASS:
        assert (out / student / "results.json").exists() and (out / student / "feedback.html").exists()
    assert (out / "report.html").exists()


@pytest.mark.parametrize("damage, says", [(_truncated, "malformed"), (_not_nbgrader, "not an nbgrader gradebook")])
def test_other_damage_is_refused_too_without_a_write(graded_samples, tmp_path, damage, says):
    course = _course(tmp_path / "course")
    db = course / "gradebook.db"
    damage(db)
    before = db.read_bytes()
    results = [dict(graded_samples("tensors").results["solution"], id="alice")]
    with pytest.raises(GradebookError, match=says):
        record(TENSORS, results, {"alice": course / "submitted" / "alice" / "tensors" / "tensors.ipynb"}, str(db),
               tmp_path)
    assert db.read_bytes() == before and not (tmp_path / "gradebook-before.db").exists()
