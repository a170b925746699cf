"""Parquet readers of every engine: a native frame over a parquet file or a hive-partitioned
dataset, lazily where the engine is, with partition filters pushed down to the reader."""

from __future__ import annotations

from pathlib import Path

import narwhals.stable.v2 as nw
import pyarrow as pa

from .clusters import dask_client, spark_session
from .frames import EngineError, _check_engine, distinct, duckdb_connection

__all__ = ["read_parquet"]


def _quote(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _filter_sql(name: str, op: str, value) -> str:
    quote = _quote

    if op == "in":
        return f'"{name}" IN ({", ".join(quote(v) for v in value)})'
    return f'"{name}" {op} {quote(value)}'


_OPS = ("==", "!=", "<", "<=", ">", ">=", "in")


def read_parquet(path, engine: str = "pandas", filters: list[tuple[str, str, object]] | None = None,
                 columns: list[str] | None = None, where: nw.Expr | None = None, unique: bool = False,
                 categorical: list[str] | tuple[str, ...] = ()):
    """A native frame of ``engine`` over a parquet file or a hive-partitioned parquet dataset.

    Lazy on every engine but pandas (eager, but only the selected partitions are read).

    Parameters
    ----------
    path
        A ``.parquet`` file or a folder ``<name>/<column>=<value>/*.parquet`` (hive layout, as
        written by ``cchc clean --partitioned``).
    engine
        One of :data:`ENGINES`.
    filters
        Conjunction of ``(column, op, value)`` on *text* partition columns, ``op`` one of
        ``== != < <= > >= in`` (text comparison). They are given to each reader so that whole
        partitions are skipped without being opened: pyarrow/Dask ``filters=``, Polars
        ``scan_parquet(hive_partitioning=True)`` predicate pushdown, DuckDB
        ``read_parquet(hive_partitioning=true)`` with a WHERE on the partition column, Spark
        partition pruning (``PartitionFilters`` in the plan).
    columns
        Columns to keep (default: all, partition columns included).
    where
        A narwhals row filter over the kept columns (e.g. ``outcome.in_scope(start, end)``).
        The lazy engines apply it to the scan (their optimisers push it down); pandas
        evaluates it on the Arrow table read by pyarrow, before any pandas column is built.
    unique
        Keep distinct rows only (after ``where``); for pandas also evaluated on Arrow, on the
        dictionary-encoded text, so only the distinct rows are decoded (e.g. group keys).
    categorical
        pandas only: text columns given as pandas categoricals (the Arrow dictionaries as
        read, never decoded; for group keys: pandas groups categorical codes much faster than
        text). The other engines ignore it.
    """
    _check_engine(engine)
    filters = list(filters or [])
    for _, op, _value in filters:
        if op not in _OPS:
            raise EngineError(f"unsupported filter operator {op!r}; use one of {_OPS}")
    path = Path(path)
    hive = path.is_dir()
    if engine in ("pandas", "dask"):
        # pyarrow partition discovery: partition columns as text (not dictionary/category).
        import pyarrow.dataset as ds

        partitioning = ds.HivePartitioning.discover(infer_dictionary=False) if hive else None
        arrow_filters = [(c, "=" if o == "==" else o, v) for c, o, v in filters] or None
        if engine == "pandas":
            expr = None
            for c, o, v in filters:
                field = ds.field(c)
                term = {"==": field == v, "!=": field != v, "<": field < v, "<=": field <= v,
                        ">": field > v, ">=": field >= v, "in": field.isin(list(v) if o == "in" else [])}[o]
                expr = term if expr is None else expr & term
            # pandas metadata in the files restores the canonical dtypes (Int8, boolean, str).
            return _read_arrow(path, partitioning, columns, expr, where, unique, categorical).to_pandas()
        import dask.dataframe as dd
        dask_client()
        return _where(dd.read_parquet(
            str(path), filters=arrow_filters, columns=columns,
            dataset={"partitioning": partitioning} if hive else {},
        ), where, unique)
    if engine == "polars":
        import polars as pl

        frame = pl.scan_parquet(str(path / "**" / "*.parquet") if hive else str(path), hive_partitioning=hive)
        for c, o, v in filters:
            col = pl.col(c).cast(pl.String)
            frame = frame.filter(col.is_in(list(v)) if o == "in" else {
                "==": col == v, "!=": col != v, "<": col < v, "<=": col <= v, ">": col > v, ">=": col >= v}[o])
        frame = frame.select(columns) if columns else frame
        return _where(frame, where, unique)
    if engine == "duckdb":
        glob = str(path / "**" / "*.parquet") if hive else str(path)
        options = ", hive_partitioning = true, hive_types_autocast = false" if hive else ""
        rel = duckdb_connection().sql(f"SELECT * FROM read_parquet({_quote(glob)}{options})")
        for c, o, v in filters:
            rel = rel.filter(_filter_sql(c, "=" if o == "==" else o, v))
        return _where(rel.select(*[f'"{c}"' for c in columns]) if columns else rel, where, unique)
    frame = spark_session().read.parquet(str(path))
    for c, o, v in filters:
        frame = frame.filter(_filter_sql(c, "=" if o == "==" else o, v).replace('"', "`"))
    return _where(frame.select(*columns) if columns else frame, where, unique)


def _where(native, where: nw.Expr | None, unique: bool = False):
    """``native`` filtered by the narwhals expression ``where`` (none when None), then its
    distinct rows when ``unique``."""
    if where is None and not unique:
        return native
    data = nw.from_native(native)
    data = data if where is None else data.filter(where)
    return (distinct(data) if unique else data).to_native()


def _read_arrow(path, partitioning, columns: list[str] | None, partition_filter,
                where: nw.Expr | None, unique: bool = False, categorical=()) -> pa.Table:
    """The pyarrow read behind the pandas engine: the kept columns, text read as dictionaries
    (the files store it dictionary-encoded: decoding every value is most of a plain read),
    ``where`` evaluated on the Arrow table, then text decoded for the rows kept only."""
    import pyarrow.dataset as ds

    schema = ds.dataset(path, format="parquet", partitioning=partitioning).schema
    names = list(columns) if columns is not None else schema.names
    text = [n for n in names if pa.types.is_string(schema.field(n).type) or pa.types.is_large_string(schema.field(n).type)]
    options = ds.ParquetFileFormat(read_options=ds.ParquetReadOptions(dictionary_columns=text))
    table = ds.dataset(path, format=options, partitioning=partitioning).to_table(columns=names, filter=partition_filter)
    if (unique or categorical) and text:
        table = table.unify_dictionaries()  # files (partitions) carry their own dictionaries
    table = _where(table, where, unique)
    keep = set(categorical) & set(text)
    wanted = pa.schema([table.schema.field(n) if n in keep else schema.field(n) for n in names],
                       metadata=schema.metadata)
    return table.cast(wanted)
