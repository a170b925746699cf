"""Former home of the quarter's tables, kept as a thin re-export for existing callers.

New code imports from the modules by job: :mod:`.counts` (per-dossier preparation and fine
counts), :mod:`.rollup` (roll-ups, long indicator rows), :mod:`.sources` (in-memory and
dataset dossier sources), :mod:`.quarter` (``build_quarter``, ranking, below-target) and
:mod:`.files` (``write_quarter``, ``read_quarter``).
"""

from __future__ import annotations

from .counts import (  # noqa: F401
    COUNT_COLUMNS,
    FINE_KEYS,
    MISSING_KEY,
    _dossier_exprs,
    _period_has_rows,
    beyond_statute,
    catalogue_notes,
    count_dtypes,
    dossier_counts,
    edoc_counts,
    finished_years,
    in_scope_count_query,
    named_missing,
    pakn_counts,
    prepare_dossiers,
    prepare_native,
    with_all_groups,
)
from .files import META_FILE, read_quarter, write_quarter  # noqa: F401
from .quarter import (  # noqa: F401
    BELOW_TARGET_COLUMNS,
    DECIMALS,
    FORM06_CSV_COLUMNS,
    HISTORY_COLUMNS,
    HISTORY_QUARTERS,
    INDICATOR_COLUMNS,
    INDICATOR_ORDER,
    QUALITY_COLUMNS,
    RANKING_COLUMNS,
    QuarterTables,
    _expected_groups,
    _form06,
    below_target,
    build_quarter,
    ranking,
)
from .rollup import (  # noqa: F401
    ALL,
    LEVEL_ORDER,
    _crosswalked,
    _long,
    _scales,
    one_stop_long,
    rollup_dossiers,
    rollup_units,
)
from .sources import DossierDataset, InMemoryDossiers, dossier_source  # noqa: F401

#: Former private name of :func:`.counts.prepare_dossiers`.
_prepare_dossiers = prepare_dossiers
