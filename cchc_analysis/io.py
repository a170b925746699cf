"""Atomic writes: write to a temporary file beside the target, then rename.

An interrupted run therefore leaves the previous result intact, never half a file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


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


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Build a whole folder of results in a staging folder, then swap it into place.

    Existing files in ``path`` that the block does not write are kept (they are copied into
    the staging folder first), so ``data/processed`` may hold other artefacts. If the block
    raises, ``path`` is left exactly as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".staging", dir=path.parent))
    try:
        if path.exists():
            shutil.copytree(path, staging, dirs_exist_ok=True)
        yield staging
        backup = None
        if path.exists():
            backup = path.parent / f".{path.name}.old-{os.getpid()}"
            os.replace(path, backup)
        os.replace(staging, path)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
