"""Hidden tests for assignment 3, "Autograd and gradient descent".

Oracle: torch's own autograd (torch.autograd.grad), torch.optim.SGD and closed forms, in float64 from the
same inputs (``references``). The optimiser steps run inside drivers (kitcheck.assignments.autograd) on real
leaf tensors, so the tests see whether parameters stayed the same leaves and were updated in place.
"""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.assignments.autograd.references import (autograd_gradient, gradient_descent_reference,
                                                        linreg_grad_reference, sgd_reference)
from autograder.harness import DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests, question, student
from kitcheck.assignments.autograd import (ASSIGNMENT, FUNCTIONS, NUMGRAD_TOL, expect_step_result, lipschitz,
                                           momentum_driver, numerical_grad_driver, regression_data, sgd_driver,
                                           step_lr, well_conditioned_design)
from kitcheck.compare import CheckFailure, drive_with, expect_tensor, expect_tensors, tolerance
from kitcheck.strategies import make_tensor, seeds

test_public_checks = public_check_tests(ASSIGNMENT)


# ---- numerical_grad --------------------------------------------------------------------------------
@question("numerical_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(f=st.sampled_from(sorted(FUNCTIONS)), shape=st.lists(st.integers(1, 3), max_size=3),
       eps=st.sampled_from([1e-4, 1e-5, None]), seed=seeds)
def test_numerical_grad_matches_autograd(device, dtype, f, shape, eps, seed):
    # float32 inputs too: the differences must be taken in float64 (float32 would lose ~1e-3 to rounding).
    q = "numerical_grad"
    x = make_tensor(tuple(shape), dtype, seed, device)
    inputs = {"f": f, "x": x, "eps": eps}
    tol = NUMGRAD_TOL if dtype == torch.float64 else tolerance(dtype)
    expect_tensor(q, drive_with(q, student(q), numerical_grad_driver, inputs), autograd_gradient(f, x), inputs,
                  dtype=dtype, device=x.device, **tol)


@question("numerical_grad")
@given(f=st.sampled_from(sorted(FUNCTIONS)), rows=st.integers(2, 3), cols=st.integers(2, 3), seed=seeds)
def test_numerical_grad_non_contiguous_input(f, rows, cols, seed):
    # A transposed x: the gradient has x's shape, entry for entry.
    q = "numerical_grad"
    x = make_tensor((cols, rows), torch.float64, seed).T
    inputs = {"f": f, "x": x, "eps": 1e-4}
    expect_tensor(q, drive_with(q, student(q), numerical_grad_driver, inputs), autograd_gradient(f, x), inputs,
                  dtype=x.dtype, device=x.device, **NUMGRAD_TOL)


@question("numerical_grad")
def test_numerical_grad_keeps_the_device():
    fn = student("numerical_grad")
    expect_device_agnostic("numerical_grad", lambda f, x, eps: fn.drive(numerical_grad_driver, f, x, eps),
                           lambda f, x, eps: torch.empty_like(x), f="log_sum_exp", x=torch.empty(2, 3, device="meta"),
                           eps=1e-4)


# ---- linreg_grad -----------------------------------------------------------------------------------
@question("linreg_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), d=st.integers(1, 4), seed=seeds)
def test_linreg_grad_matches_autograd(device, dtype, n, d, seed):
    q = "linreg_grad"
    inputs = {"X": make_tensor((n, d), dtype, seed, device), "y": make_tensor((n,), dtype, seed + 1, device),
              "w": make_tensor((d,), dtype, seed + 2, device)}
    expect_tensor(q, call(q, student(q), **inputs), linreg_grad_reference(**inputs), inputs, dtype=dtype,
                  device=inputs["X"].device, **tolerance(dtype, reduction=True))


@question("linreg_grad")
@given(n=st.integers(2, 6), data=st.data(), seed=seeds)
def test_linreg_grad_is_zero_at_the_least_squares_solution(n, data, seed):
    # Property: the gradient vanishes at the minimiser (here from lstsq).
    q = "linreg_grad"
    d = data.draw(st.integers(1, min(n, 3)), label="d")
    X = well_conditioned_design(n, d, torch.float64, seed)
    y = make_tensor((n,), torch.float64, seed + 1)
    w = torch.linalg.lstsq(X, y.unsqueeze(-1)).solution.squeeze(-1)
    inputs = {"X": X, "y": y, "w": w}
    expect_tensor(q, call(q, student(q), **inputs), torch.zeros(d, dtype=torch.float64), inputs, dtype=X.dtype,
                  device=X.device, what="the gradient at the least-squares solution", rtol=0.0, atol=1e-9)


@question("linreg_grad")
def test_linreg_grad_keeps_the_device():
    expect_device_agnostic("linreg_grad", student("linreg_grad"), lambda X, y, w: X.T @ (X @ w - y),
                           X=torch.empty(5, 3, device="meta"), y=torch.empty(5, device="meta"),
                           w=torch.empty(3, device="meta"))


# ---- gradient_descent ------------------------------------------------------------------------------
@question("gradient_descent")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), d=st.integers(1, 3), fraction=st.sampled_from([0.1, 0.5, 1.0]), steps=st.integers(1, 15),
       seed=seeds)
def test_gradient_descent_follows_the_gradient(device, dtype, n, d, fraction, steps, seed):
    q = "gradient_descent"
    X, y = make_tensor((n, d), dtype, seed, device), make_tensor((n,), dtype, seed + 1, device)
    inputs = {"X": X, "y": y, "lr": round(fraction / lipschitz(X), 4), "steps": steps}
    path, losses = gradient_descent_reference(**inputs)
    expect_tensors(q, call(q, student(q), **inputs), {"path": path, "losses": losses}, inputs,
                   dtypes={"path": dtype, "losses": dtype}, device=X.device, **tolerance(dtype, reduction=True))


@question("gradient_descent")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@settings(max_examples=10)  # 60 autograd steps per example: fewer examples keep grading quick
@given(n=st.integers(3, 8), data=st.data(), seed=seeds)
def test_gradient_descent_reaches_the_least_squares_solution(dtype, n, data, seed):
    # Columns orthogonal with lengths in [1, 2]: with lr = 1 / L, 60 steps shrink the error by (3/4)^60 ~ 3e-8.
    q = "gradient_descent"
    d = data.draw(st.integers(1, min(n, 3)), label="d")
    X = well_conditioned_design(n, d, dtype, seed)
    y = make_tensor((n,), dtype, seed + 1)
    inputs = {"X": X, "y": y, "lr": 1 / lipschitz(X), "steps": 60}
    got = call(q, student(q), **inputs)
    if type(got) not in (tuple, list) or len(got) != 2 or type(got[0]) is not torch.Tensor or got[0].ndim != 2:
        raise CheckFailure(q, "should return a tuple (path, losses) with path of shape (steps + 1, d)", inputs)
    solution = torch.linalg.lstsq(X.double(), y.double().unsqueeze(-1)).solution.squeeze(-1)
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float64 else tolerance(dtype, reduction=True)
    expect_tensor(q, got[0][-1], solution, inputs, dtype=dtype, device=X.device,
                  what="the last point of the path (it should be the least-squares solution)", **tol)


@question("gradient_descent")
@settings(max_examples=15)
@given(n=st.integers(1, 6), d=st.integers(1, 3), fraction=st.floats(0.05, 1.0), steps=st.integers(2, 20), seed=seeds)
def test_gradient_descent_loss_never_increases_for_small_steps(n, d, fraction, steps, seed):
    # Property: with lr <= 1 / L (L = 2 * largest eigenvalue of X^T X / n) every step lowers the loss.
    q = "gradient_descent"
    X, y = make_tensor((n, d), torch.float64, seed), make_tensor((n,), torch.float64, seed + 1)
    inputs = {"X": X, "y": y, "lr": round(fraction / lipschitz(X), 6), "steps": steps}
    got = call(q, student(q), **inputs)
    path, losses = gradient_descent_reference(**inputs)
    expect_tensors(q, got, {"path": path, "losses": losses}, inputs, device=X.device)
    rises = (got[1][1:] - got[1][:-1]) > 1e-12 * (1 + got[1][:-1].abs())
    if bool(rises.any()):
        t = int(rises.nonzero()[0])
        raise CheckFailure(q, f"the loss rose from step {t} to step {t + 1}, with a learning rate below 1 / L", inputs)


@question("gradient_descent")
def test_gradient_descent_keeps_the_device():
    expect_device_agnostic("gradient_descent", student("gradient_descent"),
                           lambda X, y, lr, steps: (torch.empty(steps + 1, X.shape[1], device=X.device),
                                                    torch.empty(steps, device=X.device)),
                           X=torch.empty(5, 3, device="meta"), y=torch.empty(5, device="meta"), lr=0.01, steps=3)


# ---- sgd_step_ -------------------------------------------------------------------------------------
@question("sgd_step_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), d=st.integers(1, 3), fraction=st.sampled_from([0.1, 0.5, 1.0]), steps=st.integers(1, 6),
       seed=seeds)
def test_sgd_step_matches_torch_optim_sgd(device, dtype, n, d, fraction, steps, seed):
    q = "sgd_step_"
    data = regression_data(n, d, dtype, seed, device)
    inputs = {**data, "lr": step_lr(data["X"], fraction), "steps": steps}
    got = drive_with(q, student(q), sgd_driver, inputs)
    expect_step_result(q, got, sgd_reference(**inputs), inputs, dtype, data["X"].device,
                       unused=torch.ones(2, dtype=torch.float64))


# ---- momentum_step_ --------------------------------------------------------------------------------
@question("momentum_step_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), d=st.integers(1, 3), momentum=st.sampled_from([0.0, 0.5, 0.9]), steps=st.integers(1, 6),
       fraction=st.sampled_from([0.1, 0.3]), seed=seeds)
def test_momentum_step_matches_torch_optim_sgd(device, dtype, n, d, momentum, steps, fraction, seed):
    q = "momentum_step_"
    data = regression_data(n, d, dtype, seed, device)
    inputs = {**data, "lr": step_lr(data["X"], fraction), "momentum": momentum, "steps": steps}
    got = drive_with(q, student(q), momentum_driver, inputs)
    expect_step_result(q, got, sgd_reference(**inputs), inputs, dtype, data["X"].device)


@question("momentum_step_")
@settings(max_examples=10)
@given(n=st.integers(3, 6), momentum=st.sampled_from([0.5, 0.9]), seed=seeds)
def test_momentum_step_many_steps_converge_like_torch(n, momentum, seed):
    # 30 steps: a velocity that is kept but decays the wrong way drifts far from torch's path.
    q = "momentum_step_"
    data = regression_data(n, 1, torch.float64, seed)
    inputs = {**data, "lr": step_lr(data["X"], 0.1), "momentum": momentum, "steps": 30}
    got = drive_with(q, student(q), momentum_driver, inputs)
    expect_step_result(q, got, sgd_reference(**inputs), inputs, torch.float64, "cpu")
