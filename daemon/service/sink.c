/* Sinks: the dispatch to each kind, and what the kinds share (the alert's text line, the
 * transfers in flight of webhooks and mail). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "sink_internal.h"

#define SINK_SECRET_MAX 1024

static char *
sink_strdup(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = 1;
	return d;
}

static char **
sink_strvdup(char *const *v, size_t n, int *fail)
{
	char **d;
	size_t i;

	if (n == 0)
		return NULL;
	if ((d = calloc(n, sizeof(*d))) == NULL) {
		*fail = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		d[i] = sink_strdup(v[i], fail);
	return d;
}

static void
sink_strvfree(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
sink_freestr(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* The secret itself, or the first line of secret_file; the message never quotes either. */
static int
sink_read_secret(struct sink *s, const struct cfg_sink *cfg, struct rw_error *err)
{
	char buf[SINK_SECRET_MAX + 2];
	ssize_t n;
	size_t len = 0;
	int fd;

	if (cfg->secret != NULL) {
		if ((s->secret = strdup(cfg->secret)) == NULL)
			goto nomem;
		return 0;
	}
	if (cfg->secret_file == NULL)
		return 0;
	if ((fd = open(cfg->secret_file, O_RDONLY | O_CLOEXEC)) == -1) {
		rw_error_set(err, cfg->secret_file, 0, 0,
		    "sink %s: cannot open the secret file: %s", s->name, strerror(errno));
		return -1;
	}
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	len = strlen(buf);
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	if (len == 0 || len > SINK_SECRET_MAX) {
		explicit_bzero(buf, sizeof(buf));
		rw_error_set(err, cfg->secret_file, 0, 0,
		    "sink %s: the secret file holds no secret on its first line", s->name);
		return -1;
	}
	s->secret = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (s->secret == NULL)
		goto nomem;
	return 0;
nomem:
	rw_error_set(err, cfg->file, cfg->line, 0, "sink %s: out of memory", s->name);
	return -1;
}

struct sink *
sink_new(const struct cfg_sink *cfg, struct fetcher *fetcher, struct rw_error *err)
{
	struct sink *s;
	int fail = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rw_error_set(err, cfg->file, cfg->line, 0, "out of memory");
		return NULL;
	}
	s->fd = -1;
	TAILQ_INIT(&s->jobs);
	s->type = cfg->type;
	s->fetcher = fetcher;
	s->digest_s = cfg->digest_s;
	s->timeout_s = cfg->timeout_s;
	s->line = cfg->line;
	s->name = sink_strdup(cfg->name != NULL ? cfg->name : "", &fail);
	s->file = sink_strdup(cfg->file, &fail);
	s->path = sink_strdup(cfg->path, &fail);
	s->url = sink_strdup(cfg->url, &fail);
	s->from = sink_strdup(cfg->from, &fail);
	s->username = sink_strdup(cfg->username, &fail);
	s->password = sink_strdup(cfg->password, &fail);
	s->headers = sink_strvdup(cfg->headers, cfg->nheaders, &fail);
	s->nheaders = s->headers != NULL ? cfg->nheaders : 0;
	s->to = sink_strvdup(cfg->to, cfg->nto, &fail);
	s->nto = s->to != NULL ? cfg->nto : 0;
	if (fail) {
		rw_error_set(err, cfg->file, cfg->line, 0, "sink %s: out of memory", s->name);
		goto fail;
	}
	switch (cfg->type) {
	case SINK_JSONL:
	case SINK_TEXT:
		s->ops = &sink_file_ops;
		break;
	case SINK_JOURNAL:
		s->ops = &sink_journal_ops;
		break;
	case SINK_SYSLOG:
		s->ops = &sink_syslog_ops;
		break;
	case SINK_WEBHOOK:
		s->ops = &sink_webhook_ops;
		break;
	case SINK_SMTP:
		s->ops = &sink_smtp_ops;
		break;
	default:
		rw_error_set(err, cfg->file, cfg->line, 0, "sink %s: unknown type %d", s->name,
		    (int)cfg->type);
		goto fail;
	}
	if ((s->type == SINK_WEBHOOK || s->type == SINK_SMTP) && fetcher == NULL) {
		rw_error_set(
		    err, cfg->file, cfg->line, 0, "sink %s: no fetcher to send with", s->name);
		goto fail;
	}
	if (s->type == SINK_WEBHOOK && sink_read_secret(s, cfg, err) != 0)
		goto fail;
	if (s->ops->open(s, err) != 0)
		goto fail;
	return s;
fail:
	s->ops = NULL;
	sink_free(s);
	return NULL;
}

void
sink_free(struct sink *s)
{
	struct sink_job *j;

	if (s == NULL)
		return;
	while ((j = TAILQ_FIRST(&s->jobs)) != NULL) {
		TAILQ_REMOVE(&s->jobs, j, entry);
		fetch_cancel(j->fetch);
		free(j);
	}
	if (s->ops != NULL)
		s->ops->close(s);
	free(s->name);
	free(s->file);
	free(s->path);
	free(s->url);
	sink_freestr(s->secret);
	sink_strvfree(s->headers, s->nheaders);
	free(s->from);
	sink_strvfree(s->to, s->nto);
	free(s->username);
	sink_freestr(s->password);
	free(s);
}

const char *
sink_name(const struct sink *s)
{
	return s->name;
}

int
sink_digest_interval(const struct sink *s)
{
	return s->type == SINK_SMTP && s->digest_s > 0 ? s->digest_s : 0;
}

int
sink_deliver(struct sink *s, const struct outbox_row *rows, size_t n, sink_done_cb done, void *arg,
    struct rw_error *err)
{
	if (n == 0 || rows == NULL) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: nothing to deliver", s->name);
		return -1;
	}
	/* the local kinds write any number; a webhook is one event per request */
	if (n > 1 && (s->type == SINK_WEBHOOK || (s->type == SINK_SMTP && s->digest_s <= 0))) {
		rw_error_set(
		    err, s->file, s->line, 0, "sink %s: delivers one alert at a time", s->name);
		return -1;
	}
	return s->ops->deliver(s, rows, n, done, arg, err);
}

size_t
sink_busy(const struct sink *s)
{
	return s->busy;
}

json_t *
sink_alert_load(const struct outbox_row *row, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *j;

	if (row->payload == NULL) {
		snprintf(msg, msglen, "event %s has no payload", row->event_id);
		return NULL;
	}
	if ((j = json_loads(row->payload, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(
		    msg, msglen, "event %s: payload is not JSON: %s", row->event_id, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(msg, msglen, "event %s: payload is not a JSON object", row->event_id);
		return NULL;
	}
	return j;
}

const char *
sink_json_str(const json_t *obj, const char *key, const char *def)
{
	const json_t *v;

	if (obj == NULL || (v = json_object_get(obj, key)) == NULL || !json_is_string(v))
		return def;
	return json_string_value(v);
}

json_t *
sink_alert_finding(const json_t *alert)
{
	const char *id = sink_json_str(alert, "finding_id", NULL);
	json_t *fs, *f;
	size_t i;

	fs = json_object_get(alert, "findings");
	if (!json_is_array(fs) || json_array_size(fs) == 0)
		return NULL;
	if (id != NULL) {
		json_array_foreach(fs, i, f)
		{
			if (strcmp(sink_json_str(f, "id", ""), id) == 0)
				return f;
		}
	}
	f = json_array_get(fs, 0);
	return json_is_object(f) ? f : NULL;
}

void
sink_blank_controls(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

void
sink_strip_crlf(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (*s != '\r' && *s != '\n')
			*d++ = *s;
	}
	*d = '\0';
}

char *
sink_alert_line(const json_t *alert)
{
	const json_t *doc = json_object_get(alert, "document");
	const json_t *f = sink_alert_finding(alert);
	const char *status = sink_json_str(alert, "status", "open");
	const char *reason = sink_json_str(alert, "reason", "");
	const char *type = sink_json_str(alert, "type", "");
	char *line;
	int rc;

	/* An opened finding needs no reason; a change or a resolution says what happened. */
	if (reason[0] != '\0' && strcmp(type, "finding.opened") != 0)
		rc = asprintf(&line, "%s %s %s [%s] %s \u2014 %s: %s (%s: %s)",
		    sink_json_str(alert, "timestamp", "-"), sink_json_str(f, "severity", "-"),
		    sink_json_str(f, "rule", "-"), sink_json_str(f, "category", "-"),
		    sink_json_str(doc, "agency", "-"), sink_json_str(doc, "title", "-"),
		    sink_json_str(f, "message", "-"), status, reason);
	else
		rc = asprintf(&line, "%s %s %s [%s] %s \u2014 %s: %s (%s)",
		    sink_json_str(alert, "timestamp", "-"), sink_json_str(f, "severity", "-"),
		    sink_json_str(f, "rule", "-"), sink_json_str(f, "category", "-"),
		    sink_json_str(doc, "agency", "-"), sink_json_str(doc, "title", "-"),
		    sink_json_str(f, "message", "-"), status);
	if (rc < 0)
		return NULL;
	sink_blank_controls(line);
	return line;
}

int
sink_priority(const char *severity)
{
	static const struct {
		const char *name;
		int prio;
	} map[] = {{"critical", 2}, {"high", 3}, {"medium", 4}, {"low", 5}, {"info", 6}};
	size_t i;

	for (i = 0; severity != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(severity, map[i].name) == 0)
			return map[i].prio;
	}
	return 6;
}

static void
sink_scrub_one(char *msg, const char *secret)
{
	static const char mask[] = "***";
	size_t slen;
	char *p;

	/* A very short secret would blank ordinary words, and says little anyway. */
	if (secret == NULL || (slen = strlen(secret)) < 3)
		return;
	while ((p = strstr(msg, secret)) != NULL) {
		memmove(p + sizeof(mask) - 1, p + slen, strlen(p + slen) + 1);
		memcpy(p, mask, sizeof(mask) - 1);
	}
}

void
sink_scrub(const struct sink *s, char *msg, size_t msglen)
{
	const char *key;

	if (msg == NULL || msglen == 0)
		return;
	msg[msglen - 1] = '\0';
	sink_scrub_one(msg, s->password);
	sink_scrub_one(msg, s->secret);
	/* the key alone, without its "whsec_" prefix */
	if (s->secret != NULL && (key = strchr(s->secret, '_')) != NULL)
		sink_scrub_one(msg, key + 1);
}

static int
sink_job_data(const char *data, size_t len, void *arg, struct rw_error *err)
{
	return 0; /* a receiver's answer is not kept */
}

static void
sink_job_done(const struct fetch_result *r, void *arg)
{
	struct sink_job *j = arg;
	struct sink *s = j->sink;
	sink_done_cb done = j->done;
	void *darg = j->arg;
	char msg[1024] = "";
	int ok, permanent = 0;

	TAILQ_REMOVE(&s->jobs, j, entry);
	s->busy--;
	ok = j->judge(s, r, &permanent, msg, sizeof(msg));
	free(j);
	sink_scrub(s, msg, sizeof(msg));
	/* last: done may free the sink */
	done(ok, ok ? 0 : permanent, ok ? "" : msg, darg);
}

int
sink_job_start(struct sink *s, const struct fetch_req *req,
    int (*judge)(struct sink *, const struct fetch_result *, int *, char *, size_t),
    sink_done_cb done, void *arg, struct rw_error *err)
{
	struct sink_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: out of memory", s->name);
		return -1;
	}
	j->sink = s;
	j->judge = judge;
	j->done = done;
	j->arg = arg;
	if ((j->fetch = fetch_start(s->fetcher, req, sink_job_data, sink_job_done, j, err)) ==
	    NULL) {
		free(j);
		if (err != NULL) {
			sink_scrub(s, err->source, sizeof(err->source));
			sink_scrub(s, err->msg, sizeof(err->msg));
		}
		return -1;
	}
	TAILQ_INSERT_TAIL(&s->jobs, j, entry);
	s->busy++;
	return 0;
}
