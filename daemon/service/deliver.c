/* Lanes: one per subscription, each holding at most one delivery in flight so a subscriber
 * sees its alerts in order. The outbox row is marked delivered only after the sink's
 * acknowledgement, so a crash between the two sends it again (same event id) rather than
 * never. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "deliver.h"
#include "log.h"
#include "outbox.h"
#include "sink.h"

#define DLV_DIGEST_MAX 200

struct lane {
	struct deliverer *d;
	int64_t sub_id;
	char name[128];
	struct sink *sink; /* borrowed from d->sinks; NULL: its sink is not configured */
	struct event *timer;
	int busy;
	struct outbox_row rows[DLV_DIGEST_MAX];
	size_t nrows;
	int64_t last_digest;
	/* Acknowledged by the sink but not yet marked in the state (the disk was full): marked
	 * before anything else is sent, and never sent again while the daemon runs. */
	int64_t unmarked[DLV_DIGEST_MAX];
	size_t nunmarked;
};

struct deliverer {
	struct event_base *base;
	struct db *db;
	const struct config *cfg;
	struct fetcher *fetcher;
	struct sink **sinks;
	size_t nsinks;
	struct lane **lanes;
	size_t nlanes;
	int stopped;
	struct deliver_stats st;
	/* Lanes and sinks replaced by a reload while a delivery was in flight: freed when it
	 * ends. */
	struct lane **old_lanes;
	size_t nold_lanes;
	struct sink **old_sinks;
	size_t nold_sinks;
};

static void dlv_lane_run(struct lane *);

int64_t
dlv_retry_delay(int attempts, int base_s, int max_s, double rnd)
{
	double d = base_s > 0 ? base_s : 1;

	d = ldexp(d, attempts - 1 > 30 ? 30 : (attempts > 0 ? attempts - 1 : 0));
	if (max_s > 0 && d > max_s)
		d = max_s;
	d += (rnd * 2.0 - 1.0) * d * 0.1;
	return d < 1 ? 1 : (int64_t)(d + 0.5);
}

static void
dlv_lane_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	dlv_lane_run(arg);
}

static void
dlv_lane_later(struct lane *l, int64_t delay)
{
	struct timeval tv = {(time_t)(delay > 0 ? delay : 0), 0};

	evtimer_add(l->timer, &tv);
}

static void
dlv_lane_clear_rows(struct lane *l)
{
	size_t i;

	for (i = 0; i < l->nrows; i++)
		outbox_row_clear(&l->rows[i]);
	l->nrows = 0;
}

static void
dlv_free_lane(struct lane *l)
{
	if (l == NULL)
		return;
	dlv_lane_clear_rows(l);
	if (l->timer != NULL)
		event_free(l->timer);
	free(l);
}

static void
dlv_collect_old(struct deliverer *d)
{
	size_t i, busy = 0;

	for (i = 0; i < d->nold_lanes; i++)
		busy += d->old_lanes[i]->busy;
	if (busy > 0)
		return;
	for (i = 0; i < d->nold_lanes; i++)
		dlv_free_lane(d->old_lanes[i]);
	free(d->old_lanes);
	d->old_lanes = NULL;
	d->nold_lanes = 0;
	for (i = 0; i < d->nold_sinks; i++)
		sink_free(d->old_sinks[i]);
	free(d->old_sinks);
	d->old_sinks = NULL;
	d->nold_sinks = 0;
}

static int
dlv_is_old(const struct deliverer *d, const struct lane *l, int64_t busy_sub)
{
	size_t i;

	for (i = 0; i < d->nold_lanes; i++)
		if (busy_sub != 0 ? (d->old_lanes[i]->sub_id == busy_sub && d->old_lanes[i]->busy)
				  : d->old_lanes[i] == l)
			return 1;
	return 0;
}

/* The sink's verdict on the lane's rows: acknowledged, retried later, or dead-lettered. */
static void
dlv_done_cb(int ok, int permanent, const char *msg, void *arg)
{
	struct lane *l = arg;
	struct deliverer *d = l->d;
	int64_t now = (int64_t)time(NULL), delay = 0;
	struct rw_error err;
	char buf[1200];
	size_t i;
	int dbfail = 0;

	l->busy = 0;
	for (i = 0; i < l->nrows; i++) {
		struct outbox_row *r = &l->rows[i];

		if (ok) {
			d->st.delivered++;
			d->st.seconds += (double)(now - r->created);
			if (outbox_delivered(d->db, r->id, now, &err) != 0) {
				dbfail = 1;
				l->unmarked[l->nunmarked++] = r->id;
			}
			log_debug(
			    "subscription %s: %s %s delivered", l->name, r->type, r->event_id);
			continue;
		}
		{
			int dead = permanent || now - r->created >= d->cfg->dead_after_s;

			d->st.failed++;
			delay = dlv_retry_delay(r->attempts + 1, d->cfg->retry_base_s,
			    d->cfg->retry_max_s, (double)arc4random_uniform(1000) / 1000.0);
			if (dead) {
				d->st.dead++;
				log_error(
				    "subscription %s: event %s dead-lettered after %d attempts: "
				    "%s",
				    l->name, r->event_id, r->attempts + 1, msg);
			} else if (i == 0)
				log_warn(
				    "subscription %s: delivery of %s failed (attempt %d, next in "
				    "%lld s): %s",
				    l->name, r->event_id, r->attempts + 1, (long long)delay, msg);
			if (outbox_failed(d->db, r->id, now, msg, now + delay, dead, &err) != 0)
				dbfail = 1;
		}
	}
	if (dbfail)
		log_error("subscription %s: %s", l->name, rw_error_str(&err, buf, sizeof(buf)));
	dlv_lane_clear_rows(l);
	if (dlv_is_old(d, l, 0)) {
		/* A lane replaced by a reload: its successor takes over from the outbox. */
		dlv_collect_old(d);
		if (!d->stopped)
			dlv_kick(d);
		return;
	}
	if (d->stopped)
		return;
	/* A zero-delay timer rather than a direct call: the sink may have answered from inside
	 * sink_deliver, and the loop should see other events between deliveries. */
	dlv_lane_later(l, dbfail ? d->cfg->retry_base_s : 0);
}

static int
dlv_collect_row(const struct outbox_row *r, void *arg)
{
	struct lane *l = arg;
	struct outbox_row *dst;

	if (l->nrows >= DLV_DIGEST_MAX)
		return 1;
	dst = &l->rows[l->nrows];
	*dst = *r;
	if ((dst->payload = strdup(r->payload != NULL ? r->payload : "{}")) == NULL)
		return 1;
	l->nrows++;
	return 0;
}

static void
dlv_lane_run(struct lane *l)
{
	struct deliverer *d = l->d;
	struct rw_error err;
	char buf[1200];
	int64_t now = (int64_t)time(NULL);
	int digest, rc;

	if (l->busy || d->stopped || l->sink == NULL)
		return;
	while (l->nunmarked > 0) {
		if (outbox_delivered(d->db, l->unmarked[0], now, &err) != 0) {
			log_error(
			    "subscription %s: %s", l->name, rw_error_str(&err, buf, sizeof(buf)));
			dlv_lane_later(l, d->cfg->retry_base_s);
			return;
		}
		memmove(l->unmarked, l->unmarked + 1, --l->nunmarked * sizeof(l->unmarked[0]));
	}
	/* The lane a reload replaced still has this subscription's head in flight. */
	if (dlv_is_old(d, NULL, l->sub_id))
		return;
	dlv_lane_clear_rows(l);
	rc = outbox_head(d->db, l->sub_id, &l->rows[0], &err);
	if (rc < 0) {
		log_error("subscription %s: %s", l->name, rw_error_str(&err, buf, sizeof(buf)));
		dlv_lane_later(l, d->cfg->retry_base_s);
		return;
	}
	if (rc == 0)
		return; /* idle until dlv_kick */
	l->nrows = 1;
	if (l->rows[0].next_attempt > now) {
		dlv_lane_clear_rows(l);
		dlv_lane_later(l, l->rows[0].next_attempt - now);
		return;
	}
	digest = sink_digest_interval(l->sink);
	if (digest > 0) {
		/* A digest waits for its interval, then takes every due row at once. */
		if (l->last_digest != 0 && now - l->last_digest < digest) {
			dlv_lane_clear_rows(l);
			dlv_lane_later(l, digest - (now - l->last_digest));
			return;
		}
		dlv_lane_clear_rows(l);
		if (outbox_due(d->db, l->sub_id, now, DLV_DIGEST_MAX, dlv_collect_row, l, &err) <
		    0) {
			log_error(
			    "subscription %s: %s", l->name, rw_error_str(&err, buf, sizeof(buf)));
			dlv_lane_clear_rows(l);
			dlv_lane_later(l, d->cfg->retry_base_s);
			return;
		}
		if (l->nrows == 0)
			return;
		l->last_digest = now;
	}
	l->busy = 1;
	d->st.attempts++;
	if (sink_deliver(l->sink, l->rows, l->nrows, dlv_done_cb, l, &err) != 0) {
		l->busy = 0;
		dlv_done_cb(0, 0, rw_error_str(&err, buf, sizeof(buf)), l);
	}
}

/* A subscription made through the API has its own webhook: a sink from its row. During a
 * rotation both secrets sign (whsig_sign takes them space-separated). */
static struct sink *
dlv_api_sink(struct deliverer *d, const struct config *cfg, const struct sub_row *s)
{
	char secret[sizeof(s->secret) + sizeof(s->secret_previous) + 1], name[160], buf[1200];
	struct cfg_sink cs;
	struct rw_error err;
	struct sink *sk;

	snprintf(name, sizeof(name), "subscription %s", s->name);
	if (s->secret_previous[0] != '\0')
		snprintf(secret, sizeof(secret), "%s %s", s->secret, s->secret_previous);
	else
		snprintf(secret, sizeof(secret), "%s", s->secret);
	memset(&cs, 0, sizeof(cs));
	cs.name = name;
	cs.type = SINK_WEBHOOK;
	cs.url = (char *)s->url;
	cs.secret = secret;
	cs.timeout_s = 0; /* the fetcher's, as for a configured webhook */
	cs.file = (char *)"state";
	sk = sink_new(&cs, d->fetcher, &err);
	explicit_bzero(secret, sizeof(secret));
	if (sk == NULL)
		log_error("subscription %s: its alerts wait: %s", s->name,
		    rw_error_str(&err, buf, sizeof(buf)));
	return sk;
}

static int
dlv_build(
    struct deliverer *d, const struct config *cfg, const struct subs *subs, struct rw_error *err)
{
	size_t i, j, nsubs = subs_count(subs), cap = cfg->nsinks + nsubs;

	d->nsinks = 0;
	d->nlanes = 0;
	/* the configured sinks first, then one per API subscription */
	d->sinks = cap > 0 ? calloc(cap, sizeof(*d->sinks)) : NULL;
	d->lanes = nsubs > 0 ? calloc(nsubs, sizeof(*d->lanes)) : NULL;
	if ((cap > 0 && d->sinks == NULL) || (nsubs > 0 && d->lanes == NULL)) {
		rw_error_set(err, cfg->path, 0, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < cfg->nsinks; i++) {
		if ((d->sinks[i] = sink_new(&cfg->sinks[i], d->fetcher, err)) == NULL)
			return -1;
		d->nsinks = i + 1;
	}
	for (i = 0; i < nsubs; i++) {
		const struct sub_row *s = subs_at(subs, i);
		struct lane *l;

		if ((l = calloc(1, sizeof(*l))) == NULL) {
			rw_error_set(err, cfg->path, 0, 0, "out of memory");
			return -1;
		}
		d->lanes[d->nlanes++] = l;
		l->d = d;
		l->sub_id = s->id;
		snprintf(l->name, sizeof(l->name), "%s", s->name);
		if (strcmp(s->origin, "api") == 0) {
			if ((l->sink = dlv_api_sink(d, cfg, s)) != NULL)
				d->sinks[d->nsinks++] = l->sink;
		} else {
			for (j = 0; j < cfg->nsinks; j++)
				if (strcmp(sink_name(d->sinks[j]), s->sink) == 0)
					l->sink = d->sinks[j];
			if (l->sink == NULL)
				log_warn("subscription %s: sink %s is not configured; its alerts "
					 "wait",
				    s->name, s->sink);
		}
		if ((l->timer = evtimer_new(d->base, dlv_lane_timer_cb, l)) == NULL) {
			rw_error_set(err, cfg->path, 0, 0, "out of memory");
			return -1;
		}
	}
	d->cfg = cfg;
	return 0;
}

static void
dlv_teardown(struct lane **lanes, size_t nlanes, struct sink **sinks, size_t nsinks)
{
	size_t i;

	for (i = 0; i < nlanes; i++)
		dlv_free_lane(lanes[i]);
	free(lanes);
	for (i = 0; i < nsinks; i++)
		sink_free(sinks[i]);
	free(sinks);
}

struct deliverer *
dlv_new(struct event_base *base, struct db *db, const struct config *cfg, struct fetcher *fx,
    const struct subs *subs, struct rw_error *err)
{
	struct deliverer *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		rw_error_set(err, cfg->path, 0, 0, "out of memory");
		return NULL;
	}
	d->base = base;
	d->db = db;
	d->fetcher = fx;
	if (dlv_build(d, cfg, subs, err) != 0) {
		dlv_free(d);
		return NULL;
	}
	dlv_kick(d);
	return d;
}

void
dlv_free(struct deliverer *d)
{
	if (d == NULL)
		return;
	dlv_teardown(d->lanes, d->nlanes, d->sinks, d->nsinks);
	dlv_teardown(d->old_lanes, d->nold_lanes, d->old_sinks, d->nold_sinks);
	free(d);
}

int
dlv_reload(
    struct deliverer *d, const struct config *cfg, const struct subs *subs, struct rw_error *err)
{
	struct lane **lanes = d->lanes, **ol;
	struct sink **sinks = d->sinks, **os;
	size_t nlanes = d->nlanes, nsinks = d->nsinks, i;
	const struct config *oldcfg = d->cfg;

	if (dlv_build(d, cfg, subs, err) != 0) {
		dlv_teardown(d->lanes, d->nlanes, d->sinks, d->nsinks);
		d->lanes = lanes;
		d->nlanes = nlanes;
		d->sinks = sinks;
		d->nsinks = nsinks;
		d->cfg = oldcfg;
		return -1;
	}
	/* Lanes in flight finish with their old sink, then go. */
	ol = reallocarray(d->old_lanes, d->nold_lanes + nlanes + 1, sizeof(*ol));
	os = reallocarray(d->old_sinks, d->nold_sinks + nsinks + 1, sizeof(*os));
	if (ol != NULL)
		d->old_lanes = ol;
	if (os != NULL)
		d->old_sinks = os;
	if (ol == NULL || os == NULL) {
		rw_error_set(err, cfg->path, 0, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < nlanes; i++) {
		evtimer_del(lanes[i]->timer);
		d->old_lanes[d->nold_lanes++] = lanes[i];
	}
	for (i = 0; i < nsinks; i++)
		d->old_sinks[d->nold_sinks++] = sinks[i];
	free(lanes);
	free(sinks);
	dlv_collect_old(d);
	dlv_kick(d);
	return 0;
}

void
dlv_kick(struct deliverer *d)
{
	size_t i;

	for (i = 0; i < d->nlanes; i++)
		if (!d->lanes[i]->busy && !evtimer_pending(d->lanes[i]->timer, NULL))
			dlv_lane_later(d->lanes[i], 0);
}

void
dlv_stop(struct deliverer *d)
{
	size_t i;

	d->stopped = 1;
	for (i = 0; i < d->nlanes; i++)
		evtimer_del(d->lanes[i]->timer);
}

size_t
dlv_busy(const struct deliverer *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->nlanes; i++)
		n += d->lanes[i]->busy;
	for (i = 0; i < d->nold_lanes; i++)
		n += d->old_lanes[i]->busy;
	return n;
}

size_t
dlv_due(struct deliverer *d)
{
	int64_t now = (int64_t)time(NULL);
	struct outbox_row r;
	struct rw_error err;
	size_t i, n = 0;

	for (i = 0; i < d->nlanes; i++) {
		if (d->lanes[i]->sink == NULL)
			continue;
		if (outbox_head(d->db, d->lanes[i]->sub_id, &r, &err) == 1) {
			n += r.next_attempt <= now;
			outbox_row_clear(&r);
		}
	}
	return n;
}

void
dlv_get_stats(const struct deliverer *d, struct deliver_stats *st)
{
	*st = d->st;
}
