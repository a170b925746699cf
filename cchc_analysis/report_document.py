"""The meeting report as a document (issue 16 §3–4): its header, its links, its figure captions,
its tables as pandas Stylers and the index-estimate sections (issue 17), for ``notebook_display``.

Tables stay numeric: a :class:`pandas.io.formats.style.Styler` formats the cells for display
(``97,5%``, ``1.234``, signed changes with the minus sign U+2212) and marks unmet targets, so the
frame behind it keeps its numbers. Every Styler gets a fixed ``uuid`` (its table id), so the
committed notebooks' outputs are the same from run to run.

Links are relative to where ``cchc run`` writes the pages: ``outputs/<period>/report.html`` and
``outputs/<period>/units/<code>.html``; the period's files sit in ``outputs/<period>/``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from . import fmt, refdata
from .labels import INDICATOR_LABELS, LEVEL_LABELS

ALL = "ALL"
MINUS = "\u2212"
#: Caption (after "Hình n.") and Vietnamese alt text of each chart of ``charts.CHARTS`` and of
#: the late Pareto (``pareto_chart``, drawn from the score files).
FIGURE_TEXTS = {
    "on_time_by_unit": ("Tỷ lệ hồ sơ giải quyết đúng hạn theo đơn vị, {label}",
                        "Biểu đồ cột: tỷ lệ hồ sơ giải quyết đúng hạn của từng đơn vị so với chỉ tiêu, {label}; "
                        "đơn vị chưa đạt chỉ tiêu có cột gạch chéo."),
    "trend": ("Xu hướng các chỉ số chính qua các quý",
              "Biểu đồ đường: tỷ lệ giải quyết đúng hạn, tỷ lệ hồ sơ trực tuyến và tỷ lệ số hóa hồ sơ "
              "qua tối đa 8 quý đến {label}."),
    "channels": ("Số hồ sơ tiếp nhận theo kênh qua các quý",
                 "Biểu đồ cột chồng: số hồ sơ tiếp nhận trực tuyến và trực tiếp, bưu chính qua các quý đến {label}."),
    "late_by_field": ("Hồ sơ giải quyết quá hạn theo lĩnh vực, {label}",
                      "Biểu đồ cột ngang: số hồ sơ giải quyết quá hạn của từng lĩnh vực, {label}."),
    "late_by_unit": ("Hồ sơ giải quyết quá hạn theo đơn vị, {label}",
                     "Biểu đồ cột ngang: số hồ sơ giải quyết quá hạn của từng đơn vị, {label}."),
    "digital_rates": ("Các chỉ số chính quyền số so với chỉ tiêu, {label}",
                      "Biểu đồ cột: các tỷ lệ trực tuyến, số hóa, tái sử dụng, thanh toán trực tuyến so với chỉ tiêu, "
                      "{label}; chỉ số chưa đạt có cột gạch chéo."),
    "late_heatmap": ("Hồ sơ giải quyết quá hạn theo đơn vị và lĩnh vực, {label}",
                     "Bản đồ nhiệt: số hồ sơ giải quyết quá hạn ở mỗi cặp đơn vị và lĩnh vực, {label}; ô càng "
                     "đậm càng nhiều hồ sơ."),
    "late_pareto": ("Các cặp thủ tục – đơn vị có nhiều hồ sơ quá hạn nhất, {label}",
                    "Biểu đồ Pareto: cột gạch chéo là số hồ sơ quá hạn (đã giải quyết quá hạn và đang quá hạn) "
                    "của tối đa 10 cặp thủ tục – đơn vị nhiều nhất, nhiều nhất đứng đầu; đường liền có điểm tròn "
                    "là tỷ lệ cộng dồn trên tổng số hồ sơ quá hạn, đường đứt nét là mốc 80%, {label}."),
}


def scope_label(code: str) -> str:
    """Display name of a unit, reception centre or level; ``ALL`` is "Toàn địa bàn"."""
    if code == ALL:
        return "Toàn địa bàn"
    return LEVEL_LABELS.get(code) or refdata.unit_names().get(code, code)


# --------------------------------------------------------------------------- header and links


def header_html(tables: Any, unit: str | None = None) -> str:
    """The document header: issuing body (Nghị định 30/2020 layout), locality and period.

    The issuer comes from the pack's reference file (``pack.issuer_for``): the area's body, or
    the unit's own for a unit report.
    """
    from .pack import issuer_for

    issuer = issuer_for(tables.end, unit=unit)
    e = html.escape
    body = issuer.body_name
    locality = scope_label(unit) if unit else (body[len("Ủy ban nhân dân "):] if body.startswith("Ủy ban nhân dân ") else body)
    label = tables.quarter.label_vi()
    return (
        '<div class="cchc-header">'
        f'<div class="cchc-issuer"><div>{e(issuer.line1)}</div><div><b>{e(issuer.line2)}</b></div></div>'
        '<div class="cchc-nation"><div><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></div>'
        "<div><b>Độc lập - Tự do - Hạnh phúc</b></div></div></div>"
        f'<p class="cchc-meta">Cơ quan báo cáo: {e(body)} · Địa bàn: {e(locality)} · Kỳ báo cáo: {e(label)} '
        f"(từ ngày {e(fmt.date_short(tables.start))} đến ngày {e(fmt.date_short(tables.end))})</p>"
    )


def file_links(tables: Any, unit: str | None = None) -> list[tuple[str, str]]:
    """``(relative link, label)`` of the period's files and of the index, from the report page."""
    from .pack import draft_file_name, workbook_file_name

    period = str(tables.quarter)
    up = "../" if unit else ""
    suffix = f"_{unit}" if unit else ""
    return [
        (f"{up}form06.xlsx", "Biểu số 06/VPCP/KSTT (Excel)"),
        (f"{up}{workbook_file_name(period + suffix)}", "Phụ lục số liệu các chỉ số (Excel)"),
        (f"{up}{draft_file_name(period + suffix)}", "Dự thảo báo cáo (Word)"),
        (f"{up}../index.html", "Danh mục các báo cáo"),
    ]


def links_markdown(tables: Any, unit: str | None = None) -> str:
    """One Markdown line linking the period's files and the index."""
    return "**Tệp kèm theo:** " + " · ".join(f"[{label}]({href})" for href, label in file_links(tables, unit))


# --------------------------------------------------------------------------- figures


def figure_texts(name: str, number: int, label: str) -> tuple[str, str]:
    """``("Hình n. caption", alt text)`` of the chart ``name`` (a generic pair for others)."""
    caption, alt = FIGURE_TEXTS.get(name, ("Biểu đồ, {label}", "Biểu đồ số liệu {label}."))
    return f"Hình {number}. {caption.format(label=label)}", alt.format(label=label)


# --------------------------------------------------------------------------- styled tables


def signed(value: Any) -> str:
    """A change with its sign, one decimal: ``+0,8``, ``−1,2`` (U+2212), ``0,0``; ``–`` when missing."""
    if value is None or pd.isna(value):
        return fmt.MISSING
    r = fmt.rounded(value)
    return ("+" if r > 0 else MINUS if r < 0 else "") + fmt.number(abs(r))


def comparison_labels(cumulative: bool = False) -> tuple[str, str]:
    """Labels of the "previous" value and of the change against it.

    A quarter is compared with the quarter before; a 6-month, 9-month or year report
    (``Period.is_cumulative``) with the same period a year earlier, which the ``previous_quarter``
    column then holds.
    """
    if cumulative:
        return "Cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ năm trước"
    return "Quý trước", "Tăng/giảm so với quý trước"


def is_cumulative(tables: Any) -> bool:
    """True when ``tables`` is a 6-month, 9-month or year report."""
    return bool(getattr(tables.quarter, "is_cumulative", False))


def _value_formatter(indicator: str):
    if indicator == "avg_processing_days":
        return lambda v: fmt.MISSING if pd.isna(v) else fmt.number(float(v))
    return lambda v: fmt.MISSING if pd.isna(v) else fmt.percent(float(v))


def _count(v: Any) -> str:
    return fmt.MISSING if v is None or pd.isna(v) else fmt.number(int(v), 0)


UNMET_STYLE = "background-color: #f6e3dd; font-weight: bold;"


def indicators_styler(indicators: pd.DataFrame, unit_code: str = ALL, field: str = ALL, uuid: str = "chi_so",
                      cumulative: bool = False):
    """The indicators of one unit and field as a Styler: numbers kept, unmet targets marked.

    ``cumulative``: a 6-month, 9-month or year report, whose previous value is the same period
    a year earlier (one "Cùng kỳ năm trước" column, the change against it).
    """
    rows = indicators[(indicators["unit_code"] == unit_code) & (indicators["field"] == field)].reset_index(drop=True)
    met = rows["meets_target"].astype("boolean")
    previous, change = comparison_labels(cumulative)
    change = f"{change} (điểm %)"
    frame = pd.DataFrame({
        "Kết quả": rows["value"].astype("Float64"),
        "Tử số": rows["numerator"].astype("Float64").where(rows["indicator"] != "avg_processing_days"),
        "Mẫu số": rows["denominator"].astype("Float64"),
        previous: rows["previous_quarter"].astype("Float64"),
        **({} if cumulative else {"Cùng kỳ năm trước": rows["same_quarter_last_year"].astype("Float64")}),
        change: rows["change_pp"].astype("Float64").where(rows["indicator"] != "avg_processing_days"),
        "Chỉ tiêu": rows["target"].astype("Float64"),
        "Đánh giá": [fmt.MISSING if pd.isna(m) or pd.isna(v) else ("Đạt" if m else "Chưa đạt")
                     for m, v in zip(met, rows["value"], strict=True)],
    })
    frame.index = pd.Index([INDICATOR_LABELS.get(i, i) for i in rows["indicator"]])
    frame.columns.name = "Chỉ số"  # in the header's corner, not on a row of its own
    styler = frame.style.set_uuid(uuid)
    styler.cell_ids = False
    styler = styler.format(_count, subset=["Tử số", "Mẫu số"]).format(signed, subset=[change])
    value_cols = list(dict.fromkeys(["Kết quả", previous, "Cùng kỳ năm trước", "Chỉ tiêu"]))
    for position, indicator in enumerate(rows["indicator"]):
        styler = styler.format(_value_formatter(indicator), subset=pd.IndexSlice[frame.index[position:position + 1], value_cols])
    unmet = (frame["Đánh giá"] == "Chưa đạt").to_numpy()
    styler = styler.apply(lambda col: [UNMET_STYLE if u else "" for u in unmet], subset=["Kết quả", "Đánh giá"])
    return styler.format(escape="html", subset=["Đánh giá"]).format_index(escape="html", axis=0)


def unit_comparison_styler(indicators: pd.DataFrame, indicator: str = "on_time_rate", uuid: str = "don_vi",
                           cumulative: bool = False):
    """One indicator for every unit with something to rate, best first, as a Styler
    (``cumulative``: compared with the same period a year earlier)."""
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["field"] == ALL)]
    units = refdata.load_units()
    rows = rows[rows["unit_code"].isin(units["code"]) & (rows["denominator"].fillna(0) > 0)]
    rows = rows.sort_values(["value", "unit_code"], ascending=[False, True], na_position="last").reset_index(drop=True)
    label = INDICATOR_LABELS.get(indicator, indicator)
    previous = comparison_labels(cumulative)[0]
    frame = pd.DataFrame({
        label: rows["value"].astype("Float64"),
        "Mẫu số": rows["denominator"].astype("Float64"),
        previous: rows["previous_quarter"].astype("Float64"),
        "Thay đổi (điểm %)": rows["change_pp"].astype("Float64"),
        "Đánh giá": [fmt.MISSING if pd.isna(v) or pd.isna(m) else ("Đạt" if bool(m) else "Chưa đạt")
                     for v, m in zip(rows["value"], rows["meets_target"], strict=True)],
    })
    frame.index = pd.Index([scope_label(c) for c in rows["unit_code"]])
    frame.columns.name = "Đơn vị"
    styler = frame.style.set_uuid(uuid)
    styler.cell_ids = False
    unmet = (frame["Đánh giá"] == "Chưa đạt").to_numpy()
    return (styler.format(_value_formatter(indicator), subset=[label, previous])
            .format(_count, subset=["Mẫu số"]).format(signed, subset=["Thay đổi (điểm %)"])
            .apply(lambda col: [UNMET_STYLE if u else "" for u in unmet], subset=[label, "Đánh giá"])
            .format_index(escape="html", axis=0))


def form06_styler(form06_view: pd.DataFrame, uuid: str = "bieu06"):
    """Form 06 (``notebook_display.form06_counts``: counts as integers) as a Styler."""
    styler = form06_view.style.set_uuid(uuid)
    styler.cell_ids = False
    return styler.format(_count).format_index(escape="html", axis=0)


# --------------------------------------------------------------------------- index estimate


def load_score_tables(output_dir: Any, quarter: Any):
    """The score files of the period (``score.read_score_files``), or None when 02 wrote none."""
    from . import score

    folder = Path(output_dir) / str(quarter)
    if not (folder / score.report.META_FILE).exists():
        return None
    return score.read_score_files(folder)


def for_unit(score_tables: Any, unit: str | None):
    """``score_tables`` with the watch list, what-if and finish-by rows of ``unit`` only (the
    unit's report then lists only its own "dossiers still needed" line)."""
    if not unit:
        return score_tables
    from dataclasses import replace

    frames = dict(score_tables.frames)
    for key in ("watchlist", "what_if", "finish_by"):
        if "unit_code" in frames[key]:
            frames[key] = frames[key][frames[key]["unit_code"] == unit]
    return replace(score_tables, frames=frames)


def pareto_for(score_tables: Any, unit: str | None = None) -> pd.DataFrame:
    """The late Pareto rows (``late_pareto.csv``) of the area, or of ``unit`` only."""
    pareto = score_tables.frames.get("pareto", pd.DataFrame())
    if unit and "unit_code" in pareto:
        pareto = pareto[pareto["unit_code"].astype("str") == unit]
    return pareto


def score_markdown(score_tables: Any, unit: str | None = None) -> str:
    """The estimate, watch list, time-lost and integrity sections, one heading level down."""
    from . import score

    text = score.markdown_sections(for_unit(score_tables, unit), unit or ALL)
    return "\n".join("#" + line if line.startswith("## ") else line for line in text.splitlines()) + "\n"


def watchlist_summary(score_tables: Any, unit: str | None = None) -> pd.DataFrame:
    """Dossiers to watch per unit: overdue, due soon, and the earliest due day (numbers kept)."""
    watch = for_unit(score_tables, unit).frames["watchlist"]
    if watch.empty:
        return pd.DataFrame()
    counts = pd.crosstab(watch["unit_code"], watch["state"]).reindex(columns=["overdue", "due_soon"], fill_value=0)
    first_due = watch[watch["state"] == "due_soon"].groupby("unit_code")["due_at"].min()
    frame = pd.DataFrame({
        "Đã quá hạn": counts["overdue"].astype("int64"),
        "Sắp đến hạn": counts["due_soon"].astype("int64"),
        "Hạn sớm nhất": first_due.reindex(counts.index),
    })
    frame.index = pd.Index([scope_label(c) for c in counts.index])
    frame.columns.name = "Đơn vị"
    return frame.sort_values(["Đã quá hạn", "Sắp đến hạn"], ascending=False)


def watchlist_styler(summary: pd.DataFrame, uuid: str = "theo_doi"):
    """:func:`watchlist_summary` as a Styler (dates ``dd/mm/yyyy``)."""
    styler = summary.style.set_uuid(uuid)
    styler.cell_ids = False
    return (styler.format(_count, subset=["Đã quá hạn", "Sắp đến hạn"])
            .format(lambda d: fmt.MISSING if pd.isna(d) else fmt.date_short(d), subset=["Hạn sớm nhất"])
            .format_index(escape="html", axis=0))
