"""Everything a period's output folder holds, written in one step (``cchc indicators`` and
notebook 02 both call :func:`write_period`).

1. the indicator tables (:func:`.files.write_quarter`), quality.csv with the score's integrity
   checks appended as ``integrity:<check>`` rows (:func:`with_integrity_checks`), so that it is
   written once, atomically, with the other tables;
2. the index estimate, watch list and time lost (:func:`cchc_analysis.score.write_score_files`),
   on the period's *calendar* span, as the national portal scores it (issue 17), from the same
   canonical dossiers the build counted;
3. the report pack (:func:`cchc_analysis.pack.write_report_pack`): the Word draft and the annex
   workbook with the watch list sheet, for the whole area. A unit's own draft is written by
   notebook 03 when it runs for that unit (``notebook_display.write_unit_pack``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import schema
from ..periods import Period
from .files import write_quarter


def canonical_dossiers(processed) -> pd.DataFrame:
    """The canonical dossier table of ``store.load_processed`` in pandas (read once when lazy)."""
    dossiers = processed.dossiers
    if isinstance(dossiers, pd.DataFrame):
        return dossiers
    return schema.conform(pd.read_parquet(dossiers.path), schema.DOSSIER_COLUMNS)


def score_span(quarter) -> tuple:
    """First and last day of the period under the calendar convention (the portal's)."""
    return Period.parse(str(quarter)).bounds("calendar")


INTEGRITY_PREFIX = "integrity:"


def with_integrity_checks(tables, integrity: pd.DataFrame):
    """``tables`` whose ``quality`` also holds the integrity checks (``score.integrity_checks``:
    ``check, unit_code, count, note``), each check named ``integrity:<check>``; earlier
    ``integrity:`` rows are replaced, so calling it twice adds them once."""
    from dataclasses import replace

    quality = tables.quality[~tables.quality["check"].astype("str").str.startswith(INTEGRITY_PREFIX)]
    extra = integrity.loc[:, ["check", "unit_code", "count", "note"]].assign(
        check=INTEGRITY_PREFIX + integrity["check"].astype("str"))
    merged = pd.concat([quality, extra.astype(quality.dtypes.to_dict())], ignore_index=True)
    return replace(tables, quality=merged)


def write_period(tables, processed, out_dir: str | Path, *, as_of=None) -> dict[str, Path]:
    """Write the tables, the score files and the area's report pack of ``tables``.

    Parameters
    ----------
    tables
        The ``QuarterTables`` just built from ``processed``.
    processed
        The ``store.load_processed`` result the build used (dossiers and PAKN for the score).
    as_of
        The watch list's day (date or ISO text); None: the last day present in the data.

    Returns
    -------
    dict
        ``folder`` (``out_dir/<period>``), ``docx``, ``xlsx``, ``manual`` and ``score_meta``.
    """
    from .. import pack, score

    start, end = score_span(tables.quarter)
    scored = score.build_score_tables(canonical_dossiers(processed), start, end, as_of=as_of, pakn=processed.pakn)
    tables = with_integrity_checks(tables, scored.frames["integrity"])
    folder = write_quarter(tables, out_dir)
    score.write_score_tables(scored, folder)
    files = pack.write_report_pack(tables, out_dir, watchlist=scored.frames["watchlist"],
                                   integrity_dossiers=scored.frames["integrity_dossiers"])
    return {"folder": Path(folder), **files, "score_meta": Path(folder) / score.report.META_FILE}
