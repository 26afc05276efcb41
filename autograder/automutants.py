"""Mutation testing beyond the catalog: mutants of every solution, graded by the hidden tests.

The catalog holds the mistakes we thought of. ``python -m autograder mutants <a> --auto`` also asks what
the hidden tests miss that nobody thought of: it applies **mutmut's operator set** to each question's
solution cell (the instructor's code between the solution markers), one change per mutant, and grades
every mutant with the question's hidden tests through the same path as the kill matrix
(``autograder.mutants``). A mutant that still scores full marks *survived*.

Operators (mutmut's, on Python's ``ast``):

- arithmetic ``+ -``, ``* /``, ``// -> /``, ``% -> /``, ``** -> *``, ``@ -> *``, ``<< >>``, ``& |``, ``^ -> &``,
  in expressions and in augmented assignments (``+=`` -> ``-=``);
- comparisons ``< <=``, ``> >=``, ``== !=``, ``is / is not``, ``in / not in``; ``and / or``;
- unary ``not x -> x`` and ``-x -> x``; ``break / continue``;
- numbers ``n -> n + 1`` (``0.5 -> 1.5``), ``True / False``;
- assignments ``x = e -> x = None``; a lambda's body ``-> None``;
- a call's keyword argument removed (``sum(dim=1, keepdim=True) -> sum(dim=1)``).

String constants are left alone: here they are error messages, whose text no exercise grades.

A survivor is either a gap in the hidden tests (kill it with a test) or *equivalent*: no input can tell
it apart from the solution (``x * 2`` vs ``x + x`` after a mutation, a dtype argument that is already the
default). Equivalents are recorded with the reason, per assignment, in
``autograder/assignments/<a>/equivalent.py``::

    EQUIVALENT = {"var_mean:compare <= -> <@4:11": "n >= 1 always, so n - 1 < n and n - 1 <= n agree"}

The key is ``<question>:<mutant id>``; ids name the operator and the line:column in the solution cell, so
they stay valid while that cell is unchanged. The kill rate counts killed / (mutants - equivalents).
Each graded call has a time limit (a mutant that loops forever is killed, as in mutmut).
"""
from __future__ import annotations

import ast
import copy
import importlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator

from kitcheck.spec import Assignment
from kitcheck.timelimit import call_with_time_limit
from kitcheck.transport import local_transport

from .build import solution_code
from .hidden_tests import run_hidden_tests
from .mutants import _namespace, isolated_questions
from .worker import score

CALL_SECONDS = 5.0  # per call of a mutant: generous for tiny inputs, short enough for endless loops

_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
          ast.Mod: ast.Div, ast.Pow: ast.Mult, ast.MatMult: ast.Mult, ast.LShift: ast.RShift,
          ast.RShift: ast.LShift, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitAnd}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
           ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&",
           ast.BitOr: "|", ast.BitXor: "^", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
           ast.NotIn: "not in", ast.And: "and", ast.Or: "or"}


@dataclass(frozen=True)
class Mutant:
    """One change to one question's solution cell."""

    question: str
    id: str          # operator and place, e.g. "arith + -> -@3:12"
    line: str        # the solution's line, as written
    code: str        # the whole mutated cell

    @property
    def key(self) -> str:
        return f"{self.question}:{self.id}"


@dataclass
class MutantResult:
    question: str
    id: str
    line: str
    verdict: str     # killed | SURVIVED | equivalent | equivalent-but-killed
    seconds: float
    reason: str = ""  # for an equivalent: why

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    assignment: str
    results: list[MutantResult] = field(default_factory=list)

    @property
    def counted(self) -> list[MutantResult]:
        return [r for r in self.results if r.verdict in ("killed", "SURVIVED")]

    @property
    def kill_rate(self) -> float:
        counted = self.counted
        return sum(r.verdict == "killed" for r in counted) / len(counted) if counted else 1.0


# -- generating mutants ------------------------------------------------------------------------------
def _sites(tree: ast.AST) -> Iterator[tuple[int, str, Callable[[Any], None] | None]]:
    """``(node index in ast.walk order, label, edit)`` for every mutation of ``tree`` (``edit`` None: a
    statement swapped by ``_Unary``). ``edit`` gets the copy's node at that index (of the same node type)."""
    for index, node in enumerate(ast.walk(tree)):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITH:
            arith = _ARITH[type(node.op)]
            label = f"arith {_SYMBOL[type(node.op)]} -> {_SYMBOL[arith]}"

            def set_arith(n, new=arith):
                n.op = new()
            yield index, label, set_arith
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _COMPARE:
                    compare = _COMPARE[type(op)]

                    def edit(n, k=k, new=compare):
                        n.ops[k] = new()
                    yield index, f"compare {_SYMBOL[type(op)]} -> {_SYMBOL[compare]}", edit
        elif isinstance(node, ast.BoolOp):
            boolean = ast.Or if isinstance(node.op, ast.And) else ast.And

            def set_bool(n, new=boolean):
                n.op = new()
            yield index, f"bool {_SYMBOL[type(node.op)]} -> {_SYMBOL[boolean]}", set_bool
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            yield index, f"constant {node.value} -> {not node.value}", lambda n: setattr(n, "value", not n.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):  # (bools: the branch above)
            yield index, f"number {node.value!r} -> {node.value + 1!r}", lambda n: setattr(n, "value", n.value + 1)
        elif isinstance(node, ast.Assign):
            yield index, "assign -> None", lambda n: setattr(n, "value", ast.Constant(None))
        elif isinstance(node, ast.Lambda):
            yield index, "lambda -> None", lambda n: setattr(n, "body", ast.Constant(None))
        elif isinstance(node, ast.Call):
            for k, kw in enumerate(node.keywords):
                if kw.arg is not None:
                    def drop(n, k=k):
                        del n.keywords[k]
                    yield index, f"drop {kw.arg}=", drop
        elif isinstance(node, ast.Break):
            yield index, "break -> continue", None  # swapped by _Unary
        elif isinstance(node, ast.Continue):
            yield index, "continue -> break", None


class _Unary(ast.NodeTransformer):
    """Removes one unary ``not`` or ``-`` (found by its walk index)."""

    def __init__(self, target: ast.AST):
        self.target = target

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        return node.operand if node is self.target else node

    def visit_Break(self, node: ast.Break) -> ast.AST:
        return ast.Continue() if node is self.target else node

    def visit_Continue(self, node: ast.Continue) -> ast.AST:
        return ast.Break() if node is self.target else node


def mutants_of(question: str, cell: str) -> list[Mutant]:
    """Every single-change mutant of a solution cell, without duplicates or no-ops."""
    tree = ast.parse(cell)
    lines = cell.splitlines()
    original = ast.unparse(tree)
    unary = [(i, f"unary {'not' if isinstance(n.op, ast.Not) else '-'} removed")
             for i, n in enumerate(ast.walk(tree))
             if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.Not, ast.USub))]
    found: list[Mutant] = []
    seen = {original}
    for index, label, edit in [*_sites(tree), *((i, label, None) for i, label in unary)]:
        mutated = copy.deepcopy(tree)
        node = list(ast.walk(mutated))[index]
        if edit is None:
            mutated = _Unary(node).visit(mutated)
        else:
            edit(node)
        ast.fix_missing_locations(mutated)
        try:
            code = ast.unparse(mutated)
            compile(code, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            continue
        if code in seen:
            continue
        seen.add(code)
        line_no, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        line = lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ""
        found.append(Mutant(question, f"{label}@{line_no}:{col}", line, code))
    return found


def equivalents(assignment: str) -> dict[str, str]:
    """The recorded equivalent mutants of an assignment: ``{"question:id": reason}``."""
    try:
        module = importlib.import_module(f"autograder.assignments.{assignment}.equivalent")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(module, "EQUIVALENT", {}))


# -- grading them ------------------------------------------------------------------------------------
def _timed_transport(ns: dict):
    local = local_transport(ns)

    def call(name, args, kwargs, driver=None):
        return call_with_time_limit(lambda: local(name, args, kwargs, driver), CALL_SECONDS)

    return call


def grade_mutant(assignment: Assignment, reference: dict[str, str], mutant: Mutant, isolated: set[str]) -> bool:
    """True when the mutant loses points on its own question (killed)."""
    try:
        ns = _namespace({**reference, mutant.question: mutant.code})
    except Exception:  # noqa: BLE001 - a mutant that cannot even be defined is killed at once
        return True
    questions = {mutant.question} if mutant.question in isolated else None
    try:
        outcomes = run_hidden_tests(assignment.name, _timed_transport(ns), questions=questions)
    except Exception:  # noqa: BLE001 - the tests could not run with it: as good as failing
        return True
    rows = {r.name: r for r in score(assignment, outcomes)}
    own = assignment.question(mutant.question)
    return rows[mutant.question].score < own.points


def run(assignment: Assignment, questions: set[str] | None = None, progress: Callable | None = None) -> Report:
    """Generate and grade the mutants of ``assignment``'s solutions (``questions`` only, when given)."""
    reference = solution_code(assignment)
    isolated = isolated_questions(assignment, _namespace(reference))
    recorded = equivalents(assignment.name)
    report = Report(assignment.name)
    todo = [m for q, cell in reference.items() if questions is None or q in questions
            for m in mutants_of(q, cell)]
    for i, mutant in enumerate(todo):
        start = time.perf_counter()
        killed = grade_mutant(assignment, reference, mutant, isolated)
        seconds = time.perf_counter() - start
        if mutant.key in recorded:
            verdict = "equivalent-but-killed" if killed else "equivalent"
            report.results.append(MutantResult(mutant.question, mutant.id, mutant.line, verdict, seconds,
                                               recorded[mutant.key]))
        else:
            report.results.append(MutantResult(mutant.question, mutant.id, mutant.line,
                                               "killed" if killed else "SURVIVED", seconds))
        if progress:
            progress(i + 1, len(todo), report.results[-1])
    return report


def format_report(report: Report) -> str:
    """Per question: mutants, killed, equivalents; then every survivor with its line."""
    lines = [f"{'question':22} {'mutants':>7} {'killed':>6} {'equiv':>5} {'survived':>8}"]
    for q in dict.fromkeys(r.question for r in report.results):
        rows = [r for r in report.results if r.question == q]
        lines.append(f"{q:22} {len(rows):7} {sum(r.verdict == 'killed' for r in rows):6} "
                     f"{sum(r.verdict.startswith('equivalent') for r in rows):5} "
                     f"{sum(r.verdict == 'SURVIVED' for r in rows):8}")
    survivors = [r for r in report.results if r.verdict == "SURVIVED"]
    if survivors:
        lines += ["", "survivors (kill them with a test, or record them in equivalent.py with the reason):"]
        lines += [f"  {r.question}:{r.id}    {r.line}" for r in survivors]
    stale = [r for r in report.results if r.verdict == "equivalent-but-killed"]
    if stale:
        lines += ["", "recorded as equivalent but killed (remove them from equivalent.py):"]
        lines += [f"  {r.question}:{r.id}" for r in stale]
    counted = report.counted
    lines += ["", f"kill rate: {sum(r.verdict == 'killed' for r in counted)}/{len(counted)} = "
                  f"{100 * report.kill_rate:.1f}% of the non-equivalent mutants "
                  f"({len(report.results) - len(counted)} recorded as equivalent)"]
    return "\n".join(lines)
