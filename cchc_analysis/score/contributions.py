"""Per-dossier contributions to the index items (one small pure function per item).

Each function takes the dossier table with the DESIGN §7 outcome flags of the period
(``outcome.dossier_flags``) and returns three 0/1 arrays, one value per dossier:
``numerator``, ``denominator`` and ``unknown`` (a dossier that would belong to the denominator
but whose yes/no facts are unknown: the export had no such column or the cell was blank).
Unknown is not "no": such a dossier is in neither count, and the table says how many there
were. Ratios are Σ numerator / Σ denominator of a group, in percent.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd


class Contribution(NamedTuple):
    """Per-dossier 0/1 contributions (numpy bool arrays of equal length)."""

    numerator: np.ndarray
    denominator: np.ndarray
    unknown: np.ndarray


def _flag(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=bool)


def _yes(frame: pd.DataFrame, name: str) -> np.ndarray:
    """True where the fact is known to be yes (a missing column is unknown everywhere)."""
    if name not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[name].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _known(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[name].notna().to_numpy(dtype=bool)


def _ratio_of_fact(base: np.ndarray, frame: pd.DataFrame, fact: str) -> Contribution:
    known = base & _known(frame, fact)
    return Contribution(known & _yes(frame, fact), known, base & ~known)


def progress_on_time(flagged: pd.DataFrame) -> Contribution:
    """2.1 hồ sơ xử lý trước hạn, đúng hạn (percent).

    (resolved early + resolved on time + pending within due) / (received in period + carried
    over): exactly ``on_time_rate_766`` of indicators.csv. No unknown facts.
    """
    numerator = _flag(flagged, "resolved_early") | _flag(flagged, "resolved_on_time") | _flag(flagged, "pending_within_due")
    scope = _flag(flagged, "in_scope")
    return Contribution(numerator & scope, scope, np.zeros(len(flagged), dtype=bool))


def online_payment(flagged: pd.DataFrame) -> Contribution:
    """3.6 hồ sơ thanh toán trực tuyến (percent).

    received in period with a fee and paid online / received in period with a fee and a known
    payment channel. A dossier without a fee (``has_fee`` False) is left out; one whose fee or
    payment is unknown is counted in ``unknown``.
    """
    received = _flag(flagged, "received_in_period")
    fee_known, fee = _known(flagged, "has_fee"), _yes(flagged, "has_fee")
    paid_known = _known(flagged, "paid_online")
    denominator = received & fee & paid_known
    unknown = received & (~fee_known | (fee & ~paid_known))
    return Contribution(denominator & _yes(flagged, "paid_online"), denominator, unknown)


def electronic_result(flagged: pd.DataFrame) -> Contribution:
    """4.1 kết quả giải quyết điện tử (percent).

    in scope with a digitised (electronic) result / in scope with a known result flag
    (2.1's denominator restricted to known facts).
    """
    return _ratio_of_fact(_flag(flagged, "in_scope"), flagged, "digitised_result")


def digitised_dossier(flagged: pd.DataFrame) -> Contribution:
    """4.2 số hóa hồ sơ (percent).

    in scope with digitised input and, where a result exists (resolved with status 9 or 10),
    a digitised result / in scope with those facts known.
    """
    scope = _flag(flagged, "in_scope")
    status = flagged["status"].astype("Int64").fillna(0).to_numpy(dtype="int64")
    needs_result = _flag(flagged, "resolved") & np.isin(status, [9, 10])
    known = _known(flagged, "digitised_input") & (~needs_result | _known(flagged, "digitised_result"))
    good = _yes(flagged, "digitised_input") & (~needs_result | _yes(flagged, "digitised_result"))
    return Contribution(scope & known & good, scope & known, scope & ~known)


def data_reuse(flagged: pd.DataFrame) -> Contribution:
    """4.3 khai thác, tái sử dụng dữ liệu số hóa (percent).

    received in period reusing digitised data / received in period with the fact known.
    """
    return _ratio_of_fact(_flag(flagged, "received_in_period"), flagged, "reused_data")


def service_satisfaction(flagged: pd.DataFrame) -> Contribution:
    """5.4 hài lòng trong tiếp nhận, giải quyết TTHC (percent), approximately.

    (2.1's numerator − dossiers with a complaint or a dislike) / 2.1's denominator. The exports
    carry no complaint or rating link, so nothing is subtracted: an upper bound.
    """
    return progress_on_time(flagged)


def online_share(flagged: pd.DataFrame) -> Contribution:
    """Reference ratio for group 3: received online / received in period with a known channel."""
    received = _flag(flagged, "received_in_period")
    known = received & _known(flagged, "channel")
    return Contribution(known & _flag(flagged, "received_online"), known, received & ~known)


def full_online_share(flagged: pd.DataFrame) -> Contribution:
    """Reference ratio for group 3: received online for a "toàn trình" procedure / received in
    period with known channel and online level."""
    received = _flag(flagged, "received_in_period")
    known = received & _known(flagged, "channel") & _known(flagged, "online_level")
    toan_trinh = flagged["online_level"].astype("str").eq("toan_trinh").fillna(False).to_numpy(dtype=bool)
    return Contribution(known & _flag(flagged, "received_online") & toan_trinh, known, received & ~known)


#: Item code -> per-dossier contribution.
DOSSIER_ITEMS = {
    "2.1": progress_on_time,
    "3.6": online_payment,
    "4.1": electronic_result,
    "4.2": digitised_dossier,
    "4.3": data_reuse,
    "5.4": service_satisfaction,
    "3.i1": online_share,
    "3.i2": full_online_share,
}


def fee_procedure_marks(flagged: pd.DataFrame, fee_codes: set[str]) -> pd.DataFrame:
    """Per-dossier marks for the procedure items 3.5b and 3.5 (fee procedures only).

    Returns a frame with ``procedure_code`` and bool columns ``received`` (received in period,
    procedure with a fee in the catalogue), ``paid_known``, ``paid`` (paid online),
    ``fee_known``, ``fee_data`` (the dossier carries fee data: ``has_fee`` True).
    """
    code = flagged["procedure_code"].astype("str")
    received = _flag(flagged, "received_in_period") & code.isin(list(fee_codes)).fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame({
        "procedure_code": code.to_numpy(dtype=object),
        "received": received,
        "paid_known": received & _known(flagged, "paid_online"),
        "paid": received & _yes(flagged, "paid_online"),
        "fee_known": received & _known(flagged, "has_fee"),
        "fee_data": received & _yes(flagged, "has_fee"),
    })
