"""Hidden tests for assignment 3, "Autograd and gradient descent".

Oracle: torch's own autograd (torch.autograd.grad), torch.optim.SGD and closed forms, in float64 from the
same inputs (``references``). The optimiser steps run inside drivers (kitcheck.assignments.autograd) on real
leaf tensors, so the tests see whether parameters stayed the same leaves and were updated in place.
"""
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import adversarial
from autograder.assignments.autograd.references import (autograd_gradient, gradient_descent_reference,
                                                        linreg_grad_reference, sgd_reference)
from autograder.harness import DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests, question, student
from kitcheck.assignments.autograd import (ASSIGNMENT, FUNCTIONS, NUMGRAD_TOL, expect_gradient_descent_device,
                                           expect_grads_untouched, expect_step_result, gradient_descent_graph_driver,
                                           lipschitz, numerical_grad_driver, numerical_grad_input_driver,
                                           regression_data, step_driver, step_lr, well_conditioned_design)
from kitcheck.compare import CheckFailure, drive_with, expect_tensor, expect_tensors, tolerance
from kitcheck.i18n import tr
from kitcheck.strategies import make_tensor, seeds

test_public_checks = public_check_tests(ASSIGNMENT)

# adversarial.describe_layout's words in Chinese: the English stays as it is (other tests match it)
_LAYOUT_ZH = {"contiguous": "连续张量", "an expanded (stride-0, broadcast) view": "扩展（步长为 0，广播）得到的视图",
              "a transposed, non-contiguous view": "转置得到的非连续视图",
              "a sliced, non-contiguous view": "切片得到的非连续视图"}


def _layout(x: torch.Tensor) -> str:
    """How ``x`` is laid out in memory, in the feedback's language(s)."""
    en = adversarial.describe_layout(x)
    return tr(en, _LAYOUT_ZH.get(en, en))


# ---- numerical_grad --------------------------------------------------------------------------------
@question("numerical_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(f=st.sampled_from(sorted(FUNCTIONS)), shape=st.lists(st.integers(1, 3), max_size=3),
       eps=st.sampled_from([1e-4, 1e-5, None]), seed=seeds)
def test_numerical_grad_matches_autograd(q, fn, device, dtype, f, shape, eps, seed):
    # float32 inputs too: the differences must be taken in float64 (float32 would lose ~1e-3 to rounding).
    x = make_tensor(tuple(shape), dtype, seed, device)
    inputs = {"f": f, "x": x, "eps": eps}
    tol = NUMGRAD_TOL if dtype == torch.float64 else tolerance(dtype)
    expect_tensor(q, drive_with(q, fn, numerical_grad_driver, inputs), autograd_gradient(f, x), inputs,
                  dtype=dtype, device=x.device, **tol)


@question("numerical_grad")
@given(f=st.sampled_from(sorted(FUNCTIONS)), rows=st.integers(2, 3), cols=st.integers(2, 3), seed=seeds)
def test_numerical_grad_non_contiguous_input(q, fn, f, rows, cols, seed):
    # A transposed x: the gradient has x's shape, entry for entry.
    x = make_tensor((cols, rows), torch.float64, seed).T
    inputs = {"f": f, "x": x, "eps": 1e-4}
    expect_tensor(q, drive_with(q, fn, numerical_grad_driver, inputs), autograd_gradient(f, x), inputs,
                  dtype=x.dtype, device=x.device, **NUMGRAD_TOL)


@question("numerical_grad")
@pytest.mark.parametrize("how, dtype", [(how, torch.float64) for how in adversarial.LAYOUTS]
                         + [("expanded", torch.float32)])
@settings(max_examples=2)
@given(f=st.sampled_from(sorted(FUNCTIONS)), seed=seeds)
def test_numerical_grad_leaves_the_callers_x_unchanged_in_every_layout(q, fn, how, dtype, f, seed):
    # x belongs to the caller: for a float64 x, x.double() is x itself, so moving its entries in place (even
    # "undone" by subtracting eps again, which rounds) changes the caller's tensor; in an expanded x, rows share
    # memory, so moving one entry in place moves its copies too. Every layout, both dtypes.
    if how == "expanded":
        x = make_tensor((1, 3), dtype, seed).expand(2, 3)
    else:
        x = adversarial.layout(make_tensor((2, 3), dtype, seed), how)
    inputs = {"f": f, "x": x, "eps": 1e-4}
    got = drive_with(q, fn, numerical_grad_input_driver, inputs)
    if type(got) is not tuple or len(got) != 2:
        raise CheckFailure(q, tr("the result could not be inspected", "无法检查结果"), inputs, None, got)
    tol = NUMGRAD_TOL if dtype == torch.float64 else tolerance(dtype)
    expect_tensor(q, got[0], autograd_gradient(f, x.contiguous()), inputs, dtype=dtype, device=x.device,
                  what=tr("the gradient for x as {layout}", "x 为{layout}时，梯度", layout=_layout(x)), **tol)
    expect_tensor(q, got[1], x, inputs, dtype=dtype, device=x.device, rtol=0.0, atol=0.0,
                  what=tr("the caller's x after your function returned (it must be left exactly as it was: "
                          "perturb a copy, e.g. x.detach().double().clone())",
                          "你的函数返回后，调用者的 x（它必须保持原样：请在副本上做扰动，"
                          "例如 x.detach().double().clone()）"))


@question("numerical_grad")
@settings(max_examples=3)
@given(f=st.sampled_from(sorted(FUNCTIONS)), shape=st.sampled_from([(6,), (2, 3), (4, 2)]), seed=seeds)
def test_numerical_grad_keeps_float64_precision(q, fn, f, shape, seed):
    # With eps = 1e-5 the central difference of a float64 x is good to ~1e-9 (truncation: eps^2 / 6 times the
    # third derivative; rounding: 1e-16 |f| / eps); a gradient stored in a float32 buffer on the way loses it
    # (2^-24 ~ 6e-8 relative).
    x = make_tensor(shape, torch.float64, seed)
    inputs = {"f": f, "x": x, "eps": 1e-5}
    expect_tensor(q, drive_with(q, fn, numerical_grad_driver, inputs), autograd_gradient(f, x), inputs,
                  dtype=x.dtype, device=x.device, rtol=1e-8, atol=1e-8,
                  what=tr("the gradient (float64 all the way: within 1e-8)",
                          "梯度（全程使用 float64：误差在 1e-8 以内）"))


@question("numerical_grad")
def test_numerical_grad_keeps_float64_precision_on_large_gradients(q, fn):
    # Gradients from 3 to 50 (3 x^2): a float32 buffer rounds each by up to ~2e-6, far outside 1e-8 relative
    # (small random gradients can hide it).
    x = torch.tensor([1.1, -2.3, 3.7, 4.1], dtype=torch.float64)
    inputs = {"f": "cube_sum", "x": x, "eps": 1e-5}
    expect_tensor(q, drive_with(q, fn, numerical_grad_driver, inputs), autograd_gradient("cube_sum", x), inputs,
                  dtype=x.dtype, device=x.device, rtol=1e-8, atol=1e-8,
                  what=tr("the gradient (float64 all the way: within 1e-8)",
                          "梯度（全程使用 float64：误差在 1e-8 以内）"))


@question("numerical_grad")
def test_numerical_grad_keeps_the_device(q, fn):
    expect_device_agnostic(q, lambda f, x, eps: fn.drive(numerical_grad_driver, f, x, eps),
                           lambda f, x, eps: torch.empty_like(x), f="log_sum_exp", x=torch.empty(2, 3, device="meta"),
                           eps=1e-4)


# ---- linreg_grad -----------------------------------------------------------------------------------
@question("linreg_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), d=st.integers(1, 4), seed=seeds)
def test_linreg_grad_matches_autograd(q, fn, device, dtype, n, d, seed):
    inputs = {"X": make_tensor((n, d), dtype, seed, device), "y": make_tensor((n,), dtype, seed + 1, device),
              "w": make_tensor((d,), dtype, seed + 2, device)}
    expect_tensor(q, call(q, fn, **inputs), linreg_grad_reference(**inputs), inputs, dtype=dtype,
                  device=inputs["X"].device, **tolerance(dtype, reduction=True))


@question("linreg_grad")
@given(n=st.integers(2, 6), data=st.data(), seed=seeds)
def test_linreg_grad_is_zero_at_the_least_squares_solution(q, fn, n, data, seed):
    # Property: the gradient vanishes at the minimiser (here from lstsq).
    d = data.draw(st.integers(1, min(n, 3)), label="d")
    X = well_conditioned_design(n, d, torch.float64, seed)
    y = make_tensor((n,), torch.float64, seed + 1)
    w = torch.linalg.lstsq(X, y.unsqueeze(-1)).solution.squeeze(-1)
    inputs = {"X": X, "y": y, "w": w}
    expect_tensor(q, call(q, fn, **inputs), torch.zeros(d, dtype=torch.float64), inputs, dtype=X.dtype,
                  device=X.device, what=tr("the gradient at the least-squares solution", "最小二乘解处的梯度"),
                  rtol=0.0, atol=1e-9)


@question("linreg_grad")
@pytest.mark.parametrize("how", [how for how in adversarial.LAYOUTS if how != "contiguous"])
@settings(max_examples=2)
@given(dtype=st.sampled_from(FLOAT_DTYPES), n=st.integers(2, 5), d=st.integers(1, 3), seed=seeds)
def test_linreg_grad_any_layout(q, fn, how, dtype, n, d, seed):
    # X, y and w as views (transposed, every other element, X with broadcast rows): .view() or strides assumed
    # contiguous give wrong answers or errors.
    X = (make_tensor((1, d), dtype, seed).expand(n, d) if how == "expanded"
         else adversarial.layout(make_tensor((n, d), dtype, seed), how))
    y = adversarial.layout(make_tensor((n,), dtype, seed + 1), "sliced")
    w = adversarial.layout(make_tensor((d,), dtype, seed + 2), "sliced")
    inputs = {"X": X, "y": y, "w": w}
    expect_tensor(q, call(q, fn, **inputs), linreg_grad_reference(**inputs), inputs, dtype=dtype,
                  device=X.device, **tolerance(dtype, reduction=True))


@question("linreg_grad")
@pytest.mark.parametrize("kind", ["offset", "mixed_scales", "ill_conditioned"])
@settings(max_examples=2)
@given(n=st.integers(3, 6), d=st.integers(1, 3), seed=seeds)
def test_linreg_grad_hard_but_ordinary_data(q, fn, kind, n, d, seed):
    # Features with a large common offset, samples of very different sizes, nearly dependent columns: the
    # gradient is still 2 X^T (X w - y) / n to float64 precision, relative to the size of its terms.
    if kind == "offset":
        X = adversarial.offset((n, d), torch.float64, seed, base=1e3)
    elif kind == "mixed_scales":
        X = adversarial.mixed_scales((n, d), torch.float64, seed)
    else:
        X = adversarial.ill_conditioned(d, torch.float64, seed, cond=1e6, m=n)
    y = X @ make_tensor((d,), torch.float64, seed + 1) + 0.1 * make_tensor((n,), torch.float64, seed + 2)
    w = make_tensor((d,), torch.float64, seed + 3)
    inputs = {"X": X, "y": y, "w": w}
    scale = float((2 * X.abs().T @ (X.abs() @ w.abs() + y.abs()) / n).max())  # the size of the terms summed
    expect_tensor(q, call(q, fn, **inputs), linreg_grad_reference(**inputs), inputs, dtype=torch.float64,
                  device=X.device, rtol=1e-9, atol=1e-12 * scale)


@question("linreg_grad")
def test_linreg_grad_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, lambda X, y, w: X.T @ (X @ w - y),
                           X=torch.empty(5, 3, device="meta"), y=torch.empty(5, device="meta"),
                           w=torch.empty(3, device="meta"))


# ---- gradient_descent ------------------------------------------------------------------------------
@question("gradient_descent")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), d=st.integers(1, 3), fraction=st.sampled_from([0.1, 0.5, 1.0]), steps=st.integers(1, 15),
       seed=seeds)
def test_gradient_descent_follows_the_gradient(q, fn, device, dtype, n, d, fraction, steps, seed):
    X, y = make_tensor((n, d), dtype, seed, device), make_tensor((n,), dtype, seed + 1, device)
    inputs = {"X": X, "y": y, "lr": round(fraction / lipschitz(X), 4), "steps": steps}
    path, losses = gradient_descent_reference(**inputs)
    expect_tensors(q, call(q, fn, **inputs), {"path": path, "losses": losses}, inputs,
                   dtypes={"path": dtype, "losses": dtype}, device=X.device, **tolerance(dtype, reduction=True))


@question("gradient_descent")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@settings(max_examples=10)  # 60 autograd steps per example: fewer examples keep grading quick
@given(n=st.integers(3, 8), data=st.data(), seed=seeds)
def test_gradient_descent_reaches_the_least_squares_solution(q, fn, dtype, n, data, seed):
    # Columns orthogonal with lengths in [1, 2]: with lr = 1 / L, 60 steps shrink the error by (3/4)^60 ~ 3e-8.
    d = data.draw(st.integers(1, min(n, 3)), label="d")
    X = well_conditioned_design(n, d, dtype, seed)
    y = make_tensor((n,), dtype, seed + 1)
    inputs = {"X": X, "y": y, "lr": 1 / lipschitz(X), "steps": 60}
    got = call(q, fn, **inputs)
    if type(got) not in (tuple, list) or len(got) != 2 or type(got[0]) is not torch.Tensor or got[0].ndim != 2:
        raise CheckFailure(q, tr("should return a tuple (path, losses) with path of shape (steps + 1, d)",
                                 "应当返回元组 (path, losses)，其中 path 的形状为 (steps + 1, d)"), inputs)
    solution = torch.linalg.lstsq(X.double(), y.double().unsqueeze(-1)).solution.squeeze(-1)
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float64 else tolerance(dtype, reduction=True)
    expect_tensor(q, got[0][-1], solution, inputs, dtype=dtype, device=X.device,
                  what=tr("the last point of the path (it should be the least-squares solution)",
                          "路径的最后一个点（它应当是最小二乘解）"), **tol)


@question("gradient_descent")
@settings(max_examples=15)
@given(n=st.integers(1, 6), d=st.integers(1, 3), fraction=st.floats(0.05, 1.0), steps=st.integers(2, 20), seed=seeds)
def test_gradient_descent_loss_never_increases_for_small_steps(q, fn, n, d, fraction, steps, seed):
    # Property: with lr <= 1 / L (L = 2 * largest eigenvalue of X^T X / n) every step lowers the loss.
    X, y = make_tensor((n, d), torch.float64, seed), make_tensor((n,), torch.float64, seed + 1)
    inputs = {"X": X, "y": y, "lr": round(fraction / lipschitz(X), 6), "steps": steps}
    got = call(q, fn, **inputs)
    path, losses = gradient_descent_reference(**inputs)
    expect_tensors(q, got, {"path": path, "losses": losses}, inputs, device=X.device)
    rises = (got[1][1:] - got[1][:-1]) > 1e-12 * (1 + got[1][:-1].abs())
    if bool(rises.any()):
        t = int(rises.nonzero()[0])
        raise CheckFailure(q, tr("the loss rose from step {t} to step {u}, with a learning rate below 1 / L",
                                 "学习率低于 1 / L，损失却从第 {t} 步到第 {u} 步上升了", t=t, u=t + 1), inputs)


@question("gradient_descent")
def test_gradient_descent_keeps_the_device(q, fn):
    # meta tensors; code that uses .item() (allowed) runs on the CPU with the default device moved instead.
    # float64, so that a tensor made with the default dtype shows too (the public check runs float32).
    expect_gradient_descent_device(q, fn,
                                   make_tensor((5, 3), torch.float64, 7), make_tensor((5,), torch.float64, 8), 0.01, 3)


@question("gradient_descent")
def test_gradient_descent_returns_values_without_a_graph(q, fn):
    # A path or losses that still require grad keep every step's graph alive, and matplotlib cannot plot them.
    dtype = torch.float32
    X, y = make_tensor((4, 2), dtype, 31), make_tensor((4,), dtype, 32)
    inputs = {"X": X, "y": y, "lr": round(0.5 / lipschitz(X), 4), "steps": 3}
    got = drive_with(q, fn, gradient_descent_graph_driver, inputs)
    if type(got) is not tuple or len(got) != 2:
        raise CheckFailure(q, tr("the result could not be inspected", "无法检查结果"), inputs, None, got)
    result, requires_grad = got
    path, losses = gradient_descent_reference(**inputs)
    expect_tensors(q, result, {"path": path, "losses": losses}, inputs, dtypes={"path": dtype, "losses": dtype},
                   device=X.device, **tolerance(dtype, reduction=True))
    for name, flag in zip(("path", "losses"), requires_grad):
        if flag is not False:
            raise CheckFailure(q, tr("`{name}` still requires grad (it holds the graph of every step): store "
                                     "detached values, e.g. w.detach().clone() and loss.detach()",
                                     "`{name}` 仍然需要梯度（requires_grad 为 True，它保存着每一步的计算图）：请保存"
                                     "分离后的值，例如 w.detach().clone() 和 loss.detach()", name=name), inputs)


@question("gradient_descent")
@pytest.mark.parametrize("kind", ["offset", "ill_conditioned"])
@settings(max_examples=2)
@given(dtype=st.sampled_from(FLOAT_DTYPES), n=st.integers(3, 6), seed=seeds)
def test_gradient_descent_hard_but_ordinary_data(q, fn, kind, dtype, n, seed):
    # An intercept column beside a feature with a large offset (cond(X^T X) ~ 1e4), or nearly dependent
    # columns: slow, but with lr = 1 / L every step still lowers the loss, and the path is the reference's.
    if kind == "offset":
        X = torch.stack([adversarial.offset((n,), torch.float64, seed, base=50.0),
                         torch.ones(n, dtype=torch.float64)], dim=1)
    else:
        X = adversarial.ill_conditioned(2, torch.float64, seed, cond=100.0, m=n)
    y = X @ make_tensor((2,), torch.float64, seed + 1) + 0.1 * make_tensor((n,), torch.float64, seed + 2)
    X, y = X.to(dtype), y.to(dtype)
    inputs = {"X": X, "y": y, "lr": 1 / lipschitz(X), "steps": 20}
    path, losses = gradient_descent_reference(**inputs)
    got = call(q, fn, **inputs)
    expect_tensors(q, got, {"path": path, "losses": losses}, inputs, dtypes={"path": dtype, "losses": dtype},
                   device=X.device, **tolerance(dtype, reduction=True))


# ---- sgd_step_ -------------------------------------------------------------------------------------
# The training loop of torch.optim.SGD's users: zero the gradients (to None, or zeroed in place as
# zero_grad(set_to_none=False) does), backward(), step. The step must leave every .grad as it found it, keep
# the parameters the same leaves, skip the one whose .grad is None, and follow torch's path.
def _expect_fit(q, got, inputs, dtype, device):
    if type(got) is not tuple or len(got) != 8:
        raise CheckFailure(q, tr("the update could not be inspected", "无法检查这次更新"), inputs, None, got)
    expect_grads_untouched(q, got[-1], inputs)
    expect_step_result(q, got[:-1], sgd_reference(**inputs), inputs, dtype, device,
                       unused=torch.ones(2, dtype=torch.float64))


def _expect_stays_on_meta(q, inputs):
    got = drive_with(q, student(q), step_driver, inputs)
    if type(got) is not tuple or len(got) != 8 or not all(
            type(t) is torch.Tensor and t.device.type == "meta" for t in (*got[:3], *got[3])):
        raise CheckFailure(q, tr("with the parameters on another device, they did not stay there",
                                 "参数在其他设备上时，它们没有留在那个设备上"), inputs)


@question("sgd_step_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@example(n=3, d=2, fraction=0.5, steps=3, set_to_none=False, seed=5)
@given(n=st.integers(1, 6), d=st.integers(1, 3), fraction=st.sampled_from([0.1, 0.5, 1.0]), steps=st.integers(1, 6),
       set_to_none=st.booleans(), seed=seeds)
def test_sgd_step_matches_torch_optim_sgd(q, fn, device, dtype, n, d, fraction, steps, set_to_none, seed):
    data = regression_data(n, d, dtype, seed, device)
    inputs = {**data, "lr": step_lr(data["X"], fraction), "momentum": None, "steps": steps,
              "set_to_none": set_to_none}
    _expect_fit(q, drive_with(q, fn, step_driver, inputs), inputs, dtype, data["X"].device)


@question("sgd_step_")
def test_sgd_step_keeps_the_device(q):
    data = {k: v.to("meta") for k, v in regression_data(4, 2, torch.float32, 3).items()}
    _expect_stays_on_meta(q, {**data, "lr": 0.1, "momentum": None, "steps": 2, "set_to_none": False})


# ---- momentum_step_ --------------------------------------------------------------------------------
@question("momentum_step_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@example(n=3, d=2, momentum=0.9, steps=3, fraction=0.3, set_to_none=False, seed=5)
@given(n=st.integers(1, 6), d=st.integers(1, 3), momentum=st.sampled_from([0.0, 0.5, 0.9]), steps=st.integers(1, 6),
       fraction=st.sampled_from([0.1, 0.3]), set_to_none=st.booleans(), seed=seeds)
def test_momentum_step_matches_torch_optim_sgd(q, fn, device, dtype, n, d, momentum, steps, fraction, set_to_none, seed):
    # With zero_grad(set_to_none=False) the same .grad tensors are zeroed in place before every backward(): a
    # velocity that is .grad itself (not its own tensor) is wiped and refilled with the new gradient.
    data = regression_data(n, d, dtype, seed, device)
    inputs = {**data, "lr": step_lr(data["X"], fraction), "momentum": momentum, "steps": steps,
              "set_to_none": set_to_none}
    _expect_fit(q, drive_with(q, fn, step_driver, inputs), inputs, dtype, data["X"].device)


@question("momentum_step_")
@settings(max_examples=10)
@given(n=st.integers(3, 6), momentum=st.sampled_from([0.5, 0.9]), seed=seeds)
def test_momentum_step_many_steps_converge_like_torch(q, fn, n, momentum, seed):
    # 30 steps: a velocity that is kept but decays the wrong way drifts far from torch's path.
    data = regression_data(n, 1, torch.float64, seed)
    inputs = {**data, "lr": step_lr(data["X"], 0.1), "momentum": momentum, "steps": 30, "set_to_none": False}
    _expect_fit(q, drive_with(q, fn, step_driver, inputs), inputs, torch.float64, "cpu")


@question("momentum_step_")
def test_momentum_step_keeps_the_device(q):
    data = {k: v.to("meta") for k, v in regression_data(4, 2, torch.float32, 3).items()}
    _expect_stays_on_meta(q, {**data, "lr": 0.1, "momentum": 0.9, "steps": 2, "set_to_none": False})
