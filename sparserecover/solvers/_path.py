"""The elastic-net regularization path, with warm starts: the one loop over penalties that
:func:`lasso_path`, the estimators' ``fit`` (a path of one penalty) and the cross-validation
folds run."""

import numpy as np

from .._convergence import warn_convergence
from .._validation import as_float_array, check_finite, check_int, check_scalar
from ._cd import cd_solve, multitask_cd_solve
from ._fista import proximal_solve
from ._problem import LeastSquaresProblem, check_options

# The strategies of ``solver=``: "cd" is working-set coordinate descent with gap-safe
# screening (``coordinate_descent``), "fista"/"ista" the proximal-gradient loop with or
# without momentum, and "auto" picks one per problem (``check_solver``).
SOLVERS = ("auto", "cd", "fista", "ista")

_INT32_MAX = np.iinfo(np.int32).max

# Below this many features a working set (10 features to start, then growing with the
# support and the violated constraints) soon is the whole problem, and FISTA's fused loop
# is the cheaper one.
MIN_CD_FEATURES = 100


def check_solver(solver, problem):
    """The strategy to run on ``problem`` for the user's ``solver``.

    "auto" is FISTA for a ``LinearOperator`` (coordinate descent needs columns) and for fewer
    than ``MIN_CD_FEATURES`` features; working-set coordinate descent otherwise, which measured
    faster than FISTA (also FISTA on the Gram matrix of tall designs) on every benchmark
    problem but the smallest (docs/benchmarks_solvers.md).
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}; got {solver!r}")
    if solver == "auto":
        linear_operator = problem.op is not None and problem.op.kind == "linear_operator"
        return "fista" if linear_operator or problem.n_features < MIN_CD_FEATURES else "cd"
    if solver == "cd" and not problem.has_columns:
        raise TypeError("solver='cd' needs a dense or sparse A, not a LinearOperator")
    return solver


def enet_path(problem, lams, W, *, l2s, positive, solver, tol, atol, max_iter, gap_freq=10,
              x0=None, random_state=None, multi_task=False, update_tol=None, certify=True):
    """Solve ``problem`` at each penalty ``lams[i] * W`` (with ``l2s[i]``), in the order given,
    each solve warm-started from the previous solution.

    ``solver`` is "cd", "fista" or "ista" (resolved by :func:`check_solver`); coordinate
    descent iterates on the Gram matrix when ``problem.gram``. The stopping rule is a
    parameter: every column stops at ``gap <= max(tol * objective, atol)``, so the functional
    API passes its relative ``tol`` (``atol=0``) and the estimators scikit-learn's absolute
    ``atol = tol * ||y_k||^2`` (``tol=0``; in the problem's scaled units: ``tol * problem.yy``).
    Coordinate descent's gap-safe screening starts
    from the warm start (the sequential rule of Ndiaye et al. 2017). With a
    ``numpy.random.RandomState`` as ``random_state``, coordinate descent draws its
    coordinates at random (scikit-learn's ``selection="random"``), each solve seeded from it.
    ``multi_task`` solves the row-group (L2,1) penalty instead, all columns as one problem
    (block coordinate descent only; ``W[j]`` weighs row j, ``atol`` is one number and the
    gaps and iterations of every column are those of the whole problem). ``update_tol``
    gives coordinate descent scikit-learn's iteration semantics (``cd_solve``);
    ``certify=False`` keeps the kernels' gaps (``certified_result``).

    Returns the coefficients ``(n_targets, n_features, n_lams)``, the duality gaps
    ``(n_targets, n_lams)`` (float64, absolute), the iterations ``(n_targets, n_lams)`` and
    whether each solve converged ``(n_lams,)``.
    """
    X = problem.start(x0, positive=positive)
    n_lams = len(lams)
    n_features, n_targets = problem.n_features, problem.n_targets
    coefs = np.empty((n_targets, n_features, n_lams), dtype=problem.dtype)
    gaps = np.empty((n_targets, n_lams))
    n_iter = np.zeros((n_targets, n_lams), dtype=np.int64)
    converged = np.zeros(n_lams, dtype=bool)
    seed = -1
    for i, lam in enumerate(lams):
        penalty = problem.penalty(W * lam, l2s[i], positive)
        if solver == "cd" and random_state is not None:
            seed = random_state.randint(_INT32_MAX)
        if multi_task:
            result = multitask_cd_solve(problem, penalty, X, tol=tol, atol=atol,
                                        max_iter=max_iter, gap_freq=gap_freq, seed=seed,
                                        update_tol=update_tol)
        elif solver == "cd":
            result = cd_solve(problem, penalty, X, tol=tol, atol=atol, max_iter=max_iter,
                              gap_freq=gap_freq, seed=seed, update_tol=update_tol,
                              certify=certify)
        else:
            result = proximal_solve(problem, penalty, X, accelerate=solver == "fista", tol=tol,
                                    atol=atol, max_iter=max_iter, gap_freq=gap_freq)
        coefs[:, :, i] = result.x.reshape(n_features, n_targets).T
        if i + 1 < n_lams:
            X = problem.start(result.x)  # in the kernels' scaled units
        gaps[:, i] = result.gap
        n_iter[:, i] = result.n_iter if result.n_iter_columns is None else result.n_iter_columns
        converged[i] = result.converged
    return coefs, gaps, n_iter, converged


def lasso_path(A, y, lams=None, *, n_lams=100, eps=1e-3, weights=None, positive=False, l2=0.0,
               x0=None, solver="auto", max_iter=10_000, tol=None, gap_freq=10,
               gram="auto"):
    """LASSO solutions along a decreasing grid of penalties, each warm-started from the last.

    Solves ``min_x 0.5 ||A x - y||^2 + lam * sum_j w_j |x_j| + 0.5 l2 ||x||^2`` for every
    ``lam`` in ``lams`` with the algorithm ``solver``, each to ``gap <= tol * objective``.
    ``A`` is prepared once (Gram matrix, column copy, Lipschitz constant) for the whole
    path. Mirrors ``sklearn.linear_model.lasso_path`` with
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
        As in :func:`fista`; with ``gram``, coordinate descent runs on the Gram matrix too
        (keeping ``A.T r`` up to date instead of the residual ``r``).
    x0 : ndarray, optional
        Warm start for the first (largest) penalty.
    solver : {"auto", "cd", "fista", "ista"}, default "auto"
        The algorithm run at each penalty: "cd" is working-set coordinate descent
        (:func:`sparserecover.solvers.coordinate_descent`), whose gap-safe screening starts
        from the previous penalty's solution (the sequential rule of Ndiaye et al. 2017);
        "fista" (with adaptive restart) and "ista" as :func:`fista`/:func:`ista`. "auto":
        "fista" for a ``LinearOperator`` and for fewer than 100 features, "cd" otherwise
        (the faster one measured in ``docs/benchmarks_solvers.md``). With "cd",
        ``max_iter`` counts coordinate-descent passes.

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
    problem = LeastSquaresProblem(A, y, gram=gram)
    W = problem.weights(1.0 if weights is None else weights, "weights")
    l2 = check_scalar(l2, "l2", low=0.0)
    max_iter, tol, _, gap_freq = check_options(max_iter, tol, None, gap_freq, problem.dtype)
    positive = bool(positive)
    solver = check_solver(solver, problem)
    if lams is None:
        n_lams = check_int(n_lams, "n_lams", low=1)
        eps = check_scalar(eps, "eps", low=0.0, low_inclusive=False)
        lam_max = problem.lam_max(W, l2, positive)
        if lam_max == 0.0:
            # y carries nothing a penalized coefficient can fit: every lam >= 0 gives zeros
            # (scikit-learn's grid, resolution, also for tiny lam_max, is not scale-free)
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
    coefs, gaps, _, converged = enet_path(
        problem, lams, W, l2s=np.full(lams.size, l2), positive=positive, solver=solver,
        tol=tol, atol=0.0, max_iter=max_iter, gap_freq=gap_freq, x0=x0,
    )
    if not converged.all():
        warn_convergence(
            f"lasso_path: {np.count_nonzero(~converged)} of {lams.size} lams did not reach "
            f"tol={tol:g} (relative duality gap) in max_iter={max_iter} iterations of "
            f"{solver}; increase max_iter or tol.",
            stacklevel=2,
        )
    if problem.y_ndim == 1:
        return lams, coefs[0], gaps[0]
    return lams, coefs, gaps
