/* Atom 1.0 entries: text, html and xhtml content; the feed's author is the agency. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* Atom text constructs: type="xhtml" holds markup inline, "html" holds it escaped. */
static char *
atom_text(xmlNodePtr n)
{
	char *type;
	char *v;

	if (n == NULL)
		return NULL;
	type = xu_attr(n, "type");
	if (type != NULL && strcmp(type, "xhtml") == 0)
		v = xu_inner_xml(n);
	else
		v = xu_text(n);
	free(type);
	return v;
}

static char *
atom_link(xmlNodePtr entry)
{
	xmlNodePtr l;

	for (l = xu_child(entry, NS_ATOM, "link"); l != NULL;
	     l = xu_next(l->next, NS_ATOM, "link")) {
		char *rel = xu_attr(l, "rel");
		int alt = rel == NULL || strcmp(rel, "alternate") == 0;

		free(rel);
		if (alt)
			return xu_attr(l, "href");
	}
	return NULL;
}

struct doc *
fmt_atom_entry(struct fmt_ctx *c, xmlNodePtr entry)
{
	static const char *const known[] = {"title", "summary", "content", "link", "id",
	    "published", "updated", "author", "contributor", "category", "rights", "source", NULL};
	struct doc *d;
	char *v, *summary, *content;
	xmlNodePtr author;

	d = doc_new(DOC_POSTING, c->source, "atom", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, (long)xmlGetLineNo(entry), 0, "out of memory");
		return NULL;
	}
	v = xu_child_text(entry, NS_ATOM, "id");
	doc_origin(d, "guid", v);
	free(v);
	v = atom_link(entry);
	doc_origin(d, "url", v);
	free(v);
	v = xu_child_text(entry, NS_ATOM, "published");
	if (v == NULL)
		v = xu_child_text(entry, NS_ATOM, "updated");
	doc_origin(d, "date", v);
	if (v != NULL)
		doc_add(d, "posted", v);
	free(v);

	author = xu_child(entry, NS_ATOM, "author");
	if (author == NULL && entry->parent != NULL)
		author = xu_child(entry->parent, NS_ATOM, "author");
	v = xu_child_text(author, NS_ATOM, "name");
	if (v == NULL && entry->parent != NULL)
		v = xu_child_text(entry->parent, NS_ATOM, "title");
	if (v != NULL)
		doc_attr(doc_add(d, "agency", NULL), "name", v);
	free(v);

	v = atom_text(xu_child(entry, NS_ATOM, "title"));
	if (v != NULL)
		doc_add(d, "title", v);
	free(v);
	summary = atom_text(xu_child(entry, NS_ATOM, "summary"));
	content = atom_text(xu_child(entry, NS_ATOM, "content"));
	if (summary != NULL && (content == NULL || strstr(content, summary) == NULL))
		doc_add(d, "description", summary);
	if (content != NULL)
		doc_add(d, "description", content);
	free(summary);
	free(content);
	xu_keep_fields(d, entry, known);
	return d;
}
