/* Transfers driven by the event loop: libcurl's multi-socket interface on a libevent base (the
 * hiperfifo.c pattern), with per-host and total limits and a FIFO queue for what must wait.
 * Mail alone runs curl_easy_perform on a thread of its own (see fetch_mail_thread). */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <bsd/sys/queue.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "fetch.h"

#define FETCH_USER_AGENT "recruitwatch/0.1"
#define FETCH_CONNECT_TIMEOUT 30L
#define FETCH_TIMEOUT 300L
#define FETCH_MAX_BODY ((size_t)64 * 1024 * 1024)
#define FETCH_PER_HOST 2
#define FETCH_MAX_TRANSFERS 32

enum fetch_kind { FETCH_GET, FETCH_POST, FETCH_MAIL };

/* Where a fetch is: each state but DELIVERING is one list of the fetcher. REAPING is a cancelled
 * mail whose thread has not ended yet. */
enum fetch_state { FETCH_QUEUED, FETCH_RUNNING, FETCH_PENDING, FETCH_DELIVERING, FETCH_REAPING };

struct fetch_sock {
	struct fetcher *f;
	struct event *ev;
	LIST_ENTRY(fetch_sock) entry;
};

struct fetch {
	struct fetcher *f;
	TAILQ_ENTRY(fetch) entry;
	enum fetch_state state;
	enum fetch_kind kind;
	int is_http, is_file, is_smtp;
	int cancelled; /* while curl runs: removed by the deferred event */
	int aborted; /* the data callback said stop */
	int too_big;
	size_t got; /* body bytes received, delivered or not */

	char *url, *safe_url, *host;
	char *body;
	size_t bodylen, bodyoff;
	char *last_modified, *client_cert, *client_key, *mail_from;
	long timeout_s;
	struct curl_slist *headers, *rcpts;

	CURL *easy;
	/* Mail: the worker owns easy, errbuf, body and bodyoff until it sets finished; the loop
	 * thread reads them again only after pthread_join. */
	pthread_t thread;
	atomic_int stop; /* set by the loop thread: the worker's progress callback aborts */
	atomic_int finished; /* set by the worker when curl_easy_perform has returned */
	CURLcode mail_rc;

	fetch_data_cb data;
	fetch_done_cb done;
	void *arg;
	struct fetch_result res;
	char errbuf[CURL_ERROR_SIZE];
};

TAILQ_HEAD(fetch_list, fetch);
LIST_HEAD(fetch_sock_list, fetch_sock);

struct fetcher {
	struct event_base *base;
	CURLM *multi;
	struct event *timer; /* curl's timeout */
	struct event *defer; /* work that may not run inside curl or fetch_start */
	int wakefd; /* eventfd the mail threads write when they end */
	struct event *wake;

	char *cafile, *user_agent;
	long connect_timeout_s, timeout_s, max_redirects;
	size_t max_body, per_host, max_transfers;

	struct fetch_list queue, running, pending, reaping;
	size_t nqueued, nrunning;
	size_t nthreads; /* mail threads alive, cancelled ones included */
	struct fetch_sock_list socks;

	int in_curl; /* inside curl_multi_socket_action: no curl_multi_* calls allowed */
	int busy; /* inside one of our event callbacks: fetcher_free must wait */
	int dying;
};

static int fetch_curl_ready;

static void fetch_run_queue(struct fetcher *);
static void fetcher_destroy(struct fetcher *);

static char *
fetch_strdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A URL fit for an error message when curl cannot parse it: without what follows '?' or '#'
 * and without the userinfo. */
static char *
fetch_strip_by_hand(const char *url)
{
	size_t end = strcspn(url, "?#"), auth, slash, at;
	const char *sep = strstr(url, "://");
	char *out;

	if ((out = malloc(end + 1)) == NULL)
		return NULL;
	if (sep == NULL || (size_t)(sep - url) >= end) {
		memcpy(out, url, end);
		out[end] = '\0';
		return out;
	}
	auth = (size_t)(sep - url) + 3;
	slash = auth + strcspn(url + auth, "/");
	if (slash > end)
		slash = end;
	for (at = slash; at > auth && url[at - 1] != '@'; at--)
		;
	memcpy(out, url, auth);
	memcpy(out + auth, url + at, end - at);
	out[auth + end - at] = '\0';
	return out;
}

/* Parses url with curl's own parser: its scheme and host, and the URL to name in errors (no
 * credentials, query or fragment). -1 when it is not a URL; *safe is set either way. */
static int
fetch_parse_url(const char *url, char **scheme, char **host, char **safe)
{
	CURLU *u;
	char *s = NULL;
	int rc = -1;

	*scheme = *host = *safe = NULL;
	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK) {
		*scheme = strdup(s);
		curl_free(s);
		s = NULL;
		if (curl_url_get(u, CURLUPART_HOST, &s, 0) == CURLUE_OK) {
			*host = strdup(s);
			curl_free(s);
			s = NULL;
		} else
			*host = strdup(""); /* file:// */
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
		curl_url_set(u, CURLUPART_QUERY, NULL, 0);
		curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
		if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
			*safe = strdup(s);
			curl_free(s);
		}
		if (*scheme != NULL && *host != NULL && *safe != NULL)
			rc = 0;
	}
	curl_url_cleanup(u);
	if (*safe == NULL)
		*safe = fetch_strip_by_hand(url);
	return rc;
}

static void
fetch_free(struct fetch *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->rcpts);
	free(x->url);
	free(x->safe_url);
	free(x->host);
	free(x->body);
	free(x->last_modified);
	free(x->client_cert);
	free(x->client_key);
	free(x->mail_from);
	free(x);
}

static void
fetch_schedule(struct fetcher *f)
{
	struct timeval now = {0, 0};

	evtimer_add(f->defer, &now);
}

static void
fetch_unbusy(struct fetcher *f)
{
	if (--f->busy == 0 && f->dying)
		fetcher_destroy(f);
}

/* Waits for a mail's thread to end: at once when it has finished; when it has not, for as long
 * as libcurl takes to notice stop (see fetcher_free). */
static void
fetch_mail_join(struct fetch *x)
{
	struct fetcher *f = x->f;

	pthread_join(x->thread, NULL);
	if (--f->nthreads == 0)
		event_del(f->wake);
}

/* Takes a running fetch out of curl (a mail: after its thread was joined); its slot is free
 * afterwards. */
static void
fetch_detach(struct fetch *x)
{
	struct fetcher *f = x->f;

	if (x->kind != FETCH_MAIL)
		curl_multi_remove_handle(f->multi, x->easy);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
	TAILQ_REMOVE(&f->running, x, entry);
	f->nrunning--;
}

/* Calls done and frees the fetch: the caller's pointer to it dies here. */
static void
fetch_deliver(struct fetch *x)
{
	x->state = FETCH_DELIVERING;
	if (x->done != NULL)
		x->done(&x->res, x->arg);
	fetch_free(x);
}

static size_t
fetch_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch *x = arg;
	size_t len = size * n;
	long code = 0;

	if (x->cancelled || x->f->dying)
		return 0;
	if (len > x->f->max_body - x->got) {
		x->too_big = 1;
		return 0;
	}
	x->got += len;
	if (x->is_http) {
		/* Error pages are read (to keep the connection) but not handed on. */
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299)
			return len;
	}
	if (x->data != NULL) {
		if (x->data(ptr, len, x->arg, &x->res.err) != 0) {
			x->aborted = 1;
			return 0;
		}
		if (x->cancelled || x->f->dying)
			return 0;
	}
	x->res.bytes += len;
	return len;
}

/* Mail: whatever the server sends is not a body; touching the fetch here would race the loop. */
static size_t
fetch_discard_cb(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * n;
}

/* Mail, on the worker: libcurl calls this at least once a second, also while it blocks for a
 * reply of the server, so a stopped mail ends within a second or two (one more for QUIT). */
static int
fetch_mail_progress_cb(
    void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct fetch *x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&x->stop) != 0;
}

static size_t
fetch_read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct fetch *x = arg;
	size_t len = size * n, left = x->bodylen - x->bodyoff;

	if (len > left)
		len = left;
	if (len > 0)
		memcpy(buf, x->body + x->bodyoff, len);
	x->bodyoff += len;
	return len;
}

/* One validator of the last response (after redirects); "" when absent or too long to keep. */
static void
fetch_header_value(struct fetch *x, const char *name, char *buf, size_t len)
{
	struct curl_header *h;

	buf[0] = '\0';
	if (curl_easy_header(x->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return;
	if (strlcpy(buf, h->value, len) >= len)
		buf[0] = '\0';
}

/* Fills the result from the finished transfer, before the handle leaves the multi. */
static void
fetch_finish(struct fetch *x, CURLcode rc)
{
	struct fetch_result *r = &x->res;
	double secs = 0;
	long code = 0, unmet = 0;
	curl_off_t ft = -1;
	time_t t;
	struct tm tm;

	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &secs);
	r->seconds = secs;
	if (x->aborted) {
		r->ok = 0;
		if (r->err.msg[0] == '\0')
			rw_error_set(&r->err, x->safe_url, 0, 0, "transfer stopped by its reader");
		return;
	}
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		r->ok = 0;
		rw_error_set(
		    &r->err, x->safe_url, 0, 0, "body larger than %zu bytes", x->f->max_body);
		return;
	}
	if (rc != CURLE_OK) {
		r->ok = 0;
		rw_error_set(&r->err, x->safe_url, 0, 0, "%s",
		    x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc));
		return;
	}
	rw_error_clear(&r->err);
	r->ok = 1;
	if (x->is_http) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		r->status = code;
		r->not_modified = code == 304;
		fetch_header_value(x, "ETag", r->etag, sizeof(r->etag));
		fetch_header_value(x, "Last-Modified", r->last_modified, sizeof(r->last_modified));
	} else if (x->is_file) {
		curl_easy_getinfo(x->easy, CURLINFO_CONDITION_UNMET, &unmet);
		r->not_modified = unmet != 0;
		curl_easy_getinfo(x->easy, CURLINFO_FILETIME_T, &ft);
		t = (time_t)ft;
		if (ft >= 0 && gmtime_r(&t, &tm) != NULL)
			strftime(r->last_modified, sizeof(r->last_modified),
			    "%a, %d %b %Y %H:%M:%S GMT", &tm);
	}
}

/* Sets up the easy handle; -1 with the result's error filled. */
static int
fetch_setup(struct fetch *x)
{
	struct fetcher *f = x->f;
	CURL *c;
	CURLcode rc = CURLE_OK;
	long timeout = x->timeout_s > 0 ? x->timeout_s : f->timeout_s;
	time_t since;

/* Keeps the first failure: every option matters, so any one failing fails the fetch. */
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(c, opt, val);                                        \
	} while (0)

	if ((c = curl_easy_init()) == NULL) {
		rw_error_set(&x->res.err, x->safe_url, 0, 0, "cannot initialise libcurl");
		return -1;
	}
	x->easy = c;
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_PRIVATE, (void *)x);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_USERAGENT, f->user_agent);
	SET(CURLOPT_CONNECTTIMEOUT, f->connect_timeout_s);
	SET(CURLOPT_TIMEOUT, timeout);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->cafile != NULL)
		SET(CURLOPT_CAINFO, f->cafile);
	if (x->client_cert != NULL) {
		SET(CURLOPT_SSLCERT, x->client_cert);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (x->client_key != NULL)
		SET(CURLOPT_SSLKEY, x->client_key);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (f->max_redirects > 0) {
		SET(CURLOPT_FOLLOWLOCATION, 1L);
		SET(CURLOPT_MAXREDIRS, f->max_redirects);
	} else
		SET(CURLOPT_FOLLOWLOCATION, 0L);
	if (x->kind != FETCH_MAIL) {
		SET(CURLOPT_WRITEFUNCTION, fetch_write_cb);
		SET(CURLOPT_WRITEDATA, (void *)x);
	} else
		SET(CURLOPT_WRITEFUNCTION, fetch_discard_cb);
	if (x->headers != NULL)
		SET(CURLOPT_HTTPHEADER, x->headers);

	switch (x->kind) {
	case FETCH_GET:
		SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
		SET(CURLOPT_HTTPGET, 1L);
		SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl can undo */
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_body);
		if (x->is_file && x->last_modified != NULL &&
		    (since = curl_getdate(x->last_modified, NULL)) != -1) {
			/* file:// has no headers to send: curl compares the time itself. */
			SET(CURLOPT_FILETIME, 1L);
			SET(CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
			SET(CURLOPT_TIMEVALUE_LARGE, (curl_off_t)since);
		} else if (x->is_file)
			SET(CURLOPT_FILETIME, 1L);
		break;
	case FETCH_POST:
		SET(CURLOPT_PROTOCOLS_STR, "http,https");
		SET(CURLOPT_ACCEPT_ENCODING, "");
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_body);
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->bodylen);
		SET(CURLOPT_POSTFIELDS, x->body != NULL ? x->body : "");
		break;
	case FETCH_MAIL:
		SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		if (strncasecmp(x->url, "smtp:", 5) == 0)
			SET(CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
		/* CURLOPT_TIMEOUT does not cover the wait for the answer to QUIT. Closing the
		 * connection at once keeps that wait on the worker: a cached connection would
		 * send QUIT from curl_easy_cleanup, on the loop thread. */
		SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
		SET(CURLOPT_FORBID_REUSE, 1L);
		SET(CURLOPT_NOPROGRESS, 0L);
		SET(CURLOPT_XFERINFOFUNCTION, fetch_mail_progress_cb);
		SET(CURLOPT_XFERINFODATA, (void *)x);
		SET(CURLOPT_MAIL_FROM, x->mail_from);
		SET(CURLOPT_MAIL_RCPT, x->rcpts);
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_READFUNCTION, fetch_read_cb);
		SET(CURLOPT_READDATA, (void *)x);
		SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->bodylen);
		break;
	}
#undef SET
	if (rc != CURLE_OK) {
		rw_error_set(&x->res.err, x->safe_url, 0, 0, "cannot set up the transfer: %s",
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * A mail transfer, on a thread of its own: libcurl 7.88's SMTP waits for the answer to the end
 * of the data and to QUIT inside the call (curl issue #8555), which on the loop thread would
 * stop every feed and webhook for as long as the server takes. The thread touches only what
 * the fetch lends it, and tells the loop through the eventfd; nothing of libevent runs here.
 */
static void *
fetch_mail_thread(void *arg)
{
	struct fetch *x = arg;
	int fd = x->f->wakefd;
	uint64_t one = 1;

	x->mail_rc = curl_easy_perform(x->easy);
	atomic_store(&x->finished, 1);
	/* Only fails when the counter would overflow, and then the loop is woken anyway. */
	while (write(fd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
	return NULL;
}

/* Starts the worker with every signal blocked: they belong to the loop thread. */
static int
fetch_mail_spawn(struct fetch *x)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&x->thread, NULL, fetch_mail_thread, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Hands a fetch taken off the queue to curl; on failure it waits for the deferred done. */
static void
fetch_launch(struct fetch *x)
{
	struct fetcher *f = x->f;
	CURLMcode mc;
	int rc;

	if (fetch_setup(x) == -1)
		goto fail;
	if (x->kind == FETCH_MAIL) {
		if ((rc = fetch_mail_spawn(x)) != 0) {
			rw_error_set(&x->res.err, x->safe_url, 0, 0,
			    "cannot start the transfer: %s", strerror(rc));
			goto fail;
		}
		/* Watched only while threads run, so an idle fetcher lets the loop end. */
		if (f->nthreads++ == 0)
			event_add(f->wake, NULL);
	} else if ((mc = curl_multi_add_handle(f->multi, x->easy)) != CURLM_OK) {
		rw_error_set(&x->res.err, x->safe_url, 0, 0, "cannot start the transfer: %s",
		    curl_multi_strerror(mc));
		goto fail;
	}
	x->state = FETCH_RUNNING;
	TAILQ_INSERT_TAIL(&f->running, x, entry);
	f->nrunning++;
	return;

fail:
	x->res.ok = 0;
	x->state = FETCH_PENDING;
	TAILQ_INSERT_TAIL(&f->pending, x, entry);
	fetch_schedule(f);
}

static size_t
fetch_host_running(const struct fetcher *f, const char *host)
{
	const struct fetch *x;
	size_t n = 0;

	for (x = TAILQ_FIRST(&f->running); x != NULL; x = TAILQ_NEXT(x, entry))
		n += strcasecmp(x->host, host) == 0;
	return n;
}

/* Starts queued fetches in order as far as the limits allow; one host at its limit does not
 * hold up the others. Inside curl this must wait for the deferred event. */
static void
fetch_run_queue(struct fetcher *f)
{
	struct fetch *x, *next;

	if (f->dying)
		return;
	if (f->in_curl) {
		if (f->nqueued > 0)
			fetch_schedule(f);
		return;
	}
	for (x = TAILQ_FIRST(&f->queue); x != NULL && f->nrunning < f->max_transfers; x = next) {
		next = TAILQ_NEXT(x, entry);
		if (fetch_host_running(f, x->host) >= f->per_host ||
		    (x->kind == FETCH_MAIL && f->nthreads >= f->max_transfers))
			continue;
		TAILQ_REMOVE(&f->queue, x, entry);
		f->nqueued--;
		fetch_launch(x);
	}
}

/* Delivers what curl has finished. Runs outside curl, so done may start or cancel fetches. */
static void
fetch_check_info(struct fetcher *f)
{
	CURLMsg *m;
	CURL *easy;
	CURLcode rc;
	struct fetch *x;
	char *p = NULL;
	int left;

	while (!f->dying && (m = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		easy = m->easy_handle;
		rc = m->data.result; /* m dies with the handle's removal */
		if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK || p == NULL)
			continue;
		x = (struct fetch *)p;
		if (!x->cancelled)
			fetch_finish(x, rc);
		fetch_detach(x);
		fetch_run_queue(f);
		if (x->cancelled)
			fetch_free(x);
		else
			fetch_deliver(x);
	}
}

static void
fetch_socket_action(struct fetcher *f, curl_socket_t s, int action)
{
	int still;

	f->in_curl++;
	curl_multi_socket_action(f->multi, s, action, &still);
	f->in_curl--;
}

static void
fetch_sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock *fs = arg;
	struct fetcher *f = fs->f; /* fs may be freed by the action */
	int action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	f->busy++;
	fetch_socket_action(f, fd, action);
	fetch_check_info(f);
	fetch_unbusy(f);
}

static void
fetch_timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;

	(void)fd;
	(void)what;
	f->busy++;
	fetch_socket_action(f, CURL_SOCKET_TIMEOUT, 0);
	fetch_check_info(f);
	fetch_unbusy(f);
}

/* Cancellations made inside curl, queued fetches that could not start from there, and
 * failures found before curl saw the fetch. */
static void
fetch_defer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;
	struct fetch *x, *next;

	(void)fd;
	(void)what;
	f->busy++;
	for (x = TAILQ_FIRST(&f->running); x != NULL; x = next) {
		next = TAILQ_NEXT(x, entry);
		if (x->cancelled) {
			fetch_detach(x);
			fetch_free(x);
		}
	}
	fetch_run_queue(f);
	while (!f->dying && (x = TAILQ_FIRST(&f->pending)) != NULL) {
		TAILQ_REMOVE(&f->pending, x, entry);
		fetch_deliver(x);
	}
	fetch_unbusy(f);
}

static struct fetch *
fetch_mail_finished(struct fetcher *f)
{
	struct fetch *x;

	for (x = TAILQ_FIRST(&f->running); x != NULL; x = TAILQ_NEXT(x, entry)) {
		if (x->kind == FETCH_MAIL && atomic_load(&x->finished))
			return x;
	}
	for (x = TAILQ_FIRST(&f->reaping); x != NULL; x = TAILQ_NEXT(x, entry)) {
		if (atomic_load(&x->finished))
			return x;
	}
	return NULL;
}

/* Mail threads that ended: the cancelled are freed, the others delivered. */
static void
fetch_wake_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;
	struct fetch *x;
	uint64_t n;

	(void)what;
	/* Reset before looking: a thread that ends after the scan wakes the loop again. */
	while (read(fd, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	f->busy++;
	while (!f->dying && (x = fetch_mail_finished(f)) != NULL) {
		if (x->state == FETCH_REAPING) {
			fetch_mail_join(x);
			TAILQ_REMOVE(&f->reaping, x, entry);
			fetch_free(x);
			fetch_run_queue(f); /* a thread fewer: a queued mail may go */
			continue;
		}
		fetch_mail_join(x);
		fetch_finish(x, x->mail_rc);
		fetch_detach(x);
		fetch_run_queue(f);
		fetch_deliver(x);
	}
	fetch_unbusy(f);
}

static void
fetch_sock_free(struct fetch_sock *fs)
{
	LIST_REMOVE(fs, entry);
	event_free(fs->ev);
	free(fs);
}

/* CURLMOPT_SOCKETFUNCTION: one persistent event per socket, re-armed for what curl waits on. */
static int
fetch_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct fetcher *f = userp;
	struct fetch_sock *fs = socketp;
	short kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL)
			fetch_sock_free(fs);
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (fs == NULL) {
		if ((fs = calloc(1, sizeof(*fs))) == NULL)
			return -1;
		fs->f = f;
		if ((fs->ev = event_new(f->base, s, kind, fetch_sock_event_cb, fs)) == NULL) {
			free(fs);
			return -1;
		}
		LIST_INSERT_HEAD(&f->socks, fs, entry);
		curl_multi_assign(f->multi, s, fs);
	} else {
		event_del(fs->ev);
		event_assign(fs->ev, f->base, s, kind, fetch_sock_event_cb, fs);
	}
	return event_add(fs->ev, NULL) == 0 ? 0 : -1;
}

/* CURLMOPT_TIMERFUNCTION: curl's single timeout as one timer event. */
static int
fetch_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetcher *f = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0)
		return evtimer_del(f->timer) == 0 ? 0 : -1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(f->timer, &tv) == 0 ? 0 : -1;
}

struct fetcher *
fetcher_new(struct event_base *base, const struct fetch_opts *o, struct rw_error *err)
{
	struct fetcher *f;
	CURLcode rc;

	/* Only the loop thread gets here, before it starts any mail thread: a plain flag is
	 * enough to initialise curl once. */
	if (!fetch_curl_ready) {
		if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
			rw_error_set(err, "-", 0, 0, "cannot initialise libcurl: %s",
			    curl_easy_strerror(rc));
			return NULL;
		}
		fetch_curl_ready = 1;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		rw_error_set(err, "-", 0, 0, "out of memory");
		return NULL;
	}
	f->base = base;
	TAILQ_INIT(&f->queue);
	TAILQ_INIT(&f->running);
	TAILQ_INIT(&f->pending);
	TAILQ_INIT(&f->reaping);
	LIST_INIT(&f->socks);
	f->connect_timeout_s =
	    o->connect_timeout_s > 0 ? o->connect_timeout_s : FETCH_CONNECT_TIMEOUT;
	f->timeout_s = o->timeout_s > 0 ? o->timeout_s : FETCH_TIMEOUT;
	f->max_body = o->max_body > 0 ? o->max_body : FETCH_MAX_BODY;
	f->max_redirects = o->max_redirects > 0 ? o->max_redirects : 0;
	f->per_host = o->per_host > 0 ? (size_t)o->per_host : FETCH_PER_HOST;
	f->max_transfers = o->max_transfers > 0 ? (size_t)o->max_transfers : FETCH_MAX_TRANSFERS;
	f->cafile = fetch_strdup(o->cafile);
	f->user_agent = strdup(o->user_agent != NULL ? o->user_agent : FETCH_USER_AGENT);
	f->timer = evtimer_new(base, fetch_timer_event_cb, f);
	f->defer = evtimer_new(base, fetch_defer_event_cb, f);
	f->multi = curl_multi_init();
	if ((f->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) != -1)
		f->wake = event_new(base, f->wakefd, EV_READ | EV_PERSIST, fetch_wake_event_cb, f);
	if ((o->cafile != NULL && f->cafile == NULL) || f->user_agent == NULL || f->timer == NULL ||
	    f->defer == NULL || f->multi == NULL || f->wake == NULL) {
		rw_error_set(err, "-", 0, 0, "cannot set up the fetcher: out of memory");
		fetcher_destroy(f);
		return NULL;
	}
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	return f;
}

static void
fetcher_destroy(struct fetcher *f)
{
	struct fetch *x;
	struct fetch_sock *fs;

	f->dying = 1;
	/* Every mail thread is told to stop before any is waited for, so the waits overlap. */
	for (x = TAILQ_FIRST(&f->running); x != NULL; x = TAILQ_NEXT(x, entry)) {
		if (x->kind == FETCH_MAIL)
			atomic_store(&x->stop, 1);
	}
	while ((x = TAILQ_FIRST(&f->running)) != NULL) {
		if (x->kind == FETCH_MAIL)
			fetch_mail_join(x);
		fetch_detach(x);
		fetch_free(x);
	}
	while ((x = TAILQ_FIRST(&f->reaping)) != NULL) {
		fetch_mail_join(x);
		TAILQ_REMOVE(&f->reaping, x, entry);
		fetch_free(x);
	}
	while ((x = TAILQ_FIRST(&f->queue)) != NULL) {
		TAILQ_REMOVE(&f->queue, x, entry);
		fetch_free(x);
	}
	while ((x = TAILQ_FIRST(&f->pending)) != NULL) {
		TAILQ_REMOVE(&f->pending, x, entry);
		fetch_free(x);
	}
	/* Closing cached connections calls the socket and timer callbacks: the events live on
	 * until then, and whatever curl did not remove goes after. */
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	while ((fs = LIST_FIRST(&f->socks)) != NULL)
		fetch_sock_free(fs);
	if (f->timer != NULL)
		event_free(f->timer);
	if (f->defer != NULL)
		event_free(f->defer);
	if (f->wake != NULL)
		event_free(f->wake);
	if (f->wakefd != -1)
		close(f->wakefd);
	free(f->cafile);
	free(f->user_agent);
	free(f);
}

/*
 * Blocks the calling (loop) thread while mail is in flight: the mail threads are told to stop
 * and then joined, since they use the fetch and libcurl state freed here. A thread stops at
 * libcurl's next progress callback, which comes about once a second, also while it waits for
 * the server: in practice the wait is a second or two. It is bounded in any case by the
 * mail's transfer timeout (timeout_s of the request, else of the fetcher), which is also the
 * server-response timeout that bounds the QUIT after it. Meant for shutdown, not steady state.
 */
void
fetcher_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	/* From inside done or data: the callback that is running finishes first. */
	if (f->busy > 0) {
		f->dying = 1;
		return;
	}
	fetcher_destroy(f);
}

static int
fetch_safe_header(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* Copies what the request needs past fetch_start; -1 when out of memory. */
static int
fetch_copy_req(struct fetch *x, const struct fetch_req *req)
{
	struct curl_slist *l;
	char line[512];
	size_t i;

	if (req->body != NULL && req->bodylen > 0) {
		if ((x->body = malloc(req->bodylen)) == NULL)
			return -1;
		memcpy(x->body, req->body, req->bodylen);
		x->bodylen = req->bodylen;
	}
	if ((req->last_modified != NULL &&
		(x->last_modified = strdup(req->last_modified)) == NULL) ||
	    (req->client_cert != NULL && (x->client_cert = strdup(req->client_cert)) == NULL) ||
	    (req->client_key != NULL && (x->client_key = strdup(req->client_key)) == NULL) ||
	    (req->mail_from != NULL && (x->mail_from = strdup(req->mail_from)) == NULL))
		return -1;
	x->timeout_s = req->timeout_s;
	for (i = 0; i < req->nheaders; i++) {
		if ((l = curl_slist_append(x->headers, req->headers[i])) == NULL)
			return -1;
		x->headers = l;
	}
	if (x->is_http && req->etag != NULL && req->etag[0] != '\0' &&
	    fetch_safe_header(req->etag)) {
		snprintf(line, sizeof(line), "If-None-Match: %s", req->etag);
		if ((l = curl_slist_append(x->headers, line)) == NULL)
			return -1;
		x->headers = l;
	}
	if (x->is_http && req->last_modified != NULL && req->last_modified[0] != '\0' &&
	    fetch_safe_header(req->last_modified)) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", req->last_modified);
		if ((l = curl_slist_append(x->headers, line)) == NULL)
			return -1;
		x->headers = l;
	}
	for (i = 0; i < req->nrcpt; i++) {
		if ((l = curl_slist_append(x->rcpts, req->mail_rcpt[i])) == NULL)
			return -1;
		x->rcpts = l;
	}
	return 0;
}

/*
 * The fetch returned is valid until done has returned (done gets no pointer to it: it is freed
 * right after) or until fetch_cancel; using it afterwards is a use after free.
 */
struct fetch *
fetch_start(struct fetcher *f, const struct fetch_req *req, fetch_data_cb data, fetch_done_cb done,
    void *arg, struct rw_error *err)
{
	struct fetch *x;
	char *scheme = NULL;
	const char *what = NULL;
	int post;

	if (req->url == NULL) {
		rw_error_set(err, "-", 0, 0, "no URL to fetch");
		return NULL;
	}
	if (f->dying) {
		rw_error_set(err, "-", 0, 0, "the fetcher is being freed");
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		rw_error_set(err, "-", 0, 0, "out of memory");
		return NULL;
	}
	x->f = f;
	x->data = data;
	x->done = done;
	x->arg = arg;
	if (fetch_parse_url(req->url, &scheme, &x->host, &x->safe_url) == -1) {
		rw_error_set(err, x->safe_url != NULL ? x->safe_url : "-", 0, 0, "not a valid URL");
		goto fail;
	}
	post = req->method != NULL && strcmp(req->method, "POST") == 0;
	if (req->method != NULL && !post && strcmp(req->method, "GET") != 0)
		what = "method not supported";
	else if (strcasecmp(scheme, "smtp") == 0 || strcasecmp(scheme, "smtps") == 0) {
		x->kind = FETCH_MAIL;
		x->is_smtp = 1;
		if (req->mail_from == NULL || req->nrcpt == 0 || req->body == NULL)
			what = "mail needs a sender, recipients and a message";
	} else if (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) {
		x->kind = post ? FETCH_POST : FETCH_GET;
		x->is_http = 1;
	} else if (strcasecmp(scheme, "file") == 0 && !post) {
		x->kind = FETCH_GET;
		x->is_file = 1;
	} else
		what = post ? "scheme not allowed for POST" : "scheme not allowed";
	if (what != NULL) {
		rw_error_set(err, x->safe_url, 0, 0, "%s", what);
		goto fail;
	}
	if ((x->url = strdup(req->url)) == NULL || fetch_copy_req(x, req) == -1) {
		rw_error_set(err, x->safe_url, 0, 0, "out of memory");
		goto fail;
	}
	free(scheme);
	x->state = FETCH_QUEUED;
	TAILQ_INSERT_TAIL(&f->queue, x, entry);
	f->nqueued++;
	fetch_run_queue(f);
	return x;

fail:
	free(scheme);
	fetch_free(x);
	return NULL;
}

void
fetch_cancel(struct fetch *x)
{
	struct fetcher *f;

	if (x == NULL)
		return;
	f = x->f;
	switch (x->state) {
	case FETCH_QUEUED:
		TAILQ_REMOVE(&f->queue, x, entry);
		f->nqueued--;
		fetch_free(x);
		break;
	case FETCH_PENDING:
		TAILQ_REMOVE(&f->pending, x, entry);
		fetch_free(x);
		break;
	case FETCH_RUNNING:
		if (x->kind == FETCH_MAIL) {
			/* Joining here could block for the whole timeout: the thread is told to
			 * stop and the wake event frees the fetch when it has ended. */
			atomic_store(&x->stop, 1);
			TAILQ_REMOVE(&f->running, x, entry);
			f->nrunning--;
			x->state = FETCH_REAPING;
			TAILQ_INSERT_TAIL(&f->reaping, x, entry);
			fetch_run_queue(f);
			break;
		}
		if (x->cancelled)
			break;
		x->cancelled = 1;
		if (f->in_curl) {
			/* curl forbids removing a handle from its own callbacks. */
			fetch_schedule(f);
			break;
		}
		fetch_detach(x);
		fetch_free(x);
		fetch_run_queue(f);
		break;
	case FETCH_DELIVERING:
		break; /* freed when done returns */
	case FETCH_REAPING:
		break; /* already cancelled */
	}
}

size_t
fetcher_running(const struct fetcher *f)
{
	return f->nrunning;
}

size_t
fetcher_queued(const struct fetcher *f)
{
	return f->nqueued;
}
