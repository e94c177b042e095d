"""Our own functional checklist (data/checklist/cases.jsonl): evaluation only, never trained on.

Each case: `id`, `functionality`, `text`, `action` ("approve", or "flag" = review or reject),
`should` (rules it should trigger) and `should_not` (rules it should not).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CHECKLIST_FILE = Path(__file__).resolve().parents[2] / "data" / "checklist" / "cases.jsonl"


def load_checklist(path: Path | None = None) -> list[dict[str, Any]]:
    """The checklist cases, or [] when the file is not there (an installed package)."""
    path = path or CHECKLIST_FILE
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
