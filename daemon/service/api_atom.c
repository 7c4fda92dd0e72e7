/* GET /v1/alerts.atom: the alerts as an Atom 1.0 feed (RFC 4287) for any feed reader, under
 * the filters of GET /v1/findings, written with libxml2's xmlTextWriter. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>
#include <curl/curl.h>
#include <event2/http.h>
#include <libxml/xmlwriter.h>
#include <openssl/evp.h>

#include "api.h"
#include "log.h"
#include "query.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define ATOM_ROLES (ROLE_REGULATOR | ROLE_UNION | ROLE_ADMIN)

struct atom_ctx {
	xmlTextWriterPtr w;
	const char *base; /* the public URL, without a trailing slash */
	int n;
	int failed;
	char first_id[64]; /* the newest event: the ETag */
	int64_t first_at;
};

/* XML 1.0 cannot carry C0 controls other than tab and newlines, even escaped: a feed's text
 * holding one (JSON allows them) would make the whole document unreadable. */
static char *
xml_clean(const char *s)
{
	char *c = strdup(s != NULL ? s : ""), *p;

	for (p = c; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			*p = ' ';
	return c;
}

static int
w_elem(xmlTextWriterPtr w, const char *name, const char *text)
{
	char *c = xml_clean(text);
	int rc;

	rc = c != NULL ? xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST c) : -1;
	free(c);
	return rc < 0 ? -1 : 0;
}

static int
w_attr(xmlTextWriterPtr w, const char *name, const char *text)
{
	char *c = xml_clean(text);
	int rc;

	rc = c != NULL ? xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST c) : -1;
	free(c);
	return rc < 0 ? -1 : 0;
}

/* <link rel="..." href="..."/> */
static int
w_link(xmlTextWriterPtr w, const char *rel, const char *href, const char *type)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "link") < 0 || w_attr(w, "rel", rel) == -1 ||
	    w_attr(w, "href", href) == -1 || (type != NULL && w_attr(w, "type", type) == -1) ||
	    xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

/* The alert's content as plain text: where it is, what it rests on, and what to do. */
static char *
entry_content(const json_t *f, const json_t *doc, const struct query_event *e)
{
	const json_t *ev = json_object_get(f, "evidence"), *x;
	const char *advice = json_string_value(json_object_get(f, "advice"));
	const char *url = json_string_value(json_object_get(json_object_get(doc, "origin"), "url"));
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return NULL;
	fprintf(fp, "%s\n",
	    json_string_value(json_object_get(f, "message")) != NULL
		? json_string_value(json_object_get(f, "message"))
		: e->finding->message);
	if (e->reason[0] != '\0')
		fprintf(fp, "\nResolved: %s\n", e->reason);
	fprintf(fp, "\nAgency: %s\nFeed: %s\n", e->finding->agency, e->finding->feed);
	if (url != NULL)
		fprintf(fp, "Posting: %s\n", url);
	if (json_array_size(ev) > 0)
		fprintf(fp, "\nEvidence:\n");
	json_array_foreach(ev, i, x)
	{
		fprintf(fp, "- %s",
		    json_string_value(json_object_get(x, "text")) != NULL
			? json_string_value(json_object_get(x, "text"))
			: "");
		if (json_string_value(json_object_get(x, "path")) != NULL)
			fprintf(fp, " (%s)", json_string_value(json_object_get(x, "path")));
		fprintf(fp, "\n");
	}
	if (advice != NULL)
		fprintf(fp, "\nAdvice: %s\n", advice);
	if (fclose(fp) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* One event as an entry. Its texts are the alert's own (the payload), so an entry never
 * changes once written; the finding's current facts only decide whether it is listed. */
static int
atom_entry(const struct query_event *e, void *arg)
{
	struct atom_ctx *c = arg;
	xmlTextWriterPtr w = c->w;
	json_t *p = json_loads(e->payload, 0, NULL);
	const json_t *f = json_array_get(json_object_get(p, "findings"), 0);
	const json_t *doc = json_object_get(p, "document");
	const char *sev = json_string_value(json_object_get(f, "severity"));
	const char *rule = json_string_value(json_object_get(f, "rule"));
	const char *title = json_string_value(json_object_get(doc, "title"));
	const char *msg = json_string_value(json_object_get(f, "message"));
	char up[16], t[512], id[128], when[32], href[1024], *content;
	size_t i;
	int rc = -1;

	if (sev == NULL)
		sev = e->finding->severity;
	for (i = 0; sev[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)sev[i]);
	up[i] = '\0';
	if (title == NULL || *title == '\0')
		title = e->finding->title[0] != '\0' ? e->finding->title : "(untitled)";
	snprintf(t, sizeof(t), "%s%s %s: %s",
	    strcmp(e->type, "finding.resolved") == 0 ? "Resolved: " : "", up,
	    rule != NULL ? rule : e->finding->rule, title);
	snprintf(id, sizeof(id), "urn:recruitwatch:event:%s", e->id);
	api_time_rfc3339(e->at, when, sizeof(when));
	snprintf(href, sizeof(href), "%s/v1/findings/%s", c->base, e->finding_id);
	content = entry_content(f, doc, e);
	if (c->n++ == 0) {
		strlcpy(c->first_id, e->id, sizeof(c->first_id));
		c->first_at = e->at;
	}
	if (content != NULL && xmlTextWriterStartElement(w, BAD_CAST "entry") >= 0 &&
	    w_elem(w, "id", id) == 0 && w_elem(w, "title", t) == 0 &&
	    w_elem(w, "updated", when) == 0 && w_link(w, "alternate", href, NULL) == 0 &&
	    xmlTextWriterStartElement(w, BAD_CAST "category") >= 0 &&
	    w_attr(w, "term", e->finding->category) == 0 && xmlTextWriterEndElement(w) >= 0 &&
	    w_elem(w, "summary", msg != NULL ? msg : e->finding->message) == 0 &&
	    xmlTextWriterStartElement(w, BAD_CAST "content") >= 0 &&
	    w_attr(w, "type", "text") == 0) {
		char *clean = xml_clean(content);

		if (clean != NULL && xmlTextWriterWriteString(w, BAD_CAST clean) >= 0 &&
		    xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndElement(w) >= 0)
			rc = 0;
		free(clean);
	}
	free(content);
	json_decref(p);
	if (rc == -1)
		c->failed = 1;
	return rc == -1;
}

/* "urn:recruitwatch:alerts:" + 32 hex digits of SHA-256 over the normalised filter. */
static int
feed_id(const struct query_filter *f, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char *canon = query_filter_canonical(f), h[33];
	size_t i;
	int ok;

	if (canon == NULL)
		return -1;
	ok = EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL) == 1;
	free(canon);
	if (!ok)
		return -1;
	for (i = 0; i < 16; i++) {
		h[2 * i] = hex[md[i] >> 4];
		h[2 * i + 1] = hex[md[i] & 15];
	}
	h[32] = '\0';
	snprintf(out, len, "urn:recruitwatch:alerts:%s", h);
	return 0;
}

/* The public URL without a trailing slash: configured, else the first listen address. */
static void
public_base(const struct api_ctx *ctx, char *out, size_t len)
{
	const struct cfg_api *a = &ctx->cfg->api;

	if (a->public_url != NULL)
		strlcpy(out, a->public_url, len);
	else
		snprintf(out, len, "%s://%s", a->plain_http ? "http" : "https",
		    a->nlisten > 0 ? a->listen[0] : "localhost");
	while (strlen(out) > 0 && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
}

/* The feed's own address: the path and the filter parameters, never the token (http.c has
 * already taken it out of the query). */
static void
self_link(const struct api_req *r, const char *base, char *out, size_t len)
{
	const struct evkeyval *kv;
	char sep = '?';

	snprintf(out, len, "%s/v1/alerts.atom", base);
	for (kv = r->query.tqh_first; kv != NULL; kv = kv->next.tqe_next) {
		char *k = evhttp_encode_uri(kv->key), *v = evhttp_encode_uri(kv->value);

		if (k != NULL && v != NULL) {
			size_t n = strlen(out);

			snprintf(out + n, len - n, "%c%s=%s", sep, k, v);
			sep = '&';
		}
		free(k);
		free(v);
	}
}

/* Whether If-None-Match names etag: a list of tags, weak or not, or "*". */
static int
etag_matches(const char *header, const char *etag)
{
	const char *p = header;
	size_t n = strlen(etag);

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

/* The newest event's id and time, under the filter: what the ETag and validators rest on. */
static int
newest_cb(const struct query_event *e, void *arg)
{
	struct atom_ctx *c = arg;

	strlcpy(c->first_id, e->id, sizeof(c->first_id));
	c->first_at = e->at;
	c->n = 1;
	return 1;
}

static void
atom_feed(struct api_ctx *ctx, struct api_req *r)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
	const char *inm = api_header(r, "If-None-Match");
	const char *ims = api_header(r, "If-Modified-Since");
	time_t since = ims != NULL ? curl_getdate(ims, NULL) : -1;
	struct atom_ctx c, probe;
	struct query_filter f;
	struct rw_error err;
	xmlBufferPtr buf = NULL;
	xmlTextWriterPtr w = NULL;
	char msg[256], base[512], self[2048], fid[96], when[32], etag[96], lm[64], ebuf[1200];
	int64_t updated;
	time_t lt;
	struct tm tm;
	int limit, ok;

	if (api_findings_filter(r, &f, 0, msg, sizeof(msg)) == -1) {
		api_reply_error(r, 400, "bad-request", "%s", msg);
		return;
	}
	/* One cheap query first, so that a reader polling an unchanged feed gets its 304
	 * without the feed being written. */
	memset(&probe, 0, sizeof(probe));
	limit = f.limit;
	f.limit = 1;
	if (query_events(ctx->db, &f, newest_cb, &probe, &err) == -1)
		goto dberr;
	f.limit = limit;
	updated = probe.n > 0 ? probe.first_at : (int64_t)ctx->started;
	if (probe.n > 0)
		snprintf(etag, sizeof(etag), "\"%s\"", probe.first_id);
	else
		snprintf(etag, sizeof(etag), "\"empty-%lld\"", (long long)ctx->started);
	lt = (time_t)updated;
	if (gmtime_r(&lt, &tm) == NULL ||
	    strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		lm[0] = '\0';
	evhttp_add_header(out, "ETag", etag);
	/* Readers may keep a copy but must revalidate (cheap: a 304); private as it is per
	 * token. */
	evhttp_add_header(out, "Cache-Control", "private, no-cache");
	if (lm[0] != '\0')
		evhttp_add_header(out, "Last-Modified", lm);
	if ((inm != NULL && etag_matches(inm, etag)) ||
	    (inm == NULL && since != -1 && (int64_t)since >= updated)) {
		query_filter_clear(&f);
		api_reply_raw(r, 304, "application/atom+xml", "", 0);
		return;
	}

	public_base(ctx, base, sizeof(base));
	self_link(r, base, self, sizeof(self));
	if (feed_id(&f, fid, sizeof(fid)) == -1)
		goto oom;
	api_time_rfc3339(updated, when, sizeof(when));
	if ((buf = xmlBufferCreate()) == NULL || (w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		goto oom;
	xmlTextWriterSetIndent(w, 1);
	memset(&c, 0, sizeof(c));
	c.w = w;
	c.base = base;
	ok = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0 &&
	    xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed", BAD_CAST ATOM_NS) >= 0 &&
	    w_elem(w, "id", fid) == 0 && w_elem(w, "title", "recruitwatch alerts") == 0 &&
	    w_elem(w, "subtitle",
		"Findings opened, changed and resolved against the WHO Code and fair-recruitment "
		"rules") == 0 &&
	    w_elem(w, "updated", when) == 0 &&
	    w_link(w, "self", self, "application/atom+xml") == 0 &&
	    xmlTextWriterStartElement(w, BAD_CAST "author") >= 0 &&
	    w_elem(w, "name", "recruitwatch") == 0 && xmlTextWriterEndElement(w) >= 0 &&
	    xmlTextWriterStartElement(w, BAD_CAST "generator") >= 0 &&
	    xmlTextWriterWriteString(w, BAD_CAST "recruitwatch") >= 0 &&
	    xmlTextWriterEndElement(w) >= 0;
	if (!ok)
		goto oom;
	if (query_events(ctx->db, &f, atom_entry, &c, &err) == -1)
		goto dberr;
	if (c.failed || xmlTextWriterEndDocument(w) < 0)
		goto oom;
	xmlFreeTextWriter(w);
	w = NULL;
	query_filter_clear(&f);
	api_reply_raw(r, 200, "application/atom+xml; charset=utf-8",
	    (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	return;
dberr:
	log_error("api: the Atom feed: %s", rw_error_str(&err, ebuf, sizeof(ebuf)));
	api_reply_error(r, 500, "internal", "the state could not be read");
	goto done;
oom:
	api_reply_error(r, 500, "internal", "out of memory writing the feed");
done:
	xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	query_filter_clear(&f);
}

const struct api_route api_atom_routes[] = {
    {"GET", "/v1/alerts.atom", ATOM_ROLES, atom_feed, 1},
    {NULL, NULL, 0, NULL, 0},
};
