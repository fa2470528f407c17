"""'Remember on this computer': only a trusted OS keychain, never a plaintext fallback."""

from __future__ import annotations

import base64

import keyring
import pytest
from keyring.backends import chainer, fail, null

from app.errors import WrongSecret
from storage import keychain
from storage.keychain import SERVICE, TRUSTED_BACKENDS, Keychain
from storage.vault import Secret, Vault
from tests.support.memory_keyring import MemoryKeyring
from tests.support.vaults import PASSPHRASE, ClosedVault

KEY = bytes(range(32))


def _backend_class(module: str, name: str, priority: float = 5) -> type:
    """A keyring backend that *claims* to be `module.name`, storing in a dict."""
    cls = type(name, (), {
        "priority": priority,
        "__init__": lambda self: setattr(self, "store", {}),
        "get_password": lambda self, s, u: self.store.get((s, u)),
        "set_password": lambda self, s, u, p: self.store.__setitem__((s, u), p),
        "delete_password": lambda self, s, u: self.store.pop((s, u)),
    })
    cls.__module__ = module
    cls.__qualname__ = name
    return cls


PlaintextKeyring = _backend_class("keyrings.alt.file", "PlaintextKeyring", priority=0.5)
EncryptedKeyring = _backend_class("keyrings.alt.file", "EncryptedKeyring", priority=0.6)
UnknownPlugin = _backend_class("keyring_someplugin.backend", "Keyring", priority=9)
SecretService = _backend_class("keyring.backends.SecretService", "Keyring", priority=5)


def test_trusted_list_holds_only_os_keychains() -> None:
    assert not any("keyrings.alt" in name for name in TRUSTED_BACKENDS)
    assert not any(name.startswith(("keyring.backends.fail", "keyring.backends.null",
                                    "keyring.backends.chainer")) for name in TRUSTED_BACKENDS)
    assert "keyring.backends.SecretService.Keyring" in TRUSTED_BACKENDS
    assert "keyring.backends.macOS.Keyring" in TRUSTED_BACKENDS
    assert "keyring.backends.Windows.WinVaultKeyring" in TRUSTED_BACKENDS


@pytest.mark.parametrize("backend_cls", [PlaintextKeyring, EncryptedKeyring, UnknownPlugin,
                                         fail.Keyring, null.Keyring])
def test_untrusted_backend_is_unavailable(backend_cls: type) -> None:
    backend = backend_cls()
    chain = Keychain(backend)
    assert not chain.available
    assert "No secure keychain" in chain.description
    with pytest.raises(RuntimeError, match="No secure keychain"):
        chain.remember("vault-1", KEY)
    assert chain.recall("vault-1") is None
    chain.forget("vault-1")  # harmless
    if hasattr(backend, "store"):
        assert backend.store == {}  # nothing was written to the unsafe store


def test_untrusted_backend_selected_by_keyring_is_unavailable() -> None:
    plaintext = type("PlaintextKeyring", (MemoryKeyring,), {})
    plaintext.__module__ = "keyrings.alt.file"
    keyring.set_keyring(plaintext())
    assert not Keychain().available
    with pytest.raises(RuntimeError):
        Keychain().remember("vault-1", KEY)


def test_memory_backend_round_trip(memory_keyring: MemoryKeyring) -> None:
    chain = Keychain()
    assert chain.available
    chain.remember("vault-1", KEY)
    stored = memory_keyring.store[(SERVICE, "vault-1")]
    assert base64.b64decode(stored) == KEY
    assert Keychain().recall("vault-1") == KEY
    assert Keychain().recall("vault-2") is None
    Keychain().forget("vault-1")
    assert Keychain().recall("vault-1") is None
    assert memory_keyring.store == {}
    Keychain().forget("vault-1")  # forgetting twice is harmless


@pytest.mark.parametrize("stored", ["", "not base64!", base64.b64encode(b"short").decode(),
                                    base64.b64encode(bytes(33)).decode(), "é"])
def test_damaged_remembered_key_reads_as_none(memory_keyring: MemoryKeyring,
                                              stored: str) -> None:
    memory_keyring.store[(SERVICE, "vault-1")] = stored
    assert Keychain().recall("vault-1") is None


def test_backend_errors_on_recall_are_swallowed() -> None:
    class Broken(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise OSError("D-Bus went away")

    trusted = frozenset({f"{Broken.__module__}.{Broken.__qualname__}"})
    assert Keychain(Broken(), trusted=trusted).recall("vault-1") is None


class FakeChainer:
    """Shaped like keyring's ChainerBackend: a `backends` list."""

    def __init__(self, *backends: object) -> None:
        self.backends = list(backends)


def test_chainer_with_mixed_backends_uses_only_the_trusted_one() -> None:
    plaintext = PlaintextKeyring()
    plugin = UnknownPlugin()  # highest priority, but not trusted
    secure = SecretService()
    chain = Keychain(FakeChainer(plugin, plaintext, secure))
    assert chain.available
    chain.remember("vault-1", KEY)
    assert secure.store
    assert plaintext.store == {} and plugin.store == {}
    assert chain.recall("vault-1") == KEY


def test_chainer_picks_the_highest_priority_trusted_backend() -> None:
    low, high = SecretService(), SecretService()
    low.priority, high.priority = 1, 7
    chain = Keychain(FakeChainer(low, PlaintextKeyring(), high))
    chain.remember("vault-1", KEY)
    assert high.store and not low.store


def test_chainer_with_only_untrusted_backends_is_unavailable() -> None:
    chain = Keychain(FakeChainer(PlaintextKeyring(), EncryptedKeyring(), fail.Keyring()))
    assert not chain.available
    with pytest.raises(RuntimeError):
        chain.remember("vault-1", KEY)


def test_real_chainer_backend_is_not_trusted_itself() -> None:
    keyring.set_keyring(chainer.ChainerBackend())
    chain = Keychain()
    # Whatever it wraps here (probably nothing trusted on a headless machine), the chainer
    # object itself never counts as a keychain.
    assert chain.available == any(
        f"{type(b).__module__}.{type(b).__qualname__}" in keychain.TRUSTED_BACKENDS
        for b in chainer.ChainerBackend().backends)


def test_remembered_key_opens_the_vault(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        Keychain().remember(vault.vault_id, vault.remembered_key())
        vault_id = vault.vault_id
    key = Keychain().recall(vault_id)
    assert key == closed_vault.data_key
    Vault.open(closed_vault.folder, Secret(data_key=key)).close()


def test_remembered_key_after_a_rotation_is_refused_clearly(closed_vault: ClosedVault) -> None:
    with closed_vault.open() as vault:
        vault.rotate_data_key(PASSPHRASE)
    with pytest.raises(WrongSecret) as info:
        Vault.open(closed_vault.folder, Secret(data_key=closed_vault.data_key))
    assert "passphrase" in info.value.message
    closed_vault.open().close()  # the passphrase still works: the keychain is a convenience
