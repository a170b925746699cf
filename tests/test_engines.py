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
