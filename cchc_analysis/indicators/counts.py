"""Per-dossier preparation and the integer counts of one period at the finest grain
(unit × level × reception point × field), on any engine.

The heavy step, per-dossier outcome flags and one group-by, runs on the chosen engine through
narwhals (:mod:`.core`, :mod:`cchc_analysis.outcome`). Everything after it is exact integer
arithmetic on small pandas frames (:mod:`.rollup`, :mod:`.quarter`).
"""

from __future__ import annotations

from datetime import date

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import engines, outcome, refdata, schema, workdays
from ..errors import ConfigError
from ..periods import Quarter
from . import core, definitions

#: Finest grain of the engine group-by.
FINE_KEYS = ["unit_code", "level", "reception_code", "field"]
#: The value of a missing group key (named, so that no engine drops the group).
MISSING_KEY = "(không rõ)"
#: Canonical columns a period's counts read (group keys, outcome, indicator facts, the
#: catalogue look-up of the statutory due date); the others are never read for counting.
#: Derived from the registry (:func:`count_columns`); this constant is the registry at import.


def count_columns() -> tuple[str, ...]:
    """Canonical columns a period's counts read, from the registry at call time
    (``definitions.dossier_count_columns``)."""
    return definitions.dossier_count_columns()


COUNT_COLUMNS = count_columns()


def prepare_dossiers(dossiers: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
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
    """Canonical dtypes of :func:`count_columns` (``schema.DOSSIER_COLUMNS`` restricted)."""
    return {c: schema.DOSSIER_COLUMNS[c] for c in count_columns()}


def catalogue_notes() -> list[str]:
    """The note :func:`prepare_dossiers` gives when the catalogue cannot be loaded, else []."""
    try:
        refdata.load_catalogue()
    except (ConfigError, FileNotFoundError) as exc:
        return [f"catalogue unavailable: {exc}"]
    return []


def prepare_native(native) -> tuple[object, list[str]]:
    """:func:`prepare_dossiers` as engine expressions, for lazy datasets (Dask, Spark, ...).

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


def _period_has_rows(frame: pd.DataFrame, column: str, start: date, end: date) -> bool:
    days = frame[column].dt.normalize()
    return bool(((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))).any())



# --------------------------------------------------------------------------- counting


def _dossier_exprs() -> dict[str, nw.Expr]:
    extra = {name: nw.col(flag).fill_null(value=False) for name, flag in core.FORM06_FLAGS.items()}
    extra.update(core.quality_counts())
    extra["received_in_period"] = nw.col("received_in_period").fill_null(value=False)
    return core.count_expressions(definitions.ratios("dossiers"), extra)


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
    flagged = outcome.pakn_flags(nw.from_native(native), start, end)
    extra = {"pakn_in_scope": nw.col("in_scope")}
    return core.sum_counts(flagged, ["unit_code"], core.count_expressions(definitions.ratios("pakn"), extra))


def edoc_counts(native, quarter: Quarter) -> pd.DataFrame:
    """E-document counts per unit over the quarter's three calendar months."""
    first, last = quarter.bounds("calendar")
    month = nw.col("month")
    frame = nw.from_native(native).filter(
        (month >= nw.lit(pd.Timestamp(first).to_pydatetime())).fill_null(value=False)
        & (month <= nw.lit(pd.Timestamp(last).to_pydatetime())).fill_null(value=False)
    )
    return core.sum_counts(frame, ["unit_code"], core.count_expressions(definitions.ratios("edocs")))
