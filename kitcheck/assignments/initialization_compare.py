"""Comparisons of assignment 6 (students see this file): each ``expect_*`` (and ``check_init``) judges what a driver
returned and raises a ``CheckFailure`` that says what differs. The public checks (``initialization.py``) and the
hidden tests both use them; the right scales and states come from stored probes, never from code written here."""
from __future__ import annotations

import math

import torch

from ..compare import CheckFailure, drive, expect_tensor, tolerance
from ..i18n import tr
from .initialization_drivers import SHIFT, run_init
from .initialization_inputs import grad_weights


def expect_generator_on_the_tensors_device(q: str, records, inputs: dict) -> None:
    """Every generator the initialiser used is on the device of what it drew (a CPU generator cannot draw
    numbers on a GPU)."""
    if type(records) is not list:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意外的结果"), inputs, None, records)
    for call_name, generator, made in records:
        if made is not None and generator != made:
            raise CheckFailure(q, tr("{call}(...) draws numbers on '{made}' with a torch.Generator on "
                                     "'{generator}': that works on this machine but fails on a GPU. Use PyTorch's "
                                     "global generator (tensor.uniform_(...), torch.rand(..., device=tensor.device)), "
                                     "as the exercise asks",
                                     "{call}(...) 用一个在 '{generator}' 上的 torch.Generator 在 '{made}' 上抽取随机数："
                                     "在这台机器上可以运行，但在 GPU 上会出错。请按练习的要求使用 PyTorch 的全局随机数"
                                     "生成器（tensor.uniform_(...)、torch.rand(..., device=tensor.device)）",
                                     call=call_name, made=made, generator=generator), inputs)


def expect_reproducible(q: str, values, inputs: dict) -> None:
    """``values`` from ``run_init_audit`` with seeds (s, s, s + 1): the same seed gives the same values, and
    another seed other values (the global generator is used, and not reseeded inside)."""
    if type(values) is not list or len(values) != 3 or not all(type(v) is torch.Tensor for v in values):
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意外的结果"), inputs, None, values)
    first, again, other = values
    if not torch.equal(first, again):
        raise CheckFailure(q, tr("after the same torch.manual_seed(...), two calls filled different values: draw "
                                 "from PyTorch's global generator (tensor.uniform_, torch.rand, ...), not an unseeded "
                                 "torch.Generator of your own",
                                 "用同一个 torch.manual_seed(...) 之后，两次调用填入了不同的值：请从 PyTorch 的全局随机数"
                                 "生成器抽样（tensor.uniform_、torch.rand 等），不要用自己创建的、没有设置种子的 "
                                 "torch.Generator"), inputs)
    if torch.equal(first, other):
        raise CheckFailure(q, tr("after two different torch.manual_seed(...) seeds, the values are the same: don't "
                                 "reseed (torch.manual_seed) or use a fixed-seed generator inside the function; it "
                                 "resets the caller's random state and gives every layer the same weights",
                                 "用两个不同的 torch.manual_seed(...) 种子，得到的值却相同：不要在函数内部重新设置种子"
                                 "（torch.manual_seed）或使用固定种子的生成器；那会重置调用者的随机状态，并让每一层得到"
                                 "相同的权重"), inputs)


# ------------------------------------------------------------------------------ init statistics
def expect_init(q: str, got, inputs: dict, *, shape, dtype, device, kind: str, scale: float,
                as_parameter: bool = False) -> None:
    """Check what ``run_init`` returned for an initialiser that should draw from U(-scale, scale)
    (``kind="uniform"``) or N(0, scale^2) (``kind="normal"``).

    The bound is checked almost exactly (every value inside it, the largest of 4096+ values within 3% of
    it); the mean and standard deviation within about 5 standard errors. A fan-in/fan-out swap changes the
    scale by at least sqrt(2), far outside these tolerances.
    """
    if type(got) is not tuple or len(got) != 3 or type(got[0]) is not torch.Tensor:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意外的结果"), inputs, None, got)
    values, seen, grad = got
    if not _shifted(seen, values):
        raise CheckFailure(q, tr("should fill `tensor` in place and return that same tensor (like torch.nn.init's "
                                 "functions do), but it returned something else",
                                 "应当原地填充 `tensor` 并返回这个张量本身（与 torch.nn.init 的函数一样），但它返回了"
                                 "别的东西"), inputs)
    if tuple(values.shape) != tuple(shape):
        raise CheckFailure(q, tr("the tensor's shape changed to {shape}; fill it in place",
                                 "张量的形状变成了 {shape}；请原地填充它", shape=tuple(values.shape)), inputs)
    if values.dtype != dtype or values.device != torch.device(device):
        raise CheckFailure(q, tr("the tensor changed from {dtype} on '{device}' to {new_dtype} on '{new_device}'; "
                                 "fill it in place (e.g. tensor.uniform_(...)) instead of replacing its data",
                                 "张量从 '{device}' 上的 {dtype} 变成了 '{new_device}' 上的 {new_dtype}；请原地填充它"
                                 "（例如 tensor.uniform_(...)），而不是替换它的数据", dtype=dtype, device=device,
                                 new_dtype=values.dtype, new_device=values.device), inputs)
    if as_parameter and not _is_tensor_like(grad, grad_weights(shape, dtype, device), exact=True):
        raise CheckFailure(q, tr("the nn.Parameter no longer requires grad after initialisation; fill it under "
                                 "torch.no_grad() instead of detaching or changing requires_grad",
                                 "初始化之后，这个 nn.Parameter 不再需要梯度；请在 torch.no_grad() 中填充它，"
                                 "而不是 detach 或修改 requires_grad"), inputs)
    if values.device.type == "meta":
        return
    v = values.detach().to("cpu", torch.float64)
    if not torch.isfinite(v).all():
        bad = int((~torch.isfinite(v)).sum())
        raise CheckFailure(q, tr("{bad} of the {n} values are not finite (NaN or inf): fill every element",
                                 "{n} 个值中有 {bad} 个不是有限数（NaN 或 inf）：请填充每一个元素", bad=bad, n=v.numel()),
                           inputs)
    n = v.numel()
    std = scale / math.sqrt(3) if kind == "uniform" else scale
    got_std, got_mean, got_max = v.std().item(), v.mean().item(), v.abs().max().item()
    if kind == "uniform" and not 0.97 * scale <= got_max <= scale * (1 + 1e-6):
        raise CheckFailure(q, tr("the values should fill U(-bound, bound) with bound = {bound:.6g}, but the "
                                 "largest |value| is {largest:.6g}",
                                 "这些值应当分布在 U(-bound, bound) 上，bound = {bound:.6g}，但最大的 |值| 是 "
                                 "{largest:.6g}", bound=scale, largest=got_max), inputs, scale, got_max,
                           tr("expected: the bound; got: the largest absolute value", "期望值：边界；实际值：最大的绝对值"))
    if abs(got_std / std - 1) > 0.06:
        raise CheckFailure(q, tr("the values' standard deviation is {got:.6g}, expected about {std:.6g} (within 6%)",
                                 "这些值的标准差是 {got:.6g}，期望约为 {std:.6g}（误差在 6% 以内）", got=got_std, std=std),
                           inputs, std, got_std, tr("expected and got: the standard deviation", "期望值与实际值：标准差"))
    if kind == "normal" and got_max < 2.8 * got_std:
        raise CheckFailure(q, tr("the values should be normally distributed, but the largest |value| of {n} is "
                                 "only {k:.3g} standard deviations (a normal sample this large reaches beyond 2.8); "
                                 "use normal_ or randn, not uniform_ or rand",
                                 "这些值应当服从正态分布，但 {n} 个值中最大的 |值| 只有 {k:.3g} 个标准差（这么大的正态"
                                 "样本会超过 2.8 个）；请用 normal_ 或 randn，而不是 uniform_ 或 rand",
                                 n=n, k=got_max / got_std), inputs)
    if abs(got_mean) > 5 * std / math.sqrt(n):
        raise CheckFailure(q, tr("the values' mean is {mean:.6g}, expected about 0 (within {limit:.3g})",
                                 "这些值的均值是 {mean:.6g}，期望约为 0（误差在 {limit:.3g} 以内）",
                                 mean=got_mean, limit=5 * std / math.sqrt(n)), inputs, 0.0, got_mean)
    expect_independent(q, v, inputs)


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / ((a * a).sum() * (b * b).sum()).clamp_min(1e-300).sqrt())


def expect_independent(q: str, values: torch.Tensor, inputs: dict) -> None:
    """Every value drawn on its own: neighbours along a row (one output unit's weights) and down a column
    (one input's weights) are uncorrelated, |r| within 5 standard errors of 0. Per-value statistics cannot see a
    row of one repeated value, or one row of noise copied to every row: their correlation is 1."""
    rows = values.reshape(values.shape[0], -1)
    pairs = {tr("neighbouring values in a row (one output unit's weights)",
                "同一行中相邻的值（同一个输出单元的权重）"): (rows[:, :-1], rows[:, 1:]),
             tr("neighbouring rows (the same input's weights in two output units)",
                "相邻的两行（同一个输入在两个输出单元中的权重）"): (rows[:-1], rows[1:])}
    for where, (a, b) in pairs.items():
        if a.numel() < 64:
            continue
        r, limit = _correlation(a.reshape(-1), b.reshape(-1)), 5 / math.sqrt(a.numel())
        if not abs(r) <= limit:
            raise CheckFailure(q, tr("the values are not drawn independently: {where} have correlation {r:.3g} "
                                     "(independent draws give |r| < {limit:.2g}); draw every element of the tensor, "
                                     "e.g. tensor.uniform_(...) or torch.rand(tensor.shape)",
                                     "这些值不是独立抽取的：{where}的相关系数为 {r:.3g}（独立抽样时 |r| < {limit:.2g}）；"
                                     "请为张量的每个元素分别抽样，例如 tensor.uniform_(...) 或 torch.rand(tensor.shape)",
                                     where=where, r=r, limit=limit), inputs)


def _is_tensor_like(got, expected: torch.Tensor, *, exact: bool) -> bool:
    """``got`` is a plain tensor with ``expected``'s shape, dtype and device and (off the meta device) the same
    values (NaN where ``expected`` has NaN; ``exact``: bit for bit)."""
    if type(got) is not torch.Tensor or got.shape != expected.shape or got.dtype != expected.dtype \
            or got.device != expected.device:
        return False
    if got.device.type == "meta":
        return True
    return torch.allclose(got, expected, rtol=0.0, atol=0.0, equal_nan=True) if exact else \
        torch.allclose(got, expected, equal_nan=True)


def _shifted(seen, values: torch.Tensor) -> bool:
    """Whether ``seen`` (what the function returned, read after the driver added SHIFT to the tensor in place)
    is the tensor itself: its values are the tensor's values plus SHIFT."""
    if values.device.type == "meta":
        return _is_tensor_like(seen, values, exact=True)
    return _is_tensor_like(seen, values + SHIFT, exact=True)


def _init_inputs(shape, dtype, device, seed, **kwargs) -> dict:
    return {"tensor.shape": tuple(shape), "dtype": dtype, "device": device, **kwargs, "seed": seed}


def check_init(q, fn, kind, scale, shape, seed, dtype=torch.float64, device="cpu", as_parameter=False,
               **kwargs) -> None:
    """Run the initialiser ``fn(tensor, **kwargs)`` through ``run_init`` and check that it drew from
    U(-scale, scale) (``kind="uniform"``) or N(0, scale^2) (``kind="normal"``); ``scale`` is the right one
    for these arguments (a stored probe's answer)."""
    inputs = _init_inputs(shape, dtype, device, seed, **kwargs)
    if as_parameter:
        inputs["as nn.Parameter"] = True
    got = drive(q, fn, run_init, inputs, shape, dtype, device, seed, as_parameter, **kwargs)
    expect_init(q, got, inputs, shape=shape, dtype=dtype, device=device, kind=kind, scale=scale,
                as_parameter=as_parameter)


# ---------------------------------------------------------------------------------- models and hooks
def expect_state(q: str, got, expected: dict, inputs: dict, *, dtype, device, exact: bool = True) -> None:
    """Check what ``run_init_model`` returned against the expected state_dict."""
    if type(got) is not tuple or len(got) != 2 or type(got[0]) is not list:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意外的结果"), inputs, None, got)
    state = dict(got[0])
    # The model itself was returned when its state, read through what the function returned after the driver
    # added SHIFT to every float entry in place, shows exactly that shift.
    seen = dict(p for p in got[1] if type(p) is tuple and len(p) == 2) if type(got[1]) is list else None
    if seen is None or set(seen) != set(state) or not all(
            type(v) is torch.Tensor and _shifted(seen[k], v) if v.is_floating_point() else
            _is_tensor_like(seen[k], v, exact=True) for k, v in state.items()):
        raise CheckFailure(q, tr("should return the model it initialised (like model.apply does)",
                                 "应当返回它初始化的那个模型（与 model.apply 一样）"), inputs)
    if set(state) != set(expected):
        raise CheckFailure(q, tr("the model's parameters and buffers changed names", "模型的参数和缓冲区的名字变了"),
                           inputs,
                           sorted(expected), sorted(state))
    tol = {"rtol": 1e-12, "atol": 1e-12} if exact else tolerance(dtype)
    for key, value in expected.items():
        expect_tensor(q, state[key], value, inputs, dtype=value.dtype, device=device,
                      what=tr("the model's `{key}` after your function", "调用你的函数之后，模型的 `{key}`", key=key),
                      **tol)


def expect_grad_norms(q, got, expected, inputs, *, dtype, device, before: list) -> None:
    """The norms against ``expected``, and the model's parameters afterwards against ``before``, the
    parameters it was built with (``mlp_parameters``): computing gradients must not change them."""
    if type(got) is not tuple or len(got) != 2:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意外的结果"), inputs, None, got)
    result, after = got
    expect_tensor(q, result, expected, inputs, dtype=dtype, device=device,
                  what=tr("the result (one gradient norm per nn.Linear layer)",
                          "结果（每个 nn.Linear 层一个梯度范数）"), **tolerance(dtype, reduction=True))
    if type(after) is not list or len(after) != len(before) or not all(
            _is_tensor_like(a, b, exact=True) for a, b in zip(after, before)):
        raise CheckFailure(q, tr("changed the model's parameters; only compute gradients (no optimizer step)",
                                 "改变了模型的参数；只需要计算梯度（不要执行优化器的更新）"), inputs)


def expect_dead_fractions(q, got, expected, inputs, *, device) -> None:
    if type(got) is not tuple or len(got) != 3:
        raise CheckFailure(q, tr("the driver got an unexpected result", "驱动程序得到了意外的结果"), inputs, None, got)
    first, second, hooks_left = got
    expect_tensor(q, first, expected, inputs, device=device,
                  what=tr("the result (one fraction per nn.ReLU)", "结果（每个 nn.ReLU 一个比例）"),
                  rtol=1e-6, atol=1e-6)
    if hooks_left:
        raise CheckFailure(q, tr("left {n} hook(s) registered after returning; remove every hook you register "
                                 "(handle.remove()), or later forward passes keep running them",
                                 "返回之后还留着 {n} 个钩子；请移除你注册的每一个钩子（handle.remove()），否则之后的每次"
                                 "正向传播都会继续运行它们", n=hooks_left), inputs)
    expect_tensor(q, second, expected, inputs, device=device, rtol=1e-6, atol=1e-6,
                  what=tr("the result of a second call", "第二次调用的结果"))
