/* The role a country mention plays in its sentence (source, destination, eligibility…), from
 * cue patterns in rules/data/country-roles.tsv. Linguistic only: no Code-of-Practice meaning. */
#ifndef RW_ROLES_H
#define RW_ROLES_H

#include <stddef.h>

#include "err.h"

struct roles;

struct roles *roles_load(const char *path, struct rw_error *);
void roles_free(struct roles *);

enum roles_term { ROLES_NAME, ROLES_DEMONYM, ROLES_PLURAL_DEMONYM };

/* Role of the mention text[start,end): the first cue row for this kind of term that matches the
 * words just before (or after) it in the same sentence; otherwise "nationality" for a plural
 * demonym ("Nigerians" are people) and "mention" for anything else. */
const char *roles_of(
    const struct roles *, const char *text, size_t len, size_t start, size_t end, enum roles_term);

#endif
