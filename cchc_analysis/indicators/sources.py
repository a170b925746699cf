"""Dossier sources of :func:`cchc_analysis.indicators.build_quarter`: the only place that
branches on the kind of input.

* :class:`InMemoryDossiers`: the canonical pandas table, prepared once, on any engine;
* :class:`DossierDataset`: the parquet file or partitioned dataset left on disk, read per
  period (only the partitions, columns and in-scope rows the counts need).

Both answer the same questions (``has_rows``, ``counts``, ``finished_years``);
:func:`dossier_source` picks one for what ``store.load_processed`` returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import narwhals.stable.v2 as nw
import pandas as pd

from .. import engines, outcome, schema, store
from ..periods import Quarter
from . import counts as fine
from ..store import CLOSED_COLUMN, PARTITION_COLUMN, partition_columns

__all__ = ["DossierDataset", "InMemoryDossiers", "dossier_source"]


def dossier_source(dossiers, engine: str) -> tuple[InMemoryDossiers | DossierDataset, list[str]]:
    """The dossier source of ``engine`` for ``processed.dossiers`` and the notes of its
    preparation (e.g. "catalogue unavailable").

    ``dossiers`` is the pandas table (prepared here, once), a ``store.DossierFiles`` handle or
    a :class:`DossierDataset` (read per period, never loaded whole).
    """
    if isinstance(dossiers, pd.DataFrame):
        prepared, notes = fine.prepare_dossiers(dossiers)
        return InMemoryDossiers(prepared, engine), notes
    if isinstance(dossiers, store.DossierFiles):
        dossiers = DossierDataset(dossiers.path)
    source = dossiers.on_engine(engine)
    return source, list(source.notes)


class InMemoryDossiers:
    """The prepared pandas dossier table as the dossier source of :func:`build_quarter`.

    A lazy dataset (:class:`DossierDataset`) offers the same three methods.
    """

    def __init__(self, prepared: pd.DataFrame, engine: str):
        self.frame = prepared
        self.native = engines.to_engine(prepared, engine)

    def has_rows(self, start: date, end: date) -> bool:
        frame = self.frame
        return fine._period_has_rows(frame[~frame["status"].isin(schema.NOT_COUNTED_STATUSES)], "received_at", start, end)

    def counts(self, start: date, end: date) -> pd.DataFrame:
        return fine.dossier_counts(self.native, start, end)

    def finished_years(self, start: date, end: date) -> pd.DataFrame:
        return fine.finished_years(self.frame, start, end)


@dataclass
class DossierDataset:
    """The dossier table as a parquet dataset, read lazily per period by ``build_quarter``.

    Use ``store.load_processed`` (lazy) or ``DossierDataset(path)`` as ``processed.dossiers``. What
    each step reads (``P`` = the partitions ``received_quarter <= quarter of the period end``):

    ==========================  ==================================  =====================
    step                        rows / partitions read              columns
    ==========================  ==================================  =====================
    counts of a period          ``P`` and ``C``; in-scope rows      ``count_columns()`` (18)
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
    the scope filter (``outcome.in_scope``) and the column list of ``counts.count_columns()``:
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
            raise engines.ScaleError(f"dossier dataset not found: {self.path}")
        self._partitions = partition_columns(self.path)  # the layout, read once
        self._keys: pd.DataFrame | None = None
        self._days: pd.Series | None = None

    def on_engine(self, engine: str) -> DossierDataset:
        """This dataset read by ``engine`` (joins or starts its cluster)."""
        engines.connect(engine) if engine in engines.DISTRIBUTED else None
        bound = DossierDataset(self.path, engine)
        bound.notes = tuple(fine.catalogue_notes())
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
        columns = columns or list(schema.DOSSIER_COLUMNS)
        native = engines.read_parquet(self.path, self.engine, self._filters(first, last, closed_from), columns,
                                      where, unique, categorical)
        return nw.from_native(native).select(*columns)

    def _in_scope(self, start, end):
        """The dossiers in scope of [start, end], prepared (working days, statutory due), with
        only the columns the counts use: the scope filter and the column list reach the reader
        (pyarrow for pandas, the scan of the lazy engines), before any per-dossier work."""
        data = self._read(str(Quarter.of(end)), list(fine.count_columns()), where=outcome.in_scope(start, end),
                          closed_from=str(Quarter.of(start)), categorical=tuple(fine.FINE_KEYS))
        native = data.to_native()
        if self.engine == "pandas":  # eager: the numpy calendar look-ups of the in-memory path;
            # group keys stay categorical (pandas groups the codes), the rest canonical.
            dtypes = {c: t for c, t in fine.count_dtypes().items() if c not in fine.FINE_KEYS}
            prepared, _ = fine.prepare_dossiers(native.astype(dtypes))
        else:
            prepared, _ = fine.prepare_native(native)
        return nw.from_native(prepared)

    def _dask_count_query(self, start, end):
        """The counts of [start, end] on Dask as a map-reduce: each partition's in-scope rows
        go through the pandas path (:meth:`_in_scope` + ``counts.in_scope_count_query``, the
        same narwhals functions), and the partial counts are summed per group in a tree into
        one partition. Counts are additive, so the result is the same; each worker runs one
        pandas pass per partition instead of a long graph of small Dask column operations
        (which cost ~0.2 s per partition on the client and the workers)."""
        data = self._read(str(Quarter.of(end)), list(fine.count_columns()), where=outcome.in_scope(start, end),
                          closed_from=str(Quarter.of(start)))

        def partition_counts(part: pd.DataFrame) -> pd.DataFrame:
            prepared, _ = fine.prepare_dossiers(part.astype(fine.count_dtypes()))
            return engines.collect(fine.in_scope_count_query(prepared, start, end))

        native = data.to_native()
        partial = native.map_partitions(partition_counts, meta=partition_counts(native._meta))
        names = [c for c in partial.columns if c not in fine.FINE_KEYS]
        return engines.grouped_sums(nw.from_native(partial), list(fine.FINE_KEYS), names)

    # -- the three questions build_quarter asks
    def _keys_query(self):
        data = self._read(None, fine.FINE_KEYS, unique=True)  # distinct before the fill: few rows
        return engines.distinct(data.with_columns(*[nw.col(c).fill_null("(không rõ)") for c in fine.FINE_KEYS]))

    def _keep_keys(self, keys: pd.DataFrame) -> pd.DataFrame:
        self._keys = keys.astype("str").sort_values(fine.FINE_KEYS, ignore_index=True)
        return self._keys

    def keys(self) -> pd.DataFrame:
        """Distinct group keys (``counts.FINE_KEYS``, missing as "(không rõ)"), sorted; one
        pass over the 4 key columns per dataset, cached."""
        if self._keys is None:
            self._keep_keys(engines.collect(self._keys_query()))
        return self._keys

    def counts(self, start, end) -> pd.DataFrame:
        """Fine counts of the period, reading only the partitions up to its end quarter and
        only the in-scope rows; the group keys come from :meth:`keys` (the first call
        evaluates both passes together: ``engines.collect_all``)."""
        if self.engine == "dask":
            query = self._dask_count_query(start, end)
        else:
            query = fine.in_scope_count_query(self._in_scope(start, end), start, end)
        if self._keys is None:
            keys, period_counts = engines.collect_all(self._keys_query(), query)
            self._keep_keys(keys)
        else:
            period_counts = engines.collect(query)
        return fine.with_all_groups(self._keys, period_counts)

    def received_days(self) -> pd.Series:
        """Counted dossiers per day of receipt (one pass over two columns, cached)."""
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
        """As ``counts.finished_years``; reads two columns of every partition (a dossier
        finished in the period may, in dirty data, carry a later received date)."""
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
