"""Export text is data, never markup or a formula (issue 14, items 1 and 2).

Hostile field names reach the report HTML only as text, every CSV the suite writes carries them
with OWASP's leading quote (and reads them back unchanged), form06.xlsx holds them as strings.
The annex workbook and the Word draft are covered in test_pack_annex.py
(``test_export_text_stays_text``) and test_pack_word.py (``test_hostile_export_text_is_inserted_literally``).
"""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from python_calamine import CalamineWorkbook

from cchc_analysis import narrative, store
from cchc_analysis import notebook_display as nd
from cchc_analysis.html import notebook_to_html
from cchc_analysis.indicators.files import read_quarter, write_quarter
from cchc_analysis.safe_text import escape_markdown, neutralise_formula, neutralise_frame, restore_frame
from tests import report_fixtures

IMG = "<img src=x onerror=alert(1)>"
BOLD = "**bold**"
LINK = "[link](javascript:x)"
FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE = {"Đất đai": IMG, "Hộ tịch": BOLD, "Xây dựng": LINK}


def hostile_tables():
    """The 2024Q1 fixture with its three fields renamed to hostile export text."""
    tables = report_fixtures.q2024q1()
    for name in ("form06", "indicators", "below_target"):
        frame = getattr(tables, name)
        frame["field"] = frame["field"].replace(HOSTILE)
    return tables


class TestEscapeMarkdown:
    def test_html_is_escaped(self):
        assert escape_markdown(IMG) == "&lt;img src=x onerror=alert(1)&gt;"

    def test_markdown_specials_are_backslashed(self):
        assert escape_markdown(BOLD) == r"\*\*bold\*\*"
        assert escape_markdown(LINK) == r"\[link\](javascript:x)"
        assert escape_markdown("a_b `c` ![i](x) ~~s~~ |") == r"a\_b \`c\` \!\[i\](x) \~\~s\~\~ \|"

    def test_line_breaks_cannot_start_a_block(self):
        assert escape_markdown("Đất\n# đai") == r"Đất \# đai"

    def test_plain_vietnamese_unchanged(self):
        assert escape_markdown("Hộ tịch - Chứng thực (cấp xã)") == "Hộ tịch - Chứng thực (cấp xã)"


class TestNeutraliseFormula:
    @pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", FORMULA])
    def test_formula_starts_get_a_quote(self, text):
        assert neutralise_formula(text) == "'" + text

    @pytest.mark.parametrize("value", ["Đất đai", "a=b", "", -3, -2.5, None])
    def test_others_unchanged(self, value):
        assert neutralise_formula(value) == value


class TestNeutraliseFrame:
    def test_text_cells_only(self):
        frame = pd.DataFrame({"field": ["=1+1", "Hộ tịch", "-x", None], "n": [-1, 2, -3, 4],
                              "v": [-0.5, 1.0, float("nan"), 2.0]})
        out = neutralise_frame(frame)
        assert out["field"].tolist()[:3] == ["'=1+1", "Hộ tịch", "'-x"]
        assert pd.isna(out["field"].iloc[3])
        assert out["n"].tolist() == [-1, 2, -3, 4] and out["n"].dtype == frame["n"].dtype
        assert out["v"].iloc[0] == -0.5
        assert frame["field"].iloc[0] == "=1+1"  # the caller's frame is not changed

    def test_object_column_with_numbers(self):
        frame = pd.DataFrame({"x": pd.Series(["@a", -5, 3.5], dtype=object)})
        assert neutralise_frame(frame)["x"].tolist() == ["'@a", -5, 3.5]


class TestRestoreFrame:
    def test_round_trip(self):
        frame = pd.DataFrame({"field": pd.Series(["=1+1", "-x", "'quoted", "Hộ tịch", "@"], dtype="str")})
        assert restore_frame(neutralise_frame(frame))["field"].tolist() == frame["field"].tolist()


def _notebook_of_displays(monkeypatch, show) -> str:
    """Run ``show()`` collecting what it displays, put it in a notebook and export the HTML."""
    shown = []
    monkeypatch.setattr(nd, "display", lambda obj: shown.append(obj))
    show()
    outputs = []
    for obj in shown:
        if isinstance(obj, pd.DataFrame):
            data = {"text/html": obj._repr_html_(), "text/plain": repr(obj)}
        else:
            data = {"text/markdown": obj.data, "text/plain": obj.data}
        outputs.append(new_output("display_data", data=data))
    cell = new_code_cell("", outputs=outputs)
    return notebook_to_html(new_notebook(cells=[cell]))


def _no_live_markup(html: str) -> None:
    assert "<img src=x" not in html and "<img src=\"x\"" not in html
    assert "javascript:x\"" not in html and "href=\"javascript" not in html
    assert "<strong>bold</strong>" not in html and "<em>bold</em>" not in html


class TestHostileTextInReportHtml:
    def test_narrative_names_the_fields_literally(self, monkeypatch):
        tables = hostile_tables()
        markdown = narrative.report_markdown(tables)
        assert "&lt;img src=x onerror=alert(1)&gt;" in markdown and r"\*\*bold\*\*" in markdown
        html = _notebook_of_displays(monkeypatch, lambda: nd.show_markdown(markdown))
        _no_live_markup(html)
        text = re.sub(r"<[^>]+>", "", html)
        assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown as text to the reader
        assert "**bold**" in text and "[link](javascript:x)" in text

    def test_tables_and_captions(self, monkeypatch):
        tables = hostile_tables()
        html = _notebook_of_displays(monkeypatch, lambda: nd.show_quarter_tables(tables))
        _no_live_markup(html)
        assert "&lt;img src=x onerror=alert(1)&gt;" in html

    def test_caption_is_plain_text(self, monkeypatch):
        html = _notebook_of_displays(monkeypatch, lambda: nd.show_table(pd.DataFrame({"a": [1]}), IMG + BOLD))
        _no_live_markup(html)
        assert "&lt;img src=x onerror=alert(1)&gt;**bold**" in re.sub(r"<[^>]+>", "", html)


def _csv_cells(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


class TestHostileCellsInQuarterFiles:
    def test_csv_cells_quoted_and_read_back(self, tmp_path):
        tables = report_fixtures.q2024q1()
        for name in ("form06", "indicators", "below_target", "history"):
            frame = getattr(tables, name)
            frame["field"] = frame["field"].replace({"Đất đai": FORMULA, "Hộ tịch": "-Hộ tịch", "ALL": "ALL"})
        tables.quality.loc[0, "note"] = "@cmd"
        tables.ranking.loc[0, "unit_name"] = "+xã"
        folder = write_quarter(tables, tmp_path)
        for name in ("form06.csv", "indicators.csv", "below_target.csv"):
            cells = _csv_cells(folder / name)
            assert "'" + FORMULA in cells and "'-Hộ tịch" in cells and FORMULA not in cells, name
        assert "'@cmd" in _csv_cells(folder / "quality.csv")
        assert "'+xã" in _csv_cells(folder / "ranking.csv")
        # negative numbers stay numbers
        assert not any(re.match(r"'-?\d", c) for name in ("indicators.csv", "history.csv")
                       for c in _csv_cells(folder / name))
        back = read_quarter(tmp_path, "2024Q1")
        assert FORMULA in set(back.form06["field"]) and "-Hộ tịch" in set(back.indicators["field"])
        assert back.quality.loc[0, "note"] == "@cmd" and back.ranking.loc[0, "unit_name"] == "+xã"
        pd.testing.assert_frame_equal(back.form06, tables.form06, check_dtype=False)

    def test_form06_xlsx_cells_are_strings(self, tmp_path):
        tables = report_fixtures.q2024q1()
        tables.form06["field"] = tables.form06["field"].replace({"Đất đai": FORMULA, "Hộ tịch": "=1+1"})
        tables.form06["unit_code"] = tables.form06["unit_code"].replace({"tx-huong-thuy": "huyen", "p-thuy-chau": "xa"})
        folder = write_quarter(tables, tmp_path)
        rows = CalamineWorkbook.from_path(str(folder / "form06.xlsx")).get_sheet_by_index(0).to_python()
        labels = {r[1] for r in rows}
        assert {FORMULA, "=1+1"} <= labels
        with zipfile.ZipFile(folder / "form06.xlsx") as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            assert not any("<f>" in z.read(n).decode() for n in sheets)
            assert not any(n.startswith("xl/worksheets/_rels") for n in z.namelist())


class TestHostileCellsInProcessedAndScoreFiles:
    def test_quarantine_and_reconciliation(self, tmp_path):
        empty = pd.DataFrame({"x": pd.Series([], dtype="int64")})
        quarantine = pd.DataFrame({"source_file": ["=evil.csv"], "source_row": [3], "reason": ["bad_date"],
                                   "detail": ["-cell"]})
        recon = pd.DataFrame({"source_file": ["=evil.csv"], "kind": ["dossiers"], "rows_read": [5], "delta": [-1]})
        tables = store.ProcessedTables(dossiers=empty, pakn=empty, edocs=empty, quarantine=quarantine,
                                       reconciliation=recon, meta={})
        store.write_processed(tables, tmp_path / "p")
        assert _csv_cells(tmp_path / "p" / "quarantine.csv")[4:] == ["'=evil.csv", "3", "bad_date", "'-cell"]
        assert _csv_cells(tmp_path / "p" / "reconciliation.csv")[4:] == ["'=evil.csv", "dossiers", "5", "-1"]

    def test_score_csvs(self, tmp_path, monkeypatch):
        from cchc_analysis.score import report

        frames = {key: pd.DataFrame({"dossier_id": ["=1+1"], "days": [-2]}) for key in report.FILES}
        fake = report.ScoreTables(date(2024, 1, 1), date(2024, 3, 31), None, "", True, frames)
        monkeypatch.setattr(report, "build_score_tables", lambda *a, **k: fake)
        report.write_score_files(pd.DataFrame(), date(2024, 1, 1), date(2024, 3, 31), tmp_path)
        for name in report.FILES.values():
            assert _csv_cells(tmp_path / name) == ["dossier_id", "days", "'=1+1", "-2"], name


class TestHostileExportEndToEnd:
    """`cchc clean` + `cchc indicators` on a raw export whose "Lĩnh vực" is hostile, then the
    narrative and the tables through the nbconvert exporter, and the written files."""

    def test_from_raw_export_to_report_html(self, tmp_path, monkeypatch):
        from cchc_analysis import cli
        from tests.fixtures_raw import VI_HEADER, vi_row, write_csv

        rows = [VI_HEADER]
        for k, name in enumerate([IMG, BOLD, FORMULA, IMG]):
            row = vi_row(f"000.00.20.H57-240115-000{k + 1}", n=k + 1, finished="25/01/2024 10:00",
                         returned="26/01/2024")  # late: the narrative names the field
            row[4] = name
            rows.append(row)
        write_csv(tmp_path / "raw" / "a.csv", rows)
        assert cli.main(["clean", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "p")]) == 0
        assert cli.main(["indicators", "--quarter", "2024Q1", "--processed", str(tmp_path / "p"),
                         "--out", str(tmp_path / "o")]) == 0
        tables = read_quarter(tmp_path / "o", "2024Q1")
        assert {IMG, BOLD, FORMULA} <= set(tables.form06["field"])  # read back exactly

        def show():
            nd.show_markdown(narrative.report_markdown(tables))
            nd.show_quarter_tables(tables)

        html = _notebook_of_displays(monkeypatch, show)
        _no_live_markup(html)
        text = re.sub(r"<[^>]+>", "", html)
        assert "lĩnh vực &lt;img src=x onerror=alert(1)&gt; (2 hồ sơ), **bold** (1 hồ sơ)" in text

        folder = tmp_path / "o" / "2024Q1"
        assert "'" + FORMULA in _csv_cells(folder / "form06.csv") and FORMULA not in _csv_cells(folder / "form06.csv")
        with zipfile.ZipFile(folder / "form06.xlsx") as z:
            assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
