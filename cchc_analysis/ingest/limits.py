"""Limits on what a raw file may hold (issue 14): no cell over :data:`config.MAX_CELL_CHARS`
characters, no file that is UTF-8 except for some lines."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from .. import config
from ..errors import InputError

_UTF8_MULTIBYTE = re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]")
_UNDECODABLE = re.compile("[\udc80-\udcff]+")


def refuse_mixed_encoding(data: bytes, path: Path) -> None:
    """Refuse a file that is UTF-8 except for some lines (one line pasted from a Windows-1258
    file): decoding the whole of it as Windows-1258 would garble every other line. The
    encoding is decided on the whole content: a file is mixed when its valid multi-byte UTF-8
    characters outnumber its undecodable byte runs (a real Windows-1258 file forms valid UTF-8
    only by accident).

    Raises
    ------
    InputError
        Naming the lines that do not decode as UTF-8.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    if _UTF8_MULTIBYTE.subn("", text)[1] <= _UNDECODABLE.subn("", text)[1]:  # (counts only)
        return
    # Mixed: the lines of the undecodable runs (counted in lines of the decoded text).
    line_starts = np.cumsum([0, *(len(line) for line in text.splitlines(keepends=True))])
    bad = [m.start() for m in _UNDECODABLE.finditer(text)]
    lines = sorted({int(np.searchsorted(line_starts, b, side="right")) for b in bad})
    shown = ", ".join(map(str, lines[:10])) + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
    raise InputError(
        path,
        f"encoding: the file is UTF-8 except line{'s' if len(lines) > 1 else ''} {shown}, which do "
        "not decode (Windows-1258 pasted in?); save the whole file again as UTF-8",
    )


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_cell_sizes(cells: pd.DataFrame, path: Path) -> None:
    """Refuse a grid with a cell longer than :data:`config.MAX_CELL_CHARS` (row and column named).

    Raises
    ------
    InputError
        The first such cell.
    """
    for j in cells.columns:  # one pass per column, at C speed
        lengths = pa.compute.utf8_length(pa.array(cells[j].array))
        longest = pa.compute.max(lengths).as_py()
        if longest is not None and longest > config.MAX_CELL_CHARS:
            row = int(np.flatnonzero(lengths.to_numpy(zero_copy_only=False) > config.MAX_CELL_CHARS)[0]) + 1
            raise InputError(
                path, f"cell longer than {config.MAX_CELL_CHARS:,} characters ({longest:,}): not an export cell",
                row=row, column=column_letter(int(j)),
            )
