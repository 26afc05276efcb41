"""Assignment 4, "Single-layer networks and losses": questions, points and public checks (students see this file).
Public checks compare with torch's functions and nn.Linear, and with stored probes (``kitcheck.probes``) where
torch has none to compare with (step neurons, XOR, the MLP): no reference answer is written here. Their inputs are
in ``networks_inputs``, the drivers that run your code in ``networks_drivers``, their comparisons in
``networks_compare``."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from ..compare import CheckFailure, call, drive, expect_device_agnostic, expect_raises, expect_tensor, tolerance
from ..i18n import say, tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds, shapes
from .networks_compare import (_unexpected, check_linear_run, expect_grad, expect_linear_init, expect_module_run,
                               expect_structure, scaled_tolerance)
from .networks_drivers import module_init, module_run
from .networks_inputs import REDUCTIONS, binary_labels, class_labels, mlp_case, mlp_structure, structure_of


def sigmoid_public(fn):
    q = "sigmoid"
    z = torch.tensor([-1000.0, -10.0, 0.0, 10.0, 1000.0])
    expect_tensor(q, call(q, fn, z=z), torch.sigmoid(z.double()), {"z": z}, dtype=z.dtype, device=z.device,
                  what=tr("the result for large |z|", "|z| 很大时的结果"))
    zg = torch.tensor([-1000.0, -10.0, 0.5, 10.0, 1000.0])
    expect_grad(q, fn, torch.sigmoid, {"z": zg}, wrt=("z",))

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, dtype, seed):
        x = make_tensor(shape, dtype, seed, low=-8, high=8)
        expect_tensor(q, call(q, fn, z=x), torch.sigmoid(x.double()), {"z": x}, dtype=dtype, device=x.device)

    run()


def softmax_public(fn):
    q = "softmax"
    big = torch.tensor([1010.0, 1000.0, 990.0])
    expect_tensor(q, call(q, fn, z=big, dim=0), torch.softmax(big.double(), 0), {"z": big, "dim": 0},
                  dtype=big.dtype, device=big.device, what=tr("the result for [1010, 1000, 990]", "[1010, 1000, 990] 的结果"),
                  **scaled_tolerance(big.dtype, big))

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, data, dtype, seed):
        dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
        x = make_tensor(shape, dtype, seed)
        expect_tensor(q, call(q, fn, z=x, dim=dim), torch.softmax(x.double(), dim), {"z": x, "dim": dim},
                      dtype=dtype, device=x.device, **scaled_tolerance(dtype, x))

    run()


def mse_public(fn):
    q = "mse"

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), reduction=st.sampled_from(REDUCTIONS), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(shape, reduction, dtype, seed):
        pred, target = make_tensor(shape, dtype, seed), make_tensor(shape, dtype, seed + 1)
        inputs = {"pred": pred, "target": target, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.mse_loss(pred.double(), target.double(), reduction=reduction),
                      inputs, dtype=dtype, device=pred.device, **tolerance(dtype, reduction=True))

    run()
    for reduction in REDUCTIONS:  # an empty batch: the mean of nothing is nan (like torch), the sum 0
        pred, target = torch.empty(0, 3), torch.empty(0, 3)
        inputs = {"pred": pred, "target": target, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.mse_loss(pred.double(), target.double(), reduction=reduction),
                      inputs, dtype=pred.dtype, device=pred.device, what=tr("the result for an empty batch", "空批量的结果"))
    p, t = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    expect_raises(q, fn, "ValueError", {"pred": p, "target": t, "reduction": "avg"},
                  tr("'avg' is not a reduction: use 'mean', 'sum' or 'none'",
                     "'avg' 不是合法的归约方式：请用 'mean'、'sum' 或 'none'"))


def bce_public(fn):
    q = "bce"
    p, y = torch.tensor([0.0, 1.0, 0.5, 0.0]), torch.tensor([1.0, 0.0, 1.0, 0.0])
    inputs = {"p": p, "y": y, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction="none"),
                  inputs, dtype=p.dtype, device=p.device, what=tr("the result for probabilities of exactly 0 and 1", "概率恰好为 0 和 1 时的结果"))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, reduction, dtype, seed):
        p = make_tensor((n,), dtype, seed, low=0.01, high=0.99)
        y = binary_labels((n,), dtype, seed + 1)
        inputs = {"p": p, "y": y, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction=reduction),
                      inputs, dtype=dtype, device=p.device, **tolerance(dtype, reduction=True))

    run()
    for reduction in REDUCTIONS:  # an empty batch: the mean of nothing is nan (like torch), the sum 0
        p, y = torch.empty(0), torch.empty(0)
        inputs = {"p": p, "y": y, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction=reduction),
                      inputs, dtype=p.dtype, device=p.device, what=tr("the result for an empty batch", "空批量的结果"))


def bce_with_logits_public(fn):
    q = "bce_with_logits"
    z, y = torch.tensor([-1000.0, 0.0, 1000.0, 30.0]), torch.tensor([1.0, 0.0, 0.0, 1.0])
    inputs = {"z": z, "y": y, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs),
                  F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction="none"), inputs,
                  dtype=z.dtype, device=z.device, what=tr("the result for large logits", "logits 很大时的结果"), **scaled_tolerance(z.dtype, z))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, reduction, dtype, seed):
        z = make_tensor((n,), dtype, seed, low=-6, high=6)
        y = binary_labels((n,), dtype, seed + 1)
        inputs = {"z": z, "y": y, "reduction": reduction}
        expected = F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction=reduction)
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=z.device,
                      **scaled_tolerance(dtype, z))

    run()


def cross_entropy_public(fn):
    q = "cross_entropy"
    logits, target = torch.tensor([[1010.0, 1000.0, 990.0], [0.0, 0.0, 0.0]]), torch.tensor([0, 2])
    inputs = {"logits": logits, "target": target, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs), F.cross_entropy(logits.double(), target, reduction="none"), inputs,
                  dtype=logits.dtype, device=logits.device, what=tr("the result for large logits", "logits 很大时的结果"),
                  **scaled_tolerance(logits.dtype, logits))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 4), c=st.integers(2, 4), reduction=st.sampled_from(REDUCTIONS),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, c, reduction, dtype, seed):
        logits = make_tensor((n, c), dtype, seed)
        target = class_labels(n, c, seed + 1)
        inputs = {"logits": logits, "target": target, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.cross_entropy(logits.double(), target, reduction=reduction), inputs,
                      dtype=dtype, device=logits.device, **scaled_tolerance(dtype, logits))

    run()


def step_neuron_public(fn):
    # torch has no step neuron to compare with: the right outputs are stored probes (kitcheck/data/networks.pt),
    # the AND and OR gates on the truth table first, then random float64 inputs with b = 0.5.
    q = "step_neuron"
    gates = {-1.5: tr("the AND gate", "与门的结果"),
             -1.0: tr("the OR gate (x @ w + b is exactly 0 at [0, 1] and [1, 0], and step(0) = 1)",
                      "或门的结果（在 [0, 1] 和 [1, 0] 处 x @ w + b 恰好为 0，而 step(0) = 1）")}
    for p in probes(q):
        x = p.inputs["x"]
        gate = gates.get(p.inputs["b"])
        expect_tensor(q, call(q, fn, **p.inputs), p.expected, p.inputs, dtype=x.dtype, device=x.device,
                      what=gate or say("the_result"))


def xor_forward_public(fn):
    q = "xor_forward"
    for p in probes(q):  # the XOR truth table in float32 and float64, answers stored
        x = p.inputs["x"]
        expect_tensor(q, call(q, fn, **p.inputs), p.expected, p.inputs, dtype=x.dtype, device=x.device,
                      what=tr(f"the XOR truth table ({x.dtype})", f"异或真值表（{x.dtype}）的结果"))
    expect_device_agnostic(q, fn, lambda x: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(4, 2, device="meta"))


def MyLinear_public(fn):
    q = "MyLinear"
    for in_features, out_features, bias in [(3, 2, True), (4, 3, False)]:
        inputs = {"in_features": in_features, "out_features": out_features, "bias": bias}
        expected = structure_of(module_init(nn.Linear, (in_features, out_features), {"bias": bias}, 0)[0])
        got = drive(q, fn, module_init, inputs, (in_features, out_features), {"bias": bias}, 0)
        expect_structure(q, got, expected, inputs)
    for in_features, out_features, bias in [(64, 32, True), (32, 64, False)]:
        inputs = {"in_features": in_features, "out_features": out_features, "bias": bias, "seed": 1}
        got = drive(q, fn, module_init, inputs, (in_features, out_features), {"bias": bias}, 1)
        expect_linear_init(q, got, in_features, out_features, bias, inputs)
    for in_features, out_features, bias, batch, dtype in [(3, 2, True, (5,), torch.float32),
                                                          (4, 3, False, (2, 3), torch.float64),
                                                          (2, 4, True, (), torch.float64)]:
        check_linear_run(q, fn, in_features, out_features, bias, batch, dtype, seed=in_features)
    check_linear_run(q, fn, 3, 2, True, (4,), torch.float32, seed=5, x_layout=lambda x: x.T.contiguous().T)
    check_linear_run(q, fn, 3, 2, False, (4,), torch.float32, seed=6, device="meta")


def check_mlp_structure(q: str, fn, sizes: list, activation: str) -> None:
    inputs = {"sizes": sizes, "activation": f"nn.{activation}"}
    got = drive(q, fn, module_init, inputs, (sizes,), {"activation": activation}, 0)
    expect_structure(q, got, mlp_structure(sizes), inputs)


def MLP_public(fn):
    q = "MLP"
    # torch has no MLP to compare with: the outputs and gradients for these weights are stored probes.
    for p in probes(q):
        sizes, activation = p.inputs["sizes"], p.inputs["activation"]
        check_mlp_structure(q, fn, sizes, activation)
        x = p.inputs["x"]
        inputs = {"sizes": sizes, "activation": f"nn.{activation}", "x": x}
        got = drive(q, fn, module_run, inputs, (sizes,), {"activation": activation}, p.inputs["state"], x,
                    p.inputs["upstream"])
        expect_module_run(q, got, p.expected, inputs, x=x)
    state, x, upstream = mlp_case([3, 4, 2], 2, torch.float32, 0, "meta")
    inputs = {"sizes": [3, 4, 2], "activation": "nn.ReLU", "x": x}
    got = drive(q, fn, module_run, inputs, ([3, 4, 2],), {"activation": "ReLU"}, state, x, upstream)
    if type(got) is not tuple or len(got) != 4:
        raise CheckFailure(q, _unexpected(), inputs, got=got)
    expect_tensor(q, got[0], torch.empty(2, 2, device="meta"), inputs, dtype=x.dtype, device="meta",
                  what=tr("the output for an input on another device", "输入在其他设备上时的输出"))


ASSIGNMENT = Assignment(
    name="networks",
    number=4,
    title="Assignment 4: Single-layer networks and losses",
    title_zh="作业 4：单层神经网络与损失函数",
    runtime=("assignments/networks_inputs.py", "assignments/networks_drivers.py", "assignments/networks_compare.py"),
    questions=(
        Question("sigmoid", 2, "the logistic function, finite value and gradient for any z", sigmoid_public,
                 summary_zh="Sigmoid（逻辑）函数：对任意 z 的值和梯度都是有限的",
                 forbidden=("torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit", "Tensor.sigmoid", "torch.nn.Sigmoid")),
        Question("softmax", 3, "softmax along a dim that does not overflow", softmax_public,
                 summary_zh="沿某一维度且不会溢出的 softmax",
                 forbidden=("torch.softmax", "torch.nn.functional.softmax", "Tensor.softmax", "torch.log_softmax", "torch.nn.functional.log_softmax", "Tensor.log_softmax", "torch.nn.Softmax", "torch.special.softmax")),
        Question("mse", 2, "mean squared error with reduction 'mean', 'sum' or 'none'", mse_public,
                 summary_zh="均方误差，reduction 可取 'mean'、'sum' 或 'none'",
                 forbidden=("torch.nn.functional.mse_loss", "torch.nn.MSELoss")),
        Question("bce", 3, "binary cross-entropy on probabilities, logs clamped at -100 like torch", bce_public,
                 summary_zh="基于概率的二分类交叉熵，对数值像 torch 一样截断在 -100",
                 forbidden=("torch.nn.functional.binary_cross_entropy", "torch.nn.BCELoss")),
        Question("bce_with_logits", 3, "binary cross-entropy on logits, stable for large logits",
                 bce_with_logits_public,
                 summary_zh="基于 logits 的二分类交叉熵，logits 很大时也数值稳定",
                 forbidden=("torch.nn.functional.binary_cross_entropy_with_logits", "torch.nn.BCEWithLogitsLoss", "torch.sigmoid", "torch.nn.functional.sigmoid", "Tensor.sigmoid", "torch.special.expit")),
        Question("cross_entropy", 3, "multiclass cross-entropy from logits, picking with gather",
                 cross_entropy_public,
                 summary_zh="基于 logits 的多分类交叉熵，用 gather 取出对应项",
                 forbidden=("torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss", "torch.nn.functional.log_softmax", "torch.log_softmax", "Tensor.log_softmax", "torch.softmax", "torch.nn.functional.softmax", "Tensor.softmax", "torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss")),
        Question("step_neuron", 2, "a neuron with a step activation: 1 where x @ w + b >= 0", step_neuron_public,
                 summary_zh="阶跃激活的神经元：x @ w + b >= 0 处输出 1"),
        Question("xor_forward", 2, "XOR as a two-layer network of step neurons", xor_forward_public,
                 summary_zh="用两层阶跃神经元网络实现异或（XOR）"),
        Question("MyLinear", 4, "nn.Linear as an nn.Module: weight and bias nn.Parameters, their initialisation, "
                 "forward", MyLinear_public,
                 summary_zh="以 nn.Module 实现的 nn.Linear：权重和偏置是 nn.Parameter，含初始化与前向传播",
                 forbidden=("torch.nn.Linear", "torch.nn.functional.linear")),
        Question("MLP", 3, "a multilayer perceptron as an nn.Module: nn.Linear layers in an nn.ModuleList, an "
                 "activation between them", MLP_public,
                 summary_zh="以 nn.Module 实现的多层感知机：nn.ModuleList 中的 nn.Linear 层，层间有激活函数"),
    ),
)
