"""Grading leaves out the instructor's demonstrations (cells tagged ``demo``) only where nothing graded can tell.

The demos train models and draw plots to show a student's functions at work: seconds per submission that no
hidden test needs (architectures: 4 s of a 6 s submission). nbgrader runs them; the scores must not change.
"""
import json

import nbformat
import pytest

from autograder.course import SAMPLES
from autograder.notebook import cells_to_grade, code_to_run, read_notebook
from autograder.worker import release_demos
from kitcheck.assignments import ASSIGNMENTS

from conftest import grade

IMPORTS = "import torch"
TRAIN = "model = torch.nn.Linear(2, 1)\nfor _ in range(100):\n    model(torch.randn(4, 2)).sum().backward()"
PLOT = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])"
DEMOS = frozenset({TRAIN, PLOT})


def _kept(cells, demos=DEMOS, graded=("f",)):
    return [i for i, _ in cells_to_grade(list(enumerate(cells)), demos, graded)]


def test_released_demos_are_left_out():
    assert _kept([IMPORTS, "def f(x):\n    return x + 1", TRAIN, PLOT]) == [0, 1]


def test_a_demo_the_student_edited_runs():
    assert _kept([IMPORTS, "def f(x):\n    return x", TRAIN + "\nprint(model)"]) == [0, 1, 2]


def test_a_demo_whose_variable_a_student_function_reads_runs_wherever_the_function_is():
    uses_model = "def f(x):\n    return model(x)"
    assert _kept([IMPORTS, uses_model, TRAIN, PLOT]) == [0, 1, 2]  # defined before the demo, called after it
    assert _kept([IMPORTS, TRAIN, uses_model, PLOT]) == [0, 1, 2]
    in_a_method = "class F:\n    def forward(self, x):\n        return [model(r) for r in x]\nf = F()"
    assert _kept([IMPORTS, TRAIN, in_a_method]) == [0, 1, 2]


def test_a_demo_a_later_cell_reads_runs_but_not_for_an_earlier_cell_that_read_the_name_as_it_ran():
    assert _kept([IMPORTS, TRAIN, "weights = model.weight", "def f(x):\n    return x"]) == [0, 1, 2, 3]
    assert _kept([IMPORTS, "model = 3\nprint(model)", TRAIN, "def f(x):\n    return x"]) == [0, 1, 3]


def test_a_demo_another_needed_demo_reads_runs_too():
    reads_model = "fig, ax = plt.subplots()\nax.plot(model.weight.detach()[0])"
    cells = [IMPORTS, TRAIN, reads_model, "def f(x):\n    return fig"]
    assert _kept(cells, DEMOS | {reads_model}) == [0, 1, 2, 3]


def test_a_demo_that_binds_a_graded_name_or_star_imports_runs():
    redefines = "def f(x):\n    return x * 2"
    assert _kept([IMPORTS, "def f(x):\n    return x", redefines], DEMOS | {redefines}) == [0, 1, 2]
    star = "from math import *"
    assert _kept([IMPORTS, star, "def f(x):\n    return x"], DEMOS | {star}) == [0, 1, 2]


def test_when_a_cell_is_not_python_every_cell_runs():
    assert _kept([IMPORTS, "def f(x) return x", TRAIN]) == [0, 1, 2]
    assert _kept([IMPORTS, "%matplotlib inline\ndef f(x):\n    return x", TRAIN]) == [0, 1]  # magics are fine


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_each_assignments_demos_are_left_out_of_its_solution(name):
    """The tags are effective: every released demo can be left out of the solution (none feeds a graded name)."""
    demos = release_demos(name)
    cells = code_to_run(read_notebook(SAMPLES / name / "solution.ipynb"))
    kept = {source for _, source in cells_to_grade(cells, demos, [q.name for q in ASSIGNMENTS[name].questions])}
    assert len(demos) >= (name != "tensors")  # tensors has no demo yet
    assert {source for _, source in cells if source in demos}.isdisjoint(kept)


def test_a_solution_that_reads_a_demos_variable_keeps_its_points(tmp_path):
    """A student's function that uses a variable from a demo cell works under nbgrader (every cell runs), so it
    works here: that demo runs, the others are still left out, and the submission scores full marks."""
    nb = nbformat.read(SAMPLES / "basics" / "solution.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "detached_copy_solution")
    cell.source = cell.source.replace("    return x.detach().clone()",
                                      "    assert T.shape == (6, 6)  # T: made by the tridiagonal demo above\n"
                                      "    return x.detach().clone()")
    assert "T.shape" in cell.source
    path = tmp_path / "reads-demo.ipynb"
    nbformat.write(nb, path)
    cells = code_to_run(read_notebook(path))
    ran = [s for _, s in cells_to_grade(cells, release_demos("basics"), [q.name for q in ASSIGNMENTS["basics"].questions])]
    demos = [s for _, s in cells if s in release_demos("basics")]
    assert [d in ran for d in demos] == [True, False]  # the tridiagonal demo runs; split_by_sizes' does not
    graded = grade([path], tmp_path / "out", "basics")
    assert graded.returncode == 0, graded.stdout
    assert graded.scores("reads-demo") == {q.name: q.points for q in ASSIGNMENTS["basics"].questions}, \
        json.dumps(graded.results["reads-demo"]["questions"], ensure_ascii=False)[:2000]
