"""Activations (values, conventions, the softplus theorem) and the ShallowFeatures transformer."""

import math

import numpy as np
import pytest
from scipy import integrate

from sparserecover.network import ACTIVATIONS, ShallowFeatures

T = np.linspace(-3.0, 3.0, 61)


def test_activation_names():
    assert set(ACTIVATIONS) == {
        "heaviside", "relu", "relu2", "tanh", "gelu", "silu", "sinc", "gaussian"
    }


def test_activation_values_against_scalar_formulas():
    scalar = {
        "heaviside": lambda t: 1.0 if t >= 0 else 0.0,
        "relu": lambda t: max(t, 0.0),
        "relu2": lambda t: max(t, 0.0) ** 2,
        "tanh": math.tanh,
        "gelu": lambda t: 0.5 * t * (1 + math.erf(t / math.sqrt(2))),
        "silu": lambda t: t / (1 + math.exp(-t)),
        "sinc": lambda t: 1.0 if t == 0 else math.sin(math.pi * t) / (math.pi * t),
        "gaussian": lambda t: math.exp(-t * t / 2),
    }
    for name, function in ACTIVATIONS.items():
        expected = np.array([scalar[name](t) for t in T])
        np.testing.assert_allclose(function(T), expected, rtol=1e-14, atol=1e-15, err_msg=name)


def test_activation_conventions():
    assert ACTIVATIONS["heaviside"](np.array([0.0]))[0] == 1.0  # right-continuous
    np.testing.assert_allclose(ACTIVATIONS["sinc"](np.arange(1.0, 6.0)), 0.0, atol=1e-15)
    assert ACTIVATIONS["silu"](np.array([-1000.0]))[0] == 0.0  # no overflow warning


def test_activations_keep_float32():
    t32 = T.astype(np.float32)
    for name, function in ACTIVATIONS.items():
        assert function(t32).dtype == np.float32, name


def test_gelu_silu_match_torch():
    torch = pytest.importorskip("torch")
    t = torch.tensor(T)
    np.testing.assert_allclose(ACTIVATIONS["gelu"](T), torch.nn.functional.gelu(t).numpy(),
                               rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(ACTIVATIONS["silu"](T), torch.nn.functional.silu(t).numpy(),
                               rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("x", [-4.0, -0.7, 0.0, 1.3, 5.0])
def test_softplus_is_expected_relu_under_logistic_noise(beta, x):
    # Seed 001 (Dombrowski et al. 2019, Thm 2): with the logistic density
    # p_beta(e) = beta / (e^{beta e/2} + e^{-beta e/2})^2, E[ReLU(x - e)] = softplus_beta(x)
    # and, differentiating, E[H(x - e)] = sigmoid(beta x).
    def density(e):
        # the same density, written without overflow for large |e|
        decay = math.exp(-beta * abs(e))
        return beta * decay / (1 + decay) ** 2

    relu, _ = integrate.quad(lambda e: density(e) * (x - e), -np.inf, x, epsabs=1e-13,
                             epsrel=1e-12)
    step, _ = integrate.quad(density, -np.inf, x, epsabs=1e-13, epsrel=1e-12)
    total, _ = integrate.quad(density, -np.inf, np.inf)
    assert total == pytest.approx(1.0, rel=1e-10)
    assert relu == pytest.approx(np.logaddexp(0.0, beta * x) / beta, rel=1e-9, abs=1e-12)
    assert step == pytest.approx(1.0 / (1.0 + math.exp(-beta * x)), rel=1e-9, abs=1e-12)


def test_softplus_theorem_with_package_softplus():
    prox = pytest.importorskip("sparserecover.prox")
    x = np.array([-2.0, 0.0, 0.5, 3.0])
    def weighted_relu(e, xi):
        decay = math.exp(-abs(e))
        return (xi - e) * decay / (1 + decay) ** 2

    expected = [integrate.quad(weighted_relu, -np.inf, xi, args=(xi,))[0] for xi in x]
    np.testing.assert_allclose(prox.softplus(x), expected, rtol=1e-9)


# --------------------------------------------------------------------------- features


def test_heaviside_features_exact():
    x = np.linspace(0.0, 1.0, 6)[:, None]
    A = ShallowFeatures("heaviside", n_units=6).fit_transform(x)
    np.testing.assert_array_equal(A, np.tril(np.ones((6, 6))))


def test_features_formula_scale_and_bias_range(rng):
    x = rng.uniform(-2, 3, size=(15, 1))
    features = ShallowFeatures("gaussian", n_units=7, scale=2.5, bias_range=(-1, 1)).fit(x)
    biases = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(features.biases_, biases)
    np.testing.assert_allclose(features.transform(x), np.exp(-0.5 * (2.5 * (x - biases)) ** 2),
                               rtol=1e-14)
    default = ShallowFeatures(n_units=4).fit(x)
    np.testing.assert_allclose(default.biases_, np.linspace(x.min(), x.max(), 4))
    np.testing.assert_allclose(default.transform(x), np.tanh(x - default.biases_))


def test_callable_activation_and_float32(rng):
    x = rng.uniform(size=(10, 1)).astype(np.float32)
    A = ShallowFeatures(np.cos, n_units=5).fit_transform(x)
    assert A.dtype == np.float32
    np.testing.assert_allclose(A, np.cos(x - np.linspace(x.min(), x.max(), 5)), rtol=1e-6)


def test_several_input_features_use_full_rank_projection(rng):
    X = rng.standard_normal((50, 3)) * [1.0, 100.0, 0.01]
    features = ShallowFeatures("relu", n_units=20, random_state=0).fit(X)
    P = features.projection_
    assert P.shape == (3, 20)
    np.testing.assert_allclose(np.linalg.norm(P, axis=0), 1.0)
    assert np.linalg.matrix_rank(P) == 3
    Z = ((X - X.mean(0)) / X.std(0)) @ P
    np.testing.assert_allclose(features.transform(X), np.maximum(Z - features.biases_, 0),
                               rtol=1e-12, atol=1e-12)
    # every unit's bias is inside the range of its projection
    assert np.all((features.biases_ >= Z.min(0) - 1e-12) & (features.biases_ <= Z.max(0) + 1e-12))
    again = ShallowFeatures("relu", n_units=20, random_state=0).fit(X)
    np.testing.assert_array_equal(again.transform(X), features.transform(X))


def test_feature_bad_input():
    x = np.linspace(0, 1, 5)[:, None]
    with pytest.raises(ValueError, match="activation"):
        ShallowFeatures("swish").fit(x)
    with pytest.raises(ValueError, match="bias_range"):
        ShallowFeatures(bias_range=(1, 0)).fit(x)
    with pytest.raises(ValueError, match="bias_range"):
        ShallowFeatures(bias_range=(0, np.nan)).fit(x)
    with pytest.raises(ValueError, match="shape"):
        ShallowFeatures(lambda t: t.sum(axis=1), n_units=3).fit_transform(x)
    with pytest.raises(ValueError, match="scale"):
        ShallowFeatures(scale=-1.0).fit(x)
    with pytest.raises(ValueError, match=r"NaN|infinity"):
        ShallowFeatures().fit(np.array([[0.0], [np.nan]]))
