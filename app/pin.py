"""The therapist PIN: a short code that ends client mode, so the client cannot leave it.

It is a convenience in front of the vault passphrase, not a replacement: it is stored only as a
slow hash, and after a few wrong tries only the passphrase ends client mode (a client who
watched the therapist's hands gets three guesses, not ten thousand).
"""

from __future__ import annotations

from app.errors import InvalidInput

MIN_DIGITS = 4
MAX_DIGITS = 8
MAX_ATTEMPTS = 3
_WEAK = {"0000", "1111", "1234", "4321", "2580", "1212", "6969", "123456", "000000", "111111",
         "12345678"}


def validate_new_pin(pin: str) -> str:
    """A PIN the therapist chose, checked: 4–8 digits, not one of the most guessed."""
    if not pin.isdigit() or not pin.isascii():
        raise InvalidInput("The PIN must be digits only.")
    if not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise InvalidInput(f"The PIN must have {MIN_DIGITS} to {MAX_DIGITS} digits.")
    if pin in _WEAK or len(set(pin)) == 1:
        raise InvalidInput("That PIN is among the first ones anyone would try; choose another.")
    return pin


class PinGuard:
    """Counts wrong PINs in one client-mode session; after MAX_ATTEMPTS, passphrase only."""

    def __init__(self, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.max_attempts = max_attempts
        self.failures = 0

    @property
    def locked_out(self) -> bool:
        """True once the PIN may no longer be used."""
        return self.failures >= self.max_attempts

    @property
    def attempts_left(self) -> int:
        """How many PIN tries remain."""
        return max(self.max_attempts - self.failures, 0)

    def failed(self) -> None:
        """Count one wrong PIN."""
        self.failures += 1
