"""Issue 14 items 5, 10 and 11 for ``cchc run``: an impossible quarter, overlapping folders and
a run killed while it rewrote the notebooks (never recorded or reported as done).

The kill test uses the tiny notebooks of test_run.py (seconds, not the real pipeline); the
report notebook sleeps when a marker file exists, so the run is killed (SIGKILL to its process
group: the command and its kernels) while papermill is writing ``03_report``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cchc_analysis import cli
from cchc_analysis.batch.inputs import sha256_file
from cchc_analysis.batch.uptodate import clean_unfinished, previous_build
from cchc_analysis.periods import ImplausibleYear, Period, Quarter
from tests.test_run import CLEAN_SRC, INDICATORS_SRC, REPORT_SRC, _notebook

pytestmark = pytest.mark.xdist_group("run_batch")

SLOW_REPORT_SRC = """\
import pathlib, time
if pathlib.Path("slow_03").exists() or (unit is not None and pathlib.Path("slow_03_units").exists()):
    pathlib.Path("03_started").touch()
    time.sleep(120)
""" + REPORT_SRC

# Pauses where the real cleaner does (after reading, before writing) under CCHC_TEST_PAUSE.
SLOW_CLEAN_SRC = """\
from cchc_analysis.io import pause_for_tests
pause_for_tests("reading")
""" + CLEAN_SRC


class TestImpossibleQuarter:
    @pytest.mark.parametrize("text", ["0000Q1", "9999Q4", "1999Q4", "2101Q1", "quý I/0000"])
    def test_quarter_parse_refuses_the_year(self, text):
        with pytest.raises(ImplausibleYear, match="outside 2000–2100"):
            Quarter.parse(text)

    @pytest.mark.parametrize("text", ["0000H1", "0000Q1", "năm 9999"])
    def test_period_parse_refuses_the_year(self, text):
        with pytest.raises(ImplausibleYear, match="outside 2000–2100"):
            Period.parse(text)

    def test_bounds_still_accepted(self):
        assert (str(Quarter.parse("2000Q1")), str(Quarter.parse("2100Q4"))) == ("2000Q1", "2100Q4")

    @pytest.mark.parametrize("command", ["run", "indicators"])
    def test_cli_exit_2_one_line(self, command, capsys):
        assert _main(command, "--quarter", "0000Q1") == 2
        err = capsys.readouterr().err
        errors = [line for line in err.splitlines() if not line.startswith(("usage:", " "))]
        assert errors == [f"cchc {command}: error: argument --quarter: kỳ báo cáo '0000Q1': year 0000 is outside 2000–2100"]
        assert "Traceback" not in err


class TestOverlappingFolders:
    @pytest.mark.parametrize("option,inside", [("--out", "raw/out"), ("--processed", "raw/p")])
    def test_inside_raw_is_refused(self, tmp_path, capsys, option, inside):
        (tmp_path / "raw").mkdir()
        folders = {"--out": str(tmp_path / "o"), "--processed": str(tmp_path / "p"), option: str(tmp_path / inside)}
        code = _main("run", "--quarter", "2024Q1", "--raw", str(tmp_path / "raw"), *sum(folders.items(), ()))
        err = capsys.readouterr().err
        assert (code, len(err.strip().splitlines()), f"{option} " in err, "overlap" in err) == (2, 1, True, True)
        assert not (tmp_path / inside).exists()

    def test_raw_inside_out_is_refused(self, tmp_path, capsys):
        (tmp_path / "o" / "raw").mkdir(parents=True)
        code = _main("run", "--quarter", "2024Q1", "--raw", str(tmp_path / "o" / "raw"),
                     "--processed", str(tmp_path / "p"), "--out", str(tmp_path / "o"))
        assert (code, "overlap" in capsys.readouterr().err) == (2, True)


def _main(*argv: str) -> int:
    try:
        return cli.main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        return exc.code


def _project(root: Path, clean_src: str = CLEAN_SRC) -> Path:
    nbdir = root / "notebooks"
    nbdir.mkdir(parents=True)
    _notebook(nbdir / "01_clean.ipynb", clean_src)
    _notebook(nbdir / "02_indicators.ipynb", INDICATORS_SRC, 'engine: str = "pandas"  # engine\n')
    _notebook(nbdir / "03_report.ipynb", SLOW_REPORT_SRC)
    (root / "raw").mkdir()
    (root / "raw" / "dossiers.csv").write_text("received\n2024-04-10\n")
    return root


def _argv(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cchc_analysis.cli", "run", "--quarter", "2024Q1", "--no-progress",
            "--raw", str(root / "raw"), "--processed", str(root / "processed"),
            "--out", str(root / "out"), "--notebooks", str(root / "notebooks"), *extra]


def _run(root: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(_argv(root, *extra), capture_output=True, text=True, cwd=root, timeout=300,
                          env={**os.environ, **(env or {})})


def _statuses(root: Path) -> list[str]:
    return [n["status"] for n in json.loads((root / "out" / "2024Q1" / "manifest.json").read_text())["notebooks"]]


def _clean_runs(root: Path) -> int:
    return (root / "processed" / "clean_runs.log").read_text().count("run")


class TestKilledRun:
    def test_a_run_killed_while_rewriting_is_not_up_to_date(self, tmp_path):
        root = _project(tmp_path)
        first = _run(root)
        assert first.returncode == 0, first.stderr
        manifest = root / "out" / "2024Q1" / "manifest.json"
        recorded = json.loads(manifest.read_text())
        assert all(n["executed_sha256"] for n in recorded["notebooks"])

        (root / "notebooks" / "slow_03").touch()
        proc = subprocess.Popen(_argv(root, "--force"), cwd=root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while not (root / "notebooks" / "03_started").exists():
                assert proc.poll() is None and time.monotonic() < deadline, "03_report never started"
                time.sleep(0.2)
            time.sleep(1.0)  # papermill has saved the half-executed notebook
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        (root / "notebooks" / "slow_03").unlink()
        (root / "notebooks" / "03_started").unlink()

        assert json.loads(manifest.read_text())["status"] == "ok"  # the last complete run's record
        rerun = _run(root)
        assert (rerun.returncode, rerun.stdout.startswith("Không có gì thay đổi")) == (0, False), rerun.stdout
        statuses = [n["status"] for n in json.loads(manifest.read_text())["notebooks"]]
        assert statuses == ["up_to_date", "ok", "ok"]
        report = json.loads((root / "out" / "2024Q1" / "notebooks" / "03_report.ipynb").read_text())
        assert (report["metadata"]["papermill"]["exception"], bool(report["metadata"]["papermill"]["end_time"]),
                "97,5%" in json.dumps(report, ensure_ascii=False)) == (None, True, True)  # finished this time
        assert _run(root).stdout.startswith("Không có gì thay đổi")  # and now it is up to date


class TestPreviousBuild:
    def test_a_changed_executed_notebook_is_not_up_to_date(self, tmp_path):
        (tmp_path / "nb.ipynb").write_text("done")
        entry = {"notebook": "02", "executed": "nb.ipynb", "executed_sha256": None, "html": None}
        from cchc_analysis.batch.inputs import sha256_file

        entry["executed_sha256"] = sha256_file(tmp_path / "nb.ipynb")
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps({"status": "ok", "fingerprint": "f", "notebooks": [entry]}))
        assert previous_build(path, "f") is not None
        (tmp_path / "nb.ipynb").write_text("half")
        assert previous_build(path, "f") is None

    def test_a_manifest_without_hashes_is_not_up_to_date(self, tmp_path):
        (tmp_path / "nb.ipynb").write_text("done")
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps({"status": "ok", "fingerprint": "f",
                                    "notebooks": [{"executed": "nb.ipynb", "html": None}]}))
        assert previous_build(path, "f") is None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tiny project built once (the last complete run the interrupted ones must keep)."""
    root = _project(tmp_path_factory.mktemp("interrupted"))
    assert _run(root).returncode == 0
    return root


class TestInterruptedRun:
    """Ctrl+C (SIGINT to the process group: the command and its kernels, as a terminal sends
    it) at start-up, while the notebooks run and inside the report: exit 130, one line, no
    traceback (no DeadKernelError), the last complete run's manifest kept."""

    @pytest.mark.parametrize("when", ["start-up", "notebooks", "report", "parallel unit reports"])
    def test_one_line_exit_130(self, built, when):
        manifest = built / "out" / "2024Q1" / "manifest.json"
        before = manifest.read_text()
        units = ("--units", "p-phu-bai,x-phu-son", "--jobs", "2") if when.startswith("parallel") else ()
        slow = built / "notebooks" / ("slow_03_units" if units else "slow_03")
        slow.touch()
        proc = subprocess.Popen(_argv(built, "--force", *units), cwd=built, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            if when == "start-up":
                time.sleep(0.4)
            elif when == "notebooks":
                time.sleep(3.0)
            else:
                deadline = time.monotonic() + 120
                while not (built / "notebooks" / "03_started").exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
                time.sleep(0.5)
            os.killpg(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            slow.unlink()
            (built / "notebooks" / "03_started").unlink(missing_ok=True)
        lines = [line for line in err.splitlines() if line.strip()]
        assert (proc.returncode, lines, out) == (
            130, ["cchc run: đã dừng theo yêu cầu (Ctrl+C); kết quả dở dang bị bỏ, kết quả trước đó giữ nguyên."], ""
        ), err
        assert manifest.read_text() == before


class TestKilledClean:
    """A run stopped inside 01_clean (SIGKILL to the command, or Ctrl+C) with unchanged raw
    files: the rerun executes 01_clean again instead of recording the half-executed notebook
    as up to date."""

    @pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT])
    def test_the_rerun_cleans_again(self, tmp_path, signum):
        root = _project(tmp_path, SLOW_CLEAN_SRC)
        assert _run(root).returncode == 0
        executed = root / "out" / "2024Q1" / "notebooks" / "01_clean.ipynb"
        finished = sha256_file(executed)
        mark = root / "paused"
        env = {**os.environ, "CCHC_TEST_PAUSE": "reading:120", "CCHC_TEST_PAUSE_MARK": str(mark)}
        proc = subprocess.Popen(_argv(root, "--clean"), cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while not mark.exists():
                assert proc.poll() is None and time.monotonic() < deadline, "01_clean never paused"
                time.sleep(0.2)
            time.sleep(1.0)  # papermill has saved the half-executed notebook
            os.killpg(proc.pid, signum)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        time.sleep(2)  # an orphaned kernel exits once it sees its parent gone
        if signum == signal.SIGINT:
            lines = [line for line in err.splitlines() if line.strip()]
            assert (proc.returncode, lines, out) == (
                130, ["cchc run: đã dừng theo yêu cầu (Ctrl+C); kết quả dở dang bị bỏ, kết quả trước đó giữ nguyên."], ""
            ), err
        assert (sha256_file(executed) != finished, _statuses(root), _clean_runs(root)) == (True, ["ok", "ok", "ok"], 1)

        rerun = _run(root)
        assert (rerun.returncode, _statuses(root), _clean_runs(root)) == (0, ["ok", "ok", "ok"], 2), rerun.stderr
        clean = json.loads(executed.read_text())["metadata"]["papermill"]
        entry = json.loads((root / "out" / "2024Q1" / "manifest.json").read_text())["notebooks"][0]
        assert (clean["exception"], bool(clean["end_time"]), entry["executed_sha256"]) == (
            None, True, sha256_file(executed))
        again = _run(root)
        assert (again.stdout.startswith("Không có gì thay đổi"), _clean_runs(root)) == (True, 2)

    def test_without_quarter_a_kill_in_the_staging_place_cleans_again(self, tmp_path):
        root = _project(tmp_path, SLOW_CLEAN_SRC)
        assert _run(root).returncode == 0
        staged = root / "out" / "01_clean.ipynb"
        staged.write_text("{half")  # what papermill leaves there when the run is killed
        argv = [a for a in _argv(root) if a not in ("--quarter", "2024Q1")]
        rerun = subprocess.run(argv, capture_output=True, text=True, cwd=root, timeout=300)
        assert (rerun.returncode, _statuses(root), _clean_runs(root), staged.exists()) == (
            0, ["ok", "ok", "ok"], 2, False), rerun.stderr


class TestReferenceChanged:
    def test_editing_a_reference_file_cleans_again(self, tmp_path):
        from cchc_analysis import config

        root = _project(tmp_path)
        reference = tmp_path / "reference"
        reference.mkdir()
        calendar = reference / "calendar_overrides.csv"
        calendar.write_bytes((config.PACKAGE_REFERENCE_DIR / "calendar_overrides.csv").read_bytes())
        env = {"CCHC_REFERENCE_DIR": str(reference)}
        assert _run(root, env=env).returncode == 0
        assert _run(root, env=env).stdout.startswith("Không có gì thay đổi")
        with calendar.open("a", encoding="utf-8") as handle:
            handle.write("2024,2024-01-03,holiday,nghỉ bù (thử),test\n")
        edited = _run(root, env=env)
        assert (edited.returncode, _statuses(root), _clean_runs(root)) == (0, ["ok", "ok", "ok"], 2), edited.stderr
        assert _run(root, env=env).stdout.startswith("Không có gì thay đổi")


class TestCleanUnfinished:
    def _quarter(self, tmp_path, status="ok", sha=True, notebook=True) -> Path:
        (tmp_path / "notebooks").mkdir()
        executed = tmp_path / "notebooks" / "01_clean.ipynb"
        executed.write_text("done")
        entry = {"notebook": "01_clean", "status": status, "executed": "notebooks/01_clean.ipynb",
                 "executed_sha256": sha256_file(executed) if sha else None}
        if not notebook:
            executed.unlink()
        (tmp_path / "manifest.json").write_text(json.dumps({"status": "ok", "notebooks": [entry]}))
        return tmp_path

    def test_the_recorded_notebook_is_finished(self, tmp_path):
        assert clean_unfinished(self._quarter(tmp_path)) is False

    def test_a_rewritten_notebook_is_unfinished(self, tmp_path):
        qdir = self._quarter(tmp_path)
        (qdir / "notebooks" / "01_clean.ipynb").write_text("half")
        assert clean_unfinished(qdir) is True

    def test_a_failed_clean_is_unfinished(self, tmp_path):
        assert clean_unfinished(self._quarter(tmp_path, status="failed")) is True

    def test_a_record_without_hash_is_unfinished(self, tmp_path):
        assert clean_unfinished(self._quarter(tmp_path, sha=False)) is True

    def test_a_notebook_without_manifest_is_unfinished(self, tmp_path):
        qdir = self._quarter(tmp_path)
        (qdir / "manifest.json").unlink()
        assert clean_unfinished(qdir) is True

    def test_nothing_built_is_not_unfinished(self, tmp_path):
        assert clean_unfinished(tmp_path / "2023Q4") is False

    def test_no_notebook_and_an_ok_record_is_not_unfinished(self, tmp_path):
        assert clean_unfinished(self._quarter(tmp_path, notebook=False)) is False
