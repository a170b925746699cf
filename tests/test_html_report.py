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


# --------------------------------------------------------------------------- the report as a document

TITLE = "Báo cáo sơ kết công tác cải cách hành chính quý I năm 2024"
PERIOD_FILES = ["form06.xlsx", "chi_so_2024Q1.xlsx", "bao_cao_2024Q1.docx"]


def _real_report(shared_report) -> Path:
    path = shared_report[0]
    if path.parent.name != "2024Q1":
        pytest.skip("notebooks/03_report.ipynb or the synthetic sample is missing: no real report to check")
    return path


class TestReportDocument:
    def test_links_every_file_of_the_period_and_the_index(self, shared_report):
        path = _real_report(shared_report)
        hrefs = re.findall(r'<a href="([^"]+)"', _body(path.read_text(encoding="utf-8")))
        wanted = [*PERIOD_FILES, "../index.html"]
        assert ([h for h in wanted if h not in hrefs], [h for h in wanted if not (path.parent / h).exists()]) == ([], [])

    def test_the_index_links_every_file_of_the_period(self, shared_report):
        path = _real_report(shared_report)
        index = (path.parent.parent / "index.html").read_text(encoding="utf-8")
        assert [n for n in ["report.html", *PERIOD_FILES] if f'href="2024Q1/{n}"' not in index] == []

    def test_every_chart_has_vietnamese_alt_text_and_a_numbered_caption(self, shared_report):
        body = _body(_real_report(shared_report).read_text(encoding="utf-8"))
        blocks = re.findall(r'<figure class="cchc-figure[^"]*">(.*?)</figure>', body, re.DOTALL)
        figures = [(re.search(r'<img [^>]*alt="([^"]*)"', b).group(1), re.search(r"<figcaption>([^<]*)</figcaption>", b).group(1))
                   for b in blocks]
        numbers = [int(re.match(r"Hình (\d+)\. ", caption).group(1)) for _, caption in figures]
        assert (len(figures), numbers, [alt for alt, _ in figures if len(alt) < 30]) == (8, list(range(1, 9)), [])

    def test_shows_the_header_the_estimate_and_the_watch_list(self, shared_report):
        body = _body(_real_report(shared_report).read_text(encoding="utf-8"))
        assert ("THỊ XÃ HƯƠNG THỦY" in body, "Ước tính chỉ số phục vụ (Quyết định 766)" in body,
                "Danh sách hồ sơ cần theo dõi" in body, 'id="T_chi_so"' in body) == (True,) * 4


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    reason = f"{tool} is not installed (Debian: apt-get install poppler-utils)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI=true requires it (.ci/run installs it)")
    pytest.skip(f"{reason}; the print-to-PDF test needs it")


@pytest.fixture(scope="module")
def printed(shared_report, tmp_path_factory) -> dict:
    """The 2024Q1 report printed to PDF by headless Chromium (A4 from the page's CSS; the
    browser's own date/URL header is left off, the page numbers come from the CSS): ``texts``
    (pdftotext of each page) and ``image_pages`` (page of each image, in order: pdfimages)."""
    path = _real_report(shared_report)
    folder = tmp_path_factory.mktemp("pdf")
    pdf = folder / "report.pdf"
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, timeout=180)
    assert pdf.exists(), f"Chromium printed nothing (exit {done.returncode}): {done.stderr[-500:]!r}"
    info = subprocess.run([_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    text = _poppler("pdftotext")
    texts = [subprocess.run([text, "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout for i in range(1, pages + 1)]
    images = subprocess.run([_poppler("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    image_pages = [int(line.split()[0]) for line in images.splitlines()[2:] if line.strip()]
    return {"texts": texts, "image_pages": image_pages}


def _lines(page: str) -> list[str]:
    return [ln.strip() for ln in page.splitlines() if ln.strip() and not re.fullmatch(r"Trang \d+/\d+", ln.strip())]


class TestPrintedReport:
    def test_prints_on_a_handful_of_a4_pages(self, printed):
        assert 4 <= len(printed["texts"]) <= 14, len(printed["texts"])  # the sample's report: 9 pages

    def test_every_page_is_numbered(self, printed):
        texts = printed["texts"]
        assert [i for i, page in enumerate(texts, 1) if f"Trang {i}/{len(texts)}" not in page] == []

    def test_no_page_holds_only_the_title(self, printed):
        # every page says more than the title (a chart page at least its captions)
        title = set(TITLE.split())
        alone = [i for i, page in enumerate(printed["texts"], 1)
                 if len([w for w in " ".join(_lines(page)).split() if w not in title]) < 5]
        assert alone == []

    def test_the_title_shares_its_page_with_the_narrative(self, printed):
        first = _lines(printed["texts"][0])
        assert (TITLE.split()[0] in " ".join(first), "Kết quả" in first) == (True, True)

    def test_each_figure_caption_is_on_the_page_of_its_chart(self, printed):
        captions = {int(m.group(1)): i for i, page in enumerate(printed["texts"], 1)
                    for m in re.finditer(r"^Hình (\d+)\. ", page, re.MULTILINE)}
        charts = dict(enumerate(printed["image_pages"], 1))
        assert (len(charts), captions) == (8, charts)

    def test_no_table_caption_ends_a_page(self, printed):
        # a table caption precedes its table: never the last line of a page
        assert [(i, lines[-1]) for i, page in enumerate(printed["texts"], 1)
                if (lines := _lines(page)) and lines[-1].startswith("Bảng ")] == []
