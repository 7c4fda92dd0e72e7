/* The outbox: pending alerts per subscription in the order they were written, their retries,
 * and the mark that a sink has acknowledged one. */
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

#define OB_SELECT                                                                                  \
	"SELECT o.id, o.sub_id, o.event_id, e.type, e.at, o.attempts, o.next_attempt, e.payload "  \
	"FROM outbox o JOIN events e ON e.id = o.event_id "

void
outbox_row_clear(struct outbox_row *r)
{
	if (r == NULL)
		return;
	free(r->payload);
	memset(r, 0, sizeof(*r));
}

static int
ob_from_row(struct db *db, sqlite3_stmt *st, struct outbox_row *r, struct rw_error *err)
{
	const unsigned char *p = sqlite3_column_text(st, 7);

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->sub_id = sqlite3_column_int64(st, 1);
	db_column_copy(st, 2, r->event_id, sizeof(r->event_id));
	db_column_copy(st, 3, r->type, sizeof(r->type));
	r->created = sqlite3_column_int64(st, 4);
	r->attempts = sqlite3_column_int(st, 5);
	r->next_attempt = sqlite3_column_int64(st, 6);
	if ((r->payload = strdup(p != NULL ? (const char *)p : "")) == NULL) {
		rw_error_set(err, db_path(db), 0, 0, "out of memory");
		return -1;
	}
	return 0;
}

int
outbox_head(struct db *db, int64_t sub_id, struct outbox_row *out, struct rw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, err, "reading the outbox",
	    OB_SELECT "WHERE o.sub_id = ? AND o.state = 'pending' ORDER BY o.id LIMIT 1", "I",
	    sub_id);
	if (st == NULL)
		return -1;
	rc = db_step(db, st, err, "reading the outbox");
	if (rc == 1 && ob_from_row(db, st, out, err) == -1)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/*
 * Due rows from the head on, stopping at the first pending row that is not due: a row later
 * in the subscription's order never overtakes one that is waiting for its retry.
 */
int
outbox_due(struct db *db, int64_t sub_id, int64_t now, int max,
    int (*cb)(const struct outbox_row *, void *), void *arg, struct rw_error *err)
{
	struct outbox_row r;
	sqlite3_stmt *st;
	int n = 0, rc;

	if (max <= 0)
		return 0;
	st = db_prepare(db, err, "reading the outbox",
	    OB_SELECT "WHERE o.sub_id = ? AND o.state = 'pending' ORDER BY o.id LIMIT ?", "Ii",
	    sub_id, max);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "reading the outbox")) == 1) {
		int stop;

		if (sqlite3_column_int64(st, 6) > now)
			break;
		if (ob_from_row(db, st, &r, err) == -1) {
			rc = -1;
			break;
		}
		n++;
		stop = cb(&r, arg);
		outbox_row_clear(&r);
		if (stop != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : n;
}

static int
ob_update(struct db *db, struct rw_error *err, int64_t row_id, int changes, const char *which)
{
	if (changes == 0) {
		rw_error_set(
		    err, db_path(db), 0, 0, "no %soutbox row %lld", which, (long long)row_id);
		return -1;
	}
	return 0;
}

int
outbox_delivered(struct db *db, int64_t row_id, int64_t now, struct rw_error *err)
{
	int changes;

	if (db_exec(db, err, "marking an alert delivered", &changes,
		"UPDATE outbox SET state = 'delivered', delivered_at = ?, last_attempt = ?, "
		"last_error = NULL WHERE id = ?",
		"III", now, now, row_id) == -1)
		return -1;
	return ob_update(db, err, row_id, changes, "");
}

int
outbox_failed(struct db *db, int64_t row_id, int64_t now, const char *msg, int64_t next_attempt,
    int dead, struct rw_error *err)
{
	int changes;

	if (db_exec(db, err, "recording a failed delivery", &changes,
		"UPDATE outbox SET attempts = attempts + 1, last_attempt = ?, last_error = ?, "
		"next_attempt = ?, state = CASE WHEN ? THEN 'dead' ELSE state END "
		"WHERE id = ? AND state = 'pending'",
		"ItIiI", now, msg != NULL ? msg : "", next_attempt, dead != 0, row_id) == -1)
		return -1;
	return ob_update(db, err, row_id, changes, "pending ");
}

int
outbox_stats(struct db *db, int64_t sub_id, struct outbox_stats *s, struct rw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	st = db_prepare(db, err, "counting the outbox",
	    "SELECT o.state, count(*), min(e.at) FROM outbox o JOIN events e ON e.id = o.event_id "
	    "WHERE ? = 0 OR o.sub_id = ? GROUP BY o.state",
	    "II", sub_id, sub_id);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "counting the outbox")) == 1) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);

		if (state == NULL)
			continue;
		if (strcmp(state, "pending") == 0) {
			s->pending = n;
			s->oldest_pending = sqlite3_column_int64(st, 2);
		} else if (strcmp(state, "delivered") == 0)
			s->delivered = n;
		else if (strcmp(state, "dead") == 0)
			s->dead = n;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}
