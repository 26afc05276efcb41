"""Inputs that are ordinary for a user and hard for a formula: the numerics hidden tests must cover.

Plain random values in [-3, 3] let one-pass variance formulas, unclamped Gram-expansion distances and
in-place "clean-ups" pass. Each factory here builds one class of hard input, reproducibly from a seed
(hidden tests draw the seed and the kind with hypothesis, so a failure shrinks and prints readably):

- ``offset``: values with a large common offset (``1e4 + small``): one-pass ``E[x^2] - E[x]^2`` cancels.
- ``near_duplicates``: rows that differ by ~1e-4 relative: ``|x|^2 + |y|^2 - 2x.y`` goes negative.
- ``extreme_probabilities``: probabilities at and next to 0 and 1 (soft labels of BCE).
- ``with_specials``: ``inf``, ``-inf`` and ``nan`` at chosen places.
- ``ill_conditioned``: a matrix with a chosen condition number, and singular values near a threshold.
- ``mixed_scales``: a batch whose items have scales from 1e-3 to 1e3.
- ``layouts``: the same values as contiguous, transposed, stepped-slice and expanded views, for any dtype.

The grader's own module: nothing here ships to students (none of it is an answer, but the release is an
allow-list).
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

OFFSET_KINDS = ("offset", "near_duplicates", "mixed_scales")
LAYOUTS = ("contiguous", "transposed", "sliced", "expanded")


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


def offset(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu", base: float = 1e4,
           spread: float = 1.0) -> torch.Tensor:
    """``base + spread * U(-1, 1)``: the variance is O(spread^2) under a mean of ``base``.

    For float32 keep ``base / spread`` below ~1e3 (the data itself then still has 3-4 significant digits);
    float64 tolerates ``base=1e6``."""
    g = _gen(seed)
    x = base + spread * (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1)
    return x.to(dtype).to(device)


def near_duplicates(n: int, d: int, dtype: torch.dtype, seed: int, device: str = "cpu",
                    scale: float = 10.0, eps: float = 1e-3) -> torch.Tensor:
    """``n`` rows of length ``d``, all within ``eps * scale`` of one row of size ~``scale``."""
    g = _gen(seed)
    row = scale * (torch.rand(d, generator=g, dtype=torch.float64) + 0.5)
    x = row + eps * scale * torch.rand(n, d, generator=g, dtype=torch.float64)
    x[0] = row  # one exact duplicate too: a distance of exactly 0
    return x.to(dtype).to(device)


def extreme_probabilities(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Probabilities drawn from {0, 1, 1e-7, 1 - 1e-7, 1e-3, 0.5, ...}: soft labels and saturated outputs."""
    g = _gen(seed)
    choices = torch.tensor([0.0, 1.0, 1e-7, 1 - 1e-7, 1e-3, 1 - 1e-3, 0.5, 0.25], dtype=torch.float64)
    index = torch.randint(len(choices), shape, generator=g)
    return choices[index].to(dtype).to(device)


def with_specials(x: torch.Tensor, seed: int, kinds: tuple = ("inf", "-inf", "nan")) -> torch.Tensor:
    """A copy of ``x`` with one element of each kind in ``kinds`` at seeded places."""
    g = _gen(seed)
    out = x.clone()
    flat = out.view(-1)
    values = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}
    for kind in kinds:
        flat[int(torch.randint(flat.numel(), (1,), generator=g))] = values[kind]
    return out


def ill_conditioned(n: int, dtype: torch.dtype, seed: int, device: str = "cpu", cond: float = 1e6,
                    m: int | None = None) -> torch.Tensor:
    """An ``m x n`` matrix (``m`` defaults to ``n``) with singular values from 1 down to ``1/cond``."""
    g = _gen(seed)
    m = m or n
    k = min(m, n)
    u, _ = torch.linalg.qr(torch.randn(m, k, generator=g, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(n, k, generator=g, dtype=torch.float64))
    s = torch.logspace(0, -torch.log10(torch.tensor(cond)).item(), k, dtype=torch.float64)
    return (u * s @ v.T).to(dtype).to(device)


def with_singular_values(values: list[float], m: int, n: int, dtype: torch.dtype, seed: int,
                         device: str = "cpu") -> torch.Tensor:
    """An ``m x n`` matrix whose singular values are exactly ``values`` (padded with zeros): e.g. values
    just above and just below a rank threshold."""
    g = _gen(seed)
    k = min(m, n)
    s = torch.zeros(k, dtype=torch.float64)
    s[: len(values)] = torch.tensor(values[:k], dtype=torch.float64)
    u, _ = torch.linalg.qr(torch.randn(m, k, generator=g, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(n, k, generator=g, dtype=torch.float64))
    return (u * s @ v.T).to(dtype).to(device)


def mixed_scales(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """Items along dim 0 scaled by 1e-3 ... 1e3 (a batch of matrices of very different sizes)."""
    g = _gen(seed)
    x = torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1
    scales = torch.logspace(-3, 3, shape[0], dtype=torch.float64).reshape(-1, *([1] * (len(shape) - 1)))
    return (x * scales).to(dtype).to(device)


def layout(x: torch.Tensor, how: str) -> torch.Tensor:
    """The values of ``x`` in another memory layout (same values, same shape):

    ``transposed``: a ``.mT`` of a contiguous tensor (or ``.flip`` made contiguous then reversed for 1-D);
    ``sliced``: every other element of a twice-as-large tensor; ``expanded``: only for a leading size-1 dim
    broadcast by ``expand`` (stride 0), falling back to sliced otherwise. Works for every dtype."""
    if how == "contiguous" or x.numel() <= 1:
        return x.contiguous()
    if how == "transposed" and x.ndim >= 2:
        return x.mT.contiguous().mT
    if how == "expanded" and x.ndim >= 1 and x.shape[0] > 1 and bool((x == x[:1]).all()):
        return x[:1].expand_as(x)
    # sliced (and the fallback): a view with a step, so strides are not those of a contiguous tensor
    big = torch.repeat_interleave(x.reshape(-1), 2).reshape(*x.shape[:-1], 2 * x.shape[-1]) if x.ndim else x
    return big[..., ::2]


def layouts() -> st.SearchStrategy:
    """The layout kinds, contiguous first (hypothesis shrinks towards it)."""
    return st.sampled_from(LAYOUTS)


def describe_layout(x: torch.Tensor) -> str:
    """``"a transposed, non-contiguous view"`` and the like, for messages and test ids."""
    if x.is_contiguous():
        return "contiguous"
    if 0 in x.stride():
        return "an expanded (stride-0, broadcast) view"
    if x.ndim >= 2 and x.mT.is_contiguous():
        return "a transposed, non-contiguous view"
    return "a sliced, non-contiguous view"
