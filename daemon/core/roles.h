/* The role a country mention plays in its sentence (source, destination, eligibility…), from
 * cue patterns in rules/data/country-roles.tsv. Linguistic only: no Code-of-Practice meaning. */
#ifndef RW_ROLES_H
#define RW_ROLES_H

#include <stddef.h>

#include "err.h"

struct roles;

struct roles *roles_load(const char *path, struct rw_error *);
void roles_free(struct roles *);

/* Role of the mention text[start,end): the first cue row that matches the words just before
 * (or after) it in the same sentence; "nationality" for an unmatched demonym, else "mention". */
const char *roles_of(const struct roles *, const char *text, size_t len, size_t start, size_t end,
    int demonym);

#endif
