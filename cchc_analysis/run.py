"""``cchc run``: build a quarter by executing the notebooks with papermill (orchestration only).

One command builds a quarter::

    cchc run                              # latest complete quarter in the data
    cchc run --quarter 2024Q1 --units all --jobs 2
    cchc run --quarter 2024H1             # 6 tháng; also 2024M9 (9 tháng), 2024Y (năm)

Steps, each a notebook executed by papermill in its own kernel (cwd = the notebooks folder):

1. ``01_clean`` — only when the raw exports changed since the last clean (the sha256 of the raw
   files differs from ``clean_meta.json["files"]`` written by the cleaner), when a reference
   file the cleaner reads changed (``clean_meta.json["reference"]``), when the last
   ``01_clean`` of the quarter did not finish (killed or failed: its executed notebook is not
   the one the manifest records), or with ``--clean``;
2. ``02_indicators`` — the quarter's tables into ``outputs/<Q>/``;
3. ``03_report`` — the meeting report, exported to ``outputs/<Q>/report.html``; with
   ``--units``, one more ``03_report`` per unit (``unit`` parameter), in parallel, exported to
   ``outputs/<Q>/units/<code>.html``.

When the raw and processed files, the parameters, the package's code and the notebooks are the
same as for the last successful build of the quarter (``fingerprint`` in its manifest), nothing
runs: the command says so and prints the summary again.

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

The jobs live in :mod:`cchc_analysis.batch`: ``inputs`` (hashes, quarter and unit choice),
``execute`` (papermill, warm kernels), ``uptodate``, ``manifest``, ``index`` (the index page,
a Jinja2 template), ``summary`` and ``refresh`` (``make notebooks``). Their public names stay
importable from here.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import time
from pathlib import Path

from . import config
from .batch.execute import (  # noqa: F401  (re-exported)
    STATUSES,
    BatchResult,
    NotebookResult,
    NotebookTask,
    WARM_IMPORTS,
    WarmKernel,
    _execute_many,
    declared_parameters,
    execute_task,
)
from .batch.execute import stop_all_kernels
from .batch.index import render_index, write_index  # noqa: F401
from .batch.inputs import (  # noqa: F401
    latest_complete_quarter,
    latest_complete_quarter_on,
    raw_changed,
    raw_file_hashes,
    read_clean_meta,
    select_units,
    sha256_file,
    units_in_quarter,
    without_iri_checker,
)
from .batch.manifest import write_manifest  # noqa: F401
from .batch.refresh import (  # noqa: F401
    COMMITTED_NOTEBOOKS,
    refresh_committed_notebooks,
    strip_machine_metadata,
)
from .batch.summary import shown_path, summary_lines
from .batch.uptodate import clean_unfinished, fingerprint, previous_build
from .errors import CchcError, InputError, exit_code_for

#: The batch pipeline, in order.
PIPELINE = ("01_clean", "02_indicators", "03_report")


def _report_title(quarter: str, unit: str | None) -> str:
    from .periods import Period

    title = f"Báo cáo sơ kết công tác cải cách hành chính {Period.parse(quarter).label_vi()}"
    if unit:
        from .refdata import unit_names

        title += f" — {unit_names().get(unit, unit)}"
    return title




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
    rebuild: bool = False,
) -> BatchResult:
    """Build one quarter: clean if needed, indicators, report(s), HTML, manifest, index.

    Parameters
    ----------
    quarter
        The report period: ``2024Q1`` or a cumulative period ``2024H1`` (6 tháng), ``2024M9``
        (9 tháng), ``2024Y`` (năm), in any spelling ``Period.parse`` reads; ``None`` = the
        latest complete quarter in the cleaned data (:func:`latest_complete_quarter`).
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
    rebuild
        Run the notebooks even when the last build of the quarter had the same inputs,
        parameters and code (otherwise that build is reported as up to date; ``BatchResult.up_to_date``).

    Returns
    -------
    BatchResult
        Never raises for a failing notebook; see :attr:`BatchResult.failures`.

    Raises
    ------
    CchcError
        For a wrong quarter, period or unit code, or when no quarter can be found.
    """
    from .periods import CONVENTIONS, Period

    if period not in CONVENTIONS:
        raise CchcError(f"kỳ báo cáo (--period) phải là {' hoặc '.join(CONVENTIONS)}, không phải '{period}'")
    raw_dir = Path(raw_dir or config.DEFAULT_RAW_DIR).resolve()
    processed_dir = Path(processed_dir or config.PROCESSED_DIR).resolve()
    output_dir = Path(output_dir or config.OUTPUT_DIR).resolve()
    notebook_dir = Path(notebook_dir or config.NOTEBOOK_DIR).resolve()
    jobs = max(1, jobs or os.cpu_count() or 1)
    if quarter is not None:
        quarter = str(Period.parse(quarter))
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "không có thư mục dữ liệu thô này")
    from .clean import check_separate_folders

    # Issue 14: nothing is written into the read-only raw folder (nor raw under an output).
    check_separate_folders(raw_dir, processed_dir)
    check_separate_folders(raw_dir, output_dir, "--out")

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
    clean_needed = _clean_needed(force_clean, quarter, period, raw_dir, processed_dir, output_dir)
    if not clean_needed and not rebuild:
        quarter = quarter or latest_complete_quarter(processed_dir, period)
        chosen_units = select_units(units, quarter, period)
        done = _previous_batch(quarter, chosen_units, base, raw_dir, processed_dir, output_dir,
                               notebook_dir)
        if done is not None:
            return done
    elif quarter is not None:
        chosen_units = select_units(units, quarter, period)  # a wrong code stops before cleaning
    runner = _Runner(notebook_dir, jobs, progress)
    try:
        clean_task = NotebookTask(
            "01_clean",
            notebook_dir / "01_clean.ipynb",
            output_dir / (f"{quarter}/notebooks/01_clean.ipynb" if quarter else "01_clean.ipynb"),
            {**base, "quarter": quarter or config.DEFAULT_QUARTER},
            notebook_dir,
        )
        if quarter is not None:
            runner.open_bar(len(PIPELINE) + len(chosen_units))
        elif units_count(units) is not None:  # the count does not depend on the quarter
            runner.open_bar(len(PIPELINE) + units_count(units))
        if clean_needed:
            clean = runner.clean(clean_task)
        else:
            clean = NotebookResult(clean_task, "up_to_date", 0.0, None)
            runner.advance()
        if quarter is None:  # known only now that the cleaned data exists
            try:
                quarter = latest_complete_quarter(processed_dir, period)
            except CchcError:
                if clean.status == "failed":
                    return BatchResult(quarter="", results=[clean])
                raise
            _move_clean_notebook(clean, output_dir / quarter / "notebooks" / "01_clean.ipynb")
            chosen_units = select_units(units, quarter, period)
            if runner.bar is None:
                runner.open_bar(len(PIPELINE) + len(chosen_units), done=1)
        if clean.status != "failed":
            from .indicators import require_dossiers

            require_dossiers(processed_dir, quarter, period)  # no report on a period without data
        base["quarter"] = quarter
        results = [clean] + runner.indicators_and_reports(
            clean, *_quarter_tasks(quarter, chosen_units, base, notebook_dir, output_dir)
        )
    except KeyboardInterrupt:
        # Ctrl+C: no kernel left running, no half-executed notebook in the staging place; the
        # manifest and index are not rewritten, so they still describe the last complete run.
        (output_dir / "01_clean.ipynb").unlink(missing_ok=True)
        runner.abort()
        raise
    finally:
        runner.close()

    batch = BatchResult(quarter=quarter, results=results)
    parameters = {**base, "units": chosen_units, "jobs": jobs, "force_clean": force_clean}
    batch.manifest = write_manifest(
        output_dir / quarter / "manifest.json",
        batch,
        parameters=parameters,
        raw_dir=raw_dir,
        processed_dir=processed_dir,
        output_dir=output_dir,
        started_at=started_at,
        fingerprint=fingerprint(_fingerprinted(parameters), raw_dir, processed_dir, notebook_dir)
        if batch.ok else None,
    )
    batch.index = write_index(output_dir)
    return batch


def _clean_needed(force_clean: bool, quarter: str | None, period: str, raw_dir: Path,
                  processed_dir: Path, output_dir: Path) -> bool:
    """Whether ``01_clean`` must run: ``--clean``, changed raw exports or reference files, no
    clean record, or a ``01_clean`` that did not finish (killed or failed, issue 14): its
    notebook in the quarter's folder is not the one recorded as done, or, without
    ``--quarter``, a run killed while cleaning left its notebook in the staging place."""
    from .clean import reference_changed

    if force_clean or raw_changed(raw_dir, processed_dir) or reference_changed(processed_dir):
        return True
    if quarter is None and (output_dir / "01_clean.ipynb").exists():
        return True
    return clean_unfinished(output_dir / (quarter or latest_complete_quarter(processed_dir, period)))


def units_count(spec: str | None) -> int | None:
    """How many unit reports ``--units`` asks for, or ``None`` for ``all`` (depends on the quarter)."""
    if not spec:
        return 0
    if spec.strip().lower() == "all":
        return None
    return len(dict.fromkeys(code.strip() for code in spec.split(",") if code.strip()))


def _fingerprinted(parameters: dict) -> dict:
    """The parameters a build depends on (not ``jobs`` nor ``force_clean``)."""
    return {k: v for k, v in parameters.items() if k not in ("jobs", "force_clean")}


def _previous_batch(quarter, chosen_units, base, raw_dir, processed_dir, output_dir,
                    notebook_dir) -> BatchResult | None:
    """The last build of ``quarter`` as a :class:`BatchResult` of ``up_to_date`` notebooks,
    when it succeeded with the same fingerprint; else ``None`` (the quarter must be built)."""
    parameters = _fingerprinted({**base, "quarter": quarter, "units": chosen_units})
    manifest_path = output_dir / quarter / "manifest.json"
    manifest = previous_build(
        manifest_path, fingerprint(parameters, raw_dir, processed_dir, notebook_dir)
    )
    if manifest is None:
        return None
    qdir = manifest_path.parent
    results = [
        NotebookResult(
            NotebookTask(
                entry["notebook"], notebook_dir / f"{entry['notebook']}.ipynb",
                qdir / (entry["executed"] or ""), parameters, notebook_dir, unit=entry["unit"],
                html=qdir / entry["html"] if entry.get("html") else None,
            ),
            "up_to_date",
        )
        for entry in manifest["notebooks"]
    ]
    return BatchResult(quarter=quarter, results=results, manifest=manifest_path,
                       index=output_dir / "index.html", up_to_date=True)


def _move_clean_notebook(clean: NotebookResult, final: Path) -> None:
    """Move the executed ``01_clean`` from its staging place into the quarter's folder."""
    if clean.status != "up_to_date" and clean.task.output.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(clean.task.output, final)
        clean.task.output = final


def _quarter_tasks(quarter: str, chosen_units: list[str], base: dict, notebook_dir: Path,
                   output_dir: Path) -> tuple[NotebookTask, list[NotebookTask]]:
    """The ``02_indicators`` task and the ``03_report`` tasks (whole area, then each unit)."""
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
    return indicators_task, report_tasks


class _Runner:
    """Executes the steps of one build with one progress bar and warm kernels."""

    def __init__(self, notebook_dir: Path, jobs: int, progress: bool):
        self.notebook_dir, self.jobs, self.progress = notebook_dir, jobs, progress
        self.bar = None
        self.kernels: list[WarmKernel] = []
        self.next_kernel: WarmKernel | None = None

    def open_bar(self, total: int, done: int = 0) -> None:
        """Show the bar once its total is known (it never changes afterwards)."""
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=done, file=sys.stderr, desc="cchc run",
                        bar_format="{desc}: {n_fmt}/{total_fmt} sổ tay |{bar:20}| {elapsed}{postfix}",
                        disable=not self.progress, leave=False)

    def advance(self, step: str | None = None) -> None:
        if self.bar is not None:
            self.bar.update(1) if step is None else self.bar.set_postfix_str(step)

    def warm(self) -> WarmKernel:
        self.kernels.append(WarmKernel(self.notebook_dir))
        return self.kernels[-1]

    def clean(self, task: NotebookTask) -> NotebookResult:
        if self.bar is None and self.progress:
            print("cchc run: đang làm sạch dữ liệu thô (01_clean)…", file=sys.stderr)
        self.advance("01_clean")
        self.next_kernel = self.warm()  # for 02, started while 01 runs
        result = execute_task(task)
        self.advance()
        return result

    def indicators_and_reports(self, clean: NotebookResult, indicators_task: NotebookTask,
                               report_tasks: list[NotebookTask]) -> list[NotebookResult]:
        if clean.status == "failed":
            return [NotebookResult(t, "skipped", 0.0, "01_clean failed")
                    for t in [indicators_task, *report_tasks]]
        self.advance("02_indicators")
        report_kernel = self.warm() if self.jobs <= 1 or len(report_tasks) <= 1 else None
        indicators = execute_task(indicators_task, self.next_kernel)
        self.advance()
        if indicators.status == "failed":
            return [indicators] + [NotebookResult(t, "skipped", 0.0, "02_indicators failed")
                                   for t in report_tasks]
        self.advance("03_report")
        return [indicators] + _execute_many(report_tasks, self.jobs, self, report_kernel)

    def update(self, n: int = 1) -> None:
        """Progress of :func:`_execute_many` (one report done)."""
        self.advance()

    def abort(self) -> None:
        """After Ctrl+C: wait for kernels still starting, then kill every kernel directly."""
        for kernel in self.kernels:
            kernel.join()
        self.kernels = []
        stop_all_kernels()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        for kernel in self.kernels:  # the ones a failed notebook left unused
            kernel.discard()


# --------------------------------------------------------------------------- records


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``cchc run`` (``--raw``, ``--processed``, ``--out`` get their defaults from
    :mod:`cchc_analysis.config` in :mod:`cchc_analysis.cli`, the same for every command)."""
    parser.add_argument("--quarter", help="kỳ báo cáo: quý (2024Q1, quý I/2024), 6 tháng (2024H1, "
                        "'6 tháng đầu năm 2024'), 9 tháng (2024M9) hoặc năm (2024Y, 'năm 2024') "
                        "(mặc định: quý trọn vẹn gần nhất có trong dữ liệu)")
    parser.add_argument("--units", help="'all' hoặc các mã đơn vị cách nhau bằng dấu phẩy "
                        "(xem `cchc units`): thêm một báo cáo cho mỗi đơn vị")
    parser.add_argument("--jobs", type=int, default=None,
                        help="số báo cáo đơn vị chạy cùng lúc (mặc định: số nhân CPU)")
    parser.add_argument("--period", default=config.DEFAULT_PERIOD, choices=("calendar", "nd09"),
                        help="quy ước kỳ báo cáo (mặc định: %(default)s)")
    parser.add_argument("--engine", default=config.DEFAULT_ENGINE,
                        help="engine dữ liệu của 02_indicators (mặc định: %(default)s)")
    parser.add_argument("--raw", type=Path, default=None)
    parser.add_argument("--processed", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="thư mục các notebook được chạy (mặc định: notebooks)")
    parser.add_argument("--clean", action="store_true",
                        help="chạy lại 01_clean kể cả khi dữ liệu thô không đổi")
    parser.add_argument("--force", action="store_true",
                        help="chạy lại các notebook kể cả khi dữ liệu, tham số và mã nguồn không đổi")
    parser.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")


def run(args: argparse.Namespace) -> int:
    """Execute ``cchc run``; print the summary and every failure; 0 if all succeeded, else 1."""
    started = time.perf_counter()
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
        rebuild=getattr(args, "force", False),
    )
    if batch.failures:
        print(f"cchc run: {len(batch.failures)} sổ tay bị lỗi:", file=sys.stderr)
        for r in batch.failures:
            where = r.task.output if r.task.output.exists() else r.task.source
            label = r.task.notebook + (f" [{r.task.unit}]" if r.task.unit else "")
            print(f"  {label}: {r.error} — xem {shown_path(where)}", file=sys.stderr)
        skipped = [r for r in batch.results if r.status == "skipped"]
        if skipped:
            print(f"  {len(skipped)} sổ tay không chạy vì một bước cần cho chúng bị lỗi",
                  file=sys.stderr)
    if batch.quarter:
        output_dir = Path(args.out or config.OUTPUT_DIR).resolve()
        for line in summary_lines(batch, output_dir, args.period, time.perf_counter() - started,
                                  up_to_date=batch.up_to_date):
            print(line)
    return 0 if batch.ok else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m cchc_analysis.run``: ``--refresh-committed-notebooks``, or the run options."""
    parser = argparse.ArgumentParser(prog="python -m cchc_analysis.run", description=__doc__.split("\n")[0])
    parser.add_argument("--refresh-committed-notebooks", action="store_true",
                        help="chạy lại notebooks/*.ipynb tại chỗ với tham số mặc định")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        if args.refresh_committed_notebooks:
            for path in refresh_committed_notebooks(progress=not args.no_progress):
                print(f"đã chạy lại {path.name}")
            return 0
        return run(args)
    except CchcError as exc:
        print(f"cchc run: lỗi: {exc}", file=sys.stderr)
        return exit_code_for(exc)


if __name__ == "__main__":
    sys.exit(main())
