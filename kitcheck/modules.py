"""Module drivers: build a student's ``nn.Module`` where it lives and report plain data about it, and the
checks that compare those reports with the expected ones.

``make`` is what the student wrote: a module class, or a function that returns a module; it is built as
``make(*args)``. The drivers report values (names and shapes, outputs, gradients, buffers) and never verdicts
(see ``kitcheck.drivers``); ``expect_structure`` and ``expect_module_report`` judge them.

Ships only with the assignments whose checks build modules (``Assignment.runtime``).
"""
from __future__ import annotations

import math
import zlib
from typing import Any, Callable, Mapping

import torch

from .compare import CheckFailure, drive, expect_tensor
from .drivers import seed_torch
from .i18n import tr


# ---- drivers: run where the student's code runs ----------------------------------------------------------
def build(make: Callable, args: tuple, meta: bool = False) -> Any:
    """``make(*args)`` with torch's generator seeded (the same initial weights every time). ``meta``: made on the
    meta device, shapes only (AlexNet's 61 million parameters cost no memory and no time)."""
    seed_torch(0)
    if meta:
        with torch.device("meta"):
            return make(*args)
    return make(*args)


def module_structure(make: Callable, *args: Any) -> dict:
    """Driver: ``make(*args)``, made on the meta device: its parameter and buffer names with their shapes, and
    its leaf sub-modules' names and class names, in order. ``module_run`` loads weights by these names,
    strictly, so a report that lies about them is contradicted there."""
    module = build(make, args, meta=True)
    # Lists, not tuples: () is one shared object in Python, and the grader refuses containers met twice.
    return {"parameters": {n: list(p.shape) for n, p in module.named_parameters()},
            "buffers": {n: list(b.shape) for n, b in module.named_buffers()},
            "layers": [[n, type(m).__name__] for n, m in module.named_modules() if n and not list(m.children())]}


def state_shapes(structure: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The shapes of every parameter and buffer by name (what ``make_state`` takes), from a structure with
    ``"parameters"`` and ``"buffers"``."""
    return {**structure["parameters"], **structure["buffers"]}


def make_state(shapes: Mapping[str, Any], dtype: torch.dtype, seed: int, device: str = "cpu") -> dict:
    """Known values for every parameter and buffer in ``shapes`` (name -> shape, as in a ``state_dict``).

    Each name draws from its own seed, so the order of the modules does not matter. Weights are scaled by
    1/sqrt(fan-in) and biases are near 0. A batch norm (a name ``<p>.running_var`` beside ``<p>.weight``) gets
    scales near 1, running means near 0, positive running variances and ``num_batches_tracked`` 3."""
    state = {}
    for name, shape in shapes.items():
        shape = tuple(shape)
        prefix, _, leaf = name.rpartition(".")
        if leaf == "num_batches_tracked":
            state[name] = torch.tensor(3, device=device)
            continue
        g = torch.Generator().manual_seed(seed * 7919 + zlib.crc32(name.encode()))
        r = torch.randn(shape, generator=g, dtype=torch.float64)
        norm = f"{prefix}.running_var" in shapes
        if norm and leaf == "running_var":
            value = 0.5 + torch.rand(shape, generator=g, dtype=torch.float64)
        elif norm and leaf in ("running_mean", "bias"):
            value = 0.2 * r
        elif norm and leaf == "weight":
            value = 1.0 + 0.3 * r
        elif len(shape) <= 1:
            value = 0.1 * r
        else:
            value = r / math.sqrt(math.prod(shape[1:]))
        state[name] = value.to(dtype).to(device)
    return state


def loaded(make: Callable, args: tuple, state: Mapping[str, torch.Tensor], x: torch.Tensor) -> Any:
    """``make(*args)`` on ``x``'s device and dtype, with ``state`` loaded (strictly: every name must match)."""
    module = build(make, args).to(device=x.device, dtype=x.dtype)
    module.load_state_dict(state)
    return module


def module_run(make: Callable, args: tuple, state: dict, x: torch.Tensor, upstream: torch.Tensor,
               training: bool) -> tuple:
    """Driver: build ``make(*args)``, load ``state``, run it on ``x`` in training or evaluation mode and
    backpropagate ``upstream``. Returns ``(out, grad_x, [(name, grad), ...], [(name, buffer), ...])``: the
    output, the gradients of the input and of each parameter, and the buffers after the call."""
    module = loaded(make, args, state, x)
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


def module_forward(make: Callable, args: tuple, x: torch.Tensor, training: bool, seed: int | None = None) -> tuple:
    """Driver: ``make(*args)`` on ``x``'s device and dtype (with ``make_state`` of its own names and ``seed``
    loaded, given a seed), called on ``x`` without gradients. Returns ``(out, x after the call)``: the input
    must come back unchanged."""
    module = build(make, args).to(device=x.device, dtype=x.dtype)
    if seed is not None:
        shapes = {n: list(t.shape) for n, t in module.state_dict().items()}
        module.load_state_dict(make_state(shapes, x.dtype, seed, str(x.device)))
    module.train(training)
    with torch.no_grad():
        out = module(x)
    return (out.detach() if type(out) is torch.Tensor else out), x


# ---- checks: run by the grader (or the notebook's check()) on what the drivers report ----------------------
def _describe(names: Mapping[str, Any], keys) -> str:
    return ", ".join(f"{k} {tuple(names[k])}" for k in keys)


def expect_structure(q: str, fn, args: tuple, expected: Mapping[str, Any], shown: Mapping[str, Any]) -> None:
    """``fn(*args)``'s parameters and buffers must have exactly the names and shapes of ``expected["parameters"]``
    and ``expected["buffers"]`` (tests load weights by name; the parameter count follows), and, where
    ``expected`` has ``"layers"`` (``[[name, class name], ...]``), its leaf layers these classes, in this order."""
    got = drive(q, fn, module_structure, shown, *args)
    if type(got) is not dict or any(type(got.get(k)) is not want for k, want in
                                    (("parameters", dict), ("buffers", dict), ("layers", list))):
        raise CheckFailure(q, tr("could not list the module's parameters and layers", "无法列出模块的参数和层"),
                           shown, got=got)
    for kind in ("parameters", "buffers"):
        have, want = got[kind], expected[kind]
        missing = [k for k in want if k not in have]
        extra = [k for k in have if k not in want]
        wrong = [k for k in want if k in have and list(have[k]) != list(want[k])]
        if missing or extra or wrong:
            lines = []
            if missing:
                lines.append(tr("missing: ", "缺少：") + _describe(want, missing))
            if extra:
                lines.append(tr("unexpected: ", "多出：") + _describe(have, extra))
            if wrong:
                lines.append(tr("wrong shape: ", "形状不对：") + ", ".join(
                    tr("{k} should be {w}, is {h}", "{k} 应为 {w}，实际为 {h}", k=k, w=tuple(want[k]),
                       h=tuple(have[k])) for k in wrong))
            total = sum(math.prod(s) for s in want.values())
            raise CheckFailure(q, tr("the module's {kind} do not match the specification (names and shapes; "
                                     "{total:,} in all)", "模块的{kind}与规格不符（名称和形状；共 {total:,} 个）",
                                     kind=tr(kind, {"parameters": "参数", "buffers": "缓冲区（buffer）"}[kind]),
                                     total=total), shown, detail="\n  ".join(lines))
    if "layers" not in expected:
        return
    layers = [tuple(layer) for layer in got["layers"] if type(layer) is list]
    want_layers = [tuple(layer) for layer in expected["layers"]]
    if layers != want_layers:
        first = next((i for i, (a, b) in enumerate(zip(layers, want_layers)) if a != b),
                     min(len(layers), len(want_layers)))
        nothing = tr("nothing more", "没有更多的层")
        exp = "{} {}".format(*want_layers[first]) if first < len(want_layers) else nothing
        have = "{} {}".format(*layers[first]) if first < len(layers) else nothing
        raise CheckFailure(q, tr("the layers differ from the specification", "层与规格不符"), shown,
                           detail=tr("layer {i} should be {e}, is {h}", "第 {i} 层应为 {e}，实际为 {h}", i=first, e=exp,
                                     h=have))


def expect_module_report(q: str, fn, inputs: Mapping[str, Any], expected: Mapping[str, Any],
                         shown: Mapping[str, Any], **tol: float) -> None:
    """Output, input and parameter gradients (and buffers, where ``expected`` has them) of the student's module.

    ``inputs``: ``{"args", "state", "x", "upstream", "training"}``, what ``module_run`` gets (the module is
    ``make(*args)`` loaded with ``state``, run on ``x``, ``upstream`` backpropagated); ``expected``: ``{"out",
    "grad_x", "grads": {name: gradient}}`` and optionally ``"buffers": {name: buffer after the call}``, in
    float64 on the CPU."""
    x, training = inputs["x"], inputs["training"]
    got = drive(q, fn, module_run, shown, tuple(inputs["args"]), inputs["state"], x, inputs["upstream"], training)
    if type(got) is not tuple or len(got) != 4:
        raise CheckFailure(q, tr("could not run the module", "无法运行这个模块"), shown, got=got)
    out_got, grad_x, got_grads, got_buffers = got
    got_grads = dict(got_grads) if type(got_grads) is list else {}
    got_buffers = dict(got_buffers) if type(got_buffers) is list else {}
    mode = tr("training", "训练") if training else tr("evaluation", "评估")
    expect_tensor(q, out_got, expected["out"], shown, dtype=x.dtype, device=x.device,
                  what=tr("the output in {m} mode", "{m}模式下的输出", m=mode), **tol)
    if grad_x is None:
        raise CheckFailure(q, tr("no gradient flows back to the input: keep the computation in torch "
                                 "(no .detach(), .data, .item() or numpy)",
                                 "没有梯度传回输入：请用 torch 运算完成计算（不要用 .detach()、.data、.item() 或 numpy）"),
                           shown)
    expect_tensor(q, grad_x, expected["grad_x"], shown, dtype=x.dtype, device=x.device,
                  what=tr("the gradient with respect to the input in {m} mode", "{m}模式下对输入的梯度", m=mode),
                  **tol)
    for name, value in expected["grads"].items():
        if got_grads.get(name) is None:
            raise CheckFailure(q, tr("no gradient reaches the parameter `{n}` in {m} mode",
                                     "{m}模式下没有梯度到达参数 `{n}`", n=name, m=mode), shown)
        expect_tensor(q, got_grads[name], value, shown, dtype=x.dtype, device=x.device,
                      what=tr("the gradient of `{n}` in {m} mode", "{m}模式下 `{n}` 的梯度", n=name, m=mode), **tol)
    for name, value in expected.get("buffers", {}).items():
        expect_tensor(q, got_buffers.get(name), value, shown, device=x.device,
                      dtype=x.dtype if value.is_floating_point() else value.dtype,
                      what=tr("the buffer `{n}` after a forward pass in {m} mode", "{m}模式下正向传播后的缓冲区 `{n}`",
                              n=name, m=mode), **tol)
