-- The practice's records: clients, episodes, sessions, notes (with full-text search),
-- outcome-measure administrations, exposure ladders and letters.
-- Dates are ISO 8601 text: 'YYYY-MM-DD' for days, full UTC timestamps for moments.

CREATE TABLE clients (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    preferred_name TEXT NOT NULL DEFAULT '',
    pseudonym      TEXT NOT NULL,
    date_of_birth  TEXT,                      -- NULL when unknown; then age_band says what we know
    age_band       TEXT NOT NULL DEFAULT '',
    contact        TEXT NOT NULL DEFAULT '{}', -- JSON: phone, email, address
    referral       TEXT NOT NULL DEFAULT '{}', -- JSON: source, referrer name, role, address
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    created_at     TEXT NOT NULL,
    destroyed_at   TEXT                       -- record destroyed: a stub row stays
);
CREATE INDEX clients_by_name ON clients(name COLLATE NOCASE);

CREATE TABLE episodes (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients(id),
    started_on TEXT NOT NULL,
    ended_on   TEXT,
    end_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX episodes_by_client ON episodes(client_id, started_on);

CREATE TABLE goals (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    created_on  TEXT NOT NULL,
    achieved_on TEXT
);
CREATE INDEX goals_by_client ON goals(client_id, position);

CREATE TABLE risk_records (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    level       TEXT NOT NULL CHECK (level IN ('none', 'low', 'moderate', 'high')),
    areas       TEXT NOT NULL DEFAULT '[]',   -- JSON list of {area, level}
    plan        TEXT NOT NULL DEFAULT '',
    reviewed_on TEXT NOT NULL
);
CREATE INDEX risk_by_client ON risk_records(client_id, reviewed_on);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients(id),
    episode_id   INTEGER REFERENCES episodes(id),
    date         TEXT NOT NULL,
    start_time   TEXT NOT NULL DEFAULT '',
    duration_min INTEGER NOT NULL DEFAULT 50 CHECK (duration_min BETWEEN 0 AND 600),
    attendance   TEXT NOT NULL DEFAULT 'attended'
                 CHECK (attendance IN ('attended', 'cancelled', 'no_show')),
    modality     TEXT NOT NULL DEFAULT 'in_person'
                 CHECK (modality IN ('in_person', 'video', 'phone')),
    number       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_client ON sessions(client_id, date);
CREATE INDEX sessions_by_date ON sessions(date);

CREATE TABLE notes (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL UNIQUE REFERENCES sessions(id),
    template       TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',  -- plain text of all sections, for search and lists
    sections       TEXT NOT NULL DEFAULT '{}', -- JSON: section name -> text
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    signed_at      TEXT,
    content_sha256 TEXT,
    late_entry     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE note_amendments (
    id             INTEGER PRIMARY KEY,
    note_id        INTEGER NOT NULL REFERENCES notes(id),
    kind           TEXT NOT NULL CHECK (kind IN ('addendum', 'correction')),
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    signed_at      TEXT NOT NULL,
    content_sha256 TEXT NOT NULL
);
CREATE INDEX amendments_by_note ON note_amendments(note_id);

-- Psychotherapy (process) notes: kept apart from the record, never in letters or exports
-- unless the therapist releases them explicitly.
CREATE TABLE process_notes (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients(id),
    body       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX process_notes_by_client ON process_notes(client_id);

-- Full-text search over notes, kept in step by triggers. secure-delete makes deleted or replaced
-- text leave no terms behind in the index.
CREATE VIRTUAL TABLE notes_fts USING fts5(
    body, content = 'notes', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO notes_fts(notes_fts, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
    INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body);
END;

CREATE TABLE measure_administrations (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    session_id      INTEGER REFERENCES sessions(id),
    measure         TEXT NOT NULL,            -- definition id: ors, srs, cors, csrs, vas
    definition_hash TEXT NOT NULL,
    administered_at TEXT NOT NULL,
    completed_by    TEXT NOT NULL DEFAULT 'client',
    mode            TEXT NOT NULL CHECK (mode IN ('screen', 'paper_items', 'paper_total')),
    items           TEXT NOT NULL DEFAULT '[]', -- JSON list of item scores (0.0–10.0) or []
    total           REAL NOT NULL CHECK (total >= 0),
    capture         TEXT NOT NULL DEFAULT '{}', -- JSON: raw mark positions, line px, DPI, screen
    voided_at       TEXT,
    void_reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX administrations_by_client ON measure_administrations(client_id, measure, administered_at);

CREATE TABLE ladders (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    target_fear TEXT NOT NULL,
    goal        TEXT NOT NULL DEFAULT '',
    rule        TEXT NOT NULL DEFAULT '{}',   -- JSON: progression rule name and thresholds
    created_at  TEXT NOT NULL,
    archived_at TEXT
);
CREATE INDEX ladders_by_client ON ladders(client_id);

CREATE TABLE ladder_steps (
    id               INTEGER PRIMARY KEY,
    ladder_id        INTEGER NOT NULL REFERENCES ladders(id),
    position         INTEGER NOT NULL,
    situation        TEXT NOT NULL,
    suds             INTEGER NOT NULL CHECK (suds BETWEEN 0 AND 100),
    status           TEXT NOT NULL DEFAULT 'planned'
                     CHECK (status IN ('planned', 'in_progress', 'mastered', 'dropped')),
    notes            TEXT NOT NULL DEFAULT '',
    safety_behaviours TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX steps_by_ladder ON ladder_steps(ladder_id, position);

CREATE TABLE exposure_trials (
    id                INTEGER PRIMARY KEY,
    step_id           INTEGER NOT NULL REFERENCES ladder_steps(id),
    started_at        TEXT NOT NULL,
    setting           TEXT NOT NULL DEFAULT 'session' CHECK (setting IN ('session', 'homework')),
    place             TEXT NOT NULL DEFAULT '',
    accompanied       INTEGER NOT NULL DEFAULT 0,
    therapist_present INTEGER NOT NULL DEFAULT 0,
    planned_minutes   INTEGER,
    actual_minutes    INTEGER,
    suds_before       INTEGER CHECK (suds_before BETWEEN 0 AND 100),
    suds_peak         INTEGER CHECK (suds_peak BETWEEN 0 AND 100),
    suds_after        INTEGER CHECK (suds_after BETWEEN 0 AND 100),
    suds_readings     TEXT NOT NULL DEFAULT '[]', -- JSON list of {minute, suds}
    feared_outcome    TEXT NOT NULL DEFAULT '',
    expectancy_before INTEGER CHECK (expectancy_before BETWEEN 0 AND 100),
    expectancy_after  INTEGER CHECK (expectancy_after BETWEEN 0 AND 100),
    outcome_occurred  INTEGER,
    safety_planned_to_drop TEXT NOT NULL DEFAULT '[]',
    safety_used       TEXT NOT NULL DEFAULT '[]',
    response_prevention TEXT NOT NULL DEFAULT '',
    learned           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX trials_by_step ON exposure_trials(step_id, started_at);

CREATE TABLE letters (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER REFERENCES clients(id),
    template   TEXT NOT NULL,
    recipient  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    deidentified INTEGER NOT NULL DEFAULT 0,
    pdf        BLOB NOT NULL,
    sha256     TEXT NOT NULL
);
CREATE INDEX letters_by_client ON letters(client_id, created_at);
