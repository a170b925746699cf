"""Interactive exploration in JupyterLab (``explore.ipynb``): filters, sortable tables, one chart.

:class:`Explorer` shows filter widgets (period, convention, unit, field, procedure, channel) and
panels that follow them: dossiers per field and per channel, one chart of outcomes per field,
the late dossiers and the watch list as sortable, searchable tables (itables' ``ITable`` widget,
whose JavaScript ships inside the package: it works offline, nothing is fetched from a CDN),
each with a "Lưu Excel" button that saves the current selection under ``outputs/kham_pha/``.

Each panel is a widget that also carries a static rendering of its current content (HTML table,
PNG chart) in its display data. JupyterLab shows the live widget; a headless run (papermill,
nbval, an HTML export, GitHub) keeps the static rendering of the parameters' selection. The
committed notebook's outputs are therefore deterministic: widget states are stripped by
``make notebooks`` and widget model ids are ignored by nbval.
"""

from __future__ import annotations

import base64
import datetime as _dt
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from . import config, fmt, refdata
from .display_explore import (
    OUTCOME_GROUPS, dossier_breakdown, filter_dossiers, late_dossiers, outcome_by_field,
    period_caption, period_dossiers, watch_table,
)
from .io import atomic_write
from .labels import CHANNEL_LABELS
from .notebook_display import figure_png, unit_label

#: The "everything" choice of a filter (ipywidgets needs a value; ``None`` means no selection).
EVERY = ""
#: Where "Lưu Excel" writes (below the outputs folder).
EXPORT_SUBDIR = "kham_pha"
#: Rows of a dossier list kept in the static rendering (the live table shows them all).
STATIC_ROWS = 20
#: DataTables' interface texts in Vietnamese.
TABLE_LANGUAGE = {
    "search": "Tìm:",
    "lengthMenu": "Hiện _MENU_ dòng",
    "info": "Dòng _START_–_END_ trên _TOTAL_",
    "infoEmpty": "Không có dòng nào",
    "infoFiltered": "(lọc từ _MAX_ dòng)",
    "emptyTable": "Không có hồ sơ nào",
    "zeroRecords": "Không tìm thấy hồ sơ phù hợp",
}
CONVENTIONS = (("Quý dương lịch", "calendar"), ("Theo NĐ 09/2019", "nd09"))


# --------------------------------------------------------------------------- pure helpers


def quarters_in(dossiers: pd.DataFrame) -> list[str]:
    """Quarters (``2024Q1``) in which at least one dossier was received, oldest first."""
    received = dossiers["received_at"].dropna()
    keys = (received.dt.year.astype("int64") * 10 + received.dt.quarter.astype("int64")).unique()
    return [f"{k // 10}Q{k % 10}" for k in sorted(keys)]


def export_name(kind: str, quarter: str, unit: str | None) -> str:
    """File name of a saved list: ``ho_so_qua_han_2024Q1_p-phu-bai.xlsx`` (``toan-dia-ban``)."""
    return f"{kind}_{quarter}_{unit or 'toan-dia-ban'}.xlsx"


def save_excel(frame: pd.DataFrame, path: str | Path, sheet: str = "Danh sách") -> Path:
    """Write ``frame`` (index included, as the first column) to an .xlsx file, atomically.

    Text stays text: a dossier code such as ``000.12.34`` or ``=1+1`` is written as a string,
    never turned into a number, a formula or a link.
    """
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
            frame.to_excel(writer, sheet_name=sheet)
            sheet_obj = writer.sheets[sheet]
            sheet_obj.freeze_panes(1, 0)
            for i, column in enumerate([frame.index.name or "", *frame.columns]):
                values = frame.index if i == 0 else frame[column]
                width = max([len(str(column))] + [len(str(v)) for v in values[:500]])
                sheet_obj.set_column(i, i, min(width + 2, 60))

    return atomic_write(path, write)


def outcome_chart(table: pd.DataFrame, caption: str) -> bytes:
    """PNG of :func:`~cchc_analysis.display_explore.outcome_by_field`: one horizontal stacked
    bar per field (at most 12, the largest), one colour per outcome group."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from . import chart_style

    table = table.head(12).iloc[::-1]
    colours = ["#2e7d32", "#c62828", "#90caf9", "#ef6c00"]
    with mpl.rc_context(chart_style.theme_rc()):
        fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(table), 3) + 1.6))
        left = pd.Series(0, index=table.index, dtype="int64")
        for (label, _), colour in zip(OUTCOME_GROUPS, colours):
            ax.barh(table.index, table[label], left=left, color=colour, label=label)
            left = left + table[label]
        if table.empty:
            ax.text(0.5, 0.5, "Không có hồ sơ nào", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(caption, loc="left", fontsize=11)
        ax.set_xlabel("Số hồ sơ")
        ax.xaxis.set_major_formatter(chart_style.number_formatter())
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, fontsize=8, frameon=False)
        png = figure_png(fig)
    plt.close(fig)
    return png


def load_or_build_processed(processed_dir: str | Path | None = None) -> Any:
    """The cleaned tables of ``processed_dir``; on a fresh clone (default folder, nothing
    cleaned yet) they are first built from the shipped sample, with a progress line.

    Raises
    ------
    CchcError
        A folder other than the default holds no cleaned tables (one Vietnamese sentence says
        what to run).
    """
    from . import clean
    from .errors import CchcError
    from .notebook_display import show_markdown

    folder = Path(processed_dir or config.PROCESSED_DIR)
    if (folder / "dossiers.parquet").exists():
        return clean.load_processed(folder)
    if folder.resolve() != config.PROCESSED_DIR.resolve() or not config.SAMPLE_DIR.exists():
        raise CchcError(f"Chưa có dữ liệu đã làm sạch trong {folder}: hãy chạy notebooks/01_clean.ipynb "
                        "(hoặc lệnh `cchc clean`) rồi chạy lại sổ này.")
    show_markdown("Chưa có dữ liệu đã làm sạch (sổ 01_clean chưa chạy): đang làm sạch **dữ liệu mẫu** "
                  "trong data/raw/sample, khoảng 15 giây…")
    clean.clean(config.SAMPLE_DIR, folder)
    return clean.load_processed(folder)


def load_history(output_dir: str | Path, quarter: str, period: str) -> pd.DataFrame | None:
    """The indicator history written by 02_indicators for ``quarter``, or None when 02 has not
    run for it (or ran with another convention): the comparison panel then says what to run."""
    from .errors import CchcError
    from .notebook_display import load_report_tables

    try:
        return load_report_tables(output_dir, quarter, period).history
    except CchcError:
        return None


# --------------------------------------------------------------------------- widgets


def _html_table(frame: pd.DataFrame, rows: int | None = None) -> str:
    shown = (frame if rows is None else frame.head(rows)).reset_index()
    html = shown.to_html(escape=True, na_rep="", border=0, index=False)
    if rows is not None and len(frame) > rows:
        html += (f"<p><em>… và {fmt.number(len(frame) - rows, decimals=0)} hồ sơ khác: mở sổ trong "
                 "JupyterLab để xem, tìm, sắp xếp và lưu Excel.</em></p>")
    return html


class Panel(widgets.VBox):
    """A box of widgets whose display data also carries a static rendering (``static()``)."""

    def __init__(self, children=(), **kwargs):
        super().__init__(children=list(children), **kwargs)
        self.static_bundle: dict[str, Any] = {"text/plain": ""}

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle.update(self.static_bundle)
        return bundle



def unit_choices(codes) -> list[tuple[str, str]]:
    """(label, code) of the units a filter offers, by name; two units of the same name (phường
    Phú Bài before and after the 2025 reform) are told apart by their validity dates."""
    units = refdata.load_units().set_index("code")
    labels = {code: unit_label(code) for code in codes}
    repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}

    def label_of(code: str) -> str:
        label = labels[code]
        if label not in repeated or code not in units.index:
            return label
        start, end = units.at[code, "valid_from"], units.at[code, "valid_to"]
        if pd.notna(end) and str(end):
            return f"{label} (đến {fmt.date_short(end)})"
        return f"{label} (từ {fmt.date_short(start)})" if pd.notna(start) and str(start) else label

    return sorted(((label_of(code), code) for code in codes), key=lambda choice: (choice[0], choice[1]))

class Explorer:
    """Filters and the panels they drive; build once, display :attr:`controls` and each panel.

    Parameters are the notebook's: the initial selection (``None``: everything).
    """

    def __init__(self, dossiers: pd.DataFrame, quarter: str, period: str = "calendar", unit: str | None = None,
                 field: str | None = None, procedure: str | None = None, channel: str | None = None,
                 output_dir: str | Path | None = None, history: pd.DataFrame | None = None) -> None:
        from itables.widget import ITable

        self.dossiers = dossiers
        self.output_dir = Path(output_dir or config.OUTPUT_DIR)
        from .periods import Quarter

        quarter = str(Quarter.parse(quarter))
        # A value given as a parameter stays selectable even when no dossier has it (tables show 0).
        quarters = sorted({*quarters_in(dossiers), quarter}, key=Quarter.parse)
        units = {*dossiers["unit_code"].dropna().unique(), *([unit] if unit else [])}
        fields = sorted({*dossiers["field"].dropna().unique(), *([field] if field else [])})
        channels = [c for c in CHANNEL_LABELS if c in {*dossiers["channel"].dropna(), channel}]
        self.quarter = widgets.Dropdown(options=quarters[::-1], value=quarter, description="Quý")
        self.period = widgets.ToggleButtons(options=CONVENTIONS, value=period, description="Kỳ")
        self.unit = widgets.Dropdown(options=[("Toàn địa bàn", EVERY)] + unit_choices(units),
                                     value=unit or EVERY, description="Đơn vị")
        self.field = widgets.Dropdown(options=[("Mọi lĩnh vực", EVERY)] + [(f, f) for f in fields],
                                      value=field or EVERY, description="Lĩnh vực")
        self.procedure = widgets.Text(value=procedure or "", description="Thủ tục",
                                      placeholder="mã hoặc một phần tên", continuous_update=False)
        self.channel = widgets.Dropdown(options=[("Mọi kênh", EVERY)] + [(CHANNEL_LABELS[c], c) for c in channels],
                                        value=channel or EVERY, description="Kênh nộp")
        self.summary = widgets.HTML()
        self.controls = Panel([widgets.HBox([self.quarter, self.period]), widgets.HBox([self.unit, self.field]),
                               widgets.HBox([self.procedure, self.channel]), self.summary])
        self.controls.add_class("cchc-explore-controls")
        self.by_field, self.by_channel = Panel([_html_widget()]), Panel([_html_widget()])
        self.chart_image = widgets.Image(format="png")
        self.chart = Panel([self.chart_image])
        table_options = dict(select=True, language=TABLE_LANGUAGE, lengthMenu=[10, 25, 50, 100], pageLength=10,
                             classes="display compact", showIndex=False, style="width:100%;margin:0")
        self.late_table = ITable(pd.DataFrame(), **table_options)
        self.watch_table = ITable(pd.DataFrame(), **table_options)
        self.late = self._list_panel(self.late_table, "ho_so_qua_han")
        self.watch = self._list_panel(self.watch_table, "danh_sach_theo_doi")
        self.history = history
        self.compare = Panel([_html_widget()])
        self.frames: dict[str, pd.DataFrame] = {}
        for control in (self.quarter, self.period, self.unit, self.field, self.procedure, self.channel):
            control.observe(self.refresh, names="value")
        self.refresh()

    # ------------------------------------------------------------------ selection

    def selection(self) -> dict[str, str | None]:
        """The filters' current values (``None``: everything)."""
        return {"quarter": self.quarter.value, "period": self.period.value, "unit": self.unit.value or None,
                "field": self.field.value or None, "procedure": self.procedure.value.strip() or None,
                "channel": self.channel.value or None}

    def _list_panel(self, table, kind: str) -> Panel:
        button = widgets.Button(description="Lưu Excel", icon="file-excel-o",
                                tooltip="Lưu các dòng đang chọn (hoặc cả danh sách) vào tệp .xlsx trong outputs/")
        status = widgets.HTML()
        panel = Panel([widgets.HTML(), table, widgets.HBox([button, status])])
        button.on_click(lambda _: self.save(kind, table, status))
        return panel

    def save(self, kind: str, table, status: widgets.HTML | None = None) -> Path:
        """Save the list ``kind`` to ``outputs/kham_pha/``: the rows selected in the table, or
        all rows the filters keep when none is selected. Returns the file written."""
        frame = self.frames[kind]
        rows = [r for r in (table.selected_rows or []) if 0 <= r < len(frame)]
        chosen = frame.iloc[rows] if rows else frame
        sel = self.selection()
        path = save_excel(chosen, self.output_dir / EXPORT_SUBDIR / export_name(kind, sel["quarter"], sel["unit"]))
        if status is not None:
            status.value = (f"Đã lưu {fmt.number(len(chosen), decimals=0)} dòng vào "
                            f"<code>{_shown_path(path)}</code>")
        return path

    # ------------------------------------------------------------------ refresh

    def refresh(self, change: Any = None) -> None:
        """Recompute every panel for the current filters."""
        sel = self.selection()
        quarter, period = sel["quarter"], sel["period"]
        caption = period_caption(quarter, period)
        where = unit_label(sel["unit"] or "ALL")
        chosen = filter_dossiers(self.dossiers, unit=sel["unit"], field=sel["field"],
                                 procedure=sel["procedure"], channel=sel["channel"])
        in_period = period_dossiers(chosen, quarter, period)
        filters = [where] + [v for v in (sel["field"], sel["procedure"],
                                         CHANNEL_LABELS.get(sel["channel"] or "", None)) if v]
        self.summary.value = (f"<b>Đang xem:</b> {caption} · {' · '.join(_esc(f) for f in filters)} · "
                              f"{fmt.number(len(in_period), decimals=0)} hồ sơ nhận giải quyết trong kỳ")
        self.controls.static_bundle = {"text/plain": _plain(self.summary.value), "text/html": self.summary.value}
        for panel, by, title in ((self.by_field, "field", "Số hồ sơ theo lĩnh vực"),
                                 (self.by_channel, "channel", "Số hồ sơ theo kênh nộp")):
            head = f"<b>{title} – {_esc(where)}, {caption}</b>"
            html = head + _html_table(dossier_breakdown(in_period, by))
            panel.children[0].value = html
            panel.static_bundle = {"text/plain": _plain(head), "text/html": html}
        chart_caption = f"Kết quả giải quyết theo lĩnh vực – {where}, {caption}"
        png = outcome_chart(outcome_by_field(in_period), chart_caption)
        self.chart_image.value = png
        self.chart.static_bundle = {"text/plain": chart_caption, "image/png": base64.b64encode(png).decode("ascii")}
        self._compare(sel)
        late = late_dossiers(chosen, quarter, period)
        watch = watch_table(chosen, quarter, period)
        as_of = watch.attrs.get("as_of")
        as_of_text = fmt.date_short(pd.Timestamp(as_of)) if isinstance(as_of, _dt.date) else fmt.MISSING
        self._fill(self.late, self.late_table, "ho_so_qua_han", late,
                   f"{fmt.number(len(late), decimals=0)} hồ sơ quá hạn – {where}, {caption}")
        self._fill(self.watch, self.watch_table, "danh_sach_theo_doi", watch,
                   f"Danh sách theo dõi tại ngày {as_of_text}: {fmt.number(len(watch), decimals=0)} hồ sơ "
                   f"chưa giải quyết có hạn trả trong kỳ – {where}, {caption}")

    def _compare(self, sel: dict[str, str | None]) -> None:
        from .display_explore import compare_quarters
        from .periods import Period

        where = unit_label(sel["unit"] or "ALL")
        if self.history is None:
            html = (f"<p>Chưa có bảng chỉ số của {_esc(Period.parse(sel['quarter']).label_vi())}: hãy chạy "
                    "notebooks/02_indicators.ipynb (hoặc lệnh <code>cchc indicators</code>) rồi chạy lại sổ này.</p>")
            head = html
        else:
            head = (f"<b>Các chỉ số chính theo quý – {_esc(where)}</b> (theo đơn vị; lĩnh vực, thủ tục và kênh "
                    "nộp không áp dụng cho bảng này)")
            html = head + _html_table(compare_quarters(self.history, unit_code=sel["unit"] or "ALL"))
        self.compare.children[0].value = html
        self.compare.static_bundle = {"text/plain": _plain(head), "text/html": html}

    def _fill(self, panel: Panel, table, kind: str, frame: pd.DataFrame, caption: str) -> None:
        self.frames[kind] = frame
        head = f"<b>{_esc(caption)}</b>"
        panel.children[0].value = head
        table.update(frame.reset_index(), selected_rows=[])
        panel.static_bundle = {"text/plain": caption, "text/html": head + _html_table(frame, STATIC_ROWS)}


def _html_widget() -> widgets.HTML:
    """An HTML widget styled like JupyterLab's rendered tables."""
    widget = widgets.HTML()
    widget.add_class("jp-RenderedHTMLCommon")
    return widget


def _esc(text: str) -> str:
    import html

    return html.escape(str(text))


def _plain(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def _shown_path(path: Path) -> str:
    """The path relative to the project folder when inside it (no absolute path is shown)."""
    try:
        return Path(path).resolve().relative_to(config.PROJECT_ROOT).as_posix()
    except ValueError:
        return Path(path).name
