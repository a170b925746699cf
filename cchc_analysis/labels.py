"""Vietnamese labels shared by tables, charts and notebooks (one vocabulary for the suite)."""

from __future__ import annotations

#: Administrative levels of the authority units.
LEVEL_LABELS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}
#: Submission channels (schema.CHANNELS).
CHANNEL_LABELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "buu_chinh": "Bưu chính công ích"}
#: Vietnamese name of every indicator (DESIGN §8), for table rows.
INDICATOR_LABELS = {
    "on_time_rate": "Tỷ lệ giải quyết đúng hạn",
    "on_time_rate_766": "Tỷ lệ tiến độ giải quyết (QĐ 766)",
    "online_rate": "Tỷ lệ hồ sơ trực tuyến",
    "full_online_rate": "Tỷ lệ hồ sơ trực tuyến toàn trình",
    "digitised_input_rate": "Tỷ lệ số hóa hồ sơ, giấy tờ",
    "digitised_result_rate": "Tỷ lệ số hóa kết quả",
    "reuse_rate": "Tỷ lệ tái sử dụng dữ liệu số hóa",
    "online_payment_rate": "Tỷ lệ thanh toán trực tuyến",
    "apology_rate": "Tỷ lệ hồ sơ quá hạn có phiếu xin lỗi",
    "avg_processing_days": "Thời gian giải quyết bình quân (ngày làm việc)",
    "pakn_handled_rate": "Tỷ lệ giải quyết phản ánh, kiến nghị",
    "pakn_on_time_rate": "Tỷ lệ phản ánh, kiến nghị giải quyết đúng hạn",
    "edoc_rate": "Tỷ lệ văn bản điện tử",
    "one_stop_rate": "Tỷ lệ TTHC theo cơ chế một cửa, liên thông",
}
#: Shorter names of the indicators, for chart axes and legends.
INDICATOR_SHORT_LABELS = {
    "on_time_rate": "Tỷ lệ giải quyết đúng hạn",
    "on_time_rate_766": "Tỷ lệ tiến độ giải quyết (766)",
    "online_rate": "Tỷ lệ hồ sơ trực tuyến",
    "full_online_rate": "Tỷ lệ trực tuyến toàn trình",
    "digitised_input_rate": "Tỷ lệ số hóa hồ sơ",
    "digitised_result_rate": "Tỷ lệ số hóa kết quả",
    "reuse_rate": "Tỷ lệ tái sử dụng dữ liệu",
    "online_payment_rate": "Tỷ lệ thanh toán trực tuyến",
    "apology_rate": "Tỷ lệ xin lỗi khi trễ hạn",
    "avg_processing_days": "Số ngày giải quyết bình quân",
    "pakn_handled_rate": "Tỷ lệ xử lý PAKN",
    "pakn_on_time_rate": "Tỷ lệ xử lý PAKN đúng hạn",
    "edoc_rate": "Tỷ lệ văn bản điện tử",
    "one_stop_rate": "Tỷ lệ TTHC theo cơ chế một cửa",
}
#: Noun phrase of each indicator, used where a sentence lists indicators below target.
INDICATOR_PHRASES = {
    "on_time_rate": "tỷ lệ hồ sơ giải quyết đúng hạn",
    "on_time_rate_766": "tỷ lệ tiến độ giải quyết hồ sơ",
    "online_rate": "tỷ lệ hồ sơ nộp trực tuyến",
    "full_online_rate": "tỷ lệ hồ sơ trực tuyến toàn trình",
    "digitised_input_rate": "tỷ lệ số hóa hồ sơ, giấy tờ",
    "digitised_result_rate": "tỷ lệ số hóa kết quả giải quyết TTHC",
    "reuse_rate": "tỷ lệ tái sử dụng dữ liệu đã số hóa",
    "online_payment_rate": "tỷ lệ thanh toán trực tuyến phí, lệ phí",
    "apology_rate": "tỷ lệ hồ sơ quá hạn có phiếu xin lỗi",
    "avg_processing_days": "thời gian giải quyết bình quân",
    "pakn_handled_rate": "tỷ lệ giải quyết phản ánh, kiến nghị về quy định TTHC",
    "pakn_on_time_rate": "tỷ lệ giải quyết phản ánh, kiến nghị đúng hạn",
    "edoc_rate": "tỷ lệ văn bản điện tử",
    "one_stop_rate": "tỷ lệ TTHC thực hiện theo cơ chế một cửa, một cửa liên thông",
}
#: How each unit of the indicator registry (``indicators.definitions.UNIT_SCALES``) is written.
UNIT_LABELS = {"percent": "%", "working_days": "ngày làm việc"}
#: The vocabularies every registered indicator must have a row in (tests/test_definitions.py).
INDICATOR_VOCABULARIES = {
    "label": INDICATOR_LABELS,
    "short label": INDICATOR_SHORT_LABELS,
    "phrase": INDICATOR_PHRASES,
}


def missing_vocabulary(names) -> list[str]:
    """``"<indicator>: <vocabulary>"`` for every name lacking a row in a vocabulary."""
    return [f"{n}: {kind}" for n in names for kind, rows in INDICATOR_VOCABULARIES.items() if n not in rows]
