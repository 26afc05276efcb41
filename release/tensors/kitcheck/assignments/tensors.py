"""Assignment 1, "Tensors": questions, points and public checks (students see this file)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from ..compare import call, expect_device_agnostic, expect_equal, expect_raises, expect_tensor, expect_tensors, tolerance
from ..i18n import tr
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_distinct, make_tensor, seeds, shapes


def broadcast_shape_public(fn):
    q = "broadcast_shape"
    for a, b in [((3, 1), (1, 4)), ((2, 3), (3,)), ((5, 1, 4), (3, 1)), ((), (2,))]:
        expect_equal(q, call(q, fn, a=a, b=b), tuple(torch.broadcast_shapes(a, b)), {"a": a, "b": b})
    expect_raises(q, fn, "ValueError", {"a": (2, 3), "b": (4,)},
                  tr("3 and 4 cannot be broadcast together", "3 和 4 无法广播"))
    # Size-1 dimensions stretch, size-0 ones do not disappear: 0 and 1 give 0, and 0 with 3 cannot broadcast.
    for a, b in [((0,), (1,)), ((1, 3), (0, 1)), ((2, 0), (1,)), ((), ())]:
        expect_equal(q, call(q, fn, a=a, b=b), tuple(torch.broadcast_shapes(a, b)), {"a": a, "b": b})
    expect_raises(q, fn, "ValueError", {"a": (0,), "b": (3,)},
                  tr("0 and 3 cannot be broadcast together", "0 和 3 无法广播"))


def chunk_sizes_public(fn):
    q = "chunk_sizes"

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 12), chunks=st.integers(1, 6))
    def run(n, chunks):
        expected = [len(c) for c in torch.arange(n).chunk(chunks)]
        expect_equal(q, call(q, fn, n=n, chunks=chunks), expected, {"n": n, "chunks": chunks})

    run()


def pairwise_dist_public(fn):
    q = "pairwise_dist"

    def one(x, y, p):
        expect_tensor(q, call(q, fn, x=x, y=y, p=p), torch.cdist(x.double(), y.double(), p=p), {"x": x, "y": y, "p": p},
                      dtype=x.dtype, device=x.device, **tolerance(x.dtype, reduction=True))

    # float32 in, float32 out; and a transposed (non-contiguous) x.
    one(make_tensor((2, 3), torch.float32, 1), make_tensor((4, 3), torch.float32, 2), 2.0)
    one(make_tensor((3, 2), torch.float64, 3).T, make_tensor((1, 3), torch.float64, 4), 1.0)

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 3), m=st.integers(1, 3), d=st.integers(1, 3), p=st.sampled_from([1.0, 2.0]),
           dtype=st.sampled_from(FLOAT_DTYPES), transposed=st.booleans(), seed=seeds)
    def run(n, m, d, p, dtype, transposed, seed):
        x = make_tensor((d, n), dtype, seed).T if transposed else make_tensor((n, d), dtype, seed)
        one(x, make_tensor((m, d), dtype, seed + 1), p)

    run()


def var_mean_public(fn):
    q = "var_mean"

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, min_side=2, max_side=4), data=st.data(), unbiased=st.booleans(),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, data, unbiased, dtype, seed):
        dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
        x = make_tensor(shape, dtype, seed)
        inputs = {"x": x, "dim": dim, "unbiased": unbiased}
        got = call(q, fn, **inputs)
        var, mean = torch.var_mean(x.double(), dim=dim, correction=int(unbiased))
        expect_tensors(q, got, {"var": var, "mean": mean}, inputs, dtypes={"var": dtype, "mean": dtype},
                       device=x.device, **tolerance(dtype, reduction=True))

    run()


def stable_logsumexp_public(fn):
    q = "stable_logsumexp"
    big = torch.tensor([1010.0, 1000.0, 990.0])
    expect_tensor(q, call(q, fn, x=big, dim=0), torch.logsumexp(big.double(), 0), {"x": big, "dim": 0},
                  dtype=big.dtype, device=big.device,
                  what=tr("the result for large values", "输入值很大时，结果"))

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, data, dtype, seed):
        dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
        x = make_tensor(shape, dtype, seed)
        expect_tensor(q, call(q, fn, x=x, dim=dim), torch.logsumexp(x.double(), dim), {"x": x, "dim": dim},
                      dtype=x.dtype, device=x.device, **tolerance(dtype, reduction=True))

    run()


def topk_via_sort_public(fn):
    q = "topk_via_sort"

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=5), data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, data, dtype, seed):
        k = data.draw(st.integers(1, shape[-1]), label="k")
        x = make_distinct(shape, dtype, seed)
        inputs = {"x": x, "k": k}
        got = call(q, fn, **inputs)
        values, indices = torch.topk(x, k)
        expect_tensors(q, got, {"values": values, "indices": indices}, inputs, device=x.device)

    run()


def one_hot_public(fn):
    q = "one_hot"

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 2, max_side=4), num_classes=st.integers(1, 5), seed=seeds)
    def run(shape, num_classes, seed):
        labels = torch.randint(num_classes, shape, generator=torch.Generator().manual_seed(seed))
        inputs = {"labels": labels, "num_classes": num_classes}
        expect_tensor(q, call(q, fn, **inputs), F.one_hot(labels, num_classes), inputs,
                      dtype=torch.int64, device=labels.device)

    run()
    # This exercise is about devices: check it here too, on PyTorch's shape-only "meta" device.
    expect_device_agnostic(q, fn, F.one_hot, labels=torch.empty(3, dtype=torch.long, device="meta"), num_classes=4)


ASSIGNMENT = Assignment(
    name="tensors",
    number=1,
    title="Assignment 1: Tensors",
    title_zh="作业 1：张量",
    questions=(
        Question("broadcast_shape", 3, "the shape two shapes broadcast to (ValueError if they can't)",
                 broadcast_shape_public,
                 summary_zh="两个形状广播后的形状（无法广播时抛出 ValueError）",
                 forbidden=("torch.broadcast_shapes",)),
        Question("chunk_sizes", 2, "the sizes torch.chunk gives", chunk_sizes_public,
                 summary_zh="torch.chunk 分出的各块大小",
                 forbidden=("torch.chunk", "Tensor.chunk", "torch.split", "Tensor.split", "torch.tensor_split", "Tensor.tensor_split")),
        Question("pairwise_dist", 3, "p-norm distances between the rows of x and y", pairwise_dist_public,
                 summary_zh="x 与 y 各行之间的 p 范数距离",
                 forbidden=("torch.cdist",)),
        Question("var_mean", 3, "variance (unbiased or not) and mean along a dim", var_mean_public,
                 summary_zh="沿某一维度的方差（无偏或有偏）和均值",
                 forbidden=("torch.var", "Tensor.var", "torch.std", "Tensor.std", "torch.var_mean", "torch.std_mean")),
        Question("stable_logsumexp", 3, "log-sum-exp that does not overflow", stable_logsumexp_public,
                 summary_zh="不会溢出的 log-sum-exp",
                 forbidden=("torch.logsumexp", "Tensor.logsumexp")),
        Question("topk_via_sort", 3, "the k largest values and their indices, using sort", topk_via_sort_public,
                 summary_zh="用排序求最大的 k 个值及其索引",
                 forbidden=("torch.topk", "Tensor.topk")),
        Question("one_hot", 3, "one-hot encoding on the labels' device", one_hot_public,
                 summary_zh="独热编码，结果与标签在同一设备上",
                 forbidden=("torch.nn.functional.one_hot",)),
    ),
)
