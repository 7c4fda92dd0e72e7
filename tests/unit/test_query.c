/* Unit tests for the finding queries over a real SQLite file written by track_record: each
 * filter alone and combined, pagination, cursors, history and the event list. The expected
 * sets were worked out by hand from the items recorded in mk_world. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cu.h"
#include "tdb.h"
#include "db.h"
#include "feeds.h"
#include "query.h"
#include "track.h"

#define T0 1700000000 /* 2023-11-14T22:13:20Z */

static json_t *
mk_finding(const char *rule, const char *cat, const char *sev, const char *msg)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}], s:s}", "rule", rule,
	    "category", cat, "severity", sev, "message", msg, "evidence", "path",
	    "/posting/description", "text", "evidence text", "cite", "instrument", "WHO Code",
	    "article", "5.1", "advice", "Do better.");
}

static int64_t
mk_feed(struct db *db, const char *name, const char *agency)
{
	struct rw_error err;
	int64_t id = 0;

	CU_ASSERT_EQUAL_FATAL(
	    feeds_sync(db, name, "https://example.org/feed.xml", agency, &id, &err), 0);
	return id;
}

/* Records one item with the findings array (taken). */
static void
record(struct db *db, int64_t feed, int64_t now, const char *guid, const char *agency,
    const char *dest, const char *src, json_t *findings)
{
	struct track_item it;
	struct rw_error err;
	json_t *rep;
	char docid[64];
	int rc;

	/* The content hash changes with the findings so that the item counts as changed. */
	snprintf(docid, sizeof(docid), "sha256:%s-%zu-%lld", guid, json_array_size(findings),
	    (long long)now);
	rep = json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:i, s:n, s:s}}, s:o}", "document",
	    "id", docid, "kind", "posting", "title", guid, "agency", agency, "origin", "source",
	    "https://example.org/feed.xml", "guid", guid, "index", 0, "url", "format", "rss2",
	    "findings", findings);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	memset(&it, 0, sizeof(it));
	it.feed_id = feed;
	it.poll = 1;
	it.now = now;
	it.guid = guid;
	it.doc_id = docid;
	it.rulebook = "rb-1";
	it.format = "rss2";
	it.title = guid;
	it.agency = agency;
	it.destinations = dest;
	it.sources = src;
	it.report = rep;
	rc = track_record(db, &it, NULL, NULL, &err);
	if (rc != 0)
		fprintf(stderr, "track_record: %s: %s\n", err.source, err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	json_decref(rep);
}

/*
 * Five findings:
 *   a1/RED  north  critical active-recruitment-ssl  GB / NG,GH  resolved, updated T0+40
 *   a1/REC  north  low      recruiter-transparency  GB / NG,GH  open,     updated T0+10
 *   b1/FEE  north  high     worker-fees             SA / PH     open,     updated T0+20
 *   c1/FEE  south  high     worker-fees             IE / IN     open,     updated T0+30
 *   c1/DOC  south  medium   document-retention      IE / IN     open,     updated T0+30
 */
static void
mk_world(struct db *db)
{
	int64_t north = mk_feed(db, "north", "Northgate Health");
	int64_t south = mk_feed(db, "south", "Southbay Staffing");

	record(db, north, T0 + 10, "a1", "Northgate Health", "GB", "NG,GH",
	    json_pack("[o, o]",
		mk_finding("RED", "active-recruitment-ssl", "critical", "Recruits from Nigeria"),
		mk_finding("REC", "recruiter-transparency", "low", "No employer")));
	record(db, north, T0 + 20, "b1", "Northgate Health", "SA", "PH",
	    json_pack("[o]", mk_finding("FEE", "worker-fees", "high", "A fee")));
	record(db, south, T0 + 30, "c1", "Southbay Staffing", "IE", "IN",
	    json_pack("[o, o]", mk_finding("FEE", "worker-fees", "high", "A fee"),
		mk_finding("DOC", "document-retention", "medium", "Keeps passports")));
	record(db, north, T0 + 40, "a1", "Northgate Health", "GB", "NG,GH",
	    json_pack("[o]", mk_finding("REC", "recruiter-transparency", "low", "No employer")));
}

/* What the callbacks saw: "guid/rule" of each row, in order, space-separated. */
struct seen {
	struct db *db;
	char list[4096];
	int n;
	int64_t last_t;
	char last_id[64];
	int order_ok;
};

static int
seen_finding(const struct query_finding *f, void *arg)
{
	struct seen *s = arg;
	char one[128];

	snprintf(one, sizeof(one), "%s%s/%s", s->n > 0 ? " " : "", f->guid, f->rule);
	strlcat(s->list, one, sizeof(s->list));
	if (s->n > 0 &&
	    (f->updated_at > s->last_t ||
		(f->updated_at == s->last_t && strcmp(f->id, s->last_id) >= 0)))
		s->order_ok = 0;
	s->last_t = f->updated_at;
	strlcpy(s->last_id, f->id, sizeof(s->last_id));
	s->n++;
	return 0;
}

/* Runs the filter and returns what was seen ("" on error, with the error printed). */
static const char *
run(struct db *db, const struct query_filter *f, struct seen *s)
{
	struct rw_error err;
	char next[QUERY_CURSOR_MAX];

	memset(s, 0, sizeof(*s));
	s->order_ok = 1;
	if (query_findings(db, f, seen_finding, s, next, &err) != 0) {
		fprintf(stderr, "query_findings: %s: %s\n", err.source, err.msg);
		strlcpy(s->list, "(error)", sizeof(s->list));
	}
	CU_ASSERT_TRUE(s->order_ok);
	return s->list;
}

static void
add(struct query_list *l, const char *v)
{
	struct rw_error err;

	CU_ASSERT_EQUAL_FATAL(query_list_add(l, "test", v, &err), 0);
}

/* The two c1 findings tie on updated_at: the one with the greater id comes first. */
static void
c1_pair(char *out, size_t len, int64_t south)
{
	char fee[40], doc[40];

	track_finding_id(south, "c1", "FEE", fee);
	track_finding_id(south, "c1", "DOC", doc);
	strlcpy(out, strcmp(fee, doc) > 0 ? "c1/FEE c1/DOC" : "c1/DOC c1/FEE", len);
}

#define EXPECT(f, want)                                                                            \
	do {                                                                                       \
		const char *got_ = run(t.db, (f), &s);                                             \
		CU_ASSERT_STRING_EQUAL(got_, (want));                                              \
		if (strcmp(got_, (want)) != 0)                                                     \
			fprintf(                                                                   \
			    stderr, "line %d: got \"%s\", want \"%s\"\n", __LINE__, got_, (want)); \
	} while (0)

static void
test_filters(void)
{
	struct query_filter f;
	struct rw_error err;
	struct seen s;
	struct tdb t;
	char c1[64], all[256], want[256];

	tdb_open(&t);
	mk_world(t.db);
	c1_pair(c1, sizeof(c1), 2); /* south is the second feed */

	query_filter_init(&f);
	snprintf(all, sizeof(all), "a1/RED %s b1/FEE a1/REC", c1);
	EXPECT(&f, all);

	f.status = QUERY_OPEN;
	snprintf(want, sizeof(want), "%s b1/FEE a1/REC", c1);
	EXPECT(&f, want);
	f.status = QUERY_RESOLVED;
	EXPECT(&f, "a1/RED");
	f.status = QUERY_ANY;

	f.min = SEV_CRITICAL;
	EXPECT(&f, "a1/RED");
	f.min = SEV_HIGH;
	snprintf(want, sizeof(want), "a1/RED c1/FEE b1/FEE");
	EXPECT(&f, want);
	f.min = SEV_MEDIUM;
	snprintf(want, sizeof(want), "a1/RED %s b1/FEE", c1);
	EXPECT(&f, want);
	f.min = SEV_INFO;

	add(&f.categories, "worker-fees");
	EXPECT(&f, "c1/FEE b1/FEE");
	add(&f.categories, "document-retention");
	snprintf(want, sizeof(want), "%s b1/FEE", c1);
	EXPECT(&f, want);
	query_filter_clear(&f);

	/* Agencies ignore case, as subscription filters do. */
	add(&f.agencies, "NORTHGATE health");
	EXPECT(&f, "a1/RED b1/FEE a1/REC");
	query_filter_clear(&f);
	add(&f.agencies, "Northgate");
	EXPECT(&f, "");
	query_filter_clear(&f);

	add(&f.feeds, "south");
	EXPECT(&f, c1);
	add(&f.feeds, "nowhere");
	EXPECT(&f, c1);
	query_filter_clear(&f);

	add(&f.destinations, "GB");
	EXPECT(&f, "a1/RED a1/REC");
	query_filter_clear(&f);
	add(&f.destinations, "IE");
	add(&f.destinations, "SA");
	snprintf(want, sizeof(want), "%s b1/FEE", c1);
	EXPECT(&f, want);
	query_filter_clear(&f);
	/* The second code of a list matches, a part of a code does not. */
	add(&f.sources, "GH");
	EXPECT(&f, "a1/RED a1/REC");
	query_filter_clear(&f);
	add(&f.sources, "IN");
	EXPECT(&f, c1);
	query_filter_clear(&f);

	f.since = T0 + 20;
	f.until = T0 + 30;
	snprintf(want, sizeof(want), "%s b1/FEE", c1);
	EXPECT(&f, want);
	f.since = T0 + 31;
	f.until = 0;
	EXPECT(&f, "a1/RED");
	f.since = 0;
	f.until = T0 + 10;
	EXPECT(&f, "a1/REC");
	f.until = 0;

	/* Combined. */
	f.status = QUERY_OPEN;
	f.min = SEV_HIGH;
	add(&f.agencies, "Northgate Health");
	EXPECT(&f, "b1/FEE");
	query_filter_clear(&f);
	f.status = QUERY_RESOLVED;
	add(&f.feeds, "north");
	add(&f.sources, "NG");
	EXPECT(&f, "a1/RED");
	query_filter_clear(&f);
	f.status = QUERY_OPEN;
	add(&f.categories, "worker-fees");
	add(&f.destinations, "IE");
	EXPECT(&f, "c1/FEE");
	f.status = QUERY_RESOLVED;
	EXPECT(&f, "");
	query_filter_clear(&f);

	/* A limit alone. */
	f.limit = 2;
	snprintf(want, sizeof(want), "a1/RED %.6s", c1);
	EXPECT(&f, want);
	query_filter_clear(&f);

	/* Bad values name the field. */
	add(&f.categories, "fees");
	CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, NULL, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.source, "category");
	query_filter_clear(&f);
	add(&f.destinations, "gb");
	CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, NULL, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.source, "destination");
	query_filter_clear(&f);
	add(&f.sources, "NGA");
	CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, NULL, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.source, "source");
	query_filter_clear(&f);
	f.limit = QUERY_LIMIT_MAX + 1;
	CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, NULL, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.source, "limit");
	query_filter_clear(&f);
	tdb_close(&t);
}

/* The pages' rows, "guid/rule" each, across pages. */
struct pages {
	char *rows[200];
	int total, n;
};

static int
page_finding(const struct query_finding *f, void *arg)
{
	struct pages *p = arg;
	char one[128];

	snprintf(one, sizeof(one), "%s/%s", f->guid, f->rule);
	if (p->total < 200)
		p->rows[p->total++] = strdup(one);
	p->n++;
	return 0;
}

/* One finding per item, 120 items, three to a second so that ties on updated_at are common. */
static void
test_pagination(void)
{
	struct query_filter f;
	struct rw_error err;
	struct pages pg;
	struct seen s;
	struct tdb t;
	char next[QUERY_CURSOR_MAX], guid[32];
	int64_t feed;
	int i, j, page, sizes[4] = {0, 0, 0, 0}, dup = 0;

	tdb_open(&t);
	feed = mk_feed(t.db, "north", "Northgate Health");
	for (i = 0; i < 120; i++) {
		snprintf(guid, sizeof(guid), "g%03d", i);
		record(t.db, feed, T0 + i / 3, guid, "Northgate Health", "GB", "NG",
		    json_pack("[o]", mk_finding("FEE", "worker-fees", "high", "A fee")));
	}
	memset(&pg, 0, sizeof(pg));
	query_filter_init(&f);
	f.limit = 50;
	for (page = 0; page < 4; page++) {
		pg.n = 0;
		CU_ASSERT_EQUAL_FATAL(query_findings(t.db, &f, page_finding, &pg, next, &err), 0);
		sizes[page] = pg.n;
		if (page == 0) {
			/* A finding arriving between pages is newer than the cursor: the pages
			 * after it neither repeat nor skip anything. */
			record(t.db, feed, T0 + 1000, "late", "Northgate Health", "GB", "NG",
			    json_pack("[o]", mk_finding("FEE", "worker-fees", "high", "A fee")));
		}
		if (next[0] == '\0')
			break;
		strlcpy(f.cursor, next, sizeof(f.cursor));
	}
	CU_ASSERT_EQUAL(page, 2);
	CU_ASSERT_EQUAL(sizes[0], 50);
	CU_ASSERT_EQUAL(sizes[1], 50);
	CU_ASSERT_EQUAL(sizes[2], 20);
	CU_ASSERT_EQUAL(pg.total, 120);
	for (i = 0; i < pg.total; i++)
		for (j = i + 1; j < pg.total; j++)
			dup += strcmp(pg.rows[i], pg.rows[j]) == 0;
	CU_ASSERT_EQUAL(dup, 0);
	/* Newest first: one of g117..g119 (T0+39) opens the first page, g000..g002 (T0) end
	 * the last. */
	for (i = 0; i < 3 && pg.total == 120; i++)
		CU_ASSERT_TRUE(
		    strcmp(pg.rows[i], "g117/FEE") >= 0 && strcmp(pg.rows[i], "g119/FEE") <= 0);
	for (i = 0; i < 120; i++) {
		int found = 0;

		snprintf(guid, sizeof(guid), "g%03d/FEE", i);
		for (j = 0; j < pg.total; j++)
			found += strcmp(pg.rows[j], guid) == 0;
		CU_ASSERT_EQUAL(found, 1);
		if (found != 1)
			fprintf(stderr, "%s seen %d times\n", guid, found);
	}
	for (i = 117; i < 120 && pg.total == 120; i++)
		CU_ASSERT_EQUAL(strncmp(pg.rows[i], "g00", 3), 0);
	for (i = 0; i < pg.total; i++)
		free(pg.rows[i]);
	/* Across pages too the order is strict: one query with no limit gives the same. */
	f.cursor[0] = '\0';
	f.limit = QUERY_LIMIT_MAX;
	CU_ASSERT_STRING_EQUAL(
	    strncmp(run(t.db, &f, &s), "late/FEE g11", 12) == 0 ? "ok" : s.list, "ok");
	CU_ASSERT_EQUAL(s.n, 121);
	/* A first page again now starts with the late one. */
	f.limit = 1;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, next, &err), 0);
	CU_ASSERT_STRING_EQUAL(s.list, "late/FEE");
	CU_ASSERT_NOT_EQUAL(next[0], '\0');
	/* The last page has no next cursor even when it is exactly full. */
	f.limit = 121;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, next, &err), 0);
	CU_ASSERT_EQUAL(s.n, 121);
	CU_ASSERT_STRING_EQUAL(next, "");
	query_filter_clear(&f);
	tdb_close(&t);
}

static void
test_cursor(void)
{
	static const char *const bad[] = {"!!!", /* not base64url */
	    "MTIzOmZfYWI=", /* padded: ours never are */
	    "MTIzOmZfYWI+", /* standard alphabet */
	    "M", /* a length base64 cannot have */
	    "MTI6", /* "12:" no id */
	    "eDE6Zl8x", /* "x1:f_1" */
	    "MTI6Zl8xJyBPUiAxPTE", /* "12:f_1' OR 1=1" */
	    "MTJmXzE", /* "12f_1": no colon */
	    NULL};
	struct query_filter f;
	struct rw_error err;
	struct seen s;
	struct tdb t;
	char out[QUERY_CURSOR_MAX], id[64];
	int64_t ts = 0;
	size_t i;

	CU_ASSERT_EQUAL(query_cursor_encode(123, "f_ab", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "MTIzOmZfYWI");
	CU_ASSERT_EQUAL(
	    query_cursor_encode(1700000040, "f_0123456789abcdef0123456789abcdef", out, sizeof(out)),
	    0);
	CU_ASSERT_STRING_EQUAL(out, "MTcwMDAwMDA0MDpmXzAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm");
	CU_ASSERT_EQUAL(query_cursor_decode(out, &ts, id, sizeof(id), &err), 0);
	CU_ASSERT_EQUAL(ts, 1700000040);
	CU_ASSERT_STRING_EQUAL(id, "f_0123456789abcdef0123456789abcdef");
	CU_ASSERT_EQUAL(query_cursor_decode("MTIzOmZfYWI", &ts, id, sizeof(id), &err), 0);
	CU_ASSERT_EQUAL(ts, 123);
	CU_ASSERT_STRING_EQUAL(id, "f_ab");
	for (i = 0; bad[i] != NULL; i++) {
		rw_error_clear(&err);
		CU_ASSERT_EQUAL(query_cursor_decode(bad[i], &ts, id, sizeof(id), &err), -1);
		CU_ASSERT_STRING_EQUAL(err.source, "cursor");
	}

	tdb_open(&t);
	mk_world(t.db);
	query_filter_init(&f);
	for (i = 0; bad[i] != NULL; i++) {
		strlcpy(f.cursor, bad[i], sizeof(f.cursor));
		memset(&s, 0, sizeof(s));
		rw_error_clear(&err);
		CU_ASSERT_EQUAL(query_findings(t.db, &f, seen_finding, &s, NULL, &err), -1);
		CU_ASSERT_STRING_EQUAL(err.source, "cursor");
		CU_ASSERT_EQUAL(s.n, 0);
	}
	query_filter_clear(&f);
	tdb_close(&t);
}

struct hist {
	char rule[64], status[16], doc[256];
	int64_t opened, updated, resolved;
	char list[1024];
	int n;
};

static int
hist_finding(const struct query_finding *f, void *arg)
{
	struct hist *h = arg;

	strlcpy(h->rule, f->rule, sizeof(h->rule));
	strlcpy(h->status, f->status, sizeof(h->status));
	strlcpy(h->doc, f->document, sizeof(h->doc));
	h->opened = f->opened_at;
	h->updated = f->updated_at;
	h->resolved = f->resolved_at;
	return 0;
}

static int
hist_event(const struct query_event *e, void *arg)
{
	struct hist *h = arg;
	char one[128];

	snprintf(one, sizeof(one), "%s%s@%lld%s%s", h->n > 0 ? " " : "", e->type,
	    (long long)(e->at - T0), e->reason[0] != '\0' ? ":" : "", e->reason);
	strlcat(h->list, one, sizeof(h->list));
	h->n++;
	return 0;
}

static void
test_history(void)
{
	struct rw_error err;
	struct hist h;
	struct tdb t;
	char fid[40];
	int64_t feed;

	tdb_open(&t);
	feed = mk_feed(t.db, "north", "Northgate Health");
	/* Opened, changed (new message), resolved (gone from the report), opened again. */
	record(t.db, feed, T0 + 1, "a1", "Northgate Health", "GB", "NG",
	    json_pack("[o]", mk_finding("FEE", "worker-fees", "high", "A fee")));
	record(t.db, feed, T0 + 2, "a1", "Northgate Health", "GB", "NG",
	    json_pack("[o]", mk_finding("FEE", "worker-fees", "high", "A bigger fee")));
	record(t.db, feed, T0 + 3, "a1", "Northgate Health", "GB", "NG", json_array());
	track_finding_id(feed, "a1", "FEE", fid);
	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(query_finding(t.db, fid, hist_finding, hist_event, &h, &err), 1);
	CU_ASSERT_STRING_EQUAL(h.rule, "FEE");
	CU_ASSERT_STRING_EQUAL(h.status, "resolved");
	CU_ASSERT_EQUAL(h.opened, T0 + 1);
	CU_ASSERT_EQUAL(h.updated, T0 + 3);
	CU_ASSERT_EQUAL(h.resolved, T0 + 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.doc, "\"guid\":\"a1\""));
	CU_ASSERT_STRING_EQUAL(
	    h.list, "finding.opened@1 finding.changed@2 finding.resolved@3:no-longer-triggers");

	record(t.db, feed, T0 + 4, "a1", "Northgate Health", "GB", "NG",
	    json_pack("[o]", mk_finding("FEE", "worker-fees", "high", "A fee")));
	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(query_finding(t.db, fid, hist_finding, hist_event, &h, &err), 1);
	CU_ASSERT_STRING_EQUAL(h.status, "open");
	CU_ASSERT_EQUAL(h.resolved, 0);
	CU_ASSERT_STRING_EQUAL(h.list,
	    "finding.opened@1 finding.changed@2 "
	    "finding.resolved@3:no-longer-triggers finding.opened@4");

	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(query_finding(t.db, "f_nosuch", hist_finding, hist_event, &h, &err), 0);
	CU_ASSERT_EQUAL(h.n, 0);
	CU_ASSERT_STRING_EQUAL(h.rule, "");
	tdb_close(&t);
}

static int
seen_event(const struct query_event *e, void *arg)
{
	struct seen *s = arg;
	char one[128];

	snprintf(one, sizeof(one), "%s%s/%s:%s", s->n > 0 ? " " : "", e->finding->guid,
	    e->finding->rule, strrchr(e->type, '.') + 1);
	strlcat(s->list, one, sizeof(s->list));
	s->n++;
	return 0;
}

static const char *
run_events(struct db *db, const struct query_filter *f, struct seen *s)
{
	struct rw_error err;

	memset(s, 0, sizeof(*s));
	if (query_events(db, f, seen_event, s, &err) != 0) {
		fprintf(stderr, "query_events: %s: %s\n", err.source, err.msg);
		strlcpy(s->list, "(error)", sizeof(s->list));
	}
	return s->list;
}

static void
test_events(void)
{
	struct query_filter f;
	struct seen s;
	struct tdb t;

	tdb_open(&t);
	mk_world(t.db);
	query_filter_init(&f);
	/* Newest first, in the order they were written within one item. */
	CU_ASSERT_STRING_EQUAL(run_events(t.db, &f, &s),
	    "a1/RED:resolved c1/DOC:opened c1/FEE:opened b1/FEE:opened a1/REC:opened "
	    "a1/RED:opened");
	f.status = QUERY_RESOLVED;
	CU_ASSERT_STRING_EQUAL(run_events(t.db, &f, &s), "a1/RED:resolved");
	f.status = QUERY_OPEN;
	f.min = SEV_CRITICAL;
	CU_ASSERT_STRING_EQUAL(run_events(t.db, &f, &s), "a1/RED:opened");
	f.status = QUERY_ANY;
	CU_ASSERT_STRING_EQUAL(run_events(t.db, &f, &s), "a1/RED:resolved a1/RED:opened");
	f.min = SEV_INFO;
	add(&f.agencies, "southbay staffing");
	CU_ASSERT_STRING_EQUAL(run_events(t.db, &f, &s), "c1/DOC:opened c1/FEE:opened");
	query_filter_clear(&f);
	f.since = T0 + 20;
	f.until = T0 + 30;
	CU_ASSERT_STRING_EQUAL(
	    run_events(t.db, &f, &s), "c1/DOC:opened c1/FEE:opened b1/FEE:opened");
	f.since = f.until = 0;
	f.limit = 2;
	CU_ASSERT_STRING_EQUAL(run_events(t.db, &f, &s), "a1/RED:resolved c1/DOC:opened");
	query_filter_clear(&f);
	tdb_close(&t);
}

static void
test_canonical(void)
{
	struct query_filter a, b;
	char *sa, *sb;

	query_filter_init(&a);
	query_filter_init(&b);
	add(&a.categories, "worker-fees");
	add(&a.categories, "document-retention");
	add(&a.agencies, "Northgate Health");
	a.min = SEV_HIGH;
	add(&b.agencies, "NORTHGATE HEALTH");
	add(&b.categories, "document-retention");
	add(&b.categories, "worker-fees");
	add(&b.categories, "worker-fees");
	b.min = SEV_HIGH;
	strlcpy(b.cursor, "MTIzOmZfYWI", sizeof(b.cursor));
	b.limit = 7;
	sa = query_filter_canonical(&a);
	sb = query_filter_canonical(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	CU_ASSERT_STRING_EQUAL(sa, sb);
	CU_ASSERT_STRING_EQUAL(sa,
	    "{\"agencies\":[\"northgate health\"],\"categories\":[\"document-retention\","
	    "\"worker-fees\"],\"destinations\":[],\"feeds\":[],\"min-severity\":\"high\","
	    "\"since\":0,\"sources\":[],\"status\":\"any\",\"until\":0}");
	free(sb);
	b.status = QUERY_OPEN;
	sb = query_filter_canonical(&b);
	CU_ASSERT_STRING_NOT_EQUAL(sa, sb != NULL ? sb : "");
	free(sa);
	free(sb);
	query_filter_clear(&a);
	query_filter_clear(&b);
	query_filter_clear(NULL);
}

static const struct cu_test tests[] = {
    {"each filter alone and combined", test_filters},
    {"pagination over 120 findings", test_pagination},
    {"cursors: round trip and malformed ones refused", test_cursor},
    {"a finding's history in order", test_history},
    {"events for the Atom feed under the same filters", test_events},
    {"canonical filter text", test_canonical},
    {NULL, NULL},
};

RW_CU_MAIN("query", tests)
