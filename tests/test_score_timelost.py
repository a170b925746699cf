"""Where time is lost and integrity checks (cchc_analysis.score.timelost / .integrity),
and the files and Markdown of cchc_analysis.score.report."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from cchc_analysis import fmt

from cchc_analysis.score import (
    FILES, integrity_checks, integrity_dossiers, late_pareto, markdown_sections, on_time_definitions,
    processing_times, write_score_files,
)
from tests.dossier_factory import make_dossiers

START, END = date(2024, 1, 1), date(2024, 3, 31)
CATALOGUE = pd.DataFrame({"procedure_code": ["1.001234"], "statutory_days": [3], "has_fee": [False]})


class TestProcessingTimes:
    def test_open_dossiers_count_at_their_age(self):
        frame = make_dossiers(
            dict(received_at="2024-03-04", finished_at="2024-03-05", due_at="2024-03-07", status=10),  # 1 working day
            dict(received_at="2024-03-04", finished_at="2024-03-06", due_at="2024-03-07", status=10),  # 2
            dict(received_at="2024-03-25", due_at="2024-03-28", status=4),  # open: 26-29 March = 4
        )
        row = processing_times(frame, START, END, catalogue=CATALOGUE).iloc[0]
        assert (row["dossiers"], row["still_open"]) == (3, 1)
        assert row["median_days"] == 2
        assert row["p80_days"] == pytest.approx(3.2)  # linear: 2 + 0.6 x (4 - 2)
        assert row["p90_days"] == pytest.approx(3.6)
        assert row["statutory_days"] == 3 and row["p80_over_statute"]


def outcome_fixture() -> pd.DataFrame:
    return make_dossiers(
        dict(received_at="2024-03-01", due_at="2024-03-10", finished_at="2024-03-05", status=10),  # early
        dict(received_at="2024-03-01", due_at="2024-03-05", finished_at="2024-03-05", status=10),  # on time
        dict(received_at="2024-03-01", due_at="2024-03-05", finished_at="2024-03-07", status=10,
             procedure_code="2.000001"),  # late
        dict(received_at="2024-03-01", due_at="2024-04-05", status=4),  # pending within due
        dict(received_at="2024-03-01", due_at="2024-03-15", status=4, unit_code="x-phu-son"),  # pending overdue
    )


class TestLatePareto:
    def test_shares(self):
        got = late_pareto(outcome_fixture(), START, END)
        assert got["late"].tolist() == [1, 1]
        assert got["unit_code"].tolist() == ["p-phu-bai", "x-phu-son"]
        assert got["cumulative_share"].tolist() == pytest.approx([50.0, 100.0])


class TestOnTimeDefinitions:
    def test_four_definitions(self):
        got = on_time_definitions(outcome_fixture(), START, END)
        all_rows = got[got["unit_code"] == "ALL"].set_index("definition")
        expected = {"completed_only": (2, 3), "index_766": (3, 5), "den_han": (2, 4), "can_xu_ly": (3, 5)}
        for code, (num, den) in expected.items():
            assert (all_rows.loc[code, "numerator"], all_rows.loc[code, "denominator"]) == (num, den)
            assert all_rows.loc[code, "value"] == pytest.approx(100 * num / den)
        assert set(got["unit_code"]) == {"ALL", "xa"}
        assert all_rows["label"].str.len().gt(10).all()


class TestIntegrityChecks:
    def test_marks(self):
        frame = make_dossiers(
            dict(received_at="2024-03-08", due_at="2024-03-20", finished_at="2024-03-10 10:00", status=10),  # Sunday
            dict(received_at="2024-03-08", due_at="2024-03-20", finished_at="2024-03-12 18:30", status=10),  # after 17:00
            dict(received_at="2024-03-08", due_at="2024-03-20", finished_at="2024-03-12 00:00", status=10),  # no time given
            dict(received_at="2024-03-08", due_at="2024-03-20", status=4, supplement_count=2),
            dict(received_at="2024-03-08", due_at="2024-03-14 17:00", finished_at="2024-03-14 17:00", status=10),
        )
        codes = integrity_dossiers(frame, START, END).groupby("check")["dossier_id"].apply(list).to_dict()
        assert codes == {
            "finished_on_non_working_day": ["HS0001"],
            "finished_outside_hours": ["HS0002"],
            "more_than_one_supplement": ["HS0004"],
            "finished_at_due_minute": ["HS0005"],
        }
        counts = integrity_checks(frame, START, END)
        assert counts[counts["unit_code"] == "ALL"]["count"].tolist() == [1, 1, 1, 1]

    def test_bunched_closures(self):
        late_rush = [dict(received_at="2024-03-20", finished_at=f"2024-03-{d} 09:00", status=10) for d in (27, 28, 29) * 3]
        usual = [dict(received_at="2024-01-10", finished_at=f"2024-01-{d} 09:00", status=10) for d in (15, 22, 29)]
        calm = [dict(received_at="2024-01-10", finished_at=f"2024-{m:02d}-15 09:00", status=10, unit_code="x-phu-son")
                for m in (1, 2, 3)]
        got = integrity_checks(make_dossiers(*late_rush, *usual, *calm), START, END)
        bunched = got[got["check"] == "closures_bunched_at_period_end"].set_index("unit_code")
        assert bunched.loc["p-phu-bai", "count"] == 9
        assert "theo nhịp thường ngày" in bunched.loc["p-phu-bai", "note"]
        assert "x-phu-son" not in bunched.index


class TestWriteScoreFiles:
    def test_files_and_markdown(self, tmp_path):
        tables = write_score_files(outcome_fixture(), START, END, tmp_path, as_of="2024-03-08")
        for name in FILES.values():
            assert (tmp_path / name).exists(), name
        meta = json.loads((tmp_path / "score_meta.json").read_text(encoding="utf-8"))
        assert meta["as_of"] == "2024-03-08" and meta["as_of_default"] is False
        watch = pd.read_csv(tmp_path / "watchlist.csv", dtype=str)
        assert watch["dossier_id"].tolist() == ["HS0005"]  # due 15/3: the only one due by the end and open
        text = markdown_sections(tables)
        score = tables.frames["score"].set_index(["unit_code", "item"])
        assert f"**{fmt.number(score.loc[('ALL', 'TONG'), 'points'], 2)} điểm**" in text
        assert "phút hẹn trả" not in text  # HS0002: due and finish are bare dates, not a minute stamp
        assert f"Tính đến ngày {fmt.date_short(date(2024, 3, 8))}: 1 hồ sơ sắp đến hạn trước khi hết kỳ, 0 hồ sơ đã quá hạn." in text
        assert "Kiểm tra tính xác thực của số liệu" in text

    def test_as_of_after_the_end_is_stated(self, tmp_path):
        later = make_dossiers(dict(received_at="2024-04-10", status=4, dossier_id="HS9999"))
        tables = write_score_files(pd.concat([outcome_fixture(), later], ignore_index=True), START, END, tmp_path)
        assert tables.as_of == date(2024, 4, 10)  # default: the last day present in the data
        assert tables.as_of_default and tables.frames["watchlist"].empty
        assert "sau khi kỳ kết thúc" in markdown_sections(tables)
