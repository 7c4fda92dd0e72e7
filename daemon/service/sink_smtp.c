/* E-mail: one RFC 5322 message per alert, or one digest of the alerts of an interval, handed to
 * an SMTP server through the fetcher; the server accepting it acknowledges the alerts. */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <bsd/string.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "sink_internal.h"

/* RFC 5322 allows 998 octets a line; longer text is continued on the next. */
#define SMTP_LINE_MAX 900
/* RFC 2047: an encoded-word is at most 75 characters, "=?UTF-8?B?" and "?=" take 12, which
 * leaves 60 of base64 for 45 bytes of text. */
#define SMTP_WORD_BYTES 45

/* "Name <addr>" or "addr" -> "<addr>" for the envelope. */
static char *
smtp_envelope(const char *addr)
{
	const char *lt, *gt;
	char *out;

	if ((lt = strrchr(addr, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		if (asprintf(&out, "%.*s", (int)(gt - lt + 1), lt) < 0)
			return NULL;
		return out;
	}
	addr += strspn(addr, " \t");
	if (asprintf(&out, "<%.*s>", (int)strcspn(addr, " \t"), addr) < 0)
		return NULL;
	return out;
}

/* The credentials go into the URL, URL-encoded, where libcurl takes them from. */
static int
smtp_url(struct sink *s, struct rw_error *err)
{
	CURLU *u;
	char *out = NULL;
	int rc = -1;

	if (s->username == NULL) {
		if ((s->mail_url = strdup(s->url)) == NULL)
			goto nomem;
		return 0;
	}
	if ((u = curl_url()) == NULL)
		goto nomem;
	if (curl_url_set(u, CURLUPART_URL, s->url, 0) != CURLUE_OK) {
		rw_error_set(
		    err, s->file, s->line, 0, "sink %s: %s is not a valid URL", s->name, s->url);
		goto out;
	}
	if (curl_url_set(u, CURLUPART_USER, s->username, CURLU_URLENCODE) != CURLUE_OK ||
	    (s->password != NULL &&
		curl_url_set(u, CURLUPART_PASSWORD, s->password, CURLU_URLENCODE) != CURLUE_OK) ||
	    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: cannot put the credentials in %s",
		    s->name, s->url);
		goto out;
	}
	if ((s->mail_url = strdup(out)) == NULL) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: out of memory", s->name);
		goto out;
	}
	rc = 0;
out:
	if (out != NULL) {
		explicit_bzero(out, strlen(out));
		curl_free(out);
	}
	curl_url_cleanup(u);
	return rc;
nomem:
	rw_error_set(err, s->file, s->line, 0, "sink %s: out of memory", s->name);
	return -1;
}

static int
sink_smtp_open(struct sink *s, struct rw_error *err)
{
	size_t i;

	if (s->url == NULL ||
	    (strncasecmp(s->url, "smtp://", 7) != 0 && strncasecmp(s->url, "smtps://", 8) != 0)) {
		rw_error_set(
		    err, s->file, s->line, 0, "sink %s: the url is not smtp(s)://", s->name);
		return -1;
	}
	if (s->from == NULL || s->nto == 0) {
		rw_error_set(err, s->file, s->line, 0, "sink %s: needs from and to", s->name);
		return -1;
	}
	sink_strip_crlf(s->from);
	for (i = 0; i < s->nto; i++)
		sink_strip_crlf(s->to[i]);
	if (smtp_url(s, err) != 0)
		return -1;
	if ((s->env_rcpt = calloc(s->nto, sizeof(*s->env_rcpt))) == NULL ||
	    (s->env_from = smtp_envelope(s->from)) == NULL)
		goto nomem;
	for (i = 0; i < s->nto; i++) {
		if ((s->env_rcpt[i] = smtp_envelope(s->to[i])) == NULL)
			goto nomem;
	}
	return 0;
nomem:
	rw_error_set(err, s->file, s->line, 0, "sink %s: out of memory", s->name);
	return -1;
}

static void
sink_smtp_close(struct sink *s)
{
	size_t i;

	if (s->mail_url != NULL) {
		explicit_bzero(s->mail_url, strlen(s->mail_url));
		free(s->mail_url);
	}
	free(s->env_from);
	for (i = 0; s->env_rcpt != NULL && i < s->nto; i++)
		free(s->env_rcpt[i]);
	free(s->env_rcpt);
}

/* A header value with CR and LF taken out, so it cannot start another header. */
static void
smtp_header(FILE *m, const char *name, const char *value)
{
	fprintf(m, "%s: ", name);
	for (; *value != '\0'; value++) {
		if (*value != '\r' && *value != '\n')
			fputc(*value, m);
	}
	fputs("\r\n", m);
}

/* Subject as RFC 2047 encoded-words when it is not plain ASCII, never splitting a UTF-8
 * sequence between two words. */
static void
smtp_subject(FILE *m, const char *subject)
{
	unsigned char b64[4 * ((SMTP_WORD_BYTES + 2) / 3) + 1];
	const unsigned char *p;
	size_t len, n;
	int plain = 1;

	for (p = (const unsigned char *)subject; *p != '\0'; p++) {
		if (*p >= 0x80 || *p < 0x20)
			plain = 0;
	}
	if (plain) {
		smtp_header(m, "Subject", subject);
		return;
	}
	fputs("Subject:", m);
	p = (const unsigned char *)subject;
	len = strlen(subject);
	while (len > 0) {
		n = len < SMTP_WORD_BYTES ? len : SMTP_WORD_BYTES;
		while (n < len && n > 1 && (p[n] & 0xc0) == 0x80)
			n--;
		EVP_EncodeBlock(b64, p, (int)n);
		fprintf(m, " =?UTF-8?B?%s?=%s", b64, n < len ? "\r\n" : "");
		p += n;
		len -= n;
	}
	fputs("\r\n", m);
}

/* One logical line of the body, control characters blanked, continued on further lines
 * when longer than a mail line may be; ends with CRLF. */
static void
smtp_body_line(FILE *m, const char *indent, const char *text)
{
	size_t len = strlen(text), n, i;

	for (;;) {
		n = len;
		if (n > SMTP_LINE_MAX) {
			/* at the last space, else between two UTF-8 sequences */
			for (n = SMTP_LINE_MAX; n > SMTP_LINE_MAX / 2 && text[n] != ' '; n--)
				;
			if (text[n] != ' ')
				for (n = SMTP_LINE_MAX;
				     n > 1 && ((unsigned char)text[n] & 0xc0) == 0x80; n--)
					;
		}
		fputs(indent, m);
		for (i = 0; i < n; i++)
			fputc((unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i], m);
		fputs("\r\n", m);
		text += n;
		len -= n;
		if (len > 0 && *text == ' ') {
			text++;
			len--;
		}
		if (len == 0)
			break;
		indent = "    ";
	}
}

/* A body line under the alert's line; -1 when out of memory. */
static int smtp_body_item(FILE *, const char *, ...) __attribute__((format(printf, 2, 3)));

static int
smtp_body_item(FILE *m, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	smtp_body_line(m, "  ", buf);
	free(buf);
	return 0;
}

/* The alert's line, then its document link, evidence, citations and advice. */
static int
smtp_body_alert(FILE *m, const json_t *alert, const char *line)
{
	const json_t *f = sink_alert_finding(alert), *v, *origin;
	size_t i;
	int rc = 0;

	smtp_body_line(m, "", line);
	origin = json_object_get(json_object_get(alert, "document"), "origin");
	if (sink_json_str(origin, "url", NULL) != NULL)
		rc |= smtp_body_item(m, "document: %s", sink_json_str(origin, "url", ""));
	json_array_foreach(json_object_get(f, "evidence"), i, v)
	{
		rc |= smtp_body_item(m, "evidence: %s: \"%s\"", sink_json_str(v, "path", "-"),
		    sink_json_str(v, "text", ""));
	}
	json_array_foreach(json_object_get(f, "cite"), i, v)
	{
		rc |= smtp_body_item(m, "cite: %s %s", sink_json_str(v, "instrument", "-"),
		    sink_json_str(v, "article", ""));
	}
	if (sink_json_str(f, "advice", NULL) != NULL)
		rc |= smtp_body_item(m, "what to do: %s", sink_json_str(f, "advice", ""));
	return rc;
}

static int
smtp_date(char *buf, size_t len, time_t now)
{
	locale_t c;
	struct tm tm;
	size_t n;

	/* day and month names in English whatever the daemon's locale */
	if ((c = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		return -1;
	gmtime_r(&now, &tm);
	n = strftime_l(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm, c);
	freelocale(c);
	return n > 0 ? 0 : -1;
}

/* The whole message into *out; -1 with msg when a payload is unusable. */
static int
smtp_message(struct sink *s, const struct outbox_row *rows, size_t n, char **out, size_t *outlen,
    char *msg, size_t msglen)
{
	json_t **alerts;
	char **lines, date[64], *subject = NULL, *msgid = NULL;
	const json_t *f, *doc;
	FILE *m = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	alerts = calloc(n, sizeof(*alerts));
	lines = calloc(n, sizeof(*lines));
	if (alerts == NULL || lines == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((alerts[i] = sink_alert_load(&rows[i], msg, msglen)) == NULL) {
			rc = -2;
			goto out;
		}
		if ((lines[i] = sink_alert_line(alerts[i])) == NULL) {
			snprintf(msg, msglen, "out of memory");
			goto out;
		}
	}
	f = sink_alert_finding(alerts[0]);
	doc = json_object_get(alerts[0], "document");
	if (n > 1) {
		if (asprintf(&subject, "[recruitwatch] %zu alerts", n) < 0)
			subject = NULL;
		if (asprintf(&msgid, "<%s-digest@recruitwatch>", rows[0].event_id) < 0)
			msgid = NULL;
	} else {
		/* a resolution says so where the severity would be */
		if (asprintf(&subject, "[recruitwatch] %s: %s \u2014 %s",
			strcmp(sink_json_str(alerts[0], "status", ""), "resolved") == 0
			    ? "resolved"
			    : sink_json_str(f, "severity", "alert"),
			sink_json_str(f, "rule", "-"), sink_json_str(doc, "title", "-")) < 0)
			subject = NULL;
		if (asprintf(&msgid, "<%s@recruitwatch>", rows[0].event_id) < 0)
			msgid = NULL;
	}
	if (subject != NULL)
		sink_blank_controls(subject); /* a title's newline would end up in the header */
	if (subject == NULL || msgid == NULL || smtp_date(date, sizeof(date), time(NULL)) != 0 ||
	    (m = open_memstream(out, outlen)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	smtp_header(m, "Date", date);
	smtp_header(m, "From", s->from);
	fputs("To: ", m);
	for (i = 0; i < s->nto; i++)
		fprintf(m, "%s%s", i > 0 ? ",\r\n " : "", s->to[i]);
	fputs("\r\n", m);
	smtp_subject(m, subject);
	smtp_header(m, "Message-ID", msgid);
	smtp_header(m, "MIME-Version", "1.0");
	smtp_header(m, "Content-Type", "text/plain; charset=utf-8");
	smtp_header(m, "Content-Transfer-Encoding", "8bit");
	/* RFC 3834: no vacation replies to alerts */
	smtp_header(m, "Auto-Submitted", "auto-generated");
	fputs("\r\n", m);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs("\r\n", m);
		if (smtp_body_alert(m, alerts[i], lines[i]) != 0)
			break;
	}
	if (i < n || ferror(m)) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (m != NULL && fclose(m) != 0 && rc == 0) {
		snprintf(msg, msglen, "out of memory");
		rc = -1;
	}
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	for (i = 0; i < n; i++) {
		if (alerts != NULL)
			json_decref(alerts[i]);
		if (lines != NULL)
			free(lines[i]);
	}
	free(alerts);
	free(lines);
	free(subject);
	free(msgid);
	return rc;
}

static int
sink_smtp_judge(
    struct sink *s, const struct fetch_result *r, int *permanent, char *msg, size_t msglen)
{
	if (r->ok)
		return 1;
	/* named by the configured URL, which never holds the credentials */
	snprintf(msg, msglen, "%s: %s", s->url, r->err.msg);
	return 0;
}

static int
sink_smtp_deliver(struct sink *s, const struct outbox_row *rows, size_t n, sink_done_cb done,
    void *arg, struct rw_error *err)
{
	struct fetch_req req;
	char msg[512] = "", *mail;
	size_t len;
	int rc;

	if ((rc = smtp_message(s, rows, n, &mail, &len, msg, sizeof(msg))) != 0) {
		/* -2: a payload that is not JSON will not become JSON on a retry */
		if (rc == -2) {
			done(0, 1, msg, arg);
			return 0;
		}
		rw_error_set(err, s->url, 0, 0, "sink %s: %s", s->name, msg);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.url = s->mail_url;
	req.body = mail;
	req.bodylen = len;
	req.timeout_s = s->timeout_s;
	req.mail_from = s->env_from;
	req.mail_rcpt = (const char *const *)s->env_rcpt;
	req.nrcpt = s->nto;
	rc = sink_job_start(s, &req, sink_smtp_judge, done, arg, err);
	free(mail);
	if (rc != 0 && err != NULL) {
		/* the fetcher saw the URL with the credentials: name the configured one */
		strlcpy(msg, err->msg, sizeof(msg));
		rw_error_set(err, s->url, 0, 0, "%s", msg);
	}
	return rc;
}

const struct sink_ops sink_smtp_ops = {
    sink_smtp_open,
    sink_smtp_close,
    sink_smtp_deliver,
};
