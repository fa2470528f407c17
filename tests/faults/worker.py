"""The process the kill -9 matrix kills: one vault operation, acknowledged only after it returns.

    python -m tests.faults.worker OP FOLDER [ARG...]     (the secret on stdin, never argv/env)

Secrets: the data key as hex for every operation except `restore` and `migrate`, which read the
passphrase, and `passreset`, which reads the recovery key (they unlock key slots the way a user
would). OPs and what each acknowledgement means:

- `autosave FOLDER SESSION TAG`: save_draft of version n of the note, forever; "ack n" once
  `save_draft(...).result()` returned (every third save also reindexes the searchable text);
- `sign FOLDER CLIENT`: a session, a draft and its signing, forever; "ack NOTE_ID" once
  `sign_note(...).result()` returned;
- `import FOLDER EXPORT.json`: the same export imported again and again; "ack k" after the k-th
  `import_record` returned;
- `backup FOLDER DEST`: backups into DEST, forever; "ack PATH" after `make_backup` returned;
- `restore FILE DEST`: one restore; "done" after `restore_backup` returned;
- `migrate FOLDER`: one open of an old vault (pre-migration backup, migrations); "done" after.
- `passreset FOLDER`: open with the recovery key (stdin line 1) and set a new passphrase
  (line 2) with `reset_passphrase`, as after a forgotten passphrase; "done" after it returned.
- `limited FOLDER WHAT TARGET LIMIT`: not killed. Under a file-size limit of LIMIT bytes
  (RLIMIT_FSIZE, SIGXFSZ ignored, so writes fail with EFBIG or come up short — what a full disk
  does), try WHAT (`autosave` SESSION, `backup` into TARGET, `export` to TARGET) and print
  "refused TYPE: MESSAGE" or "accepted"; then lift the limit, do it again and print "after OK".

Every child prints "ready" once its vault is open (the parent may kill before or after that).
Test instrumentation only: every vault is a throwaway one in the test's temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path


def say(text: str) -> None:
    """One line to the parent, flushed at once: it is the acknowledgement."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _open_with_key(folder: Path):
    from storage.vault import Secret, Vault

    key = bytes.fromhex(sys.stdin.readline().strip())
    return Vault.open(folder, Secret(data_key=key))


def _templates():
    from app.notes import load_templates
    from app.resources import resource_dir

    return load_templates(resource_dir() / "templates")


def autosave_body(tag: str, n: int) -> str:
    """Version n of the autosaved note (the parent recomputes it to compare exactly)."""
    return f"{tag} v{n} " + "autosaved words " * (n % 7 * 40)


def autosave(folder: Path, session_id: int, tag: str) -> None:
    """Version n of one draft note, saved in a loop like the editor's autosave."""
    from storage.practice import PracticeStore

    store = PracticeStore(_open_with_key(folder), _templates())
    say("ready")
    n = 0
    while True:
        n += 1
        store.save_draft(session_id, "free", {"note": autosave_body(tag, n)},
                         reindex=n % 3 == 0).result()
        say(f"ack {n}")


def sign(folder: Path, client_id: int) -> None:
    """New session, draft and signature, in a loop."""
    from datetime import date

    from app.sessions import SessionDetails
    from storage.practice import PracticeStore

    store = PracticeStore(_open_with_key(folder), _templates())
    say("ready")
    n = 0
    while True:
        n += 1
        session = store.create_session(client_id, SessionDetails(date(2024, 1, 1))).result()
        draft = store.save_draft(session.id, "soap", {
            "subjective": f"signed note {n} " + "reported " * (n % 5 * 30),
            "plan": "continue"}).result()
        store.sign_note(draft.note_id).result()
        say(f"ack {draft.note_id}")


def import_loop(folder: Path, export_file: Path) -> None:
    """One export file imported over and over: each import is one transaction."""
    from storage.portability import import_record, read_export

    vault = _open_with_key(folder)
    document = read_export(export_file)
    templates = _templates()
    say("ready")
    k = 0
    while True:
        import_record(vault, document, templates)
        k += 1
        say(f"ack {k}")


def backup_loop(folder: Path, dest: Path) -> None:
    """Backups into one folder, forever."""
    from storage.backup import make_backup

    vault = _open_with_key(folder)
    say("ready")
    while True:
        say(f"ack {make_backup(vault, dest)}")


def restore(backup_file: Path, dest: Path) -> None:
    """One restore into a new folder."""
    from storage.backup import restore_backup
    from storage.vault import Secret

    passphrase = sys.stdin.readline().rstrip("\n")
    say("ready")
    restore_backup(backup_file, dest, Secret(passphrase=passphrase))
    say("done")


def migrate(folder: Path) -> None:
    """Open an old vault: a verified pre-migration backup, then each migration."""
    from storage.vault import Secret, Vault

    passphrase = sys.stdin.readline().rstrip("\n")
    say("ready")
    vault = Vault.open(folder, Secret(passphrase=passphrase))
    say("done")
    vault.close()


def passreset(folder: Path) -> None:
    """Unlock with the recovery key, then replace the (forgotten) passphrase with a new one."""
    from app.recovery_key import RecoveryKey
    from storage.vault import Secret, Vault

    recovery_key = RecoveryKey.parse(sys.stdin.readline())
    new = sys.stdin.readline().rstrip("\n")
    vault = Vault.open(folder, Secret(recovery_key=recovery_key))
    say("ready")
    vault.reset_passphrase(recovery_key, new)
    say("done")
    vault.close()


def limited(folder: Path, what: str, target: str, limit: int) -> None:
    """One operation under a file-size limit, then again once the limit is lifted."""
    import resource
    import signal

    from app.errors import TandemError
    from storage.backup import make_backup
    from storage.portability import write_export
    from storage.practice import PracticeStore

    vault = _open_with_key(folder)
    store = PracticeStore(vault, _templates())

    def attempt(text: str) -> None:
        if what == "autosave":
            store.save_draft(int(target), "free", {"note": text}, reindex=True).result()
        elif what == "backup":
            make_backup(vault, Path(target))
        else:
            write_export(vault, Path(target))

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        attempt("the big version " + "words that do not fit " * 8000)
    except TandemError as exc:
        say(f"refused {type(exc).__name__}: {exc.message}")
    except Exception as exc:
        say(f"crashed {type(exc).__name__}: {exc}")
    else:
        say("accepted")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    attempt("the version saved once there is room again")
    say("after OK")
    vault.close()


def main() -> None:
    """Dispatch on the operation's name."""
    op, first = sys.argv[1], Path(sys.argv[2])
    rest = sys.argv[3:]
    if op == "autosave":
        autosave(first, int(rest[0]), rest[1])
    elif op == "sign":
        sign(first, int(rest[0]))
    elif op == "import":
        import_loop(first, Path(rest[0]))
    elif op == "backup":
        backup_loop(first, Path(rest[0]))
    elif op == "restore":
        restore(first, Path(rest[0]))
    elif op == "migrate":
        migrate(first)
    elif op == "passreset":
        passreset(first)
    elif op == "limited":
        limited(first, rest[0], rest[1], int(rest[2]))
    else:
        raise SystemExit(f"unknown operation {op!r}")


if __name__ == "__main__":
    main()
