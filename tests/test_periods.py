"""Quarters and the two period conventions (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis.errors import CchcError
from cchc_analysis.periods import CONVENTIONS, PeriodError, Quarter, quarters_ending

quarters = st.builds(Quarter, st.integers(2000, 2100), st.integers(1, 4))


class TestQuarterParse:
    @pytest.mark.parametrize(
        "text",
        ["2024Q1", "2024q1", "2024-Q1", " 2024 - Q1 ", "Q1/2024", "q1-2024", "quý I/2024",
         "Quý 1/2024", "QUÝ I / 2024", "quý I năm 2024"],
    )  # fmt: skip
    def test_accepted_forms(self, text):
        assert Quarter.parse(text) == Quarter(2024, 1)

    def test_decomposed_unicode(self):
        assert Quarter.parse(unicodedata.normalize("NFD", "Quý IV/2025")) == Quarter(2025, 4)

    def test_roman_three(self):
        assert Quarter.parse("quý III/2023") == Quarter(2023, 3)

    def test_quarter_passes_through(self):
        assert Quarter.parse(Quarter(2024, 2)) == Quarter(2024, 2)

    @pytest.mark.parametrize("text", ["2024Q5", "Q0/2024", "2024", "quý V/2024", "", "tháng 1/2024"])
    def test_bad_text_is_a_clear_error(self, text):
        with pytest.raises(PeriodError, match="2024Q1"):
            Quarter.parse(text)

    def test_error_is_a_cchc_error_and_a_value_error(self):
        with pytest.raises(CchcError):
            Quarter.parse("abc")
        assert issubclass(PeriodError, ValueError)

    @settings(max_examples=60, deadline=None)
    @given(quarters)
    def test_str_round_trips(self, q):
        assert Quarter.parse(str(q)) == q


class TestQuarterStr:
    def test_canonical_form(self):
        assert str(Quarter.parse("quý II/2025")) == "2025Q2"


class TestQuarterBounds:
    def test_calendar(self):
        assert Quarter(2024, 1).bounds("calendar") == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))

    def test_calendar_is_the_default(self):
        assert Quarter(2024, 4).bounds() == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))

    def test_nd09_first_quarter_starts_in_december(self):
        assert Quarter(2024, 1).bounds("nd09") == (dt.date(2023, 12, 15), dt.date(2024, 3, 14))

    def test_nd09_third_quarter(self):
        assert Quarter(2025, 3).bounds("nd09") == (dt.date(2025, 6, 15), dt.date(2025, 9, 14))

    def test_unknown_convention(self):
        with pytest.raises(PeriodError, match="nd09"):
            Quarter(2024, 1).bounds("fiscal")

    @settings(max_examples=60, deadline=None)
    @given(quarters, st.sampled_from(CONVENTIONS))
    def test_consecutive_quarters_tile_time(self, q, convention):
        assert q.next().bounds(convention)[0] == q.bounds(convention)[1] + dt.timedelta(days=1)


class TestQuarterOf:
    def test_calendar(self):
        assert Quarter.of(dt.date(2024, 3, 31)) == Quarter(2024, 1)

    def test_nd09_mid_december_is_next_years_first_quarter(self):
        assert Quarter.of(dt.date(2023, 12, 15), "nd09") == Quarter(2024, 1)

    def test_nd09_fourteenth_of_last_month_stays(self):
        assert Quarter.of(dt.date(2024, 3, 14), "nd09") == Quarter(2024, 1)

    @settings(max_examples=80, deadline=None)
    @given(st.dates(dt.date(2001, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(CONVENTIONS))
    def test_day_lies_within_its_quarters_bounds(self, day, convention):
        start, end = Quarter.of(day, convention).bounds(convention)
        assert start <= day <= end


class TestQuarterPrevious:
    def test_crosses_the_year(self):
        assert Quarter(2024, 1).previous() == Quarter(2023, 4)


class TestQuarterYearAgo:
    def test_same_quarter_last_year(self):
        assert Quarter(2025, 3).year_ago() == Quarter(2024, 3)


class TestQuarterOrder:
    def test_sorted_and_hashable(self):
        qs = [Quarter(2024, 1), Quarter(2023, 4), Quarter(2024, 1)]
        assert sorted(set(qs)) == [Quarter(2023, 4), Quarter(2024, 1)]


class TestQuarterLabelVi:
    def test_label(self):
        assert Quarter(2024, 1).label_vi() == "quý I năm 2024"

    def test_short_label(self):
        assert Quarter(2024, 4).short_label_vi() == "Quý IV/2024"


class TestQuartersEnding:
    def test_oldest_first(self):
        assert [str(q) for q in quarters_ending("2024Q1", 3)] == ["2023Q3", "2023Q4", "2024Q1"]

    def test_count_below_one_is_an_error(self):
        with pytest.raises(PeriodError):
            quarters_ending("2024Q1", 0)
