"""The hidden tests' hypothesis examples, drawn once at build time: ``autograder/assignments/<a>/examples.pt``.

A grading worker replays the examples it drew for an earlier submission (``replay``); before this file, each
worker drew them afresh on its first passing submission, under hypothesis's full engine: 0.5 to 1.4 s of
every worker's start. ``./kit build`` grades the solution sample once and stores what its worker kept. The
examples are plain data (shapes, seeds, dtypes, flags: no tensor, no code), read with ``weights_only=True``.

A stored file counts only under the key it was drawn with: a digest of everything that decides the draws (the
grader's files and kitcheck's, the test sources, the package versions; not the language of the messages).
Under another key it is ignored and workers draw as before, so a stale file costs time, never a verdict.
Grader-only: never copied into a release.
"""
from __future__ import annotations

import io
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import torch

from . import replay
from .assignments import folder

FILE = "examples.pt"


def path(name: str) -> Path:
    """Where assignment ``name``'s stored examples live (its grader-only folder)."""
    return folder(name) / FILE


@lru_cache(maxsize=None)
def key(name: str) -> str:
    """What the stored examples of ``name`` are valid for (computed once per process)."""
    from .grader_key import digest_of, grader_inputs

    return digest_of(grader_inputs(name), language=False)


def read(name: str) -> dict | None:
    """The stored examples of ``name`` when they were drawn under today's key; else None."""
    try:
        stored = torch.load(io.BytesIO(path(name).read_bytes()), weights_only=True)
    except Exception:  # noqa: BLE001 - missing, damaged, unreadable: drawn afresh, as before
        return None
    if type(stored) is not dict or stored.get("key") != key(name) or type(stored.get("examples")) is not dict:
        return None
    return stored["examples"]


_drawing = False  # True in the process that draws them (``write``): it must draw every example itself


@lru_cache(maxsize=None)
def use(name: str) -> int:
    """Let this process replay the stored examples of ``name`` (once per process); how many tests got some."""
    examples = None if _drawing else read(name)
    return replay.keep(examples) if examples else 0


def current(name: str) -> bool:
    """Whether ``name`` has stored examples drawn under today's key."""
    return read(name) is not None


def write(name: str) -> Path:
    """Draw and store ``name``'s examples: a fresh worker process (the default hypothesis profile, no stored
    examples) grades the solution sample and saves what it kept (``worker --draw-examples``)."""
    from .course import tool_env

    env = tool_env()
    env.pop("KIT_HYPOTHESIS_PROFILE", None)
    subprocess.run([sys.executable, "-P", "-m", "autograder.worker", "--draw-examples", name], check=True, env=env)
    return path(name)


def draw_here() -> None:
    """This process draws every example itself (the one ``write`` starts): nothing stored is used."""
    global _drawing
    _drawing = True


def save(name: str) -> None:
    """Store what this process kept, under today's key."""
    buffer = io.BytesIO()
    torch.save({"key": key(name), "examples": replay.kept()}, buffer)
    path(name).write_bytes(buffer.getvalue())


def main(argv: list[str]) -> int:
    """``python -m autograder.stored_examples [NAME ...]``: draw the examples of these assignments (default: all
    whose stored examples are not current), each in a fresh process."""
    from kitcheck.assignments import ASSIGNMENTS

    for name in argv or [n for n in sorted(ASSIGNMENTS) if not current(n)]:
        print(f"drawing the hidden tests' examples of {name}", file=sys.stderr)
        write(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
