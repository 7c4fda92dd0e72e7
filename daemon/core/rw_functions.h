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
	const char *rule; /* the rule being evaluated, for error messages */
	void *mctx; /* pcre2_match_context with a JIT stack large enough for rule patterns */
	void *jit_stack;
	char error[256]; /* the first pattern that could not be matched (limits), or "" */
};

struct rb_pattern;

/* Match context and JIT stack for st; 0 or -1. */
int rwf_state_init(struct rwf_state *st);
void rwf_state_clear(struct rwf_state *st);

/* One match of p in s from off: 1 and the match in md, 0 for none. A pattern that fails
 * (match or depth limit) is recorded in st->error rather than taken silently as no match. */
int rwf_pattern_match(struct rwf_state *st, const struct rb_pattern *p, const char *s, size_t len,
    size_t off, void *md);

/* A context over doc with prefixes d: (documents) and rw: (functions) and the functions
 * registered; st may be NULL (the functions then answer false), as when rules are probed. */
xmlXPathContextPtr rwf_context(xmlDocPtr doc, struct rwf_state *st);

/* Yearly equivalent of an amount paid per period ("hour"…"year"); NaN for an unknown period. */
double rwf_annual(double amount, const char *period);

#endif
