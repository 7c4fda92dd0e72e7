/* Builds the normaliser from the data directory, so that tables live in files, not in C. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "clauses.h"
#include "duration.h"
#include "gazetteer.h"
#include "money.h"
#include "norm.h"
#include "occupation.h"
#include "roles.h"

void
norm_free(struct norm *n)
{
	if (n == NULL)
		return;
	gaz_free(n->gaz);
	occ_free(n->occ);
	money_scanner_free(n->money);
	dur_scanner_free(n->dur);
	roles_free(n->roles);
	clauses_free(n->clauses);
	free(n);
}

struct norm *
norm_new(const char *datadir, struct rw_error *err)
{
	struct norm *n;
	char path[1024], places[1024];

	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		rw_error_set(err, datadir, 0, 0, "out of memory");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/countries.tsv", datadir);
	snprintf(places, sizeof(places), "%s/places.tsv", datadir);
	if ((n->gaz = gaz_load(path, places, err)) == NULL)
		goto fail;
	if ((n->occ = occ_load(datadir, err)) == NULL)
		goto fail;
	snprintf(path, sizeof(path), "%s/country-roles.tsv", datadir);
	if ((n->roles = roles_load(path, err)) == NULL)
		goto fail;
	snprintf(path, sizeof(path), "%s/clause-kinds.tsv", datadir);
	if ((n->clauses = clauses_load(path, err)) == NULL)
		goto fail;
	if ((n->money = money_scanner_new(err)) == NULL)
		goto fail;
	if ((n->dur = dur_scanner_new(err)) == NULL)
		goto fail;
	return n;
fail:
	norm_free(n);
	return NULL;
}

const char *
norm_default_datadir(void)
{
	const char *env = getenv("RECRUITWATCH_DATA");

	if (env != NULL && *env != '\0')
		return env;
	if (access(RW_RULESDIR "/data/countries.tsv", R_OK) == 0)
		return RW_RULESDIR "/data";
	return RW_SRCRULESDIR "/data";
}
