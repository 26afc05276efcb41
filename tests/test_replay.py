"""A grading worker replays a hidden test's hypothesis examples instead of drawing them again (``replay``).

The promise: a verdict with replay is the verdict hypothesis gives without it, for any behaviour of the code
under test, and a failure is still found, shrunk and reported by hypothesis. Each test below runs a small
hypothesis test file twice in one process, as a worker grades two submissions: the first "submission" passes
(its examples are kept), the second behaves differently.
"""
import random
import sys
import textwrap

import numpy

import pytest
from hypothesis import core as hypothesis_core

from autograder import pytest_plugin, replay

TESTS = '''
import random

import kit_replay_probe as probe
import numpy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

settings.register_profile("replay-test", derandomize=True, database=None, deadline=None, max_examples=20)
settings.load_profile("replay-test")


@given(x=st.integers(0, 50), shape=st.lists(st.integers(1, 4), max_size=3))
def test_plain(x, shape):
    # what the test draws from the generators hypothesis seeds for each example is part of what it sees
    probe.SEEN.append(("plain", x, tuple(shape), random.random(), float(numpy.random.rand())))
    shape.append(99)  # a test may change what it was given: the kept example must not change
    assert x < probe.LIMIT


@given(x=st.integers(0, 50))
def test_assume(x):
    probe.SEEN.append(("assume", x))
    assume(x % probe.REJECT != 0)
    assert x < probe.LIMIT


@given(n=st.integers(1, 5), data=st.data())
def test_draws(n, data):
    k = data.draw(st.integers(0, n + probe.WIDEN), label="k")
    probe.SEEN.append(("draws", n, k))
    assert k < probe.LIMIT
'''


@pytest.fixture
def suite(tmp_path, monkeypatch):
    """Runs the test file in this process, like a worker: ``run(**behaviour)`` -> (outcomes, examples seen)."""
    probe = type(sys)("kit_replay_probe")
    monkeypatch.setitem(sys.modules, "kit_replay_probe", probe)
    monkeypatch.delitem(sys.modules, "test_replayed", raising=False)  # each test's file is a new module
    path = tmp_path / "test_replayed.py"
    path.write_text(textwrap.dedent(TESTS))
    monkeypatch.setattr(replay, "_kept", {})
    engine_runs = []
    engine = hypothesis_core.StateForActualGivenExecution.run_engine

    def counted(state):
        engine_runs.append(state.test.__name__)
        return engine(state)

    monkeypatch.setattr(hypothesis_core.StateForActualGivenExecution, "run_engine", counted)

    def run(limit=1000, reject=1000, widen=0):
        probe.SEEN, probe.LIMIT, probe.REJECT, probe.WIDEN = [], limit, reject, widen
        engine_runs.clear()
        outcomes = {}

        class Collect:
            def pytest_runtest_logreport(self, report):
                if report.when == "call":
                    outcomes[report.nodeid.split("::")[-1]] = (report.outcome, str(report.longrepr or ""))

        pytest.main([str(path), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(tmp_path)],
                     plugins=[pytest_plugin, Collect()])
        return outcomes, list(probe.SEEN), list(engine_runs)

    yield run
    sys.modules.pop("test_replayed", None)


def _without_replay(run, **behaviour):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(replay, "_key", lambda *a: None)
        return run(**behaviour)


def test_a_second_passing_submission_sees_the_same_examples_without_hypothesis(suite):
    first, seen_first, engine_first = suite()
    assert set(first.values()) == {("passed", "")}
    assert sorted(engine_first) == ["test_assume", "test_draws", "test_plain"]
    second, seen_second, engine_second = suite()
    assert second == first
    assert seen_second == seen_first  # the same examples, in the same order, unchanged by test_plain's append
    assert engine_second == []  # no test ran under hypothesis's engine


def test_replayed_examples_are_the_ones_hypothesis_draws(suite, monkeypatch):
    suite()
    before = random.getstate(), numpy.random.get_state()[1].tolist()
    _, replayed, engine = suite()
    assert engine == [] and random.getstate() == before[0]  # the caller's generators restored, as hypothesis does
    assert numpy.random.get_state()[1].tolist() == before[1]
    outcomes, drawn, engine = _without_replay(suite)
    assert set(outcomes.values()) == {("passed", "")}
    assert drawn == replayed
    assert len({row[3] for row in drawn if row[0] == "plain"}) == 1  # every example starts from seed 0


@pytest.mark.parametrize("behaviour", [dict(limit=3), dict(reject=2), dict(widen=4), dict(reject=3, limit=40)])
def test_a_submission_that_behaves_otherwise_gets_hypothesis_own_verdict(suite, monkeypatch, behaviour):
    suite()  # a passing submission: its examples are kept
    with_replay, _, engine = suite(**behaviour)
    without, _, _ = _without_replay(suite, **behaviour)
    assert with_replay == without  # outcomes and failure reports, shrunk examples included
    assert engine  # whatever differed went back to hypothesis


def test_a_failure_is_shrunk_by_hypothesis(suite):
    suite()
    outcomes, _, _ = suite(limit=3)
    outcome, report = outcomes["test_plain"]
    assert outcome == "failed"
    assert "x=3" in report  # hypothesis's minimal failing example, not the first kept one that fails


def test_a_rejected_example_that_now_runs_is_not_replayed(suite, monkeypatch):
    suite(reject=2)  # even x rejected; kept as rejected
    outcomes, _, engine = suite()  # now nothing is rejected: hypothesis would draw other examples
    assert "test_assume" in engine
    assert outcomes == _without_replay(suite)[0]


def test_replay_never_passes_a_failing_example():
    calls = []

    def body(x):
        calls.append(x)
        assert x != 2

    examples = tuple(replay.Example({"x": x}, (), (), True) for x in range(5))
    assert replay._replays(body, body, {}, examples) is False
    assert calls == [0, 1, 2]  # stops at the first difference


def test_a_public_checks_examples_are_replayed_in_a_worker_and_a_failure_is_still_hypothesis_s(monkeypatch):
    """A public check builds its @given test anew on each call: a worker replays it too (``set_public_runner``),
    and without a runner (a student's kernel) hypothesis runs it as always."""
    from hypothesis import given
    from hypothesis import strategies as st

    from autograder import hidden_tests
    from kitcheck.strategies import PUBLIC_SETTINGS, set_public_runner

    monkeypatch.setattr(replay, "_kept", {})
    engine_runs = []
    engine = hypothesis_core.StateForActualGivenExecution.run_engine
    monkeypatch.setattr(hypothesis_core.StateForActualGivenExecution, "run_engine",
                        lambda state: engine_runs.append(1) or engine(state))

    def public_check(limit):
        seen = []

        @PUBLIC_SETTINGS
        @given(x=st.integers(0, 50))
        def run(x):
            seen.append(x)
            assert x < limit, f"x={x}"

        run()
        return seen

    plain = public_check(1000)
    assert len(engine_runs) == 1 and len(plain) > 5
    set_public_runner(hidden_tests._public_check_test)
    try:
        assert public_check(1000) == plain and len(engine_runs) == 2  # drawn and kept
        assert public_check(1000) == plain and len(engine_runs) == 2  # replayed: hypothesis did not run
        with pytest.raises(AssertionError) as replayed:
            public_check(3)
        assert len(engine_runs) == 3  # a failure: hypothesis from the start
    finally:
        set_public_runner(None)
    with pytest.raises(AssertionError) as direct:
        public_check(3)
    assert str(replayed.value) == str(direct.value) and str(direct.value).startswith("x=3\n")  # hypothesis's shrunk example, both ways
