/* Log lines for people and journald: level-filtered, one line each, secrets kept out by the
 * callers (log_url strips credentials from URLs). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"

static const char *log_prog = "recruitwatchd";
static enum log_level log_level = LOG_LVL_INFO;
static int log_journal; /* stderr is the journal: prefix <N>, no timestamp */

/* JOURNAL_STREAM is "device:inode" of the stream systemd connected; it only counts if it is
 * still our stderr (a child of a child may inherit the variable but not the stream). */
static int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, enum log_level lvl)
{
	log_prog = progname;
	log_level = lvl;
	log_journal = log_stderr_is_journal();
}

void
log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

static void log_vline(enum log_level, const char *, va_list) __attribute__((format(printf, 2, 0)));

static void
log_vline(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {3, 4, 6, 7};
	char line[2048], stamp[32];
	struct tm tm;
	time_t now;
	char *p;

	if (lvl > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One event, one line: a newline inside a message would forge a second entry. */
	for (p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_journal) {
		fprintf(stderr, "<%d>%s\n", prio[lvl], line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s[%s]: %s\n", stamp, log_prog, names[lvl], line);
}

#define LOG_FN(name, lvl)                                                                          \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		log_vline(lvl, fmt, ap);                                                           \
		va_end(ap);                                                                        \
	}

LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARNING)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

const char *
log_url(const char *url, char *buf, size_t len)
{
	const char *scheme_end, *host, *at, *slash, *q;
	size_t n;

	if (url == NULL)
		return "";
	scheme_end = strstr(url, "://");
	host = scheme_end != NULL ? scheme_end + 3 : url;
	slash = strchr(host, '/');
	at = strchr(host, '@');
	if (at != NULL && (slash == NULL || at < slash)) {
		n = (size_t)(host - url);
		snprintf(buf, len, "%.*s%s", (int)n, url, at + 1);
	} else
		snprintf(buf, len, "%s", url);
	if ((q = strpbrk(buf, "?#")) != NULL)
		*(char *)q = '\0';
	return buf;
}
