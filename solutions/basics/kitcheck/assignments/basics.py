"""Assignment 0, "Creating, indexing and reshaping tensors": questions, points, public checks, and the
drivers that look at memory (students see this file).

Two questions are about memory, which a returned value cannot show (it is copied on its way back): the
drivers below run the student's function where it lives and report *values*, namely the input after the
call, and the input (or the result) after the driver wrote into the other one. Whether that makes a
view or a copy is decided by the checks, from those values.
"""
from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st

from ..compare import (CheckFailure, call, drive, expect_device_agnostic, expect_raises, expect_tensor, show,
                       timed_out, tolerance)
from ..i18n import tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import PUBLIC_SETTINGS, make_tensor, seeds, shapes
from ..timelimit import CallTimedOut
from ..transport import StudentError

# Every dtype the indexing exercises take: floats, integers and bool.
ALL_DTYPES = (torch.float32, torch.float64, torch.int64, torch.int32, torch.bool)
NUMBER_DTYPES = (torch.float32, torch.float64, torch.int64, torch.int32)


def values_of(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """A reproducible tensor of any dtype: floats in [-3, 3] (2 decimals), integers in [-9, 9], bools."""
    if dtype.is_floating_point:
        return make_tensor(shape, dtype, seed, device)
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return (torch.rand(shape, generator=g) < 0.5).to(device)
    return torch.randint(-9, 10, shape, generator=g).to(dtype).to(device)


def marker_like(x: torch.Tensor, shift: int = 100) -> torch.Tensor:
    """A contiguous tensor like ``x`` whose every element differs from ``x``'s: what a driver writes to see
    where the write shows up."""
    if x.dtype == torch.bool:
        return (~x).contiguous() if shift % 2 else x.clone().contiguous()
    return (x + shift).contiguous()


def _same(a, b) -> bool:
    return (type(a) is torch.Tensor and a.shape == b.shape and a.dtype == b.dtype
            and bool((a.cpu() == b.cpu()).all()))


# What PyTorch's shape-only "meta" device cannot run, although a GPU can: reading values (.item(), .tolist()) and
# shapes that depend on values (a boolean mask, nonzero).
_DATA_DEPENDENT = ("cannot be called on meta", "cannot copy out of meta", "nonzero", "data-dependent",
                   "data dependent")


def expect_device_agnostic_where_possible(q: str, fn, reference, **inputs) -> None:
    """``expect_device_agnostic`` (meta tensors: a tensor made on a hard-coded device fails), except for code
    that reads values or masks: the meta device cannot run that, a GPU can, so such code is not rejected here
    and the value checks judge it (the result must have the input's dtype and device)."""
    try:
        fn(*inputs.values())
    except StudentError as exc:
        if exc.type_name == "NotImplementedError" and not exc.message:
            call(q, fn, **inputs)  # the exercise is not written yet: say that, not "fails off the CPU"
        if any(s in (exc.message or "").lower() for s in _DATA_DEPENDENT):
            return
    except CallTimedOut as exc:
        raise timed_out(exc, inputs) from None
    expect_device_agnostic(q, fn, reference, **inputs)


# ------------------------------------------------------------------------------------------ drivers
def split_views_driver(split_by_sizes, x, sizes, dim, markers):
    """Runs ``split_by_sizes(x, sizes, dim)``, then writes ``markers[k]`` into the k-th piece it returned
    (where shape and dtype agree). Returns ``(pieces as returned, x after the call, x after the writes)``."""
    pieces = split_by_sizes(x, sizes, dim)
    x_after_call = x.clone()
    if type(pieces) not in (tuple, list):
        return pieces, x_after_call, x.clone()
    shown = type(pieces)(p.clone() if type(p) is torch.Tensor else p for p in pieces)
    for piece, marker in zip(pieces, markers):
        if type(piece) is torch.Tensor and piece.shape == marker.shape and piece.dtype == marker.dtype:
            try:
                piece.copy_(marker)
            except RuntimeError:  # a piece that cannot be written (an expanded view): its region stays as it was
                pass
    return shown, x_after_call, x.clone()


def copy_driver(detached_copy, x, requires_grad, marker, marker2):
    """Runs ``detached_copy(x)`` (x requiring grad when ``requires_grad``), then writes ``marker`` into the
    result and ``marker2`` into x. Returns a dict of values: the result, its ``requires_grad``, x after the
    call (and its ``requires_grad``), x after the write into the result, the result after the write into x
    (None where a write was impossible)."""
    if requires_grad:
        x.requires_grad_(True)
    out = detached_copy(x)
    report = {"result": out, "x_after_call": x.detach().clone(), "x_requires_grad": x.requires_grad}
    if type(out) is not torch.Tensor:
        return report
    report.update(result=out.detach().clone(), result_requires_grad=out.requires_grad,
                  x_after_writing_result=None, result_after_writing_x=None)
    if out.shape != marker.shape or out.dtype != marker.dtype or out.device != marker.device:
        return report
    with torch.no_grad():
        try:
            out.copy_(marker)
            report["x_after_writing_result"] = x.detach().clone()
        except RuntimeError:  # e.g. an expanded view of x: it cannot be written at all
            return report
        try:
            x.copy_(marker2)
            report["result_after_writing_x"] = out.detach().clone()
        except RuntimeError:  # x itself is an expanded view
            pass
    return report


# ------------------------------------------------------------------------------------------ shared checks
def expect_pieces(q: str, got, expected, inputs: dict, *, dtype, device) -> None:
    """A tuple (or list) of tensors, one per expected piece, each with the expected shape and values."""
    if type(got) not in (tuple, list) or len(got) != len(expected):
        raise CheckFailure(q, tr("should return a tuple of {n} tensors, but it returned {got}",
                                 "应当返回由 {n} 个张量组成的元组，但它返回了 {got}", n=len(expected), got=show(got)),
                           inputs)
    for k, (g, e) in enumerate(zip(got, expected)):
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device, what=tr("piece {k}", "第 {k} 块", k=k))


def expect_unchanged(q: str, after: torch.Tensor, before: torch.Tensor, inputs: dict, what: str = "x") -> None:
    """The input after the student's function ran must still hold its values."""
    if not _same(after, before):
        raise CheckFailure(q, tr("your function changed its input `{what}` in place", "你的函数原地修改了输入 `{what}`",
                                 what=what), inputs, before, after,
                           tr("Leave the input as it was: work on new tensors (or views you only read).",
                              "请保持输入不变：在新张量上计算（或者只读取它的视图）。"))


def expect_split_views(q: str, got, x: torch.Tensor, expected, markers, inputs: dict) -> None:
    """What ``split_views_driver`` reports: the right pieces, x unchanged by the call, and every piece a view
    of x (the driver's write into piece k shows in x where that piece lies)."""
    if type(got) is not tuple or len(got) != 3:
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs,
                           got=got)
    pieces, x_after_call, x_after_writes = got
    expect_pieces(q, pieces, expected, inputs, dtype=x.dtype, device=x.device)
    expect_unchanged(q, x_after_call, x, inputs)
    seen = torch.split(x_after_writes, [e.shape[inputs["dim"]] for e in expected], inputs["dim"])
    for k, (region, marker) in enumerate(zip(seen, markers)):
        if not _same(region, marker):
            raise CheckFailure(q, tr("piece {k} is a copy, not a view of x: writing into it did not change x",
                                     "第 {k} 块是副本，不是 x 的视图：往它里面写入没有改变 x", k=k),
                               inputs, detail=tr("Slices (x[a:b], x[:, a:b]) and x.narrow() share x's memory; a "
                                                 "list or tensor of indices (fancy indexing), index_select() and "
                                                 "clone() copy it.",
                                                 "切片（x[a:b]、x[:, a:b]）和 x.narrow() 与 x 共享内存；用列表或张量"
                                                 "做索引（花式索引）、index_select() 和 clone() 都会复制。"))


def expect_independent_copy(q: str, got, x: torch.Tensor, requires_grad: bool, marker: torch.Tensor,
                            inputs: dict) -> None:
    """What ``copy_driver`` reports: x's values, dtype and device; no autograd history; x left as it was;
    and no memory shared (a write into either one does not show in the other)."""
    if type(got) is not dict or "result" not in got:
        raise CheckFailure(q, tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果"), inputs,
                           got=got)
    expect_tensor(q, got["result"], x, inputs, dtype=x.dtype, device=x.device)
    expect_unchanged(q, got["x_after_call"], x, inputs)
    if got["x_requires_grad"] is not requires_grad:
        raise CheckFailure(q, tr("your function changed x.requires_grad to {value}",
                                 "你的函数把 x.requires_grad 改成了 {value}", value=got["x_requires_grad"]), inputs,
                           detail=tr("Leave the input as it was: the caller may still need its gradient.",
                                     "请保持输入不变：调用者可能还需要它的梯度。"))
    if got.get("result_requires_grad") is not False:
        raise CheckFailure(q, tr("the result still records autograd history (requires_grad=True)",
                                 "结果仍然带有自动求导的历史（requires_grad=True）"), inputs,
                           detail=tr("clone() is tracked by autograd: gradients would flow back into x. "
                                     "detach() cuts the graph.",
                                     "自动求导会跟踪 clone()：梯度会经过它流回 x。detach() 才会切断计算图。"))
    if got.get("x_after_writing_result") is None:
        raise CheckFailure(q, tr("the result cannot be written into: it shares memory with x (an expanded view)",
                                 "无法往结果里写入：它与 x 共享内存（是 expand 得到的视图）"),
                           inputs, detail=tr("Make a copy with its own memory: clone().",
                                             "请用 clone() 做一个拥有自己内存的副本。"))
    if not _same(got["x_after_writing_result"], x):
        raise CheckFailure(q, tr("the result shares memory with x: writing into it changed x",
                                 "结果与 x 共享内存：往结果里写入改变了 x"), inputs,
                           x, got["x_after_writing_result"],
                           tr("detach(), .data, view(), reshape() and torch.from_numpy(x.numpy()) all share "
                              "memory with x; clone() makes a copy.",
                              "detach()、.data、view()、reshape() 和 torch.from_numpy(x.numpy()) 都与 x 共享内存；"
                              "clone() 才会复制。"))
    if got.get("result_after_writing_x") is not None and not _same(got["result_after_writing_x"], marker):
        raise CheckFailure(q, tr("the result shares memory with x: writing into x changed it",
                                 "结果与 x 共享内存：往 x 里写入改变了结果"), inputs,
                           marker, got["result_after_writing_x"],
                           tr("clone() makes a copy with its own memory.", "clone() 会生成拥有自己内存的副本。"))


def run_copy_check(q: str, fn, x: torch.Tensor, requires_grad: bool) -> None:
    """``detached_copy(x)`` through ``copy_driver``, judged by ``expect_independent_copy``."""
    inputs = {"x": x.detach().clone().requires_grad_(True) if requires_grad else x}
    marker, marker2 = marker_like(x, 101), marker_like(x, 202)
    got = drive(q, fn, copy_driver, inputs, x, requires_grad, marker, marker2)
    expect_independent_copy(q, got, x, requires_grad, marker, inputs)


def run_split_check(q: str, fn, x: torch.Tensor, sizes: list, dim: int) -> None:
    """``split_by_sizes(x, sizes, dim)`` through ``split_views_driver``: values and views (torch.split, the
    function the exercise re-implements, gives the expected pieces)."""
    inputs = {"x": x, "sizes": sizes, "dim": dim}
    expected = torch.split(x, sizes, dim)
    markers = [m.contiguous() for m in torch.split(marker_like(x), sizes, dim)]
    got = drive(q, fn, split_views_driver, inputs, x, sizes, dim, markers)
    expect_split_views(q, got, x, expected, markers, inputs)


def _index(n: int, count: int, seed: int) -> torch.Tensor:
    """``count`` indices in [0, n), repeats allowed (int64)."""
    return torch.randint(n, (count,), generator=torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------------------------------ public checks
def tridiagonal_public(fn):
    q = "tridiagonal"
    # Stored answers (kitcheck/data/basics.pt): float and integer diagonals of length 1 to 5.
    for p in probes(q):
        d, off = p.inputs["d"], p.inputs["off"]
        for given_d in (d, torch.repeat_interleave(d, 2)[::2]):  # the same values, non-contiguous
            inputs = {"d": given_d, "off": off}
            expect_tensor(q, call(q, fn, **inputs), p.expected, inputs, dtype=d.dtype, device=d.device)


def select_along_public(fn):
    q = "select_along"

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), data=st.data(), count=st.integers(0, 5),
           dtype=st.sampled_from(ALL_DTYPES), transposed=st.booleans(), seed=seeds)
    def run(shape, data, count, dtype, transposed, seed):
        dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
        x = values_of(shape, dtype, seed)
        if transposed and x.ndim >= 2:
            x = x.mT.contiguous().mT
        index = _index(shape[dim], count, seed + 1)
        inputs = {"x": x, "dim": dim, "index": index}
        expect_tensor(q, call(q, fn, **inputs), torch.index_select(x, dim, index), inputs, dtype=dtype,
                      device=x.device)

    run()


def values_in_range_public(fn):
    q = "values_in_range"
    # Stored answers: float and integer tensors; the same values in a transposed layout give the same answer
    # (values come in row-major order, whatever the memory layout).
    for p in probes(q):
        x = p.inputs["x"]
        for given_x in (x, x.mT.contiguous().mT) if x.ndim >= 2 else (x,):
            inputs = {**p.inputs, "x": given_x}
            expect_tensor(q, call(q, fn, **inputs), p.expected, inputs, dtype=x.dtype, device=x.device)


def gather_rows_public(fn):
    q = "gather_rows"

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 4), m=st.integers(1, 4), k=st.integers(1, 4), dtype=st.sampled_from(ALL_DTYPES),
           transposed=st.booleans(), seed=seeds)
    def run(n, m, k, dtype, transposed, seed):
        x = values_of((m, n), dtype, seed).T if transposed else values_of((n, m), dtype, seed)
        index = torch.randint(m, (n, k), generator=torch.Generator().manual_seed(seed + 1))
        inputs = {"x": x, "index": index}
        expect_tensor(q, call(q, fn, **inputs), torch.gather(x, 1, index), inputs, dtype=dtype, device=x.device)

    run()


def sum_by_group_public(fn):
    q = "sum_by_group"

    def one(values, group, num_groups):
        inputs = {"values": values, "group": group, "num_groups": num_groups}
        zeros = torch.zeros(num_groups, *values.shape[1:], dtype=values.dtype)
        expect_tensor(q, call(q, fn, **inputs), zeros.index_add_(0, group, values), inputs, dtype=values.dtype,
                      device=values.device, **tolerance(values.dtype, reduction=True))

    # The lesson's pitfall: groups that repeat must all be added (and group 3 is empty).
    one(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([0, 2, 0, 0]), 4)
    # An inf in one group must not reach the others (0 * inf is nan).
    one(torch.tensor([1.0, float("inf"), 3.0]), torch.tensor([0, 1, 0]), 2)

    @PUBLIC_SETTINGS
    @given(m=st.integers(1, 6), rest=shapes(0, 2, max_side=3), num_groups=st.integers(1, 4),
           dtype=st.sampled_from(NUMBER_DTYPES), seed=seeds)
    def run(m, rest, num_groups, dtype, seed):
        one(values_of((m, *rest), dtype, seed), _index(num_groups, m, seed + 1), num_groups)

    run()


def detached_copy_public(fn):
    q = "detached_copy"
    run_copy_check(q, fn, torch.tensor([[1, 2, 3], [4, 5, 6]]).T, requires_grad=False)  # int64, transposed
    run_copy_check(q, fn, torch.tensor([True, False, True, True])[::2], requires_grad=False)  # bool, sliced
    run_copy_check(q, fn, torch.tensor([1.0, 2.0, 3.0]), requires_grad=True)


def stack_via_cat_public(fn):
    q = "stack_via_cat"

    @PUBLIC_SETTINGS
    @given(shape=shapes(0, 3, max_side=3), count=st.integers(1, 3), data=st.data(),
           dtype=st.sampled_from(ALL_DTYPES), seed=seeds)
    def run(shape, count, data, dtype, seed):
        dim = data.draw(st.integers(-len(shape) - 1, len(shape)), label="dim")
        tensors = [values_of(shape, dtype, seed + i) for i in range(count)]
        inputs = {"tensors": tensors, "dim": dim}
        expect_tensor(q, call(q, fn, **inputs), torch.stack(tensors, dim), inputs, dtype=dtype, device="cpu")

    run()


def split_by_sizes_public(fn):
    q = "split_by_sizes"
    x = torch.arange(1, 25).reshape(4, 6)  # the lesson's example
    run_split_check(q, fn, x, [3, 1], 0)
    run_split_check(q, fn, x, [1, 2, 1, 2], 1)
    run_split_check(q, fn, x.T, [2, 0, 4], 0)  # a transposed x, and an empty piece
    run_split_check(q, fn, torch.tensor([0.5, 1.5, 2.5, 3.5, 4.5]), [2, 3], -1)
    for sizes, dim in (([3, 2], 0), ([4, 4], 1)):
        expect_raises(q, fn, "ValueError", {"x": x, "sizes": sizes, "dim": dim},
                      tr("the sizes add up to {total}, not {length}", "各长度之和是 {total}，而不是 {length}",
                         total=sum(sizes), length=x.shape[dim]))


ASSIGNMENT = Assignment(
    "basics",
    "Assignment 0: Creating, indexing and reshaping tensors",
    (
        Question("tridiagonal", 3, "a tridiagonal matrix from factory functions, with d's dtype and device",
                 tridiagonal_public,
                 summary_zh="用工厂函数构造三对角矩阵，数据类型和设备与 d 相同"),
        Question("select_along", 2, "the entries at `index` along `dim`, like torch.index_select",
                 select_along_public,
                 summary_zh="沿维度 dim 取出 index 处的元素，同 torch.index_select",
                 forbidden=("torch.index_select", "Tensor.index_select", "torch.gather", "Tensor.gather", "torch.take_along_dim", "Tensor.take_along_dim")),
        Question("values_in_range", 2, "the values v with low <= v < high, by a boolean mask",
                 values_in_range_public,
                 summary_zh="用布尔掩码取出满足 low <= v < high 的值"),
        Question("gather_rows", 3, "out[i, j] = x[i, index[i, j]], like torch.gather(x, 1, index)",
                 gather_rows_public,
                 summary_zh="out[i, j] = x[i, index[i, j]]，同 torch.gather(x, 1, index)",
                 forbidden=("torch.gather", "Tensor.gather", "torch.take_along_dim", "Tensor.take_along_dim", "torch.index_select", "Tensor.index_select")),
        Question("sum_by_group", 3, "per-group sums, like index_add_/scatter_add_ into zeros",
                 sum_by_group_public,
                 summary_zh="按组求和，同在全零张量上做 index_add_/scatter_add_",
                 forbidden=("torch.index_add", "Tensor.index_add", "Tensor.index_add_", "torch.scatter_add", "Tensor.scatter_add", "Tensor.scatter_add_", "torch.scatter_reduce", "Tensor.scatter_reduce", "Tensor.scatter_reduce_", "torch.index_put", "Tensor.index_put", "Tensor.index_put_", "torch.bincount", "Tensor.bincount")),
        Question("detached_copy", 2, "a copy of x with its own memory and no autograd history",
                 detached_copy_public,
                 summary_zh="x 的副本：有自己的内存，且不带自动求导的历史"),
        Question("stack_via_cat", 2, "torch.stack with unsqueeze and cat", stack_via_cat_public,
                 summary_zh="用 unsqueeze 和 cat 实现 torch.stack",
                 forbidden=("torch.stack", "torch.hstack", "torch.vstack", "torch.dstack", "torch.column_stack")),
        Question("split_by_sizes", 3, "torch.split by a list of sizes: views of x, ValueError if they don't add up",
                 split_by_sizes_public,
                 summary_zh="按尺寸列表实现 torch.split：返回 x 的视图，尺寸之和不符时抛出 ValueError",
                 forbidden=("torch.split", "Tensor.split", "torch.tensor_split", "Tensor.tensor_split", "torch.chunk", "Tensor.chunk", "torch.unbind", "Tensor.unbind", "Tensor.split_with_sizes")),
    ),
    number=0,
    title_zh="作业 0：张量的创建、索引与变形",
)
