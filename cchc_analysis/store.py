"""The processed layer on disk, one owner (DESIGN §5): what ``cchc clean`` writes and how every
reader loads it.

* Files: ``dossiers.parquet`` (one file, or with ``partitioned`` a hive dataset folder of the
  same name), ``pakn.parquet``, ``edocs.parquet``, ``quarantine.csv``, ``reconciliation.csv``,
  ``clean_meta.json``; written all or nothing (:func:`write_processed`).
* Layout of the partitioned dossiers: :func:`write_partitioned`, one folder per quarter of
  receipt (``received_quarter=2024Q1``) and inside it one per quarter of closure
  (``closed_quarter=2024Q2``, ``open`` when not closed). The folder keeps the file name, so
  ``pandas.read_parquet`` still reads it whole.
* One load: :func:`load_processed` reads the small tables into pandas and either the dossier
  table too (``lazy=False``) or only a :class:`DossierFiles` handle on it (``lazy=True``), which
  :mod:`cchc_analysis.indicators.sources` reads per period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import schema
from .errors import CchcError
from .io import atomic_directory
from .safe_text import neutralise_frame, restore_frame

__all__ = [
    "CANONICAL",
    "CLOSED_COLUMN",
    "NO_QUARTER",
    "OPEN",
    "OUTPUT_FILES",
    "PARTITION_COLUMN",
    "DossierFiles",
    "ProcessedTables",
    "closed_partition_of",
    "load_processed",
    "partition_columns",
    "partition_of",
    "write_partitioned",
    "write_processed",
]

#: Files of a processed folder.
OUTPUT_FILES = (
    "dossiers.parquet", "pakn.parquet", "edocs.parquet", "quarantine.csv",
    "reconciliation.csv", "clean_meta.json",
)
#: Canonical columns of each parquet table.
CANONICAL = {"dossiers": schema.DOSSIER_COLUMNS, "pakn": schema.PAKN_COLUMNS, "edocs": schema.EDOC_COLUMNS}

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


@dataclass(frozen=True)
class DossierFiles:
    """The dossier table left on disk (a parquet file or a partitioned dataset folder)."""

    path: Path


@dataclass
class ProcessedTables:
    """The cleaned tables as read back from the processed folder.

    ``dossiers`` is a pandas frame, or a :class:`DossierFiles` handle when loaded lazily.
    """

    dossiers: pd.DataFrame | DossierFiles
    pakn: pd.DataFrame
    edocs: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    meta: dict


def write_processed(tables: ProcessedTables, processed_dir: str | Path, partitioned: bool = False) -> None:
    """Write ``tables`` into ``processed_dir``, all or nothing.

    With ``partitioned``, ``dossiers.parquet`` is a folder partitioned by quarter of receipt
    and of closure (:func:`write_partitioned`), which the lazy sources read per period.
    """
    with atomic_directory(processed_dir) as tmp:
        if partitioned:
            write_partitioned(tables.dossiers, tmp / "dossiers.parquet")
        else:
            tables.dossiers.to_parquet(tmp / "dossiers.parquet", index=False)
        tables.pakn.to_parquet(tmp / "pakn.parquet", index=False)
        tables.edocs.to_parquet(tmp / "edocs.parquet", index=False)
        neutralise_frame(tables.quarantine).to_csv(tmp / "quarantine.csv", index=False, encoding="utf-8")
        neutralise_frame(tables.reconciliation).to_csv(tmp / "reconciliation.csv", index=False, encoding="utf-8")
        (tmp / "clean_meta.json").write_text(json.dumps(tables.meta, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")


def load_processed(processed_dir: str | Path, lazy: bool = True) -> ProcessedTables:
    """Read the tables written by ``cchc clean``: the one loader of the processed layer.

    Parameters
    ----------
    processed_dir
        The processed folder.
    lazy
        Leave the dossiers on disk (a :class:`DossierFiles`, read per period by the indicator
        core: the default) rather than reading the whole table into pandas.

    Raises
    ------
    CchcError
        The folder holds no cleaned tables (tells the user to run ``cchc clean``).
    """
    processed_dir = Path(processed_dir)
    missing = [n for n in OUTPUT_FILES if not (processed_dir / n).exists()]
    if missing:
        raise CchcError(
            f"no cleaned tables in {processed_dir} (missing {', '.join(missing)}): "
            "run `cchc clean` first"
        )
    kinds = ("pakn", "edocs") if lazy else tuple(CANONICAL)
    tables = {kind: schema.conform(pd.read_parquet(processed_dir / f"{kind}.parquet"), CANONICAL[kind]) for kind in kinds}
    if lazy:
        tables["dossiers"] = DossierFiles(processed_dir / "dossiers.parquet")
    quarantine = restore_frame(pd.read_csv(processed_dir / "quarantine.csv", dtype=str, keep_default_na=False))
    quarantine["source_row"] = pd.to_numeric(quarantine["source_row"]).astype("Int64")
    recon = restore_frame(pd.read_csv(processed_dir / "reconciliation.csv", dtype={"source_file": str, "kind": str}))
    meta = json.loads((processed_dir / "clean_meta.json").read_text(encoding="utf-8"))
    return ProcessedTables(quarantine=quarantine, reconciliation=recon, meta=meta, **tables)
