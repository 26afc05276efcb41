"""Assignment 4, "Single-layer networks and losses": questions, points and public checks (students see this file)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from ..compare import CheckFailure, call, expect_device_agnostic, expect_raises, expect_tensor, tolerance
from ..drivers import value_and_grad
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds, shapes
from ..transport import StudentError

REDUCTIONS = ("mean", "sum", "none")


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
        raise CheckFailure(q, f"computing the gradient of your result raised {exc}",
                           inputs) from None
    if type(value) is not torch.Tensor:
        raise CheckFailure(q, "the result should be a torch.Tensor", inputs, got=value)
    floats = [n for n, a in zip(names, args) if _is_float_tensor(a)]
    ref_args = {n: (a.detach().cpu().double().requires_grad_(n in wrt) if _is_float_tensor(a)
                    else a.cpu() if isinstance(a, torch.Tensor) else a) for n, a in inputs.items()}
    out = reference(*ref_args.values())
    weight = torch.ones_like(out) if upstream is None else upstream.detach().cpu().double()
    expected = torch.autograd.grad((out * weight).sum(), [ref_args[n] for n in wrt], allow_unused=True)
    for name, exp in zip(wrt, expected):
        got = grads[floats.index(name)] if len(grads) == len(floats) else None
        if got is None:
            raise CheckFailure(q, f"no gradient flows back to `{name}`: keep the computation in torch "
                               "(no .item(), .detach(), .data or numpy)", inputs)
        exp = torch.zeros_like(ref_args[name]) if exp is None else exp
        expect_tensor(q, got, exp, inputs, dtype=inputs[name].dtype, device=inputs[name].device,
                      what=f"the gradient with respect to `{name}`", **tol)


def expect_gradcheck(q: str, fn, reference: Callable, inputs: Mapping[str, Any], *, eps: float = 1e-6,
                     atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """gradcheck, decided here: autograd's Jacobian of the student's function (computed where it runs, in
    float64, by ``jacobians``) must agree with central differences of torch's ``reference`` at the same point,
    within gradcheck's tolerances."""
    try:
        got = fn.drive(jacobians, *inputs.values())
    except StudentError as exc:
        raise CheckFailure(q, f"computing the Jacobian of your result raised {exc}", inputs) from None
    names, args = list(inputs), list(inputs.values())
    base = [a.detach().cpu().double() if _is_float_tensor(a) else a.cpu() if isinstance(a, torch.Tensor) else a
            for a in args]
    positions = [i for i, a in enumerate(args) if _is_float_tensor(a)]
    out = reference(*base)
    if type(got) is not tuple or len(got) != 2 or type(got[1]) is not tuple or len(got[1]) != len(positions):
        raise CheckFailure(q, "the result should be a torch.Tensor", inputs, got=got[0] if type(got) is tuple else got)
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
            raise CheckFailure(q, f"the Jacobian with respect to `{names[i]}` could not be computed", inputs)
        bad = (jacobian.double() - numeric).abs() > atol + rtol * numeric.abs()
        if bool(bad.any()):
            row, col = (int(v) for v in bad.nonzero()[0])
            raise CheckFailure(q, "gradcheck (float64) failed: the gradient autograd computes for your function "
                               "does not match finite differences of the function it should compute", inputs,
                               detail=f"d(result element {row}) / d({names[i]} element {col}): autograd gives "
                                      f"{float(jacobian[row, col]):.6g}, finite differences "
                                      f"{float(numeric[row, col]):.6g}")


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


# ---- public checks ----------------------------------------------------------------------------------------
def sigmoid_public(fn):
    q = "sigmoid"
    z = torch.tensor([-1000.0, -10.0, 0.0, 10.0, 1000.0])
    expect_tensor(q, call(q, fn, z=z), torch.sigmoid(z.double()), {"z": z}, dtype=z.dtype, device=z.device,
                  what="the result for large |z|")
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
                  dtype=big.dtype, device=big.device, what="the result for [1010, 1000, 990]",
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
                      inputs, dtype=pred.dtype, device=pred.device, what="the result for an empty batch")
    p, t = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    expect_raises(q, fn, "ValueError", {"pred": p, "target": t, "reduction": "avg"},
                  "'avg' is not a reduction: use 'mean', 'sum' or 'none'")


def bce_public(fn):
    q = "bce"
    p, y = torch.tensor([0.0, 1.0, 0.5, 0.0]), torch.tensor([1.0, 0.0, 1.0, 0.0])
    inputs = {"p": p, "y": y, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs), F.binary_cross_entropy(p.double(), y.double(), reduction="none"),
                  inputs, dtype=p.dtype, device=p.device, what="the result for probabilities of exactly 0 and 1")

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
                      inputs, dtype=p.dtype, device=p.device, what="the result for an empty batch")


def bce_with_logits_public(fn):
    q = "bce_with_logits"
    z, y = torch.tensor([-1000.0, 0.0, 1000.0, 30.0]), torch.tensor([1.0, 0.0, 0.0, 1.0])
    inputs = {"z": z, "y": y, "reduction": "none"}
    expect_tensor(q, call(q, fn, **inputs),
                  F.binary_cross_entropy_with_logits(z.double(), y.double(), reduction="none"), inputs,
                  dtype=z.dtype, device=z.device, what="the result for large logits", **scaled_tolerance(z.dtype, z))

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
                  dtype=logits.dtype, device=logits.device, what="the result for large logits",
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
    gates = {-1.5: "AND gate", -1.0: "OR gate (x @ w + b is exactly 0 at [0, 1] and [1, 0], and step(0) = 1)"}
    for p in probes(q):
        x = p.inputs["x"]
        gate = gates.get(p.inputs["b"])
        expect_tensor(q, call(q, fn, **p.inputs), p.expected, p.inputs, dtype=x.dtype, device=x.device,
                      what=f"the {gate}" if gate else "the result")


def xor_forward_public(fn):
    q = "xor_forward"
    for p in probes(q):  # the XOR truth table in float32 and float64, answers stored
        x = p.inputs["x"]
        expect_tensor(q, call(q, fn, **p.inputs), p.expected, p.inputs, dtype=x.dtype, device=x.device,
                      what=f"the XOR truth table ({x.dtype})")
    expect_device_agnostic(q, fn, lambda x: torch.empty(x.shape[0], dtype=x.dtype, device=x.device),
                           x=torch.empty(4, 2, device="meta"))


ASSIGNMENT = Assignment(
    name="networks",
    number=4,
    title="Assignment 4: Single-layer networks and losses",
    questions=(
        Question("sigmoid", 2, "the logistic function, finite value and gradient for any z", sigmoid_public),
        Question("softmax", 3, "softmax along a dim that does not overflow", softmax_public),
        Question("mse", 2, "mean squared error with reduction 'mean', 'sum' or 'none'", mse_public),
        Question("bce", 3, "binary cross-entropy on probabilities, logs clamped at -100 like torch", bce_public),
        Question("bce_with_logits", 3, "binary cross-entropy on logits, stable for large logits",
                 bce_with_logits_public),
        Question("cross_entropy", 3, "multiclass cross-entropy from logits, picking with gather",
                 cross_entropy_public),
        Question("step_neuron", 2, "a neuron with a step activation: 1 where x @ w + b >= 0", step_neuron_public),
        Question("xor_forward", 2, "XOR as a two-layer network of step neurons", xor_forward_public),
    ),
)
