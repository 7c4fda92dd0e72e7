/* The state file: one SQLite database in WAL mode, its schema migrated in code (PRAGMA
 * user_version), and the transactions every other state module writes in. */
#ifndef RW_DB_H
#define RW_DB_H

#include <stdint.h>

#include <sqlite3.h>

#include "err.h"

struct db;

/* Opens (creating) path, sets WAL, foreign keys and a busy timeout, and applies every
 * migration newer than the file's version in one transaction each. A file written by a newer
 * recruitwatch (a version we do not know) is refused. NULL with err naming path. */
struct db *db_open(const char *path, struct rw_error *err);
void db_close(struct db *);

/* The schema version the file is at after db_open. */
int db_version(struct db *);
/* The newest schema version this build knows. */
int db_latest_version(void);

/* Bounds the file's size (0: no bound). Writes beyond it fail as SQLITE_FULL does on a full
 * disk, and are rolled back the same way. */
int db_set_max_bytes(struct db *, int64_t max, struct rw_error *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; the error names the database file. */
int db_begin(struct db *, struct rw_error *err);
int db_commit(struct db *, struct rw_error *err);
void db_rollback(struct db *);

/* For the state modules only: the handle and the file name for errors. */
sqlite3 *db_handle(struct db *);
const char *db_path(const struct db *);
/* Fills err with "path: what: sqlite's message" and returns -1. */
int db_fail(struct db *, struct rw_error *err, const char *what);

/* Added for the state modules: statements with bound parameters, one letter of types per
 * argument: 'i' int, 'I' int64_t, 't' text (NULL binds NULL), 'b' blob (const void *, size_t).
 * what names the operation in errors. */
sqlite3_stmt *db_prepare(
    struct db *, struct rw_error *err, const char *what, const char *sql, const char *types, ...);
/* Steps once: 1 a row, 0 done, -1 error (err filled; the statement stays the caller's). */
int db_step(struct db *, sqlite3_stmt *, struct rw_error *err, const char *what);
/* Prepares, binds and runs a statement to its end; *changes (may be NULL) is the number of
 * rows it changed. */
int db_exec(struct db *, struct rw_error *err, const char *what, int *changes, const char *sql,
    const char *types, ...);
/* Column text copied into buf ("" for NULL), truncated to fit. */
void db_column_copy(sqlite3_stmt *, int col, char *buf, size_t len);

#endif
