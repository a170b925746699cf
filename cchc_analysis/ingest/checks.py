"""Row checks added for hostile exports (issue 14), used by :mod:`.tables`: Excel error cells,
ids Excel turned into numbers, dates outside the plausible window of reference data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import yaml

from .. import config
from ..errors import ConfigError
from .workbooks import EXCEL_ERRORS

#: Vietnamese labels of the canonical fields, used in quarantine messages.
FIELD_LABELS = {
    "received_at": "Ngày tiếp nhận",
    "due_at": "Ngày hẹn trả",
    "finished_at": "Ngày có kết quả",
    "returned_at": "Ngày trả kết quả",
    "handled_at": "Ngày xử lý",
    "month": "Tháng",
    "status": "Trạng thái",
    "channel": "Hình thức nộp",
    "supplement_count": "Số lần bổ sung",
    "digitised_input": "Số hóa hồ sơ",
    "digitised_result": "Số hóa kết quả",
    "reused_data": "Tái sử dụng dữ liệu",
    "has_fee": "Có phí",
    "paid_online": "Thanh toán trực tuyến",
    "apology_issued": "Phiếu xin lỗi",
    "classification": "Phân loại",
    "documents_sent": "Số văn bản đi",
    "documents_electronic": "Văn bản điện tử",
    "documents_secret": "Văn bản mật",
}
#: An id that a spreadsheet turned into a number with an exponent (1.234567890123457E+16,
#: 1.23E+15): its digits are lost, so distinct dossiers would look like duplicates.
ID_AS_NUMBER = r"^[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+$"
ID_AS_NUMBER_MESSAGE = (
    "mã hồ sơ bị Excel đổi thành số: the {label} was stored as a number with an exponent and has "
    "lost digits; export the id column as text"
)

def plausible_window(today: dt.date | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last plausible day of a date in the exports (``plausible_dates.yaml``:
    ``earliest``, default 2015-01-01, and today + ``years_after_today``, default 1).

    Raises
    ------
    ConfigError
        The file is not a mapping with a date and a whole number of years.
    """
    path = config.reference_path(config.PLAUSIBLE_DATES_FILE)
    settings = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    try:
        earliest = pd.Timestamp(settings.get("earliest", "2015-01-01"))
        years = int(settings.get("years_after_today", 1))
    except (AttributeError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path.name}: expected 'earliest: yyyy-mm-dd' and 'years_after_today: <whole number>' ({exc})") from None
    latest = pd.Timestamp(today or dt.date.today()) + pd.DateOffset(years=years)
    return earliest, latest


def implausible_check(name: str, stamps: pd.Series, window) -> tuple:
    """``implausible_date`` check of one parsed date column (outside ``window``)."""
    earliest, latest = window
    outside = (stamps < earliest) | (stamps >= latest + pd.Timedelta(days=1))
    span = f"{earliest:%d/%m/%Y}-{latest:%d/%m/%Y}"
    message = lambda at: (  # noqa: E731
        f"column {name} ({FIELD_LABELS[name]}): the date " + stamps.iloc[at].dt.strftime("%d/%m/%Y")
        + f" is outside the plausible window {span} (set in {config.PLAUSIBLE_DATES_FILE})"
    )
    return ("implausible_date", outside, message)


def excel_error_check(rows: pd.DataFrame) -> tuple:
    """``excel_error`` check: a cell holding an Excel error value (``#N/A``, ``#DIV/0!``) in
    any kept column; never read as blank (a failed status formula would become an inferred one)."""
    names, masks = [], []
    for name in rows.columns:  # one pass per kept column
        if name in ("source_file", "source_row", "file_order"):
            continue
        col = rows[name].astype("str")
        mask = col.str.startswith("#").fillna(False)
        if mask.any():
            names.append(name)
            masks.append((mask & col.isin(EXCEL_ERRORS)).to_numpy(dtype=bool))
    if not masks:
        return ("excel_error", np.zeros(len(rows), dtype=bool), "")
    first = np.argmax(np.vstack(masks), axis=0)

    def message(at: np.ndarray) -> pd.Series:
        texts = []
        for i in at:  # failing rows only (few)
            name = names[first[i]]
            label = f" ({FIELD_LABELS[name]})" if name in FIELD_LABELS else ""
            texts.append(f"column {name}{label}: Excel error value {rows[name].iat[i]} (a formula that failed), not a value")
        return pd.Series(texts, dtype="str")

    return ("excel_error", np.logical_or.reduce(masks), message)


def id_as_number(ids: pd.Series) -> pd.Series:
    """Ids written as a number with an exponent (:data:`ID_AS_NUMBER`)."""
    return ids.str.contains(ID_AS_NUMBER, regex=True).fillna(False)


