"""Numba kernels of the solvers.

Two layers:

* *leaf* kernels (``_csr_matmat``, ``_prox_gradient_step``, ...) do array arithmetic only;
* *driver* kernels (``_forward``, ``_adjoint``, ``_gradient``, ``_duality_gap``,
  ``_proximal_gradient``, ``_iht_loop``) sequence leaf kernels and products with the design
  matrix. Every array holds one column per right-hand side: ``X`` is ``(n_features, n_targets)``.

The operator travels as a tuple ``op = (kind, transposed, M, indptr, indices, data)``
(see :meth:`sparserecover.operators.Operator.kernel_args`), so one compiled loop serves dense,
CSR/CSC and Gram-matrix problems of a given dtype. For a ``LinearOperator`` (whose products are
Python calls) :func:`python_drivers` rebuilds the same driver functions from their Python source
with Python products: the iteration is written once and runs either fully compiled or as a
Python loop over compiled leaf kernels.

Reductions (objective, duality gap) accumulate in float64 also for float32 data.
"""

import types

import numpy as np

from .._jit import njit
from ..operators import DENSE, GRAM, LINEAR_OPERATOR, SPARSE  # noqa: F401

# ---------------------------------------------------------------------------- products


@njit(cache=True)
def _csr_matvec(indptr, indices, data, x, out):
    """out = M @ x for M in CSR form and 1-D x (a gather per row)."""
    for i in range(indptr.shape[0] - 1):
        acc = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            acc += data[jj] * x[indices[jj]]
        out[i] = acc


@njit(cache=True)
def _csr_rmatvec(indptr, indices, data, r, out):
    """out = M.T @ r for M in CSR form and 1-D r (a scatter per row)."""
    out[:] = 0.0
    for i in range(indptr.shape[0] - 1):
        r_i = r[i]
        for jj in range(indptr[i], indptr[i + 1]):
            out[indices[jj]] += data[jj] * r_i


@njit(cache=True)
def _csr_matmat(indptr, indices, data, X, out):
    """out = M @ X for M in CSR form (1-D views for one column: 20-40 % faster)."""
    m = X.shape[1]
    if m == 1:
        _csr_matvec(indptr, indices, data, X.reshape(X.shape[0]), out.reshape(out.shape[0]))
        return
    for i in range(indptr.shape[0] - 1):
        for k in range(m):
            out[i, k] = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            value = data[jj]
            j = indices[jj]
            for k in range(m):
                out[i, k] += value * X[j, k]


@njit(cache=True)
def _csr_rmatmat(indptr, indices, data, R, out):
    """out = M.T @ R for M in CSR form."""
    m = R.shape[1]
    if m == 1:
        _csr_rmatvec(indptr, indices, data, R.reshape(R.shape[0]), out.reshape(out.shape[0]))
        return
    out[:] = 0.0
    for i in range(indptr.shape[0] - 1):
        for jj in range(indptr[i], indptr[i + 1]):
            value = data[jj]
            j = indices[jj]
            for k in range(m):
                out[j, k] += value * R[i, k]


@njit(cache=True)
def _dense_product(M, transpose, X, out):
    """out = M @ X or M.T @ X through BLAS (gemv for one column, gemm otherwise)."""
    if X.shape[1] == 1:
        x = X.reshape(X.shape[0])
        o = out.reshape(out.shape[0])
        if transpose:
            np.dot(M.T, x, o)
        else:
            np.dot(M, x, o)
    elif transpose:
        np.dot(M.T, X, out)
    else:
        np.dot(M, X, out)


@njit(cache=True)
def _forward(op, X, out):
    """out = A @ X, or G @ X for a Gram-matrix problem."""
    kind, transposed, M, indptr, indices, data = op
    if kind == SPARSE:
        if transposed:
            _csr_rmatmat(indptr, indices, data, X, out)
        else:
            _csr_matmat(indptr, indices, data, X, out)
    else:
        _dense_product(M, transposed, X, out)


@njit(cache=True)
def _adjoint(op, R, out):
    """out = A.T @ R (G is symmetric, so a Gram problem never needs it)."""
    kind, transposed, M, indptr, indices, data = op
    if kind == SPARSE:
        if transposed:
            _csr_matmat(indptr, indices, data, R, out)
        else:
            _csr_rmatmat(indptr, indices, data, R, out)
    else:
        _dense_product(M, not transposed, R, out)


# ---------------------------------------------------------------------------- fused gradient
#
# FISTA's gradient A.T (A z - b) as one pass over A. Row by row, r_i = A[i, :] @ z - b_i and
# g += r_i A[i, :] need row i only: a C-ordered (or CSR) A is read from memory once per
# iteration instead of twice (once per BLAS product), and the second use of each row hits the
# cache. Rows go in blocks of eight, so that z and g are loaded once per eight rows.
# Measured (one thread, interleaved runs) as a ratio to numpy's A @ z plus A.T @ r, on
# 500 x 5000 and 5000 x 500: 0.59-0.60x in float64 (blocks of four: 0.71-0.78x) and
# 0.74-0.93x in float32 (blocks of four: 1.04-1.06x); 0.75-0.9x on a 2000 x 20000 CSR matrix.
# For a few columns (2-D y) the same pass serves every column: 0.19-0.92x of numpy's two
# matrix products at 2 to 8 columns, where the same products through Numba (scipy's BLAS)
# take 0.89-1.54x; at 16 columns float32 gemm catches up (1.5x both), so beyond 8 columns the
# loop uses the matrix products.
#
# The dot products are compiled with the reassociation flag: it lets LLVM split the sum into
# SIMD partial sums (as BLAS does), and the rounding bound |error| <= gamma_p sum_j |a_j z_j|
# holds for any summation order (Higham, Accuracy and Stability of Numerical Algorithms,
# 2002, Sec. 3.1). 'contract' allows fused multiply-adds, which only remove roundings. No
# other fast-math flag: no assumption that values are finite.

_FUSED_MAX_TARGETS = 8
_REASSOCIATE = {"reassoc", "contract"}


@njit(fastmath=_REASSOCIATE, cache=True)
def _dot_rows8(M, i, z):
    """(M[i] @ z, ..., M[i + 7] @ z), sharing the loads of z."""
    a0, a1, a2, a3 = M[i], M[i + 1], M[i + 2], M[i + 3]
    a4, a5, a6, a7 = M[i + 4], M[i + 5], M[i + 6], M[i + 7]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = z.dtype.type(0)  # float32 sums stay SIMD-wide
    for j in range(z.shape[0]):
        zj = z[j]
        s0 += a0[j] * zj
        s1 += a1[j] * zj
        s2 += a2[j] * zj
        s3 += a3[j] * zj
        s4 += a4[j] * zj
        s5 += a5[j] * zj
        s6 += a6[j] * zj
        s7 += a7[j] * zj
    return s0, s1, s2, s3, s4, s5, s6, s7


@njit(fastmath=_REASSOCIATE, cache=True)
def _dot_row(a, z):
    s = z.dtype.type(0)
    for j in range(z.shape[0]):
        s += a[j] * z[j]
    return s


@njit(fastmath={"contract"}, cache=True)
def _add_rows8(M, i, c, g):
    """g += c[0] M[i] + ... + c[7] M[i + 7] (a fixed order: no reassociation needed)."""
    a0, a1, a2, a3 = M[i], M[i + 1], M[i + 2], M[i + 3]
    a4, a5, a6, a7 = M[i + 4], M[i + 5], M[i + 6], M[i + 7]
    c0, c1, c2, c3, c4, c5, c6, c7 = c
    for j in range(g.shape[0]):
        g[j] += ((c0 * a0[j] + c1 * a1[j] + c2 * a2[j] + c3 * a3[j])
                 + (c4 * a4[j] + c5 * a5[j] + c6 * a6[j] + c7 * a7[j]))


@njit(fastmath={"contract"}, cache=True)
def _add_row(a, c, g):
    for j in range(g.shape[0]):
        g[j] += c * a[j]


@njit(cache=True)
def _dense_rows_gradient(M, Zt, B, Rt, Gt):
    """Rt[k] = A Zt[k] - B[:, k] and Gt[k] = A.T Rt[k] for A = M (C-ordered), one pass over A.

    ``Zt``, ``Rt`` and ``Gt`` hold one column per row (contiguous for the inner loops).
    """
    n = M.shape[0]
    m = Zt.shape[0]
    Gt[:] = 0.0
    n8 = n - n % 8
    for i in range(0, n8, 8):
        for k in range(m):
            s = _dot_rows8(M, i, Zt[k])
            r = (s[0] - B[i, k], s[1] - B[i + 1, k], s[2] - B[i + 2, k], s[3] - B[i + 3, k],
                 s[4] - B[i + 4, k], s[5] - B[i + 5, k], s[6] - B[i + 6, k], s[7] - B[i + 7, k])
            for q in range(8):
                Rt[k, i + q] = r[q]
            _add_rows8(M, i, r, Gt[k])
    for i in range(n8, n):
        for k in range(m):
            r_i = _dot_row(M[i], Zt[k]) - B[i, k]
            Rt[k, i] = r_i
            _add_row(M[i], r_i, Gt[k])


@njit(cache=True)
def _dense_columns_gradient(M, Zt, B, Rt, Gt):
    """The same for A = M.T (a Fortran-ordered A): column j of A is row j of M.

    A.T r needs all of r = A z - b, so this takes two passes (r as a sum of rows of M, then one
    dot product per row), with the same blocked loops. Measured against numpy's BLAS on the
    Fortran-ordered matrix (one column): 0.80-0.89x in float64 and 0.90-1.11x in float32 on
    500 x 5000 and 5000 x 500, where the products through Numba (scipy's OpenBLAS) take
    1.02-1.22x and 0.97-0.98x. A C-ordered copy would allow the one-pass loop at the price of
    a second copy of A in memory; it is not made.
    """
    p, n = M.shape
    m = Zt.shape[0]
    p8 = p - p % 8
    for k in range(m):
        z, r, g = Zt[k], Rt[k], Gt[k]
        for i in range(n):
            r[i] = -B[i, k]
        for j in range(0, p8, 8):
            c = (z[j], z[j + 1], z[j + 2], z[j + 3], z[j + 4], z[j + 5], z[j + 6], z[j + 7])
            _add_rows8(M, j, c, r)
        for j in range(p8, p):
            _add_row(M[j], z[j], r)
        for j in range(0, p8, 8):
            s = _dot_rows8(M, j, r)
            for q in range(8):
                g[j + q] = s[q]
        for j in range(p8, p):
            g[j] = _dot_row(M[j], r)


@njit(fastmath=_REASSOCIATE, cache=True)
def _csr_rows_gradient(indptr, indices, data, Z, B, R, G):
    """R = A Z - B and G = A.T R for A in CSR form, one pass over its nonzeros.

    Reassociation vectorizes the row sums (AVX-512 gathers where available): 8-20 % faster
    than the scalar loop on 2000 x 20000 at 1 % density, same process, interleaved runs.
    """
    G[:] = 0.0
    m = Z.shape[1]
    if m == 1:
        z, g = Z.reshape(Z.shape[0]), G.reshape(G.shape[0])
        for i in range(indptr.shape[0] - 1):
            start, stop = indptr[i], indptr[i + 1]
            acc = z.dtype.type(0)
            for jj in range(start, stop):
                acc += data[jj] * z[indices[jj]]
            r_i = acc - B[i, 0]
            R[i, 0] = r_i
            for jj in range(start, stop):
                g[indices[jj]] += data[jj] * r_i
        return
    for i in range(indptr.shape[0] - 1):
        start, stop = indptr[i], indptr[i + 1]
        r = R[i]
        for k in range(m):
            r[k] = -B[i, k]
        for jj in range(start, stop):
            value = data[jj]
            z = Z[indices[jj]]
            for k in range(m):
                r[k] += value * z[k]
        for jj in range(start, stop):
            value = data[jj]
            g = G[indices[jj]]
            for k in range(m):
                g[k] += value * r[k]


@njit(cache=True)
def _fusable(op, n_targets):
    """Whether :func:`_residual_gradient` applies: dense with few columns, or CSR."""
    kind, transposed = op[0], op[1]
    if kind == DENSE:
        return n_targets <= _FUSED_MAX_TARGETS
    return kind == SPARSE and not transposed


@njit(cache=True)
def _residual_gradient(op, target, Z, resid, out):
    """resid = A Z - b and out = A.T resid, in one pass over A (see the notes above).

    For a direct problem whose operator ``_fusable`` accepts.
    """
    kind, transposed, M, indptr, indices, data = op
    if kind == SPARSE:
        _csr_rows_gradient(indptr, indices, data, Z, target, resid, out)
        return
    p, m = Z.shape
    n = target.shape[0]
    if m == 1:  # (p, 1) and (1, p) views of the same memory: no copies
        Zt, Rt, Gt = Z.reshape(1, p), resid.reshape(1, n), out.reshape(1, p)
    else:
        Zt, Rt, Gt = np.ascontiguousarray(Z.T), np.empty((m, n), Z.dtype), np.empty((m, p), Z.dtype)
    if transposed:
        _dense_columns_gradient(M, Zt, target, Rt, Gt)
    else:
        _dense_rows_gradient(M, Zt, target, Rt, Gt)
    if m > 1:
        for k in range(m):
            for i in range(n):
                resid[i, k] = Rt[k, i]
            for j in range(p):
                out[j, k] = Gt[k, j]


# ---------------------------------------------------------------------------- leaf kernels


@njit(cache=True)
def _solve_psd(G, b):
    """Solve G z = b for a small symmetric positive semidefinite G, by Cholesky.

    A relative diagonal shift of 1e-12 (and a floor on the pivots) keeps a singular G, from
    collinear columns, solvable: z is then a least-squares solution up to that shift. Plain
    loops instead of LAPACK: the sizes are small (supports, unpenalized sets) and LAPACK's
    lstsq/solve wrappers cost seconds of compile time.
    """
    k = b.shape[0]
    scale = 0.0
    for j in range(k):
        scale = max(scale, G[j, j])
    shift = 1e-12 * scale if scale > 0.0 else 1e-300
    L = np.zeros((k, k))
    for j in range(k):
        acc = G[j, j] + shift
        for q in range(j):
            acc -= L[j, q] * L[j, q]
        L[j, j] = np.sqrt(max(acc, shift))
        for i in range(j + 1, k):
            acc = G[i, j]
            for q in range(j):
                acc -= L[i, q] * L[j, q]
            L[i, j] = acc / L[j, j]
    z = np.empty(k)
    for i in range(k):  # L w = b
        acc = b[i]
        for q in range(i):
            acc -= L[i, q] * z[q]
        z[i] = acc / L[i, i]
    for i in range(k - 1, -1, -1):  # L.T z = w
        acc = z[i]
        for q in range(i + 1, k):
            acc -= L[q, i] * z[q]
        z[i] = acc / L[i, i]
    return z



@njit(cache=True)
def _subtract(a, b, out):
    for i in range(a.shape[0]):
        for k in range(a.shape[1]):
            out[i, k] = a[i, k] - b[i, k]


@njit(cache=True)
def _column_dots(a, b, out):
    """out[k] = sum_i a[i, k] * b[i, k], accumulated in float64."""
    out[:] = 0.0
    for i in range(a.shape[0]):
        for k in range(a.shape[1]):
            out[k] += np.float64(a[i, k]) * np.float64(b[i, k])


@njit(cache=True)
def _column_diff_dots(a1, a2, b1, b2, out):
    """out[k] = sum_i (a1 - a2)[i, k] * (b1 - b2)[i, k], accumulated in float64."""
    out[:] = 0.0
    for i in range(a1.shape[0]):
        for k in range(a1.shape[1]):
            out[k] += (np.float64(a1[i, k]) - a2[i, k]) * (np.float64(b1[i, k]) - b2[i, k])


@njit(cache=True)
def _extrapolate(x_new, x_old, beta, out):
    """out = x_new + beta * (x_new - x_old), one beta per column (FISTA's momentum)."""
    if x_new.shape[1] == 1:  # 1-D views: a unit-stride loop that LLVM vectorizes
        n = x_new.shape[0]
        a, b, o, c = x_new.reshape(n), x_old.reshape(n), out.reshape(n), beta[0]
        for i in range(n):
            o[i] = a[i] + c * (a[i] - b[i])
        return
    for i in range(x_new.shape[0]):
        for k in range(x_new.shape[1]):
            out[i, k] = x_new[i, k] + beta[k] * (x_new[i, k] - x_old[i, k])


@njit(cache=True)
def _prox_gradient_step(Y, grad, step, W, l2, positive, X, out, products):
    """out = prox_{step * h}(Y - step * grad), h = sum_j W_j |x_j| + 0.5 l2 ||x||^2 (+ x >= 0).

    Also products[k] = (Y - out).T (out - X) per column, the adaptive-restart test of
    O'Donoghue & Candes, fused into the same pass over the data. The soft threshold is
    inlined (not ``prox.softshrink``): this is the innermost loop.
    """
    p, m = Y.shape
    if m == 1:
        products[0] = _prox_gradient_step_column(
            Y.reshape(p), grad.reshape(p), step[0], W.reshape(p), l2, positive, X.reshape(p),
            out.reshape(p),
        )
        return
    shrink = np.empty(m)
    for k in range(m):
        shrink[k] = 1.0 / (1.0 + step[k] * l2)
        products[k] = 0.0
    for j in range(p):
        for k in range(m):
            t = step[k]
            v = Y[j, k] - t * grad[j, k]
            threshold = t * W[j, k]
            if v > threshold:
                new = (v - threshold) * shrink[k]
            elif v < -threshold and not positive:
                new = (v + threshold) * shrink[k]
            else:
                new = 0.0
            out[j, k] = new
            new = out[j, k]  # as stored (float32 data is rounded)
            products[k] += (np.float64(Y[j, k]) - new) * (new - np.float64(X[j, k]))


@njit(cache=True)
def _prox_gradient_step_column(y, grad, step, w, l2, positive, x, out):
    """:func:`_prox_gradient_step` for one column (1-D arrays); returns the restart product.

    The same arithmetic, written as selects in a unit-stride loop so that LLVM vectorizes it
    (the 2-D loop, with its running sum in ``products[k]``, ran at about 4 ns per entry).
    """
    shrink = 1.0 / (1.0 + step * l2)
    for j in range(y.shape[0]):
        v = y[j] - step * grad[j]
        threshold = step * w[j]
        new = (v - threshold) * shrink if v > threshold else 0.0
        if v < -threshold and not positive:
            new = (v + threshold) * shrink
        out[j] = new
    return _restart_product(y, out, x)


@njit(fastmath={"reassoc"}, cache=True)
def _restart_product(y, x_new, x):
    """(y - x_new).T (x_new - x) in float64 (O'Donoghue & Candes' restart test).

    Reassociation vectorizes the sum; only its sign is used, and a rounding-level change of
    a value near zero only moves one restart by an iteration.
    """
    total = 0.0
    for j in range(y.shape[0]):
        new = np.float64(x_new[j])  # as stored (float32 data is rounded)
        total += (np.float64(y[j]) - new) * (new - np.float64(x[j]))
    return total


@njit(cache=True)
def _primal_terms(X, W, l2, rr, primal, xx):
    """primal = 0.5 rr + sum_j W_j |x_j| + 0.5 l2 ||x||^2; xx = ||x||^2 (per column)."""
    m = X.shape[1]
    for k in range(m):
        primal[k] = 0.5 * rr[k]
        xx[k] = 0.0
    for j in range(X.shape[0]):
        for k in range(m):
            v = np.float64(X[j, k])
            primal[k] += W[j, k] * abs(v)
            xx[k] += v * v
    for k in range(m):
        primal[k] += 0.5 * l2 * xx[k]


@njit(cache=True)
def _refit_unpenalized(G, X, W, l2, positive, unpenalized, unpenalized_gram, Z):
    """Z[U] = least-squares correction of the unpenalized coordinates, zero elsewhere.

    With g = A.T r - l2 x, solving (A_S.T A_S + l2 I) z = g_S moves the residual so that
    A_S.T r' - l2 (x + z)_S = 0: the rescaled residual then satisfies the dual constraints of
    the unpenalized coordinates S exactly (up to rounding). With ``positive``, a coordinate
    at zero whose gradient pushes it down (g_j <= 0) already satisfies its one-sided
    constraint and is left out of S.
    """
    Z[:] = 0.0
    n_u = unpenalized.shape[0]
    for k in range(X.shape[1]):
        selected = np.zeros(n_u, dtype=np.bool_)
        n_selected = 0
        for a in range(n_u):
            j = unpenalized[a]
            if W[j, k] == 0.0 and (not positive or X[j, k] > 0.0 or G[j, k] - l2 * X[j, k] > 0.0):
                selected[a] = True
                n_selected += 1
        if n_selected == 0:
            continue
        sub = np.empty((n_selected, n_selected))
        rhs = np.empty(n_selected)
        ia = 0
        for a in range(n_u):
            if not selected[a]:
                continue
            ib = 0
            for b in range(n_u):
                if selected[b]:
                    sub[ia, ib] = unpenalized_gram[a, b]
                    ib += 1
            j = unpenalized[a]
            rhs[ia] = G[j, k] - l2 * X[j, k]
            ia += 1
        z = _solve_psd(sub, rhs)  # copes with collinear unpenalized columns
        ia = 0
        for a in range(n_u):
            if selected[a]:
                Z[unpenalized[a], k] = z[ia]
                ia += 1


@njit(cache=True)
def _gap_from_dual_scaling(G, X, Z, W, l2, positive, rr, yr, unpenalized, unpenalized_gram,
                           primal, gap, scaling):
    """Duality gap at x with the dual point theta = s * r (Z: unpenalized refit, may be 0).

    With g = A.T r - l2 (x + z), the rescaled residual theta = s r is dual feasible when
    s |g_j| <= W_j (s g_j <= W_j with ``positive``): s = min(1, min_j W_j / |g_j|). In the
    augmented form of the elastic net ([A; sqrt(l2) I], [y; 0]) the dual objective is
    D(theta) = s y.T r - 0.5 s^2 (||r||^2 + l2 ||x + z||^2).
    Unpenalized coordinates (W_j = 0) need g_j = 0, which the refit makes hold up to the
    rounding of g_j = [A_j; sqrt(l2) e_j].T [r; -sqrt(l2) (x + z)]. By Cauchy-Schwarz that
    rounding is a multiple of sqrt(||A_j||^2 + l2) * sqrt(||r||^2 + l2 ||x + z||^2) (the
    diagonal of ``unpenalized_gram`` gives the first factor): a violation above sqrt(machine
    epsilon) times that bound, or times the largest |g_j| or W_j, makes s = 0, a valid but
    useless dual point. (A tolerance from |g| and W alone collapses to zero when every
    weight is zero, and then the exact least-squares or ridge solution got a relative gap of
    1.) ``scaling[k]`` receives s (gap-safe screening needs the dual point itself).
    """
    p, m = X.shape
    relative_rounding = np.sqrt(np.finfo(Z.dtype).eps)
    n_u = unpenalized.shape[0]
    for k in range(m):
        scale = 0.0
        xx = 0.0
        for j in range(p):
            v = np.float64(X[j, k]) + Z[j, k]
            xx += v * v
            scale = max(scale, abs(np.float64(G[j, k]) - l2 * v), W[j, k])
        residual_norm = np.sqrt(max(rr[k], 0.0) + l2 * xx)
        s = 1.0
        for a in range(n_u):
            j = unpenalized[a]
            if W[j, k] != 0.0:
                continue
            g = np.float64(G[j, k]) - l2 * (np.float64(X[j, k]) + Z[j, k])
            bound = abs(g) if not positive else g
            zero_tol = relative_rounding * max(
                scale, np.sqrt(max(unpenalized_gram[a, a], 0.0)) * residual_norm
            )
            if bound > zero_tol:
                s = 0.0
        if s > 0.0:
            for j in range(p):
                if W[j, k] == 0.0:
                    continue
                g = np.float64(G[j, k]) - l2 * (np.float64(X[j, k]) + Z[j, k])
                bound = abs(g) if not positive else g
                if bound * s > W[j, k]:
                    s = W[j, k] / bound
        dual = s * yr[k] - 0.5 * s * s * (rr[k] + l2 * xx)
        gap[k] = max(primal[k] - dual, 0.0)
        scaling[k] = s


# ---------------------------------------------------------------------------- drivers


@njit(cache=True)
def _gradient(op, target, FY, resid, out):
    """Gradient of 0.5 ||A y - b||^2 at Y from FY = forward(Y).

    ``target`` is b (direct problems) or c = A.T b (Gram problems, where FY = G Y).
    """
    if op[0] == GRAM:
        _subtract(FY, target, out)
    else:
        _subtract(FY, target, resid)
        _adjoint(op, resid, out)


@njit(cache=True)
def _duality_gap(op, target, yy, FX, X, W, l2, positive, unpenalized, unpenalized_gram,
                 resid, G, Z, FZ, primal, gap, scaling):
    """Fill primal[k] = P(x_k) and gap[k] = P(x_k) - D(theta_k) for every column k.

    On return ``G`` holds A.T r' (r' the residual after the unpenalized refit ``Z``) and
    ``scaling`` the dual scaling s: theta = s r'.

    Uses FX = forward(X). Direct problems: r = b - A x, G = A.T r. Gram problems use
    ||r||^2 = x.T G x - 2 c.T x + ||b||^2 and b.T r = ||b||^2 - c.T x (``yy`` = ||b||^2).
    """
    m = X.shape[1]
    rr = np.empty(m)
    yr = np.empty(m)
    xx = np.empty(m)
    tmp = np.empty(m)
    gram = op[0] == GRAM
    if gram:
        _subtract(target, FX, G)  # G = c - G x = A.T r
        _column_dots(X, FX, rr)
        _column_dots(target, X, tmp)
        for k in range(m):
            rr[k] = max(rr[k] - 2.0 * tmp[k] + yy[k], 0.0)
            yr[k] = yy[k] - tmp[k]
    else:
        _subtract(target, FX, resid)
        _column_dots(resid, resid, rr)
        _column_dots(target, resid, yr)
        _adjoint(op, resid, G)
    _primal_terms(X, W, l2, rr, primal, xx)
    if unpenalized.shape[0] > 0:
        _refit_unpenalized(G, X, W, l2, positive, unpenalized, unpenalized_gram, Z)
        _forward(op, Z, FZ)
        if gram:
            # r' = r - A z: ||r'||^2 = ||r||^2 - 2 z.T A.T r + z.T G z, b.T r' = b.T r - c.T z
            _column_dots(Z, G, tmp)
            for k in range(m):
                rr[k] -= 2.0 * tmp[k]
            _column_dots(Z, FZ, tmp)
            for k in range(m):
                rr[k] = max(rr[k] + tmp[k], 0.0)
            _column_dots(target, Z, tmp)
            for k in range(m):
                yr[k] -= tmp[k]
            _subtract(G, FZ, G)
        else:
            _subtract(resid, FZ, resid)
            _column_dots(resid, resid, rr)
            _column_dots(target, resid, yr)
            _adjoint(op, resid, G)
    else:
        Z[:] = 0.0
    _gap_from_dual_scaling(G, X, Z, W, l2, positive, rr, yr, unpenalized, unpenalized_gram,
                           primal, gap, scaling)


@njit(cache=True)
def _all_converged(primal, gap, tol):
    for k in range(primal.shape[0]):
        if not gap[k] <= tol * primal[k]:
            return False
    return True


@njit(cache=True)
def _proximal_gradient(op, target, yy, W, l2, positive, X, step, accelerate, restart,
                       backtracking, max_iter, tol, gap_freq, unpenalized, unpenalized_gram,
                       history, callback, verbose):
    """ISTA / FISTA on 0.5 ||A x - b||^2 + sum W |x| + 0.5 l2 ||x||^2, every column at once.

    FISTA: Beck & Teboulle (2009), with the gradient-based adaptive restart of O'Donoghue &
    Candes (2015): momentum is reset when (y_k - x_{k+1}).T (x_{k+1} - x_k) > 0. Backtracking
    halves a column's step until ||A d||^2 <= ||d||^2 / step for d = x_{k+1} - y_k, the
    sufficient-decrease condition of Beck & Teboulle for a quadratic f.

    Dense problems with up to ``_FUSED_MAX_TARGETS`` columns and CSR problems (without
    backtracking) take the gradient A.T (A y_k - b) in one pass over A
    (:func:`_residual_gradient`), and the duality gap (every ``gap_freq`` iterations) from
    the products A @ x_k and A.T @ r. Otherwise: one product A @ x_{k+1} and one
    A.T @ (A y_k - b) per iteration, with A y_k extrapolated from A x_{k+1} and A x_k (which
    the momentum combination leaves exact), and one more A.T product per gap. (A gap from
    the one-pass kernel was tried and left out: it made the first call compile about 2 s
    longer. At ``gap_freq=10`` on 500 x 5000 the gap takes a fifth of the time, 1.0 against
    0.81 ms of CPU per iteration with and without it, and one pass instead of two products
    would save roughly half of that.) ``X`` and ``step`` are updated in place.
    """
    m = X.shape[1]
    fused = not backtracking and _fusable(op, m)
    X_old = X.copy()
    X_new = np.empty_like(X)
    Y = X.copy()
    grad = np.empty_like(X)
    FX = np.empty_like(target)  # A x (G x for Gram problems); only at gaps if fused
    _forward(op, X, FX)
    FY = FX.copy()
    FX_new = np.empty_like(FX)
    resid = np.empty_like(target)
    G = np.empty_like(X)
    Z = np.zeros_like(X)
    FZ = np.empty_like(target)
    primal = np.empty(m)
    gap = np.empty(m)
    scaling = np.empty(m)
    t = np.ones(m)
    beta = np.zeros(m)
    products = np.empty(m)
    curvature = np.empty(m)
    sq_step = np.empty(m)
    n_hist = max_iter // gap_freq + 2 if history else 0
    hist_iter = np.zeros(n_hist, dtype=np.int64)
    hist_primal = np.zeros((n_hist, m))
    hist_gap = np.zeros((n_hist, m))

    _duality_gap(op, target, yy, FX, X, W, l2, positive, unpenalized, unpenalized_gram,
                 resid, G, Z, FZ, primal, gap, scaling)
    i_hist = 0
    if history:
        hist_primal[0] = primal
        hist_gap[0] = gap
        i_hist = 1
    converged = _all_converged(primal, gap, tol)
    if verbose:
        print("iteration", 0, "objective", primal.sum(), "gap", gap.sum())
    it = 0
    checked = True
    gram = op[0] == GRAM
    while not converged and it < max_iter:
        it += 1
        if fused:
            _residual_gradient(op, target, Y, resid, grad)
        else:
            _gradient(op, target, FY, resid, grad)
        while True:
            _prox_gradient_step(Y, grad, step, W, l2, positive, X, X_new, products)
            if fused:
                break
            _forward(op, X_new, FX_new)
            if not backtracking:
                break
            if gram:
                _column_diff_dots(X_new, Y, FX_new, FY, curvature)
            else:
                _column_diff_dots(FX_new, FY, FX_new, FY, curvature)
            _column_diff_dots(X_new, Y, X_new, Y, sq_step)
            accepted = True
            for k in range(m):
                # the 1e-12 slack keeps rounding from shrinking an already valid step
                if curvature[k] * step[k] > sq_step[k] * (1.0 + 1e-12):
                    step[k] *= 0.5
                    accepted = False
            if accepted:
                break
        if accelerate:
            for k in range(m):
                t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t[k] * t[k]))
                beta[k] = (t[k] - 1.0) / t_next
                t[k] = t_next
                if restart and products[k] > 0.0:
                    t[k] = 1.0
                    beta[k] = 0.0
        _extrapolate(X_new, X, beta, Y)
        if not fused:
            _extrapolate(FX_new, FX, beta, FY)
        X_old, X, X_new = X, X_new, X_old
        FX, FX_new = FX_new, FX
        checked = False
        stop = False
        if callback is not None:
            stop = callback(X)
        if it % gap_freq == 0 or it == max_iter or stop:
            if fused:
                _forward(op, X, FX)
            _duality_gap(op, target, yy, FX, X, W, l2, positive, unpenalized,
                         unpenalized_gram, resid, G, Z, FZ, primal, gap, scaling)
            checked = True
            converged = _all_converged(primal, gap, tol)
            if history and i_hist < n_hist:
                hist_iter[i_hist] = it
                hist_primal[i_hist] = primal
                hist_gap[i_hist] = gap
                i_hist += 1
            if verbose:
                print("iteration", it, "objective", primal.sum(), "gap", gap.sum())
        if stop:
            break
    if not checked:
        if fused:
            _forward(op, X, FX)
        _duality_gap(op, target, yy, FX, X, W, l2, positive, unpenalized, unpenalized_gram,
                     resid, G, Z, FZ, primal, gap, scaling)
        converged = _all_converged(primal, gap, tol)
    return (X, it, primal, gap, converged,
            hist_iter[:i_hist], hist_primal[:i_hist], hist_gap[:i_hist])


# ---------------------------------------------------------------------------- IHT


@njit(cache=True)
def _kth_largest(values, k):
    """The k-th largest entry (k >= 1) of a 1-D array (not modified).

    Hoare's quickselect with median-of-three pivots, expected O(p). Written out rather than
    ``np.partition``, whose Numba implementation costs about 8 s of compile time.
    """
    a = values.copy()
    target = k - 1  # position in decreasing order
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        first, middle, last = a[lo], a[mid], a[hi]
        if first < middle:
            first, middle = middle, first
        if middle < last:
            middle = last if first >= last else first
        pivot = middle
        i, j = lo, hi
        while i <= j:
            while a[i] > pivot:
                i += 1
            while a[j] < pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            return a[target]
    return a[target]


@njit(cache=True)
def _hard_threshold_column(V, k, n_nonzero, out, support):
    """out[:, k] = V[:, k] on its n_nonzero largest magnitudes (ties: lower index), else 0.

    ``support[:, k]`` gets the kept set. A selection (O(p)) finds the n_nonzero-th largest
    magnitude; the ties at that value are taken in index order. Inlined here rather than
    ``prox.project_k_sparse``: it runs inside the compiled loop.
    """
    p = V.shape[0]
    magnitude = np.empty(p)
    for j in range(p):
        magnitude[j] = abs(V[j, k])
    threshold = _kth_largest(magnitude, n_nonzero)
    n_ties = n_nonzero
    for j in range(p):
        if magnitude[j] > threshold:
            n_ties -= 1
    for j in range(p):
        keep = magnitude[j] > threshold
        if not keep and magnitude[j] == threshold and n_ties > 0:
            keep = True
            n_ties -= 1
        support[j, k] = keep
        out[j, k] = V[j, k] if keep else 0.0


@njit(cache=True)
def _gather_columns(op, columns, n_features, out):
    """out = A[:, columns] (dense copy)."""
    kind, transposed, M, indptr, indices, data = op
    n_cols = columns.shape[0]
    if kind == SPARSE:
        out[:] = 0.0
        if transposed:  # CSR of A.T: row j of M is column j of A
            for a in range(n_cols):
                j = columns[a]
                for jj in range(indptr[j], indptr[j + 1]):
                    out[indices[jj], a] += data[jj]
        else:
            position = np.full(n_features, -1)
            for a in range(n_cols):
                position[columns[a]] = a
            for i in range(indptr.shape[0] - 1):
                for jj in range(indptr[i], indptr[i + 1]):
                    j = indices[jj]
                    if position[j] >= 0:
                        out[i, position[j]] += data[jj]
    elif transposed:
        for a in range(n_cols):
            out[:, a] = M[columns[a], :]
    else:
        for a in range(n_cols):
            out[:, a] = M[:, columns[a]]


@njit(cache=True)
def _support_least_squares(op, target, support, X, k, n_nonzero, A_S):
    """X[:, k] = argmin ||A z - y_k|| over z supported on support[:, k] (HTP's refit).

    Normal equations in float64 (``A_S`` is a float64 buffer), solved by Cholesky: 10x faster
    than an SVD-based lstsq at these sizes, and accurate for the well-conditioned supports
    HTP selects.
    """
    columns = np.flatnonzero(support[:, k])
    _gather_columns(op, columns, X.shape[0], A_S)
    rhs = np.empty(target.shape[0])
    for i in range(target.shape[0]):
        rhs[i] = target[i, k]
    z = _solve_psd(np.dot(A_S.T, A_S), np.dot(A_S.T, rhs))
    X[:, k] = 0.0
    for a in range(columns.shape[0]):
        X[columns[a], k] = z[a]


@njit(cache=True)
def _iht_loop(op, target, X, n_nonzero, fixed_step, pursuit, max_iter, tol, callback, verbose):
    """Normalized IHT (Blumensath & Davies, IEEE J. Sel. Topics Signal Process. 2010), every
    column at once; with ``pursuit``, hard thresholding pursuit (Foucart, SIAM J. Numer. Anal.
    2011): least squares on each new support.

    Step: mu = ||g_S||^2 / ||A g_S||^2 for the gradient g = A.T (y - A x) restricted to the
    current support S (a constant ``fixed_step > 0`` replaces it). When the support changes,
    mu must not exceed omega = (1 - c) ||x_new - x||^2 / ||A (x_new - x)||^2 and is divided
    by kappa (1 - c) until it does (c = 0.01, kappa = 2, the paper's values). Stops when
    ||x_new - x|| <= tol ||x_new|| for every column (HTP: or its support is unchanged).
    """
    n, m = target.shape
    p = X.shape[0]
    c, kappa = 0.01, 2.0
    FX = np.empty_like(target)
    resid = np.empty_like(target)
    grad = np.empty_like(X)
    G_S = np.empty_like(X)
    FG = np.empty_like(target)
    V = np.empty_like(X)
    X_new = np.empty_like(X)
    D = np.empty_like(X)
    FD = np.empty_like(target)
    support = np.zeros(X.shape, dtype=np.bool_)
    new_support = np.zeros(X.shape, dtype=np.bool_)
    A_S = np.empty((n, n_nonzero))  # float64 for the normal equations
    mu = np.empty(m)
    num = np.empty(m)
    den = np.empty(m)
    change = np.empty(m)
    size = np.empty(m)
    rr_previous = np.full(m, np.inf)
    _forward(op, X, FX)
    _subtract(target, FX, resid)
    _adjoint(op, resid, grad)
    for k in range(m):
        if np.count_nonzero(X[:, k]) == 0:
            # start: the support of H_k(A.T y)
            _hard_threshold_column(grad, k, n_nonzero, V, support)
        else:
            for j in range(p):
                support[j, k] = X[j, k] != 0.0
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        if fixed_step > 0.0:
            mu[:] = fixed_step
        else:
            for j in range(p):
                for k in range(m):
                    G_S[j, k] = grad[j, k] if support[j, k] else 0.0
            _forward(op, G_S, FG)
            _column_dots(G_S, G_S, num)
            _column_dots(FG, FG, den)
            for k in range(m):
                mu[k] = num[k] / den[k] if den[k] > 0.0 else 0.0
        while True:
            _extrapolate_step(X, grad, mu, V)
            for k in range(m):
                _hard_threshold_column(V, k, n_nonzero, X_new, new_support)
            if pursuit:
                for k in range(m):
                    _support_least_squares(op, target, new_support, X_new, k, n_nonzero, A_S)
            _subtract(X_new, X, D)
            changed = np.zeros(m, dtype=np.bool_)
            for j in range(p):
                for k in range(m):
                    if new_support[j, k] != support[j, k]:
                        changed[k] = True
            if fixed_step <= 0.0 and not pursuit and not changed.any():
                # same support: x_new = x + mu g_S, so A (x_new - x) = mu A g_S, known
                for i in range(n):
                    for k in range(m):
                        FD[i, k] = mu[k] * FG[i, k]
                break
            _forward(op, D, FD)
            if fixed_step > 0.0 or pursuit:
                break
            _column_dots(D, D, num)
            _column_dots(FD, FD, den)
            shrunk = False
            for k in range(m):
                if changed[k] and den[k] > 0.0 and mu[k] > (1.0 - c) * num[k] / den[k]:
                    mu[k] = mu[k] / (kappa * (1.0 - c))
                    shrunk = True
            if not shrunk:
                break
        _column_dots(D, D, change)
        _column_dots(X_new, X_new, size)
        same_support = not changed.any()
        X[:] = X_new
        support[:] = new_support
        # A x_new = A x + A (x_new - x); refreshed exactly below every 20 iterations
        for i in range(n):
            for k in range(m):
                FX[i, k] += FD[i, k]
        if it % 20 == 0:
            _forward(op, X, FX)
        _subtract(target, FX, resid)
        converged = True
        for k in range(m):
            if not change[k] <= tol * tol * size[k]:
                converged = False
        stop = False
        if pursuit and it > 1:
            # x is the least-squares fit on a support that reproduces itself: a fixed point
            if same_support:
                converged = True
            else:
                # a least-squares fit on a new support that does not lower the residual means
                # HTP is cycling between supports (Foucart 2011 guarantees descent only under
                # RIP conditions): stop, not converged
                _column_dots(resid, resid, num)
                stagnated = True
                for k in range(m):
                    if num[k] < rr_previous[k] * (1.0 - 1e-12):
                        stagnated = False
                if stagnated:
                    stop = True
        if pursuit:
            _column_dots(resid, resid, rr_previous)
        if callback is not None:
            stop = stop or callback(X)
        if verbose:
            print("iteration", it, "squared change", change.sum(), "squared norm", size.sum())
        if converged or stop:
            break
        _adjoint(op, resid, grad)
    _forward(op, X, FX)
    _subtract(target, FX, resid)
    objective = np.empty(m)
    _column_dots(resid, resid, objective)
    return X, it, 0.5 * objective, converged


@njit(cache=True)
def _extrapolate_step(X, grad, mu, out):
    """out = X + mu * grad, one mu per column (IHT's gradient step)."""
    for j in range(X.shape[0]):
        for k in range(X.shape[1]):
            out[j, k] = X[j, k] + mu[k] * grad[j, k]


# ---------------------------------------------------------------------------- Python drivers

_DRIVERS = (
    "_gradient",
    "_fusable",
    "_duality_gap",
    "_proximal_gradient",
    "_support_least_squares",
    "_iht_loop",
)
_python_namespace = None


def _linop_forward(op, X, out):
    out[...] = op[1].matmat(X)


def _linop_adjoint(op, R, out):
    out[...] = op[1].rmatmat(R)


def _linop_gather_columns(op, columns, n_features, out):
    E = np.zeros((op[1].shape[1], columns.shape[0]), dtype=out.dtype)
    E[columns, np.arange(columns.shape[0])] = 1
    out[...] = op[1].matmat(E)


def python_drivers():
    """The driver kernels rebuilt as Python functions with ``LinearOperator`` products.

    Each driver's Python source (``py_func``) is re-bound to a namespace where ``_forward``
    and ``_adjoint`` call ``op[1].matmat`` / ``op[1].rmatmat`` and the other drivers are
    rebuilt the same way; leaf kernels stay compiled.
    """
    global _python_namespace
    if _python_namespace is None:
        _python_namespace = linear_operator_namespace(globals(), _DRIVERS)
    return _python_namespace


def linear_operator_namespace(module_globals, drivers):
    """A copy of a kernel module's namespace in which the products are ``LinearOperator``
    calls and each of ``drivers`` is its Python source re-bound to that namespace."""
    namespace = dict(module_globals)
    namespace["_forward"] = _linop_forward
    namespace["_adjoint"] = _linop_adjoint
    namespace["_gather_columns"] = _linop_gather_columns
    for name in drivers:
        func = module_globals[name].py_func
        namespace[name] = types.FunctionType(
            func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__
        )
    return namespace


def select_driver(name, problem, callback, verbose):
    """The driver ``name`` to run ``problem`` with, and the callback to pass it.

    A LinearOperator needs the Python rebuild (its products are Python calls); a callback or
    ``verbose`` needs the driver's Python source (Numba cannot call arbitrary Python), whose
    leaf kernels stay compiled; otherwise the compiled driver. The user's callback receives
    ``x`` in the shape they passed ``y`` in (1-D for a 1-D ``y``) and its answer as a bool.
    """
    if problem.op.kind == "linear_operator":
        loop = python_drivers()[name]
    elif callback is not None or verbose:
        loop = globals()[name].py_func
    else:
        return globals()[name], None
    if callback is None:
        return loop, None
    if problem.y_ndim == 1:
        return loop, lambda X_current: bool(callback(X_current[:, 0]))
    return loop, lambda X_current: bool(callback(X_current))
