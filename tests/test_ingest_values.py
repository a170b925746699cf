"""Value parsers: one test per accepted form of DESIGN §4."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis.ingest import values as V

S = lambda *v: pd.Series(list(v), dtype="str")  # noqa: E731


class TestParsedDatetimes:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("15/01/2024", "2024-01-15 00:00:00"),
            ("15/01/2024 08:30", "2024-01-15 08:30:00"),
            ("15/01/2024 08:30:15", "2024-01-15 08:30:15"),
            ("2024-01-15", "2024-01-15 00:00:00"),
            ("20240115083015", "2024-01-15 08:30:15"),
            ("45306", "2024-01-15 00:00:00"),
            ("45306.5", "2024-01-15 12:00:00"),
            ("2024-01-15 08:30:00", "2024-01-15 08:30:00"),  # a real Excel date read as text
            ("5/1/2024", "2024-01-05 00:00:00"),
        ],
    )
    def test_accepted_form(self, text, expected):
        parsed, bad = V.parsed_datetimes(S(text))
        assert parsed.iloc[0] == pd.Timestamp(expected)
        assert not bad.iloc[0]

    def test_day_first(self):
        assert V.parsed_datetimes(S("03/04/2024"))[0].iloc[0] == pd.Timestamp("2024-04-03")

    def test_garbage_is_bad(self):
        parsed, bad = V.parsed_datetimes(S("ngày 15"))
        assert pd.isna(parsed.iloc[0]) and bad.iloc[0]

    def test_blank_is_missing_not_bad(self):
        parsed, bad = V.parsed_datetimes(S("", "  "))
        assert parsed.isna().all() and not bad.any()

    def test_serial_out_of_range_is_bad(self):
        assert V.parsed_datetimes(S("12"))[1].iloc[0]

    def test_dtype_is_microseconds(self):
        assert str(V.parsed_datetimes(S("15/01/2024"))[0].dtype) == "datetime64[us]"

    @settings(max_examples=50, deadline=None)
    @given(st.datetimes(min_value=pd.Timestamp("2000-01-01").to_pydatetime(),
                        max_value=pd.Timestamp("2099-12-31").to_pydatetime()).map(lambda d: d.replace(microsecond=0)))
    def test_every_form_round_trips(self, moment):
        forms = [moment.strftime("%d/%m/%Y %H:%M:%S"), moment.strftime("%Y%m%d%H%M%S"),
                 moment.strftime("%Y-%m-%d %H:%M:%S")]
        parsed, bad = V.parsed_datetimes(S(*forms))
        assert (parsed == pd.Timestamp(moment)).all() and not bad.any()


class TestParsedBooleans:
    @pytest.mark.parametrize("text", ["Có", "có", "x", "X", "1", "True", "TRUE", "yes"])
    def test_yes(self, text):
        assert V.parsed_booleans(S(text))[0].tolist() == [True]

    @pytest.mark.parametrize("text", ["Không", "khong", "", "0", "False", "-"])
    def test_no(self, text):
        assert V.parsed_booleans(S(text))[0].tolist() == [False]

    def test_unknown_word_is_bad(self):
        out, bad = V.parsed_booleans(S("có lẽ"))
        assert pd.isna(out.iloc[0]) and bad.iloc[0]


class TestParsedStatuses:
    @pytest.mark.parametrize(
        ("text", "code"),
        [("Mới đăng ký", 1), ("Đã tiếp nhận", 2), ("Không được tiếp nhận", 3), ("Từ chối", 3),
         ("Đang xử lý", 4), ("Chờ bổ sung", 5), ("Yêu cầu bổ sung", 5),
         ("Chờ thực hiện nghĩa vụ tài chính", 6), ("Công dân yêu cầu rút hồ sơ", 7),
         ("Rút hồ sơ", 7), ("Dừng xử lý", 8), ("Đã xử lý xong", 9), ("Đã trả kết quả", 10),
         ("ĐÃ TRẢ KẾT QUẢ", 10), ("10", 10), ("04", 4)],
    )
    def test_variant(self, text, code):
        assert V.parsed_statuses(S(text))[0].iloc[0] == code

    def test_unknown_is_bad(self):
        assert V.parsed_statuses(S("Đang phân vân"))[1].iloc[0]

    def test_blank_is_missing(self):
        out, bad = V.parsed_statuses(S(""))
        assert pd.isna(out.iloc[0]) and not bad.iloc[0]


class TestParsedChannels:
    @pytest.mark.parametrize(
        ("text", "channel"),
        [("Trực tiếp", "truc_tiep"), ("Trực tuyến", "truc_tuyen"),
         ("Bưu chính công ích", "buu_chinh"), ("Qua bưu chính", "buu_chinh"),
         ("1", "truc_tiep"), ("2", "truc_tuyen"), ("3", "buu_chinh")],
    )
    def test_variant(self, text, channel):
        assert V.parsed_channels(S(text))[0].iloc[0] == channel

    def test_unknown_is_bad(self):
        assert V.parsed_channels(S("bồ câu"))[1].iloc[0]


class TestParsedCounts:
    def test_blank_is_zero(self):
        assert V.parsed_counts(S(""))[0].iloc[0] == 0

    def test_thousands_separator(self):
        assert V.parsed_counts(S("1.234"))[0].iloc[0] == 1234

    def test_fraction_is_bad(self):
        assert V.parsed_counts(S("2.5"))[1].iloc[0]


class TestParsedMonths:
    @pytest.mark.parametrize("text", ["03/2024", "3-2024", "Tháng 3/2024", "T03/2024", "2024-03", "15/03/2024"])
    def test_variant(self, text):
        assert V.parsed_months(S(text))[0].iloc[0] == pd.Timestamp("2024-03-01")

    def test_garbage_is_bad(self):
        assert V.parsed_months(S("quý 1"))[1].iloc[0]


def _every_format_in_turn(text):
    """The reference rule: every format tried on every cell, in order, then Excel serials."""
    text = S(*text).str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = text.ne("")
    for fmt in V.DATE_FORMATS:
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        hit = parsed.notna()
        out.loc[hit[hit].index] = parsed[hit].astype("datetime64[us]")
        todo.loc[hit[hit].index] = False
    number = pd.to_numeric(text[todo].str.replace(",", ".", regex=False), errors="coerce")
    serial = number.between(*V.SERIAL_RANGE)
    out.loc[serial[serial].index] = (V._EXCEL_EPOCH + pd.to_timedelta(number[serial], unit="D").dt.round("s")).astype("datetime64[us]")
    todo.loc[serial[serial].index] = False
    return out, todo


def test_routing_by_separators_equals_trying_every_format():
    cells = [
        "15/01/2024 08:30:00", "15/01/2024 08:30", "5/1/2024", " 5/01/2024", "2024-01-15 08:30:00",
        "2024-01-15T08:30:00", "2024-01-15 08:30:00.123456789", "2024-01-15T08:30:00Z",
        "2024-01-15 08:30:00+07:00", "-2024-01-15", "-20240115", "20240115083000", "20240115",
        "2024013108300", "15-01-2024 08:30", "15.01.2024", "2024/01/15", "45306", "45306,5",
        "31/02/2024", "15/13/2024", "2024-01-15  08:30", "15/01/2024T08:30", "x", "", "15/01/2024",
    ] * 3
    parsed, bad = V.parsed_datetimes(S(*cells))
    want, want_bad = _every_format_in_turn(cells)
    assert parsed.equals(want) and bad.equals(want_bad)
