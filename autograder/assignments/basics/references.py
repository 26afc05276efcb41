"""Assignment 0, "Creating, indexing and reshaping tensors": the grader's answers (never shipped to students).

The hidden tests compare with these (or with torch's own function where the exercise re-implements one), and
``probes.py`` stores their outputs for the public checks that have no torch function to compare with.
"""
from __future__ import annotations

import torch


def tridiagonal_reference(d: torch.Tensor, off) -> torch.Tensor:
    """d on the main diagonal, ``off`` on the diagonals just above and below, zeros elsewhere; d's dtype and
    device."""
    band = torch.full((max(len(d) - 1, 0),), off, dtype=d.dtype, device=d.device)
    return torch.diag(d) + torch.diag(band, 1) + torch.diag(band, -1)


def values_in_range_reference(x: torch.Tensor, low, high) -> torch.Tensor:
    """The elements v of x with low <= v < high, in row-major order (NaN is never in range)."""
    return x[(x >= low) & (x < high)]
