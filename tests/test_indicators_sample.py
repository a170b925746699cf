"""End-to-end checks of the indicators on the cleaned synthetic sample (slow)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cchc_analysis import schema
from cchc_analysis.clean import load_processed
from cchc_analysis.engines import to_engine
from cchc_analysis.indicators import build_quarter, read_quarter, write_period
from cchc_analysis.indicators import tables as T
from cchc_analysis.periods import Quarter, quarters_ending
from tests.sql_oracle import form06_oracle

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("indicators_sample")]

SAMPLE_QUARTERS = [str(q) for q in quarters_ending("2026Q3", 15)]  # 2023Q1..2026Q3


@pytest.fixture(scope="module")
def processed(processed_sample_dir):
    return load_processed(processed_sample_dir)


@pytest.fixture(scope="module")
def prepared(processed):
    frame, _ = T._prepare_dossiers(processed.dossiers)
    return frame


class TestForm06AgainstSqlOracle:
    @pytest.mark.parametrize("period", ["calendar", "nd09"])
    def test_every_quarter_agrees_exactly(self, processed_sample_dir, prepared, period):
        native = to_engine(prepared, "pandas")
        parquet = Path(processed_sample_dir) / "dossiers.parquet"
        for text in SAMPLE_QUARTERS:
            start, end = Quarter.parse(text).bounds(period)
            ours = T._form06(T.dossier_counts(native, start, end), start, end)
            ours = ours[ours["received_total"] > 0].sort_values(["unit_code", "field"], ignore_index=True)
            oracle = form06_oracle(parquet, start, end)
            oracle = oracle[oracle["received_total"] > 0].reset_index(drop=True)
            pd.testing.assert_frame_equal(ours, oracle, check_dtype=False, obj=f"{text} {period}")


class TestPublishedFigures2024Q1:
    @pytest.mark.parametrize(
        ("unit", "published"),
        [("tx-huong-thuy", 97.5), ("hcc-huong-thuy", 94.5), ("xa", 98.8)],
    )
    def test_on_time_rate_near_published(self, indicators_sample_outputs, unit, published):
        ind = read_quarter(indicators_sample_outputs, "2024Q1").indicators
        row = ind[(ind["unit_code"] == unit) & (ind["field"] == "ALL") & (ind["indicator"] == "on_time_rate")]
        assert abs(row["value"].iloc[0] - published) <= 0.5

    def test_every_indicator_present_for_all(self, indicators_sample_outputs):
        ind = read_quarter(indicators_sample_outputs, "2024Q1").indicators
        names = set(ind.loc[(ind["unit_code"] == "ALL") & (ind["field"] == "ALL"), "indicator"])
        assert len(names) == 14

    def test_sample_is_marked_synthetic(self, indicators_sample_outputs):
        assert read_quarter(indicators_sample_outputs, "2024Q1").synthetic


class TestEnginesByteIdentical:
    @pytest.mark.engines
    @pytest.mark.parametrize("engine", ["polars", "duckdb"])
    def test_same_files_as_pandas(self, processed, indicators_sample_outputs, tmp_path, engine):
        reference = indicators_sample_outputs / "2024Q1"
        # as cchc indicators writes them: the tables, the score files and the report pack (the
        # score is computed from the pandas dossiers whatever the engine)
        write_period(build_quarter(processed, "2024Q1", engine=engine), processed, tmp_path)
        folder = tmp_path / "2024Q1"
        names = sorted(p.name for p in folder.iterdir())
        assert len(names) >= 8 and [n for n in names if not (reference / n).exists()] == []
        for name in names:
            assert (folder / name).read_bytes() == (reference / name).read_bytes(), name


def test_form06_columns_are_the_contract(indicators_sample_outputs):
    header = (indicators_sample_outputs / "2024Q1" / "form06.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == ["unit_code", "field", *schema.FORM06_COLUMNS]
