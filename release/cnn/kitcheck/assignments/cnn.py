"""Assignment 8, "Images, convolutions and classic CNNs": questions, points and public checks (students see this
file). Public checks compare with OpenCV or torch where one of them is the oracle, and with stored probes
(``kitcheck.probes``) elsewhere: no reference answer is written here. Their inputs are in ``cnn_inputs``, their
comparisons in ``cnn_compare``, the drivers that run your code in ``cnn_drivers`` and ``kitcheck.modules``."""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from ..compare import call, expect_equal, expect_tensor, tolerance
from ..modules import expect_module_report, expect_structure
from ..i18n import tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds
from .cnn_compare import (expect_batch_size_one, expect_conv_out_size, expect_dropout, expect_follows_device,
                          expect_fresh_masks, expect_param_count, expect_value_and_grad)
from .cnn_inputs import (all_distinct, away_from_zero, conv_cases, conv_inputs, pool_cases, pool_inputs, step_edge,
                         with_ties)


# =========================================================================== 1. image filters (vs OpenCV)
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


def conv_out_size_public(fn):
    q = "conv_out_size"
    # Stored probes: LeNet's C1, "same" padding, AlexNet's first layer (55), strides, dilations, a kernel
    # too large for its input, then random small cases.
    for p in probes(q):
        expect_conv_out_size(q, fn, p.inputs, p.expected)



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



def dropout_public(fn):
    q = "dropout"
    x = away_from_zero((40, 50), torch.float64, 0)
    for p, training in ((0.5, False), (0.2, True), (0.7, True), (0.0, True), (1.0, True)):
        expect_dropout(q, fn, x, p, training, seed=1)
    expect_fresh_masks(q, fn, x, seed=2)
    expect_follows_device(q, fn, F.dropout, x=torch.empty(3, 4, device="meta"), p=0.5, training=True)



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
# A structure: the names and shapes of a module's parameters and of its buffers, what ``expect_structure`` compares.
def lenet5_structure(num_classes: int = 10) -> dict[str, dict]:
    """The parameters (no buffers) of ``LeNet5(num_classes)``: names and shapes."""
    return {"parameters": {"conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,), "conv2.weight": (16, 6, 5, 5),
                           "conv2.bias": (16,), "fc1.weight": (120, 400), "fc1.bias": (120,), "fc2.weight": (84, 120),
                           "fc2.bias": (84,), "fc3.weight": (num_classes, 84), "fc3.bias": (num_classes,)},
            "buffers": {}}


def _conv_bn_structure(layers: list[tuple[str, str, tuple]]) -> dict[str, dict]:
    """Convolutions without bias, each followed by a batch norm: ``[(conv name, norm name, weight shape)]``."""
    params: dict[str, tuple] = {}
    buffers: dict[str, tuple] = {}
    for conv, bn, shape in layers:
        c = shape[0]
        params.update({f"{conv}.weight": shape, f"{bn}.weight": (c,), f"{bn}.bias": (c,)})
        buffers.update({f"{bn}.running_mean": (c,), f"{bn}.running_var": (c,), f"{bn}.num_batches_tracked": ()})
    return {"parameters": params, "buffers": buffers}


def basic_block_structure(in_channels: int, out_channels: int, stride: int = 1) -> dict[str, dict]:
    """The parameters and buffers of ``BasicBlock(in_channels, out_channels, stride)``: names and shapes."""
    layers = [("conv1", "bn1", (out_channels, in_channels, 3, 3)), ("conv2", "bn2", (out_channels, out_channels, 3, 3))]
    if stride != 1 or in_channels != out_channels:
        layers.append(("shortcut.0", "shortcut.1", (out_channels, in_channels, 1, 1)))
    return _conv_bn_structure(layers)


def bottleneck_structure(in_channels: int, planes: int, stride: int = 1) -> dict[str, dict]:
    """The parameters and buffers of ``Bottleneck(in_channels, planes, stride)``: names and shapes."""
    out = 4 * planes
    layers = [("conv1", "bn1", (planes, in_channels, 1, 1)), ("conv2", "bn2", (planes, planes, 3, 3)),
              ("conv3", "bn3", (out, planes, 1, 1))]
    if stride != 1 or in_channels != out:
        layers.append(("shortcut.0", "shortcut.1", (out, in_channels, 1, 1)))
    return _conv_bn_structure(layers)


def lenet5_public(fn):
    q = "LeNet5"
    shown = {"num_classes": 10}
    expect_structure(q, fn, (10,), lenet5_structure(10), shown)
    expect_batch_size_one(q, fn, (10,), 10, shown, (1, 28, 28))
    # Stored probes: known weights, a batch of 1 then 2 images, a random upstream gradient; the expected output
    # and gradients come from LeNet-5 written with torch.nn.functional.
    for p in probes(q):
        expect_module_report(q, fn, p.inputs, p.expected, {"num_classes": 10, "x": p.inputs["x"]})


BASIC_BLOCK_CONFIGS = [(4, 4, 1), (3, 6, 2), (4, 4, 2)]   # (in_channels, out_channels, stride)
BOTTLENECK_CONFIGS = [(8, 2, 1), (4, 2, 2), (8, 2, 2)]    # (in_channels, planes, stride)


def _block_public(q: str, fn, structure: Callable, configs: list[tuple]) -> None:
    names = ("in_channels", "out_channels" if q == "BasicBlock" else "planes", "stride")
    for args in configs:
        expect_structure(q, fn, args, structure(*args), dict(zip(names, args)))
    # Stored probes: known weights and buffers; configs[0] (batch 1) and configs[1] (batch 2) in training mode,
    # configs[1] (batch 1) in evaluation mode; the expected values come from the block written with
    # torch.nn.functional.
    for p in probes(q):
        shown = {**dict(zip(names, p.inputs["args"])), "x": p.inputs["x"], "training": p.inputs["training"]}
        expect_module_report(q, fn, p.inputs, p.expected, shown)


def basic_block_public(fn):
    _block_public("BasicBlock", fn, basic_block_structure, BASIC_BLOCK_CONFIGS)


def bottleneck_public(fn):
    _block_public("Bottleneck", fn, bottleneck_structure, BOTTLENECK_CONFIGS)


# OpenCV's functions that compute a filter (not its constants, such as cv2.BORDER_REFLECT_101, which code written
# with torch may name): calling one of them is calling what sobel and laplacian re-implement.
OPENCV_FILTERS = ("cv2.Sobel", "cv2.Scharr", "cv2.Laplacian", "cv2.filter2D", "cv2.sepFilter2D")

ASSIGNMENT = Assignment(
    name="cnn",
    number=8,
    title="Assignment 8: Images, convolutions and classic CNNs",
    title_zh="作业 8：图像、卷积与经典卷积神经网络",
    runtime=("modules.py", "assignments/cnn_inputs.py", "assignments/cnn_drivers.py", "assignments/cnn_compare.py"),
    questions=(
        Question("sobel", 3, "the Sobel derivative of an image, like cv2.Sobel (border: reflect 101)", sobel_public,
                 summary_zh="图像的 Sobel 导数，同 cv2.Sobel（边界：reflect 101）",
                 forbidden=OPENCV_FILTERS),
        Question("laplacian", 2, "the Laplacian of an image, like cv2.Laplacian (border: reflect 101)",
                 laplacian_public,
                 summary_zh="图像的拉普拉斯算子，同 cv2.Laplacian（边界：reflect 101）",
                 forbidden=OPENCV_FILTERS),
        Question("conv_out_size", 2, "the output length of a convolution (ValueError if the kernel does not fit)",
                 conv_out_size_public,
                 summary_zh="卷积输出的长度（卷积核放不下时抛出 ValueError）"),
        Question("conv2d", 5, "2-D convolution with stride, padding, dilation and groups, like F.conv2d",
                 conv2d_public,
                 summary_zh="带步幅、填充、空洞和分组的二维卷积，同 F.conv2d",
                 forbidden=("torch.nn.functional.conv2d", "torch.conv2d", "torch.nn.Conv2d", "torch.convolution")),
        Question("max_pool2d", 3, "max pooling, like F.max_pool2d", max_pool2d_public,
                 summary_zh="最大池化，同 F.max_pool2d",
                 forbidden=("torch.nn.functional.max_pool2d", "torch.nn.functional.max_pool2d_with_indices", "torch.max_pool2d", "torch.nn.MaxPool2d")),
        Question("avg_pool2d", 3, "average pooling, like F.avg_pool2d", avg_pool2d_public,
                 summary_zh="平均池化，同 F.avg_pool2d",
                 forbidden=("torch.nn.functional.avg_pool2d", "torch.nn.AvgPool2d")),
        Question("dropout", 3, "inverted dropout in training mode, the identity in evaluation mode", dropout_public,
                 summary_zh="训练模式下的倒置（inverted）Dropout，评估模式下原样输出",
                 forbidden=("torch.nn.functional.dropout", "torch.dropout", "torch.nn.Dropout")),
        Question("conv_param_count", 2, "the number of parameters of nn.Conv2d", conv_param_count_public,
                 summary_zh="nn.Conv2d 的参数个数"),
        Question("receptive_field", 3, "the receptive field of a stack of (kernel_size, stride) layers",
                 receptive_field_public,
                 summary_zh="一叠 (kernel_size, stride) 层的感受野"),
        Question("LeNet5", 4, "LeNet-5 (ReLU, max pooling) for 1x28x28 images", lenet5_public,
                 summary_zh="用于 1x28x28 图像的 LeNet-5（ReLU、最大池化）"),
        Question("BasicBlock", 4, "ResNet's basic residual block", basic_block_public,
                 summary_zh="ResNet 的基本残差块",
                 forbidden=("torchvision.*",)),
        Question("Bottleneck", 3, "ResNet's bottleneck residual block (expansion 4)", bottleneck_public,
                 summary_zh="ResNet 的瓶颈残差块（扩展倍数 4）",
                 forbidden=("torchvision.*",)),
    ),
)
