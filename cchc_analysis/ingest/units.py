"""Resolve unit and reception-point names of the exports to reference codes, by date.

Names are compared through :func:`unit_keys`, never by raw string equality. The alias table is
built from the names, short names and codes of ``units.csv`` and ``reception_points.csv`` plus
``unit_aliases.csv`` (shipped, or the user's copy in ``data/reference``). A key shared by an old
and a new unit ("Phú Bài", "Hương Thủy") is resolved by the date: the unit valid on that day.
Names written without diacritics ("Phu Bai") are matched on an ASCII key when the accented key
finds nothing.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .. import config, refdata
from ..errors import ConfigError, redacted
from .text import _per_distinct, ascii_keys, normalised_text

#: Abbreviations expanded before prefixes are stripped ("TT HCC" = Trung tâm Hành chính công).
_EXPANSIONS = (
    (r"\btt\s*hcc\b", "trung tâm hành chính công"),
    (r"\btrung tâm hcc\b", "trung tâm hành chính công"),
    (r"\bubnd\b", "ủy ban nhân dân"),
    (r"\btn\s*&\s*tkq\b", "tiếp nhận và trả kết quả"),
)
#: Leading words that do not distinguish units: the People's Committee, the one-stop desk, the
#: unit's type ("phường", "xã", "thị xã", abbreviated "P.", "X.", "TX").
_PREFIX = (
    r"^(?:(?:ủy ban nhân dân|bộ phận một cửa|bộ phận tiếp nhận và trả kết quả)\s+)*"
    r"(?:(?:thị xã|thành phố|phường|xã|tx|tp|p|x)\s+)?"
)
#: A trailing parent ("..., thị xã Hương Thủy", "- tỉnh Thừa Thiên Huế") after a unit name.
_SUFFIX = r"(?<=\S)\s+(?:thuộc\s+)?(?:thị xã|thành phố|tỉnh|tx|tp)\s+.*$"


def unit_keys(names: pd.Series) -> pd.Series:
    """Matching key of unit names: NFC, new tone placement, casefolded, abbreviations expanded,
    type prefix and parent suffix stripped, punctuation and spaces collapsed.

    ``"UBND P. Phú Bài"``, ``"PHƯỜNG PHÚ BÀI"`` and ``"phường Phú Bài, TX Hương Thủy"`` all
    give ``"phú bài"``.
    """
    return _per_distinct(names.astype("str").fillna(""), _unit_keys_distinct)


def _unit_keys_distinct(names: pd.Series) -> pd.Series:
    text = normalised_text(names).str.casefold()
    text = text.str.replace(r"[.,;:()\-_/]+", " ", regex=True)
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    for pattern, repl in _EXPANSIONS:
        text = text.str.replace(pattern, repl, regex=True)
    # Prefix first: in "UBND thị xã Hương Thủy" the "thị xã" is the type, not a parent.
    text = text.str.replace(_PREFIX, "", regex=True)
    text = text.str.replace(_SUFFIX, "", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def _alias_file() -> pd.DataFrame:
    path = config.reference_path("unit_aliases.csv")
    try:
        table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        return pd.DataFrame({"alias": [], "code": []}, dtype="str")
    if not {"alias", "code"} <= set(table.columns):
        raise ConfigError(f"{path.name}: expected columns alias, code")
    return table[["alias", "code"]]


@functools.cache
def unit_alias_table() -> pd.DataFrame:
    """Every known spelling: ``key, akey, code, kind, valid_from, valid_to``.

    ``kind`` is ``unit`` or ``reception`` (a reception point that is not a unit).

    Raises
    ------
    ConfigError
        An alias names a code that is neither a unit nor a reception point.
    """
    units = refdata.load_units().assign(kind="unit")
    points = refdata.load_reception_points().assign(kind="reception", short_name="")
    places = pd.concat([units, points], ignore_index=True)[
        ["code", "name", "short_name", "kind", "valid_from", "valid_to"]
    ]
    extra = _alias_file()
    unknown = sorted(set(extra["code"]) - set(places["code"]))
    if unknown:
        raise ConfigError(f"unit_aliases.csv: unknown code(s) {unknown}")
    spellings = pd.concat(
        [
            places[["code", "name"]].rename(columns={"name": "alias"}),
            places[["code", "short_name"]].rename(columns={"short_name": "alias"}),
            extra,
        ],
        ignore_index=True,
    )
    spellings = spellings[spellings["alias"].str.strip().ne("")]
    spellings = spellings.assign(key=unit_keys(spellings["alias"]))
    spellings = spellings.assign(akey=ascii_keys(spellings["key"]))
    table = spellings.merge(places.drop(columns=["name", "short_name"]), on="code")
    return table.drop_duplicates(["key", "code"]).reset_index(drop=True)[
        ["key", "akey", "code", "kind", "valid_from", "valid_to"]
    ]


def _candidates(keys: pd.DataFrame, table: pd.DataFrame, on: str) -> pd.DataFrame:
    hits = keys.merge(table, left_on="key_" + on, right_on=on, how="inner")
    return hits[["pos", "code", "valid_from", "valid_to", "day"]]


def resolved_units(
    names: pd.Series, days: pd.Series, *, reception: bool = False, day_codes: DayCodes | None = None
) -> tuple[pd.Series, pd.Series]:
    """Codes of unit names valid on each row's day.

    Resolved once per distinct (name, day) and spread back to the rows: exports repeat a few
    unit names over many dossiers. When every validity bound is a midnight (reference dates),
    rows of one calendar day share the answer, so the day is what counts.

    Parameters and returns: see :func:`_resolved_distinct`; ``day_codes``: the factorised
    ``days`` when the caller already has them (see :class:`DayCodes`).
    """
    table = unit_alias_table()
    day_codes = DayCodes(days) if day_codes is None else day_codes

    def resolve(n, d):
        return _resolved_distinct(n, d, reception=reception)

    # Codes depend on the day only through the validity bounds: one answer per name and span
    # between bounds. A "did not exist on <day>" message names the day: those rows (few) are
    # resolved again by their own calendar day.
    codes, problem, gone = per_name_and_day(resolve, names, days, table, day_codes=day_codes, by_bounds=True)
    if gone.any():
        at = gone.to_numpy(dtype=bool)
        again = per_name_and_day(resolve, names[at], days[at], table)[1]
        problem = problem.copy()
        problem[at] = again.to_numpy()
    return codes, problem


class DayCodes:
    """The days of a column factorised once (exact, and as calendar days), for every look-up
    on those days: each look-up would otherwise factorise a million timestamps again."""

    def __init__(self, days: pd.Series):
        self.days = days
        self._codes: dict[object, tuple[np.ndarray, object]] = {}

    def codes(self, exact: bool) -> tuple[np.ndarray, int]:
        """Codes of the days (``exact``) or of their calendar days, and the number of codes."""
        codes, values = self._factorised(exact)
        return codes, len(values)

    def _factorised(self, exact: bool) -> tuple[np.ndarray, pd.DatetimeIndex]:
        if exact not in self._codes:
            stamps = pd.Series(pd.to_datetime(self.days.to_numpy()))
            key = stamps if exact else stamps.dt.normalize()
            codes, values = pd.factorize(key, use_na_sentinel=False)
            self._codes[exact] = (codes, pd.DatetimeIndex(values))
        return self._codes[exact]

    def spans(self, bounds: np.ndarray) -> tuple[np.ndarray, int]:
        """Codes of the calendar days by their place among ``bounds`` (sorted distinct
        midnights): two days of one code compare alike (``<``, ``==``, ``>``) with every bound.
        NaT has a code of its own."""
        key = ("spans", bounds.tobytes())
        if key not in self._codes:
            codes, values = self._factorised(exact=False)
            day = values.to_numpy(dtype="datetime64[us]")
            left = np.searchsorted(bounds, day, side="left")
            equal = np.searchsorted(bounds, day, side="right") - left
            span = np.where(np.isnat(day), 2 * len(bounds) + 2, 2 * left + equal)
            self._codes[key] = (span[codes], 2 * len(bounds) + 3)
        return self._codes[key]


def _midnight_bounds(table: pd.DataFrame) -> bool:
    bounds = pd.concat([table["valid_from"], table["valid_to"]]).dropna()
    return bool(bounds.eq(bounds.dt.normalize()).all())


def _bounds(table: pd.DataFrame) -> np.ndarray:
    """Distinct validity bounds of ``table``, sorted, as ``datetime64[us]``."""
    bounds = pd.concat([table["valid_from"], table["valid_to"]]).dropna()
    return np.unique(bounds.to_numpy(dtype="datetime64[us]"))


def first_positions(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Position of the first row of each code ``0..n_codes-1`` (every code occurs)."""
    first = np.empty(n_codes, dtype=np.int64)
    # Written back to front: the last write of a code is its first row (no sort needed).
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return first


def per_name_and_day(
    func, names: pd.Series, days: pd.Series, table: pd.DataFrame, *,
    day_codes: DayCodes | None = None, by_bounds: bool = False,
) -> tuple:
    """``func(names, days)`` (a tuple of Series) computed once per distinct pair.

    The day of a row counts only through comparisons with the ``valid_from`` / ``valid_to``
    dates of ``table`` and its calendar day: when every bound is a midnight, rows of one name and
    one calendar day share the answer. With ``by_bounds`` (``func`` uses the day for nothing
    else), so do rows of one name whose calendar days fall between the same two bounds.
    """
    day_codes = DayCodes(days) if day_codes is None else day_codes
    midnight = _midnight_bounds(table)
    if by_bounds and midnight:
        codes_of_day, n_days = day_codes.spans(_bounds(table))
    else:
        codes_of_day, n_days = day_codes.codes(exact=not midnight)
    name_codes, _ = pd.factorize(names, use_na_sentinel=False)  # missing is not ""
    pair_codes, pairs = pd.factorize(name_codes.astype("int64") * max(n_days, 1) + codes_of_day)
    if len(pairs) > 0.5 * len(names):
        return func(names, days)
    # Pairs are numbered in order of first appearance, as the rows standing for them are.
    first = first_positions(pair_codes, len(pairs))
    results = func(names.iloc[first].reset_index(drop=True), pd.Series(days.to_numpy()[first]))
    return tuple(
        pd.Series(r.array.take(pair_codes), index=names.index, dtype=r.dtype) for r in results
    )


def _resolved_distinct(
    names: pd.Series, days: pd.Series, *, reception: bool = False
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Codes of unit names valid on each row's day.

    Parameters
    ----------
    names
        Names as written in the export (or codes).
    days
        The date the name refers to (the dossier's received date); NaT matches any period.
    reception
        Also accept reception points that are not units (``hcc-huong-thuy``).

    Returns
    -------
    (pandas.Series, pandas.Series, pandas.Series)
        Codes (missing for a blank name or a problem), a problem message per row (missing
        when resolved or blank): not a known unit, several units match, or not existing on that
        day; and whether the problem is the last one (the only message naming the day).
    """
    table = unit_alias_table()
    if not reception:
        table = table[table["kind"].eq("unit")]
    text = names.fillna("").astype("str")
    blank = text.str.strip().eq("")
    by_code = text.str.strip().str.casefold()
    frame = pd.DataFrame(
        {"pos": range(len(text)), "key_key": unit_keys(text), "day": days.to_numpy()}
    )
    frame["key_akey"] = ascii_keys(frame["key_key"])
    frame["key_code"] = by_code.to_numpy()
    hits = pd.concat(
        [
            _candidates(frame, table.drop_duplicates("code"), "code").assign(rank=0),
            _candidates(frame, table, "key").assign(rank=1),
            _candidates(frame, table, "akey").assign(rank=2),
        ],
        ignore_index=True,
    )
    # Use the most exact way of matching that found anything: code, accented key, ASCII key.
    hits = hits[hits["rank"].eq(hits.groupby("pos")["rank"].transform("min"))]
    valid = (hits["valid_from"].isna() | hits["day"].isna() | (hits["valid_from"] <= hits["day"])) & (
        hits["valid_to"].isna() | hits["day"].isna() | (hits["valid_to"] >= hits["day"].dt.normalize())
    )
    ok = hits[valid].drop_duplicates(["pos", "code"])
    n_valid = ok.groupby("pos")["code"].size().reindex(range(len(text)), fill_value=0)
    known = pd.Series(False, index=range(len(text)))
    known.loc[hits["pos"].unique()] = True
    unique = ok[ok["pos"].map(n_valid).eq(1)].set_index("pos")["code"]
    codes = pd.Series(unique.reindex(range(len(text))).to_numpy(), index=names.index, dtype="str")
    quoted = "'" + redacted(text.str.strip()) + "'"
    n = pd.Series(n_valid.to_numpy(), index=names.index)
    k = pd.Series(known.to_numpy(), index=names.index)
    gone = ~blank & k & n.eq(0)
    day_text = pd.Series(pd.NA, index=names.index, dtype="str")
    if gone.any():  # dates written only where a message needs them
        day_text[gone] = pd.to_datetime(days.to_numpy()[gone.to_numpy()]).strftime("%d/%m/%Y")
    problem = pd.Series(pd.NA, index=names.index, dtype="str")
    problem = problem.mask(~blank & ~k, quoted + " is not a known unit")
    problem = problem.mask(gone, quoted + " did not exist on " + day_text)
    problem = problem.mask(~blank & n.gt(1), quoted + " matches several units")
    return codes.where(~blank & n.eq(1)), problem, gone
