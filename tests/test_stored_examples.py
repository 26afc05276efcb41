"""The hidden tests' examples drawn at build time (``autograder.stored_examples``): a worker that starts from them
runs no hypothesis engine for a passing submission and gives exactly the rows it gives when it draws them
itself; a file drawn under another key, or damaged, is never used."""
import io

import pytest
import torch
from hypothesis import settings

from autograder import build, replay, stored_examples
from autograder.config import environment
from autograder.course import SAMPLES
from autograder.worker import grade_notebook
from kitcheck.assignments import ASSIGNMENTS


def _rows(name, notebook):
    result = grade_notebook(ASSIGNMENTS[name], notebook)
    return result.score, [(t.nodeid, t.outcome, t.message, t.hint) for q in result.questions for t in q.tests]


@pytest.fixture
def fresh(monkeypatch):
    """This process keeps no examples, has read no stored file and runs grading's hypothesis profile (another test
    module may have loaded its own: the stored examples are rightly not used under it); all as before afterwards."""
    def reset():
        replay._kept.clear()
        stored_examples.use.cache_clear()

    profile = settings.get_current_profile_name()
    settings.load_profile(environment().hypothesis_profile)
    reset()
    yield monkeypatch
    reset()
    settings.load_profile(profile)


def test_every_assignment_has_examples_drawn_under_todays_key():
    assert [name for name in sorted(ASSIGNMENTS) if not stored_examples.current(name)] == []


def test_stored_examples_replace_drawing_and_change_no_row(fresh):
    name = "training"
    notebooks = [SAMPLES / name / "solution.ipynb", *sorted((SAMPLES / name).glob("mistake-*.ipynb"))[:2]]
    fresh.setattr(stored_examples, "_drawing", True)  # as before: the worker draws every example itself
    drawn = [_rows(name, nb) for nb in notebooks]
    assert drawn[0][0] == ASSIGNMENTS[name].total_points and all(r[0] < drawn[0][0] for r in drawn[1:])

    replay._kept.clear()
    stored_examples.use.cache_clear()
    fresh.setattr(stored_examples, "_drawing", False)
    engine = []
    keeping = replay._run_keeping
    fresh.setattr(replay, "_run_keeping", lambda *args: engine.append(args) or keeping(*args))
    assert _rows(name, notebooks[0]) == drawn[0]
    assert engine == []  # every test of the solution replayed the stored examples: hypothesis never ran
    assert [_rows(name, nb) for nb in notebooks] == drawn


def test_a_file_drawn_under_another_key_or_damaged_is_not_used(fresh, tmp_path):
    name = "tensors"
    stored = torch.load(io.BytesIO(stored_examples.path(name).read_bytes()), weights_only=True)
    fake = tmp_path / "examples.pt"
    fresh.setattr(stored_examples, "path", lambda _: fake)

    torch.save(stored, fake)  # the same file: used
    assert stored_examples.read(name) == stored["examples"] and stored_examples.use(name) > 0

    replay._kept.clear()
    stored_examples.use.cache_clear()
    torch.save({**stored, "key": "drawn by other grading code"}, fake)
    assert stored_examples.read(name) is None and stored_examples.use(name) == 0 and not replay._kept
    fake.write_bytes(fake.read_bytes()[:100])
    assert stored_examples.read(name) is None and not stored_examples.current(name)


def test_stale_examples_are_reported_by_the_build_check(monkeypatch):
    assert not any("examples" in p for p in build.stale(["basics"]))
    monkeypatch.setattr(stored_examples, "current", lambda name: False)
    assert any("autograder/assignments/basics/examples.pt" in p for p in build.stale(["basics"]))


class _Payload:
    """What a forged examples file would hold to run code in the grader when loaded."""

    def __reduce__(self):
        import os

        return os.system, ("touch /tmp/kit-stored-examples-pwned",)


def test_a_forged_examples_file_that_would_run_code_runs_nothing(fresh, tmp_path):
    from pathlib import Path

    marker = Path("/tmp/kit-stored-examples-pwned")
    marker.unlink(missing_ok=True)
    name = "tensors"
    forged = tmp_path / "examples.pt"
    torch.save({"key": stored_examples.key(name), "examples": {("x",): [_Payload()]}}, forged)
    fresh.setattr(stored_examples, "path", lambda _: forged)
    assert stored_examples.read(name) is None and stored_examples.use(name) == 0
    assert not marker.exists() and not replay._kept
