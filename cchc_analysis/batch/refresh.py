"""Re-execution of the committed notebooks in place (``make notebooks``)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .. import config
from ..errors import CchcError
from ..io import write_text_atomic
from .execute import new_kernel_manager, stop_kernel
from .inputs import without_iri_checker

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Notebooks committed with the outputs of their default run (nbval compares against them).
COMMITTED_NOTEBOOKS = ("01_clean", "02_indicators", "03_report", "explore")


def strip_machine_metadata(nb):
    """Remove what differs between machines and runs from a notebook, in place; return it.

    Removed: notebook-level ``papermill`` metadata (timings, input/output paths, parameters),
    each cell's ``papermill`` and ``execution`` metadata (timestamps), the interpreter
    ``version`` in ``language_info``, ``widgets`` state and the widget views that need it (an
    output keeps its static rendering: JupyterLab would show "model not found" for a view
    without its state, and model ids are random); the kernelspec is normalised to
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
            for out in cell.get("outputs", []):
                out.get("data", {}).pop(WIDGET_VIEW, None)
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
        km = new_kernel_manager()
        try:
            papermill.execute_notebook(
                str(source), str(executed), parameters=None, cwd=str(notebook_dir),
                progress_bar=False, log_output=False, km=km,
            )
        except PapermillExecutionError as exc:
            raise CchcError(
                f"{source.name} bị lỗi ({exc.ename}: {exc.evalue}); "
                f"bản đã chạy cho thấy lỗi: {executed}"
            ) from None
        finally:
            stop_kernel(km)
        nb = strip_machine_metadata(nbformat.read(str(executed), as_version=4))
        mode = source.stat().st_mode & 0o777
        write_text_atomic(source, nbformat.writes(nb) + "\n")
        source.chmod(mode)
        written.append(source)
    shutil.rmtree(failed_dir, ignore_errors=True)
    return written
