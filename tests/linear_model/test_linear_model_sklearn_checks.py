"""scikit-learn's estimator compliance suite, on every estimator with its default parameters."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecover.linear_model import ElasticNet, IHTRegressor, Lasso, LassoCV


@parametrize_with_checks([Lasso(), ElasticNet(), LassoCV(), IHTRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
