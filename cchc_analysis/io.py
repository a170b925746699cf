"""Atomic writes: write to a temporary file beside the target, then rename.

An interrupted run therefore leaves the previous result intact, never half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import UsageError


def atomic_write(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically.

    Parameters
    ----------
    path
        Final location.
    writer
        Writes the complete file to the temporary path it is given.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        # mkstemp creates 0600 files; give the result the permissions a normal write would.
        os.chmod(tmp_path, 0o666 & ~_current_umask())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _lock_path(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def folder_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on the results folder ``path`` (a ``.<name>.lock`` file beside it).

    The operating system releases the lock when the process ends, however it ends (a killed run
    leaves no stale lock).

    Raises
    ------
    UsageError
        Another run holds the lock on the same folder.
    """
    path = Path(path)
    handle = open(_lock_path(path), "a+")  # noqa: SIM115  (closed below)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{path}: another cchc run is writing this folder; wait for it to finish") from None
        yield
    finally:
        handle.close()  # (releases the lock)


def recovered_leftovers(path: str | Path) -> list[str]:
    """Resolve what an interrupted swap left beside ``path``; return one note per action.

    A swap renames ``path`` to ``.<name>.old-<pid>``, moves the new folder in, then removes the
    old one. Killed between the renames, ``path`` is absent and its old copy is put back; killed
    later, the old copy is removed. Staging folders of killed runs are removed. Call it holding
    :func:`folder_lock`.
    """
    path = Path(path)
    notes = []
    olds = sorted(path.parent.glob(f".{glob.escape(path.name)}.old-*"))
    if olds and not path.exists():
        os.replace(olds[0], path)
        notes.append(f"{path}: restored the previous results left aside by an interrupted run")
        olds = olds[1:]
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
        notes.append(f"{path}: removed {old.name} left by an interrupted run")
    for staging in path.parent.glob(f".{glob.escape(path.name)}.*.staging"):
        shutil.rmtree(staging, ignore_errors=True)
        notes.append(f"{path}: removed the unfinished {staging.name} of an interrupted run")
    return notes


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Build a whole folder of results in a staging folder, then swap it into place.

    Existing files in ``path`` that the block does not write are kept (they are copied into
    the staging folder first), so ``data/processed`` may hold other artefacts. If the block
    raises, ``path`` is left exactly as it was.

    Crash safety: the swap renames the old folder aside, moves the new one in and removes the
    old one, with Ctrl+C (SIGINT) and SIGTERM held back during the two renames; a run killed
    anyway leaves a pair that the next run resolves first (:func:`recovered_leftovers`, each
    action noted on stderr). A lock file refuses a second concurrent run on the same folder.
    Folders are created with the user's umask.

    Raises
    ------
    UsageError
        ``path`` is a file, or another run is writing it.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file, not a folder: give a folder for the results")
    path.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(path):
        for note in recovered_leftovers(path):
            print(f"note: {note}", file=sys.stderr)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".staging", dir=path.parent))
        try:
            os.chmod(staging, 0o777 & ~_current_umask())  # (mkdtemp creates 0700)
            if path.exists():
                shutil.copytree(path, staging, dirs_exist_ok=True)
            yield staging
            _swap(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _swap(staging: Path, path: Path) -> None:
    """Move ``staging`` onto ``path`` (old folder aside, new in, old removed), with Ctrl+C and
    SIGTERM held back until the new folder is in place (then a Ctrl+C is only noted: the new
    results are complete; a SIGTERM is delivered again)."""
    backup = path.parent / f".{path.name}.old-{os.getpid()}"
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    main = threading.current_thread() is threading.main_thread()
    if main:  # (Python signal handlers run in the main thread only, whichever thread got it)
        previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in held}
    try:
        pause_for_tests("before_swap")
        had_old = path.exists()
        if had_old:
            os.replace(path, backup)
        pause_for_tests("between_renames")
        try:
            os.replace(staging, path)
        except BaseException:
            if had_old and not path.exists():
                os.replace(backup, path)
            raise
        if had_old:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        if main:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if signal.SIGINT in received:
        print(f"note: {path}: interrupt received while the results were moved in; the new results are complete", file=sys.stderr)
    if signal.SIGTERM in received:
        signal.raise_signal(signal.SIGTERM)


def pause_for_tests(point: str) -> None:
    """Test hook: with ``CCHC_TEST_PAUSE=<point>:<seconds>``, sleep at ``point`` so that a kill
    test can signal the process there, touching ``CCHC_TEST_PAUSE_MARK`` when given (no effect
    otherwise)."""
    wanted = os.environ.get("CCHC_TEST_PAUSE", "")
    if wanted.partition(":")[0] == point:
        if os.environ.get("CCHC_TEST_PAUSE_MARK"):  # (tells the test the pause has begun)
            Path(os.environ["CCHC_TEST_PAUSE_MARK"]).touch()
        time.sleep(float(wanted.partition(":")[2] or 1))
