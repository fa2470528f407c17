-- The workspace: deletion stubs for notes, the practitioner's own note templates, and
-- full-text search over addenda and corrections as well as notes.

ALTER TABLE notes ADD COLUMN deleted_at TEXT;
ALTER TABLE notes ADD COLUMN deleted_reason TEXT NOT NULL DEFAULT '';

CREATE TABLE note_templates (
    id         TEXT PRIMARY KEY,
    definition TEXT NOT NULL,           -- JSON, as in resources/templates/*.json
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE amendments_fts USING fts5(
    body, content = 'note_amendments', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO amendments_fts(amendments_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO amendments_fts(rowid, body) SELECT id, body FROM note_amendments;

CREATE TRIGGER amendments_fts_insert AFTER INSERT ON note_amendments BEGIN
    INSERT INTO amendments_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER amendments_fts_delete AFTER DELETE ON note_amendments BEGIN
    INSERT INTO amendments_fts(amendments_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- Signed notes and their amendments are never edited in place (the app adds amendments instead);
-- the database refuses it too, except for the deletion stub, which keeps hash and signing time.
CREATE TRIGGER signed_notes_are_locked BEFORE UPDATE OF body, sections, template, signed_at,
    content_sha256 ON notes
WHEN old.status = 'signed' AND new.deleted_at IS old.deleted_at
BEGIN
    SELECT RAISE(ABORT, 'a signed note is locked');
END;

CREATE TRIGGER amendments_are_locked BEFORE UPDATE ON note_amendments
BEGIN
    SELECT RAISE(ABORT, 'a signed addendum or correction is locked');
END;

CREATE INDEX sessions_by_client_number ON sessions(client_id, number);
