"""Dataframe engines of the outcome and aggregation core (DESIGN §2, "Engines").

The core (:mod:`cchc_analysis.outcome`, the indicators) is written once with narwhals' stable
API; this module is the only place that knows the engines themselves. It converts the canonical
pandas tables into an engine's native frame and brings results back as pandas frames with
stable dtypes, so the same computation compares equal on every engine.

============  =====================================  ===========================
engine        native frame from :func:`to_engine`     evaluation
============  =====================================  ===========================
``pandas``    ``pandas.DataFrame`` (unchanged)        eager (the default)
``polars``    ``polars.LazyFrame``                    lazy, multi-threaded
``duckdb``    ``duckdb.DuckDBPyRelation``             lazy, out-of-core
``dask``      ``dask.dataframe.DataFrame``            lazy, distributed (issue 8)
``pyspark``   ``pyspark.sql.DataFrame``               lazy, distributed (Java needed)
============  =====================================  ===========================

The distributed engines run on the cluster of :mod:`cchc_analysis.engines.clusters` (a Dask client, a
SparkSession); :func:`to_engine` and :func:`read_parquet` start a local one when none is
connected. :func:`read_parquet` builds the native frame straight from a (hive-partitioned)
parquet dataset, lazily, with partition filters pushed down to the reader.

DuckDB relations all live on one in-process connection owned by this module (relations of
different connections cannot be joined): build DuckDB inputs with :func:`to_engine`.
"""

from __future__ import annotations

import functools
import warnings

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import CchcError
from .clusters import dask_client, spark_session

# narwhals 2.29 announces that Dask support moves to a plugin package; the API used here is
# unchanged, so the notice is not repeated on every frame.
warnings.filterwarnings("ignore", message="Dask support is moving out of Narwhals", category=FutureWarning)

__all__ = [
    "ALL_ENGINES",
    "DISTRIBUTED",
    "ENGINES",
    "EngineError",
    "collect",
    "collect_all",
    "distinct",
    "duckdb_connection",
    "engine_of",
    "grouped_sums",
    "settle_dtypes",
    "to_engine",
]

#: Single-machine engines (what tests iterate over: no cluster to start).
ENGINES = ("pandas", "polars", "duckdb")
#: Engines whose frames live on a cluster (started or joined by :mod:`cchc_analysis.engines.clusters`).
DISTRIBUTED = ("dask", "pyspark")
#: Every engine :func:`to_engine` accepts.
ALL_ENGINES = ENGINES + DISTRIBUTED


class EngineError(CchcError, ValueError):
    """An unknown engine name or a frame of an unsupported kind."""


@functools.cache
def duckdb_connection():
    """The in-process DuckDB connection every DuckDB relation of the suite is built on."""
    import duckdb  # imported lazily: the pandas engine must not pay for it

    return duckdb.connect()


def _check_engine(engine: str) -> None:
    if engine not in ALL_ENGINES:
        raise EngineError(f"unknown engine '{engine}'; use one of: {', '.join(ALL_ENGINES)}")


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    # Arrow is the common currency: pandas' nullable Int/boolean and str dtypes map to arrow types
    # with real nulls, which Polars and DuckDB read without copies or object columns.
    return pa.Table.from_pandas(frame, preserve_index=False)


def to_engine(frame: pd.DataFrame, engine: str = "pandas", partitions: int | None = None):
    """``frame`` as a native frame of ``engine`` (see the module table).

    Parameters
    ----------
    frame
        A pandas frame (e.g. the canonical dossier table); its index is dropped for the lazy
        engines, which have none.
    engine
        One of :data:`ENGINES`.
    partitions
        Dask / Spark only: number of partitions (default: about one per 500,000 rows, at
        least one). Ignored by the single-machine engines.

    Raises
    ------
    EngineError
        For an unknown engine name.
    """
    _check_engine(engine)
    if not isinstance(frame, pd.DataFrame):
        raise EngineError(f"to_engine expects a pandas DataFrame, got {type(frame).__name__}")
    if engine == "pandas":
        return frame
    if engine == "dask":
        import dask.dataframe as dd
        dask_client()
        # Text becomes Dask's ``string[pyarrow]`` (pd.NA missing values), not pandas 3's ``str``:
        # the core never relies on either (explicit is_null guards), and collect() returns str.
        return dd.from_pandas(
            frame.reset_index(drop=True), npartitions=partitions or _default_partitions(len(frame)), sort=False
        )
    table = _to_arrow(frame)
    if engine == "polars":
        import polars as pl

        return pl.from_arrow(table).lazy()
    if engine == "pyspark":
        spark = spark_session()
        sdf = spark.createDataFrame(_spark_safe(table))
        return sdf.repartition(partitions) if partitions else sdf
    return duckdb_connection().from_arrow(table)


def _default_partitions(rows: int) -> int:
    return max(1, -(-rows // 500_000))


def _spark_safe(table: pa.Table) -> pa.Table:
    """Arrow types Spark accepts: dictionary columns decoded, nanosecond timestamps as micro."""
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        if pa.types.is_timestamp(kind):
            kind = pa.timestamp("us")
        fields.append(pa.field(field.name, kind))
    schema = pa.schema(fields)
    return table if schema == table.schema else table.cast(schema)


def _is_dask(data) -> bool:
    native = data.to_native() if isinstance(data, (nw.DataFrame, nw.LazyFrame)) else data
    return type(native).__module__.startswith("dask")


def distinct(data):
    """The distinct rows of a narwhals frame of any engine (lazy where the engine is).

    On Dask the result is reduced into one partition (``split_out=1``): the callers ask for
    few distinct rows (group keys), and Dask's default for several columns hash-shuffles every
    row between the workers first, which costs seconds per pass on a small cluster.
    """
    if _is_dask(data):
        return nw.from_native(data.to_native().drop_duplicates(split_out=1))
    return data.unique()


def grouped_sums(data, by: list[str], names: list[str]):
    """Sum of the columns ``names`` per ``by`` group (a null key is a group of its own), as a
    lazy narwhals frame of the same engine; group order unspecified.

    On Dask a tree reduction into one partition (``split_out=1``) rather than Dask's default
    for several keys (a shuffle of every row): the groups are few (units x fields), so the
    partial sums of each partition are small.
    """
    if _is_dask(data):
        native = data.to_native()
        summed = native.groupby(by, dropna=False, sort=False)[names].sum(split_out=1).reset_index()
        return nw.from_native(summed)
    return data.group_by(*by, drop_null_keys=False).agg(nw.col(*names).sum())


def settle_dtypes(frame, dtypes: dict[str, str]):
    """Give never-null result columns their plain dtype (``bool``, ``int64``) on pandas.

    On pandas, narwhals keeps the nullable dtype family of the inputs (the canonical table's
    ``Int8`` status makes every flag ``boolean``); a caller who knows a column has no missing
    value casts it back here. The lazy engines have one boolean and one integer type, so their
    frames are returned unchanged. Narwhals frames are accepted and returned as narwhals.
    """
    wrapped = isinstance(frame, (nw.DataFrame, nw.LazyFrame))
    native = frame.to_native() if wrapped else frame
    if isinstance(native, pd.DataFrame):
        native = native.astype({c: t for c, t in dtypes.items() if c in native.columns})
        return nw.from_native(native) if wrapped else native
    return frame


def engine_of(frame) -> str:
    """Name of the engine of a native or narwhals frame (one of :data:`ALL_ENGINES`).

    Raises
    ------
    EngineError
        For a frame of another library.
    """
    if isinstance(frame, (nw.DataFrame, nw.LazyFrame)):
        frame = frame.to_native()
    module = type(frame).__module__.split(".")[0]
    if isinstance(frame, pd.DataFrame):
        return "pandas"
    if module == "polars":
        return "polars"
    if module in ("duckdb", "_duckdb"):
        return "duckdb"
    if module == "dask":
        return "dask"
    if module == "pyspark":
        return "pyspark"
    raise EngineError(f"unsupported frame type {type(frame).__name__}; engines are {ALL_ENGINES}")


def _arrow_table(frame) -> pa.Table:
    native = frame.to_native() if isinstance(frame, (nw.DataFrame, nw.LazyFrame)) else frame
    if type(native).__module__.split(".")[0] == "dask":
        # Dask results carry the index of their last merge or group-by: never a column.
        native = native.compute()
    if isinstance(native, pd.DataFrame):
        # A filtered or sorted pandas frame has a meaningless index: never a column.
        return _to_arrow(native)
    data = nw.from_native(native)
    if isinstance(data, nw.LazyFrame):
        data = data.collect(backend="pyarrow")
    return data.to_arrow()


def _nullable_integer(arrow_type: pa.DataType) -> str:
    return {8: "Int8", 16: "Int16", 32: "Int32", 64: "Int64"}[arrow_type.bit_width].replace(
        "Int", "UInt" if pa.types.is_unsigned_integer(arrow_type) else "Int"
    )


def _column(array: pa.ChunkedArray) -> pd.Series | np.ndarray:
    """One arrow column as pandas data with the suite's stable dtype rules."""
    kind = array.type
    has_nulls = array.null_count > 0
    if pa.types.is_dictionary(kind):
        array = array.cast(kind.value_type)
        kind = array.type
    if pa.types.is_boolean(kind):
        return pd.array(array.to_pylist(), dtype="boolean") if has_nulls else array.to_numpy()
    if pa.types.is_integer(kind):
        if has_nulls:
            return pd.array(array.to_pandas(), dtype=_nullable_integer(kind))
        return array.to_numpy()
    if pa.types.is_decimal(kind):  # DuckDB's HUGEINT sums arrive as decimal(38, 0)
        return pd.array(array.cast(pa.float64()).to_pandas(), dtype="Float64").astype(
            "Int64" if has_nulls else "int64"
        )
    if pa.types.is_floating(kind):
        return array.to_numpy().astype("float64") if not has_nulls else array.cast(pa.float64()).to_pandas().to_numpy()
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            array = array.cast(pa.timestamp(kind.unit))
        return array.cast(pa.timestamp("us")).to_pandas().astype("datetime64[us]").to_numpy()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pd.array(array.cast(pa.large_string()).to_pandas(), dtype="str")
    return array.to_pandas()


def collect_all(*frames) -> list[pd.DataFrame]:
    """:func:`collect` of several frames; Polars lazy frames in one ``polars.collect_all`` and
    Dask frames in one ``dask.compute`` (evaluated together, in parallel, common parts once)."""
    natives = [f.to_native() if isinstance(f, (nw.DataFrame, nw.LazyFrame)) else f for f in frames]
    if natives and all(type(n).__module__.startswith("polars") and type(n).__name__ == "LazyFrame"
                       for n in natives):
        import polars as pl

        return [collect(done) for done in pl.collect_all(natives)]
    if natives and all(_is_dask(n) for n in natives):
        import dask

        # One graph: the scans shared by the frames are read once.
        return [collect(done) for done in dask.compute(*natives)]
    return [collect(f) for f in frames]


def collect(frame) -> pd.DataFrame:
    """Evaluate a frame of any engine and return it as a pandas frame with stable dtypes.

    Parameters
    ----------
    frame
        A native frame (pandas, Polars eager or lazy, DuckDB relation) or a narwhals frame.

    Returns
    -------
    pandas.DataFrame
        A fresh ``RangeIndex``. Dtypes follow the values, not the engine, so equal results
        compare equal across engines: booleans are ``bool`` without missing values else
        ``boolean``; integers keep their width, numpy ``intN`` without missing values else
        nullable ``IntN``; floats ``float64``; timestamps and dates ``datetime64[us]`` (naive);
        text ``str``. Row order is the engine's: sort before comparing unsorted results.
    """
    table = _arrow_table(frame)
    return pd.DataFrame(
        {name: _column(table.column(name)) for name in table.column_names},
        index=pd.RangeIndex(table.num_rows),
    )
