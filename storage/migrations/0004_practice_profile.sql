-- Practice profile images (logo, signature) for letterheads. The text of the profile lives in
-- the settings table under 'practice.profile'.

CREATE TABLE practice_images (
    kind       TEXT PRIMARY KEY CHECK (kind IN ('logo', 'signature')),
    image_type TEXT NOT NULL CHECK (image_type IN ('png', 'jpeg')),
    data       BLOB NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
