"""The scikit-learn API of the linear estimators, implemented without importing scikit-learn
(``sparserecover._sklearn_api``): each shortcut against scikit-learn's own behaviour."""

import warnings
from numbers import Integral, Real

import numpy as np
import pytest
import sklearn
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import (
    InvalidParameterError,
    make_constraint,
    validate_parameter_constraints,
)
from sklearn.utils.validation import validate_data

from sparserecover._sklearn_api import (
    _plainly_satisfies,
    _sklearn_constraint,
    validate_float_data,
)
from sparserecover.linear_model import ElasticNet, IHTRegressor, Lasso, LassoCV

CONSTRAINTS = [
    ("real", 0, None, "left"),
    ("real", 0, 1, "both"),
    ("real", 0, None, "neither"),
    ("real", -1, 1, "right"),
    ("int", 1, None, "left"),
    ("int", None, None, "neither"),
    ("int", 0, 5, "both"),
    ("options", frozenset({"auto", "cd"})),
    Integral,
    Real,
    "boolean",
    None,
    "array-like",
    "cv_object",
    "verbose",
]
VALUES = [
    0, 1, 2, 5, 6, -1, 0.0, 0.5, 1.0, 1.5, -0.5, 1e308, np.float32(0.25), np.int64(3),
    np.uint8(1), True, False, np.bool_(True), None, np.nan, np.inf, -np.inf, "auto", "cd",
    "lars", "", [1, 2], np.array([1.0]), 1 + 0j, object(),
]


@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=str)
def test_plain_check_never_admits_what_sklearn_rejects(constraint):
    sklearn_constraint = make_constraint(_sklearn_constraint(constraint))
    for value in VALUES:
        if _plainly_satisfies(value, constraint):
            assert sklearn_constraint.is_satisfied_by(value), (value, constraint)


def test_plain_check_admits_the_common_values():
    # otherwise every fit would import scikit-learn to validate its parameters
    assert _plainly_satisfies(0.1, ("real", 0, None, "left"))
    assert _plainly_satisfies(np.float32(0.1), ("real", 0, None, "left"))
    assert _plainly_satisfies(0, ("real", 0, None, "left"))
    assert _plainly_satisfies(1, ("real", 0, 1, "both"))
    assert _plainly_satisfies(1000, ("int", 1, None, "left"))
    assert _plainly_satisfies(np.int32(7), ("int", 1, None, "left"))
    assert _plainly_satisfies(True, "boolean")
    assert _plainly_satisfies(np.bool_(False), "boolean")
    assert _plainly_satisfies("cd", ("options", frozenset({"auto", "cd"})))
    assert _plainly_satisfies(None, None)


def test_parameter_constraints_are_sklearns_objects():
    constraints = Lasso._parameter_constraints
    assert set(constraints) == set(Lasso().get_params())
    assert constraints["alpha"][0].type is Real and constraints["alpha"][0].left == 0
    assert constraints["max_iter"][0].type is Integral
    assert constraints["solver"][0].options == {"auto", "cd", "fista", "ista"}
    assert set(ElasticNet._parameter_constraints) == set(ElasticNet().get_params())
    assert set(LassoCV._parameter_constraints) == set(LassoCV().get_params())
    assert set(IHTRegressor._parameter_constraints) == set(IHTRegressor().get_params())


@pytest.mark.parametrize(
    "params",
    [
        {"alpha": -1.0},
        {"alpha": "big"},
        {"alpha": np.nan},
        {"tol": -1e-4},
        {"fit_intercept": "yes"},
        {"positive": 1},
        {"warm_start": None},
    ],
    ids=str,
)
def test_invalid_parameters_raise_sklearns_error_and_message(params):
    X = np.random.default_rng(0).standard_normal((20, 5))
    y = X[:, 0]
    with pytest.raises(InvalidParameterError) as ours:
        Lasso(**params).fit(X, y)
    with pytest.raises(InvalidParameterError) as theirs:
        sklearn.linear_model.Lasso(**params).fit(X, y)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("value", [0, 1.5, None])
def test_max_iter_must_be_a_positive_int(value):
    # (scikit-learn's Lasso also admits None, for "no limit": these solvers need one)
    X = np.random.default_rng(0).standard_normal((20, 5))
    message = (
        "The 'max_iter' parameter of Lasso must be an int in the range [1, inf). "
        f"Got {value!r} instead."
    )
    with pytest.raises(InvalidParameterError) as error:
        Lasso(max_iter=value).fit(X, X[:, 0])
    assert str(error.value) == message


@pytest.mark.parametrize("params", [{"alpha": True}, {"max_iter": np.int8(5)}], ids=str)
def test_values_only_sklearn_admits_are_admitted(params):
    # not plainly valid, so scikit-learn's validation decides: it accepts these
    validate_parameter_constraints(
        Lasso._parameter_constraints, Lasso(**params).get_params(), "Lasso"
    )
    Lasso(**params)._validate_params()


def _sklearn_twin(cls):
    """``cls``'s parameters on scikit-learn's BaseEstimator, for its repr."""
    return type(cls.__name__, (RegressorMixin, BaseEstimator), {"__init__": cls.__init__})


@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (Lasso, {}),
        (Lasso, {"alpha": 0.1}),
        (Lasso, {"alpha": 0.1, "solver": "fista", "fit_intercept": False, "max_iter": 5000,
                 "tol": 1e-6, "warm_start": True, "positive": True}),
        (ElasticNet, {"alpha": 1e-3, "l1_ratio": 0.25, "solver": "ista", "tol": 1e-10}),
        (LassoCV, {"cv": 3, "alphas": [1.0, 0.1], "eps": 1e-4, "n_jobs": 2, "verbose": 1,
                   "solver": "cd", "max_iter": 100, "tol": 1e-3}),
        (IHTRegressor, {"n_nonzero_coefs": 5, "method": "niht"}),
    ],
)
def test_repr_is_sklearns(cls, params):
    assert repr(cls(**params)) == repr(_sklearn_twin(cls)(**params))
    with sklearn.config_context(print_changed_only=False):
        assert repr(cls(**params)) == repr(_sklearn_twin(cls)(**params))


def test_get_params_set_params_and_clone():
    model = ElasticNet(alpha=0.3, l1_ratio=0.2)
    assert model.get_params() == _sklearn_twin(ElasticNet)(alpha=0.3, l1_ratio=0.2).get_params()
    assert model.set_params(alpha=0.5) is model and model.alpha == 0.5
    with pytest.raises(ValueError, match="Invalid parameter 'gamma'"):
        model.set_params(gamma=1.0)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("y_shape", [(30,), (30, 1), (30, 2)])
def test_plain_arrays_are_returned_as_sklearn_returns_them(dtype, order, y_shape):
    rng = np.random.default_rng(0)
    X = np.asarray(rng.standard_normal((30, 4)), dtype=dtype, order=order)
    y = rng.standard_normal(y_shape).astype(dtype)
    ours, theirs = Lasso(), Lasso()
    X_ours, y_ours = validate_float_data(ours, X, y, reset=True)
    X_theirs, y_theirs = validate_data(
        theirs, X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32),
        multi_output=True, y_numeric=True,
    )
    # scikit-learn returns plain float arrays unchanged, not copies: so does the shortcut
    assert X_ours is X and X_theirs is X
    assert y_ours is y and np.shares_memory(y_theirs, y) and y_theirs.shape == y.shape
    assert ours.n_features_in_ == theirs.n_features_in_ == 4
    assert validate_float_data(ours, X, reset=False) is X


@pytest.mark.parametrize(
    "X",
    [
        [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]],                 # a list
        np.array([[0, 1], [1, 0], [2, 2]]),                   # integers
        np.array([[0.0, np.nan], [1.0, 0.0], [2.0, 2.0]]),    # NaN
        np.array([[0.0, 1.0], [1.0, np.inf], [2.0, 2.0]]),    # inf
        np.array([[1e308, 1.0], [1e308, 0.0], [2.0, 2.0]]),   # finite, but the sum overflows
        np.array([0.0, 1.0, 2.0]),                            # 1-D
        np.empty((3, 0)),                                     # no feature
        np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], dtype=">f8"),  # big-endian
        sparse.csr_array(np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])),
    ],
    ids=["list", "int", "nan", "inf", "overflow", "1d", "empty", "big-endian", "csr"],
)
def test_other_inputs_get_sklearns_validation(X):
    y = np.array([0.0, 1.0, 2.5])

    def outcome(function):
        try:
            X_out, y_out = function()
        except ValueError as error:
            return "error", str(error)
        return "ok", (type(X_out), X_out.dtype, X_out.shape, np.asarray(y_out).tolist())

    ours = outcome(lambda: validate_float_data(Lasso(), X, y, reset=True))
    theirs = outcome(
        lambda: validate_data(
            Lasso(), X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32),
            multi_output=True, y_numeric=True,
        )
    )
    assert ours == theirs


def test_feature_names_are_sklearns():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    y = X @ np.array([1.0, -2.0, 0.0])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = Lasso(alpha=0.01).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.predict(X)
    # a refit on a plain array forgets the names, as scikit-learn's validate_data does
    model.fit(X, y)
    assert not hasattr(model, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)
    with pytest.warns(UserWarning, match="X has feature names"):
        model.predict(frame)


def test_predict_checks_the_number_of_features():
    X = np.random.default_rng(0).standard_normal((20, 3))
    model = Lasso(alpha=0.01).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="X has 2 features, but Lasso is expecting 3"):
        model.predict(X[:, :2])
    with pytest.raises(sklearn.exceptions.NotFittedError):
        Lasso().predict(X)


def test_metadata_routing_passes_requested_sample_weight():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X[:, :3] @ np.ones(3) + 0.1 * rng.standard_normal(60)
    weights = rng.uniform(0.1, 2.0, 60)
    with pytest.raises(RuntimeError, match="metadata routing is enabled"):
        Lasso().set_fit_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        model = Lasso().set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        search = GridSearchCV(model, {"alpha": [0.01, 0.1]}, cv=3).fit(
            X, y, sample_weight=weights
        )
        expected = Lasso(alpha=search.best_params_["alpha"]).fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(search.best_estimator_.coef_, expected.coef_, rtol=1e-12)
        # unrequested metadata is an error, as for scikit-learn's own estimators
        for estimator in (Lasso(), sklearn.linear_model.Lasso()):
            with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
                GridSearchCV(estimator, {"alpha": [0.1]}, cv=3).fit(
                    X, y, sample_weight=weights
                )


def test_solver_warnings_are_restated_once_as_sklearns_convergence_warning():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 60))
    y = X[:, :5] @ np.ones(5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Lasso(alpha=1e-4, max_iter=2, tol=1e-12).fit(X, y)
    assert [type(w.message) for w in caught] == [ConvergenceWarning]
    assert "Lasso did not converge" in str(caught[0].message)
    assert caught[0].filename == __file__
