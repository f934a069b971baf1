-- The range bounds of store/sqlite's 0004_range_bounds.sql: high for gt and ge, a type's
-- last_updated for _lastUpdated (with rid, so that a driving range is read from the
-- index alone).
CREATE INDEX idx_date_high ON idx_date (type, param, high, low, rid);
CREATE INDEX idx_number_high ON idx_number (type, param, high);
CREATE INDEX idx_quantity_high ON idx_quantity (type, param, high);
CREATE INDEX current_type_updated ON current (type, deleted, last_updated, rid);
