"""Hidden tests for assignment 8, "Images, convolutions and classic CNNs".

Oracles: OpenCV for the image filters (float64), torch's own functions in float64 for the layers, autograd
for receptive fields, and networks written with torch.nn.functional (``references.py``) for the
modules, loaded with the same known weights.
"""
import functools
import importlib.util
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import adversarial
from autograder.harness import (DEVICES, FLOAT_DTYPES, call, loaded_max_examples, public_check_tests, question,
                                student)
from autograder.assignments.cnn.references import (LAPLACIAN_KERNEL, avg_pool2d_reference, basic_block_reference,
                                                   bottleneck_reference, conv2d_reference, conv_out_size_reference,
                                                   conv_param_count_reference, cv2_filter, expect_module_run,
                                                   lenet5_reference, max_pool2d_reference, receptive_field_reference,
                                                   sobel_kernel, torch_filter)
from kitcheck.assignments.cnn import (ASSIGNMENT, SOBEL_ORDERS, basic_block_structure, bottleneck_structure,
                                      lenet5_structure)
from kitcheck.assignments.cnn_compare import (expect_batch_size_one, expect_conv_out_size, expect_dropout,
                                              expect_follows_device, expect_fresh_masks, expect_param_count,
                                              expect_value_and_grad)
from kitcheck.assignments.cnn_drivers import module_sgd
from kitcheck.assignments.cnn_inputs import (all_distinct, away_from_zero, conv_cases, conv_inputs, pair, pool_cases,
                                             pool_inputs, with_ties)
from kitcheck.compare import CheckFailure, drive, drive_with, expect_equal, expect_tensor, tolerance
from kitcheck.drivers import value_and_grad
from kitcheck.i18n import tr
from kitcheck.modules import expect_structure, make_state, state_shapes
from kitcheck.strategies import make_tensor, seeds

test_public_checks = public_check_tests(ASSIGNMENT)

# Fewer examples where a test is also repeated for each dtype, and fewer still for networks (each example builds
# one and runs it twice); scaled from the loaded profile, so KIT_HYPOTHESIS_PROFILE=kit-explore still explores.
_EXAMPLES = loaded_max_examples()
PER_DTYPE = settings(max_examples=max(15, _EXAMPLES * 3 // 5))
FEW = settings(max_examples=max(8, _EXAMPLES // 3))


@functools.cache
def _sklearn_data() -> Path:
    """scikit-learn's bundled data folder, found without importing scikit-learn (which takes seconds)."""
    spec = importlib.util.find_spec("sklearn")
    assert spec is not None and spec.submodule_search_locations, "scikit-learn is not installed"
    return Path(spec.submodule_search_locations[0]) / "datasets"


@functools.cache
def photo_crop() -> torch.Tensor:
    """A 48x64 grayscale crop (values 0-1) of scikit-learn's sample photo china.jpg: real edges."""
    import cv2

    image = cv2.imread(str(_sklearn_data() / "images" / "china.jpg"), cv2.IMREAD_GRAYSCALE)
    assert image is not None, "scikit-learn's sample image china.jpg is missing"
    return torch.from_numpy(image[200:248, 300:364].astype("float64") / 255.0)


@functools.cache
def digits(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first n images of scikit-learn's digits (8x8, values 0-16) as (n, 1, 28, 28) in [0, 1], and labels."""
    import numpy as np

    data = np.loadtxt(_sklearn_data() / "data" / "digits.csv.gz", delimiter=",", max_rows=n)
    images = torch.from_numpy(data[:, :64]).reshape(n, 1, 8, 8) / 16.0
    return F.interpolate(images, size=28, mode="bilinear", align_corners=False), torch.from_numpy(data[:, 64]).long()


# ---- inputs beyond plain contiguous random values -----------------------------------------------------------
IMAGE_LAYOUTS = ("contiguous", "transposed", "channels_last", "sliced")


def image_layout(x: torch.Tensor, how: str) -> torch.Tensor:
    """The values of x in another memory layout: ``channels_last`` (NHWC memory, as from a camera pipeline or
    a model converted to it), a ``transposed`` image (H and W strides swapped) or a ``sliced`` view."""
    if how == "channels_last" and x.ndim == 4:
        return x.contiguous(memory_format=torch.channels_last)
    return adversarial.layout(x, how if how != "channels_last" else "transposed")


def hard_values(kind: str, shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Ordinary images that are hard for shortcuts: ``offset`` (a large negative common offset: pixel values far
    below 0, where a made-up padding value such as -9999 wins a max), ``mixed_scales`` (batch items from 1e-3 to
    1e3), ``relu`` (many exact zeros, as after a ReLU) and ``infinite`` (+inf and -inf at seeded places)."""
    if kind == "offset":
        return adversarial.offset(shape, dtype, seed, device, base=-1e5, spread=100.0)
    if kind == "mixed_scales":
        return adversarial.mixed_scales(shape, dtype, seed, device)
    x = make_tensor(shape, dtype, seed, device)
    if kind == "relu":
        return x.clamp(min=0)
    if kind == "infinite":
        return adversarial.with_specials(x, seed, ("inf", "-inf"))
    return x


def scaled_tolerance(dtype: torch.dtype, x: torch.Tensor, reduction: bool = True) -> dict:
    """``tolerance`` with atol scaled by the largest finite |x| (float32 rounding grows with the values)."""
    tol = tolerance(dtype, reduction)
    finite = x.detach()[torch.isfinite(x.detach())].abs()
    return {**tol, "atol": tol["atol"] * max(1.0, float(finite.max()) if finite.numel() else 1.0)}


# ---- sobel and laplacian -----------------------------------------------------------------------------------
@question("sobel")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(h=st.integers(2, 12), w=st.integers(2, 12), order=st.sampled_from(SOBEL_ORDERS), how=adversarial.layouts(),
       seed=seeds)
def test_sobel_matches_opencv(q, fn, device, dtype, h, w, order, how, seed):
    # Any memory layout (a transposed or sliced view, as image[:, ::2] gives): the same values, the same result.
    image = adversarial.layout(make_tensor((h, w), dtype, seed, device), how)
    inputs = {"image": image, **order}
    expect_tensor(q, call(q, fn, **inputs), cv2_filter(image, "sobel", **order), inputs, dtype=dtype,
                  device=image.device, **tolerance(dtype, reduction=True))


@question("sobel")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("order", SOBEL_ORDERS, ids=["x", "y", "xy"])
def test_sobel_on_a_real_photo(q, fn, dtype, order):
    image = photo_crop().to(dtype)
    inputs = {"image": image, **order}
    expect_tensor(q, call(q, fn, **inputs), cv2_filter(image, "sobel", **order), inputs, dtype=dtype,
                  device=image.device, **tolerance(dtype, reduction=True),
                  what=tr("the result on a crop of china.jpg", "在 china.jpg 的一块裁剪图上，结果"))


@question("sobel")
@given(h=st.integers(2, 8), w=st.integers(3, 8), slope=st.integers(-3, 3), offset=st.integers(-5, 5))
def test_sobel_x_of_a_ramp(q, fn, h, w, slope, offset):
    # image[i, j] = slope * j + offset: Sobel x is 8 * slope inside and 0 on the left and right borders
    # (reflect-101 padding mirrors the ramp there, so the central difference vanishes).
    image = (slope * torch.arange(w, dtype=torch.float64) + offset).expand(h, w).contiguous()
    expected = torch.full((h, w), 8.0 * slope, dtype=torch.float64)
    expected[:, [0, -1]] = 0.0
    inputs = {"image": image, "dx": 1, "dy": 0}
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=torch.float64, device=image.device,
                  what=tr("Sobel x of a ramp (8 * slope inside, 0 on the left and right borders)",
                          "斜坡图像的 Sobel x 结果（内部为 8 * slope，左右边界为 0）"))


@question("sobel")
@pytest.mark.parametrize("order", SOBEL_ORDERS, ids=["x", "y", "xy"])
def test_sobel_keeps_the_device(q, fn, order):
    expect_follows_device(q, fn, lambda image, dx, dy: torch_filter(image, sobel_kernel(dx, dy)),
                          image=torch.empty(5, 7, device="meta"), **order)


@question("laplacian")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(h=st.integers(2, 12), w=st.integers(2, 12), how=adversarial.layouts(), seed=seeds)
def test_laplacian_matches_opencv(q, fn, device, dtype, h, w, how, seed):
    image = adversarial.layout(make_tensor((h, w), dtype, seed, device), how)
    inputs = {"image": image}
    expect_tensor(q, call(q, fn, **inputs), cv2_filter(image, "laplacian"), inputs, dtype=dtype,
                  device=image.device, **tolerance(dtype, reduction=True))


@question("laplacian")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_laplacian_on_a_real_photo(q, fn, dtype):
    image = photo_crop().to(dtype)
    inputs = {"image": image}
    expect_tensor(q, call(q, fn, **inputs), cv2_filter(image, "laplacian"), inputs, dtype=dtype,
                  device=image.device, **tolerance(dtype, reduction=True),
                  what=tr("the result on a crop of china.jpg", "在 china.jpg 的一块裁剪图上，结果"))


@question("laplacian")
def test_laplacian_keeps_the_device(q, fn):
    kernel = torch.tensor(LAPLACIAN_KERNEL, dtype=torch.float64)
    expect_follows_device(q, fn, lambda image: torch_filter(image, kernel),
                          image=torch.empty(6, 4, device="meta"))


# ---- conv_out_size -----------------------------------------------------------------------------------------
@question("conv_out_size")
@given(size=st.integers(1, 64), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_conv_out_size_matches_torch(q, fn, size, k, s, p, d):
    expect_conv_out_size(q, fn,
                         {"size": size, "kernel_size": k, "stride": s, "padding": p, "dilation": d},
                         conv_out_size_reference(size, k, s, p, d))


@question("conv_out_size")
@given(size=st.integers(1, 40), half=st.integers(0, 3), d=st.integers(1, 3))
def test_conv_out_size_same_padding(q, fn, size, half, d):
    # An odd kernel 2 * half + 1 with padding d * half and stride 1 keeps the size ("same" padding).
    inputs = {"size": size, "kernel_size": 2 * half + 1, "stride": 1, "padding": d * half,
                                  "dilation": d}
    expect_equal(q, call(q, fn, **inputs), size, inputs,
                 what=tr("the output size with 'same' padding", "'same' 填充时，输出尺寸"))


# ---- conv2d ------------------------------------------------------------------------------------------------
@question("conv2d")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(case=conv_cases(), how=st.sampled_from(IMAGE_LAYOUTS), weight_how=st.sampled_from(IMAGE_LAYOUTS),
       kind=st.sampled_from(["plain", "plain", "offset", "mixed_scales"]), seed=seeds)
def test_conv2d_matches_torch(q, fn, device, dtype, case, how, weight_how, kind, seed):
    # Non-contiguous x and weight (channels-last, transposed, sliced: the same values), and images with a large
    # common offset or batch items of very different scales (tolerance scaled by the largest |x|).
    inputs = conv_inputs(case, dtype, seed, device)
    inputs["x"] = image_layout(hard_values(kind, tuple(inputs["x"].shape), dtype, seed, device), how)
    inputs["weight"] = image_layout(inputs["weight"], weight_how)
    expected = conv2d_reference(**{k: v.double() if isinstance(v, torch.Tensor) else v for k, v in inputs.items()})
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=inputs["x"].device,
                  **scaled_tolerance(dtype, inputs["x"]))


@question("conv2d")
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("how", ["channels_last", "transposed"])
def test_conv2d_of_an_image_that_cannot_be_viewed(q, fn, groups, how):
    # Batch and channels of these images cannot be merged with .view(): code that folds groups or channels into
    # the batch with view fails (the random layouts above reach this case only sometimes).
    case = {"batch": 2, "c_in": 4, "c_out": 4, "kernel": (3, 3), "size": (5, 6), "bias": True, "groups": groups,
            "stride": 1, "padding": 1, "dilation": 1}
    inputs = conv_inputs(case, torch.float64, 7)
    inputs["x"] = image_layout(inputs["x"], how)
    expect_tensor(q, call(q, fn, **inputs), conv2d_reference(**inputs), inputs, dtype=torch.float64,
                  device=inputs["x"].device)


@question("conv2d")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(case=conv_cases(), seed=seeds)
def test_conv2d_gradients_match_torch(q, fn, device, dtype, case, seed):
    # Gradients with respect to x, weight and bias, computed where the student's code runs.
    expect_value_and_grad(q, fn, conv2d_reference, conv_inputs(case, dtype, seed, device),
                          upstream_seed=seed + 3, **tolerance(dtype, reduction=True))


@question("conv2d")
def test_conv2d_keeps_the_device(q, fn):
    meta = functools.partial(torch.empty, device="meta")
    expect_follows_device(q, fn, conv2d_reference, x=meta(2, 4, 6, 6), weight=meta(6, 2, 3, 3),
                          bias=meta(6), stride=2, padding=1, dilation=1, groups=2)


# ---- max_pool2d and avg_pool2d -----------------------------------------------------------------------------
@question("max_pool2d")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(case=pool_cases(), how=st.sampled_from(IMAGE_LAYOUTS),
       kind=st.sampled_from(["ties", "ties", "offset", "mixed_scales", "infinite"]), seed=seeds)
def test_max_pool2d_matches_torch_with_ties(q, fn, device, dtype, case, how, kind, seed):
    # Ties and all-negative windows; far-negative images (a made-up padding value such as -9999 would win); +-inf
    # (an infinite input stays, and -inf padding never wins); any memory layout.
    x = with_ties(case["shape"], dtype, seed, device) if kind == "ties" else hard_values(kind, case["shape"], dtype,
                                                                                           seed, device)
    inputs = pool_inputs(case, image_layout(x, how))
    expected = max_pool2d_reference(inputs["x"].double(), *list(inputs.values())[1:])
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=inputs["x"].device)


@question("max_pool2d")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(case=pool_cases(), seed=seeds)
def test_max_pool2d_gradients_match_torch(q, fn, device, dtype, case, seed):
    # Distinct values: every window has one maximum, which receives the gradient (summed over windows).
    inputs = pool_inputs(case, all_distinct(case["shape"], dtype, seed, device))
    expect_value_and_grad(q, fn, max_pool2d_reference, inputs, upstream_seed=seed)


@question("max_pool2d")
@given(case=pool_cases(), seed=seeds)
def test_max_pool2d_gradient_with_ties_goes_to_maxima(q, fn, case, seed):
    # With ties any split of a window's gradient between its maxima is a valid (sub)gradient; what must hold
    # is that nothing is lost or created and that only maxima receive any.
    inputs = pool_inputs(case, with_ties(case["shape"], torch.float64, seed))
    x, (kh, kw) = inputs["x"], pair(case["kernel_size"])
    (sh, sw), (ph, pw) = pair(case["stride"] or case["kernel_size"]), pair(case["padding"])
    out = max_pool2d_reference(*inputs.values())
    upstream = make_tensor(tuple(out.shape), torch.float64, seed + 1, low=0.1, high=1.0)
    value, grads = drive_with(q, fn, value_and_grad, inputs, upstream=upstream)
    expect_tensor(q, value, out, inputs, dtype=x.dtype, device=x.device)
    grad = grads[0] if grads else None
    if grad is None:
        raise CheckFailure(q, tr("no gradient flows back to x", "没有梯度流回 x"), inputs)
    if type(grad) is not torch.Tensor or grad.shape != x.shape or grad.dtype != x.dtype or grad.device != x.device:
        raise CheckFailure(q, tr("the gradient with respect to x should be a tensor with x's shape, dtype and device",
                                 "对 x 的梯度应当是与 x 的形状、数据类型和设备都相同的张量"), inputs, got=grad)
    expect_tensor(q, grad.sum(), upstream.sum(), inputs, what=tr(
        "the sum of the gradient with ties (it should equal the sum of the upstream gradient: each window passes its "
        "gradient on to its maxima)",
        "有并列最大值时，梯度的总和（它应当等于上游梯度的总和：每个窗口把自己的梯度传给它的最大值）"))
    padded = F.pad(x, (pw, pw, ph, ph), value=-math.inf)
    n, c, H, W = padded.shape
    cols = F.unfold(padded.reshape(n * c, 1, H, W), (kh, kw), stride=(sh, sw))  # (n*c, kh*kw, windows)
    is_max = (cols == cols.amax(1, keepdim=True)).double()
    candidates = F.fold(is_max, (H, W), (kh, kw), stride=(sh, sw)).reshape(n, c, H, W)[..., ph:H - ph, pw:W - pw] > 0
    if (grad.detach().cpu().abs() > 1e-9)[~candidates].any() or (grad < -1e-9).any():
        raise CheckFailure(q, tr("with ties, the gradient went to an element that is not the maximum of any window "
                                 "(or is negative)",
                                 "有并列最大值时，梯度流向了一个不是任何窗口最大值的元素（或者梯度为负）"),
                           inputs, expected=None, got=grad)


@question("max_pool2d")
@pytest.mark.parametrize("kind", ["offset", "infinite"])
def test_max_pool2d_pads_with_minus_infinity(q, fn, kind):
    # Pixels near -1e5, and -inf ones, in padded windows: only -inf padding never wins a max (a made-up value
    # such as -9999 would). The random images above are this hard only sometimes.
    case = {"shape": (2, 2, 5, 5), "kernel_size": 3, "stride": 2, "padding": 1}
    x = hard_values(kind, case["shape"], torch.float64, 4)
    inputs = pool_inputs(case, x)
    expect_tensor(q, call(q, fn, **inputs), max_pool2d_reference(*inputs.values()), inputs, dtype=torch.float64,
                  device=x.device)


@question("max_pool2d")
@pytest.mark.parametrize("how", ["channels_last", "transposed"])
def test_max_pool2d_of_an_image_that_cannot_be_viewed(q, fn, how):
    # Batch and channels of this image cannot be merged with .view() (the random layouts above reach this case
    # only sometimes).
    case = {"shape": (2, 3, 5, 6), "kernel_size": 2, "stride": None, "padding": 1}
    x = image_layout(all_distinct(case["shape"], torch.float64, 9), how)
    inputs = pool_inputs(case, x)
    expect_tensor(q, call(q, fn, **inputs), max_pool2d_reference(*inputs.values()), inputs, dtype=torch.float64,
                  device=x.device)


@question("max_pool2d")
def test_max_pool2d_keeps_the_device(q, fn):
    expect_follows_device(q, fn, max_pool2d_reference,
                          x=torch.empty(2, 3, 7, 6, device="meta"), kernel_size=3, stride=2, padding=1)


@question("avg_pool2d")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(case=pool_cases(), include=st.booleans(), how=st.sampled_from(IMAGE_LAYOUTS),
       kind=st.sampled_from(["plain", "relu", "relu", "offset", "mixed_scales"]), seed=seeds)
def test_avg_pool2d_matches_torch(q, fn, device, dtype, case, include, how, kind, seed):
    # Images with exact zeros (after a ReLU: a zero pixel still counts), large offsets, mixed scales, any layout.
    x = image_layout(hard_values(kind, case["shape"], dtype, seed, device), how)
    inputs = pool_inputs(case, x, count_include_pad=include)
    expected = avg_pool2d_reference(inputs["x"].double(), *list(inputs.values())[1:])
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=inputs["x"].device,
                  **scaled_tolerance(dtype, x))


@question("avg_pool2d")
@pytest.mark.parametrize("include", [False, True])
def test_avg_pool2d_counts_zero_pixels(q, fn, include):
    # After a ReLU about half the pixels are exactly 0: they still count in every window's divisor.
    case = {"shape": (2, 2, 5, 6), "kernel_size": 3, "stride": 2, "padding": 1}
    x = hard_values("relu", case["shape"], torch.float64, 5)
    inputs = pool_inputs(case, x, count_include_pad=include)
    expect_tensor(q, call(q, fn, **inputs), avg_pool2d_reference(*inputs.values()), inputs, dtype=torch.float64,
                  device=x.device)


@question("avg_pool2d")
@pytest.mark.parametrize("how", ["channels_last", "transposed"])
def test_avg_pool2d_of_an_image_that_cannot_be_viewed(q, fn, how):
    # Batch and channels of this image cannot be merged with .view() (the random layouts above reach this case
    # only sometimes).
    case = {"shape": (2, 3, 5, 6), "kernel_size": 2, "stride": None, "padding": 1}
    x = image_layout(make_tensor(case["shape"], torch.float64, 9), how)
    inputs = pool_inputs(case, x, count_include_pad=False)
    expect_tensor(q, call(q, fn, **inputs), avg_pool2d_reference(*inputs.values()), inputs, dtype=torch.float64,
                  device=x.device)


@question("avg_pool2d")
@pytest.mark.parametrize("device", DEVICES)
@given(case=pool_cases(), include=st.booleans(), seed=seeds)
def test_avg_pool2d_gradients_match_torch(q, fn, device, case, include, seed):
    inputs = pool_inputs(case, make_tensor(case["shape"], torch.float64, seed, device), count_include_pad=include)
    expect_value_and_grad(q, fn, avg_pool2d_reference, inputs, upstream_seed=seed)


@question("avg_pool2d")
def test_avg_pool2d_keeps_the_device(q, fn):
    expect_follows_device(q, fn, avg_pool2d_reference,
                          x=torch.empty(2, 3, 7, 6, device="meta"), kernel_size=3, stride=2, padding=1,
                          count_include_pad=False)


# ---- dropout -----------------------------------------------------------------------------------------------
@question("dropout")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(shape=st.sampled_from([(4000,), (40, 100), (5, 8, 100)]), p=st.sampled_from([0.1, 0.3, 0.5, 0.9]), seed=seeds)
def test_dropout_in_training_mode(q, fn, device, dtype, shape, p, seed):
    # Each element: 0 with probability p, else x / (1 - p); the fraction dropped is p within 5 standard deviations.
    expect_dropout(q, fn, away_from_zero(shape, dtype, seed, device), p, True, seed)


@question("dropout")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@PER_DTYPE
@given(p=st.sampled_from([0.0, 0.2, 0.5, 1.0]), training=st.booleans(), seed=seeds)
def test_dropout_in_evaluation_mode_and_extreme_p(q, fn, device, dtype, p, training, seed):
    if training and 0 < p < 1:
        p = 0.0 if seed % 2 else 1.0  # training mode is tested above; here: p = 0 and p = 1
    expect_dropout(q, fn, away_from_zero((6, 7), dtype, seed, device), p, training, seed)


@question("dropout")
@given(seed=seeds)
def test_dropout_draws_a_new_mask_for_every_row_and_call(q, fn, seed):
    expect_fresh_masks(q, fn, away_from_zero((64, 32), torch.float64, seed), seed)


@question("dropout")
@pytest.mark.parametrize("training", [True, False])
def test_dropout_keeps_the_device(q, fn, training):
    expect_follows_device(q, fn, F.dropout, x=torch.empty(4, 5, device="meta"), p=0.3,
                          training=training)


@question("dropout")
@pytest.mark.parametrize("how", ["transposed", "sliced"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_dropout_called_directly_on_a_view(q, fn, how, training):
    # A direct call (the caller's x must be left unchanged: no x.mul_()) on a non-contiguous x: each element is
    # 0 or x / (1 - p) in training, x itself in evaluation.
    p = 0.25
    x = adversarial.layout(away_from_zero((30, 40), torch.float64, 5), how)
    inputs = {"x": x, "p": p, "training": training}
    out = call(q, fn, **inputs)
    if not training:
        expect_tensor(q, out, x, inputs, dtype=x.dtype, device=x.device,
                      what=tr("the result in evaluation mode (dropout does nothing)",
                              "评估模式下，结果（Dropout 不起作用）"))
        return
    kept = out.abs() > 0 if type(out) is torch.Tensor and out.shape == x.shape else torch.ones_like(x, dtype=torch.bool)
    expect_tensor(q, out, torch.where(kept, x / (1 - p), torch.zeros_like(x)), inputs, dtype=x.dtype, device=x.device,
                  what=tr("the result in training mode (each element 0 or x / (1 - p))",
                          "训练模式下，结果（每个元素为 0 或 x / (1 - p)）"))
    if not 0.6 < kept.double().mean().item() < 0.9:
        raise CheckFailure(q, tr("it kept {k:.1%} of the elements of a non-contiguous x; with p = {p} it should keep "
                                 "about 75%", "对非连续的 x，它保留了 {k:.1%} 的元素；p = {p} 时应当保留约 75%",
                                 k=kept.double().mean().item(), p=p), inputs)


# ---- conv_param_count and receptive_field ------------------------------------------------------------------
@question("conv_param_count")
@given(c_in=st.integers(1, 64), c_out=st.integers(1, 64), kernel=st.one_of(st.integers(1, 7), st.tuples(
    st.integers(1, 7), st.integers(1, 7))), groups=st.sampled_from([1, 1, 2, 3, 4, 8]), bias=st.booleans())
def test_conv_param_count_matches_nn_conv2d(q, fn, c_in, c_out, kernel, groups, bias):
    expect_param_count(q, fn,
                       {"in_channels": c_in, "out_channels": c_out, "kernel_size": kernel, "groups": groups,
                        "bias": bias}, conv_param_count_reference(c_in, c_out, kernel, groups, bias))


@question("conv_param_count")
@given(c=st.integers(1, 64), k=st.integers(1, 7), c_out=st.integers(1, 64))
def test_conv_param_count_depthwise_separable_saving(q, fn, c, k, c_out):
    # A depthwise k x k convolution plus a pointwise 1x1 one: c*k*k + c + c*c_out + c_out parameters.
    depthwise, pointwise = {"in_channels": c, "out_channels": c, "kernel_size": k, "groups": c, "bias": True}, \
        {"in_channels": c, "out_channels": c_out, "kernel_size": 1, "groups": 1, "bias": True}
    expect_equal(q, call(q, fn, **depthwise), c * k * k + c, depthwise,
                 what=tr("the depthwise convolution's count", "深度卷积的参数量"))
    expect_equal(q, call(q, fn, **pointwise), c * c_out + c_out, pointwise,
                 what=tr("the pointwise convolution's count", "逐点卷积的参数量"))


@question("receptive_field")
@given(layers=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 3)), max_size=6))
def test_receptive_field_matches_autograd(q, fn, layers):
    inputs = {"layers": layers}
    expect_equal(q, call(q, fn, **inputs), receptive_field_reference(layers), inputs)


@question("receptive_field")
@given(n=st.integers(1, 8))
def test_receptive_field_of_stacked_3x3_convolutions(q, fn, n):
    # VGG's argument: n stacked 3x3 convolutions (stride 1) see as far as one (2n + 1) x (2n + 1) convolution.
    inputs = {"layers": [(3, 1)] * n}
    expect_equal(q, call(q, fn, **inputs), 2 * n + 1, inputs)


# ---- LeNet5 ------------------------------------------------------------------------------------------------
@question("LeNet5")
@pytest.mark.parametrize("num_classes", [10, 3])
def test_lenet5_structure(q, fn, num_classes):
    expect_structure(q, fn, (num_classes,), lenet5_structure(num_classes),
                     {"num_classes": num_classes})


@question("LeNet5")
@pytest.mark.parametrize("num_classes", [10, 3])
def test_lenet5_batch_of_one(q, fn, num_classes):
    expect_batch_size_one(q, fn, (num_classes,), num_classes, {"num_classes": num_classes},
                          (1, 28, 28))


@question("LeNet5")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@FEW
@given(batch=st.integers(1, 3), num_classes=st.sampled_from([10, 3]), how=st.sampled_from(IMAGE_LAYOUTS), seed=seeds)
def test_lenet5_matches_functional_reference(q, fn, device, dtype, batch, num_classes, how, seed):
    state = make_state(state_shapes(lenet5_structure(num_classes)), dtype, seed, device)
    x = image_layout(make_tensor((batch, 1, 28, 28), dtype, seed + 1, device, low=0.0, high=1.0), how)
    expect_module_run(q, fn, (num_classes,), lenet5_reference, state, x, training=True,
                      upstream_seed=seed + 2, shown={"num_classes": num_classes, "x": x},
                      **tolerance(dtype, reduction=True))


@question("LeNet5")
def test_lenet5_sgd_steps_on_digits(q, fn):
    # Five full-batch SGD steps on 40 real digits from known weights: the losses must be the reference's, and fall.
    q, steps, lr = "LeNet5", 5, 0.1
    x, y = digits(40)
    state = make_state(state_shapes(lenet5_structure(10)), torch.float64, 2024)
    params = {k: v.clone().requires_grad_(True) for k, v in state.items()}
    expected = []
    for _ in range(steps):
        loss = F.cross_entropy(lenet5_reference(params, x), y)
        grads = torch.autograd.grad(loss, list(params.values()))
        with torch.no_grad():
            for p, g in zip(params.values(), grads):
                p -= lr * g
        expected.append(loss.detach())
    expected = torch.stack(expected)
    assert expected[-1] < expected[0]  # the reference itself learns
    shown = {"x": x, "y": y, "steps": steps, "lr": lr}
    losses = drive(q, fn, module_sgd, shown, (10,), state, x, y, steps, lr)
    expect_tensor(q, losses, expected, shown, dtype=torch.float64, device=x.device,
                  what=tr("the cross-entropy losses during 5 SGD steps on 40 digits (from known weights)",
                          "从已知的权重出发，在 40 张数字图像上做 5 步 SGD 时，交叉熵损失"))


@question("LeNet5")
def test_lenet5_keeps_the_device(q, fn):
    expect_follows_device(q, fn, lambda x, training: torch.empty(x.shape[0], 10, device=x.device),
                          module_args=(10,), x=torch.empty(2, 1, 28, 28, device="meta"), training=True)


# ---- BasicBlock and Bottleneck -----------------------------------------------------------------------------
BLOCKS = {"BasicBlock": (basic_block_structure, basic_block_reference, "out_channels"),
          "Bottleneck": (bottleneck_structure, bottleneck_reference, "planes")}


def _block_structure(q, c_in, c_mid, stride):
    structure, _, name = BLOCKS[q]
    expect_structure(q, student(q), (c_in, c_mid, stride), structure(c_in, c_mid, stride),
                     {"in_channels": c_in, name: c_mid, "stride": stride})


def _block_run(q, device, dtype, c_in, c_mid, stride, batch, size, training, seed, how="contiguous"):
    structure, reference, name = BLOCKS[q]
    state = make_state(state_shapes(structure(c_in, c_mid, stride)), dtype, seed, device)
    x = image_layout(make_tensor((batch, c_in, size, size), dtype, seed + 1, device), how)
    shown = {"in_channels": c_in, name: c_mid, "stride": stride, "x": x, "training": training}
    tol = tolerance(dtype) if dtype == torch.float64 else {"rtol": 1e-3, "atol": 1e-4}  # float32 batch norm
    reference = functools.partial(reference, stride=stride, training=training)  # a partial: its answers are kept
    expect_module_run(q, student(q), (c_in, c_mid, stride), reference, state, x, training=training,
                      upstream_seed=seed + 2, shown=shown, **tol)


def _block_meta(q, c_in, c_mid, stride, training):
    structure, reference, _ = BLOCKS[q]
    x = torch.empty(2, c_in, 6, 6, device="meta")
    state = {k: torch.empty(v, device="meta") for k, v in state_shapes(structure(c_in, c_mid, stride)).items()}
    expect_follows_device(q, student(q), lambda x, training: reference(state, x, stride, training)[0],
                          module_args=(c_in, c_mid, stride), x=x, training=training)


@question("BasicBlock")
@given(c_in=st.integers(1, 6), c_out=st.integers(1, 6), stride=st.integers(1, 2))
def test_basic_block_structure(q, c_in, c_out, stride):
    _block_structure(q, c_in, c_out, stride)


@question("BasicBlock")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@FEW
@given(c_in=st.integers(1, 4), c_out=st.integers(1, 4), stride=st.integers(1, 2), batch=st.integers(1, 2),
       size=st.integers(4, 7), how=st.sampled_from(IMAGE_LAYOUTS), seed=seeds)
def test_basic_block_matches_functional_reference(q, device, dtype, training, c_in, c_out, stride, batch, size, how, seed):
    _block_run(q, device, dtype, c_in, c_out, stride, batch, size, training, seed, how)


@question("BasicBlock")
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_basic_block_keeps_the_device(q, training):
    _block_meta(q, 3, 5, 2, training)


@question("Bottleneck")
@given(c_in=st.integers(1, 12), planes=st.integers(1, 3), stride=st.integers(1, 2))
def test_bottleneck_structure(q, c_in, planes, stride):
    _block_structure(q, c_in, planes, stride)


@question("Bottleneck")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@FEW
@given(c_in=st.sampled_from([2, 4, 8]), planes=st.integers(1, 2), stride=st.integers(1, 2), batch=st.integers(1, 2),
       size=st.integers(4, 7), how=st.sampled_from(IMAGE_LAYOUTS), seed=seeds)
def test_bottleneck_matches_functional_reference(q, device, dtype, training, c_in, planes, stride, batch, size, how, seed):
    _block_run(q, device, dtype, c_in, planes, stride, batch, size, training, seed, how)


@question("Bottleneck")
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_bottleneck_keeps_the_device(q, training):
    _block_meta(q, 8, 2, 2, training)


# ---- defaults: the signatures' default arguments are part of the exercise ------------------------------------
@question("conv_out_size")
def test_conv_out_size_defaults(q, fn):
    # stride=1, padding=0, dilation=1 when left out.
    for size, k in ((9, 3), (28, 5), (2, 2)):
        expect_equal(q, call(q, fn, size=size, kernel_size=k), conv_out_size_reference(size, k),
                     {"size": size, "kernel_size": k},
                     what=tr("the output size with the default stride, padding, dilation",
                             "使用默认的 stride、padding、dilation 时，输出尺寸"))


@question("conv2d")
def test_conv2d_defaults(q, fn):
    # bias=None, stride=1, padding=0, dilation=1, groups=1 when left out.
    inputs = {"x": make_tensor((2, 4, 6, 5), torch.float64, 11), "weight": make_tensor((3, 4, 3, 2), torch.float64, 12)}
    expect_tensor(q, call(q, fn, **inputs), F.conv2d(*inputs.values()), inputs, dtype=torch.float64,
                  device="cpu", what=tr("the result with the default bias, stride, padding, dilation and groups",
                                        "使用默认的 bias、stride、padding、dilation 和 groups 时，结果"))


@question("max_pool2d")
def test_max_pool2d_defaults(q, fn):
    # stride = kernel_size and padding=0 when left out; a batch of 3.
    inputs = {"x": all_distinct((3, 2, 6, 5), torch.float64, 13), "kernel_size": 2}
    expect_tensor(q, call(q, fn, **inputs), F.max_pool2d(*inputs.values()), inputs, dtype=torch.float64,
                  device="cpu", what=tr("the result with the default stride and padding",
                                        "使用默认的 stride 和 padding 时，结果"))


@question("avg_pool2d")
@pytest.mark.parametrize("given", ["kernel", "padding", "all"])
def test_avg_pool2d_defaults_batch_of_three(q, fn, given):
    # stride = kernel_size, padding=0 and count_include_pad=True when left out; a batch of 3 (larger than the
    # random tests' batches), with count_include_pad=False too.
    x = make_tensor((3, 2, 6, 5), torch.float64, 14)
    inputs = {"kernel": {"x": x, "kernel_size": 2}, "padding": {"x": x, "kernel_size": 3, "stride": 2, "padding": 1},
              "all": {"x": x, "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}}[given]
    expected = F.avg_pool2d(*list(inputs.values())[:4], count_include_pad=inputs.get("count_include_pad", True))
    label = (tr("the result with the default arguments", "使用默认参数时，结果") if given != "all"
             else tr("the result", "结果"))
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=torch.float64, device="cpu", what=label)


@question("dropout")
def test_dropout_defaults(q, fn):
    # p=0.5 and training=True when left out: about half of the elements dropped, the rest doubled.
    x = away_from_zero((40, 50), torch.float64, 15)
    inputs = {"x": x}
    out = call(q, fn, **inputs)
    kept = out.abs() > 0 if type(out) is torch.Tensor and out.shape == x.shape else torch.ones_like(x, dtype=torch.bool)
    expect_tensor(q, out, torch.where(kept, 2 * x, torch.zeros_like(x)), inputs, dtype=x.dtype, device=x.device,
                  what=tr("the result with the default p = 0.5 and training=True (each element 0 or 2 x)",
                          "使用默认的 p = 0.5 和 training=True 时，结果（每个元素为 0 或 2 x）"))
    if not 0.4 < kept.double().mean().item() < 0.6:
        raise CheckFailure(q, tr("with the defaults it kept {k:.1%} of the elements; the default p = 0.5 keeps about "
                                 "half", "使用默认参数时，它保留了 {k:.1%} 的元素；默认的 p = 0.5 应当保留约一半",
                                 k=kept.double().mean().item()), inputs)


@question("conv_param_count")
@pytest.mark.parametrize("c_in, c_out, groups", [(4, 6, 4), (8, 4, 8), (6, 3, 2), (3, 6, 2), (6, 4, 3)])
def test_conv_param_count_refuses_channels_not_divisible_by_groups(q, fn, c_in, c_out, groups):
    # nn.Conv2d needs both channel counts divisible by groups: only one of them is, each way round.
    inputs = {"in_channels": c_in, "out_channels": c_out, "kernel_size": 3, "groups": groups, "bias": True}
    expect_param_count(q, fn, inputs, conv_param_count_reference(c_in, c_out, 3, groups, True))


@question("conv_param_count")
def test_conv_param_count_defaults(q, fn):
    # groups=1 and bias=True when left out.
    for c_in, c_out, k in ((3, 6, 5), (4, 8, (3, 1))):
        inputs = {"in_channels": c_in, "out_channels": c_out, "kernel_size": k}
        expect_equal(q, call(q, fn, **inputs), conv_param_count_reference(c_in, c_out, k), inputs,
                     what=tr("the count with the default groups and bias", "使用默认的 groups 和 bias 时，参数量"))


@question("LeNet5")
def test_lenet5_default_classes(q, fn):
    expect_structure(q, fn, (), lenet5_structure(10), {"num_classes": "(default)"})


@question("BasicBlock")
def test_basic_block_default_stride(q, fn):
    expect_structure(q, fn, (4, 4), basic_block_structure(4, 4, 1),
                     {"in_channels": 4, "out_channels": 4, "stride": "(default)"})


@question("Bottleneck")
def test_bottleneck_default_stride(q, fn):
    expect_structure(q, fn, (8, 2), bottleneck_structure(8, 2, 1),
                     {"in_channels": 8, "planes": 2, "stride": "(default)"})
