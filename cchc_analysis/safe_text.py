"""Export text is data, never markup or a formula (issue 14, items 1 and 2).

Field, unit and procedure names come from exports we do not control. Before such a text enters
Markdown or HTML it goes through :func:`escape_markdown`; before it enters a CSV cell it goes
through :func:`neutralise_formula` (OWASP's CSV-injection rule), applied to whole tables by
:func:`neutralise_frame` at every CSV-writing choke point. :func:`restore_frame` undoes the
prefix when the suite reads its own CSV files back.
"""

from __future__ import annotations

import html
import re

import pandas as pd

# Characters that start inline Markdown (emphasis, code, links, images, strikethrough, tables,
# escapes); line-start markup cannot occur because line breaks become spaces.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!~|#{}])")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]+")
# OWASP: a cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"
_QUOTED_FORMULA_START = r"^'[=+\-@\t\r]"


def escape_markdown(text: object) -> str:
    """``text`` as Markdown that displays it literally (HTML escaped, Markdown specials escaped).

    ``<img src=x>`` becomes ``&lt;img src=x&gt;``, ``**bold**`` becomes ``\\*\\*bold\\*\\*``,
    ``[a](javascript:x)`` becomes ``\\[a\\](javascript:x)`` (no link without the brackets);
    line breaks become spaces so a name cannot start a heading or a list.
    """
    flat = _LINE_BREAK.sub(" ", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=True))


def neutralise_formula(text: object) -> object:
    """A text cell starting with ``= + - @``, tab or CR gets a leading ``'`` (OWASP).

    Anything that is not a ``str`` (numbers, missing values) is returned unchanged, so a
    negative number stays a number.
    """
    if isinstance(text, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype) or frame[c].dtype == object]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`neutralise_formula` applied to every text cell (numbers untouched)."""
    out = frame.copy()
    for col in _text_columns(out):
        values = out[col]
        is_text = values.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
        risky = is_text & values.where(is_text, "").astype("string").str.contains(_FORMULA_START, regex=True)
        if risky.any():
            out[col] = values.astype(object).mask(risky, "'" + values[risky].astype(str))
            if isinstance(values.dtype, pd.StringDtype):
                out[col] = out[col].astype(values.dtype)
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_frame` on a table read back from the suite's own CSV.

    Only a ``'`` followed by one of the formula characters is removed, so the round trip is
    exact for every text the writer produced (a name really starting with ``'=`` would lose its
    quote: accepted, no export carries one).
    """
    out = frame.copy()
    for col in _text_columns(out):
        values = out[col]
        if not isinstance(values.dtype, pd.StringDtype):
            continue
        quoted = values.str.contains(_QUOTED_FORMULA_START, regex=True).fillna(False).astype(bool)
        if quoted.any():
            out[col] = values.mask(quoted, values.str.slice(1))
    return out
