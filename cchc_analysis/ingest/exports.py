"""One raw export file -> its data rows as text, with personal columns already dropped.

Lines around the data are told apart here, by position and shape (:func:`line_classes`): the
title lines above the header, blank lines, repeated header lines (an export pasted twice) and
footer lines (totals, "Hương Thủy, ngày ... tháng ... năm ...", signature blocks) are skipped
and counted. Every other line is a data row and is passed on, however broken, so that it ends
up clean, quarantined or merged — never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .headers import ID_FIELD, Header, header_key, load_header_aliases, recognised_header
from .readers import Sheet, read_sheets
from .text import ascii_keys, normalized, stripped_nfc

#: Start of a footer line (ASCII key of the row's first non-empty text).
FOOTER_START = (
    r"^(?:tong cong|tong so|cong(?: \d|$)|nguoi lap|nguoi ky|thu truong|lanh dao|ky ten"
    r"|ky ghi ro|ky va ghi ro|xac nhan|chu tich|pho chu tich|giam doc|pho giam doc"
    r"|truong phong|ghi chu|noi nhan|tm |kt |danh sach nay)"
)
#: Files up to this many kept cells are normalised as one stacked column.
_STACK_CELLS = 2_000_000


@dataclass
class Export:
    """The data rows of one worksheet of a raw export.

    Attributes
    ----------
    source_file
        Relative path under the raw folder (``"file.xlsx[Sheet2]"`` when a workbook holds more
        than one data sheet).
    kind, profile
        See :class:`cchc_analysis.ingest.headers.Header`.
    rows
        One ``str`` column per recognised canonical field, plus ``source_row`` (1-based row as a
        spreadsheet shows it).
    skipped_lines
        Title, blank, repeated-header and footer lines (the header itself is not counted).
    hidden_sheets
        Hidden worksheets of the file, skipped (noted on the file's first export only).
    """

    source_file: str
    kind: str
    profile: str
    rows: pd.DataFrame
    skipped_lines: int
    personal: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    hidden_sheets: list[str] = field(default_factory=list)


#: An id cell whose first letter or digit is an ASCII digit, after ASCII punctuation only: its
#: ASCII key starts with that digit, so it is not empty, not a footer word (they all start with
#: a letter) and not the header (unless the header's key starts with a digit).
_DIGIT_FIRST = r"^[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]*[0-9]"


def _stacked(cells: pd.DataFrame, columns: list) -> pd.Series:
    """The given columns of ``cells`` one after the other, as one ``str`` Series."""
    if not columns:
        return pd.Series([], dtype="str")
    return pd.concat([cells[c].astype("str") for c in columns], ignore_index=True)


def line_classes(cells: pd.DataFrame, header: Header) -> pd.Series:
    """Class of every line below the header: ``data``, ``blank``, ``header`` or ``footer``.

    Lines are told apart by position and shape, not by the words of an id: a line with a date
    in a date column is data whatever its id says ("Tổng cộng", "KT-15", or none: then it is
    quarantined for its missing id). An undated line is not data when it has no id (a total,
    a title, a signature), when its id is a footer word ("Tổng cộng: 2", "Cộng 1", "TM UBND"),
    or when it is sparse (under half the recognised columns filled) and comes after the last
    data line (a signature block); other undated lines with an id are data.

    Parameters
    ----------
    cells
        The grid rows below the header (all columns, text).
    header
        The recognised header of the grid.
    """
    id_col = next(c for c, f in header.columns.items() if f == ID_FIELD[header.kind])
    id_header = header_key(header.names[id_col])
    # An id starting with a digit (the usual dossier number) has an ASCII key that is no footer
    # word and not the header (unless the header's key starts with a digit): such a line is
    # data, and the checks below run on the other lines only (usually few).
    plain = (
        cells[id_col].str.contains(_DIGIT_FIRST, regex=True).fillna(False).to_numpy(dtype=bool)
        if not id_header[:1].isdigit()
        else np.zeros(len(cells), dtype=bool)
    )
    classes = _constant_text("data", cells.index)
    if not plain.all():
        last_plain = int(np.flatnonzero(plain)[-1]) if plain.any() else -1
        classes[~plain] = _classes_without_plain_ids(cells[~plain], header, id_col, id_header, np.flatnonzero(~plain), last_plain)
    return classes


def _constant_text(value: str, index: pd.Index) -> pd.Series:
    """``pd.Series(value, index=index, dtype="str")`` taken from one arrow string (a million
    Python references are not converted one by one)."""
    one = pa.array([value], type=pa.large_string())
    return pd.Series(pd.array(pc.take(one, np.zeros(len(index), dtype=np.int64)), dtype="str"), index=index)


#: Canonical fields holding dates: a line with one of them readable is data.
DATE_FIELDS = ("received_at", "due_at", "finished_at", "returned_at", "handled_at", "month")


def _classes_without_plain_ids(cells: pd.DataFrame, header: Header, id_col, id_header: str, positions: np.ndarray, last_plain: int) -> pd.Series:
    """:func:`line_classes` of the lines whose id cell does not start with a digit (at
    ``positions`` among all lines; ``last_plain`` is the position of the last such line, -1)."""
    from .values import parsed_datetimes

    few = cells.apply(lambda col: col.str.strip())  # column-wise, few lines
    kept = list(header.columns)
    id_key = ascii_keys(few[id_col])
    has_id = id_key.ne("")
    footer_id = id_key.str.contains(FOOTER_START, regex=True)
    filled_all = few.ne("").sum(axis=1)
    filled = few[kept].ne("").sum(axis=1)
    dense = filled.ge(max(3, (len(kept) + 1) // 2))
    date_cols = [c for c in kept if header.columns[c] in DATE_FIELDS]
    if date_cols:
        stamps = parsed_datetimes(_stacked(few, date_cols))[0].to_numpy().reshape(len(date_cols), -1)
        dated = pd.Series((~np.isnat(stamps)).any(axis=0), index=few.index)
    else:
        dated = pd.Series(False, index=few.index)
    # A repeated header line: at least half of the kept header cells (and 2) come back.
    keys = ascii_keys(_stacked(few, kept)).str.replace(" ", "").to_numpy(dtype=object).reshape(len(kept), -1)
    wanted = np.array([header_key(header.names[col]) for col in kept], dtype=object)[:, None]
    repeats = pd.Series((keys == wanted).sum(axis=0) if len(few) else 0, index=few.index)
    is_header = repeats.ge(max(2, (len(header.columns) + 1) // 2)) | (id_key.str.replace(" ", "").eq(id_header) & ~dated)
    strong = (dated | (has_id & ~footer_id & dense)) & ~is_header
    last_strong = int(positions[strong.to_numpy()][-1]) if strong.any() else -1
    tail = pd.Series(positions > max(last_plain, last_strong), index=few.index)
    data = strong | (has_id & ~footer_id & ~tail)
    classes = pd.Series("footer", index=cells.index, dtype="str")
    classes = classes.mask(data, "data").mask(is_header, "header").mask(filled_all.eq(0), "blank")
    return classes


def _sheet_export(sheet: Sheet, header: Header, source_file: str) -> Export:
    body = sheet.cells.iloc[header.row + header.rows :]
    classes = line_classes(body, header)
    is_data = classes.eq("data").to_numpy()
    data = body[list(header.columns)]
    if not is_data.all():  # (no copy of a million rows when every line is data)
        data = data[is_data]
    # Only the recognised columns leave this function: personal and unknown ones stop here.
    kept = list(header.columns)
    if len(data) * len(kept) <= _STACK_CELLS:
        # A small file: stripped and NFC-normalised in one pass over all kept columns (stacked),
        # per-call overheads paid once, not per column.
        flat = normalized(_stacked(data, kept).str.strip(), "NFC").array
        n = len(data)
        columns = {header.columns[col]: flat[i * n : (i + 1) * n] for i, col in enumerate(kept)}
    else:  # a large one column by column (no stacked copy of the whole table)
        columns = {header.columns[col]: stripped_nfc(data[col]).array for col in kept}
    rows = pd.DataFrame(
        {name: pd.Series(values, index=data.index, dtype="str") for name, values in columns.items()},
        index=data.index,
    )
    rows["source_row"] = pd.Series(data.index + 1, index=data.index, dtype="Int64")
    return Export(
        source_file=source_file,
        kind=header.kind,
        profile=header.profile,
        rows=rows.reset_index(drop=True),
        skipped_lines=header.row + int((~is_data).sum()),
        personal=header.personal,
        ignored=header.ignored,
        unrecognised=header.unrecognised,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
    )


def read_export(path: str | Path, source_file: str, aliases: dict | None = None) -> list[Export]:
    """Read one raw export: every sheet with a recognisable header.

    Parameters
    ----------
    path
        The file.
    source_file
        Its name as reported (relative to the raw folder).
    aliases
        Header aliases (default: :func:`load_header_aliases`).

    Raises
    ------
    InputError
        Empty or binary file, no sheet with a recognisable header (names the sheets seen),
        a duplicate header or a required column missing.
    """
    aliases = load_header_aliases() if aliases is None else aliases
    sheets = read_sheets(path)
    hidden = [s.name for s in sheets if s.hidden]  # skipped with a note, never read as data
    sheets = [s for s in sheets if not s.hidden] or sheets
    found = [(s, recognised_header(s.cells, aliases, path)) for s in sheets if not s.hidden]
    found = [(s, h) for s, h in found if h is not None]
    if not found:
        where = (
            "no sheet has a recognisable header (sheets: "
            + ", ".join(f"'{s.name}'" for s in sheets)
            + ")"
            if sheets[0].name
            else "no recognisable header"
        ) + (f"; hidden sheets not read: {', '.join(repr(h) for h in hidden)}" if hidden else "")
        raise InputError(
            path,
            f"{where}; expected a header row with columns such as 'Mã hồ sơ', 'Ngày tiếp nhận' "
            "(dossiers), 'Mã PAKN' (feedback) or 'Đơn vị', 'Tháng', 'Số văn bản đi' (e-documents)",
        )
    many = len(found) > 1
    exports = [
        _sheet_export(s, h, f"{source_file}[{s.name}]" if many else source_file) for s, h in found
    ]
    exports[0].hidden_sheets = hidden
    return exports
