"""Drivers of assignment 8 (students see this file): they run a student's function or module where it lives and
return plain data (see ``kitcheck.drivers``); the module drivers shared with other assignments are in
``kitcheck.modules``."""
from __future__ import annotations

from typing import Any, Callable

import torch
import torch.nn.functional as F
import torch.utils._python_dispatch

from ..drivers import _device_mixes, seed_torch, value_and_grad
from ..modules import build, loaded


# Meta tensors stand for "not the CPU". So that correct code is never refused: a value read out of one (.item(),
# an `if`) is a placeholder (0, 0.0, False); operations given a CPU tensor beside a meta one (a GPU refuses them,
# F.conv2d on meta does not) are recorded; code meta cannot run (numpy, .cpu()) runs on the CPU, in float64.
class _Placeholders(torch.utils._python_dispatch.TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default and args[0].device.type == "meta":
            return False if args[0].dtype == torch.bool else 0.0 if args[0].is_floating_point() else 0
        return func(*args, **(kwargs or {}))


def on_meta(fn: Callable, *args: Any, module_args: tuple | None = None) -> tuple:
    """Driver: ``fn(*args)`` (or, given ``module_args``, ``fn(*module_args)`` moved to meta and called on ``args``:
    ``x, training``), values read as placeholders: (the result, [operations given tensors on two devices])."""
    if module_args is not None:
        # Made on the CPU, then moved: a tensor the module keeps outside its parameters and buffers stays behind.
        fn = build(fn, module_args).to("meta").train(args[1])
        args = args[:1]
    mixes = _device_mixes()
    with _Placeholders(), mixes:
        out = fn(*args)
    return out, list(mixes.found)


def dropout_run(dropout: Callable, x: torch.Tensor, p: float, training: bool, seed: int) -> tuple:
    """Driver: seed torch's generator, then ``dropout(x, p, training)`` and its gradient with respect to x
    (upstream gradient: ones), as ``(out, grad)``."""
    seed_torch(seed)
    out, grads = value_and_grad(lambda t: dropout(t, p, training), x)
    return out, (grads[0] if grads else None)


def module_sgd(cls: Callable, args: tuple, state: dict, x: torch.Tensor, y: torch.Tensor, steps: int,
               lr: float) -> torch.Tensor:
    """Driver: load ``state``, then ``steps`` steps of plain SGD on the cross-entropy of (x, y), full batch.
    Returns the loss before each step."""
    module = loaded(cls, args, state, x)
    module.train()
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(module(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses)
