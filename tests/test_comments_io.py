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


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("comma.csv", b"id,text\n1,I agree, but you are an idiot, frankly\n",
         r"comma.csv:2: row has 4 cells but the header has 2"),
        ("quote.csv", b'id,text\n1,"oops\n' + b"".join(b"%d,fine\n" % i for i in range(100)),
         r"quote.csv:2: bad CSV .*unclosed quote"),
        ("quote2.csv", b'id,text\n1,ok\n2,"oops\n3,fine\n4,"closed" later\n',
         r"quote2.csv:3: bad CSV"),
        ("deep.jsonl", b'{"text": "a"}\n' + b"[" * 100_000 + b"\n", r"deep.jsonl:2: not JSON"),
        ("digits.jsonl", b'{"text": "a", "id": ' + b"9" * 5000 + b"}\n",
         r"digits.jsonl:1: not JSON \(Exceeds the limit"),
        ("surrogate.jsonl", b'{"text": "ok"}\n{"text": "\\ud800 you"}\n',
         r"surrogate.jsonl:2: text holds a lone surrogate \(U\+D800\)"),
        ("list.jsonl", b'["text"]\n', r":1: each line must be an object"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_malformed_rows_are_named_never_cut_or_merged(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataFormatError, match=message):
        read_comments(str(path))


def test_lines_split_at_newline_only(tmp_path):
    # U+2028, U+0085, \v, \f and \x1c-\x1e are characters inside a comment, not line breaks
    inside = "one\u2028two\x85three\vfour\ffive\x1csix\x1dseven\x1eeight"
    path = tmp_path / "c.txt"
    path.write_text(f"{inside}\r\nsecond\nthird", encoding="utf-8", newline="")
    assert read_comments(str(path)) == [(1, inside), (2, "second"), (3, "third")]
    jl = tmp_path / "c.jsonl"
    jl.write_text('{"text": "a\u2028b"}\n{"text": "c"}\n', encoding="utf-8")
    assert read_comments(str(jl)) == [(1, "a\u2028b"), (2, "c")]


def test_csv_keeps_quoted_commas_and_multiline_cells(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('text,id\n"I agree, but no",1\n\n"two\nlines",2\n', encoding="utf-8")
    assert read_comments(str(path)) == [(2, "I agree, but no"), (4, "two\nlines")]
