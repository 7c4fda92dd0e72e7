/* Unit tests for the state layer over a real SQLite file: migrations, feeds, the findings
 * lifecycle with its events and outbox rows, delivery order, retention and a full disk. Every
 * expected count was worked out by hand from the subscriptions' filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "cu.h"
#include "tdb.h"
#include "db.h"
#include "feeds.h"
#include "outbox.h"
#include "subs.h"
#include "track.h"

#define AGENCY "Harbour Health Recruitment"
#define T0 1700000000 /* 2023-11-14T22:13:20Z */

/* One integer from a query with an optional text parameter. */
static int64_t
q1(struct db *db, const char *sql, const char *param)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db_handle(db)));
		return -2;
	}
	if (param != NULL)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -3 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One text value (copied) from a query with an optional text parameter. */
static char *
qs(struct db *db, const char *sql, const char *param)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (param != NULL)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static json_t *
mk_finding(const char *rule, const char *cat, const char *sev, const char *msg, const char *ev)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}], s:s, s:i, s:s}",
	    "rule", rule, "category", cat, "severity", sev, "message", msg, "evidence", "path",
	    "/posting/description", "text", ev, "cite", "instrument", "WHO Code", "article", "5.1",
	    "advice", "Do not recruit actively.", "revision", 1, "rulebook", "test-1");
}

static json_t *
f_ssl(void)
{
	return mk_finding("UK-RED-ACTIVE", "active-recruitment-ssl", "critical",
	    "Recruits actively from Nigeria", "We are recruiting nurses living in Nigeria.");
}

static json_t *
f_fee(const char *msg)
{
	return mk_finding("FEE-1", "worker-fees", "high", msg, "A fee of 2000 USD applies.");
}

/* Takes the findings array. */
static json_t *
mk_report(const char *guid, const char *title, json_t *findings)
{
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:i, s:n, s:s}}, s:o}", "document",
	    "id", "sha256:abc", "kind", "posting", "title", title, "agency", AGENCY, "origin",
	    "source", "https://example.org/feed.xml", "guid", guid, "index", 0, "url", "format",
	    "rss2", "findings", findings);
}

static void
mk_item(struct track_item *it, int64_t feed, int64_t poll, int64_t now, const char *guid,
    const char *doc_id, const json_t *report)
{
	memset(it, 0, sizeof(*it));
	it->feed_id = feed;
	it->poll = poll;
	it->now = now;
	it->guid = guid;
	it->doc_id = doc_id;
	it->rulebook = "rb-1";
	it->format = "rss2";
	it->title = "Registered Nurse";
	it->agency = AGENCY;
	it->destinations = "GB,IE";
	it->sources = "NG,GH";
	it->report = report;
}

/* Records and checks the counts of events and outbox rows written. */
static void
record(struct db *db, const struct track_item *it, const struct subs *subs, int opened, int changed,
    int resolved, int outbox, struct track_result *out)
{
	struct track_result r;
	struct rw_error err;
	int rc;

	rw_error_clear(&err);
	memset(&r, 0xff, sizeof(r));
	rc = track_record(db, it, subs, &r, &err);
	if (rc != 0)
		fprintf(stderr, "track_record: %s: %s\n", err.source, err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(r.opened, opened);
	CU_ASSERT_EQUAL(r.changed_findings, changed);
	CU_ASSERT_EQUAL(r.resolved, resolved);
	CU_ASSERT_EQUAL(r.outbox, outbox);
	if (r.opened != opened || r.changed_findings != changed || r.resolved != resolved ||
	    r.outbox != outbox)
		fprintf(stderr, "%s: got %d/%d/%d/%d, expected %d/%d/%d/%d\n", it->guid, r.opened,
		    r.changed_findings, r.resolved, r.outbox, opened, changed, resolved, outbox);
	if (out != NULL)
		*out = r;
}

static int64_t
sync_sub(struct db *db, const char *name, const char *filter_json)
{
	struct sub_filter f;
	struct rw_error err;
	json_t *j = json_loads(filter_json, 0, NULL);
	int64_t id = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(sub_filter_from_json(j, &f, &err), 0);
	json_decref(j);
	CU_ASSERT_EQUAL(subs_sync(db, name, "webhook-1", &f, &id, &err), 0);
	sub_filter_clear(&f);
	return id;
}

static int64_t
mk_feed(struct db *db, const char *name)
{
	struct rw_error err;
	int64_t id = 0;

	CU_ASSERT_EQUAL_FATAL(
	    feeds_sync(db, name, "https://example.org/feed.xml", AGENCY, &id, &err), 0);
	return id;
}

static void
test_migrations(void)
{
	struct tdb t;
	struct rw_error err;
	struct feed_row f;
	int64_t id = 0;
	char *s, buf[1200];
	sqlite3 *h;

	tdb_open(&t);
	CU_ASSERT_EQUAL(db_latest_version(), 2);
	CU_ASSERT_EQUAL(db_version(t.db), 2);
	CU_ASSERT_EQUAL(q1(t.db, "PRAGMA user_version", NULL), 2);
	CU_ASSERT_EQUAL(q1(t.db, "PRAGMA foreign_keys", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "PRAGMA synchronous", NULL), 2); /* FULL */
	s = qs(t.db, "PRAGMA journal_mode", NULL);
	CU_ASSERT_STRING_EQUAL(s != NULL ? s : "", "wal");
	free(s);
	CU_ASSERT_EQUAL(q1(t.db,
			    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
			    "('feeds','raws','items','findings','events','subscriptions','outbox')",
			    NULL),
	    7);
	CU_ASSERT_EQUAL(feeds_sync(t.db, "nhs", "https://a.example/feed", "NHS", &id, &err), 0);
	CU_ASSERT_EQUAL(db_fail(t.db, &err, "testing"), -1);
	rw_error_str(&err, buf, sizeof(buf));
	snprintf(buf + 600, 600, "%s: testing: ", t.path);
	CU_ASSERT_EQUAL(strncmp(buf, buf + 600, strlen(buf + 600)), 0);

	/* Reopened: the version stays, the data is there. */
	db_close(t.db);
	t.db = db_open(t.path, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.db);
	CU_ASSERT_EQUAL(db_version(t.db), 2);
	CU_ASSERT_EQUAL(q1(t.db, "PRAGMA user_version", NULL), 2);
	CU_ASSERT_EQUAL(feeds_get(t.db, id, &f, &err), 0);
	CU_ASSERT_STRING_EQUAL(f.name, "nhs");
	CU_ASSERT_STRING_EQUAL(f.url, "https://a.example/feed");
	db_close(t.db);

	/* A file of schema 1 (what migration 2 added taken away again) is brought to 2 with its
	 * data kept. */
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(t.path, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(
	    sqlite3_exec(h,
		"DROP TABLE tokens; ALTER TABLE subscriptions DROP COLUMN url;"
		"ALTER TABLE subscriptions DROP COLUMN secret;"
		"ALTER TABLE subscriptions DROP COLUMN secret_previous;"
		"ALTER TABLE subscriptions DROP COLUMN owner;"
		"ALTER TABLE subscriptions DROP COLUMN verified; PRAGMA user_version = 1",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	t.db = db_open(t.path, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.db);
	CU_ASSERT_EQUAL(db_version(t.db), 2);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM tokens", NULL), 0);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM subscriptions WHERE url IS NULL", NULL), 0);
	CU_ASSERT_EQUAL(feeds_get(t.db, id, &f, &err), 0);
	CU_ASSERT_STRING_EQUAL(f.name, "nhs");
	db_close(t.db);

	/* A newer recruitwatch's file is refused, and said so. */
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(t.path, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	rw_error_clear(&err);
	t.db = db_open(t.path, &err);
	CU_ASSERT_PTR_NULL(t.db);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "newer recruitwatch"));
	CU_ASSERT_STRING_EQUAL(err.source, t.path);
	tdb_close(&t);
}

static int
feed_names_cb(const struct feed_row *f, void *arg)
{
	char *out = arg;

	strlcat(out, f->name, 512);
	strlcat(out, f->active ? "+ " : "- ", 512);
	return 0;
}

static void
test_feeds(void)
{
	struct tdb t;
	struct rw_error err;
	struct feed_row f;
	int64_t a = 0, b = 0, a2 = 0, poll = 0;
	char names[512] = "";

	tdb_open(&t);
	CU_ASSERT_EQUAL(feeds_sync(t.db, "b-feed", "https://b.example/", "B", &b, &err), 0);
	CU_ASSERT_EQUAL(feeds_sync(t.db, "a-feed", "https://a.example/", "A", &a, &err), 0);
	CU_ASSERT_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(feeds_sync(t.db, "a-feed", "https://a2.example/", "A2", &a2, &err), 0);
	CU_ASSERT_EQUAL(a2, a);
	CU_ASSERT_EQUAL_FATAL(feeds_get(t.db, a, &f, &err), 0);
	CU_ASSERT_STRING_EQUAL(f.url, "https://a2.example/");
	CU_ASSERT_STRING_EQUAL(f.agency, "A2");
	CU_ASSERT_EQUAL(f.polls, 0);
	CU_ASSERT_EQUAL(f.active, 1);
	CU_ASSERT_STRING_EQUAL(f.etag, "");

	CU_ASSERT_EQUAL(feeds_poll_started(t.db, a, T0, &poll, &err), 0);
	CU_ASSERT_EQUAL(poll, 1);
	CU_ASSERT_EQUAL(feeds_poll_ok(t.db, a, poll, T0 + 5, "\"e1\"",
			    "Tue, 14 Nov 2023 22:00:00 GMT", 3, T0 + 600, &err),
	    0);
	CU_ASSERT_EQUAL_FATAL(feeds_get(t.db, a, &f, &err), 0);
	CU_ASSERT_EQUAL(f.last_poll, T0);
	CU_ASSERT_EQUAL(f.last_success, T0 + 5);
	CU_ASSERT_EQUAL(f.polls, 1);
	CU_ASSERT_EQUAL(f.items, 3);
	CU_ASSERT_EQUAL(f.next_poll, T0 + 600);
	CU_ASSERT_STRING_EQUAL(f.etag, "\"e1\"");
	CU_ASSERT_STRING_EQUAL(f.last_modified, "Tue, 14 Nov 2023 22:00:00 GMT");

	CU_ASSERT_EQUAL(feeds_poll_started(t.db, a, T0 + 600, &poll, &err), 0);
	CU_ASSERT_EQUAL(poll, 2);
	CU_ASSERT_EQUAL(feeds_poll_failed(t.db, a, T0 + 601, "HTTP 503", T0 + 700, &err), 0);
	CU_ASSERT_EQUAL(feeds_poll_failed(t.db, a, T0 + 701, "timed out", T0 + 900, &err), 0);
	CU_ASSERT_EQUAL_FATAL(feeds_get(t.db, a, &f, &err), 0);
	CU_ASSERT_EQUAL(f.failures, 2);
	CU_ASSERT_STRING_EQUAL(f.last_error, "timed out");
	CU_ASSERT_EQUAL(f.last_error_at, T0 + 701);
	CU_ASSERT_EQUAL(f.polls, 1); /* a failed poll is not counted */
	CU_ASSERT_EQUAL(f.last_success, T0 + 5);
	CU_ASSERT_EQUAL(f.next_poll, T0 + 900);

	CU_ASSERT_EQUAL(feeds_poll_not_modified(t.db, a, T0 + 900, T0 + 1500, &err), 0);
	CU_ASSERT_EQUAL_FATAL(feeds_get(t.db, a, &f, &err), 0);
	CU_ASSERT_EQUAL(f.failures, 0);
	CU_ASSERT_STRING_EQUAL(f.last_error, "");
	CU_ASSERT_EQUAL(f.last_success, T0 + 900);
	CU_ASSERT_STRING_EQUAL(f.etag, "\"e1\""); /* a 304 keeps the validators */

	CU_ASSERT_EQUAL(feeds_poll_ok(t.db, a, 2, T0 + 1500, NULL, NULL, 0, T0 + 2000, &err), 0);
	CU_ASSERT_EQUAL_FATAL(feeds_get(t.db, a, &f, &err), 0);
	CU_ASSERT_STRING_EQUAL(f.etag, "");
	CU_ASSERT_STRING_EQUAL(f.last_modified, "");
	CU_ASSERT_EQUAL(f.polls, 2);

	/* Only a-feed is in the new configuration: b-feed stays, inactive, listed last. */
	CU_ASSERT_EQUAL(feeds_mark_all_inactive(t.db, &err), 0);
	CU_ASSERT_EQUAL(feeds_sync(t.db, "a-feed", "https://a2.example/", "A2", &a2, &err), 0);
	CU_ASSERT_EQUAL(feeds_each(t.db, feed_names_cb, names, &err), 0);
	CU_ASSERT_STRING_EQUAL(names, "a-feed+ b-feed- ");

	CU_ASSERT_EQUAL(feeds_get(t.db, 999, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "999"));
	CU_ASSERT_EQUAL(feeds_poll_ok(t.db, 999, 1, T0, NULL, NULL, 0, T0, &err), -1);
	CU_ASSERT_EQUAL(feeds_poll_started(t.db, 999, T0, &poll, &err), -1);
	tdb_close(&t);
}

static void
test_filters(void)
{
	struct sub_filter f;
	struct sub_fact x = {SEV_HIGH, "worker-fees", "harbour HEALTH recruitment", "GB,IE", "NG"};
	struct rw_error err;
	json_t *j, *back, *want;

	j = json_pack("{s:s, s:[s], s:[s], s:[ss], s:[]}", "min-severity", "medium", "categories",
	    "Worker-Fees", "agencies", AGENCY, "destinations", "de", "ie", "sources");
	CU_ASSERT_EQUAL_FATAL(sub_filter_from_json(j, &f, &err), 0);
	json_decref(j);
	CU_ASSERT_EQUAL(f.min, SEV_MEDIUM);
	CU_ASSERT_EQUAL(f.ndestinations, 2);
	CU_ASSERT_STRING_EQUAL(f.destinations[1], "IE");
	CU_ASSERT_TRUE(sub_filter_match(&f, &x)); /* IE is the second of "GB,IE" */
	x.destinations = "GB";
	CU_ASSERT_FALSE(sub_filter_match(&f, &x));
	x.destinations = "";
	CU_ASSERT_FALSE(sub_filter_match(&f, &x));
	x.destinations = "FR, IE";
	CU_ASSERT_TRUE(sub_filter_match(&f, &x));
	x.severity = SEV_LOW;
	CU_ASSERT_FALSE(sub_filter_match(&f, &x));
	x.severity = SEV_MEDIUM;
	CU_ASSERT_TRUE(sub_filter_match(&f, &x));
	x.category = "repayment-clause";
	CU_ASSERT_FALSE(sub_filter_match(&f, &x));
	x.category = "worker-fees";
	x.agency = "Other Agency";
	CU_ASSERT_FALSE(sub_filter_match(&f, &x));

	back = sub_filter_json(&f);
	want = json_pack("{s:s, s:[s], s:[s], s:[ss], s:[]}", "min-severity", "medium",
	    "categories", "Worker-Fees", "agencies", AGENCY, "destinations", "DE", "IE", "sources");
	CU_ASSERT_TRUE(json_equal(back, want));
	json_decref(back);
	json_decref(want);
	sub_filter_clear(&f);

	/* The empty filter lets everything through. */
	j = json_object();
	CU_ASSERT_EQUAL_FATAL(sub_filter_from_json(j, &f, &err), 0);
	json_decref(j);
	x.severity = SEV_INFO;
	x.agency = NULL;
	x.destinations = "";
	CU_ASSERT_TRUE(sub_filter_match(&f, &x));
	sub_filter_clear(&f);

	j = json_pack("{s:s, s:[s]}", "min-severity", "high", "destination", "GB");
	CU_ASSERT_EQUAL(sub_filter_from_json(j, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "\"destination\""));
	json_decref(j);
	j = json_pack("{s:s}", "min-severity", "urgent");
	CU_ASSERT_EQUAL(sub_filter_from_json(j, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "min-severity"));
	json_decref(j);
	j = json_pack("{s:[s]}", "sources", "NGA");
	CU_ASSERT_EQUAL(sub_filter_from_json(j, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NGA"));
	json_decref(j);
	j = json_pack("{s:s}", "categories", "worker-fees");
	CU_ASSERT_EQUAL(sub_filter_from_json(j, &f, &err), -1);
	json_decref(j);
}

/*
 * Seven subscriptions and one inactive; item "g1" is AGENCY's, destinations GB,IE, sources
 * NG,GH. For the critical active-recruitment-ssl finding: all, crit, agency, ng, ie-high = 5;
 * for the high worker-fees finding: all, fees-gb, agency, ng, ie-high = 5.
 */
struct world {
	struct tdb t;
	int64_t feed;
	int64_t all, crit, fees_gb, ssl_de, agency, ng, ie_high, old;
	struct subs *subs;
};

static void
world_open(struct world *w)
{
	struct rw_error err;

	tdb_open(&w->t);
	w->feed = mk_feed(w->t.db, "harbour");
	w->old = sync_sub(w->t.db, "old", "{}");
	CU_ASSERT_EQUAL(subs_mark_config_inactive(w->t.db, &err), 0);
	w->all = sync_sub(w->t.db, "all", "{}");
	w->crit = sync_sub(w->t.db, "crit", "{\"min-severity\": \"critical\"}");
	w->fees_gb = sync_sub(
	    w->t.db, "fees-gb", "{\"categories\": [\"worker-fees\"], \"destinations\": [\"gb\"]}");
	w->ssl_de = sync_sub(w->t.db, "ssl-de",
	    "{\"categories\": [\"active-recruitment-ssl\"], \"destinations\": [\"DE\"]}");
	w->agency = sync_sub(w->t.db, "agency", "{\"agencies\": [\"harbour health recruitment\"]}");
	w->ng = sync_sub(w->t.db, "ng", "{\"sources\": [\"NG\"]}");
	w->ie_high = sync_sub(
	    w->t.db, "ie-high", "{\"destinations\": [\"IE\"], \"min-severity\": \"high\"}");
	w->subs = subs_load(w->t.db, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->subs);
}

static void
world_close(struct world *w)
{
	subs_free(w->subs);
	tdb_close(&w->t);
}

static int64_t
outbox_of(struct db *db, int64_t sub)
{
	char sql[128];

	snprintf(
	    sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE sub_id = %lld", (long long)sub);
	return q1(db, sql, NULL);
}

static void
test_subs(void)
{
	struct world w;
	struct rw_error err;
	struct sub_filter f;
	const struct sub_row *r;
	int64_t id = 0;

	world_open(&w);
	CU_ASSERT_EQUAL(subs_count(w.subs), 7);
	r = subs_at(w.subs, 0);
	CU_ASSERT_STRING_EQUAL(r->name, "all");
	CU_ASSERT_STRING_EQUAL(r->origin, "config");
	CU_ASSERT_STRING_EQUAL(r->sink, "webhook-1");
	r = subs_at(w.subs, 2);
	CU_ASSERT_STRING_EQUAL(r->name, "fees-gb");
	CU_ASSERT_EQUAL(r->filter.ncategories, 1);
	CU_ASSERT_STRING_EQUAL(r->filter.destinations[0], "GB");
	CU_ASSERT_PTR_NULL(subs_at(w.subs, 7));
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT active FROM subscriptions WHERE name = 'old'", NULL), 0);

	/* Resynced: same id, new filter. */
	memset(&f, 0, sizeof(f));
	f.min = SEV_HIGH;
	CU_ASSERT_EQUAL(subs_sync(w.t.db, "crit", "journal", &f, &id, &err), 0);
	CU_ASSERT_EQUAL(id, w.crit);
	CU_ASSERT_EQUAL(q1(w.t.db,
			    "SELECT count(*) FROM subscriptions WHERE name = 'crit' AND "
			    "sink = 'journal' AND filter LIKE '%\"high\"%'",
			    NULL),
	    1);

	/* A subscription made through the API is not taken over by the configuration. */
	CU_ASSERT_EQUAL(
	    sqlite3_exec(db_handle(w.t.db),
		"INSERT INTO subscriptions (name, sink, origin, filter, active, created) "
		"VALUES ('mine', 'webhook-2', 'api', '{}', 1, 0)",
		NULL, NULL, NULL),
	    SQLITE_OK);
	CU_ASSERT_EQUAL(subs_sync(w.t.db, "mine", "webhook-1", &f, &id, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mine"));
	world_close(&w);
}

static char *
event_payload(struct db *db, const char *type, int nth)
{
	sqlite3_stmt *st;
	char *v = NULL;

	sqlite3_prepare_v2(
	    db_handle(db), "SELECT payload FROM events WHERE type = ? ORDER BY seq", -1, &st, NULL);
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (nth-- == 0) {
			v = strdup((const char *)sqlite3_column_text(st, 0));
			break;
		}
	sqlite3_finalize(st);
	return v;
}

static void
test_track_lifecycle(void)
{
	struct world w;
	struct track_item it;
	struct track_result r;
	struct rw_error err;
	json_t *rep, *p, *fj;
	char fid_fee[40], fid_ssl[40], *s;
	json_error_t jerr;

	world_open(&w);
	track_finding_id(w.feed, "g1", "FEE-1", fid_fee);
	track_finding_id(w.feed, "g1", "UK-RED-ACTIVE", fid_ssl);
	CU_ASSERT_EQUAL(strlen(fid_fee), 34);
	CU_ASSERT_EQUAL(strncmp(fid_fee, "f_", 2), 0);
	CU_ASSERT_STRING_NOT_EQUAL(fid_fee, fid_ssl);

	/* New item, two findings: two opened events, 5 + 5 outbox rows. */
	rep = mk_report(
	    "g1", "Registered Nurse", json_pack("[oo]", f_ssl(), f_fee("A fee of 2000 USD")));
	mk_item(&it, w.feed, 1, T0, "g1", "sha256:d1", rep);
	record(w.t.db, &it, w.subs, 2, 0, 0, 10, &r);
	CU_ASSERT_EQUAL(r.is_new, 1);
	CU_ASSERT_EQUAL(r.changed, 1);
	CU_ASSERT_EQUAL(
	    q1(w.t.db, "SELECT count(*) FROM events WHERE type = 'finding.opened'", NULL), 2);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.all), 2);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.crit), 1);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.fees_gb), 1);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.ssl_de), 0);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.agency), 2);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.ng), 2);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.ie_high), 2);
	CU_ASSERT_EQUAL(outbox_of(w.t.db, w.old), 0);
	CU_ASSERT_EQUAL(
	    q1(w.t.db,
		"SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE "
		"o.sub_id = (SELECT id FROM subscriptions WHERE name = 'crit') AND "
		"e.finding_id = ?",
		fid_ssl),
	    1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM findings WHERE status = 'open'", NULL), 2);
	CU_ASSERT_EQUAL(q1(w.t.db,
			    "SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts = 0 "
			    "AND next_attempt = 1700000000",
			    NULL),
	    10);

	/* The alert as a sink sends it. */
	s = event_payload(w.t.db, "finding.opened", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = json_loads(s, 0, &jerr);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "type")), "finding.opened");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(p, "timestamp")), "2023-11-14T22:13:20Z");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "finding_id")), fid_fee);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "status")), "open");
	CU_ASSERT_PTR_NULL(json_object_get(p, "reason"));
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(p, "document"), "title")),
	    "Registered Nurse");
	fj = json_array_get(json_object_get(p, "findings"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fj, "id")), fid_fee);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(fj, "message")), "A fee of 2000 USD");
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(p, "id"))), 36);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM events WHERE id = ?",
			    json_string_value(json_object_get(p, "id"))),
	    1);
	json_decref(p);

	/* The same report again: nothing. */
	it.now = T0 + 10;
	record(w.t.db, &it, w.subs, 0, 0, 0, 0, &r);
	CU_ASSERT_EQUAL(r.is_new, 0);
	CU_ASSERT_EQUAL(r.changed, 0);
	json_decref(rep);

	/* Advice is not part of the fingerprint: still nothing. */
	fj = f_fee("A fee of 2000 USD");
	json_object_set_new(fj, "advice", json_string("Other advice."));
	rep = mk_report("g1", "Registered Nurse", json_pack("[oo]", f_ssl(), fj));
	mk_item(&it, w.feed, 1, T0 + 20, "g1", "sha256:d1", rep);
	record(w.t.db, &it, w.subs, 0, 0, 0, 0, &r);
	json_decref(rep);

	/* The fee's message changes: one changed event, 5 rows. */
	rep = mk_report(
	    "g1", "Registered Nurse", json_pack("[oo]", f_ssl(), f_fee("A fee of 3000 USD")));
	mk_item(&it, w.feed, 2, T0 + 30, "g1", "sha256:d2", rep);
	record(w.t.db, &it, w.subs, 0, 1, 0, 5, &r);
	CU_ASSERT_EQUAL(r.changed, 1);
	CU_ASSERT_EQUAL(r.is_new, 0);
	json_decref(rep);

	/* Evidence text is part of it. */
	fj = f_ssl();
	json_object_set_new(json_array_get(json_object_get(fj, "evidence"), 0), "text",
	    json_string("Candidates in Ghana welcome."));
	rep =
	    mk_report("g1", "Registered Nurse", json_pack("[oo]", fj, f_fee("A fee of 3000 USD")));
	mk_item(&it, w.feed, 2, T0 + 35, "g1", "sha256:d3", rep);
	record(w.t.db, &it, w.subs, 0, 1, 0, 5, &r);
	json_decref(rep);

	/* The fee is gone: resolved, to the same five subscribers, with its last body. */
	rep = mk_report("g1", "Registered Nurse", json_pack("[o]", f_ssl()));
	mk_item(&it, w.feed, 3, T0 + 40, "g1", "sha256:d4", rep);
	record(w.t.db, &it, w.subs, 0, 1, 1, 10, &r); /* the ssl evidence is back: changed */
	json_decref(rep);
	CU_ASSERT_EQUAL(q1(w.t.db,
			    "SELECT count(*) FROM findings WHERE id = ? AND status = "
			    "'resolved' AND resolved_at = 1700000040",
			    fid_fee),
	    1);
	s = event_payload(w.t.db, "finding.resolved", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = json_loads(s, 0, &jerr);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "status")), "resolved");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(p, "reason")), "no-longer-triggers");
	fj = json_array_get(json_object_get(p, "findings"), 0);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(fj, "message")), "A fee of 3000 USD");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(fj, "id")), fid_fee);
	json_decref(p);

	/* And back: opened again. */
	rep = mk_report(
	    "g1", "Registered Nurse", json_pack("[oo]", f_ssl(), f_fee("A fee of 3000 USD")));
	mk_item(&it, w.feed, 4, T0 + 50, "g1", "sha256:d4", rep);
	record(w.t.db, &it, w.subs, 1, 0, 0, 5, &r);
	CU_ASSERT_EQUAL(r.changed, 1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM findings WHERE status = 'open'", NULL), 2);
	CU_ASSERT_EQUAL(
	    q1(w.t.db, "SELECT opened_at FROM findings WHERE id = ?", fid_fee), T0 + 50);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM events", NULL), 2 + 1 + 1 + 2 + 1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM outbox", NULL), 10 + 5 + 5 + 10 + 5);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM items", NULL), 1);
	json_decref(rep);

	/* Current: same content and rulebook, not otherwise. */
	CU_ASSERT_EQUAL(
	    track_is_current(w.t.db, w.feed, "g1", "sha256:d4", "rb-1", 5, T0 + 60, &err), 1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT last_poll FROM items WHERE guid = 'g1'", NULL), 5);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT last_seen FROM items WHERE guid = 'g1'", NULL), T0 + 60);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT first_seen FROM items WHERE guid = 'g1'", NULL), T0);
	CU_ASSERT_EQUAL(
	    track_is_current(w.t.db, w.feed, "g1", "sha256:d5", "rb-1", 6, T0 + 70, &err), 0);
	CU_ASSERT_EQUAL(
	    track_is_current(w.t.db, w.feed, "g1", "sha256:d4", "rb-2", 6, T0 + 70, &err), 0);
	CU_ASSERT_EQUAL(
	    track_is_current(w.t.db, w.feed, "g2", "sha256:d4", "rb-1", 6, T0 + 70, &err), 0);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT last_poll FROM items WHERE guid = 'g1'", NULL), 5);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM pragma_foreign_key_check", NULL), 0);
	world_close(&w);
}

static void
test_sweep(void)
{
	struct world w;
	struct track_item it;
	struct rw_error err;
	json_t *rep1, *rep2, *p;
	int resolved = -1;
	char *s;

	world_open(&w);
	rep1 = mk_report("g1", "Nurse", json_pack("[o]", f_ssl()));
	rep2 = mk_report("g2", "Midwife", json_pack("[o]", f_fee("A fee")));
	mk_item(&it, w.feed, 1, T0, "g1", "sha256:d1", rep1);
	record(w.t.db, &it, w.subs, 1, 0, 0, 5, NULL);
	mk_item(&it, w.feed, 1, T0, "g2", "sha256:d2", rep2);
	record(w.t.db, &it, w.subs, 1, 0, 0, 5, NULL);

	/* Poll 2 sees g1 only. */
	CU_ASSERT_EQUAL(
	    track_is_current(w.t.db, w.feed, "g1", "sha256:d1", "rb-1", 2, T0 + 100, &err), 1);
	CU_ASSERT_EQUAL(track_sweep(w.t.db, w.feed, 2, T0 + 100, w.subs, &resolved, &err), 0);
	CU_ASSERT_EQUAL(resolved, 1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT gone_at FROM items WHERE guid = 'g2'", NULL), T0 + 100);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT gone_at FROM items WHERE guid = 'g1'", NULL), -3);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM findings WHERE status = 'open'", NULL), 1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM outbox", NULL), 15);
	s = event_payload(w.t.db, "finding.resolved", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = json_loads(s, 0, NULL);
	free(s);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(p, "reason")), "item-removed");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(p, "document"), "title")), "Midwife");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
				   json_array_get(json_object_get(p, "findings"), 0), "rule")),
	    "FEE-1");
	json_decref(p);

	/* A second sweep of the same poll finds nothing more. */
	CU_ASSERT_EQUAL(track_sweep(w.t.db, w.feed, 2, T0 + 110, w.subs, &resolved, &err), 0);
	CU_ASSERT_EQUAL(resolved, 0);

	/* g2 comes back unchanged: not current (it was gone), recorded, its finding reopened. */
	CU_ASSERT_EQUAL(
	    track_is_current(w.t.db, w.feed, "g2", "sha256:d2", "rb-1", 3, T0 + 200, &err), 0);
	mk_item(&it, w.feed, 3, T0 + 200, "g2", "sha256:d2", rep2);
	record(w.t.db, &it, w.subs, 1, 0, 0, 5, NULL);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT gone_at FROM items WHERE guid = 'g2'", NULL), -3);
	json_decref(rep1);
	json_decref(rep2);
	world_close(&w);
}

struct due {
	int n;
	int64_t ids[8];
};

static int
due_cb(const struct outbox_row *r, void *arg)
{
	struct due *d = arg;

	if (d->n < 8)
		d->ids[d->n] = r->id;
	d->n++;
	return 0;
}

static void
test_outbox(void)
{
	struct tdb t;
	struct track_item it;
	struct rw_error err;
	struct outbox_row r;
	struct outbox_stats st;
	struct subs *subs;
	struct due d;
	int64_t feed, sx, sy, ids[3];
	json_t *rep;
	int i;

	tdb_open(&t);
	feed = mk_feed(t.db, "f");
	sx = sync_sub(t.db, "x", "{\"categories\": [\"worker-fees\"]}");
	sy = sync_sub(t.db, "y", "{}");
	subs = subs_load(t.db, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(subs);
	/* Three items at three times, each with a fee finding: 3 rows for x, 3 for y. */
	for (i = 0; i < 3; i++) {
		char guid[8];

		snprintf(guid, sizeof(guid), "g%d", i);
		rep = mk_report(guid, "Nurse", json_pack("[o]", f_fee("A fee")));
		mk_item(&it, feed, 1, T0 + 10 * i, guid, "sha256:d", rep);
		record(t.db, &it, subs, 1, 0, 0, 2, NULL);
		json_decref(rep);
	}
	CU_ASSERT_EQUAL(outbox_head(t.db, sx, &r, &err), 1);
	ids[0] = r.id;
	CU_ASSERT_STRING_EQUAL(r.type, "finding.opened");
	CU_ASSERT_EQUAL(r.created, T0);
	CU_ASSERT_EQUAL(r.sub_id, sx);
	CU_ASSERT_EQUAL(r.attempts, 0);
	CU_ASSERT_EQUAL(strncmp(r.event_id, "evt_", 4), 0);
	CU_ASSERT_PTR_NOT_NULL(r.payload != NULL ? strstr(r.payload, r.event_id) : NULL);
	outbox_row_clear(&r);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(outbox_due(t.db, sx, T0 + 20, 10, due_cb, &d, &err), 3);
	CU_ASSERT_EQUAL(d.n, 3);
	ids[1] = d.ids[1];
	ids[2] = d.ids[2];
	CU_ASSERT_EQUAL(d.ids[0], ids[0]);
	CU_ASSERT_TRUE(ids[0] < ids[1] && ids[1] < ids[2]);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(outbox_due(t.db, sx, T0 + 20, 2, due_cb, &d, &err), 2);

	/* A failure keeps the head and holds back the rest until it is due. */
	CU_ASSERT_EQUAL(outbox_failed(t.db, ids[0], T0 + 30, "HTTP 500", T0 + 90, 0, &err), 0);
	CU_ASSERT_EQUAL(outbox_head(t.db, sx, &r, &err), 1);
	CU_ASSERT_EQUAL(r.id, ids[0]);
	CU_ASSERT_EQUAL(r.attempts, 1);
	CU_ASSERT_EQUAL(r.next_attempt, T0 + 90);
	outbox_row_clear(&r);
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(outbox_due(t.db, sx, T0 + 60, 10, due_cb, &d, &err), 0);
	CU_ASSERT_EQUAL(outbox_due(t.db, sx, T0 + 90, 10, due_cb, &d, &err), 3);

	/* Dead: the next one is the head; delivered: the one after. */
	CU_ASSERT_EQUAL(outbox_failed(t.db, ids[0], T0 + 90, "HTTP 410", T0 + 200, 1, &err), 0);
	CU_ASSERT_EQUAL(outbox_head(t.db, sx, &r, &err), 1);
	CU_ASSERT_EQUAL(r.id, ids[1]);
	CU_ASSERT_EQUAL(r.created, T0 + 10);
	outbox_row_clear(&r);
	CU_ASSERT_EQUAL(outbox_delivered(t.db, ids[1], T0 + 95, &err), 0);
	CU_ASSERT_EQUAL(outbox_head(t.db, sx, &r, &err), 1);
	CU_ASSERT_EQUAL(r.id, ids[2]);
	outbox_row_clear(&r);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT attempts FROM outbox WHERE state = 'dead'", NULL), 2);
	CU_ASSERT_EQUAL(
	    q1(t.db, "SELECT delivered_at FROM outbox WHERE state = 'delivered'", NULL), T0 + 95);

	CU_ASSERT_EQUAL(outbox_stats(t.db, sx, &st, &err), 0);
	CU_ASSERT_EQUAL(st.pending, 1);
	CU_ASSERT_EQUAL(st.delivered, 1);
	CU_ASSERT_EQUAL(st.dead, 1);
	CU_ASSERT_EQUAL(st.oldest_pending, T0 + 20);
	CU_ASSERT_EQUAL(outbox_stats(t.db, 0, &st, &err), 0);
	CU_ASSERT_EQUAL(st.pending, 4);
	CU_ASSERT_EQUAL(st.delivered, 1);
	CU_ASSERT_EQUAL(st.dead, 1);
	CU_ASSERT_EQUAL(st.oldest_pending, T0);

	/* The last one delivered: nothing pending for x. */
	CU_ASSERT_EQUAL(outbox_delivered(t.db, ids[2], T0 + 96, &err), 0);
	CU_ASSERT_EQUAL(outbox_head(t.db, sx, &r, &err), 0);
	CU_ASSERT_EQUAL(outbox_stats(t.db, sx, &st, &err), 0);
	CU_ASSERT_EQUAL(st.pending, 0);
	CU_ASSERT_EQUAL(st.oldest_pending, 0);
	CU_ASSERT_EQUAL(outbox_head(t.db, sy, &r, &err), 1);
	CU_ASSERT_EQUAL(r.created, T0);
	outbox_row_clear(&r);

	CU_ASSERT_EQUAL(outbox_delivered(t.db, 9999, T0, &err), -1);
	CU_ASSERT_EQUAL(outbox_failed(t.db, ids[0], T0, "again", T0, 0, &err), -1); /* dead */
	subs_free(subs);
	tdb_close(&t);
}

static void
test_raw(void)
{
	struct tdb t;
	struct track_item it;
	struct subs *subs;
	struct rw_error err;
	static const char abc[] = "abc";
	unsigned char big[10000], out[10000];
	uLongf outlen = sizeof(out);
	sqlite3_stmt *st;
	int64_t feed;
	json_t *rep;
	size_t i;

	tdb_open(&t);
	feed = mk_feed(t.db, "f");
	subs = subs_load(t.db, &err);
	rep = mk_report("g", "Nurse", json_array());
	mk_item(&it, feed, 1, T0, "g1", "sha256:d1", rep);
	it.raw = (const unsigned char *)abc;
	it.rawlen = 3;
	record(t.db, &it, subs, 0, 0, 0, 0, NULL);
	mk_item(&it, feed, 1, T0, "g2", "sha256:d1", rep);
	it.raw = (const unsigned char *)abc;
	it.rawlen = 3;
	record(t.db, &it, subs, 0, 0, 0, 0, NULL);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM raws", NULL), 1);
	/* SHA-256("abc") from FIPS 180-2, appendix B.1. */
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM items WHERE raw_sha256 = ?",
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	    2);

	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)("recruitment "[i % 12]);
	mk_item(&it, feed, 1, T0, "g3", "sha256:d3", rep);
	it.raw = big;
	it.rawlen = sizeof(big);
	record(t.db, &it, subs, 0, 0, 0, 0, NULL);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM raws", NULL), 2);
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db_handle(t.db),
				  "SELECT r.size, r.zlib FROM raws r JOIN items i ON "
				  "i.raw_sha256 = r.sha256 WHERE i.guid = 'g3'",
				  -1, &st, NULL),
	    SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_EQUAL(sqlite3_column_int64(st, 0), 10000);
	CU_ASSERT_TRUE(sqlite3_column_bytes(st, 1) < 1000); /* it was compressed */
	CU_ASSERT_EQUAL(uncompress(out, &outlen, sqlite3_column_blob(st, 1),
			    (uLong)sqlite3_column_bytes(st, 1)),
	    Z_OK);
	CU_ASSERT_EQUAL(outlen, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(out, big, sizeof(big)), 0);
	sqlite3_finalize(st);
	json_decref(rep);
	subs_free(subs);
	tdb_close(&t);
}

static void
test_full_disk(void)
{
	struct world w;
	struct track_item it;
	struct track_result r;
	struct rw_error err;
	static unsigned char noise[256 * 1024];
	size_t i;
	int64_t events, outbox, items, raws, findings;
	json_t *rep;

	world_open(&w);
	rep = mk_report("g1", "Nurse", json_pack("[oo]", f_ssl(), f_fee("A fee")));
	mk_item(&it, w.feed, 1, T0, "g1", "sha256:d1", rep);
	record(w.t.db, &it, w.subs, 2, 0, 0, 10, NULL);
	json_decref(rep);
	events = q1(w.t.db, "SELECT count(*) FROM events", NULL);
	outbox = q1(w.t.db, "SELECT count(*) FROM outbox", NULL);
	items = q1(w.t.db, "SELECT count(*) FROM items", NULL);
	raws = q1(w.t.db, "SELECT count(*) FROM raws", NULL);
	findings = q1(w.t.db, "SELECT count(*) FROM findings", NULL);

	/*
	 * The file may not grow. The new raw, the item, the first finding's event and its five
	 * outbox rows fit in the pages there are; the second finding's message (random, 256 KiB
	 * of hex) does not: the whole record must go.
	 */
	CU_ASSERT_EQUAL_FATAL(RAND_bytes(noise, sizeof(noise) / 2), 1);
	for (i = sizeof(noise) / 2; i-- > 0;) {
		noise[2 * i + 1] = (unsigned char)"0123456789abcdef"[noise[i] & 15];
		noise[2 * i] = (unsigned char)"0123456789abcdef"[noise[i] >> 4];
	}
	noise[sizeof(noise) - 1] = '\0';
	CU_ASSERT_EQUAL(db_set_max_bytes(w.t.db, 4096, &err), 0);
	rep = mk_report("g2", "Midwife", json_pack("[oo]", f_ssl(), f_fee((const char *)noise)));
	mk_item(&it, w.feed, 1, T0 + 5, "g2", "sha256:d2", rep);
	it.raw = (const unsigned char *)"xyz";
	it.rawlen = 3;
	rw_error_clear(&err);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(track_record(w.t.db, &it, w.subs, &r, &err), -1);
	/* With a short message the same record fits: it failed at the second finding. */
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "inserting a finding: database or disk is full"));
	CU_ASSERT_STRING_EQUAL(err.source, w.t.path);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM events", NULL), events);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM outbox", NULL), outbox);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM items", NULL), items);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM raws", NULL), raws);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM findings", NULL), findings);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM items WHERE guid = 'g2'", NULL), 0);
	CU_ASSERT_EQUAL(sqlite3_get_autocommit(db_handle(w.t.db)), 1); /* no transaction left */

	/* Room again: the same call succeeds. */
	CU_ASSERT_EQUAL(db_set_max_bytes(w.t.db, 0, &err), 0);
	record(w.t.db, &it, w.subs, 2, 0, 0, 10, &r);
	CU_ASSERT_EQUAL(r.is_new, 1);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM events", NULL), events + 2);
	CU_ASSERT_EQUAL(q1(w.t.db, "SELECT count(*) FROM raws", NULL), raws + 1);
	json_decref(rep);
	world_close(&w);
}

/*
 * One subscription. t=1000: g1 (raw r1, ssl) and g2 (raw r2, fee) opened: e1/o1, e2/o2.
 * t=2000: g1 without findings (e3/o3 resolved), g2 swept (e4/o4 resolved). o1..o3 delivered,
 * o4 pending.
 */
static void
test_prune(void)
{
	struct tdb t;
	struct track_item it;
	struct rw_error err;
	struct subs *subs;
	struct outbox_row r;
	int64_t feed, deleted = -1;
	json_t *rep1, *rep2, *rep3;
	int resolved = 0, i;

	tdb_open(&t);
	feed = mk_feed(t.db, "f");
	sync_sub(t.db, "all", "{}");
	subs = subs_load(t.db, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(subs);
	rep1 = mk_report("g1", "Nurse", json_pack("[o]", f_ssl()));
	rep2 = mk_report("g2", "Midwife", json_pack("[o]", f_fee("A fee")));
	rep3 = mk_report("g1", "Nurse", json_array());
	mk_item(&it, feed, 1, 1000, "g1", "sha256:d1", rep1);
	it.raw = (const unsigned char *)"r1";
	it.rawlen = 2;
	record(t.db, &it, subs, 1, 0, 0, 1, NULL);
	mk_item(&it, feed, 1, 1000, "g2", "sha256:d2", rep2);
	it.raw = (const unsigned char *)"r2";
	it.rawlen = 2;
	record(t.db, &it, subs, 1, 0, 0, 1, NULL);
	mk_item(&it, feed, 2, 2000, "g1", "sha256:d3", rep3);
	it.raw = (const unsigned char *)"r1";
	it.rawlen = 2;
	record(t.db, &it, subs, 0, 0, 1, 1, NULL);
	CU_ASSERT_EQUAL(track_sweep(t.db, feed, 2, 2000, subs, &resolved, &err), 0);
	CU_ASSERT_EQUAL(resolved, 1);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(outbox_head(t.db, subs_at(subs, 0)->id, &r, &err), 1);
		CU_ASSERT_EQUAL(outbox_delivered(t.db, r.id, 2500, &err), 0);
		outbox_row_clear(&r);
	}

	/* Before 1500: o1, o2, then e1, e2. */
	CU_ASSERT_EQUAL(track_prune(t.db, 1500, &deleted, &err), 0);
	CU_ASSERT_EQUAL(deleted, 4);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM events", NULL), 2);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM findings", NULL), 2);

	/* Before 3000: o3, e3, both resolved findings, g2 and its raw; o4 and e4 wait. */
	CU_ASSERT_EQUAL(track_prune(t.db, 3000, &deleted, &err), 0);
	CU_ASSERT_EQUAL(deleted, 6);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM outbox WHERE state = 'pending'", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM outbox", NULL), 1);
	CU_ASSERT_EQUAL(
	    q1(t.db, "SELECT count(*) FROM events WHERE type = 'finding.resolved'", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM events", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM findings", NULL), 0);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM items WHERE guid = 'g1'", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM items", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM raws", NULL), 1);
	CU_ASSERT_EQUAL(q1(t.db, "SELECT count(*) FROM pragma_foreign_key_check", NULL), 0);

	/* The pending alert is still deliverable. */
	CU_ASSERT_EQUAL(outbox_head(t.db, subs_at(subs, 0)->id, &r, &err), 1);
	CU_ASSERT_STRING_EQUAL(r.type, "finding.resolved");
	outbox_row_clear(&r);
	json_decref(rep1);
	json_decref(rep2);
	json_decref(rep3);
	subs_free(subs);
	tdb_close(&t);
}

static const struct cu_test tests[] = {
    {"migrations", test_migrations},
    {"feeds", test_feeds},
    {"filters", test_filters},
    {"subs", test_subs},
    {"track lifecycle", test_track_lifecycle},
    {"sweep", test_sweep},
    {"outbox", test_outbox},
    {"raw dedupe", test_raw},
    {"full disk", test_full_disk},
    {"prune", test_prune},
    {NULL, NULL},
};

RW_CU_MAIN("state", tests)
