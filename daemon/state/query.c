/* Reading findings back for the HTTP API: a filter turned into SQL with bound parameters only,
 * keyset pagination by (updated_at, id), one finding's history, the event log for Atom. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "query.h"

/* Design §6: the categories a finding can carry. */
static const char *const qy_categories[] = {"active-recruitment-ssl", "worker-fees",
    "repayment-clause", "document-retention", "contract-transparency", "unequal-treatment",
    "working-conditions", "wage-deductions", "restricted-mobility", "deceptive-recruitment",
    "recruiter-transparency", NULL};

/* Enough for every list of a filter at its longest. */
#define QY_BINDS (5 * QUERY_LIST_MAX + 16)
#define QY_SQL 8192

/* A statement being built: SQL text holding only placeholders, and the values they take. */
struct qy_sql {
	char sql[QY_SQL];
	struct {
		const char *s; /* NULL: the integer */
		int64_t i;
	} b[QY_BINDS];
	size_t nb;
	int overflow;
};

/* The finding's columns, in the order qy_finding_row reads them. */
#define QY_FINDING_COLUMNS                                                                         \
	"f.id, f.rule, f.category, f.severity, f.status, f.message, f.opened_at, f.updated_at, "   \
	"COALESCE(f.resolved_at, 0), f.agency, f.destinations, f.sources, f.item_id, fe.name, "    \
	"i.guid, i.title, f.body, i.document"
#define QY_FINDING_JOIN " JOIN items i ON i.id = f.item_id JOIN feeds fe ON fe.id = i.feed_id"
#define QY_EVENT_COLUMNS                                                                           \
	"e.seq, e.id, e.type, e.finding_id, e.at, "                                                \
	"COALESCE(CASE WHEN json_valid(e.payload) THEN json_extract(e.payload, '$.reason') END, "  \
	"''), e.payload"
#define QY_EVENT_NCOLUMNS 7

void
query_filter_init(struct query_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->status = QUERY_ANY;
	f->min = SEV_INFO;
}

static void
qy_list_clear(struct query_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
query_filter_clear(struct query_filter *f)
{
	if (f == NULL)
		return;
	qy_list_clear(&f->categories);
	qy_list_clear(&f->agencies);
	qy_list_clear(&f->feeds);
	qy_list_clear(&f->destinations);
	qy_list_clear(&f->sources);
	query_filter_init(f);
}

int
query_list_add(struct query_list *l, const char *what, const char *value, struct rw_error *err)
{
	char **nv, *s;

	if (l->n >= QUERY_LIST_MAX) {
		rw_error_set(err, what, 0, 0, "more than %d values", QUERY_LIST_MAX);
		return -1;
	}
	if ((s = strdup(value)) == NULL ||
	    (nv = reallocarray(l->v, l->n + 1, sizeof(*nv))) == NULL) {
		free(s);
		rw_error_set(err, what, 0, 0, "out of memory");
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = s;
	return 0;
}

int
query_category_known(const char *s)
{
	size_t i;

	for (i = 0; qy_categories[i] != NULL; i++)
		if (strcmp(qy_categories[i], s) == 0)
			return 1;
	return 0;
}

static int
qy_country_ok(const char *s)
{
	return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

int
query_filter_check(const struct query_filter *f, struct rw_error *err)
{
	size_t i;

	if (f->status != QUERY_ANY && f->status != QUERY_OPEN && f->status != QUERY_RESOLVED) {
		rw_error_set(err, "status", 0, 0, "not open, resolved or any");
		return -1;
	}
	if (f->min < SEV_INFO || f->min > SEV_CRITICAL) {
		rw_error_set(err, "severity", 0, 0, "not a severity");
		return -1;
	}
	if (f->limit < 0 || f->limit > QUERY_LIMIT_MAX) {
		rw_error_set(
		    err, "limit", 0, 0, "%d is not between 1 and %d", f->limit, QUERY_LIMIT_MAX);
		return -1;
	}
	for (i = 0; i < f->categories.n; i++)
		if (!query_category_known(f->categories.v[i])) {
			rw_error_set(
			    err, "category", 0, 0, "unknown category \"%s\"", f->categories.v[i]);
			return -1;
		}
	for (i = 0; i < f->destinations.n; i++)
		if (!qy_country_ok(f->destinations.v[i])) {
			rw_error_set(err, "destination", 0, 0,
			    "\"%s\" is not an ISO 3166-1 alpha-2 code", f->destinations.v[i]);
			return -1;
		}
	for (i = 0; i < f->sources.n; i++)
		if (!qy_country_ok(f->sources.v[i])) {
			rw_error_set(err, "source", 0, 0,
			    "\"%s\" is not an ISO 3166-1 alpha-2 code", f->sources.v[i]);
			return -1;
		}
	return 0;
}

static int
qy_strcmp(const void *a, const void *b)
{
	return strcmp(
	    json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* The list as a sorted JSON array without duplicates; fold lower-cases (ASCII) first. */
static json_t *
qy_canonical_list(const struct query_list *l, int fold)
{
	json_t **v, *a;
	size_t i, n = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	if (l->n == 0)
		return a;
	if ((v = calloc(l->n, sizeof(*v))) == NULL) {
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < l->n; i++) {
		char *s = strdup(l->v[i]), *p;

		if (s == NULL)
			break;
		for (p = s; fold && *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		v[n] = json_string(s);
		free(s);
		if (v[n] == NULL)
			break;
		n++;
	}
	qsort(v, n, sizeof(*v), qy_strcmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || qy_strcmp(&v[i - 1], &v[i]) != 0)
			json_array_append(a, v[i]);
	}
	for (i = 0; i < n; i++)
		json_decref(v[i]);
	free(v);
	if (n != l->n) {
		json_decref(a);
		return NULL;
	}
	return a;
}

char *
query_filter_canonical(const struct query_filter *f)
{
	static const char *const status[] = {"any", "open", "resolved"};
	json_t *j;
	char *s;

	j = json_pack("{s:s, s:s, s:o*, s:o*, s:o*, s:o*, s:o*, s:I, s:I}", "status",
	    status[f->status], "min-severity", severity_name(f->min), "categories",
	    qy_canonical_list(&f->categories, 0), "agencies", qy_canonical_list(&f->agencies, 1),
	    "feeds", qy_canonical_list(&f->feeds, 0), "destinations",
	    qy_canonical_list(&f->destinations, 0), "sources", qy_canonical_list(&f->sources, 0),
	    "since", (json_int_t)f->since, "until", (json_int_t)f->until);
	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

int
query_cursor_encode(int64_t updated_at, const char *id, char *out, size_t len)
{
	unsigned char raw[96], enc[4 * (sizeof(raw) / 3 + 1) + 1];
	size_t i, n;
	int rawlen, m;

	rawlen = snprintf((char *)raw, sizeof(raw), "%lld:%s", (long long)updated_at, id);
	if (rawlen < 0 || (size_t)rawlen >= sizeof(raw))
		return -1;
	m = EVP_EncodeBlock(enc, raw, rawlen);
	if (m < 0)
		return -1;
	/* base64url without padding: safe in a query string as it is. */
	for (i = n = 0; i < (size_t)m && enc[i] != '='; i++) {
		if (n + 1 >= len)
			return -1;
		out[n++] = enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : (char)enc[i];
	}
	out[n] = '\0';
	return 0;
}

int
query_cursor_decode(
    const char *s, int64_t *updated_at, char *id, size_t idlen, struct rw_error *err)
{
	unsigned char in[QUERY_CURSOR_MAX + 4], raw[QUERY_CURSOR_MAX];
	size_t i, n = strlen(s), pad;
	const char *errstr = NULL, *p;
	char num[24];
	int m;

	if (n == 0 || n >= QUERY_CURSOR_MAX || n % 4 == 1)
		goto bad;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '_')
			goto bad;
		in[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	pad = (4 - n % 4) % 4;
	for (i = 0; i < pad; i++)
		in[n + i] = '=';
	in[n + pad] = '\0';
	if ((m = EVP_DecodeBlock(raw, in, (int)(n + pad))) < 0 || (size_t)m < pad)
		goto bad;
	/* EVP_DecodeBlock counts the bytes the padding stands for. */
	m -= (int)pad;
	raw[m] = '\0';
	if (memchr(raw, '\0', (size_t)m) != NULL || (p = strchr((char *)raw, ':')) == NULL ||
	    p == (char *)raw || (size_t)(p - (char *)raw) >= sizeof(num))
		goto bad;
	memcpy(num, raw, (size_t)(p - (char *)raw));
	num[p - (char *)raw] = '\0';
	for (i = 0; num[i] != '\0'; i++)
		if (!isdigit((unsigned char)num[i]))
			goto bad;
	*updated_at = strtonum(num, 0, INT64_MAX, &errstr);
	if (errstr != NULL || p[1] == '\0' || strlen(p + 1) >= idlen)
		goto bad;
	for (i = 1; p[i] != '\0'; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			goto bad;
	strlcpy(id, p + 1, idlen);
	return 0;
bad:
	rw_error_set(err, "cursor", 0, 0, "not a cursor this server gave");
	return -1;
}

static void
qy_cat(struct qy_sql *q, const char *s)
{
	if (strlcat(q->sql, s, sizeof(q->sql)) >= sizeof(q->sql))
		q->overflow = 1;
}

static void
qy_text(struct qy_sql *q, const char *s)
{
	if (q->nb >= QY_BINDS) {
		q->overflow = 1;
		return;
	}
	q->b[q->nb].s = s != NULL ? s : "";
	q->b[q->nb++].i = 0;
}

static void
qy_int(struct qy_sql *q, int64_t i)
{
	if (q->nb >= QY_BINDS) {
		q->overflow = 1;
		return;
	}
	q->b[q->nb].s = NULL;
	q->b[q->nb++].i = i;
}

/* " AND expr IN (?, ?, ...)" with each value bound; param is how one placeholder reads. */
static void
qy_in(struct qy_sql *q, const char *expr, const char *const *v, size_t n, const char *param)
{
	size_t i;

	if (n == 0)
		return;
	qy_cat(q, " AND ");
	qy_cat(q, expr);
	qy_cat(q, " IN (");
	for (i = 0; i < n; i++) {
		qy_cat(q, i > 0 ? ", " : "");
		qy_cat(q, param);
		qy_text(q, v[i]);
	}
	qy_cat(q, ")");
}

/* A country list column holding any of the codes: ",GB,IE," contains ",IE,". */
static void
qy_countries(struct qy_sql *q, const char *column, const struct query_list *l)
{
	size_t i;

	if (l->n == 0)
		return;
	qy_cat(q, " AND (");
	for (i = 0; i < l->n; i++) {
		qy_cat(q, i > 0 ? " OR " : "");
		qy_cat(q, "instr(',' || COALESCE(");
		qy_cat(q, column);
		qy_cat(q, ", '') || ',', ',' || ? || ',') > 0");
		qy_text(q, l->v[i]);
	}
	qy_cat(q, ")");
}

/* The filter's conditions; time is the column since and until bound. */
static void
qy_where(struct qy_sql *q, const struct query_filter *f, const char *time, int events)
{
	const char *sev[SEV_CRITICAL + 1];
	size_t nsev = 0;
	int s;

	qy_cat(q, " WHERE 1");
	if (f->status != QUERY_ANY) {
		if (events)
			qy_cat(q,
			    f->status == QUERY_RESOLVED ? " AND e.type = 'finding.resolved'"
							: " AND e.type <> 'finding.resolved'");
		else
			qy_cat(q,
			    f->status == QUERY_RESOLVED ? " AND f.status = 'resolved'"
							: " AND f.status = 'open'");
	}
	/* Severities are names: "at least" is the names at or above the minimum. */
	for (s = (int)f->min; f->min > SEV_INFO && s <= (int)SEV_CRITICAL; s++)
		sev[nsev++] = severity_name((enum severity)s);
	qy_in(q, "f.severity", sev, nsev, "?");
	qy_in(q, "f.category", (const char *const *)f->categories.v, f->categories.n, "?");
	qy_in(q, "lower(f.agency)", (const char *const *)f->agencies.v, f->agencies.n, "lower(?)");
	qy_in(q, "fe.name", (const char *const *)f->feeds.v, f->feeds.n, "?");
	qy_countries(q, "f.destinations", &f->destinations);
	qy_countries(q, "f.sources", &f->sources);
	if (f->since > 0) {
		qy_cat(q, " AND ");
		qy_cat(q, time);
		qy_cat(q, " >= ?");
		qy_int(q, f->since);
	}
	if (f->until > 0) {
		qy_cat(q, " AND ");
		qy_cat(q, time);
		qy_cat(q, " <= ?");
		qy_int(q, f->until);
	}
}

static sqlite3_stmt *
qy_prepare(struct db *db, struct qy_sql *q, const char *what, struct rw_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = SQLITE_OK;

	if (q->overflow) {
		rw_error_set(err, db_path(db), 0, 0, "%s: the filter is too long", what);
		return NULL;
	}
	if (sqlite3_prepare_v2(db_handle(db), q->sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, what);
		return NULL;
	}
	for (i = 0; i < q->nb && rc == SQLITE_OK; i++)
		rc = q->b[i].s != NULL
		    ? sqlite3_bind_text(st, (int)i + 1, q->b[i].s, -1, SQLITE_STATIC)
		    : sqlite3_bind_int64(st, (int)i + 1, (sqlite3_int64)q->b[i].i);
	if (rc != SQLITE_OK) {
		db_fail(db, err, what);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static const char *
qy_text_column(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}

static void
qy_finding_row(sqlite3_stmt *st, int c, struct query_finding *f)
{
	f->id = qy_text_column(st, c + 0);
	f->rule = qy_text_column(st, c + 1);
	f->category = qy_text_column(st, c + 2);
	f->severity = qy_text_column(st, c + 3);
	f->status = qy_text_column(st, c + 4);
	f->message = qy_text_column(st, c + 5);
	f->opened_at = sqlite3_column_int64(st, c + 6);
	f->updated_at = sqlite3_column_int64(st, c + 7);
	f->resolved_at = sqlite3_column_int64(st, c + 8);
	f->agency = qy_text_column(st, c + 9);
	f->destinations = qy_text_column(st, c + 10);
	f->sources = qy_text_column(st, c + 11);
	f->item_id = sqlite3_column_int64(st, c + 12);
	f->feed = qy_text_column(st, c + 13);
	f->guid = qy_text_column(st, c + 14);
	f->title = qy_text_column(st, c + 15);
	f->body = qy_text_column(st, c + 16);
	f->document = qy_text_column(st, c + 17);
}

static void
qy_event_row(sqlite3_stmt *st, struct query_event *e)
{
	e->seq = sqlite3_column_int64(st, 0);
	e->id = qy_text_column(st, 1);
	e->type = qy_text_column(st, 2);
	e->finding_id = qy_text_column(st, 3);
	e->at = sqlite3_column_int64(st, 4);
	e->reason = qy_text_column(st, 5);
	e->payload = qy_text_column(st, 6);
	e->finding = NULL;
}

static int
qy_limit(const struct query_filter *f)
{
	return f->limit > 0 ? f->limit : QUERY_LIMIT_DEFAULT;
}

int
query_findings(struct db *db, const struct query_filter *f, query_finding_cb cb, void *arg,
    char *next_cursor, struct rw_error *err)
{
	char cid[64], last_id[64];
	struct query_finding row;
	int64_t ct = 0, last_t = 0;
	struct qy_sql *q;
	sqlite3_stmt *st;
	int limit = qy_limit(f), n = 0, rc, stopped = 0;

	if (next_cursor != NULL)
		next_cursor[0] = '\0';
	if (query_filter_check(f, err) == -1)
		return -1;
	if (f->cursor[0] != '\0' &&
	    query_cursor_decode(f->cursor, &ct, cid, sizeof(cid), err) == -1)
		return -1;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		rw_error_set(err, db_path(db), 0, 0, "out of memory");
		return -1;
	}
	qy_cat(q, "SELECT " QY_FINDING_COLUMNS " FROM findings f" QY_FINDING_JOIN);
	qy_where(q, f, "f.updated_at", 0);
	if (f->cursor[0] != '\0') {
		qy_cat(q, " AND (f.updated_at < ? OR (f.updated_at = ? AND f.id < ?))");
		qy_int(q, ct);
		qy_int(q, ct);
		qy_text(q, cid);
	}
	/* One row more than asked tells whether another page follows. */
	qy_cat(q, " ORDER BY f.updated_at DESC, f.id DESC LIMIT ?");
	qy_int(q, (int64_t)limit + 1);
	st = qy_prepare(db, q, "listing findings", err);
	free(q);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "listing findings")) == 1) {
		if (n == limit) {
			if (next_cursor != NULL && !stopped &&
			    query_cursor_encode(last_t, last_id, next_cursor, QUERY_CURSOR_MAX) ==
				-1) {
				rw_error_set(err, db_path(db), 0, 0,
				    "finding %s: id too long for a cursor", last_id);
				rc = -1;
			}
			break;
		}
		qy_finding_row(st, 0, &row);
		last_t = row.updated_at;
		strlcpy(last_id, row.id, sizeof(last_id));
		n++;
		if (!stopped && cb != NULL && cb(&row, arg) != 0)
			stopped = 1;
		if (stopped)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

int
query_finding(struct db *db, const char *id, query_finding_cb cb, query_event_cb hcb, void *arg,
    struct rw_error *err)
{
	struct query_finding row;
	struct query_event ev;
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, err, "reading a finding",
	    "SELECT " QY_FINDING_COLUMNS " FROM findings f" QY_FINDING_JOIN " WHERE f.id = ?", "t",
	    id);
	if (st == NULL)
		return -1;
	rc = db_step(db, st, err, "reading a finding");
	if (rc == 1) {
		qy_finding_row(st, 0, &row);
		if (cb != NULL)
			cb(&row, arg);
	}
	sqlite3_finalize(st);
	if (rc != 1)
		return rc;
	st = db_prepare(db, err, "reading a finding's history",
	    "SELECT " QY_EVENT_COLUMNS " FROM events e WHERE e.finding_id = ? ORDER BY e.seq", "t",
	    id);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "reading a finding's history")) == 1) {
		qy_event_row(st, &ev);
		if (hcb != NULL && hcb(&ev, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 1;
}

int
query_events(
    struct db *db, const struct query_filter *f, query_event_cb cb, void *arg, struct rw_error *err)
{
	struct query_finding frow;
	struct query_event ev;
	struct qy_sql *q;
	sqlite3_stmt *st;
	int rc;

	if (query_filter_check(f, err) == -1)
		return -1;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		rw_error_set(err, db_path(db), 0, 0, "out of memory");
		return -1;
	}
	/* Events of a pruned finding have no facts to filter on and drop out of the feed. */
	qy_cat(q,
	    "SELECT " QY_EVENT_COLUMNS ", " QY_FINDING_COLUMNS
	    " FROM events e JOIN findings f ON f.id = e.finding_id" QY_FINDING_JOIN);
	qy_where(q, f, "e.at", 1);
	qy_cat(q, " ORDER BY e.seq DESC LIMIT ?");
	qy_int(q, qy_limit(f));
	st = qy_prepare(db, q, "listing events", err);
	free(q);
	if (st == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "listing events")) == 1) {
		qy_event_row(st, &ev);
		qy_finding_row(st, QY_EVENT_NCOLUMNS, &frow);
		ev.finding = &frow;
		if (cb != NULL && cb(&ev, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}
