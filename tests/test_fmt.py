"""Vietnamese number and date formatting (cchc_analysis.fmt)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest

from cchc_analysis import fmt


class TestRounded:
    def test_rounds_half_up_from_the_written_value(self):
        assert fmt.rounded(97.45) == Decimal("97.5")

    def test_rounds_half_up_where_binary_float_is_below_half(self):
        # 2.675 is 2.67499999... in binary; officials round the written 2,675 up.
        assert fmt.rounded(2.675, 2) == Decimal("2.68")

    def test_negative_zero_loses_its_sign(self):
        assert str(fmt.rounded(-0.04)) == "0.0"

    def test_numpy_scalar(self):
        assert fmt.rounded(np.float64(0.25)) == Decimal("0.3")

    def test_rejects_text(self):
        with pytest.raises(ValueError):
            fmt.rounded("abc")


class TestPercent:
    @pytest.mark.parametrize(
        ("value", "text"),
        [(97.45, "97,5%"), (97.449, "97,4%"), (100.0, "100%"), (97.0, "97%"), (99.95, "100%"),
         (0.0, "0%"), (np.float64(98.85), "98,9%")],
    )
    def test_vietnamese_percent(self, value, text):
        assert fmt.percent(value) == text

    def test_missing_value_is_a_dash(self):
        assert fmt.percent(float("nan")) == "–"


class TestNumber:
    def test_thousands_separator_is_a_dot(self):
        assert fmt.number(1234) == "1.234"

    def test_decimal_comma(self):
        assert fmt.number(1234567.891) == "1.234.567,9"

    def test_no_trailing_zero(self):
        assert fmt.number(4.0) == "4"

    def test_whole_numbers_only(self):
        assert fmt.number(1234.5, decimals=0) == "1.235"

    def test_numpy_integer(self):
        assert fmt.number(np.int64(12000)) == "12.000"

    def test_none_is_a_dash(self):
        assert fmt.number(None) == "–"


class TestPoints:
    def test_positive(self):
        assert fmt.points(1.15) == "1,2 điểm phần trăm"

    def test_negative_gives_the_magnitude(self):
        assert fmt.points(-0.35) == "0,4 điểm phần trăm"

    def test_whole_points(self):
        assert fmt.points(20.0) == "20 điểm phần trăm"


class TestDateShort:
    def test_leading_zero_for_small_days_and_january(self):
        assert fmt.date_short(date(2024, 1, 1)) == "01/01/2024"

    def test_no_leading_zero_for_march(self):
        assert fmt.date_short(date(2024, 3, 31)) == "31/3/2024"

    def test_february_keeps_its_zero(self):
        assert fmt.date_short("2024-02-05") == "05/02/2024"

    def test_datetime(self):
        assert fmt.date_short(datetime(2023, 12, 15, 8, 30)) == "15/12/2023"


class TestDateLong:
    def test_words(self):
        assert fmt.date_long(date(2024, 5, 10)) == "ngày 10 tháng 5 năm 2024"

    def test_leading_zeros(self):
        assert fmt.date_long(date(2024, 2, 5)) == "ngày 05 tháng 02 năm 2024"


class TestQuarterShort:
    def test_roman_quarter(self):
        assert fmt.quarter_short("2023Q4") == "Quý IV/2023"

    def test_rejects_other_text(self):
        with pytest.raises(ValueError):
            fmt.quarter_short("2023-4")
