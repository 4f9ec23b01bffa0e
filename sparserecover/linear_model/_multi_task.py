"""MultiTaskLasso, MultiTaskElasticNet and their CV estimators: scikit-learn's classes, solved
by working-set block coordinate descent on the row-group (L2,1) penalty."""

from numbers import Real
from typing import ClassVar

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from sparserecover.linear_model._elastic_net import (
    _CV_DOC,
    _CV_NOTES,
    _SELECTION_DOC,
    ElasticNet,
    _lasso_path_function,
    _LinearModelCV,
    _path_function,
)


def _without(constraints, *names):
    return {key: value for key, value in constraints.items() if key not in names}


_MT_SOLVER_DOC = """solver : {"auto", "cd"}, default="auto"
        The algorithm: block coordinate descent with working sets and gap-safe screening
        (both values)."""

_MT_DOC = """fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept per task.
    copy_X : bool, default=True
        If True, ``X`` is copied; else a dense float ``X`` may be overwritten.
    max_iter : int, default=1000
        Maximum number of outer iterations (each: the duality gap, screening, and passes over
        a working set of rows; see :class:`ElasticNet`'s Notes).
    tol : float, default=1e-4
        Tolerance with scikit-learn's meaning: the fit stops once the duality gap is at most
        ``tol * ||Y_c||_F^2 / n_samples`` after a pass whose largest coefficient change is at
        most ``tol`` times the largest coefficient.
    warm_start : bool, default=False
        When True, start from the previous ``coef_``."""

_MT_ATTRIBUTES = """coef_ : ndarray of shape (n_targets, n_features)
        The coefficients (``W.T``), in the dtype of ``X``; rows of ``W`` are zero together.
    sparse_coef_ : scipy.sparse matrix of shape (n_targets, n_features)
        ``coef_`` as a sparse matrix.
    intercept_ : ndarray of shape (n_targets,)
        The intercepts.
    n_iter_ : int
        Block coordinate-descent passes run (0 when the start already met the tolerance).
    dual_gap_ : float
        Duality gap of the objective at ``coef_`` (all tasks together).
    eps_ : float
        The tolerance in the solver's scale, ``tol * ||Y_c||_F^2``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names."""


class MultiTaskElasticNet(ElasticNet):
    __doc__ = f"""Multi-task elastic net: a row-sparse coefficient matrix shared by all tasks.

    scikit-learn 1.9's :class:`sklearn.linear_model.MultiTaskElasticNet`, with every
    parameter, attribute and method of it (and ``solver``). Minimizes::

        1 / (2 * n_samples) * ||Y - X W - b||_Fro^2
        + alpha * l1_ratio * ||W||_21 + 0.5 * alpha * (1 - l1_ratio) * ||W||_Fro^2

    where ``||W||_21 = sum_j ||W_j||_2`` sums the 2-norms of the rows (features): a feature
    is used by every task or by none. Solved by block coordinate descent over the rows (block
    soft thresholding) with working sets, gap-safe screening and a duality-gap certificate
    (the dual norm is the largest row 2-norm of ``X.T R``).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms, ``>= 0``.
    l1_ratio : float, default=0.5
        The mixing parameter, ``0 <= l1_ratio <= 1`` (1: :class:`MultiTaskLasso`).
    {_MT_DOC}
    {_SELECTION_DOC}
    {_MT_SOLVER_DOC}

    Attributes
    ----------
    {_MT_ATTRIBUTES}

    See Also
    --------
    MultiTaskLasso : ``l1_ratio=1``.
    MultiTaskElasticNetCV : Chooses ``alpha`` and ``l1_ratio`` by cross-validation.
    ElasticNet : One independent elastic net per task.

    Examples
    --------
    >>> from sparserecover import MultiTaskElasticNet
    >>> model = MultiTaskElasticNet(alpha=0.1).fit([[0, 0], [1, 1], [2, 2]],
    ...                                            [[0, 0], [1, 1], [2, 2]])
    >>> model.coef_.round(4)  # two identical features share the weight (the l2 part)
    array([[0.4564, 0.4564],
           [0.4564, 0.4564]])
    >>> model.intercept_.round(4)
    array([0.0873, 0.0873])
    """

    _parameter_constraints: ClassVar[dict] = {
        **_without(ElasticNet._parameter_constraints, "precompute", "positive"),
        "solver": [StrOptions({"auto", "cd"})],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by block coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept, other numbers become float64.
        y : array-like of shape (n_samples, n_targets)
            Targets (a 1-D ``y`` is an error: use :class:`ElasticNet`).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, copy=self.copy_X)
        if y.ndim == 1:
            name = "Lasso" if isinstance(self, MultiTaskLasso) else "ElasticNet"
            raise ValueError(f"For mono-task outputs, use {name}")
        self._fit_prepared(X, y, sample_weight, True, multi_task=True)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLasso(MultiTaskElasticNet):
    __doc__ = f"""Multi-task lasso: a row-sparse coefficient matrix shared by all tasks.

    scikit-learn 1.9's :class:`sklearn.linear_model.MultiTaskLasso`, with every parameter,
    attribute and method of it (and ``solver``). Minimizes::

        1 / (2 * n_samples) * ||Y - X W - b||_Fro^2 + alpha * ||W||_21

    (``||W||_21`` the sum of the rows' 2-norms), by block coordinate descent: see
    :class:`MultiTaskElasticNet`.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty, ``>= 0``.
    {_MT_DOC}
    {_SELECTION_DOC}
    {_MT_SOLVER_DOC}

    Attributes
    ----------
    {_MT_ATTRIBUTES}

    See Also
    --------
    MultiTaskLassoCV : Chooses ``alpha`` by cross-validation.
    Lasso : One independent lasso per task.

    Examples
    --------
    >>> from sparserecover import MultiTaskLasso
    >>> model = MultiTaskLasso(alpha=0.1).fit([[0, 1], [1, 2], [2, 4]],
    ...                                       [[0, 0], [1, 1], [2, 3]])
    >>> model.coef_.round(4)
    array([[0.    , 0.6081],
           [0.    , 0.9459]])
    """

    _parameter_constraints: ClassVar[dict] = {**MultiTaskElasticNet._parameter_constraints}
    _parameter_constraints.pop("l1_ratio")

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, copy_X=copy_X,
            max_iter=max_iter, tol=tol, warm_start=warm_start, random_state=random_state,
            selection=selection, solver=solver,
        )


class MultiTaskElasticNetCV(_LinearModelCV):
    __doc__ = f"""Multi-task elastic net with ``alpha`` and ``l1_ratio`` chosen by
    cross-validation.

    scikit-learn 1.9's :class:`sklearn.linear_model.MultiTaskElasticNetCV`, with every
    parameter, attribute and method of it (and ``solver``): the same grid (from the largest
    row norm of ``X_c.T Y_c``), folds and errors (averaged over tasks), then a refit of
    :class:`MultiTaskElasticNet` on all data.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        The mixing parameter(s) tried, in ``[0, 1]`` (0 needs explicit ``alphas``).
    {_CV_DOC}
    {_SELECTION_DOC}
    {_MT_SOLVER_DOC}

    Attributes
    ----------
    alpha_ : float
        The chosen penalty.
    l1_ratio_ : float
        The chosen mixing parameter.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid of alphas for each ``l1_ratio``.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Mean squared error (averaged over tasks) on each fold's test set.
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (n_targets,)
        Intercepts of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Block coordinate-descent passes of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    MultiTaskElasticNet : The model refit at the chosen parameters.

    Notes
    -----
    {_CV_NOTES}

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import MultiTaskElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 6))
    >>> Y = X[:, :2] @ [[1.0, 2.0], [-1.0, 0.5]] + 0.1 * rng.standard_normal((40, 2))
    >>> model = MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(X, Y)
    >>> model.coef_.shape, model.mse_path_.shape
    ((2, 6), (2, 100, 3))
    """

    _parameter_constraints: ClassVar[dict] = {
        **_without(_LinearModelCV._parameter_constraints, "precompute", "positive"),
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "solver": [StrOptions({"auto", "cd"})],
    }

    _multi_task = True

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-4,
        cv=None,
        copy_X=True,
        verbose=0,
        n_jobs=None,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    path = staticmethod(_path_function)  # scikit-learn's enet_path

    def _get_estimator(self):
        return MultiTaskElasticNet()


class MultiTaskLassoCV(_LinearModelCV):
    __doc__ = f"""Multi-task lasso with ``alpha`` chosen by cross-validation.

    scikit-learn 1.9's :class:`sklearn.linear_model.MultiTaskLassoCV`, with every parameter,
    attribute and method of it (and ``solver``); a refit of :class:`MultiTaskLasso` at
    ``alpha_`` on all data.

    Parameters
    ----------
    {_CV_DOC}
    {_SELECTION_DOC}
    {_MT_SOLVER_DOC}

    Attributes
    ----------
    alpha_ : float
        The chosen penalty.
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Mean squared error (averaged over tasks) on each fold's test set.
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (n_targets,)
        Intercepts of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_iter_ : int
        Block coordinate-descent passes of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    MultiTaskLasso : The model refit at ``alpha_``.

    Notes
    -----
    {_CV_NOTES}

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import MultiTaskLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 6))
    >>> Y = X[:, :2] @ [[1.0, 2.0], [-1.0, 0.5]] + 0.1 * rng.standard_normal((40, 2))
    >>> model = MultiTaskLassoCV(cv=3).fit(X, Y)
    >>> np.flatnonzero(np.abs(model.coef_).sum(axis=0) > 0.05).tolist()
    [0, 1]
    """

    _parameter_constraints: ClassVar[dict] = {
        **_without(_LinearModelCV._parameter_constraints, "precompute", "positive"),
        "solver": [StrOptions({"auto", "cd"})],
    }

    _multi_task = True

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-4,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        random_state=None,
        selection="cyclic",
        solver="auto",
    ):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection
        self.solver = solver

    path = staticmethod(_lasso_path_function)  # scikit-learn's lasso_path

    def _get_estimator(self):
        return MultiTaskLasso()

