/* Reading findings back for the HTTP API: filtered lists with keyset pagination, one finding
 * with its history, and the event log for the Atom feed, all under the same filter. */
#ifndef RW_QUERY_H
#define RW_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "rulebook.h"

#define QUERY_LIMIT_DEFAULT 50
#define QUERY_LIMIT_MAX 500
#define QUERY_LIST_MAX 32 /* values in one list of a filter */
#define QUERY_CURSOR_MAX 128 /* a cursor's length, with its NUL */

enum query_status { QUERY_ANY, QUERY_OPEN, QUERY_RESOLVED };

/* Values of one filter field, owned by the list; empty means "any". */
struct query_list {
	char **v;
	size_t n;
};

/*
 * What a list of findings or events is narrowed to. Categories are design §6's; agencies are
 * compared case-insensitively (as subscriptions do); feeds are feed names; countries are ISO
 * 3166-1 alpha-2 codes matched against the finding's comma-separated lists. since and until
 * bound updated_at (for events: the event's time), both inclusive, 0 for no bound. For events
 * the status is the event's own: finding.resolved is "resolved", the others "open".
 */
struct query_filter {
	enum query_status status;
	enum severity min;
	struct query_list categories, agencies, feeds, destinations, sources;
	int64_t since, until;
	int limit; /* 0: QUERY_LIMIT_DEFAULT; more than QUERY_LIMIT_MAX is refused */
	char cursor[QUERY_CURSOR_MAX]; /* "" for the first page */
};

void query_filter_init(struct query_filter *);
void query_filter_clear(struct query_filter *);
/* Appends a copy of value; -1 (err names what) when the list is full or out of memory. */
int query_list_add(struct query_list *, const char *what, const char *value, struct rw_error *err);
/* Whether s is one of design §6's categories. */
int query_category_known(const char *s);
/*
 * A stable text form of the filter (cursor and limit left out, lists sorted and lower-cased
 * where matching ignores case), so that equal filters give equal strings; malloc'ed.
 */
char *query_filter_canonical(const struct query_filter *);

/* A finding as stored; the strings live only during the callback. */
struct query_finding {
	const char *id, *rule, *category, *severity, *status, *message;
	int64_t opened_at, updated_at, resolved_at; /* resolved_at 0 while open */
	const char *agency, *destinations, *sources; /* the facts it was last alerted under */
	int64_t item_id;
	const char *feed, *guid, *title; /* feed name, the item's guid and title */
	const char *body; /* the finding's JSON, with its id */
	const char *document; /* the report's "document" JSON */
};

/* An event; for query_events, finding holds the finding's facts (its current state). */
struct query_event {
	int64_t seq;
	const char *id, *type, *finding_id;
	int64_t at;
	const char *reason; /* "" unless resolved */
	const char *payload; /* the alert as sinks send it (JSON) */
	const struct query_finding *finding;
};

typedef int (*query_finding_cb)(const struct query_finding *, void *arg);
typedef int (*query_event_cb)(const struct query_event *, void *arg);

/* The cursor for the row after (updated_at, id): base64url of "T:ID", no padding. */
int query_cursor_encode(int64_t updated_at, const char *id, char *out, size_t len);
/* -1 with err ("cursor: ...") when s is not one of ours. */
int query_cursor_decode(
    const char *s, int64_t *updated_at, char *id, size_t idlen, struct rw_error *err);

/*
 * Findings passing the filter, newest update first (updated_at DESC, id DESC), from the
 * filter's cursor on, at most limit of them. next_cursor (QUERY_CURSOR_MAX bytes) is set to the
 * next page's cursor, or "" when this page is the last. cb returning non-zero stops (0 is
 * still returned). -1 with err on a bad filter or cursor (the message starts with the name of
 * the field) or a database error.
 */
int query_findings(struct db *, const struct query_filter *, query_finding_cb cb, void *arg,
    char *next_cursor, struct rw_error *err);

/* One finding, then its events in the order they happened. 1 found, 0 no such finding, -1. */
int query_finding(struct db *, const char *id, query_finding_cb cb, query_event_cb hcb, void *arg,
    struct rw_error *err);

/* Events newest first (their sequence), of findings passing the filter; the filter's cursor is
 * ignored and at most limit events are given. */
int query_events(
    struct db *, const struct query_filter *, query_event_cb cb, void *arg, struct rw_error *err);

/* Whether a filter field's value is valid, so that the API can name it in a 400. */
int query_filter_check(const struct query_filter *, struct rw_error *err);

#endif
