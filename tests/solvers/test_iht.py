"""Iterative hard thresholding: recovery in compressed sensing and documented behaviour."""

import numpy as np
import pytest
import scipy.sparse
from scipy.sparse.linalg import aslinearoperator
from sklearn.exceptions import ConvergenceWarning

from sparserecover import iht


def _sensing(rng, n=128, p=512, k=15, n_targets=None):
    A = rng.standard_normal((n, p)) / np.sqrt(n)
    shape = (p,) if n_targets is None else (p, n_targets)
    x = np.zeros(shape)
    for column in range(1 if n_targets is None else n_targets):
        support = rng.choice(p, k, replace=False)
        values = rng.standard_normal(k)
        if n_targets is None:
            x[support] = values
        else:
            x[support, column] = values
    return A, x, A @ x


@pytest.mark.parametrize("method", ["htp", "niht"])
def test_recovers_sparse_vectors_in_19_of_20_trials(rng, method):
    recovered = 0
    for _ in range(20):
        A, x, y = _sensing(rng)
        result = iht(A, y, 15, method=method)
        recovered += np.linalg.norm(result.x - x) <= 1e-6 * np.linalg.norm(x)
    assert recovered >= 19


def test_two_dimensional_y_matches_column_by_column(rng):
    A, X, Y = _sensing(rng, n=64, p=200, k=5, n_targets=3)
    for method in ("htp", "niht"):
        result = iht(A, Y, 5, method=method)
        assert result.x.shape == (200, 3) and result.objective.shape == (3,)
        # all columns iterate until the last converges: NIHT's agree to its tol (1e-8)
        atol = 1e-12 if method == "htp" else 1e-7
        for k in range(3):
            np.testing.assert_allclose(result.x[:, k], iht(A, Y[:, k], 5, method=method).x,
                                       atol=atol)
        np.testing.assert_allclose(result.x, X, atol=atol)


@pytest.mark.parametrize("layout", ["F", "csr", "csc", "linear_operator"])
def test_every_operator_gives_the_dense_answer(rng, layout):
    A, x, y = _sensing(rng, n=60, p=150, k=6)
    A[np.abs(A) < 0.05] = 0.0
    y = A @ x
    inputs = {
        "F": np.asfortranarray(A),
        "csr": scipy.sparse.csr_matrix(A),
        "csc": scipy.sparse.csc_matrix(A),
        "linear_operator": aslinearoperator(A),
    }
    for method in ("htp", "niht"):
        expected = iht(A, y, 6, method=method)
        result = iht(inputs[layout], y, 6, method=method)
        np.testing.assert_allclose(result.x, expected.x, atol=1e-10)
        assert result.n_iter == expected.n_iter


def test_noisy_fit_is_a_least_squares_fit_on_its_support(rng):
    A, x, y = _sensing(rng, n=100, p=300, k=8)
    y = y + 0.01 * rng.standard_normal(100)
    result = iht(A, y, 8)
    support = np.flatnonzero(result.x)
    assert support.size == 8
    np.testing.assert_array_equal(support, np.flatnonzero(x))
    least_squares = np.linalg.lstsq(A[:, support], y, rcond=None)[0]
    np.testing.assert_allclose(result.x[support], least_squares, rtol=1e-10)
    assert result.objective == pytest.approx(0.5 * np.sum((A @ result.x - y) ** 2))
    assert result.gap is None


def test_constant_step(rng):
    A, x, y = _sensing(rng, n=100, p=200, k=4)
    step = 0.9 / np.linalg.norm(A, 2) ** 2
    result = iht(A, y, 4, method="niht", step=step, max_iter=5000, tol=1e-10)
    assert result.converged
    np.testing.assert_allclose(result.x, x, atol=1e-7)


def test_float32_stays_float32(rng):
    A, x, y = _sensing(rng, n=64, p=128, k=4)
    result = iht(A.astype(np.float32), y.astype(np.float32), 4)
    assert result.x.dtype == np.float32
    np.testing.assert_allclose(result.x, x, atol=1e-5)


def test_warm_start_callback_and_inputs_untouched(rng):
    A, x, y = _sensing(rng, n=64, p=128, k=4)
    copies = A.copy(), y.copy(), x.copy()
    calls = []
    result = iht(A, y, 4, x0=x, callback=lambda current: calls.append(current.copy()))
    assert result.n_iter == 1 and len(calls) == 1
    np.testing.assert_allclose(result.x, x, atol=1e-12)
    for original, copy in zip((A, y, x), copies):
        np.testing.assert_array_equal(original, copy)


def test_convergence_warning(rng):
    A, _x, y = _sensing(rng)
    with pytest.warns(ConvergenceWarning, match="iht did not converge"):
        result = iht(A, y, 15, method="niht", max_iter=2)
    assert not result.converged and result.n_iter == 2


def test_bad_input_names_the_argument(rng):
    A, _x, y = _sensing(rng, n=20, p=40, k=2)
    with pytest.raises(ValueError, match=r"n_nonzero must be in \[1, 40\]"):
        iht(A, y, 0)
    with pytest.raises(ValueError, match=r"n_nonzero must be in \[1, 40\]"):
        iht(A, y, 41)
    with pytest.raises(TypeError, match="n_nonzero must be an integer"):
        iht(A, y, 2.5)
    with pytest.raises(ValueError, match="method must be one of"):
        iht(A, y, 2, method="omp")
    with pytest.raises(ValueError, match="x0 must have at most n_nonzero=2"):
        iht(A, y, 2, x0=np.ones(40))
    with pytest.raises(ValueError, match="inconsistent shapes"):
        iht(aslinearoperator(A[:-1]), y, 2)
    bad = y.copy()
    bad[3] = np.inf
    with pytest.raises(ValueError, match="y contains"):
        iht(A, bad, 2)
