"""The explore notebook's helpers: period breakdowns (issue 13), the watch list table, the
interactive panels (issue 15) with their static renderings, "Lưu Excel", and the JupyterLab
pre-save hook of `make lab`."""

from __future__ import annotations

import runpy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from traitlets.config import Config

from cchc_analysis import display_explore as de
from cchc_analysis import explore_panel as ep
from cchc_analysis.errors import CchcError
from tests.dossier_factory import make_dossiers

ROOT = Path(__file__).resolve().parents[1]


def _dossiers() -> pd.DataFrame:
    """Quarter 2024Q1: H1 early, H2 late, H3 carried over and overdue (in scope: 3);
    H4 received in Q2 and H5 finished in 2023 (out of scope)."""
    return make_dossiers(
        dict(dossier_id="H1", received_at="2024-01-10 08:00", due_at="2024-01-20", finished_at="2024-01-15", status=10),
        dict(dossier_id="H2", received_at="2024-02-01 08:00", due_at="2024-02-05", finished_at="2024-02-10",
             status=10, channel="truc_tuyen"),
        dict(dossier_id="H3", received_at="2023-12-20 08:00", due_at="2023-12-28", status=4, field="Đất đai",
             unit_code="x-phu-son", reception_code="x-phu-son"),
        dict(dossier_id="H4", received_at="2024-05-02 08:00", due_at="2024-05-10", status=4),
        dict(dossier_id="H5", received_at="2023-11-01 08:00", due_at="2023-11-10", finished_at="2023-11-05", status=10),
    )


class TestPeriodDossiers:
    def test_keeps_the_period_scope_received_in_it_or_carried_over(self):
        assert sorted(de.period_dossiers(_dossiers(), "2024Q1")["dossier_id"]) == ["H1", "H2", "H3"]

    def test_another_quarter_has_its_own_scope(self):
        assert sorted(de.period_dossiers(_dossiers(), "2024Q2")["dossier_id"]) == ["H3", "H4"]


class TestPeriodCaption:
    def test_names_the_quarter_and_its_days(self):
        assert de.period_caption("2024Q1") == "quý I năm 2024 (01/01/2024 – 31/3/2024)"


class TestDossierBreakdownOfThePeriod:
    def test_counts_only_the_period(self):
        table = de.dossier_breakdown(de.period_dossiers(_dossiers(), "2024Q1"), "field")
        assert table["Số hồ sơ"].to_dict() == {"Hộ tịch": "2", "Đất đai": "1"}


class TestOutcomeByField:
    def test_one_column_per_outcome_group(self):
        table = de.outcome_by_field(de.period_dossiers(_dossiers(), "2024Q1"))
        assert table.to_dict("index") == {
            "Hộ tịch": {"Đúng hạn, trước hạn": 1, "Quá hạn": 1, "Đang giải quyết, trong hạn": 0,
                        "Đang giải quyết, quá hạn": 0},
            "Đất đai": {"Đúng hạn, trước hạn": 0, "Quá hạn": 0, "Đang giải quyết, trong hạn": 0,
                        "Đang giải quyết, quá hạn": 1},
        }


class TestWatchTable:
    def test_a_past_quarter_is_seen_on_its_last_day(self):
        watch = de.watch_table(_dossiers(), "2024Q1")
        assert (str(watch.attrs["as_of"]), list(watch["Mã hồ sơ"]), list(watch["Tình trạng"])) == (
            "2024-03-31", ["H3"], ["Đã quá hạn"])

    def test_overdue_dossiers_have_negative_working_days_left(self):
        assert int(de.watch_table(_dossiers(), "2024Q1")["Số ngày làm việc còn lại"].iloc[0]) < 0


class TestQuartersIn:
    def test_quarters_with_received_dossiers_oldest_first(self):
        assert ep.quarters_in(_dossiers()) == ["2023Q4", "2024Q1", "2024Q2"]


class TestExportName:
    def test_area_wide_and_unit(self):
        assert (ep.export_name("ho_so_qua_han", "2024Q1", None), ep.export_name("x", "2024Q2", "p-phu-bai")) == (
            "ho_so_qua_han_2024Q1_toan-dia-ban.xlsx", "x_2024Q2_p-phu-bai.xlsx")


class TestSaveExcel:
    def test_text_stays_text(self, tmp_path):
        frame = pd.DataFrame({"Mã hồ sơ": ["000123", "=1+1", "http://x.vn"]}, index=pd.RangeIndex(1, 4, name="STT"))
        path = ep.save_excel(frame, tmp_path / "a" / "list.xlsx")
        cells = [c for c in openpyxl.load_workbook(path).active["B"]][1:]
        assert [(c.value, c.data_type) for c in cells] == [("000123", "s"), ("=1+1", "s"), ("http://x.vn", "s")]


class TestExplorer:
    @pytest.fixture()
    def explorer(self, tmp_path):
        return ep.Explorer(_dossiers(), "2024Q1", output_dir=tmp_path)

    def test_summary_names_period_and_count(self, explorer):
        assert explorer.controls.static_bundle["text/plain"] == (
            "Đang xem: quý I năm 2024 (01/01/2024 – 31/3/2024) · Toàn địa bàn · 3 hồ sơ nhận giải quyết trong kỳ")

    def test_changing_the_unit_filter_changes_every_table(self, explorer):
        before = (explorer.by_field.static_bundle["text/html"], len(explorer.frames["ho_so_qua_han"]))
        explorer.unit.value = "x-phu-son"
        after = explorer.by_field.static_bundle["text/html"]
        assert (("Hộ tịch" in before[0], before[1]), ("Hộ tịch" in after, "Đất đai" in after,
                                                      len(explorer.frames["ho_so_qua_han"]))) == ((True, 2), (False, True, 1))

    def test_changing_the_quarter_changes_the_breakdown(self, explorer):
        explorer.quarter.value = "2024Q2"
        assert "quý II năm 2024" in explorer.by_channel.static_bundle["text/plain"]

    def test_display_data_is_the_widget_plus_a_static_rendering_without_ids(self, explorer):
        bundle = explorer.late._repr_mimebundle_()
        assert (sorted(bundle), "model_id" in bundle["text/html"]) == (
            ["application/vnd.jupyter.widget-view+json", "text/html", "text/plain"], False)

    def test_static_renderings_are_deterministic(self, tmp_path):
        one, two = (ep.Explorer(_dossiers(), "2024Q1", output_dir=tmp_path) for _ in range(2))
        panels = ("controls", "by_field", "by_channel", "chart", "late", "watch", "compare")
        assert [getattr(one, p).static_bundle for p in panels] == [getattr(two, p).static_bundle for p in panels]

    def test_save_writes_the_selected_rows_or_the_whole_list(self, explorer, tmp_path):
        whole = explorer.save("ho_so_qua_han", explorer.late_table)
        explorer.late_table.selected_rows = [1]
        row_count_whole = pd.read_excel(whole, engine="calamine").shape[0]
        chosen = pd.read_excel(explorer.save("ho_so_qua_han", explorer.late_table), engine="calamine")
        assert (whole.relative_to(tmp_path).as_posix(), row_count_whole, list(chosen["Mã hồ sơ"])) == (
            "kham_pha/ho_so_qua_han_2024Q1_toan-dia-ban.xlsx", 2, ["H3"])

    def test_without_indicator_tables_the_comparison_says_what_to_run(self, explorer):
        assert "hãy chạy notebooks/02_indicators.ipynb" in explorer.compare.static_bundle["text/plain"]


class TestLoadOrBuildProcessed:
    def test_an_empty_folder_other_than_the_default_says_what_to_run(self, tmp_path):
        with pytest.raises(CchcError, match="hãy chạy notebooks/01_clean.ipynb"):
            ep.load_or_build_processed(tmp_path)


@pytest.fixture(scope="module")
def hook():
    """The pre-save hook of tools/lab/jupyter_server_config.py (the file `make lab` loads)."""
    return runpy.run_path(str(ROOT / "tools" / "lab" / "jupyter_server_config.py"),
                          init_globals={"get_config": Config})["strip_outputs_of_tracked_notebooks"]


class TestLabPreSaveHook:
    @staticmethod
    def _model():
        return {"type": "notebook", "content": {"metadata": {"widgets": {"x": 1}}, "cells": [
            {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "real"}], "execution_count": 3},
            {"cell_type": "markdown", "source": "x"}]}}

    def test_a_tracked_notebook_is_saved_without_outputs(self, hook):
        model = self._model()
        hook(model=model, path="notebooks/02_indicators.ipynb")
        cell = model["content"]["cells"][0]
        assert (cell["outputs"], cell["execution_count"], model["content"]["metadata"]) == ([], None, {})

    def test_a_copy_elsewhere_keeps_its_outputs(self, hook):
        model = self._model()
        hook(model=model, path="lam_viec/02_indicators.ipynb")
        assert model == self._model()


class TestStripMachineMetadataOfWidgets:
    def test_widget_views_go_with_their_state_and_the_static_rendering_stays(self):
        import nbformat

        from cchc_analysis.batch.refresh import strip_machine_metadata

        nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
        nb.cells = [nbformat.v4.new_code_cell("explorer.late", execution_count=7, outputs=[
            nbformat.v4.new_output("execute_result", execution_count=7, data={
                "text/plain": "2 hồ sơ quá hạn", "text/html": "<b>2 hồ sơ quá hạn</b>",
                "application/vnd.jupyter.widget-view+json": {"model_id": "f8136d06", "version_major": 2}})])]
        out = strip_machine_metadata(nb).cells[0].outputs[0]
        assert (sorted(out.data), "widgets" in nb.metadata, out.execution_count) == (["text/html", "text/plain"], False, 1)


@pytest.fixture(scope="module")
def config():
    """The configuration `make lab` loads."""
    return runpy.run_path(str(ROOT / "tools" / "lab" / "jupyter_server_config.py"), init_globals={"get_config": Config})["c"]


class TestLabConfiguration:
    def test_rooted_at_the_project_on_the_landing_notebook(self, config):
        landing = config.LabApp.default_url.removeprefix("/lab/tree/")
        assert (config.ServerApp.root_dir, (ROOT / landing).exists(), landing) == (
            str(ROOT), True, "notebooks/00_bat_dau.ipynb")

    def test_make_setup_installs_the_vietnamese_locale_override(self):
        import json
        import sys

        installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
        shipped = json.loads((ROOT / "tools" / "lab" / "overrides.json").read_text(encoding="utf-8"))
        assert (shipped["@jupyterlab/translation-extension:plugin"]["locale"],
                json.loads(installed.read_text(encoding="utf-8")) == shipped) == ("vi_VN", True)


class TestExplorerParameters:
    def test_a_quarter_in_another_spelling_and_a_unit_without_dossiers_still_build(self, tmp_path):
        explorer = ep.Explorer(_dossiers(), "Q1/2024", unit="x-thuy-tan", output_dir=tmp_path)
        assert (explorer.quarter.value, explorer.unit.value, len(explorer.frames["ho_so_qua_han"])) == (
            "2024Q1", "x-thuy-tan", 0)


class TestUnitChoices:
    def test_units_of_the_same_name_are_told_apart_by_their_dates(self):
        assert ep.unit_choices(["p-phu-bai-2025", "x-thuy-tan", "p-phu-bai"]) == [
            ("phường Phú Bài (từ 01/7/2025)", "p-phu-bai-2025"),
            ("phường Phú Bài (đến 30/6/2025)", "p-phu-bai"),
            ("xã Thủy Tân", "x-thuy-tan"),
        ]
