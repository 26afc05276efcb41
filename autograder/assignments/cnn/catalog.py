"""Assignment 8, "Images, convolutions and classic CNNs": mistakes students make, and correct variants
written differently. Each entry is self-contained (it may use torch, F = torch.nn.functional and math)."""
from functools import partial

from autograder.catalog import Mistake, Variant
from autograder.catalog import edited as _edited

# The notebook's solutions (avg_pool2d: written with convolutions, the variant depthwise-conv-reshape below);
# most mistakes below are one of them, or one of the bases after them, with a few edits.
SOLUTIONS = {
    "sobel": '''
def sobel(image, dx, dy):
    smooth, diff = [1.0, 2.0, 1.0], [-1.0, 0.0, 1.0]
    along_rows = diff if dy else smooth
    along_cols = diff if dx else smooth
    h, w = image.shape
    padded = F.pad(image[None, None], (1, 1, 1, 1), mode="reflect")[0, 0]
    out = torch.zeros_like(image)
    for a in range(3):
        for b in range(3):
            weight = along_rows[a] * along_cols[b]
            if weight:
                out = out + weight * padded[a:a + h, b:b + w]
    return out
''',
    "laplacian": '''
def laplacian(image):
    p = F.pad(image[None, None], (1, 1, 1, 1), mode="reflect")[0, 0]
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * p[1:-1, 1:-1]
''',
    "conv_out_size": '''
def conv_out_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(f"a kernel spanning {span} does not fit in a padded input of size {size + 2 * padding}")
    return (size + 2 * padding - span) // stride + 1
''',
    "conv2d": '''
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c_in, h, w = x.shape
    c_out, c_group, kh, kw = weight.shape
    out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    padded = F.pad(x, (pw, pw, ph, ph)).reshape(n, groups, c_group, h + 2 * ph, w + 2 * pw)
    wg = weight.reshape(groups, c_out // groups, c_group, kh, kw)
    out = x.new_zeros(n, groups, c_out // groups, out_h, out_w)
    for a in range(kh):
        for b in range(kw):
            top, left = a * dh, b * dw
            patch = padded[..., top:top + sh * (out_h - 1) + 1:sh, left:left + sw * (out_w - 1) + 1:sw]
            out = out + torch.einsum("ngchw,goc->ngohw", patch, wg[..., a, b])
    out = out.reshape(n, c_out, out_h, out_w)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
''',
    "max_pool2d": '''
def max_pool2d(x, kernel_size, stride=None, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    windows = padded.unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1))
''',
    "avg_pool2d": '''
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    kernel = torch.ones(1, 1, kh, kw, dtype=x.dtype, device=x.device)
    sums = F.conv2d(F.pad(x.reshape(n * c, 1, h, w), (pw, pw, ph, ph)), kernel, stride=(sh, sw))
    counts = F.conv2d(F.pad(torch.ones_like(x[:1, :1]), (pw, pw, ph, ph)), kernel, stride=(sh, sw))
    return (sums / (kh * kw if count_include_pad else counts)).reshape(n, c, *sums.shape[-2:])
''',
    "dropout": '''
def dropout(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    keep = (torch.rand_like(x) >= p).to(x.dtype)
    return x * keep if p == 1 else x * keep / (1 - p)
''',
    "conv_param_count": '''
def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"in_channels and out_channels must be divisible by groups={groups}")
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)
''',
    "receptive_field": '''
def receptive_field(layers):
    field, jump = 1, 1
    for kernel_size, stride in layers:
        field += (kernel_size - 1) * jump
        jump *= stride
    return field
''',
    "LeNet5": '''
import torch.nn as nn

class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
''',
    "BasicBlock": '''
import torch.nn as nn

class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))
''',
    "Bottleneck": '''
import torch.nn as nn

class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, planes, stride=1):
        super().__init__()
        out_channels = self.expansion * planes
        self.conv1 = nn.Conv2d(in_channels, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.shortcut(x))
''',
}


edited = partial(_edited, base=SOLUTIONS)  # a mistake as edits of the solution (autograder.catalog.edited)

# Right answers in the form some mistakes below were written in (a weight per row and column; window sums by
# unfold): those mistakes are edits of them (base=...).
_SOBEL_LOOP = '''
def sobel(image, dx, dy):
    rows = [-1.0, 0.0, 1.0] if dy else [1.0, 2.0, 1.0]
    cols = [-1.0, 0.0, 1.0] if dx else [1.0, 2.0, 1.0]
    h, w = image.shape
    padded = F.pad(image[None, None], (1, 1, 1, 1), mode="reflect")[0, 0]
    out = torch.zeros_like(image)
    for a in range(3):
        for b in range(3):
            out = out + rows[a] * cols[b] * padded[a:a + h, b:b + w]
    return out
'''
_AVG_POOL_UNFOLD = '''
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    sums = lambda t: F.pad(t, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    return sums(x) / (kh * kw if count_include_pad else sums(torch.ones_like(x)))
'''
# Edits that several mistakes share: most turn the solution into the form those mistakes were written in (a
# shorter error message, the patch offsets inline, one-line returns, the compact LeNet-5).
_REFLECT = 'F.pad(image[None, None], (1, 1, 1, 1), mode="reflect")[0, 0]'
_SHORT_SIZE_ERROR = ('f"a kernel spanning {span} does not fit in a padded input of size {size + 2 * padding}"',
                     '"kernel too large"')
_INLINE_OFFSETS = ("            top, left = a * dh, b * dw\n"
                   "            patch = padded[..., top:top + sh * (out_h - 1) + 1:sh, left:left + sw * (out_w - 1) + 1:sw]\n",
                   "            patch = padded[..., a * dh:a * dh + sh * (out_h - 1) + 1:sh, "
                   "b * dw:b * dw + sw * (out_w - 1) + 1:sw]\n")
_ONE_LINE_POOL = ("    windows = padded.unfold(2, kh, sh).unfold(3, kw, sw)\n    return windows.amax(dim=(-2, -1))\n",
                  "    return padded.unfold(2, kh, sh).unfold(3, kw, sw).amax(dim=(-2, -1))\n")
_SHORT_GROUPS_ERROR = ('f"in_channels and out_channels must be divisible by groups={groups}"',
                       '"channels must be divisible by groups"')
_NO_GROUPS_CHECK = ("    if in_channels % groups or out_channels % groups:\n"
                    '        raise ValueError(f"in_channels and out_channels must be divisible by groups={groups}")\n', "")
_BLOCK_ONE_LINE_RETURN = ("        out = self.bn2(self.conv2(out))\n        return F.relu(out + self.shortcut(x))\n",
                          "        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))\n")
_EXPANSION_4 = ("self.expansion * planes", "4 * planes")
_COMPACT_LENET5 = (("nn.Conv2d(1, 6, kernel_size=5,", "nn.Conv2d(1, 6, 5,"),
                   ("nn.Conv2d(6, 16, kernel_size=5)", "nn.Conv2d(6, 16, 5)"), ("16 * 5 * 5", "400"),
                   ("        x = F.relu(self.fc1(x))\n        x = F.relu(self.fc2(x))\n        return self.fc3(x)\n",
                    "        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))\n"))
_BOTTLENECK_ONE_LINE_RETURN = ("        out = self.bn3(self.conv3(out))\n        return F.relu(out + self.shortcut(x))\n",
                               "        return F.relu(self.bn3(self.conv3(out)) + self.shortcut(x))\n")

MISTAKES = [
    # ---- sobel
    edited("sobel", "zero-padding",
           "Pads with zeros; OpenCV's default border is BORDER_REFLECT_101 (F.pad(..., mode='reflect')), so the "
           "border pixels differ.", (_REFLECT, "F.pad(image, (1, 1, 1, 1))"), base=_SOBEL_LOOP),
    edited("sobel", "flipped-kernel",
           "Flips the kernel (the textbook convolution); cv2.Sobel, like F.conv2d, correlates: "
           "out[i, j] = sum of kernel[a, b] * padded[i + a, j + b], so Sobel x is positive where the image "
           "gets brighter to the right.", ("rows[a] * cols[b]", "rows[2 - a] * cols[2 - b]"), base=_SOBEL_LOOP),
    edited("sobel", "swapped-axes",
           "Differentiates along the rows for dx; x is the width (the columns, the last dimension), so dx = 1 "
           "means [-1, 0, 1] across each row.",
           ("rows = [-1.0, 0.0, 1.0] if dy", "rows = [-1.0, 0.0, 1.0] if dx"),
           ("cols = [-1.0, 0.0, 1.0] if dx", "cols = [-1.0, 0.0, 1.0] if dy"), base=_SOBEL_LOOP),
    edited("sobel", "replicate-padding",
           "Repeats the edge pixel (mode='replicate', OpenCV's BORDER_REPLICATE); the default BORDER_REFLECT_101 "
           "mirrors without repeating it: mode='reflect'.", ('mode="reflect"', 'mode="replicate"'), base=_SOBEL_LOOP),
    edited("sobel", "no-padding",
           "Returns only the 'valid' part, (H - 2, W - 2); pad by one pixel first so the result keeps the "
           "image's shape.", (f"    padded = {_REFLECT}\n", ""),
           ("torch.zeros_like(image)", "torch.zeros_like(image[1:-1, 1:-1])"),
           ("padded[a:a + h, b:b + w]", "image[a:a + h - 2, b:b + w - 2]"), base=_SOBEL_LOOP),
    # ---- laplacian
    edited("laplacian", "zero-padding",
           "Pads with zeros; OpenCV's default border is BORDER_REFLECT_101 (F.pad(..., mode='reflect')).",
           (_REFLECT, "F.pad(image, (1, 1, 1, 1))")),
    Mistake("laplacian", "eight-neighbours",
            "Uses the 8-neighbour kernel [[1, 1, 1], [1, -8, 1], [1, 1, 1]]; cv2.Laplacian's default (ksize=1) "
            "is [[0, 1, 0], [1, -4, 1], [0, 1, 0]].", '''
def laplacian(image):
    h, w = image.shape
    p = F.pad(image[None, None], (1, 1, 1, 1), mode="reflect")[0, 0]
    total = sum(p[a:a + h, b:b + w] for a in range(3) for b in range(3))
    return total - 9 * image
'''),
    edited("laplacian", "negated",
           "Computes 4 * centre - neighbours, the negative Laplacian; the kernel has -4 in the centre and +1 "
           "around it.", ("return p", "return 4 * p[1:-1, 1:-1] - (p"), (" - 4 * p[1:-1, 1:-1]", ")")),
    edited("laplacian", "replicate-padding",
           "Repeats the edge pixel (mode='replicate'); OpenCV's default BORDER_REFLECT_101 mirrors without "
           "repeating it: mode='reflect'.", ('mode="reflect"', 'mode="replicate"')),
    # ---- conv_out_size
    edited("conv_out_size", "float-division",
           "Divides with /, which gives a float; the size is an int, the floor of the division: use //.",
           _SHORT_SIZE_ERROR, ("// stride", "/ stride")),
    edited("conv_out_size", "padding-once",
           "Adds the padding once; padding=p adds p pixels on each side, 2p in all.", _SHORT_SIZE_ERROR,
           ("if size + 2 * padding", "if size + padding"), ("return (size + 2 * padding", "return (size + padding")),
    edited("conv_out_size", "ceil",
           "Rounds up; a window that would stick out of the padded input is dropped, so round down "
           "(ceil is pooling's optional ceil_mode).", ("\ndef", "\nimport math\n\ndef"), _SHORT_SIZE_ERROR,
           ("return (size + 2 * padding - span) // stride + 1",
            "return math.ceil((size + 2 * padding - span) / stride) + 1")),
    edited("conv_out_size", "no-dilation",
           "Ignores the dilation; a dilated kernel spans dilation * (kernel_size - 1) + 1 pixels.",
           _SHORT_SIZE_ERROR, ("    span = dilation * (kernel_size - 1) + 1\n", ""),
           ("< span", "< kernel_size"), ("- span", "- kernel_size")),
    Mistake("conv_out_size", "no-check",
            "Returns a size of 0 or less when the kernel does not fit; raise ValueError instead, as PyTorch "
            "refuses such a convolution.", '''
def conv_out_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
'''),
    # ---- conv2d
    edited("conv2d", "flipped-kernel",
           "Flips the kernel (the textbook convolution); F.conv2d correlates: "
           "out[o, i, j] = sum of weight[o, c, a, b] * x[c, i * s + a * d, j * s + b * d].",
           ("    n, c_in, h, w = x.shape\n", "    weight = weight.flip(-2, -1)\n    n, c_in, h, w = x.shape\n"),
           _INLINE_OFFSETS),
    edited("conv2d", "interleaved-groups",
           "Deals the output channels out to the groups in turn (channel o to group o % groups); groups are "
           "consecutive blocks: output channel o belongs to group o // (C_out / groups).",
           ("weight.reshape(groups, c_out // groups, c_group, kh, kw)",
            "weight.reshape(c_out // groups, groups, c_group, kh, kw).transpose(0, 1)"),
           _INLINE_OFFSETS, ("out = out.reshape(", "out = out.transpose(1, 2).reshape(")),
    edited("conv2d", "no-dilation",
           "Puts the kernel taps next to each other whatever the dilation; with dilation d, tap (a, b) reads the "
           "pixel at offset (a * d, b * d).",
           ("            top, left = a * dh, b * dw\n", ""), ("top:top", "a:a"), ("left:left", "b:b")),
    edited("conv2d", "pad-one-side",
           "Adds all the padding after the image (right and bottom); padding=p adds p zeros on each side.",
           ("F.pad(x, (pw, pw, ph, ph))", "F.pad(x, (0, 2 * pw, 0, 2 * ph))"), _INLINE_OFFSETS),
    edited("conv2d", "no-gradient",
           "Rebuilds the result from Python numbers (.tolist(), torch.tensor(...)), which cuts the autograd "
           "graph: no gradient reaches x, weight or bias.", _INLINE_OFFSETS,
           ("    return out if bias is None else out + bias.reshape(1, -1, 1, 1)\n",
            "    out = out if bias is None else out + bias.reshape(1, -1, 1, 1)\n"
            "    return torch.tensor(out.tolist(), dtype=x.dtype, device=x.device)\n")),
    # ---- max_pool2d
    edited("max_pool2d", "stride-one-default",
           "Uses stride 1 when stride is None; pooling's stride defaults to the kernel size (windows side by "
           "side).", ("pair(kernel_size if stride", "pair(1 if stride"), _ONE_LINE_POOL),
    edited("max_pool2d", "zero-padding",
           "Pads with zeros; for max pooling the padding must never win, so pad with -inf (a window of negative "
           "values at the border would give 0).", (', value=float("-inf")', ""), _ONE_LINE_POOL),
    edited("max_pool2d", "sum-of-maxima",
           "Sums the elements equal to the window's maximum; with ties that counts the maximum several times: "
           "take the maximum itself (amax or max).",
           ("    return windows.amax(dim=(-2, -1))\n",
            "    top = windows.amax(dim=(-2, -1), keepdim=True)\n"
            "    return torch.where(windows == top, windows, torch.zeros_like(windows)).sum(dim=(-2, -1))\n")),
    edited("max_pool2d", "square-kernel",
           "Reads only the first number of a (kh, kw) kernel_size and uses a square window; a pair gives the "
           "window's height and width.",
           ("    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)\n",
            "    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]\n    (ph, pw) = pair(padding)\n"),
           _ONE_LINE_POOL, ("unfold(2, kh, sh).unfold(3, kw, sw)", "unfold(2, k, sh).unfold(3, k, sw)")),
    edited("max_pool2d", "unfold-wrong-view",
           "Views F.unfold's (N, C * kH * kW, L) result as (N, kH * kW, C, L); its rows are ordered channel "
           "first, so view it as (N, C, kH * kW, L) or channels get mixed.",
           ("    padded =", "    n, c, h, w = x.shape\n    padded ="),
           (_ONE_LINE_POOL[0],
            "    cols = F.unfold(padded, (kh, kw), stride=(sh, sw))\n"
            "    out_h = (h + 2 * ph - kh) // sh + 1\n"
            "    out_w = (w + 2 * pw - kw) // sw + 1\n"
            "    return cols.view(n, kh * kw, c, -1).amax(dim=1).view(n, c, out_h, out_w)\n")),
    # ---- avg_pool2d
    edited("avg_pool2d", "always-kernel-area",
           "Always divides by kH * kW; with count_include_pad=False, divide by the number of real (not padded) "
           "pixels in each window.",
           ("sums = lambda t: F.pad(t,", "windows = F.pad(x,"),
           (".sum(dim=(-2, -1))\n    return sums(x) / (kh * kw if count_include_pad else sums(torch.ones_like(x)))",
            "\n    return windows.sum(dim=(-2, -1)) / (kh * kw)"), base=_AVG_POOL_UNFOLD),
    edited("avg_pool2d", "never-counts-padding",
           "Always divides by the number of real pixels; with count_include_pad=True (the default) the padded "
           "zeros count too: divide by kH * kW.",
           ("(kh * kw if count_include_pad else sums(torch.ones_like(x)))", "sums(torch.ones_like(x))"),
           base=_AVG_POOL_UNFOLD),
    edited("avg_pool2d", "stride-one-default",
           "Uses stride 1 when stride is None; pooling's stride defaults to the kernel size (windows side by "
           "side).", ("pair(kernel_size if stride", "pair(1 if stride"), base=_AVG_POOL_UNFOLD),
    edited("avg_pool2d", "swapped-kernel-pair",
           "Unpacks a (kh, kw) kernel_size as (width, height); the first number is the window's height (rows), "
           "the second its width.", ("(kh, kw), (ph, pw)", "(kw, kh), (ph, pw)"),
           ("pair(kernel_size if stride", "pair((kh, kw) if stride"), base=_AVG_POOL_UNFOLD),
    # ---- dropout
    edited("dropout", "on-in-eval",
           "Drops elements in evaluation mode too; with training=False dropout must return x unchanged (the "
           "AlexNet bug of calling F.dropout without training=self.training).", ("not training or p == 0", "p == 0")),
    edited("dropout", "no-rescale",
           "Zeroes elements without scaling the others; inverted dropout multiplies the kept ones by 1 / (1 - p) "
           "so the expected value stays x.", (" or p == 0", ""),
           ("    keep = (torch.rand_like(x) >= p).to(x.dtype)\n"
            "    return x * keep if p == 1 else x * keep / (1 - p)\n",
            "    return x * (torch.rand_like(x) >= p).to(x.dtype)\n")),
    edited("dropout", "keeps-with-probability-p",
           "Keeps each element with probability p; p is the probability of dropping it (keep when "
           "rand >= p).", (">= p", "< p"),
           ("x * keep if p == 1 else x * keep / (1 - p)", "x * keep / (1 - p) if p < 1 else x * keep")),
    edited("dropout", "nan-at-p1",
           "Divides by 1 - p even when p = 1, which gives 0 / 0 = NaN; with p = 1 every element is dropped: "
           "return zeros.", (" or p == 0", ""), ("x * keep if p == 1 else ", "")),
    edited("dropout", "batch-shared-mask",
           "Draws one mask for x.shape[1:] and reuses it for every row of the batch; each element needs its own "
           "random draw (a mask of x's full shape).",
           ("torch.rand_like(x)", "torch.rand(x.shape[1:], dtype=x.dtype, device=x.device)")),
    edited("dropout", "fixed-seed",
           "Seeds the generator inside the function, so every call drops the same elements; seed once outside, "
           "if at all.", ("    keep =", "    torch.manual_seed(0)\n    keep =")),
    # ---- conv_param_count
    edited("conv_param_count", "no-bias",
           "Forgets the biases: nn.Conv2d has one per output channel (Conv2d(3, 6, 3) has 162 weights + 6 "
           "biases = 168).", _SHORT_GROUPS_ERROR, (" + (out_channels if bias else 0)", "")),
    edited("conv_param_count", "bias-always",
           "Counts the biases even with bias=False.", _SHORT_GROUPS_ERROR,
           ("(out_channels if bias else 0)", "out_channels")),
    edited("conv_param_count", "square-kernel",
           "Squares the first number of a (kh, kw) kernel_size; a pair gives a kh x kw kernel.", _SHORT_GROUPS_ERROR,
           ("kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size",
            "k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]"), ("kh * kw", "k * k")),
    edited("conv_param_count", "ignores-groups",
           "Ignores groups; each output channel sees only in_channels / groups input channels, so groups "
           "divides the number of weights (a depthwise 3x3 conv on 32 channels has 320 parameters).",
           _NO_GROUPS_CHECK, ("(in_channels // groups)", "in_channels")),
    edited("conv_param_count", "no-divisibility-check",
           "Returns a count when the channels are not divisible by groups; nn.Conv2d raises ValueError then, and "
           "so should this function.", _NO_GROUPS_CHECK),
    # ---- receptive_field
    Mistake("receptive_field", "sum-of-kernels",
            "Adds up the kernel sizes; neighbouring windows overlap, so each layer adds k - 1 (times the jump), "
            "starting from 1.", '''
def receptive_field(layers):
    return sum(k for k, s in layers)
'''),
    Mistake("receptive_field", "no-jump",
            "Adds k - 1 per layer without the jump; after a stride-s layer, each step of the next layer moves s "
            "input pixels, so multiply by the product of the earlier strides.", '''
def receptive_field(layers):
    return 1 + sum(k - 1 for k, s in layers)
'''),
    Mistake("receptive_field", "jump-includes-own-stride",
            "Multiplies a layer's k - 1 by a jump that already includes its own stride; only the strides of the "
            "layers below it count.", '''
def receptive_field(layers):
    field, jump = 1, 1
    for k, s in layers:
        jump *= s
        field += (k - 1) * jump
    return field
'''),
    Mistake("receptive_field", "reversed-layers",
            "Walks the layers from the top down with the forward formula; the jump of a layer is the product of "
            "the strides of the layers below it (closer to the input).", '''
def receptive_field(layers):
    field, jump = 1, 1
    for k, s in reversed(layers):
        field += (k - 1) * jump
        jump *= s
    return field
'''),
    # ---- LeNet5
    edited("LeNet5", "no-padding",
           "Leaves out conv1's padding=2; on 28x28 images the flattened features are then 16 * 4 * 4, not "
           "16 * 5 * 5 = 400.", *_COMPACT_LENET5, ("5, padding=2)", "5)"), ("nn.Linear(400,", "nn.Linear(16 * 4 * 4,")),
    edited("LeNet5", "flatten-batch",
           "Flattens with x.view(-1), which merges the images of the batch; keep the batch dimension: "
           "x.flatten(1) or x.view(x.size(0), -1).", *_COMPACT_LENET5, ("x.flatten(1)", "x.view(-1)")),
    edited("LeNet5", "softmax-output",
           "Returns softmax probabilities; the network should return logits, since F.cross_entropy applies "
           "log-softmax itself.", *_COMPACT_LENET5,
           ("return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))",
            "return F.softmax(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))), dim=1)")),
    edited("LeNet5", "sigmoid-average-pooling",
           "Uses the 1998 LeNet's sigmoid and average pooling; this LeNet-5 uses ReLU and max pooling.", *_COMPACT_LENET5,
           ("F.max_pool2d(F.relu(self.conv1(x)), 2)", "F.avg_pool2d(torch.sigmoid(self.conv1(x)), 2)"),
           ("F.max_pool2d(F.relu(self.conv2(x)), 2)", "F.avg_pool2d(torch.sigmoid(self.conv2(x)), 2)"),
           ("self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))",
            "self.fc3(torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x)))))")),
    edited("LeNet5", "relu-on-logits",
           "Applies ReLU after the last layer too; logits must be able to be negative, so fc3's output is "
           "returned as it is.", *_COMPACT_LENET5,
           ("return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))",
            "return F.relu(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))))")),
    # ---- BasicBlock
    edited("BasicBlock", "conv-bias",
           "Gives the convolutions a bias; the batch norm right after each one has its own shift, so ResNet's "
           "convolutions use bias=False.", ("padding=1, bias=False)\n        self.bn1", "padding=1)\n        self.bn1"),
           ("padding=1, bias=False)\n        self.bn2", "padding=1)\n        self.bn2"),
           ("stride=stride, bias=False),", "stride=stride),"), _BLOCK_ONE_LINE_RETURN),
    edited("BasicBlock", "no-stride-projection",
           "Uses a projection shortcut only when the channel counts differ; a stride of 2 also changes the "
           "shape, so it needs the 1x1 projection with the same stride too.",
           ("if stride != 1 or in_channels", "if in_channels"), _BLOCK_ONE_LINE_RETURN),
    edited("BasicBlock", "no-final-relu",
           "Returns the sum without the last ReLU; the block's output is ReLU(F(x) + shortcut(x)).",
           (_BLOCK_ONE_LINE_RETURN[0], "        return self.bn2(self.conv2(out)) + self.shortcut(x)\n")),
    edited("BasicBlock", "relu-before-add",
           "Applies the ReLU to the residual branch before adding the shortcut; ResNet adds first, then applies "
           "ReLU to the sum.",
           (_BLOCK_ONE_LINE_RETURN[0], "        return F.relu(self.bn2(self.conv2(out))) + self.shortcut(x)\n")),
    edited("BasicBlock", "stride-on-conv2",
           "Puts the stride on the second convolution; the block downsamples in its first 3x3 convolution "
           "(and in the shortcut).", ("out_channels, 3, stride=stride,", "out_channels, 3,"),
           ("out_channels, out_channels, 3,", "out_channels, out_channels, 3, stride=stride,"), _BLOCK_ONE_LINE_RETURN),
    # ---- Bottleneck
    edited("Bottleneck", "no-expansion",
           "Makes conv3 output `planes` channels; a bottleneck block expands back to 4 * planes "
           "(expansion = 4).", ("        out_channels = self.expansion * planes\n", ""),
           ("out_channels, 1, bias=False)\n        self.bn3 = nn.BatchNorm2d(out_channels)",
            "planes, 1, bias=False)\n        self.bn3 = nn.BatchNorm2d(planes)"),
           ("in_channels != out_channels", "in_channels != planes"),
           ("nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),\n"
            "                                          nn.BatchNorm2d(out_channels)",
            "nn.Conv2d(in_channels, planes, 1, stride=stride, bias=False),\n"
            "                                          nn.BatchNorm2d(planes)"), _BOTTLENECK_ONE_LINE_RETURN),
    edited("Bottleneck", "projection-only-for-channels",
           "Uses a projection shortcut only when the channel counts differ; a stride of 2 also changes the "
           "shape, so it needs the 1x1 projection with the same stride too.", _EXPANSION_4,
           ("if stride != 1 or in_channels", "if in_channels"), _BOTTLENECK_ONE_LINE_RETURN),
    edited("Bottleneck", "stride-on-conv1",
           "Puts the stride on the first 1x1 convolution (the original ResNet paper); this block, like "
           "torchvision's, strides in the 3x3 convolution, which then sees every input pixel.", _EXPANSION_4,
           ("nn.Conv2d(in_channels, planes, 1,", "nn.Conv2d(in_channels, planes, 1, stride=stride,"),
           ("3, stride=stride, padding=1", "3, padding=1"), _BOTTLENECK_ONE_LINE_RETURN),
    edited("Bottleneck", "relu-before-add",
           "Applies a ReLU after bn3, before adding the shortcut; ResNet adds first, then applies ReLU to the "
           "sum.", _EXPANSION_4,
           (_BOTTLENECK_ONE_LINE_RETURN[0], "        return F.relu(self.bn3(self.conv3(out))) + self.shortcut(x)\n")),
    edited("Bottleneck", "no-final-relu",
           "Returns the sum without the last ReLU; the block's output is ReLU(F(x) + shortcut(x)).", _EXPANSION_4,
           (_BOTTLENECK_ONE_LINE_RETURN[0], "        return self.bn3(self.conv3(out)) + self.shortcut(x)\n")),
]

VARIANTS = [
    Variant("sobel", "separable-index-reflect",
            "smooths along one axis and differentiates along the other, reflecting by index arithmetic", '''
def sobel(image, dx, dy):
    def reflect(n):
        idx = torch.arange(-1, n + 1, device=image.device).abs()
        return torch.where(idx > n - 1, 2 * (n - 1) - idx, idx)

    h, w = image.shape
    p = image[reflect(h)][:, reflect(w)]
    t = p[:, 2:] - p[:, :-2] if dx else p[:, :-2] + 2 * p[:, 1:-1] + p[:, 2:]
    return t[2:] - t[:-2] if dy else t[:-2] + 2 * t[1:-1] + t[2:]
'''),
    Variant("sobel", "unfold-float64", "3x3 windows with Tensor.unfold, weighted in float64, cast back", '''
def sobel(image, dx, dy):
    col = torch.tensor([-1.0, 0.0, 1.0] if dy else [1.0, 2.0, 1.0], dtype=torch.float64, device=image.device)
    row = torch.tensor([-1.0, 0.0, 1.0] if dx else [1.0, 2.0, 1.0], dtype=torch.float64, device=image.device)
    padded = F.pad(image.double()[None, None], (1, 1, 1, 1), mode="reflect")[0, 0]
    windows = padded.unfold(0, 3, 1).unfold(1, 3, 1)          # (H, W, 3, 3)
    return (windows * torch.outer(col, row)).sum(dim=(-2, -1)).to(image.dtype)
'''),
    Variant("laplacian", "second-differences", "the sum of the two second differences, reflecting by index", '''
def laplacian(image):
    def reflect(n):
        idx = torch.arange(-1, n + 1, device=image.device).abs()
        return torch.where(idx > n - 1, 2 * (n - 1) - idx, idx)

    h, w = image.shape
    rows = image[reflect(h)]
    cols = image[:, reflect(w)]
    return (rows[:-2] - 2 * rows[1:-1] + rows[2:]) + (cols[:, :-2] - 2 * cols[:, 1:-1] + cols[:, 2:])
'''),
    Variant("laplacian", "kernel-loop", "a loop over the non-zero entries of the 3x3 kernel, in-place accumulation", '''
def laplacian(image):
    kernel = [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]
    h, w = image.shape
    padded = F.pad(image.unsqueeze(0).unsqueeze(0), [1, 1, 1, 1], mode="reflect").squeeze(0).squeeze(0)
    out = torch.zeros_like(image)
    for a in range(3):
        for b in range(3):
            if kernel[a][b] != 0:
                out += kernel[a][b] * padded[a:a + h, b:b + w]
    return out
'''),
    Variant("conv_out_size", "count-windows", "counts the window positions with range()", '''
def conv_out_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    positions = len(range(0, size + 2 * padding - span + 1, stride))
    if positions == 0:
        raise ValueError("the kernel does not fit")
    return positions
'''),
    Variant("conv_out_size", "math-floor", "math.floor of a float division, checked afterwards", '''
import math

def conv_out_size(size, kernel_size, stride=1, padding=0, dilation=1):
    out = math.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    if out < 1:
        raise ValueError(f"output size {out} < 1")
    return int(out)
'''),
    Variant("conv2d", "unfold-matmul-float64", "im2col with F.unfold and one einsum per batch, in float64", '''
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c_in, h, w = x.shape
    c_out, c_group, kh, kw = weight.shape
    out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    cols = F.unfold(x.double(), (kh, kw), dilation=(dh, dw), padding=(ph, pw), stride=(sh, sw))
    cols = cols.reshape(n, groups, c_group * kh * kw, out_h * out_w)
    wg = weight.double().reshape(groups, c_out // groups, c_group * kh * kw)
    out = torch.einsum("gok,ngkl->ngol", wg, cols).reshape(n, c_out, out_h, out_w)
    if bias is not None:
        out = out + bias.double().reshape(1, -1, 1, 1)
    return out.to(x.dtype)
'''),
    Variant("conv2d", "pixel-loop", "loops over output pixels and groups, stacking the results", '''
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c_in, h, w = x.shape
    c_out, c_group, kh, kw = weight.shape
    per_group = c_out // groups
    padded = F.pad(x, (pw, pw, ph, ph))
    out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    rows = []
    for i in range(out_h):
        cols = []
        for j in range(out_w):
            window = padded[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            parts = []
            for g in range(groups):
                xs = window[:, g * c_group:(g + 1) * c_group]
                ws = weight[g * per_group:(g + 1) * per_group]
                parts.append((xs.unsqueeze(1) * ws.unsqueeze(0)).sum(dim=(2, 3, 4)))
            cols.append(torch.cat(parts, dim=1))
        rows.append(torch.stack(cols, dim=-1))
    out = torch.stack(rows, dim=-2)
    return out if bias is None else out + bias[None, :, None, None]
'''),
    Variant("max_pool2d", "unfold-max-indices", "F.unfold columns and max(dim) (one index per window)", '''
def max_pool2d(x, kernel_size, stride=None, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    cols = F.unfold(padded, (kh, kw), stride=(sh, sw)).view(n, c, kh * kw, -1)
    out_h, out_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    return cols.max(dim=2).values.view(n, c, out_h, out_w)
'''),
    Variant("max_pool2d", "offset-loop", "torch.maximum over strided slices, one per kernel offset", '''
def max_pool2d(x, kernel_size, stride=None, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    h, w = x.shape[-2:]
    out_h, out_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    out = None
    for a in range(kh):
        for b in range(kw):
            part = padded[..., a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw]
            out = part if out is None else torch.maximum(out, part)
    return out
'''),
    Variant("avg_pool2d", "depthwise-conv", "window sums as a depthwise F.conv2d with a kernel of ones", '''
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    c = x.shape[1]
    ones = torch.ones(c, 1, kh, kw, dtype=x.dtype, device=x.device)
    sums = F.conv2d(x, ones, stride=(sh, sw), padding=(ph, pw), groups=c)
    if count_include_pad:
        return sums / (kh * kw)
    counts = F.conv2d(torch.ones_like(x[:1, :1]), ones[:1], stride=(sh, sw), padding=(ph, pw))
    return sums / counts
'''),
    Variant("avg_pool2d", "integral-image", "window sums from a 2-D cumulative sum (an integral image), float64", '''
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)

    def window_sums(t):
        p = F.pad(t.double(), (pw, pw, ph, ph))
        s = F.pad(p.cumsum(-2).cumsum(-1), (1, 0, 1, 0))     # s[i, j] = sum of p[:i, :j]
        out_h, out_w = (p.shape[-2] - kh) // sh + 1, (p.shape[-1] - kw) // sw + 1
        r0 = (torch.arange(out_h, device=t.device) * sh)[:, None]
        c0 = torch.arange(out_w, device=t.device) * sw
        return s[..., r0 + kh, c0 + kw] - s[..., r0, c0 + kw] - s[..., r0 + kh, c0] + s[..., r0, c0]

    divisor = kh * kw if count_include_pad else window_sums(torch.ones_like(x))
    return (window_sums(x) / divisor).to(x.dtype)
'''),
    Variant("dropout", "bernoulli", "a mask drawn with torch.bernoulli", '''
def dropout(x, p=0.5, training=True):
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    mask = torch.bernoulli(torch.full_like(x, 1 - p))
    return mask * x / (1 - p)
'''),
    Variant("dropout", "where-uniform", "torch.where on an in-place uniform draw", '''
def dropout(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    if p >= 1:
        return x * 0
    u = torch.empty_like(x).uniform_()
    return torch.where(u < p, torch.zeros_like(x), x / (1 - p))
'''),
    Variant("conv_param_count", "per-group-sum", "adds up the weights of each group", '''
def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    if in_channels % groups != 0 or out_channels % groups != 0:
        raise ValueError("channels must be divisible by groups")
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    total = 0
    for _ in range(groups):
        total += (out_channels // groups) * (in_channels // groups) * kh * kw
    return total + out_channels * int(bool(bias))
'''),
    Variant("conv_param_count", "per-output-channel", "counts per output channel with math.prod and divmod", '''
import math

def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    per_group, r_in = divmod(in_channels, groups)
    r_out = out_channels % groups
    if r_in or r_out:
        raise ValueError(f"{in_channels} and {out_channels} channels cannot be split into {groups} groups")
    size = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
    return out_channels * (math.prod(size) * per_group + (1 if bias else 0))
'''),
    Variant("receptive_field", "top-down-recursion", "walks down from one output pixel: r = (r - 1) * s + k", '''
def receptive_field(layers):
    r = 1
    for k, s in reversed(layers):
        r = (r - 1) * s + k
    return r
'''),
    Variant("receptive_field", "interval-mapping", "maps the interval of positions seen down the stack", '''
def receptive_field(layers):
    lo, hi = 0, 0
    for k, s in reversed(list(layers)):
        lo, hi = lo * s, hi * s + k - 1
    return hi - lo + 1
'''),
    Variant("LeNet5", "pooling-modules", "nn.ReLU and nn.MaxPool2d modules and view(x.size(0), -1)", '''
import torch.nn as nn

class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, (5, 5), stride=1, padding=2)
        self.conv2 = nn.Conv2d(6, 16, (5, 5))
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self.pool = nn.MaxPool2d(2, 2)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.pool(self.act(self.conv1(x)))
        x = self.pool(self.act(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return self.fc3(self.act(self.fc2(self.act(self.fc1(x)))))
'''),
    Variant("LeNet5", "reshape-clamp", "reshape(-1, 400), clamp(min=0) as ReLU, max_pool2d with explicit stride", '''
import torch.nn as nn

class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x).clamp(min=0), kernel_size=2, stride=2)
        x = F.max_pool2d(self.conv2(x).clamp(min=0), kernel_size=2, stride=2)
        x = x.reshape(-1, 400)
        x = self.fc1(x).clamp(min=0)
        return self.fc3(self.fc2(x).clamp(min=0))
'''),
    Variant("BasicBlock", "identity-inplace", "nn.Identity shortcut, in-place add and ReLU(inplace=True)", '''
import torch.nn as nn

class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x):
        identity = self.shortcut(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)
'''),
    Variant("BasicBlock", "projection-flag", "a flag chooses the shortcut; no shortcut attribute without one", '''
import torch.nn as nn

class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.project = stride != 1 or in_channels != out_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if self.project:
            self.shortcut = nn.Sequential()
            self.shortcut.add_module("0", nn.Conv2d(in_channels, out_channels, 1, stride, bias=False))
            self.shortcut.add_module("1", nn.BatchNorm2d(out_channels))

    def forward(self, x):
        residual = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(torch.add(residual, self.shortcut(x) if self.project else x))
'''),
    Variant("Bottleneck", "identity-inplace", "nn.Identity shortcut, in-place add and ReLU(inplace=True)", '''
import torch.nn as nn

class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, planes, stride=1):
        super().__init__()
        width, out_channels = planes, planes * self.expansion
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        identity = self.shortcut(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)
'''),
    Variant("Bottleneck", "layer-loop", "a loop over (conv, bn) pairs looked up by name, ReLU between them", '''
import torch.nn as nn

class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, planes, stride=1):
        super().__init__()
        out_channels = 4 * planes
        shapes = [(in_channels, planes, 1, 1, 0), (planes, planes, 3, stride, 1), (planes, out_channels, 1, 1, 0)]
        for i, (c_in, c_out, k, s, p) in enumerate(shapes, start=1):
            setattr(self, f"conv{i}", nn.Conv2d(c_in, c_out, k, stride=s, padding=p, bias=False))
            setattr(self, f"bn{i}", nn.BatchNorm2d(c_out))
        needs_projection = stride != 1 or in_channels != out_channels
        self.shortcut = nn.Sequential(*([nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                         nn.BatchNorm2d(out_channels)] if needs_projection else []))

    def forward(self, x):
        out = x
        for i in (1, 2, 3):
            out = getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(out))
            if i < 3:
                out = F.relu(out)
        return F.relu(out + self.shortcut(x))
'''),
]

_CPU_KERNEL = ("    return out\n", "    kernel = torch.outer(torch.tensor(along_rows), torch.tensor(along_cols)).to(image.dtype)\n"
               "    return F.conv2d(padded[None, None], kernel[None, None])[0, 0]\n")

MISTAKES += [
    edited("sobel", "mixed-derivative-as-sum",
           "Takes dx = dy = 1 as the sum of the x and y derivatives; cv2.Sobel(dx=1, dy=1) is the mixed derivative: "
           "the outer product of [-1, 0, 1] with itself.",
           ("    return out\n", "    return out if not (dx and dy) else sobel(image, 1, 0) + sobel(image, 0, 1)\n")),
    edited("sobel", "normalised-kernel",
           "Divides the kernel by 8 (a normalised Sobel, as some texts write it); cv2.Sobel's default scale is 1.",
           ("weight = along_rows[a] * along_cols[b]", "weight = along_rows[a] * along_cols[b] / 8")),
    edited("sobel", "kernel-on-cpu",
           "Builds the kernel with torch.tensor(...) on the CPU; on a GPU, F.conv2d then gets an image and a kernel "
           "on different devices: create it with device=image.device.", _CPU_KERNEL),
    edited("laplacian", "ksize-3-kernel",
           "Uses the kernel cv2.Laplacian applies with ksize=3 ([[2, 0, 2], [0, -8, 0], [2, 0, 2]]); the default "
           "ksize=1 is the 4-neighbour kernel [[0, 1, 0], [1, -4, 1], [0, 1, 0]].",
           ("return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * p[1:-1, 1:-1]",
            "return 2 * (p[:-2, :-2] + p[:-2, 2:] + p[2:, :-2] + p[2:, 2:]) - 8 * p[1:-1, 1:-1]")),
    edited("laplacian", "unsqueeze-in-place",
           "Adds the batch and channel dimensions with unsqueeze_ (in place), which changes the caller's image; use "
           "image[None, None] or unsqueeze (no underscore).",
           ("image[None, None]", "image.unsqueeze_(0).unsqueeze_(0)")),
    edited("conv_out_size", "exact-fit-refused",
           "Refuses a kernel that exactly fits; when size + 2 * padding equals the dilated kernel's span there is "
           "one output position.", ("if size + 2 * padding < span:", "if size + 2 * padding <= span:")),
    edited("conv_out_size", "tensor-result",
           "Computes with torch and returns a 0-d tensor; the length of a dimension is a Python int.",
           ("return (size + 2 * padding - span) // stride + 1",
            "return torch.tensor(size + 2 * padding - span).div(stride, rounding_mode='floor') + 1")),
    edited("conv_out_size", "fit-check-without-padding",
           "Checks only kernel_size > size; what must fit is the dilated kernel, dilation * (kernel_size - 1) + 1, "
           "in the padded input, size + 2 * padding.", ("if size + 2 * padding < span:", "if kernel_size > size:")),
    edited("conv2d", "groups-into-batch-view",
           "Folds the groups into the batch with x.view(), which fails on non-contiguous memory (a channels-last "
           "image); use .reshape().",
           ("padded = F.pad(x, (pw, pw, ph, ph)).reshape(n, groups, c_group, h + 2 * ph, w + 2 * pw)",
            "padded = F.pad(x.view(n * groups, c_group, h, w), (pw, pw, ph, ph)).reshape(n, groups, c_group, "
            "h + 2 * ph, w + 2 * pw)")),
    edited("conv2d", "zeros-on-cpu",
           "Creates the accumulator with torch.zeros(...) on the default device (the CPU); on a GPU it meets the "
           "input on another device: use x.new_zeros(...) or device=x.device.",
           ("out = x.new_zeros(n, groups, c_out // groups, out_h, out_w)",
            "out = torch.zeros(n, groups, c_out // groups, out_h, out_w, dtype=x.dtype)")),
    edited("conv2d", "swapped-stride-pair",
           "Reads a (height, width) stride as (width, height); the first number is the vertical step.",
           ("(sh, sw), (ph, pw), (dh, dw) = pair(stride)", "(sw, sh), (ph, pw), (dh, dw) = pair(stride)")),
    edited("max_pool2d", "sentinel-padding",
           "Pads with a 'very negative' number such as -9999; an image can hold smaller values (and -inf): pad "
           "with -inf so that padding never wins.", ('value=float("-inf")', "value=-9999.0")),
    edited("max_pool2d", "view-channels",
           "Merges batch and channels with x.view(), which fails on non-contiguous memory (a channels-last image); "
           "use .reshape().", ("    padded = F.pad(x,", "    n, c, h, w = x.shape\n    padded = F.pad(x.view(n * c, 1, h, w),"),
           (_ONE_LINE_POOL[0], "    cols = F.unfold(padded, (kh, kw), stride=(sh, sw))\n"
            "    return cols.amax(1).view(n, c, (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)\n")),
    edited("avg_pool2d", "counts-nonzero",
           "Counts the real pixels with (x != 0), so zero pixels (common after a ReLU) are left out of the divisor; "
           "count window positions with torch.ones_like(x).",
           ("F.pad(torch.ones_like(x[:1, :1]), (pw, pw, ph, ph))",
            "F.pad((x.reshape(n * c, 1, h, w) != 0).to(x.dtype), (pw, pw, ph, ph))"),
           ("else counts))", "else counts.clamp(min=1)))")),
    edited("avg_pool2d", "view-channels",
           "Merges batch and channels with x.view(), which fails on non-contiguous memory (a channels-last image); "
           "use .reshape().", ("x.reshape(n * c, 1, h, w)", "x.view(n * c, 1, h, w)")),
    edited("avg_pool2d", "kernel-on-cpu",
           "Creates the kernel of ones on the default device (the CPU); on a GPU, F.conv2d then gets an image and a "
           "kernel on different devices: pass device=x.device.",
           ("torch.ones(1, 1, kh, kw, dtype=x.dtype, device=x.device)", "torch.ones(1, 1, kh, kw, dtype=x.dtype)")),
    edited("dropout", "row-mask",
           "Draws one random number per row and drops whole rows; each element needs its own draw "
           "(torch.rand_like(x)).",
           ("torch.rand_like(x)", "torch.rand(*x.shape[:-1], 1, dtype=x.dtype, device=x.device)")),
    edited("dropout", "in-place",
           "Multiplies x in place (x.mul_), which changes the caller's tensor; return a new tensor: x * keep.",
           ("return x * keep if p == 1 else x * keep / (1 - p)",
            "return x.mul_(keep) if p == 1 else x.mul_(keep).div_(1 - p)")),
    edited("dropout", "scaled-at-evaluation",
           "Writes the original (non-inverted) dropout: unscaled in training, times 1 - p at evaluation; inverted "
           "dropout scales the kept elements by 1 / (1 - p) in training and returns x unchanged at evaluation.",
           ("    if not training or p == 0:\n        return x\n",
            "    if not training or p == 0:\n        return x * (1 - p)\n"),
           ("return x * keep if p == 1 else x * keep / (1 - p)", "return x * keep")),
    edited("conv_param_count", "divides-out-by-groups",
           "Divides both channel counts by groups; each of the out_channels filters has in_channels / groups input "
           "channels, so only in_channels is divided.",
           ("out_channels * (in_channels // groups)", "(out_channels // groups) * (in_channels // groups)")),
    edited("conv_param_count", "checks-only-in-channels",
           "Checks only that in_channels is divisible by groups; nn.Conv2d requires it of out_channels too.",
           ("if in_channels % groups or out_channels % groups:", "if in_channels % groups:")),
    edited("receptive_field", "pooling-does-not-grow",
           "Treats pooling layers (kernel_size == stride) as only downsampling; a 2x2 pooling also widens the field "
           "by (2 - 1) times the jump.",
           ("field += (kernel_size - 1) * jump", "field += (kernel_size - 1) * jump if kernel_size != stride else 0")),
    edited("receptive_field", "float-field",
           "Starts the field at 1.0, which makes the result a float; a receptive field is a whole number of "
           "pixels, an int.", ("field, jump = 1, 1", "field, jump = 1.0, 1")),
    edited("receptive_field", "starts-from-first-layer",
           "Starts from the first layer's kernel and so fails on an empty stack; with no layer a pixel sees only "
           "itself (a field of 1).",
           ("field, jump = 1, 1\n    for kernel_size, stride in layers:",
            "field, jump = layers[0]\n    for kernel_size, stride in layers[1:]:")),
    edited("LeNet5", "log-softmax-output",
           "Returns log-probabilities (log_softmax); the network should return logits, which F.cross_entropy "
           "expects.", ("return self.fc3(x)", "return F.log_softmax(self.fc3(x), dim=1)")),
    edited("LeNet5", "no-relu-after-fc1",
           "Forgets the activation after fc1; two linear layers in a row collapse into one linear map.",
           ("x = F.relu(self.fc1(x))", "x = self.fc1(x)")),
    edited("BasicBlock", "bn1-reused",
           "Applies bn1 after both convolutions (copy and paste); each convolution has its own batch norm, with its "
           "own scale, shift and running statistics.",
           ("out = self.bn2(self.conv2(out))", "out = self.bn1(self.conv2(out))")),
    edited("BasicBlock", "relu-in-shortcut",
           "Adds a ReLU to the projection shortcut; the shortcut is convolution and batch norm only, the ReLU comes "
           "after the sum.", ("nn.BatchNorm2d(out_channels))", "nn.BatchNorm2d(out_channels), nn.ReLU())")),
    edited("Bottleneck", "bn2-reused",
           "Applies bn1 after the 3x3 convolution as well (copy and paste); each convolution has its own batch "
           "norm.", ("out = F.relu(self.bn2(self.conv2(out)))", "out = F.relu(self.bn1(self.conv2(out)))")),
    edited("Bottleneck", "stride-on-conv3",
           "Puts the stride on the last 1x1 convolution; it belongs to the 3x3 convolution, which then sees "
           "every pixel before downsampling.",
           ("nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)",
            "nn.Conv2d(planes, planes, 3, padding=1, bias=False)"),
           ("nn.Conv2d(planes, out_channels, 1, bias=False)", "nn.Conv2d(planes, out_channels, 1, stride=stride, bias=False)")),
]

VARIANTS += [
    Variant("max_pool2d", "item-padding", "pads with a Python number below the minimum (x.min().item() - 1)",
            SOLUTIONS["max_pool2d"].replace('value=float("-inf")', "value=x.min().item() - 1")),
    Variant("avg_pool2d", "depthwise-conv-reshape", "window sums and counts as convolutions with a kernel of ones",
            SOLUTIONS["avg_pool2d"]),
]

# The Chinese sentence of every mistake's misconception (the glossary's terms): attached by autograder.catalog.
ZH = {
    "sobel:zero-padding":
        "用 0 做填充；OpenCV 默认的边界模式是 BORDER_REFLECT_101（F.pad(..., mode='reflect')），所以边界像素的结果不同。",
    "sobel:flipped-kernel":
        "翻转了卷积核（教科书上的卷积）；cv2.Sobel 和 F.conv2d 一样做的是互相关：out[i, j] = kernel[a, b] * padded[i + a, j + b] "
        "之和，所以图像向右变亮的地方 Sobel x 为正。",
    "sobel:swapped-axes":
        "dx 时沿行方向求导；x 是宽度方向（列，即最后一维），所以 dx = 1 表示在每一行上使用 [-1, 0, 1]。",
    "sobel:replicate-padding":
        "重复了边缘像素（mode='replicate'，即 OpenCV 的 BORDER_REPLICATE）；默认的 BORDER_REFLECT_101 镜像时不重复边缘像素："
        "mode='reflect'。",
    "sobel:no-padding":
        "只返回了 'valid' 部分，形状为 (H - 2, W - 2)；请先填充一个像素，让结果保持图像的形状。",
    "laplacian:zero-padding":
        "用 0 做填充；OpenCV 默认的边界模式是 BORDER_REFLECT_101（F.pad(..., mode='reflect')）。",
    "laplacian:eight-neighbours":
        "用了 8 邻域卷积核 [[1, 1, 1], [1, -8, 1], [1, 1, 1]]；cv2.Laplacian 的默认值（ksize=1）是 [[0, 1, 0], [1, -4, 1], [0, 1, 0]]。",
    "laplacian:negated":
        "计算的是 4 * 中心 - 邻居，即拉普拉斯算子的相反数；卷积核中心是 -4，四周是 +1。",
    "laplacian:replicate-padding":
        "重复了边缘像素（mode='replicate'）；OpenCV 默认的 BORDER_REFLECT_101 镜像时不重复边缘像素：mode='reflect'。",
    "conv_out_size:float-division":
        "用 / 做除法，得到的是浮点数；尺寸是整数，是除法结果向下取整：请用 //。",
    "conv_out_size:padding-once":
        "填充只加了一次；padding=p 在每一侧各加 p 个像素，共 2p 个。",
    "conv_out_size:ceil":
        "向上取整了；会超出填充后输入的窗口被舍弃，所以应向下取整（向上取整是池化可选的 ceil_mode）。",
    "conv_out_size:no-dilation":
        "忽略了空洞（dilation）；空洞卷积核覆盖 dilation * (kernel_size - 1) + 1 个像素。",
    "conv_out_size:no-check":
        "卷积核放不下时返回了 0 或负数；应当抛出 ValueError，因为 PyTorch 会拒绝这样的卷积。",
    "conv2d:flipped-kernel":
        "翻转了卷积核（教科书上的卷积）；F.conv2d 做的是互相关：out[o, i, j] = weight[o, c, a, b] * x[c, i * s + a * d, j * s + b * d] 之和。",
    "conv2d:interleaved-groups":
        "把输出通道轮流分给各组（通道 o 分到第 o % groups 组）；分组是连续的块：输出通道 o 属于第 o // (C_out / groups) 组。",
    "conv2d:no-dilation":
        "无论空洞是多少都把卷积核的各个位置紧挨着放；空洞为 d 时，位置 (a, b) 读取偏移 (a * d, b * d) 处的像素。",
    "conv2d:pad-one-side":
        "把全部填充都加在图像之后（右侧和下方）；padding=p 在每一侧各补 p 个零。",
    "conv2d:no-gradient":
        "用 Python 数值重新构造结果（.tolist()、torch.tensor(...)），切断了自动求导的计算图：x、weight 和 bias 都得不到梯度。",
    "max_pool2d:stride-one-default":
        "stride 为 None 时用了步长 1；池化的步长默认等于池化核大小（窗口一个挨一个）。",
    "max_pool2d:zero-padding":
        "用 0 做填充；最大池化的填充值永远不能被选中，所以要用 -inf 填充（边界处全为负数的窗口会得到 0）。",
    "max_pool2d:sum-of-maxima":
        "把窗口中等于最大值的元素加了起来；出现并列最大值时最大值会被重复计算：请直接取最大值（amax 或 max）。",
    "max_pool2d:square-kernel":
        "只读取了 (kh, kw) 形式 kernel_size 的第一个数，用了正方形窗口；二元组分别给出窗口的高和宽。",
    "max_pool2d:unfold-wrong-view":
        "把 F.unfold 的结果 (N, C * kH * kW, L) 变形为 (N, kH * kW, C, L)；它的行是通道在前排列的，所以要变形为 "
        "(N, C, kH * kW, L)，否则通道会被混在一起。",
    "avg_pool2d:always-kernel-area":
        "总是除以 kH * kW；count_include_pad=False 时，应除以每个窗口中真实（非填充）像素的个数。",
    "avg_pool2d:never-counts-padding":
        "总是除以真实像素的个数；count_include_pad=True（默认值）时填充的零也要计入：除以 kH * kW。",
    "avg_pool2d:stride-one-default":
        "stride 为 None 时用了步长 1；池化的步长默认等于池化核大小（窗口一个挨一个）。",
    "avg_pool2d:swapped-kernel-pair":
        "把 (kh, kw) 形式的 kernel_size 当成了 (宽, 高)；第一个数是窗口的高（行数），第二个数是宽。",
    "dropout:on-in-eval":
        "评估模式下也丢弃了元素；training=False 时 Dropout 必须原样返回 x（这正是 AlexNet 中调用 F.dropout 却不传 "
        "training=self.training 的错误）。",
    "dropout:no-rescale":
        "把元素置零，却没有缩放其余元素；倒置 Dropout 把保留的元素乘以 1 / (1 - p)，使期望值仍为 x。",
    "dropout:keeps-with-probability-p":
        "以概率 p 保留每个元素；p 是丢弃的概率（rand >= p 时保留）。",
    "dropout:nan-at-p1":
        "p = 1 时仍然除以 1 - p，得到 0 / 0 = NaN；p = 1 时所有元素都被丢弃：请返回全零。",
    "dropout:batch-shared-mask":
        "只为 x.shape[1:] 抽取了一个掩码，并在批量的每一行重复使用；每个元素都需要各自的随机抽样（掩码的形状与 x 完全相同）。",
    "dropout:fixed-seed":
        "在函数内部设置了随机种子，所以每次调用都丢弃相同的元素；如果需要，请只在函数外部设置一次种子。",
    "conv_param_count:no-bias":
        "忘了偏置：nn.Conv2d 每个输出通道有一个偏置（Conv2d(3, 6, 3) 有 162 个权重 + 6 个偏置 = 168 个参数）。",
    "conv_param_count:bias-always":
        "bias=False 时仍然计入了偏置。",
    "conv_param_count:square-kernel":
        "把 (kh, kw) 形式 kernel_size 的第一个数平方了；二元组表示 kh x kw 的卷积核。",
    "conv_param_count:ignores-groups":
        "忽略了 groups；每个输出通道只看 in_channels / groups 个输入通道，所以权重数要除以 groups（32 个通道上的 3x3 "
        "深度卷积有 320 个参数）。",
    "conv_param_count:no-divisibility-check":
        "通道数不能被 groups 整除时仍返回了参数量；这时 nn.Conv2d 会抛出 ValueError，这个函数也应如此。",
    "receptive_field:sum-of-kernels":
        "把各层卷积核大小直接相加；相邻窗口是重叠的，所以每一层增加 k - 1（乘以跳跃），从 1 开始。",
    "receptive_field:no-jump":
        "每层只加 k - 1，没有乘跳跃（jump）；经过步长为 s 的层之后，下一层每移动一步对应输入上的 s 个像素，所以要乘以"
        "前面各层步长的乘积。",
    "receptive_field:jump-includes-own-stride":
        "把一层的 k - 1 乘以了已经包含它自身步长的跳跃；只有它下面各层的步长才算数。",
    "receptive_field:reversed-layers":
        "用正向的公式从顶层往下遍历各层；一层的跳跃是它下面（更靠近输入的）各层步长的乘积。",
    "LeNet5:no-padding":
        "漏掉了 conv1 的 padding=2；对 28x28 的图像，展平后的特征就成了 16 * 4 * 4，而不是 16 * 5 * 5 = 400。",
    "LeNet5:flatten-batch":
        "用 x.view(-1) 展平，把批量中的各张图像合并到了一起；请保留批量维度：x.flatten(1) 或 x.view(x.size(0), -1)。",
    "LeNet5:softmax-output":
        "返回了 Softmax 概率；网络应返回 logits，因为 F.cross_entropy 自己会做 log-softmax。",
    "LeNet5:sigmoid-average-pooling":
        "用了 1998 年原版 LeNet 的 Sigmoid 和平均池化；这里的 LeNet-5 使用 ReLU 和最大池化。",
    "LeNet5:relu-on-logits":
        "在最后一层之后也用了 ReLU；logits 必须能取负值，所以 fc3 的输出应原样返回。",
    "BasicBlock:conv-bias":
        "给卷积层加了偏置；紧随其后的批量归一化（BN）自带平移参数，所以 ResNet 的卷积层使用 bias=False。",
    "BasicBlock:no-stride-projection":
        "只在通道数不同时使用投影捷径；步长为 2 也会改变形状，所以同样需要步长相同的 1x1 投影。",
    "BasicBlock:no-final-relu":
        "返回了相加的结果，漏掉了最后的 ReLU；残差块的输出是 ReLU(F(x) + shortcut(x))。",
    "BasicBlock:relu-before-add":
        "在加上捷径之前就对残差分支做了 ReLU；ResNet 先相加，再对和做 ReLU。",
    "BasicBlock:stride-on-conv2":
        "把步长放在第二个卷积上；残差块在第一个 3x3 卷积（以及捷径）中做下采样。",
    "Bottleneck:no-expansion":
        "conv3 输出了 `planes` 个通道；瓶颈结构要把通道数扩展回 4 * planes（expansion = 4）。",
    "Bottleneck:projection-only-for-channels":
        "只在通道数不同时使用投影捷径；步长为 2 也会改变形状，所以同样需要步长相同的 1x1 投影。",
    "Bottleneck:stride-on-conv1":
        "把步长放在第一个 1x1 卷积上（ResNet 原论文的做法）；这里的瓶颈结构与 torchvision 一样，把步长放在 3x3 卷积上，"
        "这样它能看到输入的每个像素。",
    "Bottleneck:relu-before-add":
        "在 bn3 之后、加上捷径之前用了 ReLU；ResNet 先相加，再对和做 ReLU。",
    "Bottleneck:no-final-relu":
        "返回了相加的结果，漏掉了最后的 ReLU；残差块的输出是 ReLU(F(x) + shortcut(x))。",
    "sobel:mixed-derivative-as-sum":
        "把 dx = dy = 1 当成了 x 方向与 y 方向导数之和；cv2.Sobel(dx=1, dy=1) 是混合导数：[-1, 0, 1] 与自身的外积。",
    "sobel:normalised-kernel":
        "把卷积核除以了 8（有些教材写的归一化 Sobel 算子）；cv2.Sobel 默认的缩放系数是 1。",
    "sobel:kernel-on-cpu":
        "用 torch.tensor(...) 在 CPU 上创建卷积核；在 GPU 上，F.conv2d 会收到位于不同设备上的图像和卷积核：请用 "
        "device=image.device 创建。",
    "laplacian:ksize-3-kernel":
        "用了 cv2.Laplacian 在 ksize=3 时的卷积核（[[2, 0, 2], [0, -8, 0], [2, 0, 2]]）；默认的 ksize=1 是 4 邻域卷积核 "
        "[[0, 1, 0], [1, -4, 1], [0, 1, 0]]。",
    "laplacian:unsqueeze-in-place":
        "用 unsqueeze_（原地操作）添加批量和通道维度，这会改变调用者的图像；请用 image[None, None] 或 unsqueeze（不带下划线）。",
    "conv_out_size:exact-fit-refused":
        "拒绝了恰好放得下的卷积核；当 size + 2 * padding 等于膨胀后卷积核的覆盖范围时，有一个输出位置。",
    "conv_out_size:tensor-result":
        "用 torch 计算并返回了零维张量；一个维度的长度是 Python 的 int。",
    "conv_out_size:fit-check-without-padding":
        "只检查了 kernel_size > size；必须放得下的是膨胀后的卷积核 dilation * (kernel_size - 1) + 1，放进填充后的输入 "
        "size + 2 * padding。",
    "conv2d:groups-into-batch-view":
        "用 x.view() 把分组并入批量维度，遇到非连续内存（channels-last 图像）会出错；请用 .reshape()。",
    "conv2d:zeros-on-cpu":
        "用 torch.zeros(...) 在默认设备（CPU）上创建累加器；在 GPU 上它会和位于另一设备的输入相遇：请用 x.new_zeros(...) "
        "或 device=x.device。",
    "conv2d:swapped-stride-pair":
        "把 (高, 宽) 形式的 stride 当成了 (宽, 高)；第一个数是竖直方向的步长。",
    "max_pool2d:sentinel-padding":
        "用 -9999 这样“很小”的数做填充；图像中可能有更小的值（以及 -inf）：请用 -inf 填充，让填充值永远不会被选中。",
    "max_pool2d:view-channels":
        "用 x.view() 合并批量和通道维度，遇到非连续内存（channels-last 图像）会出错；请用 .reshape()。",
    "avg_pool2d:counts-nonzero":
        "用 (x != 0) 统计真实像素，于是值为零的像素（ReLU 之后很常见）被排除在除数之外；请用 torch.ones_like(x) 统计窗口位置。",
    "avg_pool2d:view-channels":
        "用 x.view() 合并批量和通道维度，遇到非连续内存（channels-last 图像）会出错；请用 .reshape()。",
    "avg_pool2d:kernel-on-cpu":
        "在默认设备（CPU）上创建全 1 卷积核；在 GPU 上，F.conv2d 会收到位于不同设备上的图像和卷积核：请传入 device=x.device。",
    "dropout:row-mask":
        "每行只抽一个随机数，整行一起丢弃；每个元素都需要各自的随机抽样（torch.rand_like(x)）。",
    "dropout:in-place":
        "原地修改了 x（x.mul_），这会改变调用者的张量；请返回新的张量：x * keep。",
    "dropout:scaled-at-evaluation":
        "写成了原始（非倒置）的 Dropout：训练时不缩放，评估时乘以 1 - p；倒置 Dropout 在训练时把保留的元素乘以 "
        "1 / (1 - p)，评估时原样返回 x。",
    "conv_param_count:divides-out-by-groups":
        "把两个通道数都除以了 groups；out_channels 个过滤器中的每一个都有 in_channels / groups 个输入通道，所以只有 "
        "in_channels 要除。",
    "conv_param_count:checks-only-in-channels":
        "只检查了 in_channels 能否被 groups 整除；nn.Conv2d 对 out_channels 也有同样的要求。",
    "receptive_field:pooling-does-not-grow":
        "把池化层（kernel_size == stride）当成只做下采样；2x2 池化同样会把感受野扩大 (2 - 1) 乘以跳跃。",
    "receptive_field:float-field":
        "感受野从 1.0 开始，结果成了浮点数；感受野是整数个像素，应为 int。",
    "receptive_field:starts-from-first-layer":
        "从第一层的卷积核大小开始计算，所以没有任何层时会出错；没有层时一个像素只看到它自己（感受野为 1）。",
    "LeNet5:log-softmax-output":
        "返回了对数概率（log_softmax）；网络应返回 F.cross_entropy 所期望的 logits。",
    "LeNet5:no-relu-after-fc1":
        "漏掉了 fc1 之后的激活函数；两个连续的线性层会合并成一个线性映射。",
    "BasicBlock:bn1-reused":
        "两个卷积之后都用了 bn1（复制粘贴的错误）；每个卷积都有自己的 BN，有各自的缩放、平移参数和滑动统计量。",
    "BasicBlock:relu-in-shortcut":
        "在投影捷径中加了 ReLU；捷径只有卷积和 BN，ReLU 在相加之后。",
    "Bottleneck:bn2-reused":
        "3x3 卷积之后也用了 bn1（复制粘贴的错误）；每个卷积都有自己的 BN。",
    "Bottleneck:stride-on-conv3":
        "把步长放在最后一个 1x1 卷积上；它应该在 3x3 卷积上，这样 3x3 卷积在下采样之前能看到每个像素。",
}
