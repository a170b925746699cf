"""Folder parameters resolved by the package (``config.resolve_dir``)."""

from __future__ import annotations

from pathlib import Path

from cchc_analysis import config


class TestResolveDir:
    def test_none_means_the_configured_folder(self):
        assert config.resolve_dir(None, config.OUTPUT_DIR) == config.PROJECT_ROOT / "outputs"

    def test_the_configured_folders_are_absolute_so_the_working_folder_does_not_matter(self):
        assert [p.is_absolute() for p in (config.SAMPLE_DIR, config.PROCESSED_DIR, config.OUTPUT_DIR)] == [True] * 3

    def test_a_given_relative_path_is_kept_as_given(self):
        assert config.resolve_dir("raw", config.SAMPLE_DIR) == Path("raw")

    def test_a_home_path_is_expanded(self):
        assert config.resolve_dir("~/x", config.SAMPLE_DIR) == Path.home() / "x"
