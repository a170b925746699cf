"""The manual-input file: the parts of the report the data cannot write, filled in by the analyst.

One Markdown file per period (``nhap_tay_2024Q1.md``), one ``## heading`` per section of the
report outline, free text under it. Plain paragraphs are separated by a blank line; a line that
starts with ``-`` or ``+`` is a paragraph of its own (the usual list style of a report).
``<!-- ... -->`` comments are guidance and are ignored. A section left empty appears in the draft
as a visible placeholder "[Đơn vị bổ sung: …]"; nothing is ever invented.

:func:`write_manual_template` writes the empty form for a period.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import InputError
from ..io import write_text_atomic
from .issuer import PLACEHOLDER

#: key -> (heading in the file, what the section holds: the placeholder and the guidance).
SECTIONS: dict[str, tuple[str, str]] = {
    "chi_dao": ("Công tác chỉ đạo, điều hành cải cách hành chính",
                "kế hoạch CCHC, tuyên truyền, kiểm tra CCHC, khắc phục tồn tại, sáng kiến"),
    "the_che": ("Cải cách thể chế", "ban hành, rà soát, kiểm tra văn bản quy phạm pháp luật"),
    "tthc": ("Cải cách thủ tục hành chính",
             "công bố, công khai, rà soát, đơn giản hóa TTHC, thực hiện cơ chế một cửa "
             "(số liệu giải quyết hồ sơ được điền tự động)"),
    "to_chuc_bo_may": ("Cải cách tổ chức bộ máy hành chính nhà nước",
                       "sắp xếp tổ chức bộ máy, biên chế, vị trí việc làm, phân cấp, ủy quyền"),
    "cong_vu": ("Cải cách chế độ công vụ",
                "tuyển dụng, đào tạo, bồi dưỡng, đánh giá cán bộ, công chức; kỷ luật, kỷ cương hành chính"),
    "tai_chinh_cong": ("Cải cách tài chính công", "quản lý ngân sách, cơ chế tự chủ, thực hành tiết kiệm"),
    "chinh_quyen_so": ("Xây dựng và phát triển chính quyền điện tử, chính quyền số",
                       "hạ tầng, nền tảng, ứng dụng CNTT, an toàn thông tin "
                       "(các tỷ lệ trực tuyến, số hóa, thanh toán được điền tự động)"),
    "uu_diem": ("Ưu điểm", "những kết quả nổi bật, mô hình hay trong kỳ"),
    "han_che": ("Tồn tại, hạn chế và nguyên nhân",
                "nguyên nhân chủ quan, khách quan (các chỉ số chưa đạt được điền tự động)"),
    "phuong_huong": ("Phương hướng, nhiệm vụ trọng tâm kỳ tới", "nhiệm vụ, giải pháp kỳ tới"),
    "kien_nghi": ("Đề xuất, kiến nghị", "đề xuất, kiến nghị với cấp trên"),
}  # fmt: skip
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NUMBERING = re.compile(r"^(?:[ivxlc]+|\d+|[a-zđ])[.)]\s*")


def manual_file_name(period: object) -> str:
    """File name of a period's manual input: ``nhap_tay_2024Q1.md``."""
    return f"nhap_tay_{period}.md"


def placeholder(key: str) -> str:
    """The visible placeholder of an unfilled section: "[Đơn vị bổ sung: …]"."""
    return PLACEHOLDER.format(SECTIONS[key][1])


def _heading_key(text: str) -> str:
    key = unicodedata.normalize("NFC", text).strip().lower()
    key = _NUMBERING.sub("", key)
    key = re.sub(r"\(bổ sung\)\s*$", "", key).strip()
    return re.sub(r"\s+", " ", key)


_BY_HEADING = {_heading_key(title): key for key, (title, _) in SECTIONS.items()} | {k: k for k in SECTIONS}


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        stripped = line.strip()
        if not stripped or stripped[:2] in ("- ", "+ "):
            if current:
                paragraphs.append(" ".join(current))
            current = [stripped] if stripped else []
        else:
            current.append(stripped)
    return paragraphs


def read_manual_input(path: str | Path | None) -> dict[str, list[str]]:
    """Sections of a manual-input file: key of :data:`SECTIONS` -> paragraphs (plain text).

    ``None`` or a missing file gives no section (every section becomes a placeholder). Sections
    left empty are absent from the result.

    Raises
    ------
    InputError
        For a ``##`` heading that is not a section of the outline (file, line and the headings
        expected).
    """
    if path is None or not Path(path).exists():
        return {}
    text = unicodedata.normalize("NFC", Path(path).read_text(encoding="utf-8-sig"))
    # Blank out comments but keep their line breaks, so line numbers stay right.
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    sections: dict[str, list[str]] = {}
    key, lines = None, []
    for number, line in enumerate([*text.splitlines(), "## "], start=1):
        if line.startswith("## ") or line.strip() == "##":
            if key is not None and (paras := _paragraphs(lines)):
                sections[key] = sections.get(key, []) + paras
            if number > len(text.splitlines()):
                break
            heading = line[2:].strip()
            key = _BY_HEADING.get(_heading_key(heading))
            if key is None:
                expected = "; ".join(title for title, _ in SECTIONS.values())
                raise InputError(path, f"heading '{heading}' is not a section of the report; use one of: {expected}",
                                 row=number)  # fmt: skip
            lines = []
        elif key is not None and not line.startswith("#"):
            lines.append(line)
    return sections


def manual_template(period_label: str) -> str:
    """The empty manual-input form (Markdown) for a period labelled ``period_label``."""
    out = [
        f"# Báo cáo cải cách hành chính {period_label}: phần đơn vị tự viết",
        "",
        "<!-- Viết nội dung dưới từng tiêu đề \"##\" (giữ nguyên tiêu đề). Mỗi đoạn cách nhau một dòng",
        "     trống; dòng bắt đầu bằng \"- \" là một ý riêng. Mục để trống sẽ hiện trong dự thảo là",
        "     \"[Đơn vị bổ sung: …]\". Số liệu giải quyết hồ sơ, các tỷ lệ và so sánh do chương trình",
        "     tự điền, không cần chép lại ở đây. Không ghi thông tin cá nhân của người dân. -->",
        "",
    ]
    for title, hint in SECTIONS.values():
        out += [f"## {title}", "", f"<!-- {hint} -->", ""]
    return "\n".join(out)


def write_manual_template(path: str | Path, period_label: str, overwrite: bool = False) -> Path:
    """Write the empty form to ``path`` (atomically); an existing file is kept unless ``overwrite``."""
    path = Path(path)
    if path.exists() and not overwrite:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, manual_template(period_label))
    return path
