"""Building: release/ and solutions/ come from source/ with real nbgrader, and stay in sync with it."""
import json
import re
from pathlib import Path

import nbformat
import pytest

from autograder.build import (BuildError, SOLUTION_MARKER, find_cells, solution_code, source_notebook, stale,
                              stamp_nbgrader_metadata)
from autograder.course import RELEASE, SOLUTIONS
from autograder.notebook import cell_source
from kitcheck.assignments import ASSIGNMENTS

ALL = sorted(ASSIGNMENTS)


def test_release_solutions_and_samples_are_up_to_date():
    assert stale() == []


@pytest.mark.parametrize("name", ALL)
def test_release_holds_no_solution_code_and_no_hidden_tests(name):
    assignment = ASSIGNMENTS[name]
    text = (RELEASE / name / assignment.notebook).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "grade_question", "autograder"):
        assert marker not in text, marker
    released = {cell_source(c) for c in json.loads(text)["cells"]}
    released_lines = {ln.strip() for src in released for ln in src.splitlines()}
    for question, code in solution_code(assignment).items():
        body = code.split('"""')[-1]  # after the docstring: the solution proper
        secret = [ln.strip() for ln in body.splitlines() if ln.strip() and not SOLUTION_MARKER.match(ln)]
        assert secret, question
        assert not [ln for ln in secret if ln in released_lines], question
    for path in (RELEASE / name).rglob("*"):  # kitcheck ships; the hidden tests do not
        assert "hidden" not in path.name and not path.name.startswith("test_"), path


@pytest.mark.parametrize("name", ALL)
def test_release_metadata_points_come_from_the_spec(name):
    assignment = ASSIGNMENTS[name]
    nb = json.loads((RELEASE / name / assignment.notebook).read_text(encoding="utf-8"))
    points = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points")
              for c in nb["cells"] if c["metadata"]["nbgrader"].get("grade")}
    assert points == {q.test_id: q.points for q in assignment.questions}
    locked = [c for c in nb["cells"] if not c["metadata"]["nbgrader"]["solution"]]
    assert all(c["metadata"]["nbgrader"]["locked"] for c in locked)


@pytest.mark.parametrize("name", ALL)
def test_solutions_are_executed_with_figures_and_without_hidden_tests(name):
    assignment = ASSIGNMENTS[name]
    nb = json.loads((SOLUTIONS / name / assignment.notebook).read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o["output_type"] == "error"]
    checks = [o for o in outputs if "✓" in "".join(o.get("text", ""))]
    assert len(checks) == len(assignment.questions)
    text = json.dumps(nb)
    assert "HIDDEN TESTS" not in text and "grade_question" not in text and "BEGIN SOLUTION" not in text


def _source(name="tensors"):
    return nbformat.read(source_notebook(ASSIGNMENTS[name]), as_version=4)


def test_build_refuses_a_question_without_its_test_cell():
    nb = _source()
    assignment = ASSIGNMENTS["tensors"]
    _, test_cell = find_cells(assignment, nb)["chunk_sizes"]
    del nb.cells[test_cell]
    with pytest.raises(BuildError, match="chunk_sizes.*one test cell"):
        stamp_nbgrader_metadata(assignment, nb)


def test_build_refuses_points_in_the_text_that_disagree_with_the_spec():
    nb = _source()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "`var_mean`" in cell.source:
            cell.source = re.sub(r"\(\d+ points\)", "(9 points)", cell.source)
    with pytest.raises(BuildError, match="var_mean.*9 points.*spec says 3"):
        find_cells(ASSIGNMENTS["tensors"], nb)


def test_build_refuses_a_test_cell_without_hidden_tests():
    nb = _source()
    _, test_cell = find_cells(ASSIGNMENTS["tensors"], nb)["one_hot"]
    nb.cells[test_cell].source = 'check("one_hot")'
    with pytest.raises(BuildError, match="hidden-test region"):
        find_cells(ASSIGNMENTS["tensors"], nb)


def test_stale_reports_an_edited_release(tmp_path, monkeypatch):
    import shutil

    from autograder import build as build_module

    for kind in ("release", "solutions", "samples", "source"):
        shutil.copytree(build_module.REPO / kind, tmp_path / kind)
    path = tmp_path / "release" / "tensors" / "tensors.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "edited by hand"
    path.write_text(json.dumps(nb))
    (tmp_path / "solutions" / "tensors" / "kitcheck" / "spec.py").write_text("# stale copy\n")
    problems = stale(["tensors"], root=tmp_path)
    assert any("release/tensors/tensors.ipynb differs" in p for p in problems)
    assert "solutions/tensors/kitcheck/spec.py differs from a fresh build" in problems


def test_the_lenet5_solution_trains_on_digits_to_95_percent_within_a_minute():
    # The executed solution (built on a CPU) prints "test accuracy 98.3% after 2.6 s" after training.
    import re

    nb = json.loads((SOLUTIONS / "cnn" / "cnn.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])
    found = re.findall(r"test accuracy ([\d.]+)% after ([\d.]+) s", text)
    assert len(found) == 1, "the solution's training cell printed no accuracy"
    accuracy, seconds = map(float, found[0])
    assert accuracy >= 95.0 and seconds < 60.0


@pytest.mark.parametrize("name", ALL)
def test_source_figures_are_laid_out_when_drawn_not_when_made(name):
    # Grading runs every submission's cells, and its figures are never drawn: tight_layout() would lay each
    # one out anyway (90 ms for a row of four plots), layout="constrained" only when it is drawn.
    nb = nbformat.read(source_notebook(ASSIGNMENTS[name]), as_version=4)
    offenders = [i for i, cell in enumerate(nb.cells)
                 if cell.cell_type == "code" and "tight_layout(" in cell_source(cell)]
    assert not offenders, f"cells {offenders} call tight_layout(); use plt.subplots(..., layout=\"constrained\")"


def test_probes_agree_across_machines_up_to_rounding_and_no_further():
    """Another CPU's kernels may round a float64 gradient in its last bits: the build is still up to date. A
    reference that changed, by far less than any check's tolerance, is not."""
    import torch

    from autograder import probe_data

    grad = torch.tensor([4.874261347620511, 1e-3, -2.5], dtype=torch.float64)
    data = {"format": 1, "fingerprints": {"q": {}},
            "probes": {"q": [{"inputs": {"x": torch.arange(3), "lr": 0.1}, "expected": {"grads": grad}}]}}

    def changed(edit):
        other = {"format": 1, "fingerprints": {"q": {}},
                 "probes": {"q": [{"inputs": {"x": torch.arange(3), "lr": 0.1}, "expected": {"grads": grad.clone()}}]}}
        edit(other)
        return not probe_data.same(data, other)

    assert not changed(lambda d: None)
    assert not changed(lambda d: d["probes"]["q"][0]["expected"]["grads"].__setitem__(1, 1e-3 + 3.5e-15))  # rounding
    assert changed(lambda d: d["probes"]["q"][0]["expected"]["grads"].__setitem__(1, 1e-3 * (1 + 1e-9)))
    assert changed(lambda d: d["probes"]["q"][0]["inputs"].__setitem__("x", torch.tensor([0, 1, 3])))
    assert changed(lambda d: d["probes"]["q"][0]["inputs"].__setitem__("lr", 0.2))
    assert changed(lambda d: d["fingerprints"].clear())
    assert changed(lambda d: d["probes"]["q"].append(d["probes"]["q"][0]))


def test_solutions_run_in_a_kernel_on_private_sockets_that_leaves_nothing_behind(tmp_path, capfd, monkeypatch):
    # The build's kernel listens on Unix sockets in a private folder: no TCP port for another user of a shared
    # server, no "running over TCP without encryption" warning on every build, no socket file left anywhere.
    from autograder.build import _execute
    from autograder.course import use_tool_env

    import tempfile

    use_tool_env()
    made = []

    class Recorded(tempfile.TemporaryDirectory):
        def __enter__(self):
            made.append(super().__enter__())
            return made[-1]

    monkeypatch.setattr("autograder.build.tempfile.TemporaryDirectory", Recorded)
    monkeypatch.setenv("TMPDIR", str(tmp_path / ("long" * 20)))  # too long a folder for a socket's path
    (tmp_path / ("long" * 20)).mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)  # tempfile reads TMPDIR again
    cwd = tmp_path / "work"
    cwd.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, json\nprint(json.dumps([os.getcwd(), sorted(os.listdir('.'))]))"),
        nbformat.v4.new_code_cell("import sys; print(sys.argv[-1].endswith('.json'))")])
    _execute(nb, cwd)
    assert json.loads(nb.cells[0].outputs[0]["text"]) == [str(cwd), []]
    err = capfd.readouterr().err
    assert "TCP" not in err and "WARNING" not in err, err
    assert len(made) == 1 and not Path(made[0]).exists() and list(cwd.iterdir()) == []


def test_catalogued_mistakes_warn_nobody_while_their_fingerprints_are_taken():
    # The catalog misuses torch on purpose (autograd's `gradient_descent` mistake reads a non-leaf .grad; training's
    # variants trace the model for add_graph, which torch has deprecated): the build records what that code returns,
    # and its warnings are not printed on the instructor's screen.
    import warnings

    from autograder.probe_data import compute

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("autograd", "training"):
            compute(ASSIGNMENTS[name])
    assert [str(w.message)[:100] for w in caught] == []
