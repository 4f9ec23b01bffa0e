"""
The command line: a LASSO solve from files
==========================================

The ``sparserecover`` command (also ``python -m sparserecover``) solves, denoises and checks
from the shell, on ``.npy``, ``.npz``, ``.csv``, ``.txt`` and ``.mtx`` files. This script writes
a small compressed-sensing problem to files, runs the command on them as a shell would (each
command is shown after ``$``, followed by what it printed), and plots the solution it wrote:

* ``--lam auto`` picks the penalty by 5-fold cross-validation;
* ``--lam 0.05x`` asks for 5 % of ``lam_max`` (above ``lam_max``, the solution is zero) and
  ``--verify`` checks the answer against an independent cvxpy solve;
* ``-o -`` writes the solution to standard output, as CSV, for the next command of a pipe
  (the report then goes to standard error).

The report goes to stdout, progress bars (for long work, on a terminal) and warnings to stderr;
the exit status is 0 on success, 3 when the solver did not converge (``--help`` lists all).
The figure is ``plot_command_line.png`` (in the directory given as the first argument, else
``$SPARSERECOVER_FIGURE_DIR``, else next to this script).
"""

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import sparserecover

folder = Path(tempfile.mkdtemp())
# run the same sparserecover as this script imports
environment = {**os.environ, "PYTHONPATH": str(Path(sparserecover.__file__).parents[1])}


def shell(command, lines=20):
    """Run ``sparserecover ARGS`` in the data folder, show it and (the first ``lines`` lines
    of) its output; return stdout."""
    print(f"$ {command}")
    arguments = shlex.split(command)[1:]
    done = subprocess.run([sys.executable, "-m", "sparserecover", *arguments], cwd=folder,
                          env=environment, capture_output=True, text=True)
    output = (done.stdout + done.stderr).splitlines()
    more = f"\n... ({len(output)} lines)" if len(output) > lines else ""
    print("\n".join(output[:lines]) + more)
    if done.returncode:
        print(f"(exit status {done.returncode})")
    print()
    return done.stdout


# %%
# The data: 80 measurements of 200 coefficients, 6 of them nonzero, with noise. ``y`` goes to a
# CSV file with a header line, as a spreadsheet would export it.
rng = np.random.default_rng(3)
A = rng.standard_normal((80, 200))
x_true = np.zeros(200)
x_true[rng.choice(200, 6, replace=False)] = rng.choice([-2.0, 2.0], 6) * rng.uniform(0.5, 1, 6)
y = A @ x_true + 0.3 * rng.standard_normal(80)
np.save(folder / "A.npy", A)
np.savetxt(folder / "y.csv", y, header="measurement", comments="")

# %%
# A penalty chosen by cross-validation, the solution written to ``x.csv``:
shell("sparserecover solve A.npy y.csv --lam auto -o x.csv")

# %%
# A fixed fraction of ``lam_max``, checked against cvxpy:
shell("sparserecover solve A.npy y.csv --lam 0.05x --verify")

# %%
# The solution on standard output, the report on standard error (here: ``--quiet``):
text = shell("sparserecover solve A.npy y.csv --lam 0.05x -o - --quiet", lines=5)
x_fraction = np.loadtxt(text.splitlines(), delimiter=",")

fig, ax = plt.subplots(figsize=(10, 3.6), layout="constrained")
support = np.flatnonzero(x_true)
ax.stem(support, x_true[support], linefmt="k-", markerfmt="ko", basefmt=" ", label="true x")
ax.plot(np.loadtxt(folder / "x.csv", delimiter=","), "C0", lw=1.2, label="--lam auto")
ax.plot(x_fraction, "C3--", lw=1, label="--lam 0.05x")
ax.axhline(0, color="0.6", lw=0.5)
ax.set(xlabel="coefficient", ylabel="value", title="Solutions written by sparserecover solve")
ax.legend()

if len(sys.argv) > 1:
    output_dir = Path(sys.argv[1])
else:
    output_dir = Path(os.environ.get("SPARSERECOVER_FIGURE_DIR", Path(__file__).resolve().parent))
path = output_dir / "plot_command_line.png"
fig.savefig(path, dpi=110)
print(f"saved {path.name}")
