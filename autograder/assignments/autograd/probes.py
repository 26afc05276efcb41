"""Stored probes of assignment 3: the gradient of the linear-regression MSE and the path and losses of
gradient descent on it, for the public checks of ``linreg_grad`` and ``gradient_descent`` (no torch
function computes either with the questions' signatures)."""
from __future__ import annotations

import torch

from kitcheck.assignments.autograd import lipschitz
from kitcheck.probes import Probe
from kitcheck.strategies import make_tensor

from .references import gradient_descent_reference, linreg_grad_reference

# (n, d, seed): n samples, d features, float64. Every shape of the old random check (n in 1-4, d in 1-3);
# n > 1 and d > 1 in most, so a sum instead of a mean, or a division by d, shows.
LINREG_GRAD_CASES = [(1, 1, 11), (1, 3, 12), (2, 1, 13), (2, 2, 14), (3, 2, 15), (3, 3, 16), (4, 1, 17), (4, 3, 18)]

# (n, d, fraction, steps, seed): lr = fraction / L, rounded to 4 decimals as the old random check did.
GRADIENT_DESCENT_CASES = [(1, 1, 0.5, 1, 21), (1, 2, 1.0, 3, 22), (2, 1, 0.5, 2, 23), (2, 3, 1.0, 4, 24),
                          (3, 2, 0.5, 6, 25), (3, 3, 1.0, 5, 26), (4, 1, 1.0, 3, 27), (4, 2, 0.5, 6, 28)]


def linreg_grad_probes() -> list[Probe]:
    probes = []
    for n, d, seed in LINREG_GRAD_CASES:
        inputs = {"X": make_tensor((n, d), torch.float64, seed), "y": make_tensor((n,), torch.float64, seed + 1),
                  "w": make_tensor((d,), torch.float64, seed + 2)}
        probes.append(Probe(inputs, linreg_grad_reference(**inputs)))
    return probes


def gradient_descent_probes() -> list[Probe]:
    probes = []
    for n, d, fraction, steps, seed in GRADIENT_DESCENT_CASES:
        X, y = make_tensor((n, d), torch.float64, seed), make_tensor((n,), torch.float64, seed + 1)
        inputs = {"X": X, "y": y, "lr": round(fraction / lipschitz(X), 4), "steps": steps}
        path, losses = gradient_descent_reference(**inputs)
        probes.append(Probe(inputs, {"path": path, "losses": losses}))
    return probes


PROBES = {"linreg_grad": linreg_grad_probes, "gradient_descent": gradient_descent_probes}
