import pytest

from moderation.comments_io import read_comments
from moderation.errors import DataFormatError


def test_plain_text_keeps_line_numbers(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("first\n\n  \nsecond\n")
    assert read_comments(str(path)) == [(1, "first"), (4, "second")]


def test_jsonl_and_csv(tmp_path):
    jl = tmp_path / "c.jsonl"
    jl.write_text('{"text": "a", "id": 1}\n\n{"text": "b"}\n')
    assert read_comments(str(jl)) == [(1, "a"), (3, "b")]
    cs = tmp_path / "c.csv"
    cs.write_text('id,text\n1,"multi\nline"\n2,plain\n')
    assert read_comments(str(cs)) == [(2, "multi\nline"), (4, "plain")]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty input"),
        ("blank.txt", b"\n  \n", "empty input"),
        ("bin.txt", b"ok\n\x00\x01\x02", r":2: binary data"),
        ("latin.txt", b"ok\ncaf\xe9\n", r":2: not UTF-8"),
        ("long.txt", b"short\n" + b"x" * (1 << 20) + b"\n", r":2: comment is 1,048,576 characters"),
        ("nocol.csv", b"id,body\n1,hello\n", "no `text` column"),
        ("bad.jsonl", b'{"text": "a"}\n{"text": 3}\n', r":2: each line must be an object"),
        ("broken.jsonl", b'{"text": "a"\n', r":1: not JSON"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_bad_input_is_one_clear_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataFormatError, match=message):
        read_comments(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="no such file"):
        read_comments(str(tmp_path / "nope.txt"))
