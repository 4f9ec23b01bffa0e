"""Sparse linear models beyond the LASSO: MCP and SCAD regression, Huber regression and
logistic regression, solved by one working-set coordinate descent (``solvers._glm``).

Objectives, as skglm's estimators of the same models (``n = n_samples``):

- :class:`MCPRegressor`, :class:`SCADRegressor`: ``1/(2n) ||y - X w - b||^2 + sum_j pen(w_j)``;
- :class:`SparseHuberRegressor`: ``1/n sum_i huber_eps(y_i - x_i.w - b) + alpha (l1_ratio
  ||w||_1 + (1 - l1_ratio) / 2 ||w||^2)``;
- :class:`SparseLogisticRegression`: ``1/n sum_i log(1 + exp(-y_i (x_i.w + b)))`` plus the
  same elastic-net penalty, ``y_i`` in {-1, +1} (one-vs-rest for more classes).

MCP and SCAD are not convex: coordinate descent finds a stationary point (a local minimum
in practice), the one skglm's solver finds from the same start. There is no duality gap to
certify it; ``tol`` bounds the violation of the optimality conditions instead (see
:class:`MCPRegressor`).
"""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data

from sparserecover._convergence import warn_convergence
from sparserecover.linear_model._base import _prepare_data, _SparseLinearModel
from sparserecover.solvers._cd_general import L1L2, MCP, SCAD, Quadratic
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
        (there is no duality gap for non-convex penalties)."""


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
        data = _prepare_data(X, y, None, self.fit_intercept)
        w, _, n_iter, n_epochs, violation = glm_solve(
            data.design, Quadratic(data.weight_sum), self._penalty(X.shape[1]),
            target=data.target, tol=self.tol, max_iter=self.max_iter,
            max_epochs=self.max_epochs)
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
        Outer iterations (working sets) used.
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
                 max_epochs=50_000, tol=1e-4):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.tol = tol

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
                 max_epochs=50_000, tol=1e-4):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.tol = tol

    def _penalty(self, n_features):
        return SCAD(float(self.alpha), float(self.gamma))


def _elastic_net(alpha, l1_ratio, n_features):
    return L1L2(np.full(n_features, float(alpha * l1_ratio)), float(alpha * (1.0 - l1_ratio)))


def _kernel_design(X):
    """X for the kernel with an intercept coordinate (not centred): CSC or as it is."""
    return X.tocsc() if sparse.issparse(X) else X
