/* Transfers driven by the event loop: libcurl's multi-socket interface wired into libevent
 * (the pattern of curl's hiperfifo.c). The only module that sees both curl and libevent. */
#ifndef RW_FETCH_H
#define RW_FETCH_H

#include <stddef.h>

#include <event2/event.h>

#include "err.h"

struct fetch_opts {
	const char *cafile; /* NULL: the system's CA store */
	const char *user_agent; /* NULL: "recruitwatch/VERSION" */
	long connect_timeout_s; /* 0: 30 */
	long timeout_s; /* whole transfer; 0: 300 */
	size_t max_body; /* bytes after decoding; 0: 64 MiB */
	long max_redirects; /* 0: none followed; default config gives 5 */
	int per_host; /* transfers at once to one host; 0: 2 */
	int max_transfers; /* at once in all; 0: 32 */
};

struct fetch_req {
	const char *url; /* http, https, file (GET); http, https (POST); smtp, smtps (mail) */
	const char *method; /* NULL or "GET"; "POST" with body */
	const char *const *headers; /* "Name: value"; may carry secrets, never logged */
	size_t nheaders;
	const char *body; /* POST body, or the whole mail (headers + body) for smtp */
	size_t bodylen;
	const char *etag; /* conditional GET: If-None-Match */
	const char *last_modified; /* If-Modified-Since (for file:// the file's time) */
	const char *client_cert; /* PEM; NULL for none */
	const char *client_key;
	long timeout_s; /* 0: the fetcher's */
	const char *mail_from; /* smtp */
	const char *const *mail_rcpt;
	size_t nrcpt;
};

struct fetch_result {
	int ok; /* the transfer completed (any HTTP status) */
	long status; /* HTTP status; 0 for file:// and smtp */
	int not_modified; /* 304, or file:// not newer than last_modified */
	char etag[256]; /* validators of the response, "" when absent */
	char last_modified[128];
	size_t bytes; /* body bytes delivered to the data callback */
	double seconds;
	struct rw_error err; /* when !ok: names the URL (without credentials) */
};

/* Body bytes of a successful (2xx, or file://) response as they arrive; non-zero aborts the
 * transfer, and done then reports !ok with the error the callback left in err (if any). */
typedef int (*fetch_data_cb)(const char *data, size_t len, void *arg, struct rw_error *err);
/* Called exactly once per started fetch (never from inside fetch_start), unless cancelled. */
typedef void (*fetch_done_cb)(const struct fetch_result *, void *arg);

struct fetcher;
struct fetch;

struct fetcher *fetcher_new(struct event_base *, const struct fetch_opts *, struct rw_error *err);
/* Aborts what is in flight without calling done. */
void fetcher_free(struct fetcher *);

/* Starts (or queues, when the host or the fetcher is at its limit) one transfer; req is copied.
 * NULL with err when the request cannot be made (bad URL scheme, out of memory). The fetch is
 * freed when done returns (or by fetch_cancel, or fetcher_free): do not use it afterwards.
 * done and data may call fetch_start, fetch_cancel and fetcher_free. */
struct fetch *fetch_start(struct fetcher *, const struct fetch_req *, fetch_data_cb data,
    fetch_done_cb done, void *arg, struct rw_error *err);
/* Stops a transfer; done is not called. */
void fetch_cancel(struct fetch *);

size_t fetcher_running(const struct fetcher *);
size_t fetcher_queued(const struct fetcher *);

#endif
