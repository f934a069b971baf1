// Package groupcommit serialises write transactions onto one writer goroutine and
// commits many of them together: the writer takes every Write call waiting in the queue,
// runs each caller's function inside its own SAVEPOINT of one database transaction (a
// function that fails rolls back only its savepoint and gets its own error), commits
// once and then answers every caller. One durable commit (one fsync) is shared by all the
// writes in a group, so throughput is not bound by the disk's sync latency.
//
// Both SQL backends of package store use it; the backend supplies the transaction
// through the Batch interface.
package groupcommit
