"""The LASSO regularization path, with warm starts."""

import numpy as np

from .._validation import as_float_array, check_finite, check_scalar
from ..operators import readonly
from . import _numpy_fista
from ._cd import _solve_cd
from ._fista import _solve
from ._numpy_fista import use_numpy
from ._problem import LeastSquaresProblem, check_int, check_options

# The strategies of ``solver=``: "cd" is working-set coordinate descent with gap-safe
# screening (``coordinate_descent``), "fista"/"ista" the proximal-gradient loop with or
# without momentum, and "auto" picks one per problem (``choose_solver``).
_SOLVERS = ("auto", "cd", "fista", "ista")

# Below this many features a working set (10 features to start, then doubled) soon is the
# whole problem, and FISTA's fused loop is the cheaper one.
MIN_CD_FEATURES = 100


def auto_solver(kind, n_features):
    """The strategy "auto" stands for, from the design's kind and shape alone.

    FISTA for a ``LinearOperator`` (coordinate descent needs columns) and for fewer than
    ``MIN_CD_FEATURES`` features; working-set coordinate descent otherwise, which measured
    faster than FISTA (also FISTA on the Gram matrix of tall designs) on every benchmark
    problem but the smallest (docs/benchmarks_solvers.md). Either runs in NumPy for
    problems of at most ``NUMPY_MAX_ENTRIES`` entries (see :func:`solve`).
    """
    if kind == "linear_operator" or n_features < MIN_CD_FEATURES:
        return "fista"
    return "cd"


def choose_solver(problem):
    """The strategy "auto" stands for on a prepared problem (see :func:`auto_solver`)."""
    return auto_solver(problem.op.kind, problem.n_features)


def solve(problem, W, X, solver, *, positive, l2, max_iter, tol, gap_freq, name, step=None,
          n_solves=1):
    """One solve of a prepared problem with a named strategy (never "auto").

    Problems of at most ``NUMPY_MAX_ENTRIES`` entries run the NumPy implementation of the
    same algorithm (no Numba start-up, see ``_numpy_fista``) unless this solve is one of
    ``n_solves`` of a call (a path) that together exceed ``NUMPY_MAX_WORK``; the choice
    depends on these numbers alone. ``step`` (FISTA/ISTA): a known step, e.g. a previous
    solve's, else ``1 / L``.
    """
    if solver == "cd":
        return _solve_cd(
            problem, W, X, positive=positive, l2=l2, max_iter=max_iter, tol=tol,
            gap_freq=gap_freq, screen=True, ws_start=10, verbose=False, solver=name,
            n_solves=n_solves,
        )
    options = dict(
        accelerate=solver == "fista", restart=True, backtracking=False, positive=positive,
        l2=l2, step=step, max_iter=max_iter, tol=tol, gap_freq=gap_freq, solver=name,
    )
    if use_numpy(problem, n_solves):
        return _numpy_fista.solve(problem, W, X, **options)
    return _solve(problem, W, X, history=False, callback=None, verbose=False, **options)


def solve_lasso(A, y, lam, *, solver="auto", x0=None, step=None, l2=0.0, positive=False,
                max_iter=10_000, tol=None, gap_freq=10, name=None, n_solves=1):
    """Check the arguments, prepare the problem and solve it once with ``solver``.

    The entry point of the estimators: ``solver`` is "auto" (:func:`choose_solver`), "cd",
    "fista" or "ista"; the other arguments are those of :func:`fista` (``step`` is ignored
    by "cd"); ``n_solves``: how many solves the caller makes in all (see :func:`solve`).
    """
    if solver not in _SOLVERS:
        raise ValueError(f"solver must be one of {_SOLVERS}; got {solver!r}")
    problem = LeastSquaresProblem(A, y, gram="auto" if solver != "cd" else False)
    if solver == "auto":
        solver = choose_solver(problem)
    if solver == "cd" and problem.op.kind == "linear_operator":
        raise TypeError("solver='cd' needs a dense or sparse A, not a LinearOperator")
    W = problem.weights(lam)
    l2 = check_scalar(l2, "l2", low=0.0)
    max_iter, tol, step, gap_freq = check_options(max_iter, tol, step, gap_freq, problem.dtype)
    X = problem.start(x0, positive=bool(positive))
    return solve(problem, W, X, solver, positive=bool(positive), l2=l2, max_iter=max_iter,
                 tol=tol, gap_freq=gap_freq, name=name or solver, step=step,
                 n_solves=n_solves)


def _lam_max(problem, W, positive, l2):
    """Smallest lam for which the solution is zero on every penalized coefficient.

    With weights w (``W``, one column per target) that is ``max_j |A_j.T r| / w_j`` over
    penalized j, where r is the residual of the (ridge, with ``l2``) fit of the unpenalized
    coefficients alone (r = y when there are none); only positive correlations count with
    ``positive``. The maximum is over all targets: one grid serves every column.
    """
    unpenalized, unpenalized_gram = problem.unpenalized(W, l2)
    R = problem.Y.astype(np.float64)
    if unpenalized.size:
        E = np.zeros((problem.n_features, unpenalized.size), dtype=problem.dtype)
        E[unpenalized, np.arange(unpenalized.size)] = 1
        A_U = np.asarray(problem.op.matmat(E), dtype=np.float64)
        Z = np.linalg.lstsq(unpenalized_gram, A_U.T @ R, rcond=None)[0]
        R = R - A_U @ Z
    correlation = np.asarray(problem.op.rmatmat(R.astype(problem.dtype)), dtype=np.float64)
    if not positive:
        correlation = np.abs(correlation)
    penalized = W > 0
    if not penalized.any():
        return 0.0
    return float(np.max(correlation[penalized] / W[penalized], initial=0.0))


def lasso_path(A, y, lams=None, *, n_lams=100, eps=1e-3, weights=None, positive=False, l2=0.0,
               x0=None, solver="auto", max_iter=10_000, tol=None, gap_freq=10,
               gram="auto"):
    """LASSO solutions along a decreasing grid of penalties, each warm-started from the last.

    Solves ``min_x 0.5 ||A x - y||^2 + lam * sum_j w_j |x_j| + 0.5 l2 ||x||^2`` with
    :func:`fista` for every ``lam`` in ``lams``. ``A`` is prepared once (Gram matrix,
    Lipschitz constant) for the whole path. Mirrors ``sklearn.linear_model.lasso_path`` with
    ``lam = alpha * n_samples``: the same default grid and output shapes.

    Parameters
    ----------
    A : ndarray, scipy.sparse matrix or LinearOperator of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        With 2-D ``y`` the columns are independent LASSO problems (not scikit-learn's
        multi-task penalty) sharing one grid.
    lams : array_like, optional
        Penalties, >= 0; sorted into decreasing order. Default: ``n_lams`` values
        geometrically spaced from ``lam_max`` down to ``eps * lam_max``, where ``lam_max`` is
        the smallest penalty whose solution is zero on every penalized coefficient
        (``||A.T y||_inf`` for unit weights).
    n_lams : int, default 100
    eps : float, default 1e-3
    weights : float or ndarray, optional
        Per-coefficient weights ``w`` (broadcast like ``lam`` in :func:`fista`; zero =
        unpenalized). Default 1.
    positive, l2, max_iter, tol, gap_freq, gram
        As in :func:`fista`.
    x0 : ndarray, optional
        Warm start for the first (largest) penalty.
    solver : {"auto", "cd", "fista", "ista"}, default "auto"
        The algorithm run at each penalty: "cd" is working-set coordinate descent
        (:func:`sparserecover.solvers.coordinate_descent`), whose gap-safe screening starts
        from the previous penalty's solution (the sequential rule of Ndiaye et al. 2017);
        "fista" (with adaptive restart) and "ista" as :func:`fista`/:func:`ista`. "auto":
        "fista" for a ``LinearOperator`` and for fewer than 100 features, "cd" otherwise
        (the faster one measured in ``docs/benchmarks_solvers.md``). With "cd",
        ``max_iter`` counts coordinate-descent passes. Problems of at most 2**14 entries
        (``n_samples * n_features * n_targets``) whose entries times ``len(lams)`` are at
        most 2**20 are solved by NumPy implementations of the same algorithms, which do not
        start Numba (about 0.45 s the first time in a process); larger paths gain more from
        the compiled loops than that start-up costs.

    Returns
    -------
    lams : ndarray of shape (n_lams,)
        Decreasing.
    coefs : ndarray of shape (n_features, n_lams) or (n_targets, n_features, n_lams)
        In the dtype of the problem.
    gaps : ndarray of shape (n_lams,) or (n_targets, n_lams)
        Duality gap (float64, absolute, in this objective's scale) of each solution.

    Raises
    ------
    ValueError, TypeError
        For NaN/inf, inconsistent shapes of ``A`` and ``y``, negative ``lams`` or ``weights``,
        ``n_lams < 1``, ``eps <= 0``, or an unknown ``solver``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import lasso_path
    >>> A = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> lams, coefs, gaps = lasso_path(A, np.array([1.0, 2.0, 2.0]), n_lams=3, eps=0.1)
    >>> lams
    array([6.       , 1.8973666, 0.6      ])
    >>> coefs.shape, bool(np.all(coefs[:, 0] == 0))
    ((2, 3), True)
    """
    return solve_path(
        A, y, lams, n_lams=n_lams, eps=eps, weights=weights, positive=positive, l2=l2, x0=x0,
        solver=solver, max_iter=max_iter, tol=tol, gap_freq=gap_freq, gram=gram,
    )


def solve_path(A, y, lams, *, n_lams, eps, weights, positive, l2, x0, solver, max_iter, tol,
               gap_freq, gram, n_solves=None):
    """:func:`lasso_path`, for a caller that solves ``n_solves`` problems in all.

    ``n_solves`` (default: the number of lams) counts every solve of the calling estimator,
    e.g. all folds of a cross-validation, for the choice between the NumPy and the compiled
    solvers (``_numpy_fista.use_numpy``).
    """
    problem = LeastSquaresProblem(A, y, gram=gram)
    W = problem.weights(1.0 if weights is None else weights, "weights")
    l2 = check_scalar(l2, "l2", low=0.0)
    max_iter, tol, _, gap_freq = check_options(max_iter, tol, None, gap_freq, problem.dtype)
    positive = bool(positive)
    if solver not in _SOLVERS:
        raise ValueError(f"solver must be one of {_SOLVERS}; got {solver!r}")
    if solver == "auto":
        solver = choose_solver(problem)
    elif solver == "cd" and problem.op.kind == "linear_operator":
        raise TypeError("solver='cd' needs a dense or sparse A, not a LinearOperator")
    if lams is None:
        n_lams = check_int(n_lams, "n_lams", low=1)
        eps = check_scalar(eps, "eps", low=0.0, low_inclusive=False)
        lam_max = _lam_max(problem, W, positive, l2)
        if lam_max <= np.finfo(np.float64).resolution:
            # y carries nothing a penalized coefficient can fit (as scikit-learn does)
            lams = np.full(n_lams, np.finfo(np.float64).resolution)
        else:
            lams = np.logspace(np.log10(lam_max * eps), np.log10(lam_max), num=n_lams)[::-1]
    else:
        lams = as_float_array(lams, "lams", dtype=np.float64)
        if lams.ndim != 1 or lams.size == 0:
            raise ValueError(f"lams must be a non-empty 1-D array; got shape {lams.shape}")
        check_finite(lams, "lams")
        if np.any(lams < 0):
            raise ValueError(f"lams must be >= 0; got a minimum of {lams.min()}")
        lams = np.sort(lams)[::-1]
    X = problem.start(x0, positive=positive)
    coefs = np.empty((problem.n_targets, problem.n_features, lams.size), dtype=problem.dtype)
    gaps = np.empty((problem.n_targets, lams.size))
    for i, lam in enumerate(lams):
        result = solve(
            problem, readonly(W * lam), X, solver, positive=positive, l2=l2,
            max_iter=max_iter, tol=tol, gap_freq=gap_freq, name="lasso_path",
            n_solves=lams.size if n_solves is None else n_solves,
        )
        X = np.array(result.x, copy=True).reshape(problem.n_features, problem.n_targets)
        coefs[:, :, i] = X.T
        gaps[:, i] = result.gap
    if problem.y_ndim == 1:
        return lams, coefs[0], gaps[0]
    return lams, coefs, gaps
