"""The typed grading result (``autograder/results.py``): saved results load and save to the same JSON, and the
reports read the types. Fast: nothing is graded (the literals are real ``grading.json`` files, trimmed to two
questions and a few tests each)."""
import copy
import json
from datetime import datetime

import pytest

from autograder.late import LatePolicy
from autograder.pytest_plugin import TestOutcome as Outcome  # (aliased: pytest would try to collect it)
from autograder.results import CellError, Lateness, QuestionResult, SubmissionResult, load_result
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]

# What `grade tensors ... --due "2025-03-01 23:59:00 UTC"` wrote: a graded submission 8 h late (10% penalty) ...
GRADED = {'assignment': 'tensors',
 'notebook': 'submitted/alice/tensors/tensors.ipynb',
 'status': 'graded',
 'error': '',
 'notebook_errors': [],
 'max_score': 20,
 'sandbox_seconds': 0.135,
 'test_seconds': 1.086,
 'isolation': 'namespaces: its own user, mount and IPC namespaces, hidden: /dev/shm, /home, /media, /mnt, /root, '
              '/run/lock, /srv, /tmp, /var/tmp, /work, resource limits',
 'questions': [{'name': 'chunk_sizes',
                'points': 2,
                'score': 2,
                'passed': True,
                'message': '',
                'hint': '',
                'tests': [{'nodeid': 'autograder/assignments/tensors/test_hidden.py::test_public_checks[chunk_sizes]',
                           'question': 'chunk_sizes',
                           'outcome': 'passed',
                           'message': '',
                           'hint': ''},
                          {'nodeid': 'autograder/assignments/tensors/test_hidden.py::test_chunk_sizes_matches_torch_chunk',
                           'question': 'chunk_sizes',
                           'outcome': 'passed',
                           'message': '',
                           'hint': ''}]},
               {'name': 'var_mean',
                'points': 3,
                'score': 0,
                'passed': False,
                'message': 'var_mean: `var` has wrong values\n'
                           '  input:    x = tensor([2.82, 1.25]) (torch.float32, cpu), dim = 0, unbiased = True\n'
                           '  expected: tensor(1.23245) (torch.float32, cpu)\n'
                           '  got:      tensor(0.616225) (torch.float32, cpu)\n'
                           '  worst element: expected 1.23245, got 0.616225 (off by 0.62, relative 0.5; allowed '
                           'there: 0.0001 + 0.0001 x |expected| = 0.00022)',
                'hint': 'var_mean:biased-variance',
                'tests': [{'nodeid': 'autograder/assignments/tensors/test_hidden.py::test_public_checks[var_mean]',
                           'question': 'var_mean',
                           'outcome': 'failed',
                           'message': 'var_mean: `var` has wrong values\n'
                                      '  input:    x = tensor([2.82, 1.25]) (torch.float32, cpu), dim = 0, '
                                      'unbiased = True\n'
                                      '  expected: tensor(1.23245) (torch.float32, cpu)\n'
                                      '  got:      tensor(0.616225) (torch.float32, cpu)\n'
                                      '  worst element: expected 1.23245, got 0.616225 (off by 0.62, relative 0.5; '
                                      'allowed there: 0.0001 + 0.0001 x |expected| = 0.00022)',
                           'hint': 'var_mean:biased-variance'},
                          {'nodeid': 'autograder/assignments/tensors/test_hidden.py::test_var_mean_matches_torch[dtype0-cpu]',
                           'question': 'var_mean',
                           'outcome': 'not run',
                           'message': 'not run: an earlier test of this question failed',
                           'hint': ''}]}],
 'score': 17,
 'seconds': 1.291,
 'id': 'alice',
 'fingerprint': '1c0fa1b7b7c205dac99fe7632f4f52d88aaf65f06f54368f2482eaf6a06041eb',
 'grader_key': 'd53c35efe8273691c58b1140ed00ba516801e1d0e5c8919a425d209e390fd19f',
 'late': {'submitted': '2025-03-02 08:00:00 UTC',
          'due': '2025-03-01 23:59:00 UTC',
          'extension': '',
          'seconds_late': 28860.0,
          'penalty': 1.7,
          'final': 15.3,
          'policy': '10% of the score per started day late after 15 minutes of grace; the whole score from 5 days '
                    'late'}}

# ... a notebook that is not JSON, whose timestamp.txt could not be read either (worker's error path) ...
UNREADABLE = {'assignment': 'tensors',
 'notebook': 'submitted/bob/tensors/tensors.ipynb',
 'status': 'error',
 'error': '\ue000tensors.ipynb is not valid notebook JSON (line 1: Expecting property name enclosed in double '
          'quotes); was it edited in a text editor?\ue001tensors.ipynb 不是有效的 notebook JSON（第 1 行：Expecting '
          'property name enclosed in double quotes）；是不是用文本编辑器改过？\ue002',
 'notebook_errors': [],
 'max_score': 20,
 'questions': [{'name': 'broadcast_shape',
                'points': 3,
                'score': 0,
                'passed': False,
                'message': '\ue000broadcast_shape: not graded, because tensors.ipynb is not valid notebook JSON '
                           '(line 1: Expecting property name enclosed in double quotes); was it edited in a text '
                           'editor?\ue001broadcast_shape：未评分，因为tensors.ipynb 不是有效的 notebook JSON（第 1 行：Expecting '
                           'property name enclosed in double quotes）；是不是用文本编辑器改过？\ue002',
                'hint': '',
                'tests': []},
               {'name': 'chunk_sizes',
                'points': 2,
                'score': 0,
                'passed': False,
                'message': '\ue000chunk_sizes: not graded, because tensors.ipynb is not valid notebook JSON (line '
                           '1: Expecting property name enclosed in double quotes); was it edited in a text '
                           'editor?\ue001chunk_sizes：未评分，因为tensors.ipynb 不是有效的 notebook JSON（第 1 行：Expecting '
                           'property name enclosed in double quotes）；是不是用文本编辑器改过？\ue002',
                'hint': '',
                'tests': []}],
 'score': 0,
 'seconds': 0.001,
 'id': 'bob',
 'fingerprint': '23790cf84da5ce5aa8d3f1334fd03b9f55f822513916071a7b2c38e78a2cacef',
 'grader_key': '629687ecc2827f10435c513b794b510f5ab5812f5752daf948d073ad1f9b8622',
 'late': {'submitted': '',
          'due': '2025-03-01 23:59:00 UTC',
          'extension': '',
          'seconds_late': 0.0,
          'penalty': 0.0,
          'final': 0.0,
          'policy': '10% of the score per started day late after 15 minutes of grace; the whole score from 5 days '
                    'late',
          'problem': "/tmp/typed/extra/submitted/bob/tensors/timestamp.txt: 'garbage' is not a date and time "
                     '(Unknown string format: garbage)'}}

# ... and another assignment's notebook (grade.error_result: no timings, max_score after score).
WRONG_ASSIGNMENT = {'assignment': 'tensors',
 'notebook': 'submitted/carol/tensors/tensors.ipynb',
 'status': 'error',
 'error': 'this is the notebook of assignment 2 (`linalg`), not of assignment 1 (`tensors`): its exercise cells '
          'are those of linalg (addbmm_manual, matrix_1_norm, gauss_solve, rank_via_svd, ...). Submit your '
          'tensors.ipynb for tensors.',
 'notebook_errors': [],
 'questions': [{'name': 'broadcast_shape',
                'points': 3,
                'score': 0,
                'passed': False,
                'message': '\ue000broadcast_shape: not graded, because this is the notebook of assignment 2 '
                           '(`linalg`), not of assignment 1 (`tensors`): its exercise cells are those of linalg '
                           '(addbmm_manual, matrix_1_norm, gauss_solve, rank_via_svd, ...). Submit your '
                           'tensors.ipynb for tensors.\ue001broadcast_shape：未评分，因为this is the notebook of '
                           'assignment 2 (`linalg`), not of assignment 1 (`tensors`): its exercise cells are those '
                           'of linalg (addbmm_manual, matrix_1_norm, gauss_solve, rank_via_svd, ...). Submit your '
                           'tensors.ipynb for tensors.\ue002',
                'hint': '',
                'tests': []}],
 'score': 0,
 'max_score': 20,
 'id': 'carol',
 'fingerprint': '38a4a42a7226545a089bb2674fe52fcc469f9262e11e3c6b3ebd72dcae5f0640',
 'grader_key': '629687ecc2827f10435c513b794b510f5ab5812f5752daf948d073ad1f9b8622',
 'late': {'submitted': '',
          'due': '2025-03-01 23:59:00 UTC',
          'extension': '',
          'seconds_late': 0.0,
          'penalty': 0.0,
          'final': 0.0,
          'policy': '10% of the score per started day late after 15 minutes of grace; the whole score from 5 days '
                    'late'}}


SAVED = {"graded": GRADED, "unreadable": UNREADABLE, "wrong assignment": WRONG_ASSIGNMENT}


def test_saved_results_load_and_save_to_the_same_json():
    for what, saved in SAVED.items():
        result = SubmissionResult.from_dict(copy.deepcopy(saved))
        assert result.to_dict() == saved, what
        assert json.dumps(result.to_dict(), sort_keys=True) == json.dumps(saved, sort_keys=True), what
    assert list(SubmissionResult.from_dict(GRADED).to_dict()) == list(GRADED)  # the worker's key order too


def test_a_saved_result_reads_as_types():
    result = SubmissionResult.from_dict(GRADED)
    assert result.graded and result.score == 17 and result.max_score == 20 and result.id == "alice"
    var_mean = result.question("var_mean")
    assert isinstance(var_mean, QuestionResult) and not var_mean.passed and var_mean.score == 0
    assert var_mean.hint == "var_mean:biased-variance"  # a reference to a catalog entry, not a sentence
    assert all(isinstance(t, Outcome) for q in result.questions for t in q.tests)
    assert var_mean.tests[0].outcome == "failed" and var_mean.tests[0].hint == var_mean.hint
    assert isinstance(result.late, Lateness) and (result.late.penalty, result.final_score) == (1.7, 15.3)
    assert result.question("no such question") is None

    unreadable = SubmissionResult.from_dict(UNREADABLE)
    assert not unreadable.graded and unreadable.sandbox_seconds is None and unreadable.isolation is None
    assert unreadable.late is not None and "garbage" in unreadable.late.problem
    assert unreadable.final_score == 0
    wrong = SubmissionResult.from_dict(WRONG_ASSIGNMENT)
    assert wrong.seconds is None and "linalg" in wrong.error


def test_every_field_set_round_trips():
    full = SubmissionResult(
        assignment="tensors", notebook="a.ipynb", status="error", error="grader error: it broke",
        notebook_errors=[CellError(3, "ZeroDivisionError: division by zero"), CellError(None, "the notebook died")],
        max_score=20, sandbox_seconds=0.5, test_seconds=1.25, isolation="limits only", containment="1 process(es)",
        grader_error=True, score=3, seconds=2.0, id="s1", fingerprint="f" * 64, grader_key="k" * 64,
        questions=[QuestionResult("var_mean", 3, 3, True, tests=[Outcome("t::a", "var_mean", "passed")]),
                   QuestionResult("one_hot", 3, 0, False, "wrong", "one_hot:cpu-device",
                                  [Outcome("t::b", "one_hot", "failed", "wrong", "one_hot:cpu-device")])],
        late=Lateness("2025-03-02 08:00:00 UTC", "2025-03-01 23:59:00 UTC", "ext.csv", 28860.0, 0.3, 2.7,
                      "10% a day", "a problem"),
        extra={"written_by_a_newer_grader": [1, 2]})
    saved = full.to_dict()
    assert saved["grader_error"] is True and saved["late"]["problem"] == "a problem"
    assert saved["notebook_errors"] == [{"cell": 3, "error": "ZeroDivisionError: division by zero"},
                                        {"cell": None, "error": "the notebook died"}]
    assert saved["written_by_a_newer_grader"] == [1, 2]  # kept, so saving again loses nothing
    assert SubmissionResult.from_dict(json.loads(json.dumps(saved))) == full


def test_a_minimal_result_writes_only_what_is_set_and_round_trips():
    minimal = SubmissionResult("tensors", "a.ipynb")
    saved = minimal.to_dict()
    assert saved == {"assignment": "tensors", "notebook": "a.ipynb", "status": "graded", "error": "",
                     "notebook_errors": [], "max_score": 0, "questions": [], "score": 0}
    assert SubmissionResult.from_dict(saved) == minimal
    assert minimal.final_score == 0 and minimal.late is None
    # a hand-made row (as tests and older callers write them) takes the defaults for what it lacks
    row = SubmissionResult.from_dict({"id": "s", "score": 2, "questions": [{"name": "var_mean", "score": 2,
                                                                            "passed": True}], "late": {}})
    assert row.questions[0].hint == "" and row.questions[0].tests == [] and row.late is None


def test_an_error_result_scores_nothing_and_says_why(tmp_path):
    from autograder.grade import error_result

    result = error_result(TENSORS, tmp_path / "x.ipynb", "grading took longer than 5 s and was stopped")
    assert result.status == "error" and result.score == 0 and result.max_score == TENSORS.total_points
    assert [q.name for q in result.questions] == [q.name for q in TENSORS.questions]
    assert all(q.score == 0 and not q.passed and "longer than 5 s" in q.message for q in result.questions)
    saved = result.to_dict()
    assert "seconds" not in saved and "id" not in saved and "late" not in saved  # absent, as always
    assert SubmissionResult.from_dict(saved) == result


def test_a_saved_file_loads_in_one_place_and_a_damaged_one_is_refused(tmp_path):
    for what, saved in SAVED.items():
        path = tmp_path / what / "grading.json"
        path.parent.mkdir()
        path.write_text(json.dumps(saved), encoding="utf-8")
        assert load_result(path) == SubmissionResult.from_dict(saved), what
    damaged = {"not json": "{'assignment': 'tensors'",
               "not an object": json.dumps([GRADED]),
               "no questions": json.dumps({k: v for k, v in GRADED.items() if k != "questions"}),
               "a question without a name": json.dumps(dict(GRADED, questions=[{"score": 3, "passed": True}])),
               "a test that is not an object": json.dumps(dict(GRADED, questions=[dict(GRADED["questions"][0],
                                                                                      tests=["passed"])]))}
    for what, text in damaged.items():
        path = tmp_path / f"{what}.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError):
            load_result(path)
    with pytest.raises(OSError):
        load_result(tmp_path / "missing" / "grading.json")


def test_lateness_is_typed_and_reports_read_the_types(tmp_path):
    from autograder.report import csv_row, feedback_markdown, gradescope_results

    policy = LatePolicy(due=datetime(2025, 3, 1, 23, 59))
    late = policy.lateness("alice", datetime(2025, 3, 2, 8, 0), 17)
    assert late == Lateness("2025-03-02 08:00:00 UTC", "2025-03-01 23:59:00 UTC", "", 28860.0, 0.0, 17.0, "")
    assert policy.lateness("bob", None, 12).to_dict() == {"submitted": "", "due": "2025-03-01 23:59:00 UTC",
                                                         "extension": "", "seconds_late": 0.0, "penalty": 0.0,
                                                         "final": 12.0, "policy": ""}
    result = SubmissionResult.from_dict(GRADED)
    row = csv_row(TENSORS, result)
    scores = {"chunk_sizes": 2, "var_mean": 0}  # the two questions of the literal; the others count 0
    assert row == ["alice", *[scores.get(q.name, 0) for q in TENSORS.questions], 17, 20, "2025-03-02 08:00:00 UTC",
                   "2025-03-01 23:59:00 UTC", "8.02", "1.7", "15.3", "graded", ""]
    page = feedback_markdown(TENSORS, result, "en")
    saved = tmp_path / "grading.json"
    saved.write_text(json.dumps(GRADED), encoding="utf-8")
    assert page == feedback_markdown(TENSORS, load_result(saved), "en")  # the saved file reads the same
    assert "**Score: 17 / 20**" in page and "Late penalty: 1.7 points, so your final score is 15.3 / 20." in page
    assert "## ✗ `var_mean` (0/3)" in page and "## ✓ `chunk_sizes` (2/2)" in page
    gradescope = gradescope_results(TENSORS, result)
    assert gradescope["score"] == 17 and [t["status"] for t in gradescope["tests"]] == ["passed", "failed"]


def test_a_cell_errors_kind_survives_the_round_trip_and_only_a_known_kind_is_read():
    # The kind comes from the sandbox, which the student's code controls: only a kind the feedback knows is kept.
    from autograder.report import notebook_errors_text

    kept = CellError(2, "EOFError: EOF when reading a line", "input")
    assert CellError.from_dict(json.loads(json.dumps(kept.to_dict()))) == kept
    for forged in (["input"], "anything", 3, None):
        assert CellError.from_dict({"cell": 2, "error": "x", "kind": forged}).kind == ""
    result = SubmissionResult(assignment="tensors", notebook="n.ipynb", max_score=20,
                              notebook_errors=[kept, CellError(3, "EOFError: EOF when reading a line")])
    text = notebook_errors_text(result, "zh")
    assert text.count("评分时没有人输入") == 1 and "请把值直接写进代码" in text.splitlines()[1]
