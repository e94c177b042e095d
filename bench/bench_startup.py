"""How long `import moderation`, `moderate --help` and the CLI's input errors take to answer.

Each command runs as a fresh subprocess several times; the table gives the median wall time
(and the fastest and slowest run) beside `python -c pass`, the floor any Python command pays on
this machine, so a run on a loaded machine can still be read. No model is needed: every command
here must answer before one would be loaded.

    python bench/bench_startup.py                 # this checkout
    python bench/bench_startup.py --src /tmp/base # another checkout of the package, same venv

With --src, the commands run with that directory first on sys.path (the current directory of
`python -c` / `python -m`), so a checkout of an earlier commit can be compared in the same run
of the same interpreter.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def commands(missing: str) -> list[tuple[str, list[str]]]:
    """(label, argv after the interpreter) of each command timed."""
    moderate = ["-m", "moderation"]
    return [
        ("python -c pass (floor)", ["-c", "pass"]),
        ("python -c 'import moderation'", ["-c", "import moderation"]),
        ("moderate --help", [*moderate, "--help"]),
        ("moderate score --help", [*moderate, "score", "--help"]),
        ("moderate score MISSING (input error)", [*moderate, "score", missing]),
        ("moderate score x --format xml (bad option)", [*moderate, "score", "x", "-f", "xml"]),
        ("moderate split MISSING (input error)", [*moderate, "split", missing]),
        ("moderate score-archive MISSING OUT (input error)",
         [*moderate, "score-archive", missing, missing + ".out"]),
        ("moderate explain (missing argument)", [*moderate, "explain"]),
        ("moderate serve --reject-status NO (bad option)",
         [*moderate, "serve", "--reject-status", "NO"]),
    ]


def time_command(argv: list[str], cwd: Path, runs: int) -> list[float]:
    """Wall times of `runs` runs of `python argv` (after one untimed run to warm the caches)."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        if i:
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="checkout whose `moderation` package is timed (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        missing = str(Path(tmp) / "no-such-file.txt")
        rows = [(label, time_command(argv, args.src, args.runs))
                for label, argv in commands(missing)]
    floor = statistics.median(rows[0][1])
    print(f"{args.src} ({args.runs} runs each, wall time in seconds)")
    print(f"{'command':<48} {'median':>7} {'min':>7} {'max':>7} {'- floor':>8}")
    for label, times in rows:
        median = statistics.median(times)
        print(f"{label:<48} {median:>7.3f} {min(times):>7.3f} {max(times):>7.3f} "
              f"{median - floor:>8.3f}")


if __name__ == "__main__":
    main()
