"""``make bench``: province-scale benchmarks against DuckDB and against the floor (issue 7).

Run::

    .venv/bin/python -m benchmarks.run                 # everything (~15 min on 2 cores)
    .venv/bin/python -m benchmarks.run --quick         # small sizes, 1 run each (smoke test)
    .venv/bin/python -m benchmarks.run --only indicators --only workdays
    .venv/bin/python -m benchmarks.run --repeats 5 --out /tmp/bench.json

Every measurement runs in a fresh interpreter (:mod:`benchmarks.child`): one warm-up run, then
the median of ``--repeats`` runs (1 for the 5M-row and 1M-row clean steps unless
``--repeats-large``). Wall time is the step itself (imports and input generation excluded);
peak memory is the child's ``ru_maxrss`` (its own or its children's, whichever is larger).
Inputs are generated once into ``benchmarks/data/`` (:mod:`benchmarks.datagen`). Results go to
``benchmarks/results/latest.json`` (a list of objects with ``step, rows, ours_s, anchor,
anchor_s, ratio, peak_mb`` plus ``target``, ``met`` and ``note``) and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import datagen

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
GROUPS = ("xlsx", "clean", "indicators", "build_quarter", "workdays", "run", "fanout", "imports",
          "scale")
ENGINES = ("pandas", "polars", "duckdb")


@dataclass
class Sizes:
    xlsx: int = 200_000
    clean: tuple[int, ...] = (100_000, 1_000_000)
    indicators: tuple[int, ...] = (1_000_000, 5_000_000)
    build_quarter: int = 1_000_000
    workdays: int = 2_000_000
    scale: int = 25_000_000  # issue 8: one national quarter, partitioned parquet
    large: int = 1_000_000  # steps at or above this many rows run ``repeats_large`` times


QUICK = Sizes(xlsx=2_000, clean=(5_000,), indicators=(20_000,), build_quarter=20_000,
              workdays=200_000, scale=50_000, large=10**12)


@dataclass
class Measure:
    seconds: float | None
    peak_mb: float | None
    extra: dict = field(default_factory=dict)
    error: str | None = None
    runs: int = 0


class Harness:
    def __init__(self, args):
        self.args = args
        self.env = dict(os.environ)
        self.env["CCHC_REFERENCE_DIR"] = str(datagen.REFERENCE_DIR)
        self.env["CCHC_BENCH_DATA"] = str(datagen.DATA_DIR)
        if args.quick:
            self.env["CCHC_BENCH_BASE"] = "quick"
        self.env.pop("PYTHONPATH", None)
        self.env["PYTHONPATH"] = str(ROOT)
        self.cache: dict[tuple, Measure] = {}

    def _once(self, kind: str, rows: int, option, timeout: float) -> tuple[float, float, dict]:
        cmd = [sys.executable, "-m", "benchmarks.child", kind, str(rows)]
        if option is not None:
            cmd.append(str(option))
        proc = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_RESULT ")), None)
        if proc.returncode != 0 or line is None:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"exit {proc.returncode}: {tail[0][:200]}")
        data = json.loads(line[len("BENCH_RESULT "):])
        return data["seconds"], data["peak_mb"], data["extra"]

    def measure(self, kind: str, rows: int, option=None, *, warmup: bool | None = None,
                repeats: int | None = None, timeout: float | None = None) -> Measure:
        key = (kind, rows, option)
        if key in self.cache:
            return self.cache[key]
        large = rows >= self.args.sizes.large
        repeats = repeats or (self.args.repeats_large if large else self.args.repeats)
        warmup = (not self.args.quick and not large) if warmup is None else warmup
        timeout = timeout or self.args.timeout
        times, peaks, extra = [], [], {}
        label = f"{kind} rows={rows:,}" + (f" {option}" if option else "")
        try:
            i, total = 0, int(warmup) + repeats
            while i < total:
                began = time.perf_counter()
                s, peak, extra = self._once(kind, rows, option, timeout)
                print(f"  {label:<40} run {i + 1}: {s:8.3f} s  cpu {extra.get('cpu_s', float('nan')):7.2f} s"
                      f"  peak {peak:8.1f} MB"
                      f"  (wall {time.perf_counter() - began:.1f} s)", file=sys.stderr, flush=True)
                if i == 0 and warmup and s > self.args.slow:
                    # A slow step: its first run is the measurement (no warm-up, no repeats).
                    times.append(s)
                    peaks.append(peak)
                    break
                if i >= int(warmup):
                    times.append(s)
                    peaks.append(peak)
                i += 1
            m = Measure(statistics.median(times), max(peaks), extra, runs=len(times))
        except subprocess.TimeoutExpired:
            m = Measure(None, None, error=f"timeout > {timeout:.0f} s")
        except RuntimeError as exc:
            m = Measure(None, None, error=str(exc))
        self.cache[key] = m
        return m


def _row(step, rows, ours: Measure, anchor: str, anc: Measure | None, target: str,
         met, note: str = "") -> dict:
    ours_s = round(ours.seconds, 3) if ours.seconds is not None else f"skipped: {ours.error}"
    anchor_s = None
    if anc is not None:
        anchor_s = round(anc.seconds, 3) if anc.seconds is not None else f"skipped: {anc.error}"
    ratio = None
    if isinstance(ours_s, float) and isinstance(anchor_s, float) and anchor_s > 0:
        ratio = round(ours_s / anchor_s, 2)
    return {"step": step, "rows": rows, "ours_s": ours_s, "anchor": anchor, "anchor_s": anchor_s,
            "ratio": ratio, "peak_mb": ours.peak_mb, "target": target,
            "met": None if met is None else bool(met), "note": note,
            "ours_cpu_s": ours.extra.get("cpu_s"),
            "anchor_cpu_s": anc.extra.get("cpu_s") if anc is not None else None}


def _ok(m: Measure) -> bool:
    return m.seconds is not None


def skipped(step, rows, anchor, target, reason) -> dict:
    return _row(step, rows, Measure(None, None, error=reason), anchor, None, target, None)


# --------------------------------------------------------------------------- groups


def group_xlsx(h: Harness) -> list[dict]:
    n = h.args.sizes.xlsx
    datagen.ensure_reference()
    datagen.ensure_xlsx(n)
    ours = h.measure("xlsx_ours", n)
    floor = h.measure("xlsx_floor", n)
    met = _ok(ours) and _ok(floor) and ours.seconds <= 1.3 * floor.seconds
    note = f"{ours.extra.get('clean_rows', '?')} typed rows" if _ok(ours) else ""
    return [_row("xlsx ingestion (read_export + typed_dossiers)", n, ours,
                 "pandas.read_excel(engine=calamine)", floor, "<= 1.3x floor", met, note)]


def group_clean(h: Harness) -> list[dict]:
    out = []
    for n in h.args.sizes.clean:
        datagen.ensure_reference()
        datagen.ensure_csv(n)
        ours = h.measure("clean_ours", n, timeout=h.args.timeout_clean)
        floor = h.measure("clean_floor", n)
        met = None
        if n >= 1_000_000 or h.args.quick:
            met = _ok(ours) and _ok(floor) and ours.seconds < 15 and ours.seconds <= 8 * floor.seconds
        out.append(_row("cchc clean (national-sync CSV)", n, ours, "pyarrow.csv.read_csv", floor,
                        "< 15 s and <= 8x floor (1M rows)", met,
                        f"{ours.extra.get('clean_rows', '?')} clean rows" if _ok(ours) else ""))
    return out


def group_indicators(h: Harness) -> list[dict]:
    out = []
    targets = {"polars": 1.0, "pandas": 2.0, "duckdb": None}
    for n in h.args.sizes.indicators:
        datagen.ensure_reference()
        datagen.ensure_parquet(n)
        anchor = h.measure("indicators_sql", n)
        for engine in ENGINES:
            ours = h.measure("indicators_ours", n, engine)
            limit = targets[engine]
            met = None
            if limit is not None:
                met = _ok(ours) and _ok(anchor) and ours.seconds <= limit * anchor.seconds
            note = ""
            if _ok(ours):
                table = ours.extra.get("table_mb")
                note = f"clean table {table} MB in pandas"
                if n >= 5_000_000 and table:
                    mem_ok = ours.peak_mb <= 3 * table
                    note += f"; peak/table = {ours.peak_mb / table:.2f} (target <= 3: {'met' if mem_ok else 'MISSED'})"
            out.append(_row(f"form06 + dossier indicators, 1 quarter [{engine}]", n, ours,
                            "DuckDB SQL over parquet (anchor_sql.py)", anchor,
                            f"<= {limit}x anchor" if limit else "(no target)", met, note))
        out.append(_row("DuckDB SQL anchor itself", n, anchor, "", None, "", None))
    return out


def group_build_quarter(h: Harness) -> list[dict]:
    n = h.args.sizes.build_quarter
    datagen.ensure_reference()
    datagen.ensure_parquet(n)
    anchor = h.measure("indicators_sql", n)
    out = []
    for engine in ENGINES:
        ours = h.measure("build_quarter", n, engine, repeats=1)
        out.append(_row(f"indicators.build_quarter (3 + 8 history quarters) [{engine}]", n, ours,
                        "DuckDB SQL anchor (1 quarter)", anchor, "(context: no target)", None))
    return out


def group_workdays(h: Harness) -> list[dict]:
    n = h.args.sizes.workdays
    # Sub-second steps: warm-up and the median of --repeats even at 2M rows (not "large").
    ours = h.measure("workdays_ours", n, warmup=not h.args.quick, repeats=h.args.repeats)
    floor = h.measure("workdays_floor", n, warmup=not h.args.quick, repeats=h.args.repeats)
    met = _ok(ours) and ours.seconds < 0.5 if not h.args.quick else None
    return [_row("add_working_days + working_days_between", n, ours,
                 "numpy busday_offset + busday_count", floor, "< 0.5 s", met)]


def _notebooks_missing() -> str | None:
    from cchc_analysis import config

    missing = [n for n in ("01_clean", "02_indicators", "03_report")
               if not (config.NOTEBOOK_DIR / f"{n}.ipynb").exists()]
    return f"notebooks missing: {', '.join(missing)}" if missing else None


def group_run(h: Harness) -> list[dict]:
    anchor = "papermill empty notebook x3 + nbconvert HTML (+ pure compute)"
    target = "<= 1.5x floor + pure compute"
    if h.args.quick:
        return [skipped("cchc run --quarter 2024Q1 (sample)", None, anchor, target, "--quick")]
    reason = _notebooks_missing()
    if reason:
        return [skipped("cchc run --quarter 2024Q1 (sample)", None, anchor, target, reason)]
    ours = h.measure("run_ours", 0)
    floor = h.measure("run_floor", 0)
    compute = h.measure("run_compute", 0)
    row = _row("cchc run --quarter 2024Q1 --clean (sample)", None, ours, anchor, floor, target, None)
    if _ok(ours) and _ok(floor) and _ok(compute):
        budget = 1.5 * floor.seconds + compute.seconds
        row["met"] = ours.seconds <= budget
        row["note"] = (f"floor {floor.seconds:.2f} s, pure compute {compute.seconds:.2f} s, "
                       f"budget {budget:.2f} s; per notebook {ours.extra}")
    return [row, _row("  pure compute (clean + build/write/read quarter, no kernels)", None,
                      compute, "", None, "", None)]


def group_fanout(h: Harness) -> list[dict]:
    step = "per-unit report fan-out, 10 units (+ whole-area report)"
    if h.args.quick:
        return [skipped(step + " --jobs 2", 10, "--jobs 1", "<= 0.65x jobs 1", "--quick")]
    reason = _notebooks_missing()
    if reason:
        return [skipped(step + " --jobs 2", 10, "--jobs 1", "<= 0.65x jobs 1", reason)]
    one = h.measure("fanout", 10, 1, warmup=False, repeats=h.args.repeats_fanout)
    two = h.measure("fanout", 10, 2, warmup=False, repeats=h.args.repeats_fanout)
    met = _ok(one) and _ok(two) and two.seconds <= 0.65 * one.seconds
    return [_row(step + " --jobs 2", 10, two, "same with --jobs 1", one, "<= 0.65x jobs 1", met,
                 f"whole run jobs1 {one.extra.get('total_s')} s, jobs2 {two.extra.get('total_s')} s")]


def group_imports(h: Harness) -> list[dict]:
    """Import cost of the Jupyter tooling, with and without the rfc3987-syntax extra."""
    rows = []
    block = ("import sys; sys.modules['rfc3987_syntax'] = None; ")
    for what in ("nbformat", "papermill", "nbconvert"):
        times = {}
        for label, prefix in (("as installed", ""), ("rfc3987_syntax blocked", block)):
            code = f"{prefix}import time; t = time.perf_counter(); import {what}; print('BENCH_T', time.perf_counter() - t)"
            samples = []
            for _ in range(1 if h.args.quick else 3):
                out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=h.env,
                                     capture_output=True, text=True, timeout=120)
                line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_T")), None)
                if line:
                    samples.append(float(line.split()[1]))
            times[label] = statistics.median(samples) if samples else None
        ours = Measure(times["as installed"], None)
        anc = Measure(times["rfc3987_syntax blocked"], None)
        rows.append(_row(f"import {what}", None, ours, "same, rfc3987_syntax blocked", anc,
                         "(context)", None))
    return rows


def group_scale(h: Harness) -> list[dict]:
    """Issue 8: one quarter's counts from a partitioned dataset on every engine
    (:mod:`benchmarks.bench_scale`; Dask local cluster, PySpark where Java exists)."""
    import shutil

    from . import bench_scale

    engines = [e for e in bench_scale.ENGINES if e != "pyspark" or shutil.which("java")]
    if h.args.quick:
        engines = [e for e in engines if e not in ("dask", "pyspark")]
    return bench_scale.main(["--rows", str(h.args.sizes.scale), "--engines", ",".join(engines)])


RUNNERS = {
    "xlsx": group_xlsx, "clean": group_clean, "indicators": group_indicators,
    "build_quarter": group_build_quarter, "workdays": group_workdays, "run": group_run,
    "fanout": group_fanout, "imports": group_imports, "scale": group_scale,
}


def print_table(results: list[dict]) -> str:
    def fmt(v, spec):
        if v is None:
            return "—"
        if isinstance(v, str):
            return v
        return format(v, spec)

    lines = [f"{'step':<58} {'rows':>10} {'ours s':>9} {'anchor s':>9} {'ratio':>6} {'peak MB':>8} "
             f"{'target':<28} met  anchor/floor"]
    for r in results:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        ours = fmt(r["ours_s"], ".3f")
        lines.append(
            f"{r['step'][:58]:<58} {fmt(r['rows'], ',d'):>10} {ours[:40]:>9} "
            f"{fmt(r['anchor_s'], '.3f')[:9]:>9} {fmt(r['ratio'], '.2f'):>6} "
            f"{fmt(r['peak_mb'], '.0f'):>8} {r['target'][:28]:<28} {met:<4} {r['anchor']}"
        )
        if r.get("note"):
            lines.append(f"{'':>4}note: {r['note']}")
    text = "\n".join(lines)
    print(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (smoke test)")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only this group (repeatable)")
    parser.add_argument("--repeats", type=int, default=3, help="measured runs per step (median)")
    parser.add_argument("--repeats-large", type=int, default=1,
                        help="measured runs for steps of >= 1M rows (default 1)")
    parser.add_argument("--repeats-fanout", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per child run")
    parser.add_argument("--timeout-clean", type=float, default=600,
                        help="seconds per `cchc clean` run (default 600)")
    parser.add_argument("--indicator-rows", type=int, action="append",
                        help="row counts of the indicator steps (default 1M and 5M)")
    parser.add_argument("--clean-rows", type=int, action="append",
                        help="row counts of the clean steps (default 100k and 1M)")
    parser.add_argument("--scale-rows", type=int,
                        help="dossiers in the partitioned dataset of the scale group (default 25M)")
    parser.add_argument("--slow", type=float, default=30.0,
                        help="a step whose warm-up run takes longer than this many seconds is "
                             "measured by that single run (default 30)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    args.sizes = QUICK if args.quick else Sizes()
    if args.indicator_rows:
        args.sizes.indicators = tuple(args.indicator_rows)
    if args.clean_rows:
        args.sizes.clean = tuple(args.clean_rows)
    if args.scale_rows:
        args.sizes.scale = args.scale_rows
    if args.quick:
        args.repeats = 1
        args.repeats_large = 1
        if os.environ.get("CCHC_BENCH_DATA") is None:
            os.environ["CCHC_BENCH_DATA"] = str(datagen.DATA_DIR / "quick")
        os.environ["CCHC_BENCH_BASE"] = "quick"
        import importlib

        importlib.reload(datagen)
    default = [g for g in GROUPS if g != "build_quarter"] if not args.quick else ["xlsx", "clean", "indicators", "workdays", "run", "fanout"]
    groups = args.only or default
    results: list[dict] = []
    h = Harness(args)
    began = time.perf_counter()
    for group in groups:
        print(f"[bench] {group}", file=sys.stderr, flush=True)
        try:
            results += RUNNERS[group](h)
        except Exception as exc:  # a broken input or step must not lose the other results
            results.append(skipped(group, None, "", "", f"{type(exc).__name__}: {exc}"[:200]))
    print_table(results)
    print(f"\n[bench] total {time.perf_counter() - began:.0f} s", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"[bench] wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
