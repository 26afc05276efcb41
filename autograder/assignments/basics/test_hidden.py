"""Hidden tests for assignment 0, "Creating, indexing and reshaping tensors".

Oracle: torch's own function where the exercise re-implements one (index_select, gather, index_add_, stack,
split), otherwise ``references.py``. Every question gets inputs of every dtype it takes (integers and bool
included) in several memory layouts (contiguous, transposed, sliced, expanded: ``autograder.adversarial``);
direct calls are checked by the transport for inputs changed in place, and the two memory questions go through
drivers whose reports say whether the result shares memory with the input.
"""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.adversarial import layout, with_specials
from autograder.assignments.basics.references import tridiagonal_reference, values_in_range_reference
from autograder.harness import DEVICES, call, public_check_tests, question, student
from kitcheck.assignments.basics import (ALL_DTYPES, ASSIGNMENT, NUMBER_DTYPES, copy_driver,
                                         expect_device_agnostic_where_possible, expect_independent_copy,
                                         expect_pieces, expect_split_views, marker_like, split_views_driver, values_of)
from kitcheck.compare import drive, expect_raises, expect_tensor, tolerance
from kitcheck.i18n import tr
from kitcheck.strategies import seeds, shapes

test_public_checks = public_check_tests(ASSIGNMENT)

LAYOUTS = ("contiguous", "transposed", "sliced", "expanded")
# dtypes and layouts are drawn by hypothesis (one test each, not one per dtype: every hypothesis test costs a
# fixed ~0.1 s), and the detached_copy test also visits every dtype x layout once.
MANY = settings(max_examples=30)
FEW = settings(max_examples=10)


def arranged(shape, dtype, seed, how, device="cpu"):
    """Values of ``shape`` in the layout ``how``; "expanded" repeats one slice along dim 0 (stride 0)."""
    if how == "expanded" and len(shape) >= 1:
        return values_of((1, *shape[1:]), dtype, seed, device).expand(*shape)
    return layout(values_of(shape, dtype, seed, device), how)


def _dim(data, ndim, extra=0):
    return data.draw(st.integers(-ndim - extra, ndim - 1 + extra), label="dim")


# ---- tridiagonal -----------------------------------------------------------------------------------
@question("tridiagonal")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(NUMBER_DTYPES), how=st.sampled_from(["contiguous", "sliced", "expanded"]),
       n=st.integers(1, 6), off=st.integers(-4, 4), seed=seeds)
def test_tridiagonal_matches_reference(q, fn, device, dtype, how, n, off, seed):
    d = arranged((n,), dtype, seed, how, device)
    off = off / 2 if dtype.is_floating_point else off
    inputs = {"d": d, "off": off}
    expect_tensor(q, call(q, fn, **inputs), tridiagonal_reference(d, off), inputs, dtype=dtype,
                  device=d.device)


@question("tridiagonal")
@FEW
@given(dtype=st.sampled_from([torch.float32, torch.float64]), n=st.integers(2, 5), seed=seeds)
def test_tridiagonal_inf_and_nan_stay_on_the_diagonal(q, fn, dtype, n, seed):
    # An inf or nan on the diagonal must not spread: d * eye gives 0 * inf = nan beside it.
    d = with_specials(values_of((n,), dtype, seed), seed, ("inf", "nan") if n > 2 else ("inf",))
    inputs = {"d": d, "off": 1.5}
    expect_tensor(q, call(q, fn, **inputs), tridiagonal_reference(d, 1.5), inputs, dtype=dtype,
                  device=d.device, what=tr("the result for a d holding inf or nan", "d 含 inf 或 nan 时，结果"))


@question("tridiagonal")
def test_tridiagonal_keeps_the_device(fn):
    for dtype in (torch.int64, torch.float64):
        expect_device_agnostic_where_possible(
            "tridiagonal", fn,
            lambda d, off: torch.empty(len(d), len(d), dtype=d.dtype, device=d.device),
            d=torch.empty(5, dtype=dtype, device="meta"), off=1)


# ---- select_along ----------------------------------------------------------------------------------
@question("select_along")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(ALL_DTYPES), shape=shapes(1, 4, max_side=4), data=st.data(), count=st.integers(0, 6),
       how=st.sampled_from(LAYOUTS), sliced_index=st.booleans(), seed=seeds)
def test_select_along_matches_index_select(q, fn, device, dtype, shape, data, count, how, sliced_index, seed):
    dim = _dim(data, len(shape))
    x = arranged(shape, dtype, seed, how, device)
    index = torch.randint(shape[dim], (count,), generator=torch.Generator().manual_seed(seed + 1)).to(device)
    if sliced_index:
        index = layout(index, "sliced")
    inputs = {"x": x, "dim": dim, "index": index}
    expect_tensor(q, call(q, fn, **inputs), torch.index_select(x, dim, index), inputs, dtype=dtype,
                  device=x.device)


@question("select_along")
def test_select_along_keeps_the_device(fn):
    expect_device_agnostic_where_possible(
        "select_along", fn, torch.index_select,
        x=torch.empty(3, 4, 2, device="meta"), dim=-2, index=torch.empty(5, dtype=torch.int64, device="meta"))


# ---- values_in_range -------------------------------------------------------------------------------
@question("values_in_range")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(NUMBER_DTYPES), shape=shapes(1, 3, max_side=5), how=st.sampled_from(LAYOUTS),
       low=st.integers(-6, 3),
       width=st.integers(0, 8), specials=st.booleans(), seed=seeds)
def test_values_in_range_matches_reference(q, fn, device, dtype, shape, how, low, width, specials, seed):
    x = arranged(shape, dtype, seed, how, device)
    if specials and dtype.is_floating_point and x.numel() >= 3:
        x = with_specials(x.contiguous(), seed)  # inf, -inf and nan: never in a finite range
    low, high = (low / 2, (low + width) / 2) if dtype.is_floating_point else (low, low + width)
    inputs = {"x": x, "low": low, "high": high}
    expect_tensor(q, call(q, fn, **inputs), values_in_range_reference(x, low, high), inputs,
                  dtype=dtype, device=x.device)


@question("values_in_range")
def test_values_in_range_with_infinite_bounds(q, fn):
    x = torch.tensor([[float("-inf"), -1.0, float("nan")], [0.0, float("inf"), 2.5]], dtype=torch.float64)
    dtype = x.dtype
    for low, high in [(float("-inf"), 1.0), (0.0, float("inf")), (float("-inf"), float("inf"))]:
        inputs = {"x": x, "low": low, "high": high}
        expect_tensor(q, call(q, fn, **inputs), values_in_range_reference(x, low, high), inputs,
                      dtype=dtype, device=x.device)


# ---- gather_rows -----------------------------------------------------------------------------------
@question("gather_rows")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(ALL_DTYPES), n=st.integers(1, 5), m=st.integers(1, 5), k=st.integers(1, 5), how=st.sampled_from(LAYOUTS),
       index_how=st.sampled_from(["contiguous", "transposed", "sliced"]), specials=st.booleans(), seed=seeds)
def test_gather_rows_matches_gather(q, fn, device, dtype, n, m, k, how, index_how, specials, seed):
    x = arranged((n, m), dtype, seed, how, device)
    if specials and dtype.is_floating_point and x.numel() >= 3:
        x = with_specials(x.contiguous(), seed)  # gather copies values: an inf elsewhere in a row stays there
    index = layout(torch.randint(m, (n, k), generator=torch.Generator().manual_seed(seed + 1)).to(device),
                   index_how)
    inputs = {"x": x, "index": index}
    expect_tensor(q, call(q, fn, **inputs), torch.gather(x, 1, index), inputs, dtype=dtype,
                  device=x.device)


@question("gather_rows")
def test_gather_rows_keeps_the_device(fn):
    expect_device_agnostic_where_possible(
        "gather_rows", fn, lambda x, index: torch.gather(x, 1, index),
        x=torch.empty(4, 3, device="meta"), index=torch.empty(4, 2, dtype=torch.int64, device="meta"))


# ---- sum_by_group ----------------------------------------------------------------------------------
def _group_sums(values, group, num_groups):
    zeros = torch.zeros(num_groups, *values.shape[1:], dtype=torch.float64 if values.is_floating_point()
                        else values.dtype, device=values.device)
    return zeros.index_add_(0, group, values.to(zeros.dtype))


@question("sum_by_group")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(NUMBER_DTYPES), m=st.integers(1, 8), rest=shapes(0, 2, max_side=3), num_groups=st.integers(1, 5),
       how=st.sampled_from(LAYOUTS), sliced_group=st.booleans(), seed=seeds)
def test_sum_by_group_matches_index_add(q, fn, device, dtype, m, rest, num_groups, how, sliced_group, seed):
    values = arranged((m, *rest), dtype, seed, how, device)
    group = torch.randint(num_groups, (m,), generator=torch.Generator().manual_seed(seed + 1)).to(device)
    if sliced_group:
        group = layout(group, "sliced")
    inputs = {"values": values, "group": group, "num_groups": num_groups}
    expect_tensor(q, call(q, fn, **inputs), _group_sums(values, group, num_groups), inputs, dtype=dtype,
                  device=values.device, **tolerance(dtype, reduction=True))


@question("sum_by_group")
@FEW
@given(dtype=st.sampled_from([torch.float32, torch.float64]), m=st.integers(3, 8), num_groups=st.integers(2, 4),
       seed=seeds)
def test_sum_by_group_keeps_inf_and_nan_in_their_group(q, fn, dtype, m, num_groups, seed):
    # 0 * inf = nan: a one-hot product would spread an inf or nan to every group.
    values = with_specials(values_of((m, 2), dtype, seed), seed, ("inf", "nan"))
    group = torch.randint(num_groups, (m,), generator=torch.Generator().manual_seed(seed + 1))
    inputs = {"values": values, "group": group, "num_groups": num_groups}
    expect_tensor(q, call(q, fn, **inputs), _group_sums(values, group, num_groups), inputs, dtype=dtype,
                  device=values.device,
                  what=tr("the sums when some values are inf or nan", "部分值为 inf 或 nan 时，各组的和"),
                  **tolerance(dtype, reduction=True))


@question("sum_by_group")
def test_sum_by_group_one_busy_group_and_empty_ones(q, fn):
    values = torch.arange(1, 7, dtype=torch.int32).reshape(3, 2)
    inputs = {"values": values, "group": torch.tensor([1, 1, 1]), "num_groups": 4}
    expect_tensor(q, call(q, fn, **inputs), torch.tensor([[0, 0], [9, 12], [0, 0], [0, 0]], dtype=torch.int32),
                  inputs, dtype=torch.int32, device="cpu")


@question("sum_by_group")
def test_sum_by_group_keeps_the_device(q, fn):
    for dtype in (torch.int32, torch.float64):
        _sum_by_group_on_meta(q, fn, dtype)


def _sum_by_group_on_meta(q, fn, dtype):
    expect_device_agnostic_where_possible(
        q, fn,
        lambda v, g, n: torch.empty(n, *v.shape[1:], dtype=v.dtype, device=v.device),
        values=torch.empty(6, 3, dtype=dtype, device="meta"), group=torch.empty(6, dtype=torch.int64, device="meta"),
        num_groups=4)


# ---- detached_copy ---------------------------------------------------------------------------------
@question("detached_copy")
@pytest.mark.parametrize("device", DEVICES)
def test_detached_copy_every_dtype_and_layout(device):
    # Every dtype in every layout, once each (a float x requiring grad in every layout too).
    for dtype in ALL_DTYPES:
        for how in LAYOUTS:
            for requires_grad in (False, True) if dtype.is_floating_point else (False,):
                _copy_check(arranged((3, 2), dtype, 7, how, device), requires_grad)


@question("detached_copy")
@pytest.mark.parametrize("device", DEVICES)
@FEW
@given(dtype=st.sampled_from(ALL_DTYPES), how=st.sampled_from(LAYOUTS), shape=shapes(1, 3, max_side=4),
       requires_grad=st.booleans(), seed=seeds)
def test_detached_copy_owns_its_memory(device, dtype, how, shape, requires_grad, seed):
    _copy_check(arranged(shape, dtype, seed, how, device), requires_grad and dtype.is_floating_point)


def _copy_check(x, requires_grad):
    q = "detached_copy"
    marker, marker2 = marker_like(x, 101), marker_like(x, 202)
    inputs = {"x": x, "requires_grad": requires_grad}
    got = drive(q, student(q), copy_driver, inputs, x, requires_grad, marker, marker2)
    expect_independent_copy(q, got, x, requires_grad, marker, inputs)


@question("detached_copy")
def test_detached_copy_keeps_the_device(q, fn):
    for dtype in (torch.float32, torch.int64, torch.bool):
        expect_device_agnostic_where_possible(q, fn, torch.empty_like,
                                              x=torch.empty(3, 2, dtype=dtype, device="meta"))


# ---- stack_via_cat ---------------------------------------------------------------------------------
@question("stack_via_cat")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(ALL_DTYPES), shape=shapes(0, 3, max_side=3), count=st.integers(1, 4), data=st.data(),
       seed=seeds)
def test_stack_via_cat_matches_stack(q, fn, device, dtype, shape, count, data, seed):
    dim = _dim(data, len(shape), extra=1)
    hows = data.draw(st.lists(st.sampled_from(LAYOUTS), min_size=count, max_size=count), label="layouts")
    tensors = [arranged(shape, dtype, seed + i, how, device) for i, how in enumerate(hows)]
    inputs = {"tensors": tensors, "dim": dim}
    expect_tensor(q, call(q, fn, **inputs), torch.stack(tensors, dim), inputs, dtype=dtype,
                  device=tensors[0].device)


@question("stack_via_cat")
def test_stack_via_cat_keeps_the_device(fn):
    expect_device_agnostic_where_possible(
        "stack_via_cat", fn, torch.stack,
        tensors=[torch.empty(2, 3, device="meta"), torch.empty(2, 3, device="meta")], dim=-2)


# ---- split_by_sizes --------------------------------------------------------------------------------
def _sizes(data, length):
    """A random list of non-negative sizes adding up to ``length`` (zeros included)."""
    cuts = sorted(data.draw(st.lists(st.integers(0, length), min_size=0, max_size=3), label="cuts"))
    bounds = [0, *cuts, length]
    return [b - a for a, b in zip(bounds, bounds[1:])]


@question("split_by_sizes")
@pytest.mark.parametrize("device", DEVICES)
@MANY
@given(dtype=st.sampled_from(ALL_DTYPES), shape=shapes(1, 3, max_side=5), data=st.data(),
       how=st.sampled_from(["contiguous", "transposed", "sliced"]), seed=seeds)
def test_split_by_sizes_returns_views(q, fn, device, dtype, shape, data, how, seed):
    dim = _dim(data, len(shape))
    sizes = _sizes(data, shape[dim])
    x = arranged(shape, dtype, seed, how, device)
    inputs = {"x": x, "sizes": sizes, "dim": dim}
    markers = [m.contiguous() for m in torch.split(marker_like(x), sizes, dim)]
    got = drive(q, fn, split_views_driver, inputs, x, sizes, dim, markers)
    expect_split_views(q, got, x, torch.split(x, sizes, dim), markers, inputs)


@question("split_by_sizes")
@FEW
@given(dtype=st.sampled_from([torch.float32, torch.bool]), shape=shapes(2, 3, min_side=2, max_side=4),
       data=st.data(), seed=seeds)
def test_split_by_sizes_of_an_expanded_input(q, fn, dtype, shape, data, seed):
    # An expanded (stride-0) x cannot be written into, so values only here.
    dim = _dim(data, len(shape))
    sizes = _sizes(data, shape[dim])
    x = arranged(shape, dtype, seed, "expanded")
    inputs = {"x": x, "sizes": sizes, "dim": dim}
    expect_pieces(q, call(q, fn, **inputs), torch.split(x, sizes, dim), inputs, dtype=dtype,
                  device=x.device)


@question("split_by_sizes")
@FEW
@given(shape=shapes(1, 3, max_side=4), data=st.data(), change=st.sampled_from(["drop", "grow"]))
def test_split_by_sizes_rejects_sizes_that_do_not_add_up(q, fn, shape, data, change):
    dim = _dim(data, len(shape))
    sizes = _sizes(data, shape[dim])
    if change == "drop":  # leave out the last non-empty piece: too short
        sizes.pop(max(k for k, n in enumerate(sizes) if n > 0))
    else:  # one more element than x has along dim
        sizes[-1] += 1
    x = values_of(shape, torch.float32, 0)
    expect_raises(q, fn, "ValueError", {"x": x, "sizes": sizes, "dim": dim},
                  tr("the sizes add up to {total}, not {length}", "各长度之和是 {total}，而不是 {length}",
                     total=sum(sizes), length=shape[dim]))
