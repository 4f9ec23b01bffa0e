"""Products with the design matrix, for the solvers' Numba kernels.

The operator travels as one of the named tuples below, one per storage of ``A``. The products
(:func:`forward` ``A @ X``, :func:`adjoint` ``A.T @ R``, the one-pass
:func:`residual_gradient`, column access for coordinate descent, :func:`gather_columns`) are
dispatched on that type when a kernel is compiled, so a kernel compiled for a dense ``A``
contains no sparse loop and the other way round. Every array holds one column per
right-hand side: ``X`` is ``(n_features, n_targets)``.

The same names, called from Python, are the products of a ``LinearOperator`` (its
``matmat``/``rmatmat``); :func:`python_driver` runs a kernel's Python source with them, so
an iteration is written once and runs either fully compiled or as a Python loop over
compiled leaf kernels.
"""

import inspect
import types as pytypes
from collections import namedtuple

import numpy as np
from numba import types
from numba.extending import overload

from .._jit import njit
from ..operators import readonly

# A = M (C-contiguous): rows of A are rows of M.
DenseRows = namedtuple("DenseRows", ["M"])
# A = M.T with M C-contiguous (A Fortran-ordered): columns of A are rows of M.
DenseColumns = namedtuple("DenseColumns", ["M"])
# A in CSR form (index arrays viewed as unsigned integers).
CsrRows = namedtuple("CsrRows", ["indptr", "indices", "data"])
# A in CSC form, i.e. the CSR form of A.T: columns of A are its rows.
CsrColumns = namedtuple("CsrColumns", ["indptr", "indices", "data"])
# The problem's operator is the Gram matrix G = A.T A (symmetric).
Gram = namedtuple("Gram", ["G"])
# A = S - u offset^T with S in CSC form: a centred (and row-weighted) sparse matrix, kept
# implicit (coordinate descent's column access, and the products of its duality gap).
CenteredColumns = namedtuple("CenteredColumns", ["indptr", "indices", "data", "u", "offset"])


def is_kernel_operator(op):
    """Whether ``op`` is one of the kernels' operator forms (else a LinearOperator)."""
    return isinstance(op, (DenseRows, DenseColumns, CsrRows, CsrColumns, Gram, CenteredColumns))


def kernel_operator(op, columns=False):
    """The kernels' form of a dense or sparse :class:`sparserecover.operators.Operator`.

    With ``columns`` (coordinate descent), a C-ordered dense ``A`` is copied to Fortran order
    and a CSR matrix converted to CSC, so that columns are contiguous; a LinearOperator with a
    ``centered_sparse()`` method (returning ``S, u, offset`` with ``A = S - u offset^T``)
    becomes :data:`CenteredColumns`. Arrays are read-only
    views (Numba compiles read-only and writable arrays apart) and sparse indices unsigned
    (Numba then skips the negative-index wraparound test on every gather and scatter).
    """
    A = op.matrix
    if columns and op.kind == "linear_operator" and hasattr(A, "centered_sparse"):
        S, u, offset = A.centered_sparse()
        S = kernel_operator(type(op)(S, "sparse"), columns=True)
        return CenteredColumns(*S, readonly(u), readonly(offset))
    if op.kind == "dense":
        if columns or (A.flags.f_contiguous and not A.flags.c_contiguous):
            return DenseColumns(readonly(np.asfortranarray(A).T))
        return DenseRows(readonly(np.ascontiguousarray(A)))
    if op.kind != "sparse":
        raise TypeError("a LinearOperator has no arrays for the compiled kernels")
    if columns and A.format != "csc":
        A = A.tocsc()
    indptr, indices = A.indptr, A.indices
    if indptr.dtype != indices.dtype:
        index_dtype = np.promote_types(indptr.dtype, indices.dtype)
        indptr, indices = indptr.astype(index_dtype), indices.astype(index_dtype)
    unsigned = np.dtype(f"uint{8 * indices.dtype.itemsize}")
    arrays = (readonly(indptr.view(unsigned)), readonly(indices.view(unsigned)),
              readonly(A.data))
    return CsrColumns(*arrays) if A.format == "csc" else CsrRows(*arrays)


def implementation(op, **implementations):
    """For an ``@overload``: the implementation for the kernel operator type of ``op`` (a
    Numba type), by the name of its named tuple, or ``implementations["direct"]`` for any
    operator but the Gram matrix's."""
    if not isinstance(op, types.BaseNamedTuple):
        return None
    name = op.instance_class.__name__
    return implementations.get(name, None if name == "Gram" else implementations.get("direct"))


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
    """out = M @ X for M in CSR form (1-D views for one column: faster)."""
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


def _dense_matmat(M, X, out):
    """out = M @ X: by :func:`_same_precision_matmat` when M has the dtype of ``out``, else (a
    float32 M and float64 vectors: the float64 duality gap of a float32 solve) accumulated
    in float64 by :func:`_widening_matmat`, M read in place."""


@overload(_dense_matmat)
def _dense_matmat_overload(M, X, out):
    if M.dtype != out.dtype:
        return lambda M, X, out: _widening_matmat(M, X, out)
    return lambda M, X, out: _same_precision_matmat(M, X, out)


def _dense_rmatmat(M, X, out):
    """out = M.T @ X: by :func:`_same_precision_rmatmat`, or accumulated in float64 by
    :func:`_widening_rmatmat` (as :func:`_dense_matmat`)."""


@overload(_dense_rmatmat)
def _dense_rmatmat_overload(M, X, out):
    if M.dtype != out.dtype:
        return lambda M, X, out: _widening_rmatmat(M, X, out)
    return lambda M, X, out: _same_precision_rmatmat(M, X, out)


@njit(cache=True)
def _same_precision_matmat(M, X, out):
    """out = M @ X for X of the dtype of M: a few columns (at most ``FUSED_MAX_TARGETS``) by
    eight rows of M at a time, each dotted with every column while it is in cache; more
    columns through BLAS 3. (BLAS 3 first copies M into packed panels, which costs more than
    the product itself for so few columns, and BLAS 2 is slower for one column as well: see
    docs/benchmarks_solvers.md.) Each column's sums are the same, bit for bit, whichever
    columns come with it."""
    p = M.shape[0]
    m = X.shape[1]
    if m > FUSED_MAX_TARGETS:
        np.dot(M, X, out)
        return
    Xt = np.empty((m, X.shape[0]), dtype=X.dtype)
    for i in range(X.shape[0]):  # (a slice assignment compiles its error message's formatting)
        for k in range(m):
            Xt[k, i] = X[i, k]
    p8 = p - p % 8
    for j in range(0, p8, 8):
        for k in range(m):
            s = _dot_rows8(M, j, Xt[k])
            for q in range(8):
                out[j + q, k] = s[q]
    for j in range(p8, p):
        for k in range(m):
            out[j, k] = _dot_row(M[j], Xt[k])


@njit(cache=True)
def _same_precision_rmatmat(M, X, out):
    """out = M.T @ X for X of the dtype of M: a few columns as sums of blocks of eight rows of
    M, each block added to every column's sums while it is in cache; more columns through
    BLAS 3 (as :func:`_same_precision_matmat`, and with the same bits per column)."""
    n, p = M.shape
    m = X.shape[1]
    if m > FUSED_MAX_TARGETS:
        np.dot(M.T, X, out)
        return
    Gt = out.reshape((1, p)) if m == 1 else np.empty((m, p), dtype=out.dtype)
    Gt[:] = 0.0
    n8 = n - n % 8
    for i in range(0, n8, 8):
        for k in range(m):
            c = (X[i, k], X[i + 1, k], X[i + 2, k], X[i + 3, k], X[i + 4, k], X[i + 5, k],
                 X[i + 6, k], X[i + 7, k])
            _add_rows8(M, i, c, Gt[k])
    for i in range(n8, n):
        for k in range(m):
            _add_row(M[i], X[i, k], Gt[k])
    if m > 1:
        for j in range(p):
            for k in range(m):
                out[j, k] = Gt[k, j]


@njit(cache=True)
def _widening_matmat(M, X, out):
    """out = M @ X in float64 for a lower-precision M: each row of M dotted with the nonzero
    rows of X only (a solution's support), in eight partial sums by position in the support
    (a dot product is latency-bound otherwise). When every row of X is nonzero (a residual)
    the support is all of them and the rows of M are read straight through: the same sums,
    vectorized."""
    p, m = X.shape
    support = np.empty(p, dtype=np.int64)
    n_support = 0
    for j in range(p):
        for k in range(m):
            if X[j, k] != 0.0:
                support[n_support] = j
                n_support += 1
                break
    n8 = n_support - n_support % 8
    if m == 1 and n_support == p:
        x = X[:, 0]
        for i in range(M.shape[0]):
            row = M[i]
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
            for j in range(0, n8, 8):
                s0 += np.float64(row[j]) * x[j]
                s1 += np.float64(row[j + 1]) * x[j + 1]
                s2 += np.float64(row[j + 2]) * x[j + 2]
                s3 += np.float64(row[j + 3]) * x[j + 3]
                s4 += np.float64(row[j + 4]) * x[j + 4]
                s5 += np.float64(row[j + 5]) * x[j + 5]
                s6 += np.float64(row[j + 6]) * x[j + 6]
                s7 += np.float64(row[j + 7]) * x[j + 7]
            for j in range(n8, p):
                s0 += np.float64(row[j]) * x[j]
            out[i, 0] = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        return
    for i in range(M.shape[0]):
        row = M[i]
        for k in range(m):
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
            for a in range(0, n8, 8):
                j0, j1, j2, j3 = support[a], support[a + 1], support[a + 2], support[a + 3]
                j4, j5, j6, j7 = support[a + 4], support[a + 5], support[a + 6], support[a + 7]
                s0 += np.float64(row[j0]) * X[j0, k]
                s1 += np.float64(row[j1]) * X[j1, k]
                s2 += np.float64(row[j2]) * X[j2, k]
                s3 += np.float64(row[j3]) * X[j3, k]
                s4 += np.float64(row[j4]) * X[j4, k]
                s5 += np.float64(row[j5]) * X[j5, k]
                s6 += np.float64(row[j6]) * X[j6, k]
                s7 += np.float64(row[j7]) * X[j7, k]
            for a in range(n8, n_support):
                j = support[a]
                s0 += np.float64(row[j]) * X[j, k]
            out[i, k] = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


# Rows of at most this many entries are added to their float64 sums one at a time (the sums,
# 16 KB, stay in L1 cache); longer ones four at a time.
_L1_COLUMNS = 2048


@njit(cache=True)
def _widening_rmatmat(M, R, out):
    """out = M.T @ R in float64 for a lower-precision M: float64 axpys of the rows of M, in
    row order, rows whose R entries are all zero skipped (M read once, in its storage
    order)."""
    n, p = M.shape
    m = R.shape[1]
    out[:] = 0.0
    if m == 1:
        out1 = out.reshape(p)
        n_blocked = n - n % 4 if p > _L1_COLUMNS else 0
        # a long row, whose float64 sums do not stay in L1 cache: four rows per update of
        # them, added in the same order as one at a time (the same bits)
        for i in range(0, n_blocked, 4):
            r0, r1, r2, r3 = R[i, 0], R[i + 1, 0], R[i + 2, 0], R[i + 3, 0]
            if r0 != 0.0 or r1 != 0.0 or r2 != 0.0 or r3 != 0.0:
                for j in range(p):
                    out1[j] = (((out1[j] + np.float64(M[i, j]) * r0)
                                + np.float64(M[i + 1, j]) * r1)
                               + np.float64(M[i + 2, j]) * r2) + np.float64(M[i + 3, j]) * r3
        for i in range(n_blocked, n):
            r = R[i, 0]
            if r != 0.0:
                row = M[i]
                for j in range(p):
                    out1[j] += np.float64(row[j]) * r
        return
    for i in range(n):
        nonzero = False
        for k in range(m):
            nonzero = nonzero or R[i, k] != 0.0
        if nonzero:
            row = M[i]
            for j in range(p):
                a = np.float64(row[j])
                for k in range(m):
                    out[j, k] += a * R[i, k]


def forward(op, X, out):
    """out = A @ X (G @ X for a Gram problem); from Python, for a LinearOperator ``op``."""
    out[...] = op.matmat(X)


@overload(forward)
def _forward(op, X, out):
    return implementation(
        op,
        DenseRows=lambda op, X, out: _dense_matmat(op.M, X, out),
        DenseColumns=lambda op, X, out: _dense_rmatmat(op.M, X, out),
        CsrRows=lambda op, X, out: _csr_matmat(op.indptr, op.indices, op.data, X, out),
        CsrColumns=lambda op, X, out: _csr_rmatmat(op.indptr, op.indices, op.data, X, out),
        Gram=lambda op, X, out: _dense_matmat(op.G, X, out),
        CenteredColumns=_centered_forward,
    )


def _centered_forward(op, X, out):
    _csr_rmatmat(op.indptr, op.indices, op.data, X, out)  # S X (CSC: the CSR form of S.T)
    _subtract_outer(op.u, op.offset, X, out)


def _centered_adjoint(op, R, out):
    _csr_matmat(op.indptr, op.indices, op.data, R, out)  # S.T R
    _subtract_outer(op.offset, op.u, R, out)


@njit(cache=True)
def _subtract_outer(a, b, X, out):
    """out -= a (b.T X): the rank-one part of a centred operator's product."""
    for k in range(X.shape[1]):
        bx = 0.0
        for i in range(X.shape[0]):
            bx += np.float64(b[i]) * X[i, k]
        for i in range(out.shape[0]):
            out[i, k] -= a[i] * bx


def adjoint(op, R, out):
    """out = A.T @ R; from Python, for a LinearOperator ``op``."""
    out[...] = op.rmatmat(R)


@overload(adjoint)
def _adjoint(op, R, out):
    return implementation(
        op,
        DenseRows=lambda op, R, out: _dense_rmatmat(op.M, R, out),
        DenseColumns=lambda op, R, out: _dense_matmat(op.M, R, out),
        CsrRows=lambda op, R, out: _csr_rmatmat(op.indptr, op.indices, op.data, R, out),
        CsrColumns=lambda op, R, out: _csr_matmat(op.indptr, op.indices, op.data, R, out),
        Gram=lambda op, R, out: _dense_matmat(op.G, R, out),  # G is symmetric
        CenteredColumns=_centered_adjoint,
    )


# ---------------------------------------------------------------------------- fused gradient
#
# FISTA's gradient A.T (A z - b) as one pass over A. Row by row, r_i = A[i, :] @ z - b_i and
# g += r_i A[i, :] need row i only: a C-ordered (or CSR) A is read from memory once per
# iteration instead of twice (once per BLAS product), and the second use of each row hits the
# cache. Rows go in blocks of eight, so that z and g are loaded once per eight rows. For a few
# columns (2-D y) the same pass serves every column; beyond ``FUSED_MAX_TARGETS`` columns
# matrix-matrix products (BLAS 3) are faster (docs/benchmarks_solvers.md).
#
# The dot products are compiled with the reassociation flag: it lets LLVM split the sum into
# SIMD partial sums (as BLAS does), and the rounding bound |error| <= gamma_p sum_j |a_j z_j|
# holds for any summation order (Higham, Accuracy and Stability of Numerical Algorithms,
# 2002, Sec. 3.1). 'contract' allows fused multiply-adds, which only remove roundings. No
# other fast-math flag: no assumption that values are finite.

FUSED_MAX_TARGETS = 8
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
    dot product per row), with the same blocked loops. (A C-ordered copy would allow the
    one-pass loop at the price of a second copy of A in memory; it is not made.)
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

    Reassociation vectorizes the row sums (AVX-512 gathers where available).
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


def fuses(op, n_targets):
    """Whether :func:`residual_gradient` makes one pass over A: dense with few columns, or
    CSR (a LinearOperator never)."""
    if isinstance(op, (DenseRows, DenseColumns)):
        return n_targets <= FUSED_MAX_TARGETS
    return isinstance(op, CsrRows)


def residual_gradient(op, target, Z, resid, out):
    """resid = A Z - b and out = A.T resid, in one pass over A where :func:`fuses` says so
    (see the notes above), else with two products."""
    forward(op, Z, resid)
    resid -= target
    adjoint(op, resid, out)


@overload(residual_gradient)
def _residual_gradient(op, target, Z, resid, out):
    def csr_rows(op, target, Z, resid, out):
        _csr_rows_gradient(op.indptr, op.indices, op.data, Z, target, resid, out)

    def dense(op, target, Z, resid, out):
        p, m = Z.shape
        n = target.shape[0]
        if m == 1:  # (p, 1) and (1, p) views of the same memory: no copies
            Zt, Rt, Gt = Z.reshape(1, p), resid.reshape(1, n), out.reshape(1, p)
        else:
            Zt = np.ascontiguousarray(Z.T)
            Rt, Gt = np.empty((m, n), Z.dtype), np.empty((m, p), Z.dtype)
        _dense_gradient_pass(op, Zt, target, Rt, Gt)
        if m > 1:
            for k in range(m):
                for i in range(n):
                    resid[i, k] = Rt[k, i]
                for j in range(p):
                    out[j, k] = Gt[k, j]

    def two_products(op, target, Z, resid, out):
        forward(op, Z, resid)
        for i in range(resid.shape[0]):
            for k in range(resid.shape[1]):
                resid[i, k] -= target[i, k]
        adjoint(op, resid, out)

    return implementation(op, DenseRows=dense, DenseColumns=dense, CsrRows=csr_rows,
                           CsrColumns=two_products, Gram=two_products,
                           CenteredColumns=two_products)


def _dense_gradient_pass(op, Zt, B, Rt, Gt):
    pass


@overload(_dense_gradient_pass)
def _dense_gradient_pass_typed(op, Zt, B, Rt, Gt):
    return implementation(
        op,
        DenseRows=lambda op, Zt, B, Rt, Gt: _dense_rows_gradient(op.M, Zt, B, Rt, Gt),
        DenseColumns=lambda op, Zt, B, Rt, Gt: _dense_columns_gradient(op.M, Zt, B, Rt, Gt),
    )


# ---------------------------------------------------------------------------- columns


def gather_columns(op, columns, n_features, out):
    """out = A[:, columns] (dense copy); from Python, for a LinearOperator ``op``."""
    E = np.zeros((op.shape[1], columns.shape[0]), dtype=out.dtype)
    E[columns, np.arange(columns.shape[0])] = 1
    out[...] = op.matmat(E)


@overload(gather_columns)
def _gather_columns(op, columns, n_features, out):
    def dense_rows(op, columns, n_features, out):
        for i in range(out.shape[0]):
            for a in range(columns.shape[0]):
                out[i, a] = op.M[i, columns[a]]

    def dense_columns(op, columns, n_features, out):
        for a in range(columns.shape[0]):
            row = op.M[columns[a]]
            for i in range(out.shape[0]):
                out[i, a] = row[i]

    def csr_rows(op, columns, n_features, out):
        out[:] = 0.0
        position = np.full(n_features, -1)
        for a in range(columns.shape[0]):
            position[columns[a]] = a
        for i in range(op.indptr.shape[0] - 1):
            for jj in range(op.indptr[i], op.indptr[i + 1]):
                a = position[op.indices[jj]]
                if a >= 0:
                    out[i, a] += op.data[jj]

    def csr_columns(op, columns, n_features, out):
        out[:] = 0.0
        for a in range(columns.shape[0]):
            j = columns[a]
            for jj in range(op.indptr[j], op.indptr[j + 1]):
                out[op.indices[jj], a] += op.data[jj]

    return implementation(op, DenseRows=dense_rows, DenseColumns=dense_columns,
                           CsrRows=csr_rows, CsrColumns=csr_columns)


# Coordinate descent reads A one column at a time, from a DenseColumns or CsrColumns operator,
# or works on the Gram matrix (Gram), where it keeps A.T r instead of the residual r.


def column_dot(op, j, r):
    """A_j.T r, accumulated in float64 (compiled only)."""
    raise TypeError("coordinate descent needs a dense or sparse A")


@overload(column_dot)
def _column_dot(op, j, r):
    return implementation(
        op,
        DenseColumns=lambda op, j, r: _dense_column_dot(op.M, j, r),
        CsrColumns=lambda op, j, r: _csr_column_dot(op.indptr, op.indices, op.data, j, r),
        # Gram coordinate descent keeps g = A.T r = c - G x in place of r: A_j.T r is g_j
        Gram=lambda op, j, r: np.float64(r[j]),
        # A_j.T r = S_j.T r - offset_j u.T r, and u.T r = 0 for the residuals of centred data
        # (u is orthogonal to y_c and to every column of A), as in scikit-learn's sparse
        # coordinate descent: O(nnz of S_j)
        CenteredColumns=lambda op, j, r: _csr_column_dot(op.indptr, op.indices, op.data, j, r),
    )


# Reassociation lets LLVM vectorize the sum (SIMD partial sums, as BLAS ddot does): the
# innermost operation of coordinate descent. Its rounding differs from the sequential sum by a
# few ulp; the certificate is computed separately (``_gap.duality_gap``).
@njit(cache=True, fastmath={"reassoc", "contract"})
def _dense_column_dot(M, j, r):
    acc = 0.0
    for i in range(M.shape[1]):
        acc += np.float64(M[j, i]) * r[i]
    return acc


@njit(cache=True, fastmath={"reassoc", "contract"})
def _csr_column_dot(indptr, indices, data, j, r):
    acc = 0.0
    for jj in range(indptr[j], indptr[j + 1]):
        acc += np.float64(data[jj]) * r[indices[jj]]
    return acc


def column_axpy(op, j, a, r):
    """r += a * A_j (compiled only)."""
    raise TypeError("coordinate descent needs a dense or sparse A")


@overload(column_axpy)
def _column_axpy(op, j, a, r):
    def dense_columns(op, j, a, r):
        M = op.M
        for i in range(M.shape[1]):
            r[i] += a * M[j, i]

    def dense_rows(op, j, a, r):  # strided: for the few columns read outside a working set
        M = op.M
        for i in range(M.shape[0]):
            r[i] += a * M[i, j]

    def csr_columns(op, j, a, r):
        for jj in range(op.indptr[j], op.indptr[j + 1]):
            r[op.indices[jj]] += a * op.data[jj]

    def gram(op, j, a, r):  # g = A.T r: g += a A.T A_j = a G[:, j] (G symmetric)
        G = op.G
        for i in range(G.shape[1]):
            r[i] += a * G[j, i]

    def centered_columns(op, j, a, r):  # r += a (S_j - offset_j u): dense, as scikit-learn's
        for jj in range(op.indptr[j], op.indptr[j + 1]):
            r[op.indices[jj]] += a * op.data[jj]
        shift = a * op.offset[j]
        u = op.u
        for i in range(r.shape[0]):
            r[i] -= shift * u[i]

    return implementation(op, DenseColumns=dense_columns, CsrColumns=csr_columns, Gram=gram,
                          CenteredColumns=centered_columns, DenseRows=dense_rows)


# ---------------------------------------------------------------------------- LinearOperator

# Functions dispatched on the operator type in compiled code, whose Python body serves a
# LinearOperator: the products above, and those the kernel modules declare.
_OPERATOR_FUNCTIONS = {forward, adjoint, residual_gradient, gather_columns, column_dot,
                        column_axpy}
_rebuilt = {}


def operator_function(function):
    """Declare ``function`` (given an ``@overload`` on the operator type for compiled code) as
    one whose Python body serves a LinearOperator, for :func:`python_driver`."""
    _OPERATOR_FUNCTIONS.add(function)
    return function


def python_driver(kernel):
    """``kernel`` as a Python function whose products are ``LinearOperator`` calls.

    Its Python source (``py_func``) is re-bound to a copy of its module's namespace in which
    every compiled kernel it calls that uses the operator, directly or not, is rebuilt the
    same way (the products themselves, called from Python, are ``matmat``/``rmatmat``
    calls); kernels that do not touch the operator stay compiled.
    """
    if kernel not in _rebuilt:
        func = kernel.py_func
        namespace = dict(func.__globals__)
        for name in func.__code__.co_names:
            value = namespace.get(name)
            if hasattr(value, "py_func") and _uses_operator(value):
                namespace[name] = python_driver(value)
        _rebuilt[kernel] = pytypes.FunctionType(
            func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__
        )
    return _rebuilt[kernel]


def _uses_operator(value):
    """Whether ``value`` is a product, or a compiled kernel that calls one, directly or not."""
    if value in _OPERATOR_FUNCTIONS:
        return True
    if not hasattr(value, "py_func"):
        return False
    func = value.py_func
    return any(_uses_operator(func.__globals__.get(name)) for name in func.__code__.co_names)


def compiled_caller(function):
    """A compiled function that calls the operator function ``function``: how Python calls
    one on a kernel operator (built once, not cached on disk: only the Python-loop paths of
    a callback or ``verbose`` need it)."""
    if function not in _compiled_callers:
        parameters = ", ".join(inspect.signature(function).parameters)
        namespace = {"function": function}
        exec(f"def call({parameters}):\n    return function({parameters})\n", namespace)
        _compiled_callers[function] = njit(namespace["call"])
    return _compiled_callers[function]


_compiled_callers = {}


def python_source(kernel):
    """``kernel``'s Python source, its operator functions called compiled (the callees that
    are compiled kernels stay compiled)."""
    func = kernel.py_func
    namespace = dict(func.__globals__)
    for name in func.__code__.co_names:
        if namespace.get(name) in _OPERATOR_FUNCTIONS:
            namespace[name] = compiled_caller(namespace[name])
    return pytypes.FunctionType(
        func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__
    )


def select_driver(kernel, op, problem, callback, verbose):
    """The function to run ``kernel`` with on the operator ``op`` of ``problem``, and the
    callback to pass it.

    A LinearOperator needs the Python rebuild (its products are Python calls); a callback or
    ``verbose`` needs the kernel's Python source (Numba cannot call arbitrary Python), whose
    callees stay compiled; otherwise the compiled kernel. The user's callback receives ``x``
    in the shape they passed ``y`` in (1-D for a 1-D ``y``) and its answer as a bool.
    """
    if not is_kernel_operator(op):
        driver = python_driver(kernel)
    elif callback is not None or verbose:
        driver = python_source(kernel)
    else:
        return kernel, None
    if callback is None:
        return driver, None
    if problem.y_ndim == 1:
        return driver, lambda X_current: bool(callback(X_current[:, 0]))
    return driver, lambda X_current: bool(callback(X_current))
