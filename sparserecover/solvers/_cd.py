"""Working-set coordinate descent with gap-safe screening for the (weighted, positive,
elastic-net) LASSO."""

import numpy as np

from .._validation import check_int, check_scalar
from ._cd_kernels import coordinate_descent as _coordinate_descent_kernel
from ._certificate import certified_result
from ._fista import _GAP_DOC
from ._multitask_kernels import multitask_coordinate_descent
from ._problem import LeastSquaresProblem, check_options
from ._products import select_driver
from ._result import SolverResult

# In the functional API max_iter caps the passes summed over the solve; the estimators' caps
# the outer iterations, each of at most _MAX_INNER passes: a fixed number, so that an outer
# iteration depends on its start alone (scikit-learn's warm_start with max_iter).
_NO_CAP = np.iinfo(np.int64).max
_MAX_INNER = 10_000


def cd_solve(problem, penalty, X, *, tol, atol, max_iter, gap_freq=10, screen=True,
             ws_start=10, anderson=True, seed=-1, update_tol=None, certify=True,
             verbose=False, solver=None):
    """Run working-set coordinate descent on a prepared problem; return a SolverResult.

    Iterates on the Gram matrix when ``problem.gram``, on the columns of A otherwise. Stops
    when every column has ``gap <= max(tol * objective, atol)``. ``seed >= 0`` draws the
    coordinates at random (seeded); cyclic otherwise. With ``solver`` (the public function's
    name) a result that missed ``tol`` gets a ConvergenceWarning. ``certify`` as in
    ``certified_result``.

    ``n_iter`` counts the coordinate-descent passes. ``max_iter`` caps them, summed over the
    solve; with ``update_tol`` (scikit-learn's semantics, for the estimators) it caps the outer
    iterations instead (of at most ``_MAX_INNER`` passes each), and the gap test waits for a
    pass whose largest change is at most ``update_tol`` times the largest coefficient
    (scikit-learn's ``tol``).
    """
    if problem.gram:
        fit = problem.datafit()
    elif problem.op.kind == "dense":  # read in place, by rows or by columns: no copy of A
        fit = problem.direct_datafit()
    else:
        fit = problem.column_datafit()
    if update_tol is None:
        caps = (-1.0, _NO_CAP, _NO_CAP, max_iter)
    else:
        caps = (update_tol, max_iter, _MAX_INNER, _NO_CAP)
    kernel, _ = select_driver(_coordinate_descent_kernel, fit.op, problem, None, verbose)
    X, n_iter, primal, gap, converged, n_screened = kernel(
        fit, penalty, X, problem.column_squared_norms(), tol,
        np.full(problem.n_targets, atol, dtype=np.float64), float(caps[0]), np.int64(caps[1]),
        np.int64(caps[2]), np.int64(caps[3]), ws_start, screen, anderson, gap_freq, np.int64(seed),
        bool(verbose),
    )
    return certified_result(
        problem, X, int(n_iter.max()), primal, gap, bool(converged.all()), penalty, tol,
        atol, solver=solver, max_iter=max_iter, stacklevel=3, stalls=True,
        # the kernel's last gap is the float64 gap of x from fresh products with A (also for
        # float32 data); only a Gram-matrix solve's needs recomputing from A
        certify=certify and problem.gram,
        n_screened=int(n_screened[0]) if problem.y_ndim == 1 else n_screened,
        n_iter_columns=n_iter,
    )


def multitask_cd_solve(problem, penalty, X, *, tol, atol, max_iter, gap_freq=10, screen=True,
                       ws_start=None, anderson=True, seed=-1, update_tol=None):
    """Working-set block coordinate descent for the multi-task (row-group, L2,1) penalty on a
    prepared problem with 2-D ``y``: ``penalty.weights[j]`` weighs the 2-norm of row j of x.

    One problem couples all columns; it stops when ``gap <= max(tol * objective, atol)``
    (``atol`` a number), with ``max_iter`` and ``update_tol`` as in :func:`cd_solve`, and
    returns a SolverResult with the objective and gap of the whole problem (float64, in the
    iterations' precision).

    ``ws_start`` defaults to ``max(10, n_features // 100)``: an outer iteration costs a
    product with all of A (``n p m``), while a pass over the first working set costs
    ``2 n ws_start m``: starting above 10 rows saves outer iterations (the working set doubles
    at each) for at most a fifth of one of them in ten passes.
    """
    if ws_start is None:
        ws_start = max(10, problem.n_features // 100)
    fit = problem.datafit() if problem.gram else problem.column_datafit()
    if update_tol is None:
        caps = (-1.0, _NO_CAP, _NO_CAP, max_iter)
    else:
        caps = (update_tol, max_iter, _MAX_INNER, _NO_CAP)
    X, n_iter, primal, gap, converged, n_screened = multitask_coordinate_descent(
        fit, penalty, X, problem.column_squared_norms(), float(tol), float(atol),
        float(caps[0]), *(np.int64(cap) for cap in caps[1:]), ws_start, screen, anderson,
        gap_freq, np.int64(seed),
    )
    return SolverResult(x=X, n_iter=int(n_iter), converged=bool(converged),
                        objective=float(primal), gap=float(gap), n_screened=int(n_screened))


def coordinate_descent(A, y, lam, *, x0=None, max_iter=10_000, tol=None, positive=False,
                       l2=0.0, screen=True, ws_start=10, anderson=True, gap_freq=10,
                       verbose=False):
    """Working-set cyclic coordinate descent for the LASSO and its variants.

    Minimizes ``0.5 ||A x - y||^2 + sum_j lam_j |x_j| + 0.5 l2 ||x||^2`` (over ``x >= 0``
    with ``positive``), the problem of :func:`fista`, with the same duality-gap stop and
    certificate. An outer loop computes the full duality gap, discards the features that
    gap-safe screening proves zero at the optimum (Fercoq, Gramfort & Salmon, ICML 2015;
    Ndiaye et al., JMLR 2017), and picks a working set of the features nearest their dual
    constraint (as celer, Massias et al. ICML 2018, and skglm, Bertrand et al. NeurIPS 2022,
    do); compiled cyclic coordinate descent solves the problem restricted to it to a fraction
    of the outer gap. The fastest strategy here on dense and sparse designs when the solution
    is sparse (see ``docs/benchmarks_solvers.md``).

    Parameters
    ----------
    A : ndarray or scipy.sparse matrix
        Design matrix of shape (n_samples, n_features). A dense array is read in place,
        C- or Fortran-ordered (from a C-ordered one, the columns of each working set are
        gathered: a fraction of ``A``); a CSR matrix is converted once to CSC (coordinate
        descent reads columns).
    y, lam, x0, tol, positive, l2, verbose
        As in :func:`fista`. 2-D ``y``: the columns are solved one after another.
    max_iter : int, default 10000
        Maximum number of coordinate-descent passes (epochs) over the working sets, summed
        over the outer iterations (per column of ``y``).
    screen : bool, default True
        Gap-safe screening at every outer iteration.
    ws_start : int, default 10
        Smallest working set (then the support and as many features as violate their
        optimality condition, between a quarter and three times the support's size).
    anderson : bool, default True
        Anderson extrapolation of the coordinate-descent iterates every 5 passes, kept when
        it lowers the objective (Bertrand & Massias, AISTATS 2021).
    gap_freq : int, default 10
        Test the working-set subproblem's gap every ``gap_freq`` passes.

    Returns
    -------
    SolverResult
        As :func:`fista` (``n_iter`` counts passes; the largest over columns for 2-D ``y``),
        with ``n_screened``: the number of features screened out (per column for 2-D ``y``).

    Raises
    ------
    ValueError, TypeError
        As :func:`fista`; TypeError for a ``LinearOperator`` (use :func:`fista`).

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        When ``max_iter`` passes are used up first, or when the gap stops decreasing above
        ``tol`` (the rounding floor: float32 data asked for a gap below about 1e-6, say);
        ``converged`` is then False.

    {gap_doc}

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover.solvers import coordinate_descent
    >>> rng = np.random.default_rng(0)
    >>> A = rng.standard_normal((50, 100))
    >>> x_true = np.zeros(100); x_true[:3] = [4.0, -3.0, 2.0]
    >>> result = coordinate_descent(A, A @ x_true, lam=1.0, tol=1e-10)
    >>> bool(result.converged), np.flatnonzero(result.x).tolist()
    (True, [0, 1, 2])
    >>> bool(result.gap <= 1e-10 * result.objective)
    True
    """
    problem = LeastSquaresProblem(A, y, gram=False)
    W = problem.weights(lam)
    l2 = check_scalar(l2, "l2", low=0.0)
    max_iter, tol, _, gap_freq = check_options(max_iter, tol, None, gap_freq, problem.dtype)
    ws_start = check_int(ws_start, "ws_start", low=1)
    X = problem.start(x0, positive=bool(positive))
    return cd_solve(
        problem, problem.penalty(W, l2, positive), X, tol=tol, atol=0.0, max_iter=max_iter,
        gap_freq=gap_freq, screen=bool(screen), ws_start=ws_start, anderson=bool(anderson),
        verbose=verbose, solver="coordinate_descent",
    )


coordinate_descent.__doc__ = coordinate_descent.__doc__.replace("{gap_doc}", _GAP_DOC.strip())
