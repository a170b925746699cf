"""The index's item list (``data/qd766_items.csv``) and its points rule.

Every number of the scoring rule is data: the six groups, the item codes and labels, each
item's maximum and ``points = min(max_points, weight * ratio / full_at)`` (ratio in percent,
rounded to 2 decimals), the points of an empty denominator, and how the estimate obtains the
item (``method``). Source: ``../shared/reference/qd766_scoring.md``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..config import reference_path
from ..errors import ConfigError

ITEMS_FILE = "qd766_items.csv"
METHODS = ("ratio", "pakn", "fixed", "portal", "monitor", "info")
#: Maximum of the whole index.
INDEX_MAX = 100.0


@functools.cache
def load_items() -> pd.DataFrame:
    """The item table: ``group, group_label, group_max, item, label, max_points, weight,
    full_at, empty_points, method`` (numbers as float, missing where blank).

    Raises
    ------
    ConfigError
        If the file is missing, a method is unknown, or a group's item maxima do not add up
        to the group's maximum.
    """
    path = reference_path(ITEMS_FILE)
    try:
        table = pd.read_csv(path, comment="#", dtype={"group": "str", "item": "str"})
    except FileNotFoundError as exc:
        raise ConfigError(f"index item table not found at {path}") from exc
    bad = ~table["method"].isin(METHODS)
    if bad.any():
        raise ConfigError(f"{path.name}: method '{table.loc[bad, 'method'].iloc[0]}' is not one of {METHODS}")
    sums = table.groupby("group", sort=False).agg(total=("max_points", "sum"), group_max=("group_max", "first"))
    off = sums[~np.isclose(sums["total"], sums["group_max"])]
    if len(off):
        raise ConfigError(f"{path.name}: group {off.index[0]} items sum to {off['total'].iloc[0]}, not its maximum")
    if not np.isclose(sums["group_max"].sum(), INDEX_MAX):
        raise ConfigError(f"{path.name}: the group maxima sum to {sums['group_max'].sum()}, not {INDEX_MAX}")
    for col in ("group_max", "max_points", "weight", "full_at", "empty_points"):
        table[col] = table[col].astype("float64")
    for col in ("group", "group_label", "item", "label", "method"):
        table[col] = table[col].astype("str")
    return table


def round_points(points) -> np.ndarray:
    """Points rounded half up to 2 decimals (the portal's precision); NaN stays NaN.

    A tiny epsilon absorbs binary representation error (``2.675`` stored as ``2.67499…``).
    """
    values = np.asarray(points, dtype="float64")
    return np.floor(values * 100.0 + 0.5 + 1e-9) / 100.0


def item_points(ratio, max_points, weight, full_at, empty_points=np.nan) -> np.ndarray:
    """Points of an item from its ratio: ``min(max_points, weight * ratio / full_at)``.

    Parameters
    ----------
    ratio
        The item's ratio in percent (0–100); NaN for an empty denominator.
    max_points, weight, full_at
        From the item table (e.g. 4.3: 2, 2, 80 — full points from a ratio of 80%).
    empty_points
        Points when the ratio is NaN (5.2 and 5.3: 6; 5.4: 0; NaN: no points).

    Returns
    -------
    numpy.ndarray
        Points (float, 2 decimals, half up), array-broadcast over the inputs.
    """
    ratio = np.asarray(ratio, dtype="float64")
    raw = np.minimum(np.asarray(max_points, "float64"), np.asarray(weight, "float64") * ratio / np.asarray(full_at, "float64"))
    return round_points(np.where(np.isnan(ratio), np.asarray(empty_points, "float64"), raw))
