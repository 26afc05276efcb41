"""Stored probes of assignment 2: fixed inputs and the references' outputs, for the public checks of the
questions torch has no single function for (``kitcheck/data/linalg.pt``, built by ``autograder build``)."""
from __future__ import annotations

import torch

from kitcheck.assignments.linalg import singular_gap
from kitcheck.probes import Probe
from kitcheck.strategies import make_tensor

from .references import low_rank_reference, sse_reference

F64 = torch.float64


def low_rank_approx_probes() -> list[Probe]:
    # (m, n, k, seed), float64 as the public check always used: tall, wide and square matrices, k = 1 up to
    # full rank (where A_k = A). Every case has a clear gap after the k-th singular value (a unique answer).
    cases = [(1, 1, 1, 11), (3, 2, 1, 12), (2, 4, 1, 13), (4, 4, 2, 14), (3, 4, 2, 15), (4, 3, 3, 16)]
    found = []
    for m, n, k, seed in cases:
        a = make_tensor((m, n), F64, seed)
        if not singular_gap(a, k):
            raise ValueError(f"low_rank_approx probe {(m, n, k, seed)}: no clear singular-value gap")
        found.append(Probe({"A": a, "k": k}, low_rank_reference(a, k)))
    return found


def sse_surface_probes() -> list[Probe]:
    # (grid shape, n, seed), float64: a single (a, b), 1-d and 2-d grids, one data point and several; no
    # grid's last side equals n, so pairing grid points with data points (no unsqueeze) cannot pass.
    cases = [((), 3, 21), ((3,), 1, 22), ((2,), 3, 23), ((2, 3), 4, 24), ((3, 1), 2, 25)]
    found = []
    for grid, n, seed in cases:
        a, b = make_tensor(grid, F64, seed), make_tensor(grid, F64, seed + 1)
        x, y = make_tensor((n,), F64, seed + 2), make_tensor((n,), F64, seed + 3)
        found.append(Probe({"a": a, "b": b, "x": x, "y": y}, sse_reference(a, b, x, y)))
    return found


PROBES = {"low_rank_approx": low_rank_approx_probes, "sse_surface": sse_surface_probes}
