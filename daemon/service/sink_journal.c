/* Alerts to the systemd journal, with structured RECRUITWATCH_* fields to filter on, or to
 * syslog as one line at the severity's priority. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "sink_internal.h"

/* sd_journal_send drops messages silently when journald's socket is missing, which would
 * acknowledge an alert nobody received. */
#define SINK_JOURNAL_SOCKET "/run/systemd/journal/socket"

enum { SINK_JOURNAL_NFIELDS = 13 };

static int
sink_journal_open(struct sink *s, struct rw_error *err)
{
	return 0;
}

static void
sink_journal_close(struct sink *s)
{
}

/* fields[*n] = "NAME=value" with control characters blanked; skipped when value is NULL. */
static int
sink_journal_field(char **fields, size_t *n, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	if (asprintf(&fields[*n], "%s=%s", name, value) < 0) {
		fields[*n] = NULL;
		return -1;
	}
	sink_blank_controls(fields[*n]);
	(*n)++;
	return 0;
}

/* 0 sent, -1 not (retry), -2 never will be. */
static int
sink_journal_one(const struct outbox_row *row, char *msg, size_t msglen)
{
	char *fields[SINK_JOURNAL_NFIELDS], *line = NULL, prio[16];
	struct iovec iov[SINK_JOURNAL_NFIELDS];
	const json_t *f, *doc, *origin;
	size_t n = 0, i;
	json_t *j;
	int rc = -1, fail = 0;

	if ((j = sink_alert_load(row, msg, msglen)) == NULL)
		return -2;
	f = sink_alert_finding(j);
	doc = json_object_get(j, "document");
	origin = json_object_get(doc, "origin");
	if ((line = sink_alert_line(j)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	snprintf(prio, sizeof(prio), "%d", sink_priority(sink_json_str(f, "severity", NULL)));
	fail |= sink_journal_field(fields, &n, "MESSAGE", line);
	fail |= sink_journal_field(fields, &n, "PRIORITY", prio);
	fail |= sink_journal_field(fields, &n, "SYSLOG_IDENTIFIER", "recruitwatchd");
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_EVENT_ID", sink_json_str(j, "id", row->event_id));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_EVENT_TYPE", sink_json_str(j, "type", row->type));
	fail |= sink_journal_field(fields, &n, "RECRUITWATCH_RULE", sink_json_str(f, "rule", NULL));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_CATEGORY", sink_json_str(f, "category", NULL));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_SEVERITY", sink_json_str(f, "severity", NULL));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_FINDING_ID", sink_json_str(j, "finding_id", NULL));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_AGENCY", sink_json_str(doc, "agency", NULL));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_DOCUMENT_ID", sink_json_str(doc, "id", NULL));
	fail |= sink_journal_field(
	    fields, &n, "RECRUITWATCH_SOURCE", sink_json_str(origin, "source", NULL));
	if (fail) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = fields[i];
		iov[i].iov_len = strlen(fields[i]);
	}
	if (access(SINK_JOURNAL_SOCKET, W_OK) != 0) {
		snprintf(msg, msglen, "the journal is not reachable (%s)", SINK_JOURNAL_SOCKET);
		goto out;
	}
	if ((rc = sd_journal_sendv(iov, (int)n)) < 0) {
		snprintf(msg, msglen, "the journal is not reachable: %s", strerror(-rc));
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(fields[i]);
	free(line);
	json_decref(j);
	return rc;
}

static int
sink_journal_deliver(struct sink *s, const struct outbox_row *rows, size_t n, sink_done_cb done,
    void *arg, struct rw_error *err)
{
	char msg[512] = "";
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if ((rc = sink_journal_one(&rows[i], msg, sizeof(msg))) != 0)
			break;
	}
	/* -2: the payload is not JSON, and will not be on a retry */
	done(rc == 0, rc == -2, rc == 0 ? "" : msg, arg);
	return 0;
}

const struct sink_ops sink_journal_ops = {
    sink_journal_open,
    sink_journal_close,
    sink_journal_deliver,
};

static int
sink_syslog_open(struct sink *s, struct rw_error *err)
{
	/* openlog again is harmless: the identity and facility are the same for every sink */
	openlog("recruitwatchd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

static int
sink_syslog_deliver(struct sink *s, const struct outbox_row *rows, size_t n, sink_done_cb done,
    void *arg, struct rw_error *err)
{
	char msg[512] = "", *line;
	size_t i;
	json_t *j;
	int permanent = 0;

	/* syslog(3) cannot say whether the line arrived: written is acknowledged */
	for (i = 0; i < n; i++) {
		if ((j = sink_alert_load(&rows[i], msg, sizeof(msg))) == NULL) {
			permanent = 1;
			break;
		}
		line = sink_alert_line(j);
		if (line != NULL)
			syslog(
			    sink_priority(sink_json_str(sink_alert_finding(j), "severity", NULL)),
			    "%s", line);
		json_decref(j);
		if (line == NULL) {
			snprintf(msg, sizeof(msg), "out of memory");
			break;
		}
		free(line);
	}
	done(i == n, i == n ? 0 : permanent, i == n ? "" : msg, arg);
	return 0;
}

const struct sink_ops sink_syslog_ops = {
    sink_syslog_open,
    sink_journal_close,
    sink_syslog_deliver,
};
