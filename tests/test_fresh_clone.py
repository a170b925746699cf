"""Every notebook runs top to bottom on a fresh clone, under plain papermill from the project root
(issue 15 acceptance).

The repository is cloned (committed files only: no data/processed, no outputs) into a temporary
folder. Setup is this test session's environment (a new virtual environment would take
minutes): the clone's package is put first on PYTHONPATH, so the kernels import the clone's
code and its ``config`` finds the clone's data/ and outputs/. Then, from the clone's root:

- explore first, as a new user might: it builds the cleaned tables from the sample (with a
  progress line) and says in one sentence what to run for the quarter comparison;
- then 01, 02, 03 and explore in order, each as ``papermill notebooks/X.ipynb out.ipynb``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fresh_clone")]

ROOT = Path(__file__).resolve().parents[1]
PAPERMILL = Path(sys.executable).parent / "papermill"
ORDER = ("01_clean", "02_indicators", "03_report", "explore")


def _text(nb) -> str:
    """All text and HTML outputs of a notebook, joined."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(out.get("data", {}).get(k, "")) for k in ("text/plain", "text/markdown", "text/html"))
    return "\n".join(parts)


def _errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "cchc-analysis"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)
    return target


@pytest.fixture(scope="module")
def env(clone) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env["PYTHONPATH"] = str(clone)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _papermill(clone: Path, env: dict[str, str], name: str, out: Path):
    done = subprocess.run([str(PAPERMILL), f"notebooks/{name}.ipynb", str(out), "--no-progress-bar"],
                          cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return nbformat.read(str(out), as_version=4)


@pytest.fixture(scope="module")
def runs(clone, env, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    out = tmp_path_factory.mktemp("executed")
    executed = {"explore_first": _papermill(clone, env, "explore", out / "explore_first.ipynb")}
    for name in ORDER:
        executed[name] = _papermill(clone, env, name, out / f"{name}.ipynb")
    return executed


class TestFreshClone:
    def test_the_clone_has_no_processed_data_nor_outputs_before_the_runs(self, clone):
        assert ((clone / "data" / "processed").exists(), (clone / "outputs").exists()) == (False, False)

    def test_the_kernels_import_the_clones_package(self, clone, env):
        done = subprocess.run([sys.executable, "-c", "from cchc_analysis import config; print(config.PROJECT_ROOT)"],
                              cwd=clone, env=env, capture_output=True, text=True, check=True)
        assert Path(done.stdout.strip()) == clone.resolve()

    def test_explore_first_builds_from_the_sample_and_says_what_to_run(self, runs):
        text = _text(runs["explore_first"])
        assert (_errors(runs["explore_first"]), "đang làm sạch **dữ liệu mẫu**" in text,
                "hãy chạy notebooks/02_indicators.ipynb" in text) == ([], True, True)

    @pytest.mark.parametrize("name", ORDER)
    def test_each_notebook_runs_top_to_bottom_in_order(self, runs, name):
        code = [c for c in runs[name].cells if c.cell_type == "code"]
        assert (_errors(runs[name]), all(c.get("execution_count") for c in code)) == ([], True)

    def test_the_pipeline_writes_processed_tables_and_quarter_outputs(self, runs, clone):
        assert ((clone / "data" / "processed" / "dossiers.parquet").exists(),
                (clone / "outputs" / "2024Q1").is_dir()) == (True, True)

    def test_explore_after_02_compares_quarters_for_the_period(self, runs):
        text = _text(runs["explore"])
        assert ("Các chỉ số chính theo quý" in text, "3.616 hồ sơ nhận giải quyết trong kỳ" in text,
                "đang làm sạch" in text) == (True, True, False)
