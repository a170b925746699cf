"""Issue 8: the same indicator code on Dask (local cluster, 2 worker processes) and PySpark.

Every check compares with the pandas engine and with the independent DuckDB SQL oracle
(:mod:`tests.sql_oracle`), exactly. Inputs: hand-made dirty dossiers (missing dates, missing
channel, unsorted partitions, a group split across partitions) and the cleaned sample, both
in memory and as the partitioned dataset ``cchc clean --partitioned`` writes.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from cchc_analysis import engines, outcome, scale, schema
from cchc_analysis.clean import load_processed
from cchc_analysis.indicators import build_quarter, write_quarter
from cchc_analysis.indicators import tables as T
from cchc_analysis.periods import Quarter
from tests.dossier_factory import make_dossiers
from tests.sql_oracle import form06_oracle

pytestmark = [
    pytest.mark.engines,
    pytest.mark.xdist_group("scale"),
    pytest.mark.filterwarnings("ignore:Dask support is moving out of Narwhals:FutureWarning"),
]

Q1 = (date(2024, 1, 1), date(2024, 3, 31))


def _dirty() -> pd.DataFrame:
    """Dirty but duplicate-free dossiers, deliberately not sorted by anything."""
    frame = make_dossiers(
        dict(received_at="2024-02-10 08:00", due_at="2024-02-15", finished_at="2024-02-15 16:30", status=10),
        dict(received_at="2023-11-20", due_at="2024-01-05", status=4, channel=None),  # carried, overdue
        dict(received_at=None, status=4),  # missing received date
        dict(received_at="2024-03-01", due_at=None, status=9, finished_at="2024-03-02", channel="truc_tuyen"),
        dict(received_at="2024-01-03", due_at="2024-01-10", finished_at=None, status=10),  # terminal, no date
        dict(received_at="2024-04-02", status=4, field="Đất đai"),  # after the period: pruned partition
        dict(received_at="2023-06-01", due_at="2023-06-10", finished_at="2023-06-09", status=10),  # done before
        dict(received_at="2024-01-15", due_at="2024-01-20", finished_at="2024-01-25", status=10,
             apology_issued=None, has_fee=True, paid_online=None, channel="buu_chinh"),  # late
        dict(received_at="2024-02-20", status=1),  # not counted
        dict(received_at="2024-02-21", status=None, channel=None),  # missing status
        dict(received_at="2023-12-30", due_at="2024-04-30", status=5, unit_code="p-thuy-chau",
             reception_code="p-thuy-chau", field=None),  # missing field, within due
        dict(received_at="2024-03-31 23:59", due_at="2024-03-31", status=10, finished_at="2024-03-31 23:59",
             unit_code="tx-huong-thuy", level="huyen", reception_code="hcc-huong-thuy"),
        dict(received_at="2024-02-02", due_at="2024-02-01", finished_at="2024-01-20", status=8,
             digitised_input=None),  # finished before received (dirty)
    )
    return frame.iloc[[7, 2, 11, 0, 5, 9, 3, 12, 1, 10, 6, 8, 4]].reset_index(drop=True)


def _processed(dossiers: pd.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(
        dossiers=dossiers,
        pakn=schema.empty_frame(schema.PAKN_COLUMNS),
        edocs=schema.empty_frame(schema.EDOC_COLUMNS),
        quarantine=None,
        reconciliation=None,
        meta={"synthetic": True},
    )


def _oracle(frame_or_path, start, end) -> pd.DataFrame:
    oracle = form06_oracle(frame_or_path, start, end)
    return oracle[oracle["received_total"] > 0].reset_index(drop=True)


def _ours(fine: pd.DataFrame, start, end) -> pd.DataFrame:
    ours = T._form06(fine, start, end)
    return ours[ours["received_total"] > 0].sort_values(["unit_code", "field"], ignore_index=True)


def _same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    client = scale.dask_client(n_workers=2, memory_limit="1GiB")
    assert len(client.scheduler_info()["workers"]) == 2
    yield client
    scale.shutdown()


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="PySpark not installed (make test installs it where Java exists)")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: the PySpark engine needs Java 17+")
    session = scale.spark_session("local[2]", shuffle_partitions=4)
    yield session
    scale.shutdown()


@pytest.fixture(scope="module")
def dirty_dataset(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dirty") / "dossiers.parquet"
    scale.write_partitioned(_dirty(), path)
    return path


@pytest.fixture(scope="module")
def single_file(tmp_path_factory) -> Path:
    """The dirty dossiers as one parquet file (the layout of ``cchc clean`` by default)."""
    path = tmp_path_factory.mktemp("single") / "dossiers.parquet"
    _dirty().to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def sample(processed_sample_dir: Path):
    return load_processed(processed_sample_dir)


@pytest.fixture(scope="module")
def sample_partitioned(sample, processed_sample_dir: Path, tmp_path_factory) -> Path:
    """The cleaned sample copied into a folder whose dossiers are partitioned by quarter."""
    folder = tmp_path_factory.mktemp("sample_partitioned")
    for name in os.listdir(processed_sample_dir):
        # The processed files only (not the dossiers, not the indicator cache folder).
        if name != "dossiers.parquet" and (processed_sample_dir / name).is_file():
            shutil.copy(processed_sample_dir / name, folder / name)
    scale.write_partitioned(sample.dossiers, folder / "dossiers.parquet", max_rows_per_file=2500)
    return folder


@pytest.fixture(scope="module")
def sample_prepared(sample) -> pd.DataFrame:
    return T._prepare_dossiers(sample.dossiers)[0]


def _check_sample_quarter(engine, folder, prepared, processed_dir, quarter, period):
    """One quarter of the sample from the partitioned dataset on ``engine``: the fine counts
    (every form-06 column and every indicator's numerator and denominator, per unit, level,
    reception point and field) equal the pandas engine's on the in-memory table, and form 06
    equals the SQL oracle."""
    start, end = Quarter.parse(quarter).bounds(period)
    source = scale.DossierDataset(folder / "dossiers.parquet").on_engine(engine)
    got = source.counts(start, end)
    pd.testing.assert_frame_equal(got, T.dossier_counts(prepared, start, end))
    oracle = _oracle(processed_dir / "dossiers.parquet", start, end)
    pd.testing.assert_frame_equal(_ours(got, start, end), oracle, check_dtype=False)


# --------------------------------------------------------------------------- no cluster needed


class TestLayout:
    def test_partition_is_quarter_of_receipt(self):
        got = scale.partition_of(pd.Series(pd.to_datetime(["2024-03-31 23:59", "2024-04-01 00:00", None])))
        assert got.tolist() == ["2024Q1", "2024Q2", scale.NO_QUARTER]

    def test_partitions_on_disk(self, dirty_dataset):
        names = sorted(p.name for p in dirty_dataset.iterdir())
        assert names == ["received_quarter=2023Q2", "received_quarter=2023Q4", "received_quarter=2024Q1",
                         "received_quarter=2024Q2", "received_quarter=none"]

    def test_whole_dataset_reads_back_as_the_table(self, dirty_dataset):
        back = schema.conform(pd.read_parquet(dirty_dataset), schema.DOSSIER_COLUMNS)
        pd.testing.assert_frame_equal(
            back.sort_values("dossier_id", ignore_index=True),
            _dirty().sort_values("dossier_id", ignore_index=True),
        )

    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_filter_prunes_later_partitions(self, dirty_dataset, engine):
        native = engines.read_parquet(dirty_dataset, engine, [(scale.PARTITION_COLUMN, "<=", "2024Q1")])
        got = engines.collect(native)
        assert sorted(set(got[scale.PARTITION_COLUMN])) == ["2023Q2", "2023Q4", "2024Q1"]

    @pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
    def test_dataset_source_matches_in_memory(self, dirty_dataset, engine, tmp_path):
        ref = write_quarter(build_quarter(_processed(_dirty()), "2024Q1"), tmp_path / "ref")
        lazy = _processed(scale.DossierDataset(dirty_dataset))
        _same_files(ref, write_quarter(build_quarter(lazy, "2024Q1", engine=engine), tmp_path / "lazy"))


class TestDossierDatasetCounts:
    """``DossierDataset.counts`` (the path of ``cchc indicators`` on every engine) on a single
    parquet file and on the partitioned layout: equal to the in-memory pandas counts."""

    @pytest.mark.parametrize("engine", engines.ENGINES)
    @pytest.mark.parametrize("layout", ["single", "partitioned"])
    def test_equal_to_in_memory_counts(self, single_file, dirty_dataset, engine, layout):
        path = single_file if layout == "single" else dirty_dataset
        prepared, _ = T._prepare_dossiers(_dirty())
        for start, end in (Q1, (date(2023, 10, 1), date(2023, 12, 31)), (date(2024, 4, 1), date(2024, 6, 30))):
            got = scale.DossierDataset(path).on_engine(engine).counts(start, end)
            pd.testing.assert_frame_equal(got, T.dossier_counts(prepared, start, end))

    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_group_keys_read_once_per_dataset(self, single_file, engine, monkeypatch):
        source = scale.DossierDataset(single_file).on_engine(engine)
        calls = []
        original = source._keys_query
        monkeypatch.setattr(source, "_keys_query", lambda: calls.append(1) or original())
        source.counts(*Q1)
        source.counts(date(2023, 10, 1), date(2023, 12, 31))
        source.keys()
        assert len(calls) == 1

    def test_pandas_reads_only_the_counted_columns(self, single_file):
        data = scale.DossierDataset(single_file).on_engine("pandas")._in_scope(*Q1)
        assert set(data.columns) == {*T.COUNT_COLUMNS, "processing_days", "finished_at_due_minute",
                                     "appointment_beyond_statute"}

    def test_pandas_reads_only_the_in_scope_rows(self, single_file):
        data = scale.DossierDataset(single_file).on_engine("pandas")._in_scope(*Q1).to_native()
        flags = outcome.dossier_flags(_dirty(), *Q1)
        assert len(data) == int(flags["in_scope"].sum()) == 8


# --------------------------------------------------------------------------- Dask


class TestDask:
    def test_text_dtype_trap(self, dask_client):
        # Dask holds text as string[pyarrow] (missing = pd.NA), pandas 3 as str: collect()
        # gives str back and the null-guarded comparisons agree.
        native = engines.to_engine(_dirty(), "dask", partitions=3)
        assert str(native.dtypes["channel"]) != "str"
        back = engines.collect(native).sort_values("dossier_id", ignore_index=True)
        assert back["channel"].dtype == "str"
        pd.testing.assert_frame_equal(back, engines.collect(_dirty()).sort_values("dossier_id", ignore_index=True))

    def test_flags_equal_pandas(self, dask_client):
        native = engines.to_engine(_dirty(), "dask", partitions=4)
        got = engines.collect(outcome.dossier_flags(native, *Q1)).sort_values("dossier_id", ignore_index=True)
        ref = engines.collect(outcome.dossier_flags(_dirty(), *Q1)).sort_values("dossier_id", ignore_index=True)
        pd.testing.assert_frame_equal(got, ref)

    def test_form06_split_groups_equal_pandas_and_oracle(self, dask_client):
        # p-phu-bai / Hộ tịch rows sit in every one of the 4 partitions: sums must combine.
        prepared, _ = T._prepare_dossiers(_dirty())
        got = T.dossier_counts(engines.to_engine(prepared, "dask", partitions=4), *Q1)
        pd.testing.assert_frame_equal(got, T.dossier_counts(prepared, *Q1))
        pd.testing.assert_frame_equal(_ours(got, *Q1), _oracle(prepared, *Q1), check_dtype=False)

    def test_statutory_due_nulls(self, dask_client):
        from cchc_analysis import refdata

        native = engines.to_engine(_dirty(), "dask", partitions=3)
        got = engines.collect(outcome.with_statutory_due(native, refdata.load_catalogue()))
        ref = engines.collect(outcome.with_statutory_due(_dirty(), refdata.load_catalogue()))
        key = ["dossier_id"]
        pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True)[ref.columns], ref.sort_values(key, ignore_index=True))

    def test_dirty_dataset_all_files_identical(self, dask_client, dirty_dataset, tmp_path):
        ref = write_quarter(build_quarter(_processed(_dirty()), "2024Q1"), tmp_path / "ref")
        lazy = _processed(scale.DossierDataset(dirty_dataset))
        _same_files(ref, write_quarter(build_quarter(lazy, "2024Q1", engine="dask"), tmp_path / "dask"))

    @pytest.mark.slow
    def test_sample_quarter_equals_pandas_and_oracle(self, dask_client, sample_partitioned, sample_prepared,
                                                     processed_sample_dir):
        # nd09 on a post-reform quarter: its period starts in the previous calendar quarter.
        _check_sample_quarter("dask", sample_partitioned, sample_prepared, processed_sample_dir, "2025Q3", "nd09")


# --------------------------------------------------------------------------- PySpark


class TestPySpark:
    def test_dirty_flags_and_form06(self, spark):
        native = engines.to_engine(_dirty(), "pyspark", partitions=3)
        got = engines.collect(outcome.dossier_flags(native, *Q1)).sort_values("dossier_id", ignore_index=True)
        ref = engines.collect(outcome.dossier_flags(_dirty(), *Q1)).sort_values("dossier_id", ignore_index=True)
        pd.testing.assert_frame_equal(got, ref)
        prepared, _ = T._prepare_dossiers(_dirty())
        fine = T.dossier_counts(engines.to_engine(prepared, "pyspark", partitions=3), *Q1)
        pd.testing.assert_frame_equal(fine, T.dossier_counts(prepared, *Q1))
        pd.testing.assert_frame_equal(_ours(fine, *Q1), _oracle(prepared, *Q1), check_dtype=False)

    @pytest.mark.slow
    def test_sample_quarter_equals_pandas_and_oracle(self, spark, sample_partitioned, sample_prepared, processed_sample_dir):
        _check_sample_quarter("pyspark", sample_partitioned, sample_prepared, processed_sample_dir, "2024Q1", "calendar")


# --------------------------------------------------------------------------- commands


class TestCommands:
    def test_clean_writes_the_partitioned_layout(self, tmp_path):
        from cchc_analysis import clean

        result = clean.CleanResult(
            _dirty(), schema.empty_frame(schema.PAKN_COLUMNS), schema.empty_frame(schema.EDOC_COLUMNS),
            pd.DataFrame(columns=schema.QUARANTINE_COLUMNS), pd.DataFrame(columns=schema.RECONCILIATION_COLUMNS),
            {"synthetic": True},
        )
        clean.write_processed(result, tmp_path / "out", partitioned=True)
        assert (tmp_path / "out" / "dossiers.parquet" / "received_quarter=2024Q1").is_dir()
        back = clean.load_processed(tmp_path / "out").dossiers  # still readable whole, in memory
        assert sorted(back["dossier_id"]) == sorted(_dirty()["dossier_id"])

    def test_parser_has_the_scale_options(self):
        import argparse

        from cchc_analysis import clean, indicators

        parser = argparse.ArgumentParser()
        indicators.add_arguments(parser)
        args = parser.parse_args(["--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786"])
        assert (args.engine, args.scheduler, args.spark_master) == ("dask", "tcp://127.0.0.1:8786", None)
        parser = argparse.ArgumentParser()
        clean.add_arguments(parser)
        assert parser.parse_args(["--partitioned"]).partitioned

    @pytest.mark.slow
    def test_indicators_command_on_partitioned_folder(self, sample_partitioned, indicators_sample_outputs, tmp_path):
        from cchc_analysis import cli

        code = cli.main(["indicators", "--quarter", "2024Q1", "--engine", "polars",
                         "--processed", str(sample_partitioned), "--out", str(tmp_path)])
        assert code == 0
        _same_files(indicators_sample_outputs / "2024Q1", tmp_path / "2024Q1")
