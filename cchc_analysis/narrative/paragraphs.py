"""The paragraphs of the narrative: results, comparison with earlier quarters, shortcomings."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .. import fmt, refdata
from ..safe_text import escape_markdown
from ..indicators import definitions
from .names import (
    ALL,
    COMPARED_INDICATORS,
    HCC,
    INDICATOR_PHRASES,
    RESULT_CLAUSES,
    TOP_FIELDS,
    _capitalise,
    _centre_name,
    _join,
    _missing,
    _row,
    _value,
    commune_level_name,
    coverage_note,
    coverage_text,
    no_dossiers,
    nothing_known,
    town_name,
    unit_display_name,
)


# --- results -----------------------------------------------------------------------------------


def _on_time_subjects(indicators: pd.DataFrame, unit: str | None) -> list[tuple[str, str]]:
    # (unit_code, who decided) for the on-time clauses, in the published order.
    if unit is not None:
        return [(unit, unit_display_name(unit))]
    subjects = [("huyen", town_name(indicators)), ("xa", commune_level_name(indicators))]
    present = [(code, who) for code, who in subjects if _value(indicators, code, "on_time_rate") is not None]
    return present


def on_time_clauses(indicators: pd.DataFrame, unit: str | None = None) -> list[str]:
    """Clauses "tỷ lệ hồ sơ TTHC do UBND thị xã tiếp nhận giải quyết đúng hạn đạt 97,5%", ...

    For the whole area one clause per level present (town, then commune level), the second
    shortened as in the published report; the whole area's rate when neither level exists.
    """
    subjects = _on_time_subjects(indicators, unit)
    clauses = []
    for i, (code, who) in enumerate(subjects):
        value = fmt.percent_fixed(_value(indicators, code, "on_time_rate"))
        lead = "tỷ lệ hồ sơ TTHC " if i == 0 else ""
        clauses.append(f"{lead}do {who} tiếp nhận giải quyết đúng hạn đạt {value}")
    if not clauses and unit is None:
        value = _value(indicators, ALL, "on_time_rate")
        if value is not None:
            clauses.append(f"tỷ lệ hồ sơ TTHC giải quyết đúng hạn đạt {fmt.percent_fixed(value)}")
    return clauses


def centre_clause(indicators: pd.DataFrame) -> str | None:
    """"hồ sơ giải quyết đúng hạn tại Trung tâm HCC thị xã Hương Thủy đạt 94,5%, tại xã, phường
    đạt 98,8%"; None when there is no town centre (after 2025-07-01)."""
    centre = _value(indicators, HCC, "on_time_rate")
    if centre is None:
        return None
    clause = f"hồ sơ giải quyết đúng hạn tại {_centre_name(HCC)} đạt {fmt.percent_fixed(centre)}"
    communes = _value(indicators, "xa", "on_time_rate")
    if communes is not None:
        where = commune_level_name(indicators, with_ubnd=False)
        clause += f", tại {where} đạt {fmt.percent_fixed(communes)}"
    return clause


def _result_clause(indicators: pd.DataFrame, form06: pd.DataFrame | None, scope: str, indicator: str,
                   template: str) -> str | None:
    value = _value(indicators, scope, indicator)
    if value is not None:
        clause = template.format(fmt.percent_fixed(value))
        if indicator == "one_stop_rate":
            return clause
        return clause + coverage_note(indicators, form06, scope, indicator)
    if nothing_known(indicators, scope, indicator):
        return f"{INDICATOR_PHRASES[indicator]}: chưa có dữ liệu"
    return None


def results_paragraph(indicators: pd.DataFrame, quarter_label: str, unit: str | None = None,
                      form06: pd.DataFrame | None = None) -> str:
    """The results paragraph, in the style of the published quarterly report.

    Parameters
    ----------
    indicators
        ``indicators.csv`` as a frame.
    quarter_label
        "quý I năm 2024".
    unit
        A unit code for that unit's own report; None for the whole area.

    Returns
    -------
    str
        "Trong quý I năm 2024, tỷ lệ hồ sơ TTHC do UBND thị xã tiếp nhận giải quyết đúng hạn đạt
        97,5%; ...; hồ sơ giải quyết đúng hạn tại Trung tâm HCC ... đạt 94,5%, tại xã, phường
        đạt 98,8%." Clauses whose figure is missing are left out; a rate with eligible
        dossiers but none whose facts are known says "chưa có dữ liệu"; a rate counted on part
        of its dossiers says on how many ("tính trên 2.733/3.489 hồ sơ có thông tin"). A unit
        with no dossier in the period gets that plain statement and no success sentence.
    """
    scope = ALL if unit is None else unit
    if no_dossiers(indicators, scope):
        clauses = [
            c for n, t in RESULT_CLAUSES
            if definitions.REGISTRY[n].source not in ("dossiers", "catalogue")
            and (c := _result_clause(indicators, form06, scope, n, t))
        ]
        whose = "" if unit is None else f" của {unit_display_name(unit)}"
        lead = f"Trong kỳ, dữ liệu không có hồ sơ nào{whose}."
        return lead if not clauses else f"{lead} Trong {quarter_label}, {'; '.join(clauses)}."
    clauses = on_time_clauses(indicators, unit)
    for indicator, template in RESULT_CLAUSES:
        clause = _result_clause(indicators, form06, scope, indicator, template)
        if clause:
            clauses.append(clause)
    days = _value(indicators, scope, "avg_processing_days")
    if days is not None:
        clauses.append(f"thời gian giải quyết bình quân {fmt.number_fixed(days)} ngày làm việc/hồ sơ")
    if unit is None:
        centre = centre_clause(indicators)
        if centre:
            clauses.append(centre)
    if not clauses:
        return f"Trong {quarter_label}, chưa có số liệu về kết quả giải quyết TTHC."
    return f"Trong {quarter_label}, {'; '.join(clauses)}."


# --- comparison --------------------------------------------------------------------------------


def change_phrase(delta: float | None, against: str) -> str | None:
    """"tăng 1,2 điểm phần trăm so với quý IV năm 2023", "giảm ...", "không thay đổi so với ...".

    ``delta`` is the change as displayed (``fmt.shown_change``): "không thay đổi" exactly when
    the two displayed values are equal; a missing comparison gives None.
    """
    if _missing(delta):
        return None
    shown = fmt.rounded(delta)
    if shown.is_zero():
        return f"không thay đổi so với {against}"
    verb = "tăng" if shown > 0 else "giảm"
    return f"{verb} {fmt.number_fixed(abs(shown))} điểm phần trăm so với {against}"


def _changes(row: pd.Series) -> tuple[float | None, float | None]:
    # Both changes from the values as displayed (rounded half up to one decimal).
    previous = fmt.shown_change(row["value"], row.get("previous_quarter"))
    year = fmt.shown_change(row["value"], row.get("same_quarter_last_year"))
    return (None if previous is None else float(previous)), (None if year is None else float(year))


def _compared(indicators: pd.DataFrame, unit: str | None) -> list[tuple[str, str, str]]:
    # (subject phrase, unit_code, indicator)
    scope = ALL if unit is None else unit
    items = [
        (f"Tỷ lệ hồ sơ TTHC {clause.removeprefix('tỷ lệ hồ sơ TTHC ').split(' đạt ')[0]}", code, "on_time_rate")
        for clause, (code, _who) in zip(
            on_time_clauses(indicators, unit), _on_time_subjects(indicators, unit), strict=False
        )
    ]
    if not items and unit is None:
        items.append(("Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", ALL, "on_time_rate"))
    if unit is None and _value(indicators, HCC, "on_time_rate") is not None:
        items.append((f"Tỷ lệ hồ sơ giải quyết đúng hạn tại {_centre_name(HCC)}", HCC, "on_time_rate"))
    items += [(_capitalise(INDICATOR_PHRASES[n]), scope, n) for n in COMPARED_INDICATORS]
    return items


def comparison_paragraph(
    indicators: pd.DataFrame,
    previous_label: str,
    year_ago_label: str,
    unit: str | None = None,
) -> str:
    """Sentences comparing the headline rates with the previous quarter and a year earlier.

    Parameters
    ----------
    previous_label
        "quý IV năm 2023".
    year_ago_label
        How the same quarter last year is named, e.g. "cùng kỳ năm 2023".

    Returns
    -------
    str
        e.g. "Tỷ lệ hồ sơ TTHC do UBND thị xã tiếp nhận giải quyết đúng hạn tăng 1,2 điểm phần
        trăm so với quý IV năm 2023 và không thay đổi so với cùng kỳ năm 2023." One sentence per
        rate that has at least one comparison; "" when none has.
    """
    sentences = []
    for subject, code, indicator in _compared(indicators, unit):
        row = _row(indicators, code, indicator)
        if row is None:
            continue
        previous, year = _changes(row)
        phrases = [
            p
            for p in (change_phrase(previous, previous_label), change_phrase(year, year_ago_label))
            if p
        ]
        if phrases:
            sentences.append(f"{subject} {_join(phrases)}.")
    return " ".join(sentences)


# --- shortcomings ------------------------------------------------------------------------------


def quality_count(quality: pd.DataFrame | None, check: str, unit: str | None = None) -> int | None:
    """Count of a quality check for the area (``ALL`` row, else the sum of unit rows) or a unit.

    None when the check is absent (e.g. the export had no apology column).
    """
    if quality is None or quality.empty:
        return None
    rows = quality[quality["check"] == check]
    if unit is not None:
        rows = rows[rows["unit_code"] == unit]
    else:
        area = rows[rows["unit_code"].isna() | rows["unit_code"].isin([ALL, ""])]
        rows = area if not area.empty else rows
    if rows.empty:
        return None
    return int(rows["count"].sum())


def _form06_row(form06: pd.DataFrame, unit_code: str, field: str = ALL) -> pd.Series | None:
    rows = form06[(form06["unit_code"] == unit_code) & (form06["field"] == field)]
    return None if rows.empty else rows.iloc[0]


def _counts(pairs: Iterable[tuple[str, int]]) -> list[str]:
    return [f"{name} ({fmt.number(n)} hồ sơ)" for name, n in pairs]


def late_sentences(form06: pd.DataFrame, unit: str | None = None) -> list[str]:
    """Sentences on dossiers resolved late and pending past their due date (form 06).

    The whole area names the (up to three) fields with most late dossiers and every unit that
    had any; a unit's report names its fields.
    """
    scope = ALL if unit is None else unit
    total = _form06_row(form06, scope)
    if total is None or int(total["received_total"]) == 0:
        return []  # no dossier in the period: the results paragraph says so, nothing to praise
    late, overdue = int(total["resolved_late"]), int(total["pending_overdue"])
    if late == 0:
        sentence = "Trong kỳ không có hồ sơ giải quyết quá hạn"
    else:
        sentence = f"Trong kỳ có {fmt.number(late)} hồ sơ giải quyết quá hạn"
        fields = form06[(form06["unit_code"] == scope) & (form06["field"] != ALL) & (form06["resolved_late"] > 0)]
        fields = fields.sort_values(["resolved_late", "field"], ascending=[False, True]).head(TOP_FIELDS)
        if len(fields):
            names = fields["field"].map(escape_markdown)  # export text: data, never markup
            named = _counts(zip(names, fields["resolved_late"].astype(int), strict=True))
            # "chủ yếu" only for a majority of the late dossiers.
            if 2 * int(fields["resolved_late"].sum()) > late:
                sentence += f", chủ yếu thuộc lĩnh vực {_join(named)}"
            else:
                sentence += f", trong đó nhiều nhất ở lĩnh vực {_join(named)}"
    if overdue:
        sentence += f"; {fmt.number(overdue)} hồ sơ đang giải quyết đã quá hạn"
    sentences = [sentence + "."]
    if unit is None and late:
        codes = list(refdata.load_units()["code"])
        units = form06[(form06["field"] == ALL) & form06["unit_code"].isin(codes) & (form06["resolved_late"] > 0)]
        units = units.sort_values(["resolved_late", "unit_code"], ascending=[False, True])
        if len(units):
            named = _counts(
                (unit_display_name(c), int(n)) for c, n in zip(units["unit_code"], units["resolved_late"], strict=True)
            )
            sentences.append(f"Đơn vị có hồ sơ giải quyết quá hạn: {', '.join(named)}.")
    return sentences


def below_target_sentences(below_target: pd.DataFrame | None, unit: str | None = None,
                           indicators: pd.DataFrame | None = None, form06: pd.DataFrame | None = None) -> list[str]:
    """Sentences naming the units, fields and indicators below their targets (below_target.csv).

    With ``indicators`` (and ``form06``), an indicator counted on part of its dossiers says on
    how many ("tính trên 2.733/3.489 hồ sơ có thông tin"): its value is over known facts only.
    """
    if below_target is None or below_target.empty:
        return []
    sentences = []
    on_time = below_target[below_target["indicator"] == "on_time_rate"]
    target = on_time["target"].dropna()
    target_text = f" ({fmt.percent_fixed(target.iloc[0])})" if len(target) and target.nunique() == 1 else ""
    if unit is None:
        # Units only: a reception point (whose dossiers are its units') is never listed beside
        # its own units; it keeps its own sentence.
        unit_codes = set(refdata.load_units()["code"])
        units = on_time[(on_time["field"] == ALL) & on_time["unit_code"].isin(unit_codes)]
        units = units.sort_values(["value", "unit_code"])
        if len(units):
            named = [
                f"{unit_display_name(c)} ({fmt.percent_fixed(v)})" for c, v in zip(units["unit_code"], units["value"], strict=True)
            ]
            sentences.append(f"Đơn vị chưa đạt chỉ tiêu giải quyết hồ sơ đúng hạn{target_text}: {', '.join(named)}.")
        points = set(refdata.load_reception_points()["code"])
        centres = on_time[(on_time["field"] == ALL) & on_time["unit_code"].isin(points)].sort_values("unit_code")
        for code, value in zip(centres["unit_code"], centres["value"], strict=True):
            sentences.append(
                f"Tỷ lệ hồ sơ giải quyết đúng hạn tại {_centre_name(code)} đạt {fmt.percent_fixed(value)}, "
                f"chưa đạt chỉ tiêu{target_text}."
            )
    scope = ALL if unit is None else unit
    fields = on_time[(on_time["unit_code"] == scope) & (on_time["field"] != ALL)].sort_values(["value", "field"])
    if len(fields):
        named = [f"{escape_markdown(f)} ({fmt.percent_fixed(v)})" for f, v in zip(fields["field"], fields["value"], strict=True)]
        sentences.append(f"Lĩnh vực chưa đạt chỉ tiêu giải quyết hồ sơ đúng hạn{target_text}: {', '.join(named)}.")
    others = below_target[(below_target["unit_code"] == scope) & (below_target["field"] == ALL)]
    if unit is None:
        others = others[others["indicator"] != "on_time_rate"]
    order = definitions.names()  # the registry: every registered indicator, in report order
    others = others[others["indicator"].isin(order)].sort_values(
        "indicator", key=lambda s: s.map(order.index)
    )
    if len(others):
        named = [
            f"{INDICATOR_PHRASES[n]} đạt {fmt.percent_fixed(v)} (chỉ tiêu {fmt.percent_fixed(t)}"
            + ("" if indicators is None or not (c := coverage_text(indicators, form06, scope, n)) else f"; {c}")
            + ")"
            for n, v, t in zip(others["indicator"], others["value"], others["target"], strict=True)
        ]
        sentences.append(f"Chỉ tiêu chưa đạt: {'; '.join(named)}.")
    return sentences


def apology_unknown_sentence(indicators: pd.DataFrame | None, unit: str | None = None) -> str | None:
    """"Chưa có thông tin về phiếu xin lỗi của 11 hồ sơ giải quyết quá hạn (UBND xã Thủy Tân:
    6 hồ sơ, ...)." from the ``unknown`` of ``apology_rate``: late dossiers whose export has no
    apology column are not blamed, only named as unknown. None when every slip is known."""
    if indicators is None or "unknown" not in indicators.columns:
        return None
    rows = indicators[(indicators["indicator"] == "apology_rate") & (indicators["field"] == ALL)]
    scope = ALL if unit is None else unit
    total = rows.loc[rows["unit_code"] == scope, "unknown"]
    n = 0 if total.empty or _missing(total.iloc[0]) else int(total.iloc[0])
    if n == 0:
        return None
    sentence = f"Chưa có thông tin về phiếu xin lỗi của {fmt.number(n)} hồ sơ giải quyết quá hạn"
    if unit is None:
        units = rows[rows["unit_code"].isin(set(refdata.load_units()["code"])) & rows["unknown"].fillna(0).gt(0)]
        units = units.sort_values(["unknown", "unit_code"], ascending=[False, True])
        if len(units):
            named = [f"{unit_display_name(c)}: {fmt.number(int(k))} hồ sơ" for c, k in zip(units["unit_code"], units["unknown"], strict=True)]
            sentence += f" ({', '.join(named)})"
    return sentence + "."


def quality_sentences(quality: pd.DataFrame | None, late: int | None, unit: str | None = None,
                      indicators: pd.DataFrame | None = None) -> list[str]:
    """Sentences on missing apology slips and appointment dates beyond the statutory time.

    Only known facts blame: ``late_without_apology`` counts dossiers known to have no slip;
    late dossiers whose slip is unknown are named as such (:func:`apology_unknown_sentence`).
    """
    sentences = []
    without_apology = quality_count(quality, "late_without_apology", unit)
    unknown = apology_unknown_sentence(indicators, unit)
    if without_apology:
        sentences.append(f"Có {fmt.number(without_apology)} hồ sơ giải quyết quá hạn chưa có phiếu xin lỗi.")
    elif without_apology == 0 and late and unknown is None:
        sentences.append("Tất cả hồ sơ giải quyết quá hạn đều có phiếu xin lỗi.")
    if unknown:
        sentences.append(unknown)
    beyond = quality_count(quality, "appointment_beyond_statute", unit)
    if beyond:
        sentences.append(
            f"Có {fmt.number(beyond)} hồ sơ có ngày hẹn trả dài hơn thời hạn giải quyết theo quy định."
        )
    return sentences


def shortcomings_paragraph(
    form06: pd.DataFrame,
    quality: pd.DataFrame | None,
    below_target: pd.DataFrame | None,
    unit: str | None = None,
    indicators: pd.DataFrame | None = None,
) -> str:
    """The "tồn tại, hạn chế" paragraph: late dossiers, who and what is below target, slips.

    Returns
    -------
    str
        Sentences on late and overdue dossiers (by field, by unit), units, fields and indicators
        below target, late dossiers without an apology slip and appointment dates beyond the
        statutory time; "" when the tables say nothing about any of these.
    """
    scope = ALL if unit is None else unit
    total = _form06_row(form06, scope)
    late = None if total is None else int(total["resolved_late"])
    sentences = (
        late_sentences(form06, unit)
        + below_target_sentences(below_target, unit, indicators, form06)
        + quality_sentences(quality, late, unit, indicators)
    )
    return " ".join(sentences)
