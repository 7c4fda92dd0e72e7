/* Input formats: detection, and one mapper per format from an item to a canonical document. */
#ifndef RW_FMT_H
#define RW_FMT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "doc.h"
#include "err.h"
#include "norm.h"

enum fmt {
	FMT_AUTO,
	FMT_RSS2,
	FMT_ATOM,
	FMT_JOBXML,
	FMT_JSONLD,
	FMT_HRXML,
	FMT_CONTRACT,
	FMT_TEXT,
	FMT_HTML, /* a page: its JSON-LD postings, or its text when it has none */
	FMT_XML /* some XML: the root element decides */
};

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_HRXML3 "http://www.hr-xml.org/3"
#define NS_HRXML2 "http://ns.hr-xml.org"
#define NS_OAGIS "http://www.openapplications.org/oagis/9"
#define NS_CONTRACT "urn:recruitwatch:contract:1"
#define NS_RSS1 "http://purl.org/rss/1.0/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_GBASE "http://base.google.com/ns/1.0"
#define NS_XHTML "http://www.w3.org/1999/xhtml"

const char *fmt_name(enum fmt);
/* "rss2", "atom", "jobxml", "jsonld", "hrxml", "contract", "text", "html"; -1 if unknown. */
int fmt_from_name(const char *, enum fmt *);

/* From the first bytes (after any BOM and blanks): JSON, HTML, XML or text. */
enum fmt fmt_sniff(const char *buf, size_t len);
/* From an XML root element: FMT_AUTO when it is no format we know. */
enum fmt fmt_from_root(const xmlChar *localname, const xmlChar *uri);
/* Whether an element closes one item of the format (an RSS item, an Atom entry, …). */
int fmt_is_item(enum fmt, const xmlChar *localname, const xmlChar *uri, int depth);

struct fmt_ctx {
	const struct norm *nm;
	const char *source;
	long index; /* position of the next document in the source */
	struct rw_error *err; /* filled when a mapper returns NULL or -1 */
	int (*emit)(struct doc *, void *arg); /* for formats that yield several documents at once */
	void *arg;
};

/* XML items: each returns an unfinished document, or NULL with ctx->err. */
struct doc *fmt_rss_item(struct fmt_ctx *, xmlNodePtr item);
struct doc *fmt_atom_entry(struct fmt_ctx *, xmlNodePtr entry);
struct doc *fmt_jobxml_job(struct fmt_ctx *, xmlNodePtr job);
struct doc *fmt_hrxml_opening(struct fmt_ctx *, xmlNodePtr opening);
struct doc *fmt_contract_xml(struct fmt_ctx *, xmlNodePtr contract);

/* Whole inputs that may hold several documents: each found is passed to ctx->emit. 0 or -1. */
int fmt_jsonld_parse(struct fmt_ctx *, const char *json, size_t len, long line_offset);
int fmt_html_parse(struct fmt_ctx *, const char *html, size_t len);
int fmt_text_parse(struct fmt_ctx *, const char *text, size_t len);

/* Small XML helpers the mappers share. uri NULL matches any namespace, "" none. */
xmlNodePtr xu_child(xmlNodePtr parent, const char *uri, const char *name);
xmlNodePtr xu_next(xmlNodePtr after, const char *uri, const char *name);
char *xu_text(xmlNodePtr); /* trimmed content, malloc'd; NULL for a NULL node or empty text */
char *xu_child_text(xmlNodePtr parent, const char *uri, const char *name);
char *xu_attr(xmlNodePtr, const char *name);
/* The element's inner markup serialised (for XHTML content and HTML descriptions). */
char *xu_inner_xml(xmlNodePtr);
/* Unmapped children kept as <field name ns>: every element child not in the known list. */
void xu_keep_fields(struct doc *, xmlNodePtr item, const char *const *known);

#endif
