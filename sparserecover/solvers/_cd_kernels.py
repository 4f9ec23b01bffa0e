"""Numba kernels of working-set coordinate descent (see ``_cd.py``).

The operator gives column access (``_products.column_dot``/``column_axpy``): ``M`` is the
C-contiguous ``A.T`` of a Fortran-ordered dense ``A``, or the index arrays are those of a CSC
matrix; a C-ordered dense ``A`` (``DenseRows``) is read in place, the columns of each working
set gathered (:func:`working_set_operator`). Data fit and penalty travel as the named tuples
of ``_problem``.

On a Gram problem (operator ``G = A.T A``, target ``c = A.T b``) the same loops run with
``g = A.T r = c - G x`` (length n_features) in place of the residual ``r = b - A x``: the
column access reads ``g_j`` and adds columns of ``G``, and :func:`residual_products` gives
``||r||^2`` and ``b.T r`` from ``g``; everything else (``A x = b - r`` becomes
``G x = c - g``, Anderson's affine extrapolation of ``r``) holds as written.
"""

import numpy as np
from numba.extending import overload

from .._jit import njit, trace
from .._prox_kernels import soft_threshold
from .._selection import kth_smallest
from ._gap import column_met, duality_gap
from ._linalg import solve_psd
from ._problem import Datafit, Penalty
from ._products import (
    DenseColumns,
    column_axpy,
    column_dot,
    implementation,
    operator_function,
)

# Anderson extrapolation from the last _ANDERSON_K passes (skglm's choice, Bertrand et al. 2022)
_ANDERSON_K = 5


@njit(cache=True)
def _column_penalty(penalty):
    """``(w, l2, positive)`` of a one-column penalty, ``w`` as a 1-D array."""
    return penalty.weights.reshape(penalty.weights.shape[0]), penalty.l2, penalty.positive


@njit(cache=True)
def _cd_epoch(op, cols, ws, x, penalty, norms2, r, random):
    """One pass of exact coordinate minimization over the working set ``ws`` (feature
    ``ws[a]`` is column ``cols[a]`` of ``op``): cyclic, or with ``random`` as many coordinates
    drawn uniformly with replacement (scikit-learn's ``selection="random"``).

    Coordinate j minimizes 0.5 ||r + A_j (x_j - u)||^2 + w_j |u| + 0.5 l2 u^2, i.e.
    u = ST(A_j.T r + ||A_j||^2 x_j, w_j) / (||A_j||^2 + l2) (ST: soft threshold; with
    ``positive``, max(., 0)); r = y - A x is updated in place.

    Returns the largest |change| and the largest |x_j| over the coordinates updated
    (scikit-learn's ``d_w_max`` and ``w_max``).
    """
    w, l2, positive = _column_penalty(penalty)
    n_ws = ws.shape[0]
    largest_change = 0.0
    largest = 0.0
    for b in range(n_ws):
        a = np.random.randint(0, n_ws) if random else b  # noqa: NPY002 (Numba's)
        j = ws[a]
        curvature = norms2[j] + l2
        if curvature <= 0.0:
            continue
        old = np.float64(x[j])
        new = soft_threshold(column_dot(op, cols[a], r) + norms2[j] * old, w[j]) / curvature
        if positive:
            new = max(new, 0.0)
        if new != old:
            x[j] = new
            column_axpy(op, cols[a], old - np.float64(x[j]), r)
        largest_change = max(largest_change, abs(np.float64(x[j]) - old))
        largest = max(largest, abs(np.float64(x[j])))
    return largest_change, largest


def residual_products(op, x, y, yy, r):
    """(||r||^2, b.T r) for coordinate descent's residual r = b - A x (compiled only)."""
    raise TypeError("coordinate descent needs a dense or sparse A")


@overload(residual_products)
def _residual_products(op, x, y, yy, r):
    def direct(op, x, y, yy, r):
        rr = 0.0
        yr = 0.0
        for i in range(r.shape[0]):
            rr += np.float64(r[i]) * r[i]
            yr += np.float64(y[i]) * r[i]
        return rr, yr

    def gram(op, x, y, yy, r):
        # y is c = A.T b and r is g = c - G x: b.T r = ||b||^2 - c.T x and
        # ||r||^2 = ||b||^2 - 2 c.T x + x.T G x = ||b||^2 - c.T x - x.T g
        cx = 0.0
        xg = 0.0
        for j in range(x.shape[0]):
            cx += np.float64(y[j]) * x[j]
            xg += np.float64(x[j]) * r[j]
        return max(yy - cx - xg, 0.0), yy - cx

    return implementation(op, Gram=gram, direct=direct)


@njit(cache=True)
def _subproblem_gap(op, cols, ws, x, penalty, y, yy, r):
    """Duality gap of the LASSO restricted to ``ws`` (x is zero elsewhere), rescaled residual.

    Only the inner stopping test: the certificate is the full gap of ``_duality_gap``.
    Unpenalized coordinates are left out of the scaling (coordinate descent minimizes them
    exactly at every pass).
    """
    w, l2, positive = _column_penalty(penalty)
    rr, yr = residual_products(op, x, y, yy, r)
    primal = 0.5 * rr
    xx = 0.0
    s = 1.0
    for a in range(ws.shape[0]):
        j = ws[a]
        v = np.float64(x[j])
        primal += w[j] * abs(v)
        xx += v * v
        if w[j] == 0.0:
            continue
        g = column_dot(op, cols[a], r) - l2 * v
        bound = abs(g) if not positive else g
        if bound * s > w[j]:
            s = w[j] / bound
    primal += 0.5 * l2 * xx
    dual = s * yr - 0.5 * s * s * (rr + l2 * xx)
    return primal - dual


@njit(cache=True)
def _ws_objective(op, ws, x, penalty, y, yy, r):
    """0.5 ||r||^2 + sum_ws w_j |x_j| + 0.5 l2 ||x_ws||^2 (x zero outside ws)."""
    w, l2, _ = _column_penalty(penalty)
    value = 0.5 * residual_products(op, x, y, yy, r)[0]
    for a in range(ws.shape[0]):
        v = np.float64(x[ws[a]])
        value += w[ws[a]] * abs(v) + 0.5 * l2 * v * v
    return value


def support_forward(op, x, Ax):
    """Ax = A x in float64 from the columns of the support of x (1-D): a fraction of a pass
    for a sparse x (compiled only)."""
    raise TypeError("coordinate descent needs a dense or sparse A")


@overload(support_forward)
def _support_forward(op, x, Ax):
    def dense_rows(op, x, Ax):  # row by row: A's rows are contiguous
        support = np.flatnonzero(x)
        values = np.empty(support.shape[0])
        for q in range(support.shape[0]):
            values[q] = x[support[q]]
        M = op.M
        for i in range(M.shape[0]):
            acc = 0.0
            for q in range(support.shape[0]):
                acc += M[i, support[q]] * values[q]
            Ax[i] = acc

    def columns(op, x, Ax):
        Ax[:] = 0.0
        for j in range(x.shape[0]):
            if x[j] != 0.0:
                column_axpy(op, j, np.float64(x[j]), Ax)

    return implementation(op, DenseRows=dense_rows, direct=columns, Gram=columns)


def working_set_operator(op, ws, buffer, buffer_ws, position):
    """``(op_ws, cols, buffer, buffer_ws)``: the operator the passes over the working set
    ``ws`` read, with feature ``ws[a]`` in its column ``cols[a]`` (compiled only).

    A row-ordered dense A (``DenseRows``, C-ordered) has no contiguous columns: the working
    set's columns are gathered into the rows of ``buffer`` (a ``DenseColumns`` operator; row q
    holds feature ``buffer_ws[q]``, -1 for none). Columns already there stay where they are;
    the others are read from A in blocks of rows into the rows no feature of ``ws`` holds, and
    only a working set larger than the buffer gets a new one. No copy of A is made: the
    gather is a fraction of A, and the passes read it contiguously.
    ``position`` (length n_features, all -1) is scratch space. Column forms are read in place
    (``op_ws`` is ``op``, ``cols`` is ``ws``).
    """
    raise TypeError("coordinate descent needs a dense or sparse A")


@overload(working_set_operator)
def _working_set_operator(op, ws, buffer, buffer_ws, position):
    def gather(op, ws, buffer, buffer_ws, position):
        M = op.M
        n = M.shape[0]
        n_ws = ws.shape[0]
        capacity = buffer.shape[0]
        for q in range(capacity):
            if buffer_ws[q] >= 0:
                position[buffer_ws[q]] = q
        cols = np.empty(n_ws, dtype=np.int64)
        kept = np.zeros(capacity, dtype=np.bool_)
        missing = np.empty(n_ws, dtype=np.int64)
        n_missing = 0
        for a in range(n_ws):
            q = position[ws[a]]
            cols[a] = q
            if q >= 0:
                kept[q] = True
            else:
                missing[n_missing] = a
                n_missing += 1
        for q in range(capacity):
            if buffer_ws[q] >= 0:
                position[buffer_ws[q]] = -1
        if n_ws > capacity:
            # too few rows: a buffer of exactly n_ws rows, the kept columns moved to its first
            # rows (the old buffer lives until then: the only time two are alive)
            grown = np.empty((n_ws, n), dtype=buffer.dtype)
            grown_ws = np.full(n_ws, -1, dtype=np.int64)
            q_new = 0
            for a in range(n_ws):
                if cols[a] >= 0:
                    grown[q_new] = buffer[cols[a]]
                    grown_ws[q_new] = ws[a]
                    cols[a] = q_new
                    q_new += 1
            buffer, buffer_ws = grown, grown_ws
            kept = np.zeros(n_ws, dtype=np.bool_)
            kept[:q_new] = True
        # the missing columns go to the rows no feature of ws holds (in place: no new buffer
        # while the working set fits in the rows gathered before)
        q = 0
        for t in range(n_missing):
            while kept[q]:
                q += 1
            cols[missing[t]] = q
            kept[q] = True
        for q in range(buffer.shape[0]):
            if not kept[q]:
                buffer_ws[q] = -1
        for a in range(n_ws):
            buffer_ws[cols[a]] = ws[a]
        # in blocks of rows: read along A's (contiguous) rows into a small row-major block,
        # then write it out transposed, contiguous runs of each column (element by element,
        # a write per page of the buffer would make it latency-bound)
        block = 64
        rows = np.empty((block, n_missing), dtype=buffer.dtype)
        for start in range(0, n, block):
            stop = min(start + block, n)
            for i in range(start, stop):
                row = M[i]
                gathered = rows[i - start]
                for t in range(n_missing):
                    gathered[t] = row[ws[missing[t]]]
            for t in range(n_missing):
                column = buffer[cols[missing[t]]]
                for i in range(start, stop):
                    column[i] = rows[i - start, t]
        return DenseColumns(buffer), cols, buffer, buffer_ws

    def in_place(op, ws, buffer, buffer_ws, position):
        return op, ws, buffer, buffer_ws

    return implementation(op, DenseRows=gather, direct=in_place, Gram=in_place)


operator_function(support_forward)
operator_function(working_set_operator)


@njit(cache=True)
def anderson_weights(last):
    """The weights c (sum c = 1) of Anderson's combination sum_k c_k x_k of the iterates
    x_1..x_K (rows 1..K of ``last``; row 0 is the one before), minimizing
    ||sum c_k (x_k - x_{k-1})||: c proportional to (U U.T)^-1 1, U the successive differences
    (Anderson 1965; for coordinate descent, Bertrand & Massias, AISTATS 2021). Empty when
    the system is degenerate."""
    n_rows, s = last.shape
    K = n_rows - 1
    U = np.empty((K, s))
    for q in range(K):
        for a in range(s):
            U[q, a] = last[q + 1, a] - last[q, a]
    C = np.dot(U, U.T) if s > 0 else np.zeros((K, K))
    z = solve_psd(C, np.ones(K), None)
    total = z.sum()
    if not np.isfinite(total) or total == 0.0:
        return np.empty(0)
    return z / total


@njit(cache=True)
def _anderson_step(op, cols, ws, x, penalty, y, yy, r, last, last_r, r_trial, x_trial):
    """Anderson extrapolation of the last K + 1 working-set iterates (rows of ``last``).

    The combination of :func:`anderson_weights` is kept when it lowers the objective
    (clipped at 0 with ``positive``); then x and r are updated in place.

    ``last_r`` holds the residuals of those iterates: r = y - A x is affine in x, so with
    sum c = 1 the extrapolated residual is sum_k c_k r_k, O(n K) instead of a pass over the
    working set's columns (as skglm does); only a clipped combination needs that pass. The
    last row of ``last`` is the current iterate.
    """
    positive = penalty.positive
    n_rows, s = last.shape
    K = n_rows - 1
    z = anderson_weights(last)
    if z.shape[0] == 0:
        return False
    clipped = False
    for a in range(s):
        value = 0.0
        for q in range(K):
            value += z[q] * last[q + 1, a]
        if positive and value < 0.0:
            value = 0.0
            clipped = True
        x_trial[a] = value
    if clipped:
        for i in range(r.shape[0]):
            r_trial[i] = r[i]
        for a in range(s):
            delta = np.float64(x[ws[a]]) - x_trial[a]
            if delta != 0.0:
                column_axpy(op, cols[a], delta, r_trial)
    else:
        for i in range(r.shape[0]):
            value = 0.0
            for q in range(K):
                value += z[q] * last_r[q + 1, i]
            r_trial[i] = value
    current = _ws_objective(op, ws, x, penalty, y, yy, r)
    for a in range(s):
        x[ws[a]] = x_trial[a]
    if not _ws_objective(op, ws, x, penalty, y, yy, r_trial) < current:
        for a in range(s):
            x[ws[a]] = last[K, a]
        return False
    for i in range(r.shape[0]):
        r[i] = r_trial[i]
    return True


@njit(cache=True)
def _priority(j, x, w, l2, positive, g, norms2, screened):
    """Feature j's place in the working set's order (see :func:`_select_working_set`)."""
    if screened[j] or norms2[j] + l2 <= 0.0:
        return np.inf
    if x[j] != 0.0 or w[j] == 0.0:
        return -np.inf
    gj = g[j] - l2 * np.float64(x[j])
    bound = abs(gj) if not positive else gj
    return (w[j] - bound) / np.sqrt(norms2[j] + l2)


@njit(cache=True)
def _select_working_set(x, penalty, g, norms2, screened, ws_size, work):
    """The ``ws_size`` features closest to (or beyond) their dual constraint.

    Priority (celer, Massias et al. 2018): (w_j - |g_j|) / ||A_j|| with g = A.T r - l2 x, the
    distance of the dual point to the constraint of feature j; the current support and the
    unpenalized features always belong (priority -inf), screened features never (+inf).
    ``work`` (length n_features) is scratch space, allocated once per solve (not at every
    outer iteration: large blocks allocated again can cost page faults); the priorities are
    computed again rather than kept in a second such array.
    """
    w, l2, positive = _column_penalty(penalty)
    p = x.shape[0]
    n_forced = 0
    n_eligible = 0
    for j in range(p):
        work[j] = _priority(j, x, w, l2, positive, g, norms2, screened)
        if work[j] == -np.inf:
            n_forced += 1
        if work[j] < np.inf:
            n_eligible += 1
    ws_size = min(max(ws_size, n_forced), n_eligible)
    ws = np.empty(ws_size, dtype=np.int64)
    if ws_size == 0:
        return ws
    threshold = kth_smallest(work, ws_size - 1)
    n = 0
    for j in range(p):  # strictly below the threshold first, then ties in index order
        if _priority(j, x, w, l2, positive, g, norms2, screened) < threshold:
            ws[n] = j
            n += 1
    for j in range(p):
        if n == ws_size:
            break
        if _priority(j, x, w, l2, positive, g, norms2, screened) == threshold:
            ws[n] = j
            n += 1
    return ws[:n]


# An outer iteration whose working-set problem missed its tolerance at every test within its
# passes, and whose gap is not below half the best gap so far, is a stall; this many in a row
# end the solve (the gap has reached the rounding floor, or the problem is too ill-conditioned
# for the passes).
_MAX_STALLS = 2
# A working-set solve whose gap has not reached a new low in this many tests in a row has
# stalled too: its iterates are at their rounding floor (float32 coefficients) and further
# passes only stir the rounding errors. It ends as a failed inner solve.
_MAX_INNER_STALLS = 10


@njit(cache=True)
def small_changes(change, largest, update_tol):
    """scikit-learn's gate on a pass: its largest coordinate change is at most ``update_tol``
    times the largest coefficient (never, for ``update_tol < 0``)."""
    return update_tol >= 0.0 and (largest == 0.0 or change <= update_tol * largest)


@njit(cache=True)
def stopping_test(primal, gap, tol, atol, change, largest, update_tol, first):
    """The outer stopping test: ``gap <= max(tol * primal, atol)`` (``_gap.column_met``)
    and, with ``update_tol >= 0`` and after the first test, :func:`small_changes` of the last
    pass."""
    if not column_met(primal, gap, tol, atol):
        return False
    return first or update_tol < 0.0 or small_changes(change, largest, update_tol)


@njit(cache=True)
def coordinate_descent(fit, penalty, X, norms2, tol, atol, update_tol, max_outer, max_inner,
                       max_epochs, ws_start, screen, anderson, gap_freq, seed, verbose):
    """Working-set cyclic coordinate descent with gap-safe screening, one column at a time.

    Outer iteration (celer / skglm): full duality gap at x with the rescaled residual (the
    same certificate as FISTA, ``_gap.duality_gap``) and the stopping test
    (:func:`stopping_test`); gap-safe screening (Fercoq, Gramfort & Salmon 2015; Ndiaye et
    al. 2017): with the feasible dual point theta = s [r'; -sqrt(l2) x] and radius
    sqrt(2 gap) (the dual is 1-strongly concave), feature j is zero at the optimum when
    s |g_j| + sqrt(2 gap) sqrt(||A_j||^2 + l2) < w_j; then a working set of the support and
    ``max(V, nnz / 4)`` more features (V violate their dual constraint at x; at most
    ``3 max(nnz, ws_start)``, at least ``ws_start`` in all) by dual-constraint distance,
    solved by cyclic coordinate descent to 0.3 times the outer gap and, if it holds every
    violator, on towards the tolerance while its passes have cost less than one pass over A,
    the price of the next outer iteration (straight to the tolerance when it holds every
    feature not screened out and ``update_tol < 0``; tested every ``gap_freq`` passes, at
    most ``max_inner`` passes), with Anderson extrapolation every ``_ANDERSON_K`` passes when
    ``anderson``. An outer iteration depends on x alone (the screening and the
    working set are recomputed from it), so a solve stopped after k outer iterations and
    restarted from its x continues exactly as one run would (scikit-learn's ``warm_start`` with
    ``max_iter``).

    Caps: ``max_outer`` outer iterations, ``max_epochs`` passes summed over them, and
    ``_MAX_STALLS`` stalled outer iterations in a row (a working-set solve also ends, as
    failed, after ``_MAX_INNER_STALLS`` gap tests without a new low). ``seed >= 0`` draws
    the coordinates at random (``_cd_epoch``) from Numba's generator seeded with it; cyclic
    order otherwise. Returns per column the passes, primal, gap, convergence and the number
    of features screened at the end.
    """
    op, target = fit.op, fit.target
    l2, positive = penalty.l2, penalty.positive
    n, m = target.shape
    p = X.shape[0]
    # 1-D buffers with (p, 1) / (n, 1) views of them for the shared gap kernel
    x1 = np.empty(p, dtype=X.dtype)
    y1 = np.empty(n, dtype=target.dtype)
    w1 = np.empty(p)
    x = x1.reshape((p, 1))
    yy1 = np.empty(1)
    column_fit = Datafit(op, y1.reshape((n, 1)), yy1)
    column_penalty = Penalty(w1.reshape((p, 1)), l2, positive, penalty.unpenalized,
                             penalty.unpenalized_gram)
    # the gap's terms in float64 also for float32 data (whose products then accumulate in
    # float64, _products._widening_matmat): the gap of the float32 iterate, exact to float64
    # rounding, so that no second pass over A has to certify it
    FX = np.empty((n, 1))
    resid = np.empty((n, 1))
    G = np.empty((p, 1))
    Z = np.zeros((p, 1))
    FZ = np.empty((n, 1))
    r = np.empty(n)
    Ax = np.empty(n)
    # the gathered working-set columns of a row-ordered A (working_set_operator)
    buffer = np.empty((0, n), dtype=X.dtype)
    buffer_ws = np.empty(0, dtype=np.int64)
    position = np.full(p, -1, dtype=np.int64)
    ws = np.empty(0, dtype=np.int64)
    op_ws, cols, buffer, buffer_ws = working_set_operator(op, ws, buffer, buffer_ws, position)
    r_trial = np.empty(n)
    # scratch space for every outer iteration (see _select_working_set)
    work = np.empty(p)
    last_r = np.empty((_ANDERSON_K + 1, n))
    g = np.empty(p)
    screened = np.empty(p, dtype=np.bool_)
    primal1 = np.empty(1)
    gap1 = np.empty(1)
    scaling = np.empty(1)
    n_iter = np.zeros(m, dtype=np.int64)
    primal = np.empty(m)
    gap = np.empty(m)
    n_screened = np.zeros(m, dtype=np.int64)
    converged = np.zeros(m, dtype=np.bool_)
    random = seed >= 0
    if random:  # Numba's own generator (nopython code has no numpy.random.Generator)
        np.random.seed(seed)  # noqa: NPY002
    for k in range(m):
        for j in range(p):
            x1[j] = X[j, k]
            w1[j] = penalty.weights[j, k]
        for i in range(n):
            y1[i] = target[i, k]
        yy1[0] = fit.yy[k]
        screened[:] = False
        epochs = 0
        outer = 0
        best_gap = np.inf
        stalls = 0
        change = 0.0
        largest = 0.0
        failed = False
        fresh = True
        confirming = False
        while True:
            if fresh:
                # A x from the columns of x's support: a fraction of a pass for a sparse x
                # (after the first outer iteration, from the working set's, which hold it)
                if outer == 0:
                    support_forward(op, x1, Ax)
                else:
                    Ax[:] = 0.0
                    for a in range(ws.shape[0]):
                        if x1[ws[a]] != 0.0:
                            column_axpy(op_ws, cols[a], np.float64(x1[ws[a]]), Ax)
                for i in range(n):
                    FX[i, 0] = Ax[i]
            else:
                # A x = y - r from the residual coordinate descent keeps up to date: saves a
                # product with A per outer iteration; a converged gap is confirmed below from
                # a fresh product
                for i in range(n):
                    FX[i, 0] = np.float64(y1[i]) - r[i]
            duality_gap(column_fit, column_penalty, FX, x, resid, G, Z, FZ, primal1, gap1,
                        scaling)
            if verbose:
                trace("column", k, "outer", outer, "epochs", epochs, "objective", primal1[0],
                      "gap", gap1[0])
            met = stopping_test(primal1[0], gap1[0], tol, atol[k], change, largest,
                                update_tol, outer == 0)
            if not confirming:
                if gap1[0] < 0.5 * best_gap:
                    best_gap = gap1[0]
                    stalls = 0
                elif failed:
                    stalls += 1
            if (met or outer >= max_outer or epochs >= max_epochs or stalls >= _MAX_STALLS
                    or not np.isfinite(gap1[0])):
                if not fresh:
                    fresh = confirming = True
                    continue
                # at a cap, converged means the gap test (scikit-learn's last iteration)
                converged[k] = column_met(primal1[0], gap1[0], tol, atol[k])
                break
            confirming = False
            outer += 1
            if fresh:
                for i in range(n):
                    r[i] = np.float64(y1[i]) - FX[i, 0]
            s = scaling[0]
            radius = np.sqrt(2.0 * gap1[0])
            nnz = 0
            violators = 0
            n_open = 0
            for j in range(p):
                g[j] = G[j, 0] - l2 * Z[j, 0]  # A.T r' (the refit's residual); x's l2 part below
                screened[j] = False
                if screen and w1[j] != 0.0:
                    gj = s * (g[j] - l2 * np.float64(x1[j]))
                    bound = abs(gj) if not positive else gj
                    if bound + radius * np.sqrt(norms2[j] + l2) < w1[j]:
                        screened[j] = True
                        if x1[j] != 0.0:
                            column_axpy(op, j, np.float64(x1[j]), r)
                            x1[j] = 0.0
                if not screened[j] and norms2[j] + l2 > 0.0:
                    n_open += 1
                if x1[j] != 0.0:
                    nnz += 1
                elif not screened[j] and w1[j] != 0.0:
                    gj = g[j] - l2 * np.float64(x1[j])
                    if (abs(gj) if not positive else gj) > w1[j]:
                        violators += 1
            # the support and as many features as violate their dual constraint at x, up to
            # 3 max(nnz, ws_start) (while the support grows, every feature of the working set
            # ends up nonzero: growing fourfold costs half the outer iterations, full passes
            # over A, of celer's and skglm's doubling), at least nnz / 4 (near the solution:
            # a working set closer to the support than their 2 nnz is better conditioned and
            # cheaper per pass)
            ws_size = max(ws_start, nnz + max(min(violators, 3 * max(nnz, ws_start)), nnz // 4))
            # float32 data: r stays float64 and FX would round it, so products stay fresh; so
            # they do for a sparse x (a fraction of a pass, and no confirming product at the end)
            fresh = np.finfo(X.dtype).eps > 1e-10 or 4 * nnz <= p
            ws = _select_working_set(x1, column_penalty, g, norms2, screened, ws_size, work)
            op_ws, cols, buffer, buffer_ws = working_set_operator(op, ws, buffer, buffer_ws,
                                                                  position)
            # the working set's problem to 0.3 times the gap, or to half the tolerance: no
            # further than the stopping test needs; if only the gate on the changes failed,
            # until a pass of small changes
            threshold = max(tol * primal1[0], atol[k])
            inner_tol = max(0.3 * gap1[0], 0.5 * threshold)
            if ws.shape[0] >= n_open and update_tol < 0.0:
                # every feature not screened out is in the working set: its problem is the
                # whole problem, solved to the tolerance at once (with scikit-learn's
                # semantics, max_iter counts outer iterations: each keeps to its share)
                inner_tol = 0.5 * threshold
            gate_only = gap1[0] <= threshold
            n_ws = ws.shape[0]
            complete = nnz + violators <= n_ws
            last = np.empty((_ANDERSON_K + 1, n_ws))
            x_trial = np.empty(n_ws)
            inner_epochs = 0
            failed = False
            best_inner_gap = np.inf
            tests_without_progress = 0
            while inner_epochs < max_inner and epochs < max_epochs:
                change, largest = _cd_epoch(op_ws, cols, ws, x1, column_penalty, norms2, r,
                                            random)
                epochs += 1
                if anderson:
                    row = inner_epochs % (_ANDERSON_K + 1)
                    for a in range(n_ws):
                        last[row, a] = x1[ws[a]]
                    for i in range(n):
                        last_r[row, i] = r[i]
                    if row == _ANDERSON_K:
                        _anderson_step(op_ws, cols, ws, x1, column_penalty, y1, yy1[0], r, last,
                                       last_r, r_trial, x_trial)
                inner_epochs += 1
                small = small_changes(change, largest, update_tol)
                if gate_only and small:
                    break
                # every gap_freq passes, and (scikit-learn's gate) after a pass of small changes
                if inner_epochs % gap_freq == 0 or small:
                    inner_gap = _subproblem_gap(op_ws, cols, ws, x1, column_penalty, y1,
                                                yy1[0], r)
                    failed = inner_gap > inner_tol
                    if inner_gap < best_inner_gap:
                        best_inner_gap = inner_gap
                        tests_without_progress = 0
                    else:
                        tests_without_progress += 1
                    if failed and tests_without_progress >= _MAX_INNER_STALLS:
                        break
                    # past 0.3 times the gap, with every violator in the working set (the
                    # outer gap is then the working set's), each further pass over it is
                    # cheaper than the outer iteration it may save, up to one pass over A
                    if not failed and (not complete or inner_gap <= 0.5 * threshold
                                       or inner_epochs * n_ws >= p):
                        break
        for j in range(p):
            X[j, k] = x1[j]
        n_iter[k] = epochs
        primal[k] = primal1[0]
        gap[k] = gap1[0]
        # the features screened out, and those the final dual point proves zero (a solve can
        # end before its gap was small enough to screen)
        s = scaling[0]
        radius = np.sqrt(2.0 * gap1[0])
        for j in range(p):
            gj = s * (G[j, 0] - l2 * (Z[j, 0] + np.float64(x1[j])))
            bound = abs(gj) if not positive else gj
            if screened[j] or (screen and w1[j] != 0.0 and x1[j] == 0.0
                               and bound + radius * np.sqrt(norms2[j] + l2) < w1[j]):
                n_screened[k] += 1
    return X, n_iter, primal, gap, converged, n_screened
