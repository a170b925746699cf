"""Read a raw export into grids of text cells, whatever its format.

Every cell is read as text: ``"001"`` stays ``"001"``. Workbooks (.xlsx, .xls) are read with
python-calamine; the format is recognised from the file's first bytes, not its extension, so a
workbook saved as ``.csv`` still opens. Real Excel dates become ISO text
(``2024-01-15 08:30:00``) that :mod:`cchc_analysis.ingest.values` parses; whole numbers lose
the ``.0`` calamine gives them. Merged cells carry their value into every cell of the range,
so a unit name merged over several dossier rows belongs to each of them.

Text files: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern) or, when the bytes are not
valid UTF-8, the Vietnamese Windows code page cp1258. The delimiter (comma, semicolon, tab) is
the one that splits the most lines into the same number of fields.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from ..errors import InputError

_ZIP_MAGIC = b"PK\x03\x04"  # .xlsx (Office Open XML)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (BIFF in an OLE2 container)
DELIMITERS = (",", ";", "\t")
#: Lines looked at to detect the delimiter (title lines, header and the first data rows).
_SNIFF_LINES = 60


@dataclass(frozen=True)
class Sheet:
    """One grid of text cells: a worksheet, or the whole of a text file.

    Attributes
    ----------
    name
        Worksheet name ("" for a text file).
    cells
        ``str`` frame, columns ``0..n-1``, row ``i`` is spreadsheet row ``i + 1``; empty = "".
    encoding
        Encoding of a text file, "" for a workbook.
    delimiter
        Delimiter of a text file, "" for a workbook.
    """

    name: str
    cells: pd.DataFrame
    encoding: str = ""
    delimiter: str = ""


def file_format(data: bytes) -> str:
    """``"xlsx"``, ``"xls"`` or ``"text"`` from the first bytes of a file."""
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        return "xls"
    return "text"


def text_cells(rows: list[list[object]]) -> pd.DataFrame:
    """A ``str`` frame of ``rows`` (ragged lists of cell values), missing cells as ""."""
    width = max((len(r) for r in rows), default=0)
    # Title and footer lines are shorter than data rows: pad them (reader-level, C-speed lists).
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
    frame = frame.fillna("").astype("str")
    # calamine returns whole numbers as floats (1.0); a code typed as a number has no leading
    # zero left to save, but "1" must read as "1" for yes/no, counts and status codes.
    frame = pd.DataFrame(
        {c: frame[c].str.replace(r"^(-?[0-9]+)\.0$", r"\1", regex=True) for c in frame.columns}
    )
    frame.columns = range(frame.shape[1])
    return frame


def filled_merges(cells: pd.DataFrame, ranges: list | None) -> pd.DataFrame:
    """``cells`` with each merged range's top-left value copied into the whole range."""
    if not ranges:
        return cells
    values = cells.to_numpy(copy=True)
    for (r0, c0), (r1, c1) in ranges:  # one iteration per merged range, not per dossier
        if r0 < values.shape[0] and c0 < values.shape[1]:
            values[r0 : r1 + 1, c0 : c1 + 1] = values[r0, c0]
    return pd.DataFrame(values, columns=cells.columns).astype("str")


def workbook_sheets(path: Path) -> list[Sheet]:
    """Every worksheet of an .xlsx/.xls workbook as text grids.

    Raises
    ------
    InputError
        The file is not a readable workbook.
    """
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            cells = text_cells(sheet.to_python(skip_empty_area=False))
            sheets.append(Sheet(name, filled_merges(cells, sheet.merged_cell_ranges)))
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise InputError(path, f"not a readable spreadsheet ({type(exc).__name__}: {exc})") from None
    return sheets


def _looks_utf16(data: bytes) -> str | None:
    head = data[:2000]
    if len(head) < 4:
        return None
    even = head[0::2].count(0) / len(head[0::2])
    odd = head[1::2].count(0) / len(head[1::2])
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def decoded_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a text export; return ``(text, encoding)``.

    Raises
    ------
    InputError
        Binary content that is no text table.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = _looks_utf16(data) or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8" or b"\x00" in data:
            raise InputError(path, "binary content: not a spreadsheet or a text table") from None
        # Not UTF-8: the only other encoding Vietnamese exports use is Windows-1258. Its codec
        # decodes tone marks as combining characters, hence the NFC step downstream.
        encoding = "cp1258"
        text = data.decode(encoding, errors="replace")
    controls = sum(text.count(ch) for ch in map(chr, [*range(0, 9), *range(14, 32)]))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise InputError(path, "binary content: not a spreadsheet or a text table")
    return text, encoding


def detected_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into one common number of fields.

    A title line has no delimiter; the header and every data row have the same count, so the
    score of a delimiter is (lines sharing the most common non-zero count) x (that count).
    """
    lines = [line for line in text.splitlines()[:_SNIFF_LINES * 4] if line.strip()][:_SNIFF_LINES]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        counts = Counter(c for c in (line.count(delimiter) for line in lines) if c > 0)
        if counts:
            count, lines_with = counts.most_common(1)[0]
            if count * lines_with > best_score:
                best, best_score = delimiter, count * lines_with
    return best


def text_sheet(path: Path, data: bytes) -> Sheet:
    """A CSV/TSV export as one text grid (row ``i`` = record ``i + 1``)."""
    text, encoding = decoded_text(data, path)
    delimiter = detected_delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return Sheet("", text_cells(rows), encoding, delimiter)


def read_sheets(path: str | Path) -> list[Sheet]:
    """All grids of text cells in a raw export (one per worksheet; one for a text file).

    Raises
    ------
    InputError
        Empty file, binary junk, or a damaged workbook.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(path, "empty file: no header and no rows")
    kind = file_format(data)
    sheets = workbook_sheets(path) if kind != "text" else [text_sheet(path, data)]
    if all(np.all(s.cells.to_numpy() == "") for s in sheets):
        raise InputError(path, "empty file: no header and no rows")
    return sheets
