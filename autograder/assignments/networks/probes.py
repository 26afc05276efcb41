"""Stored probes of assignment 4: the public checks of step_neuron, xor_forward and MLP compare with these
(torch has no function to compare with); the expected outputs come from ``references.py``."""
import torch

from kitcheck.assignments.networks_drivers import module_run
from kitcheck.assignments.networks_inputs import TRUTH_TABLE, mlp_case
from kitcheck.probes import Probe
from kitcheck.strategies import make_tensor

from .references import MLP, step_reference, xor_reference

# (n, d, seed) of the random cases of step_neuron, in float64 with b = 0.5 as the public check always had.
STEP_CASES = [(1, 1, 0), (3, 2, 1), (4, 3, 2), (5, 1, 3), (2, 3, 4), (5, 2, 5)]


def step_neuron_probes() -> list[Probe]:
    w = torch.tensor([1.0, 1.0])
    probes = [Probe({"x": TRUTH_TABLE, "w": w, "b": b}, step_reference(TRUTH_TABLE, w, b))
              for b in (-1.5, -1.0)]  # the AND and the OR gate (the public check names them by b)
    for n, d, seed in STEP_CASES:
        x, w = make_tensor((n, d), torch.float64, seed), make_tensor((d,), torch.float64, seed + 1)
        probes.append(Probe({"x": x, "w": w, "b": 0.5}, step_reference(x, w, 0.5)))
    return probes


def xor_forward_probes() -> list[Probe]:
    return [Probe({"x": TRUTH_TABLE.to(dtype)}, xor_reference(TRUTH_TABLE.to(dtype)))
            for dtype in (torch.float32, torch.float64)]


# (sizes, activation, batch, seed) of the public check of MLP: float64, answers from the reference MLP.
MLP_CASES = [([2, 3, 1], "ReLU", 4, 0), ([3, 4, 4, 2], "Tanh", 3, 1), ([2, 2], "Sigmoid", 2, 2),
             ([4, 3, 2], "Sigmoid", 3, 3)]


def mlp_probes() -> list[Probe]:
    probes = []
    for sizes, activation, batch, seed in MLP_CASES:
        state, x, upstream = mlp_case(sizes, batch, torch.float64, seed)
        expected = module_run(MLP, (sizes,), {"activation": activation}, state, x, upstream)
        probes.append(Probe({"sizes": sizes, "activation": activation, "state": state, "x": x, "upstream": upstream},
                            expected))
    return probes


PROBES = {"step_neuron": step_neuron_probes, "xor_forward": xor_forward_probes, "MLP": mlp_probes}
