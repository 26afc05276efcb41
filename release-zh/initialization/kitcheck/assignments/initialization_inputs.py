"""Inputs of assignment 6's checks (students see this file): the weight shapes and nonlinearities the
initialisers are tried on, and the small models (and data) the drivers initialise and train, rebuilt identically
from plain arguments."""
from __future__ import annotations

import math

import torch
from torch import nn

from ..strategies import make_tensor
from ..drivers import seed_torch


# Weight shapes with at least 4096 elements (enough for tight statistics) whose fan-in and fan-out differ
# by a factor of at least 2 (so swapping them changes the scale by at least sqrt(2)): nn.Linear (out, in),
# Conv1d (out, in, k), Conv2d (out, in, kh, kw) and Conv3d weights.
INIT_SHAPES = [(128, 32), (32, 128), (64, 16, 3, 3), (16, 64, 3, 3), (48, 24, 5), (32, 8, 3, 3, 3)]
NONLINEARITIES = ["leaky_relu", "relu", "linear", "sigmoid", "tanh"]


def grad_weights(shape, dtype=torch.float32, device="cpu") -> torch.Tensor:
    """The weights w of ``sum(tensor * w)``, whose gradient with respect to the tensor is w itself."""
    n = math.prod(shape)
    return (torch.arange(n, dtype=dtype, device=device).reshape(shape) + 1) / max(n, 1)


class TwoTower(nn.Module):
    """A model that is not a Sequential: layers are attributes, some of them nested."""

    def __init__(self):
        super().__init__()
        self.left = nn.Linear(6, 5)
        self.right = nn.Sequential(nn.Conv2d(2, 3, 3, bias=False), nn.BatchNorm2d(3), nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(12, 4), nn.Tanh()), nn.Linear(4, 2))


def build_model(arch: str, seed: int = 0, dtype=torch.float32, device="cpu") -> nn.Module:
    """The small models the tests initialise, rebuilt identically from plain arguments."""
    with torch.random.fork_rng(devices=[]):  # leave the notebook's own random state alone
        seed_torch(seed)
        return _build_model(arch).to(device=device, dtype=dtype)


def _build_model(arch: str) -> nn.Module:
    model: nn.Module
    if arch == "mlp":
        model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    elif arch == "nested":
        model = nn.Sequential(nn.Sequential(nn.Linear(5, 8), nn.ReLU()),
                              nn.Sequential(nn.Linear(8, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU()),
                              nn.Linear(8, 3))
    elif arch == "conv":
        model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.Conv2d(4, 4, 3, bias=False), nn.Flatten(), nn.Linear(16, 3))
    elif arch == "towers":
        model = TwoTower()
    elif arch == "mixed":  # layers with weights that are neither Linear nor Conv2d: they must stay as they are
        model = nn.Sequential(nn.Embedding(6, 4), nn.Conv1d(4, 4, 3), nn.Flatten(), nn.Linear(8, 3), nn.LayerNorm(3))
    else:
        raise ValueError(f"unknown architecture {arch!r}")
    return model


def make_mlp(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float32, device="cpu",
             dead_units=0) -> nn.Sequential:
    """Linear layers of the given sizes with ``activation`` between them (none after the last).

    ``nested`` groups each Linear with its activation in a sub-Sequential. ``dead_units`` sets that many
    biases of each hidden layer to -100 (those ReLUs never fire) and as many to +100 (they always do).
    """
    with torch.random.fork_rng(devices=[]):  # leave the notebook's own random state alone
        seed_torch(seed)
        return _make_mlp(sizes, activation, nested, dead_units).to(device=device, dtype=dtype)


def _make_mlp(sizes, activation, nested, dead_units) -> nn.Sequential:
    act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[activation]
    blocks: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(a, b)
        if i < len(sizes) - 2:
            if dead_units:
                with torch.no_grad():
                    order = torch.randperm(b)
                    linear.bias[order[:dead_units]] = -100.0
                    linear.bias[order[dead_units:2 * dead_units]] = 100.0
            blocks.append(nn.Sequential(linear, act()) if nested else linear)
            if not nested:
                blocks.append(act())
        else:
            blocks.append(linear)
    return nn.Sequential(*blocks)


def mlp_problem(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float32, device="cpu",
                dead_units=0, n=8):
    """A model from ``make_mlp`` and inputs x (n, sizes[0]), targets y (n, sizes[-1])."""
    model = make_mlp(sizes, activation, nested, seed, dtype, device, dead_units)
    x = make_tensor((n, sizes[0]), dtype, seed + 1).to(device)
    y = make_tensor((n, sizes[-1]), dtype, seed + 2).to(device)
    return model, x, y


def mlp_parameters(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float32, device="cpu") -> list:
    """The parameters of ``make_mlp(...)``, as built (what ``run_layer_grad_norms`` must leave unchanged)."""
    return [p.detach().clone() for p in make_mlp(sizes, activation, nested, seed, dtype, device).parameters()]
