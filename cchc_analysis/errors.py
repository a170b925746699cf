"""Errors the suite reports to a user: one clear line, never a deep pandas traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: `cchc` catches Ctrl+C only once this is loaded
    import pandas as pd

#: Exit codes of the ``cchc`` command (documented in ``cchc --help`` and the README).
EXIT_OK = 0
#: The input data is missing or unusable (:class:`InputError`, :class:`ConfigError`), or a notebook failed.
EXIT_INPUT = 1
#: Wrong usage: unknown option, bad --quarter or --period value, unknown unit code, folders
#: that cannot be used as given.
EXIT_USAGE = 2
#: Interrupted with Ctrl+C (128 + SIGINT); partial results are discarded.
EXIT_INTERRUPTED = 130

#: Values that look like personal data: a Vietnamese phone number (0 or +84 then 8-10 digits,
#: maybe grouped by spaces, dots or dashes), an ID card number (9 or 12 digits in one run) or
#: an e-mail address.
PERSONAL_VALUE = re.compile(
    r"(?<![0-9])(?:\+?84|0)[0-9]{2,3}[ .-]?[0-9]{3}[ .-]?[0-9]{3,4}(?![0-9])"
    r"|(?<![0-9])(?:[0-9]{9}|[0-9]{12})(?![0-9])"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+"
)
#: What a message shows instead of a value that looks personal (the whole cell is withheld:
#: a phone number usually comes with a name).
WITHHELD = "(value withheld: looks like a phone, ID number or e-mail)"


def redacted(values: pd.Series | str) -> pd.Series | str:
    """Cell text as a message may show it: the whole cell replaced by :data:`WITHHELD` when
    any part of it looks like a phone number, an ID number or an e-mail address.

    The one redaction rule of every quarantine and error message (vectorised on a Series).
    """
    if isinstance(values, str):
        return WITHHELD if PERSONAL_VALUE.search(values) else values
    text = values.fillna("").astype("str")
    return text.mask(text.str.contains(PERSONAL_VALUE, regex=True), WITHHELD)


class CchcError(Exception):
    """Base class of every error meant for the user (the CLI prints it on one line)."""

    exit_code = EXIT_USAGE


class InputError(CchcError):
    """A raw file or value that cannot be used (exit code 1).

    Parameters
    ----------
    file
        The input file (its name is shown, not the machine's absolute path).
    message
        What is wrong and what was expected.
    row
        1-based row number in the file as a spreadsheet shows it, when known.
    column
        The column header as written in the file, when known.
    """

    exit_code = EXIT_INPUT

    def __init__(
        self,
        file: str | Path | None,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = Path(file).name if file is not None else None
        self.row = row
        self.column = column
        # One line, with any part that looks like a phone, ID number or e-mail withheld.
        self.message = message = " ".join(PERSONAL_VALUE.sub("<withheld>", str(message)).split())
        where = []
        if self.file:
            where.append(self.file)
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ConfigError(CchcError):
    """A reference or settings file (units, catalogue, targets, aliases) is invalid."""


class UsageError(CchcError):
    """Options or folders that cannot be used as given (exit code 2): ``--processed`` inside
    ``--raw``, a file where a folder is expected, a folder another run holds."""

    exit_code = EXIT_USAGE


def exit_code_for(exc: CchcError) -> int:
    """The exit code of ``cchc`` for an error: 1 for data the suite cannot use, 2 for a wrong command.

    An error that carries its own code (``exit_code``, e.g. ``UsageError``) keeps it.
    """
    if isinstance(exc, (InputError, ConfigError)):
        return EXIT_INPUT
    return getattr(exc, "exit_code", EXIT_USAGE)


def error_line(command: str, exc: BaseException) -> str:
    """The one line a ``cchc`` command prints for an error it cannot get past."""
    return f"cchc {command}: lỗi: {exc}"


def interrupted_line(command: str) -> str:
    """The one line a ``cchc`` command prints when Ctrl+C stops it."""
    return (f"cchc {command}: đã dừng theo yêu cầu (Ctrl+C); kết quả dở dang bị bỏ, "
            "kết quả trước đó giữ nguyên.")
