"""Unit-name resolution by normalised key and date."""

import unicodedata

import numpy as np
import pandas as pd
import pytest

from cchc_analysis.ingest.units import DayCodes, first_positions, resolved_units, unit_keys

BEFORE, AFTER = pd.Timestamp("2024-01-15"), pd.Timestamp("2025-08-01")


def resolve(name, day=BEFORE, reception=False):
    codes, problems = resolved_units(pd.Series([name], dtype="str"), pd.Series([day]), reception=reception)
    return codes.iloc[0], problems.iloc[0]


class TestUnitKeys:
    def test_prefix_and_parent_stripped(self):
        assert unit_keys(pd.Series(["UBND P. Phú Bài, TX Hương Thủy"])).tolist() == ["phú bài"]


class TestResolvedUnits:
    @pytest.mark.parametrize(
        "name",
        ["phường Thủy Châu", "UBND phường Thủy Châu", "P. Thủy Châu", "P.Thủy Châu",
         "PHƯỜNG THỦY CHÂU", "phường Thuỷ Châu", unicodedata.normalize("NFD", "phường Thủy Châu"),
         "  phường   Thủy  Châu ", "Thuy Chau", "p-thuy-chau"],
    )
    def test_spelling(self, name):
        assert resolve(name)[0] == "p-thuy-chau"

    def test_town_with_tx(self):
        assert resolve("UBND TX Hương Thủy")[0] == "tx-huong-thuy"

    def test_old_tone_commune(self):
        assert resolve("X. Dương Hoà")[0] == "x-duong-hoa"

    def test_phu_bai_before_reform(self):
        assert resolve("phường Phú Bài", BEFORE)[0] == "p-phu-bai"

    def test_phu_bai_after_reform(self):
        assert resolve("phường Phú Bài", AFTER)[0] == "p-phu-bai-2025"

    def test_reception_centre(self):
        assert resolve("TT HCC thị xã Hương Thủy", reception=True)[0] == "hcc-huong-thuy"

    def test_reception_centre_is_no_authority(self):
        assert pd.isna(resolve("TT HCC thị xã Hương Thủy")[0])

    def test_unknown(self):
        assert resolve("xã Atlantis") == (None, "'xã Atlantis' is not a known unit") or resolve("xã Atlantis")[1] == "'xã Atlantis' is not a known unit"

    def test_not_existing_on_day(self):
        assert resolve("phường Thủy Dương", AFTER)[1] == "'phường Thủy Dương' did not exist on 01/08/2025"

    def test_blank_has_no_problem(self):
        code, problem = resolve("")
        assert pd.isna(code) and pd.isna(problem)


class TestPerNameAndDay:
    def test_first_positions_are_first_rows_of_each_code(self):
        codes = np.array([2, 0, 2, 1, 0, 1])
        assert first_positions(codes, 3).tolist() == [1, 3, 0]

    def test_day_codes_shared_equal_fresh(self):
        names = pd.Series(["phường Phú Bài", "Thuy Chau", "phường Phú Bài", None], dtype="str")
        days = pd.Series(pd.to_datetime(["2024-01-15 08:00", "2024-01-15 00:00", "2025-08-01 00:00", "2024-01-15 00:00"]))
        shared = DayCodes(days)
        for reception in (False, True):
            fresh = resolved_units(names, days, reception=reception)
            again = resolved_units(names, days, reception=reception, day_codes=shared)
            for a, b in zip(fresh, again):
                pd.testing.assert_series_equal(a, b)

    def test_spans_group_days_between_the_same_bounds(self):
        bounds = np.array(["2025-06-30", "2025-07-01"], dtype="datetime64[us]")
        days = pd.Series(pd.to_datetime(["2024-01-01", "2025-06-29 10:00", "2025-06-30 12:00", "2025-07-01", 
                                         "2025-07-02", "2026-01-01", None], format="mixed"))
        codes, n = DayCodes(days).spans(bounds)
        assert codes.tolist() == [0, 0, 1, 3, 4, 4, 6] and n == 7

    def test_gone_message_names_each_rows_own_day(self):
        names = pd.Series(["phường Thủy Dương"] * 3, dtype="str")
        days = pd.Series(pd.to_datetime(["2025-08-01", "2025-09-02 10:00", "2024-01-15"], format="mixed"))
        codes, problems = resolved_units(names, days)
        assert problems.tolist()[:2] == ["'phường Thủy Dương' did not exist on 01/08/2025",
                                         "'phường Thủy Dương' did not exist on 02/09/2025"]
        assert codes.iloc[2] == "p-thuy-duong" and pd.isna(problems.iloc[2])
