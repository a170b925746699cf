"""Issue 8: the two-level dossier layout (quarter of receipt / quarter of closure).

A counting pass reads the partitions received by the period's end and not closed before its
start: the dossiers still open from earlier quarters are found without opening the history of
closed ones. Counts must equal those of the single file (and of the older one-level layout).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from cchc_analysis import engines, scale
from tests.dossier_factory import make_dossiers

Q1 = (date(2024, 1, 1), date(2024, 3, 31))


def _dossiers() -> pd.DataFrame:
    return make_dossiers(
        dict(received_at="2023-06-01", finished_at="2023-06-09", status=10),  # closed 2023Q2
        dict(received_at="2023-11-20", status=4),  # still open
        dict(received_at="2023-12-01", finished_at="2024-01-05", status=9),  # closed 2024Q1
        dict(received_at="2023-12-02", finished_at="2023-12-20", status=4),  # date, not terminal
        dict(received_at="2023-10-02", finished_at=None, status=10),  # terminal without a date
        dict(received_at="2024-02-10", finished_at="2024-02-15", status=10),
        dict(received_at="2024-04-02", status=4),  # after the period
        dict(received_at=None, status=4),
    )


@pytest.fixture(scope="module")
def two_level(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("layout") / "dossiers.parquet"
    return scale.write_partitioned(_dossiers(), path)


@pytest.fixture(scope="module")
def one_level(tmp_path_factory) -> Path:
    """The layout of earlier versions: receipt quarter only."""
    path = tmp_path_factory.mktemp("old") / "dossiers.parquet"
    frame = _dossiers().assign(**{scale.PARTITION_COLUMN: lambda f: scale.partition_of(f["received_at"])})
    ds.write_dataset(
        pa.Table.from_pandas(frame, preserve_index=False), path, format="parquet",
        partitioning=ds.partitioning(pa.schema([(scale.PARTITION_COLUMN, pa.string())]), flavor="hive"),
    )
    return path


class TestClosedPartitionOf:
    def test_terminal_with_date_is_its_quarter(self):
        frame = _dossiers()
        got = scale.closed_partition_of(frame["status"], frame["finished_at"])
        assert got.tolist()[:3] == ["2023Q2", scale.OPEN, "2024Q1"]

    def test_not_terminal_or_without_date_is_open(self):
        frame = _dossiers()
        got = scale.closed_partition_of(frame["status"], frame["finished_at"])
        assert got.tolist()[3:5] == [scale.OPEN, scale.OPEN]

    def test_missing_status_is_open(self):
        got = scale.closed_partition_of(pd.Series([None], dtype="Int8"), pd.Series(pd.to_datetime(["2024-01-02"])))
        assert got.tolist() == [scale.OPEN]

    def test_open_sorts_after_every_quarter(self):
        assert scale.OPEN > "9999Q4"


class TestPartitionColumns:
    def test_two_levels(self, two_level):
        assert scale.partition_columns(two_level) == (scale.PARTITION_COLUMN, scale.CLOSED_COLUMN)

    def test_one_level(self, one_level):
        assert scale.partition_columns(one_level) == (scale.PARTITION_COLUMN,)

    def test_single_file_has_none(self, tmp_path):
        path = tmp_path / "dossiers.parquet"
        _dossiers().to_parquet(path)
        assert scale.partition_columns(path) == ()


class TestCountsReadOnlyWhatCanBeInScope:
    @pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
    def test_closed_before_the_period_is_not_read(self, two_level, engine):
        dataset = scale.DossierDataset(two_level)
        filters = dataset._filters(None, "2024Q1", "2024Q1")
        got = engines.collect(engines.read_parquet(two_level, engine, filters))
        assert sorted(got["dossier_id"]) == ["HS0002", "HS0003", "HS0004", "HS0005", "HS0006"]

    @pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
    def test_counts_equal_the_single_file(self, two_level, tmp_path, engine):
        single = tmp_path / "dossiers.parquet"
        _dossiers().to_parquet(single)
        for start, end in (Q1, (date(2023, 4, 1), date(2023, 6, 30)), (date(2023, 10, 1), date(2023, 12, 31))):
            want = scale.DossierDataset(single).on_engine(engine).counts(start, end)
            got = scale.DossierDataset(two_level).on_engine(engine).counts(start, end)
            pd.testing.assert_frame_equal(got, want)

    def test_one_level_layout_still_counts(self, one_level, two_level):
        old = scale.DossierDataset(one_level).on_engine("pandas").counts(*Q1)
        new = scale.DossierDataset(two_level).on_engine("pandas").counts(*Q1)
        pd.testing.assert_frame_equal(old, new)
        assert int(new["received_total"].sum()) > 0

