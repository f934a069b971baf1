// Package postgres is package store's Store on PostgreSQL (pgx/v5), for deployments that
// outgrow one machine. It has the same logical schema as store/sqlite, with no foreign
// keys, so that it stays shardable by patient compartment (Citus-style).
//
// Writes: each process has one writer connection that commits waiting Write calls
// together (package groupcommit), each function in its own savepoint. Writers of every
// process are serialised by a transaction-scoped advisory lock taken first in each
// transaction (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS),
// under READ COMMITTED: each statement then sees every commit made before the lock was
// granted, so version checks and conditional creates cannot race, and no transaction
// ever has to be retried (a write function runs exactly once). The store-wide sequence
// is a counter row advanced under the same lock, so seq order is commit order.
//
// A serialised writer pays in round trips, so the writer saves them: rows a function
// writes are buffered and sent as one multi-row INSERT per table (unnest of arrays) in
// one pipelined batch, before the next read inside the transaction and at the end of
// the function; BEGIN, the lock and the counter read share one batch, SAVEPOINT and
// RELEASE ride with the next statement, the counter update with COMMIT; a create
// (version 1) is not looked up first — the unique (type, id) index refuses a duplicate
// when the rows are sent, and Put's contract in package store says so.
//
// Reads use a pgxpool pool; a page and its total are read in one REPEATABLE READ
// snapshot. Estimated totals are the planner's (package sqlgen), so Analyze refreshes
// the statistics after a bulk load. Connections plan with random_page_cost 1.1 (index
// probes into cached or SSD-resident data) unless the DSN names its own; migration 0005
// corrects ANALYZE's estimate of rows per resource in idx_reference and links, which
// its clustered sample puts at six times the truth. Backup is not offered: use pg_dump.
package postgres
