"""The layer guards run by `make test`: the import-linter contract of pyproject.toml (arrows only
point down, function-local imports included) and ruff's small rule set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str, cwd: Path = ROOT, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(BIN / tool), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


class TestLayerContract:
    def test_package_keeps_the_contract(self):
        done = _run("lint-imports", "--config", str(ROOT / "pyproject.toml"), "--no-cache")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "1 kept, 0 broken" in done.stdout

    @pytest.mark.parametrize("lower, upper", [("store", "narrative"), ("engines/frames", "indicators")])
    def test_an_upward_import_breaks_it(self, tmp_path, lower, upper):
        # A copy of the package with one upward import inside a function (the kind of hidden
        # import that made the old cycle): the contract must name it.
        shutil.copytree(ROOT / "cchc_analysis", tmp_path / "cchc_analysis",
                        ignore=shutil.ignore_patterns("__pycache__", "data"))
        module = tmp_path / "cchc_analysis" / f"{lower}.py"
        module.write_text(module.read_text(encoding="utf-8")
                          + f"\n\ndef _upward():\n    from cchc_analysis import {upper}  # noqa: F401\n",
                          encoding="utf-8")
        done = _run("lint-imports", "--config", str(ROOT / "pyproject.toml"), "--no-cache",
                    cwd=tmp_path, pythonpath=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "1 broken" in done.stdout
        importer = "cchc_analysis." + lower.replace("/", ".")
        assert f"{importer} -> cchc_analysis.{upper}" in done.stdout


class TestRuff:
    def test_package_and_tests_pass(self):
        done = _run("ruff", "check", "--no-cache", "cchc_analysis", "tests/test_layers.py", "tests/test_definitions.py")
        assert done.returncode == 0, done.stdout + done.stderr


def _import_cycles(package: str) -> list[list[str]]:
    """Strongly connected components (size > 1) of the package's import graph (grimp counts
    function-local imports too)."""
    import grimp

    graph = grimp.build_graph(package)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan; the package graph is small (recursion is fine)
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


class TestNoImportCycle:
    def test_the_package_has_none(self):
        assert _import_cycles("cchc_analysis") == []

    def test_a_function_local_cycle_is_found(self, tmp_path, monkeypatch):
        package = tmp_path / "cyclic"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "a.py").write_text("from . import b\n")
        (package / "b.py").write_text("def f():\n    from . import a\n    return a\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        assert _import_cycles("cyclic") == [["cyclic.a", "cyclic.b"]]
