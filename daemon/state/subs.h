/* Subscriptions: who wants which alerts through which sink. A filter is matched in the same
 * transaction that writes a finding's event, so an outbox row exists exactly when it should. */
#ifndef RW_SUBS_H
#define RW_SUBS_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "rulebook.h"

/* What a subscription lets through; an empty list means "any". Countries are ISO 3166-1
 * alpha-2 codes; agencies are compared case-insensitively with the document's agency. */
struct sub_filter {
	enum severity min;
	char **categories;
	size_t ncategories;
	char **agencies;
	size_t nagencies;
	char **destinations;
	size_t ndestinations;
	char **sources;
	size_t nsources;
};

/* The facts of one finding a filter is matched against. Country lists are comma-separated
 * codes ("GB,IE"), "" when none. */
struct sub_fact {
	enum severity severity;
	const char *category;
	const char *agency;
	const char *destinations;
	const char *sources;
};

int sub_filter_match(const struct sub_filter *, const struct sub_fact *);
/* {"min-severity": "high", "categories": [...], "agencies": [...], "destinations": [...],
 * "sources": [...]} both ways; parse fails with err on unknown keys or bad values. */
json_t *sub_filter_json(const struct sub_filter *);
int sub_filter_from_json(const json_t *, struct sub_filter *, struct rw_error *err);
void sub_filter_clear(struct sub_filter *);

struct sub_row {
	int64_t id;
	char name[128];
	char sink[128]; /* the sink's name in the configuration */
	char origin[16]; /* "config" or "api" */
	int active;
	struct sub_filter filter;
};

/* Inserts or updates the subscription called name with origin "config"; *id set. Config
 * subscriptions not synced since subs_mark_config_inactive become inactive (their pending
 * outbox rows stay until they are active again). */
int subs_sync(struct db *, const char *name, const char *sink, const struct sub_filter *,
    int64_t *id, struct rw_error *err);
int subs_mark_config_inactive(struct db *, struct rw_error *err);

/* The active subscriptions, loaded once and kept by the caller (reloaded after a sync). */
struct subs;
struct subs *subs_load(struct db *, struct rw_error *err);
void subs_free(struct subs *);
size_t subs_count(const struct subs *);
const struct sub_row *subs_at(const struct subs *, size_t i);

#endif
