"""Hidden tests for assignment 9, "Classic CNN architectures and how to compare them".

Oracles: torchvision's own models and layers (structure: parameter names and shapes, layer classes; outputs
with the same weights), the reference modules of ``references.py`` in float64 (outputs and gradients with
known weights), ``F.adaptive_avg_pool2d``, and ``torch.utils.flop_counter.FlopCounterMode``.
"""
import functools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.adversarial import layout, offset
from autograder.assignments.architectures.references import (REFERENCES, count_params_reference, flops_of,
                                                             forward_expected, module_run_expected, params_of,
                                                             structure_of)
from autograder.harness import DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, loaded_max_examples, \
    public_check_tests, question, student
from kitcheck.assignments.architectures import (ASSIGNMENT, VGG_CONFIGS, call_and_input, expect_forward,
                                                expect_measure, expect_meta_output, make_model)
from kitcheck.compare import CheckFailure, drive, expect_tensor, tolerance
from kitcheck.i18n import tr
from kitcheck.modules import expect_module_report, expect_structure, make_state, module_structure
from kitcheck.drivers import value_and_grad
from kitcheck.strategies import make_tensor, seeds

test_public_checks = public_check_tests(ASSIGNMENT)

# Networks: each example builds one and runs it; scaled from the loaded profile (kit-explore explores more).
_EXAMPLES = loaded_max_examples()
FEW = settings(max_examples=max(6, _EXAMPLES // 4))
SOME = settings(max_examples=max(10, _EXAMPLES // 2))
F32_TOL = {"rtol": 1e-4, "atol": 1e-5}


def _tol(dtype):
    return tolerance(dtype) if dtype == torch.float64 else F32_TOL


@functools.cache
def torchvision_structure(name: str, *args) -> dict:
    """module_structure of a torchvision model or layer stack, made on the meta device."""
    import torchvision

    if name == "vgg_features":
        return module_structure(lambda cfg: torchvision.models.vgg.make_layers(list(cfg)), args[0])
    return module_structure(lambda: getattr(torchvision.models, name)(weights=None, num_classes=args[0]))


def _structure(q, args, names, expected=None):
    expect_structure(q, student(q), tuple(args), expected or structure_of(q, tuple(args)), dict(zip(names, args)))


def _run(q, args, names, x_shape, dtype, device, seed, training=False):
    shapes = {n: list(p.shape) for n, p in REFERENCES[q](*args).state_dict().items()}
    state = make_state(shapes, dtype, seed, device)
    x = make_tensor(x_shape, dtype, seed + 1, device)
    expected, upstream = module_run_expected(q, tuple(args), state, x, seed + 2, training)
    inputs = {"args": tuple(args), "state": state, "x": x, "upstream": upstream.to(device, dtype),
              "training": training}
    shown = {**dict(zip(names, args)), "x": x, "training": training}
    expect_module_report(q, student(q), inputs, expected, shown, **_tol(dtype))


def _forward(q, args, names, x, seed, reference_module=None, training=False):
    """Output with make_state weights (no gradients) against the reference (or torchvision's module); x unchanged."""
    module = reference_module if reference_module is not None else REFERENCES[q](*args)
    expected = forward_expected(module, seed, x, training)
    expect_forward(q, student(q), tuple(args), seed, x, expected, {**dict(zip(names, args)), "x": x}, training,
                   **_tol(x.dtype))


def _meta(q, args, names, shape):
    with torch.device("meta"):
        expected = REFERENCES[q](*args).eval()(torch.empty(shape))
    expect_meta_output(q, student(q), tuple(args), torch.empty(shape, device="meta"), tuple(expected.shape),
                       dict(zip(names, args)))


# ---- AlexNet -----------------------------------------------------------------------------------------------
ALEX = ("num_classes", "width", "hidden", "dropout", "in_channels")
alex_args = st.tuples(st.integers(2, 6), st.integers(1, 3), st.integers(4, 12), st.sampled_from([0.5, 0.2]),
                      st.integers(1, 3))


@question("AlexNet")
@pytest.mark.parametrize("num_classes", [1000, 10])
def test_alexnet_structure_is_torchvisions(q, num_classes):
    # The defaults are torchvision's alexnet(): same names, shapes and layers (61,100,840 parameters at 1000).
    _structure(q, (num_classes, 64, 4096, 0.5, 3), ALEX, torchvision_structure("alexnet", num_classes))


@question("AlexNet")
def test_alexnet_defaults_are_torchvisions(q):
    # AlexNet() with no arguments: the defaults (1000 classes, width 64, hidden 4096, 3 input channels).
    _structure(q, (), ALEX, torchvision_structure("alexnet", 1000))


@question("AlexNet")
@SOME
@given(args=alex_args)
def test_alexnet_structure_scaled(q, args):
    _structure(q, args, ALEX)


@question("AlexNet")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@FEW
@given(args=alex_args, batch=st.integers(1, 2), size=st.sampled_from([63, 67, 80, 100]), seed=seeds)
def test_alexnet_matches_reference(q, device, dtype, args, batch, size, seed):
    # Evaluation mode (dropout off); outputs and gradients of the input and of every parameter.
    _run(q, args, ALEX, (batch, args[4], size, size), dtype, device, seed)


@question("AlexNet")
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_alexnet_dropout_places_in_training_mode(q, p):
    # Deterministic training modes: p = 0 is the identity; p = 1 zeroes the inputs of both hidden linear layers,
    # so the logits depend on the biases only: dropout must come before classifier.1 and classifier.4.
    _run(q, (4, 2, 8, p, 1), ALEX, (2, 1, 70, 70), torch.float64, "cpu", 11, training=True)


@question("AlexNet")
def test_alexnet_at_224_leaves_input_unchanged(q):
    x = make_tensor((1, 3, 224, 224), torch.float32, 5)
    _forward(q, (7, 1, 8, 0.5, 3), ALEX, x, 3)


@question("AlexNet")
def test_alexnet_on_another_device(q):
    _meta(q, (1000, 64, 4096, 0.5, 3), ALEX, (2, 3, 224, 224))


# ---- vgg_block ---------------------------------------------------------------------------------------------
VGGB = ("num_convs", "in_channels", "out_channels")
vggb_args = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5))


@question("vgg_block")
@SOME
@given(args=vggb_args)
def test_vgg_block_structure(q, args):
    _structure(q, args, VGGB)


@question("vgg_block")
def test_vgg_block_is_a_torchvision_vgg_stage(q):
    # VGG-16's third stage, [256, 256, 256, "M"] after 128 channels: torchvision's layers 0-6, renumbered.
    import torchvision

    stage = torchvision.models.vgg.make_layers([128, "M", 256, 256, 256, "M"])[3:]
    expected = module_structure(lambda: torch.nn.Sequential(*stage))
    _structure(q, (3, 128, 256), VGGB, expected)


@question("vgg_block")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@FEW
@given(args=vggb_args, batch=st.integers(1, 2), h=st.integers(2, 7), w=st.integers(2, 7), seed=seeds)
def test_vgg_block_matches_reference(q, device, dtype, args, batch, h, w, seed):
    _run(q, args, VGGB, (batch, args[1], h, w), dtype, device, seed)


@question("vgg_block")
@pytest.mark.parametrize("how", ["contiguous", "transposed", "sliced"])
def test_vgg_block_leaves_input_unchanged(q, how):
    x = layout(make_tensor((2, 3, 6, 5), torch.float32, 2), how)
    _forward(q, (2, 3, 4), VGGB, x, 1)


@question("vgg_block")
def test_vgg_block_on_another_device(q):
    _meta(q, (2, 3, 8), VGGB, (2, 3, 9, 8))


# ---- vgg_features ------------------------------------------------------------------------------------------
VGGF = ("config", "in_channels")


@st.composite
def vgg_configs(draw):
    items = draw(st.lists(st.one_of(st.integers(1, 5), st.just("M")), min_size=1, max_size=6))
    return items, draw(st.integers(1, 3))


@question("vgg_features")
@pytest.mark.parametrize("name", list(VGG_CONFIGS))
def test_vgg_features_is_torchvisions(q, name):
    # torchvision.models.<name>(weights=None).features: same layers, names and shapes (9,220,480 for vgg11).
    config = VGG_CONFIGS[name]
    _structure(q, (config, 3), VGGF, torchvision_structure("vgg_features", tuple(config)))


@question("vgg_features")
def test_vgg_features_default_in_channels(q):
    # in_channels defaults to 3 (RGB images): the first convolution's weight is (4, 3, 3, 3).
    _structure(q, ([4, "M", 6],), VGGF)


@question("vgg_features")
@SOME
@given(args=vgg_configs())
def test_vgg_features_structure(q, args):
    _structure(q, args, VGGF)


@question("vgg_features")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@FEW
@given(args=vgg_configs(), batch=st.integers(1, 2), seed=seeds)
def test_vgg_features_matches_reference(q, device, dtype, args, batch, seed):
    pools = args[0].count("M")
    size = 2 ** pools + seed % 3   # big enough for every pooling, sometimes odd
    _run(q, args, VGGF, (batch, args[1], size, size + 1), dtype, device, seed)


@question("vgg_features")
def test_vgg11_features_with_torchvisions_weights(q):
    # The same weights by name in the student's features and in torchvision's make_layers, for VGG-11's
    # configuration with the channels divided by 16 (the layout is the same; 9 million weights cost time).
    import torchvision

    config = [c if c == "M" else c // 16 for c in torchvision.models.vgg.cfgs["A"]]
    x = make_tensor((1, 3, 32, 32), torch.float32, 4)
    theirs = torchvision.models.vgg.make_layers(config)
    _forward(q, (config, 3), VGGF, x, 9, reference_module=theirs)


@question("vgg_features")
def test_vgg_features_on_another_device(q):
    _meta(q, (VGG_CONFIGS["vgg16"], 3), VGGF, (1, 3, 32, 32))


# ---- nin_block ---------------------------------------------------------------------------------------------
NIN = ("in_channels", "out_channels", "kernel_size", "stride", "padding")
nin_args = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2))


@question("nin_block")
@SOME
@given(args=nin_args)
def test_nin_block_structure(q, args):
    _structure(q, args, NIN)


@question("nin_block")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@FEW
@given(args=nin_args, batch=st.integers(1, 2), extra=st.integers(0, 4), seed=seeds)
def test_nin_block_matches_reference(q, device, dtype, args, batch, extra, seed):
    size = max(1, args[2] - 2 * args[4]) + extra
    _run(q, args, NIN, (batch, args[0], size, size + 1), dtype, device, seed)


@question("nin_block")
def test_nin_block_defaults(q):
    # stride 1 and padding 0 by default: a 3x3 kernel on 8x9 gives 6x7 (stride 2 or padding 1 would not).
    _meta(q, (3, 4, 3), NIN, (1, 3, 8, 9))


@question("nin_block")
def test_nin_block_leaves_input_unchanged(q):
    _forward(q, (3, 4, 3, 2, 1), NIN, layout(make_tensor((2, 3, 7, 6), torch.float32, 3), "transposed"), 2)


@question("nin_block")
def test_nin_block_on_another_device(q):
    _meta(q, (3, 96, 11, 4, 0), NIN, (1, 3, 224, 224))


# ---- global_avg_pool ---------------------------------------------------------------------------------------

@question("global_avg_pool")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@SOME
@given(shape=st.one_of(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 9), st.integers(1, 9)),
                       st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(1, 9))),
       how=st.sampled_from(["contiguous", "transposed", "sliced", "channels_last"]), seed=seeds)
def test_global_avg_pool_matches_torch(q, fn, device, dtype, shape, how, seed):
    x = make_tensor(shape, dtype, seed)
    if how == "channels_last" and x.ndim == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    elif how != "channels_last":
        x = layout(x, how)
    x = x.to(device)
    inputs = {"x": x}
    expect_tensor(q, call(q, fn, **inputs), F.adaptive_avg_pool2d(x.double(), 1), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("global_avg_pool")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(seed=seeds, base=st.sampled_from([1e3, -1e3, 1e5]))
def test_global_avg_pool_large_common_offset(q, fn, dtype, seed, base):
    # Activations with a large common offset: the mean must keep the small differences between channels.
    if dtype == torch.float32 and abs(base) > 1e3:
        base = 1e3
    x = offset((2, 3, 5, 4), dtype, seed, base=base, spread=1.0)
    inputs = {"x": x}
    expect_tensor(q, call(q, fn, **inputs), F.adaptive_avg_pool2d(x.double(), 1), inputs, dtype=dtype,
                  device=x.device, rtol=1e-6 if dtype == torch.float32 else 1e-12,
                  atol=abs(base) * (1e-6 if dtype == torch.float32 else 1e-13))


@question("global_avg_pool")
def test_global_avg_pool_expanded_input(q, fn):
    # A stride-0 input (the same 5x3 map broadcast over 4 channels).
    x = make_tensor((1, 1, 5, 3), torch.float64, 1).expand(2, 4, 5, 3)
    inputs = {"x": x}
    expect_tensor(q, call(q, fn, **inputs), F.adaptive_avg_pool2d(x, 1), inputs, dtype=x.dtype,
                  device=x.device)


@question("global_avg_pool")
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 5), st.integers(1, 5)), seed=seeds)
def test_global_avg_pool_gradient(q, fn, shape, seed):
    x = make_tensor(shape, torch.float64, seed)
    inputs = {"x": x}
    upstream = make_tensor((shape[0], shape[1], 1, 1), torch.float64, seed + 1)
    value, grads = drive(q, fn, value_and_grad, inputs, x, upstream=upstream)
    expected = (upstream / (shape[2] * shape[3])).expand(shape)
    expect_tensor(q, value, F.adaptive_avg_pool2d(x, 1), inputs, dtype=x.dtype, device=x.device)
    expect_tensor(q, grads[0] if grads else None, expected, inputs, dtype=x.dtype, device=x.device,
                  what=tr("the gradient (each position gets its channel's upstream gradient / (H * W))",
                          "梯度（每个位置得到它所在通道的上游梯度 / (H * W)）"))


@question("global_avg_pool")
def test_global_avg_pool_leaves_input_unchanged(q, fn):
    x = make_tensor((2, 3, 4, 5), torch.float64, 7)
    inputs = {"x": x}
    out, after = drive(q, fn, call_and_input, inputs, x)
    expect_tensor(q, out, F.adaptive_avg_pool2d(x, 1), inputs, dtype=x.dtype, device=x.device)
    if type(after) is not torch.Tensor or not torch.equal(after, x):
        raise CheckFailure(q, tr("the function changed its input x; compute a new tensor instead",
                                   "函数改变了它的输入 x；请计算出一个新的张量"), inputs)


@question("global_avg_pool")
@pytest.mark.parametrize("shape", [(2, 3, 5, 4), (3, 7, 2)])
def test_global_avg_pool_on_another_device(q, fn, shape):
    expect_device_agnostic(q, fn, lambda x: F.adaptive_avg_pool2d(x, 1),
                           x=torch.empty(shape, device="meta"))


# ---- Inception ---------------------------------------------------------------------------------------------
INC = ("in_channels", "ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")
inc_args = st.tuples(*[st.integers(1, 4)] * 7)
GOOGLENET_BLOCKS = [(192, 64, 96, 128, 16, 32, 32), (256, 128, 128, 192, 32, 96, 64),
                    (832, 384, 192, 384, 48, 128, 128)]   # 3a, 3b, 5b


@question("Inception")
@pytest.mark.parametrize("args", GOOGLENET_BLOCKS, ids=["3a", "3b", "5b"])
def test_inception_structure_of_googlenet_blocks(q, args):
    _structure(q, args, INC)


@question("Inception")
@SOME
@given(args=inc_args)
def test_inception_structure(q, args):
    _structure(q, args, INC)


@question("Inception")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@FEW
@given(args=inc_args, batch=st.integers(1, 2), h=st.integers(1, 6), w=st.integers(1, 6), seed=seeds)
def test_inception_matches_reference(q, device, dtype, args, batch, h, w, seed):
    # Known weights: the output fixes the branches' layers and the order of the concatenation.
    _run(q, args, INC, (batch, args[0], h, w), dtype, device, seed)


@question("Inception")
def test_inception_output_shape_as_torchvisions(q, fn):
    # torchvision's Inception (batch norm, a 3x3 "5x5" branch) gives the same output shape for GoogLeNet's 4e.
    from importlib import import_module

    args, shape = (528, 256, 160, 320, 32, 128, 128), (1, 528, 14, 14)
    with torch.device("meta"):
        expected = import_module("torchvision.models.googlenet").Inception(*args).eval()(torch.empty(shape))
    expect_meta_output(q, fn, args, torch.empty(shape, device="meta"),
                       tuple(expected.shape), dict(zip(INC, args)))


@question("Inception")
def test_inception_leaves_input_unchanged(q):
    _forward(q, (4, 2, 3, 4, 1, 2, 2), INC, make_tensor((2, 4, 5, 6), torch.float32, 1), 4)


# ---- count_params and count_flops --------------------------------------------------------------------------
# The public checks (run with these tests) already measure alexnet, vgg11, resnet18 (both ways), googlenet,
# tied and frozen_cnn (both ways); these are the other cases.
PARAM_CASES = [("twice_used", False), ("grouped", False), ("grouped", True), ("tied", True), ("googlenet", True),
               ("one_output", False)]


@question("count_params")
@pytest.mark.parametrize("model,trainable_only", PARAM_CASES)
def test_count_params_matches_parameters(q, fn, model, trainable_only):
    expect_measure(q, fn, model, (trainable_only,), params_of(model, trainable_only),
                   {"model": model, "trainable_only": trainable_only})


@question("count_params")
def test_count_params_known_torchvision_counts(q, fn):
    # Published counts (weights=None builds the same architectures): AlexNet, ResNet-18.
    for model, count in (("alexnet", 61_100_840), ("resnet18", 11_689_512)):
        assert count_params_reference(make_model(model)) == count
        expect_measure(q, fn, model, (False,), count, {"model": model})


@question("count_params")
def test_count_params_counts_all_by_default(q, fn):
    # trainable_only defaults to False: the frozen layers count too.
    expect_measure(q, fn, "frozen_cnn", (), params_of("frozen_cnn", False),
                   {"model": "frozen_cnn"})


# Besides the public checks' cases (alexnet at 224, resnet18 at 64, twice_used, grouped at 9x11).
FLOP_CASES = [("alexnet", (2, 3, 100, 120)), ("vgg11", (1, 3, 32, 32)),
              ("resnet18", (2, 3, 64, 64)), ("googlenet", (1, 3, 96, 96)), ("twice_used", (3, 3, 6, 5)),
              ("grouped", (1, 4, 10, 12)), ("tied", (4, 5, 12)), ("frozen_cnn", (2, 3, 7, 7)),
              ("one_output", (2, 3, 5, 5))]


@question("count_flops")
@pytest.mark.parametrize("model,shape", FLOP_CASES, ids=[f"{m}-{'x'.join(map(str, s))}" for m, s in FLOP_CASES])
def test_count_flops_matches_flop_counter(q, fn, model, shape):
    x = torch.empty(shape, device="meta")
    expect_measure(q, fn, model, (x,), flops_of(model, shape),
                   {"model": model, "x": x})
