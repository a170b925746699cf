"""``cchc units``: the unit codes accepted by ``--units`` and the ``unit`` parameter.

Lists every authority unit of the reference table (``units.csv``) with its name, level and
validity dates, or with ``--on DAY`` only the units that exist on that day (e.g. after the
2025 reorganisation: ``cchc units --on 2025-07-01``).
"""

from __future__ import annotations

import argparse
import datetime as _dt

#: Vietnamese names of the administrative levels of ``units.csv``.
LEVEL_NAMES = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã"}


def _day(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày '{text}' không hợp lệ; cần dạng NĂM-THÁNG-NGÀY, ví dụ 2025-07-01"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``cchc units``."""
    parser.add_argument("--on", type=_day, metavar="DAY",
                        help="chỉ các đơn vị có hiệu lực vào ngày này (NĂM-THÁNG-NGÀY)")


def unit_lines(on: _dt.date | None = None) -> list[str]:
    """One aligned line per unit: code, level, validity, name (reference order)."""
    from . import fmt
    from .refdata import load_units, units_valid_on

    units = load_units() if on is None else units_valid_on(on)
    width = max([len("mã đơn vị")] + [len(c) for c in units["code"]])

    def when(value) -> str:
        return "" if value is None or value != value else fmt.date_short(value)

    lines = [f"{'mã đơn vị':<{width}}  {'cấp':<5}  {'hiệu lực':<23}  tên"]
    for row in units.itertuples(index=False):
        start, end = when(row.valid_from), when(row.valid_to)
        validity = f"{start or '…'} – {end or 'nay'}"
        lines.append(f"{row.code:<{width}}  {LEVEL_NAMES.get(row.level, row.level):<5}  "
                     f"{validity:<23}  {row.name}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the unit table; 0."""
    lines = unit_lines(getattr(args, "on", None))
    print("\n".join(lines))
    if len(lines) == 1:
        print("(không có đơn vị nào có hiệu lực vào ngày này)")
    return 0
