"""Quarters and the two period conventions (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis.errors import CchcError
from cchc_analysis.periods import CONVENTIONS, KINDS, Period, PeriodError, Quarter, quarters_ending

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


# --------------------------------------------------------------------------- report kinds

periods = st.builds(Period, st.integers(2000, 2100), st.sampled_from(list(KINDS)))


class TestPeriodParse:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("2024H1", Period(2024, "H1")), ("2024-h1", Period(2024, "H1")), ("H1/2024", Period(2024, "H1")),
         ("6 tháng đầu năm 2024", Period(2024, "H1")), ("6 tháng năm 2024", Period(2024, "H1")),
         ("6 THÁNG 2024", Period(2024, "H1")), ("Sáu tháng đầu năm 2024", Period(2024, "H1")),
         ("2024M9", Period(2024, "M9")), ("M9-2024", Period(2024, "M9")),
         ("9 tháng năm 2024", Period(2024, "M9")), ("9 tháng đầu năm 2024", Period(2024, "M9")),
         ("2024Y", Period(2024, "Y")), ("năm 2024", Period(2024, "Y")), ("Cả năm 2024", Period(2024, "Y")),
         ("2024Q1", Period(2024, "Q1")), ("quý III năm 2024", Period(2024, "Q3")), ("Q4/2024", Period(2024, "Q4"))],
    )  # fmt: skip
    def test_accepted_forms(self, text, expected):
        assert Period.parse(text) == expected

    def test_decomposed_unicode(self):
        assert Period.parse(unicodedata.normalize("NFD", "6 tháng đầu năm 2025")) == Period(2025, "H1")

    def test_quarter_and_period_pass_through(self):
        assert Period.parse(Quarter(2024, 2)) == Period(2024, "Q2")
        assert Period.parse(Period(2024, "Y")) == Period(2024, "Y")

    @pytest.mark.parametrize("text", ["2024H2", "2024M6", "3 tháng 2024", "2024", "năm", "2024Q5", ""])
    def test_bad_text_lists_every_kind(self, text):
        with pytest.raises(PeriodError, match="2024H1.*2024M9.*2024Y"):
            Period.parse(text)

    def test_unknown_kind(self):
        with pytest.raises(PeriodError, match="H1"):
            Period(2024, "H2")

    def test_quarter_parse_still_rejects_cumulative_kinds(self):
        with pytest.raises(PeriodError):
            Quarter.parse("2024H1")

    @settings(max_examples=60, deadline=None)
    @given(periods)
    def test_str_and_label_round_trip(self, p):
        assert Period.parse(str(p)) == p
        assert Period.parse(p.label_vi()) == p


class TestPeriodBounds:
    @pytest.mark.parametrize(
        ("text", "convention", "start", "end"),
        [("2024Q1", "calendar", (2024, 1, 1), (2024, 3, 31)), ("2024Q1", "nd09", (2023, 12, 15), (2024, 3, 14)),
         ("2024Q2", "calendar", (2024, 4, 1), (2024, 6, 30)), ("2024Q2", "nd09", (2024, 3, 15), (2024, 6, 14)),
         ("2024Q3", "calendar", (2024, 7, 1), (2024, 9, 30)), ("2024Q3", "nd09", (2024, 6, 15), (2024, 9, 14)),
         ("2024Q4", "calendar", (2024, 10, 1), (2024, 12, 31)), ("2024Q4", "nd09", (2024, 9, 15), (2024, 12, 14)),
         ("2024H1", "calendar", (2024, 1, 1), (2024, 6, 30)), ("2024H1", "nd09", (2023, 12, 15), (2024, 6, 14)),
         ("2024M9", "calendar", (2024, 1, 1), (2024, 9, 30)), ("2024M9", "nd09", (2023, 12, 15), (2024, 9, 14)),
         ("2024Y", "calendar", (2024, 1, 1), (2024, 12, 31)), ("2024Y", "nd09", (2023, 12, 15), (2024, 12, 14))],
    )  # fmt: skip
    def test_dates(self, text, convention, start, end):
        assert Period.parse(text).bounds(convention) == (dt.date(*start), dt.date(*end))

    def test_calendar_is_the_default(self):
        assert Period(2025, "H1").bounds() == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))

    def test_unknown_convention(self):
        with pytest.raises(PeriodError, match="nd09"):
            Period(2024, "Y").bounds("fiscal")

    @settings(max_examples=60, deadline=None)
    @given(quarters, st.sampled_from(CONVENTIONS))
    def test_a_quarter_period_has_the_quarters_bounds(self, q, convention):
        assert Period.parse(q).bounds(convention) == q.bounds(convention)

    @settings(max_examples=60, deadline=None)
    @given(periods, st.sampled_from(CONVENTIONS))
    def test_spanned_quarters_tile_the_period(self, p, convention):
        spanned = p.quarters()
        assert spanned[0].bounds(convention)[0] == p.bounds(convention)[0]
        assert spanned[-1].bounds(convention)[1] == p.bounds(convention)[1]
        assert all(a.next() == b for a, b in zip(spanned, spanned[1:], strict=False))


class TestPeriodQuarters:
    def test_cumulative(self):
        assert [str(q) for q in Period(2024, "M9").quarters()] == ["2024Q1", "2024Q2", "2024Q3"]

    def test_quarter(self):
        assert Period(2024, "Q3").quarters() == [Quarter(2024, 3)]
        assert Period(2024, "Q3").quarter == Quarter(2024, 3)
        assert Period(2024, "Y").quarter is None


class TestPeriodPrevious:
    def test_quarter_compares_with_the_quarter_before(self):
        assert Period(2024, "Q1").previous() == Period(2023, "Q4")

    @pytest.mark.parametrize("kind", ["H1", "M9", "Y"])
    def test_cumulative_compares_with_the_same_period_a_year_earlier(self, kind):
        assert Period(2024, kind).previous() == Period(2023, kind)
        assert Period(2024, kind).is_cumulative

    def test_year_ago(self):
        assert Period(2025, "Q3").year_ago() == Period(2024, "Q3")
        assert Period(2025, "H1").year_ago() == Period(2024, "H1")


class TestPeriodLabels:
    @pytest.mark.parametrize(
        ("kind", "label", "short"),
        [("Q1", "quý I năm 2024", "Quý I/2024"), ("H1", "6 tháng đầu năm 2024", "6 tháng/2024"),
         ("M9", "9 tháng năm 2024", "9 tháng/2024"), ("Y", "năm 2024", "Năm 2024")],
    )  # fmt: skip
    def test_labels(self, kind, label, short):
        assert Period(2024, kind).label_vi() == label
        assert Period(2024, kind).short_label_vi() == short
        assert str(Period(2024, kind)) == f"2024{kind}"


class TestPeriodOrder:
    def test_by_last_month_then_shorter_first(self):
        texts = ["2024Y", "2024Q4", "2024M9", "2024Q3", "2024H1", "2024Q2", "2024Q1", "2023Y"]
        ordered = [str(p) for p in sorted(Period.parse(t) for t in texts)]
        assert ordered == ["2023Y", "2024Q1", "2024Q2", "2024H1", "2024Q3", "2024M9", "2024Q4", "2024Y"]

    def test_hashable_and_equal_to_itself_only(self):
        assert len({Period(2024, "H1"), Period.parse("6 tháng 2024"), Period(2024, "Q2")}) == 2
        assert Period(2024, "H1") != Period(2024, "Q2")
