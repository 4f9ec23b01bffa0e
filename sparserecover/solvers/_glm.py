"""Working-set coordinate descent for a data fit and a separable penalty: the Python front.

:func:`glm_solve` prepares what the kernel of ``_cd_general`` needs from a design matrix
(column access, squared column norms, the state ``X w + b``) and runs it. The estimators
:class:`~sparserecover.linear_model.MCPRegressor`, ``SCADRegressor``,
``SparseHuberRegressor`` and ``SparseLogisticRegression`` call it with their data fit and
penalty (the named tuples of ``_cd_general``).
"""

import numpy as np

from ..operators import as_operator
from ._cd_general import Quadratic, working_set_cd
from ._problem import _centered_squared_norms, _column_squared_norms
from ._products import kernel_operator


def glm_solve(design, datafit, penalty, *, target=None, fit_intercept=False, tol=1e-4,
              max_iter=50, max_epochs=50_000, ws_start=10, coef=None, intercept=0.0):
    """Minimize ``datafit(design @ w + b) + penalty(w)`` by working-set coordinate descent.

    ``design`` is a checked float32/float64 ndarray, CSR/CSC matrix, or the centred sparse
    operator of the estimators (``linear_model._base``); ``target`` is the least-squares
    target (for :data:`Quadratic`, whose intercept is centred out: ``fit_intercept`` must be
    False then), the other data fits carry theirs. ``coef`` and ``intercept`` are the
    starting point. Returns ``(coef (float64), intercept, n_iter, n_epochs, violation)``
    (see ``_cd_general.working_set_cd``).
    """
    op = as_operator(design, assume_finite=True)
    n_samples, n_features = op.shape
    kernel_op = kernel_operator(op, columns=True)
    if op.kind == "linear_operator":
        norms2 = _centered_squared_norms(op.matrix)
    else:
        norms2 = _column_squared_norms(op, 64)
    w = np.zeros(n_features) if coef is None else np.array(coef, dtype=np.float64)
    state = np.full(n_samples, float(intercept))
    if np.any(w):
        state += np.asarray(op.matvec(w.astype(op.dtype)), dtype=np.float64)
    if isinstance(datafit, Quadratic):
        state -= np.asarray(target, dtype=np.float64)
    w, intercept, _, n_iter, n_epochs, violation = working_set_cd(
        datafit, kernel_op, penalty, w, float(intercept), state,
        np.ascontiguousarray(norms2, dtype=np.float64), bool(fit_intercept), float(tol),
        int(max_iter), int(max_epochs), int(ws_start))
    return w, float(intercept), int(n_iter), int(n_epochs), float(violation)
