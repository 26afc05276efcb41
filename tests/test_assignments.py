"""Every assignment, graded from its sample submissions: the solution scores full marks, the untouched
release scores 0 without crashing, and each sample mistake loses exactly its own question."""
import pytest

from autograder.samples import sample_mistakes
from kitcheck.assignments import ASSIGNMENTS

CASES = [(name, m) for name, a in sorted(ASSIGNMENTS.items()) for m in sample_mistakes(a)]


def _full(name):
    return {q.name: q.points for q in ASSIGNMENTS[name].questions}


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_solution_scores_full_marks(graded_samples, name):
    graded = graded_samples(name)
    assert graded.returncode == 0, graded.stdout
    assert graded.scores("solution") == _full(name)
    assert graded.results["solution"]["notebook_errors"] == []


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_untouched_release_scores_zero_and_is_still_graded(graded_samples, name):
    result = graded_samples(name).results["untouched"]
    assert result["status"] == "graded" and result["score"] == 0
    assert all("NotImplementedError" in row["message"] for row in result["questions"])


@pytest.mark.parametrize("name,mistake", CASES, ids=[f"{n}-{m.question}-{m.slug}" for n, m in CASES])
def test_each_sample_mistake_loses_exactly_its_question(graded_samples, name, mistake):
    scores = graded_samples(name).scores(f"mistake-{mistake.question}-{mistake.slug}")
    assert scores == {**_full(name), mistake.question: 0}
