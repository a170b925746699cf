"""Vietnamese narrative generated from the indicator tables (cchc_analysis.narrative)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from cchc_analysis import fmt, narrative

from . import report_fixtures as rf

Q1 = "quý I năm 2024"


def allowed_numbers(tables) -> set[Decimal]:
    """Every figure a sentence may state: table cells rounded half up to one decimal, plus the
    magnitude of the two changes as displayed (change_pp, rounded value − rounded
    same_quarter_last_year) and the two sides of a coverage note "tính trên X/Y hồ sơ có thông
    tin": Y = denominator + unknown of the same row (for online_payment_rate, Y = received in
    period = received_online + received_offline of form 06, X = Y − unknown)."""
    allowed: set[Decimal] = set()
    frames = [tables.form06, tables.indicators, tables.quality, tables.below_target, tables.ranking]
    for frame in frames:
        for column in frame.select_dtypes("number").columns:
            allowed.update(fmt.rounded(v) for v in frame[column].dropna())
    ind = tables.indicators
    allowed.update(fmt.rounded(abs(v)) for v in ind["change_pp"].dropna())
    allowed.update(fmt.rounded(abs(v)) for v in (ind["value"] - ind["same_quarter_last_year"]).dropna())
    allowed.update(fmt.rounded(abs(v)) for v in (ind["value"] - ind["previous_quarter"]).dropna())
    for column in ("previous_quarter", "same_quarter_last_year"):
        shown = [fmt.shown_change(v, p) for v, p in zip(ind["value"], ind[column], strict=True)]
        allowed.update(abs(d) for d in shown if d is not None)
    if "unknown" in ind.columns:
        allowed.update(fmt.rounded(v) for v in (ind["denominator"] + ind["unknown"]).dropna())
        pay = ind[ind["indicator"] == "online_payment_rate"].merge(tables.form06, on=["unit_code", "field"])
        received = pay["received_online"] + pay["received_offline"]
        allowed.update(fmt.rounded(v) for v in received)
        allowed.update(fmt.rounded(v) for v in received - pay["unknown"])
    return allowed


class TestResultsParagraph:
    def test_seed_style_before_the_reform(self):
        text = narrative.results_paragraph(rf.indicators_2024q1(), Q1)
        assert text == (
            "Trong quý I năm 2024, tỷ lệ hồ sơ TTHC do UBND thị xã tiếp nhận giải quyết đúng hạn đạt "
            "97,5%; do UBND cấp xã tiếp nhận giải quyết đúng hạn đạt 98,8%; tỷ lệ giải quyết phản ánh, "
            "kiến nghị về quy định TTHC đạt 100,0%; kết quả số hóa hồ sơ, giấy tờ đạt 100,0%; theo danh"
            " mục TTHC, 100,0% TTHC được tiếp nhận và giải quyết theo cơ chế một cửa, một cửa liên "
            "thông; 100,0% văn bản trao đổi giữa các cơ quan nhà nước (trừ văn bản mật) được gửi dưới "
            "dạng điện tử; tỷ lệ số hóa kết quả giải quyết TTHC đạt 85,3%; tỷ lệ hồ sơ nộp trực tuyến "
            "đạt 45,6%; tỷ lệ hồ sơ trực tuyến toàn trình đạt 20,0%; thời gian giải quyết bình quân 4,5"
            " ngày làm việc/hồ sơ; hồ sơ giải quyết đúng hạn tại Trung tâm HCC thị xã Hương Thủy đạt "
            "94,5%, tại xã, phường đạt 98,8%."
        )

    def test_after_the_reform_wards_only_and_no_pakn_clause(self):
        text = narrative.results_paragraph(rf.indicators_2025q3(), "quý III năm 2025")
        assert text == (
            "Trong quý III năm 2025, tỷ lệ hồ sơ TTHC do UBND các phường tiếp nhận giải quyết đúng hạn "
            "đạt 99,0%; kết quả số hóa hồ sơ, giấy tờ đạt 81,9%; tỷ lệ hồ sơ nộp trực tuyến đạt 60,0%."
        )

    def test_one_ward_own_report(self):
        text = narrative.results_paragraph(rf.indicators_2024q1(), Q1, unit="p-thuy-chau")
        assert text == (
            "Trong quý I năm 2024, tỷ lệ hồ sơ TTHC do UBND phường Thủy Châu tiếp nhận giải quyết đúng "
            "hạn đạt 96,2%; kết quả số hóa hồ sơ, giấy tờ đạt 100,0%; tỷ lệ hồ sơ nộp trực tuyến đạt "
            "52,5%."
        )

    def test_whole_area_when_no_level_rows(self):
        ind = rf.indicators_frame([rf.row("ALL", "ALL", "on_time_rate", 97, 100)])
        assert narrative.results_paragraph(ind, Q1) == (
            "Trong quý I năm 2024, tỷ lệ hồ sơ TTHC giải quyết đúng hạn đạt 97,0%.")

    def test_nothing_to_say(self):
        # No dossier row at all: nothing is known, not even that the period is empty.
        ind = rf.indicators_frame([rf.row("ALL", "ALL", "pakn_handled_rate", 0, 0)])
        assert narrative.results_paragraph(ind, Q1) == (
            "Trong quý I năm 2024, chưa có số liệu về kết quả giải quyết TTHC.")

    def test_period_without_dossiers_says_so_and_no_success(self):
        # Issue 13: 0 of 0 dossiers is stated plainly, never "100 %" or "không có hồ sơ quá hạn".
        ind = rf.indicators_frame([rf.row("ALL", "ALL", "on_time_rate", 0, 0)])
        assert narrative.results_paragraph(ind, Q1) == "Trong kỳ, dữ liệu không có hồ sơ nào."

    def test_unit_without_dossiers(self):
        ind = rf.indicators_frame([
            rf.row("p-thuy-chau", "ALL", "on_time_rate", 0, 0),
            rf.row("p-thuy-chau", "ALL", "digitised_input_rate", 0, 0),
            rf.row("p-thuy-chau", "ALL", "edoc_rate", 30, 40),
        ])
        assert narrative.results_paragraph(ind, Q1, unit="p-thuy-chau") == (
            "Trong kỳ, dữ liệu không có hồ sơ nào của UBND phường Thủy Châu. Trong quý I năm 2024, "
            "75,0% văn bản trao đổi giữa các cơ quan nhà nước (trừ văn bản mật) được gửi dưới dạng điện tử.")

    def test_partial_coverage_and_nothing_known(self):
        ind = rf.indicators_frame([
            rf.row("ALL", "ALL", "on_time_rate", 90, 100),
            rf.row("ALL", "ALL", "digitised_input_rate", 30, 40),
            rf.row("ALL", "ALL", "reuse_rate", 0, 0),
        ])
        ind["unknown"] = [0, 10, 50]
        assert narrative.results_paragraph(ind, Q1) == (
            "Trong quý I năm 2024, tỷ lệ hồ sơ TTHC giải quyết đúng hạn đạt 90,0%; kết quả số hóa hồ sơ, "
            "giấy tờ đạt 75,0% (tính trên 40/50 hồ sơ có thông tin); tỷ lệ tái sử dụng dữ liệu đã số "
            "hóa: chưa có dữ liệu.")

    def test_one_stop_is_a_catalogue_fact(self):
        ind = rf.indicators_frame([rf.row("ALL", "ALL", "on_time_rate", 9, 10), rf.row("ALL", "ALL", "one_stop_rate", 41, 41)])
        assert "theo danh mục TTHC, 100,0% TTHC được tiếp nhận" in narrative.results_paragraph(ind, Q1)


class TestChangePhrase:
    def test_increase(self):
        assert narrative.change_phrase(1.15, "quý IV năm 2023") == (
            "tăng 1,2 điểm phần trăm so với quý IV năm 2023")

    def test_decrease(self):
        assert narrative.change_phrase(-0.3, "quý IV năm 2023") == (
            "giảm 0,3 điểm phần trăm so với quý IV năm 2023")

    def test_signed_from_displayed_values_fall(self):
        # 98,2 % -> 97,4 % is a fall of 0,8 (issue 13: it used to read like a rise).
        ind = rf.indicators_frame([rf.row("xa", "ALL", "on_time_rate", 974, 1000, prev=98.2)])
        ind["change_pp"] = float("nan")
        assert narrative.comparison_paragraph(ind, "quý IV năm 2023", "cùng kỳ năm 2023") == (
            "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận giải quyết đúng hạn giảm 0,8 điểm phần "
            "trăm so với quý IV năm 2023.")

    def test_unchanged_when_the_displayed_values_are_equal(self):
        # 97,34 vs 97,26: both show 97,3 -> "không thay đổi" (raw difference 0,08 rounds to 0,1).
        ind = rf.indicators_frame([rf.row("xa", "ALL", "on_time_rate", 9734, 10000, prev=97.26)])
        ind["change_pp"] = float("nan")
        assert narrative.comparison_paragraph(ind, "quý IV năm 2023", "cùng kỳ năm 2023") == (
            "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận giải quyết đúng hạn không thay đổi so với "
            "quý IV năm 2023.")

    def test_rise_from_displayed_values(self):
        # 66,94 vs 64,86: displayed 66,9 and 64,9 -> 2,0 (the raw difference 2,08 showed 2,1).
        ind = rf.indicators_frame([rf.row("xa", "ALL", "on_time_rate", 6694, 10000, prev=64.86)])
        assert narrative.comparison_paragraph(ind, "quý IV năm 2023", "cùng kỳ năm 2023") == (
            "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận giải quyết đúng hạn tăng 2,0 điểm phần "
            "trăm so với quý IV năm 2023.")

    def test_unchanged_when_it_rounds_to_zero(self):
        assert narrative.change_phrase(0.04, "cùng kỳ năm 2023") == "không thay đổi so với cùng kỳ năm 2023"

    def test_missing(self):
        assert narrative.change_phrase(float("nan"), "quý IV năm 2023") is None


class TestComparisonParagraph:
    def test_previous_quarter_and_year_ago(self):
        text = narrative.comparison_paragraph(rf.indicators_2024q1(), "quý IV năm 2023", "cùng kỳ năm 2023")
        assert text == (
            "Tỷ lệ hồ sơ TTHC do UBND thị xã tiếp nhận giải quyết đúng hạn tăng 1,2 điểm phần "
            "trăm so với quý IV năm 2023 và không thay đổi so với cùng kỳ năm 2023. Tỷ lệ hồ sơ "
            "TTHC do UBND cấp xã tiếp nhận giải quyết đúng hạn giảm 0,3 điểm phần trăm so với "
            "quý IV năm 2023. Tỷ lệ hồ sơ nộp trực tuyến không thay đổi so với quý IV năm 2023 "
            "và tăng 5,6 điểm phần trăm so với cùng kỳ năm 2023. Tỷ lệ số hóa hồ sơ, giấy tờ "
            "tăng 7,5 điểm phần trăm so với quý IV năm 2023 và tăng 20,0 điểm phần trăm so với "
            "cùng kỳ năm 2023."
        )

    def test_no_comparison_at_all_gives_empty_text(self):
        ind = rf.indicators_frame([rf.row("xa", "ALL", "on_time_rate", 99, 100)])
        assert narrative.comparison_paragraph(ind, "quý IV năm 2023", "cùng kỳ năm 2023") == ""

    def test_change_computed_when_change_pp_is_empty(self):
        ind = rf.indicators_frame([rf.row("xa", "ALL", "on_time_rate", 99, 100, prev=99.5)])
        ind["change_pp"] = float("nan")
        assert narrative.comparison_paragraph(ind, "quý IV năm 2023", "cùng kỳ năm 2023") == (
            "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận giải quyết đúng hạn giảm 0,5 điểm phần "
            "trăm so với quý IV năm 2023.")


class TestShortcomingsParagraph:
    def test_whole_area(self):
        t = rf.q2024q1()
        text = narrative.shortcomings_paragraph(t.form06, t.quality, t.below_target)
        assert text == (
            "Trong kỳ có 40 hồ sơ giải quyết quá hạn, chủ yếu thuộc lĩnh vực Đất đai (17 hồ sơ), Xây "
            "dựng (13 hồ sơ) và Hộ tịch (10 hồ sơ); 3 hồ sơ đang giải quyết đã quá hạn. Đơn vị có hồ sơ"
            " giải quyết quá hạn: UBND thị xã Hương Thủy (21 hồ sơ), UBND phường Thủy Châu (19 hồ sơ). "
            "Đơn vị chưa đạt chỉ tiêu giải quyết hồ sơ đúng hạn (98,0%): Chi nhánh Văn phòng Đăng ký "
            "đất đai thị xã Hương Thủy (85,8%), UBND phường Thủy Châu (96,2%), UBND thị xã Hương Thủy "
            "(97,5%). Tỷ lệ hồ sơ giải quyết đúng hạn tại Trung tâm HCC thị xã Hương Thủy đạt 94,5%, "
            "chưa đạt chỉ tiêu (98,0%). Lĩnh vực chưa đạt chỉ tiêu giải quyết hồ sơ đúng hạn (98,0%): "
            "Đất đai (85,8%). Chỉ tiêu chưa đạt: tỷ lệ hồ sơ nộp trực tuyến đạt 45,6% (chỉ tiêu 50,0%);"
            " tỷ lệ hồ sơ trực tuyến toàn trình đạt 20,0% (chỉ tiêu 70,0%). Có 6 hồ sơ giải quyết quá "
            "hạn chưa có phiếu xin lỗi. Có 3 hồ sơ có ngày hẹn trả dài hơn thời hạn giải quyết theo quy"
            " định."
        )

    def test_one_ward(self):
        t = rf.q2024q1()
        text = narrative.shortcomings_paragraph(t.form06, t.quality, t.below_target, unit="p-thuy-chau")
        assert text == (
            "Trong kỳ có 19 hồ sơ giải quyết quá hạn, chủ yếu thuộc lĩnh vực Hộ tịch (10 hồ sơ) và Đất "
            "đai (9 hồ sơ). Lĩnh vực chưa đạt chỉ tiêu giải quyết hồ sơ đúng hạn (98,0%): Hộ tịch "
            "(96,8%). Chỉ tiêu chưa đạt: tỷ lệ hồ sơ giải quyết đúng hạn đạt 96,2% (chỉ tiêu 98,0%). Có"
            " 2 hồ sơ giải quyết quá hạn chưa có phiếu xin lỗi."
        )

    def test_nothing_late(self):
        t = rf.q2025q3()
        assert narrative.shortcomings_paragraph(t.form06, t.quality, t.below_target) == (
            "Trong kỳ không có hồ sơ giải quyết quá hạn.")

    def test_every_late_dossier_had_a_slip(self):
        form06 = rf.form06_frame([("ALL", "ALL", 10, 0, 0, 5, 3, 2, 0, 0)])
        quality = rf.quality_frame([("late_without_apology", "ALL", 0, "")])
        assert narrative.shortcomings_paragraph(form06, quality, None) == (
            "Trong kỳ có 2 hồ sơ giải quyết quá hạn. Tất cả hồ sơ giải quyết quá hạn đều có "
            "phiếu xin lỗi.")

    def test_apology_not_known_is_not_mentioned(self):
        form06 = rf.form06_frame([("ALL", "ALL", 10, 0, 0, 5, 3, 2, 0, 0)])
        assert narrative.shortcomings_paragraph(form06, rf.quality_frame([]), None) == (
            "Trong kỳ có 2 hồ sơ giải quyết quá hạn.")


class TestQualityCount:
    def test_area_row_preferred(self):
        assert narrative.quality_count(rf.quality_2024q1(), "late_without_apology") == 6

    def test_sum_of_unit_rows_without_area_row(self):
        q = rf.quality_frame([("late_without_apology", "a", 1, ""), ("late_without_apology", "b", 2, "")])
        assert narrative.quality_count(q, "late_without_apology") == 3

    def test_absent_check(self):
        assert narrative.quality_count(rf.quality_2024q1(), "missing_input:pakn") is None


class TestMethodNote:
    def test_calendar(self):
        note = narrative.method_note(Q1, "calendar", date(2024, 1, 1), date(2024, 3, 31))
        assert note.startswith(
            "Số liệu quý I năm 2024 được tính theo quý dương lịch, từ ngày 01/01/2024 đến ngày "
            "31/3/2024. Hồ sơ giải quyết đúng hạn gồm hồ sơ có kết quả trước hoặc đúng ngày hẹn trả")

    def test_nd09(self):
        note = narrative.method_note(Q1, "nd09", date(2023, 12, 15), date(2024, 3, 14))
        assert "theo kỳ báo cáo của Nghị định 09/2019/NĐ-CP, từ ngày 15/12/2023 đến ngày 14/3/2024." in note

    def test_synthetic_data_stated_first(self):
        note = narrative.method_note(Q1, "calendar", date(2024, 1, 1), date(2024, 3, 31), synthetic=True)
        assert note.startswith("**Lưu ý: báo cáo được lập từ dữ liệu mô phỏng**")

    def test_unknown_is_not_no_stated(self):
        note = narrative.method_note(Q1, "calendar", date(2024, 1, 1), date(2024, 3, 31))
        assert "chỉ tính trên hồ sơ có thông tin tương ứng" in note

    def test_real_data_not_called_synthetic(self):
        note = narrative.method_note(Q1, "calendar", date(2024, 1, 1), date(2024, 3, 31))
        assert "mô phỏng" not in note


class TestReportMarkdown:
    def test_headings_in_order(self):
        text = narrative.report_markdown(rf.q2024q1())
        assert [line for line in text.splitlines() if line.startswith("#")] == [
            "#### Kết quả", "#### So sánh với quý trước và cùng kỳ năm trước",
            "#### Tồn tại, hạn chế", "#### Ghi chú về số liệu"]

    def test_year_ago_named_as_same_period(self):
        assert "so với cùng kỳ năm 2023" in narrative.report_markdown(rf.q2024q1())

    def test_text_is_nfc(self):
        import unicodedata

        text = narrative.report_markdown(rf.q2024q1(synthetic=True), unit="p-thuy-chau")
        assert unicodedata.normalize("NFC", text) == text


class TestDisplayMarkdown:
    def test_displays_a_markdown_object(self, monkeypatch):
        shown = []
        monkeypatch.setattr(narrative, "display", shown.append)
        narrative.display_markdown("**Kết quả**")
        assert [type(s).__name__ for s in shown] == ["Markdown"]
        assert shown[0].data == "**Kết quả**"


class TestNumbersIn:
    def test_vietnamese_figures(self):
        assert narrative.numbers_in("đạt 97,5%; 1.234 hồ sơ; tăng 1,2 điểm") == [
            Decimal("97.5"), Decimal("1234"), Decimal("1.2")]

    def test_dates_years_and_decrees_are_not_figures(self):
        text = "từ ngày 01/01/2024 đến ngày 31/3/2024, quý I năm 2024, Nghị định 09/2019/NĐ-CP: 7 hồ sơ"
        assert narrative.numbers_in(text) == [Decimal("7")]


class TestEveryNumberIsInTheTables:
    @pytest.mark.parametrize("unit", [None, "p-thuy-chau"])
    def test_fixture_2024q1(self, unit):
        tables = rf.q2024q1(synthetic=True)
        stated = narrative.numbers_in(narrative.report_markdown(tables, unit=unit))
        assert stated
        assert [n for n in stated if n not in allowed_numbers(tables)] == []

    def test_fixture_after_reform(self):
        tables = rf.q2025q3()
        stated = narrative.numbers_in(narrative.report_markdown(tables))
        assert [n for n in stated if n not in allowed_numbers(tables)] == []

    @pytest.mark.slow
    @pytest.mark.parametrize("quarter", ["2024Q1", "2026Q3"])
    def test_shipped_sample_every_report(self, processed_sample_dir, quarter):
        # Issue 13: the whole area and every unit's own report, before and after the reform.
        from cchc_analysis import refdata
        from cchc_analysis.clean import load_processed
        from cchc_analysis.indicators import build_quarter

        tables = build_quarter(load_processed(processed_sample_dir), quarter)
        allowed = allowed_numbers(tables)
        units = [c for c in refdata.load_units()["code"] if c in set(tables.form06["unit_code"])]
        assert len(units) >= 4  # 2026Q3: the four units after the reform
        for unit in [None, *units]:
            stated = narrative.numbers_in(narrative.report_markdown(tables, unit=unit))
            assert [n for n in stated if n not in allowed] == [], unit

    @pytest.mark.slow
    def test_shipped_sample_2026q3_phu_bai_blames_nothing_unknown(self, processed_sample_dir):
        # Phú Bài's 2026Q3 export has no apology or digitisation columns: nothing is "0 %".
        from cchc_analysis.clean import load_processed
        from cchc_analysis.indicators import build_quarter

        tables = build_quarter(load_processed(processed_sample_dir), "2026Q3")
        text = narrative.report_markdown(tables, unit="p-phu-bai-2025")
        import re

        assert not re.search(r"(?<![\d.])0,0%", text) and "chưa có phiếu xin lỗi" not in text
        assert "tỷ lệ số hóa hồ sơ, giấy tờ: chưa có dữ liệu" in text
        assert "Chưa có thông tin về phiếu xin lỗi của 22 hồ sơ giải quyết quá hạn." in text

    @pytest.mark.slow
    def test_shipped_sample_2024q1(self, processed_sample_dir):
        from cchc_analysis.clean import load_processed
        from cchc_analysis.indicators import build_quarter

        tables = build_quarter(load_processed(processed_sample_dir), "2024Q1")
        text = narrative.report_markdown(tables)
        stated = narrative.numbers_in(text)
        assert "dữ liệu mô phỏng" in text
        assert [n for n in stated if n not in allowed_numbers(tables)] == []
        assert isinstance(tables.indicators, pd.DataFrame)
