"""Build the shipped Word template ``cchc_analysis/data/templates/bao_cao.docx`` (python-docx).

Rebuild after editing this file: ``python -m cchc_analysis.pack.template_builder``. An office
that wants other wording or layout copies the .docx into ``data/reference/templates/`` and edits
it in Word; this script is only how the shipped default is made.

Layout of Nghị định 30/2020/NĐ-CP, Phụ lục I: A4 portrait; margins top 20 mm, bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman 14 (13 in the header blocks and tables); the two-column
header (issuing body | Quốc hiệu and tiêu ngữ; number | place and date); page number centred in
the top margin from page 2; "Nơi nhận" and the signature block; the annexes in a landscape
section. The Jinja placeholders are filled by :mod:`cchc_analysis.pack.word` (docxtpl, with
autoescaping).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from .. import config

TEMPLATE_NAME = "templates/bao_cao.docx"
FONT = "Times New Roman"
#: Form 06 columns (3)..(13) after STT and the label.
FORM06_WIDTHS_CM = [1.2, 6.8] + [1.6] * 11
INDICATOR_HEADERS = ["TT", "Chỉ số", "Phạm vi", "Tử số", "Mẫu số", "Kết quả", "Kỳ trước",
                     "Cùng kỳ năm trước", "Tăng, giảm (điểm %)", "Mục tiêu", "Đạt mục tiêu"]  # fmt: skip
INDICATOR_WIDTHS_CM = [1.0, 6.0, 4.4, 1.8, 1.8, 1.7, 1.7, 1.8, 1.9, 1.6, 2.0]
RANKING_HEADERS = ["Hạng", "Đơn vị", "Cấp", "Hồ sơ đã giải quyết", "Đúng hạn và trước hạn", "Tỷ lệ đúng hạn"]
RANKING_WIDTHS_CM = [1.4, 10.0, 3.0, 3.5, 3.5, 3.0]


# --------------------------------------------------------------------------- small helpers

# Children that must follow the element being inserted (WordprocessingML sequence order), so
# that Word opens the file without a repair prompt.
_AFTER_PBDR = ("shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
               "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
               "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
               "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")  # fmt: skip
_AFTER_TBLBORDERS = ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")


def _insert_ordered(parent, element, successors) -> None:
    for child in parent:
        if child.tag in {qn(f"w:{name}") for name in successors}:
            child.addprevious(element)
            return
    parent.append(element)



def _style_run(run, size=14, bold=None, italic=None):
    run.font.name = FONT
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic
    return run


def _para(container, text="", size=14, bold=None, italic=None, align=None, indent=False, after=6, before=0):
    p = container.add_paragraph()
    if text:
        _style_run(p.add_run(text), size, bold, italic)
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1.27)
    return p


def _cell_para(cell, text="", size=13, bold=None, italic=None, align=WD_ALIGN_PARAGRAPH.CENTER, first=False):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    if text:
        _style_run(p.add_run(text), size, bold, italic)
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    return p


def _rule(cell, width_cm, cell_width_cm):
    """A short centred horizontal line (the line under the issuing body, the tiêu ngữ)."""
    p = cell.add_paragraph()
    side = max((cell_width_cm - width_cm) / 2, 0)
    p.paragraph_format.left_indent = Cm(side)
    p.paragraph_format.right_indent = Cm(side)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{key}"), value)
    border.append(top)
    _insert_ordered(p._p.get_or_add_pPr(), border, _AFTER_PBDR)
    return p


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert_ordered(table._tbl.tblPr, borders, _AFTER_TBLBORDERS)


def _widths(table, widths_cm):
    """Fixed column widths, written both in the grid (LibreOffice reads it) and in every cell (Word)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    table._tbl.tblPr.get_or_add_tblLayout().set(qn("w:type"), "fixed")
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _page_number(paragraph):
    run = _style_run(paragraph.add_run(), 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _keep_row_together(row):
    """A table row never split across two pages."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    tr_pr.insert(0, el)


def _repeat_header(row):
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _align(text_columns, index):
    if index == 0:
        return WD_ALIGN_PARAGRAPH.CENTER
    return WD_ALIGN_PARAGRAPH.LEFT if index in text_columns else WD_ALIGN_PARAGRAPH.RIGHT


def _loop_table(doc, headers, widths, cells, loop, text_columns, size=11):
    """A bordered table: one header row, then the docxtpl row loop over ``loop``."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_para(cell, text, size, bold=True, first=True)
    _repeat_header(table.rows[0])
    _cell_para(table.rows[1].cells[0], f"{{%tr for r in {loop} %}}", size, first=True)
    for i, (cell, text) in enumerate(zip(table.rows[2].cells, cells, strict=True)):
        _cell_para(cell, text, size, align=_align(text_columns, i), first=True)
    _keep_row_together(table.rows[2])
    _cell_para(table.rows[3].cells[0], "{%tr endfor %}", size, first=True)
    _widths(table, widths)
    return table


# --------------------------------------------------------------------------- the document


def _header_blocks(doc):
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    left, right = 6.0, 10.5
    body, nation = table.rows[0].cells
    _cell_para(body, "{%p if issuer.parent %}", 13, first=True)
    _cell_para(body, "{{ issuer.parent }}", 13, bold=False)
    _cell_para(body, "{%p endif %}", 13)
    _cell_para(body, "{{ issuer.line1 }}", 13, bold=True)
    _cell_para(body, "{{ issuer.line2 }}", 13, bold=True)
    _rule(body, 2.2, left)
    _cell_para(nation, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, bold=True, first=True)
    _cell_para(nation, "Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    _rule(nation, 6.2, right)
    number, place = table.rows[1].cells
    _cell_para(number, "Số: {{ number }}/{{ issuer.symbol }}", 13, first=True)
    _cell_para(place, "{{ issuer.place }}, ngày … tháng … năm {{ issue_year }}", 14, italic=True, first=True)
    _widths(table, [left, right])


def _section_loop(doc, name):
    """Paragraphs of a section, each a RichText (plain text or a marked placeholder)."""
    _para(doc, f"{{%p for para in {name} %}}", after=0)
    _para(doc, "{{r para }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p endfor %}", after=0)


def _heading(doc, text, level=1):
    _para(doc, text, 14, bold=True, italic=level == 3, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6)


BODY = [
    ("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", 1, ["sections.chi_dao"]),
    ("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH", 1, []),
    ("1. Cải cách thể chế", 2, ["sections.the_che"]),
    ("2. Cải cách thủ tục hành chính", 2, ["data.tthc", "data.so_sanh", "sections.tthc"]),
    ("3. Cải cách tổ chức bộ máy hành chính nhà nước", 2, ["sections.to_chuc_bo_may"]),
    ("4. Cải cách chế độ công vụ", 2, ["sections.cong_vu"]),
    ("5. Cải cách tài chính công", 2, ["sections.tai_chinh_cong"]),
    ("6. Xây dựng và phát triển chính quyền điện tử, chính quyền số", 2, ["data.chinh_quyen_so", "sections.chinh_quyen_so"]),
    ("III. ĐÁNH GIÁ CHUNG", 1, []),
    ("1. Ưu điểm", 2, ["sections.uu_diem"]),
    ("2. Tồn tại, hạn chế và nguyên nhân", 2, ["data.han_che", "sections.han_che"]),
    ("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM KỲ TỚI", 1, ["sections.phuong_huong"]),
    ("V. ĐỀ XUẤT, KIẾN NGHỊ", 1, ["sections.kien_nghi"]),
]


def _signature(doc):
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    recipients, signer = table.rows[0].cells
    _cell_para(recipients, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    _cell_para(recipients, "{%p for r in issuer.recipients %}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(recipients, "- {{ r }};", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(recipients, "{%p endfor %}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(recipients, "- Lưu: VT.", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(signer, "{{ issuer.signer_capacity }}", 14, bold=True, first=True)
    _cell_para(signer, "{{ issuer.signer_title }}", 14, bold=True)
    for _ in range(4):
        _cell_para(signer, "", 14)
    _cell_para(signer, "{{r issuer.signer_name }}", 14, bold=True)
    _widths(table, [8.0, 8.5])


def _annex_heading(doc, number, title, page_break=True):
    p = _para(doc, f"Phụ lục {number}", 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    if page_break:
        p.paragraph_format.page_break_before = True
    _para(doc, title, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, "(Kèm theo Báo cáo số {{ number }}/{{ issuer.symbol }} ngày … tháng … năm {{ issue_year }} "
          "của {{ issuer.body_name }})", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)


def _annexes(doc):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(30), Mm(15)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    section.different_first_page_header_footer = False
    _annex_heading(doc, "I", "{{ annex_form06_title }}", page_break=False)
    _para(doc, "{{ form06_caption }}", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    table = doc.add_table(rows=6, cols=13)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    from ..indicators.form06_xlsx import GROUP_HEADERS, SUB_HEADERS

    top, sub, numbers = table.rows[0], table.rows[1], table.rows[2]
    top.cells[0].merge(sub.cells[0])
    top.cells[1].merge(sub.cells[1])
    _cell_para(top.cells[0], "STT", 11, bold=True, first=True)
    _cell_para(top.cells[1], "Lĩnh vực, công việc giải quyết theo cấp", 11, bold=True, first=True)
    for text, first, last in GROUP_HEADERS:
        merged = top.cells[first].merge(top.cells[last])
        _cell_para(merged, text, 11, bold=True, first=True)
    for i, text in enumerate(SUB_HEADERS):
        _cell_para(sub.cells[2 + i], text, 10, bold=True, first=True)
    for col in range(13):
        _cell_para(numbers.cells[col], f"({col + 1})", 10, italic=True, first=True)
    for row in (top, sub, numbers):
        _repeat_header(row)
    _cell_para(table.rows[3].cells[0], "{%tr for r in form06_rows %}", 11, first=True)
    for col in range(13):
        _cell_para(table.rows[4].cells[col], f"{{{{r r.cells[{col}] }}}}", 11, align=_align({1}, col), first=True)
    _keep_row_together(table.rows[4])
    _cell_para(table.rows[5].cells[0], "{%tr endfor %}", 11, first=True)
    _widths(table, FORM06_WIDTHS_CM)

    _annex_heading(doc, "II", "CÁC CHỈ SỐ CẢI CÁCH THỦ TỤC HÀNH CHÍNH VÀ CHÍNH QUYỀN SỐ")
    _para(doc, "{{ indicator_caption }}", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    cells = ["{{ r.stt }}", "{{ r.indicator }}", "{{ r.scope }}", "{{ r.numerator }}", "{{ r.denominator }}",
             "{{ r.value }}", "{{ r.previous }}", "{{ r.year_ago }}", "{{ r.change }}", "{{ r.target }}", "{{ r.met }}"]
    _loop_table(doc, INDICATOR_HEADERS, INDICATOR_WIDTHS_CM, cells, "indicator_rows", {1, 2, 10})

    _annex_heading(doc, "III", "XẾP HẠNG CÁC ĐƠN VỊ THEO TỶ LỆ GIẢI QUYẾT HỒ SƠ ĐÚNG HẠN")
    cells = ["{{ r.rank }}", "{{ r.unit }}", "{{ r.level }}", "{{ r.resolved }}", "{{ r.on_time }}", "{{ r.rate }}"]
    _loop_table(doc, RANKING_HEADERS, RANKING_WIDTHS_CM, cells, "ranking_rows", {1, 2})
    _para(doc, "{{ ranking_note }}", 13, italic=True, after=0, before=6)


def build_template() -> Document:
    """The report template as a python-docx Document (not yet saved)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    doc.core_properties.title = "Báo cáo kết quả công tác cải cách hành chính"
    doc.core_properties.author = "cchc-analysis"

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True  # no page number on page 1
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)

    _header_blocks(doc)
    _para(doc, "BÁO CÁO", 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=0)
    _para(doc, "{{ subject }}", 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    rule_holder = doc.add_table(rows=1, cols=1)
    _no_borders(rule_holder)
    _rule(rule_holder.rows[0].cells[0], 4.0, 16.5)
    _widths(rule_holder, [16.5])
    _para(doc, "{{ period_note }}", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _para(doc, "{%p if synthetic %}", after=0)
    _para(doc, "{{ synthetic_notice }}", 13, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{%p endif %}", after=0)
    _para(doc, "{{ intro }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for title, level, loops in BODY:
        _heading(doc, title, level)
        for name in loops:
            _section_loop(doc, name)
    _para(doc, "{{ closing }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _signature(doc)
    _annexes(doc)
    return doc


def main(path: str | Path | None = None) -> Path:
    """Write the template to ``path`` (default: the shipped ``cchc_analysis/data`` copy)."""
    target = Path(path) if path else config.PACKAGE_REFERENCE_DIR / TEMPLATE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(str(target))
    return target


if __name__ == "__main__":  # pragma: no cover
    print(main())
