"""Per-dossier outcome in a reporting period (DESIGN §7): every per-dossier rule, once.

Written once with narwhals (stable API v2): the same functions run on every engine of
:mod:`cchc_analysis.engines` and return the engine's own kind of frame (lazy where the engine is
lazy); :func:`cchc_analysis.engines.collect` turns any result into pandas.

Rules, for a period ``[start, end]`` (dates, both inclusive; timestamps are compared at day
granularity, so a dossier finished at 16:30 on its due date is on time):

* counted: status present and not 1 (not yet received) or 3 (not accepted); every flag is False
  for a dossier that is not counted;
* finished: terminal status (7, 8, 9, 10) *and* a ``finished_at``. A terminal status without
  ``finished_at`` is treated as still pending: the export did not say when it ended, and
  counting it as resolved would need a date the data does not have;
* in scope: counted, ``received_at`` present with date ≤ end, and not finished before start.
  A dossier without ``received_at`` is out of scope (cleaning quarantines such rows anyway);
* received in period / carried over: in scope and received on/after start / before start;
* received online: received in period through ``truc_tuyen``; received offline: received in
  period by any other channel *or with the channel missing* — a missing value never drops a
  dossier from a count, and the form's "trực tiếp và bưu chính" column is the complement;
* resolved: in scope, finished, date(finished_at) ≤ end. Early: a due date exists and
  date(finished_at) < date(due_at); late: date(finished_at) > date(due_at); on time otherwise
  (same day, or no due date);
* pending: in scope and not resolved; overdue when a due date exists and date(due_at) < end,
  within due otherwise (no due date counts as within due).

Engines disagree on missing values (pandas: a comparison with NaT is False; Polars/DuckDB:
null), so every comparison is guarded by an explicit ``~is_null()`` and the flags are
never null on any engine.
"""

from __future__ import annotations

import datetime as _dt

import narwhals.stable.v2 as nw
import pandas as pd

from . import engines, schema, workdays
from .errors import CchcError

__all__ = [
    "FLAG_COLUMNS", "OutcomeError", "YES_NO_FACTS", "dossier_flags", "fact_known", "fact_no", "fact_unknown",
    "fact_yes", "in_scope", "online_level_known", "pakn_flags", "with_statutory_due",
]

#: The boolean columns :func:`dossier_flags` adds, in order.
FLAG_COLUMNS = [
    "counted",
    "in_scope",
    "received_in_period",
    "received_online",
    "received_offline",
    "carried_over",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending",
    "pending_within_due",
    "pending_overdue",
]
_REQUIRED = ["status", "channel", "received_at", "due_at", "finished_at"]
_TMP = "__cchc_"  # prefix of helper columns, dropped before returning


class OutcomeError(CchcError, ValueError):
    """A dossier table or period the outcome engine cannot work with."""


def _as_date(value, name: str) -> _dt.date:
    if isinstance(value, _dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError) as exc:
        raise OutcomeError(f"period {name} must be a date, got {value!r}") from exc


def _period(start, end) -> tuple[_dt.datetime, _dt.datetime]:
    """Midnight of ``start`` and of the day after ``end``: day-granular bounds as timestamps."""
    first, last = _as_date(start, "start"), _as_date(end, "end")
    if last < first:
        raise OutcomeError(f"period end {last} is before its start {first}")
    return _dt.datetime.combine(first, _dt.time()), _dt.datetime.combine(
        last + _dt.timedelta(days=1), _dt.time()
    )


def _wrap(frame) -> tuple[nw.DataFrame | nw.LazyFrame, bool]:
    """``frame`` as a narwhals frame, and whether the caller passed a narwhals frame."""
    if isinstance(frame, (nw.DataFrame, nw.LazyFrame)):
        return frame, True
    try:
        engines.engine_of(frame)
        return nw.from_native(frame), False
    except (engines.EngineError, TypeError) as exc:
        raise OutcomeError(f"expected a dossier table of a supported engine: {exc}") from exc


def _check_columns(data, needed: list[str]) -> None:
    names = data.collect_schema().names()
    missing = [c for c in needed if c not in names]
    if missing:
        raise OutcomeError(f"dossier table lacks column(s) {missing} (see schema.DOSSIER_COLUMNS)")


# --------------------------------------------------------------------------- yes/no facts

#: The yes/no facts of a dossier. Each is yes, no or unknown: unknown (null) when the export
#: has no such column or the cell is blank. Unknown is never "no": a rate counts only the
#: dossiers whose facts are known (``indicators.definitions``).
YES_NO_FACTS = (
    "digitised_input", "digitised_result", "reused_data", "has_fee", "paid_online", "apology_issued",
)


def fact_known(name: str) -> nw.Expr:
    """True where the yes/no fact ``name`` is known (yes or no), never null on any engine."""
    return ~nw.col(name).is_null()


def fact_unknown(name: str) -> nw.Expr:
    """True where the yes/no fact ``name`` is unknown (column absent or cell blank)."""
    return nw.col(name).is_null()


def fact_yes(name: str) -> nw.Expr:
    """True where the fact ``name`` is known to be yes; False where no *or unknown*."""
    return fact_known(name) & nw.col(name).fill_null(value=False)


def fact_no(name: str) -> nw.Expr:
    """True where the fact ``name`` is known to be no; False where yes *or unknown*."""
    return fact_known(name) & ~nw.col(name).fill_null(value=True)


def online_level_known() -> nw.Expr:
    """True where the procedure's online level is known (the procedure is in the catalogue)."""
    return ~nw.col("online_level").is_null()


def _day(column: str) -> nw.Expr:
    return nw.col(column).dt.truncate("1d")


def in_scope(start, end) -> nw.Expr:
    """The ``in_scope`` flag of :func:`dossier_flags` as one never-null expression over the
    canonical columns (counted, received by the end, not finished before the start).

    Every count of a period is zero for a dossier out of scope, so a lazy engine may drop
    those rows before the costlier per-dossier work (calendar joins, flags).
    """
    period_start, after_end = _period(start, end)
    received, finished = nw.col("received_at"), nw.col("finished_at")
    return (
        _counted()
        & (~received.is_null() & (received < after_end))
        & ~(_closed() & (finished < period_start))
    )


def _counted() -> nw.Expr:
    """A dossier that counts at all: a known status, not withdrawn before processing."""
    status = nw.col("status")
    return ~status.is_null() & ~status.is_in(list(schema.NOT_COUNTED_STATUSES))


def _closed() -> nw.Expr:
    """A dossier closed for good: terminal status with a finish time."""
    status = nw.col("status")
    return ~status.is_null() & status.is_in(list(schema.TERMINAL_STATUSES)) & ~nw.col("finished_at").is_null()


def dossier_flags(frame, start, end):
    """Add the DESIGN §7 outcome flags of every dossier for the period ``[start, end]``.

    Parameters
    ----------
    frame
        Canonical dossier table (``schema.DOSSIER_COLUMNS``; at least ``status, channel,
        received_at, due_at, finished_at``) as any engine's native frame or a narwhals frame.
    start, end
        First and last day of the period (dates, datetimes or ISO text; time of day ignored).

    Returns
    -------
    Same kind as ``frame``
        Every input column plus :data:`FLAG_COLUMNS`: boolean, never null (numpy ``bool`` on
        pandas). The rules are in the module docstring.

    Raises
    ------
    OutcomeError
        If a needed column is missing, the frame is of an unknown kind, or end < start.
    """
    data, was_narwhals = _wrap(frame)
    _check_columns(data, _REQUIRED)
    period_start, after_end = _period(start, end)
    last_day = after_end - _dt.timedelta(days=1)
    channel = nw.col("channel")
    received, due, finished = nw.col("received_at"), nw.col("due_at"), nw.col("finished_at")
    has_due = ~due.is_null()

    data = data.with_columns(
        _counted().alias("counted"),
        (_closed() & (finished < after_end)).alias(f"{_TMP}by_end"),
        (~received.is_null() & (received >= period_start)).alias(f"{_TMP}rec_from_start"),
        (~channel.is_null() & (channel == "truc_tuyen")).alias(f"{_TMP}online"),
        (has_due & ~finished.is_null() & (_day("finished_at") < _day("due_at"))).alias(f"{_TMP}early"),
        (has_due & ~finished.is_null() & (_day("finished_at") > _day("due_at"))).alias(f"{_TMP}late"),
        (has_due & (_day("due_at") < last_day)).alias(f"{_TMP}overdue"),
    )
    tmp = {
        name: nw.col(f"{_TMP}{name}")
        for name in ("by_end", "rec_from_start", "online", "early", "late", "overdue")
    }
    data = data.with_columns(in_scope(start, end).alias("in_scope"))  # the scope rule, once
    scoped = nw.col("in_scope")
    data = data.with_columns(
        (scoped & tmp["rec_from_start"]).alias("received_in_period"),
        (scoped & ~tmp["rec_from_start"]).alias("carried_over"),
        (scoped & tmp["by_end"]).alias("resolved"),
    )
    data = data.with_columns(
        (nw.col("received_in_period") & tmp["online"]).alias("received_online"),
        (nw.col("received_in_period") & ~tmp["online"]).alias("received_offline"),
        (nw.col("resolved") & tmp["early"]).alias("resolved_early"),
        (nw.col("resolved") & tmp["late"]).alias("resolved_late"),
        (nw.col("resolved") & ~tmp["early"] & ~tmp["late"]).alias("resolved_on_time"),
        (scoped & ~nw.col("resolved")).alias("pending"),
    )
    data = data.with_columns(
        (nw.col("pending") & tmp["overdue"]).alias("pending_overdue"),
        (nw.col("pending") & ~tmp["overdue"]).alias("pending_within_due"),
    )
    names = [
        c for c in data.collect_schema().names() if not c.startswith(_TMP) and c not in FLAG_COLUMNS
    ]
    data = data.select(*names, *[nw.col(c).cast(nw.Boolean) for c in FLAG_COLUMNS])
    data = engines.settle_dtypes(data, dict.fromkeys(FLAG_COLUMNS, "bool"))
    return data if was_narwhals else data.to_native()


# --------------------------------------------------------------------------- PAKN


def pakn_flags(frame, start, end):
    """Add the PAKN outcome flags for the period [start, end] (dates at day granularity).

    The one place PAKN on-time is decided (``handled_on_time``), as ``dossier_flags`` is for
    dossiers. Only petitions about administrative regulations (classification ``quy_dinh_hanh_chinh``,
    "phản ánh, kiến nghị về quy định TTHC") are counted; the others get all flags false.
    Adds ``in_scope`` (received by end and not handled before start), ``received_in_period``,
    ``carried_over``, ``handled_in_period`` (start <= date(handled_at) <= end) and
    ``handled_on_time`` (date(handled_at) <= date(due_at), or no due date).

    Parameters
    ----------
    frame
        A narwhals frame (eager or lazy) with the ``schema.PAKN_COLUMNS``.
    start, end
        ``datetime.date`` bounds, inclusive.
    """
    s, e = pd.Timestamp(start).to_pydatetime(), pd.Timestamp(end).to_pydatetime()
    rd = nw.col("received_at").dt.truncate("1d")
    hd = nw.col("handled_at").dt.truncate("1d")
    dd = nw.col("due_at").dt.truncate("1d")
    counted = (nw.col("classification").fill_null("") == "quy_dinh_hanh_chinh") & ~nw.col(
        "received_at"
    ).is_null()
    handled_before = (~nw.col("handled_at").is_null()) & (hd < nw.lit(s)).fill_null(value=False)
    in_scope = counted & (rd <= nw.lit(e)).fill_null(value=False) & ~handled_before
    handled = in_scope & (~nw.col("handled_at").is_null()) & (hd <= nw.lit(e)).fill_null(
        value=False
    )
    on_time = nw.col("due_at").is_null() | (hd <= dd).fill_null(value=False)
    return frame.with_columns(
        in_scope=in_scope,
        received_in_period=in_scope & (rd >= nw.lit(s)).fill_null(value=False),
        carried_over=in_scope & (rd < nw.lit(s)).fill_null(value=False),
        handled_in_period=handled,
        handled_on_time=handled & on_time,
    )


def _calendar_lookup() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two join tables that express :func:`workdays.add_working_days` in any engine.

    ``days``: ``day`` -> ``first_from`` (index, among working days, of the first working day on
    or after ``day``) and ``is_working``; ``due``: working-day index -> end of that working day.
    """
    table = workdays.working_days_table()
    is_work = table["is_working_day"].astype("int64")
    days = pd.DataFrame(
        {
            f"{_TMP}day": table["day"],
            f"{_TMP}first_from": (table["working_days_to_date"] - is_work).astype("Int64"),
            f"{_TMP}is_work": is_work.astype("Int64"),
        }
    )
    working = table.loc[table["is_working_day"], "day"].reset_index(drop=True)
    due = pd.DataFrame(
        {
            f"{_TMP}index": pd.array(range(len(working)), dtype="Int64"),
            # End of the working day: a dossier finished any time that day meets the statute.
            "statutory_due_at": (working + pd.Timedelta(hours=23, minutes=59, seconds=59)).astype(
                schema.DATETIME
            ),
        }
    )
    return days, due


def with_statutory_due(frame, catalogue: pd.DataFrame):
    """Add the statutory due date of every dossier and whether its appointment exceeds it.

    ``statutory_due_at`` = end (23:59:59) of ``add_working_days(date(received_at),
    statutory_days)`` — 0 statutory days means the same day, or the next working day when
    received on a closed day. ``appointment_beyond_statute`` = date(due_at) >
    date(statutory_due_at): the one-stop desk promised a later date than the law allows.

    The calendar is joined as two lookup tables, so this runs natively on every engine.

    Parameters
    ----------
    frame
        Canonical dossier table of any engine (at least ``procedure_code, received_at,
        due_at``).
    catalogue
        The procedure catalogue (``refdata.load_catalogue()``), as pandas.

    Returns
    -------
    Same kind as ``frame``
        With ``statutory_due_at`` (datetime, missing when ``received_at`` is missing, the
        procedure is not in the catalogue, or the deadline falls outside the calendar span) and
        ``appointment_beyond_statute`` (bool, never null: False whenever either date is
        missing or the procedure is unknown, since nothing can be said against the statute).
        Row order is kept on pandas; the lazy engines (Polars, DuckDB) do not promise an order
        after the joins, so sort or group before comparing.
    """
    data, was_narwhals = _wrap(frame)
    _check_columns(data, ["procedure_code", "received_at", "due_at"])
    missing = [c for c in ("procedure_code", "statutory_days") if c not in catalogue.columns]
    if missing:
        raise OutcomeError(f"catalogue lacks column(s) {missing}")
    engine = engines.engine_of(data)
    statutes = pd.DataFrame(
        {
            "procedure_code": catalogue["procedure_code"].astype("str"),
            f"{_TMP}n": catalogue["statutory_days"].astype("Int64"),
        }
    ).drop_duplicates("procedure_code")
    days, due = _calendar_lookup()

    def native(table: pd.DataFrame):
        return nw.from_native(engines.to_engine(table, engine))

    n = nw.col(f"{_TMP}n")
    # add_working_days: n >= 1 -> (first working day after the day) + n - 1; n == 0 -> first
    # working day on or after it. first_after = first_from + is_work. Nulls propagate.
    # fill_null before the cast: a null boolean cannot become a numpy int64 on Dask, and a
    # null n already makes the index null through the sum below.
    step = (n >= 1).fill_null(value=False).cast(nw.Int64) * (nw.col(f"{_TMP}is_work") - 1)
    joined = (
        data.with_columns(_day("received_at").alias(f"{_TMP}day"))
        .join(native(statutes), on="procedure_code", how="left")
        .join(native(days), on=f"{_TMP}day", how="left")
        .with_columns((nw.col(f"{_TMP}first_from") + n + step).alias(f"{_TMP}index"))
        .join(native(due), on=f"{_TMP}index", how="left")
    )
    present = ~nw.col("due_at").is_null() & ~nw.col("statutory_due_at").is_null()
    joined = joined.with_columns(
        (present & (_day("due_at") > _day("statutory_due_at")))
        .cast(nw.Boolean)
        .alias("appointment_beyond_statute")
    )
    names = [c for c in joined.collect_schema().names() if not c.startswith(_TMP)]
    result = engines.settle_dtypes(joined.select(*names), {"appointment_beyond_statute": "bool"})
    return result if was_narwhals else result.to_native()
