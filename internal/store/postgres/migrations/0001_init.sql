-- The same logical schema as store/sqlite (see its 0001_init.sql for the meaning of each
-- column). Text columns use the "C" collation so that comparisons are bytewise, as the
-- starts-with range tests of package sqlgen need. No foreign keys: every table can be
-- distributed by its own key (Citus-style sharding by patient compartment later).
CREATE TABLE resources (
    seq          bigint   PRIMARY KEY,
    rid          bigint   NOT NULL,
    type         text     COLLATE "C" NOT NULL,
    id           text     COLLATE "C" NOT NULL,
    version      bigint   NOT NULL,
    last_updated bigint   NOT NULL,
    op           smallint NOT NULL,
    body         bytea
);
CREATE UNIQUE INDEX resources_rid_version ON resources (rid, version);
CREATE INDEX resources_type_seq ON resources (type, seq);

CREATE TABLE current (
    rid          bigint   PRIMARY KEY,
    type         text     COLLATE "C" NOT NULL,
    id           text     COLLATE "C" NOT NULL,
    version      bigint   NOT NULL,
    seq          bigint   NOT NULL,
    last_updated bigint   NOT NULL,
    deleted      smallint NOT NULL
);
CREATE UNIQUE INDEX current_type_id ON current (type, id);

-- The store-wide sequence: one row, advanced under the writers' advisory lock, so seq
-- order is commit order across every process.
CREATE TABLE seq_counter (last bigint NOT NULL);
INSERT INTO seq_counter VALUES (0);

CREATE TABLE idx_string (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL, exact text COLLATE "C" NOT NULL
);
CREATE INDEX idx_string_value ON idx_string (type, param, value);
CREATE INDEX idx_string_rid ON idx_string (rid, param);

CREATE TABLE idx_token (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    system text COLLATE "C" NOT NULL, code text COLLATE "C" NOT NULL, text text NOT NULL
);
CREATE INDEX idx_token_code ON idx_token (type, param, code, system);
CREATE INDEX idx_token_rid ON idx_token (rid, param);

CREATE TABLE idx_date (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    low bigint NOT NULL, high bigint NOT NULL
);
CREATE INDEX idx_date_low ON idx_date (type, param, low);
CREATE INDEX idx_date_rid ON idx_date (rid, param);

CREATE TABLE idx_number (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    low double precision NOT NULL, high double precision NOT NULL, literal text NOT NULL
);
CREATE INDEX idx_number_low ON idx_number (type, param, low);
CREATE INDEX idx_number_rid ON idx_number (rid, param);

CREATE TABLE idx_quantity (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    system text COLLATE "C" NOT NULL, code text COLLATE "C" NOT NULL, unit text COLLATE "C" NOT NULL,
    low double precision NOT NULL, high double precision NOT NULL,
    canonical_code text COLLATE "C" NOT NULL,
    canonical_low double precision NOT NULL, canonical_high double precision NOT NULL
);
CREATE INDEX idx_quantity_low ON idx_quantity (type, param, low);
CREATE INDEX idx_quantity_rid ON idx_quantity (rid, param);

CREATE TABLE idx_reference (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    target_type text COLLATE "C" NOT NULL, target_id text COLLATE "C" NOT NULL,
    target_version text COLLATE "C" NOT NULL, url text COLLATE "C" NOT NULL,
    identifier_system text COLLATE "C" NOT NULL, identifier_value text COLLATE "C" NOT NULL
);
CREATE INDEX idx_reference_target ON idx_reference (type, param, target_id);
CREATE INDEX idx_reference_rid ON idx_reference (rid, param);

CREATE TABLE idx_uri (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL
);
CREATE INDEX idx_uri_value ON idx_uri (type, param, value);
CREATE INDEX idx_uri_rid ON idx_uri (rid, param);

CREATE TABLE links (
    rid bigint NOT NULL, target_type text COLLATE "C" NOT NULL, target_id text COLLATE "C" NOT NULL
);
CREATE INDEX links_rid ON links (rid);
CREATE INDEX links_target ON links (target_type, target_id);

CREATE TABLE compartments (
    rid bigint NOT NULL, comp_type text COLLATE "C" NOT NULL, comp_id text COLLATE "C" NOT NULL
);
CREATE INDEX compartments_rid ON compartments (rid);
CREATE INDEX compartments_member ON compartments (comp_type, comp_id);
