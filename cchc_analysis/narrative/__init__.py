"""Vietnamese narrative of the quarterly review, as Markdown, generated from the indicator tables.

Each paragraph function takes plain pandas frames shaped as in ``docs/architecture.md`` and
returns a Markdown string. A clause is written only when its figure exists in the tables (a
missing PAKN or e-document export drops its clause; nothing is invented), and every number a
sentence states is a table value rounded half up by :mod:`cchc_analysis.fmt` — the one derived
figure is the change against the same quarter last year, ``value − same_quarter_last_year`` of
the same row. :func:`numbers_in` extracts the figures of a text so tests can check this.

Output is Markdown, shown with :func:`display_markdown` (never ``print``: monospace fonts lack
Vietnamese letters, DESIGN §9).

The package splits the job: :mod:`.names` (how units and indicators are called),
:mod:`.paragraphs` (results, comparison, shortcomings), :mod:`.document` (the whole report,
the method note and the checks). Every name is importable from ``cchc_analysis.narrative``.
"""

from __future__ import annotations

from IPython.display import Markdown, display

from .document import (  # noqa: F401
    _FIGURE,
    _NOT_FIGURES,
    _year_ago_label,
    check_vocabulary,
    method_note,
    numbers_in,
    report_markdown,
)
from .names import (  # noqa: F401
    ALL,
    COMPARED_INDICATORS,
    HCC,
    INDICATOR_PHRASES,
    RESULT_CLAUSES,
    TOP_FIELDS,
    _capitalise,
    _centre_name,
    _join,
    _missing,
    _row,
    _units_present,
    _value,
    commune_level_name,
    town_name,
    unit_display_name,
)
from .paragraphs import (  # noqa: F401
    _changes,
    _compared,
    _counts,
    _form06_row,
    _on_time_subjects,
    below_target_sentences,
    centre_clause,
    change_phrase,
    comparison_paragraph,
    late_sentences,
    on_time_clauses,
    quality_count,
    quality_sentences,
    results_paragraph,
    shortcomings_paragraph,
)


def display_markdown(text: str) -> None:
    """Show Markdown in the notebook (rendered, so Vietnamese letters display everywhere)."""
    display(Markdown(text))
