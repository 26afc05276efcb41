"""Where things live in the course repository."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "source"
RELEASE = REPO / "release"
SOLUTIONS = REPO / "solutions"
SAMPLES = REPO / "samples"
KITCHECK = REPO / "kitcheck"
NBGRADER_CONFIG = REPO / "nbgrader_config.py"


def tool_env() -> dict[str, str]:
    """The environment for nbgrader, alembic and Jupyter kernels: this interpreter's bin first on PATH."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("MPLBACKEND", None)  # kernels must use matplotlib's inline backend, or figures vanish from outputs
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def use_tool_env() -> None:
    """Make this process's PATH like ``tool_env()``, so the kernels nbclient starts use this interpreter."""
    env = tool_env()
    os.environ.pop("MPLBACKEND", None)
    os.environ.update({k: env[k] for k in ("PATH", "PYTHONPATH")})


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` while the block runs, as it was afterwards (a command run in-process, as
    the tests do, leaves nothing behind; a kernel started inside the block inherits them)."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


LANGUAGES = ("en", "zh")


def course_languages(config: Path = NBGRADER_CONFIG) -> list[str]:
    """The course's editions, from ``c.CourseKit.languages`` in ``nbgrader_config.py``: the first is the
    language of ``release/``; each other one is built into ``release-<lang>/`` (default: English, Chinese)."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        loaded = PyFileConfigLoader(config.name, path=str(config.parent)).load_config()
        langs = list(loaded.CourseKit.get("languages", ["en", "zh"]))
    except Exception:  # no or unreadable config: both editions, English first
        langs = ["en", "zh"]
    unknown = [lang for lang in langs if lang not in LANGUAGES]
    if unknown or not langs:
        raise ValueError(f"nbgrader_config.py: c.CourseKit.languages = {langs!r}; choose from {LANGUAGES}")
    return list(dict.fromkeys(langs))


def edition_dir(kind: str, lang: str, root: Path = REPO) -> Path:
    """``release/`` (or ``solutions/``) for the course's first language, ``release-<lang>/`` for the others."""
    return root / kind if lang == course_languages()[0] else root / f"{kind}-{lang}"
