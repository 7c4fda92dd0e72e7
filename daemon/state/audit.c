/* Agencies and their audit: queries over findings and items grouped by the agency's slug (an
 * SQL function of ours, so that every query stays a bound statement), and the CSV export. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>
#include <jansson.h>

#include "audit.h"

#define AUDIT_NO_END INT64_MAX

void
audit_slug(const char *name, char *out, size_t outlen)
{
	size_t n = 0;
	int dash = 0;

	if (outlen == 0)
		return;
	for (; name != NULL && *name != '\0' && n + 1 < outlen; name++) {
		unsigned char c = (unsigned char)*name;

		/* only ASCII: a UTF-8 byte is a separator like any other punctuation */
		if (c < 0x80 && isalnum(c)) {
			if (dash && n > 0) {
				if (n + 2 >= outlen)
					break;
				out[n++] = '-';
			}
			dash = 0;
			out[n++] = (char)tolower(c);
		} else
			dash = 1;
	}
	out[n] = '\0';
}

static void
audit_slug_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s = sqlite3_value_text(argv[0]);
	char slug[256];

	if (s == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	audit_slug((const char *)s, slug, sizeof(slug));
	sqlite3_result_text(ctx, slug, -1, SQLITE_TRANSIENT);
}

/* The slug function on this connection; registering again only replaces it. */
static int
audit_register(struct db *db, struct rw_error *err)
{
	if (sqlite3_create_function_v2(db_handle(db), "rw_audit_slug", 1,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, audit_slug_fn, NULL, NULL,
		NULL) != SQLITE_OK)
		return db_fail(db, err, "registering the agency slug function");
	return 0;
}

/* ?1: NULL for every agency, else one slug. */
#define AUDIT_AGENCIES_SQL                                                                         \
	"WITH ia AS (SELECT rw_audit_slug(agency) AS slug, min(agency) AS name, count(*) AS n, "   \
	"max(last_seen) AS seen FROM items WHERE agency IS NOT NULL GROUP BY 1), "                 \
	"fa AS (SELECT rw_audit_slug(agency) AS slug, min(agency) AS name, "                       \
	"sum(status = 'open') AS o, sum(status = 'resolved') AS r, "                               \
	"max(max(updated_at, coalesce(resolved_at, 0))) AS seen FROM findings "                    \
	"WHERE agency IS NOT NULL GROUP BY 1), "                                                   \
	"s AS (SELECT slug, name FROM ia UNION ALL SELECT slug, name FROM fa) "                    \
	"SELECT s.slug, min(s.name), coalesce(max(ia.n), 0), coalesce(max(fa.o), 0), "             \
	"coalesce(max(fa.r), 0), max(coalesce(max(ia.seen), 0), coalesce(max(fa.seen), 0)) "       \
	"FROM s LEFT JOIN ia ON ia.slug = s.slug LEFT JOIN fa ON fa.slug = s.slug "                \
	"WHERE s.slug <> '' AND (?1 IS NULL OR s.slug = ?1) GROUP BY s.slug ORDER BY s.slug"

static int
audit_agencies_query(struct db *db, const char *id, int (*cb)(const struct audit_agency *, void *),
    void *arg, struct rw_error *err)
{
	struct audit_agency a;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (audit_register(db, err) == -1)
		return -1;
	if ((st = db_prepare(db, err, "listing agencies", AUDIT_AGENCIES_SQL, "t", id)) == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "listing agencies")) == 1) {
		memset(&a, 0, sizeof(a));
		db_column_copy(st, 0, a.id, sizeof(a.id));
		db_column_copy(st, 1, a.name, sizeof(a.name));
		a.items = sqlite3_column_int64(st, 2);
		a.open = sqlite3_column_int64(st, 3);
		a.resolved = sqlite3_column_int64(st, 4);
		a.last_seen = sqlite3_column_int64(st, 5);
		n++;
		if (cb(&a, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == -1 ? -1 : n;
}

int
audit_agencies(
    struct db *db, int (*cb)(const struct audit_agency *, void *), void *arg, struct rw_error *err)
{
	return audit_agencies_query(db, NULL, cb, arg, err) == -1 ? -1 : 0;
}

static int
audit_copy_agency(const struct audit_agency *a, void *arg)
{
	*(struct audit_agency *)arg = *a;
	return 1;
}

int
audit_agency_get(struct db *db, const char *id, struct audit_agency *out, struct rw_error *err)
{
	int n;

	/* an empty id would match nothing anyway; say so without a query */
	if (id == NULL || *id == '\0')
		return 0;
	if ((n = audit_agencies_query(db, id, audit_copy_agency, out, err)) == -1)
		return -1;
	return n > 0 ? 1 : 0;
}

static void
audit_evidence_clear(struct audit_evidence *e)
{
	size_t i;

	free(e->message);
	free(e->title);
	free(e->guid);
	free(e->url);
	for (i = 0; i < e->ntexts; i++)
		free(e->texts[i]);
	free(e->texts);
	memset(e, 0, sizeof(*e));
}

void
audit_report_clear(struct audit_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nevidence; i++)
		audit_evidence_clear(&r->evidence[i]);
	free(r->evidence);
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}

static char *
audit_dup(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = 1;
	return d;
}

/* The evidence texts of a stored finding body, and the title and origin of its document. */
static int
audit_fill_evidence(struct audit_evidence *e, sqlite3_stmt *st)
{
	const char *body = (const char *)sqlite3_column_text(st, 8);
	const char *title = (const char *)sqlite3_column_text(st, 9);
	const char *doc = (const char *)sqlite3_column_text(st, 10);
	json_t *b = body != NULL ? json_loads(body, 0, NULL) : NULL;
	json_t *d = doc != NULL ? json_loads(doc, 0, NULL) : NULL;
	json_t *ev = json_object_get(b, "evidence"), *x, *origin;
	const char *t;
	int fail = 0;
	size_t i;

	e->message = audit_dup((const char *)sqlite3_column_text(st, 7), &fail);
	if (title == NULL)
		title = json_string_value(json_object_get(d, "title"));
	e->title = audit_dup(title, &fail);
	origin = json_object_get(d, "origin");
	e->guid = audit_dup(json_string_value(json_object_get(origin, "guid")), &fail);
	e->url = audit_dup(json_string_value(json_object_get(origin, "url")), &fail);
	if (json_is_array(ev) && json_array_size(ev) > 0 &&
	    (e->texts = calloc(json_array_size(ev), sizeof(*e->texts))) == NULL)
		fail = 1;
	for (i = 0; e->texts != NULL && i < json_array_size(ev); i++) {
		x = json_array_get(ev, i);
		t = json_string_value(json_object_get(x, "text"));
		if (t != NULL && (e->texts[e->ntexts] = audit_dup(t, &fail)) != NULL)
			e->ntexts++;
	}
	json_decref(b);
	json_decref(d);
	return fail ? -1 : 0;
}

static int
audit_buckets(struct db *db, const char *id, int64_t since, int64_t until, struct audit_report *r,
    struct rw_error *err)
{
	struct audit_bucket *v;
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, err, "reading findings by month",
	    "SELECT category, strftime('%Y-%m', opened_at, 'unixepoch') AS month, count(*), "
	    "sum(status = 'resolved') FROM findings WHERE rw_audit_slug(agency) = ? "
	    "AND opened_at >= ? AND opened_at < ? GROUP BY month, category "
	    "ORDER BY month, category",
	    "tII", id, since, until);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "reading findings by month")) == 1) {
		if ((v = reallocarray(r->buckets, r->nbuckets + 1, sizeof(*v))) == NULL) {
			rw_error_set(err, db_path(db), 0, 0, "out of memory");
			rc = -1;
			break;
		}
		r->buckets = v;
		v = &r->buckets[r->nbuckets++];
		memset(v, 0, sizeof(*v));
		db_column_copy(st, 0, v->category, sizeof(v->category));
		db_column_copy(st, 1, v->month, sizeof(v->month));
		v->opened = sqlite3_column_int64(st, 2);
		v->resolved = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == -1 ? -1 : 0;
}

static int
audit_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Open and resolved totals and the time to resolve, over the evidence list. */
static int
audit_totals(struct audit_report *r)
{
	int64_t *d, sum = 0;
	size_t i, n = 0;

	if ((d = calloc(r->nevidence + 1, sizeof(*d))) == NULL)
		return -1;
	for (i = 0; i < r->nevidence; i++) {
		const struct audit_evidence *e = &r->evidence[i];

		if (strcmp(e->status, "resolved") == 0) {
			r->resolved++;
			d[n] = e->resolved_at - e->opened_at;
			sum += d[n++];
		} else
			r->open++;
	}
	r->ttr_count = n;
	if (n > 0) {
		qsort(d, n, sizeof(*d), audit_cmp_i64);
		r->ttr_median_days = (n % 2 == 1 ? (double)d[n / 2]
						 : ((double)d[n / 2 - 1] + (double)d[n / 2]) / 2) /
		    86400.0;
		r->ttr_mean_days = (double)sum / (double)n / 86400.0;
	}
	free(d);
	return 0;
}

int
audit_report(struct db *db, const char *agency_id, int64_t since, int64_t until,
    struct audit_report *r, struct rw_error *err)
{
	struct audit_evidence *v;
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = audit_agency_get(db, agency_id, &r->agency, err)) != 1)
		return rc;
	r->since = since;
	r->until = until;
	if (until <= 0)
		until = AUDIT_NO_END;
	if (audit_buckets(db, agency_id, since, until, r, err) == -1)
		goto fail;
	st = db_prepare(db, err, "reading the evidence",
	    "SELECT f.id, f.rule, f.category, f.severity, f.status, f.opened_at, "
	    "coalesce(f.resolved_at, 0), f.message, f.body, i.title, i.document "
	    "FROM findings f LEFT JOIN items i ON i.id = f.item_id "
	    "WHERE rw_audit_slug(f.agency) = ? AND f.opened_at >= ? AND f.opened_at < ? "
	    "ORDER BY f.opened_at, f.id",
	    "tII", agency_id, since, until);
	if (st == NULL)
		goto fail;
	while ((rc = db_step(db, st, err, "reading the evidence")) == 1) {
		if ((v = reallocarray(r->evidence, r->nevidence + 1, sizeof(*v))) == NULL) {
			rc = -1;
			rw_error_set(err, db_path(db), 0, 0, "out of memory");
			break;
		}
		r->evidence = v;
		v = &r->evidence[r->nevidence++];
		memset(v, 0, sizeof(*v));
		db_column_copy(st, 0, v->id, sizeof(v->id));
		db_column_copy(st, 1, v->rule, sizeof(v->rule));
		db_column_copy(st, 2, v->category, sizeof(v->category));
		db_column_copy(st, 3, v->severity, sizeof(v->severity));
		db_column_copy(st, 4, v->status, sizeof(v->status));
		v->opened_at = sqlite3_column_int64(st, 5);
		v->resolved_at = sqlite3_column_int64(st, 6);
		if (audit_fill_evidence(v, st) == -1) {
			rc = -1;
			rw_error_set(err, db_path(db), 0, 0, "out of memory");
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == -1)
		goto fail;
	if (audit_totals(r) == -1) {
		rw_error_set(err, db_path(db), 0, 0, "out of memory");
		goto fail;
	}
	return 1;
fail:
	audit_report_clear(r);
	return -1;
}

void
audit_time_str(int64_t t, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, outlen, "%FT%TZ", &tm) == 0)
		strlcpy(out, "", outlen);
}

char *
audit_csv_field(const char *s)
{
	size_t len, i, n = 0;
	int formula, quote;
	char *out;

	if (s == NULL)
		s = "";
	len = strlen(s);
	/* =, +, - and @ start formulas; tab and CR do too in some spreadsheets (OWASP) */
	formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	quote = strpbrk(s, ",\"\r\n") != NULL;
	/* at worst every byte a doubled quote, plus the ', the two quotes and the NUL */
	if ((out = malloc(2 * len + 4)) == NULL)
		return NULL;
	if (quote)
		out[n++] = '"';
	if (formula)
		out[n++] = '\'';
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			out[n++] = '"';
		out[n++] = s[i];
	}
	if (quote)
		out[n++] = '"';
	out[n] = '\0';
	return out;
}

static int
audit_csv_put(FILE *f, const char *s, int last)
{
	char *q = audit_csv_field(s);
	int rc;

	if (q == NULL)
		return -1;
	rc = fputs(q, f) == EOF || fputs(last ? "\r\n" : ",", f) == EOF ? -1 : 0;
	free(q);
	return rc;
}

char *
audit_csv(const struct audit_report *r, size_t *len)
{
	static const char *const head[] = {"id", "rule", "category", "severity", "status",
	    "opened_at", "resolved_at", "title", "guid", "url", "message", "evidence"};
	char *buf = NULL, opened[32], resolved[32], *texts;
	size_t i, j, n, tl;
	int rc = 0;
	FILE *f;

	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	n = sizeof(head) / sizeof(head[0]);
	for (i = 0; i < n && rc == 0; i++)
		rc = audit_csv_put(f, head[i], i + 1 == n);
	for (i = 0; i < r->nevidence && rc == 0; i++) {
		const struct audit_evidence *e = &r->evidence[i];
		const char *cols[11];

		for (j = 0, tl = 1; j < e->ntexts; j++)
			tl += strlen(e->texts[j]) + 3;
		if ((texts = malloc(tl)) == NULL) {
			rc = -1;
			break;
		}
		texts[0] = '\0';
		for (j = 0; j < e->ntexts; j++) {
			if (j > 0)
				strlcat(texts, " | ", tl);
			strlcat(texts, e->texts[j], tl);
		}
		audit_time_str(e->opened_at, opened, sizeof(opened));
		audit_time_str(e->resolved_at, resolved, sizeof(resolved));
		cols[0] = e->id;
		cols[1] = e->rule;
		cols[2] = e->category;
		cols[3] = e->severity;
		cols[4] = e->status;
		cols[5] = opened;
		cols[6] = resolved;
		cols[7] = e->title;
		cols[8] = e->guid;
		cols[9] = e->url;
		cols[10] = e->message;
		for (j = 0; j < 11 && rc == 0; j++)
			rc = audit_csv_put(f, cols[j], 0);
		if (rc == 0)
			rc = audit_csv_put(f, texts, 1);
		free(texts);
	}
	if (fclose(f) == EOF || rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
