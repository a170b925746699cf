"""The data-written paragraphs of the Word draft, in the words provinces use in CCHC reports.

Every figure goes through :mod:`cchc_analysis.fmt` (1.234; 97,5%; "tăng 0,4 điểm phần trăm").
A figure the tables do not have is said to be missing, never written as 0 or 100 %.
Plain text only: the template inserts it escaped.
"""

from __future__ import annotations

import pandas as pd

from .. import fmt, refdata
from ..labels import INDICATOR_LABELS
from ..periods import Period

DIGITAL_INDICATORS = ("online_rate", "full_online_rate", "digitised_input_rate", "digitised_result_rate",
                      "reuse_rate", "online_payment_rate", "edoc_rate")  # fmt: skip
COMPARED_INDICATORS = ("on_time_rate", "online_rate", "full_online_rate", "digitised_input_rate", "online_payment_rate")
LEVELS = ("tinh", "huyen", "xa")
SECTION_LEVELS = {"tinh": "cấp tỉnh (trên địa bàn)", "huyen": "cấp huyện", "xa": "cấp xã"}


def _missing(value) -> bool:
    return fmt._is_missing(value)  # noqa: SLF001 (fmt's one rule for a missing value)


def _n(value) -> str:
    return fmt.number(value, 0)


def _form06(tables, code: str, field: str = "ALL") -> pd.Series | None:
    f = tables.form06
    hit = f[(f["unit_code"] == code) & (f["field"] == field)]
    return hit.iloc[0] if len(hit) else None


def _indicator(tables, code: str, name: str, field: str = "ALL") -> pd.Series | None:
    ind = tables.indicators
    hit = ind[(ind["unit_code"] == code) & (ind["field"] == field) & (ind["indicator"] == name)]
    return hit.iloc[0] if len(hit) else None


def _unknown_note(row: pd.Series) -> str:
    if "unknown" in row.index and not _missing(row["unknown"]) and int(row["unknown"]) > 0:
        return f"; {_n(row['unknown'])} hồ sơ không rõ thông tin, không tính"
    return ""


def _unit_codes() -> set[str]:
    return set(refdata.load_units()["code"])


def form06_sentence(f: pd.Series) -> str:
    """Form 06 written out: "Tổng số hồ sơ tiếp nhận giải quyết … đang giải quyết … (trong hạn …, quá hạn …)."."""
    new = int(f["received_online"]) + int(f["received_offline"])
    return (
        f"Tổng số hồ sơ tiếp nhận giải quyết: {_n(f['received_total'])} hồ sơ, trong đó tiếp nhận mới trong kỳ "
        f"{_n(new)} hồ sơ (trực tuyến {_n(f['received_online'])} hồ sơ, trực tiếp và qua dịch vụ bưu chính công ích "
        f"{_n(f['received_offline'])} hồ sơ), từ kỳ trước chuyển sang {_n(f['carried_over'])} hồ sơ; "
        f"đã giải quyết {_n(f['resolved_total'])} hồ sơ (trước hạn {_n(f['resolved_early'])}, đúng hạn "
        f"{_n(f['resolved_on_time'])}, quá hạn {_n(f['resolved_late'])}); đang giải quyết {_n(f['pending_total'])} "
        f"hồ sơ (trong hạn {_n(f['pending_within_due'])}, quá hạn {_n(f['pending_overdue'])})."
    )


def _rate_phrase(row: pd.Series | None) -> str:
    if row is None or _missing(row["value"]):
        return "chưa có số liệu"
    text = f"đạt {fmt.percent_fixed(row['value'])}"
    if not _missing(row["target"]):
        met = row["meets_target"]
        verdict = "" if met is pd.NA or _missing(met) else (", đạt mục tiêu" if bool(met) else ", chưa đạt mục tiêu")
        text += f" (mục tiêu {fmt.percent_fixed(row['target'])}{verdict})"
    return text


def tthc_paragraphs(tables, unit: str | None) -> list[str]:
    """Cải cách TTHC: form 06, on-time rates by level, the centre, late dossiers, apology slips, PAKN."""
    code = unit or "ALL"
    out = []
    f = _form06(tables, code)
    if f is None:
        return ["Không có số liệu giải quyết hồ sơ trong kỳ."]
    out.append(form06_sentence(f))
    line = f"Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn {_rate_phrase(_indicator(tables, code, 'on_time_rate'))}"
    if unit is None:
        by_level = [(lvl, _indicator(tables, lvl, "on_time_rate")) for lvl in LEVELS]
        parts = [f"{SECTION_LEVELS[lvl]} {fmt.percent_fixed(r['value'])}" for lvl, r in by_level if r is not None and not _missing(r["value"])]
        if parts:
            line += "; trong đó: " + ", ".join(parts)
    out.append(line + ".")
    if unit is None:
        for centre, name in zip(refdata.load_reception_points()["code"], refdata.load_reception_points()["name"], strict=True):
            c = _form06(tables, centre)
            if c is None or int(c["received_total"]) == 0:
                continue
            out.append(
                f"{name} tiếp nhận {_n(c['received_total'])} hồ sơ (trực tuyến {_n(c['received_online'])}, từ kỳ trước "
                f"chuyển sang {_n(c['carried_over'])}); đã giải quyết {_n(c['resolved_total'])} hồ sơ, tỷ lệ đúng hạn và "
                f"trước hạn {_rate_phrase(_indicator(tables, centre, 'on_time_rate'))}; quá hạn {_n(c['resolved_late'])} hồ sơ."
            )  # fmt: skip
    out.extend(_late_paragraphs(tables, unit, f))
    out.append(_apology_paragraph(tables, code))
    pakn = _pakn_paragraph(tables, code)
    if pakn:
        out.append(pakn)
    return out


def _late_paragraphs(tables, unit: str | None, f: pd.Series) -> list[str]:
    late = int(f["resolved_late"])
    if late == 0:
        return ["Không có hồ sơ giải quyết quá hạn trong kỳ."]
    f06 = tables.form06
    names = refdata.unit_names()
    text = f"Hồ sơ giải quyết quá hạn: {_n(late)} hồ sơ"
    if unit is None:
        units = f06[(f06["field"] == "ALL") & f06["unit_code"].isin(_unit_codes()) & (f06["resolved_late"] > 0)]
        units = units.sort_values(["resolved_late", "unit_code"], ascending=[False, True])
        if len(units):
            text += "; theo đơn vị: " + ", ".join(f"{names.get(u, u)} {_n(n)}" for u, n in zip(units["unit_code"], units["resolved_late"], strict=True))
    fields = f06[(f06["unit_code"] == (unit or "ALL")) & (f06["field"] != "ALL") & (f06["resolved_late"] > 0)]
    fields = fields.sort_values(["resolved_late", "field"], ascending=[False, True])
    if len(fields):
        text += "; theo lĩnh vực: " + ", ".join(f"{fld} {_n(n)}" for fld, n in zip(fields["field"], fields["resolved_late"], strict=True))
    return [text + "."]


def _apology_paragraph(tables, code: str) -> str:
    row = _indicator(tables, code, "apology_rate")
    if row is None or _missing(row["denominator"]) or int(row["denominator"]) == 0 or _missing(row["value"]):
        return "Phiếu xin lỗi đối với hồ sơ quá hạn: chưa có số liệu (dữ liệu xuất không có thông tin này hoặc không có hồ sơ quá hạn)."
    missing = int(row["denominator"]) - int(row["numerator"])
    return (
        f"Đã gửi phiếu xin lỗi đối với {_n(row['numerator'])}/{_n(row['denominator'])} hồ sơ giải quyết quá hạn "
        f"({fmt.percent_fixed(row['value'])}){_unknown_note(row)}; còn {_n(missing)} hồ sơ quá hạn chưa có phiếu xin lỗi."
    )


def _pakn_paragraph(tables, code: str) -> str | None:
    handled = _indicator(tables, code, "pakn_handled_rate")
    if handled is None or _missing(handled["denominator"]):
        return None
    if int(handled["denominator"]) == 0:
        return "Phản ánh, kiến nghị về quy định hành chính: dữ liệu của kỳ không ghi nhận phản ánh, kiến nghị nào."
    text = (f"Phản ánh, kiến nghị về quy định hành chính và giải quyết TTHC: tiếp nhận {_n(handled['denominator'])} "
            f"(kể cả kỳ trước chuyển sang), đã xử lý {_n(handled['numerator'])}")  # fmt: skip
    if not _missing(handled["value"]):
        text += f" ({fmt.percent_fixed(handled['value'])})"
    on_time = _indicator(tables, code, "pakn_on_time_rate")
    if on_time is not None and not _missing(on_time["value"]):
        text += f", trong đó đúng hạn {_n(on_time['numerator'])}/{_n(on_time['denominator'])} ({fmt.percent_fixed(on_time['value'])})"
    return text + "."


def digital_paragraphs(tables, unit: str | None) -> list[str]:
    """Chính quyền số: online, full-online, digitisation, reuse, online payment, e-documents."""
    code = unit or "ALL"
    out = []
    for name in DIGITAL_INDICATORS:
        row = _indicator(tables, code, name)
        if row is None:
            continue
        if _missing(row["value"]):
            out.append(f"- {INDICATOR_LABELS[name]}: chưa có số liệu.")
            continue
        unit_word = "văn bản" if name == "edoc_rate" else "hồ sơ"
        out.append(f"- {INDICATOR_LABELS[name]}: {_n(row['numerator'])}/{_n(row['denominator'])} {unit_word}, "
                   f"{_rate_phrase(row)}{_unknown_note(row)}.")  # fmt: skip
    return out or ["Không có số liệu về chính quyền số trong kỳ."]


def _change(now, before) -> str:
    delta = fmt.rounded(now) - fmt.rounded(before)
    if delta == 0:
        return "không đổi"
    return f"{'tăng' if delta > 0 else 'giảm'} {fmt.points(delta)}"


def comparison_paragraphs(tables, period: Period, unit: str | None) -> list[str]:
    """Each key rate against the previous period and the same period a year earlier (a
    cumulative period only against the same period a year earlier)."""
    code = unit or "ALL"
    previous, year_ago = period.previous(), period.year_ago()
    out = []
    for name in COMPARED_INDICATORS:
        row = _indicator(tables, code, name)
        if row is None or _missing(row["value"]):
            continue
        parts = []
        if previous != year_ago and not _missing(row["previous_quarter"]):
            parts.append(f"so với {previous.label_vi()} ({fmt.percent_fixed(row['previous_quarter'])}) "
                         f"{_change(row['value'], row['previous_quarter'])}")  # fmt: skip
        if not _missing(row["same_quarter_last_year"]):
            parts.append(f"so với cùng kỳ {year_ago.label_vi()} ({fmt.percent_fixed(row['same_quarter_last_year'])}) "
                         f"{_change(row['value'], row['same_quarter_last_year'])}")  # fmt: skip
        if parts:
            out.append(f"- {INDICATOR_LABELS[name]} {fmt.percent_fixed(row['value'])}: {'; '.join(parts)}.")
    if out:
        return ["So sánh với các kỳ trước:", *out]
    return ["Không có số liệu kỳ trước để so sánh."]


def shortcoming_paragraphs(tables, unit: str | None) -> list[str]:
    """Tồn tại, hạn chế: targets not met, units below the on-time target, overdue and missing apology slips."""
    code = unit or "ALL"
    out = []
    bt = tables.below_target
    own = bt[(bt["unit_code"] == code) & (bt["field"] == "ALL")]
    for _, r in own.iterrows():
        out.append(f"- {INDICATOR_LABELS.get(r['indicator'], r['indicator'])} đạt {fmt.percent_fixed(r['value'])}, "
                   f"chưa đạt mục tiêu {fmt.percent_fixed(r['target'])}.")  # fmt: skip
    if unit is None:
        names = refdata.unit_names()
        late_units = bt[(bt["indicator"] == "on_time_rate") & (bt["field"] == "ALL") & bt["unit_code"].isin(_unit_codes())]
        late_units = late_units.sort_values(["value", "unit_code"])
        if len(late_units):
            out.append("- Đơn vị có tỷ lệ giải quyết đúng hạn dưới mục tiêu: " + ", ".join(
                f"{names.get(u, u)} ({fmt.percent_fixed(v)})" for u, v in zip(late_units["unit_code"], late_units["value"], strict=True)) + ".")
    f = _form06(tables, code)
    if f is not None and int(f["pending_overdue"]) > 0:
        out.append(f"- Còn {_n(f['pending_overdue'])} hồ sơ đang giải quyết đã quá hạn.")
    q = tables.quality
    missing = q[(q["check"] == "late_without_apology") & (q["unit_code"] == code)]
    if len(missing) and int(missing["count"].iloc[0]) > 0:
        out.append(f"- {_n(missing['count'].iloc[0])} hồ sơ giải quyết quá hạn không có phiếu xin lỗi.")
    return out or ["Không có chỉ số nào dưới mục tiêu trong kỳ."]


def data_sections(tables, period: Period, unit: str | None) -> dict[str, list[str]]:
    """Paragraphs of the data sections, keyed as the template's ``data.*`` loops."""
    return {
        "tthc": tthc_paragraphs(tables, unit),
        "so_sanh": comparison_paragraphs(tables, period, unit),
        "chinh_quyen_so": digital_paragraphs(tables, unit),
        "han_che": shortcoming_paragraphs(tables, unit),
    }
