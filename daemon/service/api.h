/* The HTTP API's inside (design §8): what every endpoint handler sees. http.c owns the
 * listeners, TLS, limits, authentication and routing; one api_*.c file per endpoint group
 * exports a route table and plain handler functions. */
#ifndef RW_API_H
#define RW_API_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "config.h"
#include "db.h"
#include "eval.h"
#include "fetch.h"
#include "rulebook.h"

/* Roles are bits so a route can allow several. */
enum api_role {
	ROLE_EMPLOYER = 1,
	ROLE_REGULATOR = 2,
	ROLE_UNION = 4,
	ROLE_ADMIN = 8,
};
#define ROLE_ANY (ROLE_EMPLOYER | ROLE_REGULATOR | ROLE_UNION | ROLE_ADMIN)

const char *api_role_name(enum api_role);
/* "employer", "regulator", "union", "admin"; -1 when unknown. */
int api_role_from_name(const char *, enum api_role *);

struct deliverer;
struct poller;
struct subs;

/* Counters the daemon keeps for GET /metrics. */
struct api_metrics {
	uint64_t requests[6]; /* by status class: [1] 1xx ... [5] 5xx */
	uint64_t checks; /* POST /v1/check documents evaluated */
	double request_seconds_sum;
	uint64_t request_seconds_count;
	uint64_t request_buckets[8]; /* <= 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, +Inf seconds */
};

/* The daemon's current state, owned by the daemon: its fields are replaced on SIGHUP, so
 * handlers read them at each call and keep nothing across calls. */
struct api_ctx {
	struct db *db;
	const struct config *cfg;
	const struct rulebook *rb;
	const struct norm *nm;
	struct evaluator *ev;
	const struct subs *subs; /* the active subscriptions, as delivery and the poller see them */
	struct deliverer *dlv;
	struct poller *poller;
	struct fetcher *fx;
	time_t started;
	struct api_metrics metrics;
	/* Asks the daemon to reload (admin); the reload happens after the reply is sent. */
	void (*reload)(void *arg);
	/* Subscriptions changed through the API: delivery reloads them. */
	void (*subs_changed)(void *arg);
	void *arg;
};

/* One request as a handler sees it: already authenticated and allowed by the route. */
struct api_req {
	struct evhttp_request *req;
	enum api_role role;
	char principal[128]; /* the token's name or the client certificate's CN: never a secret */
	const char *path; /* decoded path without the query */
	struct evkeyvalq query; /* decoded query parameters ("token" removed) */
	char params[4][256]; /* the {…} parts of the route's pattern, in order */
	size_t nparams;
	int replied;
};

typedef void (*api_handler)(struct api_ctx *, struct api_req *);

struct api_route {
	const char *method; /* "GET", "POST", "DELETE" */
	const char *pattern; /* "/v1/findings/{id}": a {name} matches one path segment */
	unsigned roles; /* ROLE_* bits allowed; 0: no authentication (GET /healthz) */
	api_handler fn;
	int token_in_query; /* feed readers: the token may come as ?token= or a Basic password */
};

/* Route tables, each ended by a {NULL} entry, from the endpoint files. */
extern const struct api_route api_check_routes[];
extern const struct api_route api_findings_routes[];
extern const struct api_route api_atom_routes[];
extern const struct api_route api_subs_routes[];
extern const struct api_route api_agencies_routes[];
extern const struct api_route api_misc_routes[];

/* Replies: each request gets exactly one. JSON bodies are stolen (json_decref'ed). */
void api_reply_json(struct api_req *, int status, json_t *body);
/* {"error": {"status": 400, "code": "bad-request", "message": "..."}} */
void api_reply_error(struct api_req *, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void api_reply_raw(
    struct api_req *, int status, const char *content_type, const char *data, size_t len);

/* For a handler that answers later (after a network round trip): returns a copy of the
 * request that outlives the handler; the handler returns without replying, and one later
 * api_reply_* on the copy answers and frees it. Query and body are not kept. If the client
 * goes away meanwhile, the reply is dropped (api_req_gone says so). NULL when out of memory. */
struct api_req *api_req_defer(struct api_req *);
int api_req_gone(const struct api_req *);

const char *api_query(const struct api_req *, const char *name);
/* The request body (bounded by the server's limit before the handler runs). */
const char *api_body(const struct api_req *, size_t *len);
/* A request header, case-insensitive; NULL when absent. */
const char *api_header(const struct api_req *, const char *name);

/* Added by H3 (api_findings.c): the filter of GET /v1/findings and GET /v1/alerts.atom read
 * from the query string (paging: a cursor is allowed too). -1 with msg naming the
 * parameter, for a 400. */
struct query_filter;
int api_findings_filter(
    const struct api_req *, struct query_filter *, int paging, char *msg, size_t len);
/* RFC 3339 in UTC ("2023-11-14T22:13:20Z"). */
void api_time_rfc3339(int64_t t, char *buf, size_t len);

#endif
