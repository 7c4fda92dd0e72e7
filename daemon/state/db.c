/* The state file: opening it, migrating its schema in code, and the statement helpers the
 * other state modules write through. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "db.h"

/*
 * Schema, version 1. Times are unix seconds (0 or NULL: never).
 *
 * feeds(id, name UNIQUE, url, agency, etag, last_modified, last_poll, last_success,
 *     last_error_at, last_error, failures, next_poll, polls, items, active)
 * raws(sha256 PRIMARY KEY, size, zlib): an item's bytes, compressed, shared by every item with
 *     the same bytes (sha256 is the hex digest of the uncompressed bytes).
 * items(id, feed_id -> feeds, guid, doc_id, raw_sha256 -> raws, format, title, agency,
 *     destinations, sources, rulebook, document, first_seen, last_seen, last_poll, gone_at,
 *     UNIQUE(feed_id, guid)); document is the report's "document" object, kept so that an
 *     alert about an item that has gone from its feed still says what it was.
 * findings(id "f_..." PRIMARY KEY, item_id -> items, rule, category, severity, status
 *     open|resolved, fingerprint, message, body (the finding's JSON, with its id), opened_at,
 *     updated_at, resolved_at, agency, destinations, sources); the last three are the facts
 *     the finding was last alerted under, so its resolution reaches the same subscribers.
 * events(seq AUTOINCREMENT PRIMARY KEY, id "evt_..." UNIQUE, finding_id, type, at, payload):
 *     seq is the rowid with AUTOINCREMENT so it never goes back, even after pruning; finding_id
 *     is not a foreign key because the log may outlive a pruned finding.
 * subscriptions(id, name UNIQUE, sink, origin config|api, filter (JSON), active, created)
 * outbox(id AUTOINCREMENT, event_id -> events, sub_id -> subscriptions, state
 *     pending|delivered|dead, attempts, next_attempt, last_attempt, last_error, delivered_at,
 *     UNIQUE(event_id, sub_id)); AUTOINCREMENT keeps the per-subscription order monotonic.
 */
static const char *const db_migrations[] = {
    /* 1 */
    "CREATE TABLE feeds ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL,"
    " url TEXT NOT NULL DEFAULT '',"
    " agency TEXT NOT NULL DEFAULT '',"
    " etag TEXT,"
    " last_modified TEXT,"
    " last_poll INTEGER NOT NULL DEFAULT 0,"
    " last_success INTEGER NOT NULL DEFAULT 0,"
    " last_error_at INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " next_poll INTEGER NOT NULL DEFAULT 0,"
    " polls INTEGER NOT NULL DEFAULT 0,"
    " items INTEGER NOT NULL DEFAULT 0,"
    " active INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE raws ("
    " sha256 TEXT PRIMARY KEY,"
    " size INTEGER NOT NULL,"
    " zlib BLOB NOT NULL);"
    "CREATE TABLE items ("
    " id INTEGER PRIMARY KEY,"
    " feed_id INTEGER NOT NULL REFERENCES feeds(id),"
    " guid TEXT NOT NULL,"
    " doc_id TEXT NOT NULL,"
    " raw_sha256 TEXT REFERENCES raws(sha256),"
    " format TEXT,"
    " title TEXT,"
    " agency TEXT,"
    " destinations TEXT,"
    " sources TEXT,"
    " rulebook TEXT,"
    " document TEXT,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " last_poll INTEGER NOT NULL,"
    " gone_at INTEGER,"
    " UNIQUE (feed_id, guid));"
    "CREATE INDEX items_feed_poll ON items(feed_id, last_poll);"
    "CREATE INDEX items_raw ON items(raw_sha256);"
    "CREATE TABLE findings ("
    " id TEXT PRIMARY KEY,"
    " item_id INTEGER NOT NULL REFERENCES items(id),"
    " rule TEXT NOT NULL,"
    " category TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),"
    " fingerprint TEXT NOT NULL,"
    " message TEXT,"
    " body TEXT NOT NULL,"
    " opened_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " resolved_at INTEGER,"
    " agency TEXT,"
    " destinations TEXT,"
    " sources TEXT);"
    "CREATE INDEX findings_item ON findings(item_id);"
    "CREATE INDEX findings_status ON findings(status, updated_at);"
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id TEXT UNIQUE NOT NULL,"
    " finding_id TEXT NOT NULL,"
    " type TEXT NOT NULL"
    "  CHECK (type IN ('finding.opened', 'finding.changed', 'finding.resolved')),"
    " at INTEGER NOT NULL,"
    " payload TEXT NOT NULL);"
    "CREATE INDEX events_finding ON events(finding_id);"
    "CREATE INDEX events_at ON events(at);"
    "CREATE TABLE subscriptions ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL,"
    " sink TEXT NOT NULL,"
    " origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),"
    " filter TEXT NOT NULL,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " event_id TEXT NOT NULL REFERENCES events(id),"
    " sub_id INTEGER NOT NULL REFERENCES subscriptions(id),"
    " state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt INTEGER NOT NULL,"
    " last_attempt INTEGER,"
    " last_error TEXT,"
    " delivered_at INTEGER,"
    " UNIQUE (event_id, sub_id));"
    "CREATE INDEX outbox_sub ON outbox(sub_id, state, id);",
    /* 2: the HTTP API. Bearer tokens are "rwt_ID_SECRET": only ID is stored in clear, the
     * secret as a salted SHA-256 (the secret is 256 random bits, so a slow hash adds
     * nothing). Subscriptions made through the API carry their own webhook URL and signing
     * secret (the previous one kept during a rotation, so both sign until it is dropped). */
    "CREATE TABLE tokens ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('employer', 'regulator', 'union', 'admin')),"
    " salt BLOB NOT NULL,"
    " hash BLOB NOT NULL,"
    " created INTEGER NOT NULL,"
    " last_used INTEGER,"
    " revoked INTEGER);"
    "ALTER TABLE subscriptions ADD COLUMN url TEXT;"
    "ALTER TABLE subscriptions ADD COLUMN secret TEXT;"
    "ALTER TABLE subscriptions ADD COLUMN secret_previous TEXT;"
    "ALTER TABLE subscriptions ADD COLUMN owner TEXT;"
    "ALTER TABLE subscriptions ADD COLUMN verified INTEGER;",
};

#define DB_LATEST ((int)(sizeof(db_migrations) / sizeof(db_migrations[0])))

struct db {
	sqlite3 *h;
	char *path;
	int version;
	int64_t max_pages; /* SQLite's own bound, restored when ours is lifted */
};

int
db_latest_version(void)
{
	return DB_LATEST;
}

int
db_version(struct db *db)
{
	return db->version;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

const char *
db_path(const struct db *db)
{
	return db->path;
}

int
db_fail(struct db *db, struct rw_error *err, const char *what)
{
	rw_error_set(err, db->path, 0, 0, "%s: %s", what,
	    db->h != NULL ? sqlite3_errmsg(db->h) : "out of memory");
	return -1;
}

static int
db_bindv(sqlite3_stmt *st, const char *types, va_list ap)
{
	int i, rc = SQLITE_OK;

	for (i = 0; types != NULL && types[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 'i':
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i + 1, (sqlite3_int64)va_arg(ap, int64_t));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);

			rc = s != NULL ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT)
				       : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			rc = sqlite3_bind_blob64(st, i + 1, p, n, SQLITE_TRANSIENT);
			break;
		}
		default:
			rc = SQLITE_MISUSE;
			break;
		}
	}
	return rc;
}

static sqlite3_stmt *
db_preparev(struct db *db, struct rw_error *err, const char *what, const char *sql,
    const char *types, va_list ap)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v3(db->h, sql, -1, 0, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, what);
		return NULL;
	}
	/* A mismatch is a programming error, caught here rather than bound as NULLs. */
	if ((size_t)sqlite3_bind_parameter_count(st) != (types != NULL ? strlen(types) : 0)) {
		rw_error_set(err, db->path, 0, 0, "%s: %d parameters, %zu values", what,
		    sqlite3_bind_parameter_count(st), types != NULL ? strlen(types) : 0);
		sqlite3_finalize(st);
		return NULL;
	}
	if (db_bindv(st, types, ap) != SQLITE_OK) {
		db_fail(db, err, what);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
db_prepare(
    struct db *db, struct rw_error *err, const char *what, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = db_preparev(db, err, what, sql, types, ap);
	va_end(ap);
	return st;
}

int
db_step(struct db *db, sqlite3_stmt *st, struct rw_error *err, const char *what)
{
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return 1;
	case SQLITE_DONE:
		return 0;
	default:
		return db_fail(db, err, what);
	}
}

int
db_exec(struct db *db, struct rw_error *err, const char *what, int *changes, const char *sql,
    const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = db_preparev(db, err, what, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, what)) == 1)
		;
	if (rc == 0 && changes != NULL)
		*changes = sqlite3_changes(db->h);
	sqlite3_finalize(st);
	return rc;
}

void
db_column_copy(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	strlcpy(buf, s != NULL ? (const char *)s : "", len);
}

/* A PRAGMA whose value is one integer; the only SQL ever formatted rather than bound. */
static int
db_pragma_int(struct db *db, const char *name, int64_t set, int64_t *out, struct rw_error *err)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	if (set >= 0)
		snprintf(sql, sizeof(sql), "PRAGMA %s = %lld", name, (long long)set);
	else
		snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((st = db_prepare(db, err, name, sql, NULL)) == NULL)
		return -1;
	rc = db_step(db, st, err, name);
	if (rc == 1 && out != NULL)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

static int
db_script(struct db *db, const char *sql, const char *what, struct rw_error *err)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, what);
	return 0;
}

int
db_begin(struct db *db, struct rw_error *err)
{
	return db_script(db, "BEGIN IMMEDIATE", "beginning a transaction", err);
}

int
db_commit(struct db *db, struct rw_error *err)
{
	return db_script(db, "COMMIT", "committing", err);
}

void
db_rollback(struct db *db)
{
	/* SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR). */
	if (db != NULL && !sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

static int
db_migrate(struct db *db, struct rw_error *err)
{
	int64_t v;
	int i;

	if (db_pragma_int(db, "user_version", -1, &v, err) == -1)
		return -1;
	if (v < 0 || v > DB_LATEST) {
		rw_error_set(err, db->path, 0, 0,
		    "schema version %lld was written by a newer recruitwatch (this one knows %d)",
		    (long long)v, DB_LATEST);
		return -1;
	}
	/* One transaction per migration: a crash between two leaves a file at a known version. */
	for (i = (int)v; i < DB_LATEST; i++) {
		char what[64];

		snprintf(what, sizeof(what), "migrating to schema version %d", i + 1);
		if (db_begin(db, err) == -1)
			return -1;
		if (db_script(db, db_migrations[i], what, err) == -1 ||
		    db_pragma_int(db, "user_version", i + 1, NULL, err) == -1 ||
		    db_commit(db, err) == -1) {
			db_rollback(db);
			return -1;
		}
	}
	db->version = DB_LATEST;
	return 0;
}

struct db *
db_open(const char *path, struct rw_error *err)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL) {
		free(db);
		rw_error_set(err, path, 0, 0, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		db_fail(db, err, "opening");
		db_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db->h, 1);
	/*
	 * WAL lets readers (the API) run beside the writer. synchronous=FULL syncs the WAL at
	 * every commit: an event acknowledged by its transaction, and the outbox rows written
	 * with it, survive a power loss, and so does a delivered mark (with NORMAL the last
	 * commits could vanish, and a lost delivered mark means an alert sent twice).
	 */
	sqlite3_busy_timeout(db->h, 5000);
	if (db_script(db, "PRAGMA journal_mode = WAL", "setting WAL mode", err) == -1 ||
	    db_script(db, "PRAGMA synchronous = FULL", "setting synchronous", err) == -1 ||
	    db_script(db, "PRAGMA foreign_keys = ON", "enabling foreign keys", err) == -1 ||
	    /* A WAL that once grew large (a big poll while checkpoints could not run, as on a
	     * full disk) is cut back after the next checkpoint instead of holding the space. */
	    db_script(db, "PRAGMA journal_size_limit = 8388608", "limiting the WAL", err) == -1 ||
	    db_migrate(db, err) == -1 ||
	    db_pragma_int(db, "max_page_count", -1, &db->max_pages, err) == -1) {
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}

int
db_set_max_bytes(struct db *db, int64_t max, struct rw_error *err)
{
	int64_t psize, pages;

	if (max < 0) {
		rw_error_set(err, db->path, 0, 0, "negative size bound %lld", (long long)max);
		return -1;
	}
	if (db_pragma_int(db, "page_size", -1, &psize, err) == -1)
		return -1;
	if (psize <= 0)
		psize = 4096;
	/* SQLite's own ceiling (which depends on its version) stands for "no bound". */
	pages = max == 0 ? db->max_pages : (max + psize - 1) / psize;
	if (pages < 1)
		pages = 1;
	if (pages > db->max_pages)
		pages = db->max_pages;
	return db_pragma_int(db, "max_page_count", pages, NULL, err);
}
