/* What the sink kinds share: the sink itself, its table of operations, the reading of an alert
 * and its one-line text form, and the transfers in flight of the network kinds. */
#ifndef RW_SINK_INTERNAL_H
#define RW_SINK_INTERNAL_H

#include <stdio.h>
#include <sys/queue.h>

#include <jansson.h>

#include "sink.h"

struct sink_ops {
	int (*open)(struct sink *, struct rw_error *);
	void (*close)(struct sink *);
	int (*deliver)(struct sink *, const struct outbox_row *, size_t, sink_done_cb, void *,
	    struct rw_error *);
};

/* A transfer in flight; the sink's list lets sink_free cancel it. judge turns the result
 * into ok / permanent / msg. */
struct sink_job {
	struct sink *sink;
	struct fetch *fetch;
	int (*judge)(
	    struct sink *, const struct fetch_result *, int *permanent, char *msg, size_t msglen);
	sink_done_cb done;
	void *arg;
	TAILQ_ENTRY(sink_job) entry;
};
TAILQ_HEAD(sink_jobs, sink_job);

struct sink {
	const struct sink_ops *ops;
	enum sink_type type;
	char *name;
	char *file; /* where the [sink] section is, for errors */
	long line;
	/* copies of the configuration: a reload frees it while deliveries may still run */
	char *path;
	char *url;
	char *secret;
	char **headers;
	size_t nheaders;
	char *from;
	char **to;
	size_t nto;
	char *username, *password;
	int digest_s;
	/* smtp: the url with the credentials in it, and the envelope's addresses */
	char *mail_url;
	char *env_from;
	char **env_rcpt;
	long timeout_s;
	struct fetcher *fetcher;
	/* jsonl, text */
	int fd;
	FILE *out;
	int sync; /* a regular file: fdatasync after each write */
	struct sink_jobs jobs;
	size_t busy;
};

extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_journal_ops;
extern const struct sink_ops sink_syslog_ops;
extern const struct sink_ops sink_webhook_ops;
extern const struct sink_ops sink_smtp_ops;

/* The row's payload parsed; NULL with a message in msg when it is not a JSON object. */
json_t *sink_alert_load(const struct outbox_row *, char *msg, size_t msglen);
/* The finding the alert is about: the one of "findings" whose id is "finding_id", else the
 * first; NULL when there is none. */
json_t *sink_alert_finding(const json_t *alert);
/* A string member of obj (NULL-safe), else def. */
const char *sink_json_str(const json_t *obj, const char *key, const char *def);
/* "TIMESTAMP SEVERITY RULE [category] agency — title: message (status)", one line with
 * control characters blanked; NULL on allocation failure. */
char *sink_alert_line(const json_t *alert);
/* syslog priority of a severity: critical 2, high 3, medium 4, low 5, info (and unknown) 6. */
int sink_priority(const char *severity);
/* Replaces CR, LF and other control characters with spaces, in place. */
void sink_blank_controls(char *);
/* Removes CR and LF, in place: what goes into a mail or HTTP header cannot start another. */
void sink_strip_crlf(char *);
/* Takes every occurrence of the sink's secret and password out of msg. */
void sink_scrub(const struct sink *, char *msg, size_t msglen);

/* Starts req for one delivery and tracks it; -1 with err when it could not start. */
int sink_job_start(struct sink *, const struct fetch_req *,
    int (*judge)(struct sink *, const struct fetch_result *, int *, char *, size_t),
    sink_done_cb done, void *arg, struct rw_error *err);

#endif
