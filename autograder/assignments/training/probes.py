"""Assignment 5's stored probes: the public checks' inputs and the references' answers, saved as data in
``kitcheck/data/training.pt`` (the student package holds no reference code)."""
from __future__ import annotations

from kitcheck.assignments.training import small_problem
from kitcheck.probes import Probe

from .references import reference_accuracy, reference_fit, reference_loss


def loss_with_loader() -> list[Probe]:
    """An MSE and a cross-entropy problem, 10 samples in batches of 4 (a smaller last batch)."""
    out = []
    for loss, seed in (("mse", 0), ("cross_entropy", 1)):
        inputs = {**small_problem(loss, 10, 3, seed), "batch_size": 4, "loss": loss}
        out.append(Probe(inputs, reference_loss(inputs, loss)))
    return out


def accuracy_with_loader() -> list[Probe]:
    """A 3-class linear classifier that agrees with about half of 10 labels, in batches of 4."""
    inputs = {**small_problem("cross_entropy", 10, 3, 2), "batch_size": 4}
    return [Probe(inputs, reference_accuracy(inputs))]


def fit() -> list[Probe]:
    """3 epochs of SGD on a small MSE problem: (epoch losses, trained weight, trained bias) in float64."""
    inputs = {**small_problem("mse", 10, 3, 3), "batch_size": 4, "epochs": 3, "loss": "mse", "lr": 0.05}
    return [Probe(inputs, reference_fit(*inputs.values()))]


PROBES = {"loss_with_loader": loss_with_loader, "accuracy_with_loader": accuracy_with_loader, "fit": fit}
