"""Assignment 9, "Classic CNN architectures and how to compare them": questions, points, public checks and
drivers (students see this file; the module drivers it shares with assignment 8 are in ``kitcheck.modules``). The public checks compare with stored probes (``kitcheck.probes``),
computed at build time by the grader's references and torchvision; no reference answer is written here."""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping

import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from ..compare import (CheckFailure, call, drive, expect_device_agnostic, expect_equal, expect_tensor,
                       tolerance)
from ..drivers import value_and_grad
from ..i18n import tr
from ..modules import build, expect_module_report, expect_structure, module_forward
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds

# The configurations of torchvision's VGG-11, 13, 16 and 19 feature extractors (torchvision.models.vgg.cfgs).
VGG_CONFIGS = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


# ---- drivers: build the student's module where it lives and report plain data (more in kitcheck.modules) ----
def module_on_meta(make: Callable, args: tuple, x: torch.Tensor, training: bool = False):
    """Driver: ``make(*args)`` made on the meta device, called on the meta tensor ``x`` (shapes only)."""
    module = build(make, args, meta=True)
    module.train(training)
    return module(x)


# ---- models to measure: counted where the student's function runs, never with weights ---------------------
class _Tied(nn.Module):
    """Two linear layers that share one weight (weight tying): it is one parameter, counted once."""

    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(12, 12)
        self.decode = nn.Linear(12, 12)
        self.decode.weight = self.encode.weight

    def forward(self, x):
        return self.decode(torch.relu(self.encode(x)))


class _TwiceUsed(nn.Module):
    """One linear layer applied twice per forward pass: its parameters once, its FLOPs twice."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.mix = nn.Linear(8, 8)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        h = self.conv(x).mean((-2, -1))
        return self.head(self.mix(torch.relu(self.mix(h))))


def _frozen_cnn():
    """A small CNN whose first convolution and batch norm are frozen (fine-tuning a pretrained backbone)."""
    model = nn.Sequential(nn.Conv2d(3, 6, 3), nn.BatchNorm2d(6), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(6, 10))
    for p in [*model[0].parameters(), *model[1].parameters()]:
        p.requires_grad_(False)
    return model


def _grouped_cnn():
    """Convolutions with groups, stride, dilation and no bias, and a linear layer on a 3-D input."""
    class Grouped(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=2, bias=False), nn.ReLU(),
                                      nn.Sequential(nn.Conv2d(8, 8, 3, dilation=2, groups=8), nn.ReLU()),
                                      nn.Conv2d(8, 6, 1))
            self.head = nn.Linear(6, 5)

        def forward(self, x):
            h = self.body(x).flatten(2).transpose(1, 2)   # (N, positions, 6)
            return self.head(h)

    return Grouped()


def _one_output():
    """Layers with a single output channel or feature (a score per image): one filter, one weight row."""
    return nn.Sequential(nn.Conv2d(3, 1, 3), nn.ReLU(), nn.Flatten(), nn.Linear(9, 1))


def _torchvision(name: str, **kwargs):
    def make():
        import torchvision  # imported here: only these models need it

        return getattr(torchvision.models, name)(weights=None, **kwargs)   # never downloads weights
    return make


MODELS: dict[str, Callable[[], nn.Module]] = {
    "alexnet": _torchvision("alexnet"),
    "vgg11": _torchvision("vgg11"),
    "resnet18": _torchvision("resnet18"),
    "googlenet": _torchvision("googlenet", aux_logits=False, init_weights=False),
    "tied": _Tied,
    "twice_used": _TwiceUsed,
    "frozen_cnn": _frozen_cnn,
    "grouped": _grouped_cnn,
    "one_output": _one_output,
}


def make_model(name: str) -> nn.Module:
    """One of ``MODELS``, made on the meta device (shapes only) in evaluation mode."""
    with torch.device("meta"):
        return MODELS[name]().eval()


def measure(fn: Callable, name: str, *args: Any) -> list:
    """Driver: ``fn(model, *args)`` twice on the same model ``make_model(name)`` (a second call must give the
    same answer), then the number of forward hooks left on the model's modules (the model's own count, as
    it stands; a hook has no value to show it by). Tensors in ``args`` move to the meta device."""
    model = make_model(name)
    args = tuple(a.to("meta") if isinstance(a, torch.Tensor) else a for a in args)
    results = [fn(model, *args), fn(model, *args)]
    return [*results, sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())]


# ---- checks of modules (more in kitcheck.modules) -----------------------------------------------------------
def expect_forward(q: str, fn, args: tuple, seed: int, x: torch.Tensor, expected: torch.Tensor,
                   shown: Mapping[str, Any], training: bool = False, **tol: float) -> None:
    """The output of the module with ``make_state`` weights of ``seed`` (no gradients), and x unchanged."""
    original = x.detach().clone()
    got = drive(q, fn, module_forward, shown, tuple(args), x, training, seed)
    out, x_after = got if type(got) is tuple and len(got) == 2 else (got, None)
    expect_tensor(q, out, expected, shown, dtype=x.dtype, device=x.device, what=tr("the output", "输出"), **tol)
    if not isinstance(x_after, torch.Tensor) or not torch.equal(x_after.cpu(), original.cpu()):
        raise CheckFailure(q, tr("the forward pass changed its input x (an in-place operation such as "
                                 "nn.ReLU(inplace=True) applied to x itself); a layer must leave its input unchanged",
                                 "正向传播改变了输入 x（对 x 本身做了原地操作，例如 nn.ReLU(inplace=True)）；"
                                 "层不能改变它的输入"), shown)


def expect_meta_output(q: str, fn, args: tuple, x: torch.Tensor, expected_shape: tuple,
                       shown: Mapping[str, Any]) -> None:
    """The module made on another device (meta) runs on an input there: no tensor made on the CPU."""
    got = drive(q, fn, module_on_meta, {**shown, "x": x}, tuple(args), x)
    expect_tensor(q, got, torch.empty(expected_shape, device="meta"), {**shown, "x": x}, dtype=x.dtype,
                  device="meta", what=tr("the output for an input on another device", "输入在其他设备上时的输出"))


def _module_public(q: str, fn, names: tuple[str, ...]) -> None:
    """Stored probes: structures first, then outputs and gradients, then an input on another device."""
    for p in probes(q):
        args = tuple(p.inputs["args"])
        shown = dict(zip(names, args))
        kind = p.inputs["kind"]
        if kind == "structure":  # stored as JSON text
            expect_structure(q, fn, args, json.loads(p.expected), shown)
        elif kind == "run":
            shown.update(x=p.inputs["x"], training=p.inputs["training"])
            expect_module_report(q, fn, p.inputs, p.expected, shown, **tolerance(torch.float64))
        else:  # "meta"
            x = torch.empty(tuple(p.inputs["shape"]), device="meta")
            expect_meta_output(q, fn, args, x, tuple(p.expected), shown)


ALEXNET_ARGS = ("num_classes", "width", "hidden", "dropout", "in_channels")


def alexnet_public(fn):
    _module_public("AlexNet", fn, ALEXNET_ARGS)


def vgg_block_public(fn):
    _module_public("vgg_block", fn, ("num_convs", "in_channels", "out_channels"))


def vgg_features_public(fn):
    _module_public("vgg_features", fn, ("config", "in_channels"))


def nin_block_public(fn):
    _module_public("nin_block", fn, ("in_channels", "out_channels", "kernel_size", "stride", "padding"))


INCEPTION_ARGS = ("in_channels", "ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


def inception_public(fn):
    _module_public("Inception", fn, INCEPTION_ARGS)


# ======================================================================== global average pooling
def call_and_input(fn: Callable, x: torch.Tensor) -> tuple:
    """Driver: ``(fn(x), x after the call)``: a function that must not change its input shows it here."""
    return fn(x), x


def global_avg_pool_public(fn):
    q = "global_avg_pool"
    x = torch.arange(1.0, 25.0, dtype=torch.float64).reshape(1, 2, 3, 4)   # not square: H = 3, W = 4
    for inputs in ({"x": x}, {"x": x[0]}, {"x": x.transpose(2, 3)}):
        expect_tensor(q, call(q, fn, **inputs), F.adaptive_avg_pool2d(inputs["x"], 1), inputs, dtype=x.dtype,
                      device=x.device)

    @PUBLIC_SETTINGS
    @given(shape=st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6), st.integers(1, 6)),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, dtype, seed):
        inputs = {"x": make_tensor(shape, dtype, seed)}
        expect_tensor(q, call(q, fn, **inputs), F.adaptive_avg_pool2d(inputs["x"].double(), 1), inputs,
                      dtype=dtype, device=inputs["x"].device, **tolerance(dtype, reduction=True))

    run()
    inputs = {"x": make_tensor((2, 3, 4, 5), torch.float64, 1)}
    value, grads = drive(q, fn, value_and_grad, inputs, inputs["x"])
    expect_tensor(q, grads[0] if grads else None, torch.full((2, 3, 4, 5), 1 / 20, dtype=torch.float64), inputs,
                  dtype=torch.float64, device="cpu", what=tr("the gradient (upstream gradient: ones)",
                                                             "梯度（上游梯度：全 1）"))
    expect_device_agnostic(q, fn, lambda x: F.adaptive_avg_pool2d(x, 1), x=torch.empty(2, 3, 5, 4, device="meta"))


# ======================================================================== counting parameters and FLOPs
def expect_measure(q: str, fn, model: str, args: tuple, expected: int, shown: Mapping[str, Any]) -> None:
    """``fn(model, *args)`` must be ``expected`` (an int), on two calls in a row."""
    got = drive(q, fn, measure, shown, model, *args)
    if type(got) is not list or len(got) != 3:
        raise CheckFailure(q, tr("could not measure the model", "无法测量这个模型"), shown, got=got)
    expect_equal(q, got[0], expected, shown, what=tr("the result for {m}", "{m} 的结果", m=model))
    expect_equal(q, got[1], expected, shown, what=tr(
        "the result of a second call on the same {m} (something your first call left on the model, such as a "
        "forward hook, changed it)",
        "对同一个 {m} 第二次调用的结果（第一次调用在模型上留下了什么东西，例如前向钩子，改变了它）", m=model))
    if got[2] != 0:
        raise CheckFailure(q, tr("{n} forward hook(s) stayed on the model after your function returned; remove "
                                 "every hook you register (handle.remove(), in a `finally:` block), or they run at "
                                 "every later forward pass",
                                 "函数返回后，模型上还留着 {n} 个前向钩子；请移除你注册的每一个钩子（在 `finally:` 块中"
                                 "调用 handle.remove()），否则之后每次正向传播它们都会运行", n=got[2]), shown)


def count_params_public(fn):
    q = "count_params"
    # Stored probes: torchvision's AlexNet (61,100,840), VGG-11, ResNet-18 (batch-norm buffers are not
    # parameters), GoogLeNet, two layers sharing a weight, and a network with frozen layers.
    for p in probes(q):
        shown = {"model": p.inputs["model"], "trainable_only": p.inputs["trainable_only"]}
        expect_measure(q, fn, p.inputs["model"], (p.inputs["trainable_only"],), p.expected, shown)


def count_flops_public(fn):
    q = "count_flops"
    # Stored probes: torch.utils.flop_counter.FlopCounterMode's totals for torchvision's AlexNet and ResNet-18,
    # a layer used twice, and grouped, strided and dilated convolutions.
    for p in probes(q):
        x = torch.empty(tuple(p.inputs["shape"]), device="meta")
        shown = {"model": p.inputs["model"], "x": x}
        expect_measure(q, fn, p.inputs["model"], (x,), p.expected, shown)


ASSIGNMENT = Assignment(
    name="architectures",
    number=9,
    title="Assignment 9: Classic CNN architectures and how to compare them",
    title_zh="作业 9：经典卷积神经网络架构与评估",
    runtime=("modules.py",),
    questions=(
        Question("AlexNet", 4, "AlexNet in torchvision's layout, with a width and hidden-size knob",
                 alexnet_public, summary_zh="torchvision 结构的 AlexNet，可调宽度和隐藏层大小",
                 forbidden=("torchvision.*",)),
        Question("vgg_block", 3, "a VGG block: 3x3 convolutions with ReLU, then 2x2 max pooling", vgg_block_public,
                 summary_zh="VGG 块：若干 3x3 卷积加 ReLU，再接 2x2 最大池化",
                 forbidden=("torchvision.*",)),
        Question("vgg_features", 4, "a VGG feature extractor from a configuration list, like torchvision's",
                 vgg_features_public, summary_zh="由配置列表生成 VGG 特征提取器，同 torchvision",
                 forbidden=("vgg_block", "torchvision.*")),
        Question("nin_block", 2, "a NiN block: a convolution and two 1x1 convolutions, each with ReLU",
                 nin_block_public, summary_zh="NiN 块：一个卷积和两个 1x1 卷积，每个都接 ReLU",
                 forbidden=("torchvision.*",)),
        Question("global_avg_pool", 2, "global average pooling, like F.adaptive_avg_pool2d(x, 1)",
                 global_avg_pool_public, summary_zh="全局平均池化，同 F.adaptive_avg_pool2d(x, 1)",
                 forbidden=("torch.nn.functional.adaptive_avg_pool2d", "torch.nn.functional.avg_pool2d", "torch.nn.AdaptiveAvgPool2d", "torch.nn.AvgPool2d", "torch.nn.functional.adaptive_avg_pool1d", "torch.adaptive_avg_pool1d", "torch.avg_pool1d", "torch.nn.functional.lp_pool2d")),
        Question("Inception", 4, "GoogLeNet's Inception block: four branches concatenated along the channels",
                 inception_public, summary_zh="GoogLeNet 的 Inception 块：四条分支沿通道拼接",
                 forbidden=("torchvision.*",)),
        Question("count_params", 2, "the number of (trainable) parameters of a model", count_params_public,
                 summary_zh="模型的（可训练）参数量"),
        Question("count_flops", 3, "the FLOPs of a forward pass, like torch.utils.flop_counter", count_flops_public,
                 summary_zh="一次正向传播的 FLOPs，同 torch.utils.flop_counter",
                 forbidden=("torch.utils.flop_counter.*",)),
    ),
)
