"""Reading submitted notebooks defensively, and finding the cells that matter."""
from __future__ import annotations

import ast
import json
from pathlib import Path

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
