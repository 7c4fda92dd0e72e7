/* rw: XPath functions: what XPath 1.0 lacks for rules about recruitment. Each takes its
 * arguments from the XPath stack, reads the rulebook through the context's user data, and
 * pushes one value; none of them allocates anything that outlives the call. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <libxml/xpathInternals.h>

#include "doc.h"
#include "gazetteer.h"
#include "norm.h"
#include "rb_internal.h"
#include "rw_functions.h"
#include "text.h"

static struct rwf_state *
rwf_st(xmlXPathParserContextPtr ctxt)
{
	return ctxt->context->userData;
}

/* The string values of an argument: each node of a node-set, or the one value. */
struct rwf_values {
	xmlChar **v;
	unsigned char *borrowed; /* v[i] points into the document and is not ours to free */
	int n;
};

static void
rwf_values_free(struct rwf_values *vals)
{
	int i;

	for (i = 0; i < vals->n; i++)
		if (vals->borrowed == NULL || !vals->borrowed[i])
			xmlFree(vals->v[i]);
	free(vals->v);
	free(vals->borrowed);
}

static int
rwf_pop_values(xmlXPathParserContextPtr ctxt, struct rwf_values *vals)
{
	xmlXPathObjectPtr o = valuePop(ctxt);
	int i, n;

	vals->v = NULL;
	vals->borrowed = NULL;
	vals->n = 0;
	if (o == NULL)
		return -1;
	if (o->type == XPATH_NODESET) {
		n = o->nodesetval != NULL ? o->nodesetval->nodeNr : 0;
		vals->v = calloc((size_t)(n > 0 ? n : 1), sizeof(*vals->v));
		vals->borrowed = calloc((size_t)(n > 0 ? n : 1), 1);
		for (i = 0; vals->v != NULL && vals->borrowed != NULL && i < n; i++) {
			xmlNodePtr nd = o->nodesetval->nodeTab[i], c = nd->children;

			/* An element holding one text node (d:text, d:title): read it in place rather
			 * than copy the whole description for every pattern. */
			if (nd->type == XML_ELEMENT_NODE && c != NULL && c->next == NULL &&
			    c->type == XML_TEXT_NODE && c->content != NULL) {
				vals->borrowed[vals->n] = 1;
				vals->v[vals->n++] = c->content;
			} else
				vals->v[vals->n++] = xmlNodeGetContent(nd);
		}
		if (vals->borrowed == NULL) {
			free(vals->v);
			vals->v = NULL;
		}
	} else {
		vals->v = calloc(1, sizeof(*vals->v));
		if (vals->v != NULL)
			vals->v[vals->n++] = xmlXPathCastToString(o);
	}
	xmlXPathFreeObject(o);
	return vals->v != NULL ? 0 : -1;
}

static void
rwf_note_list(struct rwf_state *st, const char *id)
{
	int i;

	for (i = 0; i < st->nlists_used; i++)
		if (strcmp(st->lists_used[i], id) == 0)
			return;
	if (st->nlists_used < RWF_MAX_LISTS)
		st->lists_used[st->nlists_used++] = id;
}

int
rwf_state_init(struct rwf_state *st)
{
	st->mctx = pcre2_match_context_create(NULL);
	/* The default 32 KiB JIT stack runs out on long sentences with bounded gaps. */
	st->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (st->mctx == NULL || st->jit_stack == NULL) {
		rwf_state_clear(st);
		return -1;
	}
	pcre2_jit_stack_assign(st->mctx, NULL, st->jit_stack);
	/* A pattern that backtracks a million times on one document is broken, not thorough:
	 * stop it and say so rather than stall a daemon on one posting. */
	pcre2_set_match_limit(st->mctx, 1000000);
	st->error[0] = '\0';
	return 0;
}

void
rwf_state_clear(struct rwf_state *st)
{
	pcre2_match_context_free(st->mctx);
	pcre2_jit_stack_free(st->jit_stack);
	st->mctx = NULL;
	st->jit_stack = NULL;
}

int
rwf_pattern_match(struct rwf_state *st, const struct rb_pattern *p, const char *s, size_t len,
    size_t off, void *md)
{
	int rc = pcre2_match(
	    p->re, (PCRE2_SPTR)s, len, off, PCRE2_NO_UTF_CHECK, md, st != NULL ? st->mctx : NULL);

	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH && st != NULL && st->error[0] == '\0') {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		snprintf(st->error, sizeof(st->error),
		    "rule %s: pattern '%s' (%s:%ld) could not be "
		    "matched: %s",
		    st->rule != NULL ? st->rule : "?", p->name, p->file, p->line, (char *)msg);
	}
	return 0;
}

/* rw:in-list(values, 'list-or-family'): is any value a member? */
static void
rwf_in_list(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);
	struct rwf_values vals;
	const struct rb_list *l = NULL;
	xmlChar *name;
	int i, found = 0;

	CHECK_ARITY(2);
	name = xmlXPathPopString(ctxt);
	if (rwf_pop_values(ctxt, &vals) != 0) {
		xmlFree(name);
		XP_ERROR(XPATH_MEMORY_ERROR);
	}
	if (st != NULL && name != NULL)
		l = rb_list_for(st->rb, (const char *)name, st->date);
	if (l != NULL) {
		for (i = 0; i < vals.n && !found; i++)
			found = rb_list_has(l, (const char *)vals.v[i]);
		if (found)
			rwf_note_list(st, l->id);
	}
	rwf_values_free(&vals);
	xmlFree(name);
	valuePush(ctxt, xmlXPathNewBoolean(found));
}

/* rw:list-edition('family'): the edition in force for this document, for messages. */
static void
rwf_list_edition(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);
	const struct rb_list *l = NULL;
	xmlChar *name;

	CHECK_ARITY(1);
	name = xmlXPathPopString(ctxt);
	if (st != NULL && name != NULL)
		l = rb_list_for(st->rb, (const char *)name, st->date);
	xmlFree(name);
	valuePush(
	    ctxt, xmlXPathNewString((const xmlChar *)(l != NULL && l->title ? l->title : "")));
}

/* rw:match(values, 'pattern'): does any value match the named pattern? */
static void
rwf_match(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);
	struct rwf_values vals;
	const struct rb_pattern *p = NULL;
	pcre2_match_data *md;
	xmlChar *name;
	int i, found = 0;

	CHECK_ARITY(2);
	name = xmlXPathPopString(ctxt);
	if (rwf_pop_values(ctxt, &vals) != 0) {
		xmlFree(name);
		XP_ERROR(XPATH_MEMORY_ERROR);
	}
	if (st != NULL && name != NULL)
		p = rb_pattern(st->rb, (const char *)name);
	if (p != NULL && (md = pcre2_match_data_create(1, NULL)) != NULL) {
		for (i = 0; i < vals.n && !found; i++)
			found = vals.v[i] != NULL &&
			    rwf_pattern_match(st, p, (const char *)vals.v[i],
				strlen((const char *)vals.v[i]), 0, md);
		pcre2_match_data_free(md);
	}
	rwf_values_free(&vals);
	xmlFree(name);
	valuePush(ctxt, xmlXPathNewBoolean(found));
}

/* rw:match-unless(values, 'pattern', 'negation'): is there a match of pattern whose sentence
 * does not also match negation? ("a fee is charged" yes; "no fee is charged" no.) Checking
 * the negation only within the matched sentence keeps both patterns simple and fast. */
static void
rwf_match_unless(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);
	struct rwf_values vals;
	const struct rb_pattern *p = NULL, *neg = NULL;
	pcre2_match_data *md = NULL, *nmd = NULL;
	xmlChar *name, *negname;
	int i, found = 0;

	CHECK_ARITY(3);
	negname = xmlXPathPopString(ctxt);
	name = xmlXPathPopString(ctxt);
	if (rwf_pop_values(ctxt, &vals) != 0) {
		xmlFree(name);
		xmlFree(negname);
		XP_ERROR(XPATH_MEMORY_ERROR);
	}
	if (st != NULL && name != NULL && negname != NULL) {
		p = rb_pattern(st->rb, (const char *)name);
		neg = rb_pattern(st->rb, (const char *)negname);
	}
	if (p != NULL && neg != NULL) {
		md = pcre2_match_data_create(1, NULL);
		nmd = pcre2_match_data_create(1, NULL);
	}
	for (i = 0; md != NULL && nmd != NULL && i < vals.n && !found; i++) {
		const char *s = (const char *)vals.v[i];
		size_t len = s != NULL ? strlen(s) : 0, off = 0;

		while (s != NULL && !found && off <= len &&
		    rwf_pattern_match(st, p, s, len, off, md)) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			size_t a, b;

			text_sentence(s, len, ov[0], ov[1], &a, &b);
			found = !rwf_pattern_match(st, neg, s + a, b - a, 0, nmd);
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
	}
	pcre2_match_data_free(md);
	pcre2_match_data_free(nmd);
	rwf_values_free(&vals);
	xmlFree(name);
	xmlFree(negname);
	valuePush(ctxt, xmlXPathNewBoolean(found));
}

static int
rwf_agreement_covers(const struct rb_agreement *a, const char *dest, const char *src,
    const char *isco, const char *date)
{
	size_t i;

	if (strcmp(a->destination, dest) != 0 || strcmp(a->source, src) != 0)
		return 0;
	if (date != NULL &&
	    (strcmp(date, a->from) < 0 || (a->to != NULL && strcmp(date, a->to) > 0)))
		return 0;
	if (a->professions == NULL || isco == NULL || *isco == '\0')
		return 1;
	for (i = 0; a->professions[i] != NULL; i++)
		if (strncmp(isco, a->professions[i], strlen(a->professions[i])) == 0)
			return 1;
	return 0;
}

/* rw:agreement(destinations, sources[, isco]): is there a government-to-government
 * agreement between a destination and a source in force on the document's date? */
static void
rwf_agreement(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);
	struct rwf_values dest, src;
	xmlChar *isco = NULL;
	int i, j, found = 0;
	size_t k;

	if (nargs < 2 || nargs > 3)
		XP_ERROR(XPATH_INVALID_ARITY);
	if (nargs == 3)
		isco = xmlXPathPopString(ctxt);
	if (rwf_pop_values(ctxt, &src) != 0) {
		xmlFree(isco);
		XP_ERROR(XPATH_MEMORY_ERROR);
	}
	if (rwf_pop_values(ctxt, &dest) != 0) {
		rwf_values_free(&src);
		xmlFree(isco);
		XP_ERROR(XPATH_MEMORY_ERROR);
	}
	for (k = 0; st != NULL && k < st->rb->nagreements && !found; k++)
		for (i = 0; i < dest.n && !found; i++)
			for (j = 0; j < src.n && !found; j++)
				found = dest.v[i] != NULL && src.v[j] != NULL &&
				    rwf_agreement_covers(&st->rb->agreements[k],
					(const char *)dest.v[i], (const char *)src.v[j],
					(const char *)isco, st->date);
	rwf_values_free(&dest);
	rwf_values_free(&src);
	xmlFree(isco);
	valuePush(ctxt, xmlXPathNewBoolean(found));
}

double
rwf_annual(double amount, const char *period)
{
	/* Full-time equivalents: 37.5 hours and 5 days a week, 52 weeks a year. */
	static const struct {
		const char *name;
		double per_year;
	} f[] = {{"hour", 1950}, {"day", 260}, {"week", 52}, {"month", 12}, {"year", 1}};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (period != NULL && strcasecmp(period, f[i].name) == 0)
			return amount * f[i].per_year;
	return NAN;
}

/* rw:annual(amount, period): the yearly equivalent, NaN when the period is unknown. */
static void
rwf_annual_fn(xmlXPathParserContextPtr ctxt, int nargs)
{
	xmlChar *period;
	double amount;

	CHECK_ARITY(2);
	period = xmlXPathPopString(ctxt);
	amount = xmlXPathPopNumber(ctxt);
	valuePush(ctxt, xmlXPathNewFloat(rwf_annual(amount, (const char *)period)));
	xmlFree(period);
}

static int
rwf_parse_day(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* rw:days(from, to): days from one ISO date to another; NaN if either is not a date. */
static void
rwf_days(xmlXPathParserContextPtr ctxt, int nargs)
{
	xmlChar *a, *b;
	time_t ta, tb;
	double d = NAN;

	CHECK_ARITY(2);
	b = xmlXPathPopString(ctxt);
	a = xmlXPathPopString(ctxt);
	if (rwf_parse_day((const char *)a, &ta) == 0 && rwf_parse_day((const char *)b, &tb) == 0)
		d = difftime(tb, ta) / 86400.0;
	xmlFree(a);
	xmlFree(b);
	valuePush(ctxt, xmlXPathNewFloat(d));
}

/* rw:date(): the document's date (posted, else delivered), or "" when unknown. */
static void
rwf_date(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);

	CHECK_ARITY(0);
	valuePush(
	    ctxt, xmlXPathNewString((const xmlChar *)(st != NULL && st->date ? st->date : "")));
}

/* rw:country-name(code): the English name, or the code itself. */
static void
rwf_country_name(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct rwf_state *st = rwf_st(ctxt);
	xmlChar *code;
	const char *name = NULL;

	CHECK_ARITY(1);
	code = xmlXPathPopString(ctxt);
	if (st != NULL && st->nm != NULL && code != NULL)
		name = gaz_name(st->nm->gaz, (const char *)code);
	valuePush(ctxt, xmlXPathNewString(name != NULL ? (const xmlChar *)name : code));
	xmlFree(code);
}

/* rw:lower(s) */
static void
rwf_lower(xmlXPathParserContextPtr ctxt, int nargs)
{
	xmlChar *s;
	xmlChar *p;

	CHECK_ARITY(1);
	s = xmlXPathPopString(ctxt);
	for (p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (xmlChar)(*p - 'A' + 'a');
	valuePush(ctxt, xmlXPathWrapString(s));
}

xmlXPathContextPtr
rwf_context(xmlDocPtr doc, struct rwf_state *st)
{
	static const struct {
		const char *name;
		xmlXPathFunction fn;
	} fns[] = {{"in-list", rwf_in_list}, {"list-edition", rwf_list_edition},
	    {"match", rwf_match}, {"match-unless", rwf_match_unless}, {"agreement", rwf_agreement},
	    {"annual", rwf_annual_fn}, {"days", rwf_days}, {"date", rwf_date},
	    {"country-name", rwf_country_name}, {"lower", rwf_lower}};
	xmlXPathContextPtr ctx;
	size_t i;

	ctx = xmlXPathNewContext(doc);
	if (ctx == NULL)
		return NULL;
	xmlXPathRegisterNs(ctx, (const xmlChar *)"d", (const xmlChar *)DOC_NS);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"rw", (const xmlChar *)RWX_NS);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		xmlXPathRegisterFuncNS(
		    ctx, (const xmlChar *)fns[i].name, (const xmlChar *)RWX_NS, fns[i].fn);
	ctx->userData = st;
	ctx->node = xmlDocGetRootElement(doc);
	return ctx;
}
