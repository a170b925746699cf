"""The dossiers the sample intends: who received what, when, and how it ended.

One row per dossier with its event times (``received_at``, ``due_at``, ``finished_at``,
``returned_at``), its final fate and its yes/no facts. Everything is drawn with vectorised
numpy from one seeded :class:`numpy.random.Generator`; loops run over streams (reception
point × quarter), never over dossiers. What each export *shows* is decided later by
:mod:`.render` (the state of a dossier at the export date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import refdata, workdays
from . import spec

MINUTE = np.timedelta64(1, "m")
DAY = np.timedelta64(1, "D")


def quarter_bounds(quarter: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First midnight and last second of a calendar quarter."""
    period = pd.Period(quarter, freq="Q")
    return period.start_time.floor("D"), period.end_time.floor("s")


def streams() -> pd.DataFrame:
    """Reception streams per quarter with their expected volume.

    Returns
    -------
    pandas.DataFrame
        ``quarter, q_index, reception_code, authority_code, mix, expected``; ``authority_code``
        ``"*"`` means the reception unit itself, ``mix`` is ``xa``, ``huyen`` or ``land``.
    """
    rows = []
    reform = pd.Period(spec.OLD_UNITS_END, freq="Q")
    for q_index, quarter in enumerate(spec.QUARTERS):
        period = pd.Period(quarter, freq="Q")
        factor = spec.SEASON[period.quarter] * (1 + spec.GROWTH_PER_YEAR) ** (period.year - 2023)
        if period <= reform:
            rows.append((quarter, q_index, spec.HCC, spec.TOWN, "huyen", spec.TOWN_VOLUME * factor))
            rows.append((quarter, q_index, spec.HCC, spec.LAND, "land", spec.LAND_VOLUME * factor))
            for unit, volume in spec.OLD_COMMUNE_VOLUME.items():
                rows.append((quarter, q_index, unit, "*", "xa", volume * factor))
        else:
            for unit, volume in spec.NEW_WARD_VOLUME.items():
                for mix, share in spec.NEW_WARD_SPLIT.items():
                    authority = spec.LAND if mix == "land" else "*"
                    rows.append((quarter, q_index, unit, authority, mix, volume * share * factor))
    return pd.DataFrame(
        rows, columns=["quarter", "q_index", "reception_code", "authority_code", "mix", "expected"]
    )


def procedure_table() -> pd.DataFrame:
    """Catalogue plus the uncatalogued procedures, indexed by code, with ``in_catalogue``."""
    cat = refdata.load_catalogue().set_index("procedure_code")
    extra = pd.DataFrame(
        [
            {"procedure_code": code, "procedure_name": name, "field": field,
             "statutory_days": days, "online_level": "khong", "has_fee": False}
            for code, (name, field, days) in spec.NOT_IN_CATALOGUE.items()
        ]
    ).set_index("procedure_code")
    table = pd.concat([cat.assign(in_catalogue=True), extra.assign(in_catalogue=False)])
    return table[["procedure_name", "field", "statutory_days", "online_level", "has_fee",
                  "in_catalogue"]]


def _office_minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Minutes after midnight inside office hours (7:30-11:30, 13:30-17:00)."""
    morning = rng.random(n) < 0.55
    return np.where(morning, rng.integers(450, 690, n), rng.integers(810, 1020, n))


def _working_days(start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    table = workdays.working_days_table(start, end)
    return table.loc[table["is_working_day"], "day"].to_numpy().astype("datetime64[D]")


def _add_wd(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Vectorised :func:`workdays.add_working_days` on day arrays (datetime64[D])."""
    return np.asarray(workdays.add_working_days(days.astype("datetime64[D]"), n)).astype(
        "datetime64[D]"
    )


def _at(days: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[m]") + minutes.astype("int64") * MINUTE


def draw_dossiers(rng: np.random.Generator) -> pd.DataFrame:
    """Draw every dossier of the sample period with its fate and event times.

    Returns
    -------
    pandas.DataFrame
        One row per dossier: identity, procedure, channel, ``received_at``, ``due_at``,
        ``statutory_due``, ``finished_at`` (may lie after the cut-off), ``returned_at``,
        ``fate`` (1, 3, 7, 8 or 10 = processed), ``late_kind`` and the yes/no facts.
    """
    st = streams()
    counts = rng.poisson(st["expected"].to_numpy())
    idx = np.repeat(np.arange(len(st)), counts)
    d = st.iloc[idx].reset_index(drop=True)
    n = len(d)
    procs = procedure_table()
    mixes = {"xa": spec.MIX_XA, "huyen": spec.MIX_HUYEN, "land": spec.MIX_LAND}
    code = np.empty(n, dtype=object)
    for mix, weights in mixes.items():
        rows = np.flatnonzero(d["mix"].to_numpy() == mix)
        codes = np.array(list(weights))
        p = np.array(list(weights.values()), dtype=float)
        code[rows] = rng.choice(codes, size=len(rows), p=p / p.sum())
    d["procedure_code"] = code.astype(str)
    info = procs.loc[d["procedure_code"]].reset_index(drop=True)
    for col in info.columns:
        d[col] = info[col].to_numpy()
    d["unit_code"] = np.where(d["authority_code"] == "*", d["reception_code"], d["authority_code"])
    frac = d["q_index"].to_numpy() / (len(spec.QUARTERS) - 1)

    # Channel: online share rises over the quarters, only for procedures offered online.
    online_p = np.select(
        [d["online_level"] == "toan_trinh", d["online_level"] == "mot_phan"],
        [0.15 + 0.60 * frac, 0.06 + 0.40 * frac], 0.0,
    )
    postal_p = np.where(d["mix"] == "xa", 0.005, 0.02)
    u = rng.random(n)
    d["channel"] = np.where(u < online_p, "truc_tuyen",
                            np.where(u < online_p + postal_p, "buu_chinh", "truc_tiep"))
    online = d["channel"].to_numpy() == "truc_tuyen"

    # Received: office hours on working days; a third of online ones at night or at weekends.
    received_day = np.empty(n, dtype="datetime64[D]")
    for quarter, rows in d.groupby("quarter").indices.items():
        start, end = quarter_bounds(quarter)
        wd = _working_days(start, end)
        received_day[rows] = wd[rng.integers(0, len(wd), len(rows))]
        anytime = online[rows] & (rng.random(len(rows)) < 0.3)
        all_days = np.arange(start.to_datetime64().astype("datetime64[D]"),
                             end.to_datetime64().astype("datetime64[D]") + DAY)
        received_day[rows[anytime]] = all_days[rng.integers(0, len(all_days), anytime.sum())]
    minutes = _office_minutes(rng, n)
    night = online & (rng.random(n) < 0.12)
    minutes = np.where(night, rng.integers(0, 1440, n), minutes)
    received = _at(received_day, minutes)
    d["received_at"] = received

    # Appointment: statutory working days from the catalogue, at 17:00 on the due day.
    days = d["statutory_days"].to_numpy().astype("int64")
    stat_day = _add_wd(received_day, days)
    stat_due = _at(stat_day, np.full(n, 1020))
    same_day_evening = (stat_day == received_day) & (received > stat_due)
    stat_due = np.where(same_day_evening, _at(received_day, np.full(n, 1439)), stat_due)
    d["statutory_due"] = stat_due
    beyond = rng.random(n) < 0.005  # appointment set later than the statute allows
    extra = rng.integers(3, 11, n)
    due_day = np.where(beyond, _add_wd(stat_day, extra), stat_day)
    due = np.where(beyond, _at(due_day, np.full(n, 1020)), stat_due)
    d["beyond_statute"] = beyond

    # Fate: not accepted, abandoned online registration, withdrawn, stopped, processed.
    u = rng.random(n)
    fate = np.full(n, 10)
    fate[u < 0.004] = 3
    fate[(u >= 0.004) & (u < 0.014)] = 7
    fate[(u >= 0.014) & (u < 0.017)] = 8
    fate[online & (rng.random(n) < 0.004)] = 1
    d["fate"] = fate
    no_deadline = (rng.random(n) < 0.002) & (fate == 10)
    due = np.where(np.isin(fate, [1, 3]) | no_deadline, np.datetime64("NaT"), due)
    d["due_at"] = due.astype("datetime64[m]")

    # Outcome of processed dossiers: early, on time or late (late probability per authority).
    late_p = d["unit_code"].map(spec.LATE_PROBABILITY).fillna(spec.DEFAULT_LATE_PROBABILITY)
    late = (rng.random(n) < late_p.to_numpy()) & (fate == 10) & ~no_deadline
    early = ~late & (rng.random(n) < np.where(days >= 2, 0.7, 0.4)) & (days >= 1)
    finish_day = due_day.copy()
    k_early = np.floor(rng.random(n) * np.maximum(days, 1)).astype("int64")
    finish_day = np.where(early, _add_wd(received_day, k_early), finish_day)
    k_late = 1 + rng.geometric(np.where(d["mix"] == "land", 0.18, 0.4), n)
    finish_day = np.where(late, _add_wd(due_day, k_late), finish_day)
    k_stop = np.floor(rng.random(n) * (days + 1)).astype("int64")
    finish_day = np.where(np.isin(fate, [7, 8]), _add_wd(received_day, k_stop), finish_day)
    finished = np.maximum(_at(finish_day, _office_minutes(rng, n)),
                          received + rng.integers(10, 120, n) * MINUTE)
    finished = np.minimum(finished, _at(finish_day, np.full(n, 1439)))
    finished = np.maximum(finished, received + MINUTE)
    bulk = late & (rng.random(n) < 0.06)  # late ones closed in bulk at the appointment minute
    finished = np.where(bulk, due, finished)
    finished = np.where(np.isin(fate, [1, 3]), np.datetime64("NaT"), finished)
    d["finished_at"] = finished.astype("datetime64[m]")
    d["late_kind"] = np.select([bulk, late, early], ["bulk", "late", "early"], "on_time")
    d["apology_drawn"] = rng.random(n) >= 0.15  # 15 % of late dossiers get no apology slip

    # Return to the citizen: same day for half, up to a week later, never for a few.
    j = rng.choice([0, 1, 2, 3, 5, -1], size=n, p=[0.5, 0.2, 0.1, 0.08, 0.07, 0.05])
    ret_day = _add_wd(finished.astype("datetime64[D]"), np.maximum(j, 0))
    returned = np.where(j == 0, finished + rng.integers(5, 90, n) * MINUTE,
                        _at(ret_day, _office_minutes(rng, n)))
    returned = np.where((j < 0) | (fate != 10), np.datetime64("NaT"), returned)
    d["returned_at"] = returned.astype("datetime64[m]")

    # Yes/no facts, rising over the quarters.
    d["supplement_count"] = rng.choice([0, 1, 2], size=n, p=[0.95, 0.04, 0.01])
    d["digitised_input"] = rng.random(n) < 0.80 + 0.19 * np.minimum(1, frac * 1.6)
    d["digitised_result"] = rng.random(n) < 0.70 + 0.29 * np.minimum(1, frac * 1.4)
    d["reused_data"] = rng.random(n) < 0.15 + 0.60 * frac
    has_fee = d["has_fee"].to_numpy().astype(bool)
    d["has_fee"] = has_fee
    d["paid_online"] = has_fee & (rng.random(n) < np.where(online, 0.85, 0.05 + 0.45 * frac))
    d["pending_status"] = rng.choice([4, 2, 5, 6], size=n, p=[0.7, 0.1, 0.12, 0.08])
    d.loc[(d["pending_status"] == 6) & ~d["has_fee"], "pending_status"] = 4
    d = _close_old_units(d, rng)
    d = tune_2024q1(d, rng)
    d = _assign_ids(d)
    return d


def _close_old_units(d: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Dossiers received at the old units and the town centre are all closed by 30 June 2025.

    Before the two-level reform every locality had to settle its pending dossiers; the sample
    therefore never carries a dossier of a dissolved unit into 2025Q3 (a later quarter's file
    would otherwise list a unit that no longer exists).
    """
    old = d["reception_code"].isin([spec.HCC, *spec.OLD_UNITS])
    over = old & (d["finished_at"] > spec.OLD_UNITS_END)
    end_day = _working_days(spec.OLD_UNITS_END - pd.Timedelta(days=10), spec.OLD_UNITS_END)[-1]
    close = _at(np.full(over.sum(), end_day), _office_minutes(rng, int(over.sum())))
    received = d.loc[over, "received_at"].to_numpy()
    d.loc[over, "finished_at"] = np.maximum(close, received + MINUTE)
    d.loc[over, "late_kind"] = np.where(
        d.loc[over, "finished_at"].dt.floor("D") > d.loc[over, "due_at"].dt.floor("D"),
        "late", "early")
    d.loc[over & (d["returned_at"] > spec.OLD_UNITS_END), "returned_at"] = pd.NaT
    return d


def _assign_ids(d: pd.DataFrame) -> pd.DataFrame:
    """National-style dossier numbers: ``<agency code>-<yymmdd>-<sequence>``, unique."""
    d = d.sort_values(["received_at", "reception_code", "procedure_code"], kind="stable")
    d = d.reset_index(drop=True)
    prefix = d["reception_code"].map(agency_prefix())
    day = d["received_at"].dt.strftime("%y%m%d")
    seq = d.groupby([prefix, day]).cumcount() + 1
    d["dossier_id"] = prefix + "-" + day + "-" + seq.map("{:04d}".format)
    return d


def agency_prefix() -> dict[str, str]:
    """Reception point -> agency code of its dossier numbers (Thừa Thiên Huế is H57)."""
    codes = [spec.HCC, *spec.OLD_WARDS, *spec.OLD_COMMUNES, *spec.NEW_WARDS]
    return {code: f"000.{20 + i:02d}.30.H57" for i, code in enumerate(codes)}


def _late_mask(d: pd.DataFrame) -> pd.Series:
    return d["due_at"].notna() & (d["finished_at"].dt.floor("D") > d["due_at"].dt.floor("D"))


def resolved_in(d: pd.DataFrame, quarter: str) -> pd.Series:
    """Dossiers whose terminal state falls in ``quarter`` (DESIGN §7, calendar convention)."""
    start, end = quarter_bounds(quarter)
    return d["fate"].isin([7, 8, 10]) & (d["finished_at"] >= start) & (d["finished_at"] <= end)


def tune_late_count(d: pd.DataFrame, group: pd.Series, quarter: str, target_late: int,
                    rng: np.random.Generator) -> pd.DataFrame:
    """Move finishing times inside ``quarter`` until ``group`` has ``target_late`` late dossiers.

    Late dossiers are pulled back to their appointment day, on-time ones pushed one to three
    working days past it; only dossiers whose new finishing day stays inside the quarter are
    touched, so the number resolved in the quarter does not change.
    """
    start, end = quarter_bounds(quarter)
    pool = group & resolved_in(d, quarter) & (d["fate"] == 10) & (d["late_kind"] != "bulk")
    late = _late_mask(d)
    gap = int((group & resolved_in(d, quarter) & late).sum()) - target_late
    if gap > 0:
        rows = np.flatnonzero(pool & late & (d["due_at"] >= start))
        pick = rng.choice(rows, size=min(gap, len(rows)), replace=False)
        due = d["due_at"].to_numpy()[pick]
        new = due - rng.integers(0, 240, len(pick)) * MINUTE
        new = np.maximum(new, d["received_at"].to_numpy()[pick] + MINUTE)
        d.loc[pick, "finished_at"] = new
        d.loc[pick, "late_kind"] = "on_time"
    elif gap < 0:
        k = rng.integers(1, 4, len(d))
        pushed = _add_wd(d["due_at"].to_numpy().astype("datetime64[D]"), k)
        ok = pool & ~late & d["due_at"].notna() & (pushed <= end.to_datetime64())
        rows = np.flatnonzero(ok)
        pick = rng.choice(rows, size=min(-gap, len(rows)), replace=False)
        new = _at(pushed[pick], _office_minutes(rng, len(pick)))
        d.loc[pick, "finished_at"] = new
        d.loc[pick, "late_kind"] = "late"
        ret = d.loc[pick, "returned_at"]
        d.loc[pick, "returned_at"] = ret.where(ret.isna() | (ret > new), new + 30 * MINUTE)
    return d


def tune_2024q1(d: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Tune 2024Q1 to the published report: town 97,5 %, town centre 94,5 %, communes 98,8 %."""
    q = spec.TUNING_QUARTER
    town = d["unit_code"] == spec.TOWN
    land = (d["unit_code"] == spec.LAND) & (d["reception_code"] == spec.HCC)
    xa = d["unit_code"].isin(spec.OLD_UNITS)
    n_town = int((town & resolved_in(d, q)).sum())
    n_land = int((land & resolved_in(d, q)).sum())
    n_xa = int((xa & resolved_in(d, q)).sum())
    late_town = round(n_town * (100 - spec.TARGET_TOWN) / 100)
    late_hcc = round((n_town + n_land) * (100 - spec.TARGET_HCC) / 100)
    d = tune_late_count(d, town, q, late_town, rng)
    d = tune_late_count(d, land, q, late_hcc - late_town, rng)
    d = tune_late_count(d, xa, q, round(n_xa * (100 - spec.TARGET_XA) / 100), rng)
    return d


def draw_pakn(rng: np.random.Generator) -> pd.DataFrame:
    """Feedback and petitions: a handful per quarter, handled within the 10 working days."""
    frames = []
    for q_index, quarter in enumerate(spec.QUARTERS):
        start, end = quarter_bounds(quarter)
        units = (
            [spec.TOWN, *spec.OLD_UNITS] if end <= spec.OLD_UNITS_END else list(spec.NEW_WARDS)
        )
        n = int(rng.poisson(7))
        wd = _working_days(start, end)
        received_day = np.sort(wd[rng.integers(0, len(wd), n)])
        received = _at(received_day, _office_minutes(rng, n))
        due_day = _add_wd(received_day, np.full(n, 10))
        late = rng.random(n) < 0.05
        k = np.where(late, rng.integers(11, 14, n), rng.integers(1, 10, n))
        handled_day = _add_wd(received_day, k)
        last = wd[-1]
        # Petitions still open at the end of a quarter are settled before it closes, except in
        # the last quarter of the sample, which leaves them pending.
        if quarter != spec.QUARTERS[-1]:
            handled_day = np.minimum(handled_day, last)
        handled = np.where(handled_day <= last, handled_day, np.datetime64("NaT"))
        frames.append(pd.DataFrame({
            "quarter": quarter,
            "pakn_id": [f"PAKN.{start.year}.{q_index:02d}{i + 1:03d}" for i in range(n)],
            "unit_code": rng.choice(units, n),
            "received_at": received.astype("datetime64[m]"),
            "due_at": due_day.astype("datetime64[m]"),
            "handled_at": handled.astype("datetime64[m]"),
            "classification": np.where(rng.random(n) < 0.85, "quy_dinh_hanh_chinh",
                                       "hanh_vi_cbcc"),
        }))
    pakn = pd.concat(frames, ignore_index=True)
    pakn["status"] = np.where(pakn["handled_at"].notna(), "da_xu_ly", "dang_xu_ly")
    return pakn


EDOC_VOLUME = {spec.TOWN: 420, "p-thanh-thuy": 260, "p-huong-thuy": 240, "p-phu-bai-2025": 250}


def draw_edocs(rng: np.random.Generator) -> pd.DataFrame:
    """Documents sent per unit and month; paper copies disappear from 2024."""
    frames = []
    for q_index, quarter in enumerate(spec.QUARTERS):
        start, end = quarter_bounds(quarter)
        units = (
            [spec.TOWN, *spec.OLD_UNITS] if end <= spec.OLD_UNITS_END else list(spec.NEW_WARDS)
        )
        months = pd.date_range(start, end, freq="MS")
        unit = np.repeat(units, len(months))
        month = np.tile(months.to_numpy(), len(units))
        base = np.array([EDOC_VOLUME.get(u, 85) for u in unit])
        sent = rng.poisson(base)
        secret = rng.binomial(sent, 0.02)
        paper = rng.binomial(sent - secret, max(0.0, 0.012 * (1 - q_index / 4)))
        frames.append(pd.DataFrame({
            "quarter": quarter, "unit_code": unit, "month": month.astype("datetime64[us]"),
            "documents_sent": sent, "documents_electronic": sent - secret - paper,
            "documents_secret": secret,
        }))
    return pd.concat(frames, ignore_index=True)
