"""Outcome engine (DESIGN §7): every branch by hand, identities by property, every engine equal."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis import engines, outcome, schema
from cchc_analysis.indicators import counts, rollup
from cchc_analysis.periods import Quarter
from tests.dossier_factory import make_dossiers
from tests.sql_oracle import form06_oracle

Q1 = Quarter(2024, 1)
CAL = Q1.bounds("calendar")  # 2024-01-01 .. 2024-03-31
ND09 = Q1.bounds("nd09")  # 2023-12-15 .. 2024-03-14
SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _flags(row: dict, period=CAL, engine: str = "pandas") -> dict[str, bool]:
    """The flags of a single dossier, as {flag: bool} of the True ones plus 'counted'."""
    frame = engines.to_engine(make_dossiers(row), engine)
    got = engines.collect(outcome.dossier_flags(frame, *period))
    return {flag for flag in outcome.FLAG_COLUMNS if bool(got.loc[0, flag])}


class TestDossierFlags:
    def test_received_in_period_resolved_early(self):
        row = dict(received_at="2024-01-10 08:00", due_at="2024-01-20 17:00", finished_at="2024-01-15 10:00", status=10)
        assert _flags(row) == {"counted", "in_scope", "received_in_period", "received_offline", "resolved", "resolved_early"}

    def test_finished_on_due_day_after_due_time_is_on_time(self):
        row = dict(received_at="2024-01-10", due_at="2024-01-20 08:00", finished_at="2024-01-20 16:30", status=9)
        assert "resolved_on_time" in _flags(row)

    def test_finished_after_due_day_is_late(self):
        row = dict(received_at="2024-01-10", due_at="2024-01-20", finished_at="2024-01-22", status=10)
        assert "resolved_late" in _flags(row)

    def test_resolved_without_due_date_is_on_time(self):
        row = dict(received_at="2024-01-10", due_at=None, finished_at="2024-02-22", status=10)
        assert _flags(row) & {"resolved_early", "resolved_on_time", "resolved_late"} == {"resolved_on_time"}

    def test_carried_over_from_previous_quarter_and_resolved(self):
        row = dict(received_at="2023-12-20", due_at="2024-01-05", finished_at="2024-01-04", status=10)
        assert _flags(row) == {"counted", "in_scope", "carried_over", "resolved", "resolved_early"}

    def test_same_dossier_received_in_period_under_nd09(self):
        row = dict(received_at="2023-12-20", due_at="2024-01-05", finished_at="2024-01-04", status=10)
        assert "received_in_period" in _flags(row, ND09)

    def test_finished_after_the_period_is_pending(self):
        row = dict(received_at="2024-03-10", due_at="2024-03-20", finished_at="2024-04-02", status=10)
        assert _flags(row) == {"counted", "in_scope", "received_in_period", "received_offline", "pending", "pending_overdue"}

    def test_finished_after_nd09_end_is_pending_within_due(self):
        # nd09 Q1 ends 14/3: finished 18/3, due 20/3 >= end -> pending within due.
        row = dict(received_at="2024-03-10", due_at="2024-03-20", finished_at="2024-03-18", status=10)
        assert _flags(row, ND09) & {"pending_within_due", "pending_overdue", "resolved"} == {"pending_within_due"}

    def test_due_on_the_last_day_is_within_due(self):
        row = dict(received_at="2024-03-10", due_at="2024-03-31 17:00", status=4)
        assert "pending_within_due" in _flags(row)

    def test_pending_without_due_date_is_within_due(self):
        assert "pending_within_due" in _flags(dict(received_at="2024-03-10", due_at=None, status=5))

    def test_finished_before_the_period_is_out_of_scope(self):
        row = dict(received_at="2023-11-10", finished_at="2023-12-20", status=10)
        assert _flags(row) == {"counted"}

    def test_finished_before_nd09_start_is_out_of_scope(self):
        row = dict(received_at="2023-11-10", finished_at="2023-12-14", status=10)
        assert _flags(row, ND09) == {"counted"}

    def test_received_after_the_period_is_out_of_scope(self):
        assert _flags(dict(received_at="2024-04-01", status=4)) == {"counted"}

    def test_withdrawn_counts_as_resolved(self):
        row = dict(received_at="2024-02-01", due_at="2024-02-10", finished_at="2024-02-05", status=7)
        assert "resolved_early" in _flags(row)

    @pytest.mark.parametrize("status", [1, 3, None])
    def test_not_counted_statuses_have_no_flags(self, status):
        assert _flags(dict(received_at="2024-02-01", status=status)) == set()

    def test_terminal_without_finished_at_is_pending(self):
        row = dict(received_at="2024-02-01", due_at="2024-02-10", finished_at=None, status=10)
        assert _flags(row) & {"resolved", "pending", "pending_overdue"} == {"pending", "pending_overdue"}

    def test_missing_received_at_is_out_of_scope(self):
        assert _flags(dict(received_at=None, status=4)) == {"counted"}

    def test_online_channel(self):
        assert "received_online" in _flags(dict(received_at="2024-02-01", channel="truc_tuyen"))

    def test_postal_channel_is_offline(self):
        assert "received_offline" in _flags(dict(received_at="2024-02-01", channel="buu_chinh"))

    def test_missing_channel_is_offline_not_dropped(self):
        assert "received_offline" in _flags(dict(received_at="2024-02-01", channel=None))

    def test_pandas_result_stays_pandas_with_never_null_flags(self):
        got = outcome.dossier_flags(make_dossiers(dict(channel=None), dict(received_at=None, status=None)), *CAL)
        assert isinstance(got, pd.DataFrame)
        assert got[outcome.FLAG_COLUMNS].dtypes.eq(bool).all()

    def test_missing_column_is_a_clear_error(self):
        with pytest.raises(outcome.OutcomeError, match="due_at"):
            outcome.dossier_flags(make_dossiers(dict()).drop(columns="due_at"), *CAL)

    def test_end_before_start_is_an_error(self):
        with pytest.raises(outcome.OutcomeError):
            outcome.dossier_flags(make_dossiers(dict()), dt.date(2024, 3, 1), dt.date(2024, 1, 1))


# --- random dossier tables, clean and dirty ---------------------------------------------------

_DAY0 = dt.date(2023, 10, 1)


@st.composite
def dossier_tables(draw) -> pd.DataFrame:
    """Random canonical tables around 2024Q1, with missing dates, channels, statuses and keys."""
    n = draw(st.integers(0, 25))
    rows = []
    for _ in range(n):
        received = draw(st.one_of(st.none(), st.integers(0, 270)))
        rec = None if received is None else dt.datetime.combine(_DAY0, dt.time(8)) + dt.timedelta(days=received)
        base = rec or dt.datetime(2024, 1, 1)
        fin = draw(st.one_of(st.none(), st.integers(0, 120)))
        due = draw(st.one_of(st.none(), st.integers(0, 60)))
        rows.append(
            dict(
                received_at=rec,
                finished_at=None if fin is None else base + dt.timedelta(days=fin, hours=draw(st.integers(0, 9))),
                due_at=None if due is None else base + dt.timedelta(days=due),
                status=draw(st.one_of(st.none(), st.integers(1, 10))),
                channel=draw(st.sampled_from([None, *schema.CHANNELS])),
                unit_code=draw(st.sampled_from(["p-phu-bai", "p-thuy-chau", "tx-huong-thuy"])),
                field=draw(st.sampled_from(["Hộ tịch", "Đất đai", None])),
            )
        )
    return make_dossiers(*rows)


class TestDossierFlagsProperties:
    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]), st.sampled_from(list(engines.ENGINES)))
    def test_in_scope_expression_equals_the_flag(self, table, convention, engine):
        import narwhals.stable.v2 as nw

        period = Q1.bounds(convention)
        flags = engines.collect(outcome.dossier_flags(engines.to_engine(table, engine), *period))
        expr = engines.collect(
            nw.from_native(engines.to_engine(table, engine)).select(
                "dossier_id", outcome.in_scope(*period).alias("expr")
            )
        )
        merged = flags.merge(expr, on="dossier_id")
        assert merged["expr"].astype(bool).tolist() == merged["in_scope"].tolist()

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_fine_counts_identical_on_every_engine_zero_groups_included(self, table, convention):
        from cchc_analysis.indicators import tables

        period = Q1.bounds(convention)
        prepared, _ = tables._prepare_dossiers(table)
        results = [tables.dossier_counts(engines.to_engine(prepared, e), *period) for e in engines.ENGINES]
        # Reference: every row flagged, one group-by (no filter, no keys pass).
        from cchc_analysis.indicators import core

        reference = core.sum_counts(
            __import__("narwhals.stable.v2", fromlist=["v2"]).from_native(outcome.dossier_flags(prepared, *period)),
            tables.FINE_KEYS, tables._dossier_exprs(),
        )
        pd.testing.assert_frame_equal(results[0], reference)
        for other in results[1:]:
            pd.testing.assert_frame_equal(other, results[0])

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_each_in_scope_dossier_falls_in_exactly_one_final_cell(self, table, convention):
        got = outcome.dossier_flags(table, *Q1.bounds(convention))
        cells = got[["resolved_early", "resolved_on_time", "resolved_late", "pending_within_due", "pending_overdue"]]
        assert (cells.sum(axis=1) == got["in_scope"].astype(int)).all()
        assert (got[["received_in_period", "carried_over"]].sum(axis=1) == got["in_scope"].astype(int)).all()

    @SETTINGS
    @given(dossier_tables())
    def test_flags_false_when_not_counted(self, table):
        got = outcome.dossier_flags(table, *CAL)
        assert not got.loc[~got["counted"], outcome.FLAG_COLUMNS].any().any()

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_flags_are_identical_on_every_engine(self, table, convention):
        period = Q1.bounds(convention)
        results = [
            engines.collect(outcome.dossier_flags(engines.to_engine(table, e), *period))
            .sort_values("dossier_id", ignore_index=True)
            for e in engines.ENGINES
        ]
        for other in results[1:]:
            pd.testing.assert_frame_equal(other, results[0])


def _form06(table: pd.DataFrame, start, end, engine: str = "pandas") -> pd.DataFrame:
    """Form-06 counts of the production path (``dossier_flags`` summed by ``core.FORM06_FLAGS``
    per fine group, then rolled up), one row per (unit_code, field) group."""
    prepared, _ = counts.prepare_dossiers(table)
    fine = counts.dossier_counts(engines.to_engine(prepared, engine), start, end)
    return rollup.rollup_dossiers(fine)[["unit_code", "field", *schema.FORM06_COLUMNS]]


def _total(form06: pd.DataFrame) -> dict[str, int]:
    row = form06[(form06["unit_code"] == schema.ALL) & (form06["field"] == schema.ALL)]
    return {c: int(row[c].iloc[0]) for c in schema.FORM06_COLUMNS}


class TestForm06Counts:
    """The form-06 formula once (``core.FORM06_FLAGS`` over ``dossier_flags``), by hand, by
    identities, on every engine, and against the independent SQL oracle."""

    def test_one_total_row_with_identities(self):
        table = make_dossiers(
            dict(received_at="2024-01-10", due_at="2024-01-20", finished_at="2024-01-15", status=10, channel="truc_tuyen"),
            dict(received_at="2023-12-20", due_at="2024-01-05", status=4),
            dict(received_at="2024-02-01", due_at="2024-02-02", finished_at="2024-02-06", status=10, channel=None),
            dict(received_at="2024-02-01", status=3),
        )
        expected = {
            "received_total": 3, "received_online": 1, "received_offline": 1, "carried_over": 1,
            "resolved_total": 2, "resolved_early": 1, "resolved_on_time": 0, "resolved_late": 1,
            "pending_total": 1, "pending_within_due": 0, "pending_overdue": 1,
        }  # fmt: skip
        assert _total(_form06(table, *CAL)) == expected

    def test_columns_and_dtypes(self):
        got = _form06(make_dossiers(dict()), *CAL)
        assert list(got.columns) == ["unit_code", "field", *schema.FORM06_COLUMNS]
        assert got[schema.FORM06_COLUMNS].dtypes.eq("int64").all()

    def test_empty_period_gives_a_zero_total_row(self):
        got = _form06(make_dossiers(dict(received_at="2025-01-01")), *CAL)
        assert list(_total(got).values()) == [0] * 11

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_identities_hold_in_every_group(self, table, convention):
        got = _form06(table, *Q1.bounds(convention))
        assert (got["received_total"] == got["resolved_total"] + got["pending_total"]).all()
        assert (got["received_total"] == got["received_online"] + got["received_offline"] + got["carried_over"]).all()
        assert (got["resolved_total"] == got[["resolved_early", "resolved_on_time", "resolved_late"]].sum(axis=1)).all()
        assert (got["pending_total"] == got["pending_within_due"] + got["pending_overdue"]).all()

    @SETTINGS
    @given(dossier_tables())
    def test_unit_rows_sum_to_the_total(self, table):
        got = _form06(table, *CAL)
        units = got[got["unit_code"].isin(["p-phu-bai", "p-thuy-chau", "tx-huong-thuy", "(không rõ)"])
                    & (got["field"] == schema.ALL)]
        assert units[schema.FORM06_COLUMNS].sum().tolist() == list(_total(got).values())

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_a_dossier_is_counted_once_per_period(self, table, convention):
        start, end = Q1.bounds(convention)
        total = _total(_form06(table, start, end))["received_total"]
        flags = outcome.dossier_flags(table, start, end)
        assert total == flags["in_scope"].sum() <= len(table)

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_identical_on_every_engine(self, table, convention):
        period = Q1.bounds(convention)
        results = [_form06(table, *period, engine=e) for e in engines.ENGINES]
        for other in results[1:]:
            pd.testing.assert_frame_equal(other, results[0])

    @SETTINGS
    @given(dossier_tables(), st.sampled_from(["calendar", "nd09"]))
    def test_total_agrees_with_the_sql_oracle(self, table, convention):
        start, end = Q1.bounds(convention)
        oracle = form06_oracle(table, start, end)
        want = oracle[(oracle["unit_code"] == "ALL") & (oracle["field"] == "ALL")]
        expected = {c: int(want[c].iloc[0]) for c in schema.FORM06_COLUMNS} if len(want) else dict.fromkeys(schema.FORM06_COLUMNS, 0)
        assert _total(_form06(table, start, end)) == expected


class TestWithStatutoryDue:
    CATALOGUE = pd.DataFrame({"procedure_code": ["P3", "P0"], "statutory_days": [3, 0]})

    def _due(self, engine="pandas", **row) -> pd.DataFrame:
        native = engines.to_engine(make_dossiers(row), engine)
        return engines.collect(outcome.with_statutory_due(native, self.CATALOGUE))

    def test_three_working_days_across_tet(self):
        got = self._due(procedure_code="P3", received_at="2024-02-07 10:00", due_at="2024-02-19")
        assert got.loc[0, "statutory_due_at"] == pd.Timestamp("2024-02-19 23:59:59")
        assert not got.loc[0, "appointment_beyond_statute"]

    def test_appointment_later_than_statute(self):
        got = self._due(procedure_code="P3", received_at="2024-04-26 09:00", due_at="2024-05-06")
        assert got.loc[0, "statutory_due_at"] == pd.Timestamp("2024-05-04 23:59:59")
        assert got.loc[0, "appointment_beyond_statute"]

    def test_same_day_procedure_received_on_a_holiday(self):
        got = self._due(procedure_code="P0", received_at="2026-01-02 09:00", due_at="2026-01-05")
        assert got.loc[0, "statutory_due_at"] == pd.Timestamp("2026-01-05 23:59:59")

    def test_unknown_procedure_has_no_statutory_due(self):
        got = self._due(procedure_code="X9", received_at="2024-03-01", due_at="2024-12-31")
        assert pd.isna(got.loc[0, "statutory_due_at"]) and not got.loc[0, "appointment_beyond_statute"]

    def test_missing_due_at_is_not_beyond(self):
        got = self._due(procedure_code="P3", received_at="2024-03-01", due_at=None)
        assert not got.loc[0, "appointment_beyond_statute"]

    @pytest.mark.parametrize("engine", engines.ENGINES)
    def test_identical_on_every_engine(self, engine):
        table = make_dossiers(
            dict(procedure_code="P3", received_at="2024-04-26 09:00", due_at="2024-05-06"),
            dict(procedure_code="P0", received_at=None, due_at="2024-05-06"),
            dict(procedure_code="X9", received_at="2024-04-26", due_at=None),
        )
        expected = outcome.with_statutory_due(table, self.CATALOGUE)
        got = engines.collect(outcome.with_statutory_due(engines.to_engine(table, engine), self.CATALOGUE))
        pd.testing.assert_frame_equal(
            got.sort_values("dossier_id", ignore_index=True), engines.collect(expected)
        )
