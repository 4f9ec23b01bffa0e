"""dask arrays in, dask arrays out: denoising chunk by chunk, and tall regressions reduced to
their Gram matrix in one pass.

dask is the engine (its schedulers, threads, processes or a ``dask.distributed`` cluster);
this module only describes the work: which axes a chunk must hold whole, which function runs
on each chunk, and how the chunks' partial sums combine. It is imported only when a dask
array is passed, so the package itself never imports dask.
"""

from dataclasses import dataclass, replace

import numpy as np

from sparserecover._validation import as_float_array

_INSTALL = "pip install 'sparserecover[dask]'"


def import_dask_array():
    """``dask.array``, or an ImportError that says how to install it."""
    try:
        import dask.array
    except ImportError as error:  # pragma: no cover - dask is in the test extra
        raise ImportError(f"dask arrays need dask: {_INSTALL}") from error
    return dask.array


def is_dask(value):
    """Whether ``value`` is a dask array (without importing dask: whoever made one has
    imported dask.array already)."""
    import sys

    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(value, dask_array.Array)


def _float_dtype(dtype, name):
    """The dtype the NumPy functions compute ``dtype`` input in (float32 stays float32,
    integers become float64), or their TypeError."""
    return as_float_array(np.empty(0, dtype=dtype), name).dtype


def _check_signal(signal, name="signal"):
    if signal.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension; got a scalar")
    if any(n == 0 for n in signal.shape):
        raise ValueError(f"{name} is empty (shape {signal.shape})")
    if any(np.isnan(n) for n in signal.shape):
        raise ValueError(
            f"{name} has unknown chunk sizes (shape {signal.shape}): call "
            "compute_chunk_sizes() on it first"
        )
    return _float_dtype(signal.dtype, name)


def whole_along(x, axes):
    """``x`` rechunked so that each of ``axes`` is one chunk. When one was split, the other
    axes are rechunked to dask's automatic sizes, so that the whole axes do not multiply the
    size of a chunk."""
    if all(len(x.chunks[a]) == 1 for a in axes):
        return x
    return x.rechunk({a: -1 if a in axes else "auto" for a in range(x.ndim)})


# --------------------------------------------------------------------------- denoising


def _denoise_block(block, sigma=None, **options):
    from sparserecover.denoising import denoise

    return denoise(block, sigma=sigma, **options)


def _noise_block(block, **options):
    from sparserecover.denoising import estimate_noise

    return np.asarray(estimate_noise(block, **options))


def denoise_dask(signal, *, sigma, **options):
    """:func:`sparserecover.denoise` of a dask array: the arguments checked now (on the
    shape and dtype), a dask array returned, each chunk denoised by the NumPy function (so
    the result has the NumPy result's bits: every signal or image is denoised on its own,
    and a chunk holds whole ones)."""
    da = import_dask_array()
    from sparserecover.denoising import _check_options

    dtype = _check_signal(signal)
    lazy_sigma = is_dask(sigma)
    axes, channel_axis, checked_sigma, _ = _check_options(
        signal.shape, dtype, sigma=None if lazy_sigma else sigma, **options
    )
    whole = axes + ((channel_axis,) if options["convert2ycbcr"] else ())
    x = whole_along(signal, whole)
    batch_axes = [a for a in range(x.ndim) if a not in axes]
    batch_shape = tuple(x.shape[a] for a in batch_axes)
    batch_chunks = tuple(x.chunks[a] for a in batch_axes)
    index = tuple(range(x.ndim))
    arguments = [x, index]
    if lazy_sigma:
        if sigma.ndim > len(batch_shape) or any(
            m not in (1, n) for m, n in zip(sigma.shape[::-1], batch_shape[::-1])
        ):
            raise ValueError(
                f"sigma must be a scalar or have the batch shape {batch_shape}; got shape "
                f"{sigma.shape}"
            )
        sigma = da.broadcast_to(sigma, batch_shape).rechunk(batch_chunks)
    elif checked_sigma is not None:
        sigma = da.from_array(checked_sigma.reshape(batch_shape), chunks=batch_chunks)
    if sigma is not None:
        arguments += [sigma, tuple(batch_axes)]
    return da.blockwise(
        _denoise_block, index, *arguments, dtype=dtype,
        meta=np.empty((0,) * x.ndim, dtype=dtype), **options,
    )


def estimate_noise_dask(signal, *, wavelet, axis):
    """:func:`sparserecover.estimate_noise` of a dask array, lazily (see denoise_dask)."""
    import_dask_array()
    from sparserecover.denoising import _check_axes, _check_wavelet

    dtype = _check_signal(signal)
    axes = _check_axes(axis, signal.ndim)
    for a in axes:
        if signal.shape[a] < 2:
            raise ValueError(
                f"signal must have at least 2 samples along axis {a}; got {signal.shape[a]}"
            )
    _check_wavelet(wavelet)
    x = whole_along(signal, axes)
    return x.map_blocks(
        _noise_block, drop_axis=list(axes), dtype=dtype,
        meta=np.empty((0,) * (x.ndim - len(axes)), dtype=dtype), wavelet=wavelet, axis=axis,
    )


# --------------------------------------------------------------------------- tall regressions

# A dask fit reduces X to its Gram matrix, n_features**2 float64 values on every worker that
# adds partial sums: at most 2 GiB of them.
_MAX_GRAM_BYTES = 2**31


def _check_tall(X, y, sample_weight, estimator):
    """``X`` (2-D, columns in one chunk), ``y`` and ``sample_weight`` as dask arrays with the
    row chunks of ``X``, and the dtype the fit computes in; clear errors for the rest."""
    da = import_dask_array()
    name = type(estimator).__name__
    if not is_dask(X):
        raise TypeError(f"{name} fits a dask y with a dask X; got X of type {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
    if any(np.isnan(n) for n in X.shape):
        raise ValueError(
            f"X has unknown chunk sizes (shape {X.shape}): call X.compute_chunk_sizes() first"
        )
    n_samples, n_features = X.shape
    gram_bytes = 8 * n_features**2
    if gram_bytes > _MAX_GRAM_BYTES:
        raise ValueError(
            f"X has {n_features} features: a dask X is fitted through its n_features x "
            f"n_features Gram matrix, {gram_bytes / 2**30:.1f} GiB here, beyond the "
            f"{_MAX_GRAM_BYTES / 2**30:.0f} GiB a fit allows. dask fits are for tall data "
            "(many rows, a few thousand features at most): select features first (e.g. on a "
            "sample of the rows), or fit the in-memory NumPy or scipy.sparse X"
        )
    if n_samples < 1 or n_features < 1:
        raise ValueError(f"X is empty (shape {X.shape})")
    dtype = _float_dtype(X.dtype, "X")
    X = X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X

    def rows_like_X(values, what):
        values = values if is_dask(values) else da.asarray(np.asarray(values))
        if values.shape[0] != n_samples:
            raise ValueError(
                f"{what} has {values.shape[0]} samples, X has {n_samples}: they must match"
            )
        return values.rechunk((X.chunks[0], *(-1,) * (values.ndim - 1)))

    y = rows_like_X(y, "y")
    if y.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}")
    _float_dtype(y.dtype, "y")
    if sample_weight is not None and not np.isscalar(sample_weight):
        sample_weight = rows_like_X(sample_weight, "sample_weight")
        if sample_weight.ndim != 1:
            raise ValueError(f"sample_weight must be 1-D; got shape {sample_weight.shape}")
    else:
        sample_weight = None
    return X, y, sample_weight, dtype


@dataclass
class _Moments:
    """Weighted moments of a set of rows about their own means: the total weight, the row
    count, the means of x and y, the co-moments ``sum w (x - mx)(x - mx)^T``,
    ``sum w (x - mx)(y - my)^T`` and ``sum w (y - my)^2``, and the largest magnitudes of x
    and y. Sums about each set's own mean, merged exactly (Chan, Golub & LeVeque 1979), do
    not cancel as raw sums of squares do."""

    weight: float
    count: int
    mx: np.ndarray
    my: np.ndarray
    xx: np.ndarray
    xy: np.ndarray
    yy: np.ndarray
    x_max: float
    y_max: float

    def __add__(self, other):
        if other.weight == 0 or self.weight == 0:
            keep, drop = (self, other) if other.weight == 0 else (other, self)
            return replace(keep, count=keep.count + drop.count,
                           x_max=max(keep.x_max, drop.x_max), y_max=max(keep.y_max, drop.y_max))
        weight = self.weight + other.weight
        dx, dy = other.mx - self.mx, other.my - self.my
        share = self.weight * other.weight / weight
        return _Moments(
            weight, self.count + other.count,
            self.mx + dx * (other.weight / weight), self.my + dy * (other.weight / weight),
            self.xx + other.xx + np.outer(dx, dx) * share,
            self.xy + other.xy + np.multiply.outer(dx, dy) * share,
            self.yy + other.yy + dy * dy * share,
            max(self.x_max, other.x_max), max(self.y_max, other.y_max),
        )


def _moments(X, y, w):
    """The _Moments of the rows ``X`` (float64), ``y`` and weights ``w`` (None: ones)."""
    n = len(X)
    x_max = float(np.max(np.abs(X), initial=0.0))
    y_max = float(np.max(np.abs(y), initial=0.0))
    w = np.ones(n) if w is None else w
    weight = float(w.sum())
    if weight == 0:
        p, targets = X.shape[1], y.shape[1:]
        return _Moments(0.0, n, np.zeros(p), np.zeros(targets), np.zeros((p, p)),
                        np.zeros((p, *targets)), np.zeros(targets), x_max, y_max)
    mx, my = (w @ X) / weight, (w @ y) / weight
    Xc, yc = X - mx, y - my
    weighted = Xc * w[:, None]
    return _Moments(weight, n, mx, my, weighted.T @ Xc, weighted.T @ yc, w @ (yc * yc),
                    x_max, y_max)


def _block_moments(X, y, w, labels):
    """{label: _Moments of the rows of this block with that label} (one label, 0, when
    ``labels`` is None): the map step of the one pass."""
    from sklearn.utils import assert_all_finite

    assert_all_finite(X, input_name="X")
    assert_all_finite(y, input_name="y")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if w is not None:
        assert_all_finite(w, input_name="sample_weight")
        if np.any(w < 0):
            raise ValueError("Negative values in data passed to `sample_weight`")
        w = np.asarray(w, dtype=np.float64)
    if labels is None:
        return {0: _moments(X, y, w)}
    return {
        int(label): _moments(X[rows], y[rows], None if w is None else w[rows])
        for label in np.unique(labels)
        for rows in [labels == label]
    }


def _merge(*parts):
    """The reduce step: the blocks' {label: _Moments} merged label by label."""
    merged = {}
    for part in parts:
        for label, moments in part.items():
            merged[label] = moments if label not in merged else merged[label] + moments
    return merged


def _one_pass(X, y, sample_weight, labels=None, split_every=8):
    """{label: _Moments} of the rows of each label (``labels`` an int array of n_samples,
    or None: every row label 0), from one pass over the chunks of ``X``, ``y`` and
    ``sample_weight``, reduced as a tree on whatever dask scheduler is active."""
    import dask
    from dask import delayed

    X_blocks = X.to_delayed().ravel()
    y_blocks = y.to_delayed().ravel()
    w_blocks = [None] * len(X_blocks) if sample_weight is None else sample_weight.to_delayed()
    bounds = np.cumsum((0, *X.chunks[0]))
    parts = [
        delayed(_block_moments, pure=True)(
            Xb, yb, wb, None if labels is None else labels[bounds[i]:bounds[i + 1]]
        )
        for i, (Xb, yb, wb) in enumerate(zip(X_blocks, y_blocks, w_blocks))
    ]
    while len(parts) > 1:
        parts = [delayed(_merge, pure=True)(*parts[i:i + split_every])
                 for i in range(0, len(parts), split_every)]
    (result,) = dask.compute(parts[0])
    return result


def _gram_data(moments, fit_intercept, dtype, normalize_weights):
    """The solvers' data (``_LinearData`` with Gram matrices) of rows with these moments:
    centred for an intercept, raw sums about zero without one; weights rescaled to sum to
    the number of rows with ``normalize_weights`` (scikit-learn's scale for a fit)."""
    from sparserecover.linear_model._base import _LinearData

    m = moments
    scale = m.count / m.weight if normalize_weights else 1.0
    if fit_intercept:
        G, c, yy = m.xx, m.xy, m.yy
        X_offset, y_offset = m.mx.astype(dtype), np.asarray(m.my, dtype=dtype)
    else:
        G = m.xx + m.weight * np.outer(m.mx, m.mx)
        c = m.xy + m.weight * np.multiply.outer(m.mx, m.my)
        yy = m.yy + m.weight * m.my * m.my
        X_offset = np.zeros(len(m.mx), dtype=dtype)
        y_offset = np.zeros(np.shape(m.my), dtype=dtype)
    gram = ((G * scale).astype(dtype), (c * scale).astype(dtype),
            np.maximum(yy * scale, 0.0))
    return _LinearData(None, None, X_offset, y_offset, m.weight * scale, gram)


def _check_gram_solver(estimator):
    if estimator.solver not in ("auto", "cd"):
        raise ValueError(
            f"a dask X is fitted by coordinate descent on its Gram matrix: solver must be "
            f"'auto' or 'cd'; got {estimator.solver!r}"
        )


def _record_features(estimator, X):
    from sklearn.utils.validation import _check_feature_names, _check_n_features

    _check_n_features(estimator, X, reset=True)
    _check_feature_names(estimator, X, reset=True)


def fit_dask(estimator, X, y, sample_weight):
    """``Lasso``/``ElasticNet.fit`` on a tall dask ``X``: one pass for the Gram matrix
    ``X_c^T W X_c``, ``X_c^T W y_c`` and the weighted means, then coordinate descent on it."""
    X, y, sample_weight, dtype = _check_tall(X, y, sample_weight, estimator)
    _check_gram_solver(estimator)
    moments = _one_pass(X, y, sample_weight)[0]
    _record_features(estimator, X)
    data = _gram_data(moments, estimator.fit_intercept, dtype, sample_weight is not None)
    estimator._fit_data(data, dtype, X.shape[1], y.shape[1:], stacklevel=6)
    return estimator


def _check_folds(estimator, n_samples, params):
    """The folds of ``estimator.cv`` over ``n_samples`` rows as one label per row (the
    fold whose test set holds it, -1 for rows in no test set), and the number of folds."""
    from sklearn.model_selection import check_cv
    from sklearn.utils.metadata_routing import _manual_routing, _routing_enabled, process_routing

    if _routing_enabled():
        routed = process_routing(estimator, "fit", **params)
    else:
        routed = _manual_routing({"splitter": {}})
    placeholder = np.zeros((n_samples, 0))  # splitters need only the number of rows
    folds = list(check_cv(estimator.cv).split(placeholder, None, **routed.splitter.split))
    labels = np.full(n_samples, -1, dtype=np.int32)
    for k, (_, test) in enumerate(folds):
        if np.any(labels[test] != -1):
            raise ValueError(
                "with a dask X the test sets of cv must be disjoint (k-fold splitters, "
                "GroupKFold, PredefinedSplit, ...): every fold's training Gram matrix is the "
                "whole one minus its test set's, from one pass over the data"
            )
        labels[test] = k
    return labels, len(folds)


def _test_mse(coefs, data, test):
    """Weighted mean squared error on the rows of ``test`` (_Moments) of the models with
    ``coefs`` (n_features, n_alphas) and intercepts ``data.y_offset - data.X_offset @ coef``,
    from the test rows' moments: ``r_i = (y_i - my) - (x_i - mx)^T w + delta`` with
    ``delta = my - mx^T w - b``, so ``sum w r^2 = yy - 2 w^T xy + w^T xx w + W delta^2``
    (the centred cross terms vanish)."""
    intercepts = data.y_offset - data.X_offset @ coefs
    delta = test.my - test.mx @ coefs - intercepts
    xy = test.xy.reshape(-1)
    sums = (test.yy.reshape(-1)[0] - 2 * (xy @ coefs)
            + np.einsum("ja,jk,ka->a", coefs, test.xx, coefs) + test.weight * delta**2)
    return np.maximum(sums, 0.0) / test.weight


def _fold_path_mse(data, test, grid, l1_ratio, options):
    """One fold: the path on its training Gram matrix, then the test error per alpha."""
    from sklearn.utils import check_random_state

    from sparserecover.linear_model._base import _fit_path, _warn_not_converged

    random_state = options["random_state"]
    path = _fit_path(
        data, grid, l1_ratio, solver=options["solver"], positive=options["positive"],
        max_iter=options["max_iter"], tol=options["tol"],
        random_state=None if random_state is None else check_random_state(random_state),
        certify=False,
    )
    if not path.converged.all():
        missed = np.flatnonzero(~path.converged)
        _warn_not_converged(
            path, missed[0], grid[missed[0]] * l1_ratio, stacklevel=2,
            prefix=f"{missed.size} of {len(grid)} alphas of a fold's path: ",
        )
    return _test_mse(path.coefs[0].astype(np.float64), data, test)


def fit_cv_dask(estimator, X, y, sample_weight, params):
    """``LassoCV``/``ElasticNetCV.fit`` on a tall dask ``X``: one pass gives the moments of
    each fold's test rows; a fold's training Gram matrix is the merge of the others', its
    test error a quadratic form in its own; the refit uses the merge of all."""
    from numbers import Integral, Real

    from sklearn.utils import check_scalar
    from sklearn.utils.parallel import Parallel, delayed

    from sparserecover.linear_model._base import _alpha_grid_from_max
    from sparserecover.solvers._problem import lam_max_from_correlation

    if estimator._multi_task:
        raise TypeError(f"{type(estimator).__name__} takes NumPy arrays; a dask X is fitted "
                        "by Lasso, ElasticNet, LassoCV and ElasticNetCV")
    X, y, sample_weight, dtype = _check_tall(X, y, sample_weight, estimator)
    if y.ndim == 2:
        if y.shape[1] > 1:
            raise ValueError(f"For multi-task outputs, use MultiTask{type(estimator).__name__}")
        y = y[:, 0]
    _check_gram_solver(estimator)
    labels, n_folds = _check_folds(estimator, X.shape[0], params)
    parts = _one_pass(X, y, sample_weight, labels)
    empty = _moments(np.zeros((0, X.shape[1])), np.zeros(0), None)
    total = sum((parts[label] for label in sorted(parts)), empty)
    _record_features(estimator, X)

    l1_ratios = np.atleast_1d(getattr(estimator, "l1_ratio", 1.0))
    positive = getattr(estimator, "positive", False)
    if isinstance(estimator.alphas, Integral):
        whole = _gram_data(total, estimator.fit_intercept, np.float64, False)
        correlation = whole.gram[1]
        lam_max = lam_max_from_correlation(correlation, np.ones_like(correlation), positive)
        grids = [
            _alpha_grid_from_max(
                lam_max / (whole.weight_sum * l1_ratio) if l1_ratio > 0 else np.inf,
                (total.x_max, total.y_max), eps=estimator.eps, n_alphas=estimator.alphas,
                l1_ratio=l1_ratio,
            )
            for l1_ratio in l1_ratios
        ]
    else:
        for index, alpha in enumerate(estimator.alphas):
            check_scalar(alpha, f"alphas[{index}]", target_type=Real, min_val=0.0,
                         include_boundaries="left")
        grids = np.tile(np.sort(estimator.alphas)[::-1], (len(l1_ratios), 1))
    options = dict(
        solver=estimator.solver, positive=positive, max_iter=estimator.max_iter,
        tol=estimator.tol,
        random_state=estimator.random_state if estimator.selection == "random" else None,
    )
    folds = []
    for k in range(n_folds):
        train = sum((part for label, part in sorted(parts.items()) if label != k), empty)
        folds.append((_gram_data(train, estimator.fit_intercept, dtype, False),
                      parts.get(k, empty)))
    mse_paths = Parallel(n_jobs=estimator.n_jobs, verbose=estimator.verbose)(
        delayed(_fold_path_mse)(data, test, grid, l1_ratio, options)
        for l1_ratio, grid in zip(l1_ratios, grids)
        for data, test in folds
    )
    mse_paths = np.reshape(mse_paths, (len(l1_ratios), n_folds, -1))
    normalize = sample_weight is not None

    def refit(model):
        """The refit at the chosen penalty on the whole data's Gram matrix: no second pass."""
        data = _gram_data(total, model.fit_intercept, dtype, normalize)
        model._fit_data(data, dtype, X.shape[1], (), stacklevel=7)

    return mse_paths, grids, refit


def _predict_block(X, coef, intercept, dtype):
    return np.asarray(np.asarray(X, dtype=dtype) @ coef.T) + intercept


def predict_dask(estimator, X):
    """``estimator.predict`` of a dask ``X``, lazily: each row chunk by the NumPy formula."""
    import_dask_array()
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    dtype = _float_dtype(X.dtype, "X")
    dtype = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)
    X = X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X
    coef = np.asarray(estimator.coef_)
    out_dtype = np.result_type(dtype, coef.dtype, np.asarray(estimator.intercept_).dtype)
    if coef.ndim == 1:
        return X.map_blocks(_predict_block, coef, estimator.intercept_, dtype, drop_axis=1,
                            dtype=out_dtype, meta=np.empty((0,), dtype=out_dtype))
    return X.map_blocks(_predict_block, coef, estimator.intercept_, dtype,
                        chunks=(X.chunks[0], (coef.shape[0],)), dtype=out_dtype,
                        meta=np.empty((0, 0), dtype=out_dtype))
