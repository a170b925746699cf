"""form06.xlsx: the printable "Biểu số 06/VPCP/KSTT", re-read with calamine."""

from __future__ import annotations

import zipfile
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from cchc_analysis import schema
from cchc_analysis.indicators import write_form06_xlsx
from cchc_analysis.indicators.form06_xlsx import first_data_row, form06_rows
from cchc_analysis.periods import Quarter


def _form06() -> pd.DataFrame:
    rows = [
        ("ALL", "ALL", [10, 2, 7, 1, 8, 3, 4, 1, 2, 1, 1]),
        ("ALL", "Hộ tịch", [6, 2, 3, 1, 5, 2, 2, 1, 1, 1, 0]),
        ("ALL", "Đất đai", [4, 0, 4, 0, 3, 1, 2, 0, 1, 0, 1]),
        ("huyen", "ALL", [4, 0, 4, 0, 3, 1, 2, 0, 1, 0, 1]),
        ("huyen", "Đất đai", [4, 0, 4, 0, 3, 1, 2, 0, 1, 0, 1]),
        ("xa", "ALL", [6, 2, 3, 1, 5, 2, 2, 1, 1, 1, 0]),
        ("xa", "Hộ tịch", [6, 2, 3, 1, 5, 2, 2, 1, 1, 1, 0]),
        ("p-phu-bai", "ALL", [6, 2, 3, 1, 5, 2, 2, 1, 1, 1, 0]),
    ]
    frame = pd.DataFrame([(u, f, *c) for u, f, c in rows], columns=["unit_code", "field", *schema.FORM06_COLUMNS])
    return frame


@pytest.fixture
def xlsx(tmp_path):
    tables = SimpleNamespace(quarter=Quarter(2024, 1), start=date(2024, 1, 1), end=date(2024, 3, 31), form06=_form06())
    return write_form06_xlsx(tables, tmp_path / "form06.xlsx")


def _sheet(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


class TestFormRows:
    def test_sections_by_level_then_fields_then_total(self):
        labels = [(stt, label, kind) for stt, label, _, kind in form06_rows(_form06())]
        assert labels == [
            ("I", "Cấp huyện", "section"),
            ("1", "Đất đai", "field"),
            ("II", "Cấp xã", "section"),
            ("1", "Hộ tịch", "field"),
            ("", "TỔNG CỘNG", "total"),
        ]


class TestWriteForm06Xlsx:
    def test_title_period_and_unit(self, xlsx):
        text = " ".join(str(c) for row in _sheet(xlsx)[:7] for c in row)
        assert "Biểu số 06/VPCP/KSTT" in text
        assert "Từ ngày 01/01/2024 đến ngày 31/03/2024" in text
        assert "Đơn vị báo cáo: UBND thị xã Hương Thủy" in text

    def test_thirteen_numbered_columns(self, xlsx):
        assert _sheet(xlsx)[first_data_row() - 1] == [f"({i})" for i in range(1, 14)]

    def test_numbers_match_the_csv_rows(self, xlsx):
        body = _sheet(xlsx)[first_data_row():]
        assert [int(v) for v in body[0][2:]] == _form06().iloc[3, 2:].tolist()  # huyện subtotal
        assert body[-1][1] == "TỔNG CỘNG"
        assert [int(v) for v in body[-1][2:]] == _form06().iloc[0, 2:].tolist()

    def test_header_cells_are_merged(self, xlsx):
        sheet = zipfile.ZipFile(xlsx).read("xl/worksheets/sheet1.xml").decode()
        for ref in ("A8:A9", "B8:B9", "C8:F8", "G8:J8", "K8:M8"):
            assert f'ref="{ref}"' in sheet

    def test_prints_on_a4_landscape_one_page_wide_with_repeated_headers(self, xlsx):
        archive = zipfile.ZipFile(xlsx)
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        assert 'paperSize="9"' in sheet and 'orientation="landscape"' in sheet
        assert 'fitToHeight="0"' in sheet and "<pageSetUpPr fitToPage=\"1\"/>" in sheet
        assert "_xlnm.Print_Titles" in archive.read("xl/workbook.xml").decode()

    def test_deterministic_bytes(self, xlsx, tmp_path):
        tables = SimpleNamespace(quarter=Quarter(2024, 1), start=date(2024, 1, 1), end=date(2024, 3, 31), form06=_form06())
        again = write_form06_xlsx(tables, tmp_path / "again.xlsx")
        assert again.read_bytes() == xlsx.read_bytes()


@pytest.mark.slow
@pytest.mark.xdist_group("indicators_sample")
def test_sample_xlsx_shows_the_csv_numbers(indicators_sample_outputs):
    folder = indicators_sample_outputs / "2024Q1"
    csv = pd.read_csv(folder / "form06.csv", keep_default_na=False).set_index(["unit_code", "field"])
    body = _sheet(folder / "form06.xlsx")[first_data_row():]
    levels = {"Cấp tỉnh (trên địa bàn)": "tinh", "Cấp huyện": "huyen", "Cấp xã": "xa"}
    level = None
    checked = 0
    for row in body:
        label, numbers = row[1], [int(v) for v in row[2:]]
        if label in levels:
            level = levels[label]
            key = (level, "ALL")
        elif label == "TỔNG CỘNG":
            key = ("ALL", "ALL")
        else:
            key = (level, label)
        assert numbers == csv.loc[key, schema.FORM06_COLUMNS].tolist(), key
        checked += 1
    expected = int((csv.index.get_level_values(0).isin(["tinh", "huyen", "xa"])).sum()) + 1
    assert checked == expected
