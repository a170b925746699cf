"""Tests of the procedure catalogue and the synthetic sample (issue 2, §2-§3)."""

from __future__ import annotations

import argparse
import json
import re
import unicodedata

import pandas as pd
import pytest

from cchc_analysis import config, refdata, schema
from cchc_analysis.sample import (
    add_arguments, generate, ground_truth, render, spec, write_sample, writers,
)

SAMPLE = config.SAMPLE_DIR


@pytest.fixture(scope="module")
def result():
    return generate(0)


@pytest.fixture(scope="module")
def dossiers(result):
    return result.truth.dossiers


def _cells(result, suffix=""):
    """Every cell of every generated dossier file (in memory), as strings."""
    out = []
    for name, raw in result.files.items():
        if raw.kind == "dossiers" and name.endswith(suffix):
            out.extend(str(v) for line in raw.lines for v in line if v is not None)
    return out


class TestLoadCatalogue:
    def test_loads_through_refdata(self):
        assert list(refdata.load_catalogue().columns) == refdata.CATALOGUE_COLUMNS

    def test_has_at_least_30_procedures_in_8_fields(self):
        cat = refdata.load_catalogue()
        assert len(cat) >= 30 and cat["field"].nunique() >= 8

    def test_codes_keep_national_format(self):
        assert refdata.load_catalogue()["procedure_code"].str.fullmatch(r"\d\.\d{6}").all()

    def test_land_registration_is_decided_by_the_branch(self):
        cat = refdata.load_catalogue()
        land = cat[cat["level"] == "tinh"]
        assert set(land["authority_code"]) == {spec.LAND}

    def test_birth_registration_is_same_day(self):
        cat = refdata.load_catalogue().set_index("procedure_code")
        assert cat.loc["1.001193", "statutory_days"] == 0

    def test_every_procedure_is_one_stop(self):
        assert refdata.load_catalogue()["one_stop"].all()


class TestGroundTruth:
    def test_dossiers_have_canonical_dtypes(self):
        d = ground_truth(0).dossiers
        assert d.dtypes.astype(str).to_dict() == schema.DOSSIER_COLUMNS

    def test_dossier_ids_are_unique(self, dossiers):
        assert dossiers["dossier_id"].is_unique

    def test_returns_independent_copies(self):
        copy = ground_truth(0).dossiers
        copy.loc[0, "dossier_id"] = "changed"
        assert ground_truth(0).dossiers.loc[0, "dossier_id"] != "changed"

    def test_received_per_quarter_between_3000_and_6000(self, dossiers):
        per_q = dossiers.groupby(dossiers["received_at"].dt.to_period("Q")).size()
        assert len(per_q) == 15 and per_q.between(3000, 6000).all()

    def test_no_town_level_from_2025q3(self, dossiers):
        late = dossiers[dossiers["received_at"] >= "2025-07-01"]
        assert set(late["unit_code"]) == {*spec.NEW_WARDS, spec.LAND}
        assert set(late["reception_code"]) == set(spec.NEW_WARDS)

    def test_old_units_until_2025q2(self, dossiers):
        early = dossiers[dossiers["received_at"] < "2025-07-01"]
        assert set(early["unit_code"]) == {spec.TOWN, spec.LAND, *spec.OLD_UNITS}

    def test_some_procedures_not_in_catalogue_are_kept(self, dossiers):
        assert 0 < (~dossiers["in_catalogue"]).mean() < 0.03

    def test_pakn_and_edocs_have_canonical_columns(self):
        t = ground_truth(0)
        assert list(t.pakn.columns) == list(schema.PAKN_COLUMNS)
        assert list(t.edocs.columns) == list(schema.EDOC_COLUMNS)


class TestTuning2024Q1:
    """On-time rate = (early + on time) / resolved in 2024-01-01..2024-03-31 (DESIGN §7)."""

    @staticmethod
    def rate(d: pd.DataFrame, mask: pd.Series) -> float:
        finished = d["finished_at"].dt.floor("D")
        due = d["due_at"].dt.floor("D")
        resolved = (d["status"].isin([7, 8, 9, 10]) & (finished >= pd.Timestamp("2024-01-01"))
                    & (finished <= pd.Timestamp("2024-03-31")) & mask)
        on_time = resolved & (due.isna() | (finished <= due))
        return 100 * on_time.sum() / resolved.sum()

    def test_town_authority_near_97_5(self, dossiers):
        assert abs(self.rate(dossiers, dossiers["unit_code"] == "tx-huong-thuy") - 97.5) <= 0.3

    def test_town_centre_reception_near_94_5(self, dossiers):
        mask = dossiers["reception_code"] == "hcc-huong-thuy"
        assert abs(self.rate(dossiers, mask) - 94.5) <= 0.3

    def test_commune_level_near_98_8(self, dossiers):
        assert abs(self.rate(dossiers, dossiers["level"] == "xa") - 98.8) <= 0.3


class TestTrends:
    @staticmethod
    def yearly(d: pd.DataFrame, values: pd.Series) -> list[float]:
        return values.groupby(d["received_at"].dt.year).mean().tolist()

    def test_online_share_rises_every_year(self, dossiers):
        shares = self.yearly(dossiers, dossiers["channel"] == "truc_tuyen")
        assert shares == sorted(shares) and shares[-1] > shares[0] + 0.2

    def test_digitised_input_rises_2023_to_2025(self, dossiers):
        listed = dossiers[dossiers["digitised_input"].notna()]
        rates = self.yearly(listed, listed["digitised_input"].astype(bool))
        assert rates[0] < rates[1] < rates[2]


class TestReconciliation:
    def test_rows_read_equal_clean_plus_quarantined_plus_duplicates(self, result):
        r = result.truth.reconciliation
        assert (r["rows_read"] == r["clean"] + r["quarantined"] + r["duplicates_merged"]).all()

    def test_clean_rows_add_up_to_the_truth(self, result):
        r = result.truth.reconciliation
        assert r.loc[r["kind"] == "dossiers", "clean"].sum() == len(result.truth.dossiers)

    def test_every_dossier_file_has_bad_rows(self, result):
        bad = result.truth.bad_rows
        files = [n for n, raw in result.files.items() if raw.kind == "dossiers"]
        assert bad.groupby("source_file").size().reindex(files).ge(2).all()

    def test_all_four_bad_row_reasons_occur(self, result):
        assert set(result.truth.bad_rows["reason"]) == set(render.BAD_REASONS)

    def test_re_exported_dossier_keeps_its_finished_state(self, result, dossiers):
        r = result.truth.reconciliation
        assert r["duplicates_merged"].sum() > 0
        winners = dossiers[dossiers["source_file"].str[:6]
                           != dossiers["received_at"].dt.to_period("Q").astype(str)]
        assert winners["status"].isin([7, 8, 9, 10]).all()


class TestPersonalValues:
    def test_phones_look_like_mobile_numbers(self, result):
        phones = [v for v in result.personal_values if re.fullmatch(r"09\d{8}", v)]
        assert len(phones) > 10_000

    def test_no_personal_value_in_the_truth(self, result, dossiers):
        text = set(dossiers.select_dtypes("str").stack())
        assert not (text & result.personal_values)


class TestMessyVariants:
    def test_title_and_footer_lines(self, result):
        raw = result.files["2024Q1_ho_so_tx_huong_thuy.xlsx"]
        assert raw.lines[0] == ["UBND THỊ XÃ HƯƠNG THỦY"]
        assert raw.lines[2] == ["Từ ngày 01/01/2024 đến ngày 31/03/2024"]
        assert raw.lines[-2][0].startswith("Tổng cộng:") and raw.lines[-1][0] == "Người lập biểu"

    def test_nfd_and_old_tone_placement(self, result):
        cells = _cells(result)
        assert any(unicodedata.normalize("NFC", c) != c for c in cells)
        assert any("Thuỷ" in c for c in cells) and any("Hoà" in c for c in cells)

    def test_unit_name_spellings(self, result):
        cells = set(_cells(result))
        for name in ["UBND phường Thủy Châu", "P. Thủy Châu", "PHƯỜNG THỦY CHÂU",
                     "TT HCC thị xã Hương Thủy", "UBND  phường  Thủy Châu "]:
            assert name in cells, name

    def test_status_texts(self, result):
        cells = set(_cells(result))
        missing = [t for texts in spec.STATUS_TEXT.values() for t in texts if t not in cells]
        assert not missing

    def test_channel_spellings(self, result):
        cells = set(_cells(result))
        assert {"Trực tiếp", "Trực tuyến", "Bưu chính công ích", "Qua bưu chính"} <= cells

    def test_header_variants(self, result):
        headers = {h for raw in result.files.values() for h in raw.lines[raw.header_row - 1]}
        wanted = {h for options in spec.HEADER_VARIANTS.values() for h in options}
        assert wanted | {"MaHoSo", "KenhThucHien", "TrangThaiHoSo"} <= headers

    def test_date_spellings(self, result):
        values = [v for raw in result.files.values() if raw.kind == "dossiers"
                  for line in raw.lines[raw.header_row:] for v in line[9:13]]
        kinds = {type(v).__name__ for v in values}
        text = [v for v in values if isinstance(v, str)]
        patterns = [r"\d\d/\d\d/\d{4}", r"\d\d/\d\d/\d{4} \d\d:\d\d", r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d",
                    r"\d{4}-\d\d-\d\d", r"\d{14}"]
        assert {"Timestamp", "float"} <= kinds
        assert all(any(re.fullmatch(p, v) for v in text) for p in patterns)

    def test_yes_no_spellings(self, result):
        raw = result.files
        seen = {type(v).__name__ + ":" + str(v) for r in raw.values() if r.fmt != "csv"
                for line in r.lines for v in line[-13:-7]}
        assert {"str:Có", "str:Không", "str:x", "int:1", "int:0", "bool:True"} <= seen

    def test_csv_encodings_and_delimiters(self):
        heads = {p.name: p.read_bytes()[:40] for p in SAMPLE.glob("*.csv")}
        assert sum(h.startswith(b"\xef\xbb\xbf") for h in heads.values()) >= 1
        assert sum(h.startswith(b"\xff\xfe") for h in heads.values()) == 1
        assert any(b";" in h for h in heads.values()) and any(b"MaHoSo," in h for h in heads.values())

    def test_a_legacy_xls_file(self):
        assert list(SAMPLE.glob("*.xls"))

    def test_each_quarter_has_a_sync_csv_pakn_and_edocs(self):
        names = {p.name for p in SAMPLE.iterdir()}
        for q in spec.QUARTERS:
            assert {f"{q}_ho_so_xa_dongbo.csv", f"{q}_pakn.xlsx", f"{q}_van_ban_dien_tu.xlsx"} <= names


class TestWriteSample:
    SUBSET = ["2024Q1_ho_so_xa_dongbo.csv", "2024Q1_pakn.xlsx", "2024Q1_van_ban_dien_tu.xlsx"]

    def test_same_seed_gives_the_committed_bytes(self, tmp_path):
        write_sample(tmp_path, seed=0, only=self.SUBSET)
        for name in self.SUBSET:
            assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name

    def test_writes_the_synthetic_marker(self, tmp_path):
        write_sample(tmp_path, seed=0, only=[])
        marker = json.loads((tmp_path / config.SYNTHETIC_MARKER).read_text(encoding="utf-8"))
        assert marker["synthetic"] and marker["seed"] == 0
        assert marker["note"].startswith("Dữ liệu mô phỏng")

    def test_committed_sample_is_under_15_mb(self):
        assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 15 * 2**20

    def test_xlsx_bytes_do_not_depend_on_the_clock(self, tmp_path, result):
        raw = result.files["2024Q1_pakn.xlsx"]
        writers.write_xlsx(raw, tmp_path / "a.xlsx")
        writers.write_xlsx(raw, tmp_path / "b.xlsx")
        assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


class TestAddArguments:
    def test_defaults(self):
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        args = parser.parse_args([])
        assert args.out is None and args.seed == 0

    def test_seed_and_out(self):
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        args = parser.parse_args(["--seed", "3", "--out", "x"])
        assert args.seed == 3 and str(args.out) == "x"
