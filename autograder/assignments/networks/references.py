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


class MLP(torch.nn.Module):
    """The reference multilayer perceptron: ``layers`` is an nn.ModuleList of nn.Linear(sizes[i], sizes[i + 1]);
    ``activation()`` follows every layer but the last (the output layer gives logits)."""

    def __init__(self, sizes, activation=torch.nn.ReLU):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.activation = activation()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)
