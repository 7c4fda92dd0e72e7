/* One blocking fetch of a URL for the CLI, streamed into a callback as bytes arrive. */
#ifndef RW_URLGET_H
#define RW_URLGET_H

#include <stddef.h>

#include "err.h"

struct urlget_opts {
	const char *cafile; /* NULL: the system's CA store */
	long timeout_s; /* whole transfer */
	size_t max_bytes; /* body limit */
};

/* Returns non-zero to abort the transfer. */
typedef int (*urlget_cb)(const char *data, size_t len, void *arg);

int urlget_is_url(const char *);
/* 0 when the whole body was delivered, -1 with err (which names the URL). */
int urlget_fetch(
    const char *url, const struct urlget_opts *, urlget_cb, void *arg, struct rw_error *err);

#endif
