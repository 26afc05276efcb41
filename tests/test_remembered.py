"""References answered from memory (``autograder.remembered``): the same answer as computing it again, in
both directions, and never an answer to a question that differs in anything the reference can see."""
import functools

import pytest
import torch

from autograder import hidden_tests, remembered
from autograder.course import SAMPLES
from autograder.worker import grade_notebook
from kitcheck.assignments import ASSIGNMENTS

calls = []


@remembered.remembered
def scaled(x, factor=2.0):
    calls.append(1)
    return {"y": x * factor, "sum": (x * factor).sum()}


@remembered.remembered
def noisy(x):
    """Draws from torch's global generator: a hit must leave it where the call would have."""
    calls.append(1)
    return x + torch.rand(x.shape, dtype=x.dtype)


@remembered.remembered
def edits(x):
    calls.append(1)
    x += 1
    return x.clone()


@remembered.remembered
def run(reference, x):
    calls.append(1)
    return reference(x)


def twice(x):
    return 2 * x


def setup_function():
    remembered.forget()
    calls.clear()


def test_the_same_question_is_answered_once_and_each_caller_gets_its_own_copy():
    x = torch.arange(6.0).reshape(2, 3)
    first = scaled(x)
    first["y"][0, 0] = 100.0  # a test that edits what it was given cannot change the next answer
    second = scaled(x.clone())
    assert len(calls) == 1 and remembered.counts["hits"] >= 1
    torch.testing.assert_close(second["y"], x * 2)
    assert second["sum"].item() == 30.0


@remembered.remembered
def shaped(x, how):
    """Answers whose layout a copy must keep: a view and its base, one memory twice, a transposed tensor."""
    calls.append(1)
    y = x * 2
    return {"view": (y, y[1:]), "shared": (y, y.detach()), "transposed": (y, y.t())}[how] + ([x + 1],)


@pytest.mark.parametrize("how", ["view", "shared", "transposed"])
def test_a_copied_answer_keeps_views_shared_memory_and_strides_as_a_fresh_call_gives_them(how):
    x = torch.arange(6.0).reshape(2, 3)
    fresh = shaped(x, how)
    hit = shaped(x.clone(), how)
    assert len(calls) == 1
    assert hit[1].stride() == fresh[1].stride() and hit[1].storage_offset() == fresh[1].storage_offset()
    hit[0][1, 0] = -1.0  # the second tensor sees it, as in a fresh answer
    assert (hit[1] == -1.0).sum().item() == 1
    hit[2][0].zero_()  # a plain copy is the caller's own
    assert shaped(x, how)[2][0].sum().item() == 21.0


def test_anything_the_reference_can_see_makes_another_question():
    x = torch.arange(6.0).reshape(2, 3)
    scaled(x)
    scaled(x + 1)  # other values
    scaled(x.double())  # another dtype
    scaled(x.t().contiguous().t())  # the same values with other strides
    scaled(x, 0.0)
    scaled(x, -0.0)  # equal as floats, a different number all the same
    scaled(x, factor=3)  # an int, not a float
    scaled(x, factor=3.0)
    with torch.no_grad():
        scaled(x)  # grad mode
    assert len(calls) == 9
    scaled(x, factor=3)
    assert len(calls) == 9  # asked again: from memory


def test_a_reference_that_draws_from_the_generator_gets_what_a_fresh_call_would_and_leaves_it_the_same():
    x = torch.zeros(4, dtype=torch.float64)
    torch.manual_seed(7)
    first = noisy(x)
    after_first = torch.rand(3)
    torch.manual_seed(7)
    again = noisy(x)  # from memory: the same draw, and the generator moved on as the call would have
    assert len(calls) == 1
    torch.testing.assert_close(again, first)
    torch.testing.assert_close(torch.rand(3), after_first)
    torch.manual_seed(8)  # another state of the generator: another question
    other = noisy(x)
    assert len(calls) == 2 and not torch.equal(other, first)


def test_unkeyable_arguments_and_references_that_edit_their_input_always_run():
    x = torch.ones(3)
    run(lambda t: t + 1, x)
    run(lambda t: t + 1, x)
    assert len(calls) == 2 and remembered.counts["not kept"] == 2
    run(twice, x), run(twice, x), run(functools.partial(twice), x), run(functools.partial(twice), x)
    assert len(calls) == 4  # module-level functions and partials of them are known by name
    y, z = torch.zeros(2), torch.zeros(2)
    edits(y)
    edits(z)  # the same question, but an answer from memory would not edit z
    assert len(calls) == 6 and y.tolist() == z.tolist() == [1.0, 1.0]
    meta = torch.empty(2, device="meta")
    run(twice, meta), run(twice, meta)
    assert len(calls) == 8  # a meta tensor has no values to tell it by


def test_every_submission_starts_from_the_same_generator_state(monkeypatch):
    seen = []

    def record(tests, questions, only_cuda):
        seen.append(torch.rand(4))
        return []

    monkeypatch.setattr(hidden_tests, "_run_collected", record)
    hidden_tests.run_hidden_tests("autograd", lambda *a, **k: None)
    torch.rand(100)  # what one submission's tests drew must not change the next one's
    hidden_tests.run_hidden_tests("autograd", lambda *a, **k: None)
    assert len(seen) == 2 and torch.equal(seen[0], seen[1])


def test_grading_from_memory_gives_the_same_results():
    name = "training"
    a = ASSIGNMENTS[name]
    notebooks = [SAMPLES / name / "solution.ipynb", *sorted((SAMPLES / name).glob("mistake-*.ipynb"))[:2]]

    def rows(notebook):
        result = grade_notebook(a, notebook)
        return result.score, [(t.nodeid, t.outcome, t.message, t.hint) for q in result.questions for t in q.tests]

    remembered.forget()
    first = [rows(nb) for nb in notebooks]
    hits = remembered.counts["hits"]
    again = [rows(nb) for nb in notebooks]
    assert remembered.counts["hits"] > hits  # the second round was answered from memory
    assert again == first
    remembered.forget()
    remembered.LIMIT_BYTES, limit = 0, remembered.LIMIT_BYTES  # nothing kept: every reference computed
    try:
        assert [rows(nb) for nb in notebooks] == first
    finally:
        remembered.LIMIT_BYTES = limit
