/* Countries by code, name, variant and demonym, from rules/data/countries.tsv. */
#ifndef RW_GAZETTEER_H
#define RW_GAZETTEER_H

#include <stddef.h>

#include "err.h"

struct gaz;

struct gaz_mention {
	const char *code; /* ISO 3166-1 alpha-2 */
	size_t start, end; /* byte span in the scanned text */
	int demonym; /* matched a demonym ("Nigerian"), not a name */
	int plural; /* a demonym in the plural ("Nigerians"): people, not an adjective */
	int place; /* a city or region ("Lagos") standing for the country */
};

/* countries.tsv, and places.tsv (may be NULL): cities and regions that stand for a country. */
struct gaz *gaz_load(const char *path, const char *places, struct rw_error *);
void gaz_free(struct gaz *);

/* Every country mention, whole words, longest match first, in text order; cb returns non-zero
 * to stop. Returns 0, or -1 when the pattern engine failed. */
typedef int (*gaz_cb)(const struct gaz_mention *, void *arg);
int gaz_scan(const struct gaz *, const char *text, size_t len, gaz_cb cb, void *arg);

/* A structured field's value ("GB", "GBR", "826", "Deutschland", "Leeds, United Kingdom") to an
 * alpha-2 code, or NULL when it names no country or several. */
const char *gaz_lookup(const struct gaz *, const char *value);

/* English short name of an alpha-2 code, or NULL. */
const char *gaz_name(const struct gaz *, const char *alpha2);

#endif
