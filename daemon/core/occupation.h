/* Health occupations recognised in titles and mapped to ISCO-08, from data files. */
#ifndef RW_OCCUPATION_H
#define RW_OCCUPATION_H

#include <stddef.h>

#include "err.h"

struct occ;

/* Loads DATADIR/occupations.tsv and DATADIR/isco88-08.tsv. */
struct occ *occ_load(const char *datadir, struct rw_error *);
void occ_free(struct occ *);

/* The ISCO-08 code of the first health occupation named in text (most specific pattern wins),
 * or NULL; start/end (may be NULL) receive the byte span of the match. */
const char *occ_match(const struct occ *, const char *text, size_t len, size_t *start, size_t *end);

/* A declared code in its code list ("ISCO2008", "ISCO-08", "ISCO88", "ISCO-88", an ESCO ISCO
 * URI…) mapped to ISCO-08; NULL for an unknown list or code. */
const char *occ_map_code(const struct occ *, const char *list, const char *code);

#endif
