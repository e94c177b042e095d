"""The notebooks run headless on a small real model, so they cannot rot (issue 14)."""

import shutil

import pytest

from moderation.model_files import load_rules_model, rules_model_path
from moderation.settings import PROJECT_ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
NOTEBOOKS = PROJECT_ROOT / "notebooks"


def _run(name: str) -> list[str]:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
    return ["".join(out.get("text", "")) for cell in notebook.cells if cell.cell_type == "code"
            for out in cell.get("outputs", [])]


def test_thresholds_notebook_shows_the_trade_and_saves_the_chosen_threshold(
        trained_model_dir, tmp_path, monkeypatch):
    directory = tmp_path / "models"
    shutil.copytree(trained_model_dir, directory)
    monkeypatch.setenv("MODERATION_MODELS", str(directory))
    monkeypatch.setenv("MODERATION_NOTEBOOK_SAVE", "1")
    text = "\n".join(_run("thresholds.ipynb"))
    assert "<- saved review" in text and "be_nice: saved review" in text
    chosen = float(text.split("'review': ")[1].split("}")[0])
    model, manifest = load_rules_model(rules_model_path(directory))
    assert model.thresholds["be_nice"]["review"] == chosen
    assert manifest["thresholds_history"][-1]["changes"][0]["rule"] == "be_nice"


def test_errors_notebook_lists_false_alarms_and_misses_with_their_words(trained_model_dir,
                                                                         monkeypatch):
    monkeypatch.setenv("MODERATION_MODELS", str(trained_model_dir))
    monkeypatch.setenv("MODERATION_NOTEBOOK_ROWS", "3")
    text = "\n".join(_run("errors.ipynb"))
    for title in ("toxicity: false alarms", "toxicity: misses", "be_nice: false alarms",
                  "be_nice: misses"):
        assert f"== {title}" in text
    assert "(review at" in text and "intercept" in text
