"""Reference data (DESIGN §3): units, the 2025 crosswalk, reception points, the procedure
catalogue and targets.

The shipped files live in ``cchc_analysis/data``; a user overrides any of them by putting a file
of the same name in ``data/reference/`` (see :func:`cchc_analysis.config.reference_path`).
CSV files may contain ``#`` comment lines. Loaders are cached: reference data is read once per
process.
"""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd
import yaml

from .config import reference_path
from .errors import ConfigError

#: Columns of the procedure catalogue (``procedures.csv``).
CATALOGUE_COLUMNS = [
    "procedure_code",  # text, leading zeros kept
    "procedure_name",
    "field",  # lĩnh vực
    "level",  # tinh | huyen | xa: level of the deciding authority
    "authority_code",  # a unit code when a fixed unit decides it (e.g. the land branch), else empty
    "statutory_days",  # working days; 0 = same day (trong ngày)
    "one_stop",  # under the one-stop mechanism (một cửa / một cửa liên thông)
    "online_level",  # toan_trinh | mot_phan | khong
    "has_fee",
    "paper_result",  # a paper result is required
]


def read_reference_csv(name: str, required: list[str]) -> pd.DataFrame:
    """A reference CSV (the copy in data/reference/ if any) as stripped text, with its columns checked."""
    path = reference_path(name)
    try:
        frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise ConfigError(f"reference file {name} not found at {path}") from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConfigError(f"reference file {path.name}: missing column(s) {missing}")
    return frame.apply(lambda s: s.str.strip())


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.replace("", None), format="%Y-%m-%d").astype("datetime64[us]")


@functools.cache
def load_units() -> pd.DataFrame:
    """Authority units with their level and validity.

    Returns
    -------
    pandas.DataFrame
        ``code, name, short_name, level, valid_from, valid_to``; missing ``valid_from`` /
        ``valid_to`` mean open-ended.
    """
    units = read_reference_csv("units.csv", ["code", "name", "short_name", "level", "valid_from", "valid_to"])
    bad = ~units["level"].isin(["tinh", "huyen", "xa"])
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 2
        raise ConfigError(f"units.csv row {row}: level must be tinh, huyen or xa")
    if units["code"].duplicated().any():
        raise ConfigError("units.csv: duplicate unit code(s)")
    units["valid_from"] = _dates(units["valid_from"])
    units["valid_to"] = _dates(units["valid_to"])
    return units


def units_valid_on(day: date | str) -> pd.DataFrame:
    """Units that exist on ``day``."""
    units = load_units()
    ts = pd.Timestamp(day)
    ok = (units["valid_from"].isna() | (units["valid_from"] <= ts)) & (
        units["valid_to"].isna() | (units["valid_to"] >= ts)
    )
    return units[ok].reset_index(drop=True)


@functools.cache
def load_crosswalk() -> pd.DataFrame:
    """Old unit -> new unit of the 2025 reorganisation: ``old_code, new_code, effective``."""
    cw = read_reference_csv("crosswalk.csv", ["old_code", "new_code", "effective"])
    cw["effective"] = _dates(cw["effective"])
    return cw


@functools.cache
def load_reception_points() -> pd.DataFrame:
    """Reception centres that are not units themselves: ``code, name, valid_from, valid_to``."""
    points = read_reference_csv("reception_points.csv", ["code", "name", "valid_from", "valid_to"])
    points["valid_from"] = _dates(points["valid_from"])
    points["valid_to"] = _dates(points["valid_to"])
    return points


@functools.cache
def load_default_reception() -> pd.DataFrame:
    """Usual reception point of a unit by date: ``unit_code, reception_code, valid_from, valid_to``.

    A unit absent from this table receives its own dossiers.
    """
    table = read_reference_csv(
        "default_reception.csv", ["unit_code", "reception_code", "valid_from", "valid_to"]
    )
    table["valid_from"] = _dates(table["valid_from"])
    table["valid_to"] = _dates(table["valid_to"])
    return table


@functools.cache
def load_catalogue() -> pd.DataFrame:
    """The procedure catalogue (danh mục TTHC), columns :data:`CATALOGUE_COLUMNS`.

    ``statutory_days`` is an integer number of working days (0 = same day); the flags are bool.
    """
    cat = read_reference_csv("procedures.csv", CATALOGUE_COLUMNS)
    if cat["procedure_code"].duplicated().any():
        dup = cat.loc[cat["procedure_code"].duplicated(), "procedure_code"].iloc[0]
        raise ConfigError(f"procedures.csv: procedure code {dup} appears twice")
    try:
        cat["statutory_days"] = cat["statutory_days"].astype("int64")
    except ValueError as exc:
        raise ConfigError("procedures.csv: statutory_days must be whole numbers") from exc
    for col in ("one_stop", "has_fee", "paper_result"):
        values = cat[col].str.lower()
        if not values.isin(["true", "false"]).all():
            raise ConfigError(f"procedures.csv: column {col} must be true or false")
        cat[col] = values.eq("true")
    if not cat["online_level"].isin(["toan_trinh", "mot_phan", "khong"]).all():
        raise ConfigError("procedures.csv: online_level must be toan_trinh, mot_phan or khong")
    return cat[CATALOGUE_COLUMNS]


@functools.cache
def load_targets() -> dict[str, float]:
    """Target per indicator name, in percent."""
    path = reference_path("targets.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected 'indicator: percent' lines")
    try:
        return {str(k): float(v) for k, v in data.items()}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path.name}: every target must be a number") from exc


def unit_names() -> dict[str, str]:
    """Unit or reception-point code -> Vietnamese display name."""
    names = dict(zip(load_units()["code"], load_units()["name"], strict=True))
    points = load_reception_points()
    names.update(zip(points["code"], points["name"], strict=True))
    return names
