"""Reading submitted notebooks defensively, and finding the cells that matter."""
from __future__ import annotations

import ast
import json
import symtable
from pathlib import Path
from typing import Sequence

import nbformat

from kitcheck.i18n import say

MAX_NOTEBOOK_BYTES = 50 * 2**20  # outputs past this are not worth reading; the code is what we grade
MAX_OUTPUT_BYTES = 2**20


class NotebookError(Exception):
    """A submission that cannot be read as a notebook; the message is for the student."""


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4, or raise NotebookError explaining what is wrong with the file."""
    path = Path(path)
    if path.is_dir():
        raise NotebookError(say("nb_folder", name=path.name))
    if not path.exists():
        raise NotebookError(say("nb_missing", name=path.name))
    size = path.stat().st_size
    if size == 0:
        raise NotebookError(say("nb_empty", name=path.name))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(say("nb_not_utf8", name=path.name, at=exc.start)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(say("nb_not_json", name=path.name, line=exc.lineno, error=exc.msg)) from None
    if size > MAX_NOTEBOOK_BYTES:
        data = _drop_outputs(data)
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise NotebookError(say("nb_no_cells", name=path.name))
    major = data.get("nbformat")
    if major not in (3, 4):
        raise NotebookError(say("nb_version", name=path.name, version=repr(major)))
    try:
        return nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat's own errors are detailed but long
        raise NotebookError(say("nb_unreadable", name=path.name, error=f"{type(exc).__name__}: {str(exc)[:200]}")) from None


def _drop_outputs(data: dict) -> dict:
    for cell in data.get("cells", []) if isinstance(data, dict) else []:
        if isinstance(cell, dict) and "outputs" in cell:
            cell["outputs"] = []
    return data


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_test_cell(cell: dict) -> bool:
    """A graded test cell (its public check and, in the source, its hidden tests)."""
    meta = nbgrader_meta(cell)
    if meta.get("grade") and not meta.get("solution"):
        return True
    return cell.get("cell_type") == "code" and cell_source(cell).lstrip().startswith("check(")


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def code_to_run(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, source) of the code cells a grader runs: every code cell except the test cells."""
    return [(i, cell_source(c)) for i, c in enumerate(nb.cells)
            if c.get("cell_type") == "code" and not is_test_cell(c) and cell_source(c).strip()]


def modules_imported(nb: nbformat.NotebookNode) -> list[str]:
    """The modules a notebook's code cells import (``import a.b`` and ``from a.b import c`` give ``a.b``)."""
    found: dict[str, None] = {}
    for _, source in code_to_run(nb):
        # IPython's magics and shell escapes are not Python: leave those lines out
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
    return list(found)


DEMO_TAG = "demo"  # a cell tag (Jupyter's own cell tags): an instructor's demonstration that grading may skip


def demo_sources(nb: nbformat.NotebookNode) -> frozenset[str]:
    """The sources of ``nb``'s code cells tagged ``demo``: what the instructor wrote to show a student's functions
    at work (training a model, plotting), which no hidden test needs. Read from our own release notebooks only."""
    return frozenset(cell_source(c) for c in nb.cells
                     if c.get("cell_type") == "code" and DEMO_TAG in (c.get("metadata", {}).get("tags") or []))


def cells_to_grade(cells: list[tuple[int, str]], demos: frozenset[str], graded_names: Sequence[str] = ()
                   ) -> list[tuple[int, str]]:
    """``cells`` (from ``code_to_run``) less the instructor's demonstrations, where leaving them out cannot change
    what the hidden tests see.

    A cell is left out only when its source is exactly a released ``demo`` cell's (a demo the student edited
    runs) and nothing that runs later can read a global name it binds: not a graded name, not a later cell that
    runs, not a function defined anywhere (its body runs when the tests call it). When any cell cannot be read as
    Python, every cell runs. nbgrader runs every cell; the scores are the same, since what the hidden tests call
    is defined by the cells that still run."""
    if not demos:
        return cells
    names = {}
    for index, source in cells:
        found = _names(source)
        if found is None:
            return cells
        names[index] = found
    skip = {index for index, source in cells if source in demos and "*" not in names[index][0]}
    while True:  # a skipped demo whose names something running reads must run, and then so must what it reads
        needed = set()
        for demo in skip:
            readers = set(graded_names)
            for index, _ in cells:
                if index not in skip:
                    _, now, later = names[index]
                    readers |= later | (now if index > demo else set())
            if names[demo][0] & readers:
                needed.add(demo)
        if not needed:
            return [(i, source) for i, source in cells if i not in skip]
        skip -= needed


_COMPREHENSIONS = {"listcomp", "setcomp", "dictcomp", "genexpr"}


def _names(source: str) -> tuple[set[str], set[str], set[str]] | None:
    """(global names a cell binds, global names it reads as it runs, global names its functions read when called),
    from Python's own symbol tables; None if it is not Python. ``*`` among the bound names: a star import."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager  # magics and ``!`` lines become Python

        code = TransformerManager().transform_cell(source)
        table = symtable.symtable(code, "<cell>", "exec")
        # A star import binds names no symbol table shows; only a cell that says both words can have one.
        star = "*" in code and "import" in code and any(
            isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) for node in ast.walk(ast.parse(code)))
    except Exception:  # SyntaxError, or a transformer's own error on odd input
        return None
    bound: set[str] = set()
    now: set[str] = set()
    later: set[str] = set()
    stack = [(table, False)]
    while stack:
        scope, deferred = stack.pop()
        top = scope.get_type() == "module"
        for sym in scope.get_symbols():
            name = sym.get_name()
            if top or sym.is_global():  # a module-level name, or a free name a function or class looks up globally
                if sym.is_referenced() or sym.is_declared_global():
                    (later if deferred else now).add(name)
                if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
                    bound.add(name)
        for child in scope.get_children():  # a function's body runs when called; a class body or comprehension now
            runs_later = deferred or (child.get_type() == "function" and child.get_name() not in _COMPREHENSIONS)
            stack.append((child, runs_later))
    if star:
        bound.add("*")
    return bound, now, later
