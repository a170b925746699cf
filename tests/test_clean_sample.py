"""cchc clean on the committed synthetic sample reproduces the generator's truth."""

import pandas as pd
import pytest

from cchc_analysis import clean as C
from cchc_analysis import config

pytestmark = pytest.mark.slow

KEYS = {"dossiers": ["dossier_id"], "pakn": ["pakn_id"], "edocs": ["unit_code", "month"]}


@pytest.fixture(scope="module")
def generated():
    sample = pytest.importorskip("cchc_analysis.sample")
    return sample.generate(0)


@pytest.fixture(scope="module")
def processed(processed_sample_dir):
    return C.load_processed(processed_sample_dir)


def _sorted(frame, keys):
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


class TestCleanSample:
    @pytest.mark.parametrize("kind", ["dossiers", "pakn", "edocs"])
    def test_tables_equal_truth_field_by_field(self, processed, generated, kind):
        got = _sorted(getattr(processed, kind), KEYS[kind])
        want = _sorted(getattr(generated.truth, kind), KEYS[kind])
        pd.testing.assert_frame_equal(got[list(want.columns)], want, check_dtype=True)

    def test_quarantine_equals_intended_bad_rows(self, processed, generated):
        cols = ["source_file", "source_row", "reason"]
        got = _sorted(processed.quarantine[cols], cols)
        want = _sorted(generated.truth.bad_rows[cols].astype({"source_row": "Int64"}), cols)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)

    def test_reconciliation_equals_truth(self, processed, generated):
        got = _sorted(processed.reconciliation, ["source_file"])
        want = _sorted(generated.truth.reconciliation, ["source_file"])
        pd.testing.assert_frame_equal(got, want, check_dtype=False)

    def test_reconciliation_holds_for_every_file(self, processed):
        r = processed.reconciliation
        assert (r["rows_read"] == r["clean"] + r["quarantined"] + r["duplicates_merged"]).all()
        assert len(r) == len([p for p in config.SAMPLE_DIR.iterdir() if p.suffix in (".xlsx", ".xls", ".csv")])

    def test_meta_marks_synthetic(self, processed):
        assert processed.meta["synthetic"] is True

    def test_no_personal_value_in_any_output(self, processed_sample_dir, processed, generated):
        values = sorted(v for v in generated.personal_values if len(str(v)) >= 4)
        encoded = [str(v).encode("utf-8") for v in values]
        # Byte search of the text outputs; parquet pages are compressed, so for them every
        # decoded text cell is checked below instead (a byte scan there is slow and blind).
        for path in processed_sample_dir.rglob("*"):  # (the indicator cache folder included)
            if path.suffix == ".parquet" or not path.is_file():
                continue
            data = path.read_bytes()
            leaked = [v for v in encoded if v in data]
            assert not leaked, (path.name, leaked[:3])
        personal = set(map(str, values))
        for kind in KEYS:
            frame = getattr(processed, kind)
            for col in frame.select_dtypes(include="str").columns:
                assert not personal & set(frame[col].dropna()), (kind, col)
