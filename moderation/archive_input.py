"""The archive's input, checked without dask, pandas or pyarrow: does it exist, which format.

`moderate score-archive` calls `check_input` before it imports moderation.archive, so a missing
file or a name without a known suffix answers at once (the heavy imports take seconds);
`plan_archive` calls it again as the first step of its own checks."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataFormatError

INPUT_FORMATS = ("parquet", "jsonl", "csv")
_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
             ".csv": "csv"}


def guess_input_format(path: str | os.PathLike[str]) -> str:
    """The format from the name: a directory is Parquet, else the suffix decides."""
    path = Path(path)
    if path.is_dir():
        return "parquet"
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise DataFormatError("cannot tell the format from the name: use .parquet, .jsonl or "
                              ".csv (or --input-format)", str(path))
    return fmt


def check_input(path: str | os.PathLike[str], input_format: str | None = None
                ) -> tuple[str, list[Path]]:
    """(format, input files) of an input that exists; DataFormatError naming the path if not,
    so a missing file is "no such file" whatever its name."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError("no such file", str(path))
    fmt = input_format or guess_input_format(path)
    if fmt not in INPUT_FORMATS:
        raise DataFormatError(f"unknown input format {fmt!r}; use one of {INPUT_FORMATS}")
    if not path.is_dir():
        return fmt, [path]
    if fmt != "parquet":
        raise DataFormatError("a directory input must hold .parquet files", str(path))
    files = sorted(p for p in path.iterdir() if p.suffix == ".parquet"
                   and not p.name.startswith((".", "_")))
    if not files:
        raise DataFormatError("directory holds no .parquet files", str(path))
    return fmt, files
