/* Delivery: for each active subscription, its outbox rows handed to its sink in order, one at a
 * time (or as a digest), retried with exponential back-off, dead-lettered after a bound. */
#ifndef RW_DELIVER_H
#define RW_DELIVER_H

#include <stdint.h>

#include <event2/event.h>

#include "config.h"
#include "db.h"
#include "fetch.h"
#include "subs.h"

struct deliver_stats {
	uint64_t attempts, delivered, failed, dead;
	double seconds; /* sum of acknowledged deliveries' latency from event to acknowledgement */
};

struct deliverer;

/* Sinks are made from cfg; each active subscription in subs gets a lane. A subscription naming
 * a sink that does not exist is logged and left pending (its rows wait). */
struct deliverer *dlv_new(struct event_base *, struct db *, const struct config *, struct fetcher *,
    const struct subs *, struct rw_error *err);
void dlv_free(struct deliverer *);

/* New configuration and subscriptions; sinks are rebuilt after in-flight deliveries end. On
 * error the old ones stay. */
int dlv_reload(
    struct deliverer *, const struct config *, const struct subs *, struct rw_error *err);

/* New outbox rows may be due: every idle lane looks now. */
void dlv_kick(struct deliverer *);
/* Stops starting deliveries; those in flight finish (dlv_busy() falls to 0). */
void dlv_stop(struct deliverer *);
size_t dlv_busy(const struct deliverer *);
/* Rows due now (next_attempt <= now) in lanes that can deliver: 0 means "idle". */
size_t dlv_due(struct deliverer *);
void dlv_get_stats(const struct deliverer *, struct deliver_stats *);

/* The retry delay after attempts failed attempts: base * 2^(attempts-1), capped at max, with
 * +-10% jitter from rnd in [0, 1). */
int64_t dlv_retry_delay(int attempts, int base_s, int max_s, double rnd);

#endif
