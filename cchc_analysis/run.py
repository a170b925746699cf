"""``cchc run``: execute the notebooks for a quarter with papermill, export HTML, keep records.

One command builds a quarter::

    cchc run                              # latest complete quarter in the data
    cchc run --quarter 2024Q1 --units all --jobs 2

Steps, each a notebook executed by papermill in its own kernel (cwd = the notebooks folder):

1. ``01_clean`` — only when the raw exports changed since the last clean (the sha256 of the raw
   files differs from ``clean_meta.json["files"]`` written by the cleaner), or with ``--clean``;
2. ``02_indicators`` — the quarter's tables into ``outputs/<Q>/``;
3. ``03_report`` — the meeting report, exported to ``outputs/<Q>/report.html``; with
   ``--units``, one more ``03_report`` per unit (``unit`` parameter), in parallel, exported to
   ``outputs/<Q>/units/<code>.html``.

Executed notebooks are kept in ``outputs/<Q>/notebooks/`` (they show the error when a step
fails). ``outputs/<Q>/manifest.json`` records the parameters, the input hashes, the package
version and each notebook's status and duration; ``outputs/index.html`` links every quarter and
unit report built so far.

A failing notebook does not stop the notebooks that do not need its result: the unit reports
run even if the whole-area report fails, and the other units run when one unit fails. A
notebook whose input a failed step should have produced is not run on stale data: after a
failed ``01_clean`` nothing else runs, after a failed ``02_indicators`` no report runs; they are
recorded as ``skipped``. The command then lists every failure with the executed notebook to
open, and exits with status 1.

``python -m cchc_analysis.run --refresh-committed-notebooks`` (``make notebooks``) re-executes
the four committed notebooks in place on their default parameters and strips machine-specific
metadata (papermill timings, ``execution`` timestamps, interpreter version) so that diffs show
only changes of content.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as _dt
import hashlib
import html as _html
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, config
from .errors import CchcError
from .io import write_text_atomic

#: The batch pipeline, in order.
PIPELINE = ("01_clean", "02_indicators", "03_report")
#: Notebooks committed with the outputs of their default run (nbval compares against them).
COMMITTED_NOTEBOOKS = ("01_clean", "02_indicators", "03_report", "explore")
#: Parameters a notebook may declare; each notebook receives the ones it declares.
PARAMETER_NAMES = ("quarter", "period", "unit", "raw_dir", "processed_dir", "output_dir", "engine")
#: Statuses recorded for a notebook in the manifest.
STATUSES = ("ok", "failed", "skipped", "up_to_date")

_QUARTER_DIR = re.compile(r"^\d{4}Q[1-4]$")


def without_iri_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (it builds a lark grammar at import:
    ~1 s, several under load, at every start of nbformat, papermill or nbconvert).

    jsonschema imports it only to check the ``iri`` format, inside ``suppress(ImportError)``;
    the notebook schemas use no such format. Call before the first import of those tools.
    """
    sys.modules.setdefault("rfc3987_syntax", None)



# --------------------------------------------------------------------------- inputs


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def raw_file_hashes(raw_dir: str | Path) -> dict[str, str]:
    """sha256 of every raw export in ``raw_dir`` (sub-folders included), as the cleaner sees them.

    Parameters
    ----------
    raw_dir
        The folder of raw exports.

    Returns
    -------
    dict
        Path relative to ``raw_dir`` (POSIX form, e.g. ``dossiers_q1.xlsx``) -> sha256, for the
        files :func:`cchc_analysis.clean.export_files` reads (not hidden files, ``README*``,
        ``~$`` lock files, ``.json`` or ``.md`` notes), sorted by name. Empty if the folder does
        not exist or holds no export.
    """
    from .clean import export_files
    from .errors import InputError

    raw_dir = Path(raw_dir)
    try:
        files = export_files(raw_dir)
    except InputError:
        return {}
    return {p.relative_to(raw_dir).as_posix(): sha256_file(p) for p in files}


def read_clean_meta(processed_dir: str | Path) -> dict | None:
    """``clean_meta.json`` of the last clean, or ``None`` if there is none (or it is unreadable)."""
    path = Path(processed_dir) / "clean_meta.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def raw_changed(raw_dir: str | Path, processed_dir: str | Path) -> bool:
    """Whether the raw exports differ from those the last clean read.

    The cleaner records ``{"files": {name: sha256}}`` in ``clean_meta.json``. The raw folder
    has changed when there is no record or no ``dossiers.parquet``, when a recorded file is
    gone or has another hash, or when an export file (see :func:`raw_file_hashes`) is present
    that the record does not list. A recorded name may be the path relative to ``raw_dir`` or the
    bare file name; both are matched. Files the cleaner recorded that are not exports (e.g.
    ``SYNTHETIC.json``) are compared too.

    Parameters
    ----------
    raw_dir, processed_dir
        The raw exports and the cleaner's output folder.

    Returns
    -------
    bool
        ``True`` when ``01_clean`` must run.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    meta = read_clean_meta(processed_dir)
    if not meta or not isinstance(meta.get("files"), dict):
        return True
    if not (processed_dir / "dossiers.parquet").exists():
        return True
    recorded: dict[str, str] = meta["files"]
    for name, digest in recorded.items():
        candidates = [raw_dir / name]
        if not candidates[0].exists():
            candidates = [p for p in raw_dir.rglob(Path(name).name) if p.is_file()]
        if len(candidates) != 1 or not candidates[0].is_file():
            return True
        if sha256_file(candidates[0]) != digest:
            return True
    recorded_names = set(recorded) | {Path(n).name for n in recorded}
    for rel in raw_file_hashes(raw_dir):
        if rel not in recorded_names and Path(rel).name not in recorded_names:
            return True
    return False


def latest_complete_quarter(processed_dir: str | Path, period: str = config.DEFAULT_PERIOD) -> str:
    """The latest quarter whose period has ended by the last day dossiers were received.

    Parameters
    ----------
    processed_dir
        Folder holding ``dossiers.parquet``.
    period
        ``calendar`` or ``nd09`` (the quarter ends on the 14th of its last month).

    Returns
    -------
    str
        E.g. ``"2024Q1"``: with dossiers received up to 2024-04-10 (calendar) it is 2024Q1,
        since 2024Q2 ends on 2024-06-30; with data up to 2024-03-31 it is 2024Q1 as well.

    Raises
    ------
    CchcError
        If there is no processed dossier table, or it has no received date.
    """
    import pandas as pd

    path = Path(processed_dir) / "dossiers.parquet"
    if not path.exists():
        raise CchcError(
            f"no cleaned dossiers in {path.parent.name}/ — run `cchc clean` (or 01_clean) first"
        )
    received = pd.read_parquet(path, columns=["received_at"])["received_at"]
    last = received.max()
    if pd.isna(last):
        raise CchcError("dossiers.parquet has no received date: cannot choose a quarter")
    return str(latest_complete_quarter_on(pd.Timestamp(last).date(), period))


def latest_complete_quarter_on(day: _dt.date, period: str = config.DEFAULT_PERIOD):
    """The latest quarter whose last day (under ``period``) is on or before ``day``.

    Returns
    -------
    cchc_analysis.periods.Quarter
        ``latest_complete_quarter_on(date(2024, 3, 31))`` is 2024Q1,
        ``latest_complete_quarter_on(date(2024, 3, 30))`` is 2023Q4; under ``nd09``
        2024-03-14 closes 2024Q1.
    """
    from .periods import Quarter

    quarter = Quarter.of(day, period)
    return quarter if quarter.bounds(period)[1] <= day else quarter.previous()


def units_in_quarter(quarter: str, period: str = config.DEFAULT_PERIOD) -> list[str]:
    """Codes of the units that exist at some time in the quarter's period, in reference order.

    A unit abolished or created during the period is included (it has dossiers for part of
    it). Reception centres that are not units (``hcc-huong-thuy``) are not included.
    """
    from .periods import Quarter
    from .refdata import load_units

    import pandas as pd

    start, end = Quarter.parse(quarter).bounds(period)
    units = load_units()
    ok = (units["valid_from"].isna() | (units["valid_from"] <= pd.Timestamp(end))) & (
        units["valid_to"].isna() | (units["valid_to"] >= pd.Timestamp(start))
    )
    return list(units.loc[ok, "code"])


def select_units(spec: str | None, quarter: str, period: str = config.DEFAULT_PERIOD) -> list[str]:
    """Resolve ``--units``: ``None`` -> none, ``all`` -> every unit of the quarter, else a list.

    Raises
    ------
    CchcError
        If a code is not a unit of the quarter (the message lists the valid codes).
    """
    if not spec:
        return []
    valid = units_in_quarter(quarter, period)
    if spec.strip().lower() == "all":
        return valid
    wanted = [code.strip() for code in spec.split(",") if code.strip()]
    unknown = [code for code in wanted if code not in valid]
    if unknown:
        raise CchcError(
            f"unit(s) {', '.join(unknown)} not valid in {quarter}; valid: {', '.join(valid)}"
        )
    return list(dict.fromkeys(wanted))


# --------------------------------------------------------------------------- execution


@dataclass
class NotebookTask:
    """One papermill execution.

    Attributes
    ----------
    notebook
        Stem of the source notebook (``03_report``).
    source, output
        Source notebook and executed copy.
    parameters
        Values passed to the notebook (only those it declares are injected).
    cwd
        Working directory of the kernel (the source notebook's folder).
    unit
        Unit code of a per-unit report, else ``None``.
    html
        Where to export the shareable HTML after a successful run, else ``None``.
    title
        Title of the HTML page.
    """

    notebook: str
    source: Path
    output: Path
    parameters: dict
    cwd: Path
    unit: str | None = None
    html: Path | None = None
    title: str | None = None


@dataclass
class NotebookResult:
    """Outcome of a :class:`NotebookTask`: status (see :data:`STATUSES`), seconds, error text."""

    task: NotebookTask
    status: str
    duration_s: float = 0.0
    error: str | None = None


def declared_parameters(notebook: str | Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters`` (empty if there is none)."""
    without_iri_checker()
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return set(re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=", cell.source, re.MULTILINE))
    return set()


_HTML_IMPORT: threading.Thread | None = None


def _import_html_in_background() -> None:
    """Import the HTML exporter (nbconvert, ~1 s) in a thread while the first kernel runs:
    this process only waits for the kernel meanwhile, so the import costs no wall time."""
    global _HTML_IMPORT
    if _HTML_IMPORT is not None or "cchc_analysis.html" in sys.modules:
        return

    def target() -> None:
        try:
            from . import html  # noqa: F401
        except Exception:  # pragma: no cover - the export imports it again and reports
            pass

    _HTML_IMPORT = threading.Thread(target=target, name="cchc-import-nbconvert", daemon=True)
    _HTML_IMPORT.start()


#: Imported silently in a kernel started ahead of its notebook (:class:`WarmKernel`): what
#: every notebook of the suite imports first, about a second of a kernel's start. No plotting
#: module, so the notebook still sets up its own figures.
WARM_IMPORTS = (
    "import pandas, pyarrow, pyarrow.parquet, narwhals.stable.v2\n"
    "import cchc_analysis.clean, cchc_analysis.indicators, cchc_analysis.notebook_display"
)


class WarmKernel:
    """A fresh kernel for the next notebook, started (with :data:`WARM_IMPORTS` done) in a
    thread while the current notebook runs: the notebooks of a quarter run one after the
    other, so each would otherwise wait for its kernel to start and import pandas.

    The import runs with ``silent=True`` (no output, no execution count), so the notebook
    executed in it is the same as in a new kernel. :meth:`take` hands the kernel manager to
    :func:`execute_task` (None when the start failed: the task then starts its own kernel).
    """

    def __init__(self, cwd: Path, kernel_name: str = "python3"):
        import threading

        self._km = None
        self._thread = threading.Thread(target=self._start, args=(cwd, kernel_name), daemon=True)
        self._thread.start()

    def _start(self, cwd: Path, kernel_name: str) -> None:
        try:
            from jupyter_client.manager import KernelManager

            km = KernelManager(kernel_name=kernel_name)
            km.start_kernel(cwd=str(cwd))
            client = km.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=60)
                client.execute_interactive(WARM_IMPORTS, silent=True, store_history=False, timeout=60)
            finally:
                client.stop_channels()
            self._km = km
        except Exception:  # a warm kernel is an optimisation only: the task starts its own
            self._km = None

    def take(self):
        """The started kernel manager (once; the caller shuts it down), or None."""
        self._thread.join()
        km, self._km = self._km, None
        return km

    def discard(self) -> None:
        """Shut the kernel down if nobody took it (a notebook before it failed)."""
        km = self.take()
        if km is not None:
            km.shutdown_kernel(now=True)


def execute_task(task: NotebookTask, kernel: WarmKernel | None = None) -> NotebookResult:
    """Execute one notebook with papermill in a fresh kernel; export its HTML on success.

    ``kernel``: a :class:`WarmKernel` started for this task (shut down afterwards). Never
    raises for a notebook error: the result says ``failed`` with a one-line reason
    (``ValueError: ...``), and papermill has saved the executed notebook showing the error.
    """
    without_iri_checker()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    declared = declared_parameters(task.source)
    parameters = {k: v for k, v in task.parameters.items() if k in declared}
    task.output.parent.mkdir(parents=True, exist_ok=True)
    if task.html is not None:
        _import_html_in_background()
    km = kernel.take() if kernel is not None else None
    try:
        papermill.execute_notebook(
            str(task.source),
            str(task.output),
            parameters=parameters,
            cwd=str(task.cwd),
            progress_bar=False,
            log_output=False,
            **({"km": km} if km is not None else {}),
        )
        if task.html is not None:
            from .html import export_html

            export_html(task.output, task.html, title=task.title)
    except PapermillExecutionError as exc:
        reason = f"{exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}"
        return NotebookResult(task, "failed", time.perf_counter() - started, reason.strip())
    except Exception as exc:  # kernel died, unreadable notebook, export error...
        first = str(exc).splitlines()[0] if str(exc) else ""
        return NotebookResult(
            task, "failed", time.perf_counter() - started, f"{type(exc).__name__}: {first}"
        )
    finally:
        if km is not None:
            km.shutdown_kernel(now=True)
    return NotebookResult(task, "ok", time.perf_counter() - started)


def _execute_many(tasks: list[NotebookTask], jobs: int, progress,
                  first_kernel: WarmKernel | None = None) -> list[NotebookResult]:
    """Run independent tasks, ``jobs`` at a time, each in its own process (own kernel, own cwd).

    One at a time, each task's kernel is started while the previous task runs (``first_kernel``
    for the first one, if given); ``first_kernel`` is not used with several processes.
    """
    if jobs <= 1 or len(tasks) <= 1:
        results = []
        kernel = first_kernel
        for i, task in enumerate(tasks):
            following = WarmKernel(tasks[i + 1].cwd) if i + 1 < len(tasks) else None
            results.append(execute_task(task, kernel))
            kernel = following
            progress.update(1)
        return results
    context = multiprocessing.get_context("spawn")
    by_task: dict[int, NotebookResult] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(execute_task, task): i for i, task in enumerate(tasks)}
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                by_task[i] = future.result()
            except Exception as exc:  # the worker process itself died
                by_task[i] = NotebookResult(tasks[i], "failed", 0.0, f"{type(exc).__name__}: {exc}")
            progress.update(1)
    return [by_task[i] for i in range(len(tasks))]


@dataclass
class BatchResult:
    """What :func:`run_quarter` did: the quarter, the per-notebook results and the files built."""

    quarter: str
    results: list[NotebookResult] = field(default_factory=list)
    manifest: Path | None = None
    index: Path | None = None

    @property
    def failures(self) -> list[NotebookResult]:
        """Results with status ``failed``."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no notebook failed or was skipped because of a failure."""
        return all(r.status in ("ok", "up_to_date") for r in self.results)


def _report_title(quarter: str, unit: str | None) -> str:
    from .periods import Quarter

    title = f"Báo cáo sơ kết công tác cải cách hành chính {Quarter.parse(quarter).label_vi()}"
    if unit:
        from .refdata import unit_names

        title += f" — {unit_names().get(unit, unit)}"
    return title


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def run_quarter(
    quarter: str | None = None,
    *,
    units: str | None = None,
    period: str = config.DEFAULT_PERIOD,
    engine: str = config.DEFAULT_ENGINE,
    jobs: int | None = None,
    raw_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    output_dir: str | Path | None = None,
    notebook_dir: str | Path | None = None,
    force_clean: bool = False,
    progress: bool = True,
) -> BatchResult:
    """Build one quarter: clean if needed, indicators, report(s), HTML, manifest, index.

    Parameters
    ----------
    quarter
        ``2024Q1``; ``None`` = the latest complete quarter in the cleaned data
        (:func:`latest_complete_quarter`).
    units
        ``None`` (only the whole-area report), ``"all"`` or comma-separated unit codes.
    period, engine
        Passed to the notebooks.
    jobs
        Unit reports executed at the same time (default: the number of CPU cores).
    raw_dir, processed_dir, output_dir
        Default: the shipped sample, ``data/processed``, ``outputs`` (see :mod:`config`).
    notebook_dir
        Folder of ``01_clean.ipynb``, ``02_indicators.ipynb``, ``03_report.ipynb``.
    force_clean
        Run ``01_clean`` even if the raw exports did not change.
    progress
        Show a tqdm progress bar on stderr.

    Returns
    -------
    BatchResult
        Never raises for a failing notebook; see :attr:`BatchResult.failures`.

    Raises
    ------
    CchcError
        For a wrong quarter, period or unit code, or when no quarter can be found.
    """
    from tqdm import tqdm

    from .periods import CONVENTIONS, Quarter

    if period not in CONVENTIONS:
        raise CchcError(f"period must be one of {', '.join(CONVENTIONS)}, got '{period}'")
    raw_dir = Path(raw_dir or config.SAMPLE_DIR).resolve()
    processed_dir = Path(processed_dir or config.PROCESSED_DIR).resolve()
    output_dir = Path(output_dir or config.OUTPUT_DIR).resolve()
    notebook_dir = Path(notebook_dir or config.NOTEBOOK_DIR).resolve()
    jobs = max(1, jobs or os.cpu_count() or 1)
    if quarter is not None:
        quarter = str(Quarter.parse(quarter))
    if not raw_dir.is_dir():
        raise CchcError(f"raw folder {raw_dir.name}/ does not exist")

    started_at = _dt.datetime.now().astimezone()
    base = {
        "quarter": quarter,
        "period": period,
        "unit": None,
        "raw_dir": str(raw_dir),
        "processed_dir": str(processed_dir),
        "output_dir": str(output_dir),
        "engine": engine,
    }
    clean_needed = force_clean or raw_changed(raw_dir, processed_dir)
    bar = tqdm(
        total=len(PIPELINE),
        file=sys.stderr,
        unit="notebook",
        desc="cchc run",
        disable=not progress,
    )
    results: list[NotebookResult] = []
    started_kernels: list[WarmKernel] = []
    next_kernel = report_kernel = None

    def warm(cwd: Path) -> WarmKernel:
        started_kernels.append(WarmKernel(cwd))
        return started_kernels[-1]

    try:
        # 01: cleaning; quarter unknown until it has run, so it is executed into a staging file.
        clean_task = NotebookTask(
            "01_clean",
            notebook_dir / "01_clean.ipynb",
            output_dir / (f"{quarter}/notebooks/01_clean.ipynb" if quarter else "01_clean.ipynb"),
            {**base, "quarter": quarter or config.DEFAULT_QUARTER},
            notebook_dir,
        )
        if clean_needed:
            bar.set_postfix_str("01_clean")
            next_kernel = warm(notebook_dir)  # for 02, started while 01 runs
            clean = execute_task(clean_task)
        else:
            clean = NotebookResult(clean_task, "up_to_date", 0.0, None)
        bar.update(1)
        if quarter is None:
            try:
                quarter = latest_complete_quarter(processed_dir, period)
            except CchcError:
                if clean.status == "failed":
                    bar.close()
                    return BatchResult(quarter="", results=[clean])
                raise
            if clean.status != "up_to_date" and clean_task.output.exists():
                final = output_dir / quarter / "notebooks" / "01_clean.ipynb"
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(clean_task.output, final)
                clean_task.output = final
        results.append(clean)
        base["quarter"] = quarter
        chosen_units = select_units(units, quarter, period)
        bar.total = len(PIPELINE) + len(chosen_units)
        bar.refresh()

        qdir = output_dir / quarter
        nbdir = qdir / "notebooks"
        indicators_task = NotebookTask(
            "02_indicators", notebook_dir / "02_indicators.ipynb",
            nbdir / "02_indicators.ipynb", dict(base), notebook_dir,
        )
        report_tasks = [
            NotebookTask(
                "03_report", notebook_dir / "03_report.ipynb", nbdir / "03_report.ipynb",
                dict(base), notebook_dir, html=qdir / "report.html",
                title=_report_title(quarter, None),
            )
        ] + [
            NotebookTask(
                "03_report", notebook_dir / "03_report.ipynb",
                nbdir / f"03_report_{code}.ipynb", {**base, "unit": code}, notebook_dir,
                unit=code, html=qdir / "units" / f"{code}.html",
                title=_report_title(quarter, code),
            )
            for code in chosen_units
        ]
        if clean.status == "failed":
            skipped = [indicators_task, *report_tasks]
            results += [NotebookResult(t, "skipped", 0.0, "01_clean failed") for t in skipped]
        else:
            bar.set_postfix_str("02_indicators")
            report_kernel = warm(report_tasks[0].cwd) if jobs <= 1 or len(report_tasks) <= 1 else None
            indicators = execute_task(indicators_task, next_kernel)
            bar.update(1)
            results.append(indicators)
            if indicators.status == "failed":
                results += [
                    NotebookResult(t, "skipped", 0.0, "02_indicators failed") for t in report_tasks
                ]
            else:
                bar.set_postfix_str("03_report")
                results += _execute_many(report_tasks, jobs, bar, report_kernel)
    finally:
        bar.close()
        for kernel in started_kernels:  # the ones a failed notebook left unused
            kernel.discard()

    batch = BatchResult(quarter=quarter, results=results)
    batch.manifest = write_manifest(
        output_dir / quarter / "manifest.json",
        batch,
        parameters={**base, "units": chosen_units, "jobs": jobs, "force_clean": force_clean},
        raw_dir=raw_dir,
        processed_dir=processed_dir,
        output_dir=output_dir,
        started_at=started_at,
    )
    batch.index = write_index(output_dir)
    return batch


# --------------------------------------------------------------------------- records


def write_manifest(
    path: str | Path,
    batch: BatchResult,
    *,
    parameters: dict,
    raw_dir: Path,
    processed_dir: Path,
    output_dir: Path,
    started_at: _dt.datetime,
) -> Path:
    """Write ``outputs/<Q>/manifest.json`` atomically.

    Contents: ``quarter``, ``status`` (``ok``/``failed``), ``package_version``,
    ``started_at``/``finished_at`` (ISO 8601 with offset), ``duration_s``, ``parameters``
    (folders relative to the project root when inside it), ``synthetic`` (from the cleaner's
    record), ``inputs`` (``raw``: sha256 per raw export; ``processed``: sha256 per processed
    table) and ``notebooks``: one entry per notebook with ``notebook``, ``unit``, ``status``,
    ``duration_s``, ``error``, ``executed`` and ``html`` (paths relative to the quarter folder).
    The manifest describes the last run for the quarter.
    """
    path = Path(path)
    root = config.PROJECT_ROOT
    qdir = path.parent
    params = dict(parameters)
    for key in ("raw_dir", "processed_dir", "output_dir"):
        params[key] = _relative(Path(params[key]), root)
    processed_hashes = {}
    if processed_dir.is_dir():
        processed_hashes = {
            p.name: sha256_file(p)
            for p in sorted(processed_dir.iterdir())
            if p.is_file() and not p.name.startswith(".")
        }
    meta = read_clean_meta(processed_dir) or {}
    finished_at = _dt.datetime.now().astimezone()
    manifest = {
        "quarter": batch.quarter,
        "status": "ok" if batch.ok else "failed",
        "package_version": __version__,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "duration_s": round((finished_at - started_at).total_seconds(), 2),
        "parameters": params,
        "synthetic": bool(meta.get("synthetic", False)),
        "inputs": {"raw": raw_file_hashes(raw_dir), "processed": processed_hashes},
        "notebooks": [
            {
                "notebook": r.task.notebook,
                "unit": r.task.unit,
                "status": r.status,
                "duration_s": round(r.duration_s, 2),
                "error": r.error,
                "executed": _relative(r.task.output, qdir) if r.task.output.exists() else None,
                "html": _relative(r.task.html, qdir)
                if r.task.html is not None and r.status == "ok"
                else None,
            }
            for r in batch.results
        ],
    }
    from .html import make_shareable

    return make_shareable(
        write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    )


_INDEX_CSS = """
body { font-family: "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; max-width: 900px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #999; }
ul { padding-left: 1.2em; } li { margin: .2em 0; } .note { color: #555; font-size: .9em; }
a { color: #0b4f8a; }
"""


def write_index(output_dir: str | Path) -> Path:
    """Write ``outputs/index.html``: every quarter and unit report present, newest quarter first.

    The page is Vietnamese, self-contained (inline style, no script) and uses relative links,
    so the whole ``outputs`` folder can be copied and opened anywhere. A quarter appears when
    ``<Q>/report.html`` or ``<Q>/units/*.html`` exists; the period convention and the synthetic
    flag are taken from ``<Q>/manifest.json`` when present. Units are listed by name, in the
    order of the reference table.
    """
    from .periods import Quarter
    from .refdata import load_units, unit_names

    output_dir = Path(output_dir)
    names = unit_names()
    order = {code: i for i, code in enumerate(load_units()["code"])}
    quarters = sorted(
        (d for d in output_dir.iterdir() if d.is_dir() and _QUARTER_DIR.match(d.name)),
        key=lambda d: Quarter.parse(d.name),
        reverse=True,
    ) if output_dir.is_dir() else []
    esc = _html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Báo cáo sơ kết công tác cải cách hành chính</title>",
        f"<style>{_INDEX_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>Báo cáo sơ kết công tác cải cách hành chính theo quý</h1>",
    ]
    listed = 0
    for qdir in quarters:
        report = qdir / "report.html"
        unit_pages = sorted(
            (qdir / "units").glob("*.html") if (qdir / "units").is_dir() else [],
            key=lambda p: (order.get(p.stem, len(order)), p.stem),
        )
        if not report.exists() and not unit_pages:
            continue
        listed += 1
        manifest = {}
        try:
            manifest = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        label = Quarter.parse(qdir.name).label_vi()
        parts.append(f"<h2>{esc(label[0].upper() + label[1:])}</h2>")
        period = manifest.get("parameters", {}).get("period")
        notes = []
        if period == "nd09":
            notes.append("Kỳ báo cáo theo Nghị định 09/2019/NĐ-CP (từ ngày 15 tháng trước quý "
                         "đến ngày 14 tháng cuối quý).")
        elif period == "calendar":
            notes.append("Kỳ báo cáo theo quý dương lịch.")
        if manifest.get("synthetic"):
            notes.append("Lập từ dữ liệu mẫu tổng hợp, không phải số liệu thật.")
        if manifest.get("status") == "failed":
            notes.append("Lần chạy gần nhất có lỗi; xem manifest.json.")
        if notes:
            parts.append(f'<p class="note">{esc(" ".join(notes))}</p>')
        parts.append("<ul>")
        if report.exists():
            parts.append(
                f'<li><a href="{esc(qdir.name)}/report.html">Báo cáo chung toàn địa bàn</a></li>'
            )
        parts.append("</ul>")
        if unit_pages:
            parts.append("<p>Báo cáo theo đơn vị:</p><ul>")
            for page in unit_pages:
                href = f"{qdir.name}/units/{page.name}"
                parts.append(f'<li><a href="{esc(href)}">{esc(names.get(page.stem, page.stem))}</a></li>')
            parts.append("</ul>")
    if not listed:
        parts.append("<p>Chưa có báo cáo nào. Chạy <code>cchc run</code> để lập báo cáo.</p>")
    parts += ["</body>", "</html>", ""]
    from .html import make_shareable

    return make_shareable(write_text_atomic(output_dir / "index.html", "\n".join(parts)))


# --------------------------------------------------------------------------- refresh


def strip_machine_metadata(nb):
    """Remove what differs between machines and runs from a notebook, in place; return it.

    Removed: notebook-level ``papermill`` metadata (timings, input/output paths, parameters),
    each cell's ``papermill`` and ``execution`` metadata (timestamps), the interpreter
    ``version`` in ``language_info``, ``widgets`` state; the kernelspec is normalised to
    ``python3`` / "Python 3 (ipykernel)". Execution counts are renumbered 1, 2, ... in order.
    """
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    if "language_info" in nb.metadata:
        nb.metadata["language_info"].pop("version", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            if cell.get("execution_count") is not None:
                count += 1
                cell.execution_count = count
                for out in cell.get("outputs", []):
                    if "execution_count" in out:
                        out["execution_count"] = count
    return nb


def refresh_committed_notebooks(
    notebook_dir: str | Path | None = None,
    names: tuple[str, ...] = COMMITTED_NOTEBOOKS,
    progress: bool = True,
) -> list[Path]:
    """Re-execute the committed notebooks in place on their default parameters.

    Each notebook is executed by papermill (no parameters injected, kernel cwd = the notebooks
    folder) into a temporary file, stripped with :func:`strip_machine_metadata`, and only then
    moved over the committed file. They run in order because each uses the previous one's
    results (01 writes ``data/processed``, 02 writes ``outputs/<Q>``).

    Raises
    ------
    CchcError
        At the first notebook that fails; it and the later ones are left as they were, and the
        message names the executed copy that shows the error.
    """
    without_iri_checker()
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from tqdm import tqdm

    notebook_dir = Path(notebook_dir or config.NOTEBOOK_DIR).resolve()
    failed_dir = Path(tempfile.mkdtemp(prefix="cchc-refresh-"))
    written = []
    for name in tqdm(names, file=sys.stderr, unit="notebook", disable=not progress):
        source = notebook_dir / f"{name}.ipynb"
        if not source.exists():
            raise CchcError(f"notebook {source.name} not found in {notebook_dir.name}/")
        executed = failed_dir / source.name
        try:
            papermill.execute_notebook(
                str(source), str(executed), parameters=None, cwd=str(notebook_dir),
                progress_bar=False, log_output=False,
            )
        except PapermillExecutionError as exc:
            raise CchcError(
                f"{source.name} failed ({exc.ename}: {exc.evalue}); "
                f"the executed copy showing the error: {executed}"
            ) from None
        nb = strip_machine_metadata(nbformat.read(str(executed), as_version=4))
        mode = source.stat().st_mode & 0o777
        write_text_atomic(source, nbformat.writes(nb) + "\n")
        source.chmod(mode)
        written.append(source)
    shutil.rmtree(failed_dir, ignore_errors=True)
    return written


# --------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``cchc run``."""
    parser.add_argument("--quarter", help="quarter to report, e.g. 2024Q1 "
                        "(default: the latest complete quarter in the data)")
    parser.add_argument("--units", help="'all' or comma-separated unit codes: "
                        "also one report per unit")
    parser.add_argument("--jobs", type=int, default=None,
                        help="unit reports executed at the same time (default: CPU cores)")
    parser.add_argument("--period", default=config.DEFAULT_PERIOD, choices=("calendar", "nd09"),
                        help="period convention (default: calendar)")
    parser.add_argument("--engine", default=config.DEFAULT_ENGINE,
                        help="dataframe engine of 02_indicators (default: pandas)")
    parser.add_argument("--raw", type=Path, default=None,
                        help="folder of raw exports (default: data/raw/sample)")
    parser.add_argument("--processed", type=Path, default=None,
                        help="folder of cleaned tables (default: data/processed)")
    parser.add_argument("--out", type=Path, default=None, help="outputs folder (default: outputs)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of the notebooks to execute (default: notebooks)")
    parser.add_argument("--clean", action="store_true",
                        help="run 01_clean even if the raw exports did not change")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Execute ``cchc run``; print the HTML built and every failure; 0 if all succeeded, else 1."""
    batch = run_quarter(
        args.quarter,
        units=args.units,
        period=args.period,
        engine=args.engine,
        jobs=args.jobs,
        raw_dir=args.raw,
        processed_dir=args.processed,
        output_dir=args.out,
        notebook_dir=getattr(args, "notebooks", None),
        force_clean=args.clean,
        progress=not getattr(args, "no_progress", False),
    )
    for r in batch.results:
        if r.status == "ok" and r.task.html is not None:
            print(f"built {r.task.html}")
    if batch.index is not None:
        print(f"index {batch.index}")
    if batch.ok:
        return 0
    print(f"cchc run: {len(batch.failures)} notebook(s) failed:", file=sys.stderr)
    for r in batch.failures:
        where = r.task.output if r.task.output.exists() else r.task.source
        label = r.task.notebook + (f" [{r.task.unit}]" if r.task.unit else "")
        print(f"  {label}: {r.error} — see {where}", file=sys.stderr)
    skipped = [r for r in batch.results if r.status == "skipped"]
    if skipped:
        print(f"  {len(skipped)} notebook(s) not run because a step they need failed",
              file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """``python -m cchc_analysis.run``: ``--refresh-committed-notebooks``, or the run options."""
    parser = argparse.ArgumentParser(prog="python -m cchc_analysis.run", description=__doc__.split("\n")[0])
    parser.add_argument("--refresh-committed-notebooks", action="store_true",
                        help="re-execute notebooks/*.ipynb in place on their defaults")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        if args.refresh_committed_notebooks:
            for path in refresh_committed_notebooks(progress=not args.no_progress):
                print(f"refreshed {path.name}")
            return 0
        return run(args)
    except CchcError as exc:
        print(f"cchc run: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
