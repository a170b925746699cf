"""What a batch run reads: input hashes, the last clean's record, the quarter and units to build."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import sys
from pathlib import Path

from .. import config
from ..errors import CchcError, InputError


def without_iri_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (it builds a lark grammar at import:
    ~1 s, several under load, at every start of nbformat, papermill or nbconvert).

    jsonschema imports it only to check the ``iri`` format, inside ``suppress(ImportError)``;
    the notebook schemas use no such format. Call before the first import of those tools.
    """
    sys.modules.setdefault("rfc3987_syntax", None)





def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def raw_file_hashes(raw_dir: str | Path) -> dict[str, str]:
    """sha256 of every raw export in ``raw_dir`` (sub-folders included), as the cleaner sees them.

    Parameters
    ----------
    raw_dir
        The folder of raw exports.

    Returns
    -------
    dict
        Path relative to ``raw_dir`` (POSIX form, e.g. ``dossiers_q1.xlsx``) -> sha256, for the
        files :func:`cchc_analysis.clean.export_files` reads (not hidden files, ``README*``,
        ``~$`` lock files, ``.json`` or ``.md`` notes), sorted by name. Empty if the folder does
        not exist or holds no export.
    """
    from ..clean import export_files
    from ..errors import InputError

    raw_dir = Path(raw_dir)
    try:
        files = export_files(raw_dir)
    except InputError:
        return {}
    return {p.relative_to(raw_dir).as_posix(): sha256_file(p) for p in files}


def read_clean_meta(processed_dir: str | Path) -> dict | None:
    """``clean_meta.json`` of the last clean, or ``None`` if there is none (or it is unreadable)."""
    path = Path(processed_dir) / "clean_meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def raw_changed(raw_dir: str | Path, processed_dir: str | Path) -> bool:
    """Whether the raw exports differ from those the last clean read.

    The cleaner records ``{"files": {name: sha256}}`` in ``clean_meta.json``. The raw folder
    has changed when there is no record or no ``dossiers.parquet``, when a recorded file is
    gone or has another hash, or when an export file (see :func:`raw_file_hashes`) is present
    that the record does not list. A recorded name may be the path relative to ``raw_dir`` or the
    bare file name; both are matched. Files the cleaner recorded that are not exports (e.g.
    ``SYNTHETIC.json``) are compared too.

    Parameters
    ----------
    raw_dir, processed_dir
        The raw exports and the cleaner's output folder.

    Returns
    -------
    bool
        ``True`` when ``01_clean`` must run.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    meta = read_clean_meta(processed_dir)
    if not meta or not isinstance(meta.get("files"), dict):
        return True
    if not (processed_dir / "dossiers.parquet").exists():
        return True
    recorded: dict[str, str] = meta["files"]
    for name, digest in recorded.items():
        candidates = [raw_dir / name]
        if not candidates[0].exists():
            candidates = [p for p in raw_dir.rglob(Path(name).name) if p.is_file()]
        if len(candidates) != 1 or not candidates[0].is_file():
            return True
        if sha256_file(candidates[0]) != digest:
            return True
    recorded_names = set(recorded) | {Path(n).name for n in recorded}
    for rel in raw_file_hashes(raw_dir):
        if rel not in recorded_names and Path(rel).name not in recorded_names:
            return True
    return False


def latest_complete_quarter(processed_dir: str | Path, period: str = config.DEFAULT_PERIOD,
                            kind: str | None = None) -> str:
    """The latest quarter (or period of ``kind``) that has ended by the last day dossiers were received.

    Parameters
    ----------
    processed_dir
        Folder holding ``dossiers.parquet``.
    period
        ``calendar`` or ``nd09`` (the quarter ends on the 14th of its last month).
    kind
        ``None`` for a quarter (what ``cchc run`` builds by default), or a cumulative kind
        ``H1``, ``M9``, ``Y`` (:func:`latest_complete_quarter_on`).

    Returns
    -------
    str
        E.g. ``"2024Q1"``: with dossiers received up to 2024-04-10 (calendar) it is 2024Q1,
        since 2024Q2 ends on 2024-06-30; with data up to 2024-03-31 it is 2024Q1 as well.

    Raises
    ------
    CchcError
        If there is no processed dossier table, or it has no received date.
    """
    import pandas as pd

    path = Path(processed_dir) / "dossiers.parquet"
    if not path.exists():
        raise InputError(
            path, f"chưa có hồ sơ đã làm sạch trong {path.parent.name}/: chạy `cchc clean` (hoặc 01_clean) trước"
        )
    received = pd.read_parquet(path, columns=["received_at"])["received_at"]
    last = received.max()
    if pd.isna(last):
        raise InputError(path, "không có ngày tiếp nhận nào: không chọn được quý")
    return str(latest_complete_quarter_on(pd.Timestamp(last).date(), period, kind))


def latest_complete_quarter_on(day: _dt.date, period: str = config.DEFAULT_PERIOD, kind: str | None = None):
    """The latest quarter (or period of ``kind``) whose last day (under ``period``) is on or before ``day``.

    Returns
    -------
    cchc_analysis.periods.Quarter or cchc_analysis.periods.Period
        ``latest_complete_quarter_on(date(2024, 3, 31))`` is 2024Q1,
        ``latest_complete_quarter_on(date(2024, 3, 30))`` is 2023Q4; under ``nd09``
        2024-03-14 closes 2024Q1. With ``kind="H1"`` (a :class:`Period`): 2024-07-10 gives
        2024H1, 2024-06-29 gives 2023H1.
    """
    from ..periods import Period, Quarter

    quarter = Quarter.of(day, period)
    quarter = quarter if quarter.bounds(period)[1] <= day else quarter.previous()
    if kind is None:
        return quarter
    same_year = Period(quarter.year, kind)
    return same_year if same_year.quarters()[-1] <= quarter else same_year.year_ago()


def units_in_quarter(quarter: str, period: str = config.DEFAULT_PERIOD) -> list[str]:
    """Codes of the units that exist at some time in the report period (a quarter, 6 tháng,
    9 tháng or năm), in reference order.

    A unit abolished or created during the period is included (it has dossiers for part of
    it). Reception centres that are not units (``hcc-huong-thuy``) are not included.
    """
    from ..periods import Period
    from ..refdata import load_units

    import pandas as pd

    start, end = Period.parse(quarter).bounds(period)
    units = load_units()
    ok = (units["valid_from"].isna() | (units["valid_from"] <= pd.Timestamp(end))) & (
        units["valid_to"].isna() | (units["valid_to"] >= pd.Timestamp(start))
    )
    return list(units.loc[ok, "code"])


def select_units(spec: str | None, quarter: str, period: str = config.DEFAULT_PERIOD) -> list[str]:
    """Resolve ``--units``: ``None`` -> none, ``all`` -> every unit of the quarter, else a list.

    Raises
    ------
    CchcError
        If a code is not a unit of the quarter (the message lists the valid codes).
    """
    if not spec:
        return []
    valid = units_in_quarter(quarter, period)
    if spec.strip().lower() == "all":
        return valid
    wanted = [code.strip() for code in spec.split(",") if code.strip()]
    unknown = [code for code in wanted if code not in valid]
    if unknown:
        from ..periods import Period

        report_period = Period.parse(quarter)
        span = "kỳ" if report_period.is_cumulative else "quý"
        raise CchcError(
            f"mã đơn vị {', '.join(unknown)} không có trong {span} {report_period}; "
            f"các mã hợp lệ: {', '.join(valid)} (xem `cchc units`)"
        )
    return list(dict.fromkeys(wanted))


# --------------------------------------------------------------------------- execution
