"""nbgrader's gradebook as the record: grade --gradebook writes scores nbgrader export shows, late penalties
from nbgrader's due date and settings; a damaged gradebook is refused and left untouched."""
import csv
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace

import pytest

from autograder.build import source_notebook
from autograder.course import NBGRADER_CONFIG, SAMPLES, tool_env, use_tool_env
from autograder.gradebook import GradebookError, record
from autograder.nbgrader_course import nbgrader
from autograder.report import RESULT_FILE
from autograder.results import QuestionResult, SubmissionResult, load_result
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]
VAR_MEAN = "mistake-var_mean-biased-variance"
DUE = "2025-03-01 23:59:00 UTC"
# student: (sample, submitted at) -- bob's is the full-marks notebook, 8 hours late
CLASS = {"alice": ("solution", "2025-03-01 12:00:00.000000 UTC"),
         "bob": ("solution", "2025-03-02 08:00:00.000000 UTC"),
         "carol": (VAR_MEAN, "2025-03-01 13:30:00.000000 UTC")}


def _course(root, penalty: str | None = "zero"):
    """An nbgrader course: the kit's config (with nbgrader's own late-penalty method ``penalty``, or the
    kit's shipped policy when None), and nbgrader's submitted/ tree."""
    root.mkdir(parents=True)
    config = NBGRADER_CONFIG.read_text()
    if penalty is not None:
        config += ('\nc.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"\n'
                   f'c.LateSubmissionPlugin.penalty_method = "{penalty}"\n')
    (root / "nbgrader_config.py").write_text(config)
    for student, (sample, stamp) in CLASS.items():
        folder = root / "submitted" / student / "tensors"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLES / "tensors" / f"{sample}.ipynb", folder / "tensors.ipynb")
        (folder / "timestamp.txt").write_text(stamp + "\n")
    return root


def _as(batch, sample: str, sid: str) -> SubmissionResult:
    """The batch's saved result of ``sample``, read as the grader reads it, as the submission ``sid``."""
    return replace(load_result(batch.out / sample / RESULT_FILE), id=sid)


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

    with open(out / "grades.csv", newline="") as f:  # the kit's own grades.csv says the same
        kit = {r["id"]: r for r in csv.DictReader(f)}
    assert {s: (kit[s]["total"], kit[s]["penalty"], kit[s]["final"]) for s in CLASS} == \
        {"alice": ("20", "0", "20"), "bob": ("20", "20", "0"), "carol": ("17", "0", "17")}
    assert "late penalty is" not in proc.stdout  # the kit and nbgrader agree on every penalty

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
    results = [_as(graded_samples("tensors"), sample, s) for s, (sample, _) in CLASS.items()]
    notebooks = {s: course / "submitted" / s / "tensors" / "tensors.ipynb" for s in CLASS}
    done = record(TENSORS, results, notebooks, str(db), tmp_path)
    assert any(r.startswith("notebook 'tensors.ipynb' with 7 grade cells") for r in done.registered), done.registered
    assert done.late == {} and done.backup == tmp_path / "gradebook-before.db"
    with Gradebook(f"sqlite:///{db}", course_id="pytorch-course-kit") as gb:
        notebook = gb.find_notebook("tensors", "tensors")
        cells = {c.name: c.max_score for c in notebook.grade_cells}
        assert cells == {q.test_id: q.points for q in TENSORS.questions}
        sources = {c.name for c in notebook.source_cells}  # what `nbgrader autograde` needs to validate
        assert {q.test_id for q in TENSORS.questions} | {q.solution_id for q in TENSORS.questions} <= sources
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
    results = [_as(graded_samples("tensors"), "solution", "alice")]
    with pytest.raises(GradebookError, match=says):
        record(TENSORS, results, {"alice": course / "submitted" / "alice" / "tensors" / "tensors.ipynb"}, str(db),
               tmp_path)
    assert db.read_bytes() == before and not (tmp_path / "gradebook-before.db").exists()


def _generate_assignment_registration(tmp_path):
    """What real `nbgrader generate_assignment` writes into a gradebook for the built tensors notebook."""
    import nbformat

    from autograder.build import stamp_nbgrader_metadata

    course = tmp_path / "nbgrader-course"
    (course / "source" / "tensors").mkdir(parents=True)
    shutil.copy(NBGRADER_CONFIG, course / "nbgrader_config.py")
    stamped = stamp_nbgrader_metadata(TENSORS, nbformat.read(source_notebook(TENSORS), as_version=4))
    nbformat.write(stamped, course / "source" / "tensors" / "tensors.ipynb")
    nbgrader(["generate_assignment", "tensors"], course)
    return _cells(course / "gradebook.db")


def _cells(db):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        nb = gb.find_notebook("tensors", "tensors")
        return ({c.name: (c.max_score, c.cell_type) for c in nb.grade_cells}, {c.name for c in nb.solution_cells},
                {c.name: (c.cell_type, c.locked, c.source, c.checksum) for c in nb.source_cells}, nb.kernelspec)


@pytest.mark.slow
def test_registration_is_what_generate_assignment_writes(tmp_path):
    from autograder.nbgrader_course import course_config, register_assignment

    use_tool_env()
    want = _generate_assignment_registration(tmp_path)
    course = tmp_path / "kit-course"
    course.mkdir()
    db = f"sqlite:///{course / 'gradebook.db'}"
    assert register_assignment(TENSORS, db, course_config(course))  # a new gradebook: everything registered
    assert _cells(course / "gradebook.db") == want
    assert register_assignment(TENSORS, db, course_config(course)) == []  # again: nothing to do


def test_a_gradebook_left_half_registered_with_submissions_is_completed_not_refused(tmp_path):
    """The state an older kit left (grade and solution cells only, submissions recorded): nbgrader refused
    to add the missing cells and autograde failed to validate every notebook. Registration completes it,
    the submissions get their new cells, and nbgrader's sanitizing steps accept a submission."""
    from nbgrader.api import Gradebook
    from traitlets.config import Config

    from autograder.nbgrader_course import autograded_notebook, register_assignment

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db, course_id="pytorch-course-kit") as gb:
        gb.add_assignment("tensors")
        gb.add_notebook("tensors", "tensors")
        for q in TENSORS.questions[:-1]:  # and one question the older spec did not have
            gb.add_grade_cell(q.test_id, "tensors", "tensors", max_score=q.points, cell_type="code")
            gb.add_solution_cell(q.solution_id, "tensors", "tensors")
        gb.add_student("alice")
        gb.add_submission("tensors", "alice")
    changes = register_assignment(TENSORS, db, Config())
    last = TENSORS.questions[-1]
    assert f"cell {last.test_id}" in changes and "cell cell-00" in changes
    with Gradebook(db) as gb:
        grades = {g.name for g in gb.find_submission_notebook("tensors", "tensors", "alice").grades}
        assert grades == {q.test_id for q in TENSORS.questions}
    result = SubmissionResult("tensors", "tensors.ipynb", id="alice", score=TENSORS.total_points,
                              questions=[QuestionResult(q.name, q.points, q.points, True) for q in TENSORS.questions])
    nb = autograded_notebook(TENSORS, result, SAMPLES / "tensors" / "solution.ipynb", db, "alice", Config())
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    assert len(tests) == len(TENSORS.questions)
    assert all("grade_question(" in c.source for c in tests)  # hidden tests restored from the gradebook


def test_registration_refuses_to_drop_cells_that_submissions_refer_to(tmp_path):
    from nbgrader.api import Gradebook
    from traitlets.config import Config

    from autograder.nbgrader_course import RegistrationError, register_assignment

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    register_assignment(TENSORS, db, Config())
    with Gradebook(db, course_id="pytorch-course-kit") as gb:
        gb.add_grade_cell("test_retired_question", "tensors", "tensors", max_score=2, cell_type="code")
        gb.add_student("alice")
        gb.add_submission("tensors", "alice")
    with pytest.raises(RegistrationError, match="test_retired_question"):
        register_assignment(TENSORS, db, Config())
    with Gradebook(db) as gb:  # nothing was removed
        assert "test_retired_question" in {c.name for c in gb.find_notebook("tensors", "tensors").grade_cells}


def test_the_shipped_late_policy_and_extensions_reach_the_gradebook_and_agree_with_the_kit(graded_samples, tmp_path):
    """The kit's nbgrader_config.py policy (10% per started day after 15 minutes of grace), a due date given
    with --due (the gradebook has none) and an extensions file: the kit's lateness, and nbgrader's penalties
    computed by nbgrader's own AssignLatePenalties from what record() wrote, are the same."""
    from nbgrader.api import Gradebook

    from autograder.gradebook import load_config
    from autograder.grade import Submission, apply_lateness
    from autograder.late import LatePolicy, load_plugin, parse_time, read_extensions

    course = _course(tmp_path / "course", penalty=None)
    (course / "extensions.csv").write_text("student,extension\nbob,1d\ncarol,due\n", encoding="utf-8")
    with pytest.raises(Exception, match="carol"):
        read_extensions(course / "extensions.csv")  # a duration that is not one: the line is named
    (course / "extensions.csv").write_text("student,extension,due\nbob,1d,\ncarol,,2025-03-01 12:00:00 UTC\n")
    db = course / "gradebook.db"
    config = load_config(None, f"sqlite:///{db}")
    policy = LatePolicy(parse_time(DUE, "due"), read_extensions(course / "extensions.csv"), load_plugin(config), "--due")
    results = [_as(graded_samples("tensors"), sample, s) for s, (sample, _) in CLASS.items()]
    subs = [Submission(s, course / "submitted" / s / "tensors" / "tensors.ipynb", s) for s in CLASS]
    apply_lateness(TENSORS, results, subs, tmp_path, policy)
    late = {r.id: r.late for r in results}
    # bob: 8 h late, but his extension makes him on time; carol: due at noon, submitted 13:30: 10% of 17
    assert {s: (v.seconds_late, v.penalty, v.final) for s, v in late.items() if v is not None} == \
        {"alice": (0, 0, 20), "bob": (0, 0, 20), "carol": (5400, 1.7, 15.3)}
    assert late["bob"].extension == "extensions.csv" and late["carol"].due == "2025-03-01 12:00:00 UTC"
    done = record(TENSORS, results, {s.id: s.path for s in subs}, str(db), tmp_path, late=policy)
    assert done.late == {"carol": 1.7} and done.disagree == {}, done.summary()
    assert any(r.startswith("due date 2025-03-01 23:59") for r in done.registered)
    with Gradebook(f"sqlite:///{db}", course_id="pytorch-course-kit") as gb:
        assert gb.find_assignment("tensors").duedate == parse_time(DUE, "due")
        assert gb.find_submission("tensors", "bob").total_seconds_late == 0
        assert gb.find_submission("tensors", "carol").total_seconds_late == 5400
    assert {p.parent.parent.name for p in (course / "autograded").glob("*/tensors/tensors.ipynb")} == set(CLASS)
    assert (course / "autograded" / "bob" / "tensors" / "timestamp.txt").read_text().startswith("2025-03-02 08:00")


def test_the_shipped_policy_takes_a_share_per_started_day_after_the_grace():
    from autograder.course import NBGRADER_CONFIG
    from autograder.gradebook import load_config
    from autograder.late import load_plugin
    from autograder.late_plugin import PercentPerDay

    plugin = load_plugin(load_config(NBGRADER_CONFIG))
    assert isinstance(plugin, PercentPerDay)
    hour, day = 3600, 86400
    assert [plugin.late_submission_penalty("s", 20, t) for t in (60, 14 * 60, 16 * 60, 8 * hour, day + 15 * 60,
                                                                  day + 16 * 60, 4 * day + hour, 5 * day + hour)] \
        == [None, None, 2.0, 2.0, 2.0, 4.0, 10.0, 20.0]
