"""Explore helpers of the notebooks (``explore.ipynb``): dossier filters, the late-dossier list,
breakdowns and quarter comparisons (split from :mod:`cchc_analysis.notebook_display`).

Every breakdown is for one chosen period (issue 13): :func:`period_dossiers` keeps the dossiers
of form 06's scope for that period (received in it, or carried over from before it and still
pending at its start), and :func:`period_caption` names the period in every table title.

The dossier lists show only the dossier id, the procedure, the field, the unit, the channel and
the dates: no personal data.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from . import fmt
from .labels import CHANNEL_LABELS, INDICATOR_LABELS
from .notebook_display import ALL, DOSSIER_LIST_LABELS, _date, _indicator_value, _int, unit_label


def filter_dossiers(
    dossiers: pd.DataFrame,
    unit: str | Iterable[str] | None = None,
    field: str | Iterable[str] | None = None,
    procedure: str | Iterable[str] | None = None,
    channel: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Dossiers of the given unit(s), field(s), procedure code(s) and channel(s).

    ``None`` keeps everything; a string or a list of strings keeps those values. A procedure
    may be given by code (``1.004873``) or by a part of its name (case-insensitive).
    """
    mask = pd.Series(True, index=dossiers.index)

    def _values(v):
        return [v] if isinstance(v, str) else list(v)

    if unit is not None:
        mask &= dossiers["unit_code"].isin(_values(unit))
    if field is not None:
        mask &= dossiers["field"].isin(_values(field))
    if channel is not None:
        mask &= dossiers["channel"].isin(_values(channel))
    if procedure is not None:
        wanted = _values(procedure)
        by_code = dossiers["procedure_code"].isin(wanted)
        names = dossiers["procedure_name"].fillna("").str.lower()
        by_name = pd.Series(False, index=dossiers.index)
        for w in wanted:
            by_name |= names.str.contains(w.lower(), regex=False)
        mask &= by_code | by_name
    return dossiers[mask]


def late_dossiers(dossiers: pd.DataFrame, quarter: str, period: str = "calendar") -> pd.DataFrame:
    """Dossiers resolved late in the quarter and dossiers overdue at its end (DESIGN §7).

    Returns
    -------
    pandas.DataFrame
        Dossier id, procedure code and name, field, unit, channel, dates (dd/mm/yyyy) and
        "Tình trạng" ("Đã giải quyết quá hạn" / "Đang giải quyết, quá hạn"); sorted by unit,
        then received date. No personal data.
    """
    from . import outcome
    from .periods import Quarter

    start, end = Quarter.parse(quarter).bounds(period)
    flags = outcome.dossier_flags(dossiers, start, end)
    late = flags[flags["resolved_late"] | flags["pending_overdue"]].copy()
    late = late.sort_values(["unit_code", "received_at", "dossier_id"])
    return pd.DataFrame({
        DOSSIER_LIST_LABELS["dossier_id"]: late["dossier_id"].to_numpy(),
        DOSSIER_LIST_LABELS["procedure_code"]: late["procedure_code"].to_numpy(),
        DOSSIER_LIST_LABELS["procedure_name"]: late["procedure_name"].to_numpy(),
        DOSSIER_LIST_LABELS["field"]: late["field"].to_numpy(),
        DOSSIER_LIST_LABELS["unit"]: late["unit_code"].map(unit_label).to_numpy(),
        DOSSIER_LIST_LABELS["channel"]: late["channel"].map(lambda c: CHANNEL_LABELS.get(c, fmt.MISSING)).to_numpy(),
        DOSSIER_LIST_LABELS["received"]: late["received_at"].map(_date).to_numpy(),
        DOSSIER_LIST_LABELS["due"]: late["due_at"].map(_date).to_numpy(),
        DOSSIER_LIST_LABELS["finished"]: late["finished_at"].where(late["resolved_late"]).map(_date).to_numpy(),
        DOSSIER_LIST_LABELS["situation"]: late["resolved_late"].map(
            {True: "Đã giải quyết quá hạn", False: "Đang giải quyết, quá hạn"}
        ).to_numpy(),
    }, index=pd.RangeIndex(1, len(late) + 1, name="STT"))


def period_caption(quarter: str, period: str = "calendar") -> str:
    """The period as shown in table titles: "Quý I/2024 (01/01/2024 – 31/03/2024)"."""
    from .periods import Period

    chosen = Period.parse(quarter)
    start, end = chosen.bounds(period)
    return f"{chosen.label_vi()} ({fmt.date_short(start)} – {fmt.date_short(end)})"


def period_dossiers(dossiers: pd.DataFrame, quarter: str, period: str = "calendar") -> pd.DataFrame:
    """The dossiers of the period's form 06 scope (``outcome`` flag ``in_scope``: received in
    the period, or received before it and still pending at its start), with the outcome flags."""
    from . import outcome
    from .periods import Period

    start, end = Period.parse(quarter).bounds(period)
    flags = outcome.dossier_flags(dossiers, start, end)
    return flags[flags["in_scope"]]


#: Outcome groups of the explore chart, in stacking order (label, flag columns).
OUTCOME_GROUPS = (
    ("Đúng hạn, trước hạn", ("resolved_early", "resolved_on_time")),
    ("Quá hạn", ("resolved_late",)),
    ("Đang giải quyết, trong hạn", ("pending_within_due",)),
    ("Đang giải quyết, quá hạn", ("pending_overdue",)),
)


def outcome_by_field(in_period: pd.DataFrame) -> pd.DataFrame:
    """Dossiers of :func:`period_dossiers` per field and outcome group (:data:`OUTCOME_GROUPS`).

    Returns
    -------
    pandas.DataFrame
        One row per field (missing field: "—"), one integer column per group, sorted by the
        field's total, largest first. Dossiers with no outcome yet known (no due date, not
        resolved) are in no group.
    """
    fields = in_period["field"].fillna(fmt.MISSING)
    columns = {}
    for label, flags in OUTCOME_GROUPS:
        columns[label] = in_period[list(flags)].any(axis=1).astype("int64")
    table = pd.DataFrame(columns).groupby(fields.to_numpy()).sum()
    table.index.name = "Lĩnh vực"
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    return table.loc[order]


def watch_table(dossiers: pd.DataFrame, quarter: str, period: str = "calendar") -> pd.DataFrame:
    """The watch list (:func:`cchc_analysis.score.watchlist.watchlist`) of the period, labelled.

    The as-of day is the last day in the data, or the period's last day for a past period (the
    list as it stood then). ``attrs["as_of"]`` holds that day.

    Returns
    -------
    pandas.DataFrame
        Dossier id, procedure code, field, unit, received and due dates (dd/mm/yyyy), the
        situation ("Đã quá hạn" / "Sắp đến hạn") and the working days left (negative: overdue).
    """
    from .periods import Period
    from .score.watchlist import default_as_of, watchlist

    start, end = Period.parse(quarter).bounds(period)
    last = default_as_of(dossiers)
    as_of = end if last is None or last > end else last
    watch = watchlist(dossiers, as_of, end, period_start=start)
    frame = pd.DataFrame({
        DOSSIER_LIST_LABELS["dossier_id"]: watch["dossier_id"].to_numpy(),
        DOSSIER_LIST_LABELS["procedure_code"]: watch["procedure_code"].to_numpy(),
        DOSSIER_LIST_LABELS["field"]: watch["field"].to_numpy(),
        DOSSIER_LIST_LABELS["unit"]: watch["unit_code"].map(unit_label).to_numpy(),
        DOSSIER_LIST_LABELS["received"]: watch["received_at"].map(_date).to_numpy(),
        DOSSIER_LIST_LABELS["due"]: watch["due_at"].map(_date).to_numpy(),
        DOSSIER_LIST_LABELS["situation"]: watch["state"].map(
            {"overdue": "Đã quá hạn", "due_soon": "Sắp đến hạn"}).to_numpy(),
        "Số ngày làm việc còn lại": watch["working_days_left"].to_numpy(),
    }, index=pd.RangeIndex(1, len(watch) + 1, name="STT"))
    frame.attrs["as_of"] = watch.attrs.get("as_of")
    return frame


def dossier_breakdown(dossiers: pd.DataFrame, by: str = "field") -> pd.DataFrame:
    """Number of dossiers by ``field``, ``unit_code``, ``channel`` or ``procedure_name``."""
    labels = {"field": "Lĩnh vực", "unit_code": "Đơn vị", "channel": "Kênh nộp", "procedure_name": "Thủ tục"}
    counts = dossiers[by].value_counts(dropna=False)
    keys = counts.index.to_series().fillna(fmt.MISSING)
    if by == "unit_code":
        keys = keys.map(unit_label)
    elif by == "channel":
        keys = keys.map(lambda c: CHANNEL_LABELS.get(c, c))
    frame = pd.DataFrame({labels.get(by, by): keys.to_numpy(), "n": counts.to_numpy()})
    frame = frame.sort_values(["n", labels.get(by, by)], ascending=[False, True])
    frame["Số hồ sơ"] = frame.pop("n").map(_int)
    return frame.set_index(labels.get(by, by))


def compare_quarters(
    history: pd.DataFrame,
    indicators: Iterable[str] = ("on_time_rate", "online_rate", "digitised_input_rate"),
    unit_code: str = ALL,
) -> pd.DataFrame:
    """The given indicators of one unit over the quarters of ``history`` (one column per quarter).

    Quarters without data are absent (history omits them), never shown as 0.
    """
    from .periods import Quarter

    indicators = list(indicators)
    rows = history[
        (history["unit_code"] == unit_code)
        & (history["field"] == ALL)
        & (history["indicator"].isin(indicators))
    ]
    quarters = sorted(rows["quarter"].unique(), key=Quarter.parse)
    table = {}
    for q in quarters:
        sub = rows[rows["quarter"] == q].set_index("indicator")["value"]
        table[Quarter.parse(q).short_label_vi()] = [
            _indicator_value(i, sub.get(i)) if i in sub.index else fmt.MISSING for i in indicators
        ]
    frame = pd.DataFrame(table, index=[INDICATOR_LABELS.get(i, i) for i in indicators])
    frame.index.name = "Chỉ số"
    return frame
