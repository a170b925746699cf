"""Clusters of the distributed engines: the Dask client and the Spark session.

:func:`dask_client` joins a Dask scheduler (``address``, else the environment variable
``DASK_SCHEDULER_ADDRESS``) or starts a local cluster sized to the machine (one
single-threaded worker process per core, loopback only, dashboard on a free port).
:func:`spark_session` joins a Spark master (``master``, else ``SPARK_MASTER``, else
``local[*]``). Both return the running one when already connected; :func:`shutdown` closes
what this module started.
"""

from __future__ import annotations

import os

from ..errors import CchcError

__all__ = ["LOCAL_WORKER_ENV", "ScaleError", "connect", "dask_client", "shutdown", "spark_session"]


#: Environment of local Dask workers: Arrow buffers from the C allocator, which gives freed
#: memory back to the system (Arrow's default jemalloc pool keeps it, so a worker that has
#: read many files holds its peak), as does glibc with a low trim threshold.
LOCAL_WORKER_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_TRIM_THRESHOLD_": "65536"}


class ScaleError(CchcError, RuntimeError):
    """A cluster that cannot be reached or started, or a dataset that cannot be used."""


_started: dict[str, object] = {}


def dask_client(address: str | None = None, *, n_workers: int | None = None, memory_limit="auto"):
    """The Dask ``distributed.Client`` the ``dask`` engine computes on.

    Parameters
    ----------
    address
        ``tcp://HOST:8786`` of a running scheduler; default ``DASK_SCHEDULER_ADDRESS``. Without
        either, the current client if any, else a new local cluster (loopback, one worker
        process per core, one thread each, dashboard on a free port).
    n_workers, memory_limit
        Local cluster only (default: one worker per core, memory shared equally).
    """
    from distributed import Client, LocalCluster, default_client

    address = address or os.environ.get("DASK_SCHEDULER_ADDRESS")
    try:
        client = default_client()
        if address is None or client.scheduler.address == address:
            return client
    except ValueError:
        pass
    if address:
        try:
            client = Client(address, timeout="20s")
        except OSError as exc:
            raise ScaleError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        _started["dask_client"] = client
        return client
    cluster = LocalCluster(
        n_workers=n_workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        memory_limit=memory_limit,
        env=LOCAL_WORKER_ENV,
    )
    client = Client(cluster)
    _started["dask_cluster"], _started["dask_client"] = cluster, client
    return client


def spark_session(master: str | None = None, *, shuffle_partitions: int | None = None, **conf):
    """The ``SparkSession`` the ``pyspark`` engine computes on (needs Java 17+).

    ``master`` default: ``SPARK_MASTER``, else ``local[*]``. A local master binds to loopback
    with the UI off. Timestamps are naive local time (``TIMESTAMP_NTZ``, session time zone UTC
    so nothing is shifted); Arrow transfers are on.
    """
    import shutil

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ScaleError("the pyspark engine needs a Java runtime (java not found on PATH)")
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    master = master or os.environ.get("SPARK_MASTER", "local[*]")
    builder = (
        SparkSession.builder.master(master)
        .appName("cchc-analysis")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _started["spark"] = session
    return session


def connect(engine: str, address: str | None = None) -> None:
    """Join (or start) the cluster of a distributed ``engine``; nothing for the others."""
    if engine == "dask":
        dask_client(address)
    elif engine == "pyspark":
        spark_session(address)


def shutdown() -> None:
    """Close the clients, clusters and sessions this module started (not ones it joined)."""
    client = _started.pop("dask_client", None)
    if client is not None:
        client.close()
    cluster = _started.pop("dask_cluster", None)
    if cluster is not None:
        cluster.close()
    spark = _started.pop("spark", None)
    if spark is not None:
        spark.stop()
