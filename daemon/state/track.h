/* Items and the findings lifecycle: each evaluated item is compared with what the state
 * already holds, and every finding opened, changed or resolved becomes an event with its outbox
 * rows -- all in one transaction, so an alert is never half-written. */
#ifndef RW_TRACK_H
#define RW_TRACK_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "subs.h"

struct track_item {
	int64_t feed_id;
	int64_t poll; /* from feeds_poll_started */
	int64_t now; /* unix seconds */
	const char *guid; /* the item's key in its feed: origin guid, else url, else doc id */
	const char *doc_id; /* "sha256:..." of the canonical content */
	const char *rulebook; /* rb_version() the report was made with */
	const unsigned char *raw; /* the item's own bytes, re-checkable later */
	size_t rawlen;
	const char *format;
	const char *title;
	const char *agency;
	const char *destinations; /* "GB,IE" or "" */
	const char *sources; /* "NG,GH" or "" */
	/* findings_json(fs, doc, SEV_INFO): {"document": {...}, "findings": [...]} */
	const json_t *report;
};

struct track_result {
	int is_new; /* the item was not known */
	int changed; /* its content or its findings differ from what was stored */
	int opened, changed_findings, resolved; /* events written */
	int outbox; /* outbox rows written */
};

/* Whether the stored item (feed, guid) has this content and was evaluated with this rulebook;
 * if so its last_seen and poll are updated and the caller can skip evaluation. 1 current, 0
 * not, -1 error. */
int track_is_current(struct db *, int64_t feed_id, const char *guid, const char *doc_id,
    const char *rulebook, int64_t poll, int64_t now, struct rw_error *err);

/* Records the item and its findings; writes events and outbox rows for every subscription
 * whose filter matches. One transaction: on error nothing of it is kept. */
int track_record(struct db *, const struct track_item *, const struct subs *,
    struct track_result *out, struct rw_error *err);

/* After a complete poll: items of the feed not seen in this poll are gone, and their open
 * findings resolved (events and outbox rows as above). *resolved counts them. */
int track_sweep(struct db *, int64_t feed_id, int64_t poll, int64_t now, const struct subs *,
    int *resolved, struct rw_error *err);

/* Retention: resolved findings, delivered or dead outbox rows, their events, and gone items
 * older than before are deleted, then raw copies nothing refers to. */
int track_prune(struct db *, int64_t before, int64_t *deleted, struct rw_error *err);

/* Finding ids are stable: "f_" + 32 hex digits of SHA-256(feed id, guid, rule). */
void track_finding_id(int64_t feed_id, const char *guid, const char *rule, char out[40]);

#endif
