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
	/* Added for subscriptions made through the HTTP API ("" / 0 for config ones). */
	char url[1024];
	char secret[128]; /* "whsec_..." */
	char secret_previous[128]; /* during a rotation: still signs until it is finished */
	char owner[128]; /* the principal that made it */
	int verified; /* the test delivery was acknowledged */
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

/*
 * Added for the HTTP API (issue 5): subscriptions a regulator makes with its own webhook URL
 * and signing secret. One is added inactive and unverified, and becomes active when its test
 * delivery is acknowledged (subs_api_verified) or goes again (subs_api_discard).
 */
/* owner NULL: every config subscription and every live API one; else the owner's live API
 * ones. Inactive config subscriptions are listed (active 0), deleted API ones are not. */
struct subs *subs_list(struct db *, const char *owner, struct rw_error *err);
/* A config subscription or a live API one by id: 1 with *out filled (sub_filter_clear its
 * filter), 0 when there is none, -1 error. */
int subs_get(struct db *, int64_t id, struct sub_row *out, struct rw_error *err);
/* 0 with *id set, 1 when the name is taken, -1 error. */
int subs_api_add(struct db *, const char *name, const char *url, const struct sub_filter *,
    const char *owner, const char *secret, int64_t *id, struct rw_error *err);
int subs_api_verified(struct db *, int64_t id, struct rw_error *err);
int subs_api_discard(struct db *, int64_t id, struct rw_error *err);
/* The API subscription ends: its pending outbox rows become dead, and its name is free again
 * (the row itself stays, renamed, while dead rows refer to it). 1 done, 0 no such live API
 * subscription, -1 error. */
int subs_api_delete(struct db *, int64_t id, struct rw_error *err);
/* secret non-NULL: it becomes the secret and the current one the previous (both sign);
 * NULL: the previous one is dropped. 1 done, 0 no such live API subscription, -1 error. */
int subs_api_rotate(struct db *, int64_t id, const char *secret, struct rw_error *err);

#endif
