-- The custom SearchParameters a completed $reindex indexed, each with the state (its
-- version and a digest of its definition) it was indexed in.
CREATE TABLE param_states (
    url   TEXT PRIMARY KEY,
    state TEXT NOT NULL
) WITHOUT ROWID;
