"""JupyterLab in a real browser (issue 15 acceptance): Playwright drives the system Chromium (no
browser download) against `make lab`'s server configuration; explore.ipynb runs, the interface
is in Vietnamese, and changing the unit filter changes the tables.

The server runs on a free localhost port with a random token, rooted at a temporary folder that
holds a copy of explore.ipynb (autosave must never touch the committed notebook); the cleaned
tables and outputs go to temporary folders (CCHC_PROCESSED_DIR, CCHC_OUTPUT_DIR), so the
notebook builds them from the sample first. Screenshots are written to CCHC_SCREENSHOT_DIR
when set (to look at them), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from cchc_analysis.batch.refresh import strip_machine_metadata

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("lab_browser")]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OVERRIDES = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab server: (base url, token, screenshot folder, its temporary folder)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("no Chromium at /usr/bin/chromium: apt-get install -y chromium (see .ci/run)")
    assert OVERRIDES.exists(), "the Vietnamese settings overrides are missing: run `make setup`"
    base = tmp_path_factory.mktemp("lab")
    (base / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", base / "notebooks" / "explore.ipynb")
    shots = Path(os.environ.get("CCHC_SCREENSHOT_DIR") or base / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.update(CCHC_PROCESSED_DIR=str(base / "processed"), CCHC_OUTPUT_DIR=str(base / "outputs"),
               JUPYTER_CONFIG_DIR=str(base / "jupyter_config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(base / "user_settings"), JUPYTERLAB_WORKSPACES_DIR=str(base / "ws"))
    # A copy executed headless and stripped as `make notebooks` strips the committed notebooks.
    static = base / "notebooks" / "explore_static.ipynb"
    subprocess.run([str(Path(sys.executable).parent / "papermill"), str(ROOT / "notebooks" / "explore.ipynb"),
                    str(static), "--no-progress-bar"], env=env, cwd=base, check=True, capture_output=True, timeout=300)
    nbformat.write(strip_machine_metadata(nbformat.read(str(static), as_version=4)), str(static))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--config", str(ROOT / "tools/lab/jupyter_server_config.py"),
         "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={base}",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(base / "server.log", "w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start: " + (base / "server.log").read_text()[-2000:])
        yield url, token, shots, base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    url, token, shots, _ = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/notebooks/explore.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=60_000)
        page.screenshot(path=str(shots / "1_opened.png"))
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".cchc-explore-controls select", timeout=180_000)
        page.locator("text=hồ sơ quá hạn –").first.wait_for(timeout=120_000)
        page.locator(".dt-container, .dataTables_wrapper").first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "2_ran.png"), full_page=False)
        yield page, shots
        browser.close()


def _late_caption(page) -> str:
    return page.locator("b", has_text="hồ sơ quá hạn –").first.inner_text()


def _late_table_rows(page) -> str:
    late = page.locator(".jp-OutputArea-output", has=page.locator("b", has_text="hồ sơ quá hạn –")).first
    return late.locator("table.dataTable tbody").first.inner_text()


class TestExploreInJupyterLab:
    def test_the_interface_is_in_vietnamese(self, page):
        page, _ = page
        menu = page.locator("#jp-menu-panel, .lm-MenuBar").first.inner_text()
        assert ("Tệp" in menu, "Trợ giúp" in menu) == (True, True)

    def test_the_notebook_ran_without_error(self, page):
        page, _ = page
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                            has_text="Traceback").count() == 0

    def test_changing_the_unit_changes_the_tables(self, page):
        page, shots = page
        caption_before, rows_before = _late_caption(page), _late_table_rows(page)
        late = page.locator(".jp-OutputArea-output", has=page.locator("b", has_text="hồ sơ quá hạn –")).first
        page.locator("b", has_text="hồ sơ quá hạn –").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "2b_late_list_area.png"))
        # The area-wide list has more rows than a page: search box and Vietnamese paging info.
        searchable = (late.locator("input[type=search]").count(), "trên" in late.inner_text())
        unit = page.locator(".cchc-explore-controls .widget-dropdown", has_text="Đơn vị").locator("select")
        unit.scroll_into_view_if_needed()
        unit.select_option(label="phường Phú Bài (đến 30/6/2025)")
        page.locator("b", has_text="hồ sơ quá hạn – phường Phú Bài").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "before => [...document.querySelectorAll('table.dataTable tbody')].every(t => t.innerText !== before)"
            " || true", arg=rows_before, timeout=30_000)
        time.sleep(1)
        page.screenshot(path=str(shots / "3_unit_changed.png"))
        page.locator("b", has_text="hồ sơ quá hạn –").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "4_late_list.png"))
        caption_after, rows_after = _late_caption(page), _late_table_rows(page)
        assert (searchable, "Toàn địa bàn" in caption_before, "phường Phú Bài" in caption_after,
                rows_after != rows_before) == ((1, True), True, True, True)

    def test_lưu_excel_saves_the_current_list(self, page, lab):
        page, shots = page
        late = page.locator(".jp-OutputArea-output", has=page.locator("b", has_text="hồ sơ quá hạn –")).first
        late.get_by_role("button", name="Lưu Excel").click()
        late.locator("text=Đã lưu").wait_for(timeout=30_000)
        page.screenshot(path=str(shots / "5_saved.png"))
        saved = sorted(p.name for p in (lab[3] / "outputs" / "kham_pha").glob("*.xlsx"))
        assert (saved, "Đã lưu 4 dòng" in late.inner_text()) == (["ho_so_qua_han_2024Q1_p-phu-bai.xlsx"], True)


    def test_saving_under_notebooks_writes_no_outputs(self, page, lab):
        page, _ = page
        saved = lab[3] / "notebooks" / "explore.ipynb"
        before = saved.stat().st_mtime_ns
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        for _ in range(60):
            if saved.stat().st_mtime_ns != before:
                break
            time.sleep(0.5)
        nb = nbformat.read(str(saved), as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert (saved.stat().st_mtime_ns != before, outputs, "widgets" in nb.metadata) == (True, [], False)


class TestCommittedExploreBeforeRunning:
    def test_shows_the_static_tables_and_no_widget_error(self, lab, page):
        url, token, shots, _ = lab
        page, _ = page
        page.goto(f"{url}/lab/tree/notebooks/explore_static.ipynb?token={token}")
        page.locator(".jp-OutputArea-output", has_text="hồ sơ quá hạn –").first.wait_for(timeout=60_000)
        page.locator(".jp-OutputArea-output", has_text="hồ sơ quá hạn –").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "6_static_before_running.png"))
        late = page.locator(".jp-OutputArea-output", has_text="hồ sơ quá hạn –").first.inner_text()
        errors = page.locator(".jp-OutputArea-output", has_text="Error displaying widget").count()
        assert (errors, late.startswith("95 hồ sơ quá hạn – Toàn địa bàn")) == (0, True), late[:200]
