"""Integrity checks of the figures ("Kiểm tra tính xác thực của số liệu").

Each check marks dossiers resolved (or in scope) in the period; :func:`integrity_checks`
counts them per deciding unit and for ALL, :func:`integrity_dossiers` lists the codes.

Choices: working hours are 07:00–17:00 on working days (``workdays``); a finish time of
exactly 00:00:00 is read as a date without a time (many exports carry only the day) and is
not flagged as outside hours nor as stamped at the due minute. The period's end is its last 3 working days; a unit's closures
there are "bunched" when they are at least twice what its usual daily rate over the period
predicts and at least 5 dossiers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import fmt, workdays
from .groups import ALL, MISSING_KEY
from .score766 import flagged_dossiers

CHECK_COLUMNS = ["check", "unit_code", "count", "note"]
DOSSIER_COLUMNS = ["check", "dossier_id", "unit_code", "procedure_code", "finished_at"]
OPEN_HOUR, CLOSE_HOUR = 7, 17
LAST_WORKING_DAYS = 3
BUNCH_FACTOR, BUNCH_MIN = 2.0, 5

NOTES = {
    "finished_on_non_working_day": "kết thúc vào ngày nghỉ",
    "finished_outside_hours": f"kết thúc ngoài giờ hành chính ({OPEN_HOUR}:00–{CLOSE_HOUR}:00)",
    "more_than_one_supplement": "yêu cầu bổ sung hơn 1 lần (chỉ số 766 tính là quá hạn)",
    "finished_at_due_minute": "thời điểm kết thúc trùng đúng phút hẹn trả",
    "closures_bunched_at_period_end": f"dồn kết thúc vào {LAST_WORKING_DAYS} ngày làm việc cuối kỳ",
}


def on_non_working_day(flagged: pd.DataFrame) -> np.ndarray:
    """Resolved in the period with a finish day that is not a working day."""
    working = workdays.is_working_day(flagged["finished_at"]).astype("boolean").fillna(True)
    return flagged["resolved"].to_numpy(bool) & ~working.to_numpy(bool)


def outside_hours(flagged: pd.DataFrame) -> np.ndarray:
    """Resolved with a finish time before 07:00 or after 17:00 (00:00:00 = no time given)."""
    t = flagged["finished_at"]
    minutes = (t.dt.hour * 60 + t.dt.minute + t.dt.second / 60).astype("float64")
    has_time = (t != t.dt.normalize()).fillna(False).to_numpy(bool)
    outside = ((minutes < OPEN_HOUR * 60) | (minutes > CLOSE_HOUR * 60)).fillna(False).to_numpy(bool)
    return flagged["resolved"].to_numpy(bool) & has_time & outside


def repeated_supplements(flagged: pd.DataFrame) -> np.ndarray:
    """In scope with more than one supplement request."""
    return flagged["in_scope"].to_numpy(bool) & (flagged["supplement_count"] > 1).fillna(False).to_numpy(bool)


def at_due_minute(flagged: pd.DataFrame) -> np.ndarray:
    """Resolved with finished_at equal to due_at to the minute, the finish carrying a time.

    Unlike quality.csv's ``finished_at_due_minute``, a finish at exactly 00:00:00 (a date
    without a time) is not flagged: two bare dates matching says nothing about the minute.
    """
    t = flagged["finished_at"]
    same = (t.dt.floor("min") == flagged["due_at"].dt.floor("min")).fillna(False)
    has_time = (t != t.dt.normalize()).fillna(False)
    return flagged["resolved"].to_numpy(bool) & (same & has_time).to_numpy(bool)


def last_working_days(start, end, n: int = LAST_WORKING_DAYS) -> tuple[pd.Timestamp, int]:
    """First day of the period's last ``n`` working days, and the working days in the period."""
    days = pd.date_range(start, end, freq="D")
    working = days[np.asarray(workdays.is_working_day(days.to_numpy()), dtype=bool)]
    return (working[-n] if len(working) >= n else pd.Timestamp(start)), max(len(working), 1)


def bunched_closures(flagged: pd.DataFrame, start, end) -> tuple[np.ndarray, pd.DataFrame]:
    """Closures in the last working days per unit, against the unit's usual daily rate.

    expected = resolved in period × (last working days / working days in period). Returns the
    per-dossier mark (for flagged units only) and ``unit_code, count, expected``.
    """
    tail_start, n_days = last_working_days(start, end)
    resolved = flagged["resolved"].to_numpy(bool)
    in_tail = resolved & (flagged["finished_at"].dt.normalize() >= tail_start).fillna(False).to_numpy(bool)
    unit = flagged["unit_code"].astype("str").fillna(MISSING_KEY)
    per = pd.DataFrame({"unit_code": unit, "resolved": resolved.astype("int64"), "count": in_tail.astype("int64")})
    per = per.groupby("unit_code", sort=True).sum().reset_index()
    per["expected"] = per["resolved"] * min(LAST_WORKING_DAYS, n_days) / n_days
    flagged_units = per.loc[(per["count"] >= BUNCH_MIN) & (per["count"] >= BUNCH_FACTOR * per["expected"]), "unit_code"]
    return in_tail & unit.isin(flagged_units).to_numpy(bool), per[per["unit_code"].isin(flagged_units)]


def _marks(flagged: pd.DataFrame, start, end) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    bunched, per = bunched_closures(flagged, start, end)
    return {
        "finished_on_non_working_day": on_non_working_day(flagged),
        "finished_outside_hours": outside_hours(flagged),
        "more_than_one_supplement": repeated_supplements(flagged),
        "finished_at_due_minute": at_due_minute(flagged),
        "closures_bunched_at_period_end": bunched,
    }, per


def integrity_dossiers(dossiers: pd.DataFrame, start, end) -> pd.DataFrame:
    """The dossiers behind each check (codes only): :data:`DOSSIER_COLUMNS`."""
    flagged = flagged_dossiers(dossiers, start, end)
    marks, _ = _marks(flagged, start, end)
    keys = flagged[["dossier_id", "unit_code", "procedure_code", "finished_at"]]
    parts = [keys[mark].assign(check=check) for check, mark in marks.items()]
    out = pd.concat(parts, ignore_index=True)
    out["unit_code"] = out["unit_code"].astype("str").fillna(MISSING_KEY)
    return out.sort_values(["check", "unit_code", "dossier_id"], ignore_index=True)[DOSSIER_COLUMNS]


def integrity_checks(dossiers: pd.DataFrame, start, end) -> pd.DataFrame:
    """Counts per check for ALL and each deciding unit with at least one marked dossier.

    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS`; the bunching rows' note gives the expected count.
    """
    codes = integrity_dossiers(dossiers, start, end)
    per_unit = codes.groupby(["check", "unit_code"], sort=True).size().rename("count").reset_index()
    total = codes.groupby("check", sort=True).size().rename("count").reset_index().assign(unit_code=ALL)
    out = pd.concat([total, per_unit], ignore_index=True)
    out["note"] = out["check"].map(NOTES).astype("str")
    _, per = bunched_closures(flagged_dossiers(dossiers, start, end), start, end)
    expected = per.set_index("unit_code")["expected"]
    bunch = out["check"].eq("closures_bunched_at_period_end") & out["unit_code"].isin(expected.index)
    out.loc[bunch, "note"] = out.loc[bunch, "note"] + "; theo nhịp thường ngày chỉ khoảng " + out.loc[bunch, "unit_code"].map(
        expected).map(lambda v: fmt.number(v, 1)).astype("str") + " hồ sơ"
    out["count"] = out["count"].astype("int64")
    order = {c: i for i, c in enumerate(NOTES)}
    return out.assign(_c=out["check"].map(order), _a=out["unit_code"].ne(ALL)).sort_values(
        ["_c", "_a", "unit_code"], ignore_index=True)[CHECK_COLUMNS]
