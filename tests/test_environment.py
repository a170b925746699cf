"""The three dependency lists (pyproject.toml, requirements.lock, environment.yml) agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds]
    pins = {}
    for dep in deps:
        name, _, version = dep.partition("==")
        pins[_normalise(name)] = version
    return pins


def _lock_pins() -> dict[str, str]:
    pins = {}
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    lines += (ROOT / "requirements-spark.lock").read_text().splitlines()
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_normalise(name)] = version.strip()
    return pins


def _conda_pins() -> dict[str, str]:
    """Conda packages (``name=version``) and the pip section's pins (``name==version``)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, _, version = dep.partition("=")
            pins[_normalise(name)] = version
        elif isinstance(dep, dict):
            for line in dep.get("pip", []):
                if "==" in line:
                    name, _, version = line.partition("==")
                    pins[_normalise(name)] = version
    return pins


class TestDependencyPins:
    def test_every_pyproject_dependency_is_pinned_exactly(self):
        assert all(version for version in _pyproject_pins().values())

    def test_lock_has_every_pyproject_dependency_at_the_same_version(self):
        lock = _lock_pins()
        assert {n: lock.get(n) for n in _pyproject_pins()} == _pyproject_pins()

    def test_environment_yml_pins_every_locked_package_transitive_ones_included(self):
        conda = _conda_pins()
        conda.pop("python")
        assert conda == _lock_pins()

    def test_environment_yml_is_what_make_lock_writes(self):
        import subprocess
        import sys

        before = (ROOT / "environment.yml").read_text()
        subprocess.run([sys.executable, str(ROOT / "tools" / "write_environment_yml.py")], check=True)
        assert (ROOT / "environment.yml").read_text() == before

    def test_environment_yml_uses_python_3_11(self):
        assert _conda_pins()["python"] == "3.11"


class TestSupportedPythons:
    def test_requires_python_accepts_3_11_to_3_13_only(self):
        from packaging.specifiers import SpecifierSet

        spec = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])
        assert [v in spec for v in ("3.10", "3.11", "3.12", "3.13", "3.14")] == [False, True, True, True, False]


class TestExtras:
    def _extras(self) -> dict[str, list[str]]:
        return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    def _runtime(self) -> set[str]:
        deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
        return {_normalise(d.partition("==")[0]) for d in deps}

    def test_scale_engines_profiler_and_legacy_xls_writer_are_not_runtime_dependencies(self):
        optional = {"polars", "duckdb", "dask", "distributed", "pyinstrument", "xlwt"}
        assert self._runtime() & optional == set()

    def test_each_optional_engine_has_its_extra(self):
        extras = self._extras()
        assert [sorted(_normalise(d.partition("==")[0]) for d in extras[e]) for e in ("polars", "duckdb", "dask")] == [
            ["polars"], ["duckdb"], ["dask", "distributed"]
        ]

    def test_unused_packages_are_neither_declared_nor_locked(self):
        declared = set(_pyproject_pins())
        # (openpyxl stays in the test extra: the annex-workbook tests read cell formats back.)
        assert {"charset-normalizer"} & declared == set()
