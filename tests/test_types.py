"""The type checker (mypy, configured in pyproject.toml) finds nothing in autograder/ and kitcheck/."""
import subprocess
import sys

from conftest import REPO


def test_mypy_reports_no_errors():
    # The first run builds .mypy_cache (about two minutes); later runs reuse it and take seconds.
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"mypy found type errors:\n{done.stdout}{done.stderr}"
