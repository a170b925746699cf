"""The annex workbook ``chi_so_<period>.xlsx``: every figure of the period, for filtering in Excel.

One sheet per table: Thông tin (period, convention, the synthetic-sample notice), Chỉ số (every
indicator for the area, levels, centres, units and fields, with numerator, denominator, unknown
when the table has it, value, previous, year-earlier, signed change, target, met), Biểu 06,
Xếp hạng, Dưới mục tiêu, Chất lượng dữ liệu and, when given, Theo dõi (the watch list) and
Kiểm tra xác thực (the dossier codes behind each integrity check: codes and the finish time only).

Numbers are stored as numbers (the values of indicators.csv, unrounded) with display formats
(``#,##0``, ``#,##0.0"%"``, signed changes) that Excel shows with the separators of its locale:
"1.234" and "97,5%" on a Vietnamese Windows. Every text, an export's field or unit name included,
is written with ``write_string`` and the workbook never turns strings into formulas or links, so
a name such as ``=HYPERLINK("x")`` stays text. Header row frozen, filters on.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from .. import fmt, refdata, schema
from ..io import atomic_write
from ..labels import INDICATOR_LABELS, LEVEL_LABELS
from .word import SYNTHETIC_NOTICE, period_of, scope_name

FONT = {"font_name": "Times New Roman", "font_size": 11}
FORMATS = {
    "text": {},
    "int": {"num_format": "#,##0"},
    "pct": {"num_format": '#,##0.0"%"'},
    "num": {"num_format": "#,##0.0"},
    "signed": {"num_format": "+#,##0.0;-#,##0.0;0"},
    "date": {"num_format": "dd/mm/yyyy"},
}
FORM06_HEADERS = [
    "Nhận giải quyết: tổng số", "Nhận: trực tuyến (mới)", "Nhận: trực tiếp và bưu chính (mới)",
    "Nhận: từ kỳ trước chuyển qua", "Đã giải quyết: tổng số", "Đã giải quyết: trước hạn",
    "Đã giải quyết: đúng hạn", "Đã giải quyết: quá hạn", "Đang giải quyết: tổng số",
    "Đang giải quyết: trong hạn", "Đang giải quyết: quá hạn",
]  # fmt: skip
#: Vietnamese headers of the watch-list columns that are known; others keep their name.
WATCHLIST_HEADERS = {
    "dossier_id": "Mã hồ sơ", "unit_code": "Mã đơn vị", "unit_name": "Đơn vị", "field": "Lĩnh vực",
    "procedure_code": "Mã thủ tục", "procedure_name": "Thủ tục", "received_at": "Ngày tiếp nhận",
    "due_at": "Ngày hẹn trả", "days_left": "Số ngày làm việc còn lại", "status": "Trạng thái",
    "reception_code": "Nơi tiếp nhận",
}  # fmt: skip


#: Columns of the "Kiểm tra xác thực" sheet: (column of ``score.integrity_dossiers``, header, kind, width).
INTEGRITY_COLUMNS = [("check", "Mã kiểm tra", "text", 30), ("dossier_id", "Mã hồ sơ", "text", 22),
                     ("unit_code", "Mã đơn vị", "text", 18), ("procedure_code", "Mã thủ tục", "text", 16),
                     ("finished_at", "Thời điểm kết thúc", "date", 16)]  # fmt: skip
INTEGRITY_SHEET = "Kiểm tra xác thực"


def workbook_file_name(period: object) -> str:
    """``chi_so_2024Q1.xlsx``."""
    return f"chi_so_{period}.xlsx"


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def scope_kind(code: str) -> str:
    """"Toàn địa bàn", "Cấp", "Trung tâm" or "Đơn vị" (what a row of the tables covers)."""
    if code == "ALL":
        return "Toàn địa bàn"
    if code in LEVEL_LABELS:
        return "Cấp"
    if code in set(refdata.load_reception_points()["code"]):
        return "Trung tâm"
    return "Đơn vị"


class _Sheets:
    """Writes frames as sheets: header row, typed cells, frozen header, filters."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.wb = workbook
        self.header = workbook.add_format({**FONT, "bold": True, "text_wrap": True, "valign": "top",
                                           "bg_color": "#D9D9D9", "border": 1})  # fmt: skip
        self.cell = {kind: workbook.add_format({**FONT, **spec}) for kind, spec in FORMATS.items()}

    def write(self, name: str, columns: list[tuple[str, str, str, float]], rows: list[list]) -> None:
        """``columns``: (header, kind, _, width); ``rows``: values in column order."""
        ws = self.wb.add_worksheet(name)
        for col, (header, _kind, _, width) in enumerate(columns):
            ws.write_string(0, col, header, self.header)
            ws.set_column(col, col, width)
        ws.set_row(0, 45)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                self._cell(ws, r, c, value, columns[c][1])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)

    def _cell(self, ws, row: int, col: int, value, kind: str) -> None:
        if _missing(value):
            ws.write_blank(row, col, None, self.cell["text"])
        elif kind == "text" or isinstance(value, str):
            ws.write_string(row, col, str(value), self.cell["text"])
        elif kind == "date" or isinstance(value, (date, datetime, pd.Timestamp)):
            ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), self.cell["date"])
        else:
            ws.write_number(row, col, float(value), self.cell[kind])


def _met(value) -> str | None:
    if _missing(value):
        return None
    return "Đạt" if bool(value) else "Chưa đạt"


def _indicator_sheet(sheets: _Sheets, ind: pd.DataFrame) -> None:
    has_unknown = "unknown" in ind.columns
    columns = [("Mã phạm vi", "text", "", 16), ("Phạm vi", "text", "", 30), ("Loại phạm vi", "text", "", 13),
               ("Lĩnh vực", "text", "", 26), ("Mã chỉ số", "text", "", 18), ("Chỉ số", "text", "", 36),
               ("Tử số", "int", "", 9), ("Mẫu số", "int", "", 9)]  # fmt: skip
    if has_unknown:
        columns.append(("Không rõ thông tin (không tính)", "int", "", 12))
    columns += [("Giá trị", "pct", "", 9), ("Kỳ trước", "pct", "", 9), ("Cùng kỳ năm trước", "pct", "", 10),
                ("Thay đổi so với kỳ trước (điểm %)", "signed", "", 12), ("Mục tiêu", "pct", "", 9),
                ("Đạt mục tiêu", "text", "", 10)]  # fmt: skip
    rows, kinds = [], []
    for rec in ind.to_dict("records"):
        code, name = str(rec["unit_code"]), str(rec["indicator"])
        row = [code, scope_name(code), scope_kind(code), "Tất cả lĩnh vực" if rec["field"] == "ALL" else rec["field"],
               name, INDICATOR_LABELS.get(name, name), rec["numerator"], rec["denominator"]]  # fmt: skip
        if has_unknown:
            row.append(rec["unknown"])
        row += [rec["value"], rec["previous_quarter"], rec["same_quarter_last_year"], rec["change_pp"], rec["target"],
                _met(rec["meets_target"])]  # fmt: skip
        rows.append(row)
        kinds.append(name)
    # Average processing time is in working days, not percent: its value columns say so.
    days = [i for i, n in enumerate(kinds) if n == "avg_processing_days"]
    sheets.write("Chỉ số", columns, rows)
    if days:
        ws = sheets.wb.get_worksheet_by_name("Chỉ số")
        first = len(columns) - 6
        for i in days:
            for c in (first, first + 1, first + 2, first + 4):
                value = rows[i][c]
                if not _missing(value):
                    ws.write_number(i + 1, c, float(value), sheets.cell["num"])


def _info_sheet(sheets: _Sheets, tables) -> None:
    period = period_of(tables)
    convention = "Nghị định 09/2019/NĐ-CP (15 tháng trước đến 14 tháng cuối kỳ)" if tables.period == "nd09" else "tháng dương lịch"
    rows = [["Kỳ báo cáo", f"{period.label_vi()} ({period})"],
            ["Từ ngày", fmt.date_short(tables.start)], ["Đến ngày", fmt.date_short(tables.end)],
            ["Cách tính kỳ", convention],
            ["Tỷ lệ", "Phần trăm (0–100), chỉ tính hồ sơ có thông tin; ô trống: không có số liệu"]]  # fmt: skip
    if tables.synthetic:
        rows.append(["Lưu ý", SYNTHETIC_NOTICE])
    sheets.write("Thông tin", [("Mục", "text", "", 18), ("Nội dung", "text", "", 100)], rows)


def _integrity_sheet(sheets: _Sheets, codes: pd.DataFrame) -> None:
    from ..score.integrity import NOTES

    columns = [(header, kind, "", width) for _, header, kind, width in INTEGRITY_COLUMNS]
    columns.insert(1, ("Nội dung kiểm tra", "text", "", 40))
    rows = [[c, NOTES.get(str(c), ""), d, u, p, f] for c, d, u, p, f in
            codes[[name for name, *_ in INTEGRITY_COLUMNS]].itertuples(index=False)]
    sheets.write(INTEGRITY_SHEET, columns, rows)  # "text" columns: write_string, even for "=1+1" or "0123"


def write_annex_workbook(tables, out_path: str | Path, watchlist: pd.DataFrame | None = None,
                         integrity_dossiers: pd.DataFrame | None = None) -> Path:
    """Write the annex workbook of one period's tables to ``out_path`` (atomically).

    Parameters
    ----------
    tables
        ``QuarterTables`` or alike: ``quarter, period, start, end, form06, indicators, quality,
        ranking, below_target, synthetic`` are used.
    out_path
        The .xlsx to write, by convention ``outputs/<period>/chi_so_<period>.xlsx``.
    watchlist
        Dossiers falling due before the period ends (any columns); a "Theo dõi" sheet when given.
    integrity_dossiers
        ``score.integrity_dossiers`` (codes only); a "Kiểm tra xác thực" sheet when given.
    """

    def build(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": False})  # fmt: skip
        end = tables.end
        wb.set_properties({"title": f"Chỉ số CCHC {period_of(tables)}", "author": "cchc-analysis",
                           "created": datetime(end.year, end.month, end.day)})  # fmt: skip
        sheets = _Sheets(wb)
        _info_sheet(sheets, tables)
        _indicator_sheet(sheets, tables.indicators)
        f06 = tables.form06
        sheets.write(
            "Biểu 06",
            [("Mã phạm vi", "text", "", 16), ("Phạm vi", "text", "", 30), ("Lĩnh vực", "text", "", 26),
             *((h, "int", "", 12) for h in FORM06_HEADERS)],
            [[u, scope_name(u), "Tất cả lĩnh vực" if f == "ALL" else f, *vals]
             for u, f, *vals in f06[["unit_code", "field", *schema.FORM06_COLUMNS]].itertuples(index=False)],
        )  # fmt: skip
        rk = tables.ranking
        sheets.write(
            "Xếp hạng",
            [("Hạng", "int", "", 7), ("Mã đơn vị", "text", "", 18), ("Đơn vị", "text", "", 40), ("Cấp", "text", "", 11),
             ("Hồ sơ đã giải quyết", "int", "", 12), ("Đúng hạn và trước hạn", "int", "", 12),
             ("Tỷ lệ đúng hạn", "pct", "", 10)],
            [[r, u, n, LEVEL_LABELS.get(lv, lv), t, o, v] for r, u, n, lv, t, o, v in rk[
                ["rank", "unit_code", "unit_name", "level", "resolved_total", "resolved_on_time_or_early",
                 "on_time_rate"]].itertuples(index=False)],
        )  # fmt: skip
        bt = tables.below_target
        sheets.write(
            "Dưới mục tiêu",
            [("Mã phạm vi", "text", "", 16), ("Phạm vi", "text", "", 30), ("Lĩnh vực", "text", "", 26),
             ("Chỉ số", "text", "", 36), ("Giá trị", "pct", "", 9), ("Mục tiêu", "pct", "", 9)],
            [[u, scope_name(u), "Tất cả lĩnh vực" if f == "ALL" else f, INDICATOR_LABELS.get(i, i), v, t]
             for u, f, i, v, t in bt[["unit_code", "field", "indicator", "value", "target"]].itertuples(index=False)],
        )  # fmt: skip
        q = tables.quality
        sheets.write(
            "Chất lượng dữ liệu",
            [("Kiểm tra", "text", "", 30), ("Mã phạm vi", "text", "", 18), ("Phạm vi", "text", "", 30),
             ("Số lượng", "int", "", 10), ("Ghi chú", "text", "", 70)],
            [[c, u, scope_name(u), n, note] for c, u, n, note in q[["check", "unit_code", "count", "note"]].itertuples(index=False)],
        )  # fmt: skip
        if watchlist is not None:
            kinds = ["date" if pd.api.types.is_datetime64_any_dtype(watchlist[c]) else
                     "int" if pd.api.types.is_integer_dtype(watchlist[c]) else
                     "num" if pd.api.types.is_float_dtype(watchlist[c]) else "text" for c in watchlist.columns]  # fmt: skip
            sheets.write("Theo dõi", [(WATCHLIST_HEADERS.get(c, c), k, "", 16) for c, k in zip(watchlist.columns, kinds, strict=True)],
                         [list(r) for r in watchlist.itertuples(index=False)])  # fmt: skip
        if integrity_dossiers is not None:
            _integrity_sheet(sheets, integrity_dossiers)
        wb.close()

    return atomic_write(out_path, build)
