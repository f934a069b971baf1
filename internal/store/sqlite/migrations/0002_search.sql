-- Search (package sqlgen's plans). Value indexes end in rid so that an equality on the
-- whole value yields rids in order (a page stops after Count rows); rid indexes carry the
-- values so that probing a resource's rows needs no table lookup (covering).
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

-- A type's resources in rid order (a scan that stops after one page).
CREATE INDEX current_type_rid ON current (type, deleted);

-- Composite parameters (up to three parts) and Location near (p1 latitude, p2 longitude).
CREATE TABLE idx_composite (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL,
    p1_system TEXT NOT NULL, p1_code TEXT NOT NULL, p1_low REAL NOT NULL, p1_high REAL NOT NULL,
    p2_system TEXT NOT NULL, p2_code TEXT NOT NULL, p2_low REAL NOT NULL, p2_high REAL NOT NULL,
    p3_system TEXT NOT NULL, p3_code TEXT NOT NULL, p3_low REAL NOT NULL, p3_high REAL NOT NULL
);
CREATE INDEX idx_composite_code ON idx_composite (type, param, p1_code, rid);
CREATE INDEX idx_composite_rid ON idx_composite (rid, param);

-- Full text of _text and _content, searched through an FTS5 index kept in step by
-- triggers (external content: the text is stored once).
CREATE TABLE idx_text (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL, value TEXT NOT NULL
);
CREATE INDEX idx_text_rid ON idx_text (rid, param);
CREATE VIRTUAL TABLE idx_text_fts USING fts5(value, content = 'idx_text', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER idx_text_insert AFTER INSERT ON idx_text BEGIN
    INSERT INTO idx_text_fts (rowid, value) VALUES (new.rowid, new.value);
END;
CREATE TRIGGER idx_text_delete AFTER DELETE ON idx_text BEGIN
    INSERT INTO idx_text_fts (idx_text_fts, rowid, value) VALUES ('delete', old.rowid, old.value);
END;
