-- Outcome ratings: the measure definitions each administration used (so a report can always
-- show the wording and rules in force), and "discussed with client" for each alert.

CREATE TABLE measure_definitions (
    hash       TEXT PRIMARY KEY,
    measure    TEXT NOT NULL,
    definition TEXT NOT NULL,          -- JSON, exactly as loaded from resources/measures
    first_used TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE alert_responses (
    id                INTEGER PRIMARY KEY,
    administration_id INTEGER NOT NULL REFERENCES measure_administrations(id),
    alert             TEXT NOT NULL,
    response          TEXT NOT NULL,
    discussed_at      TEXT NOT NULL,
    UNIQUE (administration_id, alert)
);

CREATE INDEX administrations_by_session ON measure_administrations(session_id);
