"""Hidden tests for assignment 7, "Batch norm and learning-rate schedules".

Oracles: torch's F.batch_norm (training and eval) and nn.BatchNorm1d/2d in float64, their gradients by
autograd, and torch.optim.lr_scheduler's schedulers (ReduceLROnPlateau and OneCycleLR included) stepped
epoch by epoch. Hard inputs (issue 18): large common offsets (a one-pass variance E[x^2] - E[x]^2 cancels),
features on scales from 1e-3 to 1e3, non-contiguous inputs, inputs the exercise must leave unchanged (checked
by the drivers; direct calls by the transport), nan/inf losses, Python floats for learning rates.
"""
import math

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler

from autograder import adversarial
from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests, question)
from autograder.assignments.batchnorm.references import (reference_batch_norm_eval, reference_batch_norm_train,
                                                        torch_lrs, torch_warmup_cosine)
from kitcheck.assignments.batchnorm import ASSIGNMENT
from kitcheck.assignments.batchnorm_compare import (check_module, expect_eval, expect_lrs, expect_one_cycle,
                                                    expect_plateau, expect_train, torch_plateau)
from kitcheck.assignments.batchnorm_drivers import (run_batch_norm_eval, run_batch_norm_train, run_lambda_lr,
                                                    run_lr_table)
from kitcheck.assignments.batchnorm_inputs import LAYOUTS, bn_inputs, features, plateau_inputs
from kitcheck.compare import CheckFailure, drive, expect_tensor, tolerance
from kitcheck.i18n import tr

test_public_checks = public_check_tests(ASSIGNMENT)

# (N, C, *): 2-D and 3-D inputs are BatchNorm1d's, 4-D ones BatchNorm2d's. N >= 2, so every channel has
# at least 2 values and the unbiased variance exists.
bn_shapes = st.tuples(st.integers(2, 5), st.integers(1, 4),
                      st.lists(st.integers(1, 3), min_size=0, max_size=2)).map(lambda t: (t[0], t[1], *t[2]))
MOMENTA = [0.1, 0.5, 0.01, 1.0]
EPSILONS = [1e-5, 1e-3]
HARD_KINDS = ("offset", "mixed_scales")
HARD = settings(max_examples=3)  # few, well-chosen: the kinds x layouts x dtypes are parametrized


def offset_base(dtype) -> float:
    """A common offset that a two-pass variance survives and E[x^2] - E[x]^2 does not: float32 keeps
    ~7 digits (values ~1e2 with a spread of 1 keep ~5 of them), float64 ~16."""
    return 1e2 if dtype == torch.float32 else 1e5


def hard_columns(kind, shape, dtype, seed, channel_dim=1, base=None):
    """Float64 values of ``shape`` whose channels (``channel_dim``) have a large common offset (``offset``,
    ``base`` or ``offset_base(dtype)``) or scales from 1e-3 to 1e3 (``mixed_scales``); no channel is (nearly)
    constant."""
    c = shape[channel_dim]
    moved = (c, *shape[:channel_dim], *shape[channel_dim + 1:])
    if kind == "offset":
        x = adversarial.offset(moved, torch.float64, seed, base=base or offset_base(dtype))
        shift = torch.arange(c, dtype=torch.float64).reshape(-1, *([1] * (len(shape) - 1))) * 0.25
        x = x + shift
    else:
        x = adversarial.mixed_scales(moved, torch.float64, seed) + 0.5 * adversarial.mixed_scales(
            (c,), torch.float64, seed + 1).reshape(-1, *([1] * (len(shape) - 1)))
    return x.movedim(0, channel_dim).contiguous()


def hard_layout(x, how):
    """``x`` as a transposed or sliced view (``adversarial.layout``), the same values."""
    return adversarial.layout(x, how) if how != "contiguous" else x.contiguous()


# ---- z_score_norm ----------------------------------------------------------------------------------
@question("z_score_norm")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(2, 8), d=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_z_score_norm_matches_closed_form(q, fn, device, dtype, n, d, seed):
    x = features(n, d, dtype, seed, device)
    x64 = x.double().cpu()
    expected = (x64 - x64.mean(0)) / x64.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=dtype, device=x.device,
                  **tolerance(dtype, reduction=True))


@question("z_score_norm")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(2, 8), d=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_z_score_norm_columns_have_mean_0_and_std_1(q, fn, dtype, n, d, seed):
    # The property that defines z-scores, checked on the student's own output.
    x = features(n, d, dtype, seed)
    z = call(q, fn, x=x)
    if type(z) is not torch.Tensor or z.shape != x.shape:
        raise CheckFailure(q, tr("should return a tensor shaped like x", "应当返回与 x 形状相同的张量"), {"x": x},
                           None, z)
    z64 = z.double()
    expect_tensor(q, z64.mean(0), torch.zeros(d, dtype=torch.float64), {"x": x},
                  what=tr("the columns' means", "各列的均值"),
                  **tolerance(dtype, reduction=True))
    expect_tensor(q, z64.std(0, correction=0), torch.ones(d, dtype=torch.float64), {"x": x},
                  what=tr("the columns' standard deviations (biased)", "各列的标准差（有偏）"),
                  **tolerance(dtype, reduction=True))


@question("z_score_norm")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kind", HARD_KINDS)
@HARD
@given(n=st.integers(3, 8), d=st.integers(2, 5), seed=st.integers(0, 2**16), how=st.sampled_from(LAYOUTS))
@example(n=6, d=3, seed=0, how="transposed")
def test_z_score_norm_hard_inputs(q, fn, dtype, kind, n, d, seed, how):
    # Offsets of 1e2 (float32) or 1e5 (float64) defeat a one-pass variance; columns scaled 1e-3 ... 1e3 catch an
    # eps added to the std; transposed and sliced views catch .view().
    x = hard_layout(hard_columns(kind, (n, d), dtype, seed).to(dtype), how)
    x64 = x.double()
    expected = (x64 - x64.mean(0)) / x64.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x, "kind": kind}, dtype=dtype, device=x.device,
                  **tolerance(dtype, reduction=True))


@question("z_score_norm")
def test_z_score_norm_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda x: (x - x.mean(0)) / x.std(0, correction=0), x=torch.empty(5, 3, device="meta"))


# ---- batch_norm_train ------------------------------------------------------------------------------
@question("batch_norm_train")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=bn_shapes, momentum=st.sampled_from(MOMENTA), eps=st.sampled_from(EPSILONS), seed=st.integers(0, 2**16))
def test_batch_norm_train_matches_torch(q, fn, device, dtype, shape, momentum, eps, seed):
    x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed, device)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "momentum": momentum, "eps": eps}
    got = drive(q, fn, run_batch_norm_train, inputs, x, rm, rv, w, b, momentum, eps, up)
    ref = [t.double().cpu() for t in (x, rm, rv, w, b, up)]
    expected = run_batch_norm_train(reference_batch_norm_train, *ref[:5], momentum, eps, ref[5])
    expect_train(q, got, expected, inputs, dtype=dtype, device=x.device, upstream=up)



hard_bn_shapes = st.sampled_from([(4, 3), (5, 2), (3, 2, 4), (2, 3, 2, 2), (6, 1)])


def hard_bn_inputs(kind, shape, dtype, seed):
    """Batch-norm inputs whose x has a large offset or mixed scales per channel; running statistics near the
    channels' own (so eval outputs stay O(1)); weight, bias and upstream as usual."""
    _, _, _, w, b, up = bn_inputs(shape, dtype, seed)
    x64 = hard_columns(kind, shape, dtype, seed)
    dims = [0] + list(range(2, len(shape)))
    mean, var = x64.mean(dims), x64.var(dims, correction=0)
    running_mean = (mean * 1.001).to(dtype)
    running_var = (var * 1.5).to(dtype)
    return x64.to(dtype), running_mean, running_var, w, b, up


@question("batch_norm_train")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kind", HARD_KINDS)
@HARD
@given(shape=hard_bn_shapes, momentum=st.sampled_from([0.1, 1.0]), seed=st.integers(0, 2**16),
       how=st.sampled_from(LAYOUTS))
@example(shape=(2, 3, 2, 2), momentum=0.1, seed=0, how="transposed")  # .view(N, C, -1) fails on this one
@example(shape=(4, 3), momentum=0.1, seed=1, how="sliced")
def test_batch_norm_train_hard_inputs(q, fn, dtype, kind, shape, momentum, seed, how):
    # The driver passes x as a transposed or sliced view (and, sliced, the running statistics too), and reports
    # any input the function changed in place: the running statistics must come back as new tensors.
    x, rm, rv, w, b, up = hard_bn_inputs(kind, shape, dtype, seed)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "momentum": momentum,
              "eps": 1e-5, "x layout": how, "kind": kind}
    got = drive(q, fn, run_batch_norm_train, inputs, x, rm, rv, w, b, momentum, 1e-5, up, how)
    ref = [t.double() for t in (x, rm, rv, w, b, up)]
    expected = run_batch_norm_train(reference_batch_norm_train, *ref[:5], momentum, 1e-5, ref[5])
    expect_train(q, got, expected, inputs, dtype=dtype, device=x.device, upstream=up)


@question("batch_norm_train")
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2)])
def test_batch_norm_train_keeps_the_device(q, fn, shape):
    args = [torch.empty(s, device="meta") for s in (shape, shape[1:2], shape[1:2], shape[1:2], shape[1:2], shape)]
    inputs = {"x": args[0], "momentum": 0.1, "eps": 1e-5}
    got = drive(q, fn, run_batch_norm_train, inputs, *args[:5], 0.1, 1e-5, args[5])
    expected = run_batch_norm_train(reference_batch_norm_train, *args[:5], 0.1, 1e-5, args[5])
    expect_train(q, got, expected, inputs, dtype=torch.float32, device="meta")


# ---- batch_norm_eval -------------------------------------------------------------------------------
@question("batch_norm_eval")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=bn_shapes, eps=st.sampled_from(EPSILONS), seed=st.integers(0, 2**16))
def test_batch_norm_eval_matches_torch(q, fn, device, dtype, shape, eps, seed):
    x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed, device)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": eps}
    got = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, eps, up)
    ref = [t.double().cpu() for t in (x, rm, rv, w, b, up)]
    expected = run_batch_norm_eval(reference_batch_norm_eval, *ref[:5], eps, ref[5])
    expect_eval(q, got, expected, inputs, dtype=dtype, device=x.device)


@question("batch_norm_eval")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kind", HARD_KINDS)
@HARD
@given(shape=hard_bn_shapes, seed=st.integers(0, 2**16), how=st.sampled_from(LAYOUTS))
@example(shape=(2, 3, 2, 2), seed=0, how="transposed")  # .view(N, C, -1) fails on this one
@example(shape=(4, 3), seed=1, how="sliced")
def test_batch_norm_eval_hard_inputs(q, fn, dtype, kind, shape, seed, how):
    # Running statistics near 1e2/1e5, or variances from 1e-6 to 1e6 (where sqrt(var) + eps is far from
    # sqrt(var + eps)); x and the statistics as views; the statistics must be left as they were.
    x, rm, rv, w, b, up = hard_bn_inputs(kind, shape, dtype, seed)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": 1e-5,
              "x layout": how, "kind": kind}
    got = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, 1e-5, up, how)
    expected = run_batch_norm_eval(reference_batch_norm_eval, *(t.double() for t in (x, rm, rv, w, b)), 1e-5,
                                   up.double())
    expect_eval(q, got, expected, inputs, dtype=dtype, device=x.device)


@question("batch_norm_eval")
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2)])
def test_batch_norm_eval_keeps_the_device(q, fn, shape):
    c = shape[1:2]
    expect_device_agnostic(q, fn, reference_batch_norm_eval,
                           x=torch.empty(shape, device="meta"), running_mean=torch.empty(c, device="meta"),
                           running_var=torch.empty(c, device="meta"), weight=torch.empty(c, device="meta"),
                           bias=torch.empty(c, device="meta"), eps=1e-5)


# ---- BatchNorm -------------------------------------------------------------------------------------
@question("BatchNorm")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=bn_shapes, momentum=st.sampled_from(MOMENTA), eps=st.sampled_from(EPSILONS), seed=st.integers(0, 2**16))
def test_batch_norm_module_matches_torch(fn, device, dtype, shape, momentum, eps, seed):
    check_module("BatchNorm", fn, shape, eps, momentum, seed, dtype, device)


@question("BatchNorm")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kind", HARD_KINDS)
@settings(max_examples=2)
@given(shape=hard_bn_shapes, seed=st.integers(0, 2**16), how=st.sampled_from(LAYOUTS))
@example(shape=(2, 3, 2, 2), seed=0, how="transposed")  # .view(N, C, -1) fails on this one
def test_batch_norm_module_hard_inputs(fn, dtype, kind, shape, seed, how):
    # Two training batches and an eval batch with a large offset or mixed scales, passed as views; a last eval
    # pass under torch.no_grad() must leave its input unchanged.
    # momentum 1: the running statistics are the last batch's, so eval outputs stay O(1); float32 offsets of 10
    # (torch's own float32 module drifts by ~4e-4 in eval at 1e2), float64 ones of 1e5 still defeat E[x^2] - E[x]^2.
    base = 10.0 if dtype == torch.float32 else None
    batches = tuple(hard_columns(kind, shape, dtype, seed + 7 * i, base=base).to(dtype) for i in range(3))
    check_module("BatchNorm", fn, shape, 1e-5, 1.0, seed, dtype, "cpu", how, batches)


@question("BatchNorm")
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
def test_batch_norm_module_keeps_the_device(fn, shape):
    check_module("BatchNorm", fn, shape, 1e-5, 0.1, 0, torch.float32, "meta")


# ---- schedules -------------------------------------------------------------------------------------
base_lrs = st.sampled_from([0.1, 0.5, 1.0, 0.03])


@question("multistep_lr")
@given(base_lr=base_lrs, milestones=st.sets(st.integers(1, 12), min_size=1, max_size=4).map(sorted),
       gamma=st.sampled_from([0.1, 0.5, 0.9]))
def test_multistep_lr_matches_multisteplr(q, fn, base_lr, milestones, gamma):
    epochs = 15
    inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


@question("multistep_lr")
@given(base_lr=base_lrs, step_size=st.integers(1, 5), gamma=st.sampled_from([0.1, 0.5]))
def test_multistep_lr_with_regular_milestones_matches_steplr(q, fn, base_lr, step_size, gamma):
    # StepLR is the special case with a milestone every step_size epochs.
    epochs = 15
    milestones = list(range(step_size, epochs, step_size))
    inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.StepLR(o, step_size, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


@question("exponential_lr")
@given(base_lr=base_lrs, gamma=st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_exponential_lr_matches_exponentiallr(q, fn, base_lr, gamma):
    epochs = 12
    inputs = {"base_lr": base_lr, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, gamma), expected, inputs)


@question("cosine_lr")
@given(base_lr=base_lrs, t_max=st.integers(1, 12), eta_min=st.sampled_from([0.0, 0.001, 0.01]))
def test_cosine_lr_matches_cosineannealinglr(q, fn, base_lr, t_max, eta_min):
    inputs = {"base_lr": base_lr, "T_max": t_max, "eta_min": eta_min, "epochs": t_max + 1}
    expected = torch_lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, t_max, eta_min), t_max + 1, base_lr)
    got = drive(q, fn, run_lr_table, inputs, t_max + 1, base_lr, t_max, eta_min)
    expect_lrs(q, got, expected, inputs)


@question("warmup_cosine_lambda")
@given(warmup=st.integers(1, 5), decay=st.integers(1, 10), base_lr=base_lrs)
def test_warmup_cosine_lambda_matches_sequentiallr(q, fn, warmup, decay, base_lr):
    total = warmup + decay
    inputs = {"warmup_epochs": warmup, "total_epochs": total, "base_lr": base_lr}
    got = drive(q, fn, run_lambda_lr, inputs, warmup, total, base_lr)
    expect_lrs(q, got, torch_warmup_cosine(warmup, total, base_lr), inputs)


@question("multistep_lr")
@given(base_lr=base_lrs, milestones=st.sets(st.integers(1, 150), min_size=1, max_size=6).map(sorted),
       gamma=st.sampled_from([0.1, 0.5, 0.9]))
@settings(max_examples=4)
def test_multistep_lr_over_many_epochs(q, fn, base_lr, milestones, gamma):
    # 160 epochs, one to six milestones: Python floats, exactly torch's rates.
    epochs = 160
    inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


@question("exponential_lr")
@given(base_lr=base_lrs, gamma=st.sampled_from([0.9, 0.97, 0.999]))
@settings(max_examples=3)
def test_exponential_lr_over_many_epochs(q, fn, base_lr, gamma):
    # 200 epochs: rates down to ~1e-10 must keep float64 precision (a float32 power does not).
    epochs = 200
    inputs = {"base_lr": base_lr, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, gamma), expected, inputs)


@question("cosine_lr")
@given(base_lr=base_lrs, t_max=st.integers(50, 200), eta_min=st.sampled_from([0.0, 1e-4]))
@settings(max_examples=3)
def test_cosine_lr_over_many_epochs(q, fn, base_lr, t_max, eta_min):
    # Long cycles: near the end the rate is tiny, so float32 cosines or tensors show.
    inputs = {"base_lr": base_lr, "T_max": t_max, "eta_min": eta_min, "epochs": t_max + 1}
    expected = torch_lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, t_max, eta_min), t_max + 1, base_lr)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, t_max + 1, base_lr, t_max, eta_min), expected, inputs)


@question("warmup_cosine_lambda")
@given(warmup=st.integers(1, 20), decay=st.integers(20, 100), base_lr=base_lrs)
@settings(max_examples=3)
def test_warmup_cosine_lambda_over_many_epochs(q, fn, warmup, decay, base_lr):
    total = warmup + decay
    inputs = {"warmup_epochs": warmup, "total_epochs": total, "base_lr": base_lr}
    got = drive(q, fn, run_lambda_lr, inputs, warmup, total, base_lr)
    expect_lrs(q, got, torch_warmup_cosine(warmup, total, base_lr), inputs)


# ---- plateau_lrs -----------------------------------------------------------------------------------
# Each epoch's loss is the previous one times a step: clear gains, gains below the default relative threshold
# (1e-4), plateaus and setbacks, so every branch of ReduceLROnPlateau runs.
loss_steps = st.lists(st.sampled_from([0.8, 0.95, 0.99995, 1.0, 1.0, 1.0, 1.05, 1.2]), min_size=6, max_size=30)


def losses_from(steps, start=1.0, mode="min"):
    losses, value = [], start
    for f in steps:
        value = value * f if mode == "min" else value / f  # "max": accuracy-like, the same pattern mirrored
        losses.append(value)
    return losses


@question("plateau_lrs")
@given(steps=loss_steps, lr=st.sampled_from([0.1, 1.0, 0.01]), factor=st.sampled_from([0.1, 0.5, 0.9]),
       patience=st.integers(0, 4), threshold=st.sampled_from([1e-4, 0.0, 0.05]),
       mode=st.sampled_from(["min", "max"]), threshold_mode=st.sampled_from(["rel", "abs"]),
       cooldown=st.integers(0, 3), min_lr=st.sampled_from([0.0, 1e-3]), eps=st.sampled_from([1e-8, 1e-2]))
@settings(max_examples=30)
@example(steps=[1.0] * 12, lr=0.01, factor=0.9, patience=0, threshold=1e-4, mode="min", threshold_mode="rel",
         cooldown=0, min_lr=0.0, eps=1e-2).via("changes below eps are skipped")
@example(steps=[0.8, 0.99995, 0.99995, 0.99995, 0.8, 1.0, 1.0], lr=1.0, factor=0.5, patience=1, threshold=1e-4,
         mode="min", threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8).via("gains below the threshold")
@example(steps=[1.0] * 10, lr=0.1, factor=0.5, patience=1, threshold=1e-4, mode="min", threshold_mode="rel",
         cooldown=2, min_lr=0.0, eps=1e-8).via("cooldown")
def test_plateau_lrs_matches_reducelronplateau(q, fn, steps, lr, factor, patience, threshold, mode, threshold_mode,
                                               cooldown, min_lr, eps):
    inputs = plateau_inputs(losses_from(steps, mode=mode), lr, factor, patience, threshold, mode, threshold_mode,
                            cooldown, min_lr, eps)
    expect_plateau(q, fn, inputs)


@question("plateau_lrs")
@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("special", [math.nan, math.inf])
def test_plateau_lrs_with_nan_and_inf_losses(q, fn, mode, special):
    # A nan loss is never an improvement (every comparison with nan is False); an inf loss in "min" mode
    # neither; in "max" mode inf is the best there is.
    losses = [1.0, 0.5, special, 0.5, special, special, 0.4, 0.4, 0.4]
    if mode == "max":  # accuracy-like: higher is better
        losses = [0.1, 0.5, special, 0.5, special, special, 0.6, 0.6, 0.6]
    inputs = plateau_inputs(losses, 0.1, factor=0.5, patience=1, mode=mode)
    expect_plateau(q, fn, inputs)


# ---- one_cycle_lr ----------------------------------------------------------------------------------
@question("one_cycle_lr")
@given(total=st.integers(12, 120), max_lr=st.sampled_from([0.1, 1.0, 0.003]),
       pct_start=st.sampled_from([0.15, 0.25, 0.3, 0.4, 0.5, 0.75]), div_factor=st.sampled_from([25.0, 10.0, 4.0]),
       final_div_factor=st.sampled_from([1e4, 100.0, 1.0]))
@settings(max_examples=20)
@example(total=10, max_lr=1.0, pct_start=0.25, div_factor=10.0, final_div_factor=100.0).via("peak between steps")
@example(total=20, max_lr=0.1, pct_start=0.3, div_factor=25.0, final_div_factor=1e4).via("torch's defaults")
def test_one_cycle_lr_matches_onecyclelr(q, fn, total, max_lr, pct_start, div_factor, final_div_factor):
    # Every step of the cycle, from max_lr / div_factor up to max_lr and down to max_lr / div_factor /
    # final_div_factor; pct_start * total >= 1.8, so the warm-up has at least one step after step 0.
    expect_one_cycle(q, fn, total, max_lr, pct_start, div_factor,
                     final_div_factor)


# ---- defaults and edge cases the auto mutants found untested ----------------------------------------
@question("plateau_lrs")
@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
def test_plateau_lrs_relative_and_absolute_thresholds_differ(q, fn, mode, threshold_mode):
    # Losses whose steps shrink (min) or values that are large (max): a 0.02 threshold means different things
    # relative to the best and in absolute terms.
    losses = [0.97 ** k for k in range(30)] if mode == "min" else [5 * 1.01 ** k for k in range(30)]
    inputs = plateau_inputs(losses, 0.1, 0.5, 0, 0.02, mode, threshold_mode)
    expect_plateau(q, fn, inputs)


@question("plateau_lrs")
@pytest.mark.parametrize("patience", [0, 1])
def test_plateau_lrs_first_losses_nan_and_change_of_exactly_eps(q, fn, patience):
    # A nan first loss is a bad epoch from the very start; a reduction of exactly eps is not made (torch needs
    # more than eps: 0.02 * 0.5 is 0.01 below 0.02, exactly, in binary floating point).
    expect_plateau(q, fn,
                   plateau_inputs([math.nan, math.nan, 1.0, 1.0, 1.0], 0.1, 0.5, patience))
    expect_plateau(q, fn,
                   plateau_inputs([1.0] * 5, 0.02, 0.5, patience, eps=0.01))


@question("plateau_lrs")
def test_plateau_lrs_defaults_are_torchs(q, fn):
    # plateau_lrs(losses, lr) with torch's defaults: factor 0.1, patience 10, threshold 1e-4 (rel, min),
    # cooldown 0, min_lr 0, eps 1e-8. Tiny gains below the threshold, then a long plateau: two reductions.
    losses = [1.0, 0.9, 0.8, 0.7, 0.7 * 0.99995, 0.7 * 0.9999, 0.7 * 0.99985] + [0.7] * 25
    settings_ = plateau_inputs(losses, 1.0)
    inputs = {"losses": losses, "lr": 1.0}
    got = call(q, fn, **inputs)

    expect_lrs(q, got, torch_plateau(settings_), inputs, after=True)


@question("one_cycle_lr")
@pytest.mark.parametrize("total", [20, 47])
def test_one_cycle_lr_defaults_are_torchs(q, fn, total):
    # one_cycle_lr(step, total_steps, max_lr): pct_start 0.3, div_factor 25, final_div_factor 1e4, like torch.
    inputs = {"total_steps": total, "max_lr": 0.1}
    expected = torch_lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=total, cycle_momentum=False),
                         total, 0.1 / 25)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, total, total, 0.1), expected, inputs, unit="step")


@question("multistep_lr")
def test_multistep_lr_default_gamma_is_torchs(q, fn):
    milestones = [2, 5]
    inputs = {"base_lr": 0.5, "milestones": milestones, "epochs": 8}
    expected = torch_lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones), 8, 0.5)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, 8, 0.5, milestones), expected, inputs)


@question("cosine_lr")
def test_cosine_lr_default_eta_min_is_torchs(q, fn):
    inputs = {"base_lr": 0.5, "T_max": 6, "epochs": 7}
    expected = torch_lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, 6), 7, 0.5)
    expect_lrs(q, drive(q, fn, run_lr_table, inputs, 7, 0.5, 6), expected, inputs)
