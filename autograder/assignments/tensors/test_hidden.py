"""Hidden tests for assignment 1, "Tensors". Oracle: torch's own functions, in float64."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import adversarial as adv
from autograder.harness import (DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests,
                                question)
from kitcheck.assignments.tensors import ASSIGNMENT
from kitcheck.compare import expect_equal, expect_raises, expect_tensor, expect_tensors, tolerance
from kitcheck.i18n import tr
from kitcheck.strategies import make_distinct, make_tensor, seeds, shapes

test_public_checks = public_check_tests(ASSIGNMENT)


def _dim(data, shape):
    return data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")


# The adversarial tests below draw few examples each: every example is a hard case, and a submission's
# hidden tests must stay fast.
FEW = settings(max_examples=6)
DTYPE = st.sampled_from(FLOAT_DTYPES)


def _laid_out(x: torch.Tensor, how: str) -> torch.Tensor:
    """``x``'s values in the memory layout ``how``; "expanded" repeats x's first row with stride 0 (so the
    values change: the oracle is computed from what this returns)."""
    if how == "expanded" and x.ndim >= 1 and x.shape[0] > 1:
        return x[:1].expand(x.shape)
    return adv.layout(x, how)


# ---- broadcast_shape -------------------------------------------------------------------------------
@question("broadcast_shape")
@given(a=shapes(0, 4, min_side=0, max_side=3), b=shapes(0, 4, min_side=0, max_side=3))
def test_broadcast_shape_matches_torch(q, fn, a, b):
    inputs = {"a": a, "b": b}
    try:
        expected = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        expect_raises(q, fn, "ValueError", inputs, tr("these shapes cannot be broadcast together",
                                                      "这两个形状无法广播"))
        return
    expect_equal(q, call(q, fn, **inputs), expected, inputs)


@question("broadcast_shape")
def test_broadcast_shape_is_symmetric_on_long_shapes(q, fn):
    for a, b in [((7, 1, 5, 1), (6, 1, 3)), ((6, 1, 3), (7, 1, 5, 1)), ((1,), (8, 4, 3))]:
        expect_equal(q, call(q, fn, a=a, b=b), tuple(torch.broadcast_shapes(a, b)), {"a": a, "b": b})


@question("broadcast_shape")
def test_broadcast_shape_takes_tensor_shapes(q, fn):
    # Shapes usually come from tensors: torch.Size arguments, and the result is a tuple of Python ints.
    for a, b in [((4, 1, 3), (2, 1)), ((), (3,)), ((2, 0), (1, 1))]:
        sa, sb = torch.empty(a).shape, torch.empty(b).shape
        expect_equal(q, call(q, fn, a=sa, b=sb), tuple(torch.broadcast_shapes(a, b)), {"a": sa, "b": sb})
    sa, sb = torch.Size([2, 3]), torch.Size([2])
    expect_raises(q, fn, "ValueError", {"a": sa, "b": sb},
                  tr("3 and 2 cannot be broadcast together", "3 和 2 无法广播"))


# ---- chunk_sizes -----------------------------------------------------------------------------------
@question("chunk_sizes")
@given(n=st.integers(1, 200), chunks=st.integers(1, 30))
def test_chunk_sizes_matches_torch_chunk(q, fn, n, chunks):
    expected = [len(c) for c in torch.arange(n).chunk(chunks)]
    expect_equal(q, call(q, fn, n=n, chunks=chunks), expected, {"n": n, "chunks": chunks})


# ---- pairwise_dist ---------------------------------------------------------------------------------
@question("pairwise_dist")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("p", [1.0, 2.0])
@given(n=st.integers(1, 5), m=st.integers(1, 5), d=st.integers(1, 4), transposed=st.booleans(), seed=seeds)
def test_pairwise_dist_matches_cdist(q, fn, device, dtype, p, n, m, d, transposed, seed):
    # A transposed (non-contiguous) x catches code that assumes a memory layout.
    x = make_tensor((d, n), dtype, seed, device).T if transposed else make_tensor((n, d), dtype, seed, device)
    y = make_tensor((m, d), dtype, seed + 1, device)
    inputs = {"x": x, "y": y, "p": p}
    expected = torch.cdist(x.double(), y.double(), p=p)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=x.device,
                  **tolerance(dtype, reduction=True))


@question("pairwise_dist")
def test_pairwise_dist_default_p_is_2(q, fn):
    x, y = make_tensor((3, 2), torch.float64, 5), make_tensor((2, 2), torch.float64, 6)
    expect_tensor(q, call(q, fn, x=x, y=y), torch.cdist(x, y), {"x": x, "y": y}, dtype=x.dtype,
                  device=x.device,
                  what=tr("the result without p (p = 2.0 by default)", "不传 p 时（p 默认为 2.0），结果"))


@question("pairwise_dist")
@pytest.mark.parametrize("p", [1.0, 2.0])
def test_pairwise_dist_keeps_the_device(q, fn, p):
    x, y = torch.empty(4, 3, device="meta"), torch.empty(2, 3, device="meta")
    expect_device_agnostic(q, fn, lambda x, y, p: torch.cdist(x, y, p=p),
                           x=x, y=y, p=p)


@question("pairwise_dist")
@FEW
@given(dtype=DTYPE, n=st.integers(2, 4), m=st.integers(1, 3), d=st.integers(2, 6), seed=seeds)
def test_pairwise_dist_nearly_identical_rows(q, fn, dtype, n, m, d, seed):
    # Rows 1e-4 (float32) or 1e-8 (float64) apart, relative: |x|^2 + |y|^2 - 2 x.y cancels to a small
    # negative number and its square root is nan. Clamped at 0, the Gram expansion is fine: the tolerance
    # allows its rounding error, sqrt(eps * |x|^2), so only nan or a wrong value fails.
    eps = 1e-4 if dtype == torch.float32 else 1e-8
    x = adv.near_duplicates(n, d, dtype, seed, eps=eps)
    y = torch.cat([x, adv.near_duplicates(m, d, dtype, seed + 1, eps=eps)])  # x's rows again: distances of 0
    inputs = {"x": x, "y": y, "p": 2.0}
    size = float((x.double() ** 2).sum(1).max() + (y.double() ** 2).sum(1).max())
    atol = (16 * torch.finfo(dtype).eps * size) ** 0.5
    expect_tensor(q, call(q, fn, **inputs), torch.cdist(x.double(), y.double()), inputs, dtype=dtype,
                  device=x.device, rtol=tolerance(dtype, reduction=True)["rtol"], atol=atol)


@question("pairwise_dist")
@FEW
@given(dtype=DTYPE, n=st.integers(2, 4), m=st.integers(2, 4), d=st.integers(1, 3), p=st.sampled_from([1.0, 2.0]),
       how_x=adv.layouts(), how_y=adv.layouts(), seed=seeds)
def test_pairwise_dist_any_layout(q, fn, dtype, n, m, d, p, how_x, how_y, seed):
    # Transposed, sliced and expanded (stride-0) views: code must not assume contiguous memory.
    x = _laid_out(make_tensor((n, d), dtype, seed), how_x)
    y = _laid_out(make_tensor((m, d), dtype, seed + 1), how_y)
    inputs = {"x": x, "y": y, "p": p}
    expect_tensor(q, call(q, fn, **inputs), torch.cdist(x.double(), y.double(), p=p), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


# ---- var_mean --------------------------------------------------------------------------------------
@question("var_mean")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 4, min_side=2, max_side=5), data=st.data(), unbiased=st.booleans(), seed=seeds)
def test_var_mean_matches_torch(q, fn, device, dtype, shape, data, unbiased, seed):
    dim = _dim(data, shape)
    x = make_tensor(shape, dtype, seed, device)
    inputs = {"x": x, "dim": dim, "unbiased": unbiased}
    var, mean = torch.var_mean(x.double(), dim=dim, correction=int(unbiased))
    expect_tensors(q, call(q, fn, **inputs), {"var": var, "mean": mean}, inputs,
                   dtypes={"var": dtype, "mean": dtype}, device=x.device, **tolerance(dtype, reduction=True))


@question("var_mean")
def test_var_mean_default_is_unbiased(q, fn):
    x = make_tensor((3, 4), torch.float64, 7)
    var, mean = torch.var_mean(x, dim=1)
    expect_tensors(q, call(q, fn, x=x, dim=1), {"var": var, "mean": mean}, {"x": x, "dim": 1},
                   device=x.device)


@question("var_mean")
def test_var_mean_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda x, dim, unbiased: tuple(torch.var_mean(x, dim, correction=int(unbiased))),
                           x=torch.empty(3, 4, device="meta"), dim=1, unbiased=True)


def _exact_var(x: torch.Tensor, dim: int, correction: int) -> torch.Tensor:
    # The variance does not change when every value is shifted: subtracting the first slice (exactly, for
    # values this close) leaves small numbers, whose float64 variance is accurate. torch.var_mean itself loses
    # about 1e-9 of the variance under an offset of 1e6.
    x = x.double()
    return torch.var(x - x.narrow(dim, 0, 1), dim=dim, correction=correction)


@question("var_mean")
@FEW
@given(dtype=DTYPE, shape=shapes(1, 3, min_side=2, max_side=5), data=st.data(), unbiased=st.booleans(), seed=seeds)
def test_var_mean_large_offset(q, fn, dtype, shape, data, unbiased, seed):
    # Values 1e3 (float32) or 1e6 (float64) +- 1: the one-pass formula E[x^2] - E[x]^2 subtracts two huge,
    # nearly equal numbers and loses most digits of a variance of about 0.3. Subtracting the mean first is exact.
    dim = _dim(data, shape)
    x = adv.offset(tuple(shape), dtype, seed, base=1e3 if dtype == torch.float32 else 1e6)
    inputs = {"x": x, "dim": dim, "unbiased": unbiased}
    expected = {"var": _exact_var(x, dim, int(unbiased)), "mean": x.double().mean(dim)}
    expect_tensors(q, call(q, fn, **inputs), expected, inputs, dtypes={"var": dtype, "mean": dtype},
                   device=x.device, **tolerance(dtype, reduction=True))


@question("var_mean")
@FEW
@given(dtype=DTYPE, shape=shapes(2, 3, min_side=2, max_side=4), data=st.data(), how=adv.layouts(),
       unbiased=st.booleans(), seed=seeds)
def test_var_mean_any_layout(q, fn, dtype, shape, data, how, unbiased, seed):
    dim = _dim(data, shape)
    x = _laid_out(make_tensor(shape, dtype, seed), how)
    inputs = {"x": x, "dim": dim, "unbiased": unbiased}
    var, mean = torch.var_mean(x.double(), dim=dim, correction=int(unbiased))
    expect_tensors(q, call(q, fn, **inputs), {"var": var, "mean": mean}, inputs,
                   dtypes={"var": dtype, "mean": dtype}, device=x.device, **tolerance(dtype, reduction=True))


# ---- stable_logsumexp ------------------------------------------------------------------------------
@question("stable_logsumexp")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 4, max_side=5), data=st.data(), offset=st.sampled_from([0.0, 800.0, -800.0]), seed=seeds)
def test_stable_logsumexp_matches_torch(q, fn, device, dtype, shape, data, offset, seed):
    # Offsets of +-800 overflow exp() in float32 and float64 alike: only a stable formula passes.
    dim = _dim(data, shape)
    x = make_tensor(shape, dtype, seed, device) + offset
    inputs = {"x": x, "dim": dim}
    expect_tensor(q, call(q, fn, **inputs), torch.logsumexp(x.double(), dim), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("stable_logsumexp")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(rows=st.integers(2, 4), cols=st.integers(1, 5), seed=seeds)
def test_stable_logsumexp_rows_far_apart(q, fn, dtype, rows, cols, seed):
    # Rows 300 apart: one max for the whole tensor makes the lower rows underflow to log(0) = -inf.
    x = make_tensor((rows, cols), dtype, seed) - 300.0 * torch.arange(rows, dtype=dtype).unsqueeze(1)
    inputs = {"x": x, "dim": 1}
    expect_tensor(q, call(q, fn, **inputs), torch.logsumexp(x.double(), 1), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("stable_logsumexp")
def test_stable_logsumexp_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, torch.logsumexp,
                           x=torch.empty(2, 5, device="meta"), dim=-1)


@question("stable_logsumexp")
@FEW
@given(dtype=DTYPE, shape=shapes(1, 3, min_side=2, max_side=5), data=st.data(),
       spread=st.sampled_from(["moderate", "wide"]), seed=seeds)
def test_stable_logsumexp_wide_spread(q, fn, dtype, shape, data, spread, seed):
    # Values spread over hundreds within one slice: only subtracting the max keeps every exp() <= 1. A
    # "moderate" spread (+-60 in float32, +-450 in float64) overflows exp(x - min) but not exp(x - mean); a
    # "wide" one (+-900) overflows both.
    dim = _dim(data, shape)
    scale = 300 if spread == "wide" else (20 if dtype == torch.float32 else 150)
    x = make_tensor(shape, dtype, seed) * scale
    inputs = {"x": x, "dim": dim}
    expect_tensor(q, call(q, fn, **inputs), torch.logsumexp(x.double(), dim), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("stable_logsumexp")
@FEW
@given(dtype=DTYPE, rows=st.integers(1, 4), cols=st.integers(2, 5), nan=st.booleans(), seed=seeds)
def test_stable_logsumexp_masked_entries(q, fn, dtype, rows, cols, nan, seed):
    # -inf entries (masked logits) count as exp(-inf) = 0; every row keeps one finite value (column 0), so
    # its result is finite. A nan propagates to its row's result, as in torch.logsumexp.
    g = torch.Generator().manual_seed(seed)
    x = make_tensor((rows, cols), dtype, seed)
    masked = torch.rand(rows, cols, generator=g) < 0.5
    masked[:, 0] = False
    x = x.masked_fill(masked, float("-inf"))
    if nan:
        x = adv.with_specials(x, seed, kinds=("nan",))
    inputs = {"x": x, "dim": 1}
    expect_tensor(q, call(q, fn, **inputs), torch.logsumexp(x.double(), 1), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


@question("stable_logsumexp")
@FEW
@given(dtype=DTYPE, shape=shapes(2, 3, min_side=2, max_side=4), data=st.data(), how=adv.layouts(), seed=seeds)
def test_stable_logsumexp_any_layout(q, fn, dtype, shape, data, how, seed):
    dim = _dim(data, shape)
    x = _laid_out(make_tensor(shape, dtype, seed) + 500, how)
    inputs = {"x": x, "dim": dim}
    expect_tensor(q, call(q, fn, **inputs), torch.logsumexp(x.double(), dim), inputs, dtype=dtype,
                  device=x.device, **tolerance(dtype, reduction=True))


# ---- topk_via_sort ---------------------------------------------------------------------------------
@question("topk_via_sort")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(shape=shapes(1, 3, max_side=6), data=st.data(), seed=seeds)
def test_topk_via_sort_matches_topk(q, fn, device, dtype, shape, data, seed):
    k = data.draw(st.integers(1, shape[-1]), label="k")
    x = make_distinct(shape, dtype, seed, device)  # distinct values: the indices are unique
    inputs = {"x": x, "k": k}
    values, indices = torch.topk(x, k)
    expect_tensors(q, call(q, fn, **inputs), {"values": values, "indices": indices}, inputs, device=x.device)


@question("topk_via_sort")
def test_topk_via_sort_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, lambda x, k: tuple(torch.topk(x, k)),
                           x=torch.empty(3, 6, device="meta"), k=2)


@question("topk_via_sort")
@FEW
@given(dtype=st.sampled_from([torch.float32, torch.float64, torch.int32, torch.int64]),
       shape=shapes(2, 3, min_side=2, max_side=5), data=st.data(), how=adv.layouts(), infinities=st.booleans(),
       seed=seeds)
def test_topk_via_sort_any_dtype_and_layout(q, fn, dtype, shape, data, how, infinities, seed):
    # torch.topk takes integer tensors too; and views that are not contiguous. Values are distinct along
    # the last dim (so the indices are unique); float rows may hold inf and -inf.
    k = data.draw(st.integers(1, shape[-1]), label="k")
    x = (make_distinct(shape, torch.float64, seed) * 2 + shape[-1] / 2).round() - 2  # distinct integers
    if dtype.is_floating_point and infinities:
        last = x.reshape(-1, shape[-1])
        last[:, 0], last[:, -1] = float("inf"), float("-inf")
        x = last.reshape(shape)
    x = _laid_out(x.to(dtype), how)
    inputs = {"x": x, "k": k}
    values, indices = torch.topk(x, k)
    expect_tensors(q, call(q, fn, **inputs), {"values": values, "indices": indices}, inputs, device=x.device)


# ---- one_hot ---------------------------------------------------------------------------------------
@question("one_hot")
@pytest.mark.parametrize("device", DEVICES)
@given(shape=shapes(1, 3, max_side=5), num_classes=st.integers(1, 7), seed=seeds)
def test_one_hot_matches_torch(q, fn, device, shape, num_classes, seed):
    labels = torch.randint(num_classes, shape, generator=torch.Generator().manual_seed(seed)).to(device)
    inputs = {"labels": labels, "num_classes": num_classes}
    expect_tensor(q, call(q, fn, **inputs), F.one_hot(labels, num_classes), inputs, dtype=torch.int64,
                  device=labels.device)


@question("one_hot")
def test_one_hot_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, F.one_hot,
                           labels=torch.empty(5, dtype=torch.long, device="meta"), num_classes=4)


@question("one_hot")
@FEW
@given(how=adv.layouts(), shape=shapes(2, 3, min_side=2, max_side=4), num_classes=st.integers(1, 5), seed=seeds)
@example(how="transposed", shape=(3, 2), num_classes=3, seed=0)
@example(how="contiguous", shape=(0,), num_classes=3, seed=0)
@example(how="contiguous", shape=(), num_classes=3, seed=0)
def test_one_hot_any_layout(q, fn, how, shape, num_classes, seed):
    # int64 labels as transposed, sliced and expanded views (view(-1) fails on them; reshape works), a
    # single 0-d label and an empty batch.
    labels = _laid_out(torch.randint(num_classes, shape, generator=torch.Generator().manual_seed(seed)), how)
    inputs = {"labels": labels, "num_classes": num_classes}
    expect_tensor(q, call(q, fn, **inputs), F.one_hot(labels, num_classes), inputs, dtype=torch.int64,
                  device=labels.device)
