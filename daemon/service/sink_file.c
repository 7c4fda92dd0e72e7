/* JSON lines and text lines to a file or standard output: an alert counts as delivered once
 * its line is written and, for a regular file, on disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink_internal.h"

static int
sink_file_open(struct sink *s, struct rw_error *err)
{
	struct stat st;

	if (s->path == NULL || s->path[0] == '\0') {
		rw_error_set(err, s->file, s->line, 0, "sink %s: no path", s->name);
		return -1;
	}
	if (strcmp(s->path, "-") == 0) {
		s->out = stdout;
		return 0;
	}
	if ((s->fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) == -1) {
		rw_error_set(err, s->path, 0, 0, "sink %s: cannot open for appending: %s", s->name,
		    strerror(errno));
		return -1;
	}
	/* a FIFO or a terminal cannot be synced */
	s->sync = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
	return 0;
}

static void
sink_file_close(struct sink *s)
{
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	if (s->out != NULL)
		fflush(s->out);
	s->out = NULL;
}

/* Appends one line per row to buf: compact JSON, or the text line. */
static int
sink_file_format(struct sink *s, const struct outbox_row *row, FILE *buf, char *msg, size_t msglen)
{
	json_t *j;
	char *line;

	if ((j = sink_alert_load(row, msg, msglen)) == NULL)
		return -1;
	if (s->type == SINK_JSONL)
		line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	else
		line = sink_alert_line(j);
	json_decref(j);
	if (line == NULL) {
		snprintf(msg, msglen, "event %s: out of memory", row->event_id);
		return -1;
	}
	fputs(line, buf);
	fputc('\n', buf);
	free(line);
	return 0;
}

static int
sink_file_write(struct sink *s, const char *data, size_t len, char *msg, size_t msglen)
{
	ssize_t n;
	size_t off = 0;

	if (s->out != NULL) {
		if (fwrite(data, 1, len, s->out) != len || fflush(s->out) != 0) {
			snprintf(msg, msglen, "standard output: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	while (off < len) {
		if ((n = write(s->fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(msg, msglen, "%s: %s", s->path, strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	if (s->sync && fdatasync(s->fd) == -1) {
		snprintf(msg, msglen, "%s: fdatasync: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
sink_file_deliver(struct sink *s, const struct outbox_row *rows, size_t n, sink_done_cb done,
    void *arg, struct rw_error *err)
{
	char msg[512] = "", *data = NULL;
	size_t len = 0, i;
	FILE *buf;
	int ok = 0, permanent = 0;

	/* The rows are written in one go, so a digest is all on disk or retried whole. */
	if ((buf = open_memstream(&data, &len)) == NULL) {
		rw_error_set(err, s->path, 0, 0, "sink %s: out of memory", s->name);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (sink_file_format(s, &rows[i], buf, msg, sizeof(msg)) != 0) {
			/* a payload that is not JSON will not become JSON on a retry */
			permanent = 1;
			break;
		}
	}
	if (fclose(buf) != 0 && i == n) {
		snprintf(msg, sizeof(msg), "out of memory");
		i = 0;
	}
	if (i == n)
		ok = sink_file_write(s, data, len, msg, sizeof(msg)) == 0;
	free(data);
	done(ok, ok ? 0 : permanent, ok ? "" : msg, arg);
	return 0;
}

const struct sink_ops sink_file_ops = {
    sink_file_open,
    sink_file_close,
    sink_file_deliver,
};
