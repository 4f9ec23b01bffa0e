"""Spectral filters: closed forms, explicit gradient descent, tiny-step accuracy, bad input."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparserecover.spectral import (
    DEFAULT_MASK_THRESHOLD,
    active_components,
    gd_mask,
    n_iter_for_components,
    pca_mask,
    ridge_mask,
)

# no subnormals: 1 / s_max^2 must stay finite
singular_values = st.lists(
    st.one_of(st.just(0.0), st.floats(1e-100, 1e3)), min_size=1, max_size=20
).map(np.array)


def _filtered_solution(A, y, phi_of_s):
    """w = V diag(phi / s) U^T y, with 0 on zero singular values."""
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    phi = phi_of_s(s)
    gain = np.divide(phi, s, out=np.zeros_like(s), where=s > 0)
    return Vt.T @ (gain * (U.T @ y))


# ---------------------------------------------------------------- closed forms


def test_ridge_mask_closed_form():
    s = np.array([3.0, 2.0, 1.0, 0.5, 0.0])
    np.testing.assert_allclose(ridge_mask(s, 2.0), s**2 / (s**2 + 2.0), rtol=1e-15)


def test_ridge_mask_alpha_zero_is_pseudo_inverse_mask():
    np.testing.assert_array_equal(ridge_mask(np.array([2.0, 1e-300, 0.0]), 0.0), [1, 1, 0])


def test_ridge_mask_huge_singular_values_do_not_overflow():
    np.testing.assert_array_equal(ridge_mask(np.array([1e200, 1e-200]), 1.0), [1.0, 0.0])


def test_ridge_solution_equals_normal_equations(rng):
    A = rng.standard_normal((30, 12))
    y = rng.standard_normal(30)
    alpha = 0.7
    expected = np.linalg.solve(A.T @ A + alpha * np.eye(12), A.T @ y)
    w = _filtered_solution(A, y, lambda s: ridge_mask(s, alpha))
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_pca_mask_n_components_and_threshold():
    s = np.array([1.0, 3.0, 2.0, 0.5])
    np.testing.assert_array_equal(pca_mask(s, n_components=2), [0, 1, 1, 0])
    np.testing.assert_array_equal(pca_mask(s, threshold=1.0), [0, 1, 1, 0])
    np.testing.assert_array_equal(pca_mask(s), [1, 1, 1, 1])
    np.testing.assert_array_equal(pca_mask(np.array([2.0, 0.0])), [1, 0])
    np.testing.assert_array_equal(pca_mask(s, n_components=0), [0, 0, 0, 0])


def test_pca_mask_ties_keep_lower_index():
    np.testing.assert_array_equal(pca_mask(np.array([1.0, 2.0, 1.0, 1.0]), n_components=2),
                                  [1, 1, 0, 0])


def test_gd_mask_closed_forms():
    s = np.array([1.0, 0.7, 0.3, 0.0])
    lr, q = 0.9, 7
    np.testing.assert_allclose(gd_mask(s, lr, q), 1 - (1 - lr * s**2) ** q, rtol=1e-14)
    np.testing.assert_allclose(gd_mask(s, lr, q, kind="flow"), 1 - np.exp(-lr * q * s**2),
                               rtol=1e-14)
    np.testing.assert_array_equal(gd_mask(s, lr, 0), np.zeros(4))


def test_gd_mask_default_learning_rate_is_inverse_square_of_largest():
    s = np.array([0.5, 2.0, 1.0])
    np.testing.assert_allclose(gd_mask(s, None, 3), gd_mask(s, 0.25, 3), rtol=0)
    assert gd_mask(s, None, 1)[1] == 1.0


def test_gd_mask_overshooting_learning_rate_matches_power():
    # 1 < lr s^2 < 2: GD overshoots but converges; the mask exceeds 1 after odd steps.
    s = np.array([1.0, 0.5])
    lr = 1.5
    for q in (1, 2, 3, 10):
        np.testing.assert_allclose(gd_mask(s, lr, q), 1 - (1 - lr * s**2) ** q, rtol=1e-14)
    assert gd_mask(s, lr, 1)[0] == 1.5


@given(singular_values, st.floats(0.01, 1.99), st.integers(0, 500))
def test_gd_mask_property_matches_power_and_is_monotone_in_q(s, rel_lr, q):
    s_max = s.max()
    if s_max == 0:
        return
    lr = min(rel_lr, 1.0) / s_max**2  # lr s^2 <= 1: the mask lies in [0, 1]
    while (lr * s_max) * s_max > 1.0:  # as gd_mask rounds lr s^2 (1 / s^2 may round up)
        lr = np.nextafter(lr, 0.0)
    phi = gd_mask(s, lr, q)
    assert np.all((phi >= 0) & (phi <= 1))
    # the naive power is the reference here; its own rounding error is about q ulps absolute
    # (test_gd_mask_accurate_for_tiny_steps checks the relative accuracy against exact values)
    naive = 1 - (1 - lr * s**2) ** q
    np.testing.assert_allclose(phi, naive, rtol=1e-13, atol=4 * (q + 1) * 2.3e-16)
    assert np.all(gd_mask(s, lr, q + 1) >= phi)


@given(singular_values, st.floats(0.0, 1e6))
def test_ridge_mask_property(s, alpha):
    phi = ridge_mask(s, alpha)
    assert np.all((phi >= 0) & (phi <= 1))
    expected = np.divide(s**2, s**2 + alpha, out=np.zeros_like(s), where=s**2 + alpha > 0)
    np.testing.assert_allclose(phi, expected, rtol=1e-13, atol=1e-300)


# ------------------------------------------------- gradient descent, step by step


@pytest.mark.parametrize("shape", [(40, 15), (15, 40)])
@pytest.mark.parametrize("rel_lr", [1.0, 0.37, 1.8])
def test_gd_mask_equals_explicit_gradient_descent(rng, shape, rel_lr):
    A = rng.standard_normal(shape)
    y = rng.standard_normal(shape[0])
    s_max = np.linalg.norm(A, 2)
    lr = rel_lr / s_max**2
    w = np.zeros(shape[1])
    for q in range(1, 61):
        w = w + lr * (A.T @ (y - A @ w))  # w_q from the gradient of 0.5 ||A w - y||^2
        if q in (1, 2, 5, 20, 60):
            expected = _filtered_solution(A, y, lambda s, q=q: gd_mask(s, lr, q))
            rel = np.linalg.norm(w - expected) / np.linalg.norm(expected)
            assert rel < 1e-10, (q, rel)


def test_gd_mask_rank_deficient_gradient_descent(rng):
    # zero singular values: GD never moves along them, the mask there is exactly 0
    A = rng.standard_normal((20, 3)) @ rng.standard_normal((3, 8))
    y = rng.standard_normal(20)
    lr = 1.0 / np.linalg.norm(A, 2) ** 2
    w = np.zeros(8)
    for _ in range(30):
        w = w + lr * (A.T @ (y - A @ w))
    expected = _filtered_solution(A, y, lambda s: gd_mask(np.where(s > 1e-12 * s[0], s, 0), lr,
                                                          30))
    np.testing.assert_allclose(w, expected, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------- tiny lr * s^2


@pytest.mark.parametrize("x", [1e-30, 1e-20, 3e-17, 1e-12, 1e-6, 0.3])
@pytest.mark.parametrize("q", [1, 7, 1000, 10**9])
def test_gd_mask_accurate_for_tiny_steps(x, q):
    # exact rational reference of 1 - (1 - x)^q for the float x actually used, with the
    # binomial series summed until its terms are negligible
    s = np.array([1.0, math.sqrt(x)])
    lr = 1.0
    x_used = Fraction(float((lr * s[1]) * s[1]))
    phi = gd_mask(s, lr, q)[1]
    if q * x > 40:
        assert phi == 1.0  # (1 - x)^q < e^-40 is below half an ulp of 1
        return
    if q <= 1000:
        exact = 1 - (1 - x_used) ** q
    else:  # binomial series, fast for the tiny q x that reach here
        assert q * x < 1e-2
        exact, term, k = Fraction(0), Fraction(1), 0
        while True:
            k += 1
            term = -term * (q - k + 1) / k * x_used
            exact -= term
            if abs(term) < Fraction(1, 10**40) * abs(exact):
                break
    assert abs(phi - float(exact)) <= 4e-16 * float(exact)


def test_naive_formula_fails_where_gd_mask_does_not():
    s = np.array([1.0, 1e-9])  # lr s^2 = 1e-18 < eps
    assert 1 - (1 - s[1] ** 2) ** 10 == 0.0
    np.testing.assert_allclose(gd_mask(s, 1.0, 10)[1], 1e-17, rtol=1e-15)


def test_float32_stays_float32_and_int_becomes_float64():
    s32 = np.array([2.0, 1.0, 0.5], dtype=np.float32)
    for phi in (ridge_mask(s32, 1.0), pca_mask(s32, 2), gd_mask(s32, None, 3),
                gd_mask(s32, None, 3.0, kind="flow")):
        assert phi.dtype == np.float32
    np.testing.assert_allclose(gd_mask(s32, None, 3), gd_mask(s32.astype(float), None, 3),
                               rtol=1e-7)
    assert ridge_mask(np.array([1, 2]), 1).dtype == np.float64


def test_input_not_modified():
    s = np.array([3.0, 1.0])
    s.flags.writeable = False
    gd_mask(s, None, 5)
    ridge_mask(s, 1.0)
    pca_mask(s, 1)


# ------------------------------------------------------- Proposition 4.2


def test_n_iter_for_components_is_smallest_passing_q(rng):
    s = np.sort(rng.uniform(0.01, 2.0, 30))[::-1]
    for kind in ("discrete", "flow"):
        for k in (1, 2, 5, 17, 30):
            for tau in (0.1, 0.5, DEFAULT_MASK_THRESHOLD, 0.99):
                q = n_iter_for_components(s, k, mask_threshold=tau, kind=kind)
                assert gd_mask(s, None, q, kind=kind)[k - 1] >= tau
                assert q == 1 or gd_mask(s, None, q - 1, kind=kind)[k - 1] < tau
                assert active_components(s, None, q, mask_threshold=tau, kind=kind) >= k
                # closed form of Eq. 16
                x = s[k - 1] ** 2 / s[0] ** 2
                if kind == "discrete":
                    bound = math.log(1 - tau) / math.log(1 - x) if x < 1 else 1
                else:
                    bound = -math.log(1 - tau) / x
                assert q == max(1, math.ceil(bound - 1e-9))


def test_eq17_flow_iterations_are_squared_singular_value_ratio():
    # lr = 1/s_1^2, tau = 1 - 1/e, flow: q = (s_1 / s_K)^2 (Eq. 17)
    s = np.array([1.0, 0.5, 0.25, 0.1])
    assert [n_iter_for_components(s, k, kind="flow") for k in (1, 2, 3, 4)] == [1, 4, 16, 100]


def test_n_iter_for_components_ignores_order():
    s = np.array([0.25, 1.0, 0.5])
    assert n_iter_for_components(s, 3) == n_iter_for_components(np.sort(s)[::-1], 3)


def test_active_components_counts_passing_mask():
    s = np.array([1.0, 0.5, 0.25, 0.1])
    assert active_components(s, None, 16, kind="flow") == 3
    assert active_components(s, None, 0) == 0
    assert active_components(s, None, 10**6) == 4


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ridge_mask(np.array([1.0, np.nan]), 1.0), ValueError, "s contains"),
        (lambda: ridge_mask(np.array([1.0, -1.0]), 1.0), ValueError, "nonnegative"),
        (lambda: ridge_mask(np.ones((2, 2)), 1.0), ValueError, "1-D"),
        (lambda: ridge_mask(np.array([1.0]), -1.0), ValueError, "alpha"),
        (lambda: ridge_mask(np.array(["a"]), 1.0), TypeError, "s must be"),
        (lambda: pca_mask(np.ones(3), n_components=4), ValueError, "n_components"),
        (lambda: pca_mask(np.ones(3), n_components=1.5), TypeError, "n_components"),
        (lambda: pca_mask(np.ones(3), 1, threshold=0.5), ValueError, "at most one"),
        (lambda: pca_mask(np.ones(3), threshold=-1.0), ValueError, "threshold"),
        (lambda: gd_mask(np.ones(3), 2.0, 3), ValueError, "diverge"),
        (lambda: gd_mask(np.ones(3), 0.0, 3), ValueError, "learning_rate"),
        (lambda: gd_mask(np.ones(3), 1.0, -1), ValueError, "n_iter"),
        (lambda: gd_mask(np.ones(3), 1.0, 2.5), TypeError, "n_iter"),
        (lambda: gd_mask(np.ones(3), 1.0, 2, kind="euler"), ValueError, "kind"),
        (lambda: gd_mask(np.zeros(3), None, 2), ValueError, "every s is 0"),
        (lambda: n_iter_for_components(np.array([1.0, 0.0]), 2), ValueError, "is 0"),
        (lambda: n_iter_for_components(np.ones(3), 0), ValueError, "n_components"),
        (lambda: n_iter_for_components(np.ones(3), 1, mask_threshold=1.0), ValueError,
         "mask_threshold"),
        (lambda: active_components(np.ones(3), None, 1, mask_threshold=0.0), ValueError,
         "mask_threshold"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_flow_accepts_large_learning_rate():
    # the flow is an ODE, it has no divergence limit
    np.testing.assert_allclose(gd_mask(np.array([1.0]), 5.0, 1.0, kind="flow"),
                               [1 - math.exp(-5.0)])
