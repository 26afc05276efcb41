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
from ..i18n import tr
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


LAYOUTS = ("contiguous", "transposed", "sliced")


def laid_out(t: torch.Tensor, how: str) -> torch.Tensor:
    """The values of ``t`` as a view with another memory layout: ``transposed`` (the last two dims stored the
    other way round) or ``sliced`` (every other element of a larger tensor). Gradients still reach ``t``."""
    if how == "transposed" and t.dim() >= 2:
        return t.mT.contiguous().mT
    if how == "sliced" and t.dim() >= 1 and t.numel() > 1:
        return torch.stack((t, t), dim=-1).flatten(-2)[..., ::2]
    return t


def _snapshot(named):
    """Copies of the tensors in ``named`` (name -> tensor), to see later whether the student's code changed them."""
    return {k: t.detach().clone() for k, t in named.items() if type(t) in (torch.Tensor, nn.Parameter)}


def _changed(named, snapshot) -> tuple:
    """Names of the tensors in ``named`` whose values differ from ``snapshot`` (none on the meta device, which
    holds no values)."""
    return tuple(k for k, before in snapshot.items()
                 if before.device.type != "meta" and not torch.equal(named[k].detach(), before))


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


def _bn_arguments(x, running_mean, running_var, weight, bias, layout):
    """Leaves for x, weight and bias (requiring grad), the inputs as the student's function gets them (x and,
    for ``sliced``, the running statistics in ``layout``), and a snapshot of those inputs."""
    x, weight, bias = (t.detach().clone().requires_grad_(True) for t in (x, weight, bias))
    stats_layout = "sliced" if layout == "sliced" else "contiguous"
    given = {"x": laid_out(x, layout), "running_mean": laid_out(running_mean.clone(), stats_layout),
             "running_var": laid_out(running_var.clone(), stats_layout), "weight": weight, "bias": bias}
    return (x, weight, bias), given, _snapshot(given)


def run_batch_norm_train(fn, x, running_mean, running_var, weight, bias, momentum, eps, upstream,
                         layout="contiguous"):
    """Call ``fn(x, running_mean, running_var, weight, bias, momentum, eps)`` with x, weight and bias requiring
    grad (x in memory ``layout``, see ``laid_out``). Returns ``(out, new running_mean, new running_var, (grad x,
    grad weight, grad bias), names of the inputs fn changed)``, the gradients of ``sum(out * upstream) +
    sum(new_mean * u) + sum(new_var * v)`` (``u, v = stat_weights(upstream)``): the running statistics are
    bookkeeping outside the graph, so in a correct batch norm their terms add nothing.
    Or ``("not a triple", what fn returned)``."""
    leaves, given, before = _bn_arguments(x, running_mean, running_var, weight, bias, layout)
    result = fn(*given.values(), momentum, eps)
    if type(result) not in (tuple, list) or len(result) != 3:
        return "not a triple", result
    out, new_mean, new_var = result
    grads = _grads(out, leaves, upstream, tuple(zip((new_mean, new_var), stat_weights(upstream))))
    plain = tuple(t.detach().clone() if type(t) is torch.Tensor else t for t in (out, new_mean, new_var))
    return (*plain, grads, _changed(given, before))


def run_batch_norm_eval(fn, x, running_mean, running_var, weight, bias, eps, upstream, layout="contiguous"):
    """Call ``fn(x, running_mean, running_var, weight, bias, eps)`` with x, weight and bias requiring grad (x in
    memory ``layout``). Returns ``(out, (grad x, grad weight, grad bias), names of the inputs fn changed)``."""
    leaves, given, before = _bn_arguments(x, running_mean, running_var, weight, bias, layout)
    out = fn(*given.values(), eps)
    grads = _grads(out, leaves, upstream)
    return (out.detach().clone() if type(out) is torch.Tensor else out), grads, _changed(given, before)


def run_batch_norm_module(cls, num_features, eps, momentum, weight, bias, train_inputs, eval_input, upstream,
                          dtype=torch.float32, device="cpu", layout="contiguous"):
    """Make ``cls(num_features, eps=eps, momentum=momentum).to(device, dtype)``, set its weight and bias, run a
    forward and backward pass in train mode on each of ``train_inputs``, take one SGD step (lr ``MODULE_LR``)
    over ``layer.parameters()`` with the last gradients, then run a pass in eval mode.

    Returns values only: ``([(out, grad x, grad weight, grad bias) per train step], (running_mean, running_var)
    after training, (weight, bias) after the SGD step, (out, grad x) in eval mode, (running_mean, running_var)
    after eval, [(name, tensor) of layer.state_dict()] at the end, (out, whether the input changed) of a last
    eval pass under torch.no_grad() on a plain tensor)``. Only nn.Parameters move in the SGD step, and only
    registered parameters and buffers are in the state_dict. Inputs reach the layer in memory ``layout``.
    """
    layer = cls(num_features, eps=eps, momentum=momentum).to(device=device, dtype=dtype)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)

    def step(x):
        x = x.detach().clone().requires_grad_(True)
        for p in layer.parameters():
            p.grad = None
        out = layer(laid_out(x, layout))
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
    state = [(name, t.detach().clone()) for name, t in layer.state_dict().items()]
    plain = laid_out(eval_input.detach().clone(), layout)  # inference: no graph, so in-place edits would go unseen
    before = _snapshot({"x": plain})
    with torch.no_grad():
        inferred = layer(plain)
    inferred = inferred.detach().clone() if type(inferred) is torch.Tensor else inferred
    return (steps, after_train, stepped, (out, grad_x), stats(), state,
            (inferred, bool(_changed({"x": plain}, before))))


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
        raise CheckFailure(q, tr("should return a tuple (out, running_mean, running_var), but it returned {got}",
                                 "应当返回元组 (out, running_mean, running_var)，但它返回了 {got}",
                                 got=show(got[1])), inputs)
    if type(got) is not tuple or len(got) != 5 or type(got[3]) is not tuple or len(got[3]) != 3:
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs, got=got)
    out, mean, var, grads, changed = got
    e_out, e_mean, e_var, e_grads, _ = expected
    expect_unchanged(q, changed, inputs)
    tol = _bn_tol(dtype)
    expect_tensor(q, out, e_out, inputs, dtype=dtype, device=device, what=tr("`out`", "`out`"), **tol)
    expect_tensor(q, mean, e_mean, inputs, dtype=dtype, device=device, what=tr("the new `running_mean`", "新的 `running_mean`"), **tol)
    expect_tensor(q, var, e_var, inputs, dtype=dtype, device=device, what=tr("the new `running_var`", "新的 `running_var`"), **tol)
    try:
        expect_grads(q, grads, e_grads, inputs, dtype=dtype, device=device,
                     objective=tr("sum(out * upstream) (new running statistics that require grad would add to it)",
                                   "sum(out * upstream)（需要梯度的新滑动平均会给它加上额外的项）"))
    except CheckFailure:
        if upstream is not None and _statistics_carry_grad(grads, e_grads, inputs, upstream, tol):
            raise CheckFailure(q, tr("the new running statistics require grad: they are bookkeeping, not part of the "
                                     "computation to differentiate; compute them under torch.no_grad() or from "
                                     "detached batch statistics",
                                     "新的滑动平均需要梯度：它们只是记账，不属于需要求导的计算；请在 torch.no_grad() "
                                     "下计算它们，或者用 detach 之后的批量统计量计算"), inputs) from None
        raise


def expect_unchanged(q, changed, inputs) -> None:
    """``changed`` (names of inputs the student's code edited in place, from a driver) must be empty."""
    if changed != ():
        names = ", ".join(f"`{n}`" for n in changed) if type(changed) is tuple else show(changed)
        raise CheckFailure(q, tr("your function changed its input {names} in place; leave the inputs as they "
                                 "were and return new tensors (x - mean makes a new tensor, x.sub_(mean) or "
                                 "x -= mean overwrites x)",
                                 "你的函数原地修改了输入 {names}；请保持输入不变并返回新的张量（x - mean 会创建新张量，"
                                 "而 x.sub_(mean) 或 x -= mean 会覆盖 x）", names=names), inputs)


def expect_eval(q, got, expected, inputs, *, dtype, device) -> None:
    """Compare what ``run_batch_norm_eval`` returned for the student and for the reference."""
    if type(got) is not tuple or len(got) != 3:
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs, got=got)
    out, grads, changed = got
    expect_unchanged(q, changed, inputs)
    expect_tensor(q, out, expected[0], inputs, dtype=dtype, device=device, **_bn_tol(dtype))
    expect_grads(q, grads, expected[1], inputs, dtype=dtype, device=device)


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
    """Each gradient in ``grads`` (of ``objective`` with respect to ``names``) against ``expected``."""
    if type(grads) not in (tuple, list) or len(grads) != len(names):
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs, got=grads)
    for name, g, e in zip(names, grads, expected):
        if g is None:
            raise CheckFailure(q, tr("`out` does not depend on `{name}` through autograd (no gradient reached it); "
                                     "compute with differentiable tensor operations",
                                     "通过自动求导，`out` 不依赖于 `{name}`（没有梯度传到它）；请用可求导的张量运算来计算",
                                     name=name), inputs)
        tol = _bn_tol(dtype)
        if e.device.type != "meta" and e.numel():
            # A gradient element is a sum of terms as large as the largest element: rounding scales with those
            # (torch's own float32 batch norm is off by ~1e-5 of the largest element on data offset by 1e2).
            tol["atol"] *= max(1.0, float(e.abs().max()))
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device, what=tr("the gradient of {objective} with respect to `{name}`",
                                                                  "{objective} 对 `{name}` 的梯度",
                                                                  objective=objective, name=name), **tol)


def expect_module(q, got, expected, inputs, *, dtype, device) -> None:
    """Compare what ``run_batch_norm_module`` returned for the student's class and for torch's: values only.
    Registered parameters and buffers show in the state_dict, and only nn.Parameters move in the SGD step."""
    if (type(got) is not tuple or len(got) != 7 or type(got[5]) is not list or type(got[6]) is not tuple
            or len(got[6]) != 2):
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs, got=got)
    steps, after_train, stepped, (eval_out, eval_grad), after_eval, state, (inferred, input_changed) = got
    _, e_after_train, e_stepped, _, _, e_state, _ = expected
    state, e_state = dict(p for p in state if type(p) is tuple and len(p) == 2), dict(e_state)
    tol = _bn_tol(dtype)
    if not {"weight", "bias"} <= set(state):
        raise CheckFailure(q, tr("`weight` and `bias` should be nn.Parameters (the state_dict holds {keys}); "
                                 "wrap them in nn.Parameter so the optimizer and autograd see them",
                                 "`weight` 和 `bias` 应当是 nn.Parameter（state_dict 中只有 {keys}）；"
                                 "用 nn.Parameter 包装它们，优化器和自动求导才能看到它们", keys=sorted(state)), inputs)
    if not {"running_mean", "running_var"} <= set(state):
        raise CheckFailure(q, tr("`running_mean` and `running_var` should be registered buffers (the state_dict "
                                 "holds {keys}); use self.register_buffer, so they move with .to() and are "
                                 "saved in state_dict",
                                 "`running_mean` 和 `running_var` 应当是注册的缓冲区（state_dict 中只有 {keys}）；"
                                 "请用 self.register_buffer，这样它们会随 .to() 移动，并保存在 state_dict 中",
                                 keys=sorted(state)), inputs)
    if type(steps) is not list or len(steps) != len(expected[0]):
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs, got=steps)
    for i, ((out, gx, gw, gb), (e_out, e_gx, e_gw, e_gb)) in enumerate(zip(steps, expected[0])):
        where = tr("in train mode, step {i}", "训练模式，第 {i} 步", i=i + 1)
        expect_tensor(q, out, e_out, inputs, dtype=dtype, device=device, what=tr("the output {where}", "输出（{where}）", where=where), **tol)
        expect_grads(q, (gx, gw, gb), (e_gx, e_gw, e_gb), {**inputs, "mode": where}, dtype=dtype, device=device)
    for name, g, e in zip(("running_mean", "running_var"), after_train, e_after_train):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device,
                      what=tr("`{name}` after {n} training step(s)", "训练 {n} 步之后的 `{name}`", name=name,
                              n=len(steps)), **tol)
    for name, g, e in zip(("weight", "bias"), stepped, e_stepped):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device, what=tr(
            "`{name}` after an SGD step (lr {lr}) over the module's parameters() (only nn.Parameters are updated)",
            "对模块的 parameters() 做一步 SGD（学习率 {lr}）之后的 `{name}`（只有 nn.Parameter 会被更新）",
            name=name, lr=MODULE_LR), **tol)
    expect_tensor(q, eval_out, expected[3][0], inputs, dtype=dtype, device=device,
                  what=tr("the output in eval mode", "评估模式下的输出"), **tol)
    expect_grads(q, (eval_grad,), (expected[3][1],), {**inputs, "mode": "eval"}, dtype=dtype, device=device,
                 names=("x",))
    for name, g, e in zip(("running_mean", "running_var"), after_eval, expected[4]):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device,
                      what=tr("`{name}` after a forward pass in eval mode (it should not change)",
                              "评估模式下正向传播之后的 `{name}`（它不应改变）", name=name), **tol)
    for name in ("weight", "bias", "running_mean", "running_var"):
        expect_tensor(q, state[name], e_state[name], inputs, dtype=dtype, device=device,
                      what=tr("`{name}` in the module's state_dict()", "模块 state_dict() 中的 `{name}`", name=name),
                      **tol)
    if input_changed is not False:
        raise CheckFailure(q, tr("in eval mode under torch.no_grad(), forward changed its input x in place; leave x "
                                 "as it was and return a new tensor (x - mean, not x.sub_(mean) or x -= mean)",
                                 "在评估模式和 torch.no_grad() 下，forward 原地修改了输入 x；请保持 x 不变并返回新的张量"
                                 "（用 x - mean，而不是 x.sub_(mean) 或 x -= mean）"), inputs)
    expect_tensor(q, inferred, expected[3][0], inputs, dtype=dtype, device=device,
                  what=tr("the output in eval mode under torch.no_grad()", "评估模式和 torch.no_grad() 下的输出"), **tol)


def expect_lrs(q, got, expected: list[float], inputs, unit="epoch", after=False) -> None:
    """A list of learning rates, one per epoch (or step), within 1e-9 (relative) of torch's. ``after``: the
    i-th rate is the one after the i-th epoch."""
    if type(got) is not list or len(got) != len(expected):
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs, expected, got)
    for epoch, (g, e) in enumerate(zip(got, expected)):
        where = (tr("after epoch {epoch} (its loss {loss!r})", "第 {epoch} 轮之后（这一轮的损失为 {loss!r}）",
                    epoch=epoch, loss=inputs["losses"][epoch]) if after
                 else tr("at {unit} {epoch}", "第 {epoch} 轮", unit=unit, epoch=epoch) if unit == "epoch"
                 else tr("at {unit} {epoch}", "第 {epoch} 步", unit=unit, epoch=epoch))
        if type(g) not in (float, int):
            raise CheckFailure(q, tr("the learning rate {where} should be a Python float (use math, or "
                                     "call .item() on a tensor), but it is {got}",
                                     "{where}的学习率应当是 Python 浮点数（用 math 计算，或者对张量调用 .item()），"
                                     "但它是 {got}", where=where, got=show(g)), inputs)
        if not math.isclose(g, e, rel_tol=1e-9, abs_tol=1e-12):
            raise CheckFailure(q, tr("the learning rate {where} is wrong", "{where}的学习率不对", where=where),
                               inputs, e, g, tr("torch's learning rates: {lrs}", "torch 给出的学习率：{lrs}",
                                                lrs=[float(f"{v:.6g}") for v in expected]))


# ------------------------------------------------------------------------------------ public checks
def z_score_norm_public(fn):
    q = "z_score_norm"
    x = torch.tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    expected = (x - x.mean(0)) / x.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=x.dtype, device=x.device)
    # Features on very different scales (millimetres next to kilometres): each column still gets std 1.
    x = torch.tensor([[0.001, 1000.0], [0.002, 3000.0], [0.004, 2000.0]], dtype=torch.float64)
    expected = (x - x.mean(0)) / x.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=x.dtype, device=x.device,
                  **tolerance(x.dtype, reduction=True))

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
        got = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, 1e-5, up)
        expected = run_batch_norm_eval(  # torch's, in float64
            lambda x, rm, rv, w, b, eps: F.batch_norm(x, rm, rv, w, b, False, 0.1, eps),
            *(t.double() for t in (x, rm, rv, w, b)), 1e-5, up.double())
        expect_eval(q, got, expected, inputs, dtype=dtype, device=x.device)

    one((4, 3), torch.float32, 0)  # float32 in, float32 out
    # A channel whose running variance (1e-4) is not much larger than eps: eps goes inside the square root.
    x, rm, rv, w, b, up = bn_inputs((4, 2), torch.float64, 1)
    rv = torch.tensor([1e-4, 1.0], dtype=torch.float64)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": 1e-5}
    got = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, 1e-5, up)
    expected = run_batch_norm_eval(lambda x, rm, rv, w, b, eps: F.batch_norm(x, rm, rv, w, b, False, 0.1, eps),
                                   x, rm, rv, w, b, 1e-5, up)
    expect_eval(q, got, expected, inputs, dtype=x.dtype, device=x.device)

    @PUBLIC_SETTINGS
    @given(shape=st.sampled_from([(4, 3), (2, 2, 3), (3, 2, 2, 2), (2, 1, 3)]), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(shape, dtype, seed):
        one(shape, dtype, seed)

    run()


def check_module(q, fn, shape, eps, momentum, seed, dtype=torch.float64, device="cpu", layout="contiguous",
                 batches=None) -> None:
    """Drive the student's module class and torch's (in float64) through the same steps and compare.
    ``batches``: three (N, C, *) inputs (two to train on, one for eval); made from ``seed`` by default."""
    x, _, _, w, b, up = bn_inputs(shape, dtype, seed, device)
    if batches is None:
        batches = (x, bn_batch(shape, dtype, seed + 10, device, offset=2.0), bn_batch(shape, dtype, seed + 20, device))
    x, x2, x3 = batches
    inputs = {"num_features": shape[1], "eps": eps, "momentum": momentum, "input shape": tuple(shape),
              "dtype": dtype, "device": device, "seed": seed}
    if layout != "contiguous":
        inputs["input layout"] = layout
    args = (shape[1], eps, momentum, w, b, [x, x2], x3, up, dtype, device, layout)
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


def torch_plateau(inputs: dict) -> list[float]:
    """torch's ReduceLROnPlateau stepped with ``inputs["losses"]`` (``inputs`` from ``plateau_inputs``): the
    learning rate after each step. Takes one dict, so it cannot stand in for the exercise."""
    optimizer = _sgd(inputs["lr"])
    settings = {k: v for k, v in inputs.items() if k not in ("losses", "lr")}
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, **settings)
    lrs = []
    for loss in inputs["losses"]:
        optimizer.step()
        scheduler.step(loss)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def plateau_inputs(losses, lr, factor=0.1, patience=10, threshold=1e-4, mode="min", threshold_mode="rel",
                   cooldown=0, min_lr=0.0, eps=1e-8) -> dict:
    """The arguments of ``plateau_lrs`` by name, in its order."""
    return {"losses": list(losses), "lr": lr, "factor": factor, "patience": patience, "threshold": threshold,
            "mode": mode, "threshold_mode": threshold_mode, "cooldown": cooldown, "min_lr": min_lr, "eps": eps}


def expect_plateau(q, fn, inputs) -> None:
    """The student's ``plateau_lrs(**inputs)`` against torch's ReduceLROnPlateau, step by step."""
    expected = torch_plateau(inputs)
    got = call(q, fn, **inputs)
    if type(got) is not list or len(got) != len(expected):
        raise CheckFailure(q, tr("should return a list with one learning rate per loss ({n})",
                                 "应当返回一个列表，每个损失对应一个学习率（共 {n} 个）", n=len(expected)), inputs,
                           expected, got)
    expect_lrs(q, got, expected, inputs, after=True)


def plateau_lrs_public(fn):
    q = "plateau_lrs"
    # The course's situation: the loss stalls, the rate drops once patience runs out, then again.
    stalls = [1.0, 0.8, 0.7, 0.7, 0.71, 0.69, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6]
    expect_plateau(q, fn, plateau_inputs(stalls, 0.1, factor=0.5, patience=2))
    tiny_gains = [1.0, 0.99995, 0.9999, 0.99985, 0.9998, 0.5, 0.5, 0.5]  # each gain below threshold=1e-4
    expect_plateau(q, fn, plateau_inputs(tiny_gains, 1.0, factor=0.5, patience=1))
    accuracy = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    expect_plateau(q, fn, plateau_inputs(accuracy, 0.1, factor=0.1, patience=1, mode="max", cooldown=2))
    expect_plateau(q, fn, plateau_inputs([1.0] * 12, 0.1, factor=0.1, patience=0, min_lr=1e-3))
    expect_plateau(q, fn, plateau_inputs(stalls, 0.1, factor=0.5, patience=1, threshold=0.05, threshold_mode="abs"))


def torch_one_cycle(inputs: dict) -> list[float]:
    """torch's OneCycleLR (cosine annealing, no momentum cycling) for ``inputs`` (total_steps, max_lr, pct_start,
    div_factor, final_div_factor by name): the learning rate at steps 0 ... total_steps - 1."""
    optimizer = _sgd(inputs["max_lr"] / inputs["div_factor"])
    scheduler = lr_scheduler.OneCycleLR(optimizer, anneal_strategy="cos", cycle_momentum=False, **inputs)
    return _scheduled_lrs(scheduler, inputs["total_steps"])


def expect_one_cycle(q, fn, total_steps, max_lr, pct_start=0.3, div_factor=25.0, final_div_factor=1e4) -> None:
    inputs = {"total_steps": total_steps, "max_lr": max_lr, "pct_start": pct_start, "div_factor": div_factor,
              "final_div_factor": final_div_factor}
    got = drive(q, fn, run_lr_table, inputs, total_steps, *inputs.values())
    expect_lrs(q, got, torch_one_cycle(inputs), inputs, unit="step")


def one_cycle_lr_public(fn):
    q = "one_cycle_lr"
    expect_one_cycle(q, fn, 20, 0.1)
    expect_one_cycle(q, fn, 10, 1.0, 0.25, 10.0, 100.0)  # the peak falls between two steps
    expect_one_cycle(q, fn, 30, 0.5, 0.5, 5.0, 1e3)


ASSIGNMENT = Assignment(
    name="batchnorm",
    number=7,
    title="Assignment 7: Batch norm and learning-rate schedules",
    title_zh="作业 7：批量归一化与学习率调度",
    questions=(
        Question("z_score_norm", 2, "z-score normalisation of each column (biased std)", z_score_norm_public,
                 summary_zh="对每列做 Z-Score 标准化（有偏标准差）"),
        Question("batch_norm_train", 4, "batch norm in training mode, returning the updated running statistics",
                 batch_norm_train_public,
                 summary_zh="训练模式下的批量归一化，并返回更新后的滑动统计量"),
        Question("batch_norm_eval", 2, "batch norm in eval mode, with the running statistics",
                 batch_norm_eval_public,
                 summary_zh="评估模式下用滑动统计量做批量归一化"),
        Question("BatchNorm", 4, "a BatchNorm1d/BatchNorm2d module: parameters, buffers, train and eval mode",
                 BatchNorm_public,
                 summary_zh="BatchNorm1d/BatchNorm2d 模块：参数、缓冲区、训练与评估模式"),
        Question("multistep_lr", 2, "the learning rate of a step or multi-step schedule", multistep_lr_public,
                 summary_zh="阶梯式或多阶梯式调度下的学习率"),
        Question("exponential_lr", 1, "the learning rate of an exponential schedule", exponential_lr_public,
                 summary_zh="指数衰减调度下的学习率"),
        Question("cosine_lr", 2, "the learning rate of cosine annealing", cosine_lr_public,
                 summary_zh="余弦退火下的学习率"),
        Question("warmup_cosine_lambda", 3, "a LambdaLR factor: linear warm-up, then cosine decay",
                 warmup_cosine_lambda_public,
                 summary_zh="LambdaLR 的系数：先线性预热，再余弦衰减"),
        Question("plateau_lrs", 3, "ReduceLROnPlateau: the learning rate after each epoch's loss",
                 plateau_lrs_public,
                 summary_zh="ReduceLROnPlateau：每轮损失之后的学习率"),
        Question("one_cycle_lr", 3, "the learning rate of the one-cycle policy (OneCycleLR, cosine)",
                 one_cycle_lr_public,
                 summary_zh="单周期策略（OneCycleLR，余弦）下的学习率"),
    ),
)
