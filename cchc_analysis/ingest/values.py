"""Parse the value forms of DESIGN §4, one vectorised function per kind of value.

Every parser takes a ``str`` Series (empty cells as "" or missing) and returns the typed
values plus a boolean ``bad`` mask of non-empty cells it could not read, so the caller can
quarantine those rows with the offending value in the message.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .text import ascii_keys

#: Text date forms, tried in turn on the still-unparsed cells. Day first, as Vietnamese
#: exports write them; ISO forms come from real Excel dates read as text.
DATE_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y",
)
#: Excel serial day numbers accepted as dates: 1954-10-03 .. 2119-01-10. A bare number outside
#: this range is no plausible date of a dossier and is reported as unparseable.
SERIAL_RANGE = (20000.0, 80000.0)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_TRUE = ("co", "x", "1", "true", "yes", "y", "da co", "da", "v", "co phi")
_FALSE = ("", "khong", "0", "false", "no", "n", "chua", "khong co", "k")
#: Yes/no words -> value. A blank cell reads as "no" here (the "x/blank" convention of the list
#: screens); ingest.tables makes it unknown in a file whose column spells "no" out.
BOOLEANS: dict[str, bool] = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}

#: Status wordings (ASCII keys) -> national status code 1..10 (DESIGN §4).
STATUS_WORDS: dict[str, int] = {
    **{str(code): code for code in range(1, 11)},
    **{f"0{code}": code for code in range(1, 10)},
    "moi dang ky": 1, "moi": 1, "cho tiep nhan": 1, "da dang ky": 1, "moi nop": 1,
    "da tiep nhan": 2, "duoc tiep nhan": 2, "tiep nhan": 2, "moi tiep nhan": 2,
    "khong duoc tiep nhan": 3, "tu choi": 3, "tu choi tiep nhan": 3, "khong tiep nhan": 3,
    "dang xu ly": 4, "dang giai quyet": 4, "cho xu ly": 4, "dang thu ly": 4,
    "yeu cau bo sung": 5, "cho bo sung": 5, "bo sung ho so": 5, "dang bo sung": 5,
    "yeu cau bo sung ho so": 5,
    "cho thuc hien nghia vu tai chinh": 6, "yeu cau thuc hien nghia vu tai chinh": 6,
    "nghia vu tai chinh": 6, "cho nghia vu tai chinh": 6,
    "cong dan yeu cau rut ho so": 7, "rut ho so": 7, "da rut ho so": 7,
    "yeu cau rut ho so": 7, "cong dan rut ho so": 7,
    "dung xu ly": 8, "da dung xu ly": 8,
    "da xu ly xong": 9, "xu ly xong": 9, "da giai quyet": 9, "da co ket qua": 9,
    "co ket qua": 9, "hoan thanh": 9, "da hoan thanh": 9, "cho tra ket qua": 9,
    "da tra ket qua": 10, "tra ket qua": 10, "da tra": 10, "da tra kq": 10,
}
#: Order of "most advanced" statuses for merging duplicates: returned > finished > stopped >
#: withdrawn > financial obligation > supplement > processing > received > new > not accepted.
STATUS_RANK: dict[int, int] = {s: r for r, s in enumerate((3, 1, 2, 4, 5, 6, 7, 8, 9, 10))}

CHANNEL_WORDS: dict[str, str] = {
    "1": "truc_tiep", "truc tiep": "truc_tiep", "nop truc tiep": "truc_tiep",
    "tai quay": "truc_tiep", "tai bo phan mot cua": "truc_tiep",
    "2": "truc_tuyen", "truc tuyen": "truc_tuyen", "nop truc tuyen": "truc_tuyen",
    "qua mang": "truc_tuyen", "online": "truc_tuyen", "dich vu cong truc tuyen": "truc_tuyen",
    "dvc truc tuyen": "truc_tuyen", "dvctt": "truc_tuyen",
    "3": "buu_chinh", "buu chinh cong ich": "buu_chinh", "qua buu chinh": "buu_chinh",
    "buu chinh": "buu_chinh", "bcci": "buu_chinh", "qua buu chinh cong ich": "buu_chinh",
    "buu dien": "buu_chinh", "qua buu dien": "buu_chinh",
}
#: "Mức độ" of the export -> online level; used only when the catalogue lacks the procedure.
ONLINE_LEVEL_WORDS: dict[str, str] = {
    "4": "toan_trinh", "muc do 4": "toan_trinh", "toan trinh": "toan_trinh",
    "dvc toan trinh": "toan_trinh", "truc tuyen toan trinh": "toan_trinh",
    "3": "mot_phan", "muc do 3": "mot_phan", "mot phan": "mot_phan",
    "dvc mot phan": "mot_phan", "truc tuyen mot phan": "mot_phan",
    "2": "khong", "1": "khong", "muc do 2": "khong", "muc do 1": "khong", "khong": "khong",
}
PAKN_STATUS_WORDS: dict[str, str] = {
    "da xu ly": "da_xu_ly", "da giai quyet": "da_xu_ly", "da tra loi": "da_xu_ly",
    "hoan thanh": "da_xu_ly", "da hoan thanh": "da_xu_ly", "da xu ly xong": "da_xu_ly",
    "dang xu ly": "dang_xu_ly", "chua xu ly": "dang_xu_ly", "cho xu ly": "dang_xu_ly",
    "moi": "dang_xu_ly", "moi tiep nhan": "dang_xu_ly", "da tiep nhan": "dang_xu_ly",
    "dang giai quyet": "dang_xu_ly",
}
CLASSIFICATION_WORDS: dict[str, str] = {
    "quy dinh hanh chinh": "quy_dinh_hanh_chinh", "ve quy dinh hanh chinh": "quy_dinh_hanh_chinh",
    "qdhc": "quy_dinh_hanh_chinh", "quy dinh tthc": "quy_dinh_hanh_chinh",
    "quy dinh thu tuc hanh chinh": "quy_dinh_hanh_chinh",
    "hanh vi hanh chinh": "hanh_vi_cbcc", "hanh vi cbcc": "hanh_vi_cbcc",
    "hanh vi cua can bo cong chuc": "hanh_vi_cbcc", "hanh vi can bo cong chuc": "hanh_vi_cbcc",
    "ve hanh vi hanh chinh": "hanh_vi_cbcc", "hvhc": "hanh_vi_cbcc",
    "hanh vi hanh chinh cua cbcc": "hanh_vi_cbcc", "hanh vi hanh chinh cua can bo cong chuc": "hanh_vi_cbcc",
}


def _blank(values: pd.Series) -> pd.Series:
    return values.fillna("").astype("str").str.strip().eq("")


#: Characters of a "plain" date cell: digits and the separators of :data:`DATE_FORMATS`. Only
#: plain cells are routed by their separators; any other cell tries every format, as it would.
_PLAIN_DATE = r"^[0-9 /:.T-]+$"
#: Dropped from a cell (and a format) to get its separator skeleton: digits, spaces, "T" and a
#: leading minus (pandas' ISO parser reads "-2024-01-15" as a negative year).
_SKELETON_DROP = r"^-|[0-9 T]"


def _format_skeleton(fmt: str) -> str:
    return re.sub(r"[0-9\sT]", "", re.sub(r"%[A-Za-z]", "", fmt))


def _parsed_distinct(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`parsed_datetimes` of distinct, stripped, non-empty cells.

    Each format is tried, in order, on the still-unparsed cells whose separators could match it
    (``15/01/2024 08:30`` is not tried as ``%Y-%m-%d``): no directive of the formats matches a
    ``/ : - .`` character, so a plain cell whose separators differ from a format's literal ones
    cannot parse with it. The result is the one of trying every format on every cell.
    """
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = pd.Series(True, index=text.index)
    plain = text.str.contains(_PLAIN_DATE, regex=True)
    skeleton = text.str.replace(_SKELETON_DROP, "", regex=True).where(plain)
    for fmt in DATE_FORMATS:
        candidates = todo & (~plain | skeleton.eq(_format_skeleton(fmt)))
        if not candidates.any():
            continue
        parsed = pd.to_datetime(text[candidates], format=fmt, errors="coerce")
        hit = parsed.notna()
        out.loc[hit[hit].index] = parsed[hit].astype("datetime64[us]")
        todo.loc[hit[hit].index] = False
    if todo.any():
        # Excel serial day numbers (a date cell formatted as a number, or exported as such).
        number = pd.to_numeric(text[todo].str.replace(",", ".", regex=False), errors="coerce")
        serial = number.between(*SERIAL_RANGE)
        days = pd.to_timedelta(number[serial], unit="D").dt.round("s")
        out.loc[serial[serial].index] = (_EXCEL_EPOCH + days).astype("datetime64[us]")
        todo.loc[serial[serial].index] = False
    return out, todo


def parsed_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Timestamps from any accepted date form.

    Parsed once per distinct cell (timestamps repeat: minutes, or whole days).

    Returns
    -------
    (pandas.Series, pandas.Series)
        ``datetime64[us]`` values (NaT when empty or unreadable) and the ``bad`` mask
        (non-empty but unreadable).
    """
    # Distinct raw cells first (a missing cell is one of them), stripped and parsed once each;
    # two cells equal once stripped are parsed twice, which gives the same answer.
    codes, uniques = pd.factorize(values.astype("str"), use_na_sentinel=False)
    uniques = pd.Series(uniques, dtype="str").fillna("").str.strip()
    filled = uniques.ne("")
    parsed, bad = _parsed_distinct(uniques[filled].reset_index(drop=True))
    stamps = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[us]")
    stamps[filled.to_numpy()] = parsed.to_numpy()
    unreadable = np.zeros(len(uniques), dtype=bool)
    unreadable[filled.to_numpy()] = bad.to_numpy()
    return (
        pd.Series(stamps[codes], index=values.index, dtype="datetime64[us]"),
        pd.Series(unreadable[codes], index=values.index, dtype=bool),
    )


def mapped_words(values: pd.Series, words: dict) -> tuple[pd.Series, pd.Series]:
    """Values looked up by their ASCII key; ``bad`` marks non-empty cells not in ``words``."""
    # Once per distinct cell (a missing cell is one of them), then spread back to the rows.
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    uniques = pd.Series(uniques, dtype=values.dtype if len(uniques) else "str")
    out = ascii_keys(uniques).map(words)
    # A cell of punctuation only ("???", "-") has an empty key: it is blank only if blank is a
    # word of its own (yes/no), otherwise unreadable.
    bad = out.isna() & ~_blank(uniques)
    return (
        pd.Series(out.array.take(codes), index=values.index, dtype=out.dtype),
        pd.Series(bad.to_numpy(dtype=bool)[codes], index=values.index, dtype=bool),
    )


def parsed_booleans(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yes/no (Có/Không, x/blank, 1/0, True/False) -> nullable boolean; blank = False."""
    out, bad = mapped_words(values, BOOLEANS)
    out = out.where(~bad, None)
    return out.astype("boolean"), bad


def parsed_statuses(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Status wording or code -> national code (``Int8``); blank stays missing."""
    out, bad = mapped_words(values, STATUS_WORDS)
    return out.astype("Int8"), bad


def parsed_channels(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Channel text or code 1/2/3 -> ``truc_tiep | truc_tuyen | buu_chinh``; blank missing."""
    out, bad = mapped_words(values, CHANNEL_WORDS)
    return out.astype("str"), bad


def parsed_counts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole non-negative numbers ("1.234" and "1,234" thousands separators allowed); blank = 0."""
    codes, uniques = pd.factorize(values.fillna("").astype("str"))
    number, bad = _counts_distinct(pd.Series(uniques, dtype="str"))
    return (
        pd.Series(number.to_numpy()[codes], index=values.index, dtype="Int64"),
        pd.Series(bad.to_numpy()[codes], index=values.index, dtype=bool),
    )


def _counts_distinct(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = values.str.strip()
    digits = text.str.replace(r"(?<=\d)[.,](?=\d{3}(\D|$))", "", regex=True)
    number = pd.to_numeric(digits.where(digits.ne(""), "0"), errors="coerce")
    bad = number.isna() | (number < 0) | (number % 1 != 0)
    return number.where(~bad).astype("Int64"), bad


def parsed_months(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Month of a report -> its first day: "01/2024", "1-2024", "Tháng 1/2024", "T01/2024",
    "2024-01", or any accepted date form (then its month)."""
    text = values.fillna("").astype("str").str.strip()
    key = ascii_keys(text)
    parts = key.str.extract(r"^(?:thang |t)?(\d{1,2}) (\d{4})$")
    iso = key.str.extract(r"^(\d{4}) (\d{1,2})$")
    month = parts[0].fillna(iso[1])
    year = parts[1].fillna(iso[0])
    stamp = pd.to_datetime(year + "-" + month + "-01", format="%Y-%m-%d", errors="coerce")
    todo = stamp.isna() & text.ne("")
    dates, bad = parsed_datetimes(text.where(todo, ""))
    stamp = stamp.astype("datetime64[us]").fillna(dates.dt.to_period("M").dt.start_time)
    return stamp.astype("datetime64[us]"), bad & todo
