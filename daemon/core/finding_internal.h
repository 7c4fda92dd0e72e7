/* Findings inside the core: eval.c builds them, finding.c renders them. */
#ifndef RW_FINDING_INTERNAL_H
#define RW_FINDING_INTERNAL_H

#include <stddef.h>

#include "rb_internal.h"

struct evidence {
	char *path;
	char *text;
	char *match; /* for pattern evidence: the matched words */
	long start, end; /* characters in the node's text; -1 when not a span */
};

struct finding {
	const struct rb_rule *rule;
	char *message;
	struct evidence *ev;
	size_t nev;
	char *lists; /* list editions the rule consulted, space-separated */
};

struct findings {
	const struct rulebook *rb;
	struct finding *v;
	size_t n;
	char *error; /* a pattern that could not be matched: the document was not fully checked */
};

#endif
