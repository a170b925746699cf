"""Small hand-built indicator tables for the chart and narrative tests.

Shapes follow "Cross-module data shapes" in docs/architecture.md. Two situations:

* ``q2024q1()``: before the 2025 reform (town level, town centre, PAKN and e-documents present);
* ``q2025q3()``: after it (three wards and the land branch only; no town level, no centre, no
  PAKN or e-document export).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from cchc_analysis.indicators import QuarterTables
from cchc_analysis.periods import Quarter
from cchc_analysis.schema import FORM06_COLUMNS

NAN = float("nan")
TARGETS = {
    "on_time_rate": 98.0,
    "online_rate": 50.0,
    "full_online_rate": 70.0,
    "digitised_input_rate": 80.0,
    "digitised_result_rate": 80.0,
    "reuse_rate": 50.0,
    "online_payment_rate": 60.0,
    "pakn_handled_rate": 100.0,
    "edoc_rate": 100.0,
    "one_stop_rate": 100.0,
}
INDICATOR_COLUMNS = [
    "unit_code", "field", "indicator", "numerator", "denominator", "value",
    "previous_quarter", "same_quarter_last_year", "change_pp", "target", "meets_target",
]


def row(unit, fld, indicator, num, den, prev=NAN, year=NAN, value=None):
    """One indicators.csv row; value = num / den in percent unless given."""
    if value is None:
        value = 100.0 * num / den if den else NAN
    target = TARGETS.get(indicator, NAN)
    return {
        "unit_code": unit, "field": fld, "indicator": indicator,
        "numerator": float(num), "denominator": float(den), "value": value,
        "previous_quarter": prev, "same_quarter_last_year": year,
        "change_pp": value - prev if not np.isnan(prev) else NAN,
        "target": target,
        "meets_target": bool(value >= target) if not (np.isnan(target) or np.isnan(value)) else pd.NA,
    }


def indicators_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["meets_target"] = frame["meets_target"].astype("boolean")
    return frame


def below_target_of(indicators: pd.DataFrame) -> pd.DataFrame:
    """below_target.csv: rows whose value is under their target."""
    bad = indicators[indicators["meets_target"].eq(False).fillna(False)]
    return bad[["unit_code", "field", "indicator", "value", "target"]].reset_index(drop=True)


def form06_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows of (unit_code, field, received_in_period, received_online, carried_over,
    resolved_early, resolved_on_time, resolved_late, pending_within_due, pending_overdue)."""
    out = []
    for unit, fld, rec, online, carried, early, ontime, late, within, overdue in rows:
        resolved = early + ontime + late
        pending = within + overdue
        out.append({
            "unit_code": unit, "field": fld,
            "received_total": rec + carried, "received_online": online,
            "received_offline": rec - online, "carried_over": carried,
            "resolved_total": resolved, "resolved_early": early, "resolved_on_time": ontime,
            "resolved_late": late, "pending_total": pending, "pending_within_due": within,
            "pending_overdue": overdue,
        })
    frame = pd.DataFrame(out, columns=["unit_code", "field", *FORM06_COLUMNS])
    return frame.astype({c: "int64" for c in FORM06_COLUMNS})


def quality_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["check", "unit_code", "count", "note"])


def history_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows of (quarter, unit_code, indicator, numerator, denominator)."""
    frame = pd.DataFrame(rows, columns=["quarter", "unit_code", "indicator", "numerator", "denominator"])
    frame.insert(2, "field", "ALL")
    frame["value"] = 100.0 * frame["numerator"] / frame["denominator"]
    return frame[["quarter", "unit_code", "field", "indicator", "numerator", "denominator", "value"]]


# --- 2024Q1: before the reform ----------------------------------------------------------------

def indicators_2024q1() -> pd.DataFrame:
    return indicators_frame([
        # headline on-time figures (97,45 → 97,5: half up)
        row("ALL", "ALL", "on_time_rate", 1880, 1920, prev=96.8, year=98.1),
        row("huyen", "ALL", "on_time_rate", 780, 800, prev=96.3, year=97.45, value=97.45),
        row("xa", "ALL", "on_time_rate", 988, 1000, prev=99.1, year=NAN),
        row("hcc-huong-thuy", "ALL", "on_time_rate", 945, 1000, prev=NAN, year=NAN),
        row("tx-huong-thuy", "ALL", "on_time_rate", 780, 800, value=97.45),
        row("p-thuy-chau", "ALL", "on_time_rate", 481, 500, prev=97.0, year=96.0),
        row("x-phu-son", "ALL", "on_time_rate", 500, 500, prev=100.0, year=100.0),
        row("p-phu-bai", "ALL", "on_time_rate", 7, 7),
        row("cn-vpdkdd-huong-thuy", "ALL", "on_time_rate", 103, 120),
        row("ALL", "Đất đai", "on_time_rate", 103, 120),
        row("ALL", "Hộ tịch", "on_time_rate", 990, 1000),
        # other area indicators
        row("ALL", "ALL", "pakn_handled_rate", 4, 4),
        row("ALL", "ALL", "digitised_input_rate", 1500, 1500, prev=92.5, year=80.0),
        row("ALL", "ALL", "one_stop_rate", 120, 120),
        row("ALL", "ALL", "edoc_rate", 2500, 2500),
        row("ALL", "ALL", "digitised_result_rate", 1705, 2000),
        row("ALL", "ALL", "online_rate", 684, 1500, prev=45.6, year=40.0),
        row("ALL", "ALL", "full_online_rate", 300, 1500),
        row("ALL", "ALL", "online_payment_rate", 0, 0),
        row("ALL", "ALL", "avg_processing_days", 0, 0, value=4.5),
        # one ward's own figures
        row("p-thuy-chau", "ALL", "digitised_input_rate", 400, 400, prev=100.0, year=NAN),
        row("p-thuy-chau", "ALL", "online_rate", 210, 400, prev=50.0, year=NAN),
        row("p-thuy-chau", "Hộ tịch", "on_time_rate", 300, 310),
    ])


def form06_2024q1() -> pd.DataFrame:
    return form06_frame([
        ("ALL", "ALL", 1500, 684, 500, 1200, 680, 40, 150, 3),
        ("ALL", "Đất đai", 100, 10, 30, 40, 63, 17, 8, 2),
        ("ALL", "Hộ tịch", 1000, 600, 10, 700, 290, 10, 5, 0),
        ("ALL", "Xây dựng", 400, 74, 460, 460, 327, 13, 137, 1),
        ("tx-huong-thuy", "ALL", 700, 300, 200, 500, 279, 21, 97, 3),
        ("tx-huong-thuy", "Đất đai", 100, 10, 30, 40, 63, 8, 19, 0),
        ("tx-huong-thuy", "Xây dựng", 600, 290, 170, 460, 216, 13, 78, 3),
        ("p-thuy-chau", "ALL", 400, 210, 110, 300, 181, 19, 7, 0),
        ("p-thuy-chau", "Hộ tịch", 400, 210, 110, 200, 100, 10, 200, 0),
        ("p-thuy-chau", "Đất đai", 0, 0, 0, 0, 0, 9, 0, 0),
        ("x-phu-son", "ALL", 400, 174, 190, 400, 100, 0, 90, 0),
    ])


def quality_2024q1() -> pd.DataFrame:
    return quality_frame([
        ("late_without_apology", "ALL", 6, ""),
        ("late_without_apology", "tx-huong-thuy", 4, ""),
        ("late_without_apology", "p-thuy-chau", 2, ""),
        ("appointment_beyond_statute", "ALL", 3, ""),
        ("appointment_beyond_statute", "tx-huong-thuy", 3, ""),
        ("duplicates_merged", "ALL", 11, ""),
    ])


def history_2024q1() -> pd.DataFrame:
    return history_frame([
        ("2023Q3", "ALL", "on_time_rate", 1900, 2000),
        ("2023Q4", "ALL", "on_time_rate", 1936, 2000),
        ("2024Q1", "ALL", "on_time_rate", 1880, 1920),
        ("2023Q3", "ALL", "online_rate", 500, 1250),
        ("2023Q4", "ALL", "online_rate", 570, 1250),
        ("2024Q1", "ALL", "online_rate", 684, 1500),
        ("2023Q4", "ALL", "digitised_input_rate", 1110, 1200),
        ("2024Q1", "ALL", "digitised_input_rate", 1500, 1500),
        ("2024Q1", "xa", "on_time_rate", 988, 1000),
    ])


def ranking_2024q1() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [1, 2, 3], "unit_code": ["x-phu-son", "p-thuy-chau", "tx-huong-thuy"],
        "unit_name": ["xã Phú Sơn", "phường Thủy Châu", "UBND thị xã Hương Thủy"],
        "level": ["xa", "xa", "huyen"], "resolved_total": [500, 500, 800],
        "resolved_on_time_or_early": [500, 481, 780], "on_time_rate": [100.0, 96.2, 97.45],
    })


def q2024q1(synthetic: bool = False, period: str = "calendar") -> QuarterTables:
    indicators = indicators_2024q1()
    start, end = (date(2024, 1, 1), date(2024, 3, 31)) if period == "calendar" else (
        date(2023, 12, 15), date(2024, 3, 14))
    return QuarterTables(
        quarter=Quarter(2024, 1), period=period, start=start, end=end,
        form06=form06_2024q1(), indicators=indicators, quality=quality_2024q1(),
        history=history_2024q1(), ranking=ranking_2024q1(),
        below_target=below_target_of(indicators), synthetic=synthetic,
    )


# --- 2025Q3: after the reform -----------------------------------------------------------------

def indicators_2025q3() -> pd.DataFrame:
    return indicators_frame([
        row("ALL", "ALL", "on_time_rate", 990, 1000, prev=98.0, year=NAN),
        row("xa", "ALL", "on_time_rate", 891, 900, prev=98.0, year=99.0),
        row("tinh", "ALL", "on_time_rate", 99, 100),
        row("p-thanh-thuy", "ALL", "on_time_rate", 297, 300),
        row("p-huong-thuy", "ALL", "on_time_rate", 300, 300),
        row("p-phu-bai-2025", "ALL", "on_time_rate", 294, 300),
        row("cn-vpdkdd-huong-thuy", "ALL", "on_time_rate", 99, 100),
        row("ALL", "ALL", "pakn_handled_rate", 0, 0),  # no PAKN export: value missing
        row("ALL", "ALL", "digitised_input_rate", 819, 1000, prev=81.9, year=NAN),
        row("ALL", "ALL", "online_rate", 600, 1000),
    ])


def form06_2025q3() -> pd.DataFrame:
    return form06_frame([
        ("ALL", "ALL", 1000, 600, 0, 900, 90, 0, 10, 0),
        ("p-huong-thuy", "ALL", 300, 200, 0, 250, 50, 0, 0, 0),
    ])


def q2025q3() -> QuarterTables:
    indicators = indicators_2025q3()
    return QuarterTables(
        quarter=Quarter(2025, 3), period="calendar", start=date(2025, 7, 1),
        end=date(2025, 9, 30), form06=form06_2025q3(), indicators=indicators,
        quality=quality_frame([("late_without_apology", "ALL", 0, ""),
                               ("missing_input:pakn", "ALL", 1, "")]),
        history=history_frame([("2025Q3", "ALL", "online_rate", 600, 1000)]),
        ranking=pd.DataFrame(), below_target=below_target_of(indicators),
    )
