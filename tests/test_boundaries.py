"""The package's boundaries: no import cycle, cheap imports, one meaning of `-m`.

How long things take is measured by bench/bench_startup.py, not here; these tests check the
structure that keeps them fast (which modules an import pulls in), which does not depend on
how loaded the machine is.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from moderation.cli import app

PACKAGE = Path(__file__).resolve().parent.parent / "moderation"
HEAVY = ("sklearn", "scipy", "numba", "numpy", "fastapi", "uvicorn", "starlette", "lxml",
         "html_text", "moderation.service.app", "moderation.rule_model")
ARCHIVE_HEAVY = ("dask", "distributed", "pandas", "pyarrow", "moderation.archive")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, from every `import` and `from ... import` in
    its source: at the top, in functions (a lazy import still runs, just later) and under
    TYPE_CHECKING alike. A submodule's implicit import of its parent package is not an edge:
    Python finds the parent already in sys.modules, part-initialised, which is no cycle."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    child = f"{target}.{alias.name}"
                    edges.add(child if child in paths else target)
            elif isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names)
        graph[name] = {e for e in edges if e in paths and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "moderation.workers" in graph["moderation.hook"]  # the walk sees function imports
    assert cycles(graph) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_importing_the_package_or_the_cli_pulls_in_no_heavy_library() -> None:
    for code in ("import moderation", "import moderation.cli"):
        loaded = _modules_after(code)
        assert not [m for m in HEAVY if m in loaded], code
        assert "moderation.service" not in loaded


def test_an_input_error_answers_before_any_heavy_import(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    for argv in (["score", str(missing)], ["split", str(missing)],
                 ["score", "--page", str(missing)], ["explain", "x" * 70_000],
                 ["score-archive", str(tmp_path / "missing"), str(tmp_path / "out")]):
        # exit code 1, `error: ...` (a usage error would be 2; check=True fails on anything else)
        code = ("from moderation.cli import app\n"
                f"assert app({argv!r}, standalone_mode=False) == 1")
        loaded = _modules_after(code)
        assert not [m for m in (*HEAVY, *ARCHIVE_HEAVY) if m in loaded], argv


def test_dash_m_is_the_model_directory_in_every_command(tmp_path: Path) -> None:
    group = typer.main.get_command(app)
    assert set(group.commands) == {"train", "evaluate", "score", "score-archive", "serve",
                                   "split", "explain"}
    for name, command in group.commands.items():
        options = [p for p in command.params if "-m" in p.opts]
        assert len(options) == 1, f"{name} has no -m"
        assert "--model" in options[0].opts, name
    a_file = tmp_path / "rules.npz"
    a_file.write_bytes(b"")
    arguments = {"score": ["-"], "split": ["-"], "explain": ["hello"],
                 "score-archive": [str(tmp_path / "in.jsonl"), str(tmp_path / "out")]}
    for name in group.commands:
        result = CliRunner().invoke(app, [name, *arguments.get(name, []), "-m", str(a_file)],
                                    input="hello\n")
        # a model error as the README describes them: one line, exit 1, before anything is
        # read or loaded
        assert result.exit_code == 1, (name, result.output)
        assert result.stderr == f"error: {a_file}: -m takes the model directory, not a file\n"
        assert result.stdout == ""
