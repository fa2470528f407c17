"""The `tandem` command: one entry point that wires the domain, the vault and the interfaces.

`tandem` alone opens the window; `tandem vault …`, `backup` and `restore` run without Qt. Errors
are one line on stderr with a documented exit code — never a traceback, which could carry client
data into a terminal scroll-back or a scheduler's mail (set TANDEM_DEBUG=1 to see tracebacks).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any, NoReturn, TextIO

from app.errors import TandemError
from app.version import __version__


class QuietParser(argparse.ArgumentParser):
    """An argument parser that never echoes what was typed.

    Someone may type `--passphrase hunter2` by mistake; argparse would repeat the secret in its
    error ("unrecognized arguments: …", "ignored explicit argument '…'"), and from there into a
    terminal's scroll-back or a scheduler's mail. Abbreviations are off, so `--passphrase` never
    silently means `--passphrase-stdin`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Print usage and the problem with every typed value removed; exit 2."""
        if "unrecognized arguments" in message:
            message = "unrecognized arguments (not repeated here, in case they hold a secret)"
        message = re.sub(r"(invalid choice|explicit argument|invalid \w+ value): '[^']*'",
                         r"\1", message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    from ui.cli import add_commands

    parser = QuietParser(
        prog="tandem",
        description="Tandem: encrypted practice records for psychotherapists.",
        epilog="Passphrases are read from a prompt or, with --passphrase-stdin, one line on "
               "standard input; never from arguments or environment variables.",
    )
    parser.add_argument("--version", action="version", version=f"Tandem {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo vault (created on first use)")
    parser.add_argument("--vault", metavar="PATH", help="open the vault at PATH")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="with --demo: unlock, paint the main window, save it as PNG, exit")
    add_commands(parser)
    return parser


_WINDOWS_MUTEXES: list[object] = []


def hold_windows_mutexes() -> None:
    """On Windows, announce that Tandem runs, so the installer never upgrades under it.

    The names match `windows_mutex` in resources/app.json and AppMutex in the Inno Setup
    script. The handles are kept for the life of the process (the OS frees them at exit).
    """
    if sys.platform != "win32" or _WINDOWS_MUTEXES:
        return
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.CreateMutexW.argtypes = [ctypes.c_void_p, wintypes.BOOL, wintypes.LPCWSTR]
    kernel32.CreateMutexW.restype = wintypes.HANDLE
    for name in ("TandemPracticeRecords.Running", "Global\\TandemPracticeRecords.Running"):
        _WINDOWS_MUTEXES.append(kernel32.CreateMutexW(None, False, name))


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run Tandem; returns the process exit code."""
    hold_windows_mutexes()
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command:
            if args.demo or args.vault or args.screenshot:
                parser.error("--demo, --vault and --screenshot open the window; "
                             "they do not combine with a command")
            return int(args.handler(args, out))
        if args.screenshot and not args.demo and not args.vault:
            parser.error("--screenshot needs --demo or --vault")
        if args.demo and args.vault:
            parser.error("choose either --demo or --vault")
        from ui.app import run_gui

        return run_gui(vault=Path(args.vault).expanduser() if args.vault else None,
                       demo=args.demo,
                       screenshot=Path(args.screenshot) if args.screenshot else None)
    except TandemError as exc:
        print(f"tandem: {exc.message}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tandem: interrupted; nothing was changed.", file=err)
        return 130
    except Exception as exc:
        if os.environ.get("TANDEM_DEBUG"):
            raise
        print(f"tandem: unexpected error ({type(exc).__name__}); nothing was changed. "
              "Run with TANDEM_DEBUG=1 for details.", file=err)
        return 1


if __name__ == "__main__":
    sys.exit(main())
