"""Numba kernels of working-set block coordinate descent for the multi-task (row-group) penalty.

For ``Y`` with m columns (tasks) and ``W`` of shape (n_features, m), the objective is

    P(W) = 0.5 ||A W - Y||_F^2 + sum_j w_j ||W_j||_2 + 0.5 l2 ||W||_F^2

(``W_j`` the row of feature j): scikit-learn's ``MultiTaskElasticNet`` in the solvers' scale.
It is the algorithm of ``_cd_kernels`` with the rows of ``W`` as coordinates: an outer loop
computes the duality gap, screens rows (gap-safe) and picks a working set
(``_cd_kernels._select_working_set`` on row norms), and passes of exact block minimization
(block soft thresholding, ``_prox_kernels.block_soft_threshold``) solve the working set's
problem to a fraction of the outer gap. The column access is ``_products``'s, task by task:
the kernel keeps ``W`` and the residual transposed (one contiguous row per task), the types the
lasso kernel uses.

Duality gap: with R = Y - A W and g_j = A_j.T R - l2 W_j, the rescaled residual theta = s R is
dual feasible when s ||g_j||_2 <= w_j for every j (the dual norm of the L2,1 norm is the largest
row 2-norm), and D(theta) = s <Y, R> - 0.5 s^2 (||R||^2 + l2 ||W||^2) (the elastic net written
as a lasso on [A; sqrt(l2) I]); unpenalized rows (w_j = 0, ridge) use ``_gap``'s least-squares
refit of the dual point, as the lasso does.
"""

import numpy as np

from .._jit import njit
from .._prox_kernels import block_soft_threshold
from ._cd_kernels import (
    _ANDERSON_K,
    _MAX_STALLS,
    _select_working_set,
    anderson_weights,
    residual_products,
    small_changes,
    stopping_test,
)
from ._gap import _refit, _violates_unpenalized, column_met, residual_terms
from ._problem import Penalty
from ._products import column_axpy, column_dot


@njit(cache=True)
def _block_epoch(op, ws, Xt, w, l2, norms2, Rt, random, z):
    """One pass of exact block minimization over the rows ``ws`` (cyclic, or drawn at random).

    Row j minimizes 0.5 ||R + A_j (W_j - u)||^2 + w_j ||u|| + 0.5 l2 ||u||^2, i.e.
    u = BST(A_j.T R + ||A_j||^2 W_j, w_j) / (||A_j||^2 + l2) (BST: block soft threshold);
    R is updated in place. Returns the largest |change| and |W_jk| over the rows updated.
    """
    m = Xt.shape[0]
    n_ws = ws.shape[0]
    largest_change = 0.0
    largest = 0.0
    for a in range(n_ws):
        j = ws[np.random.randint(0, n_ws)] if random else ws[a]  # noqa: NPY002 (Numba's)
        curvature = norms2[j] + l2
        if curvature <= 0.0:
            continue
        for k in range(m):
            z[k] = column_dot(op, j, Rt[k]) + norms2[j] * Xt[k, j]
        factor = block_soft_threshold(z, w[j]) / curvature
        for k in range(m):
            old = np.float64(Xt[k, j])
            Xt[k, j] = factor * z[k]
            if Xt[k, j] != old:
                column_axpy(op, j, old - np.float64(Xt[k, j]), Rt[k])
            largest_change = max(largest_change, abs(np.float64(Xt[k, j]) - old))
            largest = max(largest, abs(np.float64(Xt[k, j])))
    return largest_change, largest


@njit(cache=True)
def _objective(op, ws, Xt, w, l2, target_t, yy, Rt):
    """0.5 ||R||^2 + sum_ws w_j ||W_j|| + 0.5 l2 ||W_ws||^2 (W zero outside ws)."""
    value = 0.0
    for k in range(Xt.shape[0]):
        value += 0.5 * residual_products(op, Xt[k], target_t[k], yy[k], Rt[k])[0]
    for a in range(ws.shape[0]):
        row = 0.0
        for k in range(Xt.shape[0]):
            v = np.float64(Xt[k, ws[a]])
            row += v * v
        value += w[ws[a]] * np.sqrt(row) + 0.5 * l2 * row
    return value


@njit(cache=True)
def _anderson_step(op, ws, Xt, w, l2, target_t, yy, Rt, last, last_r, Rt_trial):
    """Anderson extrapolation of the working set's rows (``_cd_kernels.anderson_weights``
    on the flattened rows of ``last``), kept when it lowers the objective; R, affine in W,
    is extrapolated from ``last_r`` with the same weights."""
    c = anderson_weights(last)
    if c.shape[0] == 0:
        return
    m, n = Rt.shape
    K = c.shape[0]
    current = _objective(op, ws, Xt, w, l2, target_t, yy, Rt)
    for a in range(ws.shape[0]):
        for k in range(m):
            value = 0.0
            for q in range(K):
                value += c[q] * last[q + 1, a * m + k]
            Xt[k, ws[a]] = value
    for k in range(m):
        for i in range(n):
            value = 0.0
            for q in range(K):
                value += c[q] * last_r[q + 1, k * n + i]
            Rt_trial[k, i] = value
    if _objective(op, ws, Xt, w, l2, target_t, yy, Rt_trial) < current:
        for k in range(m):  # (element loops: an array-to-array copy compiles shape checks)
            for i in range(n):
                Rt[k, i] = Rt_trial[k, i]
        return
    for a in range(ws.shape[0]):
        for k in range(m):
            Xt[k, ws[a]] = last[K, a * m + k]


@njit(cache=True)
def _subproblem_gap(op, ws, Xt, w, l2, target_t, yy, Rt):
    """Duality gap of the problem restricted to the rows ``ws`` (W is zero elsewhere):
    only the inner stopping test."""
    m = Xt.shape[0]
    rr = 0.0
    yr = 0.0
    for k in range(m):
        rr_k, yr_k = residual_products(op, Xt[k], target_t[k], yy[k], Rt[k])
        rr += rr_k
        yr += yr_k
    primal = 0.5 * rr
    xx = 0.0
    s = 1.0
    for a in range(ws.shape[0]):
        j = ws[a]
        row = 0.0
        gg = 0.0
        for k in range(m):
            v = np.float64(Xt[k, j])
            row += v * v
            g = column_dot(op, j, Rt[k]) - l2 * v
            gg += g * g
        primal += w[j] * np.sqrt(row)
        xx += row
        if w[j] > 0.0 and np.sqrt(gg) * s > w[j]:
            s = w[j] / np.sqrt(gg)
    primal += 0.5 * l2 * xx
    return primal - (s * yr - 0.5 * s * s * (rr + l2 * xx))


@njit(cache=True)
def group_duality_gap(fit, penalty, FX, X, resid, G, Z, FZ):
    """Primal objective, duality gap and dual scaling s of the multi-task problem at X
    (n_features, m), from FX = A X; on return G holds A.T r' (r' the residual after the
    refit Z of the unpenalized rows, zero without them)."""
    p, m = X.shape
    w, l2 = penalty.weights, penalty.l2
    rr = np.empty(m)
    yr = np.empty(m)
    residual_terms(fit.op, fit.target, fit.yy, FX, X, resid, G, rr, yr)
    primal = 0.5 * rr.sum()
    xx = 0.0
    for j in range(p):
        row = 0.0
        for k in range(m):
            v = np.float64(X[j, k])
            row += v * v
        primal += w[j, 0] * np.sqrt(row)
        xx += row
    primal += 0.5 * l2 * xx
    _refit(penalty.unpenalized, fit, penalty, X, resid, G, Z, FZ, rr, yr)
    xz = 0.0
    scale = 0.0
    for j in range(p):
        gg = 0.0
        for k in range(m):
            v = np.float64(X[j, k]) + Z[j, k]
            xz += v * v
            g = np.float64(G[j, k]) - l2 * v
            gg += g * g
        scale = max(scale, np.sqrt(gg), w[j, 0])
    rr_total = max(rr.sum(), 0.0)
    s = 1.0
    for k in range(m):
        if _violates_unpenalized(penalty.unpenalized, penalty, G, X, Z, k, scale,
                                 np.sqrt(rr_total + l2 * xz)):
            s = 0.0
    for j in range(p):
        if w[j, 0] == 0.0 or s == 0.0:
            continue
        gg = 0.0
        for k in range(m):
            g = np.float64(G[j, k]) - l2 * (np.float64(X[j, k]) + Z[j, k])
            gg += g * g
        if np.sqrt(gg) * s > w[j, 0]:
            s = w[j, 0] / np.sqrt(gg)
    dual = s * yr.sum() - 0.5 * s * s * (rr_total + l2 * xz)
    return primal, max(primal - dual, 0.0), s


@njit(cache=True)
def multitask_coordinate_descent(fit, penalty, X, norms2, tol, atol, update_tol, max_outer,
                                 max_inner, max_epochs, ws_start, screen, anderson, gap_freq,
                                 seed):
    """Working-set block coordinate descent with gap-safe screening (see the module notes):
    the outer iteration, stopping test and caps of ``_cd_kernels.coordinate_descent``, with
    rows for coordinates.

    ``penalty.weights`` is (n_features, m) with equal columns (the row weights w_j).
    Gap-safe screening (Ndiaye et al. 2017) drops row j when
    s ||g_j|| + sqrt(2 gap) sqrt(||A_j||^2 + l2) < w_j; the working set holds
    the support and the rows that violate their dual constraint (as the lasso kernel) by
    dual-constraint distance, solved to 0.3 times the outer
    gap, with Anderson extrapolation every ``_ANDERSON_K`` passes when ``anderson``.
    ``seed >= 0`` draws the rows at random. Returns W, the passes, primal, gap,
    convergence and the number of rows screened at the end.
    """
    op, target = fit.op, fit.target
    l2 = penalty.l2
    n, m = target.shape
    p = X.shape[0]
    w = np.ascontiguousarray(penalty.weights[:, 0])
    # the working-set choice of the lasso kernel, on row norms (its x and g)
    row_penalty = Penalty(w.reshape((p, 1)), l2, False, penalty.unpenalized,
                          penalty.unpenalized_gram)
    Xt = np.ascontiguousarray(X.T)
    target_t = np.ascontiguousarray(target.T)
    Rt = np.empty((m, n))
    Rt_trial = np.empty((m, n))
    FXt = np.empty((m, n))
    FX = np.empty((n, m), dtype=target.dtype)
    resid = np.empty((n, m), dtype=target.dtype)
    G = np.empty((p, m), dtype=X.dtype)
    Z = np.zeros((p, m), dtype=X.dtype)
    FZ = np.empty((n, m), dtype=target.dtype)
    z = np.empty(m)
    x_norms = np.empty(p)
    g_norms = np.empty(p)
    screened = np.zeros(p, dtype=np.bool_)
    # scratch space for every outer iteration (see _cd_kernels._select_working_set)
    work = np.empty(p)
    last_r = np.empty((_ANDERSON_K + 1, m * n))
    random = seed >= 0
    if random:  # Numba's own generator (nopython code has no numpy.random.Generator)
        np.random.seed(seed)  # noqa: NPY002
    epochs = 0
    outer = 0
    best_gap = np.inf
    stalls = 0
    change = 0.0
    largest = 0.0
    failed = False
    fresh = True
    confirming = False
    converged = False
    while True:
        for j in range(p):
            for k in range(m):
                X[j, k] = Xt[k, j]
        if fresh:  # A W from W's nonzero rows only
            FXt[:] = 0.0
            for j in range(p):
                for k in range(m):
                    if Xt[k, j] != 0.0:
                        column_axpy(op, j, np.float64(Xt[k, j]), FXt[k])
            for i in range(n):
                for k in range(m):
                    FX[i, k] = FXt[k, i]
        else:
            # A W = Y - R from the residual the passes keep up to date (one product saved);
            # a converged gap is confirmed below from a fresh product
            for i in range(n):
                for k in range(m):
                    FX[i, k] = np.float64(target[i, k]) - Rt[k, i]
        primal, gap, s = group_duality_gap(fit, penalty, FX, X, resid, G, Z, FZ)
        met = stopping_test(primal, gap, tol, atol, change, largest, update_tol, outer == 0)
        if not confirming:
            if gap < 0.5 * best_gap:
                best_gap = gap
                stalls = 0
            elif failed:
                stalls += 1
        if (met or outer >= max_outer or epochs >= max_epochs or stalls >= _MAX_STALLS
                or not np.isfinite(gap)):
            if not fresh:
                fresh = confirming = True
                continue
            converged = column_met(primal, gap, tol, atol)
            break
        confirming = False
        outer += 1
        if fresh:
            for k in range(m):
                for i in range(n):
                    Rt[k, i] = np.float64(target[i, k]) - FX[i, k]
        # float32 data: R stays float64 and FX would round it, so products stay fresh
        fresh = np.finfo(X.dtype).eps > 1e-10
        nnz = 0
        violators = 0
        radius = np.sqrt(2.0 * gap)
        for j in range(p):
            row = 0.0
            gg = 0.0
            refit_gg = 0.0
            for k in range(m):
                v = np.float64(Xt[k, j])
                row += v * v
                g = G[j, k] - l2 * Z[j, k]  # A.T r' (the refit's residual); W's l2 part below
                gg += (s * (g - l2 * v)) ** 2
                refit_gg += g * g
            screened[j] = False
            if screen and w[j] > 0.0:
                if np.sqrt(gg) + radius * np.sqrt(norms2[j] + l2) < w[j]:
                    screened[j] = True
                    for k in range(m):
                        if Xt[k, j] != 0.0:
                            column_axpy(op, j, np.float64(Xt[k, j]), Rt[k])
                            Xt[k, j] = 0.0
                    row = 0.0
            x_norms[j] = np.sqrt(row)
            g_norms[j] = np.sqrt(refit_gg)
            if row > 0.0:
                nnz += 1
            elif not screened[j] and w[j] > 0.0 and g_norms[j] > w[j]:
                violators += 1
        # the working-set size of the lasso kernel (``_cd_kernels.coordinate_descent``): the
        # support and as many rows as violate their dual constraint, between nnz / 4 and
        # 3 max(nnz, ws_start)
        ws_size = max(ws_start, nnz + max(min(violators, 3 * max(nnz, ws_start)), nnz // 4))
        ws = _select_working_set(x_norms, row_penalty, g_norms, norms2, screened, ws_size,
                                 work)
        # (as the lasso kernel: no further than the stopping test needs)
        threshold = max(tol * primal, atol)
        inner_tol = max(0.3 * gap, 0.5 * threshold)
        gate_only = gap <= threshold
        n_ws = ws.shape[0]
        last = np.empty((_ANDERSON_K + 1, n_ws * m))
        inner_epochs = 0
        failed = False
        while inner_epochs < max_inner and epochs < max_epochs:
            change, largest = _block_epoch(op, ws, Xt, w, l2, norms2, Rt, random, z)
            epochs += 1
            if anderson:
                row = inner_epochs % (_ANDERSON_K + 1)
                for a in range(n_ws):
                    for k in range(m):
                        last[row, a * m + k] = Xt[k, ws[a]]
                for k in range(m):
                    for i in range(n):
                        last_r[row, k * n + i] = Rt[k, i]
                if row == _ANDERSON_K:
                    _anderson_step(op, ws, Xt, w, l2, target_t, fit.yy, Rt, last, last_r,
                                   Rt_trial)
            inner_epochs += 1
            small = small_changes(change, largest, update_tol)
            if gate_only and small:
                break
            # every gap_freq passes, and (scikit-learn's gate) after a pass of small changes
            if inner_epochs % gap_freq == 0 or small:
                failed = _subproblem_gap(op, ws, Xt, w, l2, target_t, fit.yy, Rt) > inner_tol
                if not failed:
                    break
    n_screened = 0
    for j in range(p):
        if screened[j]:
            n_screened += 1
    return X, epochs, primal, gap, converged, n_screened
