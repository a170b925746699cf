"""Fast paths of the text normalisation equal the general ones."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis.ingest import text as T


def _general(values: pd.Series) -> pd.Series:
    """The non-ASCII path of ``_normalised_distinct`` (NFC, tone placement, spaces, strip)."""
    text = T.normalized(values, "NFC")
    text = text.str.replace(T._OLD_TONE_RE, T._new_tone_placement, regex=True)
    return text.str.replace(T._SPACES_RE, " ", regex=True).str.strip()


class TestNormalisedAscii:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.text(alphabet="ab -\t\r\n\x0b\x0c\x1f\x7f", max_size=8)), max_size=20))
    def test_same_as_general_path(self, cells):
        values = pd.Series(cells, dtype="str")
        pd.testing.assert_series_equal(T._normalised_distinct(values), _general(values))

    def test_tab_and_double_space_collapsed(self):
        assert T._normalised_ascii(pd.Series([" a\tb  c "], dtype="str")).tolist() == ["a b c"]


class TestPerDistinct:
    def test_unchanged_values_returned_as_they_are(self):
        values = pd.Series(["x", None, "x", "y"], dtype="str")
        out = T._per_distinct(values, lambda t: t)
        pd.testing.assert_series_equal(out, values)

    def test_changed_values_spread_back(self):
        values = pd.Series(["x", None, "x"], dtype="str")
        assert T._per_distinct(values, lambda t: t + "!").tolist()[::2] == ["x!", "x!"]


class TestStrippedNfc:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.text(alphabet=" a\tơ\u0301Ớ\u00a0", max_size=6)), max_size=30))
    def test_same_as_strip_then_normalize(self, cells):
        values = pd.Series(cells, dtype="str")
        pd.testing.assert_series_equal(T.stripped_nfc(values), T.normalized(values.str.strip(), "NFC"))


@pytest.mark.parametrize(
    "cells", [["a", "b"], ["á", "b"], [None, "á"], [None, None], [], ["x", None], ["\x7f"], ["\u00a0"]]
)
@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]"])
def test_all_ascii_fast_path_equals_pandas(cells, dtype):
    values = pd.Series(cells, dtype=dtype)
    assert T.all_ascii(values) == bool(values.str.isascii().fillna(True).all())
