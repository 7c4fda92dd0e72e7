/* Unit tests for duration.c: spans and month counts worked out by hand (weeks at 12/52,
 * days at 12/365 of a month). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cu.h"
#include "duration.h"

#define MAX_FOUND 16

struct found {
	size_t n;
	struct duration d[MAX_FOUND];
};

/* Records a failed check with the caller's line, and says what went wrong on stderr. */
#define CHECK(line, cond, ...)                                                                     \
	do {                                                                                       \
		int ok_ = (cond);                                                                  \
		if (!ok_)                                                                          \
			fprintf(stderr, __VA_ARGS__);                                              \
		CU_assertImplementation(ok_ ? CU_TRUE : CU_FALSE, (unsigned int)(line), #cond,     \
		    __FILE__, "", CU_FALSE);                                                       \
	} while (0)

static int
collect_cb(const struct duration *d, void *arg)
{
	struct found *f = arg;

	if (f->n < MAX_FOUND)
		f->d[f->n] = *d;
	f->n++;
	return 0;
}

static void
scan_all(const char *text, struct found *f)
{
	struct dur_scanner *ds;
	struct rw_error err;

	memset(f, 0, sizeof(*f));
	ds = dur_scanner_new(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
	CU_ASSERT_EQUAL(dur_scan(ds, text, strlen(text), collect_cb, f), 0);
	dur_scanner_free(ds);
}

/* The nth of total durations in text is exactly mention and lasts months. */
static void
expect_at(int line, const char *text, size_t total, size_t nth, const char *mention, double months)
{
	struct found f;
	const struct duration *d;
	const char *where;

	scan_all(text, &f);
	CHECK(line, f.n == total, "\"%s\": %zu durations, expected %zu\n", text, f.n, total);
	if (nth >= f.n || nth >= MAX_FOUND)
		return;
	d = &f.d[nth];
	where = strstr(text, mention);
	CHECK(line,
	    where != NULL && d->start == (size_t)(where - text) &&
		d->end == d->start + strlen(mention),
	    "\"%s\": duration %zu is \"%.*s\", expected \"%s\"\n", text, nth,
	    (int)(d->end - d->start), text + d->start, mention);
	CHECK(line, fabs(d->months - months) < 1e-9, "\"%s\": %.6f months, expected %.6f\n", text,
	    d->months, months);
}

static void
expect_none_at(int line, const char *text)
{
	struct found f;

	scan_all(text, &f);
	CHECK(line, f.n == 0, "\"%s\": %zu durations, expected none (first \"%.*s\")\n", text, f.n,
	    f.n > 0 ? (int)(f.d[0].end - f.d[0].start) : 0, f.n > 0 ? text + f.d[0].start : "");
}

#define EXPECT(...) expect_at(__LINE__, __VA_ARGS__)
#define EXPECT_NONE(text) expect_none_at(__LINE__, text)

static void
test_digits_months(void)
{
	EXPECT("a fixed-term contract of 24 months", 1, 0, "24 months", 24);
}

static void
test_hyphenated(void)
{
	EXPECT("a 36-month contract", 1, 0, "36-month", 36);
}

static void
test_words_years(void)
{
	EXPECT("bonded for two years", 1, 0, "two years", 24);
	EXPECT("ten years", 1, 0, "ten years", 120);
}

static void
test_word_with_digits(void)
{
	EXPECT("for a period of three (3) years", 1, 0, "three (3) years", 36);
	EXPECT("for 3 (three) years", 1, 0, "3 (three) years", 36);
}

static void
test_one_year(void)
{
	EXPECT("1 year", 1, 0, "1 year", 12);
}

static void
test_abbreviations(void)
{
	EXPECT("18 mo", 1, 0, "18 mo", 18);
	EXPECT("6 wks", 1, 0, "6 wks", 6 * 12.0 / 52);
}

static void
test_weeks(void)
{
	EXPECT("12 weeks notice", 1, 0, "12 weeks", 12 * 12.0 / 52);
}

static void
test_days(void)
{
	EXPECT("within 90 days", 1, 0, "90 days", 90 * 12.0 / 365);
}

static void
test_article(void)
{
	EXPECT("for a year", 1, 0, "a year", 12);
	EXPECT("a month's notice", 1, 0, "a month", 1);
	EXPECT("half a year", 1, 0, "half a year", 6);
}

static void
test_and_a_half(void)
{
	EXPECT("one and a half years", 1, 0, "one and a half years", 18);
	EXPECT("a year and a half", 1, 0, "a year and a half", 18);
	EXPECT("1.5 years", 1, 0, "1.5 years", 18);
}

static void
test_german(void)
{
	const char *t = "2 Jahre, 24 Monate, 6 Wochen, 30 Tagen";

	EXPECT(t, 4, 0, "2 Jahre", 24);
	EXPECT(t, 4, 1, "24 Monate", 24);
	EXPECT(t, 4, 2, "6 Wochen", 6 * 12.0 / 52);
	EXPECT(t, 4, 3, "30 Tagen", 30 * 12.0 / 365);
	EXPECT("zwei Jahre", 1, 0, "zwei Jahre", 24);
	EXPECT("1,5 Jahre", 1, 0, "1,5 Jahre", 18);
	EXPECT("eine 3-jährige Ausbildung", 1, 0, "3-jährige", 36);
}

static void
test_anniversary(void)
{
	const char *t = "before the third anniversary or the 2nd anniversary";

	EXPECT(t, 2, 0, "third anniversary", 36);
	EXPECT(t, 2, 1, "2nd anniversary", 24);
}

static void
test_first_years_of_employment(void)
{
	EXPECT("within the first two years of employment", 1, 0, "two years", 24);
}

static void
test_number_words(void)
{
	const char *t = "twenty-four months, thirty-six months, eighteen months, twelve months";

	EXPECT(t, 4, 0, "twenty-four months", 24);
	EXPECT(t, 4, 1, "thirty-six months", 36);
	EXPECT(t, 4, 2, "eighteen months", 18);
	EXPECT(t, 4, 3, "twelve months", 12);
}

static void
test_age_is_reported(void)
{
	/* Syntactically a duration; the rules decide it is an age. */
	EXPECT("applicants must be 18 years or older", 1, 0, "18 years", 216);
}

static void
test_not_durations(void)
{
	EXPECT_NONE("since 2026");
	EXPECT_NONE("37.5 hours a week");
	EXPECT_NONE("£30k a year");
	EXPECT_NONE("twice a year");
	EXPECT_NONE("3 shifts a week");
	EXPECT_NONE("1.500 pro Jahr");
}

static int
stop_cb(const struct duration *d, void *arg)
{
	size_t *n = arg;

	(*n)++;
	return 1;
}

static void
test_callback_stops(void)
{
	struct dur_scanner *ds;
	struct rw_error err;
	const char *t = "2 years then 3 years";
	size_t n = 0;

	ds = dur_scanner_new(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
	CU_ASSERT_EQUAL(dur_scan(ds, t, strlen(t), stop_cb, &n), 1);
	CU_ASSERT_EQUAL(n, 1);
	dur_scanner_free(ds);
}

static const struct cu_test tests[] = {
    {"digits_months", test_digits_months},
    {"hyphenated", test_hyphenated},
    {"words_years", test_words_years},
    {"word_with_digits", test_word_with_digits},
    {"one_year", test_one_year},
    {"abbreviations", test_abbreviations},
    {"weeks", test_weeks},
    {"days", test_days},
    {"article", test_article},
    {"and_a_half", test_and_a_half},
    {"german", test_german},
    {"anniversary", test_anniversary},
    {"first_years_of_employment", test_first_years_of_employment},
    {"number_words", test_number_words},
    {"age_is_reported", test_age_is_reported},
    {"not_durations", test_not_durations},
    {"callback_stops", test_callback_stops},
    {NULL, NULL},
};

RW_CU_MAIN("duration", tests)
