"""The nbval run of ``make test`` catches a change of results, and only that.

``make test`` runs ``pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks``:
every committed output must come out the same. These tests show, on ``01_clean`` and one
small raw file from the sample (seconds instead of minutes), that

- a re-run in another folder (other absolute paths, other timings) passes: the sanitize file
  absorbs what legitimately differs between machines;
- the same run on a copy of the raw file with one date altered fails with "Cell outputs
  differ": the sanitize file does not hide real changes.

The reference notebook is made the way ``make notebooks`` makes the committed ones: executed
by papermill, then stripped of machine-specific metadata.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from cchc_analysis import config
from cchc_analysis.run import strip_machine_metadata

pytestmark = pytest.mark.xdist_group("nbval_bites")

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
NOTEBOOK = config.NOTEBOOK_DIR / "01_clean.ipynb"
RAW_FILE = "2024Q1_ho_so_xa_dongbo.csv"
ORIGINAL_DATE, ALTERED_DATE = "31/03/2024 14:06:00", "31/02/2024 14:06:00"


def _sanitize(text: str) -> str:
    from nbval.plugin import get_sanitize_patterns

    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


def _raw_copy(folder: Path, altered: bool = False) -> None:
    raw = folder / "raw"
    raw.mkdir(parents=True)
    shutil.copy(config.SAMPLE_DIR / config.SYNTHETIC_MARKER, raw)
    text = (config.SAMPLE_DIR / RAW_FILE).read_text(encoding="utf-8")
    assert text.count(ORIGINAL_DATE) == 1
    if altered:
        text = text.replace(ORIGINAL_DATE, ALTERED_DATE)
    (raw / RAW_FILE).write_text(text, encoding="utf-8")


def _nbval(root: Path) -> subprocess.CompletedProcess:
    """Run nbval, strict, with the project's sanitize file, on every notebook under ``root``."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with", str(SANITIZE),
         "-p", "no:cacheprovider", "-q", "-rfE", "--rootdir", str(root), str(root)],
        capture_output=True, text=True, cwd=root, timeout=600,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """01_clean executed on one raw file of the sample, stripped like a committed notebook."""
    if not NOTEBOOK.exists() or not (config.SAMPLE_DIR / RAW_FILE).exists():
        pytest.skip("notebooks/01_clean.ipynb or the shipped sample is not there yet")
    folder = tmp_path_factory.mktemp("reference")
    _raw_copy(folder)
    executed = folder / "01_clean.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(executed), cwd=str(folder), progress_bar=False,
        parameters={"raw_dir": "raw", "processed_dir": "processed"},
    )
    nb = strip_machine_metadata(nbformat.read(str(executed), as_version=4))
    nbformat.write(nb, str(executed))
    return executed


@pytest.fixture(scope="module")
def nbval_run(reference, tmp_path_factory) -> subprocess.CompletedProcess:
    """One nbval session on two copies of the reference, each in its own folder (other paths):
    ``same/`` reads an identical raw file, ``altered/`` the raw file with one date changed."""
    root = tmp_path_factory.mktemp("nbval")
    for name, altered in (("same", False), ("altered", True)):
        _raw_copy(root / name, altered=altered)
        shutil.copy(reference, root / name / reference.name)
    return _nbval(root)


def _failures(done: subprocess.CompletedProcess, folder: str) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith(f"FAILED {folder}/")]


class TestNbvalOnCleanNotebook:
    def test_a_rerun_in_another_folder_passes(self, nbval_run):
        assert _failures(nbval_run, "same") == [], nbval_run.stdout[-3000:]

    def test_one_altered_raw_value_makes_it_fail(self, nbval_run):
        # The summary line says "Notebook cell execution failed"; the report above it says why.
        assert (len(_failures(nbval_run, "altered")) > 0, "Cell outputs differ" in nbval_run.stdout) == (True, True)

    def test_the_session_exits_non_zero(self, nbval_run):
        assert nbval_run.returncode == 1


class TestSanitizePatterns:
    def test_memory_addresses_are_neutralised(self):
        assert _sanitize("<Foo at 0x7f3a2c1d4e50>") == "<Foo at 0xADDRESS>"

    def test_temporary_paths_are_neutralised(self):
        assert _sanitize("read /tmp/pytest-of-ci/x/raw.csv ok") == "read TEMP_PATH ok"

    def test_tqdm_bars_are_neutralised(self):
        assert _sanitize(" 40%|████      | 4/10 [00:01<00:02,  2.50it/s]") == " PROGRESS_BAR"

    def test_durations_are_neutralised(self):
        assert _sanitize("time: 1.23 s") == "time: DURATION"

    def test_vietnamese_figures_are_left_alone(self):
        text = "đạt 97,5%; 1.234 hồ sơ; 12 số; quý I năm 2024"
        assert _sanitize(text) == text


COMMITTED = ("01_clean", "02_indicators", "03_report", "explore")
#: The parameters each notebook uses, and only those (``papermill --help-notebook`` lists them).
PARAMETERS = {
    "01_clean": ["raw_dir", "processed_dir"],
    "02_indicators": ["quarter", "period", "unit", "processed_dir", "output_dir", "engine", "as_of"],
    "03_report": ["quarter", "period", "unit", "output_dir"],
    "explore": ["quarter", "period", "unit", "processed_dir", "output_dir", "field", "procedure", "channel"],
}
#: Defaults shared by every notebook that declares the parameter; folders: None = config's.
DEFAULTS = {"quarter": '"2024Q1"', "period": '"calendar"', "unit": "None", "raw_dir": "None",
            "processed_dir": "None", "output_dir": "None", "engine": '"pandas"'}


def _committed(name: str) -> Path:
    path = config.NOTEBOOK_DIR / f"{name}.ipynb"
    assert path.exists(), f"notebooks/{name}.ipynb is missing: every committed notebook must be there"
    return path


class TestCommittedNotebooks:
    @pytest.mark.parametrize("name", COMMITTED)
    def test_declares_only_the_parameters_it_uses(self, name):
        assert list(papermill.inspect_notebook(str(_committed(name)))) == PARAMETERS[name]

    @pytest.mark.parametrize("name", COMMITTED)
    def test_each_parameter_has_vietnamese_help_ending_with_its_english_name(self, name):
        params = papermill.inspect_notebook(str(_committed(name)))
        helps = {p: params[p]["help"] for p in params}
        assert [p for p, h in helps.items() if not (h.endswith(")") and any(ord(c) > 127 for c in h))] == []

    @pytest.mark.parametrize("name", COMMITTED)
    def test_defaults_are_the_shared_ones_and_folders_come_from_config(self, name):
        params = papermill.inspect_notebook(str(_committed(name)))
        assert {p: params[p]["default"] for p in params if p in DEFAULTS} == {
            p: DEFAULTS[p] for p in PARAMETERS[name] if p in DEFAULTS
        }

    @pytest.mark.parametrize("name", COMMITTED)
    def test_resolves_each_folder_parameter_right_after_the_parameters_cell(self, name):
        nb = nbformat.read(str(_committed(name)), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        first = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
        folders = [p for p in PARAMETERS[name] if p.endswith("_dir")]
        assert [f"{p} = config.resolve_dir({p}," in code[first + 1].source for p in folders] == [True] * len(folders)

    @pytest.mark.parametrize("name", COMMITTED)
    def test_is_committed_executed_and_without_errors(self, name):
        nb = nbformat.read(str(_committed(name)), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        errors = [o for c in code for o in c.outputs if o.output_type == "error"]
        assert (all(c.execution_count for c in code), errors) == (True, [])

    @pytest.mark.parametrize("name", COMMITTED)
    def test_carries_no_machine_specific_metadata(self, name):
        text = _committed(name).read_text(encoding="utf-8")
        assert ('"papermill"' in text, '"execution"' in text, str(config.PROJECT_ROOT) in text) == (False, False, False)
