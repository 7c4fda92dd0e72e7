/* GET /v1/findings and GET /v1/findings/{id}: the findings the daemon keeps, filtered and
 * paginated, and one finding with its document and history (design §6's finding objects). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "api.h"
#include "log.h"
#include "query.h"

#define FINDINGS_ROLES (ROLE_REGULATOR | ROLE_UNION | ROLE_ADMIN)

void
api_time_rfc3339(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strlcpy(buf, "1970-01-01T00:00:00Z", len);
}

/*
 * "2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.250+02:00" (fractions dropped,
 * no zone meaning UTC). A bare date stands for its first second, or its last when end is set,
 * so that until=DAY includes that day.
 */
static int
parse_time(const char *s, int end, int64_t *out)
{
	const char *p;
	struct tm tm, off;
	int64_t t, sign;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%d", &tm)) == NULL || tm.tm_year < 70)
		return -1;
	if (*p == '\0') {
		*out = (int64_t)timegm(&tm) + (end ? 86399 : 0);
		return 0;
	}
	if ((*p != 'T' && *p != 't' && *p != ' ') || (p = strptime(p + 1, "%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return -1;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	t = (int64_t)timegm(&tm);
	if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) {
		*out = t;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p == '+' ? 1 : -1;
	memset(&off, 0, sizeof(off));
	/* A zone east of UTC is ahead of it: its local time minus the offset is UTC. */
	if ((p = strptime(p + 1, p[3] == ':' ? "%H:%M" : "%H%M", &off)) == NULL || *p != '\0')
		return -1;
	*out = t - sign * (off.tm_hour * 3600 + off.tm_min * 60);
	return 0;
}

/* A value, or a comma-separated list of values, added to l. */
static int
add_list(
    struct query_list *l, const char *name, const char *value, int upper, char *msg, size_t len)
{
	struct rw_error err;
	char buf[512], *p, *q;

	if (strlcpy(buf, value, sizeof(buf)) >= sizeof(buf)) {
		snprintf(msg, len, "%s: value too long", name);
		return -1;
	}
	for (p = buf; p != NULL; p = q) {
		if ((q = strchr(p, ',')) != NULL)
			*q++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0') {
			snprintf(msg, len, "%s: an empty value", name);
			return -1;
		}
		if (upper) {
			char *c;

			for (c = p; *c != '\0'; c++)
				*c = (char)toupper((unsigned char)*c);
		}
		if (query_list_add(l, name, p, &err) == -1) {
			snprintf(msg, len, "%s: %s", name, err.msg);
			return -1;
		}
	}
	return 0;
}

int
api_findings_filter(
    const struct api_req *r, struct query_filter *f, int paging, char *msg, size_t len)
{
	const struct evkeyval *kv;
	struct rw_error err;
	const char *errstr;
	int rc = 0;

	query_filter_init(f);
	for (kv = r->query.tqh_first; rc == 0 && kv != NULL; kv = kv->next.tqe_next) {
		const char *k = kv->key, *v = kv->value;

		if (strcmp(k, "status") == 0) {
			if (strcmp(v, "open") == 0)
				f->status = QUERY_OPEN;
			else if (strcmp(v, "resolved") == 0)
				f->status = QUERY_RESOLVED;
			else if (strcmp(v, "any") == 0)
				f->status = QUERY_ANY;
			else {
				snprintf(
				    msg, len, "status: \"%.64s\" is not open, resolved or any", v);
				rc = -1;
			}
		} else if (strcmp(k, "severity") == 0) {
			if (severity_from_name(v, &f->min) == -1) {
				snprintf(msg, len,
				    "severity: \"%.64s\" is not critical, high, medium, low or "
				    "info",
				    v);
				rc = -1;
			}
		} else if (strcmp(k, "category") == 0)
			rc = add_list(&f->categories, k, v, 0, msg, len);
		else if (strcmp(k, "agency") == 0)
			rc = add_list(&f->agencies, k, v, 0, msg, len);
		else if (strcmp(k, "feed") == 0)
			rc = add_list(&f->feeds, k, v, 0, msg, len);
		else if (strcmp(k, "destination") == 0)
			rc = add_list(&f->destinations, k, v, 1, msg, len);
		else if (strcmp(k, "source") == 0)
			rc = add_list(&f->sources, k, v, 1, msg, len);
		else if (strcmp(k, "since") == 0 || strcmp(k, "until") == 0) {
			int end = k[0] == 'u';

			if (parse_time(v, end, end ? &f->until : &f->since) == -1) {
				snprintf(msg, len,
				    "%s: \"%.64s\" is not an ISO 8601 date or date and time", k, v);
				rc = -1;
			}
		} else if (strcmp(k, "limit") == 0) {
			f->limit = (int)strtonum(v, 1, QUERY_LIMIT_MAX, &errstr);
			if (errstr != NULL) {
				snprintf(msg, len, "limit: \"%.64s\" is not between 1 and %d", v,
				    QUERY_LIMIT_MAX);
				rc = -1;
			}
		} else if (paging && strcmp(k, "cursor") == 0) {
			int64_t t;
			char id[64];

			if (query_cursor_decode(v, &t, id, sizeof(id), &err) == -1) {
				snprintf(msg, len, "cursor: not a cursor this server gave");
				rc = -1;
			} else
				strlcpy(f->cursor, v, sizeof(f->cursor));
		} else {
			snprintf(msg, len, "%.64s: unknown parameter", k);
			rc = -1;
		}
	}
	if (rc == 0 && query_filter_check(f, &err) == -1) {
		snprintf(msg, len, "%s: %s", err.source, err.msg);
		rc = -1;
	}
	if (rc == -1)
		query_filter_clear(f);
	return rc;
}

/* "GB,IE" as ["GB", "IE"]. */
static json_t *
countries_json(const char *s)
{
	json_t *a = json_array();
	const char *p = s, *q;
	char code[8];

	while (a != NULL && *p != '\0') {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		if (q > p && (size_t)(q - p) < sizeof(code)) {
			memcpy(code, p, (size_t)(q - p));
			code[q - p] = '\0';
			json_array_append_new(a, json_string(code));
		}
		p = *q == ',' ? q + 1 : q;
	}
	return a;
}

static json_t *
time_json(int64_t t)
{
	char buf[32];

	if (t <= 0)
		return json_null();
	api_time_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

/* The stored finding (design §6) with its lifecycle and where it was found. */
static json_t *
finding_json(const struct query_finding *f)
{
	json_t *j, *doc;

	if ((j = json_loads(f->body, 0, NULL)) == NULL || !json_is_object(j)) {
		json_decref(j);
		/* A body is always written as JSON; the columns stand in should one not be. */
		j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", f->id, "rule", f->rule, "category",
		    f->category, "severity", f->severity, "message", f->message);
		if (j == NULL)
			return NULL;
	}
	json_object_set_new(j, "status", json_string(f->status));
	json_object_set_new(j, "opened_at", time_json(f->opened_at));
	json_object_set_new(j, "updated_at", time_json(f->updated_at));
	json_object_set_new(j, "resolved_at", time_json(f->resolved_at));
	json_object_set_new(j, "feed", json_string(f->feed));
	json_object_set_new(
	    j, "agency", f->agency[0] != '\0' ? json_string(f->agency) : json_null());
	json_object_set_new(j, "destinations", countries_json(f->destinations));
	json_object_set_new(j, "sources", countries_json(f->sources));
	doc = json_loads(f->document, JSON_DECODE_ANY, NULL);
	json_object_set_new(j, "document", doc != NULL ? doc : json_null());
	return j;
}

struct list_ctx {
	json_t *a;
	int oom;
};

static int
list_cb(const struct query_finding *f, void *arg)
{
	struct list_ctx *c = arg;
	json_t *j = finding_json(f);

	if (j == NULL || json_array_append_new(c->a, j) == -1) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

static void
findings_list(struct api_ctx *ctx, struct api_req *r)
{
	struct query_filter f;
	struct list_ctx c = {NULL, 0};
	struct rw_error err;
	char msg[256], next[QUERY_CURSOR_MAX], buf[1200];

	if (api_findings_filter(r, &f, 1, msg, sizeof(msg)) == -1) {
		api_reply_error(r, 400, "bad-request", "%s", msg);
		return;
	}
	if ((c.a = json_array()) == NULL) {
		query_filter_clear(&f);
		api_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	if (query_findings(ctx->db, &f, list_cb, &c, next, &err) == -1 || c.oom) {
		query_filter_clear(&f);
		json_decref(c.a);
		if (c.oom) {
			api_reply_error(r, 500, "internal", "out of memory");
			return;
		}
		log_error("api: listing findings: %s", rw_error_str(&err, buf, sizeof(buf)));
		api_reply_error(r, 500, "internal", "the state could not be read");
		return;
	}
	query_filter_clear(&f);
	api_reply_json(r, 200,
	    json_pack("{s:o, s:o}", "findings", c.a, "next_cursor",
		next[0] != '\0' ? json_string(next) : json_null()));
}

struct one_ctx {
	json_t *finding, *history;
	int oom;
};

static int
one_finding_cb(const struct query_finding *f, void *arg)
{
	struct one_ctx *c = arg;

	if ((c->finding = finding_json(f)) == NULL)
		c->oom = 1;
	return 0;
}

static int
one_event_cb(const struct query_event *e, void *arg)
{
	struct one_ctx *c = arg;
	json_t *j;

	j = json_pack("{s:s, s:s, s:o, s:o}", "id", e->id, "type", e->type, "at", time_json(e->at),
	    "reason", e->reason[0] != '\0' ? json_string(e->reason) : json_null());
	if (j == NULL || json_array_append_new(c->history, j) == -1) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

static void
findings_one(struct api_ctx *ctx, struct api_req *r)
{
	struct one_ctx c = {NULL, NULL, 0};
	struct rw_error err;
	char buf[1200];
	const char *id = r->params[0];
	size_t i;
	int rc;

	/* Ids are "f_" and hex: anything else cannot exist, and is not echoed as it came. */
	for (i = 0; id[i] != '\0'; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_')
			break;
	if (id[i] != '\0' || i == 0 || i > 64) {
		api_reply_error(r, 404, "not-found", "no such finding");
		return;
	}
	if ((c.history = json_array()) == NULL) {
		api_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	rc = query_finding(ctx->db, id, one_finding_cb, one_event_cb, &c, &err);
	if (rc == -1) {
		log_error("api: reading finding %s: %s", id, rw_error_str(&err, buf, sizeof(buf)));
		api_reply_error(r, 500, "internal", "the state could not be read");
	} else if (rc == 0)
		api_reply_error(r, 404, "not-found", "no finding %s", id);
	else if (c.oom || c.finding == NULL)
		api_reply_error(r, 500, "internal", "out of memory");
	else {
		json_object_set(c.finding, "history", c.history);
		api_reply_json(r, 200, c.finding);
		c.finding = NULL;
	}
	json_decref(c.finding);
	json_decref(c.history);
}

const struct api_route api_findings_routes[] = {
    {"GET", "/v1/findings", FINDINGS_ROLES, findings_list, 0},
    {"GET", "/v1/findings/{id}", FINDINGS_ROLES, findings_one, 0},
    {NULL, NULL, 0, NULL, 0},
};
