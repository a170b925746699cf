"""Shared pytest fixtures.

Engineers add their fixtures here; keep each one documented and cheap unless session-scoped.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from cchc_analysis import config


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
    out = tmp_path_factory.mktemp("processed_sample")
    clean.clean(config.SAMPLE_DIR, out)
    return out


@pytest.fixture(scope="session")
def indicators_sample_outputs(processed_sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cchc indicators --quarter 2024Q1`` (calendar, pandas) run once on the cleaned sample.

    Returns the output root; the files are in ``<root>/2024Q1/``.
    """
    from cchc_analysis import cli

    out = tmp_path_factory.mktemp("indicators_sample")
    code = cli.main([
        "indicators", "--quarter", "2024Q1", "--processed", str(processed_sample_dir), "--out", str(out),
    ])
    assert code == 0
    return out
