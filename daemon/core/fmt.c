/* Format names, content sniffing and the XML helpers every mapper shares. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"

static const char *const fmt_names[] = {
    "auto", "rss2", "atom", "jobxml", "jsonld", "hrxml", "contract", "text", "html", "xml"};

const char *
fmt_name(enum fmt f)
{
	return fmt_names[f];
}

int
fmt_from_name(const char *s, enum fmt *out)
{
	size_t i;

	for (i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++)
		if (strcasecmp(s, fmt_names[i]) == 0) {
			*out = (enum fmt)i;
			return 0;
		}
	if (strcasecmp(s, "rss") == 0) {
		*out = FMT_RSS2;
		return 0;
	}
	if (strcasecmp(s, "json") == 0 || strcasecmp(s, "json-ld") == 0) {
		*out = FMT_JSONLD;
		return 0;
	}
	return -1;
}

enum fmt
fmt_sniff(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;

	/* UTF-16/32 byte order marks: libxml2 reads XML in them, text_to_utf8 the rest. */
	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		if (len >= 4 && (p[2] == '<' || p[3] == '<'))
			return FMT_XML;
		return FMT_TEXT;
	}
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		p += 3;
	while (p < end && isspace(*p))
		p++;
	if (p == end)
		return FMT_TEXT;
	if (*p == '{' || *p == '[')
		return FMT_JSONLD;
	if (*p != '<')
		return FMT_TEXT;
	if ((size_t)(end - p) >= 9 && strncasecmp((const char *)p, "<!doctype", 9) == 0) {
		const unsigned char *q = p + 9;

		while (q < end && isspace(*q))
			q++;
		if ((size_t)(end - q) >= 4 && strncasecmp((const char *)q, "html", 4) == 0)
			return FMT_HTML;
	}
	if ((size_t)(end - p) >= 5 && strncasecmp((const char *)p, "<html", 5) == 0)
		return FMT_HTML;
	return FMT_XML;
}

static int
fmt_ns_is(const xmlChar *uri, const char *want)
{
	if (want == NULL)
		return 1;
	if (*want == '\0')
		return uri == NULL || *uri == '\0';
	return uri != NULL && xmlStrcmp(uri, (const xmlChar *)want) == 0;
}

enum fmt
fmt_from_root(const xmlChar *name, const xmlChar *uri)
{
	if (xmlStrcmp(name, (const xmlChar *)"rss") == 0 ||
	    (xmlStrcmp(name, (const xmlChar *)"RDF") == 0))
		return FMT_RSS2;
	if (xmlStrcmp(name, (const xmlChar *)"feed") == 0 && fmt_ns_is(uri, NS_ATOM))
		return FMT_ATOM;
	if (fmt_ns_is(uri, NS_HRXML3) || fmt_ns_is(uri, NS_HRXML2))
		return FMT_HRXML;
	if (fmt_ns_is(uri, NS_CONTRACT))
		return FMT_CONTRACT;
	if (fmt_ns_is(uri, "") &&
	    (xmlStrcasecmp(name, (const xmlChar *)"source") == 0 ||
		xmlStrcasecmp(name, (const xmlChar *)"jobs") == 0 ||
		xmlStrcasecmp(name, (const xmlChar *)"job-feed") == 0 ||
		xmlStrcasecmp(name, (const xmlChar *)"feed") == 0 ||
		xmlStrcasecmp(name, (const xmlChar *)"vacancies") == 0))
		return FMT_JOBXML;
	return FMT_AUTO;
}

int
fmt_is_item(enum fmt f, const xmlChar *name, const xmlChar *uri, int depth)
{
	switch (f) {
	case FMT_RSS2:
		return xmlStrcmp(name, (const xmlChar *)"item") == 0 &&
		    (fmt_ns_is(uri, "") || fmt_ns_is(uri, NS_RSS1));
	case FMT_ATOM:
		return xmlStrcmp(name, (const xmlChar *)"entry") == 0 && fmt_ns_is(uri, NS_ATOM);
	case FMT_JOBXML:
		return depth == 1 &&
		    (xmlStrcasecmp(name, (const xmlChar *)"job") == 0 ||
			xmlStrcasecmp(name, (const xmlChar *)"vacancy") == 0);
	case FMT_HRXML:
		return xmlStrcmp(name, (const xmlChar *)"PositionOpening") == 0;
	case FMT_CONTRACT:
		return xmlStrcmp(name, (const xmlChar *)"contract") == 0 &&
		    fmt_ns_is(uri, NS_CONTRACT);
	default:
		return 0;
	}
}

xmlNodePtr
xu_next(xmlNodePtr n, const char *uri, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0 &&
		    fmt_ns_is(n->ns != NULL ? n->ns->href : NULL, uri))
			return n;
	return NULL;
}

xmlNodePtr
xu_child(xmlNodePtr parent, const char *uri, const char *name)
{
	return parent != NULL ? xu_next(parent->children, uri, name) : NULL;
}

char *
xu_text(xmlNodePtr n)
{
	xmlChar *c;
	char *s, *out;
	size_t len;

	if (n == NULL || (c = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = (char *)c;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	out = len > 0 ? strndup(s, len) : NULL;
	xmlFree(c);
	return out;
}

char *
xu_child_text(xmlNodePtr parent, const char *uri, const char *name)
{
	return xu_text(xu_child(parent, uri, name));
}

char *
xu_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v;
	char *out;

	if (n == NULL || (v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	out = *v != '\0' ? strdup((char *)v) : NULL;
	xmlFree(v);
	return out;
}

char *
xu_inner_xml(xmlNodePtr n)
{
	xmlBufferPtr buf;
	xmlNodePtr c;
	char *out;

	if (n == NULL || (buf = xmlBufferCreate()) == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		xmlNodeDump(buf, n->doc, c, 0, 0);
	out = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}

void
xu_keep_fields(struct doc *d, xmlNodePtr item, const char *const *known)
{
	xmlNodePtr c;
	const char *const *k;
	char qname[256];

	for (c = item->children; c != NULL; c = c->next) {
		int skip = 0;
		char *v;
		xmlNodePtr f;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		/* Known names count only in the item's own namespace: g:title is a field. */
		if (xmlStrEqual(c->ns != NULL ? c->ns->href : NULL,
			item->ns != NULL ? item->ns->href : NULL))
			for (k = known; *k != NULL && !skip; k++)
				skip = xmlStrcmp(c->name, (const xmlChar *)*k) == 0;
		if (skip)
			continue;
		if ((v = xu_text(c)) == NULL)
			continue;
		if (c->ns != NULL && c->ns->prefix != NULL)
			snprintf(qname, sizeof(qname), "%s:%s", c->ns->prefix, c->name);
		else
			snprintf(qname, sizeof(qname), "%s", c->name);
		f = doc_add(d, "field", v);
		doc_attr(f, "name", qname);
		if (c->ns != NULL)
			doc_attr(f, "ns", (const char *)c->ns->href);
		free(v);
	}
}
