"""Assignment 7, "Batch norm and learning-rate schedules": questions, points and public checks (students see this
file). Public checks compare with torch's F.batch_norm, nn.BatchNorm1d/2d and schedulers, and with stored probes
(``kitcheck.probes``) for the warm-up schedule: no reference answer is written here. Their inputs are in
``batchnorm_inputs``, the drivers that run your code in ``batchnorm_drivers``, their comparisons in
``batchnorm_compare``."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.optim import lr_scheduler

from ..compare import call, drive, expect_tensor, tolerance
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, seeds
from .batchnorm_compare import (_scheduled_lrs, _sgd, check_module, expect_eval, expect_lrs, expect_one_cycle,
                                expect_plateau, expect_train)
from .batchnorm_drivers import run_batch_norm_eval, run_batch_norm_train, run_lambda_lr, run_lr_table
from .batchnorm_inputs import bn_inputs, features, plateau_inputs


def z_score_norm_public(fn):
    q = "z_score_norm"
    x = torch.tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    expected = (x - x.mean(0)) / x.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=x.dtype, device=x.device)
    # Features on very different scales (millimetres next to kilometres): each column still gets std 1.
    x = torch.tensor([[0.001, 1000.0], [0.002, 3000.0], [0.004, 2000.0]], dtype=torch.float64)
    expected = (x - x.mean(0)) / x.std(0, correction=0)
    expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=x.dtype, device=x.device,
                  **tolerance(x.dtype, reduction=True))

    @PUBLIC_SETTINGS
    @given(n=st.integers(2, 6), d=st.integers(1, 4), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, d, dtype, seed):
        x = features(n, d, dtype, seed)
        x64 = x.double()
        expected = (x64 - x64.mean(0)) / x64.std(0, correction=0)
        expect_tensor(q, call(q, fn, x=x), expected, {"x": x}, dtype=dtype, device=x.device,
                      **tolerance(dtype, reduction=True))

    run()


def batch_norm_train_public(fn):
    q = "batch_norm_train"

    def one(shape, momentum, dtype, seed):
        x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed)
        inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "momentum": momentum,
                  "eps": 1e-5}
        got = drive(q, fn, run_batch_norm_train, inputs, x, rm, rv, w, b, momentum, 1e-5, up)
        x64, rm64, rv64, w64, b64, up64 = (t.double() for t in (x, rm, rv, w, b, up))  # torch's, in float64
        e_rm, e_rv = rm64.clone(), rv64.clone()  # F.batch_norm updates the running statistics in place
        expected = run_batch_norm_train(
            lambda x, _rm, _rv, w, b, momentum, eps: (F.batch_norm(x, e_rm, e_rv, w, b, True, momentum, eps),
                                                     e_rm, e_rv),
            x64, rm64, rv64, w64, b64, momentum, 1e-5, up64)
        expect_train(q, got, expected, inputs, dtype=dtype, device=x.device, upstream=up)

    one((4, 3), 0.1, torch.float32, 0)  # float32 in: out and the new statistics in float32 too

    @PUBLIC_SETTINGS
    @given(shape=st.sampled_from([(4, 3), (2, 2, 3), (3, 2, 2, 2), (2, 1, 3)]), momentum=st.sampled_from([0.1, 0.5]),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, momentum, dtype, seed):
        one(shape, momentum, dtype, seed)

    run()


def batch_norm_eval_public(fn):
    q = "batch_norm_eval"

    def one(shape, dtype, seed):
        x, rm, rv, w, b, up = bn_inputs(shape, dtype, seed)
        inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": 1e-5}
        got = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, 1e-5, up)
        expected = run_batch_norm_eval(  # torch's, in float64
            lambda x, rm, rv, w, b, eps: F.batch_norm(x, rm, rv, w, b, False, 0.1, eps),
            *(t.double() for t in (x, rm, rv, w, b)), 1e-5, up.double())
        expect_eval(q, got, expected, inputs, dtype=dtype, device=x.device)

    one((4, 3), torch.float32, 0)  # float32 in, float32 out
    # A channel whose running variance (1e-4) is not much larger than eps: eps goes inside the square root.
    x, rm, rv, w, b, up = bn_inputs((4, 2), torch.float64, 1)
    rv = torch.tensor([1e-4, 1.0], dtype=torch.float64)
    inputs = {"x": x, "running_mean": rm, "running_var": rv, "weight": w, "bias": b, "eps": 1e-5}
    got = drive(q, fn, run_batch_norm_eval, inputs, x, rm, rv, w, b, 1e-5, up)
    expected = run_batch_norm_eval(lambda x, rm, rv, w, b, eps: F.batch_norm(x, rm, rv, w, b, False, 0.1, eps),
                                   x, rm, rv, w, b, 1e-5, up)
    expect_eval(q, got, expected, inputs, dtype=x.dtype, device=x.device)

    @PUBLIC_SETTINGS
    @given(shape=st.sampled_from([(4, 3), (2, 2, 3), (3, 2, 2, 2), (2, 1, 3)]), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(shape, dtype, seed):
        one(shape, dtype, seed)

    run()


def BatchNorm_public(fn):
    q = "BatchNorm"
    # float64 and float32 (like nn.BatchNorm1d/2d, the module's parameters and buffers follow .to(dtype)).
    f32, f64 = torch.float32, torch.float64
    for shape, eps, momentum, seed, dtype in [((4, 3), 1e-5, 0.1, 0, f32), ((4, 3), 1e-5, 0.1, 0, f64),
                                              ((3, 2, 4), 1e-3, 0.5, 1, f64), ((2, 3, 2, 2), 1e-5, 0.1, 2, f32),
                                              ((2, 1, 3), 1e-5, 1.0, 3, f64)]:
        check_module(q, fn, shape, eps, momentum, seed, dtype)


def multistep_lr_public(fn):
    q = "multistep_lr"
    for base_lr, milestones, gamma, epochs in [(0.5, [2, 5], 0.1, 8), (1.0, [1, 3, 4], 0.5, 6), (0.1, [3, 6], 0.5, 9)]:
        inputs = {"base_lr": base_lr, "milestones": milestones, "gamma": gamma, "epochs": epochs}
        expected = _scheduled_lrs(lr_scheduler.MultiStepLR(_sgd(base_lr), milestones, gamma), epochs)
        expect_lrs(q, drive(q, fn, run_lr_table, inputs, epochs, base_lr, milestones, gamma), expected, inputs)


def exponential_lr_public(fn):
    q = "exponential_lr"
    for base_lr, gamma in [(0.5, 0.9), (1.0, 0.5)]:
        inputs = {"base_lr": base_lr, "gamma": gamma, "epochs": 6}
        expected = _scheduled_lrs(lr_scheduler.ExponentialLR(_sgd(base_lr), gamma), 6)
        expect_lrs(q, drive(q, fn, run_lr_table, inputs, 6, base_lr, gamma), expected, inputs)


def cosine_lr_public(fn):
    q = "cosine_lr"
    for base_lr, t_max, eta_min in [(0.5, 4, 0.0), (1.0, 6, 0.1), (0.1, 10, 0.01)]:
        inputs = {"base_lr": base_lr, "T_max": t_max, "eta_min": eta_min, "epochs": t_max + 1}
        expected = _scheduled_lrs(lr_scheduler.CosineAnnealingLR(_sgd(base_lr), t_max, eta_min), t_max + 1)
        expect_lrs(q, drive(q, fn, run_lr_table, inputs, t_max + 1, base_lr, t_max, eta_min), expected, inputs)


def warmup_cosine_lambda_public(fn):
    q = "warmup_cosine_lambda"
    for p in probes(q):  # torch's LinearLR then CosineAnnealingLR, chained with SequentialLR
        got = drive(q, fn, run_lambda_lr, p.inputs, *p.inputs.values())
        expect_lrs(q, got, p.expected, p.inputs)


def plateau_lrs_public(fn):
    q = "plateau_lrs"
    # The course's situation: the loss stalls, the rate drops once patience runs out, then again.
    stalls = [1.0, 0.8, 0.7, 0.7, 0.71, 0.69, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6]
    expect_plateau(q, fn, plateau_inputs(stalls, 0.1, factor=0.5, patience=2))
    tiny_gains = [1.0, 0.99995, 0.9999, 0.99985, 0.9998, 0.5, 0.5, 0.5]  # each gain below threshold=1e-4
    expect_plateau(q, fn, plateau_inputs(tiny_gains, 1.0, factor=0.5, patience=1))
    accuracy = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    expect_plateau(q, fn, plateau_inputs(accuracy, 0.1, factor=0.1, patience=1, mode="max", cooldown=2))
    expect_plateau(q, fn, plateau_inputs([1.0] * 12, 0.1, factor=0.1, patience=0, min_lr=1e-3))
    expect_plateau(q, fn, plateau_inputs(stalls, 0.1, factor=0.5, patience=1, threshold=0.05, threshold_mode="abs"))


def one_cycle_lr_public(fn):
    q = "one_cycle_lr"
    expect_one_cycle(q, fn, 20, 0.1)
    expect_one_cycle(q, fn, 10, 1.0, 0.25, 10.0, 100.0)  # the peak falls between two steps
    expect_one_cycle(q, fn, 30, 0.5, 0.5, 5.0, 1e3)


ASSIGNMENT = Assignment(
    name="batchnorm",
    number=7,
    title="Assignment 7: Batch norm and learning-rate schedules",
    title_zh="作业 7：批量归一化与学习率调度",
    runtime=("assignments/batchnorm_inputs.py", "assignments/batchnorm_drivers.py", "assignments/batchnorm_compare.py"),
    questions=(
        Question("z_score_norm", 2, "z-score normalisation of each column (biased std)", z_score_norm_public,
                 summary_zh="对每列做 Z-Score 标准化（有偏标准差）",
                 forbidden=("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d")),
        Question("batch_norm_train", 4, "batch norm in training mode, returning the updated running statistics",
                 batch_norm_train_public,
                 summary_zh="训练模式下的批量归一化，并返回更新后的滑动统计量",
                 forbidden=("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d")),
        Question("batch_norm_eval", 2, "batch norm in eval mode, with the running statistics",
                 batch_norm_eval_public,
                 summary_zh="评估模式下用滑动统计量做批量归一化",
                 forbidden=("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d")),
        Question("BatchNorm", 4, "a BatchNorm1d/BatchNorm2d module: parameters, buffers, train and eval mode",
                 BatchNorm_public,
                 summary_zh="BatchNorm1d/BatchNorm2d 模块：参数、缓冲区、训练与评估模式",
                 forbidden=("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d")),
        Question("multistep_lr", 2, "the learning rate of a step or multi-step schedule", multistep_lr_public,
                 summary_zh="阶梯式或多阶梯式调度下的学习率",
                 forbidden=("torch.optim.lr_scheduler.MultiStepLR", "torch.optim.lr_scheduler.StepLR")),
        Question("exponential_lr", 1, "the learning rate of an exponential schedule", exponential_lr_public,
                 summary_zh="指数衰减调度下的学习率",
                 forbidden=("torch.optim.lr_scheduler.ExponentialLR",)),
        Question("cosine_lr", 2, "the learning rate of cosine annealing", cosine_lr_public,
                 summary_zh="余弦退火下的学习率",
                 forbidden=("torch.optim.lr_scheduler.CosineAnnealingLR",)),
        Question("warmup_cosine_lambda", 3, "a LambdaLR factor: linear warm-up, then cosine decay",
                 warmup_cosine_lambda_public,
                 summary_zh="LambdaLR 的系数：先线性预热，再余弦衰减"),
        Question("plateau_lrs", 3, "ReduceLROnPlateau: the learning rate after each epoch's loss",
                 plateau_lrs_public,
                 summary_zh="ReduceLROnPlateau：每轮损失之后的学习率",
                 forbidden=("torch.optim.lr_scheduler.ReduceLROnPlateau",)),
        Question("one_cycle_lr", 3, "the learning rate of the one-cycle policy (OneCycleLR, cosine)",
                 one_cycle_lr_public,
                 summary_zh="单周期策略（OneCycleLR，余弦）下的学习率",
                 forbidden=("torch.optim.lr_scheduler.OneCycleLR",)),
    ),
)
