"""Assignment 2, "Linear algebra and least squares": the grader's answers (never shipped to students).

The hidden tests compare with these, and ``probes.py`` stores their outputs for the public checks that
have no torch function to compare with (``low_rank_approx``, ``sse_surface``).
"""
from __future__ import annotations

import torch


def sse_reference(a: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """sum_i (y_i - a x_i - b)^2 for every grid point, in float64."""
    a, b, x, y = (t.cpu().double() for t in (a, b, x, y))
    return ((y - a.unsqueeze(-1) * x - b.unsqueeze(-1)) ** 2).sum(-1)


def low_rank_reference(a: torch.Tensor, k: int) -> torch.Tensor:
    """The best rank-k approximation of ``a`` (Eckart-Young), in float64."""
    u, s, vh = torch.linalg.svd(a.cpu().double(), full_matrices=False)
    return (u[..., :, :k] * s[..., None, :k]) @ vh[..., :k, :]
