/* Periods of time in free text, English and German, found with one PCRE2 pattern and
 * converted to months in C. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <pcre2.h>

#include "duration.h"

#define DUR_WORDS                                                                                  \
	"(?:(?:twenty|thirty|forty|fifty|sixty)(?:[-\\h](?:one|two|three|four|five|six|seven"      \
	"|eight|nine)(?![\\p{L}]))?"                                                               \
	"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"        \
	"|fifteen|sixteen|seventeen|eighteen|nineteen|half\\h+an?|an?"                             \
	"|eineinhalb|anderthalb|ein(?:e|en|em|es)?|eins|zwei|drei|vier|fünf|sechs|sieben|acht"    \
	"|neun|zehn|elf|zwölf|achtzehn|vierundzwanzig|sechsunddreißig)"

#define DUR_ORD                                                                                    \
	"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"                      \
	"|[0-9]{1,2}(?:st|nd|rd|th))"

/* "3-jährige", "6-monatige", "2-wöchige": German adjectives carry the unit. */
#define DUR_UNIT                                                                                   \
	"(?:(?<uy>years?|yrs?|jahre?n?|jahres|jährig\\p{L}*)"                                     \
	"|(?<um>months?|mths?|mos?|monate?n?|monats|monatig\\p{L}*)"                               \
	"|(?<uw>weeks?|wks?|wochen?|wöchig\\p{L}*)"                                               \
	"|(?<ud>days?|tage?n?|tägig\\p{L}*))"

/*
 * "three (3) years" and "3 (three) years" state the number twice; the digits are kept.
 * A number is never taken from inside another one ("1.5" is not "5").
 */
#define DUR_PATTERN                                                                                \
	"(?<![\\p{L}\\p{N}])(?<![0-9][.,])"                                                        \
	"(?:(?<ord>" DUR_ORD ")\\h+anniversary"                                                    \
	"|(?:(?<d>[0-9]{1,4}(?:[.,][0-9]{1,2})?)(?:\\h*\\(\\h*" DUR_WORDS "\\h*\\))?"              \
	"|(?<w>" DUR_WORDS ")(?:\\h*\\(\\h*(?<wd>[0-9]{1,4})\\h*\\))?)"                            \
	"(?<half>\\h+and\\h+a\\h+half)?(?:\\h*-\\h*|\\h*)" DUR_UNIT                                \
	"(?<half2>\\h+and\\h+a\\h+half)?)"                                                         \
	"(?![\\p{L}])"

enum dur_group { D_ORD, D_D, D_W, D_WD, D_HALF, D_UY, D_UM, D_UW, D_UD, D_HALF2, D_MAX };

static const char *const dur_group_names[D_MAX] = {
    "ord", "d", "w", "wd", "half", "uy", "um", "uw", "ud", "half2"};

/* Owned by the caller of dur_scanner_new; read-only afterwards, so threads may share it. */
struct dur_scanner {
	pcre2_code *code;
	int group[D_MAX];
};

static const struct {
	const char *word;
	double value;
} dur_numbers[] = {
    {"a", 1},
    {"an", 1},
    {"one", 1},
    {"two", 2},
    {"three", 3},
    {"four", 4},
    {"five", 5},
    {"six", 6},
    {"seven", 7},
    {"eight", 8},
    {"nine", 9},
    {"ten", 10},
    {"eleven", 11},
    {"twelve", 12},
    {"thirteen", 13},
    {"fourteen", 14},
    {"fifteen", 15},
    {"sixteen", 16},
    {"seventeen", 17},
    {"eighteen", 18},
    {"nineteen", 19},
    {"twenty", 20},
    {"thirty", 30},
    {"forty", 40},
    {"fifty", 50},
    {"sixty", 60},
    {"ein", 1},
    {"eine", 1},
    {"einen", 1},
    {"einem", 1},
    {"eines", 1},
    {"eins", 1},
    {"zwei", 2},
    {"drei", 3},
    {"vier", 4},
    {"fünf", 5},
    {"sechs", 6},
    {"sieben", 7},
    {"acht", 8},
    {"neun", 9},
    {"zehn", 10},
    {"elf", 11},
    {"zwölf", 12},
    {"achtzehn", 18},
    {"vierundzwanzig", 24},
    {"sechsunddreißig", 36},
    {"eineinhalb", 1.5},
    {"anderthalb", 1.5},
};

static const char *const dur_ordinals[] = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"};

struct dur_scanner *
dur_scanner_new(struct rw_error *err)
{
	struct dur_scanner *ds;
	int errcode, i;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	ds = calloc(1, sizeof(*ds));
	if (ds == NULL) {
		rw_error_set(err, "duration", 0, 0, "out of memory");
		return NULL;
	}
	ds->code = pcre2_compile((PCRE2_SPTR)DUR_PATTERN, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff,
	    NULL);
	if (ds->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		rw_error_set(
		    err, "duration.c", 0, (long)erroff + 1, "duration pattern: %s", (char *)msg);
		free(ds);
		return NULL;
	}
	/* JIT is an optimisation: where it is unavailable the interpreter gives the same answers. */
	(void)pcre2_jit_compile(ds->code, PCRE2_JIT_COMPLETE);
	for (i = 0; i < D_MAX; i++)
		ds->group[i] =
		    pcre2_substring_number_from_name(ds->code, (PCRE2_SPTR)dur_group_names[i]);
	return ds;
}

void
dur_scanner_free(struct dur_scanner *ds)
{
	if (ds == NULL)
		return;
	pcre2_code_free(ds->code);
	free(ds);
}

/* Lower-cases ASCII and turns hyphens and blank runs into one space. */
static void
dur_norm(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o;

	o = 0;
	for (i = 0; i < n && o + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '-' || isspace(c)) {
			if (o > 0 && buf[o - 1] != ' ')
				buf[o++] = ' ';
			continue;
		}
		buf[o++] = (char)tolower(c);
	}
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

/* The value of a number in words: "twenty-four" is 24, "half a" is 0.5; -1 if unknown. */
static double
dur_word_value(const char *s, size_t n)
{
	char buf[64], *tok, *next;
	double sum;
	size_t i;
	int found;

	dur_norm(s, n, buf, sizeof(buf));
	if (strncmp(buf, "half ", 5) == 0)
		return 0.5;
	sum = 0;
	for (tok = buf; tok != NULL && *tok != '\0'; tok = next) {
		next = strchr(tok, ' ');
		if (next != NULL)
			*next++ = '\0';
		found = 0;
		for (i = 0; i < sizeof(dur_numbers) / sizeof(dur_numbers[0]); i++)
			if (strcmp(tok, dur_numbers[i].word) == 0) {
				sum += dur_numbers[i].value;
				found = 1;
				break;
			}
		if (!found)
			return -1;
	}
	return sum;
}

static double
dur_digits_value(const char *s, size_t n)
{
	char buf[16];
	size_t i;

	if (n >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] == ',' ? '.' : s[i];
	buf[n] = '\0';
	return strtod(buf, NULL);
}

/*
 * Whether "a"/"an"/"ein" before a unit is a rate rather than a length of time: "£500 a week",
 * "37.5 hours a week", "twice a year".  The token before it decides.
 */
static int
dur_is_rate(const char *text, size_t off)
{
	static const char *const rate_words[] = {"hour", "hours", "hrs", "day", "days", "shift",
	    "shifts", "night", "nights", "times", "once", "twice", "visits", "sessions"};
	char word[32];
	size_t e, b, i;

	e = off;
	while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t'))
		e--;
	b = e;
	while (b > 0 && text[b - 1] != ' ' && text[b - 1] != '\t' && text[b - 1] != '\n')
		b--;
	/* An amount or a count: "£500", "30k", "3x". */
	for (i = b; i < e; i++)
		if (isdigit((unsigned char)text[i]))
			return 1;
	dur_norm(text + b, e - b, word, sizeof(word));
	for (i = 0; i < sizeof(rate_words) / sizeof(rate_words[0]); i++)
		if (strcmp(word, rate_words[i]) == 0)
			return 1;
	return 0;
}

static int
dur_group(const struct dur_scanner *ds, const PCRE2_SIZE *ov, uint32_t count, int which, size_t *s,
    size_t *e)
{
	int g;

	g = ds->group[which];
	if (g <= 0 || (uint32_t)g >= count || ov[2 * g] == PCRE2_UNSET)
		return 0;
	*s = ov[2 * g];
	*e = ov[2 * g + 1];
	return 1;
}

/* Fills *d from the current match; 0 when it is a duration, -1 when it is skipped. */
static int
dur_build(const struct dur_scanner *ds, pcre2_match_data *md, const char *text, struct duration *d)
{
	PCRE2_SIZE *ov;
	uint32_t count;
	size_t s, e, i;
	double n, factor;
	char buf[32];

	ov = pcre2_get_ovector_pointer(md);
	count = pcre2_get_ovector_count(md);
	d->start = ov[0];
	d->end = ov[1];
	if (dur_group(ds, ov, count, D_ORD, &s, &e)) {
		dur_norm(text + s, e - s, buf, sizeof(buf));
		n = 0;
		if (isdigit((unsigned char)buf[0])) {
			n = strtod(buf, NULL);
		} else {
			for (i = 0; i < sizeof(dur_ordinals) / sizeof(dur_ordinals[0]); i++)
				if (strcmp(buf, dur_ordinals[i]) == 0)
					n = (double)(i + 1);
		}
		if (n <= 0)
			return -1;
		d->months = n * 12;
		return 0;
	}
	if (dur_group(ds, ov, count, D_D, &s, &e)) {
		n = dur_digits_value(text + s, e - s);
	} else if (dur_group(ds, ov, count, D_WD, &s, &e)) {
		n = dur_digits_value(text + s, e - s);
	} else if (dur_group(ds, ov, count, D_W, &s, &e)) {
		n = dur_word_value(text + s, e - s);
		dur_norm(text + s, e - s, buf, sizeof(buf));
		if ((strcmp(buf, "a") == 0 || strcmp(buf, "an") == 0 ||
			strncmp(buf, "ein", 3) == 0) &&
		    dur_is_rate(text, s))
			return -1;
	} else {
		return -1;
	}
	if (n <= 0)
		return -1;
	if (dur_group(ds, ov, count, D_HALF, &s, &e) || dur_group(ds, ov, count, D_HALF2, &s, &e))
		n += 0.5;
	if (dur_group(ds, ov, count, D_UY, &s, &e))
		factor = 12;
	else if (dur_group(ds, ov, count, D_UM, &s, &e))
		factor = 1;
	else if (dur_group(ds, ov, count, D_UW, &s, &e))
		factor = 12.0 / 52;
	else
		factor = 12.0 / 365;
	d->months = n * factor;
	return 0;
}

/* Returns 0 after the last mention, the callback's non-zero value if it stopped the scan, or -1
 * if matching failed (out of memory, match limit). */
int
dur_scan(const struct dur_scanner *ds, const char *text, size_t len, dur_cb cb, void *arg)
{
	pcre2_match_data *md;
	struct duration d;
	size_t off;
	int rc, stop;

	md = pcre2_match_data_create_from_pattern(ds->code, NULL);
	if (md == NULL)
		return -1;
	off = 0;
	stop = 0;
	while (off < len) {
		rc = pcre2_match(ds->code, (PCRE2_SPTR)text, len, off, 0, md, NULL);
		if (rc < 0) {
			if (rc != PCRE2_ERROR_NOMATCH)
				stop = -1;
			break;
		}
		if (dur_build(ds, md, text, &d) == 0) {
			off = d.end;
			if ((stop = cb(&d, arg)) != 0)
				break;
			continue;
		}
		/* Skipped ("a week" after "hours"): go on one character later. */
		off = pcre2_get_ovector_pointer(md)[0] + 1;
		while (off < len && ((unsigned char)text[off] & 0xc0) == 0x80)
			off++;
	}
	pcre2_match_data_free(md);
	return stop;
}
