"""The indicators of DESIGN §8 as engine-neutral narwhals expressions.

Every indicator is a ratio of two counts. Each function below returns the *per-dossier*
contribution to its numerator and denominator (a :class:`Ratio` of two narwhals expressions);
one group-by sums every contribution at once (:func:`sum_counts`), and :func:`ratio_value`
turns the summed counts into the value. Rates are therefore always computed from counts and
never averaged from rates: a level's rate is Σ numerators / Σ denominators of its units.

Inputs are the canonical dossier columns (``schema.DOSSIER_COLUMNS``) plus the outcome flags of
:func:`cchc_analysis.outcome.dossier_flags` for the period, plus ``processing_days``
(working days from date(received_at) to date(finished_at), computed once in pandas because the
working-day calendar is not an engine expression).

Missing facts: a nullable yes/no column that is missing (the export had no such column, or the
cell was blank) counts as *not true* in a numerator (``fill_null(False)``). A denominator that
needs a yes/no fact (``has_fee``) likewise counts only dossiers where it is known to be true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from .. import engines


@dataclass(frozen=True)
class Ratio:
    """Per-row contributions to an indicator's numerator and denominator.

    Attributes
    ----------
    numerator, denominator
        Narwhals expressions evaluating to a boolean (counted as 0/1) or an integer per row.
    scale
        ``100`` for percentages, ``1`` for plain means (working days).
    """

    numerator: nw.Expr
    denominator: nw.Expr
    scale: float = 100.0


def _true(name: str) -> nw.Expr:
    # Nullable facts: missing is "not true", never "unknown" (engines disagree on unknown).
    return nw.col(name).fill_null(value=False)


# --------------------------------------------------------------------------- dossier indicators


def on_time_rate() -> Ratio:
    """Tỷ lệ giải quyết đúng hạn: (resolved early + resolved on time) / resolved, in percent.

    The headline figure of the quarterly review.
    """
    return Ratio(_true("resolved_early") | _true("resolved_on_time"), _true("resolved"))


def on_time_rate_766() -> Ratio:
    """Progress ratio of the national index (Quyết định 766/QĐ-TTg), in percent.

    (resolved early + resolved on time + pending within due) / received total, where received
    total = received in period + carried over (form 06 column 3).
    """
    return Ratio(
        _true("resolved_early") | _true("resolved_on_time") | _true("pending_within_due"),
        _true("in_scope"),
    )


def online_rate() -> Ratio:
    """Tỷ lệ hồ sơ trực tuyến: received online / received in period, in percent."""
    return Ratio(_true("received_online"), _true("received_in_period"))


def full_online_rate() -> Ratio:
    """Tỷ lệ hồ sơ trực tuyến toàn trình, in percent.

    received online for a procedure whose ``online_level`` is ``toan_trinh`` / received in
    period. A dossier whose online level is unknown counts as not "toàn trình".
    """
    toan_trinh = nw.col("online_level").fill_null("") == "toan_trinh"
    return Ratio(_true("received_online") & toan_trinh, _true("received_in_period"))


def digitised_input_rate() -> Ratio:
    """Tỷ lệ số hóa hồ sơ: received in period with digitised input / received in period (%)."""
    return Ratio(_true("received_in_period") & _true("digitised_input"), _true("received_in_period"))


def digitised_result_rate() -> Ratio:
    """Tỷ lệ số hóa kết quả, in percent.

    resolved with status 9 or 10 and a digitised result / resolved with status 9 or 10
    (withdrawn and stopped dossiers, status 7 and 8, have no result to digitise).
    """
    with_result = _true("resolved") & nw.col("status").is_in([9, 10]).fill_null(value=False)
    return Ratio(with_result & _true("digitised_result"), with_result)


def reuse_rate() -> Ratio:
    """Tỷ lệ tái sử dụng dữ liệu: received in period reusing digitised data / received (%)."""
    return Ratio(_true("received_in_period") & _true("reused_data"), _true("received_in_period"))


def online_payment_rate() -> Ratio:
    """Tỷ lệ thanh toán trực tuyến, in percent.

    received in period with a fee and paid online / received in period with a fee. Dossiers
    whose fee status is unknown are in neither count.
    """
    with_fee = _true("received_in_period") & _true("has_fee")
    return Ratio(with_fee & _true("paid_online"), with_fee)


def apology_rate() -> Ratio:
    """Tỷ lệ hồ sơ quá hạn có phiếu xin lỗi: resolved late with an apology slip / resolved late (%).
    """
    return Ratio(_true("resolved_late") & _true("apology_issued"), _true("resolved_late"))


def avg_processing_days() -> Ratio:
    """Thời gian giải quyết bình quân, in working days.

    Σ working days from date(received_at) to date(finished_at) over resolved dossiers / number
    of resolved dossiers with a known duration (``workdays.working_days_between``).
    """
    known = _true("resolved") & ~nw.col("processing_days").is_null()
    days = nw.when(known).then(nw.col("processing_days")).otherwise(nw.lit(0))
    return Ratio(days, known, scale=1.0)


#: Indicators computed from dossiers, in report order.
DOSSIER_INDICATORS: dict[str, Callable[[], Ratio]] = {
    "on_time_rate": on_time_rate,
    "on_time_rate_766": on_time_rate_766,
    "online_rate": online_rate,
    "full_online_rate": full_online_rate,
    "digitised_input_rate": digitised_input_rate,
    "digitised_result_rate": digitised_result_rate,
    "reuse_rate": reuse_rate,
    "online_payment_rate": online_payment_rate,
    "apology_rate": apology_rate,
    "avg_processing_days": avg_processing_days,
}

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

    ``late_without_apology``: resolved late without an apology slip. ``finished_at_due_minute``:
    resolved in period with finished_at equal to due_at to the minute (precomputed column
    ``finished_at_due_minute``), the trace of overdue dossiers bulk-closed "on time".
    ``appointment_beyond_statute``: received in period with an appointment later than the
    statutory time allows. ``procedure_not_in_catalogue``: in scope, procedure not in the
    catalogue (counted normally, only catalogue checks skip it).
    """
    return {
        "late_without_apology": _true("resolved_late") & ~_true("apology_issued"),
        "finished_at_due_minute": _true("resolved") & _true("finished_at_due_minute"),
        "appointment_beyond_statute": _true("received_in_period")
        & _true("appointment_beyond_statute"),
        "procedure_not_in_catalogue": _true("in_scope") & ~_true("in_catalogue"),
    }


# --------------------------------------------------------------------------- PAKN and e-documents


def pakn_handled_rate() -> Ratio:
    """Tỷ lệ giải quyết PAKN về quy định TTHC, in percent.

    PAKN handled in period / (PAKN received in period + carried over). Only petitions
    classified ``quy_dinh_hanh_chinh`` count (columns from :func:`pakn_flags`).
    """
    return Ratio(_true("handled_in_period"), _true("in_scope"))


def pakn_on_time_rate() -> Ratio:
    """Tỷ lệ PAKN giải quyết đúng hạn: handled by their due date / handled in period (%).

    On time when date(handled_at) <= date(due_at) or there is no due date.
    """
    return Ratio(_true("handled_in_period") & _true("handled_on_time"), _true("handled_in_period"))


def edoc_rate() -> Ratio:
    """Tỷ lệ văn bản điện tử: Σ documents sent electronically / Σ (documents sent − secret), %.

    Secret documents are excluded from the denominator (they must not travel electronically).
    Monthly rows whose sent or electronic count is missing are left out of both sums.
    """
    known = ~nw.col("documents_sent").is_null() & ~nw.col("documents_electronic").is_null()
    sent = nw.col("documents_sent") - nw.col("documents_secret").fill_null(0)
    return Ratio(
        nw.when(known).then(nw.col("documents_electronic")).otherwise(nw.lit(0)),
        nw.when(known).then(sent).otherwise(nw.lit(0)),
    )


PAKN_INDICATORS: dict[str, Callable[[], Ratio]] = {
    "pakn_handled_rate": pakn_handled_rate,
    "pakn_on_time_rate": pakn_on_time_rate,
}
EDOC_INDICATORS: dict[str, Callable[[], Ratio]] = {"edoc_rate": edoc_rate}


def pakn_flags(frame, start, end):
    """Add the PAKN outcome flags for the period [start, end] (dates at day granularity).

    Only petitions about administrative regulations (classification ``quy_dinh_hanh_chinh``,
    "phản ánh, kiến nghị về quy định TTHC") are counted; the others get all flags false.
    Adds ``in_scope`` (received by end and not handled before start), ``received_in_period``,
    ``carried_over``, ``handled_in_period`` (start <= date(handled_at) <= end) and
    ``handled_on_time`` (date(handled_at) <= date(due_at), or no due date).

    Parameters
    ----------
    frame
        A narwhals frame (eager or lazy) with the ``schema.PAKN_COLUMNS``.
    start, end
        ``datetime.date`` bounds, inclusive.
    """
    s, e = pd.Timestamp(start).to_pydatetime(), pd.Timestamp(end).to_pydatetime()
    rd = nw.col("received_at").dt.truncate("1d")
    hd = nw.col("handled_at").dt.truncate("1d")
    dd = nw.col("due_at").dt.truncate("1d")
    counted = (nw.col("classification").fill_null("") == "quy_dinh_hanh_chinh") & ~nw.col(
        "received_at"
    ).is_null()
    handled_before = (~nw.col("handled_at").is_null()) & (hd < nw.lit(s)).fill_null(value=False)
    in_scope = counted & (rd <= nw.lit(e)).fill_null(value=False) & ~handled_before
    handled = in_scope & (~nw.col("handled_at").is_null()) & (hd <= nw.lit(e)).fill_null(
        value=False
    )
    on_time = nw.col("due_at").is_null() | (hd <= dd).fill_null(value=False)
    return frame.with_columns(
        in_scope=in_scope,
        received_in_period=in_scope & (rd >= nw.lit(s)).fill_null(value=False),
        carried_over=in_scope & (rd < nw.lit(s)).fill_null(value=False),
        handled_in_period=handled,
        handled_on_time=handled & on_time,
    )


# --------------------------------------------------------------------------- aggregation


def count_expressions(
    indicators: dict[str, Callable[[], Ratio]], extra: dict[str, nw.Expr] | None = None
) -> dict[str, nw.Expr]:
    """Per-row int64 contributions ``<indicator>__num`` / ``<indicator>__den`` (+ ``extra``)."""
    exprs: dict[str, nw.Expr] = {}
    for name, make in indicators.items():
        r = make()
        exprs[f"{name}__num"] = r.numerator.cast(nw.Int64)
        exprs[f"{name}__den"] = r.denominator.cast(nw.Int64)
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
