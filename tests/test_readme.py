"""README's two commands are the ones CI and users actually run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", quick_start, flags=re.S)


def test_quick_start_has_exactly_two_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    assert "sparserecover demo" in commands[0]
    assert "pytest" in commands[1]


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
