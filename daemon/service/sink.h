/* Sinks deliver one outbox row (or a digest of rows) and say whether it was acknowledged:
 * JSON lines or text to a file or standard output, the journal, syslog, webhooks, e-mail. */
#ifndef RW_SINK_H
#define RW_SINK_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "fetch.h"
#include "outbox.h"

struct sink;

/* ok: acknowledged (a 2xx, a written and flushed line, a mail accepted); otherwise msg says
 * why (no secret in it) and permanent asks for no retry (e.g. 410 Gone). */
typedef void (*sink_done_cb)(int ok, int permanent, const char *msg, void *arg);

/* fetcher is used by webhook and smtp sinks; NULL with err when the sink cannot be set up
 * (file not writable, secret not valid). */
struct sink *sink_new(const struct cfg_sink *, struct fetcher *, struct rw_error *err);
void sink_free(struct sink *); /* in-flight deliveries are cancelled; done is not called */

const char *sink_name(const struct sink *);
/* 0: rows go one at a time; otherwise rows are collected and sent together this often. */
int sink_digest_interval(const struct sink *);

/* Delivers rows[0..n) (n is 1 unless the sink digests); done is called exactly once, possibly
 * before this returns. -1 with err when nothing could even be started (done not called). */
int sink_deliver(struct sink *, const struct outbox_row *rows, size_t n, sink_done_cb done,
    void *arg, struct rw_error *err);
/* Deliveries in flight. */
size_t sink_busy(const struct sink *);

#endif
