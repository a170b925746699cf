"""Issue 13, truthful figures: unknown is not "no", empty periods are refused, the sample never
mixes with real exports, ``CCHC_RAW_DIR`` works for any folder."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis import cli, config
from cchc_analysis.clean import clean, load_processed
from cchc_analysis.indicators import build_quarter
from tests.dossier_factory import make_dossiers
from tests.fixtures_raw import VI_HEADER, vi_row, write_csv

FLAGS = ("Số hóa hồ sơ", "Số hóa kết quả", "Tái sử dụng dữ liệu", "Có phí", "Thanh toán trực tuyến", "Phiếu xin lỗi")


def _without(header: list[str], row: list[str], dropped: tuple[str, ...]) -> list[str]:
    return [v for h, v in zip(header, row, strict=True) if h not in dropped]


def _two_exports(raw: Path) -> Path:
    """Thủy Châu's export has every yes/no column; Thủy Tân's lacks "Số hóa hồ sơ" and "Phiếu
    xin lỗi" (as the national-sync profile does)."""
    chau = [
        vi_row("CHAU-1", n=1, flags=("x", "x", "x", "Có", "Có", "")),
        vi_row("CHAU-2", n=2, flags=("x", "", "", "Có", "Không", "")),
        vi_row("CHAU-3", n=3, flags=("", "x", "", "Không", "", "")),
        # late (due 22/01, result 25/01), with an apology slip
        vi_row("CHAU-4", n=4, finished="25/01/2024 10:00", returned="25/01/2024", flags=("x", "x", "", "Không", "", "Có")),
    ]
    dropped = ("Số hóa hồ sơ", "Phiếu xin lỗi")
    tan = [
        vi_row("TAN-1", n=1, reception="UBND xã Thủy Tân", flags=("x", "x", "x", "Có", "Có", "")),
        vi_row("TAN-2", n=2, reception="UBND xã Thủy Tân", flags=("", "", "", "Không", "", "")),
        vi_row("TAN-3", n=3, reception="UBND xã Thủy Tân", finished="26/01/2024 10:00", returned="26/01/2024",
               flags=("x", "", "", "Không", "", "")),
    ]
    write_csv(raw / "2024Q1_thuy_chau.csv", [VI_HEADER, *chau])
    write_csv(raw / "2024Q1_thuy_tan.csv", [_without(VI_HEADER, VI_HEADER, dropped),
                                             *[_without(VI_HEADER, r, dropped) for r in tan]])
    return raw


@pytest.fixture(scope="module")
def two_exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("truth")
    clean(_two_exports(root / "raw"), root / "processed")
    return build_quarter(load_processed(root / "processed"), "2024Q1")


def _row(tables, unit, indicator):
    ind = tables.indicators
    rows = ind[(ind["unit_code"] == unit) & (ind["field"] == "ALL") & (ind["indicator"] == indicator)]
    assert len(rows) == 1
    return rows.iloc[0]


class TestUnknownColumnOfOneExport:
    """Hand-computed: Thủy Châu digitised 3 of 4 (CHAU-3 not), Thủy Tân unknown for its 3."""

    def test_unit_that_lost_the_column_is_empty_with_unknown_counted(self, two_exports):
        row = _row(two_exports, "x-thuy-tan", "digitised_input_rate")
        assert (row["numerator"], row["denominator"], row["unknown"]) == (0, 0, 3)
        assert math.isnan(row["value"]) and row["coverage"] == 0.0
        assert pd.isna(row["meets_target"])

    def test_unit_with_the_column_is_unchanged(self, two_exports):
        row = _row(two_exports, "p-thuy-chau", "digitised_input_rate")
        assert (row["numerator"], row["denominator"], row["unknown"], row["value"], row["coverage"]) == (3, 4, 0, 75.0, 100.0)

    def test_total_counts_only_known_dossiers(self, two_exports):
        row = _row(two_exports, "ALL", "digitised_input_rate")
        assert (row["numerator"], row["denominator"], row["unknown"], row["value"]) == (3, 4, 3, 75.0)
        assert row["coverage"] == pytest.approx(57.1429)  # 100 × 4 / 7

    def test_apology_only_on_known_facts(self, two_exports):
        # One late dossier each: Thủy Châu's has a slip, Thủy Tân's is unknown.
        assert (_row(two_exports, "ALL", "apology_rate")[["numerator", "denominator", "unknown", "value"]].tolist()
                == [1, 1, 1, 100.0])
        assert math.isnan(_row(two_exports, "x-thuy-tan", "apology_rate")["value"])
        q = two_exports.quality
        late = q[(q["check"] == "late_without_apology") & (q["unit_code"] == "ALL")]["count"].tolist()
        assert late == [0]  # unknown is not "no": Thủy Tân is not blamed
        unknown = q[q["check"] == "unknown:apology_issued"].set_index("unit_code")["count"].to_dict()
        assert unknown == {"ALL": 3, "x-thuy-tan": 3}

    def test_column_present_facts_keep_their_rates(self, two_exports):
        # digitised_result is in both exports: Châu 3/4 (CHAU-2 no), Tân 1/3.
        assert _row(two_exports, "ALL", "digitised_result_rate")[["numerator", "denominator", "unknown"]].tolist() == [4, 7, 0]

    def test_indicators_csv_column_order(self, two_exports):
        cols = list(two_exports.indicators.columns)
        assert cols[cols.index("denominator") + 1: cols.index("denominator") + 3] == ["unknown", "coverage"]


# --- hypothesis: dropping a yes/no column from one export ----------------------------------------

FACT_OF = {
    "digitised_input_rate": "digitised_input",
    "reuse_rate": "reused_data",
    "apology_rate": "apology_issued",
    "digitised_result_rate": "digitised_result",
}
_DOSSIER = st.fixed_dictionaries({
    "unit_code": st.sampled_from(["p-thuy-chau", "x-thuy-tan", "p-phu-bai"]),
    "late": st.booleans(),
    "digitised_input": st.booleans(),
    "digitised_result": st.booleans(),
    "reused_data": st.booleans(),
    "apology_issued": st.booleans(),
})


def _frame(rows: list[dict]) -> pd.DataFrame:
    return make_dossiers(*[
        dict(dossier_id=f"D{i}", unit_code=r["unit_code"], reception_code=r["unit_code"], level="xa",
             received_at="2024-01-10 08:00", due_at="2024-01-15 17:00",
             finished_at="2024-01-20 10:00" if r["late"] else "2024-01-12 10:00", status=10,
             digitised_input=r["digitised_input"], digitised_result=r["digitised_result"],
             reused_data=r["reused_data"], apology_issued=r["apology_issued"])
        for i, r in enumerate(rows)
    ])


class _Processed:
    def __init__(self, dossiers):
        self.dossiers, self.pakn, self.edocs = dossiers, None, None
        self.quarantine = self.reconciliation = None
        self.meta = {}


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    ind = build_quarter(_Processed(frame), "2024Q1").indicators
    ind = ind[(ind["field"] == "ALL") & ind["indicator"].isin(list(FACT_OF))]
    return ind.set_index(["unit_code", "indicator"])


class TestDroppingAColumnFromOneExport:
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=st.lists(_DOSSIER, min_size=1, max_size=12), lost=st.sampled_from(["p-thuy-chau", "x-thuy-tan", "p-phu-bai"]),
           indicator=st.sampled_from(sorted(FACT_OF)))
    def test_other_units_unchanged_and_lost_unit_never_zero(self, rows, lost, indicator):
        fact = FACT_OF[indicator]
        before = _values(_frame(rows))
        frame = _frame(rows)
        frame[fact] = frame[fact].mask(frame["unit_code"] == lost)  # that export lacks the column
        after = _values(frame)
        others = [u for u in ("p-thuy-chau", "x-thuy-tan", "p-phu-bai") if u != lost]
        for unit in others:
            b, a = before.loc[(unit, indicator)], after.loc[(unit, indicator)]
            assert (b["numerator"], b["denominator"]) == (a["numerator"], a["denominator"])
            assert (math.isnan(b["value"]) and math.isnan(a["value"])) or b["value"] == a["value"]
        lost_row = after.loc[(lost, indicator)]
        assert math.isnan(lost_row["value"])  # never 0 %: nothing is known
        assert lost_row["unknown"] == before.loc[(lost, indicator)]["denominator"]


# --- an empty period ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    clean(_two_exports(root / "raw"), root / "processed")
    return root / "processed"


class TestEmptyQuarterIsRefused:
    def test_exit_1_one_line_and_nothing_written(self, small_processed, tmp_path, capsys):
        out = tmp_path / "out"
        code = cli.main(["indicators", "--processed", str(small_processed), "--out", str(out), "--quarter", "2022Q1"])
        err = capsys.readouterr().err.strip()
        assert code == 1
        assert not out.exists()
        assert len(err.splitlines()) == 1
        assert "kỳ 2022Q1 (01/01/2022–31/03/2022) không có hồ sơ nào" in err
        assert "từ 15/01/2024 đến 15/01/2024" in err

    def test_a_quarter_with_data_is_written(self, small_processed, tmp_path):
        assert cli.main(["indicators", "--processed", str(small_processed), "--out", str(tmp_path), "--quarter", "2024Q1"]) == 0
        assert (tmp_path / "2024Q1" / "indicators.csv").exists()


# --- the raw folder -------------------------------------------------------------------------------


def _sample_folder(folder: Path) -> Path:
    write_csv(folder / "2024Q1_sample_chau.csv", [VI_HEADER, vi_row("SAMPLE-1")])
    (folder / config.SYNTHETIC_MARKER).write_text(json.dumps({"generator": "test"}), encoding="utf-8")
    return folder


class TestSampleNeverMixes:
    def test_sample_left_out_beside_real_exports(self, tmp_path):
        raw = tmp_path / "raw"
        _sample_folder(raw / "sample")
        write_csv(raw / "mine" / "real.csv", [VI_HEADER, vi_row("REAL-1"), vi_row("REAL-2", n=2)])
        result = clean(raw, tmp_path / "p")
        assert sorted(result.dossiers["dossier_id"]) == ["REAL-1", "REAL-2"]
        assert result.meta["synthetic"] is False
        assert result.meta["sample_left_out"] == ["sample"]
        assert list(result.meta["files"]) == ["mine/real.csv"]
        lines = [line for line in result.summary().splitlines() if "bỏ qua bộ dữ liệu mẫu" in line]
        assert lines == ["bỏ qua bộ dữ liệu mẫu tổng hợp sample/ (thư mục có cả tệp xuất thật; không trộn mẫu với dữ liệu thật)"]

    def test_synthetic_exactly_when_every_file_is_sample(self, tmp_path):
        raw = tmp_path / "raw"
        _sample_folder(raw / "sample")
        result = clean(raw, tmp_path / "p")
        assert result.meta["synthetic"] is True and result.meta["sample_left_out"] == []
        assert sorted(result.dossiers["dossier_id"]) == ["SAMPLE-1"]

    def test_real_folder_alone_is_not_synthetic(self, tmp_path):
        raw = tmp_path / "mine"
        write_csv(raw / "real.csv", [VI_HEADER, vi_row("REAL-1")])
        assert clean(raw, tmp_path / "p").meta["synthetic"] is False


class TestRawDirForAnyFolder:
    def test_cchc_raw_dir_is_the_default_raw_folder(self, tmp_path):
        raw = tmp_path / "mine"  # no sample/ inside: it used to fail with "raw folder sample/"
        write_csv(raw / "real.csv", [VI_HEADER, vi_row("REAL-1")])
        env = {**os.environ, "CCHC_RAW_DIR": str(raw)}
        done = subprocess.run(
            [sys.executable, "-m", "cchc_analysis.cli", "clean", "--processed", str(tmp_path / "p")],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        assert done.returncode == 0, done.stderr
        meta = json.loads((tmp_path / "p" / "clean_meta.json").read_text(encoding="utf-8"))
        assert list(meta["files"]) == ["real.csv"] and meta["synthetic"] is False

    def test_run_and_clean_default_to_cchc_raw_dir(self, tmp_path):
        # `CCHC_RAW_DIR=data/raw/mine cchc run` used to look for data/raw/mine/sample/.
        env = {**os.environ, "CCHC_RAW_DIR": str(tmp_path / "mine")}
        code = ("from cchc_analysis import cli, config, clean; import argparse; p = argparse.ArgumentParser(); "
                "clean.add_arguments(p); print(cli.COMMON_FOLDERS['raw'][0], p.parse_args([]).raw, config.SAMPLE_DIR.name)")
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
        mine = str(tmp_path / "mine")
        assert done.stdout.split() == [mine, mine, "sample"]

    def test_default_is_the_sample_without_the_variable(self):
        env = {k: v for k, v in os.environ.items() if k != "CCHC_RAW_DIR"}
        done = subprocess.run([sys.executable, "-c", "from cchc_analysis import config; print(config.DEFAULT_RAW_DIR == config.SAMPLE_DIR)"],
                              env=env, capture_output=True, text=True, timeout=120, check=True)
        assert done.stdout.strip() == "True"


class TestBlankYesNoCell:
    """A blank yes/no cell is unknown where the file spells "no" out, "no" under x/blank."""

    @pytest.fixture(scope="class")
    def dossiers(self, tmp_path_factory):
        raw = tmp_path_factory.mktemp("blank") / "raw"
        spelled = [vi_row("SP-1", n=1, flags=("Có", "x", "", "Không", "", "")),
                   vi_row("SP-2", n=2, flags=("Không", "x", "", "Không", "", "")),
                   vi_row("SP-3", n=3, flags=("", "x", "", "Không", "", ""))]
        marked = [vi_row("XB-1", n=1, reception="UBND xã Thủy Tân", flags=("x", "x", "", "Không", "", "")),
                  vi_row("XB-2", n=2, reception="UBND xã Thủy Tân", flags=("", "x", "", "Không", "", ""))]
        write_csv(raw / "spelled.csv", [VI_HEADER, *spelled])
        write_csv(raw / "marked.csv", [VI_HEADER, *marked])
        clean(raw, raw.parent / "processed")
        frame = load_processed(raw.parent / "processed").dossiers.set_index("dossier_id")
        return frame["digitised_input"].astype(object).where(frame["digitised_input"].notna(), None).to_dict()

    def test_blank_is_unknown_in_a_file_that_spells_no(self, dossiers):
        assert (dossiers["SP-1"], dossiers["SP-2"], dossiers["SP-3"]) == (True, False, None)

    def test_blank_is_no_under_the_x_blank_convention(self, dossiers):
        assert (dossiers["XB-1"], dossiers["XB-2"]) == (True, False)
