"""The practice profile and its images, in the vault."""

from __future__ import annotations

import json
from concurrent.futures import Future

from app.audit import AuditEvent
from app.clock import iso
from app.errors import InvalidInput
from app.practice_profile import PracticeProfile, check_image, validate_profile
from storage import audit_log
from storage.connection import Connection
from storage.vault import Vault

PROFILE_KEY = "practice.profile"
IMAGE_KINDS = ("logo", "signature")


def load_profile(vault: Vault) -> Future[PracticeProfile]:
    """The profile (empty fields when never set)."""
    def run(conn: Connection) -> PracticeProfile:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (PROFILE_KEY,)).fetchone()
        try:
            return PracticeProfile.from_json(json.loads(row[0]) if row else {})
        except json.JSONDecodeError:
            return PracticeProfile()
    return vault.submit(run)


def save_profile(vault: Vault, profile: PracticeProfile) -> Future[PracticeProfile]:
    """Validate and store the profile (audited)."""
    clean = validate_profile(profile)

    def run(conn: Connection) -> PracticeProfile:
        conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) "
                     "DO UPDATE SET value = excluded.value",
                     (PROFILE_KEY, json.dumps(clean.to_json(), ensure_ascii=False)))
        audit_log.append(conn, AuditEvent.SETTINGS_CHANGED, {"key": PROFILE_KEY},
                         vault.clock.now())
        return clean
    return vault.write(run)


def load_image(vault: Vault, kind: str) -> Future[tuple[str, bytes] | None]:
    """(type, bytes) of the logo or signature, or None."""
    def run(conn: Connection) -> tuple[str, bytes] | None:
        row = conn.execute("SELECT image_type, data FROM practice_images WHERE kind = ?",
                           (kind,)).fetchone()
        return (row[0], bytes(row[1])) if row else None
    return vault.submit(run)


def save_image(vault: Vault, kind: str, data: bytes | None) -> Future[None]:
    """Store (or with None, remove) the logo or signature image."""
    if kind not in IMAGE_KINDS:
        raise InvalidInput(f"Unknown image {kind!r}.")
    image_type = check_image(data, kind) if data is not None else ""

    def run(conn: Connection) -> None:
        if data is None:
            conn.execute("DELETE FROM practice_images WHERE kind = ?", (kind,))
        else:
            conn.execute("INSERT OR REPLACE INTO practice_images(kind, image_type, data, "
                         "updated_at) VALUES (?, ?, ?, ?)",
                         (kind, image_type, data, iso(vault.clock.now())))
        audit_log.append(conn, AuditEvent.SETTINGS_CHANGED, {"key": f"practice.{kind}"},
                         vault.clock.now())
    return vault.write(run)
