"""Counting machinery of the indicators (DESIGN §8), engine-neutral through narwhals.

The indicators themselves (one small function each) are registered in :mod:`.definitions`;
this module turns their per-row contributions into integer columns (:func:`count_expressions`),
sums them in one group-by on any engine (:func:`sum_counts`) and turns summed counts into a
value (:func:`ratio_value`). It also names the form-06 columns and the data-quality marks
summed with them.
"""

from __future__ import annotations

from collections.abc import Callable

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from .. import engines
from ..outcome import YES_NO_FACTS, fact_no, fact_unknown, pakn_flags  # noqa: F401  (pakn_flags re-exported: its former home)
from . import definitions
from .definitions import (  # noqa: F401  (re-exported: the indicator functions' former home)
    Ratio,
    _true,
    apology_rate,
    avg_processing_days,
    digitised_input_rate,
    digitised_result_rate,
    edoc_rate,
    full_online_rate,
    on_time_rate,
    on_time_rate_766,
    online_payment_rate,
    online_rate,
    pakn_handled_rate,
    pakn_on_time_rate,
    reuse_rate,
)

#: Indicators computed from dossiers, PAKN and e-documents, in report order (the registry as
#: imported; code that must see indicators registered later calls ``definitions.ratios``).
DOSSIER_INDICATORS: dict[str, Callable[[], Ratio]] = definitions.ratios("dossiers")
PAKN_INDICATORS: dict[str, Callable[[], Ratio]] = definitions.ratios("pakn")
EDOC_INDICATORS: dict[str, Callable[[], Ratio]] = definitions.ratios("edocs")

#: Form 06 count column -> outcome flag it sums (DESIGN §7).
FORM06_FLAGS: dict[str, str] = {
    "received_total": "in_scope",
    "received_online": "received_online",
    "received_offline": "received_offline",
    "carried_over": "carried_over",
    "resolved_total": "resolved",
    "resolved_early": "resolved_early",
    "resolved_on_time": "resolved_on_time",
    "resolved_late": "resolved_late",
    "pending_total": "pending",
    "pending_within_due": "pending_within_due",
    "pending_overdue": "pending_overdue",
}


def quality_counts() -> dict[str, nw.Expr]:
    """Per-dossier data-quality marks summed with the indicators (check name -> expression).

    ``late_without_apology``: resolved late and *known* to have no apology slip (a dossier
    whose export has no apology column is not counted: unknown is not "no").
    ``unknown:<fact>``: in-scope dossiers whose yes/no fact is unknown (one per
    ``outcome.YES_NO_FACTS``). ``finished_at_due_minute``:
    resolved in period with finished_at equal to due_at to the minute (precomputed column
    ``finished_at_due_minute``), the trace of overdue dossiers bulk-closed "on time".
    ``appointment_beyond_statute``: received in period with an appointment later than the
    statutory time allows. ``procedure_not_in_catalogue``: in scope, procedure not in the
    catalogue (counted normally, only catalogue checks skip it).
    """
    unknown = {f"unknown:{fact}": _true("in_scope") & fact_unknown(fact) for fact in YES_NO_FACTS}
    return {
        "late_without_apology": _true("resolved_late") & fact_no("apology_issued"),
        "finished_at_due_minute": _true("resolved") & _true("finished_at_due_minute"),
        "appointment_beyond_statute": _true("received_in_period")
        & _true("appointment_beyond_statute"),
        "procedure_not_in_catalogue": _true("in_scope") & ~_true("in_catalogue"),
        **unknown,
    }


# --------------------------------------------------------------------------- aggregation


def count_expressions(
    indicators: dict[str, Callable[[], Ratio]], extra: dict[str, nw.Expr] | None = None
) -> dict[str, nw.Expr]:
    """Per-row int64 contributions ``<indicator>__num`` / ``<indicator>__den`` (+ ``extra``).

    Indicators that need a yes/no fact also give ``<indicator>__unk`` (eligible dossiers whose
    fact is unknown) and, where known differs from the denominator, ``<indicator>__known``;
    the others have none (0 unknown, known = denominator: :func:`unknown_and_known`).
    """
    exprs: dict[str, nw.Expr] = {}
    for name, make in indicators.items():
        r = make()
        exprs[f"{name}__num"] = r.numerator.cast(nw.Int64)
        exprs[f"{name}__den"] = r.denominator.cast(nw.Int64)
        if r.unknown is not None:
            exprs[f"{name}__unk"] = r.unknown.cast(nw.Int64)
        if r.known is not None:
            exprs[f"{name}__known"] = r.known.cast(nw.Int64)
    for name, expr in (extra or {}).items():
        exprs[name] = expr.cast(nw.Int64)
    return exprs


def sum_counts(frame, by: list[str], exprs: dict[str, nw.Expr]) -> pd.DataFrame:
    """Sum every contribution per ``by`` group in one group-by, on any narwhals engine.

    The contributions are materialised as columns first so that the group-by holds only
    plain sums (fast on every engine, including pandas). Returns pandas: ``by`` + one int64
    column per expression, sorted by ``by`` (engines return groups in different orders). Null
    keys are kept as a group of their own.
    """
    return summed_counts(engines.collect(count_query(frame, by, exprs)), by, list(exprs))


def count_query(frame, by: list[str], exprs: dict[str, nw.Expr]):
    """The (lazy) group-by of :func:`sum_counts`, not evaluated."""
    return engines.grouped_sums(frame.select(*[nw.col(k) for k in by], **exprs), by, list(exprs))


def summed_counts(out: pd.DataFrame, by: list[str], names: list[str]) -> pd.DataFrame:
    """The collected result of :func:`count_query` as :func:`sum_counts` returns it."""
    out[names] = out[names].fillna(0).astype("int64")
    return out.sort_values(by, ignore_index=True)


def unknown_and_known(counts: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(unknown, known) summed counts of indicator ``name`` in a wide counts frame: 0 unknown
    and known = denominator when the indicator has no such columns (its facts are always known).
    """
    den = counts[f"{name}__den"].to_numpy(dtype="int64")
    unk = counts[f"{name}__unk"].to_numpy(dtype="int64") if f"{name}__unk" in counts else np.zeros(len(counts), "int64")
    known = counts[f"{name}__known"].to_numpy(dtype="int64") if f"{name}__known" in counts else den
    return unk, known


def coverage_value(known, unknown):
    """Coverage in percent: 100 × known / (known + unknown); empty (NaN) when nothing is eligible."""
    return ratio_value(known, np.asarray(known, dtype="float64") + np.asarray(unknown, dtype="float64"))


def ratio_value(numerator, denominator, scale: float = 100.0):
    """Indicator value from summed counts: ``scale * numerator / denominator``.

    Empty (NaN) when the denominator is 0 or missing: never 0% or 100% by default.
    Works on scalars and on aligned pandas Series / numpy arrays.
    """
    num = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(numerator)), errors="coerce"), float)
    den = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(denominator)), errors="coerce"), float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)
    if np.ndim(numerator) == 0 and np.ndim(denominator) == 0:
        return float(value[0])
    index = getattr(numerator, "index", None)
    return pd.Series(value, index=index) if index is not None else value
