"""The index estimate (cchc_analysis.score.score766): hand-computed items, 2.1 against
indicators' on_time_rate_766 on every sample quarter, declared maxima."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_analysis import clean, indicators
from cchc_analysis.periods import Quarter
from cchc_analysis.score.items import item_points, load_items
from cchc_analysis.score.score766 import points_lost, score_table
from cchc_analysis.score.watchlist import what_if
from tests.dossier_factory import make_dossiers
from tests.sql_oracle import COUNT_COLUMNS, form06_oracle

START, END = "2024-01-01", "2024-03-31"
CATALOGUE = pd.DataFrame({"procedure_code": ["1.001234", "2.000001"], "has_fee": [True, True]})
FACTS = ("digitised_input", "digitised_result", "reused_data", "has_fee", "paid_online")


def _facts(*values):
    return dict(zip(FACTS, values, strict=True))


def fixture_dossiers() -> pd.DataFrame:
    return make_dossiers(
        dict(received_at="2024-01-10", due_at="2024-01-20", finished_at="2024-01-15", status=10, **_facts(True, True, True, True, True)),
        dict(received_at="2024-01-10", due_at="2024-01-12", finished_at="2024-01-15", status=10, **_facts(True, False, False, True, False)),
        dict(received_at="2024-03-01", due_at="2024-04-10", status=4, **_facts(None, None, None, None, None)),
        dict(received_at="2024-02-01", due_at="2024-03-05", status=4, **_facts(False, False, False, False, False)),
        dict(received_at="2023-12-20", due_at="2024-01-05", finished_at="2024-01-05", status=9, **_facts(True, True, True, True, True)),
        dict(procedure_code="2.000001", received_at="2024-02-10", due_at="2024-02-20", finished_at="2024-02-19", status=10,
             **_facts(True, True, False, True, False)),
        dict(unit_code="x-phu-son", reception_code="x-phu-son", received_at="2024-01-10", status=4, **_facts(None, None, None, None, None)),
    )


def fixture_pakn() -> pd.DataFrame:
    rows = [
        ("a", "2024-01-05", "2024-01-20", "2024-01-15"),
        ("b", "2024-02-01", "2024-02-10", "2024-02-15"),
        ("c", "2024-03-20", "2024-04-10", None),
        ("d", "2023-12-01", "2023-12-20", "2023-12-15"),
    ]
    frame = pd.DataFrame(rows, columns=["pakn_id", "received_at", "due_at", "handled_at"])
    for col in ("received_at", "due_at", "handled_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    return frame.assign(unit_code="p-phu-bai", status="da_xu_ly", classification="quy_dinh_hanh_chinh")


def _rows(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    return table[table["unit_code"] == unit].set_index("item")


@pytest.fixture(scope="module")
def table():
    return score_table(fixture_dossiers(), START, END, pakn=fixture_pakn(), catalogue=CATALOGUE)


class TestScoreTable:
    @pytest.mark.parametrize(("item", "num", "den", "points"), [
        ("2.1", 4, 6, 13.33),   # early, on time, pending within due, early / 6 in scope
        ("3.6", 1, 3, 2.00),    # fee known and payment known: 3 dossiers, 1 paid online
        ("3.5b", 1, 2, 1.25),   # min(2, 2.5 x 50 / 100)
        ("3.5", 2, 2, 2.00),    # min(2, 2.5 x 100 / 100)
        ("4.1", 3, 5, 3.60),
        ("4.2", 3, 5, 2.40),
        ("4.3", 1, 4, 0.63),    # 2 x 25 / 80 = 0.625, half up
        ("5.2", 2, 3, 4.00),
        ("5.3", 2, 3, 4.00),
        ("5.4", 4, 6, 4.44),    # 6 x 66.67 / 90
    ])
    def test_hand_computed_items(self, table, item, num, den, points):
        row = _rows(table, "p-phu-bai").loc[item]
        assert (row["numerator"], row["denominator"]) == (num, den)
        assert row["ratio"] == pytest.approx(100 * num / den)
        assert row["points"] == pytest.approx(points)
        assert row["computable"]

    def test_unknown_facts_are_skipped_and_counted(self, table):
        row = _rows(table, "p-phu-bai").loc["4.1"]
        assert "bỏ qua 1 không rõ" in row["note"]
        only_unknown = _rows(table, "x-phu-son").loc["4.1"]
        assert not only_unknown["computable"] and np.isnan(only_unknown["points"])

    def test_empty_denominators(self, table):
        empty = _rows(table, "x-duong-hoa")
        assert empty.loc["5.2", "points"] == 6 and empty.loc["5.3", "points"] == 6
        assert empty.loc["5.4", "points"] == 0
        assert np.isnan(empty.loc["2.1", "points"])

    def test_group_totals(self, table):
        rows = _rows(table, "p-phu-bai")
        assert rows.loc["2", "points"] == pytest.approx(13.33)
        assert rows.loc["4", "points"] == pytest.approx(5.25)
        assert rows.loc["5", "points"] == pytest.approx(8.63)
        assert rows.loc["6", "points"] == pytest.approx(12.44)
        assert rows.loc["TONG", "points"] == pytest.approx(39.65)
        assert rows.loc["TONG", "note"] == "ước tính được 62 trên 100 điểm"

    def test_portal_items_are_not_guessed(self, table):
        portal = table[table["item"].isin(["1.1", "1.4", "3.1-3.3", "4.4", "4.5a"])]
        assert not portal["computable"].any() and portal["points"].isna().all()
        assert (portal["note"] == "cần dữ liệu Cổng DVCQG").all()

    def test_missing_pakn_is_unknown_not_none(self):
        table = score_table(fixture_dossiers(), START, END, pakn=None, catalogue=CATALOGUE)
        rows = _rows(table, "p-phu-bai")
        assert not rows.loc["5.2", "computable"] and np.isnan(rows.loc["5.2", "points"])

    def test_every_group_declares_100_points(self, table):
        items = table[~table["item"].isin([*load_items()["group"].unique(), "TONG"])]
        sums = items.groupby("unit_code")["max_points"].sum()
        assert len(sums) >= 16 and np.allclose(sums, 100.0)
        assert set(table["unit_code"]) >= {"ALL", "tinh", "huyen", "xa", "hcc-huong-thuy", "p-phu-bai"}


class TestItemPoints:
    def test_rules(self):
        assert item_points(97.5, 20, 20, 100) == pytest.approx(19.5)
        assert item_points(90, 2, 2.5, 100) == pytest.approx(2.0)  # capped
        assert item_points(np.nan, 6, 6, 90, 0) == 0
        assert np.isnan(item_points(np.nan, 20, 20, 100))


class TestProgressMatchesIndicators:
    def test_2_1_is_on_time_rate_766_for_every_unit_and_quarter(self, processed_sample_dir):
        processed = clean.load_processed(processed_sample_dir)
        received = processed.dossiers["received_at"].dropna()
        first = Quarter.parse(f"{received.min().year}Q{(received.min().month - 1) // 3 + 1}")
        last = Quarter.parse(f"{received.max().year}Q{(received.max().month - 1) // 3 + 1}")
        quarters, q = [], last
        while str(q) >= str(first):
            quarters.append(q)
            q = q.previous()
        assert len(quarters) >= 12
        for q in quarters:
            built = indicators.build_quarter(processed, str(q))
            ref = built.indicators.query("field == 'ALL' and indicator == 'on_time_rate_766'").set_index("unit_code")
            start, end = q.bounds("calendar")
            mine = score_table(processed.dossiers, start, end, pakn=processed.pakn).query("item == '2.1'").set_index("unit_code")
            assert set(ref.index) <= set(mine.index), q
            mine = mine.loc[ref.index]
            assert (mine["numerator"].to_numpy() == ref["numerator"].to_numpy()).all(), q
            assert (mine["denominator"].to_numpy() == ref["denominator"].to_numpy()).all(), q
            expected = np.floor(20 * ref["numerator"] / ref["denominator"].where(ref["denominator"] > 0) * 100 + 0.5 + 1e-9) / 100
            np.testing.assert_allclose(mine["points"].to_numpy(float), expected.to_numpy(float), atol=1e-9, err_msg=str(q))
            known = ref["value"].notna()
            np.testing.assert_allclose(mine.loc[known, "points"], 20 * ref.loc[known, "value"] / 100, atol=0.005 + 1e-6)


class TestPointsLost:
    def test_late_and_overdue_dossiers_named(self):
        summary, codes = points_lost(fixture_dossiers(), START, END)
        lost = codes[codes["item"] == "2.1"].set_index("dossier_id")["reason"].to_dict()
        assert lost == {"HS0002": "resolved_late", "HS0004": "pending_overdue"}
        row = summary[(summary["item"] == "2.1") & (summary["unit_code"] == "p-phu-bai")].iloc[0]
        assert (row["missed"], row["resolved_late"], row["pending_overdue"]) == (2, 1, 1)
        paid = codes[codes["item"] == "3.6"]["dossier_id"].tolist()
        assert sorted(paid) == ["HS0002", "HS0006"]
        assert set(codes.columns) == {"dossier_id", "unit_code", "field", "procedure_code", "item", "reason"}


class TestProgressIdentities:
    """2.1 against form 06 and the what-if at the period's end, on random dossier tables."""

    dossier = st.fixed_dictionaries({
        "received": st.integers(-40, 95), "due": st.one_of(st.none(), st.integers(-5, 40)),
        "finish": st.one_of(st.none(), st.integers(-5, 60)), "status": st.sampled_from([2, 3, 4, 5, 7, 9, 10]),
        "unit": st.sampled_from(["p-phu-bai", "x-phu-son", "tx-huong-thuy"]),
    })

    @settings(max_examples=40, deadline=None)
    @given(st.lists(dossier, min_size=1, max_size=25))
    def test_identities(self, rows):
        base = pd.Timestamp(START)
        level = {"p-phu-bai": "xa", "x-phu-son": "xa", "tx-huong-thuy": "huyen"}

        def day(offset):
            return None if offset is None else base + pd.Timedelta(days=offset, hours=9)

        frame = make_dossiers(*[
            dict(received_at=day(r["received"]), due_at=day(None if r["due"] is None else r["received"] + r["due"]),
                 finished_at=day(None if r["finish"] is None else r["received"] + r["finish"]), status=r["status"],
                 unit_code=r["unit"], reception_code=r["unit"], level=level[r["unit"]])
            for r in rows
        ])
        got = score_table(frame, START, END, catalogue=CATALOGUE).query("item == '2.1'").set_index("unit_code")
        oracle = form06_oracle(frame, pd.Timestamp(START).date(), pd.Timestamp(END).date())
        totals = oracle[(oracle["unit_code"] == "ALL") & (oracle["field"] == "ALL")]
        form = totals.iloc[0] if len(totals) else pd.Series(0, index=COUNT_COLUMNS)
        assert got.loc["ALL", "denominator"] == form["received_total"]
        assert got.loc["ALL", "numerator"] == form["resolved_early"] + form["resolved_on_time"] + form["pending_within_due"]
        units = got.loc[list(level), "numerator"].sum()
        assert units == got.loc["ALL", "numerator"]
        at_end = what_if(frame, END, START, END).set_index("unit_code")
        if form["received_total"] > 0:
            assert at_end.loc["ALL", "numerator_if_all"] == at_end.loc["ALL", "numerator_if_none"] == got.loc["ALL", "numerator"]
