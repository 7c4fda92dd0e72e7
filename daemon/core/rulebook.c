/* Loading the rulebook: every XML file under each directory, validated with RELAX NG, then
 * compiled: XPath with xmlXPathCompile, patterns with PCRE2 (JIT), templates split into literal
 * and XPath parts. Later directories layer over earlier ones. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <bsd/stdlib.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpathInternals.h>

#include "doc.h"
#include "rb_internal.h"
#include "rw_functions.h"

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *
severity_name(enum severity s)
{
	return sev_names[s];
}

int
severity_from_name(const char *s, enum severity *out)
{
	size_t i;

	for (i = 0; i < sizeof(sev_names) / sizeof(sev_names[0]); i++)
		if (strcasecmp(s, sev_names[i]) == 0) {
			*out = (enum severity)i;
			return 0;
		}
	return -1;
}

/* --- loading state --- */

struct rb_load {
	struct rulebook *rb;
	struct rw_error *err;
	const char *file;
	int layer; /* 0 for the first directory */
	xmlRelaxNGPtr rng;
	xmlRelaxNGValidCtxtPtr vctx;
	int failed;
	/* layering directives seen in later layers, applied once every file is read */
	xmlDocPtr *layer_docs;
	size_t nlayer_docs;
	xmlDocPtr probe; /* an empty canonical document every expression is tried on once */
};

static char *
rb_strdup(const xmlChar *s)
{
	return s != NULL ? strdup((const char *)s) : NULL;
}

static char *
rb_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *out = rb_strdup(v);

	xmlFree(v);
	return out;
}

static char *
rb_text(xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s, *out;
	size_t len;

	if (v == NULL)
		return NULL;
	s = (char *)v;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	out = strndup(s, len);
	xmlFree(v);
	/* Multi-line text in rule files reads as one line. */
	for (s = out; s != NULL && *s != '\0'; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
	return out;
}

static int
rb_is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static void rb_fail(struct rb_load *L, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
rb_fail(struct rb_load *L, long line, const char *fmt, ...)
{
	va_list ap;

	if (L->failed)
		return;
	L->failed = 1;
	rw_error_set(L->err, L->file, line, 0, "%s", "");
	va_start(ap, fmt);
	vsnprintf(L->err->msg, sizeof(L->err->msg), fmt, ap);
	va_end(ap);
}

/* Space-separated values to a NULL-terminated array. */
static char **
rb_split(const char *s)
{
	char **v = NULL, *copy, *p, *tok;
	size_t n = 0;

	if (s == NULL || (copy = strdup(s)) == NULL)
		return NULL;
	p = copy;
	while ((tok = strsep(&p, " \t\n")) != NULL) {
		char **nv;

		if (*tok == '\0')
			continue;
		if ((nv = reallocarray(v, n + 2, sizeof(*v))) == NULL)
			break;
		v = nv;
		v[n++] = strdup(tok);
		v[n] = NULL;
	}
	free(copy);
	return v;
}

static void
rb_free_strv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* --- XPath compilation, with errors caught and named --- */

struct rb_xerr {
	char msg[256];
	int set;
};

static void
rb_xpath_err(void *data, xmlErrorPtr e)
{
	struct rb_xerr *x = data;

	if (x->set || e == NULL)
		return;
	snprintf(x->msg, sizeof(x->msg), "%s", e->message != NULL ? e->message : "XPath error");
	x->msg[strcspn(x->msg, "\n")] = '\0';
	x->set = 1;
}

/* Compiles src and tries it once on an empty canonical document, so that an unknown function
 * or namespace prefix is a load error with a line, not a surprise on the first posting. */
static xmlXPathCompExprPtr
rb_compile(struct rb_load *L, const char *src, long line, const char *rule)
{
	struct rb_xerr x = {"", 0};
	xmlXPathCompExprPtr c;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr r;

	xmlSetStructuredErrorFunc(&x, rb_xpath_err);
	c = xmlXPathCompile((const xmlChar *)src);
	if (c == NULL) {
		xmlSetStructuredErrorFunc(NULL, NULL);
		rb_fail(L, line, "rule %s: XPath does not compile: %s: %s", rule,
		    x.msg[0] ? x.msg : "syntax error", src);
		return NULL;
	}
	ctx = L->probe != NULL ? rwf_context(L->probe, NULL) : NULL;
	r = ctx != NULL ? xmlXPathCompiledEval(c, ctx) : NULL;
	if (r == NULL && x.set) {
		rb_fail(L, line, "rule %s: XPath fails: %s: %s", rule, x.msg, src);
		xmlXPathFreeCompExpr(c);
		c = NULL;
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlSetStructuredErrorFunc(NULL, NULL);
	return c;
}

/* "Recruits from {rw:country-name(...)} …": literal runs and {XPath} parts. */
static int
rb_template(struct rb_load *L, struct rb_rule *r, const char *s, long line)
{
	const char *p = s, *open, *close;

	while (*p != '\0') {
		struct rb_tpl_part *parts;

		open = strchr(p, '{');
		parts = reallocarray(r->message, r->nmessage + 2, sizeof(*parts));
		if (parts == NULL)
			return -1;
		r->message = parts;
		if (open == NULL) {
			parts[r->nmessage].text = strdup(p);
			parts[r->nmessage++].expr = NULL;
			break;
		}
		if (open > p) {
			parts[r->nmessage].text = strndup(p, (size_t)(open - p));
			parts[r->nmessage++].expr = NULL;
		}
		close = strchr(open, '}');
		if (close == NULL) {
			rb_fail(L, line, "rule %s: message has '{' without '}'", r->id);
			return -1;
		}
		{
			char *src = strndup(open + 1, (size_t)(close - open - 1));

			parts[r->nmessage].text = NULL;
			parts[r->nmessage].expr =
			    src != NULL ? rb_compile(L, src, line, r->id) : NULL;
			free(src);
			if (parts[r->nmessage].expr == NULL)
				return -1;
			r->nmessage++;
		}
		p = close + 1;
	}
	return 0;
}

static int
rb_add_cond(struct rb_load *L, struct rb_cond **v, size_t *n, xmlNodePtr el, const char *rule)
{
	struct rb_cond *c = reallocarray(*v, *n + 1, sizeof(**v));

	if (c == NULL)
		return -1;
	*v = c;
	c = &c[*n];
	c->src = rb_text(el);
	c->line = (long)xmlGetLineNo(el);
	c->expr = c->src != NULL ? rb_compile(L, c->src, c->line, rule) : NULL;
	if (c->expr == NULL) {
		free(c->src);
		return -1;
	}
	(*n)++;
	return 0;
}

/* --- patterns --- */

static int
rb_needs_ucp(const char *src)
{
	const unsigned char *p;

	for (p = (const unsigned char *)src; *p != '\0'; p++)
		if (*p >= 0x80)
			return 1;
	return strstr(src, "[:") != NULL; /* POSIX classes */
}

static int
rb_pattern_load(struct rb_load *L, xmlNodePtr el)
{
	struct rulebook *rb = L->rb;
	struct rb_pattern *p;
	char *name = rb_attr(el, "name"), *src = NULL;
	xmlNodePtr a;
	size_t i;
	int ec;
	PCRE2_SIZE eo;
	long line = (long)xmlGetLineNo(el);

	for (i = 0; i < rb->npatterns; i++)
		if (strcmp(rb->patterns[i].name, name) == 0) {
			rb_fail(L, line, "pattern '%s' already defined in %s:%ld", name,
			    rb->patterns[i].file, rb->patterns[i].line);
			free(name);
			return -1;
		}
	/* <alt>s are phrasings, one per element: the pattern is their alternation. */
	for (a = el->children; a != NULL && !rb_is(a, "alt"); a = a->next)
		;
	if (a != NULL) {
		FILE *f;
		size_t len = 0;

		f = open_memstream(&src, &len);
		if (f == NULL) {
			free(name);
			return -1;
		}
		fputs("(?:", f);
		for (a = el->children, i = 0; a != NULL; a = a->next)
			if (rb_is(a, "alt")) {
				char *t = rb_text(a);

				fprintf(f, "%s(?:%s)", i++ > 0 ? "|" : "", t != NULL ? t : "");
				free(t);
			}
		fputc(')', f);
		fclose(f);
	} else
		src = rb_text(el);
	if ((p = reallocarray(rb->patterns, rb->npatterns + 1, sizeof(*p))) == NULL) {
		free(name);
		free(src);
		return -1;
	}
	rb->patterns = p;
	p = &p[rb->npatterns];
	/* Unicode properties for \w, \b and \s cost a factor of four in matching time: only
	 * patterns that spell non-ASCII letters (German words, whose \w must take umlauts) get
	 * them. Caseless matching of non-ASCII letters and \p{…} work in UTF mode either way. */
	p->re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_CASELESS | (rb_needs_ucp(src) ? PCRE2_UCP : 0), &ec, &eo, NULL);
	if (p->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		rb_fail(L, line, "pattern '%s': %s at offset %zu of: %s", name, (char *)msg,
		    (size_t)eo, src);
		free(name);
		free(src);
		return -1;
	}
	pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE); /* interpreted if JIT is unavailable */
	free(src);
	p->name = name;
	p->file = strdup(L->file);
	p->line = line;
	rb->npatterns++;
	return 0;
}

/* --- rules --- */

static void
rb_rule_free(struct rb_rule *r)
{
	size_t i;

	free(r->id);
	free(r->category);
	free(r->title);
	free(r->advice);
	free(r->file);
	rb_free_strv(r->destinations);
	rb_free_strv(r->except_destinations);
	for (i = 0; i < r->ncites; i++) {
		free(r->cites[i].instrument);
		free(r->cites[i].article);
		free(r->cites[i].edition);
	}
	free(r->cites);
	for (i = 0; i < r->nwhen; i++) {
		free(r->when[i].src);
		xmlXPathFreeCompExpr(r->when[i].expr);
	}
	free(r->when);
	for (i = 0; i < r->nunless; i++) {
		free(r->unless[i].src);
		xmlXPathFreeCompExpr(r->unless[i].expr);
	}
	free(r->unless);
	for (i = 0; i < r->nmessage; i++) {
		free(r->message[i].text);
		xmlXPathFreeCompExpr(r->message[i].expr);
	}
	free(r->message);
	for (i = 0; i < r->nevidence; i++) {
		xmlXPathFreeCompExpr(r->evidence[i].select);
		xmlXPathFreeCompExpr(r->evidence[i].in);
		free(r->evidence[i].pattern);
		free(r->evidence[i].unless);
	}
	free(r->evidence);
}

const struct rb_rule *
rb_rule(const struct rulebook *rb, const char *id)
{
	size_t i;

	for (i = 0; i < rb->nrules; i++)
		if (strcmp(rb->rules[i].id, id) == 0)
			return &rb->rules[i];
	return NULL;
}

static int
rb_rule_load(struct rb_load *L, xmlNodePtr el)
{
	struct rulebook *rb = L->rb;
	struct rb_rule *r, *v;
	const struct rb_rule *dup;
	xmlNodePtr c;
	char *s;
	long line = (long)xmlGetLineNo(el);

	if ((v = reallocarray(rb->rules, rb->nrules + 1, sizeof(*v))) == NULL)
		return -1;
	rb->rules = v;
	r = &v[rb->nrules];
	memset(r, 0, sizeof(*r));
	r->id = rb_attr(el, "id");
	if ((dup = rb_rule(rb, r->id)) != NULL) {
		rb_fail(L, line, "rule %s already defined at %s:%ld (use <override> or <disable>)",
		    r->id, dup->file, dup->line);
		free(r->id);
		return -1;
	}
	rb->nrules++; /* owned from here on, freed with the rulebook */
	r->file = strdup(L->file);
	r->line = line;
	r->category = rb_attr(el, "category");
	s = rb_attr(el, "severity");
	severity_from_name(s, &r->severity); /* the schema allows only valid names */
	free(s);
	s = rb_attr(el, "revision");
	/* The schema allows only positive integers; a value out of range counts as 1. */
	r->revision = s != NULL ? (int)strtonum(s, 1, INT_MAX, NULL) : 1;
	if (r->revision == 0)
		r->revision = 1;
	free(s);
	s = rb_attr(el, "applies-to");
	r->posting = s == NULL || strstr(s, "posting") != NULL;
	r->contract = s == NULL || strstr(s, "contract") != NULL;
	free(s);
	s = rb_attr(el, "destinations");
	r->destinations = rb_split(s);
	free(s);
	s = rb_attr(el, "except-destinations");
	r->except_destinations = rb_split(s);
	free(s);

	for (c = el->children; c != NULL && !L->failed; c = c->next) {
		if (rb_is(c, "title"))
			r->title = rb_text(c);
		else if (rb_is(c, "advice"))
			r->advice = rb_text(c);
		else if (rb_is(c, "cite")) {
			struct rb_cite *ci = reallocarray(r->cites, r->ncites + 1, sizeof(*ci));

			if (ci == NULL)
				return -1;
			r->cites = ci;
			ci[r->ncites].instrument = rb_attr(c, "instrument");
			ci[r->ncites].article = rb_attr(c, "article");
			ci[r->ncites++].edition = rb_attr(c, "edition");
		} else if (rb_is(c, "when")) {
			if (rb_add_cond(L, &r->when, &r->nwhen, c, r->id) != 0)
				return -1;
		} else if (rb_is(c, "unless")) {
			if (rb_add_cond(L, &r->unless, &r->nunless, c, r->id) != 0)
				return -1;
		} else if (rb_is(c, "message")) {
			char *t = rb_text(c);
			int rc = t != NULL ? rb_template(L, r, t, (long)xmlGetLineNo(c)) : -1;

			free(t);
			if (rc != 0)
				return -1;
		} else if (rb_is(c, "evidence")) {
			struct rb_evidence *e =
			    reallocarray(r->evidence, r->nevidence + 1, sizeof(*e));
			char *sel = rb_attr(c, "select"), *in = rb_attr(c, "in");
			long eline = (long)xmlGetLineNo(c);

			if (e == NULL) {
				free(sel);
				free(in);
				return -1;
			}
			r->evidence = e;
			e = &e[r->nevidence++];
			memset(e, 0, sizeof(*e));
			e->pattern = rb_attr(c, "pattern");
			e->unless = rb_attr(c, "unless");
			if (sel != NULL)
				e->select = rb_compile(L, sel, eline, r->id);
			if (in != NULL)
				e->in = rb_compile(L, in, eline, r->id);
			free(sel);
			free(in);
			if (L->failed)
				return -1;
		}
	}
	return L->failed ? -1 : 0;
}

/* --- lists and agreements --- */

static int
rb_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
rb_list_load(struct rb_load *L, xmlNodePtr el)
{
	struct rulebook *rb = L->rb;
	struct rb_list *l;
	xmlNodePtr c;
	size_t i;

	if ((l = reallocarray(rb->lists, rb->nlists + 1, sizeof(*l))) == NULL)
		return -1;
	rb->lists = l;
	l = &l[rb->nlists];
	memset(l, 0, sizeof(*l));
	l->id = rb_attr(el, "id");
	for (i = 0; i < rb->nlists; i++)
		if (strcmp(rb->lists[i].id, l->id) == 0) {
			rb_fail(L, (long)xmlGetLineNo(el), "list '%s' is defined twice", l->id);
			free(l->id);
			return -1;
		}
	rb->nlists++;
	l->family = rb_attr(el, "family");
	l->edition = rb_attr(el, "edition");
	l->effective = rb_attr(el, "effective");
	l->title = rb_attr(el, "title");
	for (c = el->children; c != NULL; c = c->next)
		if (rb_is(c, "country")) {
			char **v = reallocarray(l->codes, l->ncodes + 1, sizeof(*v));

			if (v == NULL)
				return -1;
			l->codes = v;
			v[l->ncodes++] = rb_attr(c, "code");
		}
	qsort(l->codes, l->ncodes, sizeof(*l->codes), rb_strcmp_p);
	return 0;
}

static int
rb_agreements_load(struct rb_load *L, xmlNodePtr el)
{
	struct rulebook *rb = L->rb;
	xmlNodePtr c;

	for (c = el->children; c != NULL; c = c->next) {
		struct rb_agreement *a;
		char *prof;

		if (!rb_is(c, "agreement"))
			continue;
		if ((a = reallocarray(rb->agreements, rb->nagreements + 1, sizeof(*a))) == NULL)
			return -1;
		rb->agreements = a;
		a = &a[rb->nagreements++];
		memset(a, 0, sizeof(*a));
		a->id = rb_attr(c, "id");
		a->title = rb_text(c);
		a->destination = rb_attr(c, "destination");
		a->source = rb_attr(c, "source");
		prof = rb_attr(c, "professions");
		a->professions = rb_split(prof);
		free(prof);
		a->from = rb_attr(c, "from");
		a->to = rb_attr(c, "to");
		a->channel = rb_attr(c, "channel");
	}
	return 0;
}

/* --- layering directives: applied after every file is read --- */

static int
rb_directives(struct rb_load *L, xmlDocPtr doc)
{
	struct rulebook *rb = L->rb;
	xmlNodePtr c;

	L->file = (const char *)doc->URL;
	for (c = xmlDocGetRootElement(doc)->children; c != NULL && !L->failed; c = c->next) {
		struct rb_rule *r;
		char *id;
		long line = (long)xmlGetLineNo(c);

		if (rb_is(c, "in-force")) {
			char *fam = rb_attr(c, "family"), *list = rb_attr(c, "list"), *pair = NULL;
			char **v;
			const struct rb_list *l = rb_list_for(rb, list, NULL);

			if (l == NULL || l->family == NULL || strcmp(l->family, fam) != 0)
				rb_fail(
				    L, line, "in-force: no list '%s' in family '%s'", list, fam);
			else if (asprintf(&pair, "%s=%s", fam, list) >= 0 &&
			    (v = reallocarray(rb->pinned, rb->npinned + 1, sizeof(*v))) != NULL) {
				rb->pinned = v;
				v[rb->npinned++] = pair;
				pair = NULL;
			}
			free(pair);
			free(fam);
			free(list);
			continue;
		}
		if (!rb_is(c, "disable") && !rb_is(c, "override") && !rb_is(c, "exception"))
			continue;
		id = rb_attr(c, "rule");
		r = (struct rb_rule *)(uintptr_t)rb_rule(rb, id);
		if (r == NULL) {
			rb_fail(
			    L, line, "%s: no rule %s to apply it to", (const char *)c->name, id);
			free(id);
			continue;
		}
		free(id);
		if (rb_is(c, "disable"))
			r->disabled = 1;
		else if (rb_is(c, "override")) {
			char *sev = rb_attr(c, "severity");

			severity_from_name(sev, &r->severity);
			free(sev);
		} else {
			xmlNodePtr w;

			/* An exception is one more <unless>: all its conditions together. */
			for (w = c->children; w != NULL; w = w->next)
				if (rb_is(w, "when") &&
				    rb_add_cond(L, &r->unless, &r->nunless, w, r->id) != 0)
					break;
		}
	}
	return L->failed ? -1 : 0;
}

/* The string-literal arguments of each call to fn in src (pattern and list names), the last
 * nlast of them: calls are found by scanning, with strings skipped and parentheses balanced. */
static int
rb_each_name(
    const char *src, const char *fn, int nlast, int (*cb)(const char *name, void *), void *arg)
{
	const char *p = src, *q;
	size_t fl = strlen(fn);

	while ((p = strstr(p, fn)) != NULL) {
		const char *lit[8] = {NULL}, *litend[8] = {NULL};
		int depth = 1, n = 0, i;

		p += fl;
		for (q = p; *q != '\0' && depth > 0; q++) {
			if (*q == '\'' || *q == '"') {
				const char *e = strchr(q + 1, *q);

				if (e == NULL)
					break;
				if (depth == 1 && n < 8) {
					lit[n] = q + 1;
					litend[n++] = e;
				}
				q = e;
			} else if (*q == '(')
				depth++;
			else if (*q == ')')
				depth--;
		}
		for (i = n > nlast ? n - nlast : 0; i < n; i++) {
			char name[128];

			snprintf(name, sizeof(name), "%.*s", (int)(litend[i] - lit[i]), lit[i]);
			if (cb(name, arg) != 0)
				return -1;
		}
	}
	return 0;
}

struct rb_refcheck {
	struct rb_load *L;
	const struct rb_rule *r;
	const struct rb_cond *c;
	int list;
};

static int
rb_ref_cb(const char *name, void *arg)
{
	struct rb_refcheck *k = arg;
	struct rulebook *rb = k->L->rb;

	if (k->list ? rb_list_for(rb, name, NULL) != NULL : rb_pattern(rb, name) != NULL)
		return 0;
	k->L->file = k->r->file;
	rb_fail(k->L, k->c->line, "rule %s: unknown %s '%s'", k->r->id,
	    k->list ? "list" : "pattern", name);
	return -1;
}

/* Every rw:match / rw:in-list name a rule uses must exist: a typo would silently never fire. */
static int
rb_check_refs(struct rb_load *L)
{
	struct rulebook *rb = L->rb;
	struct rb_refcheck k;
	size_t i, j;

	k.L = L;
	for (i = 0; i < rb->nrules && !L->failed; i++) {
		const struct rb_rule *r = &rb->rules[i];

		k.r = r;
		for (j = 0; j < r->nevidence && !L->failed; j++)
			if (r->evidence[j].pattern != NULL &&
			    rb_pattern(rb, r->evidence[j].pattern) == NULL) {
				L->file = r->file;
				rb_fail(L, r->line, "rule %s: evidence uses unknown pattern '%s'",
				    r->id, r->evidence[j].pattern);
			}
		for (j = 0; j < r->nwhen + r->nunless && !L->failed; j++) {
			k.c = j < r->nwhen ? &r->when[j] : &r->unless[j - r->nwhen];
			k.list = 0;
			rb_each_name(k.c->src, "rw:match(", 1, rb_ref_cb, &k);
			if (!L->failed)
				rb_each_name(k.c->src, "rw:match-unless(", 2, rb_ref_cb, &k);
			k.list = 1;
			if (!L->failed)
				rb_each_name(k.c->src, "rw:in-list(", 1, rb_ref_cb, &k);
		}
	}
	return L->failed ? -1 : 0;
}

/* --- files --- */

static void
rb_rng_err(void *data, xmlErrorPtr e)
{
	struct rb_load *L = data;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	if (!L->failed) {
		char msg[300];

		snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "invalid");
		msg[strcspn(msg, "\n")] = '\0';
		rb_fail(L, e->line, "does not match the rulebook schema: %s", msg);
	}
}

static int
rb_load_file(struct rb_load *L, const char *path)
{
	xmlDocPtr doc;
	xmlNodePtr root, c;
	int keep = 0;

	L->file = path;
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		xmlErrorPtr e = xmlGetLastError();

		rb_fail(L, e != NULL ? e->line : 0, "not well-formed XML: %s",
		    e != NULL && e->message != NULL ? e->message : "unreadable");
		L->err->msg[strcspn(L->err->msg, "\n")] = '\0';
		return -1;
	}
	/* Local rulebooks are untrusted input too: no entity declarations. */
	if (doc->intSubset != NULL && doc->intSubset->entities != NULL) {
		rb_fail(L, 1, "entity declarations are not allowed in rule files");
		xmlFreeDoc(doc);
		return -1;
	}
	xmlRelaxNGSetValidStructuredErrors(L->vctx, rb_rng_err, L);
	if (xmlRelaxNGValidateDoc(L->vctx, doc) != 0) {
		if (!L->failed)
			rb_fail(L, 0, "does not match the rulebook schema");
		xmlFreeDoc(doc);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (rb_is(root, "list"))
		rb_list_load(L, root);
	else if (rb_is(root, "agreements"))
		rb_agreements_load(L, root);
	else {
		char *v = rb_attr(root, "version");

		if (v != NULL && L->rb->version == NULL)
			L->rb->version = v;
		else if (v != NULL && L->layer == 0)
			free(v); /* one rulebook, many files: the first version stands */
		else if (v != NULL) {
			char *joined = NULL;

			/* Local layers add their version so a finding names the exact rulebook. */
			if (asprintf(&joined, "%s+%s", L->rb->version, v) >= 0) {
				free(L->rb->version);
				L->rb->version = joined;
			}
			free(v);
		}
		for (c = root->children; c != NULL && !L->failed; c = c->next)
			if (rb_is(c, "pattern"))
				rb_pattern_load(L, c);
		for (c = root->children; c != NULL && !L->failed; c = c->next)
			if (rb_is(c, "rule"))
				rb_rule_load(L, c);
		for (c = root->children; c != NULL && !keep; c = c->next)
			keep = rb_is(c, "disable") || rb_is(c, "override") ||
			    rb_is(c, "exception") || rb_is(c, "in-force");
	}
	if (keep && !L->failed) {
		xmlDocPtr *v = reallocarray(L->layer_docs, L->nlayer_docs + 1, sizeof(*v));

		if (v != NULL) {
			L->layer_docs = v;
			v[L->nlayer_docs++] = doc;
			return 0;
		}
	}
	xmlFreeDoc(doc);
	return L->failed ? -1 : 0;
}

static int
rb_namecmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every *.xml below dir, in name order, skipping rule tests, the schema and entity data. */
static int
rb_load_dir(struct rb_load *L, const char *dir, int depth)
{
	struct dirent **ents;
	int n, i, rc = 0;

	n = scandir(dir, &ents, NULL, rb_namecmp);
	if (n < 0) {
		L->file = dir;
		rb_fail(L, 0, "cannot read rulebook directory: %m");
		return -1;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (rc == 0 && name[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 2 && strcmp(name, "tests") != 0 &&
			    strcmp(name, "schema") != 0 && strcmp(name, "data") != 0)
				rc = rb_load_dir(L, path, depth + 1);
			else if (S_ISREG(st.st_mode) && len > 4 &&
			    strcmp(name + len - 4, ".xml") == 0)
				rc = rb_load_file(L, path);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

struct rulebook *
rb_load(char *const *dirs, size_t ndirs, const char *schemadir, struct rw_error *err)
{
	struct rb_load L;
	xmlRelaxNGParserCtxtPtr pctx;
	char rng[4096];
	size_t i;

	memset(&L, 0, sizeof(L));
	L.err = err;
	if ((L.rb = calloc(1, sizeof(*L.rb))) == NULL)
		return NULL;
	snprintf(rng, sizeof(rng), "%s/rules.rng", schemadir);
	pctx = xmlRelaxNGNewParserCtxt(rng);
	L.rng = pctx != NULL ? xmlRelaxNGParse(pctx) : NULL;
	xmlRelaxNGFreeParserCtxt(pctx);
	if (L.rng == NULL) {
		rw_error_set(err, rng, 0, 0, "cannot load the rulebook schema");
		rb_free(L.rb);
		return NULL;
	}
	L.vctx = xmlRelaxNGNewValidCtxt(L.rng);
	{
		static const char probe[] = "<posting xmlns='" DOC_NS "'><text/></posting>";

		L.probe =
		    xmlReadMemory(probe, (int)sizeof(probe) - 1, "probe", NULL, XML_PARSE_NONET);
	}
	for (i = 0; i < ndirs && !L.failed; i++) {
		char **v = reallocarray(L.rb->dirs, L.rb->ndirs + 1, sizeof(*v));

		if (v != NULL) {
			L.rb->dirs = v;
			v[L.rb->ndirs++] = strdup(dirs[i]);
		}
		L.layer = (int)i;
		rb_load_dir(&L, dirs[i], 0);
	}
	for (i = 0; i < L.nlayer_docs; i++) {
		if (!L.failed)
			rb_directives(&L, L.layer_docs[i]);
		xmlFreeDoc(L.layer_docs[i]);
	}
	free(L.layer_docs);
	if (!L.failed && L.rb->nrules == 0) {
		L.file = ndirs > 0 ? dirs[0] : "";
		rb_fail(&L, 0, "no rules found");
	}
	if (!L.failed)
		rb_check_refs(&L);
	xmlRelaxNGFreeValidCtxt(L.vctx);
	xmlRelaxNGFree(L.rng);
	xmlFreeDoc(L.probe);
	if (L.failed) {
		rb_free(L.rb);
		return NULL;
	}
	if (L.rb->version == NULL)
		L.rb->version = strdup("unversioned");
	return L.rb;
}

void
rb_free(struct rulebook *rb)
{
	size_t i;

	if (rb == NULL)
		return;
	for (i = 0; i < rb->nrules; i++)
		rb_rule_free(&rb->rules[i]);
	free(rb->rules);
	for (i = 0; i < rb->nlists; i++) {
		struct rb_list *l = &rb->lists[i];
		size_t k;

		for (k = 0; k < l->ncodes; k++)
			free(l->codes[k]);
		free(l->codes);
		free(l->id);
		free(l->family);
		free(l->edition);
		free(l->effective);
		free(l->title);
	}
	free(rb->lists);
	for (i = 0; i < rb->nagreements; i++) {
		struct rb_agreement *a = &rb->agreements[i];

		free(a->id);
		free(a->title);
		free(a->destination);
		free(a->source);
		rb_free_strv(a->professions);
		free(a->from);
		free(a->to);
		free(a->channel);
	}
	free(rb->agreements);
	for (i = 0; i < rb->npatterns; i++) {
		pcre2_code_free(rb->patterns[i].re);
		free(rb->patterns[i].name);
		free(rb->patterns[i].file);
	}
	free(rb->patterns);
	for (i = 0; i < rb->npinned; i++)
		free(rb->pinned[i]);
	free(rb->pinned);
	for (i = 0; i < rb->ndirs; i++)
		free(rb->dirs[i]);
	free(rb->dirs);
	free(rb->version);
	free(rb);
}

/* --- look-ups --- */

const struct rb_pattern *
rb_pattern(const struct rulebook *rb, const char *name)
{
	size_t i;

	for (i = 0; i < rb->npatterns; i++)
		if (strcmp(rb->patterns[i].name, name) == 0)
			return &rb->patterns[i];
	return NULL;
}

int
rb_list_has(const struct rb_list *l, const char *code)
{
	return code != NULL &&
	    bsearch(&code, l->codes, l->ncodes, sizeof(*l->codes), rb_strcmp_p) != NULL;
}

const struct rb_list *
rb_list_for(const struct rulebook *rb, const char *name, const char *date)
{
	const struct rb_list *best = NULL, *latest = NULL;
	size_t i, flen = strlen(name);

	for (i = 0; i < rb->nlists; i++)
		if (strcmp(rb->lists[i].id, name) == 0)
			return &rb->lists[i];
	/* A family: the edition pinned by <in-force>, else the latest in effect on the date. */
	for (i = 0; i < rb->npinned; i++)
		if (strncmp(rb->pinned[i], name, flen) == 0 && rb->pinned[i][flen] == '=')
			return rb_list_for(rb, rb->pinned[i] + flen + 1, NULL);
	for (i = 0; i < rb->nlists; i++) {
		const struct rb_list *l = &rb->lists[i];
		const char *eff = l->effective != NULL ? l->effective : "0000-00-00";

		if (l->family == NULL || strcmp(l->family, name) != 0)
			continue;
		if (latest == NULL || strcmp(eff, latest->effective ? latest->effective : "") > 0)
			latest = l;
		if (date != NULL && strcmp(eff, date) <= 0 &&
		    (best == NULL || strcmp(eff, best->effective ? best->effective : "") > 0))
			best = l;
	}
	if (date == NULL)
		return latest;
	/* Before the first edition took effect, the first edition is the best guide there is. */
	if (best == NULL) {
		for (i = 0; i < rb->nlists; i++) {
			const struct rb_list *l = &rb->lists[i];

			if (l->family != NULL && strcmp(l->family, name) == 0 &&
			    (best == NULL ||
				strcmp(l->effective ? l->effective : "",
				    best->effective ? best->effective : "") < 0))
				best = l;
		}
	}
	return best;
}

const char *
rb_version(const struct rulebook *rb)
{
	return rb->version;
}

size_t
rb_nrules(const struct rulebook *rb)
{
	return rb->nrules;
}

const struct rb_rule *
rb_rule_at(const struct rulebook *rb, size_t i)
{
	return i < rb->nrules ? &rb->rules[i] : NULL;
}

const struct rb_rule *
rb_find_rule(const struct rulebook *rb, const char *id)
{
	return rb_rule(rb, id);
}

const char *
rb_rule_id(const struct rb_rule *r)
{
	return r->id;
}

const char *
rb_rule_category(const struct rb_rule *r)
{
	return r->category;
}

const char *
rb_rule_title(const struct rb_rule *r)
{
	return r->title;
}

enum severity
rb_rule_severity(const struct rb_rule *r)
{
	return r->severity;
}

int
rb_rule_enabled(const struct rb_rule *r)
{
	return !r->disabled;
}

int
rb_rule_revision(const struct rb_rule *r)
{
	return r->revision;
}

const char *
rb_rule_file(const struct rb_rule *r)
{
	return r->file;
}

long
rb_rule_line(const struct rb_rule *r)
{
	return r->line;
}

size_t
rb_nlists(const struct rulebook *rb)
{
	return rb->nlists;
}

void
rb_list_info(const struct rulebook *rb, size_t i, const char **id, const char **family,
    const char **edition, const char **effective, size_t *ncodes)
{
	const struct rb_list *l = &rb->lists[i];

	*id = l->id;
	*family = l->family;
	*edition = l->edition;
	*effective = l->effective;
	*ncodes = l->ncodes;
}

const char *
rb_default_dir(void)
{
	const char *env = getenv("RECRUITWATCH_RULES");

	if (env != NULL && *env != '\0')
		return env;
	if (access(RW_RULESDIR "/schema/rules.rng", R_OK) == 0)
		return RW_RULESDIR;
	return RW_SRCRULESDIR;
}

void
rb_default_schemadir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/schema", rb_default_dir());
}
