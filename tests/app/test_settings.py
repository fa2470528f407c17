"""The settings registry: bounds, types, and a damaged value never weaker than the default."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.settings import VAULT_SETTINGS, SettingSpec, vault_setting

LOCK = "lock.after_minutes"
SUSPEND = "lock.on_suspend"
GARBAGE: list[object] = [None, "", "5", "yes", 5.0, 2.5, float("nan"), float("inf"), -1, 0,
                         10**9, -(10**9), True, False, [], {}, [5], {"value": 5}, b"5", object()]


def test_defaults_are_secure_and_valid() -> None:
    assert vault_setting(LOCK).default == 5
    assert vault_setting(SUSPEND).default is True
    for spec in VAULT_SETTINGS.values():
        assert spec.validate(spec.default) == spec.default


def test_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        vault_setting("lock.never")


@pytest.mark.parametrize("value", [1, 5, 60, 120])
def test_lock_minutes_in_range(value: int) -> None:
    assert vault_setting(LOCK).validate(value) == value


@pytest.mark.parametrize(("value", "words"), [
    (0, "at least 1"), (-5, "at least 1"), (121, "at most 120"), (10**6, "at most 120"),
])
def test_lock_minutes_out_of_range(value: int, words: str) -> None:
    with pytest.raises(InvalidInput) as info:
        vault_setting(LOCK).validate(value)
    assert words in info.value.message
    assert "Lock after inactivity" in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize("value", [True, False, "5", 5.0, None, [5]])
def test_lock_minutes_wrong_type(value: object) -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        vault_setting(LOCK).validate(value)


@pytest.mark.parametrize("value", [1, 0, "true", "on", None, 1.0])
def test_bool_setting_wrong_type(value: object) -> None:
    with pytest.raises(InvalidInput, match="on or off"):
        vault_setting(SUSPEND).validate(value)


def test_other_type_setting() -> None:
    spec = SettingSpec("x.name", str, "Practice", "Name")
    assert spec.validate("Clinic") == "Clinic"
    with pytest.raises(InvalidInput, match="wrong type"):
        spec.validate(5)
    assert spec.coerce_or_default(5) == "Practice"


@pytest.mark.parametrize("value", GARBAGE)
def test_coerce_or_default_never_weaker_than_default(value: object) -> None:
    lock = vault_setting(LOCK)
    got = lock.coerce_or_default(value)
    assert isinstance(got, int)
    assert not isinstance(got, bool)
    assert 1 <= got <= 120
    if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 120):
        assert got == lock.default

    suspend = vault_setting(SUSPEND)
    got_bool = suspend.coerce_or_default(value)
    assert got_bool is (value if isinstance(value, bool) else True)


@pytest.mark.parametrize("key", sorted(VAULT_SETTINGS))
def test_every_setting_falls_back_to_its_default(key: str) -> None:
    spec = VAULT_SETTINGS[key]
    for value in GARBAGE:
        got = spec.coerce_or_default(value)
        try:
            valid = spec.validate(value)
        except InvalidInput:
            assert got == spec.default, (key, value)
        else:
            assert got == valid
        assert type(got) is type(spec.default)
        if spec.minimum is not None:
            assert got >= spec.minimum
        if spec.maximum is not None:
            assert got <= spec.maximum


def test_valid_values_are_kept() -> None:
    assert vault_setting(LOCK).coerce_or_default(30) == 30
    assert vault_setting(SUSPEND).coerce_or_default(False) is False
