"""The Word draft ``bao_cao_<period>.docx``: the official report an office edits instead of writing.

Filled from a docxtpl template (``templates/bao_cao.docx``: the shipped one, or a copy in
``data/reference/templates/`` that an office edits in Word) with autoescaping on, so every text
taken from the exports (field and unit names) is inserted as plain text, never as markup or as
a template expression. The data sections (cải cách TTHC, chính quyền số, comparisons,
shortcomings) are written from the period's tables (:mod:`.sentences`); the others come from the
manual-input file (:mod:`.manual`) or show a visible placeholder. Annex I is form 06 in the
official layout, Annex II the indicator table, Annex III the ranking of units.

Only these attributes of ``tables`` are used (a ``QuarterTables`` or anything shaped like it):
``quarter, period, start, end, form06, indicators, quality, ranking, synthetic``.
"""

from __future__ import annotations

import zipfile

import math
from pathlib import Path

import pandas as pd
from docxtpl import DocxTemplate, RichText

from .. import fmt, refdata
from ..config import reference_path
from ..errors import InputError
from ..io import atomic_write
from ..labels import INDICATOR_LABELS, LEVEL_LABELS
from ..periods import Period
from . import sentences
from .issuer import Issuer, issuer_for
from .manual import SECTIONS, placeholder, read_manual_input

TEMPLATE_NAME = "templates/bao_cao.docx"
SYNTHETIC_NOTICE = (
    "DỮ LIỆU MÔ PHỎNG: dự thảo này được lập từ bộ dữ liệu mẫu mô phỏng đi kèm phần mềm, không phải "
    "số liệu thực của đơn vị; không dùng để ban hành."
)
SIGNER_PLACEHOLDER = "[Họ và tên người ký]"
_CELL = {"font": "Times New Roman", "size": 22}  # half-points: 11 pt, the size of the table


def draft_file_name(period: object) -> str:
    """``bao_cao_2024Q1.docx``."""
    return f"bao_cao_{period}.docx"


def period_of(tables) -> Period:
    """The report period of ``tables`` (its ``quarter`` attribute: a Quarter, Period or text)."""
    return Period.parse(tables.quarter if not isinstance(tables.quarter, str) else tables.quarter.strip())


def _marked(text: str) -> RichText:
    """A placeholder a person must replace: italic on a yellow background."""
    return RichText(text, italic=True, highlight="FFFF00")


def _plain(text: str) -> RichText:
    return RichText(text)


def _cell(text: str, bold: bool = False) -> RichText:
    return RichText(text, bold=bold, **_CELL)


def _count(value) -> str:
    return fmt.number(value, 0)


def _value(indicator: str, value) -> str:
    if indicator == "avg_processing_days":
        return fmt.number(value)
    return fmt.percent_fixed(value)


def _signed(value) -> str:
    return fmt.signed_points(value)  # "+0,8", "−0,8" (U+2212), "0,0"


# --------------------------------------------------------------------------- annex rows


def form06_rows(form06: pd.DataFrame, unit: str | None) -> list[dict]:
    """Annex I rows ``{"cells": [13 RichText]}``: for the area the rows of form06.xlsx (sections
    by level, then field, then the total: :func:`~cchc_analysis.indicators.form06_xlsx.form06_rows`);
    for a unit its fields then its total."""
    from ..indicators.form06_xlsx import form06_rows as sheet_rows
    from ..schema import FORM06_COLUMNS

    if unit is None:
        rows = sheet_rows(form06)
    else:
        part = form06[form06["unit_code"] == unit]
        fields = part[part["field"] != "ALL"]
        rows = [(str(n), str(r["field"]), [int(r[c]) for c in FORM06_COLUMNS], "field")
                for n, (_, r) in enumerate(fields.iterrows(), start=1)]  # fmt: skip
        total = part[part["field"] == "ALL"]
        if len(total):
            rows.append(("", "TỔNG CỘNG", [int(total.iloc[0][c]) for c in FORM06_COLUMNS], "total"))
    return [
        {"cells": [_cell(stt, kind != "field"), _cell(str(label), kind != "field"),
                   *(_cell(_count(v), kind != "field") for v in counts)]}  # fmt: skip
        for stt, label, counts, kind in rows
    ]


def scope_codes(tables, unit: str | None) -> list[str]:
    """Rows of Annex II: the area, its levels and reception centres (the area) or the unit."""
    if unit is not None:
        return [unit]
    present = list(dict.fromkeys(tables.indicators["unit_code"]))
    centres = set(refdata.load_reception_points()["code"])
    return [c for c in ["ALL", *LEVEL_LABELS] if c in present] + [c for c in present if c in centres]


def scope_name(code: str) -> str:
    """Vietnamese name of a row scope: "Toàn địa bàn", "Cấp xã", a unit or centre name."""
    if code == "ALL":
        return "Toàn địa bàn"
    return LEVEL_LABELS.get(code) or refdata.unit_names().get(code, code)


def indicator_rows(tables, unit: str | None) -> list[dict]:
    """Annex II rows (field ALL), indicators in the order of :data:`INDICATOR_LABELS`."""
    ind = tables.indicators
    ind = ind[ind["field"] == "ALL"]
    order = {name: i for i, name in enumerate(INDICATOR_LABELS)}
    rows = []
    for name in sorted(dict.fromkeys(ind["indicator"]), key=lambda n: order.get(n, len(order))):
        for code in scope_codes(tables, unit):
            hit = ind[(ind["indicator"] == name) & (ind["unit_code"] == code)]
            if not len(hit):
                continue
            r = hit.iloc[0]
            met = r["meets_target"]
            rows.append({
                "stt": str(len(rows) + 1), "indicator": INDICATOR_LABELS.get(name, name), "scope": scope_name(code),
                "numerator": _count(r["numerator"]), "denominator": _count(r["denominator"]),
                "value": _value(name, r["value"]), "previous": _value(name, r["previous_quarter"]),
                "year_ago": _value(name, r["same_quarter_last_year"]), "change": _signed(r["change_pp"]),
                "target": _value(name, r["target"]),
                "met": fmt.MISSING if met is pd.NA or met is None or (isinstance(met, float) and math.isnan(met))
                else ("Đạt" if bool(met) else "Chưa đạt"),
            })  # fmt: skip
    return rows


def ranking_rows(tables, unit: str | None) -> list[dict]:
    """Annex III rows: the ranking of units by on-time rate (only the unit's row for a unit)."""
    rank = tables.ranking if unit is None else tables.ranking[tables.ranking["unit_code"] == unit]
    return [
        {"rank": str(int(r["rank"])), "unit": str(r["unit_name"]), "level": LEVEL_LABELS.get(str(r["level"]), str(r["level"])),
         "resolved": _count(r["resolved_total"]), "on_time": _count(r["resolved_on_time_or_early"]),
         "rate": fmt.percent_fixed(r["on_time_rate"])}  # fmt: skip
        for _, r in rank.iterrows()
    ]


# --------------------------------------------------------------------------- the context


def _issuer_context(issuer: Issuer) -> dict:
    return {
        "parent": issuer.parent, "line1": issuer.line1, "line2": issuer.line2, "body_name": issuer.body_name,
        "place": issuer.place, "symbol": issuer.symbol, "signer_capacity": issuer.signer_capacity,
        "signer_title": issuer.signer_title, "recipients": issuer.recipients,
        "signer_name": _marked(SIGNER_PLACEHOLDER), "placeholder": issuer.placeholder,
    }  # fmt: skip


def draft_context(tables, manual_input: str | Path | None = None, unit: str | None = None) -> dict:
    """Everything the template needs (plain values and RichText), for tests and other templates."""
    period = period_of(tables)
    issuer = issuer_for(tables.end, unit)
    manual = read_manual_input(manual_input)
    sections = {key: [_plain(p) for p in manual[key]] if key in manual else [_marked(placeholder(key))]
                for key in SECTIONS}  # fmt: skip
    data = {name: [_plain(p) for p in paras] for name, paras in sentences.data_sections(tables, period, unit).items()}
    label = period.label_vi()
    convention = "theo Nghị định số 09/2019/NĐ-CP" if tables.period == "nd09" else "theo tháng dương lịch"
    scope = "" if unit is None else f"; đơn vị: {scope_name(unit)}"
    return {
        "issuer": _issuer_context(issuer),
        "number": "…",
        "issue_year": tables.end.year,
        "subject": f"Kết quả công tác cải cách hành chính {label}",
        "period_note": f"(Số liệu từ ngày {fmt.date_short(tables.start)} đến ngày {fmt.date_short(tables.end)}, "
                       f"kỳ báo cáo {convention}{scope})",
        "synthetic": bool(tables.synthetic),
        "synthetic_notice": SYNTHETIC_NOTICE,
        "intro": f"Thực hiện chế độ báo cáo định kỳ về công tác cải cách hành chính, {issuer.body_name} "
                 f"báo cáo kết quả công tác cải cách hành chính {label} như sau:",
        "closing": f"Trên đây là báo cáo kết quả công tác cải cách hành chính {label} của {issuer.body_name}./.",
        "sections": sections,
        "data": data,
        "annex_form06_title": "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH (Biểu số 06/VPCP/KSTT)",
        "form06_caption": f"Kỳ báo cáo: {period.short_label_vi()} (từ ngày {fmt.date_short(tables.start)} đến ngày "
                          f"{fmt.date_short(tables.end)}); đơn vị tính: hồ sơ",
        "form06_rows": form06_rows(tables.form06, unit),
        "indicator_caption": "Tỷ lệ tính trên số hồ sơ có thông tin; kỳ trước, cùng kỳ năm trước và mục tiêu "
                             "theo cùng cách tính; \"–\": không có số liệu",
        "indicator_rows": indicator_rows(tables, unit),
        "ranking_rows": ranking_rows(tables, unit),
        "ranking_note": "Đơn vị không có hồ sơ đã giải quyết trong kỳ không được xếp hạng; các đơn vị cùng tỷ lệ "
                        "đồng hạng.",
    }  # fmt: skip


def template_path() -> Path:
    """The template in use: ``data/reference/templates/bao_cao.docx`` if present, else the shipped one."""
    return reference_path(TEMPLATE_NAME)


def write_word_draft(tables, out_path: str | Path, manual_input: str | Path | None = None,
                     unit: str | None = None) -> Path:
    """Write the Word draft of one period's report to ``out_path`` (atomically).

    Parameters
    ----------
    tables
        The period's tables (``QuarterTables`` from ``read_quarter`` or shaped like it).
    out_path
        The .docx to write, by convention ``outputs/<period>/bao_cao_<period>.docx``
        (:func:`draft_file_name`).
    manual_input
        The analyst's manual-input file (:mod:`.manual`); None or a missing file leaves every
        manual section as a placeholder.
    unit
        A unit code for that unit's own report (issued by the unit, its figures only); None for
        the area report.

    Returns
    -------
    Path
        ``out_path``.
    """
    if unit is not None and not (tables.form06["unit_code"] == unit).any():
        raise InputError(None, f"unit '{unit}' has no row in form06 of {tables.quarter}; no report can be drafted for it")
    context = draft_context(tables, manual_input, unit)
    template = template_path()
    if not template.exists():
        raise InputError(template, "Word template not found; rebuild it with `python -m cchc_analysis.pack.template_builder`")

    def render(tmp: Path) -> None:
        doc = DocxTemplate(str(template))
        doc.render(context, autoescape=True)
        doc.save(str(tmp))
        _fix_zip_times(tmp)

    return atomic_write(out_path, render)


def _fix_zip_times(path: Path) -> None:
    """Give every member of the saved .docx the same fixed time stamp, so the same figures give
    the same bytes (zip members otherwise carry the time of writing)."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            target.writestr(fixed, data)
