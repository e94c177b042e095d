"""CLI wiring of `moderate score`: formats, stdin, --page, and bad input exits."""

import json

import pytest
from typer.testing import CliRunner

from moderation.cli import app

runner = CliRunner()


@pytest.fixture()
def comments(tmp_path):
    path = tmp_path / "comments.txt"
    path.write_text("You are a stupid idiot\n\nThanks, I was there that night and saw it.\n")
    return path


def test_jsonl_contract(fixture_model_dir, comments):
    result = runner.invoke(app, ["score", str(comments), "-m", str(fixture_model_dir),
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 3]
    for row in rows:
        assert set(row) == {"line", "text", "scores", "flags", "action", "reasons"}
        assert row["scores"]["be_truthful"] is None
        assert row["action"] in ("approve", "review", "reject")
    assert rows[0]["scores"]["toxicity"] > rows[1]["scores"]["toxicity"]


def test_table_csv_and_stdin(fixture_model_dir, comments):
    table = runner.invoke(app, ["score", str(comments), "-m", str(fixture_model_dir)])
    assert table.exit_code == 0 and "not scored" in table.stdout and "idiot" in table.stdout
    as_csv = runner.invoke(app, ["score", "-", "-m", str(fixture_model_dir), "-f", "csv"],
                           input=comments.read_text())
    assert as_csv.exit_code == 0
    header, *rows = as_csv.stdout.splitlines()
    assert header.startswith("line,text,action,flags,toxicity") and len(rows) == 2


def test_page_mode_scores_comment_lines_only(fixture_model_dir, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Police said the suspect fled on foot, according to a statement.\n"
                    "3 comments\nWhat a moron, lock him up\nReply\n"
                    "I heard the sirens from my kitchen window.\nReply\n")
    result = runner.invoke(app, ["score", "--page", str(page), "-m", str(fixture_model_dir),
                                 "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    split = runner.invoke(app, ["split", str(page), "-m", str(fixture_model_dir),
                                "--format", "jsonl"])
    comment_lines = [r["line"] for r in map(json.loads, split.stdout.splitlines())
                     if r["kind"] == "comment"]
    assert comment_lines  # else the check below is empty
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
def test_bad_input_exits_1_with_one_line(tmp_path, fixture_model_dir, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(app, ["score", str(path), "-m", str(fixture_model_dir)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_missing_and_corrupt_model(tmp_path):
    comments = tmp_path / "c.txt"
    comments.write_text("hello\n")
    missing = runner.invoke(app, ["score", str(comments), "-m", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "moderate train" in missing.stderr
    (tmp_path / "rules.npz").write_bytes(b"garbage")
    from moderation.persist import metadata_sha256

    (tmp_path / "rules.npz.manifest.json").write_text(
        '{"kind": "rules", "format": 3, "model": {}, "sha256": "0", '
        f'"model_sha256": "{metadata_sha256({})}"}}')
    corrupt = runner.invoke(app, ["score", str(comments), "-m", str(tmp_path)])
    assert corrupt.exit_code == 1 and "does not match its manifest" in corrupt.stderr
    (tmp_path / "rules.npz.manifest.json").write_text("[1, 2]")
    listed = runner.invoke(app, ["score", str(comments), "-m", str(tmp_path)])
    assert listed.exit_code == 1 and "not a JSON object" in listed.stderr
    assert len(listed.stderr.strip().splitlines()) == 1


def test_an_old_pickle_model_is_never_loaded(tmp_path):
    comments = tmp_path / "c.txt"
    comments.write_text("hello\n")
    (tmp_path / "rules.joblib").write_bytes(b"pickle")
    result = runner.invoke(app, ["score", str(comments), "-m", str(tmp_path)])
    assert result.exit_code == 1 and "never loaded" in result.stderr


def test_bad_input_is_reported_before_the_model_loads(tmp_path, monkeypatch):
    import moderation.hook

    def no_load(*args, **kwargs):
        raise AssertionError("the model was loaded before the input was checked")

    monkeypatch.setattr(moderation.hook.Moderator, "load", no_load)
    bad = tmp_path / "c.csv"
    bad.write_text("id,text\n1,I agree, but you are an idiot, frankly\n")
    result = runner.invoke(app, ["score", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {bad}:2: row has 4 cells but the header has 2 "
                                     "(an unquoted comma? quote the text)")
    empty = tmp_path / "page.txt"
    empty.write_text("")
    assert runner.invoke(app, ["score", "--page", str(empty)]).exit_code == 1


def test_output_cannot_drive_a_terminal_or_a_spreadsheet(fixture_model_dir, tmp_path):
    comments = tmp_path / "c.txt"
    comments.write_bytes(b"a \x1b]0;pwned\x07 idiot \xe2\x80\xae reversed\n"
                         b"=HYPERLINK(\"http://x\",\"click\")\n")
    table = runner.invoke(app, ["score", str(comments), "-m", str(fixture_model_dir)])
    assert table.exit_code == 0, table.output
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout
    assert "\u202e" not in table.stdout
    assert "\\x1b]0;pwned\\x07" in table.stdout and "\\u202e" in table.stdout
    as_csv = runner.invoke(app, ["score", str(comments), "-m", str(fixture_model_dir),
                                 "-f", "csv"])
    import csv
    import io

    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[2][1] == "'=HYPERLINK(\"http://x\",\"click\")"


def test_unknown_format_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["score", "x.txt", "--format", "xml"])
    assert result.exit_code == 2


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_error_line(fixture_model_dir, comments):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "moderation", "score", str(comments), "-m",
                               str(fixture_model_dir)], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: [Errno 28] cannot write the output: No space left on device"]
