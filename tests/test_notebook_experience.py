"""A student's notebook: it never hangs, Run All goes top to bottom, Validate tells the truth, and check()
says ✗ to the wrong answers the hidden tests fail.

Real kernels (nbclient) and real ``nbgrader validate`` where the behaviour depends on them."""
import ast
import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import nbformat
import pytest
import torch
from nbclient import NotebookClient

from autograder.build import edition, find_cells, solution_code, source_notebook
from autograder.course import course_languages
from autograder.course import RELEASE, SAMPLES, SOLUTIONS, tool_env, use_tool_env
from autograder.notebook import cell_source
from kitcheck import check, check_all
from kitcheck import timelimit
from kitcheck.assignments import ASSIGNMENTS, find_question
from kitcheck.checking import needs, run_public_check, student_function

NAMES = sorted(ASSIGNMENTS)


# ------------------------------------------------------------------------------------------ helpers
def execute(nb, cwd, timeout=600, alone=False):
    """Run every cell in a fresh kernel, as Run All does: the first error stops it (no allow_errors).
    ``alone``: without the repository on the kernel's path, as on a student's machine."""
    use_tool_env()
    env = {k: v for k, v in os.environ.items() if not (alone and k == "PYTHONPATH")}
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(cwd)}}).execute(env=env)
    return nb


def text_of(cell) -> str:
    """What a cell printed, and the plain-text form of what it displayed (check_all's table)."""
    return "\n".join("".join(o.get("text", "")) if o.get("output_type") == "stream" else
                     "".join(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", []))


def first_code_cell(assignment) -> str:
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    return next(cell_source(c) for c in nb.cells if c.cell_type == "code")


def solved(name: str, **overrides: str) -> dict:
    """A notebook's namespace: its imports, every reference solution, then ``overrides`` (name: code)."""
    assignment = ASSIGNMENTS[name]
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):  # the first cell prints torch's version
        exec(first_code_cell(assignment), ns)
    for code in {**solution_code(assignment), **{k: textwrap.dedent(v) for k, v in overrides.items()}}.values():
        exec(code, ns)
    return ns


def verdict(name: str, ns: dict, **kwargs):
    return run_public_check(find_question(name)[1], student_function(name, ns, **kwargs))


# ------------------------------------------------------------------------------------------ Run All
@pytest.mark.parametrize("name", NAMES)
def test_run_all_finishes_on_the_untouched_release(name, tmp_path):
    """The release folder alone, in a real kernel, without allow_errors: every cell runs; a cell that needs an
    unfinished exercise says which, in one line; the last cell's table shows every exercise unwritten."""
    folder = tmp_path / name
    shutil.copytree(RELEASE / name, folder)
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import kitcheck\nprint(kitcheck.__file__)"))
    start = time.perf_counter()
    execute(nb, folder, alone=True)
    seconds = time.perf_counter() - start
    assert text_of(nb.cells[-1]).startswith(str(folder)), "the release's own kitcheck must be the one imported"
    assignment = ASSIGNMENTS[name]
    skipped = [line for c in nb.cells for line in text_of(c).splitlines() if line.startswith("⏭")]
    guarded = [c for c in nb.cells if c.cell_type == "code" and cell_source(c).startswith("with needs(")]
    assert len(skipped) == len(guarded), skipped
    for line in skipped:
        assert "not written yet" in line and "Exercise " in line, line
    table = text_of(nb.cells[-2])
    assert f"0 of {len(assignment.questions)} exercises pass their public checks" in table
    for k, q in enumerate(assignment.questions, 1):
        assert f"{k:>3}  {q.name}" in table and "not written yet" in table
    assert seconds < 120, f"Run All took {seconds:.0f} s"


@pytest.mark.parametrize("name,left", [("training", "train_test_split"), ("cnn", "LeNet5"),
                                       ("networks", "step_neuron")])
def test_run_all_finishes_with_one_exercise_left(name, left, tmp_path):
    """Everything solved but one exercise: the cells that need it say so, all the others run (and draw)."""
    assignment = ASSIGNMENTS[name]
    nb = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
    # the release is the first language's edition of the source: its cell indices, not the source's
    cells = find_cells(assignment, edition(nbformat.read(source_notebook(assignment), as_version=4),
                                           course_languages()[0]))
    for q, code in solution_code(assignment).items():
        if q != left:
            nb.cells[cells[q][0]].source = code
    execute(nb, tmp_path)
    skipped = [line for c in nb.cells for line in text_of(c).splitlines() if line.startswith("⏭")]
    assert skipped and all(f"(`{left}`)" in line for line in skipped), skipped
    table = text_of(nb.cells[-1])
    n = len(assignment.questions)
    assert f"{n - 1} of {n} exercises pass" in table and "not written yet" in table


def test_solutions_end_with_every_check_passing():
    """The executed solutions (built with nbclient, no allow_errors): check_all's table shows every ✓."""
    for name in NAMES:
        assignment = ASSIGNMENTS[name]
        nb = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
        assert cell_source(nb.cells[-1]).strip() == "check_all()"
        table = text_of(nb.cells[-1])
        n, points = len(assignment.questions), assignment.total_points
        assert f"{n} of {n} exercises pass their public checks: {points} of {points} points" in table, table
        assert table.count("✓") == n


def _uses(source: str, names: list[str]) -> list[str]:
    used = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    return [q for q in names if q in used]


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_that_uses_an_exercise_is_guarded(name):
    """In the source notebook (so in every release): a code cell other than the exercise's own solution and test
    cells that uses an exercise starts with `with needs(...)` naming each one; the notebook ends with check_all()."""
    assignment = ASSIGNMENTS[name]
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    own = {i for pair in find_cells(assignment, nb).values() for i in pair}
    names = [q.name for q in assignment.questions]
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert "from kitcheck import check, check_all, needs" in cell_source(nb.cells[first])
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or i in own:
            continue
        src = cell_source(cell)
        used = _uses(src, names)
        if used:
            head = ast.parse(src).body[0]
            assert isinstance(head, ast.With) and len(ast.parse(src).body) == 1, f"cell {i} uses {used} unguarded"
            guard = head.items[0].context_expr
            assert isinstance(guard, ast.Call) and guard.func.id == "needs", f"cell {i}"
            assert [a.value for a in guard.args] == used, f"cell {i} needs {used}"
    assert cell_source(nb.cells[-1]).strip() == "check_all()"


# ------------------------------------------------------------------------------------------ needs
def test_needs_names_the_unfinished_exercise_and_goes_on(capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = solved("linalg", sse_surface="def sse_surface(a, b, x, y):\n    raise NotImplementedError()\n",
                normal_equation="def normal_equation(X, y):\n    y = 2 * y\n    raise NotImplementedError()\n")
    exec(textwrap.dedent('''
        with needs("sse_surface", "normal_equation"):
            fig = plt.figure()
            reached = True
            sse_surface(1, 2, 3, 4)
            after = True
    '''), {**ns, "plt": plt, "needs": needs})
    out = capsys.readouterr().out.strip()
    assert out == ("⏭ skipped: this cell needs Exercise 6 (`sse_surface`) and Exercise 7 (`normal_equation`), which "
                   "are not written yet: finish them, run their cells, then run this cell again.")
    assert plt.get_fignums() == [], "the figure the cell had begun is dropped"
    with needs("normal_equation"):  # a student who kept the raise below their code: still unfinished
        ns["normal_equation"](torch.ones(2, 1), torch.ones(2))
    assert "Exercise 7 (`normal_equation`), which is not written yet" in capsys.readouterr().out


def test_needs_explains_a_missing_cell_and_lets_other_errors_through(capsys):
    ns = {"needs": needs}
    exec('with needs("sse_surface"):\n    sse_surface(1, 2, 3, 4)\n', ns)
    assert "Exercise 6 (`sse_surface`), which is not defined yet: run its cell first" in capsys.readouterr().out
    with pytest.raises(ZeroDivisionError):  # the student's own bug: shown as usual
        with needs("sse_surface"):
            _ = 1 / 0
    with pytest.raises(NotImplementedError):  # not an exercise's stub
        with needs("sse_surface"):
            raise NotImplementedError("a library's")
    with needs("sse_surface"):
        done = True
    assert done and capsys.readouterr().out == ""


# ------------------------------------------------------------------------------------------ time limits
ENDLESS = '''
def chunk_sizes(n, chunks):
    sizes = []
    while sum(sizes) < n:
        sizes.append(0)  # never grows the sum
    return sizes
'''

SWALLOWS = '''
def broadcast_shape(a, b):
    while True:
        try:
            sum(range(1000))
        except Exception:
            pass
'''


@pytest.mark.parametrize("how", ["alarm", "interrupt"])
def test_an_endless_loop_is_stopped_and_check_stays_usable(how, monkeypatch, capsys):
    monkeypatch.setattr(timelimit, "mechanism", lambda: how)
    before = signal.getsignal(signal.SIGALRM)
    ns = solved("tensors", chunk_sizes=ENDLESS, broadcast_shape=SWALLOWS)
    for name in ("chunk_sizes", "broadcast_shape"):
        start = time.perf_counter()
        check(name, ns, timeout=1)
        took = time.perf_counter() - start
        out = capsys.readouterr().out
        assert out.startswith(f"✗ {name}: your function did not finish within 1 s, so check stopped it"), out
        assert "input:    n = 1, chunks = 1" in out or "input:    a = (3, 1), b = (1, 4)" in out
        assert "likely cause" not in out and took < 5, took
    assert signal.getsignal(signal.SIGALRM) == before
    check("one_hot", ns)  # still usable afterwards
    assert capsys.readouterr().out.startswith("✓ one_hot")


def test_a_call_in_another_thread_is_abandoned_with_a_clear_message(capsys):
    stop = threading.Event()
    ns = solved("tensors")
    ns["chunk_sizes"] = lambda n, chunks: stop.wait(60)
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", verdict("chunk_sizes", ns, timeout=0.5)))
    worker.start()
    worker.join(30)
    stop.set()
    assert not box["r"].passed and "did not finish within 0.5 s" in box["r"].message
    assert "It may still be running in the background: restart the kernel" in box["r"].message


def test_a_slow_function_stops_at_the_check_budget():
    ns = solved("tensors")
    exec("import time\ndef chunk_sizes(n, chunks):\n    time.sleep(0.3)\n    return [n]\n", ns)
    start = time.perf_counter()
    result = verdict("chunk_sizes", ns, timeout=0.4)  # each call fits, the whole check (4 x 0.4 s) does not
    assert time.perf_counter() - start < 3
    assert result.message.startswith("chunk_sizes: check stopped after 1.6 s in all: your function is too slow")
    ok = solved("tensors")
    assert verdict("chunk_sizes", ok, timeout=0.4).passed


def test_the_time_limit_works_in_a_real_kernel(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in [
        "from kitcheck import check" + ENDLESS,
        'import time\nstart = time.time()\ncheck("chunk_sizes", timeout=2)\nprint("took", round(time.time() - start))',
        solution_code(ASSIGNMENTS["tensors"])["chunk_sizes"] + '\ncheck("chunk_sizes")',
    ]]
    execute(nb, tmp_path, timeout=120)
    out = text_of(nb.cells[1])
    assert out.startswith("✗ chunk_sizes: your function did not finish within 2 s"), out
    assert int(out.split("took ")[1]) <= 6
    assert text_of(nb.cells[2]).startswith("✓ chunk_sizes")


# ------------------------------------------------------------------------------------------ nbgrader validate
def _validate(notebook, tmp_path) -> str:
    dest = tmp_path / notebook.parent.name / notebook.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, dest)
    proc = subprocess.run(["nbgrader", "validate", str(dest)], cwd=dest.parent, env=tool_env(),
                          capture_output=True, text=True, timeout=600)
    return proc.stdout + proc.stderr


def test_nbgrader_validate_tells_the_truth(tmp_path):
    """Success for the solution; failure, with check's own message, for the untouched release and a mistake."""
    assert "Success! Your notebook passes all the tests." in _validate(SAMPLES / "tensors" / "solution.ipynb", tmp_path)
    untouched = _validate(SAMPLES / "tensors" / "untouched.ipynb", tmp_path / "u")
    assert "VALIDATION FAILED ON 7 CELL(S)" in untouched and "Success" not in untouched
    assert " ".join(untouched.split()).count("not written yet: replace `raise NotImplementedError()`") == 7
    wrong = _validate(SAMPLES / "tensors" / "mistake-var_mean-biased-variance.ipynb", tmp_path / "w")
    assert "VALIDATION FAILED ON 1 CELL(S)" in wrong and 'check("var_mean")' in wrong
    assert "✗ var_mean: `var` has wrong values" in wrong and "expected:" in wrong


def test_check_raises_only_under_validate(monkeypatch, capsys):
    ns = solved("tensors", var_mean="def var_mean(x, dim, unbiased=True):\n    return x.var(dim, correction=0), "
                                   "x.mean(dim)\n")
    for env in ({}, {"NBGRADER_EXECUTION": "autograde"}):  # interactive Run All, and nbgrader's autograde
        for key in ("NBGRADER_VALIDATING", "NBGRADER_EXECUTION"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        check("var_mean", ns)
        assert capsys.readouterr().out.startswith("✗ var_mean: `var` has wrong values")
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with pytest.raises(AssertionError) as raised:
        check("var_mean", ns)
    assert "✗ var_mean: `var` has wrong values" in str(raised.value) and "expected:" in str(raised.value)
    assert max(len(line) for line in str(raised.value).splitlines()) <= 80  # nbgrader cuts longer lines
    check("chunk_sizes", ns)  # a passing check does not raise
    assert capsys.readouterr().out.startswith("✓ chunk_sizes")
    check_all(ns)  # check_all never raises: the check cells are what validation reports
    assert "6 of 7 exercises pass" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------ check_all
def test_check_all_shows_every_question_with_its_points(capsys, monkeypatch):
    ns = solved("tensors", chunk_sizes="def chunk_sizes(n, chunks):\n    raise NotImplementedError()\n")
    del ns["one_hot"]
    check_all(ns)
    out = capsys.readouterr().out
    assert out.startswith("Assignment 1: Tensors (public checks)")
    assert "  1  broadcast_shape        3  ✓\n" in out and "  2  chunk_sizes            2  ✗  not written yet\n" in out
    assert "  7  one_hot                3  ✗  not defined: run its cell\n" in out
    assert "5 of 7 exercises pass their public checks: 15 of 20 points, if the hidden tests agree." in out
    monkeypatch.setitem(sys.modules, "kitcheck.sandbox_child", object())  # in the grader's sandbox: nothing
    check_all(ns)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------------------------------ wrong answers
# From the issue: wrong answers check() once called right, each failed by the hidden tests.
WRONG = {
    "broadcast_shape, wrong only for size-0 dimensions": ("tensors", "broadcast_shape", '''
        def broadcast_shape(a, b):
            result = []
            for i in range(1, max(len(a), len(b)) + 1):
                da = a[-i] if i <= len(a) else 1
                db = b[-i] if i <= len(b) else 1
                if da != db and 1 not in (da, db):
                    raise ValueError("cannot broadcast")
                result.append(max(da, db))
            return tuple(reversed(result))
        ''', "input:    a = (0,), b = (1,)"),
    "pairwise_dist returning float64 for float32": ("tensors", "pairwise_dist", '''
        def pairwise_dist(x, y, p=2.0):
            diff = (x.double().unsqueeze(1) - y.double().unsqueeze(0)).abs()
            return diff.pow(p).sum(dim=-1).pow(1.0 / p)
        ''', "has dtype torch.float64, expected torch.float32"),
    "batch_norm_eval returning float64 for float32": ("batchnorm", "batch_norm_eval", '''
        def batch_norm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
            shape = [1, -1] + [1] * (x.dim() - 2)
            x = x.double()
            x_hat = (x - running_mean.double().view(shape)) / torch.sqrt(running_var.double().view(shape) + eps)
            return weight.view(shape) * x_hat + bias.view(shape)
        ''', "has dtype torch.float64, expected torch.float32"),
    "numerical_grad that works only on contiguous inputs": ("autograd", "numerical_grad", '''
        def numerical_grad(f, x, eps=1e-6):
            work = x.detach().to(torch.float64, copy=True)
            grad = torch.zeros(work.numel(), dtype=torch.float64, device=x.device)
            flat = work.reshape(-1)      # the same memory only when x is contiguous
            for i in range(flat.numel()):
                old = flat[i].item()
                flat[i] = old + eps
                up = f(work)
                flat[i] = old - eps
                down = f(work)
                flat[i] = old
                grad[i] = (up - down) / (2 * eps)
            return grad.reshape(x.shape).to(x.dtype)
        ''', "non-contiguous"),
    "BatchNorm with float64 parameters": ("batchnorm", "BatchNorm", '''
        class BatchNorm(torch.nn.Module):
            def __init__(self, num_features, eps=1e-5, momentum=0.1):
                super().__init__()
                self.eps, self.momentum = eps, momentum
                self.weight = torch.nn.Parameter(torch.ones(num_features, dtype=torch.float64))
                self.bias = torch.nn.Parameter(torch.zeros(num_features, dtype=torch.float64))
                self.register_buffer("running_mean", torch.zeros(num_features, dtype=torch.float64))
                self.register_buffer("running_var", torch.ones(num_features, dtype=torch.float64))

            def forward(self, x):
                dims = [0] + list(range(2, x.dim()))
                shape = [1, -1] + [1] * (x.dim() - 2)
                x = x.double()
                if self.training:
                    mean, var = x.mean(dims), x.var(dims, unbiased=False)
                    n = x.numel() / x.shape[1]
                    with torch.no_grad():
                        self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                        self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
                else:
                    mean, var = self.running_mean.double(), self.running_var.double()
                x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
                return self.weight.double().view(shape) * x_hat + self.bias.double().view(shape)
        ''', "has dtype torch.float64, expected torch.float32"),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_check_says_no_to_the_wrong_answers_the_hidden_tests_fail(case):
    from autograder.hidden_tests import run_hidden_tests
    from kitcheck.transport import local_transport

    name, question, code, shown = WRONG[case]
    right = solved(name)
    assert verdict(question, right).passed  # the reference passes the same checks
    wrong = solved(name, **{question: code})
    result = verdict(question, wrong)
    assert not result.passed and shown in result.message, result.message
    hidden = run_hidden_tests(name, local_transport(wrong), questions={question})
    assert any(o.outcome == "failed" for o in hidden), "not a wrong answer after all"


# ------------------------------------------------------------------------------------------ messages
def test_device_problems_are_explained_without_the_meta_device(capsys):
    ns = solved("tensors", one_hot='''
        def one_hot(labels, num_classes):
            classes = torch.arange(num_classes)  # on the CPU, whatever the labels' device
            return (labels.unsqueeze(-1) == classes).long()
        ''')
    check("one_hot", ns)
    out = capsys.readouterr().out
    assert "created a tensor on the CPU while the input is elsewhere" in out and "device=x.device" in out
    assert "meta" not in out.lower()
    cuda = solved("tensors", one_hot='''
        def one_hot(labels, num_classes):
            classes = torch.arange(num_classes).cuda()
            return (labels.unsqueeze(-1) == classes.to(labels.device)).long()
        ''')
    check("one_hot", cuda)
    out = capsys.readouterr().out
    if torch.cuda.is_available():  # then .cuda() works, and the device check catches what comes back
        assert out.startswith("✓") or "device" in out
    else:
        assert "Your code moves tensors to the GPU (.cuda() or device='cuda')" in out and "x.device" in out


def test_a_lenet_that_drops_the_batch_dimension_is_told_without_internals(capsys):
    ns = solved("cnn")
    exec(textwrap.dedent('''
        class LeNet5(LeNet5):
            def forward(self, x):
                return super().forward(x).squeeze()
        '''), ns)
    check("LeNet5", ns)
    out = capsys.readouterr().out
    assert "a batch of one image gave an output of shape (10,)" in out and "meta" not in out.lower()


def test_messages_show_the_expected_value_in_the_required_dtype_and_name_the_layout():
    ns = solved("tensors", pairwise_dist='''
        def pairwise_dist(x, y, p=2.0):
            return (x.unsqueeze(1) - y.unsqueeze(0)).abs().pow(p).sum(dim=-1)  # no root
        ''')
    message = verdict("pairwise_dist", ns).message
    assert "expected: tensor(" in message and message.split("expected:")[1].split("\n")[0].endswith("(torch.float32, cpu)")
    grad = solved("autograd", numerical_grad='''
        def numerical_grad(f, x, eps=1e-6):
            x = x.detach().to(torch.float64, copy=True)
            flat, grad = x.view(-1), torch.zeros(x.numel(), dtype=torch.float64)
            for i in range(flat.numel()):
                old = flat[i].item()
                flat[i] = old + eps
                up = f(x)
                flat[i] = old - eps
                grad[i] = (up - f(x)) / (2 * eps)
                flat[i] = old
            return grad.reshape(x.shape)
        ''')
    message = verdict("numerical_grad", grad).message
    assert "(torch.float64, cpu, a transposed, non-contiguous view)" in message and "use .reshape() instead" in message


# ------------------------------------------------------------------------------------------ speed
@pytest.mark.parametrize("name", NAMES)
def test_each_passing_check_takes_under_two_seconds(name):
    ns = solved(name)
    slow = {}
    for q in ASSIGNMENTS[name].questions:
        runs = [verdict(q.name, ns) for _ in range(2)]
        assert all(r.passed for r in runs), runs[0].message
        slow[q.name] = min(r.seconds for r in runs)
    assert max(slow.values()) < 2.0, slow
