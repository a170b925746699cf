"""Find the header row of an export, recognise its kind and profile, map aliases to fields.

Aliases live in ``cchc_analysis/data/headers.yaml``; a user's ``data/reference/headers.yaml``
(see :func:`cchc_analysis.config.reference_path`) is merged on top, alias by alias.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .. import config
from ..errors import ConfigError, InputError
from .text import ascii_key

KINDS = ("dossiers", "pakn", "edocs")
#: Pseudo-fields: columns recognised only to be dropped.
DROPPED_FIELDS = ("personal", "ignored")
#: Rows scanned for the header (title lines above it are few).
HEADER_SCAN_ROWS = 50
#: A header row names at least this many fields of one kind.
MIN_HEADER_FIELDS = 2

#: Required fields per kind; a tuple inside means "at least one of".
REQUIRED: dict[str, tuple] = {
    "dossiers": ("dossier_id", "received_at", ("authority", "reception")),
    "pakn": ("pakn_id", "received_at", "unit"),
    "edocs": ("unit", "month", "documents_sent"),
}
#: The field that identifies a data row (empty -> the row may be a footer).
ID_FIELD = {"dossiers": "dossier_id", "pakn": "pakn_id", "edocs": "unit"}


@functools.lru_cache(maxsize=65536)
def header_key(text: str) -> str:
    """Matching key of a header: ASCII, lower case, no spaces or punctuation."""
    return ascii_key(text).replace(" ", "")


@functools.lru_cache(maxsize=65536)
def _bare_key(text: str) -> str:
    # "Tên thủ tục (hành chính)" is also tried as "Tên thủ tục".
    return header_key(re.sub(r"\([^)]*\)", " ", str(text)))


#: libyaml's safe loader when PyYAML was built with it (same documents, ~10x faster to parse).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parsed_yaml(text: str):
    """``yaml.safe_load(text)``, parsed by libyaml when it can; a document libyaml rejects is
    parsed again by the pure-Python loader, so that an error reads as it always did."""
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _yaml_aliases(path: Path) -> dict:
    try:
        data = _parsed_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot read header aliases ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ConfigError(f"{path.name}: expected 'kind: {{field: [aliases]}}'")
    return data


def merged_aliases(shipped: dict, user: dict) -> dict[str, dict[str, list[str]]]:
    """Shipped aliases with the user's added to each field (user fields may be new kinds' too)."""
    merged = {kind: {f: list(a) for f, a in fields.items()} for kind, fields in shipped.items()}
    for kind, fields in user.items():
        for name, aliases in fields.items():
            extra = [aliases] if isinstance(aliases, str) else list(aliases or [])
            merged.setdefault(kind, {}).setdefault(name, [])
            merged[kind][name] = extra + merged[kind][name]
    return merged


@functools.cache
def load_header_aliases() -> dict[str, dict[str, list[str]]]:
    """Header aliases per kind and field: shipped file plus the user's additions.

    Raises
    ------
    ConfigError
        Unreadable YAML, or an alias given to two fields of one kind.
    """
    shipped = _yaml_aliases(config.PACKAGE_REFERENCE_DIR / "headers.yaml")
    user_path = config.reference_path("headers.yaml")
    user = _yaml_aliases(user_path) if user_path != config.PACKAGE_REFERENCE_DIR / "headers.yaml" else {}
    aliases = merged_aliases(shipped, user)
    alias_index(aliases)  # validate now: a clash is a configuration error, not an input error
    return aliases


def alias_index(aliases: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, str]]:
    """``kind -> header key -> field``.

    Raises
    ------
    ConfigError
        One key claimed by two fields of the same kind.
    """
    index: dict[str, dict[str, str]] = {}
    for kind, fields in aliases.items():
        keys: dict[str, str] = {}
        for name, names in fields.items():
            for alias in names:
                key = header_key(alias)
                if keys.get(key, name) != name:
                    raise ConfigError(
                        f"headers.yaml: alias '{alias}' of {kind} is given to both "
                        f"{keys[key]} and {name}"
                    )
                keys[key] = name
        index[kind] = keys
    return index


@dataclass(frozen=True)
class Header:
    """A recognised header.

    Attributes
    ----------
    row
        0-based row index of the header in the grid (spreadsheet row ``row + 1``).
    rows
        Number of header rows (2 when a second row holds sub-headers under merged groups).
    kind
        ``dossiers``, ``pakn`` or ``edocs``.
    profile
        ``national`` (synchronisation field names), ``vi`` (list-screen headers) or ``mixed``.
    columns
        Grid column -> canonical field, for the kept columns only.
    names
        Grid column -> header text as written, for every non-empty header cell.
    personal, ignored, unrecognised
        Header texts of the dropped columns.
    """

    row: int
    rows: int
    kind: str
    profile: str
    columns: dict[int, str]
    names: dict[int, str]
    personal: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)


def _fields_in(cells: list[str], keys: dict[str, str]) -> dict[int, str]:
    found = {}
    for col, text in enumerate(cells):
        if text.strip():
            name = keys.get(header_key(text)) or keys.get(_bare_key(text))
            if name:
                found[col] = name
    return found


def _score(found: dict[int, str]) -> int:
    return len({f for f in found.values() if f not in DROPPED_FIELDS})


def _profile(texts: list[str]) -> str:
    national = [bool(re.fullmatch(r"[A-Za-z0-9_]+", t.strip())) for t in texts]
    return "national" if all(national) else "vi" if not any(national) else "mixed"


def find_header(
    cells: pd.DataFrame, index: dict[str, dict[str, str]]
) -> tuple[int, str, dict[int, str]] | None:
    """The best header row of a grid: ``(row, kind, column -> field)`` or None.

    The row that names the most distinct fields of one kind (at least
    :data:`MIN_HEADER_FIELDS`) among the first :data:`HEADER_SCAN_ROWS` rows; ties go to the
    earlier row, then to the kind order dossiers, pakn, edocs.
    """
    best: tuple[int, int, str, dict[int, str]] | None = None
    head = cells.iloc[:HEADER_SCAN_ROWS].to_numpy().tolist()
    for row, values in enumerate(head):  # header search: a few title lines, not dossiers
        for kind in KINDS:
            found = _fields_in(values, index.get(kind, {}))
            score = _score(found)
            if score >= MIN_HEADER_FIELDS and (best is None or score > best[0]):
                best = (score, row, kind, found)
    return None if best is None else (best[1], best[2], best[3])


def _label(aliases: dict[str, dict[str, list[str]]], kind: str, name: str) -> str:
    names = aliases.get(kind, {}).get(name, [name])
    national = [a for a in names if re.fullmatch(r"[A-Za-z0-9_]+", a)]
    return f"'{names[0]}'" + (f" / '{national[0]}'" if national else "")


def recognised_header(
    cells: pd.DataFrame, aliases: dict[str, dict[str, list[str]]], file: str | Path
) -> Header | None:
    """Recognise the header of one grid; None when the grid has no recognisable header.

    Raises
    ------
    InputError
        Two columns that mean the same field (a duplicate header), or a required column
        missing (message names it and its usual headers).
    """
    index = alias_index(aliases)
    found = find_header(cells, index)
    if found is None:
        return None
    row, kind, columns = found
    texts = cells.iloc[row].tolist()
    rows = 1
    if row + 1 < len(cells):
        # Two-row header: sub-headers under a merged group cell ("Ngày" over "Tiếp nhận" ...).
        # The sub-header may be complete ("Ngày tiếp nhận") or read on with its group cell
        # ("Ngày" merged over "tiếp nhận", "hẹn trả").
        subs = cells.iloc[row + 1].tolist()
        joined = [f"{g} {s}" if s.strip() else "" for g, s in zip(texts, subs, strict=True)]
        below = {**_fields_in(joined, index[kind]), **_fields_in(subs, index[kind])}
        extra = {c: f for c, f in below.items() if c not in columns and f not in columns.values()}
        if extra and len(below) == len(extra) + sum(columns.get(c) == f for c, f in below.items()):
            columns = {**columns, **extra}
            texts = [joined[c] if c in extra else t for c, t in enumerate(texts)]
            rows = 2
    names = {c: t.strip() for c, t in enumerate(texts) if t.strip()}
    seen: dict[str, int] = {}
    for col, name in sorted(columns.items()):
        if name in DROPPED_FIELDS:
            continue
        if name in seen:
            raise InputError(
                file,
                f"duplicate header: columns '{names[seen[name]]}' and '{names[col]}' both mean "
                f"{name}; keep one of them or rename it",
                row=row + rows,
            )
        seen[name] = col
    for need in REQUIRED[kind]:
        options = need if isinstance(need, tuple) else (need,)
        if not any(o in seen for o in options):
            wanted = " or ".join(_label(aliases, kind, o) for o in options)
            raise InputError(
                file, f"required column missing in the {kind} header: {wanted}", row=row + rows
            )
    kept = {c: f for c, f in columns.items() if f not in DROPPED_FIELDS}
    return Header(
        row=row,
        rows=rows,
        kind=kind,
        profile=_profile([names[c] for c in kept]),
        columns=kept,
        names=names,
        personal=[names[c] for c, f in columns.items() if f == "personal"],
        ignored=[names[c] for c, f in columns.items() if f == "ignored"],
        unrecognised=[t for c, t in names.items() if c not in columns],
    )
