-- Search: the same indexes as store/sqlite's 0002_search.sql (value indexes ending in
-- rid, covering rid indexes), the composite table and full text with a GIN index.
DROP INDEX idx_token_code;
DROP INDEX idx_token_rid;
CREATE INDEX idx_token_code ON idx_token (type, param, code, system, rid);
CREATE INDEX idx_token_rid ON idx_token (rid, param, code, system);

DROP INDEX idx_string_value;
DROP INDEX idx_string_rid;
CREATE INDEX idx_string_value ON idx_string (type, param, value, rid);
CREATE INDEX idx_string_rid ON idx_string (rid, param, value);

DROP INDEX idx_date_low;
DROP INDEX idx_date_rid;
CREATE INDEX idx_date_low ON idx_date (type, param, low, high, rid);
CREATE INDEX idx_date_rid ON idx_date (rid, param, low, high);

DROP INDEX idx_reference_target;
DROP INDEX idx_reference_rid;
CREATE INDEX idx_reference_target ON idx_reference (type, param, target_id, target_type, rid);
CREATE INDEX idx_reference_rid ON idx_reference (rid, param, target_type, target_id);

DROP INDEX idx_uri_value;
DROP INDEX idx_uri_rid;
CREATE INDEX idx_uri_value ON idx_uri (type, param, value, rid);
CREATE INDEX idx_uri_rid ON idx_uri (rid, param, value);

DROP INDEX compartments_member;
CREATE INDEX compartments_member ON compartments (comp_type, comp_id, rid);

CREATE INDEX current_type_rid ON current (type, deleted, rid);

CREATE TABLE idx_composite (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    p1_system text COLLATE "C" NOT NULL, p1_code text COLLATE "C" NOT NULL,
    p1_low double precision NOT NULL, p1_high double precision NOT NULL,
    p2_system text COLLATE "C" NOT NULL, p2_code text COLLATE "C" NOT NULL,
    p2_low double precision NOT NULL, p2_high double precision NOT NULL,
    p3_system text COLLATE "C" NOT NULL, p3_code text COLLATE "C" NOT NULL,
    p3_low double precision NOT NULL, p3_high double precision NOT NULL
);
CREATE INDEX idx_composite_code ON idx_composite (type, param, p1_code, rid);
CREATE INDEX idx_composite_rid ON idx_composite (rid, param);

CREATE TABLE idx_text (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    value text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', value)) STORED
);
CREATE INDEX idx_text_rid ON idx_text (rid, param);
CREATE INDEX idx_text_tsv ON idx_text USING gin (tsv);
