"""README's two commands are the ones CI and users actually run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", quick_start, flags=re.S)


def test_quick_start_has_exactly_the_two_commands():
    # Run one after the other in one folder, as a user would: the demo's install, then the
    # editable one over it (which only works if the first left nothing in site-packages).
    assert _readme_commands() == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/sparserecover demo",
        'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" '
        "&& .venv/bin/python -m pytest",
    ]


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_the_taste_of_the_api_runs():
    text = (ROOT / "README.md").read_text()
    section = text.split("## A taste of the API", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)\n```", section, flags=re.S)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    # the values the README's comments promise
    np = namespace["np"]
    np.testing.assert_array_equal(namespace["x"], [-1.5, 0.0, 0.0, 0.0, 1.5])
    assert namespace["result"].converged
    assert namespace["result"].gap <= 1e-6 * namespace["result"].objective
    assert abs(namespace["sr"].estimate_noise(namespace["noisy"]) - 0.2) < 0.02
