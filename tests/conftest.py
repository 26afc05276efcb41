"""Shared fixtures: graded sample submissions of every assignment, and assignment 1's hostile and broken ones."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.course import SAMPLES, tool_env  # noqa: E402
from autograder.samples import fill  # noqa: E402
from kitcheck.assignments import ASSIGNMENTS  # noqa: E402

# Student code that tries to pass by faking the type of its result.
ATTACKS = {
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


@dataclass
class Batch:
    out: Path
    returncode: int
    stdout: str
    results: dict[str, dict]

    def feedback(self, sid: str) -> str:
        return (self.out / sid / "feedback.md").read_text(encoding="utf-8")

    def gradescope(self, sid: str) -> dict:
        return json.loads((self.out / sid / "results.json").read_text(encoding="utf-8"))

    def scores(self, sid: str) -> dict[str, int]:
        return {row["name"]: row["score"] for row in self.results[sid]["questions"]}


def make_attacks(folder: Path) -> None:
    assignment = ASSIGNMENTS["tensors"]
    solution = nbformat.read(SAMPLES / "tensors" / "solution.ipynb", as_version=4)
    for name, (question, code) in ATTACKS.items():
        nbformat.write(fill(solution, assignment, {question: code}), folder / f"{name}.ipynb")
    (folder / "broken-json.ipynb").write_text('{"cells": [', encoding="utf-8")


def grade(paths: list[Path], out: Path, assignment: str = "tensors") -> Batch:
    """Grade with the CLI, as an instructor would, and load what it wrote."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, *map(str, paths),
                           "--out", str(out), "--quiet"], env=tool_env(), capture_output=True, text=True, timeout=1800)
    results = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grading.json")}
    return Batch(out, proc.returncode, proc.stdout + proc.stderr, results)


@pytest.fixture(scope="session")
def graded_samples(tmp_path_factory):
    """``graded_samples(name)``: the graded sample submissions of an assignment (graded once per session)."""
    cache: dict[str, Batch] = {}

    def get(name: str) -> Batch:
        if name not in cache:
            cache[name] = grade([SAMPLES / name], tmp_path_factory.mktemp(f"samples-{name}"), name)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def batch(tmp_path_factory) -> Batch:
    """Assignment 1's awkward submissions, graded once: attacks, a broken file, nbgrader's submitted/ tree."""
    root = tmp_path_factory.mktemp("batch")
    extras = root / "extras"
    extras.mkdir()
    make_attacks(extras)
    for student, sample in (("alice", "solution"), ("bob", "untouched")):
        dest = root / "submitted" / student / "tensors"
        dest.mkdir(parents=True)
        shutil.copy(SAMPLES / "tensors" / f"{sample}.ipynb", dest / "tensors.ipynb")
    return grade([extras, root / "submitted"], root / "out")
