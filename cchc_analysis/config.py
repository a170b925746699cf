"""Paths and settings in one place (cookiecutter-data-science's ``config.py``).

Every path can be overridden with an environment variable so that batch runs, tests and
notebooks point at other folders without code changes:

``CCHC_PROJECT_ROOT``  the project folder (default: the checkout this package lives in, or the
                       current directory when installed elsewhere)
``CCHC_RAW_DIR``       raw exports, read-only input: any folder; the default ``--raw`` of
                       ``cchc clean`` and ``cchc run`` (unset: the shipped sample)
``CCHC_PROCESSED_DIR`` cleaned parquet tables (default ``data/processed``)
``CCHC_OUTPUT_DIR``    per-quarter outputs (default ``outputs``)
``CCHC_REFERENCE_DIR`` a folder of reference files that override the shipped ones, file by file
                       (default ``data/reference``; missing files fall back to the package's)
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Reference data shipped with the package (units, catalogue, targets, header aliases, calendar).
PACKAGE_REFERENCE_DIR = PACKAGE_DIR / "data"


def _default_root() -> Path:
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").exists():
        return checkout
    return Path.cwd()


PROJECT_ROOT = Path(os.environ.get("CCHC_PROJECT_ROOT", _default_root())).resolve()
RAW_DIR = Path(os.environ.get("CCHC_RAW_DIR", PROJECT_ROOT / "data" / "raw"))
#: The shipped synthetic sample (tracked in git; every other file under data/raw is ignored).
#: Always the project's own: ``CCHC_RAW_DIR`` may point anywhere (it need not hold a sample).
SAMPLE_DIR = PROJECT_ROOT / "data" / "raw" / "sample"
#: The raw folder ``cchc clean`` and ``cchc run`` read when ``--raw`` is not given:
#: ``CCHC_RAW_DIR`` when set, else the shipped sample.
DEFAULT_RAW_DIR = Path(os.environ["CCHC_RAW_DIR"]) if os.environ.get("CCHC_RAW_DIR") else SAMPLE_DIR
PROCESSED_DIR = Path(os.environ.get("CCHC_PROCESSED_DIR", PROJECT_ROOT / "data" / "processed"))
OUTPUT_DIR = Path(os.environ.get("CCHC_OUTPUT_DIR", PROJECT_ROOT / "outputs"))
USER_REFERENCE_DIR = Path(
    os.environ.get("CCHC_REFERENCE_DIR", PROJECT_ROOT / "data" / "reference")
)
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"

#: Name of the marker file that identifies a folder of synthetic (generated) exports.
SYNTHETIC_MARKER = "SYNTHETIC.json"

#: Default reporting convention: ``calendar`` (2024Q1 = 1 Jan..31 Mar) or ``nd09``.
DEFAULT_PERIOD = "calendar"
#: Quarter of the published report the sample is tuned to; default of every notebook.
DEFAULT_QUARTER = "2024Q1"
#: Default dataframe engine for the outcome and aggregation core.
DEFAULT_ENGINE = "pandas"
#: Local time zone of every timestamp in the exports (timestamps are stored naive, local).
TIMEZONE = "Asia/Ho_Chi_Minh"


def resolve_dir(value: str | os.PathLike | None, default: Path) -> Path:
    """A folder parameter of a notebook or command: ``None`` means ``default`` (one of the
    folders above, absolute, so the same wherever the kernel runs); a given path is used as
    given (a relative one from the current working folder).

    The notebooks declare ``raw_dir``, ``processed_dir``, ``output_dir`` as ``None`` and call
    this right after their parameters cell, so plain ``papermill`` from the project root,
    JupyterLab and ``cchc run`` find ``data/`` and ``outputs/`` the same way.
    """
    return Path(default) if value is None else Path(value).expanduser()


def reference_path(name: str) -> Path:
    """Return the reference file ``name``: the user's override if present, else the shipped one."""
    user = USER_REFERENCE_DIR / name
    return user if user.exists() else PACKAGE_REFERENCE_DIR / name

#: Reference file of the window of plausible dates (earliest date, years after today).
PLAUSIBLE_DATES_FILE = "plausible_dates.yaml"
#: Largest raw export read, in bytes (``CCHC_MAX_FILE_BYTES``); a bigger file is refused.
MAX_FILE_BYTES = int(os.environ.get("CCHC_MAX_FILE_BYTES", 4 * 1024**3))
#: Largest cell, in characters (Excel's own limit); a longer cell is refused (file, row, column).
MAX_CELL_CHARS = 32_767
#: Largest used range of a worksheet, in cells, unless the cells present fill a tenth of it:
#: a stray cell at XFD1048576 would otherwise make the reader allocate the whole grid.
MAX_SHEET_CELLS = 20_000_000
#: Most columns a worksheet may use (exports have a few dozen).
MAX_SHEET_COLUMNS = 1_000
