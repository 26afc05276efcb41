"""Assignment 4, "Single-layer networks and losses": questions, points, public checks and the drivers that
exercise the student's nn.Modules (students see this file)."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from ..compare import CheckFailure, call, drive, expect_device_agnostic, expect_raises, expect_tensor, tolerance
from ..drivers import value_and_grad
from ..i18n import say, tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds, shapes
from ..transport import StudentError

REDUCTIONS = ("mean", "sum", "none")


def _unexpected() -> str:
    """The sentence for a driver result of the wrong form, in the edition's language."""
    return tr("the driver got an unexpected result", "检查用的驱动函数得到了意外的结果")


# ---- drivers: run where the student's code runs, return plain data --------------------------------------
def jacobians(fn: Callable, *args: Any) -> tuple:
    """``fn(*args)`` with its float tensor arguments made float64 leaves, and autograd's Jacobian of the result
    with respect to each of them: ``(result, (jacobian, ...))``, a jacobian's row k holding the gradient of the
    result's element k (zeros where no gradient reaches), or ``(result, None)`` for a result that is not a
    tensor. Values only: the grader compares them with finite differences of torch's function."""
    positions = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point()]
    full = list(args)
    for i in positions:
        full[i] = args[i].detach().double().requires_grad_(True)
    leaves = [full[i] for i in positions]
    out = fn(*full)
    if type(out) is not torch.Tensor:
        return out, None
    flat = out.reshape(-1)
    rows = []
    for k in range(flat.numel()):
        grads = (torch.autograd.grad(flat[k], leaves, retain_graph=True, allow_unused=True) if flat.requires_grad
                 else (None,) * len(leaves))
        rows.append([torch.zeros(t.numel(), dtype=torch.float64) if g is None else g.detach().reshape(-1).double()
                     for g, t in zip(grads, leaves)])
    return out.detach(), tuple(torch.stack([row[j] for row in rows]) if rows
                               else torch.zeros(0, t.numel(), dtype=torch.float64) for j, t in enumerate(leaves))


# ---- helpers shared by the public checks and the hidden tests ---------------------------------------------
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


def binary_labels(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, shape, generator=g).to(dtype).to(device)


def class_labels(n: int, classes: int, seed: int, device: str = "cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, classes, (n,), generator=g).to(device)


TRUTH_TABLE = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# ---- nn.Module drivers: build the student's class where it runs, return plain data ------------------------
ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}


def _build(cls: Callable, args: tuple, kwargs: dict) -> Any:
    """``cls(*args, **kwargs)``, where an ``activation`` given by name ("Tanh") is passed as its class (nn.Tanh)."""
    kwargs = {k: ACTIVATIONS[v] if k == "activation" else v for k, v in kwargs.items()}
    return cls(*args, **kwargs)


def _items(module: Any) -> list:
    return [(name, t.detach().clone()) for name, t in module.state_dict().items()]


def module_init(cls: Callable, args: tuple, kwargs: dict, seed: int) -> tuple:
    """Build ``cls(*args, **kwargs)`` after ``torch.manual_seed(seed)``, again after the same seed, and once more
    right after that. Values only: ``(state_dict of the first as [(name, tensor)], of the second, of the third,
    [names in the first one's named_parameters()])``."""
    torch.manual_seed(seed)
    first = _build(cls, args, kwargs)
    torch.manual_seed(seed)
    again = _build(cls, args, kwargs)
    after = _build(cls, args, kwargs)
    return _items(first), _items(again), _items(after), [name for name, _ in first.named_parameters()]


def module_run(cls: Callable, args: tuple, kwargs: dict, state: list, x: torch.Tensor,
               upstream: torch.Tensor) -> tuple:
    """Build ``cls(*args, **kwargs)``, move it to x's device and dtype with ``.to()``, ``load_state_dict`` the
    ``[(name, tensor)]`` pairs in ``state``, call it on a copy of x that requires grad and backpropagate
    ``sum(out * upstream)``; then call it once more on a plain copy of x. Values only: ``(out, grad of x,
    [(name, grad)] over named_parameters(), the plain copy of x after the second call)``."""
    module = _build(cls, args, kwargs).to(device=x.device, dtype=x.dtype)
    module.load_state_dict({name: t.to(device=x.device, dtype=x.dtype) for name, t in state})
    leaf = x.detach().clone().requires_grad_(True)
    out = module(leaf)
    if type(out) is torch.Tensor and out.requires_grad and out.shape == upstream.shape:
        (out * upstream.to(out.device, out.dtype)).sum().backward()
    grads = [(name, None if p.grad is None else p.grad.detach().clone()) for name, p in module.named_parameters()]
    plain = x.detach().clone()
    module(plain)
    return (out.detach() if type(out) is torch.Tensor else out), leaf.grad, grads, plain


def reference_state(structure: list, seed: int) -> list:
    """Random float64 weights ``[(name, tensor)]`` for a state_dict structure ``[(name, shape)]``: values in
    [-1, 1], so every unit's pre-activation takes both signs."""
    return [(name, make_tensor(tuple(shape), torch.float64, seed + 11 * i, low=-1.0, high=1.0))
            for i, (name, shape) in enumerate(structure)]


def structure_of(items: list) -> list:
    """``[(name, shape)]`` of state_dict items ``[(name, tensor)]``."""
    return [(name, tuple(t.shape)) for name, t in items]


# ---- comparisons of what the module drivers return -----------------------------------------------------
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


# ---- public checks ----------------------------------------------------------------------------------------
def sigmoid_public(fn):
    q = "sigmoid"
    z = torch.tensor([-1000.0, -10.0, 0.0, 10.0, 1000.0])
    expect_tensor(q, call(q, fn, z=z), torch.sigmoid(z.double()), {"z": z}, dtype=z.dtype, device=z.device,
                  what=tr("the result for large |z|", "|z| 很大时的结果"))
    zg = torch.tensor([-1000.0, -10.0, 0.5, 10.0, 1000.0])
    expect_grad(q, fn, torch.sigmoid, {"z": zg}, wrt=("z",))

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, dtype, seed):
        x = make_tensor(shape, dtype, seed, low=-8, high=8)
        expect_tensor(q, call(q, fn, z=x), torch.sigmoid(x.double()), {"z": x}, dtype=dtype, device=x.device)

    run()


def softmax_public(fn):
    q = "softmax"
    big = torch.tensor([1010.0, 1000.0, 990.0])
    expect_tensor(q, call(q, fn, z=big, dim=0), torch.softmax(big.double(), 0), {"z": big, "dim": 0},
                  dtype=big.dtype, device=big.device, what=tr("the result for [1010, 1000, 990]", "[1010, 1000, 990] 的结果"),
                  **scaled_tolerance(big.dtype, big))

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(shape, data, dtype, seed):
        dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
        x = make_tensor(shape, dtype, seed)
        expect_tensor(q, call(q, fn, z=x, dim=dim), torch.softmax(x.double(), dim), {"z": x, "dim": dim},
                      dtype=dtype, device=x.device, **scaled_tolerance(dtype, x))

    run()


def mse_public(fn):
    q = "mse"

    @PUBLIC_SETTINGS
    @given(shape=shapes(1, 3, max_side=4), reduction=st.sampled_from(REDUCTIONS), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(shape, reduction, dtype, seed):
        pred, target = make_tensor(shape, dtype, seed), make_tensor(shape, dtype, seed + 1)
        inputs = {"pred": pred, "target": target, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.mse_loss(pred.double(), target.double(), reduction=reduction),
                      inputs, dtype=dtype, device=pred.device, **tolerance(dtype, reduction=True))

    run()
    for reduction in REDUCTIONS:  # an empty batch: the mean of nothing is nan (like torch), the sum 0
        pred, target = torch.empty(0, 3), torch.empty(0, 3)
        inputs = {"pred": pred, "target": target, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.mse_loss(pred.double(), target.double(), reduction=reduction),
                      inputs, dtype=pred.dtype, device=pred.device, what=tr("the result for an empty batch", "空批量的结果"))
    p, t = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    expect_raises(q, fn, "ValueError", {"pred": p, "target": t, "reduction": "avg"},
                  tr("'avg' is not a reduction: use 'mean', 'sum' or 'none'",
                     "'avg' 不是合法的归约方式：请用 'mean'、'sum' 或 'none'"))


def bce_public(fn):
    q = "bce"
    p, y = torch.tensor([0.0, 1.0, 0.5, 0.0]), torch.tensor([1.0, 0.0, 1.0, 0.0])
    inputs = {"p": p, "y": y, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction="none"),
                  inputs, dtype=p.dtype, device=p.device, what=tr("the result for probabilities of exactly 0 and 1", "概率恰好为 0 和 1 时的结果"))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, reduction, dtype, seed):
        p = make_tensor((n,), dtype, seed, low=0.01, high=0.99)
        y = binary_labels((n,), dtype, seed + 1)
        inputs = {"p": p, "y": y, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction=reduction),
                      inputs, dtype=dtype, device=p.device, **tolerance(dtype, reduction=True))

    run()
    for reduction in REDUCTIONS:  # an empty batch: the mean of nothing is nan (like torch), the sum 0
        p, y = torch.empty(0), torch.empty(0)
        inputs = {"p": p, "y": y, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction=reduction),
                      inputs, dtype=p.dtype, device=p.device, what=tr("the result for an empty batch", "空批量的结果"))


def bce_with_logits_public(fn):
    q = "bce_with_logits"
    z, y = torch.tensor([-1000.0, 0.0, 1000.0, 30.0]), torch.tensor([1.0, 0.0, 0.0, 1.0])
    inputs = {"z": z, "y": y, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs),
                  F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction="none"), inputs,
                  dtype=z.dtype, device=z.device, what=tr("the result for large logits", "logits 很大时的结果"), **scaled_tolerance(z.dtype, z))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 6), reduction=st.sampled_from(REDUCTIONS), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, reduction, dtype, seed):
        z = make_tensor((n,), dtype, seed, low=-6, high=6)
        y = binary_labels((n,), dtype, seed + 1)
        inputs = {"z": z, "y": y, "reduction": reduction}
        expected = F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction=reduction)
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=z.device,
                      **scaled_tolerance(dtype, z))

    run()


def cross_entropy_public(fn):
    q = "cross_entropy"
    logits, target = torch.tensor([[1010.0, 1000.0, 990.0], [0.0, 0.0, 0.0]]), torch.tensor([0, 2])
    inputs = {"logits": logits, "target": target, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs), F.cross_entropy(logits.double(), target, reduction="none"), inputs,
                  dtype=logits.dtype, device=logits.device, what=tr("the result for large logits", "logits 很大时的结果"),
                  **scaled_tolerance(logits.dtype, logits))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 4), c=st.integers(2, 4), reduction=st.sampled_from(REDUCTIONS),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, c, reduction, dtype, seed):
        logits = make_tensor((n, c), dtype, seed)
        target = class_labels(n, c, seed + 1)
        inputs = {"logits": logits, "target": target, "reduction": reduction}
        expect_tensor(q, call(q, fn, **inputs), F.cross_entropy(logits.double(), target, reduction=reduction), inputs,
                      dtype=dtype, device=logits.device, **scaled_tolerance(dtype, logits))

    run()


def step_neuron_public(fn):
    # torch has no step neuron to compare with: the right outputs are stored probes (kitcheck/data/networks.pt),
    # the AND and OR gates on the truth table first, then random float64 inputs with b = 0.5.
    q = "step_neuron"
    gates = {-1.5: tr("the AND gate", "与门的结果"),
             -1.0: tr("the OR gate (x @ w + b is exactly 0 at [0, 1] and [1, 0], and step(0) = 1)",
                      "或门的结果（在 [0, 1] 和 [1, 0] 处 x @ w + b 恰好为 0，而 step(0) = 1）")}
    for p in probes(q):
        x = p.inputs["x"]
        gate = gates.get(p.inputs["b"])
        expect_tensor(q, call(q, fn, **p.inputs), p.expected, p.inputs, dtype=x.dtype, device=x.device,
                      what=gate or say("the_result"))


def xor_forward_public(fn):
    q = "xor_forward"
    for p in probes(q):  # the XOR truth table in float32 and float64, answers stored
        x = p.inputs["x"]
        expect_tensor(q, call(q, fn, **p.inputs), p.expected, p.inputs, dtype=x.dtype, device=x.device,
                      what=tr(f"the XOR truth table ({x.dtype})", f"异或真值表（{x.dtype}）的结果"))
    expect_device_agnostic(q, fn, lambda x: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(4, 2, device="meta"))


def linear_case(in_features: int, out_features: int, bias: bool, batch: tuple, dtype: torch.dtype, seed: int,
                device: str = "cpu") -> tuple:
    """Inputs of one MyLinear run: ``(args, kwargs, state, x, upstream)``, the state shaped like nn.Linear's."""
    structure = [("weight", (out_features, in_features))] + ([("bias", (out_features,))] if bias else [])
    state = reference_state(structure, seed)
    x = make_tensor((*batch, in_features), dtype, seed + 1, device)
    upstream = make_tensor((*batch, out_features), dtype, seed + 2, device, low=0.5, high=1.5)
    return (in_features, out_features), {"bias": bias}, state, x, upstream


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


def MyLinear_public(fn):
    q = "MyLinear"
    for in_features, out_features, bias in [(3, 2, True), (4, 3, False)]:
        inputs = {"in_features": in_features, "out_features": out_features, "bias": bias}
        expected = structure_of(module_init(nn.Linear, (in_features, out_features), {"bias": bias}, 0)[0])
        got = drive(q, fn, module_init, inputs, (in_features, out_features), {"bias": bias}, 0)
        expect_structure(q, got, expected, inputs)
    for in_features, out_features, bias in [(64, 32, True), (32, 64, False)]:
        inputs = {"in_features": in_features, "out_features": out_features, "bias": bias, "seed": 1}
        got = drive(q, fn, module_init, inputs, (in_features, out_features), {"bias": bias}, 1)
        expect_linear_init(q, got, in_features, out_features, bias, inputs)
    for in_features, out_features, bias, batch, dtype in [(3, 2, True, (5,), torch.float32),
                                                          (4, 3, False, (2, 3), torch.float64),
                                                          (2, 4, True, (), torch.float64)]:
        check_linear_run(q, fn, in_features, out_features, bias, batch, dtype, seed=in_features)
    check_linear_run(q, fn, 3, 2, True, (4,), torch.float32, seed=5, x_layout=lambda x: x.T.contiguous().T)
    check_linear_run(q, fn, 3, 2, False, (4,), torch.float32, seed=6, device="meta")


def mlp_structure(sizes: list) -> list:
    """The state_dict of an MLP over ``sizes``: ``layers.i`` is nn.Linear(sizes[i], sizes[i + 1])."""
    return [item for i, (a, b) in enumerate(zip(sizes, sizes[1:]))
            for item in ((f"layers.{i}.weight", (b, a)), (f"layers.{i}.bias", (b,)))]


def mlp_case(sizes: list, batch: int, dtype: torch.dtype, seed: int, device: str = "cpu") -> tuple:
    """Inputs of one MLP run: ``(state, x, upstream)``."""
    state = reference_state(mlp_structure(sizes), seed)
    x = make_tensor((batch, sizes[0]), dtype, seed + 1, device, low=-2.0, high=2.0)
    upstream = make_tensor((batch, sizes[-1]), dtype, seed + 2, device, low=0.5, high=1.5)
    return state, x, upstream


def check_mlp_structure(q: str, fn, sizes: list, activation: str) -> None:
    inputs = {"sizes": sizes, "activation": f"nn.{activation}"}
    got = drive(q, fn, module_init, inputs, (sizes,), {"activation": activation}, 0)
    expect_structure(q, got, mlp_structure(sizes), inputs)


def MLP_public(fn):
    q = "MLP"
    # torch has no MLP to compare with: the outputs and gradients for these weights are stored probes.
    for p in probes(q):
        sizes, activation = p.inputs["sizes"], p.inputs["activation"]
        check_mlp_structure(q, fn, sizes, activation)
        x = p.inputs["x"]
        inputs = {"sizes": sizes, "activation": f"nn.{activation}", "x": x}
        got = drive(q, fn, module_run, inputs, (sizes,), {"activation": activation}, p.inputs["state"], x,
                    p.inputs["upstream"])
        expect_module_run(q, got, p.expected, inputs, x=x)
    state, x, upstream = mlp_case([3, 4, 2], 2, torch.float32, 0, "meta")
    inputs = {"sizes": [3, 4, 2], "activation": "nn.ReLU", "x": x}
    got = drive(q, fn, module_run, inputs, ([3, 4, 2],), {"activation": "ReLU"}, state, x, upstream)
    if type(got) is not tuple or len(got) != 4:
        raise CheckFailure(q, _unexpected(), inputs, got=got)
    expect_tensor(q, got[0], torch.empty(2, 2, device="meta"), inputs, dtype=x.dtype, device="meta",
                  what=tr("the output for an input on another device", "输入在其他设备上时的输出"))


ASSIGNMENT = Assignment(
    name="networks",
    number=4,
    title="Assignment 4: Single-layer networks and losses",
    title_zh="作业 4：单层神经网络与损失函数",
    questions=(
        Question("sigmoid", 2, "the logistic function, finite value and gradient for any z", sigmoid_public,
                 summary_zh="Sigmoid（逻辑）函数：对任意 z 的值和梯度都是有限的"),
        Question("softmax", 3, "softmax along a dim that does not overflow", softmax_public,
                 summary_zh="沿某一维度且不会溢出的 softmax"),
        Question("mse", 2, "mean squared error with reduction 'mean', 'sum' or 'none'", mse_public,
                 summary_zh="均方误差，reduction 可取 'mean'、'sum' 或 'none'"),
        Question("bce", 3, "binary cross-entropy on probabilities, logs clamped at -100 like torch", bce_public,
                 summary_zh="基于概率的二分类交叉熵，对数值像 torch 一样截断在 -100"),
        Question("bce_with_logits", 3, "binary cross-entropy on logits, stable for large logits",
                 bce_with_logits_public,
                 summary_zh="基于 logits 的二分类交叉熵，logits 很大时也数值稳定"),
        Question("cross_entropy", 3, "multiclass cross-entropy from logits, picking with gather",
                 cross_entropy_public,
                 summary_zh="基于 logits 的多分类交叉熵，用 gather 取出对应项"),
        Question("step_neuron", 2, "a neuron with a step activation: 1 where x @ w + b >= 0", step_neuron_public,
                 summary_zh="阶跃激活的神经元：x @ w + b >= 0 处输出 1"),
        Question("xor_forward", 2, "XOR as a two-layer network of step neurons", xor_forward_public,
                 summary_zh="用两层阶跃神经元网络实现异或（XOR）"),
        Question("MyLinear", 4, "nn.Linear as an nn.Module: weight and bias nn.Parameters, their initialisation, "
                 "forward", MyLinear_public,
                 summary_zh="以 nn.Module 实现的 nn.Linear：权重和偏置是 nn.Parameter，含初始化与前向传播"),
        Question("MLP", 3, "a multilayer perceptron as an nn.Module: nn.Linear layers in an nn.ModuleList, an "
                 "activation between them", MLP_public,
                 summary_zh="以 nn.Module 实现的多层感知机：nn.ModuleList 中的 nn.Linear 层，层间有激活函数"),
    ),
)
