"""scikit-learn's compliance suite on every estimator, with default parameters."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecover.network import (
    ShallowFeatures,
    ShallowNetworkRegressor,
    SpectralRegressor,
    SpectralRegressorCV,
)


@parametrize_with_checks(
    [ShallowFeatures(), SpectralRegressor(), SpectralRegressorCV(), ShallowNetworkRegressor()]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
