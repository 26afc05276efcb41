"""Hidden tests for assignment 6, "Gradient stability and weight initialisation".

Oracles: torch.nn.init's fan-in/fan-out and gain (the initialisers are tested statistically: the bound
almost exactly, mean and std within about 5 standard errors, under fixed seeds), torch.autograd in float64
for gradients, and a plain forward pass for dead ReLUs.
"""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.assignments.initialization.references import (dead_fraction_reference, grad_norms_reference,
                                                              init_model_reference, kaiming_scale, xavier_scale)
from autograder.assignments.initialization.references import fan_in_and_fan_out_reference as torch_fans
from autograder.harness import DEVICES, FLOAT_DTYPES, call, public_check_tests, question, student
from kitcheck.assignments.initialization import ASSIGNMENT
from kitcheck.assignments.initialization_compare import (check_init, expect_dead_fractions,
                                                         expect_generator_on_the_tensors_device, expect_grad_norms,
                                                         expect_reproducible, expect_state)
from kitcheck.assignments.initialization_drivers import (run_dead_relu_fraction, run_init_audit, run_init_model,
                                                         run_init_model_audit, run_layer_grad_norms, run_model_audit)
from kitcheck.assignments.initialization_inputs import INIT_SHAPES, NONLINEARITIES, mlp_parameters, mlp_problem
from kitcheck.compare import CheckFailure, drive, expect_equal, expect_raises, expect_tensor, tolerance
from kitcheck.i18n import tr
from kitcheck.transport import StudentError
from kitcheck.strategies import seeds, shapes

test_public_checks = public_check_tests(ASSIGNMENT)

GAINS = [1.0, 0.5, 5 / 3, math.sqrt(2)]
SLOPES = [0.0, 0.01, 0.2, 1.0, math.sqrt(5)]  # a = sqrt(5) is what nn.Linear's own reset uses


def check_xavier(q, fn, kind, shape, gain, seed, dtype=torch.float64, device="cpu", as_parameter=False):
    check_init(q, fn, kind, xavier_scale(shape, gain, kind), shape, seed, dtype, device, as_parameter, gain=gain)


def check_kaiming(q, fn, kind, shape, a, mode, nonlinearity, seed, dtype=torch.float64, device="cpu",
                  as_parameter=False):
    check_init(q, fn, kind, kaiming_scale(shape, a, mode, nonlinearity, kind), shape, seed, dtype, device,
               as_parameter, a=a, mode=mode, nonlinearity=nonlinearity)


# ---- fan_in_and_fan_out ----------------------------------------------------------------------------
@question("fan_in_and_fan_out")
@given(shape=shapes(2, 5, min_side=1, max_side=7))
def test_fan_in_and_fan_out_matches_torch(q, fn, shape):
    expect_equal(q, call(q, fn, shape=shape), tuple(torch_fans(shape)), {"shape": shape})


@question("fan_in_and_fan_out")
@pytest.mark.parametrize("shape", [(), (3,), (1,)])
def test_fan_in_and_fan_out_needs_two_dims(q, fn, shape):
    expect_raises(q, fn, "ValueError", {"shape": shape},
                  tr("fan-in and fan-out need at least 2 dimensions", "扇入和扇出至少需要 2 个维度"))


# ---- xavier_uniform_ and xavier_normal_ ------------------------------------------------------------
def _xavier(q, kind, device, dtype, shape, gain, seed):
    check_xavier(q, student(q), kind, shape, gain, seed, dtype=dtype, device=device)


@question("xavier_uniform_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=st.sampled_from(INIT_SHAPES), gain=st.sampled_from(GAINS), seed=seeds)
def test_xavier_uniform_statistics(device, dtype, shape, gain, seed):
    _xavier("xavier_uniform_", "uniform", device, dtype, shape, gain, seed)


@question("xavier_uniform_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_xavier_uniform_fills_a_parameter_in_place(fn, device):
    check_xavier("xavier_uniform_", fn, "uniform", (48, 24, 5), 1.0, 7,
                 dtype=torch.float32, device=device, as_parameter=True)


@question("xavier_normal_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=st.sampled_from(INIT_SHAPES), gain=st.sampled_from(GAINS), seed=seeds)
def test_xavier_normal_statistics(device, dtype, shape, gain, seed):
    _xavier("xavier_normal_", "normal", device, dtype, shape, gain, seed)


@question("xavier_normal_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_xavier_normal_fills_a_parameter_in_place(fn, device):
    check_xavier("xavier_normal_", fn, "normal", (48, 24, 5), 1.0, 7,
                 dtype=torch.float32, device=device, as_parameter=True)


# ---- kaiming_uniform_ and kaiming_normal_ ----------------------------------------------------------
kaiming_params = dict(shape=st.sampled_from(INIT_SHAPES), a=st.sampled_from(SLOPES),
                      mode=st.sampled_from(["fan_in", "fan_out"]), nonlinearity=st.sampled_from(NONLINEARITIES),
                      seed=seeds)


@question("kaiming_uniform_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(**kaiming_params)
def test_kaiming_uniform_statistics(fn, device, dtype, shape, a, mode, nonlinearity, seed):
    check_kaiming("kaiming_uniform_", fn, "uniform", shape, a, mode, nonlinearity, seed,
                  dtype=dtype, device=device)


@question("kaiming_uniform_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_kaiming_uniform_fills_a_parameter_in_place(fn, device):
    check_kaiming("kaiming_uniform_", fn, "uniform", (16, 64, 3, 3), math.sqrt(5),
                  "fan_in", "leaky_relu", 7, dtype=torch.float32, device=device, as_parameter=True)


@question("kaiming_normal_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(**kaiming_params)
def test_kaiming_normal_statistics(fn, device, dtype, shape, a, mode, nonlinearity, seed):
    check_kaiming("kaiming_normal_", fn, "normal", shape, a, mode, nonlinearity, seed,
                  dtype=dtype, device=device)


@question("kaiming_normal_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_kaiming_normal_fills_a_parameter_in_place(fn, device):
    check_kaiming("kaiming_normal_", fn, "normal", (16, 64, 3, 3), 0.0, "fan_out",
                  "relu", 7, dtype=torch.float32, device=device, as_parameter=True)


INIT_ARGS = {"xavier_uniform_": {"gain": 1.0}, "xavier_normal_": {"gain": 5 / 3},
             "kaiming_uniform_": {"a": 0.0, "mode": "fan_in", "nonlinearity": "relu"},
             "kaiming_normal_": {"a": 0.2, "mode": "fan_out", "nonlinearity": "leaky_relu"}}


@pytest.mark.parametrize("q", [pytest.param(q, marks=question(q), id=q) for q in INIT_ARGS])
@settings(max_examples=1)
@given(seed=seeds)
def test_initialisers_draw_from_the_global_generator_on_the_tensors_device(q, seed):
    # On meta, every torch.Generator the code passes must be on the device it draws for (a CPU generator with
    # device=tensor.device works on meta and the CPU, and fails on a GPU). On the CPU: the same
    # torch.manual_seed gives the same values, another seed other values (no private or reseeded generator).
    shape, kwargs = (32, 16), INIT_ARGS[q]
    inputs = {"tensor.shape": shape, "device": "meta", **kwargs}
    _, records = drive(q, student(q), run_init_audit, inputs, shape, torch.float32, "meta", (seed,), **kwargs)
    expect_generator_on_the_tensors_device(q, records, inputs)
    inputs = {"tensor.shape": shape, "seeds": (seed, seed, seed + 1), **kwargs}
    values, records = drive(q, student(q), run_init_audit, inputs, shape, torch.float32, "cpu",
                            (seed, seed, seed + 1), **kwargs)
    expect_reproducible(q, values, inputs)


@pytest.mark.parametrize("q, kind", [pytest.param(q, kind, marks=question(q), id=q) for q, kind in
                                     [("xavier_uniform_", "uniform"), ("xavier_normal_", "normal"),
                                      ("kaiming_uniform_", "uniform"), ("kaiming_normal_", "normal")]])
@pytest.mark.parametrize("shape", [(1, 4096), (4096, 1)])
def test_initialisers_with_default_arguments_on_a_single_row_or_column(q, kind, shape):
    # nn.Linear(n, 1) has a (1, n) weight: code that looks at a second row or column fails there. And the
    # defaults: gain=1; a=0, mode="fan_in", nonlinearity="leaky_relu".
    scale = xavier_scale(shape, 1.0, kind) if q.startswith("xavier") else kaiming_scale(shape, 0.0, "fan_in",
                                                                                          "leaky_relu", kind)
    check_init(q, student(q), kind, scale, shape, 11, torch.float64)


# ---- init_model_ -----------------------------------------------------------------------------------
@question("init_model_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(arch=st.sampled_from(["mlp", "nested", "conv", "towers", "mixed"]),
       weight_init=st.sampled_from(["xavier_uniform_", "kaiming_normal_", "ones_"]),
       bias=st.sampled_from([0.0, 0.1, -0.5]), seed=st.integers(0, 2**10))
def test_init_model_matches_a_reference(q, fn, device, dtype, arch, weight_init, bias, seed):
    inputs = {"model": arch, "weight_init": f"nn.init.{weight_init}", "bias": bias, "seed": seed}
    expected = dict(run_init_model(init_model_reference, arch, weight_init, bias, seed, dtype, device)[0])
    got = drive(q, fn, run_init_model, inputs, arch, weight_init, bias, seed, dtype, device)
    expect_state(q, got, expected, inputs, dtype=dtype, device=device)


@question("init_model_")
def test_init_model_keeps_the_same_parameter_objects(q, fn):
    # An optimiser made before init holds the model's parameters: replacing one (m.bias = nn.Parameter(...))
    # leaves the optimiser training a tensor the model no longer uses.
    arch = "towers"  # nested layers, convs, a layer without bias
    inputs = {"model": arch, "weight_init": "nn.init.xavier_uniform_", "bias": 0.1}
    got = drive(q, fn, run_init_model_audit, inputs, arch, "xavier_uniform_", 0.1)
    if type(got) is not tuple or len(got) != 3:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意料之外的结果"), inputs, None,
                           got)
    same, requires_grad, count = got
    if type(same) is not list or len(same) != count or not all(flag is True for flag in same):
        raise CheckFailure(q, tr("replaced some of the model's parameters with new ones; fill the existing ones in "
                                 "place (weight_init(m.weight), m.bias.fill_(...) under torch.no_grad())",
                                 "把模型的一些参数换成了新的参数；请原地填充已有的参数"
                                 "（在 torch.no_grad() 下调用 weight_init(m.weight)、m.bias.fill_(...)）"), inputs)
    if not all(flag is True for flag in requires_grad):
        raise CheckFailure(q, tr("some parameters no longer require grad after initialisation",
                                 "初始化之后，有些参数不再需要梯度（requires_grad 变成了 False）"), inputs)


@question("init_model_")
def test_init_model_default_bias_is_zero(q, fn):
    inputs = {"model": "conv", "weight_init": "nn.init.ones_"}
    expected = dict(run_init_model(init_model_reference, "conv", "ones_", 0.0, 0)[0])
    expect_state(q, drive(q, fn, run_init_model, inputs, "conv", "ones_", None, 0), expected, inputs,
                 dtype=torch.float32, device="cpu")


@question("init_model_")
def test_init_model_keeps_the_device(q, fn):
    inputs = {"model": "towers", "weight_init": "nn.init.ones_", "bias": 0.5, "device": "meta"}
    expected = dict(run_init_model(init_model_reference, "towers", "ones_", 0.5, 0, torch.float32, "meta")[0])
    got = drive(q, fn, run_init_model, inputs, "towers", "ones_", 0.5, 0, torch.float32, "meta")
    expect_state(q, got, expected, inputs, dtype=torch.float32, device="meta")


# ---- layer_grad_norms and dead_relu_fraction: inputs, parameters and devices ---------------------
READS_VALUES = ("item()", "data-dependent", "tolist", "cannot be called on meta", "numpy", "bool value")


def _expect_model_left_alone(q, got, inputs, sent):
    if type(got) is not tuple or len(got) != 4:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意料之外的结果"), inputs, None,
                           got)
    _, after, requires_grad, training = got
    if type(after) is not list or len(after) != len(sent) or not all(
            type(a) is torch.Tensor and a.shape == b.shape and torch.equal(a, b) for a, b in zip(after, sent)):
        raise CheckFailure(q, tr("changed its inputs (x or y); compute with new tensors instead",
                                 "改变了它的输入（x 或 y）；请改用新的张量来计算"), inputs)
    if not all(flag is True for flag in requires_grad):
        raise CheckFailure(q, tr("left some of the model's parameters with requires_grad=False; a model must train "
                                 "as before after you measured it (restore what you change)",
                                 "把模型的一些参数留在了 requires_grad=False 的状态；测量之后模型必须能像原来一样训练"
                                 "（改动了什么就要恢复什么）"), inputs)
    if training is not True:
        raise CheckFailure(q, tr("left the model in eval mode; restore its mode (model.train(was_training))",
                                 "把模型留在了评估模式；请恢复它原来的模式（model.train(was_training)）"), inputs)


def _problem_inputs(q, sizes, dtype):
    if q == "layer_grad_norms":
        _, x, y = mlp_problem(sizes, "sigmoid", False, 0, dtype)
        return [x, y]
    _, x, _ = mlp_problem(sizes, "relu", False, 0, dtype, dead_units=1, n=6)
    return [x]


@pytest.mark.parametrize("q", [pytest.param(q, marks=question(q), id=q)
                               for q in ("layer_grad_norms", "dead_relu_fraction")])
def test_model_and_inputs_left_as_they_were(q):
    sizes = [4, 6, 6, 2]
    inputs = {"sizes": sizes, "dtype": torch.float64}
    got = drive(q, student(q), run_model_audit, inputs, q, sizes, False, 0, torch.float64)
    _expect_model_left_alone(q, got, inputs, _problem_inputs(q, sizes, torch.float64))


# ---- layer_grad_norms ------------------------------------------------------------------------------
mlp_sizes = st.lists(st.integers(2, 6), min_size=2, max_size=6)


@question("layer_grad_norms")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(sizes=mlp_sizes, activation=st.sampled_from(["sigmoid", "tanh", "relu"]), nested=st.booleans(),
       stale=st.booleans(), seed=st.integers(0, 2**10))
def test_layer_grad_norms_match_autograd(q, fn, device, dtype, sizes, activation, nested, stale, seed):
    inputs = {"sizes": sizes, "activation": activation, "nested": nested,
              tr("old gradients in .grad", ".grad 中留有旧梯度"): stale, "seed": seed}
    got = drive(q, fn, run_layer_grad_norms, inputs, sizes, activation, nested, stale, seed, dtype, device)
    expected = grad_norms_reference(sizes, activation, nested, seed, torch.float64)
    expect_grad_norms(q, got, expected, inputs, dtype=dtype, device=device,
                      before=mlp_parameters(sizes, activation, nested, seed, dtype, device))


@question("layer_grad_norms")
def test_layer_grad_norms_keep_the_device(q):
    sizes = [3, 4, 4, 2]
    inputs = {"sizes": sizes, "device": "meta"}
    got = _on_meta_or_default_device(q, inputs, run_layer_grad_norms, sizes, "tanh", True, True, 0, torch.float32,
                                     "meta")
    if got is None:
        return  # it reads values into Python: judged on the CPU with the default device moved instead
    expected = grad_norms_reference(sizes, "tanh", True, 0, torch.float32, "meta")
    expect_grad_norms(q, got, expected, inputs, dtype=torch.float32, device="meta",
                      before=mlp_parameters(sizes, "tanh", True, 0, torch.float32, "meta"))


@question("layer_grad_norms")
def test_layer_grad_norms_vanish_in_a_deep_sigmoid_network(q, fn):
    # The lesson's point: in a deep sigmoid network the layers nearest the input get the smallest gradients.
    sizes = [2, 8, 8, 8, 8, 8, 8, 1]
    inputs = {"sizes": sizes, "activation": "sigmoid"}
    got = drive(q, fn, run_layer_grad_norms, inputs, sizes, "sigmoid", False, False, 3, torch.float64)
    expect_grad_norms(q, got, grad_norms_reference(sizes, "sigmoid", False, 3), inputs, dtype=torch.float64,
                      device="cpu", before=mlp_parameters(sizes, "sigmoid", False, 3, torch.float64))
    if not got[0][0] < got[0][-1]:
        raise CheckFailure(q, tr("the first layer's gradient should be smaller than the last one's here",
                                 "这里第一层的梯度应当比最后一层的小"), inputs)


# ---- dead_relu_fraction ----------------------------------------------------------------------------
@question("dead_relu_fraction")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(sizes=st.lists(st.integers(4, 10), min_size=3, max_size=5), nested=st.booleans(),
       dead=st.integers(0, 2), n=st.integers(1, 8), seed=st.integers(0, 2**10))
def test_dead_relu_fraction_matches_a_forward_pass(q, fn, device, dtype, sizes, nested, dead, n, seed):
    inputs = {"sizes": sizes, "nested": nested, tr("dead units per layer", "每层死亡的神经元数"): dead,
              tr("samples", "样本数"): n, "seed": seed}
    got = drive(q, fn, run_dead_relu_fraction, inputs, sizes, nested, dead, seed, dtype, device, n)
    expected = dead_fraction_reference(sizes, nested, dead, seed, dtype, "cpu", n)  # same rounding as the student
    expect_dead_fractions(q, got, expected, inputs, device=device)


@question("dead_relu_fraction")
def test_dead_relu_fraction_keeps_the_device(q):
    sizes = [4, 6, 6, 1]
    inputs = {"sizes": sizes, "device": "meta"}
    got = _on_meta_or_default_device(q, inputs, run_dead_relu_fraction, sizes, True, 1, 0, torch.float32, "meta")
    if got is None:
        return  # it reads values into Python: judged on the CPU with the default device moved instead
    expected = dead_fraction_reference(sizes, True, 1, 0, torch.float32, "meta")
    expect_dead_fractions(q, got, expected, inputs, device="meta")


def _on_meta_or_default_device(q, inputs, driver, *args):
    """The driver's result on meta tensors; or, when the student's code reads values into Python (.item(),
    allowed: meta tensors have no values), None after checking on the CPU with the default device set to meta
    (``run_model_audit``), where a tensor made without the input's device lands off the CPU."""
    try:
        return student(q).drive(driver, *args)
    except StudentError as exc:
        if not any(s in (exc.message or "").lower() for s in READS_VALUES):
            return drive(q, student(q), driver, inputs, *args)  # the same failure, explained as drive does
    sizes = [4, 6, 6, 2]
    shown = {"sizes": sizes, "dtype": torch.float64, tr("default device", "默认设备"): "meta"}
    try:
        got = student(q).drive(run_model_audit, q, sizes, False, 0, torch.float64, "meta")
    except StudentError as exc:
        raise CheckFailure(q, tr("your function makes a tensor on the default device instead of the input's: with "
                                 "the default device changed, it raised {error}",
                                 "你的函数在默认设备上而不是在输入所在的设备上新建了张量：默认设备改变后，它抛出了 {error}",
                                 error=exc.type_name), shown,
                           detail=tr("Create new tensors with device=x.device and dtype=x.dtype.",
                                     "新建张量时请指定 device=x.device 和 dtype=x.dtype。")) from None
    result = got[0] if type(got) is tuple and got else got
    expected = (grad_norms_reference(sizes, "sigmoid", False, 0, torch.float64) if q == "layer_grad_norms"
                else dead_fraction_reference(sizes, False, 1, 0, torch.float64, "cpu", 6))
    expect_tensor(q, result, expected, shown, dtype=torch.float64, device="cpu",
                  what=tr("the result with the default device changed (it must stay on the input's device)",
                          "默认设备改变后的结果（它必须留在输入所在的设备上）"),
                  **tolerance(torch.float64, reduction=True))
    return None
