-- Every version of every resource. seq orders history store-wide; rid is the resource's
-- stable key (the seq of its first version), shared by its versions, its current row and
-- its index, link and compartment rows. last_updated is in Unix nanoseconds.
CREATE TABLE resources (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    rid          INTEGER NOT NULL,
    type         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    op           INTEGER NOT NULL,
    body         BLOB
);
CREATE UNIQUE INDEX resources_rid_version ON resources (rid, version);
CREATE INDEX resources_type_seq ON resources (type, seq);

-- One row per resource: its current version (deleted = 1 after a delete).
CREATE TABLE current (
    rid          INTEGER PRIMARY KEY,
    type         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted      INTEGER NOT NULL
);
CREATE UNIQUE INDEX current_type_id ON current (type, id);

-- Search index rows of the current version, one table per parameter type; dates are Unix
-- microseconds with open ends at the int64 extremes.
CREATE TABLE idx_string (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    value TEXT NOT NULL, exact TEXT NOT NULL
);
CREATE INDEX idx_string_value ON idx_string (type, param, value);
CREATE INDEX idx_string_rid ON idx_string (rid, param);

CREATE TABLE idx_token (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    system TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX idx_token_code ON idx_token (type, param, code, system);
CREATE INDEX idx_token_rid ON idx_token (rid, param);

CREATE TABLE idx_date (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    low INTEGER NOT NULL, high INTEGER NOT NULL
);
CREATE INDEX idx_date_low ON idx_date (type, param, low);
CREATE INDEX idx_date_rid ON idx_date (rid, param);

CREATE TABLE idx_number (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    low REAL NOT NULL, high REAL NOT NULL, literal TEXT NOT NULL
);
CREATE INDEX idx_number_low ON idx_number (type, param, low);
CREATE INDEX idx_number_rid ON idx_number (rid, param);

CREATE TABLE idx_quantity (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    system TEXT NOT NULL, code TEXT NOT NULL, unit TEXT NOT NULL,
    low REAL NOT NULL, high REAL NOT NULL,
    canonical_code TEXT NOT NULL, canonical_low REAL NOT NULL, canonical_high REAL NOT NULL
);
CREATE INDEX idx_quantity_low ON idx_quantity (type, param, low);
CREATE INDEX idx_quantity_rid ON idx_quantity (rid, param);

CREATE TABLE idx_reference (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    target_type TEXT NOT NULL, target_id TEXT NOT NULL, target_version TEXT NOT NULL,
    url TEXT NOT NULL, identifier_system TEXT NOT NULL, identifier_value TEXT NOT NULL
);
CREATE INDEX idx_reference_target ON idx_reference (type, param, target_id);
CREATE INDEX idx_reference_rid ON idx_reference (rid, param);

CREATE TABLE idx_uri (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL, value TEXT NOT NULL
);
CREATE INDEX idx_uri_value ON idx_uri (type, param, value);
CREATE INDEX idx_uri_rid ON idx_uri (rid, param);

-- Local references of the current version, for referential integrity.
CREATE TABLE links (
    rid INTEGER NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL
);
CREATE INDEX links_rid ON links (rid);
CREATE INDEX links_target ON links (target_type, target_id);

-- Patient compartments (and any other) the resource belongs to.
CREATE TABLE compartments (
    rid INTEGER NOT NULL, comp_type TEXT NOT NULL, comp_id TEXT NOT NULL
);
CREATE INDEX compartments_rid ON compartments (rid);
CREATE INDEX compartments_member ON compartments (comp_type, comp_id);
