"""Working days of Vietnamese public-service offices (DESIGN §3, "Working-day calendar").

A working day is Monday–Friday, minus public holidays and the Government's swapped days off
("nghỉ bù", "hoán đổi"), plus make-up working Saturdays ("làm bù"). The base is the `holidays`
package (``holidays.VN``: holidays, observed days, and make-up days in ``weekend_workdays``);
``data/calendar_overrides.csv`` holds what the package lags, checked against the official
schedules. Years with a ``verified`` row in that table are *verified*; other years fall back to
the package unchecked and a report must say so (:func:`unverified_years`).

The calendar is a table over a fixed span (:data:`FIRST_YEAR`–:data:`LAST_YEAR`): for every day,
whether it is a working day and the cumulative number of working days up to it. Every function
is a lookup by day ordinal, so two million dates take a few tens of milliseconds.
(``numpy.busday_*`` cannot express make-up Saturdays, hence the table.)

Accepted inputs, and what comes back (always the same kind as the input):

* scalars: ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64``,
  ISO text ``"2024-01-31"`` (returned as a ``date``); the time of day is ignored;
* ``numpy`` ``datetime64`` arrays of any unit; ``pandas.Series`` (datetime64 of any unit, or
  dates as objects; the index and name are kept); ``pandas.DatetimeIndex``; lists.

Missing values (``None``, ``NaT``) never raise: they give a missing result (``NaT`` for days,
``<NA>`` for counts and truth values; see each function for numpy arrays). Days outside the span
are treated as missing too, because a date in 1900 or 2090 in a dossier export is a typo that
cleaning reports, not a reason to stop the quarterly run.
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd

from .config import reference_path
from .errors import ConfigError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "add_working_days",
    "is_verified_year",
    "is_working_day",
    "load_overrides",
    "unverified_years",
    "verified_years",
    "working_days_between",
    "working_days_table",
]

#: First and last year of the precomputed calendar.
FIRST_YEAR = 2015
LAST_YEAR = 2040
OVERRIDES_FILE = "calendar_overrides.csv"
_OVERRIDE_KINDS = ("closed", "workday", "verified")
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class _Calendar:
    """The precomputed calendar: arrays indexed by ``ordinal - first``."""

    first: int  # day ordinal (days since 1970-01-01) of 1 January FIRST_YEAR
    is_work: np.ndarray  # bool, one per day of the span
    cum: np.ndarray  # int64: working days d with span start <= d <= day
    workdays: np.ndarray  # int64 ordinals of the working days, ascending
    verified: frozenset[int]


def load_overrides() -> pd.DataFrame:
    """The override table (``year, date, kind, note, source``), dates parsed.

    Returns
    -------
    pandas.DataFrame
        ``date`` is ``datetime64[us]`` (missing on ``verified`` rows), ``year`` is int64.

    Raises
    ------
    ConfigError
        If the file is missing, a kind is unknown, a date does not parse or lies in another
        year than its ``year``, or a ``workday`` is not a weekend day.
    """
    path = reference_path(OVERRIDES_FILE)
    try:
        table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise ConfigError(f"calendar override table not found at {path}") from exc
    missing = [c for c in ("year", "date", "kind") if c not in table.columns]
    if missing:
        raise ConfigError(f"{path.name}: missing column(s) {missing}")
    table = table.apply(lambda s: s.str.strip())
    bad_kind = ~table["kind"].isin(_OVERRIDE_KINDS)
    if bad_kind.any():
        row = int(bad_kind.to_numpy().argmax())
        raise ConfigError(
            f"{path.name}: kind '{table['kind'].iloc[row]}' is not one of {_OVERRIDE_KINDS}"
        )
    try:
        table["year"] = table["year"].astype("int64")
        table["date"] = pd.to_datetime(
            table["date"].replace("", None), format="%Y-%m-%d"
        ).astype("datetime64[us]")
    except ValueError as exc:
        raise ConfigError(f"{path.name}: years must be whole numbers, dates yyyy-mm-dd") from exc
    dated = table["kind"] != "verified"
    if table.loc[dated, "date"].isna().any():
        raise ConfigError(f"{path.name}: closed and workday rows need a date")
    if (table.loc[dated, "date"].dt.year != table.loc[dated, "year"]).any():
        raise ConfigError(f"{path.name}: a date lies outside the year of its row")
    workday = table["kind"] == "workday"
    if (table.loc[workday, "date"].dt.day_of_week < 5).any():
        raise ConfigError(f"{path.name}: a make-up working day (workday) must be a Saturday or Sunday")
    return table


def _package_working_days(days: np.ndarray, years: range) -> np.ndarray:
    """Working-day mask from ``holidays.VN`` alone (weekdays minus holidays plus make-up days)."""
    calendar = holidays.VN(years=years)
    closed = np.array(sorted(calendar.keys()), dtype="datetime64[D]")
    makeup = np.array(sorted(calendar.weekend_workdays), dtype="datetime64[D]")
    weekday = np.is_busday(days)  # Monday–Friday only: no holidays passed on purpose
    return (weekday & ~np.isin(days, closed)) | np.isin(days, makeup)


@functools.cache
def _calendar() -> _Calendar:
    days = np.arange(
        np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01"), dtype="datetime64[D]"
    )
    is_work = _package_working_days(days, range(FIRST_YEAR, LAST_YEAR + 1))
    overrides = load_overrides()
    dated = overrides.dropna(subset=["date"])
    position = (dated["date"].to_numpy().astype("datetime64[D]") - days[0]).astype("int64")
    inside = (position >= 0) & (position < len(days))
    is_work[position[inside]] = (dated["kind"].to_numpy() == "workday")[inside]
    ordinals = (days - _EPOCH).astype("int64")
    return _Calendar(
        first=int(ordinals[0]),
        is_work=is_work,
        cum=np.cumsum(is_work, dtype="int64"),
        workdays=ordinals[is_work],
        verified=frozenset(int(y) for y in overrides["year"]),
    )


def working_days_table(start=None, end=None) -> pd.DataFrame:
    """The calendar as a table, one row per day (for joins in dataframe engines and for display).

    Parameters
    ----------
    start, end
        Inclusive day range; default the whole span :data:`FIRST_YEAR`–:data:`LAST_YEAR`.

    Returns
    -------
    pandas.DataFrame
        ``day`` (datetime64[us], midnight), ``is_working_day`` (bool), ``working_days_to_date``
        (int64: working days from the span start up to and including ``day``).
    """
    cal = _calendar()
    last = len(cal.is_work) - 1
    lo = 0 if start is None else _span_position(start)
    hi = last if end is None else _span_position(end)
    lo, hi = max(lo, 0), min(hi, last)
    ordinals = np.arange(cal.first + lo, cal.first + hi + 1, dtype="int64")
    return pd.DataFrame(
        {
            "day": (ordinals.astype("datetime64[D]")).astype("datetime64[us]"),
            "is_working_day": cal.is_work[lo : hi + 1],
            "working_days_to_date": cal.cum[lo : hi + 1],
        }
    )


def _span_position(day) -> int:
    """Position of a scalar day in the calendar table (may lie outside it)."""
    return int(np.datetime64(pd.Timestamp(day), "D").astype("int64")) - _calendar().first


def verified_years() -> frozenset[int]:
    """Years checked against the official schedules (those with a row in the override table)."""
    return _calendar().verified


def is_verified_year(year: int) -> bool:
    """Whether ``year``'s calendar was checked against the official schedule.

    Outside the verified years the calendar is the `holidays` package's, which may lag late
    announcements (swapped days off decided weeks before the holiday); a report must say so.
    """
    return int(year) in _calendar().verified


def unverified_years(start, end) -> list[int]:
    """The years between ``start`` and ``end`` (inclusive, any order) that are not verified.

    Parameters
    ----------
    start, end
        Days (any scalar kind accepted by this module) or years as ``int``.

    Returns
    -------
    list of int
        Ascending; empty when every year touched is verified.
    """
    first, last = sorted((_year_of(start), _year_of(end)))
    return [y for y in range(first, last + 1) if not is_verified_year(y)]


def _year_of(value) -> int:
    if isinstance(value, (int, np.integer)):
        return int(value)
    return pd.Timestamp(value).year


# ---------------------------------------------------------------------------------------------
# Input and output conversion: every public function maps "any kind" -> day ordinals -> same kind.


@dataclass(frozen=True)
class _Kind:
    """How to give a result back in the caller's kind."""

    kind: str  # scalar-date, scalar-datetime, scalar-timestamp, scalar-datetime64, array, series, index, list
    dtype: object = None
    index: object = None
    name: object = None


def _as_days(value) -> tuple[np.ndarray, _Kind]:
    """``value`` as a 1-d ``datetime64[D]`` array (NaT for missing) and its kind."""
    if isinstance(value, pd.Series):
        values = value
        if not pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = pd.to_datetime(values, errors="coerce")
        if getattr(values.dtype, "tz", None) is not None:
            values = values.dt.tz_localize(None)  # wall-clock (local) day, as every export is
        days = values.to_numpy().astype("datetime64[D]")
        return days, _Kind("series", values.dtype, value.index, value.name)
    if isinstance(value, pd.DatetimeIndex):
        plain = value.tz_localize(None) if value.tz is not None else value
        return plain.to_numpy().astype("datetime64[D]"), _Kind("index", plain.dtype, name=value.name)
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "M":
            value = pd.to_datetime(value.ravel(), errors="coerce").to_numpy()
        return value.astype("datetime64[D]").ravel(), _Kind("array", value.dtype)
    if isinstance(value, (list, tuple)):
        days = pd.to_datetime(pd.Series(list(value), dtype=object), errors="coerce").to_numpy()
        return days.astype("datetime64[D]"), _Kind("list")
    return _scalar_days(value)


def _scalar_days(value) -> tuple[np.ndarray, _Kind]:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return np.array(["NaT"], dtype="datetime64[D]"), _Kind("scalar-missing")
    if isinstance(value, pd.Timestamp):
        kind = _Kind("scalar-timestamp", value.unit, name=value.tz)
        value = value.tz_localize(None) if value.tz is not None else value
        return np.array([value.to_datetime64()]).astype("datetime64[D]"), kind
    if isinstance(value, _dt.datetime):
        return np.array([np.datetime64(value.replace(tzinfo=None), "D")]), _Kind("scalar-datetime")
    if isinstance(value, _dt.date):
        return np.array([np.datetime64(value, "D")]), _Kind("scalar-date")
    if isinstance(value, np.datetime64):
        return np.array([value.astype("datetime64[D]")]), _Kind("scalar-datetime64", value.dtype)
    if isinstance(value, str):
        parsed = pd.to_datetime(value, errors="coerce")
        if pd.isna(parsed):
            return np.array(["NaT"], dtype="datetime64[D]"), _Kind("scalar-date")
        return np.array([np.datetime64(parsed.date(), "D")]), _Kind("scalar-date")
    raise TypeError(f"expected a date, datetime, Timestamp, datetime64, text or array, got {type(value).__name__}")


def _ordinals(days: np.ndarray) -> np.ndarray:
    """Positions in the calendar table; -1 for missing days and days outside the span."""
    cal = _calendar()
    raw = days.astype("int64") - cal.first  # NaT becomes a huge negative number
    outside = np.isnat(days) | (raw < 0) | (raw >= len(cal.is_work))
    return np.where(outside, -1, raw)


def _days_out(ordinals: np.ndarray, valid: np.ndarray, kind: _Kind):
    """Day ordinals (valid where ``valid``) back to the caller's kind, at midnight."""
    days = np.where(valid, ordinals, 0).astype("datetime64[D]")
    days[~valid] = np.datetime64("NaT")
    if kind.kind == "series":
        return pd.Series(days.astype(kind.dtype), index=kind.index, name=kind.name)
    if kind.kind == "index":
        return pd.DatetimeIndex(days.astype(kind.dtype), name=kind.name)
    if kind.kind == "array":
        return days.astype(kind.dtype)
    if kind.kind == "list":
        return [None if np.isnat(d) else d.item() for d in days]
    day = days[0]
    if np.isnat(day) or kind.kind == "scalar-missing":
        return pd.NaT
    if kind.kind == "scalar-timestamp":
        return pd.Timestamp(day).as_unit(kind.dtype).tz_localize(kind.name)
    if kind.kind == "scalar-datetime":
        return _dt.datetime.combine(day.item(), _dt.time())
    if kind.kind == "scalar-datetime64":
        return day.astype(kind.dtype)
    return day.item()


def _values_out(values: np.ndarray, valid: np.ndarray, kind: _Kind, nullable: str):
    """Counts or truth values back to the caller's kind; missing as ``<NA>`` (pandas nullable)."""
    if kind.kind in ("series", "index"):
        out = pd.array(values, dtype=nullable)
        out[~valid] = pd.NA
        if kind.kind == "index":
            return pd.Index(out, name=kind.name)
        return pd.Series(out, index=kind.index, name=kind.name)
    if kind.kind == "array":
        return values, valid
    if kind.kind == "list":
        return [v.item() if ok else None for v, ok in zip(values, valid, strict=True)]
    return values[0].item() if valid[0] else pd.NA


# ---------------------------------------------------------------------------------------------


def is_working_day(day):
    """Whether offices are open on ``day``.

    Parameters
    ----------
    day
        A scalar day or an array-like of days (see the module docstring).

    Returns
    -------
    bool, numpy bool array, or pandas ``boolean`` Series
        Missing days give ``<NA>`` (scalar or Series) and ``False`` in a numpy array (numpy has
        no missing truth value).
    """
    days, kind = _as_days(day)
    position = _ordinals(days)
    valid = position >= 0
    values = np.where(valid, _calendar().is_work[np.maximum(position, 0)], False)
    out = _values_out(values, valid, kind, "boolean")
    return out[0] if kind.kind == "array" else out


def add_working_days(start, n):
    """The day ``n`` working days after ``start`` (a deadline counted in working days).

    Parameters
    ----------
    start
        The day counting starts from (time of day ignored): scalar or array-like.
    n
        Integer or integer array broadcastable to ``start``. ``n >= 1``: the n-th working day
        strictly after ``start`` (a dossier received on Friday with 1 working day is due on
        Monday). ``n == 0``: ``start`` itself if it is a working day, else the next working day
        (a same-day procedure received on a Saturday is due the next working day). ``n < 0``:
        the ``|n|``-th working day strictly before ``start``.

    Returns
    -------
    Same kind as ``start``, at midnight
        ``date`` for a date, ``datetime``/``Timestamp``/``datetime64`` for those, an array or
        Series of the input dtype (Series keep their index). Missing ``start`` or ``n``, or a
        result outside the calendar span, gives ``NaT``.
    """
    days, kind = _as_days(start)
    cal = _calendar()
    position = _ordinals(days)
    steps = np.asarray(n.to_numpy(dtype="float64", na_value=np.nan) if isinstance(n, pd.Series) else n)
    known = ~np.isnan(steps) if steps.dtype.kind == "f" else np.ones(steps.shape, dtype=bool)
    steps = np.where(known, steps, 0).astype("int64")
    safe = np.maximum(position, 0)
    after = cal.cum[safe]  # index into cal.workdays of the first working day > day
    from_day = after - cal.is_work[safe]  # index of the first working day >= day
    index = np.where(steps >= 1, after + steps - 1, from_day + steps)
    valid = (position >= 0) & known & (index >= 0) & (index < len(cal.workdays))
    ordinals = cal.workdays[np.clip(index, 0, len(cal.workdays) - 1)]
    return _days_out(ordinals, np.broadcast_to(valid, ordinals.shape), kind)


def working_days_between(start, end):
    """Number of working days ``d`` with ``start < d <= end`` (processing time in working days).

    A dossier received and finished on the same day took 0 working days; received Friday,
    finished Monday: 1. When ``end`` is before ``start`` the count is negative (minus the
    working days in ``end < d <= start``).

    Parameters
    ----------
    start, end
        Scalars or array-likes of the same length (time of day ignored); the kind of ``start``
        decides the kind of the result.

    Returns
    -------
    int, numpy array, or pandas ``Int64`` Series
        Missing days give ``<NA>``; for numpy arrays the result is ``float64`` with ``NaN`` for
        missing (numpy has no missing integer).
    """
    start_days, kind = _as_days(start)
    end_days, _ = _as_days(end)
    cal = _calendar()
    lo, hi = _ordinals(start_days), _ordinals(end_days)
    counts = cal.cum[np.maximum(hi, 0)] - cal.cum[np.maximum(lo, 0)]
    valid = (lo >= 0) & (hi >= 0)
    out = _values_out(counts, np.broadcast_to(valid, counts.shape), kind, "Int64")
    if kind.kind == "array":
        values, ok = out
        return np.where(ok, values, np.nan) if not ok.all() else values.astype("float64")
    return out
