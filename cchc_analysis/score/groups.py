"""Reporting groups of the estimate: the same ``unit_code`` values as indicators.csv.

``ALL``, each level (``tinh``, ``huyen``, ``xa``, from the dossier's ``level``), each reception
centre (a dossier received at ``hcc-huong-thuy`` counts there too) and each deciding unit. A
missing key is named "(không rõ)", as in indicators.csv, so no dossier drops out of a group.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .. import refdata

ALL = "ALL"
LEVELS = ("tinh", "huyen", "xa")
MISSING_KEY = "(không rõ)"


def _keys(series: pd.Series) -> np.ndarray:
    return series.astype("str").fillna(MISSING_KEY).to_numpy(dtype=object)


def centre_codes(reception_points: pd.DataFrame | None = None) -> set[str]:
    """Codes of the reception centres (``refdata.load_reception_points()`` by default)."""
    points = refdata.load_reception_points() if reception_points is None else reception_points
    return set(points["code"].astype("str"))


def membership(frame: pd.DataFrame, centres: set[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every row of ``frame`` once per reporting group it belongs to.

    Returns
    -------
    (rows, labels)
        ``rows``: positional row numbers into ``frame``; ``labels``: the group's ``unit_code``
        (ALL, the level, the centre when the dossier was received at one, the unit).
    """
    centres = centre_codes() if centres is None else centres
    n = len(frame)
    positions = np.arange(n)
    reception = _keys(frame["reception_code"])
    at_centre = np.isin(reception, list(centres)) if centres else np.zeros(n, dtype=bool)
    rows = np.concatenate([positions, positions, positions[at_centre], positions])
    labels = np.concatenate([
        np.full(n, ALL, dtype=object), _keys(frame["level"]), reception[at_centre], _keys(frame["unit_code"]),
    ])
    return rows, labels


def stacked(frame: pd.DataFrame, centres: set[str] | None = None) -> pd.DataFrame:
    """``frame``'s rows repeated per reporting group, with the group in ``unit_code``."""
    rows, labels = membership(frame, centres)
    out = frame.iloc[rows].reset_index(drop=True)
    out["unit_code"] = pd.array(labels, dtype="str")
    return out


def group_order(present, start: date, end: date, units: pd.DataFrame | None = None,
                reception_points: pd.DataFrame | None = None) -> list[str]:
    """The reporting groups of the period, in report order.

    ALL, the three levels, the reception centres and units valid during ``[start, end]``
    (even without dossiers, so every unit declares its 100 points), then any other code found
    in ``present`` (e.g. "(không rõ)").
    """
    units = refdata.load_units() if units is None else units
    points = refdata.load_reception_points() if reception_points is None else reception_points

    def valid(table: pd.DataFrame) -> list[str]:
        start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
        frm = pd.to_datetime(table["valid_from"]) if "valid_from" in table else pd.Series(pd.NaT, index=table.index)
        to = pd.to_datetime(table["valid_to"]) if "valid_to" in table else pd.Series(pd.NaT, index=table.index)
        ok = (frm.isna() | (frm <= end_ts)) & (to.isna() | (to >= start_ts))
        return list(table.loc[ok, "code"].astype("str"))

    order = [ALL, *LEVELS, *valid(points), *valid(units)]
    extra = sorted(set(map(str, present)) - set(order))
    return order + extra
