"""Working-day calendar: the reference table of 2023–2026, deadlines across holidays, input kinds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis import workdays

# The authoritative list (shared/reference/vn_public_service_calendar.md), embedded on purpose:
# weekdays on which offices are closed, and Saturdays worked as make-up days.
CLOSED_WEEKDAYS = {
    2023: ["01-02", "01-20", "01-23", "01-24", "01-25", "01-26", "05-01", "05-02", "05-03", "09-01", "09-04"],
    2024: ["01-01", "02-08", "02-09", "02-12", "02-13", "02-14", "04-18", "04-29", "04-30", "05-01", "09-02", "09-03"],
    2025: ["01-01", "01-27", "01-28", "01-29", "01-30", "01-31", "04-07", "04-30", "05-01", "05-02", "09-01", "09-02"],
    2026: [
        "01-01", "01-02", "02-16", "02-17", "02-18", "02-19", "02-20",
        "04-27", "04-30", "05-01", "08-31", "09-01", "09-02", "11-24",
    ],
}  # fmt: skip
MAKEUP_SATURDAYS = {2023: [], 2024: ["05-04"], 2025: ["04-26"], 2026: ["01-10", "08-22"]}
WORKING_DAYS_PER_YEAR = {2023: 249, 2024: 251, 2025: 250, 2026: 249}


def _expected_working(year: int) -> pd.Series:
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    closed = pd.to_datetime([f"{year}-{d}" for d in CLOSED_WEEKDAYS[year]])
    makeup = pd.to_datetime([f"{year}-{d}" for d in MAKEUP_SATURDAYS[year]])
    working = (days.day_of_week < 5) & ~days.isin(closed) | days.isin(makeup)
    return pd.Series(working, index=days)


class TestIsWorkingDay:
    @pytest.mark.parametrize("year", sorted(CLOSED_WEEKDAYS))
    def test_every_day_of_verified_years_matches_the_reference_table(self, year):
        expected = _expected_working(year)
        got = workdays.is_working_day(expected.index.to_numpy())
        mismatched = expected.index[got != expected.to_numpy()].strftime("%Y-%m-%d").tolist()
        assert mismatched == []

    @pytest.mark.parametrize("year", sorted(WORKING_DAYS_PER_YEAR))
    def test_working_days_per_year(self, year):
        days = pd.Series(pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D"))
        assert int(workdays.is_working_day(days).sum()) == WORKING_DAYS_PER_YEAR[year]

    def test_makeup_saturday_is_a_working_day(self):
        assert workdays.is_working_day(dt.date(2024, 5, 4)) is True

    def test_swapped_day_off_is_closed(self):
        assert workdays.is_working_day(dt.date(2026, 1, 2)) is False

    def test_ordinary_sunday_is_closed(self):
        assert workdays.is_working_day(pd.Timestamp("2024-03-10 09:30")) is False

    def test_missing_scalar_gives_na(self):
        assert workdays.is_working_day(None) is pd.NA

    def test_series_keeps_index_and_marks_nat_missing(self):
        days = pd.Series(pd.to_datetime(["2024-05-04", None]).astype("datetime64[us]"), index=[10, 20])
        got = workdays.is_working_day(days)
        assert got.index.tolist() == [10, 20]
        assert got.dtype == "boolean"
        assert got.iloc[0] == True  # noqa: E712 (nullable boolean)
        assert got.isna().tolist() == [False, True]

    def test_numpy_nat_gives_false(self):
        days = np.array(["2024-05-06", "NaT"], dtype="datetime64[s]")
        assert workdays.is_working_day(days).tolist() == [True, False]


class TestAddWorkingDays:
    def test_deadline_across_tet_2024(self):
        # Received Wednesday 7/2/2024, 3 working days: Tết closes 8/2–14/2.
        assert workdays.add_working_days(dt.date(2024, 2, 7), 3) == dt.date(2024, 2, 19)

    def test_deadline_across_tet_2025(self):
        assert workdays.add_working_days(dt.date(2025, 1, 24), 1) == dt.date(2025, 2, 3)

    def test_deadline_across_30_4_swap_2024_counts_makeup_saturday(self):
        # Fri 26/4/2024 + 3: 29/4, 30/4, 1/5 closed; Thu 2/5, Fri 3/5, Sat 4/5 (make-up).
        assert workdays.add_working_days(dt.date(2024, 4, 26), 3) == dt.date(2024, 5, 4)

    def test_deadline_across_30_4_swap_2025(self):
        # Tue 29/4/2025 + 1: 30/4, 1/5, 2/5 closed, weekend -> Mon 5/5.
        assert workdays.add_working_days(dt.date(2025, 4, 29), 1) == dt.date(2025, 5, 5)

    def test_makeup_saturday_2025_counts(self):
        assert workdays.add_working_days(dt.date(2025, 4, 25), 1) == dt.date(2025, 4, 26)

    def test_one_day_from_friday_is_monday(self):
        assert workdays.add_working_days(dt.date(2024, 3, 8), 1) == dt.date(2024, 3, 11)

    def test_zero_days_on_working_day_is_same_day(self):
        assert workdays.add_working_days(dt.date(2024, 3, 8), 0) == dt.date(2024, 3, 8)

    def test_zero_days_on_holiday_is_next_working_day(self):
        assert workdays.add_working_days(dt.date(2026, 1, 1), 0) == dt.date(2026, 1, 5)

    def test_negative_days_count_backwards(self):
        assert workdays.add_working_days(dt.date(2024, 3, 11), -1) == dt.date(2024, 3, 8)

    def test_datetime_gives_midnight_datetime(self):
        got = workdays.add_working_days(dt.datetime(2024, 3, 8, 16, 45), 1)
        assert got == dt.datetime(2024, 3, 11)

    def test_timestamp_gives_timestamp(self):
        got = workdays.add_working_days(pd.Timestamp("2024-03-08 16:45"), 1)
        assert isinstance(got, pd.Timestamp) and got == pd.Timestamp("2024-03-11")

    def test_missing_scalar_gives_nat(self):
        assert workdays.add_working_days(None, 3) is pd.NaT

    def test_series_keeps_index_dtype_and_nat(self):
        start = pd.Series(
            pd.to_datetime(["2024-02-07 10:00", None]).astype("datetime64[us]"), index=["a", "b"]
        )
        got = workdays.add_working_days(start, pd.Series([3, 1], index=["a", "b"]))
        assert got.dtype == "datetime64[us]"
        assert got.index.tolist() == ["a", "b"]
        assert got.iloc[0] == pd.Timestamp("2024-02-19") and pd.isna(got.iloc[1])

    def test_numpy_array_keeps_unit(self):
        start = np.array(["2024-02-07T10:00"], dtype="datetime64[ns]")
        got = workdays.add_working_days(start, 3)
        assert got.dtype == np.dtype("datetime64[ns]") and got[0] == np.datetime64("2024-02-19")

    def test_missing_n_gives_nat(self):
        got = workdays.add_working_days(pd.Series(pd.to_datetime(["2024-03-08"])), pd.Series([None], dtype="Int64"))
        assert got.isna().all()

    @settings(max_examples=80, deadline=None)
    @given(st.dates(dt.date(2016, 1, 1), dt.date(2039, 6, 30)), st.integers(1, 60))
    def test_result_is_a_working_day_n_working_days_later(self, start, n):
        due = workdays.add_working_days(start, n)
        assert workdays.is_working_day(due) is True
        assert workdays.working_days_between(start, due) == n


class TestWorkingDaysBetween:
    def test_same_day_is_zero(self):
        assert workdays.working_days_between(dt.date(2024, 3, 8), dt.date(2024, 3, 8)) == 0

    def test_friday_to_monday_is_one(self):
        assert workdays.working_days_between(dt.date(2024, 3, 8), dt.date(2024, 3, 11)) == 1

    def test_across_tet_2024(self):
        assert workdays.working_days_between(dt.date(2024, 2, 7), dt.date(2024, 2, 19)) == 3

    def test_whole_year_2026(self):
        assert workdays.working_days_between(dt.date(2025, 12, 31), dt.date(2026, 12, 31)) == 249

    def test_end_before_start_is_negative(self):
        assert workdays.working_days_between(dt.date(2024, 3, 11), dt.date(2024, 3, 8)) == -1

    def test_series_with_nat_gives_int64_with_na(self):
        start = pd.Series(pd.to_datetime(["2024-03-08", None]).astype("datetime64[us]"))
        end = pd.Series(pd.to_datetime(["2024-03-11", "2024-03-11"]).astype("datetime64[s]"))
        got = workdays.working_days_between(start, end)
        assert got.dtype == "Int64" and got.iloc[0] == 1 and pd.isna(got.iloc[1])

    def test_numpy_gives_float_with_nan(self):
        start = np.array(["2024-03-08", "NaT"], dtype="datetime64[D]")
        got = workdays.working_days_between(start, np.array(["2024-03-11"] * 2, dtype="datetime64[D]"))
        assert got[0] == 1 and np.isnan(got[1])

    def test_outside_the_span_is_missing(self):
        assert workdays.working_days_between(dt.date(1990, 1, 1), dt.date(2024, 1, 1)) is pd.NA


class TestIsVerifiedYear:
    @pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
    def test_reference_years_are_verified(self, year):
        assert workdays.is_verified_year(year)

    @pytest.mark.parametrize("year", [2022, 2027])
    def test_other_years_are_not(self, year):
        assert not workdays.is_verified_year(year)


class TestUnverifiedYears:
    def test_range_inside_verified_years_is_empty(self):
        assert workdays.unverified_years(dt.date(2023, 12, 15), dt.date(2024, 3, 14)) == []

    def test_range_touching_unverified_years_lists_them(self):
        assert workdays.unverified_years(dt.date(2022, 12, 15), dt.date(2027, 3, 14)) == [2022, 2027]


class TestLoadOverrides:
    def test_2026_new_year_swap_is_in_the_table(self):
        table = workdays.load_overrides()
        rows = table[table["date"].notna()]
        got = dict(zip(rows["date"].dt.strftime("%Y-%m-%d"), rows["kind"], strict=True))
        assert got == {"2026-01-02": "closed", "2026-01-10": "workday"}


class TestWorkingDaysTable:
    def test_days_and_cumulative_count(self):
        table = workdays.working_days_table("2024-05-03", "2024-05-06")
        assert table["is_working_day"].tolist() == [True, True, False, True]
        assert np.diff(table["working_days_to_date"]).tolist() == [1, 0, 1]
