/* Polling feeds: timers per feed, a fetch streamed into the reader, and each finished document
 * evaluated and recorded. The event callbacks stay short; the work is in poller_item(). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>

#include "feed.h"
#include "feeds.h"
#include "log.h"
#include "poller.h"
#include "track.h"

struct pfeed {
	struct poller *p;
	const struct cfg_feed *cf;
	int64_t id;
	struct event *timer;
	struct fetch *fx;
	struct feed *parser;
	int64_t poll;
	int64_t items;
	int fed; /* bytes reached the reader */
	int failed; /* a state write failed: the poll is abandoned */
	struct rw_error err;
	int done_once;
	time_t started;
};

struct poller {
	struct poller_env env;
	struct pfeed *feeds;
	size_t nfeeds;
	int once;
	int stopped;
	struct poller_stats st;
};

static void poller_timer_cb(evutil_socket_t, short, void *);

int64_t
poller_next_delay(int interval_s, int failures, int backoff_max_s, int jitter_pct, double rnd)
{
	double d = interval_s > 0 ? interval_s : 1;
	double j;

	if (failures > 0) {
		d = ldexp(d, failures - 1 > 30 ? 30 : failures - 1);
		if (backoff_max_s > 0 && d > backoff_max_s)
			d = backoff_max_s;
	}
	/* Jitter spreads feeds that share a host and an interval over time. */
	j = d * (double)jitter_pct / 100.0;
	d += (rnd * 2.0 - 1.0) * j;
	return d < 1 ? 1 : (int64_t)(d + 0.5);
}

static double
poller_rnd(void)
{
	return (double)arc4random_uniform(1000000) / 1000000.0;
}

static int
poller_interval(const struct poller *p, const struct pfeed *pf)
{
	return pf->cf->interval_s > 0 ? pf->cf->interval_s : p->env.cfg->interval_s;
}

static void
poller_schedule(struct pfeed *pf, int64_t delay)
{
	struct timeval tv = {(time_t)delay, 0};

	if (pf->p->stopped || (pf->p->once && pf->done_once))
		return;
	evtimer_add(pf->timer, &tv);
}

/* The facts subscriptions filter on, read off the canonical document. */
static void
poller_countries(xmlDocPtr x, const char *elem, const char *attr, char *out, size_t len)
{
	xmlNodePtr n;
	size_t used = 0;

	out[0] = '\0';
	for (n = xmlDocGetRootElement(x)->children; n != NULL; n = n->next) {
		xmlChar *c;

		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, (const xmlChar *)elem) != 0)
			continue;
		if ((c = xmlGetProp(n, (const xmlChar *)attr)) == NULL)
			continue;
		if (strstr(out, (const char *)c) == NULL && used + 4 < len)
			used += (size_t)snprintf(
			    out + used, len - used, "%s%s", used > 0 ? "," : "", (const char *)c);
		xmlFree(c);
	}
}

static xmlChar *
poller_origin(xmlDocPtr x, const char *attr)
{
	xmlNodePtr n;

	for (n = xmlDocGetRootElement(x)->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, (const xmlChar *)"origin") == 0)
			return xmlGetProp(n, (const xmlChar *)attr);
	return NULL;
}

char *
poller_doc_key(struct doc *d)
{
	xmlDocPtr x = doc_xml(d);
	xmlChar *guid = poller_origin(x, "guid"), *url = poller_origin(x, "url");
	const char *key = guid != NULL && *guid != '\0' ? (const char *)guid
	    : url != NULL && *url != '\0'               ? (const char *)url
							: doc_id(d);
	char *k = strdup(key);

	xmlFree(guid);
	xmlFree(url);
	return k;
}

int
poller_record_doc(const struct poller_record *r, struct doc *d, const char *key, json_t *report,
    struct track_result *out, struct rw_error *err)
{
	xmlDocPtr x = doc_xml(d);
	json_t *jd = json_object_get(report, "document");
	struct track_item ti;
	char dest[256], src[256];

	/* The configured agency speaks for a feed whose postings do not name one. */
	if (r->agency != NULL && json_is_null(json_object_get(jd, "agency")))
		json_object_set_new(jd, "agency", json_string(r->agency));
	poller_countries(x, "destination", "country", dest, sizeof(dest));
	poller_countries(x, "source-country", "code", src, sizeof(src));
	memset(&ti, 0, sizeof(ti));
	ti.feed_id = r->feed_id;
	ti.poll = r->poll;
	ti.now = (int64_t)time(NULL);
	ti.guid = key;
	ti.doc_id = doc_id(d);
	ti.rulebook = r->rulebook;
	ti.raw = r->raw;
	ti.rawlen = r->rawlen;
	ti.format = r->format;
	ti.title = json_string_value(json_object_get(jd, "title"));
	ti.agency = json_string_value(json_object_get(jd, "agency"));
	ti.destinations = dest;
	ti.sources = src;
	ti.report = report;
	return track_record(r->db, &ti, r->subs, out, err);
}

/* One document of a poll: skipped when the state already holds it as evaluated with this
 * rulebook, else evaluated and recorded with its events and outbox rows. -1 stops the poll. */
static int
poller_item(struct pfeed *pf, struct doc *d)
{
	struct poller *p = pf->p;
	xmlDocPtr x = doc_xml(d);
	char *key = poller_doc_key(d);
	struct findings *fs = NULL;
	json_t *rep = NULL;
	struct poller_record pr;
	struct track_result tr;
	int rc = -1, cur;

	p->st.items++;
	pf->items++;
	if (key == NULL) {
		rw_error_set(&pf->err, pf->cf->name, 0, 0, "out of memory reading a document");
		goto out;
	}
	cur = track_is_current(p->env.db, pf->id, key, doc_id(d), rb_version(p->env.rb), pf->poll,
	    (int64_t)time(NULL), &pf->err);
	if (cur == 1) {
		rc = 0;
		goto out;
	}
	if (cur < 0)
		goto out;
	if ((fs = eval_doc(p->env.ev, x)) == NULL ||
	    (rep = findings_json(fs, x, SEV_INFO)) == NULL) {
		rw_error_set(&pf->err, pf->cf->name, 0, 0, "out of memory evaluating a document");
		goto out;
	}
	p->st.items_evaluated++;
	memset(&pr, 0, sizeof(pr));
	pr.db = p->env.db;
	pr.subs = p->env.subs;
	pr.feed_id = pf->id;
	pr.poll = pf->poll;
	pr.rulebook = rb_version(p->env.rb);
	pr.agency = pf->cf->agency;
	pr.format = fmt_name(feed_format(pf->parser));
	pr.raw = (const unsigned char *)feed_raw(pf->parser, &pr.rawlen);
	if (poller_record_doc(&pr, d, key, rep, &tr, &pf->err) != 0)
		goto out;
	p->st.opened += (uint64_t)tr.opened;
	p->st.changed += (uint64_t)tr.changed_findings;
	p->st.resolved += (uint64_t)tr.resolved;
	if (tr.opened + tr.changed_findings + tr.resolved > 0)
		log_info("feed %s: item %s: %d opened, %d changed, %d resolved", pf->cf->name, key,
		    tr.opened, tr.changed_findings, tr.resolved);
	if (tr.outbox > 0 && p->env.wrote != NULL)
		p->env.wrote(p->env.arg);
	rc = 0;
out:
	json_decref(rep);
	findings_free(fs);
	free(key);
	doc_free(d);
	return rc;
}

static int
poller_doc_cb(struct doc *d, void *arg)
{
	struct pfeed *pf = arg;

	if (poller_item(pf, d) != 0) {
		pf->failed = 1;
		return 1; /* stop reading: the state cannot take more */
	}
	return 0;
}

/* A broken item is quarantined: logged with its place, the rest of the feed goes on. */
static void
poller_item_err_cb(const struct rw_error *e, void *arg)
{
	struct pfeed *pf = arg;
	char buf[1200];

	pf->p->st.item_errors++;
	log_warn("feed %s: item skipped: %s", pf->cf->name, rw_error_str(e, buf, sizeof(buf)));
}

static int
poller_data_cb(const char *data, size_t len, void *arg, struct rw_error *err)
{
	struct pfeed *pf = arg;

	pf->fed = 1;
	if (feed_push(pf->parser, data, len, err) != 0)
		return -1;
	if (pf->failed) {
		*err = pf->err;
		return -1;
	}
	return 0;
}

static void
poller_finish(struct pfeed *pf, const char *error)
{
	struct poller *p = pf->p;
	struct feed_row row;
	struct rw_error err;
	int64_t delay, now = (int64_t)time(NULL);
	int failures = 0;

	feed_free(pf->parser);
	pf->parser = NULL;
	pf->fx = NULL;
	pf->done_once = 1;
	if (feeds_get(p->env.db, pf->id, &row, &err) == 0)
		failures = row.failures;
	if (error != NULL) {
		p->st.poll_errors++;
		failures++;
		log_warn("feed %s: poll failed (%d in a row): %s", pf->cf->name, failures, error);
	}
	delay = poller_next_delay(poller_interval(p, pf), error != NULL ? failures : 0,
	    p->env.cfg->backoff_max_s, p->env.cfg->jitter_pct, poller_rnd());
	if (error != NULL &&
	    feeds_poll_failed(p->env.db, pf->id, now, error, now + delay, &err) != 0) {
		char buf[1200];

		log_error("feed %s: %s", pf->cf->name, rw_error_str(&err, buf, sizeof(buf)));
	}
	poller_schedule(pf, delay);
	if (p->env.polled != NULL)
		p->env.polled(p->env.arg);
}

static void
poller_done_cb(const struct fetch_result *r, void *arg)
{
	struct pfeed *pf = arg;
	struct poller *p = pf->p;
	struct rw_error err;
	char buf[1200], ubuf[1024];
	int64_t delay, now = (int64_t)time(NULL);
	int resolved = 0;

	p->st.polls++;
	p->st.fetch_seconds += r->seconds;
	if (!r->ok) {
		poller_finish(pf, rw_error_str(&r->err, buf, sizeof(buf)));
		return;
	}
	if (r->not_modified) {
		p->st.not_modified++;
		feed_free(pf->parser);
		pf->parser = NULL;
		pf->fx = NULL;
		pf->done_once = 1;
		delay = poller_next_delay(
		    poller_interval(p, pf), 0, 0, p->env.cfg->jitter_pct, poller_rnd());
		if (feeds_poll_not_modified(p->env.db, pf->id, now, now + delay, &err) != 0)
			log_error(
			    "feed %s: %s", pf->cf->name, rw_error_str(&err, buf, sizeof(buf)));
		log_debug("feed %s: not modified", pf->cf->name);
		poller_schedule(pf, delay);
		if (p->env.polled != NULL)
			p->env.polled(p->env.arg);
		return;
	}
	if (r->status != 0 && (r->status < 200 || r->status > 299)) {
		snprintf(buf, sizeof(buf), "%s: HTTP %ld", log_url(pf->cf->url, ubuf, sizeof(ubuf)),
		    r->status);
		poller_finish(pf, buf);
		return;
	}
	/* A feed that ends early or breaks mid-way keeps what it gave, but is not swept: a
	 * truncated feed must not resolve the findings of the items it did not reach. */
	rw_error_clear(&err);
	if (feed_end(pf->parser, &err) != 0 || pf->failed) {
		if (pf->failed)
			err = pf->err;
		poller_finish(pf, rw_error_str(&err, buf, sizeof(buf)));
		return;
	}
	if (track_sweep(p->env.db, pf->id, pf->poll, now, p->env.subs, &resolved, &err) != 0) {
		poller_finish(pf, rw_error_str(&err, buf, sizeof(buf)));
		return;
	}
	p->st.resolved += (uint64_t)resolved;
	if (resolved > 0) {
		log_info("feed %s: %d finding%s resolved (items removed)", pf->cf->name, resolved,
		    resolved == 1 ? "" : "s");
		if (p->env.wrote != NULL)
			p->env.wrote(p->env.arg);
	}
	delay =
	    poller_next_delay(poller_interval(p, pf), 0, 0, p->env.cfg->jitter_pct, poller_rnd());
	if (feeds_poll_ok(p->env.db, pf->id, pf->poll, now, r->etag[0] ? r->etag : NULL,
		r->last_modified[0] ? r->last_modified : NULL, pf->items, now + delay, &err) != 0) {
		poller_finish(pf, rw_error_str(&err, buf, sizeof(buf)));
		return;
	}
	log_info("feed %s: polled, %lld item%s (%.2f s)", pf->cf->name, (long long)pf->items,
	    pf->items == 1 ? "" : "s", r->seconds);
	feed_free(pf->parser);
	pf->parser = NULL;
	pf->fx = NULL;
	pf->done_once = 1;
	poller_schedule(pf, delay);
	if (p->env.polled != NULL)
		p->env.polled(p->env.arg);
}

/* Starts one poll; a failure to start counts as a failed poll. */
static void
poller_start(struct pfeed *pf)
{
	struct poller *p = pf->p;
	const struct config *cfg = p->env.cfg;
	struct feed_limits lim = {cfg->max_body, FEED_MAX_SINGLE_DEFAULT, FEED_MAX_ITEM_DEFAULT};
	struct fetch_req req;
	struct feed_row row;
	struct rw_error err;
	char buf[1200];

	if (pf->fx != NULL || p->stopped)
		return;
	rw_error_clear(&pf->err);
	pf->failed = 0;
	pf->fed = 0;
	pf->items = 0;
	pf->started = time(NULL);
	if (feeds_get(p->env.db, pf->id, &row, &err) != 0 ||
	    feeds_poll_started(p->env.db, pf->id, (int64_t)time(NULL), &pf->poll, &err) != 0) {
		poller_finish(pf, rw_error_str(&err, buf, sizeof(buf)));
		return;
	}
	if (lim.max_single > cfg->max_body)
		lim.max_single = cfg->max_body;
	pf->parser = feed_new(
	    p->env.nm, pf->cf->url, pf->cf->format, &lim, poller_doc_cb, poller_item_err_cb, pf);
	if (pf->parser == NULL) {
		poller_finish(pf, "out of memory");
		return;
	}
	memset(&req, 0, sizeof(req));
	req.url = pf->cf->url;
	req.headers = (const char *const *)pf->cf->headers;
	req.nheaders = pf->cf->nheaders;
	req.etag = row.etag[0] != '\0' ? row.etag : NULL;
	req.last_modified = row.last_modified[0] != '\0' ? row.last_modified : NULL;
	req.client_cert = pf->cf->client_cert;
	req.client_key = pf->cf->client_key;
	log_debug("feed %s: poll %lld", pf->cf->name, (long long)pf->poll);
	pf->fx = fetch_start(p->env.fetcher, &req, poller_data_cb, poller_done_cb, pf, &err);
	if (pf->fx == NULL)
		poller_finish(pf, rw_error_str(&err, buf, sizeof(buf)));
}

static void
poller_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	poller_start(arg);
}

static void
poller_clear(struct poller *p)
{
	size_t i;

	for (i = 0; i < p->nfeeds; i++) {
		struct pfeed *pf = &p->feeds[i];

		if (pf->fx != NULL)
			fetch_cancel(pf->fx);
		feed_free(pf->parser);
		if (pf->timer != NULL)
			event_free(pf->timer);
	}
	free(p->feeds);
	p->feeds = NULL;
	p->nfeeds = 0;
}

static int
poller_setup(struct poller *p, struct rw_error *err)
{
	const struct config *cfg = p->env.cfg;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	if (feeds_mark_all_inactive(p->env.db, err) != 0)
		return -1;
	if (cfg->nfeeds > 0 && (p->feeds = calloc(cfg->nfeeds, sizeof(*p->feeds))) == NULL) {
		rw_error_set(err, cfg->path, 0, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		struct pfeed *pf = &p->feeds[i];
		struct feed_row row;
		int64_t delay;
		int iv;

		pf->p = p;
		pf->cf = &cfg->feeds[i];
		p->nfeeds = i + 1;
		if (feeds_sync(
			p->env.db, pf->cf->name, pf->cf->url, pf->cf->agency, &pf->id, err) != 0 ||
		    feeds_get(p->env.db, pf->id, &row, err) != 0)
			return -1;
		if ((pf->timer = evtimer_new(p->env.base, poller_timer_cb, pf)) == NULL) {
			rw_error_set(err, cfg->path, 0, 0, "out of memory");
			return -1;
		}
		/* Soon after start, spread over a second; a poll the state says is not due yet
		 * (a restart) waits, but never longer than one interval. */
		iv = poller_interval(p, pf);
		delay = row.next_poll > now && !p->once ? row.next_poll - now : 0;
		if (delay > iv)
			delay = iv;
		{
			struct timeval tv = {
			    (time_t)delay, (suseconds_t)arc4random_uniform(1000000)};

			evtimer_add(pf->timer, &tv);
		}
	}
	return 0;
}

struct poller *
poller_new(const struct poller_env *env, int once, struct rw_error *err)
{
	struct poller *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		rw_error_set(err, env->cfg->path, 0, 0, "out of memory");
		return NULL;
	}
	p->env = *env;
	p->once = once;
	if (poller_setup(p, err) != 0) {
		poller_free(p);
		return NULL;
	}
	return p;
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	poller_clear(p);
	free(p);
}

int
poller_reload(struct poller *p, const struct poller_env *env, struct rw_error *err)
{
	poller_clear(p);
	p->env = *env;
	return poller_setup(p, err);
}

void
poller_set_subs(struct poller *p, const struct subs *subs)
{
	p->env.subs = subs;
}

void
poller_stop(struct poller *p)
{
	size_t i;

	p->stopped = 1;
	for (i = 0; i < p->nfeeds; i++) {
		struct pfeed *pf = &p->feeds[i];

		evtimer_del(pf->timer);
		if (pf->fx != NULL) {
			fetch_cancel(pf->fx);
			pf->fx = NULL;
		}
		feed_free(pf->parser);
		pf->parser = NULL;
	}
}

size_t
poller_busy(const struct poller *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->nfeeds; i++)
		n += p->feeds[i].fx != NULL;
	return n;
}

size_t
poller_pending_once(const struct poller *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->nfeeds; i++)
		n += !p->feeds[i].done_once;
	return n;
}

void
poller_get_stats(const struct poller *p, struct poller_stats *st)
{
	*st = p->st;
}
