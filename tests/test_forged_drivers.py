"""Forged drivers: attacks in which a notebook replaces the sandbox's driver dispatch, each of which must gain nothing.

A driver runs in the student's process, beside the student's code, so a notebook cell can replace any driver (or
``kitcheck.transport.resolve_driver``) and make it report whatever it likes. The grader therefore takes nothing a
driver reports on trust: every driver returns values (outputs, gradients, parameters, items, trained weights), and
the grader derives each verdict from them against its own references, for inputs it chose. Forged flags ("is a
Dataset", "returned the model", "the running statistics need no grad", "the parameters did not change", gradcheck's
"ok") and forged metrics (the digits' test accuracy) have nowhere to go.

Two properties stay the student's own report, because no value anyone can ask for shows them: whether
``dead_relu_fraction`` left forward hooks on the model (forging that saves exactly ``handle.remove()``), and whether
an optimiser step (``sgd_step_``, ``momentum_step_``) left each ``.grad`` as it found it (the next ``zero_grad`` and
``backward`` refill it; forging ``step_driver``'s report saves exactly the line that changes ``.grad``). A third is
the device watcher of the "works on any device" checks (``drivers.on_meta_watching``): whether the code combined a
CPU tensor with its meta inputs in an operation the meta device lets pass; the README says what forging it keeps.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import torch

from autograder.course import RELEASE, SAMPLES
from autograder.results import QuestionResult
from autograder.worker import grade_notebook
from kitcheck.assignments import ASSIGNMENTS
from kitcheck.transport import LocalFunction, StudentFunction

# The attack: the first cell of a notebook. It wraps every function of kitcheck's driver modules, and the
# dispatch, so that each report is rewritten to what the grader wants to see: the flags, counts, verdict strings
# and metrics the drivers used to report (the attack as it gained points), and the hook count of today's
# dead_relu_fraction driver. For the canary targets it raises instead, which proves the forgery runs.
FORGER = r'''
import importlib, inspect, pkgutil, sys
import kitcheck.assignments
import kitcheck.drivers
import kitcheck.transport as _transport

_CANARY = {"loss_with_loader", "multistep_lr", "kaiming_normal_"}


def _good(name, value, args):
    if isinstance(value, BaseException):  # the stub or the wrong code raised: lie anyway where a lie is enough
        if name == "run_fit_and_score":
            return [0.5] * args[6], 0.99
        if name == "gradcheck_report":
            return "ok"
        raise value
    if type(value) is tuple:
        if name == "describe_dataset" and len(value) == 5:
            return (value[0], True, *value[2:])                    # "is a torch Dataset"
        if name == "run_fit_and_score" and len(value) == 2:
            return value[0], 0.99                                  # the test accuracy
        if name in ("sgd_driver", "momentum_driver") and len(value) > 3:
            return (*value[:-3], True, True, True)                 # same tensors, leaves, require grad
        if name == "run_batch_norm_train" and len(value) == 5:
            return (*value[:4], False)                             # "the running statistics need no grad"
        if name == "run_batch_norm_module" and len(value) == 6:
            return (["bias", "weight"], ["num_batches_tracked", "running_mean", "running_var"], *value[2:])
        if name == "run_init" and len(value) == 3:
            return value[0], True, True                            # "returned the tensor", "requires grad"
        if name == "run_init_model" and len(value) == 2:
            return value[0], True                                  # "returned the model"
        if name == "run_layer_grad_norms" and len(value) == 2:
            return value[0], False                                 # "the parameters did not change"
        if name == "run_dead_relu_fraction" and len(value) == 3:
            return value[0], value[1], 0                           # "no hook left"
    if name == "gradcheck_report":
        return "ok"
    return value


def _forge(name, real):
    if getattr(real, "__forged__", False):
        return real

    def driver(*args, **kwargs):
        if args and getattr(args[0], "__name__", "") in _CANARY:
            raise RuntimeError("forged dispatch active")
        try:
            value = real(*args, **kwargs)
        except Exception as exc:
            value = exc
        return _good(name, value, args[1:])

    driver.__forged__ = True
    driver.__name__, driver.__qualname__, driver.__module__ = name, name, real.__module__
    return driver


_modules = [kitcheck.drivers] + [importlib.import_module(f"kitcheck.assignments.{m.name}")
                                 for m in pkgutil.iter_modules(kitcheck.assignments.__path__)]
for _module in _modules:
    for _name, _f in list(vars(_module).items()):
        if inspect.isfunction(_f) and _f.__module__ == _module.__name__ and not _name.startswith("_"):
            setattr(_module, _name, _forge(_name, _f))
_real_resolve = _transport.resolve_driver
_transport.resolve_driver = lambda path: _forge(path.rpartition(":")[2], _real_resolve(path))
'''

CANARY = {"training": "loss_with_loader", "batchnorm": "multistep_lr", "initialization": "kaiming_normal_"}

# Wrong code that computes the right values and gets one property wrong: the property a driver used to report as
# a flag. Graded honestly, each loses its question.
WRONG = {
    "training": {
        "PairDataset": '''
class PairDataset:  # right items, but not a torch.utils.data.Dataset
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError("lengths differ")
        self.features, self.labels = features, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.features[index], self.labels[index]
''',
        "fit": '''
def fit(model, loader, loss_fn, optimizer, epochs):  # the right loop, but it trains only on small data sets
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            if len(loader.dataset) <= 500:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
''',
    },
    "batchnorm": {
        "batch_norm_train": '''
def batch_norm_train(x, running_mean, running_var, weight, bias, momentum=0.1, eps=1e-5):
    dims = [0] + list(range(2, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    mean = x.mean(dim=dims)
    var = x.var(dim=dims, correction=0)
    out = (x - mean.view(shape)) / (var.view(shape) + eps).sqrt() * weight.view(shape) + bias.view(shape)
    n = x.numel() // x.shape[1]
    new_mean = (1 - momentum) * running_mean + momentum * mean  # the running statistics keep the graph
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return out, new_mean, new_var
''',
        "BatchNorm": '''
class BatchNorm(torch.nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = torch.nn.Parameter(torch.ones(num_features))
        self.bias = torch.nn.Parameter(torch.zeros(num_features))
        self.running_mean = torch.zeros(num_features)  # plain attributes, not registered buffers
        self.running_var = torch.ones(num_features)

    def forward(self, x):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, correction=0)
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean.to(x) + self.momentum * mean
                self.running_var = (1 - self.momentum) * self.running_var.to(x) + self.momentum * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean.view(shape)) / (var.view(shape) + self.eps).sqrt()
        return x_hat * self.weight.view(shape) + self.bias.view(shape)
''',
    },
    "initialization": {
        "xavier_uniform_": '''
def xavier_uniform_(tensor, gain=1.0):
    rf = tensor[0][0].numel()
    bound = gain * (6.0 / (tensor.shape[1] * rf + tensor.shape[0] * rf)) ** 0.5
    with torch.no_grad():
        tensor.uniform_(-bound, bound)  # fills the tensor, but returns nothing
''',
        "xavier_normal_": '''
def xavier_normal_(tensor, gain=1.0):
    rf = tensor[0][0].numel()
    std = gain * (2.0 / (tensor.shape[1] * rf + tensor.shape[0] * rf)) ** 0.5
    tensor.requires_grad_(False)  # the parameter stops requiring grad
    return tensor.normal_(0.0, std)
''',
        "kaiming_uniform_": '''
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * rf
    gains = {"leaky_relu": (2.0 / (1 + a ** 2)) ** 0.5, "relu": 2.0 ** 0.5, "tanh": 5.0 / 3, "linear": 1.0,
             "sigmoid": 1.0}
    bound = 3 ** 0.5 * gains[nonlinearity] / fan ** 0.5
    with torch.no_grad():
        tensor.uniform_(-bound, bound)
    return tensor.clone()  # fills the tensor, but returns a copy of it
''',
        "init_model_": '''
def init_model_(model, weight_init, bias=0.0):
    def init_layer(m):
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            weight_init(m.weight)
            if m.bias is not None:
                with torch.no_grad():
                    m.bias.fill_(bias)
    model.apply(init_layer)  # initialises the model, but returns nothing
''',
        "layer_grad_norms": '''
def layer_grad_norms(model, x, y):
    model.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    norms = torch.stack([m.weight.grad.norm() for m in model.modules() if isinstance(m, torch.nn.Linear)])
    with torch.no_grad():  # then takes a gradient step the question never asked for
        for p in model.parameters():
            p -= 0.1 * p.grad
    return norms
''',
        "dead_relu_fraction": '''
def dead_relu_fraction(model, x):
    outputs = []
    for m in model.modules():
        if isinstance(m, torch.nn.ReLU):
            m.register_forward_hook(lambda mod, inp, out: outputs.append(out.detach()))  # never removed
    with torch.no_grad():
        model(x)
    return torch.stack([(out == 0).all(dim=0).to(x.dtype).mean() for out in outputs])
''',
    },
}
SELF_REPORTED = {"dead_relu_fraction"}  # see the module docstring


def _notebook(assignment: str, first: list[str], last: list[str], base: Path | None = None) -> nbformat.NotebookNode:
    """``base`` (default: the release notebook, every exercise a stub) with code cells put first and last."""
    nb = nbformat.read(base or RELEASE / assignment / ASSIGNMENTS[assignment].notebook, as_version=4)
    nb.cells = ([nbformat.v4.new_code_cell(src) for src in first] + nb.cells
                + [nbformat.v4.new_code_cell(src) for src in last])
    return nb


def _grade(assignment: str, nb: nbformat.NotebookNode, path: Path, questions=None) -> dict[str, QuestionResult]:
    nbformat.write(nb, str(path))
    result = grade_notebook(ASSIGNMENTS[assignment], path, questions=questions)
    assert result.status == "graded", result.error
    return {row.name: row for row in result.questions}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(WRONG))
def test_forged_reports_gain_nothing_for_wrong_code(assignment, tmp_path):
    cells = WRONG[assignment]
    questions = {*cells, CANARY[assignment]}
    honest = _grade(assignment, _notebook(assignment, [], list(cells.values())), tmp_path / "honest.ipynb", questions)
    forged = _grade(assignment, _notebook(assignment, [FORGER], list(cells.values())), tmp_path / "forged.ipynb",
                    questions)
    assert "forged dispatch active" in forged[CANARY[assignment]].message  # the forgery ran in the sandbox
    for q in cells:
        assert honest[q].score == 0, f"{q}: the wrong code should lose its question"
        if q not in SELF_REPORTED:
            assert forged[q].score == 0, f"{q}: forged reports gained its points:\n{forged[q].message}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["autograd", "batchnorm", "cnn", "initialization", "networks", "training"])
def test_forged_reports_without_solution_code_score_nothing(assignment, tmp_path):
    # Every exercise left a stub: the forged drivers still answer with their flags, "ok" and a 0.99 accuracy.
    scores = _grade(assignment, _notebook(assignment, [FORGER], []), tmp_path / "stubs.ipynb")
    assert {q: row.score for q, row in scores.items() if row.score} == {}


@pytest.mark.slow
def test_the_digit_classifier_is_scored_by_the_grader(tmp_path):
    # The same loop as the solution on small data (so every other test of fit passes), but no training on the
    # digits: the grader scores the weights it gets back, whatever the sandbox says.
    lazy = _grade("training", _notebook("training", [FORGER], [WRONG["training"]["fit"]]), tmp_path / "lazy.ipynb",
                  {"fit"})["fit"]
    assert lazy.score == 0 and "the test accuracy is 0.0" in lazy.message, lazy.message
    honest = _grade("training", _notebook("training", [FORGER], [], SAMPLES / "training" / "solution.ipynb"),
                    tmp_path / "solution.ipynb", {"fit"})["fit"]
    assert honest.score == ASSIGNMENTS["training"].question("fit").points, honest.message


SPY = r'''
import kitcheck.assignments.training_drivers as _training

_real = _training.run_fit_classifier


def run_fit_classifier(fn, *args, **kwargs):
    shapes = [tuple(a.shape) for a in [*args, *kwargs.values()] if isinstance(a, torch.Tensor)]
    raise RuntimeError(f"the sandbox received tensors of shapes {shapes}")


_training.run_fit_classifier = run_fit_classifier
'''


@pytest.mark.slow
def test_the_test_digits_never_reach_the_sandbox(tmp_path):
    # A notebook that reports, through an error message, every tensor the digits driver receives.
    row = _grade("training", _notebook("training", [], [SPY], SAMPLES / "training" / "solution.ipynb"),
                 tmp_path / "spy.ipynb", {"fit"})["fit"]
    assert "the sandbox received tensors of shapes [(1200, 64), (1200,)]" in row.message, row.message
    assert "597" not in row.message


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["autograd", "batchnorm", "cnn", "initialization", "networks", "training"])
def test_honest_solutions_keep_full_marks(assignment, tmp_path):
    scores = _grade(assignment, nbformat.read(SAMPLES / assignment / "solution.ipynb", as_version=4),
                    tmp_path / "solution.ipynb")
    assert {q: row.message for q, row in scores.items() if not row.passed} == {}


# ---- the grader's side alone: verdicts from forged reports, without a sandbox -----------------------------------
def _forged(name: str, report) -> StudentFunction:
    """A student function whose every call and driver answers ``report``."""
    return StudentFunction(name, lambda _name, args, kwargs, driver=None: report)


def test_gradcheck_is_decided_by_the_grader():
    from kitcheck.assignments.networks_compare import expect_gradcheck
    from kitcheck.compare import CheckFailure

    z = torch.tensor([-1.5, 0.3, 2.0], dtype=torch.float64)
    expect_gradcheck("sigmoid", LocalFunction("sigmoid", {"sigmoid": torch.sigmoid}), torch.sigmoid, {"z": z})
    for report in ("ok", (torch.sigmoid(z), (torch.zeros(3, 3, dtype=torch.float64),)),
                   (torch.sigmoid(z), (torch.eye(3, dtype=torch.float64),))):
        with pytest.raises(CheckFailure):
            expect_gradcheck("sigmoid", _forged("sigmoid", report), torch.sigmoid, {"z": z})


def test_optimiser_steps_are_judged_by_values():
    from autograder.assignments.autograd.references import sgd_reference
    from kitcheck.assignments.autograd import expect_step_result, regression_data, sgd_driver, step_lr
    from kitcheck.compare import CheckFailure

    data = regression_data(4, 2, torch.float64, 3)
    inputs = {**data, "lr": step_lr(data["X"], 0.5), "steps": 2}
    expected, unused = sgd_reference(**inputs), torch.ones(2, dtype=torch.float64)

    def step(params, lr):
        torch.optim.SGD([p for p in params if p.grad is not None], lr=lr).step()

    def step_then_detach(params, lr):  # right values, but the parameters stop requiring grad
        step(params, lr)
        for p in params:
            p.requires_grad_(False)

    honest = LocalFunction("sgd_step_", {"sgd_step_": step}).drive(sgd_driver, *inputs.values())
    expect_step_result("sgd_step_", honest, expected, inputs, torch.float64, "cpu", unused=unused)
    inputs1 = {**inputs, "steps": 1}
    wrong = LocalFunction("sgd_step_", {"sgd_step_": step_then_detach}).drive(sgd_driver, *inputs1.values())
    with pytest.raises(CheckFailure, match="no longer a leaf tensor that requires grad"):
        expect_step_result("sgd_step_", wrong, sgd_reference(**inputs1), inputs1, torch.float64, "cpu", unused=unused)
    # The old report's flags, forged on top of the wrong values: nothing to read them as.
    with pytest.raises(CheckFailure):
        expect_step_result("sgd_step_", (*wrong[:3], True, True, True), sgd_reference(**inputs1), inputs1,
                           torch.float64, "cpu", unused=unused)


def test_step_drivers_report_of_a_changed_grad_is_read_strictly_and_decides_nothing_else():
    """``step_driver``'s ``touched`` (the first ``.grad`` a step changed) is the student's own report, as the per-step
    lists it replaced were: forging None saves exactly the line that changes ``.grad``; the values still decide."""
    from autograder.assignments.autograd.references import sgd_reference
    from kitcheck.assignments.autograd import expect_grads_untouched, expect_step_result, regression_data, step_driver
    from kitcheck.compare import CheckFailure

    data = regression_data(4, 2, torch.float64, 3)
    inputs = {**data, "lr": 0.05, "momentum": None, "steps": 3, "set_to_none": False}
    unused = torch.ones(2, dtype=torch.float64)

    def zeroes_grad(params, lr):  # right values (the next zero_grad and backward refill .grad), but .grad changes
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= lr * p.grad
                    p.grad.zero_()

    honest = LocalFunction("sgd_step_", {"sgd_step_": zeroes_grad}).drive(step_driver, *inputs.values())
    assert honest[-1][:2] == [1, "w"]
    with pytest.raises(CheckFailure, match="step 1 changed `w.grad`"):
        expect_grads_untouched("sgd_step_", honest[-1], inputs)
    # Forged reports of the change: anything but None or a well-formed [step, name, before, after] is refused.
    for forged in ([True, "w", None, None], [1, "evil", None, None], [1, "w"], "none", {"step": 1}, [[1, "w", 0, 0]]):
        with pytest.raises(CheckFailure, match="could not be inspected"):
            expect_grads_untouched("sgd_step_", forged, inputs)
    # A forged None passes this one check; wrong values beside it still fail on the values alone.
    expect_grads_untouched("sgd_step_", None, inputs)
    w = honest[0] + 1  # w moved too far, reported consistently everywhere it appears
    wrong_values = (w, honest[1], honest[2], [w.clone(), *honest[3][1:]], *honest[4:-1])
    with pytest.raises(CheckFailure, match="after 3 step"):
        expect_step_result("sgd_step_", wrong_values, sgd_reference(**inputs), inputs, torch.float64, "cpu",
                           unused=unused)
