"""Assignment 6, "Gradient stability and weight initialisation": the grader's references (never shipped).

Each function here computes what a graded question computes (or the exact scale an initialiser must draw
with), so a student who could import it would have the answer; the hidden tests and the stored probes
(``probes.py``) use them.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from kitcheck.assignments.initialization_inputs import mlp_problem


def fan_in_and_fan_out_reference(shape) -> tuple[int, int]:
    """torch.nn.init's own fan-in and fan-out (ValueError for fewer than 2 dimensions)."""
    return tuple(nn.init._calculate_fan_in_and_fan_out(torch.empty(shape, device="meta")))


def xavier_scale(shape, gain: float, kind: str) -> float:
    """The bound of U(-b, b) (``kind="uniform"``) or the std of N(0, std^2) (``kind="normal"``) of Xavier."""
    fan_in, fan_out = fan_in_and_fan_out_reference(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return std * math.sqrt(3.0) if kind == "uniform" else std


def kaiming_scale(shape, a: float, mode: str, nonlinearity: str, kind: str) -> float:
    """The bound (``kind="uniform"``) or the std (``kind="normal"``) of Kaiming, with torch's gain."""
    fan_in, fan_out = fan_in_and_fan_out_reference(shape)
    std = nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    return std * math.sqrt(3.0) if kind == "uniform" else std


def init_model_reference(model, weight_init, bias):
    # The same layers, in the same order, as model.apply visits them: the random draws line up exactly.
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            weight_init(m.weight)
            if m.bias is not None:
                nn.init.constant_(m.bias, bias)
    return model


def grad_norms_reference(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float64, device="cpu"):
    """Norms of each nn.Linear weight's gradient of the MSE loss, by torch.autograd.grad (no .grad used)."""
    model, x, y = mlp_problem(sizes, activation, nested, seed, dtype, device)
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    grads = torch.autograd.grad(nn.functional.mse_loss(model(x), y), weights)
    return torch.stack([torch.linalg.vector_norm(g) for g in grads])


def dead_fraction_reference(sizes, nested=False, dead_units=2, seed=0, dtype=torch.float64, device="cpu", n=6):
    """Per ReLU: the fraction of its units that output 0 for every sample, by running the layers by hand."""
    model, x, _ = mlp_problem(sizes, "relu", nested, seed, dtype, device, dead_units, n)
    fractions, h = [], x
    for m in model.modules():
        if not list(m.children()):
            h = m(h)
            if isinstance(m, nn.ReLU):
                fractions.append((h == 0).all(dim=0).to(dtype).mean())
    return torch.stack(fractions)
