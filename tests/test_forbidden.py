"""The functions an exercise asks the student not to call: found in the notebook's code, by the grader and by check().

Calling torch's own function gives torch's own values, so no hidden test can tell it from a solution; the rule is
read from the code instead (``kitcheck.forbidden``). Both directions: a submission that calls the forbidden function
loses that question only, and no solution, no edition and no catalogued correct variant is taken for one.
"""
from __future__ import annotations

import nbformat
import pytest

from autograder.catalog import variants
from autograder.course import SAMPLES
from kitcheck.assignments import ASSIGNMENTS
from kitcheck.forbidden import forbidden_uses, shown

CONV = ("torch.nn.functional.conv2d", "torch.conv2d", "torch.nn.Conv2d")


@pytest.mark.parametrize("cells", [
    ["import torch.nn.functional as F", "def conv2d(x, w):\n    return F.conv2d(x, w)"],
    ["import torch", "def conv2d(x, w):\n    return torch.nn.functional.conv2d(x, w)"],
    ["from torch.nn.functional import conv2d as c", "def conv2d(x, w):\n    return c(x, w)"],
    ["import torch.nn as nn", "def conv2d(x, w):\n    layer = nn.Conv2d(1, 1, 3)\n    return layer(x)"],
    ["import torch", "def conv2d(x, w):\n    return torch.conv2d(x, w)"],
    ["import torch.nn.functional as F\nop = F.conv2d", "def conv2d(x, w):\n    return op(x, w)"],  # an alias
    ["import torch.nn.functional as F", "def _helper(x, w):\n    return F.conv2d(x, w)",
     "def conv2d(x, w):\n    return _helper(x, w)"],  # through the notebook's own helper
    ["def conv2d(x, w):\n    from torch.nn import functional\n    return functional.conv2d(x, w)"],  # inside
    ["%matplotlib inline\nimport torch.nn.functional as F", "def conv2d(x, w):\n    return F.conv2d(x, w)"],
    ["import torch.nn.functional as F", "def conv2d(x, w):\n    return x", "def conv2d(x, w):\n    return F.conv2d(x, w)"],
])
def test_a_forbidden_function_is_found_however_it_is_spelled(cells):
    assert forbidden_uses(cells, "conv2d", CONV) != []


@pytest.mark.parametrize("cells", [
    ["import torch.nn.functional as F", "def conv2d(x, w):\n    return (x * w).sum()"],
    ["import torch.nn.functional as F", "def conv2d(x, w):\n    return F.conv2d(x, w)", "def conv2d(x, w):\n    return x"],
    ["import torch.nn.functional as F", "def conv2d(x, w):\n    return F.pad(x, (1, 1))  # not F.conv2d"],
    ["import torch.nn.functional as F", "def demo():\n    return F.conv2d(1, 2)", "def conv2d(x, w):\n    return x"],
    ["import torch.nn.functional as F", "def max_pool2d(x):\n    return F.conv2d(x, x)",  # another exercise's code
     "def conv2d(x, w):\n    return max_pool2d(x)"],
    ["def conv2d(x, w) syntax error"],
])
def test_code_that_does_not_use_it_is_not_flagged(cells):
    assert forbidden_uses(cells, "conv2d", CONV, others=["conv2d", "max_pool2d"]) == []


def test_methods_modules_and_the_notebooks_own_functions():
    var = ("torch.var", "Tensor.var")
    assert forbidden_uses(["def var_mean(x):\n    return x.var(0), x.mean(0)"], "var_mean", var) == ["Tensor.var"]
    assert forbidden_uses(["import torch", "def var_mean(x):\n    return torch.Tensor.var(x)"], "var_mean", var) != []
    assert forbidden_uses(["def var_mean(x):\n    return x.running_var"], "var_mean", var) == []
    assert forbidden_uses(["import cv2", "def sobel(img):\n    return cv2.Sobel(img, 6, 1, 0)"], "sobel",
                          ("cv2.*",)) == ["cv2.*"]
    assert forbidden_uses(["def vgg_block(): ...", "def vgg_features(cfg):\n    return [vgg_block() for c in cfg]"],
                          "vgg_features", ("vgg_block",), others=["vgg_block", "vgg_features"]) == ["vgg_block"]
    assert shown("torch.nn.functional.conv2d") == "F.conv2d" and shown("cv2.*") == "cv2"
    sobel = ASSIGNMENTS["cnn"].question("sobel").forbidden  # OpenCV's filters, not its constants
    assert forbidden_uses(["import cv2", "def sobel(img, dx, dy):\n    return cv2.Sobel(img, 6, dx, dy)"], "sobel",
                          sobel) == ["cv2.Sobel"]
    assert forbidden_uses(["import cv2", "def sobel(img, dx, dy):\n    return f(img, cv2.BORDER_REFLECT_101)"],
                          "sobel", sobel) == []


def test_no_solution_edition_or_correct_variant_is_taken_for_a_forbidden_call():
    checked = 0
    for a in ASSIGNMENTS.values():
        names = [q.name for q in a.questions]
        for path in (SAMPLES / a.name / "solution.ipynb",):
            sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
            for q in a.questions:
                assert forbidden_uses(sources, q.name, q.forbidden, names) == [], (a.name, q.name)
            for v in variants(a.name):
                q = a.question(v.question)
                assert forbidden_uses(sources + [v.code], q.name, q.forbidden, names) == [], (a.name, v.slug)
                checked += 1
    assert checked > 100
    assert sum(bool(q.forbidden) for a in ASSIGNMENTS.values() for q in a.questions) >= 40


def _with(assignment: str, question: str, code: str, tmp_path) -> object:
    nb = nbformat.read(SAMPLES / assignment / "solution.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and (f"def {question}(" in c.source
                                                                   or f"class {question}(" in c.source))
    cell.source += "\n\n" + code  # defined again below: the last definition is the one graded
    path = tmp_path / f"{assignment}-{question}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("assignment, question, code", [
    ("cnn", "conv2d", "def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):\n"
                      "    return F.conv2d(x, weight, bias, stride, padding, dilation, groups)"),
    ("linalg", "gauss_solve", "def gauss_solve(A, b):\n    return torch.linalg.solve(A, b)"),
])
def test_a_submission_that_calls_the_function_it_should_write_loses_that_question_only(assignment, question, code,
                                                                                       tmp_path):
    from autograder.worker import grade_notebook

    a = ASSIGNMENTS[assignment]
    result = grade_notebook(a, _with(assignment, question, code, tmp_path))
    rows = {r.name: r for r in result.questions}
    assert rows[question].score == 0 and "asks you not to call" in rows[question].message
    assert all(r.passed for name, r in rows.items() if name != question), \
        {n: r.message[:200] for n, r in rows.items() if not r.passed}
    assert result.score == a.total_points - a.question(question).points


def test_check_reads_the_code_the_student_ran(capsys):
    # In Jupyter, check() reads IPython's input history (`In`): the student hears of the rule at once.
    from kitcheck.checking import check

    ran = ["import torch", "def var_mean(x, dim, unbiased=True):\n    return torch.var(x, dim, unbiased=unbiased), "
                           "x.mean(dim)"]
    namespace: dict = {"In": ["", *ran]}
    for source in ran:
        exec(source, namespace)
    check("var_mean", namespace=namespace)
    out = capsys.readouterr().out
    assert out.startswith("✗") and "`torch.var`" in out and "asks you not to call" in out
    assert "tensor.var" not in out  # one call, one name: not also the method it matches
    namespace["In"] = [""]  # the same function, when its code is not known (plain Python): judged by its values
    check("var_mean", namespace=namespace)
    assert capsys.readouterr().out.startswith("✓")


def test_under_nbgrader_the_hidden_test_cell_fails_on_the_rule_too():
    # nbgrader runs the hidden-test cells in the student's kernel (autograder.nbgrader_bridge): the same rule, read
    # from the kernel's input history, fails the cell with the same sentence.
    from autograder.nbgrader_bridge import grade_question

    namespace: dict = {"In": ["", "import torch", "def topk_via_sort(x, k):\n    return torch.topk(x, k)"]}
    for source in namespace["In"]:
        exec(source, namespace)
    with pytest.raises(AssertionError, match="`torch.topk`"):
        grade_question("topk_via_sort", namespace)
