"""scikit-learn estimators for sparse linear regression.

:class:`Lasso`, :class:`ElasticNet`, :class:`LassoCV`, :class:`ElasticNetCV` and the
multi-task :class:`MultiTaskLasso`, :class:`MultiTaskElasticNet`, :class:`MultiTaskLassoCV`
and :class:`MultiTaskElasticNetCV` are drop-in replacements for scikit-learn's classes of the
same names (every parameter, attribute, method, message and warning; the same ``alpha`` gives
the same coefficients), solved by sparserecover's coordinate descent with working sets and
gap-safe screening;
:class:`IHTRegressor` fits k-sparse least squares by iterative hard thresholding. All accept
dense or ``scipy.sparse`` ``X`` (the intercept never densifies it), sample weights, and keep
float32 as float32. :class:`MCPRegressor`, :class:`SCADRegressor` (non-convex penalties),
:class:`SparseHuberRegressor` and :class:`SparseLogisticRegression` (a robust loss and a
classifier) solve skglm's objectives by one working-set coordinate descent over a data fit
and a penalty; they take dense or sparse ``X``, without sample weights.

Examples
--------
>>> from sklearn.datasets import load_diabetes
>>> from sparserecover.linear_model import Lasso
>>> X, y = load_diabetes(return_X_y=True)
>>> int((Lasso(alpha=0.5).fit(X, y).coef_ != 0).sum())
4
"""

from sparserecover.linear_model._elastic_net import ElasticNet, ElasticNetCV, Lasso, LassoCV
from sparserecover.linear_model._glm import (
    MCPRegressor,
    SCADRegressor,
    SparseHuberRegressor,
    SparseLogisticRegression,
)
from sparserecover.linear_model._iht import IHTRegressor
from sparserecover.linear_model._multi_task import (
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
)

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "IHTRegressor",
    "Lasso",
    "LassoCV",
    "MCPRegressor",
    "MultiTaskElasticNet",
    "MultiTaskElasticNetCV",
    "MultiTaskLasso",
    "MultiTaskLassoCV",
    "SCADRegressor",
    "SparseHuberRegressor",
    "SparseLogisticRegression",
]
