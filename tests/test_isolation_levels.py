"""Grading works wherever courses grade, at the strongest isolation the platform allows, and says which.

- ``namespaces``: root with mount namespaces (tests/test_isolation.py covers it in depth);
- ``user``: root without CAP_SYS_ADMIN (Docker's default capabilities, Gradescope), simulated here with
  ``setpriv --bounding-set -sys_admin``: the sandbox runs as nobody, the grader's folders are unreadable;
- ``limits``: a grader that is not root: resource limits only, with a warning on every run.

And the canary: a setup in which the sandbox cannot start grades nothing and exits non-zero.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.course import REPO, SAMPLES, tool_env
from autograder.isolation import LIMITS, NAMESPACES, USER, become_subreaper, best_level
from autograder.sandbox import Sandbox

ROOT = os.geteuid() == 0 and sys.platform.startswith("linux") and shutil.which("setpriv") is not None
needs_root = pytest.mark.skipif(not ROOT, reason="needs a root grader on Linux with setpriv")
NO_SYS_ADMIN = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]
HIDDEN = REPO / "autograder" / "assignments" / "tensors" / "test_hidden.py"
SOLUTION = SAMPLES / "tensors" / "solution.ipynb"
MISTAKE = SAMPLES / "tensors" / "mistake-var_mean-biased-variance.ipynb"

PROBE = f'''
import os
def probe():
    seen = {{}}
    for name, path in {{"hidden tests": {str(HIDDEN)!r}, "samples": {str(SOLUTION)!r},
                       "student package": {str(REPO / "kitcheck" / "spec.py")!r}}}.items():
        try:
            open(path, "rb").read(1)
            seen[name] = "read"
        except Exception as exc:
            seen[name] = type(exc).__name__
    seen["uid"] = os.getuid()
    return seen
'''


def _grade(tmp_path: Path, *paths: Path, prefix: list[str] = (), env: dict | None = None, extra=()) -> tuple:
    out = tmp_path / "out"
    proc = subprocess.run([*prefix, sys.executable, "-m", "autograder", "grade", "tensors", *map(str, paths),
                           "--out", str(out), "--jobs", "1", *extra],
                          env={**tool_env(), **(env or {})}, capture_output=True, text=True, timeout=600)
    rows = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grading.json")}
    return proc, rows, out


@needs_root
@pytest.mark.parametrize("level", [USER, LIMITS])
def test_each_level_lets_the_sandbox_read_what_the_readme_says(level):
    become_subreaper()
    with Sandbox([(0, PROBE)], level=level) as box:
        seen = box.call("probe", (), {})
        uid = box.plan.uid
    if level == USER:
        assert seen == {"hidden tests": "PermissionError", "samples": "PermissionError",
                        "student package": "read", "uid": uid}
    else:  # limits only: the grader's own user, who can read everything it can (the README says so)
        assert seen == {"hidden tests": "read", "samples": "read", "student package": "read", "uid": 0}


@needs_root
def test_dockers_default_capabilities_grade_correctly_at_the_user_level(tmp_path):
    probe = subprocess.run([*NO_SYS_ADMIN, sys.executable, "-c",
                            "from autograder.isolation import best_level; print(best_level()[0])"],
                           env=tool_env(), capture_output=True, text=True, timeout=120)
    assert probe.stdout.strip() == USER, probe.stderr
    proc, rows, _ = _grade(tmp_path, SOLUTION, MISTAKE, prefix=NO_SYS_ADMIN)
    assert proc.returncode == 0, proc.stderr
    assert rows["solution"]["score"] == 20 and rows["solution"]["isolation"].startswith("user:")
    scores = {q["name"]: q["score"] for q in rows[MISTAKE.stem]["questions"]}
    assert rows[MISTAKE.stem]["score"] == 17 and scores["var_mean"] == 0
    assert "canary: the reference scored 3/3" in proc.stderr and "(user isolation)" in proc.stderr


@needs_root
def test_a_sandbox_that_cannot_start_stops_the_batch_before_any_zero(tmp_path):
    # Namespaces forced where the platform refuses them: the sandbox cannot start. The canary sees it first.
    proc, rows, out = _grade(tmp_path, SOLUTION, MISTAKE, prefix=NO_SYS_ADMIN, env={"KIT_ISOLATION": NAMESPACES})
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "the reference solution of `broadcast_shape` scored 0/3" in proc.stderr
    assert "could not start" in proc.stderr and "KIT_ISOLATION=user" in proc.stderr
    assert rows == {} and not (out / "grades.csv").exists()


@needs_root
def test_without_the_canary_a_sandbox_that_cannot_start_is_the_graders_error(tmp_path):
    proc, rows, out = _grade(tmp_path, SOLUTION, prefix=NO_SYS_ADMIN, env={"KIT_ISOLATION": NAMESPACES},
                             extra=["--no-canary"])
    assert proc.returncode == 4, proc.stdout + proc.stderr
    row = rows["solution"]
    assert row["status"] == "error" and row["grader_error"] and row["error"].startswith("grader error:")
    feedback = (out / "solution" / "feedback.md").read_text(encoding="utf-8")
    assert "the grader could not run it" in feedback and "notebook's code could not be run" not in feedback
    assert "the grader could not grade 1 submission(s)" in proc.stderr


@needs_root
def test_a_grader_that_is_not_root_grades_with_limits_and_warns(tmp_path):
    # Run as nobody: the repository must be readable to it, as on a machine where a user owns the kit.
    opened = []
    for folder, dirs, _ in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in (".git", ".venv")]
        path = Path(folder)
        if (path.stat().st_mode & 0o005) != 0o005:  # closed by an earlier run at the `user` level
            opened.append((path, path.stat().st_mode & 0o7777))
            os.chmod(path, path.stat().st_mode | 0o005)
    tmp_path = Path(tempfile.mkdtemp(prefix="kit-nonroot-"))  # pytest's own folders are closed to others
    tmp_path.chmod(0o777)
    try:
        home = tmp_path / "home"
        home.mkdir(mode=0o777)
        proc, rows, _ = _grade(tmp_path, SOLUTION, MISTAKE, env={"HOME": str(home)},
                               prefix=["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"])
    finally:
        for path, mode in opened:
            os.chmod(path, mode)
    assert proc.returncode == 0, proc.stderr
    assert "warning: student code runs with resource limits only (the grader does not run as root)" in proc.stderr
    assert rows["solution"]["score"] == 20 and rows[MISTAKE.stem]["score"] == 17
    assert rows["solution"]["isolation"].startswith("limits:")
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "resource limits only" in report
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_level_is_one_of_three_and_says_why():
    level, why = best_level()
    assert level in (NAMESPACES, USER, LIMITS)
    assert (why == "") == (level == NAMESPACES)
