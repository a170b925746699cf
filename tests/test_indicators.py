"""Unit tests of the per-indicator functions (cchc_analysis.indicators.core), hand-computed.

Period: 2024Q1, calendar convention (2024-01-01..2024-03-31). The dossier fixture (all of
phường Phú Bài) and the expected counts:

=====  ==========  ==========  ==========  ======  =====================================
id     received    due         finished    status  outcome in 2024Q1
=====  ==========  ==========  ==========  ======  =====================================
A      2024-01-10  2024-01-20  2024-01-15  10      online, toàn trình; resolved early
B      2024-02-01  2024-02-05  2024-02-05  9       resolved on time (same day, 18:00)
C      2024-02-10  2024-02-12  2024-02-14  10      resolved late, apology slip
D      2024-03-01  2024-03-05  2024-03-06  10      resolved late, no apology slip
E      2023-12-20  2024-04-10  —           4       carried over, pending within due
F      2024-03-20  2024-03-25  —           5       pending overdue
G      2024-03-02  —           2024-03-03  7       withdrawn: resolved on time (no due)
H      2024-01-15  —           —           3       not accepted: not counted
I      2023-11-01  2023-11-05  2023-12-01  10      finished before start: out of scope
=====  ==========  ==========  ==========  ======  =====================================
"""

from __future__ import annotations

import math
from datetime import date

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis import indicators, outcome, schema, workdays
from cchc_analysis.indicators import core
from tests.dossier_factory import make_dossiers

START, END = date(2024, 1, 1), date(2024, 3, 31)


def _fixture() -> pd.DataFrame:
    return make_dossiers(
        dict(received_at="2024-01-10 08:00", due_at="2024-01-20 17:00", finished_at="2024-01-15 10:00",
             status=10, channel="truc_tuyen", online_level="toan_trinh", digitised_input=True,
             digitised_result=True, reused_data=True, has_fee=True, paid_online=True),
        dict(received_at="2024-02-01 09:00", due_at="2024-02-05 17:00", finished_at="2024-02-05 18:00",
             status=9, online_level="toan_trinh", digitised_input=None, digitised_result=True,
             has_fee=True, paid_online=False),
        dict(received_at="2024-02-10 08:00", due_at="2024-02-12 17:00", finished_at="2024-02-14 10:00",
             status=10, digitised_input=True, apology_issued=True),
        dict(received_at="2024-03-01 08:00", due_at="2024-03-05 17:00", finished_at="2024-03-06 10:00",
             status=10, has_fee=None, apology_issued=False),
        dict(received_at="2023-12-20 08:00", due_at="2024-04-10 17:00", status=4),
        dict(received_at="2024-03-20 08:00", due_at="2024-03-25 17:00", status=5),
        dict(received_at="2024-03-02 08:00", finished_at="2024-03-03 10:00", status=7),
        dict(received_at="2024-01-15 08:00", status=3, digitised_input=True),
        dict(received_at="2023-11-01 08:00", due_at="2023-11-05 17:00", finished_at="2023-12-01 10:00",
             status=10),
    )


def _flagged(frame: pd.DataFrame, start=START, end=END) -> pd.DataFrame:
    frame = frame.copy()
    frame["processing_days"] = workdays.working_days_between(frame["received_at"], frame["finished_at"])
    return outcome.dossier_flags(frame, start, end)


def _sums(ratio: core.Ratio, flagged: pd.DataFrame) -> tuple[int, int]:
    out = nw.from_native(flagged).select(
        num=ratio.numerator.cast(nw.Int64).sum(), den=ratio.denominator.cast(nw.Int64).sum()
    )
    row = out.to_pandas().iloc[0]
    return int(row["num"]), int(row["den"])


def _unknown(ratio: core.Ratio, flagged: pd.DataFrame) -> int:
    if ratio.unknown is None:
        return 0
    out = nw.from_native(flagged).select(unk=ratio.unknown.cast(nw.Int64).sum())
    return int(out.to_pandas().iloc[0]["unk"])


@pytest.fixture(scope="module")
def flagged() -> pd.DataFrame:
    return _flagged(_fixture())


@pytest.fixture(scope="module")
def empty_flagged() -> pd.DataFrame:
    # Only a dossier received after the period: every denominator is 0.
    return _flagged(make_dossiers(dict(received_at="2024-05-01", status=4)))


def _value(ratio: core.Ratio, flagged: pd.DataFrame) -> float:
    num, den = _sums(ratio, flagged)
    return core.ratio_value(num, den, ratio.scale)


class TestOnTimeRate:
    def test_counts_early_and_on_time_over_resolved(self, flagged):
        assert _sums(indicators.on_time_rate(), flagged) == (3, 5)

    def test_value_in_percent(self, flagged):
        assert _value(indicators.on_time_rate(), flagged) == pytest.approx(60.0)

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert _sums(indicators.on_time_rate(), empty_flagged) == (0, 0)
        assert math.isnan(_value(indicators.on_time_rate(), empty_flagged))


class TestOnTimeRate766:
    def test_adds_pending_within_due_over_received_total(self, flagged):
        assert _sums(indicators.on_time_rate_766(), flagged) == (4, 7)

    def test_value(self, flagged):
        assert _value(indicators.on_time_rate_766(), flagged) == pytest.approx(400 / 7)

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert math.isnan(_value(indicators.on_time_rate_766(), empty_flagged))


class TestOnlineRate:
    def test_online_over_received_in_period(self, flagged):
        assert _sums(indicators.online_rate(), flagged) == (1, 6)

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert math.isnan(_value(indicators.online_rate(), empty_flagged))


class TestFullOnlineRate:
    def test_only_online_dossiers_of_toan_trinh_procedures(self, flagged):
        # B is a toàn trình procedure but was filed at the desk: not counted.
        assert _sums(indicators.full_online_rate(), flagged) == (1, 6)

    def test_unknown_online_level_is_left_out_and_counted_unknown(self):
        # Issue 13: a procedure outside the catalogue has an unknown online level; the
        # dossier received online is neither "toàn trình" nor "not": left out, counted unknown.
        frame = _flagged(make_dossiers(dict(channel="truc_tuyen", online_level=None)))
        assert _sums(indicators.full_online_rate(), frame) == (0, 0)
        assert _unknown(indicators.full_online_rate(), frame) == 1

    def test_direct_dossier_is_known_not_online_whatever_its_level(self):
        frame = _flagged(make_dossiers(dict(channel="truc_tiep", online_level=None)))
        assert _sums(indicators.full_online_rate(), frame) == (0, 1)
        assert _unknown(indicators.full_online_rate(), frame) == 0


class TestDigitisedInputRate:
    def test_unknown_fact_is_left_out_not_counted_as_no(self, flagged):
        # Issue 13 (unknown is not "no"): A and C digitised, B unknown -> out of both counts
        # and counted in ``unknown``; D, F known not digitised; H (status 3) not counted.
        assert _sums(indicators.digitised_input_rate(), flagged) == (2, 5)
        assert _unknown(indicators.digitised_input_rate(), flagged) == 1

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert math.isnan(_value(indicators.digitised_input_rate(), empty_flagged))


class TestDigitisedResultRate:
    def test_over_resolved_with_status_9_or_10(self, flagged):
        # A, B, C, D have a result (G is withdrawn, status 7); A and B digitised.
        assert _sums(indicators.digitised_result_rate(), flagged) == (2, 4)
        assert _value(indicators.digitised_result_rate(), flagged) == pytest.approx(50.0)

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert math.isnan(_value(indicators.digitised_result_rate(), empty_flagged))


class TestReuseRate:
    def test_reused_over_received_in_period(self, flagged):
        assert _sums(indicators.reuse_rate(), flagged) == (1, 6)

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert math.isnan(_value(indicators.reuse_rate(), empty_flagged))


class TestOnlinePaymentRate:
    def test_over_dossiers_with_a_known_fee(self, flagged):
        # A and B have a fee (D's fee status is unknown); A paid online.
        assert _sums(indicators.online_payment_rate(), flagged) == (1, 2)

    def test_unknown_fee_or_payment_is_counted_unknown(self, flagged):
        # D's fee is unknown: 1 of the 6 received in period; coverage = known 5 / eligible 6.
        assert _unknown(indicators.online_payment_rate(), flagged) == 1
        out = nw.from_native(flagged).select(k=indicators.online_payment_rate().known.cast(nw.Int64).sum())
        assert int(out.to_pandas().iloc[0]["k"]) == 5

    def test_fee_known_payment_unknown_is_left_out(self):
        frame = _flagged(make_dossiers(dict(received_at="2024-01-10", has_fee=True, paid_online=None)))
        assert _sums(indicators.online_payment_rate(), frame) == (0, 0)
        assert _unknown(indicators.online_payment_rate(), frame) == 1

    def test_no_fee_dossier_gives_nan_not_zero(self):
        frame = _flagged(make_dossiers(dict(has_fee=False)))
        assert math.isnan(_value(indicators.online_payment_rate(), frame))


class TestApologyRate:
    def test_late_with_slip_over_late(self, flagged):
        assert _sums(indicators.apology_rate(), flagged) == (1, 2)

    def test_unknown_slip_is_empty_not_zero(self):
        # A late dossier from an export without the apology column: unknown, never "0 %".
        frame = _flagged(make_dossiers(dict(received_at="2024-01-10", due_at="2024-01-12", finished_at="2024-01-20",
                                            status=10, apology_issued=None)))
        assert _sums(indicators.apology_rate(), frame) == (0, 0)
        assert _unknown(indicators.apology_rate(), frame) == 1
        assert math.isnan(_value(indicators.apology_rate(), frame))

    def test_no_late_dossier_gives_nan_not_100(self):
        frame = _flagged(make_dossiers(dict(due_at="2024-01-20", finished_at="2024-01-12", status=10)))
        assert math.isnan(_value(indicators.apology_rate(), frame))


class TestAvgProcessingDays:
    def test_sum_of_working_days_over_resolved(self, flagged):
        # A Wed 10/1 -> Mon 15/1: 3; B Thu 1/2 -> Mon 5/2: 2; C Sat 10/2 -> Wed 14/2 (Tết): 0;
        # D Fri 1/3 -> Wed 6/3: 3; G Sat 2/3 -> Sun 3/3: 0.
        assert _sums(indicators.avg_processing_days(), flagged) == (8, 5)

    def test_value_in_working_days(self, flagged):
        ratio = indicators.avg_processing_days()
        assert ratio.scale == 1.0
        assert _value(ratio, flagged) == pytest.approx(1.6)

    def test_empty_denominator_gives_nan(self, empty_flagged):
        assert math.isnan(_value(indicators.avg_processing_days(), empty_flagged))


def _pakn() -> pd.DataFrame:
    rows = [
        ("P1", "2024-01-05", "2024-01-20", "2024-01-18", "quy_dinh_hanh_chinh"),
        ("P2", "2023-12-10", "2023-12-30", "2024-01-03", "quy_dinh_hanh_chinh"),
        ("P3", "2024-03-20", "2024-04-10", None, "quy_dinh_hanh_chinh"),
        ("P4", "2023-11-01", "2023-11-20", "2023-11-20", "quy_dinh_hanh_chinh"),
        ("P5", "2024-02-01", "2024-02-10", "2024-02-02", "hanh_vi_cbcc"),
        ("P6", "2024-02-01", None, "2024-02-20", "quy_dinh_hanh_chinh"),
    ]
    frame = pd.DataFrame(rows, columns=["pakn_id", "received_at", "due_at", "handled_at", "classification"])
    for col in ("received_at", "due_at", "handled_at"):
        frame[col] = pd.to_datetime(frame[col])
    frame["unit_code"] = "p-phu-bai"
    frame["status"] = np.where(frame["handled_at"].isna(), "dang_xu_ly", "da_xu_ly")
    frame["source_file"] = "pakn.csv"
    frame["source_row"] = range(2, 8)
    return schema.conform(frame, schema.PAKN_COLUMNS)


class TestPaknFlags:
    def test_flags_follow_the_rules(self):
        out = indicators.pakn_flags(nw.from_native(_pakn()), START, END).to_native()
        assert out["in_scope"].tolist() == [True, True, True, False, False, True]
        assert out["carried_over"].tolist() == [False, True, False, False, False, False]
        assert out["handled_in_period"].tolist() == [True, True, False, False, False, True]
        assert out["handled_on_time"].tolist() == [True, False, False, False, False, True]


class TestPaknHandledRate:
    def test_handled_over_received_and_carried_over(self):
        flagged = indicators.pakn_flags(nw.from_native(_pakn()), START, END).to_native()
        assert _sums(indicators.pakn_handled_rate(), flagged) == (3, 4)

    def test_no_petition_gives_nan(self):
        flagged = indicators.pakn_flags(nw.from_native(_pakn().iloc[3:5]), START, END).to_native()
        assert math.isnan(_value(indicators.pakn_handled_rate(), flagged))


class TestPaknOnTimeRate:
    def test_handled_by_due_date_over_handled(self):
        flagged = indicators.pakn_flags(nw.from_native(_pakn()), START, END).to_native()
        assert _sums(indicators.pakn_on_time_rate(), flagged) == (2, 3)
        assert _value(indicators.pakn_on_time_rate(), flagged) == pytest.approx(200 / 3)


def _edocs(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unit_code", "month", "documents_sent", "documents_electronic", "documents_secret"])
    frame["month"] = pd.to_datetime(frame["month"])
    frame["source_file"] = "vbdt.csv"
    frame["source_row"] = range(2, 2 + len(frame))
    return schema.conform(frame, schema.EDOC_COLUMNS)


class TestEdocRate:
    def test_electronic_over_sent_minus_secret(self):
        frame = _edocs([
            ("p-phu-bai", "2024-01-01", 100, 95, 5),
            ("p-phu-bai", "2024-02-01", 120, 110, 0),
            ("p-phu-bai", "2024-03-01", 80, 80, None),
        ])
        assert _sums(indicators.edoc_rate(), frame) == (285, 295)

    def test_row_with_missing_count_is_left_out(self):
        frame = _edocs([("p-phu-bai", "2024-01-01", 100, None, 0), ("p-phu-bai", "2024-02-01", 10, 10, 0)])
        assert _sums(indicators.edoc_rate(), frame) == (10, 10)


class TestOneStopLong:
    def test_rates_per_all_level_and_field(self):
        cat = pd.DataFrame({
            "procedure_code": ["1", "2", "3", "4"],
            "field": ["Hộ tịch", "Hộ tịch", "Đất đai", "Đất đai"],
            "level": ["xa", "xa", "huyen", "huyen"],
            "one_stop": [True, True, True, False],
        })
        out = indicators.one_stop_long(cat).set_index(["unit_code", "field"])
        assert out.loc[("ALL", "ALL"), ["numerator", "denominator"]].tolist() == [3, 4]
        assert out.loc[("ALL", "ALL"), "value"] == pytest.approx(75.0)
        assert out.loc[("huyen", "Đất đai"), "value"] == pytest.approx(50.0)
        assert out.loc[("xa", "ALL"), "value"] == pytest.approx(100.0)

    def test_missing_catalogue_gives_no_rows(self):
        assert indicators.one_stop_long(None).empty


class TestRatioValue:
    def test_scalar(self):
        assert indicators.ratio_value(1, 4) == 25.0

    def test_zero_denominator_is_nan(self):
        assert math.isnan(indicators.ratio_value(0, 0))

    def test_series_keeps_index(self):
        out = indicators.ratio_value(pd.Series([1, 0], index=[7, 8]), pd.Series([2, 0], index=[7, 8]))
        assert out.index.tolist() == [7, 8]
        assert out.iloc[0] == 50.0 and math.isnan(out.iloc[1])

    @settings(max_examples=50, deadline=None)
    @given(st.integers(0, 10_000), st.integers(1, 10_000))
    def test_bounded_by_scale_when_numerator_within_denominator(self, a, b):
        num, den = min(a, b), b
        assert 0.0 <= indicators.ratio_value(num, den) <= 100.0
