"""Readers: encodings, delimiters, workbooks, merged cells, bad files."""

import datetime as dt
import unicodedata

import pytest

from cchc_analysis.errors import InputError
from cchc_analysis.ingest.readers import decoded_text, detected_delimiter, read_sheets
from tests.fixtures_raw import VI_HEADER, vi_row, write_csv, write_xls, write_xlsx

ROWS = [VI_HEADER, vi_row()]


class TestReadSheets:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
    def test_encoding(self, tmp_path, encoding):
        cells = read_sheets(write_csv(tmp_path / "a.csv", ROWS, encoding=encoding))[0].cells
        # cp1258 decodes to combining tone marks: compare the NFC form
        assert unicodedata.normalize("NFC", cells.iat[0, 1]) == "Mã hồ sơ"

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_delimiter(self, tmp_path, delimiter):
        sheet = read_sheets(write_csv(tmp_path / "a.csv", ROWS, delimiter=delimiter))[0]
        assert sheet.delimiter == delimiter and sheet.cells.shape[1] == len(VI_HEADER)

    def test_leading_zero_code_stays_text(self, tmp_path):
        cells = read_sheets(write_csv(tmp_path / "a.csv", ROWS))[0].cells
        assert cells.iat[1, 2] == "001"

    def test_xlsx_real_date_becomes_iso_text(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["Mã hồ sơ", "Ngày tiếp nhận"], ["A1", dt.datetime(2024, 1, 15, 8, 30)]])
        assert read_sheets(path)[0].cells.iat[1, 1] == "2024-01-15 08:30:00"

    def test_xlsx_whole_number_has_no_decimal(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["Mã hồ sơ", "Trạng thái"], ["A1", 10]])
        assert read_sheets(path)[0].cells.iat[1, 1] == "10"

    def test_xls_written_by_xlwt(self, tmp_path):
        path = write_xls(tmp_path / "a.xls", [["Mã hồ sơ", "Mã TTHC"], ["A1", "001"]])
        assert read_sheets(path)[0].cells.iloc[1].tolist() == ["A1", "001"]

    def test_workbook_named_csv_is_read_as_workbook(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["Mã hồ sơ"], ["A1"]])
        path = path.rename(tmp_path / "a.csv")
        assert read_sheets(path)[0].cells.iat[1, 0] == "A1"

    def test_merged_cells_fill_their_range(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [["TIÊU ĐỀ", "", ""], ["a", "b", "c"]], merges=[(0, 0, 0, 2)])
        assert read_sheets(path)[0].cells.iloc[0].tolist() == ["TIÊU ĐỀ"] * 3

    def test_row_numbers_keep_leading_empty_rows(self, tmp_path):
        path = write_xlsx(tmp_path / "a.xlsx", [[], [], ["Mã hồ sơ"]])
        assert read_sheets(path)[0].cells.iat[2, 0] == "Mã hồ sơ"

    def test_empty_file(self, tmp_path):
        (tmp_path / "a.csv").write_bytes(b"")
        with pytest.raises(InputError, match="a.csv: empty file"):
            read_sheets(tmp_path / "a.csv")

    def test_binary_junk(self, tmp_path):
        (tmp_path / "a.csv").write_bytes(bytes(range(256)) * 20)
        with pytest.raises(InputError, match="a.csv: binary content"):
            read_sheets(tmp_path / "a.csv")

    def test_damaged_workbook(self, tmp_path):
        (tmp_path / "a.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
        with pytest.raises(InputError, match="a.xlsx: not a readable spreadsheet"):
            read_sheets(tmp_path / "a.xlsx")


class TestDecodedText:
    def test_utf16_without_bom(self, tmp_path):
        assert decoded_text("Mã hồ sơ".encode("utf-16-le"), tmp_path)[1] == "utf-16-le"

    def test_non_utf8_is_cp1258(self, tmp_path):
        assert decoded_text("Thủy".encode("cp1258", errors="replace") + b"\xd2", tmp_path)[1] == "cp1258"


class TestDetectedDelimiter:
    def test_title_line_with_commas_does_not_win(self):
        text = "Từ ngày 01/01, đến ngày 31/03, năm 2024\na;b;c;d\n1;2;3;4\n5;6;7;8\n"
        assert detected_delimiter(text) == ";"


# --- the UTF-8 fast path of text_sheet equals the full path ------------------------------------

from hypothesis import given as _given, settings as _settings, strategies as _st  # noqa: E402

_CELL = _st.text(alphabet=_st.sampled_from(list('ab1 ,;\t"\r\n\x01\x00éĐđ\ufeff\u2028')), max_size=6)


@_settings(max_examples=300, deadline=None)
@_given(
    _st.lists(_st.lists(_CELL, min_size=1, max_size=4), min_size=0, max_size=8),
    _st.sampled_from([",", ";", "\t"]),
    _st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16"]),
    _st.sampled_from(["\n", "\r\n"]),
    _st.binary(max_size=3),
)
def test_fast_utf8_sheet_equals_full_path(rows, delimiter, encoding, newline, junk):
    import csv as _csv
    import io as _io
    from pathlib import Path as _Path

    from cchc_analysis.ingest import readers as _readers

    buf = _io.StringIO()
    _csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    try:
        data = buf.getvalue().encode(encoding) + junk
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8") + junk
    path = _Path("x.csv")
    fast = _readers._fast_utf8_sheet(path, data)
    if fast is None:
        return
    original = _readers._fast_utf8_sheet
    try:
        _readers._fast_utf8_sheet = lambda *_: None
        full = _readers.text_sheet(path, data)
    finally:
        _readers._fast_utf8_sheet = original
    assert (fast.encoding, fast.delimiter) == (full.encoding, full.delimiter)
    import pandas as _pd

    _pd.testing.assert_frame_equal(fast.cells, full.cells)


@pytest.mark.parametrize(
    "cells",
    [["1.0", "a"], ["a", "b"], [None, "x.0"], [None, None], [], ["x.00", "2.0 "], [None, "b"], ["-3.0"]],
)
@pytest.mark.parametrize("dtype", ["pyarrow", "python", "str"])
def test_any_float_suffix_fast_path_equals_pandas(cells, dtype):
    import numpy as np
    import pandas as pd

    from cchc_analysis.ingest.readers import _any_float_suffix

    col = pd.Series(cells, dtype=dtype if dtype == "str" else pd.StringDtype(dtype, na_value=np.nan))
    assert _any_float_suffix(col) == bool(col.str.endswith(".0").any())
