"""Lasso, ElasticNet and LassoCV: scikit-learn's objective, solved by sparserecover's solvers."""

from functools import partial
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import column_or_1d

from sparserecover._convergence import solver_warnings_suppressed, warn_convergence
from sparserecover.linear_model._base import _alpha_grid, _prepare_data, _SparseLinearModel
from sparserecover.operators import _is_linear_operator
from sparserecover.solvers._path import auto_solver, solve_lasso, solve_path


def _resolve_solver(solver, design):
    """The strategy "auto" stands for on this design (``solvers._path.auto_solver``)."""
    if solver != "auto":
        return solver
    kind = "linear_operator" if _is_linear_operator(design) else "matrix"
    return auto_solver(kind, design.shape[1])


# The strategies behind ``solver=``: the estimators validate ``solver`` against these keys and
# call the function with the same arguments (``solve_lasso``: problems of at most 2**14
# entries run in NumPy, which spares a fit Numba's start-up of about 0.45 s).
_SOLVERS = {name: partial(solve_lasso, solver=name) for name in ("auto", "cd", "fista", "ista")}


class ElasticNet(MultiOutputMixin, RegressorMixin, _SparseLinearModel):
    """Linear regression with combined L1 and L2 penalties, scikit-learn's ``ElasticNet``.

    Minimizes the objective::

        1 / (2 * n_samples) * ||y - X w - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    exactly as :class:`sklearn.linear_model.ElasticNet`, so the same ``alpha`` gives the same
    coefficients; with ``sample_weight`` the squared error is the weighted average. The
    problem is handed to a solver of :mod:`sparserecover.solvers` with
    ``lam = alpha * l1_ratio * n_samples`` and ``l2 = alpha * (1 - l1_ratio) * n_samples``.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms, ``>= 0``.
    l1_ratio : float, default=0.5
        The mixing parameter, ``0 <= l1_ratio <= 1``: 1 is the lasso, 0 ridge regression.
    solver : {"auto", "cd", "fista", "ista"}, default="auto"
        The algorithm: working-set coordinate descent with gap-safe screening
        (:func:`sparserecover.solvers.coordinate_descent`), accelerated proximal gradient
        with adaptive restart (:func:`sparserecover.fista`) or plain proximal gradient
        (:func:`sparserecover.ista`). "auto" is "fista" below 100 features and for sparse
        ``X`` with an intercept (an implicit operator), "cd" otherwise: the faster one
        measured.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept. Sparse ``X`` is never densified for it.
    max_iter : int, default=1000
        Maximum number of solver iterations (one iteration costs about one product with
        ``X`` and one with ``X.T``, like one epoch of coordinate descent).
    tol : float, default=1e-4
        Tolerance on the duality gap, with scikit-learn's meaning: the fit stops once the
        duality gap of the objective above is at most ``tol * ||y_c||^2 / n_samples``
        (``y_c`` the centred target, weighted with ``sample_weight``). See Notes.
    warm_start : bool, default=False
        Start from the previous ``coef_`` instead of zero.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients ``w``, in the dtype of ``X`` (float32 stays float32).
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0.0 if ``fit_intercept=False``).
    n_iter_ : int
        Solver iterations (all targets are solved together, in one run).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the objective above at ``coef_``: an upper bound on how far the
        objective is from its minimum.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    Lasso : The special case ``l1_ratio=1``.
    sparserecover.fista : The solver.

    Notes
    -----
    scikit-learn's ``precompute``, ``copy_X``, ``selection`` and ``random_state`` are not
    parameters here: the solvers choose the Gram-matrix form themselves when it is cheaper,
    ``X`` is never modified, and there is no coordinate order to select.

    **Stopping.** scikit-learn stops coordinate descent when the duality gap is at most
    ``tol * ||y_c||^2 / n_samples`` (in its ``_cd_fast``: ``gap <= tol * y_c @ y_c`` for the
    objective multiplied by ``n_samples``), and this estimator guarantees the same bound.
    The solvers stop on the *relative* gap, ``gap <= rtol * P(w)``; they are given
    ``rtol = tol * ||y_c||^2 / P(w0)`` with ``w0`` the start (zero, or the previous ``coef_``
    with ``warm_start``), and end below their starting objective, so the returned
    ``dual_gap_`` meets scikit-learn's bound (a run that does not is continued). The stop is
    stricter than scikit-learn's by the factor ``P(w0) / P(w)``: about 3 from zero on a
    design that explains two thirds of ``y``, close to 1 along :class:`LassoCV`'s paths,
    where each alpha starts from the previous solution. Several targets are solved together,
    to the strictest target's tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.5).fit(X, [0.0, 1.0, 2.5, 3.0])
    >>> model.coef_.round(4)
    array([0.9397, 0.1638])
    >>> model.predict([[1.0, 1.0]]).round(4)
    array([1.1552])
    """

    # scikit-learn's ElasticNet also admits max_iter=None, with which its fit fails
    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "solver": [StrOptions(set(_SOLVERS))],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        solver="auto",
        fit_intercept=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive

    def _l1_ratio(self):
        return self.l1_ratio

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept, other numbers become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target; several targets are separate problems, solved together.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative sample weights (scale-free: only their ratios matter).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)
        data = _prepare_data(X, y, sample_weight, self.fit_intercept)
        x0 = None
        if self.warm_start and hasattr(self, "coef_"):
            x0 = np.asarray(self.coef_, dtype=X.dtype).T
            if x0.shape != (X.shape[1], *y.shape[1:]):
                x0 = None
        l1_ratio = self._l1_ratio()
        result = _solve(
            self.solver,
            data,
            l1=self.alpha * l1_ratio,
            l2=self.alpha * (1.0 - l1_ratio),
            positive=self.positive,
            max_iter=self.max_iter,
            tol=self.tol,
            x0=x0,
            name=type(self).__name__,
        )
        self._set_coef_and_intercept(result.x, data, self.fit_intercept)
        self.n_iter_ = int(result.n_iter)
        gap = np.asarray(result.gap, dtype=X.dtype) / data.weight_sum
        self.dual_gap_ = gap[()] if gap.ndim == 0 else gap
        return self


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty (the lasso), scikit-learn's ``Lasso``.

    Minimizes the objective::

        1 / (2 * n_samples) * ||y - X w - b||^2_2 + alpha * ||w||_1

    exactly as :class:`sklearn.linear_model.Lasso` (the same ``alpha`` gives the same
    coefficients), with :func:`sparserecover.solvers.coordinate_descent` (or
    :func:`sparserecover.fista`) and ``lam = alpha * n_samples``.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 penalty, ``>= 0``.
    solver : {"auto", "cd", "fista", "ista"}, default="auto"
        The algorithm: working-set coordinate descent with gap-safe screening
        (:func:`sparserecover.solvers.coordinate_descent`), accelerated proximal gradient
        with adaptive restart (:func:`sparserecover.fista`) or plain proximal gradient
        (:func:`sparserecover.ista`). "auto" is "fista" below 100 features and for sparse
        ``X`` with an intercept (an implicit operator), "cd" otherwise: the faster one
        measured.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept. Sparse ``X`` is never densified for it.
    max_iter : int, default=1000
        Maximum number of solver iterations.
    tol : float, default=1e-4
        Tolerance on the duality gap, with scikit-learn's meaning (the gap of the objective
        above at most ``tol * ||y_c||^2 / n_samples``); see :class:`ElasticNet`.
    warm_start : bool, default=False
        Start from the previous ``coef_`` instead of zero.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients ``w``, in the dtype of ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0.0 if ``fit_intercept=False``).
    n_iter_ : int
        Solver iterations (all targets are solved together).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the objective above at ``coef_``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    LassoCV : Chooses ``alpha`` by cross-validation.
    ElasticNet : Adds an L2 penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import Lasso
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> model = Lasso(alpha=0.1).fit(X, [0.0, 1.0, 2.5, 3.0])
    >>> model.coef_.round(4)
    array([0.9556, 0.0722])
    >>> round(float(model.intercept_), 4)
    0.1194
    """

    _parameter_constraints: ClassVar[dict] = {**ElasticNet._parameter_constraints}
    _parameter_constraints.pop("l1_ratio")

    def __init__(
        self,
        alpha=1.0,
        *,
        solver="auto",
        fit_intercept=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
    ):
        self.alpha = alpha
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive

    def _l1_ratio(self):
        return 1.0


class LassoCV(RegressorMixin, _SparseLinearModel):
    """Lasso with ``alpha`` chosen by cross-validation along a warm-started path.

    scikit-learn 1.9's :class:`sklearn.linear_model.LassoCV`: the same grid (geometric from
    ``alpha_max = max_j |X_c^T y_c|_j / n_samples``, the smallest ``alpha`` with an all-zero
    solution, down to ``eps * alpha_max``), the same folds for the same ``cv``, the same
    (weighted) mean squared error per fold, and a final refit of :class:`Lasso` on all data.
    Each fold solves the whole grid with warm starts from one ``alpha`` to the next, each
    ``alpha`` to scikit-learn's stopping rule (:func:`sparserecover.lasso_path` on tall
    designs, where it forms ``X.T X`` once for the path). The folds run through joblib, so
    ``n_jobs`` or a surrounding ``joblib.parallel_config(backend=...)`` (threads, processes,
    dask) spreads them.

    Parameters
    ----------
    eps : float, default=1e-3
        Length of the path: ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Number of alphas on the automatic grid, or the alphas themselves (any order; they are
        sorted decreasingly).
    solver : {"auto", "cd", "fista", "ista"}, default="auto"
        The algorithm of the path and of the final refit (see :class:`Lasso`).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    max_iter : int, default=1000
        Maximum number of solver iterations per alpha.
    tol : float, default=1e-4
        Tolerance on the duality gap per alpha, as in :class:`Lasso`.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold :class:`~sklearn.model_selection.KFold`, an int the
        number of folds; or a splitter, or an iterable of (train, test) index arrays.
    verbose : bool or int, default=False
        Verbosity of joblib.
    n_jobs : int, default=None
        Number of folds fitted in parallel (None: 1 unless in a joblib context).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

    Attributes
    ----------
    alpha_ : float
        The chosen penalty (lowest mean cross-validated error).
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Mean squared error on each fold's test set for each alpha.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit at ``alpha_``.
    intercept_ : float
        Intercept of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Solver iterations of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    Lasso : The model refit at ``alpha_``.
    sparserecover.lasso_path : The path solver behind each fold on tall designs.

    Notes
    -----
    Like scikit-learn's ``LassoCV``, this estimator takes a single target (a column vector
    ``y`` is raveled with a ``DataConversionWarning``). scikit-learn's ``precompute``,
    ``copy_X``, ``selection`` and ``random_state`` do not apply to these solvers (see
    :class:`ElasticNet`).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparserecover import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoCV(cv=5).fit(X, y)
    >>> round(float(model.alpha_), 4)  # scikit-learn's LassoCV(cv=5) chooses the same
    0.0038
    >>> model.alphas_.shape, model.mse_path_.shape
    ((100,), (100, 5))
    """

    _parameter_constraints: ClassVar[dict] = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "solver": [StrOptions(set(_SOLVERS))],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
        "positive": ["boolean"],
    }

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        solver="auto",
        fit_intercept=True,
        max_iter=1000,
        tol=1e-4,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
    ):
        self.eps = eps
        self.alphas = alphas
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose ``alpha`` by cross-validation, then refit :class:`Lasso` on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative sample weights, used in each fit and in each fold's mean squared
            error (the folds' errors are then averaged without weights, as in scikit-learn).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight)
        if y.ndim == 2 and y.shape[1] > 1:
            raise ValueError(
                f"LassoCV takes a single target; y has {y.shape[1]} columns: fit one LassoCV "
                "per column, or Lasso for all columns at a given alpha"
            )
        y = column_or_1d(y, warn=True)

        if isinstance(self.alphas, Integral):
            alphas = _alpha_grid(
                X,
                y,
                sample_weight,
                self.fit_intercept,
                eps=self.eps,
                n_alphas=self.alphas,
                positive=self.positive,
            )
        else:
            alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
            if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
                raise ValueError(
                    f"alphas must be non-negative finite numbers; got {self.alphas!r}"
                )
            alphas = np.sort(alphas)[::-1]

        folds = list(check_cv(self.cv).split(X, y))
        path_options = dict(
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            positive=self.positive,
            max_iter=self.max_iter,
            tol=self.tol,
        )
        # No prefer="threads" (scikit-learn's choice): the compiled solver loops hold the GIL,
        # so threads would take turns; joblib's default backend (processes) runs folds truly
        # in parallel, and a user's parallel_config(backend=...) still decides.
        mse_paths = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(_fold_mse_path)(
                X, y, sample_weight, train, test, alphas, path_options, len(folds)
            )
            for train, test in folds
        )
        self.mse_path_ = np.stack(mse_paths, axis=1)
        best = int(np.argmin(self.mse_path_.mean(axis=1)))
        self.alpha_ = float(alphas[best])
        self.alphas_ = alphas

        model = Lasso(
            alpha=self.alpha_,
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            max_iter=self.max_iter,
            tol=self.tol,
            positive=self.positive,
        )
        model.fit(X, y, sample_weight=sample_weight)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        return self


def _fold_mse_path(X, y, sample_weight, train, test, alphas, options, n_folds):
    """Test-set mean squared error of the lasso path fitted on the training rows.

    ``n_folds``: the paths of the whole cross-validation count together when choosing
    between the NumPy and the compiled solvers (``solvers._numpy_fista.use_numpy``).
    """
    weights_train = None if sample_weight is None else sample_weight[train]
    data = _prepare_data(X[train], y[train], weights_train, options["fit_intercept"])
    coefs = _lasso_path(
        data,
        alphas,
        solver=options["solver"],
        positive=options["positive"],
        max_iter=options["max_iter"],
        tol=options["tol"],
        n_solves=n_folds * len(alphas),
    )
    intercepts = data.y_offset - data.X_offset @ coefs
    # a CSR/CSC matrix times a dense array is a dense array (safe_sparse_dot's result)
    residuals = np.asarray(X[test] @ coefs) + intercepts - y[test, None]
    weights_test = None if sample_weight is None else sample_weight[test]
    return np.average(residuals**2, axis=0, weights=weights_test)


def _objective(design, target, x, lam, l2):
    """The solvers' objective ``0.5 ||A x - y||^2 + lam ||x||_1 + 0.5 l2 ||x||^2`` per column."""
    if x is None:
        return 0.5 * np.einsum("i...,i...->...", target, target, dtype=np.float64)
    residual = np.asarray(target - design @ x, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    return (
        0.5 * np.einsum("i...,i...->...", residual, residual)
        + lam * np.abs(x).sum(axis=0)
        + 0.5 * l2 * np.einsum("i...,i...->...", x, x)
    )


def _solve_to_tol(solver, design, target, lam, *, l2, x0, step, positive, max_iter, tol):
    """Run ``solver`` until scikit-learn's stopping rule holds: ``gap <= tol * ||y_c||^2``.

    scikit-learn's coordinate descent stops when the duality gap is at most
    ``tol * ||y_c||^2`` (``y_c`` the weighted, centred target, in the solvers' scaling); the
    solvers stop on the relative gap, ``gap <= rtol * P(x)``. With
    ``rtol = tol * ||y_c||^2 / P(x0)`` the two agree as long as the solver ends below its
    starting objective ``P(x0)`` (``||y_c||^2 / 2`` from zero), which descent ensures; the
    rare run that ends above it (a solver that stops at once) is continued with the
    tolerance recomputed at its end. Columns are solved together, to the strictest column's
    tolerance. Returns the result and whether every column met scikit-learn's rule.
    """
    bound = tol * np.einsum("i...,i...->...", target, target, dtype=np.float64)
    n_iter = 0
    while True:
        start = np.maximum(_objective(design, target, x0, lam, l2), np.finfo(np.float64).tiny)
        result = solver(
            design,
            target,
            lam,
            x0=x0,
            step=step,
            l2=l2,
            positive=positive,
            max_iter=max_iter - n_iter,
            tol=float(np.min(bound / start)),
        )
        n_iter += result.n_iter
        met = bool(np.all(np.asarray(result.gap) <= bound))
        # (a run that stopped at once cannot improve by being repeated from the same point)
        if met or not result.converged or n_iter >= max_iter or result.n_iter == 0:
            result.n_iter = n_iter
            return result, met
        x0, step = result.x, result.step


def _solve(solver, data, *, l1, l2, positive, max_iter, tol, x0, name):
    """Minimise the estimator objective on prepared data with ``solver``; return its result.

    ``l1`` and ``l2`` are the estimator's ``alpha * l1_ratio`` and ``alpha * (1 - l1_ratio)``;
    the solvers' penalties are these times ``sum(sample_weight)`` (``n_samples``).
    """
    # The solver's warning speaks of its own tolerance; ours below speaks of the user's.
    with solver_warnings_suppressed():
        result, met = _solve_to_tol(
            _SOLVERS[solver],
            data.design,
            data.target,
            l1 * data.weight_sum,
            l2=l2 * data.weight_sum,
            x0=x0,
            step=None,
            positive=positive,
            max_iter=max_iter,
            tol=tol,
        )
    if not met:
        gap = float(np.max(np.asarray(result.gap) / data.weight_sum))
        warn_convergence(
            f"{name} did not converge in max_iter={max_iter} iterations of {solver}: duality "
            f"gap {gap:.3g} is above tol={tol:g} times ||y_c||^2 / n_samples. Increase "
            "max_iter, increase tol, or scale the features.",
            stacklevel=4,  # the user's call to fit, through _fit_context's wrapper
        )
    return result


def _iterates_on_gram(design):
    """Whether the solvers' ``gram="auto"`` iterates on ``A.T A`` for this design.

    The rule of ``sparserecover.solvers`` (n_samples >= 2 n_features, n_features <= 2048,
    not a LinearOperator), restated here because it decides how a path is run.
    """
    n_samples, n_features = design.shape
    return (
        not _is_linear_operator(design)
        and n_samples >= 2 * n_features
        and n_features <= 2048
    )


def _lasso_path(data, alphas, *, solver, positive, max_iter, tol, n_solves):
    """Coefficients (n_features, n_alphas) along decreasing ``alphas``, warm-started.

    ``n_solves``: the solves of the whole cross-validation (see ``_fold_mse_path``).

    Each alpha is solved to scikit-learn's rule (see ``_solve_to_tol``), starting from the
    previous solution with the first solve's step. The relative tolerance then follows the
    objective down the path: towards small alphas the fit explains more of ``y`` and a
    relative gap of ``2 * tol`` would be far stricter than scikit-learn's rule.
    """
    lams = np.asarray(alphas, dtype=np.float64) * data.weight_sum
    n_features = data.design.shape[1]
    solver = _resolve_solver(solver, data.design)
    design = data.design
    if solver == "cd" and isinstance(design, np.ndarray):
        # coordinate descent reads columns: one Fortran copy for the whole path, not one
        # per alpha
        design = np.asfortranarray(design)
    elif solver == "cd" and sparse.issparse(design):
        design = design.tocsc()
    if solver == "fista" and _iterates_on_gram(data.design):
        # Tall designs: fista iterates on A.T A, and lasso_path forms it once for the whole
        # path, where a call per alpha would form it again each time (measured 15x slower on
        # 5000 x 500). Its single relative tolerance 2 * tol meets scikit-learn's rule (the
        # objective stays below ||y_c||^2 / 2), more strictly than needed by P(0) / P(w),
        # which stays moderate on tall designs (the residual cannot vanish).
        with solver_warnings_suppressed():  # its warnings speak of 2 * tol: summary below
            _, coefs, gaps = solve_path(
                data.design, data.target, lams, n_lams=lams.size, eps=None, weights=None,
                positive=positive, l2=0.0, x0=None, solver="fista", max_iter=max_iter,
                tol=2 * tol, gap_freq=10, gram="auto", n_solves=n_solves,
            )
        bound = tol * np.einsum("i,i->", data.target, data.target, dtype=np.float64)
        _warn_missed_alphas(int(np.count_nonzero(gaps > bound)), lams.size, max_iter,
                            solver, tol)
        return coefs
    coefs = np.empty((n_features, lams.size), dtype=data.target.dtype)
    x, step = None, None
    n_missed = 0
    with solver_warnings_suppressed():  # one summary below
        for i, lam in enumerate(lams):
            result, met = _solve_to_tol(
                partial(_SOLVERS[solver], n_solves=n_solves),
                design,
                data.target,
                lam,
                l2=0.0,
                x0=x,
                step=step,
                positive=positive,
                max_iter=max_iter,
                tol=tol,
            )
            x, step = result.x, result.step
            coefs[:, i] = x
            n_missed += not met
    _warn_missed_alphas(n_missed, lams.size, max_iter, solver, tol)
    return coefs


def _warn_missed_alphas(n_missed, n_alphas, max_iter, solver, tol):
    """One ConvergenceWarning for the alphas of a fold's path that missed scikit-learn's
    rule (``gap <= tol * ||y_c||^2``), if any."""
    if n_missed:
        warn_convergence(
            f"LassoCV: {n_missed} of {n_alphas} alphas of a fold's path did not converge in "
            f"max_iter={max_iter} iterations of {solver} (tol={tol:g}); increase max_iter or "
            "tol, or use a shorter path (larger eps).",
            stacklevel=3,
        )
