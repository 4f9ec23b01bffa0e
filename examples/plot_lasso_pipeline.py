"""
Sparse regression in a scikit-learn pipeline
============================================

The diabetes data that scikit-learn ships (442 patients, 10 standardized measurements, disease
progression one year later) fitted three ways, each inside a ``Pipeline`` with a
``StandardScaler``:

* :class:`sparserecover.LassoCV` picks ``alpha`` by 5-fold cross-validation along a
  warm-started path;
* :class:`sparserecover.IHTRegressor` keeps exactly ``k`` features, ``k`` chosen by
  ``GridSearchCV``;
* the whole lasso path (:func:`sparserecover.lasso_path`) shows the order in which features
  enter the model.

The figure ``plot_lasso_pipeline.png`` (written to the directory given as the first argument,
else ``$SPARSERECOVER_FIGURE_DIR``, else next to this script) has the coefficient paths, the
cross-validated error curve and the coefficients of the two selected models.
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sparserecover as sr

data = load_diabetes()
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.25, random_state=0
)

# %%
# Lasso with alpha chosen by cross-validation
lasso = make_pipeline(StandardScaler(), sr.LassoCV(cv=5)).fit(X_train, y_train)
lasso_cv = lasso[-1]
print(f"LassoCV: alpha_ = {lasso_cv.alpha_:.4f}, "
      f"{np.count_nonzero(lasso_cv.coef_)} of {X_train.shape[1]} features, "
      f"test R^2 = {lasso.score(X_test, y_test):.3f}")

# %%
# The estimators are scikit-learn estimators: in a notebook (or on this page) a fitted
# pipeline shows itself as a diagram, each step with its parameters as an HTML table (click a
# step to unfold it); the parameters that differ from the defaults are highlighted.
lasso

# %%
# k-sparse least squares, k chosen by grid search
iht = GridSearchCV(
    make_pipeline(StandardScaler(), sr.IHTRegressor()),
    {"ihtregressor__n_nonzero_coefs": range(1, 11)},
    cv=5,
).fit(X_train, y_train)
iht_model = iht.best_estimator_[-1]
print(f"IHTRegressor: k = {iht_model.n_nonzero_coefs_}, "
      f"test R^2 = {iht.score(X_test, y_test):.3f}")

# %%
# The lasso path on the same standardized, centred data, over LassoCV's grid. The solvers
# use lam = alpha * n_samples (the estimators' 1 / (2 n_samples) scaling).
X_scaled = lasso[0].transform(X_train)
X_centred = X_scaled - X_scaled.mean(axis=0)
y_centred = y_train - y_train.mean()
lams, coefs, _ = sr.lasso_path(X_centred, y_centred, lasso_cv.alphas_ * len(y_train))
alphas = lams / len(y_train)

fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
ax = axes[0]
for name, path in zip(data.feature_names, coefs):
    ax.semilogx(alphas, path, label=name)
ax.axvline(lasso_cv.alpha_, color="k", linestyle="--", linewidth=1, label="alpha_ (CV)")
ax.invert_xaxis()
ax.set(xlabel="alpha", ylabel="coefficient", title="Lasso path (standardized features)")
ax.legend(fontsize=7, ncol=2)

ax = axes[1]
mse = lasso_cv.mse_path_
ax.semilogx(lasso_cv.alphas_, mse, color="0.7", linewidth=0.8)
ax.semilogx(lasso_cv.alphas_, mse.mean(axis=1), color="k", linewidth=2, label="mean of folds")
ax.axvline(lasso_cv.alpha_, color="k", linestyle="--", linewidth=1)
ax.invert_xaxis()
ax.set(xlabel="alpha", ylabel="test mean squared error", title="LassoCV, 5 folds")
ax.legend()

ax = axes[2]
position = np.arange(len(data.feature_names))
ax.barh(position - 0.2, lasso_cv.coef_, height=0.4, label=f"Lasso, alpha={lasso_cv.alpha_:.3f}")
ax.barh(position + 0.2, iht_model.coef_, height=0.4, label=f"IHT, k={iht_model.n_nonzero_coefs_}")
ax.set_yticks(position, data.feature_names)
ax.axvline(0, color="k", linewidth=0.5)
ax.set(xlabel="coefficient", title="Selected models")
ax.legend(fontsize=8)

fig.tight_layout()
if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
path = output_dir / "plot_lasso_pipeline.png"
fig.savefig(path, dpi=120)
print(f"saved {path.name}")
