"""Shareable HTML from an executed notebook: no code, no prompts, no noise, readable offline.

The meeting report is shared by e-mail or on a USB stick and opened on office machines that
may have no internet access, so the page must carry everything it needs: charts are embedded
as base64 PNG (nbconvert does this for image outputs), the JupyterLab stylesheet is inlined,
and nothing is loaded from the network. The stock ``lab`` template links require.js, MathJax
and mermaid from a CDN; :data:`OFFLINE_TEMPLATE` extends it and empties those blocks, and
:func:`strip_external_resources` removes anything that would still reach out (a safety net for
template upgrades).

What is removed from the notebook before export (:func:`shareable_notebook`):

- every code cell's input and the input/output prompts (``In [3]:``);
- the ``parameters`` cell and the papermill ``injected-parameters`` cell;
- every cell tagged ``remove``, ``hide``, ``remove-cell`` or ``hide-cell``;
- ``stderr`` streams (warnings, progress bars) and error outputs;
- bare object representations such as ``<Figure size 640x480 with 1 Axes>`` or
  ``<Axes: ...>``, which carry no information for a reader (and may show memory addresses);
- code cells left without output (they would be empty boxes).

The project folder's absolute path is replaced by ``.`` wherever it would still appear.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from pathlib import Path

# jsonschema (through nbformat) skips its ``iri`` format checker instead of importing
# rfc3987_syntax, ~1 s at every start (see cchc_analysis.run.without_iri_checker).
sys.modules.setdefault("rfc3987_syntax", None)

import jinja2  # noqa: E402
import nbformat  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402

from .config import PROJECT_ROOT
from .io import write_text_atomic

#: Cells with one of these tags are not part of the shared report.
REMOVED_TAGS = frozenset(
    {"injected-parameters", "parameters", "remove", "hide", "remove-cell", "hide-cell"}
)

#: Jinja template: the ``lab`` template minus every script loaded from the network.
OFFLINE_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
/* cchc: a readable document, not a notebook */
body.jp-Notebook { max-width: 1100px; margin: 0 auto; padding: 1.5em 2em; }
.jp-RenderedHTMLCommon { font-size: 15px; line-height: 1.55; }
/* "body.jp-Notebook" outranks the JupyterLab stylesheet that follows (fixed, centred tables) */
body.jp-Notebook .jp-RenderedHTMLCommon table { font-size: 13px; table-layout: auto; width: 100%; margin: 0 0 1em 0; }
body.jp-Notebook .jp-RenderedHTMLCommon table caption { caption-side: top; font-weight: bold; text-align: left;
  padding: .3em 0; color: #222; }
body.jp-Notebook .jp-RenderedHTMLCommon td, body.jp-Notebook .jp-RenderedHTMLCommon th {
  font-variant-numeric: tabular-nums; padding: .25em .5em; }
body.jp-Notebook .jp-RenderedHTMLCommon td { white-space: nowrap; }
body.jp-Notebook .jp-RenderedHTMLCommon tbody th:last-of-type { min-width: 8em; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
.cchc-header { display: flex; justify-content: space-between; gap: 2em; text-align: center; font-size: 14px; }
.cchc-header b { font-weight: bold; }
.cchc-meta { color: #444; font-size: 13px; border-bottom: 1px solid #999; padding-bottom: .4em; }
figure.cchc-figure { margin: 1em 0 1.8em 0; }
figure.cchc-figure figcaption { font-family: var(--jp-content-font-family, sans-serif); font-style: italic;
  text-align: center; font-size: 13px; margin-top: .3em; }
body.jp-Notebook .jp-RenderedHTMLCommon tbody th { text-align: left; }
@page { size: A4; margin: 18mm 15mm 20mm 22mm;
        @bottom-center { content: "Trang " counter(page) "/" counter(pages);
                        font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #444; } }
@media print {
  body.jp-Notebook { max-width: none; padding: 0; }
  .jp-RenderedHTMLCommon { font-size: 11pt; }
  body.jp-Notebook .jp-RenderedHTMLCommon table { font-size: 8.5pt; }
  /* JupyterLab keeps each output whole on a page: a long narrative then leaves the title
     alone on page 1. Text may break; figures and tables may not. */
  body .jp-OutputArea-child { break-inside: auto; }
  figure.cchc-figure, .jp-RenderedHTMLCommon table, .jp-OutputArea-child:has(> .jp-RenderedHTML > table) {
    break-inside: avoid; page-break-inside: avoid; }
  figure.cchc-figure img { max-height: 120mm; width: auto; max-width: 100%; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  p, li { orphans: 3; widows: 3; }
  a { color: inherit; }
}
</style>
{%- endblock extra_css -%}
{% block data_png scoped %}
{%- set meta = output.metadata.get('image/png', {}) -%}
<figure class="cchc-figure jp-RenderedImage jp-OutputArea-output">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ meta.get('alt', '') | escape_html }}">
{%- if meta.get('caption') %}
<figcaption>{{ meta.get('caption') | escape_html }}</figcaption>
{%- endif %}
</figure>
{%- endblock data_png %}
"""
_TEMPLATE_FILE = "cchc_offline.html.j2"

_OBJECT_REPR = re.compile(r"^\s*<[^<>\n]+>\s*$")
# A script, stylesheet, image, frame... whose source is on another host.
_EXTERNAL_ATTR = re.compile(
    r"""<(?P<tag>[a-zA-Z][\w-]*)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?P<url>(?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
_EXTERNAL_SCRIPT = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script>""", re.IGNORECASE
)
_EXTERNAL_LINK = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.IGNORECASE
)
_CSS_IMPORT = re.compile(r"""@import\s+url\(\s*["']?(?:https?:)?//[^)]*\)\s*;?""", re.IGNORECASE)


def _is_bare_repr(output: dict) -> bool:
    if output.get("output_type") not in ("execute_result", "display_data"):
        return False
    data = output.get("data", {})
    return set(data) == {"text/plain"} and bool(_OBJECT_REPR.match(str(data["text/plain"])))


def shareable_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` holding only what a reader of the report should see.

    Parameters
    ----------
    nb
        An executed notebook.

    Returns
    -------
    nbformat.NotebookNode
        A deep copy: removed-tag cells, parameter cells, stderr streams, error outputs,
        bare object representations and output-less code cells are gone; code sources are
        emptied (the exporter hides inputs anyway, this keeps them out of the file entirely).
    """
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVED_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
                and out.get("output_type") != "error"
                and not _is_bare_repr(out)
            ]
            if not outputs:
                continue
            cell.outputs = outputs
            cell.source = ""
        kept.append(cell)
    nb.cells = kept
    return nb


def strip_external_resources(html: str) -> str:
    """Remove scripts, stylesheets and CSS imports that would be fetched from another host.

    Hyperlinks (``<a href="https://...">``) are kept: they are not loaded when the page opens.
    """
    html = _EXTERNAL_SCRIPT.sub("", html)
    html = _EXTERNAL_LINK.sub("", html)
    return _CSS_IMPORT.sub("", html)


def external_resources(html: str) -> list[str]:
    """URLs on other hosts that the page would load (``src``/``href`` of any tag but ``<a>``).

    An empty list means the page renders the same offline.
    """
    return [
        m.group("url") for m in _EXTERNAL_ATTR.finditer(html) if m.group("tag").lower() != "a"
    ]


def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_FILE: OFFLINE_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        mathjax_url="",
    )
    exporter.template_file = _TEMPLATE_FILE
    if "language_code" in exporter.trait_names():
        exporter.language_code = "vi"
    return exporter


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, title: str | None = None) -> str:
    """Render an executed notebook as a self-contained HTML page in Vietnamese.

    Parameters
    ----------
    nb
        The notebook, or the path of an ``.ipynb`` file.
    title
        Page title (the browser tab and the file's ``<title>``); default: the notebook's
        ``metadata.title`` or ``"Báo cáo"``.

    Returns
    -------
    str
        The HTML page: no code, no prompts, no stderr, no external scripts or stylesheets,
        no absolute path of the project folder.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    shared = shareable_notebook(nb)
    shared.metadata["title"] = title or nb.metadata.get("title") or "Báo cáo"
    html, _ = _exporter().from_notebook_node(shared, resources={"metadata": {"name": "Báo cáo"}})
    html = strip_external_resources(html)
    html = re.sub(r"<html(?![^>]*\blang=)", '<html lang="vi"', html, count=1)
    html = re.sub(r'<html lang="[^"]*"', '<html lang="vi"', html, count=1)
    root = str(PROJECT_ROOT)
    if len(root) > 1:
        html = html.replace(root + "/", "./").replace(root, ".")
    return html


def export_html(
    notebook_path: str | Path, html_path: str | Path, *, title: str | None = None
) -> Path:
    """Write the shareable HTML of an executed notebook atomically.

    Parameters
    ----------
    notebook_path
        The executed ``.ipynb``.
    html_path
        Where to write the page; its folder is created if needed.
    title
        See :func:`notebook_to_html`.

    Returns
    -------
    Path
        ``html_path``.
    """
    return make_shareable(write_text_atomic(html_path, notebook_to_html(notebook_path, title=title)))


def make_shareable(path: str | Path) -> Path:
    """Give a written file the usual permissions (``0666`` minus the umask, e.g. ``rw-r--r--``).

    Atomic writes go through a private temporary file (``0600``); a report meant to be shared
    from a common folder must be readable by others.
    """
    path = Path(path)
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
    return path
