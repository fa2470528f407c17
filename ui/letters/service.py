"""The letter pipeline, wired once for the window and the command line: no Qt in here.

    facts (storage, one transaction) → compose (app, pure) → render (reports)
      → final check when de-identified (reports.readback + app.deidentify)
      → keep in the vault (storage, audited) → export (atomic file, optional AES-256 password)

Every method blocks until done: the command line calls them directly, the window runs them on
its TaskRunner (never on the UI thread, never on the vault's worker, which they wait on).

A de-identified letter is written nowhere — not kept, not exported, not previewed as "clean" —
when the final check finds any identifier of the client in the PDF's text, metadata or file
name: `IdentifierLeft` names what it found. Exports go to a hidden temporary file in the target
folder (named with random letters only, never the client's name) that is renamed over the
target when complete, so a crash leaves no half-written letter and nothing in TMPDIR.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.errors import InvalidInput, StorageFailure
from app.letters import (
    LetterContent,
    LetterRecord,
    LetterRequest,
    LetterTemplate,
    QuotableNote,
    check_password,
    compose,
    load_letter_templates,
    parse_template_text,
)
from app.measures import load_definitions
from app.resources import resource_dir
from reports.letter import render_letter
from reports.protect import protect
from reports.readback import leftover_identifiers
from storage.atomic import fsync_directory, os_error_reason
from storage.letters import LettersStore
from storage.vault import Vault


class IdentifierLeft(InvalidInput):
    """The de-identified PDF still holds an identifier of the client; nothing was written."""

    def __init__(self, found: list[str]) -> None:
        self.found = tuple(found)
        shown = "; ".join(found[:4]) + (f" (+{len(found) - 4} more)" if len(found) > 4 else "")
        super().__init__(
            f"The de-identified letter was not written: it still contains {shown}. Remove or "
            "rephrase it (for example in your own paragraphs) and try again.")


@dataclass(frozen=True)
class Preview:
    """A rendered letter that has not been kept: what the live preview shows."""

    pdf: bytes
    content: LetterContent
    findings: tuple[str, ...] = ()  # identifiers left in a de-identified letter (empty: clean)

    @property
    def file_name(self) -> str:
        """The file name the export dialog offers."""
        return self.content.file_name


class LetterService:
    """Compose, preview, send and export letters for one open vault."""

    def __init__(self, vault: Vault, store: LettersStore | None = None, *,
                 today: Callable[[], date] | None = None) -> None:
        self.vault = vault
        self.store = store or LettersStore(
            vault, load_definitions(resource_dir() / "measures"),
            load_letter_templates(resource_dir() / "letters"))
        self._today = today or (lambda: vault.clock.now().astimezone().date())

    # -- templates --------------------------------------------------------------------------

    def templates(self) -> dict[str, LetterTemplate]:
        """Every template by id: built-in ones and the practitioner's own."""
        return self.store.templates().result()

    def template(self, template_id: str) -> LetterTemplate:
        """One template; InvalidInput naming the built-in ones when there is no such id."""
        return self.store.template(template_id).result()

    def save_template_text(self, text: str) -> LetterTemplate:
        """Validate a template the user edited (JSON) and keep it in the vault."""
        return self.store.save_template(parse_template_text(text)).result()

    def save_template(self, template: LetterTemplate) -> LetterTemplate:
        """Keep one of the practitioner's templates (validated again)."""
        return self.store.save_template(template).result()

    def delete_template(self, template_id: str) -> None:
        """Remove one of the practitioner's templates."""
        self.store.delete_template(template_id).result()

    # -- the pipeline -----------------------------------------------------------------------

    def compose(self, request: LetterRequest) -> LetterContent:
        """The letter's content (no PDF yet)."""
        template = self.template(request.template_id)
        facts = self.store.facts(request, self._today()).result()
        return compose(facts, template, request)

    def preview(self, request: LetterRequest) -> bytes:
        """The real PDF for the live preview; nothing is kept or written."""
        return self.render(request).pdf

    def render(self, request: LetterRequest) -> Preview:
        """Compose and render; for a de-identified letter, also run the final check."""
        content = self.compose(request)
        pdf = render_letter(content)
        findings: tuple[str, ...] = ()
        if content.deidentified:
            findings = tuple(leftover_identifiers(pdf, content.identifiers, content.file_name))
        return Preview(pdf, content, findings)

    def send(self, request: LetterRequest, to: Path | None = None) -> LetterRecord:
        """Render, check, keep in the vault, and (with `to`) write the file.

        The vault keeps the letter without a password (the vault itself is encrypted, and a
        kept letter must reopen without a password nobody wrote down); `request.password`
        protects the exported copy.
        """
        if request.password is not None:
            check_password(request.password)
        preview = self.render(request)
        if preview.findings:
            raise IdentifierLeft(list(preview.findings))
        record = self.store.save(preview.content, preview.pdf).result()
        if to is not None:
            self.export(record.id, to, request.password)
        return record

    def quotable_notes(self, client_id: int) -> list[QuotableNote]:
        """Signed progress notes the therapist may quote, newest first."""
        return self.store.quotable_notes(client_id).result()

    # -- letters kept -----------------------------------------------------------------------

    def letters(self, client_id: int) -> list[LetterRecord]:
        """The client's letters, newest first."""
        return self.store.letters(client_id).result()

    def pdf(self, letter_id: int) -> bytes:
        """A kept letter's bytes, exactly as sent (hash-checked)."""
        return self.store.pdf(letter_id).result()

    def export(self, letter_id: int, path: Path, password: str | None = None) -> Path:
        """Write a kept letter to `path` atomically; with a password, AES-256 protected.

        Without a password the file is byte-identical to the letter kept in the vault.
        """
        data = self.pdf(letter_id)
        if password is not None:
            data = protect(data, password)
        write_atomically(Path(path), data)
        self.store.record_export(letter_id, password is not None).result()
        return Path(path)


PART_PREFIX = ".tandem-"
PART_SUFFIX = ".part"
STALE_PART_SECONDS = 3600
"""A part file this old is no export in progress but the remains of a crash."""


def remove_stale_parts(folder: Path, now: float | None = None) -> int:
    """Delete half-written letters a crash left in `folder`; returns how many.

    A kill between writing an export and renaming it leaves the whole letter in a hidden part
    file beside the target: client data on disk that nobody chose to keep. Files of exactly
    this shape (prefix, 12 hex digits, suffix) older than an hour are removed before the next
    export into the same folder; anything else is never touched.
    """
    moment = time.time() if now is None else now
    removed = 0
    try:
        candidates = list(folder.glob(f"{PART_PREFIX}*{PART_SUFFIX}"))
    except OSError:
        return 0
    for path in candidates:
        middle = path.name[len(PART_PREFIX):-len(PART_SUFFIX)]
        if len(middle) != 12 or any(c not in "0123456789abcdef" for c in middle):
            continue
        with contextlib.suppress(OSError):
            if path.is_file() and moment - path.stat().st_mtime > STALE_PART_SECONDS:
                path.unlink()
                removed += 1
    return removed


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` via a hidden random-named sibling, fsync, rename.

    The temporary file is in the target's own folder (same disk, so the rename is atomic) and
    its name is random: never in TMPDIR, never named after the client.
    """
    target = target.expanduser()
    folder = target.parent
    if target.is_dir():
        raise InvalidInput("The letter needs a file name, not a folder.")
    remove_stale_parts(folder)
    tmp = folder / f"{PART_PREFIX}{secrets.token_hex(6)}{PART_SUFFIX}"
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
        fsync_directory(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageFailure(f"The letter could not be written to the folder {folder}: "
                             f"{os_error_reason(exc)}.") from None
