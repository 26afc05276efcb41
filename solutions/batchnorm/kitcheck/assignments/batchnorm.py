"""Assignment 7, "Batch norm and learning-rate schedules": questions, points, public checks and the drivers
that exercise the student's batch norm (gradients, running statistics, the module in train and eval mode)
and schedules (students see this file)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.optim import lr_scheduler

from ..compare import CheckFailure, call, drive, expect_tensor, show, tolerance
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_distinct, make_tensor, seeds


# ------------------------------------------------------------------------------------------ inputs
def features(n: int, d: int, dtype, seed: int, device="cpu") -> torch.Tensor:
    """(n, d) data whose columns are never constant (distinct values), on different scales and offsets."""
    base = make_distinct((d, n), torch.float64, seed).T  # distinct along each column
    scale = make_tensor((1, d), torch.float64, seed + 1, low=0.5, high=2.0)
    offset = make_tensor((1, d), torch.float64, seed + 2, low=-5.0, high=5.0)
    return (base * scale + offset).to(dtype).to(device)


def bn_batch(shape, dtype, seed, device="cpu", offset=0.0) -> torch.Tensor:
    """A batch of ``shape`` (N, C, *) whose values within each channel are at least 0.15 apart, so every
    channel's variance is well away from 0 (a near-constant channel makes batch norm ill-conditioned)."""
    c = shape[1]
    m = math.prod(shape) // c  # values per channel
    spread = make_distinct((c, m), torch.float64, seed)  # 0.5 apart within each row
    noise = make_tensor((c, m), torch.float64, seed + 1, low=-0.1, high=0.1)
    scale = make_tensor((c, 1), torch.float64, seed + 2, low=0.5, high=2.0)
    shift = make_tensor((c, 1), torch.float64, seed + 3, low=-2.0, high=2.0) + offset
    values = ((spread + noise) * scale + shift).round(decimals=2)
    values = values.reshape(c, shape[0], *shape[2:]).movedim(0, 1)
    return values.contiguous().to(dtype).to(device)


def bn_inputs(shape, dtype, seed, device="cpu"):
    """x of ``shape`` (N, C, *), running statistics, weight, bias and an upstream gradient, all reproducible."""
    c = shape[1]
    x = bn_batch(shape, dtype, seed, device)
    running_mean = make_tensor((c,), dtype, seed + 1, device, low=-1.0, high=1.0)
    running_var = make_tensor((c,), dtype, seed + 2, device, low=0.5, high=2.0)
    weight = make_tensor((c,), dtype, seed + 3, device, low=0.5, high=2.0)
    bias = make_tensor((c,), dtype, seed + 4, device, low=-1.0, high=1.0)
    upstream = make_tensor(shape, dtype, seed + 5, device)
    return x, running_mean, running_var, weight, bias, upstream


# ------------------------------------------------------------------------------------------ drivers
def _grads(out, leaves, upstream, extra=()):
    """Gradients of ``sum(out * upstream)`` plus ``sum(t * u)`` for each ``(t, u)`` in ``extra`` whose ``t``
    requires grad (None for a leaf nothing reaches)."""
    if type(out) is not torch.Tensor or not out.requires_grad or out.shape != upstream.shape:
        return tuple(None for _ in leaves)
    objective = (out * upstream).sum()
    for t, u in extra:
        if type(t) is torch.Tensor and t.requires_grad and t.shape == u.shape:
            objective = objective + (t * u).sum()
    grads = torch.autograd.grad(objective, leaves, allow_unused=True)
    return tuple(None if g is None else g.detach() for g in grads)


def stat_weights(upstream):
    """Two (C,) weights taken from ``upstream`` (N, C, *): what the running statistics are multiplied by in the
    objective ``run_batch_norm_train`` differentiates."""
    per_channel = upstream.movedim(1, 0).reshape(upstream.shape[1], -1)
    return per_channel[:, 0], per_channel[:, -1]


def run_batch_norm_train(fn, x, running_mean, running_var, weight, bias, momentum, eps, upstream):
    """Call ``fn(x, running_mean, running_var, weight, bias, momentum, eps)`` with x, weight and bias requiring
    grad. Returns ``(out, new running_mean, new running_var, (grad x, grad weight, grad bias))``, the gradients
    of ``sum(out * upstream) + sum(new_mean * u) + sum(new_var * v)`` (``u, v = stat_weights(upstream)``): the
    running statistics are bookkeeping outside the graph, so in a correct batch norm their terms add nothing.
    Or ``("not a triple", what fn returned)``."""
    x, weight, bias = (t.detach().clone().requires_grad_(True) for t in (x, weight, bias))
    result = fn(x, running_mean, running_var, weight, bias, momentum, eps)
    if type(result) not in (tuple, list) or len(result) != 3:
        return "not a triple", result
    out, new_mean, new_var = result
    grads = _grads(out, (x, weight, bias), upstream, tuple(zip((new_mean, new_var), stat_weights(upstream))))
    plain = tuple(t.detach() if type(t) is torch.Tensor else t for t in (out, new_mean, new_var))
    return (*plain, grads)


def run_batch_norm_eval(fn, x, running_mean, running_var, weight, bias, eps, upstream):
    """Call ``fn(x, running_mean, running_var, weight, bias, eps)`` with x, weight and bias requiring grad.
    Returns ``(out, (grad x, grad weight, grad bias))``."""
    x, weight, bias = (t.detach().clone().requires_grad_(True) for t in (x, weight, bias))
    out = fn(x, running_mean, running_var, weight, bias, eps)
    grads = _grads(out, (x, weight, bias), upstream)
    return (out.detach() if type(out) is torch.Tensor else out), grads


def run_batch_norm_module(cls, num_features, eps, momentum, weight, bias, train_inputs, eval_input, upstream,
                          dtype=torch.float32, device="cpu"):
    """Make ``cls(num_features, eps=eps, momentum=momentum).to(device, dtype)``, set its weight and bias, run a
    forward and backward pass in train mode on each of ``train_inputs``, take one SGD step (lr ``MODULE_LR``)
    over ``layer.parameters()`` with the last gradients, then run a pass in eval mode.

    Returns values only: ``([(out, grad x, grad weight, grad bias) per train step], (running_mean, running_var)
    after training, (weight, bias) after the SGD step, (out, grad x) in eval mode, (running_mean, running_var)
    after eval, [(name, tensor) of layer.state_dict()] at the end)``. Only nn.Parameters move in the SGD step,
    and only registered parameters and buffers are in the state_dict.
    """
    layer = cls(num_features, eps=eps, momentum=momentum).to(device=device, dtype=dtype)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)

    def step(x):
        x = x.detach().clone().requires_grad_(True)
        for p in layer.parameters():
            p.grad = None
        out = layer(x)
        (out * upstream).sum().backward()
        grads = [None if t.grad is None else t.grad.detach().clone() for t in (x, layer.weight, layer.bias)]
        return (out.detach(), *grads)

    def stats():
        return tuple(getattr(layer, name).detach().clone() for name in ("running_mean", "running_var"))

    layer.train()
    steps = [step(x) for x in train_inputs]
    after_train = stats()
    params = list(layer.parameters())
    if params:
        torch.optim.SGD(params, lr=MODULE_LR).step()
    stepped = tuple(getattr(layer, name).detach().clone() for name in ("weight", "bias"))
    layer.eval()
    out, grad_x, _, _ = step(eval_input)
    return (steps, after_train, stepped, (out, grad_x), stats(),
            [(name, t.detach().clone()) for name, t in layer.state_dict().items()])


MODULE_LR = 0.5


def run_lr_table(fn, epochs, *args):
    """``[fn(epoch, *args) for epoch in range(epochs)]``."""
    return [fn(epoch, *args) for epoch in range(epochs)]


def run_lambda_lr(make_lambda, warmup_epochs, total_epochs, base_lr):
    """Train-loop order with LambdaLR(optimizer, make_lambda(warmup_epochs, total_epochs)): read the lr from
    ``optimizer.param_groups``, ``optimizer.step()``, then ``scheduler.step()``, for total_epochs + 1 epochs."""
    p = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([p], lr=base_lr)
    scheduler = lr_scheduler.LambdaLR(optimizer, make_lambda(warmup_epochs, total_epochs))
    lrs = []
    for _ in range(total_epochs + 1):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


# ------------------------------------------------------------------------------------ comparisons
def _bn_tol(dtype):
    return tolerance(dtype, reduction=True)


def expect_train(q, got, expected, inputs, *, dtype, device, upstream=None) -> None:
    """Compare what ``run_batch_norm_train`` returned for the student and for the reference. New running
    statistics that require grad show in the gradients (see ``run_batch_norm_train``); with ``upstream`` given,
    a gradient that differs by exactly their terms is named as that mistake."""
    if type(got) is tuple and len(got) == 2 and got[0] == "not a triple":
        raise CheckFailure(q, "should return a tuple (out, running_mean, running_var), but it returned "
                           f"{show(got[1])}", inputs)
    if type(got) is not tuple or len(got) != 4 or type(got[3]) is not tuple or len(got[3]) != 3:
        raise CheckFailure(q, "the driver got an unexpected result", inputs, got=got)
    out, mean, var, grads = got
    e_out, e_mean, e_var, e_grads = expected
    tol = _bn_tol(dtype)
    expect_tensor(q, out, e_out, inputs, dtype=dtype, device=device, what="`out`", **tol)
    expect_tensor(q, mean, e_mean, inputs, dtype=dtype, device=device, what="the new `running_mean`", **tol)
    expect_tensor(q, var, e_var, inputs, dtype=dtype, device=device, what="the new `running_var`", **tol)
    try:
        expect_grads(q, grads, e_grads, inputs, dtype=dtype, device=device,
                     objective="sum(out * upstream) (new running statistics that require grad would add to it)")
    except CheckFailure:
        if upstream is not None and _statistics_carry_grad(grads, e_grads, inputs, upstream, tol):
            raise CheckFailure(q, "the new running statistics require grad: they are bookkeeping, not part of the "
                               "computation to differentiate; compute them under torch.no_grad() or from detached "
                               "batch statistics", inputs) from None
        raise


def _statistics_carry_grad(grads, expected, inputs, upstream, tol) -> bool:
    """Whether ``grads`` are the expected ones plus what new running statistics that keep their graph add:
    momentum times the gradient of the batch mean and (unbiased) variance, weighted as in the objective."""
    x = inputs["x"].detach().cpu().double().requires_grad_(True)
    if x.device.type == "meta" or any(type(g) is not torch.Tensor for g in grads):
        return False
    u, v = (w.detach().cpu().double() for w in stat_weights(upstream))
    dims = [0] + list(range(2, x.dim()))
    n = x.numel() // x.shape[1]
    (d_mean,) = torch.autograd.grad((inputs["momentum"] * x.mean(dim=dims) * u).sum(), x)
    (d_var,) = torch.autograd.grad((inputs["momentum"] * x.var(dim=dims, correction=0) * n / (n - 1) * v).sum(), x)
    got = [g.detach().cpu().double() for g in grads]
    if not all(torch.allclose(g, e.double(), **tol) for g, e in zip(got[1:], expected[1:])):
        return False
    return any(torch.allclose(got[0], expected[0].double() + extra, **tol)
               for extra in (d_mean, d_var, d_mean + d_var))


def expect_grads(q, grads, expected, inputs, *, dtype, device, names=("x", "weight", "bias"),
                 objective="sum(out * upstream)") -> None:
    if type(grads) not in (tuple, list) or len(grads) != len(names):
        raise CheckFailure(q, "the driver got an unexpected result", inputs, got=grads)
    for name, g, e in zip(names, grads, expected):
        if g is None:
            raise CheckFailure(q, f"`out` does not depend on `{name}` through autograd (no gradient reached it); "
                               "compute with differentiable tensor operations", inputs)
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device, what=f"the gradient of {objective} "
                      f"with respect to `{name}`", **_bn_tol(dtype))


def expect_module(q, got, expected, inputs, *, dtype, device) -> None:
    """Compare what ``run_batch_norm_module`` returned for the student's class and for torch's: values only.
    Registered parameters and buffers show in the state_dict, and only nn.Parameters move in the SGD step."""
    if type(got) is not tuple or len(got) != 6 or type(got[5]) is not list:
        raise CheckFailure(q, "the driver got an unexpected result", inputs, got=got)
    steps, after_train, stepped, (eval_out, eval_grad), after_eval, state = got
    _, e_after_train, e_stepped, _, _, e_state = expected
    state, e_state = dict(p for p in state if type(p) is tuple and len(p) == 2), dict(e_state)
    tol = _bn_tol(dtype)
    if not {"weight", "bias"} <= set(state):
        raise CheckFailure(q, f"`weight` and `bias` should be nn.Parameters (the state_dict holds {sorted(state)}); "
                           "wrap them in nn.Parameter so the optimizer and autograd see them", inputs)
    if not {"running_mean", "running_var"} <= set(state):
        raise CheckFailure(q, f"`running_mean` and `running_var` should be registered buffers (the state_dict "
                           f"holds {sorted(state)}); use self.register_buffer, so they move with .to() and are "
                           "saved in state_dict", inputs)
    if type(steps) is not list or len(steps) != len(expected[0]):
        raise CheckFailure(q, "the driver got an unexpected result", inputs, got=steps)
    for i, ((out, gx, gw, gb), (e_out, e_gx, e_gw, e_gb)) in enumerate(zip(steps, expected[0])):
        where = f"in train mode, step {i + 1}"
        expect_tensor(q, out, e_out, inputs, dtype=dtype, device=device, what=f"the output {where}", **tol)
        expect_grads(q, (gx, gw, gb), (e_gx, e_gw, e_gb), {**inputs, "mode": where}, dtype=dtype, device=device)
    for name, g, e in zip(("running_mean", "running_var"), after_train, e_after_train):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device,
                      what=f"`{name}` after {len(steps)} training step(s)", **tol)
    for name, g, e in zip(("weight", "bias"), stepped, e_stepped):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device, what=f"`{name}` after an SGD step (lr "
                      f"{MODULE_LR}) over the module's parameters() (only nn.Parameters are updated)", **tol)
    expect_tensor(q, eval_out, expected[3][0], inputs, dtype=dtype, device=device,
                  what="the output in eval mode", **tol)
    expect_grads(q, (eval_grad,), (expected[3][1],), {**inputs, "mode": "eval"}, dtype=dtype, device=device,
                 names=("x",))
    for name, g, e in zip(("running_mean", "running_var"), after_eval, expected[4]):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device,
                      what=f"`{name}` after a forward pass in eval mode (it should not change)", **tol)
    for name in ("weight", "bias", "running_mean", "running_var"):
        expect_tensor(q, state[name], e_state[name], inputs, dtype=dtype, device=device,
                      what=f"`{name}` in the module's state_dict()", **tol)


def expect_lrs(q, got, expected: list[float], inputs) -> None:
    """A list of learning rates, one per epoch, within 1e-9 (relative) of torch's."""
    if type(got) is not list or len(got) != len(expected):
        raise CheckFailure(q, "the driver got an unexpected result", inputs, expected, got)
    for epoch, (g, e) in enumerate(zip(got, expected)):
        if type(g) not in (float, int):
            raise CheckFailure(q, f"the learning rate at epoch {epoch} should be a Python float (use math, or "
                               f"call .item() on a tensor), but it is {show(g)}", inputs)
        if not math.isclose(g, e, rel_tol=1e-9, abs_tol=1e-12):
            raise CheckFailure(q, f"the learning rate at epoch {epoch} is wrong", inputs, e, g,
                               f"torch's learning rates: {[float(f'{v:.6g}') for v in expected]}")


# ------------------------------------------------------------------------------------ public checks
def z_score_norm_public(fn):
    q = "z_score_norm"
    x = torch.tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    expected = (x - x.mean(0)) / x.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=x.dtype, device=x.device)

    @PUBLIC_SETTINGS
    @given(n=st.integers(2, 6), d=st.integers(1, 4), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, d, dtype, seed):
        x = features(n, d, dtype, seed)
        x64 = x.double()
        expected = (x64 - x64.mean(0)) / x64.std(0, correction=0)
        expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=dtype, device=x.device,
                      **tolerance(dtype, reduction=True))

    run()


def batch_norm_train_public(fn):
    q = "batch_norm_train"

    def one(shape, momentum, dtype, seed):
        x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed)
        inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "momentum": momentum,
                  "eps": 1e-5}
        got = drive(q, fn, run_batch_norm_train, inputs, x, rm, rv, w, b, momentum, 1e-5, up)
        x64, rm64, rv64, w64, b64, up64 = (t.double() for t in (x, rm, rv, w, b, up))  # torch's, in float64
        e_rm, e_rv = rm64.clone(), rv64.clone()  # F.batch_norm updates the running statistics in place
        expected = run_batch_norm_train(
            lambda x, _rm, _rv, w, b, momentum, eps: (F.batch_norm(x, e_rm, e_rv, w, b, True, momentum, eps),
                                                     e_rm, e_rv),
            x64, rm64, rv64, w64, b64, momentum, 1e-5, up64)
        expect_train(q, got, expected, inputs, dtype=dtype, device=x.device, upstream=up)

    one((4, 3), 0.1, torch.float32, 0)  # float32 in: out and the new statistics in float32 too

    @PUBLIC_SETTINGS
    @given(shape=st.sampled_from([(4, 3), (2, 2, 3), (3, 2, 2, 2), (2, 1, 3)]), momentum=st.sampled_from([0.1, 0.5]),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, momentum, dtype, seed):
        one(shape, momentum, dtype, seed)

    run()


def batch_norm_eval_public(fn):
    q = "batch_norm_eval"

    def one(shape, dtype, seed):
        x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed)
        inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": 1e-5}
        out, grads = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, 1e-5, up)
        e_out, e_grads = run_batch_norm_eval(  # torch's, in float64
            lambda x, rm, rv, w, b, eps: F.batch_norm(x, rm, rv, w, b, False, 0.1, eps),
            *(t.double() for t in (x, rm, rv, w, b)), 1e-5, up.double())
        expect_tensor(q, out, e_out, inputs, dtype=dtype, device=x.device, **_bn_tol(dtype))
        expect_grads(q, grads, e_grads, inputs, dtype=dtype, device=x.device)

    one((4, 3), torch.float32, 0)  # float32 in, float32 out

    @PUBLIC_SETTINGS
    @given(shape=st.sampled_from([(4, 3), (2, 2, 3), (3, 2, 2, 2), (2, 1, 3)]), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(shape, dtype, seed):
        one(shape, dtype, seed)

    run()


def check_module(q, fn, shape, eps, momentum, seed, dtype=torch.float64, device="cpu") -> None:
    x, _, _, w, b, up = bn_inputs(shape, dtype, seed, device)
    x2 = bn_batch(shape, dtype, seed + 10, device, offset=2.0)
    x3 = bn_batch(shape, dtype, seed + 20, device)
    inputs = {"num_features": shape[1], "eps": eps, "momentum": momentum, "input shape": tuple(shape),
              "dtype": dtype, "device": device, "seed": seed}
    args = (shape[1], eps, momentum, w, b, [x, x2], x3, up, dtype, device)
    got = drive(q, fn, run_batch_norm_module, inputs, *args)
    ref_args = (shape[1], eps, momentum, w.double(), b.double(), [x.double(), x2.double()], x3.double(),
                up.double(), torch.float64, device)
    expected = run_batch_norm_module(nn.BatchNorm2d if len(shape) == 4 else nn.BatchNorm1d, *ref_args)
    expect_module(q, got, expected, inputs, dtype=dtype, device=device)


def BatchNorm_public(fn):
    q = "BatchNorm"
    # float64 and float32 (like nn.BatchNorm1d/2d, the module's parameters and buffers follow .to(dtype)).
    f32, f64 = torch.float32, torch.float64
    for shape, eps, momentum, seed, dtype in [((4, 3), 1e-5, 0.1, 0, f32), ((4, 3), 1e-5, 0.1, 0, f64),
                                              ((3, 2, 4), 1e-3, 0.5, 1, f64), ((2, 3, 2, 2), 1e-5, 0.1, 2, f32),
                                              ((2, 1, 3), 1e-5, 1.0, 3, f64)]:
        check_module(q, fn, shape, eps, momentum, seed, dtype)


def _scheduled_lrs(scheduler, epochs: int) -> list[float]:
    """The learning rates an already-made torch scheduler gives in epochs 0, 1, ..., stepped once per epoch."""
    lrs = []
    for _ in range(epochs):
        lrs.append(scheduler.optimizer.param_groups[0]["lr"])
        scheduler.optimizer.step()
        scheduler.step()
    return lrs


def _sgd(base_lr: float) -> torch.optim.SGD:
    return torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=base_lr)


def multistep_lr_public(fn):
    q = "multistep_lr"
    for base_lr, milestones, gamma, epochs in [(0.5, [2, 5], 0.1, 8), (1.0, [1, 3, 4], 0.5, 6), (0.1, [3, 6], 0.5, 9)]:
        inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
        expected = _scheduled_lrs(lr_scheduler.MultiStepLR(_sgd(base_lr), milestones, gamma), epochs)
        expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


def exponential_lr_public(fn):
    q = "exponential_lr"
    for base_lr, gamma in [(0.5, 0.9), (1.0, 0.5)]:
        inputs = {"base_lr": base_lr, "gamma": gamma, "epochs": 6}
        expected = _scheduled_lrs(lr_scheduler.ExponentialLR(_sgd(base_lr), gamma), 6)
        expect_lrs(q, drive(q, fn, run_lr_table, inputs, 6, base_lr, gamma), expected, inputs)


def cosine_lr_public(fn):
    q = "cosine_lr"
    for base_lr, t_max, eta_min in [(0.5, 4, 0.0), (1.0, 6, 0.1), (0.1, 10, 0.01)]:
        inputs = {"base_lr": base_lr, "T_max": t_max, "eta_min": eta_min, "epochs": t_max + 1}
        expected = _scheduled_lrs(lr_scheduler.CosineAnnealingLR(_sgd(base_lr), t_max, eta_min), t_max + 1)
        expect_lrs(q, drive(q, fn, run_lr_table, inputs, t_max + 1, base_lr, t_max, eta_min), expected, inputs)


def warmup_cosine_lambda_public(fn):
    q = "warmup_cosine_lambda"
    for p in probes(q):  # torch's LinearLR then CosineAnnealingLR, chained with SequentialLR
        got = drive(q, fn, run_lambda_lr, p.inputs, *p.inputs.values())
        expect_lrs(q, got, p.expected, p.inputs)


ASSIGNMENT = Assignment(
    name="batchnorm",
    number=7,
    title="Assignment 7: Batch norm and learning-rate schedules",
    questions=(
        Question("z_score_norm", 2, "z-score normalisation of each column (biased std)", z_score_norm_public),
        Question("batch_norm_train", 4, "batch norm in training mode, returning the updated running statistics",
                 batch_norm_train_public),
        Question("batch_norm_eval", 2, "batch norm in eval mode, with the running statistics",
                 batch_norm_eval_public),
        Question("BatchNorm", 4, "a BatchNorm1d/BatchNorm2d module: parameters, buffers, train and eval mode",
                 BatchNorm_public),
        Question("multistep_lr", 2, "the learning rate of a step or multi-step schedule", multistep_lr_public),
        Question("exponential_lr", 1, "the learning rate of an exponential schedule", exponential_lr_public),
        Question("cosine_lr", 2, "the learning rate of cosine annealing", cosine_lr_public),
        Question("warmup_cosine_lambda", 3, "a LambdaLR factor: linear warm-up, then cosine decay",
                 warmup_cosine_lambda_public),
    ),
)
