"""Former home of the national-scale code, kept as a thin re-export for existing callers.

New code imports from where each part lives now: clusters in :mod:`cchc_analysis.engines`
(``engines.dask_client``, ``engines.spark_session``, ``engines.connect``, ``engines.shutdown``),
the partitioned layout and ``load_processed`` (lazy by default) in :mod:`cchc_analysis.store`, and the lazy dossier source in
:mod:`cchc_analysis.indicators.sources` (``DossierDataset``).
"""

from __future__ import annotations

from .engines.clusters import LOCAL_WORKER_ENV, ScaleError, connect, dask_client, shutdown, spark_session  # noqa: F401
from .indicators.sources import DossierDataset  # noqa: F401
from .store import (  # noqa: F401
    CLOSED_COLUMN,
    load_processed,
    NO_QUARTER,
    OPEN,
    PARTITION_COLUMN,
    closed_partition_of,
    partition_columns,
    partition_of,
    write_partitioned,
)
