"""Timings of the working-day calendar on 2,000,000 dates (prints; not a test).

Run: ``.venv/bin/python benchmarks/bench_workdays.py``. The issue asks for well under a second
for 2,000,000 dates through ``add_working_days`` and ``working_days_between``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from cchc_analysis import workdays

N = 2_000_000


def _timed(label: str, func, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - began)
    print(f"{label:<58} {best * 1000:8.1f} ms")
    return best


def main() -> None:
    rng = np.random.default_rng(0)
    base = np.datetime64("2023-01-01T00:00", "us")
    offsets = rng.integers(0, 4 * 365 * 86_400, N).astype("timedelta64[s]")
    received = base + offsets
    finished = received + rng.integers(0, 30 * 86_400, N).astype("timedelta64[s]")
    received[:: 1000] = np.datetime64("NaT")  # a few missing dates, as in real exports
    steps = rng.integers(0, 30, N)
    series_r = pd.Series(received)
    series_f = pd.Series(finished)

    began = time.perf_counter()
    workdays._calendar.cache_clear()
    workdays.is_working_day(np.datetime64("2024-01-01"))
    print(f"{'calendar build (holidays.VN 2015-2040 + overrides)':<58} {(time.perf_counter() - began) * 1000:8.1f} ms")
    print(f"{N:,} dates")
    _timed("add_working_days(numpy datetime64[us], n array)", lambda: workdays.add_working_days(received, steps))
    _timed("working_days_between(numpy, numpy)", lambda: workdays.working_days_between(received, finished))
    _timed("add_working_days(Series, n Series)", lambda: workdays.add_working_days(series_r, pd.Series(steps)))
    _timed("working_days_between(Series, Series)", lambda: workdays.working_days_between(series_r, series_f))
    _timed("is_working_day(Series)", lambda: workdays.is_working_day(series_r))


if __name__ == "__main__":
    main()
