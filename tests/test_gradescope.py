"""The Gradescope autograder zip: its layout, and run_autograder grading in an /autograder-like tree."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from autograder.course import REPO, SAMPLES, tool_env
from autograder.assignments import hidden_test_file
from kitcheck.assignments import ASSIGNMENTS

# one pytest-xdist worker runs this module, so its module-scoped batch is graded once
pytestmark = pytest.mark.xdist_group("gradescope")

TENSORS = ASSIGNMENTS["tensors"]
VAR_MEAN = "mistake-var_mean-biased-variance"


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope") / "tensors.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "tensors", "--out", str(out)],
                          env=tool_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out


def test_zip_follows_gradescopes_layout_with_pinned_requirements(zip_path):
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        mode = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        text = {n: zf.read(n).decode() for n in ("setup.sh", "run_autograder", "requirements.txt")}
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder/assignments/tensors/test_hidden.py",
            "autograder/assignments/tensors/catalog.py", "kitcheck/data/tensors.pt",
            "autograder/worker.py", "autograder/gradescope.py", "kitcheck/assignments/tensors.py"} <= names
    # the release notebooks, and nothing else of a release (grading reads their demo cells and imports there)
    assert sorted(n for n in names if n.startswith("release")) == ["release-zh/tensors/tensors.ipynb",
                                                                   "release/tensors/tensors.ipynb"]
    others = [a for a in ASSIGNMENTS if a != "tensors"]  # one assignment's grader material, no other's
    assert not [n for n in names if any(f"/{o}/" in n or n.endswith((f"/{o}.py", f"/{o}.pt")) for o in others)]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert all(mode[n] & stat.S_IXUSR for n in ("setup.sh", "run_autograder"))
    for script in ("setup.sh", "run_autograder"):
        assert text[script].startswith("#!/usr/bin/env bash\n")
        check = subprocess.run(["bash", "-n"], input=text[script], capture_output=True, text=True)
        assert check.returncode == 0, (script, check.stderr)
    pins = [ln for ln in (REPO / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    for pin in pins:  # every pin exactly; torch and torchvision from PyTorch's CPU index in setup.sh
        where = "setup.sh" if pin.startswith("torch") else "requirements.txt"
        found = re.search(rf"(^|\s){re.escape(pin)}(\s|$)", text[where], re.M)
        assert not found if pin.startswith(("ruff==", "mypy==")) else found, pin  # dev tools stay home
    assert "-r requirements.txt" in text["setup.sh"] and "download.pytorch.org/whl/cpu" in text["setup.sh"]
    assert "${KIT_GRADESCOPE_ROOT:-/autograder}" in text["run_autograder"]
    assert "run tensors --visibility after_published" in text["run_autograder"]


def test_grading_in_the_zip_reads_our_release_notebook(zip_path, tmp_path):
    _autograder_tree(tmp_path, zip_path, None)
    env = {k: v for k, v in tool_env().items() if k != "PYTHONPATH"}  # the zip's code, not the repository's
    probe = subprocess.run([sys.executable, "-c", "import autograder.worker as w; print(w.__file__); "
                            "print(sorted(w.release_imports('tensors')))"], cwd=tmp_path / "source", env=env,
                           capture_output=True, text=True, timeout=300)
    where, imports = probe.stdout.splitlines()[-2:]
    assert where.startswith(str(tmp_path / "source")), probe.stderr
    assert "torch" in imports


def _autograder_tree(root, zip_path, submission):
    """What Gradescope makes: the zip in root/source, run_autograder in root, the upload in root/submission."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission").mkdir()
    if submission:
        shutil.copy(SAMPLES / "tensors" / f"{submission}.ipynb", root / "submission" / "homework1.ipynb")


# Gradescope's containers run as root with Docker's default capabilities: no CAP_SYS_ADMIN, no namespaces.
AS_GRADESCOPE = (["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]
                 if os.geteuid() == 0 and shutil.which("setpriv") else [])


def _run(root, prefix=()) -> subprocess.Popen:
    env = {k: v for k, v in tool_env().items() if k != "PYTHONPATH"}  # the zip's code, not the repository's
    env.update(KIT_GRADESCOPE_ROOT=str(root), KIT_GRADESCOPE_PYTHON=sys.executable)  # setup.sh skipped
    return subprocess.Popen([*prefix, str(root / "run_autograder")], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_run_autograder_grades_a_submission_in_both_directions(zip_path, tmp_path):
    roots = {sample: tmp_path / sample / "autograder" for sample in ("solution", VAR_MEAN)}
    for sample, root in roots.items():
        root.mkdir(parents=True)
        _autograder_tree(root, zip_path, sample)
    procs = {sample: _run(root, AS_GRADESCOPE) for sample, root in roots.items()}  # both at once: two cores
    logs = {sample: proc.communicate(timeout=300)[0] for sample, proc in procs.items()}
    source = hidden_test_file("tensors").read_text()
    hidden_lines = {ln.strip() for ln in source.splitlines() if len(ln.strip()) >= 20}
    test_names = set(re.findall(r"def (test_\w+)", source))
    for sample, root in roots.items():
        assert procs[sample].returncode == 0, logs[sample]
        assert f"with {root / 'source' / 'autograder'}" in logs[sample]  # graded by the zip's own code
        assert "canary: 3/3 on broadcast_shape" in logs[sample]
        if AS_GRADESCOPE:  # no namespaces there: a separate user, and the grader's folders closed to it
            assert "(user: its own user" in logs[sample], logs[sample]
        text = (root / "results" / "results.json").read_text(encoding="utf-8")
        leaked = [ln for ln in hidden_lines if ln in text] + [n for n in test_names if n in text]
        assert not leaked, (sample, leaked[:3])
        data = json.loads(text)
        public, *questions = data["tests"]
        assert public["visibility"] == "visible" and public["max_score"] == 0 == public["score"]
        assert [t["name"].split(":")[0] for t in questions] == [q.name for q in TENSORS.questions]
        for t, q in zip(questions, TENSORS.questions):
            assert t["max_score"] == q.points and t["visibility"] == "after_published"
        assert data["score"] == sum(t["score"] for t in data["tests"])
    full = json.loads((roots["solution"] / "results" / "results.json").read_text())
    assert full["score"] == TENSORS.total_points
    assert all(t["score"] == t["max_score"] and t["output"] == "Passed." for t in full["tests"][1:])
    assert "✗" not in full["tests"][0]["output"] and "✓ var_mean" in full["tests"][0]["output"]
    wrong = json.loads((roots[VAR_MEAN] / "results" / "results.json").read_text())
    assert wrong["score"] == TENSORS.total_points - 3
    var_mean = next(t for t in wrong["tests"] if t["name"].startswith("var_mean:"))
    assert var_mean["score"] == 0 and var_mean["status"] == "failed"
    assert "expected:" in var_mean["output"] and "likely cause: Always divides by n" in var_mean["output"]
    assert "✗ var_mean: fails its public checks" in wrong["tests"][0]["output"]
    assert [t["name"] for t in wrong["tests"] if t["score"] < t["max_score"]] == [var_mean["name"]]


def test_a_submission_without_a_notebook_scores_zero_with_a_visible_reason(zip_path, tmp_path):
    root = tmp_path / "autograder"
    root.mkdir()
    _autograder_tree(root, zip_path, None)
    (root / "submission" / "answers.py").write_text("print('hello')\n")
    proc = _run(root)
    log = proc.communicate(timeout=120)[0]
    assert proc.returncode == 0, log
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and "No notebook (.ipynb)" in data["output"]
    assert all(t["score"] == 0 and t["visibility"] == "visible" for t in data["tests"])
    assert sum(t["max_score"] for t in data["tests"]) == TENSORS.total_points
