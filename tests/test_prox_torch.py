"""sparserecover.prox against torch.nn.functional and torch autograd, element by element.

torch is not a dependency: the module is skipped when it is not installed.

torch's CPU kernels run a vectorized loop over blocks of ``2 * Vectorized<T>::size()`` elements
and a scalar loop over the remainder, and the two disagree on a few signed zeros (softshrink
of -0.0 and of negative in-band values) and on the derivative at NaN (softshrink/hardshrink).
We follow the vectorized loop, so torch is given a multiple of 64 elements, which makes it use
that loop for every element (our arrays of 0, 1 or 5 elements are compared with slices of its
result); ``test_torch_scalar_tail_differs_from_its_vector_loop`` records the disagreement.
"""

import numpy as np
import pytest

from sparserecover import prox

torch = pytest.importorskip("torch")
F = torch.nn.functional

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 0.3, -0.3, 2.0, -2.0, 3.0, -3.0]
SPECIAL += [1e-30, -1e-30, 1e-300, -5e-324, 20.0, 19.99, 20.000000000000004, 10.0, 1.5, -1.5]
SPECIAL += [0.7, 1.0, -1.0, 1e300, -1e300, 88.8, -88.8, 710.0, -710.0, 0.1, -0.1, 0.25, 1 / 3]


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def values(dtype, seed=0, size=64 * 40):
    rng = np.random.default_rng(seed)
    scales = rng.choice([1e-30, 1e-6, 1e-3, 0.1, 0.5, 1.0, 3.0, 30.0, 1e4], size)
    random = rng.standard_normal(size) * scales
    with np.errstate(over="ignore"):
        x = np.concatenate([SPECIAL, random])[:size].astype(dtype)
    assert x.size % 64 == 0
    return x


def torch_value_and_grad(function, x, *params):
    """torch's forward value and autograd derivative (d/dx of the elementwise function)."""
    tensor = torch.tensor(x, requires_grad=True)
    output = function(tensor, *params)
    output.backward(torch.ones_like(output))
    return output.detach().numpy(), tensor.grad.numpy()


def assert_same_elements(ours, theirs):
    """Bitwise equal, signed zeros included; NaN matches NaN (torch may flip a NaN's sign)."""
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    nan = np.isnan(theirs)
    np.testing.assert_array_equal(np.isnan(ours), nan)
    mismatch = ours[~nan].view(np.uint8) != theirs[~nan].view(np.uint8)
    assert not mismatch.any(), (ours[~nan], theirs[~nan])


def assert_close_elements(ours, theirs, max_ulp):
    """Within ``max_ulp`` units in the last place (the spacing at 0 is the smallest subnormal);
    NaN and infinities exactly; zeros in both with the same sign."""
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    nan = np.isnan(theirs)
    np.testing.assert_array_equal(np.isnan(ours), nan)
    infinite = np.isinf(theirs)
    np.testing.assert_array_equal(ours[infinite], theirs[infinite])
    finite = ~nan & ~infinite
    ulp = np.spacing(np.abs(theirs[finite]))
    error = np.abs(ours[finite].astype(np.float64) - theirs[finite]) / ulp
    assert error.max(initial=0) <= max_ulp, (theirs[finite][error.argmax()], error.max())
    both_zero = (ours == 0) & (theirs == 0)
    np.testing.assert_array_equal(np.signbit(ours[both_zero]), np.signbit(theirs[both_zero]))


DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lambd", [0.5, 0.0, 0.3, 0.1, 2.0])
@pytest.mark.parametrize("size", [64 * 40, 2**16 + 64 * 4])
def test_softshrink_and_hardshrink(dtype, lambd, size):
    x = values(dtype, size=size)
    for ours, theirs, ours_grad in [
        (prox.softshrink, F.softshrink, prox.softshrink_grad),
        (prox.hardshrink, F.hardshrink, prox.hardshrink_grad),
    ]:
        value, grad = torch_value_and_grad(theirs, x, lambd)
        assert_same_elements(ours(x, lambd), value)
        assert_same_elements(ours_grad(x, lambd), grad)
    # the proximal maps built on them, with a scalar and with per-element weights
    value, _ = torch_value_and_grad(F.softshrink, x, lambd)
    assert_same_elements(prox.prox_l1(x, lambd), value)
    assert_same_elements(prox.prox_l1(x, np.full(x.shape, lambd)), value)
    t = lambd**2 / 2  # sqrt(2 t) == lambd
    value, _ = torch_value_and_grad(F.hardshrink, x, float(np.sqrt(2 * t)))
    assert_same_elements(prox.prox_l0(x, t), value)
    assert_same_elements(prox.prox_l0(x, np.full(x.shape, t)), value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tiny_arrays_and_scalars(dtype):
    # 0, 1 and 5 elements, and 0-d, run the same compiled loops as large arrays: compared with
    # slices of torch's result on 64 elements (its vectorized loop), element by element.
    x = values(dtype, size=64)
    pieces = [slice(start, start + size) for start in range(len(SPECIAL)) for size in (0, 1, 5)]
    exact = [
        (prox.softshrink, prox.softshrink_grad, F.softshrink, (0.5,)),
        (prox.hardshrink, prox.hardshrink_grad, F.hardshrink, (0.3,)),
        (prox.threshold, prox.threshold_grad, F.threshold, (0.1, -0.0)),
    ]
    for ours, ours_grad, theirs, params in exact:
        value, grad = torch_value_and_grad(theirs, x, *params)
        for piece in pieces:
            assert_same_elements(ours(x[piece], *params), value[piece])
            assert_same_elements(ours_grad(x[piece], *params), grad[piece])
        for i in range(len(SPECIAL)):
            assert_same_elements(np.asarray(ours(x[i], *params)), np.asarray(value[i]))
    value, grad = torch_value_and_grad(F.softplus, x, 2.0, 3.0)
    for piece in pieces:
        assert_close_elements(prox.softplus(x[piece], 2.0, 3.0), value[piece], max_ulp=4)
        assert_close_elements(prox.softplus_grad(x[piece], 2.0, 3.0), grad[piece], max_ulp=4)
    value, _ = torch_value_and_grad(F.tanhshrink, x)
    accurate = ~(np.abs(x) < 1.5) | (x == 0)  # see test_tanhshrink
    for piece in pieces:
        keep = accurate[piece]
        assert_close_elements(prox.tanhshrink(x[piece])[keep], value[piece][keep], max_ulp=4)


def torch_per_element(function, x, lambd):
    """torch's function(x_i, lambd_i) for every element: one call per distinct lambd."""
    lambd = np.broadcast_to(lambd, x.shape)
    result = np.empty_like(x)
    for value in np.unique(lambd):
        chosen = lambd == value
        result[chosen] = torch_value_and_grad(function, x, float(value))[0][chosen]
    return result


@pytest.mark.parametrize("dtype", DTYPES)
def test_per_element_weights(dtype):
    # prox_l1 / prox_l0 with weights: element i is torch's softshrink / hardshrink with lambd_i
    x = values(dtype, size=64 * 10).reshape(64, 10)
    levels = np.array([0.0, 0.1, 0.3, 0.5, 2.0, 1e-30, 1 / 3])
    for t in (levels[np.arange(x.size) % 7].reshape(x.shape), levels[np.arange(64) % 7, None]):
        soft = torch_per_element(F.softshrink, x, t.astype(dtype))
        assert_same_elements(prox.prox_l1(x, t), soft)
        assert_same_elements(prox.prox_l1(np.asfortranarray(x), t), soft)
        # sqrt(2 t) in float64, then rounded to x's dtype, as prox_l0 documents
        hard = torch_per_element(F.hardshrink, x, np.sqrt(2 * t).astype(dtype))
        assert_same_elements(prox.prox_l0(x, t), hard)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("threshold", "value"),
    [(0.5, -7.0), (0.1, 20.0), (0.0, -0.0), (-1.0, 0.0), (2.0, np.inf), (0.3, np.nan)],
)
@pytest.mark.parametrize("size", [64 * 40, 2**16 + 64 * 4])
def test_threshold(dtype, threshold, value, size):
    x = values(dtype, size=size)
    expected, grad = torch_value_and_grad(F.threshold, x, threshold, value)
    assert_same_elements(prox.threshold(x, threshold, value), expected)
    assert_same_elements(prox.threshold_grad(x, threshold, value), grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [64 * 40, 2**16 + 64 * 4])
def test_tanhshrink(dtype, size):
    x = values(dtype, size=size)
    expected, grad = torch_value_and_grad(F.tanhshrink, x)
    ours = prox.tanhshrink(x)
    # torch's x - tanh(x) is accurate where tanh(x) does not cancel against x: |x| >= 1.5,
    # where it is within 1.5 ulp of the truth and we within 1 (float32) or 4 (float64)
    accurate = ~(np.abs(x) < 1.5)
    assert_close_elements(ours[accurate], expected[accurate], max_ulp=4)
    # below, torch loses digits (all of them for tiny x) and we do not
    tiny = (np.abs(x) < 1e-3) & (x != 0)
    with np.errstate(under="ignore", over="ignore"):
        series = x.astype(np.float64) ** 3 / 3 * (1 - 0.4 * x.astype(np.float64) ** 2)
    np.testing.assert_allclose(ours[tiny], series[tiny].astype(dtype), rtol=4e-7, atol=0)
    assert np.count_nonzero(expected[tiny]) < np.count_nonzero(ours[tiny])
    # zeros: +0.0 for -0.0 too, as torch
    zero = x == 0
    assert_same_elements(ours[zero], expected[zero])
    # torch's derivative is 1 - (1 - tanh(x)**2), which cancels for small |x| (0 for tiny x);
    # ours is tanh(x)**2. Where torch's does not cancel, the two agree within 4 ulp.
    ours_grad = prox.tanhshrink_grad(x)
    large = ~(np.abs(x) < 0.5)
    assert_close_elements(ours_grad[large], grad[large], max_ulp=4)
    with np.errstate(under="ignore"):
        square = (x[tiny].astype(np.float64) ** 2).astype(dtype)
    np.testing.assert_allclose(ours_grad[tiny], square, rtol=2e-6, atol=0)
    assert np.count_nonzero(grad[tiny]) < np.count_nonzero(ours_grad[tiny])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("beta", "threshold"), [(1.0, 20.0), (2.0, 1.0), (1 / 3, 10 / 3), (0.5, 3)]
)
@pytest.mark.parametrize("size", [64 * 40, 2**16 + 64 * 4])
def test_softplus(dtype, beta, threshold, size):
    x = values(dtype, size=size)
    expected, grad = torch_value_and_grad(F.softplus, x, beta, threshold)
    ours = prox.softplus(x, beta, threshold)
    # the linear branch (beta * x > threshold, in x's dtype) is chosen at the same elements
    with np.errstate(over="ignore"):
        linear = x * dtype(beta) > dtype(threshold)
    assert_same_elements(ours[linear], x[linear])
    assert_same_elements(expected[linear], x[linear])
    # the smooth branch: both round an exp and a log1p (different formulas and libraries)
    assert_close_elements(ours, expected, max_ulp=4)
    assert_close_elements(prox.softplus_grad(x, beta, threshold), grad, max_ulp=4)


def test_softplus_where_torch_overflows():
    # A threshold above log(max float) leaves huge beta * x on torch's log1p(exp(beta x))
    # branch, which overflows to inf (and its derivative z / (z + 1) to NaN). Ours is finite.
    x = np.array([1000.0, 50.0, -1000.0] * 64)
    expected, grad = torch_value_and_grad(F.softplus, x, 1.0, 1e4)
    assert np.isinf(expected[0]) and np.isnan(grad[0])
    np.testing.assert_array_equal(prox.softplus(x, threshold=1e4)[:3], [1000.0, 50.0, 0.0])
    np.testing.assert_array_equal(prox.softplus_grad(x, threshold=1e4)[:3], [1.0, 1.0, 0.0])
    assert_close_elements(prox.softplus(x, threshold=1e4)[1:3], expected[1:3], max_ulp=1)


def test_parameters_rounded_to_float32_as_torch():
    x = np.float32([0.1, 0.2, -0.1, 10.0] * 16)
    for ours, theirs, params in [
        (prox.softshrink, F.softshrink, (0.1,)),
        (prox.hardshrink, F.hardshrink, (0.1,)),
        (prox.threshold, F.threshold, (0.1, 5.0)),
    ]:
        expected, _ = torch_value_and_grad(theirs, x, *params)
        assert_same_elements(ours(x, *params), expected)
    # float32(10) * float32(1/3) > float32(10/3): linear in float32 (not in float64)
    expected, _ = torch_value_and_grad(F.softplus, x, 1 / 3, 10 / 3)
    assert_same_elements(expected[3::4], x[3::4])
    assert_same_elements(prox.softplus(x, 1 / 3, 10 / 3)[3::4], x[3::4])
    assert_close_elements(prox.softplus(x, 1 / 3, 10 / 3), expected, max_ulp=4)


def test_torch_scalar_tail_differs_from_its_vector_loop():
    # Documented inconsistency, not ours: on a single element torch runs its scalar loop, which
    # gives -0.0 for negative in-band x, and derivative 1 at NaN in float32.
    single = torch.tensor([-0.3], dtype=torch.float64)
    block = torch.tensor([-0.3] * 64, dtype=torch.float64)
    assert np.signbit(F.softshrink(single, 0.5).numpy()[0])
    assert not np.signbit(F.softshrink(block, 0.5).numpy()[0])
    assert not np.signbit(prox.softshrink(np.array([-0.3]), 0.5)[0])  # ours: the vector loop
    # torch accepts a negative lambd in hardshrink (and returns x); we reject it, as torch's own
    # softshrink does
    x = torch.tensor([1.0, -1.0, 0.0])
    np.testing.assert_array_equal(F.hardshrink(x, -1.0).numpy(), x.numpy())
    with pytest.raises(RuntimeError):
        F.softshrink(x, -1.0)
    with pytest.raises(ValueError, match="lambd"):
        prox.hardshrink(x.numpy(), -1.0)
