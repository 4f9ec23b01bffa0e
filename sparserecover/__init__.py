"""sparserecover: sparse signal recovery.

Shrinkage operators (Numba, with PyTorch's exact semantics), ISTA / FISTA / IHT solvers with
duality-gap certificates, scikit-learn estimators, the spectral-filter regressors of
"Gradient Descent as a Shrinkage Operator for Spectral Bias", and wavelet / DCT denoising.

Every public name is importable from the top level, but the modules behind them load on first
use (PEP 562): ``import sparserecover`` costs almost nothing, and a script that only shrinks
arrays never imports scikit-learn, cvxpy or matplotlib.

Examples
--------
>>> import numpy as np
>>> import sparserecover as sr
>>> sr.softshrink(np.array([-2.0, -0.3, 0.0, 0.3, 2.0]), 0.5)
array([-1.5,  0. ,  0. ,  0. ,  1.5])
"""

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY_NAMES = {
    # shrinkage operators and proximal maps
    **dict.fromkeys(
        [
            "softshrink",
            "hardshrink",
            "tanhshrink",
            "threshold",
            "softplus",
            "softshrink_grad",
            "hardshrink_grad",
            "tanhshrink_grad",
            "threshold_grad",
            "softplus_grad",
            "prox_l1",
            "prox_l0",
            "prox_elastic_net",
            "prox_group_l2",
            "prox_mcp",
            "prox_scad",
            "project_k_sparse",
        ],
        "sparserecover.prox",
    ),
    # functional solvers
    **dict.fromkeys(
        ["ista", "fista", "coordinate_descent", "iht", "lasso_path", "SolverResult"],
        "sparserecover.solvers",
    ),
    # scikit-learn estimators
    **dict.fromkeys(
        [
            "Lasso",
            "ElasticNet",
            "LassoCV",
            "ElasticNetCV",
            "MultiTaskLasso",
            "MultiTaskElasticNet",
            "MultiTaskLassoCV",
            "MultiTaskElasticNetCV",
            "IHTRegressor",
            "MCPRegressor",
            "SCADRegressor",
            "SparseHuberRegressor",
            "SparseLogisticRegression",
        ],
        "sparserecover.linear_model",
    ),
    **dict.fromkeys(
        [
            "ShallowFeatures",
            "SpectralRegressor",
            "SpectralRegressorCV",
            "ShallowNetworkRegressor",
        ],
        "sparserecover.network",
    ),
    # denoising
    **dict.fromkeys(["denoise", "estimate_noise"], "sparserecover.denoising"),
    # the Numba cache, filled ahead of time
    "compile_kernels": "sparserecover._compile",
}

_SUBMODULES = (
    "prox",
    "spectral",
    "operators",
    "solvers",
    "linear_model",
    "network",
    "denoising",
    "verify",
    "cli",
)

__all__ = ["__version__", *_LAZY_NAMES, *_SUBMODULES]


def __getattr__(name):
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"sparserecover.{name}")
    else:
        raise AttributeError(f"module 'sparserecover' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
