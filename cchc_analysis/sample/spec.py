"""Fixed parameters of the synthetic Hương Thủy sample: periods, reception streams, procedure
mixes, unit-name spellings, header and value variants.

Everything that shapes the sample lives here so that a reader can see the scenario at a glance;
:mod:`.events` turns it into dossiers and :mod:`.render` into export files.
"""

from __future__ import annotations

import pandas as pd

#: Quarters covered by the sample (calendar quarters).
FIRST_QUARTER = "2023Q1"
LAST_QUARTER = "2026Q3"
QUARTERS: list[str] = [str(p) for p in pd.period_range(FIRST_QUARTER, LAST_QUARTER, freq="Q")]
#: Exports are taken at the end of each quarter; the last one is the data cut-off.
CUTOFF = pd.Timestamp("2026-09-30 23:59:59")
#: Last day of the old units and of the town centre (two-level local government from 1 July 2025).
OLD_UNITS_END = pd.Timestamp("2025-06-30 23:59:59")
HCC = "hcc-huong-thuy"
TOWN = "tx-huong-thuy"
LAND = "cn-vpdkdd-huong-thuy"
OLD_WARDS = ["p-phu-bai", "p-thuy-chau", "p-thuy-duong", "p-thuy-luong", "p-thuy-phuong"]
OLD_COMMUNES = ["x-duong-hoa", "x-phu-son", "x-thuy-phu", "x-thuy-tan", "x-thuy-thanh"]
NEW_WARDS = ["p-thanh-thuy", "p-huong-thuy", "p-phu-bai-2025"]
#: Commune-level units dissolved on 1 July 2025.
OLD_UNITS = [*OLD_WARDS, *OLD_COMMUNES]

#: Expected dossiers received per quarter at each old commune-level unit (before seasonality).
OLD_COMMUNE_VOLUME = {
    "p-phu-bai": 440, "p-thuy-duong": 380, "p-thuy-phuong": 360, "p-thuy-chau": 330,
    "p-thuy-luong": 300, "x-thuy-thanh": 240, "x-thuy-phu": 210, "x-thuy-tan": 140,
    "x-phu-son": 80, "x-duong-hoa": 75,
}
TOWN_VOLUME = 600  # UBND thị xã (its departments), received at the Trung tâm HCC
LAND_VOLUME = 540  # land branch, received at the Trung tâm HCC
#: New wards: total expected per quarter, split into commune-level, former town-level and land.
NEW_WARD_VOLUME = {"p-thanh-thuy": 1500, "p-huong-thuy": 1350, "p-phu-bai-2025": 1250}
NEW_WARD_SPLIT = {"xa": 0.68, "huyen": 0.14, "land": 0.18}
#: Q1 holds Tết; the year-end rush fills Q4.
SEASON = {1: 0.90, 2: 1.00, 3: 1.05, 4: 1.10}
GROWTH_PER_YEAR = 0.04

#: Probability that a processed dossier finishes after its appointment date, per authority.
#: x-thuy-tan and the land branch are the struggling ones; everyone else is 95-100 % on time.
LATE_PROBABILITY = {
    TOWN: 0.025, LAND: 0.085, "x-thuy-tan": 0.045, "p-thuy-luong": 0.022,
    "p-thanh-thuy": 0.012, "p-huong-thuy": 0.018, "p-phu-bai-2025": 0.022,
}
DEFAULT_LATE_PROBABILITY = 0.01
#: 2024Q1 targets (published Q1/2024 report of Hương Thủy): on-time rate in percent.
TUNING_QUARTER = "2024Q1"
TARGET_TOWN = 97.5  # authority UBND thị xã
TARGET_HCC = 94.5  # everything received at the Trung tâm HCC (land branch included)
TARGET_XA = 98.8  # commune level

#: Procedure mixes (procedure_code -> weight) per stream kind.
MIX_XA = {
    "2.000815": 38, "2.000884": 10, "2.001035": 4, "2.000908": 3, "1.001193": 9, "1.000894": 3,
    "1.000656": 3, "1.004873": 7, "2.000635": 5, "1.001022": 1.5, "1.000689": 0.5,
    "1.004884": 0.5, "1.003554": 0.3, "2.000744": 1, "1.001731": 1, "1.010829": 1,
    "1.000954": 1, "1.001029": 0.5, "2.001711": 1.2, "1.010018": 0.6,
}
MIX_HUYEN = {
    "2.000720": 25, "2.000575": 12, "2.000644": 4, "2.000599": 4, "1.009994": 14, "1.009995": 3,
    "1.009996": 2, "1.012755": 8, "1.001776": 10, "1.010817": 3, "1.001695": 1, "2.000528": 1,
    "2.000913": 3, "1.005097": 5, "1.004439": 0.5, "1.010735": 2, "1.008004": 2.5,
    "1.012312": 1,
}
MIX_LAND = {
    "1.004227": 35, "2.000889": 25, "1.002273": 15, "1.003003": 10, "1.004203": 8,
    "1.004199": 7,
}
#: Procedures that real exports contain but the catalogue lacks: code -> (name, field, days).
NOT_IN_CATALOGUE = {
    "2.001711": (
        "Liên thông các thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, "
        "cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "Hộ tịch", 5,
    ),
    "1.010018": ("Xác nhận đơn đề nghị vay vốn Ngân hàng Chính sách xã hội", "Khác", 2),
    "1.012312": ("Cấp Giấy phép bán lẻ rượu", "Lưu thông hàng hóa trong nước", 10),
}

#: How export files spell each unit / reception point (all resolvable through the reference
#: table: with or without UBND, P./X./TX abbreviations, TT HCC, upper case, old tone placement).
UNIT_SPELLINGS: dict[str, list[str]] = {
    HCC: ["Trung tâm Hành chính công thị xã Hương Thủy", "TT HCC thị xã Hương Thủy",
          "Trung tâm HCC thị xã Hương Thuỷ", "TT HCC TX Hương Thủy"],
    TOWN: ["UBND thị xã Hương Thủy", "UBND TX Hương Thủy", "UBND THỊ XÃ HƯƠNG THỦY",
           "UBND thị xã Hương Thuỷ"],
    LAND: ["Chi nhánh Văn phòng Đăng ký đất đai thị xã Hương Thủy",
           "CHI NHÁNH VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI THỊ XÃ HƯƠNG THỦY",
           "Chi nhánh Văn phòng Đăng ký đất đai TX Hương Thuỷ"],
}
_UNIT_BASE = {
    "p-phu-bai": ("phường", "Phú Bài"), "p-thuy-chau": ("phường", "Thủy Châu"),
    "p-thuy-duong": ("phường", "Thủy Dương"), "p-thuy-luong": ("phường", "Thủy Lương"),
    "p-thuy-phuong": ("phường", "Thủy Phương"), "x-duong-hoa": ("xã", "Dương Hòa"),
    "x-phu-son": ("xã", "Phú Sơn"), "x-thuy-phu": ("xã", "Thủy Phù"),
    "x-thuy-tan": ("xã", "Thủy Tân"), "x-thuy-thanh": ("xã", "Thủy Thanh"),
    "p-thanh-thuy": ("phường", "Thanh Thủy"), "p-huong-thuy": ("phường", "Hương Thủy"),
    "p-phu-bai-2025": ("phường", "Phú Bài"),
}


def _old_tone(text: str) -> str:
    """Old-style tone placement ("Thuỷ", "Hoà") as some offices still type it."""
    return text.replace("Thủy", "Thuỷ").replace("Hòa", "Hoà").replace("THỦY", "THUỶ")


for _code, (_kind, _name) in _UNIT_BASE.items():
    _abbr = "P." if _kind == "phường" else "X."
    UNIT_SPELLINGS[_code] = [
        f"{_kind} {_name}", f"UBND {_kind} {_name}", f"{_abbr} {_name}",
        f"{_kind} {_name}".upper(), _old_tone(f"UBND {_kind} {_name}"),
        f"UBND  {_kind}  {_name} ",
    ]
#: A commune of a neighbouring town: not in the reference table (quarantined as unknown unit).
UNKNOWN_UNIT = "UBND xã Thủy Bằng"

#: List-screen header variants (DESIGN §4); one is chosen per file.
HEADER_VARIANTS: dict[str, list[str]] = {
    "dossier_id": ["Mã hồ sơ", "Số biên nhận"],
    "procedure_code": ["Mã TTHC", "Mã thủ tục"],
    "procedure_name": ["Tên thủ tục", "Tên thủ tục hành chính"],
    "field": ["Lĩnh vực"],
    "reception": ["Đơn vị tiếp nhận", "Cơ quan tiếp nhận"],
    "authority": ["Cơ quan giải quyết", "Cơ quan có thẩm quyền", "Đơn vị xử lý"],
    "channel": ["Hình thức nộp", "Kênh nộp", "Kênh tiếp nhận"],
    "online_level": ["Mức độ"],
    "received_at": ["Ngày tiếp nhận"],
    "due_at": ["Ngày hẹn trả"],
    "finished_at": ["Ngày có kết quả", "Ngày kết thúc xử lý", "Ngày hoàn thành"],
    "returned_at": ["Ngày trả kết quả"],
    "status": ["Trạng thái", "Tình trạng"],
    "supplement_count": ["Số lần bổ sung"],
    "digitised_input": ["Số hóa hồ sơ"],
    "digitised_result": ["Số hóa kết quả"],
    "reused_data": ["Tái sử dụng dữ liệu"],
    "has_fee": ["Có phí", "Phí, lệ phí"],
    "paid_online": ["Thanh toán trực tuyến"],
    "apology_issued": ["Phiếu xin lỗi"],
}
PERSONAL_HEADERS = {
    "owner": "Chủ hồ sơ", "submitter": "Người nộp", "phone": "Số điện thoại",
    "address": "Địa chỉ", "id_number": "Số CCCD/CMND", "email": "Email", "summary": "Trích yếu",
}
#: National synchronisation profile (field names of the national portal's dossier sync).
SYNC_COLUMNS = [
    "MaHoSo", "MaTTHC", "TenTTHC", "TenLinhVuc", "DonViXuLy", "KenhThucHien", "NgayTiepNhan",
    "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "ChuHoSo", "SoDienThoai",
    "SoGiayToChuHoSo", "TrichYeuHoSo",
]

#: Status text variants per national code.
STATUS_TEXT: dict[int, list[str]] = {
    1: ["Mới đăng ký"], 2: ["Đã tiếp nhận"], 3: ["Không được tiếp nhận", "Từ chối"],
    4: ["Đang xử lý"], 5: ["Chờ bổ sung", "Yêu cầu bổ sung"],
    6: ["Chờ thực hiện nghĩa vụ tài chính"], 7: ["Công dân yêu cầu rút hồ sơ", "Rút hồ sơ"],
    8: ["Dừng xử lý"], 9: ["Đã xử lý xong"], 10: ["Đã trả kết quả"],
}
CHANNEL_TEXT = {
    "truc_tiep": ["Trực tiếp"], "truc_tuyen": ["Trực tuyến"],
    "buu_chinh": ["Bưu chính công ích", "Qua bưu chính"],
}
CHANNEL_CODE = {"truc_tiep": 1, "truc_tuyen": 2, "buu_chinh": 3}
ONLINE_LEVEL_TEXT = {"toan_trinh": "Toàn trình", "mot_phan": "Một phần", "khong": "Không"}
#: Yes/No spellings: (yes, no). "x/blank" writes nothing for no.
YES_NO = {
    "co_khong": ("Có", "Không"), "x_blank": ("x", None), "one_zero": (1, 0),
    "true_false": (True, False),
}
YES_NO_ORDER = ["co_khong", "x_blank", "one_zero", "true_false"]

#: Date spellings of the list-screen files, one set per quarter (rotating):
#: (received_at, due_at, finished_at, returned_at).
DATE_STYLES = [
    ("excel", "excel", "excel", "excel"),
    ("dmy_hm", "dmy_hm", "dmy_hm", "dmy_hm"),
    ("dmy_hms", "dmy", "dmy_hms", "dmy"),
    ("serial", "iso_date", "serial", "iso_date"),
    ("excel", "dmy_hm", "dmy_hms", "excel"),
]
#: Styles that keep only the day (the time of day is lost in the export).
DATE_ONLY_STYLES = {"dmy", "iso_date"}

#: Fake people (common Vietnamese and Huế family names).
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Tôn Thất", "Nguyễn Phước", "Trương", "Lương"]
MIDDLE_NAMES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thị Thu",
                "Công", "Đình", "Thị Kim", "Như"]
GIVEN_NAMES = ["An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
               "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc",
               "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Nhân", "Lộc"]
