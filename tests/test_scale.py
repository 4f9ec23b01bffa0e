"""Scale: the solvers, estimators and spectral filters across the float64 range.

Scaling data by a power of two is exact, and so is the math's equivariance: the same problem
at 2^-1000 or 2^1000 must give the same bits, scaled back. Where float64 cannot hold an answer
(an objective beyond 1.8e308, a learning rate 1/s^2 beyond it, a step above the stable bound)
the error says so. The bad-input suite (test_bad_input.py) covers every public function at
decimal scales; this file pins the issues found by hand.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sparserecover as sr
from sparserecover import spectral

# (exponent of A, exponent of y): beyond 2^+-128 the solvers scale; within, they do not
SCALES = [(0, 0), (3, -2), (-1000, 0), (1000, 0), (0, -1000), (0, 500), (600, -300), (-900, 0)]


@pytest.fixture
def problem(rng):
    A = rng.standard_normal((20, 30))
    x = np.zeros(30)
    x[[1, 5, 9]] = [1.0, -2.0, 3.0]
    return A, A @ x + 0.01 * rng.standard_normal(20)


@pytest.mark.parametrize("solver", ["fista", "ista", "coordinate_descent"])
def test_lasso_solvers_give_the_same_bits_at_every_scale(problem, solver):
    A, y = problem
    function = getattr(sr, solver)
    expected = function(A, y, 0.5)
    for a, b in SCALES:
        result = function(np.ldexp(A, a), np.ldexp(y, b), np.ldexp(0.5, a + b))
        np.testing.assert_array_equal(np.ldexp(result.x, a - b), expected.x, err_msg=(a, b))
        assert result.converged
        # the objective scales with y^2 (the gap too), rounded where it leaves the range
        assert result.objective == np.ldexp(expected.objective, 2 * b)


def test_iht_and_the_path_give_the_same_bits_at_every_scale(problem):
    A, y = problem
    x = sr.iht(A, y, 3).x
    lams, coefs, _ = sr.lasso_path(A, y, n_lams=5)
    for a, b in SCALES:
        scaled_A, scaled_y = np.ldexp(A, a), np.ldexp(y, b)
        np.testing.assert_array_equal(np.ldexp(sr.iht(scaled_A, scaled_y, 3).x, a - b), x)
        scaled_lams, scaled_coefs, _ = sr.lasso_path(scaled_A, scaled_y, n_lams=5)
        # the grid is logspace(log10(...)): its rounding, not the data's scale, moves it
        np.testing.assert_allclose(np.ldexp(scaled_lams, -a - b), lams, rtol=1e-13)
        np.testing.assert_allclose(np.ldexp(scaled_coefs, a - b), coefs, rtol=1e-9,
                                   atol=1e-12 * np.abs(coefs).max())


def test_tiny_data_are_not_taken_for_a_zero_solution(problem):
    # ||y||^2 underflows at 1e-200: the relative gap of x = 0 was 0 / 0, "converged"
    A, y = problem
    expected = sr.fista(A, y, 0.5).x
    result = sr.fista(A, y * 1e-200, 0.5e-200)
    np.testing.assert_allclose(result.x * 1e200, expected, rtol=1e-9)


def test_an_objective_beyond_float64_is_refused(problem):
    A, y = problem
    with pytest.raises(ValueError, match=r"y is too large: \|\|y\|\|\^2 overflows"):
        sr.fista(A, y * 1e200, 0.5e200)
    with pytest.raises(ValueError, match="solution overflows"):
        sr.coordinate_descent(A * 1e-300, y * 1e100, 0.5e-200)


def test_a_column_of_1e300_gives_finite_numbers_and_says_it_did_not_converge(problem):
    # coordinate descent iterated on NaN (the column's squared norm overflowed); a penalty of
    # 0.5 on a column of 1e300 is 1e-300 relative to it, which no float64 gap certifies
    A, y = problem
    A = A.copy()
    A[:, 0] *= 1e300
    for solver in (sr.coordinate_descent, sr.fista):
        # max_iter runs out, or (coordinate descent) the gap stops decreasing first
        with pytest.warns(ConvergenceWarning, match="did not converge|stopped decreasing"):
            result = solver(A, y, 0.5, max_iter=300)
        assert np.all(np.isfinite(result.x)) and np.isfinite(result.gap)
        assert not result.converged
    with pytest.raises(ValueError, match=r"l2=.* has no equivalent"):
        sr.coordinate_descent(A, y, 0.5, l2=1.0)


@pytest.mark.parametrize("solver", ["fista", "ista"])
def test_a_constant_step_above_the_stable_bound_is_refused(problem, solver):
    A, y = problem
    function = getattr(sr, solver)
    with pytest.raises(ValueError, match=r"step=1e\+10 is above the stable bound"):
        function(A, y, 0.5, step=1e10)
    bound = 1.0 / np.linalg.norm(A, 2) ** 2
    assert function(A, y, 0.5, step=bound).converged  # the exact bound itself is accepted
    assert function(A, y, 0.5, step=1e10, backtracking=True).converged  # a start, halved


def test_spectral_masks_need_no_1_over_s_max_squared():
    s = np.array([3.0, 1.0, 0.3, 0.1])
    mask = spectral.gd_mask(s, None, 50)
    components = spectral.n_iter_for_components(s, 3)
    for exponent in (-1000, -500, 500, 1000):
        scaled = np.ldexp(s, exponent)
        np.testing.assert_array_equal(spectral.gd_mask(scaled, None, 50), mask)
        assert spectral.n_iter_for_components(scaled, 3) == components
        assert spectral.active_components(scaled, None, 50) == np.count_nonzero(
            mask >= spectral.DEFAULT_MASK_THRESHOLD)


def test_spectral_regressors_at_extreme_scales(problem):
    A, y = problem
    model = sr.SpectralRegressor().fit(A, y)
    # a design of 1e200: 1 / s_max^2 (the default learning rate) is not a float64
    with pytest.raises(ValueError, match="default learning rate 1 / s_max"):
        sr.SpectralRegressor().fit(A * 1e200, y)
    ridge = sr.SpectralRegressor(regularization="ridge", alpha=1.0).fit(A, y)
    for c in (1e-100, 1e100):  # ridge with alpha in the units of s^2 is equivariant
        scaled = sr.SpectralRegressor(regularization="ridge", alpha=c * c).fit(A * c, y)
        np.testing.assert_allclose(scaled.coef_ * c, ridge.coef_, rtol=1e-12)
    np.testing.assert_allclose(sr.SpectralRegressor().fit(A, y * 1e300).coef_ / 1e300,
                               model.coef_, rtol=1e-12)
    # cross-validation scores y in scaled units: tiny y is not "all errors 0"
    cv = sr.SpectralRegressorCV().fit(A, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny = sr.SpectralRegressorCV().fit(A, y * 1e-300)
    assert tiny.n_iter_ == cv.n_iter_
    np.testing.assert_allclose(tiny.coef_ * 1e300, cv.coef_, rtol=1e-12)
