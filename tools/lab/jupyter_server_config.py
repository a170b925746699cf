"""JupyterLab as `make lab` starts it: rooted at the project folder, opening the landing notebook,
and never writing outputs into the tracked notebooks.

Why the hook: a notebook run on real exports shows figures about real dossiers; saved into
notebooks/ (tracked by git) they could be committed. Notebooks saved under notebooks/ are
therefore written without outputs (the source is kept). To keep a run with its results, save a
copy under lam_viec/ (ignored by git) or export it (File > Save and Export Notebook As).
The committed sample outputs are made only by `make notebooks`.

The Vietnamese interface comes from the language pack and tools/lab/overrides.json, which
`make setup` copies to .venv/share/jupyter/lab/settings/.
"""

import warnings
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRACKED_NOTEBOOK_FOLDER = "notebooks/"


def strip_outputs_of_tracked_notebooks(model, path, contents_manager=None, **kwargs):
    """Pre-save hook: a notebook saved under notebooks/ loses its outputs, widget state and
    execution counts; anything else is saved unchanged."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if not str(path).replace("\\", "/").lstrip("/").startswith(TRACKED_NOTEBOOK_FOLDER):
        return
    content = model["content"]
    content.get("metadata", {}).pop("widgets", None)
    for cell in content.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


# Jupyter loads this file once per application (server, lab): the second load replaces the hook
# by the same function, which traitlets would report as an "override".
warnings.filterwarnings("ignore", message="Overriding existing pre_save_hook", category=UserWarning)

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)
c.ServerApp.root_dir = str(PROJECT_ROOT)
c.LabApp.default_url = "/lab/tree/notebooks/00_bat_dau.ipynb"
c.ContentsManager.pre_save_hook = strip_outputs_of_tracked_notebooks
