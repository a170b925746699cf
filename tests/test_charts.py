"""Charts draw the right numbers (cchc_analysis.charts)."""

from __future__ import annotations

import hashlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cchc_analysis import charts  # noqa: E402

from . import report_fixtures as rf  # noqa: E402


@pytest.fixture
def close():
    figs = []
    yield figs.append
    for fig in figs:
        plt.close(fig)


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def ticks(labels):
    return [t.get_text() for t in labels]


def texts(ax):
    return [t.get_text() for t in ax.texts]


class TestApplyTheme:
    def test_sets_dejavu_sans_and_fixed_svg_salt(self):
        with matplotlib.rc_context():
            charts.apply_theme()
            assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
            assert matplotlib.rcParams["svg.hashsalt"] == "cchc-analysis"


class TestOnTimeByUnit:
    def test_bar_heights_best_first(self, close):
        fig = charts.on_time_by_unit(rf.indicators_2024q1(), "quý I năm 2024")
        close(fig)
        ax = fig.axes[0]
        assert [round(b.get_height(), 2) for b in bars(ax)] == [100.0, 100.0, 97.45, 96.2, 85.83]

    def test_unit_short_names_on_the_axis(self, close):
        fig = charts.on_time_by_unit(rf.indicators_2024q1())
        close(fig)
        assert ticks(fig.axes[0].get_xticklabels()) == [
            "Phú Bài", "Phú Sơn", "UBND thị xã", "Thủy Châu", "CN VP ĐKĐĐ"]

    def test_target_line_at_98(self, close):
        fig = charts.on_time_by_unit(rf.indicators_2024q1())
        close(fig)
        assert list(fig.axes[0].lines[0].get_ydata()) == [98.0, 98.0]

    def test_direct_labels_in_vietnamese_format(self, close):
        fig = charts.on_time_by_unit(rf.indicators_2024q1())
        close(fig)
        assert texts(fig.axes[0]) == ["100%", "100%", "97,5%", "96,2%", "85,8%"]

    def test_below_target_bars_are_hatched(self, close):
        fig = charts.on_time_by_unit(rf.indicators_2024q1())
        close(fig)
        assert [b.get_hatch() or "" for b in bars(fig.axes[0])] == ["", "", "///", "///", "///"]

    def test_title_and_percent_axis(self, close):
        fig = charts.on_time_by_unit(rf.indicators_2024q1(), "quý I năm 2024")
        close(fig)
        ax = fig.axes[0]
        assert ax.get_title() == "Tỷ lệ hồ sơ giải quyết đúng hạn theo đơn vị, quý I năm 2024"
        assert ax.yaxis.get_major_formatter()(97.5, 0) == "97,5%"


class TestTrend:
    def test_one_line_per_headline_rate_with_its_values(self, close):
        fig = charts.trend(rf.history_2024q1())
        close(fig)
        lines = [ln for ax in fig.axes for ln in ax.get_lines()]
        assert [ln.get_label() for ln in lines] == [
            "Tỷ lệ giải quyết đúng hạn", "Tỷ lệ hồ sơ trực tuyến", "Tỷ lệ số hóa hồ sơ"]
        assert [round(y, 2) for y in lines[0].get_ydata()] == [95.0, 96.8, 97.92]
        assert list(lines[2].get_xdata()) == [1, 2]

    def test_quarter_labels(self, close):
        fig = charts.trend(rf.history_2024q1())
        close(fig)
        assert ticks(fig.axes[-1].get_xticklabels()) == ["Quý III/2023", "Quý IV/2023", "Quý I/2024"]

    def test_last_value_written_at_line_end(self, close):
        fig = charts.trend(rf.history_2024q1())
        close(fig)
        assert [t for ax in fig.axes for t in texts(ax)] == ["97,9%", "45,6%", "100%"]

    def test_each_panel_is_zoomed_so_a_small_change_shows(self, close):
        fig = charts.trend(rf.history_2024q1())
        close(fig)
        low, high = fig.axes[0].get_ylim()  # on-time: 95, 96.8, 97 11/12 -> a margin of 35/60
        assert (low, high) == (pytest.approx(95 - 35 / 60), pytest.approx(97 + 11 / 12 + 35 / 60))


class TestZoomedLimits:
    def test_a_change_of_0_8_points_fills_a_fifth_of_the_axis(self):
        assert charts.zoomed_limits([97.3, 98.1]) == (pytest.approx(95.7), pytest.approx(99.7))

    def test_near_100_the_axis_may_pass_100_a_little(self):
        assert charts.zoomed_limits([99.0, 100.0]) == (pytest.approx(97.5), pytest.approx(101.5))

    def test_near_0_the_axis_starts_at_0_and_keeps_its_span(self):
        assert charts.zoomed_limits([0.5, 1.0]) == (0.0, 4.0)


class TestChannels:
    def test_offline_is_denominator_minus_numerator(self, close):
        fig = charts.channels(rf.history_2024q1())
        close(fig)
        heights = [b.get_height() for b in bars(fig.axes[0])]
        assert heights == [750.0, 680.0, 816.0, 500.0, 570.0, 684.0]

    def test_labels_use_dot_thousands(self, close):
        fig = charts.channels(rf.history_frame([("2024Q1", "ALL", "online_rate", 1234, 3000)]))
        close(fig)
        assert texts(fig.axes[0]) == ["1.766", "1.234"]
        assert fig.axes[0].yaxis.get_major_formatter()(1500, 0) == "1.500"


class TestLateByField:
    def test_most_late_field_on_top(self, close):
        fig = charts.late_by_field(rf.form06_2024q1())
        close(fig)
        ax = fig.axes[0]
        assert ticks(ax.get_yticklabels()) == ["Hộ tịch", "Xây dựng", "Đất đai"]
        assert [b.get_width() for b in bars(ax)] == [10, 13, 17]

    def test_no_late_dossier_says_so(self, close):
        fig = charts.late_by_field(rf.form06_2025q3())
        close(fig)
        assert texts(fig.axes[0]) == ["Không có hồ sơ giải quyết quá hạn"]


class TestLateByUnit:
    def test_widths_and_names(self, close):
        fig = charts.late_by_unit(rf.form06_2024q1())
        close(fig)
        ax = fig.axes[0]
        assert ticks(ax.get_yticklabels()) == ["Thủy Châu", "UBND thị xã"]
        assert [b.get_width() for b in bars(ax)] == [19, 21]

    def test_level_colours(self, close):
        fig = charts.late_by_unit(rf.form06_2024q1())
        close(fig)
        colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars(fig.axes[0])]
        assert colours == [charts.LEVEL_STYLES["xa"][0], charts.LEVEL_STYLES["huyen"][0]]


class TestDigitalRates:
    def test_bars_in_fixed_order_without_missing_indicators(self, close):
        fig = charts.digital_rates(rf.indicators_2024q1())
        close(fig)
        ax = fig.axes[0]
        assert [round(b.get_height(), 2) for b in bars(ax)] == [100.0, 85.25, 45.6, 20.0]
        assert ticks(ax.get_xticklabels())[0] == "Tỷ lệ số hóa\nhồ sơ"  # wrapped at 13 characters

    def test_each_bar_has_its_own_target(self, close):
        fig = charts.digital_rates(rf.indicators_2024q1())
        close(fig)
        segments = fig.axes[0].collections[0].get_segments()
        assert [float(s[0][1]) for s in segments] == [80.0, 80.0, 50.0, 70.0]


class TestLateMatrix:
    def test_units_by_fields_without_empty_fields(self):
        matrix = rf.form06_2024q1().pipe(charts.late_matrix)
        assert matrix.to_dict() == {
            "Hộ tịch": {"UBND thị xã": 0, "Thủy Châu": 10},
            "Xây dựng": {"UBND thị xã": 13, "Thủy Châu": 0},
            "Đất đai": {"UBND thị xã": 8, "Thủy Châu": 9},
        }
        assert list(matrix.index) == ["UBND thị xã", "Thủy Châu"]


class TestLateHeatmap:
    def test_cells_annotated_with_counts(self, close):
        fig = charts.late_heatmap(rf.form06_2024q1())
        close(fig)
        assert texts(fig.axes[0]) == ["0", "13", "8", "10", "0", "9"]


class TestFigures:
    def test_every_chart_is_built(self, close):
        figs = charts.figures(rf.q2025q3())
        for fig in figs.values():
            close(fig)
        assert list(figs) == list(charts.CHARTS)


class TestSaveAll:
    def test_png_and_svg_written_identically_twice(self, tmp_path, monkeypatch):
        # Two charts are enough to check the mechanics (keeps the test fast).
        monkeypatch.setattr(charts, "CHARTS", {k: charts.CHARTS[k] for k in ("trend", "late_heatmap")})
        first = charts.save_all(rf.q2024q1(), tmp_path / "a")
        second = charts.save_all(rf.q2024q1(), tmp_path / "b")
        assert sorted(first) == ["late_heatmap.png", "late_heatmap.svg", "trend.png", "trend.svg"]
        assert first["trend.svg"] == tmp_path / "a" / "2024Q1" / "charts" / "trend.svg"
        for name in first:
            assert hashlib.sha256(first[name].read_bytes()).digest() == hashlib.sha256(
                second[name].read_bytes()).digest(), name
        assert b"<dc:date>" not in first["trend.svg"].read_bytes()

    def test_no_temporary_file_left(self, tmp_path, monkeypatch):
        monkeypatch.setattr(charts, "CHARTS", {"trend": charts.CHARTS["trend"]})
        charts.save_all(rf.q2024q1(), tmp_path)
        assert sorted(p.name for p in (tmp_path / "2024Q1" / "charts").iterdir()) == [
            "trend.png", "trend.svg"]
