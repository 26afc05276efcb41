"""Assignment 5, "The data pipeline and the training loop": questions, points and public checks (students see this
file). The drivers that run your classes and training loops are in ``training_drivers``, the comparisons (and the
traceable inputs ``indexed_data``) in ``training_compare``; expected values come from stored probes
(``kitcheck.probes``) and from properties, never from a reference written here."""
from __future__ import annotations

import torch

from ..compare import CheckFailure, call, drive_with, expect_device_agnostic, expect_tensor, show
from ..i18n import tr
from ..probes import probes
from ..spec import Assignment, Question
from ..transport import StudentError
from .training_compare import (check_batches, check_classification, check_regression, check_split, expect_class_stats,
                               expect_dataset, expect_fit, expect_logged_losses, expect_number,
                               expect_regression_stats, expect_train_eval_modes, indexed_data)
from .training_drivers import (build_dataset, describe_dataset, run_accuracy_with_loader, run_fit,
                               run_fit_with_tensorboard, run_loss_with_loader)


# ---- public checks ----------------------------------------------------------------------------------------
def make_regression_public(fn):
    q = "make_regression"
    w = torch.tensor([2.0, -3.4])
    inputs = {"n": 6, "w": w, "b": 4.2, "noise": 0.0, "seed": 0}
    check_regression(q, call(q, fn, **inputs), inputs, exact=True)
    inputs = {"n": 1, "w": torch.tensor([0.5, 1.0, -2.0], dtype=torch.float64), "b": -1.5, "noise": 0.0, "seed": 3}
    check_regression(q, call(q, fn, **inputs), inputs, exact=True)  # one sample, float64: X and y follow w's dtype
    inputs = {"n": 2000, "w": w, "b": 4.2, "noise": 0.1, "seed": 1}
    X, y = check_regression(q, call(q, fn, **inputs), inputs, exact=False)
    expect_regression_stats(q, X, y, inputs)
    X2, y2 = call(q, fn, **inputs)
    if not (torch.equal(X, X2) and torch.equal(y, y2)):
        raise CheckFailure(q, tr("two calls with the same seed gave different data: draw every random number from "
                                 "torch.Generator().manual_seed(seed)",
                                 "用同一个种子调用两次，得到的数据却不同：所有随机数都应来自 "
                                 "torch.Generator().manual_seed(seed)"), inputs)
    # Generators draw on the CPU: the data must then move to w's device (checked on PyTorch's "meta" device).
    expect_device_agnostic(q, fn, lambda n, w, b, noise, seed: (torch.empty(n, len(w), device=w.device),
                                                                 torch.empty(n, device=w.device)),
                           n=5, w=torch.empty(2, device="meta"), b=1.0, noise=0.1, seed=0)


def make_classification_public(fn):
    q = "make_classification"
    centers = torch.tensor([[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0]])
    inputs = {"n_per_class": 3, "centers": centers, "std": 0.0, "seed": 0}
    X, y = check_classification(q, call(q, fn, **inputs), inputs)
    expect_tensor(q, X, centers.double()[y], inputs, what=tr("X for std = 0 (each row should be its class's center)",
                                                            "std = 0 时的 X（每一行都应是它所属类别的中心）"))
    one = {"n_per_class": 1, "centers": centers[:2].double(), "std": 0.0, "seed": 2}  # float64, one sample per class
    X, y = check_classification(q, call(q, fn, **one), one)
    expect_tensor(q, X, one["centers"][y], one, what=tr("X for std = 0 (each row should be its class's center)",
                                                        "std = 0 时的 X（每一行都应是它所属类别的中心）"))
    inputs = {"n_per_class": 1000, "centers": centers, "std": 2.0, "seed": 1}
    X, y = check_classification(q, call(q, fn, **inputs), inputs)
    expect_class_stats(q, X, inputs)
    X2, _ = call(q, fn, **inputs)
    if not torch.equal(X, X2):
        raise CheckFailure(q, tr("two calls with the same seed gave different data: draw every random number from "
                                 "torch.Generator().manual_seed(seed)",
                                 "用同一个种子调用两次，得到的数据却不同：所有随机数都应来自 "
                                 "torch.Generator().manual_seed(seed)"), inputs)


def data_split_batches_public(fn):
    q = "data_split_batches"
    X, y = indexed_data(10, 2)
    inputs = {"X": X, "y": y, "batch_size": 3, "seed": 0}
    order = check_batches(q, call(q, fn, **inputs), X, 3, inputs)
    if torch.equal(order, torch.arange(10)):
        raise CheckFailure(q, tr("the samples come out in their original order: shuffle the indices first "
                                 "(torch.randperm with a generator seeded with `seed`)",
                                 "样本仍按原始顺序排列：请先打乱索引（torch.randperm，配合用 `seed` 设定种子的生成器）"),
                           inputs)
    again = check_batches(q, call(q, fn, **inputs), X, 3, inputs)
    if not torch.equal(order, again):
        raise CheckFailure(q, tr("two calls with the same seed gave different batches",
                                 "用同一个种子调用两次，得到的批量却不同"), inputs)
    for n, batch_size, dtype in [(5, 1, torch.float64), (3, 8, torch.float32), (1, 1, torch.float32)]:
        X, y = indexed_data(n, 2, dtype)  # batches of one sample, one batch larger than the data, one sample
        inputs = {"X": X, "y": y, "batch_size": batch_size, "seed": 1}
        check_batches(q, call(q, fn, **inputs), X, batch_size, inputs)


def train_test_split_public(fn):
    q = "train_test_split"
    X, y = indexed_data(10, 3)
    inputs = {"X": X, "y": y, "train_fraction": 0.7, "seed": 0}
    order = check_split(q, call(q, fn, **inputs), X, 0.7, inputs)
    if torch.equal(order, torch.arange(10)):
        raise CheckFailure(q, tr("the first 70% of the rows became the training set: shuffle first",
                                 "前 70% 的行成了训练集：请先打乱"), inputs)
    for n, fraction in [(5, 0.25), (1, 0.5)]:  # float64; a single sample (int(0.5) = 0 training samples)
        X, y = indexed_data(n, 2, torch.float64)
        inputs = {"X": X, "y": y, "train_fraction": fraction, "seed": 2}
        check_split(q, call(q, fn, **inputs), X, fraction, inputs)


def PairDataset_public(fn):  # noqa: N802 - named after the question
    q = "PairDataset"
    X, y = torch.arange(12.0).reshape(4, 3), torch.tensor([1, 0, 2, 1])
    inputs = {"features": X, "labels": y}
    expect_dataset(q, drive_with(q, fn, describe_dataset, inputs, 3), X, y, 3, inputs)
    X, y = torch.zeros(0, 2, dtype=torch.float64), torch.zeros(0, dtype=torch.long)  # an empty dataset
    inputs = {"features": X, "labels": y}
    expect_dataset(q, drive_with(q, fn, describe_dataset, inputs, 2), X, y, 2, inputs)
    bad = {"features": torch.zeros(4, 2), "labels": torch.zeros(3, dtype=torch.long)}
    try:
        got = fn.drive(build_dataset, *bad.values())
    except StudentError as exc:
        if exc.type_name == "ValueError":
            return
        raise CheckFailure(q, tr("expected ValueError (4 feature rows but 3 labels), but your class raised {exc}",
                                 "应当抛出 ValueError（4 行特征，却只有 3 个标签），但你的类抛出了 {exc}", exc=exc),
                           bad) from None
    raise CheckFailure(q, tr("expected ValueError (4 feature rows but 3 labels), but PairDataset was created (its len "
                             "is {got})",
                             "应当抛出 ValueError（4 行特征，却只有 3 个标签），但 PairDataset 被创建出来了（它的 len 是 {got}）",
                             got=show(got)), bad)


def loss_with_loader_public(fn):
    q = "loss_with_loader"
    for p in probes(q):  # an MSE and a cross-entropy problem: 10 samples in batches of 4
        expect_number(q, drive_with(q, fn, run_loss_with_loader, p.inputs), p.expected, p.inputs,
                      rtol=1e-4, atol=1e-5, what=tr("the mean {loss} loss over the loader",
                                                    "整个数据加载器上的平均 {loss} 损失", loss=p.inputs["loss"]))


def accuracy_with_loader_public(fn):
    q = "accuracy_with_loader"
    for p in probes(q):  # 10 samples, 3 classes, batches of 4
        expect_number(q, drive_with(q, fn, run_accuracy_with_loader, p.inputs), p.expected, p.inputs,
                      rtol=1e-9, atol=1e-9, what=tr("the accuracy over the loader", "整个数据加载器上的准确率"))


def fit_public(fn):
    q = "fit"
    for p in probes(q):  # MSE, 10 samples in batches of 4, 3 epochs of SGD: expected from a float64 reference loop
        expect_fit(q, drive_with(q, fn, run_fit, p.inputs), p.expected, p.inputs, torch.float32)


def fit_with_tensorboard_public(fn):
    q = "fit_with_tensorboard"
    for p in probes(q):  # MSE, 10 training and 6 test samples in batches of 4, 3 epochs: a float64 reference loop
        got = drive_with(q, fn, run_fit_with_tensorboard, p.inputs)
        expect_logged_losses(q, got, p.expected, p.inputs, torch.float32)
        expect_train_eval_modes(q, got, p.inputs, len(p.inputs["X_train"]), p.inputs["epochs"])

ASSIGNMENT = Assignment(
    name="training",
    number=5,
    title="Assignment 5: The data pipeline and the training loop",
    title_zh="作业 5：数据管道与训练循环",
    runtime=("assignments/training_drivers.py", "assignments/training_compare.py"),
    questions=(
        Question("make_regression", 2, "regression data y = X @ w + b + noise, reproducible from a seed",
                 make_regression_public, summary_zh="回归数据 y = X @ w + b + 噪声，可由种子复现"),
        Question("make_classification", 2, "Gaussian blobs around given centers, with int64 labels",
                 make_classification_public, summary_zh="围绕给定中心的高斯点团，标签为 int64"),
        Question("data_split_batches", 3, "shuffled mini-batches that hold every sample exactly once",
                 data_split_batches_public, summary_zh="打乱后的小批量，每个样本恰好出现一次"),
        Question("train_test_split", 2, "a shuffled split into training and test sets", train_test_split_public,
                 summary_zh="打乱后划分训练集与测试集"),
        Question("PairDataset", 2, "a torch Dataset of (features, label) pairs", PairDataset_public,
                 summary_zh="由 (特征, 标签) 对组成的 torch Dataset"),
        Question("loss_with_loader", 3, "the mean per-sample loss of a model over a DataLoader",
                 loss_with_loader_public, summary_zh="模型在整个 DataLoader 上每个样本损失的平均值"),
        Question("accuracy_with_loader", 2, "a classifier's accuracy over a DataLoader", accuracy_with_loader_public,
                 summary_zh="分类器在整个 DataLoader 上的准确率"),
        Question("fit", 4, "the training loop: epochs of mini-batch steps, returning each epoch's mean loss",
                 fit_public, summary_zh="训练循环：按轮进行小批量更新，返回每一轮的平均损失"),
        Question("fit_with_tensorboard", 3, "training with the losses and the model's graph logged for TensorBoard",
                 fit_with_tensorboard_public, summary_zh="训练的同时把损失和模型的计算图记录到 TensorBoard"),
    ),
)
