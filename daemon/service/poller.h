/* The poller: each configured feed fetched on its schedule (with jitter and back-off), its
 * items read as they stream in, evaluated, and recorded in the state with their alerts. */
#ifndef RW_POLLER_H
#define RW_POLLER_H

#include <stdint.h>

#include <event2/event.h>

#include "config.h"
#include "db.h"
#include "eval.h"
#include "fetch.h"
#include "subs.h"

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

#endif
