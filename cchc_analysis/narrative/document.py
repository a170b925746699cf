"""The whole narrative of a quarter (:func:`report_markdown`), the method note, and the
checks on narrative text (:func:`numbers_in`, :func:`check_vocabulary`)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from .. import fmt
from ..errors import ConfigError
from ..labels import missing_vocabulary
from .paragraphs import comparison_paragraph, results_paragraph, shortcomings_paragraph


def check_vocabulary(names) -> None:
    """Raise when an indicator of the tables lacks a label, short label or phrase.

    The narrative and the report tables name every indicator through the vocabularies of
    :mod:`cchc_analysis.labels`; an indicator registered without its row would otherwise be
    left out of a sentence silently.

    Raises
    ------
    ConfigError
        Naming each missing ``indicator: vocabulary``.
    """
    missing = missing_vocabulary(sorted(set(names)))
    if missing:
        raise ConfigError("indicator vocabulary incomplete (add rows to cchc_analysis/labels.py): " + ", ".join(missing))


def method_note(quarter_label: str, period: str, start: date, end: date, synthetic: bool = False) -> str:
    """The note stating the period convention, the on-time definition and synthetic input.

    Parameters
    ----------
    period
        ``calendar`` or ``nd09`` (DESIGN §6).
    synthetic
        True when the figures come from the shipped synthetic sample: the note then says so
        in bold, first, so nobody quotes them as real.
    """
    span = f"từ ngày {fmt.date_short(start)} đến ngày {fmt.date_short(end)}"
    if period == "nd09":
        basis = f"theo kỳ báo cáo của Nghị định 09/2019/NĐ-CP, {span}"
    else:
        basis = f"theo quý dương lịch, {span}"
    parts = []
    if synthetic:
        parts.append(
            "**Lưu ý: báo cáo được lập từ dữ liệu mô phỏng** (bộ dữ liệu mẫu kèm theo công cụ), "
            "không phải số liệu thực tế của địa phương."
        )
    parts.append(f"Số liệu {quarter_label} được tính {basis}.")
    parts.append(
        "Hồ sơ giải quyết đúng hạn gồm hồ sơ có kết quả trước hoặc đúng ngày hẹn trả (hồ sơ không "
        "có ngày hẹn trả được tính là đúng hạn); tỷ lệ giải quyết đúng hạn là số hồ sơ giải quyết "
        "trước hạn và đúng hạn trên tổng số hồ sơ đã giải quyết trong kỳ. Các tỷ lệ được làm tròn "
        "đến một chữ số thập phân."
    )
    parts.append(
        "Các tỷ lệ số hóa, tái sử dụng dữ liệu, thanh toán trực tuyến và phiếu xin lỗi chỉ tính trên "
        "hồ sơ có thông tin tương ứng: hồ sơ có tệp xuất không ghi thông tin này không được tính là "
        "\"không\"; tăng, giảm được tính từ các tỷ lệ đã làm tròn."
    )
    return " ".join(parts)


# --- whole report ------------------------------------------------------------------------------


def _year_ago_label(tables: Any) -> str:
    # "quý I năm 2023" → "cùng kỳ năm 2023", the phrase Vietnamese reports use.
    return "cùng kỳ năm " + tables.quarter.year_ago().label_vi().rsplit(" ", 1)[-1]


def report_markdown(tables: Any, unit: str | None = None) -> str:
    """The whole narrative of a quarter as Markdown, with a heading per part.

    Parameters
    ----------
    tables
        Any object with the attributes of ``indicators.QuarterTables`` (``quarter``, ``period``,
        ``start``, ``end``, ``form06``, ``indicators``, ``quality``, ``below_target``,
        ``synthetic``).
    unit
        A unit code for that unit's own report.
    """
    check_vocabulary(tables.indicators["indicator"].dropna())
    label = tables.quarter.label_vi()
    parts = [("Kết quả", results_paragraph(tables.indicators, label, unit, tables.form06))]
    comparison = comparison_paragraph(
        tables.indicators, tables.quarter.previous().label_vi(), _year_ago_label(tables), unit
    )
    if comparison:
        parts.append(("So sánh với quý trước và cùng kỳ năm trước", comparison))
    shortcomings = shortcomings_paragraph(tables.form06, tables.quality, tables.below_target, unit, tables.indicators)
    if shortcomings:
        parts.append(("Tồn tại, hạn chế", shortcomings))
    parts.append(
        ("Ghi chú về số liệu", method_note(label, tables.period, tables.start, tables.end, bool(tables.synthetic)))
    )
    return "\n\n".join(f"#### {title}\n\n{text}" for title, text in parts) + "\n"


# --- checking ----------------------------------------------------------------------------------

# Not figures: dates (01/01/2024), document numbers (09/2019/NĐ-CP), years in "năm 2024".
_NOT_FIGURES = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d+/\d{4}/[^\s,.;)]+|năm \d{4}|/\d{4}")
_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def numbers_in(text: str) -> list[Decimal]:
    """Return the figures stated in a Vietnamese text, in order, as Decimals.

    "1.234" is 1234 and "97,5%" is 97.5; dates, years ("năm 2024") and legal document numbers
    ("Nghị định 09/2019/NĐ-CP") are not figures and are skipped.
    """
    cleaned = _NOT_FIGURES.sub(" ", text)
    return [Decimal(m.replace(".", "").replace(",", ".")) for m in _FIGURE.findall(cleaned)]
