"""Score a comment archive or a web crawl on a Dask cluster, losslessly and resumably.

Design, in the order a run goes:

1. **Plan, before any cluster starts.** The input (one Parquet file or a directory of them, a
   .jsonl file or a .csv file, each with a `text` column) is checked and cut into partitions of
   `rows_per_partition` input rows: row ranges of each Parquet file, or byte ranges at record
   starts of a JSONL/CSV file (found by one streaming pass in the client, which also infers the
   JSONL columns' types and refuses a CSV with an unclosed quote). The cut depends only on the
   input and `rows_per_partition`, so a rerun maps the same rows to the same partition files.
   A missing or unreadable file, no `text` column, an empty input, or an input column that an
   output column would overwrite is a DataFormatError here.
2. **Output directory manifest.** `OUTPUT/_archive.json` records the input (path, size, mtime,
   sha256), the plan, the options and the model's sha256. A rerun with anything different is
   refused (ArchiveError) rather than mixing two runs in one output.
3. **Model once per worker.** A `distributed.WorkerPlugin` carries only the model directory,
   the manifest sha256 the client checked, and the optional HMAC key; each worker calls
   `Moderator.load` itself (manifest and signature checked there) and keeps it in a per-process
   cache keyed by directory and sha256. The model is never pickled.
4. **Score with `dask.dataframe`.** `dd.from_map` reads each unfinished partition on a worker
   (Parquet columns keep their Arrow types through `pd.ArrowDtype`), `map_partitions` scores
   it with `check_many` (a list, `reasons=False` unless asked) and writes
   `OUTPUT/part-NNNNN.parquet` through a temporary name and an atomic rename; only a one-row
   summary per partition comes back. A partition file that exists is finished: a rerun skips it.
5. **Rows in = rows out.** A row that cannot be scored (text not a string, empty, over 64 KiB,
   lone surrogates or bytes that are not UTF-8, a JSONL line that is not a JSON object, a CSV row
   with too many cells) keeps its place with an `error` string and null scores.
   With `page=True` each document (plain text or HTML) is split by the page splitter and gives
   one row per comment line (`doc_row`, `line`); a document without comment lines gives one row
   with a null `line`, so no document vanishes.

`score_archive` returns a summary dict and never prints; progress goes to a callback.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from .archive_input import check_input
from .comments_io import MAX_COMMENT_CHARS
from .errors import DataFormatError, ModelLoadError, ModerateError
from .splitter.gate_names import DEFAULT_THREAD_GATE, thread_gate_problem

ARCHIVE_FORMAT = 1
MANIFEST_NAME = "_archive.json"
SUCCESS_NAME = "_SUCCESS"
MAX_PAGE_CHARS = 8 * 1024 * 1024
ACTIONS = ("approve", "review", "reject")
_STATS_KEY = b"moderate.stats"


class ArchiveError(ModerateError, RuntimeError):
    """An output directory that belongs to another run, or partitions that failed."""


# ---------------------------------------------------------------------------------------------
# Planning (client side, before the cluster starts)


def _fingerprint(files: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in files:
        stat = path.stat()
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        out.append({"path": str(path.resolve()), "size": stat.st_size,
                    "mtime_ns": stat.st_mtime_ns, "sha256": digest})
    return out


def _cut(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _plan_parquet(files: list[Path], size: int) -> tuple[list[dict[str, Any]], pa.Schema]:
    parts: list[dict[str, Any]] = []
    schema: pa.Schema | None = None
    first_row = 0
    for path in files:
        try:
            meta = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise DataFormatError(f"not a readable Parquet file ({exc})", str(path)) from None
        file_schema = meta.schema_arrow
        if "text" not in file_schema.names:
            raise DataFormatError("no `text` column", str(path))
        if schema is None:
            schema = file_schema
        elif not file_schema.equals(schema):
            raise DataFormatError("columns differ from the first Parquet file's", str(path))
        for start, stop in _cut(meta.metadata.num_rows, size):
            parts.append({"file": str(path), "start": start, "stop": stop,
                          "first_row": first_row + start, "rows": stop - start})
        first_row += meta.metadata.num_rows
    assert schema is not None
    return parts, schema


def _lines(path: Path, start: int = 0, stop: int | None = None
           ) -> Iterator[tuple[int, int, bytes]]:
    """(byte offset, line number, line with its ending) of a file, split at \\n only."""
    with open(path, "rb") as handle:
        handle.seek(start)
        offset = start
        number = 0
        for line in handle:
            if stop is not None and offset >= stop:
                return
            number += 1
            yield offset, number, line
            offset += len(line)


def _json_kind(values: set[str]) -> str:
    """The column type of a JSONL field from the Python types of its non-null values."""
    if values <= {"str"}:
        return "string"
    if values <= {"bool"}:
        return "bool"
    if values <= {"int"}:
        return "int64"
    if values <= {"int", "float"}:
        return "float64"
    return "json"  # objects, lists, mixed types, ints beyond 64 bits: kept as JSON text


def _plan_jsonl(path: Path, size: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    starts: list[int] = []
    kinds: dict[str, set[str]] = {}
    rows = 0
    end = 0
    for offset, _, raw in _lines(path):
        end = offset + len(raw)
        if not raw.strip():
            continue
        if rows % size == 0:
            starts.append(offset)
        rows += 1
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):
            continue  # a row error on the worker, not a file error
        if not isinstance(obj, dict):
            continue
        for key, value in obj.items():
            seen = kinds.setdefault(key, set())
            if value is not None:
                name = type(value).__name__
                if name == "int" and not -(1 << 63) <= value < (1 << 63):
                    name = "bigint"
                seen.add(name)
    if rows == 0:
        raise DataFormatError("empty input: no rows to score", str(path))
    if "text" not in kinds:
        raise DataFormatError('no line has a "text" field', str(path))
    columns = {"text": "string"}
    columns.update((key, _json_kind(seen)) for key, seen in kinds.items() if key != "text")
    return _byte_parts(path, starts, end, rows, size), columns


def _byte_parts(path: Path, starts: list[int], end: int, rows: int, size: int
                ) -> list[dict[str, Any]]:
    stops = [*starts[1:], end]
    return [{"file": str(path), "start": a, "stop": b, "first_row": i * size,
             "rows": min(size, rows - i * size)}
            for i, (a, b) in enumerate(zip(starts, stops, strict=True))]


class _Feed:
    """Decoded lines for csv.reader that remember where the next unread line starts."""

    def __init__(self, lines: Iterator[tuple[int, int, bytes]]):
        self.lines = lines
        self.next_offset = 0
        self.number = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        offset, number, raw = next(self.lines)
        self.next_offset = offset + len(raw)
        self.number = number
        return raw.decode("utf-8", "surrogateescape")


def _csv_records(path: Path, start: int = 0, stop: int | None = None
                 ) -> Iterator[tuple[int, int, list[str]]]:
    """(start offset, start line, cells) of each non-blank CSV record. Bytes that are not
    UTF-8 become lone surrogates (reported per row); structural damage raises csv.Error."""
    feed = _Feed(_lines(path, start, stop))
    feed.next_offset = start
    reader = csv.reader(feed, strict=True)
    while True:
        offset, line = feed.next_offset, feed.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataFormatError(f"bad CSV in the record that starts here ({exc}; an unclosed "
                                  "quote?)", str(path), line) from None
        if row:
            yield offset, line, row


def _plan_csv(path: Path, size: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    records = _csv_records(path)
    first = next(records, None)
    if first is None:
        raise DataFormatError("empty input: no rows to score", str(path))
    header = [cell.lstrip("\ufeff") if i == 0 else cell for i, cell in enumerate(first[2])]
    if "text" not in header:
        raise DataFormatError("CSV has no `text` column in its header", str(path), 1)
    if len(set(header)) != len(header):
        raise DataFormatError("CSV header repeats a column name", str(path), 1)
    starts: list[int] = []
    rows = 0
    for offset, _, _ in records:
        if rows % size == 0:
            starts.append(offset)
        rows += 1
    if rows == 0:
        raise DataFormatError("CSV has a header but no rows", str(path))
    parts = _byte_parts(path, starts, path.stat().st_size, rows, size)
    for part in parts:
        part["header"] = header
    return parts, dict.fromkeys(header, "string")


_ARROW_KINDS = {"string": pa.string(), "json": pa.string(), "bool": pa.bool_(),
                "int64": pa.int64(), "float64": pa.float64()}


def _output_names(rule_ids: Sequence[str], page: bool, reasons: bool) -> list[str]:
    names = [f"score_{rid}" for rid in rule_ids] + ["flags", "action", "error"]
    if reasons:
        names.append("reasons")
    if page:
        names = ["doc_row", "line", *names]
    return names


def plan_archive(input_path: str | os.PathLike[str], input_format: str | None = None,
                 rows_per_partition: int = 50_000) -> dict[str, Any]:
    """Check the input and cut it into partitions; raises DataFormatError on a bad input."""
    if rows_per_partition < 1:
        raise ValueError("rows_per_partition must be at least 1")
    path = Path(input_path)
    fmt, files = check_input(path, input_format)
    try:
        if fmt == "parquet":
            parts, schema = _plan_parquet(files, rows_per_partition)
            columns = {name: "arrow" for name in schema.names}
        elif fmt == "jsonl":
            parts, columns = _plan_jsonl(files[0], rows_per_partition)
        else:
            parts, columns = _plan_csv(files[0], rows_per_partition)
    except IsADirectoryError:
        raise DataFormatError("is a directory, not a file", str(path)) from None
    except OSError as exc:
        raise DataFormatError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    if not parts:
        raise DataFormatError("empty input: no rows to score", str(path))
    for i, part in enumerate(parts):
        part["part"] = i
    return {"format": fmt, "input": _fingerprint(files), "rows_per_partition": rows_per_partition,
            "rows": sum(p["rows"] for p in parts), "columns": columns, "partitions": parts}


# ---------------------------------------------------------------------------------------------
# Worker side: the model, reading a partition, scoring, writing


_MODELS: dict[tuple[str, str], Any] = {}
_MODELS_LOCK = threading.Lock()
LOADS = 0  # Moderator.load calls in this process (the tests check: one per worker)


def worker_moderator(model_dir: str, sha256: str, key: str | bytes | None = None,
                     freeze_gc: bool = False) -> Any:
    """This process's Moderator for `model_dir`, loaded (and checked) once; with `freeze_gc`,
    the load calls `gc.freeze()` (a worker of a LocalCluster we started, which exists only to
    score; never the workers of a site's own cluster, whose collector is theirs)."""
    from .hook import Moderator

    global LOADS
    cache_key = (model_dir, sha256)
    with _MODELS_LOCK:
        moderator = _MODELS.get(cache_key)
        if moderator is None:
            moderator = Moderator.load(model_dir, key=key, freeze_gc=freeze_gc)
            LOADS += 1
            if moderator.manifest.get("sha256") != sha256:
                raise ModelLoadError(f"the model at {model_dir} on this worker is not the one "
                                     "the client checked (sha256 differs); copy the same model")
            _MODELS[cache_key] = moderator
    return moderator


class ModelPlugin(WorkerPlugin):
    """Loads the model on each worker when it joins (and on workers that join later)."""

    def __init__(self, model_dir: str, sha256: str, key: str | bytes | None = None,
                 freeze_gc: bool = False):
        self.model_dir, self.sha256, self.key = model_dir, sha256, key
        self.freeze_gc = freeze_gc

    def setup(self, worker: Any) -> None:
        worker_moderator(self.model_dir, self.sha256, self.key, self.freeze_gc)


def _empty_frame(plan: dict[str, Any]) -> pd.DataFrame:
    """The pandas meta of a read partition: the input columns plus `_error` (read problems)."""
    if plan["format"] == "parquet":
        schema = pq.ParquetFile(plan["partitions"][0]["file"]).schema_arrow
    else:
        schema = pa.schema([(n, _ARROW_KINDS[k]) for n, k in plan["columns"].items()])
    frame = schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    frame["_error"] = pd.Series([], dtype=pd.ArrowDtype(pa.string()))
    return frame


def _convert(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if kind == "string":
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if kind == "float64":
        return float(value)
    return value


def _clean(value: Any) -> Any:
    """Strings Arrow can store: lone surrogates (bad bytes, JSON escapes) as \\udXXX text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _frame(rows: list[dict[str, Any]], errors: list[str | None], plan: dict[str, Any]
           ) -> pd.DataFrame:
    columns = plan["columns"]
    data: dict[str, list[Any]] = {name: [] for name in columns}
    for row in rows:
        for name in columns:
            data[name].append(row.get(name))
    arrays = {name: pa.array(values, type=_ARROW_KINDS[columns[name]])
              for name, values in data.items()}
    table = pa.table({**arrays, "_error": pa.array(errors, type=pa.string())})
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _surrogate_error(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        if 0xDC80 <= code <= 0xDCFF:
            return f"text is not UTF-8 (byte 0x{code - 0xDC00:02x})"
        return f"text holds a lone surrogate (U+{code:04X}), which is not Unicode text"
    return None


def _read_jsonl(part: dict[str, Any], plan: dict[str, Any]) -> pd.DataFrame:
    kinds = plan["columns"]
    rows: list[dict[str, Any]] = []
    errors: list[str | None] = []
    for _, _, raw in _lines(Path(part["file"]), part["start"], part["stop"]):
        if not raw.strip():
            continue
        error = None
        row: dict[str, Any] = {}
        try:
            obj = json.loads(raw.decode("utf-8", "surrogateescape"))
        except (ValueError, RecursionError) as exc:
            obj, error = None, f"not JSON ({getattr(exc, 'msg', type(exc).__name__)})"
        if error is None and not isinstance(obj, dict):
            error = "line is not a JSON object"
        if isinstance(obj, dict):
            for name, kind in kinds.items():
                value = obj.get(name)
                if name == "text":
                    if "text" not in obj:
                        error = 'no "text" field'
                    elif not isinstance(value, str):
                        error = f"text is {type(value).__name__}, not a string"
                        value = None
                    else:  # before _clean makes it storable (escaped)
                        error = error or _surrogate_error(value)
                row[name] = _clean(_convert(value, kind))
        else:
            row["text"] = _clean(raw.decode("utf-8", "surrogateescape").rstrip("\r\n"))
        rows.append(row)
        errors.append(error)
    return _frame(rows, errors, plan)


def _read_csv(part: dict[str, Any], plan: dict[str, Any]) -> pd.DataFrame:
    header: list[str] = part["header"]
    rows: list[dict[str, Any]] = []
    errors: list[str | None] = []
    for _, _, cells in _csv_records(Path(part["file"]), part["start"], part["stop"]):
        error = None
        if len(cells) > len(header):
            error = (f"row has {len(cells)} cells but the header has {len(header)} "
                     "(an unquoted comma?)")
        text = cells[header.index("text")] if header.index("text") < len(cells) else None
        if text is None:
            error = error or "row has no `text` cell"
        else:  # bad bytes are lone surrogates here, escaped by _clean to be storable
            error = error or _surrogate_error(text)
        row = {name: _clean(cells[i]) if i < len(cells) else None
               for i, name in enumerate(header)}
        rows.append(row)
        errors.append(error)
    return _frame(rows, errors, plan)


def read_partition(part: dict[str, Any], plan: dict[str, Any]) -> pd.DataFrame:
    """One partition of the input as pandas (Arrow-typed columns), plus `_error`."""
    if plan["format"] == "parquet":
        handle = pq.ParquetFile(part["file"])
        meta = handle.metadata
        groups, first, seen = [], None, 0
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if seen + n > part["start"] and seen < part["stop"]:
                groups.append(g)
                first = seen if first is None else first
            seen += n
        table = handle.read_row_groups(groups).slice(part["start"] - (first or 0),
                                                     part["rows"])
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)
        frame["_error"] = pd.Series([None] * len(frame), dtype=pd.ArrowDtype(pa.string()))
        return frame
    if plan["format"] == "jsonl":
        return _read_jsonl(part, plan)
    return _read_csv(part, plan)


def text_problem(text: Any, limit: int = MAX_COMMENT_CHARS) -> str | None:
    """Why a cell cannot be scored, or None."""
    if not isinstance(text, str):
        if text is None or text is pd.NA or (isinstance(text, float) and text != text):
            return "text is missing"  # a null cell (None, NA or NaN by pandas' reading)
        return f"text is {type(text).__name__}, not a string"
    if not text.strip():
        return "text is empty"
    if len(text) > limit:
        return f"text is {len(text):,} characters; the limit is {limit:,}"
    return _surrogate_error(text)


def _page_text(text: str) -> str:
    """A document's plain text: HTML (recognised as `moderate split` recognises it) is
    rendered as `moderate split` renders it, with the renderer the splitter is evaluated on
    (html-text on lxml, linear on hostile markup; the standard library's HTMLParser took 2.9 s
    on 16 KiB of `<a `)."""
    from .splitter.html_input import looks_like_html

    if looks_like_html(text[:4096].encode("utf-8", "replace")):
        from .splitter.render import DEFAULT_RENDERER, render

        return render(text, DEFAULT_RENDERER)
    return text


def _score_rows(moderator: Any, frame: pd.DataFrame, reasons: bool
                ) -> tuple[pa.Table, dict[str, Any]]:
    texts = frame["text"].tolist()
    errors = frame["_error"].tolist()
    errors = [None if e is pd.NA else e for e in errors]
    for i, text in enumerate(texts):
        if errors[i] is None:
            errors[i] = text_problem(text)
    ok = [i for i, e in enumerate(errors) if e is None]
    verdicts = moderator.check_many([texts[i] for i in ok], reasons=reasons)
    full: list[dict[str, Any] | None] = [None] * len(texts)
    for i, verdict in zip(ok, verdicts, strict=True):
        full[i] = verdict
    carried = pa.Table.from_pandas(frame.drop(columns="_error"), preserve_index=False)
    return _attach(carried, full, errors, moderator.rule_ids, reasons), {}


def _attach(table: pa.Table, verdicts: list[dict[str, Any] | None], errors: list[str | None],
            rule_ids: Sequence[str], reasons: bool) -> pa.Table:
    for rid in rule_ids:
        table = table.append_column(f"score_{rid}", pa.array(
            [None if v is None else v["scores"][rid] for v in verdicts], type=pa.float64()))
    table = table.append_column("flags", pa.array(
        [None if v is None else v["flags"] for v in verdicts], type=pa.list_(pa.string())))
    table = table.append_column("action", pa.array(
        [None if v is None else v["action"] for v in verdicts], type=pa.string()))
    table = table.append_column("error", pa.array(errors, type=pa.string()))
    if reasons:
        table = table.append_column("reasons", pa.array(
            [None if v is None else json.dumps(v["reasons"], ensure_ascii=False)
             for v in verdicts], type=pa.string()))
    return table


def _score_pages(moderator: Any, frame: pd.DataFrame, first_row: int, reasons: bool,
                 thread_gate: str = DEFAULT_THREAD_GATE) -> tuple[pa.Table, dict[str, Any]]:
    """One row per comment line of each document (one row with a null line when none)."""
    docs = frame["text"].tolist()
    doc_errors = [None if e is pd.NA else e for e in frame["_error"].tolist()]
    take: list[int] = []
    lines: list[int | None] = []
    texts: list[str | None] = []
    errors: list[str | None] = []
    without_comments = 0
    for i, doc in enumerate(docs):
        error = doc_errors[i] or text_problem(doc, MAX_PAGE_CHARS)
        found = []
        if error is None:
            found = [line for line in moderator.split(_page_text(doc), thread_gate)
                     if line["kind"] == "comment"]
        if not found:
            without_comments += error is None
            take.append(i)
            lines.append(None)
            texts.append(None)
            errors.append(error)
        for line in found:
            take.append(i)
            lines.append(line["line"])
            texts.append(line["text"])
            errors.append(text_problem(line["text"]))
    ok = [j for j, t in enumerate(texts) if t is not None and errors[j] is None]
    verdicts = moderator.check_many([texts[j] for j in ok], reasons=reasons)
    full: list[dict[str, Any] | None] = [None] * len(texts)
    for j, verdict in zip(ok, verdicts, strict=True):
        full[j] = verdict
    carried = frame.drop(columns=["_error", "text"]).iloc[take]
    table = pa.Table.from_pandas(carried, preserve_index=False)
    table = table.append_column("doc_row", pa.array([first_row + i for i in take], pa.int64()))
    table = table.append_column("line", pa.array(lines, pa.int64()))
    table = table.append_column("text", pa.array(texts, pa.string()))
    return (_attach(table, full, errors, moderator.rule_ids, reasons),
            {"documents_without_comments": without_comments})


def part_path(output: Path, part: int) -> Path:
    return output / f"part-{part:05d}.parquet"


def _stats(table: pa.Table, rows_in: int, extra: dict[str, Any]) -> dict[str, Any]:
    actions = table.column("action").to_pylist()
    ok = table.column("error").null_count
    return {"rows_in": rows_in, "rows_out": table.num_rows,
            "errors": table.num_rows - ok,
            **{a: actions.count(a) for a in ACTIONS}, **extra}


_STATS_COLUMNS = ["part", "rows_in", "rows_out", "errors", *ACTIONS, "documents_without_comments"]
_TIME_COLUMNS = ["score_seconds", "score_cpu_seconds", "write_seconds"]


def _stats_frame(part: int, stats: dict[str, Any]) -> pd.DataFrame:
    row: dict[str, Any] = {"part": part, **{k: int(stats.get(k, 0)) for k in _STATS_COLUMNS[1:]}}
    row.update((k, float(stats.get(k, 0.0))) for k in _TIME_COLUMNS)
    return pd.DataFrame([row], columns=_STATS_COLUMNS + _TIME_COLUMNS)


def score_partition(frame: pd.DataFrame, todo: Sequence[int], output: str,
                    plan: dict[str, Any], model: dict[str, Any], page: bool, reasons: bool,
                    fail_partitions: frozenset[int] = frozenset(),
                    partition_info: dict[str, Any] | None = None,
                    thread_gate: str = DEFAULT_THREAD_GATE) -> pd.DataFrame:
    """Score one read partition and write its Parquet file atomically; return its stats."""
    part = todo[partition_info["number"]] if partition_info else todo[0]
    spec = plan["partitions"][part]
    if len(frame) != spec["rows"]:  # the input changed under us: never write a partial part
        raise ArchiveError(f"partition {part} read {len(frame)} rows, planned {spec['rows']}")
    if part in fail_partitions:
        raise RuntimeError(f"injected fault in partition {part}")
    moderator = worker_moderator(model["dir"], model["sha256"], model.get("key"),
                                 model.get("freeze_gc", False))
    wall, cpu = time.perf_counter(), time.process_time()
    if page:
        table, extra = _score_pages(moderator, frame, spec["first_row"], reasons, thread_gate)
    else:
        table, extra = _score_rows(moderator, frame, reasons)
    extra["score_seconds"] = time.perf_counter() - wall
    extra["score_cpu_seconds"] = time.process_time() - cpu
    stats = _stats(table, len(frame), extra)
    wall = time.perf_counter()
    # pandas' own metadata would bring the Arrow-backed dtypes used here back on reading
    table = table.replace_schema_metadata({_STATS_KEY: json.dumps(stats).encode()})
    target = part_path(Path(output), part)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    stats["write_seconds"] = time.perf_counter() - wall
    return _stats_frame(part, stats)


def _finished_stats(path: Path) -> dict[str, Any] | None:
    try:
        metadata = pq.read_schema(path).metadata or {}
        return json.loads(metadata[_STATS_KEY])
    except (OSError, pa.ArrowException, KeyError, ValueError):
        return None  # unreadable: score it again


# ---------------------------------------------------------------------------------------------
# The run


def _recorded(previous: dict[str, Any], field: str) -> Any:
    """A field of an earlier run's record; `thread_gate`, added later, is what such a run
    used when its record lacks it (the default for pages, nothing otherwise)."""
    if field == "thread_gate" and field not in previous:
        return DEFAULT_THREAD_GATE if previous.get("page") else None
    return previous.get(field)


def _prepare_output(output: Path, record: dict[str, Any]) -> None:
    manifest = output / MANIFEST_NAME
    if manifest.exists():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:
            raise ArchiveError(f"{manifest} is not readable JSON; remove the output "
                               "directory to start again") from None
        for field in record:
            if _recorded(previous, field) != record[field]:
                what = {"input": "the input changed (size, time or content)",
                        "model_sha256": "the model differs"}.get(field, f"`{field}` differs")
                raise ArchiveError(f"{output} holds another run: {what}; use a new output "
                                   "directory, or remove this one to start again")
        return
    if output.exists() and any(output.iterdir()):
        raise ArchiveError(f"{output} is not empty and holds no {MANIFEST_NAME}: refusing to "
                           "write into it")
    output.mkdir(parents=True, exist_ok=True)
    tmp = output / f".{MANIFEST_NAME}.tmp"
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, manifest)


def score_archive(
    input_path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    model_dir: str | os.PathLike[str] | None = None,
    key: str | bytes | None = None,
    page: bool = False,
    thread_gate: str = DEFAULT_THREAD_GATE,
    reasons: bool = False,
    input_format: str | None = None,
    rows_per_partition: int = 50_000,
    scheduler: str | None = None,
    local_workers: int = 2,
    client: Client | None = None,
    progress: Callable[[int, int], None] | None = None,
    fail_partitions: Sequence[int] = (),
) -> dict[str, Any]:
    """Score INPUT into OUTPUT/part-NNNNN.parquet; return a summary dict.

    The cluster is `client` if given, else a Client to `scheduler`, else a LocalCluster with
    `local_workers` single-threaded worker processes on 127.0.0.1 (closed at the end).
    With `page`, each document is split first (with the splitter's `thread_gate` policy,
    recorded with the run). `progress(done, total)` is called as partitions finish.
    `fail_partitions` makes those
    partitions raise (a fault hook for tests); failed partitions raise ArchiveError at the end,
    after every other partition is written, and a rerun does only what is missing."""
    from .model_files import load_rules_model, load_splitter, rules_model_path, splitter_path
    from .settings import model_dir as default_model_dir

    problem = thread_gate_problem(thread_gate, page)
    if problem:
        raise DataFormatError(f"thread_gate {problem}")
    started = time.perf_counter()
    plan = plan_archive(input_path, input_format, rows_per_partition)
    # The model is checked here (files, sha256, signature) before any cluster starts; scoring
    # it is left to the workers, so the compiled kernels are not loaded in this process.
    rules_path = rules_model_path(Path(default_model_dir(model_dir)).resolve())
    directory = rules_path.parent
    rules_model, manifest = load_rules_model(rules_path, key)
    if page:
        if not splitter_path(directory).exists():
            raise ModelLoadError("--page needs a splitter model beside the rules model: run "
                                 "`moderate train --only split`")
        load_splitter(splitter_path(directory), key)
    sha = manifest["sha256"]
    rule_ids = rules_model.rule_ids
    clashes = set(_output_names(rule_ids, page, reasons)) & set(plan["columns"])
    if page:
        clashes.discard("text")
    if clashes:
        raise DataFormatError(f"input column(s) {sorted(clashes)} would be overwritten by the "
                              "output; rename them", str(input_path))
    del rules_model
    out = Path(output)
    record = {"archive_format": ARCHIVE_FORMAT, "input": plan["input"],
              "input_format": plan["format"], "rows_per_partition": rows_per_partition,
              "partitions": len(plan["partitions"]), "page": page, "reasons": reasons,
              "thread_gate": thread_gate if page else None,
              "model_sha256": sha}
    _prepare_output(out, record)
    for stale in out.glob(".part-*.tmp"):  # left by a run that was killed while writing
        stale.unlink()

    total = len(plan["partitions"])
    done: dict[int, dict[str, Any]] = {}
    for spec in plan["partitions"]:
        path = part_path(out, spec["part"])
        if path.exists():
            stats = _finished_stats(path)
            if stats is not None and stats["rows_in"] == spec["rows"]:
                done[spec["part"]] = stats
    skipped = len(done)
    todo = [p["part"] for p in plan["partitions"] if p["part"] not in done]
    if progress:
        progress(skipped, total)
    failures: list[tuple[int, BaseException]] = []
    scored_started = time.perf_counter()
    if todo:
        model = {"dir": str(directory), "sha256": sha, "key": key}
        failures = _run(plan, todo, out, model, page, reasons, frozenset(fail_partitions),
                        client, scheduler, local_workers, done, progress, total, thread_gate)
    seconds = time.perf_counter() - started
    scored_seconds = time.perf_counter() - scored_started
    if failures:
        part, exc = failures[0]
        raise ArchiveError(f"{len(failures)} of {total} partitions failed (partition {part}: "
                           f"{type(exc).__name__}: {exc}); {len(done)} are written; run the "
                           "same command again to finish")
    (out / SUCCESS_NAME).touch()
    rows_now = sum(done[p]["rows_in"] for p in todo)
    summary: dict[str, Any] = {
        "output": str(out), "partitions": total, "partitions_skipped": skipped,
        "rows_in": sum(s["rows_in"] for s in done.values()),
        "rows_out": sum(s["rows_out"] for s in done.values()),
        "errors": sum(s["errors"] for s in done.values()),
        "actions": {a: sum(s[a] for s in done.values()) for a in ACTIONS},
        "rows_scored_now": rows_now, "seconds": round(seconds, 3),
        "rows_per_second": round(rows_now / scored_seconds, 1) if rows_now else 0.0,
    }
    for name in _TIME_COLUMNS:  # of the partitions scored by this run, summed over workers
        summary[name] = round(sum(done[p][name] for p in todo), 3)
    if page:
        summary["documents_without_comments"] = sum(
            s.get("documents_without_comments", 0) for s in done.values())
    return summary


def local_cluster(n_workers: int) -> LocalCluster:
    """The cluster `score_archive` starts when given none: `n_workers` single-threaded worker
    processes on 127.0.0.1.

    - No dashboard, so no use for the statistical profiler that samples the scoring thread's
      stack every 10 ms: it is turned off.
    - Workers start without Dask's default MALLOC_TRIM_THRESHOLD_=65536. Setting any of glibc's
      malloc thresholds also turns off its sliding mmap threshold (mallopt(3)), so every block
      over 128 KiB, which each batch's numpy arrays are (several MB per 20,000 rows), was
      mmapped, faulted in page by page and unmapped again: twice the page faults of the same
      scoring in one process, and its kernel time with them. Our workers free whole batches
      and reuse their memory; glibc's defaults (a plain `moderate score` run) suit them.
    - The event loop's health tick every 1 s, not 20 ms, and the system monitor (dashboard
      metrics) every 5 s, not 0.5 s: each wake-up takes the GIL from the scoring thread, which
      cost about 2,500 context switches per 100,000 rows and ~5% more CPU per row (1,000
      with these). The tick only measures whether the loop is blocked (warned at 3 s).
    """
    with dask.config.set({"distributed.worker.profile.enabled": False,
                          "distributed.admin.tick.interval": "1s",
                          "distributed.admin.system-monitor.interval": "5s",
                          "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address=None)


def _run(plan: dict[str, Any], todo: list[int], out: Path, model: dict[str, Any], page: bool,
         reasons: bool, fail_partitions: frozenset[int], client: Client | None,
         scheduler: str | None, local_workers: int, done: dict[int, dict[str, Any]],
         progress: Callable[[int, int], None] | None, total: int,
         thread_gate: str = DEFAULT_THREAD_GATE) -> list[tuple[int, BaseException]]:
    cluster = own_client = None
    try:
        if client is None:
            if scheduler:
                client = own_client = Client(scheduler)
            else:
                cluster = local_cluster(local_workers)
                client = own_client = Client(cluster)
        # the workers of the LocalCluster started here exist only to score, so they freeze the
        # collector's view of the model, as the CLI's and the service's workers do; a site's
        # own workers (a scheduler or client given) are left as they are
        model = {**model, "freeze_gc": cluster is not None}
        client.register_plugin(ModelPlugin(model["dir"], model["sha256"], model.get("key"),
                                           model["freeze_gc"]),
                               name=f"moderate-model-{model['sha256'][:16]}")
        parts = [plan["partitions"][p] for p in todo]
        frames = dd.from_map(read_partition, parts, plan=plan, meta=_empty_frame(plan),
                             enforce_metadata=False, divisions=[None] * (len(parts) + 1))
        stats = frames.map_partitions(
            score_partition, todo=todo, output=str(out), plan=plan, model=model, page=page,
            reasons=reasons, fail_partitions=fail_partitions, thread_gate=thread_gate,
            meta=_stats_frame(0, {}).iloc[:0], enforce_metadata=False)
        futures = client.compute(stats.to_delayed())
        index = {future.key: todo[i] for i, future in enumerate(futures)}
        failures: list[tuple[int, BaseException]] = []
        for future in as_completed(futures):
            try:
                row = future.result().iloc[0].to_dict()
            except Exception as exc:  # one partition's failure must not lose the others
                failures.append((index[future.key], exc))
            else:
                done[int(row["part"])] = {k: int(v) if k in _STATS_COLUMNS else float(v)
                                          for k, v in row.items()}
            if progress:
                progress(len(done), total)
        return sorted(failures, key=lambda f: f[0])
    finally:
        if own_client is not None:
            own_client.close()
        if cluster is not None:
            cluster.close()
