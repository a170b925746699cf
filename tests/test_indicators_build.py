"""build_quarter / write_quarter / read_quarter on hand-made canonical frames."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis import refdata, schema
from cchc_analysis.indicators import (
    below_target,
    build_quarter,
    ranking,
    read_quarter,
    write_quarter,
)
from cchc_analysis.indicators import core
from cchc_analysis.indicators import tables as T
from cchc_analysis.engines import to_engine
from tests.dossier_factory import make_dossiers
from tests.test_indicators import _edocs, _fixture, _pakn


def _processed(dossiers, pakn=None, edocs=None, **extra):
    return SimpleNamespace(
        dossiers=dossiers,
        pakn=schema.empty_frame(schema.PAKN_COLUMNS) if pakn is None else pakn,
        edocs=schema.empty_frame(schema.EDOC_COLUMNS) if edocs is None else edocs,
        quarantine=extra.get("quarantine"),
        reconciliation=extra.get("reconciliation"),
        meta={"synthetic": True},
    )


def _row(frame, unit="ALL", field="ALL", indicator=None):
    sel = (frame["unit_code"] == unit) & (frame["field"] == field)
    if indicator is not None:
        sel &= frame["indicator"] == indicator
    rows = frame[sel]
    assert len(rows) == 1, (unit, field, indicator)
    return rows.iloc[0]


def _with_town_dossier(frame):
    town = make_dossiers(
        dict(received_at="2024-01-05 08:00", due_at="2024-01-09 17:00", finished_at="2024-01-09 17:00",
             status=10, unit_code="tx-huong-thuy", level="huyen", reception_code="hcc-huong-thuy",
             field="Đất đai"),
    )
    town["dossier_id"] = "HS-TX1"
    return pd.concat([frame, town], ignore_index=True)


@pytest.fixture(scope="module")
def tables():
    edocs = _edocs([
        ("p-phu-bai", "2023-12-01", 50, 10, 0),  # outside the quarter's months
        ("p-phu-bai", "2024-01-01", 100, 95, 5),
        ("p-phu-bai", "2024-02-01", 120, 110, 0),
        ("p-phu-bai", "2024-03-01", 80, 80, 0),
    ])
    return build_quarter(_processed(_with_town_dossier(_fixture()), pakn=_pakn(), edocs=edocs), "2024Q1")


class TestBuildQuarter:
    def test_form06_all_row(self, tables):
        row = _row(tables.form06)
        assert row[schema.FORM06_COLUMNS].tolist() == [8, 1, 6, 1, 6, 1, 3, 2, 2, 1, 1]

    def test_form06_reception_centre_row(self, tables):
        assert _row(tables.form06, "hcc-huong-thuy")["resolved_on_time"] == 1

    def test_units_without_dossiers_are_listed_with_zeros(self, tables):
        assert _row(tables.form06, "x-thuy-tan")[schema.FORM06_COLUMNS].sum() == 0

    def test_form06_identities_hold_on_every_row(self, tables):
        f = tables.form06
        assert (f["received_total"] == f["received_online"] + f["received_offline"] + f["carried_over"]).all()
        assert (f["received_total"] == f["resolved_total"] + f["pending_total"]).all()
        assert (f["resolved_total"] == f["resolved_early"] + f["resolved_on_time"] + f["resolved_late"]).all()
        assert (f["pending_total"] == f["pending_within_due"] + f["pending_overdue"]).all()

    def test_level_rate_from_counts_not_mean_of_rates(self, tables):
        # xa: 3 of 5 on time; huyen: 1 of 1; ALL = 4/6, not the mean (60 + 100) / 2.
        assert _row(tables.indicators, indicator="on_time_rate")["value"] == pytest.approx(66.6667)

    def test_unit_field_rows_exist(self, tables):
        row = _row(tables.indicators, "tx-huong-thuy", "Đất đai", "on_time_rate")
        assert (row["numerator"], row["denominator"], row["value"]) == (1, 1, 100.0)

    def test_pakn_indicators_only_without_field(self, tables):
        pakn = tables.indicators[tables.indicators["indicator"] == "pakn_handled_rate"]
        assert set(pakn["field"]) == {"ALL"}
        assert _row(tables.indicators, "p-phu-bai", indicator="pakn_handled_rate")["value"] == 75.0

    def test_edocs_use_the_quarter_months_only(self, tables):
        row = _row(tables.indicators, indicator="edoc_rate")
        assert (row["numerator"], row["denominator"]) == (285, 295)

    def test_target_and_meets_target(self, tables):
        row = _row(tables.indicators, indicator="on_time_rate")
        assert row["target"] == 98.0
        assert not row["meets_target"]

    def test_empty_value_has_empty_meets_target(self, tables):
        row = _row(tables.indicators, "x-thuy-tan", indicator="on_time_rate")
        assert math.isnan(row["value"]) and pd.isna(row["meets_target"])
        assert (row["numerator"], row["denominator"]) == (0, 0)

    def test_no_earlier_data_gives_empty_comparisons(self, tables):
        row = _row(tables.indicators, indicator="on_time_rate")
        assert math.isnan(row["same_quarter_last_year"])

    def test_previous_quarter_and_change(self, tables):
        # 2023Q4: only dossier I resolved there, late (due 2023-11-05, finished 2023-12-01).
        row = _row(tables.indicators, "p-phu-bai", indicator="on_time_rate")
        assert row["previous_quarter"] == 0.0
        assert row["change_pp"] == pytest.approx(60.0)

    def test_missing_pakn_leaves_indicator_empty_with_note(self):
        t = build_quarter(_processed(_fixture()), "2024Q1")
        row = _row(t.indicators, indicator="pakn_handled_rate")
        assert math.isnan(row["value"]) and pd.isna(row["numerator"])
        assert {"missing_input:pakn", "missing_input:edocs"} <= set(t.quality["check"])

    def test_quality_counts(self, tables):
        q = tables.quality.set_index(["check", "unit_code"])["count"]
        assert q[("late_without_apology", "ALL")] == 1
        assert q[("late_without_apology", "p-phu-bai")] == 1
        assert q[("finished_at_due_minute", "ALL")] == 1  # the town dossier closed at 17:00 sharp

    def test_history_covers_quarters_with_data_only(self, tables):
        assert sorted(set(tables.history["quarter"])) == ["2023Q4", "2024Q1"]


class TestCrosswalkComparisons:
    def test_new_ward_year_ago_is_sum_of_former_units(self):
        old = make_dossiers(
            dict(received_at="2024-07-10", due_at="2024-07-20", finished_at="2024-07-15", status=10,
                 unit_code="p-thuy-duong", reception_code="p-thuy-duong"),
            dict(received_at="2024-07-10", due_at="2024-07-12", finished_at="2024-07-15", status=10,
                 unit_code="p-thuy-phuong", reception_code="p-thuy-phuong"),
            dict(received_at="2024-07-10", due_at="2024-07-20", finished_at="2024-07-15", status=10,
                 unit_code="x-thuy-thanh", reception_code="x-thuy-thanh"),
            dict(received_at="2024-07-10", due_at="2024-07-20", finished_at="2024-07-15", status=10,
                 unit_code="p-thuy-chau", reception_code="p-thuy-chau"),
        )
        new = make_dossiers(
            dict(received_at="2025-07-10", due_at="2025-07-20", finished_at="2025-07-15", status=10,
                 unit_code="p-thanh-thuy", reception_code="p-thanh-thuy"),
        )
        new["dossier_id"] = "HS-NEW"
        t = build_quarter(_processed(pd.concat([old, new], ignore_index=True)), "2025Q3")
        row = _row(t.indicators, "p-thanh-thuy", indicator="on_time_rate")
        # Thủy Dương 1/1, Thủy Phương 0/1, Thủy Thanh 1/1 -> 2/3; Thủy Châu goes elsewhere.
        assert row["same_quarter_last_year"] == pytest.approx(66.6667)
        assert math.isnan(row["previous_quarter"])


class TestRanking:
    def test_best_first_ties_share_rank(self):
        ind = pd.DataFrame({
            "unit_code": ["p-phu-bai", "x-thuy-tan", "p-thuy-chau", "x-phu-son"],
            "field": "ALL", "indicator": "on_time_rate",
            "numerator": pd.array([9, 18, 10, 0], dtype="Int64"),
            "denominator": pd.array([10, 20, 10, 0], dtype="Int64"),
            "value": [90.0, 90.0, 100.0, np.nan],
        })
        out = ranking(ind, None)
        assert out["unit_code"].tolist() == ["p-thuy-chau", "x-thuy-tan", "p-phu-bai"]
        assert out["rank"].tolist() == [1, 2, 2]


class TestBelowTarget:
    def test_only_known_values_below_target(self):
        ind = pd.DataFrame({
            "unit_code": ["ALL", "xa", "huyen"], "field": "ALL", "indicator": "on_time_rate",
            "value": [97.0, 99.0, np.nan], "target": 98.0,
            "meets_target": pd.array([False, True, None], dtype="boolean"),
        })
        assert below_target(ind)["unit_code"].tolist() == ["ALL"]


class TestWriteQuarter:
    def test_writes_every_file(self, tables, tmp_path):
        folder = write_quarter(tables, tmp_path)
        names = {p.name for p in folder.iterdir()}
        assert {"form06.csv", "indicators.csv", "form06.xlsx", "quality.csv", "history.csv",
                "ranking.csv", "below_target.csv"} <= names

    def test_values_rounded_to_four_decimals(self, tables, tmp_path):
        text = (write_quarter(tables, tmp_path) / "indicators.csv").read_text(encoding="utf-8")
        assert "66.6667" in text and "66.66666" not in text

    def test_keeps_other_files_in_the_folder(self, tables, tmp_path):
        (tmp_path / "2024Q1").mkdir()
        (tmp_path / "2024Q1" / "report.html").write_text("x")
        write_quarter(tables, tmp_path)
        assert (tmp_path / "2024Q1" / "report.html").read_text() == "x"

    def test_engines_write_identical_bytes(self, tmp_path):
        processed = _processed(_with_town_dossier(_fixture()), pakn=_pakn())
        outputs = {}
        for engine in ("pandas", "polars", "duckdb"):
            folder = write_quarter(build_quarter(processed, "2024Q1", engine=engine), tmp_path / engine)
            outputs[engine] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        assert outputs["pandas"] == outputs["polars"] == outputs["duckdb"]


class TestReadQuarter:
    def test_round_trip(self, tables, tmp_path):
        write_quarter(tables, tmp_path)
        back = read_quarter(tmp_path, "2024Q1")
        assert back.period == "calendar" and back.start == date(2024, 1, 1) and back.synthetic
        pd.testing.assert_frame_equal(back.form06, tables.form06, check_dtype=False)
        assert back.indicators["value"].equals(tables.indicators["value"])

    def test_missing_folder_is_a_clear_error(self, tmp_path):
        from cchc_analysis.errors import InputError

        with pytest.raises(InputError, match="cchc indicators --quarter 2024Q1"):
            read_quarter(tmp_path, "2024Q1")


_DOSSIER = st.fixed_dictionaries({
    "received_at": st.dates(date(2023, 11, 1), date(2024, 4, 30)).map(str),
    "days": st.integers(0, 40),
    "due": st.one_of(st.none(), st.integers(0, 30)),
    "status": st.sampled_from([2, 3, 4, 5, 7, 9, 10]),
    "unit_code": st.sampled_from(["p-phu-bai", "x-thuy-tan", "tx-huong-thuy"]),
    "field": st.sampled_from(["Hộ tịch", "Đất đai"]),
    "channel": st.sampled_from(["truc_tiep", "truc_tuyen", None]),
})


class TestRollupDossiers:
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_DOSSIER, min_size=1, max_size=25))
    def test_units_sum_to_all_and_identities_hold(self, rows):
        records = []
        for r in rows:
            rec = pd.Timestamp(r["received_at"])
            finished = rec + pd.Timedelta(days=r["days"]) if r["status"] in (7, 9, 10) else None
            records.append(dict(
                received_at=rec, finished_at=finished, status=r["status"], field=r["field"],
                due_at=None if r["due"] is None else rec + pd.Timedelta(days=r["due"]),
                unit_code=r["unit_code"], reception_code=r["unit_code"], channel=r["channel"],
                level="huyen" if r["unit_code"] == "tx-huong-thuy" else "xa",
            ))
        frame = make_dossiers(*records)
        # The columns _prepare_dossiers adds, without the catalogue join (keeps examples fast).
        frame["processing_days"] = pd.array([0] * len(frame), dtype="Int64")
        frame["finished_at_due_minute"] = False
        frame["appointment_beyond_statute"] = False
        fine = T.dossier_counts(to_engine(frame, "pandas"), date(2024, 1, 1), date(2024, 3, 31))
        rolled = T.rollup_dossiers(fine)
        units = rolled[rolled["unit_code"].isin(["p-phu-bai", "x-thuy-tan", "tx-huong-thuy"]) & (rolled["field"] == "ALL")]
        all_row = rolled[(rolled["unit_code"] == "ALL") & (rolled["field"] == "ALL")].iloc[0]
        counts = [c for c in rolled.columns if c not in ("unit_code", "field")]
        assert (units[counts].sum() == all_row[counts]).all()
        assert all_row["received_total"] == all_row["resolved_total"] + all_row["pending_total"]
        assert all_row["on_time_rate__num"] == all_row["resolved_early"] + all_row["resolved_on_time"]


_STATUTE_CATALOGUE = pd.DataFrame({
    "procedure_code": ["P0", "P1", "P3", "P15", "P3"],  # a repeated code: the first row wins
    "statutory_days": [0, 1, 3, 15, 40],
})


@st.composite
def _statute_rows(draw):
    n = draw(st.integers(1, 30))
    rows = []
    for _ in range(n):
        # Days around Tết 2024 and the ends of the calendar span (2015-01-01 .. 2040-12-31).
        base = draw(st.sampled_from([pd.Timestamp("2024-02-01"), pd.Timestamp("2015-01-01"),
                                     pd.Timestamp("2040-12-01"), pd.Timestamp("2026-04-25")]))
        received = draw(st.one_of(st.none(), st.integers(-5, 40)))
        due = draw(st.one_of(st.none(), st.integers(-5, 60)))
        rec = None if received is None else base + pd.Timedelta(days=received, hours=draw(st.integers(0, 23)))
        rows.append(dict(
            received_at=rec,
            due_at=None if due is None else base + pd.Timedelta(days=due, hours=draw(st.integers(0, 23))),
            procedure_code=draw(st.sampled_from(["P0", "P1", "P3", "P15", "X9", None])),
        ))
    return make_dossiers(*rows)


class TestBeyondStatute:
    def test_appointment_later_than_three_working_days(self):
        frame = make_dossiers(dict(procedure_code="P3", received_at="2024-04-26 09:00", due_at="2024-05-06"))
        assert T.beyond_statute(frame, _STATUTE_CATALOGUE).tolist() == [True]

    def test_appointment_on_the_statutory_day_across_tet(self):
        frame = make_dossiers(dict(procedure_code="P3", received_at="2024-02-07 10:00", due_at="2024-02-19 17:00"))
        assert T.beyond_statute(frame, _STATUTE_CATALOGUE).tolist() == [False]

    def test_missing_dates_and_unknown_procedure_are_not_beyond(self):
        frame = make_dossiers(
            dict(procedure_code="X9", received_at="2024-03-01", due_at="2024-12-31"),
            dict(procedure_code="P0", received_at=None, due_at="2024-12-31"),
            dict(procedure_code="P0", received_at="2024-03-01", due_at=None),
        )
        assert T.beyond_statute(frame, _STATUTE_CATALOGUE).tolist() == [False, False, False]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_statute_rows())
    def test_equals_the_join_of_with_statutory_due(self, frame):
        from cchc_analysis import outcome

        joined = outcome.with_statutory_due(frame, _STATUTE_CATALOGUE)
        expected = joined["appointment_beyond_statute"].fillna(False).astype(bool).tolist()
        assert T.beyond_statute(frame, _STATUTE_CATALOGUE).tolist() == expected


class TestWithAllGroups:
    KEYS = pd.DataFrame({"unit_code": ["a", "b"], "level": ["xa", "xa"], "reception_code": ["a", "b"],
                         "field": ["F", "F"]})

    def test_group_without_counts_gets_zeros(self):
        counts = pd.DataFrame({"unit_code": ["b"], "level": ["xa"], "reception_code": ["b"], "field": ["F"],
                               "received_total": pd.array([3], dtype="Int32")})
        got = T.with_all_groups(self.KEYS, counts)
        assert got["unit_code"].tolist() == ["a", "b"]
        assert got["received_total"].tolist() == [0, 3]
        assert got["received_total"].dtype == "int64"

    def test_sorted_by_the_keys(self):
        counts = pd.DataFrame({"unit_code": ["b", "a"], "level": ["xa", "xa"], "reception_code": ["b", "a"],
                               "field": ["F", "F"], "n": [1, 2]})
        got = T.with_all_groups(self.KEYS.iloc[::-1], counts)
        assert got[["unit_code", "n"]].values.tolist() == [["a", 2], ["b", 1]]


class TestNamedMissing:
    def test_text_keys(self):
        got = T.named_missing(pd.Series(["Hộ tịch", None], dtype="str"))
        assert got.tolist() == ["Hộ tịch", "(không rõ)"]

    def test_categorical_keys_gain_the_category(self):
        got = T.named_missing(pd.Series(["Hộ tịch", None, "Hộ tịch"], dtype="category"))
        assert got.tolist() == ["Hộ tịch", "(không rõ)", "Hộ tịch"]
        assert isinstance(got.dtype, pd.CategoricalDtype)

    def test_categorical_without_missing_unchanged(self):
        keys = pd.Series(["a", "b"], dtype="category")
        assert list(T.named_missing(keys).cat.categories) == ["a", "b"]


# The roll-up and the long table as they were written before the numpy versions (reference).
def _reference_rollup(fine, crosswalk=False):
    counts = [c for c in fine.columns if c not in T.FINE_KEYS]
    centres = fine[fine["reception_code"].isin(set(refdata.load_reception_points()["code"]))]
    units = T._crosswalked(fine) if crosswalk else fine
    units_of = (
        (fine, np.full(len(fine), T.ALL, dtype=object)),
        (fine, fine["level"].to_numpy(dtype=object)),
        (centres, centres["reception_code"].to_numpy(dtype=object)),
        (units, units["unit_code"].to_numpy(dtype=object)),
    )
    unit_labels, field_labels, values = [], [], []
    for frame, labels in units_of:
        for by_field in (False, True):
            unit_labels.append(labels)
            field_labels.append(frame["field"].to_numpy(dtype=object) if by_field
                                else np.full(len(frame), T.ALL, dtype=object))
            values.append(frame[counts].to_numpy(dtype="int64"))
    stacked = pd.DataFrame(np.concatenate(values), columns=counts)
    stacked.insert(0, "unit_code", np.concatenate(unit_labels))
    stacked.insert(1, "field", np.concatenate(field_labels))
    out = stacked.groupby(["unit_code", "field"], sort=True)[counts].sum().reset_index()
    if not ((out["unit_code"] == T.ALL) & (out["field"] == T.ALL)).any():
        zero = pd.DataFrame([[T.ALL, T.ALL, *[0] * len(counts)]], columns=["unit_code", "field", *counts])
        out = pd.concat([zero, out], ignore_index=True)
    out[counts] = out[counts].astype("int64")
    out["unit_code"] = out["unit_code"].astype("str")
    out["field"] = out["field"].astype("str")
    return out


def _reference_long(rolled, names, scales):
    parts = []
    for name in names:
        part = rolled[["unit_code", "field"]].copy()
        part["indicator"] = name
        part["numerator"] = rolled[f"{name}__num"].to_numpy()
        part["denominator"] = rolled[f"{name}__den"].to_numpy()
        # Issue 13: unknown (0 when the indicator has no __unk column) and coverage
        # = 100 × known / (known + unknown), known = __known if present else the denominator.
        part["unknown"] = rolled[f"{name}__unk"].to_numpy() if f"{name}__unk" in rolled else 0
        part["_known"] = rolled[f"{name}__known"].to_numpy() if f"{name}__known" in rolled else part["denominator"]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    scale = out["indicator"].map(scales).to_numpy(dtype="float64")
    out["value"] = scale * core.ratio_value(out["numerator"], out["denominator"], 1.0).to_numpy()
    eligible = (out["_known"] + out["unknown"]).to_numpy(dtype="float64")
    out["coverage"] = np.where(eligible > 0, 100.0 * out["_known"].to_numpy(dtype="float64") / np.where(eligible > 0, eligible, 1), np.nan)
    out["unknown"] = out["unknown"].astype("int64")
    return out[["unit_code", "field", "indicator", "numerator", "denominator", "unknown", "value", "coverage"]]


_FINE_ROW = st.fixed_dictionaries({
    "unit_code": st.sampled_from(["p-phu-bai", "p-thuy-duong", "x-thuy-thanh", "tx-huong-thuy", "sx-99"]),
    "reception_code": st.sampled_from(["hcc-huong-thuy", "p-phu-bai", "(không rõ)"]),
    "field": st.sampled_from(["Hộ tịch", "Đất đai", "(không rõ)"]),
    "level": st.sampled_from(["xa", "huyen", "(không rõ)"]),
    "n": st.integers(0, 50),
})


def _fine_table(rows):
    names = [f"{name}__{part}" for name in core.DOSSIER_INDICATORS for part in ("num", "den")]
    frame = pd.DataFrame({k: pd.Series([r[k] for r in rows], dtype="str") for k in T.FINE_KEYS})
    for i, name in enumerate(names):
        frame[name] = np.array([(r["n"] * (i + 1)) % 37 for r in rows], dtype="int64")
    return frame


class TestRollupAndLongEqualTheReference:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_FINE_ROW, min_size=0, max_size=30), st.booleans())
    def test_rollup_dossiers(self, rows, crosswalk):
        fine = _fine_table(rows)
        pd.testing.assert_frame_equal(T.rollup_dossiers(fine, crosswalk), _reference_rollup(fine, crosswalk))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_FINE_ROW, min_size=0, max_size=30))
    def test_long(self, rows):
        rolled = T.rollup_dossiers(_fine_table(rows))
        names, scales = list(core.DOSSIER_INDICATORS), T._scales()
        pd.testing.assert_frame_equal(T._long(rolled, names, scales), _reference_long(rolled, names, scales))

    def test_long_of_per_unit_counts(self):
        per_unit = pd.DataFrame({"unit_code": ["p-phu-bai", "tx-huong-thuy"], "edoc_rate__num": [3, 0],
                                 "edoc_rate__den": [4, 0]})
        rolled = T.rollup_units(per_unit)
        got = T._long(rolled, ["edoc_rate"], T._scales())
        pd.testing.assert_frame_equal(got, _reference_long(rolled, ["edoc_rate"], T._scales()))
        assert got.loc[got["unit_code"] == "p-phu-bai", "value"].tolist() == [75.0]
