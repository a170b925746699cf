"""Ingestion of raw exports (DESIGN §4): readers, header recognition, value parsers and
unit-name resolution. :mod:`cchc_analysis.clean` puts them together.

Modules: :mod:`.readers` (bytes -> text grids), :mod:`.headers` (header row, kind, aliases),
:mod:`.exports` (data rows of one file, personal columns dropped), :mod:`.values` (dates,
yes/no, statuses, channels, counts), :mod:`.units` (unit names -> codes by date),
:mod:`.tables` (typed canonical rows and quarantine reasons), :mod:`.text` (Vietnamese text keys).
"""

from .exports import Export, read_export
from .headers import load_header_aliases
from .readers import read_sheets
from .units import resolved_units, unit_keys

__all__ = ["Export", "load_header_aliases", "read_export", "read_sheets", "resolved_units", "unit_keys"]
