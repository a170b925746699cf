"""Reporting quarters and their two period conventions (DESIGN §6).

``calendar`` (default; the national portal's index): 2024Q1 = 2024-01-01..2024-03-31.
``nd09`` (reporting cut-off of Nghị định 09/2019/NĐ-CP): from the 15th of the month before the
quarter to the 14th of its last month; 2024Q1 = 2023-12-15..2024-03-14.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from .errors import CchcError

__all__ = ["CONVENTIONS", "PeriodError", "Quarter", "quarters_ending"]

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
    """A quarter or period convention that cannot be understood."""


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
                return cls(int(match["y"]), _ROMAN.get(number) or int(number))
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


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise PeriodError(
            f"unknown period convention '{convention}'; use one of: {', '.join(CONVENTIONS)}"
        )
