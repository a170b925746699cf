"""The closing lines of ``cchc run``, in Vietnamese: what was built, how much, where, how long."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from .execute import BatchResult


def shown_path(path: str | Path, base: str | Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current folder) when inside it, else absolute."""
    path = Path(path).resolve()
    base = Path(base or os.getcwd()).resolve()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def dossiers_counted(quarter_dir: Path) -> tuple[int, int] | None:
    """(``received_total``, ``carried_over``) of the whole area from ``form06.csv``, if present.

    Form 06's ``received_total`` already includes the dossiers carried over (DESIGN §7: total =
    online + direct/postal + carried over).
    """
    try:
        with open(quarter_dir / "form06.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("unit_code") == "ALL" and row.get("field") == "ALL":
                    return int(float(row["received_total"])), int(float(row["carried_over"] or 0))
    except (OSError, KeyError, ValueError):
        return None
    return None


def summary_lines(batch: BatchResult, output_dir: Path, period: str, seconds: float,
                  up_to_date: bool = False) -> list[str]:
    """The summary printed at the end of ``cchc run`` (paths relative to the current folder)."""
    from .. import fmt
    from ..periods import Period

    label = Period.parse(batch.quarter).label_vi()
    calendar = "theo tháng dương lịch" if Period.parse(batch.quarter).is_cumulative else "theo quý dương lịch"
    convention = "theo Nghị định 09/2019/NĐ-CP" if period == "nd09" else calendar
    qdir = output_dir / batch.quarter
    lines = []
    if up_to_date:
        lines.append(f"Không có gì thay đổi (dữ liệu, tham số, mã nguồn) từ lần chạy trước: "
                     f"báo cáo {label} đã là mới nhất.")
    units = list(dict.fromkeys(r.task.unit for r in batch.results if r.task.unit))
    built = "toàn địa bàn" + (f" và {len(units)} đơn vị ({', '.join(units)})" if units else "")
    verb = "Đã có" if up_to_date else "Đã lập"
    lines.append(f"{verb} báo cáo {label} ({convention}) cho {built} "
                 f"trong {fmt.number(seconds, 1)} giây.")
    counted = dossiers_counted(qdir)
    if counted:
        total, carried = counted
        lines.append(f"  Hồ sơ trong kỳ: {fmt.number(total, 0)} "
                     f"(tiếp nhận mới {fmt.number(total - carried, 0)}, "
                     f"kỳ trước chuyển sang {fmt.number(carried, 0)})")
    pages = [r.task.html for r in batch.results
             if r.task.html is not None and r.status in ("ok", "up_to_date") and r.task.html.exists()]
    groups = [
        ("Báo cáo HTML", pages),
        ("Bảng Excel", sorted(qdir.glob("*.xlsx"))),
        ("Văn bản Word", sorted(qdir.glob("*.docx"))),
    ]
    for title, paths in groups:
        if len(paths) > 4:  # many unit reports: name the folder rather than every page
            folders = list(dict.fromkeys(p.parent for p in paths))
            lines.append(f"  {title}: {len(paths)} trang trong " + ", ".join(shown_path(f) for f in folders))
        elif paths:
            lines.append(f"  {title}: " + ", ".join(shown_path(p) for p in paths))
    index = output_dir / "index.html"
    if index.exists():
        lines.append(f"  Mục lục các báo cáo: {shown_path(index)}")
    return lines
