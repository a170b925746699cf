"""Fuzzed exports (issue 14, item 8 and the fuzz acceptance): whatever lines surround or replace
the data, no data row is skipped and rows_read = clean + quarantined + duplicates_merged.

The budget is small by default (``make test``); ``CCHC_FUZZ_EXAMPLES=2000`` (``make fuzz``)
runs a longer search.
"""

import csv
import io
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis import clean as C
from cchc_analysis.errors import InputError
from cchc_analysis.ingest.readers import read_sheets
from cchc_analysis.ingest.tables import empty_catalogue
from tests.fixtures_raw import VI_HEADER, cp1258_form, vi_row

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"
EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CCHC_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
FOOTER_IDS = ["Tổng cộng", "Ghi chú", "TM UBND xã", "KT-15", "Cộng 1", "Người lập biểu", ""]


def encoded(records: list[list[str]], encoding: str, delimiter: str = ",") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    text = buf.getvalue()
    if encoding == "cp1258":
        return cp1258_form(text).encode("cp1258", errors="replace")
    return text.encode(encoding)


def read_and_reconcile(path: Path):
    """Source rows read as data, and the reconciliation of the file (None if refused)."""
    raw = path.parent
    try:
        exports = C.read_exports(raw)
    except InputError as exc:  # a refused file: one line naming it, never another exception
        assert "\n" not in str(exc) and path.name in str(exc)
        return None, None
    _, quarantine, recon = C.cleaned_tables(exports, empty_catalogue())
    read = set()
    for e in exports:
        read |= set(e.rows["source_row"].astype(int))
    assert (recon["rows_read"] == recon["clean"] + recon["quarantined"] + recon["duplicates_merged"]).all()
    assert len(quarantine) == recon["quarantined"].sum()
    return read, recon


LINE = st.one_of(
    st.tuples(st.just("data"), st.sampled_from(["A-1", "H57-2", "x", *FOOTER_IDS])),
    st.tuples(st.just("blank"), st.just("")),
    st.tuples(st.just("total"), st.sampled_from(["Tổng cộng: 12 hồ sơ", "Cộng 3", "Ghi chú: số liệu tạm tính"])),
    st.tuples(st.just("dated_title"), st.just("Hương Thủy, ngày 05 tháng 4 năm 2024")),
)
SIGNATURE = st.lists(st.sampled_from(["Người lập biểu", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Trần Thị Ký Tên", "(Ký, ghi rõ họ tên)"]), max_size=4)


class TestLineClasses:
    """Item 8: rows with dates are data whatever their id; signature blocks are skipped."""

    @FUZZ
    @given(lines=st.lists(LINE, min_size=1, max_size=12), signature=SIGNATURE, sig_col=st.sampled_from([0, 1]))
    def test_no_data_row_skipped(self, tmp_path_factory, lines, signature, sig_col):
        raw = tmp_path_factory.mktemp("lines") / "raw"
        raw.mkdir()
        records = [["DANH SÁCH HỒ SƠ"], [], VI_HEADER]
        data_rows = []
        for n, (kind, value) in enumerate(lines, 1):
            if kind == "data":
                records.append(vi_row(value, n=n))
                data_rows.append(len(records))
            elif kind == "blank":
                records.append([])
            else:
                records.append([value])
        for text in signature:  # after the table: a signer's line, in the STT or id column
            records.append([""] * sig_col + [text])
        (raw / "a.csv").write_bytes(encoded(records, "utf-8"))
        read, recon = read_and_reconcile(raw / "a.csv")
        assert read is not None
        assert set(data_rows) == read  # every dated row read, nothing else
        r = recon.iloc[0]
        assert r["rows_read"] + r["skipped_lines"] + 1 == len(records)


def _sample_records(name: str, n: int) -> list[list[str]]:
    """The header and first ``n`` records of a sample CSV (any of its encodings/delimiters)."""
    cells = read_sheets(SAMPLE / name)[0].cells
    return cells.iloc[: n + 1].to_numpy(dtype=object).tolist()


CSV_SAMPLES = sorted(p.name for p in SAMPLE.glob("*.csv"))[:4]
OPS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "shuffle", "garble", "footer", "blank", "swap_columns", "footer_id", "blank_id"]),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
    ),
    max_size=8,
)


class TestFuzzSampleFiles:
    """Corrupted real sample files: delete, duplicate, shuffle and garble lines, add footers and
    blank lines, change encodings, swap columns. Dated rows are never skipped, counts reconcile."""

    @FUZZ
    @given(name=st.sampled_from(CSV_SAMPLES), ops=OPS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16"]),
           delimiter=st.sampled_from([",", ";", "\t"]))
    def test_reconciles_and_skips_no_dated_row(self, tmp_path_factory, name, ops, encoding, delimiter):
        records = _sample_records(name, 30)
        header, body = records[0], records[1:]
        received = header.index("NgayTiepNhan")
        protected = [True] * len(body)  # rows whose received date is intact: they are data
        for op, a, b in ops:
            k = a % max(len(body), 1)
            if op == "delete" and body:
                del body[k], protected[k]
            elif op == "duplicate" and body:
                body.insert(k, list(body[k]))
                protected.insert(k, protected[k])
            elif op == "shuffle" and body:
                j = b % len(body)
                body[k], body[j] = body[j], body[k]
                protected[k], protected[j] = protected[j], protected[k]
            elif op == "garble" and body:
                col = b % len(header)
                body[k] = list(body[k])
                if col < len(body[k]):
                    body[k][col] = "".join(reversed(body[k][col]))[: 1 + a % 12] + "??"
                    protected[k] = protected[k] and col != received
            elif op == "footer":
                body.append(["Tổng cộng", str(len(body))])
                protected.append(False)
            elif op == "blank":
                body.insert(k, [])
                protected.insert(k, False)
            elif op == "swap_columns":
                i, j = a % len(header), b % len(header)
                for rec in [header, *body]:
                    if max(i, j) < len(rec):
                        rec[i], rec[j] = rec[j], rec[i]
                received = {i: j, j: i}.get(received, received)
            elif op in ("footer_id", "blank_id") and body:
                id_col = header.index("MaHoSo")
                body[k] = list(body[k])
                if id_col < len(body[k]):
                    body[k][id_col] = FOOTER_IDS[b % len(FOOTER_IDS)] if op == "footer_id" else ""
        raw = tmp_path_factory.mktemp("fuzz") / "raw"
        raw.mkdir()
        (raw / name).write_bytes(encoded([header, *body], encoding, delimiter))
        read, recon = read_and_reconcile(raw / name)
        if read is None:
            return
        must = {i + 2 for i, (rec, keep) in enumerate(zip(body, protected)) if keep and len(rec) > received and rec[received]}
        assert must <= read
        r = recon.iloc[0]
        assert r["rows_read"] + r["skipped_lines"] + 1 == len(body) + 1
