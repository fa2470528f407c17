"""Recovery keys: round trip, forgiving input, and typos caught before any unlocking."""

from __future__ import annotations

import random

import pytest

from app.errors import RecoveryKeyTypo, WrongSecret
from app.recovery_key import ALPHABET, CHARACTERS, RecoveryKey

# Substitutions that are *not* typos: the parser reads O as 0 and I, L as 1 on purpose.
ALIASES = {("0", "O"), ("1", "I"), ("1", "L")}


def _keys(count: int, seed: int = 7) -> list[RecoveryKey]:
    rng = random.Random(seed)
    return [RecoveryKey(rng.randbytes(17)) for _ in range(count)]


def test_round_trip_str_parse() -> None:
    for key in [*_keys(200), RecoveryKey(b"\0" * 17), RecoveryKey(b"\xff" * 17)]:
        text = str(key)
        groups = text.split("-")
        assert len(groups) == 8
        assert all(len(g) == 4 for g in groups)
        assert set(text.replace("-", "")) <= set(ALPHABET)
        assert RecoveryKey.parse(text) == key


def test_generated_keys_differ_and_round_trip() -> None:
    keys = [RecoveryKey.generate() for _ in range(50)]
    assert len({k.secret for k in keys}) == 50
    for key in keys:
        assert RecoveryKey.parse(str(key)) == key


def test_repr_hides_the_secret() -> None:
    key = RecoveryKey.generate()
    assert str(key) not in repr(key)
    assert key.secret.hex() not in repr(key)


def test_forgiving_input_lowercase_spaces_dashes() -> None:
    for key in _keys(50, seed=3):
        compact = str(key).replace("-", "")
        variants = [
            str(key).lower(),
            " ".join(key.groups),
            "  " + " - ".join(key.groups).lower() + "\n",
            compact,
            "\t".join(compact[i : i + 2] for i in range(0, len(compact), 2)),
            ".".join(key.groups),
        ]
        for typed in variants:
            assert RecoveryKey.parse(typed) == key, typed


def test_look_alike_letters_read_as_digits() -> None:
    # Find keys containing 0 and 1 so there is something to confuse.
    checked = 0
    for key in _keys(400, seed=11):
        text = str(key)
        if "0" in text and "1" in text:
            assert RecoveryKey.parse(text.replace("0", "O")) == key
            assert RecoveryKey.parse(text.replace("1", "I")) == key
            assert RecoveryKey.parse(text.replace("1", "l")) == key
            assert RecoveryKey.parse(text.replace("0", "o").replace("1", "L")) == key
            checked += 1
    assert checked >= 20


def test_every_single_character_substitution_is_a_typo() -> None:
    """All 32 positions x 31 other characters, for several keys: every one is caught.

    The checksum is 24 bits, so a random wrong key passes with probability 2^-24; over these
    ~5,000 substitutions the expected number of misses is 0.0003. The rate is asserted at 100 %.
    """
    tried = caught = 0
    for key in _keys(5, seed=19):
        text = str(key).replace("-", "")
        assert len(text) == CHARACTERS
        for pos, original in enumerate(text):
            for ch in ALPHABET:
                if ch == original:
                    continue
                typed = text[:pos] + ch + text[pos + 1 :]
                tried += 1
                with pytest.raises(RecoveryKeyTypo) as info:
                    RecoveryKey.parse(typed)
                assert "mistyped" in info.value.message
                caught += 1
    assert tried == 5 * 32 * 31
    assert caught == tried


def test_alias_substitution_typed_for_a_different_character_is_a_typo() -> None:
    # Typing O where the key has, say, 7 is a real typo (O means 0).
    key = _keys(1, seed=23)[0]
    text = str(key).replace("-", "")
    for pos, original in enumerate(text):
        for alias, meaning in (("O", "0"), ("I", "1"), ("L", "1")):
            if original == meaning:
                continue
            with pytest.raises(RecoveryKeyTypo):
                RecoveryKey.parse(text[:pos] + alias + text[pos + 1 :])


def test_adjacent_transpositions_are_typos() -> None:
    for key in _keys(20, seed=29):
        text = str(key).replace("-", "")
        for pos in range(len(text) - 1):
            if text[pos] == text[pos + 1]:
                continue
            swapped = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
            with pytest.raises(RecoveryKeyTypo):
                RecoveryKey.parse(swapped)


@pytest.mark.parametrize("delta", [-1, 1, -4, 4, -31])
def test_wrong_length_says_how_many_characters(delta: int) -> None:
    text = str(_keys(1)[0]).replace("-", "")
    typed = text[:delta] if delta < 0 else text + "7" * delta
    with pytest.raises(RecoveryKeyTypo) as info:
        RecoveryKey.parse(typed)
    message = info.value.message
    assert "32 characters" in message
    assert f"this one has {len(typed)}" in message


@pytest.mark.parametrize("bad", ["U", "u", "!", "é", "*", "#"])
def test_bad_characters_are_named(bad: str) -> None:
    text = str(_keys(1)[0])
    typed = bad + text[1:]
    with pytest.raises(RecoveryKeyTypo) as info:
        RecoveryKey.parse(typed)
    assert "never contains" in info.value.message
    assert repr(bad.upper()) in info.value.message


@pytest.mark.parametrize("typed", ["", "   ", "----", "\n"])
def test_empty_input_asks_for_the_key(typed: str) -> None:
    with pytest.raises(RecoveryKeyTypo) as info:
        RecoveryKey.parse(typed)
    assert "Emergency Kit" in info.value.message


def test_typo_is_a_wrong_secret_with_exit_code_3() -> None:
    assert issubclass(RecoveryKeyTypo, WrongSecret)
    with pytest.raises(WrongSecret) as info:
        RecoveryKey.parse("nonsense")
    assert info.value.exit_code == 3


def test_secret_must_be_17_bytes() -> None:
    with pytest.raises(ValueError, match="17 bytes"):
        RecoveryKey(b"\0" * 16)
