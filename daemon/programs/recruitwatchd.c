/* recruitwatchd: polls agency feeds, evaluates their items against the rulebook, keeps the
 * findings in a SQLite state file and delivers alerts through the configured sinks. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <libxml/parser.h>

#include "api.h"
#include "config.h"
#include "db.h"
#include "deliver.h"
#include "eval.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "poller.h"
#include "rulebook.h"
#include "subs.h"
#include "track.h"

/* Everything a configuration load produces; swapped as a whole on SIGHUP. */
struct gen {
	struct config *cfg;
	struct rulebook *rb;
	struct norm *nm;
	struct evaluator *ev;
	struct subs *subs;
};

struct daemon {
	const char *cfgpath;
	int once;
	struct event_base *base;
	struct db *db;
	struct fetcher *fx;
	struct poller *poller;
	struct deliverer *dlv;
	struct gen cur;
	struct api_ctx api;
	struct http_server *http;
	struct event *api_reload; /* a reload asked through the API, run after its reply */
	struct event *sighup, *sigterm, *sigint, *watchdog, *prune, *tick;
	int stopping;
	time_t stop_deadline;
	int exit_code;
};

static void
gen_free(struct gen *g)
{
	subs_free(g->subs);
	eval_free(g->ev);
	norm_free(g->nm);
	rb_free(g->rb);
	config_free(g->cfg);
	memset(g, 0, sizeof(*g));
}

/* Config, rulebook, entity data and an evaluator: all or nothing. */
static int
gen_load(const char *path, struct gen *g, struct rw_error *err)
{
	char *dirs[40];
	char schemadir[4096];
	size_t n = 0, i;

	memset(g, 0, sizeof(*g));
	if ((g->cfg = config_load(path, err)) == NULL)
		return -1;
	dirs[n++] = g->cfg->rules != NULL ? g->cfg->rules : (char *)rb_default_dir();
	for (i = 0; i < g->cfg->nrules_layers && n < sizeof(dirs) / sizeof(dirs[0]); i++)
		dirs[n++] = g->cfg->rules_layers[i];
	rb_default_schemadir(schemadir, sizeof(schemadir));
	if ((g->rb = rb_load(dirs, n, schemadir, err)) == NULL)
		goto fail;
	if ((g->nm = norm_new(g->cfg->data_dir != NULL ? g->cfg->data_dir : norm_default_datadir(),
		 err)) == NULL)
		goto fail;
	if ((g->ev = eval_new(g->rb, g->nm)) == NULL) {
		rw_error_set(err, path, 0, 0, "out of memory");
		goto fail;
	}
	return 0;
fail:
	gen_free(g);
	return -1;
}

/* The configuration's subscriptions into the state, then the active ones loaded. */
static int
gen_subscriptions(struct db *db, struct gen *g, struct rw_error *err)
{
	size_t i;
	int64_t id;

	if (db_begin(db, err) != 0)
		return -1;
	if (subs_mark_config_inactive(db, err) != 0)
		goto fail;
	for (i = 0; i < g->cfg->nsubs; i++)
		if (subs_sync(db, g->cfg->subs[i].name, g->cfg->subs[i].sink,
			&g->cfg->subs[i].filter, &id, err) != 0)
			goto fail;
	if (db_commit(db, err) != 0)
		goto fail;
	return (g->subs = subs_load(db, err)) != NULL ? 0 : -1;
fail:
	db_rollback(db);
	return -1;
}

static void daemon_env(struct daemon *d, struct poller_env *env);

static void
daemon_wrote(void *arg)
{
	struct daemon *d = arg;

	if (d->dlv != NULL)
		dlv_kick(d->dlv);
}

static void
daemon_env(struct daemon *d, struct poller_env *env)
{
	memset(env, 0, sizeof(*env));
	env->base = d->base;
	env->fetcher = d->fx;
	env->db = d->db;
	env->cfg = d->cur.cfg;
	env->rb = d->cur.rb;
	env->nm = d->cur.nm;
	env->ev = d->cur.ev;
	env->subs = d->cur.subs;
	env->wrote = daemon_wrote;
	env->arg = d;
}

/* What the API handlers read: replaced with each generation. */
static void
daemon_api_ctx(struct daemon *d)
{
	d->api.db = d->db;
	d->api.cfg = d->cur.cfg;
	d->api.rb = d->cur.rb;
	d->api.nm = d->cur.nm;
	d->api.ev = d->cur.ev;
	d->api.subs = d->cur.subs;
	d->api.dlv = d->dlv;
	d->api.poller = d->poller;
	d->api.fx = d->fx;
}

static void
daemon_status(struct daemon *d, int ready)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%zu feeds, %zu subscriptions, rulebook %s (%zu rules)%s%s",
	    d->cur.cfg->nfeeds, subs_count(d->cur.subs), rb_version(d->cur.rb),
	    rb_nrules(d->cur.rb), d->http != NULL ? ", API on " : "",
	    d->http != NULL ? d->cur.cfg->api.public_url : "");
	if (ready)
		notify_ready(buf);
	else
		notify_status("%s", buf);
	log_info("%s", buf);
}

/* SIGHUP: a new generation is built beside the running one and swapped in only when all of it
 * loaded; a bad configuration or rulebook is logged and the old one keeps running. */
static void
daemon_reload(struct daemon *d)
{
	struct gen g, old;
	struct poller_env env;
	struct rw_error err;
	char buf[1200];

	notify_reloading();
	log_info("reloading %s", d->cfgpath);
	if (gen_load(d->cfgpath, &g, &err) != 0) {
		log_error("reload refused, the running configuration stays: %s",
		    rw_error_str(&err, buf, sizeof(buf)));
		daemon_status(d, 1);
		return;
	}
	if (strcmp(g.cfg->state_dir, d->cur.cfg->state_dir) != 0)
		log_warn("state-directory changed to %s: it takes effect at the next restart",
		    g.cfg->state_dir);
	if (gen_subscriptions(d->db, &g, &err) != 0) {
		log_error("reload refused, the running configuration stays: %s",
		    rw_error_str(&err, buf, sizeof(buf)));
		gen_free(&g);
		daemon_status(d, 1);
		return;
	}
	if (dlv_reload(d->dlv, g.cfg, g.subs, &err) != 0) {
		log_error("reload refused, the running configuration stays: %s",
		    rw_error_str(&err, buf, sizeof(buf)));
		gen_free(&g);
		/* The old subscriptions are back in the state too. */
		if (gen_subscriptions(d->db, &d->cur, &err) != 0)
			log_error("%s", rw_error_str(&err, buf, sizeof(buf)));
		daemon_status(d, 1);
		return;
	}
	if (config_api_changed(d->cur.cfg, g.cfg))
		log_warn("api settings change at the next restart");
	old = d->cur;
	d->cur = g;
	daemon_api_ctx(d);
	log_set_level(g.cfg->log_level);
	daemon_env(d, &env);
	if (poller_reload(d->poller, &env, &err) != 0)
		log_error("reload: %s", rw_error_str(&err, buf, sizeof(buf)));
	gen_free(&old);
	daemon_status(d, 1);
}

static void
daemon_api_reload_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	if (!d->stopping)
		daemon_reload(d);
}

/* A subscription made, rotated or deleted through the API: the active set is loaded again and
 * handed to delivery and the poller; the configuration file is not read again (that is what
 * SIGHUP is for) and polls in flight go on. */
static void
daemon_subs_changed(void *arg)
{
	struct daemon *d = arg;
	struct subs *subs;
	struct rw_error err;
	char buf[1200];

	if ((subs = subs_load(d->db, &err)) == NULL ||
	    dlv_reload(d->dlv, d->cur.cfg, subs, &err) != 0) {
		log_error("subscriptions: %s", rw_error_str(&err, buf, sizeof(buf)));
		subs_free(subs);
		return;
	}
	poller_set_subs(d->poller, subs);
	subs_free(d->cur.subs);
	d->cur.subs = subs;
	d->api.subs = subs;
	log_info("subscriptions changed: %zu active", subs_count(subs));
}

/* POST /v1/reload: the reply goes out first, the reload runs at the loop's next turn. */
static void
daemon_api_reload(void *arg)
{
	struct daemon *d = arg;
	struct timeval now = {0, 0};

	if (d->api_reload != NULL)
		evtimer_add(d->api_reload, &now);
}

static void
daemon_stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	notify_stopping();
	log_info("stopping: no new polls; in-flight deliveries have %d s", d->cur.cfg->drain_s);
	poller_stop(d->poller);
	dlv_stop(d->dlv);
	/* No new API requests during the drain. */
	http_free(d->http);
	d->http = NULL;
	d->stop_deadline = time(NULL) + d->cur.cfg->drain_s;
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	if (sig == SIGHUP && !d->stopping)
		daemon_reload(d);
	else if (sig == SIGTERM || sig == SIGINT)
		daemon_stop(d);
}

/* Ten times a second: the end of a drain, and in --once mode the end of the work. */
static void
daemon_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	if (d->stopping) {
		if (dlv_busy(d->dlv) == 0 || time(NULL) >= d->stop_deadline) {
			if (dlv_busy(d->dlv) > 0)
				log_warn("%zu deliveries still in flight at the drain bound: they "
					 "stay pending and go out after the restart",
				    dlv_busy(d->dlv));
			event_base_loopexit(d->base, NULL);
		}
		return;
	}
	if (d->once && poller_pending_once(d->poller) == 0 && poller_busy(d->poller) == 0 &&
	    dlv_busy(d->dlv) == 0 && dlv_due(d->dlv) == 0) {
		log_info("--once: every feed polled and every due alert delivered");
		daemon_stop(d);
	}
}

static void
daemon_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_watchdog();
}

static void
daemon_prune_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct rw_error err;
	int64_t n = 0;
	char buf[1200];

	if (track_prune(d->db, (int64_t)time(NULL) - d->cur.cfg->retention_s, &n, &err) != 0)
		log_error("retention: %s", rw_error_str(&err, buf, sizeof(buf)));
	else if (n > 0)
		log_info("retention: %lld old rows deleted", (long long)n);
}

static int
daemon_open_state(struct daemon *d, struct rw_error *err)
{
	char path[4096];

	if (mkdir(d->cur.cfg->state_dir, 0750) != 0 && errno != EEXIST) {
		rw_error_set(err, d->cur.cfg->state_dir, 0, 0, "cannot create state directory: %s",
		    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/state.db", d->cur.cfg->state_dir);
	if ((d->db = db_open(path, err)) == NULL)
		return -1;
	return db_set_max_bytes(d->db, d->cur.cfg->state_max_bytes, err);
}

static int
daemon_start(struct daemon *d, struct rw_error *err)
{
	const struct config *c = d->cur.cfg;
	struct fetch_opts fo;
	struct poller_env env;
	struct timeval tick = {0, 100000}, hour = {3600, 0};
	uint64_t wd;

	if (daemon_open_state(d, err) != 0 || gen_subscriptions(d->db, &d->cur, err) != 0)
		return -1;
	if ((d->base = event_base_new()) == NULL) {
		rw_error_set(err, "recruitwatchd", 0, 0, "cannot create the event loop");
		return -1;
	}
	memset(&fo, 0, sizeof(fo));
	fo.cafile = c->cafile;
	fo.connect_timeout_s = c->connect_timeout_s;
	fo.timeout_s = c->fetch_timeout_s;
	fo.max_body = c->max_body;
	fo.max_redirects = c->max_redirects;
	fo.per_host = c->per_host;
	fo.max_transfers = c->max_transfers;
	if ((d->fx = fetcher_new(d->base, &fo, err)) == NULL)
		return -1;
	if ((d->dlv = dlv_new(d->base, d->db, c, d->fx, d->cur.subs, err)) == NULL)
		return -1;
	daemon_env(d, &env);
	if ((d->poller = poller_new(&env, d->once, err)) == NULL)
		return -1;
	d->sighup = evsignal_new(d->base, SIGHUP, daemon_signal_cb, d);
	d->sigterm = evsignal_new(d->base, SIGTERM, daemon_signal_cb, d);
	d->sigint = evsignal_new(d->base, SIGINT, daemon_signal_cb, d);
	d->tick = event_new(d->base, -1, EV_PERSIST, daemon_tick_cb, d);
	d->prune = event_new(d->base, -1, EV_PERSIST, daemon_prune_cb, d);
	if (d->sighup == NULL || d->sigterm == NULL || d->sigint == NULL || d->tick == NULL ||
	    d->prune == NULL) {
		rw_error_set(err, "recruitwatchd", 0, 0, "cannot create events");
		return -1;
	}
	evsignal_add(d->sighup, NULL);
	evsignal_add(d->sigterm, NULL);
	evsignal_add(d->sigint, NULL);
	evtimer_add(d->tick, &tick);
	evtimer_add(d->prune, &hour);
	if ((wd = notify_watchdog_usec()) > 0) {
		struct timeval half = {(time_t)(wd / 2000000), (suseconds_t)((wd / 2) % 1000000)};

		d->watchdog = event_new(d->base, -1, EV_PERSIST, daemon_watchdog_cb, d);
		if (d->watchdog != NULL)
			evtimer_add(d->watchdog, &half);
	}
	daemon_prune_cb(-1, 0, d);
	/* --once is a batch run: no API (and no port taken). */
	if (c->api.nlisten > 0 && !d->once) {
		d->api.started = time(NULL);
		d->api.reload = daemon_api_reload;
		d->api.subs_changed = daemon_subs_changed;
		d->api.arg = d;
		daemon_api_ctx(d);
		if ((d->api_reload = evtimer_new(d->base, daemon_api_reload_cb, d)) == NULL) {
			rw_error_set(err, "recruitwatchd", 0, 0, "cannot create events");
			return -1;
		}
		if ((d->http = http_new(d->base, &d->api, c, err)) == NULL)
			return -1;
	}
	return 0;
}

static void
daemon_free(struct daemon *d)
{
	http_free(d->http);
	if (d->api_reload != NULL)
		event_free(d->api_reload);
	poller_free(d->poller);
	dlv_free(d->dlv);
	fetcher_free(d->fx);
	if (d->sighup != NULL)
		event_free(d->sighup);
	if (d->sigterm != NULL)
		event_free(d->sigterm);
	if (d->sigint != NULL)
		event_free(d->sigint);
	if (d->tick != NULL)
		event_free(d->tick);
	if (d->prune != NULL)
		event_free(d->prune);
	if (d->watchdog != NULL)
		event_free(d->watchdog);
	if (d->base != NULL)
		event_base_free(d->base);
	gen_free(&d->cur);
	db_close(d->db);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: recruitwatchd [-c FILE] [--check-config] [--once] [-v]\n"
	    "  -c, --config FILE   configuration (default " CONFIG_DEFAULT_PATH ")\n"
	    "  --check-config      validate the configuration and rulebook, then exit\n"
	    "  --once              poll every feed once, deliver what is due, exit\n"
	    "  -v, --verbose       debug logging\n"
	    "  -V, --version       print the version\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	    {"check-config", no_argument, NULL, 'C'}, {"once", no_argument, NULL, 'O'},
	    {"verbose", no_argument, NULL, 'v'}, {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct daemon d;
	struct rw_error err;
	char buf[1200];
	int ch, check = 0, verbose = 0;

	memset(&d, 0, sizeof(d));
	d.cfgpath = CONFIG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:vVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.cfgpath = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'O':
			d.once = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("recruitwatchd 0.1.0\n");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("recruitwatchd", verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	signal(SIGPIPE, SIG_IGN);
	xmlInitParser();
	rw_error_clear(&err);
	if (gen_load(d.cfgpath, &d.cur, &err) != 0) {
		fprintf(stderr, "recruitwatchd: %s\n", rw_error_str(&err, buf, sizeof(buf)));
		return 2;
	}
	if (check) {
		printf("%s: configuration OK: %zu feeds, %zu sinks, %zu subscriptions; rulebook %s "
		       "(%zu rules)%s%s\n",
		    d.cfgpath, d.cur.cfg->nfeeds, d.cur.cfg->nsinks, d.cur.cfg->nsubs,
		    rb_version(d.cur.rb), rb_nrules(d.cur.rb),
		    d.cur.cfg->api.nlisten > 0 ? "; API on " : "",
		    d.cur.cfg->api.nlisten > 0 ? d.cur.cfg->api.public_url : "");
		gen_free(&d.cur);
		xmlCleanupParser();
		return 0;
	}
	if (!verbose)
		log_set_level(d.cur.cfg->log_level);
	if (daemon_start(&d, &err) != 0) {
		log_error("%s", rw_error_str(&err, buf, sizeof(buf)));
		daemon_free(&d);
		xmlCleanupParser();
		return 1;
	}
	daemon_status(&d, 1);
	if (event_base_dispatch(d.base) != 0)
		log_error("event loop failed");
	log_info("stopped");
	daemon_free(&d);
	curl_global_cleanup();
	xmlCleanupParser();
	return 0;
}
