/* The HTTP API's subscriptions: regulators make, list, rotate and delete their own webhook
 * subscriptions; a new one is kept only when a signed test delivery to it is acknowledged. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <curl/curl.h>
#include <event2/http.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "api.h"
#include "audit.h"
#include "subs.h"
#include "whsig.h"

#define SUBS_NAME_MAX 64
#define SUBS_URL_MAX 1000
/* The test delivery blocks the loop (see subs_verify): it must be short. */
#define SUBS_VERIFY_TIMEOUT_S 5L

static json_t *
subs_row_json(const struct sub_row *s)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)s->id, "name", s->name,
	    "origin", s->origin, "filter", sub_filter_json(&s->filter), "active", s->active);

	if (j == NULL)
		return NULL;
	if (strcmp(s->origin, "api") == 0) {
		json_object_set_new(j, "url", json_string(s->url));
		json_object_set_new(j, "owner", json_string(s->owner));
		json_object_set_new(j, "verified", json_boolean(s->verified));
		/* whether an old secret still signs; never the secrets themselves */
		json_object_set_new(j, "rotating", json_boolean(s->secret_previous[0] != '\0'));
	} else
		json_object_set_new(j, "sink", json_string(s->sink));
	return j;
}

static void
subs_internal(struct api_req *r, const struct rw_error *err)
{
	char buf[1200];

	api_reply_error(r, 500, "internal", "%s", rw_error_str(err, buf, sizeof(buf)));
}

static void
subs_changed(struct api_ctx *ctx)
{
	if (ctx->subs_changed != NULL)
		ctx->subs_changed(ctx->arg);
}

static void
subs_list_h(struct api_ctx *ctx, struct api_req *r)
{
	struct rw_error err;
	struct subs *s;
	json_t *list;
	size_t i;

	rw_error_clear(&err);
	/* a regulator sees its own; an administrator every one */
	s = subs_list(ctx->db, r->role == ROLE_ADMIN ? NULL : r->principal, &err);
	if (s == NULL) {
		subs_internal(r, &err);
		return;
	}
	list = json_array();
	for (i = 0; list != NULL && i < subs_count(s); i++)
		json_array_append_new(list, subs_row_json(subs_at(s, i)));
	subs_free(s);
	api_reply_json(r, 200, json_pack("{s:o}", "subscriptions", list));
}

/* The subscription {id} as the caller may see it: 1 found (clear row->filter), 0 replied. */
static int
subs_find(struct api_ctx *ctx, struct api_req *r, struct sub_row *row)
{
	struct rw_error err;
	const char *errstr = NULL;
	int64_t id;
	int rc;

	id = strtonum(r->params[0], 1, INT64_MAX, &errstr);
	if (errstr != NULL) {
		api_reply_error(
		    r, 404, "not-found", "subscription %s: no such subscription", r->params[0]);
		return 0;
	}
	rw_error_clear(&err);
	if ((rc = subs_get(ctx->db, id, row, &err)) == -1) {
		subs_internal(r, &err);
		return 0;
	}
	/* another owner's subscription is as absent as one that does not exist */
	if (rc == 1 && r->role != ROLE_ADMIN &&
	    (strcmp(row->origin, "api") != 0 || strcmp(row->owner, r->principal) != 0)) {
		sub_filter_clear(&row->filter);
		rc = 0;
	}
	if (rc == 0) {
		api_reply_error(
		    r, 404, "not-found", "subscription %s: no such subscription", r->params[0]);
		return 0;
	}
	return 1;
}

static void
subs_get_h(struct api_ctx *ctx, struct api_req *r)
{
	struct sub_row row;

	if (!subs_find(ctx, r, &row))
		return;
	api_reply_json(r, 200, subs_row_json(&row));
	sub_filter_clear(&row.filter);
}

/* A subscription waiting for its test delivery: the request is answered when it ends. */
struct subs_pending {
	struct api_ctx *ctx;
	struct api_req *r; /* deferred */
	int64_t id;
	char name[SUBS_NAME_MAX + 1];
	char url[SUBS_URL_MAX + 1];
	char secret[128];
	struct sub_filter f;
	char *body;
	char hid[80], hts[64], hsig[160];
};

static void
subs_pending_free(struct subs_pending *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p->secret, sizeof(p->secret));
	OPENSSL_cleanse(p->hsig, sizeof(p->hsig));
	sub_filter_clear(&p->f);
	free(p->body);
	free(p);
}

static int
subs_discard_cb(const char *data, size_t len, void *arg, struct rw_error *err)
{
	return 0; /* the receiver's answer is not kept */
}

/* The test delivery ended: 201 with the secret (shown this once) when the endpoint answered
 * 2xx, else the subscription is discarded and the answer is 422 saying why. */
static void
subs_verify_done(const struct fetch_result *res, void *arg)
{
	struct subs_pending *p = arg;
	struct api_ctx *ctx = p->ctx;
	struct rw_error err;
	char msg[1024], loc[64], buf[1200];
	json_t *out;

	if (!res->ok)
		snprintf(msg, sizeof(msg), "test delivery failed: %s",
		    rw_error_str(&res->err, buf, sizeof(buf)));
	else if (res->status < 200 || res->status > 299)
		snprintf(msg, sizeof(msg), "test delivery failed: the endpoint answered HTTP %ld",
		    res->status);
	else
		msg[0] = '\0';
	rw_error_clear(&err);
	/* A client that left never saw the secret: the subscription would be useless. */
	if (msg[0] != '\0' || api_req_gone(p->r)) {
		if (subs_api_discard(ctx->db, p->id, &err) != 0)
			subs_internal(p->r, &err);
		else
			api_reply_error(p->r, 422, "verification-failed", "%s", msg);
		subs_pending_free(p);
		return;
	}
	if (subs_api_verified(ctx->db, p->id, &err) != 0) {
		subs_internal(p->r, &err);
		subs_pending_free(p);
		return;
	}
	subs_changed(ctx);
	out = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:b}", "id", (json_int_t)p->id, "name",
	    p->name, "url", p->url, "filter", sub_filter_json(&p->f), "owner", p->r->principal,
	    "secret", p->secret, "verified", 1);
	snprintf(loc, sizeof(loc), "/v1/subscriptions/%" PRId64, p->id);
	if (!api_req_gone(p->r))
		evhttp_add_header(evhttp_request_get_output_headers(p->r->req), "Location", loc);
	api_reply_json(p->r, 201, out);
	subs_pending_free(p);
}

/*
 * The test delivery: a signed POST of {"type": "subscription.verify", ...} through the
 * daemon's fetcher, so the loop goes on meanwhile; the request is answered from
 * subs_verify_done. 0 started, -1 with msg saying why (never the secret).
 */
static int
subs_verify_start(struct subs_pending *p, char *msg, size_t msglen)
{
	unsigned char rnd[16];
	char evt[48], ts[32], sig[128];
	const char *hdrs[5];
	struct fetch_req req;
	struct rw_error err;
	int64_t now = (int64_t)time(NULL);
	json_t *j;
	size_t i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		snprintf(msg, msglen, "no random bytes for the event id");
		return -1;
	}
	strlcpy(evt, "evt_", sizeof(evt));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(evt + 4 + 2 * i, sizeof(evt) - 4 - 2 * i, "%02x", rnd[i]);
	audit_time_str(now, ts, sizeof(ts));
	j = json_pack("{s:s, s:s, s:s, s:s}", "type", "subscription.verify", "id", evt, "timestamp",
	    ts, "subscription", p->name);
	p->body = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (p->body == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	if (whsig_sign(p->secret, evt, now, p->body, strlen(p->body), sig, sizeof(sig), &err) !=
	    0) {
		snprintf(msg, msglen, "%s", err.msg);
		return -1;
	}
	snprintf(p->hid, sizeof(p->hid), "webhook-id: %s", evt);
	snprintf(p->hts, sizeof(p->hts), "webhook-timestamp: %" PRId64, now);
	snprintf(p->hsig, sizeof(p->hsig), "webhook-signature: %s", sig);
	OPENSSL_cleanse(sig, sizeof(sig));
	hdrs[0] = "Content-Type: application/json";
	hdrs[1] = p->hid;
	hdrs[2] = p->hts;
	hdrs[3] = p->hsig;
	hdrs[4] = "Expect:";
	memset(&req, 0, sizeof(req));
	req.url = p->url;
	req.method = "POST";
	req.headers = hdrs;
	req.nheaders = 5;
	req.body = p->body;
	req.bodylen = strlen(p->body);
	req.timeout_s = SUBS_VERIFY_TIMEOUT_S;
	if (fetch_start(p->ctx->fx, &req, subs_discard_cb, subs_verify_done, p, &err) == NULL) {
		snprintf(msg, msglen, "test delivery failed: %s", err.msg);
		return -1;
	}
	return 0;
}

static int
subs_valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= SUBS_NAME_MAX &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* An absolute http(s) URL with a host, as curl reads it; why says what is wrong. */
static int
subs_valid_url(const char *s, const char **why)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	size_t i;
	int ok = 0;

	*why = "it is not an absolute http or https URL";
	if (strlen(s) > SUBS_URL_MAX) {
		*why = "it is longer than 1000 characters";
		return 0;
	}
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f) {
			*why = "it holds a space or a control character";
			return 0;
		}
	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0' &&
	    (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0))
		ok = 1;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static void
subs_create_h(struct api_ctx *ctx, struct api_req *r)
{
	const char *body, *key, *name, *url, *why = NULL;
	char secret[128], msg[1024];
	struct sub_filter f;
	struct subs_pending *p;
	struct rw_error err;
	json_error_t jerr;
	json_t *j, *v, *filter;
	int64_t id = 0;
	size_t len = 0;
	int rc;

	body = api_body(r, &len);
	if ((j = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		api_reply_error(
		    r, 400, "bad-request", "body:%d:%d: %s", jerr.line, jerr.column, jerr.text);
		return;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_reply_error(r, 400, "bad-request", "body: not a JSON object");
		return;
	}
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "name") != 0 && strcmp(key, "url") != 0 &&
		    strcmp(key, "filter") != 0) {
			api_reply_error(r, 400, "bad-request", "body: unknown key \"%s\"", key);
			json_decref(j);
			return;
		}
	}
	name = json_string_value(json_object_get(j, "name"));
	url = json_string_value(json_object_get(j, "url"));
	if (name == NULL || !subs_valid_name(name)) {
		api_reply_error(r, 400, "bad-request",
		    "body: name: a string of 1 to %d characters of A-Z a-z 0-9 . _ -",
		    SUBS_NAME_MAX);
		json_decref(j);
		return;
	}
	if (url == NULL || !subs_valid_url(url, &why)) {
		api_reply_error(r, 400, "bad-request", "body: url: %s",
		    url == NULL ? "a string is required" : why);
		json_decref(j);
		return;
	}
	filter = json_object_get(j, "filter");
	rw_error_clear(&err);
	if (filter == NULL) {
		/* no filter: everything */
		memset(&f, 0, sizeof(f));
		f.min = SEV_INFO;
	} else if (sub_filter_from_json(filter, &f, &err) != 0) {
		api_reply_error(r, 400, "bad-request", "body: filter: %s", err.msg);
		json_decref(j);
		return;
	}
	if (whsig_new_secret(secret, sizeof(secret)) != 0) {
		api_reply_error(r, 500, "internal", "no random bytes for a secret");
		goto done;
	}
	if ((rc = subs_api_add(ctx->db, name, url, &f, r->principal, secret, &id, &err)) != 0) {
		if (rc == 1)
			api_reply_error(r, 409, "conflict",
			    "body: name: a subscription called %s exists", name);
		else
			subs_internal(r, &err);
		goto done;
	}
	/* The answer waits for the test delivery, the loop does not. */
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->r = api_req_defer(r)) == NULL) {
		free(p);
		if (subs_api_discard(ctx->db, id, &err) != 0)
			subs_internal(r, &err);
		else
			api_reply_error(r, 500, "internal", "out of memory");
		goto done;
	}
	p->ctx = ctx;
	p->id = id;
	strlcpy(p->name, name, sizeof(p->name));
	strlcpy(p->url, url, sizeof(p->url));
	strlcpy(p->secret, secret, sizeof(p->secret));
	p->f = f;
	memset(&f, 0, sizeof(f)); /* p owns the lists now */
	if (subs_verify_start(p, msg, sizeof(msg)) != 0) {
		if (subs_api_discard(ctx->db, id, &err) != 0)
			subs_internal(p->r, &err);
		else
			api_reply_error(p->r, 422, "verification-failed", "%s", msg);
		subs_pending_free(p);
	}
done:
	OPENSSL_cleanse(secret, sizeof(secret));
	sub_filter_clear(&f);
	json_decref(j);
}

static void
subs_delete_h(struct api_ctx *ctx, struct api_req *r)
{
	struct sub_row row;
	struct rw_error err;
	int rc;

	if (!subs_find(ctx, r, &row))
		return;
	sub_filter_clear(&row.filter);
	if (strcmp(row.origin, "api") != 0) {
		api_reply_error(r, 409, "conflict",
		    "subscription %s comes from the configuration: remove it there", row.name);
		return;
	}
	rw_error_clear(&err);
	if ((rc = subs_api_delete(ctx->db, row.id, &err)) == -1) {
		subs_internal(r, &err);
		return;
	}
	if (rc == 0) {
		api_reply_error(
		    r, 404, "not-found", "subscription %s: no such subscription", r->params[0]);
		return;
	}
	subs_changed(ctx);
	api_reply_raw(r, 204, "application/json", "", 0);
}

static void
subs_rotate_h(struct api_ctx *ctx, struct api_req *r)
{
	const char *finish = api_query(r, "finish");
	struct sub_row row;
	struct rw_error err;
	char secret[128] = "";
	int rc, done;

	if (finish != NULL && strcmp(finish, "true") != 0 && strcmp(finish, "false") != 0) {
		api_reply_error(
		    r, 400, "bad-request", "query: finish: \"%s\" is not true or false", finish);
		return;
	}
	done = finish != NULL && strcmp(finish, "true") == 0;
	if (!subs_find(ctx, r, &row))
		return;
	sub_filter_clear(&row.filter);
	if (strcmp(row.origin, "api") != 0) {
		api_reply_error(r, 409, "conflict",
		    "subscription %s comes from the configuration: its secret is set there",
		    row.name);
		return;
	}
	if (!done && whsig_new_secret(secret, sizeof(secret)) != 0) {
		api_reply_error(r, 500, "internal", "no random bytes for a secret");
		return;
	}
	rw_error_clear(&err);
	rc = subs_api_rotate(ctx->db, row.id, done ? NULL : secret, &err);
	if (rc == 1) {
		subs_changed(ctx);
		if (done)
			api_reply_json(r, 200,
			    json_pack("{s:I, s:b}", "id", (json_int_t)row.id, "rotating", 0));
		else
			api_reply_json(r, 200,
			    json_pack("{s:I, s:s, s:b}", "id", (json_int_t)row.id, "secret", secret,
				"rotating", 1));
	} else if (rc == 0)
		api_reply_error(
		    r, 404, "not-found", "subscription %s: no such subscription", r->params[0]);
	else
		subs_internal(r, &err);
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(&row, sizeof(row));
}

#define SUBS_ROLES (ROLE_REGULATOR | ROLE_ADMIN)

const struct api_route api_subs_routes[] = {
    {"GET", "/v1/subscriptions", SUBS_ROLES, subs_list_h, 0},
    {"POST", "/v1/subscriptions", SUBS_ROLES, subs_create_h, 0},
    {"GET", "/v1/subscriptions/{id}", SUBS_ROLES, subs_get_h, 0},
    {"DELETE", "/v1/subscriptions/{id}", SUBS_ROLES, subs_delete_h, 0},
    {"POST", "/v1/subscriptions/{id}/rotate", SUBS_ROLES, subs_rotate_h, 0},
    {NULL, NULL, 0, NULL, 0},
};
