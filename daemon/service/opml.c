/* OPML subscription lists, read with libxml2 as untrusted input: no network, no DTD loading,
 * and a document that declares entities is refused before any of them could be expanded. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "opml.h"

#define OPML_SLUG_MAX 100

struct opml_load {
	struct config *cfg;
	const char *path;
	char *dir; /* the OPML file's directory, for "file:NAME" URLs */
	size_t first; /* the first feed read from this file */
	struct rw_error *err;
	long entity_line; /* where an entity was declared; 0 when none was */
	long xml_line; /* libxml2's first error, not the last one (often "premature end") */
	char xml_msg[256];
	int failed;
};

static void opml_fail(struct opml_load *, long, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
opml_fail(struct opml_load *R, long line, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(R->err->msg)];

	if (R->failed)
		return;
	R->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rw_error_set(R->err, R->path, line, 0, "%s", msg);
}

/* SAX hooks in place of libxml2's own: an entity declaration stops the parse there. */
static void
opml_entity_seen(xmlParserCtxtPtr ctxt)
{
	struct opml_load *R = ctxt->_private;

	if (R != NULL && R->entity_line == 0)
		R->entity_line = ctxt->input != NULL ? ctxt->input->line : 1;
	xmlStopParser(ctxt);
}

static void
opml_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
    const xmlChar *system_id, xmlChar *content)
{
	opml_entity_seen(ctx);
}

static void
opml_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
    const xmlChar *system_id, const xmlChar *notation)
{
	opml_entity_seen(ctx);
}

static void
opml_xml_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct opml_load *R = ctxt != NULL ? ctxt->_private : NULL;

	if (R == NULL || e == NULL || e->level < XML_ERR_ERROR || R->xml_msg[0] != '\0')
		return;
	R->xml_line = e->line;
	strlcpy(R->xml_msg, e->message != NULL ? e->message : "unreadable", sizeof(R->xml_msg));
	R->xml_msg[strcspn(R->xml_msg, "\n")] = '\0';
}

static int
opml_is(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns == NULL &&
	    xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

/* An attribute's value, trimmed; NULL when absent or blank. */
static char *
opml_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s, *b, *e;

	if (v == NULL)
		return NULL;
	for (b = (char *)v; *b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'; b++)
		;
	for (e = b + strlen(b);
	     e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r');)
		e--;
	s = e > b ? strndup(b, (size_t)(e - b)) : NULL;
	xmlFree(v);
	return s;
}

static struct cfg_feed *
opml_find(struct config *c, const char *name, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (strcmp(c->feeds[i].name, name) == 0)
			return &c->feeds[i];
	return NULL;
}

/* The text made a feed name: lower-case ASCII letters and digits, anything else a '-'. */
static void
opml_slug(const char *text, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p;

	for (p = text != NULL ? text : ""; *p != '\0' && n + 1 < outlen; p++) {
		char ch = *p;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			out[n++] = ch;
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (n == 0)
		strlcpy(out, "feed", outlen);
}

static int
opml_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 127 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* The feed's name: recruitwatchName as given, else a slug made unique within this file. */
static int
opml_name(struct opml_load *R, xmlNodePtr o, long line, const char *text, char *out, size_t len)
{
	struct config *c = R->cfg;
	struct cfg_feed *dup;
	char *given = opml_attr(o, "recruitwatchName");
	char slug[OPML_SLUG_MAX + 1];
	int i;

	if (given != NULL) {
		if (!opml_name_ok(given)) {
			opml_fail(R, line,
			    "bad recruitwatchName '%s': use letters, digits, '.', '_' and '-'",
			    given);
			free(given);
			return -1;
		}
		strlcpy(out, given, len);
		free(given);
		if ((dup = opml_find(c, out, R->first, c->nfeeds)) != NULL) {
			opml_fail(
			    R, line, "feed %s is already defined at line %ld", out, dup->line);
			return -1;
		}
	} else {
		opml_slug(text, slug, sizeof(slug));
		strlcpy(out, slug, len);
		for (i = 2; opml_find(c, out, R->first, c->nfeeds) != NULL; i++)
			snprintf(out, len, "%s-%d", slug, i);
	}
	if ((dup = opml_find(c, out, 0, R->first)) != NULL) {
		opml_fail(
		    R, line, "feed %s is already defined at %s:%ld", out, dup->file, dup->line);
		return -1;
	}
	return 0;
}

static void
opml_feed(struct opml_load *R, xmlNodePtr o, char *url)
{
	struct config *c = R->cfg;
	struct cfg_feed *f;
	long line = xmlGetLineNo(o);
	char *text = opml_attr(o, "text"), *title = opml_attr(o, "title");
	char *fmt = opml_attr(o, "recruitwatchFormat");
	char *ival = opml_attr(o, "recruitwatchInterval");
	char name[OPML_SLUG_MAX + 16], why[160];
	int64_t d;
	void *p;

	if (opml_name(R, o, line, text != NULL ? text : title, name, sizeof(name)) != 0)
		goto out;
	if ((p = reallocarray(c->feeds, c->nfeeds + 1, sizeof(*c->feeds))) == NULL) {
		opml_fail(R, line, "out of memory");
		goto out;
	}
	c->feeds = p;
	f = &c->feeds[c->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->file = strdup(R->path);
	f->line = line;
	f->agency = title != NULL ? strdup(title) : text != NULL ? strdup(text) : NULL;
	if (f->name == NULL || f->file == NULL || ((title != NULL || text != NULL) && !f->agency)) {
		opml_fail(R, line, "out of memory");
		goto out;
	}
	if ((f->url = config_feed_url(url, R->dir, why, sizeof(why))) == NULL) {
		opml_fail(R, line, "xmlUrl of feed %s %s", name, why);
		goto out;
	}
	if (fmt != NULL && fmt_from_name(fmt, &f->format) != 0) {
		opml_fail(R, line, "unknown recruitwatchFormat '%s'", fmt);
		goto out;
	}
	if (ival != NULL) {
		if ((d = config_parse_duration(ival)) < 1 || d > INT_MAX) {
			opml_fail(R, line,
			    "bad recruitwatchInterval '%s': use seconds, or a number with s, m, h "
			    "or d",
			    ival);
			goto out;
		}
		f->interval_s = (int)d;
	}
out:
	free(text);
	free(title);
	free(fmt);
	free(ival);
}

/* Outlines nest (categories of feeds): every one with an xmlUrl is a feed, in document order. */
static void
opml_walk(struct opml_load *R, xmlNodePtr parent)
{
	xmlNodePtr n;
	char *url;

	for (n = parent->children; n != NULL && !R->failed; n = n->next) {
		if (!opml_is(n, "outline"))
			continue;
		if ((url = opml_attr(n, "xmlUrl")) != NULL) {
			opml_feed(R, n, url);
			free(url);
		}
		opml_walk(R, n);
	}
}

int
opml_read(const char *path, struct config *cfg, struct rw_error *err)
{
	struct opml_load R;
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, body;
	char *copy = NULL, *dir;
	int fd;

	memset(&R, 0, sizeof(R));
	R.cfg = cfg;
	R.path = path;
	R.err = err;
	R.first = cfg->nfeeds;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		rw_error_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if ((copy = strdup(path)) == NULL || (dir = dirname(copy)) == NULL ||
	    (R.dir = realpath(dir, NULL)) == NULL) {
		opml_fail(&R, 0, "cannot resolve its directory: %s", strerror(errno));
		goto out;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		opml_fail(&R, 0, "out of memory");
		goto out;
	}
	ctxt->_private = &R;
	ctxt->sax->entityDecl = opml_entity_decl;
	ctxt->sax->unparsedEntityDecl = opml_unparsed_entity_decl;
	ctxt->sax->serror = opml_xml_error;
	/* No XML_PARSE_NOENT (it would substitute entities) and no DTD loading. */
	doc = xmlCtxtReadFd(
	    ctxt, fd, path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (R.entity_line != 0) {
		opml_fail(&R, R.entity_line, "entity declarations are not allowed in OPML files");
		goto out;
	}
	if (doc == NULL || R.xml_msg[0] != '\0') {
		opml_fail(&R, R.xml_line, "not well-formed XML: %s",
		    R.xml_msg[0] != '\0' ? R.xml_msg : "unreadable");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!opml_is(root, "opml")) {
		opml_fail(&R, root != NULL ? xmlGetLineNo(root) : 1,
		    "not an OPML file: the root element is not <opml>");
		goto out;
	}
	for (body = root->children; body != NULL && !opml_is(body, "body"); body = body->next)
		;
	if (body == NULL) {
		opml_fail(&R, xmlGetLineNo(root), "<opml> has no <body>");
		goto out;
	}
	opml_walk(&R, body);
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	close(fd);
	free(copy);
	free(R.dir);
	return R.failed ? -1 : 0;
}
