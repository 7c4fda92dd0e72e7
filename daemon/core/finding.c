/* Findings out: the JSON of design §6 (jansson), and the text an employer reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "finding_internal.h"
#include "rb_internal.h"

static const char *
fd_attr(xmlNodePtr n, const char *name, char *buf, size_t len)
{
	xmlChar *v = n != NULL ? xmlGetProp(n, (const xmlChar *)name) : NULL;

	if (v == NULL)
		return NULL;
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return buf;
}

static xmlNodePtr
fd_child(xmlNodePtr root, const char *name)
{
	xmlNodePtr n;

	for (n = root != NULL ? root->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return n;
	return NULL;
}

static json_t *
fd_str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
fd_document(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), origin = fd_child(root, "origin");
	xmlNodePtr title = fd_child(root, "title"), agency = fd_child(root, "agency");
	char b1[600], b2[600], b3[600], b4[600], b5[64], b6[40];
	const char *index;
	xmlChar *t = title != NULL ? xmlNodeGetContent(title) : NULL;
	json_t *d, *o;

	index = fd_attr(origin, "index", b5, sizeof(b5));
	o = json_pack("{s:o, s:o, s:I, s:o, s:o}", "source",
	    fd_str_or_null(fd_attr(origin, "source", b1, sizeof(b1))), "guid",
	    fd_str_or_null(fd_attr(origin, "guid", b2, sizeof(b2))), "index",
	    (json_int_t)(index != NULL ? strtol(index, NULL, 10) : 0), "url",
	    fd_str_or_null(fd_attr(origin, "url", b3, sizeof(b3))), "format",
	    fd_str_or_null(fd_attr(origin, "format", b4, sizeof(b4))));
	d = json_pack("{s:o, s:s, s:o, s:o, s:o}", "id",
	    fd_str_or_null(fd_attr(root, "id", b6, sizeof(b6)) != NULL ? (const char *)b6 : NULL),
	    "kind", (const char *)root->name, "title", fd_str_or_null((const char *)t), "agency",
	    fd_str_or_null(fd_attr(agency, "name", b1, sizeof(b1))), "origin", o);
	xmlFree(t);
	return d;
}

json_t *
findings_json(const struct findings *fs, xmlDocPtr doc, enum severity min)
{
	json_t *arr = json_array(), *out;
	size_t i, k;

	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		const struct rb_rule *r = f->rule;
		json_t *ev, *cite, *jf;

		if (r->severity < min)
			continue;
		ev = json_array();
		cite = json_array();
		for (k = 0; k < f->nev; k++) {
			const struct evidence *e = &f->ev[k];
			json_t *je = json_pack("{s:s, s:s}", "path", e->path ? e->path : "", "text",
			    e->text ? e->text : "");

			if (e->match != NULL)
				json_object_set_new(je, "match", json_string(e->match));
			if (e->start >= 0 && e->end >= 0) {
				json_object_set_new(je, "start", json_integer(e->start));
				json_object_set_new(je, "end", json_integer(e->end));
			}
			json_array_append_new(ev, je);
		}
		for (k = 0; k < r->ncites; k++) {
			json_t *c = json_pack("{s:s}", "instrument", r->cites[k].instrument);

			if (r->cites[k].article != NULL)
				json_object_set_new(c, "article", json_string(r->cites[k].article));
			if (r->cites[k].edition != NULL)
				json_object_set_new(c, "edition", json_string(r->cites[k].edition));
			json_array_append_new(cite, c);
		}
		jf = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:i, s:s}", "rule", r->id,
		    "category", r->category, "severity", severity_name(r->severity), "message",
		    f->message != NULL ? f->message : "", "evidence", ev, "cite", cite, "advice",
		    r->advice != NULL ? r->advice : "", "revision", r->revision, "rulebook",
		    fs->rb->version);
		if (f->lists != NULL)
			json_object_set_new(jf, "lists", json_string(f->lists));
		json_array_append_new(arr, jf);
	}
	out = json_pack("{s:o, s:o}", "document", fd_document(doc), "findings", arr);
	/* Said, not hidden: a rule that could not be evaluated is not a clean bill of health. */
	if (fs->error != NULL)
		json_object_set_new(out, "errors", json_pack("[s]", fs->error));
	return out;
}

static const char *
fd_color(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
		return "\033[1;31m";
	case SEV_HIGH:
		return "\033[31m";
	case SEV_MEDIUM:
		return "\033[33m";
	case SEV_LOW:
		return "\033[36m";
	default:
		return "\033[2m";
	}
}

void
findings_text(FILE *out, const struct findings *fs, xmlDocPtr doc, enum severity min, int color)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), origin = fd_child(root, "origin");
	xmlNodePtr title = fd_child(root, "title"), agency = fd_child(root, "agency");
	char src[600], idx[32], ag[600];
	xmlChar *t = title != NULL ? xmlNodeGetContent(title) : NULL;
	size_t i, k, shown = findings_at_least(fs, min);

	fprintf(out, "%s%s #%s%s \"%s\"%s%s%s — %zu finding%s%s\n", color ? "\033[1m" : "",
	    fd_attr(origin, "source", src, sizeof(src)) ? src : "-",
	    fd_attr(origin, "index", idx, sizeof(idx)) ? idx : "0", color ? "\033[0m" : "",
	    t != NULL ? (const char *)t : "(untitled)",
	    fd_attr(agency, "name", ag, sizeof(ag)) ? " (" : "", agency != NULL ? ag : "",
	    agency != NULL ? ")" : "", shown, shown == 1 ? "" : "s",
	    shown == 0 ? ": no concerns" : "");
	xmlFree(t);
	if (fs->error != NULL)
		fprintf(out, "  warning: not fully checked: %s\n", fs->error);
	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		const struct rb_rule *r = f->rule;

		if (r->severity < min)
			continue;
		fprintf(out, "  %s%-8s%s %s  [%s]\n", color ? fd_color(r->severity) : "",
		    severity_name(r->severity), color ? "\033[0m" : "", r->id, r->category);
		fprintf(out, "    %s\n", f->message != NULL ? f->message : r->title);
		for (k = 0; k < f->nev; k++)
			fprintf(out, "    evidence: %s: \"%s\"\n",
			    f->ev[k].path ? f->ev[k].path : "", f->ev[k].text ? f->ev[k].text : "");
		fprintf(out, "    cite:");
		for (k = 0; k < r->ncites; k++) {
			const char *a = r->cites[k].article;

			/* "WHO Code art. 5", but "UK Code, red list" */
			fprintf(out, "%s %s", k > 0 ? ";" : "", r->cites[k].instrument);
			if (a != NULL)
				fprintf(
				    out, "%s%s", a[0] >= '0' && a[0] <= '9' ? " art. " : ", ", a);
			if (r->cites[k].edition != NULL)
				fprintf(out, " (%s)", r->cites[k].edition);
		}
		fputc('\n', out);
		if (r->advice != NULL)
			fprintf(out, "    what to do: %s\n", r->advice);
	}
}
