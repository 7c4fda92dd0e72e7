/* The normaliser: data tables and compiled patterns shared by every document, built once. */
#ifndef RW_NORM_H
#define RW_NORM_H

#include "err.h"

struct gaz;
struct occ;
struct money_scanner;
struct dur_scanner;
struct roles;

struct norm {
	struct gaz *gaz;
	struct occ *occ;
	struct money_scanner *money;
	struct dur_scanner *dur;
	struct roles *roles;
};

/* Loads countries.tsv, occupations.tsv, isco88-08.tsv and country-roles.tsv from datadir. */
struct norm *norm_new(const char *datadir, struct rw_error *);
void norm_free(struct norm *);

/* The data directory: $RECRUITWATCH_DATA, else the installed one, else the source tree's. */
const char *norm_default_datadir(void);

#endif
