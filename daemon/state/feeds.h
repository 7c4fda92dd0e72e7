/* Feeds as the state knows them: identity, conditional-GET validators, schedule and health. */
#ifndef RW_FEEDS_H
#define RW_FEEDS_H

#include <stdint.h>

#include "db.h"

struct feed_row {
	int64_t id;
	char name[128];
	char url[1024];
	char agency[256];
	char etag[256]; /* "" when none */
	char last_modified[128]; /* "" when none */
	int64_t last_poll; /* unix seconds; 0 never */
	int64_t last_success; /* a 200 or 304 */
	int64_t last_error_at;
	char last_error[512]; /* "" after a success */
	int failures; /* consecutive */
	int64_t next_poll;
	int64_t polls; /* how many polls have completed (the poll counter for items) */
	int64_t items; /* items present in the feed at the last full poll */
	int active; /* still in the configuration */
};

/* Inserts or updates the feed called name (url and agency may change); *id set. Feeds no
 * longer named by any call between feeds_mark_all_inactive and now stay, inactive. */
int feeds_sync(struct db *, const char *name, const char *url, const char *agency, int64_t *id,
    struct rw_error *err);
int feeds_mark_all_inactive(struct db *, struct rw_error *err);

int feeds_get(struct db *, int64_t id, struct feed_row *out, struct rw_error *err);
/* Every feed (active first, by name); cb returning non-zero stops. */
int feeds_each(
    struct db *, int (*cb)(const struct feed_row *, void *), void *arg, struct rw_error *err);

/* A poll starts: last_poll = now; returns the new poll number (polls + 1) in *poll. */
int feeds_poll_started(struct db *, int64_t id, int64_t now, int64_t *poll, struct rw_error *err);
/* A 200 read to the end: validators kept (NULL clears), failures reset, polls = poll, items
 * counted, next_poll set. */
int feeds_poll_ok(struct db *, int64_t id, int64_t poll, int64_t now, const char *etag,
    const char *last_modified, int64_t items, int64_t next_poll, struct rw_error *err);
/* A 304: nothing changed. */
int feeds_poll_not_modified(
    struct db *, int64_t id, int64_t now, int64_t next_poll, struct rw_error *err);
/* Anything else: failures + 1, the message kept (it must carry no secret). */
int feeds_poll_failed(
    struct db *, int64_t id, int64_t now, const char *msg, int64_t next_poll, struct rw_error *err);

#endif
