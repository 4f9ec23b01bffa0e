"""scikit-learn's estimator API, with scikit-learn imported only when its machinery is used.

Importing any part of scikit-learn imports ``sklearn.base``, whose ``sklearn.utils.fixes``
imports ``scipy.stats`` and pandas: 1.3-1.7 s of a fresh process on the 2-core CI machine,
against 0.1-0.2 s for everything a small Lasso fit itself needs (issue 7 measured the whole
process of "import, then fit a Lasso on 50 x 200"). The linear estimators therefore derive
from :class:`LazyRegressor` rather than ``BaseEstimator``, and

- implement here what a plain fit and predict touch: parameter checks for values that are
  plainly valid, data checks for float ndarrays (:func:`validate_float_data`), the
  ``get_params``/``set_params`` protocol, ``repr`` and the tags;
- hand everything else to scikit-learn itself, imported at that moment: a parameter or array
  that is not plainly valid goes through scikit-learn's own validation (so the errors, the
  conversions of lists, integers and DataFrames, and the feature-name checks are exactly
  scikit-learn's), as do sample weights, ``score`` and metadata routing.

Cloning, pipelines, grid searches and ``check_estimator`` work through the same protocol
(``get_params``, ``__sklearn_tags__``, ``get_metadata_routing``); scikit-learn's
``check_estimator`` only warns that the class does not inherit from ``BaseEstimator``.
"""

import inspect
import math
import sys
from numbers import Integral, Real
from typing import ClassVar

import numpy as np

from sparserecover._validation import sum_is_finite

# scikit-learn's sentinel for "leave this request as it is" (sklearn.utils.metadata_routing
# .UNCHANGED); repeated so that the signatures below need no import
_UNCHANGED = "$UNCHANGED$"

# validate_data's default y: there is no target to check
_NO_Y = "no_validation"

_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _plainly_satisfies(value, constraint):
    """Whether ``value`` certainly meets ``constraint``, one of scikit-learn's forms below.

    ``("real" | "int", low, high, closed)`` (an ``Interval``), ``("options", set)`` (a
    ``StrOptions``), a type (an instance of it), ``"boolean"`` and ``None``. False means "not
    certain": scikit-learn's validation then decides, so this may only ever be stricter than
    scikit-learn.
    """
    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        return isinstance(value, constraint) and not isinstance(value, (bool, np.bool_))
    if constraint == "boolean":
        return isinstance(value, (bool, np.bool_))
    if isinstance(constraint, str):  # "array-like", "cv_object", ...: scikit-learn decides
        return False
    kind = constraint[0]
    if kind == "options":
        return isinstance(value, str) and value in constraint[1]
    if isinstance(value, (bool, np.bool_)):
        return False
    if kind == "int" and not isinstance(value, Integral):
        return False
    if kind == "real" and not isinstance(value, Real):
        return False
    _, low, high, closed = constraint
    if kind == "real" and not math.isfinite(value):
        return False
    above = low is None or (value >= low if closed in ("left", "both") else value > low)
    below = high is None or (value <= high if closed in ("right", "both") else value < high)
    return above and below


def _sklearn_constraint(constraint):
    """The scikit-learn constraint object for one of ``_plainly_satisfies``'s forms."""
    from sklearn.utils._param_validation import Interval, StrOptions

    if constraint is None or isinstance(constraint, (str, type)):
        return constraint
    if constraint[0] == "options":
        return StrOptions(set(constraint[1]))
    kind, low, high, closed = constraint
    return Interval(Integral if kind == "int" else Real, low, high, closed=closed)


class _ParameterConstraints:
    """``_parameter_constraints`` of a class, built from its ``_plain_constraints`` on first
    read: scikit-learn's constraint objects cannot exist before scikit-learn is imported."""

    def __get__(self, instance, owner):
        return {
            name: [_sklearn_constraint(c) for c in constraints]
            for name, constraints in owner._plain_constraints.items()
        }


class LazyRegressor:
    """A scikit-learn regressor (``RegressorMixin`` + ``BaseEstimator``) without the import.

    Subclasses list their parameters' constraints in ``_plain_constraints`` (parameter ->
    list of the forms of ``_plainly_satisfies``, any of which may hold), store their
    ``__init__`` arguments unchanged, call ``self._validate_params()`` first in ``fit`` and
    ``validate_float_data`` on their inputs.
    """

    _plain_constraints: ClassVar[dict] = {}
    _parameter_constraints = _ParameterConstraints()

    # ------------------------------------------------------------------ parameters

    @classmethod
    def _get_param_names(cls):
        """The ``__init__`` keywords, sorted (``BaseEstimator._get_param_names``)."""
        signature = inspect.signature(cls.__init__)
        parameters = [
            p for p in signature.parameters.values()
            if p.name != "self" and p.kind != p.VAR_KEYWORD
        ]
        if any(p.kind == p.VAR_POSITIONAL for p in parameters):
            raise RuntimeError(
                f"scikit-learn estimators should always specify their parameters in the "
                f"signature of their __init__ (no varargs); {cls} does not"
            )
        return sorted(p.name for p in parameters)

    def get_params(self, deep=True):
        """Get parameters for this estimator.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators (none here take any).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            params[name] = value
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
            Estimator instance.
        """
        from sklearn.base import BaseEstimator

        return BaseEstimator.set_params(self, **params)

    def _validate_params(self):
        """Check the parameters against ``_parameter_constraints``; plainly valid values
        pass without scikit-learn, anything else gets scikit-learn's verdict and error."""
        if all(
            any(_plainly_satisfies(getattr(self, name), c) for c in constraints)
            for name, constraints in self._plain_constraints.items()
        ):
            return
        from sklearn.utils._param_validation import validate_parameter_constraints

        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )

    def __repr__(self):
        # scikit-learn's repr: the parameters, sorted (only those that differ from __init__'s
        # defaults unless set_config(print_changed_only=False), which needs scikit-learn to
        # have been imported), wrapped at 80 columns under the opening parenthesis
        sklearn = sys.modules.get("sklearn")
        changed_only = sklearn is None or sklearn.get_config()["print_changed_only"]
        defaults = {
            name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        items = [
            f"{name}={getattr(self, name)!r}"
            for name in self._get_param_names()
            if not changed_only
            or defaults[name] is inspect.Parameter.empty
            or repr(getattr(self, name)) != repr(defaults[name])
        ]
        prefix = f"{type(self).__name__}("
        lines = [prefix]
        for i, item in enumerate(items):
            item += ")" if i == len(items) - 1 else ","
            if lines[-1] == prefix:
                lines[-1] += item
            elif len(lines[-1]) + 1 + len(item) < 80:
                lines[-1] += " " + item
            else:
                lines.append(" " * len(prefix) + item)
        return "\n".join(lines) if items else prefix + ")"

    # ------------------------------------------------------------------ tags and scoring

    def __sklearn_tags__(self):
        """scikit-learn's tags of a regressor (``RegressorMixin``); subclasses refine them."""
        from sklearn.utils import RegressorTags, Tags, TargetTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True),
            transformer_tags=None,
            regressor_tags=RegressorTags(),
            classifier_tags=None,
        )

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R^2 of ``self.predict(X)`` against ``y``.

        scikit-learn's ``RegressorMixin.score``: ``1 - u / v`` with ``u`` the residual sum of
        squares and ``v`` the total sum of squares of ``y``; several targets are averaged
        uniformly.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            True values for ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` with respect to ``y``.
        """
        from sklearn.metrics import r2_score

        return r2_score(y, self.predict(X), sample_weight=sample_weight)

    # ------------------------------------------------------------------ metadata routing

    def get_metadata_routing(self):
        """Get the metadata routing of this estimator: ``fit`` and ``score`` consume
        ``sample_weight`` (see scikit-learn's metadata routing user guide).

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRequest
            The requests set with ``set_fit_request`` and ``set_score_request``; unset
            requests raise if the metadata is passed, as in scikit-learn.
        """
        from sklearn.utils.metadata_routing import MetadataRequest, get_routing_for_object

        if hasattr(self, "_metadata_request"):
            return get_routing_for_object(self._metadata_request)
        request = MetadataRequest(owner=self)
        for method in ("fit", "score"):
            getattr(request, method).add_request(param="sample_weight", alias=None)
        return request

    def set_fit_request(self, *, sample_weight=_UNCHANGED):
        """Request metadata passed to ``fit`` (only with metadata routing enabled).

        Parameters
        ----------
        sample_weight : str, True, False, or None, default=sklearn.utils.metadata_routing.UNCHANGED
            Whether ``sample_weight`` is passed to ``fit`` (True), not passed (False),
            raises if given (None), or is taken from a metadata of this name (str).

        Returns
        -------
        self : object
            The estimator.
        """
        return self._set_request("fit", sample_weight)

    def set_score_request(self, *, sample_weight=_UNCHANGED):
        """Request metadata passed to ``score`` (only with metadata routing enabled).

        Parameters
        ----------
        sample_weight : str, True, False, or None, default=sklearn.utils.metadata_routing.UNCHANGED
            Whether ``sample_weight`` is passed to ``score`` (True), not passed (False),
            raises if given (None), or is taken from a metadata of this name (str).

        Returns
        -------
        self : object
            The estimator.
        """
        return self._set_request("score", sample_weight)

    def _set_request(self, method, sample_weight):
        import sklearn

        if not sklearn.get_config()["enable_metadata_routing"]:
            raise RuntimeError(
                "This method is only available when metadata routing is enabled. You can "
                "enable it using sklearn.set_config(enable_metadata_routing=True)."
            )
        request = self.get_metadata_routing()
        if sample_weight != _UNCHANGED:
            getattr(request, method).add_request(param="sample_weight", alias=sample_weight)
        self._metadata_request = request
        return self


def check_fitted(estimator, attribute):
    """scikit-learn's ``check_is_fitted``, imported only when ``attribute`` is missing."""
    if not hasattr(estimator, attribute):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(estimator, attribute)


def _plain_float_array(a, ndims):
    """Whether ``a`` is an ndarray scikit-learn would accept unchanged as float input:
    float64/float32 in native byte order, ``ndim`` in ``ndims``, no empty axis, finite."""
    if not (
        type(a) is np.ndarray
        and a.ndim in ndims
        and a.dtype in _FLOAT_DTYPES
        and a.dtype.isnative
        and 0 not in a.shape
    ):
        return False
    # an overflowing sum of finite values is left to scikit-learn's check
    return sum_is_finite(a)


def validate_float_data(estimator, X, y=_NO_Y, *, reset, multi_output=True):
    """scikit-learn's ``validate_data(estimator, X[, y], accept_sparse=("csr", "csc"),
    dtype=(np.float64, np.float32), multi_output=..., y_numeric=True, reset=...)``.

    Float ndarrays that scikit-learn would return unchanged are checked here (and returned
    as they are, with ``n_features_in_`` set or compared as scikit-learn does); any other
    input (lists, integers, DataFrames, sparse matrices, NaN, wrong shapes, an estimator
    fitted with feature names) goes to scikit-learn's ``validate_data``, imported then.
    """
    no_y = isinstance(y, str) and y == _NO_Y
    plain = _plain_float_array(X, (2,))
    if not no_y:  # (y=None goes to scikit-learn, which says that y is required)
        plain = plain and _plain_float_array(y, (1, 2) if multi_output else (1,))
        plain = plain and y.shape[0] == X.shape[0]
    if plain and reset:
        estimator.n_features_in_ = X.shape[1]
        # fitted without names: scikit-learn forgets the names of an earlier fit
        vars(estimator).pop("feature_names_in_", None)
        return X if no_y else (X, y)
    if plain and not hasattr(estimator, "feature_names_in_"):
        plain = X.shape[1] == getattr(estimator, "n_features_in_", None)
        if plain:
            return X if no_y else (X, y)

    from sklearn.utils.validation import validate_data

    options = dict(accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=reset)
    if no_y:
        return validate_data(estimator, X, **options)
    return validate_data(estimator, X, y, multi_output=multi_output, y_numeric=True, **options)
