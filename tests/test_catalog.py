"""The kill matrix: every catalogued mistake loses its own question only, every correct variant scores
full marks, and each mistake's feedback names its own misconception. For every assignment in the repo."""
import json
import subprocess
import sys

import pytest

from autograder.course import tool_env
from kitcheck.assignments import ASSIGNMENTS
from autograder.catalog import catalog, variants


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_catalog_covers_every_question(name):
    for q in ASSIGNMENTS[name].questions:
        assert len([m for m in catalog(name) if m.question == q.name]) >= 3, q.name
        assert len([v for v in variants(name) if v.question == q.name]) >= 2, q.name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_kill_matrix(name, tmp_path):
    out = tmp_path / "matrix.json"
    proc = subprocess.run([sys.executable, "-m", "autograder", "mutants", name, "--json", str(out)],
                          env=tool_env(), capture_output=True, text=True, timeout=900)
    rows = json.loads(out.read_text())
    assert len(rows) == len(catalog(name)) + len(variants(name))
    survivors = [r["slug"] for r in rows if r["verdict"] == "SURVIVED"]
    rejected = [r["slug"] for r in rows if r["verdict"] == "REJECTED"]
    wrong_hint = [r["slug"] for r in rows if r["kind"] == "mistake" and not r["hint_named"]]
    assert not survivors, f"wrong implementations that still get full marks: {survivors}\n{proc.stdout}"
    assert not rejected, f"correct variants that lose marks: {rejected}\n{proc.stdout}"
    assert not wrong_hint, f"mistakes whose feedback names another or no misconception: {wrong_hint}"
    assert proc.returncode == 0
    for r in rows:
        if r["kind"] == "mistake":
            assert r["scores"][r["question"]] == 0
