-- Range criteria that drive a search (package sqlgen's Driver) seek an index by a bound:
-- low (the indexes of 0002) for eq, lt, le, sa, eb and ap; high for gt and ge; a type's
-- last_updated for _lastUpdated. The high indexes carry low where the low index carries
-- high, so that a date range is tested without reading its row.
CREATE INDEX idx_date_high ON idx_date (type, param, high, low, rid);
CREATE INDEX idx_number_high ON idx_number (type, param, high);
CREATE INDEX idx_quantity_high ON idx_quantity (type, param, high);
CREATE INDEX current_type_updated ON current (type, deleted, last_updated);
