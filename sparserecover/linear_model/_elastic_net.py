"""Lasso, ElasticNet and LassoCV: scikit-learn's objective, solved by sparserecover's solvers."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import column_or_1d

from sparserecover._convergence import warn_convergence
from sparserecover._validation import scale_exponent
from sparserecover.linear_model._base import _alpha_grid, _prepare_data, _SparseLinearModel
from sparserecover.solvers._path import SOLVERS as _SOLVERS
from sparserecover.solvers._path import check_solver, enet_path
from sparserecover.solvers._problem import LeastSquaresProblem


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
    >>> model.coef_.round(3)
    array([0.94 , 0.164])
    >>> model.predict([[1.0, 1.0]]).round(3)
    array([1.155])
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
        coefs, gaps, n_iter, converged, solver = _fit_path(
            data, [self.alpha], l1_ratio, solver=self.solver, positive=self.positive,
            max_iter=self.max_iter, tol=self.tol, x0=x0,
        )
        gap = gaps[:, 0].astype(X.dtype) / data.weight_sum
        if not converged[0]:
            warn_convergence(
                f"{type(self).__name__} did not converge in max_iter={self.max_iter} "
                f"iterations of {solver}: duality gap {float(gap.max()):.3g} is above "
                f"tol={self.tol:g} times ||y_c||^2 / n_samples. Increase max_iter, increase "
                "tol, or scale the features.",
                stacklevel=3,  # the user's call to fit, through _fit_context's wrapper
            )
        x = coefs[:, :, 0].T
        self._set_coef_and_intercept(x if y.ndim == 2 else x[:, 0], data, self.fit_intercept)
        self.n_iter_ = int(n_iter[0])
        self.dual_gap_ = gap if y.ndim == 2 else gap[0]
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
            # errors in units of 2^k where y lies beyond 2^+-128: their squares then neither
            # underflow (tiny y would give every alpha an error of 0) nor overflow
            error_exponent=scale_exponent(float(np.max(np.abs(y), initial=0.0)), np.float64),
        )
        # No prefer="threads" (scikit-learn's choice): the compiled solver loops hold the GIL,
        # so threads would take turns; joblib's default backend (processes) runs folds truly
        # in parallel, and a user's parallel_config(backend=...) still decides.
        mse_paths = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(_fold_mse_path)(X, y, sample_weight, train, test, alphas, path_options)
            for train, test in folds
        )
        mse_path = np.stack(mse_paths, axis=1)
        best = int(np.argmin(mse_path.mean(axis=1)))
        with np.errstate(under="ignore", over="ignore"):
            self.mse_path_ = np.ldexp(mse_path, 2 * path_options["error_exponent"])
        if not np.all(np.isfinite(self.mse_path_)):
            raise ValueError("the squared errors of y overflow float64: divide y by a constant "
                             "(the coefficients scale with it)")
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


def _fold_mse_path(X, y, sample_weight, train, test, alphas, options):
    """Test-set mean squared error of the lasso path fitted on the training rows."""
    weights_train = None if sample_weight is None else sample_weight[train]
    data = _prepare_data(X[train], y[train], weights_train, options["fit_intercept"])
    coefs, _, _, converged, solver = _fit_path(
        data, alphas, 1.0, solver=options["solver"], positive=options["positive"],
        max_iter=options["max_iter"], tol=options["tol"],
    )
    if not converged.all():
        warn_convergence(
            f"LassoCV: {np.count_nonzero(~converged)} of {len(alphas)} alphas of a fold's path "
            f"did not converge in max_iter={options['max_iter']} iterations of {solver} "
            f"(tol={options['tol']:g}); increase max_iter or tol, or use a shorter path "
            "(larger eps).",
            stacklevel=2,
        )
    coefs = coefs[0]
    intercepts = data.y_offset - data.X_offset @ coefs
    # a CSR/CSC matrix times a dense array is a dense array (safe_sparse_dot's result)
    residuals = np.asarray(X[test] @ coefs) + intercepts - y[test, None]
    if options["error_exponent"]:
        residuals = np.ldexp(residuals, -options["error_exponent"])
    weights_test = None if sample_weight is None else sample_weight[test]
    return np.average(residuals**2, axis=0, weights=weights_test)


def _fit_path(data, alphas, l1_ratio, *, solver, positive, max_iter, tol, x0=None):
    """The elastic-net path on prepared data, each alpha to scikit-learn's stopping rule.

    scikit-learn's coordinate descent stops when the duality gap is at most
    ``tol * ||y_c||^2`` (``y_c`` the weighted, centred target, in the solvers' scaling, per
    target): that is the solvers' absolute stopping rule. Returns the solvers' path
    (coefficients ``(n_targets, n_features, n_alphas)``, gaps, iterations, convergence) and
    the strategy that ran.
    """
    problem = LeastSquaresProblem(data.design, data.target)
    solver = check_solver(solver, problem)
    alphas = np.asarray(alphas, dtype=np.float64)
    coefs, gaps, n_iter, converged = enet_path(
        problem, alphas * (l1_ratio * data.weight_sum), problem.weights(1.0),
        l2s=alphas * ((1.0 - l1_ratio) * data.weight_sum), positive=bool(positive),
        solver=solver, tol=0.0, atol=tol * problem.yy, max_iter=max_iter, x0=x0,
    )
    return coefs, gaps, n_iter, converged, solver
