"""Hidden tests for assignment 4, "Single-layer networks and losses". Oracle: torch's own functions, in float64.

Gradients are computed where the student's code runs (``value_and_grad``, ``jacobians``) and compared with
gradients (or finite differences) of torch's function computed here.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.adversarial import extreme_probabilities, layout, layouts, with_specials
from autograder.assignments.networks.references import MLP, step_reference, xor_reference
from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, loaded_max_examples,
                                public_check_tests, question)
from kitcheck.assignments.networks import ASSIGNMENT
from kitcheck.assignments.networks_compare import (check_linear_run, expect_grad, expect_gradcheck, expect_linear_init,
                                                   expect_module_run, expect_structure, scaled_tolerance)
from kitcheck.assignments.networks_drivers import ACTIVATIONS, module_init, module_run
from kitcheck.assignments.networks_inputs import (REDUCTIONS, TRUTH_TABLE, binary_labels, class_labels, mlp_case,
                                                  structure_of)
from kitcheck.compare import drive, expect_raises, expect_tensor, tolerance
from kitcheck.i18n import tr
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
HALF = settings(max_examples=max(5, loaded_max_examples() // 2))


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
@given(shape=shapes(1, 3, max_side=5), scale=st.sampled_from([1.0, 20.0, 1000.0]), specials=st.booleans(),
       how=layouts(), seed=seeds)
def test_sigmoid_matches_torch(q, fn, device, dtype, shape, scale, specials, how, seed):
    # specials: inf gives 1, -inf gives 0, nan stays nan (like torch); how: z as a non-contiguous view too.
    z = make_tensor(shape, dtype, seed, device) * scale
    if specials and z.numel() >= 3:
        z = with_specials(z, seed)
    z = layout(z, how)
    expect_tensor(q, call(q, fn, z=z), torch.sigmoid(z.double()), {"z": z}, dtype=dtype, device=z.device)


@question("sigmoid")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 6), scale=st.sampled_from([1.0, 1000.0]), seed=seeds)
def test_sigmoid_gradient_matches_torch(q, fn, dtype, n, scale, seed):
    # scale 1000: exp(-z) overflows for very negative z; the naive formula's gradient is inf * 0 = nan there.
    z = (make_tensor((n,), dtype, seed) + OFF_ZERO) * scale
    expect_grad(q, fn, torch.sigmoid, {"z": z}, wrt=("z",),
                upstream=_upstream((n,), seed, dtype), **tolerance(dtype))


@question("sigmoid")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_sigmoid_gradcheck(q, fn, seed):
    expect_gradcheck(q, fn, torch.sigmoid,
                     {"z": make_tensor((4,), torch.float64, seed) + OFF_ZERO})


@question("sigmoid")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sigmoid_keeps_the_device(q, fn, dtype):
    expect_device_agnostic(q, fn, torch.sigmoid, z=torch.empty(2, 3, dtype=dtype, device="meta"))


@question("sigmoid")
@HALF
@given(n=st.integers(1, 6), seed=seeds)
def test_sigmoid_is_symmetric(q, fn, n, seed):
    # sigmoid(-z) = 1 - sigmoid(z): the second half of the result mirrors the first.
    z = make_tensor((n,), torch.float64, seed, low=-10, high=10)
    both = torch.cat([z, -z])
    out = call(q, fn, z=both)
    expect_tensor(q, out, torch.sigmoid(both), {"z": both}, dtype=z.dtype, device=z.device)
    expect_tensor(q, out[n:], 1 - out[:n], {"z": both},
                  what=tr("sigmoid(-z), which should equal 1 - sigmoid(z)", "sigmoid(-z)，它应当等于 1 - sigmoid(z)"))


# ---- softmax ---------------------------------------------------------------------------------------
@question("softmax")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=5), data=st.data(), offset=st.sampled_from([0.0, 800.0, -800.0]),
       masked=st.booleans(), how=layouts(), seed=seeds)
def test_softmax_matches_torch(q, fn, device, dtype, shape, data, offset, masked, how, seed):
    # Offsets of +-800 overflow exp() in float32 and float64 alike: only a stable formula passes. masked: some
    # entries are -inf (an attention mask), never a whole slice: they get probability 0. how: any layout.
    dim = _dim(data, shape)
    z = make_tensor(shape, dtype, seed, device) + offset
    if masked:
        drop = torch.rand(shape, generator=torch.Generator().manual_seed(seed)) < 0.4
        drop &= z.cpu() != z.cpu().amax(dim=dim, keepdim=True)  # the largest entry of each slice stays
        z = z.masked_fill(drop.to(z.device), float("-inf"))
    z = layout(z, how)
    inputs = {"z": z, "dim": dim}
    expect_tensor(q, call(q, fn, **inputs), torch.softmax(z.double(), dim), inputs, dtype=dtype,
                  device=z.device, **scaled_tolerance(dtype, z))


@question("softmax")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(rows=st.integers(2, 4), cols=st.integers(2, 5), seed=seeds)
def test_softmax_rows_far_apart(q, fn, dtype, rows, cols, seed):
    # Rows 300 apart: one max for the whole tensor makes the lower rows underflow to 0 / 0 = nan.
    z = make_tensor((rows, cols), dtype, seed) - 300.0 * torch.arange(rows, dtype=dtype).unsqueeze(1)
    inputs = {"z": z, "dim": 1}
    expect_tensor(q, call(q, fn, **inputs), torch.softmax(z.double(), 1), inputs, dtype=dtype,
                  device=z.device, **tolerance(dtype, reduction=True))


@question("softmax")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(shape=shapes(1, 3, min_side=2, max_side=4), data=st.data(), seed=seeds)
def test_softmax_gradient_matches_torch(q, fn, dtype, shape, data, seed):
    dim = _dim(data, shape)
    z = make_tensor(shape, dtype, seed)
    expect_grad(q, fn, torch.softmax, {"z": z, "dim": dim}, wrt=("z",),
                upstream=_upstream(shape, seed, dtype), **tolerance(dtype, reduction=True))


@question("softmax")
@pytest.mark.parametrize("dim", [-1, 2])
def test_softmax_of_a_transposed_z(q, fn, dim):
    # The first two dims of this z cannot be merged: code that flattens the rows with .view(-1, n) fails on
    # it (random layouts reach this case only sometimes).
    z = make_tensor((3, 2, 4), torch.float64, 3).transpose(0, 1)
    inputs = {"z": z, "dim": dim}
    expect_tensor(q, call(q, fn, **inputs), torch.softmax(z, dim), inputs, dtype=z.dtype, device=z.device)


@question("softmax")
def test_softmax_default_dim_is_the_last(q, fn):
    # softmax(z) with no dim: along the last dimension (a 3-D z, so -1, -2, 0 and 1 all differ).
    z = make_tensor((2, 3, 4), torch.float64, 5)
    expect_tensor(q, call(q, fn, z=z), torch.softmax(z, -1), {"z": z}, dtype=z.dtype, device=z.device,
                  what=tr("softmax(z) without a dim (the default is the last one)",
                          "不传 dim 时的 softmax(z)（默认是最后一维）"))


@question("softmax")
@pytest.mark.parametrize("dim", [0, -1])
def test_softmax_keeps_the_device(q, fn, dim):
    expect_device_agnostic(q, fn, torch.softmax, z=torch.empty(3, 4, device="meta"), dim=dim)


@question("softmax")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
@pytest.mark.parametrize("dim", [0, -1])
def test_softmax_gradcheck(q, fn, seed, dim):
    expect_gradcheck(q, fn, torch.softmax,
                     {"z": make_tensor((2, 3), torch.float64, seed), "dim": dim})


@question("softmax")
@HALF
@given(rows=st.integers(1, 4), cols=st.integers(1, 5), seed=seeds)
def test_softmax_ignores_a_shift_of_each_row(q, fn, rows, cols, seed):
    # The rows of z and of z + c (a constant per row) are stacked: both halves of the result must agree.
    z = make_tensor((rows, cols), torch.float64, seed)
    both = torch.cat([z, z + make_tensor((rows, 1), torch.float64, seed + 1, low=-50, high=50)])
    inputs = {"z": both, "dim": 1}
    out = call(q, fn, **inputs)
    expect_tensor(q, out, torch.softmax(both, 1), inputs, dtype=z.dtype, device=z.device)
    expect_tensor(q, out[rows:], out[:rows], inputs,
                  what=tr("softmax(z + c) for a constant c per row (should equal softmax(z))",
                          "每行加上一个常数 c 后的 softmax(z + c)（应当等于 softmax(z)）"))


# ---- mse -------------------------------------------------------------------------------------------
@question("mse")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=5), reduction=st.sampled_from(REDUCTIONS), how=layouts(),
       offset=st.sampled_from([0.0, 1e3]), seed=seeds)
def test_mse_matches_torch(q, fn, device, dtype, shape, reduction, how, offset, seed):
    # how: pred and target as non-contiguous views (an expanded target repeats one row); offset: both near 1e3,
    # so the errors are small differences of large numbers.
    pred, target = make_tensor(shape, dtype, seed, device) + offset, make_tensor(shape, dtype, seed + 1, device) + offset
    if how == "expanded" and shape[0] > 1:
        target = target[:1].expand(shape)
    pred, target = layout(pred, how), layout(target, how)
    inputs = {"pred": pred, "target": target, "reduction": reduction}
    expected = F.mse_loss(pred.double(), target.double(), reduction=reduction)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=pred.device,
                  **tolerance(dtype, reduction=True))


@question("mse")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(shape=shapes(1, 2, max_side=4), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_mse_gradient_matches_torch(q, fn, dtype, shape, reduction, seed):
    pred, target = make_tensor(shape, dtype, seed), make_tensor(shape, dtype, seed + 1)
    upstream = _upstream(shape, seed, dtype) if reduction == "none" else None
    inputs = {"pred": pred, "target": target, "reduction": reduction}
    expect_grad(q, fn, _torch_loss(F.mse_loss), inputs,
                wrt=("pred", "target"), upstream=upstream, **tolerance(dtype, reduction=True))


@question("mse")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_keeps_the_device(q, fn, reduction):
    expect_device_agnostic(q, fn, _torch_loss(F.mse_loss), pred=torch.empty(2, 3, device="meta"),
                           target=torch.empty(2, 3, device="meta"), reduction=reduction)


@question("mse")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_gradcheck(q, fn, reduction):
    inputs = {"pred": make_tensor((2, 3), torch.float64, 0), "target": make_tensor((2, 3), torch.float64, 1),
              "reduction": reduction}
    expect_gradcheck(q, fn, _torch_loss(F.mse_loss), inputs)


@question("mse")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_empty_batch(q, fn, reduction):
    # mean over no elements is 0 / 0 = nan (like torch); the sum is 0; 'none' keeps the empty shape.
    pred, target = torch.empty(0, 3), torch.empty(0, 3)
    inputs = {"pred": pred, "target": target, "reduction": reduction}
    expect_tensor(q, call(q, fn, **inputs), F.mse_loss(pred.double(), target.double(), reduction=reduction),
                  inputs, dtype=pred.dtype, device=pred.device,
                  what=tr("the result for an empty batch", "批量为空时的结果"))


@question("mse")
@pytest.mark.parametrize("reduction", ["avg", "Mean", "max"])
def test_mse_rejects_unknown_reductions(q, fn, reduction):
    inputs = {"pred": torch.ones(3), "target": torch.zeros(3), "reduction": reduction}
    expect_raises(q, fn, "ValueError", inputs,
                  tr("{reduction!r} is not 'mean', 'sum' or 'none'", "{reduction!r} 不是 'mean'、'sum' 或 'none'",
                     reduction=reduction))


# ---- bce -------------------------------------------------------------------------------------------
@question("bce")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 2, max_side=5), reduction=st.sampled_from(REDUCTIONS),
       kind=st.sampled_from(["hard labels", "soft labels", "p of 0, 0.5 or 1", "extreme p and y"]), how=layouts(),
       seed=seeds)
@example(shape=(8,), reduction="none", kind="extreme p and y", how="contiguous", seed=1)
def test_bce_matches_torch(q, fn, device, dtype, shape, reduction, kind, how, seed):
    # Soft labels: targets anywhere in [0, 1]. p of exactly 0 or 1: torch clamps each log at -100, so a certain
    # wrong prediction costs 100, not inf, and 0 * log(0) counts as 0. Extreme: p and y both from {0, 1, 1e-7,
    # 1 - 1e-7, 1e-3, ...}: a soft label against p = 0 costs y * 100, which a nan_to_num clean-up gets wrong.
    if kind == "p of 0, 0.5 or 1":
        p = (torch.randint(0, 3, shape, generator=torch.Generator().manual_seed(seed)) / 2).to(dtype).to(device)
    elif kind == "extreme p and y":
        p = extreme_probabilities(shape, dtype, seed, device)
    else:
        p = make_tensor(shape, dtype, seed, device, low=0.01, high=0.99)
    if kind == "extreme p and y":
        y = extreme_probabilities(shape, dtype, seed + 1, device)
    else:
        y = (make_tensor(shape, dtype, seed + 1, device, low=0, high=1) if kind == "soft labels"
             else binary_labels(shape, dtype, seed + 1, device))
    p, y = layout(p, how), layout(y, how)
    inputs = {"p": p, "y": y, "reduction": reduction}
    expected = F.binary_cross_entropy(p.double(), y.double(), reduction=reduction)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=p.device,
                  **tolerance(dtype, reduction=True))


@question("bce")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), seed=seeds)
def test_bce_gradient_matches_torch(q, fn, dtype, n, reduction, seed):
    p = make_tensor((n,), dtype, seed, low=0.05, high=0.95)
    y = binary_labels((n,), dtype, seed + 1)
    upstream = _upstream((n,), seed, dtype) if reduction == "none" else None
    expect_grad(q, fn, _torch_loss(F.binary_cross_entropy), {"p": p, "y": y, "reduction": reduction},
                wrt=("p",), upstream=upstream, **tolerance(dtype, reduction=True))


@question("bce")
def test_bce_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, _torch_loss(F.binary_cross_entropy),
                           p=torch.empty(2, 3, device="meta"), y=torch.empty(2, 3, device="meta"), reduction="none")


@question("bce")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_bce_gradcheck(q, fn, seed):
    inputs = {"p": make_tensor((4,), torch.float64, seed, low=0.1, high=0.9),
              "y": make_tensor((4,), torch.float64, seed + 1, low=0, high=1), "reduction": "sum"}
    expect_gradcheck(q, fn, _torch_loss(F.binary_cross_entropy), inputs)


@question("bce")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_empty_batch(q, fn, reduction):
    p, y = torch.empty(0), torch.empty(0)
    inputs = {"p": p, "y": y, "reduction": reduction}
    expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction=reduction),
                  inputs, dtype=p.dtype, device=p.device,
                  what=tr("the result for an empty batch", "批量为空时的结果"))


# ---- bce_with_logits -------------------------------------------------------------------------------
@question("bce_with_logits")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 2, max_side=5), reduction=st.sampled_from(REDUCTIONS),
       scale=st.sampled_from([1.0, 30.0, 1000.0]), labels=st.sampled_from(["hard", "soft", "extreme"]),
       how=layouts(), seed=seeds)
def test_bce_with_logits_matches_torch(q, fn, device, dtype, shape, reduction, scale, labels, how, seed):
    # Soft and extreme targets (0, 1, 1e-7, 0.5, ...) against logits up to +-1000: a formula that treats y as
    # 0/1 (picking a term with where, or rounding y) is wrong there.
    z = make_tensor(shape, dtype, seed, device) * scale
    y = {"hard": binary_labels, "extreme": extreme_probabilities,
         "soft": lambda *a: make_tensor(*a, low=0, high=1)}[labels](shape, dtype, seed + 1, device)
    z, y = layout(z, how), layout(y, how)
    inputs = {"z": z, "y": y, "reduction": reduction}
    expected = F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction=reduction)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=z.device,
                  **scaled_tolerance(dtype, z))


@question("bce_with_logits")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), scale=st.sampled_from([1.0, 1000.0]),
       soft=st.booleans(), seed=seeds)
def test_bce_with_logits_gradient_matches_torch(q, fn, dtype, n, reduction, scale, soft, seed):
    # The gradient is sigmoid(z) - y: finite and exact for large logits too.
    z = (make_tensor((n,), dtype, seed) + OFF_ZERO) * scale
    y = make_tensor((n,), dtype, seed + 1, low=0, high=1) if soft else binary_labels((n,), dtype, seed + 1)
    upstream = _upstream((n,), seed, dtype) if reduction == "none" else None
    expect_grad(q, fn, _torch_loss(F.binary_cross_entropy_with_logits),
                {"z": z, "y": y, "reduction": reduction}, wrt=("z",), upstream=upstream,
                **tolerance(dtype, reduction=True))


@question("bce_with_logits")
def test_bce_with_logits_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           _torch_loss(F.binary_cross_entropy_with_logits), z=torch.empty(4, device="meta"),
                           y=torch.empty(4, device="meta"), reduction="none")


@question("bce_with_logits")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_bce_with_logits_gradcheck(q, fn, seed):
    inputs = {"z": make_tensor((4,), torch.float64, seed) + OFF_ZERO,
              "y": make_tensor((4,), torch.float64, seed + 1, low=0, high=1), "reduction": "sum"}
    expect_gradcheck(q, fn,
                     _torch_loss(F.binary_cross_entropy_with_logits), inputs)


@question("bce_with_logits")
@HALF
@given(n=st.integers(1, 6), seed=seeds)
def test_bce_with_logits_is_symmetric(q, fn, n, seed):
    # Swapping the classes flips the logit: loss(z, y) = loss(-z, 1 - y), so both halves of the result agree.
    z, y = make_tensor((n,), torch.float64, seed, low=-10, high=10), binary_labels((n,), torch.float64, seed + 1)
    inputs = {"z": torch.cat([z, -z]), "y": torch.cat([y, 1 - y]), "reduction": "none"}
    out = call(q, fn, **inputs)
    expect_tensor(q, out, F.binary_cross_entropy_with_logits(inputs["z"], inputs["y"], reduction="none"), inputs,
                  dtype=z.dtype, device=z.device)
    expect_tensor(q, out[n:], out[:n], inputs,
                  what=tr("loss(-z, 1 - y), which should equal loss(z, y)", "loss(-z, 1 - y)，它应当等于 loss(z, y)"))


@question("bce_with_logits")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_empty_batch(q, fn, reduction):
    z, y = torch.empty(0), torch.empty(0)
    inputs = {"z": z, "y": y, "reduction": reduction}
    expected = F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction=reduction)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=z.dtype, device=z.device,
                  what=tr("the result for an empty batch", "批量为空时的结果"))


# ---- cross_entropy ---------------------------------------------------------------------------------
@question("cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 6), c=st.integers(1, 5), reduction=st.sampled_from(REDUCTIONS),
       scale=st.sampled_from([1.0, 300.0]), offset=st.sampled_from([0.0, 1000.0, -1000.0, "rows apart"]),
       how=layouts(), seed=seeds)
def test_cross_entropy_matches_torch(q, fn, device, dtype, n, c, reduction, scale, offset, how, seed):
    # scale 300: classes hundreds apart, so log(softmax) underflows to log(0) = -inf for unlikely classes. Rows
    # apart: row i is shifted by -500 i, so one max for the whole batch underflows the lower rows. how: logits
    # and the int64 targets as non-contiguous views (.view() fails on them; an expanded target repeats a class).
    logits = make_tensor((n, c), dtype, seed, device) * scale
    if offset == "rows apart":
        logits = logits - 500.0 * torch.arange(n, dtype=dtype, device=device).unsqueeze(1)
    else:
        logits = logits + offset
    target = class_labels(n, c, seed + 1, device)
    logits = layout(logits, how)
    target = target[:1].expand(n) if how == "expanded" else layout(target, how)
    inputs = {"logits": logits, "target": target, "reduction": reduction}
    expected = F.cross_entropy(logits.double(), target, reduction=reduction)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=logits.device,
                  **scaled_tolerance(dtype, logits))


@question("cross_entropy")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(n=st.integers(1, 5), c=st.integers(2, 5), reduction=st.sampled_from(REDUCTIONS),
       scale=st.sampled_from([1.0, 300.0]), seed=seeds)
def test_cross_entropy_gradient_matches_torch(q, fn, dtype, n, c, reduction, scale, seed):
    logits = make_tensor((n, c), dtype, seed) * scale
    target = class_labels(n, c, seed + 1)
    upstream = _upstream((n,), seed, dtype) if reduction == "none" else None
    expect_grad(q, fn, _torch_loss(F.cross_entropy),
                {"logits": logits, "target": target, "reduction": reduction}, wrt=("logits",), upstream=upstream,
                **scaled_tolerance(dtype, logits))


@question("cross_entropy")
@pytest.mark.parametrize("seed", GRADCHECK_SEEDS)
def test_cross_entropy_gradcheck(q, fn, seed):
    inputs = {"logits": make_tensor((3, 4), torch.float64, seed), "target": class_labels(3, 4, seed + 1),
              "reduction": "mean"}
    expect_gradcheck(q, fn, _torch_loss(F.cross_entropy), inputs)


@question("cross_entropy")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("n,c", [(0, 3), (4, 1)], ids=["empty-batch", "one-class"])
def test_cross_entropy_edge_cases(q, fn, reduction, n, c):
    # An empty batch: 'mean' is 0 / 0 = nan like torch. One class: every probability is 1, the loss 0.
    logits, target = make_tensor((n, c), torch.float32, n + c), torch.zeros(n, dtype=torch.long)
    inputs = {"logits": logits, "target": target, "reduction": reduction}
    expect_tensor(q, call(q, fn, **inputs), F.cross_entropy(logits.double(), target, reduction=reduction),
                  inputs, dtype=logits.dtype, device=logits.device)


@question("cross_entropy")
def test_cross_entropy_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda logits, target, reduction: F.cross_entropy(logits, target, reduction=reduction),
                           logits=torch.empty(4, 3, device="meta"),
                           target=torch.empty(4, dtype=torch.long, device="meta"), reduction="none")


# ---- step_neuron -----------------------------------------------------------------------------------
@question("step_neuron")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(0, 6), d=st.integers(1, 4), integers=st.booleans(), how=layouts(), seed=seeds)
def test_step_neuron_matches_the_definition(q, fn, device, dtype, n, d, integers, how, seed):
    # With small integers, x @ w + b lands exactly on 0 often: the step is 1 there.
    g = torch.Generator().manual_seed(seed)
    if integers:
        x = torch.randint(-2, 3, (n, d), generator=g).to(dtype).to(device)
        w = torch.randint(-2, 3, (d,), generator=g).to(dtype).to(device)
        b = float(torch.randint(-2, 3, (), generator=g))
    else:
        x, w = make_tensor((n, d), dtype, seed, device), make_tensor((d,), dtype, seed + 1, device)
        b = round(float(torch.rand((), generator=g)) * 6 - 3, 2)
    x, w = layout(x, how), layout(w, how)
    inputs = {"x": x, "w": w, "b": b}
    expect_tensor(q, call(q, fn, **inputs), step_reference(x, w, b), inputs, dtype=dtype, device=x.device)


@question("step_neuron")
def test_step_neuron_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda x, w, b: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(4, 2, device="meta"), w=torch.empty(2, device="meta"), b=0.5)


# ---- xor_forward -----------------------------------------------------------------------------------
@question("xor_forward")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(0, 10), how=layouts(), seed=seeds)
def test_xor_forward_on_batches(q, fn, device, dtype, n, how, seed):
    # how: x as a transposed, sliced or expanded (one row repeated) view; writing into x fails on the last.
    x = binary_labels((n, 2), dtype, seed, device)
    x = x[:1].expand(n, 2) if how == "expanded" and n > 1 else layout(x, how)
    expect_tensor(q, call(q, fn, x=x), xor_reference(x), {"x": x}, dtype=dtype, device=x.device)


@question("xor_forward")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_xor_forward_truth_table(q, fn, device, dtype):
    x = TRUTH_TABLE.to(dtype).to(device)
    expect_tensor(q, call(q, fn, x=x), xor_reference(x), {"x": x}, dtype=dtype, device=x.device,
                  what=tr("the XOR truth table", "异或（XOR）的真值表"))


@question("xor_forward")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_xor_forward_keeps_the_device(q, fn, dtype):
    expect_device_agnostic(q, fn,
                           lambda x: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(5, 2, dtype=dtype, device="meta"))


# ---- MyLinear --------------------------------------------------------------------------------------
# Oracle: nn.Linear itself, in float64, with the same state_dict loaded (module_run on both sides).
@question("MyLinear")
@HALF
@given(in_features=st.integers(1, 5), out_features=st.integers(1, 5), bias=st.booleans())
def test_my_linear_state_dict_matches_nn_linear(q, fn, in_features, out_features, bias):
    inputs = {"in_features": in_features, "out_features": out_features, "bias": bias}
    expected = structure_of(module_init(torch.nn.Linear, (in_features, out_features), {"bias": bias}, 0)[0])
    got = drive(q, fn, module_init, inputs, (in_features, out_features), {"bias": bias}, 0)
    expect_structure(q, got, expected, inputs)


@question("MyLinear")
def test_my_linear_has_a_bias_by_default(q, fn):
    inputs = {"in_features": 3, "out_features": 2}
    got = drive(q, fn, module_init, inputs, (3, 2), {}, 0)
    expect_structure(q, got, structure_of(module_init(torch.nn.Linear, (3, 2), {}, 0)[0]), inputs)


@question("MyLinear")
@pytest.mark.parametrize("in_features,out_features", [(16, 256), (256, 16), (7, 300)])
@pytest.mark.parametrize("bias", [True, False])
def test_my_linear_initialisation(q, fn, in_features, out_features, bias):
    # Large layers, so a wrong bound (1/in, sqrt(6/in), 1/sqrt(out)), a normal draw or a zero bias shows at once.
    inputs = {"in_features": in_features, "out_features": out_features, "bias": bias, "seed": in_features}
    got = drive(q, fn, module_init, inputs, (in_features, out_features), {"bias": bias}, in_features)
    expect_linear_init(q, got, in_features, out_features, bias, inputs)


@question("MyLinear")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(in_features=st.integers(1, 4), out_features=st.integers(1, 4), bias=st.booleans(),
       batch=st.sampled_from([(), (1,), (3,), (2, 3)]), how=layouts(), seed=seeds)
def test_my_linear_matches_nn_linear(fn, device, dtype, in_features, out_features, bias, batch, how, seed):
    # Outputs and gradients (x, weight, bias) with nn.Linear's weights loaded; x in any layout, any batch shape.
    check_linear_run("MyLinear", fn, in_features, out_features, bias, batch, dtype, seed, device,
                     x_layout=lambda x: layout(x, how))


@question("MyLinear")
@pytest.mark.parametrize("how", ["seq-first", "transposed", "expanded"])
def test_my_linear_non_contiguous_batches(fn, how):
    # A batch (2, 3, in) seen through transpose(0, 1) (sequence-first data), .mT, or expand: .view() fails on
    # the first two, and a stride-0 batch must still give one row per sample.
    def arrange(x):
        if how == "seq-first":
            return x.transpose(0, 1).contiguous().transpose(0, 1)
        if how == "transposed":
            return x.mT.contiguous().mT
        return x[:1, :1].expand(x.shape)

    check_linear_run("MyLinear", fn, 4, 3, True, (2, 3), torch.float32, 7, x_layout=arrange)


@question("MyLinear")
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_my_linear_keeps_the_device(fn, bias, dtype):
    check_linear_run("MyLinear", fn, 3, 2, bias, (4,), dtype, 0, "meta")


# ---- MLP -------------------------------------------------------------------------------------------
ACTIVATION_NAMES = sorted(ACTIVATIONS)
mlp_sizes = st.lists(st.integers(1, 4), min_size=2, max_size=5)


@question("MLP")
@HALF
@given(sizes=mlp_sizes, activation=st.sampled_from(ACTIVATION_NAMES))
def test_mlp_state_dict(q, fn, sizes, activation):
    inputs = {"sizes": sizes, "activation": f"nn.{activation}"}
    expected = structure_of(module_init(MLP, (sizes,), {"activation": activation}, 0)[0])
    got = drive(q, fn, module_init, inputs, (sizes,), {"activation": activation}, 0)
    expect_structure(q, got, expected, inputs)


@question("MLP")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@HALF
@given(sizes=mlp_sizes, activation=st.sampled_from(ACTIVATION_NAMES), batch=st.integers(1, 4), how=layouts(),
       seed=seeds)
def test_mlp_matches_reference(q, fn, device, dtype, sizes, activation, batch, how, seed):
    # The reference MLP (nn.Linear layers) with the same weights, in float64: outputs and every gradient.
    state, x, upstream = mlp_case(sizes, batch, dtype, seed, device)
    x = layout(x, how)
    inputs = {"sizes": sizes, "activation": f"nn.{activation}", "x": x}
    got = drive(q, fn, module_run, inputs, (sizes,), {"activation": activation}, state, x, upstream)
    expected = module_run(MLP, (sizes,), {"activation": activation}, state, x.cpu().double(), upstream.cpu().double())
    expect_module_run(q, got, expected, inputs, x=x)


@question("MLP")
def test_mlp_default_activation_is_relu(q, fn):
    # MLP(sizes) with no activation given: ReLU between the layers.
    sizes = [3, 5, 2]
    state, x, upstream = mlp_case(sizes, 4, torch.float64, 3)
    inputs = {"sizes": sizes, "x": x}
    got = drive(q, fn, module_run, inputs, (sizes,), {}, state, x, upstream)
    expect_module_run(q, got, module_run(MLP, (sizes,), {}, state, x, upstream), inputs, x=x)


@question("MLP")
@pytest.mark.parametrize("sizes", [[3, 4, 2], [2, 1]])
def test_mlp_keeps_the_device(q, fn, sizes):
    state, x, upstream = mlp_case(sizes, 2, torch.float32, 0, "meta")
    inputs = {"sizes": sizes, "activation": "nn.ReLU", "x": x}
    got = drive(q, fn, module_run, inputs, (sizes,), {"activation": "ReLU"}, state, x, upstream)
    expect_module_run(q, got, module_run(MLP, (sizes,), {"activation": "ReLU"}, state, x, upstream), inputs, x=x)
