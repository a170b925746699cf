"""Build the tables of one reporting period (form 06, indicators, quality,
history, ranking, below-target list): a quarter or a cumulative period of the periodic CCHC
reports (6 tháng ``2024H1``, 9 tháng ``2024M9``, năm ``2024Y``; :class:`~cchc_analysis.periods.Period`).

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

Cumulative periods (6 tháng, 9 tháng, năm), where DESIGN is silent:

* Form 06 and every indicator follow DESIGN §7 once over the whole span ``[start, end]`` of the
  period (``Period.bounds``): a dossier received and finished inside it is counted once, never
  summed over its quarters (a dossier carried from Q1 into Q2 is not "received" twice).
* Comparisons are against the same period a year earlier (2024H1 with 2023H1), through the
  crosswalk after 2025-07-01 as for quarters. The ``previous_quarter`` column holds that same
  year-earlier value too (a cumulative report's "kỳ trước" is the same period of the year
  before, :meth:`Period.previous`), so ``change_pp`` is the change on a year earlier;
  ``same_quarter_last_year`` holds the same value.
* ``history.csv`` holds the 8 quarters ending at the period's last quarter (2024H1: 2022Q3 to
  2024Q2): the trend chart stays a quarterly trend.
* E-documents: the period's calendar months (2024H1: January to June) under both conventions.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from datetime import date

import numpy as np
import pandas as pd

from .. import engines, refdata, schema, workdays
from ..errors import ConfigError
from ..periods import Period, Quarter, quarters_ending
from . import definitions, history_cache
from .counts import _period_has_rows, edoc_counts, pakn_counts
from .rollup import (
    ALL, LEVEL_ORDER, LONG_COLUMNS, _long, _scales, one_stop_long, rollup_dossiers, rollup_units, signed_change,
)
from .sources import dossier_source

HISTORY_QUARTERS = 8
#: Report order of the indicators: the registry at import (code reads ``definitions.names()``).
INDICATOR_ORDER = definitions.names()
INDICATOR_COLUMNS = [
    "unit_code",
    "field",
    "indicator",
    "numerator",
    "denominator",
    "unknown",
    "coverage",
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
DECIMALS = 4


@dataclass
class QuarterTables:
    """Everything ``cchc indicators`` computes for one report period (pandas frames).

    ``quarter`` is the :class:`~cchc_analysis.periods.Period` (a quarter or 6 tháng, 9 tháng,
    năm); its ``str`` names the output folder (``2024Q1``, ``2024H1``).
    """

    quarter: Period
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


def _quarter_counts(q: Period | Quarter, period: str, natives: dict, frames: dict) -> _QuarterCounts:
    """The counts of a quarter or a whole cumulative period, once over its span."""
    start, end = q.bounds(period)
    source = frames["dossiers"]  # a sources.InMemoryDossiers or sources.DossierDataset
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


def _cached_counts(cache: dict, q: Period | Quarter, period: str, natives: dict, frames: dict) -> _QuarterCounts:
    """The counts of ``q``, computed once per build (the history reuses the current, previous
    and year-ago quarters' counts) and, for a dossier table on disk, once per processed data
    (:mod:`.history_cache`)."""
    if str(q) not in cache:
        folder = history_cache.cache_folder(frames["dossiers"])
        key = history_cache.cache_key(folder, period, Period.parse(q)) if folder is not None else ""
        parts = history_cache.load(folder, key)
        if parts is None:
            counted = _quarter_counts(q, period, natives, frames)
            history_cache.save(folder, key, {"dossiers": counted.dossiers, "pakn": counted.pakn, "edocs": counted.edocs})
        else:
            counted = _QuarterCounts(parts["dossiers"], parts["pakn"], parts["edocs"])
        cache[str(q)] = counted
    return cache[str(q)]


def _indicator_long(c: _QuarterCounts, crosswalk: bool) -> pd.DataFrame:
    if crosswalk not in c._long:
        c._long[crosswalk] = _indicator_long_uncached(c, crosswalk)
    return c._long[crosswalk]


def _indicator_long_uncached(c: _QuarterCounts, crosswalk: bool) -> pd.DataFrame:
    scales = _scales()
    parts = []
    if c.dossiers is not None:
        rolled = rollup_dossiers(c.dossiers, crosswalk=True) if crosswalk else c.rolled()
        parts.append(_long(rolled, definitions.names("dossiers"), scales))
    if c.pakn is not None:
        parts.append(_long(rollup_units(c.pakn, crosswalk), definitions.names("pakn"), scales))
    if c.edocs is not None:
        parts.append(_long(rollup_units(c.edocs, crosswalk), definitions.names("edocs"), scales))
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
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
    order = {name: i for i, name in enumerate(definitions.names())}
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


def _history(p: Period, period: str, natives: dict, frames: dict, cache: dict) -> pd.DataFrame:
    """The indicators of the 8 quarters ending at the period's last quarter (field ALL)."""
    parts = []
    for hq in quarters_ending(p.quarters()[-1], HISTORY_QUARTERS):
        counts = _cached_counts(cache, hq, period, natives, frames)
        long = _indicator_long(counts, crosswalk=False)
        if long.empty:
            continue
        long = long[long["field"] == ALL]
        if counts.dossiers is not None:
            rolled = counts.rolled()
            present = set(rolled.loc[rolled["received_total"] > 0, "unit_code"])
            is_dossier = long["indicator"].isin(definitions.names("dossiers"))
            long = long[~is_dossier | long["unit_code"].isin(present)]
        long = _indicator_sort(long)
        long.insert(0, "quarter", str(hq))
        parts.append(long)
    if not parts:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[HISTORY_COLUMNS]


def _comparison(long: pd.DataFrame, name: str) -> pd.DataFrame:
    return long[["unit_code", "field", "indicator", "value"]].rename(columns={"value": name})


def _quality(tables: dict, fine: pd.DataFrame | None, frames: dict, start: date, end: date, missing: list[str],
             span: str = "quý này") -> pd.DataFrame:
    """The data-quality checks of the period; ``span`` names it in the notes ("quý này", "kỳ này")."""
    rows = []
    quarantine = tables.get("quarantine")
    if quarantine is not None and len(quarantine):
        for reason, n in quarantine.groupby("reason", sort=True).size().items():
            rows.append((f"quarantined:{reason}", ALL, int(n), f"Dòng bị cách ly khi làm sạch (toàn bộ dữ liệu đầu vào, không riêng {span})"))
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
    if fine is not None:
        for check in [c for c in fine.columns if c.startswith("unknown:")]:
            fact = check.removeprefix("unknown:")
            note = f"Hồ sơ trong kỳ không có thông tin '{fact}' (cột không có trong tệp xuất hoặc ô trống): không tính vào tỷ lệ"
            rows.append((check, ALL, int(fine[check].sum()), note))
            per_unit = fine.groupby("unit_code", sort=True)[check].sum()
            for unit, n in per_unit[per_unit > 0].items():
                rows.append((check, unit, int(n), note))
    for name in missing:
        what = {"pakn": "danh sách phản ánh, kiến nghị (PAKN)", "edocs": "số liệu văn bản điện tử"}[name]
        rows.append((f"missing_input:{name}", ALL, 0, f"Không có {what} cho {span}: các chỉ tiêu liên quan để trống"))
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


def build_quarter(processed, quarter: str | Quarter | Period, period: str = "calendar", engine: str = "pandas") -> QuarterTables:
    """Compute every table of the periodic review for ``quarter`` (any report kind).

    Parameters
    ----------
    processed
        ``store.load_processed(...)`` (or ``clean.load_processed``) result (attributes ``dossiers``, ``pakn``, ``edocs``,
        ``quarantine``, ``reconciliation``, ``meta``).
    quarter
        The report period: a quarter (``"2024Q1"``, ``"quý I năm 2024"``, a
        :class:`~cchc_analysis.periods.Quarter`) or a cumulative period (``"2024H1"``,
        ``"6 tháng đầu năm 2024"``, ``"2024M9"``, ``"2024Y"``, a
        :class:`~cchc_analysis.periods.Period`): anything :meth:`Period.parse` reads.
    period
        ``calendar`` or ``nd09`` (DESIGN §6); comparisons use the same convention.
    engine
        Any of ``engines.ENGINES`` (``pandas``, ``polars``, ``duckdb``, ``dask``, ``pyspark``);
        results are identical. ``processed.dossiers`` may be a pandas frame or a lazy
        :class:`~cchc_analysis.store.DossierFiles` handle (``store.load_processed``, lazy) or a
        :class:`.sources.DossierDataset`: read per period (:func:`.sources.dossier_source`).

    Returns
    -------
    QuarterTables
    """
    q = Period.parse(quarter if isinstance(quarter, (Period, Quarter)) else str(quarter))
    if engine not in engines.ALL_ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(engines.ALL_ENGINES)}")
    start, end = q.bounds(period)
    source, notes = dossier_source(processed.dossiers, engine)
    pakn = getattr(processed, "pakn", None)
    edocs = getattr(processed, "edocs", None)
    frames = {"dossiers": source, "pakn": pakn, "edocs": edocs}
    natives = {
        name: engines.to_engine(frame, engine)
        for name, frame in (("pakn", pakn), ("edocs", edocs))
        if frame is not None and not frame.empty
    }
    cache: dict[str, _QuarterCounts] = {}
    current = _cached_counts(cache, q, period, natives, frames)
    previous = _cached_counts(cache, q.previous(), period, natives, frames)
    year_ago = _cached_counts(cache, q.year_ago(), period, natives, frames)

    form06 = _form06(current.dossiers, start, end)
    missing = [name for name, c in (("pakn", current.pakn), ("edocs", current.edocs)) if c is None]

    try:
        catalogue = refdata.load_catalogue()
    except (ConfigError, FileNotFoundError):
        catalogue = None
    long = _indicator_long(current, crosswalk=False)
    # Expected groups (units with no dossiers) get their (empty) dossier indicators too.
    expected = form06[["unit_code", "field"]]
    dossier_names = definitions.names("dossiers")
    grid = expected.merge(pd.DataFrame({"indicator": dossier_names}), how="cross")
    long = grid.merge(long, on=["unit_code", "field", "indicator"], how="outer")
    # A group without dossiers has 0 of 0: counts are known to be zero, the value is empty.
    is_dossier = long["indicator"].isin(dossier_names)
    for col in ("numerator", "denominator", "unknown"):
        long[col] = long[col].astype("Float64").mask(is_dossier & long[col].isna(), 0)
    for name, fam in (("pakn", definitions.names("pakn")), ("edocs", definitions.names("edocs"))):
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
    ind["change_pp"] = signed_change(ind["value"], ind["previous_quarter"])  # as displayed, signed
    targets = refdata.load_targets()
    target_of = {name: targets.get(key) for name, key in definitions.target_keys().items()}
    ind["target"] = ind["indicator"].map(target_of).astype("float64")
    meets = ind["value"] >= ind["target"]
    ind["meets_target"] = pd.array(
        np.where(ind["value"].isna() | ind["target"].isna(), None, meets), dtype="boolean"
    )
    ind["numerator"] = pd.to_numeric(ind["numerator"]).astype("Int64")
    ind["denominator"] = pd.to_numeric(ind["denominator"]).astype("Int64")
    ind["unknown"] = pd.to_numeric(ind["unknown"]).fillna(0).astype("int64")
    ind["coverage"] = pd.to_numeric(ind["coverage"], errors="coerce").astype("float64").round(DECIMALS)
    ind = _indicator_sort(ind[INDICATOR_COLUMNS])

    history = _history(q, period, natives, frames, cache)
    for col in ("numerator", "denominator"):
        history[col] = pd.to_numeric(history[col]).astype("Int64")
    history["value"] = pd.to_numeric(history["value"]).astype("float64").round(DECIMALS)

    tables = {"quarantine": getattr(processed, "quarantine", None), "reconciliation": getattr(processed, "reconciliation", None)}
    quality = _quality(tables, current.dossiers, frames, start, end, missing, "kỳ này" if q.is_cumulative else "quý này")
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
