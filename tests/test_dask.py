"""dask arrays: lazy denoising and tall regressions, against the NumPy results.

The references are the NumPy calls on the computed arrays (``denoise`` bitwise; the estimators
on the Gram matrix of the in-memory data, coefficients to 1e-10), themselves tested against
PyWavelets and scikit-learn elsewhere; the tall fits are also compared with scikit-learn. Every
lazy result is computed on the threaded scheduler and on a ``dask.distributed.LocalCluster``
of two single-threaded worker processes that the tests start and close.
"""

import dask
import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster

from sparserecover import denoise, estimate_noise


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two worker processes (one thread each), closed after the module."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=None) as cluster,
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
