"""Helpers of the typed tables: per-distinct look-ups, checks and messages."""

import unicodedata

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis.ingest import tables as T
from cchc_analysis.ingest import values as V


class TestFirstReason:
    def test_string_message_for_every_failing_row(self):
        idx = pd.RangeIndex(3)
        reason, message = T._first_reason([("empty", np.array([True, False, True]), "it is empty")], idx)
        assert reason.tolist() == ["empty", "", "empty"] and message.tolist() == ["it is empty", "", "it is empty"]


class TestWordCheck:
    def test_absent_column_is_missing_and_never_fails(self):
        rows = pd.DataFrame({"status": pd.Series(["x", "1"], dtype="str")})
        out, (_, bad, _) = T._word_check(rows, "has_fee", V.parsed_booleans, "unparseable_value", "yes/no")
        assert out.dtype == "boolean" and out.isna().all() and not bad.any()

    def test_absent_column_same_as_column_of_missing_cells(self):
        rows = pd.DataFrame({"has_fee": pd.Series([np.nan, np.nan], dtype="str")})
        present, (_, bad, _) = T._word_check(rows, "has_fee", V.parsed_counts, "r", "a number")
        absent, (_, none, _) = T._word_check(rows.drop(columns="has_fee"), "has_fee", V.parsed_counts, "r", "a number")
        pd.testing.assert_series_equal(present, absent)
        assert not bad.any() and not none.any()


class TestPerDistinct:
    def test_procedure_codes_stripped_nfc_blank_missing(self):
        raw = pd.Series([" 001 ", unicodedata.normalize("NFD", "Ạ1"), "  ", None, " 001 "], dtype="str")
        codes, distinct = T._procedure_codes(raw)
        out = T._spread(distinct, codes, raw.index)
        assert out.iloc[:2].tolist() == ["001", "Ạ1"] and out.iloc[2:4].isna().all() and out.iloc[4] == "001"

    def test_text_or_catalogue_fills_blank_from_catalogue(self):
        codes, distinct = T._procedure_codes(pd.Series(["a", "b", "a"], dtype="str"))
        fallback = distinct.map({"a": "Tên A", "b": "Tên B"})
        raw = pd.Series(["  Hộ   tịch ", "", None], dtype="str")
        assert T._text_or_catalogue(raw, fallback, codes).tolist() == ["Hộ tịch", "Tên B", "Tên A"]

    def test_blank_rows_of_absent_column(self):
        rows = pd.DataFrame({"authority": pd.Series([" ", "x", None], dtype="str")})
        assert T._blank_rows(rows, "authority").tolist() == [True, False, True]
        assert T._blank_rows(rows, "reception").tolist() == [True, True, True]


class TestSpreadText:
    def test_unchanged_distinct_values_give_the_column_itself(self):
        raw = pd.Series(["a", "b", "a"], dtype="str")
        codes, distinct = T._distinct(raw)
        pd.testing.assert_series_equal(T._spread_text(raw, distinct, distinct.copy(), codes), raw)

    def test_changed_distinct_values_spread(self):
        raw = pd.Series([" a", "b", " a"], dtype="str")
        codes, distinct = T._distinct(raw)
        assert T._spread_text(raw, distinct, distinct.str.strip(), codes).tolist() == ["a", "b", "a"]


class TestLazyFill:
    def test_filled_calls_fallback_only_when_missing(self):
        full = pd.Series(["a", "b"], dtype="str")
        assert T._filled(full, lambda: 1 / 0) is full
        gaps = pd.Series(["a", None], dtype="str")
        assert T._filled(gaps, lambda: pd.Series(["x", "y"], dtype="str")).tolist() == ["a", "y"]

    def test_where_nothing_kept_is_all_missing_without_call(self):
        mask = pd.Series([False, False])
        out = T._where(lambda: 1 / 0, mask)
        pd.testing.assert_series_equal(out, pd.Series(["a", "b"], dtype="str").where(mask))

    def test_where_some_kept(self):
        mask = pd.Series([True, False])
        assert T._where(lambda: pd.Series(["a", "b"], dtype="str"), mask).iloc[0] == "a"


class TestBlankDates:
    def test_same_as_blank_of_the_cells(self):
        cells = pd.Series(["", " ", None, "15/01/2024", "abc", "NaT", "45000", " 2024-01-15 "], dtype="str")
        parsed, bad = V.parsed_datetimes(cells)
        assert T._blank_dates(parsed, bad).tolist() == T._blank(cells).tolist()

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.text(alphabet=" 0123459/:-.TNa", max_size=12)), max_size=15))
    def test_same_as_blank_for_any_cells(self, cells):
        cells = pd.Series(cells, dtype="str")
        parsed, bad = V.parsed_datetimes(cells)
        assert T._blank_dates(parsed, bad).tolist() == T._blank(cells).tolist()
