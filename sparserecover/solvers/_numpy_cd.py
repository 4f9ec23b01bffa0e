"""Working-set coordinate descent with gap-safe screening in NumPy alone, for small problems.

The algorithm of ``_cd_kernels._coordinate_descent`` (outer duality gap, gap-safe screening,
working sets by dual-constraint distance, cyclic coordinate descent on the working set to
0.3 times the outer gap, Anderson extrapolation kept when it lowers the objective), for the
problems of at most ``NUMPY_MAX_ENTRIES`` entries that ``_numpy_fista.use_numpy`` sends here
so that a fit never starts Numba (see ``_numpy_fista``'s docstring).

One difference of form, none of substance: the working-set subproblem runs on its Gram
matrix ``A_ws.T A_ws`` (one small NumPy product per outer iteration), so a coordinate update
is one dot product of length ``|ws|`` in Python rather than two passes over a column of
``A``; the inner stopping test and Anderson's objective use a fresh residual
``y - A_ws x_ws``, and the certificate is the full duality gap of ``_numpy_fista``, computed
from ``A`` itself.
"""

import numpy as np

from ._numpy_fista import _Products, _solve_psd, duality_gap

# Anderson extrapolation from the last _ANDERSON_K passes (as ``_cd_kernels``)
_ANDERSON_K = 5


def _columns(matrix, ws):
    """``A[:, ws]`` as a float64 ndarray (dense or sparse ``A``)."""
    columns = matrix[:, ws]
    if hasattr(columns, "toarray"):
        columns = columns.toarray()
    return np.asarray(columns, dtype=np.float64)


def _select_working_set(x, w, g, l2, positive, norms2, screened, ws_size):
    """The ``ws_size`` features nearest (or beyond) their dual constraint, in index order.

    As ``_cd_kernels._select_working_set``: priority (w_j - |g_j|) / sqrt(||A_j||^2 + l2),
    the support and the unpenalized features always in, screened features never.
    """
    bound = g if positive else np.abs(g)
    curvature = norms2 + l2
    with np.errstate(divide="ignore", invalid="ignore"):
        priority = (w - bound) / np.sqrt(curvature)
    priority[(x != 0.0) | (w == 0.0)] = -np.inf
    priority[screened | (curvature <= 0.0)] = np.inf
    n_forced = int(np.count_nonzero(priority == -np.inf))
    n_eligible = int(np.count_nonzero(priority < np.inf))
    ws_size = min(max(ws_size, n_forced), n_eligible)
    # a stable sort breaks ties by index, as the compiled selection does
    return np.sort(np.argsort(priority, kind="stable")[:ws_size])


def _subproblem(A_ws, y, x, w, l2, positive):
    """(objective, gap) of the problem restricted to the working set (``_subproblem_gap``).

    From a fresh residual ``y - A_ws x``; only the inner stopping test.
    """
    r = y - A_ws @ x
    rr = float(r @ r)
    yr = float(y @ r)
    xx = float(x @ x)
    primal = 0.5 * rr + float(w @ np.abs(x)) + 0.5 * l2 * xx
    g = A_ws.T @ r - l2 * x
    bound = g if positive else np.abs(g)
    active = (w != 0.0) & (bound > 0.0)
    s = min(1.0, float(np.min(w[active] / bound[active], initial=np.inf)))
    return primal, primal - (s * yr - 0.5 * s * s * (rr + l2 * xx))


def _anderson_step(A_ws, y, x, w, l2, positive, last):
    """Anderson extrapolation of the rows of ``last`` (the last K + 1 iterates), or None.

    As ``_cd_kernels._anderson_step``: c proportional to (U U.T)^-1 1 for the successive
    differences U, sum c = 1; the combination (clipped at 0 with ``positive``) is returned
    when it lowers the objective.
    """
    U = np.diff(last, axis=0)
    z = _solve_psd(U @ U.T, np.ones(U.shape[0]))
    total = z.sum()
    if not np.isfinite(total) or total == 0.0:
        return None
    trial = (z / total) @ last[1:]
    if positive:
        trial = np.maximum(trial, 0.0)

    def objective(v):
        r = y - A_ws @ v
        return 0.5 * float(r @ r) + float(w @ np.abs(v)) + 0.5 * l2 * float(v @ v)

    return trial if objective(trial) < objective(x) else None


def _cd_epoch(rows, diagonal, q, x, w, l2, positive):
    """One cyclic pass of exact coordinate minimization on the Gram form.

    Coordinate a minimizes 0.5 x.T G x - c.T x + w_a |x_a| + 0.5 l2 x_a^2 over x_a:
    u = ST(q_a + G_aa x_a, w_a) / (G_aa + l2) with q = c - G x = A_ws.T r, the update of
    ``_cd_kernels._cd_epoch``. ``x`` (a list of floats) and ``q`` are updated in place: a
    coordinate that stays put costs a few float operations, one that moves one NumPy axpy
    on ``q`` (2-3x faster in the interpreter than a dot product per coordinate).
    """
    for a in range(len(x)):
        curvature = diagonal[a] + l2
        if curvature <= 0.0:
            continue
        old = x[a]
        v = q.item(a) + diagonal[a] * old
        threshold = w[a]
        if v > threshold:
            new = (v - threshold) / curvature
        elif v < -threshold and not positive:
            new = (v + threshold) / curvature
        else:
            new = 0.0
        if new != old:
            x[a] = new
            q -= (new - old) * rows[a]  # G is symmetric: row a is column a


def coordinate_descent(problem, W, X, norms2, *, positive, l2, max_iter, tol, ws_start,
                       screen, anderson, gap_freq, unpenalized, unpenalized_gram, verbose=False):
    """Working-set coordinate descent, column by column: ``_coordinate_descent``'s returns.

    ``(X, n_iter, primal, gap, converged, n_screened)`` with per-column epochs (passes over
    working sets, summed over outer iterations and capped by ``max_iter``).
    """
    # float64 throughout (float32 data: A is converted once, small by construction); the
    # caller recomputes the certificate at the returned, rounded x
    op = problem.op.astype(np.float64)
    products = _Products(op)
    p, m = X.shape
    X = X.astype(np.float64)
    n_iter = np.zeros(m, dtype=np.int64)
    primal = np.empty(m)
    gap = np.empty(m)
    n_screened = np.zeros(m, dtype=np.int64)
    converged = np.zeros(m, dtype=bool)
    curvature = np.sqrt(norms2 + l2)
    for k in range(m):
        y = problem.Y[:, k].astype(np.float64)
        target = y[:, None]
        yy = problem.yy[k : k + 1]
        w = np.ascontiguousarray(W[:, k])
        x = X[:, k].copy()
        screened = np.zeros(p, dtype=bool)
        epochs = 0
        ws_size = ws_start
        previous_gap = np.inf
        outer = 0
        while True:
            x_column = x[:, None]
            FX = products.forward(x_column)
            primal_k, gap_k, s, correlation, refit = duality_gap(
                products, target, yy, FX, x_column, w[:, None], l2, positive, unpenalized,
                unpenalized_gram)
            primal_k, gap_k, s = float(primal_k[0]), float(gap_k[0]), float(s[0])
            if verbose:
                print("column", k, "outer", outer, "epochs", epochs, "objective", primal_k,
                      "gap", gap_k, "working set", ws_size)
            if gap_k <= tol * primal_k or epochs >= max_iter:
                converged[k] = gap_k <= tol * primal_k
                break
            outer += 1
            g = correlation[:, 0] - l2 * refit[:, 0]  # A.T r' (r' after the refit)
            if screen:
                # gap-safe sphere: centre s r', radius sqrt(2 gap) (the dual is 1-strongly
                # concave); feature j is zero at the optimum when its constraint cannot bind
                dual_correlation = s * (g - l2 * x)
                bound = dual_correlation if positive else np.abs(dual_correlation)
                screened |= (w != 0.0) & (bound + np.sqrt(2.0 * gap_k) * curvature < w)
                x[screened] = 0.0
            if gap_k >= previous_gap:
                ws_size = 2 * ws_size  # no progress: the working set misses features
            ws_size = max(ws_size, 2 * int(np.count_nonzero(x)))
            previous_gap = gap_k
            ws = _select_working_set(x, w, g, l2, positive, norms2, screened, ws_size)
            ws_size = max(ws_size, ws.size)
            A_ws = _columns(op.matrix, ws)
            gram = A_ws.T @ A_ws
            rows = list(gram)
            diagonal = norms2[ws].tolist()
            c = A_ws.T @ y
            w_ws = w[ws]
            w_list = w_ws.tolist()
            x_ws = x[ws]
            x_list = x_ws.tolist()
            q = c - gram @ x_ws  # A_ws.T r, kept up to date by the passes
            inner_tol = 0.3 * gap_k
            last = np.empty((_ANDERSON_K + 1, ws.size))
            inner_epochs = 0
            while epochs < max_iter:
                _cd_epoch(rows, diagonal, q, x_list, w_list, l2, positive)
                epochs += 1
                if anderson:
                    row = inner_epochs % (_ANDERSON_K + 1)
                    last[row] = x_list
                    if row == _ANDERSON_K:
                        x_ws = np.array(x_list)
                        extrapolated = _anderson_step(A_ws, y, x_ws, w_ws, l2, positive, last)
                        if extrapolated is not None:
                            x_list = extrapolated.tolist()
                            q = c - gram @ extrapolated
                inner_epochs += 1
                if epochs % gap_freq == 0:
                    x_ws = np.array(x_list)
                    q = c - gram @ x_ws  # no drift from the incremental updates
                    if _subproblem(A_ws, y, x_ws, w_ws, l2, positive)[1] <= inner_tol:
                        break
            x_ws = np.array(x_list)
            x[ws] = x_ws
        X[:, k] = x
        n_iter[k] = epochs
        primal[k] = primal_k
        gap[k] = gap_k
        n_screened[k] = int(np.count_nonzero(screened))
    return X.astype(problem.dtype, copy=False), n_iter, primal, gap, converged, n_screened

