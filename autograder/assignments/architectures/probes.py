"""Stored probes of assignment `architectures`: inputs of the public checks and the references' answers, as
data. ``python -m autograder build architectures`` saves them in ``kitcheck/data/architectures.pt``.
"""
from __future__ import annotations

import json

import torch

from kitcheck.assignments.architectures import VGG_CONFIGS
from kitcheck.modules import make_state
from kitcheck.probes import Probe
from kitcheck.strategies import make_tensor

from .references import REFERENCES, flops_of, module_run_expected, params_of, structure_of


def _structure(q: str, args: tuple) -> Probe:
    # As JSON text: one string, so the stored bytes do not depend on which equal strings Python shares.
    return Probe({"kind": "structure", "args": list(args)}, json.dumps(structure_of(q, args)))


def _run(q: str, args: tuple, x_shape: tuple, seed: int, training: bool = False) -> Probe:
    shapes = {n: list(p.shape) for n, p in REFERENCES[q](*args).state_dict().items()}
    state = make_state(shapes, torch.float64, seed)
    x = make_tensor(x_shape, torch.float64, seed + 10)
    expected, upstream = module_run_expected(q, args, state, x, seed, training)
    return Probe({"kind": "run", "args": list(args), "state": state, "x": x, "upstream": upstream,
                  "training": training}, expected)


def _meta(q: str, args: tuple, shape: tuple) -> Probe:
    with torch.device("meta"):
        out = REFERENCES[q](*args).eval()(torch.empty(shape))
    return Probe({"kind": "meta", "args": list(args), "shape": list(shape)}, list(out.shape))


ALEXNET_DEFAULTS = (1000, 64, 4096, 0.5, 3)
INCEPTION_3A = (192, 64, 96, 128, 16, 32, 32)   # GoogLeNet's first Inception block: 256 channels out

PROBES = {
    "AlexNet": lambda: [_structure("AlexNet", ALEXNET_DEFAULTS), _structure("AlexNet", (10, 2, 16, 0.5, 1)),
                        _run("AlexNet", (5, 2, 12, 0.5, 1), (2, 1, 67, 67), 0),
                        _run("AlexNet", (5, 2, 12, 1.0, 1), (1, 1, 70, 70), 1, training=True),
                        _meta("AlexNet", ALEXNET_DEFAULTS, (2, 3, 224, 224))],
    "vgg_block": lambda: [_structure("vgg_block", (2, 3, 8)), _structure("vgg_block", (1, 4, 4)),
                          _structure("vgg_block", (3, 2, 5)), _run("vgg_block", (2, 3, 4), (2, 3, 6, 7), 0),
                          _meta("vgg_block", (2, 3, 8), (1, 3, 9, 8))],
    "vgg_features": lambda: [_structure("vgg_features", (list(VGG_CONFIGS["vgg11"]), 3)),
                             _structure("vgg_features", ([4, "M", 8, 8, "M"], 1)),
                             _run("vgg_features", ([4, "M", 6, "M", 6], 2), (2, 2, 8, 9), 0),
                             _meta("vgg_features", (list(VGG_CONFIGS["vgg11"]), 3), (1, 3, 32, 32))],
    "nin_block": lambda: [_structure("nin_block", (3, 8, 5, 1, 2)), _structure("nin_block", (4, 6, 3, 2, 0)),
                          _run("nin_block", (3, 4, 3, 2, 1), (2, 3, 7, 6), 0),
                          _meta("nin_block", (3, 8, 11, 4, 0), (1, 3, 227, 227))],
    "Inception": lambda: [_structure("Inception", INCEPTION_3A), _structure("Inception", (4, 2, 3, 4, 1, 2, 2)),
                          _run("Inception", (4, 2, 3, 4, 1, 2, 2), (2, 4, 5, 6), 0),
                          _meta("Inception", INCEPTION_3A, (1, 192, 28, 28))],
    "count_params": lambda: [Probe({"model": m, "trainable_only": t}, params_of(m, t)) for m, t in
                             (("alexnet", False), ("vgg11", False), ("resnet18", False), ("googlenet", False),
                              ("tied", False), ("frozen_cnn", False), ("frozen_cnn", True), ("resnet18", True))],
    "count_flops": lambda: [Probe({"model": m, "shape": list(s)}, flops_of(m, s)) for m, s in
                            (("alexnet", (1, 3, 224, 224)), ("resnet18", (1, 3, 64, 64)),
                             ("twice_used", (2, 3, 5, 5)), ("grouped", (2, 4, 9, 11)))],
}
