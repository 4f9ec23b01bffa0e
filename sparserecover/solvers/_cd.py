"""Working-set coordinate descent with gap-safe screening for the (weighted, positive,
elastic-net) LASSO."""

import numpy as np

from .._validation import check_scalar
from ..operators import as_operator, readonly
from . import _numpy_cd, _numpy_fista
from ._fista import _GAP_DOC, _exact_gap
from ._numpy_fista import use_numpy
from ._problem import LeastSquaresProblem, check_int, check_options, warn_not_converged
from ._result import SolverResult


def column_problem(problem):
    """``(op_tuple, target, norms2)`` with column access to ``A`` (cached on ``problem``).

    Coordinate descent reads one column at a time: a C-ordered dense ``A`` is copied once to
    Fortran order (its ``A.T`` is then C-contiguous), a CSR matrix is converted once to CSC.
    ``norms2`` holds ``||A_j||^2`` in float64.
    """
    cached = getattr(problem, "_column_args", None)
    if cached is not None:
        return cached
    if problem.op.kind == "linear_operator":
        raise TypeError("coordinate descent needs a dense or sparse A, not a LinearOperator")
    from . import _cd_kernels

    matrix = problem.op.matrix
    if problem.op.kind == "dense":
        matrix = np.asfortranarray(matrix)
    elif matrix.format != "csc":
        matrix = matrix.tocsc()
    op_args = as_operator(matrix, "A").kernel_args()
    norms2 = readonly(_cd_kernels._column_norms2(op_args, problem.n_features))
    problem._column_args = (op_args, readonly(problem.Y), norms2)
    return problem._column_args


def _column_norms2(problem):
    """``||A_j||^2`` in float64, in NumPy (the NumPy path never starts Numba)."""
    A = problem.op.matrix
    if problem.op.kind == "sparse":
        A64 = A.astype(np.float64)
        return np.asarray(A64.multiply(A64).sum(axis=0)).ravel()
    return np.einsum("ij,ij->j", A, A, dtype=np.float64)


def _solve_cd(problem, W, X, *, positive, l2, max_iter, tol, gap_freq, screen, ws_start,
              verbose, solver, anderson=True, n_solves=1):
    """Run working-set coordinate descent on a prepared problem.

    Small problems (``_numpy_fista.use_numpy``: their size, the ``n_solves`` of the calling
    path and the NumPy work done so far decide) run the NumPy implementation, which never
    starts Numba; the others the compiled kernel.
    """
    unpenalized, unpenalized_gram = problem.unpenalized(W, l2)
    if use_numpy(problem, n_solves):
        X, n_iter, primal, gap, converged, n_screened = _numpy_cd.coordinate_descent(
            problem, W, X, _column_norms2(problem), positive=positive, l2=l2,
            max_iter=max_iter, tol=tol, ws_start=ws_start, screen=screen, anderson=anderson,
            gap_freq=gap_freq, unpenalized=unpenalized, unpenalized_gram=unpenalized_gram,
            verbose=bool(verbose),
        )
        exact_gap = _numpy_fista.exact_gap
    else:
        from . import _cd_kernels

        op_args, target, norms2 = column_problem(problem)
        X, n_iter, primal, gap, converged, n_screened = _cd_kernels._coordinate_descent(
            op_args, target, problem.yy, W, l2, positive, X, norms2, max_iter, tol,
            unpenalized, unpenalized_gram, ws_start, screen, anderson, gap_freq,
            bool(verbose),
        )
        exact_gap = _exact_gap
    converged = bool(np.all(converged))
    if problem.dtype != np.float64:
        primal, gap = exact_gap(problem, X, W, l2, positive, unpenalized, unpenalized_gram)
        converged = converged and bool(np.all(gap <= tol * primal))
    x, (objective, gap_out) = problem.shape_result(X, [primal, gap])
    if not converged and int(n_iter.max()) >= max_iter:
        worst = float(np.max(gap / np.maximum(primal, np.finfo(np.float64).tiny)))
        warn_not_converged(solver, max_iter, f"relative duality gap {worst:.3g} > tol={tol:g}")
    return SolverResult(
        x=x, n_iter=int(n_iter.max()), converged=converged, objective=objective, gap=gap_out,
        n_screened=int(n_screened[0]) if problem.y_ndim == 1 else n_screened,
    )


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
        Design matrix of shape (n_samples, n_features). A C-ordered ndarray is copied once to
        Fortran order and a CSR matrix once to CSC (coordinate descent reads columns).
    y, lam, x0, tol, positive, l2, verbose
        As in :func:`fista`. 2-D ``y``: the columns are solved one after another.
    max_iter : int, default 10000
        Maximum number of coordinate-descent passes (epochs) over the working sets, summed
        over the outer iterations (per column of ``y``).
    screen : bool, default True
        Gap-safe screening at every outer iteration.
    ws_start : int, default 10
        Size of the first working set (then ``max(2 * n_nonzero, ...)``, doubled when the
        gap does not halve).
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
        When ``max_iter`` passes are used up first (``converged`` is then False).

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
    if problem.op.kind == "linear_operator":
        raise TypeError("A must be a dense or sparse matrix for coordinate descent; got a "
                        "LinearOperator (use fista)")
    W = problem.weights(lam)
    l2 = check_scalar(l2, "l2", low=0.0)
    max_iter, tol, _, gap_freq = check_options(max_iter, tol, None, gap_freq, problem.dtype)
    ws_start = check_int(ws_start, "ws_start", low=1)
    X = problem.start(x0, positive=bool(positive))
    return _solve_cd(
        problem, W, X, positive=bool(positive), l2=l2, max_iter=max_iter, tol=tol,
        gap_freq=gap_freq, screen=bool(screen), ws_start=ws_start, verbose=verbose,
        solver="coordinate_descent", anderson=bool(anderson),
    )


coordinate_descent.__doc__ = coordinate_descent.__doc__.replace("{gap_doc}", _GAP_DOC.strip())
