"""Assignment 2, "Linear algebra and least squares": questions, points and public checks (students see
this file), and the input factories its checks and hidden tests share."""
from __future__ import annotations

import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from ..compare import call, expect_device_agnostic, expect_tensor, tolerance
from ..i18n import tr
from ..probes import probes
from ..spec import Assignment, Question
from ..strategies import FLOAT_DTYPES, PUBLIC_SETTINGS, make_tensor, seeds

# The public checks, without hypothesis's "explain" phase: its notes never reach the feedback (that is the
# CheckFailure's text), and after a failure it calls the student's function about 200 more times.

# Linear solves lose about cond(A) * eps of accuracy, normal equations cond(X)^2 * eps: in float32 the
# inputs below keep cond < 30, and results are compared with this tolerance.
SOLVE_TOL = {torch.float32: {"rtol": 1e-3, "atol": 1e-3}, torch.float64: {"rtol": 1e-8, "atol": 1e-8}}


def well_conditioned(shape: tuple, dtype: torch.dtype, seed: int, device: str = "cpu", max_cond: float = 30.0):
    """``make_tensor(shape)``, or None when its condition number is above ``max_cond`` (use with assume)."""
    x = make_tensor(shape, dtype, seed, device)
    cond = torch.linalg.cond(x.cpu().double()) if min(shape[-2:]) > 0 else torch.tensor(1.0)
    return x if bool(cond.isfinite().all()) and float(cond.max()) < max_cond else None


def low_rank(shape: tuple, rank: int, dtype: torch.dtype, seed: int, device: str = "cpu") -> torch.Tensor:
    """A (..., m, n) matrix B @ C of rank at most ``rank``, with small integer entries (exact in float32)."""
    *batch, m, n = shape
    g = torch.Generator().manual_seed(seed)
    b = torch.randint(-3, 4, (*batch, m, rank), generator=g, dtype=torch.float64)
    c = torch.randint(-3, 4, (*batch, rank, n), generator=g, dtype=torch.float64)
    return (b @ c).to(dtype).to(device)


def clear_rank_gap(a: torch.Tensor, tol: float | None = None) -> bool:
    """True when no singular value of ``a`` lies near the rank threshold, so every sound way of
    computing the rank (in float32 or float64) agrees with torch.linalg.matrix_rank."""
    s = torch.linalg.svdvals(a.cpu())
    if tol is None:
        m, n = a.shape[-2:]
        threshold = max(m, n) * torch.finfo(a.dtype).eps * s[..., :1]
    else:
        threshold = torch.full_like(s[..., :1], tol)
    ratio = s / threshold.clamp_min(torch.finfo(a.dtype).tiny)
    return bool(((ratio < 0.5) | (ratio > 10)).all())


def singular_gap(a: torch.Tensor, k: int) -> bool:
    """The k-th and (k+1)-th singular values are well apart, so the best rank-k approximation is unique
    and every sound way of computing it agrees within float32 tolerances."""
    s = torch.linalg.svdvals(a.cpu().double())
    if k >= s.shape[-1] or float(s.max()) == 0:
        return True
    return bool(((s[..., k - 1] - s[..., k]) > 0.05 * s[..., 0]).all()) if k > 0 else True


# ---------------------------------------------------------------------------------- public checks
def addbmm_manual_public(fn):
    q = "addbmm_manual"
    m = torch.full((2, 2), float("nan"), dtype=torch.float64)
    b1, b2 = make_tensor((3, 2, 4), torch.float64, 1), make_tensor((3, 4, 2), torch.float64, 2)
    inputs = {"M": m, "batch1": b1, "batch2": b2, "beta": 0.0, "alpha": 1.0}
    expect_tensor(q, call(q, fn, **inputs), torch.addbmm(m, b1, b2, beta=0.0), inputs, dtype=m.dtype,
                  device=m.device, what=tr("the result with beta = 0 (M must be ignored, nan included)",
                                           "beta = 0 时的结果（必须忽略 M，包括其中的 nan）"))

    @PUBLIC_SETTINGS
    @given(b=st.integers(1, 3), n=st.integers(1, 3), k=st.integers(1, 3), p=st.integers(1, 3),
           beta=st.sampled_from([1.0, 0.5]), alpha=st.sampled_from([1.0, 2.0]), dtype=st.sampled_from(FLOAT_DTYPES),
           seed=seeds)
    def run(b, n, k, p, beta, alpha, dtype, seed):
        m = make_tensor((n, p), dtype, seed)
        b1, b2 = make_tensor((b, n, k), dtype, seed + 1), make_tensor((b, k, p), dtype, seed + 2)
        inputs = {"M": m, "batch1": b1, "batch2": b2, "beta": beta, "alpha": alpha}
        expected = torch.addbmm(m.double(), b1.double(), b2.double(), beta=beta, alpha=alpha)
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=m.device,
                      **tolerance(dtype, reduction=True))

    run()


def matrix_1_norm_public(fn):
    q = "matrix_1_norm"
    a = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
    expect_tensor(q, call(q, fn, A=a), torch.tensor(6.0), {"A": a}, dtype=a.dtype, device=a.device)

    @PUBLIC_SETTINGS
    @given(batch=st.lists(st.integers(1, 2), max_size=1), m=st.integers(1, 4), n=st.integers(1, 4),
           dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(batch, m, n, dtype, seed):
        a = make_tensor((*batch, m, n), dtype, seed)
        expect_tensor(q, call(q, fn, A=a), torch.linalg.matrix_norm(a.double(), ord=1), {"A": a}, dtype=dtype,
                      device=a.device, **tolerance(dtype, reduction=True))

    run()


def gauss_solve_public(fn):
    q = "gauss_solve"
    for a, b, why in [
        (torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64), torch.tensor([5.0, 6.0], dtype=torch.float64),
         tr("the solution of [[1, 2], [3, 4]] x = [5, 6] (|3| > |1|: rows 0 and 1 swap)",
            "[[1, 2], [3, 4]] x = [5, 6] 的解（|3| > |1|：第 0 行与第 1 行要交换）")),
        (torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64), torch.tensor([2.0, 3.0], dtype=torch.float64),
         tr("the solution when the first pivot is 0 (swap rows)", "第一个主元为 0 时的解（要交换两行）")),
        (torch.tensor([[1e-20, 1.0], [-1.0, 1.0]], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64),
         tr("the solution when the first pivot is tiny (pick the largest |pivot|)",
            "第一个主元非常小时的解（应选绝对值最大的主元）")),
    ]:
        inputs = {"A": a, "b": b}
        expect_tensor(q, call(q, fn, **inputs), torch.linalg.solve(a, b), inputs, dtype=a.dtype, device=a.device,
                      what=why, **SOLVE_TOL[a.dtype])

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 4), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, dtype, seed):
        a = well_conditioned((n, n), dtype, seed)
        assume(a is not None)
        b = make_tensor((n,), dtype, seed + 1)
        inputs = {"A": a, "b": b}
        expect_tensor(q, call(q, fn, **inputs), torch.linalg.solve(a.double(), b.double()), inputs, dtype=dtype,
                      device=a.device, **SOLVE_TOL[dtype])

    run()


def rank_via_svd_public(fn):
    q = "rank_via_svd"
    f64 = torch.float64
    examples = [
        (torch.diag(torch.tensor([3e-20, 2e-20, 1e-20], dtype=f64)), None,
         tr("a full-rank matrix with tiny entries", "元素都非常小的满秩矩阵")),
        (torch.diag(torch.tensor([3.0, 1.0, 0.0], dtype=f64)), 1.0,
         tr("singular values equal to tol (they don't count)", "奇异值等于 tol（这些奇异值不计入）")),
        (torch.arange(1.0, 10.0, dtype=f64).reshape(3, 3), None,
         tr("[[1, 2, 3], [4, 5, 6], [7, 8, 9]] (rank 2)", "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]（秩为 2）")),
    ]
    for a, tol, what in examples:
        inputs = {"A": a, "tol": tol}
        expected = torch.linalg.matrix_rank(a) if tol is None else torch.linalg.matrix_rank(a, atol=tol, rtol=0.0)
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=torch.int64, device=a.device,
                      what=tr("the rank of {what}", "秩（{what}）", what=what))

    @PUBLIC_SETTINGS
    @given(batch=st.lists(st.integers(1, 2), max_size=1), m=st.integers(1, 4), n=st.integers(1, 4),
           data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(batch, m, n, data, dtype, seed):
        r = data.draw(st.integers(0, min(m, n)), label="r")
        a = low_rank((*batch, m, n), r, dtype, seed)
        assume(clear_rank_gap(a))
        inputs = {"A": a, "tol": None}
        expect_tensor(q, call(q, fn, **inputs), torch.linalg.matrix_rank(a), inputs, dtype=torch.int64, device=a.device)

    run()


def low_rank_approx_public(fn):
    q = "low_rank_approx"
    # Stored answers (kitcheck/data/linalg.pt): float64 matrices of 1 to 4 rows and columns, k from 1 to full
    # rank, each with a clear gap after the k-th singular value (so the best rank-k approximation is unique).
    # The same matrices in float32 too: the result keeps the input's dtype.
    for dtype in (torch.float64, torch.float32):
        for p in probes(q):
            inputs = {**p.inputs, "A": p.inputs["A"].to(dtype)}
            expect_tensor(q, call(q, fn, **inputs), p.expected, inputs, dtype=dtype, device=inputs["A"].device,
                          **tolerance(dtype, reduction=True))


def sse_surface_public(fn):
    q = "sse_surface"
    x, y = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 6.0])
    a, b = torch.meshgrid(torch.linspace(1.0, 5.0, 5), torch.linspace(-2.0, 2.0, 5), indexing="ij")
    inputs = {"a": a, "b": b, "x": x, "y": y}
    expect_tensor(q, call(q, fn, **inputs), (3 - a - b) ** 2 + (6 - 2 * a - b) ** 2, inputs, dtype=a.dtype,
                  device=a.device, what=tr("SSE(a, b) = (3 - a - b)^2 + (6 - 2a - b)^2 on a 5 x 5 grid",
                                           "5 x 5 网格上的 SSE（(3 - a - b)^2 + (6 - 2a - b)^2）"))

    # Stored answers (kitcheck/data/linalg.pt): float64 grids of 0 to 2 dimensions, 1 to 4 data points; then
    # the same in float32.
    for dtype in (torch.float64, torch.float32):
        for p in probes(q):
            inputs = {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in p.inputs.items()}
            expect_tensor(q, call(q, fn, **inputs), p.expected, inputs, dtype=dtype, device=inputs["a"].device,
                          **tolerance(dtype, reduction=dtype == torch.float32))


def normal_equation_public(fn):
    q = "normal_equation"
    X, y = torch.tensor([[1.0, 1.0], [2.0, 1.0]]), torch.tensor([3.0, 6.0])
    expect_tensor(q, call(q, fn, X=X, y=y), torch.tensor([3.0, 0.0]), {"X": X, "y": y}, dtype=X.dtype,
                  device=X.device, **SOLVE_TOL[X.dtype],
                  what=tr("the fit of y = a x + b to (1, 3), (2, 6)", "用 y = a x + b 拟合 (1, 3)、(2, 6) 的结果"))

    @PUBLIC_SETTINGS
    @given(n=st.integers(1, 6), data=st.data(), dtype=st.sampled_from(FLOAT_DTYPES), seed=seeds)
    def run(n, data, dtype, seed):
        d = data.draw(st.integers(1, min(n, 4)), label="d")
        X = well_conditioned((n, d), dtype, seed)
        assume(X is not None)
        y = make_tensor((n,), dtype, seed + 1)
        inputs = {"X": X, "y": y}
        expected = torch.linalg.lstsq(X.double(), y.double().unsqueeze(-1)).solution.squeeze(-1)
        expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=X.device, **SOLVE_TOL[dtype])

    run()
    expect_device_agnostic(q, fn, lambda X, y: torch.empty(X.shape[1], dtype=X.dtype, device=X.device),
                           X=torch.empty(5, 2, device="meta"), y=torch.empty(5, device="meta"))


ASSIGNMENT = Assignment(
    name="linalg",
    number=2,
    title="Assignment 2: Linear algebra and least squares",
    title_zh="作业 2：线性代数与最小二乘法",
    questions=(
        Question("addbmm_manual", 2, "beta * M + alpha * (sum of the batch of matrix products)", addbmm_manual_public,
                 summary_zh="beta * M + alpha *（一批矩阵乘积之和）",
                 forbidden=("torch.addbmm", "Tensor.addbmm", "Tensor.addbmm_", "torch.baddbmm", "Tensor.baddbmm", "Tensor.baddbmm_")),
        Question("matrix_1_norm", 2, "the matrix 1-norm: the largest absolute column sum", matrix_1_norm_public,
                 summary_zh="矩阵的 1-范数：各列绝对值之和的最大值",
                 forbidden=("torch.linalg.matrix_norm", "torch.linalg.norm")),
        Question("gauss_solve", 4, "solve A x = b by Gaussian elimination with partial pivoting", gauss_solve_public,
                 summary_zh="用列主元高斯消元法解 A x = b",
                 forbidden=("torch.linalg.solve", "torch.linalg.solve_ex", "torch.linalg.inv", "torch.linalg.inv_ex", "torch.inverse", "Tensor.inverse", "torch.linalg.lu", "torch.linalg.lu_factor", "torch.linalg.lu_factor_ex", "torch.linalg.lu_solve", "torch.lu", "torch.linalg.lstsq")),
        Question("rank_via_svd", 3, "the rank: how many singular values exceed a tolerance", rank_via_svd_public,
                 summary_zh="矩阵的秩：超过阈值的奇异值个数",
                 forbidden=("torch.linalg.matrix_rank",)),
        Question("low_rank_approx", 3, "the best rank-k approximation, from the SVD", low_rank_approx_public,
                 summary_zh="由奇异值分解得到的最佳秩 k 近似"),
        Question("sse_surface", 3, "the sum of squared errors of y = a x + b at every (a, b) of a grid",
                 sse_surface_public,
                 summary_zh="网格上每个 (a, b) 处 y = a x + b 的误差平方和（SSE）"),
        Question("normal_equation", 3, "least squares by the normal equation", normal_equation_public,
                 summary_zh="用正规方程求最小二乘解",
                 forbidden=("torch.linalg.lstsq", "torch.linalg.pinv", "torch.pinverse", "Tensor.pinverse")),
    ),
)
