"""Drivers: student-safe code that exercises a student's function or class where it lives (the sandbox,
or the notebook's kernel) and returns plain data about what it did.

A hidden test or public check calls ``student("name").drive(driver, *args)``; the sandbox then runs
``driver(<the student's object>, *args)``. Drivers must live in ``kitcheck`` (the sandbox refuses any
other module) and return only what ``kitcheck.transport.sanitize`` keeps: tensors, numbers, containers.

A driver runs beside the student's code, which can replace it (or the dispatch) and make it return anything.
So what a driver returns is the student's output, never a fact: it returns values (outputs, gradients,
parameters, items, trained weights) and no verdicts (no flags such as "is a Dataset" or "returned the model",
no counts or scores computed from the student's objects). The grader derives every verdict itself, comparing
those values with its own references for inputs it chose; a structural fact shows as a value (the items of
``dataset + dataset``, a tensor seen through what the function returned after the driver changed it, the
gradient one more backward() gives, the parameters after an optimizer step over ``parameters()``). One fact
has no value to show it: forward hooks left on a model (``run_dead_relu_fraction`` reports their number); that
count is the student's own report.
"""
from __future__ import annotations

from typing import Any, Callable

import torch


def seed_torch(seed: int) -> None:
    """``torch.manual_seed(seed)``, at a fiftieth of its cost on a machine without a GPU: torch.manual_seed also
    queues the seed for every accelerator not yet in use, formatting a stack trace for each (0.6 ms a call in a
    sandbox, where drivers seed hundreds of times a submission). With an accelerator it is torch.manual_seed."""
    if torch.accelerator.is_available():
        torch.manual_seed(seed)
    else:
        torch.default_generator.manual_seed(int(seed))


def value_and_grad(fn: Callable, *args: Any, upstream: torch.Tensor | None = None) -> tuple:
    """``fn(*args)`` and the gradients of ``sum(fn(*args) * upstream)`` with respect to every float tensor
    argument (None for an argument the result does not depend on). ``upstream`` defaults to ones."""
    inputs = [a.detach().clone().requires_grad_(True) if isinstance(a, torch.Tensor) and a.is_floating_point()
              else a for a in args]
    out = fn(*inputs)
    if type(out) is not torch.Tensor:
        return out, ()
    leaves = [a for a in inputs if isinstance(a, torch.Tensor) and a.requires_grad]
    if not out.requires_grad or not leaves:
        return out.detach(), tuple(None for _ in leaves)
    weight = torch.ones_like(out) if upstream is None else upstream.to(out.device, out.dtype)
    grads = torch.autograd.grad((out * weight).sum(), leaves, allow_unused=True)
    return out.detach(), tuple(None if g is None else g.detach() for g in grads)


def on_meta_reading_values(fn: Callable, *args: Any) -> Any:
    """``fn`` run on ``meta`` copies of ``args``, where every ``.item()`` returns what it returned on the CPU.

    The meta device has no values, so correct code that reads one (``x.min().item() - 1`` as a padding
    value) cannot run there. This driver first runs ``fn(*args)`` on the CPU and records what each
    ``.item()`` read, then runs it again on meta tensors, answering each ``.item()`` with the recorded value.
    A tensor created on a hard-coded device still meets a meta tensor and fails, as on a GPU. Returns the
    meta result (its shape, dtype and device are what the check looks at) and the operations that mixed
    devices (see ``on_meta_watching``)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    item = torch.ops.aten._local_scalar_dense.default

    class Scalars(TorchDispatchMode):
        def __init__(self, replay: list | None):
            super().__init__()
            self.replay = replay
            self.seen: list = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func is item and self.replay is not None and self.replay:
                return self.replay.pop(0)
            out = func(*args, **(kwargs or {}))
            if func is item and self.replay is None:
                self.seen.append(out)
            return out

    with Scalars(None) as recorded:
        fn(*args)
    meta = [a.to("meta") if isinstance(a, torch.Tensor) else a for a in args]
    mixes = _device_mixes()
    with Scalars(list(recorded.seen)), mixes:
        return fn(*meta), list(mixes.found)


# Indexing and copies take tensors from another device on a GPU too; Module.to() compares a parameter with
# its moved copy (_has_compatible_shallow_copy_type, set_) without computing with both.
_MAY_MIX = {"__getitem__", "__setitem__", "to", "copy_", "type_as", "cpu", "cuda", "__get__", "__set__",
            "index_put_", "index_put", "_has_compatible_shallow_copy_type", "set_", "is_same_size"}


def _device_mixes():
    """A TorchFunctionMode that records each operation given tensors (not 0-d) on two devices. On the meta
    device some kernels (F.conv2d, einsum) accept a CPU tensor beside a meta one; on a GPU they fail."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._pytree import tree_flatten

    class Mixes(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = getattr(func, "__name__", str(func))
            if name not in _MAY_MIX and len(self.found) < 8:
                devices = sorted({t.device.type for t in tree_flatten((args, kwargs or {}))[0]
                                  if isinstance(t, torch.Tensor) and t.ndim > 0})
                if len(devices) > 1:
                    self.found.append(f"{name}({' + '.join(devices)})")
            return func(*args, **(kwargs or {}))

    return Mixes()


def on_meta_watching(fn: Callable, *args: Any) -> tuple:
    """``fn(*args)`` on the meta tensors it is given, and the operations that mixed devices on the way:
    ``(result, ["conv2d(cpu + meta)", ...])``."""
    mixes = _device_mixes()
    with mixes:
        out = fn(*args)
    return out, list(mixes.found)
