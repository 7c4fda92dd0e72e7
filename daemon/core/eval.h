/* Evaluating canonical documents against a compiled rulebook, and the findings that result
 * (design §6): rendered as JSON for machines and as text for people. */
#ifndef RW_EVAL_H
#define RW_EVAL_H

#include <stdio.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "err.h"
#include "norm.h"
#include "rulebook.h"

struct evaluator;
struct findings;

/* One evaluator per thread: it keeps an XPath context and scratch space between documents. */
struct evaluator *eval_new(const struct rulebook *, const struct norm *);
void eval_free(struct evaluator *);

/* Every enabled rule that applies to doc and fires. NULL only when out of memory. */
struct findings *eval_doc(struct evaluator *, xmlDocPtr doc);
void findings_free(struct findings *);

size_t findings_count(const struct findings *);
/* How many findings are at or above min. */
size_t findings_at_least(const struct findings *, enum severity min);
int findings_has_rule(const struct findings *, const char *rule_id);

/* The design §6 object: {"document": {...}, "findings": [...]}, findings below min left out. */
json_t *findings_json(const struct findings *, xmlDocPtr doc, enum severity min);
/* The employer's view: one block per document, colour when color is set. */
void findings_text(FILE *, const struct findings *, xmlDocPtr doc, enum severity min, int color);

/* Rule authors' profiler: once enabled, the time spent on each rule is added up. */
int eval_profile_enable(struct evaluator *);
/* Seconds spent on the i-th rule of the rulebook so far, and documents evaluated. */
double eval_profile_seconds(const struct evaluator *, size_t i);
size_t eval_profile_docs(const struct evaluator *);

/* Why rule_id did or did not fire on doc: each condition with its value. -1 if no such rule. */
int eval_explain(struct evaluator *, xmlDocPtr doc, const char *rule_id, FILE *out);

#endif
