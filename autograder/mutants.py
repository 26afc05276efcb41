"""The kill matrix: grade every catalogued mistake and correct variant with the hidden tests.

A mistake must lose the points of its own question and of no other; a correct variant must score full
marks. Each entry replaces one function of the reference solution and is graded in this process (the
catalog is our code, not a student's), with the same hidden tests, scoring and hints as a submission.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

from autograder.catalog import Mistake, Variant, catalog, variants
from kitcheck.i18n import in_language, language
from kitcheck.spec import Assignment
from kitcheck.transport import local_transport

from .build import solution_code
from .hidden_tests import run_hidden_tests
from .report import full_message
from .results import QuestionResult
from .worker import score


@dataclass
class MatrixRow:
    kind: str            # "mistake" or "variant"
    question: str
    slug: str
    scores: dict         # question -> points, for the questions that were graded
    verdict: str         # killed | SURVIVED | accepted | REJECTED
    hint_named: bool | None  # for a mistake: did its feedback name its own misconception?
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def _namespace(code: dict[str, str]) -> dict:
    # The same names the hints give catalog code (autograder.misconceptions.compile_entry), so an entry that
    # uses F or math is judged alike by both.
    ns: dict = {"torch": torch, "F": torch.nn.functional, "math": math, "__name__": "__main__"}
    for source in code.values():
        exec(compile(source, "<catalog>", "exec"), ns)
    return ns


def _graded(assignment: Assignment, ns: dict, questions: set[str] | None, record: list | None = None) -> list[QuestionResult]:
    local = local_transport(ns)

    def call(name, args, kwargs, driver=None):
        if record is not None:
            record.append(name)
        return local(name, args, kwargs, driver)

    outcomes = run_hidden_tests(assignment.name, call, questions=questions)
    return [row for row in score(assignment, outcomes) if questions is None or row.name in questions]


def isolated_questions(assignment: Assignment, ns: dict) -> set[str]:
    """Questions whose tests call only their own function, so an entry for it can be graded alone."""
    isolated = set()
    for q in assignment.questions:
        calls: list[str] = []
        _graded(assignment, ns, {q.name}, calls)
        if set(calls) <= {q.name}:
            isolated.add(q.name)
    return isolated


def kill_matrix(assignment: Assignment) -> list[MatrixRow]:
    """Grade every catalog entry of ``assignment``; see the module docstring for what each must score."""
    reference = solution_code(assignment)
    isolated = isolated_questions(assignment, _namespace(reference))
    full = {q.name: q.points for q in assignment.questions}
    rows = []
    entries: list[Mistake | Variant] = [*catalog(assignment.name), *variants(assignment.name)]
    for entry in entries:
        ns = _namespace({**reference, entry.question: entry.code})
        graded = _graded(assignment, ns, {entry.question} if entry.question in isolated else None)
        scores = {r.name: r.score for r in graded}
        own = next(r for r in graded if r.name == entry.question)
        others_full = all(scores[n] == full[n] for n in scores if n != entry.question)
        if isinstance(entry, Mistake):
            verdict = "killed" if own.score < full[entry.question] and others_full else "SURVIVED"
            hint = None if entry.numerical else own.hint == entry.key  # see Mistake.numerical
            rows.append(MatrixRow("mistake", entry.question, entry.slug, scores, verdict, hint,
                                  full_message(own, language())))
        else:
            verdict = "accepted" if scores == {n: full[n] for n in scores} else "REJECTED"
            rows.append(MatrixRow("variant", entry.question, entry.slug, scores, verdict, None, in_language(own.message, language())))
    return rows


def summary(rows: list[MatrixRow]) -> dict[str, tuple[int, int]]:
    mistakes = [r for r in rows if r.kind == "mistake"]
    variants_ = [r for r in rows if r.kind == "variant"]
    return {"killed": (sum(r.verdict == "killed" for r in mistakes), len(mistakes)),
            "accepted": (sum(r.verdict == "accepted" for r in variants_), len(variants_)),
            "hint named the misconception": (sum(bool(r.hint_named) for r in mistakes),
                                             sum(r.hint_named is not None for r in mistakes))}


def format_matrix(rows: list[MatrixRow]) -> str:
    lines = [f"{'kind':8} {'question':18} {'entry':26} {'verdict':9} hint"]
    for r in rows:
        hint = ("" if r.kind == "variant" else "numerical") if r.hint_named is None else ("named" if r.hint_named else "-")
        lines.append(f"{r.kind:8} {r.question:18} {r.slug:26} {r.verdict:9} {hint}")
        if r.verdict in ("SURVIVED", "REJECTED"):
            lines.append("         " + (r.message or "(no failure message)").replace("\n", "\n         "))
    lines.append("")
    lines += [f"{k}: {a}/{b}" for k, (a, b) in summary(rows).items()]
    return "\n".join(lines)
