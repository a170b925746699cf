"""Canonical table schemas (DESIGN §5): column names and pandas dtypes of the processed tables.

Every producer (cleaning, the sample generator's ground truth) and consumer (outcome engine,
indicators) uses these names. Timestamps are naive local time (Asia/Ho_Chi_Minh) at
microsecond resolution; text is pandas' ``str`` dtype; yes/no facts are nullable booleans
(missing = the export had no such column); counts are nullable integers.
"""

from __future__ import annotations

import pandas as pd

DATETIME = "datetime64[us]"

#: Canonical dossier table, one row per dossier (``dossier_id`` unique).
DOSSIER_COLUMNS: dict[str, str] = {
    "dossier_id": "str",
    "procedure_code": "str",
    "procedure_name": "str",
    "field": "str",
    "unit_code": "str",  # authority (cơ quan có thẩm quyền)
    "level": "str",  # tinh | huyen | xa (level of the authority unit)
    "reception_code": "str",  # where it was received: a unit code or a centre such as hcc-huong-thuy
    "channel": "str",  # truc_tiep | truc_tuyen | buu_chinh (missing when the export had none)
    "online_level": "str",  # toan_trinh | mot_phan | khong (from the catalogue; missing if unknown)
    "received_at": DATETIME,
    "due_at": DATETIME,  # missing: no deadline
    "finished_at": DATETIME,  # time of the terminal state
    "returned_at": DATETIME,
    "status": "Int8",  # national codes 1..10
    "supplement_count": "Int16",
    "digitised_input": "boolean",
    "digitised_result": "boolean",
    "reused_data": "boolean",
    "has_fee": "boolean",
    "paid_online": "boolean",
    "apology_issued": "boolean",
    "in_catalogue": "bool",  # procedure_code found in the catalogue
    "source_file": "str",
    "source_row": "Int64",  # 1-based row number as a spreadsheet shows it
}

CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")
#: Administrative levels of the authority units, in report order (tỉnh, huyện, xã).
LEVELS = ("tinh", "huyen", "xa")
#: Group key of the whole area (and of "every field") in every output table.
ALL = "ALL"
#: Quarantine reason codes the cleaner writes, with their Vietnamese labels.
QUARANTINE_REASONS = {
    "finished_before_received": "Ngày có kết quả trước ngày tiếp nhận",
    "missing_dossier_id": "Thiếu mã hồ sơ",
    "unknown_unit": "Đơn vị không xác định được",
    "unparseable_date": "Ngày tháng không đọc được",
    "unparseable_value": "Giá trị không đọc được",
    "missing_required": "Thiếu thông tin bắt buộc",
    "id_as_number": "Mã hồ sơ bị Excel đổi thành số",
    "implausible_date": "Ngày nằm ngoài khoảng hợp lý",
    "excel_error": "Ô lỗi Excel (#N/A, #DIV/0!)",
}
ONLINE_LEVELS = ("toan_trinh", "mot_phan", "khong")
#: National status codes (DESIGN §4).
STATUS_NAMES: dict[int, str] = {
    1: "mới đăng ký",
    2: "được tiếp nhận",
    3: "không được tiếp nhận",
    4: "đang xử lý",
    5: "yêu cầu bổ sung",
    6: "yêu cầu thực hiện nghĩa vụ tài chính",
    7: "công dân yêu cầu rút hồ sơ",
    8: "dừng xử lý",
    9: "đã xử lý xong",
    10: "đã trả kết quả",
}
TERMINAL_STATUSES = (7, 8, 9, 10)
NOT_COUNTED_STATUSES = (1, 3)

#: Feedback and petitions (phản ánh, kiến nghị); content and petitioner are dropped at ingestion.
PAKN_COLUMNS: dict[str, str] = {
    "pakn_id": "str",
    "unit_code": "str",
    "received_at": DATETIME,
    "due_at": DATETIME,
    "handled_at": DATETIME,  # missing: not handled yet
    "status": "str",  # da_xu_ly | dang_xu_ly
    "classification": "str",  # quy_dinh_hanh_chinh | hanh_vi_cbcc
    "source_file": "str",
    "source_row": "Int64",
}

#: Electronic documents sent per unit and month.
EDOC_COLUMNS: dict[str, str] = {
    "unit_code": "str",
    "month": DATETIME,  # first day of the month
    "documents_sent": "Int64",
    "documents_electronic": "Int64",  # of which sent electronically (digitally signed)
    "documents_secret": "Int64",  # of which secret: excluded from the rate
    "source_file": "str",
    "source_row": "Int64",
}

QUARANTINE_COLUMNS = ["source_file", "source_row", "reason", "message"]
RECONCILIATION_COLUMNS = [
    "source_file",
    "kind",  # dossiers | pakn | edocs
    "rows_read",  # data rows read (excludes skipped lines)
    "clean",
    "quarantined",
    "duplicates_merged",
    "skipped_lines",  # blank, repeated header, title and footer lines
]

#: The 13 counting columns of form 06 (Biểu số 06/VPCP/KSTT), in the official order.
FORM06_COLUMNS = [
    "received_total",
    "received_online",
    "received_offline",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_total",
    "pending_within_due",
    "pending_overdue",
]


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with the given canonical columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def conform(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns, in order, cast to their dtypes.

    Raises
    ------
    KeyError
        If a canonical column is missing.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"missing canonical columns: {missing}")
    return frame[list(columns)].astype(columns)
