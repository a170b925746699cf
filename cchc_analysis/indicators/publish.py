"""Everything a period's output folder holds, written in one step (``cchc indicators`` and
notebook 02 both call :func:`write_period`).

1. the indicator tables (:func:`.files.write_quarter`);
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

    folder = write_quarter(tables, out_dir)
    start, end = score_span(tables.quarter)
    scored = score.write_score_files(canonical_dossiers(processed), start, end, folder, as_of=as_of,
                                     pakn=processed.pakn)
    files = pack.write_report_pack(tables, out_dir, watchlist=scored.frames["watchlist"])
    return {"folder": Path(folder), **files, "score_meta": Path(folder) / score.report.META_FILE}
