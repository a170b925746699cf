"""Smoke test of the national-scale benchmark (issue 8) on a small tiled dataset.

The 25M-row run itself belongs to ``make bench``; here the same code runs on 30,000 rows with
the single-machine engines, so a change to ``scale.DossierDataset`` that breaks the benchmark
fails in CI.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest


@pytest.fixture
def bench_scale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``benchmarks.bench_scale`` writing its dataset under a temporary folder."""
    monkeypatch.setenv("CCHC_BENCH_DATA", str(tmp_path))
    module = importlib.import_module("benchmarks.bench_scale")
    return importlib.reload(module)


class TestMain:
    def test_every_engine_finds_the_same_counts(self, bench_scale, processed_sample_dir: Path) -> None:
        rows = bench_scale.main(["--rows", "30000", "--engines", "pandas,polars,duckdb",
                                 "--sample", str(processed_sample_dir / "dossiers.parquet")])
        engines = [r for r in rows if r["step"].startswith("scale: 1 quarter")]
        assert [r["step"].rsplit("[", 1)[1] for r in engines] == ["pandas]", "polars]", "duckdb]"]
        assert all(isinstance(r["ours_s"], float) and r["peak_mb"] > 0 for r in engines)
        assert rows[-1]["met"] is True, rows[-1]["note"]

    def test_rows_have_the_results_keys(self, bench_scale, processed_sample_dir: Path) -> None:
        rows = bench_scale.main(["--rows", "20000", "--engines", "duckdb",
                                 "--sample", str(processed_sample_dir / "dossiers.parquet")])
        keys = {"step", "rows", "ours_s", "anchor", "anchor_s", "ratio", "peak_mb", "target", "met"}
        assert all(keys <= set(r) for r in rows)
        assert rows[0]["ratio"] == 1.0
