/* The sinks: JSON and text lines to a file, the journal and syslog, webhooks against an evhttp
 * server and mail against a small SMTP responder, both in this process and event loop. The
 * expected lines and headers were written by hand from the payloads below. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "cu.h"
#include "sink.h"
#include "whsig.h"

#define SECRET "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define SECRET_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

/* An opened finding: one finding, the one finding_id names. */
static const char OPENED[] =
    "{\"id\": \"evt_0a1b2c3d4e5f\", \"type\": \"finding.opened\", "
    "\"timestamp\": \"2026-11-29T10:00:00Z\", \"finding_id\": \"f_00aa11bb\", "
    "\"status\": \"open\", \"reason\": \"first seen\", "
    "\"document\": {\"id\": \"sha256:abc\", \"kind\": \"posting\", "
    "\"title\": \"Registered Nurse \xe2\x80\x93 Acute Medicine, Leeds\", "
    "\"agency\": \"Harbour Health Recruitment\", "
    "\"origin\": {\"source\": \"https://feeds.example.org/jobs.rss\", \"guid\": \"HH-1042\", "
    "\"index\": 3, \"url\": \"https://example.org/jobs/1042\", \"format\": \"rss2\"}}, "
    "\"findings\": [{\"id\": \"f_00aa11bb\", \"rule\": \"UK-RED-ACTIVE\", "
    "\"category\": \"active-recruitment-ssl\", \"severity\": \"critical\", "
    "\"message\": \"Recruits actively from Nigeria for work in the UK\", "
    "\"evidence\": [{\"path\": \"/posting/source-country[1]\", \"text\": \"Nigeria\"}, "
    "{\"path\": \"/posting/description[1]\", "
    "\"text\": \"We are recruiting nurses currently living and working in Nigeria.\"}], "
    "\"cite\": [{\"instrument\": \"WHO Code\", \"article\": \"5.1\"}], "
    "\"advice\": \"Do not recruit actively from red-list countries.\"}]}";
#define OPENED_LINE                                                                                \
	"2026-11-29T10:00:00Z critical UK-RED-ACTIVE [active-recruitment-ssl] Harbour Health "     \
	"Recruitment \xe2\x80\x94 Registered Nurse \xe2\x80\x93 Acute Medicine, Leeds: Recruits "  \
	"actively from Nigeria for work in the UK (open)"

/* A resolved finding: the second of two findings, a title with a newline in it. */
static const char RESOLVED[] =
    "{\"id\": \"evt_99ff\", \"type\": \"finding.resolved\", "
    "\"timestamp\": \"2026-11-30T08:15:00Z\", \"finding_id\": \"f_22cc\", "
    "\"status\": \"resolved\", \"reason\": \"the posting was withdrawn from the feed\", "
    "\"document\": {\"id\": \"sha256:def\", \"kind\": \"posting\", "
    "\"title\": \"Staff Nurse\\nICU\", \"agency\": \"Blue Crest Staffing\", "
    "\"origin\": {\"source\": \"https://blue.example.net/feed\", \"guid\": null, "
    "\"index\": 0, \"url\": null, \"format\": \"atom\"}}, "
    "\"findings\": [{\"id\": \"f_11bb\", \"rule\": \"OTHER-RULE\", \"category\": \"x\", "
    "\"severity\": \"low\", \"message\": \"not this one\", \"evidence\": [], \"cite\": []}, "
    "{\"id\": \"f_22cc\", \"rule\": \"FEES-WORKER\", \"category\": \"worker-fees\", "
    "\"severity\": \"high\", \"message\": \"Charges the worker a placement fee\", "
    "\"evidence\": [{\"path\": \"/posting/description[1]\", "
    "\"text\": \"A placement fee of 1500 GBP applies.\"}], "
    "\"cite\": [{\"instrument\": \"ILO General Principles\", \"article\": \"7\"}], "
    "\"advice\": \"No fee may be charged to the worker.\"}]}";
#define RESOLVED_LINE                                                                              \
	"2026-11-30T08:15:00Z high FEES-WORKER [worker-fees] Blue Crest Staffing \xe2\x80\x94 "    \
	"Staff Nurse ICU: Charges the worker a placement fee (resolved: the posting was "          \
	"withdrawn "                                                                               \
	"from the feed)"

struct result {
	int calls, ok, permanent;
	char msg[1024];
};

static void
done_cb(int ok, int permanent, const char *msg, void *arg)
{
	struct result *r = arg;

	r->calls++;
	r->ok = ok;
	r->permanent = permanent;
	snprintf(r->msg, sizeof(r->msg), "%s", msg != NULL ? msg : "(null)");
}

static void
make_row(struct outbox_row *row, const char *event_id, const char *type, const char *payload)
{
	memset(row, 0, sizeof(*row));
	row->id = 1;
	row->sub_id = 1;
	snprintf(row->event_id, sizeof(row->event_id), "%s", event_id);
	snprintf(row->type, sizeof(row->type), "%s", type);
	row->created = 1795946400;
	row->payload = (char *)payload;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
temp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/tmp/rw_test_sink.%ld.%s", (long)getpid(), name);
	unlink(buf);
}

static void
test_jsonl(void)
{
	struct cfg_sink cfg = {0};
	struct outbox_row rows[2];
	struct rw_error err;
	struct result r = {0};
	struct sink *s;
	struct stat st;
	char path[256], *data, *nl, *line;
	const char *payloads[2] = {OPENED, RESOLVED};
	json_t *want, *got;
	int i;

	umask(022);
	temp_path(path, sizeof(path), "jsonl");
	cfg.name = (char *)"lines";
	cfg.type = SINK_JSONL;
	cfg.path = path;
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(sink_name(s), "lines");
	CU_ASSERT_EQUAL(sink_digest_interval(s), 0);
	make_row(&rows[0], "evt_0a1b2c3d4e5f", "finding.opened", OPENED);
	make_row(&rows[1], "evt_99ff", "finding.resolved", RESOLVED);
	CU_ASSERT_EQUAL(sink_deliver(s, &rows[0], 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 1);
	CU_ASSERT_EQUAL(sink_deliver(s, &rows[1], 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 2);
	CU_ASSERT_EQUAL(r.ok, 1);
	CU_ASSERT_EQUAL(sink_busy(s), 0);
	sink_free(s);

	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);
	data = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	line = data;
	for (i = 0; i < 2; i++) {
		nl = strchr(line, '\n');
		CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
		*nl = '\0';
		got = json_loads(line, 0, NULL);
		want = json_loads(payloads[i], 0, NULL);
		CU_ASSERT_PTR_NOT_NULL(got);
		CU_ASSERT(json_equal(got, want));
		/* compact: no ", " or ": " between members */
		CU_ASSERT_PTR_NULL(strstr(line, "\", \""));
		CU_ASSERT_EQUAL(strncmp(line, "{\"id\":\"evt_", 11), 0);
		json_decref(got);
		json_decref(want);
		line = nl + 1;
	}
	CU_ASSERT_STRING_EQUAL(line, "");
	free(data);

	/* appends, and a digest of two rows is two lines */
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sink_deliver(s, rows, 2, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.ok, 1);
	sink_free(s);
	data = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	for (i = 0, line = data; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		i++;
	CU_ASSERT_EQUAL(i, 4);
	free(data);
	unlink(path);

	/* a payload that is not JSON: not acknowledged, and not worth a retry */
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_row(&rows[0], "evt_bad", "finding.opened", "{\"id\": ");
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, rows, 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 0);
	CU_ASSERT_EQUAL(r.permanent, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "evt_bad"));
	sink_free(s);
	unlink(path);

	/* a file that cannot be opened fails at setup, naming it */
	cfg.path = (char *)"/nonexistent-dir/alerts.jsonl";
	memset(&err, 0, sizeof(err));
	CU_ASSERT_PTR_NULL(sink_new(&cfg, NULL, &err));
	CU_ASSERT_STRING_EQUAL(err.source, "/nonexistent-dir/alerts.jsonl");
	sink_free(NULL);
}

static void
test_text(void)
{
	struct cfg_sink cfg = {0};
	struct outbox_row rows[2];
	struct rw_error err;
	struct result r = {0};
	struct sink *s;
	char path[256], *data, buf[1024];
	int fds[2], saved;
	ssize_t n;

	temp_path(path, sizeof(path), "text");
	cfg.name = (char *)"text";
	cfg.type = SINK_TEXT;
	cfg.path = path;
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_row(&rows[0], "evt_0a1b2c3d4e5f", "finding.opened", OPENED);
	make_row(&rows[1], "evt_99ff", "finding.resolved", RESOLVED);
	CU_ASSERT_EQUAL(sink_deliver(s, &rows[0], 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(sink_deliver(s, &rows[1], 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 2);
	CU_ASSERT_EQUAL(r.ok, 1);
	sink_free(s);
	data = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_STRING_EQUAL(data, OPENED_LINE "\n" RESOLVED_LINE "\n");
	free(data);
	unlink(path);

	/* standard output, caught in a pipe: flushed by the time done is called */
	fflush(stdout);
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	saved = dup(STDOUT_FILENO);
	dup2(fds[1], STDOUT_FILENO);
	close(fds[1]);
	cfg.path = (char *)"-";
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s != NULL) {
		CU_ASSERT_EQUAL(sink_deliver(s, &rows[1], 1, done_cb, &r, &err), 0);
		CU_ASSERT_EQUAL(r.ok, 1);
		n = read(fds[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		CU_ASSERT_STRING_EQUAL(buf, RESOLVED_LINE "\n");
		sink_free(s);
	}
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fds[0]);
}

static void
test_journal(void)
{
	struct cfg_sink cfg = {0};
	struct outbox_row row;
	struct rw_error err;
	struct result r = {0};
	struct sink *s;
	int have_journal = access("/run/systemd/journal/socket", F_OK) == 0;

	cfg.name = (char *)"journal";
	cfg.type = SINK_JOURNAL;
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_row(&row, "evt_0a1b2c3d4e5f", "finding.opened", OPENED);
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 1);
	if (have_journal) {
		CU_ASSERT_EQUAL(r.ok, 1);
	} else {
		/* no journald here (a container): the row must stay pending, not vanish */
		fprintf(
		    stderr, "\n  (no journal socket: delivery refused as expected: %s) ", r.msg);
		CU_ASSERT_EQUAL(r.ok, 0);
		CU_ASSERT_EQUAL(r.permanent, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "journal"));
	}
	sink_free(s);

	cfg.name = (char *)"syslog";
	cfg.type = SINK_SYSLOG;
	s = sink_new(&cfg, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 1);
	sink_free(s);
}

/* ---- the event loop, shared by the webhook receiver, the SMTP responder and the fetcher */

struct env {
	struct event_base *base;
	struct fetcher *f;
	int timed_out;
};

static void
env_open(struct env *e)
{
	struct fetch_opts o = {0};
	struct rw_error err;

	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	memset(e, 0, sizeof(*e));
	e->base = event_base_new();
	o.timeout_s = 10;
	o.connect_timeout_s = 5;
	e->f = fetcher_new(e->base, &o, &err);
}

static void
env_close(struct env *e)
{
	fetcher_free(e->f);
	event_base_free(e->base);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct env *e = arg;

	e->timed_out = 1;
}

/* Runs the loop until r has its answer, at most 10 s. */
static void
env_run(struct env *e, const struct result *r)
{
	struct timeval tv = {10, 0};
	struct event *w = evtimer_new(e->base, watchdog_cb, e);

	e->timed_out = 0;
	evtimer_add(w, &tv);
	while (r->calls == 0 && !e->timed_out)
		event_base_loop(e->base, EVLOOP_ONCE);
	event_free(w);
	CU_ASSERT_FALSE(e->timed_out);
}

/* Runs the loop for ms milliseconds. */
static void
env_spin(struct env *e, int ms)
{
	struct timeval tv = {0, ms * 1000};
	struct event *w = evtimer_new(e->base, watchdog_cb, e);

	e->timed_out = 0;
	evtimer_add(w, &tv);
	while (!e->timed_out)
		event_base_loop(e->base, EVLOOP_ONCE);
	event_free(w);
}

static int
bound_port(evutil_socket_t fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	return ntohs(sin.sin_port);
}

/* ---- webhooks */

struct hook {
	struct evhttp *http;
	int port;
	int status; /* to answer with; 0: never answer */
	int nreq;
	int verified, ctype_ok, ua_ok, extra_ok, injected, ts_ok;
	char id[64];
	char body[4096];
};

static void
hook_cb(struct evhttp_request *req, void *arg)
{
	struct hook *h = arg;
	struct evkeyvalq *hd = evhttp_request_get_input_headers(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *id, *ts, *sig, *v, *errstr = NULL;
	size_t len = evbuffer_get_length(in);
	long long t = 0;

	h->nreq++;
	if (len >= sizeof(h->body))
		len = sizeof(h->body) - 1;
	evbuffer_copyout(in, h->body, len);
	h->body[len] = '\0';
	id = evhttp_find_header(hd, "webhook-id");
	ts = evhttp_find_header(hd, "webhook-timestamp");
	sig = evhttp_find_header(hd, "webhook-signature");
	snprintf(h->id, sizeof(h->id), "%s", id != NULL ? id : "");
	if (ts != NULL)
		t = strtonum(ts, 1, INT64_MAX, &errstr);
	h->ts_ok = ts != NULL && errstr == NULL && llabs(t - (long long)time(NULL)) < 60;
	h->verified = id != NULL && ts != NULL && sig != NULL &&
	    whsig_verify(SECRET, id, t, h->body, len, sig) == 1;
	v = evhttp_find_header(hd, "Content-Type");
	h->ctype_ok = v != NULL && strcmp(v, "application/json") == 0;
	v = evhttp_find_header(hd, "User-Agent");
	h->ua_ok = v != NULL && strcmp(v, "recruitwatch/0.1") == 0;
	v = evhttp_find_header(hd, "X-Extra");
	h->extra_ok = v != NULL && strncmp(v, "yes", 3) == 0;
	h->injected = evhttp_find_header(hd, "X-Injected") != NULL;
	if (h->status != 0)
		evhttp_send_reply(req, h->status, "Test", NULL);
}

static int
hook_open(struct hook *h, struct env *e)
{
	struct evhttp_bound_socket *bs;

	memset(h, 0, sizeof(*h));
	h->http = evhttp_new(e->base);
	evhttp_set_gencb(h->http, hook_cb, h);
	if ((bs = evhttp_bind_socket_with_handle(h->http, "127.0.0.1", 0)) == NULL)
		return -1;
	h->port = bound_port(evhttp_bound_socket_get_fd(bs));
	return h->port > 0 ? 0 : -1;
}

/* A port nothing listens on: bound, then closed again. */
static int
closed_port(void)
{
	struct sockaddr_in sin;
	int fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	port = bound_port(fd);
	close(fd);
	return port;
}

static void
no_secret(const char *msg)
{
	CU_ASSERT_PTR_NULL(strstr(msg, SECRET_KEY));
	CU_ASSERT_PTR_NULL(strstr(msg, "whsec_"));
}

static void
test_webhook(void)
{
	char extra[] = "X-Extra: yes\r\nX-Injected: 1", *headers[] = {extra};
	struct cfg_sink cfg = {0};
	struct outbox_row row;
	struct rw_error err;
	struct result r = {0};
	struct env e;
	struct hook h;
	struct sink *s;
	char url[128];

	env_open(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e.f);
	CU_ASSERT_EQUAL_FATAL(hook_open(&h, &e), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", h.port);
	cfg.name = (char *)"hook";
	cfg.type = SINK_WEBHOOK;
	cfg.url = url;
	cfg.secret = (char *)SECRET;
	cfg.headers = headers;
	cfg.nheaders = 1;
	s = sink_new(&cfg, e.f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_row(&row, "evt_0a1b2c3d4e5f", "finding.opened", OPENED);

	/* 200: acknowledged, signed, headers as promised */
	h.status = 200;
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	CU_ASSERT_EQUAL(r.calls, 0); /* not before the answer */
	CU_ASSERT_EQUAL(sink_busy(s), 1);
	env_run(&e, &r);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 1);
	CU_ASSERT_EQUAL(sink_busy(s), 0);
	CU_ASSERT_EQUAL(h.nreq, 1);
	CU_ASSERT_STRING_EQUAL(h.body, OPENED);
	CU_ASSERT_STRING_EQUAL(h.id, "evt_0a1b2c3d4e5f");
	CU_ASSERT(h.verified);
	CU_ASSERT(h.ts_ok);
	CU_ASSERT(h.ctype_ok);
	CU_ASSERT(h.ua_ok);
	CU_ASSERT(h.extra_ok);
	CU_ASSERT_FALSE(h.injected);

	/* 503: retried later */
	h.status = 503;
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	env_run(&e, &r);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 0);
	CU_ASSERT_EQUAL(r.permanent, 0);
	CU_ASSERT_STRING_EQUAL(r.msg, "HTTP 503");
	CU_ASSERT(h.verified);

	/* 410: gone for good */
	h.status = 410;
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	env_run(&e, &r);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 0);
	CU_ASSERT_EQUAL(r.permanent, 1);
	CU_ASSERT_STRING_EQUAL(r.msg, "HTTP 410");

	/* freed with a delivery in flight: done is not called */
	h.status = 0;
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	env_spin(&e, 200);
	CU_ASSERT_EQUAL(h.nreq, 4);
	CU_ASSERT_EQUAL(sink_busy(s), 1);
	sink_free(s);
	env_spin(&e, 50);
	CU_ASSERT_EQUAL(r.calls, 0);

	/* nobody listening: retried, and the message names no secret */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", closed_port());
	s = sink_new(&cfg, e.f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	env_run(&e, &r);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 0);
	CU_ASSERT_EQUAL(r.permanent, 0);
	CU_ASSERT(r.msg[0] != '\0');
	no_secret(r.msg);
	fprintf(stderr, "\n  (closed port: %s) ", r.msg);
	sink_free(s);

	/* a bad secret is refused at setup, without quoting it */
	cfg.secret = (char *)"whsec_c2hvcnQ=";
	memset(&err, 0, sizeof(err));
	CU_ASSERT_PTR_NULL(sink_new(&cfg, e.f, &err));
	CU_ASSERT(err.msg[0] != '\0');
	CU_ASSERT_PTR_NULL(strstr(err.msg, "c2hvcnQ"));
	cfg.secret = (char *)SECRET;
	cfg.url = (char *)"ftp://example.org/";
	CU_ASSERT_PTR_NULL(sink_new(&cfg, e.f, &err));

	evhttp_free(h.http);
	env_close(&e);
}

static void
test_webhook_secret_file(void)
{
	struct cfg_sink cfg = {0};
	struct outbox_row row;
	struct rw_error err;
	struct result r = {0};
	struct env e;
	struct hook h;
	struct sink *s;
	char url[128], path[256];
	FILE *f;

	temp_path(path, sizeof(path), "secret");
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(SECRET "\n", f);
	fclose(f);
	env_open(&e);
	CU_ASSERT_EQUAL_FATAL(hook_open(&h, &e), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", h.port);
	cfg.name = (char *)"hook";
	cfg.type = SINK_WEBHOOK;
	cfg.url = url;
	cfg.secret_file = path;
	s = sink_new(&cfg, e.f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_row(&row, "evt_99ff", "finding.resolved", RESOLVED);
	h.status = 204;
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	env_run(&e, &r);
	CU_ASSERT_EQUAL(r.ok, 1);
	CU_ASSERT(h.verified);
	sink_free(s);
	unlink(path);
	evhttp_free(h.http);
	env_close(&e);
}

/* ---- SMTP */

#define MAX_MAILS 4

/* The responder runs in a thread of its own with its own loop, as a real mail server would be
 * apart from the daemon (fetch.c sends mail from a worker thread); what it records is written
 * under mu before the answer that completes the delivery goes out. */
struct smtp {
	struct event_base *base;
	struct event *tick;
	pthread_t thread;
	pthread_mutex_t mu;
	atomic_int stop;
	struct evconnlistener *l;
	struct bufferevent *bev;
	int port;
	int in_data, closing;
	struct evbuffer *cur;
	char *mails[MAX_MAILS];
	int nmail;
	int bare_lf; /* lines of the DATA that did not end in CRLF */
	char from[256];
	char rcpt[4][256];
	int nrcpt;
};

static void
smtp_say(struct smtp *m, const char *s)
{
	bufferevent_write(m->bev, s, strlen(s));
}

static void
smtp_drop(struct smtp *m)
{
	if (m->bev != NULL)
		bufferevent_free(m->bev);
	m->bev = NULL;
}

static void
smtp_line(struct smtp *m, char *line, size_t len)
{
	size_t n;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	else
		m->bare_lf++;
	if (m->in_data) {
		if (strcmp(line, ".") == 0) {
			m->in_data = 0;
			n = evbuffer_get_length(m->cur);
			if (m->nmail < MAX_MAILS) {
				m->mails[m->nmail] = calloc(1, n + 1);
				evbuffer_remove(m->cur, m->mails[m->nmail], n);
			}
			m->nmail++;
			evbuffer_free(m->cur);
			m->cur = NULL;
			smtp_say(m, "250 2.0.0 queued\r\n");
			return;
		}
		/* undo the dot-stuffing */
		evbuffer_add(
		    m->cur, line[0] == '.' ? line + 1 : line, line[0] == '.' ? len - 1 : len);
		evbuffer_add(m->cur, "\r\n", 2);
		return;
	}
	if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0)
		smtp_say(m, "250 localhost\r\n");
	else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
		snprintf(m->from, sizeof(m->from), "%s", line + 10);
		m->nrcpt = 0;
		smtp_say(m, "250 2.1.0 ok\r\n");
	} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
		if (m->nrcpt < 4)
			snprintf(m->rcpt[m->nrcpt++], sizeof(m->rcpt[0]), "%s", line + 8);
		smtp_say(m, "250 2.1.5 ok\r\n");
	} else if (strcasecmp(line, "DATA") == 0) {
		m->in_data = 1;
		m->cur = evbuffer_new();
		smtp_say(m, "354 go ahead\r\n");
	} else if (strcasecmp(line, "QUIT") == 0) {
		m->closing = 1;
		smtp_say(m, "221 bye\r\n");
	} else if (strcasecmp(line, "RSET") == 0 || strcasecmp(line, "NOOP") == 0)
		smtp_say(m, "250 ok\r\n");
	else
		smtp_say(m, "500 what\r\n");
}

static void
smtp_read_cb(struct bufferevent *bev, void *arg)
{
	struct smtp *m = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	pthread_mutex_lock(&m->mu);
	while (m->bev != NULL && (line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		smtp_line(m, line, len);
		free(line);
	}
	pthread_mutex_unlock(&m->mu);
}

static void
smtp_write_cb(struct bufferevent *bev, void *arg)
{
	struct smtp *m = arg;

	if (m->closing)
		smtp_drop(m);
}

static void
smtp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct smtp *m = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		smtp_drop(m);
}

static void
smtp_accept_cb(
    struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct smtp *m = arg;

	smtp_drop(m); /* one client at a time is all this test needs */
	m->closing = 0;
	m->in_data = 0;
	m->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(m->bev, smtp_read_cb, smtp_write_cb, smtp_event_cb, m);
	bufferevent_enable(m->bev, EV_READ | EV_WRITE);
	smtp_say(m, "220 localhost ESMTP test\r\n");
}

static void
smtp_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp *m = arg;

	if (atomic_load(&m->stop))
		event_base_loopbreak(m->base);
}

static void *
smtp_main(void *arg)
{
	struct smtp *m = arg;

	event_base_dispatch(m->base);
	return NULL;
}

static int
smtp_open(struct smtp *m)
{
	struct timeval tv = {0, 20000};
	struct sockaddr_in sin;

	memset(m, 0, sizeof(*m));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_mutex_init(&m->mu, NULL);
	atomic_init(&m->stop, 0);
	m->base = event_base_new();
	m->l = evconnlistener_new_bind(m->base, smtp_accept_cb, m,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, (struct sockaddr *)&sin, sizeof(sin));
	if (m->l == NULL)
		return -1;
	m->port = bound_port(evconnlistener_get_fd(m->l));
	/* the stop flag is looked at every 20 ms: loopbreak from another thread needs evthread */
	m->tick = event_new(m->base, -1, EV_PERSIST, smtp_tick_cb, m);
	event_add(m->tick, &tv);
	if (pthread_create(&m->thread, NULL, smtp_main, m) != 0)
		return -1;
	return m->port > 0 ? 0 : -1;
}

/* What the responder recorded, made visible to this thread. */
static void
smtp_sync(struct smtp *m)
{
	pthread_mutex_lock(&m->mu);
	pthread_mutex_unlock(&m->mu);
}

static void
smtp_close(struct smtp *m)
{
	int i;

	atomic_store(&m->stop, 1);
	pthread_join(m->thread, NULL);
	smtp_drop(m);
	event_free(m->tick);
	evconnlistener_free(m->l);
	if (m->cur != NULL)
		evbuffer_free(m->cur);
	for (i = 0; i < m->nmail && i < MAX_MAILS; i++)
		free(m->mails[i]);
	event_base_free(m->base);
	pthread_mutex_destroy(&m->mu);
}

/* The value of a header of mail, unfolded, RFC 2047 B-words decoded; "" when absent. */
static void
mail_header(const char *mail, const char *name, char *out, size_t outlen)
{
	char raw[2048], *p, *end;
	const char *h, *e;
	unsigned char dec[256];
	size_t len = 0, nlen = strlen(name), blen;
	int n, pad;

	out[0] = '\0';
	for (h = mail; h != NULL && *h != '\0'; h = (e = strstr(h, "\r\n")) ? e + 2 : NULL) {
		if (strncmp(h, "\r\n", 2) == 0)
			return; /* end of the header block */
		if (strncasecmp(h, name, nlen) == 0 && h[nlen] == ':')
			break;
	}
	if (h == NULL || *h == '\0')
		return;
	h += nlen + 1;
	/* unfold: a CRLF followed by a space continues the header */
	for (;;) {
		e = strstr(h, "\r\n");
		if (e == NULL || len + (size_t)(e - h) >= sizeof(raw))
			return;
		memcpy(raw + len, h, (size_t)(e - h));
		len += (size_t)(e - h);
		h = e + 2;
		if (*h != ' ' && *h != '\t')
			break;
	}
	raw[len] = '\0';
	p = raw + strspn(raw, " ");
	if (strncmp(p, "=?UTF-8?B?", 10) != 0) {
		snprintf(out, outlen, "%s", p);
		return;
	}
	/* encoded-words, the white space between them dropped */
	len = 0;
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		p += 10;
		if ((end = strstr(p, "?=")) == NULL)
			return;
		*end = '\0';
		blen = strlen(p);
		pad = (blen > 0 && p[blen - 1] == '=') + (blen > 1 && p[blen - 2] == '=');
		n = EVP_DecodeBlock(dec, (unsigned char *)p, (int)blen);
		if (n < 0 || len + (size_t)(n - pad) >= outlen)
			return;
		memcpy(out + len, dec, (size_t)(n - pad));
		len += (size_t)(n - pad);
		out[len] = '\0';
		p = end + 2;
	}
}

/* A title and an evidence text far longer than a mail line; 0 when they came through. */
static int
long_mail(struct env *e, struct smtp *m, const struct cfg_sink *cfg)
{
	static const char word[] = "Lorem ipsum dolor sit \xc3\xa4met ";
	static const char tpart[] = "Intensive Care Nurse \xe2\x80\x94 \xc3\x9c"
				    "berstunden \xc4\xa6 ";
	char title[3 * sizeof(tpart)], text[100 * sizeof(word)], v[1024], subj[1200], *body, *p;
	struct outbox_row row;
	struct rw_error err;
	struct result r = {0};
	struct sink *s;
	json_t *j;
	const char *line, *eol;
	int i, nmail = m->nmail;

	title[0] = text[0] = '\0';
	for (i = 0; i < 3; i++)
		strlcat(title, tpart, sizeof(title));
	for (i = 0; i < 100; i++)
		strlcat(text, word, sizeof(text));
	j = json_loads(OPENED, 0, NULL);
	json_object_set_new(json_object_get(j, "document"), "title", json_string(title));
	json_object_set_new(
	    json_array_get(
		json_object_get(json_array_get(json_object_get(j, "findings"), 0), "evidence"), 0),
	    "text", json_string(text));
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	make_row(&row, "evt_long", "finding.opened", body);
	s = sink_new(cfg, e->f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sink_deliver(s, &row, 1, done_cb, &r, &err), 0);
	env_run(e, &r);
	smtp_sync(m);
	sink_free(s);
	free(body);
	CU_ASSERT_EQUAL(r.ok, 1);
	CU_ASSERT_EQUAL_FATAL(m->nmail, nmail + 1);
	for (line = m->mails[nmail]; (eol = strstr(line, "\r\n")) != NULL; line = eol + 2) {
		CU_ASSERT(eol - line <= 998);
		/* an encoded-word is at most 75 characters */
		if ((p = strstr(line, "=?UTF-8?B?")) != NULL && p < eol)
			CU_ASSERT(strstr(p, "?=") - p + 2 <= 75);
	}
	snprintf(
	    subj, sizeof(subj), "[recruitwatch] critical: UK-RED-ACTIVE \xe2\x80\x94 %s", title);
	mail_header(m->mails[nmail], "Subject", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, subj);
	/* the continuation lines, joined again, give the text back */
	snprintf(v, sizeof(v), "%s", "  evidence: /posting/source-country[1]: \"Lorem ipsum");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = strstr(m->mails[nmail], v));
	body = strdup(p + strlen("  evidence: /posting/source-country[1]: \""));
	for (p = body; (p = strstr(p, "\r\n    ")) != NULL;) {
		*p = ' ';
		memmove(p + 1, p + 6, strlen(p + 6) + 1);
	}
	CU_ASSERT_EQUAL(strncmp(body, text, strlen(text)), 0);
	CU_ASSERT_EQUAL(strncmp(body + strlen(text), "\"\r\n", 3), 0);
	free(body);
	return m->nmail == nmail + 1 ? 0 : -1;
}

static void
test_smtp(void)
{
	char to0[] = "regulator@example.gov", to1[] = "NGO Desk <desk@example.net>";
	char *to[] = {to0, to1};
	struct cfg_sink cfg = {0};
	struct outbox_row rows[3];
	struct rw_error err;
	struct result r = {0};
	struct env e;
	struct smtp m;
	struct sink *s;
	char url[128], v[512];
	const char *body;

	env_open(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e.f);
	CU_ASSERT_EQUAL_FATAL(smtp_open(&m), 0);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", m.port);
	cfg.name = (char *)"mail";
	cfg.type = SINK_SMTP;
	cfg.url = url;
	/* a CR LF in a configured value must not add a header */
	cfg.from = (char *)"Recruitwatch\r\nBcc: evil@example.org <alerts@example.org>";
	cfg.to = to;
	cfg.nto = 2;
	s = sink_new(&cfg, e.f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sink_digest_interval(s), 0);
	make_row(&rows[0], "evt_0a1b2c3d4e5f", "finding.opened", OPENED);

	CU_ASSERT_EQUAL(sink_deliver(s, rows, 1, done_cb, &r, &err), 0);
	env_run(&e, &r);
	smtp_sync(&m);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 1);
	if (!r.ok)
		fprintf(stderr, "\n  smtp: %s\n", r.msg);
	CU_ASSERT_EQUAL_FATAL(m.nmail, 1);
	CU_ASSERT_STRING_EQUAL(m.from, "<alerts@example.org>");
	CU_ASSERT_EQUAL(m.nrcpt, 2);
	CU_ASSERT_STRING_EQUAL(m.rcpt[0], "<regulator@example.gov>");
	CU_ASSERT_STRING_EQUAL(m.rcpt[1], "<desk@example.net>");
	CU_ASSERT_EQUAL(m.bare_lf, 0);
	mail_header(m.mails[0], "From", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "RecruitwatchBcc: evil@example.org <alerts@example.org>");
	CU_ASSERT_PTR_NULL(strstr(m.mails[0], "\r\nBcc:"));
	mail_header(m.mails[0], "To", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "regulator@example.gov, NGO Desk <desk@example.net>");
	mail_header(m.mails[0], "Subject", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v,
	    "[recruitwatch] critical: UK-RED-ACTIVE \xe2\x80\x94 Registered "
	    "Nurse \xe2\x80\x93 Acute Medicine, Leeds");
	mail_header(m.mails[0], "Message-ID", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "<evt_0a1b2c3d4e5f@recruitwatch>");
	mail_header(m.mails[0], "MIME-Version", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "1.0");
	mail_header(m.mails[0], "Content-Type", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "text/plain; charset=utf-8");
	mail_header(m.mails[0], "Content-Transfer-Encoding", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "8bit");
	/* "Sun, 29 Nov 2026 10:00:00 +0000": day, date, time, zone */
	mail_header(m.mails[0], "Date", v, sizeof(v));
	CU_ASSERT_EQUAL(strlen(v), strlen("Sun, 29 Nov 2026 10:00:00 +0000"));
	CU_ASSERT_EQUAL(strcmp(v + strlen(v) - 6, " +0000"), 0);
	CU_ASSERT_EQUAL(v[3], ',');
	body = strstr(m.mails[0], "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body += 4;
	CU_ASSERT_STRING_EQUAL(body,
	    OPENED_LINE "\r\n"
			"  document: https://example.org/jobs/1042\r\n"
			"  evidence: /posting/source-country[1]: \"Nigeria\"\r\n"
			"  evidence: /posting/description[1]: \"We are recruiting nurses currently "
			"living and working in Nigeria.\"\r\n"
			"  cite: WHO Code 5.1\r\n"
			"  what to do: Do not recruit actively from red-list countries.\r\n");
	sink_free(s);

	/* a digest: three alerts, one mail */
	cfg.from = (char *)"alerts@example.org";
	cfg.nto = 1;
	cfg.digest_s = 3600;
	s = sink_new(&cfg, e.f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sink_digest_interval(s), 3600);
	make_row(&rows[0], "evt_0a1b2c3d4e5f", "finding.opened", OPENED);
	make_row(&rows[1], "evt_99ff", "finding.resolved", RESOLVED);
	make_row(&rows[2], "evt_0a1b2c3d4e5f", "finding.opened", OPENED);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, rows, 3, done_cb, &r, &err), 0);
	env_run(&e, &r);
	smtp_sync(&m);
	CU_ASSERT_EQUAL(r.ok, 1);
	CU_ASSERT_EQUAL_FATAL(m.nmail, 2);
	CU_ASSERT_EQUAL(m.nrcpt, 1);
	CU_ASSERT_STRING_EQUAL(m.from, "<alerts@example.org>");
	CU_ASSERT_EQUAL(m.bare_lf, 0);
	mail_header(m.mails[1], "Subject", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "[recruitwatch] 3 alerts");
	mail_header(m.mails[1], "Message-ID", v, sizeof(v));
	CU_ASSERT_STRING_EQUAL(v, "<evt_0a1b2c3d4e5f-digest@recruitwatch>");
	body = strstr(m.mails[1], "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body += 4;
	CU_ASSERT_EQUAL(strncmp(body, OPENED_LINE "\r\n", strlen(OPENED_LINE) + 2), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(body,
	    "\r\n\r\n" RESOLVED_LINE "\r\n"
	    "  evidence: /posting/description[1]: \"A placement "
	    "fee of 1500 GBP applies.\"\r\n"
	    "  cite: ILO General Principles 7\r\n"
	    "  what to do: No fee may be charged to the worker.\r\n"
	    "\r\n" OPENED_LINE "\r\n"));
	sink_free(s);

	/* long text: mail lines stay under 998 octets, the subject is split into encoded-words */
	CU_ASSERT_EQUAL(long_mail(&e, &m, &cfg), 0);

	/* the server gone: retried, no password in the message */
	cfg.digest_s = 0;
	cfg.username = (char *)"alerts";
	cfg.password = (char *)"s3cr3t-pass";
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", closed_port());
	s = sink_new(&cfg, e.f, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sink_deliver(s, rows, 1, done_cb, &r, &err), 0);
	env_run(&e, &r);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.ok, 0);
	CU_ASSERT_EQUAL(r.permanent, 0);
	CU_ASSERT_PTR_NULL(strstr(r.msg, "s3cr3t"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, url));
	/* one alert at a time without a digest */
	CU_ASSERT_EQUAL(sink_deliver(s, rows, 2, done_cb, &r, &err), -1);
	sink_free(s);

	/* the fetcher first: curl says QUIT, and waits for the answer */
	env_close(&e);
	smtp_close(&m);
}

static const struct cu_test tests[] = {
    {"jsonl", test_jsonl},
    {"text", test_text},
    {"journal_syslog", test_journal},
    {"webhook", test_webhook},
    {"webhook_secret_file", test_webhook_secret_file},
    {"smtp", test_smtp},
    {NULL, NULL},
};

RW_CU_MAIN("sink", tests)
