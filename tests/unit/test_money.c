/* Unit tests for money.c: every expected amount, currency, period and span was worked out by
 * hand from the text, not copied from the program's output. */
#include <stdio.h>
#include <string.h>

#include "cu.h"
#include "money.h"

#define MAX_FOUND 16

struct found {
	size_t n;
	struct money m[MAX_FOUND];
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
collect_cb(const struct money *m, void *arg)
{
	struct found *f = arg;

	if (f->n < MAX_FOUND)
		f->m[f->n] = *m;
	f->n++;
	return 0;
}

static void
scan_all(const char *text, struct found *f)
{
	struct money_scanner *ms;
	struct rw_error err;

	memset(f, 0, sizeof(*f));
	ms = money_scanner_new(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
	CU_ASSERT_EQUAL(money_scan(ms, text, strlen(text), collect_cb, f), 0);
	money_scanner_free(ms);
}

/* The nth of total mentions in text is exactly mention, with these values. */
static void
expect_at(int line, const char *text, size_t total, size_t nth, const char *mention, double amount,
    double max, const char *cur, enum period per)
{
	struct found f;
	const struct money *m;
	const char *where;

	scan_all(text, &f);
	CHECK(line, f.n == total, "\"%s\": %zu mentions, expected %zu\n", text, f.n, total);
	if (nth >= f.n || nth >= MAX_FOUND)
		return;
	m = &f.m[nth];
	where = strstr(text, mention);
	CHECK(line,
	    where != NULL && m->start == (size_t)(where - text) &&
		m->end == m->start + strlen(mention),
	    "\"%s\": mention %zu is \"%.*s\", expected \"%s\"\n", text, nth,
	    (int)(m->end - m->start), text + m->start, mention);
	CHECK(line, m->amount == amount, "\"%s\": amount %.2f, expected %.2f\n", text, m->amount,
	    amount);
	CHECK(line, m->max == max, "\"%s\": max %.2f, expected %.2f\n", text, m->max, max);
	CHECK(line, strcmp(m->currency, cur) == 0, "\"%s\": currency \"%s\", expected \"%s\"\n",
	    text, m->currency, cur);
	CHECK(line, m->period == per, "\"%s\": period %d, expected %d\n", text, (int)m->period,
	    (int)per);
}

static void
expect_none_at(int line, const char *text)
{
	struct found f;

	scan_all(text, &f);
	CHECK(line, f.n == 0, "\"%s\": %zu mentions, expected none (first \"%.*s\")\n", text, f.n,
	    f.n > 0 ? (int)(f.m[0].end - f.m[0].start) : 0, f.n > 0 ? text + f.m[0].start : "");
}

static void
expect_parse_at(
    int line, const char *text, int rc, double amount, double max, const char *cur, enum period per)
{
	struct money_scanner *ms;
	struct rw_error err;
	struct money m;
	int got;

	ms = money_scanner_new(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
	memset(&m, 0, sizeof(m));
	got = money_parse(ms, text, &m);
	money_scanner_free(ms);
	CHECK(line, got == rc, "parse \"%s\": rc %d, expected %d\n", text, got, rc);
	if (got != 0 || rc != 0)
		return;
	CHECK(line, m.amount == amount && m.max == max,
	    "parse \"%s\": %.2f-%.2f, expected %.2f-%.2f\n", text, m.amount, m.max, amount, max);
	CHECK(line, strcmp(m.currency, cur) == 0,
	    "parse \"%s\": currency \"%s\", expected \"%s\"\n", text, m.currency, cur);
	CHECK(line, m.period == per, "parse \"%s\": period %d, expected %d\n", text, (int)m.period,
	    (int)per);
}

#define EXPECT(...) expect_at(__LINE__, __VA_ARGS__)
#define EXPECT_NONE(text) expect_none_at(__LINE__, text)
#define EXPECT_PARSE(...) expect_parse_at(__LINE__, __VA_ARGS__)

static void
test_nhs_range(void)
{
	EXPECT("Salary £28,407 - £34,581 per annum, Band 5", 1, 0, "£28,407 - £34,581 per annum",
	    28407, 34581, "GBP", PERIOD_YEAR);
}

static void
test_k_range(void)
{
	EXPECT("Pay: £30k-£35k a year", 1, 0, "£30k-£35k a year", 30000, 35000, "GBP", PERIOD_YEAR);
}

static void
test_k_shared(void)
{
	/* One 'k' after the range serves both ends. */
	EXPECT("£30-35k DOE", 1, 0, "£30-35k", 30000, 35000, "GBP", PERIOD_NONE);
	EXPECT("£1.5k relocation", 1, 0, "£1.5k", 1500, 1500, "GBP", PERIOD_NONE);
}

static void
test_code_after_range(void)
{
	EXPECT("3,000 to 3,500 EUR monthly", 1, 0, "3,000 to 3,500 EUR monthly", 3000, 3500, "EUR",
	    PERIOD_MONTH);
	EXPECT("USD 3,000–3,500 monthly", 1, 0, "USD 3,000–3,500 monthly", 3000, 3500, "USD",
	    PERIOD_MONTH);
}

static void
test_german_decimal(void)
{
	EXPECT("Gehalt 3.500,00 € brutto pro Monat", 1, 0, "3.500,00 € brutto pro Monat", 3500,
	    3500, "EUR", PERIOD_MONTH);
	EXPECT("Kosten 1.234,5 EUR", 1, 0, "1.234,5 EUR", 1234.5, 1234.5, "EUR", PERIOD_NONE);
}

static void
test_german_bis(void)
{
	EXPECT("Gehalt: 3.000 bis 3.500 € brutto monatlich", 1, 0,
	    "3.000 bis 3.500 € brutto monatlich", 3000, 3500, "EUR", PERIOD_MONTH);
}

static void
test_three_digit_group_is_thousands(void)
{
	/* One separator and three digits is a thousands group, whichever the separator. */
	EXPECT("28.407 EUR", 1, 0, "28.407 EUR", 28407, 28407, "EUR", PERIOD_NONE);
	EXPECT("€ 2.750 netto", 1, 0, "€ 2.750 netto", 2750, 2750, "EUR", PERIOD_NONE);
	EXPECT("£28,407.50", 1, 0, "£28,407.50", 28407.5, 28407.5, "GBP", PERIOD_NONE);
	EXPECT("USD 1,234,567.89", 1, 0, "USD 1,234,567.89", 1234567.89, 1234567.89, "USD",
	    PERIOD_NONE);
}

static void
test_other_separators(void)
{
	EXPECT("30 000 EUR", 1, 0, "30 000 EUR", 30000, 30000, "EUR", PERIOD_NONE);
	EXPECT("CHF 5'000 monthly", 1, 0, "CHF 5'000 monthly", 5000, 5000, "CHF", PERIOD_MONTH);
	EXPECT("Rs 1,50,000 p.a.", 1, 0, "Rs 1,50,000 p.a.", 150000, 150000, "INR", PERIOD_YEAR);
}

static void
test_prefixed_dollars(void)
{
	const char *t = "CA$ 30 per hour and AU$45/hr and NZ$50 p/h and S$3,000 pcm and C$20 ph";

	EXPECT(t, 5, 0, "CA$ 30 per hour", 30, 30, "CAD", PERIOD_HOUR);
	EXPECT(t, 5, 1, "AU$45/hr", 45, 45, "AUD", PERIOD_HOUR);
	EXPECT(t, 5, 2, "NZ$50 p/h", 50, 50, "NZD", PERIOD_HOUR);
	EXPECT(t, 5, 3, "S$3,000 pcm", 3000, 3000, "SGD", PERIOD_MONTH);
	EXPECT(t, 5, 4, "C$20 ph", 20, 20, "CAD", PERIOD_HOUR);
	EXPECT("US$2,500 per month", 1, 0, "US$2,500 per month", 2500, 2500, "USD", PERIOD_MONTH);
	EXPECT("A$60 per hour", 1, 0, "A$60 per hour", 60, 60, "AUD", PERIOD_HOUR);
}

static void
test_bare_dollar(void)
{
	EXPECT("$50,000-$60,000/yr", 1, 0, "$50,000-$60,000/yr", 50000, 60000, "USD", PERIOD_YEAR);
	/* "a" before "$" is the article, not Australian. */
	EXPECT("a $5 fee", 1, 0, "$5", 5, 5, "USD", PERIOD_NONE);
}

static void
test_code_overrides_bare_dollar(void)
{
	EXPECT("$500 AUD", 1, 0, "$500 AUD", 500, 500, "AUD", PERIOD_NONE);
}

static void
test_rupees(void)
{
	EXPECT("Rs. 25,000/- per month", 1, 0, "Rs. 25,000/- per month", 25000, 25000, "INR",
	    PERIOD_MONTH);
	EXPECT("Rs.5000", 1, 0, "Rs.5000", 5000, 5000, "INR", PERIOD_NONE);
}

static void
test_gulf_and_africa_abbreviations(void)
{
	const char *t = "KSh 50,000 monthly, SR 4000, 5,000 Dhs, AED 7,000";

	EXPECT(t, 4, 0, "KSh 50,000 monthly", 50000, 50000, "KES", PERIOD_MONTH);
	EXPECT(t, 4, 1, "SR 4000", 4000, 4000, "SAR", PERIOD_NONE);
	EXPECT(t, 4, 2, "5,000 Dhs", 5000, 5000, "AED", PERIOD_NONE);
	EXPECT(t, 4, 3, "AED 7,000", 7000, 7000, "AED", PERIOD_NONE);
	/* "Sr" is senior, not Saudi riyals. */
	EXPECT_NONE("Sr 5 positions");
}

static void
test_currency_words(void)
{
	const char *t = "SAR 5,000 and 3000 riyals and 500 naira and 200 cedis and 10,000 rupees";

	EXPECT(t, 5, 0, "SAR 5,000", 5000, 5000, "SAR", PERIOD_NONE);
	EXPECT(t, 5, 1, "3000 riyals", 3000, 3000, "SAR", PERIOD_NONE);
	EXPECT(t, 5, 2, "500 naira", 500, 500, "NGN", PERIOD_NONE);
	EXPECT(t, 5, 3, "200 cedis", 200, 200, "GHS", PERIOD_NONE);
	EXPECT(t, 5, 4, "10,000 rupees", 10000, 10000, "INR", PERIOD_NONE);
	EXPECT("paid 2,000 pounds sterling a month", 1, 0, "2,000 pounds sterling a month", 2000,
	    2000, "GBP", PERIOD_MONTH);
	EXPECT("1,200 Qatari riyals", 1, 0, "1,200 Qatari riyals", 1200, 1200, "QAR", PERIOD_NONE);
	EXPECT("40,000 Pakistani rupees", 1, 0, "40,000 Pakistani rupees", 40000, 40000, "PKR",
	    PERIOD_NONE);
}

static void
test_symbols(void)
{
	const char *t = "₹ 40000 ₦150,000 ₱25,000 ₵3000";

	EXPECT(t, 4, 0, "₹ 40000", 40000, 40000, "INR", PERIOD_NONE);
	EXPECT(t, 4, 1, "₦150,000", 150000, 150000, "NGN", PERIOD_NONE);
	EXPECT(t, 4, 2, "₱25,000", 25000, 25000, "PHP", PERIOD_NONE);
	EXPECT(t, 4, 3, "₵3000", 3000, 3000, "GHS", PERIOD_NONE);
}

static void
test_english_periods(void)
{
	const char *t = "£12.50 an hour, £90 per day, £450 pw, £450 p.w., £2,000 pcm, "
			"£2,000 p.m., £30,000 pa, £30,000 p.a.";

	EXPECT(t, 8, 0, "£12.50 an hour", 12.5, 12.5, "GBP", PERIOD_HOUR);
	EXPECT(t, 8, 1, "£90 per day", 90, 90, "GBP", PERIOD_DAY);
	EXPECT(t, 8, 2, "£450 pw", 450, 450, "GBP", PERIOD_WEEK);
	EXPECT(t, 8, 3, "£450 p.w.", 450, 450, "GBP", PERIOD_WEEK);
	EXPECT(t, 8, 4, "£2,000 pcm", 2000, 2000, "GBP", PERIOD_MONTH);
	EXPECT(t, 8, 5, "£2,000 p.m.", 2000, 2000, "GBP", PERIOD_MONTH);
	EXPECT(t, 8, 6, "£30,000 pa", 30000, 30000, "GBP", PERIOD_YEAR);
	EXPECT(t, 8, 7, "£30,000 p.a.", 30000, 30000, "GBP", PERIOD_YEAR);
	EXPECT("£9.50ph", 1, 0, "£9.50ph", 9.5, 9.5, "GBP", PERIOD_HOUR);
	EXPECT("30000 GBP annually", 1, 0, "30000 GBP annually", 30000, 30000, "GBP", PERIOD_YEAR);
	EXPECT("400 GBP/month deduction", 1, 0, "400 GBP/month", 400, 400, "GBP", PERIOD_MONTH);
	EXPECT("£12 hourly rate", 1, 0, "£12 hourly", 12, 12, "GBP", PERIOD_HOUR);
}

static void
test_german_periods(void)
{
	const char *t = "€15 pro Stunde, €3000 pro Jahr, €40.000 jährlich, €3.500 im Monat";

	EXPECT(t, 4, 0, "€15 pro Stunde", 15, 15, "EUR", PERIOD_HOUR);
	EXPECT(t, 4, 1, "€3000 pro Jahr", 3000, 3000, "EUR", PERIOD_YEAR);
	EXPECT(t, 4, 2, "€40.000 jährlich", 40000, 40000, "EUR", PERIOD_YEAR);
	EXPECT(t, 4, 3, "€3.500 im Monat", 3500, 3500, "EUR", PERIOD_MONTH);
}

static void
test_not_a_period(void)
{
	/* "per head" is not "per h". */
	EXPECT("£10 per head", 1, 0, "£10", 10, 10, "GBP", PERIOD_NONE);
}

static void
test_no_money_band(void)
{
	EXPECT_NONE("Band 5");
	EXPECT("Band 5 £28,407", 1, 0, "£28,407", 28407, 28407, "GBP", PERIOD_NONE);
	EXPECT("Band 5 - £28,407 to £34,581", 1, 0, "£28,407 to £34,581", 28407, 34581, "GBP",
	    PERIOD_NONE);
	EXPECT("Bands 5-6 £28,000", 1, 0, "£28,000", 28000, 28000, "GBP", PERIOD_NONE);
}

static void
test_no_money_years(void)
{
	EXPECT_NONE("2026");
	EXPECT_NONE("in March 2026 pounds");
	/* The code belongs to the amount after it, and 2026 next to June is a year. */
	EXPECT("Start June 2026 AED 5000", 1, 0, "AED 5000", 5000, 5000, "AED", PERIOD_NONE);
}

static void
test_no_money_hours_percent(void)
{
	EXPECT_NONE("37.5 hours a week");
	EXPECT_NONE("100% free");
	EXPECT_NONE("€5%");
}

static void
test_no_money_weight(void)
{
	EXPECT_NONE("Must be able to lift 50 pounds");
}

static void
test_inverted_range(void)
{
	/* The second number is not the top of a range: keep the first amount alone. */
	EXPECT("£500 - 3 staff", 1, 0, "£500", 500, 500, "GBP", PERIOD_NONE);
	EXPECT("£30,000 - £25,000", 2, 1, "£25,000", 25000, 25000, "GBP", PERIOD_NONE);
	EXPECT("Fee: £5,000 - 24 months", 1, 0, "£5,000", 5000, 5000, "GBP", PERIOD_NONE);
}

static void
test_between_and_is_two_amounts(void)
{
	EXPECT("between £28,000 and £32,000", 2, 0, "£28,000", 28000, 28000, "GBP", PERIOD_NONE);
	EXPECT("between £28,000 and £32,000", 2, 1, "£32,000", 32000, 32000, "GBP", PERIOD_NONE);
}

static void
test_time_is_not_range_start(void)
{
	EXPECT("24/7 - £12 per hour", 1, 0, "£12 per hour", 12, 12, "GBP", PERIOD_HOUR);
	EXPECT("Call 0800 123 456 for £5", 1, 0, "£5", 5, 5, "GBP", PERIOD_NONE);
}

static void
test_parse(void)
{
	EXPECT_PARSE("£28,407 - £34,581 per annum", 0, 28407, 34581, "GBP", PERIOD_YEAR);
	EXPECT_PARSE("45000", 0, 45000, 45000, "", PERIOD_NONE);
	EXPECT_PARSE("24907.00", 0, 24907, 24907, "", PERIOD_NONE);
	EXPECT_PARSE("$50K per year", 0, 50000, 50000, "USD", PERIOD_YEAR);
	EXPECT_PARSE("Up to 12.50 per hour", 0, 12.5, 12.5, "", PERIOD_HOUR);
	EXPECT_PARSE("Band 5: 28407 - 34581 per annum", 0, 28407, 34581, "", PERIOD_YEAR);
}

static void
test_parse_nothing(void)
{
	EXPECT_PARSE("Competitive", -1, 0, 0, "", PERIOD_NONE);
	EXPECT_PARSE("Band 5", -1, 0, 0, "", PERIOD_NONE);
	EXPECT_PARSE("January 2026", -1, 0, 0, "", PERIOD_NONE);
	EXPECT_PARSE("37.5 hours", -1, 0, 0, "", PERIOD_NONE);
	EXPECT_PARSE("", -1, 0, 0, "", PERIOD_NONE);
}

static void
test_period_names(void)
{
	CU_ASSERT_EQUAL(period_from_name("YEAR"), PERIOD_YEAR);
	CU_ASSERT_EQUAL(period_from_name("per annum"), PERIOD_YEAR);
	CU_ASSERT_EQUAL(period_from_name("p.a."), PERIOD_YEAR);
	CU_ASSERT_EQUAL(period_from_name("monthly"), PERIOD_MONTH);
	CU_ASSERT_EQUAL(period_from_name("per calendar month"), PERIOD_MONTH);
	CU_ASSERT_EQUAL(period_from_name("pro Monat"), PERIOD_MONTH);
	CU_ASSERT_EQUAL(period_from_name("/hr"), PERIOD_HOUR);
	CU_ASSERT_EQUAL(period_from_name("p/h"), PERIOD_HOUR);
	CU_ASSERT_EQUAL(period_from_name("weekly"), PERIOD_WEEK);
	CU_ASSERT_EQUAL(period_from_name("Day"), PERIOD_DAY);
	CU_ASSERT_EQUAL(period_from_name("a"), PERIOD_NONE);
	CU_ASSERT_EQUAL(period_from_name("fortnightly"), PERIOD_NONE);
	CU_ASSERT_EQUAL(period_from_name(NULL), PERIOD_NONE);
	CU_ASSERT_PTR_NULL(period_name(PERIOD_NONE));
	CU_ASSERT_STRING_EQUAL(period_name(PERIOD_HOUR), "hour");
	CU_ASSERT_STRING_EQUAL(period_name(PERIOD_YEAR), "year");
}

static int
stop_cb(const struct money *m, void *arg)
{
	size_t *n = arg;

	(*n)++;
	return 7;
}

static void
test_callback_stops(void)
{
	struct money_scanner *ms;
	struct rw_error err;
	const char *t = "£1 and £2 and £3";
	size_t n = 0;

	ms = money_scanner_new(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
	CU_ASSERT_EQUAL(money_scan(ms, t, strlen(t), stop_cb, &n), 7);
	CU_ASSERT_EQUAL(n, 1);
	money_scanner_free(ms);
}

static void
test_length_bounds_scan(void)
{
	struct money_scanner *ms;
	struct rw_error err;
	struct found f;
	const char *t = "£500 and £600";

	memset(&f, 0, sizeof(f));
	ms = money_scanner_new(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
	/* Only the first four bytes, "£50" (£ is two bytes): the text need not end in NUL. */
	CU_ASSERT_EQUAL(money_scan(ms, t, 4, collect_cb, &f), 0);
	money_scanner_free(ms);
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_EQUAL(f.m[0].amount, 50);
	CU_ASSERT_EQUAL(f.m[0].end, 4);
}

static void
test_invalid_utf8(void)
{
	EXPECT("\xff\xfe pay \xc3 £5 \xe2\x82", 1, 0, "£5", 5, 5, "GBP", PERIOD_NONE);
}

static const struct cu_test tests[] = {
    {"nhs_range", test_nhs_range},
    {"k_range", test_k_range},
    {"k_shared", test_k_shared},
    {"code_after_range", test_code_after_range},
    {"german_decimal", test_german_decimal},
    {"german_bis", test_german_bis},
    {"three_digit_group_is_thousands", test_three_digit_group_is_thousands},
    {"other_separators", test_other_separators},
    {"prefixed_dollars", test_prefixed_dollars},
    {"bare_dollar", test_bare_dollar},
    {"code_overrides_bare_dollar", test_code_overrides_bare_dollar},
    {"rupees", test_rupees},
    {"gulf_and_africa_abbreviations", test_gulf_and_africa_abbreviations},
    {"currency_words", test_currency_words},
    {"symbols", test_symbols},
    {"english_periods", test_english_periods},
    {"german_periods", test_german_periods},
    {"not_a_period", test_not_a_period},
    {"no_money_band", test_no_money_band},
    {"no_money_years", test_no_money_years},
    {"no_money_hours_percent", test_no_money_hours_percent},
    {"no_money_weight", test_no_money_weight},
    {"inverted_range", test_inverted_range},
    {"between_and_is_two_amounts", test_between_and_is_two_amounts},
    {"time_is_not_range_start", test_time_is_not_range_start},
    {"parse", test_parse},
    {"parse_nothing", test_parse_nothing},
    {"period_names", test_period_names},
    {"callback_stops", test_callback_stops},
    {"length_bounds_scan", test_length_bounds_scan},
    {"invalid_utf8", test_invalid_utf8},
    {NULL, NULL},
};

RW_CU_MAIN("money", tests)
