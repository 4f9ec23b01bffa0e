"""Every examples/paper_*.py runs (small sizes) and saves its figure."""

import runpy
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("paper_*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs_and_saves_figure(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SPARSERECOVER_EXAMPLES_QUICK", "1")
    monkeypatch.setattr("sys.argv", [str(script), str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    figure = tmp_path / f"{script.stem}.png"
    assert figure.stat().st_size > 10_000
    assert f"saved {figure.name}" in capsys.readouterr().out  # the name: no machine path


def test_all_paper_examples_found():
    assert {path.stem for path in EXAMPLES} >= {
        "paper_masks", "paper_spectra", "paper_components", "paper_reconstruction",
        "paper_iterations", "paper_softplus",
    }
