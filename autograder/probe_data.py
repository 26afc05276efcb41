"""What ``kitcheck/data/<a>.pt`` holds, computed at build time by the grader's own code.

- **probes**: for each question whose public check has no torch function to compare with, inputs and the
  reference's outputs (``autograder/assignments/<a>/probes.py`` declares them; ``references.py`` answers);
- **fingerprints**: for each question, the first calls its public check makes on a correct implementation
  (the catalog's first variant), and what each catalogued mistake returns for them. The notebook's
  ``check`` compares the student's outcomes with these to name a likely misconception.

Only data is written (``torch.save`` of tensors, numbers, strings and containers); the file is read back
with ``weights_only=True``, here and in the student's kernel.
"""
from __future__ import annotations

import io
import sys
import warnings
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import torch

from kitcheck import probes as stored
from kitcheck.compare import CheckFailure
from kitcheck.hints import summarize
from kitcheck.spec import Assignment
from kitcheck.transport import StudentError, StudentFunction, driver_path, local_transport, sanitize

from .catalog import catalog, variants
from .misconceptions import compile_entry

MAX_FINGERPRINT_CALLS = 16


def declared_probes(assignment: Assignment) -> dict:
    """``PROBES`` of the assignment's grader folder: question -> function returning a list of Probe."""
    name = f"autograder.assignments.{assignment.name}.probes"
    return dict(import_module(name).PROBES) if find_spec(name) else {}


def _storable(value: Any) -> bool:
    buf = io.BytesIO()
    try:
        torch.save(value, buf)
        buf.seek(0)
        torch.load(buf, weights_only=True)
    except Exception:
        return False
    return True


class _Recorder:
    """A StudentFunction stand-in that records the calls a public check makes."""

    def __init__(self, fn: StudentFunction):
        self.fn = fn
        self.calls: list[tuple[tuple, dict, str | None]] = []  # (args, kwargs, driver path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((args, kwargs, None))
        return self.fn(*args, **kwargs)

    def drive(self, driver, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((args, kwargs, driver_path(driver)))
        return self.fn.drive(driver, *args, **kwargs)


def _outcome(fn, args, kwargs, driver) -> list:
    """``["returned", sanitized value]`` or ``["raised", type name]`` (the stored form)."""
    local = local_transport({"f": fn})
    try:
        return ["returned", summarize(sanitize(local("f", args, kwargs, driver)))]
    except StudentError as exc:
        return ["raised", exc.type_name]


def fingerprint(assignment: Assignment, question: str) -> dict | None:
    """Fixed calls of ``question`` and every catalogued mistake's outcome on them (None without a variant)."""
    from kitcheck.hints import same_outcome, stored_outcome

    right = [v for v in variants(assignment.name) if v.question == question]
    if not right:
        return None
    correct = compile_entry(question, right[0].slug, right[0].code)
    recorder = _Recorder(StudentFunction(question, local_transport({question: correct})))
    try:
        assignment.question(question).public_check(recorder)
    except CheckFailure as failure:
        raise RuntimeError(f"{question}: the catalog's variant {right[0].slug!r} fails the public check:\n{failure}") from failure
    calls: list[list[Any]] = [[list(a), dict(k), d] for a, k, d in recorder.calls if _storable((a, k))][:MAX_FINGERPRINT_CALLS]
    expected = [_outcome(correct, tuple(a), k, d) for a, k, d in calls]
    mistakes = []
    for m in catalog(assignment.name):
        if m.question != question:
            continue
        outcomes = [_outcome(compile_entry(question, m.slug, m.code), tuple(a), k, d) for a, k, d in calls]
        differs = any(not same_outcome(stored_outcome(o), stored_outcome(e)) for o, e in zip(outcomes, expected))
        if differs and _storable(outcomes):  # a mistake the calls cannot tell from a right answer names nothing
            mistakes.append({"slug": m.slug, "misconception": m.misconception,
                             "misconception_zh": m.misconception_zh, "outcomes": outcomes})
    # The right outcomes too: a failure within a precision difference of them is never given a mistake's name
    return {"calls": calls, "expected": expected, "mistakes": mistakes}


def compute(assignment: Assignment) -> dict:
    """The assignment's stored data (probes first: public checks read them while fingerprints are made)."""
    data: dict = {"format": stored.FORMAT, "assignment": assignment.name, "probes": {}, "fingerprints": {}}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # float results must not depend on the process that builds them
    try:
        _fill(assignment, data)
    finally:
        torch.set_num_threads(threads)
    if not _storable(data):
        raise RuntimeError(f"{assignment.name}: the stored probes hold something that is not plain data")
    return data


def _fill(assignment: Assignment, data: dict) -> None:
    for question, make in declared_probes(assignment).items():
        assignment.question(question)  # a typo in PROBES is a KeyError here, not a silent gap
        data["probes"][question] = [{"inputs": dict(p.inputs), "expected": sanitize(p.expected)} for p in make()]
    stored.install(assignment.name, data)
    try:
        # The catalog's code runs here: its mistakes misuse torch on purpose (a non-leaf .grad), and its variants
        # call what torch has deprecated (add_graph's tracing). Their warnings would only alarm the instructor.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for q in assignment.questions:
                found = fingerprint(assignment, q.name)
                if found is not None:
                    data["fingerprints"][q.name] = found
    finally:
        stored.install(assignment.name, None)


ROUNDING_ULPS = 64  # how far another CPU's kernels may round a stored float, in units in the last place


def same(stored: dict, fresh: dict) -> bool:
    """Whether two builds' data agree on what must not change: the probes (floating-point values up to the last
    bits another machine's kernels round otherwise, everything else exactly) and which questions have fingerprints.
    (Their calls are drawn by hypothesis, which may pick other examples, and so tell other mistakes apart.)"""
    return (stored.get("format") == fresh.get("format")
            and sorted(stored.get("fingerprints", {})) == sorted(fresh.get("fingerprints", {}))
            and _same(stored.get("probes"), fresh.get("probes")))


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor):
        if a.dtype != b.dtype or a.shape != b.shape or a.device != b.device:
            return False
        if (a.is_floating_point() or a.is_complex()) and a.numel():
            # 64 units in the last place of the tensor's largest value: what another CPU's kernels round otherwise
            # (a gradient summed in another order), far below any change of a reference
            scale = float(a.abs().nan_to_num(0, 0, 0).max().double()) or 1.0
            tol = ROUNDING_ULPS * torch.finfo(a.dtype).eps * scale
            return bool(torch.allclose(a, b, rtol=0, atol=tol, equal_nan=True))
        return bool(torch.equal(a, b))
    if isinstance(a, float):
        tol = ROUNDING_ULPS * sys.float_info.epsilon * max(abs(a), abs(b))
        return a == b or abs(a - b) <= tol or (a != a and b != b)
    return a == b


def write(assignment: Assignment, data_dir: Path) -> Path:
    """Compute and write ``data_dir/<a>.pt``; returns its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = stored.data_file(assignment.name, data_dir)
    buf = io.BytesIO()
    torch.save(compute(assignment), buf)
    path.write_bytes(buf.getvalue())
    return path
