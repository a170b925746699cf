"""The late Pareto chart (cchc_analysis.pareto_chart) draws the pairs of late_pareto.csv."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cchc_analysis import pareto_chart  # noqa: E402

#: late = 5, 3, 1, 1 (10 in all): cumulative 50 %, 80 %, 90 %, 100 %.
PARETO = pd.DataFrame({
    "unit_code": ["p-phu-bai", "x-phu-son", "p-phu-bai", "x-duong-hoa"],
    "procedure_code": ["1.001", "2.002", "3.003", "1.001"],
    "field": ["Đất đai", "Hộ tịch", "Xây dựng", "Đất đai"],
    "late": [5, 3, 1, 1],
    "share": [50.0, 30.0, 10.0, 10.0],
    "cumulative_share": [50.0, 80.0, 90.0, 100.0],
})  # fmt: skip


@pytest.fixture
def figure():
    fig = pareto_chart.late_pareto(PARETO, "quý I năm 2024", top=3)
    yield fig
    import matplotlib.pyplot as plt

    plt.close(fig)


class TestParetoRows:
    def test_top_pairs_with_the_share_of_every_late_dossier(self):
        rows = pareto_chart.pareto_rows(PARETO, top=3)
        assert (rows["late"].tolist(), rows["cumulative_share"].tolist(), rows["unit_code"].tolist()) == (
            [5, 3, 1], [50.0, 80.0, 90.0], ["p-phu-bai", "x-phu-son", "p-phu-bai"])

    def test_one_units_rows_give_its_own_pareto(self):
        rows = pareto_chart.pareto_rows(PARETO[PARETO["unit_code"] == "p-phu-bai"])
        assert rows["cumulative_share"].tolist() == [pytest.approx(500 / 6), 100.0]

    def test_label_is_procedure_then_unit_short_name(self):
        assert pareto_chart.pareto_rows(PARETO)["label"].iloc[0] == "TTHC 1.001\nPhú Bài"

    def test_ties_by_unit_then_procedure(self):
        rows = pareto_chart.pareto_rows(PARETO.iloc[::-1])
        assert rows["procedure_code"].tolist()[2:] == ["3.003", "1.001"]


class TestLateParetoChart:
    def test_bars_are_the_late_counts_most_first_hatched(self, figure):
        ax = figure.axes[0]
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert ([b.get_height() for b in bars], {b.get_hatch() for b in bars}) == ([5, 3, 1], {"//"})

    def test_cumulative_line_on_a_percent_second_axis(self, figure):
        line_ax = figure.axes[1]
        line = line_ax.get_lines()[0]
        assert (list(line.get_ydata()), line.get_marker(), line_ax.get_ylim(), line_ax.get_ylabel()) == (
            [50.0, 80.0, 90.0], "o", (0.0, 110.0), "Tỷ lệ cộng dồn trên tổng số hồ sơ quá hạn")

    def test_vietnamese_labels_and_numbers(self, figure):
        ax, line_ax = figure.axes
        assert (ax.get_title(), ax.get_ylabel(), [t.get_text() for t in line_ax.texts],
                [t.get_text() for t in ax.get_xticklabels()][1]) == (
            "Các cặp thủ tục – đơn vị có nhiều hồ sơ quá hạn nhất, quý I năm 2024", "Số hồ sơ quá hạn",
            ["50%", "80%", "90%"], "TTHC 2.002\nPhú Sơn")

    def test_no_late_dossier_says_so(self):
        fig = pareto_chart.late_pareto(PARETO.iloc[0:0])
        assert [t.get_text() for t in fig.axes[0].texts] == ["Không có hồ sơ quá hạn"]
