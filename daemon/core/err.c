/* Error reports in the FILE:LINE:COL: message shape compilers use, so editors can jump to them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bsd/string.h>

#include "err.h"

void
rw_error_clear(struct rw_error *e)
{
	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
}

void
rw_error_set(struct rw_error *e, const char *source, long line, long col, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	strlcpy(e->source, source != NULL ? source : "", sizeof(e->source));
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

const char *
rw_error_str(const struct rw_error *e, char *buf, size_t len)
{
	if (e->line > 0 && e->col > 0)
		snprintf(buf, len, "%s:%ld:%ld: %s", e->source, e->line, e->col, e->msg);
	else if (e->line > 0)
		snprintf(buf, len, "%s:%ld: %s", e->source, e->line, e->msg);
	else
		snprintf(buf, len, "%s: %s", e->source, e->msg);
	return buf;
}
