"""Drivers of assignment 7 (students see this file): they run the student's batch norm (gradients, running
statistics, the module in train and eval mode) and schedules where they live and return plain data (see
``kitcheck.drivers``)."""
from __future__ import annotations

import torch
from torch import nn
from torch.optim import lr_scheduler

from .batchnorm_inputs import laid_out


def _snapshot(named):
    """Copies of the tensors in ``named`` (name -> tensor), to see later whether the student's code changed them."""
    return {k: t.detach().clone() for k, t in named.items() if type(t) in (torch.Tensor, nn.Parameter)}


def _changed(named, snapshot) -> tuple:
    """Names of the tensors in ``named`` whose values differ from ``snapshot`` (none on the meta device, which
    holds no values)."""
    return tuple(k for k, before in snapshot.items()
                 if before.device.type != "meta" and not torch.equal(named[k].detach(), before))


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
