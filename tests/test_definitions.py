"""The indicator registry (``indicators.definitions``): every registered indicator is complete,
and one registered in a test reaches the files, the report table and the narrative checks
without any other code knowing its name."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import pandas as pd
import pytest

from cchc_analysis import labels, narrative, refdata, schema, store
from cchc_analysis import notebook_display as nd
from cchc_analysis.errors import ConfigError
from cchc_analysis.indicators import build_quarter, counts, definitions, read_quarter, write_quarter
from cchc_analysis.indicators.definitions import Indicator, Ratio, _true

SOURCE_COLUMNS = {
    "dossiers": schema.DOSSIER_COLUMNS,
    "pakn": schema.PAKN_COLUMNS,
    "edocs": schema.EDOC_COLUMNS,
    "catalogue": {},
}


class TestRegistryIsComplete:
    """A registered indicator lacking any of its parts fails here, by name."""

    @pytest.mark.parametrize("name", list(definitions.REGISTRY))
    def test_vocabulary_row(self, name):
        assert labels.missing_vocabulary([name]) == []

    @pytest.mark.parametrize("name", list(definitions.REGISTRY))
    def test_unit_is_labelled(self, name):
        assert definitions.REGISTRY[name].unit in labels.UNIT_LABELS

    @pytest.mark.parametrize("name", list(definitions.REGISTRY))
    def test_target_exists(self, name):
        key = definitions.REGISTRY[name].target
        if name == "avg_processing_days":  # the one indicator without a target (lower is better)
            assert key is None
        else:
            assert key in refdata.load_targets()

    @pytest.mark.parametrize("name", list(definitions.REGISTRY))
    def test_columns_and_ratio_agree_with_the_source(self, name):
        indicator = definitions.REGISTRY[name]
        assert indicator.source in definitions.SOURCES
        assert set(indicator.columns) <= set(SOURCE_COLUMNS[indicator.source])
        if indicator.source == "catalogue":
            assert indicator.ratio is None
        else:
            assert indicator.ratio().scale == indicator.scale

    def test_every_target_belongs_to_an_indicator(self):
        assert set(refdata.load_targets()) == set(definitions.target_keys().values())

    def test_count_columns_come_from_the_registry(self):
        assert counts.COUNT_COLUMNS == definitions.dossier_count_columns()
        assert "online_level" in counts.COUNT_COLUMNS  # read only because full_online_rate names it
        assert "supplement_count" not in counts.COUNT_COLUMNS  # named by no indicator


class TestMissingVocabulary:
    def test_names_each_missing_vocabulary(self, monkeypatch):
        monkeypatch.setitem(labels.INDICATOR_LABELS, "x_rate", "Tỷ lệ x")
        assert labels.missing_vocabulary(["on_time_rate", "x_rate"]) == ["x_rate: short label", "x_rate: phrase"]

    def test_narrative_check_raises(self):
        with pytest.raises(ConfigError, match="x_rate: label, x_rate: short label, x_rate: phrase"):
            narrative.check_vocabulary(["on_time_rate", "x_rate"])


def supplemented_rate() -> Ratio:
    """Test indicator: received in period with at least one supplement request / received (%)."""
    asked = (nw.col("supplement_count").fill_null(0) > 0).fill_null(value=False)
    return Ratio(_true("received_in_period") & asked, _true("received_in_period"))


DUMMY = "supplemented_rate"


@pytest.fixture
def dummy_registered(monkeypatch):
    """``supplemented_rate`` registered (reading ``supplement_count``, which no other indicator
    reads) with its vocabulary row and the target key of apology_rate (100 %)."""
    monkeypatch.setitem(definitions.REGISTRY, DUMMY, Indicator(
        DUMMY, "dossiers", supplemented_rate, columns=("supplement_count",), target="apology_rate"))
    monkeypatch.setitem(labels.INDICATOR_LABELS, DUMMY, "Tỷ lệ hồ sơ phải bổ sung")
    monkeypatch.setitem(labels.INDICATOR_SHORT_LABELS, DUMMY, "Tỷ lệ phải bổ sung")
    monkeypatch.setitem(labels.INDICATOR_PHRASES, DUMMY, "tỷ lệ hồ sơ phải bổ sung giấy tờ")


@pytest.mark.slow
class TestDummyIndicatorReachesEverything:
    """build_quarter -> indicators.csv -> report table and narrative, for an indicator no
    other code names."""

    @pytest.fixture
    def written(self, dummy_registered, processed_sample_dir, tmp_path):
        tables = build_quarter(store.load_processed(processed_sample_dir), "2024Q1")
        write_quarter(tables, tmp_path)
        return read_quarter(tmp_path, "2024Q1")

    def test_counted_from_its_own_column(self, dummy_registered):
        assert "supplement_count" in definitions.dossier_count_columns()

    def test_indicators_csv_has_hand_counted_figures(self, written, processed_sample_dir):
        dossiers = store.load_processed(processed_sample_dir, lazy=False).dossiers
        counted = dossiers["status"].notna() & ~dossiers["status"].isin(schema.NOT_COUNTED_STATUSES)
        day = dossiers["received_at"].dt.normalize()
        received = counted & (day >= pd.Timestamp("2024-01-01")) & (day <= pd.Timestamp("2024-03-31"))
        asked = received & dossiers["supplement_count"].fillna(0).gt(0)
        ind = written.indicators
        row = ind[(ind["unit_code"] == "ALL") & (ind["field"] == "ALL") & (ind["indicator"] == DUMMY)].iloc[0]
        online = ind[(ind["unit_code"] == "ALL") & (ind["field"] == "ALL") & (ind["indicator"] == "online_rate")].iloc[0]
        assert row["denominator"] == int(received.sum()) == online["denominator"]
        assert row["numerator"] == int(asked.sum()) > 0
        assert row["value"] == pytest.approx(round(100 * int(asked.sum()) / int(received.sum()), 4))
        assert row["target"] == 100.0
        # Report order: after the dossier indicators registered before it (the registry order).
        order = list(dict.fromkeys(ind.loc[(ind["unit_code"] == "ALL") & (ind["field"] == "ALL"), "indicator"]))
        assert order == definitions.names()

    def test_report_table_shows_it(self, written):
        table = nd.indicators_table(written.indicators)
        assert "Tỷ lệ hồ sơ phải bổ sung" in table.index

    def test_narrative_names_it_below_target(self, written):
        text = narrative.report_markdown(written)
        assert "tỷ lệ hồ sơ phải bổ sung giấy tờ đạt" in text

    def test_narrative_refuses_it_without_a_phrase(self, written, monkeypatch):
        monkeypatch.delitem(labels.INDICATOR_PHRASES, DUMMY)
        with pytest.raises(ConfigError, match=f"{DUMMY}: phrase"):
            narrative.report_markdown(written)
