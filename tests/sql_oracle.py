"""An independent form-06 oracle in DuckDB SQL, written from DESIGN §7 alone.

It deliberately shares no code with :mod:`cchc_analysis.outcome` or
:mod:`cchc_analysis.indicators`: the tests compare the two implementations on the whole
sample, for every quarter and both period conventions, and they must agree exactly.

Rules (DESIGN §7, dates compared at day granularity):

* statuses 1 and 3 are not counted at all;
* finished before start = terminal status (7–10) and date(finished_at) < start;
* in scope = date(received_at) <= end and not finished before start;
* received in period = start <= date(received_at) <= end; online when channel is
  ``truc_tuyen``, otherwise (direct, postal, unknown) offline; carried over = in scope and
  received before start;
* resolved = terminal and start <= date(finished_at) <= end; early when date(finished_at) <
  date(due_at), on time when equal or no due date, late when later;
* pending = in scope and not resolved; within due when no due date or date(due_at) >= end.

Every comparison with a possibly missing value is written with an explicit ``IS NULL`` branch
or ``COALESCE``, so SQL's three-valued logic never decides silently.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

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

_FLAGS_SQL = """
WITH base AS (
    SELECT
        unit_code, level, reception_code, field, channel, status,
        CAST(received_at AS DATE) AS rd,
        CAST(finished_at AS DATE) AS fd,
        CAST(due_at AS DATE) AS dd,
        COALESCE(status IN (7, 8, 9, 10), FALSE) AS terminal
    FROM src
    WHERE status IS NOT NULL AND status NOT IN (1, 3)
),
scoped AS (
    SELECT *,
        COALESCE(rd <= $end, FALSE)
            AND NOT (terminal AND COALESCE(fd < $start, FALSE)) AS in_scope,
        terminal AND COALESCE(fd >= $start AND fd <= $end, FALSE) AS resolved
    FROM base
),
flags AS (
    SELECT
        unit_code, level, reception_code, field,
        in_scope,
        in_scope AND rd >= $start AS in_period,
        in_scope AND rd >= $start AND COALESCE(channel = 'truc_tuyen', FALSE) AS online,
        in_scope AND rd < $start AS carried,
        in_scope AND resolved AS res,
        in_scope AND resolved AND dd IS NOT NULL AND fd < dd AS early,
        in_scope AND resolved AND (dd IS NULL OR fd = dd) AS on_time,
        in_scope AND resolved AND dd IS NOT NULL AND fd > dd AS late,
        in_scope AND NOT resolved AS pend,
        in_scope AND NOT resolved AND (dd IS NULL OR dd >= $end) AS within
    FROM scoped
)
SELECT * FROM flags WHERE in_scope
"""

_SUMS_SQL = """
    COUNT(*) FILTER (WHERE in_scope) AS received_total,
    COUNT(*) FILTER (WHERE online) AS received_online,
    COUNT(*) FILTER (WHERE in_period AND NOT online) AS received_offline,
    COUNT(*) FILTER (WHERE carried) AS carried_over,
    COUNT(*) FILTER (WHERE res) AS resolved_total,
    COUNT(*) FILTER (WHERE early) AS resolved_early,
    COUNT(*) FILTER (WHERE on_time) AS resolved_on_time,
    COUNT(*) FILTER (WHERE late) AS resolved_late,
    COUNT(*) FILTER (WHERE pend) AS pending_total,
    COUNT(*) FILTER (WHERE within) AS pending_within_due,
    COUNT(*) FILTER (WHERE pend AND NOT within) AS pending_overdue
"""

_GROUPED_SQL = """
SELECT
    CASE
        WHEN GROUPING(unit_code) = 0 THEN unit_code
        WHEN GROUPING(level) = 0 THEN level
        ELSE 'ALL'
    END AS unit_code,
    CASE WHEN GROUPING(field) = 0 THEN field ELSE 'ALL' END AS field,
""" + _SUMS_SQL + """
FROM scoped_flags
GROUP BY GROUPING SETS ((), (field), (level), (level, field), (unit_code), (unit_code, field))
UNION ALL
SELECT
    'hcc-huong-thuy' AS unit_code,
    CASE WHEN GROUPING(field) = 0 THEN field ELSE 'ALL' END AS field,
""" + _SUMS_SQL + """
FROM scoped_flags
WHERE reception_code = 'hcc-huong-thuy'
GROUP BY GROUPING SETS ((), (field))
"""


def form06_oracle(dossiers: str | Path | pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Form-06 counts for every grouping, computed in DuckDB SQL.

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
    con = duckdb.connect()
    try:
        if isinstance(dossiers, pd.DataFrame):
            con.register("src", dossiers)
        else:
            con.execute(f"CREATE VIEW src AS SELECT * FROM read_parquet('{Path(dossiers)}')")
        sql = _FLAGS_SQL.replace("$start", f"DATE '{start.isoformat()}'").replace(
            "$end", f"DATE '{end.isoformat()}'"
        )
        con.execute(f"CREATE TEMP TABLE scoped_flags AS {sql}")
        out = con.execute(_GROUPED_SQL).df()
    finally:
        con.close()
    out = out.astype({c: "int64" for c in COUNT_COLUMNS})
    out["unit_code"] = out["unit_code"].astype(str)
    out["field"] = out["field"].astype(str)
    return out.sort_values(["unit_code", "field"], ignore_index=True)
