"""The linear estimators in scikit-learn's machinery, as users meet them: cloning, grid
searches, pipelines, the notebook repr, parameter errors, metadata routing, feature names.
scikit-learn's own estimators are the reference where they share the behaviour."""

import warnings

import numpy as np
import pytest
import sklearn
import sklearn.linear_model as sk
from sklearn.base import BaseEstimator, clone, is_regressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError, UnsetMetadataPassedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

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

MULTI_TASK = [MultiTaskLasso, MultiTaskElasticNet, MultiTaskLassoCV, MultiTaskElasticNetCV]
ESTIMATORS = [Lasso, ElasticNet, LassoCV, ElasticNetCV, IHTRegressor, *MULTI_TASK]
# each estimator and the scikit-learn estimator whose parameters it shares
TWINS = [
    (cls, getattr(sk, cls.__name__))
    for cls in (Lasso, ElasticNet, LassoCV, ElasticNetCV, *MULTI_TASK)
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.standard_normal(60)
    return X, y


def fit_data(cls, data):
    """``data`` with a 2-D target (two tasks) for the multi-task estimators."""
    X, y = data
    return (X, np.column_stack([y, 0.5 * y + X[:, 4]])) if cls in MULTI_TASK else (X, y)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_estimators_are_sklearn_regressors(cls):
    assert isinstance(cls(), BaseEstimator)
    assert is_regressor(cls())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_clone_keeps_the_parameters_and_drops_the_fit(cls, data):
    model = cls(max_iter=500, fit_intercept=False).fit(*fit_data(cls, data))
    copy = clone(model)
    assert type(copy) is cls and copy is not model
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "coef_")


def test_grid_search_over_alpha_chooses_sklearns_alpha(data):
    X, y = data
    grid = {"alpha": [1e-3, 0.05, 0.3, 1.0]}
    cv = KFold(4, shuffle=True, random_state=0)
    ours = GridSearchCV(Lasso(tol=1e-10), grid, cv=cv).fit(X, y)
    theirs = GridSearchCV(sk.Lasso(tol=1e-10), grid, cv=cv).fit(X, y)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], rtol=1e-6
    )
    np.testing.assert_allclose(ours.best_estimator_.coef_, theirs.best_estimator_.coef_,
                               rtol=1e-5, atol=1e-8)


def test_pipeline_nested_parameters(data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("lasso", Lasso())])
    assert pipe.get_params()["lasso__alpha"] == 1.0
    pipe.set_params(lasso__alpha=0.05, lasso__solver="fista").fit(X, y)
    assert pipe.named_steps["lasso"].alpha == 0.05
    assert pipe.named_steps["lasso"].solver == "fista"
    alone = Lasso(alpha=0.05, solver="fista").fit(StandardScaler().fit_transform(X), y)
    np.testing.assert_array_equal(pipe.named_steps["lasso"].coef_, alone.coef_)
    search = GridSearchCV(pipe, {"lasso__alpha": [0.05, 5.0]}, cv=3).fit(X, y)
    assert search.best_params_ == {"lasso__alpha": 0.05}  # 5.0 zeroes every coefficient


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_notebook_html_repr(cls):
    html = cls(max_iter=50)._repr_html_()
    assert cls.__name__ in html and "max_iter" in html


def test_repr_shows_the_changed_parameters():
    assert repr(Lasso()) == "Lasso()"
    assert repr(ElasticNet(alpha=0.1, l1_ratio=0.2)) == "ElasticNet(alpha=0.1, l1_ratio=0.2)"


@pytest.mark.parametrize(("ours", "theirs"), TWINS, ids=lambda c: c.__name__)
def test_shared_parameters_have_sklearns_constraints(ours, theirs):
    # every parameter of scikit-learn's class, with its constraints (and solver)
    assert set(theirs().get_params()) | {"solver"} == set(ours().get_params())
    shared = set(ours._parameter_constraints) & set(theirs._parameter_constraints)
    assert shared == set(theirs._parameter_constraints)
    for name in shared:
        expected = [str(c) for c in theirs._parameter_constraints[name]]
        if name == "max_iter" and "CV" not in ours.__name__:
            # scikit-learn's Lasso and ElasticNet also admit None, then fail in fit
            # ("TypeError: an integer is required"): these estimators need a number
            expected = [c for c in expected if c != "None"]
        assert [str(c) for c in ours._parameter_constraints[name]] == expected, name
    assert set(ours._parameter_constraints) == set(ours().get_params())


INVALID = [
    (Lasso, {"alpha": -1.0}),
    (Lasso, {"alpha": "big"}),
    (Lasso, {"alpha": np.nan}),
    (Lasso, {"tol": -1e-4}),
    (Lasso, {"fit_intercept": "yes"}),
    (Lasso, {"positive": 1}),
    (Lasso, {"warm_start": None}),
    (ElasticNet, {"l1_ratio": 1.5}),
    (ElasticNet, {"alpha": [0.1]}),
    (LassoCV, {"eps": 0.0}),
    (LassoCV, {"alphas": 0}),
    (LassoCV, {"alphas": "many"}),
    (LassoCV, {"max_iter": 0}),
    (LassoCV, {"cv": "five"}),
    (LassoCV, {"verbose": "loud"}),
    (LassoCV, {"n_jobs": 1.5}),
    (LassoCV, {"precompute": "always"}),
    (Lasso, {"precompute": "auto"}),
    (Lasso, {"selection": "best"}),
    (Lasso, {"copy_X": "no"}),
    (Lasso, {"random_state": "seed"}),
    (ElasticNetCV, {"l1_ratio": 2.0}),
    (MultiTaskLasso, {"alpha": -1.0}),
    (MultiTaskElasticNet, {"l1_ratio": -0.5}),
    (MultiTaskLassoCV, {"cv": "five"}),
    (MultiTaskElasticNetCV, {"eps": -1.0}),
]


@pytest.mark.parametrize(("cls", "params"), INVALID, ids=str)
def test_invalid_parameters_raise_sklearns_error(cls, params, data):
    theirs_cls = dict(TWINS)[cls]
    with pytest.raises(InvalidParameterError) as ours:
        cls(**params).fit(*fit_data(cls, data))
    with pytest.raises(InvalidParameterError) as theirs:
        theirs_cls(**params).fit(*fit_data(cls, data))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("value", [0, 1.5, None])
def test_max_iter_must_be_a_positive_int(value, data):
    message = (
        "The 'max_iter' parameter of Lasso must be an int in the range [1, inf). "
        f"Got {value!r} instead."
    )
    with pytest.raises(InvalidParameterError) as error:
        Lasso(max_iter=value).fit(*data)
    assert str(error.value) == message


def test_set_params_rejects_unknown_parameters():
    with pytest.raises(ValueError, match="Invalid parameter 'gamma'"):
        ElasticNet().set_params(gamma=1.0)


def test_metadata_routing_passes_requested_sample_weight(data):
    X, y = data
    weights = np.random.default_rng(1).uniform(0.1, 2.0, len(y))
    grid = {"alpha": [0.01, 0.1]}
    with pytest.raises(RuntimeError, match="metadata routing is enabled"):
        Lasso().set_fit_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        model = Lasso().set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        search = GridSearchCV(model, grid, cv=3).fit(X, y, sample_weight=weights)
        reference = sk.Lasso().set_fit_request(sample_weight=True)
        reference = GridSearchCV(
            reference.set_score_request(sample_weight=True), grid, cv=3
        ).fit(X, y, sample_weight=weights)
        # unrequested metadata is an error, as for scikit-learn's own estimators
        for estimator in (Lasso(), sk.Lasso()):
            with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
                GridSearchCV(estimator, grid, cv=3).fit(X, y, sample_weight=weights)
    assert not sklearn.get_config()["enable_metadata_routing"]
    assert search.best_params_ == reference.best_params_
    alpha = search.best_params_["alpha"]
    weighted = Lasso(alpha=alpha).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(search.best_estimator_.coef_, weighted.coef_)
    assert not np.allclose(Lasso(alpha=alpha).fit(X, y).coef_, weighted.coef_)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_feature_names_from_a_dataframe(cls, data):
    pd = pytest.importorskip("pandas")
    X, y = fit_data(cls, data)
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    model = cls().fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    # (the frame's array is Fortran-ordered: products may differ in the last bit)
    np.testing.assert_allclose(model.predict(frame), cls().fit(X, y).predict(X), rtol=1e-12)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.predict(X)
    # a refit on a plain array forgets the names
    model.fit(X, y)
    assert not hasattr(model, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names"):
        model.predict(frame)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_predict_checks_fitted_and_the_number_of_features(cls, data):
    X, y = fit_data(cls, data)
    with pytest.raises(NotFittedError):
        cls().predict(X)
    model = cls().fit(X, y)
    with pytest.raises(ValueError, match=f"X has 7 features, but {cls.__name__} is expecting 8"):
        model.predict(X[:, :7])


def test_convergence_warning_is_sklearns_and_points_at_the_call():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 60))
    y = X[:, :5] @ np.ones(5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Lasso(alpha=1e-4, max_iter=1, tol=1e-14).fit(X, y)
    assert [type(w.message) for w in caught] == [ConvergenceWarning]
    assert str(caught[0].message).startswith("Objective did not converge.")
    assert caught[0].filename == __file__
