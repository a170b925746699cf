"""Shared pytest fixtures.

Engineers add their fixtures here; keep each one documented and cheap unless session-scoped.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from cchc_analysis import config


@pytest.fixture(scope="session")
def processed_sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped synthetic sample, cleaned once per test session into a temporary folder.

    Skips (with the reason) when the sample or the cleaning module is not there yet.
    """
    if not (config.SAMPLE_DIR / config.SYNTHETIC_MARKER).exists():
        pytest.skip(f"synthetic sample not found in {config.SAMPLE_DIR} (run `cchc sample`)")
    try:
        clean = importlib.import_module("cchc_analysis.clean")
    except ModuleNotFoundError as exc:
        pytest.skip(f"cchc_analysis.clean is not available: {exc}")
    out = tmp_path_factory.mktemp("processed_sample")
    clean.clean(config.SAMPLE_DIR, out)
    return out
