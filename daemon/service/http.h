/* The HTTP API's server (design §8): evhttp on the daemon's event loop, TLS through libevent's
 * OpenSSL bufferevents, request limits, token and client-certificate authentication, role
 * checks and routing to the handlers of api.h. */
#ifndef RW_HTTP_H
#define RW_HTTP_H

#include <event2/event.h>

#include "api.h"
#include "config.h"
#include "err.h"

struct http_server;

/* Listens on every [api] listen address of cfg (which must have one). ctx is the daemon's and
 * must outlive the server; what the server needs of cfg is copied, so a reload's new config
 * changes nothing here until a restart. NULL with err naming the address or file. */
struct http_server *http_new(
    struct event_base *, struct api_ctx *, const struct config *, struct rw_error *);
void http_free(struct http_server *);

#endif
