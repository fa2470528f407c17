-- Exposure trials can belong to the session they were done in (in-session trials), and the
-- interval of SUDS readings in a timed exposure is kept with them.

ALTER TABLE exposure_trials ADD COLUMN session_id INTEGER REFERENCES sessions(id);
ALTER TABLE exposure_trials ADD COLUMN reading_interval_min INTEGER;
CREATE INDEX trials_by_session ON exposure_trials(session_id);
