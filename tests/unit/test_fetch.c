/* The event-driven fetcher against a real evhttp server on 127.0.0.1 in the same process and
 * event loop: bodies, validators, conditional GETs, errors, limits, queueing and cancelling;
 * mail against an SMTP responder on that loop too, which only works with mail off the loop. */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "cu.h"
#include "fetch.h"

#define OK_LEN 20000
#define ETAG "\"v1\""
#define LAST_MOD "Wed, 21 Oct 2015 07:28:00 GMT"
#define SLOW_MS 60

struct srv {
	struct event_base *base;
	struct evhttp *http;
	int port;
	int inflight, max_inflight;
	int hits_ok, hits_slow, hits_redir;
	char if_none_match[64], if_mod_since[64], user_agent[64], x_token[64];
};

struct slow_reply {
	struct srv *s;
	struct evhttp_request *req;
	struct event *ev;
};

struct env {
	struct event_base *base;
	struct srv srv;
	struct fetcher *f;
	struct event *watchdog;
	int pending; /* dones still expected */
	int timed_out;
	int seq; /* dones so far, to tell their order */
};

/* One fetch's view: what the callbacks saw, and what they should do to the fetcher. */
struct got {
	struct env *env;
	struct fetch *self;
	int ndone, ndata;
	int order; /* e->seq when done came */
	struct fetch_result res;
	char body[OK_LEN + 1];
	size_t len;
	int cancel_self; /* in data */
	int free_fetcher; /* in done */
	const char *start_again; /* in done: this URL */
	struct got *again;
};

static void
ok_body(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)('a' + i % 23);
}

static void
reply(struct evhttp_request *req, int code, const char *reason, const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
slow_fire(evutil_socket_t fd, short what, void *arg)
{
	struct slow_reply *sr = arg;

	(void)fd;
	(void)what;
	sr->s->inflight--;
	reply(sr->req, 200, "OK", "slow", 4);
	event_free(sr->ev);
	free(sr);
}

static void
copy_header(struct evhttp_request *req, const char *name, char *buf, size_t len)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), name);

	snprintf(buf, len, "%s", v != NULL ? v : "");
}

static void
srv_handle(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	static char big[10000];
	char okb[OK_LEN], body[64];
	struct evbuffer *in, *chunk;
	struct slow_reply *sr;
	struct timeval tv = {0, SLOW_MS * 1000};
	size_t n;
	int i;

	copy_header(req, "User-Agent", s->user_agent, sizeof(s->user_agent));
	if (strcmp(path, "/ok") == 0) {
		s->hits_ok++;
		copy_header(req, "If-None-Match", s->if_none_match, sizeof(s->if_none_match));
		copy_header(req, "If-Modified-Since", s->if_mod_since, sizeof(s->if_mod_since));
		/* Lower case on purpose: header names are case-insensitive. */
		evhttp_add_header(out, "etag", ETAG);
		evhttp_add_header(out, "Last-Modified", LAST_MOD);
		if (strcmp(s->if_none_match, ETAG) == 0 || strcmp(s->if_mod_since, LAST_MOD) == 0) {
			evhttp_send_reply(req, 304, "Not Modified", NULL);
			return;
		}
		ok_body(okb, sizeof(okb));
		reply(req, 200, "OK", okb, sizeof(okb));
	} else if (strcmp(path, "/err") == 0) {
		reply(req, 500, "Internal Server Error", "boom", 4);
	} else if (strcmp(path, "/post") == 0) {
		in = evhttp_request_get_input_buffer(req);
		n = evbuffer_copyout(in, body, sizeof(body) - 1);
		body[n] = '\0';
		copy_header(req, "X-Token", s->x_token, sizeof(s->x_token));
		if (evhttp_request_get_command(req) == EVHTTP_REQ_POST &&
		    strcmp(s->x_token, "abc") == 0 && strcmp(body, "a=1&b=2") == 0)
			reply(req, 201, "Created", "created", 7);
		else
			reply(req, 400, "Bad Request", "bad", 3);
	} else if (strcmp(path, "/big") == 0) {
		memset(big, 'x', sizeof(big));
		reply(req, 200, "OK", big, sizeof(big));
	} else if (strcmp(path, "/bigchunked") == 0) {
		/* No Content-Length: only counting the bytes can stop it. */
		memset(big, 'y', sizeof(big));
		evhttp_send_reply_start(req, 200, "OK");
		for (i = 0; i < 3; i++) {
			chunk = evbuffer_new();
			evbuffer_add(chunk, big, 800);
			evhttp_send_reply_chunk(req, chunk);
			evbuffer_free(chunk);
		}
		evhttp_send_reply_end(req);
	} else if (strcmp(path, "/slow") == 0) {
		s->hits_slow++;
		if (++s->inflight > s->max_inflight)
			s->max_inflight = s->inflight;
		sr = calloc(1, sizeof(*sr));
		sr->s = s;
		sr->req = req;
		sr->ev = evtimer_new(s->base, slow_fire, sr);
		evtimer_add(sr->ev, &tv);
	} else if (strcmp(path, "/redir") == 0) {
		s->hits_redir++;
		evhttp_add_header(out, "Location", "/ok");
		reply(req, 302, "Found", "moved", 5);
	} else
		reply(req, 404, "Not Found", "", 0);
}

static void
srv_start(struct srv *s, struct event_base *base)
{
	struct evhttp_bound_socket *h;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	memset(s, 0, sizeof(*s));
	s->base = base;
	s->http = evhttp_new(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->http);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(s->http, srv_handle, s);
	h = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL_FATAL(
	    getsockname(evconnlistener_get_fd(evhttp_bound_socket_get_listener(h)),
		(struct sockaddr *)&sin, &slen),
	    0);
	s->port = ntohs(sin.sin_port);
}

static void
watchdog_fire(evutil_socket_t fd, short what, void *arg)
{
	struct env *e = arg;

	(void)fd;
	(void)what;
	e->timed_out = 1;
	event_base_loopexit(e->base, NULL);
}

static void
env_init(struct env *e, const struct fetch_opts *o)
{
	struct fetch_opts def;
	struct rw_error err;

	memset(e, 0, sizeof(*e));
	memset(&def, 0, sizeof(def));
	e->base = event_base_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->base);
	srv_start(&e->srv, e->base);
	e->f = fetcher_new(e->base, o != NULL ? o : &def, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->f);
	e->watchdog = evtimer_new(e->base, watchdog_fire, e);
}

/* Runs the loop until every expected done came, or for ms when nothing is expected. */
static void
env_run(struct env *e, long ms)
{
	struct timeval tv = {10, 0};

	if (ms > 0) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	evtimer_add(e->watchdog, &tv);
	e->timed_out = 0;
	event_base_dispatch(e->base);
	evtimer_del(e->watchdog);
	if (ms == 0)
		CU_ASSERT_FALSE(e->timed_out);
}

static void
env_free(struct env *e)
{
	fetcher_free(e->f);
	event_free(e->watchdog);
	evhttp_free(e->srv.http);
	event_base_free(e->base);
}

static void
url_of(const struct env *e, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "http://127.0.0.1:%d%s", e->srv.port, path);
}

static int
got_data(const char *data, size_t len, void *arg, struct rw_error *err)
{
	struct got *g = arg;

	(void)err;
	g->ndata++;
	if (g->len + len <= OK_LEN) {
		memcpy(g->body + g->len, data, len);
		g->len += len;
		g->body[g->len] = '\0';
	}
	if (g->cancel_self)
		fetch_cancel(g->self);
	return 0;
}

static void start(struct env *, struct got *, const char *url);

static void
got_done(const struct fetch_result *r, void *arg)
{
	struct got *g = arg;
	struct env *e = g->env;

	g->ndone++;
	g->order = ++e->seq;
	g->res = *r;
	if (g->start_again != NULL) {
		start(e, g->again, g->start_again);
		g->start_again = NULL;
	}
	if (g->free_fetcher) {
		fetcher_free(e->f);
		e->f = NULL;
	}
	if (--e->pending == 0)
		event_base_loopexit(e->base, NULL);
}

static void
start_req(struct env *e, struct got *g, const struct fetch_req *req)
{
	struct rw_error err;

	g->env = e;
	g->self = fetch_start(e->f, req, got_data, got_done, g, &err);
	CU_ASSERT_PTR_NOT_NULL(g->self);
	if (g->self != NULL)
		e->pending++;
}

static void
start(struct env *e, struct got *g, const char *url)
{
	struct fetch_req req;

	memset(&req, 0, sizeof(req));
	req.url = url;
	start_req(e, g, &req);
}

static void
test_body_and_validators(void)
{
	struct env e;
	struct got g;
	char url[128], want[OK_LEN];

	memset(&g, 0, sizeof(g));
	env_init(&e, NULL);
	url_of(&e, "/ok", url, sizeof(url));
	start(&e, &g, url);
	env_run(&e, 0);
	ok_body(want, sizeof(want));
	CU_ASSERT_EQUAL(g.ndone, 1);
	CU_ASSERT_EQUAL(g.res.ok, 1);
	CU_ASSERT_EQUAL(g.res.status, 200);
	CU_ASSERT_EQUAL(g.res.not_modified, 0);
	CU_ASSERT_EQUAL(g.res.bytes, OK_LEN);
	CU_ASSERT_EQUAL(g.len, OK_LEN);
	CU_ASSERT(g.ndata >= 1);
	CU_ASSERT(memcmp(g.body, want, OK_LEN) == 0);
	CU_ASSERT_STRING_EQUAL(g.res.etag, ETAG);
	CU_ASSERT_STRING_EQUAL(g.res.last_modified, LAST_MOD);
	CU_ASSERT_STRING_EQUAL(e.srv.user_agent, "recruitwatch/0.1");
	CU_ASSERT_STRING_EQUAL(e.srv.if_none_match, "");
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	env_free(&e);
}

static void
test_conditional_304(void)
{
	struct env e;
	struct got g1, g2;
	struct fetch_req req;
	char url[128];

	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	env_init(&e, NULL);
	url_of(&e, "/ok", url, sizeof(url));
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.etag = ETAG;
	start_req(&e, &g1, &req);
	env_run(&e, 0);
	CU_ASSERT_STRING_EQUAL(e.srv.if_none_match, ETAG);
	CU_ASSERT_EQUAL(g1.ndone, 1);
	CU_ASSERT_EQUAL(g1.res.ok, 1);
	CU_ASSERT_EQUAL(g1.res.status, 304);
	CU_ASSERT_EQUAL(g1.res.not_modified, 1);
	CU_ASSERT_EQUAL(g1.ndata, 0);
	CU_ASSERT_EQUAL(g1.res.bytes, 0);

	/* The date alone, sent back exactly as the server gave it. */
	req.etag = NULL;
	req.last_modified = LAST_MOD;
	start_req(&e, &g2, &req);
	env_run(&e, 0);
	CU_ASSERT_STRING_EQUAL(e.srv.if_mod_since, LAST_MOD);
	CU_ASSERT_STRING_EQUAL(e.srv.if_none_match, "");
	CU_ASSERT_EQUAL(g2.res.status, 304);
	CU_ASSERT_EQUAL(g2.res.not_modified, 1);
	CU_ASSERT_EQUAL(g2.ndata, 0);
	env_free(&e);
}

static void
test_status_500(void)
{
	struct env e;
	struct got g;
	char url[128];

	memset(&g, 0, sizeof(g));
	env_init(&e, NULL);
	url_of(&e, "/err", url, sizeof(url));
	start(&e, &g, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g.ndone, 1);
	CU_ASSERT_EQUAL(g.res.ok, 1);
	CU_ASSERT_EQUAL(g.res.status, 500);
	CU_ASSERT_EQUAL(g.res.not_modified, 0);
	CU_ASSERT_EQUAL(g.ndata, 0);
	CU_ASSERT_EQUAL(g.res.bytes, 0);
	env_free(&e);
}

static void
test_post(void)
{
	static const char *const hdrs[] = {"X-Token: abc", "Content-Type: text/plain"};
	struct env e;
	struct got g;
	struct fetch_req req;
	char url[128];

	memset(&g, 0, sizeof(g));
	env_init(&e, NULL);
	url_of(&e, "/post", url, sizeof(url));
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = "POST";
	req.headers = hdrs;
	req.nheaders = 2;
	req.body = "a=1&b=2";
	req.bodylen = 7;
	start_req(&e, &g, &req);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g.res.ok, 1);
	CU_ASSERT_EQUAL(g.res.status, 201);
	CU_ASSERT_STRING_EQUAL(g.body, "created");
	CU_ASSERT_EQUAL(g.res.bytes, 7);
	env_free(&e);
}

static void
test_max_body(void)
{
	struct fetch_opts o;
	struct env e;
	struct got g1, g2;
	char url1[128], url2[128], buf[1024];

	memset(&o, 0, sizeof(o));
	o.max_body = 1000;
	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	env_init(&e, &o);
	url_of(&e, "/big", url1, sizeof(url1));
	url_of(&e, "/bigchunked", url2, sizeof(url2));
	start(&e, &g1, url1);
	start(&e, &g2, url2);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g1.res.ok, 0);
	CU_ASSERT_STRING_EQUAL(g1.res.err.source, url1);
	CU_ASSERT_STRING_EQUAL(g1.res.err.msg, "body larger than 1000 bytes");
	CU_ASSERT_EQUAL(g2.res.ok, 0);
	CU_ASSERT_STRING_EQUAL(g2.res.err.msg, "body larger than 1000 bytes");
	CU_ASSERT(g2.res.bytes <= 1000);
	snprintf(buf, sizeof(buf), "%s: body larger than 1000 bytes", url2);
	CU_ASSERT_STRING_EQUAL(rw_error_str(&g2.res.err, buf + 512, 512), buf);
	env_free(&e);
}

static void
test_per_host_queue(void)
{
	struct fetch_opts o;
	struct env e;
	struct got g[3];
	char url[128];
	int i;

	memset(&o, 0, sizeof(o));
	o.per_host = 1;
	memset(g, 0, sizeof(g));
	env_init(&e, &o);
	url_of(&e, "/slow", url, sizeof(url));
	for (i = 0; i < 3; i++)
		start(&e, &g[i], url);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 1);
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 2);
	CU_ASSERT_EQUAL(g[0].ndone, 0); /* never from inside fetch_start */
	env_run(&e, 0);
	CU_ASSERT_EQUAL(e.srv.hits_slow, 3);
	CU_ASSERT_EQUAL(e.srv.max_inflight, 1);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(g[i].ndone, 1);
		CU_ASSERT_EQUAL(g[i].res.status, 200);
		CU_ASSERT_STRING_EQUAL(g[i].body, "slow");
	}
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 0);
	env_free(&e);
}

static void
test_refused_hides_secrets(void)
{
	struct env e;
	struct got g;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char url[160], want[128], buf[1024];
	int fd;

	/* A port that was free a moment ago and has nobody listening now. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);

	memset(&g, 0, sizeof(g));
	env_init(&e, NULL);
	snprintf(url, sizeof(url), "http://alice:s3cret@127.0.0.1:%d/feed.xml?token=t0k#frag",
	    ntohs(sin.sin_port));
	start(&e, &g, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g.ndone, 1);
	CU_ASSERT_EQUAL(g.res.ok, 0);
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/feed.xml", ntohs(sin.sin_port));
	CU_ASSERT_STRING_EQUAL(g.res.err.source, want);
	CU_ASSERT(g.res.err.msg[0] != '\0');
	rw_error_str(&g.res.err, buf, sizeof(buf));
	CU_ASSERT_PTR_NULL(strstr(buf, "s3cret"));
	CU_ASSERT_PTR_NULL(strstr(buf, "alice"));
	CU_ASSERT_PTR_NULL(strstr(buf, "t0k"));
	CU_ASSERT_PTR_NULL(strstr(buf, "token"));
	env_free(&e);
}

static void
test_file(void)
{
	struct env e;
	struct got g1, g2, g3;
	struct fetch_req req;
	struct timeval tv[2];
	char path[] = "/tmp/rw_fetch_XXXXXX", url[128];
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "file body\n", 10), 10);
	close(fd);
	/* 2020-01-02 03:04:05 UTC, a Thursday. */
	tv[0].tv_sec = tv[1].tv_sec = 1577934245;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	CU_ASSERT_EQUAL(utimes(path, tv), 0);
	snprintf(url, sizeof(url), "file://%s", path);

	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	memset(&g3, 0, sizeof(g3));
	env_init(&e, NULL);
	start(&e, &g1, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g1.res.ok, 1);
	CU_ASSERT_EQUAL(g1.res.status, 0);
	CU_ASSERT_EQUAL(g1.res.not_modified, 0);
	CU_ASSERT_STRING_EQUAL(g1.body, "file body\n");
	CU_ASSERT_EQUAL(g1.res.bytes, 10);
	CU_ASSERT_STRING_EQUAL(g1.res.last_modified, "Thu, 02 Jan 2020 03:04:05 GMT");

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.last_modified = g1.res.last_modified;
	start_req(&e, &g2, &req);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g2.res.ok, 1);
	CU_ASSERT_EQUAL(g2.res.not_modified, 1);
	CU_ASSERT_EQUAL(g2.ndata, 0);

	req.last_modified = "Wed, 01 Jan 2020 00:00:00 GMT";
	start_req(&e, &g3, &req);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g3.res.ok, 1);
	CU_ASSERT_EQUAL(g3.res.not_modified, 0);
	CU_ASSERT_STRING_EQUAL(g3.body, "file body\n");
	env_free(&e);
	unlink(path);
}

static void
test_cancel(void)
{
	struct fetch_opts o;
	struct env e;
	struct got a, b, c;
	char url[128];

	memset(&o, 0, sizeof(o));
	o.per_host = 1;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	env_init(&e, &o);
	url_of(&e, "/slow", url, sizeof(url));
	start(&e, &c, url);
	start(&e, &a, url);
	start(&e, &b, url);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 1);
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 2);
	fetch_cancel(b.self); /* queued */
	e.pending--;
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 1);
	fetch_cancel(c.self); /* running: a takes its slot */
	e.pending--;
	CU_ASSERT_EQUAL(fetcher_running(e.f), 1);
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 0);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(a.ndone, 1);
	CU_ASSERT_EQUAL(a.res.status, 200);
	CU_ASSERT_EQUAL(b.ndone, 0);
	CU_ASSERT_EQUAL(c.ndone, 0);
	/* Let anything wrongly left run out. */
	env_run(&e, 3 * SLOW_MS);
	CU_ASSERT_EQUAL(b.ndone, 0);
	CU_ASSERT_EQUAL(c.ndone, 0);
	CU_ASSERT_EQUAL(e.srv.hits_slow, 1); /* c was cancelled before it connected */
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	env_free(&e);
}

static void
test_cancel_from_data(void)
{
	struct env e;
	struct got a, b;
	char url[128];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	env_init(&e, NULL);
	url_of(&e, "/ok", url, sizeof(url));
	a.cancel_self = 1;
	start(&e, &a, url);
	e.pending--; /* a will not report */
	env_run(&e, 200);
	CU_ASSERT_EQUAL(a.ndata, 1);
	CU_ASSERT_EQUAL(a.ndone, 0);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	/* The fetcher goes on working afterwards. */
	start(&e, &b, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(b.res.status, 200);
	CU_ASSERT_EQUAL(b.len, OK_LEN);
	env_free(&e);
}

static void
test_start_from_done(void)
{
	struct env e;
	struct got a, b;
	char url[128], url2[128];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	env_init(&e, NULL);
	url_of(&e, "/err", url, sizeof(url));
	url_of(&e, "/ok", url2, sizeof(url2));
	a.start_again = url2;
	a.again = &b;
	start(&e, &a, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(a.ndone, 1);
	CU_ASSERT_EQUAL(a.res.status, 500);
	CU_ASSERT_EQUAL(b.ndone, 1);
	CU_ASSERT_EQUAL(b.res.status, 200);
	CU_ASSERT_EQUAL(b.len, OK_LEN);
	env_free(&e);
}

static void
test_free_from_done(void)
{
	struct env e;
	struct got a, b;
	char url[128], url2[128];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	env_init(&e, NULL);
	url_of(&e, "/ok", url, sizeof(url));
	url_of(&e, "/slow", url2, sizeof(url2));
	a.free_fetcher = 1;
	start(&e, &a, url);
	start(&e, &b, url2);
	e.pending--; /* b is aborted with the fetcher */
	env_run(&e, 0);
	CU_ASSERT_EQUAL(a.ndone, 1);
	CU_ASSERT_PTR_NULL(e.f);
	env_run(&e, 3 * SLOW_MS);
	CU_ASSERT_EQUAL(b.ndone, 0);
	env_free(&e);
}

static void
test_redirect(void)
{
	struct fetch_opts o;
	struct env e;
	struct got a;
	char url[128];

	memset(&o, 0, sizeof(o));
	o.max_redirects = 5;
	memset(&a, 0, sizeof(a));
	env_init(&e, &o);
	url_of(&e, "/redir", url, sizeof(url));
	start(&e, &a, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(a.res.ok, 1);
	CU_ASSERT_EQUAL(a.res.status, 200);
	CU_ASSERT_EQUAL(a.len, OK_LEN);
	CU_ASSERT_STRING_EQUAL(a.res.etag, ETAG);
	CU_ASSERT_EQUAL(e.srv.hits_redir, 1);
	CU_ASSERT_EQUAL(e.srv.hits_ok, 1);
	env_free(&e);
}

static void
test_no_redirect(void)
{
	struct env e;
	struct got a;
	char url[128];

	memset(&a, 0, sizeof(a));
	env_init(&e, NULL); /* max_redirects 0: none followed */
	url_of(&e, "/redir", url, sizeof(url));
	start(&e, &a, url);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(a.res.ok, 1);
	CU_ASSERT_EQUAL(a.res.status, 302);
	CU_ASSERT_EQUAL(a.ndata, 0);
	CU_ASSERT_STRING_EQUAL(a.res.etag, "");
	CU_ASSERT_EQUAL(e.srv.hits_ok, 0);
	env_free(&e);
}

/* Just enough SMTP for one message, in a child process like a real mail server. The child
 * writes the envelope and data it got to out. */
static void
smtp_child(int lfd, int out)
{
	char line[256], got[512] = "";
	size_t n = 0;
	int c, in_data = 0;
	FILE *r;

#define SAY(s) (void)(write(c, s, strlen(s)) == -1)
	if ((c = accept(lfd, NULL, NULL)) == -1 || (r = fdopen(dup(c), "r")) == NULL)
		_exit(1);
	SAY("220 localhost ESMTP\r\n");
	while (fgets(line, sizeof(line), r) != NULL) {
		if (in_data) {
			if (strcmp(line, ".\r\n") == 0) {
				in_data = 0;
				SAY("250 queued\r\n");
			} else
				n += (size_t)snprintf(got + n, sizeof(got) - n, "%s", line);
		} else if (strncmp(line, "EHLO", 4) == 0)
			SAY("250 localhost\r\n");
		else if (strncmp(line, "MAIL FROM:", 10) == 0 ||
		    strncmp(line, "RCPT TO:", 8) == 0) {
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%s", line);
			SAY("250 ok\r\n");
		} else if (strcmp(line, "DATA\r\n") == 0) {
			in_data = 1;
			SAY("354 go on\r\n");
		} else if (strcmp(line, "QUIT\r\n") == 0) {
			SAY("221 bye\r\n");
			break;
		} else
			SAY("502 no\r\n");
		if (n >= sizeof(got))
			n = sizeof(got) - 1;
	}
#undef SAY
	(void)(write(out, got, strlen(got)) == -1);
	_exit(0);
}

static void
test_mail(void)
{
	static const char *const rcpt[] = {"<b@example.org>"};
	static const char msg[] = "Subject: test\r\n\r\nhello\r\n.dot\r\n";
	struct env e;
	struct got g;
	struct fetch_req req;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char url[128], transcript[512];
	int lfd, p[2], status;
	ssize_t n;
	pid_t pid;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(lfd, 1), 0);
	CU_ASSERT_EQUAL_FATAL(getsockname(lfd, (struct sockaddr *)&sin, &slen), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		smtp_child(lfd, p[1]);
	}
	CU_ASSERT_FATAL(pid > 0);
	close(lfd);
	close(p[1]);

	memset(&g, 0, sizeof(g));
	env_init(&e, NULL);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", ntohs(sin.sin_port));
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.mail_from = "<a@example.org>";
	req.mail_rcpt = rcpt;
	req.nrcpt = 1;
	req.body = msg;
	req.bodylen = sizeof(msg) - 1;
	start_req(&e, &g, &req);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g.res.ok, 1);
	if (!g.res.ok)
		fprintf(stderr, "mail: %s: %s\n", g.res.err.source, g.res.err.msg);
	CU_ASSERT_EQUAL(g.res.status, 0);
	CU_ASSERT_EQUAL(g.ndata, 0);
	env_free(&e);

	n = read(p[0], transcript, sizeof(transcript) - 1);
	transcript[n > 0 ? n : 0] = '\0';
	close(p[0]);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The leading dot of ".dot" goes out doubled (RFC 5321 4.5.2). */
	CU_ASSERT_STRING_EQUAL(transcript,
	    "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
	    "Subject: test\r\n\r\nhello\r\n..dot\r\n");
}

/* ---- an SMTP responder on the fetcher's own loop */

struct smtp_conn;
LIST_HEAD(smtp_conn_list, smtp_conn);

struct smtp_srv {
	struct env *env;
	struct evconnlistener *lis;
	int port;
	long hold_ms; /* wait this long before answering the end of the data */
	int hold_forever; /* how many ends of data (first ones) get no answer at all */
	int mute; /* not even a greeting */
	void (*on_eod)(struct smtp_srv *); /* the end of a message arrived */
	struct got *mail, *other; /* for on_eod */
	double eod_at, closed_at, action_secs; /* eod_at, closed_at: the first */
	int neod, nclosed;
	char got[512];
	size_t n;
	struct smtp_conn_list conns;
};

struct smtp_conn {
	struct smtp_srv *s;
	struct bufferevent *bev;
	struct event *hold;
	int in_data;
	LIST_ENTRY(smtp_conn) entry;
};

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
smtp_conn_free(struct smtp_conn *c)
{
	LIST_REMOVE(c, entry);
	if (c->hold != NULL)
		event_free(c->hold);
	bufferevent_free(c->bev);
	free(c);
}

static void
smtp_note(struct smtp_srv *s, const char *line)
{
	int w = snprintf(s->got + s->n, sizeof(s->got) - s->n, "%s\r\n", line);

	if (w > 0)
		s->n += (size_t)w;
	if (s->n >= sizeof(s->got))
		s->n = sizeof(s->got) - 1;
}

static void
smtp_hold_fire(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_conn *c = arg;

	(void)fd;
	(void)what;
	bufferevent_write(c->bev, "250 queued\r\n", 12);
}

static void
smtp_line(struct smtp_conn *c, const char *line)
{
	struct smtp_srv *s = c->s;
	struct timeval tv;
	const char *say = NULL;

	if (c->in_data) {
		if (strcmp(line, ".") != 0) {
			smtp_note(s, line);
			return;
		}
		c->in_data = 0;
		if (s->neod == 0)
			s->eod_at = now_secs();
		if (s->neod++ < s->hold_forever)
			;
		else if (s->hold_ms > 0) {
			tv.tv_sec = s->hold_ms / 1000;
			tv.tv_usec = (s->hold_ms % 1000) * 1000;
			c->hold = evtimer_new(bufferevent_get_base(c->bev), smtp_hold_fire, c);
			evtimer_add(c->hold, &tv);
		} else
			say = "250 queued\r\n";
		if (say != NULL)
			bufferevent_write(c->bev, say, strlen(say));
		if (s->on_eod != NULL)
			s->on_eod(s); /* last: it may free the fetcher */
		return;
	}
	if (strncmp(line, "EHLO", 4) == 0)
		say = "250 localhost\r\n";
	else if (strncmp(line, "MAIL FROM:", 10) == 0 || strncmp(line, "RCPT TO:", 8) == 0) {
		smtp_note(s, line);
		say = "250 ok\r\n";
	} else if (strcmp(line, "DATA") == 0) {
		c->in_data = 1;
		say = "354 go on\r\n";
	} else if (strcmp(line, "QUIT") == 0)
		say = "221 bye\r\n";
	else
		say = "502 no\r\n";
	bufferevent_write(c->bev, say, strlen(say));
}

static void
smtp_read_cb(struct bufferevent *bev, void *arg)
{
	struct smtp_conn *c = arg;
	char *line;
	size_t len;

	while ((line = evbuffer_readln(
		    bufferevent_get_input(bev), &len, EVBUFFER_EOL_CRLF_STRICT)) != NULL) {
		smtp_line(c, line);
		free(line);
	}
}

static void
smtp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct smtp_conn *c = arg;
	struct smtp_srv *s = c->s;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (s->nclosed++ == 0)
			s->closed_at = now_secs();
		smtp_conn_free(c);
	}
}

static void
smtp_accept_cb(
    struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct smtp_srv *s = arg;
	struct smtp_conn *c;

	(void)sa;
	(void)salen;
	c = calloc(1, sizeof(*c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->s = s;
	c->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->bev);
	LIST_INSERT_HEAD(&s->conns, c, entry);
	bufferevent_setcb(c->bev, smtp_read_cb, NULL, smtp_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (!s->mute)
		bufferevent_write(c->bev, "220 localhost ESMTP\r\n", 21);
}

static void
smtp_start(struct smtp_srv *s, struct env *e)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	memset(s, 0, sizeof(*s));
	s->env = e;
	LIST_INIT(&s->conns);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lis = evconnlistener_new_bind(e->base, smtp_accept_cb, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 8, (struct sockaddr *)&sin, sizeof(sin));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->lis);
	CU_ASSERT_EQUAL_FATAL(
	    getsockname(evconnlistener_get_fd(s->lis), (struct sockaddr *)&sin, &slen), 0);
	s->port = ntohs(sin.sin_port);
}

static void
smtp_stop(struct smtp_srv *s)
{
	struct smtp_conn *c;

	while ((c = LIST_FIRST(&s->conns)) != NULL)
		smtp_conn_free(c);
	evconnlistener_free(s->lis);
}

static const char *const mail_rcpt[] = {"<b@example.org>"};
static const char mail_msg[] = "Subject: test\r\n\r\nhello\r\n.dot\r\n";
static const char mail_transcript[] = "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
				      "Subject: test\r\n\r\nhello\r\n..dot\r\n";

static void
start_mail(struct env *e, struct got *g, const struct smtp_srv *s, char *url, size_t len)
{
	struct fetch_req req;

	snprintf(url, len, "smtp://127.0.0.1:%d", s->port);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.mail_from = "<a@example.org>";
	req.mail_rcpt = mail_rcpt;
	req.nrcpt = 1;
	req.body = mail_msg;
	req.bodylen = sizeof(mail_msg) - 1;
	req.timeout_s = 8; /* far above what any test below waits for */
	start_req(e, g, &req);
}

/* While the server sits on the end of the data, the loop is free: a GET starts and ends. */
static void
eod_start_get(struct smtp_srv *s)
{
	char url[128];

	url_of(s->env, "/ok", url, sizeof(url));
	start(s->env, s->other, url);
}

static void
test_mail_off_the_loop(void)
{
	struct env e;
	struct smtp_srv s;
	struct got m, g;
	char url[128];
	double t0, secs;

	memset(&m, 0, sizeof(m));
	memset(&g, 0, sizeof(g));
	env_init(&e, NULL);
	smtp_start(&s, &e);
	s.hold_ms = 2000;
	s.on_eod = eod_start_get;
	s.other = &g;
	t0 = now_secs();
	start_mail(&e, &m, &s, url, sizeof(url));
	CU_ASSERT_EQUAL(m.ndone, 0); /* never from inside fetch_start */
	CU_ASSERT_EQUAL(fetcher_running(e.f), 1);
	env_run(&e, 0);
	secs = now_secs() - t0;
	CU_ASSERT_EQUAL(s.neod, 1);
	CU_ASSERT_EQUAL(g.ndone, 1);
	CU_ASSERT_EQUAL(g.res.status, 200);
	CU_ASSERT_EQUAL(g.len, OK_LEN);
	CU_ASSERT_EQUAL(m.ndone, 1);
	CU_ASSERT_EQUAL(m.res.ok, 1);
	if (!m.res.ok)
		fprintf(stderr, "mail: %s: %s\n", m.res.err.source, m.res.err.msg);
	CU_ASSERT_EQUAL(m.ndata, 0);
	CU_ASSERT_EQUAL(g.order, 1); /* the GET was not held up by the mail */
	CU_ASSERT_EQUAL(m.order, 2);
	CU_ASSERT(secs >= 2.0);
	/* No upper bound on the time: the order of the two done calls is the point. */
	CU_ASSERT_STRING_EQUAL(s.got, mail_transcript);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	smtp_stop(&s);
	env_free(&e);
}

/* Cancels the mail while its thread waits for the answer and starts another, which has to
 * wait for the first thread to end (max_transfers 1). */
static void
eod_cancel(struct smtp_srv *s)
{
	struct env *e = s->env;
	double t0;

	if (s->neod != 1)
		return;
	t0 = now_secs();
	fetch_cancel(s->mail->self);
	s->action_secs = now_secs() - t0;
	e->pending--;
	CU_ASSERT_EQUAL(fetcher_running(e->f), 0);
}

static void
test_mail_cancel_running(void)
{
	struct fetch_opts o;
	struct env e;
	struct smtp_srv s;
	struct got m1, m2;
	char url[128];

	memset(&o, 0, sizeof(o));
	o.max_transfers = 1;
	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	env_init(&e, &o);
	smtp_start(&s, &e);
	s.hold_forever = 1;
	s.on_eod = eod_cancel;
	s.mail = &m1;
	start_mail(&e, &m1, &s, url, sizeof(url));
	start_mail(&e, &m2, &s, url, sizeof(url));
	CU_ASSERT_EQUAL(fetcher_running(e.f), 1);
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 1);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(s.neod, 2);
	CU_ASSERT(s.action_secs < 1.0); /* fetch_cancel did not wait for the thread */
	CU_ASSERT_EQUAL(m1.ndone, 0);
	CU_ASSERT_EQUAL(m2.ndone, 1);
	CU_ASSERT_EQUAL(m2.res.ok, 1);
	/* The first thread let go of its connection on its own, well before its timeout. */
	CU_ASSERT(s.nclosed >= 1);
	CU_ASSERT(s.closed_at - s.eod_at < 7.0);
	env_run(&e, 100);
	CU_ASSERT_EQUAL(m1.ndone, 0);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 0);
	smtp_stop(&s);
	env_free(&e);
}

static void
eod_free_fetcher(struct smtp_srv *s)
{
	struct env *e = s->env;
	double t0 = now_secs();

	fetcher_free(e->f);
	s->action_secs = now_secs() - t0;
	e->f = NULL;
	e->pending--;
	event_base_loopexit(e->base, NULL);
}

static void
test_mail_free_in_flight(void)
{
	struct env e;
	struct smtp_srv s;
	struct got m;
	char url[128];

	memset(&m, 0, sizeof(m));
	env_init(&e, NULL);
	smtp_start(&s, &e);
	s.hold_forever = 1;
	s.on_eod = eod_free_fetcher;
	start_mail(&e, &m, &s, url, sizeof(url));
	env_run(&e, 0);
	CU_ASSERT_PTR_NULL(e.f);
	CU_ASSERT_EQUAL(s.neod, 1);
	/* Joined when the thread's progress callback saw the stop (about a second for the
	 * answer it waited for, one more for QUIT), not at the 8 s timeout. */
	CU_ASSERT(s.action_secs < 7.0);
	env_run(&e, 100);
	CU_ASSERT_EQUAL(m.ndone, 0);
	smtp_stop(&s);
	env_free(&e);
}

static void
free_fire(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_srv *s = arg;
	struct env *e = s->env;
	double t0 = now_secs();

	(void)fd;
	(void)what;
	fetcher_free(e->f);
	s->action_secs = now_secs() - t0;
	e->f = NULL;
	e->pending--;
	event_base_loopexit(e->base, NULL);
}

/* The same before the server said a word: libcurl is not blocking then, but still running. */
static void
test_mail_free_before_greeting(void)
{
	struct env e;
	struct smtp_srv s;
	struct got m;
	struct event *ev;
	struct timeval tv = {0, 200 * 1000};
	char url[128];

	memset(&m, 0, sizeof(m));
	env_init(&e, NULL);
	smtp_start(&s, &e);
	s.mute = 1;
	start_mail(&e, &m, &s, url, sizeof(url));
	ev = evtimer_new(e.base, free_fire, &s);
	evtimer_add(ev, &tv);
	env_run(&e, 0);
	CU_ASSERT_PTR_NULL(e.f);
	CU_ASSERT(s.action_secs < 7.0);
	CU_ASSERT_EQUAL(m.ndone, 0);
	event_free(ev);
	smtp_stop(&s);
	env_free(&e);
}

/* A failure before curl runs the transfer still reaches done, but only from the loop. */
static void
test_setup_failure_deferred(void)
{
	struct fetch_opts o;
	struct env e;
	struct got g;
	char url[128], *ua;
	size_t len = 9 * 1024 * 1024; /* over libcurl's limit for a string option */

	ua = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ua);
	memset(ua, 'u', len);
	ua[len] = '\0';
	memset(&o, 0, sizeof(o));
	o.user_agent = ua;
	memset(&g, 0, sizeof(g));
	env_init(&e, &o);
	free(ua);
	url_of(&e, "/ok?key=secret", url, sizeof(url));
	start(&e, &g, url);
	CU_ASSERT_EQUAL(g.ndone, 0);
	env_run(&e, 0);
	CU_ASSERT_EQUAL(g.ndone, 1);
	CU_ASSERT_EQUAL(g.res.ok, 0);
	CU_ASSERT_EQUAL(strncmp(g.res.err.msg, "cannot set up the transfer: ", 28), 0);
	url_of(&e, "/ok", url, sizeof(url));
	CU_ASSERT_STRING_EQUAL(g.res.err.source, url);
	CU_ASSERT_EQUAL(e.srv.hits_ok, 0);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	env_free(&e);
}

static void
expect_refused(struct env *e, const struct fetch_req *req, const char *source, const char *msg)
{
	struct rw_error err;
	struct fetch *x;

	memset(&err, 0, sizeof(err));
	x = fetch_start(e->f, req, got_data, got_done, NULL, &err);
	CU_ASSERT_PTR_NULL(x);
	CU_ASSERT_STRING_EQUAL(err.source, source);
	CU_ASSERT_STRING_EQUAL(err.msg, msg);
}

static void
test_refused_requests(void)
{
	static const char *const rcpt[] = {"<b@example.org>"};
	struct env e;
	struct fetch_req req;

	env_init(&e, NULL);
	memset(&req, 0, sizeof(req));
	req.url = "ftp://user:pw@example.org/x?y=1";
	expect_refused(&e, &req, "ftp://example.org/x", "scheme not allowed");
	req.url = "file:///etc/hostname";
	req.method = "POST";
	expect_refused(&e, &req, "file:///etc/hostname", "scheme not allowed for POST");
	req.url = "http://example.org/";
	req.method = "DELETE";
	expect_refused(&e, &req, "http://example.org/", "method not supported");
	req.method = NULL;
	req.url = "smtp://mail.example.org";
	req.mail_from = "<a@example.org>";
	expect_refused(
	    &e, &req, "smtp://mail.example.org/", "mail needs a sender, recipients and a message");
	req.mail_rcpt = rcpt;
	req.nrcpt = 1;
	req.url = "no scheme at all?secret=1";
	expect_refused(&e, &req, "no scheme at all", "not a valid URL");
	CU_ASSERT_EQUAL(fetcher_queued(e.f), 0);
	CU_ASSERT_EQUAL(fetcher_running(e.f), 0);
	env_free(&e);
}

static const struct cu_test tests[] = {
    {"200 body streamed, validators captured", test_body_and_validators},
    {"conditional GET answered 304", test_conditional_304},
    {"500 is ok with its status and no data", test_status_500},
    {"POST with headers and body", test_post},
    {"body over max_body", test_max_body},
    {"per-host limit queues", test_per_host_queue},
    {"connection refused, URL without secrets", test_refused_hides_secrets},
    {"file:// and its conditional", test_file},
    {"cancel queued and running", test_cancel},
    {"cancel from the data callback", test_cancel_from_data},
    {"fetch_start from done", test_start_from_done},
    {"fetcher_free from done", test_free_from_done},
    {"redirect followed once", test_redirect},
    {"redirect not followed by default", test_no_redirect},
    {"mail over SMTP", test_mail},
    {"mail off the loop: a GET ends while the server sits on it", test_mail_off_the_loop},
    {"cancel of a running mail", test_mail_cancel_running},
    {"fetcher_free with a mail in flight", test_mail_free_in_flight},
    {"fetcher_free with a mail not yet greeted", test_mail_free_before_greeting},
    {"setup failure reported from the loop", test_setup_failure_deferred},
    {"requests refused by fetch_start", test_refused_requests},
    {NULL, NULL},
};

RW_CU_MAIN("fetch", tests)
