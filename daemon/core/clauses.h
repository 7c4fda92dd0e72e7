/* Contract clause kinds (fee, repayment, documents…) from rules/data/clause-kinds.tsv. */
#ifndef RW_CLAUSES_H
#define RW_CLAUSES_H

#include <stddef.h>

#include "err.h"

struct clauses;

struct clauses *clauses_load(const char *path, struct rw_error *);
void clauses_free(struct clauses *);

/* The kind of a clause: its heading decides, then its body; "other" when neither says. */
const char *clauses_kind(const struct clauses *, const char *heading, const char *body);

#endif
