"""Which functions an exercise asks the student not to call, and whether the student's code calls them.

An exercise that re-implements a torch function ("Don't call `F.conv2d`") cannot be told from torch's own
function by its values: the same numbers come back. This reads the notebook's code instead, as plain text: the
grader runs it on the notebook's cells (never trusting anything the sandbox says), and ``check()`` on the cells
the student ran. It parses the code, resolves each name through the notebook's imports and simple aliases
(``import torch.nn.functional as F``; ``from torch import var``; ``conv = F.conv2d``) to a dotted name, and
looks for the question's forbidden names in the question's function or class and in the notebook's own helper
functions it uses (not in other exercises, which follow their own rules).

A forbidden name is dotted (``torch.nn.functional.conv2d``), a method of every tensor (``Tensor.var``: any
``something.var``, and ``torch.Tensor.var``), any name of a module (``cv2.*``), or a function of the notebook
itself (``vgg_block``). Code that hides a name (``getattr(F, "conv" + "2d")``) is not found: this is a rule
check for honest code, beside the hidden tests that check the values.
"""
from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Sequence

from .i18n import say
from .spec import Question

MAX_SOURCE = 2_000_000  # characters of code read per notebook: beyond that the notebook is not a student's


def _python(source: str) -> ast.Module | None:
    """The cell's code as Python, or None. A cell that is not plain Python goes through IPython's transformer
    (magics and shell escapes become calls) first: only then, since it tokenizes slowly (5 ms a cell)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # noqa: BLE001 - no IPython, or a cell neither can read
        return None


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for anything else (a call's result, a subscript, ...)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


class _Notebook:
    """The notebook's top-level names: what each import and simple alias stands for, and each def or class."""

    def __init__(self, sources: Iterable[str]):
        self.aliases: dict[str, str] = {}
        self.defs: dict[str, ast.AST] = {}
        read = 0
        for source in sources:
            read += len(source)
            if read > MAX_SOURCE:
                break
            tree = _python(source)
            if tree is None:
                continue
            for node in tree.body:
                self._learn(node, self.aliases)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    self.defs[node.name] = node  # the last definition wins, as when the cells run in order

    def _learn(self, node: ast.AST, aliases: dict[str, str]) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            full = self.resolve(node.value, aliases)
            if full is not None and "." in full:
                aliases[node.targets[0].id] = full

    def resolve(self, node: ast.AST, aliases: dict[str, str]) -> str | None:
        """The dotted name ``node`` stands for, through the aliases; None when its root is not an import."""
        parts = _dotted(node)
        if parts is None or parts[0] not in aliases:
            return None
        return ".".join([aliases[parts[0]], *parts[1:]])


@functools.lru_cache(maxsize=4)
def _read(sources: tuple[str, ...]) -> _Notebook:
    """The notebook's names, read once for all its questions (parsing is most of the cost; nothing changes it)."""
    return _Notebook(sources)


def _matches(full: str | None, attr: str | None, local: str | None, rule: str) -> bool:
    if rule.startswith("Tensor."):
        method = rule[len("Tensor."):]
        return attr == method or full == f"torch.{rule}"
    if rule.endswith(".*"):
        return full is not None and (full == rule[:-2] or full.startswith(rule[:-1]))
    if "." not in rule:
        return local == rule
    return full == rule


def forbidden_uses(sources: Sequence[str], name: str, forbidden: Sequence[str],
                   others: Iterable[str] = ()) -> list[str]:
    """The forbidden names (as the rules spell them) that the notebook's ``name`` uses, directly or through the
    notebook's own helpers; ``others``: the other exercises' names, whose code is not followed."""
    if not forbidden:
        return []
    nb = _read(tuple(sources))
    if name not in nb.defs:
        return []
    skip = set(others) - {name}
    found: list[str] = []
    queue, seen = [name], {name}
    while queue:
        node = nb.defs[queue.pop()]
        aliases = dict(nb.aliases)
        for inner in ast.walk(node):  # imports inside the function count too
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                nb._learn(inner, aliases)
        for inner in ast.walk(node):
            local = inner.id if isinstance(inner, ast.Name) else None
            attr = inner.attr if isinstance(inner, ast.Attribute) else None
            full = nb.resolve(inner, aliases) if isinstance(inner, (ast.Name, ast.Attribute)) else None
            # one name per place in the code: `torch.var(x)` is torch.var, not also the method var
            rule = next((r for r in forbidden if _matches(full, attr, local, r)), None)
            if rule is not None and rule not in found:
                found.append(rule)
            if local and local in nb.defs and local not in seen and local not in skip:
                seen.add(local)
                queue.append(local)
    return found


def broken_rule(sources: Sequence[str], question: Question, others: Iterable[str] = ()) -> str:
    """What a student reads when ``question``'s code uses a name its exercise forbids ("" when it uses none): the
    one sentence the grader, ``check()`` and nbgrader's hidden-test cells all say."""
    used = forbidden_uses(sources, question.name, question.forbidden, others)
    return say("forbidden_call", name=question.name,
               names=say("list_sep").join(f"`{shown(u)}`" for u in used)) if used else ""


def shown(rule: str) -> str:
    """A forbidden name as a student reads it: ``F.conv2d`` for ``torch.nn.functional.conv2d``."""
    for long, short in (("torch.nn.functional.", "F."), ("torch.nn.init.", "nn.init."), ("torch.nn.", "nn."),
                        ("torch.optim.lr_scheduler.", "lr_scheduler."), ("Tensor.", "tensor.")):
        if rule.startswith(long):
            return short + rule[len(long):]
    return rule[:-2] if rule.endswith(".*") else rule
