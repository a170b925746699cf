"""National scale (issue 8): clusters, the partitioned dossier dataset, and lazy dossier sources.

* Clusters. :func:`dask_client` joins a Dask scheduler (``address``, else the environment
  variable ``DASK_SCHEDULER_ADDRESS``) or starts a local cluster sized to the machine (one
  single-threaded worker process per core, loopback only, dashboard on a free port).
  :func:`spark_session` joins a Spark master (``master``, else ``SPARK_MASTER``, else
  ``local[*]``). Both return the running one when already connected; :func:`shutdown` closes
  what this module started.
* Layout. :func:`write_partitioned` writes the canonical dossier table as a hive-partitioned
  dataset ``dossiers.parquet/received_quarter=2024Q1/part-0.parquet`` (partition = calendar
  quarter of ``received_at``; ``received_quarter=none`` for a missing date). The folder keeps
  the file name, so ``pandas.read_parquet`` / ``clean.load_processed`` still read it whole.
* Sources. :class:`DossierDataset` gives :func:`cchc_analysis.indicators.build_quarter` the
  dossiers of one period without loading the history: each counting pass reads only the
  partitions ``received_quarter <= quarter of the period end`` (a dossier received later is
  never in scope), with the filter pushed down to the reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import schema
from .errors import CchcError

__all__ = [
    "CLOSED_COLUMN",
    "PARTITION_COLUMN",
    "ScaleError",
    "dask_client",
    "is_partitioned",
    "closed_partition_of",
    "partition_of",
    "shutdown",
    "spark_session",
    "write_partitioned",
]

#: Hive partition column of the dossier dataset (text ``2024Q1``; sorts like the quarters).
PARTITION_COLUMN = "received_quarter"
#: Partition of dossiers without ``received_at`` (sorts after every quarter: never in scope).
NO_QUARTER = "none"
#: Second-level hive partition: calendar quarter in which the dossier was closed (terminal
#: status with ``finished_at``), else :data:`OPEN`.
CLOSED_COLUMN = "closed_quarter"
#: Closed partition of a dossier not closed yet (sorts after every quarter, so
#: ``closed_quarter >= "2024Q3"`` keeps the open ones).
OPEN = "open"


#: Environment of local Dask workers: Arrow buffers from the C allocator, which gives freed
#: memory back to the system (Arrow's default jemalloc pool keeps it, so a worker that has
#: read many files holds its peak), as does glibc with a low trim threshold.
LOCAL_WORKER_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_TRIM_THRESHOLD_": "65536"}


class ScaleError(CchcError, RuntimeError):
    """A cluster that cannot be reached or started, or a dataset that cannot be used."""


# --------------------------------------------------------------------------- clusters

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


# --------------------------------------------------------------------------- layout


def partition_of(received_at: pd.Series) -> pd.Series:
    """Partition value of each dossier: calendar quarter of ``received_at`` (``2024Q1``)."""
    days = pd.to_datetime(received_at)
    text = days.dt.year.astype("Int64").astype("str") + "Q" + days.dt.quarter.astype("Int64").astype("str")
    return text.where(days.notna(), NO_QUARTER).astype("str")


def closed_partition_of(status: pd.Series, finished_at: pd.Series) -> pd.Series:
    """Closed partition of each dossier: calendar quarter of ``finished_at`` when its status is
    terminal (``schema.TERMINAL_STATUSES``) and the date is present, else :data:`OPEN`.

    A dossier closed before the quarter of a period's start is out of scope of that period
    (``outcome.in_scope``: terminal and finished before the start), so a counting pass reads
    only ``closed_quarter >= quarter of the start``: the dossiers still open from earlier
    quarters are found without opening the ones closed long ago.
    """
    closed = status.isin(list(schema.TERMINAL_STATUSES)).fillna(False).astype(bool) & finished_at.notna()
    return partition_of(finished_at).where(closed.to_numpy(), OPEN).astype("str")


def partition_columns(path: str | Path) -> tuple[str, ...]:
    """The hive partition columns of a dataset folder, outermost first (none for a file)."""
    path = Path(path)
    columns: list[str] = []
    while path.is_dir():
        child = next((c for c in sorted(path.iterdir()) if c.is_dir() and "=" in c.name), None)
        if child is None:
            break
        columns.append(child.name.split("=", 1)[0])
        path = child
    return tuple(columns)


def is_partitioned(path: str | Path) -> bool:
    """Whether ``path`` is a partitioned dataset folder (rather than one parquet file)."""
    return Path(path).is_dir()


def write_partitioned(dossiers: pd.DataFrame, path: str | Path, max_rows_per_file: int = 2_000_000) -> Path:
    """Write the canonical dossier table as a hive-partitioned dataset at ``path`` (a folder).

    One folder per quarter of receipt, and inside it one per quarter of closure
    (``received_quarter=2024Q1/closed_quarter=2024Q2``; ``closed_quarter=open`` for dossiers
    not closed, :func:`closed_partition_of`); files of at most ``max_rows_per_file`` rows, row
    order kept within a partition. The canonical dtypes travel in the pandas metadata of each
    file. ``path`` must not exist yet (write into a staging folder and rename, as ``clean``
    does).
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    path = Path(path)
    frame = schema.conform(dossiers, schema.DOSSIER_COLUMNS)
    table = pa.Table.from_pandas(frame.assign(**{
        PARTITION_COLUMN: partition_of(frame["received_at"]),
        CLOSED_COLUMN: closed_partition_of(frame["status"], frame["finished_at"]),
    }), preserve_index=False)
    ds.write_dataset(
        table,
        path,
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([(PARTITION_COLUMN, pa.string()), (CLOSED_COLUMN, pa.string())]), flavor="hive"
        ),
        basename_template="part-{i}.parquet",
        max_rows_per_file=max_rows_per_file,
        max_rows_per_group=min(max_rows_per_file, 1_000_000),
        existing_data_behavior="error",
    )
    return path


# --------------------------------------------------------------------------- lazy dossier source


@dataclass
class DossierDataset:
    """The dossier table as a parquet dataset, read lazily per period by ``build_quarter``.

    Use :func:`load_processed` (or ``DossierDataset(path)`` as ``processed.dossiers``). What
    each step reads (``P`` = the partitions ``received_quarter <= quarter of the period end``):

    ==========================  ==================================  =====================
    step                        rows / partitions read              columns
    ==========================  ==================================  =====================
    counts of a period          ``P`` and ``C``; in-scope rows      ``COUNT_COLUMNS`` (18)
    days with dossiers (once)   every partition                     status, received_at
    group keys (once)           every partition, distinct rows      the 4 group keys
    calendar check (once)       every partition                     received/finished_at
    ==========================  ==================================  =====================

    ``C`` = the closed partitions ``closed_quarter >= quarter of the period start`` (``open``
    sorts after every quarter). Later partitions are never opened for counting: a dossier
    received after the period is never in scope. Of the earlier ones, only the dossiers still
    open, or closed in or after the period's quarter, are read: a dossier closed before it is
    out of scope (terminal and finished before the start). A dataset written before the
    closed level existed is read by receipt only. Within the partitions read, the reader gets
    the scope filter (``outcome.in_scope``) and the column list of ``tables.COUNT_COLUMNS``:
    pyarrow for pandas (text read as dictionaries, group keys kept as categoricals), the scan
    of the lazy engines otherwise; the working days and statutory due are computed on the
    in-scope rows only. The group keys
    come from the whole dataset so that a unit or field seen only in other quarters still gets
    its (zero) line, exactly as with the in-memory table. A single ``.parquet`` file works too,
    without pruning.
    """

    path: Path
    engine: str = "pandas"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.exists():
            raise ScaleError(f"dossier dataset not found: {self.path}")
        self._partitions = partition_columns(self.path)  # the layout, read once
        self._keys: pd.DataFrame | None = None
        self._days: pd.Series | None = None

    def on_engine(self, engine: str) -> DossierDataset:
        """This dataset read by ``engine`` (joins or starts its cluster)."""
        from . import engines
        from .indicators import tables

        connect(engine) if engine in engines.DISTRIBUTED else None
        bound = DossierDataset(self.path, engine)
        bound.notes = tuple(tables.catalogue_notes())
        return bound

    # -- reading
    def _filters(self, first: str | None, last: str | None, closed_from: str | None = None) -> list[tuple[str, str, str]]:
        partitions = self._partitions
        out = []
        if PARTITION_COLUMN in partitions:
            if first is not None:
                out.append((PARTITION_COLUMN, ">=", first))
            if last is not None:
                out.append((PARTITION_COLUMN, "<=", last))
        if closed_from is not None and CLOSED_COLUMN in partitions:
            out.append((CLOSED_COLUMN, ">=", closed_from))
        return out

    def _read(self, last: str | None, columns: list[str] | None = None, first: str | None = None, where=None,
              unique: bool = False, closed_from: str | None = None, categorical: tuple[str, ...] = ()):
        import narwhals.stable.v2 as nw

        from . import engines

        columns = columns or list(schema.DOSSIER_COLUMNS)
        native = engines.read_parquet(self.path, self.engine, self._filters(first, last, closed_from), columns,
                                      where, unique, categorical)
        return nw.from_native(native).select(*columns)

    def _in_scope(self, start, end):
        """The dossiers in scope of [start, end], prepared (working days, statutory due), with
        only the columns the counts use: the scope filter and the column list reach the reader
        (pyarrow for pandas, the scan of the lazy engines), before any per-dossier work."""
        import narwhals.stable.v2 as nw

        from . import outcome
        from .indicators import tables
        from .periods import Quarter

        data = self._read(str(Quarter.of(end)), list(tables.COUNT_COLUMNS), where=outcome.in_scope(start, end),
                          closed_from=str(Quarter.of(start)), categorical=tuple(tables.FINE_KEYS))
        native = data.to_native()
        if self.engine == "pandas":  # eager: the numpy calendar look-ups of the in-memory path;
            # group keys stay categorical (pandas groups the codes), the rest canonical.
            dtypes = {c: t for c, t in tables.count_dtypes().items() if c not in tables.FINE_KEYS}
            prepared, _ = tables._prepare_dossiers(native.astype(dtypes))
        else:
            prepared, _ = tables.prepare_native(native)
        return nw.from_native(prepared)

    def _dask_count_query(self, start, end):
        """The counts of [start, end] on Dask as a map-reduce: each partition's in-scope rows
        go through the pandas path (:meth:`_in_scope` + ``tables.in_scope_count_query``, the
        same narwhals functions), and the partial counts are summed per group in a tree into
        one partition. Counts are additive, so the result is the same; each worker runs one
        pandas pass per partition instead of a long graph of small Dask column operations
        (which cost ~0.2 s per partition on the client and the workers)."""
        import narwhals.stable.v2 as nw

        from . import engines, outcome
        from .indicators import tables
        from .periods import Quarter

        data = self._read(str(Quarter.of(end)), list(tables.COUNT_COLUMNS), where=outcome.in_scope(start, end),
                          closed_from=str(Quarter.of(start)))

        def partition_counts(part: pd.DataFrame) -> pd.DataFrame:
            prepared, _ = tables._prepare_dossiers(part.astype(tables.count_dtypes()))
            return engines.collect(tables.in_scope_count_query(prepared, start, end))

        native = data.to_native()
        partial = native.map_partitions(partition_counts, meta=partition_counts(native._meta))
        names = [c for c in partial.columns if c not in tables.FINE_KEYS]
        return engines.grouped_sums(nw.from_native(partial), list(tables.FINE_KEYS), names)

    # -- the three questions build_quarter asks
    def _keys_query(self):
        import narwhals.stable.v2 as nw

        from . import engines
        from .indicators import tables

        data = self._read(None, tables.FINE_KEYS, unique=True)  # distinct before the fill: few rows
        return engines.distinct(data.with_columns(*[nw.col(c).fill_null("(không rõ)") for c in tables.FINE_KEYS]))

    def _keep_keys(self, keys: pd.DataFrame) -> pd.DataFrame:
        from .indicators import tables

        self._keys = keys.astype("str").sort_values(tables.FINE_KEYS, ignore_index=True)
        return self._keys

    def keys(self) -> pd.DataFrame:
        """Distinct group keys (``tables.FINE_KEYS``, missing as "(không rõ)"), sorted; one
        pass over the 4 key columns per dataset, cached."""
        from . import engines

        if self._keys is None:
            self._keep_keys(engines.collect(self._keys_query()))
        return self._keys

    def counts(self, start, end) -> pd.DataFrame:
        """Fine counts of the period, reading only the partitions up to its end quarter and
        only the in-scope rows; the group keys come from :meth:`keys` (the first call
        evaluates both passes together: ``engines.collect_all``)."""
        from . import engines
        from .indicators import tables

        if self.engine == "dask":
            query = self._dask_count_query(start, end)
        else:
            query = tables.in_scope_count_query(self._in_scope(start, end), start, end)
        if self._keys is None:
            keys, counts = engines.collect_all(self._keys_query(), query)
            self._keep_keys(keys)
        else:
            counts = engines.collect(query)
        return tables.with_all_groups(self._keys, counts)

    def received_days(self) -> pd.Series:
        """Counted dossiers per day of receipt (one pass over two columns, cached)."""
        import narwhals.stable.v2 as nw

        from . import engines

        if self._days is None:
            data = self._read(None, ["status", "received_at"])
            counted = (~nw.col("status").is_null() & ~nw.col("status").is_in(list(schema.NOT_COUNTED_STATUSES))
                       & ~nw.col("received_at").is_null()).fill_null(value=False)
            per_day = data.filter(counted).group_by(nw.col("received_at").dt.truncate("1d").alias("day")).agg(nw.len())
            out = engines.collect(per_day)
            self._days = pd.Series(out["len"].to_numpy(), index=pd.DatetimeIndex(out["day"])).sort_index()
        return self._days

    def has_rows(self, start, end) -> bool:
        """Whether a counted dossier was received in [start, end]."""
        days = self.received_days()
        return bool(((days.index >= pd.Timestamp(start)) & (days.index <= pd.Timestamp(end))).any())

    def finished_years(self, start, end) -> pd.DataFrame:
        """As ``tables.finished_years``; reads two columns of every partition (a dossier
        finished in the period may, in dirty data, carry a later received date)."""
        import datetime as dt

        import narwhals.stable.v2 as nw

        from . import engines

        data = self._read(None, ["received_at", "finished_at"])
        day = nw.col("finished_at").dt.truncate("1d")
        lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
        done = data.filter((~nw.col("finished_at").is_null() & (day >= lo) & (day <= hi)).fill_null(value=False))
        grouped = done.group_by(
            nw.col("received_at").dt.year().alias("received_year"),
            nw.col("finished_at").dt.year().alias("finished_year"),
            drop_null_keys=False,
        ).agg(nw.len().alias("n"))
        out = engines.collect(grouped)
        return out.astype({"received_year": "Int64", "finished_year": "Int64", "n": "int64"})


@dataclass
class PartitionedTables:
    """``clean.ProcessedTables`` with the dossiers as a lazy :class:`DossierDataset`."""

    dossiers: DossierDataset
    pakn: pd.DataFrame
    edocs: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    meta: dict


def load_processed(processed_dir: str | Path) -> PartitionedTables:
    """The processed folder with the dossiers left on disk (PAKN, e-documents and the
    quality tables are small and read into pandas)."""
    import json

    from . import clean

    processed_dir = Path(processed_dir)
    missing = [n for n in clean.OUTPUT_FILES if not (processed_dir / n).exists()]
    if missing:
        raise CchcError(f"no cleaned tables in {processed_dir} (missing {', '.join(missing)}): run `cchc clean` first")
    small = {
        kind: schema.conform(pd.read_parquet(processed_dir / f"{kind}.parquet"), clean.CANONICAL[kind])
        for kind in ("pakn", "edocs")
    }
    quarantine = pd.read_csv(processed_dir / "quarantine.csv", dtype=str, keep_default_na=False)
    quarantine["source_row"] = pd.to_numeric(quarantine["source_row"]).astype("Int64")
    recon = pd.read_csv(processed_dir / "reconciliation.csv", dtype={"source_file": str, "kind": str})
    meta = json.loads((processed_dir / "clean_meta.json").read_text(encoding="utf-8"))
    return PartitionedTables(DossierDataset(processed_dir / "dossiers.parquet"), quarantine=quarantine,
                             reconciliation=recon, meta=meta, **small)
