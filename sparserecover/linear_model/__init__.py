"""scikit-learn estimators for sparse linear regression.

:class:`Lasso`, :class:`ElasticNet` and :class:`LassoCV` minimise exactly scikit-learn's
objectives (the same ``alpha`` gives the same coefficients) with the proximal-gradient
solvers of :mod:`sparserecover.solvers`; :class:`IHTRegressor` fits k-sparse least squares
by iterative hard thresholding. All accept dense or ``scipy.sparse`` ``X`` (the intercept
never densifies it), several targets at once, sample weights, and keep float32 as float32.

Examples
--------
>>> from sklearn.datasets import load_diabetes
>>> from sparserecover.linear_model import Lasso
>>> X, y = load_diabetes(return_X_y=True)
>>> int((Lasso(alpha=0.5).fit(X, y).coef_ != 0).sum())
4
"""

from sparserecover.linear_model._elastic_net import ElasticNet, Lasso, LassoCV
from sparserecover.linear_model._iht import IHTRegressor

__all__ = ["ElasticNet", "IHTRegressor", "Lasso", "LassoCV"]
