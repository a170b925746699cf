"""Serialise :class:`~.render.RawFile` objects byte-for-byte reproducibly (.xlsx, .xls, .csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from .render import RawFile

#: Fixed document date: re-running the generator must not change the committed files.
DOC_DATE = dt.datetime(2026, 10, 1, 8, 0, 0)


def _empty(v) -> bool:
    """Missing cell: ``None``, ``NaN`` or ``NaT`` (pandas may turn ``None`` into either)."""
    return v is None or v is pd.NaT or (isinstance(v, float) and v != v)


def write_xlsx(raw: RawFile, path: Path) -> None:
    """Write ``raw`` as an .xlsx workbook with fixed document properties."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_numbers": False,
                                         "strings_to_formulas": False})
    wb.set_properties({"title": raw.name, "author": "Một cửa điện tử", "created": DOC_DATE})
    ws = wb.add_worksheet("DanhSach")
    date_fmt = wb.add_format({"num_format": raw.date_format})
    bold = wb.add_format({"bold": True, "align": "center"})
    width = max(len(line) for line in raw.lines)
    for r, line in enumerate(raw.lines):
        if raw.merge_title and r < raw.header_row - 2 and len(line) == 1:
            ws.merge_range(r, 0, r, max(width - 1, 1), line[0], bold)
            continue
        for c, v in enumerate(line):
            if _empty(v):
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, (pd.Timestamp, dt.datetime)):
                ws.write_datetime(r, c, pd.Timestamp(v).to_pydatetime(), date_fmt)
            else:
                ws.write_number(r, c, float(v) if not isinstance(v, int) else v)
    wb.close()


def write_xls(raw: RawFile, path: Path) -> None:
    """Write ``raw`` as a legacy .xls (BIFF8) workbook, as older one-stop systems export."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("DanhSach")
    date_style = xlwt.easyxf(num_format_str=raw.date_format)
    bold = xlwt.easyxf("font: bold on; align: horiz center")
    width = max(len(line) for line in raw.lines)
    for r, line in enumerate(raw.lines):
        if raw.merge_title and r < raw.header_row - 2 and len(line) == 1:
            ws.write_merge(r, r, 0, max(width - 1, 1), line[0], bold)
            continue
        for c, v in enumerate(line):
            if _empty(v):
                continue
            if isinstance(v, (pd.Timestamp, dt.datetime)):
                ws.write(r, c, pd.Timestamp(v).to_pydatetime(), date_style)
            else:
                ws.write(r, c, v)
    wb.save(str(path))


def csv_bytes(raw: RawFile) -> bytes:
    """The CSV text of ``raw`` in its encoding (CRLF line ends, as Windows tools write)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=raw.delimiter, lineterminator="\r\n")
    for line in raw.lines:
        writer.writerow(["" if _empty(v) else v for v in line])
    text = buf.getvalue()
    if raw.encoding == "utf-16":
        # Explicit little-endian with BOM: identical bytes on every machine.
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(raw.encoding)


def write_file(raw: RawFile, path: Path) -> None:
    """Write ``raw`` to ``path`` in its format."""
    if raw.fmt == "xlsx":
        write_xlsx(raw, path)
    elif raw.fmt == "xls":
        write_xls(raw, path)
    else:
        path.write_bytes(csv_bytes(raw))
