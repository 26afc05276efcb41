"""Assignment 1, "Tensors": mistakes students make, and correct variants written differently."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments): many mistakes below are one of them
# with an edit or two, written edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "chunk_sizes": '''
def chunk_sizes(n, chunks):
    size = -(-n // chunks)
    sizes = [size] * (n // size)
    if n % size:
        sizes.append(n % size)
    return sizes
''',
    "stable_logsumexp": '''
def stable_logsumexp(x, dim):
    m = x.amax(dim=dim, keepdim=True)
    return (m + (x - m).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    # ---- broadcast_shape
    Mistake("broadcast_shape", "left-aligned",
            "Lines the shapes up from the left; broadcasting aligns the trailing (rightmost) dimensions.", '''
def broadcast_shape(a, b):
    result = []
    for i in range(max(len(a), len(b))):
        da = a[i] if i < len(a) else 1
        db = b[i] if i < len(b) else 1
        if da != db and 1 not in (da, db):
            raise ValueError("incompatible")
        result.append(max(da, db))
    return tuple(result)
'''),
    Mistake("broadcast_shape", "no-compatibility-check",
            "Takes the larger size everywhere without checking compatibility: sizes must be equal or one of "
            "them 1, otherwise raise ValueError.", '''
def broadcast_shape(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))
'''),
    Mistake("broadcast_shape", "zip-drops-leading-dims",
            "Zips the two shapes, so the leading dimensions of the longer shape are lost (zip stops at the "
            "shorter one).", '''
def broadcast_shape(a, b):
    result = []
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and 1 not in (x, y):
            raise ValueError("incompatible")
        result.append(y if x == 1 else x)
    return tuple(reversed(result))
'''),
    Mistake("broadcast_shape", "runtime-error",
            "Lets PyTorch's RuntimeError escape; the exercise asks for a ValueError when shapes can't broadcast.", '''
def broadcast_shape(a, b):
    return tuple((torch.empty(a) + torch.empty(b)).shape)
'''),
    Mistake("broadcast_shape", "max-with-zero",
            "Takes max(size_a, size_b), but a size-1 dimension stretched against size 0 gives 0, not 1.", '''
def broadcast_shape(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError("incompatible")
    return tuple(max(x, y) for x, y in zip(a, b))
'''),
    Mistake("broadcast_shape", "returns-list",
            "Returns a list; a shape is a tuple (like torch.Size), so convert with tuple(...).", '''
def broadcast_shape(a, b):
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError("incompatible")
        out.append(y if x == 1 else x)
    return out
'''),
    Mistake("broadcast_shape", "assert-not-raise",
            "Checks compatibility with assert, which raises AssertionError; the exercise asks for raise ValueError.", '''
def broadcast_shape(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        assert x == y or 1 in (x, y), "shapes cannot be broadcast"
        out.append(y if x == 1 else x)
    return tuple(out)
'''),
    Mistake("broadcast_shape", "divisible",
            "Treats sizes as compatible when one divides the other (like tiling); broadcasting stretches only "
            "size 1.", '''
def broadcast_shape(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and (min(x, y) == 0 or max(x, y) % min(x, y)):
            raise ValueError("incompatible")
        out.append(max(x, y))
    return tuple(out)
'''),
    # ---- chunk_sizes
    Mistake("chunk_sizes", "floor-division",
            "Uses n // chunks for the piece size; torch.chunk uses the ceiling, ceil(n / chunks).", '''
def chunk_sizes(n, chunks):
    size = n // chunks
    sizes = [size] * chunks
    sizes[-1] += n - size * chunks
    return sizes
'''),
    Mistake("chunk_sizes", "array-split",
            "Spreads the remainder over the first pieces like numpy.array_split; torch.chunk makes every piece "
            "ceil(n / chunks) long except the last.", '''
def chunk_sizes(n, chunks):
    return [n // chunks + (1 if i < n % chunks else 0) for i in range(chunks)]
'''),
    Mistake("chunk_sizes", "empty-last-piece",
            "Always appends a last piece of size n % size, even when it is 0.", '''
def chunk_sizes(n, chunks):
    size = -(-n // chunks)
    return [size] * (n // size) + [n % size]
'''),
    Mistake("chunk_sizes", "always-chunks-pieces",
            "Assumes torch.chunk always returns `chunks` pieces; it returns fewer when full pieces use up the "
            "length early.", '''
def chunk_sizes(n, chunks):
    size = -(-n // chunks)
    return [size] * (chunks - 1) + [n - size * (chunks - 1)]
'''),
    edited("chunk_sizes", "round", "Rounds n / chunks to the nearest int; torch.chunk rounds up, ceil(n / chunks).",
           ("-(-n // chunks)", "max(1, round(n / chunks))")),
    Mistake("chunk_sizes", "tensor-sizes",
            "Keeps the piece size as a tensor (torch.ceil), so some sizes are 0-d tensors; return Python ints "
            "(int(...) or .item()).", '''
def chunk_sizes(n, chunks):
    size = torch.ceil(torch.tensor(n / chunks)).long()
    return [min(size, n - start) for start in range(0, n, int(size))]
'''),
    # ---- pairwise_dist
    Mistake("pairwise_dist", "no-root",
            "Forgets the final root (** (1 / p)): for p = 2 it returns squared distances.", '''
def pairwise_dist(x, y, p=2.0):
    return (x.unsqueeze(1) - y.unsqueeze(0)).abs().pow(p).sum(dim=-1)
'''),
    Mistake("pairwise_dist", "no-abs",
            "Forgets the absolute value: with p = 1, negative differences cancel positive ones.", '''
def pairwise_dist(x, y, p=2.0):
    return (x.unsqueeze(1) - y.unsqueeze(0)).pow(p).sum(dim=-1).pow(1.0 / p)
'''),
    Mistake("pairwise_dist", "transposed",
            "Broadcasts y's rows first, so the result is (m, n), the transpose; entry [i, j] pairs x[i] with y[j].", '''
def pairwise_dist(x, y, p=2.0):
    return (x.unsqueeze(0) - y.unsqueeze(1)).abs().pow(p).sum(dim=-1).pow(1.0 / p)
'''),
    Mistake("pairwise_dist", "hard-coded-float32",
            "Converts to float32 (.float()); keep the input's dtype so float64 inputs give float64 distances.", '''
def pairwise_dist(x, y, p=2.0):
    diff = (x.unsqueeze(1) - y.unsqueeze(0)).float()
    return diff.abs().pow(p).sum(dim=-1).pow(1.0 / p)
'''),
    Mistake("pairwise_dist", "gram-no-clamp",
            "Expands |x - y|^2 = |x|^2 + |y|^2 - 2 x.y without clamping at 0: for nearly equal rows rounding "
            "makes it slightly negative and the square root is nan.", '''
def pairwise_dist(x, y, p=2.0):
    if p != 2:
        return (x.unsqueeze(1) - y.unsqueeze(0)).abs().pow(p).sum(dim=-1).pow(1.0 / p)
    sq = (x * x).sum(dim=1, keepdim=True) + (y * y).sum(dim=1) - 2 * x @ y.T
    return sq.sqrt()
'''),
    Mistake("pairwise_dist", "ignores-p",
            "Always computes the Euclidean distance (vector_norm's default ord = 2); pass ord=p.", '''
def pairwise_dist(x, y, p=2.0):
    return torch.linalg.vector_norm(x.unsqueeze(1) - y.unsqueeze(0), dim=-1)
'''),
    Mistake("pairwise_dist", "centres-in-place",
            "Centres x and y in place (x -= c) before the Gram expansion; that changes the caller's tensors: "
            "compute with new tensors (x - c) instead.", '''
def pairwise_dist(x, y, p=2.0):
    c = x.mean(dim=0)
    x -= c
    y -= c
    return (x.unsqueeze(1) - y.unsqueeze(0)).abs().pow(p).sum(dim=-1).pow(1.0 / p)
'''),
    # ---- var_mean
    Mistake("var_mean", "biased-variance",
            "Always divides by n (the biased variance); with unbiased=True divide by n - 1.", '''
def var_mean(x, dim, unbiased=True):
    mean = x.mean(dim=dim, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dim)
    return var, mean.squeeze(dim)
'''),
    Mistake("var_mean", "ignores-unbiased",
            "Ignores `unbiased`: with unbiased=False divide by n, not n - 1.", '''
def var_mean(x, dim, unbiased=True):
    mean = x.mean(dim=dim, keepdim=True)
    var = ((x - mean) ** 2).sum(dim=dim) / (x.shape[dim] - 1)
    return var, mean.squeeze(dim)
'''),
    Mistake("var_mean", "swapped",
            "Returns (mean, var); the order is (var, mean), like torch.var_mean.", '''
def var_mean(x, dim, unbiased=True):
    mean = x.mean(dim=dim, keepdim=True)
    var = ((x - mean) ** 2).sum(dim=dim) / (x.shape[dim] - (1 if unbiased else 0))
    return mean.squeeze(dim), var
'''),
    Mistake("var_mean", "keepdim",
            "Keeps the reduced dimension (keepdim=True); both results should drop it.", '''
def var_mean(x, dim, unbiased=True):
    mean = x.mean(dim=dim, keepdim=True)
    var = ((x - mean) ** 2).sum(dim=dim, keepdim=True) / (x.shape[dim] - (1 if unbiased else 0))
    return var, mean
'''),
    Mistake("var_mean", "global-mean",
            "Subtracts the mean of the whole tensor instead of the mean along `dim`.", '''
def var_mean(x, dim, unbiased=True):
    var = ((x - x.mean()) ** 2).sum(dim=dim) / (x.shape[dim] - (1 if unbiased else 0))
    return var, x.mean(dim=dim)
'''),
    Mistake("var_mean", "one-pass",
            "Uses the one-pass formula E[x^2] - E[x]^2: with a large common offset both terms are huge and "
            "nearly equal, and the subtraction loses the variance; subtract the mean first.", '''
def var_mean(x, dim, unbiased=True):
    n = x.shape[dim]
    mean = x.mean(dim=dim)
    var = ((x * x).sum(dim=dim) - n * mean * mean) / (n - 1 if unbiased else n)
    return var, mean
'''),
    Mistake("var_mean", "one-pass-float64",
            "Uses the one-pass formula in float64; that helps float32 inputs, but float64 inputs with a large "
            "offset still cancel: subtract the mean first.", '''
def var_mean(x, dim, unbiased=True):
    d = x.double()
    n = x.shape[dim]
    mean = d.sum(dim) / n
    var = ((d * d).sum(dim) - n * mean * mean) / (n - 1 if unbiased else n)
    return var.to(x.dtype), mean.to(x.dtype)
'''),
    Mistake("var_mean", "centres-in-place",
            "Centres x in place (x -= mean), which changes the caller's tensor; compute x - mean as a new "
            "tensor.", '''
def var_mean(x, dim, unbiased=True):
    mean = x.mean(dim=dim, keepdim=True)
    x -= mean
    var = (x * x).sum(dim=dim) / (x.shape[dim] - (1 if unbiased else 0))
    return var, mean.squeeze(dim)
'''),
    # ---- stable_logsumexp
    Mistake("stable_logsumexp", "naive",
            "Computes log(sum(exp(x))) directly, which overflows to inf for large x; subtract the max first.", '''
def stable_logsumexp(x, dim):
    return x.exp().sum(dim=dim).log()
'''),
    Mistake("stable_logsumexp", "max-not-added-back",
            "Subtracts the max but forgets to add it back: logsumexp(x) = m + log(sum(exp(x - m))).", '''
def stable_logsumexp(x, dim):
    m = x.amax(dim=dim, keepdim=True)
    return (x - m).exp().sum(dim=dim).log()
'''),
    Mistake("stable_logsumexp", "global-max",
            "Subtracts the max of the whole tensor; use the max along `dim`, or rows far below it underflow "
            "to log(0) = -inf.", '''
def stable_logsumexp(x, dim):
    m = x.max()
    return m + (x - m).exp().sum(dim=dim).log()
'''),
    Mistake("stable_logsumexp", "keepdim",
            "Keeps the reduced dimension; the result should drop it (squeeze it, or keepdim=False).", '''
def stable_logsumexp(x, dim):
    m = x.amax(dim=dim, keepdim=True)
    return m + (x - m).exp().sum(dim=dim, keepdim=True).log()
'''),
    edited("stable_logsumexp", "shifts-in-place",
           "Subtracts the max from x in place (x -= m), which changes the caller's tensor; write x - m.",
           ("return (m + (x - m).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)\n",
            "x -= m\n"
            "    return (m + x.exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)\n")),
    Mistake("stable_logsumexp", "mean-shift",
            "Subtracts the mean instead of the max; only the max guarantees every exp(x - m) <= 1, so values far "
            "above the mean still overflow.", '''
def stable_logsumexp(x, dim):
    c = x.mean(dim=dim, keepdim=True)
    return (c + (x - c).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)
'''),
    Mistake("stable_logsumexp", "min-shift",
            "Subtracts the min instead of the max, so exp(x - min) overflows when values are spread widely.", '''
def stable_logsumexp(x, dim):
    m = x.amin(dim=dim, keepdim=True)
    return (m + (x - m).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)
'''),
    # ---- topk_via_sort
    Mistake("topk_via_sort", "ascending",
            "Sorts in ascending order, so it returns the k smallest values.", '''
def topk_via_sort(x, k):
    values, indices = torch.sort(x, dim=-1)
    return values[..., :k], indices[..., :k]
'''),
    Mistake("topk_via_sort", "sorts-dim-0",
            "Sorts along dim 0 (torch.sort's dim is -1 only by default); top-k works along the last dimension.", '''
def topk_via_sort(x, k):
    values, indices = torch.sort(x, dim=0, descending=True)
    return values[..., :k], indices[..., :k]
'''),
    Mistake("topk_via_sort", "k-minus-one",
            "Slices [:k - 1]; a slice's end is exclusive, so [:k] keeps k items.", '''
def topk_via_sort(x, k):
    values, indices = torch.sort(x, dim=-1, descending=True)
    return values[..., :k - 1], indices[..., :k - 1]
'''),
    Mistake("topk_via_sort", "index-not-gather",
            "Indexes x with the sorted indices (x[..., idx]), which mixes rows for a batch; use the values sort "
            "returns, or torch.gather along the last dim.", '''
def topk_via_sort(x, k):
    indices = torch.argsort(x, dim=-1, descending=True)[..., :k]
    return x[..., indices], indices
'''),
    Mistake("topk_via_sort", "flattened",
            "Sorts the flattened tensor; top-k works within each row, along the last dimension.", '''
def topk_via_sort(x, k):
    values, indices = torch.sort(x.flatten(), descending=True)
    return values[:k], indices[:k]
'''),
    Mistake("topk_via_sort", "float-cast",
            "Converts x to float32 before sorting (.float()); sort x itself so the values keep its dtype.", '''
def topk_via_sort(x, k):
    values, indices = torch.sort(x.float(), dim=-1, descending=True)
    return values[..., :k], indices[..., :k]
'''),
    # ---- one_hot
    Mistake("one_hot", "cpu-device",
            "Creates the result with torch.zeros(...) on the default device (the CPU), not on labels.device.", '''
def one_hot(labels, num_classes):
    out = torch.zeros(*labels.shape, num_classes, dtype=torch.long)
    return out.scatter_(-1, labels.unsqueeze(-1), 1)
'''),
    Mistake("one_hot", "float-dtype",
            "Uses torch.zeros' default dtype (float32); the one-hot result should be int64 (dtype=torch.long).", '''
def one_hot(labels, num_classes):
    out = torch.zeros(*labels.shape, num_classes, device=labels.device)
    return out.scatter_(-1, labels.unsqueeze(-1), 1.0)
'''),
    Mistake("one_hot", "flattened",
            "Flattens the labels: for labels of shape (a, b) the result should be (a, b, num_classes).", '''
def one_hot(labels, num_classes):
    flat = labels.reshape(-1)
    out = torch.zeros(flat.numel(), num_classes, dtype=torch.long, device=labels.device)
    out[torch.arange(flat.numel(), device=labels.device), flat] = 1
    return out
'''),
    Mistake("one_hot", "max-label-classes",
            "Uses labels.max() + 1 as the number of classes; use num_classes, since the largest class may be "
            "absent from the labels.", '''
def one_hot(labels, num_classes):
    classes = torch.arange(int(labels.max()) + 1, device=labels.device)
    return (labels.unsqueeze(-1) == classes).long()
'''),
    Mistake("one_hot", "view-flatten",
            "Flattens the labels with view(-1), which fails on non-contiguous labels (a transposed or sliced "
            "tensor); use reshape(-1).", '''
def one_hot(labels, num_classes):
    flat = labels.view(-1)
    out = torch.zeros(flat.numel(), num_classes, dtype=torch.long, device=labels.device)
    out[torch.arange(flat.numel(), device=labels.device), flat] = 1
    return out.view(*labels.shape, num_classes)
'''),
    Mistake("one_hot", "bool-result",
            "Returns the comparison labels[..., None] == classes itself, which is bool; convert it with .long().", '''
def one_hot(labels, num_classes):
    return labels.unsqueeze(-1) == torch.arange(num_classes, device=labels.device)
'''),
    Mistake("one_hot", "unsqueeze-in-place",
            "Calls labels.unsqueeze_(-1), which changes the caller's labels; labels.unsqueeze(-1) returns a new "
            "view instead.", '''
def one_hot(labels, num_classes):
    labels.unsqueeze_(-1)
    out = torch.zeros(*labels.shape[:-1], num_classes, dtype=torch.long, device=labels.device)
    return out.scatter_(-1, labels, 1)
'''),
]

VARIANTS = [
    Variant("broadcast_shape", "zip-longest", "pads with itertools.zip_longest", '''
from itertools import zip_longest

def broadcast_shape(a, b):
    out = []
    for x, y in zip_longest(reversed(a), reversed(b), fillvalue=1):
        if x != y and x != 1 and y != 1:
            raise ValueError(f"{x} vs {y}")
        out.insert(0, y if x == 1 else x)
    return tuple(out)
'''),
    Variant("broadcast_shape", "numpy", "delegates to numpy's broadcasting (another library's algorithm)", '''
import numpy as np

def broadcast_shape(a, b):
    return tuple(int(d) for d in np.broadcast_shapes(tuple(a), tuple(b)))
'''),
    Variant("chunk_sizes", "loop", "a loop that cuts full pieces until nothing is left", '''
def chunk_sizes(n, chunks):
    size, sizes, left = -(-n // chunks), [], n
    while left > 0:
        sizes.append(min(size, left))
        left -= size
    return sizes
'''),
    Variant("chunk_sizes", "range", "piece starts from range() and math.ceil", '''
import math

def chunk_sizes(n, chunks):
    size = math.ceil(n / chunks)
    return [min(size, n - start) for start in range(0, n, size)]
'''),
    Variant("pairwise_dist", "row-loop", "a loop over x's rows with torch.linalg.vector_norm", '''
def pairwise_dist(x, y, p=2.0):
    return torch.stack([torch.linalg.vector_norm(row - y, ord=p, dim=-1) for row in x])
'''),
    Variant("pairwise_dist", "gram-float64", "for p = 2, the Gram-matrix expansion computed in float64", '''
def pairwise_dist(x, y, p=2.0):
    if p != 2:
        return (x[:, None, :] - y[None, :, :]).abs().pow(p).sum(-1).pow(1 / p)
    a, b = x.double(), y.double()
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return sq.clamp_min(0).sqrt().to(x.dtype)
'''),
    Variant("var_mean", "shifted-sums", "sums of x - K, with K the first slice (the shifted-data algorithm)", '''
def var_mean(x, dim, unbiased=True):
    n = x.shape[dim]
    d = x - x.narrow(dim, 0, 1)  # values near 0: their sums do not cancel
    s, ss = d.sum(dim), (d * d).sum(dim)
    var = (ss - s * s / n) / (n - 1 if unbiased else n)
    return var, x.mean(dim)
'''),
    Variant("var_mean", "movedim-loop", "moves dim to the front and accumulates with a Python loop", '''
def var_mean(x, dim, unbiased=True):
    rows = x.movedim(dim, 0)
    total = torch.zeros_like(rows[0])
    for r in rows:
        total = total + r
    mean = total / len(rows)
    sq = torch.zeros_like(mean)
    for r in rows:
        sq = sq + (r - mean) ** 2
    return sq / (len(rows) - 1 if unbiased else len(rows)), mean
'''),
    Variant("stable_logsumexp", "unsqueeze", "amax without keepdim, unsqueezed back", '''
def stable_logsumexp(x, dim):
    m = x.amax(dim)
    return m + torch.log(torch.exp(x - m.unsqueeze(dim)).sum(dim))
'''),
    Variant("stable_logsumexp", "logaddexp-reduce", "folds torch.logaddexp over the slices along dim", '''
from functools import reduce

def stable_logsumexp(x, dim):
    return reduce(torch.logaddexp, x.unbind(dim))
'''),
    Variant("topk_via_sort", "flip", "ascending sort, flipped", '''
def topk_via_sort(x, k):
    values, indices = x.sort(dim=-1)
    return values.flip(-1)[..., :k], indices.flip(-1)[..., :k]
'''),
    Variant("topk_via_sort", "negate", "sorts -x ascending", '''
def topk_via_sort(x, k):
    neg, indices = torch.sort(-x, dim=-1)
    return -neg[..., :k], indices[..., :k]
'''),
    Variant("one_hot", "scatter", "scatter_ into zeros made on the labels' device", '''
def one_hot(labels, num_classes):
    out = torch.zeros(*labels.shape, num_classes, dtype=torch.long, device=labels.device)
    return out.scatter_(-1, labels.unsqueeze(-1), 1)
'''),
    Variant("one_hot", "eye-rows", "indexes the rows of an identity matrix", '''
def one_hot(labels, num_classes):
    return torch.eye(num_classes, dtype=torch.long, device=labels.device)[labels]
'''),
]

# The Chinese edition's sentence for every misconception (glossary terms: docs/glossary.md).
ZH = {
    "broadcast_shape:left-aligned":
        "把两个形状从左对齐；广播是从右对齐的（从最后一个维度开始比较）。",
    "broadcast_shape:no-compatibility-check":
        "每个位置都直接取较大的长度，却没有检查能否广播：两个长度必须相等或其中一个为 1，否则应抛出 ValueError。",
    "broadcast_shape:zip-drops-leading-dims":
        "用 zip 配对两个形状，而 zip 在较短的那个结束时就停下，所以较长形状前面的维度丢掉了。",
    "broadcast_shape:runtime-error":
        "让 PyTorch 的 RuntimeError 直接抛了出来；练习要求形状无法广播时抛出 ValueError。",
    "broadcast_shape:max-with-zero":
        "取 max(size_a, size_b)，但长度为 1 的维度与长度 0 广播得到的是 0，而不是 1。",
    "broadcast_shape:returns-list":
        "返回了列表；形状是元组（与 torch.Size 一样），请用 tuple(...) 转换。",
    "broadcast_shape:assert-not-raise":
        "用 assert 检查能否广播，它抛出的是 AssertionError；练习要求 raise ValueError。",
    "broadcast_shape:divisible":
        "把一个长度能整除另一个的情况当作可以广播（像平铺那样）；广播只会拉伸长度为 1 的维度。",
    "chunk_sizes:floor-division":
        "用 n // chunks 作为每块的长度；torch.chunk 用的是向上取整 ceil(n / chunks)。",
    "chunk_sizes:array-split":
        "像 numpy.array_split 那样把余数分给前面几块；torch.chunk 除最后一块外，每块的长度都是 ceil(n / chunks)。",
    "chunk_sizes:empty-last-piece":
        "总是在最后追加一块长度为 n % size 的块，即使它是 0。",
    "chunk_sizes:always-chunks-pieces":
        "以为 torch.chunk 总会返回 chunks 块；如果满长的块提前用完了全部长度，得到的块数会更少。",
    "chunk_sizes:round":
        "把 n / chunks 四舍五入；torch.chunk 是向上取整，即 ceil(n / chunks)。",
    "chunk_sizes:tensor-sizes":
        "块的长度保留成了张量（torch.ceil），所以有些长度是零维张量；请返回 Python 的 int（int(...) 或 .item()）。",
    "pairwise_dist:no-root":
        "忘了最后开 p 次方根（** (1 / p)）：p = 2 时返回的是距离的平方。",
    "pairwise_dist:no-abs":
        "忘了取绝对值：p = 1 时，负的差会与正的差相互抵消。",
    "pairwise_dist:transposed":
        "先对 y 的各行做广播，所以结果是 (m, n)，即转置；第 [i, j] 个元素应当对应 x[i] 与 y[j]。",
    "pairwise_dist:hard-coded-float32":
        "把输入转换成了 float32（.float()）；请保持输入的数据类型，float64 的输入应得到 float64 的距离。",
    "pairwise_dist:gram-no-clamp":
        "把 |x - y|^2 展开成 |x|^2 + |y|^2 - 2 x.y 却没有在 0 处截断：两行几乎相等时，舍入误差会让它略小于 0，开平方得到 nan。",
    "pairwise_dist:ignores-p":
        "总是计算欧氏距离（vector_norm 的默认 ord = 2）；请传入 ord=p。",
    "pairwise_dist:centres-in-place":
        "在展开公式之前原地中心化 x 和 y（x -= c），这会改变调用者的张量：请用新张量计算（x - c）。",
    "var_mean:biased-variance":
        "总是除以 n（有偏方差）；unbiased=True 时应除以 n - 1。",
    "var_mean:ignores-unbiased":
        "忽略了 `unbiased`：unbiased=False 时应除以 n，而不是 n - 1。",
    "var_mean:swapped":
        "返回了 (mean, var)；顺序应当是 (var, mean)，与 torch.var_mean 相同。",
    "var_mean:keepdim":
        "保留了被归约的维度（keepdim=True）；两个结果中这一维都应当消失。",
    "var_mean:global-mean":
        "减去的是整个张量的均值，而不是沿 `dim` 的均值。",
    "var_mean:one-pass":
        "用了一遍扫描的公式 E[x^2] - E[x]^2：数据有很大的公共偏移时，两项都很大且几乎相等，相减后方差丢失；请先减去均值。",
    "var_mean:one-pass-float64":
        "在 float64 中使用一遍扫描的公式；这对 float32 输入有帮助，但有很大偏移的 float64 输入仍会相互抵消：请先减去均值。",
    "var_mean:centres-in-place":
        "原地中心化 x（x -= mean），这会改变调用者的张量；请把 x - mean 算成一个新张量。",
    "stable_logsumexp:naive":
        "直接计算 log(sum(exp(x)))，x 很大时会上溢为 inf；请先减去最大值。",
    "stable_logsumexp:max-not-added-back":
        "减去了最大值，却忘了把它加回来：logsumexp(x) = m + log(sum(exp(x - m)))。",
    "stable_logsumexp:global-max":
        "减去的是整个张量的最大值；请用沿 `dim` 的最大值，否则远低于它的那些行会下溢为 log(0) = -inf。",
    "stable_logsumexp:keepdim":
        "保留了被归约的维度；结果中这一维应当消失（squeeze 掉，或者 keepdim=False）。",
    "stable_logsumexp:shifts-in-place":
        "原地从 x 中减去最大值（x -= m），这会改变调用者的张量；请写 x - m。",
    "stable_logsumexp:mean-shift":
        "减去的是均值而不是最大值；只有最大值才能保证每个 exp(x - m) <= 1，远高于均值的值仍会上溢。",
    "stable_logsumexp:min-shift":
        "减去的是最小值而不是最大值，所以数值分布很广时 exp(x - min) 会上溢。",
    "topk_via_sort:ascending":
        "按升序排序，所以返回的是最小的 k 个值。",
    "topk_via_sort:sorts-dim-0":
        "沿第 0 维排序（torch.sort 只是默认 dim=-1）；top-k 是沿最后一维计算的。",
    "topk_via_sort:k-minus-one":
        "切片写成了 [:k - 1]；切片不包含终点，[:k] 才保留 k 项。",
    "topk_via_sort:index-not-gather":
        "用排序得到的索引去索引 x（x[..., idx]），批量输入时会把各行混在一起；请直接用 sort 返回的值，或沿最后一维用 torch.gather。",
    "topk_via_sort:flattened":
        "对展平后的张量排序；top-k 是在每一行内、沿最后一维计算的。",
    "topk_via_sort:float-cast":
        "排序前把 x 转换成了 float32（.float()）；请直接对 x 排序，让值保持它的数据类型。",
    "one_hot:cpu-device":
        "用 torch.zeros(...) 在默认设备（CPU）上创建结果，而不是在 labels.device 上。",
    "one_hot:float-dtype":
        "用了 torch.zeros 的默认数据类型（float32）；独热编码的结果应当是 int64（dtype=torch.long）。",
    "one_hot:flattened":
        "把标签展平了：形状为 (a, b) 的标签，结果应当是 (a, b, num_classes)。",
    "one_hot:max-label-classes":
        "用 labels.max() + 1 作为类别数；请用 num_classes，因为最大的类别未必出现在标签中。",
    "one_hot:view-flatten":
        "用 view(-1) 展平标签，遇到非连续的标签（转置或切片得到的张量）会出错；请用 reshape(-1)。",
    "one_hot:bool-result":
        "直接返回比较结果 labels[..., None] == classes，它是 bool 类型；请用 .long() 转换。",
    "one_hot:unsqueeze-in-place":
        "调用了 labels.unsqueeze_(-1)，这会改变调用者的标签；labels.unsqueeze(-1) 则返回一个新的视图。",
}
