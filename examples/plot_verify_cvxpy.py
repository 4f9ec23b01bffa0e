"""
Checking solutions against cvxpy
================================

:mod:`sparserecover.verify` checks a LASSO solution two independent ways: cvxpy solves the
same problem with entirely different code (:func:`~sparserecover.verify.lasso`), and
:func:`~sparserecover.verify.check_lasso` computes the certificate of any candidate, its
duality gap and the violation of the optimality (KKT) conditions.

Here FISTA and coordinate descent solve a problem over a range of penalties, the plain LASSO
and its nonnegative version, and each solution is checked:

* left: the coefficients of FISTA against cvxpy's, one dot per coefficient and penalty: all on
  the diagonal;
* right: for each penalty, the duality gap of FISTA's solution, an upper bound on how far its
  objective is above the optimum, computed from the solution alone, and the distance between
  FISTA's objective and cvxpy's. The gap is below the tolerance ``1e-8 * objective`` the
  solver was asked for (dotted), and FISTA's objective is never above cvxpy's (the table's
  negative ``P - P_cvxpy``): what remains at this level is the interior-point solver's own
  error.

The figure is ``plot_verify_cvxpy.png`` (in the directory given as the first argument, else
``$SPARSERECOVER_FIGURE_DIR``, else next to this script).
"""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import sparserecover as sr
from sparserecover.solvers import coordinate_descent
from sparserecover.verify import check_lasso, lasso

quick = bool(os.environ.get("SPARSERECOVER_EXAMPLES_QUICK"))
rng = np.random.default_rng(0)
A = rng.standard_normal((40, 100))
x_true = np.zeros(100)
x_true[[3, 30, 77, 91]] = [1.5, -2.0, 1.0, 0.5]
y = A @ x_true + 0.05 * rng.standard_normal(40)
lam_max = np.max(np.abs(A.T @ y))
fractions = np.logspace(-2.5, -0.3, 5 if quick else 12)

# %%
# Solve and check each problem; print the certificate of each solution.
rows = []
print(f"{'lam/lam_max':>11} {'positive':>8} {'solver':>6} {'gap':>9} {'P - P_cvxpy':>12} "
      f"{'KKT':>9} {'max |x - x_cvxpy|':>17}")
for positive in (False, True):
    for fraction in fractions:
        lam = fraction * lam_max
        reference = lasso(A, y, lam, positive=positive)
        for name, solve in (("fista", sr.fista), ("cd", coordinate_descent)):
            x = solve(A, y, lam, positive=positive, tol=1e-8).x
            check = check_lasso(x, A, y, lam, positive=positive, reference=reference)
            distance = np.abs(x - reference).max()
            rows.append((positive, name, fraction, check, x, reference))
            print(f"{fraction:11.4f} {positive!s:>8} {name:>6} {check.duality_gap:9.1e} "
                  f"{check.objective_gap:12.1e} {check.kkt_violation:9.1e} {distance:17.1e}")

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
for positive, marker in ((False, "o"), (True, "s")):
    xs = np.concatenate([x for p, name, _, _, x, _ in rows if p == positive and name == "fista"])
    refs = np.concatenate([r for p, name, _, _, _, r in rows if p == positive and name == "fista"])
    left.plot(refs, xs, marker, ms=4, alpha=0.6, label="positive" if positive else "LASSO")
limits = left.get_xlim()
left.plot(limits, limits, "k-", lw=0.5)
left.set(xlabel="cvxpy's coefficient", ylabel="FISTA's coefficient",
         title="Every coefficient of every solution")
left.legend()
for positive, colour in ((False, "C0"), (True, "C1")):
    chosen = [(f, c) for p, name, f, c, _, _ in rows if p == positive and name == "fista"]
    label = "nonnegative" if positive else "LASSO"
    right.loglog([f for f, _ in chosen], [c.duality_gap for _, c in chosen], "-",
                 color=colour, label=f"duality gap, {label}")
    right.loglog([f for f, _ in chosen], [max(abs(c.objective_gap), 1e-16) for _, c in chosen],
                 "o", color=colour, label=f"|P(FISTA) - P(cvxpy)|, {label}")
    right.loglog([f for f, _ in chosen], [1e-8 * c.objective for _, c in chosen], ":",
                 color=colour, label=f"tolerance 1e-8 P, {label}")
right.set(xlabel="lam / lam_max", ylabel="objective units",
          title="FISTA's certificate and the distance to cvxpy")
right.legend(fontsize="small")

if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
path = output_dir / "plot_verify_cvxpy.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
