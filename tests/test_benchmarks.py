"""Smoke test of the benchmark harness (issue 7): ``--quick`` on small inputs, in a temp folder.

Only the cheap groups run here (working days and the indicators with their DuckDB SQL anchor);
the big benchmarks never run inside the test suite (``make bench``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"step", "rows", "ours_s", "anchor", "anchor_s", "ratio", "peak_mb"}


@pytest.fixture(scope="module")
def bench_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One quick-input folder shared by the tests of this module."""
    return tmp_path_factory.mktemp("bench") / "data"


def test_quick_benchmark_writes_the_results_table(tmp_path: Path, bench_data: Path) -> None:
    out = tmp_path / "latest.json"
    env = {**os.environ, "CCHC_BENCH_DATA": str(bench_data), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "workdays",
         "--only", "indicators", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results and all(KEYS <= set(r) for r in results)
    steps = {r["step"] for r in results}
    assert any("working_days" in s for s in steps)
    for engine in ("pandas", "polars", "duckdb"):
        row = next(r for r in results if r["step"].endswith(f"[{engine}]"))
        assert isinstance(row["ours_s"], float) and isinstance(row["anchor_s"], float), row
        assert row["ratio"] == pytest.approx(row["ours_s"] / row["anchor_s"], rel=0.05)
        assert row["peak_mb"] > 0
    assert "ratio" in proc.stdout  # the printed table


def test_sql_anchor_agrees_with_the_package(bench_data: Path) -> None:
    """The DuckDB anchor computes the same form-06 and indicator counts as the package."""
    code = (
        "from benchmarks import anchor_sql, datagen; datagen.ensure_reference(); "
        "print('MISMATCH', anchor_sql.check_against(datagen.ensure_parquet(20000)))"
    )
    env = {**os.environ, "CCHC_BENCH_DATA": str(bench_data), "CCHC_BENCH_BASE": "quick",
           "CCHC_REFERENCE_DIR": str(bench_data / "reference"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "MISMATCH 0" in proc.stdout


def test_benchmarked_indicator_path_agrees_with_the_anchor(bench_data: Path) -> None:
    """The timed indicator step (``scale.DossierDataset(...).counts``, the path of ``cchc
    indicators`` on every engine) gives the anchor's counts cell by cell."""
    code = """
from benchmarks import anchor_sql, datagen
from cchc_analysis import periods, scale
from cchc_analysis.indicators import tables
datagen.ensure_reference()
path = datagen.ensure_parquet(20000)
start, end = periods.Quarter.parse("2024Q3").bounds("calendar")
sql = anchor_sql.run_query(path, start, end).set_index(["unit_code", "field"]).sort_index()
for engine in ("pandas", "polars", "duckdb"):
    fine = scale.DossierDataset(path).on_engine(engine).counts(start, end)
    ours = tables.rollup_dossiers(fine).set_index(["unit_code", "field"]).sort_index()
    ours = ours[ours["received_total"] > 0]
    cols = [c for c in sql.columns if c in ours.columns]
    a, b = sql[cols].astype("int64").align(ours[cols].astype("int64"), join="outer")
    print(engine, "MISMATCH", int((a.fillna(-1) != b.fillna(-1)).to_numpy().sum()), len(cols))
"""
    env = {**os.environ, "CCHC_BENCH_DATA": str(bench_data), "CCHC_BENCH_BASE": "quick",
           "CCHC_REFERENCE_DIR": str(bench_data / "reference"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.split("\n")
    for engine in ("pandas", "polars", "duckdb"):
        line = next(x for x in lines if x.startswith(engine))
        assert line.split()[1:3] == ["MISMATCH", "0"] and int(line.split()[3]) == 31, line
