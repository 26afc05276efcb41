"""Returned values reach the checks as plain data: faked types and equality cannot pass."""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from kitcheck.compare import CheckFailure, expect_equal, expect_tensor
from kitcheck.transport import InputChanged, LocalFunction, NotAllowed, StudentError
from kitcheck.wire import decode, encode_result


class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True


class AlwaysEqual:
    def __eq__(self, other):
        return True


class SneakyInt(int):
    def __eq__(self, other):
        return True


def _returning(value):
    return LocalFunction("f", {"f": lambda: value})()


def test_a_tensor_subclass_arrives_as_not_allowed_and_fails():
    got = _returning(torch.zeros(3).as_subclass(Agreeable))
    assert isinstance(got, NotAllowed) and "subclass" in got.description
    with pytest.raises(CheckFailure, match="should be a torch.Tensor"):
        expect_tensor("q", got, torch.zeros(3), {})


@pytest.mark.parametrize("value", [AlwaysEqual(), (AlwaysEqual(),), [SneakyInt(3)], {"a": AlwaysEqual()}])
def test_objects_that_fake_equality_fail(value):
    got = _returning(value)
    expected = {AlwaysEqual: (1,), tuple: (1,), list: [3], dict: (1,)}[type(value)]
    with pytest.raises(CheckFailure):
        expect_equal("q", got, expected, {})


def test_plain_values_and_topk_results_pass_through():
    values, indices = _returning(torch.topk(torch.tensor([3.0, 1.0, 2.0]), 2))
    assert type(values) is torch.Tensor and values.tolist() == [3.0, 2.0] and indices.tolist() == [0, 2]
    assert _returning((2, [1.5, None], torch.Size([2, 3]))) == (2, [1.5, None], torch.Size([2, 3]))


def test_student_exceptions_become_student_errors_even_system_exit():
    with pytest.raises(StudentError, match="SystemExit"):
        LocalFunction("f", {"f": lambda: exit(0)})()
    with pytest.raises(StudentError, match="NameError.*does not define `g`"):
        LocalFunction("g", {})()


def test_inputs_are_copied_so_in_place_edits_cannot_change_the_reference():
    x = torch.ones(3)
    with pytest.raises(InputChanged, match=r"element \[0\] was 1.0, now 2.0"):
        LocalFunction("f", {"f": lambda t: t.add_(1)})(x)
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_a_function_that_leaves_its_inputs_alone_passes_the_input_check():
    x = torch.ones(2, 3).T  # a view: reading it is not changing it
    assert LocalFunction("f", {"f": lambda t: (t * 2).sum()})(x).item() == 12.0


@pytest.mark.parametrize("edit, words", [
    (lambda x, y: x.sub_(x.mean()), "argument 1"),                  # centring in place
    (lambda x, y: y.t_(), "shape of it went from (2, 3) to (3, 2)"),  # a layout change in place
    (lambda x, y: x.masked_fill_(x > 0, float("nan")), "now nan"),
])
def test_every_in_place_edit_of_an_input_is_seen(edit, words):
    x, y = torch.tensor([1.0, 2.0, 3.0]), torch.zeros(2, 3)
    with pytest.raises(InputChanged) as info:
        LocalFunction("f", {"f": lambda x, y: edit(x, y) is None})(x, y)
    assert words in str(info.value)


def test_the_arguments_an_exercise_changes_on_purpose_may_change(monkeypatch):
    import kitcheck.transport as transport

    monkeypatch.setattr(transport, "_in_place_arguments", lambda name: (0,) if name == "fill_" else ())
    w, g = torch.zeros(3), torch.ones(3)
    LocalFunction("fill_", {"fill_": lambda w, g: w.add_(g)})(w, g)  # w may change
    with pytest.raises(InputChanged, match="argument 2"):
        LocalFunction("fill_", {"fill_": lambda w, g: g.zero_()})(w, g)  # g may not


def test_the_sandbox_reports_inputs_after_the_call_and_the_grader_compares_them():
    sent = ((torch.tensor([1.0, 2.0]),), {})
    edited = ((torch.tensor([0.0, 2.0]),), {})
    assert decode(encode_result(7, after=sent), "f", sent) == 7
    with pytest.raises(InputChanged, match="was 1.0, now 0.0"):
        decode(encode_result(7, after=edited), "f", sent)
    assert decode(encode_result(7, after=edited)) == 7  # a driver's call: its inputs are the driver's business


def test_value_mismatch_message_names_the_worst_element():
    with pytest.raises(CheckFailure) as info:
        expect_tensor("f", torch.tensor([1.0, 2.0, 9.0]), torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
                      {"x": torch.zeros(3)}, dtype=torch.float32, device="cpu")
    text = str(info.value)
    assert "worst element at index [2]: expected 3., got 9. (off by 6, relative 2;" in text
    assert "allowed there: 1e-05 + 5.2e-06 x |expected|" in text and "(torch.float32, cpu)" in text


def test_a_small_gap_shows_enough_digits_to_see_it():
    expected = torch.tensor([5.45, 1.0], dtype=torch.float64)
    with pytest.raises(CheckFailure) as info:
        expect_tensor("f", expected + torch.tensor([3e-8, 0.0], dtype=torch.float64), expected, {},
                      dtype=torch.float64)
    text = str(info.value)
    assert "expected 5.45, got 5.45000003 (off by 3e-08" in text
    assert "got:      tensor([5.45000003, 1.])" in text


def test_a_large_result_shows_the_region_around_the_worst_element():
    expected = torch.arange(400, dtype=torch.float64).reshape(8, 50)
    got = expected.float()
    got[3, 17] = -1.0
    with pytest.raises(CheckFailure) as info:
        expect_tensor("f", got, expected, {"x": expected.float()}, dtype=torch.float32)
    text = str(info.value)
    assert "around index [3, 17]: [..., 165., 166., *167.*, 168., 169., ...]" in text  # expected and the input
    assert "*-1.*" in text and "worst element at index [3, 17]" in text


def test_wrong_device_and_dtype_are_named():
    with pytest.raises(CheckFailure, match=r"is on the CPU \('cpu'\), but the input was not: your code created a "
                       "tensor on the CPU while the input is elsewhere"):
        expect_tensor("f", torch.zeros(2), torch.zeros(2, device="meta"), {}, device="meta")
    with pytest.raises(CheckFailure, match="dtype torch.float32, expected torch.float64"):
        expect_tensor("f", torch.zeros(2), torch.zeros(2, dtype=torch.float64), {}, dtype=torch.float64)


def test_a_driver_runs_student_code_and_returns_plain_values_and_gradients():
    from kitcheck.drivers import value_and_grad

    f = LocalFunction("f", {"f": lambda x, w: (x * w).pow(2).sum()})
    value, (gx, gw) = f.drive(value_and_grad, torch.tensor([1.0, 2.0]), torch.tensor([3.0, 1.0]))
    assert value.item() == 13.0
    assert gx.tolist() == [18.0, 4.0] and gw.tolist() == [6.0, 8.0]


def test_only_kitcheck_code_can_drive_student_code():
    with pytest.raises(StudentError, match="not a kitcheck driver"):
        LocalFunction("f", {"f": print}).drive("os:system", "true")


def test_a_student_error_reads_without_a_dangling_colon_and_explains_the_stub():
    from kitcheck.transport import StudentError

    assert str(StudentError("ValueError", "bad shape")) == "ValueError: bad shape"
    assert str(StudentError("KeyError", "")) == "KeyError"
    assert str(StudentError("NotImplementedError", "")).startswith("NotImplementedError (the exercise is not written")


def test_reading_a_value_with_item_is_not_mistaken_for_a_device_problem():
    """Meta tensors have no values; the device test replays what .item() read on the CPU instead of failing
    correct code, and still catches a tensor created on a hard-coded device."""
    import torch.nn.functional as F

    from kitcheck.compare import expect_device_agnostic

    def pads_with_the_minimum(x, k):
        return F.max_pool2d(F.pad(x, (1, 1, 1, 1), value=x.min().item() - 1), k, 1)

    def also_hard_codes_the_cpu(x, k):
        return pads_with_the_minimum(x, k) + torch.zeros(1, device="cpu")

    def reference(x, k):
        return F.max_pool2d(F.pad(x, (1, 1, 1, 1)), k, 1)

    meta = {"x": torch.empty(1, 1, 4, 4, device="meta"), "k": 3}
    expect_device_agnostic("max_pool2d", LocalFunction("max_pool2d", {"max_pool2d": pads_with_the_minimum}),
                           reference, **meta)
    with pytest.raises(CheckFailure, match="not on the CPU") as info:
        expect_device_agnostic("max_pool2d", LocalFunction("max_pool2d", {"max_pool2d": also_hard_codes_the_cpu}),
                               reference, **meta)
    assert "Reading values with .item() is fine" in str(info.value)


def test_a_cpu_tensor_mixed_in_silently_on_meta_is_still_caught():
    """Some meta kernels (conv2d, einsum) accept a CPU tensor beside a meta one; on a GPU they fail. The device
    test watches the operations and names the one that mixed devices."""
    import torch.nn.functional as F

    from kitcheck.compare import expect_device_agnostic

    def uses_a_cpu_kernel(x, w):
        return F.conv2d(x, torch.ones(1, 1, 3, 3))

    def uses_the_given_kernel(x, w):
        return F.conv2d(x, w)

    meta = {"x": torch.empty(1, 1, 4, 4, device="meta"), "w": torch.empty(1, 1, 3, 3, device="meta")}
    expect_device_agnostic("f", LocalFunction("f", {"f": uses_the_given_kernel}), F.conv2d, **meta)
    with pytest.raises(CheckFailure, match=r"combines a tensor on the CPU with the input.*conv2d\(cpu \+ meta\)"):
        expect_device_agnostic("f", LocalFunction("f", {"f": uses_a_cpu_kernel}), F.conv2d, **meta)


# ---- the sandbox pipe's frames (kitcheck.wire) ------------------------------------------------------------
_scalars = (st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none() | st.text(max_size=5)
            | st.complex_numbers(allow_nan=False) | st.sampled_from([torch.float16, torch.int64, torch.bool])
            | st.just(torch.device("cpu")) | st.lists(st.integers(0, 4), max_size=3).map(torch.Size))


@st.composite
def _tensors(draw):
    from kitcheck.transport import PLAIN_DTYPES

    dtype = draw(st.sampled_from(PLAIN_DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
    base = torch.arange(math.prod(shape) or 0).reshape(shape).to(dtype) if dtype is not torch.bool \
        else (torch.arange(math.prod(shape)) % 2 == 0).reshape(shape)
    how = draw(st.sampled_from(["plain", "transposed", "sliced", "expanded", "meta"]))
    if how == "transposed" and base.ndim >= 2:
        return base.transpose(0, 1)
    if how == "sliced" and base.ndim >= 1 and base.shape[0] > 1:
        return base[1:]
    if how == "expanded":
        return base.reshape(-1)[:1].expand(3) if base.numel() else base
    if how == "meta":
        return base.to("meta")
    return base


_values = st.recursive(_scalars | _tensors(), lambda inner: st.lists(inner, max_size=3)
                       | st.lists(inner, max_size=3).map(tuple)
                       | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3), max_leaves=12)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is torch.Tensor:
        if (a.dtype, a.shape, a.device) != (b.dtype, b.shape, b.device):
            return False
        if a.device.type == "meta":
            return a.stride() == b.stride()
        return a.stride() == b.stride() and bool((a == b).all())
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)


@settings(max_examples=150, deadline=None)
@given(_values)
def test_every_plain_value_crosses_the_pipe_unchanged(value):
    """Types, dtypes, shapes, strides (views stay views) and values survive a frame; nothing else is built.
    A returned value arrives as the notebook's checks see it (sanitized: a view of a larger storage is copied)."""
    from kitcheck.transport import restore, sanitize
    from kitcheck.wire import dumps, loads

    assert _same(loads(dumps(value)), value)
    assert _same(decode(encode_result(value)), restore(sanitize(value)))


def test_tensors_the_checks_do_not_accept_arrive_as_not_allowed():
    sparse = torch.eye(3).to_sparse()
    eight_bit = torch.ones(2).to(torch.float8_e4m3fn)
    for value in (sparse, eight_bit):
        got = decode(encode_result(value))
        assert isinstance(got, NotAllowed) and "ordinary dense tensor" in got.description
        assert isinstance(LocalFunction("f", {"f": lambda v=value: v})(), NotAllowed)  # the same in the notebook


def test_seed_torch_draws_what_torch_manual_seed_draws_and_is_torch_manual_seed_where_an_accelerator_is(monkeypatch):
    from kitcheck import drivers

    drivers.seed_torch(7)
    ours = (torch.randn(5), torch.nn.Linear(3, 2).weight.detach())
    torch.manual_seed(7)
    torch.testing.assert_close(ours, (torch.randn(5), torch.nn.Linear(3, 2).weight.detach()), rtol=0, atol=0)
    seeded = []
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: True)
    monkeypatch.setattr(torch, "manual_seed", seeded.append)  # a GPU's generators are seeded too
    drivers.seed_torch(3)
    assert seeded == [3]
