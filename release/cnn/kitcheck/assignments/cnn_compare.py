"""Comparisons of assignment 8 (students see this file): each ``expect_*`` runs the student's code on given
inputs and raises a ``CheckFailure`` that says what differs. The public checks (``cnn.py``) and the hidden tests
both use them; the expected values come from torch, OpenCV or stored probes, never from code written here."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Mapping

import torch

from ..compare import (CheckFailure, Tolerance, call, drive, drive_with, expect_equal, expect_raises, expect_tensor,
                       raised, show, timed_out, tolerance)
from ..drivers import value_and_grad
from ..i18n import tr
from ..modules import module_forward
from ..strategies import make_tensor
from ..timelimit import CallTimedOut
from ..transport import StudentError
from .cnn_drivers import dropout_run, on_meta

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11+; the kit also runs on 3.10, where only the type checker needs it


def _output(got: Any) -> Any:
    """The output out of ``module_forward``'s ``(out, x)``."""
    return got[0] if type(got) is tuple and len(got) == 2 else got


def expect_follows_device(q: str, fn, reference: Callable, *, module_args: tuple | None = None, **meta: Any) -> None:
    """``fn`` must work on an input not on the CPU (as on a GPU), its result on the input's device and of its dtype.
    ``module_args``: ``fn`` is a module class, built as ``fn(*module_args)``; ``meta`` is then ``x`` and ``training``."""
    try:
        out, mixes = fn.drive(on_meta, *meta.values(), module_args=module_args)
    except StudentError as exc:
        lowered = exc.message.lower()
        if any(s in lowered for s in ("same device", "expected device", "nvidia", "cuda")) and "numpy" not in lowered:
            what, hint = raised(exc, device_check=True)
            raise CheckFailure(q, tr("your code fails when the input is not on the CPU (as on a GPU): it raised {w}",
                                     "输入不在 CPU 上时（如在 GPU 上）你的代码出错了：它抛出了 {w}", w=what), meta,
                               detail=hint) from None
        inputs = {k: make_tensor(tuple(v.shape), torch.float64, i) if isinstance(v, torch.Tensor) else v
                  for i, (k, v) in enumerate(meta.items())}
        got = call(q, fn, **inputs) if module_args is None else _output(drive(q, fn, module_forward, inputs,
                                                                                 module_args, *inputs.values()))
        shape = reference(*meta.values()).shape  # values are the value tests' job: only compare the rest
        same = got.detach() if type(got) is torch.Tensor and got.shape == shape else torch.zeros(shape)
        expect_tensor(q, got, same.double(), inputs, dtype=torch.float64, device="cpu", what=tr(
            "the result for float64 inputs on the CPU (checked there: on another device your code raised {t})",
            "CPU 上 float64 输入的结果（改在这里检查：在其他设备上你的代码抛出了 {t}）", t=exc.type_name))
        return
    except CallTimedOut as exc:
        raise timed_out(exc, meta) from None
    if type(mixes) is list and mixes:
        raise CheckFailure(q, tr("your code combines a tensor on the CPU with the input, which is not on the CPU (as on "
                                 "a GPU): ", "输入不在 CPU 上（如在 GPU 上），你的代码却把它和 CPU 上的张量一起运算：")
                           + "; ".join(str(m) for m in mixes[:3]), meta, detail=tr(
                               "Create new tensors on the input's device: device=x.device, or torch.zeros_like(x).",
                               "请在输入所在的设备上新建张量：device=x.device，或 torch.zeros_like(x)。"))
    expected = reference(*meta.values())
    expect_tensor(q, out, expected, meta, dtype=expected.dtype, device="meta",
                  what=tr("the result for an input on another device", "输入在其他设备上时，结果"))


def expect_conv_out_size(q: str, fn, inputs: Mapping[str, int], expected: int | None) -> None:
    """The student's output length must be ``expected``; None: the kernel does not fit, a ValueError."""
    if expected is None:
        expect_raises(q, fn, "ValueError", inputs, tr("the dilated kernel is larger than the padded input",
                                                      "膨胀后的卷积核比填充后的输入还大"))
    else:
        expect_equal(q, call(q, fn, **inputs), expected, inputs)


def expect_value_and_grad(q: str, fn, reference: Callable, inputs: Mapping[str, Any], *, upstream_seed: int = 0,
                          **tol: Unpack[Tolerance]) -> None:
    """The student's result and its gradients with respect to every float tensor input (computed where the
    student's code runs, with ``kitcheck.drivers.value_and_grad`` and a random upstream gradient) must match
    torch's ``reference`` and its autograd gradients, computed in float64 on the CPU from the same inputs."""
    names = [n for n, a in inputs.items() if isinstance(a, torch.Tensor) and a.is_floating_point()]
    ref_args = {n: (a.detach().cpu().double().requires_grad_(n in names) if isinstance(a, torch.Tensor) else a)
                for n, a in inputs.items()}
    out = reference(*ref_args.values())
    upstream = make_tensor(tuple(out.shape), torch.float64, upstream_seed)
    expected = torch.autograd.grad((out * upstream).sum(), [ref_args[n] for n in names], allow_unused=True)
    x = inputs[names[0]]
    value, grads = drive_with(q, fn, value_and_grad, inputs, upstream=upstream.to(x.device, x.dtype))
    expect_tensor(q, value, out, inputs, dtype=x.dtype, device=x.device, **tol)
    for name, got, exp in zip(names, tuple(grads) + (None,) * len(names), expected):
        exp = torch.zeros_like(ref_args[name]) if exp is None else exp
        if got is None:
            raise CheckFailure(q, tr("no gradient flows back to `{n}`: build the result from torch operations (no "
                                     ".item(), .tolist(), torch.tensor(...) of results, .detach() or numpy)",
                                     "没有梯度传回 `{n}`：请用 torch 运算得到结果（不要用 .item()、.tolist()、对结果调用 "
                                     "torch.tensor(...)、.detach() 或 numpy）", n=name), inputs)
        expect_tensor(q, got, exp, inputs, dtype=x.dtype, device=x.device, **tol,
                      what=tr("the gradient with respect to `{n}` (upstream gradient: a random tensor)",
                              "对 `{n}` 的梯度（上游梯度为随机张量）", n=name))


def expect_dropout(q: str, fn, x: torch.Tensor, p: float, training: bool, seed: int, *,
                   sigmas: float = 5.0) -> torch.Tensor:
    """One run of the student's dropout, checked element by element; returns its mask (True = kept).

    Training: each element is dropped (0) or kept and scaled by 1 / (1 - p), the gradient is the same
    factor, and the fraction dropped is p within ``sigmas`` binomial standard deviations.
    Evaluation: the identity, with gradient 1."""
    inputs = {"x": x, "p": p, "training": training}
    out, grad = drive(q, fn, dropout_run, inputs, x, p, training, seed)
    tol = tolerance(x.dtype)
    if type(out) is not torch.Tensor or out.shape != x.shape or out.dtype != x.dtype or out.device != x.device:
        expect_tensor(q, out, x, inputs, dtype=x.dtype, device=x.device)  # says which of these differs
    ref, ratio = x.detach().cpu().double(), out.detach().cpu().double() / x.detach().cpu().double()
    if not training or p == 0:
        expected_out, expected_grad = ref, torch.ones_like(ref)
        why = tr("in evaluation mode (training=False)", "评估模式下（training=False）") if not training else \
            tr("with p = 0", "p = 0 时")
        expect_tensor(q, out, expected_out, inputs, **tol, what=tr("the result {w} (dropout does nothing)",
                                                                   "{w}的结果（Dropout 什么也不做）", w=why))
        _expect_grad(q, grad, expected_grad, x, inputs, tr("the gradient {w}", "{w}的梯度", w=why))
        return torch.ones_like(ref, dtype=torch.bool)
    if p == 1:
        expect_tensor(q, out, torch.zeros_like(ref), inputs, **tol,
                      what=tr("the result with p = 1 (every element dropped)", "p = 1 时（丢弃所有元素）的结果"))
        _expect_grad(q, grad, torch.zeros_like(ref), x, inputs, tr("the gradient with p = 1", "p = 1 时的梯度"),
                     none_is_zero=True)
        return torch.zeros_like(ref, dtype=torch.bool)
    kept = ratio.abs() > 0.5 / (1 - p)
    expected = torch.where(kept, ref / (1 - p), torch.zeros_like(ref))
    expect_tensor(q, out, expected, inputs, **tol,
                  what=tr("the result in training mode (each element should be 0 or x / (1 - p) = x * {f:.4g})",
                          "训练模式下的结果（每个元素应为 0 或 x / (1 - p) = x * {f:.4g}）", f=1 / (1 - p)))
    _expect_grad(q, grad, kept.double() / (1 - p), x, inputs, tr("the gradient in training mode (1 / (1 - p) where "
                 "an element is kept, 0 where it is dropped)", "训练模式下的梯度（保留的元素处为 1 / (1 - p)，丢弃处为 0）"))
    n = kept.numel()
    dropped = 1.0 - kept.double().mean().item()
    allowed = sigmas * math.sqrt(p * (1 - p) / n) + 1.0 / n
    if abs(dropped - p) > allowed:
        raise CheckFailure(q, tr("it dropped {d:.1%} of {n} elements; with p = {p} it should drop each element with "
                                 "probability p (expected {p:.1%} +- {a:.1%})", "{n} 个元素中丢弃了 {d:.1%}；p = {p} "
                                 "时每个元素应以概率 p 被丢弃（期望 {p:.1%} +- {a:.1%}）", d=dropped, n=n, p=p, a=allowed),
                           inputs)
    return kept


def _expect_grad(q, grad, expected, x, inputs, what, none_is_zero=False):
    if grad is None:
        if none_is_zero:
            return
        raise CheckFailure(q, tr("{w}: no gradient flows back to x (keep the computation in torch: no .detach(), "
                                 "numpy or Python numbers)", "{w}：没有梯度传回 x（请用 torch 运算完成计算：不要用 "
                                 ".detach()、numpy 或 Python 数值）", w=what), inputs)
    expect_tensor(q, grad, expected, inputs, dtype=x.dtype, device=x.device, what=what)


def expect_independent_mask(q: str, kept: torch.Tensor, inputs: Mapping[str, Any]) -> None:
    """Each element of a 2-D mask (True = kept, p = 0.5) must be drawn on its own: neighbours uncorrelated, and the
    fraction kept per row and per column binomial (a mask shared across a row has the right rate, correlation 1)."""
    k, why = kept.double(), tr("Draw one random number for every element: torch.rand_like(x).",
                               "请为每个元素各抽取一个随机数：torch.rand_like(x)。")
    for dim, whole in ((1, tr("row", "行")), (0, tr("column", "列"))):
        a, b = k.narrow(dim, 0, k.shape[dim] - 1).flatten(), k.narrow(dim, 1, k.shape[dim] - 1).flatten()
        corr = float(torch.corrcoef(torch.stack([a, b]))[0, 1]) if a.std() > 0 and b.std() > 0 else 0.0
        ratio = float(k.mean(dim=dim).var() / (0.25 / k.shape[dim]))  # binomial: var = p (1 - p) / count
        if abs(corr) > 0.2 or ratio > 3.0:
            raise CheckFailure(q, tr("elements of the same {w} are dropped together (neighbours' correlation {c:.2f}, "
                                     "spread of the fraction kept per {w} {r:.0f} times the binomial one; independent "
                                     "draws give about 0 and 1)", "同一{w}的元素被一起丢弃（相邻元素的相关系数为 {c:.2f}，"
                                     "每{w}保留比例的方差是二项分布的 {r:.0f} 倍；独立抽样时分别约为 0 和 1）",
                                     w=whole, c=corr, r=ratio), inputs, detail=why)


def expect_fresh_masks(q: str, fn, x: torch.Tensor, seed: int) -> None:
    """Every row of a 2-D x, and every call, gets its own random mask (p = 0.5)."""
    inputs = {"x": x, "p": 0.5, "training": True}
    first = expect_dropout(q, fn, x, 0.5, True, seed)
    if all(torch.equal(first[0], row) for row in first[1:]):
        raise CheckFailure(q, tr("every row dropped the same elements; draw an independent mask value for every "
                                 "element of x (a mask of x's full shape)", "每一行丢弃的元素都相同；请为 x 的每个元素"
                                 "独立抽取掩码值（掩码的形状与 x 完全相同）"), inputs)
    expect_independent_mask(q, first, inputs)
    second = expect_dropout(q, fn, x, 0.5, True, seed + 1)
    if torch.equal(first, second):
        raise CheckFailure(q, tr("two calls dropped exactly the same elements; each call should draw a new random mask "
                                 "(don't seed the generator inside the function)", "两次调用丢弃的元素完全相同；每次调用"
                                 "都应抽取新的随机掩码（不要在函数内部设置随机种子）"), inputs)



def expect_param_count(q: str, fn, inputs: Mapping[str, Any], expected: int | None) -> None:
    """The student's count must be ``expected``; None: channels not divisible by groups, a ValueError."""
    if expected is None:
        expect_raises(q, fn, "ValueError", inputs, tr("the channels must be divisible by groups",
                                                      "通道数必须能被 groups 整除"))
        return
    expect_equal(q, call(q, fn, **inputs), expected, inputs)



def expect_batch_size_one(q: str, fn, args: tuple, num_out: int, shown: Mapping[str, Any], in_shape: tuple) -> None:
    """Batch size 1 must work and keep the batch dimension (no .squeeze() that drops it)."""
    x = make_tensor((1, *in_shape), torch.float32, 0)
    got = _output(drive(q, fn, module_forward, {**shown, "x": x}, args, x, False))
    if type(got) is not torch.Tensor or tuple(got.shape[:1]) != (1,) or got.ndim < 2 or got.shape[1] != num_out:
        what = tr("an output of shape {s}", "形状为 {s} 的输出", s=tuple(got.shape)) if type(got) is torch.Tensor \
            else show(got)
        raise CheckFailure(q, tr("a batch of one image gave {w}; it should be (1, {o}), keeping the batch dimension",
                                 "只有一张图像的批量得到了{w}；应为 (1, {o})，保留批量维度", w=what, o=num_out),
                           {**shown, "x": x}, detail=tr("Flatten with x.flatten(1) or x.view(x.size(0), -1), and avoid "
                                                        ".squeeze().", "请用 x.flatten(1) 或 x.view(x.size(0), -1) 展平，"
                                                        "不要用 .squeeze()。"))

