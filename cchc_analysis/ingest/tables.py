"""Text rows of the exports -> typed canonical tables plus quarantined rows (DESIGN §5).

Each ``typed_*`` function takes the concatenated text rows of one kind (columns named after
canonical fields, a column missing from a file is NaN there, a blank cell is "") and returns
``(rows, quarantine)``: typed rows, every one of them either clean (``reason == ""``) or carrying
a stable reason code and a message that quotes only the offending non-personal value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import config, refdata
from ..errors import redacted
from ..schema import DOSSIER_COLUMNS
from . import values as V
from .checks import (
    FIELD_LABELS, ID_AS_NUMBER_MESSAGE, excel_error_check as _excel_error_check,
    id_as_number as _id_as_number, implausible_check as _implausible_check, plausible_window,
)
from .text import normalised_text
from .units import DayCodes, per_name_and_day, resolved_units

BOOLEAN_FIELDS = (
    "digitised_input", "digitised_result", "reused_data", "has_fee", "paid_online",
    "apology_issued",
)
#: Status given to a dossier whose export has no status (column absent or cell blank):
#: returned -> 10, finished -> 9, otherwise in progress (4).
INFERRED_STATUS = (10, 9, 4)
_EXPECTED_DATE = "expected dd/mm/yyyy [HH:MM[:SS]], yyyy-mm-dd, yyyyMMddHHmmss or an Excel date"


def empty_catalogue() -> pd.DataFrame:
    """A catalogue with no procedure (used when ``procedures.csv`` does not exist)."""
    return pd.DataFrame({c: pd.Series(dtype="str") for c in refdata.CATALOGUE_COLUMNS})


def available_catalogue() -> pd.DataFrame:
    """The procedure catalogue, or an empty one when no ``procedures.csv`` is installed."""
    if not config.reference_path("procedures.csv").exists():
        return empty_catalogue()
    return refdata.load_catalogue()


def _text(rows: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as text; NaN where the file had no such column."""
    if name in rows:
        return rows[name].astype("str")
    return pd.Series(np.nan, index=rows.index, dtype="str")


def _blank(values: pd.Series) -> pd.Series:
    return values.fillna("").str.strip().eq("")


def _quote(values: pd.Series) -> pd.Series:
    """A cell as a message shows it: quoted, cut at 60 characters, withheld when it looks like
    a phone, ID number or e-mail (:func:`cchc_analysis.errors.redacted`)."""
    return "'" + redacted(values.fillna("").astype("str")).str.slice(0, 60) + "'"


def _valid_on(table: pd.DataFrame, day: pd.Series) -> pd.Series:
    return (table["valid_from"].isna() | day.isna() | (table["valid_from"] <= day)) & (
        table["valid_to"].isna() | day.isna() | (table["valid_to"] >= day.dt.normalize())
    )


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes of ``values`` and their distinct values (a missing value is one of them)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype if len(uniques) else "str")


def _spread(distinct: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per-distinct results back to the rows (``codes`` from :func:`_distinct`)."""
    return pd.Series(distinct.array.take(codes), index=index, dtype=distinct.dtype)


def _spread_text(raw: pd.Series, distinct: pd.Series, done: pd.Series, codes: np.ndarray) -> pd.Series:
    """``done`` (text per ``distinct`` value of ``raw``) back to the rows: ``raw`` itself when
    no value changed (cleaned exports are already stripped and NFC: no copy of the column)."""
    if done.astype("str").equals(distinct.astype("str")):
        return raw.astype("str")
    return _spread(done.astype("str"), codes, raw.index)


def _mapped(values: pd.Series, mapping: pd.Series) -> pd.Series:
    """``values.map(mapping)``, looked up once per distinct value."""
    codes, uniques = _distinct(values)
    return _spread(uniques.map(mapping), codes, values.index)


def _filled(values: pd.Series, fallback) -> pd.Series:
    """``values.fillna(fallback())``; ``fallback`` is called only when a value is missing."""
    return values.fillna(fallback()) if values.hasnans else values


def _where(make, mask: pd.Series) -> pd.Series:
    """``make().where(mask)`` for a ``str`` result; ``make`` is not called when no row is kept."""
    if not mask.any():
        return pd.Series(index=mask.index, dtype="str")
    return make().where(mask)


def _blank_dates(parsed: pd.Series, bad: pd.Series) -> np.ndarray:
    """:func:`_blank` of the date cells parsed as ``parsed`` with ``bad`` (unreadable) cells:
    a cell is blank exactly when it gave no timestamp and was not unreadable."""
    return parsed.isna().to_numpy() & ~bad.to_numpy(dtype=bool)


def _blank_rows(rows: pd.DataFrame, name: str) -> np.ndarray:
    """:func:`_blank` of column ``name`` (all blank when absent), tested once per distinct cell."""
    if name not in rows:
        return np.ones(len(rows), dtype=bool)
    codes, uniques = _distinct(rows[name].astype("str"))
    return _blank(uniques).to_numpy(dtype=bool)[codes]


def usual_reception(units: pd.Series, days: pd.Series, *, day_codes: DayCodes | None = None) -> pd.Series:
    """Usual reception point of each unit on each day (the unit itself when none is listed)."""
    table = refdata.load_default_reception()
    return per_name_and_day(lambda u, d: (_usual_reception(u, d),), units, days, table, day_codes=day_codes, by_bounds=True)[0]


def _usual_reception(units: pd.Series, days: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"pos": range(len(units)), "unit_code": units.to_numpy(), "day": days.to_numpy()})
    hits = frame.merge(refdata.load_default_reception(), on="unit_code")
    hits = hits[_valid_on(hits, hits["day"])].drop_duplicates("pos")
    found = hits.set_index("pos")["reception_code"].reindex(range(len(units))).to_numpy()
    return pd.Series(found, index=units.index, dtype="str").fillna(units)


def reception_owner(points: pd.Series, days: pd.Series, *, day_codes: DayCodes | None = None) -> pd.Series:
    """The unit a reception point belongs to: itself if it is a unit, else the first unit whose
    usual reception point it is on that day (``hcc-huong-thuy`` -> ``tx-huong-thuy``)."""
    table = refdata.load_default_reception()
    return per_name_and_day(lambda p, d: (_reception_owner(p, d),), points, days, table, day_codes=day_codes, by_bounds=True)[0]


def _reception_owner(points: pd.Series, days: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"pos": range(len(points)), "reception_code": points.to_numpy(), "day": days.to_numpy()})
    hits = frame.merge(refdata.load_default_reception(), on="reception_code")
    hits = hits[_valid_on(hits, hits["day"])].drop_duplicates("pos")
    owner = pd.Series(
        hits.set_index("pos")["unit_code"].reindex(range(len(points))).to_numpy(),
        index=points.index,
        dtype="str",
    )
    is_unit = points.isin(refdata.load_units()["code"])
    return points.where(is_unit, owner)


def _as_mask(mask: pd.Series | np.ndarray) -> np.ndarray:
    """A check's mask as a numpy bool array (missing = the check passes)."""
    if isinstance(mask, pd.Series):
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def _first_reason(checks: list[tuple[str, pd.Series, object]], index: pd.Index):
    """Reason and message of the first failing check per row ("" when all pass).

    A message is a string (the same for every row), a Series, or a function of the positions of
    the rows it is needed for: messages are built only for the rows that fail that check first
    (a few, not every row).
    """
    conditions = [_as_mask(mask) for _, mask, _ in checks]
    first = np.select(conditions, list(range(len(checks))), default=-1)
    failing = np.flatnonzero(first >= 0)
    texts = np.full(len(failing), "", dtype=object)  # messages of the failing rows only
    for k in np.unique(first[failing]):  # one iteration per failing check
        among = first[failing] == k
        at, msg = failing[among], checks[k][2]
        if isinstance(msg, str):
            texts[among] = msg
            continue
        text = msg(at) if callable(msg) else msg.iloc[at]
        texts[among] = pd.Series(text).fillna("").to_numpy(dtype=object)
    # Both columns taken from short lists of strings (no million Python strings converted).
    reason = pc.take(pa.array(["", *(name for name, _, _ in checks)], type=pa.large_string()), first + 1)
    slot = np.zeros(len(index), dtype=np.int64)
    slot[failing] = np.arange(1, len(failing) + 1)
    message = pc.take(pa.array(["", *texts], type=pa.large_string()), slot)
    return (
        pd.Series(pd.array(reason, dtype="str"), index=index),
        pd.Series(pd.array(message, dtype="str"), index=index),
    )


def _date_checks(rows: pd.DataFrame, fields: tuple[str, ...]) -> tuple[dict, list]:
    """Parsed date columns, one ``unparseable_date`` check per column, then one
    ``implausible_date`` check per column (a date outside :func:`plausible_window`)."""
    parsed, checks, implausible = {}, [], []
    window = plausible_window()
    for name in fields:
        raw = _text(rows, name)
        parsed[name], bad = V.parsed_datetimes(raw)
        message = lambda at, raw=raw, name=name: (  # noqa: E731
            f"column {name} ({FIELD_LABELS[name]}): " + _quote(raw.iloc[at]) + f" is not a date; {_EXPECTED_DATE}"
        )
        checks.append(("unparseable_date", bad, message))
        implausible.append(_implausible_check(name, parsed[name], window))
    return parsed, checks + implausible


def _word_check(rows, name, parser, reason, expected):
    if name not in rows:  # column absent from that file: unknown, not "no"; nothing to check
        empty, _ = parser(pd.Series([], dtype="str"))
        return pd.Series(index=rows.index, dtype=empty.dtype), (reason, np.zeros(len(rows), dtype=bool), "")
    raw = _text(rows, name)
    out, bad = parser(raw)
    if raw.hasnans:  # column absent from that file: unknown, not "no"
        out = out.mask(raw.isna())
    message = lambda at: f"column {name} ({FIELD_LABELS[name]}): " + _quote(raw.iloc[at]) + f" is not {expected}"  # noqa: E731
    return out, (reason, bad & raw.notna(), message)


def _blank_is_unknown_where_no_is_spelled(flag: pd.Series, rows: pd.DataFrame, name: str) -> pd.Series:
    """A blank yes/no cell is "no" only under the x/blank convention, else unknown.

    In a file whose column spells "no" out somewhere (Không, 0, False), a blank cell says
    nothing: it becomes unknown (DESIGN §8). In a file whose column only marks "yes" (x, Có)
    and leaves the rest blank, the blank is that file's way of writing "no" and stays "no".
    Decided per file (``file_order``), vectorised.
    """
    if name not in rows:
        return flag
    raw = _text(rows, name)
    blank = raw.notna() & raw.fillna("").str.strip().eq("")
    spelled_no = flag.eq(False).fillna(False) & ~blank
    file_of = rows["file_order"] if "file_order" in rows else pd.Series(0, index=rows.index)
    files = file_of[spelled_no.to_numpy(dtype=bool)].unique()
    return flag.mask(blank & file_of.isin(files))


def _before_message(first: str, second: str, a: pd.Series, b: pd.Series):
    return lambda at: (  # noqa: E731
        f"{first} " + a.iloc[at].dt.strftime("%d/%m/%Y") + f" is before {second} " + b.iloc[at].dt.strftime("%d/%m/%Y")
    )


def typed_dossiers(rows: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Typed dossier rows with ``reason`` / ``message`` columns ("" = clean).

    Units: the authority is read from the authority column; when the export has none (or the
    cell is blank) it is the catalogue's ``authority_code`` for the procedure, else the
    reception point's own unit. The reception point is read from the reception column (a unit
    named there is replaced by its usual reception point, e.g. UBND thị xã -> Trung tâm HCC);
    when absent it is the authority's usual reception point, else the authority itself.
    """
    idx = rows.index
    dossier_id = normalised_text(_text(rows, "dossier_id").fillna(""))
    raw_code = _text(rows, "procedure_code")
    code_codes, codes = _procedure_codes(raw_code)
    procedure_code = _spread_text(raw_code, _distinct(raw_code)[1], codes, code_codes)
    dates, date_checks = _date_checks(rows, ("received_at", "due_at", "finished_at", "returned_at"))
    received = dates["received_at"]
    status, status_check = _word_check(rows, "status", V.parsed_statuses, "unknown_status", "a known status")
    channel, channel_check = _word_check(rows, "channel", V.parsed_channels, "unknown_channel", "Trực tiếp, Trực tuyến, Bưu chính công ích or 1/2/3")
    status = status.astype("Int8").fillna(
        pd.Series(
            np.select(
                [dates["returned_at"].notna().to_numpy(), dates["finished_at"].notna().to_numpy()],
                INFERRED_STATUS[:2],
                default=INFERRED_STATUS[2],
            ),
            index=idx,
        ).astype("Int8")
    )
    value_checks, flags = [], {}
    for name in BOOLEAN_FIELDS:
        flags[name], check = _word_check(rows, name, V.parsed_booleans, "unparseable_value", "yes/no (Có/Không, x, 1/0, True/False)")
        flags[name] = _blank_is_unknown_where_no_is_spelled(flags[name], rows, name)
        value_checks.append(check)
    supplements, check = _word_check(rows, "supplement_count", V.parsed_counts, "unparseable_value", "a whole number")
    value_checks.append(check)

    # Catalogue facts by procedure code (codes are text: "001" is not "1"), per distinct code.
    cat = catalogue.drop_duplicates("procedure_code").set_index("procedure_code")
    in_catalogue = codes.isin(cat.index).to_numpy(dtype=bool)[code_codes]
    cat_authority = codes.map(cat["authority_code"]).astype("str")
    cat_authority = _spread(cat_authority.where(~_blank(cat_authority)), code_codes, idx)

    authority_raw, reception_raw = _text(rows, "authority"), _text(rows, "reception")
    days = DayCodes(received)  # factorised once for the five look-ups by day below
    authority, authority_problem = resolved_units(authority_raw, received, day_codes=days)
    reception_named, reception_problem = resolved_units(reception_raw, received, reception=True, day_codes=days)
    # Each look-up below runs only when some row needs it (no reception column: none does).
    named = reception_named.notna()
    reception_named = _where(lambda: usual_reception(reception_named, received, day_codes=days), named)
    authority = _filled(authority, lambda: cat_authority.where(named))
    authority = _filled(authority, lambda: reception_owner(reception_named, received, day_codes=days))
    reception = _filled(reception_named, lambda: _where(lambda: usual_reception(authority, received, day_codes=days), authority.notna()))
    no_unit = _blank_rows(rows, "authority") & _blank_rows(rows, "reception")
    unit_bad = authority_problem.notna() | reception_problem.notna() | authority.isna()

    finished_early = dates["finished_at"].dt.normalize() < received.dt.normalize()
    returned_early = dates["returned_at"].dt.normalize() < received.dt.normalize()
    reason, message = _first_reason(
        [
            _excel_error_check(rows),
            ("missing_dossier_id", dossier_id.eq(""), "the dossier id (Mã hồ sơ) is empty"),
            ("id_as_number", _id_as_number(dossier_id), "column dossier_id (Mã hồ sơ): " + ID_AS_NUMBER_MESSAGE.format(label="dossier id")),
            ("missing_received_date", _blank_dates(received, date_checks[0][1]), "the received date (Ngày tiếp nhận) is empty"),
            *date_checks,
            status_check,
            channel_check,
            *value_checks,
            ("unknown_unit", unit_bad, _unit_message(authority_problem, reception_problem, no_unit, reception_raw)),
            ("finished_before_received", finished_early, _before_message("finished_at", "received_at", dates["finished_at"], received)),
            ("finished_before_received", returned_early, _before_message("returned_at", "received_at", dates["returned_at"], received)),
        ],
        idx,
    )
    if "online_level" in rows:
        export_level = V.mapped_words(_text(rows, "online_level"), V.ONLINE_LEVEL_WORDS)[0]
    else:  # (what the look-up gives for a column of missing cells)
        export_level = pd.Series(index=idx, dtype="str")
    units = refdata.load_units().set_index("code")
    out = pd.DataFrame(
        {
            "dossier_id": dossier_id,
            "procedure_code": procedure_code,
            "procedure_name": _text_or_catalogue(_text(rows, "procedure_name"), codes.map(cat["procedure_name"]), code_codes),
            "field": _text_or_catalogue(_text(rows, "field"), codes.map(cat["field"]), code_codes),
            "unit_code": authority,
            "level": _mapped(authority, units["level"]),
            "reception_code": reception,
            "channel": channel,
            "online_level": _spread(codes.map(cat["online_level"]).astype("str"), code_codes, idx).fillna(export_level),
            **dates,
            "status": status,
            "supplement_count": supplements,
            **flags,
            "in_catalogue": in_catalogue,
            "source_file": rows["source_file"],
            "source_row": rows["source_row"],
            "reason": reason,
            "message": message,
        },
        index=idx,
    )
    out = out.astype({k: v for k, v in DOSSIER_COLUMNS.items() if k not in ("supplement_count",)})
    out["supplement_count"] = out["supplement_count"].astype("Int64").astype("Int16")
    return out


def _procedure_codes(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes of the rows and their distinct procedure codes: stripped, NFC, blank -> missing."""
    codes, distinct = _distinct(raw)
    text = distinct.str.strip().str.normalize("NFC")
    return codes, text.where(~_blank(text))


def _text_or_catalogue(raw: pd.Series, fallback: pd.Series, code_codes: np.ndarray) -> pd.Series:
    """Normalised text of ``raw``; where blank, the catalogue's text (``fallback`` per distinct
    procedure code, ``code_codes`` the rows' codes). Both are computed per distinct value."""
    codes, distinct = _distinct(raw)
    text = normalised_text(distinct)
    out = _spread_text(raw, distinct, text, codes)
    blank = _blank(text).to_numpy(dtype=bool)[codes]
    if not blank.any():  # (every row has its own text: nothing to fill)
        return out
    return out.where(~blank, _spread(fallback.astype("str"), code_codes, raw.index))


def _unit_message(authority_problem, reception_problem, no_unit, reception_raw):
    """Message of the ``unknown_unit`` check, built for the failing rows only (positions)."""

    def message(at: np.ndarray) -> pd.Series:
        a_problem, r_problem = authority_problem.iloc[at], reception_problem.iloc[at]
        none = pd.Series(no_unit[at], index=a_problem.index)
        text = ("authority " + a_problem.fillna("")).where(a_problem.notna(), "reception " + r_problem.fillna(""))
        text = text.where(~none, "no authority or reception unit given")
        return text.where(
            a_problem.notna() | r_problem.notna() | none,
            "no unit found for reception " + _quote(reception_raw.iloc[at]),
        )

    return message


def typed_pakn(rows: pd.DataFrame) -> pd.DataFrame:
    """Typed PAKN rows with ``reason`` / ``message`` ("" = clean).

    A blank status is inferred from the handled date (handled -> ``da_xu_ly``).
    """
    idx = rows.index
    pakn_id = normalised_text(_text(rows, "pakn_id").fillna(""))
    dates, date_checks = _date_checks(rows, ("received_at", "due_at", "handled_at"))
    status, status_check = _word_check(rows, "status", lambda s: V.mapped_words(s, V.PAKN_STATUS_WORDS), "unknown_status", "Đã xử lý or Đang xử lý")
    status = status.fillna(pd.Series(np.where(dates["handled_at"].notna(), "da_xu_ly", "dang_xu_ly"), index=idx))
    classification, class_check = _word_check(rows, "classification", lambda s: V.mapped_words(s, V.CLASSIFICATION_WORDS), "unparseable_value", "'quy định hành chính' or 'hành vi hành chính'")
    unit_raw = _text(rows, "unit")
    unit, problem = resolved_units(unit_raw, dates["received_at"])
    reason, message = _first_reason(
        [
            _excel_error_check(rows),
            ("missing_pakn_id", pakn_id.eq(""), pd.Series("the PAKN id is empty", index=idx)),
            ("id_as_number", _id_as_number(pakn_id), "column pakn_id (Mã PAKN): " + ID_AS_NUMBER_MESSAGE.format(label="PAKN id")),
            ("missing_received_date", _blank(_text(rows, "received_at")), pd.Series("the received date (Ngày tiếp nhận) is empty", index=idx)),
            *date_checks,
            status_check,
            class_check,
            ("unknown_unit", unit.isna(), problem.fillna("the handling unit is empty")),
            ("finished_before_received", dates["handled_at"].dt.normalize() < dates["received_at"].dt.normalize(), _before_message("handled_at", "received_at", dates["handled_at"], dates["received_at"])),
        ],
        idx,
    )
    return pd.DataFrame(
        {"pakn_id": pakn_id, "unit_code": unit, **dates, "status": status.astype("str"),
         "classification": classification.astype("str"), "source_file": rows["source_file"],
         "source_row": rows["source_row"], "reason": reason, "message": message},
        index=idx,
    )


def typed_edocs(rows: pd.DataFrame) -> pd.DataFrame:
    """Typed e-document rows with ``reason`` / ``message`` ("" = clean).

    A blank count is 0; a missing "secret" column means no secret documents are known (NA).
    """
    idx = rows.index
    month_raw = _text(rows, "month")
    month, month_bad = V.parsed_months(month_raw)
    counts, checks = {}, []
    for name in ("documents_sent", "documents_electronic", "documents_secret"):
        counts[name], check = _word_check(rows, name, V.parsed_counts, "unparseable_value", "a whole number")
        checks.append(check)
    unit_raw = _text(rows, "unit")
    unit, problem = resolved_units(unit_raw, month)
    sent = counts["documents_sent"]
    reason, message = _first_reason(
        [
            _excel_error_check(rows),
            ("missing_month", _blank(month_raw), pd.Series("the month (Tháng) is empty", index=idx)),
            ("unparseable_date", month_bad, "column month (Tháng): " + _quote(month_raw) + " is not a month; expected mm/yyyy or a date"),
            _implausible_check("month", month, plausible_window()),
            *checks,
            ("unknown_unit", unit.isna(), problem.fillna("the unit is empty")),
            ("inconsistent_counts", (counts["documents_electronic"] > sent) | (counts["documents_secret"] > sent), pd.Series("electronic or secret documents exceed documents sent", index=idx)),
        ],
        idx,
    )
    return pd.DataFrame(
        {"unit_code": unit, "month": month, **counts, "source_file": rows["source_file"],
         "source_row": rows["source_row"], "reason": reason, "message": message},
        index=idx,
    )
