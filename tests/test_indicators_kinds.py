"""Report kinds (issue 16 §1): 6 tháng, 9 tháng and năm through ``build_quarter``, the files,
the history cache and ``cchc indicators``.

Hand-computed cases on small tables, then the sample (slow): form 06 of 2024H1 (nd09), 2024M9
and 2024Y (calendar) against the SQL oracle, comparisons against a direct build of the period a
year earlier (through the crosswalk after 2025-07-01) and the command end to end.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from cchc_analysis import cli, refdata, schema, store
from cchc_analysis.indicators import build_quarter, history_cache, read_quarter, write_quarter
from cchc_analysis.periods import Period, Quarter
from cchc_analysis.store import load_processed
from tests.dossier_factory import make_dossiers
from tests.sql_oracle import COUNT_COLUMNS, form06_oracle
from tests.test_indicators import _edocs


def _processed(dossiers, edocs=None):
    return SimpleNamespace(
        dossiers=dossiers,
        pakn=schema.empty_frame(schema.PAKN_COLUMNS),
        edocs=schema.empty_frame(schema.EDOC_COLUMNS) if edocs is None else edocs,
        quarantine=None,
        reconciliation=None,
        meta={"synthetic": True},
    )


def _all_row(form06: pd.DataFrame) -> dict:
    row = form06[(form06["unit_code"] == "ALL") & (form06["field"] == "ALL")]
    assert len(row) == 1
    return {c: int(row.iloc[0][c]) for c in COUNT_COLUMNS}


def _h1_dossiers() -> pd.DataFrame:
    """A: received and finished in Q1; B: received in Q1, finished in Q2 (inside H1 both);
    C: received 2023-12-20 (before H1 under calendar, inside under nd09), finished late in Q2;
    D: received 2024-06-20, pending; E: received in Q3."""
    frame = make_dossiers(
        dict(received_at="2024-01-10 08:00", due_at="2024-01-20 17:00", finished_at="2024-01-15 10:00", status=10),
        dict(received_at="2024-02-10 08:00", due_at="2024-05-20 17:00", finished_at="2024-05-10 10:00", status=10),
        dict(received_at="2023-12-20 08:00", due_at="2024-01-05 17:00", finished_at="2024-04-10 10:00", status=10),
        dict(received_at="2024-06-20 08:00", due_at="2024-07-10 17:00", status=4),
        dict(received_at="2024-07-05 08:00", due_at="2024-07-20 17:00", status=4),
    )
    frame["dossier_id"] = ["HS-A", "HS-B", "HS-C", "HS-D", "HS-E"]
    return frame


ZERO = dict.fromkeys(COUNT_COLUMNS, 0)


class TestBuildQuarterCumulative:
    def test_h1_calendar_counts_each_dossier_once_over_the_whole_span(self):
        t = build_quarter(_processed(_h1_dossiers()), "2024H1")
        # Received A, B, D and C carried over from 2023 (the total includes it); A, B early, C late;
        # D pending within due.
        expected = {**ZERO, "received_total": 4, "received_offline": 3, "carried_over": 1, "resolved_total": 3,
                    "resolved_early": 2, "resolved_late": 1, "pending_total": 1, "pending_within_due": 1}
        assert (str(t.quarter), t.start, t.end, _all_row(t.form06)) == ("2024H1", date(2024, 1, 1), date(2024, 6, 30), expected)

    def test_h1_is_not_the_sum_of_its_quarters(self):
        h1 = _all_row(build_quarter(_processed(_h1_dossiers()), "2024H1").form06)
        q1 = _all_row(build_quarter(_processed(_h1_dossiers()), "2024Q1").form06)
        q2 = _all_row(build_quarter(_processed(_h1_dossiers()), "2024Q2").form06)
        # B is pending at the end of Q1 and carried into Q2: the quarters count it twice.
        assert (h1["carried_over"], q1["carried_over"] + q2["carried_over"]) == (1, 3)

    def test_a_dossier_received_and_finished_within_h1_counts_once(self):
        one = make_dossiers(dict(received_at="2024-02-10 08:00", due_at="2024-05-20 17:00",
                                 finished_at="2024-05-10 10:00", status=10))
        row = _all_row(build_quarter(_processed(one), "6 tháng đầu năm 2024").form06)
        assert (row["received_total"], row["carried_over"], row["resolved_total"], row["resolved_early"],
                row["pending_total"]) == (1, 0, 1, 1, 0)

    def test_h1_nd09_runs_from_15_december(self):
        t = build_quarter(_processed(_h1_dossiers()), "2024H1", period="nd09")
        # C is received inside 2023-12-15..2024-06-14; D (06-20) is after it.
        expected = {**ZERO, "received_total": 3, "received_offline": 3, "resolved_total": 3, "resolved_early": 2,
                    "resolved_late": 1}
        assert (t.start, t.end, _all_row(t.form06)) == (date(2023, 12, 15), date(2024, 6, 14), expected)

    @pytest.mark.parametrize(("text", "period"), [("2024H1", "nd09"), ("2024M9", "calendar"), ("2024Y", "calendar"),
                                                 ("2024Y", "nd09")])
    def test_form06_equals_the_sql_oracle(self, text, period):
        frame = _h1_dossiers()
        t = build_quarter(_processed(frame), text, period=period)
        start, end = Period.parse(text).bounds(period)
        ours = t.form06[t.form06["received_total"] > 0].sort_values(["unit_code", "field"], ignore_index=True)
        oracle = form06_oracle(frame, start, end)
        assert len(oracle) > 0
        pd.testing.assert_frame_equal(ours, oracle, check_dtype=False)

    def test_on_time_rate_is_over_the_whole_span(self):
        row = build_quarter(_processed(_h1_dossiers()), "2024H1").indicators.query(
            "unit_code == 'ALL' and field == 'ALL' and indicator == 'on_time_rate'").iloc[0]
        assert (row["numerator"], row["denominator"], row["value"]) == (2, 3, pytest.approx(66.6667))

    def test_edocs_use_the_calendar_months_of_the_period(self):
        edocs = _edocs([
            ("p-phu-bai", "2023-12-01", 50, 10, 0),  # before H1
            ("p-phu-bai", "2024-01-01", 100, 95, 5),
            ("p-phu-bai", "2024-06-01", 80, 40, 0),
            ("p-phu-bai", "2024-07-01", 70, 0, 0),  # after H1
        ])
        for period in ("calendar", "nd09"):
            row = build_quarter(_processed(_h1_dossiers(), edocs), "2024H1", period=period).indicators.query(
                "unit_code == 'ALL' and indicator == 'edoc_rate'").iloc[0]
            assert (period, row["numerator"], row["denominator"]) == (period, 135, 175)

    @pytest.mark.parametrize("period", ["calendar", "nd09"])
    def test_a_partitioned_table_on_disk_gives_the_same_tables(self, tmp_path, period):
        frame = _h1_dossiers()
        tables = store.ProcessedTables(frame, schema.empty_frame(schema.PAKN_COLUMNS), schema.empty_frame(schema.EDOC_COLUMNS),
                                       pd.DataFrame(columns=["source_file", "source_row", "reason"]),
                                       pd.DataFrame(columns=["source_file", "kind", "duplicates_merged"]), {"synthetic": True})
        store.write_processed(tables, tmp_path / "processed", partitioned=True)
        on_disk = build_quarter(store.load_processed(tmp_path / "processed"), "2024H1", period=period)
        in_memory = build_quarter(_processed(frame), "2024H1", period=period)
        pd.testing.assert_frame_equal(on_disk.form06, in_memory.form06)
        pd.testing.assert_frame_equal(on_disk.indicators, in_memory.indicators)

    def test_quality_notes_name_the_period(self):
        t = build_quarter(_processed(_h1_dossiers()), "2024H1")
        note = t.quality.loc[t.quality["check"] == "missing_input:pakn", "note"].iloc[0]
        assert "cho kỳ này" in note


class TestCumulativeComparisons:
    @staticmethod
    def _two_years() -> pd.DataFrame:
        frame = make_dossiers(
            # 2023H1: 1 of 2 on time
            dict(received_at="2023-02-01 08:00", due_at="2023-02-10 17:00", finished_at="2023-02-08 10:00", status=10),
            dict(received_at="2023-05-01 08:00", due_at="2023-05-10 17:00", finished_at="2023-05-20 10:00", status=10),
            # 2023Q4, the quarter before 2024Q1 (not part of any H1)
            dict(received_at="2023-11-01 08:00", due_at="2023-11-10 17:00", finished_at="2023-11-20 10:00", status=10),
            # 2024H1: 3 of 4 on time
            dict(received_at="2024-01-10 08:00", due_at="2024-01-20 17:00", finished_at="2024-01-15 10:00", status=10),
            dict(received_at="2024-02-10 08:00", due_at="2024-02-20 17:00", finished_at="2024-02-15 10:00", status=10),
            dict(received_at="2024-04-10 08:00", due_at="2024-04-20 17:00", finished_at="2024-04-15 10:00", status=10),
            dict(received_at="2024-05-10 08:00", due_at="2024-05-20 17:00", finished_at="2024-05-25 10:00", status=10),
        )
        frame["dossier_id"] = [f"HS-{i}" for i in range(len(frame))]
        return frame

    def test_against_the_same_period_a_year_earlier(self):
        row = build_quarter(_processed(self._two_years()), "2024H1").indicators.query(
            "unit_code == 'ALL' and field == 'ALL' and indicator == 'on_time_rate'").iloc[0]
        # previous_quarter holds the year-earlier value for a cumulative period (not 2023Q4's 0 %).
        assert (row["value"], row["same_quarter_last_year"], row["previous_quarter"], row["change_pp"]) == (75.0, 50.0, 50.0, 25.0)

    def test_year_ago_values_equal_a_direct_build_of_the_year_earlier_period(self):
        frame = self._two_years()
        now = build_quarter(_processed(frame), "2024H1").indicators
        then = build_quarter(_processed(frame), "2023H1").indicators
        _assert_year_ago_is_direct(now, then)

    def test_history_holds_the_8_quarters_ending_at_the_last_quarter(self):
        t = build_quarter(_processed(self._two_years()), "2024M9")
        assert sorted(set(t.history["quarter"])) == ["2023Q1", "2023Q2", "2023Q4", "2024Q1", "2024Q2"]

    def test_new_ward_year_earlier_figures_come_through_the_crosswalk(self):
        old = make_dossiers(
            dict(received_at="2025-03-10", due_at="2025-03-20", finished_at="2025-03-15", status=10,
                 unit_code="p-thuy-duong", reception_code="p-thuy-duong"),
            dict(received_at="2025-05-10", due_at="2025-05-12", finished_at="2025-05-15", status=10,
                 unit_code="p-thuy-phuong", reception_code="p-thuy-phuong"),
            dict(received_at="2025-08-10", due_at="2025-08-20", finished_at="2025-08-15", status=10,
                 unit_code="p-thanh-thuy", reception_code="p-thanh-thuy"),
        )
        new = make_dossiers(dict(received_at="2026-02-10", due_at="2026-02-20", finished_at="2026-02-15", status=10,
                                 unit_code="p-thanh-thuy", reception_code="p-thanh-thuy"))
        new["dossier_id"] = "HS-NEW"
        t = build_quarter(_processed(pd.concat([old, new], ignore_index=True)), "2026M9")
        row = t.indicators.query("unit_code == 'p-thanh-thuy' and field == 'ALL' and indicator == 'on_time_rate'").iloc[0]
        # 2025M9: Thủy Dương 1/1 + Thủy Phương 0/1 + Thanh Thủy's own 1/1 = 2/3.
        assert (row["same_quarter_last_year"], row["previous_quarter"]) == (pytest.approx(66.6667), pytest.approx(66.6667))


def _assert_year_ago_is_direct(now: pd.DataFrame, then: pd.DataFrame, skip_units=()) -> None:
    """Every group of the direct year-earlier build: its value is the comparison of ``now``."""
    keys = ["unit_code", "field", "indicator"]
    direct = then[~then["unit_code"].isin(list(skip_units)) & (then["indicator"] != "one_stop_rate")]
    merged = direct[[*keys, "value"]].merge(now[[*keys, "previous_quarter", "same_quarter_last_year"]], on=keys, how="inner")
    assert len(merged) > 0
    pd.testing.assert_series_equal(merged["same_quarter_last_year"], merged["value"], check_names=False)
    pd.testing.assert_series_equal(merged["previous_quarter"], merged["value"], check_names=False)


class TestFilesOfACumulativePeriod:
    def test_round_trip_in_a_folder_named_by_the_period(self, tmp_path):
        t = build_quarter(_processed(_h1_dossiers()), "2024M9", period="nd09")
        folder = write_quarter(t, tmp_path)
        back = read_quarter(tmp_path, "9 tháng năm 2024")
        meta = json.loads((folder / "indicators_meta.json").read_text(encoding="utf-8"))
        assert (folder.name, back.quarter, back.start, back.end, meta["quarter"]) == (
            "2024M9", Period(2024, "M9"), date(2023, 12, 15), date(2024, 9, 14), "2024M9")
        pd.testing.assert_frame_equal(back.form06, t.form06, check_dtype=False)

    def test_a_quarter_reads_back_as_a_period(self, tmp_path):
        write_quarter(build_quarter(_processed(_h1_dossiers()), "2024Q2"), tmp_path)
        assert read_quarter(tmp_path, Quarter(2024, 2)).quarter == Period(2024, "Q2")


class TestHistoryCacheKey:
    def test_kind_is_part_of_the_key(self, tmp_path):
        # 2024Q2 and 2024H1 end on the same day; 2024H1 and 2024M9 start on the same day.
        keys = {history_cache.cache_key(tmp_path, "calendar", p) for p in ("2024Q2", "2024H1", "2024M9", "2024Y")}
        assert len(keys) == 4

    def test_a_quarter_keeps_its_key_whatever_its_spelling(self, tmp_path):
        keys = {history_cache.cache_key(tmp_path, "nd09", p) for p in ("2024Q1", Quarter(2024, 1), Period(2024, "Q1"))}
        assert len(keys) == 1


# --------------------------------------------------------------------------- the sample (slow)


@pytest.mark.slow
@pytest.mark.xdist_group("indicators_sample")
class TestSampleCumulative:
    @pytest.fixture(scope="class")
    @classmethod
    def processed(cls, processed_sample_dir):
        return load_processed(processed_sample_dir)

    @pytest.mark.parametrize(("text", "period"), [("2024H1", "nd09"), ("2024M9", "calendar"), ("2024Y", "calendar")])
    def test_form06_equals_the_sql_oracle(self, processed, processed_sample_dir, text, period):
        t = build_quarter(processed, text, period=period)
        start, end = Period.parse(text).bounds(period)
        oracle = form06_oracle(Path(processed_sample_dir) / "dossiers.parquet", start, end)
        ours = t.form06[t.form06["received_total"] > 0].sort_values(["unit_code", "field"], ignore_index=True)
        oracle = oracle[oracle["received_total"] > 0].reset_index(drop=True)
        assert len(ours) > 100
        pd.testing.assert_frame_equal(ours, oracle, check_dtype=False, obj=f"{text} {period}")

    def test_h1_comparisons_equal_a_direct_build_of_2023h1(self, processed):
        now = build_quarter(processed, "2024H1", period="nd09").indicators
        then = build_quarter(processed, "2023H1", period="nd09").indicators
        # The 2025 wards' comparisons are crosswalk sums (below); every other group is direct.
        _assert_year_ago_is_direct(now, then, skip_units=set(refdata.load_crosswalk()["new_code"]))

    def test_m9_comparisons_after_the_reorganisation(self, processed):
        now = build_quarter(processed, "2026M9").indicators
        then = build_quarter(processed, "2025M9").indicators
        new_units = set(refdata.load_crosswalk()["new_code"])
        _assert_year_ago_is_direct(now, then, skip_units=new_units)
        # A new ward: its own 2025M9 counts plus its former units', summed then divided.
        ward = "p-thanh-thuy"
        former = [*refdata.load_crosswalk().query("new_code == @ward")["old_code"], ward]
        rows = then[(then["field"] == "ALL") & (then["indicator"] == "on_time_rate") & then["unit_code"].isin(former)]
        expected = round(100 * rows["numerator"].sum() / rows["denominator"].sum(), 4)
        got = now[(now["unit_code"] == ward) & (now["field"] == "ALL") & (now["indicator"] == "on_time_rate")]["same_quarter_last_year"]
        assert got.iloc[0] == pytest.approx(expected, abs=1e-9)


@pytest.mark.slow
class TestCommandCumulative:
    def test_cchc_indicators_builds_6_months_end_to_end(self, processed_sample_dir, tmp_path, capsys):
        code = cli.main(["indicators", "--quarter", "6 tháng đầu năm 2024", "--period", "nd09",
                         "--processed", str(processed_sample_dir), "--out", str(tmp_path)])
        out = capsys.readouterr().out
        folder = tmp_path / "2024H1"
        files = sorted(p.name for p in folder.iterdir())
        back = read_quarter(tmp_path, "2024H1")
        oracle = form06_oracle(Path(processed_sample_dir) / "dossiers.parquet", date(2023, 12, 15), date(2024, 6, 14))
        oracle_all = oracle[(oracle["unit_code"] == "ALL") & (oracle["field"] == "ALL")].iloc[0]
        assert (code, out.startswith("2024H1 (nd09, 15/12/2023–14/06/2024): "), files) == (0, True, [
            "bao_cao_2024H1.docx", "below_target.csv", "chi_so_2024H1.xlsx", "form06.csv", "form06.xlsx",
            "history.csv", "indicators.csv", "indicators_meta.json", "integrity.csv", "integrity_dossiers.csv",
            "late_pareto.csv", "on_time_definitions.csv", "processing_time.csv", "quality.csv", "ranking.csv",
            "score766.csv", "score766_points_lost.csv", "score766_points_lost_dossiers.csv", "score_meta.json",
            "watchlist.csv", "watchlist_finish_by.csv", "watchlist_what_if.csv"])
        assert _all_row(back.form06) == {c: int(oracle_all[c]) for c in COUNT_COLUMNS}
        assert sorted(set(back.history["quarter"]))[-1] == "2024Q2"

    def test_a_wrong_period_is_a_usage_error(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["indicators", "--quarter", "2024H2"])
        assert (exit_info.value.code, "kỳ báo cáo '2024H2' không hợp lệ" in capsys.readouterr().err) == (2, True)


def test_sample_ward_exists():
    """The crosswalk cases above rely on p-thanh-thuy replacing Thủy Dương and Thủy Phương."""
    cw = refdata.load_crosswalk()
    assert {"p-thuy-duong", "p-thuy-phuong"} <= set(cw.loc[cw["new_code"] == "p-thanh-thuy", "old_code"])
