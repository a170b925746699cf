"""The batch modules split from run.py: summary, up-to-date check, index template, IPC kernels."""

from __future__ import annotations

import json
from pathlib import Path

from cchc_analysis.batch.execute import BatchResult, NotebookResult, NotebookTask, new_kernel_manager
from cchc_analysis.batch.index import period_files, render_index, unit_files, write_index
from cchc_analysis.batch.summary import dossiers_counted, shown_path, summary_lines
from cchc_analysis.batch.uptodate import fingerprint, previous_build
from cchc_analysis.run import units_count


def _quarter_dir(tmp_path: Path) -> Path:
    q = tmp_path / "out" / "2024Q1"
    (q / "units").mkdir(parents=True)
    (q / "form06.csv").write_text(
        "unit_code,field,received_total,carried_over\nALL,ALL,4984,168\nALL,Hộ tịch,10,1\n", encoding="utf-8"
    )
    (q / "report.html").write_text("x")
    (q / "units" / "p-phu-bai.html").write_text("x")
    (q / "form06.xlsx").write_text("x")
    (tmp_path / "out" / "index.html").write_text("x")
    return q


def _batch(q: Path) -> BatchResult:
    def task(unit, html):
        return NotebookTask("03_report", Path("03_report.ipynb"), q / "nb.ipynb", {}, q, unit=unit, html=html)

    return BatchResult("2024Q1", [
        NotebookResult(task(None, q / "report.html"), "ok"),
        NotebookResult(task("p-phu-bai", q / "units" / "p-phu-bai.html"), "ok"),
    ])


class TestShownPath:
    def test_relative_inside_the_base(self, tmp_path):
        assert shown_path(tmp_path / "a" / "b.html", tmp_path) == "a/b.html"

    def test_absolute_outside_the_base(self, tmp_path):
        assert shown_path("/etc/hosts", tmp_path) == "/etc/hosts"


class TestDossiersCounted:
    def test_reads_the_whole_area_row_of_form06(self, tmp_path):
        assert dossiers_counted(_quarter_dir(tmp_path)) == (4984, 168)

    def test_none_without_form06(self, tmp_path):
        assert dossiers_counted(tmp_path) is None


class TestSummaryLines:
    def test_says_what_was_built_how_many_dossiers_and_where(self, tmp_path, monkeypatch):
        q = _quarter_dir(tmp_path)
        monkeypatch.chdir(tmp_path)
        assert summary_lines(_batch(q), tmp_path / "out", "calendar", 12.34) == [
            "Đã lập báo cáo quý I năm 2024 (theo quý dương lịch) cho toàn địa bàn và 1 đơn vị (p-phu-bai) trong 12,3 giây.",
            "  Hồ sơ trong kỳ: 4.984 (tiếp nhận mới 4.816, kỳ trước chuyển sang 168)",
            "  Báo cáo HTML: out/2024Q1/report.html, out/2024Q1/units/p-phu-bai.html",
            "  Bảng Excel: out/2024Q1/form06.xlsx",
            "  Mục lục các báo cáo: out/index.html",
        ]

    def test_an_up_to_date_run_says_nothing_changed_first(self, tmp_path, monkeypatch):
        q = _quarter_dir(tmp_path)
        monkeypatch.chdir(tmp_path)
        lines = summary_lines(_batch(q), tmp_path / "out", "nd09", 0.3, up_to_date=True)
        assert (lines[0].startswith("Không có gì thay đổi"), lines[1].startswith(
            "Đã có báo cáo quý I năm 2024 (theo Nghị định 09/2019/NĐ-CP)")) == (True, True)


class TestUnitsCount:
    def test_counts_distinct_codes_and_leaves_all_open(self):
        assert [units_count(None), units_count("a, b,a"), units_count("ALL")] == [0, 2, None]


class TestFingerprintAndPreviousBuild:
    def _dirs(self, tmp_path):
        raw, processed, nbs = tmp_path / "raw", tmp_path / "processed", tmp_path / "nbs"
        for d in (raw, processed, nbs):
            d.mkdir()
        (raw / "dossiers.csv").write_text("a\n")
        (processed / "dossiers.parquet").write_text("p")
        (nbs / "02_indicators.ipynb").write_text("{}")
        return raw, processed, nbs

    def test_changes_with_parameters_processed_data_and_notebooks(self, tmp_path):
        raw, processed, nbs = self._dirs(tmp_path)
        first = fingerprint({"quarter": "2024Q1"}, raw, processed, nbs)
        other_quarter = fingerprint({"quarter": "2024Q2"}, raw, processed, nbs)
        (processed / "dossiers.parquet").write_text("q")
        other_data = fingerprint({"quarter": "2024Q1"}, raw, processed, nbs)
        (nbs / "02_indicators.ipynb").write_text('{"cells": []}')
        other_code = fingerprint({"quarter": "2024Q1"}, raw, processed, nbs)
        assert len({first, other_quarter, other_data, other_code}) == 4

    def test_ignores_the_number_of_jobs(self, tmp_path):
        raw, processed, nbs = self._dirs(tmp_path)
        assert fingerprint({"jobs": 1}, raw, processed, nbs) == fingerprint({"jobs": 4}, raw, processed, nbs)

    def test_previous_build_needs_success_same_fingerprint_and_its_files(self, tmp_path):
        q = _quarter_dir(tmp_path)
        from cchc_analysis.batch.inputs import sha256_file

        done = {"executed": None, "html": "report.html", "html_sha256": sha256_file(q / "report.html")}
        manifest = {"status": "ok", "fingerprint": "f", "notebooks": [done]}
        (q / "manifest.json").write_text(json.dumps(manifest))
        found = [previous_build(q / "manifest.json", "f") is not None, previous_build(q / "manifest.json", "g")]
        (q / "report.html").unlink()
        found.append(previous_build(q / "manifest.json", "f"))
        assert found == [True, None, None]


class TestRenderIndex:
    def test_escapes_names_and_links(self):
        page = render_index([{"title": "Quý I năm 2024", "notes": ["a < b"], "report": "2024Q1/report.html",
                              "units": [("2024Q1/units/x.html", "<script>alert(1)</script>", [])]}])
        assert ("<script>alert" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "a &lt; b" in page) == (
            False, True, True
        )

    def test_an_empty_list_says_there_is_no_report_yet(self):
        assert "Chưa có báo cáo nào." in render_index([])


class TestPeriodFiles:
    def test_links_the_form_workbook_and_draft_present_in_order(self, tmp_path):
        q = tmp_path / "2024Q1"
        q.mkdir()
        for name in ("bao_cao_2024Q1.docx", "form06.xlsx", "chi_so_2024Q1.xlsx", "bao_cao_2024Q1_p-phu-bai.docx"):
            (q / name).write_bytes(b"x")
        assert [href for href, _ in period_files(q)] == [
            "2024Q1/form06.xlsx", "2024Q1/chi_so_2024Q1.xlsx", "2024Q1/bao_cao_2024Q1.docx"]

    def test_a_missing_file_is_not_linked(self, tmp_path):
        q = tmp_path / "2024Q2"
        q.mkdir()
        (q / "form06.xlsx").write_bytes(b"x")
        assert period_files(q) == [("2024Q2/form06.xlsx", "Biểu số 06/VPCP/KSTT (Excel)")]

    def test_the_index_page_links_them_under_the_period(self, tmp_path):
        q = tmp_path / "2024Q1"
        q.mkdir()
        for name in ("report.html", "form06.xlsx", "chi_so_2024Q1.xlsx", "bao_cao_2024Q1.docx"):
            (q / name).write_bytes(b"x")
        page = write_index(tmp_path).read_text(encoding="utf-8")
        assert [f'href="2024Q1/{n}"' in page for n in ("report.html", "form06.xlsx", "chi_so_2024Q1.xlsx",
                                                        "bao_cao_2024Q1.docx")] == [True] * 4


class TestUnitFiles:
    def test_links_the_units_own_workbook_and_draft_present(self, tmp_path):
        q = tmp_path / "2024H1"
        q.mkdir()
        for name in ("bao_cao_2024H1_p-phu-bai.docx", "chi_so_2024H1_p-phu-bai.xlsx", "bao_cao_2024H1.docx",
                     "chi_so_2024H1_x-phu-son.xlsx"):
            (q / name).write_bytes(b"x")
        assert (unit_files(q, "p-phu-bai"), unit_files(q, "x-phu-son"), unit_files(q, "x-duong-hoa")) == (
            [("2024H1/chi_so_2024H1_p-phu-bai.xlsx", "Phụ lục số liệu (Excel)"),
             ("2024H1/bao_cao_2024H1_p-phu-bai.docx", "Dự thảo báo cáo (Word)")],
            [("2024H1/chi_so_2024H1_x-phu-son.xlsx", "Phụ lục số liệu (Excel)")], [])

    def test_the_index_links_them_next_to_the_units_report(self, tmp_path):
        q = tmp_path / "2024Q1"
        (q / "units").mkdir(parents=True)
        for name in ("units/p-phu-bai.html", "units/x-phu-son.html", "bao_cao_2024Q1_p-phu-bai.docx",
                     "chi_so_2024Q1_p-phu-bai.xlsx"):
            (q / name).write_bytes(b"x")
        page = write_index(tmp_path).read_text(encoding="utf-8")
        rows = [line for line in page.splitlines() if "units/" in line]
        assert rows == [
            '<li><a href="2024Q1/units/p-phu-bai.html">phường Phú Bài</a> · '
            '<a href="2024Q1/chi_so_2024Q1_p-phu-bai.xlsx">Phụ lục số liệu (Excel)</a> · '
            '<a href="2024Q1/bao_cao_2024Q1_p-phu-bai.docx">Dự thảo báo cáo (Word)</a></li>',
            '<li><a href="2024Q1/units/x-phu-son.html">xã Phú Sơn</a></li>',
        ]


class TestNewKernelManager:
    def test_uses_ipc_with_a_socket_prefix_of_its_own(self):
        a, b = new_kernel_manager(), new_kernel_manager()
        assert (a.transport, b.transport, a.ip != b.ip, "cchc-kernel-" in a.ip) == ("ipc", "ipc", True, True)
