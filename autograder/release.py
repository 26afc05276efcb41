"""The student package: what a release folder holds besides the notebook, built from an allow-list.

``release/<a>/kitcheck/`` (and ``solutions/<a>/kitcheck/``) gets the shared check runtime, **that**
assignment's spec and public checks (with the kitcheck files it declares in ``Assignment.runtime``), and its
stored probes as data. Nothing else of ``kitcheck`` is copied: not the sandbox's side of the grader
(``sandbox_child``, ``protocol``), not another assignment. The references, hidden tests and catalog live in
``autograder/assignments/<a>/`` and are never copied. ``autograder.leakscan`` proves the result gives no points away.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from kitcheck.spec import Assignment

from .course import KITCHECK

# The check runtime every assignment's public checks need (a few hundred lines, no answers).
RUNTIME = ("__init__.py", "checking.py", "compare.py", "drivers.py", "forbidden.py", "hints.py", "i18n.py", "probes.py",
           "spec.py", "strategies.py", "timelimit.py", "transport.py")


# The edition's language ("en" or "zh"): what ``check()`` speaks (``kitcheck.i18n``).
LANGUAGE_FILE = "data/language.txt"


def student_files(assignment: Assignment) -> list[str]:
    """The package's files, relative to ``kitcheck/``: the runtime, the assignment's module, the files it
    declares it imports besides (``Assignment.runtime``: shared module drivers, its own role modules) and
    its data."""
    return [*RUNTIME, *assignment.runtime, "assignments/__init__.py", f"assignments/{assignment.name}.py",
            f"data/{assignment.name}.pt", LANGUAGE_FILE]


def write_student_package(assignment: Assignment, dest: Path, data_dir: Path = KITCHECK / "data",
                          lang: str = "en") -> None:
    """(Re)write ``dest`` (a ``kitcheck/`` folder) with exactly ``student_files(assignment)``, for the ``lang``
    edition."""
    if dest.exists():
        shutil.rmtree(dest)
    for rel in student_files(assignment):
        if rel == LANGUAGE_FILE:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_text(lang)
            continue
        src = data_dir / Path(rel).name if rel.startswith("data/") else KITCHECK / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
