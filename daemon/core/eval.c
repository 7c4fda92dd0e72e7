/* Evaluation: for each rule, its conditions as compiled XPath over the document, through one
 * reused context; findings carry the rule's revision and the rulebook's version so that they
 * can be reproduced later. */
#include <math.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <libxml/xpathInternals.h>

#include "doc.h"
#include "eval.h"
#include "finding_internal.h"
#include "rb_internal.h"
#include "rw_functions.h"
#include "text.h"

#define EVAL_MAX_PATTERN_EVIDENCE 5

struct evaluator {
	const struct rulebook *rb;
	const struct norm *nm;
	struct rwf_state st;
	char date[16];
	double *profile; /* seconds per rule, when profiling */
	size_t profiled_docs;
};

static double
eval_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
eval_profile_enable(struct evaluator *ev)
{
	if (ev->profile == NULL)
		ev->profile = calloc(ev->rb->nrules > 0 ? ev->rb->nrules : 1, sizeof(double));
	return ev->profile != NULL ? 0 : -1;
}

double
eval_profile_seconds(const struct evaluator *ev, size_t i)
{
	return ev->profile != NULL && i < ev->rb->nrules ? ev->profile[i] : 0;
}

size_t
eval_profile_docs(const struct evaluator *ev)
{
	return ev->profiled_docs;
}

struct evaluator *
eval_new(const struct rulebook *rb, const struct norm *nm)
{
	struct evaluator *ev = calloc(1, sizeof(*ev));

	if (ev == NULL)
		return NULL;
	ev->rb = rb;
	ev->nm = nm;
	ev->st.rb = rb;
	ev->st.nm = nm;
	if (rwf_state_init(&ev->st) != 0) {
		free(ev);
		return NULL;
	}
	return ev;
}

void
eval_free(struct evaluator *ev)
{
	if (ev == NULL)
		return;
	rwf_state_clear(&ev->st);
	free(ev->profile);
	free(ev);
}

static void
finding_clear(struct finding *f)
{
	size_t i;

	for (i = 0; i < f->nev; i++) {
		free(f->ev[i].path);
		free(f->ev[i].text);
		free(f->ev[i].match);
	}
	free(f->ev);
	free(f->message);
	free(f->lists);
}

void
findings_free(struct findings *fs)
{
	size_t i;

	if (fs == NULL)
		return;
	for (i = 0; i < fs->n; i++)
		finding_clear(&fs->v[i]);
	free(fs->v);
	free(fs->error);
	free(fs);
}

static xmlNodePtr
eval_child(xmlNodePtr root, const char *name)
{
	xmlNodePtr n;

	for (n = root != NULL ? root->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return n;
	return NULL;
}

/* The document's date: when it was posted, else when it was delivered. */
static void
eval_set_date(struct evaluator *ev, xmlNodePtr root)
{
	xmlNodePtr n;
	xmlChar *v = NULL;

	ev->date[0] = '\0';
	if ((n = eval_child(root, "posted")) != NULL)
		v = xmlNodeGetContent(n);
	else if ((n = eval_child(root, "origin")) != NULL)
		v = xmlGetProp(n, (const xmlChar *)"date");
	if (v != NULL && doc_parse_date((const char *)v, ev->date, sizeof(ev->date)) != 0)
		ev->date[0] = '\0';
	xmlFree(v);
	ev->st.date = ev->date[0] != '\0' ? ev->date : NULL;
}

static int
eval_in(char *const *v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

/* Kind and destination filters, before any XPath runs. */
static int
eval_applies(const struct rb_rule *r, xmlNodePtr root)
{
	xmlNodePtr n;
	int is_contract = xmlStrcmp(root->name, (const xmlChar *)"contract") == 0, dest_ok = 0;

	if (r->disabled || (is_contract ? !r->contract : !r->posting))
		return 0;
	if (r->destinations == NULL && r->except_destinations == NULL)
		return 1;
	for (n = root->children; n != NULL; n = n->next) {
		xmlChar *c;

		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(n->name, (const xmlChar *)"destination") != 0)
			continue;
		c = xmlGetProp(n, (const xmlChar *)"country");
		if (c != NULL && eval_in(r->except_destinations, (const char *)c)) {
			xmlFree(c);
			return 0;
		}
		if (c != NULL && eval_in(r->destinations, (const char *)c))
			dest_ok = 1;
		xmlFree(c);
	}
	return r->destinations == NULL || dest_ok;
}

static int
eval_cond(xmlXPathContextPtr ctx, const struct rb_cond *c, xmlNodePtr root)
{
	xmlXPathObjectPtr o;
	int v;

	ctx->node = root;
	o = xmlXPathCompiledEval(c->expr, ctx);
	v = o != NULL && xmlXPathCastToBoolean(o);
	xmlXPathFreeObject(o);
	return v;
}

/* /posting/source-country[2]: local names and positions, as a reader would write them. */
static char *
eval_path(xmlNodePtr n)
{
	xmlNodePtr chain[64], s;
	char *out = NULL;
	size_t len = 0;
	int depth = 0, i;
	FILE *f;

	for (; n != NULL && n->type != XML_DOCUMENT_NODE && depth < 64; n = n->parent)
		if (n->type == XML_ELEMENT_NODE || n->type == XML_ATTRIBUTE_NODE)
			chain[depth++] = n;
	if ((f = open_memstream(&out, &len)) == NULL)
		return NULL;
	for (i = depth - 1; i >= 0; i--) {
		n = chain[i];
		if (n->type == XML_ATTRIBUTE_NODE)
			fprintf(f, "/@%s", (const char *)n->name);
		else if (i == depth - 1)
			fprintf(f, "/%s", (const char *)n->name);
		else {
			int pos = 1;

			for (s = n->prev; s != NULL; s = s->prev)
				if (s->type == XML_ELEMENT_NODE && xmlStrcmp(s->name, n->name) == 0)
					pos++;
			fprintf(f, "/%s[%d]", (const char *)n->name, pos);
		}
	}
	fclose(f);
	return out;
}

static struct evidence *
eval_add_evidence(struct finding *f)
{
	struct evidence *e = reallocarray(f->ev, f->nev + 1, sizeof(*e));

	if (e == NULL)
		return NULL;
	f->ev = e;
	e = &e[f->nev++];
	memset(e, 0, sizeof(*e));
	e->start = e->end = -1;
	return e;
}

static long
eval_long_prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = n->type == XML_ELEMENT_NODE ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	long out = v != NULL ? strtol((const char *)v, NULL, 10) : -1;

	xmlFree(v);
	return out;
}

/* The sentence around a match: what a reader needs to judge it. */
static char *
eval_sentence(const char *s, size_t len, size_t ms, size_t me)
{
	size_t a, b;

	text_sentence(s, len, ms, me, &a, &b);
	return strndup(s + a, b - a);
}

/* Byte offset of the n-th character of s. */
static size_t
eval_char_offset(const char *s, long n)
{
	size_t i = 0;
	long c = 0;

	while (s[i] != '\0' && c < n) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	return i;
}

static char *
eval_mention_sentence(xmlNodePtr root, xmlNodePtr mention, long start, long end)
{
	xmlChar *where = xmlGetProp(mention, (const xmlChar *)"in");
	xmlNodePtr src;
	xmlChar *t;
	char *out = NULL;

	src = eval_child(root,
	    where != NULL && xmlStrcmp(where, (const xmlChar *)"title") == 0 ? "title" : "text");
	xmlFree(where);
	if (src != NULL && (t = xmlNodeGetContent(src)) != NULL) {
		size_t len = strlen((const char *)t), ms = eval_char_offset((const char *)t, start);
		size_t me = eval_char_offset((const char *)t, end);

		if (ms <= me && me <= len)
			out = eval_sentence((const char *)t, len, ms, me);
		xmlFree(t);
	}
	return out;
}

static void
eval_evidence(struct evaluator *ev, xmlXPathContextPtr ctx, const struct rb_evidence *e,
    xmlNodePtr root, struct finding *f)
{
	xmlXPathObjectPtr o;
	int i;

	ctx->node = root;
	if (e->select != NULL) {
		o = xmlXPathCompiledEval(e->select, ctx);
		for (i = 0; o != NULL && o->type == XPATH_NODESET && o->nodesetval != NULL &&
		     i < o->nodesetval->nodeNr && i < 10;
		     i++) {
			xmlNodePtr n = o->nodesetval->nodeTab[i];
			struct evidence *x = eval_add_evidence(f);
			xmlChar *t = xmlNodeGetContent(n);

			if (x == NULL) {
				xmlFree(t);
				break;
			}
			x->path = eval_path(n);
			x->start = eval_long_prop(n, "start");
			x->end = eval_long_prop(n, "end");
			/* A mention in the text is shown in its sentence: "Nigeria" alone says little. */
			x->text =
			    x->start >= 0 ? eval_mention_sentence(root, n, x->start, x->end) : NULL;
			if (x->text != NULL)
				x->match = strdup(t != NULL ? (const char *)t : "");
			else
				x->text = strdup(t != NULL ? (const char *)t : "");
			xmlFree(t);
		}
		xmlXPathFreeObject(o);
		return;
	}
	if (e->pattern == NULL || e->in == NULL)
		return;
	{
		const struct rb_pattern *p = rb_pattern(ev->rb, e->pattern);
		const struct rb_pattern *neg =
		    e->unless != NULL ? rb_pattern(ev->rb, e->unless) : NULL;
		pcre2_match_data *md = p != NULL ? pcre2_match_data_create(1, NULL) : NULL;
		pcre2_match_data *nmd = pcre2_match_data_create(1, NULL);
		int found = 0;

		o = md != NULL && nmd != NULL ? xmlXPathCompiledEval(e->in, ctx) : NULL;
		for (i = 0; o != NULL && o->type == XPATH_NODESET && o->nodesetval != NULL &&
		     i < o->nodesetval->nodeNr;
		     i++) {
			xmlNodePtr n = o->nodesetval->nodeTab[i];
			xmlChar *t = xmlNodeGetContent(n);
			size_t len = t != NULL ? strlen((const char *)t) : 0, off = 0;

			while (t != NULL && off <= len && found < EVAL_MAX_PATTERN_EVIDENCE &&
			    rwf_pattern_match(&ev->st, p, (const char *)t, len, off, md)) {
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
				size_t a, b, ms = ov[0], me = ov[1];
				struct evidence *x;

				off = me > ms ? me : ms + 1;
				text_sentence((const char *)t, len, ms, me, &a, &b);
				/* A negated sentence ("no fee is charged") is no evidence. */
				if (neg != NULL &&
				    rwf_pattern_match(
					&ev->st, neg, (const char *)t + a, b - a, 0, nmd))
					continue;
				if ((x = eval_add_evidence(f)) == NULL)
					break;
				x->path = eval_path(n);
				x->text = strndup((const char *)t + a, b - a);
				x->match = strndup((const char *)t + ms, me - ms);
				x->start = (long)text_chars((const char *)t, ms);
				x->end = (long)text_chars((const char *)t, me);
				found++;
			}
			xmlFree(t);
		}
		xmlXPathFreeObject(o);
		pcre2_match_data_free(md);
		pcre2_match_data_free(nmd);
	}
}

static char *
eval_message(xmlXPathContextPtr ctx, const struct rb_rule *r, xmlNodePtr root)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	for (i = 0; i < r->nmessage; i++) {
		if (r->message[i].text != NULL)
			fputs(r->message[i].text, f);
		else {
			xmlXPathObjectPtr o;
			xmlChar *s;

			ctx->node = root;
			o = xmlXPathCompiledEval(r->message[i].expr, ctx);
			s = o != NULL ? xmlXPathCastToString(o) : NULL;
			if (s != NULL)
				fputs((const char *)s, f);
			xmlFree(s);
			xmlXPathFreeObject(o);
		}
	}
	fclose(f);
	return out;
}

struct findings *
eval_doc(struct evaluator *ev, xmlDocPtr doc)
{
	struct findings *fs;
	xmlXPathContextPtr ctx;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	size_t i, k;

	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return NULL;
	fs->rb = ev->rb;
	if (root == NULL)
		return fs;
	eval_set_date(ev, root);
	ev->st.error[0] = '\0';
	/* One context per document: registering the functions is cheap next to the rules. */
	if ((ctx = rwf_context(doc, &ev->st)) == NULL) {
		free(fs);
		return NULL;
	}
	if (ev->profile != NULL)
		ev->profiled_docs++;
	for (i = 0; i < ev->rb->nrules; i++) {
		const struct rb_rule *r = &ev->rb->rules[i];
		struct finding *f;
		double t0 = ev->profile != NULL ? eval_now() : 0;
		int fire = eval_applies(r, root);

		ev->st.nlists_used = 0;
		ev->st.rule = r->id;
		for (k = 0; fire && k < r->nwhen; k++)
			fire = eval_cond(ctx, &r->when[k], root);
		for (k = 0; fire && k < r->nunless; k++)
			fire = !eval_cond(ctx, &r->unless[k], root);
		if (!fire) {
			if (ev->profile != NULL)
				ev->profile[i] += eval_now() - t0;
			continue;
		}
		f = reallocarray(fs->v, fs->n + 1, sizeof(*f));
		if (f == NULL)
			break;
		fs->v = f;
		f = &f[fs->n++];
		memset(f, 0, sizeof(*f));
		f->rule = r;
		if (ev->st.nlists_used > 0) {
			size_t len = 0;
			FILE *m = open_memstream(&f->lists, &len);
			int j;

			for (j = 0; m != NULL && j < ev->st.nlists_used; j++)
				fprintf(m, "%s%s", j > 0 ? " " : "", ev->st.lists_used[j]);
			if (m != NULL)
				fclose(m);
		}
		f->message = eval_message(ctx, r, root);
		for (k = 0; k < r->nevidence; k++)
			eval_evidence(ev, ctx, &r->evidence[k], root, f);
		if (ev->profile != NULL)
			ev->profile[i] += eval_now() - t0;
	}
	xmlXPathFreeContext(ctx);
	if (ev->st.error[0] != '\0')
		fs->error = strdup(ev->st.error);
	return fs;
}

size_t
findings_count(const struct findings *fs)
{
	return fs->n;
}

size_t
findings_at_least(const struct findings *fs, enum severity min)
{
	size_t i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (fs->v[i].rule->severity >= min)
			n++;
	return n;
}

int
findings_has_rule(const struct findings *fs, const char *id)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].rule->id, id) == 0)
			return 1;
	return 0;
}

int
eval_explain(struct evaluator *ev, xmlDocPtr doc, const char *id, FILE *out)
{
	const struct rb_rule *r = rb_rule(ev->rb, id);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlXPathContextPtr ctx;
	size_t k;
	int applies, fire;

	if (r == NULL || root == NULL)
		return -1;
	eval_set_date(ev, root);
	applies = eval_applies(r, root);
	fprintf(out, "rule %s (%s, revision %d, %s:%ld)%s\n", r->id, severity_name(r->severity),
	    r->revision, r->file, r->line, r->disabled ? " [disabled]" : "");
	fprintf(out, "  document date: %s\n", ev->st.date != NULL ? ev->st.date : "unknown");
	if (!applies) {
		fprintf(out, "  does not apply: %s\n",
		    r->disabled
			? "disabled by a local rulebook"
			: "wrong kind of document or destination outside the rule's jurisdiction");
		return 0;
	}
	if ((ctx = rwf_context(doc, &ev->st)) == NULL)
		return -1;
	fire = 1;
	for (k = 0; k < r->nwhen; k++) {
		xmlXPathObjectPtr o;
		xmlChar *s;
		int b = eval_cond(ctx, &r->when[k], root);

		ctx->node = root;
		o = xmlXPathCompiledEval(r->when[k].expr, ctx);
		s = o != NULL ? xmlXPathCastToString(o) : NULL;
		fprintf(out, "  when   %-5s  %s\n", b ? "true" : "false", r->when[k].src);
		if (o != NULL && o->type != XPATH_BOOLEAN)
			fprintf(
			    out, "                 value: %s\n", s != NULL ? (const char *)s : "");
		xmlFree(s);
		xmlXPathFreeObject(o);
		fire = fire && b;
	}
	for (k = 0; k < r->nunless; k++) {
		int b = eval_cond(ctx, &r->unless[k], root);

		fprintf(out, "  unless %-5s  %s\n", b ? "true" : "false", r->unless[k].src);
		fire = fire && !b;
	}
	xmlXPathFreeContext(ctx);
	fprintf(out, "  => %s\n", fire ? "FIRES" : "does not fire");
	return 0;
}
