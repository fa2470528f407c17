"""Helpers shared by the vault tests: raw SQLCipher access, table snapshots, byte scans."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from app.recovery_key import RecoveryKey
from storage.vault import Secret, Vault

PASSPHRASE = "correct horse battery staple"

# Distinctive text that must never appear unencrypted on disk.
CLIENT_NAMES = ["Zephyrine Quillfeather", "Bartholomew Xylograph", "Отто Щукин"]
NOTE_BODY = ("Sessionnote Vexillology: client reports nightmares 🌙🦉 about the "
             "שלום עליכם lighthouse; plan Kumquatexposure step 3")
NEEDLES = [*CLIENT_NAMES, "Vexillology", "Kumquatexposure", "🌙🦉", "שלום עליכם", "nightmares"]


def raw_connect(db: Path, key: bytes) -> sqlcipher.Connection:
    """A plain SQLCipher connection with the raw key (what an attacker with the key would use)."""
    conn = sqlcipher.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def add_records(vault: Vault, count: int = 3, prefix: str = "") -> list[int]:
    """Insert clients, each with a session and a note, in one transaction; return client ids."""
    def run(conn: Any) -> list[int]:
        ids = []
        for i in range(count):
            name = f"{prefix}{CLIENT_NAMES[i % len(CLIENT_NAMES)]} {i}"
            cid = conn.execute(
                "INSERT INTO clients(name, pseudonym, created_at) VALUES (?, ?, ?)",
                (name, f"C{i:03d}", "2024-01-01T09:00:00.000000Z")).lastrowid
            sid = conn.execute("INSERT INTO sessions(client_id, date) VALUES (?, ?)",
                               (cid, "2024-02-01")).lastrowid
            conn.execute(
                "INSERT INTO notes(session_id, template, body, created_at, updated_at) "
                "VALUES (?, 'soap', ?, '2024-02-01', '2024-02-01')", (sid, f"{NOTE_BODY} #{i}"))
            ids.append(cid)
        return ids
    return vault.write(run).result()


def user_tables(conn: Any) -> list[str]:
    """Every ordinary table except the audit trail and SQLite's own."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").fetchall()
    return [r[0] for r in rows if r[0] != "audit_log"]


def snapshot(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The content of every user table, in a stable order."""
    out = {}
    for table in user_tables(conn):
        rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def vault_snapshot(vault: Vault) -> dict[str, list[tuple[Any, ...]]]:
    """`snapshot` through the vault's worker thread."""
    return vault.call(snapshot)


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_byte(path: Path, offset: int) -> None:
    """Invert every bit of one byte in place."""
    with open(path, "r+b") as handle:
        handle.seek(offset)
        value = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([value ^ 0xFF]))


@dataclass
class ClosedVault:
    """A vault on disk, closed, and everything a test needs to open it."""

    folder: Path
    recovery_key: RecoveryKey
    data_key: bytes
    tables: dict[str, list[tuple[Any, ...]]]

    @property
    def db(self) -> Path:
        """The database file."""
        return self.folder / "vault.db"

    def open(self, passphrase: str = PASSPHRASE, **kwargs: Any) -> Vault:
        """Open with the passphrase."""
        return Vault.open(self.folder, Secret(passphrase=passphrase), **kwargs)


def make_closed_vault(folder: Path, records: int = 3) -> ClosedVault:
    """Create a vault with a few records, note its secrets and content, and close it."""
    vault, recovery_key = Vault.create(folder, PASSPHRASE)
    try:
        add_records(vault, records)
        tables = vault_snapshot(vault)
        data_key = vault.remembered_key()
    finally:
        vault.close()
    return ClosedVault(folder, recovery_key, data_key, tables)


PAGE_SIZE = 4096
RESERVE = 80  # SQLCipher 4: 16-byte IV + 64-byte HMAC-SHA512 at the end of every page


def decrypt_pages(db: Path, key: bytes) -> list[bytes]:
    """Every page of a SQLCipher 4 file (raw key), decrypted: what someone holding the key sees,
    including free pages and the unused space inside pages that queries never show."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    data = db.read_bytes()
    pages = []
    for number in range(len(data) // PAGE_SIZE):
        page = data[number * PAGE_SIZE:(number + 1) * PAGE_SIZE]
        start = 16 if number == 0 else 0  # page 1 begins with the file's salt
        iv = page[PAGE_SIZE - RESERVE:PAGE_SIZE - RESERVE + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(page[start:PAGE_SIZE - RESERVE]) + decryptor.finalize())
    return pages
