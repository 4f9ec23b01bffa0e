"""scikit-learn's compliance suite on every estimator, with default parameters: every check
passes and none emits a warning."""

import warnings

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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(estimator)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
