"""The therapist PIN: validated, stored only as a slow hash, and limited to a few tries."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.pin import PinGuard, validate_new_pin
from storage.pin_repo import pin_hash, pin_matches, set_pin


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", "1234", "0000", "7777", "１２３４"])
def test_weak_or_malformed_pins_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        validate_new_pin(bad)


def test_pin_is_stored_only_as_a_slow_hash(vault_factory) -> None:
    vault, _ = vault_factory()
    assert pin_hash(vault).result() is None
    set_pin(vault, "4827").result()
    stored = pin_hash(vault).result()
    assert stored is not None and stored.startswith("$argon2id$") and "4827" not in stored
    assert pin_matches(stored, "4827")
    assert not pin_matches(stored, "4828")
    assert not pin_matches("not a hash", "4827")
    set_pin(vault, None).result()
    assert pin_hash(vault).result() is None


def test_three_wrong_pins_then_passphrase_only() -> None:
    guard = PinGuard()
    for left in (2, 1, 0):
        assert not guard.locked_out
        guard.failed()
        assert guard.attempts_left == left
    assert guard.locked_out
