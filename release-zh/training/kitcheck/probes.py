"""Stored probes: answers shipped as data, never as code.

Where a public check has no torch function to compare with (a receptive field, a training step, LeNet-5),
it compares the student's outputs with outputs the grader's reference computed at build time and saved
in ``kitcheck/data/<assignment>.pt``. The same file holds each question's *fingerprints*: fixed calls and
what every catalogued mistake returned for them, so ``check`` can name a likely misconception without
the mistakes' code (``kitcheck.hints``). The file is read with ``torch.load(weights_only=True)``: plain
tensors, numbers, strings and containers, never code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

DATA_DIR = Path(__file__).resolve().parent / "data"
FORMAT = 1

_loaded: dict[str, dict] = {}


@dataclass(frozen=True)
class Probe:
    """An input of a public check (``inputs``, by parameter name, in call order) and the right output."""

    inputs: dict[str, Any]
    expected: Any


def data_file(assignment: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{assignment}.pt"


def read(path: Path) -> dict:
    """The stored data of one assignment, loaded safely (``weights_only=True``)."""
    data = torch.load(path, weights_only=True, map_location="cpu")
    if type(data) is not dict or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a probe file of this kit (format {FORMAT})")
    return data


def install(assignment: str, data: dict | None) -> None:
    """Use ``data`` for ``assignment`` instead of its file (the build does this while it computes them)."""
    if data is None:
        _loaded.pop(assignment, None)
    else:
        _loaded[assignment] = data


def stored(assignment: str) -> dict:
    """The assignment's stored data; empty when it has none."""
    if assignment not in _loaded:
        path = data_file(assignment)
        _loaded[assignment] = read(path) if path.exists() else {"format": FORMAT, "probes": {}, "fingerprints": {}}
    return _loaded[assignment]


def _owner(question: str) -> str:
    from .assignments import find_question

    return find_question(question)[0].name


def probes(question: str) -> list[Probe]:
    """The stored probes of ``question``. A missing probe file is a broken install, said plainly."""
    found = stored(_owner(question))["probes"].get(question)
    if not found:
        raise FileNotFoundError(f"the stored answers for `{question}` are missing: kitcheck/data/ should come with "
                                "this notebook (download the assignment folder again)")
    return [Probe(dict(p["inputs"]), p["expected"]) for p in found]


def fingerprints(question: str) -> dict | None:
    """``{"calls": [(args, kwargs, driver)], "mistakes": [{"misconception", "outcomes"}]}`` or None."""
    return stored(_owner(question))["fingerprints"].get(question)
