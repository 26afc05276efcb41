"""Reading the instructor's source notebook: where each question's solution and test cells are, the
solution code, and each language's edition. Used by the build, the samples, the canary and the mutants.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from kitcheck.spec import Assignment

from .course import SOURCE
from .notebook import cell_source

SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
HIDDEN_REGION = re.compile(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*", re.DOTALL)
# "Exercise 2 (3 points): `name`", or in the Chinese edition "练习 2（3 分）：`name`"
POINTS_HEADING = re.compile(r"(?:\((\d+) points?\)|（(\d+) 分）)[:：]\s*`(\w+)`")


class BuildError(Exception):
    """The source notebook does not match its assignment's spec; the message says how to fix it."""


def source_notebook(assignment: Assignment, source_root: Path = SOURCE) -> Path:
    return source_root / assignment.name / assignment.notebook


def find_cells(assignment: Assignment, nb) -> dict[str, tuple[int, int]]:
    """For every question, the indices of its solution cell and its test cell. Raises BuildError."""
    solutions: dict[str, list[int]] = {}
    tests: dict[str, list[int]] = {}
    names = {q.name for q in assignment.questions}
    for i, cell in enumerate(nb.cells):
        src = cell_source(cell)
        if cell.cell_type == "markdown":
            for en_points, zh_points, name in POINTS_HEADING.findall(src):
                points = en_points or zh_points
                if name in names and int(points) != assignment.question(name).points:
                    raise BuildError(f"cell {i} says `{name}` is worth {points} points; the spec says "
                                     f"{assignment.question(name).points} (kitcheck/assignments/{assignment.name}.py)")
            continue
        if cell.cell_type != "code":
            continue
        if "### BEGIN SOLUTION" in src:
            defined = re.findall(r"^(?:def|class) (\w+)\b", src, re.MULTILINE)  # a question may be a class
            owner = [d for d in defined if d in names]
            if len(owner) != 1:
                raise BuildError(f"cell {i} has a solution region but defines {defined or 'no function'}; "
                                 f"a solution cell defines exactly one of: {sorted(names)}")
            solutions.setdefault(owner[0], []).append(i)
        match = re.match(r'\s*check\("(\w+)"\)', src)
        if match:
            name = match.group(1)
            if name not in names:
                raise BuildError(f"cell {i} checks {name!r}, which is not a question of {assignment.name!r}")
            hidden = f'grade_question("{name}", globals())'
            if "### BEGIN HIDDEN TESTS" not in src or hidden not in src:
                raise BuildError(f"test cell {i} for {name!r} needs a hidden-test region calling {hidden}")
            tests.setdefault(name, []).append(i)
    cells = {}
    for q in assignment.questions:
        found_s, found_t = solutions.get(q.name, []), tests.get(q.name, [])
        if len(found_s) != 1 or len(found_t) != 1:
            raise BuildError(f"question {q.name!r} needs exactly one solution cell and one test cell; "
                             f"found {len(found_s)} and {len(found_t)}")
        if found_t[0] < found_s[0]:
            raise BuildError(f"the test cell of {q.name!r} comes before its solution cell")
        cells[q.name] = (found_s[0], found_t[0])
    return cells


def cell_language(cell) -> str | None:
    """The language of a teaching cell (``metadata.kit.lang``), or None for a cell both editions share."""
    return (cell.get("metadata", {}).get("kit") or {}).get("lang")


def edition(nb, lang: str):
    """The ``lang`` edition of a bilingual notebook: a cell in another language is left out when its twin (the
    cell next to it) is in ``lang``. A cell not yet translated stays, in its own language, so nothing is lost.
    Cell metadata (nbgrader's grade ids, stamped on the bilingual notebook) is kept as it is."""
    nb = copy.deepcopy(nb)
    cells = nb.cells
    keep = []
    for i, cell in enumerate(cells):
        own = cell_language(cell)
        twins = [cell_language(cells[j]) for j in (i - 1, i + 1) if 0 <= j < len(cells)]
        if own is not None and own != lang and lang in twins:
            continue
        keep.append(cell)
    nb.cells = keep
    nb.metadata.setdefault("kit", {})["lang"] = lang
    return nb


def solution_code(assignment: Assignment, source_root: Path = SOURCE) -> dict[str, str]:
    """Each question's reference solution: the source solution cell without its markers."""
    nb = nbformat.read(source_notebook(assignment, source_root), as_version=4)
    return {name: SOLUTION_MARKER.sub("", cell_source(nb.cells[s]))
            for name, (s, _) in find_cells(assignment, nb).items()}
