"""The linter (ruff, configured in pyproject.toml: pycodestyle, pyflakes, bugbear) finds nothing."""
import subprocess
import sys

from conftest import REPO


def test_ruff_reports_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "-q"], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"ruff found problems:\n{done.stdout}{done.stderr}"
