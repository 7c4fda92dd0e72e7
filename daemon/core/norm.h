/* The normaliser: data tables and compiled patterns shared by every document, built once. */
#ifndef RW_NORM_H
#define RW_NORM_H

#include "err.h"

struct gaz;
struct occ;
struct money_scanner;
struct dur_scanner;
struct roles;
struct clauses;

struct norm {
	struct gaz *gaz;
	struct occ *occ;
	struct money_scanner *money;
	struct dur_scanner *dur;
	struct roles *roles;
	struct clauses *clauses;
};

/* Loads countries.tsv, occupations.tsv, isco88-08.tsv, country-roles.tsv and clause-kinds.tsv
 * from datadir. */
struct norm *norm_new(const char *datadir, struct rw_error *);
void norm_free(struct norm *);

/* The data directory: $RECRUITWATCH_DATA, else the installed one, else the source tree's. */
const char *norm_default_datadir(void);

#endif
