/* The HTTP API's server: evhttp with TLS from libevent's OpenSSL bufferevents, limits, Bearer
 * tokens and client certificates, role checks, routing to api.h's tables, one log line each. */
#include <sys/queue.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <bsd/string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "http.h"
#include "log.h"
#include "tokens.h"

/* Shared by the server and its TLS connections: a connection may be freed after the server
 * (libevent finalises bufferevents late), so the count outlives whichever goes last. */
struct conn_count {
	int open;
	int refs;
};

/* One TLS connection, hung on its SSL object: freed with it, which is how a close is seen. */
struct conn {
	struct conn_count *count;
	int refused; /* over max-connections when accepted */
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ssl;
	struct api_ctx *ctx;
	struct conn_count *count;
	int max_connections;
	struct cfg_api_role *roles;
	size_t nroles;
};

/* An api_req with what the server needs to close the request: the handlers see the first
 * member only. */
struct http_req {
	struct api_req r;
	struct http_server *srv;
	struct timespec t0;
	const char *method;
	char *path;
	int heap; /* a deferred copy: freed by its reply */
	int deferred; /* the stack original whose copy will answer */
	int gone; /* a deferred copy whose client closed the connection */
};

static const struct api_route *const route_tables[] = {api_misc_routes, api_check_routes,
    api_findings_routes, api_atom_routes, api_subs_routes, api_agencies_routes};

static const char *const role_names[] = {"employer", "regulator", "union", "admin"};

static int conn_index = -1;

const char *
api_role_name(enum api_role role)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if ((unsigned)role == 1U << i)
			return role_names[i];
	return "none";
}

int
api_role_from_name(const char *name, enum api_role *role)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (name != NULL && strcmp(name, role_names[i]) == 0) {
			*role = (enum api_role)(1U << i);
			return 0;
		}
	return -1;
}

static void
count_unref(struct conn_count *c)
{
	if (c != NULL && --c->refs == 0)
		free(c);
}

static void
conn_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct conn *c = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (c == NULL)
		return;
	c->count->open--;
	count_unref(c->count);
	free(c);
}

/* --- replies --- */

static const char *
reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
	}
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Counts and logs the request: the path only (a query string may hold a token), with any
 * control character of it replaced, and the principal, which is a name, never a secret. */
static void
req_done(struct http_req *h, int status)
{
	static const double bounds[] = {0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
	struct api_metrics *m = &h->srv->ctx->metrics;
	char path[512];
	double s = elapsed(&h->t0);
	size_t i;

	if (status >= 100 && status < 600)
		m->requests[status / 100]++;
	m->request_seconds_sum += s;
	m->request_seconds_count++;
	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]) && s > bounds[i]; i++)
		;
	m->request_buckets[i]++;
	strlcpy(path, h->path != NULL ? h->path : "?", sizeof(path));
	for (i = 0; path[i] != '\0'; i++)
		if (!isprint((unsigned char)path[i]) || path[i] == ' ')
			path[i] = '?';
	log_info("api: %s %s %d %s %.1f ms", h->method, path, status,
	    h->r.principal[0] != '\0' ? h->r.principal : "-", s * 1000);
}

static void
http_req_free_deferred(struct http_req *h)
{
	free(h->path);
	free(h);
}

static void
http_deferred_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_req *h = arg;

	h->gone = 1;
}

struct api_req *
api_req_defer(struct api_req *r)
{
	struct http_req *h = (struct http_req *)r, *c;
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->req);

	if (h->heap || evcon == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	*c = *h;
	TAILQ_INIT(&c->r.query);
	if ((c->path = strdup(h->path != NULL ? h->path : "")) == NULL) {
		free(c);
		return NULL;
	}
	c->r.path = c->path;
	c->r.replied = 0;
	c->heap = 1;
	h->deferred = 1;
	/* The connection may close before the answer: libevent then frees the request, and
	 * the copy must not touch it. */
	evhttp_connection_set_closecb(evcon, http_deferred_closed, c);
	return &c->r;
}

int
api_req_gone(const struct api_req *r)
{
	return ((const struct http_req *)r)->gone;
}

void
api_reply_raw(struct api_req *r, int status, const char *content_type, const char *data, size_t len)
{
	struct http_req *h = (struct http_req *)r;
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
	struct evbuffer *buf;

	if (r->replied) {
		log_error("api: %s %s: a second reply dropped (a bug)", h->method, h->path);
		return;
	}
	r->replied = 1;
	if (h->heap && h->gone) {
		/* libevent freed the request with its connection: nothing to answer. */
		log_info("api: %s %s: the client left before the answer", h->method, h->path);
		http_req_free_deferred(h);
		return;
	}
	evhttp_remove_header(out, "Content-Type");
	evhttp_add_header(out, "Content-Type", content_type);
	/* Answers about findings are not for shared caches; a handler that means to be cached
	 * (the Atom feed, revalidated with its ETag) says so itself. */
	if (evhttp_find_header(out, "Cache-Control") == NULL)
		evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	if ((buf = evbuffer_new()) == NULL || evbuffer_add(buf, data, len) != 0) {
		if (buf != NULL)
			evbuffer_free(buf);
		if (h->heap)
			evhttp_connection_set_closecb(
			    evhttp_request_get_connection(r->req), NULL, NULL);
		evhttp_send_error(r->req, 500, NULL);
		req_done(h, 500);
		if (h->heap)
			http_req_free_deferred(h);
		return;
	}
	/* Before the reply: sending may free the request and, with it, the connection. */
	if (h->heap)
		evhttp_connection_set_closecb(evhttp_request_get_connection(r->req), NULL, NULL);
	evhttp_send_reply(r->req, status, reason(status), buf);
	evbuffer_free(buf);
	req_done(h, status);
	if (h->heap)
		http_req_free_deferred(h);
}

void
api_reply_json(struct api_req *r, int status, json_t *body)
{
	char *s;

	if (body == NULL || (s = json_dumps(body, JSON_COMPACT)) == NULL) {
		json_decref(body);
		api_reply_raw(r, 500, "application/json",
		    "{\"error\":{\"status\":500,\"code\":\"internal\",\"message\":\"out of "
		    "memory\"}}\n",
		    75);
		return;
	}
	json_decref(body);
	api_reply_raw(r, status, "application/json", s, strlen(s));
	free(s);
}

void
api_reply_error(struct api_req *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_reply_json(r, status,
	    json_pack(
		"{s:{s:i, s:s, s:s}}", "error", "status", status, "code", code, "message", msg));
}

const char *
api_query(const struct api_req *r, const char *name)
{
	return evhttp_find_header(&r->query, name);
}

const char *
api_body(const struct api_req *r, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t n = evbuffer_get_length(in);
	const char *p;

	*len = n;
	if (n == 0)
		return "";
	p = (const char *)evbuffer_pullup(in, -1);
	return p != NULL ? p : "";
}

const char *
api_header(const struct api_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->req), name);
}

/* --- routing --- */

/* 1 when path matches pattern, the {…} segments copied (decoded) into r->params. */
static int
route_match(const char *pattern, const char *path, struct api_req *r)
{
	const char *p = pattern, *q = path;
	size_t np = 0;

	while (*p == '/' && *q == '/') {
		size_t pl = strcspn(p + 1, "/"), ql = strcspn(q + 1, "/");

		if (p[1] == '{') {
			char *dec, seg[768];
			size_t dl = 0;

			if (ql == 0 || ql >= sizeof(seg) || np >= 4)
				return 0;
			memcpy(seg, q + 1, ql);
			seg[ql] = '\0';
			if ((dec = evhttp_uridecode(seg, 0, &dl)) == NULL)
				return 0;
			if (dl != strlen(dec) || dl >= sizeof(r->params[0])) {
				free(dec);
				return 0;
			}
			strlcpy(r->params[np++], dec, sizeof(r->params[0]));
			free(dec);
		} else if (pl != ql || strncmp(p + 1, q + 1, pl) != 0)
			return 0;
		p += pl + 1;
		q += ql + 1;
	}
	if (*p != '\0' || *q != '\0')
		return 0;
	r->nparams = np;
	return 1;
}

static const char *
method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "OTHER";
	}
}

/* The route for method and path; NULL with allow filled (the methods the path has, for a
 * 405) or empty (404). */
static const struct api_route *
route_find(const char *method, const char *rawpath, struct api_req *r, char *allow, size_t allowlen)
{
	const struct api_route *t;
	size_t i;

	allow[0] = '\0';
	for (i = 0; i < sizeof(route_tables) / sizeof(route_tables[0]); i++)
		for (t = route_tables[i]; t->method != NULL; t++) {
			if (!route_match(t->pattern, rawpath, r))
				continue;
			if (strcmp(t->method, method) == 0)
				return t;
			if (strstr(allow, t->method) == NULL) {
				if (allow[0] != '\0')
					strlcat(allow, ", ", allowlen);
				strlcat(allow, t->method, allowlen);
			}
		}
	return NULL;
}

/* --- authentication --- */

/* The password of "Basic base64(user:password)" into out; -1 when not one. */
static int
basic_password(const char *v, char *out, size_t outlen)
{
	unsigned char dec[256];
	size_t n = strlen(v), pad = 0;
	int len;
	char *colon;

	if (n == 0 || n % 4 != 0 || n > 4 * (sizeof(dec) / 3) - 4)
		return -1;
	if ((len = EVP_DecodeBlock(dec, (const unsigned char *)v, (int)n)) < 0)
		return -1;
	while (pad < 2 && v[n - 1 - pad] == '=')
		pad++;
	len -= (int)pad;
	dec[len] = '\0';
	if ((size_t)len != strlen((char *)dec) || (colon = strchr((char *)dec, ':')) == NULL) {
		OPENSSL_cleanse(dec, sizeof(dec));
		return -1;
	}
	strlcpy(out, colon + 1, outlen);
	OPENSSL_cleanse(dec, sizeof(dec));
	return 0;
}

/* The subject CN of a verified client certificate into cn; -1 without one. */
static int
client_cn(struct evhttp_request *req, char *cn, size_t cnlen)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	SSL *ssl;
	X509 *cert;
	int n;

	if (evcon == NULL || (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return -1;
	if ((cert = SSL_get0_peer_certificate(ssl)) == NULL ||
	    SSL_get_verify_result(ssl) != X509_V_OK)
		return -1;
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, (int)cnlen);
	if (n <= 0 || (size_t)n != strlen(cn))
		return -1;
	return 0;
}

enum auth { AUTH_OK, AUTH_NONE, AUTH_BAD, AUTH_ERROR };

/* A token (Bearer; for feed routes also Basic or ?token=), else a mapped client certificate.
 * A token given and wrong is refused even beside a good certificate. */
static enum auth
authenticate(
    struct http_server *srv, struct api_req *r, const struct api_route *rt, const char *qtoken)
{
	const char *authz = api_header(r, "Authorization"), *role = NULL;
	char token[256], cn[120], buf[1200];
	struct rw_error err;
	enum api_role bit;
	size_t i;
	int rc;

	token[0] = '\0';
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		authz += 7;
		while (*authz == ' ')
			authz++;
		strlcpy(token, authz, sizeof(token));
	} else if (authz != NULL && rt->token_in_query && strncasecmp(authz, "Basic ", 6) == 0) {
		if (basic_password(authz + 6, token, sizeof(token)) != 0)
			return AUTH_BAD;
	} else if (authz != NULL)
		return AUTH_BAD;
	else if (qtoken != NULL && rt->token_in_query)
		strlcpy(token, qtoken, sizeof(token));

	if (token[0] != '\0') {
		rc = tokens_check(srv->ctx->db, token, time(NULL), &role, r->principal,
		    sizeof(r->principal), &err);
		OPENSSL_cleanse(token, sizeof(token));
		if (rc < 0) {
			log_error("api: %s", rw_error_str(&err, buf, sizeof(buf)));
			return AUTH_ERROR;
		}
		if (rc == 0 || api_role_from_name(role, &bit) != 0) {
			r->principal[0] = '\0';
			return AUTH_BAD;
		}
		r->role = bit;
		return AUTH_OK;
	}
	if (client_cn(r->req, cn, sizeof(cn)) == 0)
		for (i = 0; i < srv->nroles; i++)
			if (strcmp(srv->roles[i].cn, cn) == 0) {
				r->role = (enum api_role)srv->roles[i].role;
				snprintf(r->principal, sizeof(r->principal), "cert:%s", cn);
				return AUTH_OK;
			}
	return AUTH_NONE;
}

/* --- the request --- */

static int
conn_refused(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	struct conn *c;
	SSL *ssl;

	if (evcon == NULL || (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return 0;
	c = SSL_get_ex_data(ssl, conn_index);
	return c == NULL || c->refused;
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const struct api_route *rt;
	struct http_req h;
	struct api_req *r = &h.r;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *rawpath, *rawq;
	char allow[64], *qtoken = NULL;
	size_t dl = 0;
	enum auth a;

	memset(&h, 0, sizeof(h));
	clock_gettime(CLOCK_MONOTONIC, &h.t0);
	TAILQ_INIT(&r->query);
	h.srv = srv;
	h.method = method_name(evhttp_request_get_command(req));
	r->req = req;
	rawpath = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (rawpath == NULL || *rawpath == '\0')
		rawpath = "/";
	h.path = evhttp_uridecode(rawpath, 0, &dl);
	r->path = h.path;

	if (conn_refused(req)) {
		evhttp_add_header(out, "Connection", "close");
		api_reply_error(r, 503, "unavailable", "too many connections (max-connections %d)",
		    srv->max_connections);
		goto done;
	}
	if (h.path == NULL || dl != strlen(h.path)) {
		api_reply_error(r, 400, "bad-request", "path: not a valid URL path");
		goto done;
	}
	rawq = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (rawq != NULL && evhttp_parse_query_str(rawq, &r->query) != 0) {
		api_reply_error(r, 400, "bad-request", "query: not a valid query string");
		goto done;
	}
	/* Handlers never see a token, wherever it came from. */
	if (evhttp_find_header(&r->query, "token") != NULL) {
		qtoken = strdup(evhttp_find_header(&r->query, "token"));
		while (evhttp_remove_header(&r->query, "token") == 0)
			;
	}
	if ((rt = route_find(h.method, rawpath, r, allow, sizeof(allow))) == NULL) {
		if (allow[0] != '\0') {
			evhttp_add_header(out, "Allow", allow);
			api_reply_error(r, 405, "method-not-allowed", "%s %s: allowed: %s",
			    h.method, h.path, allow);
		} else
			api_reply_error(r, 404, "not-found", "%s: no such resource", h.path);
		goto done;
	}
	if (rt->roles != 0) {
		a = authenticate(srv, r, rt, qtoken);
		if (a == AUTH_ERROR) {
			api_reply_error(r, 500, "internal", "the token store failed");
			goto done;
		}
		if (a != AUTH_OK) {
			evhttp_add_header(out, "WWW-Authenticate", "Bearer realm=\"recruitwatch\"");
			if (rt->token_in_query)
				evhttp_add_header(
				    out, "WWW-Authenticate", "Basic realm=\"recruitwatch\"");
			api_reply_error(r, 401, "unauthorized",
			    a == AUTH_NONE ? "credentials required: Authorization: Bearer TOKEN"
					   : "the token is not valid");
			goto done;
		}
		if ((rt->roles & (unsigned)r->role) == 0) {
			api_reply_error(r, 403, "forbidden", "%s %s is not allowed to role %s",
			    h.method, h.path, api_role_name(r->role));
			goto done;
		}
	}
	rt->fn(srv->ctx, r);
	if (!r->replied && !h.deferred)
		api_reply_error(r, 500, "internal", "%s %s: no reply", h.method, h.path);
done:
	if (qtoken != NULL) {
		OPENSSL_cleanse(qtoken, strlen(qtoken));
		free(qtoken);
	}
	evhttp_clear_headers(&r->query);
	free(h.path);
}

/* --- the server --- */

static struct bufferevent *
bev_cb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	struct bufferevent *bev;
	struct conn *c;
	SSL *ssl;

	if ((ssl = SSL_new(srv->ssl)) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) != NULL) {
		c->count = srv->count;
		c->refused = srv->count->open >= srv->max_connections;
		c->count->open++;
		c->count->refs++;
		if (SSL_set_ex_data(ssl, conn_index, c) != 1) {
			c->count->open--;
			c->count->refs--;
			free(c);
		}
	}
	bev = bufferevent_openssl_socket_new(
	    base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		SSL_free(ssl);
	return bev;
}

static int
tls_setup(struct http_server *srv, const struct cfg_api *a, struct rw_error *err)
{
	char why[256];

	if (conn_index < 0 &&
	    (conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free_cb)) < 0) {
		rw_error_set(err, "api", 0, 0, "cannot set up TLS");
		return -1;
	}
	if ((srv->ssl = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(srv->ssl, TLS1_2_VERSION) != 1) {
		rw_error_set(err, "api", 0, 0, "cannot set up TLS");
		return -1;
	}
	SSL_CTX_set_options(srv->ssl, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(srv->ssl, a->tls_cert) != 1) {
		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		rw_error_set(err, a->tls_cert, 0, 0, "cannot load the TLS certificate: %s", why);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(srv->ssl, a->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(srv->ssl) != 1) {
		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		rw_error_set(err, a->tls_key, 0, 0, "cannot load the TLS key: %s", why);
		return -1;
	}
	if (a->client_ca != NULL) {
		STACK_OF(X509_NAME) * names;

		if (SSL_CTX_load_verify_locations(srv->ssl, a->client_ca, NULL) != 1 ||
		    (names = SSL_load_client_CA_file(a->client_ca)) == NULL) {
			ERR_error_string_n(ERR_get_error(), why, sizeof(why));
			rw_error_set(err, a->client_ca, 0, 0, "cannot load the client CA: %s", why);
			return -1;
		}
		SSL_CTX_set_client_CA_list(srv->ssl, names);
		/* Asked for, not required: token holders have no certificate. */
		SSL_CTX_set_verify(srv->ssl, SSL_VERIFY_PEER, NULL);
	}
	ERR_clear_error();
	return 0;
}

struct http_server *
http_new(
    struct event_base *base, struct api_ctx *ctx, const struct config *cfg, struct rw_error *err)
{
	const struct cfg_api *a = &cfg->api;
	struct http_server *srv;
	struct timeval tv;
	char host[256];
	size_t i;
	int port;

	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->count = calloc(1, sizeof(*srv->count))) == NULL) {
		free(srv);
		rw_error_set(err, "api", 0, 0, "out of memory");
		return NULL;
	}
	srv->count->refs = 1;
	srv->base = base;
	srv->ctx = ctx;
	srv->max_connections = a->max_connections;
	if (a->nroles > 0 && (srv->roles = calloc(a->nroles, sizeof(*srv->roles))) == NULL)
		goto oom;
	for (i = 0; i < a->nroles; i++) {
		if ((srv->roles[i].cn = strdup(a->roles[i].cn)) == NULL)
			goto oom;
		srv->roles[i].role = a->roles[i].role;
		srv->nroles++;
	}
	if ((srv->http = evhttp_new(base)) == NULL)
		goto oom;
	if (!a->plain_http) {
		if (tls_setup(srv, a, err) != 0)
			goto fail;
		evhttp_set_bevcb(srv->http, bev_cb, srv);
	}
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)a->max_body);
	evhttp_set_max_headers_size(srv->http, (ev_ssize_t)a->max_header_size);
	tv.tv_sec = a->request_timeout_s;
	tv.tv_usec = 0;
	evhttp_set_timeout_tv(srv->http, &tv);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(srv->http, http_cb, srv);
	for (i = 0; i < a->nlisten; i++) {
		if (config_split_listen(a->listen[i], host, sizeof(host), &port) != 0) {
			rw_error_set(
			    err, cfg->path, a->line, 0, "bad listen address %s", a->listen[i]);
			goto fail;
		}
		if (evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port) == NULL) {
			rw_error_set(err, cfg->path, a->line, 0, "api: cannot listen on %s: %s",
			    a->listen[i], strerror(errno));
			goto fail;
		}
		log_info(
		    "api: listening on %s://%s", a->plain_http ? "http" : "https", a->listen[i]);
	}
	return srv;
oom:
	rw_error_set(err, "api", 0, 0, "out of memory");
fail:
	http_free(srv);
	return NULL;
}

void
http_free(struct http_server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	SSL_CTX_free(srv->ssl);
	for (i = 0; i < srv->nroles; i++)
		free(srv->roles[i].cn);
	free(srv->roles);
	count_unref(srv->count);
	free(srv);
}
