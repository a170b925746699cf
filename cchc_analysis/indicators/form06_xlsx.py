"""Form 06 as the official printable sheet "Biểu số 06/VPCP/KSTT" (Thông tư 01/2020/TT-VPCP).

Layout: form number and title, reporting unit, "Từ ngày … đến ngày …", two header rows with
merged cells, the row of column numbers (1)…(13), then one section per level (I. Cấp tỉnh,
II. Cấp huyện, III. Cấp xã; its subtotal on the section row) with one numbered row per field,
and the grand total. A4 landscape, one page wide, header rows repeated on every page.

The file is deterministic (fixed document dates), so every engine writes the same bytes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from .. import refdata, schema

TITLE = (
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
    "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
)
FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
LEVEL_TITLES = {"tinh": "Cấp tỉnh (trên địa bàn)", "huyen": "Cấp huyện", "xa": "Cấp xã"}
ROMAN = ("I", "II", "III", "IV")
GROUP_HEADERS = [
    ("Số hồ sơ nhận giải quyết", 2, 5),
    ("Kết quả giải quyết: số hồ sơ đã giải quyết", 6, 9),
    ("Số hồ sơ đang giải quyết", 10, 12),
]
SUB_HEADERS = [
    "Tổng số",
    "Trực tuyến (mới tiếp nhận)",
    "Trực tiếp và dịch vụ bưu chính (mới tiếp nhận)",
    "Từ kỳ trước chuyển qua",
    "Tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
]
HEADER_TOP = 6  # 0-based row of the first header row


def reporting_unit(end) -> str:
    """Name of the reporting authority on ``end``: the district-level unit, else the wards."""
    units = refdata.units_valid_on(end)
    huyen = units[units["level"] == "huyen"]
    if len(huyen):
        return str(huyen["name"].iloc[0])
    return "UBND " + ", ".join(units.loc[units["level"] == "xa", "name"])


def form06_rows(form06: pd.DataFrame) -> list[tuple[str, str, list[int], str]]:
    """The sheet's body rows: ``(STT, label, 11 counts, kind)`` with kind section|field|total."""
    rows: list[tuple[str, str, list[int], str]] = []
    table = form06.set_index(["unit_code", "field"])
    sections = [lvl for lvl in LEVEL_TITLES if (lvl, "ALL") in table.index]
    for i, lvl in enumerate(sections):
        rows.append((ROMAN[i], LEVEL_TITLES[lvl], [int(v) for v in table.loc[(lvl, "ALL")]], "section"))
        fields = form06[(form06["unit_code"] == lvl) & (form06["field"] != "ALL")]
        for n, (_, r) in enumerate(fields.iterrows(), start=1):
            rows.append((str(n), str(r["field"]), [int(r[c]) for c in schema.FORM06_COLUMNS], "field"))
    if ("ALL", "ALL") in table.index:
        rows.append(("", "TỔNG CỘNG", [int(v) for v in table.loc[("ALL", "ALL")]], "total"))
    return rows


def write_form06_xlsx(tables, path: str | Path) -> Path:
    """Write form 06 of ``tables`` (a ``QuarterTables``) to ``path`` as .xlsx.

    Numbers are written as numbers (integers), so the sheet can be summed and re-read.
    """
    path = Path(path)
    # Export text is data, never a formula or a link (issue 14): strings stay strings.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    # Fixed document dates: the file depends only on the figures.
    stamp = datetime(tables.end.year, tables.end.month, tables.end.day)
    wb.set_properties({"title": FORM_NUMBER, "created": stamp, "author": "cchc-analysis"})
    ws = wb.add_worksheet("Bieu 06")
    base = {"font_name": "Times New Roman", "font_size": 11}
    f_bold = wb.add_format({**base, "bold": True})
    f_title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center", "valign": "vcenter", "text_wrap": True})
    f_center = wb.add_format({**base, "align": "center", "italic": True})
    f_head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    f_num_head = wb.add_format({**base, "italic": True, "border": 1, "align": "center"})
    f_text = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "vcenter"})
    f_int = wb.add_format({**base, "border": 1, "num_format": "#,##0", "valign": "vcenter"})
    f_text_b = wb.add_format({**base, "border": 1, "bold": True, "text_wrap": True, "valign": "vcenter"})
    f_int_b = wb.add_format({**base, "border": 1, "bold": True, "num_format": "#,##0", "valign": "vcenter"})
    f_stt = wb.add_format({**base, "border": 1, "align": "center", "valign": "vcenter"})
    f_stt_b = wb.add_format({**base, "border": 1, "bold": True, "align": "center", "valign": "vcenter"})

    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 12, 11)
    ws.write_string(0, 0, FORM_NUMBER, f_bold)
    ws.write_string(1, 0, "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP", wb.add_format({**base, "italic": True}))
    ws.merge_range(2, 0, 2, 12, TITLE, f_title)
    ws.set_row(2, 36)
    q = tables.quarter
    ws.merge_range(3, 0, 3, 12, f"Kỳ báo cáo: {q.short_label_vi()}", f_center)
    ws.merge_range(
        4, 0, 4, 12,
        f"(Từ ngày {tables.start.strftime('%d/%m/%Y')} "
        f"đến ngày {tables.end.strftime('%d/%m/%Y')})",
        f_center,
    )
    ws.write_string(5, 0, f"- Đơn vị báo cáo: {reporting_unit(tables.end)}", wb.add_format(base))
    ws.write_string(5, 10, "Đơn vị tính: Số hồ sơ TTHC", wb.add_format({**base, "italic": True}))

    top = HEADER_TOP + 1
    ws.merge_range(top, 0, top + 1, 0, "STT", f_head)
    ws.merge_range(top, 1, top + 1, 1, "Lĩnh vực, công việc giải quyết theo cấp", f_head)
    for text, first, last in GROUP_HEADERS:
        ws.merge_range(top, first, top, last, text, f_head)
    for i, text in enumerate(SUB_HEADERS):
        ws.write_string(top + 1, 2 + i, text, f_head)
    ws.set_row(top + 1, 48)
    for col in range(13):
        ws.write_string(top + 2, col, f"({col + 1})", f_num_head)

    row = top + 3
    for stt, label, counts, kind in form06_rows(tables.form06):
        bold = kind != "field"
        ws.write_string(row, 0, stt, f_stt_b if bold else f_stt)
        ws.write_string(row, 1, label, f_text_b if bold else f_text)
        for i, v in enumerate(counts):
            ws.write_number(row, 2 + i, v, f_int_b if bold else f_int)
        row += 1

    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top, top + 2)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.center_horizontally()
    wb.close()
    return path


def first_data_row() -> int:
    """0-based sheet row of the first body row (for readers and tests)."""
    return HEADER_TOP + 4
