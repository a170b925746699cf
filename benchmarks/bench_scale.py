"""National-scale benchmark (issue 8): one quarter's indicator counts from a partitioned dataset.

Run by hand::

    .venv/bin/python -m benchmarks.bench_scale                 # 25,000,000 dossiers
    .venv/bin/python -m benchmarks.bench_scale --rows 5000000 --engines pandas,dask

Input: the cleaned sample (``data/processed/dossiers.parquet``, run ``cchc clean`` first)
tiled ``rows / len(sample)`` times with new ids (``<id>-<copy>``), written chunk by chunk into
a dataset partitioned by quarter of receipt and of closure (``benchmarks/data/scale_v2_<rows>/dossiers.parquet``,
git-ignored); generation never holds more than one chunk. Step: the fine counts of the quarter
2024Q3 (``scale.DossierDataset.counts``: partition-pruned read, preparation joins, outcome
flags, one group-by: every form-06 column and indicator numerator/denominator per unit, level,
reception point and field). Each engine runs in a fresh process; wall time includes reading
but not the cluster start; peak memory is the largest sampled sum of RSS over the process
tree (driver + Dask workers / Spark JVM), sampled every 0.2 s with psutil. Anchor: DuckDB.
Results identical on every engine (checked: the counts' digest).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("CCHC_BENCH_DATA", Path(__file__).resolve().parent / "data"))
QUARTER = "2024Q3"
ENGINES = ("pandas", "polars", "duckdb", "dask", "pyspark")


SAMPLE = ROOT / "data" / "processed" / "dossiers.parquet"
#: Issue 8 goal: Dask's peak memory (process tree) at 25M rows.
DASK_PEAK_GOAL_MB = 1536


def ensure_sample(sample: Path = SAMPLE) -> Path:
    """The cleaned shipped sample the dataset is tiled from (``cchc clean`` when missing)."""
    if not sample.exists():
        env = {k: v for k, v in os.environ.items() if k != "CCHC_REFERENCE_DIR"}
        subprocess.run([sys.executable, "-m", "cchc_analysis.cli", "clean"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    return sample


def generate(rows: int, sample: Path = SAMPLE) -> Path:
    """The tiled, partitioned dataset of ``rows`` dossiers (reused when present)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from cchc_analysis import scale

    out = DATA / f"scale_v2_{rows}" / "dossiers.parquet"  # v2: + closed_quarter level
    if (out.parent / "DONE").exists():
        return out
    base = pq.read_table(ensure_sample(sample))
    frame = base.to_pandas()
    for name, values in ((scale.PARTITION_COLUMN, scale.partition_of(frame["received_at"])),
                         (scale.CLOSED_COLUMN, scale.closed_partition_of(frame["status"], frame["finished_at"]))):
        base = base.append_column(name, pa.array(values.to_numpy(dtype=object), pa.string()))
    copies = -(-rows // base.num_rows)
    per_chunk = max(1, 2_000_000 // base.num_rows)
    partitioning = ds.partitioning(
        pa.schema([(scale.PARTITION_COLUMN, pa.string()), (scale.CLOSED_COLUMN, pa.string())]), flavor="hive")
    written = 0
    for first in range(0, copies, per_chunk):
        n = min(per_chunk, copies - first)
        take = min(rows - written, n * base.num_rows)
        idx = np.arange(take) % base.num_rows
        copy = first + np.arange(take) // base.num_rows
        chunk = base.take(pa.array(idx))
        ids = pc.binary_join_element_wise(chunk["dossier_id"].cast(pa.string()), pa.array(np.char.mod("%05d", copy)), "-")
        chunk = chunk.set_column(chunk.schema.get_field_index("dossier_id"), "dossier_id", ids)
        ds.write_dataset(chunk, out, format="parquet", partitioning=partitioning,
                         basename_template=f"part-{first:05d}-{{i}}.parquet",
                         existing_data_behavior="overwrite_or_ignore", max_rows_per_group=1_000_000)
        written += take
    (out.parent / "DONE").write_text(str(rows))
    return out


def child(engine: str, path: str) -> None:
    """Timed step in this process; prints ``SCALE_RESULT {json}``."""
    from cchc_analysis import scale
    from cchc_analysis.periods import Quarter

    if engine == "dask":
        scale.dask_client()
    elif engine == "pyspark":
        scale.spark_session(shuffle_partitions=8, **{"spark.driver.memory": "2g"})
    start, end = Quarter.parse(QUARTER).bounds()
    source = scale.DossierDataset(Path(path)).on_engine(engine)
    source.keys()  # once per build, whatever the quarter; timed separately
    began = time.perf_counter()
    counts = source.counts(start, end)
    seconds = time.perf_counter() - began
    digest = hashlib.sha256(counts.to_csv(index=False).encode()).hexdigest()[:12]
    print("SCALE_RESULT " + json.dumps({"seconds": seconds, "digest": digest,
                                        "in_scope": int(counts["received_total"].sum())}), flush=True)
    scale.shutdown()


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(engine: str, path: Path, timeout: float = 3600) -> dict:
    import psutil

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_scale", "--child", engine, str(path)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    handle = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                peak = max(peak, _tree_rss(handle))
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate(timeout=timeout)
    stop.set()
    sampler.join()
    line = next((ln for ln in out.splitlines() if ln.startswith("SCALE_RESULT ")), None)
    result = json.loads(line.split(" ", 1)[1]) if line else {"seconds": None, "digest": None, "in_scope": None}
    result.update(peak_mb=round(peak / 2**20), total_s=round(time.perf_counter() - began, 1),
                  error=None if line else f"exit {proc.returncode}")
    return result


def _result_row(engine: str, m: dict, rows: int, anchor: float | None) -> dict:
    """One engine's figures as a row of ``benchmarks/results/*.json``."""
    ratio = round(m["seconds"] / anchor, 2) if m["seconds"] and anchor else None
    target, met = "(context: flat memory)", None
    if engine == "dask":
        target = f"peak <= {DASK_PEAK_GOAL_MB} MB at 25M"
        met = m["peak_mb"] <= DASK_PEAK_GOAL_MB if rows >= 25_000_000 and m["seconds"] else None
    return {"step": f"scale: 1 quarter's counts, partitioned parquet [{engine}]", "rows": rows,
            "ours_s": None if m["seconds"] is None else round(m["seconds"], 2),
            "anchor": "duckdb (same step)", "anchor_s": None if anchor is None else round(anchor, 2),
            "ratio": ratio, "peak_mb": m["peak_mb"], "target": target, "met": met,
            "note": m["error"] or f"digest {m['digest']}, {m['in_scope']} in scope, "
                                  f"process total {m['total_s']} s"}


def main(argv: list[str] | None = None, results: list | None = None) -> list[dict]:
    """Generate (if needed), measure every engine, print a table; returns (and appends to
    ``results``) dicts with keys step, rows, ours_s, anchor, anchor_s, ratio, peak_mb."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25_000_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--sample", type=Path, default=SAMPLE,
                        help="cleaned dossiers.parquet to tile (default: the shipped sample, "
                             "cleaned first when missing)")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"))
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return []
    began = time.perf_counter()
    path = generate(args.rows, args.sample)
    print(f"dataset {path} ready in {time.perf_counter() - began:.0f} s")
    measured = {e: measure(e, path) for e in args.engines.split(",")}
    anchor = measured.get("duckdb", {}).get("seconds")
    digests = {m["digest"] for m in measured.values() if m["digest"]}
    rows = [_result_row(engine, m, args.rows, anchor) for engine, m in measured.items()]
    identical = len(digests) == 1 and all(m["digest"] for m in measured.values())
    rows.append({"step": "scale: same counts on every engine", "rows": args.rows, "ours_s": None,
                 "anchor": "", "anchor_s": None, "ratio": None, "peak_mb": None,
                 "target": "identical digests", "met": identical,
                 "note": ", ".join(f"{e} {m['digest']}" for e, m in measured.items())})
    from .run import print_table

    print_table(rows)
    if results is not None:
        results.extend(rows)
    return rows


if __name__ == "__main__":
    main()
