"""Drivers of assignment 6 (students see this file): they exercise the student's in-place initialisers,
model-wide initialisation and hooks where that code runs, and return plain data (see ``kitcheck.drivers``); the
comparisons in ``initialization_compare`` judge it."""
from __future__ import annotations

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from ..drivers import seed_torch

from .initialization_inputs import build_model, grad_weights, mlp_problem


# What the drivers add in place after the student's function returns: the same tensor (or model) seen through
# what the function returned shows the shift; a copy or another object does not.
SHIFT = 0.5


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
        seed_torch(seed)
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
            seed_torch(seed)
            with log:
                init(tensor, **kwargs)
        values.append(tensor.detach().clone())
    return values, log.records


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
        seed_torch(seed + 1)
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
        seed_torch(seed + 1)
        init_model(model, WEIGHT_INITS[weight_init], bias)
    after = list(model.parameters())
    return [a is b for a, b in zip(after, before)], [p.requires_grad for p in after], len(before)


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
