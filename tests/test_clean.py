"""cchc clean on small hand-made exports: tables, quarantine, reconciliation, bad inputs."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis import clean as C
from cchc_analysis import schema
from cchc_analysis.errors import CchcError, InputError
from cchc_analysis.ingest.exports import read_export
from cchc_analysis.ingest.tables import empty_catalogue
from tests.fixtures_raw import (
    FOOTER, NATIONAL_HEADER, PERSONAL, TITLE, VI_HEADER, national_row, vi_row, write_csv,
    write_xlsx,
)

CAT = pd.DataFrame(
    {"procedure_code": ["001", "1.001234"], "procedure_name": ["Chứng thực bản sao", "Đăng ký khai sinh"],
     "field": ["Chứng thực", "Hộ tịch"], "level": ["xa", "xa"], "authority_code": ["", ""],
     "statutory_days": [0, 5], "one_stop": [True, True], "online_level": ["mot_phan", "toan_trinh"],
     "has_fee": [True, False], "paper_result": [True, True]}
)


def run(raw, out):
    return C.clean(raw, out, catalogue=CAT)


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("clean")
    rows = TITLE + [
        VI_HEADER,
        vi_row("A-1"),
        vi_row("A-2", n=2, reception="TT HCC thị xã Hương Thủy", status="Đang xử lý", finished="", returned=""),
        vi_row("A-3", n=3, received="ngày mai"),
        vi_row("", n=4),
        vi_row("A-1", n=5, status="Đang xử lý", finished="", returned=""),
        vi_row("A-6", n=6, reception="phường Atlantis"),
        vi_row("A-7", n=7, finished="10/01/2024"),
        VI_HEADER,
    ] + FOOTER
    write_csv(tmp_path / "raw" / "2024" / "a.csv", rows, delimiter=";", encoding="cp1258")
    write_xlsx(tmp_path / "raw" / "b.xlsx", [NATIONAL_HEADER, national_row("B-1"), national_row("A-2", status="10", finished="20240120", returned="20240121")])
    (tmp_path / "raw" / "README.md").write_text("notes", encoding="utf-8")
    (tmp_path / "raw" / "SYNTHETIC.json").write_text("{}", encoding="utf-8")
    return tmp_path / "raw"


@pytest.fixture(scope="module")
def result(raw):
    return run(raw, raw.parent / "out")


@pytest.fixture
def raw_copy(raw, tmp_path):
    """A private copy of the raw folder, for tests that add files to it."""
    shutil.copytree(raw, tmp_path / "raw")
    return tmp_path / "raw"


class TestClean:
    def test_reconciliation_per_file(self, result):
        recon = result.reconciliation.set_index("source_file")
        assert recon.loc["2024/a.csv", ["rows_read", "clean", "quarantined", "duplicates_merged", "skipped_lines"]].tolist() == [7, 1, 4, 2, 10]
        assert recon.loc["b.xlsx", ["rows_read", "clean", "quarantined", "duplicates_merged"]].tolist() == [2, 2, 0, 0]

    def test_quarantine_reasons(self, result):
        got = result.quarantine[["source_row", "reason"]].values.tolist()
        assert got == [[8, "unparseable_date"], [9, "missing_dossier_id"], [11, "unknown_unit"], [12, "finished_before_received"]]

    def test_message_names_column_and_value(self, result):
        assert "column received_at (Ngày tiếp nhận): 'ngày mai' is not a date" in result.quarantine["message"].iloc[0]

    def test_duplicate_keeps_most_advanced_status(self, result):
        a1 = result.dossiers.set_index("dossier_id").loc["A-1"]
        assert (a1["status"], a1["source_row"]) == (10, 6)

    def test_duplicate_across_files_keeps_returned(self, result):
        a2 = result.dossiers.set_index("dossier_id").loc["A-2"]
        assert (a2["status"], a2["source_file"], a2["unit_code"]) == (10, "b.xlsx", "x-thuy-tan")

    def test_canonical_columns(self, result):
        assert list(result.dossiers.columns) == list(schema.DOSSIER_COLUMNS)
        assert result.dossiers.dtypes.astype(str).tolist() == [str(pd.Series(dtype=d).dtype) for d in schema.DOSSIER_COLUMNS.values()]

    def test_catalogue_facts(self, result):
        b1 = result.dossiers.set_index("dossier_id").loc["B-1"]
        assert (b1["online_level"], b1["in_catalogue"], b1["channel"]) == ("toan_trinh", True, "truc_tuyen")

    def test_flags_from_list_screen(self, result):
        a1 = result.dossiers.set_index("dossier_id").loc["A-1"]
        assert [a1[c] for c in ("digitised_input", "digitised_result", "reused_data", "has_fee", "paid_online", "apology_issued")] == [True, True, False, True, False, False]

    def test_missing_flag_column_is_missing_not_false(self, result):
        assert result.dossiers.set_index("dossier_id").loc["B-1", ["has_fee"]].isna().all()

    def test_meta(self, result, raw):
        meta = json.loads((raw.parent / "out" / "clean_meta.json").read_text(encoding="utf-8"))
        assert meta["synthetic"] is True and sorted(meta["files"]) == ["2024/a.csv", "b.xlsx"]
        assert meta["rows"]["dossiers"] == 3

    def test_no_personal_value_in_outputs(self, result, raw):
        for path in (raw.parent / "out").iterdir():
            data = path.read_bytes()
            for value in PERSONAL:
                assert value.encode("utf-8") not in data, (path.name, value)

    def test_unrecognised_column_named_in_summary(self, tmp_path):
        write_csv(tmp_path / "raw" / "a.csv", [["Mã hồ sơ", "Ngày tiếp nhận", "Đơn vị", "Cột bí ẩn"], ["X", "15/01/2024", "xã Thủy Tân", "??"]])
        assert "Cột bí ẩn" in run(tmp_path / "raw", tmp_path / "out").summary()


class TestCleanBadInput:
    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("empty.csv", b"", "empty.csv: empty file"),
            ("junk.csv", bytes(range(256)) * 10, "junk.csv: binary content"),
            ("nohead.csv", "a,b\n1,2\n".encode(), "nohead.csv: no recognisable header"),
            ("miss.csv", "Mã hồ sơ,Đơn vị\nX,xã Thủy Tân\n".encode(), "miss.csv, row 1: required column missing in the dossiers header: 'Ngày tiếp nhận'"),
            ("dup.csv", "Mã hồ sơ,Số biên nhận,Ngày tiếp nhận,Đơn vị\n".encode(), "dup.csv, row 1: duplicate header"),
        ],
    )
    def test_clear_message_and_dir_untouched(self, raw_copy, raw, tmp_path, name, content, message):
        out = tmp_path / "out"
        shutil.copytree(raw.parent / "out", out)
        raw = raw_copy
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        (raw / name).write_bytes(content)
        with pytest.raises(InputError, match=message.replace("(", r"\(")):
            run(raw, out)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    def test_wrong_sheet(self, tmp_path):
        write_xlsx(tmp_path / "raw" / "a.xlsx", [["Biểu tổng hợp"], ["1", "2"]], sheet="Tổng hợp", extra_sheets=["Biểu đồ"])
        with pytest.raises(InputError, match="a.xlsx: no sheet has a recognisable header \\(sheets: 'Biểu đồ', 'Tổng hợp'\\)"):
            run(tmp_path / "raw", tmp_path / "out")
        assert not (tmp_path / "out").exists()


class TestLoadProcessed:
    def test_round_trip(self, result, raw):
        loaded = C.load_processed(raw.parent / "out")
        pd.testing.assert_frame_equal(loaded.dossiers, result.dossiers)
        assert loaded.meta["synthetic"] is True and len(loaded.quarantine) == 4

    def test_empty_folder_says_run_clean(self, tmp_path):
        with pytest.raises(CchcError, match="run `cchc clean` first"):
            C.load_processed(tmp_path)


class TestRun:
    def test_cli_exit_codes(self, raw_copy, tmp_path):
        raw = raw_copy
        ok = subprocess.run([sys.executable, "-m", "cchc_analysis.cli", "clean", "--raw", str(raw), "--processed", str(tmp_path / "o")], capture_output=True, text=True)
        (raw / "empty.csv").write_bytes(b"")
        bad = subprocess.run([sys.executable, "-m", "cchc_analysis.cli", "clean", "--raw", str(raw), "--processed", str(tmp_path / "o2")], capture_output=True, text=True)
        assert ok.returncode == 0 and "quarantined by reason" in ok.stdout
        assert bad.returncode == 1 and bad.stderr.strip() == "cchc clean: lỗi: empty.csv: empty file: no header and no rows"


CORRUPTIONS = st.lists(
    st.tuples(st.sampled_from(["blank_date", "garble_unit", "duplicate", "footer", "delete_id"]), st.integers(0, 7)),
    max_size=6,
)


class TestCleanedTables:
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(CORRUPTIONS)
    def test_no_row_lost_without_trace(self, tmp_path_factory, corruptions):
        rows = [vi_row(f"P-{i}", n=i) for i in range(8)]
        for action, i in corruptions:
            i %= len(rows)
            if len(rows[i]) == 1 and action != "footer":
                continue  # a footer line has no cells to corrupt
            if action == "blank_date":
                rows[i][8] = ""
            elif action == "garble_unit":
                rows[i][5] = "phường Không Có"
            elif action == "duplicate":
                rows.insert(i, list(rows[i]))
            elif action == "footer":
                rows.insert(i, ["Tổng cộng"])
            else:
                rows[i][1] = ""
        path = write_csv(tmp_path_factory.mktemp("p") / "a.csv", TITLE + [VI_HEADER] + rows)
        exports = read_export(path, "a.csv")
        _, quarantine, recon = C.cleaned_tables(exports, empty_catalogue())
        r = recon.iloc[0]
        assert r["rows_read"] == r["clean"] + r["quarantined"] + r["duplicates_merged"]
        assert r["rows_read"] + r["skipped_lines"] + 1 == len(TITLE) + 1 + len(rows)
        data_rows = sum(len(row) > 1 for row in rows)
        assert r["rows_read"] == data_rows and len(quarantine) == r["quarantined"]


class TestStatusRanks:
    def test_same_as_map_of_status_rank(self):
        from cchc_analysis.ingest.values import STATUS_RANK

        status = pd.Series([10, 3, None, 9, 1, 0, 11], dtype="Int8")
        expected = status.astype("Int64").map(STATUS_RANK).fillna(-1).astype("int64")
        assert C.status_ranks(status).tolist() == expected.tolist()


class TestInSourceOrder:
    @staticmethod
    def _table(files, rows):
        return pd.DataFrame({"source_file": pd.Series(files, dtype="str"), "source_row": pd.Series(rows, dtype="Int64"),
                             "v": range(len(files))}, index=[5 + i for i in range(len(files))])

    def test_same_as_sort_values(self):
        for files, rows in ((["a", "a", "b"], [2, 3, 1]), (["b", "a", "a"], [1, 3, 2]), (["a", "a"], [3, 2]),
                            (["a", "b", "a"], [1, 1, 2]), ([], [])):
            table = self._table(files, rows)
            expected = table.sort_values(["source_file", "source_row"]).reset_index(drop=True)
            pd.testing.assert_frame_equal(C.in_source_order(table), expected)


class TestOutcomeCounts:
    def test_counts_per_file_and_outcome(self):
        table = pd.DataFrame({"source_file": pd.Series(["b", "a", "b", "b"], dtype="str"),
                              "reason": pd.Series(["", "x", "", ""], dtype="str")})
        merged = pd.Series([False, False, True, False])
        counts = C.outcome_counts(table, merged)
        assert counts.loc["b"].tolist() == [2, 0, 1] and counts.loc["a"].tolist() == [0, 1, 0]


class TestNoTypedRows:
    @pytest.mark.parametrize("kind", ["dossiers", "pakn", "edocs"])
    def test_same_as_typed_function_of_no_rows(self, kind):
        from cchc_analysis.ingest.tables import typed_dossiers, typed_edocs, typed_pakn

        build = {"dossiers": lambda r: typed_dossiers(r, CAT), "pakn": typed_pakn, "edocs": typed_edocs}[kind]
        pd.testing.assert_frame_equal(C.no_typed_rows(kind), build(C._rows_of([], kind)))
        # A file with a header and no data row: its (text) columns, no row.
        names = ["dossier_id", "procedure_code", "authority", "reception", "received_at", "status",
                 "pakn_id", "unit", "month", "documents_sent", "has_fee", "online_level"]
        rows = C._rows_of([], kind).assign(**{n: pd.Series(dtype="str") for n in names})
        pd.testing.assert_frame_equal(C.no_typed_rows(kind), build(rows))
