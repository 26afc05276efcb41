"""Awkward submissions for assignment 1: attacks on the grader, broken files, faults, and what each must
score. Built from the sample solution and the untouched release, so they track the real notebooks."""
from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course import SAMPLES
from autograder.samples import fill
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]
FULL = {q.name: q.points for q in TENSORS.questions}
ZERO = {q.name: 0 for q in TENSORS.questions}


@dataclass
class Case:
    """One awkward submission: how to make it, and what grading it must give."""

    name: str
    scores: dict[str, int] | None  # None: not graded at all (status error)
    error: str = ""                # for status error: words the error must contain
    messages: dict[str, str] = field(default_factory=dict)  # question -> words its feedback must contain


def _solution():
    return nbformat.read(SAMPLES / "tensors" / "solution.ipynb", as_version=4)


def _untouched():
    return nbformat.read(SAMPLES / "tensors" / "untouched.ipynb", as_version=4)


def _with_cell(nb, source: str, at: int | None = None):
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.insert(len(nb.cells) if at is None else at, cell)
    return nb


def _solution_cell(nb, question: str) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == f"{question}_solution")


def _no(question: str) -> dict[str, int]:
    return {**FULL, question: 0}


# ---- attacks: each is appended to the untouched release, so any points gained were not earned
ATTACKS = {
    "attack-fake-results": ("""
import json, os
fake = {"score": 20, "tests": [{"name": "all", "score": 20, "max_score": 20, "output": "perfect"}]}
print(json.dumps(fake))
for path in ("results.json", "../results.json", "grading.json", "../grades.csv", "/tmp/grades.csv"):
    try:
        with open(path, "w") as f:
            json.dump(fake, f)
    except OSError:
        pass
""", ZERO),
    "attack-exit-early": ("import sys\nsys.exit(0)", ZERO),
    "attack-os-exit": ("import os\nos._exit(0)", ZERO),
    "attack-kill-parent": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", ZERO),
    "attack-patch-harness": ("""
import builtins, torch, torch.testing, hypothesis, kitcheck.compare
torch.testing.assert_close = lambda *a, **k: None
builtins.isinstance = lambda *a, **k: True
hypothesis.given = lambda *a, **k: (lambda f: f)
kitcheck.compare.expect_tensor = kitcheck.compare.expect_equal = lambda *a, **k: None
torch.allclose = torch.equal = lambda *a, **k: True
""", ZERO),
    "attack-detached-rewriter": ("""
import subprocess, sys
rewriter = '''
import os, time, json
end = time.time() + 20
while time.time() < end:
    for top in ("/tmp", "/work", os.path.expanduser("~"), "/"):
        for root, dirs, files in os.walk(top):
            for name in files:
                if name in ("grades.csv", "results.json", "grading.json", "feedback.md"):
                    try:
                        open(os.path.join(root, name), "w").write("id,total\\\\nall,20\\\\n")
                    except OSError:
                        pass
    time.sleep(0.5)
'''
subprocess.Popen([sys.executable, "-c", rewriter], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
""", ZERO),
}

# ---- faults in one function: only that question is lost
FAULTS = {
    "fault-infinite-loop": ("one_hot", "def one_hot(labels, num_classes):\n    while True:\n        pass\n",
                            "did not return within"),
    "fault-deadlock": ("var_mean", "import threading\n\ndef var_mean(x, dim, unbiased=True):\n"
                       "    lock = threading.Lock()\n    lock.acquire()\n    lock.acquire()\n", "did not return within"),
    "fault-memory-bomb": ("pairwise_dist", "def pairwise_dist(x, y, p=2.0):\n    torch.ones(2**34)\n    return x\n",
                          "raised"),
    "fault-crash": ("chunk_sizes", "import os\n\ndef chunk_sizes(n, chunks):\n    os._exit(1)\n", "stopped"),
}


def cases() -> list[Case]:
    out = [Case(name, scores) for name, (_, scores) in ATTACKS.items()]
    out += [Case(name, _no(q), messages={q: words}) for name, (q, _, words) in FAULTS.items()]
    out += [
        Case("attack-tensor-subclass", _no("var_mean"), messages={"var_mean": "subclass"}),
        Case("attack-always-equal", _no("broadcast_shape"), messages={"broadcast_shape": "Equal"}),
        Case("bad-empty", None, error="is empty"),
        Case("bad-json", None, error="not valid notebook JSON"),
        Case("bad-utf8", None, error="not UTF-8"),
        Case("bad-version", None, error="version 9"),
        Case("bad-no-code", None, error="no code cells"),
        Case("bad-nbformat3", FULL),
        Case("bad-deleted-cell", _no("var_mean"), messages={"var_mean": "does not define `var_mean`"}),
        Case("bad-renamed", _no("topk_via_sort"), messages={"topk_via_sort": "does not define `topk_via_sort`"}),
        Case("bad-cell-type", _no("one_hot"), messages={"one_hot": "does not define `one_hot`"}),
        Case("bad-duplicated-cell", _no("chunk_sizes")),
        Case("bad-edited-locked", FULL),
        Case("bad-huge-output", FULL),
        Case("determinism-1", _no("var_mean")), Case("determinism-2", _no("var_mean")),
        Case("determinism-3", _no("var_mean")), Case("determinism-4", _no("var_mean")),
        Case("determinism-5", _no("var_mean")),
    ]
    return out


def write_all(folder: Path) -> None:
    """Write every case's notebook (or broken file) into ``folder``."""
    solution, untouched = _solution(), _untouched()
    write = lambda nb, name: nbformat.write(nb, folder / f"{name}.ipynb", version=nbformat.NO_CONVERT)  # noqa: E731
    for name, (code, _) in ATTACKS.items():
        write(_with_cell(untouched, code.strip(), at=1), name)
    for name, (question, code, _) in FAULTS.items():
        write(fill(solution, TENSORS, {question: code}), name)
    attacks = {
        "attack-tensor-subclass": ("var_mean", '''
class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True  # every comparison "passes"

def var_mean(x, dim, unbiased=True):
    fake = torch.zeros(()).as_subclass(Agreeable)
    return fake, fake
'''),
        "attack-always-equal": ("broadcast_shape", '''
class Equal(tuple):
    def __eq__(self, other):
        return True
    __hash__ = tuple.__hash__

def broadcast_shape(a, b):
    return Equal()
'''),
    }
    for name, (question, code) in attacks.items():
        write(fill(solution, TENSORS, {question: code}), name)

    (folder / "bad-empty.ipynb").write_bytes(b"")
    (folder / "bad-json.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "bad-utf8.ipynb").write_bytes(json.dumps(solution).encode("utf-8").replace(b"Tensors", b"Tens\xff\xfeors"))
    (folder / "bad-version.ipynb").write_text(json.dumps({**solution, "nbformat": 9}), encoding="utf-8")
    write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# only words")]), "bad-no-code")
    nbformat.write(nbformat.convert(copy.deepcopy(solution), 3), folder / "bad-nbformat3.ipynb", version=3)

    nb = copy.deepcopy(solution)
    del nb.cells[_solution_cell(nb, "var_mean")]
    write(nb, "bad-deleted-cell")
    nb = copy.deepcopy(solution)
    cell = nb.cells[_solution_cell(nb, "topk_via_sort")]
    cell.source = cell.source.replace("def topk_via_sort(", "def top_k_via_sort(")
    write(nb, "bad-renamed")
    nb = copy.deepcopy(solution)
    i = _solution_cell(nb, "one_hot")
    nb.cells[i] = nbformat.v4.new_markdown_cell(nb.cells[i].source)
    write(nb, "bad-cell-type")
    nb = copy.deepcopy(solution)
    i = _solution_cell(nb, "chunk_sizes")
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell("def chunk_sizes(n, chunks):\n    return [n]\n"))
    write(nb, "bad-duplicated-cell")
    nb = copy.deepcopy(solution)
    for cell in nb.cells:  # the student rewrites a locked test cell and its points
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_broadcast_shape":
            cell.source = "print('all tests passed')"
            cell.metadata["nbgrader"]["points"] = 100
    write(nb, "bad-edited-locked")
    nb = copy.deepcopy(solution)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (200 * 2**20))]
    write(nb, "bad-huge-output")
    for k in range(1, 6):
        shutil.copy(SAMPLES / "tensors" / "mistake-var_mean-biased-variance.ipynb", folder / f"determinism-{k}.ipynb")
