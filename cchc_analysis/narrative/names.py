"""Names and look-ups of the narrative: how units, levels and indicators are called, and the
figures of one row of the indicator table."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .. import fmt, refdata, schema
from ..labels import INDICATOR_PHRASES  # noqa: F401  (the narrative's noun phrase of each indicator)

ALL = schema.ALL
HCC = "hcc-huong-thuy"

#: Results clauses after the on-time ones, in the order of the published report ("{}" = value).
#: ``one_stop_rate`` is a fact of the procedure catalogue, not a result of the period: its
#: clause says so. Every clause has its verb ("đạt", "được gửi").
RESULT_CLAUSES = [
    ("pakn_handled_rate", "tỷ lệ giải quyết phản ánh, kiến nghị về quy định TTHC đạt {}"),
    ("digitised_input_rate", "kết quả số hóa hồ sơ, giấy tờ đạt {}"),
    ("one_stop_rate", "theo danh mục TTHC, {} TTHC được tiếp nhận và giải quyết theo cơ chế một cửa, một cửa liên thông"),
    ("edoc_rate", "{} văn bản trao đổi giữa các cơ quan nhà nước (trừ văn bản mật) được gửi dưới dạng điện tử"),
    ("digitised_result_rate", "tỷ lệ số hóa kết quả giải quyết TTHC đạt {}"),
    ("online_rate", "tỷ lệ hồ sơ nộp trực tuyến đạt {}"),
    ("full_online_rate", "tỷ lệ hồ sơ trực tuyến toàn trình đạt {}"),
    ("online_payment_rate", "tỷ lệ thanh toán trực tuyến phí, lệ phí đạt {}"),
    ("reuse_rate", "tỷ lệ tái sử dụng dữ liệu đã số hóa đạt {}"),
]
#: Indicators of the whole area (or of the unit) compared with earlier quarters.
COMPARED_INDICATORS = ("online_rate", "digitised_input_rate", "digitised_result_rate")
#: How many fields the shortcomings name ("chủ yếu thuộc lĩnh vực ...").
TOP_FIELDS = 3


# --- lookups -----------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    try:
        return value is None or value is pd.NA or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _row(indicators: pd.DataFrame, unit_code: str, indicator: str, field: str = ALL) -> pd.Series | None:
    rows = indicators[
        (indicators["unit_code"] == unit_code)
        & (indicators["field"] == field)
        & (indicators["indicator"] == indicator)
    ]
    if rows.empty or _missing(rows["value"].iloc[0]):
        return None
    return rows.iloc[0]


def _any_row(indicators: pd.DataFrame, unit_code: str, indicator: str, field: str = ALL) -> pd.Series | None:
    """The row of an indicator, even when its value is empty."""
    rows = indicators[
        (indicators["unit_code"] == unit_code)
        & (indicators["field"] == field)
        & (indicators["indicator"] == indicator)
    ]
    return None if rows.empty else rows.iloc[0]


def _count(row: pd.Series | None, column: str) -> int:
    if row is None or column not in row.index or _missing(row[column]):
        return 0
    return int(row[column])


def nothing_known(indicators: pd.DataFrame, unit_code: str, indicator: str) -> bool:
    """True when an indicator had eligible dossiers but none with its facts known: the
    report says "chưa có dữ liệu", never 0 % or 100 %."""
    row = _any_row(indicators, unit_code, indicator)
    return row is not None and _missing(row["value"]) and _count(row, "unknown") > 0


def known_and_eligible(indicators: pd.DataFrame, form06: pd.DataFrame | None, unit_code: str,
                       indicator: str) -> tuple[int, int] | None:
    """(dossiers with the facts known, eligible dossiers) of a rate whose coverage is below
    100 %; None when it covers every eligible dossier (or is not known at all).

    Eligible = denominator + unknown; for ``online_payment_rate`` (whose denominator is the
    known dossiers *with a fee*) eligible = received in period from form 06 (online + offline)
    and known = eligible − unknown.
    """
    row = _any_row(indicators, unit_code, indicator)
    unknown = _count(row, "unknown")
    if row is None or unknown == 0 or _missing(row["value"]):
        return None
    if indicator == "online_payment_rate":
        if form06 is None:
            return None
        f = form06[(form06["unit_code"] == unit_code) & (form06["field"] == ALL)]
        if f.empty:
            return None
        eligible = int(f["received_online"].iloc[0]) + int(f["received_offline"].iloc[0])
        return eligible - unknown, eligible
    known = _count(row, "denominator")
    return known, known + unknown


def coverage_text(indicators: pd.DataFrame, form06: pd.DataFrame | None, unit_code: str, indicator: str) -> str:
    """"tính trên 2.733/3.489 hồ sơ có thông tin" for a rate whose coverage is below 100 %,
    else ""."""
    pair = known_and_eligible(indicators, form06, unit_code, indicator)
    if pair is None:
        return ""
    return f"tính trên {fmt.number(pair[0])}/{fmt.number(pair[1])} hồ sơ có thông tin"


def coverage_note(indicators: pd.DataFrame, form06: pd.DataFrame | None, unit_code: str, indicator: str) -> str:
    """" (tính trên 2.733/3.489 hồ sơ có thông tin)" after a rate whose coverage is below
    100 %, else ""."""
    text = coverage_text(indicators, form06, unit_code, indicator)
    return f" ({text})" if text else ""


def no_dossiers(indicators: pd.DataFrame, unit_code: str) -> bool:
    """True when the tables show that the unit had no dossier in the period: it has rows of
    dossier indicators and every one counts 0 dossiers (denominator and unknown). False when
    the tables hold no dossier row for it (nothing is known either way)."""
    from ..indicators import definitions

    rows = indicators[
        (indicators["unit_code"] == unit_code)
        & (indicators["field"] == ALL)
        & indicators["indicator"].isin(definitions.names("dossiers"))
    ]
    if rows.empty:
        return False
    counted = pd.to_numeric(rows["denominator"], errors="coerce").fillna(0)
    if "unknown" in rows.columns:
        counted = counted + pd.to_numeric(rows["unknown"], errors="coerce").fillna(0)
    return bool((counted == 0).all())


def _value(indicators: pd.DataFrame, unit_code: str, indicator: str) -> float | None:
    row = _row(indicators, unit_code, indicator)
    return None if row is None else float(row["value"])


def _units_present(indicators: pd.DataFrame, level: str) -> pd.DataFrame:
    units = refdata.load_units()
    return units[(units["level"] == level) & units["code"].isin(indicators["unit_code"])]


def town_name(indicators: pd.DataFrame) -> str:
    """How the report names the district-level authority: "UBND thị xã" for Hương Thủy.

    The short name of the one ``huyen`` unit in the tables; "UBND cấp huyện" otherwise.
    """
    units = _units_present(indicators, "huyen")
    return units["short_name"].iloc[0] if len(units) == 1 else "UBND cấp huyện"


def commune_level_name(indicators: pd.DataFrame, *, with_ubnd: bool = True) -> str:
    """How the report names the commune level, from the units present in the tables.

    "UBND các phường" when every commune-level unit is a ward (after the 2025 reform in Hương
    Thủy), "UBND các xã" when every one is a commune, "UBND cấp xã" when mixed or unknown.
    Without ``with_ubnd`` the place phrase of the published report: "các phường", "các xã",
    "xã, phường".
    """
    names = _units_present(indicators, "xa")["name"]
    if len(names) and names.str.startswith("phường").all():
        kind = "các phường"
    elif len(names) and names.str.startswith("xã").all():
        kind = "các xã"
    else:
        kind = "cấp xã" if with_ubnd else "xã, phường"
    return f"UBND {kind}" if with_ubnd else kind


def unit_display_name(code: str) -> str:
    """Full name of a unit as a sentence names it: wards and communes as "UBND phường ..."."""
    names = refdata.unit_names()
    name = names.get(code, code)
    units = refdata.load_units()
    level = units.loc[units["code"] == code, "level"]
    return f"UBND {name}" if len(level) and level.iloc[0] == "xa" else name


def _centre_name(code: str) -> str:
    return refdata.unit_names().get(code, code).replace("Trung tâm Hành chính công", "Trung tâm HCC")


def _join(items: list[str]) -> str:
    """"a", "a và b", "a, b và c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
