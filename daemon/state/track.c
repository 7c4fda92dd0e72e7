/* Items and the findings lifecycle: what an evaluation found is compared with what the state
 * holds, and each finding opened, changed or resolved is written as an event with its outbox
 * rows, in the same transaction as the item itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "track.h"

/* What one transaction writes through: the counts it fills and where subscriptions are. */
struct tr_ctx {
	struct db *db;
	const struct subs *subs;
	struct track_result *res;
	struct rw_error *err;
	int64_t now;
};

/* A finding as stored, read before it is resolved. */
struct tr_stored {
	char id[40];
	char rule[128];
	char severity[16];
	char *category, *body, *agency, *destinations, *sources, *document;
};

static void
tr_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* SHA-256 over parts, each followed by a NUL so that ("ab", "c") and ("a", "bc") differ. */
static int
tr_sha256(const char *const *parts, size_t nparts, unsigned char md[EVP_MAX_MD_SIZE])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len;
	size_t i;
	int ok;

	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < nparts; i++) {
		const char *p = parts[i] != NULL ? parts[i] : "";

		ok = EVP_DigestUpdate(c, p, strlen(p) + 1) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(c, md, &len) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

void
track_finding_id(int64_t feed_id, const char *guid, const char *rule, char out[40])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char feed[32];
	const char *parts[3];

	snprintf(feed, sizeof(feed), "%lld", (long long)feed_id);
	parts[0] = feed;
	parts[1] = guid;
	parts[2] = rule;
	if (tr_sha256(parts, 3, md) == -1)
		memset(md, 0, sizeof(md));
	out[0] = 'f';
	out[1] = '_';
	tr_hex(md, 16, out + 2);
}

/* What makes a finding "changed": its severity, its message and the words it rests on. */
static int
tr_fingerprint(const json_t *f, char out[65])
{
	const json_t *ev = json_object_get(f, "evidence");
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t i, n = 2 + json_array_size(ev);
	const char **parts;
	int rc;

	if ((parts = calloc(n, sizeof(*parts))) == NULL)
		return -1;
	parts[0] = json_string_value(json_object_get(f, "severity"));
	parts[1] = json_string_value(json_object_get(f, "message"));
	for (i = 2; i < n; i++)
		parts[i] = json_string_value(json_object_get(json_array_get(ev, i - 2), "text"));
	rc = tr_sha256(parts, n, md);
	free(parts);
	if (rc == 0)
		tr_hex(md, 32, out);
	return rc;
}

static int
tr_oom(struct tr_ctx *c)
{
	rw_error_set(c->err, db_path(c->db), 0, 0, "out of memory");
	return -1;
}

/* Writes one outbox row for every subscription the finding's facts pass. */
static int
tr_outbox(struct tr_ctx *c, const char *event_id, const struct sub_fact *fact)
{
	size_t i;

	for (i = 0; i < subs_count(c->subs); i++) {
		const struct sub_row *s = subs_at(c->subs, i);

		if (!s->active || !sub_filter_match(&s->filter, fact))
			continue;
		if (db_exec(c->db, c->err, "queueing an alert", NULL,
			"INSERT INTO outbox (event_id, sub_id, state, attempts, next_attempt) "
			"VALUES (?, ?, 'pending', 0, ?)",
			"tII", event_id, s->id, c->now) == -1)
			return -1;
		c->res->outbox++;
	}
	return 0;
}

/* The event (its payload the alert as sinks send it) and its outbox rows. Takes document. */
static int
tr_event(struct tr_ctx *c, const char *type, const char *finding_id, const char *reason,
    json_t *document, json_t *body, const struct sub_fact *fact)
{
	unsigned char rnd[16];
	char id[48], ts[32];
	struct tm tm;
	time_t t = (time_t)c->now;
	json_t *p;
	char *text;
	int rc;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		json_decref(document);
		rw_error_set(c->err, db_path(c->db), 0, 0, "no random bytes for an event id");
		return -1;
	}
	strlcpy(id, "evt_", sizeof(id));
	tr_hex(rnd, sizeof(rnd), id + 4);
	if (gmtime_r(&t, &tm) == NULL || strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strlcpy(ts, "1970-01-01T00:00:00Z", sizeof(ts));
	p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "type", type, "timestamp", ts,
	    "finding_id", finding_id, "status", reason != NULL ? "resolved" : "open");
	if (p == NULL) {
		json_decref(document);
		return tr_oom(c);
	}
	if (reason != NULL)
		json_object_set_new(p, "reason", json_string(reason));
	json_object_set_new(p, "document", document != NULL ? document : json_null());
	json_object_set_new(p, "findings", json_pack("[O]", body));
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	if (text == NULL)
		return tr_oom(c);
	rc = db_exec(c->db, c->err, "writing an event", NULL,
	    "INSERT INTO events (id, finding_id, type, at, payload) VALUES (?, ?, ?, ?, ?)",
	    "tttIt", id, finding_id, type, c->now, text);
	free(text);
	if (rc == -1 || tr_outbox(c, id, fact) == -1)
		return -1;
	if (strcmp(type, "finding.opened") == 0)
		c->res->opened++;
	else if (strcmp(type, "finding.changed") == 0)
		c->res->changed_findings++;
	else
		c->res->resolved++;
	return 0;
}

/* The raw bytes, compressed, once per distinct content; sha set to its hex digest. */
static int
tr_store_raw(struct tr_ctx *c, const unsigned char *raw, size_t len, char sha[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], *z;
	unsigned int mdlen;
	sqlite3_stmt *st;
	uLongf zlen;
	int rc;

	if (EVP_Digest(raw, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		rw_error_set(c->err, db_path(c->db), 0, 0, "cannot hash an item");
		return -1;
	}
	tr_hex(md, 32, sha);
	st = db_prepare(c->db, c->err, "looking up a raw item",
	    "SELECT 1 FROM raws WHERE sha256 = ?", "t", sha);
	if (st == NULL)
		return -1;
	rc = db_step(c->db, st, c->err, "looking up a raw item");
	sqlite3_finalize(st);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	zlen = compressBound(len);
	if ((z = malloc(zlen)) == NULL)
		return tr_oom(c);
	if (compress2(z, &zlen, raw, len, Z_DEFAULT_COMPRESSION) != Z_OK) {
		free(z);
		rw_error_set(c->err, db_path(c->db), 0, 0, "cannot compress an item");
		return -1;
	}
	rc = db_exec(c->db, c->err, "storing a raw item", NULL,
	    "INSERT INTO raws (sha256, size, zlib) VALUES (?, ?, ?)", "tIb", sha, (int64_t)len,
	    (const void *)z, (size_t)zlen);
	free(z);
	return rc;
}

static char *
tr_dup_column(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return strdup(s != NULL ? (const char *)s : "");
}

static void
tr_stored_free(struct tr_stored *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].category);
		free(v[i].body);
		free(v[i].agency);
		free(v[i].destinations);
		free(v[i].sources);
		free(v[i].document);
	}
	free(v);
}

/*
 * Reads the open findings st selects (f.id, f.rule, f.severity, f.category, f.body, f.agency,
 * f.destinations, f.sources, i.document) into memory, so that they can be updated once the
 * statement is finished. Finalises st.
 */
static int
tr_collect(struct tr_ctx *c, sqlite3_stmt *st, struct tr_stored **out, size_t *nout)
{
	struct tr_stored *v = NULL, *nv, *s;
	size_t n = 0;
	int rc;

	while ((rc = db_step(c->db, st, c->err, "reading findings")) == 1) {
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			rc = tr_oom(c);
			break;
		}
		v = nv;
		s = &v[n++];
		memset(s, 0, sizeof(*s));
		db_column_copy(st, 0, s->id, sizeof(s->id));
		db_column_copy(st, 1, s->rule, sizeof(s->rule));
		db_column_copy(st, 2, s->severity, sizeof(s->severity));
		s->category = tr_dup_column(st, 3);
		s->body = tr_dup_column(st, 4);
		s->agency = tr_dup_column(st, 5);
		s->destinations = tr_dup_column(st, 6);
		s->sources = tr_dup_column(st, 7);
		s->document = tr_dup_column(st, 8);
		if (s->category == NULL || s->body == NULL || s->agency == NULL ||
		    s->destinations == NULL || s->sources == NULL || s->document == NULL) {
			rc = tr_oom(c);
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == -1) {
		tr_stored_free(v, n);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* Resolves a stored open finding: the alert carries its last body, to the same subscribers. */
static int
tr_resolve(struct tr_ctx *c, const struct tr_stored *s, const char *reason)
{
	struct sub_fact fact;
	json_t *body, *doc;
	int rc;

	if (db_exec(c->db, c->err, "resolving a finding", NULL,
		"UPDATE findings SET status = 'resolved', resolved_at = ?, updated_at = ? "
		"WHERE id = ?",
		"IIt", c->now, c->now, s->id) == -1)
		return -1;
	if ((body = json_loads(s->body, 0, NULL)) == NULL) {
		rw_error_set(
		    c->err, db_path(c->db), 0, 0, "finding %s: stored body is not JSON", s->id);
		return -1;
	}
	doc = json_loads(s->document, 0, NULL);
	memset(&fact, 0, sizeof(fact));
	if (severity_from_name(s->severity, &fact.severity) == -1)
		fact.severity = SEV_INFO;
	fact.category = s->category;
	fact.agency = s->agency;
	fact.destinations = s->destinations;
	fact.sources = s->sources;
	rc = tr_event(c, "finding.resolved", s->id, reason, doc, body, &fact);
	json_decref(body);
	return rc;
}

#define TR_STORED_COLUMNS                                                                          \
	"SELECT f.id, f.rule, f.severity, f.category, f.body, f.agency, f.destinations, "          \
	"f.sources, i.document FROM findings f JOIN items i ON i.id = f.item_id "

/* Inserts or updates the item; *item_id and *is_new set, *doc_changed when doc_id differs. */
static int
tr_upsert_item(struct tr_ctx *c, const struct track_item *it, const char *raw_sha,
    const char *document, int64_t *item_id, int *is_new, int *doc_changed)
{
	sqlite3_stmt *st;
	char old_doc[128];
	int rc;

	st = db_prepare(c->db, c->err, "looking up an item",
	    "SELECT id, doc_id FROM items WHERE feed_id = ? AND guid = ?", "It", it->feed_id,
	    it->guid);
	if (st == NULL)
		return -1;
	rc = db_step(c->db, st, c->err, "looking up an item");
	if (rc == 1) {
		*item_id = sqlite3_column_int64(st, 0);
		db_column_copy(st, 1, old_doc, sizeof(old_doc));
	}
	sqlite3_finalize(st);
	if (rc == -1)
		return -1;
	*is_new = rc == 0;
	if (rc == 1) {
		*doc_changed = strcmp(old_doc, it->doc_id) != 0;
		return db_exec(c->db, c->err, "updating an item", NULL,
		    "UPDATE items SET doc_id = ?, raw_sha256 = ?, format = ?, title = ?, agency = "
		    "?, "
		    "destinations = ?, sources = ?, rulebook = ?, document = ?, last_seen = ?, "
		    "last_poll = ?, gone_at = NULL WHERE id = ?",
		    "tttttttttIII", it->doc_id, raw_sha, it->format, it->title, it->agency,
		    it->destinations, it->sources, it->rulebook, document, it->now, it->poll,
		    *item_id);
	}
	*doc_changed = 1;
	st = db_prepare(c->db, c->err, "inserting an item",
	    "INSERT INTO items (feed_id, guid, doc_id, raw_sha256, format, title, agency, "
	    "destinations, sources, rulebook, document, first_seen, last_seen, last_poll) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "IttttttttttIII", it->feed_id, it->guid, it->doc_id, raw_sha, it->format, it->title,
	    it->agency, it->destinations, it->sources, it->rulebook, document, it->now, it->now,
	    it->poll);
	if (st == NULL)
		return -1;
	if ((rc = db_step(c->db, st, c->err, "inserting an item")) == 1)
		*item_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == 1 ? 0 : -1;
}

/* One finding of the report against the stored one with the same rule. */
static int
tr_finding(struct tr_ctx *c, const struct track_item *it, int64_t item_id, const json_t *f,
    const json_t *document)
{
	const char *rule = json_string_value(json_object_get(f, "rule"));
	const char *category = json_string_value(json_object_get(f, "category"));
	const char *sev = json_string_value(json_object_get(f, "severity"));
	const char *message = json_string_value(json_object_get(f, "message"));
	char fid[40], fp[65], oldfp[65], status[16];
	int64_t opened_at = c->now, updated_at = c->now;
	const char *type = NULL;
	struct sub_fact fact;
	sqlite3_stmt *st;
	json_t *body;
	char *text;
	int rc;

	memset(&fact, 0, sizeof(fact));
	if (rule == NULL || category == NULL || sev == NULL ||
	    severity_from_name(sev, &fact.severity) == -1) {
		rw_error_set(c->err, db_path(c->db), 0, 0,
		    "item %s: a finding without rule, category or a valid severity", it->guid);
		return -1;
	}
	track_finding_id(it->feed_id, it->guid, rule, fid);
	if (tr_fingerprint(f, fp) == -1)
		return tr_oom(c);
	st = db_prepare(c->db, c->err, "reading a finding",
	    "SELECT status, fingerprint, opened_at, updated_at FROM findings WHERE id = ?", "t",
	    fid);
	if (st == NULL)
		return -1;
	rc = db_step(c->db, st, c->err, "reading a finding");
	if (rc == 1) {
		db_column_copy(st, 0, status, sizeof(status));
		db_column_copy(st, 1, oldfp, sizeof(oldfp));
		opened_at = sqlite3_column_int64(st, 2);
		updated_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc == -1)
		return -1;
	if (rc == 0 || strcmp(status, "resolved") == 0) {
		type = "finding.opened";
		opened_at = updated_at = c->now;
	} else if (strcmp(oldfp, fp) != 0) {
		type = "finding.changed";
		updated_at = c->now;
	}
	if ((body = json_deep_copy(f)) == NULL)
		return tr_oom(c);
	json_object_set_new(body, "id", json_string(fid));
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		json_decref(body);
		return tr_oom(c);
	}
	/* Unchanged findings are refreshed too (advice, paths): no alert, same updated_at. */
	if (rc == 0)
		rc = db_exec(c->db, c->err, "inserting a finding", NULL,
		    "INSERT INTO findings (id, item_id, rule, category, severity, status, "
		    "fingerprint, "
		    "message, body, opened_at, updated_at, agency, destinations, sources) "
		    "VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)",
		    "tI"
		    "tttttt"
		    "II"
		    "ttt",
		    fid, item_id, rule, category, sev, fp, message, text, opened_at, updated_at,
		    it->agency, it->destinations, it->sources);
	else
		rc = db_exec(c->db, c->err, "updating a finding", NULL,
		    "UPDATE findings SET item_id = ?, category = ?, severity = ?, status = 'open', "
		    "fingerprint = ?, message = ?, body = ?, opened_at = ?, updated_at = ?, "
		    "resolved_at = NULL, agency = ?, destinations = ?, sources = ? WHERE id = ?",
		    "I"
		    "ttttt"
		    "II"
		    "tttt",
		    item_id, category, sev, fp, message, text, opened_at, updated_at, it->agency,
		    it->destinations, it->sources, fid);
	free(text);
	if (rc == 0 && type != NULL) {
		fact.category = category;
		fact.agency = it->agency;
		fact.destinations = it->destinations;
		fact.sources = it->sources;
		rc = tr_event(c, type, fid, NULL, json_deep_copy(document), body, &fact);
	}
	json_decref(body);
	return rc;
}

/* Open findings of the item whose rule the report no longer has. */
static int
tr_resolve_missing(struct tr_ctx *c, int64_t item_id, const json_t *seen)
{
	struct tr_stored *v = NULL;
	size_t i, n = 0;
	sqlite3_stmt *st;
	int rc = 0;

	st = db_prepare(c->db, c->err, "reading findings",
	    TR_STORED_COLUMNS "WHERE f.item_id = ? AND f.status = 'open' ORDER BY f.rule", "I",
	    item_id);
	if (st == NULL || tr_collect(c, st, &v, &n) == -1)
		return -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (json_object_get(seen, v[i].rule) == NULL)
			rc = tr_resolve(c, &v[i], "no-longer-triggers");
	tr_stored_free(v, n);
	return rc;
}

static int
tr_record(struct tr_ctx *c, const struct track_item *it)
{
	const json_t *document = json_object_get(it->report, "document");
	const json_t *findings = json_object_get(it->report, "findings");
	char sha[65], *doctext;
	int64_t item_id = 0;
	int doc_changed = 0, rc;
	json_t *seen;
	size_t i;

	if (it->raw != NULL && it->rawlen > 0 && tr_store_raw(c, it->raw, it->rawlen, sha) == -1)
		return -1;
	if ((doctext = json_dumps(document, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return tr_oom(c);
	rc = tr_upsert_item(c, it, it->raw != NULL && it->rawlen > 0 ? sha : NULL, doctext,
	    &item_id, &c->res->is_new, &doc_changed);
	free(doctext);
	if (rc == -1)
		return -1;
	if ((seen = json_object()) == NULL)
		return tr_oom(c);
	for (i = 0; rc == 0 && i < json_array_size(findings); i++) {
		const json_t *f = json_array_get(findings, i);
		const char *rule = json_string_value(json_object_get(f, "rule"));

		/* One finding per rule and item: a repeated rule (never made by eval) is ignored. */
		if (rule != NULL && json_object_get(seen, rule) != NULL)
			continue;
		if ((rc = tr_finding(c, it, item_id, f, document)) == 0)
			json_object_set_new(seen, rule, json_true());
	}
	if (rc == 0)
		rc = tr_resolve_missing(c, item_id, seen);
	json_decref(seen);
	c->res->changed = c->res->is_new || doc_changed ||
	    c->res->opened + c->res->changed_findings + c->res->resolved > 0;
	return rc;
}

int
track_record(struct db *db, const struct track_item *it, const struct subs *subs,
    struct track_result *out, struct rw_error *err)
{
	struct track_result res;
	struct tr_ctx c = {db, subs, &res, err, it->now};

	memset(&res, 0, sizeof(res));
	if (it->guid == NULL || it->doc_id == NULL || !json_is_object(it->report) ||
	    !json_is_object(json_object_get(it->report, "document")) ||
	    !json_is_array(json_object_get(it->report, "findings"))) {
		rw_error_set(err, db_path(db), 0, 0,
		    "item %s: a report needs a guid, a doc id, a document and findings",
		    it->guid != NULL ? it->guid : "(no guid)");
		return -1;
	}
	if (db_begin(db, err) == -1)
		return -1;
	if (tr_record(&c, it) == -1 || db_commit(db, err) == -1) {
		db_rollback(db);
		return -1;
	}
	if (out != NULL)
		*out = res;
	return 0;
}

int
track_is_current(struct db *db, int64_t feed_id, const char *guid, const char *doc_id,
    const char *rulebook, int64_t poll, int64_t now, struct rw_error *err)
{
	int changes;

	/*
	 * One statement, so it is atomic without a transaction. An item marked gone is never
	 * current: its findings were resolved, and recording it again reopens them.
	 */
	if (db_exec(db, err, "checking an item", &changes,
		"UPDATE items SET last_seen = ?, last_poll = ?, gone_at = NULL "
		"WHERE feed_id = ? AND guid = ? AND doc_id = ? AND rulebook = ? AND gone_at IS "
		"NULL",
		"IIIttt", now, poll, feed_id, guid, doc_id, rulebook) == -1)
		return -1;
	return changes > 0 ? 1 : 0;
}

static int
tr_sweep(struct tr_ctx *c, int64_t feed_id, int64_t poll)
{
	struct tr_stored *v = NULL;
	size_t i, n = 0;
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(c->db, c->err, "reading findings",
	    TR_STORED_COLUMNS "WHERE i.feed_id = ? AND i.last_poll < ? AND i.gone_at IS NULL "
			      "AND f.status = 'open' ORDER BY i.id, f.rule",
	    "II", feed_id, poll);
	if (st == NULL || tr_collect(c, st, &v, &n) == -1)
		return -1;
	rc = db_exec(c->db, c->err, "marking items gone", NULL,
	    "UPDATE items SET gone_at = ? WHERE feed_id = ? AND last_poll < ? AND gone_at IS NULL",
	    "III", c->now, feed_id, poll);
	for (i = 0; rc == 0 && i < n; i++)
		rc = tr_resolve(c, &v[i], "item-removed");
	tr_stored_free(v, n);
	return rc;
}

int
track_sweep(struct db *db, int64_t feed_id, int64_t poll, int64_t now, const struct subs *subs,
    int *resolved, struct rw_error *err)
{
	struct track_result res;
	struct tr_ctx c = {db, subs, &res, err, now};

	memset(&res, 0, sizeof(res));
	if (db_begin(db, err) == -1)
		return -1;
	if (tr_sweep(&c, feed_id, poll) == -1 || db_commit(db, err) == -1) {
		db_rollback(db);
		return -1;
	}
	if (resolved != NULL)
		*resolved = res.resolved;
	return 0;
}

/*
 * Children before parents, so every foreign key holds at each step: finished outbox rows, then
 * events nothing waits on, then resolved findings, then gone items without findings, then raws
 * no item uses. An outbox row's age is its event's.
 */
static const struct {
	const char *what, *sql;
	int bind; /* whether the statement takes before */
} tr_prune_steps[] = {
    {"pruning the outbox",
	"DELETE FROM outbox WHERE state IN ('delivered', 'dead') AND event_id IN "
	"(SELECT id FROM events WHERE at < ?)",
	1},
    {"pruning events",
	"DELETE FROM events WHERE at < ? AND NOT EXISTS "
	"(SELECT 1 FROM outbox o WHERE o.event_id = events.id)",
	1},
    {"pruning findings", "DELETE FROM findings WHERE status = 'resolved' AND resolved_at < ?", 1},
    {"pruning items",
	"DELETE FROM items WHERE gone_at IS NOT NULL AND gone_at < ? AND NOT EXISTS "
	"(SELECT 1 FROM findings f WHERE f.item_id = items.id)",
	1},
    {"pruning raw items",
	"DELETE FROM raws WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.raw_sha256 = "
	"raws.sha256)",
	0},
};

int
track_prune(struct db *db, int64_t before, int64_t *deleted, struct rw_error *err)
{
	int64_t total = 0;
	size_t i;
	int n, rc = 0;

	if (db_begin(db, err) == -1)
		return -1;
	for (i = 0; rc == 0 && i < sizeof(tr_prune_steps) / sizeof(tr_prune_steps[0]); i++) {
		rc = tr_prune_steps[i].bind
		    ? db_exec(
			  db, err, tr_prune_steps[i].what, &n, tr_prune_steps[i].sql, "I", before)
		    : db_exec(db, err, tr_prune_steps[i].what, &n, tr_prune_steps[i].sql, NULL);
		if (rc == 0)
			total += n;
	}
	if (rc == -1 || db_commit(db, err) == -1) {
		db_rollback(db);
		return -1;
	}
	if (deleted != NULL)
		*deleted = total;
	return 0;
}
