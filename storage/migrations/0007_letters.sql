-- Letters: the file name offered on export and the template's name at the time of writing (the
-- template may be edited or deleted later), and the practitioner's own letter templates, kept
-- in the vault so they are encrypted with everything else (they may quote a client's situation).

ALTER TABLE letters ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN template_name TEXT NOT NULL DEFAULT '';

CREATE TABLE letter_templates (
    id         TEXT PRIMARY KEY,
    definition TEXT NOT NULL,           -- JSON, as in resources/letters/*.json
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
