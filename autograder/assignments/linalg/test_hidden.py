"""Hidden tests for assignment 2, "Linear algebra and least squares".

Oracle: torch's own functions (addbmm, matrix_norm, solve, matrix_rank, svd, lstsq) or a closed form, in
float64 from the same inputs. Inputs come from seeds; solves and least squares use well-conditioned
matrices (cond < 30) and rank tests matrices whose singular values are far from the threshold, so any
sound algorithm in float32 or float64 agrees with the oracle.
"""
import pytest
import torch
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from autograder import adversarial as adv
from autograder.harness import DEVICES, FLOAT_DTYPES, call, expect_device_agnostic, public_check_tests, question
from autograder.assignments.linalg.references import low_rank_reference, sse_reference
from kitcheck.assignments.linalg import ASSIGNMENT, SOLVE_TOL, clear_rank_gap, low_rank, singular_gap, well_conditioned
from kitcheck.compare import CheckFailure, expect_tensor, tolerance
from kitcheck.i18n import tr
from kitcheck.strategies import make_tensor, seeds

test_public_checks = public_check_tests(ASSIGNMENT)

# The adversarial tests below draw few examples each (every example is a hard case; grading stays fast).
FEW = settings(max_examples=6)
DTYPE = st.sampled_from(FLOAT_DTYPES)


def _laid_out(x: torch.Tensor, how: str) -> torch.Tensor:
    """``x``'s values in the memory layout ``how`` (see autograder.adversarial.layout)."""
    return adv.layout(x, how)


# ---- addbmm_manual ---------------------------------------------------------------------------------
@question("addbmm_manual")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(b=st.integers(1, 4), n=st.integers(1, 3), k=st.integers(1, 3), p=st.integers(1, 3),
       m_shape=st.sampled_from(["full", "row", "vector", "column"]), beta=st.sampled_from([1.0, 0.5, -2.0]),
       alpha=st.sampled_from([1.0, 3.0, -0.5]), seed=seeds)
def test_addbmm_manual_matches_torch(q, fn, device, dtype, b, n, k, p, m_shape, beta, alpha, seed):
    shape = {"full": (n, p), "row": (1, p), "vector": (p,), "column": (n, 1)}[m_shape]  # M broadcasts to (n, p)
    M = make_tensor(shape, dtype, seed, device)
    b1, b2 = make_tensor((b, n, k), dtype, seed + 1, device), make_tensor((b, k, p), dtype, seed + 2, device)
    inputs = {"M": M, "batch1": b1, "batch2": b2, "beta": beta, "alpha": alpha}
    expected = torch.addbmm(M.double(), b1.double(), b2.double(), beta=beta, alpha=alpha)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=M.device,
                  **tolerance(dtype, reduction=True))


@question("addbmm_manual")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(b=st.integers(1, 3), n=st.integers(1, 3), p=st.integers(1, 3), bad=st.sampled_from(["nan", "inf"]), seed=seeds)
def test_addbmm_manual_ignores_M_when_beta_is_zero(q, fn, dtype, b, n, p, bad, seed):
    M = torch.full((n, p), float(bad), dtype=dtype)
    b1, b2 = make_tensor((b, n, 2), dtype, seed), make_tensor((b, 2, p), dtype, seed + 1)
    inputs = {"M": M, "batch1": b1, "batch2": b2, "beta": 0.0, "alpha": 2.0}
    expected = torch.addbmm(M.double(), b1.double(), b2.double(), beta=0.0, alpha=2.0)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=M.device,
                  what=tr("the result with beta = 0 (M must be ignored)", "beta = 0 时的结果（M 必须被忽略）"),
                  **tolerance(dtype, reduction=True))


@question("addbmm_manual")
@FEW
@given(dtype=DTYPE, b=st.integers(1, 3), n=st.integers(1, 3), p=st.integers(1, 3),
       bad=st.sampled_from(["nan", "inf", "-inf"]), beta=st.sampled_from([1.0, -0.5]), seed=seeds)
def test_addbmm_manual_propagates_M_when_beta_is_not_zero(q, fn, dtype, b, n, p, bad, beta, seed):
    # With beta != 0, M's nan and inf reach the result, as in torch.addbmm (only beta == 0 ignores M).
    M = adv.with_specials(make_tensor((n, p), dtype, seed), seed, kinds=(bad,))
    b1, b2 = make_tensor((b, n, 2), dtype, seed + 1), make_tensor((b, 2, p), dtype, seed + 2)
    inputs = {"M": M, "batch1": b1, "batch2": b2, "beta": beta, "alpha": 1.0}
    expected = torch.addbmm(M.double(), b1.double(), b2.double(), beta=beta, alpha=1.0)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=M.device,
                  what=tr("the result with beta = {beta} (M's {bad} must reach it)",
                          "beta = {beta} 时的结果（M 中的 {bad} 必须传到结果里）", beta=beta, bad=bad),
                  **tolerance(dtype, reduction=True))


@question("addbmm_manual")
@FEW
@given(dtype=DTYPE, b=st.integers(2, 4), n=st.integers(1, 3), k=st.integers(1, 3), p=st.integers(1, 3),
       how=adv.layouts(), seed=seeds)
@example(dtype=torch.float32, b=2, n=2, k=2, p=3, how="transposed", seed=0)
def test_addbmm_manual_mixed_scales_and_layouts(q, fn, dtype, b, n, k, p, how, seed):
    # Products of sizes 1e-6 to 1e6 in one batch, and inputs that are views (transposed, sliced, expanded).
    # The sum's rounding error is relative to the sum of |products|, so the tolerance is too.
    b1 = _laid_out(adv.mixed_scales((b, n, k), dtype, seed), how)
    b2 = _laid_out(adv.mixed_scales((b, k, p), dtype, seed + 1), how)
    M = _laid_out(make_tensor((n, p), dtype, seed + 2), how)
    inputs = {"M": M, "batch1": b1, "batch2": b2, "beta": 0.5, "alpha": 2.0}
    expected = torch.addbmm(M.double(), b1.double(), b2.double(), beta=0.5, alpha=2.0)
    size = float((b1.double().abs() @ b2.double().abs()).sum(0).max()) * 2 + float(M.abs().max())
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=M.device,
                  rtol=0.0, atol=8 * (b * k + 2) * torch.finfo(dtype).eps * size)


@question("addbmm_manual")
def test_addbmm_manual_defaults_are_1(q, fn):
    M = make_tensor((2, 3), torch.float64, 3)
    b1, b2 = make_tensor((2, 2, 4), torch.float64, 4), make_tensor((2, 4, 3), torch.float64, 5)
    inputs = {"M": M, "batch1": b1, "batch2": b2}
    expect_tensor(q, call(q, fn, **inputs), torch.addbmm(M, b1, b2), inputs, dtype=M.dtype, device=M.device,
                  what=tr("the result without beta and alpha (both 1 by default)",
                          "不传 beta 和 alpha 时的结果（两者默认都是 1）"))


@question("addbmm_manual")
def test_addbmm_manual_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda M, b1, b2, beta, alpha: torch.addbmm(M, b1, b2, beta=beta, alpha=alpha),
                           M=torch.empty(3, 5, device="meta"), batch1=torch.empty(2, 3, 4, device="meta"),
                           batch2=torch.empty(2, 4, 5, device="meta"), beta=0.5, alpha=2.0)


# ---- matrix_1_norm ---------------------------------------------------------------------------------
@question("matrix_1_norm")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(batch=st.lists(st.integers(1, 3), max_size=2), m=st.integers(1, 5), n=st.integers(1, 5), seed=seeds)
def test_matrix_1_norm_matches_torch(q, fn, device, dtype, batch, m, n, seed):
    A = make_tensor((*batch, m, n), dtype, seed, device)
    expect_tensor(q, call(q, fn, A=A), torch.linalg.matrix_norm(A.double(), ord=1), {"A": A}, dtype=dtype,
                  device=A.device, **tolerance(dtype, reduction=True))


@question("matrix_1_norm")
@given(m=st.integers(1, 4), n=st.integers(1, 4), c=st.sampled_from([-2.0, 0.5, 3.0]), seed=seeds)
def test_matrix_1_norm_is_a_norm(q, fn, m, n, c, seed):
    # Properties of a norm: ||c A|| = |c| ||A|| and ||A + B|| <= ||A|| + ||B||.
    A, B = make_tensor((m, n), torch.float64, seed), make_tensor((m, n), torch.float64, seed + 1)
    norms = {}
    for name, M in (("A", A), ("B", B), ("c * A", c * A), ("A + B", A + B)):
        norms[name] = call(q, fn, A=M)
        expect_tensor(q, norms[name], torch.linalg.matrix_norm(M, ord=1), {"A": M}, dtype=M.dtype, device=M.device)
    expect_tensor(q, norms["c * A"], abs(c) * norms["A"], {"A": A, "c": c},
                  what=tr("the norm of c * A (|c| times the norm of A)", "c * A 的范数（A 的范数的 |c| 倍）"))
    if float(norms["A + B"]) > float(norms["A"] + norms["B"]) + 1e-9:
        raise CheckFailure(q, tr("the norm of A + B is larger than the norm of A plus the norm of B",
                                 "A + B 的范数大于 A 的范数与 B 的范数之和"), {"A": A, "B": B})


@question("matrix_1_norm")
@FEW
@given(dtype=DTYPE, batch=st.lists(st.integers(1, 3), max_size=1), m=st.integers(2, 4), n=st.integers(2, 4),
       how=adv.layouts(), special=st.sampled_from([None, "inf", "nan"]), seed=seeds)
def test_matrix_1_norm_layouts_and_specials(q, fn, dtype, batch, m, n, how, special, seed):
    # Views of any layout; an inf or nan entry makes its matrix's norm inf or nan, as in matrix_norm.
    A = make_tensor((*batch, m, n), dtype, seed)
    if special:
        A = adv.with_specials(A, seed, kinds=(special,))
    A = _laid_out(A, how)
    expect_tensor(q, call(q, fn, A=A), torch.linalg.matrix_norm(A.double(), ord=1), {"A": A}, dtype=dtype,
                  device=A.device, **tolerance(dtype, reduction=True))


@question("matrix_1_norm")
def test_matrix_1_norm_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, lambda A: torch.linalg.matrix_norm(A, ord=1),
                           A=torch.empty(2, 3, 4, device="meta"))


# ---- gauss_solve -----------------------------------------------------------------------------------
# No meta-device test here: pivoting reads values (argmax), which meta tensors do not have. The CUDA
# parameter covers devices where a GPU exists.
@question("gauss_solve")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 5), seed=seeds)
def test_gauss_solve_matches_torch(q, fn, device, dtype, n, seed):
    A = well_conditioned((n, n), dtype, seed, device)
    assume(A is not None)
    b = make_tensor((n,), dtype, seed + 1, device)
    inputs = {"A": A, "b": b}
    expect_tensor(q, call(q, fn, **inputs), torch.linalg.solve(A.double(), b.double()), inputs,
                  dtype=dtype, device=b.device, **SOLVE_TOL[dtype])


@question("gauss_solve")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(2, 5), data=st.data(), seed=seeds)
def test_gauss_solve_needs_row_swaps(q, fn, dtype, n, data, seed):
    # Rows permuted so that a zero sits where the first pivots would be: only pivoting can solve these.
    base = well_conditioned((n, n), dtype, seed)
    assume(base is not None)
    perm = torch.tensor(data.draw(st.permutations(range(n)), label="row order"))
    assume(bool((perm != torch.arange(n)).any()))
    A = base[perm].clone()
    A[0, 0] = 0.0
    assume(float(torch.linalg.cond(A.double())) < 30)
    b = make_tensor((n,), dtype, seed + 1)
    inputs = {"A": A, "b": b}
    x = call(q, fn, **inputs)
    expect_tensor(q, x, torch.linalg.solve(A.double(), b.double()), inputs, dtype=dtype, device=b.device,
                  **SOLVE_TOL[dtype])


@question("gauss_solve")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(tiny_exp=st.integers(-30, -12), sign=st.sampled_from([1.0, -1.0]), seed=seeds)
def test_gauss_solve_tiny_pivot(q, fn, dtype, tiny_exp, sign, seed):
    # [[tiny, 1], [sign, 1]]: dividing by the tiny pivot loses x[0] entirely; the largest |pivot| keeps it.
    tiny = 10.0 ** (tiny_exp if dtype == torch.float64 else max(tiny_exp, -20))
    A = torch.tensor([[tiny, 1.0], [sign, 1.0]], dtype=dtype)
    b = make_tensor((2,), dtype, seed)
    inputs = {"A": A, "b": b}
    expect_tensor(q, call(q, fn, **inputs), torch.linalg.solve(A.double(), b.double()), inputs,
                  dtype=dtype, device=b.device, **SOLVE_TOL[dtype])


@question("gauss_solve")
@given(n=st.integers(1, 5), seed=seeds)
def test_gauss_solve_residual_is_small(q, fn, n, seed):
    # Property: A x reproduces b (backward stability of elimination with pivoting).
    A = well_conditioned((n, n), torch.float64, seed, max_cond=1e3)
    assume(A is not None)
    b = make_tensor((n,), torch.float64, seed + 1)
    x = call(q, fn, A=A, b=b)
    expect_tensor(q, x, torch.linalg.solve(A, b), {"A": A, "b": b}, dtype=A.dtype, device=A.device,
                  **SOLVE_TOL[torch.float64])
    expect_tensor(q, A @ x, b, {"A": A, "b": b}, what=tr("A @ x (it should equal b)", "A @ x（它应当等于 b）"),
                  **SOLVE_TOL[torch.float64])


@question("gauss_solve")
@FEW
@given(dtype=DTYPE, n=st.integers(2, 6), seed=seeds)
def test_gauss_solve_ill_conditioned_residual(q, fn, dtype, n, seed):
    # cond(A) = 1e10 (float64) or 1e4 (float32): x itself is only accurate to about cond * eps, for any method,
    # but elimination with partial pivoting is backward stable: A x - b is about eps * |A| |x|. Multiplying b
    # by an inverse is not (its residual grows with cond(A)).
    A = adv.ill_conditioned(n, dtype, seed, cond=1e10 if dtype == torch.float64 else 1e4)
    b = (A.double() @ make_tensor((n,), torch.float64, seed + 1)).to(dtype)  # x of ordinary size
    inputs = {"A": A, "b": b}
    x = call(q, fn, **inputs)
    expect_tensor(q, x, torch.linalg.solve(A.double(), b.double()), inputs, dtype=dtype, device=b.device,
                  rtol=0.0, atol=float("inf"))  # type, shape, dtype and device; the values are judged below
    A64, b64, x64 = A.double(), b.double(), x.double()
    size = float(torch.linalg.matrix_norm(A64, 2)) * float(x64.norm()) + float(b64.norm())
    expect_tensor(q, A64 @ x64, b64, inputs,
                  what=tr("A @ x (it should equal b up to rounding)", "A @ x（除舍入误差外，它应当等于 b）"), rtol=0.0,
                  atol=20 * n * torch.finfo(dtype).eps * size)


@question("gauss_solve")
@FEW
@given(dtype=DTYPE, n=st.integers(2, 5), how_a=adv.layouts(), how_b=adv.layouts(), seed=seeds)
def test_gauss_solve_any_layout(q, fn, dtype, n, how_a, how_b, seed):
    A = well_conditioned((n, n), dtype, seed)
    assume(A is not None)
    A = _laid_out(A, how_a)
    b = make_tensor((n,), dtype, seed + 1)
    b = b[:1].expand(n) if how_b == "expanded" else _laid_out(b, how_b)
    inputs = {"A": A, "b": b}
    expect_tensor(q, call(q, fn, **inputs), torch.linalg.solve(A.double(), b.double()), inputs,
                  dtype=dtype, device=b.device, **SOLVE_TOL[dtype])


# ---- rank_via_svd ----------------------------------------------------------------------------------
def _rank(A, tol):
    return torch.linalg.matrix_rank(A) if tol is None else torch.linalg.matrix_rank(A, atol=tol, rtol=0.0)


@question("rank_via_svd")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(batch=st.lists(st.integers(1, 3), max_size=2), m=st.integers(1, 5), n=st.integers(1, 5), data=st.data(),
       tol=st.sampled_from([None, None, 0.5, 3.0]), seed=seeds)
def test_rank_via_svd_matches_matrix_rank(q, fn, device, dtype, batch, m, n, data, tol, seed):
    r = data.draw(st.integers(0, min(m, n)), label="r")
    A = low_rank((*batch, m, n), r, dtype, seed, device)
    assume(clear_rank_gap(A, tol))
    inputs = {"A": A, "tol": tol}
    expect_tensor(q, call(q, fn, **inputs), _rank(A.cpu(), tol), inputs, dtype=torch.int64, device=A.device)


@question("rank_via_svd")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(m=st.integers(2, 5), n=st.integers(2, 5), data=st.data(), power=st.sampled_from([-20, 20, -90]), seed=seeds)
def test_rank_via_svd_ignores_scale(q, fn, dtype, m, n, data, power, seed):
    # The default tolerance is relative to the largest singular value: rank(c A) = rank(A). Powers of 2
    # keep the integer matrices exact, so their rank is exactly r in both dtypes.
    scale = 2.0 ** (max(power, -20) if dtype == torch.float32 else power)
    r = data.draw(st.integers(1, min(m, n)), label="r")
    A = low_rank((m, n), r, dtype, seed) * scale
    assume(clear_rank_gap(A))
    inputs = {"A": A, "tol": None}
    expect_tensor(q, call(q, fn, **inputs), _rank(A, None), inputs, dtype=torch.int64, device=A.device)


@question("rank_via_svd")
@given(m=st.integers(2, 5), n=st.integers(2, 5), data=st.data(), seed=seeds)
def test_rank_via_svd_uses_the_dtypes_eps(q, fn, m, n, data, seed):
    # A rank-r float64 matrix plus noise of 1e-9: full rank in float64 (eps 2.2e-16), not in float32.
    r = data.draw(st.integers(0, min(m, n) - 1), label="r")
    A = low_rank((m, n), r, torch.float64, seed) + 1e-9 * make_tensor((m, n), torch.float64, seed + 1)
    assume(clear_rank_gap(A))
    inputs = {"A": A, "tol": None}
    expect_tensor(q, call(q, fn, **inputs), _rank(A, None), inputs, dtype=torch.int64, device=A.device)


@question("rank_via_svd")
@FEW
@given(dtype=DTYPE, size=st.sampled_from([(40, 10), (10, 40), (24, 24)]), r=st.integers(0, 3),
       explicit=st.booleans(), how=st.sampled_from(["contiguous", "transposed", "batch of 100"]), seed=seeds)
@example(dtype=torch.float64, size=(40, 10), r=2, explicit=False, how="contiguous", seed=1)
@example(dtype=torch.float32, size=(10, 40), r=1, explicit=False, how="batch of 100", seed=2)
def test_rank_via_svd_near_the_threshold(q, fn, dtype, size, r, explicit, how, seed):
    # Singular values 2x above and 2x below the threshold: max(m, n) * eps * S.max() by default (the rule of
    # torch.linalg.matrix_rank; with 40 x 10, min(m, n) would count both), or 1.01 * tol and 0.99 * tol for
    # an explicit tol (strictly greater counts). Big enough matrices that rounding (a few eps * S.max()) does not
    # move a singular value across the threshold. A batch of 100 (one matrix, expanded) uses the same rule:
    # the batch size is not one of the matrix's dimensions.
    m, n = size
    tol = 0.25 if explicit else None
    t = tol if explicit else max(m, n) * torch.finfo(dtype).eps
    near = [1.01 * t, 0.99 * t] if explicit else [2 * t, 0.5 * t]
    A = adv.with_singular_values([1.0] * r + near, m, n, torch.float64, seed).to(dtype)
    A = A.expand(100, m, n) if how == "batch of 100" else _laid_out(A, how)
    s = torch.linalg.svdvals(A[0].double() if A.ndim == 3 else A.double())
    limit = tol if explicit else max(m, n) * torch.finfo(dtype).eps * float(s[0])
    ratio = s / limit
    assume(bool(((ratio < 0.995) | (ratio > 1.005)).all()) if explicit else bool(((ratio < 0.7) | (ratio > 1.4)).all()))
    inputs = {"A": A, "tol": tol}
    expect_tensor(q, call(q, fn, **inputs), _rank(A, tol), inputs, dtype=torch.int64, device=A.device)


@question("rank_via_svd")
@FEW
@given(dtype=DTYPE, b=st.integers(2, 3), m=st.integers(2, 4), n=st.integers(2, 4), data=st.data(), seed=seeds)
def test_rank_via_svd_batch_of_mixed_scales(q, fn, dtype, b, m, n, data, seed):
    # One batch, matrices scaled by 2^-20 ... 2^20 (float32) or 2^-60 ... 2^60 (float64): each matrix has its
    # own default tolerance, relative to its own largest singular value, not the batch's.
    r = data.draw(st.integers(1, min(m, n)), label="r")
    top = 20 if dtype == torch.float32 else 60
    powers = torch.linspace(-top, top, b, dtype=torch.float64).round()
    A = low_rank((b, m, n), r, dtype, seed) * (2.0 ** powers).to(dtype).reshape(b, 1, 1)
    assume(clear_rank_gap(A))
    inputs = {"A": A, "tol": None}
    expect_tensor(q, call(q, fn, **inputs), _rank(A, None), inputs, dtype=torch.int64, device=A.device)


@question("rank_via_svd")
def test_rank_via_svd_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, lambda A, tol: torch.linalg.matrix_rank(A),
                           A=torch.empty(2, 4, 3, device="meta"), tol=None)


# ---- low_rank_approx -------------------------------------------------------------------------------
@question("low_rank_approx")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(batch=st.lists(st.integers(1, 3), max_size=1), m=st.integers(1, 5), n=st.integers(1, 5), data=st.data(),
       seed=seeds)
def test_low_rank_approx_matches_svd(q, fn, device, dtype, batch, m, n, data, seed):
    k = data.draw(st.integers(1, min(m, n)), label="k")
    A = make_tensor((*batch, m, n), dtype, seed, device)
    assume(singular_gap(A, k))
    inputs = {"A": A, "k": k}
    expect_tensor(q, call(q, fn, **inputs), low_rank_reference(A, k), inputs, dtype=dtype, device=A.device,
                  **tolerance(dtype, reduction=True))


@question("low_rank_approx")
@given(m=st.integers(2, 6), n=st.integers(2, 6), data=st.data(), seed=seeds)
def test_low_rank_approx_error_is_the_dropped_singular_values(q, fn, m, n, data, seed):
    # Eckart-Young: ||A - A_k||_F = sqrt(S[k]^2 + S[k+1]^2 + ...), and A_k has rank at most k.
    k = data.draw(st.integers(1, min(m, n)), label="k")
    A = make_tensor((m, n), torch.float64, seed)
    assume(singular_gap(A, k))
    inputs = {"A": A, "k": k}
    got = call(q, fn, **inputs)
    expect_tensor(q, got, low_rank_reference(A, k), inputs, dtype=A.dtype, device=A.device)
    S = torch.linalg.svdvals(A)
    expect_tensor(q, torch.linalg.matrix_norm(A - got), S[k:].norm(), inputs,
                  what=tr("the error ||A - A_k||_F", "误差 ||A - A_k||_F"))
    if int(torch.linalg.matrix_rank(got)) > k:
        raise CheckFailure(q, tr("the result has rank {rank}, more than k = {k}", "结果的秩是 {rank}，大于 k = {k}",
                                 rank=int(torch.linalg.matrix_rank(got)), k=k), inputs)


@question("low_rank_approx")
@FEW
@given(dtype=DTYPE, m=st.integers(3, 5), n=st.integers(3, 5), data=st.data(),
       kind=st.sampled_from(["ill-conditioned", "offset"]), how=adv.layouts(), seed=seeds)
def test_low_rank_approx_hard_matrices(q, fn, dtype, m, n, data, kind, how, seed):
    # Singular values from 1 down to 1e-4 (float32) or 1e-9 (float64), or every entry near 100: an SVD keeps
    # the small directions to about eps * S.max(), which the tolerance allows; going through A^T A squares the
    # condition number and loses them. Inputs are views of any layout.
    k = data.draw(st.integers(1, min(m, n)), label="k")
    if kind == "offset":
        A = make_tensor((m, n), dtype, seed) + 100
    else:  # drop only the smallest direction: the one A^T A loses
        A = adv.ill_conditioned(n, dtype, seed, cond=1e4 if dtype == torch.float32 else 1e9, m=m)
        k = min(m, n) - 1
    s = torch.linalg.svdvals(A.double())
    assume(k == min(m, n) or float(s[k - 1] - s[k]) > 0.2 * float(s[k - 1]))  # a unique best rank-k
    A = _laid_out(A, how)
    inputs = {"A": A, "k": k}
    expect_tensor(q, call(q, fn, **inputs), low_rank_reference(A, k), inputs, dtype=dtype, device=A.device,
                  rtol=0.0, atol=20 * torch.finfo(dtype).eps * float(s[0]))


@question("low_rank_approx")
def test_low_rank_approx_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn, lambda A, k: torch.empty_like(A),
                           A=torch.empty(2, 4, 3, device="meta"), k=2)


# ---- sse_surface -----------------------------------------------------------------------------------
@question("sse_surface")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(grid=st.lists(st.integers(1, 4), max_size=3), n=st.integers(1, 5), seed=seeds)
def test_sse_surface_matches_the_sum_of_squares(q, fn, device, dtype, grid, n, seed):
    a, b = make_tensor(tuple(grid), dtype, seed, device), make_tensor(tuple(grid), dtype, seed + 1, device)
    x, y = make_tensor((n,), dtype, seed + 2, device), make_tensor((n,), dtype, seed + 3, device)
    inputs = {"a": a, "b": b, "x": x, "y": y}
    expect_tensor(q, call(q, fn, **inputs), sse_reference(a, b, x, y), inputs, dtype=dtype, device=a.device,
                  **tolerance(dtype, reduction=True))


@question("sse_surface")
@given(n=st.integers(2, 5), steps=st.integers(2, 6), seed=seeds)
def test_sse_surface_is_smallest_at_the_least_squares_fit(q, fn, n, steps, seed):
    # Property: on a grid through the least-squares (a*, b*), the minimum sits at (a*, b*), and equals
    # the residual sum of squares of the fit.
    x, y = make_tensor((n,), torch.float64, seed), make_tensor((n,), torch.float64, seed + 1)
    assume(float(x.std()) > 0.1)
    X = torch.stack([x, torch.ones_like(x)], dim=1)
    a_star, b_star = torch.linalg.lstsq(X, y.unsqueeze(-1)).solution.squeeze(-1).tolist()
    offsets = torch.linspace(-1.0, 1.0, 2 * steps + 1, dtype=torch.float64)
    a, b = torch.meshgrid(a_star + offsets, b_star + offsets, indexing="ij")
    inputs = {"a": a, "b": b, "x": x, "y": y}
    got = call(q, fn, **inputs)
    expect_tensor(q, got, sse_reference(a, b, x, y), inputs, dtype=a.dtype, device=a.device)
    flat = int(got.argmin())
    if flat != steps * (2 * steps + 1) + steps:
        raise CheckFailure(q, tr("the smallest value is not at the least-squares fit in the middle of the grid",
                                 "最小值不在网格中央的最小二乘拟合点上"), inputs)


@question("sse_surface")
@FEW
@given(n=st.integers(2, 5), seed=seeds)
def test_sse_surface_data_far_from_zero(q, fn, n, seed):
    # x like years (2000 + ...), on a grid around the least-squares fit, in float64: expanding the square into
    # sums (sum y^2 - 2 a sum xy + ...) subtracts numbers of 1e8 to get an SSE of about 1, and loses it.
    x = adv.offset((n,), torch.float64, seed, base=2000.0, spread=10.0)
    y = 3 * x - 5900 + adv.offset((n,), torch.float64, seed + 1, base=0.0, spread=1.0)
    X = torch.stack([x, torch.ones_like(x)], dim=1)
    a0, b0 = torch.linalg.lstsq(X, y.unsqueeze(-1)).solution.squeeze(-1).tolist()
    step = torch.linspace(-0.01, 0.01, 3, dtype=torch.float64)
    a, b = torch.meshgrid(a0 + step, b0 + 20 * step, indexing="ij")
    inputs = {"a": a, "b": b, "x": x, "y": y}
    expect_tensor(q, call(q, fn, **inputs), sse_reference(a, b, x, y), inputs, dtype=a.dtype,
                  device=a.device, **tolerance(torch.float64))


@question("sse_surface")
@FEW
@given(dtype=DTYPE, grid=st.lists(st.integers(2, 3), min_size=1, max_size=2), n=st.integers(2, 4),
       how=adv.layouts(), seed=seeds)
def test_sse_surface_any_layout(q, fn, dtype, grid, n, how, seed):
    a = _laid_out(make_tensor(tuple(grid), dtype, seed), how)
    b = _laid_out(make_tensor(tuple(grid), dtype, seed + 1), how)
    x, y = _laid_out(make_tensor((n,), dtype, seed + 2), how), _laid_out(make_tensor((n,), dtype, seed + 3), how)
    inputs = {"a": a, "b": b, "x": x, "y": y}
    expect_tensor(q, call(q, fn, **inputs), sse_reference(a, b, x, y), inputs, dtype=dtype, device=a.device,
                  **tolerance(dtype, reduction=True))


@question("sse_surface")
def test_sse_surface_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda a, b, x, y: torch.empty_like(a),
                           a=torch.empty(3, 4, device="meta"), b=torch.empty(3, 4, device="meta"),
                           x=torch.empty(5, device="meta"), y=torch.empty(5, device="meta"))


# ---- normal_equation -------------------------------------------------------------------------------
@question("normal_equation")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(1, 8), data=st.data(), seed=seeds)
def test_normal_equation_matches_lstsq(q, fn, device, dtype, n, data, seed):
    d = data.draw(st.integers(1, min(n, 4)), label="d")
    X = well_conditioned((n, d), dtype, seed, device)
    assume(X is not None)
    y = make_tensor((n,), dtype, seed + 1, device)
    inputs = {"X": X, "y": y}
    expected = torch.linalg.lstsq(X.cpu().double(), y.cpu().double().unsqueeze(-1)).solution.squeeze(-1)
    expect_tensor(q, call(q, fn, **inputs), expected, inputs, dtype=dtype, device=X.device, **SOLVE_TOL[dtype])


@question("normal_equation")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(n=st.integers(2, 8), data=st.data(), seed=seeds)
def test_normal_equation_residual_is_orthogonal_to_the_columns(q, fn, dtype, n, data, seed):
    # Property: X^T (y - X w) = 0 at the least-squares solution (relative to the sizes of X and y).
    d = data.draw(st.integers(1, min(n, 4)), label="d")
    X = well_conditioned((n, d), dtype, seed)
    assume(X is not None)
    y = make_tensor((n,), dtype, seed + 1)
    inputs = {"X": X, "y": y}
    w = call(q, fn, **inputs)
    expect_tensor(q, w, torch.linalg.lstsq(X.double(), y.double().unsqueeze(-1)).solution.squeeze(-1), inputs,
                  dtype=dtype, device=X.device, **SOLVE_TOL[dtype])
    X64, y64, w64 = X.double(), y.double(), w.double()
    size = float(torch.linalg.matrix_norm(X64, 2))
    tol = SOLVE_TOL[dtype]["atol"] * size * (size * float(w64.norm()) + float(y64.norm()))
    expect_tensor(q, X64.T @ (y64 - X64 @ w64), torch.zeros(d, dtype=torch.float64), inputs,
                  what=tr("X^T (y - X w), the residual against each column of X",
                          "X^T (y - X w)，即残差与 X 每一列的内积"), rtol=0.0, atol=tol)


@question("normal_equation")
@FEW
@given(n=st.integers(3, 8), kind=st.sampled_from(["offset", "ill-conditioned"]), how=adv.layouts(), seed=seeds)
def test_normal_equation_offset_and_ill_conditioned(q, fn, n, kind, how, seed):
    # float64: a column of x near 1000 beside a column of ones (cond(X) ~ 1e4), or singular values from 1 to
    # 1e-3. The normal equation squares the condition number: the tolerance is cond(X)^2 * eps relative to w,
    # which any way of solving it meets; a wrong model (centred data, a ridge term) does not.
    if kind == "offset":
        x = adv.offset((n,), torch.float64, seed, base=1000.0, spread=5.0)
        X = torch.stack([x, torch.ones_like(x)], dim=1)
    else:
        X = adv.ill_conditioned(min(n, 3), torch.float64, seed, cond=1e3, m=n)
    X = _laid_out(X, how)
    y = X @ make_tensor((X.shape[1],), torch.float64, seed + 1) + 0.1 * make_tensor((n,), torch.float64, seed + 2)
    inputs = {"X": X, "y": y}
    w = torch.linalg.lstsq(X, y.unsqueeze(-1)).solution.squeeze(-1)
    cond = float(torch.linalg.cond(X))
    expect_tensor(q, call(q, fn, **inputs), w, inputs, dtype=X.dtype, device=X.device, rtol=0.0,
                  atol=100 * cond ** 2 * torch.finfo(torch.float64).eps * float(w.norm()))


@question("normal_equation")
def test_normal_equation_keeps_the_device(q, fn):
    expect_device_agnostic(q, fn,
                           lambda X, y: torch.linalg.solve(X.T @ X, X.T @ y),
                           X=torch.empty(6, 3, device="meta"), y=torch.empty(6, device="meta"))
