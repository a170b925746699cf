"""The ``cchc`` command's conventions: --version, ``cchc units``, documented exit codes."""

from __future__ import annotations

import pytest

from cchc_analysis import __version__, cli, config
from cchc_analysis.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse: --version, --help, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


class TestVersion:
    def test_prints_the_package_version_and_exits_0(self, capsys):
        assert _main(capsys, "--version")[:2] == (0, f"cchc-analysis {__version__}\n")


class TestHelp:
    def test_documents_every_exit_code(self, capsys):
        code, out, _ = _main(capsys, "--help")
        lines = [line.split()[0] for line in out.split("mã thoát (exit codes):")[1].splitlines() if line.strip()]
        assert (code, lines) == (0, ["0", "1", "2", "130"])

    @pytest.mark.parametrize("command", ["indicators", "run"])
    def test_quarter_option_names_every_report_kind(self, capsys, command):
        code, out, _ = _main(capsys, command, "--help")
        flat = " ".join(out.split())
        assert (code, all(k in flat for k in ("2024Q1", "2024H1", "2024M9", "2024Y"))) == (0, True)


class TestUnits:
    def test_lists_a_post_2025_code_with_its_name_level_and_start(self, capsys):
        code, out, _ = _main(capsys, "units")
        row = next(line for line in out.splitlines() if line.startswith("p-phu-bai-2025 "))
        assert (code, row.split()[1:5], row.endswith("phường Phú Bài")) == (
            0, ["xã", "01/7/2025", "–", "nay"], True
        )

    def test_on_a_day_lists_only_the_units_valid_that_day(self, capsys):
        codes = [line.split()[0] for line in _main(capsys, "units", "--on", "2025-07-01")[1].splitlines()[1:]]
        assert ("p-phu-bai-2025" in codes, "tx-huong-thuy" in codes) == (True, False)

    def test_a_wrong_day_is_a_usage_error(self, capsys):
        code, _, err = _main(capsys, "units", "--on", "2025-13-01")
        assert (code, "2025-13-01" in err) == (EXIT_USAGE, True)


class TestExitCodes:
    def test_done_is_0(self, capsys):
        assert _main(capsys, "units")[0] == EXIT_OK == 0

    def test_bad_input_data_is_1(self, capsys, monkeypatch):
        from cchc_analysis import refdata
        from cchc_analysis.errors import InputError

        def broken():
            raise InputError("units.csv", "level must be tinh, huyen or xa", row=2, column="level")

        monkeypatch.setattr(refdata, "load_units", broken)
        code, _, err = _main(capsys, "units")
        assert (code, err, "Traceback" in err) == (
            EXIT_INPUT,
            "cchc units: lỗi: units.csv, row 2, column 'level': level must be tinh, huyen or xa\n",
            False,
        )

    @pytest.mark.parametrize("command", ["clean", "run"])
    def test_a_missing_raw_folder_is_1_in_every_command(self, capsys, tmp_path, command):
        out = ["--out", str(tmp_path / "o")] if command == "run" else []
        code, _, err = _main(capsys, command, "--raw", str(tmp_path / "none"),
                             "--processed", str(tmp_path / "p"), *out)
        assert (code, err.startswith(f"cchc {command}: lỗi: none: "), "Traceback" in err) == (1, True, False)

    def test_a_wrong_period_is_2(self, capsys):
        assert _main(capsys, "run", "--period", "fiscal")[0] == 2

    def test_an_unknown_option_is_2(self, capsys):
        assert _main(capsys, "run", "--no-such-option")[0] == EXIT_USAGE == 2

    def test_a_bad_quarter_value_is_2_before_any_work(self, capsys):
        code, _, err = _main(capsys, "run", "--quarter", "2024Q5")
        assert (code, "kỳ báo cáo '2024Q5' không hợp lệ" in err, "2024H1 (6 tháng)" in err) == (2, True, True)

    def test_a_cumulative_period_in_vietnamese_reaches_the_command_as_its_code(self, capsys, tmp_path):
        # A unit abolished on 2025-07-01 is not a unit of 2026H1: the message names the period.
        code, _, err = _main(
            capsys, "run", "--quarter", "6 tháng đầu năm 2026", "--units", "p-thuy-chau",
            "--processed", str(tmp_path / "processed"), "--out", str(tmp_path / "out"),
        )
        assert (code, "mã đơn vị p-thuy-chau không có trong kỳ 2026H1" in err) == (2, True)

    def test_an_unknown_unit_is_2_before_cleaning(self, capsys, tmp_path):
        code, _, err = _main(
            capsys, "run", "--quarter", "2024Q1", "--units", "p-phu-bai-2025",
            "--processed", str(tmp_path / "processed"), "--out", str(tmp_path / "out"),
        )
        assert (code, "mã đơn vị p-phu-bai-2025 không có trong quý 2024Q1" in err,
                (tmp_path / "processed").exists()) == (2, True, False)

    def test_ctrl_c_is_130_with_one_line_and_no_traceback(self, capsys, monkeypatch):
        import cchc_analysis.units_cli as units_cli

        def interrupted(args):
            raise KeyboardInterrupt

        monkeypatch.setattr(units_cli, "run", interrupted)
        code, _, err = _main(capsys, "units")
        assert (code, err.strip().count("\n"), "Ctrl+C" in err, "Traceback" in err) == (
            EXIT_INTERRUPTED, 0, True, False
        )


class TestSharedDefaults:
    @pytest.mark.parametrize("command", ["clean", "indicators", "run"])
    def test_folder_options_default_to_config(self, command):
        import importlib

        parser = cli.build_parser()
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices[command]
        importlib.import_module(cli.COMMANDS[command][0]).add_arguments(sub)
        cli.harmonise_folders(sub)
        defaults = {a.dest: a.default for a in sub._actions if a.dest in cli.COMMON_FOLDERS}
        expected = {"raw": config.SAMPLE_DIR, "processed": config.PROCESSED_DIR, "out": config.OUTPUT_DIR}
        assert defaults == {k: v for k, v in expected.items() if k in defaults} and "processed" in defaults
