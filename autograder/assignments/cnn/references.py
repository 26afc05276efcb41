"""Reference answers of assignment 8, "Images, convolutions and classic CNNs" (grader side, never shipped).

The hidden tests compare students' work with these; ``probes.py`` stores some of their outputs as data for
the public checks. Students' checks (``kitcheck.assignments.cnn``) call torch or OpenCV directly where one
of them is the oracle, and read stored probes elsewhere.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch
import torch.nn.functional as F

from autograder.remembered import remembered
from kitcheck.modules import expect_module_report
from kitcheck.strategies import make_tensor


# =========================================================================== 1. image filters (vs OpenCV)
SOBEL_SMOOTH, SOBEL_DIFF = (1.0, 2.0, 1.0), (-1.0, 0.0, 1.0)
LAPLACIAN_KERNEL = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))


def sobel_kernel(dx: int, dy: int) -> torch.Tensor:
    """OpenCV's 3x3 Sobel kernel: a derivative along each axis with order 1, a [1, 2, 1] smoothing otherwise."""
    col = torch.tensor(SOBEL_DIFF if dy else SOBEL_SMOOTH, dtype=torch.float64)
    row = torch.tensor(SOBEL_DIFF if dx else SOBEL_SMOOTH, dtype=torch.float64)
    return torch.outer(col, row)


def cv2_filter(image: torch.Tensor, name: str, dx: int = 0, dy: int = 0) -> torch.Tensor:
    """``cv2.Sobel`` / ``cv2.Laplacian`` of a 2-D image, computed in float64 (border: BORDER_REFLECT_101)."""
    import cv2  # imported here: only this assignment needs OpenCV

    img = image.detach().cpu().double().numpy()
    out = cv2.Sobel(img, cv2.CV_64F, dx, dy, ksize=3) if name == "sobel" else cv2.Laplacian(img, cv2.CV_64F)
    return torch.from_numpy(out)


def torch_filter(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Reflect-101 padding and cross-correlation with torch (used for meta-device checks)."""
    padded = F.pad(image[None, None], (1, 1, 1, 1), mode="reflect")
    return F.conv2d(padded, kernel.to(image.device, image.dtype)[None, None])[0, 0]


# ======================================================================================= 2. layers by hand
def conv_out_size_reference(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1):
    """The output length torch's own convolution gives (shapes only, on the meta device), or None if it refuses."""
    x = torch.empty(1, 1, size, device="meta")
    w = torch.empty(1, 1, kernel_size, device="meta")
    try:
        return F.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]
    except RuntimeError:
        return None


def conv2d_reference(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups)


def max_pool2d_reference(x, kernel_size, stride=None, padding=0):
    return F.max_pool2d(x, kernel_size, stride, padding)


def avg_pool2d_reference(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    return F.avg_pool2d(x, kernel_size, stride, padding, count_include_pad=count_include_pad)


# ---- parameter counts and receptive fields ---------------------------------------------------------------
def conv_param_count_reference(in_channels, out_channels, kernel_size, groups=1, bias=True):
    """The number of parameters of ``nn.Conv2d(...)``, built on the meta device (no memory, no values), or
    None where nn.Conv2d refuses (channels not divisible by groups: the question's ValueError)."""
    try:
        layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, groups=groups, bias=bias, device="meta")
    except ValueError:
        return None
    return sum(p.numel() for p in layer.parameters())


def receptive_field_reference(layers):
    """The receptive field measured with autograd: a 1-D stack of convolutions with all-ones kernels; the
    gradient of its first output is non-zero exactly on the input positions that output sees."""
    length = sum(k for k, _ in layers) * math.prod(s for _, s in layers) + 1
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    out = x
    for k, s in layers:
        out = F.conv1d(out, torch.ones(1, 1, k, dtype=torch.float64), stride=s)
    (grad,) = torch.autograd.grad(out[0, 0, 0], x)
    seen = grad[0, 0].nonzero()
    return int(seen.max() - seen.min()) + 1


# ============================================================ 3. classic architectures, with torch.nn.functional
def lenet5_reference(state: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """LeNet-5 as this assignment defines it, written with torch.nn.functional."""
    x = F.max_pool2d(F.relu(F.conv2d(x, state["conv1.weight"], state["conv1.bias"], padding=2)), 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, state["conv2.weight"], state["conv2.bias"])), 2)
    x = x.flatten(1)
    x = F.relu(F.linear(x, state["fc1.weight"], state["fc1.bias"]))
    x = F.relu(F.linear(x, state["fc2.weight"], state["fc2.bias"]))
    return F.linear(x, state["fc3.weight"], state["fc3.bias"])


def _bn(x, state, prefix, training, buffers):
    mean, var = state[f"{prefix}.running_mean"].clone(), state[f"{prefix}.running_var"].clone()
    y = F.batch_norm(x, mean, var, state[f"{prefix}.weight"], state[f"{prefix}.bias"], training, 0.1, 1e-5)
    tracked = state[f"{prefix}.num_batches_tracked"]
    buffers.update({f"{prefix}.running_mean": mean, f"{prefix}.running_var": var,
                    f"{prefix}.num_batches_tracked": tracked + 1 if training else tracked})
    return y


def _shortcut(state, x, stride, training, buffers):
    if "shortcut.0.weight" not in state:
        return x
    return _bn(F.conv2d(x, state["shortcut.0.weight"], stride=stride), state, "shortcut.1", training, buffers)


def basic_block_reference(state, x, stride=1, training=True):
    """(output, buffers after the call) of the basic residual block, written with torch.nn.functional."""
    buffers = {}
    out = F.relu(_bn(F.conv2d(x, state["conv1.weight"], stride=stride, padding=1), state, "bn1", training, buffers))
    out = _bn(F.conv2d(out, state["conv2.weight"], padding=1), state, "bn2", training, buffers)
    return F.relu(out + _shortcut(state, x, stride, training, buffers)), buffers


def bottleneck_reference(state, x, stride=1, training=True):
    """(output, buffers after the call) of the bottleneck residual block, written with torch.nn.functional."""
    buffers = {}
    out = F.relu(_bn(F.conv2d(x, state["conv1.weight"]), state, "bn1", training, buffers))
    out = F.relu(_bn(F.conv2d(out, state["conv2.weight"], stride=stride, padding=1), state, "bn2", training, buffers))
    out = _bn(F.conv2d(out, state["conv3.weight"]), state, "bn3", training, buffers)
    return F.relu(out + _shortcut(state, x, stride, training, buffers)), buffers


# ---- what a module check expects ---------------------------------------------------------------------------
@remembered
def module_run_expected(reference: Callable, state: Mapping[str, torch.Tensor], x: torch.Tensor,
                        upstream_seed: int) -> tuple[dict, torch.Tensor]:
    """``reference(state, x)`` (returning (output, buffers) or the output) in float64 on the CPU, and its
    gradients for a random upstream gradient: ``({"out", "grad_x", "grads": {name: grad}, "buffers":
    {name: buffer}}, upstream)``, what ``kitcheck.modules.expect_module_report`` compares with."""
    ref_state = {k: (v.detach().cpu().double() if v.is_floating_point() else v.cpu()) for k, v in state.items()}
    leaves = {k: v.requires_grad_(True) for k, v in ref_state.items() if k.endswith(("weight", "bias"))}
    ref_x = x.detach().cpu().double().requires_grad_(True)
    result = reference(ref_state, ref_x)
    out, buffers = result if isinstance(result, tuple) else (result, {})
    upstream = make_tensor(tuple(out.shape), torch.float64, upstream_seed)
    grads = torch.autograd.grad((out * upstream).sum(), [ref_x, *leaves.values()])
    expected = {"out": out.detach(), "grad_x": grads[0], "grads": dict(zip(leaves, grads[1:])),
                "buffers": {k: v.detach() for k, v in buffers.items()}}
    return expected, upstream


def expect_module_run(q: str, fn, args: tuple, reference: Callable, state: dict, x: torch.Tensor, *,
                      training: bool, upstream_seed: int, shown: Mapping[str, Any], **tol: float) -> None:
    """Output, input and parameter gradients and buffers of the student's module, loaded with ``state``,
    against ``reference(state, x)`` (returning (output, buffers) or the output), in float64 on the CPU."""
    expected, upstream = module_run_expected(reference, state, x, upstream_seed)
    inputs = {"args": tuple(args), "state": state, "x": x, "upstream": upstream.to(x.device, x.dtype),
              "training": training}
    expect_module_report(q, fn, inputs, expected, shown, **tol)
