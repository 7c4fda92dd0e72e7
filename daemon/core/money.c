/* Amounts of money in free text, found with one PCRE2 pattern and checked in C where a
 * regular expression cannot see enough (band numbers, years, weights, inverted ranges). */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>
#include <pcre2.h>

#include "money.h"

/*
 * Numbers: a separator followed by exactly three digits groups thousands, one followed by one
 * or two digits is the decimal mark, so "28,407.50", "3.500,00", "3.500" (3500) and "12,50"
 * (12.5) all read as people mean them.  The thousands separator is captured and must repeat
 * unchanged, and the decimal mark must differ from it, so "1,234,56" is not a number.  Indian
 * grouping ("1,50,000") is tried first.  The digit lookbehinds keep a restarted match from
 * starting inside a number.
 */
#define MONEY_NUM(ts)                                                                              \
	"(?<![0-9])(?<![0-9][.,'’])"                                                             \
	"(?:[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3}(?:\\.[0-9]{1,2})?"                                   \
	"|[0-9]{1,3}(?<" ts ">[,.'’\\x{A0}\\x{202F}\\x{2009} ])[0-9]{3}(?:\\k<" ts ">[0-9]{3})*"   \
	"(?:(?!\\k<" ts ">)[.,][0-9]{1,2})?"                                                       \
	"|[0-9]+(?:[.,][0-9]{1,2})?)"                                                              \
	"(?![0-9]|[.,'’][0-9])"

/* A number followed by a unit of something else is not money: "37.5 hours", "100%". */
#define MONEY_NOTUNIT                                                                              \
	"(?!\\h*%)(?!\\h*(?:per\\h*cent|percent|prozent|hours?|hrs?|h|std|stunden|years?|yrs?"     \
	"|jahre?n?|months?|monate?n?|weeks?|wochen?|days?|tage?n?|minutes?|mins?)(?![\\p{L}]))"

#define MONEY_SYM "[£$€¥₹₦₱₵]"
/* Single-letter prefixes are case-sensitive: "a $5 fee" is not Australian. */
#define MONEY_DOLLAR "(?<![\\p{L}\\p{N}])(?:(?:US|CA|AU|NZ)\\h?\\$|(?-i:C|A|S)\\$)"
#define MONEY_CODES                                                                                \
	"(?<![\\p{L}\\p{N}])(?:GBP|USD|EUR|SAR|AED|QAR|KWD|OMR|BHD|INR|NGN|GHS|KES|ZAR|PHP|CAD"    \
	"|AUD|NZD|SGD|HKD|CHF|NOK|SEK|DKK|PKR|NPR|LKR|BDT|ZWL|ZWG|UGX|TZS|ZMW|MWK|JPY|CNY|MYR"     \
	"|JOD|EGP|PLN|CZK|HUF|RON|JMD|TTD)(?![\\p{L}])"
/* "SR" is case-sensitive so the abbreviation "Sr" (senior) is not a riyal. */
#define MONEY_ABBR "(?<![\\p{L}\\p{N}])(?:Rs\\.?|KShs?\\.?|(?-i:SR)|Dhs\\.?)(?![\\p{L}])"
#define MONEY_PRE "(?:" MONEY_DOLLAR "|" MONEY_SYM "|" MONEY_CODES "|" MONEY_ABBR ")"
#define MONEY_ADJ                                                                                  \
	"(?:US|U\\.S\\.|American|Canadian|Australian|New\\h+Zealand|Singapore|Hong\\h+Kong"        \
	"|Saudi|Qatari|Omani|Kuwaiti|Bahraini|UAE|Emirati|Moroccan|Egyptian|Indian|Pakistani"      \
	"|Nepalese|Nepali|Sri\\h+Lankan|Ghana|Ghanaian|Nigerian|South\\h+African|Kenyan"           \
	"|Ugandan|Tanzanian)"
#define MONEY_WORDS                                                                                \
	"(?<![\\p{L}])(?:" MONEY_ADJ "\\h+)?(?:pounds?(?:\\h+sterling)?|sterling|euros?"           \
	"|dollars?|naira|cedis?|rupees?|riyals?|rials?|dirhams?|rand|shillings?)(?![\\p{L}])"
/* A currency followed by a number belongs to that number, not to the one before it. */
#define MONEY_SUF "(?:" MONEY_PRE "|" MONEY_WORDS ")(?!\\h*[0-9])"

#define MONEY_PERIOD                                                                               \
	"(?:(?:per|pro)\\h+(?:h|std)"                                                              \
	"|(?:per|an?|each|every|pro|je|im)\\h+(?:calendar\\h+)?(?:hour|hr|day|week|wk|month"       \
	"|mth|mo|annum|year|yr|stunde|tag|woche|monat|jahr)s?"                                     \
	"|/\\h*(?:hour|hr|h|day|d|week|wk|w|month|mth|mo|m|annum|year|yr|y|a|std|stunde|tag"       \
	"|woche|monat|jahr)"                                                                       \
	"|p(?:\\.(?:a|m|w|h|d)\\.?|/(?:a|m|w|h|d)|\\.c\\.m\\.?|cm|a|m|w|h|d)"                      \
	"|hourly|daily|weekly|monthly|yearly|annually|monatlich|jährlich|wöchentlich|täglich"   \
	"|stündlich)(?![\\p{L}\\p{N}])"

#define MONEY_GROSS "(?:brutto|netto|gross)(?![\\p{L}])"

#define MONEY_NUM1 MONEY_NUM("t1")
#define MONEY_NUM2 MONEY_NUM("t2")
#define MONEY_K1 "(?<k1>k(?![\\p{L}]))?(?:/-)?"
#define MONEY_K2 "(?<k2>k(?![\\p{L}]))?(?:/-)?"
#define MONEY_HEAD                                                                                 \
	"(?:(?<p1>" MONEY_PRE ")\\h*)?(?<n1>" MONEY_NUM1 ")" MONEY_K1 MONEY_NOTUNIT                \
	"(?:\\h*(?<s1>" MONEY_SUF "))?"
#define MONEY_RANGE                                                                                \
	"(?:(?:\\h*[-–—]\\h*|\\h+(?:to|bis)\\h+)(?:(?<p2>" MONEY_PRE ")\\h*)?"                     \
	"(?<n2>" MONEY_NUM2 ")" MONEY_K2 MONEY_NOTUNIT "(?:\\h*(?<s2>" MONEY_SUF "))?)?"
#define MONEY_TAIL                                                                                 \
	"(?:\\h*" MONEY_GROSS ")?(?:\\h*(?<per>" MONEY_PERIOD ")(?:\\h*" MONEY_GROSS ")?)?"

enum money_group { G_P1, G_N1, G_K1, G_S1, G_P2, G_N2, G_K2, G_S2, G_PER, G_MAX };

static const char *const money_group_names[G_MAX] = {
    "p1", "n1", "k1", "s1", "p2", "n2", "k2", "s2", "per"};

/* One compiled pattern and the numbers of its named groups (-1 when absent). */
struct money_re {
	pcre2_code *code;
	int group[G_MAX];
};

/* Owned by the caller of money_scanner_new; read-only afterwards, so threads may share it. */
struct money_scanner {
	struct money_re full; /* amounts and ranges */
	struct money_re single; /* no range: re-read an inverted range as its first amount */
};

/* Where each part of one match lies in the text. */
struct money_parts {
	size_t s[G_MAX], e[G_MAX];
	int set[G_MAX];
};

static int
money_re_compile(struct money_re *re, const char *pattern, struct rw_error *err)
{
	int errcode, i;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff,
	    NULL);
	if (re->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		rw_error_set(err, "money.c", 0, (long)erroff + 1, "money pattern: %s", (char *)msg);
		return -1;
	}
	/* JIT is an optimisation: where it is unavailable the interpreter gives the same answers. */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	for (i = 0; i < G_MAX; i++)
		re->group[i] =
		    pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)money_group_names[i]);
	return 0;
}

struct money_scanner *
money_scanner_new(struct rw_error *err)
{
	struct money_scanner *ms;

	ms = calloc(1, sizeof(*ms));
	if (ms == NULL) {
		rw_error_set(err, "money", 0, 0, "out of memory");
		return NULL;
	}
	if (money_re_compile(&ms->full, MONEY_HEAD MONEY_RANGE MONEY_TAIL, err) == -1 ||
	    money_re_compile(&ms->single, MONEY_HEAD MONEY_TAIL, err) == -1) {
		money_scanner_free(ms);
		return NULL;
	}
	return ms;
}

void
money_scanner_free(struct money_scanner *ms)
{
	if (ms == NULL)
		return;
	pcre2_code_free(ms->full.code);
	pcre2_code_free(ms->single.code);
	free(ms);
}

const char *
period_name(enum period p)
{
	switch (p) {
	case PERIOD_HOUR:
		return "hour";
	case PERIOD_DAY:
		return "day";
	case PERIOD_WEEK:
		return "week";
	case PERIOD_MONTH:
		return "month";
	case PERIOD_YEAR:
		return "year";
	default:
		return NULL;
	}
}

static const struct {
	const char *name;
	enum period period;
} period_names[] = {
    {"hour", PERIOD_HOUR},
    {"hours", PERIOD_HOUR},
    {"hourly", PERIOD_HOUR},
    {"hr", PERIOD_HOUR},
    {"hrs", PERIOD_HOUR},
    {"ph", PERIOD_HOUR},
    {"stunde", PERIOD_HOUR},
    {"std", PERIOD_HOUR},
    {"stündlich", PERIOD_HOUR},
    {"day", PERIOD_DAY},
    {"days", PERIOD_DAY},
    {"daily", PERIOD_DAY},
    {"pd", PERIOD_DAY},
    {"tag", PERIOD_DAY},
    {"täglich", PERIOD_DAY},
    {"week", PERIOD_WEEK},
    {"weeks", PERIOD_WEEK},
    {"weekly", PERIOD_WEEK},
    {"wk", PERIOD_WEEK},
    {"pw", PERIOD_WEEK},
    {"woche", PERIOD_WEEK},
    {"wöchentlich", PERIOD_WEEK},
    {"month", PERIOD_MONTH},
    {"months", PERIOD_MONTH},
    {"monthly", PERIOD_MONTH},
    {"mth", PERIOD_MONTH},
    {"mo", PERIOD_MONTH},
    {"pcm", PERIOD_MONTH},
    {"pm", PERIOD_MONTH},
    {"monat", PERIOD_MONTH},
    {"monatlich", PERIOD_MONTH},
    {"calendar month", PERIOD_MONTH},
    {"year", PERIOD_YEAR},
    {"years", PERIOD_YEAR},
    {"yearly", PERIOD_YEAR},
    {"annually", PERIOD_YEAR},
    {"annual", PERIOD_YEAR},
    {"annum", PERIOD_YEAR},
    {"yr", PERIOD_YEAR},
    {"yrs", PERIOD_YEAR},
    {"pa", PERIOD_YEAR},
    {"jahr", PERIOD_YEAR},
    {"jährlich", PERIOD_YEAR},
};

/* Single letters mean a period only after "/", "p/" or "per": "h", "d", "w", "m", "a", "y". */
static const struct {
	char letter;
	enum period period;
} period_letters[] = {
    {'h', PERIOD_HOUR},
    {'d', PERIOD_DAY},
    {'w', PERIOD_WEEK},
    {'m', PERIOD_MONTH},
    {'a', PERIOD_YEAR},
    {'y', PERIOD_YEAR},
};

/* Lower-cases ASCII, drops dots, collapses blanks and trims, into buf. */
static void
money_norm(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o;
	int blank;

	o = 0;
	blank = 0;
	for (i = 0; i < n && o + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.')
			continue;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = 1;
			continue;
		}
		/* NBSP and the narrow/thin spaces used as blanks, in UTF-8. */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			blank = 1;
			i++;
			continue;
		}
		if (blank && o > 0 && o + 2 < len)
			buf[o++] = ' ';
		blank = 0;
		buf[o++] = (char)tolower(c);
	}
	buf[o] = '\0';
}

enum period
period_from_name(const char *name)
{
	static const char *const prefixes[] = {
	    "per ", "a ", "an ", "each ", "every ", "pro ", "je ", "im ", "p/", "/"};
	char buf[64];
	const char *p;
	size_t i, plen;
	int prefixed;

	if (name == NULL)
		return PERIOD_NONE;
	money_norm(name, strlen(name), buf, sizeof(buf));
	p = buf;
	prefixed = 0;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		plen = strlen(prefixes[i]);
		if (strncmp(p, prefixes[i], plen) == 0) {
			p += plen;
			while (*p == ' ')
				p++;
			prefixed = 1;
			break;
		}
	}
	if (prefixed && strncmp(p, "calendar ", 9) == 0)
		p += 9;
	if (strlen(p) == 1) {
		if (!prefixed)
			return PERIOD_NONE;
		for (i = 0; i < sizeof(period_letters) / sizeof(period_letters[0]); i++)
			if (period_letters[i].letter == p[0])
				return period_letters[i].period;
		return PERIOD_NONE;
	}
	for (i = 0; i < sizeof(period_names) / sizeof(period_names[0]); i++)
		if (strcmp(p, period_names[i].name) == 0)
			return period_names[i].period;
	return PERIOD_NONE;
}

static const struct {
	const char *text;
	const char *code;
} money_fixed[] = {
    {"£", "GBP"},
    {"€", "EUR"},
    {"¥", "JPY"},
    {"₹", "INR"},
    {"₦", "NGN"},
    {"₱", "PHP"},
    {"₵", "GHS"},
    {"us$", "USD"},
    {"us $", "USD"},
    {"ca$", "CAD"},
    {"ca $", "CAD"},
    {"c$", "CAD"},
    {"a$", "AUD"},
    {"au$", "AUD"},
    {"au $", "AUD"},
    {"nz$", "NZD"},
    {"nz $", "NZD"},
    {"s$", "SGD"},
    {"rs", "INR"},
    {"ksh", "KES"},
    {"kshs", "KES"},
    {"sr", "SAR"},
    {"dhs", "AED"},
};

/* Currency nouns: the code without an adjective ("" when the noun alone is ambiguous). */
static const struct {
	const char *noun;
	const char *code;
} money_nouns[] = {
    {"pound", "GBP"},
    {"sterling", "GBP"},
    {"euro", "EUR"},
    {"dollar", "USD"},
    {"naira", "NGN"},
    {"cedi", "GHS"},
    {"rupee", "INR"},
    {"riyal", "SAR"},
    {"rial", ""},
    {"dirham", "AED"},
    {"rand", "ZAR"},
    {"shilling", ""},
};

static const struct {
	const char *adj;
	const char *noun;
	const char *code;
} money_adjs[] = {
    {"us", "dollar", "USD"},
    {"american", "dollar", "USD"},
    {"canadian", "dollar", "CAD"},
    {"australian", "dollar", "AUD"},
    {"new zealand", "dollar", "NZD"},
    {"singapore", "dollar", "SGD"},
    {"hong kong", "dollar", "HKD"},
    {"saudi", "riyal", "SAR"},
    {"saudi", "rial", "SAR"},
    {"qatari", "riyal", "QAR"},
    {"qatari", "rial", "QAR"},
    {"omani", "rial", "OMR"},
    {"omani", "riyal", "OMR"},
    {"kuwaiti", "dinar", "KWD"},
    {"uae", "dirham", "AED"},
    {"emirati", "dirham", "AED"},
    {"moroccan", "dirham", "MAD"},
    {"egyptian", "pound", "EGP"},
    {"indian", "rupee", "INR"},
    {"pakistani", "rupee", "PKR"},
    {"nepalese", "rupee", "NPR"},
    {"nepali", "rupee", "NPR"},
    {"sri lankan", "rupee", "LKR"},
    {"ghana", "cedi", "GHS"},
    {"ghanaian", "cedi", "GHS"},
    {"nigerian", "naira", "NGN"},
    {"south african", "rand", "ZAR"},
    {"kenyan", "shilling", "KES"},
    {"ugandan", "shilling", "UGX"},
    {"tanzanian", "shilling", "TZS"},
};

/*
 * The ISO code for a currency mention, "" when it names none.  *weak is set for a bare "$",
 * which another mention of the same amount ("$500 AUD") may override.
 */
static void
money_currency(const char *s, size_t n, char code[4], int *weak)
{
	char buf[64], noun[32], *sp;
	size_t i, len;

	code[0] = '\0';
	*weak = 0;
	money_norm(s, n, buf, sizeof(buf));
	if (strcmp(buf, "$") == 0) {
		strlcpy(code, "USD", 4);
		*weak = 1;
		return;
	}
	for (i = 0; i < sizeof(money_fixed) / sizeof(money_fixed[0]); i++)
		if (strcmp(buf, money_fixed[i].text) == 0) {
			strlcpy(code, money_fixed[i].code, 4);
			return;
		}
	len = strlen(buf);
	if (len == 3 && isalpha((unsigned char)buf[0]) && isalpha((unsigned char)buf[1]) &&
	    isalpha((unsigned char)buf[2])) {
		for (i = 0; i < 3; i++)
			code[i] = (char)toupper((unsigned char)buf[i]);
		code[3] = '\0';
		return;
	}
	/* "pounds sterling": the noun is "pound". */
	if (len > 9 && strcmp(buf + len - 9, " sterling") == 0) {
		len -= 9;
		buf[len] = '\0';
	}
	sp = strrchr(buf, ' ');
	strlcpy(noun, sp != NULL ? sp + 1 : buf, sizeof(noun));
	len = strlen(noun);
	if (len > 1 && noun[len - 1] == 's' && strcmp(noun, "naira") != 0)
		noun[len - 1] = '\0';
	if (sp != NULL) {
		*sp = '\0';
		for (i = 0; i < sizeof(money_adjs) / sizeof(money_adjs[0]); i++)
			if (strcmp(buf, money_adjs[i].adj) == 0 &&
			    strcmp(noun, money_adjs[i].noun) == 0) {
				strlcpy(code, money_adjs[i].code, 4);
				return;
			}
	}
	for (i = 0; i < sizeof(money_nouns) / sizeof(money_nouns[0]); i++)
		if (strcmp(noun, money_nouns[i].noun) == 0) {
			strlcpy(code, money_nouns[i].code, 4);
			return;
		}
}

/*
 * A matched number as a double.  The regex has fixed its shape, so the decimal mark is the
 * last '.' or ',' when one or two digits follow it; every other non-digit groups thousands.
 */
static double
money_number(const char *s, size_t n)
{
	char buf[64];
	size_t i, o, dec, digits;

	dec = n;
	for (i = n; i > 0; i--) {
		if (s[i - 1] == '.' || s[i - 1] == ',') {
			digits = n - i;
			if (digits >= 1 && digits <= 2)
				dec = i - 1;
			break;
		}
		if (!isdigit((unsigned char)s[i - 1]))
			break;
	}
	o = 0;
	for (i = 0; i < n && o + 2 < sizeof(buf); i++) {
		if (i == dec)
			buf[o++] = '.';
		else if (isdigit((unsigned char)s[i]))
			buf[o++] = s[i];
	}
	buf[o] = '\0';
	return strtod(buf, NULL);
}

/* The word before off, skipping blanks, lower-cased into buf ("" when there is none). */
static size_t
money_word_before(const char *text, size_t off, char *buf, size_t len)
{
	size_t e, b;

	e = off;
	while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == ','))
		e--;
	b = e;
	while (b > 0 && (isalpha((unsigned char)text[b - 1]) || (unsigned char)text[b - 1] >= 0x80))
		b--;
	money_norm(text + b, e - b, buf, len);
	return b;
}

/* Whether text[b..off) ends in a range connector: "-", "–", "—", "/", "&", "to", "or", "bis". */
static size_t
money_connector_before(const char *text, size_t off)
{
	char word[8];
	size_t p, b;

	p = off;
	while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t'))
		p--;
	if (p > 0 && (text[p - 1] == '-' || text[p - 1] == '/' || text[p - 1] == '&'))
		return p - 1;
	if (p >= 3 && (unsigned char)text[p - 3] == 0xe2 && (unsigned char)text[p - 2] == 0x80 &&
	    ((unsigned char)text[p - 1] == 0x93 || (unsigned char)text[p - 1] == 0x94))
		return p - 3;
	b = money_word_before(text, p, word, sizeof(word));
	if (strcmp(word, "to") == 0 || strcmp(word, "or") == 0 || strcmp(word, "and") == 0 ||
	    strcmp(word, "bis") == 0)
		return b;
	return off;
}

/*
 * Whether the number at off is a label rather than an amount: "Band 5", "Bands 5 - 6",
 * "Band 8a or 8b", "Grade 7", "Stufe 3".
 */
static int
money_is_label(const char *text, size_t off)
{
	static const char *const labels[] = {"band", "bands", "grade", "grades", "level", "levels",
	    "step", "steps", "point", "points", "spine", "stufe", "entgeltgruppe", "tarifgruppe",
	    "gruppe", "eg", "tier", "no", "nr", "number", "room", "ward", "bed", "floor", "page",
	    "clause", "section", "article", "paragraph", "para", "schedule", "annex", "appendix",
	    "item", "phase", "year", "age", "aged"};
	char word[32];
	size_t p, q, i;

	p = off;
	q = money_connector_before(text, off);
	if (q != off) {
		/* Skip "<number>[letter]" before the connector, as in "Band 8a - 8b". */
		while (q > 0 && (text[q - 1] == ' ' || text[q - 1] == '\t'))
			q--;
		if (q > 1 && isalpha((unsigned char)text[q - 1]) &&
		    isdigit((unsigned char)text[q - 2]))
			q--;
		if (q > 0 && isdigit((unsigned char)text[q - 1])) {
			while (q > 0 && isdigit((unsigned char)text[q - 1]))
				q--;
			p = q;
		}
	}
	money_word_before(text, p, word, sizeof(word));
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(word, labels[i]) == 0)
			return 1;
	return 0;
}

/* Whether the four digits at off follow a month name: "June 2026", "1 March 2026". */
static int
money_is_year(const char *text, size_t off, const char *num, size_t n)
{
	static const char *const months[] = {"january", "february", "march", "april", "may", "june",
	    "july", "august", "september", "october", "november", "december", "jan", "feb", "mar",
	    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "januar", "februar",
	    "märz", "maerz", "mai", "juni", "juli", "oktober", "dezember", "okt", "dez", "mrz"};
	char word[32];
	size_t p, i;
	long y;

	if (n != 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)num[i]))
			return 0;
	y = (num[0] - '0') * 1000 + (num[1] - '0') * 100 + (num[2] - '0') * 10 + (num[3] - '0');
	if (y < 1900 || y > 2099)
		return 0;
	p = off;
	/* "June 1, 2026": skip a day number between month and year. */
	while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == ',' || text[p - 1] == '.'))
		p--;
	if (p > 0 && isdigit((unsigned char)text[p - 1])) {
		while (p > 0 && isdigit((unsigned char)text[p - 1]))
			p--;
	}
	money_word_before(text, p, word, sizeof(word));
	for (i = 0; i < sizeof(months) / sizeof(months[0]); i++)
		if (strcmp(word, months[i]) == 0)
			return 1;
	return 0;
}

/* "lift 50 pounds": a weight, not money. */
static int
money_is_weight(const char *text, size_t off)
{
	static const char *const verbs[] = {"lift", "carry", "push", "pull", "weigh"};
	char buf[64];
	size_t b, i;

	b = off > 48 ? off - 48 : 0;
	money_norm(text + b, off - b, buf, sizeof(buf));
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strstr(buf, verbs[i]) != NULL)
			return 1;
	return 0;
}

static void
money_parts_get(const struct money_re *re, pcre2_match_data *md, struct money_parts *mp)
{
	PCRE2_SIZE *ov;
	uint32_t count;
	int i, g;

	ov = pcre2_get_ovector_pointer(md);
	count = pcre2_get_ovector_count(md);
	for (i = 0; i < G_MAX; i++) {
		g = re->group[i];
		mp->set[i] = g > 0 && (uint32_t)g < count && ov[2 * g] != PCRE2_UNSET;
		mp->s[i] = mp->set[i] ? ov[2 * g] : 0;
		mp->e[i] = mp->set[i] ? ov[2 * g + 1] : 0;
	}
}

/*
 * Turns one match into *out; 0 when it is money, -1 when it must be skipped.  need_cur: a
 * mention without a currency is rejected (money_scan) or kept with currency "" (money_parse).
 */
static int
money_build(const char *text, const struct money_parts *mp, size_t start, size_t end, int need_cur,
    struct money *out)
{
	static const int curgroups[] = {G_P1, G_S1, G_P2, G_S2};
	char code[4];
	size_t i;
	int weak, have_weak, ranged, pound;

	memset(out, 0, sizeof(*out));
	have_weak = 0;
	pound = 0;
	for (i = 0; i < sizeof(curgroups) / sizeof(curgroups[0]); i++) {
		int g = curgroups[i];

		if (!mp->set[g])
			continue;
		money_currency(text + mp->s[g], mp->e[g] - mp->s[g], code, &weak);
		if (code[0] == '\0')
			continue;
		if (out->currency[0] == '\0' || (have_weak && !weak)) {
			strlcpy(out->currency, code, sizeof(out->currency));
			have_weak = weak;
			pound = mp->e[g] - mp->s[g] >= 5 &&
			    strncasecmp(text + mp->s[g], "pound", 5) == 0;
		}
	}
	if (need_cur && out->currency[0] == '\0')
		return -1;
	if (!mp->set[G_P1]) {
		/* "24/7 - £12", "08:00 - £14": the tail of a fraction, time or date. */
		if (mp->s[G_N1] > 0 && text[mp->s[G_N1] - 1] != '\0' &&
		    strchr("/:#", text[mp->s[G_N1] - 1]) != NULL)
			return -1;
		if (money_is_label(text, mp->s[G_N1]))
			return -1;
		if (!mp->set[G_K1] &&
		    money_is_year(text, mp->s[G_N1], text + mp->s[G_N1], mp->e[G_N1] - mp->s[G_N1]))
			return -1;
		if (pound && money_is_weight(text, start))
			return -1;
	}
	out->amount = money_number(text + mp->s[G_N1], mp->e[G_N1] - mp->s[G_N1]);
	if (mp->set[G_K1])
		out->amount *= 1000;
	out->max = out->amount;
	ranged = mp->set[G_N2];
	if (ranged) {
		out->max = money_number(text + mp->s[G_N2], mp->e[G_N2] - mp->s[G_N2]);
		if (mp->set[G_K2])
			out->max *= 1000;
		/* "£30-35k" and "£30k-35": one 'k' serves both ends. */
		if (mp->set[G_K2] && !mp->set[G_K1] && out->amount * 1000 <= out->max)
			out->amount *= 1000;
		else if (mp->set[G_K1] && !mp->set[G_K2] && out->max < 1000 &&
		    out->max * 1000 >= out->amount)
			out->max *= 1000;
		if (out->max < out->amount)
			return 1; /* the caller re-reads the first amount alone */
	}
	if (mp->set[G_PER]) {
		char buf[64];

		money_norm(text + mp->s[G_PER], mp->e[G_PER] - mp->s[G_PER], buf, sizeof(buf));
		out->period = period_from_name(buf);
	}
	out->start = start;
	out->end = end;
	return 0;
}

/* The next accepted mention at or after *off; 1 found, 0 none, -1 on a matching error. */
static int
money_next(const struct money_scanner *ms, pcre2_match_data *md, const char *text, size_t len,
    size_t *off, int need_cur, struct money *out)
{
	struct money_parts mp;
	PCRE2_SIZE *ov;
	size_t start, end;
	int rc;

	while (*off < len) {
		rc = pcre2_match(ms->full.code, (PCRE2_SPTR)text, len, *off, 0, md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0)
			return -1;
		ov = pcre2_get_ovector_pointer(md);
		start = ov[0];
		end = ov[1];
		money_parts_get(&ms->full, md, &mp);
		rc = money_build(text, &mp, start, end, need_cur, out);
		if (rc == 1) {
			/* An inverted range ("£500 - 3 staff"): keep the first amount only. */
			rc = pcre2_match(ms->single.code, (PCRE2_SPTR)text, len, start,
			    PCRE2_ANCHORED, md, NULL);
			if (rc < 0)
				return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
			end = ov[1];
			money_parts_get(&ms->single, md, &mp);
			rc = money_build(text, &mp, start, end, need_cur, out);
		}
		if (rc == 0) {
			*off = end > start ? end : start + 1;
			return 1;
		}
		/* Rejected: try again one character on, so "Band 5 £28,407" still finds £28,407. */
		start++;
		while (start < len && ((unsigned char)text[start] & 0xc0) == 0x80)
			start++;
		*off = start;
	}
	return 0;
}

/* Returns 0 after the last mention, the callback's non-zero value if it stopped the scan, or -1
 * if matching failed (out of memory, match limit). */
int
money_scan(const struct money_scanner *ms, const char *text, size_t len, money_cb cb, void *arg)
{
	pcre2_match_data *md;
	struct money m;
	size_t off;
	int rc, stop;

	md = pcre2_match_data_create_from_pattern(ms->full.code, NULL);
	if (md == NULL)
		return -1;
	off = 0;
	stop = 0;
	while ((rc = money_next(ms, md, text, len, &off, 1, &m)) == 1) {
		if ((stop = cb(&m, arg)) != 0)
			break;
	}
	pcre2_match_data_free(md);
	if (rc == -1)
		return -1;
	return stop;
}

int
money_parse(const struct money_scanner *ms, const char *text, struct money *out)
{
	pcre2_match_data *md;
	size_t len, off;
	int rc;

	len = strlen(text);
	md = pcre2_match_data_create_from_pattern(ms->full.code, NULL);
	if (md == NULL)
		return -1;
	/* A stated currency wins over an earlier bare number ("Band 5: £28,407"). */
	off = 0;
	rc = money_next(ms, md, text, len, &off, 1, out);
	if (rc == 0) {
		off = 0;
		rc = money_next(ms, md, text, len, &off, 0, out);
	}
	pcre2_match_data_free(md);
	return rc == 1 ? 0 : -1;
}
