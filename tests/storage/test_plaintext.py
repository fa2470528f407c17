"""Nothing written into a vault appears unencrypted in any file it leaves: db, -wal, -shm, temp."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from storage.backup import make_backup
from storage.vault import Secret, Vault
from tests.support.leak_scan import scan
from tests.support.vaults import CLIENT_NAMES, NEEDLES, NOTE_BODY, PASSPHRASE, add_records


def _write_sensitive(vault: Vault) -> None:
    add_records(vault, 40)

    def more(c: Any) -> None:
        c.execute("UPDATE notes SET body = body || ' (revised: Vexillology again)' WHERE id <= 5")
        c.execute("INSERT INTO process_notes(client_id, body, updated_at) VALUES "
                  "(1, ?, '2024-01-01')", (NOTE_BODY * 20,))
        c.execute("INSERT INTO settings(key, value) VALUES ('practice.owner', ?)",
                  (f'"{CLIENT_NAMES[0]}"',))
        # A query that sorts and groups: with temp_store=FILE this would spill plaintext.
        c.execute("SELECT name, count(*) FROM clients GROUP BY name ORDER BY name DESC").fetchall()
        c.execute("SELECT * FROM notes_fts WHERE notes_fts MATCH 'Vexillology'").fetchall()
        c.execute("DELETE FROM notes WHERE id = 40")
    vault.write(more).result()


def test_the_scanner_finds_plaintext(tmp_path: Path) -> None:
    """Control: the scan would see a leak in UTF-8 and UTF-16."""
    (tmp_path / "a.txt").write_bytes(b"xx" + NEEDLES[0].encode("utf-16-le") + b"yy")
    (tmp_path / "b.txt").write_bytes(NEEDLES[3].encode("utf-8"))
    report = scan([tmp_path], NEEDLES)
    assert report.scanned == 2
    assert sorted(str(h.path) for h in report.hits) == ["a.txt", "b.txt"]


def test_no_plaintext_while_open_and_after_close(tmp_path: Path) -> None:
    folder = tmp_path / "vaults" / "Leak.tandem"
    vault, _ = Vault.create(folder, PASSPHRASE)
    # The vault folder, TMPDIR, HOME: all inside tmp_path, which is scanned whole as well.
    roots = [folder, Path(os.environ["TMPDIR"]), Path(os.environ["HOME"]), tmp_path]
    try:
        _write_sensitive(vault)
        names = {p.name for p in folder.iterdir()}
        assert {"vault.db-wal", "vault.db-shm"} <= names, names  # scanned while they exist
        assert (folder / "vault.db-wal").stat().st_size > 0
        report = scan(roots, NEEDLES)
        assert report.scanned >= 5
        assert report.hits == []
        # The content really is in there.
        assert vault.call(lambda c: c.execute(
            "SELECT count(*) FROM clients WHERE name LIKE ?", (f"{CLIENT_NAMES[2]}%",)
        ).fetchone()[0]) > 0
        backup = make_backup(vault, tmp_path / "backups")
    finally:
        vault.close()
    assert backup.is_relative_to(tmp_path)
    assert scan(roots, NEEDLES).hits == []
    # Reopening (WAL recovery, checks, migrations check) leaks nothing either.
    with Vault.open(folder, Secret(passphrase=PASSPHRASE)) as reopened:
        reopened.verify()
        assert scan(roots, NEEDLES).hits == []
    assert not list(Path(os.environ["TMPDIR"]).rglob("etilqs_*"))
