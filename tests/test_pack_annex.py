"""The annex workbook of the report pack (cchc_analysis.pack.annex), read back with calamine."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from cchc_analysis.indicators import read_quarter
from cchc_analysis.pack import write_annex_workbook
from tests import report_fixtures

NUMBER_COLUMNS = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị", "previous_quarter": "Kỳ trước",
                  "same_quarter_last_year": "Cùng kỳ năm trước", "change_pp": "Thay đổi so với kỳ trước (điểm %)",
                  "target": "Mục tiêu"}  # fmt: skip


@pytest.fixture(scope="module")
def sample_workbook(indicators_sample_outputs, tmp_path_factory):
    tables = read_quarter(indicators_sample_outputs, "2024Q1")
    return write_annex_workbook(tables, tmp_path_factory.mktemp("annex") / "chi_so_2024Q1.xlsx")


def _sheet(path, name) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _indicator_records(path) -> pd.DataFrame:
    rows = _sheet(path, "Chỉ số")
    return pd.DataFrame(rows[1:], columns=rows[0])


class TestWriteAnnexWorkbook:
    def test_sheets(self, sample_workbook):
        assert CalamineWorkbook.from_path(str(sample_workbook)).sheet_names == [
            "Thông tin", "Chỉ số", "Biểu 06", "Xếp hạng", "Dưới mục tiêu", "Chất lượng dữ liệu"]

    def test_every_value_of_indicators_csv_is_there_as_a_number(self, sample_workbook, indicators_sample_outputs):
        csv = pd.read_csv(indicators_sample_outputs / "2024Q1" / "indicators.csv", keep_default_na=False, na_values=[""])
        sheet = _indicator_records(sample_workbook)
        assert len(sheet) == len(csv)
        assert sheet["Mã phạm vi"].tolist() == csv["unit_code"].tolist()
        assert sheet["Mã chỉ số"].tolist() == csv["indicator"].tolist()
        for column, header in NUMBER_COLUMNS.items():
            for expected, got in zip(csv[column], sheet[header], strict=True):
                if math.isnan(expected):
                    assert got == ""
                else:
                    assert isinstance(got, float) and got == pytest.approx(expected, abs=0, rel=1e-12)

    def test_met_and_fields_in_words(self, sample_workbook):
        sheet = _indicator_records(sample_workbook)
        first = sheet.iloc[0]
        assert (first["Phạm vi"], first["Lĩnh vực"], first["Chỉ số"], first["Đạt mục tiêu"]) == (
            "Toàn địa bàn", "Tất cả lĩnh vực", "Tỷ lệ giải quyết đúng hạn", "Chưa đạt")
        assert set(sheet["Loại phạm vi"]) == {"Toàn địa bàn", "Cấp", "Trung tâm", "Đơn vị"}

    def test_form06_sheet_matches_form06_csv(self, sample_workbook, indicators_sample_outputs):
        csv = pd.read_csv(indicators_sample_outputs / "2024Q1" / "form06.csv")
        rows = _sheet(sample_workbook, "Biểu 06")
        assert len(rows) - 1 == len(csv)
        assert rows[1][:3] == ["ALL", "Toàn địa bàn", "Tất cả lĩnh vực"]
        assert rows[1][3:] == [float(v) for v in csv.iloc[0, 2:]]
        assert np.array([r[3:] for r in rows[1:]], dtype=float).sum() == csv.iloc[:, 2:].to_numpy().sum()

    def test_ranking_and_below_target(self, sample_workbook, indicators_sample_outputs):
        ranking = pd.read_csv(indicators_sample_outputs / "2024Q1" / "ranking.csv")
        rows = _sheet(sample_workbook, "Xếp hạng")
        assert [r[1] for r in rows[1:]] == ranking["unit_code"].tolist()
        assert [r[6] for r in rows[1:]] == ranking["on_time_rate"].tolist()
        below = pd.read_csv(indicators_sample_outputs / "2024Q1" / "below_target.csv")
        assert len(_sheet(sample_workbook, "Dưới mục tiêu")) - 1 == len(below)

    def test_frozen_header_filters_and_display_formats(self, sample_workbook):
        ws = openpyxl.load_workbook(sample_workbook)["Chỉ số"]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:")
        # Issue 13: the sample's indicators.csv has `unknown`, so its column follows "Mẫu số".
        assert ws["I1"].value == "Không rõ thông tin (không tính)"
        assert ws["G2"].number_format == "#,##0" and ws["I2"].number_format == "#,##0"
        assert ws["J2"].number_format == '#,##0.0"%"'
        assert ws["M2"].number_format == "+#,##0.0;-#,##0.0;0"

    def test_synthetic_notice(self, sample_workbook):
        assert any(r[0] == "Lưu ý" and "MÔ PHỎNG" in r[1] for r in _sheet(sample_workbook, "Thông tin"))

    def test_export_text_stays_text(self, tmp_path):
        tables = report_fixtures.q2024q1()
        tables.indicators["field"] = tables.indicators["field"].replace({"Đất đai": '=HYPERLINK("x")', "Hộ tịch": "<w:p>"})
        watch = pd.DataFrame({"dossier_id": ["=1+1", "http://x"], "due_at": pd.to_datetime(["2024-03-28", "2024-03-29"]),
                              "days_left": [1, 2]})  # fmt: skip
        path = write_annex_workbook(tables, tmp_path / "w.xlsx", watchlist=watch)
        fields = {r[3] for r in _sheet(path, "Chỉ số")[1:]}
        assert {'=HYPERLINK("x")', "<w:p>"} <= fields
        assert _sheet(path, "Theo dõi")[1][0] == "=1+1"
        with zipfile.ZipFile(path) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            assert not any("<f>" in z.read(n).decode() for n in sheets)
            assert not any(n.startswith("xl/worksheets/_rels") for n in z.namelist())  # no hyperlinks

    def test_watch_list_sheet_only_when_given(self, tmp_path):
        tables = report_fixtures.q2024q1()
        path = write_annex_workbook(tables, tmp_path / "w.xlsx")
        assert "Theo dõi" not in CalamineWorkbook.from_path(str(path)).sheet_names
        watch = pd.DataFrame({"dossier_id": ["H1"], "due_at": pd.to_datetime(["2024-03-28"]), "days_left": [1]})
        path = write_annex_workbook(tables, tmp_path / "w2.xlsx", watchlist=watch)
        rows = _sheet(path, "Theo dõi")
        assert rows[0] == ["Mã hồ sơ", "Ngày hẹn trả", "Số ngày làm việc còn lại"]
        assert rows[1][2] == 1.0

    def test_unknown_column_when_the_indicators_have_one(self, tmp_path):
        tables = report_fixtures.q2024q1()
        assert "Không rõ thông tin (không tính)" not in _sheet(write_annex_workbook(tables, tmp_path / "a.xlsx"), "Chỉ số")[0]
        tables.indicators.insert(5, "unknown", range(len(tables.indicators)))
        rows = _sheet(write_annex_workbook(tables, tmp_path / "b.xlsx"), "Chỉ số")
        column = rows[0].index("Không rõ thông tin (không tính)")
        assert [r[column] for r in rows[1:]] == [float(i) for i in range(len(tables.indicators))]


class TestIntegritySheet:
    CODES = pd.DataFrame({
        "check": ["finished_on_non_working_day", "more_than_one_supplement"], "dossier_id": ["=1+1", "000123"],
        "unit_code": ["p-phu-bai", "ALL-UNKNOWN"], "procedure_code": ["1.001", "2.002"],
        "finished_at": pd.to_datetime(["2024-03-30 09:15", None]),
    })  # fmt: skip

    def test_only_when_given(self, tmp_path):
        path = write_annex_workbook(report_fixtures.q2024q1(), tmp_path / "w.xlsx")
        assert "Kiểm tra xác thực" not in CalamineWorkbook.from_path(str(path)).sheet_names

    def test_codes_stay_text_with_the_check_in_words(self, tmp_path):
        from datetime import datetime

        path = write_annex_workbook(report_fixtures.q2024q1(), tmp_path / "w.xlsx", integrity_dossiers=self.CODES)
        rows = _sheet(path, "Kiểm tra xác thực")
        assert rows == [
            ["Mã kiểm tra", "Nội dung kiểm tra", "Mã hồ sơ", "Mã đơn vị", "Mã thủ tục", "Thời điểm kết thúc"],
            ["finished_on_non_working_day", "kết thúc vào ngày nghỉ", "=1+1", "p-phu-bai", "1.001",
             datetime(2024, 3, 30, 9, 15)],
            ["more_than_one_supplement", "yêu cầu bổ sung hơn 1 lần (chỉ số 766 tính là quá hạn)", "000123",
             "ALL-UNKNOWN", "2.002", ""],
        ]
        with zipfile.ZipFile(path) as z:
            assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
