"""Hidden tests for assignment 7, "Batch norm and learning-rate schedules".

Oracles: torch's F.batch_norm (training and eval) and nn.BatchNorm1d/2d in float64, their gradients by
autograd, and torch.optim.lr_scheduler's schedulers stepped epoch by epoch.
"""
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.optim import lr_scheduler

from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests, question,
                                student)
from autograder.assignments.batchnorm.references import (reference_batch_norm_eval, reference_batch_norm_train,
                                                        torch_lrs, torch_warmup_cosine)
from kitcheck.assignments.batchnorm import (ASSIGNMENT, bn_inputs, check_module, expect_grads, expect_lrs, expect_train,
                                            features, run_batch_norm_eval, run_batch_norm_train, run_lambda_lr,
                                            run_lr_table)
from kitcheck.compare import CheckFailure, drive, expect_tensor, tolerance

test_public_checks = public_check_tests(ASSIGNMENT)

# (N, C, *): 2-D and 3-D inputs are BatchNorm1d's, 4-D ones BatchNorm2d's. N >= 2, so every channel has
# at least 2 values and the unbiased variance exists.
bn_shapes = st.tuples(st.integers(2, 5), st.integers(1, 4),
                      st.lists(st.integers(1, 3), min_size=0, max_size=2)).map(lambda t: (t[0], t[1], *t[2]))
MOMENTA = [0.1, 0.5, 0.01, 1.0]
EPSILONS = [1e-5, 1e-3]


# ---- z_score_norm ----------------------------------------------------------------------------------
@question("z_score_norm")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(2, 8), d=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_z_score_norm_matches_closed_form(device, dtype, n, d, seed):
    q = "z_score_norm"
    x = features(n, d, dtype, seed, device)
    x64 = x.double().cpu()
    expected = (x64 - x64.mean(0)) / x64.std(0, correction=0)
    expect_tensor(q, call(q, student(q), x=x), expected, {"x": x}, dtype=dtype, device=x.device,
                  **tolerance(dtype, reduction=True))


@question("z_score_norm")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(2, 8), d=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_z_score_norm_columns_have_mean_0_and_std_1(dtype, n, d, seed):
    # The property that defines z-scores, checked on the student's own output.
    q = "z_score_norm"
    x = features(n, d, dtype, seed)
    z = call(q, student(q), x=x)
    if type(z) is not torch.Tensor or z.shape != x.shape:
        raise CheckFailure(q, "should return a tensor shaped like x", {"x": x}, None, z)
    z64 = z.double()
    expect_tensor(q, z64.mean(0), torch.zeros(d, dtype=torch.float64), {"x": x}, what="the columns' means",
                  **tolerance(dtype, reduction=True))
    expect_tensor(q, z64.std(0, correction=0), torch.ones(d, dtype=torch.float64), {"x": x},
                  what="the columns' standard deviations (biased)", **tolerance(dtype, reduction=True))


@question("z_score_norm")
def test_z_score_norm_keeps_the_device():
    expect_device_agnostic("z_score_norm", student("z_score_norm"),
                           lambda x: (x - x.mean(0)) / x.std(0, correction=0), x=torch.empty(5, 3, device="meta"))


# ---- batch_norm_train ------------------------------------------------------------------------------
@question("batch_norm_train")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=bn_shapes, momentum=st.sampled_from(MOMENTA), eps=st.sampled_from(EPSILONS), seed=st.integers(0, 2**16))
def test_batch_norm_train_matches_torch(device, dtype, shape, momentum, eps, seed):
    q = "batch_norm_train"
    x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed, device)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "momentum": momentum, "eps": eps}
    got = drive(q, student(q), run_batch_norm_train, inputs, x, rm, rv, w, b, momentum, eps, up)
    ref = [t.double().cpu() for t in (x, rm, rv, w, b, up)]
    expected = run_batch_norm_train(reference_batch_norm_train, *ref[:5], momentum, eps, ref[5])
    expect_train(q, got, expected, inputs, dtype=dtype, device=x.device, upstream=up)


@question("batch_norm_train")
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2)])
def test_batch_norm_train_keeps_the_device(shape):
    q = "batch_norm_train"
    args = [torch.empty(s, device="meta") for s in (shape, shape[1:2], shape[1:2], shape[1:2], shape[1:2], shape)]
    inputs = {"x": args[0], "momentum": 0.1, "eps": 1e-5}
    got = drive(q, student(q), run_batch_norm_train, inputs, *args[:5], 0.1, 1e-5, args[5])
    expected = run_batch_norm_train(reference_batch_norm_train, *args[:5], 0.1, 1e-5, args[5])
    expect_train(q, got, expected, inputs, dtype=torch.float32, device="meta")


# ---- batch_norm_eval -------------------------------------------------------------------------------
@question("batch_norm_eval")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=bn_shapes, eps=st.sampled_from(EPSILONS), seed=st.integers(0, 2**16))
def test_batch_norm_eval_matches_torch(device, dtype, shape, eps, seed):
    q = "batch_norm_eval"
    x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed, device)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": eps}
    out, grads = drive(q, student(q), run_batch_norm_eval, inputs, x, rm, rv, w, b, eps, up)
    ref = [t.double().cpu() for t in (x, rm, rv, w, b, up)]
    e_out, e_grads = run_batch_norm_eval(reference_batch_norm_eval, *ref[:5], eps, ref[5])
    expect_tensor(q, out, e_out, inputs, dtype=dtype, device=x.device, **tolerance(dtype, reduction=True))
    expect_grads(q, grads, e_grads, inputs, dtype=dtype, device=x.device)


@question("batch_norm_eval")
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2)])
def test_batch_norm_eval_keeps_the_device(shape):
    c = shape[1:2]
    expect_device_agnostic("batch_norm_eval", student("batch_norm_eval"), reference_batch_norm_eval,
                           x=torch.empty(shape, device="meta"), running_mean=torch.empty(c, device="meta"),
                           running_var=torch.empty(c, device="meta"), weight=torch.empty(c, device="meta"),
                           bias=torch.empty(c, device="meta"), eps=1e-5)


# ---- BatchNorm -------------------------------------------------------------------------------------
@question("BatchNorm")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=bn_shapes, momentum=st.sampled_from(MOMENTA), eps=st.sampled_from(EPSILONS), seed=st.integers(0, 2**16))
def test_batch_norm_module_matches_torch(device, dtype, shape, momentum, eps, seed):
    check_module("BatchNorm", student("BatchNorm"), shape, eps, momentum, seed, dtype, device)


@question("BatchNorm")
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
def test_batch_norm_module_keeps_the_device(shape):
    check_module("BatchNorm", student("BatchNorm"), shape, 1e-5, 0.1, 0, torch.float32, "meta")


# ---- schedules -------------------------------------------------------------------------------------
base_lrs = st.sampled_from([0.1, 0.5, 1.0, 0.03])


@question("multistep_lr")
@given(base_lr=base_lrs, milestones=st.sets(st.integers(1, 12), min_size=1, max_size=4).map(sorted),
       gamma=st.sampled_from([0.1, 0.5, 0.9]))
def test_multistep_lr_matches_multisteplr(base_lr, milestones, gamma):
    q, epochs = "multistep_lr", 15
    inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, student(q), run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


@question("multistep_lr")
@given(base_lr=base_lrs, step_size=st.integers(1, 5), gamma=st.sampled_from([0.1, 0.5]))
def test_multistep_lr_with_regular_milestones_matches_steplr(base_lr, step_size, gamma):
    # StepLR is the special case with a milestone every step_size epochs.
    q, epochs = "multistep_lr", 15
    milestones = list(range(step_size, epochs, step_size))
    inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.StepLR(o, step_size, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, student(q), run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


@question("exponential_lr")
@given(base_lr=base_lrs, gamma=st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_exponential_lr_matches_exponentiallr(base_lr, gamma):
    q, epochs = "exponential_lr", 12
    inputs = {"base_lr": base_lr, "gamma": gamma, "epochs": epochs}
    expected = torch_lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma), epochs, base_lr)
    expect_lrs(q, drive(q, student(q), run_lr_table, inputs, epochs, base_lr, gamma), expected, inputs)


@question("cosine_lr")
@given(base_lr=base_lrs, t_max=st.integers(1, 12), eta_min=st.sampled_from([0.0, 0.001, 0.01]))
def test_cosine_lr_matches_cosineannealinglr(base_lr, t_max, eta_min):
    q = "cosine_lr"
    inputs = {"base_lr": base_lr, "T_max": t_max, "eta_min": eta_min, "epochs": t_max + 1}
    expected = torch_lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, t_max, eta_min), t_max + 1, base_lr)
    got = drive(q, student(q), run_lr_table, inputs, t_max + 1, base_lr, t_max, eta_min)
    expect_lrs(q, got, expected, inputs)


@question("warmup_cosine_lambda")
@given(warmup=st.integers(1, 5), decay=st.integers(1, 10), base_lr=base_lrs)
def test_warmup_cosine_lambda_matches_sequentiallr(warmup, decay, base_lr):
    q, total = "warmup_cosine_lambda", warmup + decay
    inputs = {"warmup_epochs": warmup, "total_epochs": total, "base_lr": base_lr}
    got = drive(q, student(q), run_lambda_lr, inputs, warmup, total, base_lr)
    expect_lrs(q, got, torch_warmup_cosine(warmup, total, base_lr), inputs)
