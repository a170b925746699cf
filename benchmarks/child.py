"""One benchmark measurement, run in a fresh interpreter by :mod:`benchmarks.run`.

``python -m benchmarks.child KIND ROWS [OPTION]`` prepares (imports, input paths: not timed),
runs the step once (timed with ``perf_counter``) and prints one line
``BENCH_RESULT {"seconds": ..., "peak_mb": ..., "base_mb": ..., "extra": {...}}``. ``peak_mb``
is the larger of the process's own peak (``VmHWM``; ``ru_maxrss`` would include the RSS of
the harness that forked it) and ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (kernels and
worker processes of ``cchc run``); ``base_mb`` is the RSS just before the timed section.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from . import datagen  # noqa: F401  (light: numpy + pyarrow; spawned fan-out workers re-import it)


def _rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except Exception:  # pragma: no cover
        return float("nan")


def _peak_mb() -> float:
    """Peak RSS of this process (VmHWM: reset at exec, unlike ``ru_maxrss``, which a child
    inherits from the process that forked it) or of its largest waited-for child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):  # pragma: no cover - not Linux
        pass
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # kilobytes


# --------------------------------------------------------------------------- steps
# Each ``prepare_<kind>(rows, option)`` returns a zero-argument callable: the timed step.


def prepare_xlsx_ours(rows, option):
    """Our reader path: read_export (calamine, header, line classes) + typed_dossiers."""
    from cchc_analysis.ingest import load_header_aliases, read_export
    from cchc_analysis.ingest.tables import available_catalogue, typed_dossiers

    path = datagen.xlsx_path(rows)
    aliases, catalogue = load_header_aliases(), available_catalogue()

    def step():
        exports = read_export(path, path.name, aliases)
        frame = exports[0].rows.assign(source_file=exports[0].source_file)
        typed = typed_dossiers(frame, catalogue)
        return {"clean_rows": int(typed["reason"].eq("").sum()), "rows": len(typed)}

    return step


def prepare_xlsx_floor(rows, option):
    import pandas as pd

    path = datagen.xlsx_path(rows)
    return lambda: {"rows": len(pd.read_excel(path, engine="calamine"))}


def prepare_clean_ours(rows, option):
    from cchc_analysis import clean

    raw = datagen.csv_dir(rows)
    out = Path(tempfile.mkdtemp(prefix="bench_clean_")) / "processed"

    def step():
        result = clean.clean(raw, out)
        return {"clean_rows": len(result.dossiers), "quarantined": len(result.quarantine)}

    return step


def prepare_clean_floor(rows, option):
    import pyarrow.csv as pacsv

    path = datagen.csv_path(rows)
    return lambda: {"rows": pacsv.read_csv(path).num_rows}


def _table_mb(path) -> float:
    """In-memory size of the clean table as pandas (``load_processed``: ``memory_usage(deep=True)``),
    in MB, summed over batches of one column at a time, so that measuring it does not
    raise the peak memory of the process the step is measured in."""
    import pyarrow.parquet as pq

    from cchc_analysis import schema

    parquet = pq.ParquetFile(path)
    total = 0
    for name, dtype in schema.DOSSIER_COLUMNS.items():
        for batch in parquet.iter_batches(batch_size=250_000, columns=[name]):
            chunk = batch.to_pandas()[name].astype(dtype)
            total += int(chunk.memory_usage(deep=True, index=False))
    return round(total / 2**20, 1)


def _reset_peak() -> None:
    """Start the process's peak memory (``VmHWM``) afresh from its current RSS (Linux
    ``/proc/self/clear_refs``), after untimed preparation that is not part of the step."""
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:  # pragma: no cover - not Linux, or not allowed: the peak stays conservative
        pass


def prepare_indicators_ours(rows, engine):
    """The package path of ``cchc indicators --engine ENGINE`` for one quarter from the clean
    parquet: ``scale.DossierDataset(path).on_engine(engine).counts(start, end)`` (the reader
    gets the in-scope filter and the counted columns: pyarrow for pandas, the engine's own scan
    otherwise; working days and statutory due on the in-scope rows; outcome flags + one
    group-by; the group keys from one pass over the 4 key columns), then ``rollup_dossiers`` +
    ``_long`` (ALL/level/centre/unit × field, ratios). ``table_mb`` (the clean table's size as
    pandas, for the memory target) is measured before the timed section, one column at a time,
    and the peak memory restarts from the current RSS after it.
    """
    import narwhals  # noqa: F401  (imports outside the timed section)
    import polars  # noqa: F401
    import duckdb  # noqa: F401

    from cchc_analysis import periods, scale, workdays
    from cchc_analysis.indicators import core, tables

    path = datagen.parquet_path(rows)
    q = periods.Quarter.parse(datagen.BENCH_QUARTER)
    start, end = q.bounds("calendar")
    workdays.is_working_day(__import__("numpy").datetime64("2024-01-01"))  # calendar built
    table_mb = _table_mb(path)
    _reset_peak()  # the size measurement is not part of the step's peak

    def step():
        dataset = scale.DossierDataset(path).on_engine(engine)
        fine = dataset.counts(start, end)
        rolled = tables.rollup_dossiers(fine)
        long = tables._long(rolled, list(core.DOSSIER_INDICATORS), tables._scales())
        return {"groups": len(rolled), "indicator_rows": len(long), "table_mb": table_mb}

    return step


def prepare_build_quarter(rows, engine):
    """``indicators.build_quarter`` (current, previous, year-ago and 8 history quarters) as
    ``cchc indicators`` runs it: the dossiers as ``scale.DossierDataset`` over the parquet."""
    import types

    import pandas as pd

    from cchc_analysis import scale, schema
    from cchc_analysis.indicators import build_quarter

    path = datagen.parquet_path(rows)

    def step():
        processed = types.SimpleNamespace(
            dossiers=scale.DossierDataset(path), pakn=schema.empty_frame(schema.PAKN_COLUMNS),
            edocs=schema.empty_frame(schema.EDOC_COLUMNS),
            quarantine=pd.DataFrame(columns=schema.QUARANTINE_COLUMNS),
            reconciliation=pd.DataFrame(columns=schema.RECONCILIATION_COLUMNS), meta={})
        t = build_quarter(processed, datagen.BENCH_QUARTER, engine=engine)
        return {"form06_rows": len(t.form06), "indicator_rows": len(t.indicators)}

    return step


def prepare_indicators_sql(rows, option):
    import duckdb

    from cchc_analysis import periods

    from . import anchor_sql

    path = datagen.parquet_path(rows)
    start, end = periods.Quarter.parse(datagen.BENCH_QUARTER).bounds("calendar")

    def step():
        con = duckdb.connect()
        try:
            out = anchor_sql.run_query(path, start, end, con=con)
        finally:
            con.close()
        return {"groups": len(out)}

    return step


def _dates(rows):
    import numpy as np

    rng = np.random.default_rng(0)
    base = np.datetime64("2023-01-01T00:00", "us")
    received = base + rng.integers(0, 3 * 365 * 86_400, rows).astype("timedelta64[s]")
    finished = received + rng.integers(0, 30 * 86_400, rows).astype("timedelta64[s]")
    received[::1000] = np.datetime64("NaT")
    return received, finished, rng.integers(0, 30, rows)


def prepare_workdays_ours(rows, option):
    from cchc_analysis import workdays

    received, finished, steps = _dates(rows)
    workdays.is_working_day(received[1])  # build the calendar outside the timed section

    def step():
        workdays.add_working_days(received, steps)
        workdays.working_days_between(received, finished)
        return {}

    return step


def prepare_workdays_floor(rows, option):
    """numpy busday_offset + busday_count with the same holidays (no make-up Saturdays)."""
    import numpy as np

    from cchc_analysis import workdays

    received, finished, steps = _dates(rows)
    table = workdays.working_days_table()
    weekday = table["day"].dt.dayofweek < 5
    holidays = table.loc[weekday & ~table["is_working_day"], "day"].to_numpy().astype("datetime64[D]")
    cal = np.busdaycalendar(holidays=holidays)
    ok = ~np.isnat(received)

    def step():
        r = received[ok].astype("datetime64[D]")
        np.busday_offset(r, steps[ok], roll="forward", busdaycal=cal)
        np.busday_count(r, finished[ok].astype("datetime64[D]"), busdaycal=cal)
        return {}

    return step


def _run_dirs():
    tmp = Path(tempfile.mkdtemp(prefix="bench_run_"))
    return tmp / "processed", tmp / "outputs"


def prepare_run_ours(rows, option):
    """``cchc run --quarter 2024Q1 --clean`` on the shipped sample (3 notebooks + HTML)."""
    from cchc_analysis import config
    from cchc_analysis.run import run_quarter

    processed, outputs = _run_dirs()

    def step():
        batch = run_quarter(config.DEFAULT_QUARTER, raw_dir=config.SAMPLE_DIR,
                            processed_dir=processed, output_dir=outputs, force_clean=True,
                            progress=False)
        if not batch.ok:
            raise RuntimeError("; ".join(f"{r.task.notebook}: {r.error}" for r in batch.failures))
        return {r.task.notebook: round(r.duration_s, 2) for r in batch.results}

    return step


EMPTY_NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "c0",
                             "metadata": {"tags": ["parameters"]}, "outputs": [],
                             "source": "quarter = '2024Q1'"}],
                  "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                              "name": "python3"},
                               "language_info": {"name": "python"}},
                  "nbformat": 4, "nbformat_minor": 5}


def prepare_run_floor(rows, option):
    """papermill on an empty notebook three times + one nbconvert HTML export."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    tmp = Path(tempfile.mkdtemp(prefix="bench_floor_"))
    src = tmp / "empty.ipynb"
    src.write_text(json.dumps(EMPTY_NOTEBOOK), encoding="utf-8")

    def step():
        for i in range(3):
            papermill.execute_notebook(str(src), str(tmp / f"out{i}.ipynb"), progress_bar=False,
                                       log_output=False, cwd=str(tmp))
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(
            nbformat.read(str(tmp / "out2.ipynb"), as_version=4))
        (tmp / "out.html").write_text(body, encoding="utf-8")
        return {}

    return step


def prepare_run_compute(rows, option):
    """What the three notebooks compute, in this process and without kernels: 01 (clean +
    summary), 02 (build, write and show the quarter's tables), 03 (load the tables, charts
    saved, report shown: charts as PNG, narrative). Displays go to a null stdout."""
    import contextlib
    import io

    from cchc_analysis import charts, clean, config
    from cchc_analysis import notebook_display as nd
    from cchc_analysis.indicators import build_quarter, write_quarter

    processed, outputs = _run_dirs()
    quarter, period = config.DEFAULT_QUARTER, config.DEFAULT_PERIOD

    def step():
        with contextlib.redirect_stdout(io.StringIO()):
            nd.show_clean_summary(clean.clean(config.SAMPLE_DIR, processed))
            tables = build_quarter(clean.load_processed(processed), quarter, period=period)
            write_quarter(tables, outputs)
            nd.show_quarter_tables(tables, None)
            report = nd.load_report_tables(outputs, quarter, period, None)
            charts.save_all(report, outputs)
            nd.show_report(report, None)
        return {}

    return step


def prepare_fanout(rows, jobs):
    """``cchc run --quarter 2024Q1 --units <10 units> --jobs N`` with clean tables up to date;
    the timed figure is the report fan-out (total minus the 02_indicators notebook)."""
    from cchc_analysis import clean, config
    from cchc_analysis.run import run_quarter, units_in_quarter

    processed, outputs = _run_dirs()
    clean.clean(config.SAMPLE_DIR, processed)
    units = ",".join(units_in_quarter(config.DEFAULT_QUARTER)[:10])

    def step():
        began = time.perf_counter()
        batch = run_quarter(config.DEFAULT_QUARTER, units=units, jobs=int(jobs),
                            raw_dir=config.SAMPLE_DIR, processed_dir=processed,
                            output_dir=outputs, progress=False, rebuild=True)
        total = time.perf_counter() - began
        if not batch.ok:
            raise RuntimeError("; ".join(f"{r.task.notebook}: {r.error}" for r in batch.failures))
        before = sum(r.duration_s for r in batch.results if r.task.notebook != "03_report")
        return {"_seconds": total - before, "total_s": round(total, 2),
                "reports": sum(r.task.notebook == "03_report" for r in batch.results)}

    return step


def main(argv: list[str]) -> int:
    kind, rows = argv[0], int(argv[1])
    option = argv[2] if len(argv) > 2 else None
    step = globals()[f"prepare_{kind}"](rows, option)
    base = _rss_mb()
    cpu0 = os.times()
    began = time.perf_counter()
    extra = step() or {}
    seconds = time.perf_counter() - began
    cpu1 = os.times()
    # CPU time of the step: this process (all threads) + waited-for children (kernels, workers).
    extra["cpu_s"] = round(sum(cpu1[i] - cpu0[i] for i in range(4)), 2)
    seconds = extra.pop("_seconds", seconds)
    print("BENCH_RESULT " + json.dumps({"seconds": seconds, "peak_mb": round(_peak_mb(), 1),
                                        "base_mb": round(base, 1), "extra": extra}), flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
