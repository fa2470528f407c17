"""A process that changes a vault's keys, for the kill -9 tests of passwd and rotate.

    python key_changer.py passwd FOLDER    stdin: current passphrase, new passphrase
    python key_changer.py rotate FOLDER    stdin: passphrase

Prints "ready" once the vault is open, then (rotate only) the new data key and recovery key the
moment they are generated — "newkey HEX", "newrk KEY" — so the parent knows both candidates
whenever it kills, and "done" after the change has returned. Test instrumentation only: the
vault is a throwaway one in the test's temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.recovery_key import RecoveryKey
from storage import crypto
from storage.vault import Secret, Vault


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    action, folder = sys.argv[1], Path(sys.argv[2])
    passphrase = sys.stdin.readline().rstrip("\n")
    vault = Vault.open(folder, Secret(passphrase=passphrase))
    if action == "passwd":
        new = sys.stdin.readline().rstrip("\n")
        _say("ready")
        vault.change_passphrase(passphrase, new)
    else:
        real_random_key, real_generate = crypto.random_key, RecoveryKey.generate
        first = [True]

        def random_key() -> bytes:
            key = real_random_key()
            if first[0]:  # the first key drawn by rotate_data_key is the new data key
                first[0] = False
                _say(f"newkey {key.hex()}")
            return key

        def generate() -> RecoveryKey:
            key = real_generate()
            _say(f"newrk {key}")
            return key

        crypto.random_key = random_key  # type: ignore[assignment]
        RecoveryKey.generate = generate  # type: ignore[assignment,method-assign]
        _say("ready")
        vault.rotate_data_key(passphrase)
    _say("done")
    vault.close()


if __name__ == "__main__":
    main()
