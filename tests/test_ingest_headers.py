"""Header recognition: both profiles, title lines, two-row headers, aliases, bad headers."""

import pandas as pd
import pytest

from cchc_analysis import config
from cchc_analysis.errors import InputError
from cchc_analysis.ingest import headers as H
from tests.fixtures_raw import NATIONAL_HEADER, TITLE, VI_HEADER, national_row, vi_row


def grid(rows):
    width = max(len(r) for r in rows)
    return pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], dtype="str")


ALIASES = H.load_header_aliases()


class TestRecognisedHeader:
    def test_list_screen_profile(self):
        header = H.recognised_header(grid([VI_HEADER, vi_row()]), ALIASES, "a.csv")
        assert (header.kind, header.profile, header.columns[1]) == ("dossiers", "vi", "dossier_id")

    def test_national_profile(self):
        header = H.recognised_header(grid([NATIONAL_HEADER, national_row()]), ALIASES, "a.csv")
        assert (header.kind, header.profile, header.columns[0]) == ("dossiers", "national", "dossier_id")

    def test_title_lines_above(self):
        header = H.recognised_header(grid(TITLE + [VI_HEADER]), ALIASES, "a.csv")
        assert header.row == 4

    def test_personal_columns_are_dropped(self):
        header = H.recognised_header(grid([VI_HEADER]), ALIASES, "a.csv")
        assert header.personal == ["Chủ hồ sơ", "Số điện thoại", "Địa chỉ"]
        assert "personal" not in header.columns.values()

    def test_unrecognised_column_is_listed_not_kept(self):
        header = H.recognised_header(grid([["Mã hồ sơ", "Ngày tiếp nhận", "Đơn vị", "Cột lạ"]]), ALIASES, "a.csv")
        assert header.unrecognised == ["Cột lạ"] and 3 not in header.columns

    def test_upper_case_ascii_and_parentheses(self):
        header = H.recognised_header(grid([["MA HO SO", "NGÀY TIẾP NHẬN", "Đơn vị", "Tên thủ tục (hành chính)"]]), ALIASES, "a.csv")
        assert header.columns == {0: "dossier_id", 1: "received_at", 2: "reception", 3: "procedure_name"}

    def test_two_row_header_under_merged_group(self):
        rows = [["Mã hồ sơ", "Đơn vị", "Ngày", "Ngày", "Trạng thái"], ["", "", "tiếp nhận", "hẹn trả", ""]]
        header = H.recognised_header(grid(rows), ALIASES, "a.csv")
        assert (header.rows, header.columns[2], header.columns[3]) == (2, "received_at", "due_at")

    def test_pakn_kind(self):
        header = H.recognised_header(grid([["Mã PAKN", "Ngày tiếp nhận", "Đơn vị xử lý", "Nội dung"]]), ALIASES, "a.csv")
        assert header.kind == "pakn" and header.personal == ["Nội dung"]

    def test_edocs_kind(self):
        header = H.recognised_header(grid([["Đơn vị", "Tháng", "Số văn bản đi", "Văn bản điện tử", "Văn bản mật"]]), ALIASES, "a.csv")
        assert header.kind == "edocs"

    def test_no_header(self):
        assert H.recognised_header(grid([["a", "b"], ["1", "2"]]), ALIASES, "a.csv") is None

    def test_duplicate_header(self):
        with pytest.raises(InputError, match="duplicate header: columns 'Mã hồ sơ' and 'Số biên nhận'"):
            H.recognised_header(grid([["Mã hồ sơ", "Số biên nhận", "Ngày tiếp nhận", "Đơn vị"]]), ALIASES, "a.csv")

    def test_required_column_missing(self):
        with pytest.raises(InputError, match="a.csv, row 1: required column missing .*'Ngày tiếp nhận' / 'NgayTiepNhan'"):
            H.recognised_header(grid([["Mã hồ sơ", "Đơn vị", "Trạng thái"]]), ALIASES, "a.csv")


class TestLoadHeaderAliases:
    def test_user_aliases_merge_on_top(self, tmp_path, monkeypatch):
        (tmp_path / "headers.yaml").write_text("dossiers:\n  dossier_id: [Mã số hồ sơ điện tử]\n", encoding="utf-8")
        monkeypatch.setattr(config, "USER_REFERENCE_DIR", tmp_path)
        H.load_header_aliases.cache_clear()
        try:
            aliases = H.load_header_aliases()
        finally:
            H.load_header_aliases.cache_clear()
        assert "Mã số hồ sơ điện tử" in aliases["dossiers"]["dossier_id"]
        assert "MaHoSo" in aliases["dossiers"]["dossier_id"]


class TestAliasIndex:
    def test_clash_is_a_config_error(self):
        from cchc_analysis.errors import ConfigError

        with pytest.raises(ConfigError, match="given to both"):
            H.alias_index({"dossiers": {"a": ["Mã hồ sơ"], "b": ["MA HO SO"]}})


class TestParsedYaml:
    def test_shipped_aliases_same_as_safe_load(self):
        import yaml

        from cchc_analysis import config
        from cchc_analysis.ingest.headers import _parsed_yaml

        text = (config.PACKAGE_REFERENCE_DIR / "headers.yaml").read_text(encoding="utf-8")
        assert _parsed_yaml(text) == yaml.safe_load(text)

    def test_bad_yaml_raises_the_pure_python_error(self):
        import pytest
        import yaml

        from cchc_analysis.ingest.headers import _parsed_yaml

        with pytest.raises(yaml.YAMLError) as theirs:
            yaml.safe_load("a: [b\nc: d")
        with pytest.raises(yaml.YAMLError) as ours:
            _parsed_yaml("a: [b\nc: d")
        assert str(ours.value) == str(theirs.value)
