"""Train the default models with this CPU's SIMD kernels and with older ones, and compare.

Usage: python bench/same_model_across_kernels.py [--only split|rules] [--kernels a,b,c].
Each run is `moderate train --only ...` in a new process, into its own temporary model
directory, with the environment of one kernel set:

- native: whatever NumPy and OpenBLAS pick on this CPU;
- avx2: OpenBLAS's Haswell kernels and NumPy without its AVX-512 loops (what an AVX2 machine
  runs);
- sse: OpenBLAS's Sandybridge kernels and NumPy without its AVX2 and AVX-512 loops.

NumPy can only switch off features this CPU has, so on an AVX2 machine `avx2` equals
`native`. Prints a table: kernel set, seconds, sha256 of each model file (the manifest's
first 12 hex digits), and whether every file matches the native one. The splitter is expected to
match byte for byte; the rules model is not (its lbfgs fits call BLAS), so for it the table
also gives the largest score difference on 2,000 real comments. Takes some 1-2 minutes per
model and kernel set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AVX512 = ["X86_V4", "AVX512_ICL", "AVX512_SPR"]
KERNELS: dict[str, dict[str, list[str] | str]] = {
    "native": {},
    "avx2": {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": AVX512},
    "sse": {"OPENBLAS_CORETYPE": "Sandybridge",
            "NPY_DISABLE_CPU_FEATURES": ["X86_V3", *AVX512]},
}
FILES = {"split": ["splitter.npz"], "rules": ["rules.npz"]}


def _environment(name: str) -> dict[str, str]:
    """os.environ plus the kernel set, with only the NumPy features this CPU has."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    env = dict(os.environ)
    for key, value in KERNELS[name].items():
        if isinstance(value, list):
            value = " ".join(f for f in value
                             if f in __cpu_dispatch__ and __cpu_features__.get(f))
        env[key] = value
    return env


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _scores(model_dir: Path, comments: Path) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "moderation", "score", str(comments), "-m",
                           str(model_dir), "-f", "jsonl"], capture_output=True, text=True,
                          check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def _score_gap(a: list[dict], b: list[dict]) -> tuple[float, int]:
    """Largest score difference and the number of different actions."""
    gap = max((abs(x["scores"][k] - y["scores"][k]) for x, y in zip(a, b, strict=True)
               for k in x["scores"] if x["scores"][k] is not None
               and y["scores"][k] is not None), default=0.0)
    return gap, sum(x["action"] != y["action"] for x, y in zip(a, b, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="split", choices=sorted(FILES))
    parser.add_argument("--kernels", default="native,avx2,sse")
    args = parser.parse_args()
    names = args.kernels.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        comments = Path(tmp) / "comments.txt"
        if args.only == "rules":
            from moderation import settings
            from moderation.loaders.samples import real_comment_sample

            texts = real_comment_sample(settings.data_dir(), 700)[:2000]
            comments.write_text("\n".join(" ".join(t.split()) for t in texts) + "\n")
        first: dict | None = None
        for name in names:
            out = Path(tmp) / name
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "moderation", "train", "--only", args.only,
                            "-q"], env={**_environment(name), "MODERATION_MODELS": str(out)},
                           check=True, stdout=subprocess.DEVNULL)
            row = {"kernels": name, "seconds": round(time.perf_counter() - started, 1),
                   **{f: _digest(out / f) for f in FILES[args.only]}}
            if args.only == "rules":
                row["_scores"] = _scores(out, comments)
            first = first or row
            row["same file as native"] = all(row[f] == first[f] for f in FILES[args.only])
            if args.only == "rules":
                gap, actions = _score_gap(first["_scores"], row["_scores"])
                row["max score gap"], row["actions differing"] = round(gap, 5), actions
            rows.append(row)
    columns = [c for c in rows[0] if not c.startswith("_")]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
