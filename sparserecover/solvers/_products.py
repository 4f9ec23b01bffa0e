"""Products with the design matrix, for the solvers' Numba kernels.

The operator travels as a tuple ``op = (kind, transposed, M, indptr, indices, data)``
(:meth:`sparserecover.operators.Operator.kernel_args`), so one compiled loop serves dense,
CSR/CSC and Gram-matrix problems of a given dtype. Every array holds one column per
right-hand side: ``X`` is ``(n_features, n_targets)``.

For a ``LinearOperator``, whose products are Python calls, :func:`python_driver` rebuilds a
kernel from its Python source with Python products: the iteration is written once and runs
either fully compiled or as a Python loop over compiled leaf kernels.
"""

import types

import numpy as np

from .._jit import njit
from ..operators import DENSE, SPARSE


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
def forward(op, X, out):
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
def adjoint(op, R, out):
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


@njit(cache=True)
def fusable(op, n_targets):
    """Whether :func:`_residual_gradient` applies: dense with few columns, or CSR."""
    kind, transposed = op[0], op[1]
    if kind == DENSE:
        return n_targets <= FUSED_MAX_TARGETS
    return kind == SPARSE and not transposed


@njit(cache=True)
def residual_gradient(op, target, Z, resid, out):
    """resid = A Z - b and out = A.T resid, in one pass over A (see the notes above).

    For a direct problem whose operator ``fusable`` accepts.
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


@njit(cache=True)
def gather_columns(op, columns, n_features, out):
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


# ---------------------------------------------------------------------------- columns
#
# Coordinate descent reads A one column at a time: ``transposed`` is then True, i.e. ``M`` is
# the C-contiguous ``A.T`` of a Fortran-ordered dense A (row j of M is column j of A), or the
# index arrays are those of a CSC matrix.


@njit(cache=True, fastmath={"reassoc", "contract"})
def column_dot(op, j, r):
    """A_j.T r, accumulated in float64.

    Reassociation lets LLVM vectorize the sum (SIMD partial sums, as BLAS ddot does): the
    innermost operation of coordinate descent. Its rounding differs from the sequential sum
    by a few ulp; the certificate is computed separately (``_gap.duality_gap``).
    """
    kind, _transposed, M, indptr, indices, data = op
    acc = 0.0
    if kind == SPARSE:
        for jj in range(indptr[j], indptr[j + 1]):
            acc += np.float64(data[jj]) * r[indices[jj]]
    else:
        for i in range(M.shape[1]):
            acc += np.float64(M[j, i]) * r[i]
    return acc


@njit(cache=True)
def column_axpy(op, j, a, r):
    """r += a * A_j."""
    kind, _transposed, M, indptr, indices, data = op
    if kind == SPARSE:
        for jj in range(indptr[j], indptr[j + 1]):
            r[indices[jj]] += a * data[jj]
    else:
        for i in range(M.shape[1]):
            r[i] += a * M[j, i]


# ---------------------------------------------------------------------------- LinearOperator


def _linear_operator_forward(op, X, out):
    out[...] = op[1].matmat(X)


def _linear_operator_adjoint(op, R, out):
    out[...] = op[1].rmatmat(R)


def _linear_operator_gather_columns(op, columns, n_features, out):
    E = np.zeros((op[1].shape[1], columns.shape[0]), dtype=out.dtype)
    E[columns, np.arange(columns.shape[0])] = 1
    out[...] = op[1].matmat(E)


# the compiled products and their replacements for a LinearOperator ``op = (kind, linop)``
_PYTHON_PRODUCTS = {
    forward: _linear_operator_forward,
    adjoint: _linear_operator_adjoint,
    gather_columns: _linear_operator_gather_columns,
}
# the other kernels that take ``op`` (they run as Python for a LinearOperator)
_OPERATOR_KERNELS = {fusable, residual_gradient, column_dot, column_axpy, *_PYTHON_PRODUCTS}
_rebuilt = {}


def python_driver(kernel):
    """``kernel`` rebuilt as a Python function whose products are ``LinearOperator`` calls.

    Its Python source (``py_func``) is re-bound to a copy of its module's namespace in which
    every kernel it calls that takes the operator, directly or not, is rebuilt the same way
    (the products themselves are replaced by ``matmat``/``rmatmat`` calls); kernels that do
    not touch the operator stay compiled.
    """
    if kernel in _PYTHON_PRODUCTS:
        return _PYTHON_PRODUCTS[kernel]
    if kernel not in _rebuilt:
        func = kernel.py_func
        namespace = dict(func.__globals__)
        for name in func.__code__.co_names:
            if _takes_operator(namespace.get(name)):
                namespace[name] = python_driver(namespace[name])
        _rebuilt[kernel] = types.FunctionType(
            func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__
        )
    return _rebuilt[kernel]


def _takes_operator(value):
    """Whether ``value`` is a compiled kernel that uses the operator, directly or not."""
    if not hasattr(value, "py_func"):
        return False
    if value in _OPERATOR_KERNELS:
        return True
    func = value.py_func
    return any(_takes_operator(func.__globals__.get(name)) for name in func.__code__.co_names)


def select_driver(kernel, problem, callback, verbose):
    """The function to run ``kernel`` with on ``problem``, and the callback to pass it.

    A LinearOperator needs the Python rebuild (its products are Python calls); a callback or
    ``verbose`` needs the kernel's Python source (Numba cannot call arbitrary Python), whose
    callees stay compiled; otherwise the compiled kernel. The user's callback receives ``x``
    in the shape they passed ``y`` in (1-D for a 1-D ``y``) and its answer as a bool.
    """
    if problem.op.kind == "linear_operator":
        driver = python_driver(kernel)
    elif callback is not None or verbose:
        driver = kernel.py_func
    else:
        return kernel, None
    if callback is None:
        return driver, None
    if problem.y_ndim == 1:
        return driver, lambda X_current: bool(callback(X_current[:, 0]))
    return driver, lambda X_current: bool(callback(X_current))
