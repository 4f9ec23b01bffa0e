"""Small dense linear algebra for the solvers' Numba kernels: column-wise reductions and
Cholesky solves of the small positive semidefinite systems the solvers meet (supports,
unpenalized sets, Anderson extrapolation).

Plain loops instead of LAPACK: the systems are small, and LAPACK's lstsq/solve wrappers cost
seconds of compile time. Reductions accumulate in float64 also for float32 data.
"""

import numpy as np

from .._jit import njit


@njit(cache=True)
def subtract(a, b, out):
    """out = a - b (2-D)."""
    for i in range(a.shape[0]):
        for k in range(a.shape[1]):
            out[i, k] = a[i, k] - b[i, k]


@njit(cache=True)
def column_dots(a, b, out):
    """out[k] = sum_i a[i, k] * b[i, k], accumulated in float64."""
    out[:] = 0.0
    for i in range(a.shape[0]):
        for k in range(a.shape[1]):
            out[k] += np.float64(a[i, k]) * np.float64(b[i, k])


@njit(cache=True)
def column_diff_dots(a1, a2, b1, b2, out):
    """out[k] = sum_i (a1 - a2)[i, k] * (b1 - b2)[i, k], accumulated in float64."""
    out[:] = 0.0
    for i in range(a1.shape[0]):
        for k in range(a1.shape[1]):
            out[k] += (np.float64(a1[i, k]) - a2[i, k]) * (np.float64(b1[i, k]) - b2[i, k])


@njit(cache=True)
def forward_substitution(L, b, z):
    """z = L^-1 b for the lower triangle of ``L`` (z may be b)."""
    for i in range(b.shape[0]):
        acc = b[i]
        for q in range(i):
            acc -= L[i, q] * z[q]
        z[i] = acc / L[i, i]


@njit(cache=True)
def back_substitution(L, b, z):
    """z = L^-T b for the lower triangle of ``L`` (z may be b)."""
    for i in range(b.shape[0] - 1, -1, -1):
        acc = b[i]
        for q in range(i + 1, b.shape[0]):
            acc -= L[q, i] * z[q]
        z[i] = acc / L[i, i]


@njit(cache=True)
def solve_psd(G, b, inverse_diagonal):
    """Return z with G z = b for a small symmetric positive semidefinite G, by Cholesky.

    G is first scaled to unit diagonal (D^-1/2 G D^-1/2, D = diag(G)), so that the result
    does not depend on the scale of the columns behind G; a diagonal shift of 1e-12 (and a
    floor on the pivots) keeps a singular G, from collinear columns, solvable: z is then a
    least-squares solution up to that shift. (Unscaled, a shift relative to the largest
    diagonal entry swamps columns of norm 1e-3 next to columns of norm 1e3.)

    If ``inverse_diagonal`` is not None it receives diag(G^-1):
    (G^-1)_ii = ||L^-1 e_i||^2 / D_i for the scaled G = L L.T.
    """
    k = b.shape[0]
    d = np.empty(k)
    for j in range(k):
        d[j] = np.sqrt(G[j, j]) if G[j, j] > 0.0 else 1.0  # a zero column keeps scale 1
    shift = 1e-12
    L = np.zeros((k, k))
    for j in range(k):
        acc = G[j, j] / (d[j] * d[j]) + shift
        for q in range(j):
            acc -= L[j, q] * L[j, q]
        L[j, j] = np.sqrt(max(acc, shift))
        for i in range(j + 1, k):
            acc = G[i, j] / (d[i] * d[j])
            for q in range(j):
                acc -= L[i, q] * L[j, q]
            L[i, j] = acc / L[j, j]
    z = b / d
    forward_substitution(L, z, z)
    back_substitution(L, z, z)
    z /= d
    if inverse_diagonal is not None:
        column = np.empty(k)  # column i of L^-1, zero above the diagonal
        for i in range(k):
            total = 0.0
            for row in range(i, k):
                acc = 1.0 if row == i else 0.0
                for q in range(i, row):
                    acc -= L[row, q] * column[q]
                column[row] = acc / L[row, row]
                total += column[row] * column[row]
            inverse_diagonal[i] = total / (d[i] * d[i])
    return z
