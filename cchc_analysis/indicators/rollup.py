"""Roll-ups of fine counts to every reporting group (ALL, level, reception centre, unit,
× field) and the long indicator rows (numerator, denominator, value) built from them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import fmt, refdata, schema
from . import core, definitions
from .counts import FINE_KEYS

ALL = schema.ALL
LEVEL_ORDER = schema.LEVELS
#: Columns of the long indicator rows: ``unknown`` = eligible dossiers left out because a fact
#: is unknown; ``coverage`` = 100 × known / (known + unknown), empty when nothing is eligible.
LONG_COLUMNS = ["unit_code", "field", "indicator", "numerator", "denominator", "unknown", "value", "coverage"]


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
        return pd.DataFrame(columns=LONG_COLUMNS)
    # One block of rows per indicator, built as whole numpy columns (no per-indicator frames).
    k = len(names)
    out = pd.DataFrame({
        "unit_code": pd.Series(np.tile(rolled["unit_code"].to_numpy(), k), dtype=rolled["unit_code"].dtype),
        "field": pd.Series(np.tile(rolled["field"].to_numpy(), k), dtype=rolled["field"].dtype),
        "indicator": pd.Series(np.repeat(np.array(names, dtype=object), len(rolled)), dtype="str"),
        "numerator": np.concatenate([rolled[f"{name}__num"].to_numpy() for name in names]),
        "denominator": np.concatenate([rolled[f"{name}__den"].to_numpy() for name in names]),
    })
    unknown_known = [core.unknown_and_known(rolled, name) for name in names]
    out["unknown"] = np.concatenate([u for u, _ in unknown_known])
    known = np.concatenate([k for _, k in unknown_known])
    scale = np.repeat(np.array([scales[name] for name in names], dtype="float64"), len(rolled))
    out["value"] = scale * core.ratio_value(out["numerator"], out["denominator"], 1.0).to_numpy()
    out["coverage"] = core.coverage_value(known, out["unknown"].to_numpy())
    return out[LONG_COLUMNS]


def _scales() -> dict[str, float]:
    """Scale of every registered indicator (``definitions.scales``)."""
    return definitions.scales()


def one_stop_long(catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """``one_stop_rate`` from the catalogue: one-stop procedures / procedures, in percent.

    Rows: ALL and each level of the catalogue, × ALL and each field.
    """
    if catalogue is None or catalogue.empty:
        return pd.DataFrame(columns=LONG_COLUMNS)
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
    out["unknown"] = 0  # a catalogue fact: always known
    out["coverage"] = core.coverage_value(out["denominator"].to_numpy(), np.zeros(len(out)))
    return out[LONG_COLUMNS]


def signed_change(value, previous):
    """Change in percentage points as displayed: round_half_up(value, 1) − round_half_up(previous, 1)
    (``fmt.rounded``), with its sign; empty (NaN) when either is empty.

    Works on aligned pandas Series; "97,3 % vs 97,3 %" is 0,0 whatever the hidden decimals.
    """
    def shown(series: pd.Series) -> np.ndarray:
        values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
        return np.array([np.nan if np.isnan(v) else float(fmt.rounded(float(v))) for v in values], dtype="float64")

    return np.round(shown(value) - shown(previous), 1)
