/* Country recognition: every name, variant and demonym of the data file compiled into one PCRE2
 * alternation (longest first, whole words), each alternative tagged with (*MARK) so a match
 * names its country without a second look-up. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <bsd/string.h>

#include "gazetteer.h"

struct gaz_country {
	char alpha2[3];
	char alpha3[4];
	char numeric[4];
	char *name;
};

struct gaz_term {
	char *text;
	size_t country;
	int demonym;
	int place; /* a city or region standing for its country */
};

struct gaz {
	struct gaz_country *countries;
	size_t ncountries;
	struct gaz_term *terms;
	size_t nterms, capterms;
	pcre2_code *re;
};

void
gaz_free(struct gaz *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->ncountries; i++)
		free(g->countries[i].name);
	for (i = 0; i < g->nterms; i++)
		free(g->terms[i].text);
	free(g->countries);
	free(g->terms);
	pcre2_code_free(g->re);
	free(g);
}

static int
gaz_add_term(struct gaz *g, const char *text, size_t country, int demonym, int place)
{
	struct gaz_term *t;

	while (*text == ' ')
		text++;
	if (*text == '\0')
		return 0;
	if (g->nterms == g->capterms) {
		size_t cap = g->capterms > 0 ? g->capterms * 2 : 1024;

		if ((t = reallocarray(g->terms, cap, sizeof(*g->terms))) == NULL)
			return -1;
		g->terms = t;
		g->capterms = cap;
	}
	t = &g->terms[g->nterms];
	t->text = strdup(text);
	if (t->text == NULL)
		return -1;
	t->country = country;
	t->demonym = demonym;
	t->place = place;
	g->nterms++;
	return 0;
}

static int
gaz_add_list(struct gaz *g, char *list, size_t country, int demonym, int place)
{
	char *item;

	while ((item = strsep(&list, ";")) != NULL)
		if (gaz_add_term(g, item, country, demonym, place) != 0)
			return -1;
	return 0;
}

/* All-caps abbreviations ("UK", "U.A.E.") are matched case-sensitively: "uk" in a URL or
 * "us" in a sentence is not a country. */
static int
gaz_is_abbrev(const char *s)
{
	for (; *s != '\0'; s++)
		if (!(isupper((unsigned char)*s) || *s == '.'))
			return 0;
	return 1;
}

static int
gaz_term_cmp(const void *a, const void *b)
{
	const struct gaz_term *x = a, *y = b;
	size_t lx = strlen(x->text), ly = strlen(y->text);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* Appends s to the pattern quoted, with both apostrophes accepted for either. */
static void
gaz_quote(FILE *f, const char *s)
{
	fputs("\\Q", f);
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			fputs("\\E['\xe2\x80\x99]\\Q", f);
		} else if (strncmp(s, "\xe2\x80\x99", 3) == 0) {
			fputs("\\E['\xe2\x80\x99]\\Q", f);
			s += 2;
		} else if (*s == '\\' && s[1] == 'E') {
			fputs("\\E\\\\\\Q", f);
		} else
			fputc(*s, f);
	}
	fputs("\\E", f);
}

/* The names are compiled as a trie rendered into nested groups rather than as one flat
 * alternation: PCRE2 tries alternatives in order, so a flat list of a thousand names costs a
 * thousand attempts at every word start, a trie a few. Children come before a node's own end,
 * so the longest name wins ("Nigerian" over "Nigeria", "Guinea-Bissau" over "Guinea"), and a
 * name that ends inside a word backtracks to the next shorter one. */
struct gaz_trie {
	char unit[8]; /* one character, lower-cased if ASCII; "\x01" for either apostrophe */
	size_t *kids;
	size_t nkids;
	long term; /* index into terms, or -1 */
};

static size_t
gaz_unit(const char *s, char out[8])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 1;

	if (*u == '\'' || strncmp(s, "\xe2\x80\x99", 3) == 0) {
		out[0] = '\x01';
		out[1] = '\0';
		return *u == '\'' ? 1 : 3;
	}
	if (*u >= 0xf0)
		n = 4;
	else if (*u >= 0xe0)
		n = 3;
	else if (*u >= 0xc0)
		n = 2;
	memcpy(out, s, n);
	out[n] = '\0';
	if (n == 1)
		out[0] = (char)tolower(*u);
	return n;
}

/* Nodes grow geometrically: one realloc per node copies the whole trie each time. */
struct gaz_tries {
	struct gaz_trie *v;
	size_t n, cap;
};

static long
gaz_trie_add(struct gaz_tries *t, const char *text, size_t term)
{
	size_t cur = 0, i, n;
	char unit[8];

	while (*text != '\0') {
		n = gaz_unit(text, unit);
		if (strnlen(text, n) < n)
			return -1; /* truncated UTF-8 in the data file */
		text += n;
		for (i = 0; i < t->v[cur].nkids; i++)
			if (strcmp(t->v[t->v[cur].kids[i]].unit, unit) == 0)
				break;
		if (i == t->v[cur].nkids) {
			size_t *k;

			if (t->n == t->cap) {
				size_t cap = t->cap * 2;
				struct gaz_trie *nv = reallocarray(t->v, cap, sizeof(*nv));

				if (nv == NULL)
					return -1;
				t->v = nv;
				t->cap = cap;
			}
			memset(&t->v[t->n], 0, sizeof(t->v[0]));
			strlcpy(t->v[t->n].unit, unit, sizeof(t->v[0].unit));
			t->v[t->n].term = -1;
			k = reallocarray(t->v[cur].kids, t->v[cur].nkids + 1, sizeof(*k));
			if (k == NULL)
				return -1;
			t->v[cur].kids = k;
			k[t->v[cur].nkids++] = t->n++;
		}
		cur = t->v[cur].kids[i];
	}
	if (t->v[cur].term == -1)
		t->v[cur].term = (long)term;
	return 0;
}

static void
gaz_emit_end(FILE *f, const struct gaz *g, size_t term)
{
	const struct gaz_term *t = &g->terms[term];

	if (t->demonym && t->text[strlen(t->text) - 1] != 's')
		fputs("(?:e?s)?", f);
	fprintf(f, "(*:%zu)", term);
}

static void
gaz_emit_unit(FILE *f, const char *u)
{
	if (u[0] == '\x01')
		fputs("['\xe2\x80\x99]", f);
	else if ((unsigned char)u[0] < 0x80 && !isalnum((unsigned char)u[0]))
		fprintf(f, "\\%c", u[0]); /* escaping ASCII punctuation is always literal */
	else
		fputs(u, f);
}

/* A group only where the trie branches: groups cost compiled space, and PCRE2's is bounded. */
static void
gaz_emit(FILE *f, const struct gaz *g, const struct gaz_trie *nodes, size_t n)
{
	size_t i, nalts = nodes[n].nkids + (nodes[n].term >= 0);

	if (nalts == 1 && nodes[n].nkids == 1) {
		gaz_emit_unit(f, nodes[nodes[n].kids[0]].unit);
		gaz_emit(f, g, nodes, nodes[n].kids[0]);
		return;
	}
	if (nalts == 1) {
		gaz_emit_end(f, g, (size_t)nodes[n].term);
		return;
	}
	fputs("(?:", f);
	for (i = 0; i < nodes[n].nkids; i++) {
		if (i > 0)
			fputc('|', f);
		gaz_emit_unit(f, nodes[nodes[n].kids[i]].unit);
		gaz_emit(f, g, nodes, nodes[n].kids[i]);
	}
	if (nodes[n].term >= 0) {
		fputc('|', f);
		gaz_emit_end(f, g, (size_t)nodes[n].term);
	}
	fputc(')', f);
}

static int
gaz_compile(struct gaz *g, const char *path, struct rw_error *err)
{
	struct gaz_tries t;
	char *pat = NULL;
	size_t patlen = 0, i;
	FILE *f;
	int ec, ok = 1;
	PCRE2_SIZE eo;

	qsort(g->terms, g->nterms, sizeof(*g->terms), gaz_term_cmp);
	t.cap = 4096;
	t.n = 1;
	if ((t.v = calloc(t.cap, sizeof(*t.v))) == NULL)
		return -1;
	t.v[0].term = -1;
	for (i = 0; i < g->nterms && ok; i++)
		if (!gaz_is_abbrev(g->terms[i].text))
			ok = gaz_trie_add(&t, g->terms[i].text, i) == 0;
	f = ok ? open_memstream(&pat, &patlen) : NULL;
	if (f != NULL) {
		fputs("(?<![\\p{L}\\p{N}])(?:", f);
		gaz_emit(f, g, t.v, 0);
		/* Abbreviations, case-sensitive: "UK" is a country, "uk" in an address is not. */
		for (i = 0; i < g->nterms; i++)
			if (gaz_is_abbrev(g->terms[i].text)) {
				fputs("|(?-i:", f);
				gaz_quote(f, g->terms[i].text);
				fputc(')', f);
				gaz_emit_end(f, g, i);
			}
		/* One word-end check for all: failing it backtracks into the trie to a shorter name. */
		fputs(")(?![\\p{L}\\p{N}])", f);
		ok = fclose(f) == 0;
	}
	for (i = 0; i < t.n; i++)
		free(t.v[i].kids);
	free(t.v);
	if (f == NULL || !ok) {
		free(pat);
		rw_error_set(err, path, 0, 0, "out of memory compiling country names");
		return -1;
	}
	g->re = pcre2_compile((PCRE2_SPTR)pat, patlen, PCRE2_UTF | PCRE2_CASELESS, &ec, &eo, NULL);
	free(pat);
	if (g->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		rw_error_set(err, path, 0, 0, "country patterns do not compile: %s", (char *)msg);
		return -1;
	}
	/* JIT is an optimisation: without it (e.g. no executable memory) matching still works. */
	pcre2_jit_compile(g->re, PCRE2_JIT_COMPLETE);
	return 0;
}

static const struct gaz_country *gaz_by_code(const struct gaz *, const char *, size_t);

/* places.tsv: alpha2, then cities and regions that stand for the country. */
static int
gaz_load_places(struct gaz *g, const char *path, struct rw_error *err)
{
	FILE *f;
	char *line = NULL, *p, *code;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		rw_error_set(err, path, 0, 0, "cannot open places: %m");
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
		const struct gaz_country *c;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		code = strsep(&p, "\t");
		if (p == NULL || strlen(code) != 2 || (c = gaz_by_code(g, code, 2)) == NULL) {
			rw_error_set(err, path, lineno, 0, "expected: alpha2<TAB>place;place…");
			rc = -1;
		} else if (gaz_add_list(g, p, (size_t)(c - g->countries), 0, 1) != 0) {
			rw_error_set(err, path, lineno, 0, "out of memory");
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

struct gaz *
gaz_load(const char *path, const char *places, struct rw_error *err)
{
	struct gaz *g;
	FILE *f;
	char *line = NULL, *p, *cols[6];
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int i;

	f = fopen(path, "r");
	if (f == NULL) {
		rw_error_set(err, path, 0, 0, "cannot open country data: %m");
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		goto oom;
	while ((n = getline(&line, &cap, f)) != -1) {
		struct gaz_country *c;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		for (i = 0; i < 6; i++)
			cols[i] = strsep(&p, "\t");
		if (cols[5] == NULL || strlen(cols[0]) != 2 || strlen(cols[1]) != 3) {
			rw_error_set(err, path, lineno, 0,
			    "expected 6 tab-separated columns: alpha2 alpha3 numeric name variants "
			    "demonyms");
			goto fail;
		}
		c = reallocarray(g->countries, g->ncountries + 1, sizeof(*g->countries));
		if (c == NULL)
			goto oom;
		g->countries = c;
		c = &g->countries[g->ncountries];
		memset(c, 0, sizeof(*c));
		strlcpy(c->alpha2, cols[0], sizeof(c->alpha2));
		strlcpy(c->alpha3, cols[1], sizeof(c->alpha3));
		strlcpy(c->numeric, cols[2], sizeof(c->numeric));
		c->name = strdup(cols[3]);
		g->ncountries++;
		if (c->name == NULL || gaz_add_term(g, cols[3], g->ncountries - 1, 0, 0) != 0 ||
		    gaz_add_list(g, cols[4], g->ncountries - 1, 0, 0) != 0 ||
		    gaz_add_list(g, cols[5], g->ncountries - 1, 1, 0) != 0)
			goto oom;
	}
	if (g->ncountries == 0) {
		rw_error_set(err, path, 0, 0, "no countries in file");
		goto fail;
	}
	free(line);
	fclose(f);
	if (places != NULL && gaz_load_places(g, places, err) != 0) {
		gaz_free(g);
		return NULL;
	}
	if (gaz_compile(g, path, err) != 0) {
		gaz_free(g);
		return NULL;
	}
	return g;
oom:
	rw_error_set(err, path, lineno, 0, "out of memory");
fail:
	free(line);
	fclose(f);
	gaz_free(g);
	return NULL;
}

static int
gaz_match_at(const struct gaz *g, const char *text, size_t len, size_t off, uint32_t opts,
    pcre2_match_data *md, struct gaz_mention *m)
{
	PCRE2_SIZE *ov;
	PCRE2_SPTR mark;
	int rc;
	size_t t;

	rc = pcre2_match(g->re, (PCRE2_SPTR)text, len, off, opts | PCRE2_NO_UTF_CHECK, md, NULL);
	if (rc < 0)
		return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
	ov = pcre2_get_ovector_pointer(md);
	mark = pcre2_get_mark(md);
	if (mark == NULL)
		return -1;
	t = strtoul((const char *)mark, NULL, 10);
	if (t >= g->nterms)
		return -1;
	m->code = g->countries[g->terms[t].country].alpha2;
	m->demonym = g->terms[t].demonym;
	m->start = ov[0];
	m->end = ov[1];
	m->plural = m->demonym && m->end - m->start > strlen(g->terms[t].text);
	m->place = g->terms[t].place;
	return 1;
}

int
gaz_scan(const struct gaz *g, const char *text, size_t len, gaz_cb cb, void *arg)
{
	pcre2_match_data *md;
	struct gaz_mention m;
	size_t off = 0;
	int rc, ret = 0;

	md = pcre2_match_data_create_from_pattern(g->re, NULL);
	if (md == NULL)
		return -1;
	while (off < len) {
		rc = gaz_match_at(g, text, len, off, 0, md, &m);
		if (rc <= 0) {
			ret = rc;
			break;
		}
		if (cb(&m, arg) != 0)
			break;
		off = m.end > m.start ? m.end : m.start + 1;
	}
	pcre2_match_data_free(md);
	return ret;
}

static const struct gaz_country *
gaz_by_code(const struct gaz *g, const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < g->ncountries; i++) {
		const struct gaz_country *c = &g->countries[i];

		if ((len == 2 && strncasecmp(v, c->alpha2, 2) == 0) ||
		    (len == 3 && strncasecmp(v, c->alpha3, 3) == 0) ||
		    (len == 3 && strncmp(v, c->numeric, 3) == 0))
			return c;
	}
	return NULL;
}

struct gaz_one {
	const char *code;
	int several;
};

static int
gaz_one_cb(const struct gaz_mention *m, void *arg)
{
	struct gaz_one *o = arg;

	if (o->code != NULL && strcmp(o->code, m->code) != 0)
		o->several = 1;
	o->code = m->code;
	return 0;
}

const char *
gaz_lookup(const struct gaz *g, const char *value)
{
	const struct gaz_country *c;
	struct gaz_one one = {NULL, 0};
	size_t len;

	if (value == NULL)
		return NULL;
	while (isspace((unsigned char)*value))
		value++;
	len = strlen(value);
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if ((len == 2 || len == 3) && (c = gaz_by_code(g, value, len)) != NULL)
		return c->alpha2;
	if (gaz_scan(g, value, len, gaz_one_cb, &one) != 0 || one.several)
		return NULL;
	return one.code;
}

const char *
gaz_name(const struct gaz *g, const char *alpha2)
{
	const struct gaz_country *c;

	if (alpha2 == NULL || strlen(alpha2) != 2)
		return NULL;
	c = gaz_by_code(g, alpha2, 2);
	return c != NULL ? c->name : NULL;
}
