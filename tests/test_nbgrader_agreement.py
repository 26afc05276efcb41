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
