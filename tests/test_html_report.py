"""Shareable HTML: no code, no prompts, no noise, nothing from the network; renders offline.

The browser test opens the report in headless Chromium with networking disabled and checks
that the charts loaded (every image has ``naturalWidth > 0``) and the Vietnamese narrative is
there. It uses the real ``report.html`` of the sample (built once per session by ``cchc run``'s
code) when ``notebooks/03_report.ipynb`` exists, else a small notebook with a Vietnamese
Markdown cell and a matplotlib chart.

Chromium: Debian's ``chromium`` package. When it is missing it is installed with apt-get if
``CI=true`` or the tests run as root; otherwise the browser test is skipped with the reason.
Under ``CI=true`` a Chromium that cannot be installed is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cchc_analysis import config
from cchc_analysis.html import (
    export_html,
    external_resources,
    make_shareable,
    notebook_to_html,
    shareable_notebook,
    strip_external_resources,
)

pytestmark = pytest.mark.xdist_group("html_report")

NARRATIVE = "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 97,5%"
CHART_CODE = """\
import sys
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(["Thủy Châu", "Phú Bài"], [97.5, 98.8])
ax.set_title("Tỷ lệ đúng hạn (%)")
display(fig)
plt.close(fig)
print("a warning nobody should read", file=sys.stderr)
display(Markdown("Kết luận: **đạt** chỉ tiêu."))
"""
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PROBE = """<script>
window.addEventListener("load", function () {
  var widths = [];
  for (var i = 0; i < document.images.length; i++) {
    var img = document.images[i];
    widths.push(img.complete ? img.naturalWidth : -1);
  }
  var out = document.createElement("pre");
  out.id = "cchc-probe";
  out.textContent = JSON.stringify({widths: widths, charset: document.characterSet});
  document.body.appendChild(out);
});
</script>"""


def _small_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_code_cell('quarter: str = "2024Q1"  # quarter to report', metadata={"tags": ["parameters"]}),
        new_markdown_cell(f"# Báo cáo sơ kết công tác CCHC quý I năm 2024\n\n{NARRATIVE}."),
        new_code_cell(CHART_CODE),
        new_code_cell("secret_setup = 1", metadata={"tags": ["remove"]}),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def small_executed(tmp_path_factory) -> Path:
    """The small notebook executed by papermill with an injected parameter."""
    folder = tmp_path_factory.mktemp("small_report")
    nbformat.write(_small_notebook(), str(folder / "small.ipynb"))
    papermill.execute_notebook(
        str(folder / "small.ipynb"), str(folder / "small_out.ipynb"),
        parameters={"quarter": "2024Q2"}, cwd=str(folder), progress_bar=False,
    )
    return folder / "small_out.ipynb"


@pytest.fixture(scope="module")
def small_html(small_executed) -> str:
    return notebook_to_html(small_executed, title="Báo cáo thử")


@pytest.fixture(scope="session")
def shared_report(request, tmp_path_factory) -> tuple[Path, str]:
    """``(report.html, narrative text it must contain)``: the real report when it exists.

    The real one is built by ``run_quarter`` on the session's cleaned sample
    (``processed_sample_dir``, shared with other tests), so 01_clean is up to date and only
    02_indicators and 03_report run here.
    """
    real = config.NOTEBOOK_DIR / "03_report.ipynb"
    if real.exists() and (config.SAMPLE_DIR / config.SYNTHETIC_MARKER).exists():
        from cchc_analysis.run import run_quarter

        processed = request.getfixturevalue("processed_sample_dir")
        root = tmp_path_factory.mktemp("real_report")
        batch = run_quarter(
            "2024Q1", raw_dir=config.SAMPLE_DIR, processed_dir=processed,
            output_dir=root / "outputs", jobs=1, progress=False,
        )
        assert batch.results[0].status == "up_to_date"
        failed = [f"{r.task.notebook}: {r.error} ({r.task.output})" for r in batch.failures]
        assert not failed, failed
        return root / "outputs" / "2024Q1" / "report.html", "đúng hạn"
    folder = tmp_path_factory.mktemp("small_shared")
    nbformat.write(_small_notebook(), str(folder / "small.ipynb"))
    papermill.execute_notebook(
        str(folder / "small.ipynb"), str(folder / "out.ipynb"), cwd=str(folder), progress_bar=False
    )
    return export_html(folder / "out.ipynb", folder / "report.html"), NARRATIVE


def _chromium() -> str:
    """Path of a Chromium binary, installing Debian's package when allowed (see module doc)."""
    found = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if found:
        return found
    on_ci = os.environ.get("CI", "").lower() == "true"
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    attempt = ""
    if shutil.which("apt-get") and (on_ci or is_root):
        sudo = [] if is_root else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            done = subprocess.run(sudo + cmd, capture_output=True, text=True, env=env, timeout=1200)
            if done.returncode != 0:
                attempt = f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-300:]}"
                break
        found = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
        if found:
            return found
    reason = "Chromium is not installed (Debian: apt-get install chromium)"
    if on_ci:
        pytest.fail(f"{reason}; CI=true requires it. {attempt}")
    pytest.skip(f"{reason}; the offline-rendering test needs it. {attempt}".strip())


def _open_offline(html_path: Path, tmp_path: Path) -> tuple[dict, str]:
    """Load a copy of the page (plus the probe script) in headless Chromium without network."""
    page = tmp_path / "probe.html"
    html = html_path.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=10000", "--dump-dom", page.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, timeout=180)
    dom = done.stdout.decode("utf-8", errors="replace")
    match = re.search(r'<pre id="cchc-probe">(.*?)</pre>', dom, re.DOTALL)
    assert match, f"Chromium did not render the page (exit {done.returncode}): {done.stderr[-500:]!r}"
    return json.loads(match.group(1).replace("&quot;", '"')), dom


def _body(html: str) -> str:
    """The page's ``<body>`` (the inlined JupyterLab stylesheet mentions ``Out[]`` in comments)."""
    return html.split("<body", 1)[1]


@pytest.fixture(scope="module")
def rendered(shared_report, tmp_path_factory):
    """``(probe results, dumped DOM)`` of the shared report opened offline in Chromium."""
    return _open_offline(shared_report[0], tmp_path_factory.mktemp("chromium"))


class TestShareableNotebook:
    def test_drops_parameter_and_injected_parameter_cells(self):
        nb = new_notebook(cells=[
            new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("a = 2", metadata={"tags": ["injected-parameters"]}),
            new_markdown_cell("Nội dung"),
        ])
        assert [c.source for c in shareable_notebook(nb).cells] == ["Nội dung"]

    def test_drops_cells_tagged_remove_or_hide(self):
        nb = new_notebook(cells=[
            new_markdown_cell("ẩn", metadata={"tags": ["hide"]}),
            new_markdown_cell("bỏ", metadata={"tags": ["remove"]}),
            new_markdown_cell("giữ"),
        ])
        assert [c.source for c in shareable_notebook(nb).cells] == ["giữ"]

    def test_drops_stderr_streams_and_keeps_stdout(self):
        cell = new_code_cell("x", outputs=[
            new_output("stream", name="stderr", text="warning"),
            new_output("stream", name="stdout", text="kết quả"),
        ])
        kept = shareable_notebook(new_notebook(cells=[cell])).cells[0].outputs
        assert [o.text for o in kept] == ["kết quả"]

    def test_drops_bare_object_representations(self):
        cell = new_code_cell("fig", outputs=[
            new_output("execute_result", data={"text/plain": "<Figure size 640x480 with 1 Axes>"}, execution_count=1)
        ])
        assert shareable_notebook(new_notebook(cells=[cell])).cells == []

    def test_empties_the_code_of_cells_it_keeps(self):
        cell = new_code_cell("show(table)", outputs=[new_output("display_data", data={"text/markdown": "**Bảng**"})])
        assert shareable_notebook(new_notebook(cells=[cell])).cells[0].source == ""

    def test_leaves_the_original_notebook_unchanged(self):
        nb = new_notebook(cells=[new_code_cell("a = 1", metadata={"tags": ["parameters"]})])
        shareable_notebook(nb)
        assert len(nb.cells) == 1


class TestStripExternalResources:
    def test_removes_cdn_scripts_and_stylesheets(self):
        html = ('<head><script src="https://cdn.example/require.js"></script>'
                '<link rel="stylesheet" href="//fonts.example/css"></head>')
        assert strip_external_resources(html) == "<head></head>"

    def test_keeps_inline_scripts_and_hyperlinks(self):
        html = '<script>var a = 1;</script><a href="https://dichvucong.gov.vn">Cổng DVC</a>'
        assert strip_external_resources(html) == html


class TestExternalResources:
    def test_lists_images_and_scripts_from_other_hosts(self):
        html = '<img src="http://x.example/a.png"><script src="https://y.example/b.js"></script>'
        assert external_resources(html) == ["http://x.example/a.png", "https://y.example/b.js"]

    def test_ignores_hyperlinks_and_data_uris(self):
        assert external_resources('<a href="https://x.example">x</a><img src="data:image/png;base64,AAAA">') == []


class TestNotebookToHtml:
    def test_contains_no_code(self, small_html):
        assert ("plt.subplots" in small_html, "secret_setup" in small_html) == (False, False)

    def test_contains_no_parameters(self, small_html):
        assert "2024Q2" not in small_html

    def test_contains_no_prompts(self, small_html):
        assert re.search(r"(In|Out)\s*\[\d*\]|jp-(In|Out)putPrompt", _body(small_html)) is None

    def test_contains_no_stderr(self, small_html):
        assert "a warning nobody should read" not in small_html

    def test_loads_nothing_from_the_network(self, small_html):
        assert external_resources(small_html) == []

    def test_has_no_script_at_all(self, small_html):
        assert "<script" not in small_html

    def test_embeds_the_chart_as_base64_png(self, small_html):
        assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', small_html)) == 1

    def test_declares_vietnamese_and_utf8(self, small_html):
        assert ('<html lang="vi"' in small_html, '<meta charset="utf-8"' in small_html) == (True, True)

    def test_keeps_the_vietnamese_narrative_in_nfc(self, small_html):
        assert unicodedata.normalize("NFC", NARRATIVE) in small_html

    def test_uses_the_given_title(self, small_html):
        assert "<title>Báo cáo thử</title>" in small_html

    def test_contains_no_absolute_path_of_the_project(self, small_html):
        assert str(config.PROJECT_ROOT) not in small_html


class TestExportHtml:
    def test_writes_the_page_and_returns_its_path(self, small_executed, tmp_path):
        path = export_html(small_executed, tmp_path / "sub" / "r.html")
        assert (path, path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")) == (tmp_path / "sub" / "r.html", True)


class TestMakeShareable:
    def test_a_private_file_becomes_readable_by_others(self, tmp_path):
        path = tmp_path / "r.html"
        path.write_text("x")
        path.chmod(0o600)
        old = os.umask(0o022)
        try:
            make_shareable(path)
        finally:
            os.umask(old)
        assert path.stat().st_mode & 0o777 == 0o644


class TestSharedReport:
    def test_is_readable_by_others(self, shared_report):
        assert shared_report[0].stat().st_mode & 0o044 == 0o044

    def test_loads_nothing_from_the_network(self, shared_report):
        assert external_resources(shared_report[0].read_text(encoding="utf-8")) == []

    def test_contains_no_code_prompt_or_traceback(self, shared_report):
        body = _body(shared_report[0].read_text(encoding="utf-8"))
        assert (re.search(r"(In|Out)\s*\[\d*\]|jp-(In|Out)putPrompt", body), "Traceback" in body, "import " in body) == (None, False, False)

    def test_contains_no_absolute_path_of_the_machine(self, shared_report):
        html = shared_report[0].read_text(encoding="utf-8")
        assert (str(config.PROJECT_ROOT) in html, "/tmp/" in html) == (False, False)

    def test_contains_no_phone_or_id_numbers(self, shared_report):
        text = re.sub(r"<[^>]+>|data:image/[^\"']+", " ", shared_report[0].read_text(encoding="utf-8"))
        assert re.findall(r"\b0\d{9}\b|\b\d{12}\b", text) == []


class TestReportInChromium:
    def test_every_chart_has_loaded(self, rendered):
        widths = rendered[0]["widths"]
        assert (len(widths) > 0, [w for w in widths if w <= 0]) == (True, [])

    def test_the_page_is_read_as_utf8(self, rendered):
        assert rendered[0]["charset"] == "UTF-8"

    def test_the_narrative_is_present(self, rendered, shared_report):
        assert shared_report[1] in unicodedata.normalize("NFC", rendered[1])
