"""Ahead of the score (issue 17): the national service-index estimate (Quyết định 766), the
watch list of dossiers falling due before the period ends, where time is lost, and integrity
checks of the figures.

Public names:

* :func:`score_table`, :func:`points_lost` (:mod:`.score766`), :func:`load_items` (the item
  table ``data/qd766_items.csv``);
* :func:`watchlist`, :func:`what_if`, :func:`finish_by`, :func:`default_as_of` (:mod:`.watchlist`);
* :func:`processing_times`, :func:`late_pareto`, :func:`on_time_definitions` (:mod:`.timelost`);
* :func:`integrity_checks`, :func:`integrity_dossiers` (:mod:`.integrity`);
* :func:`build_score_tables`, :func:`write_score_files`, :func:`read_score_files`, :func:`markdown_sections`,
  :data:`FILES` (:mod:`.report`).
"""

from __future__ import annotations

from .integrity import integrity_checks, integrity_dossiers
from .items import load_items
from .report import (FILES, ScoreTables, build_score_tables, markdown_sections, read_score_files, write_score_files,
                     write_score_tables)
from .score766 import points_lost, score_table
from .timelost import late_pareto, on_time_definitions, processing_times
from .watchlist import default_as_of, finish_by, watchlist, what_if

__all__ = [
    "FILES",
    "ScoreTables",
    "build_score_tables",
    "default_as_of",
    "finish_by",
    "integrity_checks",
    "integrity_dossiers",
    "late_pareto",
    "load_items",
    "markdown_sections",
    "on_time_definitions",
    "points_lost",
    "processing_times",
    "read_score_files",
    "score_table",
    "watchlist",
    "what_if",
    "write_score_files",
    "write_score_tables",
]
