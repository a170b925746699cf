"""``outputs/index.html``: every report period (quý, 6 tháng, 9 tháng, năm) and unit report
built so far, grouped by kind, from a Jinja2 template."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..io import write_text_atomic

#: A period's output folder: ``2024Q1`` (quý), ``2024H1`` (6 tháng), ``2024M9`` (9 tháng), ``2024Y`` (năm).
_PERIOD_DIR = re.compile(r"^\d{4}(?:Q[1-4]|H1|M9|Y)$")
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
#: The index's groups, in page order: heading -> the period kinds it holds.
KIND_GROUPS = {
    "Báo cáo quý": ("Q1", "Q2", "Q3", "Q4"),
    "Báo cáo 6 tháng": ("H1",),
    "Báo cáo 9 tháng": ("M9",),
    "Báo cáo năm": ("Y",),
}


def _period_notes(manifest: dict) -> list[str]:
    """The sentences under a period's heading: period convention, synthetic data, failure."""
    from ..periods import Period, PeriodError

    period = manifest.get("parameters", {}).get("period")
    try:
        cumulative = Period.parse(manifest.get("quarter") or "").is_cumulative
    except PeriodError:
        cumulative = False
    notes = []
    if period == "nd09" and cumulative:
        notes.append("Kỳ báo cáo theo Nghị định 09/2019/NĐ-CP (từ ngày 15 tháng 12 năm trước "
                     "đến ngày 14 tháng cuối kỳ).")
    elif period == "nd09":
        notes.append("Kỳ báo cáo theo Nghị định 09/2019/NĐ-CP (từ ngày 15 tháng trước quý "
                     "đến ngày 14 tháng cuối quý).")
    elif period == "calendar" and cumulative:
        notes.append("Kỳ báo cáo theo tháng dương lịch.")
    elif period == "calendar":
        notes.append("Kỳ báo cáo theo quý dương lịch.")
    if manifest.get("synthetic"):
        notes.append("Lập từ dữ liệu mẫu tổng hợp, không phải số liệu thật.")
    if manifest.get("status") == "failed":
        notes.append("Lần chạy gần nhất có lỗi; xem manifest.json.")
    return notes


#: The period's documents linked from the index (file name pattern, label), when they exist.
PERIOD_FILES = (
    ("form06.xlsx", "Biểu số 06/VPCP/KSTT (Excel)"),
    ("chi_so_{period}.xlsx", "Phụ lục số liệu các chỉ số (Excel)"),
    ("bao_cao_{period}.docx", "Dự thảo báo cáo (Word)"),
)


def period_files(qdir: Path) -> list[tuple[str, str]]:
    """``(relative link, label)`` of the period's form 06, annex workbook and Word draft present."""
    names = [(pattern.format(period=qdir.name), label) for pattern, label in PERIOD_FILES]
    return [(f"{qdir.name}/{name}", label) for name, label in names if (qdir / name).exists()]


#: A unit's own documents (written by notebook 03 for a unit report), linked next to its page.
UNIT_FILES = (
    ("chi_so_{period}_{unit}.xlsx", "Phụ lục số liệu (Excel)"),
    ("bao_cao_{period}_{unit}.docx", "Dự thảo báo cáo (Word)"),
)


def unit_files(qdir: Path, unit: str) -> list[tuple[str, str]]:
    """``(relative link, label)`` of the unit's own annex workbook and Word draft present."""
    names = [(pattern.format(period=qdir.name, unit=unit), label) for pattern, label in UNIT_FILES]
    return [(f"{qdir.name}/{name}", label) for name, label in names if (qdir / name).exists()]


def index_entries(output_dir: str | Path) -> list[dict]:
    """One entry per period folder holding a report (quarters and 6 tháng, 9 tháng, năm), newest
    first; each has a ``group``, its heading in :data:`KIND_GROUPS`.

    Each entry: ``title`` (``Quý I năm 2024``), ``notes`` (sentences), ``report`` (relative
    link or ``None``), ``files`` (:func:`period_files`) and ``units`` (``(relative link, unit name,
    unit files)`` in reference order, the files of :func:`unit_files`).
    """
    from ..periods import Period
    from ..refdata import load_units, unit_names

    output_dir = Path(output_dir)
    if not output_dir.is_dir():
        return []
    names = unit_names()
    order = {code: i for i, code in enumerate(load_units()["code"])}
    quarters = sorted(
        (d for d in output_dir.iterdir() if d.is_dir() and _PERIOD_DIR.match(d.name)),
        key=lambda d: Period.parse(d.name),
        reverse=True,
    )
    entries = []
    for qdir in quarters:
        report = qdir / "report.html"
        unit_pages = sorted(
            (qdir / "units").glob("*.html") if (qdir / "units").is_dir() else [],
            key=lambda p: (order.get(p.stem, len(order)), p.stem),
        )
        if not report.exists() and not unit_pages:
            continue
        try:
            manifest = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        manifest.setdefault("quarter", qdir.name)  # the folder names the period
        report_period = Period.parse(qdir.name)
        label = report_period.label_vi()
        entries.append({
            "title": label[0].upper() + label[1:],
            "files": period_files(qdir),
            "notes": _period_notes(manifest),
            "report": f"{qdir.name}/report.html" if report.exists() else None,
            "units": [(f"{qdir.name}/units/{p.name}", names.get(p.stem, p.stem), unit_files(qdir, p.stem))
                      for p in unit_pages],
            "group": next(g for g, kinds in KIND_GROUPS.items() if report_period.kind in kinds),
        })
    return entries


def render_index(entries: list[dict]) -> str:
    """The index page for :func:`index_entries` (every value HTML-escaped by the template):
    one section per kind of :data:`KIND_GROUPS` that has a report, in that order; an entry
    without ``group`` is a quarter."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    groups = [(heading, [e for e in entries if e.get("group", "Báo cáo quý") == heading]) for heading in KIND_GROUPS]
    return env.get_template("index.html.j2").render(quarters=entries, groups=[g for g in groups if g[1]])


def write_index(output_dir: str | Path) -> Path:
    """Write ``outputs/index.html``: every period and unit report present, grouped by kind
    (quý, 6 tháng, 9 tháng, năm), newest first in each group.

    The page is Vietnamese, self-contained (inline style, no script) and uses relative links,
    so the whole ``outputs`` folder can be copied and opened anywhere. A quarter appears when
    ``<Q>/report.html`` or ``<Q>/units/*.html`` exists; the period convention and the synthetic
    flag are taken from ``<Q>/manifest.json`` when present. Units are listed by name, in the
    order of the reference table.
    """
    from ..html import make_shareable

    output_dir = Path(output_dir)
    page = render_index(index_entries(output_dir))
    return make_shareable(write_text_atomic(output_dir / "index.html", page))
