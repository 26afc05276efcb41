"""Assignment 1, "Tensors": mistakes students make, and correct variants written differently."""
from autograder.catalog import Mistake, Variant

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
    Variant("var_mean", "float64-sums", "one pass of sums in float64: (sum x^2 - n mean^2) / (n - c)", '''
def var_mean(x, dim, unbiased=True):
    d = x.double()
    n = x.shape[dim]
    mean = d.sum(dim) / n
    var = ((d * d).sum(dim) - n * mean * mean) / (n - 1 if unbiased else n)
    return var.to(x.dtype), mean.to(x.dtype)
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
