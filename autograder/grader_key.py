"""What decides a submission's scores besides its notebook, as one digest: ``grader_key``.

A saved result is reused only under the same key (``grade``); the hidden tests' stored examples count only
under theirs (``stored_examples``).
"""
from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

from .course import KITCHECK, REPO


# What grades a submission besides its notebook, for grader_key: the grading code (the student-side runtime
# in kitcheck/ and these modules) ...
GRADING_CODE = ("worker.py", "sandbox.py", "forkserver.py", "isolation.py", "hidden_tests.py", "harness.py",
                "pytest_plugin.py", "misconceptions.py", "notebook.py", "catalog.py", "identify.py", "replay.py",
                "remembered.py", "stored_examples.py",
                "assignments/__init__.py", "assignments/pytest.ini")
VERSIONED = ("pytorch-course-kit", "torch", "numpy", "hypothesis", "pytest")  # ... and these packages' versions


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


def grader_inputs(name: str) -> list[Path]:
    """The files besides the notebook that decide assignment ``name``'s scores and feedback: its spec
    (questions, points, public checks, and the kitcheck files it declares in ``runtime``), stored probes, hidden
    tests, references and catalog, and the grading code (kitcheck's runtime and GRADING_CODE)."""
    from .assignments import HERE as GRADER_ASSIGNMENTS

    files = [KITCHECK / "assignments" / f"{name}.py", KITCHECK / "data" / f"{name}.pt",
             *sorted(p for p in (GRADER_ASSIGNMENTS / name).rglob("*.py") if "__pycache__" not in p.parts),
             *sorted(p for p in KITCHECK.glob("*.py")), KITCHECK / "assignments" / "__init__.py",
             *(KITCHECK / rel for rel in _assignments()[name].runtime),  # its role modules (cnn_inputs.py, ...)
             *(Path(__file__).resolve().parent / rel for rel in GRADING_CODE)]
    return list(dict.fromkeys(files))


@lru_cache(maxsize=None)
def grader_key(name: str) -> str:
    """A digest of ``grader_inputs(name)`` and of the kit's and the deciding packages' versions: a saved
    result is reused only under the same key (computed once per process)."""
    if name not in _assignments():
        raise KeyError(name)
    return digest_of(grader_inputs(name))


def _assignments() -> dict:
    from kitcheck.assignments import ASSIGNMENTS

    return ASSIGNMENTS


def digest_of(files: list[Path], language: bool = True) -> str:
    """A digest of ``files``, Python's and VERSIONED packages' versions and (with ``language``) the languages of
    the hidden tests' messages, which are part of a saved result too."""
    from kitcheck.i18n import languages

    digest = hashlib.sha256(json.dumps({"python": list(sys.version_info[:2]),
                                        "language": ",".join(languages()) if language else "",
                                        **{p: _version(p) for p in VERSIONED}}, sort_keys=True).encode())
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"(missing)"
        label: Path | str
        try:
            label = path.resolve().relative_to(REPO)
        except ValueError:
            label = path.name
        digest.update(str(label).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()
