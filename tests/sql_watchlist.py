"""An independent watch-list oracle in DuckDB SQL, written from issue 17 alone (no shared code).

Listed as of day A for a period ending E: status present and not 1 or 3; date(received_at) <= A;
not (status in 7..10 and finished_at present and date(finished_at) <= A); date(due_at) <= E.
State: overdue when date(due_at) < A, else due_soon. An A outside [start, E] lists nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

_SQL = """
SELECT dossier_id,
       CASE WHEN CAST(due_at AS DATE) < $as_of THEN 'overdue' ELSE 'due_soon' END AS state
FROM read_parquet($path)
WHERE status IS NOT NULL AND status NOT IN (1, 3)
  AND received_at IS NOT NULL AND CAST(received_at AS DATE) <= $as_of
  AND NOT (status IN (7, 8, 9, 10) AND finished_at IS NOT NULL AND CAST(finished_at AS DATE) <= $as_of)
  AND due_at IS NOT NULL AND CAST(due_at AS DATE) <= $end
  AND $as_of BETWEEN $start AND $end
ORDER BY dossier_id
"""


def watchlist_sql(parquet: Path, as_of: date, start: date, end: date) -> pd.DataFrame:
    """``dossier_id, state`` of the watch list, sorted by dossier_id."""
    with duckdb.connect() as con:
        return con.execute(_SQL, {"path": str(parquet), "as_of": as_of, "start": start, "end": end}).df()
