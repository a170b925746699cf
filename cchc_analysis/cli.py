"""The ``cchc`` command. Each sub-command lives in its own module and is imported lazily,
so ``cchc --help`` and quick commands start fast.

A module registered here provides ``add_arguments(parser)`` and ``run(args) -> int``. The
folder options shared by several commands (``--raw``, ``--processed``, ``--out``) get one
default and one help text here, from :mod:`cchc_analysis.config`, whatever the module says.

Exit codes (also in ``cchc --help`` and the README): 0 done; 1 the input data is missing or
cannot be used (:class:`~cchc_analysis.errors.InputError`, :class:`~cchc_analysis.errors.ConfigError`:
a missing raw folder, no cleaned tables yet, a bad file) or a notebook failed; 2 wrong usage
(unknown option, bad ``--quarter`` or ``--period`` value, unknown unit code); 130 interrupted with Ctrl+C (one line, no traceback; files
being written are not left half-written).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__, config
from .errors import EXIT_INTERRUPTED, CchcError, error_line, exit_code_for, interrupted_line

#: sub-command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "sample": ("cchc_analysis.sample", "ghi bộ dữ liệu mẫu tổng hợp (sample exports)"),
    "clean": ("cchc_analysis.clean", "làm sạch dữ liệu thô thành bảng parquet (raw -> processed)"),
    "indicators": ("cchc_analysis.indicators", "mẫu 06, chỉ số và chất lượng dữ liệu của một quý"),
    "run": ("cchc_analysis.run", "chạy các notebook, lập báo cáo HTML của một quý (và từng đơn vị)"),
    "units": ("cchc_analysis.units_cli", "liệt kê mã đơn vị, tên, cấp và thời gian hiệu lực"),
}

#: Shared folder options: dest -> (default, help). One source for every command.
COMMON_FOLDERS = {
    "raw": (config.DEFAULT_RAW_DIR, "thư mục dữ liệu thô (raw exports; mặc định: $CCHC_RAW_DIR, nếu không có thì data/raw/sample)"),
    "processed": (config.PROCESSED_DIR, "thư mục bảng đã làm sạch (mặc định: data/processed)"),
    "out": (config.OUTPUT_DIR, "thư mục kết quả, mỗi quý một thư mục con (mặc định: outputs)"),
}

EPILOG = """\
mã thoát (exit codes):
  0    xong (done)
  1    dữ liệu đầu vào thiếu hoặc không dùng được, hoặc một notebook bị lỗi (bad input data)
  2    dùng sai lệnh: tùy chọn lạ, quý, kỳ hoặc mã đơn vị sai (usage error)
  130  bị dừng bằng Ctrl+C; kết quả dở dang bị bỏ (interrupted)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cchc",
        description="Sơ kết công tác cải cách hành chính theo quý — bộ công cụ phân tích.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser._actions[0].help = "in hướng dẫn này rồi thoát (show this help)"
    parser.add_argument("--version", action="version", version=f"cchc-analysis {__version__}",
                        help="in số phiên bản rồi thoát (show the version)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp._actions[0].help = "in hướng dẫn này rồi thoát (show this help)"
        sp.set_defaults(_module=module_name)
    return parser


def harmonise_folders(parser: argparse.ArgumentParser) -> None:
    """Give ``--raw``/``--processed``/``--out`` the defaults and help of :data:`COMMON_FOLDERS`."""
    for action in parser._actions:
        if action.dest in COMMON_FOLDERS:
            action.default, action.help = COMMON_FOLDERS[action.dest]


def _quarter(text: str) -> str:
    """``--quarter`` takes any report kind: a quarter or 6 tháng, 9 tháng, năm (canonical code)."""
    from .periods import ImplausibleYear, Period

    try:
        return str(Period.parse(text))
    except ImplausibleYear as error:
        raise argparse.ArgumentTypeError(f"kỳ báo cáo {error}") from None
    except (ValueError, CchcError):
        raise argparse.ArgumentTypeError(
            f"kỳ báo cáo '{text}' không hợp lệ; cần dạng 2024Q1 (quý), 2024H1 (6 tháng), "
            "2024M9 (9 tháng) hoặc 2024Y (năm)"
        ) from None


def _check_quarter_option(parser: argparse.ArgumentParser) -> None:
    """A wrong ``--quarter`` is a usage error (exit 2) found before any work starts."""
    for action in parser._actions:
        if action.dest == "quarter":
            action.type = _quarter


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Two-step parse: find the command, import only its module, then parse its options.
    command = next((a for a in argv if not a.startswith("-")), None)
    try:  # from the start: Ctrl+C while the command's module loads is one line too (issue 14)
        parser = build_parser()
        if command in COMMANDS:
            module = importlib.import_module(COMMANDS[command][0])
            subparsers = next(
                a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
            )
            module.add_arguments(subparsers.choices[command])
            harmonise_folders(subparsers.choices[command])
            _check_quarter_option(subparsers.choices[command])
        args = parser.parse_args(argv)
        module = importlib.import_module(args._module)
        return int(module.run(args) or 0)
    except CchcError as exc:
        print(error_line(command, exc), file=sys.stderr)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        print("\n" + interrupted_line(command), file=sys.stderr)
        # The interrupted run's event loops are collected at exit ("Exception ignored in
        # BaseEventLoop.__del__"): after the one line nothing more is printed.
        sys.unraisablehook = lambda unraisable: None
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
