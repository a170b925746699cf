"""Shared pytest fixtures.

Engineers add their fixtures here; keep each one documented and cheap unless session-scoped.
"""

from __future__ import annotations

import fcntl
import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cchc_analysis import config


def shared_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """Build the folder ``name`` once per test run, shared by every pytest-xdist worker.

    Under xdist each worker has its own session, so a plain session fixture would redo the
    work per worker; the workers' temp folders share a parent, and a file lock there makes
    the first worker build while the others wait and reuse.
    """
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    target = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".done").exists():
            target.mkdir(parents=True, exist_ok=True)
            build(target)
            (target / ".done").touch()
    return target


@pytest.fixture(scope="session")
def processed_sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped synthetic sample, cleaned once per test session into a temporary folder.

    Skips (with the reason) when the sample or the cleaning module is not there yet. Setting
    ``CCHC_TEST_PROCESSED_SAMPLE`` to a folder already written by ``cchc clean`` from the
    sample reuses it (saves the cleaning minute while iterating on downstream code).
    """
    reuse = os.environ.get("CCHC_TEST_PROCESSED_SAMPLE")
    if reuse:
        return Path(reuse)
    if not (config.SAMPLE_DIR / config.SYNTHETIC_MARKER).exists():
        pytest.skip(f"synthetic sample not found in {config.SAMPLE_DIR} (run `cchc sample`)")
    try:
        clean = importlib.import_module("cchc_analysis.clean")
    except ModuleNotFoundError as exc:
        if exc.name != "cchc_analysis.clean":
            raise
        pytest.skip("cchc_analysis.clean is not available yet")
    return shared_once(
        tmp_path_factory, "processed_sample", lambda out: clean.clean(config.SAMPLE_DIR, out)
    )


@pytest.fixture(scope="session")
def indicators_sample_outputs(processed_sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cchc indicators --quarter 2024Q1`` (calendar, pandas) run once on the cleaned sample.

    Returns the output root; the files are in ``<root>/2024Q1/``.
    """
    from cchc_analysis import cli

    def build(out: Path) -> None:
        code = cli.main([
            "indicators", "--quarter", "2024Q1", "--processed", str(processed_sample_dir),
            "--out", str(out),
        ])
        assert code == 0

    return shared_once(tmp_path_factory, "indicators_sample", build)


@pytest.fixture(scope="session", autouse=True)
def manual_input_dir(tmp_path_factory: pytest.TempPathFactory):
    """The report pack writes the analyst's manual-input form (``pack.manual_dir()``): in tests,
    into a temporary folder, never into the project's ``data/manual/``. Executed notebooks
    inherit it through the environment."""
    old = os.environ.get("CCHC_MANUAL_DIR")
    if old is None:
        os.environ["CCHC_MANUAL_DIR"] = str(tmp_path_factory.getbasetemp() / "manual")
    yield Path(os.environ["CCHC_MANUAL_DIR"])
    if old is None:
        os.environ.pop("CCHC_MANUAL_DIR", None)
