"""Vietnamese formatting of numbers, percentages, percentage points and dates (babel, ``vi_VN``).

Every figure shown in a chart or a sentence goes through this module, so that the report reads
the way Vietnamese officials write: comma decimals ("97,5%"), "." as thousands separator
("1.234"), rounding half up to one decimal (97,45 → 97,5, as done by hand; babel's own rounding
is half to even), and no trailing zero ("100%", "97%", never "100,0%").

Dates follow the rule of Nghị định 30/2020/NĐ-CP on administrative documents: a day below 10 and
the months 1 and 2 are written with a leading zero ("01/01/2024", "05/02/2024", "31/3/2024").
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pandas as pd
from babel import dates as babel_dates
from babel import numbers as babel_numbers

LOCALE = "vi_VN"
#: Shown in place of a missing value (NaN, None) in tables and charts; never used in sentences.
MISSING = "–"
#: One decimal, thousands grouped, trailing zero dropped (``#,##0.#`` prints 97 not 97,0).
_PATTERN = "#,##0.#"
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def rounded(value: float | int | Decimal | str, decimals: int = 1) -> Decimal:
    """Return ``value`` rounded half up to ``decimals`` places, as a Decimal.

    The float is converted through its shortest ``repr`` (``97.45`` → ``Decimal("97.45")``), not
    its binary value (``97.4499999…``), so that what the analyst sees in a table rounds the way
    she would round it by hand.

    Examples
    --------
    >>> rounded(97.45)
    Decimal('97.5')
    >>> rounded(-0.04)
    Decimal('0.0')
    """
    try:
        # float(...) first: numpy scalars' repr is "np.float64(97.45)", their str() is not.
        exact = Decimal(repr(float(value)) if isinstance(value, float) else str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    # -0,0 would print as "-0": a change that rounds to nothing has no sign.
    return result.copy_abs() if result.is_zero() else result


def number(n: float | int | Decimal | None, decimals: int = 1) -> str:
    """Return ``n`` written the Vietnamese way: "1.234", "4,5", "0".

    Parameters
    ----------
    n
        A count or a measure (e.g. average working days). Missing values give :data:`MISSING`.
    decimals
        At most this many decimals, rounded half up; trailing zeros are dropped.
    """
    if _is_missing(n):
        return MISSING
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(
        rounded(n, decimals), format=pattern, locale=LOCALE, decimal_quantization=False
    )


def number_fixed(n: float | int | Decimal | None, decimals: int = 1) -> str:
    """Return ``n`` with exactly ``decimals`` decimals, rounded half up: "64,0", "1.234,5".

    One number format per list (issue 13): the narrative writes every rate this way.
    """
    if _is_missing(n):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(rounded(n, decimals), format=pattern, locale=LOCALE)


def percent_fixed(value: float | int | Decimal | None) -> str:
    """Return a 0–100 percentage with exactly one decimal: ``64`` → "64,0%", ``100`` → "100,0%"."""
    if _is_missing(value):
        return MISSING
    return f"{number_fixed(value)}%"


def signed_points(delta: float | int | Decimal | None) -> str:
    """A change in percentage points for a table cell, with its sign and one decimal:
    ``0.8`` → "+0,8", ``-0.8`` → "−0,8" (U+2212 minus), ``0.04`` → "0,0"; missing → "–"."""
    if _is_missing(delta):
        return MISSING
    shown = rounded(delta)
    if shown.is_zero():
        return number_fixed(shown)
    return ("+" if shown > 0 else "\u2212") + number_fixed(abs(shown))


def shown_change(value, previous) -> Decimal | None:
    """The change as displayed: ``rounded(value) − rounded(previous)`` (None when either is
    missing), so that "97,3% vs 97,3%" is a change of 0,0 whatever the hidden decimals."""
    if _is_missing(value) or _is_missing(previous):
        return None
    return rounded(value) - rounded(previous)


def percent(value: float | int | Decimal | None) -> str:
    """Return a percentage given on the 0–100 scale: ``97.45`` → "97,5%", ``100.0`` → "100%".

    The tables hold percentages as 0–100 (DESIGN §8), so no multiplication by 100 happens here.
    """
    if _is_missing(value):
        return MISSING
    return f"{number(value)}%"


def points(delta: float | int | Decimal) -> str:
    """Return the size of a change in percentage points: ``-1.23`` → "1,2 điểm phần trăm".

    The magnitude only: the sentence carries the direction with "tăng" or "giảm" (Vietnamese
    reports never write "tăng -1,2"). Use :func:`rounded` to test whether the change is nil.
    """
    if _is_missing(delta):
        return MISSING
    return f"{number(abs(rounded(delta)))} điểm phần trăm"


def _as_date(d: date | datetime | str | pd.Timestamp) -> date:
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    if isinstance(d, datetime):  # includes pandas.Timestamp
        return d.date()
    return d


def _day_month_patterns(d: date) -> tuple[str, str]:
    # Nghị định 30/2020/NĐ-CP, Phụ lục I: days below 10 and months 1 and 2 take a leading zero.
    day = "dd" if d.day < 10 else "d"
    month = "MM" if d.month < 3 else "M"
    return day, month


def date_short(d: date | datetime | str | pd.Timestamp) -> str:
    """Return a date as written in a report: "01/01/2024", "31/3/2024", "15/12/2023"."""
    d = _as_date(d)
    day, month = _day_month_patterns(d)
    return babel_dates.format_date(d, format=f"{day}/{month}/yyyy", locale=LOCALE)


def date_long(d: date | datetime | str | pd.Timestamp) -> str:
    """Return a date in words: "ngày 10 tháng 5 năm 2024", "ngày 05 tháng 02 năm 2024"."""
    d = _as_date(d)
    day, month = _day_month_patterns(d)
    return babel_dates.format_date(
        d, format=f"'ngày' {day} 'tháng' {month} 'năm' yyyy", locale=LOCALE
    )


def quarter_short(quarter: str) -> str:
    """Return a quarter code as a chart label: ``"2024Q1"`` → "Quý I/2024"."""
    match = re.fullmatch(r"(\d{4})Q([1-4])", str(quarter).strip())
    if not match:
        raise ValueError(f"not a quarter such as 2024Q1: {quarter!r}")
    return f"Quý {_ROMAN[int(match.group(2))]}/{match.group(1)}"
