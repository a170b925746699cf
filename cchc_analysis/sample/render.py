"""From intended dossiers to export files: what each quarter's file shows, spelled the way real
exports spell it, with the ground truth a correct cleaner must reproduce.

A dossier appears in the file of the quarter it was received in, and again in the file of the
quarter it finished in (re-exported with its newer status). A file shows each dossier's state
at the export date (end of the quarter). A few land dossiers received at the Trung tâm HCC also
appear in a ward's list (inter-agency dossiers). The truth keeps, per dossier, the most advanced
appearance; between equally advanced ones, the first in (file name, row) order.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import events, spec

DAY_NS = pd.Timedelta(days=1)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass
class RawFile:
    """One export file, as sheet lines (lists of cell values) plus bookkeeping.

    ``lines`` holds every line of the sheet, title to footer; ``None`` is an empty cell. Cell
    values are ``str``, ``int``, ``float`` (Excel serial numbers or counts), ``bool`` or
    ``pandas.Timestamp`` (a real Excel date, written with ``date_format``).
    """

    name: str
    kind: str  # dossiers | pakn | edocs
    fmt: str  # xlsx | xls | csv
    lines: list[list]
    header_row: int  # 1-based line of the header
    skipped_lines: int  # title, blank, repeated header and footer lines
    date_format: str = "dd/mm/yyyy hh:mm"
    merge_title: bool = True
    encoding: str = "utf-8"
    delimiter: str = ","
    data_rows: list[int] = field(default_factory=list)  # 1-based lines of data rows


def nfd(values: pd.Series, rng: np.random.Generator, share: float) -> pd.Series:
    """Decompose (NFD) a random ``share`` of the text cells, as some exports do."""
    pick = rng.random(len(values)) < share
    out = values.copy()
    out[pick] = [unicodedata.normalize("NFD", v) for v in values[pick]]
    return out


def spell_units(codes: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Unit names as one file writes them: one usual spelling per unit, a few others mixed in."""
    usual = {c: int(rng.integers(0, len(spec.UNIT_SPELLINGS[c]))) for c in sorted(set(codes))}
    choice = codes.map(usual).to_numpy()
    other = rng.random(len(codes)) < 0.06
    choice = np.where(other, rng.integers(0, 6, len(codes)), choice)
    names = [spec.UNIT_SPELLINGS[c][i % len(spec.UNIT_SPELLINGS[c])]
             for c, i in zip(codes, choice, strict=True)]
    return nfd(pd.Series(names, index=codes.index, dtype=object), rng, 0.02)


def render_dates(values: pd.Series, style: str) -> pd.Series:
    """Spell timestamps in one export style; missing values stay ``None``."""
    if style == "excel":
        out = values.astype(object)
    elif style == "serial":
        out = ((values - EXCEL_EPOCH) / DAY_NS).round(8).astype(object)
    else:
        fmt = {"dmy_hm": "%d/%m/%Y %H:%M", "dmy_hms": "%d/%m/%Y %H:%M:%S", "dmy": "%d/%m/%Y",
               "iso_date": "%Y-%m-%d", "compact": "%Y%m%d%H%M%S"}[style]
        out = values.dt.strftime(fmt).astype(object)
    return out.where(values.notna(), None)


def as_read(values: pd.Series, style: str) -> pd.Series:
    """What a correct reader gets back from :func:`render_dates`: date-only styles lose the time."""
    return values.dt.floor("D") if style in spec.DATE_ONLY_STYLES else values


def dossier_file_name(reception: pd.Series, quarter: pd.Series) -> pd.Series:
    """The quarter's export file that lists a reception point's dossiers."""
    kind = np.select(
        [reception.eq(spec.HCC), reception.isin(spec.OLD_COMMUNES)
         | reception.eq("p-phu-bai-2025")],
        ["tx_huong_thuy.xlsx", "xa_dongbo.csv"], "phuong.xlsx",
    )
    name = quarter + "_ho_so_" + kind
    legacy = (quarter == spec.QUARTERS[0]) & (name.str.endswith("phuong.xlsx"))
    return name.where(~legacy, quarter + "_ho_so_phuong.xls")


def appearances(d: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every (dossier, file) appearance with the state the file shows.

    Returns
    -------
    pandas.DataFrame
        Dossier columns plus ``file_quarter``, ``file``, ``status`` and the shown
        ``finished_shown``, ``returned_shown``, ``apology_issued``, ``digitised_result_shown``.
    """
    received_q = d["received_at"].dt.to_period("Q").astype(str)
    terminal = d["fate"].isin([7, 8, 10]) & (d["finished_at"] <= spec.CUTOFF)
    finished_q = d["finished_at"].dt.to_period("Q").astype(str).where(terminal)
    first = d.assign(file_quarter=received_q)
    again = d[terminal & (finished_q != received_q)].assign(file_quarter=finished_q)
    # Inter-agency: some land dossiers of the town centre also sit in a ward's list.
    land_hcc = (d["reception_code"] == spec.HCC) & (d["unit_code"] == spec.LAND)
    dup = d[land_hcc & (rng.random(len(d)) < 0.015)]
    dup = dup.assign(file_quarter=finished_q[dup.index].fillna(received_q[dup.index]))
    dup = dup.assign(dup_ward=rng.choice(spec.OLD_WARDS, len(dup)))
    a = pd.concat([first, again, dup], keys=["first", "again", "dup"]).reset_index(level=0)
    a = a.rename(columns={"level_0": "appearance"})
    a["dossier_index"] = a.index
    a = a.reset_index(drop=True)
    listing = a["reception_code"].where(a["appearance"] != "dup", a["dup_ward"])
    a["file"] = dossier_file_name(listing, a["file_quarter"])
    ends = {q: events.quarter_bounds(q)[1] for q in spec.QUARTERS}
    export_at = a["file_quarter"].map(ends).astype("datetime64[us]")
    done = a["fate"].isin([7, 8, 10]) & (a["finished_at"] <= export_at)
    returned = done & (a["fate"] == 10) & (a["returned_at"] <= export_at)
    status = np.where(a["fate"].isin([1, 3]), a["fate"],
                      np.where(done, np.where(a["fate"] == 10, np.where(returned, 10, 9),
                                              a["fate"]), a["pending_status"]))
    a["status"] = status.astype("int64")
    a["finished_shown"] = a["finished_at"].where(done)
    a["returned_shown"] = a["returned_at"].where(returned)
    late = a["due_at"].notna() & (a["finished_at"].dt.floor("D") > a["due_at"].dt.floor("D"))
    a["apology_issued"] = done & late & a["apology_drawn"] & a["status"].isin([9, 10])
    a["digitised_result_shown"] = a["digitised_result"] & a["status"].isin([9, 10])
    return a


def people(rng: np.random.Generator, n: int, reception: pd.Series) -> pd.DataFrame:
    """Fake citizens: names, 09x phone numbers, 12-digit ID numbers (Huế code 046), e-mails."""
    def names(k: int) -> np.ndarray:
        return (np.array(spec.SURNAMES)[rng.integers(0, len(spec.SURNAMES), k)].astype(object)
                + " " + np.array(spec.MIDDLE_NAMES)[rng.integers(0, len(spec.MIDDLE_NAMES), k)]
                + " " + np.array(spec.GIVEN_NAMES)[rng.integers(0, len(spec.GIVEN_NAMES), k)])
    owner = names(n)
    submitter = np.where(rng.random(n) < 0.7, owner, names(n))
    phone = ["09" + f"{x:08d}" for x in rng.integers(0, 10**8, n)]
    ident = ["046" + f"{c}{y:02d}{x:06d}" for c, y, x in zip(
        rng.integers(0, 4, n), rng.integers(40, 100, n), rng.integers(0, 10**6, n), strict=True)]
    ascii_name = pd.Series(owner).map(
        lambda s: unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
        .encode("ascii", "ignore").decode().lower().replace(" ", ""))
    email = ascii_name + pd.Series(rng.integers(10, 9999, n)).astype(str) + "@example.com"
    place = reception.map(lambda c: spec.UNIT_SPELLINGS[c][0] if c in spec._UNIT_BASE
                          else "thị xã Hương Thủy").to_numpy()
    address = ("Tổ " + pd.Series(rng.integers(1, 25, n)).astype(str) + ", " + place
               + ", Huế").to_numpy()
    return pd.DataFrame({"owner": owner, "submitter": submitter, "phone": phone,
                         "address": address, "id_number": ident, "email": email.to_numpy()})


BAD_REASONS = ["missing_dossier_id", "unparseable_date", "finished_before_received",
               "unknown_unit"]


def _title(quarter: str, what: str) -> list[list]:
    start, end = events.quarter_bounds(quarter)
    top = "UBND THỊ XÃ HƯƠNG THỦY" if end <= spec.OLD_UNITS_END else "UBND THÀNH PHỐ HUẾ"
    return [[top], [what],
            [f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"], []]


def _yes_no(values: pd.Series, variant: str) -> list:
    yes, no = spec.YES_NO[variant]
    return [yes if v else no for v in values]


def _bad_rows(rows: pd.DataFrame, rng: np.random.Generator, file_no: int) -> pd.DataFrame:
    """Two to four unusable rows, copied from real ones and broken one way each."""
    reasons = rng.choice(BAD_REASONS, size=int(rng.integers(2, 5)), replace=False)
    bad = rows.iloc[rng.integers(0, len(rows), len(reasons))].copy()
    bad["bad_reason"] = reasons
    bad["dossier_id"] = [f"{i.rsplit('-', 1)[0]}-9{file_no:02d}{k}"
                         for k, i in enumerate(bad["dossier_id"])]
    bad["dossier_index"] = -1
    bad.loc[bad["bad_reason"] == "missing_dossier_id", "dossier_id"] = None
    fbr = bad["bad_reason"] == "finished_before_received"
    bad.loc[fbr, "finished_shown"] = bad.loc[fbr, "received_at"] - pd.Timedelta(days=2)
    bad.loc[fbr, "status"] = 9
    bad.loc[fbr, "returned_shown"] = pd.NaT
    return bad


def _place_bad(rows: pd.DataFrame, bad: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = rows.assign(bad_reason=None)
    order = np.concatenate([np.arange(len(rows)) + 0.5,
                            rng.integers(1, len(rows), len(bad)).astype(float)])
    both = pd.concat([rows, bad], ignore_index=True)
    return both.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def list_screen_file(name: str, rows: pd.DataFrame, q_index: int, file_no: int,
                     rng: np.random.Generator) -> tuple[RawFile, pd.DataFrame]:
    """A list-screen export (.xlsx/.xls): Vietnamese headers, title lines, footer.

    Returns the file and ``rows`` with ``source_row`` and the file's profile columns.
    """
    quarter = spec.QUARTERS[q_index]
    styles = spec.DATE_STYLES[q_index % len(spec.DATE_STYLES)]
    yes_no = spec.YES_NO_ORDER[(q_index + file_no) % 4]
    has_authority = not (name.endswith(("phuong.xlsx", "phuong.xls")) and q_index < 4)
    numeric_channel = (q_index + file_no) % 3 == 2

    def head(key: str) -> str:
        options = spec.HEADER_VARIANTS[key]
        return options[(q_index + file_no) % len(options)]

    n = len(rows)
    cols: dict[str, list] = {"STT": list(range(1, n + 1))}
    cols[head("dossier_id")] = list(rows["dossier_id"])
    cols[head("procedure_code")] = list(rows["procedure_code"])
    cols[head("procedure_name")] = list(nfd(rows["procedure_name"].astype(object), rng, 0.04))
    cols[head("field")] = list(nfd(rows["field"].astype(object), rng, 0.04))
    reception = spell_units(rows["reception_code"], rng)
    authority = spell_units(rows["unit_code"], rng)
    unknown = (rows["bad_reason"] == "unknown_unit").to_numpy()
    if has_authority:
        authority[unknown] = spec.UNKNOWN_UNIT
    else:
        reception[unknown] = spec.UNKNOWN_UNIT
    cols[head("reception")] = list(reception)
    if has_authority:
        cols[head("authority")] = list(authority)
    if numeric_channel:
        cols[head("channel")] = list(rows["channel"].map(spec.CHANNEL_CODE))
    else:
        pick = rng.integers(0, 2, n)
        cols[head("channel")] = [spec.CHANNEL_TEXT[c][i % len(spec.CHANNEL_TEXT[c])]
                                 for c, i in zip(rows["channel"], pick, strict=True)]
    level = rows["online_level"].map(spec.ONLINE_LEVEL_TEXT).where(rows["in_catalogue"], None)
    cols[head("online_level")] = list(level.astype(object).where(level.notna(), None))
    dates = {}
    for key, src, style in zip(
        ["received_at", "due_at", "finished_at", "returned_at"],
        ["received_at", "due_at", "finished_shown", "returned_shown"], styles, strict=True,
    ):
        dates[key] = render_dates(rows[src], style)
    bad_date = (rows["bad_reason"] == "unparseable_date").to_numpy()
    dates["received_at"][bad_date] = [f"31/02/{quarter[:4]} 08:15"] * int(bad_date.sum())
    for key in dates:
        cols[head(key)] = list(dates[key])
    pick = rng.integers(0, 2, n)
    cols[head("status")] = [spec.STATUS_TEXT[s][i % len(spec.STATUS_TEXT[s])]
                            for s, i in zip(rows["status"], pick, strict=True)]
    cols[head("supplement_count")] = [int(v) for v in rows["supplement_count"]]
    for key, src in [("digitised_input", "digitised_input"),
                     ("digitised_result", "digitised_result_shown"),
                     ("reused_data", "reused_data"), ("has_fee", "has_fee"),
                     ("paid_online", "paid_online"), ("apology_issued", "apology_issued")]:
        cols[head(key)] = _yes_no(rows[src], yes_no)
    for key, header in spec.PERSONAL_HEADERS.items():
        cols[header] = list(rows[key])
    header = list(cols)
    body = [list(r) for r in zip(*cols.values(), strict=True)]
    what = "DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    if "tx_huong_thuy" in name:
        what += " TẠI TRUNG TÂM HÀNH CHÍNH CÔNG"
    lines = _title(quarter, what) + [header]
    header_row = len(lines)
    repeat_at = n // 2 if ("tx_huong_thuy" in name and q_index % 2 == 1) else None
    data_rows = []
    for i, row in enumerate(body):
        if i == repeat_at:
            lines.append(list(header))  # the header repeated at a page break
        lines.append(row)
        data_rows.append(len(lines))
    lines += [[], [f"Tổng cộng: {n} hồ sơ"], ["Người lập biểu", None, None, None, None,
                                                "Thủ trưởng đơn vị"]]
    skipped = 4 + (repeat_at is not None) + 3
    fmt = "xls" if name.endswith(".xls") else "xlsx"
    out = rows.assign(source_file=name, source_row=data_rows, has_columns="list",
                      style_received=styles[0], style_due=styles[1], style_finished=styles[2],
                      style_returned=styles[3], authority_in_file=has_authority)
    return RawFile(name, "dossiers", fmt, lines, header_row, skipped, data_rows=data_rows), out


def sync_csv_file(name: str, rows: pd.DataFrame, q_index: int,
                  rng: np.random.Generator) -> tuple[RawFile, pd.DataFrame]:
    """A national-synchronisation export (.csv): field names, codes, compact timestamps."""
    style = "dmy_hms" if q_index % 3 == 1 else "compact"
    authority = spell_units(rows["unit_code"], rng)
    authority[(rows["bad_reason"] == "unknown_unit").to_numpy()] = spec.UNKNOWN_UNIT
    dates = [render_dates(rows[c], style)
             for c in ["received_at", "due_at", "finished_shown", "returned_shown"]]
    bad_date = (rows["bad_reason"] == "unparseable_date").to_numpy()
    dates[0][bad_date] = "2024023108150"
    body = pd.DataFrame({
        "MaHoSo": rows["dossier_id"], "MaTTHC": rows["procedure_code"],
        "TenTTHC": nfd(rows["procedure_name"].astype(object), rng, 0.03),
        "TenLinhVuc": rows["field"], "DonViXuLy": authority,
        "KenhThucHien": rows["channel"].map(spec.CHANNEL_CODE).astype(str),
        "NgayTiepNhan": dates[0], "NgayHenTra": dates[1], "NgayKetThucXuLy": dates[2],
        "NgayTra": dates[3], "TrangThaiHoSo": rows["status"].astype(str),
        "ChuHoSo": rows["owner"], "SoDienThoai": rows["phone"],
        "SoGiayToChuHoSo": rows["id_number"],
        "TrichYeuHoSo": rows["summary"],
    })
    header = list(spec.SYNC_COLUMNS)
    lines = [header]
    repeat_at = len(body) // 3 if q_index % 2 == 1 else None
    data_rows = []
    for i, row in enumerate(body.itertuples(index=False)):
        if i == repeat_at:
            lines.append(list(header))  # two exports pasted together
        lines.append([None if v is None else v for v in row])
        data_rows.append(len(lines))
    blank_end = q_index % 3 == 0
    if blank_end:
        lines.append([])
    encoding, delimiter = [("utf-8", ","), ("utf-8-sig", ","), ("utf-8", ";"),
                           ("utf-8-sig", ";")][q_index % 4]
    if q_index == 2:
        encoding, delimiter = "utf-16", "\t"
    out = rows.assign(source_file=name, source_row=data_rows, has_columns="sync",
                      style_received=style, style_due=style, style_finished=style,
                      style_returned=style, authority_in_file=True)
    raw = RawFile(name, "dossiers", "csv", lines, 1, (repeat_at is not None) + blank_end,
                  merge_title=False, encoding=encoding, delimiter=delimiter,
                  data_rows=data_rows)
    return raw, out


def read_back(values: pd.Series, styles: pd.Series) -> pd.Series:
    """Per-row :func:`as_read` (each row carries the date style of the file it came from)."""
    date_only = styles.isin(list(spec.DATE_ONLY_STYLES))
    return values.where(~date_only, values.dt.floor("D"))


def pakn_file(quarter: str, rows: pd.DataFrame, rng: np.random.Generator) -> RawFile:
    """The quarter's list of feedback and petitions (PAKN) with its title and footer lines."""
    n = len(rows)
    header = ["STT", "Mã PAKN", "Ngày tiếp nhận", "Đơn vị xử lý", "Hạn xử lý", "Ngày xử lý",
              "Trạng thái", "Phân loại", "Nội dung", "Người phản ánh"]
    body = zip(
        range(1, n + 1), rows["pakn_id"], render_dates(rows["received_at"], "dmy_hm"),
        spell_units(rows["unit_code"], rng), render_dates(rows["due_at"], "dmy"),
        render_dates(rows["handled_at"], "dmy"),
        rows["status"].map({"da_xu_ly": "Đã xử lý", "dang_xu_ly": "Đang xử lý"}),
        rows["classification"].map({"quy_dinh_hanh_chinh": "Quy định hành chính",
                                    "hanh_vi_cbcc": "Hành vi hành chính của CBCC"}),
        rows["content"], rows["petitioner"], strict=True,
    )
    lines = _title(quarter, "DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ VỀ QUY ĐỊNH HÀNH CHÍNH") + [header]
    header_row = len(lines)
    data_rows = []
    for row in body:
        lines.append(list(row))
        data_rows.append(len(lines))
    lines += [[], ["Người lập biểu"]]
    return RawFile(f"{quarter}_pakn.xlsx", "pakn", "xlsx", lines, header_row, 6,
                   data_rows=data_rows)


def edocs_file(quarter: str, rows: pd.DataFrame, rng: np.random.Generator) -> RawFile:
    """The quarter's count of documents sent, per unit and month, with a totals line."""
    header = ["STT", "Đơn vị", "Tháng", "Tổng số văn bản đi", "Văn bản điện tử", "Văn bản mật"]
    body = zip(range(1, len(rows) + 1), spell_units(rows["unit_code"], rng),
               rows["month"].astype(object), rows["documents_sent"].astype(int),
               rows["documents_electronic"].astype(int), rows["documents_secret"].astype(int),
               strict=True)
    lines = _title(quarter, "SỐ LIỆU VĂN BẢN ĐIỆN TỬ GỬI, NHẬN") + [header]
    header_row = len(lines)
    data_rows = []
    for row in body:
        lines.append(list(row))
        data_rows.append(len(lines))
    lines.append(["Tổng cộng", None, None, int(rows["documents_sent"].sum()),
                  int(rows["documents_electronic"].sum()), int(rows["documents_secret"].sum())])
    lines += [[], ["Người lập biểu"]]
    return RawFile(f"{quarter}_van_ban_dien_tu.xlsx", "edocs", "xlsx", lines, header_row, 7,
                   date_format="mm/yyyy", data_rows=data_rows)
