"""Deleted and replaced text is gone from the file, even for someone holding the key.

SQLCipher encrypts pages, but whoever has the key (a stolen keychain entry, a weak passphrase)
can decrypt every page, including free space. secure_delete=ON and the FTS5 index's own
secure-delete option must leave nothing of a deleted note behind.
"""

from __future__ import annotations

from typing import Any

from storage.connection import connect
from tests.support.vaults import ClosedVault, add_records, decrypt_pages


def _everything(cv: ClosedVault) -> bytes:
    return b"\n".join(decrypt_pages(cv.db, cv.data_key))


def test_vault_connections_use_the_safe_pragmas(closed_vault: ClosedVault) -> None:
    def read(conn: Any) -> dict[str, object]:
        names = ("journal_mode", "synchronous", "foreign_keys", "secure_delete", "temp_store",
                 "cache_size", "cipher_page_size")
        return {n: conn.execute(f"PRAGMA {n}").fetchone()[0] for n in names}
    with closed_vault.open() as vault:
        values = vault.call(read)
    assert values == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                      "secure_delete": 1, "temp_store": 2, "cache_size": -64000,
                      "cipher_page_size": "4096"}, values
    conn = connect(closed_vault.db, closed_vault.data_key)
    try:
        assert conn.execute("PRAGMA cipher_log_level").fetchone()[0] == "NONE"
    finally:
        conn.close()


def test_deleted_and_replaced_note_text_leaves_no_trace(closed_vault: ClosedVault) -> None:
    secret_words = [b"Quokkaplasma", b"Persephone Umbrellawind", b"Wobblegongish"]
    with closed_vault.open() as vault:
        add_records(vault, 30, prefix="filler ")

        def write(c: Any) -> None:
            cid = c.execute("INSERT INTO clients(name, pseudonym, created_at) VALUES "
                            "('Persephone Umbrellawind', 'P1', '2024')").lastrowid
            sid = c.execute("INSERT INTO sessions(client_id, date) VALUES (?, '2024-03-01')",
                            (cid,)).lastrowid
            c.execute("INSERT INTO notes(session_id, template, body, created_at, updated_at) "
                      "VALUES (?, 'soap', 'Disclosed Quokkaplasma at work', '2024', '2024')",
                      (sid,))
            c.execute("UPDATE notes SET body = 'Mentions Wobblegongish twice' WHERE id = 1")
        vault.write(write).result()
    plain = _everything(closed_vault)
    assert all(word in plain for word in secret_words)  # control: decryption sees them

    with closed_vault.open() as vault:
        def delete(c: Any) -> None:
            (cid,) = c.execute("SELECT id FROM clients WHERE pseudonym = 'P1'").fetchone()
            c.execute("DELETE FROM notes WHERE session_id IN "
                      "(SELECT id FROM sessions WHERE client_id = ?)", (cid,))
            c.execute("DELETE FROM sessions WHERE client_id = ?", (cid,))
            c.execute("DELETE FROM clients WHERE id = ?", (cid,))
            c.execute("UPDATE notes SET body = 'Nothing of note' WHERE id = 1")
        vault.write(delete).result()
        hits = vault.call(lambda c: c.execute(
            "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'quokkaplasma OR "
            "wobblegongish'").fetchone()[0])
        assert hits == 0
    plain = _everything(closed_vault)
    lowered = plain.lower()
    for word in secret_words:
        assert word not in plain, word
        assert word.lower() not in lowered, word
    assert not (closed_vault.folder / "vault.db-wal").exists()
