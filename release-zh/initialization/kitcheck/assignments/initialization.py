"""Assignment 6, "Gradient stability and weight initialisation": questions, points and public checks (students
see this file). The models and shapes they use are in ``initialization_inputs``, the drivers that run your
initialisers, models and hooks in ``initialization_drivers``, the comparisons in ``initialization_compare``; the
right answers come from torch.nn.init (fan-in and fan-out) and stored probes, never from code written here."""
from __future__ import annotations

import torch
from hypothesis import given
from torch import nn

from ..compare import call, drive, expect_equal, expect_raises
from ..i18n import tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import PUBLIC_SETTINGS, shapes
from .initialization_compare import check_init, expect_dead_fractions, expect_grad_norms, expect_state
from .initialization_drivers import run_dead_relu_fraction, run_init_model, run_layer_grad_norms
from .initialization_inputs import mlp_parameters


# ------------------------------------------------------------------------------------ public checks
def fan_in_and_fan_out_public(fn):
    q = "fan_in_and_fan_out"

    def expect_torch_fans(shape):  # torch.nn.init's own fans are the oracle
        expected = tuple(nn.init._calculate_fan_in_and_fan_out(torch.empty(shape, device="meta")))
        expect_equal(q, call(q, fn, shape=shape), expected, {"shape": shape})

    for shape in [(2, 4), (4, 2), (6, 3, 5, 5), (8, 4, 3), (3, 2, 2, 2, 2)]:
        expect_torch_fans(shape)
    expect_raises(q, fn, "ValueError", {"shape": (5,)}, tr("a 1-D tensor, such as a bias, has no fan-in and fan-out",
                                                                 "一维张量（例如偏置）没有扇入和扇出"))

    @PUBLIC_SETTINGS
    @given(shape=shapes(2, 4, max_side=4))
    def run(shape):
        expect_torch_fans(shape)

    run()


def _init_public(q, fn, kind):
    for p in probes(q):  # the arguments (shape, gain or a/mode/nonlinearity, seed, ...) and the right scale
        check_init(q, fn, kind, p.expected, **p.inputs)


def xavier_uniform__public(fn):
    _init_public("xavier_uniform_", fn, "uniform")


def xavier_normal__public(fn):
    _init_public("xavier_normal_", fn, "normal")


def kaiming_uniform__public(fn):
    _init_public("kaiming_uniform_", fn, "uniform")


def kaiming_normal__public(fn):
    _init_public("kaiming_normal_", fn, "normal")


def init_model__public(fn):
    q = "init_model_"
    for p in probes(q):  # a model, nn.init.ones_ and a bias; the model's state_dict afterwards
        arch, weight_init, bias = p.inputs["arch"], p.inputs["weight_init"], p.inputs["bias"]
        inputs = {"model": arch, "weight_init": f"nn.init.{weight_init}", "bias": bias}
        got = drive(q, fn, run_init_model, inputs, arch, weight_init, bias)
        expect_state(q, got, p.expected, inputs, dtype=torch.float32, device="cpu")


def layer_grad_norms_public(fn):
    q = "layer_grad_norms"
    for p in probes(q):  # an MLP problem (float64); one gradient norm per nn.Linear
        sizes, activation, nested, stale, seed = (p.inputs[k] for k in ("sizes", "activation", "nested", "stale",
                                                                        "seed"))
        inputs = {"sizes": sizes, "activation": activation, "nested": nested, tr("old gradients in .grad", ".grad 中留有旧梯度"): stale,
                  "seed": seed}
        got = drive(q, fn, run_layer_grad_norms, inputs, sizes, activation, nested, stale, seed, torch.float64)
        expect_grad_norms(q, got, p.expected, inputs, dtype=torch.float64, device="cpu",
                          before=mlp_parameters(sizes, activation, nested, seed, torch.float64))
    for p in probes(q)[:2]:  # the same models in float32: the norms keep the model's dtype
        sizes, activation, nested, stale, seed = (p.inputs[k] for k in ("sizes", "activation", "nested", "stale",
                                                                        "seed"))
        inputs = {"sizes": sizes, "activation": activation, "nested": nested, tr("old gradients in .grad", ".grad 中留有旧梯度"): stale,
                  "seed": seed, "dtype": torch.float32}
        got = drive(q, fn, run_layer_grad_norms, inputs, sizes, activation, nested, stale, seed, torch.float32)
        expect_grad_norms(q, got, p.expected, inputs, dtype=torch.float32, device="cpu",
                          before=mlp_parameters(sizes, activation, nested, seed, torch.float32))


def dead_relu_fraction_public(fn):
    q = "dead_relu_fraction"
    for p in probes(q):  # a ReLU MLP with dead units (float64); one fraction per nn.ReLU
        sizes, nested, dead, seed = (p.inputs[k] for k in ("sizes", "nested", "dead_units", "seed"))
        inputs = {"sizes": sizes, "nested": nested, tr("dead units per layer", "每层死亡的神经元数"): dead, "seed": seed}
        got = drive(q, fn, run_dead_relu_fraction, inputs, sizes, nested, dead, seed, torch.float64)
        expect_dead_fractions(q, got, p.expected, inputs, device="cpu")
    for p in probes(q)[:1]:  # the same model in float32
        sizes, nested, dead, seed = (p.inputs[k] for k in ("sizes", "nested", "dead_units", "seed"))
        inputs = {"sizes": sizes, "nested": nested, tr("dead units per layer", "每层死亡的神经元数"): dead, "seed": seed, "dtype": torch.float32}
        got = drive(q, fn, run_dead_relu_fraction, inputs, sizes, nested, dead, seed, torch.float32)
        expect_dead_fractions(q, got, p.expected, inputs, device="cpu")


ASSIGNMENT = Assignment(
    name="initialization",
    number=6,
    title="Assignment 6: Gradient stability and weight initialisation",
    title_zh="作业 6：梯度稳定性与参数初始化",
    runtime=("assignments/initialization_inputs.py", "assignments/initialization_drivers.py",
             "assignments/initialization_compare.py"),
    questions=(
        Question("layer_grad_norms", 3, "the norm of each Linear layer's weight gradient", layer_grad_norms_public,
                 summary_zh="每个 Linear 层权重梯度的范数"),
        Question("dead_relu_fraction", 3, "the fraction of dead units of each ReLU, with forward hooks",
                 dead_relu_fraction_public,
                 summary_zh="用前向钩子统计每个 ReLU 中“死亡”单元的比例"),
        Question("fan_in_and_fan_out", 2, "fan-in and fan-out of a linear or conv weight shape",
                 fan_in_and_fan_out_public,
                 summary_zh="全连接层或卷积层权重形状的 fan-in 和 fan-out",
                 forbidden=("torch.nn.init._calculate_fan_in_and_fan_out",)),
        Question("xavier_uniform_", 3, "Xavier (Glorot) uniform initialisation, in place", xavier_uniform__public,
                 mutates=(0,),
                 summary_zh="Xavier（Glorot）均匀分布初始化，原地修改",
                 forbidden=("torch.nn.init.xavier_uniform_",)),
        Question("xavier_normal_", 2, "Xavier (Glorot) normal initialisation, in place", xavier_normal__public,
                 mutates=(0,),
                 summary_zh="Xavier（Glorot）正态分布初始化，原地修改",
                 forbidden=("torch.nn.init.xavier_normal_",)),
        Question("kaiming_uniform_", 3, "Kaiming (He) uniform initialisation with a, mode, nonlinearity",
                 kaiming_uniform__public, mutates=(0,),
                 summary_zh="Kaiming（He）均匀分布初始化，含参数 a、mode、nonlinearity",
                 forbidden=("torch.nn.init.kaiming_uniform_",)),
        Question("kaiming_normal_", 3, "Kaiming (He) normal initialisation with a, mode, nonlinearity",
                 kaiming_normal__public, mutates=(0,),
                 summary_zh="Kaiming（He）正态分布初始化，含参数 a、mode、nonlinearity",
                 forbidden=("torch.nn.init.kaiming_normal_",)),
        Question("init_model_", 3, "initialise every Linear and Conv2d layer of a model", init_model__public,
                 mutates=(0,),
                 summary_zh="初始化模型中的每个 Linear 层和 Conv2d 层"),  # the in-place exercises change their first argument on purpose
    ),
)
