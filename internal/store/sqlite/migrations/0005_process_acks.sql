-- Each server process's latest acknowledgement of the SearchParameters it has
-- registered (up to the version seq) and when it made it (Unix milliseconds).
CREATE TABLE process_acks (
    process TEXT PRIMARY KEY,
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL
) WITHOUT ROWID;
