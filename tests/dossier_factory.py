"""Build small canonical dossier tables for tests, with the schema's dtypes.

Usage::

    from tests.dossier_factory import make_dossiers

    frame = make_dossiers(
        dict(received_at="2024-01-10 08:00", due_at="2024-01-20", finished_at="2024-01-15", status=10),
        dict(received_at="2023-12-20", status=4, channel=None),
        unit_code="p-thuy-chau",  # applies to every row unless a row sets it
    )

Each positional argument is one dossier given as a dict of the columns that matter for the
test; keyword arguments set a column for every row; every other column takes the default in
:data:`DEFAULTS`. Dates are text (``"2024-01-10"`` or ``"2024-01-10 08:00"``), ``datetime`` or
``None`` (missing). ``dossier_id`` defaults to ``HS0001``, ``HS0002``, ... and ``source_row`` to
the spreadsheet row (2, 3, ...). The result passes :func:`cchc_analysis.schema.conform`.
"""

from __future__ import annotations

import pandas as pd

from cchc_analysis import schema

#: Column values used when neither the row nor the keyword arguments give one: an accepted
#: dossier of a commune, received directly, in processing, without a deadline.
DEFAULTS: dict[str, object] = {
    "procedure_code": "1.001234",
    "procedure_name": "Đăng ký khai sinh",
    "field": "Hộ tịch",
    "unit_code": "p-phu-bai",
    "level": "xa",
    "reception_code": "p-phu-bai",
    "channel": "truc_tiep",
    "online_level": "mot_phan",
    "received_at": "2024-01-10 08:00",
    "due_at": None,
    "finished_at": None,
    "returned_at": None,
    "status": 4,
    "supplement_count": 0,
    "digitised_input": False,
    "digitised_result": False,
    "reused_data": False,
    "has_fee": False,
    "paid_online": False,
    "apology_issued": False,
    "in_catalogue": True,
    "source_file": "test_dossiers.csv",
}


def make_dossiers(*rows: dict, **common) -> pd.DataFrame:
    """A canonical dossier frame (``schema.DOSSIER_COLUMNS``, in order, with their dtypes).

    Parameters
    ----------
    *rows
        One dict per dossier; keys are canonical column names.
    **common
        Values for every row (a row's own value wins).

    Returns
    -------
    pandas.DataFrame
        With a ``RangeIndex``; no rows gives the empty canonical frame.

    Raises
    ------
    KeyError
        If a key is not a canonical column (a typo would otherwise be silently ignored).
    """
    unknown = sorted(({k for row in rows for k in row} | set(common)) - set(schema.DOSSIER_COLUMNS))
    if unknown:
        raise KeyError(f"not canonical dossier columns: {unknown}")
    if not rows:
        return schema.empty_frame(schema.DOSSIER_COLUMNS)
    records = []
    for number, row in enumerate(rows, start=1):
        record = {
            **DEFAULTS,
            "dossier_id": f"HS{number:04d}",
            "source_row": number + 1,
            **common,
            **row,
        }
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(schema.DOSSIER_COLUMNS))
    for column, dtype in schema.DOSSIER_COLUMNS.items():
        if dtype == schema.DATETIME:
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return schema.conform(frame, schema.DOSSIER_COLUMNS)
