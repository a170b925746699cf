"""What the notebooks show: readable Vietnamese tables, Markdown and charts.

Notebooks only call these functions (DESIGN §2: all logic lives in the package). Two kinds:

- ``*_table(...)`` functions return a pandas frame with Vietnamese column labels and formatted
  values (``97,5%``, ``1.234``), ready to display or to paste into the written report; they are
  unit-testable;
- ``show_*(...)`` functions display Markdown, tables and charts with IPython's ``display``
  (never ``print``: DESIGN §9), and return nothing.

Nothing shown here carries personal data (names, phones, addresses, ID numbers, content): the
cleaned tables no longer contain it, and the dossier lists show only the dossier id, the
procedure, the field, the unit and the dates. No absolute path, timestamp or version is shown
either, so the committed notebooks' outputs are the same on every machine.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from . import fmt, refdata, schema
from .labels import INDICATOR_LABELS, LEVEL_LABELS
from .report_document import comparison_labels, is_cumulative
from .safe_text import escape_markdown

ALL = "ALL"

#: Vietnamese labels of the quarantine reason codes (one definition, in schema).
QUARANTINE_REASONS = schema.QUARANTINE_REASONS
#: Column labels of the per-file reconciliation.
RECONCILIATION_LABELS = {
    "source_file": "Tệp",
    "kind": "Loại dữ liệu",
    "rows_read": "Số dòng đọc",
    "clean": "Dòng hợp lệ",
    "quarantined": "Dòng cách ly",
    "duplicates_merged": "Trùng đã gộp",
    "skipped_lines": "Dòng bỏ qua (tiêu đề, trống, tổng cộng)",
}
KIND_LABELS = {"dossiers": "Hồ sơ TTHC", "pakn": "Phản ánh, kiến nghị", "edocs": "Văn bản điện tử"}
#: Form 06 (Biểu số 06/VPCP/KSTT) column groups and labels, in the official order.
FORM06_LABELS = {
    "received_total": ("Số hồ sơ nhận giải quyết", "Tổng số"),
    "received_online": ("Số hồ sơ nhận giải quyết", "Trực tuyến"),
    "received_offline": ("Số hồ sơ nhận giải quyết", "Trực tiếp, bưu chính"),
    "carried_over": ("Số hồ sơ nhận giải quyết", "Từ kỳ trước"),
    "resolved_total": ("Số hồ sơ đã giải quyết", "Tổng số"),
    "resolved_early": ("Số hồ sơ đã giải quyết", "Trước hạn"),
    "resolved_on_time": ("Số hồ sơ đã giải quyết", "Đúng hạn"),
    "resolved_late": ("Số hồ sơ đã giải quyết", "Quá hạn"),
    "pending_total": ("Số hồ sơ đang giải quyết", "Tổng số"),
    "pending_within_due": ("Số hồ sơ đang giải quyết", "Trong hạn"),
    "pending_overdue": ("Số hồ sơ đang giải quyết", "Quá hạn"),
}
#: Columns of the dossier lists (no personal data).
DOSSIER_LIST_LABELS = {
    "dossier_id": "Mã hồ sơ",
    "procedure_code": "Mã TTHC",
    "procedure_name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "unit": "Cơ quan giải quyết",
    "channel": "Kênh nộp",
    "received": "Ngày tiếp nhận",
    "due": "Ngày hẹn trả",
    "finished": "Ngày có kết quả",
    "situation": "Tình trạng",
}


# --------------------------------------------------------------------------- helpers


def _int(value: Any) -> str:
    return fmt.number(None if pd.isna(value) else int(value), decimals=0)


def _pct(value: Any) -> str:
    return fmt.percent(None if pd.isna(value) else float(value))


def _pp(value: Any) -> str:
    # Signed, one decimal, from the displayed values (indicators.csv change_pp): "+0,8", "−0,8", "0,0".
    if pd.isna(value):
        return fmt.MISSING
    return fmt.signed_points(float(value))


def _indicator_value(indicator: str, value: Any) -> str:
    if indicator == "avg_processing_days":
        return fmt.MISSING if pd.isna(value) else fmt.number(float(value), decimals=1)
    return _pct(value)


def unit_label(code: str) -> str:
    """Display name of a unit, reception centre or level; ``ALL`` is "Toàn địa bàn"."""
    if code == ALL:
        return "Toàn địa bàn"
    if code in LEVEL_LABELS:
        return LEVEL_LABELS[code]
    return refdata.unit_names().get(code, code)


def _date(value: Any) -> str:
    return "" if pd.isna(value) else fmt.date_short(pd.Timestamp(value))


def show_markdown(text: str) -> None:
    """Display Markdown (Vietnamese renders in every font, unlike ``print``)."""
    display(Markdown(text))


def show_table(frame: pd.DataFrame, caption: str | None = None) -> None:
    """Display a table under a bold caption; the index is shown only if it is meaningful."""
    if caption:
        show_markdown(f"**{escape_markdown(caption)}**")  # plain text, never markup
    with pd.option_context("display.max_rows", 500, "display.max_columns", 30, "display.width", 250):
        display(frame)


def synthetic_notice(synthetic: bool) -> str:
    """The sentence every output built from the shipped sample carries (DESIGN §9), or ``""``."""
    if not synthetic:
        return ""
    return (
        "> **Lưu ý:** số liệu trong tài liệu này được lập từ **dữ liệu mẫu tổng hợp** đi kèm "
        "bộ công cụ, không phải số liệu thật của địa phương."
    )


# --------------------------------------------------------------------------- 01 clean


def reconciliation_table(reconciliation: pd.DataFrame) -> pd.DataFrame:
    """Per-file reconciliation with Vietnamese labels and a check column.

    Rows are the input files plus a "Tổng cộng" row; "Khớp" says whether
    rows read = valid + quarantined + duplicates merged (DESIGN §5: no row disappears).
    """
    recon = reconciliation.copy()
    counts = ["rows_read", "clean", "quarantined", "duplicates_merged", "skipped_lines"]
    total = {"source_file": "Tổng cộng", "kind": "", **{c: recon[c].sum() for c in counts}}
    recon = pd.concat([recon, pd.DataFrame([total])], ignore_index=True)
    ok = recon["rows_read"] == recon["clean"] + recon["quarantined"] + recon["duplicates_merged"]
    recon["kind"] = recon["kind"].map(lambda k: KIND_LABELS.get(k, k))
    for c in counts:
        recon[c] = recon[c].map(_int)
    recon["match"] = ok.map({True: "Khớp", False: "KHÔNG KHỚP"})
    return recon.rename(columns={**RECONCILIATION_LABELS, "match": "Đối chiếu"}).set_index("Tệp")


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows by reason: code, Vietnamese meaning, count; largest first, then a total.

    Only counts are shown: the cleaner's messages quote raw values and stay in
    ``data/processed/quarantine.csv`` for whoever fixes the exports.
    """
    counts = quarantine["reason"].value_counts()
    frame = pd.DataFrame({"reason": counts.index, "count": counts.to_numpy()})
    frame = frame.sort_values(["count", "reason"], ascending=[False, True])
    frame["label"] = frame["reason"].map(lambda r: QUARANTINE_REASONS.get(r, r))
    frame = pd.concat(
        [frame, pd.DataFrame([{"reason": "", "label": "Tổng cộng", "count": counts.sum()}])],
        ignore_index=True,
    )
    frame["count"] = frame["count"].map(_int)
    return frame[["reason", "label", "count"]].rename(
        columns={"reason": "Mã lý do", "label": "Lý do cách ly", "count": "Số dòng"}
    ).set_index("Mã lý do")


def show_clean_summary(processed: Any) -> None:
    """Headline of a clean, the reconciliation per file and the quarantine by reason.

    Parameters
    ----------
    processed
        ``clean.CleanResult`` or ``clean.ProcessedTables`` (``dossiers``, ``pakn``, ``edocs``,
        ``quarantine``, ``reconciliation``, ``meta``).
    """
    recon = processed.reconciliation
    files = recon["source_file"].nunique()
    notice = synthetic_notice(bool(processed.meta.get("synthetic")))
    lines = [
        "### Kết quả làm sạch dữ liệu",
        "",
        f"Đã đọc **{_int(files)}** tệp xuất từ hệ thống: **{_int(len(processed.dossiers))}** hồ sơ "
        f"TTHC, **{_int(len(processed.pakn))}** phản ánh, kiến nghị và "
        f"**{_int(len(processed.edocs))}** dòng số liệu văn bản điện tử được đưa vào phân tích; "
        f"**{_int(recon['quarantined'].sum())}** dòng bị cách ly và "
        f"**{_int(recon['duplicates_merged'].sum())}** dòng trùng đã được gộp "
        "(giữ trạng thái xử lý mới nhất).",
        "",
        "Thông tin cá nhân (họ tên, số điện thoại, địa chỉ, số giấy tờ, nội dung) đã được loại "
        "bỏ ngay khi đọc tệp và không được lưu lại.",
    ]
    if notice:
        lines += ["", notice]
    show_markdown("\n".join(lines))
    show_table(reconciliation_table(recon), "Đối chiếu số dòng theo từng tệp")
    if len(processed.quarantine):
        show_table(quarantine_summary(processed.quarantine), "Dòng bị cách ly theo lý do")
    else:
        show_markdown("Không có dòng nào bị cách ly.")


# --------------------------------------------------------------------------- 02 indicators


def form06_counts(form06: pd.DataFrame, unit_code: str = ALL) -> pd.DataFrame:
    """Form 06 of one unit (or ``ALL``, a level, a reception centre) by field, counts as integers.

    Index: STT and field ("Tổng cộng" first); two-level columns as in Biểu số 06/VPCP/KSTT.
    """
    rows = form06[form06["unit_code"] == unit_code].copy()
    rows["_order"] = (rows["field"] != ALL).astype(int)
    rows = rows.sort_values(["_order", "field"])
    out = pd.DataFrame({FORM06_LABELS[c]: rows[c].astype("Int64").to_numpy() for c in schema.FORM06_COLUMNS})
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    fields = rows["field"].map(lambda f: "Tổng cộng" if f == ALL else f).to_numpy()
    stt = ["" if f == ALL else str(i) for i, f in enumerate(rows["field"], start=0)]
    out.index = pd.MultiIndex.from_arrays([stt, fields], names=["STT", "Lĩnh vực"])
    return out


def form06_table(form06: pd.DataFrame, unit_code: str = ALL) -> pd.DataFrame:
    """:func:`form06_counts` with the counts formatted "1.234" (text, for notebook 02)."""
    return form06_counts(form06, unit_code).map(_int)


def indicators_table(indicators: pd.DataFrame, unit_code: str = ALL, field: str = ALL,
                     cumulative: bool = False) -> pd.DataFrame:
    """The indicators of one unit and field with comparisons, targets and whether they are met.

    Indicators without a value in the quarter (no denominator) show "–", never 0 or 100; one
    with eligible dossiers but none whose facts are known shows "chưa có dữ liệu". The
    dossiers left out for an unknown fact and the coverage are shown beside the counts; the
    change is signed ("+0,8", "−0,8", "0,0"). ``one_stop_rate`` is labelled as a catalogue fact.
    ``cumulative`` (6 tháng, 9 tháng, năm): the previous value is the same period a year
    earlier, shown once as "Cùng kỳ năm trước" with the change against it.
    """
    rows = indicators[(indicators["unit_code"] == unit_code) & (indicators["field"] == field)]
    previous, change = comparison_labels(cumulative)
    records = []
    for row in rows.itertuples(index=False):
        name = row.indicator
        met = row.meets_target
        unknown = getattr(row, "unknown", 0)
        unknown = 0 if pd.isna(unknown) else int(unknown)
        coverage = getattr(row, "coverage", float("nan"))
        label = INDICATOR_LABELS.get(name, name) + (" (theo danh mục TTHC)" if name == "one_stop_rate" else "")
        nothing_known = pd.isna(row.value) and unknown > 0
        records.append({
            "Chỉ số": label,
            "Kết quả": "chưa có dữ liệu" if nothing_known else _indicator_value(name, row.value),
            "Tử số": _int(row.numerator) if name != "avg_processing_days" else fmt.MISSING,
            "Mẫu số": _int(row.denominator),
            "Không có thông tin": _int(unknown),
            "Độ bao phủ": _pct(coverage),
            previous: _indicator_value(name, row.previous_quarter),
            **({} if cumulative else {"Cùng kỳ năm trước": _indicator_value(name, row.same_quarter_last_year)}),
            change: _pp(row.change_pp) if name != "avg_processing_days" else fmt.MISSING,
            "Chỉ tiêu": _indicator_value(name, row.target),
            "Đánh giá": fmt.MISSING if pd.isna(met) or pd.isna(row.value) else ("Đạt" if bool(met) else "Chưa đạt"),
        })
    return pd.DataFrame.from_records(records).set_index("Chỉ số") if records else pd.DataFrame()


def unit_comparison_table(indicators: pd.DataFrame, indicator: str = "on_time_rate",
                          cumulative: bool = False) -> pd.DataFrame:
    """One indicator for every unit (field ``ALL``), best first; units without a value last
    (``cumulative``: the previous value is the same period a year earlier).

    Units with nothing to rate in the quarter (denominator 0: e.g. wards created after it, kept
    in the indicator table for comparisons) are left out.
    """
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["field"] == ALL)]
    units = refdata.load_units()
    rows = rows[rows["unit_code"].isin(units["code"]) & (rows["denominator"].fillna(0) > 0)].copy()
    rows = rows.sort_values(["value", "unit_code"], ascending=[False, True], na_position="last")
    return pd.DataFrame({
        "Đơn vị": rows["unit_code"].map(unit_label).to_numpy(),
        INDICATOR_LABELS.get(indicator, indicator): [_indicator_value(indicator, v) for v in rows["value"]],
        "Mẫu số": rows["denominator"].map(_int).to_numpy(),
        comparison_labels(cumulative)[0]: [_indicator_value(indicator, v) for v in rows["previous_quarter"]],
        "Đánh giá": [
            fmt.MISSING if pd.isna(v) or pd.isna(m) else ("Đạt" if bool(m) else "Chưa đạt")
            for v, m in zip(rows["value"], rows["meets_target"], strict=True)
        ],
    }).set_index("Đơn vị")


def quality_table(quality: pd.DataFrame) -> pd.DataFrame:
    """Data-quality checks for the whole area: check, count, explanation (Vietnamese note).

    A check's ``ALL`` row is its area total (quality.csv also lists the units behind it, which
    are not added again); a check without one is summed over its units.
    """
    if quality.empty:
        return pd.DataFrame(columns=["Kiểm tra", "Số lượng", "Ghi chú"]).set_index("Kiểm tra")
    has_total = quality["check"].isin(quality.loc[quality["unit_code"] == ALL, "check"])
    quality = quality[~has_total | (quality["unit_code"] == ALL)]
    grouped = quality.groupby("check", sort=True).agg(count=("count", "sum"), note=("note", "first"))
    grouped = grouped.reset_index()
    return pd.DataFrame({
        "Kiểm tra": grouped["check"],
        "Số lượng": grouped["count"].map(_int),
        "Ghi chú": grouped["note"].fillna(""),
    }).set_index("Kiểm tra")


def show_quarter_tables(tables: Any, unit: str | None = None) -> None:
    """Form 06, indicators, on-time rate per unit and data quality of a quarter.

    With ``unit``, form 06 and the indicators are the unit's; the per-unit comparison and the
    quality checks stay area-wide.
    """
    code = unit or ALL
    label = tables.quarter.label_vi()
    show_markdown(
        f"### Số liệu {label}\n\nKỳ báo cáo: từ ngày {fmt.date_short(tables.start)} đến ngày "
        f"{fmt.date_short(tables.end)}."
        + (f"\n\n{synthetic_notice(True)}" if tables.synthetic else "")
    )
    show_table(form06_table(tables.form06, code), f"Biểu số 06/VPCP/KSTT – {unit_label(code)}, {label}")
    cumulative = is_cumulative(tables)
    show_table(indicators_table(tables.indicators, code, cumulative=cumulative), f"Các chỉ số – {unit_label(code)}")
    show_table(unit_comparison_table(tables.indicators, cumulative=cumulative), "Tỷ lệ giải quyết đúng hạn theo đơn vị")
    show_table(quality_table(tables.quality), "Kiểm tra chất lượng dữ liệu")


# --------------------------------------------------------------------------- 03 report


def load_report_tables(output_dir: Any, quarter: str, period: str, unit: str | None = None) -> Any:
    """Read the quarter's tables written by 02_indicators, checking they match the request.

    Raises
    ------
    CchcError
        When 02 was run with another period convention, or ``unit`` has no row in the tables
        (the message says what to run or lists nothing personal, only codes).
    """
    from . import indicators
    from .errors import CchcError

    tables = indicators.read_quarter(output_dir, quarter)
    if tables.period != period:
        raise CchcError(
            f"the tables of {quarter} were built with period '{tables.period}', not '{period}': "
            f"run 02_indicators with period='{period}' first"
        )
    if unit is not None and unit not in set(tables.indicators["unit_code"]):
        raise CchcError(f"unit '{unit}' has no figures in {quarter}")
    return tables


def report_title(tables: Any, unit: str | None = None) -> str:
    """Markdown title of the meeting report (with the unit's name for a unit report)."""
    title = f"# Báo cáo sơ kết công tác cải cách hành chính {tables.quarter.label_vi()}"
    if unit:
        title += f"\n\n## {escape_markdown(unit_label(unit))}"
    return title


def write_unit_pack(tables: Any, output_dir: Any, unit: str) -> dict:
    """A unit's own Word draft and annex workbook (issued by the unit), next to the area's:
    ``<period>/bao_cao_<period>_<unit>.docx`` and ``chi_so_<period>_<unit>.xlsx``, with the
    unit's rows of the watch list and of the integrity checks' dossier codes. Written by notebook 03 when it runs for ``unit``."""
    from . import pack
    from .report_document import for_unit, load_score_tables

    scored = load_score_tables(output_dir, tables.quarter)
    watch = for_unit(scored, unit).frames["watchlist"] if scored is not None else None
    codes = None
    if scored is not None and "unit_code" in scored.frames["integrity_dossiers"]:
        codes = scored.frames["integrity_dossiers"]
        codes = codes[codes["unit_code"].astype("str") == unit]
    return pack.write_report_pack(tables, output_dir, unit=unit, watchlist=watch, integrity_dossiers=codes)


def figure_png(fig: Any) -> bytes:
    """The figure as PNG bytes at 110 dpi (screen; the SVG files are for print), themed.

    Rendering explicitly (rather than relying on the notebook's inline backend) embeds the
    chart in every run: JupyterLab, papermill, nbval, and so in the exported HTML.
    """
    import io

    import matplotlib as mpl

    from . import charts

    buffer = io.BytesIO()
    with mpl.rc_context(charts.theme_rc()):
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def show_figure(fig: Any, caption: str | None = None, alt: str | None = None) -> None:
    """Display a matplotlib figure as an embedded PNG, then close it (frees its memory).

    ``caption`` ("Hình 1. …") and ``alt`` travel in the output's metadata; the HTML export
    (:mod:`cchc_analysis.html`) draws them as a ``<figure>`` with its ``<figcaption>``.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image

    metadata = {k: v for k, v in {"caption": caption, "alt": alt}.items() if v}
    display(Image(data=figure_png(fig), format="png", metadata=metadata or None))
    plt.close(fig)


def show_styled(styler: Any, caption: str) -> None:
    """Display a pandas Styler under its caption (a ``<caption>`` kept with its table in print),
    as its HTML: the output then carries no memory address."""
    from IPython.display import HTML

    display(HTML(styler.set_caption(caption).to_html()))


def show_report(tables: Any, unit: str | None = None, output_dir: Any = None) -> None:
    """The whole meeting report: header, title, sample notice, links, narrative, the index
    estimate and watch list (when ``output_dir`` holds the score files), charts and tables.

    For a ``unit`` the narrative, the trend and the tables are the unit's; the per-unit chart
    shows every unit so that the unit sees where it stands.
    """
    from IPython.display import HTML

    from . import charts, narrative
    from . import report_document as rd

    code = unit or ALL
    label = tables.quarter.label_vi()
    display(HTML(rd.header_html(tables, unit)))
    parts = [report_title(tables, unit)]
    notice = synthetic_notice(bool(tables.synthetic))
    if notice:
        parts.append(notice)
    parts.append(rd.links_markdown(tables, unit))
    show_markdown("\n\n".join(parts))
    show_markdown(narrative.report_markdown(tables, unit))
    scored = rd.load_score_tables(output_dir, tables.quarter) if output_dir is not None else None
    if scored is not None:
        show_markdown(rd.score_markdown(scored, unit))
        summary = rd.watchlist_summary(scored, unit)
        if len(summary):
            show_styled(rd.watchlist_styler(summary), "Hồ sơ cần theo dõi theo đơn vị")
    show_markdown("### Biểu đồ")
    if unit:
        figs = {"on_time_by_unit": charts.on_time_by_unit(tables.indicators, label),
                "trend": charts.trend(tables.history, unit_code=unit, quarter_label=label)}
    else:
        figs = charts.figures(tables)
    if scored is not None and "late" in rd.pareto_for(scored, unit):
        from .pareto_chart import late_pareto

        figs["late_pareto"] = late_pareto(rd.pareto_for(scored, unit), label)
    for number, (name, fig) in enumerate(figs.items(), start=1):
        caption, alt = rd.figure_texts(name, number, label)
        show_figure(fig, caption, alt)
    show_markdown("### Bảng số liệu chính")
    cumulative = rd.is_cumulative(tables)
    show_styled(rd.indicators_styler(tables.indicators, code, cumulative=cumulative),
                f"Bảng 1. Các chỉ số – {unit_label(code)}")
    show_styled(rd.form06_styler(form06_counts(tables.form06, code)), f"Bảng 2. Biểu số 06/VPCP/KSTT – {unit_label(code)}")
    if not unit:
        show_styled(rd.unit_comparison_styler(tables.indicators, cumulative=cumulative),
                    "Bảng 3. Tỷ lệ giải quyết đúng hạn theo đơn vị")
