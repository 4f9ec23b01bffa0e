"""scikit-learn's estimator compliance suite, on every estimator with its default parameters."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecover.linear_model import ElasticNet, IHTRegressor, Lasso, LassoCV


# The estimators implement scikit-learn's API without deriving from BaseEstimator, so that a
# fit imports scikit-learn only when it needs it (sparserecover._sklearn_api); the suite
# warns about exactly that, and then runs every check.
@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from:UserWarning")
@parametrize_with_checks([Lasso(), ElasticNet(), LassoCV(), IHTRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
