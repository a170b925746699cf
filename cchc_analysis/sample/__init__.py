"""The synthetic sample: raw exports of Hương Thủy's one-stop system, 2023Q1-2026Q3.

``cchc sample [--out DIR] [--seed 0]`` writes the files a Hương Thủy analyst would receive
(dossier lists as list-screen .xlsx/.xls and national-sync .csv, PAKN lists, e-document counts),
messy the way real exports are (DESIGN §4), and marks the folder with ``SYNTHETIC.json``.
:func:`ground_truth` returns the clean tables a correct cleaner must reproduce from them.

Choices where the design is silent (a Vietnamese data analyst's reading):

* Appointment (``due_at``) = the working day given by :func:`workdays.add_working_days` from
  the reception day and the catalogue's statutory days, at 17:00 (end of office hours; 23:59
  for a same-day procedure received after 17:00). 0.5 % get a later appointment than the
  statute allows; 0.2 % have none.
* A file lists the dossiers received in its quarter plus those finished in it; each shows its
  state on the last day of the quarter. Truth = the most advanced appearance (highest status
  code); equally advanced copies (inter-agency dossiers) resolve to the first in (file name,
  row) order.
* Everything received at the dissolved units and at the town centre is closed by 30/06/2025.
* A column absent from a file gives missing values in the truth (the national-sync CSV has
  no yes/no columns, no supplement count and no reception column: reception is the unit's
  usual point). ``online_level`` comes from the catalogue (missing for unknown procedures).
* Date-only spellings (dd/mm/yyyy, yyyy-mm-dd) read back as midnight.
"""

from __future__ import annotations

import argparse
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, refdata, schema
from ..io import atomic_write, write_text_atomic
from . import events, render, spec, writers

__all__ = ["GroundTruth", "SampleResult", "add_arguments", "generate", "ground_truth", "run",
           "write_sample"]

GENERATOR = "cchc_analysis.sample"


@dataclass(frozen=True)
class GroundTruth:
    """The clean tables the generator intended (canonical :mod:`schema` columns and dtypes).

    ``bad_rows``: ``source_file, source_row, reason`` of every row meant for quarantine
    (reasons ``missing_dossier_id``, ``unparseable_date``, ``finished_before_received``,
    ``unknown_unit``). ``reconciliation``: :data:`schema.RECONCILIATION_COLUMNS` per file
    (``skipped_lines`` counts title, blank, repeated-header and footer lines, not the header).
    """

    dossiers: pd.DataFrame
    pakn: pd.DataFrame
    edocs: pd.DataFrame
    bad_rows: pd.DataFrame
    reconciliation: pd.DataFrame


@dataclass(frozen=True)
class SampleResult:
    """Everything :func:`generate` made: the files (in memory) and the truth behind them."""

    seed: int
    files: dict[str, render.RawFile]
    truth: GroundTruth
    personal_values: frozenset[str]


def _with_people(d: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    ppl = render.people(rng, len(d), d["reception_code"])
    d = pd.concat([d, ppl.set_index(d.index)], axis=1)
    # Trích yếu: short free text naming the citizen (personal, like every such column).
    d["summary"] = "Hồ sơ của " + d["owner"]
    return d


def _dossier_files(a: pd.DataFrame, rng: np.random.Generator):
    files, shown = {}, []
    for file_no, name in enumerate(sorted(a["file"].unique())):
        rows = a[a["file"] == name].sort_values(["received_at", "dossier_id"])
        q_index = spec.QUARTERS.index(name[:6])
        rows = render._place_bad(rows, render._bad_rows(rows, rng, file_no), rng)
        if name.endswith(".csv"):
            raw, out = render.sync_csv_file(name, rows, q_index, rng)
        else:
            raw, out = render.list_screen_file(name, rows, q_index, file_no, rng)
        files[name] = raw
        shown.append(out)
    return files, pd.concat(shown, ignore_index=True)


def _dossier_truth(shown: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Winner per dossier and, per file, how many of its rows were merged away."""
    good = shown[shown["bad_reason"].isna()].copy()
    good = good.sort_values(["dossier_index", "status", "source_file", "source_row"],
                            ascending=[True, False, True, True], kind="stable")
    first = ~good["dossier_index"].duplicated()
    losers = good.loc[~first, "source_file"].value_counts()
    w = good[first].copy()
    levels = refdata.load_units().set_index("code")["level"]
    listed = w["has_columns"] == "list"
    w["received_at"] = render.read_back(w["received_at"], w["style_received"])
    w["due_at"] = render.read_back(w["due_at"], w["style_due"])
    w["finished_at"] = render.read_back(w["finished_shown"], w["style_finished"])
    w["returned_at"] = render.read_back(w["returned_shown"], w["style_returned"])
    w["level"] = w["unit_code"].map(levels)
    w["online_level"] = w["online_level"].where(w["in_catalogue"])
    w["digitised_result"] = w["digitised_result_shown"]
    for col in ["supplement_count", "digitised_input", "digitised_result", "reused_data",
                "has_fee", "paid_online", "apology_issued"]:
        w[col] = w[col].astype(object).where(listed, None)
    w = w.sort_values(["received_at", "dossier_id"], kind="stable")
    return schema.conform(w.reset_index(drop=True), schema.DOSSIER_COLUMNS), losers


def _pakn(rng: np.random.Generator):
    p = events.draw_pakn(rng)
    who = render.people(rng, len(p), pd.Series([spec.TOWN] * len(p)))
    topics = ["thời gian giải quyết hồ sơ", "thành phần hồ sơ phải nộp", "thái độ tiếp dân",
              "phí, lệ phí", "thủ tục chứng thực", "cấp Giấy chứng nhận quyền sử dụng đất"]
    p["petitioner"] = who["owner"].to_numpy()
    p["content"] = ("Ông/bà " + p["petitioner"] + " phản ánh về "
                    + pd.Series(rng.choice(topics, len(p))).to_numpy())
    files, truth = {}, []
    for quarter, rows in p.groupby("quarter", sort=True):
        raw = render.pakn_file(quarter, rows, rng)
        files[raw.name] = raw
        truth.append(rows.assign(source_file=raw.name, source_row=raw.data_rows,
                                 due_at=rows["due_at"].dt.floor("D"),
                                 handled_at=rows["handled_at"].dt.floor("D")))
    table = schema.conform(pd.concat(truth, ignore_index=True), schema.PAKN_COLUMNS)
    personal = set(p["petitioner"]) | set(p["content"])
    return files, table, personal


def _edocs(rng: np.random.Generator):
    e = events.draw_edocs(rng)
    files, truth = {}, []
    for quarter, rows in e.groupby("quarter", sort=True):
        raw = render.edocs_file(quarter, rows, rng)
        files[raw.name] = raw
        truth.append(rows.assign(source_file=raw.name, source_row=raw.data_rows))
    return files, schema.conform(pd.concat(truth, ignore_index=True), schema.EDOC_COLUMNS)


@functools.cache
def generate(seed: int = 0) -> SampleResult:
    """Generate the whole sample in memory (cached per seed; treat the frames as read-only).

    Parameters
    ----------
    seed
        Seed of the :class:`numpy.random.Generator`; the same seed gives the same files.
    """
    rng = np.random.default_rng(seed)
    d = _with_people(events.draw_dossiers(rng), rng)
    a = render.appearances(d, rng)
    files, shown = _dossier_files(a, rng)
    dossiers, losers = _dossier_truth(shown)
    bad = shown.loc[shown["bad_reason"].notna(), ["source_file", "source_row", "bad_reason"]]
    bad = bad.rename(columns={"bad_reason": "reason"}).reset_index(drop=True)
    pakn_files, pakn, pakn_personal = _pakn(rng)
    edoc_files, edocs = _edocs(rng)
    files.update(pakn_files)
    files.update(edoc_files)
    files = dict(sorted(files.items()))
    recon = _reconciliation(files, dossiers, pakn, edocs, bad, losers)
    personal = set()
    for col in ["owner", "submitter", "phone", "address", "id_number", "email", "summary"]:
        personal.update(d[col])
    personal |= pakn_personal
    truth = GroundTruth(dossiers, pakn, edocs, bad, recon)
    return SampleResult(seed, files, truth, frozenset(personal))


def _reconciliation(files, dossiers, pakn, edocs, bad, losers) -> pd.DataFrame:
    clean = pd.concat([t["source_file"] for t in (dossiers, pakn, edocs)]).value_counts()
    quarantined = bad["source_file"].value_counts()
    rows = []
    for name, raw in files.items():
        rows.append({
            "source_file": name, "kind": raw.kind, "rows_read": len(raw.data_rows),
            "clean": int(clean.get(name, 0)), "quarantined": int(quarantined.get(name, 0)),
            "duplicates_merged": int(losers.get(name, 0)), "skipped_lines": raw.skipped_lines,
        })
    return pd.DataFrame(rows, columns=schema.RECONCILIATION_COLUMNS)


def ground_truth(seed: int = 0) -> GroundTruth:
    """The clean tables the generator intended for ``seed`` (copies, safe to modify)."""
    t = generate(seed).truth
    return GroundTruth(*(getattr(t, f).copy() for f in
                         ["dossiers", "pakn", "edocs", "bad_rows", "reconciliation"]))


def marker(seed: int) -> dict:
    """Content of ``SYNTHETIC.json``."""
    return {
        "synthetic": True,
        "generator": GENERATOR,
        "seed": seed,
        "period": f"{spec.FIRST_QUARTER}..{spec.LAST_QUARTER}",
        "note": ("Dữ liệu mô phỏng, không phải số liệu thật của thị xã Hương Thủy: mọi họ tên, "
                 "số điện thoại, số CCCD, địa chỉ và email đều là giả. Quý I/2024 được hiệu "
                 "chỉnh theo tỷ lệ đúng hạn đã công bố (97,5%; 94,5%; 98,8%)."),
    }


def write_sample(out_dir: str | Path | None = None, seed: int = 0,
                 only: list[str] | None = None) -> SampleResult:
    """Write the sample files (or only those named in ``only``) and ``SYNTHETIC.json``.

    Files not written by this generator are left alone; each file is written atomically.
    """
    out = Path(out_dir) if out_dir is not None else config.SAMPLE_DIR
    result = generate(seed)
    for name, raw in result.files.items():
        if only is None or name in only:
            atomic_write(out / name, functools.partial(_write_one, raw))
    text = json.dumps(marker(seed), ensure_ascii=False, indent=2) + "\n"
    write_text_atomic(out / config.SYNTHETIC_MARKER, text)
    return result


def _write_one(raw: render.RawFile, path: Path) -> None:
    writers.write_file(raw, path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``cchc sample``."""
    parser.add_argument("--out", type=Path, default=None,
                        help=f"output folder (default: {config.SAMPLE_DIR})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def run(args: argparse.Namespace) -> int:
    """``cchc sample``: write the synthetic sample and say what was written."""
    out = args.out if args.out is not None else config.SAMPLE_DIR
    result = write_sample(out, seed=args.seed)
    n = len(result.truth.dossiers)
    print(f"cchc sample: {len(result.files)} files, {n:,} dossiers -> {out}".replace(",", "."))
    return 0
