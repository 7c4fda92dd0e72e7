/* schema.org JobPosting in JSON-LD: a bare object, an array, an @graph, nested entities, and
 * the same embedded in an HTML page's <script type="application/ld+json">. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>

#include "fmt.h"
#include "text.h"

#define JS_MAX_WALK 64 /* nesting walked looking for postings; jansson bounds parsing itself */

/* A scalar as text: schema.org data carries numbers as strings and strings as numbers. */
static char *
js_str(const json_t *v)
{
	char buf[64];

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		return strdup(buf);
	}
	return NULL;
}

static char *
js_get(const json_t *o, const char *key)
{
	return json_is_object(o) ? js_str(json_object_get(o, key)) : NULL;
}

/* A name from a Thing or a plain string: {"name": "X"} or "X". */
static char *
js_name(const json_t *v)
{
	char *s;

	if (json_is_string(v))
		return js_str(v);
	if (!json_is_object(v))
		return NULL;
	if ((s = js_get(v, "name")) == NULL)
		s = js_get(v, "@id");
	return s;
}

static int
js_is_type(const json_t *o, const char *type)
{
	const json_t *t = json_object_get(o, "@type"), *e;
	size_t i;

	if (json_is_string(t))
		return strcasecmp(json_string_value(t), type) == 0 ||
		    (strstr(json_string_value(t), "/") != NULL &&
			strcasecmp(strrchr(json_string_value(t), '/') + 1, type) == 0);
	for (i = 0; i < json_array_size(t); i++) {
		e = json_array_get(t, i);
		if (json_is_string(e) && strcasecmp(json_string_value(e), type) == 0)
			return 1;
	}
	return 0;
}

/* Calls fn for v, or for each element when v is an array. */
static void
js_each(const json_t *v, void (*fn)(struct doc *, const json_t *), struct doc *d)
{
	size_t i;

	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			fn(d, json_array_get(v, i));
	} else if (v != NULL)
		fn(d, v);
}

static void
js_location(struct doc *d, const json_t *place)
{
	const json_t *addr = json_is_object(place) ? json_object_get(place, "address") : place;
	char *v = NULL;

	if (json_is_string(addr)) {
		v = js_str(addr);
	} else if (json_is_object(addr)) {
		const json_t *c = json_object_get(addr, "addressCountry");

		v = json_is_object(c) ? js_name(c) : js_str(c);
		if (v == NULL) {
			char *loc = js_get(addr, "addressLocality"),
			     *reg = js_get(addr, "addressRegion");

			if (asprintf(&v, "%s%s%s", loc ? loc : "", loc && reg ? ", " : "",
				reg ? reg : "") < 0)
				v = NULL;
			free(loc);
			free(reg);
		}
	}
	if (v != NULL && *v != '\0')
		doc_add(d, "destination", v);
	free(v);
}

static void
js_applicant_location(struct doc *d, const json_t *v)
{
	char *name = js_name(v);

	if (name != NULL)
		doc_attr(doc_add(d, "source-country", name), "role", "eligibility");
	free(name);
}

static void
js_salary(struct doc *d, const json_t *posting)
{
	const json_t *bs = json_object_get(posting, "baseSalary"), *val;
	xmlNodePtr s;
	char *v, *cur = js_get(posting, "salaryCurrency");

	if (bs == NULL)
		bs = json_object_get(posting, "estimatedSalary");
	if (json_is_array(bs))
		bs = json_array_get(bs, 0);
	if (bs == NULL) {
		free(cur);
		return;
	}
	if (!json_is_object(bs)) {
		v = js_str(bs);
		s = doc_add(d, "salary", v);
		doc_attr(s, "currency", cur);
		free(v);
		free(cur);
		return;
	}
	if (cur == NULL)
		cur = js_get(bs, "currency");
	val = json_object_get(bs, "value");
	if (json_is_object(val)) {
		char *min = js_get(val, "minValue"), *max = js_get(val, "maxValue");
		char *one = js_get(val, "value"), *unit = js_get(val, "unitText");

		/* Free text in "value" next to numbers: the numbers win, the text stays. */
		s = doc_add(d, "salary", min == NULL ? one : NULL);
		if (min != NULL) {
			doc_attr(s, "min", min);
			doc_attr(s, "max", max != NULL ? max : min);
			if (one != NULL)
				xmlNodeAddContent(s, (const xmlChar *)one);
		}
		doc_attr(s, "period", unit);
		free(min);
		free(max);
		free(one);
		free(unit);
	} else {
		v = js_str(val);
		s = doc_add(d, "salary", v);
		free(v);
		v = js_get(bs, "unitText");
		doc_attr(s, "period", v);
		free(v);
	}
	doc_attr(s, "currency", cur);
	free(cur);
}

static void
js_occupation(struct doc *d, const json_t *posting)
{
	const json_t *oc = json_object_get(posting, "occupationalCategory");
	xmlNodePtr o;
	char *v;

	if (json_is_array(oc))
		oc = json_array_get(oc, 0);
	if (oc == NULL) {
		const json_t *ro = json_object_get(posting, "relevantOccupation");

		if (json_is_object(ro))
			oc = json_object_get(ro, "occupationalCategory");
		if (oc == NULL && ro != NULL) {
			v = js_name(ro);
			if (v != NULL)
				doc_add(d, "occupation", v);
			free(v);
			return;
		}
	}
	if (json_is_object(oc)) {
		char *code = js_get(oc, "codeValue"), *set = js_get(oc, "inCodeSet");

		v = js_get(oc, "name");
		o = doc_add(d, "occupation", v);
		if (code != NULL && set != NULL && strcasestr(set, "isco") != NULL) {
			doc_attr(o, "code", code);
			doc_attr(o, "list", strcasestr(set, "88") != NULL ? "ISCO88" : "ISCO2008");
		}
		free(code);
		free(set);
		free(v);
	} else if ((v = js_str(oc)) != NULL) {
		doc_add(d, "occupation", v);
		free(v);
	}
}

static char *
js_joined(const json_t *v)
{
	size_t i;
	char *out = NULL, *s, *tmp;

	if (!json_is_array(v))
		return js_str(v);
	for (i = 0; i < json_array_size(v); i++) {
		if ((s = js_str(json_array_get(v, i))) == NULL)
			continue;
		if (out == NULL)
			out = s;
		else {
			if (asprintf(&tmp, "%s, %s", out, s) < 0)
				tmp = NULL;
			free(out);
			free(s);
			out = tmp;
		}
	}
	return out;
}

/* {"@id": X} points at a node elsewhere in the graph: find the one that says more. */
static const json_t *
js_find_id(const json_t *v, const char *id, int depth)
{
	const json_t *e, *found;
	void *it;
	size_t i;

	if (depth > JS_MAX_WALK)
		return NULL;
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			if ((found = js_find_id(json_array_get(v, i), id, depth + 1)) != NULL)
				return found;
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	e = json_object_get(v, "@id");
	if (json_is_string(e) && strcmp(json_string_value(e), id) == 0 && json_object_size(v) > 1)
		return v;
	for (it = json_object_iter((json_t *)(uintptr_t)v); it != NULL;
	     it = json_object_iter_next((json_t *)(uintptr_t)v, it)) {
		e = json_object_iter_value(it);
		if ((json_is_object(e) || json_is_array(e)) &&
		    (found = js_find_id(e, id, depth + 1)) != NULL)
			return found;
	}
	return NULL;
}

static const json_t *
js_resolve(const json_t *root, const json_t *v)
{
	const json_t *id, *found;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return v;
	id = json_object_get(v, "@id");
	if (!json_is_string(id))
		return v;
	found = js_find_id(root, json_string_value(id), 0);
	return found != NULL ? found : v;
}

static void
js_employment_type(struct doc *d, const json_t *v)
{
	char *s = js_str(v);

	if (s != NULL)
		doc_add(d, "employment-type", s);
	free(s);
}

static struct doc *
js_posting(struct fmt_ctx *c, const json_t *p, const json_t *root)
{
	struct doc *d;
	const json_t *org, *id;
	char *v;

	d = doc_new(DOC_POSTING, c->source, "jsonld", c->index);
	if (d == NULL)
		return NULL;
	id = json_object_get(p, "identifier");
	v = json_is_object(id) ? js_get(id, "value") : js_str(id);
	if (v == NULL)
		v = js_get(p, "@id");
	doc_origin(d, "guid", v);
	free(v);
	v = js_get(p, "url");
	doc_origin(d, "url", v);
	free(v);
	if ((v = js_get(p, "datePosted")) != NULL) {
		doc_origin(d, "date", v);
		doc_add(d, "posted", v);
	}
	free(v);
	if ((v = js_get(p, "validThrough")) != NULL)
		doc_add(d, "valid-through", v);
	free(v);
	js_each(json_object_get(p, "employmentType"), js_employment_type, d);

	org = js_resolve(root, json_object_get(p, "hiringOrganization"));
	if ((v = js_name(org)) != NULL) {
		xmlNodePtr e = doc_add(d, "employer", NULL);

		doc_attr(e, "name", v);
		if (json_is_object(org) && json_is_object(json_object_get(org, "address"))) {
			char *cc = js_get(json_object_get(org, "address"), "addressCountry");

			doc_attr(e, "country", cc);
			free(cc);
		}
	}
	free(v);
	if ((v = js_get(p, "title")) == NULL)
		v = js_get(p, "name");
	if (v != NULL)
		doc_add(d, "title", v);
	free(v);
	if ((v = js_get(p, "description")) != NULL)
		doc_add(d, "description", v);
	free(v);

	js_each(json_object_get(p, "jobLocation"), js_location, d);
	js_each(json_object_get(p, "applicantLocationRequirements"), js_applicant_location, d);
	if ((v = js_joined(json_object_get(p, "eligibilityToWorkRequirement"))) != NULL)
		doc_add(d, "eligibility", v);
	free(v);
	js_salary(d, p);
	js_occupation(d, p);
	if ((v = js_get(p, "jobLocationType")) != NULL)
		doc_attr(doc_add(d, "field", v), "name", "jobLocationType");
	free(v);
	return d;
}

/* Postings anywhere in the graph: top level, arrays, @graph, or nested (mainEntity…). */
static int
js_walk(struct fmt_ctx *c, const json_t *root, const json_t *v, int depth, int *found)
{
	const json_t *e;
	void *it;
	size_t i;
	int rc;

	if (depth > JS_MAX_WALK)
		return 0;
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			if ((rc = js_walk(c, root, json_array_get(v, i), depth + 1, found)) != 0)
				return rc;
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	if (js_is_type(v, "JobPosting")) {
		struct doc *d = js_posting(c, v, root);

		if (d == NULL) {
			rw_error_set(c->err, c->source, 0, 0, "out of memory");
			return -1;
		}
		(*found)++;
		c->index++;
		return c->emit(d, c->arg) != 0 ? 1 : 0;
	}
	/* Postings nested in other entities (mainEntity, itemListElement…). */
	for (it = json_object_iter((json_t *)(uintptr_t)v); it != NULL;
	     it = json_object_iter_next((json_t *)(uintptr_t)v, it)) {
		e = json_object_iter_value(it);
		if ((json_is_object(e) || json_is_array(e)) &&
		    (rc = js_walk(c, root, e, depth + 1, found)) != 0)
			return rc;
	}
	return 0;
}

static int
js_parse(struct fmt_ctx *c, const char *json, size_t len, long line_offset, int *found)
{
	json_error_t je;
	json_t *root;
	int rc;

	root = json_loadb(json, len, JSON_ALLOW_NUL, &je);
	if (root == NULL) {
		rw_error_set(
		    c->err, c->source, je.line + line_offset, je.column, "JSON: %s", je.text);
		return -1;
	}
	rc = js_walk(c, root, root, 0, found);
	json_decref(root);
	return rc < 0 ? -1 : 0;
}

int
fmt_jsonld_parse(struct fmt_ctx *c, const char *json, size_t len, long line_offset)
{
	int found = 0;

	if (js_parse(c, json, len, line_offset, &found) != 0)
		return -1;
	if (found == 0) {
		rw_error_set(c->err, c->source, 0, 0, "no schema.org JobPosting in the JSON");
		return -1;
	}
	return 0;
}

/* An HTML page: its JSON-LD postings; a page without any is read as a text posting. */
int
fmt_html_parse(struct fmt_ctx *c, const char *html, size_t len)
{
	htmlDocPtr doc;
	xmlNodePtr n;
	struct rw_error first;
	int found = 0, broken = 0;
	char *v;

	if (len > INT32_MAX) {
		rw_error_set(c->err, c->source, 0, 0, "page too large");
		return -1;
	}
	doc = htmlReadMemory(html, (int)len, c->source, NULL,
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc == NULL) {
		rw_error_set(c->err, c->source, 0, 0, "not readable as HTML");
		return -1;
	}
	rw_error_clear(&first);
	/* Document order, iteratively: pages nest deeply. */
	n = xmlDocGetRootElement(doc);
	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcasecmp(n->name, (const xmlChar *)"script") == 0) {
			char *type = xu_attr(n, "type");

			if (type != NULL && strcasecmp(type, "application/ld+json") == 0 &&
			    (v = (char *)xmlNodeGetContent(n)) != NULL) {
				struct rw_error *keep = c->err, e;

				rw_error_clear(&e);
				c->err = &e;
				if (js_parse(c, v, strlen(v), xmlGetLineNo(n) - 1, &found) != 0 &&
				    !broken) {
					first = e;
					broken = 1;
				}
				c->err = keep;
				xmlFree(v);
			}
			free(type);
		} else if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL)
			n = n->parent;
		if (n != NULL)
			n = n->next;
	}
	xmlFreeDoc(doc);
	if (found > 0)
		return 0;
	if (broken) {
		*c->err = first;
		return -1;
	}
	return fmt_text_parse(c, html, len);
}
