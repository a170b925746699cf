"""Display helpers of the notebooks: Vietnamese labels, formatted values, no personal data."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from cchc_analysis import notebook_display as nd
from cchc_analysis import display_explore as dx
from cchc_analysis import schema
from cchc_analysis.errors import CchcError


def _recon() -> pd.DataFrame:
    return pd.DataFrame({
        "source_file": ["a.xlsx", "b.csv"],
        "kind": ["dossiers", "pakn"],
        "rows_read": [1500, 10],
        "clean": [1400, 9],
        "quarantined": [40, 1],
        "duplicates_merged": [60, 0],
        "skipped_lines": [7, 2],
    })


def _indicator_rows(**over) -> pd.DataFrame:
    row = {
        "unit_code": "ALL", "field": "ALL", "indicator": "on_time_rate", "numerator": 3406,
        "denominator": 3492, "value": 97.5372, "previous_quarter": 97.449, "same_quarter_last_year": 97.9,
        "change_pp": 0.0881, "target": 98.0, "meets_target": False,
    }
    row.update(over)
    return pd.DataFrame([row])


def _dossiers() -> pd.DataFrame:
    ts = pd.Timestamp
    frame = pd.DataFrame({
        "dossier_id": ["H1", "H2", "H3", "H4"],
        "procedure_code": ["1.001193", "2.000815", "1.004227", "1.001193"],
        "procedure_name": ["Đăng ký khai sinh", "Chứng thực bản sao", "Đăng ký biến động đất đai", "Đăng ký khai sinh"],
        "field": ["Hộ tịch", "Chứng thực", "Đất đai", "Hộ tịch"],
        "unit_code": ["p-phu-bai", "p-phu-bai", "cn-vpdkdd-huong-thuy", "x-phu-son"],
        "channel": ["truc_tiep", "truc_tuyen", "truc_tiep", "buu_chinh"],
        "received_at": [ts("2024-01-03 08:00"), ts("2024-01-04 09:00"), ts("2024-02-01 10:00"), ts("2024-03-01 10:00")],
        "due_at": [ts("2024-01-05 17:00"), ts("2024-01-04 17:00"), ts("2024-02-15 17:00"), ts("2024-03-05 17:00")],
        "finished_at": [ts("2024-01-09 10:00"), ts("2024-01-04 11:00"), pd.NaT, pd.NaT],
        "status": [10, 10, 4, 4],
    })
    frame["status"] = frame["status"].astype("Int8")
    return frame


class TestReconciliationTable:
    def test_adds_a_total_row_with_vietnamese_thousands(self):
        table = nd.reconciliation_table(_recon())
        assert table.loc["Tổng cộng", "Số dòng đọc"] == "1.510"

    def test_checks_that_every_row_is_accounted_for(self):
        assert list(nd.reconciliation_table(_recon())["Đối chiếu"]) == ["Khớp", "Khớp", "Khớp"]

    def test_flags_a_file_whose_rows_do_not_add_up(self):
        recon = _recon()
        recon.loc[0, "clean"] = 1399
        assert nd.reconciliation_table(recon).loc["a.xlsx", "Đối chiếu"] == "KHÔNG KHỚP"

    def test_labels_the_kind_of_data_in_vietnamese(self):
        assert list(nd.reconciliation_table(_recon())["Loại dữ liệu"][:2]) == ["Hồ sơ TTHC", "Phản ánh, kiến nghị"]


class TestQuarantineSummary:
    def test_counts_by_reason_largest_first_then_total(self):
        q = pd.DataFrame({"reason": ["unknown_unit", "missing_dossier_id", "unknown_unit"]})
        table = nd.quarantine_summary(q)
        assert list(zip(table["Lý do cách ly"], table["Số dòng"], strict=True)) == [
            ("Đơn vị không xác định được", "2"), ("Thiếu mã hồ sơ", "1"), ("Tổng cộng", "3"),
        ]

    def test_keeps_an_unknown_reason_code_as_its_label(self):
        table = nd.quarantine_summary(pd.DataFrame({"reason": ["odd_reason"]}))
        assert table.loc["odd_reason", "Lý do cách ly"] == "odd_reason"


class TestForm06Table:
    def test_puts_the_total_first_with_official_column_groups(self):
        rows = []
        for field, n in (("ALL", 1234), ("Hộ tịch", 1000), ("Chứng thực", 234)):
            rows.append({"unit_code": "ALL", "field": field, **{c: n for c in schema.FORM06_COLUMNS}})
        table = nd.form06_table(pd.DataFrame(rows))
        assert (list(table.index), table.iloc[0][("Số hồ sơ đã giải quyết", "Quá hạn")]) == (
            [("", "Tổng cộng"), ("1", "Chứng thực"), ("2", "Hộ tịch")], "1.234"
        )


class TestIndicatorsTable:
    def test_formats_rates_the_vietnamese_way(self):
        row = nd.indicators_table(_indicator_rows()).loc["Tỷ lệ giải quyết đúng hạn"]
        assert (row["Kết quả"], row["Quý trước"], row["Chỉ tiêu"], row["Đánh giá"]) == ("97,5%", "97,4%", "98%", "Chưa đạt")

    def test_change_is_signed_with_one_decimal(self):
        # Issue 13: a fall reads as a fall ("−0,8", U+2212), a rise "+0,8", nothing "0,0".
        for change, shown in ((-0.8, "\u22120,8"), (0.8, "+0,8"), (0.0, "0,0"), (-25.0, "\u221225,0")):
            row = nd.indicators_table(_indicator_rows(change_pp=change)).iloc[0]
            assert row["Tăng/giảm so với quý trước"] == shown

    def test_unknown_and_coverage_shown_and_nothing_known_said(self):
        row = nd.indicators_table(_indicator_rows(unknown=756, coverage=78.3319)).iloc[0]
        assert (row["Không có thông tin"], row["Độ bao phủ"]) == ("756", "78,3%")
        row = nd.indicators_table(_indicator_rows(value=np.nan, numerator=0, denominator=0, unknown=22, coverage=0.0,
                                                  meets_target=np.nan)).iloc[0]
        assert (row["Kết quả"], row["Đánh giá"]) == ("chưa có dữ liệu", "–")

    def test_shows_a_missing_value_as_a_dash_not_zero(self):
        row = nd.indicators_table(_indicator_rows(value=np.nan, numerator=0, denominator=0, meets_target=np.nan)).iloc[0]
        assert (row["Kết quả"], row["Đánh giá"]) == ("–", "–")


class TestIndicatorsTableCumulative:
    def test_quarter_compares_with_the_previous_quarter(self):
        table = nd.indicators_table(_indicator_rows())
        assert list(table.columns[5:8]) == ["Quý trước", "Cùng kỳ năm trước", "Tăng/giảm so với quý trước"]

    def test_cumulative_period_compares_with_the_same_period_a_year_earlier(self):
        # for 6 tháng / 9 tháng / năm the previous_quarter column holds the year-earlier value
        row = nd.indicators_table(_indicator_rows(previous_quarter=96.0, same_quarter_last_year=96.0, change_pp=1.5372),
                                  cumulative=True).loc["Tỷ lệ giải quyết đúng hạn"]
        assert (list(row.index[5:7]), row["Cùng kỳ năm trước"], row["Tăng/giảm so với cùng kỳ năm trước"],
                "Quý trước" in row.index) == (
            ["Cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ năm trước"], "96%", "+1,5", False)

    def test_unit_comparison_labels_the_year_earlier_column(self):
        table = nd.unit_comparison_table(_indicator_rows(unit_code="p-phu-bai", previous_quarter=99.0), cumulative=True)
        assert (list(table.columns), table.iloc[0]["Cùng kỳ năm trước"]) == (
            ["Tỷ lệ giải quyết đúng hạn", "Mẫu số", "Cùng kỳ năm trước", "Đánh giá"], "99%")


class TestUnitComparisonTable:
    def test_lists_units_best_first_and_leaves_out_units_with_nothing_to_rate(self):
        frame = pd.concat([
            _indicator_rows(unit_code="p-phu-bai", value=99.1),
            _indicator_rows(unit_code="x-phu-son", value=100.0),
            _indicator_rows(unit_code="p-thanh-thuy", value=np.nan, denominator=0),
            _indicator_rows(unit_code="ALL", value=97.5),
        ])
        assert list(nd.unit_comparison_table(frame).index) == ["xã Phú Sơn", "phường Phú Bài"]


class TestQualityTable:
    def test_sums_each_check_over_units(self):
        q = pd.DataFrame({"check": ["late_without_apology"] * 2, "unit_code": ["a", "b"], "count": [3, 4], "note": ["Thiếu phiếu xin lỗi"] * 2})
        assert nd.quality_table(q).loc["late_without_apology", "Số lượng"] == "7"

    def test_an_all_row_is_the_total_and_its_units_are_not_added_again(self):
        q = pd.DataFrame({"check": ["procedure_not_in_catalogue"] * 3 + ["integrity:finished_outside_hours"] * 2,
                          "unit_code": ["ALL", "p-thuy-chau", "x-thuy-tan", "ALL", "p-phu-bai"],
                          "count": [7, 4, 3, 50, 50], "note": ["ngoài danh mục"] * 3 + ["ngoài giờ"] * 2})
        table = nd.quality_table(q)
        assert table["Số lượng"].to_dict() == {"integrity:finished_outside_hours": "50", "procedure_not_in_catalogue": "7"}


class TestFilterDossiers:
    def test_filters_by_unit_and_channel(self):
        assert list(dx.filter_dossiers(_dossiers(), unit="p-phu-bai", channel="truc_tuyen")["dossier_id"]) == ["H2"]

    def test_finds_a_procedure_by_part_of_its_name(self):
        assert list(dx.filter_dossiers(_dossiers(), procedure="khai sinh")["dossier_id"]) == ["H1", "H4"]

    def test_accepts_a_list_of_fields(self):
        assert list(dx.filter_dossiers(_dossiers(), field=["Đất đai", "Chứng thực"])["dossier_id"]) == ["H2", "H3"]


class TestLateDossiers:
    def test_lists_late_and_overdue_dossiers_without_personal_columns(self):
        late = dx.late_dossiers(_dossiers(), "2024Q1")
        assert (list(late["Mã hồ sơ"]), list(late["Tình trạng"])) == (
            ["H3", "H1", "H4"],
            ["Đang giải quyết, quá hạn", "Đã giải quyết quá hạn", "Đang giải quyết, quá hạn"],
        )

    def test_writes_dates_as_vietnamese_documents_do(self):
        late = dx.late_dossiers(_dossiers(), "2024Q1").set_index("Mã hồ sơ")
        assert (late.loc["H1", "Ngày tiếp nhận"], late.loc["H1", "Ngày có kết quả"], late.loc["H3", "Ngày có kết quả"]) == (
            "03/01/2024", "09/01/2024", ""
        )


class TestDossierBreakdown:
    def test_counts_by_channel_with_vietnamese_labels(self):
        table = dx.dossier_breakdown(_dossiers(), "channel")
        assert dict(table["Số hồ sơ"]) == {"Trực tiếp": "2", "Bưu chính công ích": "1", "Trực tuyến": "1"}


class TestCompareQuarters:
    def test_one_column_per_quarter_in_order(self):
        history = pd.DataFrame({
            "quarter": ["2024Q1", "2023Q4"], "unit_code": ["ALL", "ALL"], "field": ["ALL", "ALL"],
            "indicator": ["on_time_rate", "on_time_rate"], "numerator": [1, 1], "denominator": [1, 1],
            "value": [97.5, 97.449],
        })
        table = dx.compare_quarters(history, ["on_time_rate", "online_rate"])
        assert (list(table.columns), list(table["Quý I/2024"])) == (["Quý IV/2023", "Quý I/2024"], ["97,5%", "–"])


class TestSyntheticNotice:
    def test_says_the_data_is_the_synthetic_sample(self):
        assert "dữ liệu mẫu tổng hợp" in nd.synthetic_notice(True)

    def test_is_empty_for_real_data(self):
        assert nd.synthetic_notice(False) == ""


class TestFigurePng:
    def test_renders_a_png(self):
        import matplotlib.figure

        fig = matplotlib.figure.Figure(figsize=(2, 1))
        fig.add_subplot().bar(["Phú Bài"], [1])
        assert nd.figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


class TestLoadReportTables:
    def test_refuses_tables_built_with_another_period(self, monkeypatch):
        from cchc_analysis import indicators

        class Tables:
            period = "calendar"
            indicators = _indicator_rows()

        monkeypatch.setattr(indicators, "read_quarter", lambda out, q: Tables())
        with pytest.raises(CchcError, match="run 02_indicators with period='nd09'"):
            nd.load_report_tables("outputs", "2024Q1", "nd09")
