"""Passphrase strength: the hard floor refuses weak, common and short passphrases, with advice."""

from __future__ import annotations

import pytest

from app.passphrase_strength import MIN_BITS, MIN_LENGTH, estimate

WEAK = [
    "password",
    "Password1",
    "password123456",
    "P@ssw0rd!2024",
    "letmein12345",
    "qwertyuiop",
    "1234567890abc",
    "aaaaaaaaaaaaaaaaaaaa",
    "abcabcabcabcabc",
    "Sunshine2024!",
    "therapist1990",
    "Tandem-Tandem",
    "monkey",
    "x",
]

STRONG = [
    "correct horse battery staple",
    "violet tugboat measures the quiet lemon",
    "Marigold-Fjord-Cobalt-Pinwheel",
    "seven purple giraffes argue about jazz",
    "Ünïcode fjørd kettle mosaic",
]


@pytest.mark.parametrize("passphrase", WEAK)
def test_weak_passphrases_are_refused_with_advice(passphrase: str) -> None:
    strength = estimate(passphrase)
    assert not strength.acceptable
    assert strength.score <= 1
    assert strength.advice
    assert strength.advice != "Long and varied: good."


@pytest.mark.parametrize("passphrase", STRONG)
def test_long_multi_word_passphrases_are_accepted(passphrase: str) -> None:
    strength = estimate(passphrase)
    assert strength.acceptable, strength
    assert strength.bits >= MIN_BITS
    assert strength.score >= 3
    assert strength.label in {"Good", "Strong"}


def test_short_is_refused_even_when_random() -> None:
    strength = estimate("x7#Qp9!z")  # 8 random-looking characters
    assert len("x7#Qp9!z") < MIN_LENGTH
    assert not strength.acceptable
    assert f"at least {MIN_LENGTH} characters" in strength.advice


def test_common_word_advice_is_given() -> None:
    strength = estimate("password password password")
    assert not strength.acceptable
    assert "common words" in strength.advice


def test_sequence_advice_is_given() -> None:
    strength = estimate("Blue1234Green5678")
    assert "sequences" in strength.advice


def test_single_word_with_number_advice() -> None:
    strength = estimate("Butterfly2024")
    assert not strength.acceptable
    assert "single word" in strength.advice


def test_empty_passphrase() -> None:
    strength = estimate("")
    assert not strength.acceptable
    assert strength.score == 0
    assert strength.advice == "Choose a passphrase."


def test_advice_is_a_sentence() -> None:
    for passphrase in [*WEAK, *STRONG]:
        advice = estimate(passphrase).advice
        assert advice[0].isupper()
        assert advice.endswith(".")


def test_adding_a_word_never_lowers_the_estimate_of_a_strong_passphrase() -> None:
    base = estimate("violet tugboat measures")
    longer = estimate("violet tugboat measures quietly")
    assert longer.bits >= base.bits
