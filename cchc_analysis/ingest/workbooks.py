"""Look inside a workbook before reading it: used range, Excel error cells, hidden sheets, and
HTML-table "workbooks" (issue 14).

python-calamine builds a worksheet as a dense grid from A1 to its last cell, so one stray cell
at XFD1048576 would allocate 17 billion cells. The cells of an .xlsx worksheet are therefore
scanned first, streaming its XML (no grid): a used range beyond the limits of
:mod:`cchc_analysis.config` is refused with one line naming the file and sheet. The same pass
notes the error cells (``t="e"``: ``#N/A``, ``#DIV/0!``), which calamine reads as blank.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import InputError

#: Texts of Excel error values; a cell holding one (in a workbook or a CSV saved by Excel) is
#: quarantined with reason ``excel_error``, never read as blank.
EXCEL_ERRORS = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")
_CELL = re.compile(rb"<c\b([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_COLUMN = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})[0-9]')
_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_CHUNK = 1 << 22


@dataclass
class SheetScan:
    """What the scan of one worksheet found: last row and column used (1-based), cells present,
    and the error cells as ``(row, column) -> text`` (0-based)."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


def column_number(letters: bytes) -> int:
    """1-based number of a column's letters (A -> 1, XFD -> 16384)."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> part path inside an .xlsx zip."""
    workbook = book.read("xl/workbook.xml")
    rels = book.read("xl/_rels/workbook.xml.rels")
    targets = {
        m.group(1).decode(): m.group(2).decode()
        for m in re.finditer(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update({
        m.group(2).decode(): m.group(1).decode()
        for m in re.finditer(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
    })
    parts = {}
    for m in re.finditer(rb"<sheet\b[^>]*>", workbook):
        name = re.search(rb'\bname="([^"]*)"', m.group(0))
        rid = re.search(rb'\br:id="([^"]*)"', m.group(0))
        if name and rid and rid.group(1).decode() in targets:
            target = targets[rid.group(1).decode()].lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            parts[_xml_text(name.group(1))] = part
    return parts


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    for entity, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, ch)
    return text


def scan_sheet(stream) -> SheetScan:
    """Used range, cell count and error cells of one worksheet's XML, read in chunks."""
    scan = SheetScan()
    tail = b""
    while True:
        chunk = stream.read(_CHUNK)
        data = tail + chunk
        # Keep an unfinished tag for the next chunk (a cell's tag and value are short).
        cut = data.rfind(b"<c ") if chunk else len(data)
        cut = len(data) if cut < 0 else cut
        body, tail = data[:cut], data[cut:]
        # Column letters of every cell (a few distinct ones) and row numbers of every row tag
        # and cell, found by C-speed regex scans; no Python work per cell.
        letters = _COLUMN.findall(body)
        scan.cells += len(letters)
        scan.columns = max([scan.columns, *map(column_number, set(letters))])
        scan.rows = max([scan.rows, *map(int, set(_ROW.findall(body)))])
        if b't="e"' in body:  # (rare: error cells)
            for m in _CELL.finditer(body):
                if b't="e"' in m.group(1):
                    ref = _REF.search(m.group(1))
                    end = body.find(b"</c>", m.end())
                    value = _VALUE.search(body, m.end(), end if end >= 0 else len(body))
                    if ref:
                        text = _xml_text(value.group(1)) if value else "#N/A"
                        scan.errors[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = text
        if not chunk:
            return scan


def checked_xlsx(path: Path, data: bytes) -> dict[str, SheetScan]:
    """Scan every worksheet of an .xlsx held in ``data``; refuse absurd used ranges.

    Raises
    ------
    InputError
        A worksheet uses more columns than :data:`config.MAX_SHEET_COLUMNS`, or a range of more
        than :data:`config.MAX_SHEET_CELLS` cells that its cells fill less than a tenth of (a
        stray cell far beyond the data); or the zip is damaged.
    """
    import io

    scans = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for name, part in _sheet_parts(book).items():
                if part not in book.namelist():
                    continue
                with book.open(part) as stream:
                    scan = scan_sheet(stream)
                area = scan.rows * scan.columns
                if scan.columns > config.MAX_SHEET_COLUMNS or (
                    area > config.MAX_SHEET_CELLS and scan.cells * 10 < area
                ):
                    raise InputError(
                        path,
                        f"sheet '{name}' uses rows 1-{scan.rows:,} and columns 1-{scan.columns:,} "
                        f"for {scan.cells:,} cells: a stray cell far beyond the data? Delete the "
                        "empty rows and columns after the table and save again",
                    )
                scans[name] = scan
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable spreadsheet ({type(exc).__name__}: {exc})") from None
    return scans


def with_errors(cells: pd.DataFrame, errors: dict[tuple[int, int], str]) -> pd.DataFrame:
    """``cells`` with the text of each error cell put back (calamine reads them as blank)."""
    if not errors:
        return cells
    values = cells.to_numpy(copy=True)
    for (r, c), text in errors.items():  # one iteration per error cell (few)
        if r < values.shape[0] and c < values.shape[1]:
            values[r, c] = text
    return pd.DataFrame(values, columns=cells.columns).astype("str")


def looks_html(data: bytes) -> bool:
    """An HTML document holding a table (the ".xls" many portals export): its first non-blank
    byte is ``<`` and a ``<table`` tag comes in its first megabyte."""
    head = data[:1 << 20].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<table" in head.lower()


def html_tables(text: str) -> list[list[list[str]]]:
    """The tables of an HTML document as rows of cell texts (a ``colspan`` repeats the cell,
    as a merged cell is read), parsed with BeautifulSoup and Python's own HTML parser."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    tables = []
    for table in soup.find_all("table"):
        rows = []
        for tr in table.find_all("tr"):
            row = []
            for cell in tr.find_all(["td", "th"]):
                value = cell.get_text(" ", strip=True)
                span = cell.get("colspan", "1")
                row.extend([value] * (int(span) if str(span).isdigit() and 0 < int(span) <= 100 else 1))
            rows.append(row)
        if rows:
            tables.append(rows)
    return tables
