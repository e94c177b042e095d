"""CLI wiring of `moderate train`: bad --data and options fail fast, before any training."""

from typer.testing import CliRunner

from moderation.cli import app

runner = CliRunner()


def test_site_data_with_bad_labels_fails_and_keeps_the_old_model(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "rules.npz").write_bytes(b"previous")
    data = tmp_path / "mine.csv"
    data.write_text("text,be_nice\nYou fool,yes\n")
    result = runner.invoke(app, ["train", "--data", str(data), "--out", str(models)])
    assert result.exit_code == 1
    assert "label 'be_nice' is 'yes'" in result.stderr and "mine.csv:2" in result.stderr
    assert (models / "rules.npz").read_bytes() == b"previous"


def test_missing_data_dir_is_one_line(tmp_path):
    result = runner.invoke(app, ["train", "--only", "rules", "--data-dir", str(tmp_path / "x"),
                                 "--out", str(tmp_path)])
    assert result.exit_code == 1 and result.stderr.startswith("error: data set")


def test_bad_only_is_a_usage_error():
    assert runner.invoke(app, ["train", "--only", "everything"]).exit_code == 2
