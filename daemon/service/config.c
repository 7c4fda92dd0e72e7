/* recruitwatchd.conf: libinih splits the lines, this file checks every section and key, resolves
 * relative paths against the config file's directory and reads the OPML file it names. */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <curl/curl.h>
#include <ini.h>
#include <openssl/evp.h>

#include "config.h"
#include "opml.h"

#define CONFIG_DEFAULT_STATE_DIR "/var/lib/recruitwatch"
#define CONFIG_NAME_MAX 127 /* a subscription's name must fit struct sub_row */
#define CONFIG_KEYS_MAX 16

/* Stands for the value of a line longer than libinih's line buffer, kept aside by the reader. */
#define LONG_VALUE "\x1e"

enum cfg_sect {
	SECT_NONE,
	SECT_BAD,
	SECT_DAEMON,
	SECT_LIMITS,
	SECT_FEED,
	SECT_SINK,
	SECT_SUB,
	SECT_API
};

struct cfg_key {
	const char *name;
	int repeatable;
};

static const struct cfg_key daemon_keys[] = {{"state-directory", 0}, {"rules", 0},
    {"rules-layer", 1}, {"data", 0}, {"cafile", 0}, {"opml", 0}, {"log-level", 0}, {"interval", 0},
    {"jitter", 0}, {NULL, 0}};
static const struct cfg_key limits_keys[] = {{"max-body", 0}, {"fetch-timeout", 0},
    {"connect-timeout", 0}, {"max-redirects", 0}, {"per-host", 0}, {"max-transfers", 0},
    {"feed-backoff-max", 0}, {"retry-base", 0}, {"retry-max", 0}, {"dead-after", 0},
    {"retention", 0}, {"state-max-size", 0}, {"drain", 0}, {NULL, 0}};
static const struct cfg_key feed_keys[] = {{"url", 0}, {"agency", 0}, {"format", 0},
    {"interval", 0}, {"header", 1}, {"client-cert", 0}, {"client-key", 0}, {NULL, 0}};
static const struct cfg_key sink_keys[] = {{"type", 0}, {"path", 0}, {"url", 0}, {"secret", 0},
    {"secret-file", 0}, {"header", 1}, {"from", 0}, {"to", 1}, {"username", 0}, {"password", 0},
    {"digest", 0}, {"timeout", 0}, {NULL, 0}};
static const struct cfg_key sub_keys[] = {{"sink", 0}, {"min-severity", 0}, {"categories", 0},
    {"agencies", 0}, {"destinations", 0}, {"sources", 0}, {NULL, 0}};

static const struct cfg_key api_keys[] = {{"listen", 1}, {"tls-cert", 0}, {"tls-key", 0},
    {"client-ca", 0}, {"client-role", 1}, {"plain-http", 0}, {"max-body", 0},
    {"max-header-size", 0}, {"request-timeout", 0}, {"max-connections", 0}, {"public-url", 0},
    {NULL, 0}};

/* The same bits as enum api_role (api.h, which builds on this header). */
static const char *const api_role_names[] = {"employer", "regulator", "union", "admin"};

static const char *const sink_type_names[] = {
    "jsonl", "text", "journal", "syslog", "webhook", "smtp"};

/* Design §6: the categories a finding can carry. */
static const char *const categories[] = {"active-recruitment-ssl", "worker-fees",
    "repayment-clause", "document-retention", "contract-transparency", "unequal-treatment",
    "working-conditions", "wage-deductions", "restricted-mobility", "deceptive-recruitment",
    "recruiter-transparency", NULL};

struct cfg_load {
	struct config *cfg;
	const char *file; /* as given, for messages */
	char *dir; /* the config file's absolute directory */
	FILE *fp;
	long lineno; /* of the line libinih is handling */
	char *line;
	size_t linecap;
	char *longval;
	long longline; /* the line longval belongs to */
	enum cfg_sect sect;
	const char *sect_kind; /* "feed", "sink", "subscription" */
	long sect_line;
	const struct cfg_key *keys;
	long seen[CONFIG_KEYS_MAX]; /* line of each key of the current section, 0 when not given */
	long daemon_line, limits_line, api_line;
	struct rw_error *err;
	int failed;
};

static void cfg_fail(struct cfg_load *, long, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Only the first error counts: libinih goes on after one, and later ones often follow from it. */
static void
cfg_fail(struct cfg_load *L, long line, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(L->err->msg)];

	if (L->failed)
		return;
	L->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rw_error_set(L->err, L->file, line, 0, "%s", msg);
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
list_add(char ***v, size_t *n, const char *s)
{
	char **nv, *d;

	if ((d = strdup(s)) == NULL)
		return -1;
	if ((nv = reallocarray(*v, *n + 1, sizeof(**v))) == NULL) {
		free(d);
		return -1;
	}
	nv[(*n)++] = d;
	*v = nv;
	return 0;
}

/* path as is when absolute, else under dir (without a leading "./"). */
static char *
path_join(const char *dir, const char *path)
{
	char *out;

	if (path[0] == '/' || dir == NULL)
		return strdup(path);
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; *path == '/'; path++)
			;
	if (*path == '\0' || strcmp(path, ".") == 0)
		return strdup(dir);
	if (asprintf(&out, "%s/%s", dir, path) < 0)
		return NULL;
	return out;
}

int64_t
config_parse_duration(const char *s)
{
	char *end;
	long long n;
	int64_t mult = 1;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 's':
		end++;
		break;
	case 'm':
		mult = 60;
		end++;
		break;
	case 'h':
		mult = 3600;
		end++;
		break;
	case 'd':
		mult = 86400;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || n > INT64_MAX / mult)
		return -1;
	return (int64_t)n * mult;
}

int64_t
config_parse_size(const char *s)
{
	char *end;
	long long n;
	int64_t mult = 1;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'K':
	case 'k':
		mult = 1024;
		end++;
		break;
	case 'M':
	case 'm':
		mult = 1024 * 1024;
		end++;
		break;
	case 'G':
	case 'g':
		mult = 1024 * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || n > INT64_MAX / mult)
		return -1;
	return (int64_t)n * mult;
}

static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= CONFIG_NAME_MAX &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* 0 when value is a URL with one of the schemes; else -1 and why says what is wrong (never the
 * URL itself, which may carry credentials). */
static int
url_check(const char *value, const char *const *schemes, char *why, size_t whylen)
{
	CURLU *h;
	CURLUcode rc;
	char *scheme = NULL;
	size_t i;
	int ok = -1;

	if ((h = curl_url()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	rc = curl_url_set(h, CURLUPART_URL, value, CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK)
		snprintf(why, whylen, "is not a valid URL (%s)", curl_url_strerror(rc));
	else if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		snprintf(why, whylen, "is not a valid URL (no scheme)");
	else {
		for (i = 0; schemes[i] != NULL; i++)
			if (strcasecmp(scheme, schemes[i]) == 0)
				ok = 0;
		if (ok != 0) {
			size_t off = strlcpy(why, "must be ", whylen);

			for (i = 0; schemes[i] != NULL && off < whylen; i++)
				off += snprintf(why + off, whylen - off, "%s%s",
				    i == 0                       ? ""
					: schemes[i + 1] == NULL ? " or "
								 : ", ",
				    schemes[i]);
			if (off < whylen)
				snprintf(why + off, whylen - off, ", not %s", scheme);
		}
	}
	curl_free(scheme);
	curl_url_cleanup(h);
	return ok;
}

char *
config_feed_url(const char *value, const char *dir, char *why, size_t whylen)
{
	static const char *const feed_schemes[] = {"http", "https", "file", NULL};
	CURLU *h;
	char *path, *u = NULL, *out;

	if (strncasecmp(value, "file:", 5) != 0 || strncmp(value + 5, "//", 2) == 0) {
		if (url_check(value, feed_schemes, why, whylen) != 0)
			return NULL;
		if ((out = strdup(value)) == NULL)
			snprintf(why, whylen, "out of memory");
		return out;
	}
	/* "file:NAME": a path relative to the file that names it, made an absolute URL. */
	if (value[5] == '\0') {
		snprintf(why, whylen, "names no file");
		return NULL;
	}
	if ((path = path_join(dir, value + 5)) == NULL || (h = curl_url()) == NULL) {
		free(path);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (curl_url_set(h, CURLUPART_SCHEME, "file", 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_PATH, path, CURLU_URLENCODE) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_URL, &u, 0) != CURLUE_OK)
		snprintf(why, whylen, "is not a valid file path");
	out = u != NULL ? strdup(u) : NULL;
	if (u != NULL && out == NULL)
		snprintf(why, whylen, "out of memory");
	curl_free(u);
	curl_url_cleanup(h);
	free(path);
	return out;
}

/* "Name: value" with a token for a name and something after the colon. */
static int
header_ok(const char *h)
{
	size_t n;

	n = strspn(
	    h, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n == 0 || h[n] != ':')
		return 0;
	for (h += n + 1; *h == ' ' || *h == '\t'; h++)
		;
	return *h != '\0';
}

/* Standard Webhooks: "whsec_" and the base64 of 24 to 64 random bytes. */
static int
secret_ok(const char *s)
{
	unsigned char buf[96];
	size_t len, body, pad = 0;
	int n;

	if (strncmp(s, "whsec_", 6) != 0)
		return 0;
	s += 6;
	len = strlen(s);
	body = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	while (body + pad < len && pad < 2 && s[body + pad] == '=')
		pad++;
	if (len == 0 || body + pad != len || len % 4 != 0 || len > 4 * sizeof(buf) / 3)
		return 0;
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0)
		return 0;
	n -= (int)pad;
	OPENSSL_cleanse(buf, sizeof(buf));
	return n >= 24 && n <= 64;
}

/* The secret is the file's first line; the file must not be readable by every user. */
static char *
secret_read(struct cfg_load *L, const char *path, const char *sect)
{
	struct stat st;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cfg_fail(
		    L, L->lineno, "secret-file %s in [sink %s]: %s", path, sect, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		cfg_fail(
		    L, L->lineno, "secret-file %s in [sink %s] is not a regular file", path, sect);
		close(fd);
		return NULL;
	}
	if (st.st_mode & S_IROTH) {
		cfg_fail(L, L->lineno,
		    "secret-file %s in [sink %s] is readable by every user (chmod o-r it)", path,
		    sect);
		close(fd);
		return NULL;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		cfg_fail(L, L->lineno, "secret-file %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	n = getline(&line, &cap, fp);
	fclose(fp);
	if (n <= 0) {
		cfg_fail(L, L->lineno, "secret-file %s in [sink %s] is empty", path, sect);
		free(line);
		return NULL;
	}
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	return line;
}

static void api_end(struct cfg_load *);

/* --- sections --- */

static int
sect_key_index(const struct cfg_key *keys, const char *name)
{
	int i;

	for (i = 0; keys[i].name != NULL; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

static long
seen(const struct cfg_load *L, const char *key)
{
	int i = sect_key_index(L->keys, key);

	return i < 0 ? 0 : L->seen[i];
}

static const char *
sect_name(const struct cfg_load *L)
{
	struct config *c = L->cfg;

	switch (L->sect) {
	case SECT_FEED:
		return c->feeds[c->nfeeds - 1].name;
	case SECT_SINK:
		return c->sinks[c->nsinks - 1].name;
	case SECT_SUB:
		return c->subs[c->nsubs - 1].name;
	default:
		return "";
	}
}

/* Checks what only the whole section can tell: required keys, keys that need each other. */
static void
sect_end(struct cfg_load *L)
{
	static const char *const web[] = {"http", "https", NULL};
	static const char *const mail[] = {"smtp", "smtps", NULL};
	struct config *c = L->cfg;
	char why[160];
	const char *name = sect_name(L);
	struct cfg_sink *s;
	size_t i;
	long l;

	switch (L->sect) {
	case SECT_FEED:
		if (!seen(L, "url"))
			cfg_fail(L, L->sect_line, "[feed %s] has no url", name);
		if (!seen(L, "client-cert") != !seen(L, "client-key"))
			cfg_fail(L, L->sect_line, "[feed %s] needs both client-cert and client-key",
			    name);
		break;
	case SECT_SINK:
		s = &c->sinks[c->nsinks - 1];
		if (!seen(L, "type")) {
			cfg_fail(L, L->sect_line, "[sink %s] has no type", name);
			break;
		}
		for (i = 0; sink_keys[i].name != NULL; i++) {
			const char *k = sink_keys[i].name;
			int used;

			if ((l = L->seen[i]) == 0 || strcmp(k, "type") == 0)
				continue;
			switch (s->type) {
			case SINK_JSONL:
			case SINK_TEXT:
				used = strcmp(k, "path") == 0;
				break;
			case SINK_WEBHOOK:
				used = strcmp(k, "url") == 0 || strcmp(k, "secret") == 0 ||
				    strcmp(k, "secret-file") == 0 || strcmp(k, "header") == 0 ||
				    strcmp(k, "timeout") == 0;
				break;
			case SINK_SMTP:
				used = strcmp(k, "url") == 0 || strcmp(k, "from") == 0 ||
				    strcmp(k, "to") == 0 || strcmp(k, "username") == 0 ||
				    strcmp(k, "password") == 0 || strcmp(k, "digest") == 0 ||
				    strcmp(k, "timeout") == 0;
				break;
			default:
				used = 0;
			}
			if (!used)
				cfg_fail(L, l, "%s does not apply to [sink %s] of type %s", k, name,
				    sink_type_names[s->type]);
		}
		if ((s->type == SINK_JSONL || s->type == SINK_TEXT) && s->path == NULL)
			cfg_fail(L, L->sect_line,
			    "[sink %s] has no path (a file, or - for "
			    "standard output)",
			    name);
		if ((s->type == SINK_WEBHOOK || s->type == SINK_SMTP) && s->url == NULL)
			cfg_fail(L, L->sect_line, "[sink %s] has no url", name);
		else if (s->url != NULL &&
		    url_check(s->url, s->type == SINK_SMTP ? mail : web, why, sizeof(why)) != 0)
			cfg_fail(L, seen(L, "url"), "url in [sink %s] %s", name, why);
		if (s->type == SINK_WEBHOOK && s->secret == NULL)
			cfg_fail(L, L->sect_line,
			    "[sink %s] has no secret or secret-file: webhook alerts must be signed",
			    name);
		if (seen(L, "secret") && seen(L, "secret-file"))
			cfg_fail(L, seen(L, "secret-file"),
			    "[sink %s] has both secret and secret-file", name);
		if (s->type == SINK_SMTP && s->from == NULL)
			cfg_fail(L, L->sect_line, "[sink %s] has no from", name);
		if (s->type == SINK_SMTP && s->nto == 0)
			cfg_fail(L, L->sect_line, "[sink %s] has no to", name);
		if (!seen(L, "username") != !seen(L, "password"))
			cfg_fail(
			    L, L->sect_line, "[sink %s] needs both username and password", name);
		break;
	case SECT_SUB:
		if (!seen(L, "sink"))
			cfg_fail(L, L->sect_line, "[subscription %s] has no sink", name);
		break;
	case SECT_API:
		api_end(L);
		break;
	default:
		break;
	}
	L->sect = SECT_NONE;
}

/* Starts the section of a "[...]" line: the reader sees it before libinih does, so that empty
 * and repeated sections are noticed too. */
static void
sect_begin(struct cfg_load *L, char *text)
{
	struct config *c = L->cfg;
	char *kind = text, *name, *e;
	long *once = NULL;
	size_t i, n;
	void *p;

	sect_end(L);
	L->sect = SECT_BAD;
	L->sect_line = L->lineno;
	memset(L->seen, 0, sizeof(L->seen));
	while (isspace((unsigned char)*kind))
		kind++;
	for (e = kind + strlen(kind); e > kind && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	name = kind + strcspn(kind, " \t");
	if (*name != '\0') {
		*name++ = '\0';
		while (isspace((unsigned char)*name))
			name++;
		n = strlen(name);
		if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
			name[n - 1] = '\0';
			name++;
		}
	}

	if (strcmp(kind, "daemon") == 0) {
		L->sect = SECT_DAEMON;
		L->sect_kind = "daemon";
		L->keys = daemon_keys;
		once = &L->daemon_line;
	} else if (strcmp(kind, "limits") == 0) {
		L->sect = SECT_LIMITS;
		L->sect_kind = "limits";
		L->keys = limits_keys;
		once = &L->limits_line;
	} else if (strcmp(kind, "api") == 0) {
		L->sect = SECT_API;
		L->sect_kind = "api";
		L->keys = api_keys;
		once = &L->api_line;
		c->api.line = L->lineno;
	} else if (strcmp(kind, "feed") == 0) {
		L->sect = SECT_FEED;
		L->sect_kind = "feed";
		L->keys = feed_keys;
	} else if (strcmp(kind, "sink") == 0) {
		L->sect = SECT_SINK;
		L->sect_kind = "sink";
		L->keys = sink_keys;
	} else if (strcmp(kind, "subscription") == 0) {
		L->sect = SECT_SUB;
		L->sect_kind = "subscription";
		L->keys = sub_keys;
	} else {
		cfg_fail(L, L->lineno, "unknown section [%s]", kind);
		L->sect = SECT_BAD;
		return;
	}

	if (once != NULL) {
		if (*name != '\0')
			cfg_fail(L, L->lineno, "[%s] takes no name", kind);
		else if (*once != 0)
			cfg_fail(L, L->lineno, "[%s] given twice (first at line %ld)", kind, *once);
		*once = L->lineno;
		return;
	}
	if (*name == '\0') {
		cfg_fail(L, L->lineno, "[%s] needs a name: [%s NAME]", kind, kind);
		L->sect = SECT_BAD;
		return;
	}
	if (!name_ok(name)) {
		cfg_fail(L, L->lineno, "bad name in [%s %s]: use letters, digits, '.', '_' and '-'",
		    kind, name);
		L->sect = SECT_BAD;
		return;
	}

#define SECT_ADD(arr, cnt, dupword)                                                                \
	do {                                                                                       \
		for (i = 0; i < c->cnt; i++)                                                       \
			if (strcmp(c->arr[i].name, name) == 0) {                                   \
				cfg_fail(L, L->lineno, "duplicate [%s %s] (first at line %ld)",    \
				    dupword, name, c->arr[i].line);                                \
				L->sect = SECT_BAD;                                                \
				return;                                                            \
			}                                                                          \
		if ((p = reallocarray(c->arr, c->cnt + 1, sizeof(*c->arr))) == NULL) {             \
			cfg_fail(L, L->lineno, "out of memory");                                   \
			L->sect = SECT_BAD;                                                        \
			return;                                                                    \
		}                                                                                  \
		c->arr = p;                                                                        \
		memset(&c->arr[c->cnt], 0, sizeof(*c->arr));                                       \
		c->arr[c->cnt].name = strdup(name);                                                \
		c->arr[c->cnt].file = strdup(L->file);                                             \
		c->arr[c->cnt].line = L->lineno;                                                   \
		c->cnt++;                                                                          \
		if (c->arr[c->cnt - 1].name == NULL || c->arr[c->cnt - 1].file == NULL) {          \
			cfg_fail(L, L->lineno, "out of memory");                                   \
			L->sect = SECT_BAD;                                                        \
			return;                                                                    \
		}                                                                                  \
	} while (0)

	switch (L->sect) {
	case SECT_FEED:
		SECT_ADD(feeds, nfeeds, "feed");
		break;
	case SECT_SINK:
		SECT_ADD(sinks, nsinks, "sink");
		break;
	default:
		SECT_ADD(subs, nsubs, "subscription");
		c->subs[c->nsubs - 1].filter.min = SEV_LOW;
		break;
	}
#undef SECT_ADD
}

/* --- values --- */

static int
set_str(struct cfg_load *L, char **dst, const char *v)
{
	free(*dst);
	if ((*dst = strdup(v)) == NULL) {
		cfg_fail(L, L->lineno, "out of memory");
		return -1;
	}
	return 0;
}

static int
set_path(struct cfg_load *L, char **dst, const char *v)
{
	free(*dst);
	if ((*dst = path_join(L->dir, v)) == NULL) {
		cfg_fail(L, L->lineno, "out of memory");
		return -1;
	}
	return 0;
}

static int
set_duration(
    struct cfg_load *L, const char *key, const char *v, int64_t min, int64_t max, int64_t *out)
{
	int64_t d = config_parse_duration(v);

	if (d < 0) {
		cfg_fail(L, L->lineno,
		    "bad duration '%s' for %s: use seconds, or a number with s, m, h or d", v, key);
		return -1;
	}
	if (d < min) {
		cfg_fail(L, L->lineno, "%s must be at least %llds", key, (long long)min);
		return -1;
	}
	if (d > max) {
		cfg_fail(L, L->lineno, "%s must be at most %llds", key, (long long)max);
		return -1;
	}
	*out = d;
	return 0;
}

static int
set_int_duration(struct cfg_load *L, const char *key, const char *v, int64_t min, int *out)
{
	int64_t d;

	if (set_duration(L, key, v, min, INT_MAX, &d) != 0)
		return -1;
	*out = (int)d;
	return 0;
}

static int
set_long_duration(struct cfg_load *L, const char *key, const char *v, int64_t min, long *out)
{
	int64_t d;

	if (set_duration(L, key, v, min, LONG_MAX, &d) != 0)
		return -1;
	*out = (long)d;
	return 0;
}

static int
set_number(struct cfg_load *L, const char *key, const char *v, long long min, long long max,
    long long *out)
{
	const char *errstr;
	long long n;

	n = strtonum(v, min, max, &errstr);
	if (errstr != NULL) {
		cfg_fail(L, L->lineno, "%s must be a number from %lld to %lld, not '%s'", key, min,
		    max, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int
set_size(struct cfg_load *L, const char *key, const char *v, int64_t min, int64_t *out)
{
	int64_t n = config_parse_size(v);

	if (n < 0) {
		cfg_fail(L, L->lineno,
		    "bad size '%s' for %s: use bytes, or a number with K, M or G", v, key);
		return -1;
	}
	if (n < min) {
		cfg_fail(L, L->lineno, "%s must be at least %lld bytes", key, (long long)min);
		return -1;
	}
	*out = n;
	return 0;
}

/* Splits a comma list, each item trimmed and checked by ok (NULL: any). */
static int
set_list(struct cfg_load *L, const char *key, const char *v, char ***list, size_t *n,
    int (*ok)(struct cfg_load *, const char *, char *))
{
	char *copy, *p, *item, *e;

	if ((copy = strdup(v)) == NULL) {
		cfg_fail(L, L->lineno, "out of memory");
		return -1;
	}
	for (p = copy; p != NULL;) {
		item = strsep(&p, ",");
		while (isspace((unsigned char)*item))
			item++;
		for (e = item + strlen(item); e > item && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (*item == '\0') {
			cfg_fail(L, L->lineno, "empty item in %s", key);
			break;
		}
		if (ok != NULL && ok(L, key, item) != 0)
			break;
		if (list_add(list, n, item) != 0) {
			cfg_fail(L, L->lineno, "out of memory");
			break;
		}
	}
	free(copy);
	return L->failed ? -1 : 0;
}

static int
category_ok(struct cfg_load *L, const char *key, char *item)
{
	size_t i;

	for (i = 0; categories[i] != NULL; i++)
		if (strcmp(item, categories[i]) == 0)
			return 0;
	cfg_fail(L, L->lineno, "unknown category '%s' in %s", item, key);
	return -1;
}

static int
country_ok(struct cfg_load *L, const char *key, char *item)
{
	if (!isalpha((unsigned char)item[0]) || !isalpha((unsigned char)item[1]) ||
	    item[2] != '\0') {
		cfg_fail(L, L->lineno, "'%s' in %s is not an ISO 3166-1 alpha-2 country code", item,
		    key);
		return -1;
	}
	item[0] = (char)toupper((unsigned char)item[0]);
	item[1] = (char)toupper((unsigned char)item[1]);
	return 0;
}

static int
address_ok(struct cfg_load *L, const char *key, char *item)
{
	if (strchr(item, '@') == NULL) {
		cfg_fail(L, L->lineno, "'%s' in %s is not an e-mail address", item, key);
		return -1;
	}
	return 0;
}

static int
daemon_key(struct cfg_load *L, const char *k, const char *v)
{
	struct config *c = L->cfg;
	long long n;

	if (strcmp(k, "state-directory") == 0)
		return set_path(L, &c->state_dir, v);
	if (strcmp(k, "rules") == 0)
		return set_path(L, &c->rules, v);
	if (strcmp(k, "rules-layer") == 0) {
		char *p = path_join(L->dir, v);

		if (p == NULL || list_add(&c->rules_layers, &c->nrules_layers, p) != 0) {
			free(p);
			cfg_fail(L, L->lineno, "out of memory");
			return -1;
		}
		free(p);
		return 0;
	}
	if (strcmp(k, "data") == 0)
		return set_path(L, &c->data_dir, v);
	if (strcmp(k, "cafile") == 0)
		return set_path(L, &c->cafile, v);
	if (strcmp(k, "opml") == 0)
		return set_path(L, &c->opml, v);
	if (strcmp(k, "log-level") == 0) {
		static const char *const lv[] = {"error", "warning", "info", "debug"};
		size_t i;

		for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
			if (strcmp(v, lv[i]) == 0) {
				c->log_level = (enum log_level)i;
				return 0;
			}
		cfg_fail(
		    L, L->lineno, "log-level must be error, warning, info or debug, not '%s'", v);
		return -1;
	}
	if (strcmp(k, "interval") == 0)
		return set_int_duration(L, k, v, 1, &c->interval_s);
	/* jitter */
	if (set_number(L, k, v, 0, 50, &n) != 0)
		return -1;
	c->jitter_pct = (int)n;
	return 0;
}

static int
limits_key(struct cfg_load *L, const char *k, const char *v)
{
	struct config *c = L->cfg;
	long long n;
	int64_t s;

	if (strcmp(k, "max-body") == 0) {
		if (set_size(L, k, v, 1, &s) != 0)
			return -1;
		c->max_body = (size_t)s;
		return 0;
	}
	if (strcmp(k, "state-max-size") == 0)
		return set_size(L, k, v, 0, &c->state_max_bytes);
	if (strcmp(k, "fetch-timeout") == 0)
		return set_long_duration(L, k, v, 1, &c->fetch_timeout_s);
	if (strcmp(k, "connect-timeout") == 0)
		return set_long_duration(L, k, v, 1, &c->connect_timeout_s);
	if (strcmp(k, "max-redirects") == 0) {
		if (set_number(L, k, v, 0, 20, &n) != 0)
			return -1;
		c->max_redirects = (long)n;
		return 0;
	}
	if (strcmp(k, "per-host") == 0 || strcmp(k, "max-transfers") == 0) {
		if (set_number(L, k, v, 1, 1024, &n) != 0)
			return -1;
		*(k[0] == 'p' ? &c->per_host : &c->max_transfers) = (int)n;
		return 0;
	}
	if (strcmp(k, "feed-backoff-max") == 0)
		return set_int_duration(L, k, v, 1, &c->backoff_max_s);
	if (strcmp(k, "retry-base") == 0)
		return set_int_duration(L, k, v, 1, &c->retry_base_s);
	if (strcmp(k, "retry-max") == 0)
		return set_int_duration(L, k, v, 1, &c->retry_max_s);
	if (strcmp(k, "dead-after") == 0)
		return set_int_duration(L, k, v, 1, &c->dead_after_s);
	if (strcmp(k, "retention") == 0)
		return set_duration(L, k, v, 1, INT64_MAX, &c->retention_s);
	/* drain */
	return set_int_duration(L, k, v, 0, &c->drain_s);
}

static int
feed_key(struct cfg_load *L, const char *k, const char *v)
{
	struct cfg_feed *f = &L->cfg->feeds[L->cfg->nfeeds - 1];
	char why[160];

	if (strcmp(k, "url") == 0) {
		if ((f->url = config_feed_url(v, L->dir, why, sizeof(why))) == NULL) {
			cfg_fail(L, L->lineno, "url in [feed %s] %s", f->name, why);
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "agency") == 0)
		return set_str(L, &f->agency, v);
	if (strcmp(k, "format") == 0) {
		if (fmt_from_name(v, &f->format) != 0) {
			cfg_fail(L, L->lineno, "unknown format '%s' in [feed %s]", v, f->name);
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "interval") == 0)
		return set_int_duration(L, k, v, 1, &f->interval_s);
	if (strcmp(k, "header") == 0) {
		/* The value may be a credential: the message never shows it. */
		if (!header_ok(v)) {
			cfg_fail(L, L->lineno, "header in [feed %s] is not 'Name: value'", f->name);
			return -1;
		}
		if (list_add(&f->headers, &f->nheaders, v) != 0) {
			cfg_fail(L, L->lineno, "out of memory");
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "client-cert") == 0)
		return set_path(L, &f->client_cert, v);
	return set_path(L, &f->client_key, v);
}

static int
sink_key(struct cfg_load *L, const char *k, const char *v)
{
	struct cfg_sink *s = &L->cfg->sinks[L->cfg->nsinks - 1];
	size_t i;

	if (strcmp(k, "type") == 0) {
		for (i = 0; i < sizeof(sink_type_names) / sizeof(sink_type_names[0]); i++)
			if (strcmp(v, sink_type_names[i]) == 0) {
				s->type = (enum sink_type)i;
				return 0;
			}
		cfg_fail(L, L->lineno,
		    "type of [sink %s] must be jsonl, text, journal, syslog, webhook or smtp, "
		    "not '%s'",
		    s->name, v);
		return -1;
	}
	if (strcmp(k, "path") == 0)
		return strcmp(v, "-") == 0 ? set_str(L, &s->path, v) : set_path(L, &s->path, v);
	if (strcmp(k, "url") == 0)
		return set_str(L, &s->url, v); /* checked at the section's end, knowing the type */
	if (strcmp(k, "secret") == 0) {
		if (!secret_ok(v)) {
			cfg_fail(L, L->lineno,
			    "secret in [sink %s] is not \"whsec_\" and the base64 of 24 to 64 "
			    "bytes",
			    s->name);
			return -1;
		}
		return set_str(L, &s->secret, v);
	}
	if (strcmp(k, "secret-file") == 0) {
		char *secret;

		if (set_path(L, &s->secret_file, v) != 0)
			return -1;
		if ((secret = secret_read(L, s->secret_file, s->name)) == NULL)
			return -1;
		if (!secret_ok(secret)) {
			cfg_fail(L, L->lineno,
			    "secret-file %s of [sink %s] does not hold \"whsec_\" and the base64 "
			    "of "
			    "24 to 64 bytes",
			    s->secret_file, s->name);
			explicit_bzero(secret, strlen(secret));
			free(secret);
			return -1;
		}
		free(s->secret);
		s->secret = secret;
		return 0;
	}
	if (strcmp(k, "header") == 0) {
		if (!header_ok(v)) {
			cfg_fail(L, L->lineno, "header in [sink %s] is not 'Name: value'", s->name);
			return -1;
		}
		if (list_add(&s->headers, &s->nheaders, v) != 0) {
			cfg_fail(L, L->lineno, "out of memory");
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "from") == 0) {
		if (strchr(v, '@') == NULL) {
			cfg_fail(
			    L, L->lineno, "from in [sink %s] is not an e-mail address", s->name);
			return -1;
		}
		return set_str(L, &s->from, v);
	}
	if (strcmp(k, "to") == 0)
		return set_list(L, k, v, &s->to, &s->nto, address_ok);
	if (strcmp(k, "username") == 0)
		return set_str(L, &s->username, v);
	if (strcmp(k, "password") == 0)
		return set_str(L, &s->password, v);
	if (strcmp(k, "digest") == 0)
		return set_int_duration(L, k, v, 0, &s->digest_s);
	return set_long_duration(L, k, v, 0, &s->timeout_s);
}

static int
sub_key(struct cfg_load *L, const char *k, const char *v)
{
	struct cfg_sub *s = &L->cfg->subs[L->cfg->nsubs - 1];
	struct sub_filter *f = &s->filter;

	if (strcmp(k, "sink") == 0) {
		if (!name_ok(v)) {
			cfg_fail(
			    L, L->lineno, "sink in [subscription %s] is not a sink name", s->name);
			return -1;
		}
		return set_str(L, &s->sink, v);
	}
	if (strcmp(k, "min-severity") == 0) {
		if (severity_from_name(v, &f->min) != 0) {
			cfg_fail(L, L->lineno,
			    "min-severity must be info, low, medium, high or critical, not '%s'",
			    v);
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "categories") == 0)
		return set_list(L, k, v, &f->categories, &f->ncategories, category_ok);
	if (strcmp(k, "agencies") == 0)
		return set_list(L, k, v, &f->agencies, &f->nagencies, NULL);
	if (strcmp(k, "destinations") == 0)
		return set_list(L, k, v, &f->destinations, &f->ndestinations, country_ok);
	return set_list(L, k, v, &f->sources, &f->nsources, country_ok);
}

int
config_split_listen(const char *addr, char *host, size_t hostlen, int *port)
{
	const char *colon, *errstr, *h = addr;
	size_t n;
	long long p;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = addr + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		if ((colon = strrchr(addr, ':')) == NULL || strchr(addr, ':') != colon)
			return -1;
		n = (size_t)(colon - addr);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	p = strtonum(colon + 1, 1, 65535, &errstr);
	if (errstr != NULL)
		return -1;
	*port = (int)p;
	return 0;
}

/* 127.0.0.0/8 and ::1 only: plain HTTP must never leave the machine. */
static int
listen_loopback(const char *addr)
{
	char host[256];
	struct in_addr a4;
	struct in6_addr a6;
	int port;

	if (config_split_listen(addr, host, sizeof(host), &port) != 0)
		return 0;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

static int
api_key(struct cfg_load *L, const char *k, const char *v)
{
	struct cfg_api *a = &L->cfg->api;
	char host[256];
	long long n;
	int64_t s;
	int port;

	if (strcmp(k, "listen") == 0) {
		if (config_split_listen(v, host, sizeof(host), &port) != 0) {
			cfg_fail(L, L->lineno,
			    "listen must be host:port or [v6-address]:port, not '%s'", v);
			return -1;
		}
		if (list_add(&a->listen, &a->nlisten, v) != 0) {
			cfg_fail(L, L->lineno, "out of memory");
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "tls-cert") == 0)
		return set_path(L, &a->tls_cert, v);
	if (strcmp(k, "tls-key") == 0)
		return set_path(L, &a->tls_key, v);
	if (strcmp(k, "client-ca") == 0)
		return set_path(L, &a->client_ca, v);
	if (strcmp(k, "client-role") == 0) {
		const char *sp = v + strcspn(v, " \t"), *r = sp + strspn(sp, " \t");
		struct cfg_api_role *p;
		size_t i;

		for (i = 0; i < 4; i++)
			if (*r != '\0' && strcmp(r, api_role_names[i]) == 0)
				break;
		if (sp == v || i == 4) {
			cfg_fail(L, L->lineno,
			    "client-role must be \"CN ROLE\" with ROLE employer, regulator, union "
			    "or admin, not '%s'",
			    v);
			return -1;
		}
		if ((p = reallocarray(a->roles, a->nroles + 1, sizeof(*p))) == NULL) {
			cfg_fail(L, L->lineno, "out of memory");
			return -1;
		}
		a->roles = p;
		if ((p[a->nroles].cn = strndup(v, (size_t)(sp - v))) == NULL) {
			cfg_fail(L, L->lineno, "out of memory");
			return -1;
		}
		p[a->nroles++].role = 1 << i;
		return 0;
	}
	if (strcmp(k, "plain-http") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
			cfg_fail(L, L->lineno, "plain-http must be yes or no, not '%s'", v);
			return -1;
		}
		a->plain_http = strcmp(v, "yes") == 0;
		return 0;
	}
	if (strcmp(k, "max-body") == 0 || strcmp(k, "max-header-size") == 0) {
		if (set_size(L, k, v, 1024, &s) != 0)
			return -1;
		*(k[4] == 'b' ? &a->max_body : &a->max_header_size) = (size_t)s;
		return 0;
	}
	if (strcmp(k, "request-timeout") == 0)
		return set_int_duration(L, k, v, 1, &a->request_timeout_s);
	if (strcmp(k, "max-connections") == 0) {
		if (set_number(L, k, v, 1, 65536, &n) != 0)
			return -1;
		a->max_connections = (int)n;
		return 0;
	}
	/* public-url */
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
		cfg_fail(L, L->lineno, "public-url must be an http or https URL, not '%s'", v);
		return -1;
	}
	return set_str(L, &a->public_url, v);
}

/* The whole [api] section: TLS unless plain HTTP on loopback only. */
static void
api_end(struct cfg_load *L)
{
	struct cfg_api *a = &L->cfg->api;
	size_t i;

	if (a->nlisten == 0)
		return;
	if (a->plain_http) {
		for (i = 0; i < a->nlisten; i++)
			if (!listen_loopback(a->listen[i])) {
				cfg_fail(L, seen(L, "plain-http"),
				    "plain-http = yes is refused: listen address %s is not "
				    "loopback "
				    "(127.0.0.0/8 or [::1])",
				    a->listen[i]);
				return;
			}
		if (a->client_ca != NULL)
			cfg_fail(L, seen(L, "client-ca"), "client-ca needs TLS (plain-http = no)");
	} else if (a->tls_cert == NULL || a->tls_key == NULL)
		cfg_fail(L, L->sect_line,
		    "[api] needs tls-cert and tls-key (or plain-http = yes on loopback "
		    "addresses)");
	if (a->nroles > 0 && a->client_ca == NULL)
		cfg_fail(L, seen(L, "client-role"), "client-role needs client-ca");
	if (a->public_url == NULL) {
		size_t n = strlen(a->listen[0]) + 9;

		if ((a->public_url = malloc(n)) == NULL) {
			cfg_fail(L, L->sect_line, "out of memory");
			return;
		}
		snprintf(
		    a->public_url, n, "%s://%s", a->plain_http ? "http" : "https", a->listen[0]);
	}
}

static int
strs_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

int
config_api_changed(const struct config *a, const struct config *b)
{
	const struct cfg_api *x = &a->api, *y = &b->api;
	size_t i;

	if (x->nlisten != y->nlisten || x->nroles != y->nroles || x->plain_http != y->plain_http ||
	    x->max_body != y->max_body || x->max_header_size != y->max_header_size ||
	    x->request_timeout_s != y->request_timeout_s ||
	    x->max_connections != y->max_connections || strs_differ(x->tls_cert, y->tls_cert) ||
	    strs_differ(x->tls_key, y->tls_key) || strs_differ(x->client_ca, y->client_ca) ||
	    strs_differ(x->public_url, y->public_url))
		return 1;
	for (i = 0; i < x->nlisten; i++)
		if (strcmp(x->listen[i], y->listen[i]) != 0)
			return 1;
	for (i = 0; i < x->nroles; i++)
		if (strcmp(x->roles[i].cn, y->roles[i].cn) != 0 ||
		    x->roles[i].role != y->roles[i].role)
			return 1;
	return 0;
}

static int
cfg_handler(void *user, const char *section, const char *key, const char *value)
{
	struct cfg_load *L = user;
	const char *v = value;
	char *unq = NULL;
	size_t n;
	int i, rc = -1;

	(void)section; /* the reader tracks sections itself */
	if (L->failed)
		return 0;
	if (L->sect == SECT_BAD)
		return 1;
	if (L->sect == SECT_NONE) {
		cfg_fail(L, L->lineno, "%s given outside any section", key);
		return 0;
	}
	if ((i = sect_key_index(L->keys, key)) < 0) {
		cfg_fail(L, L->lineno, "unknown key %s in [%s]", key, L->sect_kind);
		return 0;
	}
	if (L->seen[i] != 0 && !L->keys[i].repeatable) {
		cfg_fail(L, L->lineno, "key %s given twice in this section (first at line %ld)",
		    key, L->seen[i]);
		return 0;
	}
	L->seen[i] = L->lineno;
	if (strcmp(v, LONG_VALUE) == 0 && L->longval != NULL && L->longline == L->lineno)
		v = L->longval;
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		if ((unq = strndup(v + 1, n - 2)) == NULL) {
			cfg_fail(L, L->lineno, "out of memory");
			return 0;
		}
		v = unq;
	}
	if (*v == '\0')
		cfg_fail(L, L->lineno, "%s has no value", key);
	else {
		switch (L->sect) {
		case SECT_DAEMON:
			rc = daemon_key(L, key, v);
			break;
		case SECT_LIMITS:
			rc = limits_key(L, key, v);
			break;
		case SECT_FEED:
			rc = feed_key(L, key, v);
			break;
		case SECT_SINK:
			rc = sink_key(L, key, v);
			break;
		case SECT_API:
			rc = api_key(L, key, v);
			break;
		default:
			rc = sub_key(L, key, v);
			break;
		}
	}
	if (unq != NULL) {
		explicit_bzero(unq, strlen(unq));
		free(unq);
	}
	return rc == 0 ? 1 : 0;
}

/* libinih's reader: one whole line per call, so that its line count stays ours. It strips
 * leading blanks (an indented line is then never a libinih continuation line), starts sections,
 * and keeps aside the value of a line too long for libinih's fixed buffer. */
static char *
cfg_reader(char *buf, int num, void *stream)
{
	struct cfg_load *L = stream;
	ssize_t n;
	char *s, *e, *sep;

	if ((n = getline(&L->line, &L->linecap, L->fp)) < 0)
		return NULL;
	L->lineno++;
	s = L->line;
	if (L->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]);)
		*--e = '\0';

	if (*s == '\0' || *s == '#' || *s == ';') {
		strlcpy(buf, "", (size_t)num);
		return buf;
	}
	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL)
			cfg_fail(L, L->lineno, "section header has no closing ']'");
		else {
			*e = '\0';
			sect_begin(L, s + 1);
		}
		strlcpy(buf, "", (size_t)num); /* begun here, so libinih's view is not needed */
		return buf;
	}
	if ((sep = strpbrk(s, "=:")) == NULL) {
		cfg_fail(L, L->lineno, "expected 'key = value'");
		strlcpy(buf, "", (size_t)num);
		return buf;
	}
	if (strlen(s) + 2 <= (size_t)num) {
		snprintf(buf, (size_t)num, "%s\n", s);
		return buf;
	}
	/* Too long for libinih: the value is kept here, an inline comment cut as libinih would. */
	free(L->longval);
	for (e = sep + 1; *e != '\0'; e++)
		if (*e == ';' && isspace((unsigned char)e[-1])) {
			*e = '\0';
			break;
		}
	for (e = sep + 1 + strlen(sep + 1); e > sep + 1 && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	for (e = sep + 1; isspace((unsigned char)*e); e++)
		;
	L->longval = strdup(e);
	L->longline = L->lineno;
	if (L->longval == NULL ||
	    snprintf(buf, (size_t)num, "%.*s= %s\n", (int)(sep - s), s, LONG_VALUE) >= num) {
		cfg_fail(L, L->lineno, "line too long");
		strlcpy(buf, "", (size_t)num);
	}
	return buf;
}

static struct config *
config_new(const char *path)
{
	struct config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->path = strdup(path);
	c->state_dir = strdup(CONFIG_DEFAULT_STATE_DIR);
	if (c->path == NULL || c->state_dir == NULL) {
		config_free(c);
		return NULL;
	}
	c->log_level = LOG_LVL_INFO;
	c->interval_s = 15 * 60;
	c->jitter_pct = 10;
	c->max_body = 64 * 1024 * 1024;
	c->fetch_timeout_s = 120;
	c->connect_timeout_s = 30;
	c->max_redirects = 5;
	c->per_host = 2;
	c->max_transfers = 16;
	c->backoff_max_s = 6 * 3600;
	c->retry_base_s = 10;
	c->retry_max_s = 3600;
	c->dead_after_s = 3 * 86400;
	c->retention_s = (int64_t)365 * 86400;
	c->state_max_bytes = 0;
	c->drain_s = 10;
	c->api.max_body = 4 * 1024 * 1024;
	c->api.max_header_size = 16 * 1024;
	c->api.request_timeout_s = 30;
	c->api.max_connections = 256;
	return c;
}

/* What needs the whole file: sinks named by subscriptions, limits that depend on each other. */
static void
config_check(struct cfg_load *L)
{
	struct config *c = L->cfg;
	size_t i;

	for (i = 0; i < c->nsubs && !L->failed; i++)
		if (config_sink(c, c->subs[i].sink) == NULL)
			cfg_fail(L, c->subs[i].line,
			    "[subscription %s] names sink %s, which is not "
			    "defined in this file",
			    c->subs[i].name, c->subs[i].sink);
	if (!L->failed && c->retry_base_s > c->retry_max_s)
		cfg_fail(L, L->limits_line, "retry-base (%ds) is longer than retry-max (%ds)",
		    c->retry_base_s, c->retry_max_s);
}

struct config *
config_load(const char *path, struct rw_error *err)
{
	struct cfg_load L;
	char *copy, *dir;
	int rc;

	memset(&L, 0, sizeof(L));
	L.file = path;
	L.err = err;
	rw_error_clear(err);
	if ((L.fp = fopen(path, "re")) == NULL) {
		rw_error_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if ((copy = strdup(path)) == NULL || (dir = dirname(copy)) == NULL ||
	    (L.dir = realpath(dir, NULL)) == NULL) {
		rw_error_set(err, path, 0, 0, "cannot resolve its directory: %s", strerror(errno));
		free(copy);
		fclose(L.fp);
		return NULL;
	}
	free(copy);
	if ((L.cfg = config_new(path)) == NULL) {
		rw_error_set(err, path, 0, 0, "out of memory");
		free(L.dir);
		fclose(L.fp);
		return NULL;
	}

	rc = ini_parse_stream(cfg_reader, &L, cfg_handler, &L);
	sect_end(&L);
	if (rc > 0 && (!L.failed || rc < L.err->line)) {
		L.failed = 0;
		cfg_fail(&L, rc, "syntax error");
	} else if (rc < 0 && !L.failed)
		cfg_fail(&L, 0, rc == -2 ? "out of memory" : "cannot read: %s", strerror(errno));
	fclose(L.fp);
	free(L.line);
	if (L.longval != NULL)
		explicit_bzero(L.longval, strlen(L.longval));
	free(L.longval);

	if (!L.failed)
		config_check(&L);
	if (!L.failed && L.cfg->opml != NULL && opml_read(L.cfg->opml, L.cfg, err) != 0)
		L.failed = 1;
	free(L.dir);
	if (L.failed) {
		config_free(L.cfg);
		return NULL;
	}
	return L.cfg;
}

static void
free_secret(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nfeeds; i++) {
		struct cfg_feed *f = &c->feeds[i];

		free(f->name);
		free(f->url);
		free(f->agency);
		while (f->nheaders > 0)
			free_secret(f->headers[--f->nheaders]);
		free(f->headers);
		free(f->client_cert);
		free(f->client_key);
		free(f->file);
	}
	free(c->feeds);
	for (i = 0; i < c->nsinks; i++) {
		struct cfg_sink *s = &c->sinks[i];

		free(s->name);
		free(s->path);
		free(s->url);
		free_secret(s->secret);
		free(s->secret_file);
		while (s->nheaders > 0)
			free_secret(s->headers[--s->nheaders]);
		free(s->headers);
		free(s->from);
		free_list(s->to, s->nto);
		free(s->username);
		free_secret(s->password);
		free(s->file);
	}
	free(c->sinks);
	for (i = 0; i < c->nsubs; i++) {
		struct cfg_sub *s = &c->subs[i];

		free(s->name);
		free(s->sink);
		free_list(s->filter.categories, s->filter.ncategories);
		free_list(s->filter.agencies, s->filter.nagencies);
		free_list(s->filter.destinations, s->filter.ndestinations);
		free_list(s->filter.sources, s->filter.nsources);
		free(s->file);
	}
	free(c->subs);
	free_list(c->api.listen, c->api.nlisten);
	free(c->api.tls_cert);
	free(c->api.tls_key);
	free(c->api.client_ca);
	for (i = 0; i < c->api.nroles; i++)
		free(c->api.roles[i].cn);
	free(c->api.roles);
	free(c->api.public_url);
	free(c->path);
	free(c->state_dir);
	free(c->rules);
	free_list(c->rules_layers, c->nrules_layers);
	free(c->data_dir);
	free(c->cafile);
	free(c->opml);
	free(c);
}

const struct cfg_sink *
config_sink(const struct config *c, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < c->nsinks; i++)
		if (strcmp(c->sinks[i].name, name) == 0)
			return &c->sinks[i];
	return NULL;
}
