"""Estimate of the national service index (Quyết định 766/QĐ-TTg) from the unit's own exports.

:func:`score_table` gives one row per (reporting group, item) of the six groups, then a row per
group total and the index total, so every group declares its 100 points. Items the exports
cannot give are listed with ``computable`` False, empty points and the note "cần dữ liệu Cổng
DVCQG": never a guessed value. :func:`points_lost` names the dossiers behind the lost points.

Calendar periods, as the portal scores (the caller passes the period's first and last day).
The estimate is ours; the portal's own score stays the reference.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from .. import fmt, outcome, refdata
from . import contributions as contrib
from .groups import ALL, MISSING_KEY, centre_codes, group_order, membership
from .items import item_points, load_items, round_points

SCORE_COLUMNS = ["unit_code", "group", "item", "label", "numerator", "denominator", "ratio", "points",
                 "max_points", "computable", "note"]
LOST_COLUMNS = ["unit_code", "item", "field", "procedure_code", "missed", "resolved_late", "pending_overdue"]
LOST_DOSSIER_COLUMNS = ["dossier_id", "unit_code", "field", "procedure_code", "item", "reason"]
TOTAL_ITEM = "TONG"
NOTE_PORTAL = "cần dữ liệu Cổng DVCQG"
NOTE_NO_PAKN = "chưa có dữ liệu PAKN (không suy ra là không có PAKN)"


def flagged_dossiers(dossiers: pd.DataFrame, start, end) -> pd.DataFrame:
    """The dossier table with the period's outcome flags (DESIGN §7), index reset."""
    return outcome.dossier_flags(dossiers.reset_index(drop=True), start, end)


def _group_sums(frame: pd.DataFrame, values: dict[str, np.ndarray], centres: set[str]) -> pd.DataFrame:
    """Σ of each per-row value per reporting group (ALL, level, centre, unit)."""
    rows, labels = membership(frame, centres)
    data = pd.DataFrame({name: np.asarray(v, dtype="int64")[rows] for name, v in values.items()})
    data["unit_code"] = labels
    return data.groupby("unit_code", sort=False).sum().reset_index()


def dossier_item_counts(flagged: pd.DataFrame, centres: set[str]) -> pd.DataFrame:
    """``unit_code, item, numerator, denominator, unknown`` for the dossier items."""
    values = {}
    for item, make in contrib.DOSSIER_ITEMS.items():
        c = make(flagged)
        values[f"{item}|numerator"], values[f"{item}|denominator"], values[f"{item}|unknown"] = c
    wide = _group_sums(flagged, values, centres).set_index("unit_code")
    wide.columns = pd.MultiIndex.from_tuples([tuple(c.split("|")) for c in wide.columns], names=["item", "count"])
    return wide.stack("item", future_stack=True).reset_index()


def procedure_item_counts(flagged: pd.DataFrame, centres: set[str], catalogue: pd.DataFrame) -> pd.DataFrame:
    """3.5b and 3.5: counts of fee procedures (catalogue ``has_fee``) per reporting group.

    3.5b: procedures with ≥ 1 dossier paid online / fee procedures with ≥ 1 dossier received
    in period whose payment channel is known. 3.5: procedures with ≥ 1 dossier carrying fee
    data / fee procedures with ≥ 1 dossier whose fee flag is known. ``unknown``: fee
    procedures received in period with the fact unknown on every dossier.
    """
    fee_codes = set(catalogue.loc[catalogue["has_fee"].astype(bool), "procedure_code"].astype("str"))
    marks = contrib.fee_procedure_marks(flagged, fee_codes)
    rows, labels = membership(flagged, centres)
    stacked = marks.iloc[rows].reset_index(drop=True).assign(unit_code=labels)
    stacked = stacked[stacked["received"]]
    per = stacked.groupby(["unit_code", "procedure_code"], sort=False).any().reset_index()
    per["paid_unknown"] = ~per["paid_known"]
    per["fee_unknown"] = ~per["fee_known"]
    sums = per.groupby("unit_code", sort=False)[["paid", "paid_known", "paid_unknown", "fee_data", "fee_known", "fee_unknown"]].sum()
    b = sums[["paid", "paid_known", "paid_unknown"]].set_axis(["numerator", "denominator", "unknown"], axis=1).assign(item="3.5b")
    a = sums[["fee_data", "fee_known", "fee_unknown"]].set_axis(["numerator", "denominator", "unknown"], axis=1).assign(item="3.5")
    return pd.concat([b, a]).reset_index()


def pakn_item_counts(pakn: pd.DataFrame, start, end, unit_levels: dict[str, str]) -> pd.DataFrame:
    """5.2 and 5.3 per reporting group (ALL, the level of the handling unit, the unit).

    5.2: (handled on time in period + pending within due at the end) / PAKN in scope
    (received by the end, not handled before the start); on time when date(handled_at) <=
    date(due_at) or no due date; pending within due when no due date or date(due_at) >= end.
    5.3: received in period and not late / received in period, where late = handled after the
    due day, or not handled by the end with the due day before the end (lateness only: the
    exports carry no rating and no re-raise, so this is an upper bound). Every classification
    counts (the portal's PAKN system takes both kinds).
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    received, handled, due = (pakn[c].dt.normalize() for c in ("received_at", "handled_at", "due_at"))
    no_due = due.isna()
    scope = (received <= last).fillna(False) & ~(handled < first).fillna(False)
    handled_in = scope & (handled >= first).fillna(False) & (handled <= last).fillna(False)
    on_time = handled_in & (no_due | (handled <= due).fillna(False))
    pending_within = scope & ~handled_in & (no_due | (due >= last).fillna(False))
    received_in = scope & (received >= first).fillna(False)
    late = (handled_in & (handled > due).fillna(False)) | (~handled_in & (due < last).fillna(False))
    values = {
        "5.2": (on_time | pending_within, scope),
        "5.3": (received_in & ~late, received_in),
    }
    unit = pakn["unit_code"].astype("str").fillna(MISSING_KEY)
    level = unit.map(unit_levels).fillna(MISSING_KEY)
    n = len(pakn)
    labels = np.concatenate([np.full(n, ALL, dtype=object), level.to_numpy(dtype=object), unit.to_numpy(dtype=object)])
    parts = []
    for item, (num, den) in values.items():
        data = pd.DataFrame({
            "unit_code": labels,
            "numerator": np.tile(num.to_numpy(dtype="int64"), 3),
            "denominator": np.tile(den.to_numpy(dtype="int64"), 3),
        })
        parts.append(data.groupby("unit_code", sort=False).sum().reset_index().assign(item=item, unknown=0))
    return pd.concat(parts, ignore_index=True)


def _item_notes(table: pd.DataFrame) -> pd.Series:
    """The note of each item row (short Vietnamese, from the row's own cells)."""
    method = table["method"]
    unknown = table["unknown"].fillna(0).astype("int64")
    notes = pd.Series("", index=table.index, dtype="str")
    notes[method.eq("portal")] = NOTE_PORTAL
    notes[method.eq("fixed")] = "Cổng chấm đủ điểm cho mọi đơn vị"
    notes[method.eq("monitor")] = "chỉ theo dõi, không chấm điểm"
    notes[method.eq("info")] = "tham khảo; Cổng chưa công bố cách chấm điểm nhóm này"
    notes[table["item"].eq("5.4")] = "chưa trừ hồ sơ bị phản ánh, không hài lòng: cận trên"
    notes[table["item"].eq("5.3")] = "chỉ tính phần quá hạn, chưa có đánh giá: cận trên"
    notes[table["item"].isin(["3.5", "3.5b"])] = "xấp xỉ: tính trên TTHC có phí đã phát sinh hồ sơ"
    counted = method.isin(["ratio", "pakn"])
    empty = counted & table["denominator"].fillna(0).eq(0) & table["computable"]
    notes[empty] = (notes[empty] + "; mẫu số bằng 0").str.lstrip("; ")
    skipped = counted & unknown.gt(0)
    notes[skipped] = (notes[skipped] + "; bỏ qua " + unknown[skipped].map(fmt.number).astype("str") + " không rõ dữ liệu").str.lstrip("; ")
    notes[table["pakn_missing"]] = NOTE_NO_PAKN
    return notes


def _totals(items: pd.DataFrame, catalogue_items: pd.DataFrame) -> pd.DataFrame:
    """Group totals and the index total per reporting group."""
    scored = items[items["max_points"].notna()]
    est_max = scored["max_points"].where(scored["points"].notna(), 0.0)
    groups = scored.assign(est_max=est_max).groupby(["unit_code", "group"], sort=False).agg(
        points=("points", lambda s: s.sum(min_count=1)), estimable=("est_max", "sum"))
    groups = groups.reset_index()
    meta = catalogue_items.drop_duplicates("group").set_index("group")
    groups["label"] = groups["group"].map(meta["group_label"])
    groups["max_points"] = groups["group"].map(meta["group_max"])
    groups["item"] = groups["group"]
    total = groups.groupby("unit_code", sort=False).agg(
        points=("points", lambda s: s.sum(min_count=1)), estimable=("estimable", "sum"), max_points=("max_points", "sum")).reset_index()
    total = total.assign(group="", item=TOTAL_ITEM, label="Tổng điểm (ước tính)")
    out = pd.concat([groups, total], ignore_index=True)
    out["points"] = round_points(out["points"])
    out["computable"] = out["points"].notna()
    out["note"] = [f"ước tính được {fmt.number(e, 2)} trên {fmt.number(m, 2)} điểm"
                   for e, m in zip(out["estimable"], out["max_points"], strict=True)]
    return out


def score_table(dossiers: pd.DataFrame, start, end, *, pakn: pd.DataFrame | None = None,
                catalogue: pd.DataFrame | None = None, units: pd.DataFrame | None = None,
                reception_points: pd.DataFrame | None = None) -> pd.DataFrame:
    """The index estimate for the period ``[start, end]``, one row per group × item.

    Parameters
    ----------
    dossiers
        Canonical dossier table (``schema.DOSSIER_COLUMNS``), pandas.
    start, end
        First and last day of the (calendar) period.
    pakn
        Canonical PAKN table, or None when no PAKN export was given (5.2 and 5.3 are then not
        computable: missing data is not "no PAKN"). An empty table means no PAKN: 6 points.
    catalogue, units, reception_points
        Reference tables (default: ``refdata``).

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`. ``unit_code``: ALL, levels, reception centres, units (as
        indicators.csv). ``ratio`` in percent (numerator / denominator × 100); ``points`` =
        min(max, weight × ratio / full_at) rounded to 2 decimals (``data/qd766_items.csv``);
        empty when not computable. Group rows have ``item`` = the group code, the total row
        ``TONG``; their note says "ước tính được x trên y điểm" and their points are the sum of
        the estimated items.
    """
    catalogue = refdata.load_catalogue() if catalogue is None else catalogue
    units = refdata.load_units() if units is None else units
    centres = centre_codes(reception_points)
    items = load_items()
    flagged = flagged_dossiers(dossiers, start, end)
    counts = [dossier_item_counts(flagged, centres), procedure_item_counts(flagged, centres, catalogue)]
    if pakn is not None:
        counts.append(pakn_item_counts(pakn, start, end, dict(zip(units["code"], units["level"], strict=True))))
    counts = pd.concat(counts, ignore_index=True)
    order = group_order(counts["unit_code"].unique(), start, end, units, reception_points)
    skeleton = pd.DataFrame({"unit_code": order}).merge(items, how="cross")
    table = skeleton.merge(counts, on=["unit_code", "item"], how="left")
    counted = table["method"].isin(["ratio", "pakn", "info"])
    table["pakn_missing"] = table["method"].eq("pakn") & (pakn is None)
    for col in ("numerator", "denominator", "unknown"):
        table[col] = table[col].fillna(0).where(counted & ~table["pakn_missing"])
    den = table["denominator"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = np.where(den > 0, 100.0 * table["numerator"] / den.where(den > 0, 1), np.nan)
    all_unknown = den.eq(0) & table["unknown"].gt(0)
    scored = table["method"].isin(["ratio", "pakn"]) & ~table["pakn_missing"] & ~all_unknown
    table["computable"] = scored | table["method"].isin(["fixed", "monitor"])
    points = item_points(table["ratio"], table["max_points"], table["weight"], table["full_at"], table["empty_points"])
    table["points"] = np.where(scored, points, np.nan)
    table.loc[table["method"].isin(["fixed", "monitor"]), "points"] = table["max_points"]
    table["note"] = _item_notes(table)
    totals = _totals(table, items)
    out = pd.concat([table, totals], ignore_index=True)
    rank = {code: i for i, code in enumerate(order)}
    item_rank = {code: i for i, code in enumerate(items["item"])}
    out["_u"] = out["unit_code"].map(rank)
    out["_g"] = out["group"].replace("", "9").astype("int64")
    out["_i"] = out["item"].map(item_rank).fillna(-1)
    out["_t"] = out["item"].isin(items["group"].tolist() + [TOTAL_ITEM])
    out = out.sort_values(["_u", "_g", "_t", "_i"], kind="stable", ignore_index=True)
    out["numerator"] = out["numerator"].astype("Int64")
    out["denominator"] = out["denominator"].astype("Int64")
    out["computable"] = out["computable"].astype(bool)
    for col in ("unit_code", "group", "item", "label", "note"):
        out[col] = out[col].astype("str")
    return out[SCORE_COLUMNS]


def points_lost(dossiers: pd.DataFrame, start, end) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where the points of 2.1 and of the digitisation and payment items are lost.

    Returns
    -------
    (summary, dossier_codes)
        ``summary`` (:data:`LOST_COLUMNS`): per deciding unit, item, field and procedure code,
        ``missed`` = denominator − numerator (dossiers that cost points); for 2.1 also split into
        ``resolved_late`` and ``pending_overdue`` (empty for the other items). ``dossier_codes``
        (:data:`LOST_DOSSIER_COLUMNS`): the dossiers behind them, codes only (no personal data),
        with the reason (``resolved_late``, ``pending_overdue``, ``not_paid_online``,
        ``no_electronic_result``, ``not_digitised``, ``no_data_reuse``).
    """
    flagged = flagged_dossiers(dossiers, start, end)
    reasons = {
        "3.6": (contrib.online_payment, "not_paid_online"),
        "4.1": (contrib.electronic_result, "no_electronic_result"),
        "4.2": (contrib.digitised_dossier, "not_digitised"),
        "4.3": (contrib.data_reuse, "no_data_reuse"),
    }
    keys = flagged[["dossier_id", "unit_code", "field", "procedure_code"]].astype("str").fillna(MISSING_KEY)
    late = flagged["resolved_late"].to_numpy(dtype=bool) & flagged["in_scope"].to_numpy(dtype=bool)
    overdue = flagged["pending_overdue"].to_numpy(dtype=bool)
    parts = [
        keys[late].assign(item="2.1", reason="resolved_late"),
        keys[overdue].assign(item="2.1", reason="pending_overdue"),
    ]
    for item, (make, reason) in reasons.items():
        c = make(flagged)
        parts.append(keys[c.denominator & ~c.numerator].assign(item=item, reason=reason))
    codes = pd.concat(parts, ignore_index=True)[LOST_DOSSIER_COLUMNS]
    codes = codes.sort_values(["item", "unit_code", "field", "procedure_code", "dossier_id"], ignore_index=True)
    summary = codes.assign(
        resolved_late=codes["reason"].eq("resolved_late").astype("int64"),
        pending_overdue=codes["reason"].eq("pending_overdue").astype("int64"),
        missed=1,
    ).groupby(["unit_code", "item", "field", "procedure_code"], sort=True)[["missed", "resolved_late", "pending_overdue"]].sum().reset_index()
    not_progress = summary["item"].ne("2.1")
    for col in ("resolved_late", "pending_overdue"):
        summary[col] = summary[col].astype("Int64").mask(not_progress)
    return summary[LOST_COLUMNS].sort_values(["item", "missed", "unit_code"], ascending=[True, False, True], ignore_index=True), codes
