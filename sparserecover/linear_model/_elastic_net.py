"""Lasso, ElasticNet, LassoCV and ElasticNetCV: scikit-learn's classes, solved by
sparserecover's coordinate descent (working sets, gap-safe screening, Anderson acceleration).

The fitting logic lives in three functions every class shares: ``_fit_path`` (``_base``: the
path on prepared data, through the one path function of :mod:`sparserecover.solvers`),
``_path_function`` (scikit-learn's ``enet_path``/``lasso_path`` API, the ``path`` of each
class) and ``_fold_mse`` (a cross-validation fold).
"""

import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.model_selection import check_cv
from sklearn.utils import check_array, check_random_state, check_scalar, metadata_routing
from sklearn.utils._metadata_requests import MetadataRouter, MethodMapping, _raise_for_params
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._sparse import _align_api_if_sparse
from sklearn.utils.metadata_routing import _manual_routing, _routing_enabled, process_routing
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from sparserecover._dask import is_dask
from sparserecover._validation import scale_exponent
from sparserecover.linear_model._base import (
    _NON_FINITE,
    _alpha_grid,
    _fit_path,
    _gram_option,
    _LinearData,
    _prepare_data,
    _SparseLinearModel,
    _training_grams,
    _warn_not_converged,
)
from sparserecover.solvers._path import SOLVERS as _SOLVERS

# --------------------------------------------------------------------------- shared docs

_SOLVER_DOC = """solver : {"auto", "cd", "fista", "ista"}, default="auto"
        The algorithm. "auto" and "cd" are coordinate descent, scikit-learn's algorithm,
        with working sets, gap-safe screening and Anderson acceleration
        (:func:`sparserecover.solvers.coordinate_descent`), on the Gram matrix with
        ``precompute``. "fista" and "ista" are (accelerated) proximal gradient
        (:func:`sparserecover.fista`): ``selection`` does not apply to them, and their
        ``max_iter`` and ``n_iter_`` count gradient steps."""

_COMMON_DOC = """fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept. Sparse ``X`` is never densified for it.
    precompute : bool or array-like of shape (n_features, n_features), default=False
        Whether to run coordinate descent on the Gram matrix ``X_c.T X_c`` (computed once,
        ``O(n_samples n_features^2)``; then each pass costs ``O(n_features)`` per coordinate
        instead of ``O(n_samples)``: the fast choice for tall ``X``), or that Gram matrix
        itself, for ``X`` that needs no centring (it is checked, and recomputed with a
        warning when ``X`` was centred, as in scikit-learn). Ignored for sparse ``X``.
    max_iter : int, default=1000
        Maximum number of outer iterations of coordinate descent: each computes the duality
        gap, screens features and makes passes over a working set (see Notes).
    copy_X : bool, default=True
        If True, ``X`` is copied; else a dense float ``X`` may be overwritten (centred and
        scaled by the sample weights in place, saving the copy)."""

_TOL_DOC = """tol : float, default=1e-4
        Tolerance with scikit-learn's meaning: the fit stops once the duality gap of the
        objective is at most ``tol * ||y_c||^2 / n_samples`` (``y_c`` the centred target,
        weighted with ``sample_weight``), per target, after a pass whose largest coefficient
        change is at most ``tol`` times the largest coefficient.
    warm_start : bool, default=False
        When True, start from the previous ``coef_`` (the first fit starts from zero)."""

_SELECTION_DOC = """random_state : int, RandomState instance, default=None
        The seed of the generator that draws the coordinates when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order within each pass: cyclic, or drawn uniformly at random with
        replacement (as scikit-learn's ``selection="random"``)."""

_CV_DOC = """eps : float, default=1e-3
        Length of the path: ``alpha_min / alpha_max``.
    alphas : int or array-like, default=100
        Number of alphas on the automatic grid (scikit-learn's: geometric from
        ``alpha_max``, the smallest ``alpha`` whose solution is zero, to
        ``eps * alpha_max``), or the alphas themselves (sorted decreasingly).
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    precompute : "auto", bool or array-like of shape (n_features, n_features), \
default="auto"
        Coordinate descent on the Gram matrix of each fold's training data: "auto" when
        it has more samples than features (as scikit-learn). The final refit on all data
        runs without it for "auto" (as scikit-learn). See :class:`ElasticNet`.
    max_iter : int, default=1000
        Maximum number of outer iterations of coordinate descent per alpha (see
        :class:`ElasticNet`).
    tol : float, default=1e-4
        Tolerance on the duality gap per alpha, as in :class:`ElasticNet`.
    copy_X : bool, default=True
        If False, a dense float ``X`` may be overwritten by the final refit.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold :class:`~sklearn.model_selection.KFold`, an int
        the number of folds; or a splitter, or an iterable of (train, test) index arrays.
    verbose : bool or int, default=False
        Verbosity of joblib.
    n_jobs : int, default=None
        Number of folds fitted in parallel (None: 1 unless in a joblib context)."""

_CV_NOTES = """The folds run the whole grid with warm starts from one alpha to the next (each
    alpha to scikit-learn's stopping rule), through joblib: ``n_jobs`` or a surrounding
    ``joblib.parallel_config(backend=...)`` (processes, threads, dask) spreads them. With
    metadata routing enabled (``sklearn.set_config(enable_metadata_routing=True)``),
    ``fit(X, y, groups=...)`` passes ``groups`` to the splitter; without it, such a parameter
    is scikit-learn's error."""

# --------------------------------------------------------------------------- ElasticNet


class ElasticNet(MultiOutputMixin, RegressorMixin, _SparseLinearModel):
    __doc__ = f"""Linear regression with L1 and L2 penalties, scikit-learn's ``ElasticNet``.

    Minimizes the objective::

        1 / (2 * n_samples) * ||y - X w - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    exactly as :class:`sklearn.linear_model.ElasticNet`, with every parameter, attribute and
    method of it (and ``solver``), so the same ``alpha`` gives the same coefficients; with
    ``sample_weight`` the squared error is the weighted average. Several targets are
    separate problems (each with its own duality gap and iterations). The problem goes to
    the solvers with ``lam = alpha * l1_ratio * n_samples`` and
    ``l2 = alpha * (1 - l1_ratio) * n_samples``.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms, ``>= 0`` (``alpha=0`` is least squares,
        for which scikit-learn's warning advises
        :class:`sklearn.linear_model.LinearRegression`).
    l1_ratio : float, default=0.5
        The mixing parameter, ``0 <= l1_ratio <= 1``: 1 is the lasso, 0 ridge regression.
    {_COMMON_DOC}
    {_TOL_DOC}
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    {_SELECTION_DOC}
    {_SOLVER_DOC}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients ``w``, in the dtype of ``X`` (float32 stays float32).
    sparse_coef_ : scipy.sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a sparse matrix (scikit-learn's ``sparse_interface`` decides its kind).
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0.0 if ``fit_intercept=False``).
    n_iter_ : int or list of int
        Coordinate-descent passes run, over the working sets, summed over the outer
        iterations (one count per target for several targets); 0 when the start already met
        the tolerance.
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
    ElasticNetCV : Chooses ``alpha`` and ``l1_ratio`` by cross-validation.
    sparserecover.solvers.coordinate_descent : The solver.

    Notes
    -----
    **Stopping.** scikit-learn stops coordinate descent when the duality gap is at most
    ``tol * ||y_c||^2 / n_samples`` (in its ``_cd_fast``: ``gap <= tol * y_c @ y_c`` for the
    objective multiplied by ``n_samples``), testing it after a pass whose largest change is
    at most ``tol`` times the largest coefficient; so does this estimator, with the same gap
    (the rescaled-residual dual point), so ``dual_gap_`` meets scikit-learn's bound whenever
    no ``ConvergenceWarning`` was raised. The gap is also tested at the start: a warm start
    that already meets it runs no pass.

    **Coordinate descent.** Each outer iteration computes the full duality gap, discards the
    features gap-safe screening proves zero, and runs cyclic passes over a working set of the
    features closest to their dual constraint (celer, skglm) until that subproblem's gap is
    below 0.3 times the full one (at most 10000 passes), with Anderson extrapolation: on
    sparse solutions far fewer coordinate updates than scikit-learn's passes over every
    feature. An outer iteration depends on its start alone, so ``max_iter`` counts them:
    two fits of ``max_iter=k`` with ``warm_start`` give what one fit of ``max_iter=2 k``
    gives, as in scikit-learn; ``n_iter_`` counts the passes. Two outer iterations in a row
    that neither solve their working set within its passes nor halve the gap end the fit
    (with the warning): the gap has stalled at the rounding of the data.

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

    _non_finite_message = _NON_FINITE

    # check_input is an optimisation, not data to route through a pipeline (as scikit-learn)
    __metadata_request__fit: ClassVar[dict] = {"check_input": metadata_routing.UNUSED}

    # scikit-learn's ElasticNet also admits max_iter=None, with which its fit fails
    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "solver": [StrOptions(set(_SOLVERS))],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute=False,
        max_iter=1000,
        copy_X=True,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    @staticmethod
    def path(X, y, **params):
        """scikit-learn's ``enet_path`` (see :func:`_path_function`), by sparserecover's
        solvers."""
        return _path_function(X, y, **params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data; float32 is kept, other numbers become float64. A dask array
            chunked by rows is reduced to its Gram matrix in one pass over its chunks (on
            dask's current scheduler), then solved by coordinate descent on it: the
            coefficients of ``precompute=True`` on the in-memory array, to rounding.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target (a dask array too); several targets are separate problems.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative sample weights (scale-free: only their ratios matter; a number is
            the same as None).
        check_input : bool, default=True
            Skip the input checks when False (``X`` must then be a float32/float64
            Fortran-ordered array or a CSR/CSC matrix, as in scikit-learn).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are advised to use "
                "the LinearRegression estimator",
                stacklevel=3,  # the user's call to fit, through _fit_context's wrapper
            )
        if is_dask(X) or is_dask(y):
            from sparserecover._dask import fit_dask

            return fit_dask(self, X, y, sample_weight)
        X, y, sample_weight = self._validate_fit_data(
            X, y, sample_weight, check_input=check_input, copy=self.copy_X
        )
        self._fit_prepared(X, y, sample_weight, check_input, multi_task=False)
        return self

    def _fit_prepared(self, X, y, sample_weight, check_gram, multi_task):
        """Centre, solve and store the fit (shared with the multi-task estimators)."""
        n_samples = X.shape[0]
        if sample_weight is not None:  # scikit-learn's scale, for a user's Gram matrix
            sample_weight = sample_weight * (n_samples / np.sum(sample_weight))
        data = _prepare_data(X, y, sample_weight, self.fit_intercept, copy=self.copy_X)
        gram = False
        if not multi_task:
            gram = _gram_option(self.precompute, data, n_samples, self.fit_intercept,
                                check_gram)
        self._fit_data(data, X.dtype, X.shape[1], y.shape[1:], gram=gram,
                       multi_task=multi_task)

    def _fit_data(self, data, dtype, n_features, target_shape, *, gram=False,
                  multi_task=False, stacklevel=5):
        """Solve on prepared ``data`` (a design or Gram matrices: the tall dask fit gives
        the latter) and store the fit; ``target_shape`` is ``y.shape[1:]``."""
        x0 = None
        if self.warm_start and hasattr(self, "coef_"):
            x0 = np.asarray(self.coef_, dtype=dtype).T
            if x0.shape != (n_features, *target_shape):
                x0 = None
        path = _fit_path(
            data, [self.alpha], self.l1_ratio, solver=self.solver,
            positive=getattr(self, "positive", False), max_iter=self.max_iter, tol=self.tol,
            x0=x0, gram=gram, random_state=_random_state(self), multi_task=multi_task,
            certify=data.gram is None,
        )
        if not path.converged[0]:
            _warn_not_converged(path, 0, self.alpha * self.l1_ratio, stacklevel=stacklevel)
        x = path.coefs[:, :, 0].T
        y_ndim = 1 + len(target_shape)
        self._set_coef_and_intercept(x if y_ndim == 2 else x[:, 0], data, self.fit_intercept)
        gap = (path.gaps[:, 0] / data.weight_sum).astype(dtype)
        n_iter = path.n_iter[:, 0].tolist()
        if multi_task:
            self.dual_gap_ = gap[0]
            self.n_iter_ = n_iter[0]
            self.eps_ = float(path.tolerance[0])
        else:
            self.dual_gap_ = gap if y_ndim == 2 else gap[0]
            self.n_iter_ = n_iter if y_ndim == 2 else n_iter[0]

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted ``coef_``."""
        return _align_api_if_sparse(sparse.csr_array(np.atleast_2d(self.coef_)))


class Lasso(ElasticNet):
    __doc__ = f"""Linear regression with an L1 penalty (the lasso), scikit-learn's ``Lasso``.

    Minimizes the objective::

        1 / (2 * n_samples) * ||y - X w - b||^2_2 + alpha * ||w||_1

    exactly as :class:`sklearn.linear_model.Lasso` (the same ``alpha`` gives the same
    coefficients), with its every parameter, attribute and method (and ``solver``): the
    :class:`ElasticNet` with ``l1_ratio=1``, solved with ``lam = alpha * n_samples``. With
    several targets each column is its own lasso (not :class:`MultiTaskLasso`'s penalty).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 penalty, ``>= 0``.
    {_COMMON_DOC}
    {_TOL_DOC}
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    {_SELECTION_DOC}
    {_SOLVER_DOC}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients ``w``, in the dtype of ``X``.
    sparse_coef_ : scipy.sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a sparse matrix.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0.0 if ``fit_intercept=False``).
    n_iter_ : int or list of int
        Coordinate-descent passes run (one per target for several targets); see
        :class:`ElasticNet`'s Notes for them and for ``max_iter``.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the objective above at ``coef_``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    LassoCV : Chooses ``alpha`` by cross-validation.
    ElasticNet : Adds an L2 penalty; its Notes describe the stopping rule.
    MultiTaskLasso : The row-sparse penalty for several targets.

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
        fit_intercept=True,
        precompute=False,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, precompute=precompute,
            copy_X=copy_X, max_iter=max_iter, tol=tol, warm_start=warm_start,
            positive=positive, random_state=random_state, selection=selection, solver=solver,
        )


def _random_state(estimator):
    """The ``RandomState`` coordinate descent draws from, None for cyclic selection."""
    if estimator.selection == "random":
        return check_random_state(estimator.random_state)
    return None


# --------------------------------------------------------------------------- path


def _path_function(X, y, *, l1_ratio=0.5, eps=1e-3, alphas=100, precompute="auto", Xy=None,
                   copy_X=True, coef_init=None, verbose=False, return_n_iter=False,
                   positive=False, check_input=True, **params):
    """scikit-learn's ``enet_path`` (``lasso_path`` with ``l1_ratio=1``), same arguments.

    Solves ``1 / (2 n_samples) ||y - X w||^2 + alpha l1_ratio ||w||_1
    + 0.5 alpha (1 - l1_ratio) ||w||^2`` (no intercept: ``X`` and ``y`` are used as given)
    at each alpha of the grid (an int: scikit-learn's automatic grid of that many; or the
    alphas, sorted decreasingly), warm-starting each from the previous one; for 2-D ``y``
    the multi-task penalty ``||W||_21`` of :class:`MultiTaskElasticNet`. ``precompute`` is
    "auto" (the Gram matrix when ``n_samples > n_features``), a bool or the Gram matrix
    (with ``Xy = X.T y``); ``params`` may hold ``tol``, ``max_iter``, ``random_state`` and
    ``selection``, as scikit-learn's. ``copy_X`` and ``verbose`` are accepted for
    compatibility: ``X`` is never modified, and nothing is printed.

    Returns ``alphas``, the coefficients ``(n_features, n_alphas)`` (or ``(n_targets,
    n_features, n_alphas)``), the duality gaps ``(n_alphas,)`` and, with ``return_n_iter``,
    the list of coordinate-descent passes per alpha.
    """
    tol = params.pop("tol", 1e-4)
    max_iter = params.pop("max_iter", 1000)
    random_state = params.pop("random_state", None)
    selection = params.pop("selection", "cyclic")
    solver = params.pop("solver", "auto")
    if params:
        raise ValueError("Unexpected parameters in params", params.keys())
    if selection not in ("random", "cyclic"):
        raise ValueError("selection should be either random or cyclic.")
    if check_input:
        X = check_array(X, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32])
        y = check_array(y, dtype=X.dtype.type, ensure_2d=False)
        if Xy is not None:
            Xy = check_array(Xy, dtype=X.dtype.type, ensure_2d=False)
    y = np.asarray(y, dtype=X.dtype)
    multi_task = y.ndim != 1
    if multi_task and positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    n_samples, n_features = X.shape
    data = _LinearData(X, y, np.zeros(n_features, X.dtype), np.zeros(y.shape[1:], X.dtype),
                       float(n_samples))
    gram = False
    if not multi_task and not sparse.issparse(X):
        if isinstance(precompute, str):
            gram = n_samples > n_features
        elif isinstance(precompute, (bool, np.bool_)):
            gram = bool(precompute)
        else:
            gram = check_array(precompute, dtype=X.dtype.type) if check_input else precompute
    if isinstance(alphas, Integral):
        alphas = _alpha_grid(X, y, None, False, eps=eps, n_alphas=alphas, positive=positive,
                             l1_ratio=l1_ratio)
    else:
        alphas = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
    x0 = None if coef_init is None else np.asarray(coef_init, dtype=X.dtype).T
    path = _fit_path(
        data, alphas, l1_ratio, solver=solver, positive=positive, max_iter=max_iter, tol=tol,
        x0=x0, gram=gram, Xy=Xy, random_state=check_random_state(random_state)
        if selection == "random" else None, multi_task=multi_task,
    )
    for i in np.flatnonzero(~path.converged):
        _warn_not_converged(path, i, alphas[i] * l1_ratio, stacklevel=3)
    coefs = path.coefs if y.ndim == 2 else path.coefs[0]
    dual_gaps = path.gaps.max(axis=0) / n_samples
    if return_n_iter:
        return alphas, coefs, dual_gaps, [int(v) for v in path.n_iter.max(axis=0)]
    return alphas, coefs, dual_gaps


def _lasso_path_function(X, y, **params):
    """scikit-learn's ``lasso_path``: :func:`_path_function` with ``l1_ratio=1``."""
    return _path_function(X, y, l1_ratio=1.0, **params)


# --------------------------------------------------------------------------- cross-validation


class _LinearModelCV(MultiOutputMixin, RegressorMixin, _SparseLinearModel):
    """scikit-learn's ``LinearModelCV``: the grid, the folds, the choice and the refit."""

    _parameter_constraints: ClassVar[dict] = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "precompute": [StrOptions({"auto"}), "array-like", "boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "copy_X": ["boolean"],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "solver": [StrOptions(set(_SOLVERS))],
    }

    _multi_task = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Choose the penalty by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. A dask array chunked by rows (not for the multi-task estimators)
            is read once: the one pass keeps the moments of each fold's test rows apart,
            from which every fold's training Gram matrix, its path, its test errors and the
            final refit follow (``cv`` must then have disjoint test sets).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target (several targets only for the multi-task estimators).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative sample weights, used in each fit and in each fold's mean squared
            error (the folds' errors are then averaged without weights, as in scikit-learn).
        **params : dict
            Metadata for the splitter (e.g. ``groups``), only with metadata routing enabled.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        if is_dask(X) or is_dask(y):
            from sparserecover._dask import fit_cv_dask

            mse_paths, grids, refit = fit_cv_dask(self, X, y, sample_weight, params)
            self._choose_and_refit(mse_paths, 0, grids, refit)
            return self
        X_given = X
        X, y = validate_data(
            self, X, y, validate_separately=(
                dict(accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32]),
                dict(dtype=[np.float64, np.float32], ensure_2d=False),
            ),
        )
        y = np.asarray(y, dtype=X.dtype)
        check_consistent_length(X, y)
        name = type(self).__name__
        if not self._multi_task:
            if y.ndim > 1 and y.shape[1] > 1:
                raise ValueError(f"For multi-task outputs, use MultiTask{name}")
            y = column_or_1d(y, warn=True)
        elif y.ndim == 1:
            raise ValueError(f"For mono-task outputs, use {name[9:]}CV")
        if isinstance(sample_weight, Real):
            sample_weight = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )

        l1_ratios = np.atleast_1d(getattr(self, "l1_ratio", 1.0))
        if isinstance(self.alphas, Integral):
            grids = [
                _alpha_grid(X, y, sample_weight, self.fit_intercept, eps=self.eps,
                            n_alphas=self.alphas, positive=getattr(self, "positive", False),
                            l1_ratio=l1_ratio)
                for l1_ratio in l1_ratios
            ]
        else:
            for index, alpha in enumerate(self.alphas):
                check_scalar(alpha, f"alphas[{index}]", target_type=Real, min_val=0.0,
                             include_boundaries="left")
            grids = np.tile(np.sort(self.alphas)[::-1], (len(l1_ratios), 1))

        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
        else:
            routed = _manual_routing({"splitter": {}})
        folds = list(check_cv(self.cv).split(X, y, **routed.splitter.split))
        options = dict(
            fit_intercept=self.fit_intercept, precompute=getattr(self, "precompute", False),
            solver=self.solver, positive=getattr(self, "positive", False),
            max_iter=self.max_iter, tol=self.tol, multi_task=self._multi_task,
            random_state=self.random_state if self.selection == "random" else None,
            # errors in units of 2^k where y lies beyond 2^+-128: their squares then neither
            # underflow (tiny y would give every alpha an error of 0) nor overflow
            error_exponent=scale_exponent(float(np.max(np.abs(y), initial=0.0)), np.float64),
        )
        prepared = self._training_grams(X, y, sample_weight, folds)
        # No prefer="threads" (scikit-learn's choice): the compiled solver loops hold the GIL,
        # so threads would take turns; joblib's default backend (processes) runs folds truly
        # in parallel, and a user's parallel_config(backend=...) still decides.
        mse_paths = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(_fold_mse)(X, y, sample_weight, train, test, grid, l1_ratio, options, data)
            for l1_ratio, grid in zip(l1_ratios, grids)
            for (train, test), data in zip(folds, prepared)
        )
        mse_paths = np.reshape(mse_paths, (len(l1_ratios), len(folds), -1))

        def refit(model):
            if not np.may_share_memory(X, X_given):  # validation copied X: the refit may use it
                model.copy_X = False
            if sample_weight is None:
                model.fit(X, y)
            else:
                model.fit(X, y, sample_weight=sample_weight)

        self._choose_and_refit(mse_paths, options["error_exponent"], grids, refit)
        return self

    def _choose_and_refit(self, mse_paths, error_exponent, grids, refit):
        """The alpha (and l1_ratio) of the lowest mean error over the folds ``mse_paths``
        (n_l1_ratios, n_folds, n_alphas) (in units of ``2**error_exponent``), the attributes,
        and ``refit(model)`` of the model at that penalty."""
        l1_ratios = np.atleast_1d(getattr(self, "l1_ratio", 1.0))
        mean_mse = mse_paths.mean(axis=1)
        with np.errstate(under="ignore", over="ignore"):
            mse_paths = np.ldexp(mse_paths, 2 * error_exponent)
        if not np.all(np.isfinite(mse_paths)):
            raise ValueError("the squared errors of y overflow float64: divide y by a constant "
                             "(the coefficients scale with it)")
        self.mse_path_ = np.squeeze(np.moveaxis(mse_paths, 2, 1))
        best_mse = np.inf
        for l1_ratio, grid, mse in zip(l1_ratios, grids, mean_mse):
            i = int(np.argmin(mse))
            if mse[i] < best_mse:
                best_alpha, best_l1_ratio, best_mse = grid[i], l1_ratio, mse[i]
        self.alpha_ = float(best_alpha)
        if hasattr(self, "l1_ratio"):
            self.l1_ratio_ = float(best_l1_ratio)
        if isinstance(self.alphas, Integral):
            self.alphas_ = np.asarray(grids)
            if len(l1_ratios) == 1:
                self.alphas_ = self.alphas_[0]
        else:
            self.alphas_ = np.asarray(grids[0])

        model = self._get_estimator()
        own = self.get_params()
        model.set_params(**{key: own[key] for key in model.get_params() if key in own})
        model.alpha = best_alpha
        model.l1_ratio = best_l1_ratio
        precompute = getattr(self, "precompute", None)
        if isinstance(precompute, str) and precompute == "auto":
            model.precompute = False
        refit(model)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_

    def _training_grams(self, X, y, sample_weight, folds):
        """The folds' training data as Gram matrices (``_training_grams``) where their
        coordinate descent runs on the Gram matrix (scikit-learn's ``precompute``: True, or
        "auto" for more samples than features), else None (each fold prepares its rows)."""
        precompute = getattr(self, "precompute", False)
        if (sparse.issparse(X) or self._multi_task or self.solver not in ("auto", "cd")
                or not isinstance(precompute, (str, bool, np.bool_))):
            return [None] * len(folds)
        use = [precompute is True or (precompute == "auto" and len(train) > X.shape[1])
               for train, _ in folds]
        grams = iter(_training_grams(
            X, y, sample_weight, [train for (train, _), on in zip(folds, use) if on],
            self.fit_intercept,
        ) if any(use) else [])
        return [next(grams) if on else None for on in use]

    def get_metadata_routing(self):
        """Get the metadata routing of this object: ``fit``'s extra parameters go to the
        splitter's ``split`` (scikit-learn's routing).

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = not self._multi_task
        tags.target_tags.multi_output = self._multi_task
        return tags


def _fold_mse(X, y, sample_weight, train, test, alphas, l1_ratio, options, data=None):
    """Test-set mean squared error (averaged over targets) along the path fitted on the
    training rows (or on their prepared ``data``)."""
    gram = False
    if data is None:
        sw_train = None
        if sample_weight is not None:
            sw_train = sample_weight[train]
            sw_train = sw_train * (len(train) / np.sum(sw_train))
        X_train = X[train]
        data = _prepare_data(X_train, y[train], sw_train, options["fit_intercept"],
                             copy=X_train is X)
        if not options["multi_task"]:
            gram = _gram_option(options["precompute"], data, len(train),
                                options["fit_intercept"])
    random_state = options["random_state"]
    path = _fit_path(
        data, alphas, l1_ratio, solver=options["solver"], positive=options["positive"],
        max_iter=options["max_iter"], tol=options["tol"], gram=gram,
        random_state=None if random_state is None else check_random_state(random_state),
        multi_task=options["multi_task"], certify=False,
    )
    if not path.converged.all():
        missed = np.flatnonzero(~path.converged)
        _warn_not_converged(
            path, missed[0], alphas[missed[0]] * l1_ratio, stacklevel=2,
            prefix=f"{missed.size} of {len(alphas)} alphas of a fold's path: ",
        )
    coefs = path.coefs  # (n_targets, n_features, n_alphas)
    intercepts = data.y_offset.reshape(-1, 1) - np.einsum("j,kja->ka", data.X_offset, coefs)
    y_test = y[test].reshape(len(test), -1)
    X_test = X[test]
    sw_test = None if sample_weight is None else sample_weight[test]
    mse = np.empty((coefs.shape[0], coefs.shape[2]))
    for k in range(coefs.shape[0]):
        # a CSR/CSC matrix times a dense array is a dense array (safe_sparse_dot's result)
        residuals = np.asarray(X_test @ coefs[k]) + intercepts[k] - y_test[:, k, None]
        if options["error_exponent"]:
            residuals = np.ldexp(residuals, -options["error_exponent"])
        mse[k] = np.average(residuals**2, axis=0, weights=sw_test)
    return mse.mean(axis=0)


class LassoCV(_LinearModelCV):
    __doc__ = f"""Lasso with ``alpha`` chosen by cross-validation along a warm-started path.

    scikit-learn 1.9's :class:`sklearn.linear_model.LassoCV`, with every parameter,
    attribute and method of it (and ``solver``): the same grid, the same folds for the same
    ``cv``, the same (weighted) mean squared error per fold, and a final refit of
    :class:`Lasso` at the chosen ``alpha_`` on all data.

    Parameters
    ----------
    {_CV_DOC}
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    {_SELECTION_DOC}
    {_SOLVER_DOC}

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
        Coordinate-descent passes of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    Lasso : The model refit at ``alpha_``.
    ElasticNetCV : The same with an L2 penalty and a choice of ``l1_ratio``.

    Notes
    -----
    {_CV_NOTES}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparserecover import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoCV(cv=5).fit(X, y)
    >>> model.alphas_.shape, model.mse_path_.shape
    ((100,), (100, 5))
    >>> int(model.alphas_.tolist().index(model.alpha_))  # near the end of the path
    90
    """

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    path = staticmethod(_lasso_path_function)  # scikit-learn's lasso_path

    def _get_estimator(self):
        return Lasso()


class ElasticNetCV(_LinearModelCV):
    __doc__ = f"""Elastic net with ``alpha`` and ``l1_ratio`` chosen by cross-validation.

    scikit-learn 1.9's :class:`sklearn.linear_model.ElasticNetCV`, with every parameter,
    attribute and method of it (and ``solver``): for each ``l1_ratio``, the same grid of
    alphas, the same folds, the same (weighted) mean squared errors; then a refit of
    :class:`ElasticNet` at the best pair on all data.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        The mixing parameter(s) tried, in ``[0, 1]`` (0 needs explicit ``alphas``).
    {_CV_DOC}
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    {_SELECTION_DOC}
    {_SOLVER_DOC}

    Attributes
    ----------
    alpha_ : float
        The chosen penalty.
    l1_ratio_ : float
        The chosen mixing parameter.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid of alphas for each ``l1_ratio``.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Mean squared error on each fold's test set.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit.
    intercept_ : float
        Intercept of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Coordinate-descent passes of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    ElasticNet : The model refit at ``alpha_`` and ``l1_ratio_``.
    LassoCV : ``l1_ratio=1``.

    Notes
    -----
    {_CV_NOTES}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparserecover import ElasticNetCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5).fit(X, y)
    >>> float(model.l1_ratio_), model.mse_path_.shape
    (1.0, (2, 100, 5))
    """

    _parameter_constraints: ClassVar[dict] = {
        **_LinearModelCV._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    }

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        cv=None,
        copy_X=True,
        verbose=0,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    path = staticmethod(_path_function)  # scikit-learn's enet_path

    def _get_estimator(self):
        return ElasticNet()
