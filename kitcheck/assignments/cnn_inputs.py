"""Inputs of assignment 8's checks (students see this file): hypothesis strategies for convolutions and
pooling, and tensors built to make a mistake show (ties, distinct values, values away from zero)."""
from __future__ import annotations

import math
from typing import Any, Mapping

import torch
from hypothesis import strategies as st

from ..strategies import make_tensor


def pair(v: Any) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(3, 5) -> (3, 5)``: how torch reads a kernel size, stride, padding or dilation."""
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def step_edge() -> torch.Tensor:
    """The lesson's 6x6 image: dark on the left, bright (10) on the right."""
    image = torch.zeros(6, 6)
    image[:, 3:] = 10.0
    return image


@st.composite
def conv_cases(draw, max_batch: int = 2, max_groups: int = 3):
    """Hyper-parameters of a small convolution whose output is at least 1x1."""
    groups = draw(st.integers(1, max_groups), label="groups")
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    hyper = {}
    for name, low, high in (("stride", 1, 3), ("padding", 0, 2), ("dilation", 1, 2)):
        hyper[name] = draw(st.one_of(st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high))),
                           label=name)
    sizes = []
    for i in range(2):
        smallest = max(1, pair(hyper["dilation"])[i] * (kernel[i] - 1) + 1 - 2 * pair(hyper["padding"])[i])
        sizes.append(draw(st.integers(smallest, smallest + 4)))
    return {"batch": draw(st.integers(1, max_batch)), "c_in": c_in, "c_out": c_out, "kernel": kernel,
            "size": tuple(sizes), "bias": draw(st.booleans(), label="bias"), "groups": groups, **hyper}


def conv_inputs(case: Mapping[str, Any], dtype: torch.dtype, seed: int, device: str = "cpu") -> dict:
    """The inputs of ``conv2d`` for a case of ``conv_cases``, in the order of its signature."""
    n, c_in, c_out, g = case["batch"], case["c_in"], case["c_out"], case["groups"]
    x = make_tensor((n, c_in, *case["size"]), dtype, seed, device)
    weight = make_tensor((c_out, c_in // g, *case["kernel"]), dtype, seed + 1, device, low=-1.0, high=1.0)
    bias = make_tensor((c_out,), dtype, seed + 2, device) if case["bias"] else None
    return {"x": x, "weight": weight, "bias": bias, "stride": case["stride"], "padding": case["padding"],
            "dilation": case["dilation"], "groups": g}


@st.composite
def pool_cases(draw, max_batch: int = 2, max_kernel: int = 3):
    """Hyper-parameters for max/avg pooling that torch accepts (padding at most half the kernel)."""
    side = st.integers(1, max_kernel)
    kernel = draw(st.one_of(side, st.tuples(side, side)), label="kernel_size")
    kh, kw = pair(kernel)
    step = st.integers(1, 3)
    stride = draw(st.one_of(st.none(), step, st.tuples(step, step)), label="stride")
    padding = draw(st.one_of(st.integers(0, min(kh, kw) // 2),
                             st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2))), label="padding")
    ph, pw = pair(padding)
    size = (draw(st.integers(max(1, kh - 2 * ph), kh + 4)), draw(st.integers(max(1, kw - 2 * pw), kw + 4)))
    return {"shape": (draw(st.integers(1, max_batch)), draw(st.integers(1, 3)), *size), "kernel_size": kernel,
            "stride": stride, "padding": padding}


def with_ties(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Small integers from -3 to 1: windows often hold equal values, and all-negative ones."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-3, 2, shape, generator=g).to(dtype).to(device)


def all_distinct(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Values that are all different (a unique maximum in every window: the gradient is unambiguous)."""
    g = torch.Generator().manual_seed(seed)
    n = math.prod(shape)
    return (torch.randperm(n, generator=g).to(torch.float64) * 0.25 - n / 8).reshape(shape).to(dtype).to(device)


def pool_inputs(case: Mapping[str, Any], x: torch.Tensor, **extra: Any) -> dict:
    return {"x": x, "kernel_size": case["kernel_size"], "stride": case["stride"], "padding": case["padding"], **extra}


def away_from_zero(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Values in +-[0.5, 2]: a dropped element (0) never looks like a kept one."""
    g = torch.Generator().manual_seed(seed)
    magnitude = 0.5 + 1.5 * torch.rand(shape, generator=g, dtype=torch.float64)
    sign = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).double()
    return (magnitude * sign).round(decimals=2).to(dtype).to(device)

