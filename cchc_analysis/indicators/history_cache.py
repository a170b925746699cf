"""The counts of a report period cached next to the processed data, so that the history of
earlier quarters is not counted again on every build.

A period's counts (fine dossier counts, PAKN and e-document counts per unit) depend only on
the processed tables, the reference files, the registry and the counting code. The cache key
hashes all of them: ``clean_meta.json`` (raw and reference hashes of the last clean), the
reference files in use now, the source of the counting modules, the registry, the period
convention and the report period with its kind (``2024Q2`` and ``2024H1`` end on the same day
but are different entries). Anything that changes a count changes the key, so a stale entry is
never read; ``cchc clean`` replaces the processed folder, cache included.

Files: ``<processed>/.indicator_cache/<key>.<part>.parquet`` and ``<key>.json`` (which parts
exist), written atomically, the manifest last. Only a dossier table left on disk
(``store.DossierFiles`` / ``sources.DossierDataset``) has a folder to cache into; an in-memory
table is counted every time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from .. import clean, outcome, refdata, schema, workdays
from ..periods import Period
from ..io import atomic_write, write_text_atomic
from . import core, counts, definitions, rollup, sources

CACHE_FOLDER = ".indicator_cache"
PARTS = ("dossiers", "pakn", "edocs")
_CODE = (outcome, workdays, refdata, schema, core, counts, definitions, rollup, sources)


def cache_folder(dossiers) -> Path | None:
    """The cache folder beside a dossier table left on disk; None for an in-memory table."""
    path = getattr(dossiers, "path", None)
    return None if path is None else Path(path).parent / CACHE_FOLDER


def cache_key(folder: Path, period: str, quarter) -> str:
    """Hash of everything a period's counts depend on (see the module docstring).

    ``quarter`` is a quarter or a cumulative period (anything ``Period.parse`` reads); its kind
    is part of the key (a quarter keeps the key it had before report kinds existed).
    """
    report_period = Period.parse(quarter if isinstance(quarter, Period) else str(quarter))
    digest = hashlib.sha256()
    meta = folder.parent / "clean_meta.json"
    digest.update(meta.read_bytes() if meta.exists() else b"")
    digest.update(json.dumps(clean.reference_digests(), sort_keys=True).encode())
    for module in _CODE:
        digest.update(Path(module.__file__).read_bytes())
    registry = [(n, i.source, i.unit, i.columns, getattr(i.ratio, "__qualname__", None),
                 getattr(i.ratio, "__module__", None)) for n, i in definitions.REGISTRY.items()]
    digest.update(repr(registry).encode())
    digest.update(f"{period}|{report_period}".encode())
    return digest.hexdigest()[:40]


def load(folder: Path | None, key: str) -> dict[str, pd.DataFrame | None] | None:
    """The cached parts of ``key`` (None for a part the quarter has no data for), or None."""
    if folder is None or not (folder / f"{key}.json").exists():
        return None
    try:
        present = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        return {part: pd.read_parquet(folder / f"{key}.{part}.parquet") if present[part] else None for part in PARTS}
    except (OSError, ValueError, KeyError):
        return None  # unreadable entry: count again (and overwrite it)


def save(folder: Path | None, key: str, parts: dict[str, pd.DataFrame | None]) -> None:
    """Store the parts of ``key``; a folder that cannot be written is left alone (the counts
    are simply computed again next time)."""
    if folder is None:
        return
    try:
        folder.mkdir(exist_ok=True)
        for part, frame in parts.items():
            if frame is not None:
                atomic_write(folder / f"{key}.{part}.parquet", lambda tmp, f=frame: f.to_parquet(tmp, index=False))
        write_text_atomic(folder / f"{key}.json", json.dumps({p: parts[p] is not None for p in PARTS}))
    except OSError:
        return
