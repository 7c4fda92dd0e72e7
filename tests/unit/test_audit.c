/* Unit tests for agency audits over a real SQLite file: findings opened and resolved at chosen
 * times through track_record, then the agency list, month buckets, time to resolve and the CSV
 * export checked against values worked out by hand; and the API subscriptions' state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "audit.h"
#include "cu.h"
#include "db.h"
#include "feeds.h"
#include "subs.h"
#include "track.h"

#define HARBOUR "Harbour Health Recruitment"
#define DAY 86400
/* 2024-01-10T00:00:00Z, 2024-01-13, 2024-01-20, 2024-02-05, 2024-02-06, 2024-02-19 */
#define JAN10 1704844800
#define JAN13 (JAN10 + 3 * DAY)
#define JAN20 (JAN10 + 10 * DAY)
#define FEB05 1707091200
#define FEB06 (FEB05 + DAY)
#define FEB19 (JAN20 + 30 * DAY)

struct tdb {
	char dir[64];
	char path[128];
	struct db *db;
	struct subs *subs;
};

static void
tdb_open(struct tdb *t)
{
	struct rw_error err;

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/rw-audit-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/state.db", t->dir);
	t->db = db_open(t->path, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->db);
	t->subs = subs_load(t->db, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->subs);
}

static void
tdb_close(struct tdb *t)
{
	const char *suffix[] = {"", "-wal", "-shm"};
	char p[160];
	size_t i;

	subs_free(t->subs);
	db_close(t->db);
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static json_t *
mk_finding(const char *rule, const char *cat, const char *sev, const char *ev)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}", "rule", rule, "category", cat,
	    "severity", sev, "message", "msg", "evidence", "path", "/posting/text", "text", ev);
}

static json_t *
f_ssl(void)
{
	return mk_finding("SSL-1", "active-recruitment-ssl", "critical",
	    "We are recruiting nurses living in Nigeria.");
}

static json_t *
f_fee(void)
{
	return mk_finding("FEE-1", "worker-fees", "high", "A fee of \"2,000\" USD applies.");
}

/* Records the item (feed, guid) at now with the findings (stolen). */
static void
record(struct tdb *t, int64_t feed, const char *agency, const char *guid, const char *doc,
    int64_t now, json_t *findings)
{
	struct track_item it;
	struct track_result r;
	struct rw_error err;
	char url[128];
	json_t *rep;
	int rc;

	snprintf(url, sizeof(url), "https://agency.example/jobs/%s", guid);
	rep = json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:i, s:s, s:s}}, s:o}", "document",
	    "id", doc, "kind", "posting", "title", "Registered Nurse", "agency", agency, "origin",
	    "source", "https://agency.example/feed.xml", "guid", guid, "index", 0, "url", url,
	    "format", "rss2", "findings", findings);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	memset(&it, 0, sizeof(it));
	it.feed_id = feed;
	it.poll = now;
	it.now = now;
	it.guid = guid;
	it.doc_id = doc;
	it.rulebook = "rb-1";
	it.format = "rss2";
	it.title = "Registered Nurse";
	it.agency = agency;
	it.destinations = "GB";
	it.sources = "NG";
	it.report = rep;
	rc = track_record(t->db, &it, t->subs, &r, &err);
	if (rc != 0)
		fprintf(stderr, "track_record: %s\n", err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	json_decref(rep);
}

/* Harbour: g1 (SSL + FEE, Jan 10; FEE resolved Jan 13: 3 days), g2 (FEE, Jan 20; resolved
 * Feb 19: 30 days), g3 (SSL, Feb 5; resolved Feb 6: 1 day). Acme, under two spellings: two
 * items, no finding. */
static void
populate(struct tdb *t)
{
	struct rw_error err;
	int64_t feed = 0, feed2 = 0;

	CU_ASSERT_EQUAL_FATAL(
	    feeds_sync(t->db, "harbour", "https://agency.example/feed.xml", HARBOUR, &feed, &err),
	    0);
	CU_ASSERT_EQUAL_FATAL(
	    feeds_sync(t->db, "acme", "https://acme.example/feed.xml", "Acme", &feed2, &err), 0);
	record(t, feed, HARBOUR, "g1", "sha256:1a", JAN10, json_pack("[o, o]", f_ssl(), f_fee()));
	record(t, feed, HARBOUR, "g2", "sha256:2a", JAN20, json_pack("[o]", f_fee()));
	record(t, feed, HARBOUR, "g1", "sha256:1b", JAN13, json_pack("[o]", f_ssl()));
	record(t, feed, HARBOUR, "g3", "sha256:3a", FEB05, json_pack("[o]", f_ssl()));
	record(t, feed, HARBOUR, "g3", "sha256:3b", FEB06, json_array());
	record(t, feed, HARBOUR, "g2", "sha256:2b", FEB19, json_array());
	record(t, feed2, "Acme & Co. Ltd", "a1", "sha256:a1", JAN10, json_array());
	record(t, feed2, "ACME & Co Ltd", "a2", "sha256:a2", JAN13, json_array());
}

static void
test_slug(void)
{
	char s[64];

	audit_slug("Acme Health Ltd.", s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "acme-health-ltd");
	audit_slug("  --Foo__Bar--  ", s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "foo-bar");
	audit_slug("Sant\xc3\xa9 Plus 24", s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "sant-plus-24");
	audit_slug("!!!", s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "");
	audit_slug(NULL, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "");
	/* cut short: never a dash at the end */
	audit_slug("abc def", s, 5);
	CU_ASSERT_STRING_EQUAL(s, "abc");
	audit_slug("abc def", s, 6);
	CU_ASSERT_STRING_EQUAL(s, "abc-d");
}

struct collect {
	struct audit_agency v[8];
	size_t n;
};

static int
collect_cb(const struct audit_agency *a, void *arg)
{
	struct collect *c = arg;

	if (c->n < 8)
		c->v[c->n++] = *a;
	return 0;
}

static void
test_agencies(void)
{
	struct tdb t;
	struct collect c;
	struct audit_agency a;
	struct rw_error err;

	tdb_open(&t);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(audit_agencies(t.db, collect_cb, &c, &err), 0);
	CU_ASSERT_EQUAL(c.n, 0);
	populate(&t);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(audit_agencies(t.db, collect_cb, &c, &err), 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	/* by id; the two spellings of Acme are one agency, named by the first in byte order */
	CU_ASSERT_STRING_EQUAL(c.v[0].id, "acme-co-ltd");
	CU_ASSERT_STRING_EQUAL(c.v[0].name, "ACME & Co Ltd");
	CU_ASSERT_EQUAL(c.v[0].items, 2);
	CU_ASSERT_EQUAL(c.v[0].open, 0);
	CU_ASSERT_EQUAL(c.v[0].resolved, 0);
	CU_ASSERT_EQUAL(c.v[0].last_seen, JAN13);
	CU_ASSERT_STRING_EQUAL(c.v[1].id, "harbour-health-recruitment");
	CU_ASSERT_STRING_EQUAL(c.v[1].name, HARBOUR);
	CU_ASSERT_EQUAL(c.v[1].items, 3);
	CU_ASSERT_EQUAL(c.v[1].open, 1);
	CU_ASSERT_EQUAL(c.v[1].resolved, 3);
	CU_ASSERT_EQUAL(c.v[1].last_seen, FEB19);

	CU_ASSERT_EQUAL(audit_agency_get(t.db, "harbour-health-recruitment", &a, &err), 1);
	CU_ASSERT_EQUAL(a.items, 3);
	CU_ASSERT_EQUAL(audit_agency_get(t.db, "harbour", &a, &err), 0);
	CU_ASSERT_EQUAL(audit_agency_get(t.db, "", &a, &err), 0);
	/* a quote in the id is data, not SQL */
	CU_ASSERT_EQUAL(audit_agency_get(t.db, "x' OR '1'='1", &a, &err), 0);
	tdb_close(&t);
}

static void
test_report(void)
{
	struct tdb t;
	struct audit_report r;
	struct rw_error err;
	const struct audit_evidence *e;

	tdb_open(&t);
	populate(&t);
	CU_ASSERT_EQUAL(audit_report(t.db, "nobody", 0, 0, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(audit_report(t.db, "harbour-health-recruitment", 0, 0, &r, &err), 1);
	CU_ASSERT_STRING_EQUAL(r.agency.name, HARBOUR);
	CU_ASSERT_EQUAL_FATAL(r.nbuckets, 3);
	CU_ASSERT_STRING_EQUAL(r.buckets[0].month, "2024-01");
	CU_ASSERT_STRING_EQUAL(r.buckets[0].category, "active-recruitment-ssl");
	CU_ASSERT_EQUAL(r.buckets[0].opened, 1);
	CU_ASSERT_EQUAL(r.buckets[0].resolved, 0);
	CU_ASSERT_STRING_EQUAL(r.buckets[1].month, "2024-01");
	CU_ASSERT_STRING_EQUAL(r.buckets[1].category, "worker-fees");
	CU_ASSERT_EQUAL(r.buckets[1].opened, 2);
	CU_ASSERT_EQUAL(r.buckets[1].resolved, 2);
	CU_ASSERT_STRING_EQUAL(r.buckets[2].month, "2024-02");
	CU_ASSERT_STRING_EQUAL(r.buckets[2].category, "active-recruitment-ssl");
	CU_ASSERT_EQUAL(r.buckets[2].opened, 1);
	CU_ASSERT_EQUAL(r.buckets[2].resolved, 1);
	CU_ASSERT_EQUAL(r.open, 1);
	CU_ASSERT_EQUAL(r.resolved, 3);
	/* 3, 30 and 1 days */
	CU_ASSERT_EQUAL(r.ttr_count, 3);
	CU_ASSERT_DOUBLE_EQUAL(r.ttr_median_days, 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.ttr_mean_days, 34.0 / 3.0, 1e-9);
	/* by opened_at, then id: g1's two (same time), g2, g3 */
	CU_ASSERT_EQUAL_FATAL(r.nevidence, 4);
	CU_ASSERT_EQUAL(r.evidence[0].opened_at, JAN10);
	CU_ASSERT_EQUAL(r.evidence[1].opened_at, JAN10);
	CU_ASSERT(strcmp(r.evidence[0].id, r.evidence[1].id) < 0);
	e = strcmp(r.evidence[0].rule, "FEE-1") == 0 ? &r.evidence[0] : &r.evidence[1];
	CU_ASSERT_STRING_EQUAL(e->rule, "FEE-1");
	CU_ASSERT_STRING_EQUAL(e->status, "resolved");
	CU_ASSERT_EQUAL(e->resolved_at, JAN13);
	CU_ASSERT_STRING_EQUAL(e->guid, "g1");
	CU_ASSERT_STRING_EQUAL(e->url, "https://agency.example/jobs/g1");
	CU_ASSERT_STRING_EQUAL(e->title, "Registered Nurse");
	CU_ASSERT_EQUAL_FATAL(e->ntexts, 1);
	CU_ASSERT_STRING_EQUAL(e->texts[0], "A fee of \"2,000\" USD applies.");
	e = e == &r.evidence[0] ? &r.evidence[1] : &r.evidence[0];
	CU_ASSERT_STRING_EQUAL(e->rule, "SSL-1");
	CU_ASSERT_STRING_EQUAL(e->status, "open");
	CU_ASSERT_EQUAL(e->resolved_at, 0);
	CU_ASSERT_STRING_EQUAL(r.evidence[2].guid, "g2");
	CU_ASSERT_EQUAL(r.evidence[2].resolved_at, FEB19);
	CU_ASSERT_STRING_EQUAL(r.evidence[3].guid, "g3");
	CU_ASSERT_STRING_EQUAL(r.evidence[3].category, "active-recruitment-ssl");
	CU_ASSERT_STRING_EQUAL(r.evidence[3].severity, "critical");
	audit_report_clear(&r);

	/* opened from Jan 15: g2 (30 days) and g3 (1 day); an even count's median is the mean of
	 * the middle two */
	CU_ASSERT_EQUAL_FATAL(
	    audit_report(t.db, "harbour-health-recruitment", JAN13 + 2 * DAY, 0, &r, &err), 1);
	CU_ASSERT_EQUAL(r.nevidence, 2);
	CU_ASSERT_EQUAL(r.open, 0);
	CU_ASSERT_EQUAL(r.resolved, 2);
	CU_ASSERT_DOUBLE_EQUAL(r.ttr_median_days, 15.5, 1e-9);
	CU_ASSERT_EQUAL(r.nbuckets, 2);
	audit_report_clear(&r);

	/* until is exclusive: up to Feb 5 00:00 leaves g3 out */
	CU_ASSERT_EQUAL_FATAL(
	    audit_report(t.db, "harbour-health-recruitment", 0, FEB05, &r, &err), 1);
	CU_ASSERT_EQUAL(r.nevidence, 3);
	CU_ASSERT_EQUAL(r.nbuckets, 2);
	CU_ASSERT_EQUAL(r.ttr_count, 2);
	CU_ASSERT_DOUBLE_EQUAL(r.ttr_mean_days, 16.5, 1e-9);
	audit_report_clear(&r);

	/* an agency with items and no findings has an empty audit, not a 404 */
	CU_ASSERT_EQUAL_FATAL(audit_report(t.db, "acme-co-ltd", 0, 0, &r, &err), 1);
	CU_ASSERT_EQUAL(r.nevidence, 0);
	CU_ASSERT_EQUAL(r.nbuckets, 0);
	CU_ASSERT_EQUAL(r.ttr_count, 0);
	CU_ASSERT_DOUBLE_EQUAL(r.ttr_median_days, 0.0, 1e-9);
	audit_report_clear(&r);
	tdb_close(&t);
}

static void
check_field(const char *in, const char *want)
{
	char *got = audit_csv_field(in);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(
		    stderr, "csv field [%s]: got [%s], want [%s]\n", in ? in : "(null)", got, want);
	free(got);
}

static void
test_csv_field(void)
{
	check_field("plain text", "plain text");
	check_field("", "");
	check_field(NULL, "");
	check_field("a,b", "\"a,b\"");
	check_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	check_field("\"", "\"\"\"\"");
	check_field("two\nlines", "\"two\nlines\"");
	check_field("cr\rhere", "\"cr\rhere\"");
	/* formulas stay text */
	check_field("=SUM(A1:A9)", "'=SUM(A1:A9)");
	check_field("+44 20", "'+44 20");
	check_field("-1", "'-1");
	check_field("@cmd", "'@cmd");
	check_field("\tx", "'\tx");
	/* both: the ' goes inside the quotes */
	check_field(
	    "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	/* only a leading sign counts */
	check_field("a=b-c", "a=b-c");
}

static void
test_csv(void)
{
	char t0[] = "=cmd|' /C calc'!A0", t1[] = "second", title[] = "Nurse, \"band 5\"";
	char guid[] = "g1", url[] = "https://x.example/1", msg[] = "Fee\ncharged";
	char *texts[] = {t0, t1};
	struct audit_evidence ev[2];
	struct audit_report r;
	size_t len = 0;
	char *csv;

	memset(&r, 0, sizeof(r));
	memset(ev, 0, sizeof(ev));
	strlcpy(ev[0].id, "f_1", sizeof(ev[0].id));
	strlcpy(ev[0].rule, "FEE-1", sizeof(ev[0].rule));
	strlcpy(ev[0].category, "worker-fees", sizeof(ev[0].category));
	strlcpy(ev[0].severity, "high", sizeof(ev[0].severity));
	strlcpy(ev[0].status, "resolved", sizeof(ev[0].status));
	ev[0].opened_at = JAN10;
	ev[0].resolved_at = JAN13;
	ev[0].title = title;
	ev[0].guid = guid;
	ev[0].url = url;
	ev[0].message = msg;
	ev[0].texts = texts;
	ev[0].ntexts = 2;
	strlcpy(ev[1].id, "f_2", sizeof(ev[1].id));
	strlcpy(ev[1].rule, "SSL-1", sizeof(ev[1].rule));
	strlcpy(ev[1].category, "active-recruitment-ssl", sizeof(ev[1].category));
	strlcpy(ev[1].severity, "critical", sizeof(ev[1].severity));
	strlcpy(ev[1].status, "open", sizeof(ev[1].status));
	ev[1].opened_at = FEB05;
	r.evidence = ev;
	r.nevidence = 2;
	csv = audit_csv(&r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(csv,
	    "id,rule,category,severity,status,opened_at,resolved_at,title,guid,url,message,"
	    "evidence\r\n"
	    "f_1,FEE-1,worker-fees,high,resolved,2024-01-10T00:00:00Z,2024-01-13T00:00:00Z,"
	    "\"Nurse, \"\"band 5\"\"\",g1,https://x.example/1,\"Fee\ncharged\","
	    "'=cmd|' /C calc'!A0 | second\r\n"
	    "f_2,SSL-1,active-recruitment-ssl,critical,open,2024-02-05T00:00:00Z,,,,,,\r\n");
	CU_ASSERT_EQUAL(len, strlen(csv));
	free(csv);
}

static void
test_subs_api(void)
{
	struct tdb t;
	struct rw_error err;
	struct sub_filter f;
	struct sub_row row;
	struct subs *s;
	int64_t id = 0, id2 = 0, cid = 0;
	const char *s1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	const char *s2 = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";

	tdb_open(&t);
	memset(&f, 0, sizeof(f));
	f.min = SEV_HIGH;
	CU_ASSERT_EQUAL(subs_sync(t.db, "from-config", "hook", &f, &cid, &err), 0);
	CU_ASSERT_EQUAL(
	    subs_api_add(t.db, "reg-a", "https://r.example/hook", &f, "alice", s1, &id, &err), 0);
	/* a taken name, whether by the API or the configuration */
	CU_ASSERT_EQUAL(
	    subs_api_add(t.db, "reg-a", "https://r.example/2", &f, "bob", s1, &id2, &err), 1);
	CU_ASSERT_EQUAL(
	    subs_api_add(t.db, "from-config", "https://r.example/2", &f, "bob", s1, &id2, &err), 1);
	/* unverified: not loaded for delivery, not listed, not found */
	s = subs_load(t.db, &err);
	CU_ASSERT_EQUAL(subs_count(s), 1);
	subs_free(s);
	CU_ASSERT_EQUAL(subs_get(t.db, id, &row, &err), 0);
	CU_ASSERT_EQUAL(subs_api_verified(t.db, id, &err), 0);
	s = subs_load(t.db, &err);
	CU_ASSERT_EQUAL_FATAL(subs_count(s), 2);
	CU_ASSERT_STRING_EQUAL(subs_at(s, 1)->name, "reg-a");
	CU_ASSERT_STRING_EQUAL(subs_at(s, 1)->origin, "api");
	CU_ASSERT_STRING_EQUAL(subs_at(s, 1)->url, "https://r.example/hook");
	CU_ASSERT_STRING_EQUAL(subs_at(s, 1)->secret, s1);
	CU_ASSERT_STRING_EQUAL(subs_at(s, 1)->secret_previous, "");
	CU_ASSERT_STRING_EQUAL(subs_at(s, 1)->owner, "alice");
	CU_ASSERT_EQUAL(subs_at(s, 1)->verified, 1);
	CU_ASSERT_EQUAL(subs_at(s, 1)->filter.min, SEV_HIGH);
	subs_free(s);
	/* listing: the owner's own, or everything for NULL */
	s = subs_list(t.db, "alice", &err);
	CU_ASSERT_EQUAL(subs_count(s), 1);
	subs_free(s);
	s = subs_list(t.db, "bob", &err);
	CU_ASSERT_EQUAL(subs_count(s), 0);
	subs_free(s);
	s = subs_list(t.db, NULL, &err);
	CU_ASSERT_EQUAL(subs_count(s), 2);
	subs_free(s);

	/* rotation: both, then only the new one */
	CU_ASSERT_EQUAL(subs_api_rotate(t.db, id, s2, &err), 1);
	CU_ASSERT_EQUAL_FATAL(subs_get(t.db, id, &row, &err), 1);
	CU_ASSERT_STRING_EQUAL(row.secret, s2);
	CU_ASSERT_STRING_EQUAL(row.secret_previous, s1);
	sub_filter_clear(&row.filter);
	CU_ASSERT_EQUAL(subs_api_rotate(t.db, id, NULL, &err), 1);
	CU_ASSERT_EQUAL_FATAL(subs_get(t.db, id, &row, &err), 1);
	CU_ASSERT_STRING_EQUAL(row.secret, s2);
	CU_ASSERT_STRING_EQUAL(row.secret_previous, "");
	sub_filter_clear(&row.filter);
	/* config subscriptions are not the API's */
	CU_ASSERT_EQUAL(subs_api_rotate(t.db, cid, s2, &err), 0);
	CU_ASSERT_EQUAL(subs_api_delete(t.db, cid, &err), 0);

	/* deleted: gone from every view, and its name is free again */
	CU_ASSERT_EQUAL(subs_api_delete(t.db, id, &err), 1);
	CU_ASSERT_EQUAL(subs_api_delete(t.db, id, &err), 0);
	CU_ASSERT_EQUAL(subs_get(t.db, id, &row, &err), 0);
	s = subs_load(t.db, &err);
	CU_ASSERT_EQUAL(subs_count(s), 1);
	subs_free(s);
	CU_ASSERT_EQUAL(
	    subs_api_add(t.db, "reg-a", "https://r.example/3", &f, "alice", s1, &id2, &err), 0);
	/* a failed verification leaves nothing */
	CU_ASSERT_EQUAL(subs_api_discard(t.db, id2, &err), 0);
	CU_ASSERT_EQUAL(
	    subs_api_add(t.db, "reg-a", "https://r.example/3", &f, "alice", s1, &id2, &err), 0);
	tdb_close(&t);
}

static const struct cu_test tests[] = {
    {"slug", test_slug},
    {"agencies", test_agencies},
    {"report", test_report},
    {"csv_field", test_csv_field},
    {"csv", test_csv},
    {"subs_api", test_subs_api},
    {NULL, NULL},
};

RW_CU_MAIN("audit", tests)
