"""Mistakes students make in assignment 1, "Tensors"."""
from . import Mistake

MISTAKES = [
    Mistake("broadcast_shape", "left-aligned",
            "Lines the shapes up from the left; broadcasting aligns the trailing (rightmost) dimensions.",
            '''def broadcast_shape(a, b):
    result = []
    for i in range(max(len(a), len(b))):
        da = a[i] if i < len(a) else 1
        db = b[i] if i < len(b) else 1
        if da != db and 1 not in (da, db):
            raise ValueError("incompatible")
        result.append(max(da, db))
    return tuple(result)
'''),
    Mistake("chunk_sizes", "floor-division",
            "Uses n // chunks for the piece size; torch.chunk uses the ceiling, ceil(n / chunks).",
            '''def chunk_sizes(n, chunks):
    size = n // chunks
    sizes = [size] * chunks
    sizes[-1] += n - size * chunks
    return sizes
'''),
    Mistake("pairwise_dist", "no-root",
            "Forgets the final root (** (1 / p)): for p = 2 it returns squared distances.",
            '''def pairwise_dist(x, y, p=2.0):
    return (x.unsqueeze(1) - y.unsqueeze(0)).abs().pow(p).sum(dim=-1)
'''),
    Mistake("var_mean", "biased-variance",
            "Always divides by n (the biased variance); with unbiased=True divide by n - 1.",
            '''def var_mean(x, dim, unbiased=True):
    mean = x.mean(dim=dim, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dim)
    return var, mean.squeeze(dim)
'''),
    Mistake("stable_logsumexp", "naive",
            "Computes log(sum(exp(x))) directly, which overflows to inf for large x; subtract the max first.",
            '''def stable_logsumexp(x, dim):
    return x.exp().sum(dim=dim).log()
'''),
    Mistake("topk_via_sort", "ascending",
            "Sorts in ascending order, so it returns the k smallest values.",
            '''def topk_via_sort(x, k):
    values, indices = torch.sort(x, dim=-1)
    return values[..., :k], indices[..., :k]
'''),
    Mistake("one_hot", "cpu-device",
            "Creates the result with torch.zeros(...) on the default device (the CPU), not on labels.device.",
            '''def one_hot(labels, num_classes):
    out = torch.zeros(*labels.shape, num_classes, dtype=torch.long)
    return out.scatter_(-1, labels.unsqueeze(-1), 1)
'''),
]
