"""Errors the suite reports to a user: one clear line, never a deep pandas traceback."""

from __future__ import annotations

from pathlib import Path


class CchcError(Exception):
    """Base class of every error meant for the user (the CLI prints it and exits 2)."""


class InputError(CchcError):
    """A raw file or value that cannot be used.

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
        self.message = message
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


#: Exit codes of the ``cchc`` command (documented in ``cchc --help`` and the README).
EXIT_OK = 0
#: The input data is missing or unusable (:class:`InputError`, :class:`ConfigError`), or a notebook failed.
EXIT_INPUT = 1
#: Wrong usage: unknown option, bad --quarter or --period value, unknown unit code.
EXIT_USAGE = 2
#: Interrupted with Ctrl+C (128 + SIGINT); partial results are discarded.
EXIT_INTERRUPTED = 130
