-- Each server process's latest acknowledgement of the SearchParameters it has
-- registered (up to the version seq) and when it made it, by the database's clock.
CREATE TABLE process_acks (
    process text PRIMARY KEY,
    seq     bigint NOT NULL,
    at      timestamptz NOT NULL
);
