/* The canonical document (docs/canonical.md): format parsers add raw facts in any order, and
 * doc_finish() resolves, extracts and orders them into the one shape every rule reads. */
#ifndef RW_DOC_H
#define RW_DOC_H

#include <libxml/tree.h>

#include "err.h"
#include "norm.h"

#define DOC_NS "urn:recruitwatch:doc:1"

enum doc_kind { DOC_POSTING, DOC_CONTRACT };

struct doc;

struct doc *doc_new(enum doc_kind, const char *source, const char *format, long index);
void doc_free(struct doc *);

/* Sets an origin attribute: guid, url, date. NULL or empty values are ignored. */
void doc_origin(struct doc *, const char *attr, const char *value);

/* Adds a raw element with optional text (whitespace-trimmed; NULL for none) and returns it so
 * the caller can add attributes with doc_attr(). Raw elements doc_finish() understands:
 *   title, description (HTML or text), text (plain, appended), agency@name,
 *   employer@name@country, occupation@list@code (text: label), employment-type, posted,
 *   valid-through, destination (text: a country in any spelling), source-country@role (text:
 *   a country), eligibility (text scanned for countries in the eligibility role), salary (text)
 *   or salary@min@max@currency@period, field@name@ns, and for contracts party, clause, money.
 * Returns NULL when out of memory. */
xmlNodePtr doc_add(struct doc *, const char *name, const char *text);
void doc_attr(xmlNodePtr, const char *name, const char *value);
int doc_has(const struct doc *, const char *name);

/* Normalises the raw facts: countries resolved, HTML stripped, salary and dates parsed,
 * occupation mapped, entities extracted from title and text, children put in canonical order,
 * id computed. 0, or -1 with err. */
int doc_finish(struct doc *, const struct norm *, struct rw_error *);

xmlDocPtr doc_xml(const struct doc *);
/* Hands the XML document to the caller, who frees it with xmlFreeDoc. */
xmlDocPtr doc_take_xml(struct doc *);
const char *doc_id(const struct doc *);

/* ISO 8601 date (YYYY-MM-DD) from the spellings feeds use (RFC 822, ISO 8601 with or without a
 * colon in the offset, DD.MM.YYYY, DD/MM/YYYY); 0, or -1 when unrecognised. */
int doc_parse_date(const char *in, char *out, size_t outlen);

#endif
