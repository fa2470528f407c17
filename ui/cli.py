"""The command line: vault create/verify/passwd/rekey, backup, restore: scripts and schedulers.

No Qt is imported here, so scripted backups start fast and run without a display. Secrets come
from an interactive prompt or one line on stdin (`--passphrase-stdin`, `--recovery-key-stdin`),
never from argv or the environment, where other users' `ps` or a shell history could see them.
Every failure is one line on stderr and an exit code: 2 usage, 3 wrong passphrase or key,
4 vault missing/corrupt/unreadable, 5 already open, 6 from a newer Tandem.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app.audit import AuditEvent
from app.errors import InvalidInput, NotAVault, UsageError
from app.passphrase_strength import estimate
from app.recovery_key import RecoveryKey
from storage import keyslots
from storage.backup import make_backup, restore_backup
from storage.keychain import Keychain
from storage.vault import Secret, Vault, VerifyReport, default_vault_folder, looks_like_vault
from ui.paths import AppPaths


class SecretReader:
    """Reads passphrases from stdin (one per line) or from the terminal without echo."""

    def __init__(self, from_stdin: bool, stdin: TextIO | None = None,
                 prompt: Callable[[str], str] = getpass.getpass) -> None:
        self._from_stdin = from_stdin
        self._stdin = stdin or sys.stdin
        self._prompt = prompt

    def read(self, label: str) -> str:
        """One secret; an empty one is a usage error."""
        if self._from_stdin:
            line = self._stdin.readline()
            if not line:
                raise UsageError(f"Expected the {label} as a line on standard input.")
            value = line.rstrip("\r\n")
        else:
            if not sys.stdin.isatty():
                raise UsageError(
                    f"No terminal to ask for the {label}; use --passphrase-stdin "
                    "(or --recovery-key-stdin) to pass it on standard input.")
            value = self._prompt(f"{label[0].upper()}{label[1:]}: ")
        if not value:
            raise UsageError(f"The {label} cannot be empty.")
        return value

    def new_passphrase(self) -> str:
        """A new passphrase: strength-checked, and typed twice when interactive."""
        first = self.read("new passphrase")
        strength = estimate(first)
        if not strength.acceptable:
            raise InvalidInput(f"That passphrase is too weak ({strength.label}): "
                               f"{strength.advice}")
        if not self._from_stdin and self.read("new passphrase again") != first:
            raise UsageError("The two passphrases differ; nothing was changed.")
        return first


def _existing_vault(path: str) -> Path:
    """The vault folder named on the command line; NotAVault (exit 4) before any prompt."""
    folder = Path(path).expanduser()
    if not looks_like_vault(folder):
        raise NotAVault(f"There is no Tandem vault at {folder}.")
    return folder


def _secret(args: argparse.Namespace, reader: SecretReader) -> Secret:
    if getattr(args, "recovery_key_stdin", False):
        return Secret(recovery_key=RecoveryKey.parse(reader.read("recovery key")))
    return Secret(passphrase=reader.read("passphrase"))


def _reader(args: argparse.Namespace) -> SecretReader:
    return SecretReader(bool(getattr(args, "passphrase_stdin", False)
                             or getattr(args, "recovery_key_stdin", False)))


def cmd_create(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem vault create PATH`: print the recovery key once."""
    folder = default_vault_folder(Path(args.path).expanduser())
    reader = _reader(args)
    passphrase = reader.new_passphrase()
    vault, recovery_key = Vault.create(folder, passphrase, name=args.name)
    vault.close()
    print(f"Created the vault {folder}", file=out)
    print("", file=out)
    print("Recovery key (shown once; print or write it down and keep it somewhere safe):",
          file=out)
    print(f"    {recovery_key}", file=out)
    print("", file=out)
    print("Without the passphrase or this key nobody, including Tandem's makers, can open the "
          "vault.", file=out)
    return 0


def _format_report(report: VerifyReport) -> list[str]:
    def verdict(problems: list[str]) -> str:
        if not problems:
            return "ok"
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return "PROBLEM: " + "; ".join(problems[:3]) + more
    chain = report.audit_chain
    chain_text = (f"{chain.entries} entries, chain intact" if chain.intact
                  else f"PROBLEM: {chain.problem}")
    return [
        f"Structure (quick_check):                {verdict(report.quick_check)}",
        f"Structure (integrity_check):            {verdict(report.integrity_check)}",
        f"Page authentication (cipher_integrity): {verdict(report.cipher_integrity_check)}",
        f"Audit trail:                            {chain_text}",
        f"Key file:                               {report.keyslots_problem or 'ok'}",
        f"Verdict: {'OK' if report.ok else 'DAMAGED — restore from a backup'}",
    ]


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem vault verify PATH`: every check, reported; exit 4 when anything failed."""
    folder = _existing_vault(args.path)
    vault = Vault.open(folder, _secret(args, _reader(args)), inspect_only=True)
    try:
        info = vault.info()
        print(f"Vault: {folder} ({info.name}, created {info.created_at[:10]}, "
              f"schema {info.schema_version})", file=out)
        report = vault.verify()
        for line in _format_report(report):
            print(line, file=out)
        if report.ok:
            vault.audit(AuditEvent.VAULT_VERIFIED, {"ok": True})
    finally:
        vault.close(event=None)
    return 0 if report.ok else 4


def cmd_passwd(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem vault passwd PATH`: stdin gives the current passphrase, then the new one.

    With --recovery-key-stdin the first line is the recovery key instead, for a forgotten
    passphrase (`Vault.reset_passphrase`): the key is checked before the new passphrase is read,
    and it keeps working afterwards.
    """
    folder = _existing_vault(args.path)
    reader = _reader(args)
    if args.recovery_key_stdin:
        recovery_key = RecoveryKey.parse(reader.read("recovery key"))
        with Vault.open(folder, Secret(recovery_key=recovery_key)) as vault:
            new = reader.new_passphrase()
            vault.reset_passphrase(recovery_key, new)
        print("New passphrase set with the recovery key. The forgotten passphrase no longer "
              "opens this vault; the recovery key still does (older backups still open with "
              "the passphrase they were made with).", file=out)
        return 0
    old = reader.read("current passphrase")
    with Vault.open(folder, Secret(passphrase=old)) as vault:
        new = reader.new_passphrase()
        vault.change_passphrase(old, new)
    print("Passphrase changed. The old passphrase no longer opens this vault (older backups "
          "still open with the passphrase they were made with).", file=out)
    return 0


def cmd_rekey(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem vault rekey PATH`: new data key, whole database re-encrypted, new recovery key."""
    folder = _existing_vault(args.path)
    passphrase = _reader(args).read("passphrase")
    with Vault.open(folder, Secret(passphrase=passphrase)) as vault:
        recovery_key = vault.rotate_data_key(passphrase)
        Keychain().forget(vault.vault_id)
    print("The vault was re-encrypted with a new key. Your passphrase is unchanged.", file=out)
    print(f"New recovery key (the old one no longer works): {recovery_key}", file=out)
    return 0


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem backup PATH [--to DIR]`: uses the remembered key when there is one (schedulers)."""
    folder = _existing_vault(args.path)
    secret: Secret | None = None
    if not args.passphrase_stdin:
        try:
            vault_id = keyslots.load(folder).file.vault_id
        except Exception:
            vault_id = ""
        remembered = Keychain().recall(vault_id) if vault_id else None
        if remembered is not None:
            secret = Secret(data_key=remembered)
    if secret is None:
        secret = _secret(args, _reader(args))
    dest = Path(args.to).expanduser() if args.to else AppPaths.from_environment().data_dir / \
        "Backups"
    with Vault.open(folder, secret) as vault:
        path = make_backup(vault, dest)
    print(f"Backup written and verified: {path}", file=out)
    return 0


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem restore FILE DEST`: into a new folder; never over an existing vault."""
    dest = restore_backup(Path(args.file).expanduser(), Path(args.dest).expanduser(),
                          _secret(args, _reader(args)))
    print(f"Restored into {dest}", file=out)
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem export PATH --to FILE.json`: the whole record; process notes only on request."""
    from storage.portability import write_export

    folder = _existing_vault(args.path)
    target = Path(args.to).expanduser()
    with Vault.open(folder, _secret(args, _reader(args))) as vault:
        count = write_export(vault, target, include_process_notes=args.include_process_notes)
    extra = " including psychotherapy notes" if args.include_process_notes else ""
    print(f"Exported {count} clients{extra} to {target}", file=out)
    print("The file is NOT encrypted: keep it as safe as the records themselves.", file=out)
    return 0


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem import PATH FILE.json`: validates the whole file first, then imports all of it."""
    from app.notes import load_templates
    from app.resources import resource_dir
    from storage.portability import import_record, read_export

    folder = _existing_vault(args.path)
    document = read_export(Path(args.file).expanduser())
    with Vault.open(folder, _secret(args, _reader(args))) as vault:
        report = import_record(vault, document, load_templates(resource_dir() / "templates"))
    print("Imported: " + " ".join(report.lines()), file=out)
    return 0


def cmd_report_caseload(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem report caseload PATH --to FILE.pdf|.csv [--identified]`: outcomes for supervision.

    De-identified unless --identified; a de-identified file is checked for every client's names
    and dates of birth before it is written (and refused, exit 2, if any remain). Progress goes
    to stderr; the file is written atomically, readable by its owner only.
    """
    from datetime import datetime

    from app.measures import load_definitions
    from app.resources import resource_dir
    from reports.caseload import caseload_csv, render_caseload_pdf
    from reports.emergency_kit import write_private_file
    from storage.caseload import CaseloadStore

    target = Path(args.to).expanduser()
    kind = target.suffix.lower()
    if kind not in (".pdf", ".csv"):
        raise UsageError("--to must name a .pdf or a .csv file.")
    if target.is_dir():
        raise UsageError(f"{target} is a folder: give a file name ending in {kind}.")
    folder = _existing_vault(args.path)
    err = sys.stderr
    interactive = err.isatty()

    def progress(done: int, total: int) -> None:
        if interactive:
            print(f"\rReading clients: {done} of {total}", end="", file=err, flush=True)
        elif done == 0:
            print(f"Reading {total} clients…", file=err, flush=True)

    definitions = load_definitions(resource_dir() / "measures")
    with Vault.open(folder, _secret(args, _reader(args))) as vault:
        store = CaseloadStore(vault, definitions)
        caseload = store.gather(progress).result()
        if interactive:
            print(file=err)
        now = vault.clock.now().astimezone()
        report = caseload.report(definitions, prepared_on=now.date(),
                                 identified=args.identified)
        print(f"Writing the {'PDF' if kind == '.pdf' else 'CSV'}…", file=err, flush=True)
        data = (render_caseload_pdf(report, created=datetime.now().astimezone())
                if kind == ".pdf" else caseload_csv(report).encode("utf-8"))
        write_private_file(target, data)
        store.record_export(identified=args.identified, file_format=kind[1:],
                            clients=len(report.rows)).result()
    which = "identified" if args.identified else "de-identified"
    print(f"Wrote the {which} caseload report ({len(report.rows)} clients) to {target}",
          file=out)
    if args.identified:
        print("It shows clients' names: keep it as safe as the records themselves.", file=out)
    return 0


def _day(text: str | None, label: str) -> date | None:
    """A --period-start/--period-end value (YYYY-MM-DD); a usage error otherwise."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{label} must be a date like 2026-03-01.") from None


def cmd_letter(args: argparse.Namespace, out: TextIO) -> int:
    """`tandem letter PATH --client ID --template NAME --to FILE.pdf`: compose, check, keep, write.

    Secrets come from stdin only with the flags: with --passphrase-stdin the first line is the
    vault's passphrase; with --password-stdin the next line is the PDF password (AES-256).
    A de-identified letter that still holds an identifier is refused (exit 2), naming it.
    """
    from app.letters import LetterRequest
    from ui.letters.service import LetterService

    folder = _existing_vault(args.path)
    target = Path(args.to).expanduser()
    if target.suffix.lower() != ".pdf":
        raise UsageError("--to must name a .pdf file.")
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} does not exist.")
    start = _day(args.period_start, "--period-start")
    end = _day(args.period_end, "--period-end")
    reader = _reader(args)
    passphrase = reader.read("passphrase")
    password = None
    if args.password_stdin:
        password = SecretReader(True).read("PDF password")
    deidentified = True if args.deidentified else False if args.identified else None
    with Vault.open(folder, Secret(passphrase=passphrase)) as vault:
        service = LetterService(vault)
        request = LetterRequest(args.client, args.template, period_start=start,
                                period_end=end, deidentified=deidentified, password=password)
        record = service.send(request, to=target)
    kind = "De-identified letter" if record.deidentified else "Letter"
    protection = ", protected with a password (AES-256)" if password else ""
    size = -(-target.stat().st_size // 1024)
    print(f"{kind} written to {target}{protection} ({size} KB); kept in the vault as letter "
          f"{record.id} (SHA-256 {record.sha256[:12]}…).", file=out)
    return 0


def add_letter_command(commands: Any) -> None:
    """`tandem letter …`: a letter from a template, for scripting (see cmd_letter)."""
    letter = commands.add_parser(
        "letter", help="write a letter (progress, end of treatment, supervision) as PDF")
    letter.add_argument("path", metavar="PATH")
    letter.add_argument("--client", type=int, required=True, metavar="ID",
                        help="the client's number (\"No. N\" in the client record's header)")
    letter.add_argument("--template", required=True, metavar="NAME",
                        help="progress, end-of-treatment, supervision or one of your own")
    letter.add_argument("--to", required=True, metavar="FILE.pdf")
    choice = letter.add_mutually_exclusive_group()
    choice.add_argument("--deidentified", action="store_true",
                        help="de-identify (pseudonym, no dates or contact details)")
    choice.add_argument("--identified", action="store_true",
                        help="identify the client even if the template de-identifies")
    letter.add_argument("--period-start", metavar="YYYY-MM-DD")
    letter.add_argument("--period-end", metavar="YYYY-MM-DD")
    letter.add_argument("--password-stdin", action="store_true",
                        help="protect the PDF with a password read from standard input "
                             "(after the passphrase line with --passphrase-stdin)")
    _add_secret_options(letter, recovery=False)
    letter.set_defaults(handler=cmd_letter)


def _add_secret_options(parser: argparse.ArgumentParser, recovery: bool) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--passphrase-stdin", action="store_true",
                       help="read the passphrase (one line) from standard input")
    if recovery:
        group.add_argument("--recovery-key-stdin", action="store_true",
                           help="read the recovery key (one line) from standard input")


def add_commands(parser: argparse.ArgumentParser) -> None:
    """Attach the scripting subcommands to the top-level parser."""
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    vault = commands.add_parser("vault", help="create, verify, or change the key of a vault")
    vault_commands = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)

    create = vault_commands.add_parser("create", help="create a new vault")
    create.add_argument("path", metavar="PATH")
    create.add_argument("--name", help="the practice's name (defaults to the folder name)")
    _add_secret_options(create, recovery=False)
    create.set_defaults(handler=cmd_create)

    verify = vault_commands.add_parser("verify", help="run every integrity check")
    verify.add_argument("path", metavar="PATH")
    _add_secret_options(verify, recovery=True)
    verify.set_defaults(handler=cmd_verify)

    passwd = vault_commands.add_parser(
        "passwd", help="change the passphrase (or set a new one with the recovery key)")
    passwd.add_argument("path", metavar="PATH")
    _add_secret_options(passwd, recovery=True)
    passwd.set_defaults(handler=cmd_passwd)

    rekey = vault_commands.add_parser("rekey", help="re-encrypt the vault with a new data key")
    rekey.add_argument("path", metavar="PATH")
    _add_secret_options(rekey, recovery=False)
    rekey.set_defaults(handler=cmd_rekey)

    backup = commands.add_parser("backup", help="write a verified, encrypted backup")
    backup.add_argument("path", metavar="PATH")
    backup.add_argument("--to", metavar="DIR", help="folder for the backup file")
    _add_secret_options(backup, recovery=False)
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="restore a backup into a new vault folder")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("dest", metavar="DEST")
    _add_secret_options(restore, recovery=True)
    restore.set_defaults(handler=cmd_restore)

    export = commands.add_parser("export", help="write the whole record as JSON")
    export.add_argument("path", metavar="PATH")
    export.add_argument("--to", metavar="FILE.json", required=True)
    export.add_argument("--include-process-notes", action="store_true",
                        help="also export psychotherapy (process) notes")
    _add_secret_options(export, recovery=False)
    export.set_defaults(handler=cmd_export)

    import_ = commands.add_parser("import", help="import an export file, all or nothing")
    import_.add_argument("path", metavar="PATH")
    import_.add_argument("file", metavar="FILE.json")
    _add_secret_options(import_, recovery=False)
    import_.set_defaults(handler=cmd_import)

    add_letter_command(commands)

    report = commands.add_parser("report", help="outcome reports for supervision")
    reports = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    caseload = reports.add_parser(
        "caseload", help="caseload outcomes (de-identified unless --identified) as PDF or CSV")
    caseload.add_argument("path", metavar="PATH")
    caseload.add_argument("--to", metavar="FILE.pdf|FILE.csv", required=True)
    caseload.add_argument("--identified", action="store_true",
                          help="show clients' names instead of pseudonyms")
    _add_secret_options(caseload, recovery=False)
    caseload.set_defaults(handler=cmd_report_caseload)

