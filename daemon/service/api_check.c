/* POST /v1/check: a posting or contract checked before it is published, through the same
 * streaming reader and evaluator as `recruitwatch check`; recorded in the state on request. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "deliver.h"
#include "feed.h"
#include "feeds.h"
#include "log.h"
#include "poller.h"
#include "track.h"

/* The state's name for documents recorded through the API. */
#define CHECK_FEED "api"
#define CHECK_FEED_URL "api:"

#define CHECK_TYPES                                                                                \
	"application/rss+xml, application/atom+xml, application/ld+json, application/json, "       \
	"text/html, text/plain, application/xml, text/xml, application/octet-stream"

/* A document kept until the whole body has been read, so that a body found broken at its
 * end records nothing. */
struct check_doc {
	struct doc *d;
	json_t *report; /* all findings (SEV_INFO), for the state */
	unsigned char *raw; /* a copy, or NULL when the item's bytes are the whole body */
	size_t rawlen;
};

struct check_run {
	struct api_ctx *ctx;
	struct feed *feed;
	const char *body;
	size_t bodylen;
	enum severity min;
	int record;
	json_t *documents;
	json_t *errors;
	struct check_doc *keep;
	size_t nkeep, keepcap;
	int oom;
};

/* The parser a Content-Type asks for: 0 with *f (FMT_AUTO: detect), -1 when unsupported. */
static int
check_content_type(const char *ct, enum fmt *f)
{
	static const struct {
		const char *type;
		enum fmt fmt;
	} types[] = {{"application/rss+xml", FMT_RSS2}, {"application/atom+xml", FMT_ATOM},
	    {"application/ld+json", FMT_JSONLD}, {"application/json", FMT_JSONLD},
	    {"text/html", FMT_HTML}, {"text/plain", FMT_TEXT}, {"application/xml", FMT_AUTO},
	    {"text/xml", FMT_AUTO}, {"application/octet-stream", FMT_AUTO}};
	size_t i, n;

	*f = FMT_AUTO;
	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	/* Parameters such as charset= are left to the reader, which honours the body's own. */
	n = strcspn(ct, "; \t");
	if (n == 0)
		return 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0) {
			*f = types[i].fmt;
			return 0;
		}
	return -1;
}

static int
check_keep(struct check_run *r, struct doc *d, json_t *report)
{
	struct check_doc *cd;
	const char *raw;
	size_t len;

	if (r->nkeep == r->keepcap) {
		size_t cap = r->keepcap > 0 ? r->keepcap * 2 : 8;
		struct check_doc *k = reallocarray(r->keep, cap, sizeof(*k));

		if (k == NULL)
			return -1;
		r->keep = k;
		r->keepcap = cap;
	}
	cd = &r->keep[r->nkeep];
	memset(cd, 0, sizeof(*cd));
	if ((raw = feed_raw(r->feed, &len)) == NULL)
		return -1;
	/* JSON, HTML and text items come from the whole body: no copy per document. */
	if (len != r->bodylen || memcmp(raw, r->body, len) != 0) {
		if ((cd->raw = malloc(len > 0 ? len : 1)) == NULL)
			return -1;
		memcpy(cd->raw, raw, len);
	}
	cd->rawlen = len;
	cd->d = d;
	cd->report = report;
	r->nkeep++;
	return 0;
}

/* The findings below min taken out of a §6 object (findings_json is always asked for all of
 * them: the state keeps every finding whatever the caller wants to see). */
static void
check_filter(json_t *obj, enum severity min)
{
	json_t *fs = json_object_get(obj, "findings");
	size_t i = 0;

	while (min > SEV_INFO && i < json_array_size(fs)) {
		enum severity s;

		if (severity_from_name(
			json_string_value(json_object_get(json_array_get(fs, i), "severity")),
			&s) == 0 &&
		    s < min)
			json_array_remove(fs, i);
		else
			i++;
	}
}

static int
check_doc_cb(struct doc *d, void *arg)
{
	struct check_run *r = arg;
	xmlDocPtr x = doc_xml(d);
	struct findings *fs;
	json_t *j = NULL, *rep = NULL;

	if ((fs = eval_doc(r->ctx->ev, x)) == NULL ||
	    (rep = findings_json(fs, x, SEV_INFO)) == NULL)
		goto oom;
	findings_free(fs);
	fs = NULL;
	r->ctx->metrics.checks++;
	if (!r->record) {
		j = rep;
		rep = NULL;
	} else if ((j = json_deep_copy(rep)) == NULL)
		goto oom;
	check_filter(j, r->min);
	if (json_array_append_new(r->documents, j) != 0) {
		j = NULL;
		goto oom;
	}
	if (r->record) {
		if (check_keep(r, d, rep) != 0)
			goto oom;
		return 0;
	}
	doc_free(d);
	return 0;
oom:
	json_decref(rep);
	findings_free(fs);
	doc_free(d);
	r->oom = 1;
	return 1;
}

static void
check_item_err_cb(const struct rw_error *e, void *arg)
{
	struct check_run *r = arg;
	char buf[1200];

	json_array_append_new(r->errors, json_string(rw_error_str(e, buf, sizeof(buf))));
}

/* The finding ids the state gave one recorded document, added to its response findings. */
static void
check_add_ids(json_t *resp_doc, const json_t *report, int64_t feed_id, const char *key)
{
	json_t *f, *ids = json_array();
	size_t i;
	char fid[40];

	json_array_foreach(json_object_get(report, "findings"), i, f)
	{
		track_finding_id(feed_id, key, json_string_value(json_object_get(f, "rule")), fid);
		json_array_append_new(ids, json_string(fid));
	}
	json_array_foreach(json_object_get(resp_doc, "findings"), i, f)
	{
		track_finding_id(feed_id, key, json_string_value(json_object_get(f, "rule")), fid);
		json_object_set_new(f, "id", json_string(fid));
	}
	/* Every finding recorded, also those below ?min-severity. */
	json_object_set_new(resp_doc, "finding_ids", ids);
}

/* The kept documents into the state as items of the "api" feed; *n counts those recorded.
 * Each document is its own transaction (as in a poll). */
static int
check_record(struct check_run *r, size_t *n, struct rw_error *err)
{
	struct api_ctx *ctx = r->ctx;
	struct poller_record pr;
	int64_t feed_id, poll;
	int outbox = 0, rc = -1;
	size_t i;

	*n = 0;
	if (feeds_sync(ctx->db, CHECK_FEED, CHECK_FEED_URL, NULL, &feed_id, err) != 0 ||
	    feeds_poll_started(ctx->db, feed_id, (int64_t)time(NULL), &poll, err) != 0)
		return -1;
	memset(&pr, 0, sizeof(pr));
	pr.db = ctx->db;
	pr.subs = ctx->subs; /* the daemon keeps it current on reload and API changes */
	pr.feed_id = feed_id;
	pr.poll = poll;
	pr.rulebook = rb_version(ctx->rb);
	pr.format = fmt_name(feed_format(r->feed));
	for (i = 0; i < r->nkeep; i++) {
		struct check_doc *cd = &r->keep[i];
		struct track_result tr;
		char *key;

		if ((key = poller_doc_key(cd->d)) == NULL) {
			rw_error_set(err, "body", 0, 0, "out of memory");
			goto out;
		}
		pr.raw = cd->raw != NULL ? cd->raw : (const unsigned char *)r->body;
		pr.rawlen = cd->rawlen;
		if (poller_record_doc(&pr, cd->d, key, cd->report, &tr, err) != 0) {
			free(key);
			goto out;
		}
		check_add_ids(json_array_get(r->documents, i), cd->report, feed_id, key);
		outbox += tr.outbox;
		(*n)++;
		free(key);
	}
	rc = 0;
out:
	if (outbox > 0 && ctx->dlv != NULL)
		dlv_kick(ctx->dlv);
	return rc;
}

static void
check_run_free(struct check_run *r)
{
	size_t i;

	for (i = 0; i < r->nkeep; i++) {
		doc_free(r->keep[i].d);
		json_decref(r->keep[i].report);
		free(r->keep[i].raw);
	}
	free(r->keep);
	feed_free(r->feed);
	json_decref(r->documents);
	json_decref(r->errors);
}

static void
check_post(struct api_ctx *ctx, struct api_req *q)
{
	const struct config *cfg = ctx->cfg;
	struct feed_limits lim = {cfg->max_body, FEED_MAX_SINGLE_DEFAULT, FEED_MAX_ITEM_DEFAULT};
	const char *v;
	enum fmt forced = FMT_AUTO;
	struct check_run r;
	struct rw_error err;
	json_t *out;
	size_t recorded = 0;
	char buf[1200];

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.min = SEV_INFO;
	if ((v = api_query(q, "format")) != NULL) {
		/* An explicit format wins over the Content-Type (curl's -d sends a form type). */
		if (fmt_from_name(v, &forced) != 0 || forced == FMT_XML) {
			api_reply_error(q, 400, "bad-request",
			    "format: unknown input format '%.64s' (rss2, atom, jobxml, jsonld, "
			    "hrxml, contract, html, text)",
			    v);
			return;
		}
	} else if (check_content_type(api_header(q, "Content-Type"), &forced) != 0) {
		api_reply_error(q, 415, "unsupported-media-type",
		    "Content-Type %.64s is not accepted: send one of " CHECK_TYPES
		    ", or name the format with ?format=",
		    api_header(q, "Content-Type"));
		return;
	}
	if ((v = api_query(q, "min-severity")) != NULL && severity_from_name(v, &r.min) != 0) {
		api_reply_error(q, 400, "bad-request",
		    "min-severity: '%.32s' is not one of critical, high, medium, low, info", v);
		return;
	}
	if ((v = api_query(q, "record")) != NULL) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			r.record = 1;
		else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0) {
			api_reply_error(
			    q, 400, "bad-request", "record: '%.32s' is not true or false", v);
			return;
		}
	}
	if (r.record && (q->role & (ROLE_REGULATOR | ROLE_ADMIN)) == 0) {
		api_reply_error(q, 403, "forbidden", "recording needs the regulator or admin role");
		return;
	}
	r.body = api_body(q, &r.bodylen);
	if (r.body == NULL || r.bodylen == 0) {
		api_reply_error(q, 400, "bad-request", "body: empty: send the posting to check");
		return;
	}
	/* The server bounds bodies already; this holds if that limit is ever lifted. */
	if (cfg->api.max_body > 0 && r.bodylen > cfg->api.max_body) {
		api_reply_error(
		    q, 413, "payload-too-large", "body: more than %zu bytes", cfg->api.max_body);
		return;
	}
	if (lim.max_single > cfg->max_body)
		lim.max_single = cfg->max_body;
	r.documents = json_array();
	r.errors = json_array();
	r.feed = feed_new(ctx->nm, "body", forced, &lim, check_doc_cb, check_item_err_cb, &r);
	if (r.documents == NULL || r.errors == NULL || r.feed == NULL) {
		api_reply_error(q, 500, "internal", "out of memory");
		goto out;
	}
	rw_error_clear(&err);
	if (feed_push(r.feed, r.body, r.bodylen, &err) != 0 || feed_end(r.feed, &err) != 0) {
		if (r.oom)
			api_reply_error(q, 500, "internal", "out of memory evaluating the body");
		else
			api_reply_error(
			    q, 400, "bad-request", "%s", rw_error_str(&err, buf, sizeof(buf)));
		goto out;
	}
	if (r.oom) {
		api_reply_error(q, 500, "internal", "out of memory evaluating the body");
		goto out;
	}
	if (r.record && check_record(&r, &recorded, &err) != 0) {
		log_warn("api: %s: recording a check: %s", q->principal,
		    rw_error_str(&err, buf, sizeof(buf)));
		api_reply_error(q, 500, "internal",
		    "the state could not record the documents (%zu of %zu recorded)", recorded,
		    r.nkeep);
		goto out;
	}
	out = json_pack("{s:s, s:O, s:O}", "rulebook", rb_version(ctx->rb), "documents",
	    r.documents, "errors", r.errors);
	if (out != NULL && r.record)
		json_object_set_new(out, "recorded", json_integer((json_int_t)recorded));
	if (out == NULL)
		api_reply_error(q, 500, "internal", "out of memory");
	else
		api_reply_json(q, 200, out);
	if (r.record)
		log_info("api: %s recorded %zu document%s", q->principal, recorded,
		    recorded == 1 ? "" : "s");
out:
	check_run_free(&r);
}

const struct api_route api_check_routes[] = {
    {"POST", "/v1/check", ROLE_EMPLOYER | ROLE_REGULATOR | ROLE_ADMIN, check_post, 0},
    {NULL, NULL, 0, NULL, 0}};
