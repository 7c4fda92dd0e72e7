/* The streaming reader: documents come out item by item while bytes go in, mixed content
 * between cut items is safe, limits and refusals name the place. */
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "feed.h"

static struct norm *nm;

struct got {
	int n;
	char titles[8][64];
	int errors;
};

static int
got_doc(struct doc *d, void *arg)
{
	struct got *g = arg;
	xmlNodePtr n;

	for (n = xmlDocGetRootElement(doc_xml(d))->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, (const xmlChar *)"title") == 0 && g->n < 8) {
			xmlChar *t = xmlNodeGetContent(n);

			snprintf(g->titles[g->n], sizeof(g->titles[0]), "%s", (char *)t);
			xmlFree(t);
		}
	g->n++;
	doc_free(d);
	return 0;
}

static void
got_err(const struct rw_error *e, void *arg)
{
	((struct got *)arg)->errors++;
}

static void
setup(void)
{
	struct rw_error err;

	if (nm == NULL)
		nm = norm_new(DATADIR, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
}

static const char rss[] =
    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
    "<title>Agency</title><description>A channel description long enough "
    "that the reader has sniffed the format before the first item ends: "
    "recruitwatch reads feeds as streams and hands out each document as soon "
    "as its item closes, without waiting for the rest of the feed to arrive. "
    "This padding makes the header exceed the 512 bytes used for sniffing so "
    "that the test sees the streaming path rather than the buffered one, which "
    "is only used for the first few hundred bytes.</description> stray text "
    "<item><title>First</title><description>one</description></item>"
    " more stray text between items "
    "<item><title>Second</title><description>&lt;p&gt;two&lt;/p&gt;</description></item>"
    "tail<item><title>Third</title></item>\n</channel></rss>\n";

/* Byte by byte: every chunk boundary, and the first document before the last byte. */
static void
test_streaming_bytewise(void)
{
	struct got g;
	struct rw_error err;
	struct feed *f;
	size_t i, len = strlen(rss);
	const char *second = strstr(rss, "<item><title>Second");
	int seen_before_end = -1;

	setup();
	memset(&g, 0, sizeof(g));
	f = feed_new(nm, "mem", FMT_AUTO, NULL, got_doc, got_err, &g);
	for (i = 0; i < len; i++) {
		CU_ASSERT_EQUAL_FATAL(feed_push(f, rss + i, 1, &err), 0);
		if (rss + i == second + 20)
			seen_before_end = g.n;
	}
	CU_ASSERT_EQUAL(feed_end(f, &err), 0);
	CU_ASSERT_EQUAL(seen_before_end, 1);
	CU_ASSERT_EQUAL(g.n, 3);
	CU_ASSERT_STRING_EQUAL(g.titles[0], "First");
	CU_ASSERT_STRING_EQUAL(g.titles[1], "Second");
	CU_ASSERT_STRING_EQUAL(g.titles[2], "Third");
	CU_ASSERT_EQUAL(feed_format(f), FMT_RSS2);
	feed_free(f);
}

static void
test_whole_chunk(void)
{
	struct got g;
	struct rw_error err;
	struct feed *f;

	setup();
	memset(&g, 0, sizeof(g));
	f = feed_new(nm, "mem", FMT_AUTO, NULL, got_doc, got_err, &g);
	CU_ASSERT_EQUAL(feed_push(f, rss, strlen(rss), &err), 0);
	CU_ASSERT_EQUAL(feed_end(f, &err), 0);
	CU_ASSERT_EQUAL(g.n, 3);
	feed_free(f);
}

static void
test_entity_refused(void)
{
	const char *bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY a \"aaaa\">\n]>\n"
			   "<rss><channel><item><title>&a;</title></item></channel></rss>";
	struct got g;
	struct rw_error err;
	struct feed *f;

	setup();
	memset(&g, 0, sizeof(g));
	rw_error_clear(&err);
	f = feed_new(nm, "bomb.xml", FMT_AUTO, NULL, got_doc, got_err, &g);
	feed_push(f, bomb, strlen(bomb), &err);
	CU_ASSERT_EQUAL(feed_end(f, &err), -1);
	CU_ASSERT_EQUAL(g.n, 0);
	CU_ASSERT_STRING_EQUAL(err.source, "bomb.xml");
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entity declaration 'a' refused"));
	feed_free(f);
}

static void
test_limits(void)
{
	struct feed_limits lim = {100, 50, 0};
	struct got g;
	struct rw_error err;
	struct feed *f;

	setup();
	memset(&g, 0, sizeof(g));
	f = feed_new(nm, "big", FMT_AUTO, &lim, got_doc, got_err, &g);
	CU_ASSERT_EQUAL(feed_push(f, rss, strlen(rss), &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "larger than the limit of 100 bytes"));
	feed_free(f);

	/* An item over the per-item bound is refused with its line. */
	lim.max_input = 1 << 20;
	lim.max_item = 64;
	memset(&g, 0, sizeof(g));
	f = feed_new(nm, "item", FMT_AUTO, &lim, got_doc, got_err, &g);
	feed_push(f, rss, strlen(rss), &err);
	CU_ASSERT_EQUAL(feed_end(f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "item larger than the limit of 64 bytes"));
	feed_free(f);
}

static void
test_sniff(void)
{
	CU_ASSERT_EQUAL(fmt_sniff("  {\"a\":1}", 9), FMT_JSONLD);
	CU_ASSERT_EQUAL(fmt_sniff("\xef\xbb\xbf[1]", 6), FMT_JSONLD);
	CU_ASSERT_EQUAL(fmt_sniff("<!DOCTYPE html><html>", 21), FMT_HTML);
	CU_ASSERT_EQUAL(fmt_sniff("<?xml version='1.0'?><rss/>", 27), FMT_XML);
	CU_ASSERT_EQUAL(fmt_sniff("Staff Nurse\nLeeds", 17), FMT_TEXT);
	CU_ASSERT_EQUAL(fmt_sniff("\xff\xfe<\0r\0", 6), FMT_XML);
}

static void
test_dates(void)
{
	char out[32];

	CU_ASSERT_EQUAL(doc_parse_date("Fri, 19 Dec 2014 22:49:39 GMT", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "2014-12-19");
	CU_ASSERT_EQUAL(doc_parse_date("2026-01-12T09:00:00+0000", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "2026-01-12");
	CU_ASSERT_EQUAL(doc_parse_date("2026-01-12T09:00:00.123+01:00", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "2026-01-12");
	CU_ASSERT_EQUAL(doc_parse_date("23.01.2026", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "2026-01-23");
	CU_ASSERT_EQUAL(doc_parse_date("23/01/2026", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "2026-01-23");
	CU_ASSERT_EQUAL(doc_parse_date("soon", out, sizeof(out)), -1);
	norm_free(nm);
	nm = NULL;
}

/* feed_raw: each item's bytes are a one-item feed that reads back to the same document. */
struct raws {
	struct feed *f;
	int n;
	char ids[4][80];
	char *raw[4];
	size_t len[4];
};

static int
raw_doc(struct doc *d, void *arg)
{
	struct raws *r = arg;
	const char *b;
	size_t len;

	b = feed_raw(r->f, &len);
	CU_ASSERT_PTR_NOT_NULL(b);
	if (b != NULL && r->n < 4) {
		snprintf(r->ids[r->n], sizeof(r->ids[0]), "%s", doc_id(d));
		r->raw[r->n] = strndup(b, len);
		r->len[r->n] = len;
	}
	r->n++;
	doc_free(d);
	return 0;
}

static void
test_raw_item(void)
{
	struct raws r;
	struct got g;
	struct rw_error err;
	int i;

	setup();
	memset(&r, 0, sizeof(r));
	r.f = feed_new(nm, "mem", FMT_AUTO, NULL, raw_doc, got_err, &r);
	CU_ASSERT_EQUAL(feed_push(r.f, rss, strlen(rss), &err), 0);
	CU_ASSERT_EQUAL(feed_end(r.f, &err), 0);
	feed_free(r.f);
	CU_ASSERT_EQUAL_FATAL(r.n, 3);
	/* The second item's bytes hold the second item and not the first. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.raw[1], "<title>Second</title>"));
	CU_ASSERT_PTR_NULL(strstr(r.raw[1], "<title>First</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.raw[1], "<rss"));
	for (i = 0; i < 3; i++) {
		struct feed *f;
		struct raws back;

		memset(&back, 0, sizeof(back));
		memset(&g, 0, sizeof(g));
		f = feed_new(nm, "mem", FMT_AUTO, NULL, raw_doc, got_err, &back);
		back.f = f;
		CU_ASSERT_EQUAL(feed_push(f, r.raw[i], r.len[i], &err), 0);
		CU_ASSERT_EQUAL(feed_end(f, &err), 0);
		CU_ASSERT_EQUAL(back.n, 1);
		CU_ASSERT_STRING_EQUAL(back.ids[0], r.ids[i]);
		free(back.raw[0]);
		feed_free(f);
		free(r.raw[i]);
	}
}

static const struct cu_test tests[] = {{"raw_item", test_raw_item},
    {"streaming_bytewise", test_streaming_bytewise}, {"whole_chunk", test_whole_chunk},
    {"entity_refused", test_entity_refused}, {"limits", test_limits}, {"sniff", test_sniff},
    {"dates", test_dates}, {NULL, NULL}};

RW_CU_MAIN("feed", tests)
