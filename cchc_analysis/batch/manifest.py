"""``outputs/<Q>/manifest.json``: what a batch run built, from which inputs."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from .. import __version__, config
from ..io import write_text_atomic
from .execute import BatchResult
from .inputs import raw_file_hashes, read_clean_meta, sha256_file


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def write_manifest(
    path: str | Path,
    batch: BatchResult,
    *,
    parameters: dict,
    raw_dir: Path,
    processed_dir: Path,
    output_dir: Path,
    started_at: _dt.datetime,
    fingerprint: str | None = None,
) -> Path:
    """Write ``outputs/<Q>/manifest.json`` atomically.

    Contents: ``quarter``, ``status`` (``ok``/``failed``), ``package_version``,
    ``started_at``/``finished_at`` (ISO 8601 with offset), ``duration_s``, ``parameters``
    (folders relative to the project root when inside it), ``synthetic`` (from the cleaner's
    record), ``inputs`` (``raw``: sha256 per raw export; ``processed``: sha256 per processed
    table) and ``notebooks``: one entry per notebook with ``notebook``, ``unit``, ``status``,
    ``duration_s``, ``error``, ``executed`` and ``html`` (paths relative to the quarter folder)
    with their ``executed_sha256`` and ``html_sha256``.
    ``fingerprint`` (see :func:`cchc_analysis.batch.uptodate.fingerprint`) lets the next run
    say that nothing changed. The manifest describes the last run for the quarter.
    """
    path = Path(path)
    root = config.PROJECT_ROOT
    qdir = path.parent
    params = dict(parameters)
    for key in ("raw_dir", "processed_dir", "output_dir"):
        params[key] = _relative(Path(params[key]), root)
    processed_hashes = {}
    if processed_dir.is_dir():
        processed_hashes = {
            p.name: sha256_file(p)
            for p in sorted(processed_dir.iterdir())
            if p.is_file() and not p.name.startswith(".")
        }
    meta = read_clean_meta(processed_dir) or {}
    finished_at = _dt.datetime.now().astimezone()
    manifest = {
        "quarter": batch.quarter,
        "status": "ok" if batch.ok else "failed",
        "package_version": __version__,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "duration_s": round((finished_at - started_at).total_seconds(), 2),
        "parameters": params,
        "synthetic": bool(meta.get("synthetic", False)),
        "fingerprint": fingerprint,
        "inputs": {"raw": raw_file_hashes(raw_dir), "processed": processed_hashes},
        "notebooks": [
            {
                "notebook": r.task.notebook,
                "unit": r.task.unit,
                "status": r.status,
                "duration_s": round(r.duration_s, 2),
                "error": r.error,
                "executed": _relative(r.task.output, qdir) if r.task.output.exists() else None,
                "html": _relative(r.task.html, qdir)
                if r.task.html is not None and r.status == "ok"
                else None,
                # What the run finished writing: a later run that was killed while rewriting
                # these files leaves other bytes, so this build is no longer up to date.
                "executed_sha256": sha256_file(r.task.output) if r.task.output.exists() else None,
                "html_sha256": sha256_file(r.task.html)
                if r.task.html is not None and r.status == "ok" and r.task.html.exists()
                else None,
            }
            for r in batch.results
        ],
    }
    from ..html import make_shareable

    return make_shareable(
        write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    )
