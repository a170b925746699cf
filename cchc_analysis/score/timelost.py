"""Where time is lost: processing time per procedure, the late Pareto, the four on-time
definitions side by side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import refdata, workdays
from .groups import ALL, LEVELS, MISSING_KEY, centre_codes, membership
from .score766 import flagged_dossiers

PROCESSING_COLUMNS = ["procedure_code", "field", "dossiers", "still_open", "median_days", "p80_days", "p90_days",
                      "statutory_days", "p80_over_statute"]
PARETO_COLUMNS = ["unit_code", "procedure_code", "field", "late", "share", "cumulative_share"]
DEFINITION_COLUMNS = ["unit_code", "definition", "label", "numerator", "denominator", "value", "quoted_by"]

#: The four on-time definitions of qd766_scoring.md: code -> (label, who quotes it).
DEFINITIONS = {
    "completed_only": ("Đúng hạn trên số đã giải quyết (biểu 06)", "báo cáo định kỳ (con số chính)"),
    "index_766": ("Chỉ số 766, mục 2.1: trước hạn, đúng hạn và đang trong hạn trên tổng số nhận", "ước tính điểm 766"),
    "den_han": ("Đúng hạn trên số đến hạn (đã giải quyết + đang quá hạn)", ""),
    "can_xu_ly": ("Cần xử lý: phần còn lại sau khi trừ tỷ lệ quá hạn (đã giải quyết quá hạn + đang quá hạn) trên tổng số nhận", ""),
}


def _keys(series: pd.Series) -> pd.Series:
    return series.astype("str").fillna(MISSING_KEY)


def elapsed_days(flagged: pd.DataFrame, end) -> pd.Series:
    """Working days taken so far: received → finished for resolved dossiers, received → the
    period's end for pending ones (their age so far). Int64, missing out of scope."""
    stop = flagged["finished_at"].where(flagged["resolved"], pd.Timestamp(end))
    days = workdays.working_days_between(flagged["received_at"], stop.astype(flagged["received_at"].dtype))
    return days.astype("Int64").where(flagged["in_scope"])


def processing_times(dossiers: pd.DataFrame, start, end, *, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Median, P80 and P90 of working days per procedure, against the statutory time.

    Every dossier in scope counts: resolved ones with their processing time, still-open ones
    with their age at the period's end (so slow procedures are not flattered by leaving their
    open dossiers out). Quantiles are pandas' linear interpolation. ``p80_over_statute``: P80
    above the catalogue's statutory working days (missing when the procedure is not in the
    catalogue).

    Returns
    -------
    pandas.DataFrame
        :data:`PROCESSING_COLUMNS`, slowest P80 over statute first.
    """
    catalogue = refdata.load_catalogue() if catalogue is None else catalogue
    flagged = flagged_dossiers(dossiers, start, end)
    data = pd.DataFrame({
        "procedure_code": _keys(flagged["procedure_code"]), "field": _keys(flagged["field"]),
        "days": elapsed_days(flagged, end).astype("float64"), "open": flagged["pending"].astype("int64"),
    })[flagged["in_scope"].to_numpy()]
    data = data[data["days"].notna()]
    grouped = data.groupby("procedure_code", sort=True)
    out = pd.DataFrame({
        "field": grouped["field"].first(), "dossiers": grouped.size(), "still_open": grouped["open"].sum(),
        "median_days": grouped["days"].median(), "p80_days": grouped["days"].quantile(0.8),
        "p90_days": grouped["days"].quantile(0.9),
    }).reset_index()
    statute = catalogue.drop_duplicates("procedure_code")
    statute = pd.Series(statute["statutory_days"].to_numpy(), index=statute["procedure_code"].astype("str"))
    out["statutory_days"] = out["procedure_code"].map(statute).astype("Int64")
    out["p80_over_statute"] = (out["p80_days"] > out["statutory_days"]).astype("boolean")
    excess = out["p80_days"] - out["statutory_days"].astype("float64")
    return out.assign(_x=excess).sort_values(["_x", "procedure_code"], ascending=[False, True], na_position="last",
                                              ignore_index=True)[PROCESSING_COLUMNS]


def late_pareto(dossiers: pd.DataFrame, start, end) -> pd.DataFrame:
    """Procedure × unit pairs by late dossiers (resolved late + pending overdue), most first.

    ``share`` and ``cumulative_share`` in percent of all late dossiers of the period.
    """
    flagged = flagged_dossiers(dossiers, start, end)
    late = flagged[(flagged["resolved_late"] | flagged["pending_overdue"]).to_numpy()]
    data = pd.DataFrame({"unit_code": _keys(late["unit_code"]), "procedure_code": _keys(late["procedure_code"]),
                         "field": _keys(late["field"])})
    out = data.groupby(["unit_code", "procedure_code"], sort=True).agg(field=("field", "first"), late=("field", "size")).reset_index()
    out = out.sort_values(["late", "unit_code", "procedure_code"], ascending=[False, True, True], ignore_index=True)
    total = out["late"].sum()
    out["share"] = 100.0 * out["late"] / total if total else np.nan
    out["cumulative_share"] = 100.0 * out["late"].cumsum() / total if total else np.nan
    return out[PARETO_COLUMNS]


def on_time_definitions(dossiers: pd.DataFrame, start, end, *, reception_points: pd.DataFrame | None = None) -> pd.DataFrame:
    """The four on-time definitions for ALL and each level, each labelled (percent).

    completed_only = (early + on time) / resolved; index_766 = (early + on time + pending
    within due) / received total; den_han = (early + on time) / (resolved + pending overdue);
    can_xu_ly = 100 − 100 × (resolved late + pending overdue) / received total (which equals
    index_766 by the form-06 identities; listed because reports quote it under its own name).
    ``quoted_by`` says where each is used.
    """
    flagged = flagged_dossiers(dossiers, start, end)
    f = {name: flagged[name].to_numpy(dtype="int64") for name in (
        "in_scope", "resolved", "resolved_early", "resolved_on_time", "resolved_late", "pending_within_due", "pending_overdue")}
    good = f["resolved_early"] + f["resolved_on_time"]
    parts = {
        "completed_only": (good, f["resolved"]),
        "index_766": (good + f["pending_within_due"], f["in_scope"]),
        "den_han": (good, f["resolved"] + f["pending_overdue"]),
        "can_xu_ly": (f["in_scope"] - f["resolved_late"] - f["pending_overdue"], f["in_scope"]),
    }
    rows, labels = membership(flagged, centre_codes(reception_points))
    wanted = np.isin(labels, [ALL, *LEVELS])
    values = {f"{k}|{side}": v[rows][wanted] for k, (num, den) in parts.items() for side, v in (("n", num), ("d", den))}
    sums = pd.DataFrame(values).assign(unit_code=labels[wanted]).groupby("unit_code").sum()
    out = []
    for code, (label, quoted) in DEFINITIONS.items():
        den = sums[f"{code}|d"]
        out.append(pd.DataFrame({
            "unit_code": sums.index, "definition": code, "label": label, "numerator": sums[f"{code}|n"].to_numpy(),
            "denominator": den.to_numpy(), "value": (100.0 * sums[f"{code}|n"] / den.where(den > 0)).to_numpy(),
            "quoted_by": quoted,
        }))
    table = pd.concat(out, ignore_index=True)
    order = {code: i for i, code in enumerate([ALL, *LEVELS])}
    return table.assign(_o=table["unit_code"].map(order)).sort_values(["_o"], kind="stable", ignore_index=True)[DEFINITION_COLUMNS]
