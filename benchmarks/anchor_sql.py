"""The DuckDB SQL anchor: form 06 + the ten dossier indicators of one period, in one query.

Written from DESIGN §7–§8 (it shares no code with :mod:`cchc_analysis.outcome` or
:mod:`cchc_analysis.indicators`), over the clean ``dossiers.parquet``, for the groupings of
``form06.csv`` / ``indicators.csv``: ALL, level, unit, the ``hcc-huong-thuy`` reception centre,
each × (ALL, field). ``avg_processing_days`` needs working days: the query joins a calendar table
(day -> running count of working days, from :func:`cchc_analysis.workdays.working_days_table`)
twice, which is what any SQL implementation of the indicator would do.

Output: one row per group, ``unit_code, field`` + 11 form-06 counts + ``<indicator>__num`` /
``<indicator>__den`` (int64). It is a timing anchor, and :func:`check_against` verifies that it
agrees with the package's numbers on the benchmark data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

FLAGS = """
CREATE OR REPLACE TEMP TABLE f AS
WITH base AS (
    SELECT unit_code, level, reception_code, field, channel, status, online_level,
           digitised_input, digitised_result, reused_data, has_fee, paid_online, apology_issued,
           CAST(received_at AS DATE) AS rd, CAST(finished_at AS DATE) AS fd,
           CAST(due_at AS DATE) AS dd,
           COALESCE(status IN (7, 8, 9, 10), FALSE) AS terminal
    FROM read_parquet('{path}')
    WHERE status IS NOT NULL AND status NOT IN (1, 3)
), s AS (
    SELECT *,
        COALESCE(rd <= DATE '{end}', FALSE)
            AND NOT (terminal AND COALESCE(fd < DATE '{start}', FALSE)) AS in_scope,
        terminal AND COALESCE(fd BETWEEN DATE '{start}' AND DATE '{end}', FALSE) AS res
    FROM base
)
SELECT
    COALESCE(s.unit_code, '(không rõ)') AS unit_code, COALESCE(level, '(không rõ)') AS level,
    COALESCE(reception_code, '(không rõ)') AS reception_code,
    COALESCE(field, '(không rõ)') AS field,
    in_scope,
    in_scope AND rd >= DATE '{start}' AS in_period,
    in_scope AND rd >= DATE '{start}' AND COALESCE(channel = 'truc_tuyen', FALSE) AS online,
    in_scope AND rd < DATE '{start}' AS carried,
    in_scope AND res AS res,
    in_scope AND res AND dd IS NOT NULL AND fd < dd AS early,
    in_scope AND res AND (dd IS NULL OR fd = dd) AS on_time,
    in_scope AND res AND dd IS NOT NULL AND fd > dd AS late,
    in_scope AND NOT res AS pend,
    in_scope AND NOT res AND (dd IS NULL OR dd >= DATE '{end}') AS within,
    COALESCE(online_level = 'toan_trinh', FALSE) AS toan_trinh,
    COALESCE(status IN (9, 10), FALSE) AS with_result,
    COALESCE(digitised_input, FALSE) AS dig_in, COALESCE(digitised_result, FALSE) AS dig_res,
    COALESCE(reused_data, FALSE) AS reused, COALESCE(has_fee, FALSE) AS fee,
    COALESCE(paid_online, FALSE) AS paid, COALESCE(apology_issued, FALSE) AS apology,
    cf.n - cr.n AS days
FROM s
LEFT JOIN cal AS cr ON cr.day = s.rd
LEFT JOIN cal AS cf ON cf.day = s.fd
WHERE in_scope
"""

SUMS = """
    COUNT(*) AS received_total,
    COUNT(*) FILTER (WHERE online) AS received_online,
    COUNT(*) FILTER (WHERE in_period AND NOT online) AS received_offline,
    COUNT(*) FILTER (WHERE carried) AS carried_over,
    COUNT(*) FILTER (WHERE res) AS resolved_total,
    COUNT(*) FILTER (WHERE early) AS resolved_early,
    COUNT(*) FILTER (WHERE on_time) AS resolved_on_time,
    COUNT(*) FILTER (WHERE late) AS resolved_late,
    COUNT(*) FILTER (WHERE pend) AS pending_total,
    COUNT(*) FILTER (WHERE within) AS pending_within_due,
    COUNT(*) FILTER (WHERE pend AND NOT within) AS pending_overdue,
    COUNT(*) FILTER (WHERE early OR on_time) AS on_time_rate__num,
    COUNT(*) FILTER (WHERE res) AS on_time_rate__den,
    COUNT(*) FILTER (WHERE early OR on_time OR within) AS on_time_rate_766__num,
    COUNT(*) AS on_time_rate_766__den,
    COUNT(*) FILTER (WHERE online) AS online_rate__num,
    COUNT(*) FILTER (WHERE in_period) AS online_rate__den,
    COUNT(*) FILTER (WHERE online AND toan_trinh) AS full_online_rate__num,
    COUNT(*) FILTER (WHERE in_period) AS full_online_rate__den,
    COUNT(*) FILTER (WHERE in_period AND dig_in) AS digitised_input_rate__num,
    COUNT(*) FILTER (WHERE in_period) AS digitised_input_rate__den,
    COUNT(*) FILTER (WHERE res AND with_result AND dig_res) AS digitised_result_rate__num,
    COUNT(*) FILTER (WHERE res AND with_result) AS digitised_result_rate__den,
    COUNT(*) FILTER (WHERE in_period AND reused) AS reuse_rate__num,
    COUNT(*) FILTER (WHERE in_period) AS reuse_rate__den,
    COUNT(*) FILTER (WHERE in_period AND fee AND paid) AS online_payment_rate__num,
    COUNT(*) FILTER (WHERE in_period AND fee) AS online_payment_rate__den,
    COUNT(*) FILTER (WHERE late AND apology) AS apology_rate__num,
    COUNT(*) FILTER (WHERE late) AS apology_rate__den,
    COALESCE(SUM(days) FILTER (WHERE res AND days IS NOT NULL), 0) AS avg_processing_days__num,
    COUNT(*) FILTER (WHERE res AND days IS NOT NULL) AS avg_processing_days__den
"""

GROUPED = (
    """
SELECT
    CASE WHEN GROUPING(unit_code) = 0 THEN unit_code
         WHEN GROUPING(level) = 0 THEN level ELSE 'ALL' END AS unit_code,
    CASE WHEN GROUPING(field) = 0 THEN field ELSE 'ALL' END AS field,
"""
    + SUMS
    + """
FROM f
GROUP BY GROUPING SETS ((), (field), (level), (level, field), (unit_code), (unit_code, field))
UNION ALL
SELECT 'hcc-huong-thuy' AS unit_code,
       CASE WHEN GROUPING(field) = 0 THEN field ELSE 'ALL' END AS field,
"""
    + SUMS
    + """
FROM f WHERE reception_code = 'hcc-huong-thuy'
GROUP BY GROUPING SETS ((), (field))
ORDER BY unit_code, field
"""
)


def calendar_frame(first: str = "2015-01-01", last: str = "2040-12-31"):
    """``day, n``: running count of working days up to and including ``day``."""
    from cchc_analysis import workdays

    table = workdays.working_days_table(first, last)
    frame = table[["day"]].copy()
    frame["day"] = frame["day"].astype("datetime64[s]").dt.date
    frame["n"] = table["is_working_day"].astype("int64").cumsum().to_numpy()
    return frame


def run_query(parquet: str | Path, start: date, end: date, calendar=None, con=None):
    """Form 06 + dossier indicator counts for every grouping, as a pandas frame."""
    import duckdb

    own = con is None
    con = duckdb.connect() if own else con
    try:
        cal = calendar_frame() if calendar is None else calendar
        con.register("cal_df", cal)
        con.execute("CREATE OR REPLACE TEMP TABLE cal AS SELECT CAST(day AS DATE) AS day, n FROM cal_df")
        con.execute(FLAGS.format(path=Path(parquet).as_posix(), start=start.isoformat(), end=end.isoformat()))
        return con.execute(GROUPED).df()
    finally:
        if own:
            con.close()


def check_against(parquet: str | Path, quarter: str = "2024Q3") -> int:
    """Compare the anchor with the package's fine counts rolled up; return mismatching cells."""
    import pandas as pd

    from cchc_analysis import engines, periods
    from cchc_analysis.indicators import tables

    q = periods.Quarter.parse(quarter)
    start, end = q.bounds("calendar")
    sql = run_query(parquet, start, end).set_index(["unit_code", "field"]).sort_index()
    frame, _ = tables._prepare_dossiers(pd.read_parquet(parquet))
    fine = tables.dossier_counts(engines.to_engine(frame, "pandas"), start, end)
    ours = tables.rollup_dossiers(fine).set_index(["unit_code", "field"]).sort_index()
    ours = ours[ours["received_total"] > 0]
    cols = [c for c in sql.columns if c in ours.columns]
    a, b = sql[cols].astype("int64").align(ours[cols].astype("int64"), join="outer")
    return int((a.fillna(-1) != b.fillna(-1)).to_numpy().sum())
