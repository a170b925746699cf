"""Who issues the report: issuing body, place, number symbol, signatory and recipients.

Read from the reference file ``issuers.csv`` (shipped in ``cchc_analysis/data``, overridden by a
copy in ``data/reference/``), keyed by scope and validity dates: the town issues the area report
until 2025-06-30; a unit's own report is issued by the unit (a row for its code, else the row for
its level). When no row applies (the area report after the 2025 reform, when each ward reports
for itself) the draft shows visible placeholders instead of a guessed authority.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .. import refdata
from ..config import reference_path
from ..errors import InputError

ISSUERS_FILE = "issuers.csv"
ISSUER_COLUMNS = [
    "scope", "valid_from", "valid_to", "parent", "line1", "line2", "body_name", "place", "symbol",
    "signer_capacity", "signer_title", "recipients",
]  # fmt: skip
#: Shown where a person must fill something in (also used by :mod:`.manual`).
PLACEHOLDER = "[Đơn vị bổ sung: {}]"


@dataclass(frozen=True)
class Issuer:
    """The issuing side of one report (plain text, inserted into the template escaped)."""

    line1: str
    line2: str
    body_name: str
    place: str
    symbol: str = "BC-UBND"
    parent: str = ""
    signer_capacity: str = ""
    signer_title: str = ""
    recipients: list[str] = field(default_factory=list)
    #: True when no reference row applied and the fields are placeholders.
    placeholder: bool = False


def _unit_names(unit: str) -> dict[str, str]:
    units = refdata.load_units().set_index("code")
    if unit not in units.index:
        raise InputError(reference_path("units.csv"), f"unit code '{unit}' is not in the units table")
    name = str(units.loc[unit, "name"])
    return {"name": name, "name_upper": name.upper(), "short_name": str(units.loc[unit, "short_name"]),
            "level": str(units.loc[unit, "level"])}  # fmt: skip


def _read_issuers() -> pd.DataFrame:
    return refdata.read_reference_csv(ISSUERS_FILE, ISSUER_COLUMNS)


def _valid(table: pd.DataFrame, day: date) -> pd.Series:
    start = pd.to_datetime(table["valid_from"].replace("", None), format="%Y-%m-%d")
    end = pd.to_datetime(table["valid_to"].replace("", None), format="%Y-%m-%d")
    ts = pd.Timestamp(day)
    return (start.isna() | (start <= ts)) & (end.isna() | (end >= ts))


def issuer_for(end: date, unit: str | None = None) -> Issuer:
    """The issuer of a report whose period ends on ``end``: the area's (``unit`` None) or a unit's.

    Raises
    ------
    InputError
        If ``unit`` is not a code of ``units.csv``.
    ConfigError
        If ``issuers.csv`` is missing or lacks a column.
    """
    table = _read_issuers()
    names = _unit_names(unit) if unit else {}
    scopes = [unit, names["level"]] if unit else ["ALL"]
    valid = table[_valid(table, end)]
    for scope in scopes:
        rows = valid[valid["scope"] == scope]
        if len(rows):
            row = rows.iloc[0]
            fill = {k: str(row[k]).format(**names) if names else str(row[k]) for k in ISSUER_COLUMNS}
            return Issuer(
                line1=fill["line1"], line2=fill["line2"], body_name=fill["body_name"],
                place=fill["place"], symbol=fill["symbol"] or "BC", parent=fill["parent"],
                signer_capacity=fill["signer_capacity"], signer_title=fill["signer_title"],
                recipients=[r.strip() for r in fill["recipients"].split("|") if r.strip()],
            )  # fmt: skip
    return Issuer(
        line1=PLACEHOLDER.format("cơ quan ban hành"), line2="", body_name=PLACEHOLDER.format("cơ quan ban hành"),
        place=PLACEHOLDER.format("địa danh"), symbol="BC", signer_title=PLACEHOLDER.format("chức vụ người ký"),
        recipients=[PLACEHOLDER.format("nơi nhận")], placeholder=True,
    )  # fmt: skip
