"""A site's own moderation history: a CSV with a `text` column and one 0/1 column per rule id
(or per canonical label), blank where unknown. Anything else in a label cell is an error that
names the file, line and column, so a mislabelled export never trains silently."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataFormatError
from .base import Example


def load_site_csv(path: str | Path, label_names: set[str]) -> list[Example]:
    """Read `path`; columns named in `label_names` are labels, other columns are ignored."""
    path = Path(path)
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise DataFormatError(f"cannot read: {exc.strerror}", str(path)) from exc
    examples: list[Example] = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            if "text" not in fields:
                raise DataFormatError("no `text` column in the header", str(path), 1)
            columns = [name for name in fields if name in label_names]
            if not columns:
                raise DataFormatError(
                    f"no label column; expected one of: {', '.join(sorted(label_names))}",
                    str(path), 1)
            for row in reader:
                line = reader.line_num
                labels: dict[str, int] = {}
                for name in columns:
                    cell = (row.get(name) or "").strip()
                    if cell == "":
                        continue
                    if cell not in ("0", "1"):
                        raise DataFormatError(
                            f"label {name!r} is {cell!r}; use 0, 1 or blank", str(path), line)
                    labels[name] = int(cell)
                text = row.get("text") or ""
                if not text.strip():
                    raise DataFormatError("empty text", str(path), line)
                examples.append(
                    Example(text, labels, f"site:{path.name}", meta={"line": str(line)}))
        except UnicodeDecodeError as exc:
            raise DataFormatError(f"not UTF-8 text ({exc.reason})", str(path)) from exc
        except csv.Error as exc:
            raise DataFormatError(f"bad CSV: {exc}", str(path)) from exc
    if not examples:
        raise DataFormatError("no rows", str(path))
    return examples
