"""``cchc run``: quarter choice, clean-only-when-changed, failures, manifest, index, refresh.

The batch tests use three tiny notebooks written into ``tmp_path`` (named like the real ones
and declaring the same parameters) so they exercise papermill, processes and HTML export in
seconds without the heavy pipeline.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cchc_analysis import __version__, cli
from cchc_analysis.errors import CchcError
from cchc_analysis.run import (
    latest_complete_quarter,
    latest_complete_quarter_on,
    raw_changed,
    raw_file_hashes,
    refresh_committed_notebooks,
    select_units,
    strip_machine_metadata,
    write_index,
)

# One worker runs the whole module under `pytest -n 2 --dist loadgroup`: the batch fixtures
# below execute notebooks and are shared by many tests.
pytestmark = pytest.mark.xdist_group("run_batch")

PARAMS = (
    'quarter: str = "2024Q1"  # quarter to report, e.g. 2024Q1\n'
    'period: str = "calendar"  # calendar or nd09\n'
    'unit: "Optional[str]" = None  # unit code, e.g. p-phu-bai; None: the whole area\n'
    'raw_dir: str = "../data/raw/sample"  # raw exports\n'
    'processed_dir: str = "../data/processed"  # cleaned tables\n'
    'output_dir: str = "../outputs"  # per-quarter outputs\n'
)

CLEAN_SRC = """\
import json, pathlib
import pandas as pd
from cchc_analysis.clean import reference_digests
from cchc_analysis.run import raw_file_hashes
out = pathlib.Path(processed_dir); out.mkdir(parents=True, exist_ok=True)
last = pathlib.Path(raw_dir, "dossiers.csv").read_text().split()[-1]
pd.DataFrame({"received_at": pd.to_datetime(["2024-01-02", last])}).to_parquet(out / "dossiers.parquet")
(out / "clean_meta.json").write_text(json.dumps({"synthetic": True, "files": raw_file_hashes(raw_dir),
                                                 "reference": reference_digests()}))
with open(out / "clean_runs.log", "a") as log:
    log.write("run\\n")
"""

INDICATORS_SRC = """\
import pathlib
if pathlib.Path("fail_02").exists():
    raise RuntimeError("indicators broken on purpose")
q = pathlib.Path(output_dir, quarter); q.mkdir(parents=True, exist_ok=True)
(q / "indicators.csv").write_text("unit_code,value\\nALL,97.5\\n")
"""

REPORT_SRC = """\
import pathlib
from IPython.display import Markdown, display
if unit is not None and pathlib.Path(f"fail_03_{unit}").exists():
    raise ValueError(f"report broken on purpose for {unit}")
display(Markdown(f"Tỷ lệ hồ sơ giải quyết đúng hạn đạt **97,5%** ({unit or 'toàn địa bàn'})."))
"""


def _notebook(path: Path, body: str, extra_params: str = "") -> Path:
    nb = new_notebook()
    nb.cells = [
        new_code_cell(PARAMS + extra_params, metadata={"tags": ["parameters"]}),
        new_markdown_cell("# Báo cáo thử"),
        new_code_cell(body),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A tiny project: notebooks, a raw folder with one export, empty processed/outputs."""
    root = tmp_path_factory.mktemp("project")
    nbdir = root / "notebooks"
    nbdir.mkdir()
    _notebook(nbdir / "01_clean.ipynb", CLEAN_SRC)
    _notebook(nbdir / "02_indicators.ipynb", INDICATORS_SRC, 'engine: str = "pandas"  # engine\n')
    _notebook(nbdir / "03_report.ipynb", REPORT_SRC)
    raw = root / "raw"
    raw.mkdir()
    (raw / "dossiers.csv").write_text("received\n2024-04-10\n")
    (raw / "README.md").write_text("not an export\n")
    return root


def _cli(project: Path, *extra: str) -> tuple[int, str, str]:
    """Run ``cchc run`` on the tiny project; return exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "run",
        "--raw", str(project / "raw"),
        "--processed", str(project / "processed"),
        "--out", str(project / "outputs"),
        "--notebooks", str(project / "notebooks"),
        *extra,
    ]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def first_run(project):
    """First run: no quarter given, two unit reports (x-phu-son fails), two processes."""
    (project / "notebooks" / "fail_03_x-phu-son").touch()
    try:
        result = _cli(project, "--units", "p-phu-bai,x-phu-son", "--jobs", "2")
    finally:
        (project / "notebooks" / "fail_03_x-phu-son").unlink()
    return _snapshot(project, result)


@pytest.fixture(scope="module")
def second_run(project, first_run):
    """Second run, raw exports unchanged."""
    return _snapshot(project, _cli(project, "--quarter", "2024Q1"))


def _snapshot(project: Path, result: tuple[int, str, str]) -> dict:
    """The run's exit status and streams, with its manifest, index and HTML files as written."""
    q = project / "outputs" / "2024Q1"
    code, out, err = result
    return {
        "code": code,
        "out": out,
        "err": err,
        "manifest": json.loads((q / "manifest.json").read_text(encoding="utf-8")),
        "index": (project / "outputs" / "index.html").read_text(encoding="utf-8"),
        "html": sorted(p.relative_to(q).as_posix() for p in q.rglob("*.html")),
    }


class TestLatestCompleteQuarterOn:
    def test_last_day_of_a_calendar_quarter_completes_it(self):
        assert str(latest_complete_quarter_on(date(2024, 3, 31))) == "2024Q1"

    def test_a_day_before_the_end_gives_the_previous_quarter(self):
        assert str(latest_complete_quarter_on(date(2024, 3, 30))) == "2023Q4"

    def test_days_into_the_next_quarter_still_give_the_last_complete_one(self):
        assert str(latest_complete_quarter_on(date(2024, 4, 10))) == "2024Q1"

    def test_nd09_quarter_ends_on_the_14th_of_its_last_month(self):
        assert str(latest_complete_quarter_on(date(2024, 3, 14), "nd09")) == "2024Q1"

    def test_nd09_one_day_before_the_cutoff_gives_the_previous_quarter(self):
        assert str(latest_complete_quarter_on(date(2024, 3, 13), "nd09")) == "2023Q4"

    @pytest.mark.parametrize(("day", "period", "kind", "expected"), [
        (date(2024, 7, 10), "calendar", "H1", "2024H1"),
        (date(2024, 6, 29), "calendar", "H1", "2023H1"),
        (date(2024, 6, 14), "nd09", "H1", "2024H1"),
        (date(2024, 9, 30), "calendar", "M9", "2024M9"),
        (date(2024, 12, 30), "calendar", "Y", "2023Y"),
        (date(2024, 12, 14), "nd09", "Y", "2024Y"),
    ])
    def test_a_cumulative_kind_gives_the_latest_complete_period_of_that_kind(self, day, period, kind, expected):
        assert str(latest_complete_quarter_on(day, period, kind)) == expected


class TestLatestCompleteQuarter:
    def test_reads_the_last_received_date_of_the_processed_dossiers(self, tmp_path):
        frame = pd.DataFrame({"received_at": pd.to_datetime(["2023-11-02 08:00", "2024-07-01 09:30"])})
        frame.to_parquet(tmp_path / "dossiers.parquet")
        assert (latest_complete_quarter(tmp_path), latest_complete_quarter(tmp_path, kind="H1"),
                latest_complete_quarter(tmp_path, kind="M9")) == ("2024Q2", "2024H1", "2023M9")

    def test_without_processed_dossiers_raises_a_clear_error(self, tmp_path):
        with pytest.raises(CchcError, match="chạy `cchc clean`"):
            latest_complete_quarter(tmp_path)


class TestRawFileHashes:
    def test_hashes_only_export_files_by_relative_path(self, tmp_path):
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "a.xlsx").write_bytes(b"x")
        (tmp_path / "b.csv").write_bytes(b"")
        (tmp_path / "README.md").write_text("doc")
        (tmp_path / "~$b.xlsx").write_bytes(b"lock")
        assert raw_file_hashes(tmp_path) == {
            "b.csv": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sub/a.xlsx": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
        }


class TestRawChanged:
    @pytest.fixture
    def dirs(self, tmp_path):
        raw, processed = tmp_path / "raw", tmp_path / "processed"
        raw.mkdir()
        processed.mkdir()
        (raw / "dossiers.csv").write_text("a\n1\n")
        (processed / "dossiers.parquet").write_bytes(b"PAR1")
        meta = {"synthetic": False, "files": raw_file_hashes(raw)}
        (processed / "clean_meta.json").write_text(json.dumps(meta))
        return raw, processed

    def test_unchanged_raw_files_need_no_clean(self, dirs):
        assert raw_changed(*dirs) is False

    def test_a_modified_file_needs_a_clean(self, dirs):
        (dirs[0] / "dossiers.csv").write_text("a\n2\n")
        assert raw_changed(*dirs) is True

    def test_a_new_export_needs_a_clean(self, dirs):
        (dirs[0] / "pakn.xlsx").write_bytes(b"new")
        assert raw_changed(*dirs) is True

    def test_a_new_non_export_file_needs_no_clean(self, dirs):
        (dirs[0] / "notes.md").write_text("hello")
        assert raw_changed(*dirs) is False

    def test_a_removed_file_needs_a_clean(self, dirs):
        (dirs[0] / "dossiers.csv").unlink()
        assert raw_changed(*dirs) is True

    def test_no_clean_record_needs_a_clean(self, dirs):
        (dirs[1] / "clean_meta.json").unlink()
        assert raw_changed(*dirs) is True


class TestSelectUnits:
    def test_all_gives_every_unit_valid_in_the_quarter(self):
        units = select_units("all", "2024Q1")
        assert (len(units), units[0], units[-1]) == (12, "tx-huong-thuy", "cn-vpdkdd-huong-thuy")

    def test_all_after_the_reform_gives_the_new_wards(self):
        assert select_units("all", "2025Q4") == [
            "p-thanh-thuy", "p-huong-thuy", "p-phu-bai-2025", "cn-vpdkdd-huong-thuy",
        ]

    def test_a_list_keeps_the_given_order_without_duplicates(self):
        assert select_units("x-phu-son, p-phu-bai,x-phu-son", "2024Q1") == ["x-phu-son", "p-phu-bai"]

    def test_a_unit_not_valid_in_the_quarter_is_refused(self):
        with pytest.raises(CchcError, match="mã đơn vị p-thanh-thuy không có trong quý 2024Q1"):
            select_units("p-thanh-thuy", "2024Q1")

    def test_no_spec_means_no_unit_reports(self):
        assert select_units(None, "2024Q1") == []

    def test_a_cumulative_period_across_the_reform_has_old_and_new_units(self):
        units = select_units("all", "2025M9")
        assert (len(units), "p-thuy-chau" in units, "p-thanh-thuy" in units) == (15, True, True)

    def test_a_unit_not_valid_in_a_cumulative_period_is_refused_naming_the_period(self):
        with pytest.raises(CchcError, match="mã đơn vị p-thanh-thuy không có trong kỳ 2025H1"):
            select_units("p-thanh-thuy", "6 tháng đầu năm 2025")


class TestRun:
    def test_one_failing_unit_report_gives_exit_status_1(self, first_run):
        assert first_run["code"] == 1

    def test_the_failure_is_listed_with_the_executed_notebook(self, project, first_run):
        path = project / "outputs" / "2024Q1" / "notebooks" / "03_report_x-phu-son.ipynb"
        assert f"03_report [x-phu-son]: ValueError: report broken on purpose for x-phu-son — xem {path}" in first_run["err"]

    def test_the_executed_failing_notebook_shows_the_error(self, project, first_run):
        nb = nbformat.read(
            project / "outputs" / "2024Q1" / "notebooks" / "03_report_x-phu-son.ipynb", 4
        )
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert [e.ename for e in errors] == ["ValueError"]

    def test_the_other_reports_are_built_despite_the_failure(self, project, first_run):
        assert first_run["html"] == ["report.html", "units/p-phu-bai.html"]

    def test_without_quarter_the_latest_complete_quarter_is_built(self, first_run):
        assert "outputs/2024Q1/report.html" in first_run["out"]

    def test_clean_runs_again_only_when_raw_files_changed(self, project, second_run):
        runs_before = (project / "processed" / "clean_runs.log").read_text().count("run")
        (project / "raw" / "dossiers.csv").write_text("received\n2024-04-10\n2024-05-02\n")
        _cli(project, "--quarter", "2024Q1")
        runs_after = (project / "processed" / "clean_runs.log").read_text().count("run")
        assert (runs_before, runs_after) == (1, 2)

    def test_a_failed_indicators_notebook_skips_the_reports(self, project, second_run, tmp_path):
        (project / "notebooks" / "fail_02").touch()
        try:
            code, _, err = _cli(project, "--quarter", "2024Q1", "--out", str(tmp_path))
        finally:
            (project / "notebooks" / "fail_02").unlink()
        statuses = [n["status"] for n in json.loads((tmp_path / "2024Q1" / "manifest.json").read_text())["notebooks"]]
        assert (code, statuses) == (1, ["up_to_date", "failed", "skipped"])


class TestManifest:
    def test_records_status_of_each_notebook(self, project, first_run):
        entries = [(n["notebook"], n["unit"], n["status"]) for n in first_run["manifest"]["notebooks"]]
        assert entries == [
            ("01_clean", None, "ok"),
            ("02_indicators", None, "ok"),
            ("03_report", None, "ok"),
            ("03_report", "p-phu-bai", "ok"),
            ("03_report", "x-phu-son", "failed"),
        ]

    def test_records_paths_relative_to_the_quarter_folder(self, project, first_run):
        entry = first_run["manifest"]["notebooks"][3]
        assert (entry["executed"], entry["html"]) == (
            "notebooks/03_report_p-phu-bai.ipynb",
            "units/p-phu-bai.html",
        )

    def test_records_parameters_version_and_overall_status(self, project, first_run):
        m = first_run["manifest"]
        assert (m["quarter"], m["parameters"]["period"], m["parameters"]["units"], m["package_version"], m["status"]) == (
            "2024Q1", "calendar", ["p-phu-bai", "x-phu-son"], __version__, "failed"
        )

    def test_records_the_raw_input_hashes(self, project, first_run):
        assert list(first_run["manifest"]["inputs"]["raw"]) == ["dossiers.csv"]

    def test_records_the_synthetic_flag_of_the_clean(self, project, first_run):
        assert first_run["manifest"]["synthetic"] is True

    def test_records_a_duration_for_each_executed_notebook(self, project, first_run):
        assert all(n["duration_s"] > 0 for n in first_run["manifest"]["notebooks"])

    def test_raw_unchanged_is_recorded_as_up_to_date(self, project, second_run):
        assert second_run["manifest"]["notebooks"][0]["status"] == "up_to_date"


class TestWriteIndex:
    def test_links_the_quarter_report_and_each_unit_report(self, project, first_run):
        html = first_run["index"]
        assert ('href="2024Q1/report.html"' in html, 'href="2024Q1/units/p-phu-bai.html">phường Phú Bài<' in html) == (True, True)

    def test_titles_the_quarter_in_vietnamese(self, project, first_run):
        assert ("<h2>Báo cáo quý</h2>" in first_run["index"], "<h3>Quý I năm 2024</h3>" in first_run["index"]) == (True, True)

    def test_groups_every_period_by_kind(self, tmp_path):
        for name in ("2024Q1", "2024H1", "2023Y", "2024M9", "2024Q2", "2024H2", "notes"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "report.html").write_text("<html></html>")
        (tmp_path / "2023Y" / "manifest.json").write_text(json.dumps({"parameters": {"period": "nd09"}}))
        html = write_index(tmp_path).read_text(encoding="utf-8")
        marks = ["<h2>Báo cáo quý</h2>", 'href="2024Q2/report.html"', 'href="2024Q1/report.html"',
                 "<h2>Báo cáo 6 tháng</h2>", "<h3>6 tháng đầu năm 2024</h3>", "<h2>Báo cáo 9 tháng</h2>",
                 "<h3>9 tháng năm 2024</h3>", "<h2>Báo cáo năm</h2>", "<h3>Năm 2023</h3>", "15 tháng 12 năm trước"]
        positions = [html.find(m) for m in marks]
        assert (positions == sorted(positions), -1 in positions, "2024H2" in html, "notes/" in html) == (
            True, False, False, False)

    def test_does_not_link_a_failed_unit(self, project, first_run):
        assert "x-phu-son" not in first_run["index"]

    def test_orders_quarters_newest_first(self, tmp_path):
        for q in ("2023Q4", "2024Q2", "2024Q1"):
            (tmp_path / q).mkdir()
            (tmp_path / q / "report.html").write_text("<html></html>")
        html = write_index(tmp_path).read_text(encoding="utf-8")
        positions = [html.index(f'href="{q}/report.html"') for q in ("2024Q2", "2024Q1", "2023Q4")]
        assert positions == sorted(positions)

    def test_an_empty_outputs_folder_says_so(self, tmp_path):
        assert "Chưa có báo cáo nào" in write_index(tmp_path).read_text(encoding="utf-8")

    def test_loads_nothing_from_the_network(self, project, first_run):
        html = first_run["index"]
        assert ("http://" in html, "https://" in html, "<script" in html) == (False, False, False)


class TestStripMachineMetadata:
    def test_removes_papermill_and_execution_metadata(self):
        nb = new_notebook()
        nb.metadata.update(papermill={"duration": 1.2}, language_info={"name": "python", "version": "3.11.9"})
        nb.cells = [new_code_cell("1", metadata={"papermill": {"status": "completed"}, "execution": {"iopub.status.busy": "t"}, "tags": ["x"]}, execution_count=7)]
        strip_machine_metadata(nb)
        assert (dict(nb.metadata.language_info), dict(nb.cells[0].metadata), nb.cells[0].execution_count, "papermill" in nb.metadata) == (
            {"name": "python"}, {"tags": ["x"]}, 1, False
        )


class TestRefreshCommittedNotebooks:
    def test_reexecutes_in_place_without_machine_metadata(self, tmp_path):
        nb = new_notebook()
        nb.cells = [new_code_cell('x: int = 2  # a number', metadata={"tags": ["parameters"]}), new_code_cell("print(x * 21)")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, str(tmp_path / "one.ipynb"))
        refresh_committed_notebooks(tmp_path, names=("one",), progress=False)
        done = nbformat.read(str(tmp_path / "one.ipynb"), 4)
        assert (done.cells[1].outputs[0].text, "papermill" in done.metadata, "papermill" in done.cells[1].metadata) == ("42\n", False, False)

    def test_a_failing_notebook_raises_and_is_left_unchanged(self, tmp_path):
        nb = new_notebook()
        nb.cells = [new_code_cell("1 / 0")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, str(tmp_path / "bad.ipynb"))
        before = (tmp_path / "bad.ipynb").read_text()
        with pytest.raises(CchcError, match="bad.ipynb bị lỗi \\(ZeroDivisionError"):
            refresh_committed_notebooks(tmp_path, names=("bad",), progress=False)
        assert (tmp_path / "bad.ipynb").read_text() == before


class TestWarmKernel:
    def test_kernel_has_the_imports_and_a_fresh_execution_count(self, tmp_path):
        from cchc_analysis.run import WarmKernel

        km = WarmKernel(tmp_path).take()
        try:
            client = km.client()
            client.start_channels()
            outputs = []
            reply = client.execute_interactive(
                "import sys; print(sorted({'pandas', 'cchc_analysis.clean'} & set(sys.modules)), __import__('os').getcwd())",
                timeout=60, output_hook=lambda msg: outputs.append(msg["content"].get("text", "")),
            )
            client.stop_channels()
            assert reply["content"]["execution_count"] == 1  # the warm-up import was silent
            assert "".join(outputs).strip() == f"['cchc_analysis.clean', 'pandas'] {tmp_path}"
        finally:
            km.shutdown_kernel(now=True)

    def test_taken_once(self, tmp_path):
        from cchc_analysis.run import WarmKernel

        warm = WarmKernel(tmp_path)
        km = warm.take()
        try:
            assert km is not None and warm.take() is None
        finally:
            km.shutdown_kernel(now=True)

    def test_discard_shuts_an_untaken_kernel_down(self, tmp_path):
        from cchc_analysis.run import WarmKernel

        warm = WarmKernel(tmp_path)
        warm._thread.join()
        km = warm._km
        warm.discard()
        assert not km.is_alive()


class TestQuietBatch:
    def test_output_has_no_kernel_warning_and_ends_with_the_summary(self, project, second_run, tmp_path):
        """A separate process, so the kernels' own stderr is seen too (IPC transport)."""
        import subprocess
        import sys

        proc = subprocess.run(
            [sys.executable, "-m", "cchc_analysis.cli", "run", "--quarter", "2024Q1",
             "--raw", str(project / "raw"), "--processed", str(project / "processed"),
             "--out", str(tmp_path / "out"), "--notebooks", str(project / "notebooks")],
            capture_output=True, text=True, cwd=tmp_path, timeout=300,
        )
        lines = proc.stdout.splitlines()
        assert (proc.returncode, "TCP" in proc.stderr, "KeyboardInterrupt" in proc.stderr,
                lines[0].startswith("Đã lập báo cáo quý I năm 2024 (theo quý dương lịch)"),
                lines[-2:]) == (
            0, False, False, True,
            ["  Báo cáo HTML: out/2024Q1/report.html", "  Mục lục các báo cáo: out/index.html"],
        )

    def test_a_rerun_without_change_says_so_and_runs_nothing(self, project, second_run, tmp_path):
        argv = ("--quarter", "2024Q1", "--out", str(tmp_path))
        _cli(project, *argv)
        before = (tmp_path / "2024Q1" / "manifest.json").read_text()
        code, out, _ = _cli(project, *argv)
        assert (code, out.startswith("Không có gì thay đổi"),
                (tmp_path / "2024Q1" / "manifest.json").read_text() == before) == (0, True, True)


class TestForce:
    def test_force_runs_the_notebooks_again_without_any_change(self, project, second_run, tmp_path):
        argv = ("--quarter", "2024Q1", "--out", str(tmp_path))
        _cli(project, *argv)
        code, out, _ = _cli(project, *argv, "--force")
        statuses = [n["status"] for n in json.loads((tmp_path / "2024Q1" / "manifest.json").read_text())["notebooks"]]
        assert (code, out.startswith("Đã lập báo cáo"), statuses) == (0, True, ["up_to_date", "ok", "ok"])


class TestCumulativePeriod:
    def test_run_builds_a_6_month_pack_listed_under_its_kind(self, project, second_run, tmp_path):
        code, out, _ = _cli(project, "--quarter", "6 tháng đầu năm 2024", "--out", str(tmp_path))
        manifest = json.loads((tmp_path / "2024H1" / "manifest.json").read_text(encoding="utf-8"))
        index = (tmp_path / "index.html").read_text(encoding="utf-8")
        assert (code, manifest["parameters"]["quarter"], manifest["status"],
                out.startswith("Đã lập báo cáo 6 tháng đầu năm 2024 (theo tháng dương lịch)"),
                (tmp_path / "2024H1" / "indicators.csv").exists(),
                "<h2>Báo cáo 6 tháng</h2>" in index, 'href="2024H1/report.html"' in index) == (
            0, "2024H1", "ok", True, True, True, True)


class TestFolderPermissions:
    def test_output_folders_follow_the_umask(self, project, first_run):
        import os

        umask = os.umask(0)
        os.umask(umask)
        q = project / "outputs" / "2024Q1"
        modes = {p.relative_to(project).as_posix(): p.stat().st_mode & 0o777 for p in (q, q / "notebooks", q / "units")}
        assert modes == {k: 0o777 & ~umask for k in modes}


class TestInterrupt:
    def test_ctrl_c_gives_130_one_line_no_kernel_left_and_no_staged_notebook(self, tmp_path):
        """Ctrl+C reaches the whole process group (as from a terminal) while 01_clean runs."""
        import os
        import signal
        import subprocess
        import sys
        import time

        nbdir = tmp_path / "notebooks"
        nbdir.mkdir()
        _notebook(nbdir / "01_clean.ipynb", "import time\ntime.sleep(15)\n")
        _notebook(nbdir / "02_indicators.ipynb", INDICATORS_SRC, 'engine: str = "pandas"  # engine\n')
        _notebook(nbdir / "03_report.ipynb", REPORT_SRC)
        (tmp_path / "raw").mkdir()
        (tmp_path / "raw" / "dossiers.csv").write_text("received\n2024-04-10\n")
        proc = subprocess.Popen(
            [sys.executable, "-m", "cchc_analysis.cli", "run", "--no-progress",
             "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "processed"),
             "--out", str(tmp_path / "out"), "--notebooks", str(nbdir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while not (tmp_path / "out" / "01_clean.ipynb").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # the kernel is inside time.sleep(15)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        time.sleep(2)  # an orphaned kernel would print "Parent appears to have exited" by now
        assert (proc.returncode, err.strip().splitlines(), (tmp_path / "out" / "01_clean.ipynb").exists()) == (
            130,
            ["cchc run: đã dừng theo yêu cầu (Ctrl+C); kết quả dở dang bị bỏ, kết quả trước đó giữ nguyên."],
            False,
        )


class TestQuarterWithoutDossiers:
    def test_run_stops_before_any_report_with_exit_1(self, project, first_run):
        # Issue 13: `cchc run --quarter 2022Q1` used to report "100 % một cửa" on no data.
        code, _out, err = _cli(project, "--quarter", "2022Q1")
        assert code == 1
        assert "kỳ 2022Q1 (01/01/2022–31/03/2022) không có hồ sơ nào trong dữ liệu" in err
        assert not (project / "outputs" / "2022Q1").exists()
