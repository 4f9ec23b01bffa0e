"""Bad and extreme input, table-driven over the public API and the command line.

Every public function, estimator and CLI subcommand (:data:`TARGETS`) meets every applicable
case (:func:`cases`): NaN and infinities, empty, 0-D and one-more-dimension arrays; lists,
booleans, integers, float16/float32, object, string and complex dtypes; read-only, strided and
Fortran-ordered views; every scipy.sparse format; pandas objects; the data scaled by 1e-300 to
1e300 (with the parameters that keep the problem the same); and extreme parameters. Each case
must end in one of two ways:

- a correct answer: the float64 answer on the same values (dense, contiguous; for a scaled
  case, the answer on the unscaled data, scaled back), in the dtype the contract promises, and
  finite where the input is;
- a clear error: a ValueError or TypeError (or their subclasses: scikit-learn's parameter
  errors, the command line's one-line errors) whose message names the offending argument.

In every case no input is modified. Anything else (another exception, an error that names no
argument, a wrong or non-finite answer, a modified input) is a defect; the counts are printed
at the end of the module (``pytest -rA tests/test_bad_input.py`` or ``-s``).
"""

import contextlib
import io
import math
import pickle
import re
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.sparse.linalg import aslinearoperator
from sklearn.exceptions import ConvergenceWarning

import sparserecover as sr
from sparserecover import operators, spectral
from sparserecover.network import finite_difference_matrix, spline_smoothing

# --- the good inputs: small, so that the ~1,500 cases run in seconds ------------------------

_rng = np.random.default_rng(20240518)
VECTOR = np.array([-2.5, -1.2, -0.5, -0.3, 0.0, 0.2, 0.5, 0.7, 1.0, 1.9, 3.0, -4.0])
MATRIX = _rng.standard_normal((6, 4))
A = _rng.standard_normal((10, 16))
X_TRUE = np.zeros(16)
X_TRUE[[1, 6, 11]] = [2.0, -1.5, 1.0]
Y = A @ X_TRUE + 0.05 * _rng.standard_normal(10)
SINGULAR = np.array([3.0, 1.5, 0.8, 0.3, 0.05])
SIGNAL = np.sin(np.linspace(0, 6, 64)) + 0.1 * _rng.standard_normal(64)
X_FEATURE = np.linspace(-1.0, 1.0, 12)[:, None]
Y_FEATURE = np.sin(3 * X_FEATURE[:, 0])
GRID = np.linspace(0.0, 1.0, 9)

SCALES = (1e-300, 1e-200, 1e-100, 1e100, 1e200, 1e300)
# The dense formats of one value; every sparse format scipy has, matrix and array
SPARSE = ("csr", "csc", "coo", "lil", "dok", "bsr", "dia", "csr_array")


# --- the table -------------------------------------------------------------------------------


@dataclass
class Target:
    """A public callable as the suite drives it.

    ``call(**args)`` returns an array or a tuple of arrays (the parts of the answer compared);
    ``data`` names the array arguments that the cases perturb, with the words an error about
    each may use to name it (``names``); ``scale[name]`` maps ``(args, c)`` to the arguments of
    the same problem with ``args[name]`` multiplied by ``c``, and ``back[name]`` maps that
    problem's answer back to the unscaled one. ``elementwise`` targets also answer NaN, inf,
    empty, 0-D and higher-dimensional input, element by element; ``accepts`` maps other such
    cases to their expected answer, a function of the unperturbed answer and the case's
    arguments. ``params`` are extreme parameter
    cases: (label, overrides, expected) with expected a function of the unperturbed answer,
    or None for a clear error naming the first overridden parameter.
    """

    name: str
    call: object
    args: dict
    data: dict
    scale: dict = field(default_factory=dict)
    back: dict = field(default_factory=dict)
    elementwise: bool = False
    accepts: dict = field(default_factory=dict)
    params: list = field(default_factory=list)
    rtol: float = 1e-12  # float64 agreement with the reference
    rtol32: float = 1e-5  # float32 (and float16) results against the float64 reference
    keeps_float32: bool = True  # float32 data give float32 answers
    matrix: tuple = ()  # data arguments that may be sparse matrices
    linear_operator: tuple = ()  # ... or LinearOperators
    complex_ok: bool = False  # complex data of zero imaginary part: the real answer
    file_args: tuple = ()  # CLI: data written to files (no in-memory representations)
    column_reference: object = None  # see _check_column_case


def _one_target(out, args):
    """An estimator's answer for y of shape (n, 1): one target, in scikit-learn's 2-D shapes."""
    return (out[0][None], np.atleast_1d(out[1]))


def _column_invariant(target, args, c):
    """The answer of a target whose coefficients follow the scale of their column (iht): the
    unperturbed one, its first coefficient divided by c."""
    out = target.call(**target.args)
    return _map(out, lambda a: _first_coefficient_divided(a, c))


def _first_coefficient_divided(a, c):
    a = np.array(a, dtype=np.float64)
    if a.ndim:  # x, or coef_ in scikit-learn's shape (not the intercept)
        a[..., 0] /= c
    return a


def _column_dropped(target, args, c):
    """For c = 1e-300, the answer without the column (numerically 0 next to the others: its
    singular value for a spectral filter, its square for a norm)."""
    if c > 1:
        return None
    name = next(name for name in target.data if np.ndim(args[name]) == 2)
    value = np.array(args[name], dtype=np.float64)
    value[:, 0] = 0.0
    return target.call(**{**args, name: value})


def zeros_like_answer(out):
    return _map(out, np.zeros_like)


def _map(out, f):
    if isinstance(out, tuple):
        return tuple(_map(o, f) for o in out)
    return f(np.asarray(out))


_RECORD_CONVERGENCE = []  # non-empty: _strict lets ConvergenceWarnings through


@contextlib.contextmanager
def _strict(*data):
    """Turn ConvergenceWarnings into errors, for float64 data (float32 iterates may stop above
    a tight tolerance, with a warning; their answers are compared at float32 precision)."""
    if _RECORD_CONVERGENCE:
        yield
        return
    low = any(getattr(d, "dtype", None) in (np.float16, np.float32) for d in data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore" if low else "error", ConvergenceWarning)
        yield


def _solver(function, **fixed):
    def call(A, y, lam, **options):
        with _strict(A, y):
            return function(A, y, lam, **fixed, **options).x

    return call


def _scale_A(args, c):
    return {**args, "A": args["A"] * c, "lam": args["lam"] * c}


def _scale_y(args, c):
    return {**args, "y": args["y"] * c, "lam": args["lam"] * c}


def _lasso_path(A, y, **options):
    with _strict(A, y):
        lams, coefs, _ = sr.lasso_path(A, y, n_lams=4, eps=0.05, tol=1e-12, **options)
    return lams, coefs


def _iht(A, y, n_nonzero, **options):
    return sr.iht(A, y, n_nonzero, **options).x


def _estimator(cls, output="coef", **fixed):
    def call(X, y, **params):
        with _strict(X, y):
            model = cls(**fixed, **params).fit(X, y)
        if output == "predict":
            return model.predict(X)
        if output == "transform":
            return model.transform(X)
        return np.asarray(model.coef_), np.asarray(model.intercept_)

    return call


def _scaled_params(args, c, **powers):
    return {**args, **{name: args[name] * _power(c, power) for name, power in powers.items()}}


def _power(c, power):
    try:
        return c**power
    except OverflowError:
        return math.inf


def _cli_solve(A, y, lam, **options):
    return _run_cli(["solve", "{A}", "{y}", "--lam", repr(lam), "-o", "{out}.npy",
                     "--tol", "1e-12"], {"A": A, "y": y})


def _cli_denoise(signal, **options):
    return _run_cli(["denoise", "{signal}", "-o", "{out}.npy"], {"signal": signal})


class CommandLineError(ValueError):
    """The command line's one-line error (exit status 1 or 2), as raised by the helpers."""


def _run_cli(argv, files):
    """Run ``sparserecover`` in this process on files holding ``files``; return the output."""
    from sparserecover.cli import main

    with tempfile.TemporaryDirectory() as folder:
        names = {"out": str(Path(folder) / "out")}
        for name, value in files.items():
            if scipy.sparse.issparse(value):
                path = Path(folder) / f"{name}.npz"
                scipy.sparse.save_npz(path, value)
            else:
                path = Path(folder) / f"{name}.npy"
                np.save(path, np.asarray(value), allow_pickle=True)
            names[name] = str(path)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main([part.format(**names) for part in argv])
        lines = stderr.getvalue().strip().splitlines()
        errors = [line for line in lines if ": error: " in line]
        if status in (1, 2, 3) and len(errors) == 1 and "Traceback" not in stderr.getvalue():
            raise CommandLineError(errors[0].replace(folder + "/", ""))
        if status != 0:
            raise RuntimeError(f"exit status {status}: {stderr.getvalue()}")
        return np.load(names["out"] + ".npy")


def _group_reference(out, args):
    """Block soft thresholding, group by group and column by column, from the definition:
    NaN in a group makes its norm (and so the group) NaN; inf makes it inf (factor 1)."""
    x, t, labels = np.asarray(args["x"], dtype=np.float64), args["t"], args["groups"]
    result = x.copy()
    for label in np.unique(labels):
        rows = labels == label
        for column in range(x.shape[1]):
            block = x[rows, column]
            largest = np.max(np.abs(block))
            norm = largest * np.sqrt(np.sum((block / largest) ** 2)) if (
                np.all(np.isfinite(block)) and largest > 0) else (
                np.nan if np.any(np.isnan(block)) else np.inf if largest > 0 else 0.0)
            factor = 1 - t / norm if norm > t else (0.0 if norm <= t else np.nan)
            result[rows, column] = block * factor + 0.0
    return result


def _project_reference(out, args):
    """The k largest magnitudes of each column (NaN the largest), ties to the lower index."""
    x, k = np.asarray(args["x"], dtype=np.float64), args["k"]
    flat = x.reshape(x.shape[0], -1)
    result = np.zeros_like(flat)
    for column in range(flat.shape[1]):
        magnitude = np.where(np.isnan(flat[:, column]), np.inf, np.abs(flat[:, column]))
        keep = np.argsort(-magnitude, kind="stable")[:k]
        result[keep, column] = flat[keep, column]
    return result.reshape(x.shape)


# Closed forms (DESIGN.md's definitions) for extreme parameters, and which values each
# parameter takes: ">=0", ">0" (finite), "not NaN", "any" (NaN too, as torch)
def _softplus(x, beta, threshold):
    with np.errstate(over="ignore"):
        return np.where(beta * x > threshold, x, np.logaddexp(0.0, beta * x) / beta)


def _softplus_grad(x, beta, threshold):
    from scipy.special import expit

    return np.where(beta * x > threshold, 1.0, expit(beta * x))


ORACLES = {
    "softshrink": (lambda x, lambd: np.sign(x) * np.maximum(np.abs(x) - lambd, 0) + 0.0,
                   {"lambd": ">=0"}),
    "hardshrink": (lambda x, lambd: np.where(np.abs(x) > lambd, x, 0.0), {"lambd": ">=0"}),
    "threshold": (lambda x, threshold, value: np.where(x > threshold, x, value),
                  {"threshold": "not NaN", "value": "any"}),
    "softplus": (_softplus, {"beta": ">0", "threshold": "not NaN"}),
    "softshrink_grad": (lambda x, lambd: (np.abs(x) > lambd) * 1.0, {"lambd": ">=0"}),
    "hardshrink_grad": (lambda x, lambd: (np.abs(x) > lambd) * 1.0, {"lambd": ">=0"}),
    "threshold_grad": (lambda x, threshold, value: (x > threshold) * 1.0,
                       {"threshold": "not NaN", "value": "any"}),
    "softplus_grad": (_softplus_grad, {"beta": ">0", "threshold": "not NaN"}),
    "prox_l1": (lambda x, t: np.sign(x) * np.maximum(np.abs(x) - t, 0) + 0.0, {"t": ">=0"}),
    "prox_l0": (lambda x, t: np.where(x * x / 2 > t, x, 0.0), {"t": ">=0"}),
    "prox_elastic_net": (lambda x, t, l2: np.sign(x) * np.maximum(np.abs(x) - t, 0)
                         / (1 + t * l2) + 0.0, {"t": ">=0", "l2": ">=0"}),
}
EXTREMES = (0.0, 1e-300, 1e300, -1e300, np.inf, np.nan, "1", True)


def _parameter_cases(name, params):
    """(label, overrides, expected) for every parameter of an elementwise target at every
    extreme value: the closed form where the value is allowed, else a clear error."""
    oracle, kinds = ORACLES[name]
    cases = []
    for param, kind in kinds.items():
        for value in EXTREMES:
            if isinstance(value, (str, bool)):
                allowed = False
            elif kind in ("any", "not NaN"):
                allowed = kind == "any" or not np.isnan(value)
            else:
                allowed = np.isfinite(value) and (value > 0 or (kind == ">=0" and value == 0))
            expected = None
            if allowed:
                def expected(out, param=param, value=value):
                    return oracle(VECTOR, **{**params, param: value})
            cases.append((f"{param}={value!r}", {param: value}, expected))
    return cases


def _elementwise(name, function, **params):
    return Target(name, lambda x, **p: function(x, **p), {"x": VECTOR, **params},
                  {"x": ("x",)}, elementwise=True,
                  complex_ok=name in ("softshrink", "prox_l1", "prox_elastic_net"),
                  params=_parameter_cases(name, params) if name in ORACLES else [])


def _homogeneous(target, **powers):
    """Scaling x by c with each named parameter scaled by c**power scales the answer by
    c**answer_power (``powers["answer"]``, default 1)."""
    answer = powers.pop("answer", 1)
    target.scale = {"x": lambda args, c: _scaled_params({**args, "x": args["x"] * c}, c,
                                                        **powers)}
    target.back = {"x": lambda out, c: _map(out, lambda a: a / _power(c, answer))}
    return target


def _target_table():
    T = []
    # -- shrinkage operators and proximal maps (elementwise unless said otherwise)
    T.append(_homogeneous(_elementwise("softshrink", sr.softshrink, lambd=0.5), lambd=1))
    T.append(_homogeneous(_elementwise("hardshrink", sr.hardshrink, lambd=0.5), lambd=1))
    T.append(_elementwise("tanhshrink", sr.tanhshrink))
    T.append(_homogeneous(_elementwise("threshold", sr.threshold, threshold=0.5, value=-7.0),
                          threshold=1, value=1))
    T.append(_homogeneous(_elementwise("softplus", sr.softplus, beta=2.0, threshold=3.0),
                          beta=-1))
    T.append(_homogeneous(_elementwise("softshrink_grad", sr.softshrink_grad, lambd=0.5),
                          lambd=1, answer=0))
    T.append(_homogeneous(_elementwise("hardshrink_grad", sr.hardshrink_grad, lambd=0.5),
                          lambd=1, answer=0))
    T.append(_elementwise("tanhshrink_grad", sr.tanhshrink_grad))
    T.append(_homogeneous(_elementwise("threshold_grad", sr.threshold_grad, threshold=0.5,
                                       value=-7.0), threshold=1, value=1, answer=0))
    T.append(_homogeneous(_elementwise("softplus_grad", sr.softplus_grad, beta=2.0,
                                       threshold=3.0), beta=-1, answer=0))
    T.append(_homogeneous(_elementwise("prox_l1", sr.prox_l1, t=0.5), t=1))
    T.append(_homogeneous(_elementwise("prox_l0", sr.prox_l0, t=0.5), t=2))
    T.append(_homogeneous(_elementwise("prox_elastic_net", sr.prox_elastic_net, t=0.5, l2=0.7),
                          t=1, l2=-1))
    group = Target("prox_group_l2", lambda x, **p: sr.prox_group_l2(x, **p),
                   {"x": MATRIX, "t": 0.8, "groups": np.array([0, 0, 1, 1, 1, 2])},
                   {"x": ("x",)}, accepts={("x", case): _group_reference
                                           for case in ("nan", "inf", "-inf", "no columns")},
                   column_reference=lambda target, args, c: _group_reference(None, args))
    T.append(_homogeneous(group, t=1))
    project = Target("project_k_sparse", lambda x, **p: sr.project_k_sparse(x, **p),
                     {"x": VECTOR, "k": 4}, {"x": ("x",)}, complex_ok=True,
                     accepts={("x", case): _project_reference
                              for case in ("nan", "inf", "-inf", "ndim+1")},
                     params=[("k=0", {"k": 0}, zeros_like_answer),
                             ("k=size", {"k": VECTOR.size}, lambda out: VECTOR.copy()),
                             ("k=-1", {"k": -1}, None), ("k=1.5", {"k": 1.5}, None)])
    T.append(_homogeneous(project))
    # -- spectral filters
    s_names = {"s": ("s",)}
    ridge = Target("ridge_mask", lambda s, **p: spectral.ridge_mask(s, **p),
                   {"s": SINGULAR, "alpha": 0.5}, s_names,
                   accepts={("s", "empty"): lambda out, args: np.zeros(0)},
                   params=[("alpha=0", {"alpha": 0.0}, lambda out: np.ones_like(out)),
                           ("alpha=1e300", {"alpha": 1e300},
                            lambda out: SINGULAR**2 / 1e300),
                           ("alpha=-1", {"alpha": -1.0}, None),
                           ("alpha=nan", {"alpha": np.nan}, None)])
    T.append(_homogeneous(ridge, alpha=2, answer=0))
    T.append(_homogeneous(Target(
        "pca_mask", lambda s, **p: spectral.pca_mask(s, **p), {"s": SINGULAR,
                                                               "n_components": 3}, s_names,
        params=[("n_components=6", {"n_components": 6}, None)]), answer=0))
    T.append(_homogeneous(Target(
        "gd_mask", lambda s, **p: spectral.gd_mask(s, **p),
        {"s": SINGULAR, "learning_rate": None, "n_iter": 30}, s_names,
        accepts={("s", "empty"): lambda out, args: np.zeros(0)},
        params=[("learning_rate=1e300", {"learning_rate": 1e300}, None),
                ("n_iter=10**9", {"n_iter": 10**9},
                 lambda out: np.where(SINGULAR > 0, 1.0, 0.0))]), answer=0))
    T.append(_homogeneous(Target(
        "n_iter_for_components",
        lambda s, **p: np.asarray(spectral.n_iter_for_components(s, **p)),
        {"s": SINGULAR, "n_components": 4}, s_names, keeps_float32=False), answer=0))
    T.append(_homogeneous(Target(
        "active_components", lambda s, **p: np.asarray(spectral.active_components(s, **p)),
        {"s": SINGULAR, "learning_rate": None, "n_iter": 30}, s_names, keeps_float32=False,
        accepts={("s", "empty"): lambda out, args: np.asarray(0)}),
        answer=0))
    # -- operators
    T.append(Target(
        "as_operator", lambda A: operators.as_operator(A).matvec(np.ones(np.shape(A)[1])),
        {"A": MATRIX}, {"A": ("A",)}, matrix=("A",), keeps_float32=False,
        column_reference=lambda target, args, c: args["A"] @ np.ones(args["A"].shape[1]),
        scale={"A": lambda args, c: {"A": args["A"] * c}},
        back={"A": lambda out, c: out / c}))
    T.append(Target(
        "lipschitz_constant", lambda A, **p: np.asarray(operators.lipschitz_constant(A, **p)),
        {"A": A}, {"A": ("A",)}, matrix=("A",), linear_operator=("A",), rtol=1e-6,
        column_reference=_column_dropped,
        rtol32=1e-5, keeps_float32=False,
        scale={"A": lambda args, c: {**args, "A": args["A"] * c}},
        back={"A": lambda out, c: out / c / c},
        params=[("tol=0", {"tol": 0.0}, None), ("max_iter=0", {"max_iter": 0}, None)]))
    # -- solvers: A scaled by c is the problem of lam * c with solution x / c; y scaled by c
    # that of lam * c with solution c x
    convex = {
        "scale": {"A": _scale_A, "y": _scale_y},
        "back": {"A": lambda out, c: out * c, "y": lambda out, c: out / c},
        "rtol": 1e-7, "rtol32": 2e-3, "matrix": ("A",),
        "accepts": {("y", "ndim+1"): lambda out, args: out[:, None]},
        "column_reference": "certified",
    }
    lam_cases = [
        ("lam=0", {"lam": 0.0, "max_iter": 10}, "converged-or-warned"),
        ("lam=1e300", {"lam": 1e300}, zeros_like_answer),
        ("lam=-1", {"lam": -1.0}, None),
        ("lam=nan", {"lam": np.nan}, None),
        ("lam=str", {"lam": "1"}, None),
        ("lam=wrong shape", {"lam": np.ones(3)}, None),
        ("max_iter=-1", {"max_iter": -1}, None),
        ("tol=-1", {"tol": -1.0}, None),
        ("x0=nan", {"x0": np.full(16, np.nan)}, None),
        ("x0=1e300", {"x0": np.full(16, 1e300)}, "converged-or-warned"),
        ("l2=1e300", {"l2": 1e300}, "finite"),
        ("l2=-1", {"l2": -1.0}, None),
    ]
    for name, function in (("ista", sr.ista), ("fista", sr.fista)):
        T.append(Target(name, _solver(function, tol=1e-12), {"A": A, "y": Y, "lam": 0.3},
                        {"A": ("A",), "y": ("y",)}, linear_operator=("A",), **convex,
                        params=[*lam_cases, ("step=1e10", {"step": 1e10}, None),
                                ("step=0", {"step": 0.0}, None),
                                ("step=1e-300", {"step": 1e-300, "max_iter": 5},
                                 "converged-or-warned")]))
    T.append(Target("coordinate_descent", _solver(sr.coordinate_descent, tol=1e-12),
                    {"A": A, "y": Y, "lam": 0.3}, {"A": ("A",), "y": ("y",)}, **convex,
                    params=lam_cases))
    T.append(Target(
        "iht", _iht, {"A": A, "y": Y, "n_nonzero": 3}, {"A": ("A",), "y": ("y",)},
        scale={"A": lambda args, c: {**args, "A": args["A"] * c},
               "y": lambda args, c: {**args, "y": args["y"] * c}},
        back={"A": lambda out, c: out * c, "y": lambda out, c: out / c},
        rtol=1e-9, rtol32=1e-4, matrix=("A",), linear_operator=("A",),
        accepts={("y", "ndim+1"): lambda out, args: out[:, None]},
        column_reference=_column_invariant,
        params=[("n_nonzero=0", {"n_nonzero": 0}, None),
                ("n_nonzero=17", {"n_nonzero": 17}, None),
                ("n_nonzero=16", {"n_nonzero": 16}, "converged-or-warned"),
                ("n_nonzero=2.0", {"n_nonzero": 2.0}, None),
                ("method=nope", {"method": "nope"}, None),
                ("step=1e10", {"step": 1e10, "method": "niht"}, "converged-or-warned")]))
    T.append(Target(
        "lasso_path", _lasso_path, {"A": A, "y": Y}, {"A": ("A",), "y": ("y",)},
        scale={"A": lambda args, c: {**args, "A": args["A"] * c},
               "y": lambda args, c: {**args, "y": args["y"] * c}},
        back={"A": lambda out, c: (out[0] / c, out[1] * c),
              "y": lambda out, c: (out[0] / c, out[1] / c)},
        rtol=1e-7, rtol32=2e-3, matrix=("A",), linear_operator=("A",),
        accepts={("y", "ndim+1"): lambda out, args: (out[0], out[1][None])},
        column_reference="certified",
        params=[("n_lams=0", {"n_lams": 0}, None), ("eps=0", {"eps": 0.0}, None),
                ("lams=[]", {"lams": []}, None), ("lams=-1", {"lams": [-1.0]}, None),
                ("solver=nope", {"solver": "nope"}, None)]))
    # -- estimators: scikit-learn's messages name X or y, or say "Expected 2D array",
    # "Found array with 0 sample(s)", which is scikit-learn's contract
    sk_names = ("X", "y", "Expected 2D array", "Expected a 2-dimensional", "0 sample",
                "0 feature", "Complex data", "dtype", "could not convert", "numeric",
                "sparse", "1d array", "Found array with dim",
                "Input should have at least 1 dimension")
    xy_names = {"X": sk_names, "y": sk_names}
    linear = {
        "scale": {"X": lambda args, c: {**args, "X": args["X"] * c, "alpha": args["alpha"] * c},
                  "y": lambda args, c: {**args, "y": args["y"] * c, "alpha": args["alpha"] * c}},
        "back": {"X": lambda out, c: (out[0] * c, out[1]),
                 "y": lambda out, c: (out[0] / c, out[1] / c)},
        "rtol": 1e-6, "rtol32": 2e-3, "matrix": ("X",),
        "accepts": {("y", "ndim+1"): _one_target}, "column_reference": "certified",
    }
    from sparserecover.linear_model import ElasticNet, IHTRegressor, Lasso, LassoCV
    from sparserecover.network import (
        ShallowFeatures,
        ShallowNetworkRegressor,
        SpectralRegressor,
        SpectralRegressorCV,
    )

    alpha_cases = [("alpha=-1", {"alpha": -1.0}, None), ("alpha=nan", {"alpha": np.nan}, None),
                   ("alpha=1e300", {"alpha": 1e300}, lambda out: (np.zeros_like(out[0]),
                                                                   out[1] * 0 + Y.mean()))]
    T.append(Target("Lasso", _estimator(Lasso, tol=1e-10, max_iter=100_000),
                    {"X": A, "y": Y, "alpha": 0.05}, xy_names, **linear, params=alpha_cases))
    T.append(Target(
        "ElasticNet", _estimator(ElasticNet, tol=1e-10, max_iter=100_000),
        {"X": A, "y": Y, "alpha": 0.05, "l1_ratio": 0.7}, xy_names,
        scale={"Xy": lambda args, c: {**args, "X": args["X"] * c, "y": args["y"] * c,
                                      "alpha": args["alpha"] * c * c}},
        back={"Xy": lambda out, c: (out[0], out[1] / c)}, rtol=1e-6, rtol32=2e-3,
        matrix=("X",), params=alpha_cases, accepts={("y", "ndim+1"): _one_target},
        column_reference="certified"))
    T.append(Target("LassoCV", _estimator(LassoCV, tol=1e-10, max_iter=100_000, cv=3,
                                          alphas=5),
                    {"X": A, "y": Y}, xy_names,
                    scale={"X": lambda args, c: {**args, "X": args["X"] * c},
                           "y": lambda args, c: {**args, "y": args["y"] * c}},
                    back={"X": lambda out, c: (out[0] * c, out[1]),
                          "y": lambda out, c: (out[0] / c, out[1] / c)},
                    rtol=1e-6, rtol32=2e-3, matrix=("X",), column_reference="certified",
                    accepts={("y", "ndim+1"): lambda out, args: out}))  # single-target
    T.append(Target("IHTRegressor", _estimator(IHTRegressor), {"X": A, "y": Y,
                                                                "n_nonzero_coefs": 3},
                    xy_names, scale={"X": lambda args, c: {**args, "X": args["X"] * c},
                                     "y": lambda args, c: {**args, "y": args["y"] * c}},
                    back={"X": lambda out, c: (out[0] * c, out[1]),
                          "y": lambda out, c: (out[0] / c, out[1] / c)},
                    rtol=1e-9, rtol32=1e-4, matrix=("X",),
                    accepts={("y", "ndim+1"): _one_target}, column_reference=_column_invariant,
                    params=[("n_nonzero_coefs=0", {"n_nonzero_coefs": 0}, None),
                            ("n_nonzero_coefs=99", {"n_nonzero_coefs": 99}, None)]))
    spectral_scale = {
        "scale": {"X": lambda args, c: {**args, "X": args["X"] * c},
                  "y": lambda args, c: {**args, "y": args["y"] * c}},
        "back": {"X": lambda out, c: (out[0] * c, out[1]),
                 "y": lambda out, c: (out[0] / c, out[1] / c)},
        "rtol": 1e-9, "rtol32": 1e-4,
        "accepts": {("y", "ndim+1"): _one_target}, "column_reference": _column_dropped,
    }
    T.append(Target("SpectralRegressor", _estimator(SpectralRegressor),
                    {"X": A, "y": Y}, xy_names, **spectral_scale,
                    params=[("learning_rate=1e300", {"learning_rate": 1e300}, None),
                            ("regularization=nope", {"regularization": "nope"}, None),
                            ("n_iter=-1", {"n_iter": -1}, None)]))
    T.append(Target("SpectralRegressor(solver=gd)",
                    _estimator(SpectralRegressor, solver="gd", n_iter=20),
                    {"X": A, "y": Y}, xy_names, **spectral_scale))
    T.append(Target("SpectralRegressorCV", _estimator(SpectralRegressorCV, regularization="gd"),
                    {"X": A, "y": Y}, xy_names, **spectral_scale))
    T.append(Target("SpectralRegressorCV(ridge)",
                    _estimator(SpectralRegressorCV, regularization="ridge"),
                    {"X": A, "y": Y}, xy_names, **spectral_scale))
    T.append(Target(
        "ShallowFeatures", _estimator(ShallowFeatures, "transform", n_units=8),
        {"X": X_FEATURE, "y": None, "scale": 4.0}, {"X": sk_names},
        scale={"X": lambda args, c: {**args, "X": args["X"] * c, "scale": args["scale"] / c}},
        back={"X": lambda out, c: out}, rtol=1e-9, rtol32=1e-4,
        params=[("scale=0", {"scale": 0.0}, None), ("n_units=0", {"n_units": 0}, None)]))
    T.append(Target(
        "ShallowNetworkRegressor",
        _estimator(ShallowNetworkRegressor, "predict", n_units=8, regularization="ridge",
                   alpha=1e-3),
        {"X": X_FEATURE, "y": Y_FEATURE, "scale": 4.0}, xy_names,
        scale={"X": lambda args, c: {**args, "X": args["X"] * c, "scale": args["scale"] / c},
               "y": lambda args, c: {**args, "y": args["y"] * c}},
        back={"X": lambda out, c: out, "y": lambda out, c: out / c},
        rtol=1e-8, rtol32=1e-3, accepts={("y", "ndim+1"): lambda out, args: out[:, None]}))
    # -- spline side of the paper
    T.append(Target(
        "spline_smoothing", lambda x, y, **p: spline_smoothing(x, y, **p),
        {"x": GRID, "y": np.cos(4 * GRID), "grid": GRID, "order": 2, "penalty": 1e-3},
        {"x": ("x",), "y": ("y",), "grid": ("grid",)}, keeps_float32=False,
        scale={"y": lambda args, c: {**args, "y": args["y"] * c}},
        back={"y": lambda out, c: out / c}, rtol=1e-9,
        params=[("penalty=-1", {"penalty": -1.0}, None),
                ("order=-1", {"order": -1}, None)]))
    T.append(Target(
        "finite_difference_matrix", lambda n, order: finite_difference_matrix(n, order),
        {"n": 5, "order": 2}, {},
        params=[("n=0", {"n": 0}, None), ("n=-1", {"n": -1}, None),
                ("order=-1", {"order": -1}, None), ("order=2.0", {"order": 2.0}, None)]))
    # -- denoising
    T.append(Target("denoise", lambda signal, **p: sr.denoise(signal, **p),
                    {"signal": SIGNAL}, {"signal": ("signal",)},
                    scale={"signal": lambda args, c: {**args, "signal": args["signal"] * c}},
                    back={"signal": lambda out, c: out / c}, rtol=1e-9, rtol32=1e-4,
                    accepts={("signal", "ndim+1"): lambda out, args: out[None]},
                    params=[("level=0", {"level": 0}, None),
                            ("wavelet=nope", {"wavelet": "nope"}, None),
                            ("sigma=-1", {"sigma": -1.0}, None),
                            ("threshold=nope", {"threshold": "nope"}, None),
                            ("sigma=1e300", {"sigma": 1e300}, "finite")]))
    T.append(Target("estimate_noise",
                    lambda signal, **p: np.asarray(sr.estimate_noise(signal, **p)),
                    {"signal": SIGNAL}, {"signal": ("signal",)},
                    scale={"signal": lambda args, c: {**args, "signal": args["signal"] * c}},
                    back={"signal": lambda out, c: out / c}, rtol=1e-9, rtol32=1e-4,
                    keeps_float32=False,  # a float for one signal
                    accepts={("signal", "ndim+1"): lambda out, args: out[None]}))
    # -- independent verification
    from sparserecover import verify

    T.append(Target(
        "verify.lasso", lambda A, y, lam, **p: verify.lasso(A, y, lam, **p),
        {"A": A, "y": Y, "lam": 0.3}, {"A": ("A",), "y": ("y",)},
        scale={"A": _scale_A, "y": _scale_y},
        back={"A": lambda out, c: out * c, "y": lambda out, c: out / c},
        rtol=1e-5, rtol32=1e-3, keeps_float32=False, matrix=("A",),
        column_reference="certified",
        accepts={("y", "ndim+1"): lambda out, args: out[:, None],
                 ("A", "no columns"): lambda out, args: np.zeros(0)},
        params=[("lam=-1", {"lam": -1.0}, None)]))
    # -- the command line, on .npy (and sparse .npz) files; errors name the file
    T.append(Target(
        "cli solve", _cli_solve, {"A": A, "y": Y, "lam": 0.3},
        {"A": ("A", "A.npy", "A.npz"), "y": ("y", "y.npy", "y.npz")}, **{**convex, "accepts": {
            ("y", "ndim+1"): lambda out, args: out}}, file_args=("A", "y"), keeps_float32=True,
        params=[("lam=-1", {"lam": -1.0}, None)]))
    T.append(Target(
        "cli denoise", _cli_denoise, {"signal": SIGNAL}, {"signal": ("signal.npy",)},
        scale={"signal": lambda args, c: {**args, "signal": args["signal"] * c}},
        back={"signal": lambda out, c: out / c}, rtol=1e-9, rtol32=1e-4,
        accepts={("signal", "ndim+1"): lambda out, args: out[None]}, file_args=("signal",)))
    return T


TARGETS = {target.name: target for target in _target_table()}


# --- the cases -------------------------------------------------------------------------------


def _representations(target, name, value):
    """(label, perturbed value, canonical value: dense, contiguous float64 or float32)."""
    value = np.asarray(value)
    in_memory = name not in target.file_args
    out = []
    if in_memory:
        out.append(("list", value.tolist(), value))
    out += [("bool", value != 0, (value != 0).astype(np.float64)),
            ("int64", np.round(value).astype(np.int64), np.round(value)),
            ("float16", value.astype(np.float16), value.astype(np.float16).astype(np.float64)),
            ("float32", value.astype(np.float32), value.astype(np.float32).astype(np.float64)),
            ("object", value.astype(object), value),
            ("str", value.astype(str), value),
            ("complex", value.astype(np.complex128), value if target.complex_ok else None)]
    if in_memory:
        readonly = value.copy()
        readonly.flags.writeable = False
        strided = np.repeat(value, 2, axis=-1)[..., ::2]
        out += [("read-only", readonly, value), ("strided", strided, value)]
        if value.ndim == 2:
            out.append(("fortran", np.asfortranarray(value), value))
        import pandas as pd

        frame = pd.DataFrame(value) if value.ndim == 2 else pd.Series(value)
        out.append(("pandas", frame, value))
    if value.ndim == 2 and name in target.matrix:
        for form in SPARSE:
            if in_memory or form == "csr":
                out.append((f"sparse {form}", _sparse(value, form), value))
    if value.ndim == 2 and name in target.linear_operator:
        out.append(("LinearOperator", aslinearoperator(value), value))
    return out


def _sparse(value, form):
    if form == "csr_array":
        return scipy.sparse.csr_array(value)
    return scipy.sparse.csr_matrix(value).asformat(form)


def _value_cases(value):
    """(label, perturbed value) of cases that change the values or the shape."""
    value = np.asarray(value, dtype=np.float64)
    cases = []
    for label, bad in (("nan", np.nan), ("inf", np.inf), ("-inf", -np.inf)):
        perturbed = value.copy()
        perturbed.flat[0] = bad
        cases.append((label, perturbed))
    cases += [("empty", value[:0]), ("0-D", np.array(value.flat[0])),
              ("ndim+1", value[None] if value.ndim != 1 else value[:, None])]
    if value.ndim == 2:
        cases.append(("no columns", value[:, :0]))
    if value.ndim == 2 and value.shape[1] > 1:
        for c in (1e300, 1e-300):
            perturbed = value.copy()
            perturbed[:, 0] *= c
            cases.append((f"column 0 x{c:g}", perturbed))
    return cases


def cases():
    """Every (target, argument, case label) the suite runs, as pytest parameters."""
    out = []
    for target in TARGETS.values():
        for name in target.data:
            value = target.args[name]
            labels = [label for label, *_ in _representations(target, name, value)]
            labels += [label for label, _ in _value_cases(value)]
            for mode in target.scale:
                if mode == name or (mode == "Xy" and name == "X"):
                    labels += [f"scale {mode} {c:g}" for c in SCALES
                               if _representable(target.scale[mode](target.args, c),
                                                 target.args)]
            out += [pytest.param(target.name, name, label, id=f"{target.name}-{name}-{label}")
                    for label in labels]
        for label, *_ in target.params:
            out.append(pytest.param(target.name, None, label, id=f"{target.name}-{label}"))
    return out


def _representable(args, original):
    """Whether the scaled parameters of a scale case are finite nonzero normal numbers (the
    problem is then the same; otherwise float64 cannot state it and the case is left out)."""
    for name, value in args.items():
        if isinstance(value, float) and original[name] != 0:
            if not math.isfinite(value) or abs(value) < np.finfo(np.float64).tiny:
                return False
    return True


# --- running a case --------------------------------------------------------------------------

OUTCOMES = Counter()
DEFECTS = []


def _snapshot(args):
    return {name: pickle.dumps(value) for name, value in args.items()
            if not hasattr(value, "matvec")}


def _run(target, args):
    before = _snapshot(args)
    try:
        return target.call(**args), None
    except Exception as error:  # classified by the caller
        return None, error
    finally:
        assert _snapshot(args) == before, f"{target.name} modified an input"


def _names_argument(error, words):
    message = str(error)
    return any(re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", message) for word in words)


def _arrays(out):
    return out if isinstance(out, tuple) else (out,)


def _assert_close(out, expected, rtol, dtype=None):
    for got, want in zip(_arrays(out), _arrays(expected), strict=True):
        got, want = np.asarray(got), np.asarray(want)
        assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
        if dtype is not None and got.dtype.kind == "f":
            assert got.dtype in dtype, f"dtype {got.dtype}, expected one of {dtype}"
        want = want.astype(np.result_type(want.dtype, np.float64))
        got = got.astype(np.result_type(got.dtype, np.float64))
        finite = np.isfinite(want)
        assert np.array_equal(np.isnan(got), np.isnan(want)), "NaN where none is expected"
        assert np.array_equal(got[~finite], want[~finite], equal_nan=True)
        scale = np.max(np.abs(want[finite]), initial=0.0)
        np.testing.assert_allclose(got[finite], want[finite], rtol=rtol,
                                   atol=rtol * scale + 1e-300)


def _expected(target, name, label, baseline):
    """The expected answer of a case, or None when only a clear error is right."""
    value = np.asarray(target.args[name], dtype=np.float64)
    if (name, label) in target.accepts:
        perturbed = {**target.args, name: dict(_value_cases(value))[label]}
        return target.accepts[(name, label)](baseline, perturbed)
    if not target.elementwise:
        return None
    if label in ("nan", "inf", "-inf"):
        bad = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[label]
        single = target.call(**{**target.args, name: np.array([bad])})
        expected = np.array(baseline, copy=True)
        expected.flat[0] = np.asarray(single).flat[0]
        return expected
    if label == "empty":
        return np.asarray(baseline)[:0]
    if label == "0-D":
        return np.asarray(baseline).flat[0] * np.ones(())
    if label == "ndim+1":
        return np.asarray(baseline).reshape(np.shape(value[:, None]) if value.ndim == 1
                                            else (1, *value.shape))
    return None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
@pytest.mark.parametrize(("target_name", "argument", "label"), cases())
def test_bad_input(target_name, argument, label):
    target = TARGETS[target_name]
    baseline, error = _run(target, dict(target.args))
    assert error is None, f"the good input failed: {error!r}"
    outcome = None
    try:
        outcome = _check_case(target, argument, label, baseline)
    finally:
        OUTCOMES["defect" if outcome is None else outcome] += 1
        if outcome is None:
            DEFECTS.append(f"{target_name} {argument or ''} {label}")


def _check_case(target, argument, label, baseline):
    if argument is None:
        return _check_parameter_case(target, label, baseline)
    value = target.args[argument]
    representations = {lbl: (v, canon) for lbl, v, canon in
                       _representations(target, argument, value)}
    words = target.data[argument]
    if label in representations:
        perturbed, canonical = representations[label]
        expected, dtype, rtol = None, None, target.rtol
        if canonical is not None:
            canonical = np.array(canonical)
            expected, error = _run(target, {**target.args, argument: canonical})
            if error is not None:  # the values themselves are bad (e.g. rounded to integers)
                _clear_error(error, _all_words(target), f"canonical {label}: {error!r}")
            if label in ("float16", "float32"):
                rtol = target.rtol32
                alone = all(target.args[other] is None for other in target.data
                            if other != argument)
                if target.keeps_float32 and alone:
                    # float16 becomes float32, or float64 in scikit-learn's validation
                    dtype = (np.float32,) if label == "float32" else (np.float32, np.float64)
        args = {**target.args, argument: perturbed}
    elif label.startswith("scale"):
        _, mode, c = label.split()
        c = float(c)
        args = target.scale[mode](target.args, c)
        expected, dtype, rtol = baseline, None, target.rtol
        back = target.back[mode]
        out, error = _run(target, args)
        if error is not None:
            return _clear_error(error, target.data.get(argument, ()) + _scale_words(),
                                f"{label}: {error!r}")
        _assert_close(back(out, c), expected, rtol)
        return "correct"
    elif label.startswith("column 0"):
        return _check_column_case(target, argument, label)
    else:
        args = {**target.args, argument: dict(_value_cases(value))[label]}
        expected, dtype, rtol = _expected(target, argument, label, baseline), None, target.rtol
        if label in ("empty", "no columns", "0-D", "ndim+1"):
            words = _all_words(target)  # a shape is wrong for the other arguments too
    out, error = _run(target, args)
    if error is not None:
        return _clear_error(error, words, f"{label}: {error!r}")
    assert expected is not None, f"{label}: accepted without error, answer {out!r}"
    _assert_close(out, expected, rtol, dtype)
    return "correct"


def _check_column_case(target, argument, label):
    """One column of a design scaled by 1e300 or 1e-300: the columns then differ in scale by
    more than float64 can square. Right: a clear error, a ConvergenceWarning with a finite
    answer, a converged (duality-gap certified) finite answer for the convex solvers, or the
    answer of ``column_reference``."""
    c = float(label.split("x")[-1])
    args = {**target.args, argument: dict(_value_cases(target.args[argument]))[label]}
    _RECORD_CONVERGENCE.append(True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out, error = _run(target, args)
    finally:
        _RECORD_CONVERGENCE.pop()
    if error is not None:
        words = (*target.data[argument], *_scale_words(), "converge", "step", "l2")
        return _clear_error(error, words, f"{label}: {error!r}")
    assert all(np.all(np.isfinite(a)) for a in _arrays(out)), f"{label}: non-finite answer"
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        return "convergence warning"
    reference = target.column_reference
    assert reference is not None, f"{label}: accepted without error, answer {out!r}"
    if reference == "certified":
        return "correct"
    expected = reference(target, args, c)
    assert expected is not None, f"{label}: accepted without error, answer {out!r}"
    _assert_close(out, expected, target.rtol)
    return "correct"


def _all_words(target):
    words = [word for names in target.data.values() for word in names]
    return (*words, *(name for name in target.args if name not in target.data))


def _scale_words():
    # the scale errors name what leaves float64's range
    return ("objective", "solution", "overflows", "underflows", "s_max", "learning rate",
            "alphas", "lam_max", "||y||^2", "coefficients", "squared errors")


def _clear_error(error, words, context):
    assert isinstance(error, (ValueError, TypeError)), f"unclear error type: {context}"
    assert _names_argument(error, words), f"the error names no argument: {context}"
    return "clear error"


def _check_parameter_case(target, label, baseline):
    _, overrides, expected = next(case for case in target.params if case[0] == label)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, error = _run(target, {**target.args, **overrides})
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if error is not None:
        if expected == "converged-or-warned" and isinstance(error, ConvergenceWarning):
            return "clear error"  # _solver turns the warning into an error
        return _clear_error(error, tuple(overrides)[:1], f"{label}: {error!r}")
    assert expected is not None, f"{label}: accepted without error, answer {out!r}"
    if expected == "converged-or-warned":
        assert warned or all(np.all(np.isfinite(a)) for a in _arrays(out))
        return "correct"
    if expected == "finite":
        assert all(np.all(np.isfinite(a)) for a in _arrays(out))
        return "correct"
    _assert_close(out, expected(baseline), target.rtol)
    return "correct"


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """The counts, printed after the module's tests (also when output is captured)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or not OUTCOMES:
        return
    lines = [
        f"bad-input suite: {sum(OUTCOMES.values())} cases, {OUTCOMES['correct']} correct "
        f"answers, {OUTCOMES['clear error']} clear errors, "
        f"{OUTCOMES['convergence warning']} ConvergenceWarnings (a column beyond float64's "
        f"range), {OUTCOMES['defect']} defects",
        *(f"  defect: {defect}" for defect in DEFECTS),
    ]
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


# --- properties of the proximal maps (Hypothesis) --------------------------------------------

# Values whose products with 2^+-200 and whose differences stay normal numbers: scaling by a
# power of two is then exact, and so must the maps' equivariance be, to the last bit.
_values = st.one_of(st.just(0.0), st.floats(1e-60, 1e60), st.floats(-1e60, -1e-60))
_vectors = hnp.arrays(np.float64, st.integers(1, 40), elements=_values)
_powers = st.integers(-200, 200)
_parameters = st.floats(1e-30, 1e30)

# name -> (map, parameters, degree of the answer, power of c scaling each parameter)
HOMOGENEOUS = {
    "softshrink": (sr.softshrink, {"lambd": 1}, 1),
    "hardshrink": (sr.hardshrink, {"lambd": 1}, 1),
    "threshold": (sr.threshold, {"threshold": 1, "value": 1}, 1),
    "softplus": (sr.softplus, {"beta": -1}, 1),
    "softshrink_grad": (sr.softshrink_grad, {"lambd": 1}, 0),
    "hardshrink_grad": (sr.hardshrink_grad, {"lambd": 1}, 0),
    "threshold_grad": (sr.threshold_grad, {"threshold": 1, "value": 1}, 0),
    "softplus_grad": (sr.softplus_grad, {"beta": -1}, 0),
    "prox_l1": (sr.prox_l1, {"t": 1}, 1),
    "prox_l0": (sr.prox_l0, {"t": 2}, 1),
    "prox_elastic_net": (sr.prox_elastic_net, {"t": 1, "l2": -1}, 1),
}


@pytest.mark.parametrize("name", HOMOGENEOUS)
@given(x=_vectors, k=_powers, parameter=_parameters, other=_parameters)
def test_prox_scale_equivariance_is_exact(name, x, k, parameter, other):
    """f(2^k x; params scaled as the math says) == 2^(degree k) f(x; params), bitwise."""
    function, powers, degree = HOMOGENEOUS[name]
    params = dict(zip(powers, (parameter, other)))
    scaled = {key: np.ldexp(value, k * powers[key]) for key, value in params.items()}
    with np.errstate(over="ignore"):
        expected = np.ldexp(function(x, **params), degree * k)
    np.testing.assert_array_equal(function(np.ldexp(x, k), **scaled), expected)


@given(x=hnp.arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 4)),
                    elements=_values), k=_powers, t=_parameters)
def test_prox_group_l2_and_projection_are_scale_equivariant(x, k, t):
    groups = np.arange(x.shape[0]) % 3
    np.testing.assert_array_equal(sr.prox_group_l2(np.ldexp(x, k), np.ldexp(t, k), groups),
                                  np.ldexp(sr.prox_group_l2(x, t, groups), k))
    n_keep = x.shape[0] // 2
    np.testing.assert_array_equal(sr.project_k_sparse(np.ldexp(x, k), n_keep),
                                  np.ldexp(sr.project_k_sparse(x, n_keep), k))


# maps that are projections (applying them twice changes nothing)
IDEMPOTENT = {
    "hardshrink": lambda x, p: sr.hardshrink(x, p),
    "threshold": lambda x, p: sr.threshold(x, p, -p),
    "prox_l0": lambda x, p: sr.prox_l0(x, p),
    "project_k_sparse": lambda x, p: sr.project_k_sparse(x, max(1, x.size // 3)),
}


@pytest.mark.parametrize("name", IDEMPOTENT)
@given(x=hnp.arrays(np.float64, st.integers(1, 40),
                    elements=st.floats(allow_nan=True, allow_infinity=True)),
       parameter=st.floats(0, 1e30))
def test_projections_are_idempotent(name, x, parameter):
    once = IDEMPOTENT[name](x, parameter)
    np.testing.assert_array_equal(IDEMPOTENT[name](once, parameter), once)


ALL_PROX = {
    **{name: (function, {key: 0.5 for key in powers}) for name, (function, powers, _) in
       HOMOGENEOUS.items()},
    "tanhshrink": (sr.tanhshrink, {}),
    "tanhshrink_grad": (sr.tanhshrink_grad, {}),
    "prox_group_l2": (sr.prox_group_l2, {"t": 0.5, "groups": None}),
    "project_k_sparse": (sr.project_k_sparse, {"k": 1}),
}


@pytest.mark.parametrize("name", ALL_PROX)
@given(x=hnp.arrays(st.sampled_from([np.float16, np.float32, np.float64, np.int32, np.bool_]),
                    st.integers(1, 20)))
def test_prox_dtype(name, x):
    """float32 stays float32 and float64 float64; float16 becomes float32, integers and
    booleans float64; the input is left as it was."""
    function, params = ALL_PROX[name]
    if "groups" in params:
        params = {**params, "groups": np.arange(x.size) % 2}
    before = x.copy()
    out = function(x, **params)
    expected = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float32}.get(
        x.dtype, np.float64)
    assert out.dtype == expected
    assert out.shape == x.shape
    np.testing.assert_array_equal(x, before)
