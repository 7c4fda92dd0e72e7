/* The outbox: one row per event and subscription, delivered in order per subscription, retried
 * with back-off, and marked delivered only once the sink has acknowledged it. */
#ifndef RW_OUTBOX_H
#define RW_OUTBOX_H

#include <stdint.h>

#include "db.h"

struct outbox_row {
	int64_t id;
	int64_t sub_id;
	char event_id[48]; /* "evt_" + hex: the idempotency key */
	char type[32]; /* finding.opened, finding.changed, finding.resolved */
	int64_t created; /* when the event was written */
	int attempts;
	int64_t next_attempt;
	char *payload; /* the event's JSON; owned by the row: outbox_row_clear */
};

void outbox_row_clear(struct outbox_row *);

/* The oldest pending row of the subscription (order is per subscription: a later row waits
 * for an earlier one). 1 with *out filled, 0 when none is pending, -1 error. A pending row
 * that is not due yet is still returned: the caller compares next_attempt with now. */
int outbox_head(struct db *, int64_t sub_id, struct outbox_row *out, struct rw_error *err);
/* Up to max due rows in order, for digests; cb may not touch the outbox. Returns the count. */
int outbox_due(struct db *, int64_t sub_id, int64_t now, int max,
    int (*cb)(const struct outbox_row *, void *), void *arg, struct rw_error *err);

int outbox_delivered(struct db *, int64_t row_id, int64_t now, struct rw_error *err);
/* attempts + 1, the error kept; dead: the row gives up (dead-letter) and the next one in the
 * subscription's order becomes the head. */
int outbox_failed(struct db *, int64_t row_id, int64_t now, const char *msg, int64_t next_attempt,
    int dead, struct rw_error *err);

struct outbox_stats {
	int64_t pending, delivered, dead;
	int64_t oldest_pending; /* created of the oldest pending row, 0 when none */
};
int outbox_stats(
    struct db *, int64_t sub_id /* 0: all */, struct outbox_stats *, struct rw_error *err);

#endif
