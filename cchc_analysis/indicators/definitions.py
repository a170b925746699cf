"""The indicator registry (DESIGN §8): every indicator once, with what the rest of the suite
needs to know about it.

Each indicator is one small pure function returning the *per-row* contribution to its
numerator and denominator (a :class:`Ratio` of two narwhals expressions); one group-by sums
every contribution at once, and ``core.ratio_value`` turns the summed counts into the value.
Rates are therefore always computed from counts and never averaged from rates.

:data:`REGISTRY` lists them in report order with their source table, unit, the canonical
input columns they read (the counting pass reads exactly the columns the registry and the
outcome rules name: :func:`dossier_count_columns`) and their target key in ``targets.yaml``.
Adding an indicator means: its function and :class:`Indicator` row here, its vocabulary row
(``labels.INDICATOR_LABELS``, ``INDICATOR_SHORT_LABELS``, ``INDICATOR_PHRASES``) and its
target; ``tests/test_definitions.py`` fails when one of them is missing. Counting, roll-ups,
files, the report table and the narrative read the registry at call time.

Inputs of the dossier indicators are the canonical dossier columns plus the outcome flags of
:func:`cchc_analysis.outcome.dossier_flags` for the period, plus ``processing_days``.
Unknown is not "no" (README, "Definitions chosen where the design is silent"): a yes/no fact
(``outcome.YES_NO_FACTS``) is yes, no or unknown (the column absent from its export, or the
cell blank), decided once in :mod:`cchc_analysis.outcome` (``fact_yes``, ``fact_known``). Each
dossier indicator has an *eligible* set (e.g. received in period), a *known* subset (every fact
it needs is known): numerator = known & yes, denominator = known, ``unknown`` = eligible −
known (:attr:`Ratio.unknown`). Indicators whose facts are always known (on time, online,
average days, PAKN, e-documents) have no ``unknown`` expression (0 dossiers left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import narwhals.stable.v2 as nw

from .. import schema
from ..outcome import fact_known, fact_yes, online_level_known

#: Units of indicator values: percent (scale 100) or working days (scale 1).
UNIT_SCALES = {"percent": 100.0, "working_days": 1.0}
#: Source tables of the indicators, in report order.
SOURCES = ("dossiers", "pakn", "edocs", "catalogue")
#: Dossier columns every counting pass reads whatever the indicators: group keys, the outcome
#: rules (``outcome.dossier_flags``, the statutory due of ``with_statutory_due``) and the
#: data-quality counts of ``core.quality_counts``.
BASE_DOSSIER_COLUMNS = (
    "unit_code", "level", "reception_code", "field", "procedure_code", "channel", "received_at",
    "due_at", "finished_at", "status", "apology_issued", "in_catalogue",
)


@dataclass(frozen=True)
class Ratio:
    """Per-row contributions to an indicator's numerator and denominator.

    Attributes
    ----------
    numerator, denominator
        Narwhals expressions evaluating to a boolean (counted as 0/1) or an integer per row.
    scale
        ``100`` for percentages, ``1`` for plain means (working days).
    unknown
        Eligible dossiers left out because a fact the indicator needs is unknown (boolean per
        row); None when every fact it needs is always known.
    known
        Eligible dossiers whose facts are known, when that differs from the denominator (only
        ``online_payment_rate``: a dossier known to carry no fee is known but not in the
        denominator); None means the denominator. Coverage = known / (known + unknown).
    """

    numerator: nw.Expr
    denominator: nw.Expr
    scale: float = 100.0
    unknown: nw.Expr | None = None
    known: nw.Expr | None = None


def _true(name: str) -> nw.Expr:
    # Outcome flags (never null by construction); the guard keeps engines equal on null.
    # Yes/no *facts* go through ``outcome.fact_yes`` / ``fact_known`` instead.
    return nw.col(name).fill_null(value=False)


def _fact_rate(eligible: nw.Expr, fact: str) -> Ratio:
    """The rate of one yes/no ``fact`` among ``eligible`` dossiers, over the known ones:
    numerator = eligible & known & yes, denominator = eligible & known, unknown = eligible &
    unknown."""
    known = eligible & fact_known(fact)
    return Ratio(known & fact_yes(fact), known, unknown=eligible & ~fact_known(fact))


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
    period with a known channel-and-level: a dossier received directly is known not to be
    online; a dossier received online whose online level is unknown (procedure not in the
    catalogue) is left out of both counts and counted in ``unknown``.
    """
    toan_trinh = online_level_known() & (nw.col("online_level").fill_null("") == "toan_trinh")
    eligible = _true("received_in_period")
    unknown = _true("received_online") & ~online_level_known()
    return Ratio(_true("received_online") & toan_trinh, eligible & ~unknown, unknown=unknown)


def digitised_input_rate() -> Ratio:
    """Tỷ lệ số hóa hồ sơ, in percent: received in period with digitised input / received in
    period with the digitised-input fact known."""
    return _fact_rate(_true("received_in_period"), "digitised_input")


def digitised_result_rate() -> Ratio:
    """Tỷ lệ số hóa kết quả, in percent.

    resolved with status 9 or 10 and a digitised result / resolved with status 9 or 10
    (withdrawn and stopped dossiers, status 7 and 8, have no result to digitise).
    Dossiers whose digitised-result fact is unknown are left out (``unknown``).
    """
    with_result = _true("resolved") & (~nw.col("status").is_null() & nw.col("status").is_in([9, 10]))
    return _fact_rate(with_result, "digitised_result")


def reuse_rate() -> Ratio:
    """Tỷ lệ tái sử dụng dữ liệu, in percent: received in period reusing digitised data /
    received in period with the reuse fact known."""
    return _fact_rate(_true("received_in_period"), "reused_data")


def online_payment_rate() -> Ratio:
    """Tỷ lệ thanh toán trực tuyến, in percent.

    received in period with a fee and paid online / received in period with a fee, over the
    dossiers whose facts are known: known = ``has_fee`` known and (no fee, or ``paid_online``
    known); eligible = received in period; ``unknown`` = eligible − known; coverage =
    known / eligible.
    """
    eligible = _true("received_in_period")
    known = eligible & fact_known("has_fee") & (~fact_yes("has_fee") | fact_known("paid_online"))
    with_fee = known & fact_yes("has_fee")
    return Ratio(with_fee & fact_yes("paid_online"), with_fee, unknown=eligible & ~known, known=known)


def apology_rate() -> Ratio:
    """Tỷ lệ hồ sơ quá hạn có phiếu xin lỗi, in percent: resolved late with an apology slip /
    resolved late with the apology fact known."""
    return _fact_rate(_true("resolved_late"), "apology_issued")


def avg_processing_days() -> Ratio:
    """Thời gian giải quyết bình quân, in working days.

    Σ working days from date(received_at) to date(finished_at) over resolved dossiers / number
    of resolved dossiers with a known duration (``workdays.working_days_between``).
    """
    known = _true("resolved") & ~nw.col("processing_days").is_null()
    days = nw.when(known).then(nw.col("processing_days")).otherwise(nw.lit(0))
    return Ratio(days, known, scale=1.0)


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



@dataclass(frozen=True)
class Indicator:
    """One registered indicator.

    Attributes
    ----------
    name
        Column value in ``indicators.csv`` and key of its vocabulary row.
    source
        Table it is counted from: ``dossiers``, ``pakn``, ``edocs`` or ``catalogue``.
    ratio
        Function returning its per-row :class:`Ratio` (None for ``catalogue``, counted from
        the procedure catalogue by ``rollup.one_stop_long``).
    unit
        ``percent`` or ``working_days`` (:data:`UNIT_SCALES`).
    columns
        Canonical input columns of its source it reads (beyond the outcome flags).
    target
        Key of its target in ``targets.yaml``; None when it has none by design.
    """

    name: str
    source: str
    ratio: Callable[[], Ratio] | None
    unit: str = "percent"
    columns: tuple[str, ...] = ()
    target: str | None = None

    @property
    def scale(self) -> float:
        """Multiplier of numerator / denominator: 100 for percent, 1 for working days."""
        return UNIT_SCALES[self.unit]


def _registry(*indicators: Indicator) -> dict[str, Indicator]:
    return {i.name: i for i in indicators}


#: Every indicator, in report order.
REGISTRY: dict[str, Indicator] = _registry(
    Indicator("on_time_rate", "dossiers", on_time_rate, target="on_time_rate"),
    Indicator("on_time_rate_766", "dossiers", on_time_rate_766, target="on_time_rate_766"),
    Indicator("online_rate", "dossiers", online_rate, target="online_rate"),
    Indicator("full_online_rate", "dossiers", full_online_rate, columns=("online_level",), target="full_online_rate"),
    Indicator("digitised_input_rate", "dossiers", digitised_input_rate, columns=("digitised_input",),
              target="digitised_input_rate"),
    Indicator("digitised_result_rate", "dossiers", digitised_result_rate, columns=("status", "digitised_result"),
              target="digitised_result_rate"),
    Indicator("reuse_rate", "dossiers", reuse_rate, columns=("reused_data",), target="reuse_rate"),
    Indicator("online_payment_rate", "dossiers", online_payment_rate, columns=("has_fee", "paid_online"),
              target="online_payment_rate"),
    Indicator("apology_rate", "dossiers", apology_rate, columns=("apology_issued",), target="apology_rate"),
    Indicator("avg_processing_days", "dossiers", avg_processing_days, unit="working_days",
              columns=("received_at", "finished_at")),
    Indicator("pakn_handled_rate", "pakn", pakn_handled_rate,
              columns=("received_at", "handled_at", "classification"), target="pakn_handled_rate"),
    Indicator("pakn_on_time_rate", "pakn", pakn_on_time_rate,
              columns=("received_at", "handled_at", "due_at", "classification"), target="pakn_on_time_rate"),
    Indicator("edoc_rate", "edocs", edoc_rate, columns=("month", "documents_sent", "documents_electronic",
                                                       "documents_secret"), target="edoc_rate"),
    Indicator("one_stop_rate", "catalogue", None, target="one_stop_rate"),
)


def names(source: str | None = None) -> list[str]:
    """Registered indicator names in report order (of one ``source`` when given)."""
    return [n for n, i in REGISTRY.items() if source is None or i.source == source]


def ratios(source: str) -> dict[str, Callable[[], Ratio]]:
    """Name -> ratio function of the indicators counted from ``source``, in report order."""
    return {n: i.ratio for n, i in REGISTRY.items() if i.source == source}


def scales() -> dict[str, float]:
    """Name -> scale of every registered indicator."""
    return {n: i.scale for n, i in REGISTRY.items()}


def target_keys() -> dict[str, str]:
    """Name -> key in ``targets.yaml`` of every indicator that has a target."""
    return {n: i.target for n, i in REGISTRY.items() if i.target is not None}


def dossier_count_columns() -> tuple[str, ...]:
    """Dossier columns a counting pass reads: :data:`BASE_DOSSIER_COLUMNS` and every dossier
    indicator's ``columns``; group keys first, then in canonical order."""
    wanted = set(BASE_DOSSIER_COLUMNS)
    for indicator in REGISTRY.values():
        if indicator.source == "dossiers":
            wanted.update(indicator.columns)
    keys = ("unit_code", "level", "reception_code", "field")
    return (*keys, *[c for c in schema.DOSSIER_COLUMNS if c in wanted and c not in keys])
