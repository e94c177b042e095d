"""`score_archive` on a real LocalCluster (2 worker processes on 127.0.0.1): same verdicts as
`moderate score`, bad rows kept in place, a failed run resumed without duplicates or gaps."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client
from typer.testing import CliRunner

from moderation import archive
from moderation.archive import ArchiveError, score_archive
from moderation.cli import app
from moderation.errors import DataFormatError

runner = CliRunner()

TEXTS = [
    "You are a stupid idiot and everyone knows it",
    "Thanks for the reporting, I was there that night and saw it happen.",
    "What a load of crap, this paper is garbage",
    "I will find you and hurt you",
    "My grandmother lived on that street for forty years; the fire changed everything.",
    "ok",
    "a",
    "Shut up moron",
    "The council vote was 7 to 2, according to the minutes linked in the article.",
    "Go back to where you came from you disgusting pig",
]


def corpus(n: int) -> list[str]:
    return [f"{TEXTS[i % len(TEXTS)]} (#{i})" if i % 3 else TEXTS[i % len(TEXTS)]
            for i in range(n)]


@pytest.fixture(scope="module")
def client():
    """One real cluster for the module: the one score-archive starts, 2 single-threaded worker
    processes on loopback."""
    cluster = archive.local_cluster(2)
    client = Client(cluster)
    # the cluster's own processes (workers and their nannies); other tests' helpers, such as
    # joblib's reusable loky workers, are not the cluster's to close
    started = set(client.run(os.getpid).values()) | {
        process.pid for process in psutil.Process().children(recursive=True)
        if any(pid in {c.pid for c in process.children(recursive=True)}
               for pid in client.run(os.getpid).values())}
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            leaked = [pid for pid in started if psutil.pid_exists(pid)
                      and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
            if not leaked:
                break
            time.sleep(0.2)
        assert not leaked, f"worker processes left running: {leaked}"


def read_output(directory: Path) -> pd.DataFrame:
    """The partitioned output read back in partition order (as the README shows)."""
    return pd.read_parquet(directory)


def nulls_as_none(values: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in values]


def test_local_workers_keep_glibc_malloc_defaults(client):
    """Dask's MALLOC_TRIM_THRESHOLD_ would turn off glibc's sliding mmap threshold, so each
    batch's arrays would be mmapped and faulted in anew (archive.local_cluster)."""
    environ = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert set(environ.values()) == {os.environ.get("MALLOC_TRIM_THRESHOLD_")}


def test_cluster_output_equals_moderate_score(client, fixture_model_dir, tmp_path):
    texts = corpus(300)
    source = tmp_path / "in.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"id": 1000 + i, "text": text, "meta": {"k": [i]}}) + "\n")
    summary = score_archive(source, tmp_path / "out", model_dir=fixture_model_dir,
                            rows_per_partition=64, client=client)
    assert summary["partitions"] == 5 and summary["rows_in"] == summary["rows_out"] == 300
    assert summary["errors"] == 0 and sum(summary["actions"].values()) == 300
    out = read_output(tmp_path / "out")
    assert out["id"].tolist() == list(range(1000, 1300))  # carried, in order, typed
    assert out["text"].tolist() == texts
    assert json.loads(out["meta"][7]) == {"k": [7]}

    result = runner.invoke(app, ["score", str(source), "-m", str(fixture_model_dir),
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    expected = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(expected) == len(out)
    rules = list(expected[0]["scores"])
    for (_, row), want in zip(out.iterrows(), expected, strict=True):
        assert row["action"] == want["action"]
        assert list(row["flags"]) == want["flags"]
        for rule in rules:
            got, ref = row[f"score_{rule}"], want["scores"][rule]
            if ref is None:
                assert pd.isna(got)
            else:
                assert abs(got - ref) <= 1e-9
    assert set(out["action"]) > {"approve"}  # the comparison covered flagged rows too
    # the model was loaded once in each worker process, not once per partition
    assert sorted(client.run(lambda: archive.LOADS).values()) == [1, 1]


def test_bad_rows_keep_their_place_with_an_error(client, fixture_model_dir, tmp_path):
    lines = [
        json.dumps({"text": "You are a stupid idiot", "n": 0}),
        json.dumps({"text": 5, "n": 1}),
        json.dumps({"text": "   ", "n": 2}),
        json.dumps({"text": "y " * 40_000, "n": 3}),
        '{"text": "lone \\ud800 surrogate", "n": 4}',
        "this is not json",
        "[1, 2]",
        json.dumps({"n": 7}),
        json.dumps({"text": "Thanks, good article", "n": 8}),
    ]
    source = tmp_path / "bad.jsonl"
    source.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    summary = score_archive(source, tmp_path / "out", model_dir=fixture_model_dir,
                            rows_per_partition=4, client=client)
    out = read_output(tmp_path / "out")
    assert summary["rows_in"] == summary["rows_out"] == len(out) == 9
    assert summary["errors"] == 7
    errors = nulls_as_none(out["error"])
    assert errors[0] is None and errors[8] is None
    assert "int, not a string" in errors[1]
    assert "empty" in errors[2]
    assert "limit is 65,536" in errors[3]
    assert "surrogate (U+D800)" in errors[4]
    assert "not JSON" in errors[5] and "not a JSON object" in errors[6]
    assert "no \"text\" field" in errors[7]
    bad = out.iloc[1:8]
    assert bad["action"].isna().all() and bad["score_toxicity"].isna().all()
    assert out["action"][0] in ("review", "reject") and out["action"][8] == "approve"
    assert out["n"].tolist()[:5] == [0, 1, 2, 3, 4]  # carried columns stay on their row

    # CSV: a row with too many cells and bytes that are not UTF-8 are row errors too
    csv_path = tmp_path / "bad.csv"
    csv_path.write_bytes(b"id,text\n1,fine comment here\n2,one,two\n3,caf\xe9 idiot\n"
                         b'4,"multi\nline comment"\n')
    summary = score_archive(csv_path, tmp_path / "out_csv", model_dir=fixture_model_dir,
                            rows_per_partition=2, client=client)
    out = read_output(tmp_path / "out_csv")
    assert out["id"].tolist() == ["1", "2", "3", "4"] and summary["errors"] == 2
    assert "3 cells" in out["error"][1] and "not UTF-8 (byte 0xe9)" in out["error"][2]
    assert out["text"][3] == "multi\nline comment" and pd.isna(out["error"][3])
    assert out["action"][3] in ("approve", "review", "reject")  # scored as one comment

    # Parquet: a null text keeps its row
    pq.write_table(pa.table({"text": ["idiot", None, "nice"]}), tmp_path / "null.parquet")
    score_archive(tmp_path / "null.parquet", tmp_path / "out_pq", model_dir=fixture_model_dir,
                  client=client)
    out = read_output(tmp_path / "out_pq")
    assert nulls_as_none(out["error"]) == [None, "text is missing", None]


def test_failed_run_resumes_without_duplicates_or_gaps(client, fixture_model_dir, tmp_path):
    n = 600
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"row_id": list(range(n)), "text": corpus(n)}), source,
                   row_group_size=70)
    out_dir = tmp_path / "out"
    with pytest.raises(ArchiveError, match="2 of 6 partitions failed"):
        score_archive(source, out_dir, model_dir=fixture_model_dir, rows_per_partition=100,
                      client=client, fail_partitions=[2, 4])
    written = sorted(p.name for p in out_dir.glob("part-*.parquet"))
    assert written == ["part-00000.parquet", "part-00001.parquet", "part-00003.parquet",
                       "part-00005.parquet"]
    assert not (out_dir / "_SUCCESS").exists()
    # a run killed while writing leaves a temp file behind; it must not be read or kept
    stale = out_dir / ".part-00002.parquet.dead.tmp"
    stale.write_bytes(b"half a parquet file")
    mtimes = {p: p.stat().st_mtime_ns for p in out_dir.glob("part-*.parquet")}

    summary = score_archive(source, out_dir, model_dir=fixture_model_dir,
                            rows_per_partition=100, client=client)
    assert summary["partitions_skipped"] == 4 and summary["rows_scored_now"] == 200
    assert summary["rows_in"] == summary["rows_out"] == n
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())  # finished: not redone
    assert not stale.exists() and (out_dir / "_SUCCESS").exists()
    out = read_output(out_dir)
    assert out["row_id"].tolist() == list(range(n))  # no duplicates, no gaps, in order

    # the output belongs to this input and these options: anything else is refused
    with pytest.raises(ArchiveError, match="`reasons` differs"):
        score_archive(source, out_dir, model_dir=fixture_model_dir, rows_per_partition=100,
                      client=client, reasons=True)
    pq.write_table(pa.table({"row_id": list(range(n + 1)), "text": corpus(n + 1)}), source)
    with pytest.raises(ArchiveError, match="input changed"):
        score_archive(source, out_dir, model_dir=fixture_model_dir, rows_per_partition=100,
                      client=client)


def test_killed_client_resumes_without_duplicates_or_gaps(client, fixture_model_dir, tmp_path):
    """SIGKILL the real command part-way (once a first partition file is there), rerun."""
    n = 2000
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"row_id": list(range(n)), "text": corpus(n)}), source)
    out_dir = tmp_path / "out"
    command = [sys.executable, "-m", "moderation", "score-archive", str(source), str(out_dir),
               "-m", str(fixture_model_dir), "--partition-rows", "20",
               "--scheduler", client.scheduler.address]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(out_dir.glob("part-*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        proc.kill()
        proc.wait()
    finished = len(list(out_dir.glob("part-*.parquet")))
    assert 0 < finished < 100, "the run was not caught part-way"
    summary = score_archive(source, out_dir, model_dir=fixture_model_dir,
                            rows_per_partition=20, client=client)
    assert summary["partitions_skipped"] >= finished
    assert summary["rows_in"] == summary["rows_out"] == n
    assert read_output(out_dir)["row_id"].tolist() == list(range(n))


def test_cli_on_an_existing_scheduler(client, fixture_model_dir, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("text,author\nYou moron\tx,al\nLovely photos,bo\n", encoding="utf-8")
    result = runner.invoke(app, ["score-archive", str(source), str(tmp_path / "out"),
                                 "-m", str(fixture_model_dir), "--reasons",
                                 "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.output
    assert "rows in 2, rows out 2" in result.stdout
    out = read_output(tmp_path / "out")
    assert out["author"].tolist() == ["al", "bo"] and "reasons" in out.columns
    # a site's own workers keep their garbage collector as it was: no gc.freeze() on them
    assert set(client.run(gc.get_freeze_count).values()) == {0}


def test_the_local_clusters_workers_freeze_the_collector(fixture_model_dir, monkeypatch,
                                                         tmp_path):
    """Workers of the LocalCluster score_archive starts exist only to score: they freeze."""
    clients: list[Client] = []

    def recording_client(*args, **kwargs):
        clients.append(Client(*args, **kwargs))
        return clients[-1]

    freeze_counts: list[int] = []

    def progress(done, total):
        if done:  # a partition is written: the cluster is up and its worker has the model
            freeze_counts.extend(clients[-1].run(gc.get_freeze_count).values())

    monkeypatch.setattr(archive, "Client", recording_client)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), encoding="utf-8")
    summary = score_archive(source, tmp_path / "out", model_dir=fixture_model_dir,
                            local_workers=1, progress=progress)
    assert summary["rows_out"] == len(TEXTS)
    assert freeze_counts and all(count > 0 for count in freeze_counts)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.parquet", None, "no such file"),
        ("nocol.csv", b"body\nhello\n", "no `text` column"),
        ("quote.csv", b'text\n"never closed\nmore\n', "bad CSV"),
        ("empty.jsonl", b"\n\n", "empty input"),
        ("notext.jsonl", b'{"body": "x"}\n', 'no line has a "text" field'),
        ("junk.parquet", b"not parquet at all", "not a readable Parquet file"),
        ("clash.jsonl", b'{"text": "x", "action": "keep"}\n', "would be overwritten"),
        ("page.txt", b"x", "cannot tell the format"),
    ],
)
def test_bad_input_is_one_line_before_any_cluster(fixture_model_dir, tmp_path, name, data,
                                                  message):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    # port 9 on loopback has no scheduler: reaching the cluster step would fail differently
    result = runner.invoke(app, ["score-archive", str(path), str(tmp_path / "out"),
                                 "-m", str(fixture_model_dir), "--scheduler",
                                 "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["missing.jsonl", "missing"])
def test_a_missing_input_is_named_whatever_its_name(tmp_path, name):
    # "no such file", not "cannot tell the format" for a name without a suffix
    path = tmp_path / name
    result = runner.invoke(app, ["score-archive", str(path), str(tmp_path / "out"),
                                 "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}: no such file\n"
    assert not (tmp_path / "out").exists()


class FakeSplitter:
    """Stands in for the page splitter (whose saving is not wired here): comment lines are
    the ones starting with '> '."""

    def split(self, text: str, thread_gate: str = "strict") -> list[dict]:
        return [{"line": i, "text": line[2:] if line.startswith("> ") else line,
                 "kind": "comment" if line.startswith("> ") else "body", "confidence": 1.0}
                for i, line in enumerate(text.split("\n"), 1) if line.strip()]


def test_page_partition_one_row_per_comment_line(fixture_model_dir, monkeypatch, tmp_path):
    """The --page code path of a partition, in this process with a fake splitter."""
    from moderation.hook import Moderator

    moderator = Moderator.load(fixture_model_dir)
    moderator.splitter = FakeSplitter()
    monkeypatch.setitem(archive._MODELS, ("fake", "sha"), moderator)
    docs = ["Headline\n> You stupid idiot\nFooter\n> Great piece", "No comments here",
            "<html><body><p>Story</p><div>> what a moron</div></body></html>", None]
    frame = pd.DataFrame({"doc": pd.array(["a", "b", "c", "d"], dtype="string[pyarrow]"),
                          "text": docs, "_error": [None] * 4})
    plan = {"partitions": [{"part": 0, "rows": 4, "first_row": 10}]}
    out_dir = tmp_path
    stats = archive.score_partition(frame, [0], str(out_dir), plan,
                                    {"dir": "fake", "sha256": "sha"}, page=True, reasons=False)
    table = pq.read_table(archive.part_path(out_dir, 0)).to_pandas()
    assert table["doc"].tolist() == ["a", "a", "b", "c", "d"]
    assert table["doc_row"].tolist() == [10, 10, 11, 12, 13]
    assert table["line"].tolist()[:2] == [2, 4] and pd.isna(table["line"][2])
    assert table["text"].tolist()[:2] == ["You stupid idiot", "Great piece"]
    assert table["line"][3] == 3 and table["text"][3] == "what a moron"  # HTML rendered as
    # `moderate split` renders it (html-text: a blank line between blocks)
    want = moderator.check_many(["You stupid idiot", "Great piece", "what a moron"])
    assert table["action"][[0, 1, 3]].tolist() == [v["action"] for v in want]
    assert table["score_be_nice"][[0, 1, 3]].tolist() == [v["scores"]["be_nice"] for v in want]
    assert pd.isna(table["action"][2]) and pd.isna(table["error"][2])  # no comments, kept
    assert table["error"][4] == "text is missing"
    assert stats["documents_without_comments"].tolist() == [1]


def test_page_partition_splits_with_the_thread_gate_asked_for(fixture_model_dir, monkeypatch,
                                                               tmp_path):
    from moderation.hook import Moderator

    seen: list[str] = []

    class GateSplitter(FakeSplitter):
        def split(self, text: str, thread_gate: str = "strict") -> list[dict]:
            seen.append(thread_gate)
            return super().split(text, thread_gate)

    moderator = Moderator.load(fixture_model_dir)
    moderator.splitter = GateSplitter()
    monkeypatch.setitem(archive._MODELS, ("fake", "sha"), moderator)
    frame = pd.DataFrame({"doc": ["a"], "text": ["Headline\n> a comment"], "_error": [None]})
    plan = {"partitions": [{"part": 0, "rows": 1, "first_row": 0}]}
    archive.score_partition(frame, [0], str(tmp_path), plan, {"dir": "fake", "sha256": "sha"},
                            page=True, reasons=False, thread_gate="lenient")
    assert seen == ["lenient"]


def test_a_run_record_without_thread_gate_resumes_only_with_the_default(tmp_path):
    older = {"archive_format": 1, "input": "x", "page": True, "reasons": False}
    out = tmp_path / "pages"
    out.mkdir()
    (out / archive.MANIFEST_NAME).write_text(json.dumps(older), encoding="utf-8")
    archive._prepare_output(out, {**older, "thread_gate": "strict"})  # what it ran with
    with pytest.raises(archive.ArchiveError, match="thread_gate"):
        archive._prepare_output(out, {**older, "thread_gate": "lenient"})
    comments = tmp_path / "comments"
    comments.mkdir()
    (comments / archive.MANIFEST_NAME).write_text(json.dumps({**older, "page": False}),
                                                  encoding="utf-8")
    archive._prepare_output(comments, {**older, "page": False, "thread_gate": None})


@pytest.mark.parametrize("page, gate", [(True, "loose"), (False, "lenient")])
def test_thread_gate_is_checked_before_the_run(fixture_model_dir, tmp_path, page, gate):
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps({"text": "a page"}) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="thread_gate"):
        score_archive(source, tmp_path / "out", model_dir=fixture_model_dir, page=page,
                      thread_gate=gate, scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "out").exists()


def test_page_without_splitter_is_one_line_error(fixture_model_dir, tmp_path):
    import shutil

    from moderation.settings import RULES_MODEL_NAME

    rules_only = tmp_path / "models"
    rules_only.mkdir()
    for name in (RULES_MODEL_NAME, RULES_MODEL_NAME + ".manifest.json"):
        shutil.copy(fixture_model_dir / name, rules_only / name)
    fixture_model_dir = rules_only
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps({"text": "a page\n> a comment"}) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="splitter") as info:
        score_archive(source, tmp_path / "out", model_dir=fixture_model_dir, page=True,
                      scheduler="tcp://127.0.0.1:9")
    assert not isinstance(info.value, DataFormatError)
    assert not (tmp_path / "out").exists()
