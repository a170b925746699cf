"""Build, write and read the tables of one reporting quarter (form 06, indicators, quality,
history, ranking, below-target list).

The heavy step, per-dossier outcome flags and one group-by, runs on the chosen engine through
narwhals (:mod:`.core`, :mod:`cchc_analysis.outcome`); it yields integer counts at the finest
grain (unit × level × reception point × field). Everything after that (roll-ups to ALL, level,
reception centre, unit and field, ratios, comparisons) is exact integer arithmetic on small
pandas frames, so every engine gives the same files byte for byte.

Choices where DESIGN is silent (what an analyst preparing the sơ kết quý expects):

* Rows: ``ALL``, every level and unit that exists during the period and every reception centre
  valid during the period appear with field ``ALL`` even when they had no dossiers (zeros,
  indicators empty); field rows appear only where dossiers exist.
* Field rows are given for ALL, each level, hcc-huong-thuy and each unit (the form-06 sheet
  groups by level then field). PAKN and e-document indicators have no field: rows for ALL, each
  level and each unit only. ``one_stop_rate`` comes from the catalogue: ALL and each level of
  the catalogue, × ALL and each field; it has no history (the catalogue has no dates), so its
  comparisons are empty.
* Comparisons use the same period convention. For a unit created by the 2025 reorganisation the
  earlier figures are the crosswalk sum of its former units (numerators and denominators summed,
  then divided); a unit's own earlier figures, if any, are added. A quarter with no data gives
  empty comparisons, not zeros.
* E-document counts are monthly: the quarter's three calendar months are used under both
  conventions (a month cannot be split at the 15th).
* ``history.csv`` keeps units as they were (no crosswalk) and only groups with data.
* Ranking: units only, on ``on_time_rate`` (field ALL), best first; equal rates share a rank
  (đồng hạng) and are listed by more resolved dossiers first; units with nothing resolved are
  not ranked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field
from datetime import date
from pathlib import Path

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import engines, outcome, refdata, schema, workdays
from ..errors import ConfigError, InputError
from ..io import atomic_directory
from ..periods import Quarter, quarters_ending
from . import core

#: Finest grain of the engine group-by.
FINE_KEYS = ["unit_code", "level", "reception_code", "field"]
#: The value of a missing group key (named, so that no engine drops the group).
MISSING_KEY = "(không rõ)"
#: Canonical columns a period's counts read (group keys, outcome, indicator facts, the
#: catalogue look-up of the statutory due date); the others are never read for counting.
COUNT_COLUMNS = (
    *FINE_KEYS, "procedure_code", "channel", "online_level", "received_at", "due_at",
    "finished_at", "status", "digitised_input", "digitised_result", "reused_data", "has_fee",
    "paid_online", "apology_issued", "in_catalogue",
)
ALL = "ALL"
LEVEL_ORDER = ("tinh", "huyen", "xa")
HISTORY_QUARTERS = 8
INDICATOR_ORDER = [
    *core.DOSSIER_INDICATORS,
    *core.PAKN_INDICATORS,
    *core.EDOC_INDICATORS,
    "one_stop_rate",
]
INDICATOR_COLUMNS = [
    "unit_code",
    "field",
    "indicator",
    "numerator",
    "denominator",
    "value",
    "previous_quarter",
    "same_quarter_last_year",
    "change_pp",
    "target",
    "meets_target",
]
FORM06_CSV_COLUMNS = ["unit_code", "field", *schema.FORM06_COLUMNS]
QUALITY_COLUMNS = ["check", "unit_code", "count", "note"]
HISTORY_COLUMNS = ["quarter", "unit_code", "field", "indicator", "numerator", "denominator", "value"]
RANKING_COLUMNS = [
    "rank",
    "unit_code",
    "unit_name",
    "level",
    "resolved_total",
    "resolved_on_time_or_early",
    "on_time_rate",
]
BELOW_TARGET_COLUMNS = ["unit_code", "field", "indicator", "value", "target"]
META_FILE = "indicators_meta.json"
DECIMALS = 4


@dataclass
class QuarterTables:
    """Everything ``cchc indicators`` computes for one quarter (pandas frames)."""

    quarter: Quarter
    period: str
    start: date
    end: date
    form06: pd.DataFrame
    indicators: pd.DataFrame
    quality: pd.DataFrame
    history: pd.DataFrame
    ranking: pd.DataFrame
    below_target: pd.DataFrame
    synthetic: bool = False
    notes: list[str] = dc_field(default_factory=list)


# --------------------------------------------------------------------------- preparation


def _prepare_dossiers(dossiers: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Add the per-dossier columns that need pandas-only helpers (calendar, catalogue)."""
    notes: list[str] = []
    frame = dossiers.copy(deep=False)  # (copy-on-write: the caller's table is never modified)
    for col in ("unit_code", "level", "reception_code", "field"):
        # A missing key would silently vanish from some engines' group-bys; name it instead.
        frame[col] = named_missing(frame[col])
    frame["processing_days"] = workdays.working_days_between(
        frame["received_at"], frame["finished_at"]
    ).astype("Int64")
    frame["finished_at_due_minute"] = (
        frame["finished_at"].dt.floor("min") == frame["due_at"].dt.floor("min")
    ).fillna(False).astype(bool)
    try:
        frame["appointment_beyond_statute"] = beyond_statute(frame, refdata.load_catalogue())
    except (ConfigError, FileNotFoundError) as exc:
        frame["appointment_beyond_statute"] = False
        notes.append(f"catalogue unavailable: {exc}")
    return frame, notes


def named_missing(keys: pd.Series) -> pd.Series:
    """A group-key column with missing values as "(không rõ)" (text or categorical keys)."""
    if isinstance(keys.dtype, pd.CategoricalDtype) and keys.isna().any() and MISSING_KEY not in keys.cat.categories:
        keys = keys.cat.add_categories([MISSING_KEY])
    return keys.fillna(MISSING_KEY)


def beyond_statute(frame: pd.DataFrame, catalogue: pd.DataFrame) -> np.ndarray:
    """``appointment_beyond_statute`` of :func:`cchc_analysis.outcome.with_statutory_due` for
    a pandas dossier table, by numpy look-ups in the calendar instead of three joins.

    The statutory due day is ``workdays.add_working_days(date(received_at), statutory_days)``
    (the same calendar arithmetic as the joins); a dossier is beyond the statute when
    date(due_at) is later. False (never missing) when either date is missing, the procedure
    is not in the catalogue (first catalogue row of a code wins, as the join) or the due day
    falls outside the calendar span.

    Returns
    -------
    numpy.ndarray
        bool, one per row of ``frame``.
    """
    statutes = catalogue.drop_duplicates("procedure_code")
    codes = pa.array(statutes["procedure_code"].astype("str"), type=pa.large_string())
    days = statutes["statutory_days"].astype("Int64").to_numpy(dtype="float64", na_value=np.nan)
    # Hash look-up of every code in the catalogue (Arrow's index_in: null when absent).
    found = pc.index_in(pa.array(frame["procedure_code"].astype("str"), type=pa.large_string()), value_set=codes)
    position = found.fill_null(-1).to_numpy(zero_copy_only=False)
    n = np.where(position >= 0, days[np.maximum(position, 0)], np.nan) if len(days) else np.full(len(frame), np.nan)
    statutory = workdays.add_working_days(frame["received_at"], pd.Series(n, index=frame.index))
    due = frame["due_at"].dt.normalize()
    return ((due > statutory) & due.notna() & statutory.notna()).to_numpy(dtype=bool)


def count_dtypes() -> dict[str, str]:
    """Canonical dtypes of :data:`COUNT_COLUMNS` (``schema.DOSSIER_COLUMNS`` restricted)."""
    return {c: schema.DOSSIER_COLUMNS[c] for c in COUNT_COLUMNS}


def catalogue_notes() -> list[str]:
    """The note :func:`_prepare_dossiers` gives when the catalogue cannot be loaded, else []."""
    try:
        refdata.load_catalogue()
    except (ConfigError, FileNotFoundError) as exc:
        return [f"catalogue unavailable: {exc}"]
    return []


def prepare_native(native) -> tuple[object, list[str]]:
    """:func:`_prepare_dossiers` as engine expressions, for lazy datasets (Dask, Spark, ...).

    The working-day count is a join on the calendar table (``working_days_to_date`` of the
    finished day minus that of the received day; null outside the calendar span, as
    ``workdays.working_days_between``). Returns the native frame and notes.
    """
    notes: list[str] = []
    data = nw.from_native(native)
    engine = engines.engine_of(data)
    table = workdays.working_days_table()
    cum = {}
    for side in ("r", "f"):
        cum[side] = nw.from_native(engines.to_engine(pd.DataFrame({
            f"__cchc_{side}day": table["day"].astype(schema.DATETIME),
            f"__cchc_{side}cum": table["working_days_to_date"].astype("Int64"),
        }), engine))
    data = data.with_columns(
        *[nw.col(c).fill_null("(không rõ)") for c in ("unit_code", "level", "reception_code", "field")],
        nw.col("received_at").dt.truncate("1d").alias("__cchc_rday"),
        nw.col("finished_at").dt.truncate("1d").alias("__cchc_fday"),
        (~nw.col("finished_at").is_null() & ~nw.col("due_at").is_null()
         & (nw.col("finished_at").dt.truncate("1m") == nw.col("due_at").dt.truncate("1m")))
        .fill_null(value=False).alias("finished_at_due_minute"),
    )
    data = (
        data.join(cum["r"], on="__cchc_rday", how="left")
        .join(cum["f"], on="__cchc_fday", how="left")
        .with_columns((nw.col("__cchc_fcum") - nw.col("__cchc_rcum")).alias("processing_days"))
    )
    try:
        data = outcome.with_statutory_due(data, refdata.load_catalogue())
        data = data.with_columns(nw.col("appointment_beyond_statute").fill_null(value=False))
    except (ConfigError, FileNotFoundError) as exc:
        data = data.with_columns(nw.lit(value=False).alias("appointment_beyond_statute"))
        notes.append(f"catalogue unavailable: {exc}")
    names = [c for c in data.collect_schema().names() if not c.startswith("__cchc_")]
    return data.select(*names).to_native(), notes


def finished_years(dossiers: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Dossiers finished in [start, end] counted by (year received, year finished), for the
    calendar check of :func:`_quality` (``received_year`` missing when received_at is)."""
    fin = dossiers["finished_at"].dt.normalize()
    done = dossiers[(fin >= pd.Timestamp(start)) & (fin <= pd.Timestamp(end))]
    years = pd.DataFrame({
        "received_year": done["received_at"].dt.year.astype("Int64"),
        "finished_year": done["finished_at"].dt.year.astype("Int64"),
    })
    return years.groupby(["received_year", "finished_year"], dropna=False).size().rename("n").reset_index()


class InMemoryDossiers:
    """The prepared pandas dossier table as the dossier source of :func:`build_quarter`.

    A lazy dataset (``scale.DossierDataset``) offers the same three methods.
    """

    def __init__(self, prepared: pd.DataFrame, engine: str):
        self.frame = prepared
        self.native = engines.to_engine(prepared, engine)

    def has_rows(self, start: date, end: date) -> bool:
        frame = self.frame
        return _period_has_rows(frame[~frame["status"].isin(schema.NOT_COUNTED_STATUSES)], "received_at", start, end)

    def counts(self, start: date, end: date) -> pd.DataFrame:
        return dossier_counts(self.native, start, end)

    def finished_years(self, start: date, end: date) -> pd.DataFrame:
        return finished_years(self.frame, start, end)


def _period_has_rows(frame: pd.DataFrame, column: str, start: date, end: date) -> bool:
    days = frame[column].dt.normalize()
    return bool(((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))).any())


# --------------------------------------------------------------------------- counting


def _dossier_exprs() -> dict[str, nw.Expr]:
    extra = {name: nw.col(flag).fill_null(value=False) for name, flag in core.FORM06_FLAGS.items()}
    extra.update(core.quality_counts())
    extra["received_in_period"] = nw.col("received_in_period").fill_null(value=False)
    return core.count_expressions(core.DOSSIER_INDICATORS, extra)


def in_scope_count_query(native, start: date, end: date):
    """The (lazy) group-by of the period's counts per ``FINE_KEYS``, in-scope groups only.

    Only the in-scope dossiers are flagged and counted (every count is zero for the others):
    on a lazy engine (Polars, DuckDB, ...) the filter reaches the scan, before the calendar
    joins of :func:`prepare_native`. Evaluate with ``engines.collect`` and complete with
    :func:`with_all_groups`.
    """
    data = nw.from_native(native)
    flagged = outcome.dossier_flags(data.filter(outcome.in_scope(start, end)), start, end)
    if not isinstance(flagged, (nw.DataFrame, nw.LazyFrame)):
        flagged = nw.from_native(flagged)
    return core.count_query(flagged, FINE_KEYS, _dossier_exprs())


def with_all_groups(keys: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Collected :func:`in_scope_count_query` counts on every group of ``keys`` (zeros where
    nothing is in scope), int64 counts, sorted by ``FINE_KEYS``.

    Parameters
    ----------
    keys
        Distinct ``FINE_KEYS`` of the whole table (missing keys already "(không rõ)").
    counts
        The collected group-by (``FINE_KEYS`` + one column per count, any integer dtype).
    """
    names = [c for c in counts.columns if c not in FINE_KEYS]
    merged = keys.astype("str").merge(counts, on=FINE_KEYS, how="left")
    columns = {key: merged[key] for key in FINE_KEYS}
    columns.update({name: merged[name].fillna(0).to_numpy(dtype="int64") for name in names})
    return pd.DataFrame(columns).sort_values(FINE_KEYS, ignore_index=True)


def dossier_counts(native, start: date, end: date) -> pd.DataFrame:
    """Integer counts per ``FINE_KEYS`` for the period, on any engine's prepared native frame.

    Every group of the frame has its line (zeros when nothing of it is in scope): the groups
    come from a distinct-keys pass, the counts from :func:`in_scope_count_query`.
    """
    data = nw.from_native(native)
    keys, counts = engines.collect_all(data.select(*FINE_KEYS).unique(), in_scope_count_query(data, start, end))
    return with_all_groups(keys, counts)


def pakn_counts(native, start: date, end: date) -> pd.DataFrame:
    """PAKN counts per unit for the period."""
    flagged = core.pakn_flags(nw.from_native(native), start, end)
    extra = {"pakn_in_scope": nw.col("in_scope")}
    return core.sum_counts(flagged, ["unit_code"], core.count_expressions(core.PAKN_INDICATORS, extra))


def edoc_counts(native, quarter: Quarter) -> pd.DataFrame:
    """E-document counts per unit over the quarter's three calendar months."""
    first, last = quarter.bounds("calendar")
    month = nw.col("month")
    frame = nw.from_native(native).filter(
        (month >= nw.lit(pd.Timestamp(first).to_pydatetime())).fill_null(value=False)
        & (month <= nw.lit(pd.Timestamp(last).to_pydatetime())).fill_null(value=False)
    )
    return core.sum_counts(frame, ["unit_code"], core.count_expressions(core.EDOC_INDICATORS))


# --------------------------------------------------------------------------- roll-ups


def _unit_levels() -> dict[str, str]:
    units = refdata.load_units()
    return dict(zip(units["code"], units["level"], strict=True))


def _crosswalked(fine: pd.DataFrame) -> pd.DataFrame:
    """Fine counts plus copies of former units' rows under the new unit's code (comparisons)."""
    cw = refdata.load_crosswalk()
    mapping = dict(zip(cw["old_code"], cw["new_code"], strict=True))
    old = fine[fine["unit_code"].isin(list(mapping))].copy()
    old["unit_code"] = old["unit_code"].map(mapping)
    return pd.concat([fine, old], ignore_index=True)


def rollup_dossiers(fine: pd.DataFrame, crosswalk: bool = False) -> pd.DataFrame:
    """Sum fine dossier counts to every reporting group.

    Groups: ALL, each level, each reception centre of ``refdata.load_reception_points()``, each
    unit; each × (ALL, each field). With ``crosswalk``, unit groups also receive the rows of the
    units they replaced (used for comparisons). The (ALL, ALL) row is always present.
    """
    counts = [c for c in fine.columns if c not in FINE_KEYS]
    # Each source frame as (unit labels, field labels, counts) numpy arrays, converted once.
    every = (fine["field"].to_numpy(dtype=object), fine[counts].to_numpy(dtype="int64"))
    centre = fine["reception_code"].isin(set(refdata.load_reception_points()["code"])).to_numpy()
    units = _crosswalked(fine) if crosswalk else fine
    unit_rows = (
        (units["field"].to_numpy(dtype=object), units[counts].to_numpy(dtype="int64")) if crosswalk else every
    )
    # Label every fine row once per grouping it belongs to, then a single group-by sums all.
    units_of = (
        (np.full(len(fine), ALL, dtype=object), *every),
        (fine["level"].to_numpy(dtype=object), *every),
        (fine["reception_code"].to_numpy(dtype=object)[centre], every[0][centre], every[1][centre]),
        (units["unit_code"].to_numpy(dtype=object), *unit_rows),
    )
    unit_labels, field_labels, values = [], [], []
    for labels, fields, numbers in units_of:
        for by_field in (False, True):
            unit_labels.append(labels)
            field_labels.append(fields if by_field else np.full(len(labels), ALL, dtype=object))
            values.append(numbers)
    stacked = pd.DataFrame(np.concatenate(values), columns=counts)
    stacked.insert(0, "unit_code", np.concatenate(unit_labels))
    stacked.insert(1, "field", np.concatenate(field_labels))
    out = stacked.groupby(["unit_code", "field"], sort=True)[counts].sum().reset_index()
    if not ((out["unit_code"] == ALL) & (out["field"] == ALL)).any():
        zero = pd.DataFrame([[ALL, ALL, *[0] * len(counts)]], columns=["unit_code", "field", *counts])
        out = pd.concat([zero, out], ignore_index=True)
    out[counts] = out[counts].astype("int64")
    out["unit_code"] = out["unit_code"].astype("str")
    out["field"] = out["field"].astype("str")
    return out


def rollup_units(per_unit: pd.DataFrame, crosswalk: bool = False) -> pd.DataFrame:
    """Sum per-unit counts (PAKN, e-documents) to ALL, each level and each unit (field ALL)."""
    counts = [c for c in per_unit.columns if c != "unit_code"]
    levels = per_unit["unit_code"].map(_unit_levels())
    all_row = per_unit[counts].sum().to_frame().T
    all_row.insert(0, "unit_code", ALL)
    by_level = per_unit.assign(unit_code=levels).dropna(subset=["unit_code"])
    by_level = by_level.groupby("unit_code", sort=True)[counts].sum().reset_index()
    units = _crosswalked(per_unit) if crosswalk else per_unit
    units = units.groupby("unit_code", sort=True)[counts].sum().reset_index()
    out = pd.concat([all_row, by_level, units], ignore_index=True)
    out["field"] = ALL
    out[counts] = out[counts].astype("int64")
    return out[["unit_code", "field", *counts]]


def _long(rolled: pd.DataFrame, names: list[str], scales: dict[str, float]) -> pd.DataFrame:
    """Wide ``<name>__num/__den`` counts -> one row per (unit_code, field, indicator)."""
    if not names:
        return pd.DataFrame(columns=["unit_code", "field", "indicator", "numerator", "denominator", "value"])
    # One block of rows per indicator, built as whole numpy columns (no per-indicator frames).
    k = len(names)
    out = pd.DataFrame({
        "unit_code": pd.Series(np.tile(rolled["unit_code"].to_numpy(), k), dtype=rolled["unit_code"].dtype),
        "field": pd.Series(np.tile(rolled["field"].to_numpy(), k), dtype=rolled["field"].dtype),
        "indicator": pd.Series(np.repeat(np.array(names, dtype=object), len(rolled)), dtype="str"),
        "numerator": np.concatenate([rolled[f"{name}__num"].to_numpy() for name in names]),
        "denominator": np.concatenate([rolled[f"{name}__den"].to_numpy() for name in names]),
    })
    scale = np.repeat(np.array([scales[name] for name in names], dtype="float64"), len(rolled))
    out["value"] = scale * core.ratio_value(out["numerator"], out["denominator"], 1.0).to_numpy()
    return out


def _scales() -> dict[str, float]:
    makers = {**core.DOSSIER_INDICATORS, **core.PAKN_INDICATORS, **core.EDOC_INDICATORS}
    scales = {name: make().scale for name, make in makers.items()}
    scales["one_stop_rate"] = 100.0
    return scales


def one_stop_long(catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """``one_stop_rate`` from the catalogue: one-stop procedures / procedures, in percent.

    Rows: ALL and each level of the catalogue, × ALL and each field.
    """
    if catalogue is None or catalogue.empty:
        return pd.DataFrame(columns=["unit_code", "field", "indicator", "numerator", "denominator", "value"])
    cat = catalogue.assign(one=catalogue["one_stop"].astype(bool).astype("int64"), n=1)
    rows = []
    for unit_key in (None, "level"):
        for field_key in (None, "field"):
            keys = [k for k in (unit_key, field_key) if k]
            if keys:
                g = cat.groupby(keys, sort=True)[["one", "n"]].sum().reset_index()
            else:
                g = cat[["one", "n"]].sum().to_frame().T
            g["unit_code"] = g["level"] if unit_key else ALL
            g["field"] = g["field"] if field_key else ALL
            rows.append(g[["unit_code", "field", "one", "n"]])
    out = pd.concat(rows, ignore_index=True).rename(columns={"one": "numerator", "n": "denominator"})
    out["indicator"] = "one_stop_rate"
    out["value"] = core.ratio_value(out["numerator"], out["denominator"]).to_numpy()
    return out[["unit_code", "field", "indicator", "numerator", "denominator", "value"]]


# --------------------------------------------------------------------------- one quarter's figures


@dataclass
class _QuarterCounts:
    dossiers: pd.DataFrame | None  # fine counts, None when the quarter has no dossier data
    pakn: pd.DataFrame | None
    edocs: pd.DataFrame | None
    _long: dict = dc_field(default_factory=dict)  # crosswalk flag -> indicator long table
    _rolled: pd.DataFrame | None = None

    def rolled(self) -> pd.DataFrame:
        if self._rolled is None:
            self._rolled = rollup_dossiers(self.dossiers)
        return self._rolled


def _quarter_counts(q: Quarter, period: str, natives: dict, frames: dict) -> _QuarterCounts:
    start, end = q.bounds(period)
    source = frames["dossiers"]  # InMemoryDossiers or scale.DossierDataset
    d = source.counts(start, end) if source.has_rows(start, end) else None
    p = None
    pakn = frames["pakn"]
    if pakn is not None and not pakn.empty:
        p = pakn_counts(natives["pakn"], start, end)
        if int(p["pakn_in_scope"].sum()) == 0:
            p = None
        else:
            p = p.drop(columns=["pakn_in_scope"])
    e = None
    edocs = frames["edocs"]
    if edocs is not None and not edocs.empty:
        first, last = q.bounds("calendar")
        if _period_has_rows(edocs, "month", first, last):
            e = edoc_counts(natives["edocs"], q)
    return _QuarterCounts(d, p, e)


def _indicator_long(c: _QuarterCounts, crosswalk: bool) -> pd.DataFrame:
    if crosswalk not in c._long:
        c._long[crosswalk] = _indicator_long_uncached(c, crosswalk)
    return c._long[crosswalk]


def _indicator_long_uncached(c: _QuarterCounts, crosswalk: bool) -> pd.DataFrame:
    scales = _scales()
    parts = []
    if c.dossiers is not None:
        rolled = rollup_dossiers(c.dossiers, crosswalk=True) if crosswalk else c.rolled()
        parts.append(_long(rolled, list(core.DOSSIER_INDICATORS), scales))
    if c.pakn is not None:
        parts.append(_long(rollup_units(c.pakn, crosswalk), list(core.PAKN_INDICATORS), scales))
    if c.edocs is not None:
        parts.append(_long(rollup_units(c.edocs, crosswalk), list(core.EDOC_INDICATORS), scales))
    if not parts:
        return pd.DataFrame(columns=["unit_code", "field", "indicator", "numerator", "denominator", "value"])
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- ordering


def _unit_rank(codes: pd.Series) -> pd.Series:
    """Sort key: ALL, levels (tỉnh, huyện, xã), reception centres, units in units.csv order."""
    order = {ALL: 0}
    for i, lvl in enumerate(LEVEL_ORDER):
        order[lvl] = 1 + i
    for i, code in enumerate(refdata.load_reception_points()["code"]):
        order[code] = 10 + i
    for i, code in enumerate(refdata.load_units()["code"]):
        order[code] = 100 + i
    return codes.map(order).fillna(10_000).astype("int64")


def _sort(frame: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    keyed = frame.assign(
        _u=_unit_rank(frame["unit_code"]),
        _f=(frame["field"] != ALL).astype("int64"),
    )
    by = ["_u", "unit_code", "_f", "field", *(extra or [])]
    return keyed.sort_values(by, kind="stable", ignore_index=True).drop(columns=["_u", "_f"])


def _indicator_sort(frame: pd.DataFrame) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(INDICATOR_ORDER)}
    keyed = frame.assign(_i=frame["indicator"].map(order).fillna(999).astype("int64"))
    return _sort(keyed, ["_i"]).drop(columns=["_i"])


# --------------------------------------------------------------------------- build


def _expected_groups(start: date, end: date) -> pd.DataFrame:
    """Groups shown even without dossiers: ALL, levels and units existing in the period,
    reception centres valid in the period (field ALL)."""
    units = refdata.load_units()
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    live = units[(units["valid_from"].isna() | (units["valid_from"] <= e)) & (units["valid_to"].isna() | (units["valid_to"] >= s))]
    points = refdata.load_reception_points()
    live_points = points[(points["valid_from"].isna() | (points["valid_from"] <= e)) & (points["valid_to"].isna() | (points["valid_to"] >= s))]
    codes = [ALL, *[lvl for lvl in LEVEL_ORDER if lvl in set(live["level"])], *live_points["code"], *live["code"]]
    return pd.DataFrame({"unit_code": codes, "field": ALL})


def _form06(fine: pd.DataFrame | None, start: date, end: date) -> pd.DataFrame:
    expected = _expected_groups(start, end)
    if fine is None:
        rolled = expected.copy()
        for col in schema.FORM06_COLUMNS:
            rolled[col] = 0
    else:
        rolled = rollup_dossiers(fine)[FORM06_CSV_COLUMNS]  # one roll-up per build
        rolled = rolled.merge(expected, on=["unit_code", "field"], how="outer")
        # Field rows only where dossiers exist; the expected (field ALL) rows always.
        keep = (rolled["received_total"].fillna(0) > 0) | rolled.set_index(["unit_code", "field"]).index.isin(
            pd.MultiIndex.from_frame(expected)
        )
        rolled = rolled[keep]
    rolled = rolled[FORM06_CSV_COLUMNS].copy()
    rolled[schema.FORM06_COLUMNS] = rolled[schema.FORM06_COLUMNS].fillna(0).astype("int64")
    return _sort(rolled)


def _history(q: Quarter, period: str, natives: dict, frames: dict, cache: dict) -> pd.DataFrame:
    parts = []
    for hq in quarters_ending(q, HISTORY_QUARTERS):
        counts = cache.setdefault(str(hq), _quarter_counts(hq, period, natives, frames))
        long = _indicator_long(counts, crosswalk=False)
        if long.empty:
            continue
        long = long[long["field"] == ALL]
        if counts.dossiers is not None:
            rolled = counts.rolled()
            present = set(rolled.loc[rolled["received_total"] > 0, "unit_code"])
            is_dossier = long["indicator"].isin(list(core.DOSSIER_INDICATORS))
            long = long[~is_dossier | long["unit_code"].isin(present)]
        long = _indicator_sort(long)
        long.insert(0, "quarter", str(hq))
        parts.append(long)
    if not parts:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[HISTORY_COLUMNS]


def _comparison(long: pd.DataFrame, name: str) -> pd.DataFrame:
    return long[["unit_code", "field", "indicator", "value"]].rename(columns={"value": name})


def _quality(tables: dict, fine: pd.DataFrame | None, frames: dict, start: date, end: date, missing: list[str]) -> pd.DataFrame:
    rows = []
    quarantine = tables.get("quarantine")
    if quarantine is not None and len(quarantine):
        for reason, n in quarantine.groupby("reason", sort=True).size().items():
            rows.append((f"quarantined:{reason}", ALL, int(n), "Dòng bị cách ly khi làm sạch (toàn bộ dữ liệu đầu vào, không riêng quý này)"))
    recon = tables.get("reconciliation")
    dup = int(pd.to_numeric(recon["duplicates_merged"]).sum()) if recon is not None and len(recon) else 0
    rows.append(("duplicates_merged", ALL, dup, "Hồ sơ trùng đã gộp (giữ trạng thái mới nhất; toàn bộ dữ liệu đầu vào)"))
    notes = {
        "appointment_beyond_statute": "Hồ sơ tiếp nhận trong kỳ có ngày hẹn trả muộn hơn thời hạn luật định",
        "late_without_apology": "Hồ sơ giải quyết quá hạn không có phiếu xin lỗi",
        "finished_at_due_minute": "Hồ sơ có thời điểm kết thúc trùng đúng phút với hạn trả (dấu hiệu đóng hàng loạt 'đúng hạn')",
        "procedure_not_in_catalogue": "Hồ sơ thuộc thủ tục không có trong danh mục TTHC (vẫn được tính)",
    }
    for check, note in notes.items():
        if fine is None:
            rows.append((check, ALL, 0, note))
            continue
        rows.append((check, ALL, int(fine[check].sum()), note))
        per_unit = fine.groupby("unit_code", sort=True)[check].sum()
        for unit, n in per_unit[per_unit > 0].items():
            rows.append((check, unit, int(n), note))
    for name in missing:
        what = {"pakn": "danh sách phản ánh, kiến nghị (PAKN)", "edocs": "số liệu văn bản điện tử"}[name]
        rows.append((f"missing_input:{name}", ALL, 0, f"Không có {what} cho quý này: các chỉ tiêu liên quan để trống"))
    # Years only matter here, so the dossiers finished in the period come as counts per
    # (year received, year finished): a few rows whatever the engine or the data size.
    done = frames["dossiers"].finished_years(start, end)
    received = done["received_year"].dropna()
    first = min(start.year, int(received.min())) if len(received) else start.year
    for year in workdays.unverified_years(first, end):
        hit = (done["received_year"] <= year).fillna(False) & (done["finished_year"] >= year).fillna(False)
        rows.append(("calendar_unverified_year", ALL, int(done.loc[hit.astype(bool), "n"].sum()), f"Năm {year}: lịch ngày làm việc chưa được đối chiếu với thông báo chính thức; số hồ sơ có thời gian xử lý trong năm này"))
    out = pd.DataFrame(rows, columns=QUALITY_COLUMNS)
    out["count"] = out["count"].astype("int64")
    return out


def build_quarter(processed, quarter: str | Quarter, period: str = "calendar", engine: str = "pandas") -> QuarterTables:
    """Compute every table of the quarterly review for ``quarter``.

    Parameters
    ----------
    processed
        ``clean.load_processed(...)`` result (attributes ``dossiers``, ``pakn``, ``edocs``,
        ``quarantine``, ``reconciliation``, ``meta``).
    quarter
        ``"2024Q1"`` or a :class:`~cchc_analysis.periods.Quarter`.
    period
        ``calendar`` or ``nd09`` (DESIGN §6); comparisons use the same convention.
    engine
        Any of ``engines.ENGINES`` (``pandas``, ``polars``, ``duckdb``, ``dask``, ``pyspark``);
        results are identical. ``processed.dossiers`` may be a pandas frame or a lazy
        :class:`cchc_analysis.scale.DossierDataset` (partitioned parquet, read per period).

    Returns
    -------
    QuarterTables
    """
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    if engine not in engines.ALL_ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(engines.ALL_ENGINES)}")
    start, end = q.bounds(period)
    if isinstance(processed.dossiers, pd.DataFrame):
        dossiers, notes = _prepare_dossiers(processed.dossiers)
        source = InMemoryDossiers(dossiers, engine)
    else:  # a lazy dataset (scale.DossierDataset): read per period, never loaded whole
        source = processed.dossiers.on_engine(engine)
        notes = list(source.notes)
    pakn = getattr(processed, "pakn", None)
    edocs = getattr(processed, "edocs", None)
    frames = {"dossiers": source, "pakn": pakn, "edocs": edocs}
    natives = {
        name: engines.to_engine(frame, engine)
        for name, frame in (("pakn", pakn), ("edocs", edocs))
        if frame is not None and not frame.empty
    }
    cache: dict[str, _QuarterCounts] = {}
    current = cache.setdefault(str(q), _quarter_counts(q, period, natives, frames))
    previous = cache.setdefault(str(q.previous()), _quarter_counts(q.previous(), period, natives, frames))
    year_ago = cache.setdefault(str(q.year_ago()), _quarter_counts(q.year_ago(), period, natives, frames))

    form06 = _form06(current.dossiers, start, end)
    missing = [name for name, c in (("pakn", current.pakn), ("edocs", current.edocs)) if c is None]

    try:
        catalogue = refdata.load_catalogue()
    except (ConfigError, FileNotFoundError):
        catalogue = None
    long = _indicator_long(current, crosswalk=False)
    # Expected groups (units with no dossiers) get their (empty) dossier indicators too.
    expected = form06[["unit_code", "field"]]
    dossier_names = list(core.DOSSIER_INDICATORS)
    grid = expected.merge(pd.DataFrame({"indicator": dossier_names}), how="cross")
    long = grid.merge(long, on=["unit_code", "field", "indicator"], how="outer")
    # A group without dossiers has 0 of 0: counts are known to be zero, the value is empty.
    is_dossier = long["indicator"].isin(dossier_names)
    for col in ("numerator", "denominator"):
        long[col] = long[col].astype("Float64").mask(is_dossier & long[col].isna(), 0)
    for name, fam in (("pakn", core.PAKN_INDICATORS), ("edocs", core.EDOC_INDICATORS)):
        if name in missing:
            # Missing input: the indicator is empty for ALL, levels and units, never 0 or 100.
            live = _expected_groups(start, end)
            live = live[live["unit_code"].isin([ALL, *LEVEL_ORDER, *refdata.load_units()["code"]])]
            long = pd.concat([long, live.merge(pd.DataFrame({"indicator": list(fam)}), how="cross")], ignore_index=True)
    long = pd.concat([long, one_stop_long(catalogue)], ignore_index=True)

    prev_long = _indicator_long(previous, crosswalk=True)
    ago_long = _indicator_long(year_ago, crosswalk=True)
    ind = long.merge(_comparison(prev_long, "previous_quarter"), on=["unit_code", "field", "indicator"], how="left")
    ind = ind.merge(_comparison(ago_long, "same_quarter_last_year"), on=["unit_code", "field", "indicator"], how="left")
    for col in ("value", "previous_quarter", "same_quarter_last_year"):
        ind[col] = pd.to_numeric(ind[col], errors="coerce").astype("float64").round(DECIMALS)
    ind["change_pp"] = (ind["value"] - ind["previous_quarter"]).round(DECIMALS)
    targets = refdata.load_targets()
    ind["target"] = ind["indicator"].map(targets).astype("float64")
    meets = ind["value"] >= ind["target"]
    ind["meets_target"] = pd.array(
        np.where(ind["value"].isna() | ind["target"].isna(), None, meets), dtype="boolean"
    )
    ind["numerator"] = pd.to_numeric(ind["numerator"]).astype("Int64")
    ind["denominator"] = pd.to_numeric(ind["denominator"]).astype("Int64")
    ind = _indicator_sort(ind[INDICATOR_COLUMNS])

    history = _history(q, period, natives, frames, cache)
    for col in ("numerator", "denominator"):
        history[col] = pd.to_numeric(history[col]).astype("Int64")
    history["value"] = pd.to_numeric(history["value"]).astype("float64").round(DECIMALS)

    tables = {"quarantine": getattr(processed, "quarantine", None), "reconciliation": getattr(processed, "reconciliation", None)}
    quality = _quality(tables, current.dossiers, frames, start, end, missing)
    meta = getattr(processed, "meta", None) or {}
    return QuarterTables(
        quarter=q,
        period=period,
        start=start,
        end=end,
        form06=form06,
        indicators=ind,
        quality=quality,
        history=history,
        ranking=ranking(ind, form06),
        below_target=below_target(ind),
        synthetic=bool(meta.get("synthetic", False)),
        notes=notes,
    )


def ranking(indicators: pd.DataFrame, form06: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by on-time rate (field ALL), best first; ties share a rank.

    Units with no resolved dossier are not ranked.
    """
    units = refdata.load_units().set_index("code")
    rows = indicators[
        (indicators["indicator"] == "on_time_rate")
        & (indicators["field"] == ALL)
        & indicators["unit_code"].isin(units.index)
        & indicators["denominator"].fillna(0).gt(0)
    ]
    out = pd.DataFrame(
        {
            "unit_code": rows["unit_code"].to_numpy(),
            "unit_name": units.loc[rows["unit_code"], "name"].to_numpy(),
            "level": units.loc[rows["unit_code"], "level"].to_numpy(),
            "resolved_total": rows["denominator"].astype("int64").to_numpy(),
            "resolved_on_time_or_early": rows["numerator"].astype("int64").to_numpy(),
            "on_time_rate": rows["value"].to_numpy(),
        }
    )
    out = out.sort_values(["on_time_rate", "resolved_total", "unit_code"], ascending=[False, False, True], ignore_index=True)
    out.insert(0, "rank", out["on_time_rate"].rank(method="min", ascending=False).astype("int64"))
    return out[RANKING_COLUMNS]


def below_target(indicators: pd.DataFrame) -> pd.DataFrame:
    """Rows whose value is below the target (for the report's "tồn tại, hạn chế")."""
    rows = indicators[indicators["meets_target"].eq(False).fillna(False).astype(bool)]
    return rows[BELOW_TARGET_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- files


def _csv_bytes(frame: pd.DataFrame) -> str:
    # Floats are already rounded; repr-style output is deterministic across engines.
    return frame.to_csv(index=False, lineterminator="\n")


def write_quarter(tables: QuarterTables, out_dir: str | Path) -> Path:
    """Write every table of ``tables`` into ``out_dir/<quarter>/`` atomically.

    Files: ``form06.csv, indicators.csv, form06.xlsx, quality.csv, history.csv, ranking.csv,
    below_target.csv`` and ``indicators_meta.json`` (quarter, period, dates, synthetic flag).
    Other files already in the folder (charts, report) are kept.

    Returns
    -------
    Path
        The quarter folder.
    """
    from .form06_xlsx import write_form06_xlsx

    target = Path(out_dir) / str(tables.quarter)
    files = {
        "form06.csv": tables.form06,
        "indicators.csv": tables.indicators,
        "quality.csv": tables.quality,
        "history.csv": tables.history,
        "ranking.csv": tables.ranking,
        "below_target.csv": tables.below_target,
    }
    meta = {
        "quarter": str(tables.quarter),
        "period": tables.period,
        "start": tables.start.isoformat(),
        "end": tables.end.isoformat(),
        "synthetic": tables.synthetic,
    }
    with atomic_directory(target) as staging:
        for name, frame in files.items():
            (staging / name).write_text(_csv_bytes(frame), encoding="utf-8")
        write_form06_xlsx(tables, staging / "form06.xlsx")
        (staging / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


_READ_DTYPES = {
    "form06.csv": {"unit_code": "str", "field": "str", **{c: "int64" for c in schema.FORM06_COLUMNS}},
    "indicators.csv": {
        "unit_code": "str", "field": "str", "indicator": "str", "numerator": "Int64",
        "denominator": "Int64", "value": "float64", "previous_quarter": "float64",
        "same_quarter_last_year": "float64", "change_pp": "float64", "target": "float64",
        "meets_target": "boolean",
    },
    "quality.csv": {"check": "str", "unit_code": "str", "count": "int64", "note": "str"},
    "history.csv": {"quarter": "str", "unit_code": "str", "field": "str", "indicator": "str",
                    "numerator": "Int64", "denominator": "Int64", "value": "float64"},
    "ranking.csv": {"rank": "int64", "unit_code": "str", "unit_name": "str", "level": "str",
                    "resolved_total": "int64", "resolved_on_time_or_early": "int64", "on_time_rate": "float64"},
    "below_target.csv": {"unit_code": "str", "field": "str", "indicator": "str", "value": "float64", "target": "float64"},
}


def read_quarter(out_dir: str | Path, quarter: str | Quarter) -> QuarterTables:
    """Read back what :func:`write_quarter` wrote (the report reads outputs, never raw data).

    Raises
    ------
    InputError
        If a file is missing: run ``cchc indicators --quarter Q`` first.
    """
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    folder = Path(out_dir) / str(q)
    frames = {}
    for name, dtypes in _READ_DTYPES.items():
        path = folder / name
        if not path.exists():
            raise InputError(path, f"not found; run `cchc indicators --quarter {q}` first")
        frames[name] = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])
    meta_path = folder / META_FILE
    if not meta_path.exists():
        raise InputError(meta_path, f"not found; run `cchc indicators --quarter {q}` first")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return QuarterTables(
        quarter=q,
        period=meta["period"],
        start=date.fromisoformat(meta["start"]),
        end=date.fromisoformat(meta["end"]),
        form06=frames["form06.csv"],
        indicators=frames["indicators.csv"],
        quality=frames["quality.csv"],
        history=frames["history.csv"],
        ranking=frames["ranking.csv"],
        below_target=frames["below_target.csv"],
        synthetic=bool(meta.get("synthetic", False)),
    )
