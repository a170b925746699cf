"""The form-06 SQL oracle of the tests: the DuckDB SQL anchor of the benchmarks
(:mod:`benchmarks.anchor_sql`), one independent implementation for both.

The anchor is written from DESIGN §7–§8 alone and shares no code with
:mod:`cchc_analysis.outcome` or :mod:`cchc_analysis.indicators`: the tests compare the two
implementations (on the whole sample for every quarter and both conventions, and on random
tables), and they must agree exactly. This module only adapts its input (a parquet path or a
canonical frame) and its output (form-06 columns of the groups with a dossier in scope).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

from benchmarks.anchor_sql import run_query

COUNT_COLUMNS = [
    "received_total",
    "received_online",
    "received_offline",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_total",
    "pending_within_due",
    "pending_overdue",
]


def form06_oracle(dossiers: str | Path | pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Form-06 counts for every grouping, computed in DuckDB SQL by the benchmark anchor.

    Parameters
    ----------
    dossiers
        Path of ``dossiers.parquet`` or a canonical dossier frame.
    start, end
        The period, both inclusive.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, field`` + the 11 count columns (int64), one row per group that has at
        least one dossier in scope, sorted by ``unit_code, field``. Groupings: ALL, field,
        level, level × field, hcc-huong-thuy, hcc × field, unit, unit × field.
    """
    if isinstance(dossiers, pd.DataFrame):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dossiers.parquet"
            dossiers.to_parquet(path, index=False)
            out = run_query(path, start, end)
    else:
        out = run_query(dossiers, start, end)
    out = out[["unit_code", "field", *COUNT_COLUMNS]]
    out = out[out["received_total"].fillna(0) > 0].astype({c: "int64" for c in COUNT_COLUMNS})
    out["unit_code"] = out["unit_code"].astype(str)
    out["field"] = out["field"].astype(str)
    return out.sort_values(["unit_code", "field"], ignore_index=True)
