import io

import pytest
from typer.testing import CliRunner

from moderation import progress
from moderation.cli import app


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _off():
    yield
    progress.disable()


def test_stages_are_shown_on_a_terminal_with_their_time():
    out = Terminal()
    assert progress.enable(stream=out)
    with progress.stage("rules: fitting"):
        pass
    assert "rules: fitting ... done in" in out.getvalue()


def test_nothing_is_shown_off_a_terminal_when_quiet_or_when_never_enabled(capsys):
    assert not progress.enable(stream=io.StringIO())
    with progress.stage("rules: fitting"):
        pass
    out = Terminal()
    assert not progress.enable(quiet=True, stream=out)
    with progress.stage("rules: fitting"):
        pass
    assert out.getvalue() == "" and capsys.readouterr() == ("", "")


def test_a_failed_stage_is_not_reported_done_and_its_error_goes_through():
    out = Terminal()
    progress.enable(stream=out)
    with pytest.raises(ValueError), progress.stage("split: fitting"):
        raise ValueError("bad page")
    assert "done" not in out.getvalue()


def test_train_and_evaluate_take_quiet(monkeypatch):
    monkeypatch.setattr("moderation.perturb.evaluate_model_perturbations",
                        lambda model, data_dir, seed=0: [])
    assert CliRunner().invoke(app, ["evaluate", "--perturb", "--quiet"]).exit_code == 0
    result = CliRunner().invoke(app, ["train", "--only", "nonsense", "-q"])
    assert result.exit_code != 0 and "--only" in result.stderr  # parsed -q, refused --only
