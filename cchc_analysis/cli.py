"""The ``cchc`` command. Each sub-command lives in its own module and is imported lazily,
so ``cchc --help`` and quick commands start fast.

A module registered here provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import CchcError

#: sub-command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "sample": ("cchc_analysis.sample", "write the synthetic sample exports"),
    "clean": ("cchc_analysis.clean", "raw exports -> typed, reconciled parquet tables"),
    "indicators": ("cchc_analysis.indicators", "form 06, indicators and quality for a quarter"),
    "run": ("cchc_analysis.run", "execute the notebooks for a quarter (and per unit)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cchc", description="Sơ kết công tác cải cách hành chính quý — analysis suite."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(_module=module_name)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Two-step parse: find the command, import only its module, then parse its options.
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in COMMANDS:
        module = importlib.import_module(COMMANDS[command][0])
        subparsers = next(
            a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
        )
        module.add_arguments(subparsers.choices[command])
    args = parser.parse_args(argv)
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except CchcError as exc:
        print(f"cchc {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cchc {args.command}: interrupted; previous results left intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
