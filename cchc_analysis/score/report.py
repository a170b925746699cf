"""Files and report sections of the index estimate, the watch list and where time is lost.

:func:`write_score_files` writes every table as CSV (atomically, :mod:`cchc_analysis.io`);
:func:`markdown_sections` turns those tables, and only them, into short Vietnamese Markdown:
every number in a sentence is a cell of one of the frames, formatted with :mod:`cchc_analysis.fmt`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

import json

from .. import fmt, refdata
from ..io import atomic_write, write_text_atomic
from ..safe_text import neutralise_frame
from .integrity import integrity_checks, integrity_dossiers
from .score766 import TOTAL_ITEM, points_lost, score_table
from .timelost import late_pareto, on_time_definitions, processing_times
from .watchlist import default_as_of, finish_by, watchlist, what_if

META_FILE = "score_meta.json"
#: File name of each table.
FILES = {
    "score": "score766.csv",
    "lost": "score766_points_lost.csv",
    "lost_dossiers": "score766_points_lost_dossiers.csv",
    "watchlist": "watchlist.csv",
    "what_if": "watchlist_what_if.csv",
    "finish_by": "watchlist_finish_by.csv",
    "processing": "processing_time.csv",
    "pareto": "late_pareto.csv",
    "definitions": "on_time_definitions.csv",
    "integrity": "integrity.csv",
    "integrity_dossiers": "integrity_dossiers.csv",
}


@dataclass
class ScoreTables:
    """Every table of the estimate for one period (pandas frames) and the as-of day."""

    start: date
    end: date
    as_of: date | None
    as_of_note: str
    as_of_default: bool = False
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def build_score_tables(dossiers: pd.DataFrame, period_start, period_end, *, as_of=None,
                       pakn: pd.DataFrame | None = None, target: float | None = None) -> ScoreTables:
    """Compute every table (see :data:`FILES`) for the period; ``as_of`` None: the last day in
    the data."""
    start, end = pd.Timestamp(period_start).date(), pd.Timestamp(period_end).date()
    chosen = as_of is not None
    as_of = default_as_of(dossiers) if as_of is None else pd.Timestamp(as_of).date()
    watch = watchlist(dossiers, as_of, end, period_start=start)
    lost, lost_codes = points_lost(dossiers, start, end)
    frames = {
        "score": score_table(dossiers, start, end, pakn=pakn),
        "lost": lost, "lost_dossiers": lost_codes,
        "watchlist": watch,
        "what_if": what_if(dossiers, as_of, start, end, target=target) if as_of else pd.DataFrame(),
        "finish_by": finish_by(watch),
        "processing": processing_times(dossiers, start, end),
        "pareto": late_pareto(dossiers, start, end),
        "definitions": on_time_definitions(dossiers, start, end),
        "integrity": integrity_checks(dossiers, start, end),
        "integrity_dossiers": integrity_dossiers(dossiers, start, end),
    }
    return ScoreTables(start, end, as_of, watch.attrs.get("note", ""), not chosen, frames)


def write_score_files(dossiers: pd.DataFrame, period_start, period_end, out_dir, as_of=None, *,
                      pakn: pd.DataFrame | None = None, target: float | None = None) -> ScoreTables:
    """Build the tables and write them as UTF-8 CSV into ``out_dir`` (one atomic write each).

    Returns the :class:`ScoreTables` written (for the report sections).
    """
    return write_score_tables(build_score_tables(dossiers, period_start, period_end, as_of=as_of, pakn=pakn,
                                                 target=target), out_dir)


def write_score_tables(tables: ScoreTables, out_dir) -> ScoreTables:
    """Write tables already built (:func:`build_score_tables`) as :func:`write_score_files` does."""
    out = Path(out_dir)
    for key, name in FILES.items():
        frame = tables.frames[key]
        atomic_write(out / name, lambda p, f=neutralise_frame(frame): f.to_csv(p, index=False, encoding="utf-8"))
    meta = {"period_start": tables.start.isoformat(), "period_end": tables.end.isoformat(),
            "as_of": tables.as_of.isoformat() if tables.as_of else None, "as_of_default": tables.as_of_default,
            "as_of_note": tables.as_of_note, "files": FILES}
    write_text_atomic(out / META_FILE, json.dumps(meta, ensure_ascii=False, indent=2))
    return tables


def read_score_files(folder) -> ScoreTables:
    """Read back what :func:`write_score_files` wrote into ``folder`` (for the report, which
    reads outputs only): text cells empty rather than missing, ``*_at`` columns as datetimes,
    item codes as text."""
    folder = Path(folder)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    frames = {}
    for key, name in FILES.items():
        try:
            frame = pd.read_csv(folder / name, dtype={"item": "str", "group": "str", "procedure_code": "str"})
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame()
        for column in frame.columns:
            if column.endswith("_at") or column == "due_day":
                frame[column] = pd.to_datetime(frame[column])
            elif pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
                frame[column] = frame[column].fillna("")
        frames[key] = frame
    day = meta.get("as_of")
    return ScoreTables(date.fromisoformat(meta["period_start"]), date.fromisoformat(meta["period_end"]),
                       date.fromisoformat(day) if day else None, meta.get("as_of_note", ""),
                       bool(meta.get("as_of_default")), frames)


def _cell(frame: pd.DataFrame, unit: str, column: str, **where):
    rows = frame[frame["unit_code"] == unit]
    for key, value in where.items():
        rows = rows[rows[key] == value]
    return rows[column].iloc[0] if len(rows) else None


def markdown_sections(tables: ScoreTables, unit: str = "ALL") -> str:
    """Short Vietnamese Markdown: the estimate, the watch list, where time is lost, the checks.

    Every number is a cell of ``tables.frames`` (formatted with :mod:`cchc_analysis.fmt`).
    """
    f = tables.frames
    score = f["score"]
    lines = ["## Ước tính chỉ số phục vụ (Quyết định 766)", ""]
    total, estimable = _cell(score, unit, "points", item=TOTAL_ITEM), _cell(score, unit, "note", item=TOTAL_ITEM)
    lines.append(
        f"Ước tính từ dữ liệu xuất của đơn vị, kỳ {fmt.date_short(tables.start)}–{fmt.date_short(tables.end)}: "
        f"**{fmt.number(total, 2)} điểm** ({estimable}). Điểm chính thức do Cổng DVCQG chấm; các mục cần dữ liệu "
        "của Cổng không được ước đoán.")
    progress = score[(score["unit_code"] == unit) & (score["item"] == "2.1")]
    if len(progress) and pd.notna(progress["points"].iloc[0]):
        row = progress.iloc[0]
        lines.append(f"Mục 2.1 (tiến độ giải quyết): {fmt.number(row['numerator'], 0)}/{fmt.number(row['denominator'], 0)} "
                     f"hồ sơ trước hạn, đúng hạn hoặc đang trong hạn ({fmt.percent(row['ratio'])}), "
                     f"{fmt.number(row['points'], 2)}/{fmt.number(row['max_points'], 0)} điểm.")
    lines += ["", "## Danh sách hồ sơ cần theo dõi", ""]
    if tables.as_of_note:
        lines.append(tables.as_of_note)
    else:
        watch = f["watchlist"]
        counts = watch["state"].value_counts()
        chosen = " (ngày cuối có trong dữ liệu)" if tables.as_of_default else ""
        lines.append(f"Tính đến ngày {fmt.date_short(tables.as_of)}{chosen}: "
                     f"{fmt.number(counts.get('due_soon', 0), 0)} hồ sơ sắp đến hạn trước khi hết kỳ, "
                     f"{fmt.number(counts.get('overdue', 0), 0)} hồ sơ đã quá hạn.")
        wi = f["what_if"]
        if len(wi) and unit in set(wi["unit_code"]):
            lines.append(f"Nếu mọi hồ sơ sắp đến hạn được giải quyết đúng hạn: tỷ lệ mục 2.1 đạt "
                         f"{fmt.percent(_cell(wi, unit, 'rate_if_all'))} ({fmt.number(_cell(wi, unit, 'points_if_all'), 2)} điểm); "
                         f"nếu không hồ sơ nào được giải quyết: {fmt.percent(_cell(wi, unit, 'rate_if_none'))} "
                         f"({fmt.number(_cell(wi, unit, 'points_if_none'), 2)} điểm).")
            short = wi[(wi["message"] != "") & ~wi["unit_code"].isin(["ALL", "tinh", "huyen", "xa"])]
            names = refdata.unit_names()
            lines += [f"- {names.get(r.unit_code, r.unit_code)}: {r.message}." for r in short.itertuples()]
    lines += ["", "## Thời gian bị mất ở đâu", ""]
    pareto = f["pareto"]
    if len(pareto):
        top = pareto.iloc[0]
        place = refdata.unit_names().get(top["unit_code"], top["unit_code"])
        lines.append(f"Cặp thủ tục × đơn vị có nhiều hồ sơ trễ nhất: thủ tục {top['procedure_code']} tại {place} "
                     f"({fmt.number(top['late'], 0)} hồ sơ, {fmt.percent(top['share'])} số hồ sơ trễ).")
    over = f["processing"]
    over = over[over["p80_over_statute"].fillna(False).astype(bool)]
    lines.append(f"Số thủ tục có P80 thời gian xử lý vượt thời hạn luật định: {fmt.number(len(over), 0)}.")
    defs = f["definitions"]
    lines += ["", "Các cách tính tỷ lệ đúng hạn (toàn địa bàn):", ""]
    lines += [f"- {r.label}: {fmt.percent(r.value)}" + (f" — dùng cho {r.quoted_by}" if r.quoted_by else "")
              for r in defs[defs["unit_code"] == "ALL"].itertuples()]
    lines += ["", "## Kiểm tra tính xác thực của số liệu", ""]
    checks = f["integrity"]
    overall = checks[checks["unit_code"] == "ALL"]
    lines += [f"- {r.note}: {fmt.number(r.count, 0)} hồ sơ" for r in overall.itertuples()] or ["Không phát hiện dấu hiệu bất thường."]
    return "\n".join(lines) + "\n"
