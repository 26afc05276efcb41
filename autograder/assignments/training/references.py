"""Assignment 5, "The data pipeline and the training loop": the grader's references (never shipped).

The hidden tests compare students' losses, accuracies and training loops with these; ``probes.py`` stores their
outputs on the public checks' inputs in ``kitcheck/data/training.pt``.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch

from autograder.remembered import remembered
from kitcheck.assignments.training_drivers import LOSSES, _linear, _loader


@remembered
def reference_fit(X, y, weight, bias, batch_size, epochs, loss, lr, momentum=0.0):
    """The training loop the exercise asks for, in float64 on the CPU: returns (epoch losses, weight, bias)."""
    model = _linear(weight.cpu().double(), bias.cpu().double())
    targets = y.cpu().double() if loss == "mse" else y.cpu()
    loader = _loader(X.cpu().double(), targets, batch_size)
    loss_fn, optimizer = LOSSES[loss](), torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            batch_loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            total += batch_loss.item() * len(xb)
        losses.append(total / len(X))
    return losses, model.weight.detach(), model.bias.detach()


@remembered
def reference_loss(inputs: Mapping[str, Any], loss: str) -> float:
    """The mean per-sample loss of the ``nn.Linear`` (weight, bias) over all of (X, y), in float64."""
    X, y, weight, bias = (inputs[k].cpu().double() if inputs[k].is_floating_point() else inputs[k].cpu()
                          for k in ("X", "y", "weight", "bias"))
    return LOSSES[loss]()(X @ weight.T + bias, y).item()


@remembered
def reference_accuracy(inputs: Mapping[str, Any]) -> float:
    """The fraction of (X, y) the ``nn.Linear`` classifier (weight, bias) gets right, in float64."""
    X, weight, bias = (inputs[k].cpu().double() for k in ("X", "weight", "bias"))
    return ((X @ weight.T + bias).argmax(dim=1) == inputs["y"].cpu()).double().mean().item()


@remembered
def reference_fit_with_tensorboard(X_train, y_train, X_test, y_test, weight, bias, batch_size, epochs, loss, lr,
                                   momentum=0.0):
    """What fit_with_tensorboard must log, in float64 on the CPU: (training losses, test losses after each epoch,
    weight, bias); the test loss is the mean per-sample loss over the test set."""
    model = _linear(weight.cpu().double(), bias.cpu().double())
    def prepare(y):
        return y.cpu().double() if loss == "mse" else y.cpu()
    loader = _loader(X_train.cpu().double(), prepare(y_train), batch_size)
    X_test, y_test = X_test.cpu().double(), prepare(y_test)
    loss_fn, optimizer = LOSSES[loss](), torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    train_losses, test_losses = [], []
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            batch_loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            total += batch_loss.item() * len(xb)
        train_losses.append(total / len(X_train))
        with torch.no_grad():
            test_losses.append(loss_fn(model(X_test), y_test).item())
    return train_losses, test_losses, model.weight.detach(), model.bias.detach()
