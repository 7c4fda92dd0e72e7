/* The poller: each configured feed fetched on its schedule (with jitter and back-off), its
 * items read as they stream in, evaluated, and recorded in the state with their alerts. */
#ifndef RW_POLLER_H
#define RW_POLLER_H

#include <stdint.h>

#include <event2/event.h>

#include "config.h"
#include "db.h"
#include "doc.h"
#include "eval.h"
#include "fetch.h"
#include "subs.h"
#include "track.h"

struct poller_env {
	struct event_base *base;
	struct fetcher *fetcher;
	struct db *db;
	const struct config *cfg;
	const struct rulebook *rb;
	const struct norm *nm;
	struct evaluator *ev;
	const struct subs *subs;
	/* Outbox rows were written: delivery should look. */
	void (*wrote)(void *arg);
	/* A poll of some feed finished (whatever its outcome). */
	void (*polled)(void *arg);
	void *arg;
};

struct poller_stats {
	uint64_t polls, poll_errors, not_modified;
	uint64_t items, items_evaluated, item_errors;
	uint64_t opened, changed, resolved;
	double fetch_seconds; /* sum over completed polls */
};

struct poller;

/* Syncs the configured feeds into the state (feeds no longer configured become inactive)
 * and schedules them: the first poll soon after start, unless the state says a poll is not due
 * yet. once: each feed is polled a single time and never rescheduled. */
struct poller *poller_new(const struct poller_env *, int once, struct rw_error *err);
void poller_free(struct poller *);

/* A new configuration or rulebook: polls in flight are abandoned (nothing of a half-read
 * poll is lost: items already recorded stay, the rest are read again) and every feed is
 * rescheduled with the new settings. */
int poller_reload(struct poller *, const struct poller_env *, struct rw_error *err);
/* New subscriptions (made or deleted through the API): polls go on, and what they record from
 * now on is matched against subs. */
void poller_set_subs(struct poller *, const struct subs *);
/* Stops fetching: in-flight polls are cancelled, no poll is scheduled again. */
void poller_stop(struct poller *);

/* Polls in flight, and feeds that still have a poll to make in once mode. */
size_t poller_busy(const struct poller *);
size_t poller_pending_once(const struct poller *);
void poller_get_stats(const struct poller *, struct poller_stats *);

/* The delay before a feed's next poll: the interval after a success, exponential back-off
 * (interval * 2^(failures-1), capped) after failures, with +- jitter_pct percent of jitter.
 * rnd is a uniform value in [0, 1). */
int64_t poller_next_delay(
    int interval_s, int failures, int backoff_max_s, int jitter_pct, double rnd);

/* One evaluated document recorded as an item of a feed: the poller's path, shared with
 * POST /v1/check?record=true so both store the same facts. */
struct poller_record {
	struct db *db;
	const struct subs *subs;
	int64_t feed_id;
	int64_t poll; /* from feeds_poll_started */
	const char *rulebook; /* rb_version() */
	const char *agency; /* the feed's configured agency, for documents naming none; or NULL */
	const char *format; /* fmt_name() of the source */
	const unsigned char *raw; /* the item's own bytes (feed_raw) */
	size_t rawlen;
};

/* The item's key in its feed: its origin guid, else its url, else its document id. malloc'd;
 * NULL when out of memory. */
char *poller_doc_key(struct doc *);
/* Records d under key with report = findings_json(fs, doc, SEV_INFO) (its "agency" is filled
 * from r->agency when null) through track_record. 0, or -1 with err. */
int poller_record_doc(const struct poller_record *, struct doc *, const char *key, json_t *report,
    struct track_result *out, struct rw_error *err);

#endif
