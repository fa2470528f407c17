"""A passphrase strength estimate that explains itself, for the create-vault and change screens.

Not a full zxcvbn: it estimates guessing entropy from length and character variety, and penalises
the patterns attackers try first (common words, repeats, sequences, a single word with digits).
The verdict is advice plus one hard floor: fewer than 10 characters, or an estimate below 50 bits,
is refused, because a stolen laptop gives an attacker unlimited offline guesses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MIN_LENGTH = 10
MIN_BITS = 50.0

_COMMON = {
    "password", "passphrase", "letmein", "welcome", "qwerty", "azerty", "dragon", "monkey",
    "iloveyou", "admin", "login", "therapy", "therapist", "tandem", "secret", "sunshine",
    "football", "princess", "master", "trustno1", "abc123", "changeme", "counselling",
    "counseling", "psychology", "client", "clients", "practice", "summer", "winter",
}
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


@dataclass(frozen=True)
class Strength:
    """An estimate: guessing bits, a 0–4 score, a word for it, and what would make it better."""

    bits: float
    score: int
    label: str
    advice: str
    acceptable: bool


def _pool_size(text: str) -> int:
    pool = 0
    if re.search(r"[a-z]", text):
        pool += 26
    if re.search(r"[A-Z]", text):
        pool += 26
    if re.search(r"[0-9]", text):
        pool += 10
    if re.search(r"[^a-zA-Z0-9\s]", text):
        pool += 33
    if re.search(r"\s", text):
        pool += 1
    if any(ord(ch) > 127 for ch in text):
        pool += 100
    return max(pool, 1)


# Leetspeak is the first rule a cracker applies: "P@ssw0rd" is "password".
_LEET = str.maketrans("@4310$57", "aaeiosst")


def _sequence_cover(text: str, run: int = 4) -> tuple[int, int]:
    """(characters inside keyboard/alphabet/digit runs of `run` or more, number of such runs)."""
    lowered = text.lower()
    covered = [False] * len(lowered)
    for seq in _SEQUENCES:
        for i in range(len(seq) - run + 1):
            for chunk in (seq[i : i + run], seq[i : i + run][::-1]):
                start = lowered.find(chunk)
                while start != -1:
                    for j in range(start, start + run):
                        covered[j] = True
                    start = lowered.find(chunk, start + 1)
    runs = sum(1 for j, c in enumerate(covered) if c and (j == 0 or not covered[j - 1]))
    return sum(covered), runs


def estimate(passphrase: str) -> Strength:
    """Estimate how hard `passphrase` is to guess offline, with advice in plain words."""
    length = len(passphrase)
    if length == 0:
        return Strength(0.0, 0, "Empty", "Choose a passphrase.", False)
    # Distinct characters cap the entropy: 'aaaaaaaaaaaa' is not 12 random letters.
    distinct = len(set(passphrase))
    # A run like "1234567890" or "qwerty" is one guess, not one symbol per character.
    covered, runs = _sequence_cover(passphrase)
    effective_length = min(length - covered + runs, distinct * 2)
    bits = effective_length * math.log2(_pool_size(passphrase))
    words = re.findall(r"[a-zA-Z]{3,}", passphrase)
    advice = []
    candidates = {passphrase, passphrase.translate(_LEET)}
    stripped = {re.sub(r"[^a-z]", "", text.lower()) for text in candidates}
    if stripped & _COMMON or any(w.lower() in _COMMON for text in candidates
                                 for w in re.findall(r"[a-zA-Z]{3,}", text)):
        bits = min(bits, 20.0 + 4.0 * max(len(words) - 1, 0))
        advice.append("avoid common words like “password”")
    if covered:
        advice.append("avoid sequences like “1234” or “qwerty”")
    if re.fullmatch(r"[A-Za-z]+[0-9!?.]*", passphrase) and len(words) <= 1:
        bits = min(bits, 30.0)
        advice.append("a single word with a number is guessed quickly")
    bits = max(bits, 0.0)
    if length < MIN_LENGTH:
        advice.insert(0, f"use at least {MIN_LENGTH} characters")
    if not advice and bits < 70:
        advice.append("add another unrelated word to make it stronger")
    if bits < 35:
        score, label = (0 if bits < 20 else 1), ("Very weak" if bits < 20 else "Weak")
    elif bits < MIN_BITS:
        score, label = 1, "Weak"
    elif bits < 70:
        score, label = 2, "Fair"
    elif bits < 90:
        score, label = 3, "Good"
    else:
        score, label = 4, "Strong"
    acceptable = length >= MIN_LENGTH and bits >= MIN_BITS
    text = (advice_text := "; ".join(advice)) and advice_text[0].upper() + advice_text[1:] + "."
    text = text or "Long and varied: good."
    return Strength(round(bits, 1), score, label, text, acceptable)
