"""Quarterly indicators, form 06, comparisons and targets (DESIGN §7–§8): ``cchc indicators``.

Public names:

* one function per indicator (:mod:`.core`): ``on_time_rate``, ``on_time_rate_766``,
  ``online_rate``, ``full_online_rate``, ``digitised_input_rate``, ``digitised_result_rate``,
  ``reuse_rate``, ``online_payment_rate``, ``apology_rate``, ``avg_processing_days``,
  ``pakn_handled_rate``, ``pakn_on_time_rate``, ``edoc_rate`` (each returns the per-row
  numerator and denominator contributions as a :class:`Ratio`) and ``one_stop_long`` (from the
  catalogue); ``ratio_value`` turns summed counts into a value;
* ``build_quarter``, ``QuarterTables`` (:mod:`.quarter`), ``write_quarter``, ``read_quarter``
  (:mod:`.files`);
* ``write_form06_xlsx`` (:mod:`.form06_xlsx`);
* ``write_period`` (:mod:`.publish`): the tables, the score files and the report pack;
* the command: ``add_arguments(parser)``, ``run(args)``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .. import config, engines, store
from ..errors import InputError
from .core import (
    DOSSIER_INDICATORS,
    EDOC_INDICATORS,
    PAKN_INDICATORS,
    Ratio,
    apology_rate,
    avg_processing_days,
    digitised_input_rate,
    digitised_result_rate,
    edoc_rate,
    full_online_rate,
    on_time_rate,
    on_time_rate_766,
    online_payment_rate,
    online_rate,
    pakn_flags,
    pakn_handled_rate,
    pakn_on_time_rate,
    ratio_value,
    reuse_rate,
)
from .form06_xlsx import write_form06_xlsx
from .files import read_quarter, write_quarter
from .publish import write_period
from .quarter import INDICATOR_ORDER, QuarterTables, below_target, build_quarter, ranking
from .rollup import one_stop_long

__all__ = [
    "DOSSIER_INDICATORS",
    "EDOC_INDICATORS",
    "INDICATOR_ORDER",
    "PAKN_INDICATORS",
    "QuarterTables",
    "Ratio",
    "add_arguments",
    "apology_rate",
    "avg_processing_days",
    "below_target",
    "build_quarter",
    "digitised_input_rate",
    "digitised_result_rate",
    "edoc_rate",
    "full_online_rate",
    "on_time_rate",
    "on_time_rate_766",
    "one_stop_long",
    "online_payment_rate",
    "online_rate",
    "pakn_flags",
    "pakn_handled_rate",
    "pakn_on_time_rate",
    "ranking",
    "ratio_value",
    "read_quarter",
    "require_dossiers",
    "reuse_rate",
    "run",
    "write_form06_xlsx",
    "write_period",
    "write_quarter",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``cchc indicators``."""
    parser.add_argument("--quarter", default=config.DEFAULT_QUARTER,
                        help="report period of any kind: a quarter 2024Q1 (quý I/2024), 2024H1 "
                             "(6 tháng đầu năm 2024), 2024M9 (9 tháng) or 2024Y (năm 2024) "
                             "(default %(default)s)")
    parser.add_argument("--period", choices=("calendar", "nd09"), default=config.DEFAULT_PERIOD,
                        help="reporting convention (default %(default)s)")
    parser.add_argument("--engine", choices=("pandas", "polars", "duckdb", "dask", "pyspark"), default=config.DEFAULT_ENGINE,
                        help="dataframe engine (same results on every engine; default %(default)s)")
    parser.add_argument("--scheduler", default=None,
                        help="dask: scheduler address tcp://HOST:8786 (default: $DASK_SCHEDULER_ADDRESS, "
                             "else a local cluster sized to the machine)")
    parser.add_argument("--spark-master", default=None,
                        help="pyspark: master URL (default: $SPARK_MASTER, else local[*]); needs Java")
    parser.add_argument("--processed", type=Path, default=config.PROCESSED_DIR,
                        help="cleaned tables written by `cchc clean` (default %(default)s)")
    parser.add_argument("--out", type=Path, default=config.OUTPUT_DIR,
                        help="output folder; files go to OUT/<quarter>/ (default %(default)s)")
    parser.add_argument("--as-of", dest="as_of", default=None, metavar="DAY",
                        help="watch-list day YYYY-MM-DD (default: the last day present in the data)")


def require_dossiers(processed_dir: str | Path, quarter, period: str = config.DEFAULT_PERIOD) -> None:
    """Refuse a period with no dossier in the processed data (issue 13: never a success report
    on no data).

    A period has dossiers when a counted dossier was received in it (the rule
    ``build_quarter`` uses to count it). Reads two columns of the dossier table.

    Raises
    ------
    InputError
        One Vietnamese line naming the period and the date range of the data present
        (``cchc indicators`` and ``cchc run`` exit with code 1, writing nothing).
    """
    import pyarrow.dataset as pads

    from .. import schema
    from ..periods import Period

    q = Period.parse(quarter)
    start, end = q.bounds(period)
    path = Path(processed_dir) / "dossiers.parquet"
    if not path.exists():
        raise InputError(path, "not found; run `cchc clean` first")
    data = pads.dataset(path, format="parquet", partitioning="hive")
    columns = [c for c in ("received_at", "status") if c in data.schema.names]
    table = data.to_table(columns=columns).to_pandas()
    counted = table["received_at"].notna()
    if "status" in table:
        counted &= table["status"].notna() & ~table["status"].isin(list(schema.NOT_COUNTED_STATUSES))
    days = pd.DatetimeIndex(table.loc[counted, "received_at"].dt.normalize().unique()).sort_values()
    if ((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))).any():
        return
    span = (f"dữ liệu hiện có gồm hồ sơ tiếp nhận từ {days.min():%d/%m/%Y} đến {days.max():%d/%m/%Y}"
            if len(days) else "dữ liệu không có hồ sơ nào")
    raise InputError(
        path,
        f"kỳ {q} ({start:%d/%m/%Y}–{end:%d/%m/%Y}) không có hồ sơ nào trong dữ liệu; {span}. "
        "Không lập báo cáo cho kỳ không có dữ liệu.",
    )


def run(args: argparse.Namespace) -> int:
    """Build the quarter's tables from the processed folder and write them atomically.

    A period without any dossier is refused (:func:`require_dossiers`, exit code 1), nothing
    is written.
    """
    processed_dir = Path(args.processed)
    if not (processed_dir / "dossiers.parquet").exists():
        raise InputError(processed_dir / "dossiers.parquet", "not found; run `cchc clean` first")
    require_dossiers(processed_dir, args.quarter, args.period)
    engine = args.engine
    address = getattr(args, "scheduler", None) if engine == "dask" else getattr(args, "spark_master", None)
    engines.connect(engine, address)
    # Every engine reads the dossiers per period from the parquet (a single file or the
    # partitioned layout): only the columns and the in-scope rows the counts need, never the
    # whole table in pandas.
    processed = store.load_processed(processed_dir)
    try:
        tables = build_quarter(processed, args.quarter, period=args.period, engine=engine)
    finally:
        engines.shutdown()
    files = write_period(tables, processed, args.out, as_of=_as_of_day(getattr(args, "as_of", None)))
    folder = files["folder"]
    all_row = tables.indicators.query("unit_code == 'ALL' and field == 'ALL' and indicator == 'on_time_rate'")
    value = all_row["value"].iloc[0] if len(all_row) else float("nan")
    print(
        f"{tables.quarter} ({tables.period}, {tables.start:%d/%m/%Y}–{tables.end:%d/%m/%Y}): "
        f"{int(tables.form06.iloc[0]['received_total'])} hồ sơ, on-time {value:.1f}% -> {folder}"
    )
    print(f"  dự thảo báo cáo: {files['docx'].name}, phụ lục số liệu: {files['xlsx'].name}, "
          f"nhập tay: {files['manual']}")
    return 0


def _as_of_day(text: str | None):
    """``--as-of`` as a date, or None; a clear error for anything but YYYY-MM-DD."""
    if text is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        from ..errors import CchcError

        raise CchcError(f"--as-of: expected a day YYYY-MM-DD, not '{text}'") from None
