"""Vietnamese text normalisation: the one place that decides when two spellings are equal.

Exports spell the same word several ways: composed or decomposed Unicode (NFC/NFD; Python's
cp1258 codec yields decomposed tone marks), old-style tone placement ("Thuỷ", "Hoà") or the
new style ("Thủy", "Hòa"), upper case, doubled spaces. Every comparison goes through one of
the keys below, never through raw string equality.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}

#: Old-style -> new-style tone placement for the open syllables oa, oe, uy (no final consonant):
#: "hoà" -> "hòa", "thuỷ" -> "thủy". With a final consonant ("hoàn", "thuyết") both styles put the
#: mark on the second vowel, so only a syllable-final pair is rewritten.
_OLD_TO_NEW: dict[str, str] = {}
for _first, _second in (("o", "a"), ("o", "e"), ("u", "y")):
    for _mark in _TONES:
        old = unicodedata.normalize("NFC", _first + _second + _mark)
        new = unicodedata.normalize("NFC", _first + _mark + _second)
        _OLD_TO_NEW[old] = new
        _OLD_TO_NEW[old.upper()] = new.upper()
        _OLD_TO_NEW[old[0].upper() + old[1:]] = new[0].upper() + new[1:]

# "q" + "uy" is the consonant "qu" + vowel "y" ("quý"): its mark is already on the y, so a
# preceding q/Q excludes the rewrite. The pair must end the word (not followed by a letter).
_OLD_TONE_RE = re.compile(
    "(?<![qQ])(" + "|".join(sorted(map(re.escape, _OLD_TO_NEW), key=len, reverse=True)) + r")(?!\w)"
)
# Explicit whitespace class (no \s): pandas then runs it in pyarrow instead of Python's re.
_SPACES_RE = "[ \t\r\n\v\f\u00a0]+"


def _new_tone_placement(match: re.Match[str]) -> str:
    return _OLD_TO_NEW[match.group(1)]


def normalized(values: pd.Series, form: str = "NFC") -> pd.Series:
    """``values.str.normalize(form)``, computed only for distinct non-ASCII cells (ASCII text is
    the same in every normal form; Python's ``unicodedata`` runs per cell)."""
    other = ~values.str.isascii().fillna(True).astype(bool)
    if not other.any():
        return values
    head = values.iloc[:4096]
    if head.nunique(dropna=False) <= 0.5 * len(head):  # few spellings (names): all at once
        return _per_distinct(values, lambda t: normalized(t, form))
    return values.mask(other, _per_distinct(values[other], lambda t: t.str.normalize(form)))


def all_ascii(values: pd.Series) -> bool:
    """``values.str.isascii().fillna(True).all()``; on pyarrow-backed text, asked of pyarrow
    directly (no million-row boolean column converted for pandas)."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        # (As pandas answers for a missing cell: False with the NaN-valued "str", NA -> True
        # with the NA-valued "string".)
        ascii_ = pc.fill_null(pc.string_is_ascii(pa.array(values.array)), dtype.na_value is pd.NA)
        return bool(pc.all(ascii_, min_count=0).as_py())
    return bool(values.str.isascii().fillna(True).all())


def stripped_nfc(values: pd.Series) -> pd.Series:
    """``normalized(values.str.strip(), "NFC")``; cells with non-ASCII text are stripped and
    normalised once per distinct value (long names repeated over every row: one pass each)."""
    if all_ascii(values):
        return values.str.strip()  # (ASCII text is in NFC already)
    return _per_distinct(values, lambda t: normalized(t.str.strip(), "NFC"))


def casefolded(values: pd.Series) -> pd.Series:
    """``values.str.casefold()``: ASCII cells lower-cased by pyarrow, distinct others by Python."""
    ascii_ = values.str.isascii().fillna(True).astype(bool)
    out = values.str.lower()
    if ascii_.all():
        return out
    return out.mask(~ascii_, _per_distinct(values[~ascii_], lambda t: t.str.casefold()))


def _per_distinct(values: pd.Series, func) -> pd.Series:
    """Apply a costly text function once per distinct value and map the results back.

    Export columns repeat a few spellings (units, statuses, fields) thousands of times.
    """
    head = values.iloc[:4096]
    if len(values) > 4096 and head.nunique(dropna=False) > 0.5 * len(head):
        # Mostly distinct (ids): mapping back would cost more than it saves.
        return pd.Series(func(values.astype("str")).array, index=values.index, dtype="str")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = pd.Series(uniques, dtype="str")
    done = func(uniques).astype("str")
    if done.equals(uniques):  # (already in that form, as cleaned exports are: no copy)
        return values.astype("str")
    # Code -1 (a missing value) takes a missing result, even when all are missing.
    return pd.Series(done.array.take(codes, allow_fill=True), index=values.index, dtype="str")


#: Cheap pre-filter (no look-around, runs in pyarrow) for cells that may need a tone fix.
_OLD_TONE_CANDIDATE = "[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ]"


def _normalised_distinct(text: pd.Series) -> pd.Series:
    if all_ascii(text):
        return _normalised_ascii(text)
    text = normalized(text, "NFC")
    candidate = text.str.contains(_OLD_TONE_CANDIDATE, regex=True, na=False)
    if candidate.any():
        fixed = text[candidate].str.replace(_OLD_TONE_RE, _new_tone_placement, regex=True)
        text = text.mask(candidate, fixed)
    return text.str.replace(_SPACES_RE, " ", regex=True).str.strip()


def _normalised_ascii(text: pd.Series) -> pd.Series:
    """:func:`_normalised_distinct` of ASCII text (ids): already NFC, no tone mark to move;
    runs of spaces are rewritten only in the cells that have one (a tab, two spaces...)."""
    # Not printable: a tab, CR, LF... (pyarrow's test is ~10x faster than a regex).
    printable = pc.fill_null(pc.ascii_is_printable(pa.array(text.array)), True)
    spaced = ~printable.to_numpy(zero_copy_only=False) | text.str.contains("  ", regex=False, na=False).to_numpy(dtype=bool)
    if spaced.any():
        text = text.mask(spaced, text[spaced].str.replace(_SPACES_RE, " ", regex=True))
    return text.str.strip()


def normalised_text(values: pd.Series) -> pd.Series:
    """Display-ready text: NFC, new-style tone placement, single spaces, trimmed.

    Parameters
    ----------
    values
        Text (missing values stay missing).

    Returns
    -------
    pandas.Series
        ``str`` dtype, same index.
    """
    return _per_distinct(values.astype("str"), _normalised_distinct)


def normalised_one(value: str) -> str:
    """:func:`normalised_text` for a single string (headers, reference names)."""
    text = unicodedata.normalize("NFC", str(value))
    text = _OLD_TONE_RE.sub(_new_tone_placement, text)
    return re.sub(_SPACES_RE, " ", text).strip()


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def ascii_key(value: str) -> str:
    """Lower-case ASCII words of ``value`` ("Đã trả kết quả" -> "da tra ket qua").

    Used for header names and coded values (statuses, channels, yes/no), where exports also
    appear without diacritics; not for unit names (see :func:`cchc_analysis.ingest.units`).
    """
    text = _strip_marks(normalised_one(value)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def _ascii_distinct(text: pd.Series) -> pd.Series:
    text = casefolded(_normalised_distinct(text))
    text = normalized(text.str.replace("đ", "d"), "NFD")
    text = text.str.replace("[\u0300-\u036f]", "", regex=True)  # real characters, not escapes
    return text.str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()


def ascii_keys(values: pd.Series) -> pd.Series:
    """Vectorised :func:`ascii_key` (missing -> "")."""
    values = values.astype("str").fillna("")
    ascii_ = values.str.isascii().astype(bool)
    # An ASCII cell only needs lower case and its runs of other characters made one space.
    out = values.str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    if ascii_.all():
        return out
    return out.mask(~ascii_, _per_distinct(values[~ascii_], _ascii_distinct))
