"""``cchc clean``: raw exports -> typed, reconciled tables in ``data/processed`` (DESIGN §4–§5).

Writes, atomically (all or nothing): ``dossiers.parquet``, ``pakn.parquet``, ``edocs.parquet``
(canonical columns of :mod:`cchc_analysis.schema`), ``quarantine.csv``, ``reconciliation.csv``
and ``clean_meta.json``.

Choices where the data contract is silent:

- Files are the exports found recursively under the raw folder, in sorted path order; names
  starting with ``README``, ``.`` or ``~$`` (Excel lock files) and ``*.json`` / ``*.md`` files are
  not exports. Any other file must be a readable export, or the run stops (exit 1); so does a
  dangling symbolic link, a symlink loop or a folder named like an export (``x.csv``).
- A dossier file needs a dossier id, a received date and an authority or reception column; a
  PAKN file an id, a received date and a unit; an e-document file a unit, a month and the
  number of documents sent.
- Duplicates (same ``dossier_id``; same ``pakn_id``; same unit and month of e-documents) keep
  the most advanced status (10 > 9 > 8 > 7 > 6 > 5 > 4 > 2 > 1 > 3; PAKN handled > pending),
  ties going to the first file in path order, then the first row (the sample generator's rule;
  equally advanced copies are inter-agency listings of the same facts). Each dropped row is charged
  to **its own file** as ``duplicates_merged``, so rows_read = clean + quarantined +
  duplicates_merged holds per file. Quarantined rows take no part in merging.
- ``skipped_lines`` counts title lines above the header, blank lines, repeated header lines and
  footer / signature lines; the header row itself is not counted.

Exit codes of ``cchc clean`` (one line on stderr, never a traceback): 0 done (quarantined rows
are no error); 1 bad input data (a file that cannot be used, named in the line); 2 usage (the
processed folder is a file, inside the raw folder or holding it, not writable, disk full, or
another run is writing it); 130 interrupted (Ctrl+C): partial results are discarded and the
previous processed folder is left as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, schema, store
from .errors import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CchcError,
    InputError,
    UsageError,
    error_line,
    exit_code_for,
    interrupted_line,
)
from .ingest import readers
from .ingest.exports import Export, read_export
from .ingest.headers import load_header_aliases
from .ingest.tables import available_catalogue, typed_dossiers, typed_edocs, typed_pakn
from .ingest.values import STATUS_RANK
from .store import CANONICAL, OUTPUT_FILES, ProcessedTables  # noqa: F401  (OUTPUT_FILES: re-export)
from .io import pause_for_tests

_NOT_EXPORTS_SUFFIXES = {".json", ".md"}
#: Suffixes of export files; a folder so named is a mistake that stops the run.
_EXPORT_SUFFIXES = {".csv", ".tsv", ".txt", ".xls", ".xlsx", ".xlsm", ".ods", ".htm", ".html"}
#: Identity of a record per kind, for merging duplicates.
KEYS = {"dossiers": ["dossier_id"], "pakn": ["pakn_id"], "edocs": ["unit_code", "month"]}


@dataclass
class CleanResult(ProcessedTables):
    """What ``clean`` produced (the same content as the files it wrote), with what it dropped."""

    dropped_columns: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """One screen of text: per-file reconciliation, quarantine by reason, dropped columns."""
        return summary_text(self)


def export_files(raw_dir: str | Path) -> list[Path]:
    """Export files under ``raw_dir`` (recursive, sorted), skipping notes and hidden files.

    The synthetic sample never mixes with real exports: when ``raw_dir`` holds a sample folder
    (marked by ``SYNTHETIC.json``) *and* other export files, the sample's files are left out
    (:func:`left_out_samples` names them for the clean summary).
    """
    files = _all_export_files(raw_dir)
    left_out = left_out_samples(raw_dir, files)
    return [p for p in files if not any(p.is_relative_to(folder) for folder in left_out)]


def sample_folders(raw_dir: str | Path) -> list[Path]:
    """Folders under ``raw_dir`` (itself included) marked as synthetic by ``SYNTHETIC.json``."""
    raw_dir = Path(raw_dir)
    return sorted(p.parent for p in raw_dir.rglob(config.SYNTHETIC_MARKER)
                  if not any(part.startswith(".") for part in p.relative_to(raw_dir).parts))


def left_out_samples(raw_dir: str | Path, files: list[Path] | None = None) -> list[Path]:
    """Sample folders under ``raw_dir`` that cleaning leaves out: those present beside real
    export files (files outside every sample folder). [] when the folder is all sample or all
    real."""
    raw_dir = Path(raw_dir)
    files = _all_export_files(raw_dir) if files is None else files
    samples = sample_folders(raw_dir)
    real = [p for p in files if not any(p.is_relative_to(folder) for folder in samples)]
    return samples if samples and real else []


def is_synthetic(raw_dir: str | Path, files: list[Path]) -> bool:
    """True exactly when every input file comes from a sample folder (``SYNTHETIC.json``)."""
    samples = sample_folders(raw_dir)
    return bool(files) and all(any(p.is_relative_to(folder) for folder in samples) for p in files)


def _all_export_files(raw_dir: str | Path) -> list[Path]:
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, f"raw folder not found: {raw_dir}")
    candidates = [
        p
        for p in sorted(raw_dir.rglob("*"))
        if not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
        and not p.name.upper().startswith("README")
        and not p.name.startswith("~$")
        and p.suffix.lower() not in _NOT_EXPORTS_SUFFIXES
    ]
    files = []
    for p in candidates:  # one iteration per file, not per row
        if p.is_file():
            files.append(p)
        elif p.is_symlink() and not p.is_dir():
            raise InputError(p, "a symbolic link that leads to no file (dangling, or a loop): remove it or point it at an export")
        elif p.is_dir() and p.suffix.lower() in _EXPORT_SUFFIXES:
            raise InputError(p, f"a folder named like an export ({p.suffix}): rename it or move it out of the raw folder")
    if not files:
        raise InputError(raw_dir, "no export files found (.xlsx, .xls or .csv)")
    return files


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (computed while the file was read, when it was)."""
    return readers.file_digest(path)


#: Reference files cleaning reads (header aliases, units and their aliases, reception points,
#: the procedure catalogue, the working-day calendar): their hashes join the raw ones in
#: ``clean_meta.json`` so that editing one makes the processed tables stale.
REFERENCE_FILES = (
    "headers.yaml", "units.csv", "unit_aliases.csv", "reception_points.csv",
    "default_reception.csv", "procedures.csv", "calendar_overrides.csv",
)


def reference_digests() -> dict[str, str]:
    """SHA-256 of each reference file of :data:`REFERENCE_FILES` in use (the user's override
    in ``data/reference/`` if present, else the shipped one); absent files are left out."""
    paths = {name: config.reference_path(name) for name in REFERENCE_FILES}
    return {name: readers.file_digest(path) for name, path in paths.items() if path.exists()}


def reference_changed(processed_dir: str | Path) -> bool:
    """Whether a reference file differs from the one the last clean of ``processed_dir`` read
    (True when nothing was recorded): cleaning must run again."""
    path = Path(processed_dir) / "clean_meta.json"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8")).get("reference")
    except (OSError, ValueError):
        return True
    return recorded != reference_digests()


def read_exports(raw_dir: str | Path) -> list[Export]:
    """Read every export under ``raw_dir``; the first unusable file stops with InputError."""
    raw_dir = Path(raw_dir)
    aliases = load_header_aliases()
    exports = []
    for path in export_files(raw_dir):  # one iteration per file
        exports.extend(read_export(path, path.relative_to(raw_dir).as_posix(), aliases))
    return exports


def _rows_of(exports: list[Export], kind: str) -> pd.DataFrame:
    parts = [
        e.rows.assign(source_file=e.source_file, file_order=order)
        for order, e in enumerate(exports)
        if e.kind == kind
    ]
    if not parts:
        return pd.DataFrame({"source_file": pd.Series(dtype="str"), "source_row": pd.Series(dtype="Int64"), "file_order": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True)


def status_ranks(status: pd.Series) -> pd.Series:
    """:data:`STATUS_RANK` of national status codes (-1 for a missing or unknown code), read
    from a lookup array (``Series.map`` with a dict costs ~0.4 s per million rows)."""
    table = np.full(max(STATUS_RANK) + 1, -1, dtype=np.int64)
    table[list(STATUS_RANK)] = list(STATUS_RANK.values())
    code = status.astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    known = (code >= 0) & (code < len(table))
    return pd.Series(np.where(known, table[np.where(known, code, 0)], -1), index=status.index)


def merged_duplicates(typed: pd.DataFrame, kind: str) -> pd.Series:
    """Mask of clean rows dropped as duplicates of a more advanced (or later) row."""
    # Only the columns the merge needs (not a copy of every column of the clean rows).
    needed = [*KEYS[kind], "file_order", "source_row", *(["status"] if kind != "edocs" else [])]
    is_clean = typed["reason"].eq("").to_numpy(dtype=bool)
    clean = typed[needed] if is_clean.all() else typed.loc[is_clean, needed]  # (no copy if all)
    if kind == "dossiers":
        rank = status_ranks(clean["status"])
    elif kind == "pakn":
        rank = clean["status"].eq("da_xu_ly").astype("int64")
    else:
        rank = pd.Series(0, index=clean.index)
    # Only rows whose key occurs more than once can be dropped: sort those few, not all.
    if len(KEYS[kind]) == 1 and len(clean):
        codes, _ = pd.factorize(clean[KEYS[kind][0]], use_na_sentinel=False)
        repeated = np.bincount(codes)[codes] > 1
        clean, rank = clean[repeated], rank[repeated]
    # Most advanced first; between equals, the first in (file path, row) order - the rule the
    # sample generator's truth uses too.
    order = clean.assign(_rank=rank.to_numpy(), _pos=range(len(clean))).sort_values(
        ["_rank", "file_order", "source_row", "_pos"], ascending=[False, True, True, True],
        kind="stable",
    )
    dropped = order.duplicated(KEYS[kind], keep="first")
    return dropped.reindex(typed.index, fill_value=False)


def outcome_counts(table: pd.DataFrame, merged: pd.Series) -> pd.DataFrame:
    """Rows per ``source_file`` (index) that are clean, quarantined or merged as duplicates.

    Counted with one ``bincount`` over (file, outcome) codes rather than a crosstab of a
    million strings.
    """
    codes, files = pd.factorize(table["source_file"])
    outcome = np.where(merged.to_numpy(dtype=bool), 2, table["reason"].ne("").to_numpy(dtype=np.int64))
    counts = np.bincount(codes * 3 + outcome, minlength=3 * len(files)).reshape(len(files), 3)
    return pd.DataFrame(counts, index=files, columns=["clean", "quarantined", "duplicates_merged"])


def reconciliation_table(exports: list[Export], typed: dict[str, pd.DataFrame], merged: dict[str, pd.Series]) -> pd.DataFrame:
    """Per file: rows read, clean, quarantined, duplicates merged, skipped lines."""
    frames = [outcome_counts(table, merged[kind]) for kind, table in typed.items()]
    counts = pd.concat(frames) if frames else pd.DataFrame()
    recon = pd.DataFrame(
        {
            "source_file": [e.source_file for e in exports],
            "kind": [e.kind for e in exports],
            "rows_read": [len(e.rows) for e in exports],
            "skipped_lines": [e.skipped_lines for e in exports],
        }
    )
    for col in ("clean", "quarantined", "duplicates_merged"):
        values = counts[col] if col in counts else pd.Series(dtype="int64")
        recon[col] = recon["source_file"].map(values).fillna(0).astype("int64")
    return recon[schema.RECONCILIATION_COLUMNS]


def quarantine_table(typed: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Quarantined rows of every kind: file, row, reason, message (no personal data)."""
    parts = [t.loc[t["reason"].ne(""), schema.QUARANTINE_COLUMNS] for t in typed.values()]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=schema.QUARANTINE_COLUMNS)
    table = table.astype({"source_file": "str", "source_row": "Int64", "reason": "str", "message": "str"})
    return table.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)


def in_source_order(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` sorted by ``source_file``, ``source_row``, with a fresh index.

    A (file, row) pair names one line, so the order is unique; rows read file after file are
    usually in that order already, and then the sort (a copy of every column) is skipped.
    """
    codes, files = pd.factorize(table["source_file"])  # (codes in order of first appearance)
    rows = table["source_row"]
    in_order = (
        bool((np.diff(codes) >= 0).all())  # each file's rows together, files in that order...
        and pd.Index(files).is_monotonic_increasing  # ... which is the sorted one
        and not rows.hasnans
        and bool(((np.diff(rows.to_numpy(dtype=np.int64)) > 0) | (np.diff(codes) > 0)).all())
    )
    if not in_order:
        table = table.sort_values(["source_file", "source_row"])
    return table.reset_index(drop=True)


def no_typed_rows(kind: str) -> pd.DataFrame:
    """What the ``typed_*`` function of ``kind`` returns for no rows (canonical columns, reason,
    message), without running its look-ups (~0.1 s per kind for nothing)."""
    columns = {**CANONICAL[kind], "reason": "str", "message": "str"}
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def cleaned_tables(
    exports: list[Export], catalogue: pd.DataFrame | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """Typed, de-duplicated tables of the exports, the quarantine and the reconciliation.

    Returns
    -------
    (dict, pandas.DataFrame, pandas.DataFrame)
        ``{"dossiers", "pakn", "edocs"} -> canonical frame``, quarantine, reconciliation.
    """
    catalogue = available_catalogue() if catalogue is None else catalogue
    builders = {"dossiers": lambda r: typed_dossiers(r, catalogue), "pakn": typed_pakn, "edocs": typed_edocs}
    typed, merged, tables = {}, {}, {}
    for kind, build in builders.items():  # three kinds, each vectorised over all its rows
        rows = _rows_of(exports, kind)
        typed[kind] = (build(rows) if len(rows) else no_typed_rows(kind)).assign(file_order=rows["file_order"])
        merged[kind] = merged_duplicates(typed[kind], kind)
        keep = typed[kind]["reason"].eq("") & ~merged[kind]
        tables[kind] = in_source_order(schema.conform(typed[kind][keep], CANONICAL[kind]))
    return tables, quarantine_table(typed), reconciliation_table(exports, typed, merged)


def clean(raw_dir: str | Path = config.DEFAULT_RAW_DIR, processed_dir: str | Path = config.PROCESSED_DIR, *, catalogue: pd.DataFrame | None = None, partitioned: bool = False) -> CleanResult:
    """Clean every export under ``raw_dir`` and write the processed tables to ``processed_dir``.

    Parameters
    ----------
    raw_dir
        Folder of raw exports (read only).
    processed_dir
        Output folder; replaced atomically, left untouched when the run fails.
    catalogue
        Procedure catalogue (default: the installed ``procedures.csv``, or none).

    Raises
    ------
    InputError
        A file that cannot be used (named in the message); nothing is written.
    """
    started = time.perf_counter()
    raw_dir = Path(raw_dir)
    check_separate_folders(raw_dir, processed_dir)
    exports = read_exports(raw_dir)
    pause_for_tests("reading")
    tables, quarantine, recon = cleaned_tables(exports, catalogue)
    inputs = export_files(raw_dir)
    files = {p.relative_to(raw_dir).as_posix(): file_digest(p) for p in inputs}
    meta = {
        "synthetic": is_synthetic(raw_dir, inputs),
        "sample_left_out": [p.relative_to(raw_dir).as_posix() or "." for p in left_out_samples(raw_dir)],
        "files": files,
        "reference": reference_digests(),
        "rows": {
            **{kind: len(t) for kind, t in tables.items()},
            "quarantined": len(quarantine),
            "duplicates_merged": int(recon["duplicates_merged"].sum()),
            "skipped_lines": int(recon["skipped_lines"].sum()),
        },
        "profiles": {e.source_file: e.profile for e in exports},
        "hidden_sheets": {e.source_file: e.hidden_sheets for e in exports if e.hidden_sheets},
        "dropped_columns": {
            e.source_file: {"personal": e.personal, "ignored": e.ignored, "unrecognised": e.unrecognised}
            for e in exports
        },
    }
    result = CleanResult(tables["dossiers"], tables["pakn"], tables["edocs"], quarantine, recon, meta, meta["dropped_columns"])
    write_processed(result, processed_dir, partitioned=partitioned)
    result.seconds = time.perf_counter() - started
    return result


def check_separate_folders(raw_dir: str | Path, processed_dir: str | Path, option: str = "--processed") -> None:
    """Refuse a processed folder equal to the raw folder, inside it, or holding it.

    Raises
    ------
    UsageError
        The two folders overlap (the outputs would land among the exports).
    """
    raw, processed = Path(raw_dir).resolve(), Path(processed_dir).resolve()
    if raw == processed or raw in processed.parents or processed in raw.parents:
        raise UsageError(
            f"{option} {processed_dir} and --raw {raw_dir} overlap: "
            f"the {option.lstrip('-')} folder must be outside the raw folder (and not hold it)"
        )


def write_processed(result: CleanResult, processed_dir: str | Path, partitioned: bool = False) -> None:
    """Write the tables of ``result`` into ``processed_dir``, all or nothing (``store.write_processed``).

    Raises
    ------
    UsageError
        The folder cannot be written (read-only, disk full, a file in the way): one line, and
        the previous folder is left as it was.
    """
    try:
        store.write_processed(result, processed_dir, partitioned=partitioned)
    except OSError as exc:
        problem = exc.strerror or type(exc).__name__
        raise UsageError(f"cannot write the results to {processed_dir}: {problem}; previous results left intact") from None


def load_processed(processed_dir: str | Path = config.PROCESSED_DIR) -> ProcessedTables:
    """Read the tables written by ``cchc clean``, the dossiers into pandas too
    (``store.load_processed(processed_dir, lazy=False)``).

    Raises
    ------
    CchcError
        The folder holds no cleaned tables (tells the user to run ``cchc clean``).
    """
    return store.load_processed(processed_dir, lazy=False)


def summary_text(result: CleanResult) -> str:
    """The one-screen summary printed by ``cchc clean``."""
    recon = result.reconciliation
    lines = [
        f"cchc clean: {len(result.dossiers)} dossiers, {len(result.pakn)} PAKN, "
        f"{len(result.edocs)} e-document rows"
        + (" (synthetic sample)" if result.meta.get("synthetic") else ""),
        *[f"bỏ qua bộ dữ liệu mẫu tổng hợp {folder}/ (thư mục có cả tệp xuất thật; không trộn mẫu với dữ liệu thật)"
          for folder in result.meta.get("sample_left_out", [])],
        "",
        recon.to_string(index=False),
    ]
    ok = (recon["rows_read"] == recon["clean"] + recon["quarantined"] + recon["duplicates_merged"]).all()
    lines.append(f"reconciliation rows_read = clean + quarantined + duplicates_merged: {'OK' if ok else 'FAILED'}")
    if len(result.quarantine):
        lines += ["", "quarantined by reason:"]
        for reason, n in result.quarantine["reason"].value_counts().sort_index().items():
            lines.append(f"  {reason:<28} {n}")
    dropped = {
        f: sorted(set(d["unrecognised"])) for f, d in result.dropped_columns.items() if d["unrecognised"]
    }
    if dropped:
        lines += ["", "unrecognised columns dropped (add an alias in data/reference/headers.yaml to use one):"]
        lines += [f"  {f}: {', '.join(cols)}" for f, cols in dropped.items()]
    hidden = result.meta.get("hidden_sheets", {})
    if hidden:
        lines += ["", f"hidden sheets skipped (not read as data): {sum(map(len, hidden.values()))}"]
        lines += [f"  {f}: {', '.join(names)}" for f, names in hidden.items()]
    lines.append(f"\ntime: {result.seconds:.2f} s")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``cchc clean``."""
    parser.add_argument("--raw", type=Path, default=config.DEFAULT_RAW_DIR, help="folder of raw exports (default: $CCHC_RAW_DIR, else the shipped sample)")
    parser.add_argument("--processed", type=Path, default=config.PROCESSED_DIR, help="output folder (default: data/processed)")
    parser.add_argument("--partitioned", action="store_true", help="write dossiers.parquet as a dataset partitioned by quarter of receipt (national scale)")


def run(args: argparse.Namespace) -> int:
    """Run ``cchc clean``; quarantined rows are not an error (exit 0). Exit codes: module doc."""
    try:
        result = clean(args.raw, args.processed, partitioned=getattr(args, "partitioned", False))
    except CchcError as exc:
        print(error_line("clean", exc), file=sys.stderr)
        return exit_code_for(exc)
    except OSError as exc:  # (a folder that vanished or cannot be listed while reading)
        print(error_line("clean", f"{exc.filename or ''}: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(interrupted_line("clean"), file=sys.stderr)
        return EXIT_INTERRUPTED
    print(result.summary())
    return 0
