/* API bearer tokens: "rwt_" ID "_" SECRET, of which only the ID and a salted SHA-256 of the
 * secret are stored; the secret is shown once, when the token is made. */
#ifndef RW_TOKENS_H
#define RW_TOKENS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"

/* "rwt_" + 16 hex + "_" + 43 base64url characters, and the NUL. */
#define TOKENS_LEN 65
#define TOKENS_ID_LEN 16

struct token_row {
	char id[TOKENS_ID_LEN + 1];
	char name[128];
	char role[16];
	int64_t created;
	int64_t last_used; /* 0: never */
	int64_t revoked; /* 0: valid */
};

/* Makes a token for role ("employer", "regulator", "union", "admin") named name (NULL: the
 * role and the id); names are unique among tokens that are not revoked. out (at least
 * TOKENS_LEN bytes) gets the whole token: the only time the secret exists in clear. */
int tokens_add(struct db *, const char *name, const char *role, char *out, size_t outlen,
    struct rw_error *err);
/* 1 valid (*role a static role name, name filled; last_used updated at most once a minute),
 * 0 unknown, revoked or malformed, -1 database error. */
int tokens_check(struct db *, const char *token, time_t now, const char **role, char *name,
    size_t namelen, struct rw_error *err);
/* Every token, oldest first; cb returning non-zero stops the walk. */
int tokens_list(
    struct db *, int (*cb)(const struct token_row *, void *), void *arg, struct rw_error *err);
/* Revokes the token with this id or name: 1 revoked, 0 none such (or already revoked). */
int tokens_revoke(struct db *, const char *id_or_name, time_t now, struct rw_error *err);
/* The role names tokens accept: 0 or -1. */
int tokens_role_ok(const char *role);

#endif
