/* API bearer tokens in the state file: random secrets from OpenSSL, kept only as
 * SHA-256(salt || secret) and compared in constant time. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <bsd/string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tokens.h"

#define SECRET_BYTES 32
#define SECRET_LEN 43 /* base64url of 32 bytes, unpadded */
#define SALT_BYTES 16
#define PREFIX "rwt_"
#define PREFIX_LEN 4

static const char *const roles[] = {"employer", "regulator", "union", "admin", NULL};

int
tokens_role_ok(const char *role)
{
	size_t i;

	for (i = 0; roles[i] != NULL; i++)
		if (role != NULL && strcmp(role, roles[i]) == 0)
			return 0;
	return -1;
}

static int
hash_secret(const unsigned char *salt, const char *secret, unsigned char *out)
{
	unsigned char buf[SALT_BYTES + SECRET_LEN];
	unsigned int n = 0;
	int rc;

	memcpy(buf, salt, SALT_BYTES);
	memcpy(buf + SALT_BYTES, secret, SECRET_LEN);
	rc = EVP_Digest(buf, sizeof(buf), out, &n, EVP_sha256(), NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc == 1 && n == 32 ? 0 : -1;
}

/* base64url without padding, from OpenSSL's base64. */
static void
b64url(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	unsigned char enc[4 * ((SECRET_BYTES + 2) / 3) + 1];
	size_t i;
	int n;

	n = EVP_EncodeBlock(enc, in, (int)len);
	while (n > 0 && enc[n - 1] == '=')
		n--;
	enc[n] = '\0';
	for (i = 0; i < (size_t)n; i++) {
		if (enc[i] == '+')
			enc[i] = '-';
		else if (enc[i] == '/')
			enc[i] = '_';
	}
	strlcpy(out, (const char *)enc, outlen);
	OPENSSL_cleanse(enc, sizeof(enc));
}

int
tokens_add(struct db *db, const char *name, const char *role, char *out, size_t outlen,
    struct rw_error *err)
{
	unsigned char idb[TOKENS_ID_LEN / 2], secb[SECRET_BYTES], salt[SALT_BYTES], hash[32];
	char id[TOKENS_ID_LEN + 1], secret[SECRET_LEN + 1], defname[64];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (tokens_role_ok(role) != 0) {
		rw_error_set(err, db_path(db), 0, 0,
		    "unknown role '%s': use employer, regulator, union or admin",
		    role != NULL ? role : "");
		return -1;
	}
	if (outlen < TOKENS_LEN) {
		rw_error_set(err, db_path(db), 0, 0, "token buffer too small");
		return -1;
	}
	if (RAND_bytes(idb, sizeof(idb)) != 1 || RAND_bytes(secb, sizeof(secb)) != 1 ||
	    RAND_bytes(salt, sizeof(salt)) != 1) {
		rw_error_set(err, db_path(db), 0, 0, "no random bytes from OpenSSL");
		return -1;
	}
	for (i = 0; i < sizeof(idb); i++)
		snprintf(id + 2 * i, 3, "%02x", idb[i]);
	b64url(secb, sizeof(secb), secret, sizeof(secret));
	OPENSSL_cleanse(secb, sizeof(secb));
	if (strlen(secret) != SECRET_LEN || hash_secret(salt, secret, hash) != 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		rw_error_set(err, db_path(db), 0, 0, "cannot hash the token");
		return -1;
	}
	if (name == NULL) {
		snprintf(defname, sizeof(defname), "%s-%.8s", role, id);
		name = defname;
	}
	if (*name == '\0' || strlen(name) >= sizeof(((struct token_row *)0)->name)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		rw_error_set(err, db_path(db), 0, 0, "a token name has 1 to 127 characters");
		return -1;
	}
	if ((st = db_prepare(db, err, "tokens: name",
		 "SELECT id FROM tokens WHERE name = ? AND "
		 "revoked IS NULL",
		 "t", name)) == NULL) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return -1;
	}
	rc = db_step(db, st, err, "tokens: name");
	sqlite3_finalize(st);
	if (rc != 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		if (rc > 0)
			rw_error_set(
			    err, db_path(db), 0, 0, "a valid token is already named '%s'", name);
		return -1;
	}
	if (db_exec(db, err, "tokens: add", NULL,
		"INSERT INTO tokens (id, name, role, salt, hash, created) VALUES (?, ?, ?, ?, ?, "
		"strftime('%s', 'now'))",
		"tttbb", id, name, role, salt, sizeof(salt), hash, sizeof(hash)) != 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return -1;
	}
	snprintf(out, outlen, PREFIX "%s_%s", id, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

/* "rwt_" 16 lower-case hex "_" 43 base64url: anything else is refused before the database. */
static int
token_split(const char *token, char *id, const char **secret)
{
	size_t i;

	if (token == NULL || strlen(token) != TOKENS_LEN - 1 ||
	    strncmp(token, PREFIX, PREFIX_LEN) != 0 || token[PREFIX_LEN + TOKENS_ID_LEN] != '_')
		return -1;
	for (i = 0; i < TOKENS_ID_LEN; i++) {
		char c = token[PREFIX_LEN + i];

		if (!isdigit((unsigned char)c) && (c < 'a' || c > 'f'))
			return -1;
		id[i] = c;
	}
	id[TOKENS_ID_LEN] = '\0';
	*secret = token + PREFIX_LEN + TOKENS_ID_LEN + 1;
	for (i = 0; i < SECRET_LEN; i++) {
		unsigned char c = (unsigned char)(*secret)[i];

		if (!isalnum(c) && c != '-' && c != '_')
			return -1;
	}
	return 0;
}

int
tokens_check(struct db *db, const char *token, time_t now, const char **role, char *name,
    size_t namelen, struct rw_error *err)
{
	char id[TOKENS_ID_LEN + 1], rolebuf[16];
	const char *secret;
	unsigned char hash[32];
	sqlite3_stmt *st;
	int rc, ok = 0;
	size_t i;
	int64_t last = 0;

	if (token_split(token, id, &secret) != 0)
		return 0;
	if ((st = db_prepare(db, err, "tokens: check",
		 "SELECT salt, hash, role, name, last_used FROM tokens WHERE id = ? AND revoked IS "
		 "NULL",
		 "t", id)) == NULL)
		return -1;
	if ((rc = db_step(db, st, err, "tokens: check")) <= 0) {
		sqlite3_finalize(st);
		return rc;
	}
	if (sqlite3_column_bytes(st, 0) == SALT_BYTES && sqlite3_column_bytes(st, 1) == 32 &&
	    hash_secret(sqlite3_column_blob(st, 0), secret, hash) == 0 &&
	    CRYPTO_memcmp(hash, sqlite3_column_blob(st, 1), 32) == 0)
		ok = 1;
	db_column_copy(st, 2, rolebuf, sizeof(rolebuf));
	if (name != NULL && namelen > 0)
		db_column_copy(st, 3, name, namelen);
	last = sqlite3_column_int64(st, 4);
	sqlite3_finalize(st);
	if (!ok) {
		if (name != NULL && namelen > 0)
			name[0] = '\0';
		return 0;
	}
	*role = NULL;
	for (i = 0; roles[i] != NULL; i++)
		if (strcmp(rolebuf, roles[i]) == 0)
			*role = roles[i];
	if (*role == NULL)
		return 0;
	/* A write per request would serialise the API on the state file: once a minute is
	 * enough to tell a token in use from a forgotten one. */
	if ((int64_t)now - last >= 60 &&
	    db_exec(db, err, "tokens: last used", NULL,
		"UPDATE tokens SET last_used = ? WHERE id = ?", "It", (int64_t)now, id) != 0)
		return -1;
	return 1;
}

int
tokens_list(
    struct db *db, int (*cb)(const struct token_row *, void *), void *arg, struct rw_error *err)
{
	struct token_row r;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, err, "tokens: list",
		 "SELECT id, name, role, created, last_used, revoked FROM tokens ORDER BY "
		 "created, rowid",
		 "")) == NULL)
		return -1;
	while ((rc = db_step(db, st, err, "tokens: list")) == 1) {
		memset(&r, 0, sizeof(r));
		db_column_copy(st, 0, r.id, sizeof(r.id));
		db_column_copy(st, 1, r.name, sizeof(r.name));
		db_column_copy(st, 2, r.role, sizeof(r.role));
		r.created = sqlite3_column_int64(st, 3);
		r.last_used = sqlite3_column_int64(st, 4);
		r.revoked = sqlite3_column_int64(st, 5);
		if (cb(&r, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

int
tokens_revoke(struct db *db, const char *id_or_name, time_t now, struct rw_error *err)
{
	int changes = 0;

	if (db_exec(db, err, "tokens: revoke", &changes,
		"UPDATE tokens SET revoked = ? WHERE (id = ? OR name = ?) AND revoked IS NULL",
		"Itt", (int64_t)now, id_or_name, id_or_name) != 0)
		return -1;
	return changes > 0 ? 1 : 0;
}
