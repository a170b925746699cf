"""Engine conversion: native kinds and stable dtypes after collect."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from cchc_analysis import engines
from tests.dossier_factory import make_dossiers


def _dirty() -> pd.DataFrame:
    return make_dossiers(
        dict(status=10, finished_at="2024-01-12 15:00", due_at="2024-01-15"),
        dict(status=None, received_at=None, channel=None),
    )


class TestToEngine:
    @pytest.mark.parametrize(
        ("engine", "module"), [("pandas", "pandas"), ("polars", "polars"), ("duckdb", "duckdb")]
    )
    def test_native_kind(self, engine, module):
        native = engines.to_engine(_dirty(), engine)
        assert type(native).__module__.split(".")[0].lstrip("_") == module

    def test_polars_is_lazy(self):
        assert isinstance(nw.from_native(engines.to_engine(_dirty(), "polars")), nw.LazyFrame)

    def test_unknown_engine_is_a_clear_error(self):
        with pytest.raises(engines.EngineError, match="pandas, polars, duckdb"):
            engines.to_engine(_dirty(), "spark")

    def test_non_pandas_input_is_rejected(self):
        with pytest.raises(engines.EngineError):
            engines.to_engine([1, 2], "polars")


class TestEngineOf:
    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_round_trip(self, engine):
        assert engines.engine_of(engines.to_engine(_dirty(), engine)) == engine

    def test_narwhals_frame(self):
        assert engines.engine_of(nw.from_native(engines.to_engine(_dirty(), "polars"))) == "polars"


class TestCollect:
    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_identical_on_every_engine(self, engine):
        expected = engines.collect(_dirty())
        pd.testing.assert_frame_equal(engines.collect(engines.to_engine(_dirty(), engine)), expected)

    def test_dtype_rules(self):
        got = engines.collect(engines.to_engine(_dirty(), "duckdb")).dtypes
        assert (str(got["status"]), str(got["received_at"]), str(got["in_catalogue"])) == (
            "Int8",
            "datetime64[us]",
            "bool",
        )
        assert got["channel"] == "str"

    def test_missing_values_survive(self):
        got = engines.collect(engines.to_engine(_dirty(), "polars"))
        assert got["status"].isna().tolist() == [False, True]
        assert got["channel"].isna().tolist() == [False, True]


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    path = tmp_path_factory.mktemp("read") / "dossiers.parquet"
    make_dossiers(
        dict(status=10, finished_at="2024-01-12 15:00", due_at="2024-01-15", field="Đất đai"),
        dict(status=None, received_at=None, channel=None),
        dict(status=4, field="Đất đai"),
        dict(status=4, field=None),
    ).to_parquet(path, index=False)
    return path


class TestReadParquet:
    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_where_keeps_the_matching_rows(self, path, engine):
        where = ~nw.col("status").is_null() & (nw.col("status") == 4)
        got = engines.collect(engines.read_parquet(path, engine, columns=["dossier_id", "status"], where=where))
        assert sorted(got["dossier_id"]) == ["HS0003", "HS0004"]

    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_unique_keeps_distinct_rows(self, path, engine):
        got = engines.collect(engines.read_parquet(path, engine, columns=["field"], unique=True))
        assert sorted(got["field"].fillna("-")) == ["-", "Hộ tịch", "Đất đai"]

    def test_pandas_text_stays_str_not_category(self, path):
        where = ~nw.col("status").is_null()
        got = engines.read_parquet(path, "pandas", columns=["field", "channel", "status"], where=where)
        assert [str(t) for t in got.dtypes] == ["str", "str", "Int8"]
        assert got["field"].tolist()[:2] == ["Đất đai", "Đất đai"]

    def test_pandas_categorical_keeps_the_dictionary(self, path):
        got = engines.read_parquet(path, "pandas", columns=["field", "channel"], categorical=["field"])
        assert isinstance(got["field"].dtype, pd.CategoricalDtype) and str(got["channel"].dtype) == "str"
        assert got["field"].tolist()[:3] == ["Đất đai", "Hộ tịch", "Đất đai"] and pd.isna(got["field"].iloc[3])
