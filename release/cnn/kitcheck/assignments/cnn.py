"""Assignment 8, "Images, convolutions and classic CNNs": questions, points, public checks and drivers
(students see this file). Public checks compare with OpenCV or torch where one of them is the oracle, and
with stored probes (``kitcheck.probes``) elsewhere: no reference answer is written here."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Mapping

import torch
import torch.nn.functional as F
import torch.overrides
import torch.utils._python_dispatch
import torch.utils._pytree
from hypothesis import given
from hypothesis import strategies as st

from ..compare import (CheckFailure, Tolerance, call, drive, drive_with, expect_equal, expect_raises, expect_tensor,
                       raised, show, timed_out, tolerance)
from ..drivers import value_and_grad
from ..i18n import say, tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds
from ..timelimit import CallTimedOut
from ..transport import StudentError

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11+; the kit also runs on 3.10, where only the type checker needs it


def pair(v: Any) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(3, 5) -> (3, 5)``: how torch reads a kernel size, stride, padding or dilation."""
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


# ============================================================================ devices, checked without a GPU
# Meta tensors stand for "not the CPU". So that correct code is never refused: a value read out of one (.item(),
# an `if`) is a placeholder (0, 0.0, False); operations given a CPU tensor beside a meta one (a GPU refuses them,
# F.conv2d on meta does not) are recorded; code meta cannot run (numpy, .cpu()) runs on the CPU, in float64.
class _Placeholders(torch.utils._python_dispatch.TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default and args[0].device.type == "meta":
            return False if args[0].dtype == torch.bool else 0.0 if args[0].is_floating_point() else 0
        return func(*args, **(kwargs or {}))


class _DeviceMixes(torch.overrides.TorchFunctionMode):
    """Records the operations given tensors (not 0-d) on two devices; indexing and copies may mix them on a GPU too."""
    found: list[str]  # set by on_meta before use

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", str(func))
        if name not in {"__getitem__", "__setitem__", "to", "copy_", "type_as", "cpu", "cuda", "__get__", "__set__"}:
            devices = sorted({t.device.type for t in torch.utils._pytree.tree_flatten((args, kwargs))[0]
                              if isinstance(t, torch.Tensor) and t.ndim > 0})
            if len(devices) > 1 and len(self.found) < 8:
                self.found.append(tr("{f} got tensors on {d}", "{f} 收到了位于 {d} 的张量", f=name,
                                     d=say("and").join(devices)))
        return func(*args, **(kwargs or {}))


def on_meta(fn: Callable, *args: Any, module_args: tuple | None = None) -> tuple:
    """Driver: ``fn(*args)`` (or, given ``module_args``, ``fn(*module_args)`` moved to meta and called on ``args``:
    ``x, training``), values read as placeholders: (the result, [operations given tensors on two devices])."""
    if module_args is not None:
        fn = _build(fn, module_args).to("meta").train(args[1])
        args = args[:1]
    mixes = _DeviceMixes()
    mixes.found = []
    with _Placeholders(), mixes:
        out = fn(*args)
    return out, list(mixes.found)


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
        got = call(q, fn, **inputs) if module_args is None else drive(q, fn, module_forward, inputs, module_args,
                                                                         *inputs.values())
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


# =========================================================================== 1. image filters (vs OpenCV)
def step_edge() -> torch.Tensor:
    """The lesson's 6x6 image: dark on the left, bright (10) on the right."""
    image = torch.zeros(6, 6)
    image[:, 3:] = 10.0
    return image


def _image_filter_check(q: str, fn, opencv: Callable, cases: list[dict]) -> None:
    """``opencv(image, **case)``: OpenCV's own result (float64), the oracle."""
    for kwargs in cases:
        for image in (step_edge(), step_edge().T.contiguous()):
            inputs = {"image": image, **kwargs}
            expect_tensor(q, call(q, fn, **inputs), opencv(image, **kwargs), inputs, dtype=image.dtype,
                          device=image.device, **tolerance(image.dtype, reduction=True),
                          what=tr("the result for the 6x6 step edge", "6x6 阶跃边缘图像的结果"))

    @PUBLIC_SETTINGS
    @given(h=st.integers(2, 6), w=st.integers(2, 6), data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def random_images(h, w, data, dtype, seed):
        kwargs = data.draw(st.sampled_from(cases), label="options")
        image = make_tensor((h, w), dtype, seed)
        inputs = {"image": image, **kwargs}
        expect_tensor(q, call(q, fn, **inputs), opencv(image, **kwargs), inputs, dtype=dtype,
                      device=image.device, **tolerance(dtype, reduction=True))

    random_images()


SOBEL_ORDERS = [{"dx": 1, "dy": 0}, {"dx": 0, "dy": 1}, {"dx": 1, "dy": 1}]


def sobel_public(fn):
    import cv2  # imported here: only this assignment needs OpenCV

    _image_filter_check("sobel", fn, lambda image, dx, dy: torch.from_numpy(
        cv2.Sobel(image.detach().cpu().double().numpy(), cv2.CV_64F, dx, dy, ksize=3)), SOBEL_ORDERS)


def laplacian_public(fn):
    import cv2

    _image_filter_check("laplacian", fn, lambda image: torch.from_numpy(
        cv2.Laplacian(image.detach().cpu().double().numpy(), cv2.CV_64F)), [{}])


# ======================================================================================= 2. layers by hand
def expect_conv_out_size(q: str, fn, inputs: Mapping[str, int], expected: int | None) -> None:
    """The student's output length must be ``expected``; None: the kernel does not fit, a ValueError."""
    if expected is None:
        expect_raises(q, fn, "ValueError", inputs, tr("the dilated kernel is larger than the padded input",
                                                      "膨胀后的卷积核比填充后的输入还大"))
    else:
        expect_equal(q, call(q, fn, **inputs), expected, inputs)


def conv_out_size_public(fn):
    q = "conv_out_size"
    # Stored probes: LeNet's C1, "same" padding, AlexNet's first layer (55), strides, dilations, a kernel
    # too large for its input, then random small cases.
    for p in probes(q):
        expect_conv_out_size(q, fn, p.inputs, p.expected)


# ---- gradients, computed where the student's code runs --------------------------------------------------
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


@st.composite
def conv_cases(draw, max_batch: int = 2, max_groups: int = 3):
    """Hyper-parameters of a small convolution whose output is at least 1x1."""
    groups = draw(st.integers(1, max_groups), label="groups")
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    hyper = {}
    for name, low, high in (("stride", 1, 3), ("padding", 0, 2), ("dilation", 1, 2)):
        hyper[name] = draw(st.one_of(st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high))),
                           label=name)
    sizes = []
    for i in range(2):
        smallest = max(1, pair(hyper["dilation"])[i] * (kernel[i] - 1) + 1 - 2 * pair(hyper["padding"])[i])
        sizes.append(draw(st.integers(smallest, smallest + 4)))
    return {"batch": draw(st.integers(1, max_batch)), "c_in": c_in, "c_out": c_out, "kernel": kernel,
            "size": tuple(sizes), "bias": draw(st.booleans(), label="bias"), "groups": groups, **hyper}


def conv_inputs(case: Mapping[str, Any], dtype: torch.dtype, seed: int, device: str = "cpu") -> dict:
    """The inputs of ``conv2d`` for a case of ``conv_cases``, in the order of its signature."""
    n, c_in, c_out, g = case["batch"], case["c_in"], case["c_out"], case["groups"]
    x = make_tensor((n, c_in, *case["size"]), dtype, seed, device)
    weight = make_tensor((c_out, c_in // g, *case["kernel"]), dtype, seed + 1, device, low=-1.0, high=1.0)
    bias = make_tensor((c_out,), dtype, seed + 2, device) if case["bias"] else None
    return {"x": x, "weight": weight, "bias": bias, "stride": case["stride"], "padding": case["padding"],
            "dilation": case["dilation"], "groups": g}


def conv2d_public(fn):
    q = "conv2d"
    # A vertical step edge and the Sobel x kernel, with no padding: the lesson's worked example.
    image = step_edge()[None, None].double()
    kernel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=torch.float64)[None, None]
    inputs = {"x": image, "weight": kernel, "bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1}
    expect_tensor(q, call(q, fn, **inputs), F.conv2d(*inputs.values()), inputs, dtype=torch.float64,
                  device=image.device, what=tr("the step edge convolved with the Sobel x kernel",
                                               "阶跃边缘与 Sobel x 卷积核的卷积结果"))

    @PUBLIC_SETTINGS
    @given(case=conv_cases(max_batch=1), dtype=st.sampled_from(FLOAT_DTYPES), transposed=st.booleans(), seed=seeds)
    def run(case, dtype, transposed, seed):
        inputs = conv_inputs(case, dtype, seed)
        if transposed:  # a non-contiguous x, with the same values
            inputs["x"] = inputs["x"].transpose(2, 3).contiguous().transpose(2, 3)
        expected = F.conv2d(*(v.double() if isinstance(v, torch.Tensor) else v for v in inputs.values()))
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=inputs["x"].device,
                      **tolerance(dtype, reduction=True))

    run()
    case = {"batch": 2, "c_in": 4, "c_out": 2, "kernel": (3, 2), "size": (5, 6), "bias": True, "groups": 2,
            "stride": (2, 1), "padding": 1, "dilation": (1, 2)}
    expect_value_and_grad(q, fn, F.conv2d, conv_inputs(case, torch.float64, 7))


# ---- pooling ---------------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw, max_batch: int = 2, max_kernel: int = 3):
    """Hyper-parameters for max/avg pooling that torch accepts (padding at most half the kernel)."""
    side = st.integers(1, max_kernel)
    kernel = draw(st.one_of(side, st.tuples(side, side)), label="kernel_size")
    kh, kw = pair(kernel)
    step = st.integers(1, 3)
    stride = draw(st.one_of(st.none(), step, st.tuples(step, step)), label="stride")
    padding = draw(st.one_of(st.integers(0, min(kh, kw) // 2),
                             st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2))), label="padding")
    ph, pw = pair(padding)
    size = (draw(st.integers(max(1, kh - 2 * ph), kh + 4)), draw(st.integers(max(1, kw - 2 * pw), kw + 4)))
    return {"shape": (draw(st.integers(1, max_batch)), draw(st.integers(1, 3)), *size), "kernel_size": kernel,
            "stride": stride, "padding": padding}


def with_ties(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Small integers from -3 to 1: windows often hold equal values, and all-negative ones."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-3, 2, shape, generator=g).to(dtype).to(device)


def all_distinct(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Values that are all different (a unique maximum in every window: the gradient is unambiguous)."""
    g = torch.Generator().manual_seed(seed)
    n = math.prod(shape)
    return (torch.randperm(n, generator=g).to(torch.float64) * 0.25 - n / 8).reshape(shape).to(dtype).to(device)


def pool_inputs(case: Mapping[str, Any], x: torch.Tensor, **extra: Any) -> dict:
    return {"x": x, "kernel_size": case["kernel_size"], "stride": case["stride"], "padding": case["padding"], **extra}


def max_pool2d_public(fn):
    q = "max_pool2d"
    x = -torch.arange(1.0, 17.0, dtype=torch.float64).reshape(1, 1, 4, 4)  # all negative: pad with -inf, not 0
    for inputs in ({"x": x, "kernel_size": 2, "stride": None, "padding": 0},
                   {"x": x, "kernel_size": 3, "stride": 2, "padding": 1}):
        expect_tensor(q, call(q, fn, **inputs), F.max_pool2d(*inputs.values()), inputs, dtype=x.dtype, device=x.device)

    @PUBLIC_SETTINGS
    @given(case=pool_cases(max_batch=1), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(case, dtype, seed):
        inputs = pool_inputs(case, with_ties(case["shape"], dtype, seed))
        expected = F.max_pool2d(inputs["x"].double(), *list(inputs.values())[1:])
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=inputs["x"].device)

    run()
    case = {"kernel_size": 3, "stride": (1, 2), "padding": 1}  # overlapping windows: gradients add up
    expect_value_and_grad(q, fn, F.max_pool2d, pool_inputs(case, all_distinct((2, 2, 5, 6), torch.float64, 3)))


def avg_pool2d_public(fn):
    q = "avg_pool2d"

    def torch_avg(x, kernel_size, stride, padding, count_include_pad):  # F.avg_pool2d's 5th argument is ceil_mode
        return F.avg_pool2d(x, kernel_size, stride, padding, count_include_pad=count_include_pad)

    x = torch.arange(1.0, 17.0, dtype=torch.float64).reshape(1, 1, 4, 4)
    for include in (True, False):
        inputs = {"x": x, "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": include}
        expect_tensor(q, call(q, fn, **inputs), torch_avg(**inputs), inputs, dtype=x.dtype, device=x.device)

    @PUBLIC_SETTINGS
    @given(case=pool_cases(max_batch=1), include=st.booleans(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(case, include, dtype, seed):
        inputs = pool_inputs(case, make_tensor(case["shape"], dtype, seed), count_include_pad=include)
        expected = torch_avg(**{**inputs, "x": inputs["x"].double()})
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=inputs["x"].device,
                      **tolerance(dtype, reduction=True))

    run()
    case = {"kernel_size": (2, 3), "stride": 1, "padding": 1}
    expect_value_and_grad(q, fn, torch_avg,
                          pool_inputs(case, make_tensor((1, 2, 4, 5), torch.float64, 5), count_include_pad=False))


# ---- dropout ---------------------------------------------------------------------------------------------
def dropout_run(dropout: Callable, x: torch.Tensor, p: float, training: bool, seed: int) -> tuple:
    """Driver: seed torch's generator, then ``dropout(x, p, training)`` and its gradient with respect to x
    (upstream gradient: ones), as ``(out, grad)``."""
    torch.manual_seed(seed)
    out, grads = value_and_grad(lambda t: dropout(t, p, training), x)
    return out, (grads[0] if grads else None)


def away_from_zero(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Values in +-[0.5, 2]: a dropped element (0) never looks like a kept one."""
    g = torch.Generator().manual_seed(seed)
    magnitude = 0.5 + 1.5 * torch.rand(shape, generator=g, dtype=torch.float64)
    sign = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).double()
    return (magnitude * sign).round(decimals=2).to(dtype).to(device)


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


def dropout_public(fn):
    q = "dropout"
    x = away_from_zero((40, 50), torch.float64, 0)
    for p, training in ((0.5, False), (0.2, True), (0.7, True), (0.0, True), (1.0, True)):
        expect_dropout(q, fn, x, p, training, seed=1)
    expect_fresh_masks(q, fn, x, seed=2)
    expect_follows_device(q, fn, F.dropout, x=torch.empty(3, 4, device="meta"), p=0.5, training=True)


# ---- parameter counts and receptive fields ---------------------------------------------------------------
def expect_param_count(q: str, fn, inputs: Mapping[str, Any], expected: int | None) -> None:
    """The student's count must be ``expected``; None: channels not divisible by groups, a ValueError."""
    if expected is None:
        expect_raises(q, fn, "ValueError", inputs, tr("the channels must be divisible by groups",
                                                      "通道数必须能被 groups 整除"))
        return
    expect_equal(q, call(q, fn, **inputs), expected, inputs)


def conv_param_count_public(fn):
    q = "conv_param_count"
    # Stored probes: LeNet's convolutions, a rectangular kernel without bias, depthwise, pointwise and grouped
    # convolutions, and channels that groups does not divide.
    for p in probes(q):
        expect_param_count(q, fn, p.inputs, p.expected)


def receptive_field_public(fn):
    q = "receptive_field"
    # Stored probes: no layer, stacked 3x3 convolutions, poolings, LeNet-5's convolutions and poolings, then
    # random stacks of up to 4 (kernel_size, stride) layers.
    for p in probes(q):
        expect_equal(q, call(q, fn, **p.inputs), p.expected, p.inputs)


# ============================================================ 3. classic architectures: specs
def lenet5_shapes(num_classes: int = 10) -> dict[str, tuple]:
    return {"conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,), "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
            "fc1.weight": (120, 400), "fc1.bias": (120,), "fc2.weight": (84, 120), "fc2.bias": (84,),
            "fc3.weight": (num_classes, 84), "fc3.bias": (num_classes,)}


def _bn_shapes(prefix: str, c: int) -> tuple[dict, dict]:
    return ({f"{prefix}.weight": (c,), f"{prefix}.bias": (c,)},
            {f"{prefix}.running_mean": (c,), f"{prefix}.running_var": (c,), f"{prefix}.num_batches_tracked": ()})


def _conv_bn_shapes(layers: list[tuple[str, str, tuple]]) -> tuple[dict, dict]:
    params, buffers = {}, {}
    for conv, bn, shape in layers:
        p, b = _bn_shapes(bn, shape[0])
        params.update({f"{conv}.weight": shape, **p})
        buffers.update(b)
    return params, buffers


def basic_block_shapes(in_channels: int, out_channels: int, stride: int = 1) -> tuple[dict, dict]:
    """(parameters, buffers) of ``BasicBlock(in_channels, out_channels, stride)``: names and shapes."""
    layers = [("conv1", "bn1", (out_channels, in_channels, 3, 3)), ("conv2", "bn2", (out_channels, out_channels, 3, 3))]
    if stride != 1 or in_channels != out_channels:
        layers.append(("shortcut.0", "shortcut.1", (out_channels, in_channels, 1, 1)))
    return _conv_bn_shapes(layers)


def bottleneck_shapes(in_channels: int, planes: int, stride: int = 1) -> tuple[dict, dict]:
    """(parameters, buffers) of ``Bottleneck(in_channels, planes, stride)``: names and shapes."""
    out = 4 * planes
    layers = [("conv1", "bn1", (planes, in_channels, 1, 1)), ("conv2", "bn2", (planes, planes, 3, 3)),
              ("conv3", "bn3", (out, planes, 1, 1))]
    if stride != 1 or in_channels != out:
        layers.append(("shortcut.0", "shortcut.1", (out, in_channels, 1, 1)))
    return _conv_bn_shapes(layers)


def make_state(params: Mapping[str, tuple], buffers: Mapping[str, tuple], dtype: torch.dtype, seed: int,
               device: str = "cpu") -> dict[str, torch.Tensor]:
    """Known values for every parameter and buffer, by name: weights scaled by 1/sqrt(fan-in), batch-norm
    scales near 1, positive running variances."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in {**params, **buffers}.items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(3)
            continue
        r = torch.randn(shape, generator=g, dtype=torch.float64)
        is_bn = len(shape) == 1 and name.rsplit(".", 1)[0] + ".running_var" in buffers
        if name.endswith("running_var"):
            value = 0.5 + torch.rand(shape, generator=g, dtype=torch.float64)
        elif name.endswith("running_mean") or (is_bn and name.endswith("bias")):
            value = 0.2 * r
        elif is_bn:
            value = 1.0 + 0.3 * r
        elif len(shape) == 1:
            value = 0.1 * r
        else:
            value = r / math.sqrt(math.prod(shape[1:]))
        state[name] = value.to(dtype).to(device)
    return state


# ---- drivers: build the student's module where it lives and report plain data ----------------------------
def _build(cls: Callable, args: tuple):
    torch.manual_seed(0)
    return cls(*args)


def module_structure(cls: Callable, *args: Any) -> dict:
    """Driver: ``cls(*args)``'s parameter and buffer names with their shapes (which fix the parameter count).
    ``module_run`` loads weights by these names, strictly, so a report that lies about them is contradicted there."""
    module = _build(cls, args)
    # Lists, not tuples: () is one shared object in Python, and the grader refuses containers met twice.
    return {"parameters": {n: list(p.shape) for n, p in module.named_parameters()},
            "buffers": {n: list(b.shape) for n, b in module.named_buffers()}}


def _loaded(cls, args, state, x):
    module = _build(cls, args).to(device=x.device, dtype=x.dtype)
    module.load_state_dict(state)
    return module


def module_run(cls: Callable, args: tuple, state: dict, x: torch.Tensor, upstream: torch.Tensor,
               training: bool = True) -> tuple:
    """Driver: build ``cls(*args)``, load ``state``, run it on ``x`` in training or evaluation mode and
    backpropagate ``upstream``. Returns ``(out, grad_x, [(name, grad), ...], [(name, buffer), ...])``: the
    output, the gradients of the input and of each parameter, and the buffers after the call."""
    module = _loaded(cls, args, state, x)
    module.train(training)
    x = x.detach().clone().requires_grad_(True)
    out = module(x)
    grad_x, grads = None, []
    if type(out) is torch.Tensor and out.shape == upstream.shape and out.requires_grad:
        params = dict(module.named_parameters())
        found = torch.autograd.grad((out * upstream).sum(), [x, *params.values()], allow_unused=True)
        grad_x, grads = found[0], list(zip(params, found[1:]))
    buffers = [(n, b.detach().clone()) for n, b in module.named_buffers()]
    return out, grad_x, grads, buffers


def module_forward(cls: Callable, args: tuple, x: torch.Tensor, training: bool = True):
    """Driver: ``cls(*args)`` on ``x``'s device and dtype, called on ``x``; the output, detached."""
    module = _build(cls, args).to(device=x.device, dtype=x.dtype)
    module.train(training)
    out = module(x)
    return out.detach() if type(out) is torch.Tensor else out


def module_sgd(cls: Callable, args: tuple, state: dict, x: torch.Tensor, y: torch.Tensor, steps: int,
               lr: float) -> torch.Tensor:
    """Driver: load ``state``, then ``steps`` steps of plain SGD on the cross-entropy of (x, y), full batch.
    Returns the loss before each step."""
    module = _loaded(cls, args, state, x)
    module.train()
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(module(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses)


# ---- checks of modules -------------------------------------------------------------------------------------
def _describe(names: Mapping[str, tuple], keys) -> str:
    return ", ".join(f"{k} {tuple(names[k])}" for k in keys)


def expect_structure(q: str, fn, args: tuple, params: Mapping[str, tuple], buffers: Mapping[str, tuple],
                     shown: Mapping[str, Any]) -> None:
    """The module's parameters and buffers must have exactly these names and shapes (tests load weights
    by name), and so its parameter count must be the expected one."""
    got = drive(q, fn, module_structure, shown, *args)
    if type(got) is not dict or type(got.get("parameters")) is not dict or type(got.get("buffers")) is not dict:
        raise CheckFailure(q, tr("could not list the module's parameters", "无法列出模块的参数"), shown, got=got)
    for kind, have, want in ((tr("parameters", "参数"), got["parameters"], params),
                             (tr("buffers", "缓冲区（buffer）"), got["buffers"], buffers)):
        missing = [k for k in want if k not in have]
        extra = [k for k in have if k not in want]
        wrong = [k for k in want if k in have and tuple(have[k]) != tuple(want[k])]
        if missing or extra or wrong:
            lines = []
            if missing:
                lines.append(tr("missing: ", "缺少：") + _describe(want, missing))
            if extra:
                lines.append(tr("unexpected: ", "多出：") + _describe(have, extra))
            if wrong:
                lines.append(tr("wrong shape: ", "形状不对：") + ", ".join(tr(
                    "{k} should be {w}, is {h}", "{k} 应为 {w}，实际为 {h}", k=k, w=tuple(want[k]), h=tuple(have[k]))
                    for k in wrong))
            raise CheckFailure(q, tr("the module's {k} do not match the specification (names and shapes)",
                                     "模块的{k}与规定不符（名字和形状）", k=kind), shown, detail="\n  ".join(lines))


def expect_module_report(q: str, fn, inputs: Mapping[str, Any], expected: Mapping[str, Any],
                         shown: Mapping[str, Any], **tol: float) -> None:
    """Output, input and parameter gradients and buffers of the student's module against ``expected``.

    ``inputs``: ``{"args", "state", "x", "upstream", "training"}``, what ``module_run`` gets (the module is
    ``cls(*args)`` loaded with ``state``, run on ``x``, ``upstream`` backpropagated); ``expected``: ``{"out",
    "grad_x", "grads": {name: gradient}, "buffers": {name: buffer after the call}}``, in float64 on the CPU."""
    x, training = inputs["x"], inputs["training"]
    got = drive(q, fn, module_run, shown, tuple(inputs["args"]), inputs["state"], x, inputs["upstream"], training)
    out_got, grad_x, got_grads, got_buffers = got
    got_grads, got_buffers = dict(got_grads), dict(got_buffers)
    mode = tr("training", "训练") if training else tr("evaluation", "评估")
    expect_tensor(q, out_got, expected["out"], shown, dtype=x.dtype, device=x.device,
                  what=tr("the output in {m} mode", "{m}模式下的输出", m=mode), **tol)
    if grad_x is None:
        raise CheckFailure(q, tr("no gradient flows back to the input: keep the computation in torch (no .detach(), "
                                 ".data, .item() or numpy)", "没有梯度传回输入：请用 torch 运算完成计算（不要用 "
                                 ".detach()、.data、.item() 或 numpy）"), shown)
    expect_tensor(q, grad_x, expected["grad_x"], shown, dtype=x.dtype, device=x.device,
                  what=tr("the gradient with respect to the input in {m} mode", "{m}模式下对输入的梯度", m=mode), **tol)
    for name, value in expected["grads"].items():
        if got_grads.get(name) is None:
            raise CheckFailure(q, tr("no gradient reaches the parameter `{n}` in {m} mode",
                                     "{m}模式下没有梯度到达参数 `{n}`", n=name, m=mode), shown)
        expect_tensor(q, got_grads[name], value, shown, dtype=x.dtype, device=x.device,
                      what=tr("the gradient of `{n}` in {m} mode", "{m}模式下 `{n}` 的梯度", n=name, m=mode), **tol)
    for name, value in expected["buffers"].items():
        expect_tensor(q, got_buffers.get(name), value, shown, device=x.device,
                      dtype=x.dtype if value.is_floating_point() else value.dtype,
                      what=tr("the buffer `{n}` after a forward pass in {m} mode", "{m}模式下正向传播后的缓冲区 `{n}`",
                              n=name, m=mode), **tol)


def expect_batch_size_one(q: str, fn, args: tuple, num_out: int, shown: Mapping[str, Any], in_shape: tuple) -> None:
    """Batch size 1 must work and keep the batch dimension (no .squeeze() that drops it)."""
    x = make_tensor((1, *in_shape), torch.float32, 0)
    got = drive(q, fn, module_forward, {**shown, "x": x}, args, x, False)
    if type(got) is not torch.Tensor or tuple(got.shape[:1]) != (1,) or got.ndim < 2 or got.shape[1] != num_out:
        what = tr("an output of shape {s}", "形状为 {s} 的输出", s=tuple(got.shape)) if type(got) is torch.Tensor \
            else show(got)
        raise CheckFailure(q, tr("a batch of one image gave {w}; it should be (1, {o}), keeping the batch dimension",
                                 "只有一张图像的批量得到了{w}；应为 (1, {o})，保留批量维度", w=what, o=num_out),
                           {**shown, "x": x}, detail=tr("Flatten with x.flatten(1) or x.view(x.size(0), -1), and avoid "
                                                        ".squeeze().", "请用 x.flatten(1) 或 x.view(x.size(0), -1) 展平，"
                                                        "不要用 .squeeze()。"))


def lenet5_public(fn):
    q = "LeNet5"
    shown = {"num_classes": 10}
    expect_structure(q, fn, (10,), lenet5_shapes(10), {}, shown)
    expect_batch_size_one(q, fn, (10,), 10, shown, (1, 28, 28))
    # Stored probes: known weights, a batch of 1 then 2 images, a random upstream gradient; the expected output
    # and gradients come from LeNet-5 written with torch.nn.functional.
    for p in probes(q):
        expect_module_report(q, fn, p.inputs, p.expected, {"num_classes": 10, "x": p.inputs["x"]})


BASIC_BLOCK_CONFIGS = [(4, 4, 1), (3, 6, 2), (4, 4, 2)]   # (in_channels, out_channels, stride)
BOTTLENECK_CONFIGS = [(8, 2, 1), (4, 2, 2), (8, 2, 2)]    # (in_channels, planes, stride)


def _block_public(q: str, fn, shapes: Callable, configs: list[tuple]) -> None:
    names = ("in_channels", "out_channels" if q == "BasicBlock" else "planes", "stride")
    for args in configs:
        params, buffers = shapes(*args)
        expect_structure(q, fn, args, params, buffers, dict(zip(names, args)))
    # Stored probes: known weights and buffers; configs[0] (batch 1) and configs[1] (batch 2) in training mode,
    # configs[1] (batch 1) in evaluation mode; the expected values come from the block written with
    # torch.nn.functional.
    for p in probes(q):
        shown = {**dict(zip(names, p.inputs["args"])), "x": p.inputs["x"], "training": p.inputs["training"]}
        expect_module_report(q, fn, p.inputs, p.expected, shown)


def basic_block_public(fn):
    _block_public("BasicBlock", fn, basic_block_shapes, BASIC_BLOCK_CONFIGS)


def bottleneck_public(fn):
    _block_public("Bottleneck", fn, bottleneck_shapes, BOTTLENECK_CONFIGS)


ASSIGNMENT = Assignment(
    name="cnn",
    number=8,
    title="Assignment 8: Images, convolutions and classic CNNs",
    title_zh="作业 8：图像、卷积与经典卷积神经网络",
    questions=(
        Question("sobel", 3, "the Sobel derivative of an image, like cv2.Sobel (border: reflect 101)", sobel_public,
                 summary_zh="图像的 Sobel 导数，同 cv2.Sobel（边界：reflect 101）"),
        Question("laplacian", 2, "the Laplacian of an image, like cv2.Laplacian (border: reflect 101)",
                 laplacian_public,
                 summary_zh="图像的拉普拉斯算子，同 cv2.Laplacian（边界：reflect 101）"),
        Question("conv_out_size", 2, "the output length of a convolution (ValueError if the kernel does not fit)",
                 conv_out_size_public,
                 summary_zh="卷积输出的长度（卷积核放不下时抛出 ValueError）"),
        Question("conv2d", 5, "2-D convolution with stride, padding, dilation and groups, like F.conv2d",
                 conv2d_public,
                 summary_zh="带步幅、填充、空洞和分组的二维卷积，同 F.conv2d"),
        Question("max_pool2d", 3, "max pooling, like F.max_pool2d", max_pool2d_public,
                 summary_zh="最大池化，同 F.max_pool2d"),
        Question("avg_pool2d", 3, "average pooling, like F.avg_pool2d", avg_pool2d_public,
                 summary_zh="平均池化，同 F.avg_pool2d"),
        Question("dropout", 3, "inverted dropout in training mode, the identity in evaluation mode", dropout_public,
                 summary_zh="训练模式下的反向（inverted）Dropout，评估模式下原样输出"),
        Question("conv_param_count", 2, "the number of parameters of nn.Conv2d", conv_param_count_public,
                 summary_zh="nn.Conv2d 的参数个数"),
        Question("receptive_field", 3, "the receptive field of a stack of (kernel_size, stride) layers",
                 receptive_field_public,
                 summary_zh="一叠 (kernel_size, stride) 层的感受野"),
        Question("LeNet5", 4, "LeNet-5 (ReLU, max pooling) for 1x28x28 images", lenet5_public,
                 summary_zh="用于 1x28x28 图像的 LeNet-5（ReLU、最大池化）"),
        Question("BasicBlock", 4, "ResNet's basic residual block", basic_block_public,
                 summary_zh="ResNet 的基本残差块"),
        Question("Bottleneck", 3, "ResNet's bottleneck residual block (expansion 4)", bottleneck_public,
                 summary_zh="ResNet 的瓶颈残差块（扩展倍数 4）"),
    ),
)
