"""Hidden tests for assignment 1, "Tensors". Oracle: torch's own functions, in float64."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests,
                                question, student)
from kitcheck.assignments.tensors import ASSIGNMENT
from kitcheck.compare import expect_equal, expect_raises, expect_tensor, expect_tensors, tolerance
from kitcheck.strategies import make_distinct, make_tensor, seeds, shapes

test_public_checks = public_check_tests(ASSIGNMENT)


def _dim(data, shape):
    return data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")


# ---- broadcast_shape -------------------------------------------------------------------------------
@question("broadcast_shape")
@given(a=shapes(0, 4, min_side=0, max_side=3), b=shapes(0, 4, min_side=0, max_side=3))
def test_broadcast_shape_matches_torch(a, b):
    q, fn, inputs = "broadcast_shape", student("broadcast_shape"), {"a": a, "b": b}
    try:
        expected = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        expect_raises(q, fn, "ValueError", inputs, "these shapes cannot be broadcast together")
        return
    expect_equal(q, call(q, fn, **inputs), expected, inputs)


@question("broadcast_shape")
def test_broadcast_shape_is_symmetric_on_long_shapes():
    q, fn = "broadcast_shape", student("broadcast_shape")
    for a, b in [((7, 1, 5, 1), (6, 1, 3)), ((6, 1, 3), (7, 1, 5, 1)), ((1,), (8, 4, 3))]:
        expect_equal(q, call(q, fn, a=a, b=b), tuple(torch.broadcast_shapes(a, b)), {"a": a, "b": b})


# ---- chunk_sizes -----------------------------------------------------------------------------------
@question("chunk_sizes")
@given(n=st.integers(1, 200), chunks=st.integers(1, 30))
def test_chunk_sizes_matches_torch_chunk(n, chunks):
    q = "chunk_sizes"
    expected = [len(c) for c in torch.arange(n).chunk(chunks)]
    expect_equal(q, call(q, student(q), n=n, chunks=chunks), expected, {"n": n, "chunks": chunks})


# ---- pairwise_dist ---------------------------------------------------------------------------------
@question("pairwise_dist")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("p", [1.0, 2.0])
@given(n=st.integers(1, 5), m=st.integers(1, 5), d=st.integers(1, 4), transposed=st.booleans(), seed=seeds)
def test_pairwise_dist_matches_cdist(device, dtype, p, n, m, d, transposed, seed):
    q = "pairwise_dist"
    # A transposed (non-contiguous) x catches code that assumes a memory layout.
    x = make_tensor((d, n), dtype, seed, device).T if transposed else make_tensor((n, d), dtype, seed, device)
    y = make_tensor((m, d), dtype, seed + 1, device)
    inputs = {"x": x, "y": y, "p": p}
    expected = torch.cdist(x.double(), y.double(), p=p)
    expect_tensor(q, call(q, student(q), **inputs), expected, inputs, dtype=dtype, device=x.device,
                  **tolerance(dtype, reduction=True))


@question("pairwise_dist")
@pytest.mark.parametrize("p", [1.0, 2.0])
def test_pairwise_dist_keeps_the_device(p):
    x, y = torch.empty(4, 3, device="meta"), torch.empty(2, 3, device="meta")
    expect_device_agnostic("pairwise_dist", student("pairwise_dist"), lambda x, y, p: torch.cdist(x, y, p=p),
                           x=x, y=y, p=p)


# ---- var_mean --------------------------------------------------------------------------------------
@question("var_mean")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 4, min_side=2, max_side=5), data=st.data(), unbiased=st.booleans(), seed=seeds)
def test_var_mean_matches_torch(device, dtype, shape, data, unbiased, seed):
    q = "var_mean"
    dim = _dim(data, shape)
    x = make_tensor(shape, dtype, seed, device)
    inputs = {"x": x, "dim": dim, "unbiased": unbiased}
    var, mean = torch.var_mean(x.double(), dim=dim, correction=int(unbiased))
    expect_tensors(q, call(q, student(q), **inputs), {"var": var, "mean": mean}, inputs,
                   dtypes={"var": dtype, "mean": dtype}, device=x.device, **tolerance(dtype, reduction=True))


@question("var_mean")
def test_var_mean_keeps_the_device():
    expect_device_agnostic("var_mean", student("var_mean"),
                           lambda x, dim, unbiased: tuple(torch.var_mean(x, dim, correction=int(unbiased))),
                           x=torch.empty(3, 4, device="meta"), dim=1, unbiased=True)


# ---- stable_logsumexp ------------------------------------------------------------------------------
@question("stable_logsumexp")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 4, max_side=5), data=st.data(), offset=st.sampled_from([0.0, 800.0, -800.0]), seed=seeds)
def test_stable_logsumexp_matches_torch(device, dtype, shape, data, offset, seed):
    # Offsets of +-800 overflow exp() in float32 and float64 alike: only a stable formula passes.
    q = "stable_logsumexp"
    dim = _dim(data, shape)
    x = make_tensor(shape, dtype, seed, device) + offset
    inputs = {"x": x, "dim": dim}
    expect_tensor(q, call(q, student(q), **inputs), torch.logsumexp(x.double(), dim), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("stable_logsumexp")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(rows=st.integers(2, 4), cols=st.integers(1, 5), seed=seeds)
def test_stable_logsumexp_rows_far_apart(dtype, rows, cols, seed):
    # Rows 300 apart: one max for the whole tensor makes the lower rows underflow to log(0) = -inf.
    q = "stable_logsumexp"
    x = make_tensor((rows, cols), dtype, seed) - 300.0 * torch.arange(rows, dtype=dtype).unsqueeze(1)
    inputs = {"x": x, "dim": 1}
    expect_tensor(q, call(q, student(q), **inputs), torch.logsumexp(x.double(), 1), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("stable_logsumexp")
def test_stable_logsumexp_keeps_the_device():
    expect_device_agnostic("stable_logsumexp", student("stable_logsumexp"), torch.logsumexp,
                           x=torch.empty(2, 5, device="meta"), dim=-1)


# ---- topk_via_sort ---------------------------------------------------------------------------------
@question("topk_via_sort")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=6), data=st.data(), seed=seeds)
def test_topk_via_sort_matches_topk(device, dtype, shape, data, seed):
    q = "topk_via_sort"
    k = data.draw(st.integers(1, shape[-1]), label="k")
    x = make_distinct(shape, dtype, seed, device)  # distinct values: the indices are unique
    inputs = {"x": x, "k": k}
    values, indices = torch.topk(x, k)
    expect_tensors(q, call(q, student(q), **inputs), {"values": values, "indices": indices}, inputs, device=x.device)


@question("topk_via_sort")
def test_topk_via_sort_keeps_the_device():
    expect_device_agnostic("topk_via_sort", student("topk_via_sort"), lambda x, k: tuple(torch.topk(x, k)),
                           x=torch.empty(3, 6, device="meta"), k=2)


# ---- one_hot ---------------------------------------------------------------------------------------
@question("one_hot")
@pytest.mark.parametrize("device", DEVICES)
@given(shape=shapes(1, 3, max_side=5), num_classes=st.integers(1, 7), seed=seeds)
def test_one_hot_matches_torch(device, shape, num_classes, seed):
    q = "one_hot"
    labels = torch.randint(num_classes, shape, generator=torch.Generator().manual_seed(seed)).to(device)
    inputs = {"labels": labels, "num_classes": num_classes}
    expect_tensor(q, call(q, student(q), **inputs), F.one_hot(labels, num_classes), inputs, dtype=torch.int64,
                  device=labels.device)


@question("one_hot")
def test_one_hot_keeps_the_device():
    expect_device_agnostic("one_hot", student("one_hot"), F.one_hot,
                           labels=torch.empty(5, dtype=torch.long, device="meta"), num_classes=4)
