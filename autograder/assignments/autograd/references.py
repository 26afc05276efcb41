"""Assignment 3, "Autograd and gradient descent": the grader's answers (never shipped).

The hidden tests compare with these; ``probes.py`` stores some of their outputs for the public checks.
The oracles are torch's own: autograd in float64 (the gradients), the closed-form gradient of the MSE
(gradient descent's path), and torch.optim.SGD (the optimiser steps).
"""
from __future__ import annotations

import torch

from autograder.remembered import remembered
from kitcheck.assignments.autograd import FUNCTIONS


@remembered
def autograd_gradient(f: str, x: torch.Tensor) -> torch.Tensor:
    """The exact gradient of FUNCTIONS[f] at x, by autograd in float64."""
    leaf = x.detach().cpu().double().requires_grad_(True)
    (grad,) = torch.autograd.grad(FUNCTIONS[f](leaf), leaf)
    return grad


def mse(X, y, w):
    return ((X @ w - y) ** 2).mean()


@remembered
def linreg_grad_reference(X, y, w):
    """d/dw of mean((X w - y)^2), by autograd in float64."""
    w64 = w.detach().cpu().double().requires_grad_(True)
    (grad,) = torch.autograd.grad(mse(X.cpu().double(), y.cpu().double(), w64), w64)
    return grad


@remembered
def gradient_descent_reference(X, y, lr, steps):
    """(path, losses) of gradient descent on the MSE from w = 0, by the closed-form gradient in float64."""
    X, y = X.cpu().double(), y.cpu().double()
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    path, losses = [w], []
    for _ in range(steps):
        residual = X @ w - y
        losses.append((residual ** 2).mean())
        w = w - lr * 2 / X.shape[0] * (X.T @ residual)
        path.append(w)
    return torch.stack(path), torch.stack(losses)


@remembered
def sgd_reference(X, y, w, b, lr, steps, momentum=0.0, set_to_none=True):
    """The fit of y = X w + b that ``sgd_driver``/``momentum_driver``/``step_driver`` run, with
    torch.optim.SGD in float64 (``set_to_none``: how the loop zeroes the gradients between steps)."""
    w = w.detach().cpu().double().clone().requires_grad_(True)  # clone: the inputs must stay as they were
    b = b.detach().cpu().double().clone().requires_grad_(True)
    X, y = X.cpu().double(), y.cpu().double()
    opt = torch.optim.SGD([w, b], lr=lr, momentum=momentum or 0.0)
    for _ in range(steps):
        opt.zero_grad(set_to_none=set_to_none)
        ((X @ w + b - y) ** 2).mean().backward()
        opt.step()
    return {"w": w.detach(), "b": b.detach()}
