"""Assignment 6's stored probes: the public checks' fixed cases and the right answers, computed at build time
by the references and shipped as data (``kitcheck/data/initialization.pt``).

Inputs are named like the arguments of the public check's helper or driver, in call order.
"""
from __future__ import annotations

import math

import torch

from kitcheck.assignments.initialization_drivers import run_init_model
from kitcheck.probes import Probe

from .references import (dead_fraction_reference, grad_norms_reference, init_model_reference, kaiming_scale,
                         xavier_scale)

# shape, gain, seed, dtype, as_parameter
XAVIER_CASES = [((128, 32), 1.0, 0, torch.float64, False), ((32, 128), 5 / 3, 1, torch.float64, False),
                ((64, 16, 3, 3), math.sqrt(2), 2, torch.float64, False), ((32, 128), 1.0, 3, torch.float32, True)]

# shape, a, mode, nonlinearity, seed, dtype, as_parameter
KAIMING_CASES = [((128, 32), 0.0, "fan_in", "relu", 0, torch.float64, False),
                 ((128, 32), 0.0, "fan_out", "relu", 1, torch.float64, False),
                 ((16, 64, 3, 3), math.sqrt(5), "fan_in", "leaky_relu", 2, torch.float64, False),
                 ((32, 128), 0.2, "fan_out", "leaky_relu", 3, torch.float64, False),
                 ((48, 24, 5), 0.0, "fan_in", "tanh", 4, torch.float64, False),
                 ((32, 128), 0.0, "fan_in", "linear", 5, torch.float64, False),
                 ((64, 16, 3, 3), 0.0, "fan_in", "relu", 6, torch.float32, True)]


def _xavier(kind):
    def make():
        return [Probe({"shape": shape, "gain": gain, "seed": seed, "dtype": dtype, "as_parameter": as_parameter},
                      xavier_scale(shape, gain, kind))
                for shape, gain, seed, dtype, as_parameter in XAVIER_CASES]
    return make


def _kaiming(kind):
    def make():
        return [Probe({"shape": shape, "a": a, "mode": mode, "nonlinearity": nonlinearity, "seed": seed,
                       "dtype": dtype, "as_parameter": as_parameter},
                      kaiming_scale(shape, a, mode, nonlinearity, kind))
                for shape, a, mode, nonlinearity, seed, dtype, as_parameter in KAIMING_CASES]
    return make


def init_model_probes():
    probes = []
    for arch, bias in [("mlp", 0.1), ("nested", -0.5), ("conv", 0.0), ("towers", 0.25)]:
        state, _ = run_init_model(init_model_reference, arch, "ones_", bias)
        probes.append(Probe({"arch": arch, "weight_init": "ones_", "bias": bias}, dict(state)))
    return probes


def layer_grad_norms_probes():
    return [Probe({"sizes": sizes, "activation": activation, "nested": nested, "stale": stale, "seed": seed},
                  grad_norms_reference(sizes, activation, nested, seed))
            for sizes, activation, nested, stale, seed in [([3, 5, 5, 1], "sigmoid", False, False, 0),
                                                           ([3, 4, 4, 4, 2], "tanh", True, True, 1),
                                                           ([2, 6, 6, 6, 6, 1], "sigmoid", False, True, 2)]]


def dead_relu_fraction_probes():
    return [Probe({"sizes": sizes, "nested": nested, "dead_units": dead, "seed": seed},
                  dead_fraction_reference(sizes, nested, dead, seed))
            for sizes, nested, dead, seed in [([4, 8, 8, 1], False, 2, 0), ([3, 16, 16, 16, 2], True, 5, 1)]]


PROBES = {
    "layer_grad_norms": layer_grad_norms_probes,
    "dead_relu_fraction": dead_relu_fraction_probes,
    "xavier_uniform_": _xavier("uniform"),
    "xavier_normal_": _xavier("normal"),
    "kaiming_uniform_": _kaiming("uniform"),
    "kaiming_normal_": _kaiming("normal"),
    "init_model_": init_model_probes,
}
