/* The HTTP API's small endpoints: health, Prometheus metrics, the feeds' health, the rulebook
 * in force, and a reload asked by an administrator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "api.h"
#include "deliver.h"
#include "feeds.h"
#include "log.h"
#include "outbox.h"
#include "poller.h"

#define VERSION "0.1.0"

static void
misc_healthz(struct api_ctx *ctx, struct api_req *r)
{
	api_reply_json(r, 200,
	    json_pack("{s:s, s:s, s:I}", "status", "ok", "version", VERSION, "uptime_s",
		(json_int_t)(time(NULL) - ctx->started)));
}

/* --- GET /metrics --- */

static void
metric_head(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value in the exposition format: backslash, quote and newline escaped. */
static void
label_value(struct evbuffer *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

/* "name{label="value"} count" for each row of a two-column (text, count) query. */
static int
metric_rows(struct api_ctx *ctx, struct evbuffer *b, const char *name, const char *label,
    const char *sql, struct rw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(ctx->db, err, name, sql, "")) == NULL)
		return -1;
	while ((rc = db_step(ctx->db, st, err, name)) == 1) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		evbuffer_add_printf(b, "%s{%s=\"", name, label);
		label_value(b, v != NULL ? v : "");
		evbuffer_add_printf(b, "\"} %lld\n", (long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	return rc;
}

static int
metrics_state(struct api_ctx *ctx, struct evbuffer *b, struct rw_error *err)
{
	struct outbox_stats os;

	metric_head(b, "recruitwatch_findings_open", "gauge", "Open findings by category.");
	if (metric_rows(ctx, b, "recruitwatch_findings_open", "category",
		"SELECT category, count(*) FROM findings WHERE status = 'open' GROUP BY category "
		"ORDER BY category",
		err) != 0)
		return -1;
	metric_head(b, "recruitwatch_events_total", "counter", "Finding events recorded by type.");
	if (metric_rows(ctx, b, "recruitwatch_events_total", "type",
		"SELECT type, count(*) FROM events GROUP BY type ORDER BY type", err) != 0)
		return -1;
	if (outbox_stats(ctx->db, 0, &os, err) != 0)
		return -1;
	metric_head(b, "recruitwatch_outbox_pending", "gauge", "Alerts waiting for delivery.");
	evbuffer_add_printf(b, "recruitwatch_outbox_pending %lld\n", (long long)os.pending);
	metric_head(b, "recruitwatch_feed_failures", "gauge",
	    "Consecutive failed polls of each active feed.");
	return metric_rows(ctx, b, "recruitwatch_feed_failures", "feed",
	    "SELECT name, failures FROM feeds WHERE active ORDER BY name", err);
}

static void
misc_metrics(struct api_ctx *ctx, struct api_req *r)
{
	static const char *const le[] = {"0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf"};
	struct api_metrics *m = &ctx->metrics;
	struct poller_stats ps;
	struct deliver_stats ds;
	struct rw_error err;
	struct evbuffer *b;
	char buf[1200];
	uint64_t cum = 0;
	size_t i, len;

	if ((b = evbuffer_new()) == NULL) {
		api_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	memset(&ps, 0, sizeof(ps));
	memset(&ds, 0, sizeof(ds));
	if (ctx->poller != NULL)
		poller_get_stats(ctx->poller, &ps);
	if (ctx->dlv != NULL)
		dlv_get_stats(ctx->dlv, &ds);
	metric_head(b, "recruitwatch_polls_total", "counter", "Feed polls completed.");
	evbuffer_add_printf(b, "recruitwatch_polls_total %llu\n", (unsigned long long)ps.polls);
	metric_head(b, "recruitwatch_poll_errors_total", "counter", "Feed polls that failed.");
	evbuffer_add_printf(
	    b, "recruitwatch_poll_errors_total %llu\n", (unsigned long long)ps.poll_errors);
	metric_head(b, "recruitwatch_items_total", "counter", "Feed items read.");
	evbuffer_add_printf(b, "recruitwatch_items_total %llu\n", (unsigned long long)ps.items);
	metric_head(b, "recruitwatch_deliveries_total", "counter",
	    "Alert delivery attempts by result since the start.");
	evbuffer_add_printf(b,
	    "recruitwatch_deliveries_total{result=\"delivered\"} %llu\n"
	    "recruitwatch_deliveries_total{result=\"failed\"} %llu\n"
	    "recruitwatch_deliveries_total{result=\"dead\"} %llu\n",
	    (unsigned long long)ds.delivered, (unsigned long long)ds.failed,
	    (unsigned long long)ds.dead);
	metric_head(b, "recruitwatch_checks_total", "counter",
	    "Documents evaluated through POST /v1/check.");
	evbuffer_add_printf(b, "recruitwatch_checks_total %llu\n", (unsigned long long)m->checks);
	if (metrics_state(ctx, b, &err) != 0) {
		evbuffer_free(b);
		log_error("api: metrics: %s", rw_error_str(&err, buf, sizeof(buf)));
		api_reply_error(r, 500, "internal", "the state file could not be read");
		return;
	}
	metric_head(b, "recruitwatch_http_requests_total", "counter",
	    "API requests answered, by status class.");
	for (i = 1; i < 6; i++)
		evbuffer_add_printf(b, "recruitwatch_http_requests_total{code=\"%zuxx\"} %llu\n", i,
		    (unsigned long long)m->requests[i]);
	metric_head(
	    b, "recruitwatch_http_request_duration_seconds", "histogram", "API request latency.");
	for (i = 0; i < 8; i++) {
		cum += m->request_buckets[i];
		evbuffer_add_printf(b,
		    "recruitwatch_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n", le[i],
		    (unsigned long long)cum);
	}
	evbuffer_add_printf(b,
	    "recruitwatch_http_request_duration_seconds_sum %.6f\n"
	    "recruitwatch_http_request_duration_seconds_count %llu\n",
	    m->request_seconds_sum, (unsigned long long)m->request_seconds_count);
	len = evbuffer_get_length(b);
	api_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    (const char *)evbuffer_pullup(b, -1), len);
	evbuffer_free(b);
}

/* --- GET /v1/feeds --- */

static json_t *
when(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (t == 0)
		return json_null();
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static const char *
health(const struct feed_row *f)
{
	if (!f->active)
		return "inactive";
	if (f->failures > 0)
		return "failing";
	return f->last_success > 0 ? "ok" : "new";
}

/* The same fields as `recruitwatch feeds --format json`, with the URL's credentials and query
 * string left out: a feed's URL may carry an access key. */
static int
feed_cb(const struct feed_row *f, void *arg)
{
	json_t *arr = arg;
	char url[1024];

	json_array_append_new(arr,
	    json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:s?, s:i, s:I, s:o, s:I}", "name", f->name,
		"url", log_url(f->url, url, sizeof(url)), "health", health(f), "agency",
		f->agency[0] != '\0' ? f->agency : NULL, "last_success", when(f->last_success),
		"last_error_at", when(f->last_error_at), "last_error",
		f->last_error[0] != '\0' ? f->last_error : NULL, "failures", f->failures, "items",
		(json_int_t)f->items, "next_poll", when(f->next_poll), "polls",
		(json_int_t)f->polls));
	return 0;
}

static void
misc_feeds(struct api_ctx *ctx, struct api_req *r)
{
	struct rw_error err;
	json_t *arr = json_array();
	char buf[1200];

	if (arr == NULL || feeds_each(ctx->db, feed_cb, arr, &err) != 0) {
		json_decref(arr);
		log_error("api: feeds: %s", rw_error_str(&err, buf, sizeof(buf)));
		api_reply_error(r, 500, "internal", "the state file could not be read");
		return;
	}
	api_reply_json(r, 200, json_pack("{s:o}", "feeds", arr));
}

/* --- GET /v1/rules --- */

static void
misc_rules(struct api_ctx *ctx, struct api_req *r)
{
	const struct rulebook *rb = ctx->rb;
	json_t *rules = json_array(), *lists = json_array();
	size_t i, n;

	for (i = 0; i < rb_nrules(rb); i++) {
		const struct rb_rule *x = rb_rule_at(rb, i);

		json_array_append_new(rules,
		    json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "id", rb_rule_id(x), "category",
			rb_rule_category(x), "severity", severity_name(rb_rule_severity(x)),
			"title", rb_rule_title(x), "enabled", rb_rule_enabled(x), "revision",
			rb_rule_revision(x)));
	}
	for (i = 0; i < rb_nlists(rb); i++) {
		const char *id, *family, *edition, *effective;

		rb_list_info(rb, i, &id, &family, &edition, &effective, &n);
		json_array_append_new(lists,
		    json_pack("{s:s, s:s?, s:s?, s:s?, s:I}", "id", id, "family", family, "edition",
			edition, "effective", effective, "size", (json_int_t)n));
	}
	api_reply_json(r, 200,
	    json_pack(
		"{s:s, s:o, s:o}", "version", rb_version(rb), "rules", rules, "lists", lists));
}

/* --- POST /v1/reload --- */

static void
misc_reload(struct api_ctx *ctx, struct api_req *r)
{
	log_info("api: reload asked by %s", r->principal);
	api_reply_json(r, 202, json_pack("{s:s}", "status", "reloading"));
	if (ctx->reload != NULL)
		ctx->reload(ctx->arg);
}

const struct api_route api_misc_routes[] = {
    {"GET", "/healthz", 0, misc_healthz, 0},
    {"GET", "/metrics", ROLE_ADMIN | ROLE_REGULATOR, misc_metrics, 0},
    {"GET", "/v1/feeds", ROLE_ADMIN | ROLE_REGULATOR | ROLE_UNION, misc_feeds, 0},
    {"GET", "/v1/rules", ROLE_ADMIN | ROLE_REGULATOR | ROLE_UNION, misc_rules, 0},
    {"POST", "/v1/reload", ROLE_ADMIN, misc_reload, 0},
    {NULL, NULL, 0, NULL, 0},
};
