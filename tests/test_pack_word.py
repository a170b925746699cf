"""The Word draft of the report pack (cchc_analysis.pack.word), read back with python-docx."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date

import pandas as pd
import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis import config, fmt
from cchc_analysis.errors import InputError
from cchc_analysis.indicators import read_quarter
from cchc_analysis.pack import SECTIONS, issuer_for, read_manual_input, write_manual_template, write_word_draft
from cchc_analysis.pack.manual import manual_template, placeholder
from cchc_analysis.pack.template_builder import build_template
from cchc_analysis.schema import FORM06_COLUMNS
from tests import report_fixtures

HOSTILE = ["<w:p>", '=HYPERLINK("x")', "{{ x }}"]


@pytest.fixture(scope="module")
def sample_tables(indicators_sample_outputs):
    return read_quarter(indicators_sample_outputs, "2024Q1")


@pytest.fixture(scope="module")
def sample_draft(sample_tables, tmp_path_factory):
    path = write_word_draft(sample_tables, tmp_path_factory.mktemp("draft") / "bao_cao_2024Q1.docx")
    return Document(str(path))


def _texts(doc) -> list[str]:
    """Every paragraph text of the body and of its tables, in order."""
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    return out


def _numbers(text: str) -> list[int]:
    return [int(n.replace(".", "")) for n in re.findall(r"\d[\d.]*\d|\d", text)]


def _table_with(doc, first_header: str, columns: int):
    return next(t for t in doc.tables if len(t.columns) == columns and t.cell(0, 0).text == first_header)


class TestWriteWordDraft:
    def test_a4_portrait_with_the_margins_of_decree_30(self, sample_draft):
        s = sample_draft.sections[0]
        assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
        assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
        assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20

    def test_annexes_are_a_landscape_a4_section(self, sample_draft):
        annex = sample_draft.sections[-1]
        assert (round(annex.page_width.mm), round(annex.page_height.mm)) == (297, 210)

    def test_times_new_roman_13_to_14(self, sample_draft):
        normal = sample_draft.styles["Normal"].font
        assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
        named = {r.font.name for p in sample_draft.paragraphs for r in p.runs if r.font.name}
        assert named == {"Times New Roman"}
        body_sizes = {r.font.size.pt for p in sample_draft.paragraphs for r in p.runs if r.font.size}
        assert body_sizes <= {13.0, 14.0}

    def test_header_blocks(self, sample_draft):
        header = sample_draft.tables[0]
        issuer, nation = (c.text.split("\n") for c in header.rows[0].cells)
        assert [t for t in issuer if t] == ["ỦY BAN NHÂN DÂN", "THỊ XÃ HƯƠNG THỦY"]
        assert [t for t in nation if t] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
        assert header.cell(1, 0).text == "Số: …/BC-UBND"
        assert header.cell(1, 1).text == "Hương Thủy, ngày … tháng … năm 2024"

    def test_title_subject_and_period(self, sample_draft):
        texts = [p.text for p in sample_draft.paragraphs]
        i = texts.index("BÁO CÁO")
        assert texts[i + 1] == "Kết quả công tác cải cách hành chính quý I năm 2024"
        assert "(Số liệu từ ngày 01/01/2024 đến ngày 31/3/2024, kỳ báo cáo theo tháng dương lịch)" in texts

    def test_page_numbers_from_page_two(self, sample_draft):
        first = sample_draft.sections[0]
        assert first.different_first_page_header_footer
        assert "PAGE" in first.header._element.xml
        assert "PAGE" not in first.first_page_header._element.xml

    def test_outline_in_the_official_order(self, sample_draft):
        texts = [p.text for p in sample_draft.paragraphs]
        headings = ["I. CÔNG TÁC CHỈ ĐẠO", "II. KẾT QUẢ THỰC HIỆN", "1. Cải cách thể chế", "2. Cải cách thủ tục",
                    "3. Cải cách tổ chức bộ máy", "4. Cải cách chế độ công vụ", "5. Cải cách tài chính công",
                    "6. Xây dựng và phát triển chính quyền điện tử", "III. ĐÁNH GIÁ CHUNG", "1. Ưu điểm",
                    "2. Tồn tại, hạn chế", "IV. PHƯƠNG HƯỚNG", "V. ĐỀ XUẤT, KIẾN NGHỊ"]  # fmt: skip
        where = [next(i for i, t in enumerate(texts) if t.startswith(h)) for h in headings]
        assert where == sorted(where)

    def test_form06_sentence_matches_form06_csv(self, sample_draft, indicators_sample_outputs):
        row = pd.read_csv(indicators_sample_outputs / "2024Q1" / "form06.csv").query("unit_code == 'ALL' and field == 'ALL'").iloc[0]
        sentence = next(p.text for p in sample_draft.paragraphs if p.text.startswith("Tổng số hồ sơ tiếp nhận giải quyết"))
        expected = [row["received_total"], row["received_online"] + row["received_offline"], row["received_online"],
                    row["received_offline"], row["carried_over"], row["resolved_total"], row["resolved_early"],
                    row["resolved_on_time"], row["resolved_late"], row["pending_total"], row["pending_within_due"],
                    row["pending_overdue"]]  # fmt: skip
        assert _numbers(sentence) == [int(v) for v in expected]
        # the sample's figures, written the Vietnamese way
        assert sentence.startswith("Tổng số hồ sơ tiếp nhận giải quyết: 3.616 hồ sơ, trong đó tiếp nhận mới trong kỳ 3.489 hồ sơ")
        assert "đang giải quyết 124 hồ sơ (trong hạn 115, quá hạn 9)." in sentence

    def test_rates_by_level_and_the_centre(self, sample_draft):
        texts = [p.text for p in sample_draft.paragraphs]
        assert ("Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn đạt 97,5% (mục tiêu 98,0%, chưa đạt mục tiêu); trong đó: "
                "cấp tỉnh (trên địa bàn) 91,3%, cấp huyện 97,4%, cấp xã 98,8%.") in texts  # fmt: skip
        assert any(t.startswith("Trung tâm Hành chính công thị xã Hương Thủy tiếp nhận 1.123 hồ sơ") and "94,5%" in t for t in texts)
        # Issue 13: 11 late dossiers come from exports without an apology column: unknown, not "no".
        assert ("Đã gửi phiếu xin lỗi đối với 69/75 hồ sơ giải quyết quá hạn (92,0%); 11 hồ sơ không rõ thông tin, "
                "không tính; còn 6 hồ sơ quá hạn chưa có phiếu xin lỗi.") in texts

    def test_annex_i_is_form06_by_level_then_field(self, sample_draft, indicators_sample_outputs):
        form06 = pd.read_csv(indicators_sample_outputs / "2024Q1" / "form06.csv")
        table = _table_with(sample_draft, "STT", 13)
        body = [[c.text for c in row.cells] for row in table.rows[3:]]
        levels = [r for r in body if r[0] in ("I", "II", "III")]
        assert [r[1] for r in levels] == ["Cấp tỉnh (trên địa bàn)", "Cấp huyện", "Cấp xã"]
        total = form06.query("unit_code == 'ALL' and field == 'ALL'").iloc[0]
        assert body[-1][1] == "TỔNG CỘNG"
        assert body[-1][2:] == [fmt.number(total[c], 0) for c in FORM06_COLUMNS]
        field_rows = form06[form06["unit_code"].isin(["tinh", "huyen", "xa"]) & (form06["field"] != "ALL")]
        assert len(body) == 3 + len(field_rows) + 1

    def test_annex_ii_indicator_table(self, sample_draft):
        table = _table_with(sample_draft, "TT", 11)
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        on_time = next(r for r in rows if r[1] == "Tỷ lệ giải quyết đúng hạn" and r[2] == "Toàn địa bàn")
        assert on_time[3:] == ["3.406", "3.492", "97,5%", "97,4%", "97,9%", "+0,1", "98,0%", "Chưa đạt"]
        assert {r[2] for r in rows} >= {"Toàn địa bàn", "Cấp tỉnh", "Cấp huyện", "Cấp xã",
                                       "Trung tâm Hành chính công thị xã Hương Thủy"}  # fmt: skip

    def test_annexes_in_roman_numerals(self, sample_draft):
        texts = [p.text for p in sample_draft.paragraphs]
        assert [t for t in texts if t.startswith("Phụ lục ")] == ["Phụ lục I", "Phụ lục II", "Phụ lục III"]

    def test_unfilled_manual_sections_are_visible_placeholders(self, sample_draft):
        texts = [p.text for p in sample_draft.paragraphs]
        for key in SECTIONS:
            assert placeholder(key) in texts

    def test_recipients_and_signature(self, sample_draft):
        recipients, signer = (c.text for c in sample_draft.tables[-4].rows[0].cells)
        assert recipients.startswith("Nơi nhận:\n- UBND tỉnh Thừa Thiên Huế (b/c);")
        assert recipients.endswith("- Lưu: VT.")
        assert [t for t in signer.split("\n") if t] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "[Họ và tên người ký]"]

    def test_synthetic_notice_only_for_synthetic_tables(self, sample_draft, tmp_path):
        assert any(p.text.startswith("DỮ LIỆU MÔ PHỎNG") for p in sample_draft.paragraphs)
        real = Document(str(write_word_draft(report_fixtures.q2024q1(synthetic=False), tmp_path / "d.docx")))
        assert not any("MÔ PHỎNG" in t for t in _texts(real))

    def test_filled_manual_input_appears(self, sample_tables, tmp_path):
        manual = tmp_path / "nhap_tay_2024Q1.md"
        write_manual_template(manual, "quý I năm 2024")
        text = manual.read_text(encoding="utf-8").replace(
            "## Cải cách thể chế\n", "## Cải cách thể chế\n\nBan hành 3 văn bản quy phạm pháp luật.\n"
            "- Rà soát 12 văn bản;\n- Kiểm tra 4 văn bản.\n")  # fmt: skip
        manual.write_text(text, encoding="utf-8")
        doc = Document(str(write_word_draft(sample_tables, tmp_path / "d.docx", manual_input=manual)))
        texts = [p.text for p in doc.paragraphs]
        i = texts.index("1. Cải cách thể chế")
        assert texts[i + 1 : i + 4] == ["Ban hành 3 văn bản quy phạm pháp luật.", "- Rà soát 12 văn bản;", "- Kiểm tra 4 văn bản."]
        assert placeholder("the_che") not in texts
        assert placeholder("cong_vu") in texts

    def test_unit_report_is_issued_by_the_unit(self, sample_tables, tmp_path):
        doc = Document(str(write_word_draft(sample_tables, tmp_path / "d.docx", unit="x-thuy-tan")))
        issuer = [t for t in doc.tables[0].cell(0, 0).text.split("\n") if t]
        assert issuer == ["ỦY BAN NHÂN DÂN", "XÃ THỦY TÂN"]
        assert doc.tables[0].cell(1, 1).text.startswith("Thủy Tân, ngày")
        f = sample_tables.form06.query("unit_code == 'x-thuy-tan' and field == 'ALL'").iloc[0]
        sentence = next(p.text for p in doc.paragraphs if p.text.startswith("Tổng số hồ sơ"))
        assert _numbers(sentence)[0] == f["received_total"] and _numbers(sentence)[5] == f["resolved_total"]

    def test_unknown_unit_is_a_clear_error(self, sample_tables, tmp_path):
        with pytest.raises(InputError, match="no-such-unit"):
            write_word_draft(sample_tables, tmp_path / "d.docx", unit="no-such-unit")

    def test_template_in_data_reference_overrides_the_shipped_one(self, sample_tables, tmp_path, monkeypatch):
        reference = tmp_path / "reference"
        (reference / "templates").mkdir(parents=True)
        own = Document(str(config.PACKAGE_REFERENCE_DIR / "templates" / "bao_cao.docx"))
        own.paragraphs[0].insert_paragraph_before("MẪU RIÊNG CỦA VĂN PHÒNG {{ issuer.place }}")
        own.save(str(reference / "templates" / "bao_cao.docx"))
        monkeypatch.setattr(config, "USER_REFERENCE_DIR", reference)
        doc = Document(str(write_word_draft(sample_tables, tmp_path / "d.docx")))
        assert "MẪU RIÊNG CỦA VĂN PHÒNG Hương Thủy" in [p.text for p in doc.paragraphs]

    def test_hostile_export_text_is_inserted_literally(self, tmp_path):
        tables = report_fixtures.q2024q1()
        fields = tables.form06["field"].drop_duplicates()
        fields = fields[fields != "ALL"].tolist()[: len(HOSTILE)]
        renames = dict(zip(fields, HOSTILE, strict=True))
        tables.form06["field"] = tables.form06["field"].replace(renames)
        path = write_word_draft(tables, tmp_path / "d.docx")
        late_by_field = next(t for t in _texts(Document(str(path))) if t.startswith("Hồ sơ giải quyết quá hạn"))
        assert late_by_field.endswith('theo lĩnh vực: <w:p> 17, {{ x }} 13, =HYPERLINK("x") 10.')
        xml = zipfile.ZipFile(path).read("word/document.xml").decode()
        assert "&lt;w:p&gt;" in xml and "{{ x }}" in xml
        # a unit's Annex I lists its fields, one cell each
        unit = Document(str(write_word_draft(tables, tmp_path / "u.docx", unit="tx-huong-thuy")))
        cells = [row.cells[1].text for row in _table_with(unit, "STT", 13).rows[3:]]
        assert cells == ["<w:p>", "{{ x }}", "TỔNG CỘNG"]

    def test_period_convention_nd09_is_stated(self, tmp_path):
        doc = Document(str(write_word_draft(report_fixtures.q2024q1(period="nd09"), tmp_path / "d.docx")))
        assert "(Số liệu từ ngày 15/12/2023 đến ngày 14/3/2024, kỳ báo cáo theo Nghị định số 09/2019/NĐ-CP)" in _texts(doc)


class TestReadManualInput:
    def test_the_shipped_form_is_the_generated_one_and_empty(self):
        shipped = config.PACKAGE_REFERENCE_DIR / "templates" / "nhap_tay.md"
        assert shipped.read_text(encoding="utf-8") == manual_template("<kỳ báo cáo>")
        assert read_manual_input(shipped) == {}

    def test_paragraphs_bullets_and_comments(self, tmp_path):
        path = tmp_path / "m.md"
        path.write_text("# tiêu đề\n## 2. Cải cách thể chế (bổ sung)\n<!-- gợi ý\nnhiều dòng -->\nDòng một\ntiếp tục.\n\n"
                        "- ý một\n+ ý hai\n## kien_nghi\nKiến nghị A.\n", encoding="utf-8")  # fmt: skip
        assert read_manual_input(path) == {"the_che": ["Dòng một tiếp tục.", "- ý một", "+ ý hai"], "kien_nghi": ["Kiến nghị A."]}

    def test_missing_file_means_no_section(self, tmp_path):
        assert read_manual_input(tmp_path / "absent.md") == {}
        assert read_manual_input(None) == {}

    def test_unknown_heading_names_file_and_line(self, tmp_path):
        path = tmp_path / "m.md"
        path.write_text("## Cải cách thể chế\nA.\n\n## Cải cách gì đó\n", encoding="utf-8")
        with pytest.raises(InputError, match=r"m\.md, row 4: heading 'Cải cách gì đó'"):
            read_manual_input(path)


class TestWriteManualTemplate:
    def test_keeps_an_existing_file(self, tmp_path):
        path = tmp_path / "m.md"
        path.write_text("## Cải cách thể chế\nĐã viết.\n", encoding="utf-8")
        write_manual_template(path, "quý I năm 2024")
        assert read_manual_input(path) == {"the_che": ["Đã viết."]}
        write_manual_template(path, "quý I năm 2024", overwrite=True)
        assert read_manual_input(path) == {}


class TestIssuerFor:
    def test_the_town_until_2024(self):
        issuer = issuer_for(date(2024, 3, 31))
        assert (issuer.line1, issuer.line2, issuer.place, issuer.symbol) == ("ỦY BAN NHÂN DÂN", "THỊ XÃ HƯƠNG THỦY", "Hương Thủy", "BC-UBND")
        assert issuer.recipients[0] == "UBND tỉnh Thừa Thiên Huế (b/c)"

    def test_reports_to_the_city_of_hue_in_2025(self):
        assert issuer_for(date(2025, 3, 31)).recipients[0] == "UBND thành phố Huế (b/c)"

    def test_a_new_ward_issues_its_own_after_the_reform(self):
        issuer = issuer_for(date(2025, 9, 30), "p-thanh-thuy")
        assert (issuer.line2, issuer.place, issuer.body_name) == ("PHƯỜNG THANH THỦY", "Thanh Thủy", "Ủy ban nhân dân phường Thanh Thủy")

    def test_no_area_issuer_after_the_reform_is_a_placeholder(self):
        issuer = issuer_for(date(2025, 9, 30))
        assert issuer.placeholder and issuer.line1.startswith("[Đơn vị bổ sung")

    def test_unknown_unit(self):
        with pytest.raises(InputError, match="'zz'"):
            issuer_for(date(2024, 3, 31), "zz")


class TestBuildTemplate:
    def test_shipped_template_is_what_the_builder_makes(self, tmp_path):
        build_template().save(str(tmp_path / "t.docx"))
        fresh = zipfile.ZipFile(tmp_path / "t.docx").read("word/document.xml")
        shipped = zipfile.ZipFile(config.PACKAGE_REFERENCE_DIR / "templates" / "bao_cao.docx").read("word/document.xml")
        assert fresh == shipped

    def test_shipped_template_can_be_copied_and_used_as_is(self, sample_tables, tmp_path, monkeypatch):
        (tmp_path / "templates").mkdir()
        shutil.copy(config.PACKAGE_REFERENCE_DIR / "templates" / "bao_cao.docx", tmp_path / "templates" / "bao_cao.docx")
        monkeypatch.setattr(config, "USER_REFERENCE_DIR", tmp_path)
        doc = Document(str(write_word_draft(sample_tables, tmp_path / "d.docx")))
        assert "BÁO CÁO" in [p.text for p in doc.paragraphs]


class TestCumulativePeriodDraft:
    def test_six_months_compared_with_the_same_period_a_year_earlier(self, tmp_path):
        from cchc_analysis.periods import Period

        tables = report_fixtures.q2024q1()
        tables.quarter, tables.start, tables.end = Period(2024, "H1"), date(2024, 1, 1), date(2024, 6, 30)
        texts = _texts(Document(str(write_word_draft(tables, tmp_path / "d.docx"))))
        assert "Kết quả công tác cải cách hành chính 6 tháng đầu năm 2024" in texts
        comparisons = [t for t in texts if t.startswith("- Tỷ lệ") and "so với" in t]
        assert comparisons
        assert all("so với cùng kỳ 6 tháng đầu năm 2023" in t and "quý" not in t for t in comparisons)


class TestDataSections:
    def test_after_the_reform_without_late_dossiers_or_feedback(self):
        from cchc_analysis.pack.sentences import data_sections
        from cchc_analysis.periods import Period

        sections = data_sections(report_fixtures.q2025q3(), Period(2025, "Q3"), None)
        assert "Không có hồ sơ giải quyết quá hạn trong kỳ." in sections["tthc"]
        assert ("Phản ánh, kiến nghị về quy định hành chính: dữ liệu của kỳ không ghi nhận phản ánh, kiến nghị nào."
                in sections["tthc"])  # fmt: skip
        assert not any(re.search(r"(?<![\d,])0(,0)?%", t) for t in sections["tthc"])  # no 0 % anywhere


class TestWriteReportPack:
    def test_both_files_and_the_manual_form(self, sample_tables, tmp_path, monkeypatch):
        from cchc_analysis.pack import write_report_pack

        monkeypatch.setenv("CCHC_MANUAL_DIR", str(tmp_path / "manual"))
        paths = write_report_pack(sample_tables, tmp_path / "out")
        assert paths["docx"] == tmp_path / "out" / "2024Q1" / "bao_cao_2024Q1.docx"
        assert paths["xlsx"] == tmp_path / "out" / "2024Q1" / "chi_so_2024Q1.xlsx"
        assert paths["manual"] == tmp_path / "manual" / "nhap_tay_2024Q1.md"
        assert paths["manual"].read_text(encoding="utf-8") == manual_template("quý I năm 2024")
        # the analyst's text is kept and used on the next run
        paths["manual"].write_text("## Đề xuất, kiến nghị\nĐề nghị cấp trên hỗ trợ máy quét.\n", encoding="utf-8")
        paths = write_report_pack(sample_tables, tmp_path / "out", unit="x-thuy-tan")
        assert paths["docx"].name == "bao_cao_2024Q1_x-thuy-tan.docx"
        assert "Đề nghị cấp trên hỗ trợ máy quét." in _texts(Document(str(paths["docx"])))


class TestForm06Sentence:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.integers(0, 5_000_000), min_size=7, max_size=7))
    def test_every_count_is_written_in_order(self, counts):
        from cchc_analysis.pack.sentences import form06_sentence

        online, offline, carried, early, on_time, late, within = counts
        received = online + offline + carried
        resolved = min(early + on_time + late, received)
        early, on_time, late = (resolved, 0, 0) if resolved < early + on_time + late else (early, on_time, late)
        pending = received - resolved
        within = min(within, pending)
        row = pd.Series(dict(zip(FORM06_COLUMNS, [received, online, offline, carried, resolved, early, on_time, late,
                                                  pending, within, pending - within], strict=True)))  # fmt: skip
        expected = [received, online + offline, online, offline, carried, resolved, early, on_time, late, pending,
                    within, pending - within]  # fmt: skip
        assert _numbers(form06_sentence(row)) == expected


class TestDigitalParagraphs:
    def test_sample_rates(self, sample_draft):
        texts = [p.text for p in sample_draft.paragraphs]
        assert "- Tỷ lệ hồ sơ trực tuyến: 753/3.489 hồ sơ, đạt 21,6% (mục tiêu 50,0%, chưa đạt mục tiêu)." in texts
        assert "- Tỷ lệ văn bản điện tử: 3.774/3.774 văn bản, đạt 100,0% (mục tiêu 100,0%, đạt mục tiêu)." in texts
