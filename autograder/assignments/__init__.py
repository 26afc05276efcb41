"""What only the grader has, one folder per assignment: ``autograder/assignments/<a>/``.

- ``references.py``: the answers (reference implementations the hidden tests and the stored probes use);
- ``probes.py``: ``PROBES``, the inputs whose reference outputs ship to students as data (``kitcheck/data``);
- ``catalog.py``: ``MISTAKES`` and ``VARIANTS`` (wrong and correct implementations, for the kill matrix,
  samples and hints);
- ``test_hidden.py``: the hidden tests (pytest + hypothesis).

What students get lives in ``kitcheck/assignments/<a>.py`` (the spec, public checks and drivers). Nothing
here is ever copied into ``release/``.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def folder(assignment: str) -> Path:
    """The grader-only folder of ``assignment``."""
    return HERE / assignment


def hidden_test_file(assignment: str) -> Path:
    """The hidden tests of ``assignment``."""
    return folder(assignment) / "test_hidden.py"
