"""The columns of a dense or sparse design in one pass: their largest magnitudes and squared
norms.

A problem's set-up needs both (the scale of the data, coordinate descent's curvatures, the
screening radii) and a check that every entry is finite; on a large design each separate
NumPy reduction costs one to two passes over it, more than a whole solve of a few outer
iterations. The kernels read the design once, in its storage order.
"""

import numpy as np

from .._jit import njit


@njit(cache=True)
def column_statistics(M, rows):
    """``(largest, squares)``: ``max_i |A_ij|`` and ``sum_i A_ij^2`` (float64) for every
    column j of a dense ``A``, given as the C-contiguous ``M = A`` (``rows``) or ``M = A.T``.

    NaN and infinity propagate into ``squares`` (NaN) or ``largest`` (infinity), so that one
    pass also tells whether every entry is finite (:func:`all_finite`). The sums run over
    blocks of four rows of A, each block summed first: a fixed order, whatever the storage.
    """
    if rows:
        n, p = M.shape
    else:
        p, n = M.shape
    largest = np.zeros(p)
    squares = np.zeros(p)
    n4 = n - n % 4
    if rows:  # along A's rows, four at a time: one update of the sums per block
        for i in range(0, n4, 4):
            r0, r1, r2, r3 = M[i], M[i + 1], M[i + 2], M[i + 3]
            for j in range(p):
                a, b = np.float64(r0[j]), np.float64(r1[j])
                c, d = np.float64(r2[j]), np.float64(r3[j])
                squares[j] += (a * a + b * b) + (c * c + d * d)
                largest[j] = max(largest[j], max(max(abs(a), abs(b)), max(abs(c), abs(d))))
        for i in range(n4, n):
            row = M[i]
            for j in range(p):
                a = np.float64(row[j])
                squares[j] += a * a
                largest[j] = max(largest[j], abs(a))
        return largest, squares
    for j in range(p):  # along A's columns, the same blocks of four rows
        column = M[j]
        total = 0.0
        top = 0.0
        for i in range(0, n4, 4):
            a, b = np.float64(column[i]), np.float64(column[i + 1])
            c, d = np.float64(column[i + 2]), np.float64(column[i + 3])
            total += (a * a + b * b) + (c * c + d * d)
            top = max(top, max(max(abs(a), abs(b)), max(abs(c), abs(d))))
        for i in range(n4, n):
            a = np.float64(column[i])
            total += a * a
            top = max(top, abs(a))
        squares[j] = total
        largest[j] = top
    return largest, squares


@njit(cache=True)
def sparse_column_statistics(indptr, indices, data, n_columns, by_columns):
    """:func:`column_statistics` of a CSC (``by_columns``) or CSR matrix, from its arrays:
    the stored entries are read once, each column's in the order of its rows in either
    format."""
    largest = np.zeros(n_columns)
    squares = np.zeros(n_columns)
    if by_columns:
        for j in range(n_columns):
            total = 0.0
            top = 0.0
            for jj in range(indptr[j], indptr[j + 1]):
                a = np.float64(data[jj])
                total += a * a
                top = max(top, abs(a))
            squares[j] = total
            largest[j] = top
        return largest, squares
    for jj in range(indptr[indptr.shape[0] - 1]):
        j = indices[jj]
        a = np.float64(data[jj])
        squares[j] += a * a
        largest[j] = max(largest[j], abs(a))
    return largest, squares
