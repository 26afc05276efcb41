"""The hidden tests are collected once per worker and run directly (``hidden_tests.collected``): every outcome,
message and hint must be what pytest's own runner reports, and anything the direct runner does not know goes
back to pytest."""
import sys
import textwrap

import pytest

from autograder import hidden_tests, pytest_plugin
from autograder.course import SAMPLES
from autograder.pytest_plugin import OutcomeCollector
from autograder.worker import grade_notebook
from kitcheck.assignments import ASSIGNMENTS

TESTS = '''
import pytest
from autograder.harness import question


@question("a")
@pytest.mark.parametrize("x", [1, 2, 3])
def test_a_passes_then_fails(q, x):
    assert q == "a"
    assert x < 2, f"x is {x}"


@question("a")
def test_a_after_its_failure(q):
    pass


@question("b")
@pytest.mark.skipif(True, reason="no such device")
def test_b_skipped_by_mark(q):
    raise AssertionError("never runs")


@question("b")
def test_b_skips_itself():
    pytest.skip("not today")


@question("b")
@pytest.mark.parametrize("y", [0])
def test_b_passes(y):
    assert y == 0


@question("c")
def test_c_raises():
    raise ValueError("boom")
'''


def _collect(path):
    collect = hidden_tests._Collect()
    pytest.main([str(path), "--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir", str(path.parent)],
                plugins=[pytest_plugin, collect])
    return collect.items


@pytest.fixture
def test_file(tmp_path, monkeypatch):
    path = tmp_path / "test_runner_sample.py"
    path.write_text(textwrap.dedent(TESTS))
    monkeypatch.delitem(sys.modules, "test_runner_sample", raising=False)
    yield path
    sys.modules.pop("test_runner_sample", None)


def _as_rows(outcomes):
    return [(o.nodeid.split("::")[-1], o.question, o.outcome, o.message) for o in outcomes]


def test_the_direct_runner_reports_what_pytest_reports(test_file):
    tests = tuple(hidden_tests._collected_test(item) for item in _collect(test_file))
    assert None not in tests
    direct = hidden_tests._run_collected(tests, None, False)
    collector = OutcomeCollector()
    pytest.main([str(test_file), "-q", "-p", "no:cacheprovider", "--rootdir", str(test_file.parent)],
                plugins=[pytest_plugin, collector])
    assert _as_rows(direct) == _as_rows(collector.outcomes)
    assert [row[2] for row in _as_rows(direct)] == ["passed", "failed", "not run", "not run", "skipped", "skipped",
                                                   "passed", "failed"]
    # a plain assert's text is the test's source, never shown; a skip says why
    assert "x is 2" not in direct[1].message and direct[4].message == "no such device"
    # a question filter and only_cuda deselect, as OutcomeCollector does
    assert {o.question for o in hidden_tests._run_collected(tests, {"b"}, False)} == {"b"}
    assert hidden_tests._run_collected(tests, None, True) == []


@pytest.mark.parametrize("fixture_or_mark", ["def test_x(q, tmp_path):",
                                             "@pytest.mark.skip(reason='r')\ndef test_x(q):",
                                             "@pytest.mark.skipif('True', reason='r')\ndef test_x(q):",
                                             "@pytest.mark.xfail\ndef test_x(q):"])
def test_a_test_that_needs_more_of_pytest_is_left_to_pytest(tmp_path, fixture_or_mark, monkeypatch):
    path = tmp_path / "test_runner_other.py"
    path.write_text(f"import pytest\nfrom autograder.harness import question\n\n@question('a')\n"
                    f"{fixture_or_mark}\n    pass\n")
    monkeypatch.delitem(sys.modules, "test_runner_other", raising=False)
    try:
        [item] = _collect(path)
        assert hidden_tests._collected_test(item) is None
    finally:
        sys.modules.pop("test_runner_other", None)


def test_every_assignment_runs_directly():
    for name in sorted(ASSIGNMENTS):
        assert hidden_tests.collected(name), name


@pytest.mark.parametrize("name", ["basics", "networks"])
def test_grading_gives_the_same_outcomes_with_either_runner(name, monkeypatch):
    a = ASSIGNMENTS[name]
    notebooks = [SAMPLES / name / "solution.ipynb", SAMPLES / name / "untouched.ipynb",
                 *sorted((SAMPLES / name).glob("mistake-*.ipynb"))[:1]]

    def rows(notebook):
        result = grade_notebook(a, notebook)
        return result.score, [(t.nodeid, t.outcome, t.message, t.hint) for q in result.questions for t in q.tests]

    direct = [rows(nb) for nb in notebooks]
    monkeypatch.setattr(hidden_tests, "collected", lambda assignment: None)
    assert [rows(nb) for nb in notebooks] == direct
    assert direct[0][0] == a.total_points and direct[1][0] == 0 and 0 < direct[2][0] < a.total_points
