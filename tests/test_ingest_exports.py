"""Line classes of an export: data, blank, repeated header, footer and signature lines."""

import pandas as pd

from cchc_analysis.ingest.exports import line_classes
from cchc_analysis.ingest.headers import load_header_aliases, recognised_header
from tests.fixtures_raw import NATIONAL_HEADER, national_row

#: A footer whose lines start in the id column, then a signature block.
SIGNED = [[], ["Tổng cộng: 2 hồ sơ"], ["Người lập biểu"], ["", "Trần Thị Ký Tên"]]


def _classes(lines):
    width = max(len(r) for r in lines)
    cells = pd.DataFrame([r + [""] * (width - len(r)) for r in lines], dtype="str")
    cells.columns = range(width)
    header = recognised_header(cells, load_header_aliases(), "f.csv")
    return line_classes(cells.iloc[header.row + header.rows :], header).tolist()


class TestLineClasses:
    def test_digit_ids_are_data(self):
        lines = [NATIONAL_HEADER, national_row("000.1"), national_row("1-2")]
        assert _classes(lines) == ["data", "data"]

    def test_footer_and_signature_after_digit_ids(self):
        lines = [NATIONAL_HEADER, national_row("000.1"), *SIGNED]
        assert _classes(lines) == ["data", "blank", "footer", "footer", "footer"]

    def test_repeated_header_and_blank_among_digit_ids(self):
        lines = [NATIONAL_HEADER, national_row("000.1"), [], NATIONAL_HEADER, national_row("000.2")]
        assert _classes(lines) == ["data", "blank", "header", "data"]

    def test_letter_ids_are_data_too(self):
        lines = [NATIONAL_HEADER, national_row("H57-0001"), national_row("000.2")]
        assert _classes(lines) == ["data", "data"]


class TestConstantText:
    def test_same_as_series_of_the_value(self):
        from cchc_analysis.ingest.exports import _constant_text

        index = pd.RangeIndex(3, 7)
        pd.testing.assert_series_equal(_constant_text("data", index), pd.Series("data", index=index, dtype="str"))
        assert len(_constant_text("data", pd.RangeIndex(0))) == 0
