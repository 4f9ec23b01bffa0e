"""scikit-learn's compliance suite on every estimator, with default parameters: every check
passes and none emits a warning.

One expected failure, of the cross-validation estimators: ``check_sample_weight_equivalence``
compares, at rtol 1e-7, a fit on rows repeated k times with a fit on weights k. Both fits
meet ``tol`` (1e-4) at every alpha, but the two equivalent problems round differently, and
the choice of ``alpha_`` on a flat error curve and the refit at a small ``alpha_`` (an
ill-conditioned problem, where Anderson extrapolation amplifies rounding) agree only within
that tolerance. scikit-learn's own ``LassoCV`` fails this check at its default parameters too
(it picks different ``alpha_`` there); its test suite runs the check with ``max_iter=5``.
"""

import warnings

from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecover.linear_model import (
    ElasticNet,
    ElasticNetCV,
    IHTRegressor,
    Lasso,
    LassoCV,
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
)


@parametrize_with_checks(
    [
        Lasso(),
        ElasticNet(),
        LassoCV(),
        ElasticNetCV(),
        MultiTaskLasso(),
        MultiTaskElasticNet(),
        MultiTaskLassoCV(),
        MultiTaskElasticNetCV(),
        IHTRegressor(),
    ],
    expected_failed_checks=lambda estimator: (
        dict.fromkeys(
            ["check_sample_weight_equivalence_on_dense_data",
             "check_sample_weight_equivalence_on_sparse_data"],
            "stops at different points within tol on weights and on repeated rows (module "
            "docstring)",
        )
        if "CV" in type(estimator).__name__
        else {}
    ),
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(estimator)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
