"""`moderate evaluate` options checked before any evaluation code runs."""

from __future__ import annotations

from typer.testing import CliRunner

from moderation.cli import app


def test_an_unknown_part_is_a_usage_error_not_a_silent_success(monkeypatch, tmp_path):
    def never(*args, **kwargs):
        raise AssertionError("evaluate ran with an unknown --only")

    monkeypatch.setattr("moderation.evaluate.evaluate", never)
    result = CliRunner().invoke(app, ["evaluate", "--only", "foo", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--only" in result.stderr and "rules, split" in result.stderr
