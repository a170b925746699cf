"""Counts of a quarter cached next to the processed data (``indicators.history_cache``)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cchc_analysis import store
from cchc_analysis.indicators import build_quarter, history_cache, quarter

pytestmark = pytest.mark.slow


@pytest.fixture
def processed_copy(processed_sample_dir, tmp_path):
    target = tmp_path / "processed"
    shutil.copytree(processed_sample_dir, target, ignore=shutil.ignore_patterns(history_cache.CACHE_FOLDER))
    return target


def _frames(tables):
    return [tables.form06, tables.indicators, tables.quality, tables.history, tables.ranking]


class TestHistoryCache:
    def test_second_build_counts_nothing_and_gives_the_same_tables(self, processed_copy, monkeypatch):
        first = build_quarter(store.load_processed(processed_copy), "2024Q3")
        entries = sorted((processed_copy / history_cache.CACHE_FOLDER).glob("*.json"))
        assert len(entries) == 8  # the 8 history quarters (previous and year-ago among them), once each

        def no_counting(*args, **kwargs):
            raise AssertionError("counted again")
        monkeypatch.setattr(quarter, "_quarter_counts", no_counting)
        second = build_quarter(store.load_processed(processed_copy), "2024Q3")
        for a, b in zip(_frames(first), _frames(second), strict=True):
            pd.testing.assert_frame_equal(a, b)

    def test_new_clean_invalidates(self, processed_copy, monkeypatch):
        build_quarter(store.load_processed(processed_copy), "2024Q3")
        meta = processed_copy / "clean_meta.json"
        meta.write_text(meta.read_text(encoding="utf-8").replace('"synthetic"', '"synthetic" ', 1), encoding="utf-8")
        calls = []
        counted = quarter._quarter_counts
        monkeypatch.setattr(quarter, "_quarter_counts", lambda *a, **k: calls.append(a[0]) or counted(*a, **k))
        build_quarter(store.load_processed(processed_copy), "2024Q3")
        assert sorted(str(q) for q in calls) == [f"{y}Q{n}" for y, n in [(2022, 4), (2023, 1), (2023, 2), (2023, 3),
                                                                         (2023, 4), (2024, 1), (2024, 2), (2024, 3)]]

    def test_in_memory_table_has_no_cache(self, processed_copy):
        build_quarter(store.load_processed(processed_copy, lazy=False), "2024Q3")
        assert not (processed_copy / history_cache.CACHE_FOLDER).exists()


class TestCumulativePeriods:
    def test_a_cumulative_period_has_its_own_entry_and_is_reused(self, processed_copy, monkeypatch):
        first = build_quarter(store.load_processed(processed_copy), "2024H1", period="nd09")
        entries = sorted((processed_copy / history_cache.CACHE_FOLDER).glob("*.json"))
        assert len(entries) == 10  # 2024H1, 2023H1 and the 8 history quarters 2022Q3..2024Q2
        in_memory = build_quarter(store.load_processed(processed_copy, lazy=False), "2024H1", period="nd09")

        def no_counting(*args, **kwargs):
            raise AssertionError("counted again")
        monkeypatch.setattr(quarter, "_quarter_counts", no_counting)
        second = build_quarter(store.load_processed(processed_copy), "2024H1", period="nd09")
        for a, b, c in zip(_frames(first), _frames(second), _frames(in_memory), strict=True):
            pd.testing.assert_frame_equal(a, b)
            pd.testing.assert_frame_equal(a, c)

    def test_a_quarter_ending_with_the_period_is_not_read_from_its_entry(self, processed_copy):
        build_quarter(store.load_processed(processed_copy), "2024H1")
        q2 = build_quarter(store.load_processed(processed_copy), "2024Q2")
        fresh = build_quarter(store.load_processed(processed_copy, lazy=False), "2024Q2")
        pd.testing.assert_frame_equal(q2.form06, fresh.form06)
        pd.testing.assert_frame_equal(q2.indicators, fresh.indicators)
