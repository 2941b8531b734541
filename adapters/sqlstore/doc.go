// Package sqlstore is the storage code shared by the SQLite and PostgreSQL
// adapters. Both reach their database through database/sql, write the same
// SQL with $N placeholders (which SQLite accepts as well), and differ only in
// what a [Dialect] describes: row locking, error translation and how the
// schema is written. The adapters in adapters/sqlite and adapters/postgres
// embed [Store] and add what only their database can do.
//
// Times are stored in UTC. They are bound as fixed-width RFC 3339 text with
// microseconds (see [Time]) so that SQLite, which has no time type, compares
// them correctly as strings; PostgreSQL parses the same text into
// timestamptz.
//
// The transaction of [Store.InTx] travels in the context. Every query method
// runs on it when the context carries one, and [TxFromContext] lets other
// adapters, such as the job engine, write in the same transaction.
package sqlstore
