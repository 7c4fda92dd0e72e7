/* Errors that name their source: every core function that can fail on input fills one. */
#ifndef RW_ERR_H
#define RW_ERR_H

#include <stddef.h>

struct rw_error {
	char source[512]; /* file, URL or "-" */
	long line; /* 1-based; 0 when unknown */
	long col; /* 1-based; 0 when unknown */
	char msg[512];
};

void rw_error_clear(struct rw_error *);
void rw_error_set(struct rw_error *, const char *source, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* "source:line:col: message", omitting what is unknown. */
const char *rw_error_str(const struct rw_error *, char *buf, size_t len);

#endif
