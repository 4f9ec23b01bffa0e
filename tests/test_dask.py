"""dask arrays: lazy denoising and tall regressions, against the NumPy results.

The references are the NumPy calls on the computed arrays (``denoise`` bitwise; the estimators
on the Gram matrix of the in-memory data, coefficients to 1e-10), themselves tested against
PyWavelets and scikit-learn elsewhere; the tall fits are also compared with scikit-learn. Every
lazy result is computed on the threaded scheduler and on a ``dask.distributed.LocalCluster``
of two single-threaded worker processes that the tests start and close.
"""

import dask
import dask.array as da
import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster
from sklearn import linear_model
from sklearn.model_selection import KFold, ShuffleSplit

from sparserecover import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    MultiTaskLasso,
    denoise,
    estimate_noise,
)


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two worker processes (one thread each), closed after the module."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        yield client


def _threaded(array):
    with dask.config.set(scheduler="threads"):
        return array.compute()


# --------------------------------------------------------------------------- denoising

DENOISE_CASES = [
    dict(),
    dict(method="dct"),
    dict(method="swt"),
    dict(threshold="bivariate"),
    dict(boundary="symmetric", threshold="bayes"),
    dict(sigma=0.5, mode="hard"),
    dict(axis=(1, 2)),
    dict(axis=(1, 2), method="swt"),
]


@pytest.mark.parametrize("options", DENOISE_CASES)
def test_denoise_lazy_equals_numpy_bitwise(rng, options):
    x = rng.standard_normal((37, 3, 256)) * np.array([[0.1], [1.0], [3.0]])
    dx = da.from_array(x, chunks=(10, 2, 100))  # the signal axis split: it is rechunked whole
    result = denoise(dx, **options)
    assert isinstance(result, da.Array)
    assert result.shape == x.shape and result.dtype == x.dtype
    np.testing.assert_array_equal(_threaded(result), denoise(x, **options))


def test_denoise_on_a_local_cluster(client, rng):
    x = rng.standard_normal((50, 1024)).astype(np.float32)
    dx = da.from_array(x, chunks=(7, 1024))
    result = client.compute(denoise(dx)).result()
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, denoise(x))
    images = rng.standard_normal((5, 64, 48))
    lazy = denoise(da.from_array(images, chunks=(2, 64, 48)), axis=(1, 2))
    np.testing.assert_array_equal(client.compute(lazy).result(), denoise(images, axis=(1, 2)))
    sigma = client.compute(estimate_noise(dx)).result()
    np.testing.assert_array_equal(sigma, estimate_noise(x))


def test_denoise_colour_images_and_a_lazy_sigma(rng):
    images = rng.uniform(0, 255, (4, 32, 40, 3)).astype(np.float32)
    options = dict(axis=(1, 2), channel_axis=-1, convert2ycbcr=True)
    lazy = denoise(da.from_array(images, chunks=(3, 32, 40, 1)), **options)  # channels split
    np.testing.assert_array_equal(_threaded(lazy), denoise(images, **options))
    x = rng.standard_normal((20, 512))
    dx = da.from_array(x, chunks=(6, 512))
    lazy = denoise(dx, sigma=estimate_noise(dx))  # a dask sigma, aligned with the chunks
    np.testing.assert_array_equal(_threaded(lazy), denoise(x, sigma=estimate_noise(x)))
    per_row = np.linspace(0.1, 1.0, 20)
    np.testing.assert_array_equal(_threaded(denoise(dx, sigma=per_row)),
                                  denoise(x, sigma=per_row))


def test_estimate_noise_lazy(rng):
    x = rng.standard_normal((6, 4, 300))  # odd halves: PyWavelets' path
    dx = da.from_array(x, chunks=(4, 3, 128))
    sigma = estimate_noise(dx)
    assert isinstance(sigma, da.Array) and sigma.shape == (6, 4)
    np.testing.assert_array_equal(_threaded(sigma), estimate_noise(x))
    one = estimate_noise(dx[0, 0])
    assert one.shape == ()
    assert float(_threaded(one)) == estimate_noise(x[0, 0])
    images = da.from_array(x, chunks=(1, 4, 300))
    np.testing.assert_array_equal(_threaded(estimate_noise(images, axis=(1, 2))),
                                  estimate_noise(x, axis=(1, 2)))


def test_denoise_lazy_checks_arguments_now_and_values_at_compute(rng):
    dx = da.from_array(rng.standard_normal((4, 64)), chunks=(2, 64))
    with pytest.raises(ValueError, match="method must be one of"):
        denoise(dx, method="fourier")
    with pytest.raises(ValueError, match="sigma must be a scalar or have the batch shape"):
        denoise(dx, sigma=np.ones(3))
    with pytest.raises(ValueError, match="level must be in"):
        denoise(dx, level=40)
    with pytest.raises(TypeError, match="signal must be real"):
        denoise(dx.astype(np.complex128))
    with pytest.raises(ValueError, match="is empty"):
        denoise(dx[:0])
    bad = da.concatenate([dx, da.full((1, 64), np.nan, chunks=(1, 64))])
    lazy = denoise(bad)  # nothing computed: no error yet
    with pytest.raises(ValueError, match="NaN"):
        _threaded(lazy)
    integers = da.from_array(np.arange(128).reshape(2, 64), chunks=(1, 64))
    assert denoise(integers).dtype == np.float64


# --------------------------------------------------------------------------- tall regressions


def _tall(rng, n=2400, p=25, offset=2.0, dtype=np.float64):
    X = rng.standard_normal((n, p)) + offset * rng.uniform(0, 1, p)
    w = np.zeros(p)
    w[:6] = [2.0, -1.0, 0.5, 3.0, 1.0, -0.3]
    y = X @ w + 0.5 * rng.standard_normal(n) + 4.0
    return X.astype(dtype), y.astype(dtype)


def _chunked(X, y, rows=500):
    return da.from_array(X, chunks=(rows, X.shape[1] // 2)), da.from_array(y, chunks=rows // 2)


def _assert_fits_equal(lazy, eager, rtol=1e-10):
    np.testing.assert_allclose(lazy.coef_, eager.coef_, rtol=rtol, atol=rtol * np.abs(
        eager.coef_).max())
    np.testing.assert_allclose(lazy.intercept_, eager.intercept_, rtol=rtol,
                               atol=rtol * np.abs(eager.coef_).max())


ESTIMATORS = [
    (Lasso, dict(alpha=0.05)),
    (ElasticNet, dict(alpha=0.05, l1_ratio=0.6)),
    (Lasso, dict(alpha=0.02, fit_intercept=False)),
    (ElasticNet, dict(alpha=0.1, l1_ratio=0.3, positive=True)),
]


@pytest.mark.parametrize(("Estimator", "params"), ESTIMATORS)
@pytest.mark.parametrize("weighted", [False, True])
def test_tall_fit_equals_numpy_gram_fit(rng, Estimator, params, weighted):
    X, y = _tall(rng, offset=0.3 if params.get("fit_intercept") is False else 2.0)
    sample_weight = rng.uniform(0, 2, len(y)) if weighted else None
    dX, dy = _chunked(X, y)
    dw = None if sample_weight is None else da.from_array(sample_weight, chunks=300)
    with dask.config.set(scheduler="threads"):
        lazy = Estimator(**params).fit(dX, dy, sample_weight=dw)
    eager = Estimator(**params, precompute=True).fit(X, y, sample_weight=sample_weight)
    _assert_fits_equal(lazy, eager)
    assert lazy.n_features_in_ == X.shape[1]
    assert not hasattr(lazy, "feature_names_in_")
    y_c = y - np.average(y, weights=sample_weight) if lazy.fit_intercept else y
    assert lazy.dual_gap_ <= lazy.tol * np.average(y_c**2, weights=sample_weight)
    # the independent reference: scikit-learn on the in-memory data, converged tightly
    reference = getattr(linear_model, Estimator.__name__)(**params, tol=1e-12, max_iter=100_000)
    reference.fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(lazy.coef_, reference.coef_, atol=1e-3)


def test_tall_fit_several_targets_float32_and_numpy_y(rng):
    X, y = _tall(rng)
    Y = np.column_stack([y, -2 * y + 1])
    dX = da.from_array(X, chunks=(600, 25))
    with dask.config.set(scheduler="threads"):
        lazy = Lasso(alpha=0.05).fit(dX, Y)  # y in memory: chunked like X's rows
    _assert_fits_equal(lazy, Lasso(alpha=0.05, precompute=True).fit(X, Y))
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    with dask.config.set(scheduler="threads"):
        lazy = Lasso(alpha=0.05).fit(da.from_array(X32, chunks=(600, 25)), y32)
    assert lazy.coef_.dtype == np.float32
    np.testing.assert_allclose(lazy.coef_, Lasso(alpha=0.05).fit(X, y).coef_, atol=1e-4)


@pytest.mark.parametrize(("Estimator", "params"), [
    (LassoCV, dict(cv=5)),
    (LassoCV, dict(cv=KFold(4, shuffle=True, random_state=0), alphas=20, positive=True)),
    (ElasticNetCV, dict(l1_ratio=[0.4, 1.0], cv=3, alphas=30)),
    (LassoCV, dict(cv=4, fit_intercept=False, alphas=[0.3, 0.1, 0.03, 0.01])),
])
@pytest.mark.parametrize("weighted", [False, True])
def test_tall_cv_equals_numpy_gram_cv(rng, Estimator, params, weighted):
    X, y = _tall(rng, offset=0.3 if params.get("fit_intercept") is False else 2.0)
    sample_weight = rng.uniform(0.5, 2, len(y)) if weighted else None
    dX, dy = _chunked(X, y, rows=350)  # chunks and folds do not line up
    with dask.config.set(scheduler="threads"):
        lazy = Estimator(**params).fit(dX, dy, sample_weight=sample_weight)
    eager = Estimator(**params, precompute=True).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(lazy.alphas_, eager.alphas_, rtol=1e-12)
    np.testing.assert_allclose(lazy.mse_path_, eager.mse_path_, rtol=1e-10)
    assert lazy.alpha_ == pytest.approx(eager.alpha_, rel=1e-12)
    assert getattr(lazy, "l1_ratio_", 1) == getattr(eager, "l1_ratio_", 1)
    _assert_fits_equal(lazy, eager)


def test_tall_cv_reads_each_chunk_once(rng):
    X, y = _tall(rng)
    reads = []

    def read(block, block_info=None):
        reads.append(block_info[0]["chunk-location"])
        return block

    dX = da.from_array(X, chunks=(300, 25)).map_blocks(read, dtype=X.dtype)
    with dask.config.set(scheduler="threads"):
        model = LassoCV(cv=5).fit(dX, y)
        model.predict(dX).compute()
    n_chunks = len(dX.chunks[0])
    assert sorted(reads) == sorted([(i, 0) for i in range(n_chunks)] * 2)  # fit, predict


def test_tall_fits_on_a_local_cluster(client, rng):
    X, y = _tall(rng)
    dX, dy = _chunked(X, y)
    lazy = LassoCV(cv=4).fit(dX, dy)  # the Client is the default scheduler
    _assert_fits_equal(lazy, LassoCV(cv=4, precompute=True).fit(X, y))
    prediction = lazy.predict(dX)
    assert isinstance(prediction, da.Array)
    np.testing.assert_allclose(client.compute(prediction).result(), lazy.predict(X),
                               rtol=1e-12)
    lazy = ElasticNet(alpha=0.1).fit(dX, dy)
    _assert_fits_equal(lazy, ElasticNet(alpha=0.1, precompute=True).fit(X, y))


def test_cv_on_numpy_data_with_the_dask_joblib_backend(client, rng):
    X, y = _tall(rng, n=400)
    serial = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=4).fit(X, y)
    with joblib.parallel_backend("dask"):
        spread = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=4, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(spread.mse_path_, serial.mse_path_)
    np.testing.assert_array_equal(spread.coef_, serial.coef_)


def test_tall_fit_errors(rng):
    X, y = _tall(rng, n=200)
    dX, dy = _chunked(X, y, rows=50)
    wide = da.zeros((10, 20_000), chunks=(10, 5000))
    with pytest.raises(ValueError, match=r"20000 features.*Gram matrix.*select features"):
        Lasso().fit(wide, da.zeros(10))
    with pytest.raises(ValueError, match="y has 199 samples, X has 200"):
        Lasso().fit(dX, dy[:-1])
    with pytest.raises(ValueError, match="solver must be 'auto' or 'cd'"):
        Lasso(solver="fista").fit(dX, dy)
    with pytest.raises(TypeError, match="MultiTaskLasso takes NumPy arrays"):
        MultiTaskLasso().fit(dX, da.stack([dy, dy], axis=1))
    with pytest.raises(ValueError, match="not supported for l1_ratio=0"):
        ElasticNetCV(l1_ratio=0.0).fit(dX, dy)
    with pytest.raises(ValueError, match="test sets of cv must be disjoint"):
        LassoCV(cv=ShuffleSplit(3, random_state=0)).fit(dX, dy)
    bad = da.concatenate([dX, da.full((1, X.shape[1]), np.nan, chunks=(1, X.shape[1]))])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Lasso().fit(bad, da.zeros(201, chunks=50))
    model = Lasso(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but Lasso is expecting 25"):
        model.predict(dX[:, :3])
