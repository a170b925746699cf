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
============  =====================================  ===========================

Adding an engine (issue 8: Dask, PySpark) touches only this module: one branch in
:func:`to_engine` (e.g. ``dask.dataframe.from_pandas(frame, npartitions=...)``, which narwhals
supports lazily) and one in :func:`engine_of`; :func:`collect` already goes through narwhals.

DuckDB relations all live on one in-process connection owned by this module (relations of
different connections cannot be joined): build DuckDB inputs with :func:`to_engine`.
"""

from __future__ import annotations

import functools

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import CchcError

__all__ = [
    "ENGINES",
    "EngineError",
    "collect",
    "duckdb_connection",
    "engine_of",
    "settle_dtypes",
    "to_engine",
]

ENGINES = ("pandas", "polars", "duckdb")


class EngineError(CchcError, ValueError):
    """An unknown engine name or a frame of an unsupported kind."""


@functools.cache
def duckdb_connection():
    """The in-process DuckDB connection every DuckDB relation of the suite is built on."""
    import duckdb  # imported lazily: the pandas engine must not pay for it

    return duckdb.connect()


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise EngineError(f"unknown engine '{engine}'; use one of: {', '.join(ENGINES)}")


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    # Arrow is the common currency: pandas' nullable Int/boolean and str dtypes map to arrow types
    # with real nulls, which Polars and DuckDB read without copies or object columns.
    return pa.Table.from_pandas(frame, preserve_index=False)


def to_engine(frame: pd.DataFrame, engine: str = "pandas"):
    """``frame`` as a native frame of ``engine`` (see the module table).

    Parameters
    ----------
    frame
        A pandas frame (e.g. the canonical dossier table); its index is dropped for the lazy
        engines, which have none.
    engine
        One of :data:`ENGINES`.

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
    table = _to_arrow(frame)
    if engine == "polars":
        import polars as pl

        return pl.from_arrow(table).lazy()
    return duckdb_connection().from_arrow(table)


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
    """Name of the engine of a native or narwhals frame (one of :data:`ENGINES`).

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
    raise EngineError(f"unsupported frame type {type(frame).__name__}; engines are {ENGINES}")


def _arrow_table(frame) -> pa.Table:
    native = frame.to_native() if isinstance(frame, (nw.DataFrame, nw.LazyFrame)) else frame
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
