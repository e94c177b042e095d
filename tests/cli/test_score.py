"""CLI wiring of `moderate score`: formats, stdin, --page, and bad input exits."""

import json

import pytest
from typer.testing import CliRunner

from moderation.cli import app

from ..conftest import needs_data

runner = CliRunner()


@pytest.fixture()
def comments(tmp_path):
    path = tmp_path / "comments.txt"
    path.write_text("You are a stupid idiot\n\nThanks, I was there that night and saw it.\n")
    return path


@needs_data
def test_jsonl_contract(trained_model_dir, comments):
    result = runner.invoke(app, ["score", str(comments), "-m", str(trained_model_dir),
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 3]
    for row in rows:
        assert set(row) == {"line", "text", "scores", "flags", "action", "reasons"}
        assert row["scores"]["be_truthful"] is None
        assert row["action"] in ("approve", "review", "reject")
    assert rows[0]["scores"]["toxicity"] > rows[1]["scores"]["toxicity"]


@needs_data
def test_table_csv_and_stdin(trained_model_dir, comments):
    table = runner.invoke(app, ["score", str(comments), "-m", str(trained_model_dir)])
    assert table.exit_code == 0 and "not scored" in table.stdout and "idiot" in table.stdout
    as_csv = runner.invoke(app, ["score", "-", "-m", str(trained_model_dir), "-f", "csv"],
                           input=comments.read_text())
    assert as_csv.exit_code == 0
    header, *rows = as_csv.stdout.splitlines()
    assert header.startswith("line,text,action,flags,toxicity") and len(rows) == 2


@needs_data
def test_page_mode_scores_comment_lines_only(trained_model_dir, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Police said the suspect fled on foot, according to a statement.\n"
                    "3 comments\nWhat a moron, lock him up\nReply\n")
    result = runner.invoke(app, ["score", "--page", str(page), "-m", str(trained_model_dir),
                                 "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    split = runner.invoke(app, ["split", str(page), "-m",
                                str(trained_model_dir / "splitter.joblib"), "--format", "jsonl"])
    comment_lines = [r["line"] for r in map(json.loads, split.stdout.splitlines())
                     if r["kind"] == "comment"]
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == comment_lines
    assert all(r["kind"] == "comment" for r in rows)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty input"),
        ("bin.txt", b"\x7fELF\x00\x00", "binary data"),
        ("latin1.txt", b"caf\xe9", "not UTF-8"),
        ("huge.txt", b"y" * (1 << 20), "limit is 65,536"),
        ("nocol.csv", b"body\nhello\n", "no `text` column"),
    ],
    ids=["empty", "binary", "latin1", "1MB-line", "csv-without-text"],
)
def test_bad_input_exits_1_with_one_line(tmp_path, trained_model_dir, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(app, ["score", str(path), "-m", str(trained_model_dir)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_missing_and_corrupt_model(tmp_path):
    comments = tmp_path / "c.txt"
    comments.write_text("hello\n")
    missing = runner.invoke(app, ["score", str(comments), "-m", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "moderate train" in missing.stderr
    (tmp_path / "rules.joblib").write_bytes(b"garbage")
    (tmp_path / "rules.joblib.manifest.json").write_text('{"kind": "rules", "sha256": "0"}')
    corrupt = runner.invoke(app, ["score", str(comments), "-m", str(tmp_path)])
    assert corrupt.exit_code == 1 and "does not match its manifest" in corrupt.stderr


def test_unknown_format_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["score", "x.txt", "--format", "xml"])
    assert result.exit_code == 2
