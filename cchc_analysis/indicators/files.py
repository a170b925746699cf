"""The files of one report period: :func:`write_quarter` writes them atomically,
:func:`read_quarter` reads them back (the report reads outputs, never raw data).

A period's folder is named by the period's code: ``outputs/2024Q1/`` for a quarter,
``outputs/2024H1/``, ``outputs/2024M9/``, ``outputs/2024Y/`` for 6 tháng, 9 tháng and năm;
``indicators_meta.json`` records it under ``quarter`` (the key keeps its name).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from .. import schema
from ..errors import InputError
from ..io import atomic_directory
from ..periods import Period, Quarter
from ..safe_text import neutralise_frame, restore_frame
from .form06_xlsx import write_form06_xlsx
from .quarter import QuarterTables

META_FILE = "indicators_meta.json"


def _csv_bytes(frame: pd.DataFrame) -> str:
    # Floats are already rounded; repr-style output is deterministic across engines.
    # Text cells starting with = + - @ get a leading quote (formula injection, issue 14).
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n")


def write_quarter(tables: QuarterTables, out_dir: str | Path) -> Path:
    """Write every table of ``tables`` into ``out_dir/<period>/`` atomically (``2024Q1``, ``2024H1``).

    Files: ``form06.csv, indicators.csv, form06.xlsx, quality.csv, history.csv, ranking.csv,
    below_target.csv`` and ``indicators_meta.json`` (quarter, period, dates, synthetic flag).
    Other files already in the folder (charts, report) are kept.

    Returns
    -------
    Path
        The period's folder.
    """
    target = Path(out_dir) / str(tables.quarter)
    files = {
        "form06.csv": tables.form06,
        "indicators.csv": tables.indicators,
        "quality.csv": tables.quality,
        "history.csv": tables.history,
        "ranking.csv": tables.ranking,
        "below_target.csv": tables.below_target,
    }
    meta = {
        "quarter": str(tables.quarter),
        "period": tables.period,
        "start": tables.start.isoformat(),
        "end": tables.end.isoformat(),
        "synthetic": tables.synthetic,
    }
    with atomic_directory(target) as staging:
        for name, frame in files.items():
            (staging / name).write_text(_csv_bytes(frame), encoding="utf-8")
        write_form06_xlsx(tables, staging / "form06.xlsx")
        (staging / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


_READ_DTYPES = {
    "form06.csv": {"unit_code": "str", "field": "str", **{c: "int64" for c in schema.FORM06_COLUMNS}},
    "indicators.csv": {
        "unit_code": "str", "field": "str", "indicator": "str", "numerator": "Int64",
        "denominator": "Int64", "unknown": "int64", "coverage": "float64", "value": "float64", "previous_quarter": "float64",
        "same_quarter_last_year": "float64", "change_pp": "float64", "target": "float64",
        "meets_target": "boolean",
    },
    "quality.csv": {"check": "str", "unit_code": "str", "count": "int64", "note": "str"},
    "history.csv": {"quarter": "str", "unit_code": "str", "field": "str", "indicator": "str",
                    "numerator": "Int64", "denominator": "Int64", "value": "float64"},
    "ranking.csv": {"rank": "int64", "unit_code": "str", "unit_name": "str", "level": "str",
                    "resolved_total": "int64", "resolved_on_time_or_early": "int64", "on_time_rate": "float64"},
    "below_target.csv": {"unit_code": "str", "field": "str", "indicator": "str", "value": "float64", "target": "float64"},
}


def read_quarter(out_dir: str | Path, quarter: str | Quarter | Period) -> QuarterTables:
    """Read back what :func:`write_quarter` wrote (the report reads outputs, never raw data).

    ``quarter`` is any report period :meth:`Period.parse` reads (``2024Q1``, ``2024H1``,
    ``6 tháng đầu năm 2024``); ``QuarterTables.quarter`` is a :class:`Period`.

    Raises
    ------
    InputError
        If a file is missing: run ``cchc indicators --quarter Q`` first.
    """
    q = Period.parse(quarter if isinstance(quarter, (Period, Quarter)) else str(quarter))
    folder = Path(out_dir) / str(q)
    frames = {}
    for name, dtypes in _READ_DTYPES.items():
        path = folder / name
        if not path.exists():
            raise InputError(path, f"not found; run `cchc indicators --quarter {q}` first")
        frames[name] = restore_frame(pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""]))
    meta_path = folder / META_FILE
    if not meta_path.exists():
        raise InputError(meta_path, f"not found; run `cchc indicators --quarter {q}` first")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return QuarterTables(
        quarter=q,
        period=meta["period"],
        start=date.fromisoformat(meta["start"]),
        end=date.fromisoformat(meta["end"]),
        form06=frames["form06.csv"],
        indicators=frames["indicators.csv"],
        quality=frames["quality.csv"],
        history=frames["history.csv"],
        ranking=frames["ranking.csv"],
        below_target=frames["below_target.csv"],
        synthetic=bool(meta.get("synthetic", False)),
    )
