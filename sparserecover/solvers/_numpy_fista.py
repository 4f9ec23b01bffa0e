"""ISTA / FISTA with the duality-gap certificate in NumPy alone, for small problems.

A compiled kernel has a fixed first-call cost in every new process: ``import numba`` (about
0.15 s) plus Numba's first-function initialisation (about 0.3 s, even with a warm cache),
while a small LASSO (say 50 x 200) is solved in a few milliseconds by NumPy's vectorized
operations. Problems with at most :data:`NUMPY_MAX_ENTRIES` entries (``n_samples *
n_features * n_targets``) are therefore solved here, by the same iteration as the compiled
driver ``_kernels._proximal_gradient`` (same steps, restart test, backtracking, gap schedule,
dual point and stop rule; the iterates agree to rounding, see
``tests/solvers/test_numpy_path.py``), written with whole-array operations. The choice is
:func:`use_numpy`'s.
"""


import numpy as np

from ..operators import Operator

# Largest n_samples * n_features * n_targets solved in NumPy, by measurement
# (docs/benchmarks_solvers.md, "First-call latency"): the compiled path costs about 0.45 s
# once per process (import numba, Numba's first-function initialisation), then 0.2-1.7 ms
# per fit at 50 x 200 to 100 x 300; the NumPy coordinate descent 1-3 ms per fit at
# lam_max/10 and 5-20 ms at lam_max/100. NumPy is thus ahead for a single fit up to far
# larger sizes, and over a grid search of ~100 refits at lam_max/10 (~25-50 at lam_max/100)
# up to this size; beyond it the per-fit gap grows with the size.
NUMPY_MAX_ENTRIES = 2**14

# Largest entries x solves solved in NumPy, by one call (a path, or a cross-validation's
# paths) and by the whole process. Solving the same small problem many times pays Numba's
# start-up once and then runs 10-20x faster per solve: LassoCV(cv=5) on load_diabetes
# (442 x 10, 6 paths of 100 alphas) took 0.60 s in NumPy in a fresh process, against 0.45 s
# compiled, and every later fit 0.61 s against 0.035 s (one BLAS thread); 100 refits of a
# 50 x 200 Lasso (1e6 entries x solves) take 0.9 s in NumPy, 0.1 s compiled. One path of 100
# lams on diabetes (4.4e5 entries x solves) still favours NumPy: 0.1 s against 0.45 s.
NUMPY_MAX_WORK = 2**20

# entries x solves run on the NumPy path so far in this process
_numpy_work = 0


def use_numpy(problem, n_solves=1):
    """Whether the next solve of ``problem``, by a call solving it ``n_solves`` times, runs
    in NumPy; counts it if so.

    Problems above ``NUMPY_MAX_ENTRIES`` entries, and calls of more than ``NUMPY_MAX_WORK``
    entries x solves, run compiled. So does every solve once the process has run
    ``NUMPY_MAX_WORK`` entries x solves in NumPy: by then it has spent about Numba's start-up
    in NumPy's slower solves (rent, then buy), and a grid search that refits a small problem
    hundreds of times runs compiled after its first ~100 fits instead of 10x slower
    throughout. Which path a solve takes thus depends on the process's earlier solves (a path
    may change over midway); the two agree to rounding (``tests/solvers``).
    """
    global _numpy_work
    entries = problem.n_samples * problem.n_features * problem.n_targets
    if (
        entries > NUMPY_MAX_ENTRIES
        or entries * n_solves > NUMPY_MAX_WORK
        or _numpy_work >= NUMPY_MAX_WORK
    ):
        return False
    _numpy_work += entries
    return True


class _Products:
    """``A @ X`` and ``A.T @ R`` (or ``G @ X`` for a Gram-matrix problem: ``gram``)."""

    def __init__(self, operator, gram=False):
        self.operator = operator
        self.gram = gram
        # ndarray / sparse matrix: the @ operator (A.T is a free view); LinearOperator: its
        # own matmat / rmatmat
        self.matrix = None if operator.kind == "linear_operator" else operator.matrix

    def forward(self, X):
        if self.matrix is None:
            return self.operator.matmat(X)
        return np.asarray(self.matrix @ X)

    def adjoint(self, R):
        if self.matrix is None:
            return self.operator.rmatmat(R)
        return np.asarray(self.matrix.T @ R)


def _products(problem, dtype=None):
    """(products, target) of ``problem``: Gram form if the problem iterates on ``A.T A``."""
    if problem.gram and dtype is None:
        (_, _, G, _, _, _), c = problem.kernel_problem()
        return _Products(Operator(G, "dense"), gram=True), c
    dtype = problem.dtype if dtype is None else np.dtype(dtype)
    return _Products(problem.op.astype(dtype)), problem.Y.astype(dtype, copy=False)


def _dots(a, b):
    """Column-wise sum_i a[i, k] b[i, k], accumulated in float64 (as ``_column_dots``)."""
    if a.shape[1] == 1 and a.dtype == b.dtype == np.float64:
        return np.array([np.dot(a[:, 0], b[:, 0])])  # BLAS ddot: 5x less overhead
    return np.einsum("ik,ik->k", a, b, dtype=np.float64)


def _solve_psd(G, b):
    """Solve G z = b for a small symmetric PSD G with the relative diagonal shift 1e-12 of
    ``_kernels._solve_psd`` (collinear unpenalized columns stay solvable)."""
    scale = float(np.max(np.diag(G), initial=0.0))
    shift = 1e-12 * scale if scale > 0.0 else 1e-300
    shifted = G + shift * np.eye(G.shape[0])
    try:
        return np.linalg.solve(shifted, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(shifted, b, rcond=None)[0]


def _refit_unpenalized(G, X, W, l2, positive, unpenalized, unpenalized_gram):
    """Z: least-squares correction of the unpenalized coordinates (``_refit_unpenalized``)."""
    Z = np.zeros_like(X)
    for k in range(X.shape[1]):
        g = G[unpenalized, k].astype(np.float64) - l2 * X[unpenalized, k]
        selected = W[unpenalized, k] == 0.0
        if positive:
            # at zero with a gradient pushing down, the one-sided constraint already holds
            selected &= (X[unpenalized, k] > 0.0) | (g > 0.0)
        if selected.any():
            sub = unpenalized_gram[np.ix_(selected, selected)]
            Z[unpenalized[selected], k] = _solve_psd(sub, g[selected])
    return Z


def duality_gap(products, target, yy, FX, X, W, l2, positive, unpenalized, unpenalized_gram):
    """``(primal, gap, scaling, G, Z)``: the certificate of ``_kernels._duality_gap``.

    Per column: P(x), the gap and the dual scaling s (theta = s r'); ``G`` = A.T r' and ``Z``
    the refit of the unpenalized coordinates (zeros without any), both of X's shape.

    The dual point is theta = s r' with r' the residual after the refit of the unpenalized
    coordinates and s = min(1, min_j W_j / |g_j|), g = A.T r' - l2 (x + z); see
    ``_kernels._gap_from_dual_scaling`` for the tolerance on the unpenalized constraints.
    """
    if products.gram:  # target is c = A.T b, FX = G x
        G = target - FX
        cx = _dots(target, X)
        rr = np.maximum(_dots(X, FX) - 2.0 * cx + yy, 0.0)
        yr = yy - cx
    else:
        resid = target - FX
        rr = _dots(resid, resid)
        yr = _dots(target, resid)
        G = products.adjoint(resid)
    X64 = X.astype(np.float64)
    primal = 0.5 * rr + np.sum(W * np.abs(X64), axis=0) + 0.5 * l2 * _dots(X64, X64)
    if unpenalized.size:
        Z = _refit_unpenalized(G, X, W, l2, positive, unpenalized, unpenalized_gram)
        FZ = products.forward(Z)
        if products.gram:
            rr = np.maximum(rr - 2.0 * _dots(Z, G) + _dots(Z, FZ), 0.0)
            yr = yr - _dots(target, Z)
            G = G - FZ
        else:
            resid = resid - FZ
            rr = _dots(resid, resid)
            yr = _dots(target, resid)
            G = products.adjoint(resid)
        V = X64 + Z
    else:
        Z = np.zeros_like(X)
        V = X64
    xx = _dots(V, V)
    g = G.astype(np.float64) - l2 * V
    bound = g if positive else np.abs(g)
    s = np.ones(X.shape[1])
    if unpenalized.size:
        # an unpenalized constraint g_j = 0 violated beyond rounding makes s = 0
        scale = np.maximum(np.max(np.abs(g), axis=0), np.max(W, axis=0))
        residual_norm = np.sqrt(np.maximum(rr, 0.0) + l2 * xx)
        column_norm = np.sqrt(np.maximum(np.diag(unpenalized_gram), 0.0))[:, None]
        zero_tol = np.sqrt(np.finfo(X.dtype).eps) * np.maximum(scale, column_norm * residual_norm)
        violated = (W[unpenalized] == 0.0) & (bound[unpenalized] > zero_tol)
        s[violated.any(axis=0)] = 0.0
    active = (W != 0.0) & (bound > 0.0)
    ratio = np.divide(W, bound, out=np.full_like(g, np.inf), where=active)
    s = np.where(s > 0.0, np.minimum(s, np.min(ratio, axis=0)), 0.0)
    dual = s * yr - 0.5 * s * s * (rr + l2 * xx)
    return primal, np.maximum(primal - dual, 0.0), s, G, Z


def proximal_gradient(products, target, yy, W, l2, positive, X, step, accelerate, restart,
                      backtracking, max_iter, tol, gap_freq, unpenalized, unpenalized_gram,
                      history, callback, verbose):
    """ISTA / FISTA (with adaptive restart and backtracking): ``_kernels._proximal_gradient``
    in whole-array operations, with the same arguments (``products`` instead of the operator
    tuple) and the same return values; ``step`` is updated in place."""
    dtype = X.dtype

    def gap_of(FX, X):
        return duality_gap(products, target, yy, FX, X, W, l2, positive, unpenalized,
                           unpenalized_gram)[:2]

    FX = products.forward(X)
    FY, Y = FX, X
    primal, gap = gap_of(FX, X)
    hist_iter, hist_primal, hist_gap = [0], [primal], [gap]
    converged = bool(np.all(gap <= tol * primal))
    if verbose:
        print("iteration", 0, "objective", primal.sum(), "gap", gap.sum())
    m = X.shape[1]
    t = np.ones(m)
    beta = np.zeros(m)
    it = 0
    checked = True
    is64 = dtype == np.float64
    threshold = None
    while not converged and it < max_iter:
        it += 1
        grad = FY - target if products.gram else products.adjoint(FY - target)
        while True:
            if threshold is None:  # (again after backtracking changed a step)
                threshold = step * W
                negative_threshold = -threshold
                shrink = 1.0 / (1.0 + step * l2) if l2 else None
            # prox of t (W |.| + 0.5 l2 |.|^2) at v = y - t grad: v - clip(v, -tW, tW), scaled
            V = Y - step * grad
            if positive:
                X_new = np.maximum(V - threshold, 0.0)
            else:
                X_new = V - np.minimum(np.maximum(V, negative_threshold), threshold)
            if shrink is not None:
                X_new *= shrink
            if not is64:
                X_new = X_new.astype(dtype)
            FX_new = products.forward(X_new)
            if not backtracking:
                break
            D = X_new.astype(np.float64) - Y
            FD = FX_new.astype(np.float64) - FY
            curvature = _dots(D, FD) if products.gram else _dots(FD, FD)
            # the 1e-12 slack keeps rounding from shrinking an already valid step
            too_long = curvature * step > _dots(D, D) * (1.0 + 1e-12)
            if not too_long.any():
                break
            step[too_long] *= 0.5
            threshold = None
        if accelerate:
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_next
            t = t_next
            if restart:
                # O'Donoghue & Candes: restart when (y - x_new).T (x_new - x) > 0
                X_new64 = X_new if is64 else X_new.astype(np.float64)
                restarted = _dots(Y - X_new64, X_new64 - X) > 0.0
                if restarted.any():
                    t[restarted] = 1.0
                    beta[restarted] = 0.0
        # momentum: y = x_new + beta (x_new - x), and A y from A x_new, A x (exact by linearity)
        if accelerate:
            Y = X_new + beta * (X_new - X)
            FY = FX_new + beta * (FX_new - FX)
            if not is64:
                Y, FY = Y.astype(dtype), FY.astype(dtype)
        else:
            Y, FY = X_new, FX_new
        X, FX = X_new, FX_new
        checked = False
        stop = bool(callback(X)) if callback is not None else False
        if it % gap_freq == 0 or it == max_iter or stop:
            primal, gap = gap_of(FX, X)
            checked = True
            converged = bool(np.all(gap <= tol * primal))
            if history:
                hist_iter.append(it)
                hist_primal.append(primal)
                hist_gap.append(gap)
            if verbose:
                print("iteration", it, "objective", primal.sum(), "gap", gap.sum())
        if stop:
            break
    if not checked:
        primal, gap = gap_of(FX, X)
        converged = bool(np.all(gap <= tol * primal))
    if not history:
        hist_iter, hist_primal, hist_gap = [], [], []
    return (X, it, primal, gap, converged, np.array(hist_iter, dtype=np.int64),
            np.array(hist_primal).reshape(-1, m), np.array(hist_gap).reshape(-1, m))


def exact_gap(problem, X, W, l2, positive, unpenalized, unpenalized_gram):
    """Primal and gap from ``A`` itself in float64 (float32 data, Gram iterations)."""
    products, target = _products(problem, np.float64)
    X64 = X.astype(np.float64)
    return duality_gap(products, target, problem.yy, products.forward(X64), X64, W, l2,
                       positive, unpenalized, unpenalized_gram)[:2]


def solve(problem, W, X, *, accelerate, restart, backtracking, positive, l2, step, max_iter,
          tol, gap_freq, solver, history=False, callback=None, verbose=False):
    """``_fista._solve`` on the NumPy path: a SolverResult for a prepared (small) problem."""
    # _fista's module does not load Numba (its kernels are bound lazily)
    from ._fista import initial_steps, proximal_result

    steps = initial_steps(problem, step, backtracking)
    unpenalized, unpenalized_gram = problem.unpenalized(W, l2)
    products, target = _products(problem)
    wrapped = None
    if callback is not None:
        def wrapped(X_current):
            return callback(X_current[:, 0] if problem.y_ndim == 1 else X_current)
    iterated = proximal_gradient(
        products, target, problem.yy, W, l2, positive, X, steps, accelerate, restart,
        backtracking, max_iter, tol, gap_freq, unpenalized, unpenalized_gram, history,
        wrapped, verbose,
    )
    return proximal_result(problem, iterated, steps, W, l2, positive, unpenalized,
                           unpenalized_gram, max_iter, tol, solver, history,
                           exact_gap=exact_gap)
