"""Reference answers of assignment 9, "Classic CNN architectures and how to compare them" (grader side, never
shipped). The hidden tests compare students' work with these and with torchvision's own models; ``probes.py``
stores some of their outputs as data for the public checks.
"""
from __future__ import annotations

import functools
from typing import Callable, Mapping

import torch
import torch.nn as nn
import torch.nn.functional as F

from autograder.remembered import remembered
from kitcheck.assignments.architectures import make_model
from kitcheck.modules import module_structure
from kitcheck.strategies import make_tensor


# ============================================================================ the modules
class AlexNet(nn.Module):
    """torchvision's AlexNet layout; ``width`` 64 and ``hidden`` 4096 give torchvision's model exactly."""

    def __init__(self, num_classes=1000, width=64, hidden=4096, dropout=0.5, in_channels=3):
        super().__init__()
        c1, c2, c3, c4 = width, 3 * width, 6 * width, 4 * width
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c4, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(c4 * 36, hidden), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for i in range(num_convs):
        layers += [nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1), nn.ReLU()]
    return nn.Sequential(*layers, nn.MaxPool2d(2, 2))


def vgg_features(config, in_channels=3):
    layers = []
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(in_channels, v, 3, padding=1), nn.ReLU()]
            in_channels = v
    return nn.Sequential(*layers)


def nin_block(in_channels, out_channels, kernel_size, stride=1, padding=0):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 1), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 1), nn.ReLU())


class Inception(nn.Module):
    """GoogLeNet's (v1) Inception block as in the paper: convolutions with bias and ReLU, no batch norm."""

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, pool_proj, 1),
                                     nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1)


def global_avg_pool_reference(x):
    return F.adaptive_avg_pool2d(x, 1)


REFERENCES: dict[str, Callable[..., nn.Module]] = {"AlexNet": AlexNet, "vgg_block": vgg_block,
                                                   "vgg_features": vgg_features, "nin_block": nin_block,
                                                   "Inception": Inception}


# ============================================================================ counting
def count_params_reference(model: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_flops_reference(model: nn.Module, x: torch.Tensor) -> int:
    """torch.utils.flop_counter.FlopCounterMode's total for one forward pass (shapes only, on meta tensors)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x.to("meta"))
    return int(counter.get_total_flops())


@functools.cache   # a model's count never changes: build it once per grading run
def params_of(name: str, trainable_only: bool = False) -> int:
    return count_params_reference(make_model(name), trainable_only)


@functools.cache
def flops_of(name: str, shape: tuple) -> int:
    return count_flops_reference(make_model(name), torch.empty(shape, device="meta"))


# ============================================================================ what a module check expects
def structure_of(question: str, args: tuple) -> dict:
    """``module_structure`` of the reference (names and shapes of parameters and buffers, layer classes)."""
    return module_structure(REFERENCES[question], *args)


def reference_module(question: str, args: tuple, state: Mapping[str, torch.Tensor], training: bool = False):
    torch.manual_seed(0)
    module = REFERENCES[question](*args).double()
    module.load_state_dict({k: v.detach().cpu().double() for k, v in state.items()})
    return module.train(training)


@remembered
def module_run_expected(question: str, args: tuple, state: Mapping[str, torch.Tensor], x: torch.Tensor,
                        upstream_seed: int, training: bool = False) -> tuple[dict, torch.Tensor]:
    """The reference's output and gradients (input and parameters) in float64 on the CPU for a random upstream
    gradient: ``({"out", "grad_x", "grads": {name: grad}}, upstream)``."""
    module = reference_module(question, args, state, training)
    ref_x = x.detach().cpu().double().requires_grad_(True)
    out = module(ref_x)
    upstream = make_tensor(tuple(out.shape), torch.float64, upstream_seed)
    params = dict(module.named_parameters())
    grads = torch.autograd.grad((out * upstream).sum(), [ref_x, *params.values()])
    return {"out": out.detach(), "grad_x": grads[0], "grads": dict(zip(params, grads[1:]))}, upstream


def forward_expected(module: nn.Module, seed: int, x: torch.Tensor, training: bool = False) -> torch.Tensor:
    """``module`` (any nn.Module: a reference or torchvision's own) with ``make_state`` weights of ``seed``,
    run in float64 on the CPU, as ``kitcheck.modules.module_forward`` runs the student's."""
    from kitcheck.modules import make_state

    module = module.double()
    shapes = {n: list(t.shape) for n, t in module.state_dict().items()}
    module.load_state_dict(make_state(shapes, torch.float64, seed))
    module.train(training)
    with torch.no_grad():
        return module(x.detach().cpu().double())
