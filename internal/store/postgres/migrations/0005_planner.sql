-- A type's resources in rid order, covering the columns search criteria read (id,
-- last_updated): a query without a driving index criterion pages through them as an
-- index-only scan that stops after one page, where the planner otherwise reads and
-- sorts every resource of the type (13 ms per Patient?_has:... page at 10,000 patients).
DROP INDEX current_type_rid;
CREATE INDEX current_type_rid ON current (type, deleted, rid) INCLUDE (id, last_updated);

-- The rows of one resource are written together, so ANALYZE's block sample finds them
-- in clusters and puts the distinct rids of idx_reference at a fifth of the truth (at
-- 10,000 patients: 199k for 1.05M). The planner then expects 30 references per resource
-- instead of 5, and an include over a page of 431 resources hashed all of current
-- (480 ms instead of 18). A resource has a handful of references: say so.
ALTER TABLE idx_reference ALTER COLUMN rid SET (n_distinct = -0.2);
ALTER TABLE links ALTER COLUMN rid SET (n_distinct = -0.2);
ANALYZE idx_reference, links;
