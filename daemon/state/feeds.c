/* Feeds in the state file: configuration sync, conditional-GET validators, the poll counter
 * and each feed's health. */
#include <stdio.h>
#include <string.h>

#include "feeds.h"

#define FEED_COLUMNS                                                                               \
	"id, name, url, agency, etag, last_modified, last_poll, last_success, last_error_at, "     \
	"last_error, failures, next_poll, polls, items, active"

static void
feed_from_row(sqlite3_stmt *st, struct feed_row *f)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	db_column_copy(st, 1, f->name, sizeof(f->name));
	db_column_copy(st, 2, f->url, sizeof(f->url));
	db_column_copy(st, 3, f->agency, sizeof(f->agency));
	db_column_copy(st, 4, f->etag, sizeof(f->etag));
	db_column_copy(st, 5, f->last_modified, sizeof(f->last_modified));
	f->last_poll = sqlite3_column_int64(st, 6);
	f->last_success = sqlite3_column_int64(st, 7);
	f->last_error_at = sqlite3_column_int64(st, 8);
	db_column_copy(st, 9, f->last_error, sizeof(f->last_error));
	f->failures = sqlite3_column_int(st, 10);
	f->next_poll = sqlite3_column_int64(st, 11);
	f->polls = sqlite3_column_int64(st, 12);
	f->items = sqlite3_column_int64(st, 13);
	f->active = sqlite3_column_int(st, 14);
}

/* An update that names a feed which does not exist is the caller's mistake, said as such. */
static int
feed_update(struct db *db, struct rw_error *err, int64_t id, int changes)
{
	if (changes == 0) {
		rw_error_set(err, db_path(db), 0, 0, "no feed with id %lld", (long long)id);
		return -1;
	}
	return 0;
}

int
feeds_sync(struct db *db, const char *name, const char *url, const char *agency, int64_t *id,
    struct rw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, err, "syncing a feed",
	    "INSERT INTO feeds (name, url, agency, active) VALUES (?, ?, ?, 1) "
	    "ON CONFLICT (name) DO UPDATE SET url = excluded.url, agency = excluded.agency, "
	    "active = 1 RETURNING id",
	    "ttt", name, url != NULL ? url : "", agency != NULL ? agency : "");
	if (st == NULL)
		return -1;
	if ((rc = db_step(db, st, err, "syncing a feed")) == 1 && id != NULL)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == 1 ? 0 : -1;
}

int
feeds_mark_all_inactive(struct db *db, struct rw_error *err)
{
	return db_exec(
	    db, err, "marking feeds inactive", NULL, "UPDATE feeds SET active = 0", NULL);
}

int
feeds_get(struct db *db, int64_t id, struct feed_row *out, struct rw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(
	    db, err, "reading a feed", "SELECT " FEED_COLUMNS " FROM feeds WHERE id = ?", "I", id);
	if (st == NULL)
		return -1;
	if ((rc = db_step(db, st, err, "reading a feed")) == 1)
		feed_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == 0)
		rw_error_set(err, db_path(db), 0, 0, "no feed with id %lld", (long long)id);
	return rc == 1 ? 0 : -1;
}

int
feeds_each(
    struct db *db, int (*cb)(const struct feed_row *, void *), void *arg, struct rw_error *err)
{
	struct feed_row f;
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, err, "listing feeds",
	    "SELECT " FEED_COLUMNS " FROM feeds ORDER BY active DESC, name", NULL);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "listing feeds")) == 1) {
		feed_from_row(st, &f);
		if (cb(&f, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

int
feeds_poll_started(struct db *db, int64_t id, int64_t now, int64_t *poll, struct rw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, err, "starting a poll",
	    "UPDATE feeds SET last_poll = ? WHERE id = ? RETURNING polls + 1", "II", now, id);
	if (st == NULL)
		return -1;
	if ((rc = db_step(db, st, err, "starting a poll")) == 1 && poll != NULL)
		*poll = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == 0)
		return feed_update(db, err, id, 0);
	return rc == 1 ? 0 : -1;
}

int
feeds_poll_ok(struct db *db, int64_t id, int64_t poll, int64_t now, const char *etag,
    const char *last_modified, int64_t items, int64_t next_poll, struct rw_error *err)
{
	int changes;

	if (db_exec(db, err, "recording a poll", &changes,
		"UPDATE feeds SET etag = ?, last_modified = ?, last_success = ?, failures = 0, "
		"last_error = NULL, polls = ?, items = ?, next_poll = ? WHERE id = ?",
		"ttIIIII", etag, last_modified, now, poll, items, next_poll, id) == -1)
		return -1;
	return feed_update(db, err, id, changes);
}

int
feeds_poll_not_modified(
    struct db *db, int64_t id, int64_t now, int64_t next_poll, struct rw_error *err)
{
	int changes;

	if (db_exec(db, err, "recording a poll", &changes,
		"UPDATE feeds SET last_success = ?, failures = 0, last_error = NULL, "
		"next_poll = ? WHERE id = ?",
		"III", now, next_poll, id) == -1)
		return -1;
	return feed_update(db, err, id, changes);
}

int
feeds_poll_failed(struct db *db, int64_t id, int64_t now, const char *msg, int64_t next_poll,
    struct rw_error *err)
{
	int changes;

	if (db_exec(db, err, "recording a failed poll", &changes,
		"UPDATE feeds SET failures = failures + 1, last_error_at = ?, last_error = ?, "
		"next_poll = ? WHERE id = ?",
		"ItII", now, msg != NULL ? msg : "", next_poll, id) == -1)
		return -1;
	return feed_update(db, err, id, changes);
}
