"""Grading one submission: run its notebook in a sandbox, run the hidden tests against it, score it.

Run as ``python -m autograder.worker ASSIGNMENT NOTEBOOK RESULT_JSON`` for one notebook, or with ``--serve``
as a warm worker that grades many (the batch grader keeps one per job; see ``grade.WarmWorker``).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from kitcheck.assignments import ASSIGNMENTS
from kitcheck.forbidden import broken_rule
from kitcheck.i18n import say
from kitcheck.spec import Assignment

from .course import course_languages, edition_dir
from .files import write_json_atomic
from . import stored_examples
from .hidden_tests import run_hidden_tests
from .isolation import become_subreaper, describe
from .notebook import NotebookError, cells_to_grade, code_to_run, demo_sources, modules_imported, read_notebook
from .pytest_plugin import TestOutcome
from .results import CellError, QuestionResult, SubmissionResult
from .sandbox import Sandbox


def score(assignment: Assignment, outcomes: list[TestOutcome]) -> list[QuestionResult]:
    """Per question: full points when every one of its tests passed (skipped ones aside), else 0."""
    rows = []
    for q in assignment.questions:
        mine = [o for o in outcomes if o.question == q.name]
        failed = [o for o in mine if o.outcome == "failed"]
        passed = bool(mine) and not failed and any(o.outcome == "passed" for o in mine)
        rows.append(QuestionResult(q.name, q.points, q.points if passed else 0, passed,
                                   message=failed[0].message if failed else "",
                                   hint=failed[0].hint if failed else "", tests=mine,
                                   not_written=bool(failed) and failed[0].not_written))
    return rows


def apply_rules(assignment: Assignment, sources: Sequence[str], rows: list[QuestionResult]) -> None:
    """A question whose code uses a function its exercise asks the student not to call (``Question.forbidden``)
    scores 0, whatever the values: the rule is read from the notebook's code here, never from the sandbox."""
    names = [q.name for q in assignment.questions]
    for row in rows:
        broken = broken_rule(sources, assignment.question(row.name), names)
        if broken:
            row.score, row.passed, row.hint, row.not_written, row.message = 0, False, "", False, broken


def not_graded(assignment: Assignment, why: str) -> list[QuestionResult]:
    """Every question at 0, each saying that nothing was graded and ``why``."""
    rows = score(assignment, [])
    for row in rows:
        row.message = say("not_graded_because", name=row.name, why=why)
    return rows


@lru_cache(maxsize=None)
def _release_editions(name: str) -> tuple:
    """The assignment's release notebooks that are installed, one per edition (the first is the course's first
    language). Our own releases, never a student's notebook; none on a machine without them (Gradescope)."""
    found = []
    for lang in course_languages():
        try:
            found.append(read_notebook(edition_dir("release", lang) / name / ASSIGNMENTS[name].notebook))
        except NotebookError:
            pass
    return tuple(found)


@lru_cache(maxsize=None)
def release_imports(name: str) -> tuple[str, ...]:
    """What the assignment's release notebook imports (the sandbox server imports it once, not every
    sandbox: scikit-learn's datasets alone take 0.6 s); empty where the release is not installed."""
    editions = _release_editions(name)
    return tuple(modules_imported(editions[0])) if editions else ()


@lru_cache(maxsize=None)
def release_demos(name: str) -> frozenset[str]:
    """The ``demo`` cells of the assignment's release notebooks, in every edition: what grading may leave out
    (``notebook.cells_to_grade``); empty where the releases are not installed (then every cell runs)."""
    return frozenset().union(*(demo_sources(nb) for nb in _release_editions(name)))


def grade_notebook(assignment: Assignment, notebook: Path, *, only_cuda: bool = False,
                   questions: set[str] | None = None, call_timeout: float = 10.0,
                   hide: Sequence[Path | str] = ()) -> SubmissionResult:
    """Grade one notebook; never raises for problems of the submission itself.

    ``hide``: folders the student's code must not see (the grading output, the other submissions)."""
    start = time.perf_counter()
    result = SubmissionResult(assignment=assignment.name, notebook=str(notebook), max_score=assignment.total_points)
    try:
        nb = read_notebook(notebook)
        cells = all_cells = code_to_run(nb)
        if not cells:
            raise NotebookError(say("nb_no_code"))
        # the instructor's demonstrations (training a model to show the student's layers at work) cost seconds
        # and change nothing the hidden tests see: left out where that is provable (see cells_to_grade)
        cells = cells_to_grade(cells, release_demos(assignment.name), [q.name for q in assignment.questions])
    except NotebookError as exc:
        result.status, result.error, result.score = "error", str(exc), 0
        result.questions = not_graded(assignment, str(exc))
        result.seconds = round(time.perf_counter() - start, 3)
        return result
    sandbox_start = time.perf_counter()
    with Sandbox(cells, hide=[notebook, *hide], call_timeout=call_timeout,
                 preload=release_imports(assignment.name)) as box:
        tests_start = time.perf_counter()
        result.sandbox_seconds = round(tests_start - sandbox_start, 3)  # start it and run the student's cells
        outcomes = run_hidden_tests(assignment.name, box.call, questions=questions, only_cuda=only_cuda)
        result.test_seconds = round(time.perf_counter() - tests_start, 3)  # the rest is overhead
        dead = box.dead and not box.start_error  # a sandbox that never started is not the notebook's failure
        result.notebook_errors = [CellError.from_dict(e) for e in box.cell_errors] + \
            ([CellError(None, box.dead)] if dead else [])
        result.isolation = describe(box.plan)
        start_error = box.start_error
    if box.leftovers:  # the sweep could not kill everything of the sandbox's user: say so, loudly
        result.containment = f"{len(box.leftovers)} process(es) of the sandbox's user survived it"
        print(f"warning: {result.containment} ({notebook})", file=sys.stderr)
    rows = score(assignment, outcomes)
    apply_rules(assignment, [source for _, source in all_cells], rows)
    if start_error:  # nothing of the student's ran: the grader failed, not the notebook
        rows = not_graded(assignment, say("grader_could_not_run", error=start_error))
        result.status, result.grader_error, result.error = "error", True, f"grader error: {start_error}"
    result.questions, result.score = rows, sum(r.score for r in rows)
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def serve(protocol_out: int) -> None:
    """Grade requests read from stdin, one JSON object a line, until stdin closes (a warm worker).

    Each request: {"assignment", "notebook", "result", "hide": [...], "only_cuda"}. After writing a result,
    the worker answers {"done": result} on ``protocol_out``. Torch, pytest, hypothesis and the hidden tests
    are imported once; every submission still gets its own fresh, isolated sandbox.
    """
    for line in sys.stdin:
        req = json.loads(line)
        result = grade_notebook(ASSIGNMENTS[req["assignment"]], Path(req["notebook"]), only_cuda=req["only_cuda"],
                                hide=[Path(p) for p in req["hide"]],
                                questions=set(req["questions"]) if req.get("questions") else None)
        write_json_atomic(Path(req["result"]), result.to_dict())
        os.write(protocol_out, (json.dumps({"done": req["result"]}) + "\n").encode())


def draw_examples(assignment: Assignment) -> int:
    """Grade ``assignment``'s solution sample as a worker does, drawing every hypothesis example, and store what
    was kept (``stored_examples.write`` runs this in a fresh process)."""
    from .course import SAMPLES
    from .sandbox import start_fork_server_early

    stored_examples.draw_here()
    start_fork_server_early()
    result = grade_notebook(assignment, SAMPLES / assignment.name / "solution.ipynb")
    if result.score != result.max_score:
        print(f"{assignment.name}: the solution sample scored {result.score}/{result.max_score}; no examples stored",
              file=sys.stderr)
        return 1
    stored_examples.save(assignment.name)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.worker")
    parser.add_argument("--serve", action="store_true", help="grade JSON requests from stdin (see serve())")
    parser.add_argument("assignment", nargs="?", choices=sorted(ASSIGNMENTS))
    parser.add_argument("notebook", nargs="?", type=Path)
    parser.add_argument("result", nargs="?", type=Path)
    parser.add_argument("--only-cuda", action="store_true")
    parser.add_argument("--call-timeout", type=float, default=10.0)
    parser.add_argument("--hide", type=Path, action="append", default=[], help="a folder student code must not see")
    parser.add_argument("--draw-examples", metavar="ASSIGNMENT", choices=sorted(ASSIGNMENTS),
                        help="grade the solution sample, drawing every example, and store them (stored_examples)")
    args = parser.parse_args(argv)
    become_subreaper()  # a student's detached processes come back to us, to be killed
    if args.draw_examples:
        return draw_examples(ASSIGNMENTS[args.draw_examples])
    if args.serve:
        from .sandbox import start_fork_server_early

        start_fork_server_early()  # before any hidden test is loaded: the server forks sandboxes from itself
        # torch, IPython and the rest, imported, stay for the worker's life: frozen, no full collection walks
        # them again (hypothesis runs one on its first test: 0.2 s of every worker's first submission)
        gc.freeze()
        protocol_out = os.dup(1)
        os.dup2(2, 1)  # anything else printed goes to stderr, never into the answers
        serve(protocol_out)
        return 0
    if not (args.assignment and args.notebook and args.result):
        parser.error("ASSIGNMENT NOTEBOOK RESULT are required without --serve")
    result = grade_notebook(ASSIGNMENTS[args.assignment], args.notebook, only_cuda=args.only_cuda,
                            call_timeout=args.call_timeout, hide=args.hide)
    write_json_atomic(args.result, result.to_dict())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
