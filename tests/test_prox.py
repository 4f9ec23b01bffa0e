"""sparserecover.prox: closed forms, the seed's values, proximal optimality, accuracy, layouts.

The comparison with torch element by element is in test_prox_torch.py.
"""

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sparserecover.prox import (
    hardshrink,
    hardshrink_grad,
    project_k_sparse,
    prox_elastic_net,
    prox_group_l2,
    prox_l0,
    prox_l1,
    prox_mcp,
    prox_scad,
    softplus,
    softplus_grad,
    softshrink,
    softshrink_grad,
    tanhshrink,
    tanhshrink_grad,
    threshold,
    threshold_grad,
)

LARGE = 2**16 + 37  # several tanh/exp chunks (odd: SIMD and chunk remainders)

# (name, function, parameters): every elementwise operator and derivative
ELEMENTWISE = [
    ("softshrink", softshrink, (0.5,)),
    ("hardshrink", hardshrink, (0.5,)),
    ("tanhshrink", tanhshrink, ()),
    ("threshold", threshold, (0.5, -7.0)),
    ("softplus", softplus, ()),
    ("softplus_beta", softplus, (2.0, 3.0)),
    ("softshrink_grad", softshrink_grad, (0.5,)),
    ("hardshrink_grad", hardshrink_grad, (0.5,)),
    ("tanhshrink_grad", tanhshrink_grad, ()),
    ("threshold_grad", threshold_grad, (0.5, -7.0)),
    ("softplus_grad", softplus_grad, ()),
    ("softplus_grad_beta", softplus_grad, (0.7, 1.0)),
    ("prox_mcp", prox_mcp, (0.5, 3.0)),
    ("prox_scad", prox_scad, (0.5, 3.7)),
]
ELEMENTWISE_IDS = [case[0] for case in ELEMENTWISE]

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 0.3, -0.3, 2.0, -2.0, 3.0, -3.0]
SPECIAL += [1e-30, -1e-30, 1e-300, -5e-324, 20.0, 19.99, 1.5, -1.5, 1.4999999999999998]
SPECIAL += [0.7, 1.0, -1.0, 1e300, -1e300, 710.0, -710.0]


def special_and_random(dtype, size, rng):
    """The special values, then random values over many scales, as ``dtype``."""
    scales = rng.choice([1e-12, 1e-6, 1e-3, 0.1, 0.5, 1.0, 3.0, 30.0, 1e4], size)
    values = rng.standard_normal(size) * scales
    with np.errstate(over="ignore"):
        return np.concatenate([np.array(SPECIAL), values])[:size].astype(dtype)


def bits(a):
    """The bytes of an array: equality is bitwise (signed zeros, NaN payloads)."""
    return np.ascontiguousarray(a).view(np.uint8)


def assert_bitwise_equal(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert np.array_equal(bits(actual), bits(expected)), (actual, expected)


def ulp_error(actual, reference):
    """|actual - reference| in units of the spacing of the float64/float32 reference."""
    actual = np.asarray(actual, dtype=np.longdouble)
    rounded = np.asarray(reference).astype(np.float64)
    return np.abs(actual - reference) / np.spacing(np.abs(rounded))


# ---------------------------------------------------------------------------------------------
# the seed's printed values (seed 000)

SEED_X = np.array([-2.0, -0.3, 0.0, 0.3, 2.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_seed_values_hardshrink_softshrink(dtype):
    x = SEED_X.astype(dtype)
    np.testing.assert_array_equal(hardshrink(x, 0.5), np.array([-2, 0, 0, 0, 2], dtype))
    np.testing.assert_array_equal(softshrink(x, 0.5), np.array([-1.5, 0, 0, 0, 1.5], dtype))


def test_seed_values_tanhshrink():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    # The seed prints tensor([-1.0036, -0.2384, 0.0000, 0.2384, 1.0036]), but
    # 2 - tanh(2) = 1.0359724..., i.e. 1.0360 to 4 decimals: the seed transposed two digits.
    # The math wins; torch itself prints 1.0360.
    expected = np.array([-1.0360, -0.2384, 0.0, 0.2384, 1.0360])
    np.testing.assert_allclose(tanhshrink(x), expected, atol=5e-5)
    assert abs(tanhshrink(2.0) - 1.0036) > 0.03  # the seed's value is wrong


def test_seed_values_threshold_and_softplus():
    x = np.array([-1.0, 0.0, 0.1, 0.5, 2.0], dtype=np.float32)
    # x == threshold == 0.1 (both rounded to float32, as in torch) is replaced
    np.testing.assert_array_equal(threshold(x, 0.1, 0.0), np.float32([0, 0, 0, 0.5, 2]))
    np.testing.assert_array_equal(threshold(x, 0.1, 20.0), np.float32([20, 20, 20, 0.5, 2]))
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_allclose(
        softplus(x), [0.1269, 0.3133, 0.6931, 1.3133, 2.1269], atol=5e-5
    )
    # the seed: the gradient of softplus is exactly the sigmoid
    np.testing.assert_allclose(softplus_grad(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# closed forms


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [50, LARGE])
def test_piecewise_linear_closed_forms(dtype, size, rng):
    x = (rng.standard_normal(size) * 2).astype(dtype)
    x[:4] = [0.5, -0.5, 0.25, -0.25]  # on the band edges
    lam = dtype(0.5)
    np.testing.assert_array_equal(softshrink(x, 0.5), np.sign(x) * np.maximum(np.abs(x) - lam, 0))
    np.testing.assert_array_equal(hardshrink(x, 0.5), np.where(np.abs(x) > lam, x, 0))
    np.testing.assert_array_equal(threshold(x, 0.25, 3.0), np.where(x > dtype(0.25), x, 3))
    np.testing.assert_array_equal(softshrink_grad(x, 0.5), np.abs(x) > lam)
    np.testing.assert_array_equal(hardshrink_grad(x, 0.5), np.abs(x) > lam)
    np.testing.assert_array_equal(threshold_grad(x, 0.25, 3.0), x > dtype(0.25))
    for out in (softshrink(x, 0.5), softshrink_grad(x), threshold(x, 0.25, 3.0)):
        assert out.dtype == dtype


@pytest.mark.parametrize("size", [50, LARGE])
def test_smooth_closed_forms(size, rng):
    x = rng.uniform(-15, 15, size)
    np.testing.assert_allclose(softplus(x), np.log1p(np.exp(x)), rtol=4e-16)
    smooth = x[2.5 * x <= 20]  # the rest is on the linear branch
    np.testing.assert_allclose(
        softplus(smooth, beta=2.5), np.log1p(np.exp(2.5 * smooth)) / 2.5, rtol=1e-15
    )
    # (the float64 references themselves carry 2-3 roundings)
    np.testing.assert_allclose(softplus_grad(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(tanhshrink_grad(x), np.tanh(x) ** 2, rtol=4e-16)
    big = x[np.abs(x) > 2]  # no cancellation there
    np.testing.assert_allclose(tanhshrink(big), big - np.tanh(big), rtol=4e-16)


def test_softplus_linear_branch_and_boundary():
    # beta * x > threshold: x itself; beta * x == threshold: still the smooth branch
    x = np.array([10.0, 10.5, 20.0, 20.000000000000004, 1000.0])
    np.testing.assert_array_equal(softplus(x, beta=2.0, threshold=20.0)[1:], x[1:])
    assert softplus(10.0, beta=2.0, threshold=20.0) == np.log1p(np.exp(20.0)) / 2
    assert softplus(20.0) == 20.0 + np.log1p(np.exp(-20.0))  # 20 == threshold: smooth
    assert softplus(20.000000000000004) == 20.000000000000004
    assert softplus_grad(20.0) < 1.0 and softplus_grad(20.000000000000004) == 1.0
    # a large threshold leaves large x on the smooth branch: no overflow (torch gives inf/NaN)
    assert softplus(1000.0, threshold=np.inf) == 1000.0
    assert softplus_grad(1000.0, threshold=np.inf) == 1.0
    assert softplus(-1000.0) == 0.0 and softplus_grad(-1000.0) == 0.0
    # float32: beta and threshold are rounded to float32 and beta * x computed in float32
    x32 = np.float32(10.0)
    assert x32 * np.float32(1 / 3) > np.float32(10 / 3)  # in float32 this is on the linear side
    assert softplus(np.array([x32]), beta=1 / 3, threshold=10 / 3)[0] == x32


# ---------------------------------------------------------------------------------------------
# boundaries, NaN, infinities and signed zeros


def test_signed_zeros_and_nan():
    x = np.array([-0.0, 0.0, -0.3, 0.3, -0.5, 0.5, np.nan, np.inf, -np.inf])
    assert_bitwise_equal(
        softshrink(x, 0.5), np.array([0.0, 0, 0, 0, 0, 0, np.nan, np.inf, -np.inf])
    )
    assert_bitwise_equal(
        hardshrink(x, 0.5), np.array([0.0, 0, 0, 0, 0, 0, np.nan, np.inf, -np.inf])
    )
    assert_bitwise_equal(softshrink_grad(x, 0.5), np.array([0.0, 0, 0, 0, 0, 0, 0, 1, 1]))
    assert_bitwise_equal(threshold(x, 0.3, -0.0), np.array([-0.0, -0.0, -0.0, -0.0, -0.0, 0.5,
                                                            np.nan, np.inf, -0.0]))
    assert_bitwise_equal(threshold_grad(x, 0.3, -0.0), np.array([0.0, 0, 0, 0, 0, 1, 1, 1, 0]))
    t = tanhshrink(x)
    assert_bitwise_equal(t[:2], np.array([0.0, 0.0]))  # +0.0 for -0.0, like torch
    assert np.isnan(t[6]) and t[7] == np.inf and t[8] == -np.inf
    assert np.all(tanhshrink(x[:6]) * np.sign(x[:6]) >= 0)  # odd
    assert np.isnan(softplus(np.nan)) and softplus(np.inf) == np.inf
    assert_bitwise_equal(softplus(-np.inf), np.float64(0.0))
    assert np.isnan(softplus_grad(np.nan)) and np.isnan(tanhshrink_grad(np.nan))
    assert tanhshrink_grad(-np.inf) == 1.0


def test_softshrink_lambda_zero_is_identity_up_to_signed_zero():
    x = np.array([-1.0, -0.0, 0.0, 2.5, np.nan])
    assert_bitwise_equal(softshrink(x, 0.0), np.array([-1.0, 0.0, 0.0, 2.5, np.nan]))
    assert_bitwise_equal(hardshrink(x, 0.0), np.array([-1.0, 0.0, 0.0, 2.5, np.nan]))


def test_parameters_are_rounded_to_the_input_dtype():
    x = np.array([0.1, 0.2], dtype=np.float32)
    # float32(0.1) > 0.1 in float64, but torch compares in float32, where they are equal
    np.testing.assert_array_equal(hardshrink(x, 0.1), [0, np.float32(0.2)])
    np.testing.assert_array_equal(softshrink(x, 0.1), [0, np.float32(0.2) - np.float32(0.1)])
    np.testing.assert_array_equal(threshold(x, 0.1, 5.0), [5, np.float32(0.2)])


# ---------------------------------------------------------------------------------------------
# tanhshrink accuracy (a few ulps relative everywhere, where x - tanh(x) cancels)


def _tanh_series_coefficients(n_terms):
    """Exact Taylor coefficients of x - tanh(x) = sum_n c_n x**(2n-1), n = 2 .. n_terms + 1.

    tanh(x) = sum_{n>=1} 2**(2n) (2**(2n) - 1) B_{2n} x**(2n-1) / (2n)!, Bernoulli numbers from
    the Akiyama-Tanigawa algorithm in exact rationals.
    """
    n_max = 2 * (n_terms + 1)
    bernoulli, row = [], []
    for m in range(n_max + 1):
        row.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        bernoulli.append(row[0])  # B_1 = +1/2 with this algorithm; only even indices are used
    coefficients = []
    factorial = [1]
    for m in range(1, n_max + 1):
        factorial.append(factorial[-1] * m)
    for n in range(2, n_terms + 2):
        c = Fraction(2 ** (2 * n) * (2 ** (2 * n) - 1)) * bernoulli[2 * n] / factorial[2 * n]
        coefficients.append(-c)
    return coefficients


def tanhshrink_reference(x):
    """x - tanh(x) in extended precision: exact series below 0.5, long double difference above."""
    x = np.asarray(x, dtype=np.longdouble)
    coefficients = [
        np.longdouble(c.numerator) / np.longdouble(c.denominator)
        for c in _tanh_series_coefficients(40)
    ]
    small = np.abs(x) <= 0.5
    z = x * x
    series = np.zeros_like(x)
    for c in reversed(coefficients):
        series = series * z + c
    series = series * x * z
    with np.errstate(over="ignore", invalid="ignore"):
        direct = x - np.tanh(x)
    return np.where(small, series, direct)


needs_long_double = pytest.mark.skipif(
    np.finfo(np.longdouble).nmant < 63, reason="needs x87 80-bit long double"
)


@needs_long_double
@pytest.mark.parametrize("size", [100, LARGE])
def test_tanhshrink_accurate_to_4_ulp(size, rng):
    magnitudes = np.concatenate([
        np.geomspace(1e-300, 1e3, size // 2),
        rng.uniform(0, 3, size - size // 2),
        [1.5, np.nextafter(1.5, 0), np.nextafter(1.5, 2), 0.5, 1e-100, 1e-108, 1e-110],
    ])
    x = magnitudes * rng.choice([-1.0, 1.0], magnitudes.size)
    reference = tanhshrink_reference(x)
    result = tanhshrink(x)
    # The rational branch rounds ~20 times (positive terms: no cancellation); measured max 3.7
    assert ulp_error(result, reference).max() <= 4.0
    # float32: tanh in float32 (within 1.4 ulp), the rest in float64, one rounding: 2 ulp
    x32 = x[(np.abs(x) > 1e-35) & (np.abs(x) < 1e30)].astype(np.float32)
    reference32 = tanhshrink_reference(x32).astype(np.float64).astype(np.float32)
    result32 = tanhshrink(x32)
    assert result32.dtype == np.float32
    error32 = np.abs(result32.astype(np.float64) - reference32) / np.spacing(np.abs(reference32))
    assert error32.max() <= 2.0
    # the naive difference cancels: it is 0 for tiny x, where the answer is x**3 / 3
    assert tanhshrink(1e-9) == pytest.approx(1e-27 / 3, rel=1e-15) and 1e-9 - np.tanh(1e-9) == 0


def test_tanhshrink_against_mpmath(rng):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 250  # x - tanh(x) ~ x**3 / 3: 2 * 100 digits cancel at x = 1e-100
    x = np.concatenate([np.geomspace(1e-100, 30, 150), rng.uniform(-2, 2, 150)])
    result = tanhshrink(x)
    for value, ours in zip(x, result, strict=True):
        exact = mpmath.mpf(float(value)) - mpmath.tanh(mpmath.mpf(float(value)))
        error = abs((mpmath.mpf(float(ours)) - exact) / exact)
        assert error <= 4 * 2.0**-52, (value, ours)


# ---------------------------------------------------------------------------------------------
# derivatives against finite differences, away from the kinks


@pytest.mark.parametrize(
    ("function", "derivative", "params", "kinks"),
    [
        (softshrink, softshrink_grad, (0.5,), [-0.5, 0.5]),
        (hardshrink, hardshrink_grad, (0.5,), [-0.5, 0.5]),
        (threshold, threshold_grad, (0.3, 2.0), [0.3]),
        (tanhshrink, tanhshrink_grad, (), []),
        (softplus, softplus_grad, (), [20.0]),
        (softplus, softplus_grad, (3.0, 4.0), [4.0 / 3.0]),
    ],
)
def test_derivatives_match_finite_differences(function, derivative, params, kinks, rng):
    x = rng.uniform(-6, 25, 400)
    for kink in kinks:
        x = x[np.abs(x - kink) > 1e-3]
    h = 1e-6
    numeric = (function(x + h, *params) - function(x - h, *params)) / (2 * h)
    np.testing.assert_allclose(derivative(x, *params), numeric, rtol=1e-7, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# proximal maps: optimality


finite_vectors = hnp.arrays(
    np.float64,
    st.integers(1, 12),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)
penalties = st.floats(0.0, 1e3, allow_nan=False)


@given(finite_vectors, penalties)
def test_prox_l1_residual_is_in_the_subdifferential(x, t):
    z = prox_l1(x, t)
    residual = x - z
    # x - z in t * d|.|(z): t sign(z) where z != 0, [-t, t] where z == 0
    tolerance = 4 * np.spacing(np.maximum(np.abs(x), t))
    nonzero = z != 0
    np.testing.assert_array_less(np.abs(residual[nonzero] - t * np.sign(z[nonzero])),
                                 tolerance[nonzero] + 1e-300)
    assert np.all(np.abs(residual[~nonzero]) <= t)


@given(finite_vectors, st.floats(1e-3, 1e3))
def test_moreau_decomposition(x, t):
    # x = prox_{t f}(x) + t prox_{f*/t}(x/t), f* the indicator of the unit inf-norm ball
    np.testing.assert_allclose(
        prox_l1(x, t) + t * np.clip(x / t, -1, 1), x, rtol=1e-14, atol=1e-12 * t
    )


@given(finite_vectors, penalties)
def test_prox_l0_is_a_brute_force_minimizer(x, t):
    z = prox_l0(x, t)
    # separable: each coordinate minimizes 0.5 (z - x)**2 + t [z != 0] over {0, x}
    objective = 0.5 * (z - x) ** 2 + t * (z != 0)
    best = np.minimum(0.5 * x**2, t * (x != 0))
    np.testing.assert_allclose(objective, best, rtol=1e-12, atol=0)
    assert np.all((z == 0) | (z == x))


@given(finite_vectors, penalties, st.floats(0.0, 100.0))
def test_prox_elastic_net_is_a_brute_force_minimizer(x, t, l2):
    z = prox_elastic_net(x, t, l2)

    def objective(v):
        return 0.5 * (v - x) ** 2 + t * np.abs(v) + 0.5 * t * l2 * v**2

    # every coordinate against a dense grid around it and the exact kink at 0
    grid = z[:, None] + np.linspace(-1, 1, 201)[None, :] * (1e-3 + np.abs(x[:, None]))
    candidates = np.concatenate([grid, np.zeros((x.size, 1))], axis=1)
    values = 0.5 * (candidates - x[:, None]) ** 2 + t * np.abs(candidates)
    values += 0.5 * t * l2 * candidates**2
    assert np.all(objective(z) <= values.min(axis=1) + 1e-9 * (1 + np.abs(x) ** 2))
    np.testing.assert_allclose(z, softshrink(x, t) / (1 + t * l2), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# MCP and SCAD: the penalties as Zhang (2010) and Fan & Li (2001) define them, for z >= 0, as
# pieces (low, high, c2, c1, c0) on which pen(z) = c2 z**2 + c1 z + c0 (high None: no end).


def _mcp_pieces(lam, gamma):
    return [(0, gamma * lam, -1 / (2 * gamma), lam, 0),
            (gamma * lam, None, 0, 0, gamma * lam**2 / 2)]


def _scad_pieces(lam, gamma):
    return [
        (0, lam, 0, lam, 0),
        (lam, gamma * lam, -1 / (2 * (gamma - 1)), gamma * lam / (gamma - 1),
         -(lam**2) / (2 * (gamma - 1))),
        (gamma * lam, None, 0, 0, lam**2 * (gamma + 1) / 2),
    ]


def _penalty_value(pieces, z):
    u = abs(z)
    for _low, high, c2, c1, c0 in pieces:
        if high is None or u <= high:
            return c2 * u * u + c1 * u + c0
    raise AssertionError


def _exact_prox(pieces, x):
    """argmin_z 0.5 (z - x)**2 + pen(z) in rational arithmetic, by minimizing the objective on
    every piece of either sign exactly (no case analysis of the closed form)."""
    best = None
    for sign in (1, -1):
        for low, high, c2, c1, _ in pieces:
            # 0.5 (u - sign x)**2 + c2 u**2 + c1 u on [low, high]: 1 + 2 c2 > 0 (gamma large enough)
            u = max((sign * x - c1) / (1 + 2 * c2), low)
            if high is not None:
                u = min(u, high)
            z = sign * u
            value = (z - x) ** 2 / 2 + _penalty_value(pieces, z)
            if best is None or value < best[0]:
                best = (value, z)
    return best[1]


def _nonconvex_cases(rng, gamma_values):
    """(x, lam, gamma) at every breakpoint, one ulp either side, and random, over many scales."""
    cases = []
    for lam in (0.0, 1e-300, 1e-5, 0.3, 1.0, 7.0, 1e5, 1e300):
        for gamma in gamma_values:
            if not np.isfinite(gamma * lam * 1.5):
                continue
            points = [0.0, lam, 2 * lam, gamma * lam, 1.5 * gamma * lam]
            points += list(rng.uniform(0, 1.2 * gamma * lam, 6))
            for point in points:
                for value in (point, np.nextafter(point, 0), np.nextafter(point, np.inf)):
                    cases.append((value * rng.choice([-1.0, 1.0]), lam, gamma))
    return cases


@pytest.mark.parametrize(("function", "pieces", "gammas", "ulps"), [
    (prox_mcp, _mcp_pieces, [1 + 2**-52, 1 + 1e-9, 1.01, 2.0, 3.0, 3.7, 1e3, 1e12, 1e300], 2),
    (prox_scad, _scad_pieces, [2 + 2**-51, 2 + 1e-9, 2.01, 3.0, 3.7, 10.0, 1e12, 1e300], 3),
], ids=["mcp", "scad"])
def test_nonconvex_prox_is_the_exact_minimizer(function, pieces, gammas, ulps, rng):
    # against the exact minimizer, as the docstrings promise: within a few ulp for every gamma,
    # at the breakpoints and one ulp either side of them, from 1e-300 to 1e300
    for x, lam, gamma in _nonconvex_cases(rng, gammas):
        exact = _exact_prox(pieces(Fraction(lam), Fraction(gamma)), Fraction(x))
        z = function(x, lam, gamma)
        assert abs(Fraction(float(z)) - exact) <= ulps * Fraction(np.spacing(abs(float(exact)))), (
            x, lam, gamma, z, float(exact))
        if exact == 0:
            assert_bitwise_equal(np.asarray(z), np.asarray(0.0))


@pytest.mark.parametrize(("function", "pieces", "gamma_low"), [
    (prox_mcp, _mcp_pieces, 1.0), (prox_scad, _scad_pieces, 2.0),
], ids=["mcp", "scad"])
def test_nonconvex_prox_is_a_brute_force_minimizer(function, pieces, gamma_low, rng):
    # a dense grid over [-2|x| - 1, 2|x| + 1], then scipy's bounded scalar minimization around
    # its best point, on random (x, lam, gamma)
    from scipy.optimize import minimize_scalar

    for _ in range(300):
        lam = rng.uniform(0.0, 3.0)
        gamma = gamma_low + 10.0 ** rng.uniform(-1.5, 1.5)
        x = rng.choice([-1, 1]) * rng.uniform(0, 1.3 * gamma * lam + 0.1)
        penalty = pieces(lam, gamma)

        def objective(z, x=x, penalty=penalty):
            return 0.5 * (z - x) ** 2 + _penalty_value(penalty, z)

        grid = np.linspace(-2 * abs(x) - 1, 2 * abs(x) + 1, 4001)
        values = [objective(z) for z in grid]
        i = int(np.argmin(values))
        refined = minimize_scalar(objective, bounds=(grid[max(i - 1, 0)], grid[min(i + 1, 4000)]),
                                  method="bounded", options={"xatol": 1e-12})
        z = float(function(x, lam, gamma))
        assert objective(z) <= min(refined.fun, values[i]) + 1e-14 * (1 + x * x)
        # strongly convex (modulus 1 - 1/gamma, 1 - 1/(gamma - 1)): the two points are close
        assert abs(z - refined.x) <= 1e-5 * (1 + abs(x))


def test_nonconvex_prox_matches_skglm(rng):
    # skglm's proximal maps (penalty.prox_1d with step 1) to 1e-12; its SCAD picks the best of
    # three candidates by their objective, not a closed form
    skglm_penalties = pytest.importorskip("skglm.penalties")
    for _ in range(400):
        lam = 10.0 ** rng.uniform(-3, 3)
        gamma_mcp = 1 + 10.0 ** rng.uniform(-2, 1.5)
        gamma_scad = 2 + 10.0 ** rng.uniform(-2, 1.5)
        x = rng.standard_normal(8) * lam * rng.choice([0.5, 2.0, 5.0, 40.0])
        x[:3] = [lam, 2 * lam, gamma_mcp * lam]
        mcp = skglm_penalties.MCPenalty(alpha=lam, gamma=gamma_mcp)
        scad = skglm_penalties.SCAD(alpha=lam, gamma=gamma_scad)
        np.testing.assert_allclose(prox_mcp(x, lam, gamma_mcp),
                                   [mcp.prox_1d(v, 1.0, 0) for v in x], rtol=1e-12, atol=0)
        np.testing.assert_allclose(prox_scad(x, lam, gamma_scad),
                                   [scad.prox_1d(v, 1.0, 0) for v in x], rtol=1e-12, atol=0)


def test_nonconvex_prox_limits_and_special_values():
    x = np.array([-7.0, -2.5, -1.0, -0.4, 0.0, 0.3, 1.0, 1.7, 3.2, 9.0])
    # gamma -> infinity: soft thresholding; MCP as gamma -> 1: hard thresholding at lam
    np.testing.assert_allclose(prox_mcp(x, 1.0, 1e15), softshrink(x, 1.0), rtol=1e-14)
    np.testing.assert_allclose(prox_scad(x, 1.0, 1e15), softshrink(x, 1.0), rtol=1e-14)
    assert_bitwise_equal(prox_mcp(x, 1.0, 1 + 2**-52), hardshrink(x, 1.0))
    # lam = 0: the identity
    assert_bitwise_equal(prox_mcp(x, 0.0), x + 0.0)
    assert_bitwise_equal(prox_scad(x, 0.0), x + 0.0)
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e308, -1e308, 5e-324])
    for function in (prox_mcp, prox_scad):
        result = function(special, 1.0)
        assert np.isnan(result[0])
        assert_bitwise_equal(result[1:], np.array([np.inf, -np.inf, 0.0, 0.0, 1e308, -1e308, 0.0]))
        # gamma * lam overflows: large finite values are shrunk, never NaN or inf
        huge = function(np.array([1e308, -1.7e308]), 1e300, 1e10)
        assert np.all(np.isfinite(huge)) and np.all(np.abs(huge) <= [1e308, 1.7e308])
        # float32 in, float32 out: the float64 result rounded once
        x32 = (x * 0.77).astype(np.float32)
        assert_bitwise_equal(function(x32, 0.9), function(x32.astype(np.float64), 0.9).astype(
            np.float32))


def test_scalar_kernels_with_a_step():
    # the solvers' scalar kernels: prox of step * pen, with the breakpoints step lam,
    # (1 + step) lam (SCAD) and gamma lam, against the exact minimizer
    from sparserecover._prox_kernels import mcp_threshold, scad_threshold

    for step in (0.25, 1.0, 1.5):
        for x in (-5.0, -2.2, -0.9, 0.1, 0.5, 1.3, 2.4, 3.0, 4.6, 8.0):
            lam, gamma = Fraction(0.8), Fraction(3.7)
            mcp = [(low, high, step * c2, step * c1, step * c0)
                   for low, high, c2, c1, c0 in _mcp_pieces(lam, gamma)]
            scad = [(low, high, step * c2, step * c1, step * c0)
                    for low, high, c2, c1, c0 in _scad_pieces(lam, gamma)]
            np.testing.assert_allclose(mcp_threshold(x, 0.8, 3.7, step),
                                       float(_exact_prox(mcp, Fraction(x))), rtol=1e-15)
            np.testing.assert_allclose(scad_threshold(x, 0.8, 3.7, step),
                                       float(_exact_prox(scad, Fraction(x))), rtol=1e-15)


def _group_objective(z, x, t, labels):
    penalty = sum(np.linalg.norm(z[labels == g]) for g in np.unique(labels[labels >= 0]))
    return 0.5 * np.sum((z - x) ** 2) + t * penalty


@given(
    hnp.arrays(np.float64, 6, elements=st.floats(-10, 10)),
    st.floats(0.0, 20.0),
    st.lists(st.integers(-1, 2), min_size=6, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_prox_group_l2_is_a_minimizer(x, t, label_list, seed):
    labels = np.array(label_list)
    z = prox_group_l2(x, t, labels)
    best = _group_objective(z, x, t, labels)
    # convex objective: no random nearby point (nor 0 per group) does better
    directions = np.random.default_rng(seed).standard_normal((300, x.size))
    for step in (1e-1, 1e-3, 1e-6):
        for direction in directions[:100]:
            assert best <= _group_objective(z + step * direction, x, t, labels) + 1e-12
    for g in np.unique(labels[labels >= 0]):
        zeroed = z.copy()
        zeroed[labels == g] = 0
        assert best <= _group_objective(zeroed, x, t, labels) + 1e-12
    # unpenalized coordinates are returned unchanged
    np.testing.assert_array_equal(z[labels < 0], x[labels < 0])


def test_prox_group_l2_closed_form_formats_and_columns(rng):
    x = rng.standard_normal((7, 3))
    labels = np.array([5, 5, 9, 9, 9, -1, 2])
    result = prox_group_l2(x, 0.8, labels)
    for column in range(3):
        for g in (5, 9, 2):
            members = labels == g
            norm = np.linalg.norm(x[members, column])
            expected = x[members, column] * max(1 - 0.8 / norm, 0)
            np.testing.assert_allclose(result[members, column], expected, rtol=1e-15)
    np.testing.assert_array_equal(result[5], x[5])
    as_lists = prox_group_l2(x, 0.8, [[0, 1], [2, 3, 4], [6]])
    np.testing.assert_array_equal(as_lists, result)
    # singleton groups are soft thresholding; huge and tiny values do not overflow/underflow
    v = np.array([3.0, -0.2, 1e200, -1e-200, 0.0])
    np.testing.assert_allclose(prox_group_l2(v, 0.5, np.arange(5)), softshrink(v, 0.5))
    np.testing.assert_allclose(prox_group_l2(np.array([3e200, 4e200]), 1e200, [0, 0]),
                               [2.4e200, 3.2e200], rtol=1e-15)
    np.testing.assert_allclose(prox_group_l2(np.array([3e-200, 4e-200]), 1e-200, [0, 0]),
                               [2.4e-200, 3.2e-200], rtol=1e-15)
    nan_group = prox_group_l2(np.array([np.nan, 1.0, 5.0]), 0.5, [0, 0, 1])
    assert np.all(np.isnan(nan_group[:2])) and nan_group[2] == 4.5
    assert prox_group_l2(np.array([3.0, 4.0], np.float32), 1.0, [0, 0]).dtype == np.float32


def test_prox_l1_per_element_weights_and_complex(rng):
    x = rng.standard_normal((5, 4))
    weights = rng.uniform(0, 1, (5, 1))
    expected = np.sign(x) * np.maximum(np.abs(x) - weights, 0)
    np.testing.assert_array_equal(prox_l1(x, weights), expected)
    np.testing.assert_array_equal(prox_l1(x, np.full((5, 4), 0.3)), softshrink(x, 0.3))
    np.testing.assert_allclose(prox_l0(x, weights), np.where(x**2 > 2 * weights, x, 0))
    z = np.array([3 + 4j, -0.3j, 0j, 1e300 + 1e300j, np.inf + 0j], dtype=np.complex128)
    shrunk = prox_l1(z, 1.0)
    np.testing.assert_allclose(shrunk[:4], [2.4 + 3.2j, 0, 0, (1e300 + 1e300j) * (1 - 1 / np.abs(
        z[3]))], rtol=1e-15)
    assert shrunk[4] == np.inf
    np.testing.assert_array_equal(softshrink(z, 1.0), shrunk)
    assert softshrink(z[:3].astype(np.complex64), 1.0).dtype == np.complex64
    # complex with per-element weights, and modulus shrinkage equals the real one on reals
    np.testing.assert_allclose(prox_l1(x + 0j, weights).real, expected, rtol=1e-15)


@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 10), st.integers(1, 3)),
               elements=st.sampled_from([0.0, 1.0, -1.0, 2.0, -3.0, 0.5, 7.0])),
    st.data(),
)
def test_project_k_sparse_properties(x, data):
    k = data.draw(st.integers(0, x.shape[0]))
    z = project_k_sparse(x, k)
    np.testing.assert_array_equal(project_k_sparse(z, k), z)  # idempotent
    for column in range(x.shape[1]):
        kept = np.flatnonzero(z[:, column] != 0)
        assert kept.size <= k
        np.testing.assert_array_equal(z[kept, column], x[kept, column])
        # the brute-force projection: keep the first k of a stable sort by decreasing magnitude
        order = sorted(range(x.shape[0]), key=lambda i: (-abs(x[i, column]), i))[:k]
        expected = np.zeros(x.shape[0])
        expected[order] = x[order, column]
        np.testing.assert_array_equal(z[:, column], expected)
    np.testing.assert_array_equal(project_k_sparse(x[:, 0], k), z[:, 0])


def test_project_k_sparse_edges():
    x = np.array([1.0, np.nan, -5.0, 0.0])
    z = project_k_sparse(x, 1)
    assert np.isnan(z[1]) and np.all(z[[0, 2, 3]] == 0)  # NaN is never silently dropped
    assert_bitwise_equal(project_k_sparse(np.array([-1.0, 2.0]), 0), np.array([0.0, 0.0]))
    np.testing.assert_array_equal(project_k_sparse(x, 4), x)
    assert project_k_sparse(np.array([1, 2, 3]), 1).dtype == np.float64
    assert project_k_sparse(np.array([1 + 1j, 2j]), 1)[1] == 2j


# ---------------------------------------------------------------------------------------------
# one compiled loop for every size: an element gives the same bits alone, in a 0-d array and
# in a large array (the loop's vectorized body and its scalar remainder agree)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "function", "params"), ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_every_size_gives_the_same_bits(name, function, params, dtype, rng):
    x = special_and_random(dtype, LARGE, rng)
    large = function(x, *params)
    assert_bitwise_equal(function(x[:5], *params), large[:5])
    assert function(x[:0], *params).shape == (0,)
    for i in range(len(SPECIAL)):
        assert_bitwise_equal(function(x[i : i + 1], *params), large[i : i + 1])
        assert_bitwise_equal(np.asarray(function(x[i], *params)), large[i])


def test_soft_threshold_is_softshrink_on_one_number():
    # The scalar kernel that the solvers' compiled loops call.
    from sparserecover._prox_kernels import soft_threshold

    for dtype in (np.float32, np.float64):
        with np.errstate(over="ignore"):
            x = np.array([*SPECIAL, 0.49, -0.51, 7.0], dtype=dtype)
        for t in (0.0, 0.5, 3.0):
            # computed in dtype, returned as a Python float (exact for float32)
            values = [soft_threshold(v, dtype(t)) for v in x]
            assert_bitwise_equal(np.array(values, dtype=dtype), softshrink(x, t))


def test_importing_prox_does_not_import_numba():
    # Numba (0.2-0.5 s to import) loads on the first call, not on import; the kernels module
    # does not import its front.
    code = (
        "import sys, sparserecover.prox; print('numba' in sys.modules); "
        "del sys.modules['sparserecover.prox']; import sparserecover._prox_kernels; "
        "print('sparserecover.prox' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------------------------
# shapes, layouts, out=, aliasing, dtypes, input not modified


def _layouts(rng, dtype, n_rows):
    base = special_and_random(dtype, n_rows * 6 * 2, rng).reshape(n_rows, 6, 2)
    yield "C", base
    yield "F", np.asfortranarray(base)
    yield "transposed", base.transpose(1, 0, 2)
    yield "strided", base[::2, ::-1]
    yield "1-D strided", base.ravel()[::3]
    read_only = base.copy()
    read_only.flags.writeable = False
    yield "read-only", read_only


@pytest.mark.parametrize("n_rows", [3, 6000])  # one chunk, several chunks
@pytest.mark.parametrize(("name", "function", "params"), ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_layouts_out_and_aliasing(name, function, params, n_rows, rng):
    for label, x in _layouts(rng, np.float64, n_rows):
        original = x.copy()
        expected = function(np.ascontiguousarray(x), *params)
        result = function(x, *params)
        assert_bitwise_equal(result, expected)
        np.testing.assert_array_equal(bits(x), bits(original), err_msg=label)  # not modified
        out = np.full_like(x, 7.0, order="F")
        assert function(x, *params, out=out) is out
        assert_bitwise_equal(out, expected)
        strided_out = np.full((*x.shape, 2), 7.0)[..., 0]
        function(x, *params, out=strided_out)
        assert_bitwise_equal(strided_out, expected)
        in_place = x.copy()
        assert function(in_place, *params, out=in_place) is in_place
        assert_bitwise_equal(in_place, expected)


@pytest.mark.parametrize("n", [40, LARGE])
def test_overlapping_out_is_computed_from_the_original_input(n, rng):
    buffer = rng.standard_normal(n + 1)
    x, out = buffer[:-1], buffer[1:]
    expected = softshrink(x.copy(), 0.5)
    softshrink(x, 0.5, out=out)
    np.testing.assert_array_equal(buffer[1:], expected)
    buffer = rng.standard_normal(n + 1)
    x, out = buffer[1:], buffer[:-1]
    expected = tanhshrink(x.copy())
    tanhshrink(x, out=out)
    np.testing.assert_array_equal(buffer[:-1], expected)


@pytest.mark.parametrize(("name", "function", "params"), ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_dtypes_and_scalars(name, function, params):
    assert function(np.ones(3, np.float32), *params).dtype == np.float32
    assert function(np.ones(3, np.float16), *params).dtype == np.float32
    assert function(np.ones(3, np.int64), *params).dtype == np.float64
    assert function(np.ones(3, bool), *params).dtype == np.float64
    assert function([1, 2], *params).dtype == np.float64
    # 0-d input gives a NumPy scalar, like a ufunc; with out= the 0-d out array
    assert isinstance(function(0.75, *params), np.float64)
    assert isinstance(function(np.float32(0.75), *params), np.float32)
    assert isinstance(function(np.array(0.75), *params), np.float64)
    out = np.zeros(())
    assert function(np.array(0.75), *params, out=out) is out
    assert out == function(0.75, *params)
    assert function(np.zeros((0, 3)), *params).shape == (0, 3)


def test_prox_maps_out_and_input_not_modified(rng):
    x = rng.standard_normal((6, 2))
    original = x.copy()
    row_weights = np.array([[0.3], [0.0], [2.0], [0.1], [0.5], [1.0]])
    for function, args in [(prox_l1, (0.3,)), (prox_l0, (0.3,)), (prox_elastic_net, (0.3, 1.0)),
                           (prox_group_l2, (0.3, [0, 0, 1, 1, 2, 2])),
                           (project_k_sparse, (2,)), (prox_l1, (row_weights,)),
                           (prox_l0, (row_weights,)), (prox_elastic_net, (row_weights, 1.0)),
                           (prox_mcp, (0.3, 2.0)), (prox_scad, (0.3, 3.0))]:
        expected = function(x, *args)
        np.testing.assert_array_equal(x, original)
        out = np.empty_like(x)
        assert function(x, *args, out=out) is out
        np.testing.assert_array_equal(out, expected)
        in_place = x.copy()
        function(in_place, *args, out=in_place)
        np.testing.assert_array_equal(in_place, expected)
    assert isinstance(prox_elastic_net(2.0, 0.5, 1.0), np.float64)
    assert prox_elastic_net(2.0, 0.5, 1.0) == 1.5 / 1.5


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: softshrink([1.0], -0.1), ValueError, "lambd"),
    (lambda: hardshrink([1.0], -0.1), ValueError, "lambd"),
    (lambda: softshrink_grad([1.0], -0.1), ValueError, "lambd"),
    (lambda: softshrink([1.0], np.nan), ValueError, "lambd"),
    (lambda: softshrink(np.ones(2, np.float32), 1e39), ValueError, "lambd"),
    (lambda: softshrink([1.0], "0.5"), TypeError, "lambd"),
    (lambda: softshrink(["a", "b"]), TypeError, "x"),
    (lambda: tanhshrink(np.array([object()])), TypeError, "x"),
    (lambda: hardshrink([1j]), TypeError, "x"),
    (lambda: threshold([1.0], np.nan, 0.0), ValueError, "threshold"),
    (lambda: threshold([1.0], 0.0, "a"), TypeError, "value"),
    (lambda: softplus([1.0], beta=0.0), ValueError, "beta"),
    (lambda: softplus([1.0], beta=-1.0), ValueError, "beta"),
    (lambda: softplus_grad([1.0], threshold=np.nan), ValueError, "threshold"),
    (lambda: softshrink(np.ones(3), out=np.ones(4)), ValueError, "out"),
    (lambda: softshrink(np.ones(3), out=np.ones(3, np.float32)), TypeError, "out"),
    (lambda: softshrink(np.ones(3), out=[0.0, 0.0, 0.0]), TypeError, "out"),
    (lambda: prox_l1([1.0], -1.0), ValueError, "t"),
    (lambda: prox_l1([1.0, 2.0], [0.1, -0.1]), ValueError, "t"),
    (lambda: prox_l1([1.0, 2.0], [0.1, np.inf]), ValueError, "t"),
    (lambda: prox_l1([1.0, 2.0], [0.1, 0.2, 0.3]), ValueError, "t"),
    (lambda: prox_l1([1.0, 2.0], np.ones((2, 2))), ValueError, "t"),
    (lambda: prox_l0([1.0], -1.0), ValueError, "t"),
    (lambda: prox_elastic_net([1.0], 1.0, -1.0), ValueError, "l2"),
    (lambda: prox_group_l2([1.0, 2.0], 1.0, [0]), ValueError, "groups"),
    (lambda: prox_group_l2([1.0, 2.0], 1.0, [[0, 1], [1]]), ValueError, "overlaps"),
    (lambda: prox_group_l2([1.0, 2.0], 1.0, [[0, 2]]), ValueError, "outside"),
    (lambda: prox_group_l2([1.0, 2.0], 1.0, np.array([0.5, 1.5])), TypeError, "groups"),
    (lambda: prox_group_l2(np.ones((2, 2, 2)), 1.0, [0, 1]), ValueError, "x"),
    (lambda: prox_group_l2([1.0, 2.0], -1.0, [0, 1]), ValueError, "t"),
    (lambda: prox_mcp([1.0], -1.0), ValueError, "lam"),
    (lambda: prox_mcp([1.0], np.inf), ValueError, "lam"),
    (lambda: prox_mcp([1.0], 1.0, 1.0), ValueError, "gamma must be > 1"),
    (lambda: prox_mcp([1.0], 1.0, np.nan), ValueError, "gamma"),
    (lambda: prox_mcp([1.0], 1.0, "3"), TypeError, "gamma"),
    (lambda: prox_mcp([1j], 1.0), TypeError, "x"),
    (lambda: prox_scad([1.0], -1.0), ValueError, "lam"),
    (lambda: prox_scad([1.0], 1.0, 2.0), ValueError, "gamma must be > 2"),
    (lambda: prox_scad([1.0], 1.0, np.inf), ValueError, "gamma"),
    (lambda: prox_scad(np.ones(3), 1.0, out=np.ones(3, np.float32)), TypeError, "out"),
    (lambda: project_k_sparse([1.0, 2.0], 3), ValueError, "k"),
    (lambda: project_k_sparse([1.0, 2.0], -1), ValueError, "k"),
    (lambda: project_k_sparse([1.0, 2.0], 1.0), TypeError, "k"),
    (lambda: project_k_sparse([1.0, 2.0], True), TypeError, "k"),
    (lambda: project_k_sparse(np.ones((2, 2, 2)), 1), ValueError, "x"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("size", [0, 1, 5, 600, LARGE])
def test_complex_softshrink_against_long_double(dtype, size, rng):
    # The modulus comes from libm's hypot (correctly rounded on every one of 10^4 random values
    # checked against mpmath), so the result is within a few ulp of |z| of the exact one.
    real = special_and_random(np.float64, size, rng)
    imag = rng.permutation(real)
    z = np.empty(real.size, dtype=dtype)
    with np.errstate(over="ignore"):
        z.real, z.imag = real, imag  # not real + 1j * imag: inf * 1j has a NaN real part
    before = z.copy()
    result = softshrink(z, 0.5)
    assert result.dtype == dtype
    assert_bitwise_equal(z, before)  # the input is untouched
    assert_bitwise_equal(prox_l1(z, 0.5), result)
    assert_bitwise_equal(prox_l1(z, np.full(size, 0.5)), result)  # per-element weights
    for i in range(min(size, len(SPECIAL))):
        assert_bitwise_equal(softshrink(z[i : i + 1], 0.5), result[i : i + 1])

    modulus = np.abs(z.astype(np.clongdouble))
    nan = np.isnan(modulus)
    assert np.all(np.isnan(result[nan].real) & np.isnan(result[nan].imag))
    infinite = np.isinf(modulus)
    np.testing.assert_array_equal(result[infinite], z[infinite])  # scale 1: x is kept
    disc = modulus <= 0.5
    assert not bits(result[disc]).any()  # +0.0 in both parts
    ordinary = ~(nan | infinite | disc)
    z_long = z[ordinary].astype(np.clongdouble)
    expected = z_long * (1 - np.longdouble(0.5) / modulus[ordinary])
    error = np.abs(result[ordinary].astype(np.clongdouble) - expected) / modulus[ordinary]
    assert error.max(initial=0) <= 4 * np.finfo(z.real.dtype).eps


def test_complex_softshrink_in_place(rng):
    z = (rng.standard_normal(LARGE) + 1j * rng.standard_normal(LARGE)).astype(np.complex128)
    expected = softshrink(z, 0.3)
    result = softshrink(z, 0.3, out=z)
    assert result is z
    assert_bitwise_equal(z, expected)


def test_prox_l1_weights_that_do_not_broadcast_name_t():
    with pytest.raises(ValueError, match=r"t of shape \(3,\) does not broadcast"):
        prox_l1(np.ones(5), np.ones(3))
