"""`tandem export` / `tandem import` from a shell, as a script or a migration would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSPHRASE, ROOT


def tandem(*args: str, stdin: str = PASSPHRASE + "\n") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, env=dict(os.environ), check=False)


def test_export_then_import_into_another_vault(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert tandem("vault", "create", str(tmp_path / name), "--passphrase-stdin").returncode == 0
    from app.clients import ClientDetails
    from storage.practice import PracticeStore
    from storage.vault import Secret, Vault

    with Vault.open(tmp_path / "a.tandem", Secret(passphrase=PASSPHRASE)) as vault:
        PracticeStore(vault, {}).create_client(ClientDetails("Ana Silva")).result()
    export = tmp_path / "record.json"
    result = tandem("export", str(tmp_path / "a.tandem"), "--to", str(export),
                    "--passphrase-stdin")
    assert result.returncode == 0, result.stderr
    assert "NOT encrypted" in result.stdout
    assert json.loads(export.read_text())["clients"][0]["name"] == "Ana Silva"
    result = tandem("import", str(tmp_path / "b.tandem"), str(export), "--passphrase-stdin")
    assert result.returncode == 0, result.stderr
    assert "1 clients" in result.stdout


def test_a_malformed_file_is_refused_before_the_vault_is_touched(tmp_path: Path) -> None:
    assert tandem("vault", "create", str(tmp_path / "v"), "--passphrase-stdin").returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "tandem-export", "version": 1, "clients": [{"name": 5}]}')
    before = (tmp_path / "v.tandem" / "vault.db").read_bytes()
    result = tandem("import", str(tmp_path / "v.tandem"), str(bad), "--passphrase-stdin")
    assert result.returncode == 2
    assert result.stderr.strip() == "tandem: clients[0].name: expected text"
    assert (tmp_path / "v.tandem" / "vault.db").read_bytes() == before
