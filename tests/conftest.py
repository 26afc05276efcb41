"""Shared fixtures: graded sample submissions of every assignment, and assignment 1's awkward ones."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from filelock import FileLock

import awkward
from autograder.course import SAMPLES, tool_env

REPO = Path(__file__).resolve().parent.parent

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

    def seed(self, out: Path, ids: dict[str, str]) -> None:
        """Copy graded results into ``out`` under other ids ({new id: graded id}): ``grade`` reuses a saved
        result for an unchanged notebook, so a test can grade the same samples again without the cost."""
        for new, old in ids.items():
            result = dict(self.results[old], id=new)
            (out / new).mkdir(parents=True, exist_ok=True)
            (out / new / "grading.json").write_text(json.dumps(result), encoding="utf-8")


def grade(paths: list[Path], out: Path, assignment: str = "tensors") -> Batch:
    """Grade with the CLI, as an instructor would, and load what it wrote."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, *map(str, paths),
                           "--out", str(out), "--quiet"], env=tool_env(), capture_output=True, text=True, timeout=1800)
    (out.parent / "run.json").write_text(json.dumps({"returncode": proc.returncode,
                                                     "output": proc.stdout + proc.stderr}), encoding="utf-8")
    return load(out)


def load(out: Path) -> Batch:
    """The batch that ``grade`` wrote into ``out``."""
    run = json.loads((out.parent / "run.json").read_text(encoding="utf-8"))
    results = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grading.json")}
    return Batch(out, run["returncode"], run["output"], results)


def shared(tmp_path_factory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder that ``make`` fills once per test run, however many pytest-xdist workers ask for it: they share
    their base temporary folder's parent, and a file lock lets the first one make it while the others wait.
    The tests only read what is made there."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / f"shared-{name}"
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".made").exists():
            if folder.exists():  # a worker stopped half-way: start again
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


@pytest.fixture(scope="session")
def graded_samples(tmp_path_factory):
    """``graded_samples(name)``: the graded sample submissions of an assignment (graded once per test run)."""
    cache: dict[str, Batch] = {}

    def get(name: str) -> Batch:
        if name not in cache:
            folder = shared(tmp_path_factory, f"samples-{name}", lambda f: grade([SAMPLES / name], f / "out", name))
            cache[name] = load(folder / "out")
        return cache[name]

    return get


def _write_and_grade_batch(root: Path) -> None:
    extras = root / "awkward"
    extras.mkdir()
    awkward.write_all(extras)
    for student, sample in (("alice", "solution"), ("bob", "untouched")):
        dest = root / "submitted" / student / "tensors"
        dest.mkdir(parents=True)
        shutil.copy(SAMPLES / "tensors" / f"{sample}.ipynb", dest / "tensors.ipynb")
    (root / "submitted" / "carol" / "tensors" / "tensors.ipynb").mkdir(parents=True)  # a folder, not a notebook
    grade([extras, root / "submitted"], root / "out")


@pytest.fixture(scope="session")
def batch(tmp_path_factory) -> Batch:
    """Assignment 1's awkward submissions (tests/awkward.py) and nbgrader's submitted/ tree, graded once."""
    return load(shared(tmp_path_factory, "batch", _write_and_grade_batch) / "out")


# ---------------------------------------------------------------------------------------------- test tiers
ASSIGNMENT_NAMES = ("linalg", "autograd", "networks", "training", "initialization", "batchnorm", "cnn")
# The fast tier's modules: unit tests of the check runtime, the transport, the spec, the boundary and the
# build, and assignment 1 end to end. The batch, gradebook, Gradescope, isolation and cluster tests grade many
# notebooks in fresh processes: the full suite runs them.
FAST_MODULES = {"test_transport", "test_config", "test_check", "test_forbidden", "test_spec", "test_boundary", "test_containment", "test_build",
                "test_catalog", "test_class_report", "test_assignments", "test_types", "test_lint",
                "test_results"}


def pytest_addoption(parser):
    parser.addoption("--fast", action="store_true",
                     help="the fast tier (./kit test --fast): the unit-level modules in FAST_MODULES, no test "
                          "marked slow, and only assignment 1 (tensors) where a test repeats per assignment")
    parser.addoption("--reverse", action="store_true",
                     help="run the tests in the reverse order (no test may depend on another having run first)")


# The longest tests (a minute or more on 2 cores: real nbgrader, fresh copies of the kit, grading every sample
# of an assignment) start first, so that pytest-xdist's workers finish together instead of one of them
# starting a long test when the other has nothing left. The order of the other tests does not change.
LONGEST_FIRST = ("tests/test_nbgrader_agreement.py", "tests/test_walkthrough.py",
                 "tests/test_containment.py::test_an_escaped_killer", "tests/test_assignments.py::test_solution_scores",
                 "tests/test_boundary.py::test_nothing_students_receive_scores_a_point",
                 "tests/test_editions.py::test_both_editions_grade_the_same")


def _start_rank(item) -> int:
    return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(config, items):
    if config.getoption("--reverse"):
        items.reverse()
    elif os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_start_rank)  # stable: the rest keep their order
    if not config.getoption("--fast"):
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        other_assignment = any(v in ASSIGNMENT_NAMES for v in params.values() if isinstance(v, str))
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        slow = item.get_closest_marker("slow") or other_assignment or module not in FAST_MODULES
        (drop if slow else keep).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep
