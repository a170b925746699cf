"""One call that writes a period's whole pack into its output folder (for ``cchc run``).

``outputs/<period>/bao_cao_<period>.docx`` and ``outputs/<period>/chi_so_<period>.xlsx``; the
manual input is read from ``data/manual/nhap_tay_<period>.md`` (folder overridden by
``CCHC_MANUAL_DIR``), whose empty form is written there on the first run so the analyst finds it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .. import config
from .annex import workbook_file_name, write_annex_workbook
from .manual import manual_file_name, write_manual_template
from .word import draft_file_name, period_of, write_word_draft


def manual_dir() -> Path:
    """Folder of the analysts' manual-input files: ``$CCHC_MANUAL_DIR`` or ``data/manual``."""
    return Path(os.environ.get("CCHC_MANUAL_DIR", config.PROJECT_ROOT / "data" / "manual"))


def write_report_pack(tables, out_dir: str | Path, manual_input: str | Path | None = None, unit: str | None = None,
                      watchlist: pd.DataFrame | None = None, create_manual_form: bool = True,
                      integrity_dossiers: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write the Word draft and the annex workbook of ``tables`` into ``out_dir/<period>/``.

    Parameters
    ----------
    manual_input
        The manual-input file; default ``manual_dir()/nhap_tay_<period>.md``, whose empty form is
        created when missing and ``create_manual_form`` is true.
    unit
        A unit code: the unit's own report (file names get ``_<unit>``).
    watchlist, integrity_dossiers
        Sheets of the annex workbook (:func:`write_annex_workbook`) when given.

    Returns
    -------
    dict
        ``{"docx": path, "xlsx": path, "manual": path}``.
    """
    period = period_of(tables)
    if manual_input is None:
        manual_input = manual_dir() / manual_file_name(period)
        if create_manual_form:
            write_manual_template(manual_input, period.label_vi())
    folder = Path(out_dir) / str(period)
    suffix = f"_{unit}" if unit else ""
    docx = write_word_draft(tables, folder / draft_file_name(f"{period}{suffix}"), manual_input=manual_input, unit=unit)
    xlsx = write_annex_workbook(tables, folder / workbook_file_name(f"{period}{suffix}"), watchlist=watchlist,
                                integrity_dossiers=integrity_dossiers)
    return {"docx": docx, "xlsx": xlsx, "manual": Path(manual_input)}
