"""Comparisons of assignment 7 (students see this file): each ``expect_*`` (and ``check_module``) compares what
the drivers return for the student's code with what they return for torch's, or the student's learning rates with
torch's schedulers, and raises a ``CheckFailure`` that says what differs. The public checks (``batchnorm.py``) and
the hidden tests both use them; the expected values come from torch, never from code written here."""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.optim import lr_scheduler

from ..compare import CheckFailure, call, drive, expect_tensor, show, tolerance
from ..i18n import tr
from .batchnorm_drivers import MODULE_LR, run_batch_norm_module, run_lr_table, stat_weights
from .batchnorm_inputs import bn_batch, bn_inputs


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


def check_module(q, fn, shape, eps, momentum, seed, dtype=torch.float64, device="cpu", layout="contiguous",
                 batches=None) -> None:
    """Drive the student's module class and torch's (in float64) through the same steps and compare.
    ``batches``: three (N, C, *) inputs (two to train on, one for eval); made from ``seed`` by default."""
    x, _, _, w, b, up = bn_inputs(shape, dtype, seed, device)
    if batches is None:
        batches = (x, bn_batch(shape, dtype, seed + 10, device, offset=2.0), bn_batch(shape, dtype, seed + 20, device))
    x, x2, x3 = batches
    inputs = {"num_features": shape[1], "eps": eps, "momentum": momentum, tr("input shape", "输入形状"): tuple(shape),
              "dtype": dtype, "device": device, "seed": seed}
    if layout != "contiguous":
        inputs[tr("input layout", "输入布局")] = layout
    args = (shape[1], eps, momentum, w, b, [x, x2], x3, up, dtype, device, layout)
    got = drive(q, fn, run_batch_norm_module, inputs, *args)
    ref_args = (shape[1], eps, momentum, w.double(), b.double(), [x.double(), x2.double()], x3.double(),
                up.double(), torch.float64, device)
    expected = run_batch_norm_module(nn.BatchNorm2d if len(shape) == 4 else nn.BatchNorm1d, *ref_args)
    expect_module(q, got, expected, inputs, dtype=dtype, device=device)


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


def expect_plateau(q, fn, inputs) -> None:
    """The student's ``plateau_lrs(**inputs)`` against torch's ReduceLROnPlateau, step by step."""
    expected = torch_plateau(inputs)
    got = call(q, fn, **inputs)
    if type(got) is not list or len(got) != len(expected):
        raise CheckFailure(q, tr("should return a list with one learning rate per loss ({n})",
                                 "应当返回一个列表，每个损失对应一个学习率（共 {n} 个）", n=len(expected)), inputs,
                           expected, got)
    expect_lrs(q, got, expected, inputs, after=True)


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
