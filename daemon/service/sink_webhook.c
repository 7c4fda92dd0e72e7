/* Webhooks: the alert POSTed as it is stored, signed in the manner of Standard Webhooks; a 2xx
 * acknowledges it, 410 Gone ends the subscription's retries, anything else is retried. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sink_internal.h"
#include "whsig.h"

#define SINK_WEBHOOK_UA "User-Agent: recruitwatch/0.1"
#define SINK_WEBHOOK_FIXED 5

static int
sink_webhook_open(struct sink *s, struct rw_error *err)
{
	char sig[128];
	size_t i;

	if (s->url == NULL ||
	    (strncasecmp(s->url, "http://", 7) != 0 && strncasecmp(s->url, "https://", 8) != 0)) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: the url is not http(s)", s->name);
		return -1;
	}
	/* a bad secret is found now rather than at the first alert */
	if (s->secret == NULL) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: no secret", s->name);
		return -1;
	}
	if (whsig_sign(s->secret, "msg", 0, "", 0, sig, sizeof(sig), err) != 0) {
		rw_error_set(err, s->file, s->line, 0,
		    "sink %s: the secret is not \"whsec_\" and base64 of 24 to 64 bytes", s->name);
		return -1;
	}
	for (i = 0; i < s->nheaders; i++)
		sink_strip_crlf(s->headers[i]);
	return 0;
}

static void
sink_webhook_close(struct sink *s)
{
}

static int
sink_webhook_judge(
    struct sink *s, const struct fetch_result *r, int *permanent, char *msg, size_t msglen)
{
	if (!r->ok) {
		rw_error_str(&r->err, msg, msglen);
		return 0;
	}
	if (r->status >= 200 && r->status <= 299)
		return 1;
	/* Gone: the receiver says it will never take these again */
	*permanent = r->status == 410;
	snprintf(msg, msglen, "HTTP %ld", r->status);
	return 0;
}

static int
sink_webhook_deliver(struct sink *s, const struct outbox_row *rows, size_t n, sink_done_cb done,
    void *arg, struct rw_error *err)
{
	const struct outbox_row *row = &rows[0];
	char id[sizeof(row->event_id) + 16], ts[64], sig[160], sighdr[192];
	const char **headers;
	struct fetch_req req;
	size_t i, len;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (row->payload == NULL) {
		done(0, 1, "the event has no payload", arg);
		return 0;
	}
	len = strlen(row->payload);
	snprintf(id, sizeof(id), "webhook-id: %s", row->event_id);
	sink_strip_crlf(id);
	snprintf(ts, sizeof(ts), "webhook-timestamp: %" PRId64, now);
	/* signed with the id as sent, so the receiver can recompute it from the headers */
	if (whsig_sign(s->secret, id + strlen("webhook-id: "), now, row->payload, len, sig,
		sizeof(sig), err) != 0)
		return -1;
	snprintf(sighdr, sizeof(sighdr), "webhook-signature: %s", sig);
	if ((headers = calloc(SINK_WEBHOOK_FIXED + s->nheaders, sizeof(*headers))) == NULL) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: out of memory", s->name);
		return -1;
	}
	headers[0] = "Content-Type: application/json";
	headers[1] = id;
	headers[2] = ts;
	headers[3] = sighdr;
	headers[4] = SINK_WEBHOOK_UA;
	for (i = 0; i < s->nheaders; i++)
		headers[SINK_WEBHOOK_FIXED + i] = s->headers[i];
	memset(&req, 0, sizeof(req));
	req.url = s->url;
	req.method = "POST";
	req.headers = headers;
	req.nheaders = SINK_WEBHOOK_FIXED + s->nheaders;
	req.body = row->payload;
	req.bodylen = len;
	req.timeout_s = s->timeout_s;
	rc = sink_job_start(s, &req, sink_webhook_judge, done, arg, err);
	free(headers);
	return rc;
}

const struct sink_ops sink_webhook_ops = {
    sink_webhook_open,
    sink_webhook_close,
    sink_webhook_deliver,
};
