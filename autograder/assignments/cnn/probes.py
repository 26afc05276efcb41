"""Stored probes of assignment `cnn`: inputs of the public checks and the references' answers, as data.

``python -m autograder build cnn`` saves them in ``kitcheck/data/cnn.pt``; the public checks of the
questions below read them (``kitcheck.probes.probes``) where no torch or OpenCV function is the oracle.
"""
from __future__ import annotations

import random

import torch

from kitcheck.assignments.cnn import (BASIC_BLOCK_CONFIGS, BOTTLENECK_CONFIGS, basic_block_structure,
                                      bottleneck_structure, lenet5_structure)
from kitcheck.modules import make_state, state_shapes
from kitcheck.probes import Probe
from kitcheck.strategies import make_tensor

from .references import (basic_block_reference, bottleneck_reference, conv_out_size_reference,
                         conv_param_count_reference, lenet5_reference, module_run_expected, receptive_field_reference)

CONV_OUT_SIZE_NAMES = ("size", "kernel_size", "stride", "padding", "dilation")
CONV_PARAM_COUNT_NAMES = ("in_channels", "out_channels", "kernel_size", "groups", "bias")


def conv_out_size_probes() -> list[Probe]:
    fixed = [(32, 5, 1, 0, 1),    # LeNet's C1
             (28, 5, 1, 2, 1),    # "same" padding
             (224, 11, 4, 2, 1),  # AlexNet: 55
             (7, 3, 2, 1, 1),
             (7, 3, 1, 0, 2),
             (4, 5, 1, 0, 1)]     # the kernel does not fit: ValueError
    rng = random.Random(8)  # then random small cases, as the check drew them with hypothesis
    drawn = [(rng.randint(1, 12), rng.randint(1, 5), rng.randint(1, 3), rng.randint(0, 2), rng.randint(1, 3))
             for _ in range(18)]
    cases = fixed + drawn
    return [Probe(dict(zip(CONV_OUT_SIZE_NAMES, c)), conv_out_size_reference(*c)) for c in cases]


def conv_param_count_probes() -> list[Probe]:
    cases = [(3, 6, 3, 1, True), (6, 16, 5, 1, True), (16, 32, (3, 5), 1, False), (32, 32, 3, 32, True),
             (32, 64, 1, 1, True), (8, 12, 3, 4, True), (6, 4, 3, 4, True)]
    return [Probe(dict(zip(CONV_PARAM_COUNT_NAMES, c)), conv_param_count_reference(*c)) for c in cases]


def receptive_field_probes() -> list[Probe]:
    fixed = [[], [(3, 1)], [(3, 1), (3, 1)], [(3, 1)] * 3, [(2, 2), (2, 2)], [(3, 2), (3, 1)],
             [(5, 1), (2, 2), (5, 1), (2, 2)]]  # the last one is LeNet-5's convolutions and poolings
    rng = random.Random(8)
    drawn = [[(rng.randint(1, 5), rng.randint(1, 3)) for _ in range(rng.randint(1, 4))] for _ in range(15)]
    return [Probe({"layers": layers}, receptive_field_reference(layers)) for layers in fixed + drawn]


def _module_probe(args: tuple, reference, structure: dict, x_shape: tuple, seed: int, training: bool = True,
                  **x_range: float) -> Probe:
    state = make_state(state_shapes(structure), torch.float64, seed)
    x = make_tensor(x_shape, torch.float64, seed + 10, **x_range)
    expected, upstream = module_run_expected(reference, state, x, upstream_seed=seed)
    return Probe({"args": tuple(args), "state": state, "x": x, "upstream": upstream, "training": training}, expected)


def lenet5_probes() -> list[Probe]:
    return [_module_probe((10,), lenet5_reference, lenet5_structure(10), (batch, 1, 28, 28), seed, low=0.0, high=1.0)
            for batch, seed in ((1, 0), (2, 1))]


def _block_probes(structure, reference, configs: list[tuple]) -> list[Probe]:
    found = []
    for i, (args, batch, training) in enumerate(((configs[0], 1, True), (configs[1], 2, True), (configs[1], 1, False))):
        stride = args[2]
        found.append(_module_probe(args, lambda s, t, stride=stride, training=training: reference(s, t, stride, training), structure(*args),
                                   (batch, args[0], 6, 6), i, training))
    return found


PROBES = {
    "conv_out_size": conv_out_size_probes,
    "conv_param_count": conv_param_count_probes,
    "receptive_field": receptive_field_probes,
    "LeNet5": lenet5_probes,
    "BasicBlock": lambda: _block_probes(basic_block_structure, basic_block_reference, BASIC_BLOCK_CONFIGS),
    "Bottleneck": lambda: _block_probes(bottleneck_structure, bottleneck_reference, BOTTLENECK_CONFIGS),
}
