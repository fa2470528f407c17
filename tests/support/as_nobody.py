"""Run the `tandem` command line as the unprivileged user `nobody` (uid/gid 65534).

    python as_nobody.py ARGS...      (as root; exits with tandem's exit code)

The tests run as root here, and root ignores file permissions, so a read-only vault folder
would not be read-only to it. `preexec_fn=os.setuid` cannot be used: this machine's Python lives
under /root, which `nobody` may not enter, so the interpreter could not even start. Instead this
script starts as root, imports everything the command line will need, then drops to `nobody`
for good (groups, gid, uid) before a single vault file is touched, and runs `ui.entry.main`.
"""

from __future__ import annotations

# Everything the CLI imports lazily, loaded while the standard library is still readable.
import argparse  # noqa: F401
import fcntl  # noqa: F401
import getpass  # noqa: F401
import linecache  # noqa: F401
import os
import shutil  # noqa: F401
import sys
import tempfile  # noqa: F401
import traceback  # noqa: F401
import zipfile  # noqa: F401

import keyring  # noqa: F401

import storage.backup
import storage.portability  # `tandem export` / `tandem import` (loads app.letters, difflib)
import storage.vault  # noqa: F401
import ui.cli
import ui.entry

NOBODY = 65534


def main() -> int:
    ui.entry.build_parser()
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    if os.geteuid() != NOBODY or os.access("/root", os.R_OK):
        print("could not drop privileges", file=sys.stderr)
        return 99
    return ui.entry.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
