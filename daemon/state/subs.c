/* Subscriptions: their filters (matched against each finding, kept as JSON in the state file)
 * and the configuration's subscriptions synced into the state. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <bsd/string.h>

#include "subs.h"

#define SUB_ERRSRC "subscription filter"

struct subs {
	struct sub_row *v;
	size_t n;
};

static int
sub_in_list(char *const *list, size_t n, const char *s)
{
	size_t i;

	if (n == 0)
		return 1;
	if (s == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcasecmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Whether any code of the comma-separated codes is in list (an empty list lets all through). */
static int
sub_any_country(char *const *list, size_t n, const char *codes)
{
	const char *p, *end;
	size_t i, len;

	if (n == 0)
		return 1;
	for (p = codes != NULL ? codes : ""; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		for (i = 0; len > 0 && i < n; i++)
			if (strlen(list[i]) == len && strncasecmp(list[i], p, len) == 0)
				return 1;
	}
	return 0;
}

int
sub_filter_match(const struct sub_filter *f, const struct sub_fact *x)
{
	return x->severity >= f->min && sub_in_list(f->categories, f->ncategories, x->category) &&
	    sub_in_list(f->agencies, f->nagencies, x->agency) &&
	    sub_any_country(f->destinations, f->ndestinations, x->destinations) &&
	    sub_any_country(f->sources, f->nsources, x->sources);
}

static json_t *
sub_list_json(char *const *list, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

json_t *
sub_filter_json(const struct sub_filter *f)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "min-severity", severity_name(f->min),
	    "categories", sub_list_json(f->categories, f->ncategories), "agencies",
	    sub_list_json(f->agencies, f->nagencies), "destinations",
	    sub_list_json(f->destinations, f->ndestinations), "sources",
	    sub_list_json(f->sources, f->nsources));
}

static void
sub_list_free(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void
sub_filter_clear(struct sub_filter *f)
{
	if (f == NULL)
		return;
	sub_list_free(f->categories, f->ncategories);
	sub_list_free(f->agencies, f->nagencies);
	sub_list_free(f->destinations, f->ndestinations);
	sub_list_free(f->sources, f->nsources);
	memset(f, 0, sizeof(*f));
}

/* A list of non-empty strings; countries must be two letters and are kept in capitals. */
static int
sub_list_from_json(
    const json_t *a, const char *key, int country, char ***out, size_t *nout, struct rw_error *err)
{
	size_t i, n;
	char **v;

	if (!json_is_array(a)) {
		rw_error_set(err, SUB_ERRSRC, 0, 0, "\"%s\" must be an array of strings", key);
		return -1;
	}
	if ((n = json_array_size(a)) == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL) {
		rw_error_set(err, SUB_ERRSRC, 0, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s == NULL || *s == '\0') {
			rw_error_set(err, SUB_ERRSRC, 0, 0,
			    "\"%s\"[%zu] must be a non-empty string", key, i);
			goto fail;
		}
		if (country &&
		    (strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
			!isalpha((unsigned char)s[1]))) {
			rw_error_set(err, SUB_ERRSRC, 0, 0,
			    "\"%s\"[%zu]: \"%s\" is not an ISO 3166-1 alpha-2 country code", key, i,
			    s);
			goto fail;
		}
		if ((v[i] = strdup(s)) == NULL) {
			rw_error_set(err, SUB_ERRSRC, 0, 0, "out of memory");
			goto fail;
		}
		if (country) {
			v[i][0] = (char)toupper((unsigned char)v[i][0]);
			v[i][1] = (char)toupper((unsigned char)v[i][1]);
		}
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	sub_list_free(v, n);
	return -1;
}

int
sub_filter_from_json(const json_t *j, struct sub_filter *f, struct rw_error *err)
{
	const char *key;
	json_t *v;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->min = SEV_INFO;
	if (!json_is_object(j)) {
		rw_error_set(err, SUB_ERRSRC, 0, 0, "a filter must be a JSON object");
		return -1;
	}
	/* jansson's iteration macro wants a non-const object; nothing is modified. */
	json_object_foreach((json_t *)j, key, v)
	{
		if (strcmp(key, "min-severity") == 0) {
			if (!json_is_string(v) ||
			    severity_from_name(json_string_value(v), &f->min) == -1) {
				rw_error_set(err, SUB_ERRSRC, 0, 0,
				    "\"min-severity\" must be one of critical, high, medium, low, "
				    "info");
				rc = -1;
			}
		} else if (strcmp(key, "categories") == 0)
			rc = sub_list_from_json(v, key, 0, &f->categories, &f->ncategories, err);
		else if (strcmp(key, "agencies") == 0)
			rc = sub_list_from_json(v, key, 0, &f->agencies, &f->nagencies, err);
		else if (strcmp(key, "destinations") == 0)
			rc =
			    sub_list_from_json(v, key, 1, &f->destinations, &f->ndestinations, err);
		else if (strcmp(key, "sources") == 0)
			rc = sub_list_from_json(v, key, 1, &f->sources, &f->nsources, err);
		else {
			rw_error_set(err, SUB_ERRSRC, 0, 0, "unknown key \"%s\"", key);
			rc = -1;
		}
		if (rc == -1) {
			sub_filter_clear(f);
			return -1;
		}
	}
	return 0;
}

int
subs_sync(struct db *db, const char *name, const char *sink, const struct sub_filter *f,
    int64_t *id, struct rw_error *err)
{
	json_t *j = sub_filter_json(f);
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	sqlite3_stmt *st;
	int rc = -1;

	json_decref(j);
	if (text == NULL) {
		rw_error_set(err, db_path(db), 0, 0, "subscription %s: out of memory", name);
		return -1;
	}
	/* A subscription made through the API is never taken over by the configuration. */
	st = db_prepare(db, err, "syncing a subscription",
	    "INSERT INTO subscriptions (name, sink, origin, filter, active, created) "
	    "VALUES (?, ?, 'config', ?, 1, ?) "
	    "ON CONFLICT (name) DO UPDATE SET sink = excluded.sink, filter = excluded.filter, "
	    "active = 1 WHERE origin = 'config' RETURNING id",
	    "tttI", name, sink, text, (int64_t)time(NULL));
	free(text);
	if (st == NULL)
		return -1;
	if ((rc = db_step(db, st, err, "syncing a subscription")) == 1 && id != NULL)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == 0)
		rw_error_set(err, db_path(db), 0, 0,
		    "subscription %s already exists and was made through the API", name);
	return rc == 1 ? 0 : -1;
}

int
subs_mark_config_inactive(struct db *db, struct rw_error *err)
{
	return db_exec(db, err, "marking subscriptions inactive", NULL,
	    "UPDATE subscriptions SET active = 0 WHERE origin = 'config'", NULL);
}

void
subs_free(struct subs *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		sub_filter_clear(&s->v[i].filter);
	/* the rows hold webhook secrets */
	if (s->v != NULL)
		explicit_bzero(s->v, s->n * sizeof(*s->v));
	free(s->v);
	free(s);
}

size_t
subs_count(const struct subs *s)
{
	return s != NULL ? s->n : 0;
}

const struct sub_row *
subs_at(const struct subs *s, size_t i)
{
	return s != NULL && i < s->n ? &s->v[i] : NULL;
}

static int
subs_add(struct db *db, struct subs *s, sqlite3_stmt *st, struct rw_error *err)
{
	struct sub_row *r, *v;
	const char *text = (const char *)sqlite3_column_text(st, 4);
	json_error_t jerr;
	json_t *j;
	int rc;

	if ((v = reallocarray(s->v, s->n + 1, sizeof(*v))) == NULL) {
		rw_error_set(err, db_path(db), 0, 0, "out of memory");
		return -1;
	}
	s->v = v;
	r = &v[s->n];
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	db_column_copy(st, 1, r->name, sizeof(r->name));
	db_column_copy(st, 2, r->sink, sizeof(r->sink));
	db_column_copy(st, 3, r->origin, sizeof(r->origin));
	r->active = sqlite3_column_int(st, 5);
	db_column_copy(st, 6, r->url, sizeof(r->url));
	db_column_copy(st, 7, r->secret, sizeof(r->secret));
	db_column_copy(st, 8, r->secret_previous, sizeof(r->secret_previous));
	db_column_copy(st, 9, r->owner, sizeof(r->owner));
	r->verified = sqlite3_column_int(st, 10);
	if ((j = json_loads(text != NULL ? text : "", 0, &jerr)) == NULL) {
		rw_error_set(
		    err, db_path(db), 0, 0, "subscription %s: filter: %s", r->name, jerr.text);
		return -1;
	}
	rc = sub_filter_from_json(j, &r->filter, err);
	json_decref(j);
	if (rc == -1 && err != NULL) {
		char msg[sizeof(err->msg)];

		strlcpy(msg, err->msg, sizeof(msg));
		rw_error_set(err, db_path(db), 0, 0, "subscription %s: %s", r->name, msg);
	}
	if (rc == -1)
		return -1;
	s->n++;
	return 0;
}

#define SUBS_COLUMNS                                                                               \
	"id, name, sink, origin, filter, active, url, secret, secret_previous, owner, verified"

/* The rows of a prepared statement selecting SUBS_COLUMNS; st is finalized. */
static struct subs *
subs_read(struct db *db, sqlite3_stmt *st, const char *what, struct rw_error *err)
{
	struct subs *s;
	int rc;

	if (st == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		sqlite3_finalize(st);
		rw_error_set(err, db_path(db), 0, 0, "out of memory");
		return NULL;
	}
	while ((rc = db_step(db, st, err, what)) == 1)
		if ((rc = subs_add(db, s, st, err)) == -1)
			break;
	sqlite3_finalize(st);
	if (rc == -1) {
		subs_free(s);
		return NULL;
	}
	return s;
}

struct subs *
subs_load(struct db *db, struct rw_error *err)
{
	return subs_read(db,
	    db_prepare(db, err, "loading subscriptions",
		"SELECT " SUBS_COLUMNS " FROM subscriptions WHERE active = 1 ORDER BY id", NULL),
	    "loading subscriptions", err);
}

struct subs *
subs_list(struct db *db, const char *owner, struct rw_error *err)
{
	return subs_read(db,
	    db_prepare(db, err, "listing subscriptions",
		"SELECT " SUBS_COLUMNS " FROM subscriptions WHERE "
		"(?1 IS NULL AND origin = 'config') OR "
		"(origin = 'api' AND active = 1 AND (?1 IS NULL OR owner = ?1)) ORDER BY id",
		"t", owner),
	    "listing subscriptions", err);
}

int
subs_get(struct db *db, int64_t id, struct sub_row *out, struct rw_error *err)
{
	struct subs *s;

	s = subs_read(db,
	    db_prepare(db, err, "reading a subscription",
		"SELECT " SUBS_COLUMNS " FROM subscriptions WHERE id = ? AND "
		"(origin = 'config' OR active = 1)",
		"I", id),
	    "reading a subscription", err);
	if (s == NULL)
		return -1;
	if (s->n == 0) {
		subs_free(s);
		return 0;
	}
	/* the row's filter moves to the caller */
	*out = s->v[0];
	free(s->v);
	free(s);
	return 1;
}

int
subs_api_add(struct db *db, const char *name, const char *url, const struct sub_filter *f,
    const char *owner, const char *secret, int64_t *id, struct rw_error *err)
{
	json_t *j = sub_filter_json(f);
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	sqlite3_stmt *st;
	int rc;

	json_decref(j);
	if (text == NULL) {
		rw_error_set(err, db_path(db), 0, 0, "subscription %s: out of memory", name);
		return -1;
	}
	st = db_prepare(db, err, "adding a subscription",
	    "INSERT INTO subscriptions (name, sink, origin, filter, active, created, url, secret, "
	    "owner, verified) VALUES (?, '', 'api', ?, 0, ?, ?, ?, ?, 0) "
	    "ON CONFLICT (name) DO NOTHING RETURNING id",
	    "ttIttt", name, text, (int64_t)time(NULL), url, secret, owner);
	free(text);
	if (st == NULL)
		return -1;
	if ((rc = db_step(db, st, err, "adding a subscription")) == 1 && id != NULL)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == 1 ? 0 : (rc == 0 ? 1 : -1);
}

int
subs_api_verified(struct db *db, int64_t id, struct rw_error *err)
{
	return db_exec(db, err, "verifying a subscription", NULL,
	    "UPDATE subscriptions SET verified = 1, active = 1 WHERE id = ? AND origin = 'api'",
	    "I", id);
}

int
subs_api_discard(struct db *db, int64_t id, struct rw_error *err)
{
	return db_exec(db, err, "discarding a subscription", NULL,
	    "DELETE FROM subscriptions WHERE id = ? AND origin = 'api' AND verified = 0", "I", id);
}

int
subs_api_delete(struct db *db, int64_t id, struct rw_error *err)
{
	int changes = 0;

	if (db_begin(db, err) == -1)
		return -1;
	if (db_exec(db, err, "deleting a subscription", &changes,
		"UPDATE subscriptions SET active = 0, name = name || '~deleted-' || id "
		"WHERE id = ? AND origin = 'api' AND active = 1",
		"I", id) == -1)
		goto fail;
	if (changes == 0) {
		db_rollback(db);
		return 0;
	}
	if (db_exec(db, err, "deleting a subscription", NULL,
		"UPDATE outbox SET state = 'dead', last_error = 'the subscription was deleted' "
		"WHERE sub_id = ? AND state = 'pending'",
		"I", id) == -1 ||
	    /* with nothing left that refers to it, the row goes too */
	    db_exec(db, err, "deleting a subscription", NULL,
		"DELETE FROM subscriptions WHERE id = ?1 AND "
		"NOT EXISTS (SELECT 1 FROM outbox WHERE sub_id = ?1)",
		"I", id) == -1 ||
	    db_commit(db, err) == -1)
		goto fail;
	return 1;
fail:
	db_rollback(db);
	return -1;
}

int
subs_api_rotate(struct db *db, int64_t id, const char *secret, struct rw_error *err)
{
	int changes = 0, rc;

	if (secret != NULL)
		rc = db_exec(db, err, "rotating a secret", &changes,
		    "UPDATE subscriptions SET secret_previous = secret, secret = ? "
		    "WHERE id = ? AND origin = 'api' AND active = 1",
		    "tI", secret, id);
	else
		rc = db_exec(db, err, "finishing a rotation", &changes,
		    "UPDATE subscriptions SET secret_previous = NULL "
		    "WHERE id = ? AND origin = 'api' AND active = 1",
		    "I", id);
	return rc == -1 ? -1 : changes > 0;
}
