// Package sqlite is the embedded store: package store's Store on one SQLite file
// (modernc.org/sqlite, pure Go), the default so that one command runs everything.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so every commit syncs
// the WAL before Write returns and an acknowledged write survives both a kill -9 of the
// process and a crash of the operating system. (synchronous=NORMAL would survive only
// the former.) The sync's cost is shared: one writer goroutine takes every Write waiting
// and commits them together (package groupcommit), so throughput is not bound by sync
// latency. Index, link and compartment rows are buffered inside the transaction and
// inserted up to 64 rows per prepared statement. A background goroutine runs passive
// WAL checkpoints on its own connection, so copying pages runs beside the writer, not in
// its commits; since a passive checkpoint cannot restart a WAL that the writer keeps
// appending to, the writer restarts the WAL between two groups once it passes 64 MiB.
// Reads use a pool of separate read-only connections, which WAL lets run while the
// writer commits.
//
// Schema migrations are the plain SQL files in migrations/, embedded and applied in
// order on Open; the logical schema is the same as store/postgres's. Backup uses
// VACUUM INTO (https://www.sqlite.org/lang_vacuum.html#vacuuminto) for a consistent
// online copy.
package sqlite
