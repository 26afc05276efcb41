"""Real nbgrader, running the same hidden tests in its kernel, gives the kit's per-question scores."""
import pytest

from autograder.course import SAMPLES, use_tool_env
from autograder.grade import discover
from autograder.nbgrader_course import autograde
from kitcheck.assignments import ASSIGNMENTS


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tensors", "basics", "architectures"])  # the first, and the newest two
def test_nbgrader_autograde_agrees_with_the_kit(graded_samples, tmp_path, name):
    use_tool_env()
    assignment = ASSIGNMENTS[name]
    subs = discover(assignment, [SAMPLES / name])
    nbgrader_scores = autograde(assignment, subs, tmp_path / "course")
    assert set(nbgrader_scores) == {s.id for s in subs}
    for sub in subs:
        assert nbgrader_scores[sub.id] == graded_samples(name).scores(sub.id), sub.id


def test_nbgrader_waits_for_a_busy_kernels_last_output_as_long_as_a_cell_may_run():
    """nbgrader (through nbclient) fails a whole submission when a kernel's last output messages come more than
    ``iopub_timeout`` seconds after its reply (4 s by default; nbgrader issue #1230), which a machine busy
    grading a class does. The course's config makes that wait as long as a cell may run."""
    from autograder.course import REPO
    from autograder.nbgrader_course import course_config
    from nbgrader.preprocessors import Execute

    execute = Execute(config=course_config(REPO))
    assert execute.raise_on_iopub_timeout  # nbgrader's choice: a lost output is an error, not a silent pass
    assert execute.iopub_timeout >= execute.timeout >= 300


def test_a_failed_nbgrader_run_reports_each_failed_submissions_traceback_not_just_the_logs_tail():
    from autograder.nbgrader_course import _failures

    log = "\n".join([
        "[AutogradeApp | INFO] Autograding /c/submitted/ann/basics",
        "[AutogradeApp | ERROR] There was an error processing assignment: /c/submitted/ann/basics",
        "[AutogradeApp | ERROR] Traceback (most recent call last):",
        '  File "nbclient/client.py", line 792, in _async_poll_for_reply',
        "nbclient.exceptions.CellTimeoutError: Timeout waiting for IOPub output",
        *[f"[AutogradeApp | INFO] Converting notebook {i}" for i in range(500)],
        "[AutogradeApp | ERROR] There was an error processing assignment 'basics' for student 'ann'"])
    report = _failures(log)
    assert "submitted/ann/basics" in report and "CellTimeoutError: Timeout waiting for IOPub output" in report
    assert "Converting notebook" not in report
    assert _failures("[AutogradeApp | INFO] all fine") == ""
