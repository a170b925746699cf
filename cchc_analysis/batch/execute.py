"""Notebook execution with papermill: tasks, warm kernels, one or several at a time."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .inputs import without_iri_checker

#: Statuses recorded for a notebook in the manifest.
STATUSES = ("ok", "failed", "skipped", "up_to_date")


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
            from .. import html  # noqa: F401
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


def new_kernel_manager(kernel_name: str = "python3"):
    """A kernel manager whose kernel talks over local IPC sockets, not TCP.

    Over TCP without CurveZMQ keys, ipykernel warns at every start that its traffic can be
    eavesdropped; IPC sockets are files in the Jupyter runtime folder (readable by the user
    only), so the batch neither opens ports nor prints the warning.
    """
    import uuid

    from jupyter_client.manager import KernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    # Each kernel gets its own socket prefix: the default ("kernel-ipc" in the working folder)
    # would make kernels started at the same time share sockets.
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    prefix = runtime / f"cchc-kernel-{uuid.uuid4().hex[:12]}"
    km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(prefix))
    _LIVE_KERNELS.add(km)
    return km


#: Kernel managers made by :func:`new_kernel_manager` and not yet stopped (this process).
_LIVE_KERNELS: set = set()


def stop_all_kernels() -> None:
    """Kill every kernel this process started and has not stopped (after Ctrl+C): none is left
    running, and none prints "Parent appears to have exited" after the command has ended."""
    # Not through jupyter_client's event loop: it still holds the interrupted papermill task,
    # which would raise KeyboardInterrupt again. The kernel process is killed directly.
    for km in list(_LIVE_KERNELS):
        _LIVE_KERNELS.discard(km)
        try:
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=5)
            km.cleanup_connection_file()
            km.cleanup_ipc_files()
        except Exception:  # pragma: no cover - best effort while interrupted
            pass


def stop_kernel(km) -> None:
    """Shut a kernel down by request, without the SIGINT ``shutdown_kernel`` sends first.

    ipykernel logs a stray ``ERROR | KeyboardInterrupt`` when that signal lands while it is
    still busy (a warm kernel importing, a kernel flushing its last output). A kernel that does
    not stop within a second is killed.
    """
    if km is None:
        return
    _LIVE_KERNELS.discard(km)
    if not km.has_kernel:
        return
    km.stop_restarter()
    km.request_shutdown()
    km.finish_shutdown(waittime=1.0)
    km.cleanup_resources()


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
            km = new_kernel_manager(kernel_name)
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

    def join(self) -> None:
        """Wait until the kernel has started (or failed to), keeping it for :meth:`take`."""
        self._thread.join()

    def discard(self) -> None:
        """Shut the kernel down if nobody took it (a notebook before it failed)."""
        stop_kernel(self.take())


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
    if km is None:
        km = new_kernel_manager()
    try:
        papermill.execute_notebook(
            str(task.source),
            str(task.output),
            parameters=parameters,
            cwd=str(task.cwd),
            progress_bar=False,
            log_output=False,
            km=km,
        )
        if task.html is not None:
            from ..html import export_html

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
        # Off the critical path: the next notebook's kernel is already warm (~0.3 s each).
        threading.Thread(target=stop_kernel, args=(km,), name="cchc-stop-kernel").start()
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
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                                  initializer=_ignore_interrupt)
    try:
        futures = {pool.submit(execute_task, task): i for i, task in enumerate(tasks)}
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                by_task[i] = future.result()
            except Exception as exc:  # the worker process itself died
                by_task[i] = NotebookResult(tasks[i], "failed", 0.0, f"{type(exc).__name__}: {exc}")
            progress.update(1)
    except KeyboardInterrupt:
        # Ctrl+C (issue 14): the workers are stopped, not waited for (waiting hung the command).
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for process in workers:
            process.terminate()  # each stops its kernel first (_ignore_interrupt)
        for process in workers:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [by_task[i] for i in range(len(tasks))]


def _ignore_interrupt() -> None:
    # Workers leave Ctrl+C to the command (one line, exit 130); their kernels still receive it
    # and stop the cell. Stopped by the command (SIGTERM), a worker kills its kernel so that
    # none is left to print "Parent appears to have exited" after the command ended, and
    # exits without a word.
    import os
    import signal

    def stop(signum, frame):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        for km in list(_LIVE_KERNELS):
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()
        os._exit(1)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)


@dataclass
class BatchResult:
    """What :func:`run_quarter` did: the quarter, the per-notebook results and the files built."""

    quarter: str
    results: list[NotebookResult] = field(default_factory=list)
    manifest: Path | None = None
    index: Path | None = None
    #: True when nothing ran because the last build had the same inputs, parameters and code.
    up_to_date: bool = False

    @property
    def failures(self) -> list[NotebookResult]:
        """Results with status ``failed``."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no notebook failed or was skipped because of a failure."""
        return all(r.status in ("ok", "up_to_date") for r in self.results)

