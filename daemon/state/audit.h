/* Agencies and their audit (issue 5): the record of one recruiter over time, as unions and
 * regulators read it -- findings by category and month, open against resolved, time to resolve,
 * and the evidence, in JSON-ready structures or as CSV. */
#ifndef RW_AUDIT_H
#define RW_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* An agency is known by the slug of its name: lower-case [a-z0-9-], every other run of
 * characters one '-', none at either end ("Acme Health Ltd." -> "acme-health-ltd"). Names
 * with the same slug are one agency. out is "" when the name has no letter or digit. */
void audit_slug(const char *name, char *out, size_t outlen);

struct audit_agency {
	char id[128];
	char name[256]; /* the first by sort order when several names share the slug */
	int64_t items;
	int64_t open, resolved; /* findings */
	int64_t last_seen; /* latest item seen in a feed or finding updated; unix seconds */
};

/* Every agency named by an item or a finding, by id; a non-zero return from cb stops. */
int audit_agencies(
    struct db *, int (*cb)(const struct audit_agency *, void *), void *arg, struct rw_error *err);
/* 1 with *out filled, 0 when no item or finding names the agency, -1 error. */
int audit_agency_get(struct db *, const char *id, struct audit_agency *out, struct rw_error *err);

struct audit_bucket {
	char category[64];
	char month[8]; /* "YYYY-MM" of opened_at, UTC */
	int64_t opened; /* findings opened that month */
	int64_t resolved; /* of those, resolved since */
};

struct audit_evidence {
	char id[40];
	char rule[128];
	char category[64];
	char severity[16];
	char status[16]; /* open, resolved */
	int64_t opened_at;
	int64_t resolved_at; /* 0: open */
	char *message;
	char *title; /* the document's; NULL when unknown */
	char *guid; /* the item's own id in its feed (origin.guid); NULL when none */
	char *url; /* origin.url; NULL when none */
	char **texts; /* the finding's evidence texts */
	size_t ntexts;
};

struct audit_report {
	struct audit_agency agency;
	int64_t since, until; /* the bounds asked for; 0: none */
	struct audit_bucket *buckets; /* by month, then category */
	size_t nbuckets;
	int64_t open, resolved;
	size_t ttr_count; /* resolved findings the times below are over */
	double ttr_median_days, ttr_mean_days; /* 0 when ttr_count is 0 */
	struct audit_evidence *evidence; /* by opened_at, then id */
	size_t nevidence;
};

/* The audit of the agency over findings opened in [since, until) (0: unbounded). 1 with *out
 * filled (audit_report_clear it), 0 for an unknown agency, -1 error. */
int audit_report(struct db *, const char *agency_id, int64_t since, int64_t until,
    struct audit_report *out, struct rw_error *err);
void audit_report_clear(struct audit_report *);

/* One RFC 4180 field, malloc'd: quoted when it holds a comma, quote, CR or LF (quotes
 * doubled); a field a spreadsheet would take for a formula (starting with = + - @) gets a
 * leading ' so that it stays text. NULL reads as "". NULL on allocation failure. */
char *audit_csv_field(const char *);
/* The evidence list as CSV with a header row, CRLF line ends (RFC 4180); malloc'd, *len set.
 * Columns: id, rule, category, severity, status, opened_at, resolved_at, title, guid, url,
 * message, evidence (texts joined by " | "). */
char *audit_csv(const struct audit_report *, size_t *len);

/* "2023-11-14T22:13:20Z" (UTC); "" for 0. */
void audit_time_str(int64_t t, char *out, size_t outlen);

#endif
