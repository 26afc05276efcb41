"""Assignment 3, "Autograd and gradient descent": questions, points and public checks (students see this
file), plus the drivers that run the student's optimiser steps on real leaf tensors, and the input
generators and comparisons the checks and hidden tests share. The answers live on the grader's side."""
from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from ..compare import (CheckFailure, call, drive_with, expect_tensor, expect_tensors, raised, show, timed_out,
                       tolerance)
from ..i18n import say, tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds
from ..timelimit import CallTimedOut
from ..transport import StudentError

# The public checks, without hypothesis's "explain" phase: its notes never reach the feedback (that is the
# CheckFailure's text), and after a failure it calls the student's function about 200 more times.


# ------------------------------------------------------------------ scalar functions for numerical_grad
def cube_sum(x):
    return (x ** 3).sum()


def sin_times_square(x):
    return (torch.sin(x) * x ** 2).sum()


def log_sum_exp(x):
    return torch.logsumexp(x.reshape(-1), dim=0)


def cos_product(x):
    return torch.cos(x / 2).prod()


def log_square_of_sum(x):
    return torch.log1p(x.sum() ** 2)


# Smooth functions of every shape; the last three mix the coordinates (their Hessians are not diagonal).
FUNCTIONS = {f.__name__: f for f in (cube_sum, sin_times_square, log_sum_exp, cos_product, log_square_of_sum)}


def numerical_grad_driver(numerical_grad, f, x, eps):
    """Calls ``numerical_grad(FUNCTIONS[f], x, eps)`` (or without eps when it is None, to use the default)."""
    function = FUNCTIONS[f]
    return numerical_grad(function, x) if eps is None else numerical_grad(function, x, eps)


def numerical_grad_input_driver(numerical_grad, f, x, eps):
    """``numerical_grad_driver``, then ``x`` as found after the call: ``(the result, x's values afterwards)``.
    The grader compares x with what it sent (a driver's arguments are not checked for it by the transport)."""
    return numerical_grad_driver(numerical_grad, f, x, eps), x.detach().clone()


# ------------------------------------------------------------------ linear regression inputs
def lipschitz(X) -> float:
    """L = 2 * largest eigenvalue of X^T X / n: any lr <= 1 / L makes gradient descent on the MSE descend."""
    X = X.cpu().double()
    return max(2 * float(torch.linalg.matrix_norm(X, 2)) ** 2 / X.shape[0], 1e-12)


def well_conditioned_design(n: int, d: int, dtype, seed: int, device: str = "cpu"):
    """An (n, d) matrix with orthogonal columns of lengths in [1, 2]: cond(X^T X) <= 4, so gradient descent
    with lr = 1 / L converges to the least-squares solution in a few dozen steps."""
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, d, generator=g, dtype=torch.float64))
    lengths = 1 + torch.rand(d, generator=g, dtype=torch.float64)
    return (q * lengths).to(dtype).to(device)


# ------------------------------------------------------------------ drivers for gradient descent
def gradient_descent_graph_driver(gradient_descent, X, y, lr, steps):
    """``(what gradient_descent returned, [requires_grad of each returned tensor])``: a path or losses that
    still hold the graph keep every step's graph alive, and matplotlib cannot plot them."""
    result = gradient_descent(X, y, lr, steps)
    parts = result if isinstance(result, (tuple, list)) else (result,)
    return result, [bool(t.requires_grad) if isinstance(t, torch.Tensor) else None for t in parts]


def gradient_descent_default_device_driver(gradient_descent, X, y, lr, steps):
    """Calls ``gradient_descent`` on CPU tensors with the *default* device set to ``meta``: a tensor made
    without ``device=X.device`` lands on ``meta`` and shows (an error, or a result off the CPU), while values
    read into Python (``.item()``) still work. The device test for code the meta device cannot run."""
    with torch.device("meta"):
        return gradient_descent(X, y, lr, steps)


# What PyTorch's meta device says when code reads a value into Python (.item(), float(), an `if` on a tensor).
_READS_VALUES = ("item()", "data-dependent", "tolist", "cannot be called on meta", "numpy", "bool value")


def expect_gradient_descent_device(q: str, fn, X, y, lr, steps) -> None:
    """``(path, losses)`` follow X's device and dtype. First on ``meta`` tensors (a tensor created on a fixed
    device fails there, as on a GPU), except for code that reads values into Python (``loss.item()``, allowed
    here), which cannot run on ``meta``. Then on the CPU with the default device set to ``meta``
    (``gradient_descent_default_device_driver``), where a tensor made without ``device=X.device`` shows: the
    test that judges code using ``.item()``, and always run, so that its outcome tells mistakes apart."""
    d = X.shape[1]
    meta = {"X": X.to("meta"), "y": y.to("meta"), "lr": lr, "steps": steps}
    try:
        got = fn(*meta.values())
    except StudentError as exc:
        if not any(s in (exc.message or "").lower() for s in _READS_VALUES):
            what, hint = raised(exc, device_check=True)
            raise CheckFailure(q, say("fails_off_cpu", what=what), meta, detail=hint) from None
    except CallTimedOut as exc:
        raise timed_out(exc, meta) from None
    else:
        expected = {"path": torch.empty(steps + 1, d, dtype=X.dtype, device="meta"),
                    "losses": torch.empty(steps, dtype=X.dtype, device="meta")}
        expect_tensors(q, got, expected, meta, device="meta")
    inputs = {"X": X, "y": y, "lr": lr, "steps": steps, "default device": "meta"}
    try:
        got = fn.drive(gradient_descent_default_device_driver, X, y, lr, steps)
    except StudentError as exc:
        raise CheckFailure(q, tr("your function makes a tensor on the default device instead of X's device: with "
                                 "the default device changed, it raised {error}",
                                 "你的函数把张量建在了默认设备上，而不是 X 所在的设备：改变默认设备后，它抛出了 {error}",
                                 error=exc.type_name), inputs,
                           detail=tr("Create new tensors with device=X.device (and dtype=X.dtype), or with "
                                     "torch.*_like / X.new_zeros.",
                                     "新建张量时请用 device=X.device（以及 dtype=X.dtype），或用 torch.*_like / "
                                     "X.new_zeros。")) from None
    except CallTimedOut as exc:
        raise timed_out(exc, inputs) from None
    expected = {"path": torch.empty(steps + 1, d, dtype=X.dtype), "losses": torch.empty(steps, dtype=X.dtype)}
    if type(got) not in (tuple, list) or len(got) != 2:
        raise CheckFailure(q, say("should_return_tuple", names="path, losses", got=show(got)), inputs)
    for g, (name, e) in zip(got, expected.items()):
        if type(g) is not torch.Tensor or g.device != X.device or g.dtype != X.dtype or g.shape != e.shape:
            raise CheckFailure(q, tr("`{name}` should be a tensor of shape {shape} on X's device and with X's dtype, "
                                     "but with the default device changed it is {got}",
                                     "`{name}` 应当是形状为 {shape}、与 X 在同一设备上且数据类型相同的张量，但改变默认设备后"
                                     "它是 {got}", name=name, shape=tuple(e.shape), got=show(g)), inputs,
                               detail=tr("Create new tensors with device=X.device and dtype=X.dtype (torch.tensor(...) "
                                         "of Python floats uses the default device and dtype).",
                                         "新建张量时请用 device=X.device 和 dtype=X.dtype（用 Python 浮点数调用 "
                                         "torch.tensor(...) 会使用默认的设备和数据类型）。"))


# ------------------------------------------------------------------ drivers for the optimiser steps
def sgd_driver(sgd_step_, X, y, w, b, lr, steps):
    """Fits y = X w + b: ``steps`` times backward() then ``sgd_step_(params, lr)``. ``params`` also holds a
    parameter the loss does not use (its .grad stays None). Returns what ``_report`` describes."""
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    unused = torch.ones(2, dtype=w.dtype, device=w.device, requires_grad=True)
    given_params = [w, unused, b]
    params = list(given_params)
    for _ in range(steps):
        for p in given_params:
            p.grad = None
        ((X @ w + b - y) ** 2).mean().backward()
        sgd_step_(params, lr)
    return _report(given_params, params, lambda: ((X @ w + b - y) ** 2).mean())


def momentum_driver(momentum_step_, X, y, w, b, lr, momentum, steps):
    """Fits y = X w + b: ``steps`` times backward() then ``momentum_step_(params, velocities, lr, momentum)``,
    with velocities starting at zero. Returns what ``_report`` describes."""
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    given_params = [w, b]
    params = list(given_params)
    velocities = [torch.zeros_like(w), torch.zeros_like(b)]
    for _ in range(steps):
        for p in given_params:
            p.grad = None
        ((X @ w + b - y) ** 2).mean().backward()
        momentum_step_(params, velocities, lr, momentum)
    return _report(given_params, params, lambda: ((X @ w + b - y) ** 2).mean())


def step_driver(step, X, y, w, b, lr, momentum, steps, set_to_none):
    """Fits y = X w + b with the student's ``sgd_step_`` (``momentum`` None) or ``momentum_step_``, as
    ``torch.optim.SGD`` would be used: ``steps`` times zero the gradients (``p.grad = None`` if
    ``set_to_none``, else ``p.grad.zero_()``, as ``optimizer.zero_grad(set_to_none=False)``), backward(), step.
    ``params`` also holds a parameter the loss does not use (its .grad stays None).

    Returns ``(*what _report describes, touched)``: a step must leave ``.grad`` as it found it. ``touched`` is
    None when every step did, else ``[step, name, the gradient the step was given, the gradient after it]``
    (None where there was no ``.grad``) for the first ``.grad`` a step changed: the two values the grader
    shows, rather than every step's gradients twice over the pipe."""
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    unused = torch.ones(2, dtype=w.dtype, device=w.device, requires_grad=True)
    given_params = [w, unused, b]
    params = list(given_params)
    velocities = [torch.zeros_like(p) for p in given_params]
    touched = None
    for t in range(1, steps + 1):
        for p in given_params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.detach_()  # what zero_grad(set_to_none=False) does
                p.grad.zero_()
        ((X @ w + b - y) ** 2).mean().backward()
        given = [None if p.grad is None else p.grad.detach().clone() for p in given_params]
        if momentum is None:
            step(params, lr)
        else:
            step(params, velocities, lr, momentum)
        for name, p, g in zip(STEP_PARAMS, given_params, given):
            if touched is None and _changed(g, p.grad):
                touched = [t, name, g, p.grad.detach().clone() if isinstance(p.grad, torch.Tensor) else None]
    return (*_report(given_params, params, lambda: ((X @ w + b - y) ** 2).mean()), touched)


STEP_PARAMS = ("w", "unused", "b")  # step_driver's parameters, in order


def _changed(before, now) -> bool:
    """Whether a ``.grad`` differs from its value before the step (a meta tensor has no values to differ in)."""
    if before is None or now is None:
        return (before is None) != (now is None)
    return (type(now) is not torch.Tensor or now.shape != before.shape or now.dtype != before.dtype
            or (now.device.type != "meta" and not torch.equal(now, before)))


def expect_grads_untouched(q: str, touched, inputs: dict) -> None:
    """No step changed a parameter's ``.grad`` (``step_driver``'s report: None, or the first change it saw)."""
    if touched is None:
        return
    if type(touched) is not list or len(touched) != 4 or type(touched[0]) is not int \
            or touched[1] not in STEP_PARAMS:
        raise CheckFailure(q, tr("the update could not be inspected", "无法检查这次更新"), inputs)
    t, name, g, a = touched
    raise CheckFailure(q, tr("step {t} changed `{name}.grad`; an update reads the gradient and leaves it "
                             "as it was (zeroing it is the training loop's job, and an optimiser's "
                             "buffers must be their own tensors, not .grad itself)",
                             "第 {t} 步改变了 `{name}.grad`；更新步骤只读取梯度，不改动它（清零是训练循环的事，"
                             "优化器的缓冲区也必须是它自己的张量，而不是 .grad 本身）", t=t, name=name),
                       inputs, g, a)


def _report(given_params, params, loss) -> tuple:
    """Values only, no verdicts: ``(*the given tensors' values, [the values now in params], *the gradients of
    one more backward() of the loss through the given tensors)``. A tensor still in ``params`` shows the
    given tensor's value; a tensor that stopped being a leaf that requires grad gets no gradient (None). A
    tuple, not a dict, so that feedback can compare it with what each catalogued mistake returns."""
    values = tuple(p.detach().clone() for p in given_params)
    held = [p.detach().clone() if isinstance(p, torch.Tensor) else p for p in params]
    for p in given_params:
        p.grad = None
    final = loss()
    if final.requires_grad:
        final.backward()
    return (*values, held, *(None if p.grad is None else p.grad.detach().clone() for p in given_params))


def expect_step_result(q: str, got, expected: dict, inputs: dict, dtype, device, unused=None) -> None:
    """Check what ``sgd_driver``/``momentum_driver`` report, from values alone: ``params`` still holds the
    given tensors (same values), one more backward() still reaches them (leaves that require grad, with the
    gradient of the loss at their values), and they hold the expected values."""
    names = ["w", "unused", "b"] if unused is not None else ["w", "b"]
    k = len(names)
    if type(got) is not tuple or len(got) != 2 * k + 1:
        raise CheckFailure(q, tr("the update could not be inspected (got {got})", "无法检查这次更新（得到的是 {got}）",
                                 got=show(got)), inputs)
    values, held, grads = dict(zip(names, got[:k])), got[k], dict(zip(names, got[k + 1:]))
    for name in names:
        if type(values[name]) is not torch.Tensor:
            raise CheckFailure(q, tr("the update could not be inspected (got {got})",
                                     "无法检查这次更新（得到的是 {got}）", got=show(got)), inputs)
    if type(held) is not list or len(held) != k or not all(
            type(h) is torch.Tensor and h.shape == values[n].shape and h.dtype == values[n].dtype
            and torch.equal(h, values[n]) for h, n in zip(held, names)):
        raise CheckFailure(q, tr("after the step, `params` no longer holds the tensors it was given: update each "
                                 "tensor in place (p -= ...) instead of putting new tensors in the list",
                                 "更新之后，`params` 里已不再是传入的那些张量：请原地更新每个张量（p -= ...），"
                                 "而不是把新张量放进列表"), inputs)
    if grads["w"] is None or grads["b"] is None:
        raise CheckFailure(q, tr("after the step, a parameter is no longer a leaf tensor that requires grad: "
                                 "update it in place inside `with torch.no_grad():`",
                                 "更新之后，有一个参数不再是需要梯度的叶子节点：请在 `with torch.no_grad():` 中原地更新它"),
                           inputs)
    tol = tolerance(dtype, reduction=True)
    for name, value in expected.items():
        expect_tensor(q, values[name], value, inputs, dtype=dtype, device=device,
                      what=tr("`{name}` after {steps} step(s)", "{steps} 步之后的 `{name}`", name=name,
                              steps=inputs.get("steps", 1)), **tol)
    if unused is not None:
        expect_tensor(q, values["unused"], unused, inputs, dtype=dtype, device=device,
                      what=tr("the parameter whose .grad is None (it must not change)",
                              ".grad 为 None 的参数（它不应改变）"))
    # The gradient one more backward() gives, at the parameters' own final values (float64, by autograd).
    X, y = inputs["X"].detach().cpu().double(), inputs["y"].detach().cpu().double()
    w, b = (values[n].detach().cpu().double().requires_grad_(True) for n in ("w", "b"))
    want = dict(zip(("w", "b"), torch.autograd.grad(((X @ w + b - y) ** 2).mean(), (w, b))))
    for name in ("w", "b"):
        expect_tensor(q, grads[name], want[name], inputs, dtype=dtype, device=device,
                      what=tr("the gradient reaching `{name}` in a backward() after the step(s)",
                              "更新之后再做一次 backward()，`{name}` 得到的梯度", name=name), **tol)


def regression_data(n: int, d: int, dtype, seed: int, device: str = "cpu") -> dict:
    """X (n, d), y (n,), and starting values w (d,), b (1,)."""
    return {"X": make_tensor((n, d), dtype, seed, device), "y": make_tensor((n,), dtype, seed + 1, device),
            "w": make_tensor((d,), dtype, seed + 2, device), "b": make_tensor((1,), dtype, seed + 3, device)}


def step_lr(X, fraction: float) -> float:
    """A learning rate ``fraction`` / L for the fit of y = X w + b (L with the column of ones included)."""
    ones = torch.ones(X.shape[0], 1, dtype=torch.float64)
    return round(fraction / lipschitz(torch.cat([X.cpu().double(), ones], dim=1)), 4)


def torch_sgd_fit(X, y, w, b, lr, steps, momentum=0.0) -> dict:
    """What the public checks compare with: the drivers' fit, run by torch.optim.SGD itself in float64."""
    w = w.detach().double().clone().requires_grad_(True)  # clone: the inputs must stay as they were
    b = b.detach().double().clone().requires_grad_(True)
    opt = torch.optim.SGD([w, b], lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()
        ((X.double() @ w + b - y.double()) ** 2).mean().backward()
        opt.step()
    return {"w": w.detach(), "b": b.detach()}


# ---------------------------------------------------------------------------------- public checks
NUMGRAD_TOL = {"rtol": 1e-6, "atol": 1e-6}


def numerical_grad_public(fn):
    q = "numerical_grad"
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    inputs = {"f": "cube_sum", "x": x, "eps": 1e-4}
    expect_tensor(q, drive_with(q, fn, numerical_grad_driver, inputs), torch.tensor([3.0, 12.0], dtype=torch.float64),
                  inputs, dtype=x.dtype, device=x.device,
                  what=tr("the gradient of sum(x ** 3) at [1, 2]", "sum(x ** 3) 在 [1, 2] 处的梯度"), **NUMGRAD_TOL)

    def one(f, x, what=None):
        inputs = {"f": f, "x": x, "eps": 1e-4}
        leaf = x.detach().double().requires_grad_(True)  # torch's autograd is the oracle
        (expected,) = torch.autograd.grad(FUNCTIONS[f](leaf), leaf)
        tol = NUMGRAD_TOL if x.dtype == torch.float64 else tolerance(x.dtype)
        expect_tensor(q, drive_with(q, fn, numerical_grad_driver, inputs), expected, inputs,
                      dtype=x.dtype, device=x.device, what=what or say("the_result"), **tol)

    # A transposed (non-contiguous) x: the gradient has x's shape, entry for entry. Then float32 in, float32 out.
    one("sin_times_square", make_tensor((3, 2), torch.float64, 5).T,
        tr("the gradient for a transposed x", "x 是转置得到的视图时，梯度"))
    one("cube_sum", make_tensor((2, 3), torch.float32, 6), tr("the gradient for a float32 x", "x 是 float32 时，梯度"))

    @PUBLIC_SETTINGS
    @given(f=st.sampled_from(sorted(FUNCTIONS)), shape=st.lists(st.integers(1, 3), max_size=2),
           dtype=st.sampled_from(FLOAT_DTYPES), transposed=st.booleans(), seed=seeds)
    def run(f, shape, dtype, transposed, seed):
        if transposed and len(shape) == 2:
            one(f, make_tensor(tuple(reversed(shape)), dtype, seed).T)
        else:
            one(f, make_tensor(tuple(shape), dtype, seed))

    run()


def linreg_grad_public(fn):
    q = "linreg_grad"
    X, y, w = torch.tensor([[1.0, 1.0], [2.0, 1.0]]), torch.tensor([3.0, 6.0]), torch.tensor([0.0, 0.0])
    inputs = {"X": X, "y": y, "w": w}
    expect_tensor(q, call(q, fn, **inputs), torch.tensor([-15.0, -9.0], dtype=torch.float64), inputs, dtype=X.dtype,
                  device=X.device, what=tr("the gradient at w = (0, 0) for the points (1, 3), (2, 6)",
                                           "对数据点 (1, 3)、(2, 6)，w = (0, 0) 处的梯度"))
    for dtype in (torch.float64, torch.float32):  # the same inputs in float32: the gradient keeps their dtype
        for p in probes(q):  # n in 1-4 samples, d in 1-3 features: expected from the grader's reference
            inputs = {k: v.to(dtype) for k, v in p.inputs.items()}
            expect_tensor(q, call(q, fn, **inputs), p.expected, inputs, dtype=dtype, device=inputs["X"].device,
                          **tolerance(dtype, reduction=dtype == torch.float32))


def gradient_descent_public(fn):
    q = "gradient_descent"

    for p in probes(q):  # n in 1-4, d in 1-3, lr = 0.5 / L or 1 / L, 1-6 steps, float64: from the grader's reference
        expect_tensors(q, call(q, fn, **p.inputs), p.expected, p.inputs, device=p.inputs["X"].device,
                       **tolerance(torch.float64, reduction=True))
    for p in probes(q)[:2]:  # the same in float32: the path and the losses keep X's dtype
        inputs = {k: v.float() if isinstance(v, torch.Tensor) else v for k, v in p.inputs.items()}
        expect_tensors(q, call(q, fn, **inputs), p.expected, inputs, dtypes={"path": torch.float32,
                       "losses": torch.float32}, device=inputs["X"].device, **tolerance(torch.float32, reduction=True))
    # On another device (meta, or the CPU with the default device moved when the code uses .item()).
    expect_gradient_descent_device(q, fn, make_tensor((4, 2), torch.float32, 3), make_tensor((4,), torch.float32, 4),
                                   0.1, 2)


def sgd_step__public(fn):
    q = "sgd_step_"

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 4), d=st.integers(1, 3), steps=st.integers(1, 3), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(n, d, steps, dtype, seed):
        data = regression_data(n, d, dtype, seed)
        inputs = {**data, "lr": step_lr(data["X"], 0.5), "steps": steps}
        got = drive_with(q, fn, sgd_driver, inputs)
        expect_step_result(q, got, torch_sgd_fit(**inputs), inputs, dtype, "cpu",
                           unused=torch.ones(2, dtype=torch.float64))

    run()


def momentum_step__public(fn):
    q = "momentum_step_"

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 4), d=st.integers(1, 3), momentum=st.sampled_from([0.5, 0.9]), steps=st.integers(1, 5),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, d, momentum, steps, dtype, seed):
        data = regression_data(n, d, dtype, seed)
        inputs = {**data, "lr": step_lr(data["X"], 0.3), "momentum": momentum, "steps": steps}
        got = drive_with(q, fn, momentum_driver, inputs)
        expect_step_result(q, got, torch_sgd_fit(**inputs), inputs, dtype, "cpu")

    run()


ASSIGNMENT = Assignment(
    name="autograd",
    number=3,
    title="Assignment 3: Autograd and gradient descent",
    title_zh="作业 3：自动求导与梯度下降",
    questions=(
        Question("numerical_grad", 3, "the gradient of f at x by central differences", numerical_grad_public,
                 summary_zh="用中心差分求 f 在 x 处的梯度"),
        Question("linreg_grad", 3, "the gradient of the linear-regression MSE, by hand", linreg_grad_public,
                 summary_zh="手工推导线性回归均方误差的梯度",
                 forbidden=("torch.autograd.*", "Tensor.backward")),
        Question("gradient_descent", 4, "gradient descent on the MSE with autograd: the path and the losses",
                 gradient_descent_public,
                 summary_zh="用自动求导对均方误差做梯度下降：返回参数路径和损失"),
        # Both change the tensors in their lists on purpose (params, and the velocities).
        Question("sgd_step_", 3, "one SGD step that updates leaf tensors in place", sgd_step__public, mutates=(0,),
                 summary_zh="原地更新叶子张量的一步 SGD",
                 forbidden=("torch.optim.*",)),
        Question("momentum_step_", 3, "one step of SGD with momentum, like torch.optim.SGD", momentum_step__public,
                 mutates=(0, 1),
                 summary_zh="带动量的一步 SGD，同 torch.optim.SGD",
                 forbidden=("torch.optim.*",)),
    ),
)
