/* The daemon's log: one line per event on standard error, with a level. Under systemd (when
 * JOURNAL_STREAM names our stderr) each line carries a <N> priority prefix for journald. */
#ifndef RW_LOG_H
#define RW_LOG_H

#include "config.h"

void log_init(const char *progname, enum log_level);
void log_set_level(enum log_level);
enum log_level log_get_level(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A URL fit for a log line: no user:password@ and no query string (tokens live there). */
const char *log_url(const char *url, char *buf, size_t len);

#endif
