"""Helpers that build small raw exports in a test's tmp_path (CSV, .xlsx, .xls)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from pathlib import Path

VI_HEADER = [
    "STT", "Mã hồ sơ", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Đơn vị tiếp nhận",
    "Cơ quan giải quyết", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả",
    "Ngày trả kết quả", "Trạng thái", "Số lần bổ sung", "Số hóa hồ sơ", "Số hóa kết quả",
    "Tái sử dụng dữ liệu", "Có phí", "Thanh toán trực tuyến", "Phiếu xin lỗi", "Chủ hồ sơ",
    "Số điện thoại", "Địa chỉ",
]
NATIONAL_HEADER = [
    "MaHoSo", "MaTTHC", "TenTTHC", "TenLinhVuc", "DonViXuLy", "KenhThucHien", "NgayTiepNhan",
    "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "ChuHoSo", "SoDienThoai",
    "SoGiayToChuHoSo",
]
PERSONAL = ("Nguyễn Văn Bí Mật", "0905123456", "12 Kiệt 34 Nguyễn Tất Thành", "046123456789")


def vi_row(dossier_id="000.00.20.H57-240115-0001", *, n=1, code="001", reception="UBND phường Thủy Châu",
           authority="", channel="Trực tiếp", received="15/01/2024 08:30", due="22/01/2024",
           finished="19/01/2024 10:00", returned="20/01/2024", status="Đã trả kết quả",
           supplements="0", flags=("x", "x", "", "Có", "Không", "")):
    """A list-screen dossier row with fake personal values at the end."""
    return [str(n), dossier_id, code, "Chứng thực bản sao từ bản chính", "Chứng thực", reception,
            authority, channel, received, due, finished, returned, status, supplements, *flags,
            PERSONAL[0], PERSONAL[1], PERSONAL[2]]


def national_row(dossier_id="H57-0001", *, unit="UBND xã Thủy Tân", channel="2",
                 received="20240115083000", due="20240122170000", finished="", returned="",
                 status="4"):
    return [dossier_id, "1.001234", "Đăng ký khai sinh", "Hộ tịch", unit, channel, received, due,
            finished, returned, status, PERSONAL[0], PERSONAL[1], PERSONAL[3]]


TITLE = [["UBND THỊ XÃ HƯƠNG THỦY"], ["DANH SÁCH HỒ SƠ TTHC"], ["Từ ngày 01/01/2024 đến ngày 31/03/2024"], []]
FOOTER = [[], ["Tổng cộng: 2 hồ sơ"], ["Hương Thủy, ngày 05 tháng 4 năm 2024"], ["Người lập biểu"], ["Trần Thị Ký Tên"]]


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_form(text: str) -> str:
    """Text as Windows-1258 stores it: base letters precomposed, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        nfd = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in nfd if m in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(m for m in nfd if m not in _TONE_MARKS))
        out.append(base + tones)
    return "".join(out)


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buf.getvalue()
    return (cp1258_form(text) if encoding == "cp1258" else text).encode(encoding)


def write_csv(path: Path, rows, *, delimiter=",", encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows, delimiter=delimiter, encoding=encoding))
    return path


def write_xlsx(path: Path, rows, *, sheet="Sheet1", merges=(), extra_sheets=()) -> Path:
    """Write rows with xlsxwriter; ``datetime`` values become real Excel dates."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    for name in extra_sheets:
        book.add_worksheet(name).write(0, 0, "Biểu đồ")
    ws = book.add_worksheet(sheet)
    datefmt = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, datefmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    for first_row, first_col, last_row, last_col in merges:
        ws.merge_range(first_row, first_col, last_row, last_col, rows[first_row][first_col])
    book.close()
    return path


def write_xls(path: Path, rows, *, sheet="Sheet1") -> Path:
    """Write a legacy .xls with xlwt (text cells, numbers as numbers)."""
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    book.save(str(path))
    return path
