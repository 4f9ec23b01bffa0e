"""The paper's statements (Lucey 2025), checked: spectra, principal components, splines, claims.

Setup as in its Sec. 6: N samples and M = N biases equally spaced on [0, 1].
"""

import numpy as np
import pytest

from sparserecover.network import (
    ShallowFeatures,
    ShallowNetworkRegressor,
    SpectralRegressor,
    finite_difference_matrix,
    spline_smoothing,
)
from sparserecover.spectral import active_components

N = 256
X_GRID = np.linspace(0.0, 1.0, N)[:, None]


def _singular_values(activation, scale=1.0, n=N):
    x = np.linspace(0.0, 1.0, n)[:, None]
    A = ShallowFeatures(activation, n_units=n, scale=scale).fit_transform(x)
    return np.linalg.svd(A, compute_uv=False)


# ------------------------------------------------------------- Heaviside (Figs. 3, 4)


def test_heaviside_spectrum_closed_form():
    # A = lower-triangular ones = D^-1, so A A^T = (D^T D)^-1 with D^T D the tridiagonal
    # (2, -1) matrix whose last diagonal entry is 1: eigenvalues 4 sin^2((2k-1) pi / (2(2N+1))).
    s = _singular_values("heaviside")
    k = np.arange(1, N + 1)
    expected = 1.0 / (2.0 * np.sin((2 * k - 1) * np.pi / (2 * (2 * N + 1))))
    np.testing.assert_allclose(s, expected, rtol=1e-12)
    # hence s_k / s_1 ~ 1 / (2k - 1) while k << N (the paper's "rapid drop-off")
    ratio = (s[:10] / s[0]) * (2 * k[:10] - 1)
    np.testing.assert_allclose(ratio, 1.0, rtol=5e-3)


def test_heaviside_principal_components_are_sines():
    A = ShallowFeatures("heaviside", n_units=N).fit_transform(X_GRID)
    U, _, _ = np.linalg.svd(A)
    i = np.arange(N)
    for k in range(1, 11):
        # exact discrete eigenvector of (D^T D)^-1 ...
        exact = np.sin((2 * k - 1) * np.pi * (i + 1) / (2 * N + 1))
        exact /= np.linalg.norm(exact)
        assert abs(U[:, k - 1] @ exact) == pytest.approx(1.0, abs=1e-10)
        # ... and, on x in [0, 1], the paper's sin((k - 1/2) pi x)
        sine = np.sin((k - 0.5) * np.pi * X_GRID[:, 0])
        assert abs(U[:, k - 1] @ sine) / np.linalg.norm(sine) > 0.998


def test_tanh_spectrum_comes_in_pairs_close_to_heaviside_rates():
    # tanh(M (x - b)) ~ 2 H(x - b) - 1: with biases symmetric about the centre, the singular
    # values come in near-equal pairs, s_1 / s_k ~ 1, 1, 3, 3, 5, 5, ... (not 1, 3, 5, ...)
    s = _singular_values("tanh", scale=N)
    ratio = s[0] / s[:8]
    np.testing.assert_allclose(ratio, [1, 1, 3, 3, 5, 5, 7, 7], rtol=0.1)


def test_tanh_principal_component_pairs_span_odd_fourier_frequencies():
    # T = 2H - 1 = I + K with K skew-symmetric: pair j spans {sin, cos}((2j - 1) pi x), not
    # the paper's sin((k - 1/2) pi x) (which only Heaviside's components follow)
    A = ShallowFeatures("tanh", n_units=N, scale=N).fit_transform(X_GRID)
    U, _, _ = np.linalg.svd(A)
    for j in range(1, 5):
        frequency = (2 * j - 1) * np.pi * X_GRID[:, 0]
        basis, _ = np.linalg.qr(np.column_stack([np.sin(frequency), np.cos(frequency)]))
        pair = U[:, 2 * j - 2 : 2 * j]
        np.testing.assert_allclose(np.linalg.svd(basis.T @ pair, compute_uv=False), 1.0,
                                   atol=1e-3)


# ------------------------------------------------------- claims of Secs. 4-6, App. D


@pytest.mark.parametrize("n_components", [2, 4, 8, 16])
def test_tanh_with_q_equal_k_squared_keeps_k_components(n_components):
    s = _singular_values("tanh", scale=N)
    assert active_components(s, None, n_components**2) == n_components


def test_monotone_activation_iteration_efficiency_ordering():
    # App. D / Fig. 8: iterations for K = 8 components grow with the spline order
    from sparserecover.spectral import n_iter_for_components

    needed = {
        name: n_iter_for_components(_singular_values(name, scale), 8)
        for name, scale in [("heaviside", 1.0), ("tanh", N), ("relu", 1.0), ("relu2", 1.0)]
    }
    assert needed["tanh"] < needed["heaviside"] < needed["relu"] < needed["relu2"]
    assert needed["relu"] > 50 * needed["tanh"]
    assert needed["relu2"] > 20 * needed["relu"]


def test_sinc_spectrum_is_flat_so_gradient_descent_cannot_select():
    # scale = M: the sinc design is close to the identity; every component passes within
    # 4 iterations, whatever the K that q = K^2 was meant to select
    s = _singular_values("sinc", scale=N)
    assert s[-1] / s[0] > 0.5
    for q in (4, 16, 256, 4096):
        assert active_components(s, None, q) == N


def _camera_row():
    pywt = pytest.importorskip("pywt")
    return pywt.data.camera()[100].astype(np.float64) / 255.0


def _psnr(estimate, reference):
    return 10 * np.log10(1.0 / np.mean((estimate - reference) ** 2))


def _reconstruction(activation, scale, n_iter):
    row = _camera_row()
    x = np.linspace(0.0, 1.0, row.size)[:, None]
    net = ShallowNetworkRegressor(activation, n_units=row.size // 2, scale=scale, n_iter=n_iter,
                                  bias_range=(0.0, 1.0))
    net.fit(x[::2], row[::2])  # train on the even pixels, score on all of them
    return _psnr(net.predict(x), row)


def _dst_baseline(n_components):
    row = _camera_row()
    x = np.linspace(0.0, 1.0, row.size)
    basis = np.sin(np.pi * np.outer(x, np.arange(1, n_components + 1) - 0.5))
    coef, *_ = np.linalg.lstsq(basis[::2], row[::2], rcond=None)
    return _psnr(basis @ coef, row)


def test_sinc_ignores_iterations():
    # Fig. 6(a): with scale = M, q = K^2 gives sinc no control over the bandwidth
    psnrs = [_reconstruction("sinc", 256.0, k * k) for k in (4, 16, 64)]
    assert max(psnrs) - min(psnrs) < 0.5


def test_sinc_psnr_grows_with_scale():
    # Fig. 6(b): scale = K sets sinc's bandwidth; fixed modest q = 100
    psnrs = [_reconstruction("sinc", float(k), 100) for k in (4, 8, 16, 32, 64)]
    assert np.all(np.diff(psnrs) > 1.0), psnrs


def test_tanh_tracks_dst_baseline_under_q_equal_k_squared():
    # Fig. 6(a) for tanh: scale = M, q = K^2 follows the K-term sine baseline (within 2 dB)
    for k in (4, 16, 64):
        assert abs(_reconstruction("tanh", 256.0, k * k) - _dst_baseline(k)) < 2.0


# ---------------------------------------------------------- Proposition 3.1 (App. A)


def _spline_problem(n_grid, seed=0):
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.0, 1.0, n_grid)
    index = np.unique(rng.choice(n_grid, size=min(20, n_grid), replace=False))
    x = grid[index]
    y = np.sin(2 * np.pi * x) + 0.1 * rng.standard_normal(x.size)
    return grid, x, y


def _ridge_network(activation, grid, x, y, alpha, bias_shift):
    features = ShallowFeatures(activation, n_units=grid.size,
                               bias_range=(grid[0] - bias_shift, grid[-1] - bias_shift))
    features.fit(x[:, None])
    reg = SpectralRegressor("ridge", alpha=alpha).fit(features.transform(x[:, None]), y)
    return reg.predict(features.transform(grid[:, None]))


@pytest.mark.parametrize(("order", "activation", "shift"), [(1, "heaviside", 0), (2, "relu", 1)])
@pytest.mark.parametrize("penalty", [1e-4, 1e-1])
def test_ridge_on_heaviside_relu_is_exactly_spline_smoothing(order, activation, shift, penalty):
    # B = D_r^-1 exactly (r = 1: H(0) = 1, b_j = t_j; r = 2: ReLU / h, b_j = t_j - h), so
    # ridge with alpha equals smoothing with penalty lambda = alpha h.
    grid, x, y = _spline_problem(65)
    h = grid[1] - grid[0]
    f_network = _ridge_network(activation, grid, x, y, penalty / h, shift * h)
    f_spline = spline_smoothing(x, y, grid, order, penalty)
    np.testing.assert_allclose(f_network, f_spline, rtol=1e-10, atol=1e-11)


def test_ridge_on_relu2_is_exact_smoothing_with_averaged_third_difference():
    # ReLU^2 features (b_j = t_j - h): B = h^2 D_3^-1 (I + Z), so ridge(alpha) minimizes
    # ||S f - y||^2 + alpha / h^4 ||(I + Z)^-1 D_3 f||^2 exactly.
    grid, x, y = _spline_problem(65)
    h = grid[1] - grid[0]
    alpha = 1e-3
    f_network = _ridge_network("relu2", grid, x, y, alpha, h)
    n = grid.size
    average = np.eye(n) + np.eye(n, k=-1)
    penalty = np.linalg.solve(average, finite_difference_matrix(n, 3)) * np.sqrt(alpha) / h**2
    S = np.zeros((x.size, n))
    S[np.arange(x.size), np.rint(x / h).astype(int)] = 1.0
    f_direct, *_ = np.linalg.lstsq(np.vstack([S, penalty]),
                                   np.concatenate([y, np.zeros(n)]), rcond=None)
    np.testing.assert_allclose(f_network, f_direct, rtol=1e-8, atol=1e-9)


def test_ridge_on_relu2_converges_to_third_order_spline_smoothing():
    # ... and (I + Z)^-1 D_3 f ~ D_3 f / 2 for smooth f: lambda = alpha h / 4, error O(h)
    errors = []
    for n_grid in (65, 129, 257, 513):
        grid, x, y = _spline_problem(n_grid)
        h = grid[1] - grid[0]
        penalty = 1e-6
        f_network = _ridge_network("relu2", grid, x, y, 4 * penalty / h, h)
        f_spline = spline_smoothing(x, y, grid, 3, penalty)
        errors.append(np.abs(f_network - f_spline).max() / np.abs(f_spline).max())
    assert errors[-1] < 0.01
    np.testing.assert_allclose(np.array(errors[:-1]) / errors[1:], 2.0, rtol=0.25)


def test_finite_difference_matrix():
    D = finite_difference_matrix(6, 3)
    np.testing.assert_array_equal(D[4, 1:5], [-1, 3, -3, 1])
    np.testing.assert_array_equal(np.linalg.inv(finite_difference_matrix(5, 1)),
                                  np.tril(np.ones((5, 5))))
    assert finite_difference_matrix(6, 2, boundary="valid").shape == (4, 6)
    with pytest.raises(ValueError, match="order"):
        finite_difference_matrix(4, -1)
    with pytest.raises(ValueError, match="boundary"):
        finite_difference_matrix(4, 1, boundary="circular")


def test_spline_smoothing_bad_input():
    grid = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="point of grid"):
        spline_smoothing(np.array([0.1]), np.array([1.0]), grid, 2, 1.0)
    with pytest.raises(ValueError, match="penalty"):
        spline_smoothing(grid, grid, grid, 2, -1.0)
    with pytest.raises(ValueError, match="uniform"):
        spline_smoothing(grid, grid, grid**2, 2, 1.0)
