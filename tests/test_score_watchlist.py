"""Watch list and what-if (cchc_analysis.score.watchlist)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cchc_analysis import clean, indicators
from cchc_analysis.score.watchlist import default_as_of, finish_by, watchlist, what_if
from tests.dossier_factory import make_dossiers
from tests.sql_watchlist import watchlist_sql

START, END = date(2024, 1, 1), date(2024, 3, 31)


class TestWatchlist:
    @pytest.mark.parametrize("as_of", [date(2023, 12, 20), START, date(2024, 2, 14), date(2024, 3, 15), END, date(2024, 4, 5)])
    def test_equals_sql(self, processed_sample_dir, as_of):
        dossiers = clean.load_processed(processed_sample_dir).dossiers
        mine = watchlist(dossiers, as_of, END, period_start=START)
        sql = watchlist_sql(processed_sample_dir / "dossiers.parquet", as_of, START, END)
        got = mine[["dossier_id", "state"]].sort_values("dossier_id", ignore_index=True)
        assert got["dossier_id"].tolist() == sql["dossier_id"].tolist()
        assert got["state"].tolist() == sql["state"].tolist()
        if as_of < START or as_of > END:
            assert mine.empty and mine.attrs["note"].startswith("Ngày xét")
        elif as_of == date(2024, 3, 15):
            assert len(mine) > 20

    def test_rules_on_a_fixture(self):
        frame = make_dossiers(
            dict(received_at="2024-03-01", due_at="2024-03-20", status=4),                  # due soon
            dict(received_at="2024-03-01", due_at="2024-03-08", status=5),                  # overdue
            dict(received_at="2024-03-01", due_at="2024-03-20", status=10, finished_at=None),  # terminal, no time
            dict(received_at="2024-03-01", due_at="2024-03-20", status=10, finished_at="2024-03-12"),  # finished
            dict(received_at="2024-03-01", due_at="2024-04-20", status=4),                  # due after the end
            dict(received_at="2024-03-13", due_at="2024-03-20", status=4),                  # received after A
            dict(received_at="2024-03-01", due_at="2024-03-20", status=3),                  # not counted
        )
        got = watchlist(frame, "2024-03-12", END, period_start=START).set_index("dossier_id")
        assert got["state"].to_dict() == {"HS0002": "overdue", "HS0001": "due_soon", "HS0003": "due_soon"}
        assert got.loc["HS0001", "working_days_left"] == 6  # 13,14,15,18,19,20 March 2024
        assert got.loc["HS0002", "working_days_left"] == -2  # 11 and 12 March
        assert not set(got.columns) & {"procedure_name", "source_file", "source_row"}

    def test_default_as_of_is_last_day_in_data(self):
        frame = make_dossiers(dict(received_at="2024-03-01"), dict(received_at="2024-03-02", finished_at="2024-03-09", status=10))
        assert default_as_of(frame) == date(2024, 3, 9)


def whatif_fixture() -> pd.DataFrame:
    return make_dossiers(
        dict(received_at="2024-03-01", due_at="2024-03-05", finished_at="2024-03-04", status=10),  # early
        dict(received_at="2024-03-01", due_at="2024-03-06", finished_at="2024-03-08", status=10),  # late
        dict(received_at="2024-03-01", due_at="2024-03-11", status=4),  # overdue at A
        dict(received_at="2024-03-04", due_at="2024-03-18", status=4),  # due soon
        dict(received_at="2024-03-05", due_at="2024-03-25", status=4),  # due soon
        dict(received_at="2024-03-06", due_at="2024-03-29", finished_at="2024-03-20", status=10),  # due soon at A (finished later)
        dict(received_at="2024-03-07", due_at="2024-04-15", status=4),  # due after the end: within due
        dict(received_at="2024-03-07", due_at="2024-03-31", status=4),  # due on the last day: within due either way
    )


class TestWhatIf:
    def test_hand_computed(self):
        got = what_if(whatif_fixture(), "2024-03-12", START, END, target=98).set_index("unit_code").loc["p-phu-bai"]
        # 8 in scope. None finished: early + due-after-end + due-on-last-day = 3. All: + 3 due soon = 6.
        assert (got["denominator"], got["due_soon"], got["overdue"]) == (8, 4, 1)
        assert (got["numerator_if_none"], got["numerator_if_all"]) == (3, 6)
        assert got["rate_if_none"] == pytest.approx(37.5) and got["rate_if_all"] == pytest.approx(75.0)
        assert got["points_if_none"] == pytest.approx(7.5) and got["points_if_all"] == pytest.approx(15.0)
        assert got["needed_on_time"] == 5  # ceil(0.98 x 8 - 3) = ceil(4.84)
        assert not got["reachable"]
        assert got["message"].startswith("Cần thêm 5 hồ sơ đúng hạn để đạt chỉ tiêu 98%")

    def test_outside_period_is_empty(self):
        assert what_if(whatif_fixture(), "2024-04-02", START, END).empty

    def test_at_period_end_both_cases_equal_indicators(self, processed_sample_dir):
        processed = clean.load_processed(processed_sample_dir)
        got = what_if(processed.dossiers, END, START, END).set_index("unit_code")
        ref = indicators.build_quarter(processed, "2024Q1").indicators.query(
            "field == 'ALL' and indicator == 'on_time_rate_766' and denominator > 0").set_index("unit_code")
        np.testing.assert_allclose(got.loc[ref.index, "rate_if_none"], ref["value"], atol=1e-4)
        np.testing.assert_allclose(got.loc[ref.index, "rate_if_all"], ref["value"], atol=1e-4)


class TestFinishBy:
    def test_counts_per_due_day(self):
        watch = watchlist(whatif_fixture(), "2024-03-12", END, period_start=START)
        got = finish_by(watch)
        assert got["due_day"].dt.strftime("%d/%m").tolist() == ["18/03", "25/03", "29/03", "31/03"]
        assert got["cumulative"].tolist() == [1, 2, 3, 4]
