"""Reference answers of assignment 4, "Single-layer networks and losses" (grader side, never shipped).

The losses and activations are checked against torch's own functions; the two questions torch has no
function for are answered here. The hidden tests import these, and ``probes.py`` computes the stored
answers of the public checks with them.
"""
import torch


def step_reference(x: torch.Tensor, w: torch.Tensor, b: float) -> torch.Tensor:
    """A step neuron: 1 where x @ w + b >= 0 (computed in float64), else 0, in x's dtype."""
    return (x.double() @ w.double() + b >= 0).to(x.dtype)


def xor_reference(x: torch.Tensor) -> torch.Tensor:
    """XOR of the two columns of a 0/1 tensor, in x's dtype."""
    return (x[:, 0] != x[:, 1]).to(x.dtype)
