"""Province-sized benchmark inputs, derived deterministically from the synthetic sample.

The sample generator (:mod:`cchc_analysis.sample`) has no scale knob: it draws one town's
~15,700 dossiers a year. This module scales its ground truth up, vectorised with pyarrow:

* base = the sample's ground-truth dossiers received in 2024 (4 quarters, seed 0), cached as
  ``benchmarks/data/base_2024.parquet``;
* row ``j`` of an ``n``-row table is base row ``j % len(base)`` of copy ``c = j // len(base)``,
  with ``dossier_id`` + ``-cccc`` (unique), and its authority moved to one of 40 synthetic units
  so that the group-bys see province-like cardinality: the 10 commune-level units map to 36
  synthetic communes (``sx-00``..``sx-35``, by ``(10 c + i) % 36``), UBND thị xã to 4 synthetic
  towns (``sh-0``..``sh-3``, by ``c % 4``); the land branch (level ``tinh``) and its reception at
  ``hcc-huong-thuy`` are kept. A remapped unit receives its own dossiers.
* the synthetic units are added to a reference override (``benchmarks/data/reference/units.csv``
  = the shipped ``units.csv`` + 40 rows); every benchmark child process runs with
  ``CCHC_REFERENCE_DIR`` pointing there, so ``cchc clean`` resolves their names.

Outputs (git-ignored, regenerated when missing; ``GEN_VERSION`` is part of every name):

* ``dossiers_<n>.parquet``: the clean canonical table (``schema.DOSSIER_COLUMNS``);
* ``raw_<n>/dossiers_<n>.csv``: the same rows as a national-sync raw export (UTF-8, comma,
  field names MaHoSo..., compact ``yyyyMMddHHmmss`` timestamps, status and channel codes, fake
  personal columns ChuHoSo / SoDienThoai that ingestion must drop);
* ``list_<n>.xlsx``: the first ``n`` rows as a list-screen export (title lines, Vietnamese
  headers, real Excel dates, status and channel text, Có/Không), written with xlsxwriter in
  ``constant_memory`` mode.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DATA_DIR = Path(os.environ.get("CCHC_BENCH_DATA", Path(__file__).resolve().parent / "data"))
REFERENCE_DIR = DATA_DIR / "reference"
GEN_VERSION = 1
BASE_YEAR = 2024
#: Quarter whose indicators are benchmarked (has carried-over dossiers and later quarters).
BENCH_QUARTER = "2024Q3"
N_SYNTH_XA = 36
N_SYNTH_HUYEN = 4
LAND = "cn-vpdkdd-huong-thuy"
HCC = "hcc-huong-thuy"

_STATUS_TEXT = {1: "Mới đăng ký", 2: "Đã tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
                5: "Yêu cầu bổ sung", 6: "Chờ thực hiện nghĩa vụ tài chính",
                7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong",
                10: "Đã trả kết quả"}
_CHANNEL_TEXT = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến",
                 "buu_chinh": "Bưu chính công ích"}
_CHANNEL_CODE = {"truc_tiep": "1", "truc_tuyen": "2", "buu_chinh": "3"}
_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
          "Võ Thị Giang", "Đặng Văn Hải", "Bùi Thị Hoa"]


def _tag(n: int) -> str:
    return f"v{GEN_VERSION}_{n}"


def parquet_path(n: int) -> Path:
    return DATA_DIR / f"dossiers_{_tag(n)}.parquet"


def csv_dir(n: int) -> Path:
    return DATA_DIR / f"raw_{_tag(n)}"


def csv_path(n: int) -> Path:
    return csv_dir(n) / f"dossiers_{_tag(n)}.csv"


def xlsx_path(n: int) -> Path:
    return DATA_DIR / f"list_{_tag(n)}.xlsx"


# --------------------------------------------------------------------------- units


def synthetic_units():
    """The 40 synthetic units (pandas frame with the ``units.csv`` columns)."""
    import pandas as pd

    rows = [(f"sh-{i}", f"UBND thị xã Thử Nghiệm {i}", f"Thử Nghiệm {i}", "huyen")
            for i in range(N_SYNTH_HUYEN)]
    rows += [(f"sx-{i:02d}", f"xã Mô Phỏng {i:02d}", f"Mô Phỏng {i:02d}", "xa")
             for i in range(N_SYNTH_XA)]
    frame = pd.DataFrame(rows, columns=["code", "name", "short_name", "level"])
    frame["valid_from"] = ""
    frame["valid_to"] = ""
    return frame


def ensure_reference() -> Path:
    """Write the reference override (shipped units + synthetic units); return its folder."""
    from cchc_analysis import config

    target = REFERENCE_DIR / "units.csv"
    if target.exists():
        return REFERENCE_DIR
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    shipped = (config.PACKAGE_REFERENCE_DIR / "units.csv").read_text(encoding="utf-8")
    extra = synthetic_units().to_csv(index=False, header=False, lineterminator="\n")
    tmp = target.with_suffix(".tmp")
    tmp.write_text(shipped.rstrip("\n") + "\n" + extra, encoding="utf-8")
    tmp.replace(target)
    return REFERENCE_DIR


def _unit_names() -> dict[str, str]:
    from cchc_analysis import refdata

    names = dict(zip(refdata.load_units()["code"], refdata.load_units()["name"], strict=True))
    s = synthetic_units()
    names.update(zip(s["code"], s["name"], strict=True))
    return names


# --------------------------------------------------------------------------- base and scale-up


def _quick_base():
    """Canonical dossiers straight from the sample's event draw (no file rendering): a few
    seconds instead of the ~20 s of ``sample.ground_truth``; used by ``--quick``."""
    import pandas as pd

    from cchc_analysis import refdata, schema
    from cchc_analysis.sample import events, spec

    d = events.draw_dossiers(np.random.default_rng(0))
    done = d["fate"].isin([7, 8, 10]) & (d["finished_at"] <= spec.CUTOFF)
    status = np.where(d["fate"].isin([1, 3]), d["fate"], np.where(done, d["fate"], d["pending_status"]))
    d["status"] = status.astype("int64")
    d["finished_at"] = d["finished_at"].where(done)
    d["returned_at"] = d["returned_at"].where(done & (d["fate"] == 10))
    d["level"] = d["unit_code"].map(refdata.load_units().set_index("code")["level"])
    d["apology_issued"] = d["apology_drawn"]
    d["source_file"] = "quick"
    d["source_row"] = np.arange(len(d)) + 2
    d = d[d["received_at"].dt.year == BASE_YEAR].reset_index(drop=True)
    return schema.conform(d, schema.DOSSIER_COLUMNS)


def base_table() -> pa.Table:
    """Ground-truth dossiers of the sample received in ``BASE_YEAR`` (cached parquet)."""
    quick = os.environ.get("CCHC_BENCH_BASE") == "quick"
    path = DATA_DIR / f"base_{BASE_YEAR}_v{GEN_VERSION}{'_quick' if quick else ''}.parquet"
    if quick and not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _quick_base().to_parquet(path.with_suffix(".tmp"), index=False)
        path.with_suffix(".tmp").replace(path)
    if not path.exists():
        from cchc_analysis import sample

        d = sample.ground_truth(0).dossiers
        d = d[d["received_at"].dt.year == BASE_YEAR].reset_index(drop=True)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        d.to_parquet(path.with_suffix(".tmp"), index=False)
        path.with_suffix(".tmp").replace(path)
    return pq.read_table(path)


def scaled_table(n: int, base: pa.Table | None = None) -> pa.Table:
    """``n`` canonical dossier rows tiled from :func:`base_table` (see the module docstring)."""
    base = base_table() if base is None else base
    # pandas 3 writes text as large_string; plain string keeps the compute kernels simple.
    base = base.cast(pa.schema([
        f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in base.schema
    ], metadata=base.schema.metadata))
    m = base.num_rows
    j = np.arange(n, dtype=np.int64)
    src = j % m
    copy = j // m
    t = base.take(pa.array(src))

    suffix = pc.utf8_lpad(pc.cast(pa.array(copy), pa.string()), 4, "0")
    t = t.set_column(t.schema.get_field_index("dossier_id"), "dossier_id",
                     pc.binary_join_element_wise(t["dossier_id"], suffix, "-"))

    units = np.asarray(t["unit_code"].to_numpy(zero_copy_only=False), dtype=object)
    levels = np.asarray(t["level"].to_numpy(zero_copy_only=False), dtype=object)
    xa_codes = sorted(set(units[levels == "xa"]))
    xa_index = {c: i for i, c in enumerate(xa_codes)}
    dictionary = [f"sh-{i}" for i in range(N_SYNTH_HUYEN)] + [f"sx-{i:02d}" for i in range(N_SYNTH_XA)]
    # Index into ``dictionary``; -1 = keep the original unit.
    base_units = np.asarray(base["unit_code"].to_numpy(zero_copy_only=False), dtype=object)
    base_levels = np.asarray(base["level"].to_numpy(zero_copy_only=False), dtype=object)
    base_xa = np.array([xa_index.get(u, -1) for u in base_units], dtype=np.int64)[src]
    is_xa = (base_levels == "xa")[src]
    is_huyen = (base_levels == "huyen")[src]
    new = np.full(n, -1, dtype=np.int64)
    new[is_huyen] = (copy[is_huyen] % N_SYNTH_HUYEN)
    new[is_xa] = N_SYNTH_HUYEN + (copy[is_xa] * 10 + base_xa[is_xa]) % N_SYNTH_XA
    remapped = new >= 0
    new_codes = pa.DictionaryArray.from_arrays(
        pa.array(np.where(remapped, new, 0).astype(np.int32)), pa.array(dictionary)
    ).cast(pa.string())
    mask = pa.array(remapped)
    unit = pc.if_else(mask, new_codes, t["unit_code"])
    reception = pc.if_else(mask, new_codes, t["reception_code"])
    t = t.set_column(t.schema.get_field_index("unit_code"), "unit_code", unit)
    t = t.set_column(t.schema.get_field_index("reception_code"), "reception_code", reception)
    t = t.set_column(t.schema.get_field_index("source_file"), "source_file",
                     pa.array(np.full(n, f"dossiers_{_tag(n)}.csv", dtype=object), pa.string()))
    t = t.set_column(t.schema.get_field_index("source_row"), "source_row",
                     pa.array(j + 2, pa.int64()))
    return t


def ensure_parquet(n: int) -> Path:
    """The clean canonical table of ``n`` rows (written once)."""
    path = parquet_path(n)
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        pq.write_table(scaled_table(n), path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)
    return path


# --------------------------------------------------------------------------- raw exports


def _strings(col: pa.ChunkedArray, mapping: dict) -> pa.Array:
    keys = pa.array(list(mapping))
    values = pa.array([str(v) for v in mapping.values()])
    idx = pc.index_in(pc.cast(col, keys.type), value_set=keys)
    return pc.take(values, idx)


def ensure_csv(n: int) -> Path:
    """The ``n`` rows as a national-sync CSV export, alone in its raw folder (written once)."""
    import pyarrow.csv as pacsv

    path = csv_path(n)
    if path.exists():
        return path
    t = scaled_table(n)
    fmt = "%Y%m%d%H%M%S"

    def stamp(name):
        return pc.strftime(pc.cast(t[name], pa.timestamp("s")), format=fmt)

    names = _unit_names()
    owners = pa.array(_NAMES)
    j = np.arange(n)
    body = pa.table({
        "MaHoSo": t["dossier_id"],
        "MaTTHC": t["procedure_code"],
        "TenTTHC": t["procedure_name"],
        "TenLinhVuc": t["field"],
        "DonViXuLy": _strings(t["unit_code"], names),
        "KenhThucHien": _strings(t["channel"], _CHANNEL_CODE),
        "NgayTiepNhan": stamp("received_at"),
        "NgayHenTra": stamp("due_at"),
        "NgayKetThucXuLy": stamp("finished_at"),
        "NgayTra": stamp("returned_at"),
        "TrangThaiHoSo": pc.cast(t["status"], pa.string()),
        "ChuHoSo": pc.take(owners, pa.array(j % len(_NAMES))),
        "SoDienThoai": pc.binary_join_element_wise(
            pa.array(np.full(n, "09", dtype=object), pa.string()),
            pc.utf8_lpad(pc.cast(pa.array((j * 7919) % 10**8), pa.string()), 8, "0"), ""),
    })
    folder = csv_dir(n)
    tmp_dir = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    pacsv.write_csv(body, tmp_dir / path.name,
                    pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    (tmp_dir / "SYNTHETIC.json").write_text('{"synthetic": true, "generator": "benchmarks.datagen"}\n',
                                            encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp_dir.replace(folder)
    return path


LIST_HEADER = ["STT", "Mã hồ sơ", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Đơn vị tiếp nhận",
               "Cơ quan giải quyết", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả",
               "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái", "Số lần bổ sung",
               "Số hóa hồ sơ", "Số hóa kết quả", "Tái sử dụng dữ liệu", "Có phí",
               "Thanh toán trực tuyến", "Phiếu xin lỗi", "Chủ hồ sơ", "Số điện thoại"]


def ensure_xlsx(n: int) -> Path:
    """The first ``n`` scaled rows as a list-screen .xlsx (xlsxwriter, constant_memory)."""
    import xlsxwriter

    path = xlsx_path(n)
    if path.exists():
        return path
    t = scaled_table(n)
    d = t.to_pandas()
    names = _unit_names()
    names["hcc-huong-thuy"] = "Trung tâm Hành chính công thị xã Hương Thủy"

    def dates(col):
        missing = d[col].isna().to_numpy()
        values = d[col].dt.to_pydatetime()
        return [None if m else v for v, m in zip(values, missing, strict=True)]

    def yes_no(col):
        values = d[col].astype(object)
        missing = d[col].isna().to_numpy()
        return [None if m else ("Có" if v else "Không") for v, m in zip(values, missing, strict=True)]

    columns = [
        list(range(1, n + 1)), list(d["dossier_id"]), list(d["procedure_code"]),
        list(d["procedure_name"]), list(d["field"]),
        [names.get(c, c) for c in d["reception_code"]], [names.get(c, c) for c in d["unit_code"]],
        [_CHANNEL_TEXT.get(c, None) if isinstance(c, str) else None for c in d["channel"]],
        dates("received_at"), dates("due_at"), dates("finished_at"), dates("returned_at"),
        [_STATUS_TEXT[int(s)] for s in d["status"]],
        [None if m else int(v) for v, m in zip(d["supplement_count"].astype(object),
                                                d["supplement_count"].isna(), strict=True)],
        *[yes_no(c) for c in ("digitised_input", "digitised_result", "reused_data", "has_fee",
                              "paid_online", "apology_issued")],
        [_NAMES[i % len(_NAMES)] for i in range(n)],
        ["09" + f"{(i * 7919) % 10**8:08d}" for i in range(n)],
    ]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_urls": False, "strings_to_formulas": False})
    wb.set_properties({"created": dt.datetime(2026, 1, 1)})
    ws = wb.add_worksheet("DanhSach")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write_string(0, 0, "UBND TỈNH MÔ PHỎNG")
    ws.write_string(1, 0, "DANH SÁCH HỒ SƠ TTHC (dữ liệu benchmark)")
    ws.write_string(2, 0, "Từ ngày 01/01/2024 đến ngày 31/12/2024")
    ws.write_row(4, 0, LIST_HEADER)
    for i, row in enumerate(zip(*columns, strict=True)):
        # Only the four date cells carry the date format (a formatted 0 would read as a time).
        ws.write_row(5 + i, 0, row[:8])
        ws.write_row(5 + i, 8, row[8:12], date_fmt)
        ws.write_row(5 + i, 12, row[12:])
    last = 5 + n
    ws.write_string(last + 1, 0, "Tổng cộng")
    ws.write_string(last + 3, 0, "Người lập biểu")
    wb.close()
    tmp.replace(path)
    return path


def ensure_all(sizes: dict[str, int]) -> dict[str, Path]:
    """Generate every input named in ``sizes`` (keys ``parquet``/``csv``/``xlsx`` -> row lists)."""
    ensure_reference()
    out = {}
    for n in sizes.get("parquet", []):
        out[f"parquet_{n}"] = ensure_parquet(n)
    for n in sizes.get("csv", []):
        out[f"csv_{n}"] = ensure_csv(n)
    for n in sizes.get("xlsx", []):
        out[f"xlsx_{n}"] = ensure_xlsx(n)
    return out
