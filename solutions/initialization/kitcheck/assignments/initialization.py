"""Assignment 6, "Gradient stability and weight initialisation": questions, points, public checks and the
drivers that exercise the student's in-place initialisers, model-wide initialisation and hooks (students
see this file)."""
from __future__ import annotations

import math

import torch
from hypothesis import given
from torch import nn
from torch.overrides import TorchFunctionMode

from ..compare import CheckFailure, call, drive, expect_equal, expect_raises, expect_tensor, tolerance
from ..i18n import tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import PUBLIC_SETTINGS, make_tensor, shapes

# Weight shapes with at least 4096 elements (enough for tight statistics) whose fan-in and fan-out differ
# by a factor of at least 2 (so swapping them changes the scale by at least sqrt(2)): nn.Linear (out, in),
# Conv1d (out, in, k), Conv2d (out, in, kh, kw) and Conv3d weights.
INIT_SHAPES = [(128, 32), (32, 128), (64, 16, 3, 3), (16, 64, 3, 3), (48, 24, 5), (32, 8, 3, 3, 3)]
NONLINEARITIES = ["leaky_relu", "relu", "linear", "sigmoid", "tanh"]


# ------------------------------------------------------------------------------------------ drivers
# What the drivers add in place after the student's function returns: the same tensor (or model) seen through
# what the function returned shows the shift; a copy or another object does not.
SHIFT = 0.5


def grad_weights(shape, dtype=torch.float32, device="cpu") -> torch.Tensor:
    """The weights w of ``sum(tensor * w)``, whose gradient with respect to the tensor is w itself."""
    n = math.prod(shape)
    return (torch.arange(n, dtype=dtype, device=device).reshape(shape) + 1) / max(n, 1)


def run_init(init, shape, dtype=torch.float32, device="cpu", seed=0, as_parameter=False, **kwargs):
    """Make a NaN-filled tensor (an ``nn.Parameter`` if asked), seed torch, call ``init(tensor, **kwargs)``.

    Returns values only: ``(the tensor's values afterwards, what init returned after SHIFT was added to the
    tensor in place, the gradient of sum(tensor * grad_weights(shape)) with respect to the tensor)``; the
    gradient is None when the tensor no longer requires grad (or was not an ``nn.Parameter``).
    """
    tensor = torch.full(shape, float("nan"), dtype=dtype, device=device)
    if as_parameter:
        tensor = nn.Parameter(tensor)
    with torch.random.fork_rng(devices=[]):  # leave the notebook's own random state alone
        torch.manual_seed(seed)
        returned = init(tensor, **kwargs)
    values = tensor.detach().clone()
    with torch.no_grad():
        tensor.add_(SHIFT)
    seen = returned.detach().clone() if isinstance(returned, torch.Tensor) else returned
    grad = None
    if as_parameter and tensor.requires_grad:
        (grad,) = torch.autograd.grad((tensor * grad_weights(shape, dtype, device)).sum(), tensor)
    return values, seen, grad


class _GeneratorLog(TorchFunctionMode):
    """Records every torch call given a ``torch.Generator``: (the call, the generator's device type, the device
    type of what it made). A CPU generator that draws numbers for another device works on ``meta`` but fails on
    a GPU; this log shows it on any machine."""

    def __init__(self):
        super().__init__()
        self.records: list[tuple] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        g = kwargs.get("generator")
        if g is None:
            g = next((a for a in args if isinstance(a, torch.Generator)), None)
        if isinstance(g, torch.Generator):
            made = out.device.type if isinstance(out, torch.Tensor) else None
            self.records.append((str(getattr(func, "__name__", "a call")), g.device.type, made))
        return out


def run_init_audit(init, shape, dtype=torch.float32, device="cpu", seeds=(0, 0, 1), **kwargs):
    """Call ``init`` on a fresh NaN tensor once per seed in ``seeds`` (``torch.manual_seed(seed)`` first), with
    every use of a ``torch.Generator`` recorded. Returns values only: ``([the tensor's values after each call],
    [(call, generator device type, device type made)])``."""
    values, log = [], _GeneratorLog()
    for seed in seeds:
        tensor = torch.full(shape, float("nan"), dtype=dtype, device=device)
        with torch.random.fork_rng(devices=[]):  # leave the notebook's own random state alone
            torch.manual_seed(seed)
            with log:
                init(tensor, **kwargs)
        values.append(tensor.detach().clone())
    return values, log.records


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


class TwoTower(nn.Module):
    """A model that is not a Sequential: layers are attributes, some of them nested."""

    def __init__(self):
        super().__init__()
        self.left = nn.Linear(6, 5)
        self.right = nn.Sequential(nn.Conv2d(2, 3, 3, bias=False), nn.BatchNorm2d(3), nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(12, 4), nn.Tanh()), nn.Linear(4, 2))


def build_model(arch: str, seed: int = 0, dtype=torch.float32, device="cpu") -> nn.Module:
    """The small models the tests initialise, rebuilt identically from plain arguments."""
    with torch.random.fork_rng(devices=[]):  # leave the notebook's own random state alone
        torch.manual_seed(seed)
        return _build_model(arch).to(device=device, dtype=dtype)


def _build_model(arch: str) -> nn.Module:
    model: nn.Module
    if arch == "mlp":
        model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    elif arch == "nested":
        model = nn.Sequential(nn.Sequential(nn.Linear(5, 8), nn.ReLU()),
                              nn.Sequential(nn.Linear(8, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU()),
                              nn.Linear(8, 3))
    elif arch == "conv":
        model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.Conv2d(4, 4, 3, bias=False), nn.Flatten(), nn.Linear(16, 3))
    elif arch == "towers":
        model = TwoTower()
    else:
        raise ValueError(f"unknown architecture {arch!r}")
    return model


WEIGHT_INITS = {
    "xavier_uniform_": nn.init.xavier_uniform_,
    "kaiming_normal_": nn.init.kaiming_normal_,
    "ones_": nn.init.ones_,
}


def run_init_model(init_model, arch, weight_init, bias=0.0, seed=0, dtype=torch.float32, device="cpu"):
    """Build model ``arch``, call ``init_model(model, WEIGHT_INITS[weight_init], bias)`` under a fixed seed
    (without ``bias`` when it is None, to use the default).

    Returns values only: ``(the model's state_dict as a list of (name, tensor) pairs, the state_dict of what
    init_model returned, read after SHIFT was added in place to every float entry of the model's state)``;
    None in place of the second list when init_model did not return a module.
    """
    model = build_model(arch, seed, dtype, device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed + 1)
        if bias is None:  # the default bias
            returned = init_model(model, WEIGHT_INITS[weight_init])
        else:
            returned = init_model(model, WEIGHT_INITS[weight_init], bias)
    state = [(k, v.detach().clone()) for k, v in model.state_dict().items()]
    with torch.no_grad():
        for v in model.state_dict().values():
            if v.is_floating_point():
                v.add_(SHIFT)
    seen = ([(k, v.detach().clone()) for k, v in returned.state_dict().items()]
            if isinstance(returned, nn.Module) else None)
    return state, seen


def make_mlp(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float32, device="cpu",
             dead_units=0) -> nn.Sequential:
    """Linear layers of the given sizes with ``activation`` between them (none after the last).

    ``nested`` groups each Linear with its activation in a sub-Sequential. ``dead_units`` sets that many
    biases of each hidden layer to -100 (those ReLUs never fire) and as many to +100 (they always do).
    """
    with torch.random.fork_rng(devices=[]):  # leave the notebook's own random state alone
        torch.manual_seed(seed)
        return _make_mlp(sizes, activation, nested, dead_units).to(device=device, dtype=dtype)


def _make_mlp(sizes, activation, nested, dead_units) -> nn.Sequential:
    act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[activation]
    blocks: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(a, b)
        if i < len(sizes) - 2:
            if dead_units:
                with torch.no_grad():
                    order = torch.randperm(b)
                    linear.bias[order[:dead_units]] = -100.0
                    linear.bias[order[dead_units:2 * dead_units]] = 100.0
            blocks.append(nn.Sequential(linear, act()) if nested else linear)
            if not nested:
                blocks.append(act())
        else:
            blocks.append(linear)
    return nn.Sequential(*blocks)


def mlp_problem(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float32, device="cpu",
                dead_units=0, n=8):
    """A model from ``make_mlp`` and inputs x (n, sizes[0]), targets y (n, sizes[-1])."""
    model = make_mlp(sizes, activation, nested, seed, dtype, device, dead_units)
    x = make_tensor((n, sizes[0]), dtype, seed + 1).to(device)
    y = make_tensor((n, sizes[-1]), dtype, seed + 2).to(device)
    return model, x, y


def run_layer_grad_norms(fn, sizes, activation="sigmoid", nested=False, stale=False, seed=0,
                         dtype=torch.float32, device="cpu"):
    """Build an MLP problem (with old gradients left in ``.grad`` if ``stale``), call ``fn(model, x, y)``.

    Returns ``(what fn returned, [the model's parameters afterwards])``: the grader compares them with the
    parameters the model was built with (``mlp_parameters``).
    """
    model, x, y = mlp_problem(sizes, activation, nested, seed, dtype, device)
    if stale:
        (model(x).sum() * 10).backward()
    result = fn(model, x, y)
    return result, [p.detach().clone() for p in model.parameters()]


def run_model_audit(fn, question, sizes, nested=False, seed=0, dtype=torch.float32, default_device=None):
    """Build the problem of ``question`` ("layer_grad_norms": a sigmoid MLP and (x, y); "dead_relu_fraction": a
    ReLU MLP with dead units and x) on the CPU and call the student's ``fn`` once, with the default device set to
    ``default_device`` during the call if given (a tensor made without the input's device lands there).

    Returns values only: ``(the result, [x (and y) afterwards], [requires_grad of each parameter afterwards],
    the model's training flag afterwards)``; the grader compares them with what it built."""
    if question == "layer_grad_norms":
        model, x, y = mlp_problem(sizes, "sigmoid", nested, seed, dtype)
        args = (model, x, y)
    else:
        model, x, _ = mlp_problem(sizes, "relu", nested, seed, dtype, dead_units=1, n=6)
        args = (model, x)
    if default_device is None:
        result = fn(*args)
    else:
        with torch.device(default_device):
            result = fn(*args)
    return (result, [a.detach().clone() for a in args[1:]], [p.requires_grad for p in model.parameters()],
            model.training)


def run_init_model_audit(init_model, arch, weight_init, bias=0.0, seed=0, dtype=torch.float32):
    """Call ``init_model`` on model ``arch``. Returns values only: ``([whether each parameter afterwards is the
    very object the model had before], [requires_grad of each], the number of parameters before)``: an
    optimiser made before initialisation holds the old objects."""
    model = build_model(arch, seed, dtype)
    before = list(model.parameters())
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed + 1)
        init_model(model, WEIGHT_INITS[weight_init], bias)
    after = list(model.parameters())
    return [a is b for a, b in zip(after, before)], [p.requires_grad for p in after], len(before)


def mlp_parameters(sizes, activation="sigmoid", nested=False, seed=0, dtype=torch.float32, device="cpu") -> list:
    """The parameters of ``make_mlp(...)``, as built (what ``run_layer_grad_norms`` must leave unchanged)."""
    return [p.detach().clone() for p in make_mlp(sizes, activation, nested, seed, dtype, device).parameters()]


def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def run_dead_relu_fraction(fn, sizes, nested=False, dead_units=2, seed=0, dtype=torch.float32, device="cpu", n=6):
    """Build a ReLU MLP with some dead units, call ``fn(model, x)`` twice.

    Returns ``(first result, second result, hooks left on the model and globally afterwards)``. The count is
    the student's own report, the one the grader cannot check: a hook left behind changes no value it could
    ask for.
    """
    model, x, _ = mlp_problem(sizes, "relu", nested, seed, dtype, device, dead_units, n)
    global_hooks = torch.nn.modules.module._global_forward_hooks
    before = len(global_hooks)
    first = fn(model, x)
    second = fn(model, x)
    return first, second, _hook_count(model) + len(global_hooks) - before


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


# ------------------------------------------------------------------------------------ public checks
def fan_in_and_fan_out_public(fn):
    q = "fan_in_and_fan_out"

    def expect_torch_fans(shape):  # torch.nn.init's own fans are the oracle
        expected = tuple(nn.init._calculate_fan_in_and_fan_out(torch.empty(shape, device="meta")))
        expect_equal(q, call(q, fn, shape=shape), expected, {"shape": shape})

    for shape in [(2, 4), (4, 2), (6, 3, 5, 5), (8, 4, 3), (3, 2, 2, 2, 2)]:
        expect_torch_fans(shape)
    expect_raises(q, fn, "ValueError", {"shape": (5,)}, tr("a 1-D tensor, such as a bias, has no fan-in and fan-out",
                                                                 "一维张量（例如偏置）没有扇入和扇出"))

    @PUBLIC_SETTINGS
    @given(shape=shapes(2, 4, max_side=4))
    def run(shape):
        expect_torch_fans(shape)

    run()


def _init_public(q, fn, kind):
    for p in probes(q):  # the arguments (shape, gain or a/mode/nonlinearity, seed, ...) and the right scale
        check_init(q, fn, kind, p.expected, **p.inputs)


def xavier_uniform__public(fn):
    _init_public("xavier_uniform_", fn, "uniform")


def xavier_normal__public(fn):
    _init_public("xavier_normal_", fn, "normal")


def kaiming_uniform__public(fn):
    _init_public("kaiming_uniform_", fn, "uniform")


def kaiming_normal__public(fn):
    _init_public("kaiming_normal_", fn, "normal")


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


def init_model__public(fn):
    q = "init_model_"
    for p in probes(q):  # a model, nn.init.ones_ and a bias; the model's state_dict afterwards
        arch, weight_init, bias = p.inputs["arch"], p.inputs["weight_init"], p.inputs["bias"]
        inputs = {"model": arch, "weight_init": f"nn.init.{weight_init}", "bias": bias}
        got = drive(q, fn, run_init_model, inputs, arch, weight_init, bias)
        expect_state(q, got, p.expected, inputs, dtype=torch.float32, device="cpu")


def layer_grad_norms_public(fn):
    q = "layer_grad_norms"
    for p in probes(q):  # an MLP problem (float64); one gradient norm per nn.Linear
        sizes, activation, nested, stale, seed = (p.inputs[k] for k in ("sizes", "activation", "nested", "stale",
                                                                        "seed"))
        inputs = {"sizes": sizes, "activation": activation, "nested": nested, tr("old gradients in .grad", ".grad 中留有旧梯度"): stale,
                  "seed": seed}
        got = drive(q, fn, run_layer_grad_norms, inputs, sizes, activation, nested, stale, seed, torch.float64)
        expect_grad_norms(q, got, p.expected, inputs, dtype=torch.float64, device="cpu",
                          before=mlp_parameters(sizes, activation, nested, seed, torch.float64))
    for p in probes(q)[:2]:  # the same models in float32: the norms keep the model's dtype
        sizes, activation, nested, stale, seed = (p.inputs[k] for k in ("sizes", "activation", "nested", "stale",
                                                                        "seed"))
        inputs = {"sizes": sizes, "activation": activation, "nested": nested, tr("old gradients in .grad", ".grad 中留有旧梯度"): stale,
                  "seed": seed, "dtype": torch.float32}
        got = drive(q, fn, run_layer_grad_norms, inputs, sizes, activation, nested, stale, seed, torch.float32)
        expect_grad_norms(q, got, p.expected, inputs, dtype=torch.float32, device="cpu",
                          before=mlp_parameters(sizes, activation, nested, seed, torch.float32))


def dead_relu_fraction_public(fn):
    q = "dead_relu_fraction"
    for p in probes(q):  # a ReLU MLP with dead units (float64); one fraction per nn.ReLU
        sizes, nested, dead, seed = (p.inputs[k] for k in ("sizes", "nested", "dead_units", "seed"))
        inputs = {"sizes": sizes, "nested": nested, tr("dead units per layer", "每层死亡的神经元数"): dead, "seed": seed}
        got = drive(q, fn, run_dead_relu_fraction, inputs, sizes, nested, dead, seed, torch.float64)
        expect_dead_fractions(q, got, p.expected, inputs, device="cpu")
    for p in probes(q)[:1]:  # the same model in float32
        sizes, nested, dead, seed = (p.inputs[k] for k in ("sizes", "nested", "dead_units", "seed"))
        inputs = {"sizes": sizes, "nested": nested, tr("dead units per layer", "每层死亡的神经元数"): dead, "seed": seed, "dtype": torch.float32}
        got = drive(q, fn, run_dead_relu_fraction, inputs, sizes, nested, dead, seed, torch.float32)
        expect_dead_fractions(q, got, p.expected, inputs, device="cpu")


ASSIGNMENT = Assignment(
    name="initialization",
    number=6,
    title="Assignment 6: Gradient stability and weight initialisation",
    title_zh="作业 6：梯度稳定性与参数初始化",
    questions=(
        Question("layer_grad_norms", 3, "the norm of each Linear layer's weight gradient", layer_grad_norms_public,
                 summary_zh="每个 Linear 层权重梯度的范数"),
        Question("dead_relu_fraction", 3, "the fraction of dead units of each ReLU, with forward hooks",
                 dead_relu_fraction_public,
                 summary_zh="用前向钩子统计每个 ReLU 中“死亡”单元的比例"),
        Question("fan_in_and_fan_out", 2, "fan-in and fan-out of a linear or conv weight shape",
                 fan_in_and_fan_out_public,
                 summary_zh="全连接层或卷积层权重形状的 fan-in 和 fan-out"),
        Question("xavier_uniform_", 3, "Xavier (Glorot) uniform initialisation, in place", xavier_uniform__public,
                 mutates=(0,),
                 summary_zh="Xavier（Glorot）均匀分布初始化，原地修改"),
        Question("xavier_normal_", 2, "Xavier (Glorot) normal initialisation, in place", xavier_normal__public,
                 mutates=(0,),
                 summary_zh="Xavier（Glorot）正态分布初始化，原地修改"),
        Question("kaiming_uniform_", 3, "Kaiming (He) uniform initialisation with a, mode, nonlinearity",
                 kaiming_uniform__public, mutates=(0,),
                 summary_zh="Kaiming（He）均匀分布初始化，含参数 a、mode、nonlinearity"),
        Question("kaiming_normal_", 3, "Kaiming (He) normal initialisation with a, mode, nonlinearity",
                 kaiming_normal__public, mutates=(0,),
                 summary_zh="Kaiming（He）正态分布初始化，含参数 a、mode、nonlinearity"),
        Question("init_model_", 3, "initialise every Linear and Conv2d layer of a model", init_model__public,
                 mutates=(0,),
                 summary_zh="初始化模型中的每个 Linear 层和 Conv2d 层"),  # the in-place exercises change their first argument on purpose
    ),
)
