"""Whether a quarter is already built from the same inputs, parameters and code (like make)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import config
from .inputs import raw_file_hashes, sha256_file


def code_hash(notebook_dir: str | Path) -> str:
    """sha256 over the package's source and shipped data and the notebooks executed.

    A change to any ``.py`` file of :mod:`cchc_analysis`, to a shipped reference file, to a
    user reference override or to a notebook makes the previous build out of date.
    """
    digest = hashlib.sha256()
    folders = [(config.PACKAGE_DIR, "**/*.py"), (config.PACKAGE_REFERENCE_DIR, "**/*"),
               (config.USER_REFERENCE_DIR, "**/*"), (Path(notebook_dir), "*.ipynb")]
    for folder, pattern in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.as_posix().encode())
            digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def processed_hashes(processed_dir: str | Path) -> dict[str, str]:
    """sha256 of every file directly in the processed folder (hidden files excluded)."""
    processed_dir = Path(processed_dir)
    if not processed_dir.is_dir():
        return {}
    return {
        p.name: sha256_file(p)
        for p in sorted(processed_dir.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def fingerprint(parameters: dict, raw_dir: Path, processed_dir: Path, notebook_dir: Path) -> str:
    """One sha256 for everything a build depends on: parameters, raw and processed files, code."""
    record = {
        "parameters": {k: parameters[k] for k in sorted(parameters) if k != "jobs"},
        "raw": raw_file_hashes(raw_dir),
        "processed": processed_hashes(processed_dir),
        "code": code_hash(notebook_dir),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def previous_build(manifest_path: Path, current: str) -> dict | None:
    """The manifest of a successful build with fingerprint ``current`` whose files all exist.

    ``None`` when the quarter must be built again: no manifest, a failed or older build,
    another fingerprint, or an executed notebook or HTML page missing or not the bytes that
    build wrote (a later run was killed while rewriting it, issue 14).
    """
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("status") != "ok" or manifest.get("fingerprint") != current:
        return None
    qdir = manifest_path.parent
    for entry in manifest.get("notebooks", []):
        for key in ("executed", "html"):
            if entry.get(key) and not _unchanged(qdir / entry[key], entry.get(f"{key}_sha256")):
                return None
    return manifest


def _unchanged(path: Path, recorded: str | None) -> bool:
    # A run killed while papermill rewrote this notebook (or its page) leaves a half-executed
    # file under the old name: only the bytes the finished build wrote are up to date.
    try:
        return recorded is not None and sha256_file(path) == recorded
    except OSError:
        return False


def clean_unfinished(quarter_dir: str | Path) -> bool:
    """Whether the quarter's ``01_clean`` is not known to have finished: ``01_clean`` must run.

    True when the last run of the quarter recorded ``01_clean`` as ``failed``, or when the
    executed ``notebooks/01_clean.ipynb`` is on disk but is not the bytes a finished run
    recorded (``executed_sha256`` in ``manifest.json``): a run killed inside ``01_clean``
    leaves a half-executed notebook there, and the raw files alone do not show it (issue 14).
    No notebook on disk and no failure recorded is not "unfinished" (nothing to point at).
    """
    quarter_dir = Path(quarter_dir)
    try:
        manifest = json.loads((quarter_dir / "manifest.json").read_text(encoding="utf-8"))
        entry = next(e for e in manifest.get("notebooks", []) if e.get("notebook") == "01_clean")
    except (OSError, ValueError, StopIteration, AttributeError):
        entry = None
    if entry is not None and entry.get("status") not in ("ok", "up_to_date"):
        return True
    executed = quarter_dir / "notebooks" / "01_clean.ipynb"
    if not executed.exists():
        return False
    return entry is None or not _unchanged(executed, entry.get("executed_sha256"))
