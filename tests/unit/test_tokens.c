/* API tokens in a real state file: made, checked, listed and revoked; malformed and forged
 * tokens refused; the secret never stored. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "db.h"
#include "tokens.h"

static char dir[PATH_MAX];
static char dbpath[PATH_MAX + 16];

static struct db *
fresh_db(void)
{
	char tmpl[] = "/tmp/rwtokens.XXXXXX", cmd[PATH_MAX + 16];
	struct rw_error err;
	struct db *db;

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s", tmpl);
	snprintf(dbpath, sizeof(dbpath), "%s/state.db", dir);
	db = db_open(dbpath, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	return db;
}

static int
is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

static void
test_shape(void)
{
	struct db *db = fresh_db();
	struct rw_error err;
	char t1[TOKENS_LEN], t2[TOKENS_LEN], small[20];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(tokens_add(db, "ci", "employer", t1, sizeof(t1), &err), 0);
	CU_ASSERT_EQUAL(strlen(t1), 64);
	CU_ASSERT_EQUAL(strncmp(t1, "rwt_", 4), 0);
	for (i = 4; i < 20; i++)
		CU_ASSERT(strchr("0123456789abcdef", t1[i]) != NULL);
	CU_ASSERT_EQUAL(t1[20], '_');
	for (i = 21; i < 64; i++)
		CU_ASSERT(is_b64url(t1[i]));
	CU_ASSERT_EQUAL_FATAL(tokens_add(db, NULL, "admin", t2, sizeof(t2), &err), 0);
	CU_ASSERT(strcmp(t1, t2) != 0);
	CU_ASSERT(strncmp(t1 + 21, t2 + 21, 43) != 0);
	/* Unknown role, duplicate valid name, small buffer. */
	CU_ASSERT_EQUAL(tokens_add(db, "x", "root", t2, sizeof(t2), &err), -1);
	CU_ASSERT(strstr(err.msg, "unknown role 'root'") != NULL);
	CU_ASSERT_EQUAL(tokens_add(db, "ci", "union", t2, sizeof(t2), &err), -1);
	CU_ASSERT(strstr(err.msg, "already named 'ci'") != NULL);
	CU_ASSERT_EQUAL(tokens_add(db, "y", "union", small, sizeof(small), &err), -1);
	db_close(db);
}

struct seen {
	int n;
	char names[4][128];
	char roles[4][16];
	int64_t revoked[4], last_used[4];
};

static int
list_cb(const struct token_row *r, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", r->name);
		snprintf(s->roles[s->n], sizeof(s->roles[0]), "%s", r->role);
		s->revoked[s->n] = r->revoked;
		s->last_used[s->n] = r->last_used;
	}
	s->n++;
	return 0;
}

static void
test_check_revoke_list(void)
{
	struct db *db = fresh_db();
	struct rw_error err;
	char reg[TOKENS_LEN], uni[TOKENS_LEN], forged[TOKENS_LEN], id[17], name[128];
	const char *role = NULL;
	struct seen s;

	CU_ASSERT_EQUAL_FATAL(
	    tokens_add(db, "regulator-1", "regulator", reg, sizeof(reg), &err), 0);
	CU_ASSERT_EQUAL_FATAL(tokens_add(db, "union-1", "union", uni, sizeof(uni), &err), 0);
	CU_ASSERT_EQUAL(tokens_check(db, reg, 1000, &role, name, sizeof(name), &err), 1);
	CU_ASSERT_STRING_EQUAL(role, "regulator");
	CU_ASSERT_STRING_EQUAL(name, "regulator-1");
	CU_ASSERT_EQUAL(tokens_check(db, uni, 1000, &role, name, sizeof(name), &err), 1);
	CU_ASSERT_STRING_EQUAL(role, "union");

	/* The right id with another secret, and the last character changed. */
	memcpy(forged, reg, 21);
	memcpy(forged + 21, uni + 21, 44);
	CU_ASSERT_EQUAL(tokens_check(db, forged, 1000, &role, name, sizeof(name), &err), 0);
	snprintf(forged, sizeof(forged), "%s", reg);
	forged[63] = forged[63] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(tokens_check(db, forged, 1000, &role, name, sizeof(name), &err), 0);

	/* last_used: written at the first use, then not again within a minute. */
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(tokens_list(db, list_cb, &s, &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.names[0], "regulator-1");
	CU_ASSERT_STRING_EQUAL(s.roles[0], "regulator");
	CU_ASSERT_STRING_EQUAL(s.names[1], "union-1");
	CU_ASSERT_EQUAL(s.last_used[0], 1000);
	CU_ASSERT_EQUAL(tokens_check(db, reg, 1059, &role, name, sizeof(name), &err), 1);
	memset(&s, 0, sizeof(s));
	tokens_list(db, list_cb, &s, &err);
	CU_ASSERT_EQUAL(s.last_used[0], 1000);
	CU_ASSERT_EQUAL(tokens_check(db, reg, 1060, &role, name, sizeof(name), &err), 1);
	memset(&s, 0, sizeof(s));
	tokens_list(db, list_cb, &s, &err);
	CU_ASSERT_EQUAL(s.last_used[0], 1060);

	/* Revoked by id, then by name; a second revoke finds nothing. */
	memcpy(id, reg + 4, 16);
	id[16] = '\0';
	CU_ASSERT_EQUAL(tokens_revoke(db, id, 2000, &err), 1);
	CU_ASSERT_EQUAL(tokens_check(db, reg, 2001, &role, name, sizeof(name), &err), 0);
	CU_ASSERT_EQUAL(tokens_revoke(db, id, 2002, &err), 0);
	CU_ASSERT_EQUAL(tokens_revoke(db, "union-1", 2003, &err), 1);
	CU_ASSERT_EQUAL(tokens_check(db, uni, 2004, &role, name, sizeof(name), &err), 0);
	CU_ASSERT_EQUAL(tokens_revoke(db, "nobody", 2005, &err), 0);
	memset(&s, 0, sizeof(s));
	tokens_list(db, list_cb, &s, &err);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.revoked[0], 2000);
	CU_ASSERT_EQUAL(s.revoked[1], 2003);
	/* A revoked token's name may be used again. */
	CU_ASSERT_EQUAL(tokens_add(db, "union-1", "union", uni, sizeof(uni), &err), 0);
	db_close(db);
}

static void
test_malformed(void)
{
	struct db *db = fresh_db();
	struct rw_error err;
	char t[TOKENS_LEN], bad[TOKENS_LEN + 8], name[64];
	const char *role = NULL;

	CU_ASSERT_EQUAL_FATAL(tokens_add(db, "e", "employer", t, sizeof(t), &err), 0);
	CU_ASSERT_EQUAL(tokens_check(db, NULL, 1, &role, name, sizeof(name), &err), 0);
	CU_ASSERT_EQUAL(tokens_check(db, "", 1, &role, name, sizeof(name), &err), 0);
	CU_ASSERT_EQUAL(tokens_check(db, "rwt_", 1, &role, name, sizeof(name), &err), 0);
	/* Truncated, lengthened, wrong prefix, upper-case id, a bad secret character. */
	snprintf(bad, sizeof(bad), "%.63s", t);
	CU_ASSERT_EQUAL(tokens_check(db, bad, 1, &role, name, sizeof(name), &err), 0);
	snprintf(bad, sizeof(bad), "%sA", t);
	CU_ASSERT_EQUAL(tokens_check(db, bad, 1, &role, name, sizeof(name), &err), 0);
	snprintf(bad, sizeof(bad), "rwx_%s", t + 4);
	CU_ASSERT_EQUAL(tokens_check(db, bad, 1, &role, name, sizeof(name), &err), 0);
	snprintf(bad, sizeof(bad), "%s", t);
	bad[4] = 'G';
	CU_ASSERT_EQUAL(tokens_check(db, bad, 1, &role, name, sizeof(name), &err), 0);
	snprintf(bad, sizeof(bad), "%s", t);
	bad[30] = '+';
	CU_ASSERT_EQUAL(tokens_check(db, bad, 1, &role, name, sizeof(name), &err), 0);
	snprintf(bad, sizeof(bad), "%s", t);
	bad[20] = '-';
	CU_ASSERT_EQUAL(tokens_check(db, bad, 1, &role, name, sizeof(name), &err), 0);
	/* SQL in the id position is just a malformed token. */
	CU_ASSERT_EQUAL(
	    tokens_check(db, "rwt_' OR 1=1 --____AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1,
		&role, name, sizeof(name), &err),
	    0);
	CU_ASSERT_EQUAL(tokens_check(db, t, 1, &role, name, sizeof(name), &err), 1);
	db_close(db);
}

/* The database file (and its WAL) holds neither the secret nor the whole token. */
static void
test_secret_not_stored(void)
{
	struct db *db = fresh_db();
	struct rw_error err;
	char t[TOKENS_LEN], path[PATH_MAX + 32], *buf;
	const char *suffixes[] = {"", "-wal"};
	size_t i, n, found = 0, size = 0;
	FILE *fp;

	CU_ASSERT_EQUAL_FATAL(tokens_add(db, "s", "admin", t, sizeof(t), &err), 0);
	db_close(db);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s", dbpath, suffixes[i]);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		buf = malloc(64 * 1024 * 1024);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		n = fread(buf, 1, 64 * 1024 * 1024, fp);
		fclose(fp);
		size += n;
		if (memmem(buf, n, t + 21, 43) != NULL || memmem(buf, n, t + 21, 16) != NULL)
			found++;
		/* The id is stored in clear: the search finds what is there. */
		if (i == 0)
			CU_ASSERT(memmem(buf, n, t + 4, 16) != NULL);
		free(buf);
	}
	CU_ASSERT(size > 0);
	CU_ASSERT_EQUAL(found, 0);
}

static void
test_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static const struct cu_test tests[] = {{"token shape", test_shape},
    {"check, revoke, list", test_check_revoke_list}, {"malformed tokens", test_malformed},
    {"the secret is never stored", test_secret_not_stored}, {"cleanup", test_cleanup},
    {NULL, NULL}};

RW_CU_MAIN("tokens", tests)
