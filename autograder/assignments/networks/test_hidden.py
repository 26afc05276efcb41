"""Hidden tests for assignment 4, "Single-layer networks and losses". Oracle: torch's own functions, in float64.

Gradients are computed where the student's code runs (``value_and_grad``, ``jacobians``) and compared with
gradients (or finite differences) of torch's function computed here.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.assignments.networks.references import step_reference, xor_reference
from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests, question,
                                student)
from kitcheck.assignments.networks import (ASSIGNMENT, REDUCTIONS, TRUTH_TABLE, binary_labels, class_labels,
                                           expect_grad, expect_gradcheck, scaled_tolerance)
from kitcheck.compare import expect_raises, expect_tensor, tolerance
from kitcheck.strategies import make_tensor, seeds, shapes

test_public_checks = public_check_tests(ASSIGNMENT)

# Gradient tests keep inputs off 0 (make_tensor rounds to 2 decimals; +0.005 never lands on 0): stable
# formulas built from |z| or max(z, 0) have a kink there in autograd's eyes, although the loss has none.
OFF_ZERO = 0.005
# gradcheck (float64, finite differences) is a second opinion on gradients that the value_and_grad tests already
# compare with torch's on random inputs: a few fixed inputs suffice and keep grading fast.
GRADCHECK_SEEDS = [0, 1, 2]
# Gradient and property tests take half the examples of the value tests (grading time goes with the number of
# calls into the student's process); under KIT_HYPOTHESIS_PROFILE=kit-explore they scale up with the rest.
HALF = settings(max_examples=max(5, settings.default.max_examples // 2))


def _dim(data, shape):
    return data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")


def _torch_loss(loss):
    """torch's loss with ``reduction`` passed by keyword (its third positional parameter is something else)."""
    return lambda input, target, reduction: loss(input, target, reduction=reduction)


def _upstream(shape, seed, dtype):
    return make_tensor(shape, dtype, seed + 7, low=0.5, high=1.5)


# ---- sigmoid ---------------------------------------------------------------------------------------
@question("sigmoid")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=5), scale=st.sampled_from([1.0, 20.0, 1000.0]), seed=seeds)
def test_sigmoid_matches_torch(device, dtype, shape, scale, seed):
    q = "sigmoid"
    z = make_tensor(shape, dtype, seed, device) * scale
    expect_tensor(q, call(q, student(q), z=z), torch.sigmoid(z.double()), {"z": z}, dtype=dtype, device=z.device)


@question("sigmoid")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 6), scale=st.sampled_from([1.0, 1000.0]), seed=seeds)
def test_sigmoid_gradient_matches_torch(dtype, n, scale, seed):
    # scale 1000: exp(-z) overflows for very negative z; the naive formula's gradient is inf * 0 = nan there.
    z = (make_tensor((n,), dtype, seed) + OFF_ZERO) * scale
    expect_grad("sigmoid", student("sigmoid"), torch.sigmoid, {"z": z}, wrt=("z",),
                upstream=_upstream((n,), seed, dtype), **tolerance(dtype))


@question("sigmoid")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_sigmoid_gradcheck(seed):
    expect_gradcheck("sigmoid", student("sigmoid"), torch.sigmoid,
                     {"z": make_tensor((4,), torch.float64, seed) + OFF_ZERO})


@question("sigmoid")
@HALF
@given(n=st.integers(1, 6), seed=seeds)
def test_sigmoid_is_symmetric(n, seed):
    # sigmoid(-z) = 1 - sigmoid(z): the second half of the result mirrors the first.
    q = "sigmoid"
    z = make_tensor((n,), torch.float64, seed, low=-10, high=10)
    both = torch.cat([z, -z])
    out = call(q, student(q), z=both)
    expect_tensor(q, out, torch.sigmoid(both), {"z": both}, dtype=z.dtype, device=z.device)
    expect_tensor(q, out[n:], 1 - out[:n], {"z": both}, what="sigmoid(-z), which should equal 1 - sigmoid(z)")


# ---- softmax ---------------------------------------------------------------------------------------
@question("softmax")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=5), data=st.data(), offset=st.sampled_from([0.0, 800.0, -800.0]), seed=seeds)
def test_softmax_matches_torch(device, dtype, shape, data, offset, seed):
    # Offsets of +-800 overflow exp() in float32 and float64 alike: only a stable formula passes.
    q = "softmax"
    dim = _dim(data, shape)
    z = make_tensor(shape, dtype, seed, device) + offset
    inputs = {"z": z, "dim": dim}
    expect_tensor(q, call(q, student(q), **inputs), torch.softmax(z.double(), dim), inputs, dtype=dtype,
                  device=z.device, **scaled_tolerance(dtype, z))


@question("softmax")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(rows=st.integers(2, 4), cols=st.integers(2, 5), seed=seeds)
def test_softmax_rows_far_apart(dtype, rows, cols, seed):
    # Rows 300 apart: one max for the whole tensor makes the lower rows underflow to 0 / 0 = nan.
    q = "softmax"
    z = make_tensor((rows, cols), dtype, seed) - 300.0 * torch.arange(rows, dtype=dtype).unsqueeze(1)
    inputs = {"z": z, "dim": 1}
    expect_tensor(q, call(q, student(q), **inputs), torch.softmax(z.double(), 1), inputs, dtype=dtype,
                  device=z.device, **tolerance(dtype, reduction=True))


@question("softmax")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(shape=shapes(1, 3, min_side=2, max_side=4), data=st.data(), seed=seeds)
def test_softmax_gradient_matches_torch(dtype, shape, data, seed):
    dim = _dim(data, shape)
    z = make_tensor(shape, dtype, seed)
    expect_grad("softmax", student("softmax"), torch.softmax, {"z": z, "dim": dim}, wrt=("z",),
                upstream=_upstream(shape, seed, dtype), **tolerance(dtype, reduction=True))


@question("softmax")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
@pytest.mark.parametrize("dim", [0, -1])
def test_softmax_gradcheck(seed, dim):
    expect_gradcheck("softmax", student("softmax"), torch.softmax,
                     {"z": make_tensor((2, 3), torch.float64, seed), "dim": dim})


@question("softmax")
@HALF
@given(rows=st.integers(1, 4), cols=st.integers(1, 5), seed=seeds)
def test_softmax_ignores_a_shift_of_each_row(rows, cols, seed):
    # The rows of z and of z + c (a constant per row) are stacked: both halves of the result must agree.
    q = "softmax"
    z = make_tensor((rows, cols), torch.float64, seed)
    both = torch.cat([z, z + make_tensor((rows, 1), torch.float64, seed + 1, low=-50, high=50)])
    inputs = {"z": both, "dim": 1}
    out = call(q, student(q), **inputs)
    expect_tensor(q, out, torch.softmax(both, 1), inputs, dtype=z.dtype, device=z.device)
    expect_tensor(q, out[rows:], out[:rows], inputs, what="softmax(z + c) for a constant c per row (should equal "
                  "softmax(z))")


# ---- mse -------------------------------------------------------------------------------------------
@question("mse")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=5), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_mse_matches_torch(device, dtype, shape, reduction, seed):
    q = "mse"
    pred, target = make_tensor(shape, dtype, seed, device), make_tensor(shape, dtype, seed + 1, device)
    inputs = {"pred": pred, "target": target, "reduction": reduction}
    expected = F.mse_loss(pred.double(), target.double(), reduction=reduction)
    expect_tensor(q, call(q, student(q), **inputs), expected, inputs, dtype=dtype, device=pred.device,
                  **tolerance(dtype, reduction=True))


@question("mse")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(shape=shapes(1, 2, max_side=4), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_mse_gradient_matches_torch(dtype, shape, reduction, seed):
    pred, target = make_tensor(shape, dtype, seed), make_tensor(shape, dtype, seed + 1)
    upstream = _upstream(shape, seed, dtype) if reduction == "none" else None
    inputs = {"pred": pred, "target": target, "reduction": reduction}
    expect_grad("mse", student("mse"), _torch_loss(F.mse_loss), inputs,
                wrt=("pred", "target"), upstream=upstream, **tolerance(dtype, reduction=True))


@question("mse")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_gradcheck(reduction):
    inputs = {"pred": make_tensor((2, 3), torch.float64, 0), "target": make_tensor((2, 3), torch.float64, 1),
              "reduction": reduction}
    expect_gradcheck("mse", student("mse"), _torch_loss(F.mse_loss), inputs)


@question("mse")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_empty_batch(reduction):
    # mean over no elements is 0 / 0 = nan (like torch); the sum is 0; 'none' keeps the empty shape.
    q = "mse"
    pred, target = torch.empty(0, 3), torch.empty(0, 3)
    inputs = {"pred": pred, "target": target, "reduction": reduction}
    expect_tensor(q, call(q, student(q), **inputs), F.mse_loss(pred.double(), target.double(), reduction=reduction),
                  inputs, dtype=pred.dtype, device=pred.device, what="the result for an empty batch")


@question("mse")
@pytest.mark.parametrize("reduction", ["avg", "Mean", "max"])
def test_mse_rejects_unknown_reductions(reduction):
    inputs = {"pred": torch.ones(3), "target": torch.zeros(3), "reduction": reduction}
    expect_raises("mse", student("mse"), "ValueError", inputs, f"{reduction!r} is not 'mean', 'sum' or 'none'")


# ---- bce -------------------------------------------------------------------------------------------
@question("bce")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 2, max_side=5), reduction=st.sampled_from(REDUCTIONS),
       kind=st.sampled_from(["hard labels", "soft labels", "p of 0, 0.5 or 1"]), seed=seeds)
def test_bce_matches_torch(device, dtype, shape, reduction, kind, seed):
    # Soft labels: targets anywhere in [0, 1]. p of exactly 0 or 1: torch clamps each log at -100, so a certain
    # wrong prediction costs 100, not inf, and 0 * log(0) counts as 0.
    q = "bce"
    if kind == "p of 0, 0.5 or 1":
        p = (torch.randint(0, 3, shape, generator=torch.Generator().manual_seed(seed)) / 2).to(dtype).to(device)
    else:
        p = make_tensor(shape, dtype, seed, device, low=0.01, high=0.99)
    y = (make_tensor(shape, dtype, seed + 1, device, low=0, high=1) if kind == "soft labels"
         else binary_labels(shape, dtype, seed + 1, device))
    inputs = {"p": p, "y": y, "reduction": reduction}
    expected = F.binary_cross_entropy(p.double(), y.double(), reduction=reduction)
    expect_tensor(q, call(q, student(q), **inputs), expected, inputs, dtype=dtype, device=p.device,
                  **tolerance(dtype, reduction=True))


@question("bce")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_bce_gradient_matches_torch(dtype, n, reduction, seed):
    p = make_tensor((n,), dtype, seed, low=0.05, high=0.95)
    y = binary_labels((n,), dtype, seed + 1)
    upstream = _upstream((n,), seed, dtype) if reduction == "none" else None
    expect_grad("bce", student("bce"), _torch_loss(F.binary_cross_entropy), {"p": p, "y": y, "reduction": reduction},
                wrt=("p",), upstream=upstream, **tolerance(dtype, reduction=True))


@question("bce")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_bce_gradcheck(seed):
    inputs = {"p": make_tensor((4,), torch.float64, seed, low=0.1, high=0.9),
              "y": make_tensor((4,), torch.float64, seed + 1, low=0, high=1), "reduction": "sum"}
    expect_gradcheck("bce", student("bce"), _torch_loss(F.binary_cross_entropy), inputs)


@question("bce")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_empty_batch(reduction):
    q = "bce"
    p, y = torch.empty(0), torch.empty(0)
    inputs = {"p": p, "y": y, "reduction": reduction}
    expect_tensor(q, call(q, student(q), **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction=reduction),
                  inputs, dtype=p.dtype, device=p.device, what="the result for an empty batch")


# ---- bce_with_logits -------------------------------------------------------------------------------
@question("bce_with_logits")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 2, max_side=5), reduction=st.sampled_from(REDUCTIONS),
       scale=st.sampled_from([1.0, 30.0, 1000.0]), seed=seeds)
def test_bce_with_logits_matches_torch(device, dtype, shape, reduction, scale, seed):
    q = "bce_with_logits"
    z = make_tensor(shape, dtype, seed, device) * scale
    y = binary_labels(shape, dtype, seed + 1, device)
    inputs = {"z": z, "y": y, "reduction": reduction}
    expected = F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction=reduction)
    expect_tensor(q, call(q, student(q), **inputs), expected, inputs, dtype=dtype, device=z.device,
                  **scaled_tolerance(dtype, z))


@question("bce_with_logits")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), scale=st.sampled_from([1.0, 1000.0]),
       soft=st.booleans(), seed=seeds)
def test_bce_with_logits_gradient_matches_torch(dtype, n, reduction, scale, soft, seed):
    # The gradient is sigmoid(z) - y: finite and exact for large logits too.
    z = (make_tensor((n,), dtype, seed) + OFF_ZERO) * scale
    y = make_tensor((n,), dtype, seed + 1, low=0, high=1) if soft else binary_labels((n,), dtype, seed + 1)
    upstream = _upstream((n,), seed, dtype) if reduction == "none" else None
    expect_grad("bce_with_logits", student("bce_with_logits"), _torch_loss(F.binary_cross_entropy_with_logits),
                {"z": z, "y": y, "reduction": reduction}, wrt=("z",), upstream=upstream,
                **tolerance(dtype, reduction=True))


@question("bce_with_logits")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_bce_with_logits_gradcheck(seed):
    inputs = {"z": make_tensor((4,), torch.float64, seed) + OFF_ZERO,
              "y": make_tensor((4,), torch.float64, seed + 1, low=0, high=1), "reduction": "sum"}
    expect_gradcheck("bce_with_logits", student("bce_with_logits"),
                     _torch_loss(F.binary_cross_entropy_with_logits), inputs)


@question("bce_with_logits")
@HALF
@given(n=st.integers(1, 6), seed=seeds)
def test_bce_with_logits_is_symmetric(n, seed):
    # Swapping the classes flips the logit: loss(z, y) = loss(-z, 1 - y), so both halves of the result agree.
    q = "bce_with_logits"
    z, y = make_tensor((n,), torch.float64, seed, low=-10, high=10), binary_labels((n,), torch.float64, seed + 1)
    inputs = {"z": torch.cat([z, -z]), "y": torch.cat([y, 1 - y]), "reduction": "none"}
    out = call(q, student(q), **inputs)
    expect_tensor(q, out, F.binary_cross_entropy_with_logits(inputs["z"], inputs["y"], reduction="none"), inputs,
                  dtype=z.dtype, device=z.device)
    expect_tensor(q, out[n:], out[:n], inputs, what="loss(-z, 1 - y), which should equal loss(z, y)")


@question("bce_with_logits")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_empty_batch(reduction):
    q = "bce_with_logits"
    z, y = torch.empty(0), torch.empty(0)
    inputs = {"z": z, "y": y, "reduction": reduction}
    expected = F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction=reduction)
    expect_tensor(q, call(q, student(q), **inputs), expected, inputs, dtype=z.dtype, device=z.device,
                  what="the result for an empty batch")


# ---- cross_entropy ---------------------------------------------------------------------------------
@question("cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), c=st.integers(1, 5), reduction=st.sampled_from(REDUCTIONS),
       scale=st.sampled_from([1.0, 300.0]), offset=st.sampled_from([0.0, 1000.0, -1000.0]), seed=seeds)
def test_cross_entropy_matches_torch(device, dtype, n, c, reduction, scale, offset, seed):
    # scale 300: classes hundreds apart, so log(softmax) underflows to log(0) = -inf for unlikely classes.
    q = "cross_entropy"
    logits = make_tensor((n, c), dtype, seed, device) * scale + offset
    target = class_labels(n, c, seed + 1, device)
    inputs = {"logits": logits, "target": target, "reduction": reduction}
    expected = F.cross_entropy(logits.double(), target, reduction=reduction)
    expect_tensor(q, call(q, student(q), **inputs), expected, inputs, dtype=dtype, device=logits.device,
                  **scaled_tolerance(dtype, logits))


@question("cross_entropy")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 5), c=st.integers(2, 5), reduction=st.sampled_from(REDUCTIONS),
       scale=st.sampled_from([1.0, 300.0]), seed=seeds)
def test_cross_entropy_gradient_matches_torch(dtype, n, c, reduction, scale, seed):
    logits = make_tensor((n, c), dtype, seed) * scale
    target = class_labels(n, c, seed + 1)
    upstream = _upstream((n,), seed, dtype) if reduction == "none" else None
    expect_grad("cross_entropy", student("cross_entropy"), _torch_loss(F.cross_entropy),
                {"logits": logits, "target": target, "reduction": reduction}, wrt=("logits",), upstream=upstream,
                **scaled_tolerance(dtype, logits))


@question("cross_entropy")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_cross_entropy_gradcheck(seed):
    inputs = {"logits": make_tensor((3, 4), torch.float64, seed), "target": class_labels(3, 4, seed + 1),
              "reduction": "mean"}
    expect_gradcheck("cross_entropy", student("cross_entropy"), _torch_loss(F.cross_entropy), inputs)


@question("cross_entropy")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("n,c", [(0, 3), (4, 1)], ids=["empty-batch", "one-class"])
def test_cross_entropy_edge_cases(reduction, n, c):
    # An empty batch: 'mean' is 0 / 0 = nan like torch. One class: every probability is 1, the loss 0.
    q = "cross_entropy"
    logits, target = make_tensor((n, c), torch.float32, n + c), torch.zeros(n, dtype=torch.long)
    inputs = {"logits": logits, "target": target, "reduction": reduction}
    expect_tensor(q, call(q, student(q), **inputs), F.cross_entropy(logits.double(), target, reduction=reduction),
                  inputs, dtype=logits.dtype, device=logits.device)


@question("cross_entropy")
def test_cross_entropy_keeps_the_device():
    expect_device_agnostic("cross_entropy", student("cross_entropy"),
                           lambda logits, target, reduction: F.cross_entropy(logits, target, reduction=reduction),
                           logits=torch.empty(4, 3, device="meta"),
                           target=torch.empty(4, dtype=torch.long, device="meta"), reduction="none")


# ---- step_neuron -----------------------------------------------------------------------------------
@question("step_neuron")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(0, 6), d=st.integers(1, 4), integers=st.booleans(), seed=seeds)
def test_step_neuron_matches_the_definition(device, dtype, n, d, integers, seed):
    # With small integers, x @ w + b lands exactly on 0 often: the step is 1 there.
    q = "step_neuron"
    g = torch.Generator().manual_seed(seed)
    if integers:
        x = torch.randint(-2, 3, (n, d), generator=g).to(dtype).to(device)
        w = torch.randint(-2, 3, (d,), generator=g).to(dtype).to(device)
        b = float(torch.randint(-2, 3, (), generator=g))
    else:
        x, w = make_tensor((n, d), dtype, seed, device), make_tensor((d,), dtype, seed + 1, device)
        b = round(float(torch.rand((), generator=g)) * 6 - 3, 2)
    inputs = {"x": x, "w": w, "b": b}
    expect_tensor(q, call(q, student(q), **inputs), step_reference(x, w, b), inputs, dtype=dtype, device=x.device)


@question("step_neuron")
def test_step_neuron_keeps_the_device():
    expect_device_agnostic("step_neuron", student("step_neuron"),
                           lambda x, w, b: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(4, 2, device="meta"), w=torch.empty(2, device="meta"), b=0.5)


# ---- xor_forward -----------------------------------------------------------------------------------
@question("xor_forward")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(0, 10), seed=seeds)
def test_xor_forward_on_batches(device, dtype, n, seed):
    q = "xor_forward"
    x = binary_labels((n, 2), dtype, seed, device)
    expect_tensor(q, call(q, student(q), x=x), xor_reference(x), {"x": x}, dtype=dtype, device=x.device)


@question("xor_forward")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_xor_forward_truth_table(device, dtype):
    q = "xor_forward"
    x = TRUTH_TABLE.to(dtype).to(device)
    expect_tensor(q, call(q, student(q), x=x), xor_reference(x), {"x": x}, dtype=dtype, device=x.device,
                  what="the XOR truth table")


@question("xor_forward")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_xor_forward_keeps_the_device(dtype):
    expect_device_agnostic("xor_forward", student("xor_forward"),
                           lambda x: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(5, 2, dtype=dtype, device="meta"))
