"""Inputs of assignment 4's checks (students see this file): labels, the XOR truth table, random weights for a
module's state_dict, and the inputs of one MyLinear or MLP run."""
from __future__ import annotations

import torch

from ..strategies import make_tensor


REDUCTIONS = ("mean", "sum", "none")


def binary_labels(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, shape, generator=g).to(dtype).to(device)


def class_labels(n: int, classes: int, seed: int, device: str = "cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, classes, (n,), generator=g).to(device)


TRUTH_TABLE = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def reference_state(structure: list, seed: int) -> list:
    """Random float64 weights ``[(name, tensor)]`` for a state_dict structure ``[(name, shape)]``: values in
    [-1, 1], so every unit's pre-activation takes both signs."""
    return [(name, make_tensor(tuple(shape), torch.float64, seed + 11 * i, low=-1.0, high=1.0))
            for i, (name, shape) in enumerate(structure)]


def structure_of(items: list) -> list:
    """``[(name, shape)]`` of state_dict items ``[(name, tensor)]``."""
    return [(name, tuple(t.shape)) for name, t in items]


def linear_case(in_features: int, out_features: int, bias: bool, batch: tuple, dtype: torch.dtype, seed: int,
                device: str = "cpu") -> tuple:
    """Inputs of one MyLinear run: ``(args, kwargs, state, x, upstream)``, the state shaped like nn.Linear's."""
    structure = [("weight", (out_features, in_features))] + ([("bias", (out_features,))] if bias else [])
    state = reference_state(structure, seed)
    x = make_tensor((*batch, in_features), dtype, seed + 1, device)
    upstream = make_tensor((*batch, out_features), dtype, seed + 2, device, low=0.5, high=1.5)
    return (in_features, out_features), {"bias": bias}, state, x, upstream


def mlp_structure(sizes: list) -> list:
    """The state_dict of an MLP over ``sizes``: ``layers.i`` is nn.Linear(sizes[i], sizes[i + 1])."""
    return [item for i, (a, b) in enumerate(zip(sizes, sizes[1:]))
            for item in ((f"layers.{i}.weight", (b, a)), (f"layers.{i}.bias", (b,)))]


def mlp_case(sizes: list, batch: int, dtype: torch.dtype, seed: int, device: str = "cpu") -> tuple:
    """Inputs of one MLP run: ``(state, x, upstream)``."""
    state = reference_state(mlp_structure(sizes), seed)
    x = make_tensor((batch, sizes[0]), dtype, seed + 1, device, low=-2.0, high=2.0)
    upstream = make_tensor((batch, sizes[-1]), dtype, seed + 2, device, low=0.5, high=1.5)
    return state, x, upstream
