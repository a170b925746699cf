"""The two reductions of the engine module that Dask evaluates differently (issue 8):
``engines.distinct`` and ``engines.grouped_sums`` give the same rows on every engine, and on
Dask they end in one partition (a tree reduction, not a hash shuffle of every row)."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from cchc_analysis import engines

pytestmark = [
    pytest.mark.engines,
    pytest.mark.filterwarnings("ignore:Dask support is moving out of Narwhals:FutureWarning"),
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "unit": pd.array(["a", "b", "a", None, "b", "a", None, "c"], dtype="str"),
        "field": pd.array(["x", "y", "x", "x", "y", "z", "x", "x"], dtype="str"),
        "n": pd.array([1, 2, 3, 4, 5, 6, 7, 8], dtype="int64"),
    })


def _on(engine: str):
    if engine == "dask":  # no cluster needed: the local threaded scheduler evaluates it
        dd = pytest.importorskip("dask.dataframe")
        return nw.from_native(dd.from_pandas(_frame(), npartitions=4, sort=False))
    return nw.from_native(engines.to_engine(_frame(), engine))


def _many_dask_partitions():
    """40 partitions: enough for Dask's default to hash-shuffle two keys into several."""
    dd = pytest.importorskip("dask.dataframe")
    return nw.from_native(dd.from_pandas(pd.concat([_frame()] * 10, ignore_index=True), npartitions=40, sort=False))


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows sorted by the keys, a missing key as None."""
    frame = frame.sort_values(["unit", "field"], na_position="last", ignore_index=True)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


class TestDistinct:
    @pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb", "dask"])
    def test_distinct_rows(self, engine):
        got = _rows(engines.collect(engines.distinct(_on(engine).select("unit", "field"))))
        assert got == [
            ("a", "x"), ("a", "z"), ("b", "y"), ("c", "x"), (None, "x")]

    def test_dask_reduces_without_a_shuffle(self):
        plan = engines.distinct(_many_dask_partitions().select("unit", "field")).to_native().optimize()
        assert plan.npartitions == 1
        assert "Shuffle" not in plan.expr.tree_repr()


class TestGroupedSums:
    @pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb", "dask"])
    def test_sums_per_group_with_null_key(self, engine):
        got = _rows(engines.collect(engines.grouped_sums(_on(engine), ["unit", "field"], ["n"])))
        assert got == [
            ("a", "x", 4), ("a", "z", 6), ("b", "y", 7), ("c", "x", 8), (None, "x", 11)]

    def test_dask_reduces_without_a_shuffle(self):
        plan = engines.grouped_sums(_many_dask_partitions(), ["unit", "field"], ["n"]).to_native().optimize()
        assert plan.npartitions == 1
        assert "Shuffle" not in plan.expr.tree_repr()
