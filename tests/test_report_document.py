"""The report as a document: header, links, figure texts and tables as pandas Stylers
(``cchc_analysis.report_document``), on the hand-built 2024Q1 tables of ``report_fixtures``."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cchc_analysis import report_document as rd

from . import report_fixtures as rf


class TestSigned:
    @pytest.mark.parametrize("value, text", [(0.84, "+0,8"), (-1.25, "\u22121,3"), (0.04, "0"), (float("nan"), "–")])
    def test_sign_then_vietnamese_number(self, value, text):
        assert rd.signed(value) == text


class TestFileLinks:
    def test_area_report_links_its_folder_and_the_index(self):
        assert [h for h, _ in rd.file_links(rf.q2024q1())] == [
            "form06.xlsx", "chi_so_2024Q1.xlsx", "bao_cao_2024Q1.docx", "../index.html"]

    def test_unit_report_links_its_own_draft_one_folder_up(self):
        assert [h for h, _ in rd.file_links(rf.q2024q1(), "p-phu-bai")] == [
            "../form06.xlsx", "../chi_so_2024Q1_p-phu-bai.xlsx", "../bao_cao_2024Q1_p-phu-bai.docx", "../../index.html"]


class TestUnitLinksResolve:
    def test_from_units_code_html_they_reach_the_units_files_and_the_index(self, tmp_path):
        from pathlib import PurePosixPath

        page = PurePosixPath("outputs/2024H1/units/p-phu-bai.html")
        tables = rf.q2024q1()
        from cchc_analysis.periods import Period

        tables.quarter = Period.parse("2024H1")
        targets = [str(PurePosixPath(*_normalise(page.parent / h))) for h, _ in rd.file_links(tables, "p-phu-bai")]
        assert targets == ["outputs/2024H1/form06.xlsx", "outputs/2024H1/chi_so_2024H1_p-phu-bai.xlsx",
                           "outputs/2024H1/bao_cao_2024H1_p-phu-bai.docx", "outputs/index.html"]


def _normalise(path) -> list[str]:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        else:
            parts.append(part)
    return parts


class TestHeaderHtml:
    def test_names_issuing_body_locality_and_period(self):
        page = rd.header_html(rf.q2024q1())
        assert ("THỊ XÃ HƯƠNG THỦY" in page, "Địa bàn: thị xã Hương Thủy" in page,
                "quý I năm 2024" in page, "01/01/2024" in page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page) == (True,) * 5

    def test_a_unit_report_is_issued_by_the_unit(self):
        page = rd.header_html(rf.q2024q1(), "p-phu-bai")
        assert ("Ủy ban nhân dân phường Phú Bài" in page, "THỊ XÃ HƯƠNG THỦY</b>" in page) == (True, False)


class TestFigureTexts:
    def test_numbered_caption_and_vietnamese_alt(self):
        caption, alt = rd.figure_texts("late_heatmap", 7, "quý I năm 2024")
        assert (caption, alt.startswith("Bản đồ nhiệt")) == (
            "Hình 7. Hồ sơ giải quyết quá hạn theo đơn vị và lĩnh vực, quý I năm 2024", True)


class TestFigureTextsPareto:
    def test_the_pareto_has_its_caption_and_alt(self):
        caption, alt = rd.figure_texts("late_pareto", 8, "6 tháng đầu năm 2024")
        assert (caption, alt.startswith("Biểu đồ Pareto"), "6 tháng đầu năm 2024" in alt) == (
            "Hình 8. Các cặp thủ tục – đơn vị có nhiều hồ sơ quá hạn nhất, 6 tháng đầu năm 2024", True, True)


class TestParetoFor:
    def test_the_area_keeps_every_pair_a_unit_only_its_own(self):
        from cchc_analysis.score import ScoreTables

        pareto = pd.DataFrame({"unit_code": ["p-phu-bai", "x-phu-son", "p-phu-bai"], "late": [5, 3, 1]})
        scored = ScoreTables(None, None, None, "", frames={"pareto": pareto})
        assert (rd.pareto_for(scored)["late"].tolist(), rd.pareto_for(scored, "p-phu-bai")["late"].tolist()) == (
            [5, 3, 1], [5, 1])


class TestComparisonLabels:
    @pytest.mark.parametrize("period, labels", [
        ("2024Q2", ("Quý trước", "Tăng/giảm so với quý trước")),
        ("2024H1", ("Cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ năm trước")),
        ("2024M9", ("Cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ năm trước")),
        ("2024Y", ("Cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ năm trước")),
    ])
    def test_by_kind_of_period(self, period, labels):
        from cchc_analysis.periods import Period

        assert rd.comparison_labels(Period.parse(period).is_cumulative) == labels

    def test_cumulative_styler_has_one_year_earlier_column_holding_the_previous_value(self):
        data = rd.indicators_styler(rf.indicators_2024q1(), cumulative=True).data
        assert (list(data.columns), data.loc["Tỷ lệ giải quyết đúng hạn", "Cùng kỳ năm trước"]) == (
            ["Kết quả", "Tử số", "Mẫu số", "Cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ năm trước (điểm %)",
             "Chỉ tiêu", "Đánh giá"], 96.8)

    def test_quarter_styler_keeps_both_comparisons(self):
        data = rd.indicators_styler(rf.indicators_2024q1()).data
        assert list(data.columns[3:6]) == ["Quý trước", "Cùng kỳ năm trước", "Tăng/giảm so với quý trước (điểm %)"]

    def test_cumulative_unit_comparison_styler(self):
        page = rd.unit_comparison_styler(rf.indicators_2024q1(), cumulative=True).to_html()
        assert ("Cùng kỳ năm trước" in page, "Quý trước" in page) == (True, False)


class TestIndicatorsStyler:
    @pytest.fixture()
    def styler(self):
        return rd.indicators_styler(rf.indicators_2024q1())

    def test_the_numbers_stay_numbers(self, styler):
        data = styler.data
        assert (data["Kết quả"].dtype.kind, data.loc["Tỷ lệ hồ sơ trực tuyến", "Mẫu số"]) == ("f", 1500.0)

    def test_cells_show_vietnamese_formats_and_signed_changes(self, styler):
        page = styler.to_html()
        assert ("97,9%" in page, "+1,1" in page, "1.920" in page, "+7,5" in page) == (True,) * 4

    def test_unmet_targets_are_marked(self, styler):
        unmet = list(styler.data.index[styler.data["Đánh giá"] == "Chưa đạt"])
        page = styler.to_html()
        styled_rows = {int(m) for m in re.findall(r"_row(\d+)_col", page.split("</style>")[0])}
        assert {list(styler.data.index).index(u) for u in unmet} == styled_rows and unmet

    def test_the_table_id_is_fixed(self, styler):
        assert 'id="T_chi_so"' in styler.to_html()


class TestUnitComparisonStyler:
    def test_units_best_first_with_their_rate(self):
        data = rd.unit_comparison_styler(rf.indicators_2024q1()).data
        assert list(data.index[:2]) == ["phường Phú Bài", "xã Phú Sơn"]  # tie at 100%: by code and data.iloc[0, 0] == 100.0


class TestWatchlistSummary:
    def test_counts_by_unit_and_state(self):
        watch = pd.DataFrame({"unit_code": ["p-phu-bai", "p-phu-bai", "x-phu-son"],
                              "state": ["overdue", "due_soon", "due_soon"],
                              "due_at": pd.to_datetime(["2024-03-01", "2024-03-20", "2024-03-25"])})

        class Scored:
            frames = {"watchlist": watch, "finish_by": watch.iloc[0:0]}

        summary = rd.watchlist_summary(Scored())
        assert summary.reset_index().values.tolist() == [
            ["phường Phú Bài", 1, 1, pd.Timestamp("2024-03-20")], ["xã Phú Sơn", 0, 1, pd.Timestamp("2024-03-25")]]


class TestForUnit:
    def test_keeps_only_the_units_rows_of_the_watch_list_tables(self):
        from cchc_analysis.score import ScoreTables

        frame = pd.DataFrame({"unit_code": ["ALL", "p-phu-bai", "x-phu-son"], "n": [3, 1, 2]})
        scored = ScoreTables(None, None, None, "", frames={k: frame for k in ("watchlist", "what_if", "finish_by", "score")})
        kept = rd.for_unit(scored, "p-phu-bai").frames
        assert ({k: kept[k]["n"].tolist() for k in ("watchlist", "what_if", "finish_by")}, kept["score"]["n"].tolist()) == (
            {"watchlist": [1], "what_if": [1], "finish_by": [1]}, [3, 1, 2])
