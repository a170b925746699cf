"""``cchc clean`` when things go wrong around it (issue 14, items 5, 9, 10, 14): one line and an
exit code, previous results kept byte-identical, crash-safe swap, lock, umask, odd raw files."""

import argparse
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cchc_analysis import clean as C
from cchc_analysis import io as cio
from tests.fixtures_raw import VI_HEADER, vi_row, write_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def raw(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [VI_HEADER, vi_row("A-1"), vi_row("A-2", n=2)])
    return tmp_path / "raw"


@pytest.fixture
def previous(raw, tmp_path):
    """A processed folder from an earlier run, and a snapshot of its bytes."""
    out = tmp_path / "processed"
    C.clean(raw, out)
    (out / "notes.txt").write_text("kept", encoding="utf-8")
    return out, snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(raw, processed) -> tuple[int, str]:
    """``cchc clean`` in-process: exit code and stderr lines."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = C.run(argparse.Namespace(raw=raw, processed=processed, partitioned=False))
    return code, err.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.") and not p.name.endswith(".lock"))


class TestOverlappingFolders:
    """Item 10."""

    @pytest.mark.parametrize("where", ["same", "inside", "holds"])
    def test_refused_with_one_line(self, raw, where):
        processed = {"same": raw, "inside": raw / "out", "holds": raw.parent}[where]
        before = snapshot(raw)
        code, err = cli(raw, processed)
        assert code == 2 and err.count("\n") == 1
        assert "the processed folder must be outside the raw folder" in err
        assert snapshot(raw) == before


class TestOneLineErrors:
    """Item 5 (ingest part): one line, exit code, previous results byte-identical."""

    def test_processed_is_a_file(self, raw, tmp_path):
        (tmp_path / "f").write_text("x")
        code, err = cli(raw, tmp_path / "f")
        assert (code, err) == (2, f"cchc clean: lỗi: {tmp_path / 'f'} is a file, not a folder: give a folder for the results\n")

    def test_read_only_folder(self, raw, previous, monkeypatch):
        out, before = previous

        def refused(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(cio.tempfile, "mkdtemp", refused)
        code, err = cli(raw, out)
        assert (code, err) == (2, f"cchc clean: lỗi: cannot write the results to {out}: Permission denied; previous results left intact\n")
        assert snapshot(out) == before

    def test_disk_full(self, raw, previous, monkeypatch):
        out, before = previous

        def full(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(pd.DataFrame, "to_csv", full)
        code, err = cli(raw, out)
        assert (code, err) == (2, f"cchc clean: lỗi: cannot write the results to {out}: No space left on device; previous results left intact\n")
        assert snapshot(out) == before and leftovers(out) == []

    def test_unreadable_file(self, raw, tmp_path, monkeypatch):
        real = Path.read_bytes

        def denied(self):
            if self.name == "a.csv":
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
        code, err = cli(raw, tmp_path / "o")
        assert (code, err) == (1, "cchc clean: lỗi: a.csv: cannot read the file (Permission denied)\n")

    def test_ctrl_c_during_the_write(self, raw, previous, monkeypatch):
        out, before = previous

        def interrupted(self, *args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
        code, err = cli(raw, out)
        assert (code, err) == (130, "cchc clean: đã dừng theo yêu cầu (Ctrl+C); kết quả dở dang bị bỏ, kết quả trước đó giữ nguyên.\n")
        assert snapshot(out) == before and leftovers(out) == []

    @pytest.mark.parametrize("csv_text", ["title\n\nMã hồ sơ,Ngày tiếp nhận\nA-1,\"{big}\"\n", "Mã hồ sơ,Ngày tiếp nhận\nA-1,\"{big}\"\n"])
    @pytest.mark.parametrize("size", [140 * 1024, 1_100_000])
    def test_huge_csv_cell(self, tmp_path, csv_text, size):
        (tmp_path / "raw").mkdir()
        (tmp_path / "raw" / "big.csv").write_text(csv_text.format(big="x" * size), encoding="utf-8")
        code, err = cli(tmp_path / "raw", tmp_path / "o")
        assert code == 1 and err.count("\n") == 1
        assert err.startswith("cchc clean: lỗi: big.csv, row ") and "cell longer than 32,767 characters" in err


class TestOddRawFiles:
    """Item 14: a file the tool cannot use stops the run with one line."""

    def test_dangling_symlink(self, raw, tmp_path):
        (raw / "b.csv").symlink_to(tmp_path / "nowhere.csv")
        code, err = cli(raw, tmp_path / "o")
        assert (code, err) == (1, "cchc clean: lỗi: b.csv: a symbolic link that leads to no file (dangling, or a loop): remove it or point it at an export\n")

    def test_symlink_loop(self, raw, tmp_path):
        (raw / "b.csv").symlink_to(raw / "c.csv")
        (raw / "c.csv").symlink_to(raw / "b.csv")
        code, err = cli(raw, tmp_path / "o")
        assert code == 1 and "b.csv: a symbolic link that leads to no file" in err

    def test_folder_named_like_an_export(self, raw, tmp_path):
        (raw / "x.csv").mkdir()
        code, err = cli(raw, tmp_path / "o")
        assert (code, err) == (1, "cchc clean: lỗi: x.csv: a folder named like an export (.csv): rename it or move it out of the raw folder\n")


class TestAtomicDirectory:
    """Item 9: crash-safe swap, leftovers resolved, lock, umask."""

    def test_stale_old_folder_of_this_pid(self, raw, previous):
        out, _ = previous
        stale = out.parent / f".{out.name}.old-{os.getpid()}"
        stale.mkdir()
        (stale / "junk").write_text("x")
        C.clean(raw, out)
        assert leftovers(out) == [] and (out / "dossiers.parquet").exists()

    def test_leftover_pair_restores_the_previous_folder(self, previous, capsys):
        out, before = previous
        os.replace(out, out.parent / f".{out.name}.old-4242")  # killed between the two renames
        (out.parent / f".{out.name}.abc.staging").mkdir()
        notes = cio.recovered_leftovers(out)
        assert snapshot(out) == before and leftovers(out) == []
        assert notes == [f"{out}: restored the previous results left aside by an interrupted run",
                         f"{out}: removed the unfinished .{out.name}.abc.staging of an interrupted run"]

    def test_second_run_on_the_same_folder_is_refused(self, raw, previous):
        out, before = previous
        with cio.folder_lock(out):
            code, err = cli(raw, out)
        assert (code, err) == (2, f"cchc clean: lỗi: {out}: another cchc run is writing this folder; wait for it to finish\n")
        assert snapshot(out) == before

    def test_folders_follow_the_umask(self, raw, tmp_path):
        old = os.umask(0o022)
        try:
            C.clean(raw, tmp_path / "new")
        finally:
            os.umask(old)
        assert (tmp_path / "new").stat().st_mode & 0o777 == 0o755


def _clean_process(raw, out, pause: str, mark: Path) -> subprocess.Popen:
    env = {**os.environ, "CCHC_TEST_PAUSE": pause, "CCHC_TEST_PAUSE_MARK": str(mark)}
    return subprocess.Popen(
        [sys.executable, "-m", "cchc_analysis.cli", "clean", "--raw", str(raw), "--processed", str(out)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


class TestKill:
    """Item 9 and the kill tests: SIGKILL / SIGINT at several points of ``cchc clean`` leave the
    previous folder byte-identical or the new one complete (never absent, never half)."""

    @pytest.mark.parametrize("point", ["reading", "before_swap", "between_renames"])
    @pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
    def test_killed(self, raw, previous, point, sig):
        out, before = previous
        write_csv(raw / "b.csv", [VI_HEADER, vi_row("B-1")])  # the new result differs
        mark = raw.parent / "paused"
        proc = _clean_process(raw, out, f"{point}:3", mark)
        deadline = time.monotonic() + 60
        while not mark.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert mark.exists(), "the run never reached the pause point"
        time.sleep(0.2)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        if sig == signal.SIGINT and point == "reading":
            assert proc.returncode == 130 and err.strip().endswith("kết quả dở dang bị bỏ, kết quả trước đó giữ nguyên.")
        cio.recovered_leftovers(out)  # (what the next run does first)
        after = snapshot(out)
        new = {"dossiers.parquet", "pakn.parquet", "edocs.parquet", "quarantine.csv", "reconciliation.csv", "clean_meta.json", "notes.txt"}
        assert after == before or (set(after) == new and after["dossiers.parquet"] != before["dossiers.parquet"])
        if sig == signal.SIGINT and point != "reading":  # (Ctrl+C held back during the swap)
            assert proc.returncode == 0 and after != before and "the new results are complete" in err
        if sig == signal.SIGKILL or point == "reading":
            assert after == before
        assert leftovers(out) == []


class TestLeftoversOnStartUp:
    """Item 9: a run finds the pair a killed swap left and says what it did."""

    def test_cli_restores_then_replaces(self, raw, previous):
        out, before = previous
        os.replace(out, out.parent / f".{out.name}.old-4242")
        stale = out.parent / f".{out.name}.xyz.staging"
        stale.mkdir()
        code, err = cli(raw, out)
        assert code == 0
        assert err.splitlines() == [
            f"note: {out}: restored the previous results left aside by an interrupted run",
            f"note: {out}: removed the unfinished {stale.name} of an interrupted run",
        ]
        assert leftovers(out) == [] and (out / "notes.txt").read_text() == "kept"
