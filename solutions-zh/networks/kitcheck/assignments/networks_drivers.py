"""Drivers of assignment 4 (students see this file): they run the student's functions and nn.Modules where they
live (gradients, Jacobians, a module built, loaded and run) and return plain data (see ``kitcheck.drivers``)."""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from ..drivers import seed_torch


def jacobians(fn: Callable, *args: Any) -> tuple:
    """``fn(*args)`` with its float tensor arguments made float64 leaves, and autograd's Jacobian of the result
    with respect to each of them: ``(result, (jacobian, ...))``, a jacobian's row k holding the gradient of the
    result's element k (zeros where no gradient reaches), or ``(result, None)`` for a result that is not a
    tensor. Values only: the grader compares them with finite differences of torch's function."""
    positions = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point()]
    full = list(args)
    for i in positions:
        full[i] = args[i].detach().double().requires_grad_(True)
    leaves = [full[i] for i in positions]
    out = fn(*full)
    if type(out) is not torch.Tensor:
        return out, None
    flat = out.reshape(-1)
    rows = []
    for k in range(flat.numel()):
        grads = (torch.autograd.grad(flat[k], leaves, retain_graph=True, allow_unused=True) if flat.requires_grad
                 else (None,) * len(leaves))
        rows.append([torch.zeros(t.numel(), dtype=torch.float64) if g is None else g.detach().reshape(-1).double()
                     for g, t in zip(grads, leaves)])
    return out.detach(), tuple(torch.stack([row[j] for row in rows]) if rows
                               else torch.zeros(0, t.numel(), dtype=torch.float64) for j, t in enumerate(leaves))


ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}


def _build(cls: Callable, args: tuple, kwargs: dict) -> Any:
    """``cls(*args, **kwargs)``, where an ``activation`` given by name ("Tanh") is passed as its class (nn.Tanh)."""
    kwargs = {k: ACTIVATIONS[v] if k == "activation" else v for k, v in kwargs.items()}
    return cls(*args, **kwargs)


def _items(module: Any) -> list:
    return [(name, t.detach().clone()) for name, t in module.state_dict().items()]


def module_init(cls: Callable, args: tuple, kwargs: dict, seed: int) -> tuple:
    """Build ``cls(*args, **kwargs)`` after ``torch.manual_seed(seed)``, again after the same seed, and once more
    right after that. Values only: ``(state_dict of the first as [(name, tensor)], of the second, of the third,
    [names in the first one's named_parameters()])``."""
    seed_torch(seed)
    first = _build(cls, args, kwargs)
    seed_torch(seed)
    again = _build(cls, args, kwargs)
    after = _build(cls, args, kwargs)
    return _items(first), _items(again), _items(after), [name for name, _ in first.named_parameters()]


def module_run(cls: Callable, args: tuple, kwargs: dict, state: list, x: torch.Tensor,
               upstream: torch.Tensor) -> tuple:
    """Build ``cls(*args, **kwargs)``, move it to x's device and dtype with ``.to()``, ``load_state_dict`` the
    ``[(name, tensor)]`` pairs in ``state``, call it on a copy of x that requires grad and backpropagate
    ``sum(out * upstream)``; then call it once more on a plain copy of x. Values only: ``(out, grad of x,
    [(name, grad)] over named_parameters(), the plain copy of x after the second call)``."""
    module = _build(cls, args, kwargs).to(device=x.device, dtype=x.dtype)
    module.load_state_dict({name: t.to(device=x.device, dtype=x.dtype) for name, t in state})
    leaf = x.detach().clone().requires_grad_(True)
    out = module(leaf)
    if type(out) is torch.Tensor and out.requires_grad and out.shape == upstream.shape:
        (out * upstream.to(out.device, out.dtype)).sum().backward()
    grads = [(name, None if p.grad is None else p.grad.detach().clone()) for name, p in module.named_parameters()]
    plain = x.detach().clone()
    module(plain)
    return (out.detach() if type(out) is torch.Tensor else out), leaf.grad, grads, plain
