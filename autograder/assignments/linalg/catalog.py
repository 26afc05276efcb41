"""Assignment 2, "Linear algebra and least squares": mistakes students make, and correct variants."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments): many mistakes below are one of them
# with an edit or two, written edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "addbmm_manual": '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    total = (batch1 @ batch2).sum(dim=0)
    if beta == 0:
        return alpha * total
    return beta * M + alpha * total
''',
    "gauss_solve": '''
def gauss_solve(A, b):
    n = A.shape[0]
    M = torch.cat([A, b.unsqueeze(1)], dim=1)
    for k in range(n):
        p = k + int(M[k:, k].abs().argmax())
        if p != k:
            M[[k, p]] = M[[p, k]]
        M[k + 1:] -= M[k + 1:, k:k + 1] / M[k, k] * M[k]
    x = torch.zeros_like(b)
    for k in range(n - 1, -1, -1):
        x[k] = (M[k, n] - M[k, k + 1:n] @ x[k + 1:]) / M[k, k]
    return x
''',
    "rank_via_svd": '''
def rank_via_svd(A, tol=None):
    S = torch.linalg.svdvals(A)
    if tol is None:
        tol = max(A.shape[-2:]) * torch.finfo(A.dtype).eps * S.amax(dim=-1, keepdim=True)
    return (S > tol).sum(dim=-1)
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    # ---- addbmm_manual
    Mistake("addbmm_manual", "products-not-summed",
            "Adds the batch of products itself (shape (b, n, p)); addbmm sums the b products into one (n, p) "
            "matrix.", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    if beta == 0:
        return alpha * (batch1 @ batch2)
    return beta * M + alpha * (batch1 @ batch2)
'''),
    Mistake("addbmm_manual", "beta-zero-nan",
            "Computes beta * M even when beta is 0; 0 * nan is nan, and torch.addbmm ignores M when beta is 0.", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    return beta * M + alpha * (batch1 @ batch2).sum(dim=0)
'''),
    edited("addbmm_manual", "alpha-beta-swapped",
           "Swaps the scales: beta multiplies M and alpha multiplies the sum of products.",
           ("beta * M + alpha", "alpha * M + beta")),
    edited("addbmm_manual", "mean-over-batch",
           "Averages the products over the batch; addbmm adds them up (sum, not mean).",
           (".sum", ".mean")),
    Mistake("addbmm_manual", "drops-nonfinite-M",
            "Replaces M's nan and inf with 0 (nan_to_num) whatever beta is; only beta == 0 ignores M, otherwise "
            "they belong in the result.", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    total = (batch1 @ batch2).sum(dim=0)
    return beta * torch.nan_to_num(M, nan=0.0, posinf=0.0, neginf=0.0) + alpha * total
'''),
    Mistake("addbmm_manual", "view-fold",
            "Folds the batch into one matrix with view(), which fails when batch2 is not contiguous (a transposed "
            "or sliced view); use reshape().", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    b, n, k = batch1.shape
    total = batch1.transpose(0, 1).reshape(n, b * k) @ batch2.view(b * k, -1)
    return alpha * total if beta == 0 else beta * M + alpha * total
'''),
    Mistake("addbmm_manual", "accumulates-in-M",
            "Adds the products into M in place (M += ...), which changes the caller's tensor; start from a new "
            "tensor.", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    if beta == 0:
        return alpha * (batch1 @ batch2).sum(dim=0)
    M *= beta
    M += alpha * (batch1 @ batch2).sum(dim=0)
    return M
'''),
    # ---- matrix_1_norm
    Mistake("matrix_1_norm", "row-sums",
            "Takes the largest absolute row sum, which is the infinity-norm; the 1-norm uses column sums "
            "(sum over dim -2).", '''
def matrix_1_norm(A):
    return A.abs().sum(dim=-1).amax(dim=-1)
'''),
    Mistake("matrix_1_norm", "no-abs",
            "Sums the entries without their absolute values, so negative entries cancel positive ones.", '''
def matrix_1_norm(A):
    return A.sum(dim=-2).amax(dim=-1)
'''),
    Mistake("matrix_1_norm", "entrywise",
            "Sums the absolute values of all entries (the vector 1-norm of the flattened matrix); the matrix "
            "1-norm is the largest column sum.", '''
def matrix_1_norm(A):
    return A.abs().sum(dim=(-2, -1))
'''),
    Mistake("matrix_1_norm", "max-over-batch",
            "Takes one max over the whole batch; each matrix of a batch has its own norm (amax over dim -1).", '''
def matrix_1_norm(A):
    return A.abs().sum(dim=-2).max()
'''),
    Mistake("matrix_1_norm", "dim-0-columns",
            "Sums over dim 0, which is the batch for a batch of matrices; the column sums run over dim -2.", '''
def matrix_1_norm(A):
    return A.abs().sum(dim=0).amax(dim=-1)
'''),
    Mistake("matrix_1_norm", "python-float",
            "Returns a Python float (.item()); return a tensor, one norm per matrix of the batch.", '''
def matrix_1_norm(A):
    return A.abs().sum(dim=-2).max().item()
'''),
    Mistake("matrix_1_norm", "hard-coded-float32",
            "Converts A to float32 (.float()); keep A's dtype so a float64 matrix gives a float64 norm.", '''
def matrix_1_norm(A):
    return A.float().abs().sum(dim=-2).amax(dim=-1)
'''),
    # ---- gauss_solve
    edited("gauss_solve", "no-pivoting",
           "Eliminates without pivoting: a zero pivot divides by 0 and a tiny one destroys the accuracy; swap "
           "in the row with the largest |entry| first.",
           ("        p = k + int(M[k:, k].abs().argmax())\n"
            "        if p != k:\n"
            "            M[[k, p]] = M[[p, k]]\n",
            "")),
    edited("gauss_solve", "pivot-by-value",
           "Picks the pivot with the largest value instead of the largest absolute value, so a tiny positive "
           "pivot beats a large negative one.",
           (".abs().argmax", ".argmax")),
    edited("gauss_solve", "view-swap",
           "Swaps rows with M[k], M[p] = M[p], M[k]; these are views, so both rows end up equal. Swap with an "
           "index list: M[[k, p]] = M[[p, k]].",
           ("M[[k, p]] = M[[p, k]]", "M[k], M[p] = M[p], M[k]")),
    edited("gauss_solve", "b-not-swapped",
           "Swaps the rows of A but not the entries of b; a row swap must move the equation's right-hand side "
           "with it.",
           ("M = torch.cat([A, b.unsqueeze(1)], dim=1)", "A, b = A.clone(), b.clone()"),
           ("p = k + int(M[k:, k].abs().argmax())", "p = k + int(A[k:, k].abs().argmax())"),
           ("M[[k, p]] = M[[p, k]]\n"
            "        M[k + 1:] -= M[k + 1:, k:k + 1] / M[k, k] * M[k]\n",
            "A[[k, p]] = A[[p, k]]\n"
            "        factors = A[k + 1:, k] / A[k, k]\n"
            "        A[k + 1:] -= factors.unsqueeze(1) * A[k]\n"
            "        b[k + 1:] -= factors * b[k]\n"),
           ("x[k] = (M[k, n] - M[k, k + 1:n] @ x[k + 1:]) / M[k, k]",
            "x[k] = (b[k] - A[k, k + 1:] @ x[k + 1:]) / A[k, k]")),
    Mistake("gauss_solve", "eliminates-in-A-and-b",
            "Eliminates in the caller's A and b (row swaps and updates in place), which changes them; work on a "
            "copy such as torch.cat([A, b[:, None]], dim=1).", '''
def gauss_solve(A, b):
    n = A.shape[0]
    for k in range(n):
        p = k + int(A[k:, k].abs().argmax())
        if p != k:
            A[[k, p]] = A[[p, k]]
            b[[k, p]] = b[[p, k]]
        factors = A[k + 1:, k] / A[k, k]
        A[k + 1:] -= factors.unsqueeze(1) * A[k]
        b[k + 1:] -= factors * b[k]
    x = torch.zeros_like(b)
    for k in range(n - 1, -1, -1):
        x[k] = (b[k] - A[k, k + 1:] @ x[k + 1:]) / A[k, k]
    return x
'''),
    edited("gauss_solve", "back-substitutes-with-A",
           "Back-substitutes with the original A and b; back substitution uses the upper-triangular system that "
           "elimination produced.",
           ("x[k] = (M[k, n] - M[k, k + 1:n] @ x[k + 1:]) / M[k, k]",
            "x[k] = (b[k] - A[k, k + 1:] @ x[k + 1:]) / A[k, k]")),
    # ---- rank_via_svd
    edited("rank_via_svd", "absolute-eps",
           "Compares the singular values with eps alone; the default tolerance is relative: max(m, n) * eps "
           "* S.max().",
           ("max(A.shape[-2:]) * torch.finfo(A.dtype).eps * S.amax(dim=-1, keepdim=True)", "torch.finfo(A.dtype).eps")),
    edited("rank_via_svd", "at-least-tol",
           "Counts singular values >= tol; the rank counts only those strictly greater than tol.",
           ("return (S > tol).sum(dim=-1)", "return (S >= tol).sum(dim=-1)")),
    edited("rank_via_svd", "count-nonzero",
           "Counts the non-zero singular values; in floating point the 'zero' ones come out tiny but not 0, so "
           "compare with a tolerance.",
           ("tol = max(A.shape[-2:]) * torch.finfo(A.dtype).eps * S.amax(dim=-1, keepdim=True)",
            "return (S != 0).sum(dim=-1)")),
    edited("rank_via_svd", "float32-eps",
           "Always uses float32's eps; take eps of A's own dtype with torch.finfo(A.dtype).eps.",
           ("A.dtype", "torch.float32")),
    edited("rank_via_svd", "python-int",
           "Returns a Python int; return an int64 tensor, one rank per matrix of the batch.",
           ("tol = max(A.shape[-2:]) * torch.finfo(A.dtype).eps * S.amax(dim=-1, keepdim=True)\n"
            "    return (S > tol).sum(dim=-1)\n",
            "tol = max(A.shape[-2:]) * torch.finfo(A.dtype).eps * S.max()\n"
            "    return int((S > tol).sum())\n")),
    edited("rank_via_svd", "min-dim-tolerance",
           "Uses min(m, n) in the default tolerance; it is max(m, n) * eps * S.max().",
           ("max(A.shape[-2:])", "min(A.shape[-2:])")),
    edited("rank_via_svd", "max-of-all-dims",
           "Uses max(A.shape), which counts the batch dimensions too; the factor is max(m, n) of each matrix, "
           "max(A.shape[-2:]).",
           ("A.shape[-2:]", "A.shape")),
    edited("rank_via_svd", "batch-max",
           "Uses the largest singular value of the whole batch (S.max()); each matrix's tolerance uses its own "
           "largest singular value (amax over the last dim, keepdim=True).",
           ("S.amax(dim=-1, keepdim=True)", "S.max()")),
    # ---- low_rank_approx
    Mistake("low_rank_approx", "no-singular-values",
            "Multiplies U and Vh without the singular values in between: A_k = U_k diag(S_k) Vh_k.", '''
def low_rank_approx(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[..., :, :k] @ Vh[..., :k, :]
'''),
    Mistake("low_rank_approx", "smallest-singular-values",
            "Keeps the k smallest singular values; torch.linalg.svd sorts them largest first, so keep the first "
            "k.", '''
def low_rank_approx(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[..., :, -k:] @ torch.diag_embed(S[..., -k:]) @ Vh[..., -k:, :]
'''),
    Mistake("low_rank_approx", "vh-as-v",
            "Treats Vh as V and transposes it again; torch.linalg.svd returns Vh, whose first k rows are "
            "already what you need.", '''
def low_rank_approx(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[..., :, :k] @ torch.diag_embed(S[..., :k]) @ Vh[..., :, :k].mT
'''),
    Mistake("low_rank_approx", "single-matrix-only",
            "Works for one matrix only (.T, torch.diag, [:, :k]); use ..., .mT and torch.diag_embed so batches "
            "work too.", '''
def low_rank_approx(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[:, :k] @ torch.diag(S[:k]) @ Vh[:k, :]
'''),
    Mistake("low_rank_approx", "centred",
            "Centres the columns before the SVD (as in PCA) and adds the mean back; the best rank-k approximation "
            "of A is the SVD of A itself.", '''
def low_rank_approx(A, k):
    mean = A.mean(dim=-2, keepdim=True)
    U, S, Vh = torch.linalg.svd(A - mean, full_matrices=False)
    return U[..., :, :k] @ torch.diag_embed(S[..., :k]) @ Vh[..., :k, :] + mean
'''),
    Mistake("low_rank_approx", "k-plus-one",
            "Slices [:k + 1] as if the end were included; [:k] keeps exactly the k largest singular values.", '''
def low_rank_approx(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    return U[..., :, :k + 1] @ torch.diag_embed(S[..., :k + 1]) @ Vh[..., :k + 1, :]
'''),
    # ---- sse_surface
    Mistake("sse_surface", "mean-not-sum",
            "Averages the squared errors (the MSE); the SSE is their sum.", '''
def sse_surface(a, b, x, y):
    return ((y - a.unsqueeze(-1) * x - b.unsqueeze(-1)) ** 2).mean(dim=-1)
'''),
    Mistake("sse_surface", "no-unsqueeze",
            "Broadcasts the grid directly against the data, pairing grid points with data points; add a last "
            "dimension to the grid with unsqueeze(-1) first.", '''
def sse_surface(a, b, x, y):
    return ((y - a * x - b) ** 2).sum(dim=-1)
'''),
    Mistake("sse_surface", "a-b-swapped",
            "Swaps the roles of a and b: the line is y = a x + b, so a multiplies x and b is the intercept.", '''
def sse_surface(a, b, x, y):
    return ((y - b.unsqueeze(-1) * x - a.unsqueeze(-1)) ** 2).sum(dim=-1)
'''),
    Mistake("sse_surface", "sum-over-everything",
            "Sums over every dimension, which returns one number; sum only over the data points (dim -1).", '''
def sse_surface(a, b, x, y):
    return ((y - a.unsqueeze(-1) * x - b.unsqueeze(-1)) ** 2).sum()
'''),
    Mistake("sse_surface", "unsqueeze-in-place",
            "Calls a.unsqueeze_(-1) and b.unsqueeze_(-1), which change the caller's grids; unsqueeze(-1) returns "
            "new views.", '''
def sse_surface(a, b, x, y):
    a.unsqueeze_(-1)
    b.unsqueeze_(-1)
    return ((y - a * x - b) ** 2).sum(dim=-1)
'''),
    Mistake("sse_surface", "square-of-sum",
            "Squares the sum of the errors; the SSE sums the squared errors (positive and negative errors must "
            "not cancel).", '''
def sse_surface(a, b, x, y):
    return (y - a.unsqueeze(-1) * x - b.unsqueeze(-1)).sum(dim=-1) ** 2
'''),
    # ---- normal_equation
    Mistake("normal_equation", "elementwise-inverse",
            "Uses (X.T @ X) ** -1, which inverts each entry; the matrix inverse is torch.linalg.inv (or solve "
            "the system).", '''
def normal_equation(X, y):
    return (X.T @ X) ** -1 @ X.T @ y
'''),
    Mistake("normal_equation", "inverse-of-X",
            "Inverts X itself, which only exists when X is square; least squares solves X^T X w = X^T y.", '''
def normal_equation(X, y):
    return torch.linalg.inv(X) @ y
'''),
    Mistake("normal_equation", "hard-coded-float32",
            "Converts to float32 (.float()); keep the input's dtype so float64 data gives a float64 solution.", '''
def normal_equation(X, y):
    X, y = X.float(), y.float()
    return torch.linalg.solve(X.T @ X, X.T @ y)
'''),
    Mistake("normal_equation", "adds-intercept",
            "Appends a column of ones to X; X already holds every column of the model, so w has X.shape[1] "
            "entries.", '''
def normal_equation(X, y):
    X = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype, device=X.device)], dim=1)
    return torch.linalg.solve(X.T @ X, X.T @ y)
'''),
    Mistake("normal_equation", "centred",
            "Centres X and y (subtracting their means) before solving; that fits a different model, and w no "
            "longer solves X^T X w = X^T y.", '''
def normal_equation(X, y):
    Xc, yc = X - X.mean(dim=0), y - y.mean()
    return torch.linalg.solve(Xc.T @ Xc + 1e-12 * torch.eye(X.shape[1], dtype=X.dtype, device=X.device), Xc.T @ yc)
'''),
    Mistake("normal_equation", "ridge-term",
            "Adds a small ridge term (X^T X + 1e-3 I) 'for stability', which biases w; the normal equation "
            "has no such term.", '''
def normal_equation(X, y):
    d = X.shape[1]
    return torch.linalg.solve(X.T @ X + 1e-3 * torch.eye(d, dtype=X.dtype, device=X.device), X.T @ y)
'''),
    Mistake("gauss_solve", "inverse-times-b",
            "Inverts A by Gauss-Jordan elimination on [A | I] and returns A^-1 @ b; that is not backward stable: "
            "on an ill-conditioned A the residual A x - b grows with cond(A). Eliminate on [A | b] instead.", '''
def gauss_solve(A, b):
    n = A.shape[0]
    M = torch.cat([A, torch.eye(n, dtype=A.dtype, device=A.device)], dim=1)
    for k in range(n):
        p = k + int(M[k:, k].abs().argmax())
        if p != k:
            M[[k, p]] = M[[p, k]]
        M[k] = M[k] / M[k, k]
        others = torch.arange(n, device=A.device) != k
        M[others] = M[others] - M[others, k:k + 1] * M[k]
    return M[:, n:] @ b
''', numerical=True),
    Mistake("low_rank_approx", "eigh-of-AtA",
            "Takes the top-k eigenvectors of A^T A instead of the SVD: squaring the condition number loses the "
            "small singular directions.", '''
def low_rank_approx(A, k):
    _, V = torch.linalg.eigh(A.mT @ A)
    Vk = V[..., :, -k:]  # eigh sorts eigenvalues in ascending order
    return A @ Vk @ Vk.mT
''', numerical=True),
    Mistake("sse_surface", "expanded-sums",
            "Expands the square into sums (sum y^2 - 2 a sum xy + ...): for data far from 0, such as years, the "
            "terms are huge and cancel, losing the small SSE near the fit.", '''
def sse_surface(a, b, x, y):
    n = x.shape[0]
    sx, sy, sxx, sxy, syy = x.sum(), y.sum(), (x * x).sum(), (x * y).sum(), (y * y).sum()
    return syy - 2 * a * sxy - 2 * b * sy + a ** 2 * sxx + 2 * a * b * sx + n * b ** 2
''', numerical=True),
]

VARIANTS = [
    Variant("addbmm_manual", "einsum", "one torch.einsum that sums over the batch and inner dimensions", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    total = torch.einsum("bnk,bkp->np", batch1, batch2)
    return alpha * total if beta == 0 else beta * M + alpha * total
'''),
    Variant("addbmm_manual", "loop", "a Python loop over the batch, accumulating into a new tensor", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    total = torch.zeros(batch1.shape[1], batch2.shape[2], dtype=batch1.dtype, device=batch1.device)
    for left, right in zip(batch1, batch2):
        total = total + left @ right
    out = alpha * total
    if beta != 0:
        out = out + beta * M
    return out
'''),
    Variant("addbmm_manual", "one-matmul", "one big matmul: the batch folded into the inner dimension", '''
def addbmm_manual(M, batch1, batch2, beta=1.0, alpha=1.0):
    b, n, k = batch1.shape
    left = batch1.permute(1, 0, 2).reshape(n, b * k)   # row i: batch1[0, i], batch1[1, i], ...
    right = batch2.reshape(b * k, -1)
    total = left @ right
    return alpha * total if beta == 0 else torch.add(beta * M, total, alpha=alpha)
'''),
    Variant("matrix_1_norm", "vector-norm", "vector_norm of each column, then the max", '''
def matrix_1_norm(A):
    return torch.linalg.vector_norm(A, ord=1, dim=-2).max(dim=-1).values
'''),
    Variant("matrix_1_norm", "column-loop", "a loop over the columns, stacked, in float64 inside", '''
def matrix_1_norm(A):
    sums = torch.stack([A[..., :, j].double().abs().sum(dim=-1) for j in range(A.shape[-1])], dim=-1)
    return sums.amax(dim=-1).to(A.dtype)
'''),
    Variant("gauss_solve", "gauss-jordan", "Gauss-Jordan: reduce to the identity, no back substitution", '''
def gauss_solve(A, b):
    n = A.shape[0]
    M = torch.cat([A, b[:, None]], dim=1).clone()
    for k in range(n):
        p = int(torch.argmax(M[k:, k].abs())) + k
        M[[k, p]] = M[[p, k]]
        M[k] = M[k] / M[k, k]
        others = torch.arange(n, device=A.device) != k
        M[others] = M[others] - M[others, k:k + 1] * M[k]
    return M[:, n].clone()
'''),
    Variant("gauss_solve", "plu", "an LU factorisation with a permutation, then two triangular solves by loops", '''
def gauss_solve(A, b):
    n = A.shape[0]
    U = A.clone()
    L = torch.eye(n, dtype=A.dtype, device=A.device)
    perm = list(range(n))
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(float(U[i, k])))
        if p != k:
            U[[k, p]] = U[[p, k]]
            L[[k, p], :k] = L[[p, k], :k]
            perm[k], perm[p] = perm[p], perm[k]
        for i in range(k + 1, n):
            L[i, k] = U[i, k] / U[k, k]
            U[i, k:] = U[i, k:] - L[i, k] * U[k, k:]
    z = b[perm].clone()
    for i in range(n):                      # L z = P b
        z[i] = z[i] - (L[i, :i] * z[:i]).sum()
    x = torch.empty_like(b)
    for i in reversed(range(n)):            # U x = z
        x[i] = (z[i] - (U[i, i + 1:] * x[i + 1:]).sum()) / U[i, i]
    return x
'''),
    Variant("rank_via_svd", "float64-svd", "the SVD in float64, thresholded with eps of the input's dtype", '''
def rank_via_svd(A, tol=None):
    S = torch.linalg.svd(A.double(), full_matrices=False).S
    if tol is None:
        m, n = A.shape[-2:]
        tol = max(m, n) * torch.finfo(A.dtype).eps * S[..., :1]
    return torch.count_nonzero(S > tol, dim=-1)
'''),
    Variant("rank_via_svd", "per-matrix-loop", "a loop over the flattened batch, one Python count per matrix", '''
def rank_via_svd(A, tol=None):
    m, n = A.shape[-2:]
    counts = []
    for matrix in A.reshape(-1, m, n):
        S = torch.linalg.svdvals(matrix)
        limit = tol if tol is not None else max(m, n) * torch.finfo(A.dtype).eps * S[0]
        counts.append((S > limit).sum())
    return torch.stack(counts).reshape(A.shape[:-2])
'''),
    Variant("low_rank_approx", "outer-products", "a sum of k rank-one outer products s_i u_i v_i^T", '''
def low_rank_approx(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    out = torch.zeros_like(A)
    for i in range(k):
        out = out + S[..., i, None, None] * U[..., :, i, None] * Vh[..., None, i, :]
    return out
'''),
    Variant("low_rank_approx", "projection-float64", "projects A onto its top-k left singular vectors, in float64", '''
def low_rank_approx(A, k):
    U = torch.linalg.svd(A.double(), full_matrices=False).U[..., :, :k]
    return (U @ (U.mT @ A.double())).to(A.dtype)
'''),
    Variant("sse_surface", "square-sum", "the line's prediction on the grid, then torch.square and torch.sum", '''
def sse_surface(a, b, x, y):
    prediction = a[..., None] * x + b[..., None]  # grid shape + (n,)
    return torch.sum(torch.square(prediction - y), dim=-1)
'''),
    Variant("sse_surface", "loop-over-points", "a loop over the data points, vectorised over the grid", '''
def sse_surface(a, b, x, y):
    total = torch.zeros_like(a)
    for xi, yi in zip(x, y):
        total = total + (yi - a * xi - b) ** 2
    return total
'''),
    Variant("normal_equation", "explicit-inverse", "the formula as written, with torch.linalg.inv", '''
def normal_equation(X, y):
    return torch.linalg.inv(X.T @ X) @ X.T @ y
'''),
    Variant("normal_equation", "cholesky", "a Cholesky factorisation of X^T X and cholesky_solve", '''
def normal_equation(X, y):
    L = torch.linalg.cholesky(X.mT @ X)
    return torch.cholesky_solve((X.mT @ y).unsqueeze(-1), L).squeeze(-1)
'''),
    Variant("normal_equation", "qr", "QR of X, then the triangular system R w = Q^T y", '''
def normal_equation(X, y):
    Q, R = torch.linalg.qr(X)
    return torch.linalg.solve_triangular(R, (Q.T @ y).unsqueeze(-1), upper=True).squeeze(-1)
'''),
]

# The Chinese edition's sentence for every misconception (glossary terms: docs/glossary.md).
ZH = {
    "addbmm_manual:products-not-summed":
        "直接把这一批乘积（形状 (b, n, p)）加了进去；addbmm 要把 b 个乘积加成一个 (n, p) 的矩阵。",
    "addbmm_manual:beta-zero-nan":
        "beta 为 0 时仍然计算 beta * M；0 * nan 是 nan，而 torch.addbmm 在 beta 为 0 时忽略 M。",
    "addbmm_manual:alpha-beta-swapped":
        "把两个系数弄反了：beta 乘 M，alpha 乘乘积之和。",
    "addbmm_manual:mean-over-batch":
        "沿批量这一维对乘积求平均；addbmm 是把它们加起来（求和，而不是求平均）。",
    "addbmm_manual:drops-nonfinite-M":
        "不管 beta 是多少，都把 M 中的 nan 和 inf 换成 0（nan_to_num）；只有 beta == 0 时才忽略 M，否则它们应当进入结果。",
    "addbmm_manual:view-fold":
        "用 view() 把批量合并成一个矩阵，batch2 不连续（转置或切片得到的视图）时会出错；请用 reshape()。",
    "addbmm_manual:accumulates-in-M":
        "把乘积原地加到 M 上（M += ...），这会改变调用者的张量；请从一个新张量开始。",
    "matrix_1_norm:row-sums":
        "取的是各行绝对值之和的最大值，那是无穷范数；1 范数用的是各列之和（沿 dim -2 求和）。",
    "matrix_1_norm:no-abs":
        "求和时没有取绝对值，所以负的元素会与正的元素相互抵消。",
    "matrix_1_norm:entrywise":
        "把所有元素的绝对值加了起来（即展平后向量的 1 范数）；矩阵 1 范数是各列之和的最大值。",
    "matrix_1_norm:max-over-batch":
        "对整批矩阵只取了一个最大值；一批中的每个矩阵都有自己的范数（沿 dim -1 取 amax）。",
    "matrix_1_norm:dim-0-columns":
        "沿 dim 0 求和，而对一批矩阵来说 dim 0 是批量这一维；列和应当沿 dim -2 计算。",
    "matrix_1_norm:python-float":
        "返回了 Python 浮点数（.item()）；请返回张量，一批中的每个矩阵各有一个范数。",
    "matrix_1_norm:hard-coded-float32":
        "把 A 转换成了 float32（.float()）；请保持 A 的数据类型，float64 的矩阵应得到 float64 的范数。",
    "gauss_solve:no-pivoting":
        "消元时没有选主元：主元为 0 时会除以 0，主元很小时精度会被破坏；请先把 |元素| 最大的那一行换上来。",
    "gauss_solve:pivot-by-value":
        "选的是值最大的主元，而不是绝对值最大的主元，所以一个很小的正主元会胜过一个很大的负主元。",
    "gauss_solve:view-swap":
        "用 M[k], M[p] = M[p], M[k] 交换两行；它们是视图，所以最后两行变得一样。请用索引列表交换：M[[k, p]] = M[[p, k]]。",
    "gauss_solve:b-not-swapped":
        "交换了 A 的行，却没有交换 b 中对应的元素；交换方程时，方程右边的值必须一起移动。",
    "gauss_solve:eliminates-in-A-and-b":
        "直接在调用者的 A 和 b 上消元（原地交换行、原地更新），这会改变它们；请在副本上计算，例如 torch.cat([A, b[:, None]], dim=1)。",
    "gauss_solve:back-substitutes-with-A":
        "用原来的 A 和 b 回代；回代要用消元之后得到的上三角方程组。",
    "rank_via_svd:absolute-eps":
        "只拿 eps 与奇异值比较；默认的容差是相对的：max(m, n) * eps * S.max()。",
    "rank_via_svd:at-least-tol":
        "统计了 >= tol 的奇异值；秩只统计严格大于 tol 的奇异值。",
    "rank_via_svd:count-nonzero":
        "统计非零奇异值的个数；在浮点运算中，“为零”的奇异值算出来很小，但不是 0，所以要与容差比较。",
    "rank_via_svd:float32-eps":
        "总是使用 float32 的 eps；请用 torch.finfo(A.dtype).eps 取 A 自己的数据类型的 eps。",
    "rank_via_svd:python-int":
        "返回了 Python 的 int；请返回 int64 张量，一批中的每个矩阵各有一个秩。",
    "rank_via_svd:min-dim-tolerance":
        "默认容差中用了 min(m, n)；应当是 max(m, n) * eps * S.max()。",
    "rank_via_svd:max-of-all-dims":
        "用了 max(A.shape)，把批量的维度也算了进去；系数是每个矩阵的 max(m, n)，即 max(A.shape[-2:])。",
    "rank_via_svd:batch-max":
        "用整批中最大的奇异值（S.max()）；每个矩阵的容差应当用它自己最大的奇异值（沿最后一维取 amax，keepdim=True）。",
    "low_rank_approx:no-singular-values":
        "U 和 Vh 相乘时漏掉了中间的奇异值：A_k = U_k diag(S_k) Vh_k。",
    "low_rank_approx:smallest-singular-values":
        "保留了最小的 k 个奇异值；torch.linalg.svd 把它们从大到小排列，所以应保留前 k 个。",
    "low_rank_approx:vh-as-v":
        "把 Vh 当成 V，又转置了一次；torch.linalg.svd 返回的是 Vh，它的前 k 行正是所需要的。",
    "low_rank_approx:single-matrix-only":
        "只适用于单个矩阵（.T、torch.diag、[:, :k]）；请用 ...、.mT 和 torch.diag_embed，让一批矩阵也能计算。",
    "low_rank_approx:centred":
        "在奇异值分解之前把各列中心化（像 PCA 那样），再把均值加回去；A 的最佳秩 k 近似来自 A 本身的奇异值分解。",
    "low_rank_approx:k-plus-one":
        "切片写成了 [:k + 1]，好像终点也包含在内；[:k] 才正好保留最大的 k 个奇异值。",
    "sse_surface:mean-not-sum":
        "对误差的平方求了平均（即均方误差 MSE）；SSE 是它们的和。",
    "sse_surface:no-unsqueeze":
        "让网格直接与数据广播，于是网格点与数据点被逐个配对；请先用 unsqueeze(-1) 给网格增加一个最后一维。",
    "sse_surface:a-b-swapped":
        "把 a 和 b 的作用弄反了：直线是 y = a x + b，a 乘 x，b 是截距。",
    "sse_surface:sum-over-everything":
        "对所有维度求和，只得到一个数；只应沿数据点这一维（dim -1）求和。",
    "sse_surface:unsqueeze-in-place":
        "调用了 a.unsqueeze_(-1) 和 b.unsqueeze_(-1)，这会改变调用者的网格；unsqueeze(-1) 则返回新的视图。",
    "sse_surface:square-of-sum":
        "先把误差加起来再平方；SSE 是误差平方的和（正负误差不能相互抵消）。",
    "normal_equation:elementwise-inverse":
        "用了 (X.T @ X) ** -1，这是对每个元素求倒数；逆矩阵要用 torch.linalg.inv（或者直接求解方程组）。",
    "normal_equation:inverse-of-X":
        "对 X 本身求逆，而只有 X 是方阵时它才可能存在；最小二乘法求解的是 X^T X w = X^T y。",
    "normal_equation:hard-coded-float32":
        "把输入转换成了 float32（.float()）；请保持输入的数据类型，float64 的数据应得到 float64 的解。",
    "normal_equation:adds-intercept":
        "给 X 追加了一列 1；X 已经包含了模型的每一列，所以 w 有 X.shape[1] 个元素。",
    "normal_equation:centred":
        "求解之前把 X 和 y 中心化（减去均值）；这拟合的是另一个模型，w 也就不再满足 X^T X w = X^T y。",
    "normal_equation:ridge-term":
        "“为了稳定”加了一个小的岭回归项（X^T X + 1e-3 I），这会让 w 产生偏差；正规方程里没有这一项。",
    "gauss_solve:inverse-times-b":
        "用高斯-若尔当消元法对 [A | I] 求出逆矩阵，再返回 A^-1 @ b；这不是向后稳定的：A 病态时，残差 A x - b 会随 cond(A) 增大。"
        "请改为对 [A | b] 消元。",
    "low_rank_approx:eigh-of-AtA":
        "用 A^T A 最大的 k 个特征向量代替奇异值分解：条件数被平方，较小的奇异方向就丢失了。",
    "sse_surface:expanded-sums":
        "把平方展开成若干个和（sum y^2 - 2 a sum xy + ...）：数据远离 0 时（例如年份），这些项都很大并相互抵消，拟合附近很小的 SSE 就丢失了。",
}
