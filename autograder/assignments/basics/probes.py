"""Stored probes of assignment 0: fixed inputs and the references' outputs, for the public checks of the
questions torch has no single function for (``kitcheck/data/basics.pt``, built by ``autograder build``)."""
from __future__ import annotations

import torch

from kitcheck.assignments.basics import values_of
from kitcheck.probes import Probe

from .references import tridiagonal_reference, values_in_range_reference


def tridiagonal_probes() -> list[Probe]:
    # (length, dtype, off, seed): one element (no off-diagonal at all), integer diagonals (the result stays
    # integer), float32 and float64, a negative off.
    cases = [(4, torch.float32, 0.5, 1), (1, torch.int64, 2, 2), (3, torch.int32, 7, 3), (5, torch.float64, -1.5, 4),
             (2, torch.int64, -3, 5)]
    found = []
    for n, dtype, off, seed in cases:
        d = values_of((n,), dtype, seed)
        found.append(Probe({"d": d, "off": off}, tridiagonal_reference(d, off)))
    return found


def values_in_range_probes() -> list[Probe]:
    # Float values with both ends present (low is kept, high is not), a NaN and infinities (never in range
    # for finite bounds), integers, 1-d and 2-d, and a range nothing falls into.
    x = torch.tensor([[0.5, -1.0, 2.0, float("nan")], [1.0, float("inf"), 0.0, 1.99]])
    cases = [(x, 0.0, 2.0), (values_of((3, 4), torch.int64, 7), -2, 3), (values_of((6,), torch.float64, 8), -1.0, 1.5),
             (values_of((2, 3), torch.int32, 9), 100, 200), (torch.tensor([-float("inf"), -5.0, 5.0]), -10.0, 10.0)]
    return [Probe({"x": x, "low": low, "high": high}, values_in_range_reference(x, low, high))
            for x, low, high in cases]


PROBES = {"tridiagonal": tridiagonal_probes, "values_in_range": values_in_range_probes}
