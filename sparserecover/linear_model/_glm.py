"""Sparse linear models beyond the LASSO: MCP and SCAD regression, Huber regression and
logistic regression, solved by one working-set coordinate descent (``solvers._glm``).

Objectives, as skglm's estimators of the same models (``n = n_samples``):

- :class:`MCPRegressor`, :class:`SCADRegressor`: ``1/(2n) ||y - X w - b||^2 + sum_j pen(w_j)``;
- :class:`SparseHuberRegressor`: ``1/n sum_i huber_eps(y_i - x_i.w - b) + alpha (l1_ratio
  ||w||_1 + (1 - l1_ratio) / 2 ||w||^2)``;
- :class:`SparseLogisticRegression`: ``1/n sum_i log(1 + exp(-y_i (x_i.w + b)))`` plus the
  same elastic-net penalty, ``y_i`` in {-1, +1} (one-vs-rest for more classes).

MCP and SCAD are not convex: coordinate descent finds a stationary point (a local minimum
in practice). Where the problem has several, the starting point and the order of the
coordinates decide which one is reached (``warm_start`` chooses the start). There is no
duality gap to certify it; ``tol`` bounds the violation of the optimality conditions instead
(see :class:`MCPRegressor`).
"""

import math
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from sparserecover._convergence import warn_convergence
from sparserecover.linear_model._base import _prepare_data, _SparseLinearModel
from sparserecover.solvers._cd_general import L1L2, MCP, SCAD, Huber, Logistic, Quadratic
from sparserecover.solvers._glm import glm_solve

_NOT_CONVERGED = (
    "{name} did not converge: the optimality conditions are violated by {violation:.3e} > "
    "tol={tol:.3e} after {n_iter} working sets. Increase max_iter or max_epochs, scale the "
    "features, or increase alpha."
)

_SOLVER_CONSTRAINTS = {
    "fit_intercept": ["boolean"],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
}

_SOLVER_PARAMETERS_DOC = """fit_intercept : bool, default=True
        Whether to fit an intercept (not penalized).
    max_iter : int, default=50
        Maximum number of outer iterations (working sets), as skglm's ``max_iter``.
    max_epochs : int, default=50_000
        Maximum number of coordinate-descent passes over each working set.
    tol : float, default=1e-4
        Stop when no optimality condition is violated by more than ``tol``: for every
        coefficient, the distance of minus the data fit's partial derivative to the
        penalty's subdifferential at ``w_j`` (and the partial derivative in the intercept).
        An absolute tolerance in the units of the objective's gradient, as skglm's ``tol``
        (there is no duality gap for non-convex penalties).
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` and ``intercept_`` (its data must have had
        as many features) instead of zero. With the non-convex penalties, the starting
        point decides which stationary point is reached."""


def _previous_fit(estimator, shape):
    """``(coef_, intercept_)`` to start from under ``warm_start``, or ``(None, None)``
    (``intercept_`` None when only ``coef_`` was set)."""
    if not (estimator.warm_start and hasattr(estimator, "coef_")):
        return None, None
    if estimator.coef_.shape != shape:
        raise ValueError(
            f"warm_start=True starts from the previous fit's coef_ of shape "
            f"{estimator.coef_.shape}, but this fit needs shape {shape}: fit with "
            f"warm_start=False, or on data with the same features (and classes)."
        )
    return estimator.coef_, getattr(estimator, "intercept_", None)


def _check_convergence(estimator, violation, n_iter):
    if violation > estimator.tol:
        warn_convergence(_NOT_CONVERGED.format(
            name=type(estimator).__name__, violation=violation, tol=estimator.tol,
            n_iter=n_iter), stacklevel=3)


class _PenalizedRegressor(RegressorMixin, _SparseLinearModel):
    """Least squares with a separable penalty; subclasses give it (:meth:`_penalty`)."""

    def _validate_fit_data(self, X, y):
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=(np.float64, np.float32), y_numeric=True)
        return X, np.asarray(y, dtype=X.dtype)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model by working-set coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (not modified; sparse data stays sparse).
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate_fit_data(X, y)
        previous, _ = _previous_fit(self, (X.shape[1],))
        data = _prepare_data(X, y, None, self.fit_intercept)
        # the intercept is centred out of the problem: the coefficients are the whole start
        w, _, n_iter, n_epochs, violation = glm_solve(
            data.design, Quadratic(data.weight_sum), self._penalty(X.shape[1]),
            target=data.target, tol=self.tol, max_iter=self.max_iter,
            max_epochs=self.max_epochs, coef=previous)
        _check_convergence(self, violation, n_iter)
        self._set_coef_and_intercept(w.astype(X.dtype), data, self.fit_intercept)
        self.n_iter_ = n_iter
        self.n_epochs_ = n_epochs
        self.stop_crit_ = violation
        return self


_REGRESSOR_ATTRIBUTES_DOC = """coef_ : ndarray of shape (n_features,)
        The coefficients, in the dtype of ``X``.
    intercept_ : float
        The intercept (0.0 if ``fit_intercept=False``).
    n_iter_ : int
        Outer iterations (working sets) used, at least 1.
    n_epochs_ : int
        Coordinate-descent passes used, summed over the working sets.
    stop_crit_ : float
        The largest violation of the optimality conditions at the solution (compare with
        ``tol``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names."""


class MCPRegressor(_PenalizedRegressor):
    __doc__ = f"""Least squares with the minimax concave penalty (MCP).

    Minimizes ``1 / (2 * n_samples) * ||y - X w - b||^2_2 + sum_j MCP(w_j)``, with
    ``MCP(t) = alpha |t| - t^2 / (2 gamma)`` for ``|t| <= gamma alpha`` and
    ``gamma alpha^2 / 2`` beyond (Zhang, Ann. Statist. 38(2), 2010): the LASSO's penalty
    near zero, constant for large coefficients, so that large coefficients are not shrunk.
    The objective and parameters are those of skglm's ``MCPRegression``.

    The penalty is not convex: working-set coordinate descent (each step the firm threshold
    :func:`sparserecover.prox_mcp` with step ``n_samples / ||x_j||^2``) converges to a
    stationary point. The problem is convex when ``gamma`` exceeds ``1 / lambda_min``,
    ``lambda_min`` the smallest eigenvalue of ``X_c.T X_c / n_samples`` (``X_c`` the centred
    design); each coordinate's problem is when ``gamma > n_samples / ||x_j||^2`` (for
    standardized features, ``gamma > 1``).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level (the LASSO's ``alpha`` near zero), ``>= 0``.
    gamma : float, default=3.0
        Concavity, ``> 1``: the penalty is flat beyond ``gamma * alpha``. Large values tend
        to the LASSO; values near 1 to hard thresholding.
    {_SOLVER_PARAMETERS_DOC}

    Attributes
    ----------
    {_REGRESSOR_ATTRIBUTES_DOC}

    See Also
    --------
    SCADRegressor : The SCAD penalty.
    Lasso : The convex l1 penalty.
    sparserecover.prox_mcp : The penalty's proximal map.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import MCPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20))
    >>> y = X[:, :3] @ np.array([3.0, -2.0, 1.5]) + 0.1 * rng.standard_normal(100)
    >>> model = MCPRegressor(alpha=0.1).fit(X, y)
    >>> np.flatnonzero(model.coef_)
    array([0, 1, 2])
    >>> model.coef_[:3].round(2)
    array([ 2.99, -2.01,  1.48])
    """

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "gamma": [Interval(Real, 1, None, closed="neither")],
        **_SOLVER_CONSTRAINTS,
    }

    def __init__(self, alpha=1.0, gamma=3.0, *, fit_intercept=True, max_iter=50,
                 max_epochs=50_000, tol=1e-4, warm_start=False):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.tol = tol
        self.warm_start = warm_start

    def _penalty(self, n_features):
        return MCP(float(self.alpha), float(self.gamma))


class SCADRegressor(_PenalizedRegressor):
    __doc__ = f"""Least squares with the smoothly clipped absolute deviation penalty (SCAD).

    Minimizes ``1 / (2 * n_samples) * ||y - X w - b||^2_2 + sum_j SCAD(w_j)``, with
    ``SCAD(t) = alpha |t|`` for ``|t| <= alpha``,
    ``(2 gamma alpha |t| - t^2 - alpha^2) / (2 (gamma - 1))`` up to ``gamma alpha`` and
    ``alpha^2 (gamma + 1) / 2`` beyond (Fan & Li, J. Amer. Statist. Assoc. 96(456), 2001),
    skglm's ``SCAD`` penalty. Not convex: coordinate descent (each step the proximal map
    :func:`sparserecover.prox_scad`) converges to a stationary point.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty level (the LASSO's ``alpha`` up to ``|t| = alpha``), ``>= 0``.
    gamma : float, default=3.7
        Shape, ``> 2`` (Fan and Li's 3.7 by default): the penalty is flat beyond
        ``gamma * alpha``.
    {_SOLVER_PARAMETERS_DOC}

    Attributes
    ----------
    {_REGRESSOR_ATTRIBUTES_DOC}

    See Also
    --------
    MCPRegressor : The MCP penalty.
    Lasso : The convex l1 penalty.
    sparserecover.prox_scad : The penalty's proximal map.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import SCADRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20))
    >>> y = X[:, :3] @ np.array([3.0, -2.0, 1.5]) + 0.1 * rng.standard_normal(100)
    >>> model = SCADRegressor(alpha=0.1).fit(X, y)
    >>> np.flatnonzero(model.coef_)
    array([0, 1, 2])
    """

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "gamma": [Interval(Real, 2, None, closed="neither")],
        **_SOLVER_CONSTRAINTS,
    }

    def __init__(self, alpha=1.0, gamma=3.7, *, fit_intercept=True, max_iter=50,
                 max_epochs=50_000, tol=1e-4, warm_start=False):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.tol = tol
        self.warm_start = warm_start

    def _penalty(self, n_features):
        return SCAD(float(self.alpha), float(self.gamma))


def _elastic_net(alpha, l1_ratio, n_features):
    return L1L2(np.full(n_features, float(alpha * l1_ratio)), float(alpha * (1.0 - l1_ratio)))


def _kernel_design(X):
    """X for the kernel with an intercept coordinate (not centred): CSC or as it is."""
    return X.tocsc() if sparse.issparse(X) else X


def _elastic_net_doc(what):
    return f"""alpha : float, default=1.0
        Penalty level, ``>= 0``.
    l1_ratio : float, default=1.0
        Mixing of the penalty, in ``[0, 1]``: ``alpha * l1_ratio`` multiplies ``||w||_1``
        and ``alpha * (1 - l1_ratio) / 2`` multiplies ``||w||_2^2`` {what}."""


class SparseHuberRegressor(RegressorMixin, _SparseLinearModel):
    __doc__ = f"""Huber regression with an l1 (or elastic-net) penalty: sparse and robust.

    Minimizes
    ``1 / n_samples * sum_i H(y_i - x_i.w - b) + alpha * (l1_ratio * ||w||_1
    + (1 - l1_ratio) / 2 * ||w||^2_2)``, with the Huber loss ``H(r) = r^2 / 2`` for
    ``|r| <= epsilon`` and ``epsilon |r| - epsilon^2 / 2`` beyond: least squares on small
    residuals, absolute deviations on outliers. The objective of skglm's ``Huber`` data fit
    (``delta=epsilon``) with its ``L1`` / ``L1_plus_L2`` penalty, solved by working-set
    coordinate descent.

    Unlike :class:`sklearn.linear_model.HuberRegressor`, ``epsilon`` is a threshold in the
    units of ``y`` (no scale is estimated): scale ``y`` or choose ``epsilon`` accordingly.
    ``HuberRegressor(epsilon=e, alpha=a)`` with its fitted ``scale_`` solves this problem at
    ``epsilon = e * scale_``, ``alpha = a * scale_ / n_samples`` and ``l1_ratio=0``.

    Parameters
    ----------
    {_elastic_net_doc("(the intercept is not penalized)")}
    epsilon : float, default=1.35
        Residuals up to ``epsilon`` in absolute value are squared, larger ones count
        linearly. ``> 0``.
    {_SOLVER_PARAMETERS_DOC}

    Attributes
    ----------
    {_REGRESSOR_ATTRIBUTES_DOC}

    See Also
    --------
    sklearn.linear_model.HuberRegressor : Huber regression with an l2 penalty and a
        jointly estimated scale.
    Lasso : The same penalty with a squared loss.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import SparseHuberRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20))
    >>> y = X[:, :2] @ np.array([3.0, -2.0]) + 0.1 * rng.standard_normal(100)
    >>> y[:5] += 50.0  # outliers
    >>> model = SparseHuberRegressor(alpha=0.05, epsilon=0.5).fit(X, y)
    >>> model.coef_[:2].round(1)
    array([ 2.9, -2. ])
    """

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        **_SOLVER_CONSTRAINTS,
    }

    def __init__(self, alpha=1.0, epsilon=1.35, *, l1_ratio=1.0, fit_intercept=True,
                 max_iter=50, max_epochs=50_000, tol=1e-4, warm_start=False):
        self.alpha = alpha
        self.epsilon = epsilon
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.tol = tol
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model by working-set coordinate descent.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
            Training data (not modified).
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=(np.float64, np.float32), y_numeric=True)
        n_samples, n_features = X.shape
        previous, previous_intercept = _previous_fit(self, (n_features,))
        start = 0.0
        if previous_intercept is not None and self.fit_intercept:
            start = float(previous_intercept)
        datafit = Huber(np.asarray(y, dtype=np.float64), float(self.epsilon), float(n_samples))
        w, intercept, n_iter, n_epochs, violation = glm_solve(
            _kernel_design(X), datafit, _elastic_net(self.alpha, self.l1_ratio, n_features),
            fit_intercept=self.fit_intercept, tol=self.tol, max_iter=self.max_iter,
            max_epochs=self.max_epochs, coef=previous, intercept=start)
        _check_convergence(self, violation, n_iter)
        self.coef_ = w.astype(X.dtype)
        self.intercept_ = float(intercept) if self.fit_intercept else 0.0
        self.n_iter_ = n_iter
        self.n_epochs_ = n_epochs
        self.stop_crit_ = violation
        return self


class SparseLogisticRegression(LinearClassifierMixin, SparseCoefMixin, BaseEstimator):
    __doc__ = f"""Logistic regression with an l1 (or elastic-net) penalty.

    Minimizes
    ``1 / n_samples * sum_i log(1 + exp(-y_i (x_i.w + b))) + alpha * (l1_ratio * ||w||_1
    + (1 - l1_ratio) / 2 * ||w||^2_2)`` with the labels ``y_i`` coded as -1 and +1: the
    objective of skglm's ``SparseLogisticRegression``. scikit-learn's
    ``LogisticRegression(l1_ratio=l1_ratio, C=C)`` (solvers "saga", and "liblinear" without
    intercept: liblinear penalizes it) is the same problem at ``alpha = 1 / (C * n_samples)``.
    More than two classes are fitted one-vs-rest, one binary problem per class, as skglm does.

    Parameters
    ----------
    {_elastic_net_doc("(the intercept is not penalized)")}
    {_SOLVER_PARAMETERS_DOC}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients of the decision function (one row for two classes), in the dtype of
        ``X``.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts of the decision function.
    n_iter_ : int
        Outer iterations (working sets) used, at least 1; the largest over the binary
        problems.
    n_epochs_ : int
        Coordinate-descent passes used, summed over the working sets and problems.
    stop_crit_ : float
        The largest violation of the optimality conditions at the solution, over the
        binary problems.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : This model at
        ``C = 1 / (alpha * n_samples)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecover import SparseLogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 20))
    >>> y = (X[:, 0] - 2.0 * X[:, 1] + 0.5 * rng.standard_normal(200) > 0).astype(int)
    >>> model = SparseLogisticRegression(alpha=0.05).fit(X, y)
    >>> np.flatnonzero(model.coef_[0])
    array([0, 1])
    >>> model.predict_proba(X[:2]).round(3)
    array([[0.401, 0.599],
           [0.948, 0.052]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        **_SOLVER_CONSTRAINTS,
    }

    def __init__(self, alpha=1.0, l1_ratio=1.0, *, fit_intercept=True, max_iter=50,
                 max_epochs=50_000, tol=1e-4, warm_start=False):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.tol = tol
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model by working-set coordinate descent (one-vs-rest beyond two classes).

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
            Training data (not modified).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=(np.float64, np.float32))
        check_classification_targets(y)
        encoder = LabelEncoder()
        codes = encoder.fit_transform(y)
        self.classes_ = encoder.classes_
        n_classes = self.classes_.shape[0]
        if n_classes < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}"
            )
        n_samples, n_features = X.shape
        design = _kernel_design(X)
        penalty = _elastic_net(self.alpha, self.l1_ratio, n_features)
        positives = [1] if n_classes == 2 else range(n_classes)
        previous, previous_intercept = _previous_fit(self, (len(positives), n_features))
        coef = np.empty((len(positives), n_features), dtype=X.dtype)
        intercept = np.zeros(len(positives), dtype=X.dtype)
        self.n_iter_, self.n_epochs_, self.stop_crit_ = 0, 0, 0.0
        for k, positive in enumerate(positives):
            labels = np.where(codes == positive, 1.0, -1.0)
            # from w = 0 and its optimal intercept, the log-odds of the class (as glmnet):
            # classes of equal counts start, and if all-zero stay, exactly tied
            n_positive = int(np.count_nonzero(codes == positive))
            start = math.log(n_positive / (n_samples - n_positive)) if self.fit_intercept else 0.0
            if previous_intercept is not None and self.fit_intercept:
                start = float(previous_intercept[k])
            w, b, n_iter, n_epochs, violation = glm_solve(
                design, Logistic(labels, float(n_samples)), penalty,
                fit_intercept=self.fit_intercept, tol=self.tol, max_iter=self.max_iter,
                max_epochs=self.max_epochs, coef=None if previous is None else previous[k],
                intercept=start)
            coef[k] = w
            intercept[k] = b if self.fit_intercept else 0.0
            self.n_iter_ = max(self.n_iter_, n_iter)
            self.n_epochs_ += n_epochs
            self.stop_crit_ = max(self.stop_crit_, violation)
        _check_convergence(self, self.stop_crit_, self.n_iter_)
        self.coef_ = coef
        self.intercept_ = intercept
        return self

    def predict_proba(self, X):
        """Class probabilities: the logistic function of the decision function (normalized
        over the classes for one-vs-rest, as scikit-learn's liblinear models).

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities of the classes, in the order of ``classes_``.
        """
        check_is_fitted(self)
        decision = self.decision_function(X)
        if decision.ndim == 1:
            positive = expit(decision)
            return np.column_stack([1.0 - positive, positive])
        proba = expit(decision)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities of the classes, in the order of ``classes_``.
        """
        return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # at the default alpha=1.0 (skglm's) every coefficient is zero on scikit-learn's
        # standardized test data (alpha_max = ||X.T y||_inf / (2 n) is below 1 there): a
        # constant prediction, below the training accuracy that check_classifiers_train asks
        tags.classifier_tags.poor_score = True
        return tags
