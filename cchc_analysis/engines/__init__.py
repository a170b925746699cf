"""Dataframe engines of the outcome and aggregation core (DESIGN §2, "Engines"): the only
engine-specific code of the package.

* :mod:`.frames`: pandas tables to native frames (:func:`to_engine`) and back with stable
  dtypes (:func:`collect`), plus the few operations that differ per engine;
* :mod:`.parquet`: :func:`read_parquet`, a native frame over a parquet file or a
  hive-partitioned dataset with partition filters pushed down;
* :mod:`.clusters`: the Dask client and Spark session of the distributed engines.

Nothing here imports the rest of the package (errors aside): every other layer may use it.
"""

from __future__ import annotations

from .clusters import LOCAL_WORKER_ENV, ScaleError, connect, dask_client, shutdown, spark_session
from .frames import (
    ALL_ENGINES,
    DISTRIBUTED,
    ENGINES,
    EngineError,
    collect,
    collect_all,
    distinct,
    duckdb_connection,
    engine_of,
    grouped_sums,
    settle_dtypes,
    to_engine,
)
from .parquet import read_parquet

__all__ = [
    "ALL_ENGINES",
    "DISTRIBUTED",
    "ENGINES",
    "LOCAL_WORKER_ENV",
    "EngineError",
    "ScaleError",
    "collect",
    "collect_all",
    "connect",
    "dask_client",
    "distinct",
    "duckdb_connection",
    "engine_of",
    "grouped_sums",
    "read_parquet",
    "settle_dtypes",
    "shutdown",
    "spark_session",
    "to_engine",
]
