"""Hidden tests for assignment 6, "Gradient stability and weight initialisation".

Oracles: torch.nn.init's fan-in/fan-out and gain (the initialisers are tested statistically: the bound
almost exactly, mean and std within about 5 standard errors, under fixed seeds), torch.autograd in float64
for gradients, and a plain forward pass for dead ReLUs.
"""
import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograder.assignments.initialization.references import (dead_fraction_reference, grad_norms_reference,
                                                              init_model_reference, kaiming_scale, xavier_scale)
from autograder.assignments.initialization.references import fan_in_and_fan_out_reference as torch_fans
from autograder.harness import DEVICES, FLOAT_DTYPES, call, public_check_tests, question, student
from kitcheck.assignments.initialization import (ASSIGNMENT, INIT_SHAPES, NONLINEARITIES, check_init,
                                                 expect_dead_fractions, expect_grad_norms, expect_state,
                                                 mlp_parameters, run_dead_relu_fraction, run_init_model,
                                                 run_layer_grad_norms)
from kitcheck.compare import CheckFailure, drive, expect_equal, expect_raises
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
def test_fan_in_and_fan_out_matches_torch(shape):
    q = "fan_in_and_fan_out"
    expect_equal(q, call(q, student(q), shape=shape), tuple(torch_fans(shape)), {"shape": shape})


@question("fan_in_and_fan_out")
@pytest.mark.parametrize("shape", [(), (3,), (1,)])
def test_fan_in_and_fan_out_needs_two_dims(shape):
    expect_raises("fan_in_and_fan_out", student("fan_in_and_fan_out"), "ValueError", {"shape": shape},
                  "fan-in and fan-out need at least 2 dimensions")


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
def test_xavier_uniform_fills_a_parameter_in_place(device):
    check_xavier("xavier_uniform_", student("xavier_uniform_"), "uniform", (48, 24, 5), 1.0, 7,
                 dtype=torch.float32, device=device, as_parameter=True)


@question("xavier_normal_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=st.sampled_from(INIT_SHAPES), gain=st.sampled_from(GAINS), seed=seeds)
def test_xavier_normal_statistics(device, dtype, shape, gain, seed):
    _xavier("xavier_normal_", "normal", device, dtype, shape, gain, seed)


@question("xavier_normal_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_xavier_normal_fills_a_parameter_in_place(device):
    check_xavier("xavier_normal_", student("xavier_normal_"), "normal", (48, 24, 5), 1.0, 7,
                 dtype=torch.float32, device=device, as_parameter=True)


# ---- kaiming_uniform_ and kaiming_normal_ ----------------------------------------------------------
kaiming_params = dict(shape=st.sampled_from(INIT_SHAPES), a=st.sampled_from(SLOPES),
                      mode=st.sampled_from(["fan_in", "fan_out"]), nonlinearity=st.sampled_from(NONLINEARITIES),
                      seed=seeds)


@question("kaiming_uniform_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(**kaiming_params)
def test_kaiming_uniform_statistics(device, dtype, shape, a, mode, nonlinearity, seed):
    check_kaiming("kaiming_uniform_", student("kaiming_uniform_"), "uniform", shape, a, mode, nonlinearity, seed,
                  dtype=dtype, device=device)


@question("kaiming_uniform_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_kaiming_uniform_fills_a_parameter_in_place(device):
    check_kaiming("kaiming_uniform_", student("kaiming_uniform_"), "uniform", (16, 64, 3, 3), math.sqrt(5),
                  "fan_in", "leaky_relu", 7, dtype=torch.float32, device=device, as_parameter=True)


@question("kaiming_normal_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(**kaiming_params)
def test_kaiming_normal_statistics(device, dtype, shape, a, mode, nonlinearity, seed):
    check_kaiming("kaiming_normal_", student("kaiming_normal_"), "normal", shape, a, mode, nonlinearity, seed,
                  dtype=dtype, device=device)


@question("kaiming_normal_")
@pytest.mark.parametrize("device", ["meta", *DEVICES])
def test_kaiming_normal_fills_a_parameter_in_place(device):
    check_kaiming("kaiming_normal_", student("kaiming_normal_"), "normal", (16, 64, 3, 3), 0.0, "fan_out",
                  "relu", 7, dtype=torch.float32, device=device, as_parameter=True)


# ---- init_model_ -----------------------------------------------------------------------------------
@question("init_model_")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(arch=st.sampled_from(["mlp", "nested", "conv", "towers"]),
       weight_init=st.sampled_from(["xavier_uniform_", "kaiming_normal_", "ones_"]),
       bias=st.sampled_from([0.0, 0.1, -0.5]), seed=st.integers(0, 2**10))
def test_init_model_matches_a_reference(device, dtype, arch, weight_init, bias, seed):
    q = "init_model_"
    inputs = {"model": arch, "weight_init": f"nn.init.{weight_init}", "bias": bias, "seed": seed}
    expected = dict(run_init_model(init_model_reference, arch, weight_init, bias, seed, dtype, device)[0])
    got = drive(q, student(q), run_init_model, inputs, arch, weight_init, bias, seed, dtype, device)
    expect_state(q, got, expected, inputs, dtype=dtype, device=device)


# ---- layer_grad_norms ------------------------------------------------------------------------------
mlp_sizes = st.lists(st.integers(2, 6), min_size=2, max_size=6)


@question("layer_grad_norms")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(sizes=mlp_sizes, activation=st.sampled_from(["sigmoid", "tanh", "relu"]), nested=st.booleans(),
       stale=st.booleans(), seed=st.integers(0, 2**10))
def test_layer_grad_norms_match_autograd(device, dtype, sizes, activation, nested, stale, seed):
    q = "layer_grad_norms"
    inputs = {"sizes": sizes, "activation": activation, "nested": nested, "old gradients in .grad": stale,
              "seed": seed}
    got = drive(q, student(q), run_layer_grad_norms, inputs, sizes, activation, nested, stale, seed, dtype, device)
    expected = grad_norms_reference(sizes, activation, nested, seed, torch.float64)
    expect_grad_norms(q, got, expected, inputs, dtype=dtype, device=device,
                      before=mlp_parameters(sizes, activation, nested, seed, dtype, device))


@question("layer_grad_norms")
def test_layer_grad_norms_keep_the_device():
    q, sizes = "layer_grad_norms", [3, 4, 4, 2]
    inputs = {"sizes": sizes, "device": "meta"}
    got = drive(q, student(q), run_layer_grad_norms, inputs, sizes, "tanh", True, True, 0, torch.float32, "meta")
    expected = grad_norms_reference(sizes, "tanh", True, 0, torch.float32, "meta")
    expect_grad_norms(q, got, expected, inputs, dtype=torch.float32, device="meta",
                      before=mlp_parameters(sizes, "tanh", True, 0, torch.float32, "meta"))


@question("layer_grad_norms")
def test_layer_grad_norms_vanish_in_a_deep_sigmoid_network():
    # The lesson's point: in a deep sigmoid network the layers nearest the input get the smallest gradients.
    q, sizes = "layer_grad_norms", [2, 8, 8, 8, 8, 8, 8, 1]
    inputs = {"sizes": sizes, "activation": "sigmoid"}
    got = drive(q, student(q), run_layer_grad_norms, inputs, sizes, "sigmoid", False, False, 3, torch.float64)
    expect_grad_norms(q, got, grad_norms_reference(sizes, "sigmoid", False, 3), inputs, dtype=torch.float64,
                      device="cpu", before=mlp_parameters(sizes, "sigmoid", False, 3, torch.float64))
    if not got[0][0] < got[0][-1]:
        raise CheckFailure(q, "the first layer's gradient should be smaller than the last one's here", inputs)


# ---- dead_relu_fraction ----------------------------------------------------------------------------
@question("dead_relu_fraction")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(sizes=st.lists(st.integers(4, 10), min_size=3, max_size=5), nested=st.booleans(),
       dead=st.integers(0, 2), n=st.integers(1, 8), seed=st.integers(0, 2**10))
def test_dead_relu_fraction_matches_a_forward_pass(device, dtype, sizes, nested, dead, n, seed):
    q = "dead_relu_fraction"
    inputs = {"sizes": sizes, "nested": nested, "dead units per layer": dead, "samples": n, "seed": seed}
    got = drive(q, student(q), run_dead_relu_fraction, inputs, sizes, nested, dead, seed, dtype, device, n)
    expected = dead_fraction_reference(sizes, nested, dead, seed, dtype, "cpu", n)  # same rounding as the student
    expect_dead_fractions(q, got, expected, inputs, device=device)


@question("dead_relu_fraction")
def test_dead_relu_fraction_keeps_the_device():
    q, sizes = "dead_relu_fraction", [4, 6, 6, 1]
    inputs = {"sizes": sizes, "device": "meta"}
    got = drive(q, student(q), run_dead_relu_fraction, inputs, sizes, True, 1, 0, torch.float32, "meta")
    expected = dead_fraction_reference(sizes, True, 1, 0, torch.float32, "meta")
    expect_dead_fractions(q, got, expected, inputs, device="meta")
