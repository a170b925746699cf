"""The watch list: dossiers that can still cost index points before the period ends.

As of a day A in the period ``[start, end]`` (dates, day granularity):

* listed: counted (status present and not 1 or 3), received on or before A, not finished on
  or before A (finished = terminal status 7–10 *with* a ``finished_at`` on or before A: a
  terminal status without a finish time counts as not finished), with a due date on or before
  the period's end;
* ``state``: ``overdue`` when date(due_at) < A (already lost for 2.1), else ``due_soon``;
* ``working_days_left``: working days d with A < d <= date(due_at) (``workdays``), negative
  for overdue dossiers (0: due on A itself).

An as-of day outside the period gives an empty list with a note (choice: not an error, so a
report of a past period built from data that runs later still builds): before the start
nothing of the period can be known, after the end nothing can be saved. The default as-of day
is the last day present in the data (latest received or finished day).

What-if (:func:`what_if`): the period's 2.1 ratio (on_time_rate_766) and points on the
dossiers known at A, if every due-soon dossier is finished on its due day, and if none is
finished before the end. Dossiers received after A are unknown at A and not counted.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .. import fmt, outcome, refdata, schema, workdays
from .groups import centre_codes, membership
from .items import item_points, load_items

WATCH_COLUMNS = ["dossier_id", "unit_code", "level", "reception_code", "field", "procedure_code",
                 "received_at", "due_at", "state", "working_days_left"]
WHAT_IF_COLUMNS = ["unit_code", "denominator", "due_soon", "overdue", "numerator_if_none", "rate_if_none",
                   "points_if_none", "numerator_if_all", "rate_if_all", "points_if_all", "target",
                   "needed_on_time", "reachable", "message"]
FINISH_BY_COLUMNS = ["unit_code", "due_day", "dossiers", "cumulative"]


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def default_as_of(dossiers: pd.DataFrame) -> _dt.date | None:
    """The last day present in the data: the latest received or finished day (None if empty)."""
    days = pd.concat([dossiers["received_at"], dossiers["finished_at"]]).dropna()
    return None if days.empty else days.max().date()


def as_of_note(as_of, start, end) -> str:
    """Why the watch list of ``as_of`` is empty by construction, or "" when A is in the period."""
    a, s, e = _day(as_of), _day(start), _day(end)
    if a < s:
        return f"Ngày xét {fmt.date_short(a)} trước khi kỳ bắt đầu ({fmt.date_short(s)}): chưa có gì để theo dõi."
    if a > e:
        return f"Ngày xét {fmt.date_short(a)} sau khi kỳ kết thúc ({fmt.date_short(e)}): không còn hồ sơ nào có thể cứu."
    return ""


def finished_by(dossiers: pd.DataFrame, as_of) -> pd.Series:
    """Whether each dossier is finished on or before ``as_of`` (terminal status and a finish
    time whose day is <= A), as a numpy-bool Series."""
    terminal = dossiers["status"].isin(schema.TERMINAL_STATUSES).fillna(False)
    done = (dossiers["finished_at"].dt.normalize() <= _day(as_of)).fillna(False)
    return (terminal & done).astype(bool)


def watchlist(dossiers: pd.DataFrame, as_of, period_end, *, period_start) -> pd.DataFrame:
    """The dossiers to watch as of ``as_of`` (rules in the module docstring).

    Parameters
    ----------
    dossiers
        Canonical dossier table (pandas); no personal data is read or added.
    as_of
        The day A (date or ISO text); None: :func:`default_as_of`.
    period_end, period_start
        The period's last and first day.

    Returns
    -------
    pandas.DataFrame
        :data:`WATCH_COLUMNS`, overdue first, then by due date, unit and dossier code;
        ``attrs["as_of"]`` holds A and ``attrs["note"]`` the reason when A is outside the
        period (the frame is then empty).
    """
    as_of = default_as_of(dossiers) if as_of is None else as_of
    empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in {
        **{c: "str" for c in WATCH_COLUMNS}, "received_at": schema.DATETIME, "due_at": schema.DATETIME,
        "working_days_left": "Int64"}.items()})[WATCH_COLUMNS]
    if as_of is None:
        empty.attrs.update(as_of=None, note="Không có hồ sơ nào trong dữ liệu.")
        return empty
    note = as_of_note(as_of, period_start, period_end)
    if note:
        empty.attrs.update(as_of=_day(as_of).date(), note=note)
        return empty
    a, e = _day(as_of), _day(period_end)
    status = dossiers["status"]
    counted = status.notna() & ~status.isin(schema.NOT_COUNTED_STATUSES).fillna(True)
    due = dossiers["due_at"].dt.normalize()
    keep = (counted & (dossiers["received_at"].dt.normalize() <= a).fillna(False)
            & ~finished_by(dossiers, a) & (due <= e).fillna(False))
    out = dossiers.loc[keep, [c for c in WATCH_COLUMNS if c in dossiers]].copy()
    out["state"] = np.where(out["due_at"].dt.normalize() < a, "overdue", "due_soon")
    out["state"] = out["state"].astype("str")
    out["working_days_left"] = workdays.working_days_between(
        pd.Series(a, index=out.index).astype(schema.DATETIME), out["due_at"]).astype("Int64")
    out = out.sort_values(["state", "due_at", "unit_code", "dossier_id"], ascending=[False, True, True, True],
                          ignore_index=True)[WATCH_COLUMNS]
    out.attrs.update(as_of=a.date(), note="")
    return out


def view_at(dossiers: pd.DataFrame, as_of) -> pd.DataFrame:
    """The dossier table as it was known on ``as_of``: received on or before A, and a finish
    after A not yet happened (finish time removed, so the outcome rules see it pending)."""
    a = _day(as_of)
    known = dossiers[(dossiers["received_at"].dt.normalize() <= a).fillna(False)].reset_index(drop=True)
    later = (known["finished_at"].dt.normalize() > a).fillna(False)
    known["finished_at"] = known["finished_at"].mask(later)
    return known


def _progress(view: pd.DataFrame, start, end) -> tuple[np.ndarray, np.ndarray]:
    flags = outcome.dossier_flags(view, start, end)
    num = (flags["resolved_early"] | flags["resolved_on_time"] | flags["pending_within_due"]) & flags["in_scope"]
    return num.to_numpy(dtype="int64"), flags["in_scope"].to_numpy(dtype="int64")


def what_if(dossiers: pd.DataFrame, as_of, period_start, period_end, *, target: float | None = None,
            reception_points: pd.DataFrame | None = None) -> pd.DataFrame:
    """2.1 ratio and points per reporting group if every due-soon dossier is finished on its
    due day (``_if_all``), and if none is finished before the end (``_if_none``).

    ``needed_on_time`` = ceil(target × denominator / 100 − numerator_if_none), at least 0: how
    many due-soon dossiers must still be finished on time to reach the target; ``reachable`` =
    needed <= the dossiers that can still be saved (numerator_if_all − numerator_if_none).
    Target: ``refdata.load_targets()["on_time_rate"]`` (98%) unless given. Empty when A is
    outside the period.

    Returns
    -------
    pandas.DataFrame
        :data:`WHAT_IF_COLUMNS`; rates in percent, points of item 2.1 (max 20).
    """
    target = refdata.load_targets()["on_time_rate"] if target is None else float(target)
    if as_of_note(as_of, period_start, period_end):
        return pd.DataFrame(columns=WHAT_IF_COLUMNS)
    view = view_at(dossiers, as_of)
    watch = watchlist(view, as_of, period_end, period_start=period_start)
    soon = view["dossier_id"].isin(watch.loc[watch["state"] == "due_soon", "dossier_id"]).to_numpy()
    late = view["dossier_id"].isin(watch.loc[watch["state"] == "overdue", "dossier_id"]).to_numpy()
    none_num, den = _progress(view, period_start, period_end)
    saved = view.copy()
    saved.loc[soon, "finished_at"] = saved.loc[soon, "due_at"]
    saved.loc[soon, "status"] = 10
    all_num, _ = _progress(saved, period_start, period_end)
    rows, labels = membership(view, centre_codes(reception_points))
    sums = pd.DataFrame({
        "unit_code": labels, "denominator": den[rows], "due_soon": soon[rows].astype("int64"),
        "overdue": late[rows].astype("int64"), "numerator_if_none": none_num[rows], "numerator_if_all": all_num[rows],
    }).groupby("unit_code", sort=True).sum().reset_index()
    rule = load_items().set_index("item").loc["2.1"]
    den_ok = sums["denominator"].where(sums["denominator"] > 0)
    for case in ("none", "all"):
        sums[f"rate_if_{case}"] = 100.0 * sums[f"numerator_if_{case}"] / den_ok
        sums[f"points_if_{case}"] = item_points(sums[f"rate_if_{case}"], rule["max_points"], rule["weight"], rule["full_at"])
    sums["target"] = target
    gap = np.ceil((target * sums["denominator"] - 100.0 * sums["numerator_if_none"]) / 100.0 - 1e-9)
    sums["needed_on_time"] = np.maximum(gap, 0).astype("int64")
    sums["reachable"] = sums["needed_on_time"] <= sums["numerator_if_all"] - sums["numerator_if_none"]
    message = pd.Series("", index=sums.index, dtype="str")
    need = sums["needed_on_time"] > 0
    message[need] = ("Cần thêm " + sums.loc[need, "needed_on_time"].astype("str") + " hồ sơ đúng hạn để đạt chỉ tiêu "
                     + f"{target:g}".replace(".", ",") + "%")
    message[need & ~sums["reachable"]] += " (không thể đạt: chỉ còn " + (
        sums["numerator_if_all"] - sums["numerator_if_none"])[need & ~sums["reachable"]].astype("str") + " hồ sơ có thể cứu)"
    sums["message"] = message
    return sums[WHAT_IF_COLUMNS]


def finish_by(watch: pd.DataFrame) -> pd.DataFrame:
    """Per unit, how many due-soon dossiers must be finished by which day.

    Returns
    -------
    pandas.DataFrame
        :data:`FINISH_BY_COLUMNS`: ``dossiers`` due on ``due_day``; ``cumulative`` = due on or
        before that day (the unit's running total).
    """
    soon = watch[watch["state"] == "due_soon"].assign(due_day=lambda f: f["due_at"].dt.normalize())
    out = soon.groupby(["unit_code", "due_day"], sort=True).size().rename("dossiers").reset_index()
    out["cumulative"] = out.groupby("unit_code")["dossiers"].cumsum()
    return out[FINISH_BY_COLUMNS]
