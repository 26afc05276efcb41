"""Where things live in the course repository."""
from __future__ import annotations

import os
import sys
from pathlib import Path

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
