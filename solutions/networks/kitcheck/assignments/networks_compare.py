"""Comparisons of assignment 4 (students see this file): each ``expect_*`` (and ``check_linear_run``) compares
what the drivers return for the student's code with torch's functions and modules, or with finite differences of
them, and raises a ``CheckFailure`` that says what differs. The public checks (``networks.py``) and the hidden tests
both use them; the expected values come from torch or stored probes, never from code written here."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch
from torch import nn

from ..compare import CheckFailure, drive, expect_tensor, tolerance
from ..drivers import value_and_grad
from ..i18n import tr
from ..transport import StudentError
from .networks_drivers import jacobians, module_run
from .networks_inputs import linear_case


def _unexpected() -> str:
    """The sentence for a driver result of the wrong form, in the edition's language."""
    return tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果")


def _is_float_tensor(a: Any) -> bool:
    return isinstance(a, torch.Tensor) and a.is_floating_point()


def expect_grad(q: str, fn, reference: Callable, inputs: Mapping[str, Any], *, wrt: tuple[str, ...],
                upstream: torch.Tensor | None = None, **tol: float) -> None:
    """The gradients of the student's ``fn`` (computed where it runs) with respect to the inputs named in
    ``wrt`` must match those of torch's ``reference``, computed in float64 on the CPU from the same inputs."""
    names, args = list(inputs), tuple(inputs.values())
    try:
        value, grads = fn.drive(value_and_grad, *args, upstream=upstream)
    except StudentError as exc:
        raise CheckFailure(q, tr(f"computing the gradient of your result raised {exc}",
                              f"对你的结果求梯度时抛出了异常 {exc}"), inputs) from None
    if type(value) is not torch.Tensor:
        raise CheckFailure(q, tr("the result should be a torch.Tensor", "结果应当是 torch.Tensor"), inputs, got=value)
    floats = [n for n, a in zip(names, args) if _is_float_tensor(a)]
    ref_args = {n: (a.detach().cpu().double().requires_grad_(n in wrt) if _is_float_tensor(a)
                    else a.cpu() if isinstance(a, torch.Tensor) else a) for n, a in inputs.items()}
    out = reference(*ref_args.values())
    weight = torch.ones_like(out) if upstream is None else upstream.detach().cpu().double()
    expected = torch.autograd.grad((out * weight).sum(), [ref_args[n] for n in wrt], allow_unused=True)
    for name, exp in zip(wrt, expected):
        got = grads[floats.index(name)] if len(grads) == len(floats) else None
        if got is None:
            raise CheckFailure(q, tr(f"no gradient flows back to `{name}`: keep the computation in torch "
                                  "(no .item(), .detach(), .data or numpy)",
                                  f"没有梯度流回 `{name}`：请全程用 torch 运算（不要用 .item()、.detach()、.data 或 "
                                  "numpy）"), inputs)
        exp = torch.zeros_like(ref_args[name]) if exp is None else exp
        expect_tensor(q, got, exp, inputs, dtype=inputs[name].dtype, device=inputs[name].device,
                      what=tr(f"the gradient with respect to `{name}`", f"对 `{name}` 的梯度"), **tol)


def expect_gradcheck(q: str, fn, reference: Callable, inputs: Mapping[str, Any], *, eps: float = 1e-6,
                     atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """gradcheck, decided here: autograd's Jacobian of the student's function (computed where it runs, in
    float64, by ``jacobians``) must agree with central differences of torch's ``reference`` at the same point,
    within gradcheck's tolerances."""
    try:
        got = fn.drive(jacobians, *inputs.values())
    except StudentError as exc:
        raise CheckFailure(q, tr(f"computing the Jacobian of your result raised {exc}",
                              f"计算你的结果的雅可比矩阵时抛出了异常 {exc}"), inputs) from None
    names, args = list(inputs), list(inputs.values())
    base = [a.detach().cpu().double() if _is_float_tensor(a) else a.cpu() if isinstance(a, torch.Tensor) else a
            for a in args]
    positions = [i for i, a in enumerate(args) if _is_float_tensor(a)]
    out = reference(*base)
    if type(got) is not tuple or len(got) != 2 or type(got[1]) is not tuple or len(got[1]) != len(positions):
        raise CheckFailure(q, tr("the result should be a torch.Tensor", "结果应当是 torch.Tensor"), inputs,
                           got=got[0] if type(got) is tuple else got)
    for i, jacobian in zip(positions, got[1]):
        numeric = torch.zeros(out.numel(), base[i].numel(), dtype=torch.float64)
        for k in range(base[i].numel()):
            shifted = []
            for sign in (1, -1):
                point = list(base)
                point[i] = base[i].clone().reshape(-1)
                point[i][k] += sign * eps
                point[i] = point[i].reshape(base[i].shape)
                shifted.append(reference(*point).reshape(-1))
            numeric[:, k] = (shifted[0] - shifted[1]) / (2 * eps)
        if type(jacobian) is not torch.Tensor or jacobian.shape != numeric.shape:
            raise CheckFailure(q, tr(f"the Jacobian with respect to `{names[i]}` could not be computed",
                                  f"无法计算对 `{names[i]}` 的雅可比矩阵"), inputs)
        bad = (jacobian.double() - numeric).abs() > atol + rtol * numeric.abs()
        if bool(bad.any()):
            row, col = (int(v) for v in bad.nonzero()[0])
            raise CheckFailure(q, tr("gradcheck (float64) failed: the gradient autograd computes for your function "
                                  "does not match finite differences of the function it should compute",
                                  "gradcheck（float64）未通过：自动求导为你的函数算出的梯度，与它应当计算的函数的"
                                  "有限差分不一致"), inputs,
                               detail=tr(f"d(result element {row}) / d({names[i]} element {col}): autograd gives "
                                         f"{float(jacobian[row, col]):.6g}, finite differences "
                                         f"{float(numeric[row, col]):.6g}",
                                         f"d(结果的第 {row} 个元素) / d({names[i]} 的第 {col} 个元素)：自动求导给出 "
                                         f"{float(jacobian[row, col]):.6g}，有限差分给出 "
                                         f"{float(numeric[row, col]):.6g}"))


def scaled_tolerance(dtype: torch.dtype, *tensors: torch.Tensor) -> dict:
    """Reduction tolerances, widened for inputs of large magnitude: rounding ``x`` itself costs |x| * eps, so a
    correct float32 formula may be off by that much (e.g. logsumexp(z) - z[target] for logits near 1000)."""
    base = tolerance(dtype, reduction=True)
    big = max((float(t.detach().abs().max()) for t in tensors if t.numel() and t.device.type != "meta"), default=0.0)
    slack = 16 * torch.finfo(dtype).eps * big
    return {"rtol": base["rtol"] + slack, "atol": base["atol"] + slack}


def _pairs(got: Any) -> dict | None:
    """``[(name, value)]`` as a dict, or None for anything else."""
    if type(got) is not list or not all(type(p) is tuple and len(p) == 2 and type(p[0]) is str for p in got):
        return None
    return dict(got)


def _shapes(structure: list) -> str:
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in structure) or tr("nothing", "（空）")


def expect_structure(q: str, got: Any, expected: list, inputs: Mapping[str, Any]) -> None:
    """What ``module_init`` returned: the state_dict must hold exactly the ``expected`` ``[(name, shape)]``, and
    each of them must be a parameter (in ``parameters()``), not a buffer."""
    if type(got) is not tuple or len(got) != 4:
        raise CheckFailure(q, _unexpected(), inputs, got=got)
    state, params = _pairs(got[0]), got[3]
    if state is None or type(params) is not list:
        raise CheckFailure(q, _unexpected(), inputs, got=got)
    shapes = {name: tuple(t.shape) for name, t in state.items() if type(t) is torch.Tensor}
    want = {name: tuple(shape) for name, shape in expected}
    if shapes != want:
        missing = [name for name in want if name not in shapes]
        hint = (tr(" A tensor kept as a plain attribute (or in a Python list) is not registered: wrap it in "
                   "nn.Parameter, and keep layers in nn.ModuleList.",
                   "作为普通属性保存（或放在 Python 列表里）的张量不会被登记：请用 nn.Parameter 包装它，"
                   "并把各层放进 nn.ModuleList。") if missing else "")
        raise CheckFailure(q, tr(f"the state_dict should hold {_shapes(expected)}, but it holds "
                                 f"{_shapes(list(shapes.items()))}.",
                                 f"state_dict 应当包含 {_shapes(expected)}，实际包含 "
                                 f"{_shapes(list(shapes.items()))}。") + hint, inputs)
    for name in want:
        if name not in params:
            raise CheckFailure(q, tr(f"`{name}` is in the state_dict but not in parameters(): it is a buffer, so no "
                                  "optimizer would train it; make it an nn.Parameter",
                                  f"`{name}` 在 state_dict 中，却不在 parameters() 中：它是一个缓冲区（buffer），"
                                  "任何优化器都不会训练它；请把它定义为 nn.Parameter"), inputs)


def expect_linear_init(q: str, got: Any, in_features: int, out_features: int, bias: bool,
                       inputs: Mapping[str, Any]) -> None:
    """What ``module_init`` returned for a linear layer: nn.Linear's initialisation. Every weight and bias value
    drawn uniformly from [-1/sqrt(in_features), 1/sqrt(in_features)] (kaiming_uniform_ with a=sqrt(5) gives that
    bound), from torch's random numbers (the same after the same torch.manual_seed, different without it)."""
    expected = [("weight", (out_features, in_features))] + ([("bias", (out_features,))] if bias else [])
    expect_structure(q, got, expected, inputs)
    first, again, after = (_pairs(g) for g in got[:3])
    if first is None or again is None or after is None:  # (first: expect_structure has checked it)
        raise CheckFailure(q, _unexpected(), inputs, got=got)
    bound = 1 / math.sqrt(in_features)
    for name, _ in expected:
        t = first[name].detach().cpu().double()
        layer = f"MyLinear({in_features}, {out_features}{'' if bias else ', bias=False'})"
        what = tr(f"`{name}` right after {layer}", f"刚创建 {layer} 时的 `{name}`")
        if not bool(torch.isfinite(t).all()) or float(t.abs().max()) > bound * (1 + 1e-6):
            raise CheckFailure(q, tr(f"{what} has values outside [-1/sqrt(in_features), 1/sqrt(in_features)] = "
                                  f"[{-bound:.4g}, {bound:.4g}]: largest |value| {float(t.abs().max()):.4g}. nn.Linear "
                                  "draws weight and bias uniformly from that interval",
                                  f"{what}有超出 [-1/sqrt(in_features), 1/sqrt(in_features)] = "
                                  f"[{-bound:.4g}, {bound:.4g}] 的值：最大的 |值| 为 {float(t.abs().max()):.4g}。"
                                  "nn.Linear 从这个区间中均匀抽取 weight 和 bias"), inputs)
        n = t.numel()
        std, mean = float(t.std(correction=0)), float(t.mean())
        want_std = bound / math.sqrt(3)  # the standard deviation of U(-bound, bound)
        if n >= 64 and (abs(std / want_std - 1) > 0.15 or abs(mean) > 5 * want_std / math.sqrt(n)
                        or float(t.abs().max()) < 0.8 * bound):
            raise CheckFailure(q, tr(f"{what} does not look uniform on [{-bound:.4g}, {bound:.4g}] (bound "
                                  f"1/sqrt(in_features)): its {n} values have mean {mean:.3g} (expected about 0), "
                                  f"standard deviation {std:.3g} (expected {want_std:.3g}) and largest |value| "
                                  f"{float(t.abs().max()):.3g}",
                                  f"{what}看起来不是 [{-bound:.4g}, {bound:.4g}] 上的均匀分布（边界为 "
                                  f"1/sqrt(in_features)）：它的 {n} 个值均值为 {mean:.3g}（应约为 0），"
                                  f"标准差为 {std:.3g}（应为 {want_std:.3g}），最大的 |值| 为 "
                                  f"{float(t.abs().max()):.3g}"), inputs)
        if t.ndim == 2 and t.shape[1] >= 64 and t.shape[0] >= 2:
            rows = t - t.mean(dim=1, keepdim=True)
            rows = rows / rows.norm(dim=1, keepdim=True).clamp_min(1e-300)
            corr = float((rows[1:] * rows[:-1]).sum(dim=1).abs().max())
            if corr > 0.6:
                raise CheckFailure(q, tr(f"the rows of {what} are not independent (two neighbouring rows have "
                                      f"correlation {corr:.2f}): draw every element at random",
                                      f"{what}的各行不独立（相邻两行的相关系数为 {corr:.2f}）："
                                      "每个元素都应当随机抽取"), inputs)
        if type(again.get(name)) is not torch.Tensor or not torch.equal(again[name].cpu(), first[name].cpu()):
            raise CheckFailure(q, tr(f"{what} differs between two layers built after the same torch.manual_seed: "
                                  "draw the initial values with torch's random numbers (nn.init or tensor.uniform_), "
                                  "so that seeding makes them reproducible",
                                  f"在同一个 torch.manual_seed 之后创建的两个层，{what}却不相同：请用 torch 的随机数"
                                  "（nn.init 或 tensor.uniform_）抽取初始值，这样设定随机种子就能复现结果"), inputs)
        if n >= 8 and type(after.get(name)) is torch.Tensor and torch.equal(after[name].cpu(), first[name].cpu()):
            raise CheckFailure(q, tr(f"{what} is the same in every new layer: each layer should draw its own "
                                  "random values (no fixed generator seed inside __init__)",
                                  f"{what}在每个新建的层中都相同：每个层都应当抽取自己的随机值（不要在 __init__ 中"
                                  "使用固定种子的随机数生成器）"), inputs)


def expect_module_run(q: str, got: Any, expected: tuple, inputs: Mapping[str, Any], *, x: torch.Tensor,
                      tol: dict | None = None) -> None:
    """Compare what ``module_run`` returned for the student's class with what it returned for the reference:
    the output, the gradients of sum(out * upstream) with respect to x and to every parameter, and x unchanged."""
    if type(got) is not tuple or len(got) != 4:
        raise CheckFailure(q, _unexpected(), inputs, got=got)
    out, grad_x, grads, after = got
    e_out, e_grad_x, e_grads, _ = expected
    dtype, device = x.dtype, x.device
    tol = tol or tolerance(dtype, reduction=True)
    expect_tensor(q, out, e_out, inputs, dtype=dtype, device=device, what=tr("the output after load_state_dict", "load_state_dict 之后的输出"),
                  **tol)
    if type(after) is torch.Tensor and after.device.type != "meta" and tuple(after.shape) == tuple(x.shape) \
            and not torch.equal(after.cpu(), x.detach().cpu()):
        raise CheckFailure(q, tr("forward changed its input x in place; the caller still needs it: compute into new "
                              "tensors instead",
                              "forward 原地修改了它的输入 x；调用者还需要原来的 x：请把结果算到新张量里"), inputs)
    if type(after) is torch.Tensor and tuple(after.shape) != tuple(x.shape):
        raise CheckFailure(q, tr(f"forward changed the shape of its input x in place, to {tuple(after.shape)}",
                              f"forward 原地把输入 x 的形状改成了 {tuple(after.shape)}"), inputs)
    what = tr("the gradient of sum(out * upstream) with respect to {name}", "sum(out * upstream) 对 {name} 的梯度")
    if grad_x is None:
        raise CheckFailure(q, tr("no gradient flows back to the input x: keep forward in differentiable torch "
                              "operations (no .detach(), .data or .item())",
                              "没有梯度流回输入 x：forward 中请只用可求导的 torch 运算（不要用 .detach()、.data 或 "
                              ".item()）"), inputs)
    expect_tensor(q, grad_x, e_grad_x, inputs, dtype=dtype, device=device, what=what.format(name="x"), **tol)
    got_grads, e_grads = _pairs(grads), dict(e_grads)
    if got_grads is None:
        raise CheckFailure(q, _unexpected(), inputs, got=grads)
    for name, e in e_grads.items():
        g = got_grads.get(name)
        if g is None:
            raise CheckFailure(q, tr(f"no gradient reached the parameter `{name}`: forward must use it",
                                  f"没有梯度到达参数 `{name}`：forward 必须用到它"), inputs)
        expect_tensor(q, g, e, inputs, dtype=dtype, device=device, what=what.format(name=f"`{name}`"), **tol)


def check_linear_run(q: str, fn, in_features: int, out_features: int, bias: bool, batch: tuple,
                     dtype: torch.dtype, seed: int, device: str = "cpu", x_layout: Callable | None = None) -> None:
    """MyLinear with nn.Linear's weights loaded: outputs and gradients equal to nn.Linear's (float64, CPU)."""
    args, kwargs, state, x, upstream = linear_case(in_features, out_features, bias, batch, dtype, seed, device)
    if x_layout is not None:
        x = x_layout(x)
    inputs = {"in_features": in_features, "out_features": out_features, "bias": bias, "x": x}
    got = drive(q, fn, module_run, inputs, args, kwargs, state, x, upstream)
    if device == "meta":
        expected = module_run(nn.Linear, args, kwargs, state, x, upstream)
    else:
        expected = module_run(nn.Linear, args, kwargs, state, x.detach().cpu().double(), upstream.cpu().double())
    expect_module_run(q, got, expected, inputs, x=x)
