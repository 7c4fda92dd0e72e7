/* The rw: XPath extension functions rules call: list membership, pattern match, agreements,
 * money and date arithmetic. */
#ifndef RW_FUNCTIONS_H
#define RW_FUNCTIONS_H

#include <libxml/xpath.h>

struct rulebook;
struct norm;

#define RWF_MAX_LISTS 8

/* What the functions see of the evaluation, and what they report back. */
struct rwf_state {
	const struct rulebook *rb;
	const struct norm *nm; /* for country names; may be NULL */
	const char *date; /* the document's date (YYYY-MM-DD), or NULL */
	const char *lists_used[RWF_MAX_LISTS]; /* list editions resolved while evaluating */
	int nlists_used;
};

/* A context over doc with prefixes d: (documents) and rw: (functions) and the functions
 * registered; st may be NULL (the functions then answer false), as when rules are probed. */
xmlXPathContextPtr rwf_context(xmlDocPtr doc, struct rwf_state *st);

/* Yearly equivalent of an amount paid per period ("hour"…"year"); NaN for an unknown period. */
double rwf_annual(double amount, const char *period);

#endif
