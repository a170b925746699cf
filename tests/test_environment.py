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
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, _, version = dep.partition("=")
            pins[_normalise(name)] = version
    return pins


class TestDependencyPins:
    def test_every_pyproject_dependency_is_pinned_exactly(self):
        assert all(version for version in _pyproject_pins().values())

    def test_lock_has_every_pyproject_dependency_at_the_same_version(self):
        lock = _lock_pins()
        assert {n: lock.get(n) for n in _pyproject_pins()} == _pyproject_pins()

    def test_environment_yml_lists_the_same_packages_and_versions(self):
        conda = _conda_pins()
        conda.pop("python")
        assert conda == _pyproject_pins()

    def test_environment_yml_uses_python_3_11(self):
        assert _conda_pins()["python"] == "3.11"
