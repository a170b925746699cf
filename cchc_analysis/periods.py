"""Reporting quarters and their two period conventions (DESIGN §6).

``calendar`` (default; the national portal's index): 2024Q1 = 2024-01-01..2024-03-31.
``nd09`` (reporting cut-off of Nghị định 09/2019/NĐ-CP): from the 15th of the month before the
quarter to the 14th of its last month; 2024Q1 = 2023-12-15..2024-03-14.

Report kinds (:class:`Period`): the four quarters and the cumulative periods of the periodic
CCHC reports, ``2024H1`` (6 tháng), ``2024M9`` (9 tháng) and ``2024Y`` (năm). Under ``nd09`` a
cumulative period runs from 15/12 of the previous year to the 14th of its last month
(2024H1 = 2023-12-15..2024-06-14); under ``calendar`` it is the calendar months.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from .errors import CchcError

__all__ = ["CONVENTIONS", "KINDS", "Period", "PeriodError", "Quarter", "quarters_ending"]

CONVENTIONS = ("calendar", "nd09")
ACCEPTED_FORMS = ("2024Q1", "2024-Q1", "Q1/2024", "Q1-2024", "quý I/2024", "Quý 1/2024", "quý I năm 2024")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}
_NUMBER = r"(?P<q>[1-4]|iv|iii|ii|i)"
_YEAR = r"(?P<y>\d{4})"
# Applied to text that is NFC, lower case, with every space removed.
_PATTERNS = (
    re.compile(rf"^{_YEAR}[-/.]?q{_NUMBER}$"),  # 2024Q1, 2024-Q1
    re.compile(rf"^(?:q|quý){_NUMBER}(?:[-/.]|năm){_YEAR}$"),  # Q1/2024, quý I/2024, quý I năm 2024
)


class PeriodError(CchcError, ValueError):
    """A quarter, report period or period convention that cannot be understood."""


class ImplausibleYear(PeriodError):
    """A period whose year cannot be a report's (outside :data:`PLAUSIBLE_YEARS`)."""


#: Years a report period may name (issue 14: ``0000Q1`` and ``9999Q4`` are typos, not periods).
PLAUSIBLE_YEARS = range(2000, 2101)


def _plausible_year(text: str, year: str) -> int:
    if int(year) not in PLAUSIBLE_YEARS:
        raise ImplausibleYear(
            f"'{text}': year {year} is outside {PLAUSIBLE_YEARS.start}–{PLAUSIBLE_YEARS.stop - 1}"
        )
    return int(year)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. ``Quarter(2024, 1)``; ordered by year then quarter, hashable.

    Parameters
    ----------
    year
        Four-digit year.
    number
        1..4.
    """

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise PeriodError(f"quarter number must be 1 to 4, got {self.number}")

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        """Read a quarter from text.

        Accepts ``2024Q1``, ``2024-Q1``, ``Q1/2024``, ``Q1-2024``, ``quý I/2024``, ``Quý 1/2024``,
        ``quý I năm 2024``: case, spaces and Unicode normalisation (NFC/NFD) do not matter.
        A :class:`Quarter` is returned unchanged.

        Raises
        ------
        PeriodError
            For any other text, listing the accepted forms.
        """
        if isinstance(text, Quarter):
            return text
        if not isinstance(text, str):
            raise PeriodError(f"a quarter must be text such as 2024Q1, got {type(text).__name__}")
        key = re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).lower()
        for pattern in _PATTERNS:
            match = pattern.match(key)
            if match:
                number = match["q"]
                return cls(_plausible_year(text, match["y"]), _ROMAN.get(number) or int(number))
        raise PeriodError(
            f"'{text}' is not a quarter; write it as one of: {', '.join(ACCEPTED_FORMS)}"
        )

    @classmethod
    def of(cls, day, convention: str = "calendar") -> Quarter:
        """The quarter whose period under ``convention`` contains ``day``.

        Under ``nd09`` a day from the 15th on belongs to the next month's quarter, so
        2023-12-15 is in 2024Q1 and 2024-03-15 in 2024Q2.
        """
        _check_convention(convention)
        ts = pd.Timestamp(day)
        year, month = ts.year, ts.month
        if convention == "nd09" and ts.day >= 15:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return cls(year, (month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    def bounds(self, convention: str = "calendar") -> tuple[_dt.date, _dt.date]:
        """First and last day (inclusive) of the quarter's reporting period.

        Raises
        ------
        PeriodError
            If ``convention`` is not one of :data:`CONVENTIONS`.
        """
        _check_convention(convention)
        first_month = 3 * (self.number - 1) + 1
        last_month = first_month + 2
        if convention == "nd09":
            start_year, start_month = (
                (self.year - 1, 12) if first_month == 1 else (self.year, first_month - 1)
            )
            return _dt.date(start_year, start_month, 15), _dt.date(self.year, last_month, 14)
        last_day = _calendar.monthrange(self.year, last_month)[1]
        return _dt.date(self.year, first_month, 1), _dt.date(self.year, last_month, last_day)

    def shift(self, quarters: int) -> Quarter:
        """The quarter ``quarters`` later (earlier when negative)."""
        index = self.year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    def previous(self) -> Quarter:
        """The quarter before (2024Q1 -> 2023Q4)."""
        return self.shift(-1)

    def next(self) -> Quarter:
        """The quarter after (2024Q4 -> 2025Q1)."""
        return self.shift(1)

    def year_ago(self) -> Quarter:
        """The same quarter a year earlier (2024Q1 -> 2023Q1)."""
        return self.shift(-4)

    def label_vi(self) -> str:
        """Vietnamese label for titles and narrative: ``quý I năm 2024``."""
        return f"quý {_ROMAN_OUT[self.number]} năm {self.year}"

    def short_label_vi(self) -> str:
        """Compact Vietnamese label for chart axes: ``Quý I/2024``."""
        return f"Quý {_ROMAN_OUT[self.number]}/{self.year}"


def quarters_ending(quarter: Quarter | str, count: int) -> list[Quarter]:
    """The ``count`` quarters ending at ``quarter`` (inclusive), oldest first.

    ``quarters_ending("2024Q1", 3)`` → 2023Q3, 2023Q4, 2024Q1 (the trend of the last quarters).
    """
    if count < 1:
        raise PeriodError(f"count of quarters must be at least 1, got {count}")
    last = Quarter.parse(quarter)
    return [last.shift(k) for k in range(1 - count, 1)]


#: Report kinds: code -> (first month, last month). Q1..Q4 quarters, H1 six months, M9 nine
#: months, Y the year; the last three are cumulative from the start of the year.
KINDS = {
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
    "H1": (1, 6), "M9": (1, 9), "Y": (1, 12),
}  # fmt: skip
CUMULATIVE_KINDS = ("H1", "M9", "Y")
PERIOD_FORMS = (
    "2024Q1", "Q1/2024", "quý I năm 2024", "2024H1", "H1/2024", "6 tháng đầu năm 2024",
    "2024M9", "9 tháng năm 2024", "2024Y", "năm 2024",
)  # fmt: skip
_CUMULATIVE_LABELS = {"H1": "6 tháng đầu năm", "M9": "9 tháng năm", "Y": "năm"}
_CUMULATIVE_SHORT = {"H1": "6 tháng", "M9": "9 tháng", "Y": "Năm"}
_MONTHS_KIND = {"6": "H1", "sáu": "H1", "9": "M9", "chín": "M9"}
# Applied to text that is NFC, lower case, with every space removed (as _PATTERNS).
_CUMULATIVE_PATTERNS = (
    re.compile(rf"^{_YEAR}[-/.]?(?P<k>h1|m9|y)$"),  # 2024H1, 2024-M9, 2024Y
    re.compile(rf"^(?P<k>h1|m9)[-/.]{_YEAR}$"),  # H1/2024, M9-2024
    re.compile(rf"^(?P<m>6|9|sáu|chín)tháng(?:đầu)?(?:năm)?[-/.]?{_YEAR}$"),  # 6 tháng đầu năm 2024
    re.compile(rf"^(?:cả)?năm{_YEAR}$"),  # năm 2024, cả năm 2024
)


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """A reporting period of a periodic CCHC report: a quarter or a cumulative period.

    ``Period(2024, "H1")`` is "6 tháng đầu năm 2024". Hashable; ordered by the last month it
    covers, then the shorter first (2024Q2 < 2024H1 < 2024Q3 < 2024M9 < 2024Q4 < 2024Y).

    Parameters
    ----------
    year
        Four-digit year.
    kind
        One of :data:`KINDS`: ``Q1``..``Q4``, ``H1`` (6 tháng), ``M9`` (9 tháng), ``Y`` (năm).
    """

    year: int
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PeriodError(f"period kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    @classmethod
    def parse(cls, text: str | Period | Quarter) -> Period:
        """Read a report period from text, a :class:`Quarter` or a :class:`Period`.

        Accepts every quarter form of :meth:`Quarter.parse` and ``2024H1``, ``H1/2024``,
        ``6 tháng đầu năm 2024``, ``6 tháng năm 2024``, ``2024M9``, ``9 tháng năm 2024``,
        ``2024Y``, ``năm 2024``, ``cả năm 2024``: case, spaces and Unicode normalisation do
        not matter.

        Raises
        ------
        PeriodError
            For any other text, listing the accepted forms.
        """
        if isinstance(text, Period):
            return text
        if isinstance(text, Quarter):
            return cls(text.year, f"Q{text.number}")
        if not isinstance(text, str):
            raise PeriodError(f"a period must be text such as 2024Q1 or 2024H1, got {type(text).__name__}")
        key = re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).lower()
        for pattern in _CUMULATIVE_PATTERNS:
            match = pattern.match(key)
            if match:
                groups = match.groupdict()
                kind = (groups.get("k") or "").upper() or _MONTHS_KIND.get(groups.get("m") or "", "Y")
                return cls(_plausible_year(text, match["y"]), kind)
        try:
            return cls.parse(Quarter.parse(text))
        except ImplausibleYear:
            raise
        except PeriodError:
            raise PeriodError(
                f"'{text}' is not a report period; write it as one of: {', '.join(PERIOD_FORMS)}"
            ) from None

    def __str__(self) -> str:
        return f"{self.year}{self.kind}"

    def _key(self) -> tuple[int, int, int]:
        first, last = KINDS[self.kind]
        return (self.year, last, -first)

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    @property
    def is_cumulative(self) -> bool:
        """True for 6 tháng, 9 tháng and năm (counted from the start of the year)."""
        return self.kind in CUMULATIVE_KINDS

    @property
    def quarter(self) -> Quarter | None:
        """The :class:`Quarter` when the period is one, else None."""
        return None if self.is_cumulative else Quarter(self.year, int(self.kind[1]))

    def quarters(self) -> list[Quarter]:
        """The quarters the period spans, oldest first (2024H1 -> 2024Q1, 2024Q2)."""
        first, last = KINDS[self.kind]
        return [Quarter(self.year, n) for n in range((first - 1) // 3 + 1, last // 3 + 1)]

    def bounds(self, convention: str = "calendar") -> tuple[_dt.date, _dt.date]:
        """First and last day (inclusive) of the reporting period under ``convention``.

        The start of its first quarter to the end of its last one: under ``nd09`` 2024Y is
        2023-12-15..2024-12-14, under ``calendar`` 2024-01-01..2024-12-31.
        """
        spanned = self.quarters()
        return spanned[0].bounds(convention)[0], spanned[-1].bounds(convention)[1]

    def year_ago(self) -> Period:
        """The same period a year earlier (2024H1 -> 2023H1)."""
        return Period(self.year - 1, self.kind)

    def previous(self) -> Period:
        """The period a report compares with: the quarter before for a quarter (2024Q1 ->
        2023Q4), the same period a year earlier for a cumulative one (2024H1 -> 2023H1)."""
        if self.is_cumulative:
            return self.year_ago()
        return Period.parse(self.quarter.previous())

    def label_vi(self) -> str:
        """Vietnamese label for titles: ``quý I năm 2024``, ``6 tháng đầu năm 2024``,
        ``9 tháng năm 2024``, ``năm 2024``."""
        if self.is_cumulative:
            return f"{_CUMULATIVE_LABELS[self.kind]} {self.year}"
        return self.quarter.label_vi()

    def short_label_vi(self) -> str:
        """Compact label: ``Quý I/2024``, ``6 tháng/2024``, ``9 tháng/2024``, ``Năm 2024``."""
        if self.kind == "Y":
            return f"Năm {self.year}"
        if self.is_cumulative:
            return f"{_CUMULATIVE_SHORT[self.kind]}/{self.year}"
        return self.quarter.short_label_vi()


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise PeriodError(
            f"unknown period convention '{convention}'; use one of: {', '.join(CONVENTIONS)}"
        )
