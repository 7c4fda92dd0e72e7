/* Country recognition: names, variants, demonyms, codes, and the substring pitfalls. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu.h"
#include "gazetteer.h"

static struct gaz *g;

struct hits {
	char codes[16][3];
	char spans[16][48];
	int demonym[16];
	int n;
};

static int
collect(const struct gaz_mention *m, void *arg)
{
	struct hits *h = arg;
	const char *text = h->spans[15]; /* unused slot holds nothing; span copied below */

	(void)text;
	if (h->n < 15) {
		memcpy(h->codes[h->n], m->code, 3);
		h->demonym[h->n] = m->demonym;
		h->n++;
	}
	return 0;
}

static struct hits
scan(const char *s)
{
	struct hits h;

	memset(&h, 0, sizeof(h));
	gaz_scan(g, s, strlen(s), collect, &h);
	return h;
}

static void
load(void)
{
	struct rw_error err;

	if (g == NULL)
		g = gaz_load(DATADIR "/countries.tsv", DATADIR "/places.tsv", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
}

static void
test_substrings(void)
{
	struct hits h;

	load();
	h = scan("Nurses from Niger and Nigeria, South Sudan and Sudan, Guinea-Bissau and Guinea");
	CU_ASSERT_EQUAL_FATAL(h.n, 6);
	CU_ASSERT_STRING_EQUAL(h.codes[0], "NE");
	CU_ASSERT_STRING_EQUAL(h.codes[1], "NG");
	CU_ASSERT_STRING_EQUAL(h.codes[2], "SS");
	CU_ASSERT_STRING_EQUAL(h.codes[3], "SD");
	CU_ASSERT_STRING_EQUAL(h.codes[4], "GW");
	CU_ASSERT_STRING_EQUAL(h.codes[5], "GN");
}

static void
test_variants_and_apostrophes(void)
{
	struct hits h;

	load();
	h = scan(
	    "Ivory Coast, Côte d’Ivoire, Cote d'Ivoire, DRC, Congo-Kinshasa, Lao PDR, Swaziland");
	CU_ASSERT_EQUAL_FATAL(h.n, 7);
	CU_ASSERT_STRING_EQUAL(h.codes[0], "CI");
	CU_ASSERT_STRING_EQUAL(h.codes[1], "CI");
	CU_ASSERT_STRING_EQUAL(h.codes[2], "CI");
	CU_ASSERT_STRING_EQUAL(h.codes[3], "CD");
	CU_ASSERT_STRING_EQUAL(h.codes[4], "CD");
	CU_ASSERT_STRING_EQUAL(h.codes[5], "LA");
	CU_ASSERT_STRING_EQUAL(h.codes[6], "SZ");
}

static void
test_demonyms(void)
{
	struct hits h;

	load();
	h = scan("Nigerian and Ghanaian nurses; Filipinos and a Filipina; Zimbabweans");
	CU_ASSERT_EQUAL_FATAL(h.n, 5);
	CU_ASSERT_STRING_EQUAL(h.codes[0], "NG");
	CU_ASSERT_STRING_EQUAL(h.codes[1], "GH");
	CU_ASSERT_STRING_EQUAL(h.codes[2], "PH");
	CU_ASSERT_STRING_EQUAL(h.codes[3], "PH");
	CU_ASSERT_STRING_EQUAL(h.codes[4], "ZW");
	CU_ASSERT_TRUE(h.demonym[0]);
}

static void
test_abbreviations_case(void)
{
	struct hits h;

	load();
	h = scan("Work in the UK or the UAE");
	CU_ASSERT_EQUAL_FATAL(h.n, 2);
	CU_ASSERT_STRING_EQUAL(h.codes[0], "GB");
	CU_ASSERT_STRING_EQUAL(h.codes[1], "AE");
	h = scan("email us at jobs@agency.uk about the uae office");
	CU_ASSERT_EQUAL(h.n, 0);
}

static void
test_whole_words(void)
{
	struct hits h;

	load();
	h = scan("Indianapolis, Omaha and Chadwick are not countries; nor is Malignant");
	CU_ASSERT_EQUAL(h.n, 0);
}

static void
test_lookup(void)
{
	load();
	CU_ASSERT_STRING_EQUAL(gaz_lookup(g, "GB"), "GB");
	CU_ASSERT_STRING_EQUAL(gaz_lookup(g, "gbr"), "GB");
	CU_ASSERT_STRING_EQUAL(gaz_lookup(g, "826"), "GB");
	CU_ASSERT_STRING_EQUAL(gaz_lookup(g, "Deutschland"), "DE");
	CU_ASSERT_STRING_EQUAL(gaz_lookup(g, " Leeds, United Kingdom "), "GB");
	CU_ASSERT_STRING_EQUAL(gaz_lookup(g, "Riyadh, Saudi Arabia"), "SA");
	CU_ASSERT_PTR_NULL(gaz_lookup(g, "Nigeria or Ghana"));
	CU_ASSERT_PTR_NULL(gaz_lookup(g, "Remote"));
	CU_ASSERT_STRING_EQUAL(gaz_name(g, "TZ"), "Tanzania");
}

static void
test_bad_file(void)
{
	struct rw_error err;
	char path[] = "/tmp/rw-gaz-XXXXXX";
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, "# c\nGB\tGBR\n", 11) == 11);
	close(fd);
	rw_error_clear(&err);
	CU_ASSERT_PTR_NULL(gaz_load(path, NULL, &err));
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_STRING_EQUAL(err.source, path);
	unlink(path);
	gaz_free(g);
	g = NULL;
}

static const struct cu_test tests[] = {{"substrings", test_substrings},
    {"variants", test_variants_and_apostrophes}, {"demonyms", test_demonyms},
    {"abbreviations", test_abbreviations_case}, {"whole_words", test_whole_words},
    {"lookup", test_lookup}, {"bad_file", test_bad_file}, {NULL, NULL}};

RW_CU_MAIN("gazetteer", tests)
