/* The rulebook and evaluation: list editions by date, agreements, layering, errors that name
 * the file and line, and rules evaluated over documents built from text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu.h"
#include "eval.h"
#include "feed.h"
#include "rb_internal.h"
#include "rw_functions.h"

#define RULES_DIR DATADIR "/.."
#define SCHEMA_DIR DATADIR "/../schema"

static struct rulebook *
load(const char *layer, struct rw_error *err)
{
	char *dirs[2] = {(char *)RULES_DIR, (char *)layer};

	rw_error_clear(err);
	return rb_load(dirs, layer != NULL ? 2 : 1, SCHEMA_DIR, err);
}

static int fires(const struct rulebook *, const struct norm *, const char *, const char *);

static void
test_default_loads(void)
{
	struct rw_error err;
	struct rulebook *rb = load(NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT(rb_nrules(rb) >= 6);
	CU_ASSERT_PTR_NOT_NULL(rb_find_rule(rb, "WHO-5-SSL-ACTIVE"));
	CU_ASSERT_STRING_EQUAL(rb_version(rb), "2026.11.0");
	rb_free(rb);
}

static void
test_list_editions(void)
{
	struct rw_error err;
	struct rulebook *rb = load(NULL, &err);
	const struct rb_list *l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	l = rb_list_for(rb, "who-ssl", "2022-06-14");
	CU_ASSERT_STRING_EQUAL(l->id, "who-ssl-2020");
	CU_ASSERT_EQUAL(l->ncodes, 47);
	CU_ASSERT_FALSE(rb_list_has(l, "ZW")); /* added in 2023 */
	CU_ASSERT_TRUE(rb_list_has(l, "NG"));
	l = rb_list_for(rb, "who-ssl", "2024-01-01");
	CU_ASSERT_STRING_EQUAL(l->id, "who-ssl-2023");
	CU_ASSERT_EQUAL(l->ncodes, 55);
	CU_ASSERT_TRUE(rb_list_has(l, "ZW"));
	CU_ASSERT_FALSE(rb_list_has(l, "KE"));
	/* Without a date: the latest; before the first edition: the first. */
	CU_ASSERT_STRING_EQUAL(rb_list_for(rb, "who-ssl", NULL)->id, "who-ssl-2023");
	CU_ASSERT_STRING_EQUAL(rb_list_for(rb, "who-ssl", "2015-01-01")->id, "who-ssl-2020");
	/* UK: Nepal left the red list for amber on 23 March 2023. */
	CU_ASSERT_TRUE(rb_list_has(rb_list_for(rb, "uk-red", "2022-03-15"), "NP"));
	CU_ASSERT_FALSE(rb_list_has(rb_list_for(rb, "uk-red", "2023-04-01"), "NP"));
	CU_ASSERT_TRUE(rb_list_has(rb_list_for(rb, "uk-amber", "2023-04-01"), "NP"));
	CU_ASSERT_EQUAL(rb_list_for(rb, "uk-red", "2023-04-01")->ncodes, 54);
	/* An exact id is that edition whatever the date. */
	CU_ASSERT_STRING_EQUAL(rb_list_for(rb, "who-ssl-2020", "2025-01-01")->id, "who-ssl-2020");
	rb_free(rb);
}

static char *
write_layer(const char *xml)
{
	static char dir[64];
	char path[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/rw-rb-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/layer.xml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(xml, f);
	fclose(f);
	return dir;
}

static void
remove_layer(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/layer.xml", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_pinned_edition(void)
{
	struct rw_error err;
	char *dir = write_layer("<rulebook xmlns='urn:recruitwatch:rules:1' name='pin'>"
				"<in-force family='who-ssl' list='who-ssl-2020'/></rulebook>");
	struct rulebook *rb = load(dir, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT_STRING_EQUAL(rb_list_for(rb, "who-ssl", "2025-01-01")->id, "who-ssl-2020");
	rb_free(rb);
	remove_layer(dir);
}

static void
test_errors_name_file_and_line(void)
{
	struct rw_error err;
	char *dir;
	struct rulebook *rb;

	dir = write_layer("<rulebook xmlns='urn:recruitwatch:rules:1' name='x'>\n"
			  "<override rule='NO-SUCH-RULE' severity='low'/>\n</rulebook>\n");
	rb = load(dir, &err);
	CU_ASSERT_PTR_NULL(rb);
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.source, "layer.xml"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no rule NO-SUCH-RULE"));
	rb_free(rb);
	remove_layer(dir);

	dir = write_layer("<rulebook xmlns='urn:recruitwatch:rules:1' name='x'>\n"
			  "<pattern name='p'>(unclosed</pattern>\n</rulebook>\n");
	rb = load(dir, &err);
	CU_ASSERT_PTR_NULL(rb);
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pattern 'p'"));
	remove_layer(dir);

	dir = write_layer("<!DOCTYPE r [<!ENTITY a 'aaaa'>]>\n"
			  "<rulebook xmlns='urn:recruitwatch:rules:1' name='x'/>\n");
	rb = load(dir, &err);
	CU_ASSERT_PTR_NULL(rb);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entity declarations"));
	remove_layer(dir);

	/* A rule id defined twice is refused: layers change rules with override/disable. */
	dir = write_layer(
	    "<rulebook xmlns='urn:recruitwatch:rules:1' name='x'>\n"
	    "<rule id='WHO-5-SSL-ACTIVE' category='worker-fees' severity='low'>"
	    "<title>t</title><cite instrument='i'/><when>true()</when><message>m</message>"
	    "<advice>a</advice></rule></rulebook>\n");
	rb = load(dir, &err);
	CU_ASSERT_PTR_NULL(rb);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "already defined"));
	remove_layer(dir);
}

static void
test_annual(void)
{
	CU_ASSERT_DOUBLE_EQUAL(rwf_annual(15.0, "hour"), 29250.0, 0.001);
	CU_ASSERT_DOUBLE_EQUAL(rwf_annual(2500.0, "month"), 30000.0, 0.001);
	CU_ASSERT_DOUBLE_EQUAL(rwf_annual(30000.0, "year"), 30000.0, 0.001);
	CU_ASSERT(rwf_annual(10.0, "fortnight") != rwf_annual(10.0, "fortnight")); /* NaN */
}

struct got {
	struct evaluator *ev;
	const char *rule;
	int fired;
	int docs;
};

static int
got_doc(struct doc *d, void *arg)
{
	struct got *g = arg;
	struct findings *fs = eval_doc(g->ev, doc_xml(d));

	g->fired += fs != NULL && findings_has_rule(fs, g->rule);
	g->docs++;
	findings_free(fs);
	doc_free(d);
	return 0;
}

/* Builds a document from text, evaluates the whole rulebook, and says whether rule fired. */
static int
fires(const struct rulebook *rb, const struct norm *nm, const char *rule, const char *text)
{
	struct got g = {eval_new(rb, nm), rule, 0, 0};
	struct rw_error err;
	struct feed *f = feed_new(nm, "t", FMT_TEXT, NULL, got_doc, NULL, &g);

	feed_push(f, text, strlen(text), &err);
	feed_end(f, &err);
	feed_free(f);
	eval_free(g.ev);
	return g.docs == 1 ? g.fired : -1;
}

static void
test_eval_jurisdiction_and_time(void)
{
	struct rw_error err;
	struct rulebook *rb = load(NULL, &err);
	struct norm *nm = norm_new(DATADIR, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
	/* UK destination: the UK rule, not the plain WHO one. */
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "UK-RED-ACTIVE", "Nurse – Leeds, UK\nWe recruit nurses from Ghana.\n"),
	    1);
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "WHO-5-SSL-ACTIVE", "Nurse – Leeds, UK\nWe recruit nurses from Ghana.\n"),
	    0);
	/* Elsewhere the WHO list. */
	CU_ASSERT_EQUAL(fires(rb, nm, "WHO-5-SSL-ACTIVE",
			    "Nurse – Doha, Qatar\nWe recruit nurses from Ghana.\n"),
	    1);
	/* A hospital in a listed country hiring there is not international recruitment. */
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "WHO-5-SSL-ACTIVE",
		"Nurse – Accra\nOur hospital in Accra, Ghana is hiring nurses in Ghana.\n"),
	    0);
	/* The edition in force on the date: Zambia joined in 2023. */
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "WHO-5-SSL-ACTIVE",
		"Carer – Doha, Qatar\nPosted: 2022-05-01\nWe recruit carers from Zambia.\n"),
	    0);
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "WHO-5-SSL-ACTIVE",
		"Carer – Doha, Qatar\nPosted: 2023-05-01\nWe recruit carers from Zambia.\n"),
	    1);
	/* Nepal to the UK: red before the memorandum, amber (inside the agreement only) after. */
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "UK-RED-ACTIVE",
		"Nurse – Leeds, UK\nPosted: 2022-03-01\nWe recruit nurses from Nepal.\n"),
	    1);
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "UK-RED-ACTIVE",
		"Nurse – Leeds, UK\nPosted: 2024-03-01\nWe recruit nurses from Nepal.\n"),
	    0);
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "UK-AMBER-OUTSIDE-AGREEMENT",
		"Nurse – Leeds, UK\nPosted: 2024-03-01\nWe recruit nurses from Nepal.\n"),
	    1);
	/* Germany has no amber carve-out. */
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "DE-38-BESCHV",
		"Nurse – Berlin, Germany\nPosted: 2024-03-01\nWe recruit nurses from Nepal.\n"),
	    1);
	norm_free(nm);
	rb_free(rb);
}

/* rw:match-unless: a match counts unless its own sentence is negated. */
static void
test_match_unless(void)
{
	struct rw_error err;
	char *dir = write_layer(
	    "<rulebook xmlns='urn:recruitwatch:rules:1' name='mu'>"
	    "<pattern name='t-fee'>\\bfees?\\b</pattern>"
	    "<pattern name='t-neg'>\\bno\\s+fees?\\b|\\bfree\\b</pattern>"
	    "<rule id='T-MU' category='worker-fees' severity='low'><title>t</title>"
	    "<cite instrument='i'/><when>rw:match-unless(d:text, 't-fee', 't-neg')</when>"
	    "<message>m</message><advice>a</advice></rule></rulebook>");
	struct rulebook *rb = load(dir, &err);
	struct norm *nm = norm_new(DATADIR, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
	CU_ASSERT_EQUAL(fires(rb, nm, "T-MU", "Nurse\nA placement fee of $500 is charged.\n"), 1);
	CU_ASSERT_EQUAL(fires(rb, nm, "T-MU", "Nurse\nNo fees are charged to candidates.\n"), 0);
	/* A negation in another sentence does not hide a fee. */
	CU_ASSERT_EQUAL(
	    fires(rb, nm, "T-MU", "Nurse\nTraining is free. A fee of $500 applies.\n"), 1);
	norm_free(nm);
	rb_free(rb);
	remove_layer(dir);
}

struct err_run {
	struct evaluator *ev;
	char errors[512];
};

static int
err_doc(struct doc *d, void *arg)
{
	struct err_run *e = arg;
	struct findings *fs = eval_doc(e->ev, doc_xml(d));
	json_t *j = findings_json(fs, doc_xml(d), SEV_INFO), *errs = json_object_get(j, "errors");

	if (json_is_array(errs) && json_is_string(json_array_get(errs, 0)))
		snprintf(
		    e->errors, sizeof(e->errors), "%s", json_string_value(json_array_get(errs, 0)));
	json_decref(j);
	findings_free(fs);
	doc_free(d);
	return 0;
}

/* A pattern that hits PCRE2's match limit is reported with the document, not taken for "no
 * match": a rule that could not run is no clean bill of health. */
static void
test_pattern_error_reported(void)
{
	struct rw_error err;
	char *dir =
	    write_layer("<rulebook xmlns='urn:recruitwatch:rules:1' name='pe'>"
			"<pattern name='t-slow'>(?:(?:a|aa)+)+[bd]</pattern>"
			"<rule id='T-SLOW' category='worker-fees' severity='low'><title>t</title>"
			"<cite instrument='i'/><when>rw:match(d:text, 't-slow')</when>"
			"<message>m</message><advice>a</advice></rule></rulebook>");
	struct rulebook *rb = load(dir, &err);
	struct norm *nm = norm_new(DATADIR, &err);
	struct err_run e;
	struct feed *f;
	const char *text = "Nurse\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac\n";

	CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
	memset(&e, 0, sizeof(e));
	e.ev = eval_new(rb, nm);
	f = feed_new(nm, "t", FMT_TEXT, NULL, err_doc, NULL, &e);
	feed_push(f, text, strlen(text), &err);
	feed_end(f, &err);
	feed_free(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.errors, "rule T-SLOW: pattern 't-slow'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.errors, "limit"));
	eval_free(e.ev);
	norm_free(nm);
	rb_free(rb);
	remove_layer(dir);
}

static const struct cu_test tests[] = {{"match_unless", test_match_unless},
    {"pattern_error_reported", test_pattern_error_reported}, {"default_loads", test_default_loads},
    {"list_editions", test_list_editions}, {"pinned_edition", test_pinned_edition},
    {"errors", test_errors_name_file_and_line}, {"annual", test_annual},
    {"eval_jurisdiction_and_time", test_eval_jurisdiction_and_time}, {NULL, NULL}};

RW_CU_MAIN("rulebook", tests)
