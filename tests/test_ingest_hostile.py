"""Hostile cells and odd files (issue 14): inexact numeric ids, personal values in messages,
implausible dates, Excel error cells, hidden sheets, oversized cells and sheets, odd formats,
mixed encodings, symlinks."""

import os

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
        from cchc_analysis.ingest.tables import plausible_window

        earliest, latest = plausible_window(pd.Timestamp("2026-03-01").date())
        assert (earliest, latest) == (pd.Timestamp("2024-01-10"), pd.Timestamp("2027-03-01"))
        write_csv(tmp_path / "raw" / "a.csv", [VI_HEADER, vi_row("A-1", received="09/01/2024 08:00"), vi_row("A-2", n=2)])
        result = clean(tmp_path / "raw", tmp_path)
        assert result.quarantine[["source_row", "reason"]].values.tolist() == [[2, "implausible_date"]]
