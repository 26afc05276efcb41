"""Assignment 5's stored probes: the public checks' inputs and the references' answers, saved as data in
``kitcheck/data/training.pt`` (the student package holds no reference code)."""
from __future__ import annotations

import torch

from kitcheck.probes import Probe

from .references import reference_accuracy, reference_fit, reference_fit_with_tensorboard, reference_loss


def small_problem(kind: str, n: int, d: int, seed: int, dtype: torch.dtype = torch.float32, device: str = "cpu",
                  classes: int = 3) -> dict:
    """Inputs for the loader and training drivers: data and the parameters of an nn.Linear."""
    g = torch.Generator().manual_seed(seed)
    out = 1 if kind == "mse" else classes
    X = (torch.randn(n, d, generator=g, dtype=torch.float64) * 1.5).round(decimals=2)
    weight = (torch.randn(out, d, generator=g, dtype=torch.float64) * 0.5).round(decimals=2)
    bias = (torch.randn(out, generator=g, dtype=torch.float64) * 0.5).round(decimals=2)
    if kind == "mse":
        y = (X @ torch.tensor([1.5, -2.0, 0.5, 1.0][:d], dtype=torch.float64)).unsqueeze(1) + 0.3
        y = (y + 0.5 * torch.randn(n, 1, generator=g, dtype=torch.float64)).round(decimals=2).to(dtype).to(device)
    else:
        # labels agree with the model on about half the samples, so accuracies are far from 0 and 1
        agree = torch.rand(n, generator=g) < 0.5
        y = torch.where(agree, (X @ weight.T + bias).argmax(dim=1), torch.randint(0, classes, (n,), generator=g))
        y = y.to(device)
    return {"X": X.to(dtype).to(device), "y": y, "weight": weight.to(dtype).to(device),
            "bias": bias.to(dtype).to(device)}


def tensorboard_problem(loss: str, n_train: int, n_test: int, d: int, seed: int, dtype=torch.float32,
                        device: str = "cpu") -> dict:
    """Training and test sets from one ``small_problem`` (the test set its last ``n_test`` rows)."""
    p = small_problem(loss, n_train + n_test, d, seed, dtype, device)
    return {"X_train": p["X"][:n_train], "y_train": p["y"][:n_train], "X_test": p["X"][n_train:],
            "y_test": p["y"][n_train:], "weight": p["weight"], "bias": p["bias"]}


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


def fit_with_tensorboard() -> list[Probe]:
    """3 epochs of SGD on a small MSE problem: (training losses, test losses, weight, bias) in float64."""
    inputs = {**tensorboard_problem("mse", 10, 6, 3, 4), "batch_size": 4, "epochs": 3, "loss": "mse", "lr": 0.05}
    return [Probe(inputs, reference_fit_with_tensorboard(*inputs.values()))]


PROBES = {"loss_with_loader": loss_with_loader, "accuracy_with_loader": accuracy_with_loader, "fit": fit,
          "fit_with_tensorboard": fit_with_tensorboard}
