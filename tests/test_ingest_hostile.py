"""Hostile cells and odd files (issue 14): inexact numeric ids, personal values in messages,
implausible dates, Excel error cells, hidden sheets, oversized cells and sheets, odd formats,
mixed encodings, symlinks."""


import pandas as pd
import pytest

from cchc_analysis import clean as C
from cchc_analysis import errors as E
from cchc_analysis.errors import InputError
from tests.fixtures_raw import VI_HEADER, csv_bytes, vi_row, write_csv, write_xlsx

CAT = pd.DataFrame(
    {"procedure_code": ["001"], "procedure_name": ["Chứng thực bản sao"], "field": ["Chứng thực"],
     "level": ["xa"], "authority_code": [""], "statutory_days": [0], "one_stop": [True],
     "online_level": ["mot_phan"], "has_fee": [True], "paper_result": [True]}
)


def clean(raw, tmp_path):
    return C.clean(raw, tmp_path / "processed", catalogue=CAT)


def reconciles(result) -> bool:
    r = result.reconciliation
    return bool((r["rows_read"] == r["clean"] + r["quarantined"] + r["duplicates_merged"]).all())


class TestIdsTypedAsNumbers:
    """Item 3: an id Excel turned into a number is quarantined, never merged."""

    def test_seventeen_digit_ids_in_a_workbook_are_quarantined_not_merged(self, tmp_path):
        # Ten distinct 17-digit ids typed as numbers: Excel keeps 15-16 significant digits, so
        # the file holds only two distinct values.
        ids = [12345678901234560 + k for k in range(10)]
        rows = [VI_HEADER] + [[*vi_row(n=k + 1)[:1], float(i), *vi_row(n=k + 1)[2:]] for k, i in enumerate(ids)]
        write_xlsx(tmp_path / "raw" / "a.xlsx", rows)
        result = clean(tmp_path / "raw", tmp_path)
        recon = result.reconciliation.iloc[0]
        assert (recon["rows_read"], recon["clean"], recon["quarantined"], recon["duplicates_merged"]) == (10, 0, 10, 0)
        assert set(result.quarantine["reason"]) == {"id_as_number"}
        assert result.quarantine["message"].str.contains("mã hồ sơ bị Excel đổi thành số").all()

    def test_exponent_id_in_a_csv_is_quarantined(self, tmp_path):
        rows = [VI_HEADER, vi_row("1.23E+15", n=1), vi_row("1.23E+15", n=2), vi_row("A-3", n=3)]
        write_csv(tmp_path / "raw" / "a.csv", rows)
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine["reason"].tolist() == ["id_as_number", "id_as_number"]
        assert result.reconciliation["duplicates_merged"].tolist() == [0]
        assert result.dossiers["dossier_id"].tolist() == ["A-3"]

    def test_fifteen_digit_whole_number_becomes_its_digits(self, tmp_path):
        rows = [VI_HEADER, [*vi_row(n=1)[:1], 123456789012345.0, *vi_row(n=1)[2:]]]
        write_xlsx(tmp_path / "raw" / "a.xlsx", rows)
        result = clean(tmp_path / "raw", tmp_path)
        assert result.dossiers["dossier_id"].tolist() == ["123456789012345"]


class TestRedacted:
    """Item 6: messages never echo a value that looks personal."""

    def test_phone_id_number_and_email_are_withheld(self):
        got = E.redacted(pd.Series(["Lê Văn Dũng - 0911222333", "046123456789", "a.b@mail.vn", "phường Atlantis", "0987-06-05"]))
        assert got.tolist()[:3] == ["(value withheld: looks like a phone, ID number or e-mail)"] * 3
        assert got.tolist()[3:] == ["phường Atlantis", "0987-06-05"]

    def test_authority_with_name_and_phone_is_not_in_quarantine(self, tmp_path):
        rows = [VI_HEADER, vi_row("A-1", authority="Lê Văn Dũng - 0911222333")]
        write_csv(tmp_path / "raw" / "a.csv", rows)
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine["reason"].tolist() == ["unknown_unit"]
        message = result.quarantine["message"].iloc[0]
        assert "authority" in message and "not a known unit" in message
        assert "Dũng" not in message and "0911222333" not in message
        written = (tmp_path / "processed" / "quarantine.csv").read_text(encoding="utf-8")
        assert "Dũng" not in written and "0911222333" not in written

    def test_error_line_withholds_a_phone_number(self):
        assert str(InputError("a.csv", "bad value 0911 222 333\nsecond line")) == "a.csv: bad value <withheld> second line"


class TestPlausibleWindow:
    """Item 7: dates outside the window of reference data are quarantined."""

    def test_phone_number_read_as_a_date_and_1900_and_2099_are_quarantined(self, tmp_path):
        rows = [VI_HEADER, vi_row("A-1", received="0987-06-05", finished="", returned=""),
                vi_row("A-2", n=2, received="01/01/1900", finished="", returned=""),
                vi_row("A-3", n=3, due="01/01/2099"), vi_row("A-4", n=4)]
        write_csv(tmp_path / "raw" / "a.csv", rows)
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine["reason"].tolist() == ["implausible_date"] * 3
        assert result.quarantine["message"].iloc[0].startswith("column received_at (Ngày tiếp nhận): the date 05/06/0987 is outside the plausible window 01/01/2015-")
        assert "column due_at (Ngày hẹn trả): the date 01/01/2099" in result.quarantine["message"].iloc[2]
        assert result.dossiers["dossier_id"].tolist() == ["A-4"]

    def test_the_window_comes_from_reference_data(self, tmp_path, monkeypatch):
        reference = tmp_path / "reference"
        reference.mkdir()
        (reference / "plausible_dates.yaml").write_text("earliest: 2024-01-10\nyears_after_today: 1\n", encoding="utf-8")
        monkeypatch.setattr("cchc_analysis.config.USER_REFERENCE_DIR", reference)
        from cchc_analysis.ingest.checks import plausible_window

        earliest, latest = plausible_window(pd.Timestamp("2026-03-01").date())
        assert (earliest, latest) == (pd.Timestamp("2024-01-10"), pd.Timestamp("2027-03-01"))
        write_csv(tmp_path / "raw" / "a.csv", [VI_HEADER, vi_row("A-1", received="09/01/2024 08:00"), vi_row("A-2", n=2)])
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine[["source_row", "reason"]].values.tolist() == [[2, "implausible_date"]]


def _hostile_workbook(path, stray=(1048575, 16383)):
    """A small valid export with one stray cell far away (XFD1048576 by default)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Data")
    for r, row in enumerate([VI_HEADER, vi_row("A-1")]):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    ws.write_string(*stray, "x")
    book.close()
    return path


class TestBoundedReading:
    """Item 4: the used range is checked before the sheet is materialised."""

    def test_stray_cell_at_xfd1048576_is_refused_in_one_line(self, tmp_path):
        path = _hostile_workbook(tmp_path / "raw" / "stray.xlsx")
        assert path.stat().st_size < 8_000
        with pytest.raises(InputError) as err:
            clean(tmp_path / "raw", tmp_path)
        assert str(err.value).startswith("stray.xlsx: sheet 'Data' uses rows 1-1,048,576 and columns 1-16,384 for ")
        assert "\n" not in str(err.value)

    def test_stray_cell_at_xfd1000_is_refused(self, tmp_path):
        _hostile_workbook(tmp_path / "raw" / "stray.xlsx", stray=(999, 16383))
        with pytest.raises(InputError, match="columns 1-16,384"):
            clean(tmp_path / "raw", tmp_path)

    def test_long_cell_names_row_and_column(self, tmp_path, monkeypatch):
        # (xlsxwriter itself cuts strings at Excel's 32,767 characters: a lower limit here)
        monkeypatch.setattr("cchc_analysis.config.MAX_CELL_CHARS", 1_000)
        rows = [VI_HEADER, vi_row("A-1"), [*vi_row("A-2", n=2)[:4], "x" * 4_000, *vi_row(n=2)[5:]]]
        write_xlsx(tmp_path / "raw" / "long.xlsx", rows)
        with pytest.raises(InputError) as err:
            clean(tmp_path / "raw", tmp_path)
        assert str(err.value) == "long.xlsx, row 3, column 'E': cell longer than 1,000 characters (4,000): not an export cell"

    def test_file_over_the_size_limit(self, tmp_path, monkeypatch):
        write_csv(tmp_path / "raw" / "a.csv", [VI_HEADER, vi_row("A-1")])
        monkeypatch.setattr("cchc_analysis.config.MAX_FILE_BYTES", 100)
        with pytest.raises(InputError, match=r"^a\.csv: file too large \([0-9,]+ bytes; the limit is 100, set CCHC_MAX_FILE_BYTES"):
            clean(tmp_path / "raw", tmp_path)


class TestFormatFromBytes:
    """Item 13: the format comes from the first bytes."""

    def test_xlsx_named_xls(self, tmp_path):
        write_xlsx(tmp_path / "raw" / "a.xls", [VI_HEADER, vi_row("A-1")])
        assert clean(tmp_path / "raw", tmp_path).dossiers["dossier_id"].tolist() == ["A-1"]

    def test_html_table_named_xls(self, tmp_path):
        head = "".join(f"<th>{h}</th>" for h in VI_HEADER)
        body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in vi_row(i, n=n)) + "</tr>" for n, i in enumerate(["A-1", "A-2"], 1))
        page = f'<html><head><meta charset="utf-8"></head><body><p>DANH SÁCH HỒ SƠ</p><table border="1"><tr>{head}</tr>{body}</table></body></html>'
        (tmp_path / "raw").mkdir()
        (tmp_path / "raw" / "portal.xls").write_text(page, encoding="utf-8")
        result = clean(tmp_path / "raw", tmp_path)
        assert result.dossiers["dossier_id"].tolist() == ["A-1", "A-2"]
        assert result.dossiers["unit_code"].notna().all() and reconciles(result)


class TestHiddenSheetsAndErrorCells:
    """Item 14: hidden sheets skipped with a note; Excel error cells quarantined."""

    def test_hidden_sheet_is_skipped_and_counted(self, tmp_path):
        import xlsxwriter

        (tmp_path / "raw").mkdir()
        book = xlsxwriter.Workbook(str(tmp_path / "raw" / "a.xlsx"))
        for name, ids in (("Data", ["A-1"]), ("Old", ["B-1", "B-2"])):
            ws = book.add_worksheet(name)
            for r, row in enumerate([VI_HEADER] + [vi_row(i) for i in ids]):
                for c, value in enumerate(row):
                    ws.write_string(r, c, value)
            if name == "Old":
                ws.hide()
        book.close()
        result = clean(tmp_path / "raw", tmp_path)
        assert result.dossiers["dossier_id"].tolist() == ["A-1"]
        assert result.meta["hidden_sheets"] == {"a.xlsx": ["Old"]}
        assert "hidden sheets skipped (not read as data): 1\n  a.xlsx: Old" in result.summary()

    def test_error_cells_are_quarantined(self, tmp_path):
        import xlsxwriter

        (tmp_path / "raw").mkdir()
        book = xlsxwriter.Workbook(str(tmp_path / "raw" / "a.xlsx"))
        ws = book.add_worksheet("Data")
        rows = [VI_HEADER, vi_row("A-1"), vi_row("A-2", n=2), vi_row("A-3", n=3)]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write_string(r, c, value)
        status = VI_HEADER.index("Trạng thái")
        ws.write_formula(1, status, "=1/0", None, "#DIV/0!")
        ws.write_formula(2, VI_HEADER.index("Ngày có kết quả"), "=NA()", None, "#N/A")
        book.close()
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine[["source_row", "reason"]].values.tolist() == [[2, "excel_error"], [3, "excel_error"]]
        assert result.quarantine["message"].tolist() == [
            "column status (Trạng thái): Excel error value #DIV/0! (a formula that failed), not a value",
            "column finished_at (Ngày có kết quả): Excel error value #N/A (a formula that failed), not a value",
        ]
        assert result.dossiers["dossier_id"].tolist() == ["A-3"]

    def test_error_text_in_a_csv_is_quarantined(self, tmp_path):
        write_csv(tmp_path / "raw" / "a.csv", [VI_HEADER, vi_row("A-1", status="#N/A"), vi_row("A-2", n=2)])
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine["reason"].tolist() == ["excel_error"]


class TestMixedEncoding:
    """Item 12: a UTF-8 file with a Windows-1258 line is refused naming that line."""

    def test_one_cp1258_line_in_a_utf8_file(self, tmp_path):

        rows = [VI_HEADER] + [vi_row(f"A-{n}", n=n) for n in range(1, 6)]
        good = csv_bytes(rows).split(b"\r\n")
        good[3] = csv_bytes([vi_row("A-3", n=3)], encoding="cp1258").rstrip(b"\r\n")
        (tmp_path / "raw").mkdir()
        (tmp_path / "raw" / "a.csv").write_bytes(b"\r\n".join(good))
        with pytest.raises(InputError) as err:
            clean(tmp_path / "raw", tmp_path)
        assert str(err.value) == (
            "a.csv: encoding: the file is UTF-8 except line 4, which do not decode (Windows-1258 "
            "pasted in?); save the whole file again as UTF-8"
        )

    def test_a_whole_cp1258_file_still_reads(self, tmp_path):
        write_csv(tmp_path / "raw" / "a.csv", [VI_HEADER, vi_row("A-1"), vi_row("A-2", n=2)], encoding="cp1258")
        result = clean(tmp_path / "raw", tmp_path)
        assert result.dossiers["dossier_id"].tolist() == ["A-1", "A-2"] and result.dossiers["unit_code"].notna().all()
