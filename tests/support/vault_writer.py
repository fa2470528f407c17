"""A writer process for the kill -9 test: commit transactions forever, acknowledge each one.

    python vault_writer.py FOLDER TAG      (the vault's data key, hex, on stdin: never argv/env)

It takes the vault's lock, opens vault.db with the raw data key and the vault's own pragmas
(WAL, synchronous=FULL …), prints "ready", then loops: BEGIN IMMEDIATE; insert a client, a
session and a note of varying size; COMMIT; and only after COMMIT has returned prints the client
id and flushes. The parent kills it with SIGKILL at a random moment. Imports are kept to the
minimum (no KDF, no Qt) so each of the hundred runs starts quickly.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storage.connection import configure, connect
from storage.filelock import VaultLock


def main() -> None:
    folder, tag = Path(sys.argv[1]), sys.argv[2]
    key = bytes.fromhex(sys.stdin.readline().strip())
    lock = VaultLock(folder)
    lock.acquire()
    conn = connect(folder / "vault.db", key)
    configure(conn)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    n = 0
    while True:
        n += 1
        conn.execute("BEGIN IMMEDIATE")
        cid = conn.execute(
            "INSERT INTO clients(name, pseudonym, created_at) VALUES (?, ?, ?)",
            (f"{tag} client {n}", tag, "2024-01-01T00:00:00.000000Z")).lastrowid
        sid = conn.execute("INSERT INTO sessions(client_id, date, number) VALUES (?, ?, ?)",
                           (cid, "2024-01-02", n)).lastrowid
        conn.execute(
            "INSERT INTO notes(session_id, template, body, created_at, updated_at) "
            "VALUES (?, 'soap', ?, '2024-01-02', '2024-01-02')",
            (sid, f"{tag} note {n} " + "lorem ipsum " * (n % 9 * 60)))
        conn.execute("COMMIT")
        out.write(f"{cid}\n")
        out.flush()


if __name__ == "__main__":
    main()
