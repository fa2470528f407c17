"""Vault settings: validated on the way in, safe defaults for anything damaged on the way out."""

from __future__ import annotations

import pytest

from app.audit import AuditEvent
from app.errors import InvalidInput
from app.settings import VAULT_SETTINGS
from storage import settings_repo
from tests.support.vaults import ClosedVault

LOCK = "lock.after_minutes"
SUSPEND = "lock.on_suspend"


def test_defaults_then_stored_values(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        assert settings_repo.get(vault, LOCK) == 5
        assert settings_repo.get(vault, SUSPEND) is True
        settings_repo.put(vault, LOCK, 30)
        settings_repo.put(vault, SUSPEND, False)
        events = vault.audit_entries(limit=2)
        assert [e.event for e in events] == [AuditEvent.SETTINGS_CHANGED] * 2
        assert events[0].detail == {"key": SUSPEND}
    with closed_vault.open() as vault:
        assert settings_repo.get(vault, LOCK) == 30
        assert settings_repo.get(vault, SUSPEND) is False


@pytest.mark.parametrize(("key", "value"), [
    (LOCK, 0), (LOCK, 121), (LOCK, -1), (LOCK, "10"), (LOCK, 10.0), (LOCK, True), (LOCK, None),
    (SUSPEND, 0), (SUSPEND, "false"), (SUSPEND, None),
])
def test_invalid_values_are_rejected_and_nothing_is_stored(closed_vault: ClosedVault, key: str,
                                                           value: object) -> None:
    with closed_vault.open() as vault:
        settings_repo.put(vault, LOCK, 15)
        trail = len(vault.audit_entries())
        with pytest.raises(InvalidInput) as info:
            settings_repo.put(vault, key, value)
        assert info.value.exit_code == 2
        assert settings_repo.get(vault, LOCK) == 15
        assert settings_repo.get(vault, SUSPEND) is True
        assert len(vault.audit_entries()) == trail


def test_unknown_key_is_refused(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault, pytest.raises(KeyError):
        settings_repo.put(vault, "lock.never", True)


@pytest.mark.parametrize("stored", [
    "not json", "", "{", "999", "0", "-3", "5.5", '"5"', "true", "null", "[]", "NaN",
    "1e999", "[" * 5000, "[" * 100_000, b"\xff\xfe\x00garbage", b"\x80\x81",
])
def test_garbage_stored_values_read_as_the_default(closed_vault: ClosedVault,
                                                   stored: str | bytes) -> None:
    with closed_vault.open() as vault:
        vault.write(lambda c: c.executemany(
            "INSERT INTO settings(key, value) VALUES (?, ?)",
            [(LOCK, stored), (SUSPEND, stored)])).result()
        values = vault.call(settings_repo.read_all)
    assert values[LOCK] == 5
    assert values[SUSPEND] is True


@pytest.mark.parametrize("stored", ["{", "-1", "1e999", '"x"', "[" * 50_000])
def test_every_setting_reads_a_damaged_value_as_its_default(closed_vault: ClosedVault,
                                                            stored: str) -> None:
    with closed_vault.open() as vault:
        vault.write(lambda c: c.executemany(
            "INSERT INTO settings(key, value) VALUES (?, ?)",
            [(key, stored) for key in VAULT_SETTINGS])).result()
        values = vault.call(settings_repo.read_all)
    for key, spec in VAULT_SETTINGS.items():
        expected = spec.coerce_or_default(stored.strip('"')) if stored == '"x"' else spec.default
        assert values[key] == expected, key


def test_unknown_stored_keys_are_ignored(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        vault.write(lambda c: c.execute(
            "INSERT INTO settings(key, value) VALUES ('from.the.future', '1')")).result()
        assert set(vault.call(settings_repo.read_all)) == set(VAULT_SETTINGS)
