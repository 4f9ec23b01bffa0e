"""Numba kernels of ``iht(method="htp-scaled")``: hard thresholding pursuit whose support step
ranks every coordinate by how much it alone changes the residual.

The drivers ``_fit_support``, ``scaled_pursuit_loop`` and ``greedy_start`` (the restart of a
column that cycled) call the products; for a ``LinearOperator`` they run as Python
(``_products.select_driver``).
"""

import numpy as np

from .._jit import njit, trace
from .._selection import kth_largest
from ._hard_thresholding import half_squared_residual, hard_threshold_column, support_of
from ._linalg import back_substitution, forward_substitution, solve_psd
from ._products import adjoint, gather_columns

# A column whose residual has not dropped below its best for this many consecutive supports
# is cycling (the support map is deterministic, so a revisited support repeats its orbit).
# Chosen by measurement (docs/benchmarks_solvers.md, "IHT"): with the restart from a greedy
# start, a longer patience changed no recovery and only lengthened long descents.
PATIENCE = 3

# How a column of ``_scaled_pursuit_loop`` ended.
RUNNING, CONVERGED, CYCLED = 0, 1, 2


@njit(cache=True)
def _fit_support(op, target, columns, k, n_features, coef, inverse_diagonal, resid):
    """Least squares of y_k = target[:, k] on A[:, columns]; return ||residual||^2.

    Fills coef[:, k] (float64, zero off the support), inverse_diagonal[:, k] (the diagonal of
    (A_S.T A_S)^-1 at the support's indices) and resid[:, k] = y_k - A_S z. Normal
    equations in float64 (10x faster than an SVD-based lstsq at these sizes and accurate for
    the well-conditioned supports the pursuit keeps); the residual comes from the gathered
    columns, not from a product with all of A.
    """
    n = target.shape[0]
    s = columns.shape[0]
    A_S = np.empty((n, s))
    gather_columns(op, columns, n_features, A_S)
    rhs = np.empty(n)
    for i in range(n):
        rhs[i] = target[i, k]
    diagonal = np.empty(s)
    z = solve_psd(np.dot(A_S.T, A_S), np.dot(A_S.T, rhs), diagonal)
    fitted = np.dot(A_S, z)
    rr = 0.0
    for i in range(n):
        r = rhs[i] - fitted[i]
        resid[i, k] = r
        rr += r * r
    coef[:, k] = 0.0
    for a in range(s):
        coef[columns[a], k] = z[a]
        inverse_diagonal[columns[a], k] = diagonal[a]
    return rr


@njit(cache=True)
def _rank_coordinates(coef, grad, inverse_diagonal, column_sq_norms, fixed_step, support, k,
                      scores):
    """scores[:, k] = the change of ||A x - y||^2 when coordinate j alone leaves or joins.

    For j in the support S of the least-squares fit x, removing j raises the squared residual
    by exactly x_j^2 / (A_S.T A_S)^-1_jj. For j outside, adding j lowers it by exactly
    g_j^2 / ||P_S^perp a_j||^2 (g = A.T r, P_S^perp the projection away from the columns of
    S), estimated as g_j^2 / (f ||a_j||^2): f is the fraction of a column left after
    projecting away the others, measured on the support, where
    ||P^perp a_i||^2 / ||a_i||^2 = 1 / ((A_S.T A_S)^-1_ii ||a_i||^2) costs nothing more (exact
    projections of all p columns would cost a p x |S| product per iteration). f is the upper
    quartile of these fractions: a support holding a few strongly correlated columns has a
    few small fractions that say nothing about the candidates, and a small f over-rates every
    candidate (the mean and the median did worse on correlated designs, see the solver
    benchmarks). For Gaussian matrices f is about 1 - |S| / n, and ranking
    |x_j + g_j / (f ||a_j||^2)| is HTP (Foucart 2011) on unit-norm columns with step 1 / f.

    A constant ``fixed_step > 0`` ranks by |x_j + fixed_step g_j| instead (classic HTP).
    """
    p = coef.shape[0]
    if fixed_step > 0.0:
        for j in range(p):
            v = coef[j, k] + fixed_step * np.float64(grad[j, k])
            scores[j, k] = v * v
        return
    fractions = np.empty(p)
    count = 0
    for j in range(p):
        if support[j, k] and column_sq_norms[j] > 0.0:
            fractions[count] = 1.0 / (inverse_diagonal[j, k] * column_sq_norms[j])
            count += 1
    f = 1.0
    if count > 0:
        f = min(kth_largest(fractions[:count], (count + 3) // 4 - 1), 1.0)
        if not f > 0.0:
            f = 1.0
    for j in range(p):
        if support[j, k]:
            scores[j, k] = coef[j, k] * coef[j, k] / inverse_diagonal[j, k]
        elif column_sq_norms[j] > 0.0:
            g = np.float64(grad[j, k])
            scores[j, k] = g * g / (f * column_sq_norms[j])
        else:
            scores[j, k] = 0.0  # a zero column changes nothing


@njit(cache=True)
def scaled_pursuit_loop(op, target, X, n_nonzero, column_sq_norms, fixed_step, max_iter, tol,
                         patience, callback, verbose):
    """Hard thresholding pursuit with residual-ranked supports, every column of y at once.

    Each iteration fits least squares on the support S (so the gradient vanishes on S), then
    keeps the n_nonzero coordinates whose single removal or addition changes the residual
    most (:func:`_rank_coordinates`). A column stops when its support repeats (a fixed
    point), when its fit moves by at most tol relative to the previous one, or when its
    residual has not improved for ``patience`` iterations (a cycle); it returns the fit with
    the lowest residual it met, the one closest to solving min ||A x - y|| subject to
    ||x||_0 <= n_nonzero. The start is x0's support, or else the n_nonzero largest
    |a_j.T y| / ||a_j||.
    """
    m = target.shape[1]
    p = X.shape[0]
    resid = np.empty_like(target)
    grad = np.empty_like(X)
    coef = np.zeros((p, m))
    previous = np.zeros((p, m))
    inverse_diagonal = np.ones((p, m))
    scores = np.empty((p, m))
    scratch = np.empty((p, m))
    support = np.zeros((p, m), dtype=np.bool_)
    new_support = np.zeros((p, m), dtype=np.bool_)
    X_best = X.copy()
    rr_best = np.empty(m)
    rr_best[:] = np.inf
    stalled = np.zeros(m, dtype=np.int64)
    status = np.zeros(m, dtype=np.int8)
    adjoint(op, target, grad)
    for k in range(m):
        if support_of(X, k).shape[0] == 0:
            _rank_coordinates(coef, grad, inverse_diagonal, column_sq_norms, fixed_step,
                              support, k, scores)
            hard_threshold_column(scores, k, n_nonzero, scratch, support)
        else:
            for j in range(p):
                support[j, k] = X[j, k] != 0.0
    it = 0
    while it < max_iter:
        it += 1
        for k in range(m):
            if status[k] != RUNNING:
                continue
            columns = support_of(support, k)
            rr = _fit_support(op, target, columns, k, p, coef, inverse_diagonal, resid)
            change = 0.0
            size = 0.0
            for j in range(p):
                X[j, k] = coef[j, k]
                change += (coef[j, k] - previous[j, k]) ** 2
                size += coef[j, k] * coef[j, k]
                previous[j, k] = coef[j, k]
            if rr < rr_best[k] * (1.0 - 1e-12):
                rr_best[k] = rr
                for j in range(p):
                    X_best[j, k] = X[j, k]
                stalled[k] = 0
            else:
                stalled[k] += 1
            if it > 1 and change <= tol * tol * size:
                status[k] = CONVERGED
            elif stalled[k] >= patience:
                status[k] = CYCLED
        stop = False
        if callback is not None:
            stop = callback(X)
        if verbose:
            trace("iteration", it, "squared residual", rr_best.sum(), "columns running",
                  n_running(status))
        if stop or n_running(status) == 0 or it == max_iter:
            break
        adjoint(op, resid, grad)
        for k in range(m):
            if status[k] != RUNNING:
                continue
            _rank_coordinates(coef, grad, inverse_diagonal, column_sq_norms, fixed_step,
                              support, k, scores)
            hard_threshold_column(scores, k, n_nonzero, scratch, new_support)
            same = True
            for j in range(p):
                if new_support[j, k] != support[j, k]:
                    same = False
                support[j, k] = new_support[j, k]
            if same:  # a support that reproduces itself: a fixed point
                status[k] = CONVERGED
        if n_running(status) == 0:
            break
    return X_best, it, half_squared_residual(op, target, X_best), status


@njit(cache=True)
def n_running(status):
    """How many columns are still ``RUNNING`` (a loop: cheaper to compile than
    ``np.count_nonzero(status == RUNNING)``)."""
    count = 0
    for k in range(status.shape[0]):
        count += status[k] == RUNNING
    return count


@njit(cache=True)
def greedy_start(op, target, n_nonzero, column_sq_norms, out):
    """out = orthogonal matching pursuit on unit-norm columns, n_nonzero steps per column.

    A second start for the columns whose pursuit cycled: it grows the support one
    coordinate at a time (the largest |a_j.T r| / ||a_j||), with least squares on it kept by
    updating the Cholesky factor of A_S.T A_S (one product A.T R per step for all columns,
    n |S| + |S|^2 flops per column). A candidate that the support already spans (to 1e-10 of
    its norm) is passed over.
    """
    n, m = target.shape
    p = out.shape[0]
    R = target.copy()
    G = np.empty_like(out)
    out[:] = 0.0
    A_S = np.zeros((m, n_nonzero, n))  # row a of A_S[k]: column members[k, a] of A
    L = np.zeros((m, n_nonzero, n_nonzero))
    chosen = np.zeros((p, m), dtype=np.bool_)
    members = np.zeros((m, n_nonzero), dtype=np.int64)
    size = np.zeros(m, dtype=np.int64)
    rhs = np.zeros((m, n_nonzero))
    column = np.empty((n, 1))
    a_j = column.reshape(n)
    index = np.empty(1, dtype=np.int64)
    for _ in range(n_nonzero):
        adjoint(op, R, G)
        for k in range(m):
            s = size[k]
            while True:
                best = -1
                best_score = -1.0
                for j in range(p):
                    if not chosen[j, k] and column_sq_norms[j] > 0.0:
                        g = np.float64(G[j, k])
                        score = g * g / column_sq_norms[j]
                        if score > best_score:
                            best, best_score = j, score
                if best < 0:
                    break
                chosen[best, k] = True  # taken or passed over, not offered again
                index[0] = best
                gather_columns(op, index, p, column)
                cross = np.dot(A_S[k, :s], a_j) if s > 0 else np.empty(0)
                # row s of the Cholesky factor: L[:s, :s] l = A_S.T a_j
                forward_substitution(L[k, :s, :s], cross, L[k, s, :s])
                pivot = column_sq_norms[best]
                for q in range(s):
                    pivot -= L[k, s, q] * L[k, s, q]
                if pivot > 1e-10 * column_sq_norms[best]:
                    L[k, s, s] = np.sqrt(pivot)
                    for i in range(n):
                        A_S[k, s, i] = a_j[i]
                    members[k, s] = best
                    acc = 0.0
                    for i in range(n):
                        acc += a_j[i] * target[i, k]
                    rhs[k, s] = acc
                    size[k] = s + 1
                    break
            s = size[k]
            z = rhs[k, :s].copy()  # A_S.T y
            forward_substitution(L[k, :s, :s], z, z)
            back_substitution(L[k, :s, :s], z, z)
            fitted = np.dot(A_S[k, :s].T, z) if s > 0 else np.zeros(n)
            for i in range(n):
                R[i, k] = target[i, k] - fitted[i]
            for a in range(s):
                out[members[k, a], k] = z[a]
