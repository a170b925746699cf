"""``cchc indicators`` writes the whole period folder: tables, score files and the report pack
(``indicators.write_period``), on the cleaned sample."""

from __future__ import annotations

import json

import docx
import pandas as pd
import pytest

from cchc_analysis import cli, score

SCORE_FILES = [*score.FILES.values(), "score_meta.json"]


@pytest.fixture(scope="module")
def folder(indicators_sample_outputs):
    return indicators_sample_outputs / "2024Q1"


class TestWritePeriod:
    @pytest.mark.parametrize("name", SCORE_FILES + ["bao_cao_2024Q1.docx", "chi_so_2024Q1.xlsx", "form06.xlsx"])
    def test_writes_every_file_of_the_period(self, folder, name):
        assert (folder / name).stat().st_size > 0

    def test_the_word_draft_opens_and_names_the_period(self, folder):
        text = "\n".join(p.text for p in docx.Document(str(folder / "bao_cao_2024Q1.docx")).paragraphs)
        assert "quý I năm 2024" in text

    def test_item_2_1_for_the_area_is_on_time_rate_766(self, folder):
        items = pd.read_csv(folder / "score766.csv", dtype={"item": str})
        rates = pd.read_csv(folder / "indicators.csv")
        item = items[(items["unit_code"] == "ALL") & (items["item"] == "2.1")].iloc[0]
        rate = rates[(rates["unit_code"] == "ALL") & (rates["field"] == "ALL")
                     & (rates["indicator"] == "on_time_rate_766")].iloc[0]
        # indicators.csv keeps 4 decimals; the points are 20 x the ratio, to 2 decimals
        assert (item["numerator"], item["denominator"], item["ratio"], item["points"]) == (
            rate["numerator"], rate["denominator"], pytest.approx(rate["value"], abs=5e-5),
            pytest.approx(round(20 * rate["value"] / 100, 2), abs=1e-9))

    def test_the_default_as_of_is_the_last_day_in_the_data(self, folder):
        meta = json.loads((folder / "score_meta.json").read_text(encoding="utf-8"))
        assert (meta["period_start"], meta["period_end"], meta["as_of_default"]) == ("2024-01-01", "2024-03-31", True)

    def test_the_workbook_carries_the_watch_list_sheet(self, folder):
        from python_calamine import CalamineWorkbook

        names = CalamineWorkbook.from_path(str(folder / "chi_so_2024Q1.xlsx")).sheet_names
        assert any("theo dõi" in n.lower() for n in names), names


class TestAsOfOption:
    @pytest.fixture(scope="class")
    def mid_period(self, processed_sample_dir, tmp_path_factory):
        out = tmp_path_factory.mktemp("as_of")
        code = cli.main(["indicators", "--quarter", "2024Q1", "--processed", str(processed_sample_dir),
                         "--out", str(out), "--as-of", "2024-03-15"])
        assert code == 0
        return out / "2024Q1"

    def test_a_day_inside_the_period_lists_dossiers(self, mid_period, folder):
        default = pd.read_csv(folder / "watchlist.csv")
        watch = pd.read_csv(mid_period / "watchlist.csv")
        assert (len(default), len(watch) > 0, set(watch["state"]) <= {"overdue", "due_soon"}) == (0, True, True)

    def test_the_day_is_recorded(self, mid_period):
        meta = json.loads((mid_period / "score_meta.json").read_text(encoding="utf-8"))
        assert (meta["as_of"], meta["as_of_default"]) == ("2024-03-15", False)

    def test_a_malformed_day_is_a_one_line_error(self, processed_sample_dir, tmp_path, capsys):
        code = cli.main(["indicators", "--quarter", "2024Q1", "--processed", str(processed_sample_dir),
                         "--out", str(tmp_path), "--as-of", "15/03/2024"])
        assert (code != 0, "YYYY-MM-DD" in capsys.readouterr().err) == (True, True)


class TestUnitPack:
    def test_notebook_03_writes_the_units_own_draft_with_its_watch_list(self, indicators_sample_outputs, tmp_path):
        import shutil

        from python_calamine import CalamineWorkbook

        from cchc_analysis import indicators
        from cchc_analysis import notebook_display as nd

        shutil.copytree(indicators_sample_outputs / "2024Q1", tmp_path / "2024Q1")
        meta = tmp_path / "2024Q1" / "score_meta.json"
        files = nd.write_unit_pack(indicators.read_quarter(tmp_path, "2024Q1"), tmp_path, "p-phu-bai")
        text = "\n".join(p.text for p in docx.Document(str(files["docx"])).paragraphs)  # header block: a table
        text += "\n".join(c.text for t in docx.Document(str(files["docx"])).tables[:1] for r in t.rows for c in r.cells)
        sheets = CalamineWorkbook.from_path(str(files["xlsx"])).sheet_names
        assert (files["docx"].name, files["xlsx"].name, "PHƯỜNG PHÚ BÀI" in text and "Ủy ban nhân dân phường Phú Bài báo cáo" in text, "Theo dõi" in sheets, meta.exists()) == (
            "bao_cao_2024Q1_p-phu-bai.docx", "chi_so_2024Q1_p-phu-bai.xlsx", True, True, True)


class TestIntegrityInQuality:
    def test_quality_csv_carries_every_integrity_row(self, folder):
        quality = pd.read_csv(folder / "quality.csv", keep_default_na=False)
        integrity = pd.read_csv(folder / "integrity.csv", keep_default_na=False)
        rows = quality[quality["check"].str.startswith("integrity:")].reset_index(drop=True)
        expected = integrity.assign(check="integrity:" + integrity["check"])
        assert len(integrity) > 0
        pd.testing.assert_frame_equal(rows, expected[["check", "unit_code", "count", "note"]])

    def test_read_quarter_reads_it_back(self, indicators_sample_outputs, folder):
        from cchc_analysis import indicators

        quality = indicators.read_quarter(indicators_sample_outputs, "2024Q1").quality
        integrity = pd.read_csv(folder / "integrity.csv")
        total = quality[(quality["check"] == "integrity:more_than_one_supplement") & (quality["unit_code"] == "ALL")]
        wanted = integrity[(integrity["check"] == "more_than_one_supplement") & (integrity["unit_code"] == "ALL")]
        assert total["count"].tolist() == wanted["count"].tolist()

    def test_the_workbook_lists_the_dossier_codes(self, folder):
        from python_calamine import CalamineWorkbook

        codes = pd.read_csv(folder / "integrity_dossiers.csv", dtype=str)
        rows = CalamineWorkbook.from_path(str(folder / "chi_so_2024Q1.xlsx")).get_sheet_by_name("Kiểm tra xác thực").to_python()
        assert ([r[0] for r in rows[1:]], [r[2] for r in rows[1:]]) == (codes["check"].tolist(), codes["dossier_id"].tolist())


class TestWithIntegrityChecks:
    def test_appends_prefixed_rows_once(self):
        from cchc_analysis.indicators.publish import with_integrity_checks
        from tests import report_fixtures

        tables = report_fixtures.q2024q1()
        before = len(tables.quality)
        checks = pd.DataFrame({"check": ["finished_outside_hours", "finished_outside_hours"],
                               "unit_code": ["ALL", "p-phu-bai"], "count": [3, 3], "note": ["ngoài giờ", "ngoài giờ"]})
        twice = with_integrity_checks(with_integrity_checks(tables, checks), checks)
        added = twice.quality.iloc[before:]
        assert (len(twice.quality), added["check"].tolist(), added["unit_code"].tolist(), added["count"].tolist()) == (
            before + 2, ["integrity:finished_outside_hours"] * 2, ["ALL", "p-phu-bai"], [3, 3])


class TestUnitReportLinks:
    def test_a_unit_pages_links_reach_its_own_files_and_the_index(self, indicators_sample_outputs, tmp_path):
        import os
        import shutil

        from python_calamine import CalamineWorkbook

        from cchc_analysis import indicators
        from cchc_analysis import notebook_display as nd
        from cchc_analysis import report_document as rd

        shutil.copytree(indicators_sample_outputs / "2024Q1", tmp_path / "2024Q1")
        tables = indicators.read_quarter(tmp_path, "2024Q1")
        files = nd.write_unit_pack(tables, tmp_path, "p-phu-bai")
        page_dir = tmp_path / "2024Q1" / "units"
        targets = [os.path.normpath(page_dir / href) for href, _ in rd.file_links(tables, "p-phu-bai")]
        assert targets == [str(tmp_path / "2024Q1" / "form06.xlsx"), str(files["xlsx"]), str(files["docx"]),
                           str(tmp_path / "index.html")]
        codes = pd.read_csv(tmp_path / "2024Q1" / "integrity_dossiers.csv", dtype=str)
        rows = CalamineWorkbook.from_path(str(files["xlsx"])).get_sheet_by_name("Kiểm tra xác thực").to_python()
        own = codes.loc[codes["unit_code"] == "p-phu-bai", "dossier_id"].tolist()
        assert ([r[2] for r in rows[1:]], len(own) > 0) == (own, True)
