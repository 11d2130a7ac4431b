/**
 * @module store/sqlite/tx
 * `writeTx(db, fn)`: how every hub transaction on better-sqlite3 begins:
 * BEGIN IMMEDIATE, i.e. holding the write lock from the first statement.
 *
 * Why: domain transactions read, then write (check a state, then change it).
 * Begun DEFERRED, such a transaction holds a read snapshot, and when another
 * connection (a second hub process, an operator's sqlite3, a test) commits
 * before its first write, SQLite cannot upgrade it and fails at once with
 * "database is locked"; busy_timeout does not help. Begun IMMEDIATE, it waits
 * (up to busy_timeout, set where the database is opened) and then runs on the
 * latest data. Nested calls become savepoints, as with db.transaction.
 */
import type { Database, Transaction } from 'better-sqlite3';

export function writeTx<F extends Parameters<Database['transaction']>[0]>(db: Database, fn: F): Transaction<F>['immediate'] {
  return db.transaction(fn).immediate;
}
