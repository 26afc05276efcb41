"""Inputs of assignment 7's checks (students see this file): batches for batch norm whose channels are never
near-constant, the memory layouts they reach the student's code in, and the arguments of ``plateau_lrs``."""
from __future__ import annotations

import math

import torch

from ..strategies import make_distinct, make_tensor


def features(n: int, d: int, dtype, seed: int, device="cpu") -> torch.Tensor:
    """(n, d) data whose columns are never constant (distinct values), on different scales and offsets."""
    base = make_distinct((d, n), torch.float64, seed).T  # distinct along each column
    scale = make_tensor((1, d), torch.float64, seed + 1, low=0.5, high=2.0)
    offset = make_tensor((1, d), torch.float64, seed + 2, low=-5.0, high=5.0)
    return (base * scale + offset).to(dtype).to(device)


def bn_batch(shape, dtype, seed, device="cpu", offset=0.0) -> torch.Tensor:
    """A batch of ``shape`` (N, C, *) whose values within each channel are at least 0.15 apart, so every
    channel's variance is well away from 0 (a near-constant channel makes batch norm ill-conditioned)."""
    c = shape[1]
    m = math.prod(shape) // c  # values per channel
    spread = make_distinct((c, m), torch.float64, seed)  # 0.5 apart within each row
    noise = make_tensor((c, m), torch.float64, seed + 1, low=-0.1, high=0.1)
    scale = make_tensor((c, 1), torch.float64, seed + 2, low=0.5, high=2.0)
    shift = make_tensor((c, 1), torch.float64, seed + 3, low=-2.0, high=2.0) + offset
    values = ((spread + noise) * scale + shift).round(decimals=2)
    values = values.reshape(c, shape[0], *shape[2:]).movedim(0, 1)
    return values.contiguous().to(dtype).to(device)


def bn_inputs(shape, dtype, seed, device="cpu"):
    """x of ``shape`` (N, C, *), running statistics, weight, bias and an upstream gradient, all reproducible."""
    c = shape[1]
    x = bn_batch(shape, dtype, seed, device)
    running_mean = make_tensor((c,), dtype, seed + 1, device, low=-1.0, high=1.0)
    running_var = make_tensor((c,), dtype, seed + 2, device, low=0.5, high=2.0)
    weight = make_tensor((c,), dtype, seed + 3, device, low=0.5, high=2.0)
    bias = make_tensor((c,), dtype, seed + 4, device, low=-1.0, high=1.0)
    upstream = make_tensor(shape, dtype, seed + 5, device)
    return x, running_mean, running_var, weight, bias, upstream


LAYOUTS = ("contiguous", "transposed", "sliced")


def laid_out(t: torch.Tensor, how: str) -> torch.Tensor:
    """The values of ``t`` as a view with another memory layout: ``transposed`` (the last two dims stored the
    other way round) or ``sliced`` (every other element of a larger tensor). Gradients still reach ``t``."""
    if how == "transposed" and t.dim() >= 2:
        return t.mT.contiguous().mT
    if how == "sliced" and t.dim() >= 1 and t.numel() > 1:
        return torch.stack((t, t), dim=-1).flatten(-2)[..., ::2]
    return t


def plateau_inputs(losses, lr, factor=0.1, patience=10, threshold=1e-4, mode="min", threshold_mode="rel",
                   cooldown=0, min_lr=0.0, eps=1e-8) -> dict:
    """The arguments of ``plateau_lrs`` by name, in its order."""
    return {"losses": list(losses), "lr": lr, "factor": factor, "patience": patience, "threshold": threshold,
            "mode": mode, "threshold_mode": threshold_mode, "cooldown": cooldown, "min_lr": min_lr, "eps": eps}
