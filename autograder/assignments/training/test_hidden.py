"""Hidden tests for assignment 5, "The data pipeline and the training loop".

Random generators are judged by properties (shapes, exact relations at zero noise, statistics to about six standard
errors, reproducibility), since any correct use of the seeded generator is accepted. Classes and training loops run
through the drivers in kitcheck.assignments.training_drivers; the references
(autograder.assignments.training.references) are torch's own modules and a float64 training loop. Training tests are
seeded and tiny.
"""
from functools import cache

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.assignments.training.references import (reference_accuracy, reference_fit,
                                                        reference_fit_with_tensorboard, reference_loss)
from autograder.adversarial import layout, layouts, mixed_scales
from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, loaded_max_examples,
                                public_check_tests, question)
from kitcheck.assignments.training import ASSIGNMENT
from kitcheck.assignments.training_compare import (check_batches, check_classification, check_regression, check_split,
                                                   expect_class_stats, expect_dataset, expect_fit, expect_logged_losses,
                                                   expect_number, expect_regression_stats, expect_tensorboard_log,
                                                   expect_train_eval_modes, indexed_data)
from kitcheck.assignments.training_drivers import (build_dataset, describe_dataset, run_accuracy_with_loader,
                                                   run_evaluation_watched, run_fit, run_fit_classifier,
                                                   run_fit_with_tensorboard, run_loss_with_loader)
from autograder.assignments.training.probes import small_problem, tensorboard_problem
from kitcheck.compare import CheckFailure, drive_with, expect_raises, expect_tensor, raised, show
from kitcheck.i18n import tr
from kitcheck.transport import StudentError
from kitcheck.strategies import make_tensor, seeds

test_public_checks = public_check_tests(ASSIGNMENT)

# Reproducibility tests call the student three times per example: half the examples keep grading fast (under
# KIT_HYPOTHESIS_PROFILE=kit-explore they scale up with the rest).
HALF = settings(max_examples=max(5, loaded_max_examples() // 2))


def _same_seed_same_data(q, fn, inputs):
    first, second = call(q, fn, **inputs), call(q, fn, **inputs)
    if not all(torch.equal(a, b) for a, b in zip(first, second)):
        raise CheckFailure(q, tr("two calls with the same seed gave different data: draw every random number from "
                                 "torch.Generator().manual_seed(seed)",
                                 "用同一个种子调用两次，得到的数据却不同：每个随机数都应从 "
                                 "torch.Generator().manual_seed(seed) 中抽取"), inputs)
    other = call(q, fn, **{**inputs, "seed": inputs["seed"] + 1})
    if torch.equal(first[0], other[0]):
        raise CheckFailure(q, tr("seeds `seed` and `seed + 1` gave the same data: use the seed",
                                 "种子 `seed` 和 `seed + 1` 得到了相同的数据：请使用传入的种子"), inputs)


def expect_untouched_model(q, got, inputs):
    """The result of ``run_evaluation_watched``, after checking that evaluation tracked no gradients and left the
    model's parameters and gradients alone."""
    if type(got) is not tuple or len(got) != 3:
        raise CheckFailure(q, tr("the evaluation could not be inspected", "无法检查这次评估"), inputs, got=got)
    result, grad_forwards, unchanged = got
    if grad_forwards:
        raise CheckFailure(q, tr("the model ran {n} time(s) with gradients tracked: evaluate under "
                                 "`with torch.no_grad():`",
                                 "模型在跟踪梯度的情况下运行了 {n} 次：请在 `with torch.no_grad():` 下评估",
                                 n=grad_forwards), inputs)
    if unchanged is not True:
        raise CheckFailure(q, tr("evaluating changed the model's parameters or their .grad (a backward() or a step "
                                 "during evaluation): evaluation only reads the model",
                                 "评估改变了模型的参数或它们的 .grad（评估时调用了 backward() 或做了一步更新）："
                                 "评估只应读取模型"), inputs)
    return result


def expect_independent_noise(q, X, y, inputs):
    """Noise drawn again from a generator seeded alike repeats numbers already in X; independent noise does not
    (checked for noise >= 0.5, where float rounding cannot make chance matches)."""
    w, b, noise = inputs["w"], inputs["b"], inputs["noise"]
    if noise >= 0.5:
        Xd, yd = X.detach().cpu().double(), y.detach().cpu().double()
        fit = Xd @ w.cpu().double() + b
        r = ((yd - fit) / noise).sort().values
        values = Xd.flatten().sort().values
        tol = 8 * torch.finfo(w.dtype).eps * (yd.abs() + fit.abs() + 1).max() / noise
        pos = torch.searchsorted(values, r).clamp(max=len(values) - 1)
        near = torch.minimum((values[pos] - r).abs(), (values[(pos - 1).clamp(min=0)] - r).abs())
        if float((near <= tol).double().mean()) > 0.5:
            raise CheckFailure(q, tr("the noise repeats numbers drawn for X (a second generator seeded with the "
                                     "same seed): draw X and the noise from one generator",
                                     "噪声重复了为 X 抽取的数（用同一个种子又创建了一个生成器）："
                                     "X 和噪声应从同一个生成器中抽取"), inputs)


# ---- make_regression -------------------------------------------------------------------------------
@question("make_regression")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 30), d=st.integers(1, 4), b=st.sampled_from([0.0, -1.5, 4.2]), seed=seeds)
def test_make_regression_without_noise_is_exactly_linear(q, fn, device, dtype, n, d, b, seed):
    w = make_tensor((d,), dtype, seed, device)
    inputs = {"n": n, "w": w, "b": b, "noise": 0.0, "seed": seed}
    check_regression(q, call(q, fn, **inputs), inputs, exact=True)


@question("make_regression")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("seed,noise", [(0, 0.5), (1, 0.01), (2, 2.0)])
def test_make_regression_statistics(q, fn, dtype, seed, noise):
    # 4000 samples: least squares recovers w and b, the residuals have std `noise`, X is standard normal.
    w = torch.tensor([2.0, -3.4, 0.7], dtype=dtype)
    inputs = {"n": 4000, "w": w, "b": 4.2, "noise": noise, "seed": seed}
    X, y = check_regression(q, call(q, fn, **inputs), inputs, exact=False)
    expect_regression_stats(q, X, y, inputs)
    expect_independent_noise(q, X, y, inputs)


@question("make_regression")
@HALF
@given(seed=seeds)
def test_make_regression_is_reproducible(fn, seed):
    inputs = {"n": 20, "w": torch.tensor([1.0, -2.0]), "b": 0.5, "noise": 0.1, "seed": seed}
    _same_seed_same_data("make_regression", fn, inputs)


@question("make_regression")
def test_make_regression_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda n, w, b, noise, seed: (torch.empty(n, len(w), device=w.device),
                                                         torch.empty(n, device=w.device)),
                           n=5, w=torch.empty(3, device="meta"), b=1.0, noise=0.1, seed=0)


# ---- make_classification ---------------------------------------------------------------------------
@question("make_classification")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 8), k=st.integers(1, 4), d=st.integers(1, 3), seed=seeds)
def test_make_classification_without_spread_sits_on_the_centers(q, fn, device, dtype, n, k, d, seed):
    centers = make_tensor((k, d), dtype, seed, device, low=-5, high=5)
    inputs = {"n_per_class": n, "centers": centers, "std": 0.0, "seed": seed}
    X, y = check_classification(q, call(q, fn, **inputs), inputs)
    expect_tensor(q, X, centers.cpu().double()[y.cpu()], inputs, dtype=dtype, device=centers.device,
                  what=tr("X for std = 0 (each row should be its class's center)",
                          "std = 0 时的 X（每一行都应是它所属类别的中心）"))


@question("make_classification")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("seed,std", [(0, 0.5), (1, 2.0), (2, 1.0)])
def test_make_classification_statistics(q, fn, dtype, seed, std):
    centers = torch.tensor([[0.0, 0.0, 1.0], [3.0, -3.0, 0.0], [-2.0, 5.0, 2.0], [1.0, 1.0, -4.0]], dtype=dtype)
    inputs = {"n_per_class": 1500, "centers": centers, "std": std, "seed": seed}
    X, _ = check_classification(q, call(q, fn, **inputs), inputs)
    expect_class_stats(q, X, inputs)


@question("make_classification")
@HALF
@given(seed=seeds)
def test_make_classification_is_reproducible(fn, seed):
    inputs = {"n_per_class": 5, "centers": torch.tensor([[0.0, 0.0], [2.0, 2.0]]), "std": 1.0, "seed": seed}
    _same_seed_same_data("make_classification", fn, inputs)


@question("make_classification")
def test_make_classification_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda n_per_class, centers, std, seed: (
                               torch.empty(len(centers) * n_per_class, centers.shape[1], device=centers.device),
                               torch.empty(len(centers) * n_per_class, dtype=torch.long, device=centers.device)),
                           n_per_class=4, centers=torch.empty(3, 2, device="meta"), std=1.0, seed=0)


# ---- data_split_batches ----------------------------------------------------------------------------
@question("data_split_batches")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 40), d=st.integers(1, 3), batch_size=st.integers(1, 12), seed=seeds)
def test_data_split_batches_hold_every_sample_once(q, fn, device, dtype, n, d, batch_size, seed):
    X, y = indexed_data(n, d, dtype, device)
    inputs = {"X": X, "y": y, "batch_size": batch_size, "seed": seed}
    check_batches(q, call(q, fn, **inputs), X, batch_size, inputs)


@question("data_split_batches")
@HALF
@given(n=st.integers(10, 40), batch_size=st.integers(1, 12), seed=seeds)
def test_data_split_batches_shuffle_reproducibly(q, fn, n, batch_size, seed):
    # With 10 or more samples, a shuffle that keeps the original order (or repeats for another seed) is one
    # chance in millions.
    X, y = indexed_data(n, 2)
    inputs = {"X": X, "y": y, "batch_size": batch_size, "seed": seed}
    order = check_batches(q, call(q, fn, **inputs), X, batch_size, inputs)
    if torch.equal(order, torch.arange(n)):
        raise CheckFailure(q, tr("the samples come out in their original order: shuffle the indices first",
                                 "样本仍按原来的顺序输出：请先打乱索引"), inputs)
    if not torch.equal(order, check_batches(q, call(q, fn, **inputs), X, batch_size, inputs)):
        raise CheckFailure(q, tr("two calls with the same seed gave different batches",
                                 "用同一个种子调用两次，得到的小批量却不同"), inputs)
    other = {**inputs, "seed": seed + 1}
    if torch.equal(order, check_batches(q, call(q, fn, **other), X, batch_size, other)):
        raise CheckFailure(q, tr("seeds `seed` and `seed + 1` gave the same order: use the seed",
                                 "种子 `seed` 和 `seed + 1` 得到了相同的顺序：请使用传入的种子"), inputs)


# ---- train_test_split ------------------------------------------------------------------------------
@question("train_test_split")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 40), d=st.integers(1, 3), train_fraction=st.sampled_from([0.5, 0.7, 0.8, 0.9, 0.25]),
       seed=seeds)
def test_train_test_split_parts(q, fn, device, dtype, n, d, train_fraction, seed):
    X, y = indexed_data(n, d, dtype, device)
    inputs = {"X": X, "y": y, "train_fraction": train_fraction, "seed": seed}
    check_split(q, call(q, fn, **inputs), X, train_fraction, inputs)


@question("train_test_split")
@HALF
@given(n=st.integers(10, 40), seed=seeds)
def test_train_test_split_shuffles_reproducibly(q, fn, n, seed):
    X, y = indexed_data(n, 2)
    inputs = {"X": X, "y": y, "train_fraction": 0.7, "seed": seed}
    order = check_split(q, call(q, fn, **inputs), X, 0.7, inputs)
    if torch.equal(order, torch.arange(n)):
        raise CheckFailure(q, tr("the first rows became the training set: shuffle first",
                                 "前面的几行直接成了训练集：请先打乱顺序"), inputs)
    if not torch.equal(order, check_split(q, call(q, fn, **inputs), X, 0.7, inputs)):
        raise CheckFailure(q, tr("two calls with the same seed gave different splits",
                                 "用同一个种子调用两次，得到的划分却不同"), inputs)


# ---- PairDataset -----------------------------------------------------------------------------------
@question("PairDataset")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(0, 9), d=st.integers(1, 3), batch_size=st.integers(1, 4), seed=seeds)
def test_pair_dataset_items_and_batches(q, fn, device, dtype, n, d, batch_size, seed):
    X = make_tensor((n, d), dtype, seed, device)
    y = torch.randint(0, 5, (n,), generator=torch.Generator().manual_seed(seed)).to(device)
    inputs = {"features": X, "labels": y}
    expect_dataset(q, drive_with(q, fn, describe_dataset, inputs, batch_size), X, y, batch_size, inputs)


@question("PairDataset")
@pytest.mark.parametrize("n_features,n_labels", [(4, 3), (2, 5), (0, 1)])
def test_pair_dataset_rejects_mismatched_lengths(q, fn, n_features, n_labels):
    inputs = {"features": torch.zeros(n_features, 2), "labels": torch.zeros(n_labels, dtype=torch.long)}
    expect_raises(q, lambda *args: fn.drive(build_dataset, *args), "ValueError",
                  inputs, tr("{rows} feature rows but {labels} labels", "特征有 {rows} 行，标签却有 {labels} 个",
                             rows=n_features, labels=n_labels))


# ---- loss_with_loader ------------------------------------------------------------------------------
@question("loss_with_loader")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@given(n=st.integers(1, 23), d=st.integers(1, 4), batch_size=st.integers(1, 8), seed=seeds)
def test_loss_with_loader_is_the_mean_over_all_samples(q, fn, device, dtype, loss, n, d, batch_size, seed):
    # A last batch smaller than the others is the common case: the mean of the batch means is then wrong.
    inputs = {**small_problem(loss, n, d, seed, dtype, device), "batch_size": batch_size, "loss": loss}
    tol = {"rtol": 1e-9, "atol": 1e-9} if dtype == torch.float64 else {"rtol": 1e-4, "atol": 1e-5}
    expect_number(q, drive_with(q, fn, run_loss_with_loader, inputs), reference_loss(inputs, loss), inputs,
                  what=tr("the mean {loss} loss over the loader", "整个数据加载器上的平均 {loss} 损失", loss=loss),
                  **tol)


# ---- accuracy_with_loader --------------------------------------------------------------------------
@question("accuracy_with_loader")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 23), d=st.integers(1, 4), classes=st.integers(2, 5), batch_size=st.integers(1, 8),
       seed=seeds)
def test_accuracy_with_loader_counts_every_sample(q, fn, device, dtype, n, d, classes, batch_size, seed):
    inputs = {**small_problem("cross_entropy", n, d, seed, dtype, device, classes), "batch_size": batch_size}
    expect_number(q, drive_with(q, fn, run_accuracy_with_loader, inputs), reference_accuracy(inputs), inputs,
                  rtol=1e-9, atol=1e-9, what=tr("the accuracy over the loader", "整个数据加载器上的准确率"))


# ---- fit -------------------------------------------------------------------------------------------
FIT_CASES = [  # (loss, n, d, batch_size, epochs, lr, momentum): every case has a smaller last batch
    ("mse", 10, 3, 4, 3, 0.05, 0.0),
    ("mse", 13, 2, 5, 4, 0.02, 0.9),
    ("cross_entropy", 11, 3, 3, 3, 0.5, 0.0),
    ("cross_entropy", 9, 4, 4, 2, 0.1, 0.5),
]


@question("fit")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", FIT_CASES, ids=[f"{c[0]}-momentum{c[6]}" for c in FIT_CASES])
@pytest.mark.parametrize("seed", [0, 1])
def test_fit_follows_the_training_loop(q, fn, device, dtype, case, seed):
    # The same steps as a float64 reference loop: zero the gradients, backward, step, once per batch.
    loss, n, d, batch_size, epochs, lr, momentum = case
    inputs = {**small_problem(loss, n, d, seed, dtype, device), "batch_size": batch_size, "epochs": epochs,
              "loss": loss, "lr": lr, "momentum": momentum}
    got = drive_with(q, fn, run_fit, inputs)
    expect_fit(q, got, reference_fit(*inputs.values()), inputs, dtype)


@question("fit")
def test_fit_recovers_known_weights(q, fn):
    # y = X @ [2, -3.4, 1.5] + 4.2 + 0.01 noise: 30 epochs of SGD from zero weights land within 0.02.
    g = torch.Generator().manual_seed(5)
    X = torch.randn(200, 3, generator=g)
    w_true, b_true = torch.tensor([2.0, -3.4, 1.5]), 4.2
    y = (X @ w_true + b_true + 0.01 * torch.randn(200, generator=g)).unsqueeze(1)
    inputs = {"X": X, "y": y, "weight": torch.zeros(1, 3), "bias": torch.zeros(1), "batch_size": 16, "epochs": 30,
              "loss": "mse", "lr": 0.05, "momentum": 0.0, "shuffle_seed": 0}
    losses, weight, bias = drive_with(q, fn, run_fit, inputs)
    expect_tensor(q, weight, w_true.unsqueeze(0), inputs, rtol=0, atol=0.02,
                  what=tr("the weight learnt from y = X @ [2, -3.4, 1.5] + 4.2 + noise",
                          "从 y = X @ [2, -3.4, 1.5] + 4.2 + 噪声 中学到的权重"))
    expect_tensor(q, bias, torch.tensor([b_true]), inputs, rtol=0, atol=0.02,
                  what=tr("the bias learnt (4.2)", "学到的偏置（4.2）"))


@cache
def _digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    X = torch.tensor(data.data, dtype=torch.float32) / 16
    y = torch.tensor(data.target, dtype=torch.long)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(0))
    train, test = order[:1200], order[1200:]
    return X[train], y[train], X[test], y[test]


@question("fit")
def test_fit_trains_a_digit_classifier(q, fn):
    # A softmax classifier on scikit-learn's 8x8 digits (1200 for training, 597 for testing): 4 epochs of 12
    # batches reach about 94% test accuracy; 90% is required.
    # The sandbox gets the training split only and returns the trained weights; the test accuracy is computed
    # here, on the 597 test digits, which never reach the student's process.
    X_train, y_train, X_test, y_test = _digits()
    inputs = {"X_train": X_train, "y_train": y_train, "classes": 10, "batch_size": 100, "epochs": 4, "lr": 0.3,
              "seed": 0}
    got = drive_with(q, fn, run_fit_classifier, inputs)
    losses, weight, bias = got if type(got) is tuple and len(got) == 3 else (got, None, None)
    if type(losses) not in (list, tuple) or len(losses) != 4:
        raise CheckFailure(q, tr("fit should return a list of 4 numbers (one mean training loss per epoch)",
                                 "fit 应当返回由 4 个数组成的列表（每轮一个平均训练损失）"), inputs, got=losses)
    for name, got, shape in (("weight", weight, (10, 64)), ("bias", bias, (10,))):
        if type(got) is not torch.Tensor or tuple(got.shape) != shape or not got.is_floating_point():
            raise CheckFailure(q, tr("the trained {name} should be a float tensor of shape {shape}",
                                     "训练后的{name}应是形状为 {shape} 的浮点张量",
                                     name=tr(name, "权重" if name == "weight" else "偏置"), shape=shape),
                               inputs, got=got)
    with torch.no_grad():
        scores = X_test.double() @ weight.detach().cpu().double().T + bias.detach().cpu().double()
    accuracy = (scores.argmax(dim=1) == y_test).double().mean().item()
    if not accuracy >= 0.9:
        raise CheckFailure(q, tr("after 4 epochs on the digits, the test accuracy is {accuracy:.3f}; a correct "
                                 "training loop reaches about 0.94 (0.9 is required)",
                                 "在手写数字数据集上训练 4 轮后，测试集准确率为 {accuracy:.3f}；"
                                 "正确的训练循环能达到约 0.94（要求至少 0.9）", accuracy=accuracy), inputs)


# ---- fit_with_tensorboard --------------------------------------------------------------------------
# The driver returns the event files' bytes; they are parsed here, with TensorBoard's EventAccumulator, in a
# temporary folder of the grader (kitcheck.assignments.training_compare.read_event_files), never in the sandbox.
TB_CASES = [  # (loss, n_train, n_test, d, batch_size, epochs, lr, momentum): smaller last batches in both loaders
    ("mse", 10, 5, 3, 4, 3, 0.05, 0.0),
    ("cross_entropy", 11, 7, 3, 3, 2, 0.5, 0.9),
]


@question("fit_with_tensorboard")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", TB_CASES, ids=[c[0] for c in TB_CASES])
def test_fit_with_tensorboard_logs_the_losses(q, fn, device, dtype, case):
    # Tags, steps 0 .. epochs - 1, every logged value and the trained weights against a float64 reference loop;
    # the graph must be there; every writer closed; the data left as it was.
    loss, n_train, n_test, d, batch_size, epochs, lr, momentum = case
    inputs = {**tensorboard_problem(loss, n_train, n_test, d, 7, dtype, device), "batch_size": batch_size,
              "epochs": epochs, "loss": loss, "lr": lr, "momentum": momentum}
    got = drive_with(q, fn, run_fit_with_tensorboard, inputs)
    expect_logged_losses(q, got, reference_fit_with_tensorboard(*inputs.values()), inputs, dtype)
    expect_train_eval_modes(q, got, inputs, n_train, epochs)


@question("fit_with_tensorboard")
@pytest.mark.parametrize("seed", [0, 1])
def test_fit_with_tensorboard_measures_the_test_loss_in_eval_mode(q, fn, seed):
    # With dropout in the model: the last logged test loss must be the loss of the trained model in evaluation
    # mode (computed here from the returned weights), and the model must train in training mode.
    inputs = {**tensorboard_problem("mse", 12, 6, 3, seed), "batch_size": 5, "epochs": 3, "loss": "mse",
              "lr": 0.05, "momentum": 0.0, "dropout": 0.5, "seed": seed}
    got = drive_with(q, fn, run_fit_with_tensorboard, inputs)
    _, test = expect_tensorboard_log(q, got, inputs, 3)
    expect_train_eval_modes(q, got, inputs, 12, 3)
    weight, bias = got["weight"].double(), got["bias"].double()
    X_test, y_test = inputs["X_test"].double(), inputs["y_test"].double()
    want = torch.nn.functional.mse_loss(X_test @ weight.T + bias, y_test).item()
    expect_number(q, test[-1], want, inputs, rtol=2e-4, atol=1e-6,
                  what=tr("the last value of 'loss/test' (the trained model's test loss, in evaluation mode, where "
                          "dropout is off)",
                          "'loss/test' 的最后一个值（训练后的模型在评估模式下、Dropout 关闭时的测试损失）"))


# ---- issue 18: layouts, dtypes, devices, untouched inputs, return types, hard numbers ----------------------
# Direct calls are also checked by the transport for changed tensor arguments (none of these exercises works in
# place); driver calls check what the exercise must leave alone themselves.
INDEX_DTYPES = [torch.float32, torch.float64, torch.int32, torch.int64, torch.bool]


@question("make_regression")
@pytest.mark.parametrize("how", ["transposed", "sliced", "expanded"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_make_regression_with_a_non_contiguous_w(q, fn, how, dtype):
    w = layout(torch.tensor([[1.5, -2.0, 0.5]] * 2, dtype=dtype), how)[0] if how == "transposed" else \
        layout(torch.full((3,), 0.75, dtype=dtype) if how == "expanded" else torch.tensor([1.5, -2.0, 0.5], dtype=dtype),
               how)
    inputs = {"n": 7, "w": w, "b": -1.0, "noise": 0.0, "seed": 3}
    check_regression(q, call(q, fn, **inputs), inputs, exact=True)


@question("make_classification")
@pytest.mark.parametrize("how", ["transposed", "sliced", "expanded"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_make_classification_with_non_contiguous_centers(q, fn, how, dtype):
    base = torch.full((3, 2), 2.0, dtype=dtype) if how == "expanded" else \
        torch.tensor([[0.0, 1.0], [4.0, -2.0], [-3.0, 3.0]], dtype=dtype)
    centers = layout(base, how)
    inputs = {"n_per_class": 4, "centers": centers, "std": 0.0, "seed": 1}
    X, y = check_classification(q, call(q, fn, **inputs), inputs)
    expect_tensor(q, X, base.double()[y], inputs, dtype=dtype,
                  what=tr("X for std = 0 (each row should be its class's center)",
                          "std = 0 时的 X（每一行都应是它所属类别的中心）"))


def _traced_layout(n, d, dtype, how, seed):
    """indexed_data in ``dtype`` (rows told apart by the labels) in the layout ``how``; y as a sliced view."""
    X, y = indexed_data(n, d)
    X = X.to(dtype) if dtype != torch.bool else (X.long() % 3 == 0)
    return layout(X, how), layout(y, "sliced")


@question("data_split_batches")
@settings(max_examples=6)
@given(dtype=st.sampled_from(INDEX_DTYPES), how=layouts(), n=st.integers(1, 13), batch_size=st.integers(1, 5),
       seed=seeds)
def test_data_split_batches_any_dtype_and_layout(q, fn, dtype, how, n, batch_size, seed):
    X, y = _traced_layout(n, 3, dtype, how, seed)
    inputs = {"X": X, "y": y, "batch_size": batch_size, "seed": seed}
    check_batches(q, call(q, fn, **inputs), X, batch_size, inputs)


@question("train_test_split")
@settings(max_examples=6)
@given(dtype=st.sampled_from(INDEX_DTYPES), how=layouts(), n=st.integers(1, 13), seed=seeds)
def test_train_test_split_any_dtype_and_layout(q, fn, dtype, how, n, seed):
    X, y = _traced_layout(n, 3, dtype, how, seed)
    inputs = {"X": X, "y": y, "train_fraction": 0.7, "seed": seed}
    check_split(q, call(q, fn, **inputs), X, 0.7, inputs)


def _on_meta(q, fn, inputs, expected_shapes):
    """Runs ``fn`` on meta tensors (a hard-coded device fails there) and checks every returned tensor is on the
    meta device with the expected shape (a list of shapes, in the order the tensors come)."""
    try:
        got = fn(*inputs.values())
    except StudentError as exc:
        if exc.type_name == "NotImplementedError":
            return  # an operation meta tensors lack (a boolean mask's data-dependent size): inconclusive, not wrong
        what, hint = raised(exc, device_check=True)
        raise CheckFailure(q, tr("your function fails when the input is not on the CPU (as on a GPU): it raised {what}",
                                 "输入不在 CPU 上（例如在 GPU 上）时，你的函数出错了：它抛出了 {what}", what=what),
                           inputs, detail=hint) from None
    flat = [t for part in got for t in (part if type(part) in (tuple, list) else (part,))] \
        if type(got) in (tuple, list) else [got]
    shapes = [tuple(t.shape) if type(t) is torch.Tensor else None for t in flat]
    if shapes != expected_shapes or any(t.device.type != "meta" for t in flat):
        # The list is written out by hand: repr() would escape the language marks inside show()'s sentences.
        raise CheckFailure(q, tr("for inputs on another device the result should be tensors on that device: expected "
                                 "shapes {shapes} on 'meta', got {got}",
                                 "输入在其他设备上时，结果应是该设备上的张量：期望 'meta' 上形状为 {shapes} 的张量，"
                                 "实际是 {got}",
                                 shapes=expected_shapes, got="[" + ", ".join(f"'{show(t)}'" for t in flat) + "]"),
                           inputs)


@question("data_split_batches")
def test_data_split_batches_keeps_the_device(fn):
    X, y = torch.empty(5, 2, device="meta"), torch.empty(5, dtype=torch.long, device="meta")
    _on_meta("data_split_batches", fn, {"X": X, "y": y, "batch_size": 2, "seed": 0},
             [(2, 2), (2,), (2, 2), (2,), (1, 2), (1,)])


@question("train_test_split")
def test_train_test_split_keeps_the_device(fn):
    X, y = torch.empty(10, 3, device="meta"), torch.empty(10, dtype=torch.long, device="meta")
    _on_meta("train_test_split", fn, {"X": X, "y": y, "train_fraction": 0.7, "seed": 0},
             [(7, 3), (3, 3), (7,), (3,)])


@question("PairDataset")
@pytest.mark.parametrize("dtype", [torch.int32, torch.bool, torch.float16])
@pytest.mark.parametrize("how", ["transposed", "sliced"])
def test_pair_dataset_any_dtype_and_layout(q, fn, dtype, how):
    X = layout(torch.arange(15).reshape(5, 3).to(dtype) if dtype != torch.bool else
               torch.arange(15).reshape(5, 3) % 2 == 0, how)
    y = layout(torch.tensor([3, 1, 4, 1, 5]), "sliced")
    inputs = {"features": X, "labels": y}
    expect_dataset(q, drive_with(q, fn, describe_dataset, inputs, 2), X, y, 2, inputs)


@question("loss_with_loader")
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("scaled", [False, True], ids=["plain", "mixed-scales"])
def test_loss_with_loader_only_reads_the_model(q, fn, loss, scaled):
    # No gradients tracked, parameters and .grad left alone; with samples of scales 1e-3 .. 1e3 (float64), the
    # per-sample weighting must still give the exact mean.
    inputs = {**small_problem(loss, 11, 3, 5, torch.float64), "batch_size": 4, "loss": loss}
    if scaled:
        inputs["X"] = mixed_scales((11, 3), torch.float64, 5)
    got = expect_untouched_model(q, drive_with(q, fn, run_evaluation_watched, inputs), inputs)
    expect_number(q, got, reference_loss(inputs, loss), inputs, rtol=1e-9, atol=1e-12,
                  what=tr("the mean {loss} loss over the loader", "整个数据加载器上的平均 {loss} 损失", loss=loss))


@question("accuracy_with_loader")
@pytest.mark.parametrize("seed", [0, 1])
def test_accuracy_with_loader_only_reads_the_model(q, fn, seed):
    inputs = {**small_problem("cross_entropy", 11, 3, seed, torch.float64), "batch_size": 4}
    got = expect_untouched_model(q, drive_with(q, fn, run_evaluation_watched, inputs), inputs)
    expect_number(q, got, reference_accuracy(inputs), inputs, rtol=1e-9, atol=1e-9,
                  what=tr("the accuracy over the loader", "整个数据加载器上的准确率"))


@question("train_test_split")
def test_train_test_split_defaults(q, fn):
    # The signature's defaults: train_fraction=0.7, seed=0 (the same split as passing them).
    X, y = indexed_data(10, 2)
    inputs = {"X": X, "y": y}
    got = check_split(q, call(q, fn, **inputs), X, 0.7, inputs)
    explicit = {**inputs, "train_fraction": 0.7, "seed": 0}
    if not torch.equal(got, check_split(q, call(q, fn, **explicit), X, 0.7, explicit)):
        raise CheckFailure(q, tr("train_test_split(X, y) should give the same split as train_test_split(X, y, 0.7, "
                                 "0): keep the defaults train_fraction=0.7, seed=0",
                                 "train_test_split(X, y) 应当与 train_test_split(X, y, 0.7, 0) 给出相同的划分："
                                 "请保留默认值 train_fraction=0.7, seed=0"), inputs)
